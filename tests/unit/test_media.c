/* test_media.c — pure pieces of the lecture pipeline: media path names, refused import hosts, the
 * master playlist's subtitles rendition (cmocka). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "courses/lectures.h"
#include "courses/captions.h"
#include "transcoder/jobs.h"
#include "transcoder/storage.h"

static void test_rel_ok(void **state)
{
	(void)state;
	static const char *good[] = {"master.m3u8", "v0/index.m3u8", "v3/seg_00001.ts", "poster.jpg", "captions.vtt",
				     "a-b_c.d"};
	static const char *bad[] = {"", "/etc/passwd", "..", "../x", "v0/../x", "v0/..", ".hidden", "v0/.x", "v0//x",
				    "v0/", "a\\b", "a%2e", "a b", "v0/x?y", "ä.ts", "./x", "x/./y"};
	for (size_t i = 0; i < sizeof good / sizeof *good; i++)
		assert_true(storage_rel_ok(good[i]));
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		assert_false(storage_rel_ok(bad[i]));
	char longname[300];
	memset(longname, 'a', sizeof longname - 1);
	longname[sizeof longname - 1] = 0;
	assert_false(storage_rel_ok(longname));
	assert_false(storage_rel_ok(NULL));
}

static void test_host_refused(void **state)
{
	(void)state;
	static const char *refused[] = {"127.0.0.1", "127.1.2.3", "10.0.0.1", "172.16.0.1", "172.31.255.255", "192.168.1.1",
					"169.254.169.254", "100.64.0.1", "0.0.0.0", "224.0.0.1", "255.255.255.255",
					"198.18.0.1", "[::1]", "::1", "[::]", "[fe80::1]", "[fc00::1]", "[fd12:3456::1]",
					"[::ffff:127.0.0.1]", "[::ffff:10.1.2.3]", "[64:ff9b::7f00:1]", "[2002:7f00:1::]",
					"[ff02::1]", "2130706433", "0x7f000001", "127.1", "017700000001"};
	static const char *allowed[] = {"8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "192.169.0.1", "example.com",
					"localhost", "123.cafe", "134744072", "[2001:db8::1]", "[2400:cb00::1]", "[::ffff:8.8.8.8]"};
	for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
		if (!import_host_refused(refused[i]))
			fail_msg("%s should be refused", refused[i]);
	}
	for (size_t i = 0; i < sizeof allowed / sizeof *allowed; i++) {
		if (import_host_refused(allowed[i]))
			fail_msg("%s should be allowed (names are checked when curl connects)", allowed[i]);
	}
}

static const char MASTER[] = "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-INDEPENDENT-SEGMENTS\n"
			     "#EXT-X-STREAM-INF:BANDWIDTH=900000,RESOLUTION=640x360,CODECS=\"avc1.4d401e,mp4a.40.2\"\n"
			     "v0/index.m3u8?v=2\n"
			     "#EXT-X-STREAM-INF:BANDWIDTH=3000000,RESOLUTION=1280x720,CODECS=\"avc1.64001f,mp4a.40.2\"\n"
			     "v1/index.m3u8?v=2\n";

static int count(const char *s, const char *needle)
{
	int n = 0;
	for (const char *p = s; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

static void test_master_subs(void **state)
{
	(void)state;
	char *m = media_master_subs(MASTER, "subs.m3u8?v=2&c=9");
	assert_int_equal(count(m, "#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\""), 1);
	assert_int_equal(count(m, ",SUBTITLES=\"subs\"\n"), 2);
	assert_non_null(strstr(m, "URI=\"subs.m3u8?v=2&c=9\""));
	/* The rendition comes before the variants that name it, the URIs stay. */
	assert_true(strstr(m, "#EXT-X-MEDIA") < strstr(m, "#EXT-X-STREAM-INF"));
	assert_int_equal(count(m, "v0/index.m3u8?v=2\n"), 1);
	/* Idempotent: installing again does not duplicate anything. */
	char *m2 = media_master_subs(m, "subs.m3u8?v=2&c=10");
	assert_int_equal(count(m2, "#EXT-X-MEDIA:TYPE=SUBTITLES"), 1);
	assert_int_equal(count(m2, "SUBTITLES=\"subs\"\n"), 2);
	assert_non_null(strstr(m2, "c=10"));
	assert_null(strstr(m2, "c=9"));
	/* Removing gives the original back. */
	char *m3 = media_master_subs(m2, NULL);
	assert_string_equal(m3, MASTER);
	free(m);
	free(m2);
	free(m3);
	/* CRLF input is tolerated. */
	char *m4 = media_master_subs("#EXTM3U\r\n#EXT-X-STREAM-INF:BANDWIDTH=1\r\nv0/index.m3u8\r\n", "s.m3u8");
	assert_non_null(strstr(m4, "#EXT-X-STREAM-INF:BANDWIDTH=1,SUBTITLES=\"subs\"\nv0/index.m3u8\n"));
	free(m4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rel_ok),
		cmocka_unit_test(test_host_refused),
		cmocka_unit_test(test_master_subs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
