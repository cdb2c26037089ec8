/* module.c — the courses module's descriptor: courses, catalog, lectures, uploads, media, study. */
#include "config.h"
#include "courses/access.h"
#include "courses/courses.h"
#include "courses/lectures.h"
#include "courses/study.h"
#include "module.h"

extern const route study_routes[], player_routes[];
extern const route course_routes[], catalog_routes[], home_routes[], course_page_routes[];
extern const route lecture_routes[], upload_routes[], tus_routes[], import_routes[], media_routes[];
extern const route manage_routes[];

/* The search index of courses migrated from before it held the readable text, then the heartbeat
   writer (group commit), URL imports (libcurl), the tus upload sweeper. */
static int courses_start(void)
{
	if (catalog_reindex() < 0 || study_writer_start() < 0 || imports_start() < 0 || uploads_start() < 0)
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
	.routes = (const route *const[]){study_routes, player_routes, course_routes, catalog_routes, home_routes,
					 course_page_routes, lecture_routes, upload_routes, tus_routes, import_routes,
					 media_routes, manage_routes, NULL},
	.resources = (const resource_kind *const[]){&course_view, &course_edit, &lecture_view, &lecture_edit,
						    &lecture_study, &lecture_progress, &lecture_known, &image_view, &upload_mine,
						    NULL},
	.start = courses_start,
	.stop = courses_stop,
	.nav = (const nav_entry[]){{"/", "nav.home", R_ANY, 10}, {"/teach", "nav.teach", R_STAFF, 20}, {.href = NULL}},
	.seed = seed_courses,
	.seed_late = seed_lectures,
	.migrations = (const migration[]){
		/* 1: study and search holes of issue 8. Coverage belongs to the media version (and its
		   duration) it was watched on, and a playback session to the version it was opened on;
		   what a member earned on an earlier version is kept in coverage_history. The catalog
		   indexes the text members can read (courses.body_text, made from the rendered HTML by
		   courses/markdown.c) instead of the Markdown source: the index forgets every body now,
		   and the courses module fills body_text (and so the index) for courses without it when
		   the server starts. */
		{"ALTER TABLE lecture_progress ADD COLUMN cov_version INTEGER NOT NULL DEFAULT 0;"
		 "ALTER TABLE lecture_progress ADD COLUMN cov_duration_s REAL NOT NULL DEFAULT 0;"
		 "UPDATE lecture_progress SET"
		 "  cov_version = ifnull((SELECT l.media_version FROM lectures l WHERE l.id = lecture_id), 0),"
		 "  cov_duration_s = ifnull((SELECT l.duration_s FROM lectures l WHERE l.id = lecture_id), 0);"
		 "CREATE TABLE coverage_history("
		 "  id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id),"
		 "  lecture_id INTEGER NOT NULL REFERENCES lectures(id), cov_version INTEGER NOT NULL,"
		 "  duration_s REAL NOT NULL, coverage TEXT NOT NULL, covered_s REAL NOT NULL,"
		 "  completed_at INTEGER, archived_at INTEGER NOT NULL);"
		 "CREATE INDEX coverage_history_ul ON coverage_history(user_id, lecture_id);"
		 "ALTER TABLE playback_sessions ADD COLUMN media_version INTEGER NOT NULL DEFAULT 0;"
		 "UPDATE playback_sessions SET"
		 "  media_version = ifnull((SELECT l.media_version FROM lectures l WHERE l.id = lecture_id), 0);"
		 "ALTER TABLE courses ADD COLUMN body_text TEXT;"
		 "DROP TRIGGER courses_fts_ai;"
		 "DROP TRIGGER courses_fts_au;"
		 "CREATE TRIGGER courses_fts_ai AFTER INSERT ON courses BEGIN"
		 "  INSERT INTO courses_fts(rowid, title, summary, body)"
		 "    VALUES (new.id, new.title, new.summary, ifnull(new.body_text, ''));"
		 "END;"
		 "CREATE TRIGGER courses_fts_au AFTER UPDATE OF title, summary, body_text ON courses BEGIN"
		 "  UPDATE courses_fts SET title=new.title, summary=new.summary, body=ifnull(new.body_text, '')"
		 "    WHERE rowid=new.id;"
		 "END;"
		 "UPDATE courses_fts SET body = '';"},
		/* 2: tidying a course (issue 12). An archived course is withdrawn for good (status draft, hidden
		   from the catalog) but kept with its enrolments and records; an archived lecture is one that
		   was deleted after members were credited time on it (hidden, its records kept). revision
		   counts the instructor's edits of a lecture, for stale-edit checks. */
		{"ALTER TABLE courses ADD COLUMN archived_at INTEGER;"
		 "ALTER TABLE lectures ADD COLUMN archived_at INTEGER;"
		 "ALTER TABLE lectures ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;"},
		{.sql = NULL},
	},
};
