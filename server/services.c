/* services.c — starts and stops the background services; each module adds its line here. */
#include "services.h"
#include "config.h"
#include "db.h"
#include "courses/courses.h"
#include "courses/lectures.h"
#include "courses/study.h"
#include "transcoder/jobs.h"

int services_start(void)
{
	if (db_checkpointer_start() < 0)
		return -1;
	/* Courses: the search index of courses migrated from before it held the readable text. */
	if (catalog_reindex() < 0)
		return -1;
	/* Study: the heartbeat writer (group commit). */
	if (study_writer_start() < 0)
		return -1;
	/* Lectures: URL imports (libcurl), the transcoder workers, the tus upload sweeper. */
	if (imports_start() < 0 || jobs_start(cfg.workers) < 0 || uploads_start() < 0)
		return -1;
	return 0;
}

void services_stop(void)
{
	imports_stop();
	uploads_stop();
	jobs_stop();
	study_writer_stop();
	db_checkpointer_stop();
}
