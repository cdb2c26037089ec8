/* pages.c — the classes' pages. */
#include "classes/access.h"
#include "classes/classes.h"

const route class_page_routes[] = {
	ROUTES_END,
};
