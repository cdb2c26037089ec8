/* roster.c — a class's roster for its organisers and assessors. */
#include "classes/access.h"
#include "classes/classes.h"

const route roster_routes[] = {
	ROUTES_END,
};
