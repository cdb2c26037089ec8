/* test_classes.c — topic classes end to end: validation, joining (every refusal, and capacity under
 * concurrent joins), completion in every order and at the window's edges with the test clock
 * (through real heartbeats: the courses module's course_completed event drives it), assigned
 * classes, the member's own pages against the roster, certificates (pdfinfo, pdftotext, zbarimg),
 * the public verification page before and after revocation, and the ZIP of a roster's certificates.
 *
 * Courses with a ready 10-second lecture are written straight into the server's database with the
 * sqlite3 CLI (as test_study does), so nothing waits for transcoding; everything else goes through
 * the API.
 */
#include "e2e.h"

#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <time.h>

/* Runs SQL on the server's database (fixtures only). */
static void sql(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sql(const char *fmt, ...)
{
	char q[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(q, sizeof q, fmt, ap);
	va_end(ap);
	CHECK(e2e_sh("sqlite3 -cmd '.timeout 10000' %s/dangxiao.db \"%s\" >/dev/null", e2e_data, q) == 0, "sql: %s", q);
}

/* A number the database answers (the first column of the first row), for checks of audit rows. */
static long long sql_n(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static long long sql_n(const char *fmt, ...)
{
	char q[2048], cmd[3000];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(q, sizeof q, fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof cmd, "sqlite3 -cmd '.timeout 10000' %s/dangxiao.db \"%s\"", e2e_data, q);
	FILE *p = popen(cmd, "r");
	char line[128] = "";
	if (p) {
		if (!fgets(line, sizeof line, p))
			line[0] = 0;
		pclose(p);
	}
	return atoll(line);
}

static char *g_admin;
static long long g_org;  /* an organisation of this file's members */
static int g_seq;

static char *admin(void)
{
	if (!g_admin)
		g_admin = e2e_login("admin", E2E_PW);
	return g_admin;
}

/* The server's clock now, in unix seconds. */
static long long now_s(void)
{
	resp r = e2e_req("POST", "/api/v1/test/clock", admin(), "{\"advance_s\":0}", NULL);
	long long t = (long long)jnum(r.json, "now_s");
	resp_free(&r);
	return t;
}

static void iso(long long t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* A published course with one ready 10-second lecture worth `hours`; returns the course id
   (the lecture is id * 10). */
static long long course(double hours)
{
	long long id = 8100 + ++g_seq;
	sql("INSERT INTO courses(id, owner_id, title, category, credit_hours, status, created_at, updated_at, published_at)"
	    " VALUES (%lld, (SELECT id FROM users WHERE username='teacher'), '专题班测试课%d', '测试', %g, 'published',"
	    " strftime('%%s','now'), strftime('%%s','now'), strftime('%%s','now'));"
	    "INSERT INTO lectures(id, course_id, title, position, status, duration_s, media_version, created_at, updated_at)"
	    " VALUES (%lld, %lld, '第1讲', 0, 'ready', 10, 1, strftime('%%s','now'), strftime('%%s','now'))",
	    id, g_seq, hours, id * 10, id);
	return id;
}

/* A member of this file's organisation (made once per name); returns their token. */
static char *member(const char *username)
{
	if (!g_org) {
		resp r = e2e_req("GET", "/api/v1/orgs", admin(), NULL, NULL);
		size_t i;
		json_t *o;
		long long root = 0;
		json_array_foreach(json_object_get(r.json, "orgs"), i, o) if (!strcmp(jstr(o, "name"), "市委组织部")) root =
			jint(o, "id");
		resp_free(&r);
		char body[128];
		snprintf(body, sizeof body, "{\"name\":\"专题班测试支部\",\"parent_id\":%lld}", root);
		r = e2e_req("POST", "/api/v1/orgs", admin(), body, NULL);
		CHECK_STATUS(r, 201);
		g_org = jint(r.json, "id");
		resp_free(&r);
	}
	char body[256];
	snprintf(body, sizeof body,
		 "{\"username\":\"%s\",\"name\":\"学员%s\",\"password\":\"" E2E_PW "\",\"role\":\"member\",\"org_id\":%lld}",
		 username, username, g_org);
	resp r = e2e_req("POST", "/api/v1/users", admin(), body, NULL);
	CHECK(r.status == 201 || r.status == 409, "user %s: %ld", username, r.status);
	resp_free(&r);
	return e2e_login(username, E2E_PW);
}

/* Creates a class; returns its id (0 and the status in *st when refused). */
static long long make_class(const char *extra, long long opens, long long closes, long *st)
{
	char o[32], c[32], body[1024];
	iso(opens, o);
	iso(closes, c);
	snprintf(body, sizeof body, "{\"title\":\"测试专题班%d\",\"opens_at\":\"%s\",\"closes_at\":\"%s\",%s}", ++g_seq, o, c,
		 extra);
	resp r = e2e_req("POST", "/api/v1/classes", admin(), body, NULL);
	if (st)
		*st = r.status;
	else
		CHECK_STATUS(r, 201);
	long long id = r.status == 201 ? jint(r.json, "id") : 0;
	resp_free(&r);
	return id;
}

static resp join(const char *tok, long long cls)
{
	char path[64];
	snprintf(path, sizeof path, "/api/v1/classes/%lld/join", cls);
	return e2e_req("POST", path, tok, NULL, NULL);
}

/* The class as the member sees it (GET /api/v1/classes/{id}); caller frees. */
static resp class_get(const char *tok, long long cls)
{
	char path[64];
	snprintf(path, sizeof path, "/api/v1/classes/%lld", cls);
	return e2e_req("GET", path, tok, NULL, NULL);
}

static json_t *me_of(resp *r)
{
	return json_object_get(r->json, "me");
}

/* Enrols and studies the course's lecture to the end with real heartbeats: play, 6 s, 5 s (the
   test clock moves 11 s). The course completes at the second heartbeat, at start + 11. */
static void study(const char *tok, long long course_id)
{
	char path[80], body[160];
	snprintf(path, sizeof path, "/api/v1/courses/%lld/enroll", course_id);
	resp r = e2e_req("POST", path, tok, NULL, NULL);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	snprintf(path, sizeof path, "/api/v1/lectures/%lld/play", course_id * 10);
	r = e2e_req("POST", path, tok, NULL, NULL);
	CHECK_STATUS(r, 201);
	long long s = jint(r.json, "session");
	resp_free(&r);
	snprintf(path, sizeof path, "/api/v1/lectures/%lld/heartbeat", course_id * 10);
	e2e_clock_advance(6);
	snprintf(body, sizeof body, "{\"session\":%lld,\"position\":6,\"playing\":true,\"rate\":1}", s);
	r = e2e_req("POST", path, tok, body, NULL);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	e2e_clock_advance(5);
	snprintf(body, sizeof body, "{\"session\":%lld,\"position\":10,\"playing\":true,\"rate\":1}", s);
	r = e2e_req("POST", path, tok, body, NULL);
	CHECK_STATUS(r, 200);
	CHECK(json_is_true(json_object_get(r.json, "course_completed")), "course %lld completed: %s", course_id, r.body);
	resp_free(&r);
}

static int completed(const char *tok, long long cls)
{
	resp r = class_get(tok, cls);
	int done = json_is_string(json_object_get(me_of(&r), "completed_at"));
	resp_free(&r);
	return done;
}

/* ---- validation ---- */

E2E_TEST(classes_create_validation)
{
	long long a = course(1), b = course(0.5), t = now_s();
	long st;
	char extra[256];
	snprintf(extra, sizeof extra, "\"course_ids\":[%lld]", a);
	/* A window that closes before it opens, or is empty. */
	CHECK(!make_class(extra, t + 100, t, &st) && st == 422, "window backwards: %ld", st);
	CHECK(!make_class(extra, t, t, &st) && st == 422, "empty window: %ld", st);
	/* A course twice: in one list, or as required and elective. */
	snprintf(extra, sizeof extra, "\"course_ids\":[%lld,%lld,%lld]", a, b, a);
	CHECK(!make_class(extra, t, t + 86400, &st) && st == 422, "duplicate: %ld", st);
	snprintf(extra, sizeof extra, "\"course_ids\":[%lld],\"elective_ids\":[%lld]", a, a);
	CHECK(!make_class(extra, t, t + 86400, &st) && st == 422, "required and elective: %ld", st);
	/* A course that does not exist; hours no course set can reach; no rule at all. */
	CHECK(!make_class("\"course_ids\":[999999]", t, t + 86400, &st) && st == 422, "unknown course: %ld", st);
	snprintf(extra, sizeof extra, "\"elective_ids\":[%lld],\"min_hours\":3", b);
	CHECK(!make_class(extra, t, t + 86400, &st) && st == 422, "unreachable hours: %ld", st);
	snprintf(extra, sizeof extra, "\"elective_ids\":[%lld]", b);
	CHECK(!make_class(extra, t, t + 86400, &st) && st == 422, "no rule: %ld", st);
	snprintf(extra, sizeof extra, "\"course_ids\":[%lld],\"mode\":\"secret\"", a);
	CHECK(!make_class(extra, t, t + 86400, &st) && st == 422, "bad mode: %ld", st);
	CHECK(sql_n("SELECT count(*) FROM classes WHERE title LIKE '测试专题班%%'") == 0, "nothing was created");

	/* A good one, audited; a member may not create one. */
	snprintf(extra, sizeof extra, "\"course_ids\":[%lld],\"elective_ids\":[%lld],\"min_hours\":1.5", a, b);
	long long id = make_class(extra, t, t + 86400, NULL);
	CHECK(id > 0, "created");
	CHECK(sql_n("SELECT count(*) FROM audit_log WHERE action='class.create' AND target_id=%lld", id) == 1, "audited");
	char *m = member("cls_v1");
	resp r = e2e_req("POST", "/api/v1/classes", m, "{\"title\":\"x\"}", NULL);
	CHECK_STATUS(r, 403);
	resp_free(&r);

	/* A change that breaks the rule changes nothing; a good one is audited with old and new. */
	char path[64];
	snprintf(path, sizeof path, "/api/v1/classes/%lld", id);
	char o[32], c[32], body[256];
	iso(t + 10, o);
	iso(t, c);
	snprintf(body, sizeof body, "{\"opens_at\":\"%s\",\"closes_at\":\"%s\"}", o, c);
	r = e2e_req("PATCH", path, admin(), body, NULL);
	CHECK_STATUS(r, 422);
	resp_free(&r);
	snprintf(body, sizeof body, "{\"elective_ids\":[%lld,%lld]}", b, b);
	r = e2e_req("PATCH", path, admin(), body, NULL);
	CHECK_STATUS(r, 422);
	resp_free(&r);
	r = e2e_req("PATCH", path, admin(), "{\"title\":\"改名的专题班\",\"capacity\":5}", NULL);
	CHECK_STATUS(r, 200);
	CHECK(!strcmp(jstr(r.json, "title"), "改名的专题班") && jint(r.json, "capacity") == 5, "patched: %s", r.body);
	CHECK(json_array_size(json_object_get(r.json, "courses")) == 2, "courses kept");
	resp_free(&r);
	CHECK(sql_n("SELECT count(*) FROM audit_log WHERE action='class.update' AND target_id=%lld AND"
		    " json_extract(detail, '$.title[1]') = '改名的专题班'",
		    id) == 1,
	      "update audited with old and new");
	free(m);
}

E2E_TEST(classes_cover_image)
{
	long long a = course(1), t = now_s();
	char extra[128], path[80];
	snprintf(extra, sizeof extra, "\"course_ids\":[%lld]", a);
	long long id = make_class(extra, t - 10, t + 86400, NULL);
	static const unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
	snprintf(path, sizeof path, "/api/v1/classes/%lld/cover", id);
	resp r = e2e_req_h("POST", path, admin(), "GIF89a not a png", 16, "image/png", NULL);
	CHECK_STATUS(r, 415); /* by its bytes, not the type it claims */
	resp_free(&r);
	r = e2e_req_h("POST", path, admin(), (const char *)png, sizeof png, "application/octet-stream", NULL);
	CHECK_STATUS(r, 201);
	resp_free(&r);
	CHECK(sql_n("SELECT count(*) FROM audit_log WHERE action='class.cover' AND target_id=%lld", id) == 1, "audited");
	char *m = member("cls_cv");
	snprintf(path, sizeof path, "/classes/%lld/cover", id);
	r = e2e_req("GET", path, m, NULL, NULL);
	char *ct = resp_header(&r, "Content-Type");
	CHECK(r.status == 200 && ct && !strcmp(ct, "image/png") && r.len == sizeof png, "cover: %ld %s", r.status,
	      ct ? ct : "");
	free(ct);
	resp_free(&r);
	free(m);
}

/* ---- joining ---- */

E2E_TEST(classes_join_refusals)
{
	long long a = course(1), t = now_s();
	char extra[256];
	char *m1 = member("cls_j1"), *m2 = member("cls_j2");
	/* Full: one seat. */
	snprintf(extra, sizeof extra, "\"course_ids\":[%lld],\"capacity\":1", a);
	long long full = make_class(extra, t - 10, t + 86400, NULL);
	resp r = join(m1, full);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	r = join(m1, full); /* again: still a member, 200 */
	CHECK_STATUS(r, 200);
	resp_free(&r);
	r = join(m2, full);
	CHECK_STATUS(r, 409);
	CHECK(r.json && !strcmp(jstr(json_object_get(r.json, "error"), "code"), "full"), "full: %s", r.body);
	resp_free(&r);
	/* Assigned only. */
	snprintf(extra, sizeof extra, "\"course_ids\":[%lld],\"mode\":\"assigned\"", a);
	long long asg = make_class(extra, t - 10, t + 86400, NULL);
	r = join(m2, asg);
	/* An assigned class outside the member's organisation is not theirs to know. */
	CHECK_STATUS(r, 404);
	resp_free(&r);
	char body[64], path[64];
	snprintf(path, sizeof path, "/api/v1/classes/%lld/assign", asg);
	snprintf(body, sizeof body, "{\"org_id\":%lld}", g_org);
	r = e2e_req("POST", path, admin(), body, NULL);
	CHECK_STATUS(r, 201);
	resp_free(&r);
	CHECK(sql_n("SELECT count(*) FROM audit_log WHERE action='class.assign' AND target_id=%lld", asg) == 1, "audited");
	r = class_get(m2, asg);
	CHECK_STATUS(r, 200);
	CHECK(!strcmp(jstr(me_of(&r), "how"), "assigned"), "m2 assigned: %s", r.body);
	resp_free(&r);
	/* A member of another organisation sees it is assigned-only when it is shown to them: the
	   demo's assigned class is under 第一党委, zhangsan is there but wangwu is not. */
	snprintf(extra, sizeof extra, "\"course_ids\":[%lld],\"mode\":\"assigned\"", a);
	long long asg2 = make_class(extra, t - 10, t + 86400, NULL);
	snprintf(path, sizeof path, "/api/v1/classes/%lld/assign", asg2);
	r = e2e_req("POST", path, admin(), body, NULL);
	CHECK_STATUS(r, 201);
	resp_free(&r);
	char *m3 = member("cls_j3"); /* in the organisation, created after the assignment */
	r = join(m3, asg2);
	CHECK_STATUS(r, 200); /* already a member through the organisation */
	resp_free(&r);
	/* Not yet open, then closed. */
	snprintf(extra, sizeof extra, "\"course_ids\":[%lld]", a);
	long long later = make_class(extra, t + 3600, t + 7200, NULL);
	r = join(m1, later);
	CHECK_STATUS(r, 409);
	CHECK(r.json && !strcmp(jstr(json_object_get(r.json, "error"), "code"), "not_open"), "not_open: %s", r.body);
	resp_free(&r);
	e2e_clock_advance(7300);
	r = join(m1, later);
	CHECK_STATUS(r, 409);
	CHECK(r.json && !strcmp(jstr(json_object_get(r.json, "error"), "code"), "closed"), "closed: %s", r.body);
	resp_free(&r);
	/* And a class of assigned mode refuses a member of its organisation who tries to join it anew? No:
	   they are a member already. A member of the organisation of an open class joins normally. */
	snprintf(extra, sizeof extra, "\"course_ids\":[%lld],\"mode\":\"assigned\"", a);
	long long asg3 = make_class(extra, now_s() - 10, now_s() + 86400, NULL);
	snprintf(path, sizeof path, "/api/v1/classes/%lld/assign", asg3);
	snprintf(body, sizeof body, "{\"org_id\":%lld}", (long long)sql_n("SELECT id FROM orgs WHERE name='第二党委'"));
	r = e2e_req("POST", path, admin(), body, NULL);
	CHECK_STATUS(r, 201);
	resp_free(&r);
	/* The assessor of 第一党委 cannot see it (no member of theirs), an admin can: as the list shows. */
	char *as = e2e_login("assessor", E2E_PW);
	r = class_get(as, asg3);
	CHECK_STATUS(r, 404);
	resp_free(&r);
	free(as);
	free(m1);
	free(m2);
	free(m3);
}

typedef struct joiner {
	char *tok;
	long long cls;
	long status;
	char code[32];
} joiner;

static void *join_thread(void *p)
{
	joiner *j = p;
	resp r = join(j->tok, j->cls);
	j->status = r.status;
	snprintf(j->code, sizeof j->code, "%s", r.json ? jstr(json_object_get(r.json, "error"), "code") ?: "" : "");
	resp_free(&r);
	return NULL;
}

E2E_TEST(classes_capacity_under_concurrent_joins)
{
	enum { N = 3, M = 10 };
	long long a = course(1), t = now_s();
	char extra[128];
	snprintf(extra, sizeof extra, "\"course_ids\":[%lld],\"capacity\":%d", a, N);
	long long cls = make_class(extra, t - 10, t + 86400, NULL);
	joiner js[M];
	pthread_t th[M];
	for (int i = 0; i < M; i++) {
		char name[32];
		snprintf(name, sizeof name, "cls_c%d", i);
		js[i] = (joiner){.tok = member(name), .cls = cls};
	}
	for (int i = 0; i < M; i++)
		pthread_create(&th[i], NULL, join_thread, &js[i]);
	int ok = 0, full = 0;
	for (int i = 0; i < M; i++) {
		pthread_join(th[i], NULL);
		ok += js[i].status == 200;
		full += js[i].status == 409 && !strcmp(js[i].code, "full");
		free(js[i].tok);
	}
	CHECK(ok == N && full == M - N, "%d joined, %d full (want %d, %d)", ok, full, N, M - N);
	CHECK(sql_n("SELECT count(*) FROM class_members WHERE class_id=%lld", cls) == N, "members in the table");
	resp r = class_get(admin(), cls);
	CHECK(jint(r.json, "seats_left") == 0 && jint(r.json, "members") == N, "seats: %s", r.body);
	resp_free(&r);
}

/* ---- completion ---- */

E2E_TEST(classes_completion_in_every_order)
{
	long long a = course(1), b = course(0.5), t = now_s();
	char extra[256];
	/* Required a, elective b, at least 1.5 hours: both needed. */
	snprintf(extra, sizeof extra, "\"course_ids\":[%lld],\"elective_ids\":[%lld],\"min_hours\":1.5", a, b);
	long long cls = make_class(extra, t - 10, t + 30 * 86400, NULL);

	/* 1. Both courses inside the window before joining: completes on joining. */
	char *m1 = member("cls_o1");
	study(m1, a);
	study(m1, b);
	CHECK(!completed(m1, cls), "m1 not a member yet");
	resp r = join(m1, cls);
	CHECK_STATUS(r, 200);
	CHECK(json_is_true(json_object_get(r.json, "completed")), "m1 completes on joining: %s", r.body);
	resp_free(&r);
	r = class_get(m1, cls);
	json_t *me = me_of(&r);
	CHECK(jnum(me, "progress") == 1 && !strcmp(jstr(me, "state"), "complete"), "m1: %s", r.body);
	CHECK(!strcmp(jstr(me, "completed_at"), jstr(me, "joined_at")), "m1 completed at joining: %s", r.body);
	CHECK(json_is_object(json_object_get(me, "certificate")), "m1 has a certificate");
	resp_free(&r);

	/* 2. Join, then the required course (not enough hours yet), then the elective. */
	char *m2 = member("cls_o2");
	r = join(m2, cls);
	CHECK(r.status == 200 && !json_is_true(json_object_get(r.json, "completed")), "m2 joins: %s", r.body);
	resp_free(&r);
	study(m2, a);
	r = class_get(m2, cls);
	me = me_of(&r);
	CHECK(!json_is_string(json_object_get(me, "completed_at")), "m2 not yet");
	CHECK(fabs(jnum(me, "hours_needed") - 0.5) < 1e-9, "m2 needs 0.5 h: %s", r.body);
	CHECK(json_array_size(json_object_get(me, "remaining")) == 0, "no required course remains");
	CHECK(jnum(me, "progress") > 0.8 && jnum(me, "progress") < 0.9, "m2 progress (1 + 1/1.5)/2: %g", jnum(me, "progress"));
	resp_free(&r);
	study(m2, b);
	CHECK(completed(m2, cls), "m2 completes with the elective");
	/* Exactly one class_completed event with the certificate's digest. */
	CHECK(sql_n("SELECT count(*) FROM events e JOIN users u ON u.id=e.user_id WHERE u.username='cls_o2' AND"
		    " e.kind='class_completed' AND e.ref=%lld AND length(json_extract(e.data,'$.certificate'))=64",
		    cls) == 1,
	      "class_completed event with the digest");

	/* 3. Elective first, then the required course, both after joining. */
	char *m3 = member("cls_o3");
	r = join(m3, cls);
	resp_free(&r);
	study(m3, b);
	CHECK(!completed(m3, cls), "m3 not after the elective");
	r = class_get(m3, cls);
	CHECK(json_array_size(json_object_get(me_of(&r), "remaining")) == 1, "the required course remains: %s", r.body);
	resp_free(&r);
	study(m3, a);
	CHECK(completed(m3, cls), "m3 completes with the required course");

	/* 4. A course completed before the window opens never counts. */
	char extra2[256];
	long long c = course(1);
	snprintf(extra2, sizeof extra2, "\"course_ids\":[%lld]", c);
	long long t2 = now_s();
	long long later = make_class(extra2, t2 + 600, t2 + 86400, NULL);
	char *m4 = member("cls_o4");
	study(m4, c);
	e2e_clock_advance(700);
	r = join(m4, later);
	CHECK(r.status == 200 && !json_is_true(json_object_get(r.json, "completed")), "m4 joins, not complete: %s", r.body);
	resp_free(&r);
	r = class_get(m4, later);
	me = me_of(&r);
	CHECK(json_array_size(json_object_get(me, "remaining")) == 1 && jnum(me, "progress") == 0,
	      "the early completion does not count: %s", r.body);
	resp_free(&r);
	free(m1);
	free(m2);
	free(m3);
	free(m4);
}

E2E_TEST(classes_window_edges)
{
	/* study() takes 11 s of the test clock: a course started at t completes at t + 11. */
	char extra[128], body[64], path[64];
	char *m1 = member("cls_e1"), *m2 = member("cls_e2");

	/* The window closes exactly when the course completes: the class is over at that second. */
	long long a = course(1), t = now_s();
	snprintf(extra, sizeof extra, "\"course_ids\":[%lld]", a);
	long long edge = make_class(extra, t - 10, t + 11, NULL);
	resp r = join(m1, edge);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	study(m1, a);
	CHECK(!completed(m1, edge), "a completion at closes_at does not count");
	r = class_get(m1, edge);
	CHECK(!strcmp(jstr(me_of(&r), "state"), "missed"), "missed: %s", r.body);
	resp_free(&r);

	/* One second before the end: counts. */
	long long b = course(1);
	t = now_s();
	snprintf(extra, sizeof extra, "\"course_ids\":[%lld]", b);
	long long inside = make_class(extra, t - 10, t + 12, NULL);
	r = join(m1, inside);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	study(m1, b);
	CHECK(completed(m1, inside), "a completion one second before closes_at counts");

	/* Opening edge, on assigned classes (a member may not join before the window opens): a
	   completion exactly at opens_at counts, one a second earlier does not. */
	long long c = course(1), d = course(1);
	t = now_s();
	snprintf(extra, sizeof extra, "\"course_ids\":[%lld],\"mode\":\"assigned\"", c);
	long long at_open = make_class(extra, t + 11, t + 86400, NULL);
	snprintf(path, sizeof path, "/api/v1/classes/%lld/assign", at_open);
	snprintf(body, sizeof body, "{\"org_id\":%lld}", g_org);
	r = e2e_req("POST", path, admin(), body, NULL);
	CHECK_STATUS(r, 201);
	resp_free(&r);
	study(m2, c);
	r = class_get(m2, at_open);
	json_t *me = me_of(&r);
	CHECK(json_is_string(json_object_get(me, "completed_at")), "a completion at opens_at counts: %s", r.body);
	char want[32];
	iso(t + 11, want);
	CHECK(jstr(me, "completed_at") && !strcmp(jstr(me, "completed_at"), want), "completed at %s: %s", want, r.body);
	resp_free(&r);

	t = now_s();
	snprintf(extra, sizeof extra, "\"course_ids\":[%lld],\"mode\":\"assigned\"", d);
	long long before_open = make_class(extra, t + 12, t + 86400, NULL);
	snprintf(path, sizeof path, "/api/v1/classes/%lld/assign", before_open);
	r = e2e_req("POST", path, admin(), body, NULL);
	CHECK_STATUS(r, 201);
	resp_free(&r);
	study(m2, d);
	e2e_clock_advance(5);
	r = class_get(m2, before_open);
	me = me_of(&r);
	CHECK(!json_is_string(json_object_get(me, "completed_at")) && json_array_size(json_object_get(me, "remaining")) == 1,
	      "a completion a second before opens_at does not count: %s", r.body);
	resp_free(&r);
	free(m1);
	free(m2);
}

/* ---- the member's list ---- */

E2E_TEST(classes_my_list)
{
	long long a = course(1), t = now_s();
	char extra[128];
	snprintf(extra, sizeof extra, "\"course_ids\":[%lld]", a);
	long long open = make_class(extra, t - 10, t + 5 * 86400 + 100, NULL);
	long long done = make_class(extra, t - 10, t + 86400, NULL);
	char *m = member("cls_l1");
	resp r = join(m, done);
	resp_free(&r);
	study(m, a);
	r = e2e_req("GET", "/api/v1/classes", m, NULL, NULL);
	CHECK_STATUS(r, 200);
	int seen_open = 0, seen_done = 0;
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(r.json, "classes"), i, c)
	{
		if (jint(c, "id") == open) {
			seen_open = 1;
			CHECK(!json_is_true(json_object_get(c, "joined")) && json_is_true(json_object_get(c, "can_join")),
			      "open to join: class %lld", jint(c, "id"));
			CHECK(jint(c, "days_left") == 6, "days left %lld", jint(c, "days_left"));
		}
		if (jint(c, "id") == done) {
			seen_done = 1;
			CHECK(json_is_true(json_object_get(c, "completed")) && jnum(c, "progress") == 1, "completed");
		}
	}
	CHECK(seen_open && seen_done, "both listed: %.300s", r.body);
	resp_free(&r);
	/* The class page lists its courses in order with what remains. */
	r = class_get(m, open);
	json_t *cs = json_object_get(r.json, "courses");
	CHECK(json_array_size(cs) == 1 && jint(json_array_get(cs, 0), "id") == a, "courses: %s", r.body);
	/* Completed in its own window before this class existed, inside this one: it counts on joining. */
	resp_free(&r);
	r = join(m, open);
	CHECK(json_is_true(json_object_get(r.json, "completed")), "counts on joining: %s", r.body);
	resp_free(&r);
	free(m);
}

/* ---- certificates ---- */

/* Writes the body of r to e2e_tmp/NAME; returns the path (static storage per call site). */
static const char *save(const resp *r, const char *name, char path[512])
{
	snprintf(path, 512, "%s/%s", e2e_tmp, name);
	FILE *f = fopen(path, "wb");
	if (f) {
		fwrite(r->body ? r->body : "", 1, r->len, f);
		fclose(f);
	}
	return path;
}

/* text without ASCII whitespace (pdftotext spaces and breaks CJK text freely). */
static void squeeze(char *s)
{
	char *o = s;
	for (; *s; s++)
		if (*s != ' ' && *s != '\n' && *s != '\r' && *s != '\t' && *s != '\f')
			*o++ = *s;
	*o = 0;
}

/* A class of one required course that the member completes; returns the class, and the
   certificate's code in code. */
static long long completed_class(const char *tok, const char *title_extra, char code[64])
{
	long long a = course(1.5), t = now_s();
	char extra[256];
	snprintf(extra, sizeof extra, "\"course_ids\":[%lld],\"organiser_ids\":[%lld]%s", a,
		 sql_n("SELECT id FROM users WHERE username='teacher'"), title_extra);
	long long cls = make_class(extra, t - 10, t + 86400, NULL);
	resp r = join(tok, cls);
	resp_free(&r);
	study(tok, a);
	r = class_get(tok, cls);
	json_t *cert = json_object_get(me_of(&r), "certificate");
	snprintf(code, 64, "%s", jstr(cert, "code") ? jstr(cert, "code") : "");
	resp_free(&r);
	CHECK(code[0], "a certificate was issued");
	return cls;
}

E2E_TEST(classes_certificate_pdf_qr_and_verification)
{
	char *m = member("cls_p1"), *other = member("cls_p2"), code[64], path[512], url[256];
	completed_class(m, "", code);
	/* Listed on the member's own list. */
	resp r = e2e_req("GET", "/api/v1/me/certificates", m, NULL, NULL);
	json_t *c0 = json_array_get(json_object_get(r.json, "certificates"), 0);
	CHECK(c0 && !strcmp(jstr(c0, "code"), code) && !strcmp(jstr(c0, "kind"), "class"), "listed: %s", r.body);
	resp_free(&r);
	snprintf(url, sizeof url, "/api/v1/certificates/%s.pdf", code);
	r = e2e_req("GET", url, m, NULL, NULL);
	CHECK_STATUS(r, 200);
	char *ct = resp_header(&r, "Content-Type");
	CHECK(ct && strstr(ct, "application/pdf"), "content type %s", ct ? ct : "");
	free(ct);
	save(&r, "cert-class.pdf", path);
	resp_free(&r);
	/* pdfinfo opens it: one A4 landscape page. */
	char *info = e2e_sh_out("pdfinfo %s 2>&1", path);
	CHECK(strstr(info, "Pages:") && strstr(info, "841.89 x 595.27"), "pdfinfo: %s", info);
	free(info);
	/* The text holds the member's name and the hours. */
	char *text = e2e_sh_out("pdftotext -enc UTF-8 %s - 2>/dev/null", path);
	squeeze(text);
	CHECK(strstr(text, "学员cls_p1") && strstr(text, "累计获得1.5学时"), "pdftotext: %.400s", text);
	free(text);
	/* The QR code decodes to the verification URL. */
	char *qr = e2e_sh_out("pdftoppm -r 150 -png -singlefile %s %s/cert-class && zbarimg -q --raw %s/cert-class.png 2>/dev/null", path,
			   e2e_tmp, e2e_tmp);
	char want[256];
	snprintf(want, sizeof want, "%s/verify/%s", e2e_base, code);
	qr[strcspn(qr, "\n")] = 0;
	CHECK(!strcmp(qr, want), "QR decodes to %s, want %s", qr, want);
	free(qr);

	/* Anyone may verify: genuine, for whom (masked), what. */
	snprintf(url, sizeof url, "/verify/%s", code);
	r = e2e_req("GET", url, NULL, NULL, NULL);
	CHECK_STATUS(r, 200);
	CHECK(r.body && strstr(r.body, "证书真实有效") && strstr(r.body, "学******1") && !strstr(r.body, "学员cls_p1"),
	      "genuine, name masked: %.600s", r.body ? r.body : "");
	resp_free(&r);
	/* Lower case and hyphens, as typed by a person, find it too. */
	char typed[80];
	snprintf(typed, sizeof typed, "/api/v1/verify/%.5s-%s", code, code + 5);
	for (char *p = typed + 15; *p; p++)
		*p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
	r = e2e_req("GET", typed, NULL, NULL, NULL);
	CHECK(r.status == 200 && json_is_true(json_object_get(r.json, "valid")) && !strcmp(jstr(r.json, "holder"), "学******1"),
	      "api verify: %ld %s", r.status, r.body);
	resp_free(&r);

	/* Another member may not download it, and does not learn that it exists. */
	snprintf(url, sizeof url, "/api/v1/certificates/%s.pdf", code);
	r = e2e_req("GET", url, other, NULL, NULL);
	CHECK_STATUS(r, 404);
	resp_free(&r);

	/* Unknown, mistyped and malformed codes: one and the same plain page. */
	char unknown[64];
	snprintf(unknown, sizeof unknown, "%s", code);
	/* Another valid code: change one body symbol and recompute nothing, so it fails the check… */
	unknown[3] = unknown[3] == '0' ? '1' : '0';
	const char *paths[] = {"/verify/00000000000000000000000000", "/verify/not-a-code", "/verify/%3Cscript%3E", NULL};
	char first[8192] = "";
	char p0[96];
	snprintf(p0, sizeof p0, "/verify/%s", unknown);
	r = e2e_req("GET", p0, NULL, NULL, NULL);
	CHECK_STATUS(r, 404);
	snprintf(first, sizeof first, "%s", r.body ? r.body : "");
	CHECK(strstr(first, "未找到该证书"), "not found page");
	resp_free(&r);
	for (int i = 0; paths[i]; i++) {
		r = e2e_req("GET", paths[i], NULL, NULL, NULL);
		CHECK(r.status == 404 && r.body && !strcmp(r.body, first), "%s: %ld, the same page", paths[i], r.status);
		resp_free(&r);
	}

	/* A row altered in the database is not genuine (classes_verify_tampered_* go further). */
	sql("UPDATE certificates SET holder = '冒名者' WHERE code = '%s'", code);
	snprintf(url, sizeof url, "/api/v1/verify/%s", code);
	r = e2e_req("GET", url, NULL, NULL, NULL);
	CHECK(r.status == 200 && json_is_false(json_object_get(r.json, "genuine")) &&
		      json_is_false(json_object_get(r.json, "valid")) && !strstr(r.body, "冒名者"),
	      "altered: %ld %s", r.status, r.body);
	resp_free(&r);
	sql("UPDATE certificates SET holder = '学员cls_p1' WHERE code = '%s'", code);

	/* Revocation: admin only, with a reason, audited; then the page says revoked. */
	snprintf(url, sizeof url, "/api/v1/certificates/%s/revoke", code);
	r = e2e_req("POST", url, m, "{\"reason\":\"x\"}", NULL);
	CHECK_STATUS(r, 403);
	resp_free(&r);
	r = e2e_req("POST", url, admin(), "{\"reason\":\"  \"}", NULL);
	CHECK_STATUS(r, 422);
	resp_free(&r);
	r = e2e_req("POST", url, admin(), "{\"reason\":\"学时记录有误\"}", NULL);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	r = e2e_req("POST", url, admin(), "{\"reason\":\"again\"}", NULL);
	CHECK_STATUS(r, 409);
	resp_free(&r);
	CHECK(sql_n("SELECT count(*) FROM audit_log WHERE action='certificate.revoke' AND"
		    " json_extract(detail,'$.reason')='学时记录有误'") == 1,
	      "revocation audited");
	snprintf(url, sizeof url, "/verify/%s", code);
	r = e2e_req("GET", url, NULL, NULL, NULL);
	CHECK(r.status == 200 && strstr(r.body, "已被撤销") && !strstr(r.body, "真实有效"), "revoked: %.400s", r.body);
	resp_free(&r);
	snprintf(url, sizeof url, "/api/v1/verify/%s", code);
	r = e2e_req("GET", url, NULL, NULL, NULL);
	CHECK(!json_is_true(json_object_get(r.json, "valid")) && json_is_true(json_object_get(r.json, "revoked")),
	      "api: %s", r.body);
	resp_free(&r);
	snprintf(url, sizeof url, "/api/v1/certificates/%s.pdf", code);
	r = e2e_req("GET", url, m, NULL, NULL);
	CHECK_STATUS(r, 410);
	resp_free(&r);
	free(m);
	free(other);
}

E2E_TEST(classes_yearly_hours_certificate)
{
	char *m = member("cls_y1"), code[64], path[512], url[128];
	completed_class(m, "", code);
	resp r = e2e_req("POST", "/api/v1/test/clock", admin(), "{\"advance_s\":0}", NULL);
	int year = atoi(jstr(r.json, "day") ? jstr(r.json, "day") : "0");
	resp_free(&r);
	char body[128];
	/* The requirement that applies to the member's organisation is printed against the totals. */
	snprintf(body, sizeof body, "{\"org_id\":%lld,\"year\":%d,\"total_hours\":40,\"required_hours\":1}", g_org, year);
	r = e2e_req("PUT", "/api/v1/requirements", admin(), body, NULL);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	snprintf(body, sizeof body, "{\"year\":%d}", year);
	r = e2e_req("POST", "/api/v1/me/certificates", m, body, NULL);
	CHECK_STATUS(r, 201);
	char ycode[64];
	snprintf(ycode, sizeof ycode, "%s", jstr(r.json, "code") ? jstr(r.json, "code") : "");
	CHECK(!strcmp(jstr(r.json, "kind"), "year") && jnum(r.json, "hours") == 1.5, "year cert: %s", r.body);
	resp_free(&r);
	/* Nothing new since: the same certificate. */
	r = e2e_req("POST", "/api/v1/me/certificates", m, body, NULL);
	CHECK(r.status == 200 && !strcmp(jstr(r.json, "code"), ycode), "same: %ld %s", r.status, r.body);
	resp_free(&r);
	snprintf(body, sizeof body, "{\"year\":%d}", year + 1);
	r = e2e_req("POST", "/api/v1/me/certificates", m, body, NULL);
	CHECK_STATUS(r, 422);
	resp_free(&r);
	snprintf(url, sizeof url, "/api/v1/certificates/%s.pdf", ycode);
	r = e2e_req("GET", url, m, NULL, NULL);
	CHECK_STATUS(r, 200);
	save(&r, "cert-year.pdf", path);
	resp_free(&r);
	char *info = e2e_sh_out("pdfinfo %s 2>&1", path);
	CHECK(strstr(info, "595.27"), "A4 portrait: %s", info);
	free(info);
	char *text = e2e_sh_out("pdftotext -enc UTF-8 %s - 2>/dev/null", path);
	squeeze(text);
	CHECK(strstr(text, "学时证明") && strstr(text, "学员cls_y1") && strstr(text, "专题班测试课") && strstr(text, "1.5"),
	      "pdftotext: %.600s", text);
	CHECK(strstr(text, "选修课程：1.5学时") && strstr(text, "合计：1.5学时（年度要求40学时）") &&
		      strstr(text, "（要求1学时）") && strstr(text, "尚未达到"),
	      "totals against the requirement: %.900s", text);
	free(text);
	snprintf(url, sizeof url, "/verify/%s", ycode);
	r = e2e_req("GET", url, NULL, NULL, NULL);
	CHECK(r.status == 200 && strstr(r.body, "学时证明") && strstr(r.body, "真实有效"), "verify year: %ld", r.status);
	resp_free(&r);
	free(m);
}

/* ---- rosters ---- */

E2E_TEST(classes_roster_matches_members_pages)
{
	long long a = course(1), b = course(0.5), t = now_s();
	char extra[256];
	snprintf(extra, sizeof extra,
		 "\"course_ids\":[%lld],\"elective_ids\":[%lld],\"min_hours\":1.5,\"organiser_ids\":[%lld]", a, b,
		 sql_n("SELECT id FROM users WHERE username='teacher'"));
	long long cls = make_class(extra, t - 10, t + 86400, NULL);
	const char *names[] = {"cls_r1", "cls_r2", "cls_r3", "cls_r4"};
	char *tok[4];
	for (int i = 0; i < 4; i++) {
		tok[i] = member(names[i]);
		resp r = join(tok[i], cls);
		resp_free(&r);
	}
	study(tok[0], a); /* in progress */
	study(tok[1], a); /* completed */
	study(tok[1], b);
	study(tok[2], b); /* in progress, elective only */
	/* tok[3]: not started */
	char *teacher = e2e_login("teacher", E2E_PW);
	char path[128];
	snprintf(path, sizeof path, "/api/v1/classes/%lld/roster", cls);
	resp ro = e2e_req("GET", path, teacher, NULL, NULL);
	CHECK_STATUS(ro, 200);
	json_t *rows = json_object_get(ro.json, "members");
	CHECK(json_array_size(rows) == 4, "4 rows: %.300s", ro.body);
	for (int i = 0; i < 4; i++) {
		json_t *row = NULL, *x;
		size_t k;
		json_array_foreach(rows, k, x) if (!strcmp(jstr(x, "username"), names[i])) row = x;
		resp me = class_get(tok[i], cls);
		json_t *mine = me_of(&me);
		CHECK(row && fabs(jnum(row, "progress") - jnum(mine, "progress")) < 1e-9, "%s progress %g vs %g", names[i],
		      jnum(row, "progress"), jnum(mine, "progress"));
		CHECK(row && fabs(jnum(row, "credit_hours") - jnum(mine, "hours")) < 1e-9, "%s hours", names[i]);
		const char *rc = row ? jstr(row, "completed_at") : NULL, *mc = jstr(mine, "completed_at");
		CHECK((!rc && !mc) || (rc && mc && !strcmp(rc, mc)), "%s completed_at %s vs %s", names[i], rc ? rc : "-",
		      mc ? mc : "-");
		resp_free(&me);
	}
	resp_free(&ro);
	/* Filters. */
	const char *filters[][2] = {{"completed", "1"}, {"in_progress", "2"}, {"not_started", "1"}, {"late", "4"}};
	for (int i = 0; i < 4; i++) {
		snprintf(path, sizeof path, "/api/v1/classes/%lld/roster?status=%s", cls, filters[i][0]);
		ro = e2e_req("GET", path, teacher, NULL, NULL);
		CHECK((long)json_array_size(json_object_get(ro.json, "members")) == atol(filters[i][1]), "%s: %zu rows",
		      filters[i][0], json_array_size(json_object_get(ro.json, "members")));
		resp_free(&ro);
	}
	snprintf(path, sizeof path, "/api/v1/classes/%lld/roster?status=bogus", cls);
	ro = e2e_req("GET", path, teacher, NULL, NULL);
	CHECK_STATUS(ro, 422);
	resp_free(&ro);
	/* The summary per organisation. */
	snprintf(path, sizeof path, "/api/v1/classes/%lld/roster", cls);
	ro = e2e_req("GET", path, teacher, NULL, NULL);
	json_t *s0 = json_array_get(json_object_get(ro.json, "summary"), 0);
	CHECK(jint(s0, "members") == 4 && jint(s0, "completed") == 1 && jint(s0, "not_started") == 1, "summary: %s",
	      ro.body);
	resp_free(&ro);
	/* CSV: BOM, a header and one line per member; XLSX: a valid workbook. */
	snprintf(path, sizeof path, "/api/v1/classes/%lld/roster?format=csv", cls);
	ro = e2e_req("GET", path, teacher, NULL, NULL);
	CHECK_STATUS(ro, 200);
	int lines = 0;
	for (size_t i = 0; ro.body && i < ro.len; i++)
		lines += ro.body[i] == '\n';
	CHECK(ro.body && !memcmp(ro.body, "\xEF\xBB\xBF", 3) && lines == 5 && strstr(ro.body, "学员cls_r2"), "csv: %.300s",
	      ro.body ? ro.body : "");
	resp_free(&ro);
	snprintf(path, sizeof path, "/api/v1/classes/%lld/roster?format=xlsx", cls);
	ro = e2e_req("GET", path, teacher, NULL, NULL);
	CHECK_STATUS(ro, 200);
	char file[512];
	save(&ro, "roster.xlsx", file);
	resp_free(&ro);
	char *ls = e2e_sh_out("unzip -l %s 2>&1", file);
	CHECK(strstr(ls, "xl/worksheets/sheet1.xml"), "xlsx: %s", ls);
	free(ls);
	/* A member may not read it; an instructor who is no organiser may not either. */
	ro = e2e_req("GET", path, tok[0], NULL, NULL);
	CHECK_STATUS(ro, 403);
	resp_free(&ro);
	/* The roster's certificates as one ZIP: the completed member's. */
	snprintf(path, sizeof path, "/api/v1/classes/%lld/certificates.zip", cls);
	ro = e2e_req("GET", path, teacher, NULL, NULL);
	CHECK_STATUS(ro, 200);
	save(&ro, "certs.zip", file);
	/* Streamed while it is made: chunked, no length known in advance; the count up front. */
	char *te = resp_header(&ro, "Transfer-Encoding"), *cl = resp_header(&ro, "Content-Length"),
	     *nc = resp_header(&ro, "X-Certificates");
	CHECK(te && strstr(te, "chunked") && !cl && nc && atoi(nc) == 1, "streamed: TE %s, CL %s, count %s", te ? te : "-",
	      cl ? cl : "-", nc ? nc : "-");
	free(te);
	free(cl);
	free(nc);
	resp_free(&ro);
	char *t1 = e2e_sh_out("unzip -t %s 2>&1", file);
	CHECK(strstr(t1, "No errors detected") && strstr(t1, "学员cls_r2.pdf"), "zip: %s", t1);
	free(t1);
	char *inner = e2e_sh_out("cd %s && rm -rf zipout && mkdir zipout && cd zipout && unzip -q ../certs.zip && pdfinfo *.pdf "
			      "2>&1",
			      e2e_tmp);
	CHECK(strstr(inner, "841.89 x 595.27"), "the entry is the PDF: %s", inner);
	free(inner);
	/* The assessor of 第一党委 reaches this class (its organisation is not theirs): no rows. */
	char *as = e2e_login("assessor", E2E_PW);
	snprintf(path, sizeof path, "/api/v1/classes/%lld/roster", cls);
	ro = e2e_req("GET", path, as, NULL, NULL);
	CHECK(ro.status == 404 || json_array_size(json_object_get(ro.json, "members")) == 0, "assessor outside: %ld %.200s",
	      ro.status, ro.body);
	resp_free(&ro);
	free(as);
	free(teacher);
	for (int i = 0; i < 4; i++)
		free(tok[i]);
}

/* ---- certificates against the ledger ---- */

/* Runs `dangxiao verify` on the server's data folder while it serves: its exit status, its
   stderr in *err (malloc'd). */
static int ledger_verify_cmd(char **err)
{
	char path[700];
	snprintf(path, sizeof path, "%s/cls-verify.err", e2e_tmp);
	int st = e2e_sh("bin/dangxiao-san verify --data %s >%s.out 2>%s", e2e_data, path, path);
	*err = e2e_sh_out("cat %s", path);
	return st;
}

/* The verdict of /verify/{code} and /api/v1/verify/{code}: 1 genuine, 0 not genuine, -1 other. */
static int verdict_of(const char *code)
{
	char url[128];
	snprintf(url, sizeof url, "/api/v1/verify/%s", code);
	resp a = e2e_req("GET", url, NULL, NULL, NULL);
	snprintf(url, sizeof url, "/verify/%s", code);
	resp p = e2e_req("GET", url, NULL, NULL, NULL);
	int v = -1;
	if (a.status == 200 && p.status == 200 && json_is_true(json_object_get(a.json, "genuine")) &&
	    strstr(p.body, "证书真实有效") && !strstr(p.body, "未通过核验"))
		v = 1;
	else if (a.status == 200 && p.status == 200 && json_is_false(json_object_get(a.json, "genuine")) &&
		 strstr(p.body, "未通过核验") && !strstr(p.body, "真实有效的证书。") && !strstr(p.body, "证书真实有效"))
		v = 0;
	resp_free(&a);
	resp_free(&p);
	return v;
}

/* The digest a forger recomputes after changing the holder's name (docs/classes.md: hex SHA-256
   of the certificate's fields); the sqlite3 CLI and sha256sum are all it takes. */
static char *forged_digest(const char *code, const char *holder)
{
	char *d = e2e_sh_out("sqlite3 %s/dangxiao.db \"SELECT 'dangxiao-certificate-v1' || char(10) || 'number ' || number"
			     " || char(10) || 'code ' || code || char(10) || 'member ' || user_id || ' ' || '%s' || char(10)"
			     " || 'class ' || ifnull(class_id, 0) || ' ' || title || char(10) || 'hours ' || printf('%%.2f', hours)"
			     " || char(10) || 'day ' || date(completed_at, 'unixepoch', '+8 hours') || char(10)"
			     " || CASE WHEN kind = 'year' THEN body ELSE '' END"
			     " FROM certificates WHERE code = '%s'\" | head -c -1 | sha256sum | cut -c1-64",
			     e2e_data, holder, code);
	d[strcspn(d, "\n")] = 0;
	return d;
}

E2E_TEST(classes_verify_tampered_certificate_against_the_ledger)
{
	char *m = member("cls_t1"), code[64], *err = NULL;
	long long cls = completed_class(m, "", code);
	long long uid = sql_n("SELECT id FROM users WHERE username='cls_t1'");
	/* Issuing wrote the ledger row: rule class_completed, ref the class, the digest in its detail. */
	CHECK(sql_n("SELECT count(*) FROM ledger l JOIN certificates c ON c.user_id = l.user_id WHERE c.code = '%s'"
		    " AND l.rule = 'class_completed' AND l.ref = '%lld'"
		    " AND json_extract(l.detail, '$.certificate') = c.digest",
		    code, cls) == 1,
	      "the ledger row of the certificate");
	CHECK(verdict_of(code) == 1, "genuine first");
	int st = ledger_verify_cmd(&err);
	CHECK(st == 0 && e2e_sh("grep -q 'certificates ok' %s/cls-verify.err.out", e2e_tmp) == 0, "verify good: %d %s", st,
	      err);
	free(err);
	char *digest = e2e_sh_out("sqlite3 %s/dangxiao.db \"SELECT digest FROM certificates WHERE code = '%s'\"", e2e_data,
				  code);
	digest[strcspn(digest, "\n")] = 0;
	/* The check of our forgery: recomputed for the true name it is the stored digest. */
	char *same = forged_digest(code, "学员cls_t1");
	CHECK(!strcmp(same, digest), "the digest recomputes: %s vs %s", same, digest);
	free(same);

	/* 1. The forger changes the name and recomputes the row's digest: the row is consistent in
	   itself, but the ledger recorded another digest. */
	char *forged = forged_digest(code, "冒名者");
	sql("UPDATE certificates SET holder = '冒名者', digest = '%s' WHERE code = '%s'", forged, code);
	CHECK(verdict_of(code) == 0, "forged row, recomputed digest: not genuine");
	st = ledger_verify_cmd(&err);
	char *num = e2e_sh_out("sqlite3 %s/dangxiao.db \"SELECT number FROM certificates WHERE code = '%s'\"", e2e_data, code);
	num[strcspn(num, "\n")] = 0;
	char want[160];
	snprintf(want, sizeof want, "certificate %s (member %lld)", num, uid);
	CHECK(st == 1 && strstr(err, want), "dangxiao verify names the certificate: %d %s", st, err);
	free(err);

	/* 2. The forger also writes the new digest into the ledger row (dropping its append-only
	   trigger): the chain's hash of that row no longer matches. */
	char *detail = e2e_sh_out("sqlite3 %s/dangxiao.db \"SELECT detail FROM ledger WHERE user_id = %lld AND rule ="
				  " 'class_completed' AND ref = '%lld'\"",
				  e2e_data, uid, cls);
	detail[strcspn(detail, "\n")] = 0;
	/* As the shell's double-quoted argument of sql(): its quotes escaped. */
	char qdetail[256], *o = qdetail;
	for (const char *p = detail; *p && o < qdetail + sizeof qdetail - 3; p++) {
		if (*p == '"' || *p == '\\' || *p == '$' || *p == '`')
			*o++ = '\\';
		*o++ = *p;
	}
	*o = 0;
	sql("DROP TRIGGER ledger_no_update; UPDATE ledger SET detail = '{\\\"certificate\\\":\\\"%s\\\"}' WHERE user_id = %lld AND"
	    " rule = 'class_completed' AND ref = '%lld'",
	    forged, uid, cls);
	CHECK(sql_n("SELECT count(*) FROM ledger WHERE user_id = %lld AND json_extract(detail, '$.certificate') = '%s'", uid,
		    forged) == 1,
	      "the ledger row was rewritten");
	CHECK(verdict_of(code) == 0, "forged row and ledger detail: not genuine (the chain is broken)");
	st = ledger_verify_cmd(&err);
	snprintf(want, sizeof want, "member %lld (cls_t1), row", uid);
	CHECK(st == 1 && strstr(err, want) && strstr(err, "tampered"), "dangxiao verify finds the chain broken: %d %s", st,
	      err);
	free(err);

	/* Put everything back: genuine again, verify good again. */
	sql("UPDATE ledger SET detail = '%s' WHERE user_id = %lld AND rule = 'class_completed' AND ref = '%lld';"
	    " CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger BEGIN SELECT RAISE(ABORT, 'the ledger is"
	    " append-only'); END;",
	    qdetail, uid, cls);
	sql("UPDATE certificates SET holder = '学员cls_t1', digest = '%s' WHERE code = '%s'", digest, code);
	CHECK(verdict_of(code) == 1, "genuine after restoring");
	st = ledger_verify_cmd(&err);
	CHECK(st == 0, "verify good after restoring: %d %s", st, err);
	free(err);

	free(detail);
	free(digest);
	free(forged);
	free(num);
	free(m);
}

/* A yearly 学时证明 is covered like a class certificate: its own ledger row (rule
   yearly_certificate, ref = the certificate id, 0 points, its digest in the detail), one per
   certificate issued, so a re-issue with new hours has a row of its own. */
E2E_TEST(classes_verify_tampered_yearly_certificate_against_the_ledger)
{
	char *m = member("cls_yt1"), code[64], *err = NULL;
	completed_class(m, "", code);
	long long uid = sql_n("SELECT id FROM users WHERE username='cls_yt1'");
	resp r = e2e_req("POST", "/api/v1/test/clock", admin(), "{\"advance_s\":0}", NULL);
	int year = atoi(jstr(r.json, "day") ? jstr(r.json, "day") : "0");
	resp_free(&r);
	long long points = sql_n("SELECT ifnull(sum(points), 0) FROM ledger WHERE user_id = %lld", uid);
	char body[64], y1[64], y2[64];
	snprintf(body, sizeof body, "{\"year\":%d}", year);
	r = e2e_req("POST", "/api/v1/me/certificates", m, body, NULL);
	CHECK_STATUS(r, 201);
	snprintf(y1, sizeof y1, "%s", jstr(r.json, "code") ? jstr(r.json, "code") : "");
	resp_free(&r);
	long long id1 = sql_n("SELECT id FROM certificates WHERE code = '%s'", y1);
	CHECK(id1 > 0 && sql_n("SELECT count(*) FROM ledger l JOIN certificates c ON c.user_id = l.user_id WHERE c.id = %lld"
			       " AND l.rule = 'yearly_certificate' AND l.ref = '%lld' AND l.points = 0"
			       " AND json_extract(l.detail, '$.certificate') = c.digest",
			       id1, id1) == 1,
	      "the yearly certificate's ledger row");
	CHECK(sql_n("SELECT ifnull(sum(points), 0) FROM ledger WHERE user_id = %lld", uid) == points, "0 points");
	CHECK(verdict_of(y1) == 1, "yearly genuine first");
	/* The rule is listed for admins at 0 points, with its Chinese name on /admin/points. */
	r = e2e_req("GET", "/api/v1/point-rules", admin(), NULL, NULL);
	json_t *rule = NULL, *x;
	size_t k;
	json_array_foreach(json_object_get(r.json, "rules"), k, x) if (!strcmp(jstr(x, "code"), "yearly_certificate")) rule = x;
	CHECK(r.status == 200 && rule && json_integer_value(json_object_get(rule, "points")) == 0 &&
		      json_integer_value(json_object_get(rule, "default_points")) == 0,
	      "point-rules lists yearly_certificate at 0: %.300s", r.body);
	resp_free(&r);
	r = e2e_req("GET", "/admin/points", admin(), NULL, NULL);
	CHECK(r.status == 200 && strstr(r.body, "开具年度学时证明"), "/admin/points: %ld", r.status);
	resp_free(&r);

	/* New hours: a second certificate with a row of its own; the first stays genuine. */
	study(m, course(0.5));
	r = e2e_req("POST", "/api/v1/me/certificates", m, body, NULL);
	CHECK(r.status == 201 && jnum(r.json, "hours") == 2, "re-issued: %ld %s", r.status, r.body);
	snprintf(y2, sizeof y2, "%s", jstr(r.json, "code") ? jstr(r.json, "code") : "");
	resp_free(&r);
	long long id2 = sql_n("SELECT id FROM certificates WHERE code = '%s'", y2);
	CHECK(id2 > id1 && sql_n("SELECT count(*) FROM ledger WHERE user_id = %lld AND rule = 'yearly_certificate'", uid) == 2 &&
		      sql_n("SELECT count(*) FROM ledger WHERE user_id = %lld AND rule = 'yearly_certificate' AND ref = '%lld'",
			    uid, id2) == 1,
	      "one ledger row per yearly certificate");
	CHECK(verdict_of(y1) == 1 && verdict_of(y2) == 1, "both genuine");
	int st = ledger_verify_cmd(&err);
	CHECK(st == 0 && e2e_sh("grep -q 'certificates ok' %s/cls-verify.err.out", e2e_tmp) == 0, "verify good: %d %s", st,
	      err);
	free(err);

	/* The forger changes the name on the first one and recomputes its digest (body included). */
	char *digest = e2e_sh_out("sqlite3 %s/dangxiao.db \"SELECT digest FROM certificates WHERE id = %lld\"", e2e_data, id1);
	digest[strcspn(digest, "\n")] = 0;
	char *same = forged_digest(y1, "学员cls_yt1");
	CHECK(!strcmp(same, digest), "the yearly digest recomputes: %s vs %s", same, digest);
	free(same);
	char *forged = forged_digest(y1, "冒名者");
	sql("UPDATE certificates SET holder = '冒名者', digest = '%s' WHERE id = %lld", forged, id1);
	CHECK(verdict_of(y1) == 0, "forged yearly row, recomputed digest: not genuine");
	CHECK(verdict_of(y2) == 1, "the other yearly certificate is still genuine");
	st = ledger_verify_cmd(&err);
	char *num = e2e_sh_out("sqlite3 %s/dangxiao.db \"SELECT number FROM certificates WHERE id = %lld\"", e2e_data, id1);
	num[strcspn(num, "\n")] = 0;
	char want[160];
	snprintf(want, sizeof want, "certificate %s (member %lld)", num, uid);
	CHECK(st == 1 && strstr(err, want), "dangxiao verify names the yearly certificate: %d %s", st, err);
	free(err);

	/* Its hours changed instead, digest recomputed: not genuine either. */
	sql("UPDATE certificates SET holder = '学员cls_yt1', hours = 40 WHERE id = %lld", id1);
	char *forged2 = forged_digest(y1, "学员cls_yt1");
	sql("UPDATE certificates SET digest = '%s' WHERE id = %lld", forged2, id1);
	CHECK(verdict_of(y1) == 0, "forged hours: not genuine");
	st = ledger_verify_cmd(&err);
	CHECK(st == 1 && strstr(err, want), "verify names it: %d %s", st, err);
	free(err);

	/* Put back: genuine, verify good. */
	sql("UPDATE certificates SET hours = 1.5, digest = '%s' WHERE id = %lld", digest, id1);
	CHECK(verdict_of(y1) == 1, "genuine after restoring");
	st = ledger_verify_cmd(&err);
	CHECK(st == 0, "verify good after restoring: %d %s", st, err);
	free(err);
	free(digest);
	free(forged);
	free(forged2);
	free(num);
	free(m);
}

/* ---- a class exam in the completion rule ---- */

/* A course of teacher's with a one-question exam (a true/false question, pass 60); returns the
   quiz id, the course in *course_out. */
static long long exam_course(long long *course_out)
{
	long long c = course(0.5);
	char *t = e2e_login("teacher", E2E_PW);
	char path[96];
	snprintf(path, sizeof path, "/api/v1/courses/%lld/questions", c);
	resp r = e2e_req("POST", path, t,
			 "{\"type\":\"truefalse\",\"stem\":\"专题班考试：党的二十大于2022年召开\",\"answer\":[0]}", NULL);
	CHECK_STATUS(r, 201);
	resp_free(&r);
	snprintf(path, sizeof path, "/api/v1/courses/%lld/quiz", c);
	r = e2e_req("PUT", path, t, "{\"num_questions\":1,\"pass_score\":60,\"time_limit_s\":600,\"max_attempts\":5}", NULL);
	CHECK_STATUS(r, 200);
	long long quiz = jint(r.json, "id");
	resp_free(&r);
	free(t);
	*course_out = c;
	return quiz;
}

/* Takes the exam once, answering right or wrong; returns 1 when passed. The member is enrolled in
   the exam's course first. */
static int take_exam(const char *tok, long long exam_course_id, long long quiz, int right)
{
	char path[96];
	snprintf(path, sizeof path, "/api/v1/courses/%lld/enroll", exam_course_id);
	resp r = e2e_req("POST", path, tok, NULL, NULL);
	resp_free(&r);
	snprintf(path, sizeof path, "/api/v1/quizzes/%lld/attempts", quiz);
	r = e2e_req("POST", path, tok, NULL, NULL);
	CHECK(r.status == 200 || r.status == 201, "attempt: %ld %s", r.status, r.body);
	long long att = jint(r.json, "attempt_id");
	json_t *q = json_array_get(json_object_get(r.json, "questions"), 0);
	int pos = -1;
	size_t i;
	json_t *o;
	json_array_foreach(json_object_get(q, "options"), i, o) if (!strcmp(json_string_value(o), right ? "对" : "错")) pos =
		(int)i;
	char body[128];
	snprintf(body, sizeof body, "{\"answers\":{\"%lld\":[%d]}}", (long long)jint(q, "id"), pos);
	resp_free(&r);
	snprintf(path, sizeof path, "/api/v1/attempts/%lld/submit", att);
	r = e2e_req("POST", path, tok, body, NULL);
	CHECK_STATUS(r, 200);
	int passed = json_is_true(json_object_get(r.json, "passed"));
	resp_free(&r);
	return passed;
}

E2E_TEST(classes_exam_in_the_completion_rule)
{
	long long ec = 0, quiz = exam_course(&ec), a = course(1), t = now_s();
	long st;
	char extra[256];
	/* An exam that does not exist: 422, nothing made. */
	long long before = sql_n("SELECT count(*) FROM classes");
	snprintf(extra, sizeof extra, "\"course_ids\":[%lld],\"exam_quiz_id\":999999", a);
	CHECK(make_class(extra, t - 10, t + 86400, &st) == 0 && st == 422, "unknown exam: %ld", st);
	CHECK(sql_n("SELECT count(*) FROM classes") == before, "nothing made");
	snprintf(extra, sizeof extra, "\"course_ids\":[%lld],\"exam_quiz_id\":%lld", a, quiz);
	long long cls = make_class(extra, t - 10, t + 86400, NULL);

	/* Courses first, then the exam: the course alone does not complete the class; a failed exam
	   does not either; the pass does, in its own grading transaction. */
	char *m1 = member("cls_e1");
	resp r = join(m1, cls);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	study(m1, a);
	r = class_get(m1, cls);
	CHECK(!completed(m1, cls) && json_is_true(json_object_get(me_of(&r), "exam_needed")) &&
		      json_array_size(json_object_get(me_of(&r), "remaining")) == 0 && jnum(me_of(&r), "progress") == 0.5,
	      "the course done, the exam needed: %s", r.body);
	resp_free(&r);
	CHECK(take_exam(m1, ec, quiz, 0) == 0, "a wrong answer fails");
	CHECK(!completed(m1, cls), "a failed exam completes nothing");
	e2e_clock_advance(30);
	CHECK(take_exam(m1, ec, quiz, 1) == 1, "the right answer passes");
	CHECK(completed(m1, cls), "the pass completes the class");
	long long u1 = sql_n("SELECT id FROM users WHERE username='cls_e1'");
	CHECK(sql_n("SELECT count(*) FROM class_members m JOIN events e ON e.user_id = m.user_id AND e.kind = 'exam_passed'"
		    " AND e.ref = %lld WHERE m.class_id = %lld AND m.user_id = %lld AND m.completed_at = e.at"
		    " AND m.certificate_id IS NOT NULL",
		    quiz, cls, u1) == 1,
	      "completed at the moment of the pass, with its certificate");
	CHECK(sql_n("SELECT count(*) FROM ledger WHERE user_id = %lld AND rule = 'class_completed' AND ref = '%lld'", u1,
		    cls) == 1,
	      "the class_completed ledger row");

	/* The exam first, then the course: complete at the course's completion. */
	char *m2 = member("cls_e2");
	r = join(m2, cls);
	resp_free(&r);
	CHECK(take_exam(m2, ec, quiz, 1) == 1, "passes first");
	r = class_get(m2, cls);
	CHECK(!completed(m2, cls) && !json_is_true(json_object_get(me_of(&r), "exam_needed")) &&
		      json_array_size(json_object_get(me_of(&r), "remaining")) == 1,
	      "the exam done, the course remaining: %s", r.body);
	resp_free(&r);
	study(m2, a);
	CHECK(completed(m2, cls), "the course completes the class");
	long long u2 = sql_n("SELECT id FROM users WHERE username='cls_e2'");
	CHECK(sql_n("SELECT count(*) FROM class_members m JOIN events e ON e.user_id = m.user_id AND"
		    " e.kind = 'course_completed' AND e.ref = %lld WHERE m.class_id = %lld AND m.user_id = %lld"
		    " AND m.completed_at = e.at",
		    a, cls, u2) == 1,
	      "completed at the course's completion");

	/* An exam passed after the window closed does not count. */
	char *m3 = member("cls_e3");
	r = join(m3, cls);
	resp_free(&r);
	study(m3, a);
	e2e_clock_advance(86400);
	CHECK(take_exam(m3, ec, quiz, 1) == 1, "passes after the window");
	CHECK(!completed(m3, cls), "too late for the class");
	free(m1);
	free(m2);
	free(m3);
}

/* ---- /me: my classes and my certificates (the scoring module's page, through scoring/me.h) ---- */

E2E_TEST(classes_on_the_me_page)
{
	char *m = member("cls_me1"), code[64];
	long long done = completed_class(m, "", code);
	long long a = course(1), t = now_s();
	char extra[128];
	snprintf(extra, sizeof extra, "\"course_ids\":[%lld]", a);
	long long open = make_class(extra, t - 10, t + 5 * 86400 - 60, NULL);
	resp r = join(m, open);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	r = e2e_req("GET", "/me", m, NULL, NULL);
	CHECK_STATUS(r, 200);
	const char *cls = r.body ? strstr(r.body, "id=\"me-classes\"") : NULL;
	const char *certs = r.body ? strstr(r.body, "id=\"me-certificates\"") : NULL;
	char want[160];
	snprintf(want, sizeof want, "<a href=\"/classes/%lld\">", done);
	CHECK(cls && strstr(cls, want) && strstr(cls, "value=\"100\""), "the completed class: %.800s", cls ? cls : "");
	snprintf(want, sizeof want, "<a href=\"/classes/%lld\">", open);
	CHECK(cls && strstr(cls, want) && strstr(cls, "还剩 5 天"), "the open class with its days left: %.900s", cls ? cls : "");
	snprintf(want, sizeof want, "href=\"/api/v1/certificates/%s.pdf\" download", code);
	CHECK(certs && strstr(certs, want), "the certificate to download: %.600s", certs ? certs : "");
	resp_free(&r);
	/* Someone without classes sees the sections, empty. */
	char *z = member("cls_me2");
	r = e2e_req("GET", "/me", z, NULL, NULL);
	cls = r.body ? strstr(r.body, "id=\"me-classes\"") : NULL;
	CHECK(cls && strstr(cls, "暂无") && strstr(r.body, "id=\"me-certificates\""), "empty sections");
	resp_free(&r);
	free(z);
	free(m);
}
