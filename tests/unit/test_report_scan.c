/* test_report_scan.c — the reports' members of a subtree (scoring/report.c report_members and
   report_org_stats) against the same numbers computed row by row with plain SQL, on a database
   large enough for both of its ways: a subtree above REPORT_SCAN_MIN members reads the year's
   score_totals in one scan (ids dense, then sparse), a small one probes per member. Members who
   are inactive or not members, totals of another year and members with no totals row are all
   present, so a join or filter that goes wrong changes a number. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "module.h"
#include "scoring/report.h"
#include "util.h"

static char dbdir[96];

/* Builds the tree root → 3 committees → 4 branches each, and n members over the branches.
   big_ids: the ids of the members start at 10^12 (the sparse id map). */
static void build(int n, int big_ids, int year)
{
	snprintf(dbdir, sizeof dbdir, "/tmp/dx-unit-repscan-%d-%d", getpid(), big_ids);
	mkdir_p(dbdir, 0700);
	char path[160];
	snprintf(path, sizeof path, "%s/t.db", dbdir);
	unlink(path);
	db_set_path(path);
	assert_int_equal(db_migrate(), 0);
	assert_int_equal(modules_migrate(), 0);
	assert_int_equal(db_begin(), 0);
	assert_int_equal(db_exec("INSERT INTO orgs(id, name, parent_id, path, created_at) VALUES (500, '根', NULL, '/500/', 0)", ""), 1);
	for (int c = 1; c <= 3; c++) {
		assert_int_equal(db_exec("INSERT INTO orgs(id, name, parent_id, path, created_at) VALUES (?, ?, 500, ?, 0)", "iss",
					 (int64_t)(500 + c), "党委", "x"), 1);
		char p[48];
		snprintf(p, sizeof p, "/500/%d/", 500 + c);
		db_exec("UPDATE orgs SET path = ?, name = name || id WHERE id = ?", "si", p, (int64_t)(500 + c));
		for (int b = 1; b <= 4; b++) {
			int64_t id = 600 + c * 10 + b;
			char q[64];
			snprintf(q, sizeof q, "/500/%d/%lld/", 500 + c, (long long)id);
			assert_int_equal(db_exec("INSERT INTO orgs(id, name, parent_id, path, created_at) VALUES (?, ?, ?, ?, 0)",
						 "isis", id, "支部", (int64_t)(500 + c), q),
					 1);
			db_exec("UPDATE orgs SET name = name || id WHERE id = ?", "i", id);
		}
	}
	db_exec("INSERT INTO requirements(org_id, year, total_hours, required_hours, updated_at) VALUES (502, ?, 30, 10, 0)",
		"i", (int64_t)year);
	srand(7);
	int64_t base = big_ids ? 1000000000000LL : 1000;
	for (int i = 0; i < n; i++) {
		int64_t id = base + (int64_t)i * (big_ids ? 977 : 1);
		int c = 1 + i % 3, b = 1 + (i / 3) % 4;
		int64_t org = i % 17 == 0 ? 500 + c : 600 + c * 10 + b; /* some directly in a committee */
		const char *role = i % 29 == 0 ? "instructor" : "member";
		int active = i % 31 != 0;
		char un[32];
		snprintf(un, sizeof un, "m%d", i);
		assert_int_equal(db_exec("INSERT INTO users(id, username, name, role, org_id, active, pw_hash, created_at, updated_at)"
					 " VALUES (?, ?, ?, ?, ?, ?, 'x', 0, 0)",
					 "isssii", id, un, un, role, org, (int64_t)active),
				 1);
		if (i % 11 == 0)
			continue; /* no totals at all */
		db_exec("INSERT INTO score_totals(user_id, year, hours_required, hours_elective, study_s, points,"
			" courses_completed) VALUES (?, ?, ?, ?, ?, ?, ?)",
			"iidddii", id, (int64_t)year, (rand() % 2000) / 100.0, (rand() % 4000) / 100.0, (double)(rand() % 90000),
			(int64_t)(rand() % 700), (int64_t)(rand() % 9));
		if (i % 5 == 0) /* last year's row: must not count */
			db_exec("INSERT INTO score_totals(user_id, year, hours_required, hours_elective, points) VALUES (?, ?, 99, 99, 9999)",
				"ii", id, (int64_t)(year - 1));
	}
	assert_int_equal(db_commit(), 0);
}

/* report_members of the subtree at `path` against one SQL lookup per member. */
static void check_members(const org_table *t, const char *path, long want_min)
{
	size_t lo, hi;
	org_table_subtree(t, path, &lo, &hi);
	rep_member *v;
	long n = report_members(t, lo, hi, &v);
	assert_true(n >= want_min);
	int64_t expect = db_int(-1, "SELECT count(*) FROM users u JOIN orgs o ON o.id = u.org_id WHERE o.path LIKE ? || '%'"
				" AND u.role = 'member' AND u.active = 1", "s", path);
	assert_int_equal(n, expect);
	for (long i = 0; i < n; i++) {
		if (i)
			assert_true(v[i - 1].org < v[i].org || (v[i - 1].org == v[i].org && v[i - 1].id < v[i].id));
		assert_int_equal(t->v[v[i].org].id, db_int(-1, "SELECT org_id FROM users WHERE id = ?", "i", v[i].id));
		sqlite3_stmt *st = db_query("SELECT hours_required, hours_elective, study_s, points, courses_completed"
					    " FROM score_totals WHERE user_id = ? AND year = ?", "ii", v[i].id, (int64_t)t->year);
		if (db_step(st) == 1) {
			assert_true(v[i].hr == sqlite3_column_double(st, 0));
			assert_true(v[i].he == sqlite3_column_double(st, 1));
			assert_true(v[i].study == sqlite3_column_double(st, 2));
			assert_int_equal(v[i].points, sqlite3_column_int64(st, 3));
			assert_int_equal(v[i].courses, sqlite3_column_int64(st, 4));
		} else {
			assert_true(v[i].hr == 0 && v[i].he == 0 && v[i].study == 0 && v[i].points == 0 && v[i].courses == 0);
		}
		db_done(st);
	}
	free(v);
}

/* The summary's totals per committee against SQL sums. */
static void check_stats(const org_table *t, int year)
{
	long root = org_table_find(t, 500);
	assert_true(root >= 0);
	size_t *kids;
	org_stats *st, direct, total;
	long nk = report_org_stats(t, root, 0, &kids, &st, &direct, &total);
	assert_int_equal(nk, 3);
	int64_t all = 0;
	for (long k = 0; k < nk; k++) {
		const rep_org *o = &t->v[kids[k]];
		int64_t members = db_int(-1, "SELECT count(*) FROM users u JOIN orgs o ON o.id = u.org_id WHERE o.path LIKE ? || '%'"
					 " AND u.role = 'member' AND u.active = 1", "s", o->path);
		int64_t pts = db_int(-1, "SELECT ifnull(sum(t.points), 0) FROM users u JOIN orgs o ON o.id = u.org_id"
				     " JOIN score_totals t ON t.user_id = u.id AND t.year = ? WHERE o.path LIKE ? || '%'"
				     " AND u.role = 'member' AND u.active = 1", "is", (int64_t)year, o->path);
		assert_int_equal(st[k].members, members);
		assert_true(st[k].points == (double)pts);
		assert_int_equal(st[k].met + st[k].on_track + st[k].behind + st[k].at_risk, members);
		all += members;
	}
	assert_int_equal(direct.members, 0);
	assert_int_equal(total.members, all);
	free(kids);
	free(st);
}

static void run(int n, int big_ids)
{
	int year = 2026;
	build(n, big_ids, year);
	org_table t;
	assert_int_equal(org_table_load(&t, year), 0);
	check_members(&t, "/500/", REPORT_SCAN_MIN + 1);     /* the scan */
	check_members(&t, "/500/501/", 100);                 /* a third: still a scan */
	check_members(&t, "/500/502/611/", 0);               /* no such branch: nothing */
	check_members(&t, "/500/502/622/", 100);             /* a branch: probes */
	check_stats(&t, year);
	org_table_free(&t);
	db_close_thread();
}

static void test_dense_ids(void **state)
{
	(void)state;
	run(REPORT_SCAN_MIN * 4, 0);
}

static void test_sparse_ids(void **state)
{
	(void)state;
	run(REPORT_SCAN_MIN * 4, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dense_ids),
		cmocka_unit_test(test_sparse_ids),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	char cmd[160];
	snprintf(cmd, sizeof cmd, "rm -rf /tmp/dx-unit-repscan-%d-0 /tmp/dx-unit-repscan-%d-1", getpid(), getpid());
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove the test databases\n");
	return rc;
}
