/* test_study_holes.c — issue 8, items 7–10, 13, 14: completion counts every lecture that has a
 * served video (a replacement in progress or failed included), coverage belongs to the media
 * version it was watched on, no credit on withdrawn courses (records stay), instructors preview
 * their own courses only, drafts are answered exactly as missing things, and the search reads
 * only the text a member can read.
 *
 * Fixtures go straight into the server's database with the sqlite3 CLI (as in test_study.c): a
 * replacement is the transcoder's two steps, status 'transcoding'/'failed' with the old
 * media_version still served, then media_version+1 with the new duration. Time moves with the
 * test clock.
 */
#include "e2e.h"

#include <math.h>
#include <stdarg.h>

/* SQL on the server's database (e2e.h). */
#define sqlv e2e_sql

static int near(double a, double b)
{
	return fabs(a - b) < 0.01;
}

static int g_seq;

typedef struct fx {
	long long course, lec[4];
} fx;

/* A course of teacher's (published or draft) with n lectures of dur seconds, ready on version 1. */
static fx fixture(int n, double dur, int published)
{
	fx f = {0};
	int k = ++g_seq;
	f.course = 8800 + k;
	sqlv("INSERT INTO courses(id, owner_id, title, category, status, created_at, updated_at, published_at) "
	     "VALUES (%lld, (SELECT id FROM users WHERE username='teacher'), '漏洞测试课%d', '测试', '%s', "
	     "strftime('%%s','now'), strftime('%%s','now'), strftime('%%s','now'))",
	     f.course, k, published ? "published" : "draft");
	for (int i = 0; i < n && i < 4; i++) {
		f.lec[i] = 88000 + k * 10 + i;
		sqlv("INSERT INTO lectures(id, course_id, title, position, status, duration_s, media_version, created_at, "
		     "updated_at) VALUES (%lld, %lld, '草稿讲次标题%d_%d', %d, 'ready', %g, 1, strftime('%%s','now'), "
		     "strftime('%%s','now'))",
		     f.lec[i], f.course, k, i + 1, i, dur);
	}
	return f;
}

/* "PRE%lldSUF" of a route written as "PRE{}SUF" (the id's place). */
static void route_path(char *out, size_t n, const char *route, long long id)
{
	const char *at = strstr(route, "{}");
	snprintf(out, n, "%.*s%lld%s", (int)(at - route), route, id, at + 2);
}

static resp post(const char *tok, const char *route, long long id, const char *body)
{
	char path[128];
	route_path(path, sizeof path, route, id);
	return e2e_req("POST", path, tok, body, NULL);
}

static resp get(const char *tok, const char *route, long long id)
{
	char path[128];
	route_path(path, sizeof path, route, id);
	return e2e_req("GET", path, tok, NULL, NULL);
}

static void enrol(long long course, const char *user)
{
	char *tok = e2e_login(user, E2E_PW);
	resp r = post(tok, "/api/v1/courses/{}/enroll", course, NULL);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	free(tok);
}

static long long play(const char *tok, long long lec, long *status)
{
	resp r = post(tok, "/api/v1/lectures/{}/play", lec, NULL);
	long long s = r.status == 201 ? jint(r.json, "session") : 0;
	if (status)
		*status = r.status;
	resp_free(&r);
	return s;
}

static resp hb(const char *tok, long long lec, long long session, double pos)
{
	char body[200];
	snprintf(body, sizeof body, "{\"session\":%lld,\"position\":%.3f,\"playing\":true,\"rate\":1}", session, pos);
	return post(tok, "/api/v1/lectures/{}/heartbeat", lec, body);
}

/* Heartbeat expected to be accepted; returns the answer's "completed". */
static int hb_ok(const char *tok, long long lec, long long s, double pos, double credit)
{
	resp r = hb(tok, lec, s, pos);
	CHECK_STATUS(r, 200);
	CHECK(near(jnum(r.json, "credited_s"), credit), "lecture %lld at %g: credited %g, expected %g: %s", lec, pos,
	      jnum(r.json, "credited_s"), credit, r.body ? r.body : "");
	int done = json_is_true(json_object_get(r.json, "completed"));
	resp_free(&r);
	return done;
}

/* Seconds until the academy's next midnight (UTC+8); moves to the next day when fewer than room. */
static void day_room(double room)
{
	char *tok = e2e_login("admin", E2E_PW);
	resp r = e2e_req("POST", "/api/v1/test/clock", tok, "{\"advance_s\":0}", NULL);
	double t = jnum(r.json, "now_s") + 8 * 3600;
	resp_free(&r);
	free(tok);
	double left = 86400 - fmod(t, 86400);
	if (left < room)
		e2e_clock_advance(left + 60);
}

/* Watches a lecture of dur seconds (a multiple of 10) from 0 to the end in one session. */
static void watch_all(const char *tok, long long lec, int dur)
{
	long st = 0;
	long long s = play(tok, lec, &st);
	CHECK(st == 201, "play %lld: %ld", lec, st);
	int done = 0;
	for (int pos = 10; pos <= dur; pos += 10) {
		e2e_clock_advance(10);
		done = hb_ok(tok, lec, s, pos, 10);
	}
	CHECK(done, "lecture %lld complete after watching it all", lec);
}

static int course_completed(long long course, const char *user)
{
	return sqlv("SELECT count(*) FROM enrollments e JOIN users u ON u.id=e.user_id WHERE u.username='%s' AND "
		    "e.course_id=%lld AND e.completed_at IS NOT NULL",
		    user, course) == 1;
}

/* 7. A lecture being replaced (transcoding, or its replacement failed) is still required, and
   playable from its previous version; one that never had a video is not required. */
E2E_TEST(holes_completion_needs_lectures_being_replaced)
{
	fx f = fixture(4, 20, 1);
	/* B: replacement transcoding; C: replacement failed; both still serve version 1. D never had a
	   video. */
	sqlv("UPDATE lectures SET status='transcoding' WHERE id=%lld", f.lec[1]);
	sqlv("UPDATE lectures SET status='failed', error='x' WHERE id=%lld", f.lec[2]);
	sqlv("UPDATE lectures SET status='empty', media_version=0, duration_s=0 WHERE id=%lld", f.lec[3]);
	enrol(f.course, "wangwu");
	day_room(3600);
	char *tok = e2e_login("wangwu", E2E_PW);
	watch_all(tok, f.lec[0], 20);
	CHECK(!course_completed(f.course, "wangwu"), "course not complete with lectures being replaced unwatched");
	CHECK(near(sqlv("SELECT progress FROM enrollments e JOIN users u ON u.id=e.user_id WHERE u.username='wangwu' "
			"AND course_id=%lld",
			f.course),
		   1.0 / 3),
	      "progress counts 3 lectures");

	/* The lecture being replaced plays (its previous version) on the page and through the API. */
	resp r = get(tok, "/lectures/{}", f.lec[1]);
	CHECK_STATUS(r, 200);
	CHECK(r.body && strstr(r.body, "data-hls=") && strstr(r.body, "data-track=\"1\""), "player for the served version");
	resp_free(&r);
	r = get(tok, "/courses/{}", f.course);
	char link[64];
	snprintf(link, sizeof link, "href=\"/lectures/%lld\"", f.lec[2]);
	CHECK(r.body && strstr(r.body, link), "the course page links the lecture whose replacement failed");
	resp_free(&r);
	watch_all(tok, f.lec[1], 20);
	CHECK(!course_completed(f.course, "wangwu"), "still one lecture to go");
	watch_all(tok, f.lec[2], 20);
	CHECK(course_completed(f.course, "wangwu"), "complete with every lecture that has a video");
	long st = 0;
	/* A lecture without a video is unknown to members (issue 12): 404, as a missing one. */
	CHECK(play(tok, f.lec[3], &st) == 0 && st == 404, "a lecture without a video does not play: %ld", st);
	free(tok);
}

/* 8. 30 s of a 600 s lecture do not complete its 20 s replacement; what was earned is kept. */
E2E_TEST(holes_coverage_belongs_to_its_version)
{
	fx f = fixture(2, 600, 1);
	enrol(f.course, "wangwu");
	day_room(7200);
	char *tok = e2e_login("wangwu", E2E_PW);
	long st = 0;
	long long s = play(tok, f.lec[0], &st);
	CHECK(st == 201, "play: %ld", st);
	e2e_clock_advance(15);
	hb_ok(tok, f.lec[0], s, 15, 15);
	e2e_clock_advance(15);
	hb_ok(tok, f.lec[0], s, 30, 15);

	/* The instructor's replacement, 20 s long, becomes ready (version 2). */
	sqlv("UPDATE lectures SET status='ready', media_version=2, duration_s=20 WHERE id=%lld", f.lec[0]);
	/* The session opened on version 1 is over: its positions mean nothing on the new video. */
	e2e_clock_advance(15);
	resp r = hb(tok, f.lec[0], s, 45);
	CHECK_STATUS(r, 409);
	CHECK(r.body && strstr(r.body, "media_changed"), "code: %s", r.body);
	resp_free(&r);
	r = get(tok, "/api/v1/lectures/{}/progress", f.lec[0]);
	CHECK_STATUS(r, 200);
	CHECK(near(jnum(r.json, "coverage"), 0) && !json_is_true(json_object_get(r.json, "completed")) &&
		      near(jnum(r.json, "lecture_study_s"), 30),
	      "new video: coverage afresh, study time kept: %s", r.body);
	resp_free(&r);

	/* Tomorrow (today's study of the lecture is capped at its new, shorter duration). */
	day_room(86400);
	s = play(tok, f.lec[0], &st);
	CHECK(st == 201, "play the new version: %ld", st);
	e2e_clock_advance(6);
	int done = hb_ok(tok, f.lec[0], s, 6, 6);
	CHECK(!done, "6 s of the 20 s video do not complete it (the 30 s were of the old one)");
	CHECK(sqlv("SELECT count(*) FROM lecture_progress p JOIN users u ON u.id=p.user_id WHERE u.username='wangwu' "
		   "AND p.lecture_id=%lld AND p.completed_at IS NOT NULL",
		   f.lec[0]) == 0,
	      "not completed");
	CHECK(near(sqlv("SELECT covered_s FROM coverage_history h JOIN users u ON u.id=h.user_id "
			"WHERE u.username='wangwu' AND h.lecture_id=%lld AND h.cov_version=1 AND h.duration_s=600",
			f.lec[0]),
		   30),
	      "the 30 s on version 1 are recorded");
	CHECK(near(sqlv("SELECT study_s FROM lecture_progress p JOIN users u ON u.id=p.user_id WHERE u.username='wangwu' "
			"AND p.lecture_id=%lld",
			f.lec[0]),
		   36),
	      "study time credited stays: 30 + 6");
	/* Watching the new video to its end completes it. */
	e2e_clock_advance(7);
	hb_ok(tok, f.lec[0], s, 13, 7);
	e2e_clock_advance(7);
	CHECK(hb_ok(tok, f.lec[0], s, 20, 7), "complete after watching the new video");

	/* A completed lecture stays completed when a longer replacement arrives. */
	sqlv("UPDATE lectures SET media_version=3, duration_s=600 WHERE id=%lld", f.lec[0]);
	r = get(tok, "/api/v1/lectures/{}/progress", f.lec[0]);
	CHECK(json_is_true(json_object_get(r.json, "completed")) && near(jnum(r.json, "coverage"), 0),
	      "still completed, coverage of the new video afresh: %s", r.body);
	resp_free(&r);
	s = play(tok, f.lec[0], &st);
	e2e_clock_advance(10);
	r = hb(tok, f.lec[0], s, 10);
	CHECK(json_is_true(json_object_get(r.json, "completed")) && near(jnum(r.json, "covered_s"), 10),
	      "heartbeat on the new video: completed stays, coverage 10 s: %s", r.body);
	resp_free(&r);
	/* A re-encode of the same length keeps coverage. */
	sqlv("UPDATE lectures SET media_version=4 WHERE id=%lld", f.lec[0]);
	r = get(tok, "/api/v1/lectures/{}/progress", f.lec[0]);
	CHECK(near(jnum(r.json, "covered_s"), 10), "same duration: coverage kept: %s", r.body);
	resp_free(&r);
	free(tok);
}

/* 9. After unpublishing: no play, no credit; what was earned stays visible. */
E2E_TEST(holes_no_credit_after_unpublish)
{
	fx f = fixture(1, 600, 1);
	enrol(f.course, "wangwu");
	day_room(3600);
	char *tok = e2e_login("wangwu", E2E_PW), *t = e2e_login("teacher", E2E_PW);
	long st = 0;
	long long s = play(tok, f.lec[0], &st);
	e2e_clock_advance(15);
	hb_ok(tok, f.lec[0], s, 15, 15);
	resp r = post(t, "/api/v1/courses/{}/unpublish", f.course, NULL);
	CHECK_STATUS(r, 200);
	resp_free(&r);

	e2e_clock_advance(15);
	r = hb(tok, f.lec[0], s, 30);
	CHECK_STATUS(r, 404);
	resp_free(&r);
	resp a = post(tok, "/api/v1/lectures/{}/play", f.lec[0], NULL);
	resp b = post(tok, "/api/v1/lectures/{}/play", 999999, NULL);
	CHECK(a.status == 404 && b.status == 404 && a.body && b.body && !strcmp(a.body, b.body),
	      "play: as for a missing lecture: %ld %s / %ld %s", a.status, a.body, b.status, b.body);
	resp_free(&a);
	resp_free(&b);
	CHECK(near(sqlv("SELECT study_s FROM lecture_progress p JOIN users u ON u.id=p.user_id WHERE u.username='wangwu' "
			"AND p.lecture_id=%lld",
			f.lec[0]),
		   15),
	      "nothing credited after unpublishing");

	/* Records stay: progress, "my courses", the course object. */
	r = get(tok, "/api/v1/lectures/{}/progress", f.lec[0]);
	CHECK_STATUS(r, 200);
	CHECK(near(jnum(r.json, "lecture_study_s"), 15), "progress kept: %s", r.body);
	resp_free(&r);
	r = e2e_req("GET", "/api/v1/courses?mine=1", tok, NULL, NULL);
	int found = 0;
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(r.json, "courses"), i, c) if (jint(c, "id") == f.course) found = 1;
	CHECK(found, "the withdrawn course stays in my courses: %.300s", r.body);
	resp_free(&r);
	r = get(tok, "/courses/{}", f.course);
	CHECK_STATUS(r, 200);
	CHECK(r.body && strstr(r.body, "id=\"withdrawn\"") && !strstr(r.body, "href=\"/lectures/"),
	      "course page: withdrawn, no lecture links");
	resp_free(&r);
	/* Another member, never enrolled, does not see it at all. */
	char *z = e2e_login("zhaoliu", E2E_PW);
	r = get(z, "/api/v1/courses/{}", f.course);
	CHECK_STATUS(r, 404);
	resp_free(&r);
	free(z);
	free(tok);
	free(t);
}

/* 10. Instructors: another instructor's course is studied as by anyone; their own is preview only. */
E2E_TEST(holes_instructor_own_course_preview_only)
{
	char *adm = e2e_login("admin", E2E_PW);
	resp r = e2e_req("POST", "/api/v1/users", adm,
			 "{\"username\":\"teacher3\",\"name\":\"钱老师\",\"password\":\"" E2E_PW "\",\"role\":\"instructor\","
			 "\"org_id\":1}",
			 NULL);
	CHECK(r.status == 201 || r.status == 409, "teacher3: %ld %s", r.status, r.body);
	resp_free(&r);
	free(adm);
	fx f = fixture(1, 600, 1);
	day_room(3600);
	char *t = e2e_login("teacher", E2E_PW), *t3 = e2e_login("teacher3", E2E_PW);

	r = post(t, "/api/v1/courses/{}/enroll", f.course, NULL);
	CHECK_STATUS(r, 409);
	CHECK(r.body && strstr(r.body, "own_course") && strstr(r.body, "自己的课程"), "clear answer: %s", r.body);
	resp_free(&r);
	CHECK(sqlv("SELECT count(*) FROM enrollments WHERE course_id=%lld", f.course) == 0, "not enrolled");
	/* Even enrolled (say, from before this rule), the owner earns nothing. */
	sqlv("INSERT INTO enrollments(user_id, course_id, enrolled_at) SELECT id, %lld, 0 FROM users WHERE "
	     "username='teacher'",
	     f.course);
	long st = 0;
	CHECK(play(t, f.lec[0], &st) == 0 && st == 403, "owner's play: %ld", st);
	r = hb(t, f.lec[0], 1, 15);
	CHECK_STATUS(r, 403);
	CHECK(r.body && strstr(r.body, "preview_only"), "heartbeat: %s", r.body);
	resp_free(&r);
	r = get(t, "/lectures/{}", f.lec[0]);
	CHECK_STATUS(r, 200);
	CHECK(r.body && strstr(r.body, "data-track=\"0\"") && strstr(r.body, "data-hls="), "owner previews the video");
	resp_free(&r);
	CHECK(sqlv("SELECT count(*) FROM lecture_progress WHERE lecture_id=%lld", f.lec[0]) == 0, "no progress for the owner");

	/* Another instructor studies it like a member. */
	r = post(t3, "/api/v1/courses/{}/enroll", f.course, NULL);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	long long s = play(t3, f.lec[0], &st);
	CHECK(st == 201, "teacher3 plays: %ld", st);
	e2e_clock_advance(15);
	hb_ok(t3, f.lec[0], s, 15, 15);
	free(t);
	free(t3);
}

/* Two answers are the same: status and body bytes. */
static void same_answer(resp *a, resp *b, const char *what)
{
	CHECK(a->status == b->status && a->len == b->len && a->body && b->body && !memcmp(a->body, b->body, a->len),
	      "%s: %ld (%zu bytes) vs %ld (%zu bytes): %.200s | %.200s", what, a->status, a->len, b->status, b->len,
	      a->body ? a->body : "", b->body ? b->body : "");
}

/* 13. A draft's lecture and course are answered exactly as missing ones, on pages and the API. */
E2E_TEST(holes_drafts_answered_as_missing)
{
	fx f = fixture(1, 600, 0);
	const char *users[] = {"zhangsan", "teacher2x"};
	char *adm = e2e_login("admin", E2E_PW);
	resp r = e2e_req("POST", "/api/v1/users", adm,
			 "{\"username\":\"teacher2x\",\"name\":\"孙老师\",\"password\":\"" E2E_PW "\",\"role\":\"instructor\","
			 "\"org_id\":1}",
			 NULL);
	resp_free(&r);
	free(adm);
	static const struct {
		const char *method, *path;
		int course;
	} routes[] = {
		{"GET", "/lectures/{}", 0},
		{"GET", "/api/v1/lectures/{}", 0},
		{"POST", "/api/v1/lectures/{}/play", 0},
		{"GET", "/api/v1/lectures/{}/progress", 0},
		{"GET", "/media/{}/master.m3u8", 0},
		{"GET", "/courses/{}", 1},
		{"GET", "/api/v1/courses/{}", 1},
		{"POST", "/api/v1/courses/{}/enroll", 1},
	};
	for (size_t u = 0; u < 2; u++) {
		char *tok = e2e_login(users[u], E2E_PW);
		for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
			char p1[128], p2[128], what[200];
			route_path(p1, sizeof p1, routes[i].path, routes[i].course ? f.course : f.lec[0]);
			route_path(p2, sizeof p2, routes[i].path, 999999LL);
			resp a = e2e_req(routes[i].method, p1, tok, NULL, NULL);
			resp b = e2e_req(routes[i].method, p2, tok, NULL, NULL);
			snprintf(what, sizeof what, "%s %s %s", users[u], routes[i].method, routes[i].path);
			same_answer(&a, &b, what);
			CHECK(a.status == 404, "%s: 404, got %ld", what, a.status);
			CHECK(!a.body || !strstr(a.body, "草稿讲次标题"), "%s: the draft's title is not shown", what);
			resp_free(&a);
			resp_free(&b);
		}
		char body[] = "{\"session\":1,\"position\":5,\"playing\":true}";
		resp a = post(tok, "/api/v1/lectures/{}/heartbeat", f.lec[0], body);
		resp b = post(tok, "/api/v1/lectures/{}/heartbeat", 999999, body);
		same_answer(&a, &b, "heartbeat");
		resp_free(&a);
		resp_free(&b);
		free(tok);
	}
	/* The owner still previews the draft. */
	char *t = e2e_login("teacher", E2E_PW);
	r = get(t, "/lectures/{}", f.lec[0]);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	free(t);
}

/* Whether a catalog search as zhangsan finds course id. */
static int search_finds(const char *q, long long id)
{
	char *tok = e2e_login("zhangsan", E2E_PW);
	char *esc = NULL, path[512];
	/* percent-encode the query */
	size_t n = strlen(q);
	esc = malloc(n * 3 + 1);
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += (size_t)sprintf(esc + k, "%%%02X", (unsigned char)q[i]);
	esc[k] = 0;
	snprintf(path, sizeof path, "/api/v1/courses?q=%s&per_page=50", esc);
	resp r = e2e_req("GET", path, tok, NULL, NULL);
	int found = 0;
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(r.json, "courses"), i, c) if (jint(c, "id") == id) found = 1;
	resp_free(&r);
	free(esc);
	free(tok);
	return found;
}

/* 14. The search matches what members can read of a course, not its Markdown source. */
E2E_TEST(holes_search_reads_only_visible_text)
{
	char *t = e2e_login("teacher", E2E_PW);
	json_t *j = json_pack("{s:s,s:s,s:s,s:s}", "title", "检索可见文字课", "category", "政治理论", "summary", "摘要甲乙丙",
			      "body_md",
			      "可见的正文内容丁戊己\n\n<div>隐藏的秘密文字庚辛</div>\n\n<!-- 注释里的暗号壬癸 -->\n\n"
			      "行内<span>标签里的字子丑</span>结束\n\n学习&amp;实践寅卯\n\n[链接文字辰巳](javascript:alert(1))\n");
	char *s = json_dumps(j, 0);
	resp r = e2e_req("POST", "/api/v1/courses", t, s, NULL);
	CHECK_STATUS(r, 201);
	long long id = jint(r.json, "id");
	resp_free(&r);
	free(s);
	json_decref(j);
	r = e2e_publish(t, id);
	CHECK_STATUS(r, 200);
	resp_free(&r);

	CHECK(search_finds("可见的正文内容", id), "visible body text is found");
	CHECK(search_finds("摘要甲乙丙", id), "summary is found");
	CHECK(search_finds("学习&实践寅卯", id), "entities are searched decoded");
	CHECK(search_finds("链接文字辰巳", id), "a link's text is found");
	CHECK(!search_finds("隐藏的秘密文字", id), "raw HTML block is not searched");
	CHECK(!search_finds("注释里的暗号", id), "an HTML comment is not searched");
	CHECK(!search_finds("暗号", id), "nor with a short (LIKE) term");
	CHECK(!search_finds("span", id), "tags are not searched");
	CHECK(!search_finds("javascript", id), "a dropped URL is not searched");
	CHECK(!search_finds("amp;", id), "entity source is not searched");

	/* An edit re-indexes. */
	char path[96];
	snprintf(path, sizeof path, "/api/v1/courses/%lld", id);
	r = e2e_req("PATCH", path, t, "{\"body_md\":\"新的正文午未申\\n\\n<p>藏起来的酉戌</p>\"}", NULL);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	CHECK(search_finds("新的正文午未申", id) && !search_finds("可见的正文内容", id) && !search_finds("藏起来的酉戌", id),
	      "the edited body is what is searched");

	/* A database from before: the index holds the Markdown source and body_text is missing. After
	   a restart, the index holds the readable text again. */
	sqlv("UPDATE courses SET body_text=NULL WHERE id=%lld", id);
	sqlv("UPDATE courses_fts SET body=(SELECT body_md FROM courses WHERE id=%lld) WHERE rowid=%lld", id, id);
	CHECK(search_finds("藏起来的酉戌", id), "(the old index reads hidden text)");
	CHECK(e2e_restart() == 0, "restart");
	CHECK(!search_finds("藏起来的酉戌", id) && search_finds("新的正文午未申", id), "rebuilt on start: readable text only");
	free(t);
}
