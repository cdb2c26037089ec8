/* test_lectures.c — lectures: PUT and tus uploads, probing, the transcode queue (retries, watchdog,
 * cancel, restarts), the HLS ladder read back by ffprobe and played by ffmpeg over HTTP, media
 * authorisation and paths, captions, URL import. Clips are generated with ffmpeg's lavfi sources
 * (5 s, small). Part of the file runs with test settings (dangxiao.conf in the data folder and a
 * stand-in ffmpeg, tests/e2e/fake_ffmpeg.sh, steered through a control file). */
#include "e2e.h"

#include <sys/stat.h>
#include <unistd.h>

static char g_clips[600];
static long long g_course;     /* a published course of teacher's for these tests */
static long long g_lec720;     /* its ready 720p lecture */
static char g_ctl[600];        /* fake ffmpeg's control file */
static int g_test_settings;

/* ---- helpers ---- */

static char *tok(const char *user)
{
	static struct {
		char name[32], base[64], *tok;
	} cache[8];
	for (int i = 0; i < 8; i++) {
		if (cache[i].tok && !strcmp(cache[i].name, user) && !strcmp(cache[i].base, e2e_base))
			return cache[i].tok;
	}
	for (int i = 0; i < 8; i++) {
		if (!cache[i].tok || !strcmp(cache[i].name, user)) {
			free(cache[i].tok);
			cache[i].tok = e2e_login(user, E2E_PW);
			snprintf(cache[i].name, sizeof cache[i].name, "%s", user);
			snprintf(cache[i].base, sizeof cache[i].base, "%s", e2e_base);
			return cache[i].tok;
		}
	}
	return NULL;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *p = malloc((size_t)n + 1);
	size_t got = fread(p, 1, (size_t)n, f);
	fclose(f);
	p[got] = 0;
	if (len)
		*len = got;
	return p;
}

static void clip(char *out, size_t n, const char *name)
{
	snprintf(out, n, "%s/%s", g_clips, name);
}

#define FFGEN "ffmpeg -nostdin -hide_banner -loglevel error -y"

/* The test media, made once: small, short (5 s: the default min_source_s), with known properties. */
static int make_clips(void)
{
	if (g_clips[0])
		return 0;
	snprintf(g_clips, sizeof g_clips, "%s/clips", e2e_tmp);
	int rc = e2e_sh("mkdir -p %s", g_clips);
	rc |= e2e_sh(FFGEN " -f lavfi -i testsrc2=size=1280x720:rate=25:duration=5 -f lavfi -i sine=frequency=440:duration=5"
		     " -c:v libx264 -preset ultrafast -b:v 700k -pix_fmt yuv420p -c:a aac -b:a 64k %s/c720.mp4", g_clips);
	rc |= e2e_sh(FFGEN " -f lavfi -i testsrc2=size=1920x1080:rate=25:duration=5 -f lavfi -i sine=duration=5"
		     " -c:v libx264 -preset ultrafast -b:v 1000k -pix_fmt yuv420p -c:a aac -b:a 64k %s/c1080.mp4", g_clips);
	rc |= e2e_sh(FFGEN " -f lavfi -i testsrc2=size=426x240:rate=25:duration=5 -f lavfi -i sine=duration=5"
		     " -c:v libx264 -preset ultrafast -pix_fmt yuv420p -c:a aac -b:a 64k %s/c240.mp4", g_clips);
	rc |= e2e_sh(FFGEN " -f lavfi -i sine=frequency=330:duration=5 -c:a libmp3lame -b:a 64k %s/a.mp3", g_clips);
	rc |= e2e_sh("printf 'This is a lecture outline, not a video.\\n' > %s/text.mp4 && : > %s/zero.mp4", g_clips, g_clips);
	/* The default MP4 keeps its index (moov) at the end: cutting it off is the classic broken upload. */
	rc |= e2e_sh("head -c $(( $(stat -c %%s %s/c720.mp4) * 6 / 10 )) %s/c720.mp4 > %s/trunc.mp4", g_clips, g_clips,
		     g_clips);
	/* 2.5 MB of media, over the 2 MB limit of the test settings. */
	rc |= e2e_sh(FFGEN " -f lavfi -i testsrc2=size=1280x720:rate=25:duration=4 -c:v libx264 -preset ultrafast"
		     " -b:v 5500k -pix_fmt yuv420p %s/big.mp4",
		     g_clips);
	CHECK(rc == 0, "generating the test clips failed");
	return rc;
}

static long long create_course(const char *title, int publish)
{
	char body[512];
	snprintf(body, sizeof body,
		 "{\"title\":\"%s\",\"summary\":\"讲座测试\",\"category\":\"党史党建\",\"credit_hours\":1,\"body_md\":\"# 测试\"}",
		 title);
	resp r = e2e_req("POST", "/api/v1/courses", tok("teacher"), body, NULL);
	CHECK_STATUS(r, 201);
	long long id = jint(r.json, "id");
	resp_free(&r);
	if (publish && id > 0) {
		r = e2e_publish(tok("teacher"), id); /* with a ready lecture of its own (e2e.h) */
		CHECK_STATUS(r, 200);
		resp_free(&r);
	}
	return id;
}

static long long test_course(void)
{
	if (g_course > 0)
		return g_course;
	g_course = create_course("讲座测试课程", 1);
	char p[96];
	snprintf(p, sizeof p, "/api/v1/courses/%lld/enroll", g_course);
	resp r = e2e_req("POST", p, tok("zhangsan"), NULL, NULL);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	return g_course;
}

static long long new_lecture(long long course, const char *title)
{
	char p[96], body[256];
	snprintf(p, sizeof p, "/api/v1/courses/%lld/lectures", course);
	snprintf(body, sizeof body, "{\"title\":\"%s\"}", title);
	resp r = e2e_req("POST", p, tok("teacher"), body, NULL);
	CHECK_STATUS(r, 201);
	long long id = jint(r.json, "id");
	resp_free(&r);
	return id;
}

static resp put_source(long long lec, const char *file, const char *user)
{
	char path[700], p[96];
	clip(path, sizeof path, file);
	size_t len = 0;
	char *data = slurp(path, &len);
	snprintf(p, sizeof p, "/api/v1/lectures/%lld/source", lec);
	resp r = e2e_req_h("PUT", p, user ? tok(user) : NULL, data ? data : "", len, "application/octet-stream", NULL);
	free(data);
	return r;
}

static json_t *get_lecture(long long lec, const char *user)
{
	char p[96];
	snprintf(p, sizeof p, "/api/v1/lectures/%lld", lec);
	resp r = e2e_req("GET", p, tok(user), NULL, NULL);
	json_t *j = r.status == 200 ? json_incref(r.json) : NULL;
	resp_free(&r);
	return j;
}

/* Polls until the lecture's status is `want` (or a final one); returns the lecture (decref it). */
static json_t *wait_status(long long lec, const char *want, int timeout_s)
{
	json_t *j = NULL;
	for (int i = 0; i < timeout_s * 10; i++) {
		if (j)
			json_decref(j);
		j = get_lecture(lec, "teacher");
		const char *s = jstr(j, "status");
		if (s && (!strcmp(s, want) || (!strcmp(s, "failed") && strcmp(want, "transcoding")) ||
			  (!strcmp(s, "ready") && !strcmp(want, "failed"))))
			return j;
		usleep(100 * 1000);
	}
	return j;
}

static int count_heights(json_t *l, int *h, int max)
{
	json_t *a = json_object_get(l, "renditions");
	int n = 0;
	for (size_t i = 0; i < json_array_size(a) && n < max; i++)
		h[n++] = (int)jint(json_array_get(a, i), "height");
	return n;
}

/* Runs a command and returns its stdout (malloc'd). */
static char *sh_out(const char *cmd)
{
	char f[700];
	snprintf(f, sizeof f, "%s/sh_out.txt", e2e_tmp);
	e2e_sh("(%s) > %s 2>&1", cmd, f);
	return slurp(f, NULL);
}

static int server_log_has(const char *needle)
{
	char p[700];
	snprintf(p, sizeof p, "%s", e2e_log);
	char *s = slurp(p, NULL);
	int hit = s && strstr(s, needle);
	free(s);
	return hit;
}

static int leftover_parts(void)
{
	char cmd[800];
	snprintf(cmd, sizeof cmd, "ls %s/uploads 2>/dev/null | grep -c -E '^(put|imp)-' || true", e2e_data);
	char *o = sh_out(cmd);
	int n = o ? atoi(o) : -1;
	free(o);
	return n;
}

/* A lecture as text for failure messages (a static buffer: no leak in CHECK arguments). */
static const char *js(json_t *j)
{
	static char b[2048];
	char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
	snprintf(b, sizeof b, "%s", s ? s : "(null)");
	free(s);
	return b;
}

/* A second instructor, who owns none of these courses. */
static void ensure_teacher2(void)
{
	resp r = e2e_req("POST", "/api/v1/users", tok("admin"),
			 "{\"username\":\"teacher2\",\"name\":\"二号老师\",\"password\":\"" E2E_PW
			 "\",\"role\":\"instructor\",\"org_id\":1}",
			 NULL);
	CHECK(r.status == 201 || r.status == 409, "teacher2: %ld", r.status);
	resp_free(&r);
}

/* ---- the seeded demo ---- */

E2E_TEST(lectures_demo_lecture_plays)
{
	resp r = e2e_req("GET", "/api/v1/courses/1", tok("admin"), NULL, NULL);
	json_t *ls = json_object_get(r.json, "lectures");
	long long id = json_array_size(ls) ? jint(json_array_get(ls, 0), "id") : -1;
	resp_free(&r);
	CHECK(id > 0, "the demo course has no lecture");
	if (id <= 0)
		return;
	json_t *l = wait_status(id, "ready", 180);
	CHECK(jstr(l, "status") && !strcmp(jstr(l, "status"), "ready"), "demo lecture: %s", jstr(l, "status"));
	int h[8], n = count_heights(l, h, 8);
	CHECK(n == 3 && h[0] == 360 && h[1] == 540 && h[2] == 720, "demo renditions: %d", n);
	CHECK(jnum(l, "duration_s") > 39 && jnum(l, "duration_s") < 41, "demo duration %f", jnum(l, "duration_s"));
	CHECK(jstr(l, "poster_url") != NULL, "demo poster");
	json_decref(l);
	/* The demo course is required for 第一党委: lisi (not enrolled) may watch; wangwu may not. */
	char p[96];
	snprintf(p, sizeof p, "/media/%lld/master.m3u8", id);
	r = e2e_req("GET", p, tok("lisi"), NULL, NULL);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	r = e2e_req("GET", p, tok("wangwu"), NULL, NULL);
	CHECK_STATUS(r, 403);
	resp_free(&r);
	r = e2e_req("GET", p, NULL, NULL, NULL);
	CHECK_STATUS(r, 401);
	resp_free(&r);
}

/* ---- upload, transcode, play ---- */

E2E_TEST(lectures_upload_720p_ffprobe_and_play)
{
	if (make_clips())
		return;
	long long course = test_course();
	long long id = g_lec720 = new_lecture(course, "720p 讲座");
	json_t *l = get_lecture(id, "teacher");
	CHECK(jstr(l, "status") && !strcmp(jstr(l, "status"), "empty"), "new lecture is empty");
	CHECK(json_is_null(json_object_get(l, "hls_url")), "no hls_url yet");
	json_decref(l);
	resp r = put_source(id, "c720.mp4", "teacher");
	CHECK_STATUS(r, 202);
	CHECK(jstr(r.json, "status") && !strcmp(jstr(r.json, "status"), "queued"), "202 body: %s", r.body);
	resp_free(&r);
	l = wait_status(id, "ready", 120);
	CHECK(jstr(l, "status") && !strcmp(jstr(l, "status"), "ready"), "status %s, error %s", jstr(l, "status"),
	      jstr(l, "error"));
	int h[8], n = count_heights(l, h, 8);
	CHECK(n == 3 && h[0] == 360 && h[1] == 540 && h[2] == 720, "720p renditions: %d", n);
	CHECK(jint(json_array_get(json_object_get(l, "renditions"), 0), "bandwidth") > 100000, "bandwidth measured");
	CHECK(jnum(l, "progress") == 1.0, "progress 1 when ready");
	char want_hls[96];
	snprintf(want_hls, sizeof want_hls, "/media/%lld/master.m3u8", id);
	CHECK(jstr(l, "hls_url") && !strcmp(jstr(l, "hls_url"), want_hls), "hls_url %s", jstr(l, "hls_url"));
	CHECK(jstr(l, "poster_url") != NULL, "poster_url");
	char *poster = jstr(l, "poster_url") ? strdup(jstr(l, "poster_url")) : NULL;
	json_decref(l);

	/* ffprobe reads the master playlist (all three video variants) and every rung, as a member. */
	char cmd[2048], url[256];
	const char *mt = tok("zhangsan");
	snprintf(url, sizeof url, "%s/media/%lld/master.m3u8", e2e_base, id);
	snprintf(cmd, sizeof cmd,
		 "ffprobe -v error -headers 'Authorization: Bearer %s' -show_entries stream=codec_type,height "
		 "-of csv=p=0 '%s' | sort -u",
		 mt, url);
	char *o = sh_out(cmd);
	CHECK(o && strstr(o, "video,360") && strstr(o, "video,540") && strstr(o, "video,720") && strstr(o, "audio"),
	      "ffprobe master: %s", o ? o : "");
	free(o);
	for (int i = 0; i < 3; i++) {
		snprintf(cmd, sizeof cmd,
			 "ffprobe -v error -headers 'Authorization: Bearer %s' -show_entries stream=codec_type,height "
			 "-of csv=p=0 '%s/media/%lld/v%d/index.m3u8?v=1'",
			 mt, e2e_base, id, i);
		o = sh_out(cmd);
		char want[32];
		snprintf(want, sizeof want, "video,%d", h[i]);
		CHECK(o && strstr(o, want) && strstr(o, "audio"), "ffprobe rung %d: %s", i, o ? o : "");
		free(o);
	}
	/* ffmpeg as an HLS client plays every stream of every rung to the end, with the member's token
	   on every sub-request (the access log names the user for each segment). */
	snprintf(cmd, sizeof cmd,
		 "ffmpeg -nostdin -v error -headers 'Authorization: Bearer %s' -i '%s' -map 0 -f null - && echo PLAYED", mt,
		 url);
	o = sh_out(cmd);
	CHECK(o && strstr(o, "PLAYED"), "ffmpeg HLS client: %s", o ? o : "");
	free(o);
	snprintf(cmd, sizeof cmd, "grep -c 'GET /media/%lld/v[0-2]/seg_[0-9]*.ts 20[06] .* zhangsan' %s/access.log", id,
		 e2e_data);
	o = sh_out(cmd);
	CHECK(o && atoi(o) >= 3, "segments fetched as zhangsan: %s", o ? o : "");
	free(o);

	/* Content types, caching, Range. */
	char p[128];
	snprintf(p, sizeof p, "/media/%lld/master.m3u8", id);
	r = e2e_req("GET", p, mt, NULL, NULL);
	CHECK_STATUS(r, 200);
	char *ct = resp_header(&r, "Content-Type"), *cc = resp_header(&r, "Cache-Control");
	CHECK(ct && !strcmp(ct, "application/vnd.apple.mpegurl"), "m3u8 type %s", ct ? ct : "");
	CHECK(cc && !strcmp(cc, "private, max-age=5"), "m3u8 cache %s", cc ? cc : "");
	CHECK(r.body && strstr(r.body, "RESOLUTION=1280x720") && strstr(r.body, "CODECS=\"avc1.") &&
		      strstr(r.body, "v2/index.m3u8?v=1"),
	      "master: %s", r.body);
	free(ct), free(cc);
	resp_free(&r);
	snprintf(p, sizeof p, "/media/%lld/v0/seg_00000.ts?v=1", id);
	const char *range[] = {"Range: bytes=0-187", NULL};
	r = e2e_req_h("GET", p, mt, NULL, 0, NULL, range);
	CHECK_STATUS(r, 206);
	ct = resp_header(&r, "Content-Type"), cc = resp_header(&r, "Cache-Control");
	char *cr = resp_header(&r, "Content-Range");
	CHECK(ct && !strcmp(ct, "video/mp2t"), "ts type %s", ct ? ct : "");
	CHECK(cc && !strcmp(cc, "private, max-age=86400"), "ts cache %s", cc ? cc : "");
	CHECK(r.len == 188 && r.body[0] == 0x47 && cr && !strncmp(cr, "bytes 0-187/", 12), "range: %zu %s", r.len,
	      cr ? cr : "");
	free(ct), free(cc), free(cr);
	resp_free(&r);
	r = e2e_req("GET", poster ? poster : "/x", mt, NULL, NULL);
	CHECK_STATUS(r, 200);
	ct = resp_header(&r, "Content-Type");
	CHECK(ct && !strcmp(ct, "image/jpeg") && r.len > 1000 && (unsigned char)r.body[0] == 0xFF, "poster %s %zu",
	      ct ? ct : "", r.len);
	free(ct);
	free(poster);
	resp_free(&r);
}

E2E_TEST(lectures_ladders_1080p_240p_audio_only)
{
	if (make_clips())
		return;
	long long course = test_course();
	long long a = new_lecture(course, "1080p"), b = new_lecture(course, "240p"), c = new_lecture(course, "只有声音");
	resp r = put_source(a, "c1080.mp4", "teacher");
	CHECK_STATUS(r, 202);
	resp_free(&r);
	r = put_source(b, "c240.mp4", "admin"); /* admins may manage any course */
	CHECK_STATUS(r, 202);
	resp_free(&r);
	r = put_source(c, "a.mp3", "teacher");
	CHECK_STATUS(r, 202);
	resp_free(&r);
	int h[8], n;
	json_t *l = wait_status(a, "ready", 120);
	n = count_heights(l, h, 8);
	CHECK(n == 4 && h[0] == 360 && h[3] == 1080, "1080p rungs: %d (top %d)", n, n ? h[n - 1] : 0);
	json_decref(l);
	l = wait_status(b, "ready", 60);
	n = count_heights(l, h, 8);
	CHECK(n == 1 && h[0] == 240, "240p: one rung at its own size (%d, %d)", n, n ? h[0] : 0);
	json_decref(l);
	l = wait_status(c, "ready", 60);
	n = count_heights(l, h, 8);
	CHECK(jstr(l, "status") && !strcmp(jstr(l, "status"), "ready") && n == 1 && h[0] == 0,
	      "audio-only: %s, %d rungs", jstr(l, "status"), n);
	CHECK(json_is_null(json_object_get(l, "poster_url")), "no poster for audio");
	CHECK(jnum(l, "duration_s") > 4.5 && jnum(l, "duration_s") < 5.5, "mp3 duration %f", jnum(l, "duration_s"));
	json_decref(l);
	char cmd[1024];
	snprintf(cmd, sizeof cmd,
		 "ffprobe -v error -headers 'Authorization: Bearer %s' -show_entries stream=codec_type,codec_name -of csv=p=0 "
		 "'%s/media/%lld/master.m3u8'",
		 tok("zhangsan"), e2e_base, c);
	char *o = sh_out(cmd);
	CHECK(o && strstr(o, "aac,audio") && !strstr(o, "video"), "audio-only HLS: %s", o ? o : "");
	free(o);
}

/* ---- refusals ---- */

E2E_TEST(lectures_bad_files_refused_and_nothing_changes)
{
	if (make_clips() || g_lec720 <= 0)
		return;
	long long empty = new_lecture(test_course(), "坏文件");
	json_t *before = get_lecture(g_lec720, "teacher");
	static const struct {
		const char *file;
		int status;
		const char *code, *words;
	} cases[] = {
		{"text.mp4", 415, "not_media", "不是可播放的音视频文件"},
		{"trunc.mp4", 422, "truncated", "不完整"},
		{"zero.mp4", 422, "empty_file", "文件为空"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		long long ids[2] = {g_lec720, empty};
		for (int k = 0; k < 2; k++) {
			resp r = put_source(ids[k], cases[i].file, "teacher");
			CHECK_STATUS(r, cases[i].status);
			json_t *e = json_object_get(r.json, "error");
			CHECK(jstr(e, "code") && !strcmp(jstr(e, "code"), cases[i].code), "%s: code %s", cases[i].file,
			      jstr(e, "code"));
			CHECK(jstr(e, "message") && strstr(jstr(e, "message"), cases[i].words), "%s: message %s",
			      cases[i].file, jstr(e, "message"));
			resp_free(&r);
		}
	}
	json_t *after = get_lecture(g_lec720, "teacher");
	CHECK(json_equal(before, after), "the ready lecture changed after refused uploads");
	json_decref(before);
	json_decref(after);
	json_t *l = get_lecture(empty, "teacher");
	CHECK(jstr(l, "status") && !strcmp(jstr(l, "status"), "empty"), "empty lecture stays empty: %s", jstr(l, "status"));
	json_decref(l);
	CHECK(leftover_parts() == 0, "partial files left in uploads/");
	/* Who may upload: not members, not another instructor, not into a missing lecture. */
	resp r = put_source(empty, "c240.mp4", "zhangsan");
	CHECK_STATUS(r, 403);
	resp_free(&r);
	ensure_teacher2();
	r = put_source(empty, "c240.mp4", "teacher2");
	CHECK_STATUS(r, 403);
	resp_free(&r);
	r = put_source(999999, "c240.mp4", "teacher");
	CHECK_STATUS(r, 404);
	resp_free(&r);
	r = e2e_req("GET", "/api/v1/health", NULL, NULL, NULL);
	CHECK_STATUS(r, 200);
	resp_free(&r);
}

static long curl_status(const char *path_as_is, const char *token)
{
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "curl -s -o /dev/null -w '%%{http_code}' --path-as-is -H 'Authorization: Bearer %s' '%s%s'",
		 token, e2e_base, path_as_is);
	char *o = sh_out(cmd);
	long s = o ? atol(o) : 0;
	free(o);
	return s;
}

E2E_TEST(lectures_media_paths_and_access)
{
	if (g_lec720 <= 0)
		return;
	const char *t = tok("admin");
	char p[256];
	/* As sent on the wire (curl --path-as-is); "ID" stands for the lecture. */
	static const char *bad[] = {
		"/ID/%2e%2e/%2e%2e/dangxiao.db", "/ID/v0/%2e%2e%2fmaster.m3u8", "/ID/..%5c..%5cdangxiao.db",
		"/ID/.hidden",                   "/ID/v0/.index.m3u8",          "/ID/%252e%252e/x",
		"/ID/v0//index.m3u8",            "/ID/v0/index%2em3u8%2f..",    "/ID/v0/index.m3u8/",
		"/ID/../../dangxiao.db",         "/ID/v0/../../1/master.m3u8",  "/ID/v0\\index.m3u8",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(p, sizeof p, "/media/%lld%s", g_lec720, bad[i] + 3);
		long s = curl_status(p, t);
		CHECK(s == 404, "%s → %ld", p, s);
	}
	snprintf(p, sizeof p, "/media/%lld/master.m3u8", g_lec720);
	CHECK(curl_status(p, t) == 200, "the plain path works");
	/* Who may watch: owner, admin, enrolled member; not a member who is not enrolled. */
	static const struct {
		const char *user;
		long want;
	} who[] = {{"teacher", 200}, {"admin", 200}, {"zhangsan", 200}, {"wangwu", 403}, {"assessor", 403}};
	for (size_t i = 0; i < sizeof who / sizeof who[0]; i++) {
		resp r = e2e_req("GET", p, tok(who[i].user), NULL, NULL);
		CHECK(r.status == who[i].want, "media as %s: %ld", who[i].user, r.status);
		resp_free(&r);
		char q[96];
		snprintf(q, sizeof q, "/api/v1/lectures/%lld", g_lec720);
		r = e2e_req("GET", q, tok(who[i].user), NULL, NULL);
		CHECK(r.status == who[i].want, "lecture as %s: %ld", who[i].user, r.status);
		/* Members never see the technical error text or import state. */
		if (r.status == 200 && !strcmp(who[i].user, "zhangsan"))
			CHECK(json_is_null(json_object_get(r.json, "error")) && !json_object_get(r.json, "import"),
			      "member view: %s", r.body);
		resp_free(&r);
	}
	/* A draft course's lecture: only its owner and admins; anyone else gets the answer for a
	   lecture that does not exist (issue 8, item 13: test_study_holes.c compares the bytes). */
	long long draft = create_course("草稿课程", 0);
	long long dl = new_lecture(draft, "草稿讲座");
	char q[96];
	snprintf(q, sizeof q, "/api/v1/lectures/%lld", dl);
	resp r = e2e_req("GET", q, tok("zhangsan"), NULL, NULL);
	CHECK_STATUS(r, 404);
	resp_free(&r);
	r = e2e_req("GET", q, tok("teacher"), NULL, NULL);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	/* An empty lecture has no media yet. */
	snprintf(q, sizeof q, "/media/%lld/master.m3u8", dl);
	r = e2e_req("GET", q, tok("teacher"), NULL, NULL);
	CHECK_STATUS(r, 404);
	resp_free(&r);
}

E2E_TEST(lectures_captions_rendition)
{
	if (g_lec720 <= 0)
		return;
	char p[96];
	snprintf(p, sizeof p, "/api/v1/lectures/%lld/captions", g_lec720);
	const char *vtt = "WEBVTT\n\n00:00:00.500 --> 00:00:02.000\n全面从严治党\n\n00:00:02.000 --> 00:00:03.500\n永远在路上\n";
	resp r = e2e_req_h("PUT", p, tok("teacher"), vtt, strlen(vtt), "text/plain", NULL);
	CHECK_STATUS(r, 415);
	resp_free(&r);
	const char *srt = "1\n00:00:00,500 --> 00:00:02,000\nSRT\n";
	r = e2e_req_h("PUT", p, tok("teacher"), srt, strlen(srt), "text/vtt", NULL);
	CHECK_STATUS(r, 422);
	resp_free(&r);
	r = e2e_req_h("PUT", p, tok("zhangsan"), vtt, strlen(vtt), "text/vtt", NULL);
	CHECK_STATUS(r, 403);
	resp_free(&r);
	r = e2e_req_h("PUT", p, tok("teacher"), vtt, strlen(vtt), "text/vtt; charset=utf-8", NULL);
	CHECK_STATUS(r, 200);
	CHECK(json_is_true(json_object_get(r.json, "has_captions")) && jstr(r.json, "captions_url"), "captions: %s",
	      r.body);
	resp_free(&r);
	const char *mt = tok("zhangsan");
	snprintf(p, sizeof p, "/media/%lld/master.m3u8", g_lec720);
	r = e2e_req("GET", p, mt, NULL, NULL);
	CHECK(r.body && strstr(r.body, "#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\"") && strstr(r.body, "SUBTITLES=\"subs\"\n") &&
		      strstr(r.body, "URI=\"subs.m3u8?v="),
	      "master with subtitles: %s", r.body);
	resp_free(&r);
	snprintf(p, sizeof p, "/media/%lld/subs.m3u8", g_lec720);
	r = e2e_req("GET", p, mt, NULL, NULL);
	CHECK_STATUS(r, 200);
	CHECK(r.body && strstr(r.body, "captions.vtt?v=") && strstr(r.body, "#EXT-X-ENDLIST"), "subs: %s", r.body);
	resp_free(&r);
	snprintf(p, sizeof p, "/media/%lld/captions.vtt", g_lec720);
	r = e2e_req("GET", p, mt, NULL, NULL);
	CHECK_STATUS(r, 200);
	char *ct = resp_header(&r, "Content-Type");
	CHECK(ct && !strncmp(ct, "text/vtt", 8), "vtt type %s", ct ? ct : "");
	CHECK(r.body && !strncmp(r.body, "WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:", 30) && strstr(r.body, "永远在路上"), "vtt: %s",
	      r.body);
	free(ct);
	resp_free(&r);
	/* Players still read it: ffprobe sees the subtitles stream beside the video. */
	char cmd[1024];
	snprintf(cmd, sizeof cmd,
		 "ffprobe -v error -strict experimental -headers 'Authorization: Bearer %s' -show_entries stream=codec_type "
		 "-of csv=p=0 '%s/media/%lld/master.m3u8' | sort -u | tr '\\n' ' '",
		 mt, e2e_base, g_lec720);
	char *o = sh_out(cmd);
	CHECK(o && strstr(o, "video") && strstr(o, "subtitle"), "ffprobe with captions: %s", o ? o : "");
	free(o);
}

/* ---- tus ---- */

static resp tus(const char *method, const char *path, const char *user, const char *body, size_t len,
		const char *ctype, const char *h1, const char *h2)
{
	const char *hs[5] = {"Tus-Resumable: 1.0.0", h1, h2, NULL, NULL};
	return e2e_req_h(method, path, tok(user), body, len, ctype, hs);
}

E2E_TEST(lectures_tus_protocol)
{
	if (make_clips())
		return;
	long long id = new_lecture(test_course(), "tus 讲座");
	resp r = e2e_req("OPTIONS", "/api/v1/uploads", NULL, NULL, NULL);
	CHECK_STATUS(r, 204);
	char *v = resp_header(&r, "Tus-Version"), *x = resp_header(&r, "Tus-Extension"), *m = resp_header(&r, "Tus-Max-Size"),
	     *tr_ = resp_header(&r, "Tus-Resumable");
	CHECK(v && !strcmp(v, "1.0.0") && x && strstr(x, "creation") && strstr(x, "termination") && m && atoll(m) > 0 &&
		      tr_,
	      "OPTIONS headers");
	free(v), free(x), free(m), free(tr_);
	resp_free(&r);
	char meta[128], b64[64], len[64];
	char num[32];
	snprintf(num, sizeof num, "%lld", id);
	/* base64 of the id, by the shell */
	char cmd[256];
	snprintf(cmd, sizeof cmd, "printf %%s %s | base64", num);
	char *o = sh_out(cmd);
	snprintf(b64, sizeof b64, "%s", o ? o : "");
	b64[strcspn(b64, "\n")] = 0;
	free(o);
	snprintf(meta, sizeof meta, "Upload-Metadata: lecture_id %s,filename YS5tcDQ=", b64);
	char path[700];
	clip(path, sizeof path, "c240.mp4");
	size_t size;
	char *data = slurp(path, &size);
	snprintf(len, sizeof len, "Upload-Length: %zu", size);

	/* Version and limits. */
	const char *old[] = {"Tus-Resumable: 0.2.2", len, meta, NULL};
	r = e2e_req_h("POST", "/api/v1/uploads", tok("teacher"), NULL, 0, NULL, old);
	CHECK_STATUS(r, 412);
	resp_free(&r);
	r = tus("POST", "/api/v1/uploads", "teacher", NULL, 0, NULL, "Upload-Length: 99999999999999", meta);
	CHECK_STATUS(r, 413);
	resp_free(&r);
	r = tus("POST", "/api/v1/uploads", "teacher", NULL, 0, NULL, len, "Upload-Metadata: filename YS5tcDQ=");
	CHECK_STATUS(r, 400);
	resp_free(&r);
	r = tus("POST", "/api/v1/uploads", "zhangsan", NULL, 0, NULL, len, meta);
	CHECK_STATUS(r, 403);
	resp_free(&r);

	/* Creation. */
	r = tus("POST", "/api/v1/uploads", "teacher", NULL, 0, NULL, len, meta);
	CHECK_STATUS(r, 201);
	char *loc = resp_header(&r, "Location");
	char *trs = resp_header(&r, "Tus-Resumable");
	CHECK(loc && !strncmp(loc, "/api/v1/uploads/", 16) && strlen(loc) == 16 + 32, "Location %s", loc ? loc : "");
	CHECK(trs && !strcmp(trs, "1.0.0"), "Tus-Resumable on 201");
	free(trs);
	resp_free(&r);
	if (!loc) {
		free(data);
		return;
	}
	/* Another user cannot see it. */
	r = tus("HEAD", loc, "admin", NULL, 0, NULL, NULL, NULL);
	CHECK_STATUS(r, 200); /* admins can */
	resp_free(&r);
	ensure_teacher2();
	r = tus("HEAD", loc, "teacher2", NULL, 0, NULL, NULL, NULL);
	CHECK_STATUS(r, 404);
	resp_free(&r);
	r = tus("HEAD", loc, "teacher", NULL, 0, NULL, NULL, NULL);
	CHECK_STATUS(r, 200);
	char *off = resp_header(&r, "Upload-Offset"), *ul = resp_header(&r, "Upload-Length");
	CHECK(off && !strcmp(off, "0") && ul && (size_t)atoll(ul) == size, "HEAD: %s / %s", off ? off : "", ul ? ul : "");
	free(off), free(ul);
	resp_free(&r);
	/* PATCH: wrong type, wrong offset, then two halves. */
	size_t half = size / 2;
	r = tus("PATCH", loc, "teacher", data, half, "application/octet-stream", "Upload-Offset: 0", NULL);
	CHECK_STATUS(r, 415);
	resp_free(&r);
	r = tus("PATCH", loc, "teacher", data, half, "application/offset+octet-stream", "Upload-Offset: 5", NULL);
	CHECK_STATUS(r, 409);
	resp_free(&r);
	r = tus("PATCH", loc, "teacher", data, half, "application/offset+octet-stream", "Upload-Offset: 0", NULL);
	CHECK_STATUS(r, 204);
	off = resp_header(&r, "Upload-Offset");
	CHECK(off && (size_t)atoll(off) == half, "offset after the first half: %s", off ? off : "");
	free(off);
	resp_free(&r);
	json_t *l = get_lecture(id, "teacher");
	CHECK(jstr(l, "status") && !strcmp(jstr(l, "status"), "empty"), "nothing queued before the end");
	json_decref(l);
	char ho[64];
	snprintf(ho, sizeof ho, "Upload-Offset: %zu", half);
	/* More than Upload-Length is refused. */
	char *more = malloc(size + 100);
	memcpy(more, data, size);
	memset(more + size, 0, 100);
	r = tus("PATCH", loc, "teacher", more + half, size - half + 100, "application/offset+octet-stream", ho, NULL);
	CHECK_STATUS(r, 413);
	resp_free(&r);
	free(more);
	r = tus("PATCH", loc, "teacher", data + half, size - half, "application/offset+octet-stream", ho, NULL);
	CHECK_STATUS(r, 204);
	resp_free(&r);
	l = wait_status(id, "ready", 60);
	CHECK(jstr(l, "status") && !strcmp(jstr(l, "status"), "ready"), "tus upload transcoded: %s", jstr(l, "status"));
	json_decref(l);
	r = tus("HEAD", loc, "teacher", NULL, 0, NULL, NULL, NULL);
	CHECK_STATUS(r, 404); /* finished uploads are gone */
	resp_free(&r);
	free(loc);

	/* Termination. */
	r = tus("POST", "/api/v1/uploads", "teacher", NULL, 0, NULL, len, meta);
	loc = resp_header(&r, "Location");
	resp_free(&r);
	r = tus("PATCH", loc, "teacher", data, 1000, "application/offset+octet-stream", "Upload-Offset: 0", NULL);
	CHECK_STATUS(r, 204);
	resp_free(&r);
	r = tus("DELETE", loc, "teacher", NULL, 0, NULL, NULL, NULL);
	CHECK_STATUS(r, 204);
	resp_free(&r);
	r = tus("HEAD", loc, "teacher", NULL, 0, NULL, NULL, NULL);
	CHECK_STATUS(r, 404);
	resp_free(&r);
	free(loc);

	/* A finished tus upload that is not media is refused like a PUT, and the lecture keeps its state. */
	char tpath[700];
	clip(tpath, sizeof tpath, "text.mp4");
	size_t tsize;
	char *text = slurp(tpath, &tsize);
	char tlen[64];
	snprintf(tlen, sizeof tlen, "Upload-Length: %zu", tsize);
	r = tus("POST", "/api/v1/uploads", "teacher", NULL, 0, NULL, tlen, meta);
	loc = resp_header(&r, "Location");
	resp_free(&r);
	r = tus("PATCH", loc, "teacher", text, tsize, "application/offset+octet-stream", "Upload-Offset: 0", NULL);
	CHECK_STATUS(r, 415);
	resp_free(&r);
	free(loc);
	free(text);
	l = get_lecture(id, "teacher");
	CHECK(jstr(l, "status") && !strcmp(jstr(l, "status"), "ready"), "still ready after a refused tus upload");
	json_decref(l);
	free(data);
}

E2E_TEST(lectures_tus_js_client_resumes)
{
	if (make_clips())
		return;
	long long id = new_lecture(test_course(), "断点续传");
	char cmd[1200], path[700];
	clip(path, sizeof path, "c720.mp4");
	snprintf(cmd, sizeof cmd, "node tests/e2e/tus_resume.mjs %s %s %lld %s", e2e_base, tok("teacher"), id, path);
	char *o = sh_out(cmd);
	CHECK(o && strstr(o, "\"ok\":true"), "tus_resume.mjs: %s", o ? o : "");
	free(o);
	json_t *l = wait_status(id, "ready", 90);
	CHECK(jstr(l, "status") && !strcmp(jstr(l, "status"), "ready"), "resumed upload transcoded: %s", jstr(l, "status"));
	json_decref(l);
}

/* ---- URL import, default settings (no private addresses) ---- */

static json_t *wait_import_end(long long lec, int timeout_s)
{
	json_t *l = NULL;
	for (int i = 0; i < timeout_s * 10; i++) {
		if (l)
			json_decref(l);
		l = get_lecture(lec, "teacher");
		json_t *im = json_object_get(l, "import");
		if (!im || strcmp(jstr(im, "state") ? jstr(im, "state") : "", "downloading"))
			return l;
		usleep(100 * 1000);
	}
	return l;
}

E2E_TEST(lectures_import_refuses_private_addresses)
{
	long long id = new_lecture(test_course(), "导入拒绝");
	char p[96];
	snprintf(p, sizeof p, "/api/v1/lectures/%lld/import", id);
	static const struct {
		const char *url, *code;
	} cases[] = {
		{"http://127.0.0.1:9/x.mp4", "private_address"}, {"http://[::1]/x.mp4", "private_address"},
		{"http://10.1.2.3/x.mp4", "private_address"},    {"http://2130706433/x.mp4", "private_address"},
		{"http://169.254.169.254/latest", "private_address"}, {"ftp://example.com/x.mp4", "bad_scheme"},
		{"file:///etc/passwd", "bad_scheme"},            {"not a url", "bad_url"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char body[256];
		snprintf(body, sizeof body, "{\"url\":\"%s\"}", cases[i].url);
		resp r = e2e_req("POST", p, tok("teacher"), body, NULL);
		CHECK(r.status == 422 && strstr(r.body ? r.body : "", cases[i].code), "%s → %ld %s", cases[i].url, r.status,
		      r.body);
		resp_free(&r);
	}
	/* A name that resolves to 127.0.0.1 is refused when curl connects. */
	char body[256];
	snprintf(body, sizeof body, "{\"url\":\"http://localhost:%s/x.mp4\"}", strrchr(e2e_base, ':') + 1);
	resp r = e2e_req("POST", p, tok("teacher"), body, NULL);
	CHECK_STATUS(r, 202);
	resp_free(&r);
	json_t *l = wait_import_end(id, 30);
	json_t *im = json_object_get(l, "import");
	CHECK(im && !strcmp(jstr(im, "state"), "failed") && strstr(jstr(im, "error") ? jstr(im, "error") : "", "内网"),
	      "localhost import: %s", js(l));
	CHECK(jstr(l, "status") && !strcmp(jstr(l, "status"), "empty"), "lecture unchanged");
	json_decref(l);
	CHECK(leftover_parts() == 0, "download file left");
}

/* ---- with test settings: a 2 MB limit, private URLs allowed, a stand-in ffmpeg ---- */

static void ctl(const char *mode)
{
	FILE *f = fopen(g_ctl, "w");
	if (f) {
		fputs(mode, f);
		fclose(f);
	}
}

E2E_TEST(lectures_restart_with_test_settings)
{
	char conf[700], cwd[400];
	if (!getcwd(cwd, sizeof cwd))
		return;
	snprintf(g_ctl, sizeof g_ctl, "%s/fake_ctl", e2e_tmp);
	ctl("");
	setenv("DX_FAKE_CTL", g_ctl, 1);
	snprintf(conf, sizeof conf, "%s/dangxiao.conf", e2e_data);
	FILE *f = fopen(conf, "w");
	CHECK(f != NULL, "cannot write %s", conf);
	if (!f)
		return;
	fprintf(f, "# lecture tests\nupload_max = 2000000\nallow_private_urls = 1\ntranscode_stall_s = 2\n"
		   "ffmpeg = %s/tests/e2e/fake_ffmpeg.sh\nimport_timeout_s = 5\nupload_expire_s = 60\n",
		cwd);
	fclose(f);
	CHECK(e2e_restart() == 0, "restart with test settings");
	g_test_settings = 1;
	resp r = e2e_req("OPTIONS", "/api/v1/uploads", NULL, NULL, NULL);
	char *m = resp_header(&r, "Tus-Max-Size");
	CHECK(m && !strcmp(m, "2000000"), "Tus-Max-Size %s", m ? m : "");
	free(m);
	resp_free(&r);
}

E2E_TEST(lectures_upload_limit_and_disk_full)
{
	if (!g_test_settings || make_clips())
		return;
	long long id = new_lecture(test_course(), "太大");
	resp r = put_source(id, "big.mp4", "teacher");
	CHECK_STATUS(r, 413);
	CHECK(r.body && strstr(r.body, "上限"), "413 message: %s", r.body);
	resp_free(&r);
	/* Without Content-Length (chunked), the bytes are counted. */
	char cmd[1400], path[700];
	clip(path, sizeof path, "big.mp4");
	snprintf(cmd, sizeof cmd,
		 "cat %s | curl -s -o /dev/null -w '%%{http_code}' -T - -H 'Transfer-Encoding: chunked' "
		 "-H 'Authorization: Bearer %s' '%s/api/v1/lectures/%lld/source'",
		 path, tok("teacher"), e2e_base, id);
	char *o = sh_out(cmd);
	CHECK(o && atoi(o) == 413, "chunked over the limit: %s", o ? o : "");
	free(o);
	usleep(300 * 1000);
	CHECK(leftover_parts() == 0, "partial file left after 413");
	json_t *l = get_lecture(id, "teacher");
	CHECK(!strcmp(jstr(l, "status"), "empty"), "still empty");
	json_decref(l);

	/* A full disk: uploads/ on a 256 KiB tmpfs (needs root; skipped otherwise). */
	if (e2e_sh("mount -t tmpfs -o size=256k tmpfs %s/uploads 2>/dev/null", e2e_data) != 0) {
		fprintf(stderr, "    (skipped the full-disk case: cannot mount a tmpfs)\n");
		return;
	}
	r = put_source(id, "c720.mp4", "teacher");
	CHECK_STATUS(r, 507);
	CHECK(r.body && strstr(r.body, "disk_full") && strstr(r.body, "存储空间已满"), "507: %s", r.body);
	resp_free(&r);
	snprintf(cmd, sizeof cmd, "ls -A %s/uploads | wc -l", e2e_data);
	o = sh_out(cmd);
	CHECK(o && atoi(o) == 0, "partial file removed on a full disk: %s", o ? o : "");
	free(o);
	e2e_sh("umount %s/uploads", e2e_data);
	r = e2e_req("GET", "/api/v1/health", NULL, NULL, NULL);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	r = put_source(id, "c240.mp4", "teacher");
	CHECK_STATUS(r, 202);
	resp_free(&r);
	json_decref(wait_status(id, "ready", 60));
}

/* tus metadata for a lecture: "lecture_id BASE64". */
static void tus_meta(long long id, char *out, size_t n)
{
	char cmd[256];
	snprintf(cmd, sizeof cmd, "printf %%s %lld | base64", id);
	char *o = sh_out(cmd);
	if (o)
		o[strcspn(o, "\n")] = 0;
	snprintf(out, n, "Upload-Metadata: lecture_id %s", o ? o : "");
	free(o);
}

E2E_TEST(lectures_tus_stale_uploads_expire)
{
	if (!g_test_settings)
		return;
	long long id = new_lecture(test_course(), "过期上传");
	char meta[128];
	tus_meta(id, meta, sizeof meta);
	resp r = tus("POST", "/api/v1/uploads", "teacher", NULL, 0, NULL, "Upload-Length: 5000", meta);
	CHECK_STATUS(r, 201);
	char *loc = resp_header(&r, "Location");
	resp_free(&r);
	if (!loc)
		return;
	char data[1000] = {0};
	r = tus("PATCH", loc, "teacher", data, sizeof data, "application/offset+octet-stream", "Upload-Offset: 0", NULL);
	CHECK_STATUS(r, 204);
	char *exp = resp_header(&r, "Upload-Expires");
	CHECK(exp && strstr(exp, "GMT"), "Upload-Expires: %s", exp ? exp : "");
	free(exp);
	resp_free(&r);
	e2e_clock_advance(30); /* not yet (upload_expire_s = 60) */
	usleep(2500 * 1000);
	r = tus("HEAD", loc, "teacher", NULL, 0, NULL, NULL, NULL);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	e2e_clock_advance(61);
	long st = 0;
	for (int i = 0; i < 60 && st != 404; i++) {
		usleep(100 * 1000);
		r = tus("HEAD", loc, "teacher", NULL, 0, NULL, NULL, NULL);
		st = r.status;
		resp_free(&r);
	}
	CHECK(st == 404, "expired upload still there: %ld", st);
	char f[900];
	snprintf(f, sizeof f, "%s/uploads/tus-%s.part", e2e_data, loc + 16);
	CHECK(access(f, F_OK) != 0, "expired partial file still on disk");
	free(loc);
}

E2E_TEST(lectures_import_from_url)
{
	if (!g_test_settings || make_clips())
		return;
	char pf[700], pid[700], cmd[1600];
	snprintf(pf, sizeof pf, "%s/origin.port", e2e_tmp);
	snprintf(pid, sizeof pid, "%s/origin.pid", e2e_tmp);
	e2e_sh("node tests/e2e/media_server.mjs %s %s >/dev/null 2>&1 & echo $! > %s", g_clips, pf, pid);
	char *port = NULL;
	for (int i = 0; i < 50 && !(port && *port); i++) {
		usleep(100 * 1000);
		free(port);
		port = slurp(pf, NULL);
	}
	CHECK(port && *port, "origin server did not start");
	if (!port || !*port) {
		free(port);
		return;
	}
	long long id = new_lecture(test_course(), "网址导入");
	char p[96], body[512];
	snprintf(p, sizeof p, "/api/v1/lectures/%lld/import", id);
	static const struct {
		const char *path, *err; /* err NULL: succeeds */
	} cases[] = {
		{"/text.mp4", "不是可播放"},
		{"/big?size=3000000", "上限"},
		{"/bigchunked?size=3000000", "上限"},
		{"/redirect?n=9&to=/c720.mp4", "重定向"},
		{"/nothing.mp4", "HTTP 404"},
		{"/stall", "超时"},
		{"/redirect?n=3&to=/c720.mp4", NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		snprintf(body, sizeof body, "{\"url\":\"http://127.0.0.1:%s%s\"}", port, cases[i].path);
		resp r = e2e_req("POST", p, tok("teacher"), body, NULL);
		CHECK_STATUS(r, 202);
		resp_free(&r);
		if (i == 0) { /* one at a time per lecture */
			r = e2e_req("POST", p, tok("teacher"), body, NULL);
			CHECK(r.status == 202 || r.status == 409, "second import: %ld", r.status);
			resp_free(&r);
			usleep(300 * 1000);
		}
		json_t *l = wait_import_end(id, 20);
		json_t *im = json_object_get(l, "import");
		if (cases[i].err)
			CHECK(im && !strcmp(jstr(im, "state"), "failed") && strstr(jstr(im, "error") ? jstr(im, "error") : "", cases[i].err),
			      "%s: %s", cases[i].path, js(l));
		else
			CHECK(!im && strcmp(jstr(l, "status"), "empty"), "%s: %s", cases[i].path, js(l));
		json_decref(l);
	}
	json_t *l = wait_status(id, "ready", 60);
	CHECK(!strcmp(jstr(l, "status"), "ready"), "imported lecture: %s", jstr(l, "status"));
	json_decref(l);
	CHECK(leftover_parts() == 0, "download files left");
	snprintf(cmd, sizeof cmd, "kill $(cat %s)", pid);
	e2e_sh("%s", cmd);
	free(port);
}

E2E_TEST(lectures_cancel_queued_and_running)
{
	if (!g_test_settings || make_clips())
		return;
	long long id = new_lecture(test_course(), "取消");
	char p[96];
	snprintf(p, sizeof p, "/api/v1/lectures/%lld/cancel", id);
	resp r = e2e_req("POST", p, tok("teacher"), NULL, NULL);
	CHECK_STATUS(r, 409);
	resp_free(&r);
	ctl("slow");
	r = put_source(id, "c240.mp4", "teacher");
	CHECK_STATUS(r, 202);
	resp_free(&r);
	json_t *l = wait_status(id, "transcoding", 30);
	CHECK(!strcmp(jstr(l, "status"), "transcoding"), "running: %s", jstr(l, "status"));
	json_decref(l);
	r = e2e_req("POST", p, tok("zhangsan"), NULL, NULL);
	CHECK_STATUS(r, 403);
	resp_free(&r);
	r = e2e_req("POST", p, tok("teacher"), NULL, NULL);
	CHECK_STATUS(r, 200);
	CHECK(jstr(r.json, "status") && !strcmp(jstr(r.json, "status"), "empty"), "after cancel: %s", r.body);
	resp_free(&r);
	usleep(1500 * 1000);
	l = get_lecture(id, "teacher");
	CHECK(!strcmp(jstr(l, "status"), "empty") && json_is_null(json_object_get(l, "hls_url")), "stays cancelled: %s",
	      jstr(l, "status"));
	json_decref(l);
	CHECK(server_log_has("cancelled"), "worker logged the cancel");
	ctl("");
}

E2E_TEST(lectures_retries_then_fails_with_ffmpeg_reason)
{
	if (!g_test_settings || make_clips())
		return;
	long long id = new_lecture(test_course(), "失败重试");
	ctl("fail");
	resp r = put_source(id, "c240.mp4", "teacher");
	CHECK_STATUS(r, 202);
	resp_free(&r);
	/* Backoff 10 s, 30 s, 90 s on the test clock; four attempts in all. */
	json_t *l = NULL;
	for (int i = 0; i < 300; i++) {
		if (l)
			json_decref(l);
		l = get_lecture(id, "teacher");
		if (!strcmp(jstr(l, "status"), "failed"))
			break;
		e2e_clock_advance(5);
		usleep(100 * 1000);
	}
	CHECK(!strcmp(jstr(l, "status"), "failed"), "status %s", jstr(l, "status"));
	CHECK(jstr(l, "error") && strstr(jstr(l, "error"), "simulated encoder failure") && strstr(jstr(l, "error"), "Conversion failed"),
	      "reason: %s", jstr(l, "error"));
	json_decref(l);
	CHECK(server_log_has("attempt 3 failed") && server_log_has("failed after 4 attempt(s)"), "retries in the log");
	/* The watchdog: an ffmpeg that says nothing for 2 s is killed. */
	ctl("hang");
	long long id2 = new_lecture(test_course(), "卡死");
	r = put_source(id2, "c240.mp4", "teacher");
	CHECK_STATUS(r, 202);
	resp_free(&r);
	int seen = 0;
	for (int i = 0; i < 100 && !seen; i++) {
		usleep(100 * 1000);
		seen = server_log_has("timed out (no progress for 2 s)");
	}
	CHECK(seen, "watchdog did not fire");
	ctl("");
	/* The retry then succeeds with the real ffmpeg. */
	for (int i = 0; i < 100; i++) {
		l = get_lecture(id2, "teacher");
		int done = !strcmp(jstr(l, "status"), "ready") || !strcmp(jstr(l, "status"), "failed");
		json_decref(l);
		if (done)
			break;
		e2e_clock_advance(5);
		usleep(200 * 1000);
	}
	l = get_lecture(id2, "teacher");
	CHECK(!strcmp(jstr(l, "status"), "ready"), "after the watchdog: %s %s", jstr(l, "status"), jstr(l, "error"));
	json_decref(l);
}

E2E_TEST(lectures_restart_mid_transcode_ends_ready)
{
	if (!g_test_settings || make_clips())
		return;
	for (int hard = 0; hard < 2; hard++) {
		long long id = new_lecture(test_course(), hard ? "重启（kill -9）" : "重启");
		ctl("slow");
		resp r = put_source(id, "c240.mp4", "teacher");
		CHECK_STATUS(r, 202);
		resp_free(&r);
		json_t *l = wait_status(id, "transcoding", 30);
		CHECK(!strcmp(jstr(l, "status"), "transcoding"), "transcoding before the restart: %s", jstr(l, "status"));
		json_decref(l);
		usleep(800 * 1000); /* ffmpeg (the slow stand-in) is running now */
		if (hard) {
			e2e_kill9();
			CHECK(e2e_start_again() == 0, "start after kill -9");
		} else {
			CHECK(e2e_restart() == 0, "restart");
		}
		ctl("");
		l = wait_status(id, "ready", 90);
		CHECK(!strcmp(jstr(l, "status"), "ready"), "after %s: %s %s", hard ? "kill -9" : "restart", jstr(l, "status"),
		      jstr(l, "error"));
		json_decref(l);
	}
}

E2E_TEST(lectures_reupload_keeps_old_stream_until_ready)
{
	if (!g_test_settings || g_lec720 <= 0)
		return;
	json_t *l = get_lecture(g_lec720, "teacher");
	const char *old_poster = jstr(l, "poster_url");
	char oldp[128];
	snprintf(oldp, sizeof oldp, "%s", old_poster ? old_poster : "");
	json_decref(l);
	char mp[96];
	snprintf(mp, sizeof mp, "/media/%lld/master.m3u8", g_lec720);
	resp r = e2e_req("GET", mp, tok("zhangsan"), NULL, NULL);
	char *oldv = r.body ? strstr(r.body, "index.m3u8?v=") : NULL;
	int v1 = oldv ? atoi(oldv + 13) : -1;
	resp_free(&r);
	ctl("slow");
	r = put_source(g_lec720, "c240.mp4", "teacher");
	CHECK_STATUS(r, 202);
	resp_free(&r);
	l = wait_status(g_lec720, "transcoding", 30);
	CHECK(!strcmp(jstr(l, "status"), "transcoding") && jstr(l, "hls_url") && !strcmp(jstr(l, "poster_url"), oldp),
	      "during the new transcode the old stream is announced: %s", js(l));
	json_decref(l);
	r = e2e_req("GET", mp, tok("zhangsan"), NULL, NULL);
	CHECK_STATUS(r, 200);
	char want[32];
	snprintf(want, sizeof want, "index.m3u8?v=%d", v1);
	CHECK(r.body && strstr(r.body, want) && strstr(r.body, "1280x720"), "old master still served: %s", r.body);
	resp_free(&r);
	ctl("");
	l = wait_status(g_lec720, "ready", 240); /* a loaded 2-core machine */
	int h[8], n = count_heights(l, h, 8);
	CHECK(n == 1 && h[0] == 240, "new renditions %d", n);
	CHECK(jstr(l, "poster_url") && strcmp(jstr(l, "poster_url"), oldp), "poster URL moved to the new version");
	json_decref(l);
	r = e2e_req("GET", mp, tok("zhangsan"), NULL, NULL);
	snprintf(want, sizeof want, "index.m3u8?v=%d", v1 + 1);
	CHECK(r.body && strstr(r.body, want) && !strstr(r.body, "1280x720"), "new master: %s", r.body);
	/* Captions follow into the new version. */
	CHECK(r.body && strstr(r.body, "TYPE=SUBTITLES"), "captions kept in the new version: %s", r.body);
	resp_free(&r);
	char d[800];
	snprintf(d, sizeof d, "%s/media/%lld/%d", e2e_data, g_lec720, v1);
	struct stat st;
	/* The worker removes the old files just after it commits `ready`: wait for it a little. */
	for (int i = 0; i < 50 && stat(d, &st) == 0; i++)
		usleep(100 * 1000);
	CHECK(stat(d, &st) != 0, "old version removed: %s", d);
}

E2E_TEST(lectures_restore_default_settings)
{
	if (!g_test_settings)
		return;
	char conf[700];
	snprintf(conf, sizeof conf, "%s/dangxiao.conf", e2e_data);
	unlink(conf);
	unsetenv("DX_FAKE_CTL");
	g_test_settings = 0;
	CHECK(e2e_restart() == 0, "restart with the default settings");
}
