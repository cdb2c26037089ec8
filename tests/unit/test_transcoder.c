/* test_transcoder.c — unit tests of the transcoder building blocks: probe, ladder, ffrun (cmocka). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "transcoder/ffrun.h"
#include "transcoder/ladder.h"
#include "transcoder/probe.h"

/* The temp dir holding generated clips and outputs, made by the group setup. */
static char g_dir[256];

static double mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char *tmp_path(char *buf, size_t n, const char *name)
{
	snprintf(buf, n, "%s/%s", g_dir, name);
	return buf;
}

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

static int exists_nonempty(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0 && sb.st_size > 0;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	char *buf = calloc(1, 1 << 16);
	if (!buf)
		abort();
	size_t n = fread(buf, 1, (1 << 16) - 1, f);
	buf[n] = 0;
	fclose(f);
	return buf;
}

static int count_substr(const char *s, const char *needle)
{
	int n = 0;
	for (const char *p = s; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* Copies the first pct % of src to dst. */
static void truncate_copy(const char *src, const char *dst, int pct)
{
	struct stat sb;
	assert_int_equal(stat(src, &sb), 0);
	assert_int_equal(sh("head -c %lld '%s' > '%s'", (long long)(sb.st_size * pct / 100), src, dst), 0);
}

#define FFGEN "ffmpeg -nostdin -hide_banner -loglevel error -y"

static int setup_clips(void **state)
{
	(void)state;
	char p[512];
	snprintf(g_dir, sizeof g_dir, "/tmp/dx_transcoder_XXXXXX");
	if (!mkdtemp(g_dir))
		return -1;
	/* 4 s 640x360 with audio (moov at the end, the ffmpeg default) and the same with +faststart. */
	if (sh(FFGEN " -f lavfi -i testsrc2=size=640x360:rate=25:duration=4 -f lavfi -i sine=frequency=440:duration=4"
	           " -c:v libx264 -preset ultrafast -pix_fmt yuv420p -c:a aac -shortest '%s/av360.mp4'", g_dir) ||
	    sh(FFGEN " -i '%s/av360.mp4' -c copy -movflags +faststart '%s/av360fs.mp4'", g_dir, g_dir) ||
	    sh(FFGEN " -f lavfi -i testsrc2=size=1280x720:rate=25:duration=4 -f lavfi -i sine=frequency=330:duration=4"
	           " -c:v libx264 -preset ultrafast -pix_fmt yuv420p -c:a aac -shortest '%s/av720.mp4'", g_dir) ||
	    sh(FFGEN " -f lavfi -i testsrc2=size=426x240:rate=25:duration=2 -f lavfi -i sine=duration=2"
	           " -c:v libx264 -preset ultrafast -pix_fmt yuv420p -c:a aac -shortest '%s/av240.mp4'", g_dir) ||
	    sh(FFGEN " -f lavfi -i testsrc2=size=640x360:rate=25:duration=3 -c:v libx264 -preset ultrafast"
	           " -pix_fmt yuv420p '%s/noaudio.mp4'", g_dir) ||
	    sh(FFGEN " -f lavfi -i sine=frequency=440:duration=4 -c:a libmp3lame '%s/a.mp3'", g_dir))
		return -1;
	if (sh("echo 'this is a lesson plan, not a video' > '%s/x.mp4' && : > '%s/empty.mp4'", g_dir, g_dir))
		return -1;
	char src[512];
	truncate_copy(tmp_path(src, sizeof src, "av360.mp4"), tmp_path(p, sizeof p, "trunc.mp4"), 60);
	truncate_copy(tmp_path(src, sizeof src, "av360fs.mp4"), tmp_path(p, sizeof p, "trunc_fs.mp4"), 60);
	return 0;
}

static int teardown_clips(void **state)
{
	(void)state;
	if (g_dir[0] && strncmp(g_dir, "/tmp/dx_transcoder_", 19) == 0)
		sh("rm -rf '%s'", g_dir);
	return 0;
}

/* ---------------- probe ---------------- */

static void test_probe_video_with_audio(void **state)
{
	(void)state;
	char p[512], err[256];
	media_info mi;
	assert_int_equal(media_probe(tmp_path(p, sizeof p, "av360.mp4"), &mi, err, sizeof err), 0);
	assert_string_equal(err, "");
	assert_true(mi.has_video && mi.has_audio);
	assert_int_equal(mi.width, 640);
	assert_int_equal(mi.height, 360);
	assert_true(mi.fps > 24.9 && mi.fps < 25.1);
	assert_true(mi.duration_s > 3.9 && mi.duration_s < 4.2);
	assert_string_equal(mi.vcodec, "h264");
	assert_string_equal(mi.acodec, "aac");
	assert_true(mi.size > 1000);
	assert_true(mi.bit_rate > 0);

	assert_int_equal(media_probe(tmp_path(p, sizeof p, "av240.mp4"), &mi, err, sizeof err), 0);
	assert_int_equal(mi.width, 426);
	assert_int_equal(mi.height, 240);

	assert_int_equal(media_probe(tmp_path(p, sizeof p, "noaudio.mp4"), &mi, err, sizeof err), 0);
	assert_true(mi.has_video && !mi.has_audio);
	assert_string_equal(mi.acodec, "");
}

static void test_probe_audio_only(void **state)
{
	(void)state;
	char p[512], err[256];
	media_info mi;
	assert_int_equal(media_probe(tmp_path(p, sizeof p, "a.mp3"), &mi, err, sizeof err), 0);
	assert_false(mi.has_video);
	assert_true(mi.has_audio);
	assert_string_equal(mi.acodec, "mp3");
	assert_int_equal(mi.width, 0);
	assert_true(mi.duration_s > 3.9 && mi.duration_s < 4.2);
}

static void test_probe_rejects(void **state)
{
	(void)state;
	char p[512], err[256];
	media_info mi;
	assert_int_equal(media_probe(tmp_path(p, sizeof p, "x.mp4"), &mi, err, sizeof err), -1);
	assert_string_equal(err, "not a media file");
	assert_int_equal(media_probe(tmp_path(p, sizeof p, "empty.mp4"), &mi, err, sizeof err), -1);
	assert_string_equal(err, "file is empty");
	assert_int_equal(media_probe(tmp_path(p, sizeof p, "missing.mp4"), &mi, err, sizeof err), -1);
	assert_string_equal(err, "file not found");
	assert_int_equal(media_probe(g_dir, &mi, err, sizeof err), -1);
	assert_string_equal(err, "not a regular file");
	/* A tiny err buffer is truncated, never overrun. */
	char small[8];
	assert_int_equal(media_probe(tmp_path(p, sizeof p, "x.mp4"), &mi, small, sizeof small), -1);
	assert_string_equal(small, "not a m");
}

static void test_probe_truncated_mp4(void **state)
{
	(void)state;
	char p[512], err[256];
	media_info mi;
	/* moov at the end: the index never arrived. */
	assert_int_equal(media_probe(tmp_path(p, sizeof p, "trunc.mp4"), &mi, err, sizeof err), -1);
	assert_non_null(strstr(err, "file is truncated or damaged: "));
	assert_non_null(strstr(err, "moov"));
	/* moov at the front (+faststart): the index is there but mdat is cut. */
	assert_int_equal(media_probe(tmp_path(p, sizeof p, "trunc_fs.mp4"), &mi, err, sizeof err), -1);
	assert_non_null(strstr(err, "file is truncated or damaged: "));
	/* The untruncated faststart file is fine. */
	assert_int_equal(media_probe(tmp_path(p, sizeof p, "av360fs.mp4"), &mi, err, sizeof err), 0);
}

/* ---------------- ladder_plan ---------------- */

static media_info video_mi(int w, int h, int audio)
{
	media_info mi;
	memset(&mi, 0, sizeof mi);
	mi.duration_s = 60;
	mi.has_video = 1;
	mi.has_audio = audio;
	mi.width = w;
	mi.height = h;
	mi.fps = 25;
	return mi;
}

static void test_ladder_plan(void **state)
{
	(void)state;
	rung r[8];
	media_info mi;

	mi = video_mi(426, 240, 1); /* below 360: one rung at its own size */
	assert_int_equal(ladder_plan(&mi, r, 8), 1);
	assert_int_equal(r[0].width, 426);
	assert_int_equal(r[0].height, 240);
	assert_true(r[0].v_kbps >= 200 && r[0].v_kbps < 800);
	assert_int_equal(r[0].a_kbps, 96);

	mi = video_mi(640, 360, 1);
	assert_int_equal(ladder_plan(&mi, r, 8), 1);
	assert_int_equal(r[0].width, 640);
	assert_int_equal(r[0].height, 360);
	assert_int_equal(r[0].v_kbps, 800);
	assert_int_equal(r[0].a_kbps, 96);

	mi = video_mi(1280, 720, 1);
	assert_int_equal(ladder_plan(&mi, r, 8), 3);
	assert_int_equal(r[0].height, 360);
	assert_int_equal(r[1].width, 960);
	assert_int_equal(r[1].height, 540);
	assert_int_equal(r[1].v_kbps, 1400);
	assert_int_equal(r[1].a_kbps, 128);
	assert_int_equal(r[2].width, 1280);
	assert_int_equal(r[2].height, 720);
	assert_int_equal(r[2].v_kbps, 2800);

	mi = video_mi(1920, 1080, 1);
	assert_int_equal(ladder_plan(&mi, r, 8), 4);
	assert_int_equal(r[3].width, 1920);
	assert_int_equal(r[3].height, 1080);
	assert_int_equal(r[3].v_kbps, 5000);

	mi = video_mi(3840, 2160, 1); /* never above 1080 */
	assert_int_equal(ladder_plan(&mi, r, 8), 4);
	assert_int_equal(r[3].height, 1080);
	assert_int_equal(ladder_plan(&mi, r, 2), 2); /* max respected */

	mi = video_mi(640, 480, 0); /* 4:3, no audio: widths keep the aspect, no audio bit rate */
	assert_int_equal(ladder_plan(&mi, r, 8), 1);
	assert_int_equal(r[0].width, 480);
	assert_int_equal(r[0].height, 360);
	assert_int_equal(r[0].a_kbps, 0);

	mi = video_mi(1080, 1920, 1); /* portrait: rungs by the short side */
	assert_int_equal(ladder_plan(&mi, r, 8), 4);
	assert_int_equal(r[0].width, 360);
	assert_int_equal(r[0].height, 640);
	assert_int_equal(r[3].width, 1080);
	assert_int_equal(r[3].height, 1920);

	mi = video_mi(853, 479, 1); /* odd sizes give even rungs, no upscale past the source */
	int n = ladder_plan(&mi, r, 8);
	for (int i = 0; i < n; i++) {
		assert_int_equal(r[i].width % 2, 0);
		assert_int_equal(r[i].height % 2, 0);
		assert_true(r[i].width <= 853 && r[i].height <= 479);
	}

	memset(&mi, 0, sizeof mi); /* audio only: a single AAC rung */
	mi.has_audio = 1;
	mi.duration_s = 10;
	assert_int_equal(ladder_plan(&mi, r, 8), 1);
	assert_int_equal(r[0].width, 0);
	assert_int_equal(r[0].height, 0);
	assert_int_equal(r[0].a_kbps, 128);

	mi.has_audio = 0; /* nothing to encode */
	assert_int_equal(ladder_plan(&mi, r, 8), 0);
}

static int argv_has(char **av, const char *s)
{
	for (; *av; av++)
		if (strcmp(*av, s) == 0)
			return 1;
	return 0;
}

static const char *argv_after(char **av, const char *s)
{
	for (; *av; av++)
		if (strcmp(*av, s) == 0)
			return av[1];
	return NULL;
}

static void test_ladder_argv_shape(void **state)
{
	(void)state;
	rung r[8];
	media_info mi = video_mi(1280, 720, 1);
	int n = ladder_plan(&mi, r, 8);
	char **av = ladder_argv("ffmpeg", "/in/x.mp4", "/out/7", &mi, r, n);
	assert_non_null(av);
	assert_string_equal(av[0], "ffmpeg");
	assert_string_equal(argv_after(av, "-i"), "file:/in/x.mp4");
	assert_string_equal(argv_after(av, "-var_stream_map"), "v:0,a:0 v:1,a:1 v:2,a:2");
	assert_string_equal(argv_after(av, "-force_key_frames"), "expr:gte(t,n_forced*2)");
	assert_string_equal(argv_after(av, "-sc_threshold"), "0");
	assert_string_equal(argv_after(av, "-g"), "50");
	assert_string_equal(argv_after(av, "-hls_segment_type"), "mpegts");
	assert_string_equal(argv_after(av, "-hls_time"), "4");
	assert_string_equal(argv_after(av, "-master_pl_name"), "master.m3u8");
	assert_string_equal(argv_after(av, "-progress"), "pipe:1");
	assert_string_equal(argv_after(av, "-b:v:2"), "2800k");
	assert_string_equal(argv_after(av, "-maxrate:v:2"), "2996k");
	assert_string_equal(argv_after(av, "-bufsize:v:2"), "4200k");
	assert_string_equal(argv_after(av, "-b:a:0"), "96k");
	assert_string_equal(argv_after(av, "-hls_segment_filename"), "/out/7/v%v/seg_%05d.ts");
	assert_non_null(strstr(argv_after(av, "-filter_complex"), "split=3"));
	assert_false(argv_has(av, "-threads"));
	int i = 0;
	while (av[i])
		i++;
	assert_string_equal(av[i - 1], "/out/7/v%v/index.m3u8");
	argv_free(av);

	mi.has_audio = 0; /* video only */
	n = ladder_plan(&mi, r, 8);
	av = ladder_argv("ffmpeg", "in.mp4", "out", &mi, r, n);
	assert_non_null(av);
	assert_string_equal(argv_after(av, "-var_stream_map"), "v:0 v:1 v:2");
	assert_false(argv_has(av, "-c:a"));
	assert_string_equal(argv_after(av, "-hls_segment_filename"), "./out/v%v/seg_%05d.ts");
	argv_free(av);

	memset(&mi, 0, sizeof mi); /* audio only */
	mi.has_audio = 1;
	mi.duration_s = 4;
	n = ladder_plan(&mi, r, 8);
	av = ladder_argv("ffmpeg", "a.mp3", "/o", &mi, r, n);
	assert_non_null(av);
	assert_string_equal(argv_after(av, "-var_stream_map"), "a:0");
	assert_false(argv_has(av, "-filter_complex"));
	assert_string_equal(argv_after(av, "-b:a:0"), "128k");
	argv_free(av);

	assert_null(ladder_argv("ffmpeg", "a.mp3", "/o/100%", &mi, r, n)); /* '%' would be a pattern */
	assert_null(ladder_argv("ffmpeg", "a.mp3", "/o", &mi, r, 0));
	argv_free(NULL);
}

/* ---------------- running the ladder ---------------- */

typedef struct prog {
	double last;
	int calls;
	int monotonic;
} prog;

static void on_prog(void *ud, double f)
{
	prog *p = ud;
	if (f < p->last)
		p->monotonic = 0;
	p->last = f;
	p->calls++;
}

/* Runs the full ladder for `name` into OUT/<outname>, checks files, master and ffprobe. */
static void run_ladder(const char *name, const char *outname, int expect_rungs, const int *heights)
{
	char in[512], out[512], p[700], err[512];
	media_info mi;
	rung r[8];
	tmp_path(in, sizeof in, name);
	tmp_path(out, sizeof out, outname);
	assert_int_equal(media_probe(in, &mi, err, sizeof err), 0);
	int n = ladder_plan(&mi, r, 8);
	assert_int_equal(n, expect_rungs);
	for (int i = 0; heights && i < n; i++)
		assert_int_equal(r[i].height, heights[i]);
	char **av = ladder_argv("ffmpeg", in, out, &mi, r, n);
	assert_non_null(av);
	prog pr = {0, 0, 1};
	volatile int cancel = 0;
	ffrun_opts o = {.duration_s = mi.duration_s, .stall_s = 30, .max_s = 120, .cancel = &cancel, .on_progress = on_prog, .ud = &pr};
	int rc = ffrun(av, &o, err, sizeof err);
	argv_free(av);
	if (rc != 0)
		fail_msg("ffrun failed: %s", err);
	assert_true(pr.calls >= 1);
	assert_true(pr.last >= 0.9);
	assert_true(pr.monotonic);

	snprintf(p, sizeof p, "%s/master.m3u8", out);
	for (int pass = 0; pass < 2; pass++) {
		/* pass 0: the master ffmpeg wrote; pass 1: ladder_write_master's */
		if (pass == 1)
			assert_int_equal(ladder_write_master(out, &mi, r, n), 0);
		char *m = slurp(p);
		assert_non_null(m);
		int vars = mi.has_video ? n : 1;
		assert_int_equal(count_substr(m, "#EXT-X-STREAM-INF:"), vars);
		assert_int_equal(count_substr(m, "BANDWIDTH="), vars * (pass ? 2 : 1)); /* + AVERAGE-BANDWIDTH */
		assert_int_equal(count_substr(m, "CODECS=\""), vars);
		assert_int_equal(count_substr(m, "RESOLUTION="), mi.has_video ? n : 0);
		for (int i = 0; mi.has_video && i < n; i++) {
			char res[64];
			snprintf(res, sizeof res, "RESOLUTION=%dx%d", r[i].width, r[i].height);
			assert_non_null(strstr(m, res));
		}
		assert_int_equal(count_substr(m, "mp4a.40.2"), mi.has_audio ? vars : 0);
		assert_int_equal(count_substr(m, "avc1."), mi.has_video ? n : 0);
		free(m);
	}
	for (int i = 0; i < (mi.has_video ? n : 1); i++) {
		snprintf(p, sizeof p, "%s/v%d/index.m3u8", out, i);
		assert_true(exists_nonempty(p));
		snprintf(p, sizeof p, "%s/v%d/seg_00000.ts", out, i);
		assert_true(exists_nonempty(p));
	}
	assert_int_equal(sh("ffprobe -v error '%s/master.m3u8' >/dev/null 2>&1", out), 0);
}

static void test_ladder_run_360(void **state)
{
	(void)state;
	static const int h[] = {360};
	run_ladder("av360.mp4", "hls360", 1, h);
}

static void test_ladder_run_720(void **state)
{
	(void)state;
	static const int h[] = {360, 540, 720};
	run_ladder("av720.mp4", "hls720", 3, h);
	/* Every rung has the same segment count: keyframes aligned across renditions. */
	char p[600];
	int segs[3];
	for (int i = 0; i < 3; i++) {
		snprintf(p, sizeof p, "%s/hls720/v%d/index.m3u8", g_dir, i);
		char *m = slurp(p);
		assert_non_null(m);
		segs[i] = count_substr(m, "#EXTINF:");
		free(m);
	}
	assert_true(segs[0] >= 1);
	assert_int_equal(segs[0], segs[1]);
	assert_int_equal(segs[1], segs[2]);
}

static void test_ladder_run_audio_only(void **state)
{
	(void)state;
	run_ladder("a.mp3", "hlsaudio", 1, NULL);
}

static void test_ladder_run_video_only(void **state)
{
	(void)state;
	static const int h[] = {360};
	run_ladder("noaudio.mp4", "hlsvideo", 1, h);
}

static void test_poster(void **state)
{
	(void)state;
	char in[512], out[512], err[512];
	tmp_path(in, sizeof in, "av720.mp4");
	tmp_path(out, sizeof out, "poster.jpg");
	char **av = ladder_poster_argv("ffmpeg", in, NULL, out, 0.4);
	assert_non_null(av);
	ffrun_opts o = {.stall_s = 0, .max_s = 60};
	int rc = ffrun(av, &o, err, sizeof err);
	argv_free(av);
	if (rc != 0)
		fail_msg("poster failed: %s", err);
	assert_true(exists_nonempty(out));
	char cmd[700], line[64] = "";
	snprintf(cmd, sizeof cmd, "ffprobe -v error -select_streams v:0 -show_entries stream=width,height -of csv=p=0 '%s'", out);
	FILE *f = popen(cmd, "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof line, f));
	pclose(f);
	assert_string_equal(line, "720,404\n");
}

/* ---------------- ffrun ---------------- */

static void test_ffrun_stall_watchdog(void **state)
{
	(void)state;
	char *av[] = {"sleep", "30", NULL};
	char err[256];
	ffrun_opts o = {.stall_s = 1};
	double t0 = mono_s();
	assert_int_equal(ffrun(av, &o, err, sizeof err), -1);
	double took = mono_s() - t0;
	assert_string_equal(err, "timed out (no progress for 1 s)");
	assert_true(took >= 0.9 && took < 4);
}

static void test_ffrun_max_total(void **state)
{
	(void)state;
	/* Keeps printing progress (so no stall) but runs past max_s. */
	char *av[] = {"sh", "-c", "while :; do echo progress=continue; sleep 0.1; done", NULL};
	char err[256];
	ffrun_opts o = {.stall_s = 1, .max_s = 1};
	double t0 = mono_s();
	assert_int_equal(ffrun(av, &o, err, sizeof err), -1);
	assert_string_equal(err, "timed out (over 1 s in total)");
	assert_true(mono_s() - t0 < 4);
}

static void *set_cancel_later(void *arg)
{
	struct timespec ts = {0, 300 * 1000 * 1000};
	nanosleep(&ts, NULL);
	*(volatile int *)arg = 1;
	return NULL;
}

static void test_ffrun_cancel(void **state)
{
	(void)state;
	/* sh spawns sleep as a grandchild: killing the process group must take both. */
	char *av[] = {"sh", "-c", "sleep 30; echo done", NULL};
	char err[256];
	volatile int cancel = 0;
	ffrun_opts o = {.cancel = &cancel};
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, set_cancel_later, (void *)&cancel), 0);
	double t0 = mono_s();
	assert_int_equal(ffrun(av, &o, err, sizeof err), -1);
	pthread_join(th, NULL);
	assert_string_equal(err, "cancelled");
	assert_true(mono_s() - t0 < 2);

	cancel = 1; /* already set: returns at once */
	assert_int_equal(ffrun(av, &o, err, sizeof err), -1);
	assert_string_equal(err, "cancelled");
}

static void test_ffrun_failure_stderr(void **state)
{
	(void)state;
	char err[512];
	ffrun_opts o = {.stall_s = 10};
	char *av[] = {"sh", "-c", "echo first >&2; echo 'Error: bad thing happened' >&2; exit 3", NULL};
	assert_int_equal(ffrun(av, &o, err, sizeof err), -1);
	assert_string_equal(err, "sh exited with status 3: first | Error: bad thing happened");

	/* Only the tail of a long stderr is kept. */
	char *av2[] = {"sh", "-c", "i=0; while [ $i -lt 300 ]; do i=$((i+1)); echo \"noise line $i\" >&2; done; exit 2", NULL};
	assert_int_equal(ffrun(av2, &o, err, sizeof err), -1);
	assert_non_null(strstr(err, "sh exited with status 2: "));
	assert_non_null(strstr(err, "noise line 300"));
	assert_null(strstr(err, "noise line 1 "));

	/* A real ffmpeg failure. */
	char *av3[] = {"ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-i", "/nonexistent/in.mp4", "-f", "null", "-", NULL};
	assert_int_equal(ffrun(av3, &o, err, sizeof err), -1);
	assert_non_null(strstr(err, "ffmpeg exited with status 1: "));
	assert_non_null(strstr(err, "No such file or directory"));

	/* Killed by a signal. */
	char *av4[] = {"sh", "-c", "kill -SEGV $$", NULL};
	assert_int_equal(ffrun(av4, &o, err, sizeof err), -1);
	assert_non_null(strstr(err, "sh killed by signal 11 (SIGSEGV)"));

	/* Not found. */
	char *av5[] = {"no-such-program-dx", NULL};
	assert_int_equal(ffrun(av5, &o, err, sizeof err), -1);
	assert_string_equal(err, "cannot run no-such-program-dx: No such file or directory");

	/* Success: err is cleared. */
	char *av6[] = {"true", NULL};
	assert_int_equal(ffrun(av6, NULL, err, sizeof err), 0);
	assert_string_equal(err, "");
}

static void test_ffrun_nice(void **state)
{
	(void)state;
	char err[256], want[64];
	int self = getpriority(PRIO_PROCESS, 0);
	int expect = self + 10 > 19 ? 19 : self + 10;
	char *av[] = {"sh", "-c", "nice >&2; exit 1", NULL};
	ffrun_opts o = {.stall_s = 10};
	assert_int_equal(ffrun(av, &o, err, sizeof err), -1);
	snprintf(want, sizeof want, "sh exited with status 1: %d", expect);
	assert_string_equal(err, want);
}

typedef struct rec {
	double v[16];
	int n;
} rec;

static void on_rec(void *ud, double f)
{
	rec *r = ud;
	if (r->n < 16)
		r->v[r->n++] = f;
}

static void test_ffrun_progress_parsing(void **state)
{
	(void)state;
	char err[256];
	rec r = {{0}, 0};
	/* A fake ffmpeg: out_time_us, then (1.3 s later) out_time_ms (also microseconds), a burst that
	   is rate-limited away, and the end marker. */
	char *av[] = {"sh", "-c",
	              "printf 'frame=1\\nout_time_us=N/A\\nprogress=continue\\n';"
	              "printf 'out_time_us=500000\\nprogress=continue\\n'; sleep 1.3;"
	              "printf 'out_time_ms=1000000\\nprogress=continue\\n';"
	              "printf 'out_time_us=1100000\\nprogress=continue\\n';"
	              "printf 'out_time_us=9000000\\nprogress=end\\n'",
	              NULL};
	ffrun_opts o = {.duration_s = 2.0, .stall_s = 5, .on_progress = on_rec, .ud = &r};
	assert_int_equal(ffrun(av, &o, err, sizeof err), 0);
	assert_int_equal(r.n, 3);
	assert_true(r.v[0] > 0.249 && r.v[0] < 0.251);
	assert_true(r.v[1] > 0.499 && r.v[1] < 0.501);
	assert_true(r.v[2] == 1.0);
}

typedef struct par {
	int code;
	int rc;
	char err[256];
} par;

static void *par_run(void *arg)
{
	par *p = arg;
	char script[128];
	snprintf(script, sizeof script, "sleep 0.3; echo thread-%d >&2; exit %d", p->code, p->code);
	char *av[] = {"sh", "-c", script, NULL};
	ffrun_opts o = {.stall_s = 10};
	p->rc = ffrun(av, &o, p->err, sizeof p->err);
	return NULL;
}

static void test_ffrun_threads(void **state)
{
	(void)state;
	par p[4];
	pthread_t th[4];
	for (int i = 0; i < 4; i++) {
		p[i].code = 10 + i;
		assert_int_equal(pthread_create(&th[i], NULL, par_run, &p[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		char want[128];
		pthread_join(th[i], NULL);
		assert_int_equal(p[i].rc, -1);
		snprintf(want, sizeof want, "sh exited with status %d: thread-%d", p[i].code, p[i].code);
		assert_string_equal(p[i].err, want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe_video_with_audio),
		cmocka_unit_test(test_probe_audio_only),
		cmocka_unit_test(test_probe_rejects),
		cmocka_unit_test(test_probe_truncated_mp4),
		cmocka_unit_test(test_ladder_plan),
		cmocka_unit_test(test_ladder_argv_shape),
		cmocka_unit_test(test_ladder_run_360),
		cmocka_unit_test(test_ladder_run_720),
		cmocka_unit_test(test_ladder_run_audio_only),
		cmocka_unit_test(test_ladder_run_video_only),
		cmocka_unit_test(test_poster),
		cmocka_unit_test(test_ffrun_stall_watchdog),
		cmocka_unit_test(test_ffrun_max_total),
		cmocka_unit_test(test_ffrun_cancel),
		cmocka_unit_test(test_ffrun_failure_stderr),
		cmocka_unit_test(test_ffrun_nice),
		cmocka_unit_test(test_ffrun_progress_parsing),
		cmocka_unit_test(test_ffrun_threads),
	};
	return cmocka_run_group_tests_name("transcoder", tests, setup_clips, teardown_clips);
}
