/* test_classes_zip.c — the store-only ZIP writer (classes/zip.c): archives that unzip and Python's
   zipfile read back byte for byte (names in UTF-8, CRC-32, sizes, an empty entry), and refusals. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "classes/zip.h"
#include "util.h"

static int buf_sink(void *ctx, const void *data, size_t n)
{
	buf_add(ctx, data, n);
	return 0;
}

static int failing_sink(void *ctx, const void *data, size_t n)
{
	int *left = ctx;
	(void)data;
	(void)n;
	return --*left < 0 ? -1 : 0;
}

/* stdout of cmd (malloc'd); fails the test when it exits non-zero. */
static char *run(const char *cmd)
{
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	buf b;
	buf_init(&b);
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, p)) > 0)
		buf_add(&b, chunk, n);
	int rc = pclose(p);
	if (rc != 0)
		fail_msg("command failed (%d): %s\n%s", rc, cmd, b.p ? b.p : "");
	return buf_steal(&b);
}

static void zip_reads_back(void **state)
{
	(void)state;
	buf z;
	buf_init(&z);
	zipw w;
	zip_begin(&w, buf_sink, &z, 1767225600); /* 2026-01-01 */
	/* Contents with every byte value, a Chinese name, an empty file. */
	unsigned char bin[70000];
	for (size_t i = 0; i < sizeof bin; i++)
		bin[i] = (unsigned char)(i * 7 + i / 256);
	assert_int_equal(zip_add(&w, "DX-2026-000001-张三.pdf", bin, sizeof bin), 0);
	assert_int_equal(zip_add(&w, "empty.txt", "", 0), 0);
	assert_int_equal(zip_add(&w, "dir/阿依古丽·买买提.txt", "你好", strlen("你好")), 0);
	assert_int_equal(zip_end(&w), 0);

	char path[] = "/tmp/dx-zip-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write_all(fd, z.p, z.len), 0);
	close(fd);
	char cmd[512];
	snprintf(cmd, sizeof cmd, "unzip -t %s", path);
	char *out = run(cmd);
	assert_non_null(strstr(out, "No errors detected"));
	free(out);
	/* Python's zipfile checks each CRC on reading; print names, sizes and a digest of the data. */
	snprintf(cmd, sizeof cmd,
		 "python3 -c \"import zipfile,hashlib,sys; z=zipfile.ZipFile(sys.argv[1]);"
		 "[print(i.filename, i.file_size, i.compress_type, i.flag_bits & 0x800, i.date_time[:3],"
		 " hashlib.sha256(z.read(i)).hexdigest()[:16]) for i in z.infolist()]\" %s",
		 path);
	out = run(cmd);
	char want[512], h[80];
	FILE *p = popen("python3 -c \"import hashlib; print(hashlib.sha256(bytes((i*7+i//256)&255 for i in "
			"range(70000))).hexdigest()[:16])\"",
			"r");
	assert_non_null(p);
	assert_non_null(fgets(h, sizeof h, p));
	pclose(p);
	h[strcspn(h, "\n")] = 0;
	snprintf(want, sizeof want,
		 "DX-2026-000001-张三.pdf 70000 0 2048 (2026, 1, 1) %s\n"
		 "empty.txt 0 0 2048 (2026, 1, 1) e3b0c44298fc1c14\n"
		 "dir/阿依古丽·买买提.txt 6 0 2048 (2026, 1, 1) 670d9743542cae3e\n",
		 h);
	assert_string_equal(out, want);
	free(out);
	unlink(path);
	buf_free(&z);
}

static void zip_refuses(void **state)
{
	(void)state;
	buf z;
	buf_init(&z);
	zipw w;
	zip_begin(&w, buf_sink, &z, 0);
	assert_int_equal(zip_add(&w, "", "x", 1), -1); /* an empty name */
	assert_int_equal(zip_add(&w, "a", "x", 1), -1); /* every call after a failure */
	assert_int_equal(zip_end(&w), -1);
	buf_free(&z);

	int left = 2; /* the third write fails: the entry's data */
	zip_begin(&w, failing_sink, &left, 0);
	assert_int_equal(zip_add(&w, "a.txt", "abc", 3), -1);
	assert_int_equal(zip_end(&w), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(zip_reads_back),
		cmocka_unit_test(zip_refuses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
