/* test_reports.c — requirements per organisation and year (inherited, validated), the members
 * report and the organisation summaries, each checked against totals and statuses recomputed
 * here from what the test put in, at several dates of the test clock; the scope rules (an
 * assessor of another subtree 403, a member 403).
 */
#include "e2e.h"

#include <math.h>
#include <stdarg.h>
#include <time.h>

/* SQL on the server's database (WAL: the sqlite3 shell writes beside the server). */
static int rep_sql(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int rep_sql(const char *fmt, ...)
{
	char q[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(q, sizeof q, fmt, ap);
	va_end(ap);
	int rc = e2e_sh("sqlite3 -cmd '.timeout 10000' %s/dangxiao.db \"%s\" >/dev/null", e2e_data, q);
	CHECK(rc == 0, "sql: %s", q);
	return rc;
}

/* One number from the server's database: (long long)e2e_sql(...) (the harness; -1 without a row). */

static char *g_adm, *g_asr, *g_asr2, *g_mem;
static long long g_org1, g_org2, g_org_a, g_org_b, g_org_c; /* 第一党委, 第二党委, three branches below 第一党委 */
static int g_year;
static double g_t0; /* the server's clock when the file started */

static long long org_id_named(const char *name)
{
	resp r = e2e_req("GET", "/api/v1/orgs", g_adm, NULL, NULL);
	size_t i;
	json_t *o;
	long long id = 0;
	json_array_foreach(json_object_get(r.json, "orgs"), i, o) if (!strcmp(jstr(o, "name"), name)) id = jint(o, "id");
	resp_free(&r);
	return id;
}

static long long make_org(const char *name, long long parent)
{
	char body[256];
	snprintf(body, sizeof body, "{\"name\":\"%s\",\"parent_id\":%lld}", name, parent);
	resp r = e2e_req("POST", "/api/v1/orgs", g_adm, body, NULL);
	CHECK(r.status == 201, "org %s: %ld %s", name, r.status, r.body);
	long long id = jint(r.json, "id");
	resp_free(&r);
	return id;
}

static long long make_user(const char *username, const char *name, const char *role, long long org)
{
	char body[512];
	snprintf(body, sizeof body,
		 "{\"username\":\"%s\",\"name\":\"%s\",\"password\":\"" E2E_PW "\",\"role\":\"%s\",\"org_id\":%lld}",
		 username, name, role, org);
	resp r = e2e_req("POST", "/api/v1/users", g_adm, body, NULL);
	CHECK(r.status == 201, "user %s: %ld %s", username, r.status, r.body);
	long long id = jint(r.json, "id");
	resp_free(&r);
	return id;
}

/* The members the test made, with the totals it put in score_totals. */
typedef struct tmember {
	const char *username, *name;
	long long *org;
	double hr, he, study;
	long long points, courses;
	long long id;
} tmember;

static tmember g_m[] = {
	{"rep_a1", "报表甲一", &g_org_a, 30, 25, 200000, 300, 9, 0},   /* 55 h: met everywhere */
	{"rep_a2", "报表甲二", &g_org_a, 0, 20, 72000, 120, 4, 0},     /* 20 h, no required */
	{"rep_a3", "报表甲三", &g_org_a, 2, 1, 10800, 15, 1, 0},       /* 3 h */
	{"rep_b1", "报表乙一", &g_org_b, 12, 18.5, 110000, 200, 6, 0},
	{"rep_b2", "报表乙二", &g_org_b, 0, 0, 0, 0, 0, 0},            /* no totals row at all */
	{"rep_c1", "报表丙一", &g_org_c, 5, 9.25, 51000, 88, 3, 0},
	{"rep_c2", "报表丙%二", &g_org_c, 1, 0, 3600, 7, 1, 0},        /* a LIKE wildcard in the name */
	{"rep_evil", "=1+2\\\"q\\\",x", &g_org_c, 0, 0.5, 60, 1, 0, 0}, /* a formula, quotes, a comma */
};
#define EVIL_NAME "=1+2\"q\",x"
#define NM (sizeof g_m / sizeof g_m[0])

/* The requirement the test set per organisation (inherited as the rule says). */
static void req_of(long long org, double *tot, double *reqd)
{
	if (org == g_org_b) {   /* its own row */
		*tot = 30, *reqd = 5;
	} else {                /* 第一党委's row, inherited */
		*tot = 40, *reqd = 10;
	}
}

/* The academy's year bounds: Asia/Shanghai is UTC+8 all year (no DST since 1991). */
static double year_start(int y)
{
	struct tm tm = {.tm_year = y - 1900, .tm_mon = 0, .tm_mday = 1};
	return (double)timegm(&tm) - 8 * 3600;
}

static double elapsed_at(double now, int y)
{
	double s = year_start(y), e = year_start(y + 1);
	return now <= s ? 0 : now >= e ? 1 : (now - s) / (e - s);
}

/* DESIGN.md's rule, written out again here. */
static const char *expect_status(double hr, double he, double tot, double reqd, double el)
{
	double h = hr + he;
	if (h >= tot && hr >= reqd)
		return "met";
	double exp = tot * el;
	if (h >= exp)
		return "on_track";
	if (h < exp / 2)
		return "at_risk";
	return "behind";
}

static double server_now(void)
{
	resp r = e2e_req("POST", "/api/v1/test/clock", g_adm, "{\"advance_s\":0}", NULL);
	double t = jnum(r.json, "now_s");
	resp_free(&r);
	return t;
}

static json_t *find_by(json_t *arr, const char *key, const char *val)
{
	size_t i;
	json_t *o;
	json_array_foreach(arr, i, o) if (jstr(o, key) && !strcmp(jstr(o, key), val)) return o;
	return NULL;
}

static json_t *find_id(json_t *arr, const char *key, long long id)
{
	size_t i;
	json_t *o;
	json_array_foreach(arr, i, o) if (jint(o, key) == id) return o;
	return NULL;
}

static resp getf(const char *tok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static resp getf(const char *tok, const char *fmt, ...)
{
	char path[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(path, sizeof path, fmt, ap);
	va_end(ap);
	return e2e_req("GET", path, tok, NULL, NULL);
}

static resp put_req(const char *tok, long long org, int year, const char *total, const char *reqd)
{
	char body[256];
	snprintf(body, sizeof body, "{\"org_id\":%lld,\"year\":%d,\"total_hours\":%s,\"required_hours\":%s}", org, year,
		 total, reqd);
	return e2e_req("PUT", "/api/v1/requirements", tok, body, NULL);
}

E2E_TEST(reports_setup)
{
	g_adm = e2e_login("admin", E2E_PW);
	g_asr = e2e_login("assessor", E2E_PW);
	g_mem = e2e_login("zhangsan", E2E_PW);
	g_t0 = server_now();
	time_t tt = (time_t)g_t0 + 8 * 3600;
	struct tm tm;
	gmtime_r(&tt, &tm);
	g_year = tm.tm_year + 1900;
	g_org1 = org_id_named("第一党委");
	g_org2 = org_id_named("第二党委");
	CHECK(g_org1 && g_org2, "demo orgs");
	g_org_a = make_org("报表甲支部", g_org1);
	g_org_b = make_org("报表乙支部", g_org1);
	long long mid = make_org("报表中层", g_org1);
	g_org_c = make_org("报表丙支部", mid);
	make_user("rep_asr2", "另一考核员", "assessor", g_org2);
	g_asr2 = e2e_login("rep_asr2", E2E_PW);
	for (size_t i = 0; i < NM; i++) {
		g_m[i].id = make_user(g_m[i].username, g_m[i].name, "member", *g_m[i].org);
		if (g_m[i].hr + g_m[i].he + g_m[i].study + (double)g_m[i].points > 0)
			rep_sql("INSERT INTO score_totals(user_id, year, hours_required, hours_elective, study_s, points,"
				" courses_completed, updated_at) VALUES (%lld, %d, %g, %g, %g, %lld, %lld, 0)",
				g_m[i].id, g_year, g_m[i].hr, g_m[i].he, g_m[i].study, g_m[i].points, g_m[i].courses);
	}
	/* Rows of another year must not count. */
	rep_sql("INSERT INTO score_totals(user_id, year, hours_required, hours_elective, points) VALUES (%lld, %d, 99, 99, 999)",
		g_m[2].id, g_year - 1);
	/* An inactive member and an instructor in the subtree are not in the report. */
	long long gone = make_user("rep_gone", "已停用学员", "member", g_org_a);
	rep_sql("UPDATE users SET active = 0 WHERE id = %lld", gone);
	make_user("rep_teach", "报表老师", "instructor", g_org_a);
}

E2E_TEST(reports_requirements)
{
	resp r = put_req(g_adm, g_org1, g_year, "40", "10");
	CHECK_STATUS(r, 200);
	resp_free(&r);
	r = put_req(g_adm, g_org_b, g_year, "30", "5");
	CHECK_STATUS(r, 200);
	resp_free(&r);
	/* Refused, and nothing changes. */
	struct {
		int year;
		const char *t, *q, *code;
	} bad[] = {
		{0, "-1", "0", "invalid_hours"},      {0, "40", "-0.5", "invalid_hours"},
		{0, "10", "12", "required_above_total"}, {1999, "40", "10", "invalid_year"},
		{2, "40", "10", "invalid_year"},      {0, "1e9", "0", "invalid_hours"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int y = bad[i].year == 0 ? g_year : bad[i].year == 2 ? g_year + 2 : bad[i].year;
		r = put_req(g_adm, g_org_b, y, bad[i].t, bad[i].q);
		CHECK_STATUS(r, 422);
		const char *code = jstr(json_object_get(r.json, "error"), "code");
		CHECK(code && !strcmp(code, bad[i].code), "bad %zu: code %s", i, code ? code : "(none)");
		const char *msg = jstr(json_object_get(r.json, "error"), "message");
		CHECK(msg && (unsigned char)msg[0] >= 0xE0, "a Chinese message: %s", msg ? msg : "(none)");
		resp_free(&r);
	}
	r = put_req(g_adm, 999999, g_year, "40", "10");
	CHECK_STATUS(r, 422);
	resp_free(&r);
	r = e2e_req("PUT", "/api/v1/requirements", g_adm, "{\"org_id\":1,\"year\":2026,\"total_hours\":\"40\",\"required_hours\":1}", NULL);
	CHECK_STATUS(r, 422);
	resp_free(&r);
	/* Only admins set them. */
	r = put_req(g_asr, g_org_a, g_year, "1", "0");
	CHECK_STATUS(r, 403);
	resp_free(&r);
	r = put_req(g_mem, g_org_a, g_year, "1", "0");
	CHECK_STATUS(r, 403);
	resp_free(&r);
	/* Next year is allowed, and can be cleared again. */
	r = put_req(g_adm, g_org_a, g_year + 1, "60", "20");
	CHECK_STATUS(r, 200);
	resp_free(&r);
	r = getf(g_adm, "/api/v1/requirements?org_id=%lld&year=%d", g_org_a, g_year + 1);
	json_t *o = find_id(json_object_get(r.json, "orgs"), "org_id", g_org_a);
	CHECK(o && jnum(json_object_get(o, "own"), "total_hours") == 60, "next year's row: %.300s", r.body);
	resp_free(&r);
	char path[160];
	snprintf(path, sizeof path, "/api/v1/requirements?org_id=%lld&year=%d", g_org_a, g_year + 1);
	r = e2e_req("DELETE", path, g_asr, NULL, NULL);
	CHECK_STATUS(r, 403);
	resp_free(&r);
	r = e2e_req("DELETE", path, g_adm, NULL, NULL);
	CHECK_STATUS(r, 204);
	resp_free(&r);
	r = e2e_req("DELETE", path, g_adm, NULL, NULL);
	CHECK_STATUS(r, 404);
	resp_free(&r);

	/* The assessor reads the subtree: own rows where set, inherited below, nothing outside. */
	r = getf(g_asr, "/api/v1/requirements?year=%d", g_year);
	CHECK_STATUS(r, 200);
	json_t *orgs = json_object_get(r.json, "orgs");
	json_t *o1 = find_id(orgs, "org_id", g_org1), *oa = find_id(orgs, "org_id", g_org_a),
	       *ob = find_id(orgs, "org_id", g_org_b), *oc = find_id(orgs, "org_id", g_org_c);
	CHECK(o1 && jnum(json_object_get(o1, "own"), "total_hours") == 40 &&
		      jnum(json_object_get(o1, "own"), "required_hours") == 10,
	      "第一党委's own row: %.400s", r.body);
	CHECK(oa && json_is_null(json_object_get(oa, "own")) &&
		      jint(json_object_get(oa, "effective"), "source_org_id") == g_org1 &&
		      jnum(json_object_get(oa, "effective"), "total_hours") == 40,
	      "甲 inherits from 第一党委");
	CHECK(oc && jint(json_object_get(oc, "effective"), "source_org_id") == g_org1, "丙 (two levels down) inherits");
	CHECK(ob && jnum(json_object_get(ob, "effective"), "total_hours") == 30 &&
		      jnum(json_object_get(ob, "effective"), "required_hours") == 5 &&
		      jint(json_object_get(ob, "effective"), "source_org_id") == g_org_b,
	      "乙's own row, after the refused changes: %.300s", r.body);
	CHECK(!find_id(orgs, "org_id", g_org2), "第二党委 is outside the assessor's subtree");
	CHECK(jnum(json_object_get(r.json, "default"), "total_hours") == 50 &&
		      jnum(json_object_get(r.json, "default"), "required_hours") == 0,
	      "default 50 / 0");
	resp_free(&r);
	/* Another subtree: 403; an organisation that does not exist: 404; a member: 403. */
	r = getf(g_asr, "/api/v1/requirements?org_id=%lld&year=%d", g_org2, g_year);
	CHECK_STATUS(r, 403);
	resp_free(&r);
	r = getf(g_asr, "/api/v1/requirements?org_id=999999&year=%d", g_year);
	CHECK_STATUS(r, 404);
	resp_free(&r);
	r = getf(g_mem, "/api/v1/requirements?year=%d", g_year);
	CHECK_STATUS(r, 403);
	resp_free(&r);
	/* Elsewhere the default applies: 第二党委 has no row. */
	r = getf(g_adm, "/api/v1/requirements?org_id=%lld&year=%d", g_org2, g_year);
	o = find_id(json_object_get(r.json, "orgs"), "org_id", g_org2);
	CHECK(o && json_is_null(json_object_get(json_object_get(o, "effective"), "source_org_id")) &&
		      jnum(json_object_get(o, "effective"), "total_hours") == 50,
	      "第二党委 gets the default: %.300s", r.body);
	resp_free(&r);
	char q[200];
	snprintf(q, sizeof q, "SELECT count(*) FROM audit_log WHERE action = 'requirement.update' AND target_id = %lld",
		 g_org_b);
	CHECK((long long)e2e_sql("%s", q) == 1, "one audit row for 乙's requirement");
}

/* The report of g_org1's subtree at the server's current time `now`, checked row by row. */
static void check_members_at(double now, const char *when)
{
	e2e_clock_set_at(now);
	double el = elapsed_at(now, g_year);
	resp r = getf(g_asr, "/api/v1/reports/members?org_id=%lld&year=%d&per_page=500", g_org1, g_year);
	CHECK_STATUS(r, 200);
	json_t *rows = json_object_get(r.json, "members");
	long long counts[4] = {0};
	const char *names[4] = {"met", "on_track", "behind", "at_risk"};
	for (size_t i = 0; i < NM; i++) {
		tmember *m = &g_m[i];
		json_t *w = find_by(rows, "username", m->username);
		CHECK(w != NULL, "%s: %s in the report", when, m->username);
		if (!w)
			continue;
		double tot, reqd;
		req_of(*m->org, &tot, &reqd);
		const char *st = expect_status(m->hr, m->he, tot, reqd, el);
		for (int k = 0; k < 4; k++)
			counts[k] += !strcmp(st, names[k]);
		CHECK(jstr(w, "status") && !strcmp(jstr(w, "status"), st), "%s: %s is %s, expected %s (elapsed %.4f)", when,
		      m->username, jstr(w, "status"), st, el);
		CHECK(fabs(jnum(w, "credit_hours") - (m->hr + m->he)) < 0.005 &&
			      fabs(jnum(w, "required_hours") - m->hr) < 0.005 &&
			      fabs(jnum(w, "elective_hours") - m->he) < 0.005,
		      "%s: %s hours", when, m->username);
		CHECK(jint(w, "points") == m->points && jint(w, "courses_completed") == m->courses &&
			      jint(w, "study_s") == (long long)m->study,
		      "%s: %s points/courses/study", when, m->username);
		CHECK(jnum(json_object_get(w, "requirement"), "total_hours") == tot, "%s requirement", m->username);
		double proj = el >= 1 ? m->hr + m->he : (m->hr + m->he) / (el < 14.0 / 365 ? 14.0 / 365 : el);
		if (proj < m->hr + m->he)
			proj = m->hr + m->he;
		CHECK(fabs(jnum(w, "projected_hours") - proj) < 0.01, "%s: %s projected %.2f, expected %.2f", when,
		      m->username, jnum(w, "projected_hours"), proj);
		CHECK(jint(w, "org_id") == *m->org, "org id");
	}
	/* Demo members of the subtree are there (with no totals), and nobody else. */
	CHECK(find_by(rows, "username", "zhangsan") && find_by(rows, "username", "lisi"), "demo members");
	CHECK(!find_by(rows, "username", "wangwu"), "第二党委's member is not");
	CHECK(!find_by(rows, "username", "rep_gone") && !find_by(rows, "username", "rep_teach") &&
		      !find_by(rows, "username", "assessor"),
	      "inactive users and non-members are not");
	/* Earlier tests may have given the demo members (and members of their own) hours: every row
	   the test did not make is expected as its own totals say, under 第一党委's requirement. */
	size_t nrows = json_array_size(rows);
	for (size_t i = 0; i < nrows; i++) {
		json_t *w = json_array_get(rows, i);
		const char *u = jstr(w, "username");
		int ours = 0;
		for (size_t k = 0; k < NM; k++)
			ours |= u && !strcmp(u, g_m[k].username);
		if (ours || !u)
			continue;
		double hr = e2e_sql("SELECT ifnull((SELECT hours_required FROM score_totals WHERE user_id = %lld AND year = %d), 0)",
				    jint(w, "user_id"), g_year);
		double he = e2e_sql("SELECT ifnull((SELECT hours_elective FROM score_totals WHERE user_id = %lld AND year = %d), 0)",
				    jint(w, "user_id"), g_year);
		const char *st = expect_status(hr, he, 40, 10, el);
		CHECK(jstr(w, "status") && !strcmp(jstr(w, "status"), st), "%s: %s is %s, expected %s", when, u,
		      jstr(w, "status"), st);
		for (int k = 0; k < 4; k++)
			counts[k] += !strcmp(st, names[k]);
	}
	long long total = 0;
	for (int k = 0; k < 4; k++) {
		CHECK(jint(json_object_get(r.json, "counts"), names[k]) == counts[k], "%s: count %s %lld, expected %lld",
		      when, names[k], jint(json_object_get(r.json, "counts"), names[k]), counts[k]);
		total += counts[k];
	}
	CHECK(jint(r.json, "total") == total && (long long)json_array_size(rows) == total, "%s: total %lld", when,
	      jint(r.json, "total"));
	resp_free(&r);

	/* Each status filter returns exactly the rows of that status. */
	for (int k = 0; k < 4; k++) {
		r = getf(g_asr, "/api/v1/reports/members?org_id=%lld&year=%d&status=%s", g_org1, g_year, names[k]);
		CHECK_STATUS(r, 200);
		size_t i;
		json_t *w;
		int ok = 1;
		json_array_foreach(json_object_get(r.json, "members"), i, w) ok &= !strcmp(jstr(w, "status"), names[k]);
		CHECK(ok && jint(r.json, "total") == counts[k] &&
			      (long long)json_array_size(json_object_get(r.json, "members")) == counts[k],
		      "%s: filter %s", when, names[k]);
		resp_free(&r);
	}

	/* The summary per direct child of 第一党委: 甲, 乙, 报表中层 (with 丙 below), and the demo branches. */
	r = getf(g_asr, "/api/v1/reports/orgs?org_id=%lld&year=%d", g_org1, g_year);
	CHECK_STATUS(r, 200);
	json_t *kids = json_object_get(r.json, "children");
	long long mid = org_id_named("报表中层");
	long long want_org[3] = {g_org_a, g_org_b, mid};
	for (int k = 0; k < 3; k++) {
		json_t *c = find_id(kids, "id", want_org[k]);
		CHECK(c != NULL, "%s: child %lld in the summary", when, want_org[k]);
		if (!c)
			continue;
		long long n = 0, met = 0, behind = 0, risk = 0;
		double hours = 0, pts = 0;
		for (size_t i = 0; i < NM; i++) {
			long long o = *g_m[i].org == g_org_c ? mid : *g_m[i].org;
			if (o != want_org[k])
				continue;
			double tot, reqd;
			req_of(*g_m[i].org, &tot, &reqd);
			const char *st = expect_status(g_m[i].hr, g_m[i].he, tot, reqd, el);
			n++, met += !strcmp(st, "met"), behind += !strcmp(st, "behind"), risk += !strcmp(st, "at_risk");
			hours += g_m[i].hr + g_m[i].he, pts += (double)g_m[i].points;
		}
		CHECK(jint(c, "members") == n && jint(c, "met") == met && jint(c, "behind") == behind &&
			      jint(c, "at_risk") == risk,
		      "%s: child %lld: %lld/%lld/%lld/%lld vs %lld/%lld/%lld/%lld", when, want_org[k], n, met, behind, risk,
		      jint(c, "members"), jint(c, "met"), jint(c, "behind"), jint(c, "at_risk"));
		CHECK(fabs(jnum(c, "avg_hours") - round(hours / (double)n * 100) / 100) < 0.006 &&
			      fabs(jnum(c, "avg_points") - pts / (double)n) < 0.06,
		      "%s: child %lld averages", when, want_org[k]);
		CHECK(json_is_true(json_object_get(c, "has_children")) == (want_org[k] == mid), "has_children");
	}
	CHECK(jint(json_object_get(r.json, "total"), "members") == total, "%s: summary total %lld", when,
	      jint(json_object_get(r.json, "total"), "members"));
	CHECK(!find_id(kids, "id", g_org_c), "丙 is not a direct child");
	resp_free(&r);
}

E2E_TEST(reports_members_status_dates)
{
	/* Early in the year, mid-year, late in the year, and now. (The clock never moves further
	   forward than now: sessions last 7 days, and a login then would purge them all.) */
	char label[64];
	double dates[] = {year_start(g_year) + 3 * 86400, year_start(g_year) + 183 * 86400,
			  year_start(g_year) + 300 * 86400 + 3600, g_t0};
	for (size_t i = 0; i < sizeof dates / sizeof dates[0]; i++) {
		snprintf(label, sizeof label, "date %zu", i);
		check_members_at(dates[i], label);
	}
	e2e_clock_set_at(g_t0);
}

/* A past year is wholly elapsed: its requirement (the default: the rows set are this year's) is
   due in full. Only rep_a3 has totals then (99 + 99 h). */
E2E_TEST(reports_past_year)
{
	resp r = getf(g_asr, "/api/v1/reports/members?org_id=%lld&year=%d&per_page=500", g_org1, g_year - 1);
	CHECK_STATUS(r, 200);
	size_t i;
	json_t *w;
	int n = 0;
	json_array_foreach(json_object_get(r.json, "members"), i, w)
	{
		int a3 = !strcmp(jstr(w, "username"), "rep_a3");
		const char *want = a3 ? "met" : "at_risk";
		CHECK(!strcmp(jstr(w, "status"), want), "%s in %d: %s", jstr(w, "username"), g_year - 1, jstr(w, "status"));
		CHECK(jnum(json_object_get(w, "requirement"), "total_hours") == 50, "the default requirement");
		CHECK(jnum(w, "credit_hours") == (a3 ? 198 : 0) && jint(w, "points") == (a3 ? 999 : 0), "%s totals",
		      jstr(w, "username"));
		n += a3;
	}
	CHECK(n == 1, "rep_a3 listed");
	resp_free(&r);
}

E2E_TEST(reports_members_search_paging)
{
	e2e_clock_set_at(year_start(g_year) + 183 * 86400);
	resp r = getf(g_asr, "/api/v1/reports/members?org_id=%lld&year=%d&q=%s", g_org1, g_year, "%E7%94%B2%E4%BA%8C");
	CHECK(jint(r.json, "total") == 1 && find_by(json_object_get(r.json, "members"), "username", "rep_a2"),
	      "q=甲二: %.300s", r.body);
	resp_free(&r);
	r = getf(g_asr, "/api/v1/reports/members?org_id=%lld&year=%d&q=rep_b", g_org1, g_year);
	CHECK(jint(r.json, "total") == 2, "q=rep_b by username: %lld", jint(r.json, "total"));
	resp_free(&r);
	/* '%' and '_' are literal. */
	r = getf(g_asr, "/api/v1/reports/members?org_id=%lld&year=%d&q=%%25", g_org1, g_year);
	CHECK(jint(r.json, "total") == 1 && find_by(json_object_get(r.json, "members"), "username", "rep_c2"),
	      "q=%%: %.300s", r.body);
	resp_free(&r);
	r = getf(g_asr, "/api/v1/reports/members?org_id=%lld&year=%d&q=rep%%5Fa", g_org1, g_year);
	CHECK(jint(r.json, "total") == 3, "q=rep_a: %lld", jint(r.json, "total"));
	resp_free(&r);
	/* Pages: the same rows in the same order as one big page. */
	r = getf(g_asr, "/api/v1/reports/members?org_id=%lld&year=%d&per_page=500", g_org1, g_year);
	json_t *all = json_incref(json_object_get(r.json, "members"));
	resp_free(&r);
	size_t n = json_array_size(all), seen = 0;
	for (int page = 1; page <= 5; page++) {
		r = getf(g_asr, "/api/v1/reports/members?org_id=%lld&year=%d&per_page=3&page=%d", g_org1, g_year, page);
		json_t *rows = json_object_get(r.json, "members");
		CHECK(jint(r.json, "total") == (long long)n && jint(r.json, "per_page") == 3, "page %d header", page);
		for (size_t i = 0; i < json_array_size(rows); i++, seen++)
			CHECK(seen < n && jint(json_array_get(rows, i), "user_id") == jint(json_array_get(all, seen), "user_id"),
			      "page %d row %zu", page, i);
		resp_free(&r);
	}
	CHECK(seen == n, "pages cover all %zu rows (%zu)", n, seen);
	json_decref(all);
	/* A branch alone; the assessor's own scope by default (no org_id). */
	r = getf(g_asr, "/api/v1/reports/members?org_id=%lld&year=%d", g_org_c, g_year);
	CHECK(jint(r.json, "total") == 3, "丙: %lld", jint(r.json, "total"));
	resp_free(&r);
	r = getf(g_asr, "/api/v1/reports/members?year=%d&per_page=500", g_year);
	CHECK(find_by(json_object_get(r.json, "members"), "username", "rep_c1") &&
		      !find_by(json_object_get(r.json, "members"), "username", "wangwu"),
	      "the assessor's own subtree");
	resp_free(&r);
	/* An admin's: everything (other tests made many members: searched by name, one per subtree). */
	r = getf(g_adm, "/api/v1/reports/members?year=%d&per_page=500&q=%s", g_year, "%E7%8E%8B%E4%BA%94"); /* 王五 */
	CHECK(find_by(json_object_get(r.json, "members"), "username", "wangwu"), "an admin's: 第二党委's member");
	resp_free(&r);
	r = getf(g_adm, "/api/v1/reports/members?year=%d&per_page=500&q=%s", g_year, "%E6%8A%A5%E8%A1%A8%E4%B8%99%E4%B8%80"); /* 报表丙一 */
	CHECK(find_by(json_object_get(r.json, "members"), "username", "rep_c1"), "an admin's: 第一党委's member");
	resp_free(&r);
	e2e_clock_set_at(g_t0);
}

E2E_TEST(reports_scope_and_bad_input)
{
	/* An assessor of 第二党委 asking for 第一党委's subtree, or one of its branches: 403. */
	const char *routes[] = {"members", "orgs"};
	for (int k = 0; k < 2; k++) {
		resp r = getf(g_asr2, "/api/v1/reports/%s?org_id=%lld&year=%d", routes[k], g_org1, g_year);
		CHECK_STATUS(r, 403);
		CHECK(r.body && !strstr(r.body, "rep_a1"), "nothing of the subtree leaks");
		resp_free(&r);
		r = getf(g_asr2, "/api/v1/reports/%s?org_id=%lld&year=%d", routes[k], g_org_c, g_year);
		CHECK_STATUS(r, 403);
		resp_free(&r);
		r = getf(g_asr2, "/api/v1/reports/%s?org_id=%lld&year=%d", routes[k], g_org2, g_year);
		CHECK_STATUS(r, 200);
		resp_free(&r);
		r = getf(g_mem, "/api/v1/reports/%s?org_id=%lld&year=%d", routes[k], g_org_a, g_year);
		CHECK_STATUS(r, 403);
		resp_free(&r);
		r = getf(g_asr, "/api/v1/reports/%s?org_id=999999&year=%d", routes[k], g_year);
		CHECK_STATUS(r, 404);
		resp_free(&r);
		r = getf(NULL, "/api/v1/reports/%s?org_id=%lld", routes[k], g_org1);
		CHECK_STATUS(r, 401);
		resp_free(&r);
		const char *years[] = {"1999", "abc", "20261", "-2026"};
		for (int y = 0; y < 4; y++) {
			r = getf(g_asr, "/api/v1/reports/%s?org_id=%lld&year=%s", routes[k], g_org1, years[y]);
			CHECK_STATUS(r, 422);
			resp_free(&r);
		}
		r = getf(g_asr, "/api/v1/reports/%s?org_id=%lld&year=%d", routes[k], g_org1, g_year + 2);
		CHECK_STATUS(r, 422);
		resp_free(&r);
	}
	resp r = getf(g_asr, "/api/v1/reports/members?org_id=%lld&status=lazy", g_org1);
	CHECK_STATUS(r, 422);
	resp_free(&r);
	r = getf(g_asr, "/api/v1/reports/members?org_id=%lld&format=pdf", g_org1);
	CHECK_STATUS(r, 422);
	resp_free(&r);
	/* The assessor's summary without org_id is their own organisation's. */
	r = getf(g_asr, "/api/v1/reports/orgs?year=%d", g_year);
	CHECK_STATUS(r, 200);
	CHECK(jint(json_object_get(r.json, "org"), "id") == g_org1, "own org: %.200s", r.body);
	resp_free(&r);
	/* An admin's without org_id: the roots. */
	r = getf(g_adm, "/api/v1/reports/orgs?year=%d", g_year);
	CHECK_STATUS(r, 200);
	CHECK(json_is_null(json_object_get(r.json, "org")) &&
		      find_by(json_object_get(r.json, "children"), "name", "市委组织部"),
	      "the roots: %.300s", r.body);
	resp_free(&r);
}

/* ---- files: CSV (parsed back), XLSX (unzipped), the report command ---- */

/* RFC 4180: the fields of one record starting at *p (CRLF ends it); *p moves past it. */
static int csv_record(const char **p, const char *end, char fields[][256], int max)
{
	int n = 0;
	const char *s = *p;
	if (s >= end)
		return -1;
	for (;;) {
		char *f = fields[n];
		size_t fl = 0;
		if (s < end && *s == '"') {
			s++;
			while (s < end) {
				if (*s == '"' && s + 1 < end && s[1] == '"') {
					if (fl < 255) f[fl++] = '"';
					s += 2;
				} else if (*s == '"') {
					s++;
					break;
				} else {
					if (fl < 255) f[fl++] = *s;
					s++;
				}
			}
		} else {
			while (s < end && *s != ',' && *s != '\r' && *s != '\n') {
				if (fl < 255) f[fl++] = *s;
				s++;
			}
		}
		f[fl] = 0;
		if (n < max - 1)
			n++;
		if (s < end && *s == ',') {
			s++;
			continue;
		}
		if (s + 1 < end && s[0] == '\r' && s[1] == '\n')
			s += 2;
		else
			n = -n; /* a bare LF or the end without CRLF: not what Excel is promised */
		break;
	}
	*p = s;
	return n;
}

static const char *const g_heads[] = {"用户名", "姓名", "所属组织", "总学时", "必修学时", "选修学时",
				      "学习时长（秒）", "积分", "完成课程数", "考核状态"};

static const char *status_zh(const char *st)
{
	return !strcmp(st, "met") ? "已达标" : !strcmp(st, "on_track") ? "进度正常" : !strcmp(st, "behind") ? "进度落后"
													 : "有风险";
}

/* Checks a CSV file of g_org1's subtree at elapsed el. */
static void check_csv(const char *data, size_t len, double el, const char *what)
{
	CHECK(len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3), "%s: starts with a BOM", what);
	const char *p = data + 3, *end = data + len;
	static char f[16][256];
	int n = csv_record(&p, end, f, 16);
	CHECK(n == 10, "%s: header has 10 columns (%d)", what, n);
	for (int i = 0; i < 10 && i < n; i++)
		CHECK(!strcmp(f[i], g_heads[i]), "%s: column %d is %s, expected %s", what, i, f[i], g_heads[i]);
	int rows = 0, seen[NM] = {0};
	while (p < end) {
		n = csv_record(&p, end, f, 16);
		CHECK(n == 10, "%s: row %d has 10 CRLF-ended columns (%d)", what, rows + 1, n);
		if (n != 10)
			break;
		rows++;
		for (size_t i = 0; i < NM; i++) {
			if (strcmp(f[0], g_m[i].username))
				continue;
			seen[i] = 1;
			tmember *m = &g_m[i];
			double tot, reqd;
			req_of(*m->org, &tot, &reqd);
			if (!strcmp(m->username, "rep_evil"))
				CHECK(!strcmp(f[1], "'" EVIL_NAME), "%s: the formula is defused: %s", what, f[1]);
			else
				CHECK(!strcmp(f[1], m->name), "%s: name %s", what, f[1]);
			CHECK(strstr(f[2], "第一党委/") != NULL, "%s: org is the full name: %s", what, f[2]);
			CHECK(fabs(atof(f[3]) - (m->hr + m->he)) < 0.005 && fabs(atof(f[4]) - m->hr) < 0.005 &&
				      fabs(atof(f[5]) - m->he) < 0.005,
			      "%s: %s hours %s %s %s", what, m->username, f[3], f[4], f[5]);
			CHECK(atoll(f[6]) == (long long)m->study && atoll(f[7]) == m->points && atoll(f[8]) == m->courses,
			      "%s: %s study/points/courses", what, m->username);
			const char *st = status_zh(expect_status(m->hr, m->he, tot, reqd, el));
			CHECK(!strcmp(f[9], st), "%s: %s status %s, expected %s", what, m->username, f[9], st);
		}
	}
	for (size_t i = 0; i < NM; i++)
		CHECK(seen[i], "%s: %s is in the file", what, g_m[i].username);
	/* The test's members, the demo members and those other tests made: as many as the JSON says. */
	resp t = getf(g_asr, "/api/v1/reports/members?org_id=%lld&year=%d&per_page=1", g_org1, g_year);
	long long want = jint(t.json, "total");
	resp_free(&t);
	CHECK(rows == (int)want && want >= (long long)NM + 3, "%s: %d rows, the JSON report has %lld", what, rows, want);
}

/* The text of the first <c r="REF"> cell of a sheet's XML: its <v> or inline <t>; *type its t="". */
static int xlsx_cell(const char *xml, const char *ref, char *out, size_t n, char *type, size_t tn)
{
	char key[32];
	snprintf(key, sizeof key, "<c r=\"%s\"", ref);
	const char *c = strstr(xml, key);
	if (!c)
		return -1;
	const char *close = strstr(c, "</c>"), *t = strstr(c, " t=\"");
	type[0] = 0;
	if (t && t < close) {
		size_t l = strcspn(t + 4, "\"");
		snprintf(type, tn, "%.*s", (int)(l < tn - 1 ? l : tn - 1), t + 4);
	}
	const char *v = strstr(c, "<v>"), *is = strstr(c, "<t>"), *fo = strstr(c, "<f>");
	if (fo && fo < close)
		return -2; /* a formula */
	const char *s = v && v < close ? v + 3 : is && is < close ? is + 3 : NULL;
	if (!s)
		return -1;
	size_t l = strcspn(s, "<");
	snprintf(out, n, "%.*s", (int)(l < n - 1 ? l : n - 1), s);
	return 0;
}

E2E_TEST(reports_xlsx_unzipped)
{
	double now = year_start(g_year) + 200 * 86400;
	e2e_clock_set_at(now);
	double el = elapsed_at(now, g_year);
	resp r = getf(g_asr, "/api/v1/reports/members?org_id=%lld&year=%d&format=xlsx", g_org1, g_year);
	CHECK_STATUS(r, 200);
	char *ct = resp_header(&r, "Content-Type"), *cd = resp_header(&r, "Content-Disposition");
	CHECK(ct && strstr(ct, "spreadsheetml.sheet"), "content type %s", ct ? ct : "(none)");
	CHECK(cd && strstr(cd, "attachment") && strstr(cd, ".xlsx"), "disposition %s", cd ? cd : "(none)");
	free(ct);
	free(cd);
	char path[600], dir[600];
	snprintf(path, sizeof path, "%s/report.xlsx", e2e_tmp);
	snprintf(dir, sizeof dir, "%s/report-xlsx", e2e_tmp);
	FILE *f = fopen(path, "wb");
	if (f) {
		fwrite(r.body, 1, r.len, f);
		fclose(f);
	}
	resp_free(&r);
	CHECK(e2e_sh("rm -rf %s && mkdir -p %s && cd %s && unzip -q %s", dir, dir, dir, path) == 0, "unzip");
	char sp[700];
	snprintf(sp, sizeof sp, "%s/xl/worksheets/sheet1.xml", dir);
	FILE *x = fopen(sp, "rb");
	CHECK(x != NULL, "sheet1.xml in the zip");
	if (!x)
		return;
	static char xml[1 << 20];
	size_t xl = fread(xml, 1, sizeof xml - 1, x);
	xml[xl] = 0;
	fclose(x);
	CHECK(strstr(xml, "state=\"frozen\"") && strstr(xml, "ySplit=\"1\""), "the header row is frozen");
	CHECK(strstr(xml, "<col min=\"3\" max=\"3\" width=\"28") != NULL, "the org column is wide");
	char v[256], t[16], ref[16];
	const char *cols = "ABCDEFGHIJ";
	for (int i = 0; i < 10; i++) {
		snprintf(ref, sizeof ref, "%c1", cols[i]);
		CHECK(xlsx_cell(xml, ref, v, sizeof v, t, sizeof t) == 0 && !strcmp(v, g_heads[i]), "header %s: %s", ref, v);
	}
	/* Every data row: find it by username in column A, then check its cells. */
	int found = 0;
	for (int row = 2; row < 40; row++) {
		snprintf(ref, sizeof ref, "A%d", row);
		if (xlsx_cell(xml, ref, v, sizeof v, t, sizeof t) != 0)
			break;
		for (size_t i = 0; i < NM; i++) {
			if (strcmp(v, g_m[i].username))
				continue;
			found++;
			tmember *m = &g_m[i];
			double tot, reqd;
			req_of(*m->org, &tot, &reqd);
			char num[64], nt[16];
			snprintf(ref, sizeof ref, "D%d", row);
			int rc = xlsx_cell(xml, ref, num, sizeof num, nt, sizeof nt);
			CHECK(rc == 0 && !nt[0] && fabs(atof(num) - (m->hr + m->he)) < 0.005,
			      "%s: total hours is a number cell (%s, t=%s)", m->username, num, nt);
			snprintf(ref, sizeof ref, "H%d", row);
			rc = xlsx_cell(xml, ref, num, sizeof num, nt, sizeof nt);
			CHECK(rc == 0 && !nt[0] && atoll(num) == m->points, "%s: points a number (%s)", m->username, num);
			snprintf(ref, sizeof ref, "B%d", row);
			rc = xlsx_cell(xml, ref, num, sizeof num, nt, sizeof nt);
			if (!strcmp(m->username, "rep_evil"))
				CHECK(rc == 0 && !strcmp(nt, "inlineStr") && (!strcmp(num, EVIL_NAME) || !strcmp(num, "=1+2&quot;q&quot;,x")),
				      "the formula-like name is text, never a formula (rc %d, %s)", rc, num);
			else
				CHECK(rc == 0 && !strcmp(num, m->name), "%s: name %s", m->username, num);
			snprintf(ref, sizeof ref, "J%d", row);
			rc = xlsx_cell(xml, ref, num, sizeof num, nt, sizeof nt);
			const char *st = status_zh(expect_status(m->hr, m->he, tot, reqd, el));
			CHECK(rc == 0 && !strcmp(num, st), "%s: status %s, expected %s", m->username, num, st);
		}
	}
	CHECK(found == (int)NM, "all %zu members in the sheet (%d)", NM, found);
	/* The file honours the filter as the JSON does. */
	r = getf(g_asr, "/api/v1/reports/members?org_id=%lld&year=%d&format=xlsx&status=lazy", g_org1, g_year);
	CHECK_STATUS(r, 422);
	resp_free(&r);
	r = getf(g_asr2, "/api/v1/reports/members?org_id=%lld&year=%d&format=xlsx", g_org1, g_year);
	CHECK_STATUS(r, 403);
	resp_free(&r);
	e2e_clock_set_at(g_t0);
}

E2E_TEST(reports_csv_http)
{
	double now = year_start(g_year) + 120 * 86400;
	e2e_clock_set_at(now);
	resp r = getf(g_asr, "/api/v1/reports/members?org_id=%lld&year=%d&format=csv", g_org1, g_year);
	CHECK_STATUS(r, 200);
	char *ct = resp_header(&r, "Content-Type");
	CHECK(ct && strstr(ct, "text/csv"), "content type %s", ct ? ct : "(none)");
	free(ct);
	check_csv(r.body, r.len, elapsed_at(now, g_year), "http csv");
	/* Streamed as it is produced: chunked, no length known beforehand, no temporary file. */
	char *te = resp_header(&r, "Transfer-Encoding"), *cl = resp_header(&r, "Content-Length");
	char *cd = resp_header(&r, "Content-Disposition");
	CHECK(te && strstr(te, "chunked") && !cl, "streamed: Transfer-Encoding %s, Content-Length %s", te ? te : "(none)",
	      cl ? cl : "(none)");
	CHECK(cd && strstr(cd, "attachment") && strstr(cd, ".csv"), "download name: %s", cd ? cd : "(none)");
	free(te);
	free(cl);
	free(cd);
	CHECK(e2e_sh("test -z \"$(ls %s/tmp 2>/dev/null)\"", e2e_data) == 0, "no temporary file left");
	resp_free(&r);
	/* HEAD: the headers only; the producer is released without running (no leak, LeakSanitizer). */
	char head_path[256];
	snprintf(head_path, sizeof head_path, "/api/v1/reports/members?org_id=%lld&year=%d&format=csv", g_org1, g_year);
	r = e2e_req("HEAD", head_path, g_asr, NULL, NULL);
	CHECK_STATUS(r, 200);
	CHECK(r.len == 0, "HEAD: no body (%zu bytes)", r.len);
	resp_free(&r);
	r = getf(g_asr2, "/api/v1/reports/members?org_id=%lld&year=%d&format=csv", g_org1, g_year);
	CHECK_STATUS(r, 403);
	resp_free(&r);
	e2e_clock_set_at(g_t0);
}

E2E_TEST(reports_cli)
{
	double el = elapsed_at(g_t0, g_year);
	char out[600];
	snprintf(out, sizeof out, "%s/cli.csv", e2e_tmp);
	int rc = e2e_sh("bin/dangxiao-san report --data %s --org %lld --year %d --format csv --out %s --quiet", e2e_data,
			g_org1, g_year, out);
	CHECK(rc == 0, "report --format csv: %d", rc);
	size_t len = 0;
	FILE *f = fopen(out, "rb");
	static char data[1 << 20];
	if (f) {
		len = fread(data, 1, sizeof data, f);
		fclose(f);
	}
	/* The command reads the real clock: the test clock is at g_t0, a few seconds from it. */
	check_csv(data, len, el, "cli csv");
	snprintf(out, sizeof out, "%s/cli.xlsx", e2e_tmp);
	rc = e2e_sh("bin/dangxiao-san report --data %s --org %lld --year %d --format xlsx --out %s --quiet && "
		    "unzip -p %s xl/worksheets/sheet1.xml | grep -q rep_evil",
		    e2e_data, g_org1, g_year, out, out);
	CHECK(rc == 0, "report --format xlsx: %d", rc);
	/* Bad usage 2, an organisation that does not exist 1, and no file is left behind. */
	CHECK(e2e_sh("bin/dangxiao-san report --data %s --org %lld --year 1999 --format csv --out %s/x.csv 2>/dev/null",
		     e2e_data, g_org1, e2e_tmp) == 2,
	      "year 1999: exit 2");
	CHECK(e2e_sh("bin/dangxiao-san report --data %s --org %lld --year %d --format pdf --out %s/x.csv 2>/dev/null",
		     e2e_data, g_org1, g_year, e2e_tmp) == 2,
	      "format pdf: exit 2");
	CHECK(e2e_sh("bin/dangxiao-san report --data %s --org 999999 --year %d --format csv --out %s/x.csv 2>/dev/null",
		     e2e_data, g_year, e2e_tmp) == 1,
	      "unknown org: exit 1");
	CHECK(e2e_sh("test ! -e %s/x.csv", e2e_tmp) == 0, "no file written");
}

E2E_TEST(reports_page)
{
	resp r = getf(g_asr, "/assess?org_id=%lld&year=%d", g_org1, g_year);
	CHECK_STATUS(r, 200);
	CHECK(r.body && strstr(r.body, "报表甲支部") && strstr(r.body, "<svg") && strstr(r.body, "role=\"img\"") &&
		      strstr(r.body, "<desc>") && strstr(r.body, "报表甲一"),
	      "tree, chart with its text alternative, member table");
	CHECK(r.body && !strstr(r.body, "王五"), "nothing of 第二党委");
	resp_free(&r);
	r = getf(g_asr, "/assess?org_id=%lld&year=%d&status=met", g_org1, g_year);
	CHECK(r.body && strstr(r.body, "报表甲一") && !strstr(r.body, "报表乙二"), "filtered by status");
	resp_free(&r);
	r = getf(g_asr, "/assess?org_id=%lld&year=%d&q=%%E4%%B9%%99", g_org1, g_year);
	CHECK(r.body && strstr(r.body, "报表乙一") && !strstr(r.body, "<th scope=\"row\">报表甲一"), "searched by name");
	resp_free(&r);
	r = getf(g_asr2, "/assess?org_id=%lld", g_org1);
	CHECK_STATUS(r, 403);
	CHECK(r.body && strstr(r.body, "<html") && !strstr(r.body, "报表甲一"), "an HTML 403 without the data");
	resp_free(&r);
	r = getf(g_mem, "/assess");
	CHECK_STATUS(r, 403);
	resp_free(&r);
	r = getf(g_asr, "/assess?year=1999");
	CHECK_STATUS(r, 422);
	resp_free(&r);
}

/* ---- reminders: a local receiver that is down, answers 500, is slow, then comes back ---- */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

static struct {
	pthread_mutex_t mu;
	int fd, port, running;
	int status;        /* what it answers */
	int delay_ms;      /* before answering */
	int got;           /* requests received */
	char last[8192];   /* the last body */
	char ctype[128];
	pthread_t th;
} g_rx = {.mu = PTHREAD_MUTEX_INITIALIZER, .fd = -1, .status = 200};

static void *rx_main(void *arg)
{
	(void)arg;
	for (;;) {
		int c = accept(g_rx.fd, NULL, NULL);
		if (c < 0)
			break;
		char req[16384];
		char *body = e2e_read_request(c, req, sizeof req);
		pthread_mutex_lock(&g_rx.mu);
		int delay = g_rx.delay_ms, status = g_rx.status;
		g_rx.got++;
		snprintf(g_rx.last, sizeof g_rx.last, "%s", body ? body : "");
		char *ct = strcasestr(req, "Content-Type:");
		snprintf(g_rx.ctype, sizeof g_rx.ctype, "%.*s", ct ? (int)strcspn(ct + 13, "\r\n") : 0, ct ? ct + 13 : "");
		pthread_mutex_unlock(&g_rx.mu);
		if (delay)
			usleep((useconds_t)delay * 1000);
		char out[128];
		int ol = snprintf(out, sizeof out, "HTTP/1.1 %d X\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok", status);
		if (write(c, out, (size_t)ol) < 0) {
			/* the client gave up */
		}
		close(c);
	}
	return NULL;
}

/* A free port for the receiver (nothing listens on it until rx_up). */
static int rx_pick_port(void)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t l = sizeof a;
	bind(s, (struct sockaddr *)&a, sizeof a);
	getsockname(s, (struct sockaddr *)&a, &l);
	close(s);
	return ntohs(a.sin_port);
}

static void rx_up(void)
{
	g_rx.fd = socket(AF_INET, SOCK_STREAM, 0);
	int one = 1;
	setsockopt(g_rx.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)g_rx.port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	CHECK(bind(g_rx.fd, (struct sockaddr *)&a, sizeof a) == 0 && listen(g_rx.fd, 16) == 0, "receiver listens");
	g_rx.running = 1;
	pthread_create(&g_rx.th, NULL, rx_main, NULL);
}

static void rx_down(void)
{
	if (!g_rx.running)
		return;
	shutdown(g_rx.fd, SHUT_RDWR);
	close(g_rx.fd);
	pthread_join(g_rx.th, NULL);
	g_rx.running = 0;
}

static int rx_got(void)
{
	pthread_mutex_lock(&g_rx.mu);
	int n = g_rx.got;
	pthread_mutex_unlock(&g_rx.mu);
	return n;
}

/* The outbox row id of the newest reminder of g_org1 with its state and attempts. */
static void outbox_row(long long id, char *state, size_t sn, long long *attempts, long long *last_status)
{
	resp r = getf(g_asr, "/api/v1/reminders?org_id=%lld", g_org1);
	json_t *e = find_id(json_object_get(r.json, "reminders"), "id", id);
	snprintf(state, sn, "%s", e && jstr(e, "state") ? jstr(e, "state") : "?");
	*attempts = e ? jint(e, "attempts") : -1;
	*last_status = e ? jint(e, "last_status") : -1;
	resp_free(&r);
}

/* Waits (real time: the delivery is asynchronous) up to ms for the row to reach state / attempts. */
static int wait_row(long long id, const char *state, long long min_attempts, int ms)
{
	char st[16];
	long long a, ls;
	for (int waited = 0; waited <= ms; waited += 100) {
		outbox_row(id, st, sizeof st, &a, &ls);
		if (!strcmp(st, state) && a >= min_attempts)
			return 1;
		usleep(100 * 1000);
	}
	return 0;
}

static long long remind_now(const char *tok, char *content, size_t cn)
{
	char path[128];
	snprintf(path, sizeof path, "/api/v1/reminders?org_id=%lld", g_org1);
	resp r = e2e_req("POST", path, tok, "{}", NULL);
	CHECK_STATUS(r, 202);
	long long id = jint(r.json, "id");
	if (content)
		snprintf(content, cn, "%s", jstr(r.json, "content") ? jstr(r.json, "content") : "");
	resp_free(&r);
	return id;
}

static double now_real(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

E2E_TEST(reports_reminders_webhook)
{
	e2e_clock_set_at(year_start(g_year) + 183 * 86400);
	char body[256], content[4096];
	/* No webhook yet: 409. Bad addresses: 422. */
	resp r = e2e_req("POST", "/api/v1/reminders", g_asr, "{}", NULL);
	CHECK_STATUS(r, 409);
	resp_free(&r);
	const char *bad[] = {"ftp://127.0.0.1/x", "http://a b/c", "javascript:alert(1)", "http:/x"};
	for (int i = 0; i < 4; i++) {
		snprintf(body, sizeof body, "{\"webhook_url\":\"%s\"}", bad[i]);
		r = e2e_req("PUT", "/api/v1/scoring/settings", g_adm, body, NULL);
		CHECK_STATUS(r, 422);
		resp_free(&r);
	}
	r = e2e_req("PUT", "/api/v1/scoring/settings", g_asr, "{\"webhook_url\":\"\"}", NULL);
	CHECK_STATUS(r, 403);
	resp_free(&r);
	/* The receiver is down (nothing listens on its port). */
	g_rx.port = rx_pick_port();
	snprintf(body, sizeof body, "{\"webhook_url\":\"http://127.0.0.1:%d/hook?key=secret\",\"remind_weekday\":1,\"remind_hour\":9}",
		 g_rx.port);
	r = e2e_req("PUT", "/api/v1/scoring/settings", g_adm, body, NULL);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	r = e2e_req("GET", "/api/v1/scoring/settings", g_adm, NULL, NULL);
	CHECK(jstr(r.json, "webhook_url") && strstr(jstr(r.json, "webhook_url"), "secret"), "settings read back");
	resp_free(&r);
	CHECK((long long)e2e_sql("SELECT count(*) FROM audit_log WHERE action = 'setting.update' AND detail LIKE '%%secret%%'") == 0,
	      "the audit row does not keep the webhook's key");

	/* Scope: another subtree's assessor and a member are refused. */
	snprintf(body, sizeof body, "/api/v1/reminders?org_id=%lld", g_org1);
	r = e2e_req("POST", body, g_asr2, "{}", NULL);
	CHECK_STATUS(r, 403);
	resp_free(&r);
	r = e2e_req("POST", body, g_mem, "{}", NULL);
	CHECK_STATUS(r, 403);
	resp_free(&r);
	r = e2e_req("POST", body, g_asr, "{\"year\":1999}", NULL);
	CHECK_STATUS(r, 422);
	resp_free(&r);

	double t0 = now_real();
	long long id = remind_now(g_asr, content, sizeof content);
	CHECK(now_real() - t0 < 2, "queueing answers at once (%.2f s)", now_real() - t0);
	/* The message names those at risk / behind by organisation, as recomputed here. */
	double el = elapsed_at(year_start(g_year) + 183 * 86400, g_year);
	CHECK(strstr(content, "【学时提醒】") != NULL, "title: %s", content);
	for (size_t i = 0; i < NM; i++) {
		double tot, reqd;
		req_of(*g_m[i].org, &tot, &reqd);
		const char *st = expect_status(g_m[i].hr, g_m[i].he, tot, reqd, el);
		int bad_st = !strcmp(st, "behind") || !strcmp(st, "at_risk");
		if (strcmp(g_m[i].username, "rep_evil"))
			CHECK(!!strstr(content, g_m[i].name) == bad_st, "%s (%s) %s in the message", g_m[i].username, st,
			      bad_st ? "is" : "is not");
	}
	CHECK(wait_row(id, "pending", 1, 5000), "a failed try is recorded and the row kept");
	char st[16];
	long long att, ls;
	outbox_row(id, st, sizeof st, &att, &ls);
	CHECK(att == 1, "one try so far (%lld): the next waits for the backoff", att);
	/* It comes back; nothing is sent before the backoff has passed on the server's clock … */
	g_rx.status = 200;
	rx_up();
	usleep(1500 * 1000);
	CHECK(rx_got() == 0, "not retried before the backoff (%d)", rx_got());
	/* … and once it has, the message arrives, as the robot's JSON. */
	e2e_clock_advance(31);
	CHECK(wait_row(id, "sent", 2, 5000), "delivered after the receiver came back");
	pthread_mutex_lock(&g_rx.mu);
	json_t *j = json_loads(g_rx.last, 0, NULL);
	CHECK(j && !strcmp(jstr(j, "msgtype"), "text") &&
		      !strcmp(jstr(json_object_get(j, "text"), "content") ? jstr(json_object_get(j, "text"), "content") : "",
			      content),
	      "the body is {msgtype:text, text:{content}}: %.200s", g_rx.last);
	CHECK(strstr(g_rx.ctype, "application/json") != NULL, "sent as JSON (%s)", g_rx.ctype);
	pthread_mutex_unlock(&g_rx.mu);
	json_decref(j);

	/* A receiver answering 500: retried later, then delivered. */
	g_rx.status = 500;
	int before = rx_got();
	id = remind_now(g_asr, NULL, 0);
	CHECK(wait_row(id, "pending", 1, 5000), "500: kept pending");
	outbox_row(id, st, sizeof st, &att, &ls);
	CHECK(ls == 500 && rx_got() == before + 1, "500 recorded (%lld)", ls);
	g_rx.status = 200;
	e2e_clock_advance(31);
	CHECK(wait_row(id, "sent", 2, 5000), "delivered on the retry");

	/* A slow receiver (no answer for 11 s: the 10 s timeout): the server keeps answering at once. */
	g_rx.delay_ms = 11000;
	id = remind_now(g_asr, NULL, 0);
	usleep(500 * 1000);
	double worst = 0;
	for (int i = 0; i < 10; i++) {
		t0 = now_real();
		r = getf(g_asr, "/api/v1/reports/orgs?org_id=%lld&year=%d", g_org1, g_year);
		CHECK_STATUS(r, 200);
		resp_free(&r);
		long long id2 = remind_now(g_asr, NULL, 0);
		(void)id2;
		double d = now_real() - t0;
		worst = d > worst ? d : worst;
		usleep(200 * 1000);
	}
	CHECK(worst < 1.0, "requests stay fast while the receiver hangs (worst %.3f s)", worst);
	CHECK(wait_row(id, "pending", 1, 15000), "the timeout counts as a failure");
	g_rx.delay_ms = 0;
	/* Everything still pending goes out once the backoff has passed (up to the 16 per pass). */
	e2e_clock_advance(31);
	CHECK(wait_row(id, "sent", 2, 8000), "the timed-out one is delivered on its retry");

	/* Down across a restart: the row is in the database, so it is delivered after it. */
	rx_down();
	id = remind_now(g_asr, NULL, 0);
	CHECK(wait_row(id, "pending", 1, 5000), "refused again");
	CHECK(e2e_restart() == 0, "restart");
	/* The restarted server's clock is the real time again: the row is due at once and tried while
	   the receiver is still down (a second failure: the next wait is 45–60 s). */
	CHECK(wait_row(id, "pending", 2, 5000), "tried again after the restart");
	rx_up();
	e2e_clock_advance(61);
	CHECK(wait_row(id, "sent", 2, 8000), "delivered after the restart");
	outbox_row(id, st, sizeof st, &att, &ls);
	CHECK(!strcmp(st, "sent"), "after the restart: %s, %lld tries, last %lld, receiver got %d", st, att, ls, rx_got());
	rx_down();
	e2e_clock_set_at(g_t0);
}

/* The weekly reminder: queued once at the set weekday and hour (academy time), then delivered. */
E2E_TEST(reports_reminders_weekly)
{
	rx_up();
	g_rx.status = 200;
	/* A Monday, 09:30 in Shanghai: 01:30 UTC. Find the Monday of the current week. */
	double now = g_t0;
	time_t tt = (time_t)now + 8 * 3600;
	struct tm tm;
	gmtime_r(&tt, &tm);
	int wd = tm.tm_wday ? tm.tm_wday : 7;
	double monday = now - (wd - 1) * 86400.0 - fmod(now + 8 * 3600, 86400) + 9.5 * 3600;
	char q[160];
	snprintf(q, sizeof q, "SELECT count(*) FROM remind_outbox WHERE kind = 'weekly'");
	long long before = (long long)e2e_sql("%s", q);
	e2e_clock_set_at(monday - 3600); /* 08:30: not yet */
	usleep(2500 * 1000);
	CHECK((long long)e2e_sql("%s", q) == before, "not before the hour");
	e2e_clock_set_at(monday);
	long long n = 0;
	for (int i = 0; i < 50 && (n = (long long)e2e_sql("%s", q)) == before; i++)
		usleep(100 * 1000);
	CHECK(n == before + 1, "queued at the hour (%lld)", n);
	e2e_clock_set_at(monday + 3600);
	usleep(2500 * 1000);
	CHECK((long long)e2e_sql("%s", q) == before + 1, "once a week");
	snprintf(q, sizeof q, "SELECT count(*) FROM remind_outbox WHERE kind = 'weekly' AND state = 'sent'");
	long long sent = 0;
	for (int i = 0; i < 50 && (sent = (long long)e2e_sql("%s", q)) < 1; i++)
		usleep(100 * 1000);
	CHECK(sent >= 1, "the weekly one is delivered");
	rx_down();
	e2e_clock_set_at(g_t0);
}

/* ---- report rows against the ledger ----
   Members whose totals come from real awards (events through the test seam, with the daily caps
   and a required course by assignment), some of them in the previous year; then every report row
   is compared with its totals recomputed here from the ledger rows alone, with SQL on the database:
   points summed over the year's rows, hours from the course rows' credit_hours split by their
   required flag, courses counted, the status derived again by DESIGN.md's rule. */

static long emit_ev(long long u, const char *kind, long long ref, double amount, const char *data)
{
	json_t *b = json_pack("{s:I,s:s,s:I,s:f}", "user_id", (json_int_t)u, "kind", kind, "ref", (json_int_t)ref,
			      "amount", amount);
	if (data)
		json_object_set_new(b, "data", json_string(data));
	char *body = json_dumps(b, JSON_COMPACT);
	resp r = e2e_req("POST", "/api/v1/test/event", g_adm, body, NULL);
	long st = r.status;
	CHECK(st == 200, "event %s for %lld: %ld %s", kind, u, st, r.body ? r.body : "");
	resp_free(&r);
	free(body);
	json_decref(b);
	return st;
}

/* The member's year recomputed from the ledger rows dated inside it. */
typedef struct ledger_year {
	double points, hr, he, courses, rows;
} ledger_year;

static ledger_year ledger_year_of(long long u, int year)
{
	long long s = (long long)year_start(year), e = (long long)year_start(year + 1);
	ledger_year y;
	y.points = e2e_sql("SELECT ifnull(sum(points), 0) FROM ledger WHERE user_id = %lld AND at >= %lld AND at < %lld", u,
			   s, e);
	y.hr = e2e_sql("SELECT ifnull(sum(json_extract(detail, '$.credit_hours')), 0) FROM ledger WHERE user_id = %lld"
		       " AND rule = 'course_completed' AND json_extract(detail, '$.required') = 1 AND at >= %lld AND at < %lld",
		       u, s, e);
	y.he = e2e_sql("SELECT ifnull(sum(json_extract(detail, '$.credit_hours')), 0) FROM ledger WHERE user_id = %lld"
		       " AND rule = 'course_completed' AND json_extract(detail, '$.required') = 0 AND at >= %lld AND at < %lld",
		       u, s, e);
	y.courses = e2e_sql("SELECT count(*) FROM ledger WHERE user_id = %lld AND rule = 'course_completed' AND at >= %lld"
			    " AND at < %lld",
			    u, s, e);
	y.rows = e2e_sql("SELECT count(*) FROM ledger WHERE user_id = %lld AND at >= %lld AND at < %lld", u, s, e);
	return y;
}

E2E_TEST(reports_rows_equal_ledger)
{
	e2e_clock_set_at(g_t0);
	long long org = make_org("报表账本支部", g_org1);
	/* A published course required for the branch this year (the admin's assignment), and one that
	   is not required for anyone. */
	long long req_course = 990001, free_course = 990002;
	for (int i = 0; i < 2; i++)
		rep_sql("INSERT INTO courses(id, owner_id, title, category, credit_hours, status, created_at, updated_at,"
			" published_at) VALUES (%lld, (SELECT id FROM users WHERE username = 'teacher'), '报表账本课%d', '测试',"
			" 2, 'published', 0, 0, 0)",
			i ? free_course : req_course, i);
	char body[160];
	snprintf(body, sizeof body, "{\"course_id\":%lld,\"org_id\":%lld,\"year\":%d}", req_course, org, g_year);
	resp r = e2e_req("POST", "/api/v1/assignments", g_adm, body, NULL);
	CHECK_STATUS(r, 201);
	resp_free(&r);
	static const char *names[] = { "rep_l1", "rep_l2", "rep_l3", "rep_l4" };
	long long u[4];
	for (int i = 0; i < 4; i++) {
		char nm[32];
		snprintf(nm, sizeof nm, "报表账本%d", i + 1);
		u[i] = make_user(names[i], nm, "member", org);
	}
	/* Last year (ten days before this year began): a course and a login that must not count. */
	long long old_course = 990003; /* no such course: elective */
	e2e_clock_set_at(year_start(g_year) - 10 * 86400);
	emit_ev(u[0], "course_completed", old_course, 0, "{\"credit_hours\":7.5}");
	emit_ev(u[0], "login", 1, 0, NULL);
	/* This year, all on one day: the daily caps apply (study 10, quiz 5, login 1). */
	e2e_clock_set_at(year_start(g_year) + 40 * 86400 + 3600);
	emit_ev(u[0], "login", 2, 0, NULL);
	emit_ev(u[0], "login", 3, 0, NULL); /* a second login the same day: capped */
	emit_ev(u[0], "course_completed", req_course, 0, "{\"credit_hours\":12.5}");
	emit_ev(u[0], "course_completed", free_course, 0, "{\"credit_hours\":30}");
	emit_ev(u[0], "exam_passed", 990101, 90, NULL);
	emit_ev(u[0], "course_completed", old_course, 0, "{\"credit_hours\":7.5}"); /* granted once: last year */
	emit_ev(u[1], "course_completed", free_course, 0, "{\"credit_hours\":4.25}");
	for (int i = 0; i < 8; i++)
		emit_ev(u[1], "quiz_answer", 990200 + i, 1, NULL);
	emit_ev(u[1], "study", 1, 3600, NULL); /* an hour: 12 units, capped at 10 */
	emit_ev(u[2], "course_completed", req_course, 0, "{\"credit_hours\":2}");
	emit_ev(u[2], "exam_full_marks", 990102, 100, NULL);
	/* u[3]: nothing at all (no totals row). */
	double now = year_start(g_year) + 200 * 86400;
	e2e_clock_set_at(now);
	r = getf(g_adm, "/api/v1/reports/members?org_id=%lld&year=%d&per_page=500", org, g_year);
	CHECK_STATUS(r, 200);
	json_t *rows = json_object_get(r.json, "members");
	CHECK(json_array_size(rows) == 4, "four members: %zu", json_array_size(rows));
	double tot, reqd;
	req_of(org, &tot, &reqd);
	double el = elapsed_at(now, g_year);
	int64_t met = 0;
	for (int i = 0; i < 4; i++) {
		json_t *w = find_id(rows, "user_id", u[i]);
		CHECK(w != NULL, "%s in the report", names[i]);
		if (!w)
			continue;
		ledger_year y = ledger_year_of(u[i], g_year);
		CHECK(i == 3 ? y.rows == 0 : y.rows > 0, "%s: %g ledger rows this year", names[i], y.rows);
		CHECK(jint(w, "points") == (long long)y.points, "%s: points %lld, ledger %g", names[i], jint(w, "points"),
		      y.points);
		CHECK(fabs(jnum(w, "required_hours") - y.hr) < 0.006, "%s: required hours %g, ledger %g", names[i],
		      jnum(w, "required_hours"), y.hr);
		CHECK(fabs(jnum(w, "elective_hours") - y.he) < 0.006, "%s: elective hours %g, ledger %g", names[i],
		      jnum(w, "elective_hours"), y.he);
		CHECK(fabs(jnum(w, "credit_hours") - (y.hr + y.he)) < 0.006, "%s: credit hours %g, ledger %g", names[i],
		      jnum(w, "credit_hours"), y.hr + y.he);
		CHECK(jint(w, "courses_completed") == (long long)y.courses, "%s: courses %lld, ledger %g", names[i],
		      jint(w, "courses_completed"), y.courses);
		const char *want = expect_status(y.hr, y.he, tot, reqd, el);
		CHECK(jstr(w, "status") && !strcmp(jstr(w, "status"), want), "%s: status %s, from the ledger %s", names[i],
		      jstr(w, "status"), want);
		met += !strcmp(want, "met");
	}
	/* What the ledger says in particular (so the comparison is not between two empty sets). */
	ledger_year y0 = ledger_year_of(u[0], g_year), y1 = ledger_year_of(u[1], g_year);
	CHECK(y0.hr == 12.5 && y0.he == 30 && y0.courses == 2, "rep_l1: 12.5 h required + 30 h elective, 2 courses (%g, %g, %g)",
	      y0.hr, y0.he, y0.courses);
	CHECK(ledger_year_of(u[0], g_year - 1).courses == 1 &&
		      e2e_sql("SELECT count(*) FROM ledger WHERE user_id = %lld AND rule = 'course_completed'", u[0]) == 3,
	      "rep_l1's course of last year is in last year's rows only");
	CHECK(y1.hr == 0 && y1.he == 4.25, "rep_l2: 4.25 h elective (%g, %g)", y1.hr, y1.he);
	resp_free(&r);
	/* The organisation summary counts the same. */
	r = getf(g_adm, "/api/v1/reports/orgs?org_id=%lld&year=%d", org, g_year);
	CHECK_STATUS(r, 200);
	json_t *t = json_object_get(r.json, "total");
	CHECK(jint(t, "members") == 4 && jint(t, "met") == met, "summary: %lld members, %lld met (ledger: 4, %lld)",
	      jint(t, "members"), jint(t, "met"), (long long)met);
	resp_free(&r);
	/* And last year's report: rep_l1's 7.5 h elective. */
	r = getf(g_adm, "/api/v1/reports/members?org_id=%lld&year=%d&per_page=500", org, g_year - 1);
	CHECK_STATUS(r, 200);
	json_t *w = find_id(json_object_get(r.json, "members"), "user_id", u[0]);
	ledger_year yp = ledger_year_of(u[0], g_year - 1);
	CHECK(w && fabs(jnum(w, "elective_hours") - yp.he) < 0.006 && jint(w, "points") == (long long)yp.points,
	      "last year: %g h, %lld points; ledger %g h, %g points", jnum(w, "elective_hours"), jint(w, "points"), yp.he,
	      yp.points);
	resp_free(&r);
	e2e_clock_set_at(g_t0);
}

/* A CSV of thousands of rows goes out in many chunks: complete when read to the end (every member
   once, in order), and a client that goes away after the first bytes costs nothing (the producer
   is released: LeakSanitizer checks it at the final stop; the server keeps serving). */
E2E_TEST(reports_csv_stream_large_and_abort)
{
	long long org = make_org("报表大支部", g_org1);
	rep_sql("WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 3000)"
		" INSERT INTO users(username, name, role, org_id, pw_hash, created_at, updated_at)"
		" SELECT 'rep_big' || i, '大支部学员' || i, 'member', %lld, 'x', 0, 0 FROM c",
		org);
	char path[256];
	snprintf(path, sizeof path, "/api/v1/reports/members?org_id=%lld&year=%d&format=csv", org, g_year);
	resp r = e2e_req("GET", path, g_adm, NULL, NULL);
	CHECK_STATUS(r, 200);
	CHECK(r.len > 3 * 65536, "several chunks: %zu bytes", r.len);
	long lines = 0, in_order = 1, last = 0;
	for (size_t i = 0; r.body && i < r.len; i++)
		if (r.body[i] == '\n') {
			lines++;
			const char *p = i + 1 < r.len ? strstr(r.body + i + 1, "\"rep_big") : NULL;
			if (p && p == r.body + i + 1) {
				long n = atol(p + 8);
				if (n != last + 1)
					in_order = 0;
				last = n;
			}
		}
	CHECK(lines == 3001 && last == 3000 && in_order, "header + 3000 rows in order: %ld lines, last rep_big%ld", lines,
	      last);
	resp_free(&r);
	for (int i = 0; i < 3; i++)
		e2e_sh("curl -s -H 'Authorization: Bearer %s' '%s%s' | head -c 3000 >/dev/null", g_adm, e2e_base, path);
	r = e2e_req("GET", "/api/v1/health", NULL, NULL, NULL);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	r = e2e_req("GET", path, g_adm, NULL, NULL);
	CHECK(r.status == 200 && r.len > 3 * 65536, "a full download after the aborted ones: %ld, %zu bytes", r.status, r.len);
	resp_free(&r);
}

/* The totals this file wrote straight into score_totals have no ledger rows behind them: removed,
   so that the files after this one (verify checks totals against the ledger) meet a true academy. */
E2E_TEST(reports_teardown)
{
	for (size_t i = 0; i < NM; i++) {
		CHECK(e2e_sql("SELECT count(*) FROM ledger WHERE user_id = %lld", g_m[i].id) == 0,
		      "%s has ledger rows: its made-up totals cannot simply go", g_m[i].username);
		rep_sql("DELETE FROM score_totals WHERE user_id = %lld", g_m[i].id);
	}
	CHECK(e2e_sql("SELECT count(*) FROM score_totals WHERE user_id IN (SELECT id FROM users WHERE username LIKE 'rep!_%%' ESCAPE '!')"
		      " AND user_id NOT IN (SELECT user_id FROM ledger)") == 0,
	      "test totals removed");
}
