/* test_headers.c — the pure parsers of outside request headers and captions (cmocka): Range
 * (range_parse), tus Upload-Length/Upload-Offset (tus_uint) and Upload-Metadata (tus_metadata_value),
 * WebVTT (vtt_ok, vtt_for_hls). Fuzzed by tests/fuzz/fuzz_{range,tus,vtt}.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "courses/lectures.h"
#include "courses/upload.h"
#include "http.h"
#include "courses/captions.h"
#include "util.h"

static int rp(const char *h, uint64_t size, uint64_t *off, uint64_t *len)
{
	*off = *len = 12345;
	return range_parse(h, size, off, len);
}

static void test_range_ok(void **state)
{
	(void)state;
	uint64_t off, len;
	assert_int_equal(rp("bytes=0-99", 1000, &off, &len), RANGE_OK);
	assert_int_equal(off, 0);
	assert_int_equal(len, 100);
	assert_int_equal(rp("bytes=10-19", 1000, &off, &len), RANGE_OK);
	assert_int_equal(off, 10);
	assert_int_equal(len, 10);
	/* open end, end beyond the file, suffix, suffix longer than the file */
	assert_int_equal(rp("bytes=990-", 1000, &off, &len), RANGE_OK);
	assert_int_equal(off, 990);
	assert_int_equal(len, 10);
	assert_int_equal(rp("bytes=500-99999", 1000, &off, &len), RANGE_OK);
	assert_int_equal(off, 500);
	assert_int_equal(len, 500);
	assert_int_equal(rp("bytes=-100", 1000, &off, &len), RANGE_OK);
	assert_int_equal(off, 900);
	assert_int_equal(len, 100);
	assert_int_equal(rp("bytes=-5000", 1000, &off, &len), RANGE_OK);
	assert_int_equal(off, 0);
	assert_int_equal(len, 1000);
	assert_int_equal(rp("bytes=999-999", 1000, &off, &len), RANGE_OK);
	assert_int_equal(off, 999);
	assert_int_equal(len, 1);
	/* a last position beyond uint64 saturates (then is clamped) */
	assert_int_equal(rp("bytes=1-99999999999999999999999", 1000, &off, &len), RANGE_OK);
	assert_int_equal(off, 1);
	assert_int_equal(len, 999);
	/* exact near 2^64 (a file that large does not exist, but the arithmetic must not saturate early) */
	assert_int_equal(rp("bytes=18446744073709551612-18446744073709551613", UINT64_MAX, &off, &len), RANGE_OK);
	assert_true(off == 18446744073709551612u);
	assert_int_equal(len, 2);
}

static void test_range_unsatisfiable(void **state)
{
	(void)state;
	uint64_t off, len;
	assert_int_equal(rp("bytes=1000-", 1000, &off, &len), RANGE_UNSATISFIABLE);
	assert_int_equal(rp("bytes=999999-", 1000, &off, &len), RANGE_UNSATISFIABLE);
	assert_int_equal(rp("bytes=99999999999999999999999-", 1000, &off, &len), RANGE_UNSATISFIABLE);
	assert_int_equal(rp("bytes=20-10", 1000, &off, &len), RANGE_UNSATISFIABLE);
	assert_int_equal(rp("bytes=0-", 0, &off, &len), RANGE_UNSATISFIABLE);
	assert_int_equal(rp("bytes=-1", 0, &off, &len), RANGE_UNSATISFIABLE);
	assert_int_equal(off, 12345); /* untouched */
	assert_int_equal(len, 12345);
}

static void test_range_ignored(void **state)
{
	(void)state;
	uint64_t off, len;
	static const char *bad[] = {
		NULL, "", "bytes", "bytes=", "bytes=-", "bytes=-0", "items=0-1", "Bytes=0-1", "bytes=0-1,5-6",
		"bytes=a-", "bytes=1", "bytes=1-2x", "bytes=1-2 ", "bytes= 1-2", "bytes=0--1",
		/* signs and spaces were taken by strtoull before range_parse: now refused */
		"bytes=+1-2", "bytes=1-+2", "bytes=1- 2", "bytes=-+5", "bytes=- 5", "bytes=-5x",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		assert_int_equal(rp(bad[i], 1000, &off, &len), RANGE_IGNORE);
		assert_int_equal(off, 12345);
	}
}

static void test_tus_uint(void **state)
{
	(void)state;
	uint64_t v = 7;
	assert_int_equal(tus_uint("0", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(tus_uint("1048576", &v), 0);
	assert_int_equal(v, 1048576);
	assert_int_equal(tus_uint("18446744073709551615", &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(tus_uint("007", &v), 0);
	assert_int_equal(v, 7);
	v = 7;
	static const char *bad[] = {NULL, "", " 1", "1 ", "+1", "-1", "1e3", "0x10", "12a",
				    "18446744073709551616", "99999999999999999999999"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		assert_int_equal(tus_uint(bad[i], &v), -1);
		assert_int_equal(v, 7);
	}
}

static void test_tus_meta(void **state)
{
	(void)state;
	char out[32];
	/* "42" = NDI=, "a.mp4" = YS5tcDQ= */
	assert_int_equal(tus_metadata_value("filename YS5tcDQ=,lecture_id NDI=", "lecture_id", out, sizeof out), 0);
	assert_string_equal(out, "42");
	assert_int_equal(tus_metadata_value("lecture_id NDI", "lecture_id", out, sizeof out), 0); /* unpadded */
	assert_string_equal(out, "42");
	assert_int_equal(tus_metadata_value(" , lecture_id NDI=, filename YS5tcDQ=", "filename", out, sizeof out), 0);
	assert_string_equal(out, "a.mp4");
	assert_int_equal(tus_metadata_value("lecture_id NDI=", "filename", out, sizeof out), -1);  /* absent */
	assert_int_equal(tus_metadata_value("lecture_idx NDI=", "lecture_id", out, sizeof out), -1);
	assert_int_equal(tus_metadata_value("lecture_id", "lecture_id", out, sizeof out), -1);     /* no value */
	assert_int_equal(tus_metadata_value("lecture_id N!I=", "lecture_id", out, sizeof out), -1); /* not base64 */
	assert_int_equal(tus_metadata_value("", "lecture_id", out, sizeof out), -1);
	/* a value longer than the buffer is refused, not cut */
	assert_int_equal(tus_metadata_value("lecture_id YS5tcDQ=", "lecture_id", out, 5), -1);
	assert_int_equal(tus_metadata_value("lecture_id YS5tcDQ=", "lecture_id", out, 6), 0);
	assert_string_equal(out, "a.mp4");
}

#define VOK(s) vtt_ok(s, strlen(s))

static void test_vtt(void **state)
{
	(void)state;
	assert_true(VOK("WEBVTT"));
	assert_true(VOK("WEBVTT\n\n00:00.000 --> 00:01.000\nhi\n"));
	assert_true(VOK("\xEF\xBB\xBFWEBVTT - title\n"));
	assert_false(VOK("WEBVTTX\n"));
	assert_false(VOK("WEBVT"));
	assert_false(VOK(""));
	assert_false(VOK("1\n00:00:00,000 --> 00:00:01,000\nsrt\n"));

	buf b;
	buf_init(&b);
	const char *t = "WEBVTT\n\n00:00.000 --> 00:01.000\nhi\n";
	vtt_for_hls(&b, t, strlen(t), 900000);
	assert_string_equal(b.p, "WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:900000,LOCAL:00:00:00.000\n\n00:00.000 --> 00:01.000\nhi\n");
	buf_free(&b);
	/* a map in the header is kept as it is; one in a cue does not count */
	buf_init(&b);
	const char *m = "WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:1,LOCAL:00:00:00.000\n\ncue\n";
	vtt_for_hls(&b, m, strlen(m), 5);
	assert_string_equal(b.p, m);
	buf_free(&b);
	buf_init(&b);
	const char *c = "WEBVTT\n\nX-TIMESTAMP-MAP=MPEGTS:1,LOCAL:00:00:00.000\n";
	vtt_for_hls(&b, c, strlen(c), 5);
	assert_non_null(strstr(b.p, "WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:5,"));
	buf_free(&b);
	/* the input is read only within its length (fuzz_vtt found a read past it): a copy of
	   exactly its bytes, ending in a prefix of the map's name */
	char *exact = malloc(6);
	memcpy(exact, "\n\0X-TI", 6);
	buf_init(&b);
	vtt_for_hls(&b, exact, 6, 5);
	assert_int_equal(b.len, 6 + strlen("X-TIMESTAMP-MAP=MPEGTS:5,LOCAL:00:00:00.000\n"));
	buf_free(&b);
	free(exact);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_range_ok),
		cmocka_unit_test(test_range_unsatisfiable),
		cmocka_unit_test(test_range_ignored),
		cmocka_unit_test(test_tus_uint),
		cmocka_unit_test(test_tus_meta),
		cmocka_unit_test(test_vtt),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
