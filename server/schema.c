/* schema.c — the core's schema as numbered migrations, tracked by PRAGMA user_version, then each
 * module's own (module.migrations, tracked in schema_versions).
 *
 * A migration is never edited once released: add a new one at the end. Each runs in one
 * transaction together with the user_version bump, so a crash leaves the schema at a whole step.
 * Migrations 1–6 predate the module registry and hold the courses' and the transcoder's first
 * tables too; they stay here, in this order, so that every existing database keeps its history.
 * New tables of a module go into that module's descriptor.
 */
#include "db.h"
#include "module.h"
#include "util.h"

#include <stdio.h>

static const char *const migrations[] = {
	/* 1: people, organisations, sessions, settings. */
	"CREATE TABLE orgs("
	"  id INTEGER PRIMARY KEY, name TEXT NOT NULL, parent_id INTEGER REFERENCES orgs(id),"
	"  path TEXT NOT NULL, created_at INTEGER NOT NULL);"
	/* path is a materialised path '/1/5/12/': a subtree is one index range scan. */
	"CREATE INDEX orgs_path ON orgs(path);"
	"CREATE UNIQUE INDEX orgs_name ON orgs(ifnull(parent_id, 0), name);"
	"CREATE TABLE users("
	"  id INTEGER PRIMARY KEY, username TEXT NOT NULL UNIQUE, name TEXT NOT NULL,"
	"  role TEXT NOT NULL CHECK(role IN ('member','instructor','assessor','admin')),"
	"  org_id INTEGER NOT NULL REFERENCES orgs(id), pw_hash TEXT NOT NULL,"
	"  active INTEGER NOT NULL DEFAULT 1, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);"
	"CREATE INDEX users_org ON users(org_id);"
	"CREATE TABLE sessions("
	"  token_hash TEXT PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  csrf TEXT NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL) WITHOUT ROWID;"
	"CREATE INDEX sessions_user ON sessions(user_id);"
	"CREATE TABLE login_failures(username TEXT NOT NULL, at INTEGER NOT NULL);"
	"CREATE INDEX login_failures_u ON login_failures(username, at);"
	"CREATE TABLE settings(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;",

	/* 2: courses, catalog search, enrolment, required-course assignments. */
	"CREATE TABLE courses("
	"  id INTEGER PRIMARY KEY, owner_id INTEGER NOT NULL REFERENCES users(id),"
	"  title TEXT NOT NULL, summary TEXT NOT NULL DEFAULT '', category TEXT NOT NULL,"
	"  credit_hours REAL NOT NULL DEFAULT 0, body_md TEXT NOT NULL DEFAULT '',"
	"  body_html TEXT NOT NULL DEFAULT '', cover_image_id INTEGER,"
	"  status TEXT NOT NULL DEFAULT 'draft' CHECK(status IN ('draft','published')),"
	"  enrolled_count INTEGER NOT NULL DEFAULT 0,"
	"  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, published_at INTEGER);"
	"CREATE INDEX courses_owner ON courses(owner_id);"
	"CREATE INDEX courses_status ON courses(status, category);"
	/* Trigram FTS for Chinese substring search; rowid = course id, kept in step by triggers. */
	"CREATE VIRTUAL TABLE courses_fts USING fts5(title, summary, body, tokenize='trigram');"
	"CREATE TRIGGER courses_fts_ai AFTER INSERT ON courses BEGIN"
	"  INSERT INTO courses_fts(rowid, title, summary, body) VALUES (new.id, new.title, new.summary, new.body_md);"
	"END;"
	"CREATE TRIGGER courses_fts_au AFTER UPDATE OF title, summary, body_md ON courses BEGIN"
	"  UPDATE courses_fts SET title=new.title, summary=new.summary, body=new.body_md WHERE rowid=new.id;"
	"END;"
	"CREATE TRIGGER courses_fts_ad AFTER DELETE ON courses BEGIN"
	"  DELETE FROM courses_fts WHERE rowid=old.id;"
	"END;"
	"CREATE TABLE course_images("
	"  id INTEGER PRIMARY KEY, course_id INTEGER NOT NULL REFERENCES courses(id),"
	"  mime TEXT NOT NULL, size INTEGER NOT NULL, created_at INTEGER NOT NULL);"
	"CREATE TABLE enrollments("
	"  user_id INTEGER NOT NULL REFERENCES users(id), course_id INTEGER NOT NULL REFERENCES courses(id),"
	"  enrolled_at INTEGER NOT NULL, progress REAL NOT NULL DEFAULT 0, completed_at INTEGER,"
	"  PRIMARY KEY(user_id, course_id)) WITHOUT ROWID;"
	"CREATE INDEX enrollments_course ON enrollments(course_id);"
	"CREATE TABLE assignments("
	"  id INTEGER PRIMARY KEY, course_id INTEGER NOT NULL REFERENCES courses(id),"
	"  org_id INTEGER NOT NULL REFERENCES orgs(id), year INTEGER NOT NULL,"
	"  created_at INTEGER NOT NULL, UNIQUE(course_id, org_id, year));"
	"CREATE INDEX assignments_org ON assignments(org_id, year);",

	/* 3: lectures, uploads and the transcoding job queue. */
	"CREATE TABLE lectures("
	"  id INTEGER PRIMARY KEY, course_id INTEGER NOT NULL REFERENCES courses(id),"
	"  title TEXT NOT NULL, position INTEGER NOT NULL DEFAULT 0,"
	"  status TEXT NOT NULL DEFAULT 'empty'"
	"    CHECK(status IN ('empty','queued','transcoding','ready','failed')),"
	"  progress REAL NOT NULL DEFAULT 0, error TEXT, duration_s REAL NOT NULL DEFAULT 0,"
	/* media_version: the stream currently served (0 = none); a new transcode writes version+1 and
	   switches only when complete, so the old stream keeps playing meanwhile. */
	"  media_version INTEGER NOT NULL DEFAULT 0, renditions TEXT NOT NULL DEFAULT '[]',"
	"  has_poster INTEGER NOT NULL DEFAULT 0, has_captions INTEGER NOT NULL DEFAULT 0,"
	"  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);"
	"CREATE INDEX lectures_course ON lectures(course_id, position);"
	"CREATE TABLE jobs("
	"  id INTEGER PRIMARY KEY, lecture_id INTEGER NOT NULL REFERENCES lectures(id),"
	"  state TEXT NOT NULL CHECK(state IN ('queued','running','done','failed','cancelled')),"
	"  source TEXT NOT NULL, version INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,"
	"  not_before INTEGER NOT NULL DEFAULT 0, claimed_at INTEGER, progress REAL NOT NULL DEFAULT 0,"
	"  error TEXT, info TEXT, created_at INTEGER NOT NULL, finished_at INTEGER);"
	"CREATE INDEX jobs_state ON jobs(state, not_before);"
	"CREATE TABLE uploads("
	"  id TEXT PRIMARY KEY, lecture_id INTEGER NOT NULL REFERENCES lectures(id),"
	"  user_id INTEGER NOT NULL REFERENCES users(id), length INTEGER NOT NULL,"
	"  offset INTEGER NOT NULL DEFAULT 0, metadata TEXT NOT NULL DEFAULT '',"
	"  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL) WITHOUT ROWID;",

	/* 4: study tracking: playback sessions, coverage, daily study, completion events. */
	"CREATE TABLE playback_sessions("
	"  id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id),"
	"  lecture_id INTEGER NOT NULL REFERENCES lectures(id), open INTEGER NOT NULL DEFAULT 1,"
	"  last_at REAL NOT NULL, last_pos REAL NOT NULL, created_at INTEGER NOT NULL,"
	"  closed_at INTEGER);"
	"CREATE INDEX playback_open ON playback_sessions(user_id) WHERE open=1;"
	"CREATE TABLE lecture_progress("
	"  user_id INTEGER NOT NULL REFERENCES users(id), lecture_id INTEGER NOT NULL REFERENCES lectures(id),"
	"  coverage TEXT NOT NULL DEFAULT '[]', covered_s REAL NOT NULL DEFAULT 0,"
	"  study_s REAL NOT NULL DEFAULT 0, last_pos REAL NOT NULL DEFAULT 0, completed_at INTEGER,"
	"  updated_at INTEGER NOT NULL, PRIMARY KEY(user_id, lecture_id)) WITHOUT ROWID;"
	"CREATE TABLE study_daily("
	"  user_id INTEGER NOT NULL, lecture_id INTEGER NOT NULL, day TEXT NOT NULL,"
	"  study_s REAL NOT NULL DEFAULT 0, PRIMARY KEY(user_id, lecture_id, day)) WITHOUT ROWID;"
	/* Completion events, written in the crediting transaction; scoring awards from them. */
	"CREATE TABLE events("
	"  id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id), kind TEXT NOT NULL,"
	"  ref INTEGER NOT NULL, at INTEGER NOT NULL, data TEXT, UNIQUE(user_id, kind, ref));",

	/* 5: the catalog's covering index. A course row stores its Markdown and HTML before status,
	   enrolled_count and published_at, so filtering or sorting on those from the table reads every
	   body's overflow pages; the catalog reads them from here instead (courses/catalog.c). */
	"CREATE INDEX courses_catalog ON courses(status, category, owner_id, enrolled_count, published_at,"
	"  created_at, cover_image_id);",

	/* 6: the catalog without scans (courses/catalog.c). Indexes in the catalog's orders, so that
	   a page stops after offset + limit entries; courses_meta, everything a catalog card shows of
	   a course, by id, without reading its row; course_counts, the number of courses per status
	   and category, kept by triggers, for the catalog's total. */
	"CREATE INDEX courses_new ON courses(status, ifnull(published_at, created_at));"
	"CREATE INDEX courses_new_cat ON courses(status, category, ifnull(published_at, created_at));"
	"CREATE INDEX courses_pop ON courses(status, enrolled_count, ifnull(published_at, created_at));"
	"CREATE INDEX courses_pop_cat ON courses(status, category, enrolled_count, ifnull(published_at, created_at));"
	"CREATE INDEX courses_meta ON courses(id, status, category, owner_id, enrolled_count, published_at,"
	"  created_at, cover_image_id, credit_hours, title, summary);"
	"CREATE TABLE course_counts("
	"  status TEXT NOT NULL, category TEXT NOT NULL, n INTEGER NOT NULL,"
	"  PRIMARY KEY(status, category)) WITHOUT ROWID;"
	"INSERT INTO course_counts(status, category, n) SELECT status, category, count(*) FROM courses"
	"  GROUP BY status, category;"
	"CREATE TRIGGER course_counts_ai AFTER INSERT ON courses BEGIN"
	"  INSERT INTO course_counts(status, category, n) VALUES (new.status, new.category, 1)"
	"    ON CONFLICT(status, category) DO UPDATE SET n = n + 1;"
	"END;"
	"CREATE TRIGGER course_counts_ad AFTER DELETE ON courses BEGIN"
	"  UPDATE course_counts SET n = n - 1 WHERE status = old.status AND category = old.category;"
	"END;"
	"CREATE TRIGGER course_counts_au AFTER UPDATE OF status, category ON courses"
	"  WHEN old.status IS NOT new.status OR old.category IS NOT new.category BEGIN"
	"  UPDATE course_counts SET n = n - 1 WHERE status = old.status AND category = old.category;"
	"  INSERT INTO course_counts(status, category, n) VALUES (new.status, new.category, 1)"
	"    ON CONFLICT(status, category) DO UPDATE SET n = n + 1;"
	"END;",

	/* 7: usernames are case-insensitive and trimmed (server/people.c username_norm); stored
	   normalised, and one lower-case name may belong to one account only. Existing accounts whose
	   names differ only in case or spaces: the oldest (lowest id) keeps the name, each later one
	   is renamed NAME-dupID (keeping its password, role and records), so nobody is merged or
	   locked out and the admin can see and fix them. Organisation paths that an earlier version
	   cut at 511 characters are rebuilt from the parent links. */
	"UPDATE users SET username = lower(trim(username)) || '-dup' || id WHERE EXISTS ("
	"  SELECT 1 FROM users o WHERE lower(trim(o.username)) = lower(trim(users.username)) AND o.id < users.id);"
	"UPDATE users SET username = lower(trim(username)) WHERE username <> lower(trim(username));"
	"CREATE UNIQUE INDEX users_username_lower ON users(lower(username));"
	"WITH RECURSIVE t(id, path) AS ("
	"  SELECT id, '/' || id || '/' FROM orgs WHERE parent_id IS NULL"
	"  UNION ALL SELECT o.id, t.path || o.id || '/' FROM orgs o JOIN t ON o.parent_id = t.id)"
	"UPDATE orgs SET path = (SELECT path FROM t WHERE t.id = orgs.id)"
	"  WHERE id IN (SELECT id FROM t) AND path <> (SELECT path FROM t WHERE t.id = orgs.id);",

	/* 8: the modules' own migrations, one version per module (server/module.c). */
	"CREATE TABLE IF NOT EXISTS schema_versions(module TEXT PRIMARY KEY, version INTEGER NOT NULL) WITHOUT ROWID;",
};

int db_schema_version(void)
{
	return (int)db_int(0, "PRAGMA user_version", "");
}

int db_migrate(void)
{
	return db_migrate_upto((int)ARRAY_LEN(migrations));
}

int db_migrate_upto(int want)
{
	int have = db_schema_version();
	if (want > (int)ARRAY_LEN(migrations))
		want = (int)ARRAY_LEN(migrations);
	if (have > (int)ARRAY_LEN(migrations)) {
		fprintf(stderr, "dangxiao: database schema %d is newer than this program (%d)\n", have,
			(int)ARRAY_LEN(migrations));
		return -1;
	}
	for (int v = have; v < want; v++) {
		if (db_begin() < 0)
			return -1;
		char pragma[64];
		snprintf(pragma, sizeof pragma, "PRAGMA user_version=%d", v + 1);
		if (db_exec_raw(migrations[v]) < 0 || db_exec_raw(pragma) < 0) {
			db_rollback();
			fprintf(stderr, "dangxiao: migration %d failed\n", v + 1);
			return -1;
		}
		if (db_commit() < 0)
			return -1;
	}
	return modules_migrate();
}
