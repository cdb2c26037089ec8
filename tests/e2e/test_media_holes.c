/* test_media_holes.c — issue 8, items 4–6: what an upload may make the probe and the transcoder
 * open (playlists, other lectures' segments, absolute paths), non-media taken for media, the
 * probe off the HTTP threads and SIGTERM, and per-upload tus locks (70 slow PATCHes at once).
 * Media is generated with ffmpeg's lavfi sources (short, small). */
#include "e2e.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char g_dir[600];

#define FFGEN "ffmpeg -nostdin -hide_banner -loglevel error -y"

static char *tok(const char *user)
{
	static struct {
		char name[32], base[64], *tok;
	} cache[8];
	for (int i = 0; i < 8; i++)
		if (cache[i].tok && !strcmp(cache[i].name, user) && !strcmp(cache[i].base, e2e_base))
			return cache[i].tok;
	for (int i = 0; i < 8; i++)
		if (!cache[i].tok || !strcmp(cache[i].name, user)) {
			free(cache[i].tok);
			cache[i].tok = e2e_login(user, E2E_PW);
			snprintf(cache[i].name, sizeof cache[i].name, "%s", user);
			snprintf(cache[i].base, sizeof cache[i].base, "%s", e2e_base);
			return cache[i].tok;
		}
	return NULL;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
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

static void ensure_teacher2(void)
{
	resp r = e2e_req("POST", "/api/v1/users", tok("admin"),
			 "{\"username\":\"teacher2\",\"name\":\"二号老师\",\"password\":\"" E2E_PW
			 "\",\"role\":\"instructor\",\"org_id\":1}",
			 NULL);
	CHECK(r.status == 201 || r.status == 409, "teacher2: %ld", r.status);
	resp_free(&r);
}

static long long new_course(const char *user, const char *title)
{
	char body[512];
	snprintf(body, sizeof body,
		 "{\"title\":\"%s\",\"summary\":\"媒体测试\",\"category\":\"党史党建\",\"credit_hours\":1,\"body_md\":\"# 测试\"}",
		 title);
	resp r = e2e_req("POST", "/api/v1/courses", tok(user), body, NULL);
	CHECK_STATUS(r, 201);
	long long id = jint(r.json, "id");
	resp_free(&r);
	return id;
}

static long long new_lecture(const char *user, long long course, const char *title)
{
	char p[96], body[256];
	snprintf(p, sizeof p, "/api/v1/courses/%lld/lectures", course);
	snprintf(body, sizeof body, "{\"title\":\"%s\"}", title);
	resp r = e2e_req("POST", p, tok(user), body, NULL);
	CHECK_STATUS(r, 201);
	long long id = jint(r.json, "id");
	resp_free(&r);
	return id;
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

static resp put_bytes(long long lec, const char *data, size_t len, const char *ctype, const char *user)
{
	char p[96];
	snprintf(p, sizeof p, "/api/v1/lectures/%lld/source", lec);
	return e2e_req_h("PUT", p, tok(user), data, len, ctype, NULL);
}

static resp put_file(long long lec, const char *name, const char *ctype, const char *user)
{
	char path[800];
	size_t len = 0;
	snprintf(path, sizeof path, "%s/%s", g_dir, name);
	char *data = slurp(path, &len);
	CHECK(data != NULL, "test file %s missing", name);
	resp r = put_bytes(lec, data ? data : "", len, ctype, user);
	free(data);
	return r;
}

/* 1 when s contains a Latin letter (an English fragment inside a Chinese message). */
static int has_latin(const char *s)
{
	for (; s && *s; s++)
		if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z'))
			return 1;
	return 0;
}

static int jobs_of(long long lec)
{
	char cmd[900];
	snprintf(cmd, sizeof cmd, "test \"$(sqlite3 %s/dangxiao.db 'SELECT count(*) FROM jobs WHERE lecture_id = %lld')\" = 0",
		 e2e_data, lec);
	return e2e_sh("%s", cmd) == 0 ? 0 : 1;
}

static void tus_meta(long long id, char *out, size_t n)
{
	char s[32], b64[64];
	static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	snprintf(s, sizeof s, "%lld", id);
	size_t l = strlen(s), o = 0;
	for (size_t i = 0; i < l; i += 3) {
		unsigned v = (unsigned char)s[i] << 16 | (i + 1 < l ? (unsigned char)s[i + 1] << 8 : 0) |
			     (i + 2 < l ? (unsigned char)s[i + 2] : 0);
		b64[o++] = tbl[v >> 18 & 63];
		b64[o++] = tbl[v >> 12 & 63];
		b64[o++] = i + 1 < l ? tbl[v >> 6 & 63] : '=';
		b64[o++] = i + 2 < l ? tbl[v & 63] : '=';
	}
	b64[o] = 0;
	snprintf(out, n, "Upload-Metadata: lecture_id %s", b64);
}

/* Creates a tus upload of `length` bytes for the lecture; returns its path ("/api/v1/uploads/UID"). */
static char *tus_create(long long lec, long long length, const char *user)
{
	char meta[128], lenh[64];
	tus_meta(lec, meta, sizeof meta);
	snprintf(lenh, sizeof lenh, "Upload-Length: %lld", length);
	const char *hs[] = {"Tus-Resumable: 1.0.0", meta, lenh, NULL};
	resp r = e2e_req_h("POST", "/api/v1/uploads", tok(user), NULL, 0, NULL, hs);
	CHECK_STATUS(r, 201);
	char *loc = resp_header(&r, "Location");
	resp_free(&r);
	if (loc)
		loc[strcspn(loc, "\r\n")] = 0;
	return loc;
}

static resp tus_patch(const char *path, long long offset, const char *data, size_t len, const char *user)
{
	char off[64];
	snprintf(off, sizeof off, "Upload-Offset: %lld", offset);
	const char *hs[] = {"Tus-Resumable: 1.0.0", off, NULL};
	return e2e_req_h("PATCH", path, tok(user), data, len, "application/offset+octet-stream", hs);
}

static int make_media(void)
{
	if (g_dir[0])
		return 0;
	snprintf(g_dir, sizeof g_dir, "%s/media_holes", e2e_tmp);
	int rc = e2e_sh("mkdir -p %s", g_dir);
	rc |= e2e_sh(FFGEN " -f lavfi -i testsrc2=size=320x240:rate=25:duration=6 -f lavfi -i sine=duration=6"
		     " -c:v libvpx -deadline realtime -b:v 300k -c:a libopus %s/ok.webm", g_dir);
	rc |= e2e_sh(FFGEN " -f lavfi -i sine=frequency=440:duration=6 %s/ok.wav", g_dir);
	rc |= e2e_sh(FFGEN " -f lavfi -i testsrc2=size=320x240:rate=25:duration=3 -f lavfi -i sine=duration=3"
		     " -c:v libx264 -preset ultrafast -pix_fmt yuv420p -c:a aac %s/short.mp4", g_dir);
	rc |= e2e_sh(FFGEN " -f lavfi -i testsrc2=size=64x64:rate=10 -frames:v 1 %s/one.gif", g_dir);
	/* A WAV whose header promises 20 s of which a third is there. */
	rc |= e2e_sh(FFGEN " -f lavfi -i sine=duration=20 -ar 8000 -c:a adpcm_ms %s/full.wav && "
		     "head -c $(( $(stat -c %%s %s/full.wav) / 3 )) %s/full.wav > %s/short_data.wav", g_dir, g_dir, g_dir, g_dir);
	CHECK(rc == 0, "generating the test media failed");
	return rc;
}

/* Chinese text: 22 KB of it, after the six bytes of the raw AMR magic (old probe: "amr_nb", 26 s). */
static char *chinese_text(size_t *len, int amr_magic)
{
	const char *line = "坚持和加强党的全面领导，全面从严治党永远在路上。学习贯彻新时代中国特色社会主义思想。\n";
	size_t ll = strlen(line), n = 0;
	char *p = malloc(23000 + 16);
	if (amr_magic) {
		memcpy(p, "#!AMR\n", 6);
		n = 6;
	}
	while (n + ll < 22500) {
		memcpy(p + n, line, ll);
		n += ll;
	}
	p[n] = 0;
	*len = n;
	return p;
}

/* The demo lecture (id 1: the seeded academy's, owned by another instructor): 1 once it is ready
   (its transcode runs at the server's first start), 0 when it did not get there in 5 minutes. */
static int demo_lecture_ready(void)
{
	for (int i = 0; i < 3000; i++) {
		json_t *l = get_lecture(1, "admin");
		int ready = l && jstr(l, "status") && !strcmp(jstr(l, "status"), "ready");
		if (l)
			json_decref(l);
		if (ready)
			return 1;
		usleep(100 * 1000); /* real transcoding time, not the test clock */
	}
	return 0;
}

static void check_refusal(resp *r, const char *what, int status, const char *code)
{
	CHECK(r->status == status, "%s: expected %d, got %ld: %.300s", what, status, r->status, r->body ? r->body : "");
	json_t *e = json_object_get(r->json, "error");
	CHECK(jstr(e, "code") && !strcmp(jstr(e, "code"), code), "%s: code %s, want %s", what, jstr(e, "code"), code);
	const char *m = jstr(e, "message");
	CHECK(m && *m && !has_latin(m), "%s: message has English in it: %s", what, m);
}

/* ---- 4: playlists, traversal, absolute paths; the server answers and stops ---- */

E2E_TEST(media_holes_playlist_refused_server_answers_and_stops)
{
	long long target = 1;
	CHECK(demo_lecture_ready(), "the demo lecture never became ready");
	ensure_teacher2();
	long long course = new_course("teacher2", "攻击者的课程");
	long long lec = new_lecture("teacher2", course, "播放列表讲座");
	char seg[900];
	snprintf(seg, sizeof seg, "%s/media/%lld/1/v0/seg_00000.ts", e2e_data, target); /* version 1 */
	struct stat sb;
	CHECK(stat(seg, &sb) == 0, "the demo lecture's first segment %s is not there", seg);

	char live[256], rel[512], abs_[1400];
	/* A live playlist (no #EXT-X-ENDLIST): HLS waits for more segments forever. */
	snprintf(live, sizeof live, "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4,\nseg_00000.ts\n");
	snprintf(rel, sizeof rel,
		 "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4,\n../media/%lld/1/v0/seg_00000.ts\n#EXT-X-ENDLIST\n", target);
	snprintf(abs_, sizeof abs_, "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4,\n%s\n#EXT-X-ENDLIST\n", seg);
	const char *bodies[] = {live, rel, abs_};
	const char *names[] = {"live playlist", "../ playlist", "absolute playlist"};
	double t0 = now_s();
	for (int i = 0; i < 3; i++) {
		resp r = put_bytes(lec, bodies[i], strlen(bodies[i]), "video/mp4", "teacher2");
		check_refusal(&r, names[i], 415, "format_not_allowed");
		json_t *e = json_object_get(r.json, "error");
		CHECK(jstr(e, "detail") && strstr(jstr(e, "detail"), "hls"), "%s: detail %s", names[i], jstr(e, "detail"));
		resp_free(&r);
	}
	/* The same by tus (the last PATCH probes). */
	for (int i = 0; i < 3; i++) {
		size_t n = strlen(bodies[i]);
		char *up = tus_create(lec, (long long)n, "teacher2");
		CHECK(up != NULL, "tus create");
		if (!up)
			continue;
		resp r = tus_patch(up, 0, bodies[i], n, "teacher2");
		check_refusal(&r, names[i], 415, "format_not_allowed");
		resp_free(&r);
		/* A refused upload is gone. */
		const char *hs[] = {"Tus-Resumable: 1.0.0", NULL};
		r = e2e_req_h("HEAD", up, tok("teacher2"), NULL, 0, NULL, hs);
		CHECK_STATUS(r, 404);
		resp_free(&r);
		free(up);
	}
	double took = now_s() - t0;
	CHECK(took < 20, "six refusals took %.1f s", took);
	resp r = e2e_req("GET", "/api/v1/health", NULL, NULL, NULL);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	json_t *l = get_lecture(lec, "teacher2");
	CHECK(jstr(l, "status") && !strcmp(jstr(l, "status"), "empty"), "attacker's lecture: %s", jstr(l, "status"));
	CHECK(jnum(l, "duration_s") == 0, "attacker's lecture got a duration %f", jnum(l, "duration_s"));
	json_decref(l);
	CHECK(jobs_of(lec) == 0, "a transcode job was queued for the playlist");

	/* SIGTERM stops the server promptly (it waited forever on a stalled probe before). */
	t0 = now_s();
	e2e_stop();
	took = now_s() - t0;
	CHECK(took < 5, "SIGTERM took %.1f s", took);
	CHECK(e2e_start_again() == 0, "restart");
}

/* ---- 5: non-media sent as media ---- */

E2E_TEST(media_holes_non_media_refused_in_chinese)
{
	if (make_media())
		return;
	long long course = new_course("teacher", "非媒体文件测试");
	long long lec = new_lecture("teacher", course, "非媒体");
	size_t n;
	char *zh = chinese_text(&n, 1);
	resp r = put_bytes(lec, zh, n, "video/mp4", "teacher");
	check_refusal(&r, "AMR-magic Chinese text", 415, "format_not_allowed");
	resp_free(&r);
	free(zh);
	zh = chinese_text(&n, 0);
	r = put_bytes(lec, zh, n, "video/mp4", "teacher");
	check_refusal(&r, "Chinese text", 415, "not_media");
	resp_free(&r);
	free(zh);
	/* Runs of letters: the raw ADPCM demuxer ("adp") takes them at score 25. */
	char *runs = malloc(27 * 1000 + 1);
	size_t k = 0;
	for (int rep = 0; rep < 2; rep++)
		for (char c = 'A'; c <= 'Z'; c++)
			for (int i = 0; i < 500; i++)
				runs[k++] = c;
	r = put_bytes(lec, runs, k, "video/mp4", "teacher");
	check_refusal(&r, "runs of letters", 415, "format_not_allowed");
	resp_free(&r);
	free(runs);
	r = put_file(lec, "one.gif", "image/gif", "teacher");
	check_refusal(&r, "one-frame GIF", 415, "still_image");
	resp_free(&r);
	r = put_file(lec, "short_data.wav", "audio/wav", "teacher");
	check_refusal(&r, "WAV with missing data", 422, "truncated");
	resp_free(&r);
	r = put_file(lec, "short.mp4", "video/mp4", "teacher");
	check_refusal(&r, "3 s clip", 422, "too_short");
	resp_free(&r);
	json_t *l = get_lecture(lec, "teacher");
	CHECK(jstr(l, "status") && !strcmp(jstr(l, "status"), "empty"), "lecture after refusals: %s", jstr(l, "status"));
	json_decref(l);
	CHECK(jobs_of(lec) == 0, "a job was queued for non-media");

	/* The whitelist does not refuse real media: WebM and WAV are queued. */
	long long a = new_lecture("teacher", course, "WebM 讲座"), b = new_lecture("teacher", course, "WAV 讲座");
	r = put_file(a, "ok.webm", "video/webm", "teacher");
	CHECK_STATUS(r, 202);
	resp_free(&r);
	r = put_file(b, "ok.wav", "audio/wav", "teacher");
	CHECK_STATUS(r, 202);
	resp_free(&r);
}

/* ---- 6: 70 slow PATCHes do not block a new upload ---- */

/* Connection i comes from 127.0.2.(1 + i % 4): the server caps connections per client address
   (per_ip_conns, 64), and this test is about upload locks, not that cap. */
static int connect_server(int i)
{
	const char *hp = strstr(e2e_base, "//");
	const char *colon = strrchr(e2e_base, ':');
	if (!hp || !colon)
		return -1;
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(colon + 1))};
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	struct sockaddr_in src = {.sin_family = AF_INET};
	char ip[32];
	snprintf(ip, sizeof ip, "127.0.2.%d", 1 + i % 4);
	inet_pton(AF_INET, ip, &src.sin_addr);
	if (bind(fd, (struct sockaddr *)&src, sizeof src) < 0 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

#define SLOW 70

E2E_TEST(media_holes_many_slow_tus_patches_do_not_block)
{
	long long course = new_course("teacher", "并发上传测试");
	long long lec = new_lecture("teacher", course, "并发上传");
	char *ups[SLOW];
	int fds[SLOW];
	for (int i = 0; i < SLOW; i++) {
		ups[i] = tus_create(lec, 100000, "teacher");
		fds[i] = -1;
	}
	/* Each PATCH sends its headers and 10 of 100000 bytes, then waits: in progress, holding its lock. */
	for (int i = 0; i < SLOW; i++) {
		if (!ups[i])
			continue;
		fds[i] = connect_server(i);
		CHECK(fds[i] >= 0, "connect %d", i);
		if (fds[i] < 0)
			continue;
		char head[1024];
		int hl = snprintf(head, sizeof head,
				  "PATCH %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\nTus-Resumable: 1.0.0\r\n"
				  "Upload-Offset: 0\r\nContent-Type: application/offset+octet-stream\r\nContent-Length: 100000\r\n\r\n"
				  "0123456789",
				  ups[i], tok("teacher"));
		CHECK(write(fds[i], head, (size_t)hl) == hl, "write %d", i);
	}
	/* Every one of them is in progress: a second PATCH of the same upload is told it is busy. */
	int busy = 0;
	for (int i = 0; i < SLOW; i++) {
		if (!ups[i])
			continue;
		for (int tries = 0; tries < 50; tries++) {
			resp r = tus_patch(ups[i], 999999, "", 0, "teacher");
			long st = r.status;
			resp_free(&r);
			if (st == 423) {
				busy++;
				break;
			}
			usleep(100 * 1000); /* the slow PATCH's headers may not have been read yet */
		}
	}
	CHECK(busy == SLOW, "%d of %d slow PATCHes hold their upload's lock", busy, SLOW);
	/* A new upload goes ahead meanwhile. */
	char *fresh = tus_create(lec, 100, "teacher");
	CHECK(fresh != NULL, "new upload created");
	if (fresh) {
		resp r = tus_patch(fresh, 0, "0123456789012345678901234567890123456789", 40, "teacher");
		CHECK_STATUS(r, 204);
		char *off = resp_header(&r, "Upload-Offset");
		CHECK(off && atoi(off) == 40, "offset after the new PATCH: %s", off ? off : "(none)");
		free(off);
		resp_free(&r);
		free(fresh);
	}
	/* The slow ones drop their connections: each keeps what arrived, and is free again. */
	for (int i = 0; i < SLOW; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	if (ups[0]) {
		resp r = {0};
		for (int tries = 0; tries < 50; tries++) {
			resp_free(&r);
			r = tus_patch(ups[0], 10, "abcdefghij", 10, "teacher");
			if (r.status != 423)
				break;
			usleep(100 * 1000); /* the server notices the closed connection */
		}
		CHECK_STATUS(r, 204);
		resp_free(&r);
	}
	for (int i = 0; i < SLOW; i++)
		free(ups[i]);
}
