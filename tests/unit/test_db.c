/* test_db.c — unit tests of the SQLite layer's contracts: loops own their statement (db_prepare …
   db_finalize nest, even over the same SQL), a cached statement used again while still being
   stepped aborts, every writer takes its turn on the write mutex. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "db.h"
#include "util.h"

static char dir[64], path[128];

/* One SQL text, one address: the cache is keyed by it, so every use below meets the same slot. */
static const char SQL_ALL[] = "SELECT n FROM t ORDER BY n";
static const char SQL_ONE[] = "SELECT n FROM t WHERE n = ?";

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/dx-unit-db-%d", getpid());
	mkdir_p(dir, 0700);
	snprintf(path, sizeof path, "%s/t.db", dir);
	db_set_path(path);
	if (db_exec_raw("CREATE TABLE t(n INTEGER PRIMARY KEY); INSERT INTO t VALUES (1), (2), (3);") < 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	db_close_thread();
	rm_rf(dir);
	return 0;
}

/* Runs fn in a child process with a connection of its own; 1 when the child died of SIGABRT. */
static int aborts(void (*fn)(void))
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		db_close_thread(); /* the parent's connection stays the parent's */
		db_set_path(path);
		fn();
		_exit(0); /* fn was expected to abort */
	}
	int status = 0;
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return 0;
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}

static void test_stmt_loops_nest(void **state)
{
	(void)state;
	/* The same SQL in an outer and an inner loop: each loop reads all its own rows. */
	int pairs = 0;
	int64_t sum = 0;
	db_stmt outer, inner;
	sqlite3_stmt *o = db_prepare(&outer, SQL_ALL, "");
	while (db_step(o) == 1) {
		int64_t a = sqlite3_column_int64(o, 0);
		sqlite3_stmt *in = db_prepare(&inner, SQL_ALL, "");
		while (db_step_s(&inner) == 1) {
			sum += a * 10 + sqlite3_column_int64(in, 0);
			pairs++;
			/* A single-row helper over the loops' SQL gets a statement of its own. */
			assert_int_equal(db_int(0, SQL_ALL, ""), 1);
		}
		db_finalize(&inner);
		assert_null(inner.st);
	}
	db_finalize(&outer);
	assert_int_equal(pairs, 9);
	assert_int_equal(sum, (10 + 20 + 30) * 3 + (1 + 2 + 3) * 3);
	/* Finalizing twice is harmless; the cached statement is free again afterwards. */
	db_finalize(&outer);
	sqlite3_stmt *st = db_query(SQL_ALL, "");
	assert_int_equal(db_step(st), 1);
	assert_int_equal(sqlite3_column_int64(st, 0), 1);
	db_done(st);
	/* More loops open at once than the cache has room for one SQL text: all still independent. */
	db_stmt many[12];
	for (int i = 0; i < 12; i++) {
		db_prepare(&many[i], SQL_ONE, "i", (int64_t)(i % 3 + 1));
		assert_int_equal(db_step_s(&many[i]), 1);
	}
	for (int i = 0; i < 12; i++) {
		assert_int_equal(sqlite3_column_int64(many[i].st, 0), i % 3 + 1);
		db_finalize(&many[i]);
	}
}

static void nested_query(void)
{
	sqlite3_stmt *a = db_query(SQL_ONE, "i", (int64_t)1);
	db_step(a);
	sqlite3_stmt *b = db_query(SQL_ONE, "i", (int64_t)2); /* would rebind and reset a */
	db_step(b);
}

static void helper_inside_query(void)
{
	sqlite3_stmt *a = db_query(SQL_ALL, "");
	db_step(a);
	db_int(0, SQL_ALL, ""); /* would reset a under its reader */
}

static void done_of_owned(void)
{
	db_stmt q;
	db_done(db_prepare(&q, SQL_ALL, "")); /* an owned statement ends with db_finalize */
}

static void write_in_plain_begin(void)
{
	db_exec("BEGIN", "");
	db_exec("INSERT INTO t VALUES (99)", ""); /* would wait for the mutex holding SQLite's lock */
}

static void test_reentry_aborts(void **state)
{
	(void)state;
	assert_true(aborts(nested_query));
	assert_true(aborts(helper_inside_query));
	assert_true(aborts(done_of_owned));
	assert_true(aborts(write_in_plain_begin));
	/* The same calls one after the other are fine. */
	for (int i = 1; i <= 3; i++) {
		sqlite3_stmt *st = db_query(SQL_ONE, "i", (int64_t)i);
		assert_int_equal(db_step(st), 1);
		assert_int_equal(sqlite3_column_int64(st, 0), i);
		db_done(st);
	}
	assert_false(db_holds_write());
}

static volatile int g_other_wrote;

static void *other_writer(void *unused)
{
	(void)unused;
	if (db_begin() == 0) {
		db_exec("INSERT INTO t VALUES (50)", "");
		g_other_wrote = 1;
		if (db_commit() < 0)
			g_other_wrote = -1;
	}
	db_close_thread();
	return NULL;
}

static void test_writers_take_turns(void **state)
{
	(void)state;
	/* Reads never take the turn. */
	sqlite3_stmt *st = db_query(SQL_ALL, "");
	assert_false(db_holds_write());
	db_done(st);
	/* An autocommit write holds it from the bind until it is given back... */
	st = db_query("INSERT INTO t VALUES (40) RETURNING n", "");
	assert_true(db_holds_write());
	pthread_t th;
	g_other_wrote = 0;
	assert_int_equal(pthread_create(&th, NULL, other_writer, NULL), 0);
	assert_int_equal(db_step(st), 1);
	assert_int_equal(sqlite3_column_int64(st, 0), 40);
	usleep(200 * 1000);
	assert_int_equal(g_other_wrote, 0); /* ...so another thread's transaction waits for it */
	db_done(st);
	assert_false(db_holds_write());
	pthread_join(th, NULL);
	assert_int_equal(g_other_wrote, 1);
	/* db_exec outside a transaction: the turn is taken and given back within the call. */
	assert_int_equal(db_exec("DELETE FROM t WHERE n >= 40", ""), 2);
	assert_false(db_holds_write());
	/* A transaction holds it until commit or rollback; a failed begin leaves nothing held. */
	assert_int_equal(db_begin(), 0);
	assert_true(db_holds_write());
	assert_int_equal(db_exec("INSERT INTO t VALUES (60)", ""), 1);
	assert_int_equal(db_commit(), 0);
	assert_false(db_holds_write());
	assert_int_equal(db_begin(), 0);
	assert_int_equal(db_exec("DELETE FROM t WHERE n = 60", ""), 1);
	db_rollback();
	assert_false(db_holds_write());
	assert_int_equal(db_int(0, "SELECT count(*) FROM t", ""), 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stmt_loops_nest),
		cmocka_unit_test(test_reentry_aborts),
		cmocka_unit_test(test_writers_take_turns),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
