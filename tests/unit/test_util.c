/* test_util.c — unit tests of the core helpers every module shares: write-all, atomic replace,
   duration text, the UTF-8 byte order mark, background threads' start and stop. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

static void test_write_all_through_a_pipe(void **state)
{
	(void)state;
	/* More than a pipe holds at once: write_all must go on after short writes. */
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	size_t n = 1 << 20;
	char *data = xmalloc(n);
	for (size_t i = 0; i < n; i++)
		data[i] = (char)(i * 31);
	pid_t pid = fork();
	if (pid == 0) {
		close(fds[0]);
		_exit(write_all(fds[1], data, n) == 0 ? 0 : 1);
	}
	close(fds[1]);
	char *got = xmalloc(n);
	size_t have = 0;
	ssize_t r;
	while (have < n && (r = read(fds[0], got + have, n - have)) > 0)
		have += (size_t)r;
	close(fds[0]);
	int status;
	waitpid(pid, &status, 0);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(have, n);
	assert_memory_equal(got, data, n);
	/* A closed reader: -1 with errno, no crash (SIGPIPE ignored here). */
	signal(SIGPIPE, SIG_IGN);
	assert_int_equal(pipe(fds), 0);
	close(fds[0]);
	assert_int_equal(write_all(fds[1], "x", 1), -1);
	assert_int_equal(errno, EPIPE);
	close(fds[1]);
	free(got);
	free(data);
}

static int files_in(const char *dir)
{
	DIR *d = opendir(dir);
	int n = 0;
	struct dirent *e;
	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	if (d)
		closedir(d);
	return n;
}

static void test_write_file_atomic(void **state)
{
	(void)state;
	char dir[64], path[128];
	snprintf(dir, sizeof dir, "/tmp/dx-unit-util-%d", getpid());
	mkdir_p(dir, 0700);
	snprintf(path, sizeof path, "%s/f.txt", dir);
	assert_int_equal(write_file_atomic(path, "old", 3, 0640), 0);
	assert_int_equal(write_file_atomic(path, "new text", 8, 0640), 0);
	size_t len;
	char *s = read_file(path, &len);
	assert_non_null(s);
	assert_int_equal(len, 8);
	assert_string_equal(s, "new text");
	free(s);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	mode_t um = umask(0);
	umask(um);
	assert_int_equal(st.st_mode & 0777, 0640 & ~um);
	assert_int_equal(files_in(dir), 1); /* no temporary file left beside it */
	/* A folder that does not exist: -1 with errno, nothing created. */
	char bad[160];
	snprintf(bad, sizeof bad, "%s/missing/f.txt", dir);
	assert_int_equal(write_file_atomic(bad, "x", 1, 0640), -1);
	assert_int_equal(errno, ENOENT);
	/* The target is a folder: rename fails, the temporary file is removed, the old content stays. */
	char sub[160];
	snprintf(sub, sizeof sub, "%s/sub", dir);
	mkdir_p(sub, 0700);
	char inner[200];
	snprintf(inner, sizeof inner, "%s/keep", sub);
	assert_int_equal(write_file_atomic(inner, "k", 1, 0600), 0);
	assert_int_equal(write_file_atomic(sub, "x", 1, 0640), -1);
	assert_int_equal(files_in(dir), 2);
	assert_int_equal(files_in(sub), 1);
	rm_rf(dir);
}

static void test_fmt_duration(void **state)
{
	(void)state;
	char b[32];
	fmt_duration(b, sizeof b, 0);
	assert_string_equal(b, "0:00");
	fmt_duration(b, sizeof b, -5);
	assert_string_equal(b, "0:00");
	fmt_duration(b, sizeof b, 59.4);
	assert_string_equal(b, "0:59");
	fmt_duration(b, sizeof b, 59.6);
	assert_string_equal(b, "1:00");
	fmt_duration(b, sizeof b, 754);
	assert_string_equal(b, "12:34");
	fmt_duration(b, sizeof b, 3599.5);
	assert_string_equal(b, "1:00:00");
	fmt_duration(b, sizeof b, 3 * 3600 + 5 * 60 + 7);
	assert_string_equal(b, "3:05:07");
}

static void test_utf8_bom(void **state)
{
	(void)state;
	assert_int_equal(utf8_bom("\xEF\xBB\xBFWEBVTT", 9), 3);
	assert_int_equal(utf8_bom("\xEF\xBB\xBF", 3), 3);
	assert_int_equal(utf8_bom("\xEF\xBB", 2), 0); /* the length is honoured */
	assert_int_equal(utf8_bom("WEBVTT", 6), 0);
	assert_int_equal(utf8_bom("", 0), 0);
	assert_int_equal(utf8_bom(NULL, 0), 0);
}

static int g_rounds;

static void counter(dx_thread *t)
{
	do {
		pthread_mutex_lock(&t->mu);
		g_rounds++;
		pthread_mutex_unlock(&t->mu);
	} while (dx_thread_sleep(t, 10 * 1000));
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void test_thread_start_stop(void **state)
{
	(void)state;
	static dx_thread t = DX_THREAD_INIT;
	dx_thread_stop(&t); /* not running: nothing */
	assert_int_equal(dx_thread_start(&t, counter), 0);
	assert_true(t.running);
	for (int i = 0; i < 200; i++) {
		pthread_mutex_lock(&t.mu);
		int n = g_rounds;
		pthread_mutex_unlock(&t.mu);
		if (n)
			break;
		usleep(10 * 1000);
	}
	/* Stopping wakes the 10 s sleep at once and joins the thread. */
	double t0 = now_s();
	dx_thread_stop(&t);
	assert_true(now_s() - t0 < 2.0);
	assert_false(t.running);
	assert_int_equal(g_rounds, 1);
	/* It starts again after a stop. */
	assert_int_equal(dx_thread_start(&t, counter), 0);
	dx_thread_stop(&t);
	assert_true(g_rounds >= 1 && g_rounds <= 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_all_through_a_pipe),
		cmocka_unit_test(test_write_file_atomic),
		cmocka_unit_test(test_fmt_duration),
		cmocka_unit_test(test_utf8_bom),
		cmocka_unit_test(test_thread_start_stop),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
