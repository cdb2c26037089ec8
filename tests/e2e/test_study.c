/* test_study.c — study tracking end to end: play, heartbeats and the rules of study time with the
 * test clock, the cheating cases (each earns nothing), completion events, the player page, and an
 * answered heartbeat surviving kill -9.
 *
 * Fixtures are written straight into the test server's database with the sqlite3 CLI (WAL lets it
 * write beside the server): a published course of teacher's with ready lectures of known duration,
 * so no test waits for transcoding. Enrolment goes through the courses API when it is there.
 */
#include "e2e.h"

#include <math.h>
#include <stdarg.h>

/* SQL on the server's database (e2e.h). */
#define sqlv e2e_sql

typedef struct fx {
	long long course, lec[4];
} fx;

static int g_seq;

/* A published course with n ready lectures of dur seconds each. */
static fx fixture(int n, double dur)
{
	fx f = {0};
	int k = ++g_seq;
	f.course = 7000 + k;
	sqlv("INSERT INTO courses(id, owner_id, title, category, status, created_at, updated_at, published_at) "
	     "VALUES (%lld, (SELECT id FROM users WHERE username='teacher'), '学习测试课%d', '测试', 'published', "
	     "strftime('%%s','now'), strftime('%%s','now'), strftime('%%s','now'))",
	     f.course, k);
	for (int i = 0; i < n && i < 4; i++) {
		f.lec[i] = 70000 + k * 10 + i;
		sqlv("INSERT INTO lectures(id, course_id, title, position, status, duration_s, media_version, created_at, "
		     "updated_at) VALUES (%lld, %lld, '第%d讲', %d, 'ready', %g, 1, strftime('%%s','now'), "
		     "strftime('%%s','now'))",
		     f.lec[i], f.course, i + 1, i, dur);
	}
	return f;
}

/* Enrols user in the course: the courses API when it exists, else straight into the table. */
static void enrol(long long course, const char *user)
{
	char *tok = e2e_login(user, E2E_PW);
	char path[80];
	snprintf(path, sizeof path, "/api/v1/courses/%lld/enroll", course);
	resp r = e2e_req("POST", path, tok, NULL, NULL);
	int ok = r.status >= 200 && r.status < 300;
	resp_free(&r);
	free(tok);
	if (!ok)
		sqlv("INSERT OR IGNORE INTO enrollments(user_id, course_id, enrolled_at) "
		     "SELECT id, %lld, strftime('%%s','now') FROM users WHERE username='%s'",
		     course, user);
	CHECK(sqlv("SELECT count(*) FROM enrollments e JOIN users u ON u.id=e.user_id WHERE u.username='%s' AND "
		   "e.course_id=%lld",
		   user, course) == 1,
	      "%s is not enrolled in %lld", user, course);
}

/* POST play; returns the session id (0 on failure; *status gets the HTTP status). */
static long long play(const char *tok, long long lec, double *resume, long *status)
{
	char path[80];
	snprintf(path, sizeof path, "/api/v1/lectures/%lld/play", lec);
	resp r = e2e_req("POST", path, tok, NULL, NULL);
	long long s = r.status == 201 ? jint(r.json, "session") : 0;
	if (resume)
		*resume = jnum(r.json, "resume_position");
	if (status)
		*status = r.status;
	resp_free(&r);
	return s;
}

static resp hb_raw(const char *tok, long long lec, const char *body)
{
	char path[80];
	snprintf(path, sizeof path, "/api/v1/lectures/%lld/heartbeat", lec);
	return e2e_req("POST", path, tok, body, NULL);
}

static resp hb(const char *tok, long long lec, long long session, double pos, int playing)
{
	char body[200];
	snprintf(body, sizeof body, "{\"session\":%lld,\"position\":%.3f,\"playing\":%s,\"rate\":1}", session, pos,
		 playing ? "true" : "false");
	return hb_raw(tok, lec, body);
}

static resp progress(const char *tok, long long lec)
{
	char path[80];
	snprintf(path, sizeof path, "/api/v1/lectures/%lld/progress", lec);
	return e2e_req("GET", path, tok, NULL, NULL);
}

static int near(double a, double b)
{
	return fabs(a - b) < 0.01;
}

/* The "intervals" of an answer as "[[a,b],…]" with %g numbers (into a static buffer). */
static const char *ivs(resp *r)
{
	static char out[512];
	json_t *a = json_object_get(r->json, "intervals");
	size_t n = 0;
	out[n++] = '[';
	for (size_t i = 0; a && i < json_array_size(a) && n < sizeof out - 64; i++) {
		json_t *iv = json_array_get(a, i);
		n += (size_t)snprintf(out + n, sizeof out - n, "%s[%g,%g]", i ? "," : "",
				      json_number_value(json_array_get(iv, 0)), json_number_value(json_array_get(iv, 1)));
	}
	snprintf(out + n, sizeof out - n, "]");
	return out;
}

static const char *res(resp *r)
{
	const char *s = jstr(r->json, "result");
	return s ? s : "(none)";
}

/* Heartbeat expecting 200 with `credit` credited and result `result`. */
#define HB_OK(tok, lec, s, pos, playing, credit, result)                                                        \
	do {                                                                                                     \
		resp r_ = hb(tok, lec, s, pos, playing);                                                         \
		CHECK_STATUS(r_, 200);                                                                           \
		CHECK(near(jnum(r_.json, "credited_s"), credit), "credited %g, expected %g (%s)",                \
		      jnum(r_.json, "credited_s"), (double)(credit), r_.body ? r_.body : "");                    \
		CHECK(!strcmp(res(&r_), result), "result %s, expected %s", res(&r_), result);                    \
		resp_free(&r_);                                                                                  \
	} while (0)

/* The server clock (now_s); iso (>= 32 bytes) gets its ISO form when given. */
static double server_now(char *iso)
{
	char *tok = e2e_login("admin", E2E_PW);
	resp r = e2e_req("POST", "/api/v1/test/clock", tok, "{\"advance_s\":0}", NULL);
	double t = jnum(r.json, "now_s");
	if (iso)
		snprintf(iso, 32, "%s", jstr(r.json, "now") ? jstr(r.json, "now") : "");
	resp_free(&r);
	free(tok);
	return t;
}

/* Seconds until the next academy midnight (the server's timezone setting). */
static double to_midnight(void)
{
	char *tok = e2e_login("admin", E2E_PW);
	resp r = e2e_req("POST", "/api/v1/test/clock", tok, "{\"advance_s\":0}", NULL);
	double left = jnum(r.json, "day_end_s") - jnum(r.json, "now_s");
	resp_free(&r);
	free(tok);
	return left;
}

/* Makes sure the academy day does not end within `room` seconds (moving to the next one if so). */
static void day_room(double room)
{
	double left = to_midnight();
	if (left < room)
		e2e_clock_advance(left + 60);
}

E2E_TEST(study_play_and_heartbeats_credit)
{
	fx f = fixture(1, 600);
	enrol(f.course, "zhangsan");
	day_room(3600);
	char *csrf = NULL;
	char *tok = e2e_login_csrf("zhangsan", E2E_PW, &csrf);
	double resume = -1;
	long st = 0;
	long long s = play(tok, f.lec[0], &resume, &st);
	CHECK(st == 201 && s > 0, "play: %ld session %lld", st, s);
	CHECK(near(resume, 0), "resume %g", resume);

	e2e_clock_advance(15);
	resp r = hb(tok, f.lec[0], s, 15, 1);
	CHECK_STATUS(r, 200);
	CHECK(near(jnum(r.json, "credited_s"), 15), "credited: %s", r.body);
	CHECK(near(jnum(r.json, "lecture_study_s"), 15) && near(jnum(r.json, "today_study_s"), 15), "totals: %s", r.body);
	CHECK(near(jnum(r.json, "coverage"), 15.0 / 600), "coverage: %s", r.body);
	CHECK(json_is_false(json_object_get(r.json, "completed")), "completed: %s", r.body);
	CHECK(!strcmp(res(&r), "credited"), "result: %s", r.body);
	resp_free(&r);

	e2e_clock_advance(15);
	HB_OK(tok, f.lec[0], s, 30, 1, 15, "credited");

	r = progress(tok, f.lec[0]);
	CHECK_STATUS(r, 200);
	CHECK(near(jnum(r.json, "lecture_study_s"), 30) && near(jnum(r.json, "today_study_s"), 30) &&
		      near(jnum(r.json, "covered_s"), 30) && near(jnum(r.json, "resume_position"), 30),
	      "progress: %s", r.body);
	CHECK(!strcmp(ivs(&r), "[[0,30]]"), "intervals: %s", r.body);
	resp_free(&r);

	/* Cookie-authenticated heartbeats need the CSRF token, like every change. */
	e2e_clock_advance(15);
	char path[80], body[120];
	snprintf(path, sizeof path, "/api/v1/lectures/%lld/heartbeat", f.lec[0]);
	snprintf(body, sizeof body, "{\"session\":%lld,\"position\":45,\"playing\":true}", s);
	r = e2e_req_cookie("POST", path, tok, NULL, body);
	CHECK_STATUS(r, 403);
	resp_free(&r);
	r = e2e_req_cookie("POST", path, tok, csrf, body);
	CHECK_STATUS(r, 200);
	CHECK(near(jnum(r.json, "credited_s"), 15), "cookie heartbeat: %s", r.body);
	resp_free(&r);

	/* Playing again resumes where the member left and closes the old session. */
	long long s2 = play(tok, f.lec[0], &resume, &st);
	CHECK(st == 201 && s2 > s && near(resume, 45), "second play: %ld %lld resume %g", st, s2, resume);
	e2e_clock_advance(15);
	r = hb(tok, f.lec[0], s, 60, 1);
	CHECK_STATUS(r, 409);
	resp_free(&r);
	HB_OK(tok, f.lec[0], s2, 60, 1, 15, "credited");
	free(tok);
	free(csrf);
}

E2E_TEST(study_heartbeat_sooner_than_5s_is_429)
{
	fx f = fixture(1, 600);
	enrol(f.course, "zhangsan");
	day_room(3600);
	char *tok = e2e_login("zhangsan", E2E_PW);
	long long s = play(tok, f.lec[0], NULL, NULL);
	e2e_clock_advance(3);
	resp r = hb(tok, f.lec[0], s, 3, 1);
	CHECK_STATUS(r, 429);
	char *ra = resp_header(&r, "Retry-After");
	CHECK(ra && atoi(ra) >= 1 && atoi(ra) <= 5, "Retry-After: %s", ra ? ra : "(none)");
	free(ra);
	resp_free(&r);
	r = progress(tok, f.lec[0]);
	CHECK(near(jnum(r.json, "lecture_study_s"), 0) && near(jnum(r.json, "covered_s"), 0), "nothing credited: %s",
	      r.body);
	resp_free(&r);
	/* The refused one did not move the anchor: 5 s after play counts all 5 s. */
	e2e_clock_advance(2);
	HB_OK(tok, f.lec[0], s, 5, 1, 5, "credited");
	r = hb(tok, f.lec[0], s, 5, 1);
	CHECK_STATUS(r, 429);
	resp_free(&r);
	free(tok);
}

E2E_TEST(study_seek_and_16x_earn_nothing)
{
	fx f = fixture(1, 600);
	enrol(f.course, "zhangsan");
	day_room(3600);
	char *tok = e2e_login("zhangsan", E2E_PW);
	long long s = play(tok, f.lec[0], NULL, NULL);
	/* 16x: 240 s of lecture in 15 s. */
	e2e_clock_advance(15);
	HB_OK(tok, f.lec[0], s, 240, 1, 0, "seek");
	resp r = progress(tok, f.lec[0]);
	CHECK(near(jnum(r.json, "covered_s"), 0) && near(jnum(r.json, "lecture_study_s"), 0), "no coverage: %s", r.body);
	resp_free(&r);
	/* Watching on from the new place counts, from there only. */
	e2e_clock_advance(15);
	HB_OK(tok, f.lec[0], s, 255, 1, 15, "credited");
	/* 2x is also faster than real time (max_rate 1): nothing. */
	e2e_clock_advance(15);
	HB_OK(tok, f.lec[0], s, 285, 1, 0, "seek");
	/* Backwards. */
	e2e_clock_advance(15);
	HB_OK(tok, f.lec[0], s, 100, 1, 0, "seek");
	/* Within the 2 s slack the credit is the smaller of wall time and advance, and the coverage
	   grows by wall time only (the slack is not free coverage). */
	e2e_clock_advance(15);
	HB_OK(tok, f.lec[0], s, 117, 1, 15, "credited");
	r = progress(tok, f.lec[0]);
	CHECK(near(jnum(r.json, "lecture_study_s"), 30) && near(jnum(r.json, "covered_s"), 30), "totals: %s", r.body);
	CHECK(!strcmp(ivs(&r), "[[100,115],[240,255]]"), "intervals: %s", r.body);
	resp_free(&r);
	free(tok);
}

E2E_TEST(study_gap_and_pause_earn_nothing)
{
	fx f = fixture(1, 600);
	enrol(f.course, "zhangsan");
	day_room(3600);
	char *tok = e2e_login("zhangsan", E2E_PW);
	long long s = play(tok, f.lec[0], NULL, NULL);
	e2e_clock_advance(61);
	HB_OK(tok, f.lec[0], s, 61, 1, 0, "gap");
	e2e_clock_advance(15);
	HB_OK(tok, f.lec[0], s, 76, 1, 15, "credited");
	e2e_clock_advance(30);
	HB_OK(tok, f.lec[0], s, 100, 0, 0, "paused");
	e2e_clock_advance(60);
	HB_OK(tok, f.lec[0], s, 160, 1, 60, "credited"); /* exactly 60 s is not yet a gap */
	free(tok);
}

E2E_TEST(study_one_session_per_member)
{
	fx f = fixture(2, 600);
	enrol(f.course, "zhangsan");
	day_room(3600);
	char *tok = e2e_login("zhangsan", E2E_PW);
	long long s1 = play(tok, f.lec[0], NULL, NULL);
	long long s2 = play(tok, f.lec[1], NULL, NULL);
	CHECK(s1 > 0 && s2 > s1, "sessions %lld %lld", s1, s2);
	e2e_clock_advance(15);
	resp r = hb(tok, f.lec[0], s1, 15, 1);
	CHECK_STATUS(r, 409);
	CHECK(r.body && strstr(r.body, "session_closed"), "code: %s", r.body);
	resp_free(&r);
	/* The newer session's id on the other lecture's URL is refused too. */
	r = hb(tok, f.lec[0], s2, 15, 1);
	CHECK_STATUS(r, 409);
	resp_free(&r);
	HB_OK(tok, f.lec[1], s2, 15, 1, 15, "credited");
	r = progress(tok, f.lec[0]);
	CHECK(near(jnum(r.json, "lecture_study_s"), 0), "the older session earned nothing: %s", r.body);
	resp_free(&r);
	/* A session that never existed. */
	e2e_clock_advance(15);
	r = hb(tok, f.lec[1], 99999999, 30, 1);
	CHECK_STATUS(r, 409);
	resp_free(&r);
	free(tok);
}

E2E_TEST(study_bad_heartbeats_are_refused)
{
	fx f = fixture(1, 600);
	enrol(f.course, "zhangsan");
	day_room(3600);
	char *tok = e2e_login("zhangsan", E2E_PW);
	long long s = play(tok, f.lec[0], NULL, NULL);
	e2e_clock_advance(15);
	static const struct {
		const char *pos; /* the raw JSON value of position */
		long want;
	} cases[] = {
		{"-1", 422}, {"-0.001", 422}, {"\"15\"", 422}, {"\"abc\"", 422}, {"null", 422}, {"true", 422},
		{"[15]", 422}, {"1e300", 422}, {"86401", 422}, {"606", 422}, {"NaN", 400}, {"Infinity", 400},
		{"1e999", 400},
	};
	char body[200];
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		snprintf(body, sizeof body, "{\"session\":%lld,\"position\":%s,\"playing\":true}", s, cases[i].pos);
		resp r = hb_raw(tok, f.lec[0], body);
		CHECK(r.status == cases[i].want, "position %s: expected %ld, got %ld %s", cases[i].pos, cases[i].want,
		      r.status, r.body ? r.body : "");
		resp_free(&r);
	}
	/* Whole bodies; "SID" stands for the session id. */
	static const struct {
		const char *body;
		long want;
	} bodies[] = {
		{"not json", 400},
		{"[1,2]", 400},
		{"{\"position\":15,\"playing\":true}", 422},
		{"{\"session\":\"x\",\"position\":15,\"playing\":true}", 422},
		{"{\"session\":1.5,\"position\":15,\"playing\":true}", 422},
		{"{\"session\":SID,\"position\":15,\"playing\":\"yes\"}", 422},
		{"{\"session\":SID,\"position\":15}", 422},
		{"{\"session\":SID,\"position\":15,\"playing\":true,\"rate\":\"16x\"}", 422},
		{"{\"session\":SID,\"position\":15,\"playing\":true,\"position\":16}", 400},
	};
	for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
		const char *b = bodies[i].body, *m = strstr(b, "SID");
		if (m)
			snprintf(body, sizeof body, "%.*s%lld%s", (int)(m - b), b, s, m + 3);
		else
			snprintf(body, sizeof body, "%s", b);
		resp r = hb_raw(tok, f.lec[0], body);
		CHECK(r.status == bodies[i].want, "%s: expected %ld, got %ld %s", body, bodies[i].want, r.status,
		      r.body ? r.body : "");
		resp_free(&r);
	}
	/* None of them credited anything or moved the anchor. */
	resp r = progress(tok, f.lec[0]);
	CHECK(near(jnum(r.json, "lecture_study_s"), 0) && near(jnum(r.json, "covered_s"), 0), "progress: %s", r.body);
	resp_free(&r);
	HB_OK(tok, f.lec[0], s, 15, 1, 15, "credited");
	free(tok);
}

E2E_TEST(study_not_enrolled_unknown_and_not_ready)
{
	fx f = fixture(1, 600);
	enrol(f.course, "zhangsan");
	day_room(3600);
	char *tz = e2e_login("zhangsan", E2E_PW), *tl = e2e_login("lisi", E2E_PW);
	long long s = play(tz, f.lec[0], NULL, NULL);
	long st = 0;
	CHECK(play(tl, f.lec[0], NULL, &st) == 0 && st == 403, "lisi play: %ld", st);
	e2e_clock_advance(15);
	resp r = hb(tl, f.lec[0], s, 15, 1);
	CHECK_STATUS(r, 403);
	CHECK(r.body && strstr(r.body, "not_enrolled"), "code: %s", r.body);
	resp_free(&r);
	r = progress(tl, f.lec[0]);
	CHECK_STATUS(r, 403);
	resp_free(&r);
	/* zhangsan's session was not disturbed. */
	HB_OK(tz, f.lec[0], s, 15, 1, 15, "credited");

	CHECK(play(tz, 999998, NULL, &st) == 0 && st == 404, "unknown lecture: %ld", st);
	r = hb(tz, 999998, s, 15, 1);
	CHECK_STATUS(r, 404);
	resp_free(&r);
	/* Not ready: still transcoding, or no duration. Members do not know a lecture without a served
	   video (issue 12): 404, as a missing one. */
	long long l2 = f.lec[0] + 5, l3 = f.lec[0] + 6;
	sqlv("INSERT INTO lectures(id, course_id, title, status, duration_s, created_at, updated_at) VALUES "
	     "(%lld, %lld, '转码中', 'transcoding', 0, 0, 0), (%lld, %lld, '无时长', 'ready', 0, 0, 0)",
	     l2, f.course, l3, f.course);
	CHECK(play(tz, l2, NULL, &st) == 0 && st == 404, "transcoding lecture: %ld", st);
	CHECK(play(tz, l3, NULL, &st) == 0 && st == 404, "lecture without duration: %ld", st);
	free(tz);
	free(tl);
}

E2E_TEST(study_another_members_session_is_409)
{
	fx f = fixture(1, 600);
	enrol(f.course, "zhangsan");
	enrol(f.course, "zhaoliu");
	day_room(3600);
	char *tz = e2e_login("zhangsan", E2E_PW), *tw = e2e_login("zhaoliu", E2E_PW);
	long long s = play(tz, f.lec[0], NULL, NULL), sw = play(tw, f.lec[0], NULL, NULL);
	CHECK(s > 0 && sw > 0, "sessions %lld %lld", s, sw);
	e2e_clock_advance(15);
	resp r = hb(tw, f.lec[0], s, 15, 1);
	CHECK_STATUS(r, 409);
	resp_free(&r);
	/* Both members' own sessions are unaffected (one session per member, not per lecture). */
	HB_OK(tz, f.lec[0], s, 15, 1, 15, "credited");
	HB_OK(tw, f.lec[0], sw, 15, 1, 15, "credited");
	free(tz);
	free(tw);
}

E2E_TEST(study_replayed_heartbeat_earns_nothing)
{
	fx f = fixture(1, 600);
	enrol(f.course, "zhangsan");
	day_room(3600);
	char *tok = e2e_login("zhangsan", E2E_PW);
	long long s = play(tok, f.lec[0], NULL, NULL);
	e2e_clock_advance(15);
	HB_OK(tok, f.lec[0], s, 15, 1, 15, "credited");
	e2e_clock_advance(15);
	HB_OK(tok, f.lec[0], s, 30, 1, 15, "credited");
	/* The same request again, later: no advance, no credit. */
	e2e_clock_advance(15);
	HB_OK(tok, f.lec[0], s, 30, 1, 0, "credited");
	/* An older one: backwards, no credit. */
	e2e_clock_advance(15);
	HB_OK(tok, f.lec[0], s, 15, 1, 0, "seek");
	resp r = progress(tok, f.lec[0]);
	CHECK(near(jnum(r.json, "lecture_study_s"), 30) && near(jnum(r.json, "covered_s"), 30), "progress: %s", r.body);
	resp_free(&r);
	/* A replay on a closed session. */
	long long s2 = play(tok, f.lec[0], NULL, NULL);
	e2e_clock_advance(15);
	r = hb(tok, f.lec[0], s, 45, 1);
	CHECK_STATUS(r, 409);
	resp_free(&r);
	(void)s2;
	free(tok);
}

E2E_TEST(study_rewatch_adds_no_coverage_and_day_is_capped)
{
	fx f = fixture(1, 40);
	enrol(f.course, "zhangsan");
	day_room(3600);
	char *tok = e2e_login("zhangsan", E2E_PW);
	long long s = play(tok, f.lec[0], NULL, NULL);
	e2e_clock_advance(15);
	HB_OK(tok, f.lec[0], s, 15, 1, 15, "credited");
	e2e_clock_advance(15);
	HB_OK(tok, f.lec[0], s, 30, 1, 15, "credited");
	e2e_clock_advance(10);
	resp r = hb(tok, f.lec[0], s, 40, 1);
	CHECK_STATUS(r, 200);
	CHECK(near(jnum(r.json, "credited_s"), 10) && near(jnum(r.json, "coverage"), 1) &&
		      json_is_true(json_object_get(r.json, "completed")),
	      "complete: %s", r.body);
	resp_free(&r);

	/* The second viewing the same day: the resume starts over, nothing more is credited. */
	double resume = -1;
	s = play(tok, f.lec[0], &resume, NULL);
	CHECK(near(resume, 0), "resume after the end: %g", resume);
	e2e_clock_advance(15);
	HB_OK(tok, f.lec[0], s, 15, 1, 0, "credited");
	e2e_clock_advance(15);
	HB_OK(tok, f.lec[0], s, 30, 1, 0, "credited");
	r = progress(tok, f.lec[0]);
	CHECK(near(jnum(r.json, "lecture_study_s"), 40) && near(jnum(r.json, "today_study_s"), 40) &&
		      near(jnum(r.json, "covered_s"), 40) && near(jnum(r.json, "coverage"), 1),
	      "capped: %s", r.body);
	resp_free(&r);

	/* The next academy day counts again, up to the duration; coverage stays whole. */
	e2e_clock_advance(to_midnight() + 60);
	s = play(tok, f.lec[0], NULL, NULL);
	e2e_clock_advance(15);
	r = hb(tok, f.lec[0], s, 15, 1);
	CHECK(near(jnum(r.json, "credited_s"), 15) && near(jnum(r.json, "today_study_s"), 15) &&
		      near(jnum(r.json, "lecture_study_s"), 55) && near(jnum(r.json, "coverage"), 1),
	      "next day: %s", r.body);
	resp_free(&r);
	CHECK(sqlv("SELECT count(*) FROM events WHERE kind='lecture_completed' AND ref=%lld", f.lec[0]) == 1,
	      "one completion event");
	free(tok);
}

E2E_TEST(study_completion_events_and_course_completion)
{
	fx f = fixture(2, 20);
	enrol(f.course, "zhangsan");
	day_room(3600);
	char *tok = e2e_login("zhangsan", E2E_PW);
	long long s = play(tok, f.lec[0], NULL, NULL);
	e2e_clock_advance(10);
	HB_OK(tok, f.lec[0], s, 10, 1, 10, "credited");
	CHECK(sqlv("SELECT count(*) FROM events WHERE kind='lecture_completed' AND ref=%lld", f.lec[0]) == 0,
	      "not complete at 50%%");
	/* 19 of 20 s is 95 %: complete. */
	e2e_clock_advance(9);
	resp r = hb(tok, f.lec[0], s, 19, 1);
	CHECK(json_is_true(json_object_get(r.json, "completed")) &&
		      json_is_false(json_object_get(r.json, "course_completed")),
	      "lecture 1 complete: %s", r.body);
	resp_free(&r);
	CHECK(sqlv("SELECT count(*) FROM events e JOIN users u ON u.id=e.user_id WHERE u.username='zhangsan' AND "
		   "e.kind='lecture_completed' AND e.ref=%lld",
		   f.lec[0]) == 1,
	      "lecture_completed event");
	CHECK(sqlv("SELECT count(*) FROM lecture_progress WHERE lecture_id=%lld AND completed_at IS NOT NULL", f.lec[0]) ==
		      1,
	      "lecture_progress.completed_at");
	CHECK(near(sqlv("SELECT progress FROM enrollments WHERE course_id=%lld", f.course), 0.5), "progress 0.5");
	CHECK(sqlv("SELECT count(*) FROM enrollments WHERE course_id=%lld AND completed_at IS NULL", f.course) == 1,
	      "course not complete yet");

	s = play(tok, f.lec[1], NULL, NULL);
	e2e_clock_advance(10);
	HB_OK(tok, f.lec[1], s, 10, 1, 10, "credited");
	e2e_clock_advance(10);
	r = hb(tok, f.lec[1], s, 20, 1);
	CHECK(json_is_true(json_object_get(r.json, "completed")) &&
		      json_is_true(json_object_get(r.json, "course_completed")),
	      "course complete: %s", r.body);
	resp_free(&r);
	CHECK(near(sqlv("SELECT progress FROM enrollments WHERE course_id=%lld", f.course), 1), "progress 1");
	CHECK(sqlv("SELECT count(*) FROM enrollments WHERE course_id=%lld AND completed_at IS NOT NULL", f.course) == 1,
	      "enrollments.completed_at");
	CHECK(sqlv("SELECT count(*) FROM events WHERE kind='course_completed' AND ref=%lld", f.course) == 1,
	      "course_completed event");
	/* Watching again records nothing twice. */
	s = play(tok, f.lec[1], NULL, NULL);
	e2e_clock_advance(10);
	HB_OK(tok, f.lec[1], s, 10, 1, 0, "credited"); /* today's cap: 20 s already */
	CHECK(sqlv("SELECT count(*) FROM events WHERE kind IN ('course_completed','lecture_completed') AND "
		   "(ref=%lld OR ref IN (%lld,%lld))",
		   f.course, f.lec[0], f.lec[1]) == 3,
	      "three events in all");
	free(tok);
}

E2E_TEST(study_player_page)
{
	fx f = fixture(2, 600);
	enrol(f.course, "zhangsan");
	char path[64];
	snprintf(path, sizeof path, "/lectures/%lld", f.lec[0]);
	char *tz = e2e_login("zhangsan", E2E_PW), *tl = e2e_login("lisi", E2E_PW), *tt = e2e_login("teacher", E2E_PW);
	resp r = e2e_req("GET", path, tz, NULL, NULL);
	CHECK_STATUS(r, 200);
	char want[96];
	snprintf(want, sizeof want, "data-hls=\"/media/%lld/master.m3u8\"", f.lec[0]);
	CHECK(r.body && strstr(r.body, want) && strstr(r.body, "data-track=\"1\"") &&
		      strstr(r.body, "data-idle-s=\"1200\"") && strstr(r.body, "今日已计学时") &&
		      strstr(r.body, "<progress id=\"cov-bar\"") && strstr(r.body, "仍在学习吗") &&
		      strstr(r.body, "/static/js/page-player.js") && strstr(r.body, "value=\"1.25\""),
	      "player page: %.500s", r.body);
	CHECK(r.body && !strstr(r.body, "style=") && !strstr(r.body, "<script>"), "no inline style or script");
	snprintf(want, sizeof want, "href=\"/lectures/%lld\"", f.lec[1]);
	CHECK(r.body && strstr(r.body, want), "links the other lecture");
	resp_free(&r);
	r = e2e_req("GET", path, tl, NULL, NULL);
	CHECK_STATUS(r, 403);
	snprintf(want, sizeof want, "href=\"/courses/%lld\"", f.course);
	CHECK(r.body && strstr(r.body, want), "points to the course page: %.300s", r.body);
	resp_free(&r);
	r = e2e_req("GET", path, tt, NULL, NULL);
	CHECK_STATUS(r, 200);
	CHECK(r.body && strstr(r.body, "data-track=\"0\""), "instructor preview");
	resp_free(&r);
	r = e2e_req("GET", path, NULL, NULL, NULL);
	CHECK_STATUS(r, 303);
	resp_free(&r);
	free(tz);
	free(tl);
	free(tt);
}

/* Last in this file: it restarts the server. */
E2E_TEST(study_kill9_keeps_answered_heartbeats)
{
	fx f = fixture(1, 600);
	enrol(f.course, "zhangsan");
	day_room(3600);
	char *tok = e2e_login("zhangsan", E2E_PW);
	long long s = play(tok, f.lec[0], NULL, NULL);
	e2e_clock_advance(15);
	HB_OK(tok, f.lec[0], s, 15, 1, 15, "credited");
	e2e_clock_advance(15);
	HB_OK(tok, f.lec[0], s, 30, 1, 15, "credited");
	char iso[32];
	double t = server_now(iso);
	e2e_kill9();
	CHECK(e2e_start_again() == 0, "restart after kill -9");
	/* The test clock restarts at real time; put it back (whole seconds, then the fraction). */
	e2e_clock_set(iso);
	e2e_clock_advance(t - floor(t));
	resp r = progress(tok, f.lec[0]);
	CHECK_STATUS(r, 200);
	CHECK(near(jnum(r.json, "lecture_study_s"), 30) && near(jnum(r.json, "today_study_s"), 30) &&
		      near(jnum(r.json, "covered_s"), 30),
	      "after kill -9: %s", r.body);
	resp_free(&r);
	/* The open session goes on. */
	e2e_clock_advance(15);
	r = hb(tok, f.lec[0], s, 45, 1);
	CHECK_STATUS(r, 200);
	CHECK(near(jnum(r.json, "credited_s"), 15), "credited after restart: %s", r.body);
	resp_free(&r);
	free(tok);
}
