/* routes.c — every module's route table; the authorisation matrix beside it is server/authz.tsv. */
#include "http.h"

extern const route auth_routes[], people_routes[], page_routes[];
extern const route study_routes[], player_routes[];
extern const route course_routes[], catalog_routes[], course_page_routes[];
extern const route lecture_routes[], upload_routes[], import_routes[], media_routes[];

const route *const route_tables[] = {
	auth_routes,
	people_routes,
	page_routes,
	study_routes,
	player_routes,
	course_routes,
	catalog_routes,
	course_page_routes,
	lecture_routes,
	upload_routes,
	import_routes,
	media_routes,
	NULL,
};
