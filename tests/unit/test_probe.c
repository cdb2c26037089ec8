/* test_probe.c — unit tests of what the probe lets in (issue 8, items 4–5): the demuxer whitelist,
 * no nested opens (HLS playlists naming other files), the content score, the decode sample, the
 * interrupt deadline, and the restrictions on the transcoder's ffmpeg command lines (cmocka). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "transcoder/ladder.h"
#include "transcoder/probe.h"

static char g_dir[256];

#define FFGEN "ffmpeg -nostdin -hide_banner -loglevel error -y"

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	int st = system(cmd);
	return (st != -1 && WIFEXITED(st)) ? WEXITSTATUS(st) : -1;
}

static const char *P(const char *name)
{
	static char b[4][512];
	static int k;
	k = (k + 1) % 4;
	snprintf(b[k], sizeof b[k], "%s/%s", g_dir, name);
	return b[k];
}

static double mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int write_file(const char *path, const char *data, size_t n)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	size_t w = fwrite(data, 1, n, f);
	fclose(f);
	return w == n ? 0 : -1;
}

static int setup(void **state)
{
	(void)state;
	snprintf(g_dir, sizeof g_dir, "/tmp/dx_probe_XXXXXX");
	if (!mkdtemp(g_dir))
		return -1;
	if (sh(FFGEN " -f lavfi -i testsrc2=size=320x240:rate=25:duration=6 -f lavfi -i sine=duration=6"
	           " -c:v libx264 -preset ultrafast -pix_fmt yuv420p -c:a aac '%s/v.mp4'", g_dir) ||
	    sh(FFGEN " -i '%s/v.mp4' -c copy '%s/v.mkv' && " FFGEN " -i '%s/v.mp4' -c copy '%s/v.ts' && "
	       FFGEN " -i '%s/v.mp4' -c copy '%s/v.flv'", g_dir, g_dir, g_dir, g_dir, g_dir, g_dir) ||
	    sh(FFGEN " -i '%s/v.mp4' -c:v mpeg4 -c:a libmp3lame '%s/v.avi'", g_dir, g_dir) ||
	    sh(FFGEN " -f lavfi -i sine=duration=6 '%s/a.wav' && " FFGEN " -f lavfi -i sine=duration=6 '%s/a.mp3' && "
	       FFGEN " -f lavfi -i sine=duration=6 '%s/a.flac' && " FFGEN " -f lavfi -i sine=duration=6 -c:a libvorbis '%s/a.ogg' && "
	       FFGEN " -f lavfi -i sine=duration=6 -c:a aac '%s/a.aac'", g_dir, g_dir, g_dir, g_dir, g_dir) ||
	    sh(FFGEN " -f lavfi -i testsrc2=size=64x64:rate=10 -frames:v 1 '%s/one.gif'", g_dir) ||
	    /* An MP3 whose ID3v2 tag (1.5 MB of cover art) is larger than the probe's 1 MiB sample. */
	    sh("head -c 1500000 /dev/urandom | " FFGEN " -f rawvideo -pix_fmt rgb24 -s 1000x500 -i - -frames:v 1 '%s/cover.png' && "
	       FFGEN " -f lavfi -i sine=duration=6 -i '%s/cover.png' -map 0 -map 1 -c:a libmp3lame -c:v copy"
	       " -id3v2_version 3 -disposition:v attached_pic '%s/cover.mp3'", g_dir, g_dir, g_dir) ||
	    sh(FFGEN " -f lavfi -i testsrc2=size=64x64:rate=10 -frames:v 1 '%s/one.png'", g_dir) ||
	    /* An HLS rendition on disk, then playlists that point at it from elsewhere. */
	    sh("mkdir -p '%s/other/v0' && " FFGEN " -i '%s/v.mp4' -c copy -f hls -hls_time 2 -hls_playlist_type vod"
	       " -hls_segment_filename '%s/other/v0/seg_%%05d.ts' '%s/other/v0/index.m3u8'", g_dir, g_dir, g_dir, g_dir))
		return -1;
	char pl[1024];
	snprintf(pl, sizeof pl, "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4,\nseg_00000.ts\n");
	if (write_file(P("live.m3u8"), pl, strlen(pl)))
		return -1;
	snprintf(pl, sizeof pl, "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:2,\n../other/v0/seg_00000.ts\n#EXT-X-ENDLIST\n");
	if (sh("mkdir -p '%s/up'", g_dir) || write_file(P("up/rel.part"), pl, strlen(pl)))
		return -1;
	snprintf(pl, sizeof pl, "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:2,\n%s/other/v0/seg_00000.ts\n#EXT-X-ENDLIST\n", g_dir);
	if (write_file(P("abs.part"), pl, strlen(pl)))
		return -1;
	snprintf(pl, sizeof pl, "ffconcat version 1.0\nfile '%s/v.mp4'\n", g_dir);
	if (write_file(P("concat.part"), pl, strlen(pl)))
		return -1;
	/* Text after the raw AMR magic: libavformat's "amr" demuxer takes it (score 100). */
	const char *line = "坚持和加强党的全面领导，全面从严治党永远在路上。\n";
	char *t = malloc(27000);
	size_t n = 6;
	memcpy(t, "#!AMR\n", 6);
	while (n + strlen(line) < 22500) {
		memcpy(t + n, line, strlen(line));
		n += strlen(line);
	}
	int rc = write_file(P("amr.part"), t, n);
	/* Runs of letters: the raw ADPCM demuxer ("adp") guesses them. */
	n = 0;
	for (int rep = 0; rep < 2; rep++)
		for (char c = 'A'; c <= 'Z'; c++)
			for (int i = 0; i < 500; i++)
				t[n++] = c;
	rc |= write_file(P("runs.part"), t, n);
	free(t);
	return rc;
}

static int teardown(void **state)
{
	(void)state;
	if (g_dir[0])
		sh("rm -rf '%s'", g_dir);
	return 0;
}

/* Real media of every whitelisted family passes and reports its demuxer and a strong score. */
static void test_whitelisted_media_passes(void **state)
{
	(void)state;
	static const struct {
		const char *file, *fmt;
	} ok[] = {{"v.mp4", "mov"},  {"v.mkv", "matroska"}, {"v.ts", "mpegts"}, {"v.flv", "flv"},
		  {"v.avi", "avi"},  {"a.wav", "wav"},       {"a.mp3", "mp3"},   {"a.flac", "flac"},
		  {"a.ogg", "ogg"},  {"a.aac", "aac"},       {"cover.mp3", "mp3"}};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		media_info mi;
		char err[512];
		int rc = media_probe(P(ok[i].file), &mi, err, sizeof err);
		if (rc != 0)
			fail_msg("%s refused: %s", ok[i].file, err);
		assert_string_equal(mi.format, ok[i].fmt);
		assert_true(mi.score >= MEDIA_MIN_SCORE);
		assert_true(mi.duration_s > 5.5 && mi.duration_s < 6.5);
	}
}

/* Playlists (live, ../ and absolute paths to other media) and concat lists are refused at once,
   by name, without opening what they name. */
static void test_playlists_refused_quickly(void **state)
{
	(void)state;
	const char *files[] = {"live.m3u8", "up/rel.part", "abs.part", "other/v0/index.m3u8", "concat.part"};
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		media_info mi;
		char err[512];
		double t0 = mono_s();
		assert_int_equal(media_probe(P(files[i]), &mi, err, sizeof err), -1);
		double took = mono_s() - t0;
		if (strncmp(err, "format not allowed", 18))
			fail_msg("%s: %s", files[i], err);
		assert_true(took < 2.0);
		assert_true(mi.duration_s == 0);
	}
}

/* Raw codec guesses, stills and animated one-frame GIFs are not media. */
static void test_non_media_refused(void **state)
{
	(void)state;
	static const struct {
		const char *file, *prefix;
	} bad[] = {{"amr.part", "format not allowed: amr"},
		   {"runs.part", "format not allowed"},
		   {"one.gif", "not a media file (a still image)"},
		   {"one.png", "not a media file (a still image)"}};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		media_info mi;
		char err[512];
		assert_int_equal(media_probe(P(bad[i].file), &mi, err, sizeof err), -1);
		if (strncmp(err, bad[i].prefix, strlen(bad[i].prefix)))
			fail_msg("%s: %s", bad[i].file, err);
	}
}

/* The interrupt callback: a deadline already past, and a cancel flag, stop the probe. */
static int always(void) { return 1; }

static void test_deadline_and_cancel(void **state)
{
	(void)state;
	media_info mi;
	char err[512];
	probe_opts o = {.timeout_s = 1e-6};
	usleep(1000);
	assert_int_equal(media_probe_ex(P("v.mkv"), &mi, &o, err, sizeof err), -1);
	assert_string_equal(err, "probe timed out");
	probe_opts c = {.timeout_s = 10, .cancelled = always};
	assert_int_equal(media_probe_ex(P("v.mp4"), &mi, &c, err, sizeof err), -1);
	assert_string_equal(err, "probe cancelled");
	probe_opts fine = {.timeout_s = 10};
	assert_int_equal(media_probe_ex(P("v.mp4"), &mi, &fine, err, sizeof err), 0);
}

/* ffmpeg opens the source as the probe did: file protocol, whitelist, forced demuxer. */
static void test_ffmpeg_argv_restricted(void **state)
{
	(void)state;
	media_info mi;
	char err[512];
	assert_int_equal(media_probe(P("v.mkv"), &mi, err, sizeof err), 0);
	rung r[LADDER_MAX_RUNGS];
	int n = ladder_plan(&mi, r, LADDER_MAX_RUNGS);
	char **av = ladder_argv("ffmpeg", P("v.mkv"), P("out"), &mi, r, n);
	assert_non_null(av);
	int pw = -1, fw = -1, f = -1, in = -1;
	for (int i = 0; av[i]; i++) {
		if (!strcmp(av[i], "-protocol_whitelist") && av[i + 1] && !strcmp(av[i + 1], "file"))
			pw = i;
		if (!strcmp(av[i], "-format_whitelist") && av[i + 1] && !strcmp(av[i + 1], MEDIA_FORMAT_WHITELIST))
			fw = i;
		if (!strcmp(av[i], "-f") && av[i + 1] && !strcmp(av[i + 1], "matroska") && in < 0)
			f = i;
		if (!strcmp(av[i], "-i") && in < 0)
			in = i;
	}
	assert_true(pw >= 0 && fw >= 0 && f >= 0 && in > pw && in > fw && in > f);
	argv_free(av);
	/* A format name not on the list is never passed on. */
	snprintf(mi.format, sizeof mi.format, "hls");
	av = ladder_poster_argv("ffmpeg", P("v.mkv"), mi.format, P("p.jpg"), 1.0);
	for (int i = 0; av[i]; i++)
		assert_false(!strcmp(av[i], "-f") && av[i + 1] && !strcmp(av[i + 1], "hls"));
	argv_free(av);
	/* The real ffmpeg with these options refuses a playlist that names another lecture's segment. */
	assert_int_not_equal(sh("ffmpeg -nostdin -hide_banner -loglevel quiet -protocol_whitelist file -format_whitelist "
				MEDIA_FORMAT_WHITELIST " -i 'file:%s' -f null - 2>/dev/null",
				P("up/rel.part")),
			     0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whitelisted_media_passes),
		cmocka_unit_test(test_playlists_refused_quickly),
		cmocka_unit_test(test_non_media_refused),
		cmocka_unit_test(test_deadline_and_cancel),
		cmocka_unit_test(test_ffmpeg_argv_restricted),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
