/* routes.c — every module's route table; the authorisation matrix beside it is server/authz.tsv. */
#include "http.h"

extern const route auth_routes[], people_routes[], page_routes[];

const route *const route_tables[] = {
	auth_routes,
	people_routes,
	page_routes,
	NULL,
};
