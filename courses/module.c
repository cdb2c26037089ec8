/* module.c — the courses module's descriptor: courses, catalog, lectures, uploads, media, study. */
#include "config.h"
#include "courses/access.h"
#include "courses/courses.h"
#include "courses/lectures.h"
#include "courses/study.h"
#include "module.h"

extern const route study_routes[], player_routes[];
extern const route course_routes[], catalog_routes[], course_page_routes[];
extern const route lecture_routes[], upload_routes[], import_routes[], media_routes[];

/* The heartbeat writer (group commit), URL imports (libcurl), the tus upload sweeper. */
static int courses_start(void)
{
	if (study_writer_start() < 0 || imports_start() < 0 || uploads_start() < 0)
		return -1;
	return 0;
}

static void courses_stop(void)
{
	imports_stop();
	uploads_stop();
	study_writer_stop();
}

const module courses_module = {
	.name = "courses",
	.init = lecture_jobs_init,
	.routes = (const route *const[]){study_routes, player_routes, course_routes, catalog_routes,
					 course_page_routes, lecture_routes, upload_routes, import_routes,
					 media_routes, NULL},
	.resources = (const resource_kind *const[]){&course_view, &course_edit, &lecture_view, &lecture_edit,
						    &lecture_study, &lecture_known, &image_view, &upload_mine,
						    NULL},
	.start = courses_start,
	.stop = courses_stop,
	.nav = (const nav_entry[]){{"/", "nav.home", R_ANY, 10}, {"/teach", "nav.teach", R_STAFF, 20}, {.href = NULL}},
	.seed = seed_courses,
	.seed_late = seed_lectures,
};
