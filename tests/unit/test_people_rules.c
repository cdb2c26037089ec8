/* test_people_rules.c — unit tests of the account rules of issue 8: the redirect after login, the
   login throttle's counting (free tries, concurrent attempts, rising waits), username
   normalisation, password lengths, organisation paths without a fixed buffer and the migration
   that folds usernames to one case. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth.h"
#include "config.h"
#include "db.h"
#include "people.h"
#include "util.h"

static void test_next_same_origin(void **state)
{
	(void)state;
	const char *good[] = {"/", "/courses/7", "/courses/7?tab=1&x=%E4%B8%AD", "/a/b/../c", "/%7Euser", NULL};
	const char *bad[] = {NULL,
			     "",
			     "courses",
			     "//evil.example",
			     "/\\evil.example/x",
			     "/\t/evil.example",
			     "/ /evil.example",
			     "/a\\b",
			     "/%5Cevil.example",
			     "/%2F%2Fevil.example",
			     "/%2fevil.example",
			     "/%252F%252Fevil.example",
			     "/%25252F%25252Fevil",
			     "/%09/evil.example",
			     "/x%0d%0aSet-Cookie:a",
			     "/x\x7f",
			     "/\xff\xfe",
			     "https://evil.example/",
			     "/%2525252525252F",
			     "sentinel"};
	for (int i = 0; good[i]; i++)
		assert_true(login_next_ok(good[i]));
	for (size_t i = 0; i + 1 < ARRAY_LEN(bad); i++)
		if (login_next_ok(bad[i])) {
			fprintf(stderr, "accepted: %s\n", bad[i] ? bad[i] : "(null)");
			fail();
		}
}

static void test_username_norm_and_passwords(void **state)
{
	(void)state;
	char *u = username_norm("  Admin\t");
	assert_string_equal(u, "admin");
	free(u);
	u = username_norm("Zhang.San-01");
	assert_string_equal(u, "zhang.san-01");
	free(u);
	u = username_norm("   ");
	assert_string_equal(u, "");
	free(u);
	assert_string_equal(password_weak("short"), "err.weak_password");
	char pw[301];
	memset(pw, 'p', 300);
	pw[300] = 0;
	assert_string_equal(password_weak(pw), "err.password_too_long");
	pw[256] = 0;
	assert_null(password_weak(pw));
	/* 256 Chinese characters are 768 bytes: still fine; 257 are not. */
	buf b;
	buf_init(&b);
	for (int i = 0; i < 256; i++)
		buf_puts(&b, "密");
	assert_null(password_weak(b.p));
	buf_puts(&b, "密");
	assert_string_equal(password_weak(b.p), "err.password_too_long");
	buf_free(&b);
}

static void test_throttle_counts(void **state)
{
	(void)state;
	cfg.login_free_tries = 5;
	cfg.login_addr_free_tries = 20;
	cfg.login_delay_s = 30;
	cfg.login_delay_max_s = 900;
	login_throttle_reset();
	assert_true(login_delay(0, 900) == 30);
	assert_true(login_delay(1, 900) == 60);
	assert_true(login_delay(4, 900) == 480);
	assert_true(login_delay(5, 900) == 900);
	assert_true(login_delay(1000, 900) == 900);

	double t = 1e6;
	/* 20 concurrent attempts: only the 5 free ones go on to check a password. */
	login_slot s[20];
	int started = 0;
	for (int i = 0; i < 20; i++)
		if (login_attempt_begin("victim", "10.0.0.1", t, &s[started]) == 0)
			started++;
	assert_int_equal(started, 5);
	int wait = 0, left = -1;
	for (int i = 0; i < started; i++)
		left = login_attempt_end(&s[i], 0, t, &wait);
	assert_int_equal(left, 0);
	assert_int_equal(wait, 30);
	login_slot one;
	assert_int_equal(login_attempt_begin("victim", "10.0.0.1", t + 10, &one), 20);
	/* Another address is not held back by this pair; the owner logs in. */
	assert_int_equal(login_attempt_begin("victim", "10.0.0.2", t + 10, &one), 0);
	assert_int_equal(login_attempt_end(&one, 1, t + 10, NULL), 0);
	/* After the wait, one attempt at a time from the attacker's address; its failure doubles the
	   wait (the owner's success cleared the username's counters and their own pair only). */
	assert_int_equal(login_attempt_begin("victim", "10.0.0.1", t + 30, &one), 0);
	login_slot two;
	assert_true(login_attempt_begin("victim", "10.0.0.1", t + 30, &two) > 0); /* one at a time */
	assert_int_equal(login_attempt_end(&one, 0, t + 30, &wait), 0);
	assert_int_equal(wait, 60);

	/* Spraying: 20 usernames from one address, then the address waits. */
	login_throttle_reset();
	for (int i = 0; i < 20; i++) {
		char u[16];
		snprintf(u, sizeof u, "user%d", i);
		assert_int_equal(login_attempt_begin(u, "10.0.0.9", t, &one), 0);
		left = login_attempt_end(&one, 0, t, &wait);
		assert_int_equal(left, i < 15 ? 4 : 19 - i);
	}
	assert_true(login_attempt_begin("user99", "10.0.0.9", t, &one) > 0);
	assert_int_equal(login_attempt_begin("user99", "10.0.0.10", t, &one), 0);
	login_attempt_end(&one, 1, t, NULL);
	/* Counters are forgotten after a quiet quarter of an hour past the wait. */
	assert_int_equal(login_attempt_begin("user99", "10.0.0.9", t + 30 + 900, &one), 0);
	login_attempt_end(&one, 1, t + 30 + 900, NULL);
	login_throttle_reset();
}

static char dbdir[64];

static void test_deep_paths_and_username_migration(void **state)
{
	(void)state;
	snprintf(dbdir, sizeof dbdir, "/tmp/dx-unit-people-%d", getpid());
	mkdir_p(dbdir, 0700);
	char path[128];
	snprintf(path, sizeof path, "%s/t.db", dbdir);
	db_set_path(path);
	assert_int_equal(db_migrate(), 0);

	/* No fixed path buffer: 180 levels (allowed by the setting) keep 180 distinct paths. */
	cfg.org_max_depth = 200;
	int64_t parent = 0, ex;
	for (int i = 0; i < 180; i++) {
		char name[16];
		snprintf(name, sizeof name, "级%d", i);
		parent = org_create(name, parent, &ex);
		assert_true(parent > 0);
	}
	char *p = org_path(parent);
	assert_true(strlen(p) > 511);
	free(p);
	assert_int_equal(db_int(0, "SELECT count(DISTINCT path) FROM orgs", ""), 180);
	assert_int_equal(db_int(0, "SELECT count(*) FROM orgs o WHERE o.parent_id IS NOT NULL AND o.path <>"
				   " (SELECT path FROM orgs q WHERE q.id = o.parent_id) || o.id || '/'",
				""),
			 0);
	/* The default depth: 12 levels, and a longer path creates nothing. */
	cfg.org_max_depth = 12;
	int64_t n = db_int(0, "SELECT count(*) FROM orgs", "");
	assert_true(org_resolve_path("a/b/c/d/e/f/g/h/i/j/k/l", 1) > 0);
	assert_int_equal(org_resolve_path("a/b/c/d/e/f/g/h/i/j/k/l/m", 1), -2);
	assert_int_equal(db_int(0, "SELECT count(*) FROM orgs", ""), n + 12);
	int64_t l12 = org_resolve_path("a/b/c/d/e/f/g/h/i/j/k/l", 0);
	assert_int_equal(org_create("m", l12, &ex), -2);

	/* Usernames: one account per lower-case name. */
	int64_t org = org_resolve_path("a", 0);
	assert_true(user_create(" Admin ", "管理员", "admin", org, "password1") > 0);
	assert_int_equal(user_create("ADMIN", "管理员", "member", org, "password1"), 0);
	assert_true(user_id_by_name("aDmIn ") > 0);
	assert_true(last_admin(user_id_by_name("admin")));
	assert_true(user_create("admin2", "管理员", "admin", org, "password1") > 0);
	assert_false(last_admin(user_id_by_name("admin")));
	/* The index refuses a second case of a name, whoever writes it. */
	assert_true(db_exec("INSERT INTO users(username, name, role, org_id, pw_hash, created_at, updated_at)"
			    " VALUES ('ADMIN2', 'x', 'member', ?, 'h', 0, 0)",
			    "i", org) < 0);

	/* Migration 7 on a database that had duplicates: the oldest keeps the name. */
	int v = db_schema_version();
	assert_int_equal(db_exec_raw("DROP INDEX users_username_lower"), 0);
	assert_true(db_exec("INSERT INTO users(username, name, role, org_id, pw_hash, created_at, updated_at)"
			    " VALUES ('Admin', 'x', 'member', ?, 'h', 0, 0), (' Zhao ', 'y', 'member', ?, 'h', 0, 0)",
			    "ii", org, org) >= 0);
	int64_t dup = db_int(0, "SELECT id FROM users WHERE username = 'Admin'", "");
	char pragma[64];
	snprintf(pragma, sizeof pragma, "PRAGMA user_version=%d", 6);
	assert_int_equal(db_exec_raw(pragma), 0);
	/* Migration 7 alone: the later ones already ran on this database. */
	assert_int_equal(db_migrate_upto(7), 0);
	assert_int_equal(db_schema_version(), 7);
	snprintf(pragma, sizeof pragma, "PRAGMA user_version=%d", v);
	assert_int_equal(db_exec_raw(pragma), 0);
	char want[64];
	snprintf(want, sizeof want, "admin-dup%lld", (long long)dup);
	char *name = db_text("SELECT username FROM users WHERE id = ?", "i", dup);
	assert_string_equal(name, want);
	free(name);
	assert_true(db_exists("SELECT 1 FROM users WHERE username = 'zhao'", ""));
	assert_int_equal(db_int(0, "SELECT count(*) FROM users WHERE username = 'admin'", ""), 1);
	db_close_thread();
	rm_rf(dbdir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_next_same_origin),
		cmocka_unit_test(test_username_norm_and_passwords),
		cmocka_unit_test(test_throttle_counts),
		cmocka_unit_test(test_deep_paths_and_username_migration),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
