/* test_scoring.c — the points ledger end to end: awards from every event kind (real logins and
 * heartbeats where their emitters exist, POST /api/v1/test/event for the rest), each daily cap,
 * idempotency under replay, the yearly totals, and `dangxiao verify` against a tampered row
 * (sqlite3 shell), a re-chained row (hashes recomputed here, in Python) and edited totals.
 *
 * Every test starts on a fresh academy day (the caps are per day) and compares against what the
 * ledger held before it, since other tests of the run write to the same members.
 */
#include "e2e.h"

#include <math.h>
#include <stdarg.h>
#include <time.h>

static long long uid(const char *username)
{
	return (long long)e2e_sql("SELECT id FROM users WHERE username='%s'", username);
}

/* Rows and points of a member's ledger under a rule. */
static long long rows_of(long long u, const char *rule)
{
	return (long long)e2e_sql("SELECT count(*) FROM ledger WHERE user_id=%lld AND rule='%s'", u, rule);
}
static long long points_of(long long u, const char *rule)
{
	return (long long)e2e_sql("SELECT ifnull(sum(points),0) FROM ledger WHERE user_id=%lld AND rule='%s'", u, rule);
}

/* The member's totals over all years, and the same recomputed here from the ledger rows. */
static void check_totals_equal_ledger(long long u)
{
	double tp = e2e_sql("SELECT ifnull(sum(points),0) FROM score_totals WHERE user_id=%lld", u);
	double lp = e2e_sql("SELECT ifnull(sum(points),0) FROM ledger WHERE user_id=%lld", u);
	CHECK(tp == lp, "member %lld: score_totals.points %g, ledger %g", u, tp, lp);
	double th = e2e_sql("SELECT ifnull(sum(hours_required+hours_elective),0) FROM score_totals WHERE user_id=%lld", u);
	double lh = e2e_sql("SELECT ifnull(sum(json_extract(detail,'$.credit_hours')),0) FROM ledger WHERE user_id=%lld AND "
		       "rule='course_completed'",
		       u);
	CHECK(fabs(th - lh) < 1e-6, "member %lld: hours in totals %g, in ledger %g", u, th, lh);
	double tc = e2e_sql("SELECT ifnull(sum(courses_completed),0) FROM score_totals WHERE user_id=%lld", u);
	double lc = e2e_sql("SELECT count(*) FROM ledger WHERE user_id=%lld AND rule='course_completed'", u);
	CHECK(tc == lc, "member %lld: courses_completed %g, ledger %g", u, tc, lc);
}

/* Moves the test clock into the next academy day (60 s past its midnight). */
static void next_day(void)
{
	char *tok = e2e_login("admin", E2E_PW);
	resp r = e2e_req("POST", "/api/v1/test/clock", tok, "{\"advance_s\":0}", NULL);
	double left = jnum(r.json, "day_end_s") - jnum(r.json, "now_s");
	resp_free(&r);
	free(tok);
	e2e_clock_advance(left + 60);
}

/* The academy's current year, from the server's clock. */
static long long academy_year(void)
{
	char *tok = e2e_login("admin", E2E_PW);
	resp r = e2e_req("POST", "/api/v1/test/clock", tok, "{\"advance_s\":0}", NULL);
	long long y = jstr(r.json, "day") ? atoll(jstr(r.json, "day")) : 0;
	resp_free(&r);
	free(tok);
	return y;
}

/* Emits an event for the member through the test seam; replay: call the listeners again
   without the events table's deduplication. Returns the HTTP status. */
static long emit(long long u, const char *kind, long long ref, double amount, const char *data, int replay)
{
	static char *tok; /* one admin session for the run's emits (a login costs an Argon2id hash) */
	if (!tok)
		tok = e2e_login("admin", E2E_PW);
	json_t *b = json_pack("{s:I,s:s,s:I,s:f,s:b}", "user_id", (json_int_t)u, "kind", kind, "ref", (json_int_t)ref,
			      "amount", amount, "replay", replay);
	if (data)
		json_object_set_new(b, "data", json_string(data));
	char *body = json_dumps(b, JSON_COMPACT);
	resp r = e2e_req("POST", "/api/v1/test/event", tok, body, NULL);
	if (r.status == 401) { /* the session ended while the test clock moved on by days: renew it */
		resp_free(&r);
		free(tok);
		tok = e2e_login("admin", E2E_PW);
		r = e2e_req("POST", "/api/v1/test/event", tok, body, NULL);
	}
	long st = r.status;
	if (st != 200)
		CHECK(0, "emit %s: %ld %s", kind, st, r.body ? r.body : "");
	resp_free(&r);
	free(body);
	json_decref(b);
	return st;
}

/* Runs `dangxiao verify` on the server's data folder while it serves; its exit status, with its
   stderr in *err (malloc'd) when err is given. */
static int verify(char **err)
{
	char path[700];
	snprintf(path, sizeof path, "%s/verify.err", e2e_tmp);
	int st = e2e_sh("bin/dangxiao-san verify --data %s >%s.out 2>%s", e2e_data, path, path);
	if (err)
		*err = e2e_sh_out("cat %s", path);
	return st;
}

/* ---- awards from every kind, replayed ---- */

E2E_TEST(scoring_every_award_once_even_when_replayed)
{
	next_day();
	long long u = uid("wangwu");
	struct {
		const char *kind, *rule;
		long long ref;
		double amount;
		const char *data;
		long long points;
	} k[] = {
		{"lecture_completed", "lecture_completed", 880001, 0, "{\"course_id\":1}", 1},
		{"course_completed", "course_completed", 880002, 0, "{\"credit_hours\":2}", 10},
		{"exam_passed", "exam_passed", 880003, 80, "{\"course_id\":880002,\"attempt_id\":1,\"score\":80}", 5},
		{"exam_full_marks", "exam_full_marks", 880004, 100, "{\"course_id\":880002,\"attempt_id\":2,\"score\":100}", 3},
		{"quiz_answer", "daily_quiz", 88000501, 1, NULL, 1},
		{"course_rated", "course_rated", 880006, 4, NULL, 1},
		{"class_completed", "class_completed", 880007, 0, "{\"certificate\":\"c0ffee\"}", 10},
	};
	for (size_t i = 0; i < sizeof k / sizeof k[0]; i++) {
		long long before = rows_of(u, k[i].rule), pts = points_of(u, k[i].rule);
		emit(u, k[i].kind, k[i].ref, k[i].amount, k[i].data, 0);
		CHECK(rows_of(u, k[i].rule) == before + 1, "%s: one row", k[i].kind);
		CHECK(points_of(u, k[i].rule) == pts + k[i].points, "%s: %lld points, expected %lld", k[i].kind,
		      points_of(u, k[i].rule) - pts, k[i].points);
		/* The same event again: once through event_emit (deduplicated by the events table), once
		   straight to the listeners (only the ledger's unique key stands in the way). */
		emit(u, k[i].kind, k[i].ref, k[i].amount, k[i].data, 0);
		emit(u, k[i].kind, k[i].ref, k[i].amount, k[i].data, 1);
		CHECK(rows_of(u, k[i].rule) == before + 1, "%s replayed: %lld rows", k[i].kind,
		      rows_of(u, k[i].rule) - before);
		CHECK(points_of(u, k[i].rule) == pts + k[i].points, "%s replayed: points changed", k[i].kind);
	}
	/* The certificate's digest is in the row and so in its hash. */
	CHECK(e2e_sql("SELECT count(*) FROM ledger WHERE user_id=%lld AND rule='class_completed' AND "
		 "json_extract(detail,'$.certificate')='c0ffee'",
		 u) == 1,
	      "certificate digest kept in the ledger row");
	/* A wrong daily-quiz answer earns nothing and writes nothing. */
	long long qrows = rows_of(u, "daily_quiz");
	emit(u, "quiz_answer", 88000502, 0, NULL, 0);
	CHECK(rows_of(u, "daily_quiz") == qrows, "a wrong answer writes no row");
	check_totals_equal_ledger(u);
}

E2E_TEST(scoring_login_once_a_day)
{
	next_day();
	long long u = uid("zhaoliu");
	long long before = rows_of(u, "login");
	free(e2e_login("zhaoliu", E2E_PW));
	free(e2e_login("zhaoliu", E2E_PW));
	CHECK(rows_of(u, "login") == before + 1, "two logins in a day: %lld rows", rows_of(u, "login") - before);
	/* The same day's login replayed to the listeners (its reference is the day): no second row. */
	char *day = e2e_sh_out("sqlite3 %s/dangxiao.db \"SELECT ref FROM ledger WHERE user_id=%lld AND rule='login' ORDER BY "
			   "seq DESC LIMIT 1\"",
			   e2e_data, u);
	emit(u, "login", atoll(day), 0, NULL, 1);
	CHECK(rows_of(u, "login") == before + 1, "replayed login: no row");
	/* Another login event the same day (another reference) is over the daily cap of 1. */
	emit(u, "login", 1, 0, NULL, 0); /* a reference no real day has */
	CHECK(rows_of(u, "login") == before + 1, "cap 1 a day");
	free(day);
	next_day();
	free(e2e_login("zhaoliu", E2E_PW));
	CHECK(rows_of(u, "login") == before + 2, "the next day's login earns again");
	check_totals_equal_ledger(u);
}

/* ---- a rule changed by an admin applies from its day on, never to rows already written ---- */

/* The academy day `plus` days after today, as YYYY-MM-DD. */
static void academy_day_plus(int plus, char out[11])
{
	char *tok = e2e_login("admin", E2E_PW);
	resp r = e2e_req("POST", "/api/v1/test/clock", tok, "{\"advance_s\":0}", NULL);
	const char *d = jstr(r.json, "day");
	struct tm tm = {0};
	if (d && sscanf(d, "%d-%d-%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday) == 3) {
		tm.tm_year -= 1900;
		tm.tm_mon -= 1;
		time_t t = timegm(&tm) + (time_t)plus * 86400;
		gmtime_r(&t, &tm);
		strftime(out, 11, "%Y-%m-%d", &tm);
	} else {
		CHECK(0, "no academy day from the test clock: %s", r.body ? r.body : "");
		strcpy(out, "2000-01-01");
	}
	resp_free(&r);
	free(tok);
}

static void post_rule(const char *code, int points, int cap, const char *day, long want)
{
	char *tok = e2e_login("admin", E2E_PW);
	char body[200];
	snprintf(body, sizeof body, "{\"code\":\"%s\",\"points\":%d,\"daily_cap\":%d,\"effective_from\":\"%s\"}", code, points,
		 cap, day);
	resp r = e2e_req("POST", "/api/v1/point-rules", tok, body, NULL);
	CHECK(r.status == want, "POST point-rules %s: %ld %s", body, r.status, r.body ? r.body : "");
	resp_free(&r);
	free(tok);
}

static long long points_of_ref(long long u, const char *rule, long long ref)
{
	return (long long)e2e_sql("SELECT ifnull(sum(points),-1) FROM ledger WHERE user_id=%lld AND rule='%s' AND ref='%lld'",
				  u, rule, ref);
}

E2E_TEST(scoring_rule_change_applies_from_its_day)
{
	next_day();
	long long u = uid("lisi");
	emit(u, "lecture_completed", 882001, 0, NULL, 0); /* the default: 1 (and the rule is now cached) */
	CHECK(points_of_ref(u, "lecture_completed", 882001) == 1, "default lecture rule: %lld",
	      points_of_ref(u, "lecture_completed", 882001));
	char today[11], tomorrow[11];
	academy_day_plus(0, today);
	academy_day_plus(1, tomorrow);
	post_rule("lecture_completed", 4, 30, tomorrow, 201);
	emit(u, "lecture_completed", 882002, 0, NULL, 0);
	CHECK(points_of_ref(u, "lecture_completed", 882002) == 1, "a version effective tomorrow does not apply today: %lld",
	      points_of_ref(u, "lecture_completed", 882002));
	next_day();
	emit(u, "lecture_completed", 882003, 0, NULL, 0);
	CHECK(points_of_ref(u, "lecture_completed", 882003) == 4, "from its day on the new version applies: %lld",
	      points_of_ref(u, "lecture_completed", 882003));
	/* A correction effective today: in force for the very next award, in every thread. */
	academy_day_plus(0, today);
	post_rule("lecture_completed", 2, 30, today, 201);
	for (int i = 0; i < 4; i++)
		emit(u, "lecture_completed", 882004 + i, 0, NULL, 0);
	for (int i = 0; i < 4; i++)
		CHECK(points_of_ref(u, "lecture_completed", 882004 + i) == 2, "the correction applies at once (%d): %lld", i,
		      points_of_ref(u, "lecture_completed", 882004 + i));
	CHECK(points_of_ref(u, "lecture_completed", 882001) == 1 && points_of_ref(u, "lecture_completed", 882002) == 1 &&
		      points_of_ref(u, "lecture_completed", 882003) == 4,
	      "rows already written keep their points");
	post_rule("lecture_completed", 1, 6, "1999-01-01", 422); /* in the past: refused */
	/* Back to the default for the tests that follow. */
	post_rule("lecture_completed", 1, 6, today, 201);
	next_day();
	emit(u, "lecture_completed", 882010, 0, NULL, 0);
	CHECK(points_of_ref(u, "lecture_completed", 882010) == 1, "back to 1: %lld",
	      points_of_ref(u, "lecture_completed", 882010));
	check_totals_equal_ledger(u);
	char *err = NULL;
	CHECK(verify(&err) == 0, "verify after rule changes: %s", err ? err : "");
	free(err);
}

/* ---- every daily cap ---- */

E2E_TEST(scoring_daily_caps)
{
	next_day();
	long long u = uid("lisi");
	/* lecture completed: 1 each, 6 a day */
	long long p = points_of(u, "lecture_completed");
	for (int i = 0; i < 8; i++)
		emit(u, "lecture_completed", 881000 + i, 0, NULL, 0);
	CHECK(points_of(u, "lecture_completed") == p + 6, "lectures: %lld points, cap 6",
	      points_of(u, "lecture_completed") - p);
	/* daily quiz: 1 per right answer, 5 a day */
	p = points_of(u, "daily_quiz");
	for (int i = 0; i < 7; i++)
		emit(u, "quiz_answer", 8810000 + i, 1, NULL, 0);
	CHECK(points_of(u, "daily_quiz") == p + 5, "daily quiz: %lld points, cap 5", points_of(u, "daily_quiz") - p);
	/* course rated: 1 each, 2 a day */
	p = points_of(u, "course_rated");
	for (int i = 0; i < 4; i++)
		emit(u, "course_rated", 882000 + i, 5, NULL, 0);
	CHECK(points_of(u, "course_rated") == p + 2, "ratings: %lld points, cap 2", points_of(u, "course_rated") - p);
	/* study: 1 per full 5 minutes of the day, 10 a day; 299 s earn nothing, 300 s one */
	p = points_of(u, "study");
	emit(u, "study", 1, 299, NULL, 1);
	CHECK(points_of(u, "study") == p, "299 s: no point");
	emit(u, "study", 1, 1, NULL, 1);
	CHECK(points_of(u, "study") == p + 1, "300 s: one point");
	for (int i = 0; i < 40; i++)
		emit(u, "study", 1, 60, NULL, 1);
	CHECK(points_of(u, "study") == p + 9, "2700 s: 9 points (%lld)", points_of(u, "study") - p);
	for (int i = 0; i < 40; i++)
		emit(u, "study", 1, 60, NULL, 1);
	CHECK(points_of(u, "study") == p + 10, "5100 s: cap 10 (%lld)", points_of(u, "study") - p);
	/* exam passed, full marks, course completed: no daily cap */
	p = points_of(u, "exam_passed");
	for (int i = 0; i < 3; i++)
		emit(u, "exam_passed", 883000 + i, 90, NULL, 0);
	CHECK(points_of(u, "exam_passed") == p + 15, "exams: no cap");
	/* The next day every cap starts again. */
	next_day();
	p = points_of(u, "lecture_completed");
	emit(u, "lecture_completed", 881100, 0, NULL, 0);
	CHECK(points_of(u, "lecture_completed") == p + 1, "a new day: lectures earn again");
	long long ps = points_of(u, "study");
	emit(u, "study", 1, 600, NULL, 1);
	CHECK(points_of(u, "study") == ps + 2, "a new day: study earns again");
	check_totals_equal_ledger(u);
}

/* ---- real study: heartbeats, lecture and course completion, required or elective ---- */

static long long g_course = 8900;

/* A published course of teacher's with one ready lecture of dur seconds and credit hours h. */
static long long course_fixture(double dur, double h, long long *lecture)
{
	long long c = ++g_course;
	*lecture = c * 10;
	e2e_sql("INSERT INTO courses(id, owner_id, title, category, credit_hours, status, created_at, updated_at, published_at) "
	   "VALUES (%lld, (SELECT id FROM users WHERE username='teacher'), '积分测试课%lld', '测试', %g, 'published', "
	   "strftime('%%s','now'), strftime('%%s','now'), strftime('%%s','now'))",
	   c, c, h);
	e2e_sql("INSERT INTO lectures(id, course_id, title, position, status, duration_s, media_version, created_at, updated_at) "
	   "VALUES (%lld, %lld, '第1讲', 0, 'ready', %g, 1, strftime('%%s','now'), strftime('%%s','now'))",
	   *lecture, c, dur);
	return c;
}

/* Watches the whole lecture with heartbeats every 15 s (the member is enrolled first). */
static void watch(const char *user, long long course, long long lecture, double dur)
{
	char *tok = e2e_login(user, E2E_PW);
	char path[96];
	snprintf(path, sizeof path, "/api/v1/courses/%lld/enroll", course);
	resp r = e2e_req("POST", path, tok, NULL, NULL);
	CHECK(r.status == 200, "enrol: %ld %s", r.status, r.body ? r.body : "");
	resp_free(&r);
	snprintf(path, sizeof path, "/api/v1/lectures/%lld/play", lecture);
	r = e2e_req("POST", path, tok, NULL, NULL);
	long long s = jint(r.json, "session");
	CHECK(r.status == 201, "play: %ld", r.status);
	resp_free(&r);
	snprintf(path, sizeof path, "/api/v1/lectures/%lld/heartbeat", lecture);
	for (double pos = 15; pos <= dur + 0.001; pos += 15) {
		e2e_clock_advance(15);
		char body[160];
		snprintf(body, sizeof body, "{\"session\":%lld,\"position\":%g,\"playing\":true,\"rate\":1}", s, pos);
		r = e2e_req("POST", path, tok, body, NULL);
		CHECK(r.status == 200, "heartbeat at %g: %ld %s", pos, r.status, r.body ? r.body : "");
		resp_free(&r);
	}
	free(tok);
}

E2E_TEST(scoring_real_study_completion_and_hours)
{
	next_day();
	e2e_clock_advance(3600); /* 01:01, room for the whole lecture in this day */
	long long u = uid("zhangsan");
	long long lec;
	long long c = course_fixture(630, 1.5, &lec);
	/* Required for zhangsan's organisation this year (the admin's assignment). */
	char *tok = e2e_login("admin", E2E_PW);
	char body[160];
	snprintf(body, sizeof body, "{\"course_id\":%lld,\"org_id\":%lld,\"year\":%lld}", c,
		 (long long)e2e_sql("SELECT org_id FROM users WHERE id=%lld", u),
		 academy_year());
	resp r = e2e_req("POST", "/api/v1/assignments", tok, body, NULL);
	CHECK(r.status == 201, "assignment: %ld %s", r.status, r.body ? r.body : "");
	resp_free(&r);
	free(tok);
	double hreq = e2e_sql("SELECT ifnull(sum(hours_required),0) FROM score_totals WHERE user_id=%lld", u);
	double study = e2e_sql("SELECT ifnull(sum(study_s),0) FROM score_totals WHERE user_id=%lld", u);
	long long sp = points_of(u, "study"), cp = points_of(u, "course_completed");
	long long lr = rows_of(u, "lecture_completed");
	watch("zhangsan", c, lec, 630);
	double study2 = e2e_sql("SELECT ifnull(sum(study_s),0) FROM score_totals WHERE user_id=%lld", u);
	CHECK(fabs(study2 - study - 630) < 0.01, "study seconds in the year's totals: +%g", study2 - study);
	CHECK(points_of(u, "study") - sp == 2, "630 s: 2 study points (%lld)", points_of(u, "study") - sp);
	CHECK(rows_of(u, "lecture_completed") == lr + 1, "lecture completed row");
	CHECK(points_of(u, "course_completed") - cp == 8, "1.5 credit hours × 5 = 7.5 → 8 points (%lld)",
	      points_of(u, "course_completed") - cp);
	CHECK(e2e_sql("SELECT count(*) FROM ledger WHERE user_id=%lld AND rule='course_completed' AND ref='%lld' AND "
		 "json_extract(detail,'$.required')=1 AND json_extract(detail,'$.credit_hours')=1.5",
		 u, c) == 1,
	      "course row: required, 1.5 hours");
	double hreq2 = e2e_sql("SELECT ifnull(sum(hours_required),0) FROM score_totals WHERE user_id=%lld", u);
	CHECK(fabs(hreq2 - hreq - 1.5) < 1e-9, "required hours +1.5 (%g)", hreq2 - hreq);

	/* The same course for wangwu, whose organisation (another branch of the tree) it is not
	   assigned to: elective. */
	long long l = uid("wangwu");
	int same_org = e2e_sql("SELECT count(*) FROM users a, users b, orgs oa, orgs ob WHERE a.id=%lld AND b.id=%lld AND "
			  "oa.id=a.org_id AND ob.id=b.org_id AND substr(ob.path, 1, length(oa.path))=oa.path",
			  u, l) == 1;
	CHECK(!same_org, "the fixture wants wangwu outside zhangsan's organisation");
	double hel = e2e_sql("SELECT ifnull(sum(hours_elective),0) FROM score_totals WHERE user_id=%lld", l);
	watch("wangwu", c, lec, 630);
	double hel2 = e2e_sql("SELECT ifnull(sum(hours_elective),0) FROM score_totals WHERE user_id=%lld", l);
	CHECK(fabs(hel2 - hel - 1.5) < 1e-9, "wangwu: elective hours +1.5 (%g)", hel2 - hel);
	check_totals_equal_ledger(u);
	check_totals_equal_ledger(l);
}

/* ---- verify ---- */

E2E_TEST(scoring_verify_good_ledger_and_daily_signing)
{
	char *err = NULL;
	int st = verify(&err);
	CHECK(st == 0, "verify of an untouched ledger: exit %d: %s", st, err);
	free(err);
	/* verify signed every head. */
	CHECK(e2e_sql("SELECT count(*) FROM ledger_heads WHERE signed_seq < seq") == 0, "every head signed by verify");
	/* A new award, then the next academy day: the server's signer signs that head by itself. */
	long long u = uid("wangwu");
	emit(u, "exam_passed", 884001, 70, NULL, 0);
	CHECK(e2e_sql("SELECT signed_seq < seq FROM ledger_heads WHERE user_id=%lld", u) == 1, "a new head, not yet signed");
	double runs = e2e_sql("SELECT count(*) FROM ledger_batches");
	next_day();
	int signed_ = 0;
	for (int i = 0; i < 100 && !signed_; i++) {
		signed_ = e2e_sql("SELECT signed_seq = seq FROM ledger_heads WHERE user_id=%lld", u) == 1;
		if (!signed_)
			e2e_sh("sleep 0.1"); /* the signer thread wakes once a second of real time */
	}
	CHECK(signed_, "the daily signer signed the new head");
	CHECK(e2e_sql("SELECT count(*) FROM ledger_batches") == runs + 1, "one new signing run");
	st = verify(&err);
	CHECK(st == 0, "verify after the daily run: exit %d: %s", st, err);
	free(err);
	/* The key file is the owner's alone. */
	CHECK(e2e_sh("test \"$(stat -c %%a %s/ledger.key)\" = 600", e2e_data) == 0, "ledger.key is 0600");
}

/* Copies the data folder's database aside and back, so a tampering test leaves the run's ledger
   as it found it. */
static void db_save(void)
{
	e2e_sh("sqlite3 %s/dangxiao.db \".backup %s/ledger-saved.db\"", e2e_data, e2e_tmp);
}
static void db_restore_ledger(void)
{
	/* Only the scoring tables are put back (the server keeps running on the rest). */
	e2e_sh("sqlite3 -cmd '.timeout 10000' %s/dangxiao.db \"ATTACH '%s/ledger-saved.db' AS s; "
	       "DROP TRIGGER IF EXISTS ledger_no_update; DROP TRIGGER IF EXISTS ledger_no_delete; "
	       "DELETE FROM ledger; INSERT INTO ledger SELECT * FROM s.ledger; "
	       "DELETE FROM ledger_heads; INSERT INTO ledger_heads SELECT * FROM s.ledger_heads; "
	       "DELETE FROM score_totals; INSERT INTO score_totals SELECT * FROM s.score_totals; "
	       "DELETE FROM ledger_checkpoints; INSERT INTO ledger_checkpoints SELECT * FROM s.ledger_checkpoints; "
	       "DELETE FROM ledger_batches; INSERT INTO ledger_batches SELECT * FROM s.ledger_batches; "
	       "CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger BEGIN SELECT RAISE(ABORT, 'the ledger is "
	       "append-only'); END; CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger BEGIN SELECT RAISE(ABORT, "
	       "'the ledger is append-only'); END;\"",
	       e2e_data, e2e_tmp);
}

E2E_TEST(scoring_verify_names_a_tampered_row)
{
	long long u = uid("wangwu");
	emit(u, "exam_passed", 885001, 70, NULL, 0);
	CHECK(verify(NULL) == 0, "good before tampering");
	db_save();
	long long seq = (long long)e2e_sql("SELECT seq FROM ledger WHERE user_id=%lld AND rule='exam_passed' AND ref='885001'", u);
	/* The append-only triggers stop an UPDATE ... */
	CHECK(e2e_sh("sqlite3 %s/dangxiao.db \"UPDATE ledger SET points=500 WHERE user_id=%lld AND seq=%lld\" 2>/dev/null",
		     e2e_data, u, seq) != 0,
	      "the trigger refuses an update");
	/* ... but whoever holds the file can drop them. The totals are raised to match, too. */
	e2e_sh("sqlite3 %s/dangxiao.db \"DROP TRIGGER ledger_no_update; UPDATE ledger SET points=500 WHERE user_id=%lld "
	       "AND seq=%lld; UPDATE score_totals SET points=points+495 WHERE user_id=%lld AND year=(SELECT max(year) FROM "
	       "score_totals WHERE user_id=%lld)\"",
	       e2e_data, u, seq, u, u);
	char *err = NULL;
	int st = verify(&err);
	char want[128];
	snprintf(want, sizeof want, "member %lld (wangwu), row %lld: tampered", u, seq);
	CHECK(st == 1, "verify exit %d", st);
	CHECK(strstr(err, want) != NULL, "verify names the row: '%s' not in: %s", want, err);
	free(err);
	db_restore_ledger();
	CHECK(verify(NULL) == 0, "good again after restoring");
}

/* Recomputes the hashes of a member's chain from row `from` on, as an attacker who knows the
   format (docs/operations.md) would: BLAKE2b-256 of the documented encoding. */
static void rechain(long long u, long long from)
{
	char py[1024];
	snprintf(py, sizeof py, "%s/rechain.py", e2e_tmp);
	FILE *f = fopen(py, "w");
	fputs("import sqlite3, struct, sys, hashlib\n"
	      "db, u, start = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])\n"
	      "c = sqlite3.connect(db, timeout=10)\n"
	      "c.execute('DROP TRIGGER IF EXISTS ledger_no_update')\n"
	      "def s(x):\n"
	      "    b = (x or '').encode()\n"
	      "    return struct.pack('>I', len(b)) + b\n"
	      "prev = bytes(32)\n"
	      "for seq, rule, pts, ref, at, detail, h in c.execute('SELECT seq, rule, points, ref, at, detail, hash FROM "
	      "ledger WHERE user_id=? ORDER BY seq', (u,)).fetchall():\n"
	      "    if seq >= start:\n"
	      "        enc = b'dxledger2\\0' + struct.pack('>q', u) + s(rule) + struct.pack('>q', pts) + s(ref) + "
	      "struct.pack('>q', at) + s(detail) + prev\n"
	      "        h = hashlib.blake2b(enc, digest_size=32).digest()\n"
	      "        c.execute('UPDATE ledger SET prev=?, hash=? WHERE user_id=? AND seq=?', (prev, h, u, seq))\n"
	      "    prev = h\n"
	      "c.execute('UPDATE ledger_heads SET hash=? WHERE user_id=?', (prev, u))\n"
	      "c.commit()\n",
	      f);
	fclose(f);
	CHECK(e2e_sh("python3 %s %s/dangxiao.db %lld %lld", py, e2e_data, u, from) == 0, "rechain script");
}

E2E_TEST(scoring_verify_names_a_rechained_row)
{
	long long u = uid("wangwu");
	emit(u, "exam_passed", 886001, 70, NULL, 0);
	emit(u, "exam_passed", 886002, 70, NULL, 0);
	CHECK(verify(NULL) == 0, "good before, and every head signed");
	db_save();
	long long seq = (long long)e2e_sql("SELECT seq FROM ledger WHERE user_id=%lld AND rule='exam_passed' AND ref='886001'", u);
	/* Recomputing the hashes without a change leaves a good ledger: the script is right. */
	rechain(u, 1);
	char *err = NULL;
	int st = verify(&err);
	CHECK(st == 0, "re-chained without a change: still good (%d): %s", st, err);
	free(err);
	/* Now points changed, totals raised to match and the chain recomputed from that row on. */
	e2e_sh("sqlite3 %s/dangxiao.db \"DROP TRIGGER IF EXISTS ledger_no_update; UPDATE ledger SET points=900 WHERE "
	       "user_id=%lld AND seq=%lld; UPDATE score_totals SET points=points+895 WHERE user_id=%lld AND "
	       "year=(SELECT max(year) FROM score_totals WHERE user_id=%lld)\"",
	       e2e_data, u, seq, u, u);
	rechain(u, seq);
	st = verify(&err);
	char want[128];
	snprintf(want, sizeof want, "member %lld (wangwu), row %lld ", u, seq);
	CHECK(st == 1, "verify exit %d", st);
	CHECK(strstr(err, want) != NULL && strstr(err, "checkpoint"), "verify names the re-chained row: '%s' not in: %s",
	      want, err);
	free(err);
	db_restore_ledger();
	CHECK(verify(NULL) == 0, "good again after restoring");
}

E2E_TEST(scoring_verify_totals_and_signing_runs)
{
	long long u = uid("lisi");
	CHECK(verify(NULL) == 0, "good before");
	db_save();
	/* Totals that disagree with the ledger. */
	e2e_sh("sqlite3 %s/dangxiao.db \"UPDATE score_totals SET points=points+1 WHERE user_id=%lld AND year=(SELECT "
	       "max(year) FROM score_totals WHERE user_id=%lld)\"",
	       e2e_data, u, u);
	char *err = NULL;
	int st = verify(&err);
	char want[64];
	snprintf(want, sizeof want, "member %lld (lisi), year", u);
	CHECK(st == 1 && strstr(err, want) && strstr(err, "points"), "totals: exit %d: %s", st, err);
	free(err);
	db_restore_ledger();
	/* A removed row in the middle of a chain. */
	long long seq = (long long)e2e_sql("SELECT min(seq) + 1 FROM ledger WHERE user_id=%lld", u);
	e2e_sh("sqlite3 %s/dangxiao.db \"DROP TRIGGER ledger_no_delete; DELETE FROM ledger WHERE user_id=%lld AND "
	       "seq=%lld\"",
	       e2e_data, u, seq);
	st = verify(&err);
	snprintf(want, sizeof want, "member %lld (lisi), row %lld: broken_link", u, seq + 1);
	CHECK(st == 1 && strstr(err, want), "removed row: exit %d, '%s' not in: %s", st, want, err);
	free(err);
	db_restore_ledger();
	/* An edited checkpoint breaks its signing run's signature. */
	e2e_sh("sqlite3 %s/dangxiao.db \"UPDATE ledger_checkpoints SET at=at+1 WHERE user_id=%lld\"", e2e_data, u);
	st = verify(&err);
	CHECK(st == 1 && strstr(err, "bad_signature"), "edited checkpoint: exit %d: %s", st, err);
	free(err);
	db_restore_ledger();
	CHECK(verify(NULL) == 0, "good again after restoring");
}
