/* test_clock.c — the academy's day: the daily study cap resets at local midnight of the `timezone`
 * setting (default Asia/Shanghai), not at UTC midnight; another setting moves the boundary; a name
 * that is not a zone of the tz database is refused at start-up. Also the harness's own guarantee
 * that a transport failure is never read as an answer.
 */
#include "e2e.h"

#include <math.h>
#include <stdarg.h>

/* Runs SQL on the server's database (WAL lets the sqlite3 CLI write beside the server). */
static void sql(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sql(const char *fmt, ...)
{
	char q[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(q, sizeof q, fmt, ap);
	va_end(ap);
	CHECK(e2e_sh("sqlite3 -cmd '.timeout 10000' %s/dangxiao.db \"%s\" >/dev/null", e2e_data, q) == 0, "sql: %s",
	      q);
}

/* A published course of teacher's with one ready 40 s lecture; zhangsan enrolled. Returns the lecture. */
static long long fixture(int k)
{
	long long course = 8800 + k, lec = 88000 + k;
	sql("INSERT INTO courses(id, owner_id, title, category, status, created_at, updated_at, published_at) "
	    "VALUES (%lld, (SELECT id FROM users WHERE username='teacher'), '时区测试课%d', '测试', 'published', "
	    "strftime('%%s','now'), strftime('%%s','now'), strftime('%%s','now'))",
	    course, k);
	sql("INSERT INTO lectures(id, course_id, title, position, status, duration_s, media_version, created_at, "
	    "updated_at) VALUES (%lld, %lld, '第1讲', 0, 'ready', 40, 1, strftime('%%s','now'), strftime('%%s','now'))",
	    lec, course);
	char *tok = e2e_login("zhangsan", E2E_PW);
	char path[80];
	snprintf(path, sizeof path, "/api/v1/courses/%lld/enroll", course);
	resp r = e2e_req("POST", path, tok, NULL, NULL);
	CHECK(r.status >= 200 && r.status < 300, "enrol: %ld %s", r.status, r.body ? r.body : "");
	resp_free(&r);
	free(tok);
	return lec;
}

static double beat(const char *tok, long long lec, long long s, double pos, double *today);

/* Opens a playback session at the start of the lecture: when play resumes elsewhere, the player
   seeks back to 0 (a seek credits nothing and re-anchors there). */
static long long play(const char *tok, long long lec)
{
	char path[80];
	snprintf(path, sizeof path, "/api/v1/lectures/%lld/play", lec);
	resp r = e2e_req("POST", path, tok, NULL, NULL);
	CHECK_STATUS(r, 201);
	long long s = r.status == 201 ? jint(r.json, "session") : 0;
	double resume = jnum(r.json, "resume_position");
	resp_free(&r);
	if (resume > 0.001) {
		e2e_clock_advance(5);
		double c = beat(tok, lec, s, 0, NULL);
		CHECK(c == 0, "seek back to 0 credited %g", c);
	}
	return s;
}

/* One heartbeat at position pos; returns credited_s (-1 when refused) and today's study time. */
static double beat(const char *tok, long long lec, long long s, double pos, double *today)
{
	char path[80], body[160];
	snprintf(path, sizeof path, "/api/v1/lectures/%lld/heartbeat", lec);
	snprintf(body, sizeof body, "{\"session\":%lld,\"position\":%.3f,\"playing\":true,\"rate\":1}", s, pos);
	resp r = e2e_req("POST", path, tok, body, NULL);
	CHECK_STATUS(r, 200);
	double c = r.status == 200 ? jnum(r.json, "credited_s") : -1;
	if (today)
		*today = jnum(r.json, "today_study_s");
	resp_free(&r);
	return c;
}

/* Watches 15 s of the lecture from its start in a new session; returns what was credited. */
static double watch15(const char *tok, long long lec, double *today)
{
	long long s = play(tok, lec);
	e2e_clock_advance(15);
	return beat(tok, lec, s, 15, today);
}

/* Watches the whole 40 s lecture: today's cap (its duration) is reached. */
static void watch_all(const char *tok, long long lec)
{
	long long s = play(tok, lec);
	double today = -1;
	for (int p = 10; p <= 40; p += 10) {
		e2e_clock_advance(10);
		beat(tok, lec, s, p, &today);
	}
	CHECK(fabs(today - 40) < 0.01, "whole lecture: today %g", today);
}

/* The academy's day as the test clock endpoint reports it. */
static void clock_day(char *day, double *end_in)
{
	char *tok = e2e_login("admin", E2E_PW);
	resp r = e2e_req("POST", "/api/v1/test/clock", tok, "{\"advance_s\":0}", NULL);
	CHECK_STATUS(r, 200);
	snprintf(day, 16, "%s", jstr(r.json, "day") ? jstr(r.json, "day") : "");
	*end_in = jnum(r.json, "day_end_s") - jnum(r.json, "now_s");
	resp_free(&r);
	free(tok);
}

E2E_TEST(clock_daily_cap_resets_at_shanghai_midnight_not_utc)
{
	long long lec = fixture(1);
	char *tok = e2e_login("zhangsan", E2E_PW);
	char day[16];
	double end_in;
	/* 23:40 in Shanghai on 10 March (15:40 UTC) */
	e2e_clock_set("2026-03-10T15:40:00Z");
	clock_day(day, &end_in);
	CHECK(!strcmp(day, "2026-03-10") && fabs(end_in - 1200) < 1, "day %s, ends in %g s", day, end_in);
	watch_all(tok, lec);
	double today = -1, c = watch15(tok, lec, &today);
	CHECK(c == 0 && fabs(today - 40) < 0.01, "capped before midnight: credited %g, today %g", c, today);
	/* 00:01 in Shanghai (16:01 UTC, still the 10th in UTC): a new day, the cap starts over */
	e2e_clock_set("2026-03-10T16:01:00Z");
	clock_day(day, &end_in);
	CHECK(!strcmp(day, "2026-03-11"), "day after local midnight: %s", day);
	c = watch15(tok, lec, &today);
	CHECK(fabs(c - 15) < 0.01 && fabs(today - 15) < 0.01, "after local midnight: credited %g, today %g", c, today);
	watch_all(tok, lec);
	/* UTC midnight (08:00 in Shanghai) is no boundary: still capped */
	e2e_clock_set("2026-03-11T00:01:00Z");
	c = watch15(tok, lec, &today);
	CHECK(c == 0 && today >= 40 - 0.01, "UTC midnight resets nothing: credited %g, today %g", c, today);
	free(tok);
}

E2E_TEST(clock_timezone_setting_moves_the_academy_day)
{
	/* New York, daylight saving time since 8 March 2026: local midnight is 04:00 UTC. A new server
	   (e2e_start stops the running one). */
	int up = e2e_start("--set timezone=America/New_York");
	CHECK(up == 0, "server with timezone=America/New_York");
	if (up != 0) {
		CHECK(e2e_start(NULL) == 0, "default server");
		return;
	}
	long long lec = fixture(2);
	char *tok = e2e_login("zhangsan", E2E_PW);
	char day[16];
	double end_in;
	/* 16:30 UTC on the 10th: past Shanghai's midnight, 12:30 in New York */
	e2e_clock_set("2026-03-10T16:30:00Z");
	clock_day(day, &end_in);
	CHECK(!strcmp(day, "2026-03-10") && fabs(end_in - 11.5 * 3600) < 1, "day %s, ends in %g s", day, end_in);
	watch_all(tok, lec);
	/* 03:50 UTC on the 11th: the 11th in Shanghai and in UTC, 23:50 on the 10th in New York */
	e2e_clock_set("2026-03-11T03:50:00Z");
	double today = -1, c = watch15(tok, lec, &today);
	CHECK(c == 0 && fabs(today - 40) < 0.01, "same New York day: credited %g, today %g", c, today);
	e2e_clock_set("2026-03-11T04:01:00Z");
	clock_day(day, &end_in);
	CHECK(!strcmp(day, "2026-03-11"), "New York's next day: %s", day);
	c = watch15(tok, lec, &today);
	CHECK(fabs(c - 15) < 0.01 && fabs(today - 15) < 0.01, "after New York midnight: credited %g, today %g", c,
	      today);
	free(tok);
	e2e_stop();
	/* back to a default server for the tests after this one */
	CHECK(e2e_start(NULL) == 0, "default server");
}

E2E_TEST(clock_timezone_setting_refuses_unknown_zones)
{
	const char *bad[] = {"Mars/Olympus", "../../../etc/passwd", "UTC+8", "Asia"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		int rc = e2e_sh("bin/dangxiao-san serve --data %s --listen 127.0.0.1:1 --set timezone=%s "
				">%s/tz.out 2>&1",
				e2e_data, bad[i], e2e_tmp);
		CHECK(rc == 2, "timezone=%s: exit %d", bad[i], rc);
		CHECK(e2e_sh("grep -q timezone %s/tz.out", e2e_tmp) == 0, "timezone=%s: no message", bad[i]);
	}
	/* in the settings file too: the server does not start */
	char conf[700];
	snprintf(conf, sizeof conf, "%s/tzdata", e2e_tmp);
	e2e_sh("mkdir -p %s && printf 'timezone = Mars/Olympus\\n' >%s/dangxiao.conf", conf, conf);
	int rc = e2e_sh("bin/dangxiao-san serve --data %s --listen 127.0.0.1:1 >%s/tz.out 2>&1", conf, e2e_tmp);
	CHECK(rc != 0, "bad timezone in dangxiao.conf: exit %d", rc);
	CHECK(e2e_sh("grep -q 'Mars/Olympus' %s/tz.out", e2e_tmp) == 0, "no message for dangxiao.conf");
}

E2E_TEST(harness_transport_failure_is_not_an_answer)
{
	/* a port nobody listens on: the request fails below HTTP */
	char saved[64];
	snprintf(saved, sizeof saved, "%s", e2e_base);
	snprintf(e2e_base, sizeof e2e_base, "http://127.0.0.1:1");
	e2e_transport_failure_ok = 1;
	resp r = e2e_req("GET", "/api/v1/health", NULL, NULL, NULL);
	snprintf(e2e_base, sizeof e2e_base, "%s", saved);
	CHECK(r.status == -1, "status of a refused connection: %ld", r.status);
	resp_free(&r);
	e2e_transport_failure_ok = 0;
	r = e2e_req("GET", "/api/v1/health", NULL, NULL, NULL);
	CHECK_STATUS(r, 200);
	resp_free(&r);
}

/* A body refused before it is read (413 on its Content-Length) is drained, so the client that is
   still sending reads the answer rather than a connection reset (courses_images was flaky so). */
E2E_TEST(harness_refused_body_answer_arrives)
{
	char *tok = e2e_login("admin", E2E_PW);
	size_t big = 6u << 20;
	char *blob = malloc(big);
	memset(blob, 'x', big);
	int bad = 0;
	for (int i = 0; i < 40; i++) {
		resp r = e2e_req_h("POST", "/api/v1/orgs", tok, blob, big, NULL, NULL);
		if (r.status != 413)
			bad++;
		CHECK_STATUS(r, 413);
		resp_free(&r);
	}
	CHECK(bad == 0, "%d of 40 refused uploads got no 413", bad);
	free(blob);
	free(tok);
}
