/* test_upgrade.c — a database of the previous release (tests/e2e/fixtures/schema6.db: the demo
 * academy as the program wrote it before the module registry, schema 6) is opened by this binary:
 * every row of every old table is still there with the same values, old users log in with their
 * old passwords, a member's study is still theirs. The fixture is copied and given a member's
 * study in schema 6's own tables first (enrolment, progress, days, an event), so that migrating
 * live learning data is proven too. modules_upgrade_from_schema6 (test_resources.c) checks the
 * migrations' versions and that a newer schema is refused.
 */
#include "e2e.h"

#include <math.h>
#include <stdarg.h>

static char *q(const char *db, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *q(const char *db, const char *fmt, ...)
{
	char sql[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(sql, sizeof sql, fmt, ap);
	va_end(ap);
	return e2e_sh_out("sqlite3 '%s' \"%s\"", db, sql);
}

/* The old tables (FTS shadow tables aside: the courses module rebuilds its index). */
static const char *const TABLES[] = {"orgs", "users", "courses", "course_images", "lectures", "jobs", "assignments",
				     "enrollments", "lecture_progress", "study_daily", "events", "course_counts", NULL};

/* A digest of a table's rows in the columns schema 6 had (so that added columns do not count). */
static char *digest(const char *db, const char *table, const char *cols, const char *where)
{
	return q(db, "SELECT count(*) || ':' || coalesce(sum(length(x)), 0) || ':' || "
		     "coalesce(group_concat(x, '|'), '') FROM (SELECT %s AS x FROM %s WHERE %s ORDER BY 1)",
		 cols, table, where);
}

E2E_TEST(upgrade_schema6_keeps_every_row_and_login)
{
	char dir[400], db[500], saved[512];
	snprintf(dir, sizeof dir, "%s/upgrade6-%d", e2e_tmp, rand());
	snprintf(db, sizeof db, "%s/dangxiao.db", dir);
	CHECK(e2e_sh("mkdir -p %s && cp tests/e2e/fixtures/schema6.db %s", dir, db) == 0, "copy the fixture");
	/* zhangsan (4) studied the demo lecture in the old release: 600.5 s over two days, enrolled
	   in course 1 with 40 % progress, a login event. */
	CHECK(e2e_sh("sqlite3 %s \"INSERT INTO enrollments(user_id, course_id, enrolled_at, progress) VALUES (4, 1, 1780000000, 0.4);"
		     "UPDATE lectures SET status='ready', duration_s=1500, media_version=1 WHERE id=1;"
		     "UPDATE jobs SET state='done', progress=1, finished_at=1780000000 WHERE id=1;"
		     "INSERT INTO lecture_progress(user_id, lecture_id, coverage, covered_s, study_s, last_pos, updated_at) "
		     "VALUES (4, 1, '[[0,600.5]]', 600.5, 600.5, 600.5, 1780003600);"
		     "INSERT INTO study_daily(user_id, lecture_id, day, study_s) VALUES (4, 1, '2026-05-28', 400.5), (4, 1, '2026-05-29', 200);"
		     "INSERT INTO events(user_id, kind, ref, at, data) VALUES (4, 'login', 20260528, 1780000000, NULL);\"",
		     db) == 0,
	      "a member's study in schema 6");
	char *v = q(db, "PRAGMA user_version");
	CHECK(!strcmp(v, "6"), "fixture at schema 6: %s", v);
	free(v);
	/* Before: each old table's digest over all its old columns. */
	char *cols[32] = {0}, *before[32] = {0}, where[32][64];
	int nt = 0;
	for (; TABLES[nt]; nt++) {
		cols[nt] = q(db, "SELECT group_concat('quote(' || name || ')', ' || '','' || ') FROM pragma_table_info('%s')",
			     TABLES[nt]);
		/* Events: the old ones (the logins below add theirs). */
		snprintf(where[nt], sizeof where[nt], "1");
		if (!strcmp(TABLES[nt], "events")) {
			char *mx = q(db, "SELECT coalesce(max(id), 0) FROM events");
			snprintf(where[nt], sizeof where[nt], "id <= %s", mx);
			free(mx);
		}
		before[nt] = digest(db, TABLES[nt], cols[nt], where[nt]);
		CHECK(cols[nt][0] && before[nt][0], "table %s read", TABLES[nt]);
	}
	char *pw = q(db, "SELECT pw_hash FROM users WHERE username='zhangsan'");
	snprintf(saved, sizeof saved, "%s", e2e_data);
	e2e_stop();
	snprintf(e2e_data, sizeof e2e_data, "%s", dir);
	CHECK(e2e_start_again() == 0, "the new binary starts on the old database");
	/* Old users log in with their old passwords; the member's study is theirs. */
	const char *users[] = {"admin", "teacher", "assessor", "zhangsan", "wangwu"};
	for (int i = 0; i < 5; i++) {
		char *t = e2e_login(users[i], E2E_PW);
		CHECK(t != NULL, "%s logs in after the upgrade", users[i]);
		free(t);
	}
	char *m = e2e_login("zhangsan", E2E_PW);
	resp r = e2e_req("GET", "/api/v1/lectures/1/progress", m, NULL, NULL);
	CHECK(r.status == 200 && fabs(jnum(r.json, "lecture_study_s") - 600.5) < 0.01 &&
		      fabs(jnum(r.json, "covered_s") - 600.5) < 0.01,
	      "the old progress is served: %ld %.300s", r.status, r.body ? r.body : "");
	resp_free(&r);
	r = e2e_req("GET", "/api/v1/courses?mine=1", m, NULL, NULL);
	int found = 0;
	size_t i;
	json_t *c;
	json_array_foreach (json_object_get(r.json, "courses"), i, c)
		found += jint(c, "id") == 1;
	CHECK(r.status == 200 && found == 1, "course 1 is still in my courses: %.300s", r.body ? r.body : "");
	resp_free(&r);
	r = e2e_req("GET", "/api/v1/courses/1", m, NULL, NULL);
	CHECK(r.status == 200 && !strcmp(jstr(r.json, "title") ? jstr(r.json, "title") : "", "全面从严治党：理论与实践"),
	      "the old course: %.200s", r.body ? r.body : "");
	resp_free(&r);
	free(m);
	e2e_stop();
	/* After: every old row with its old values; the schema moved on. */
	for (int k = 0; k < nt; k++) {
		char *after = digest(db, TABLES[k], cols[k], where[k]);
		char *cnt = q(db, "SELECT count(*) FROM %s", TABLES[k]);
		CHECK(!strcmp(before[k], after), "table %s unchanged by the upgrade (%s rows now)", TABLES[k], cnt);
		free(after), free(cnt);
	}
	char *pw2 = q(db, "SELECT pw_hash FROM users WHERE username='zhangsan'");
	CHECK(pw[0] && !strcmp(pw, pw2), "the password hash kept");
	free(pw), free(pw2);
	v = q(db, "PRAGMA user_version");
	CHECK(atoi(v) > 6, "schema past 6: %s", v);
	free(v);
	v = q(db, "PRAGMA integrity_check");
	CHECK(!strcmp(v, "ok"), "integrity: %s", v);
	free(v);
	v = q(db, "PRAGMA foreign_key_check");
	CHECK(!strcmp(v, ""), "foreign keys: %s", v);
	free(v);
	for (int k = 0; k < nt; k++)
		free(cols[k]), free(before[k]);
	snprintf(e2e_data, sizeof e2e_data, "%s", saved);
	CHECK(e2e_start_again() == 0, "back to the test academy");
}
