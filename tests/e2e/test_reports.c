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

/* One number from the server's database. */
static long long rep_sql_int(const char *q)
{
	char cmd[1200], out[64] = "";
	snprintf(cmd, sizeof cmd, "sqlite3 -cmd '.timeout 10000' %s/dangxiao.db \"%s\"", e2e_data, q);
	FILE *p = popen(cmd, "r");
	if (!p)
		return -1;
	if (!fgets(out, sizeof out, p))
		out[0] = 0;
	pclose(p);
	return atoll(out);
}

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
};
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

static void set_clock(double t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	char iso[32];
	strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%SZ", &tm);
	e2e_clock_set(iso);
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
	CHECK(rep_sql_int(q) == 1, "one audit row for 乙's requirement");
}

/* The report of g_org1's subtree at the server's current time `now`, checked row by row. */
static void check_members_at(double now, const char *when)
{
	set_clock(now);
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
	json_t *zs = find_by(rows, "username", "zhangsan");
	const char *zst = expect_status(0, 0, 40, 10, el);
	CHECK(zs && !strcmp(jstr(zs, "status"), zst), "zhangsan %s, expected %s", jstr(zs, "status"), zst);
	/* zhangsan, zhaoliu, lisi: no hours */
	for (int k = 0; k < 4; k++)
		counts[k] += !strcmp(zst, names[k]) * 3;
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
	set_clock(g_t0);
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
	set_clock(year_start(g_year) + 183 * 86400);
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
	CHECK(jint(r.json, "total") == 2, "丙: %lld", jint(r.json, "total"));
	resp_free(&r);
	r = getf(g_asr, "/api/v1/reports/members?year=%d&per_page=500", g_year);
	CHECK(find_by(json_object_get(r.json, "members"), "username", "rep_c1") &&
		      !find_by(json_object_get(r.json, "members"), "username", "wangwu"),
	      "the assessor's own subtree");
	resp_free(&r);
	r = getf(g_adm, "/api/v1/reports/members?year=%d&per_page=500", g_year);
	CHECK(find_by(json_object_get(r.json, "members"), "username", "wangwu") &&
		      find_by(json_object_get(r.json, "members"), "username", "rep_c1"),
	      "an admin's: everything");
	resp_free(&r);
	set_clock(g_t0);
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
