/* test_people_holes.c — issue 8 in accounts and organisations: the login throttle (per username
   and address, rising waits, atomic counting), the redirect after login, organisation depth,
   case-insensitive usernames, the last admin, CSV import errors and the import off the HTTP
   threads. Clients from other addresses bind a source address of 127.0.0.0/8. */
#include "e2e.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

/* A growable string (the harness links no server code). */
typedef struct {
	char *p;
	size_t len;
} buf;
static void buf_init(buf *b)
{
	b->p = calloc(1, 1);
	b->len = 0;
}
static void buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void buf_printf(buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	b->p = realloc(b->p, b->len + (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}
static void buf_puts(buf *b, const char *s)
{
	buf_printf(b, "%s", s);
}
static void buf_free(buf *b)
{
	free(b->p);
	b->p = NULL;
}

/* A request from source address `from` (NULL: the default, 127.0.0.1); imports may take minutes
   under load, hence the long timeout. */
static resp req_from(const char *from, const char *method, const char *path, const char *token, const char *body,
		     const char *ctype)
{
	e2e_opts o = {.from = from, .timeout_s = 600};
	return e2e_req_opts(&o, method, path, token, body, body ? strlen(body) : 0, ctype, NULL);
}

static resp login_from(const char *from, const char *user, const char *pw)
{
	char body[512];
	snprintf(body, sizeof body, "{\"username\":\"%s\",\"password\":\"%s\"}", user, pw);
	return req_from(from, "POST", "/api/v1/session", NULL, body, NULL);
}

static json_t *err_of(const resp *r)
{
	return json_object_get(r->json, "error");
}

static long retry_after(const resp *r)
{
	char *h = resp_header(r, "Retry-After");
	long v = h ? atol(h) : -1;
	free(h);
	return v;
}

/* An attacker's failures from one address do not lock the real user out of their own. */
E2E_TEST(holes_login_owner_survives_attacker)
{
	for (int i = 0; i < 8; i++) {
		resp r = login_from("127.0.0.2", "lisi", "wrongwrong");
		if (i < 5) {
			CHECK_STATUS(r, 401);
			CHECK(jint(err_of(&r), "tries_left") == 4 - i, "try %d: tries_left %lld", i,
			      jint(err_of(&r), "tries_left"));
			const char *m = jstr(err_of(&r), "message");
			CHECK(m && strstr(m, i < 4 ? "还可尝试" : "秒后再试"), "message: %s", m ? m : "(none)");
		} else {
			CHECK_STATUS(r, 429);
			CHECK(retry_after(&r) > 0, "Retry-After on 429");
		}
		resp_free(&r);
	}
	/* The owner, from their own address, at once. */
	resp r = login_from(NULL, "lisi", E2E_PW);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	/* The attacker still waits. */
	r = login_from("127.0.0.2", "lisi", E2E_PW);
	CHECK_STATUS(r, 429);
	resp_free(&r);
	e2e_clock_advance(3600);
}

/* Past the free tries the wait doubles; the right password after the wait works. */
E2E_TEST(holes_login_rising_delay)
{
	const char *ip = "127.0.0.3";
	resp r;
	for (int i = 0; i < 5; i++) {
		r = login_from(ip, "zhaoliu", "wrongwrong");
		CHECK_STATUS(r, 401);
		if (i == 4) {
			CHECK(jint(err_of(&r), "tries_left") == 0, "no tries left: %s", r.body);
			CHECK(jint(err_of(&r), "retry_after") == 30, "retry_after 30: %s", r.body);
			CHECK(retry_after(&r) == 30, "Retry-After 30 on the last 401");
		}
		resp_free(&r);
	}
	r = login_from(ip, "zhaoliu", E2E_PW);
	CHECK_STATUS(r, 429);
	CHECK(retry_after(&r) == 30, "wait 30 s, got %ld", retry_after(&r));
	CHECK(jint(err_of(&r), "retry_after") == 30, "json retry_after: %s", r.body);
	const char *m = jstr(err_of(&r), "message");
	CHECK(m && strstr(m, "30 秒"), "message: %s", m ? m : "(none)");
	resp_free(&r);
	e2e_clock_advance(30);
	r = login_from(ip, "zhaoliu", "wrongwrong");
	CHECK_STATUS(r, 401);
	resp_free(&r);
	r = login_from(ip, "zhaoliu", E2E_PW);
	CHECK_STATUS(r, 429);
	CHECK(retry_after(&r) == 60, "the wait doubles to 60 s, got %ld", retry_after(&r));
	resp_free(&r);
	e2e_clock_advance(60);
	r = login_from(ip, "zhaoliu", E2E_PW);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	/* The success cleared the user's counter: a typo now has the full tries again. */
	r = login_from(ip, "zhaoliu", "wrongwrong");
	CHECK_STATUS(r, 401);
	CHECK(jint(err_of(&r), "tries_left") == 4, "tries after success: %s", r.body);
	resp_free(&r);
	e2e_clock_advance(3600);
}

/* One address trying many usernames is slowed; other addresses are not. */
E2E_TEST(holes_login_spray_slowed)
{
	int n401 = 0, n429 = 0;
	for (int i = 0; i < 50; i++) {
		char u[32];
		snprintf(u, sizeof u, "spray%02d", i);
		resp r = login_from("127.0.0.4", u, "wrongwrong");
		if (r.status == 401)
			n401++;
		else if (r.status == 429) {
			n429++;
			CHECK(retry_after(&r) > 0, "Retry-After");
		}
		resp_free(&r);
	}
	CHECK(n429 > 0, "spraying 50 usernames was never slowed (%d 401, %d 429)", n401, n429);
	CHECK(n401 <= 20, "%d wrong guesses checked from one address", n401);
	CHECK(n401 + n429 == 50, "other answers: %d + %d", n401, n429);
	resp r = login_from(NULL, "wangwu", E2E_PW);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	r = login_from("127.0.0.4", "spray99", "wrongwrong");
	CHECK_STATUS(r, 429);
	resp_free(&r);
	e2e_clock_advance(3600);
}

struct guess {
	pthread_t th;
	long status;
};
static atomic_int g_go;

static void *guess_thread(void *arg)
{
	struct guess *g = arg;
	while (!atomic_load(&g_go))
		;
	resp r = login_from("127.0.0.5", "teacher", "wrongwrong");
	g->status = r.status;
	resp_free(&r);
	return NULL;
}

/* 20 concurrent wrong guesses: no more than the free tries are checked. */
E2E_TEST(holes_login_concurrent_guesses)
{
	struct guess g[20];
	atomic_store(&g_go, 0);
	for (int i = 0; i < 20; i++)
		pthread_create(&g[i].th, NULL, guess_thread, &g[i]);
	usleep(100000);
	atomic_store(&g_go, 1);
	int n401 = 0, n429 = 0;
	for (int i = 0; i < 20; i++) {
		pthread_join(g[i].th, NULL);
		n401 += g[i].status == 401;
		n429 += g[i].status == 429;
	}
	CHECK(n401 <= 5, "%d of 20 concurrent guesses were checked (limit 5)", n401);
	CHECK(n401 + n429 == 20, "answers: %d 401, %d 429", n401, n429);
	resp r = login_from("127.0.0.5", "teacher", "wrongwrong");
	CHECK_STATUS(r, 429);
	resp_free(&r);
	r = login_from(NULL, "teacher", E2E_PW);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	e2e_clock_advance(3600);
}

/* The login page keeps only same-origin paths in next. */
E2E_TEST(holes_login_next_same_origin)
{
	const char *bad[] = {"/%5Cevil.example/x", "/%09/evil.example", "//evil.example", "/%2F%2Fevil.example",
			     "/%252F%252Fevil.example", "https://evil.example/", "/%20/evil.example", "/a%5C..%5Cx",
			     "/%0D%0ASet-Cookie:x", NULL};
	for (int i = 0; bad[i]; i++) {
		char path[256];
		snprintf(path, sizeof path, "/login?next=%s", bad[i]);
		resp r = e2e_req("GET", path, NULL, NULL, NULL);
		CHECK_STATUS(r, 200);
		CHECK(r.body && strstr(r.body, "data-next=\"/\""), "next=%s kept: %.200s", bad[i],
		      r.body && strstr(r.body, "data-next") ? strstr(r.body, "data-next") : "(none)");
		resp_free(&r);
	}
	resp r = e2e_req("GET", "/login?next=/courses/7%3Ftab%3D1", NULL, NULL, NULL);
	CHECK(r.body && strstr(r.body, "data-next=\"/courses/7?tab=1\""), "a good next is kept: %.200s",
	      r.body && strstr(r.body, "data-next") ? strstr(r.body, "data-next") : "(none)");
	resp_free(&r);
	/* The page script checks it too. */
	r = e2e_req("GET", "/static/js/app.js", NULL, NULL, NULL);
	CHECK(r.body && strstr(r.body, "DX.safeNext(next)"), "app.js checks next");
	resp_free(&r);
}

static long long org_count(const char *tok)
{
	resp r = e2e_req("GET", "/api/v1/orgs", tok, NULL, NULL);
	long long n = (long long)json_array_size(json_object_get(r.json, "orgs"));
	resp_free(&r);
	return n;
}

/* The error of `line` in an import answer, or NULL. */
static const char *line_error(json_t *j, int line)
{
	json_t *errs = json_object_get(j, "errors");
	for (size_t i = 0; i < json_array_size(errs); i++)
		if (jint(json_array_get(errs, i), "line") == line)
			return jstr(json_array_get(errs, i), "message");
	return NULL;
}

/* Organisations deeper than org_max_depth (12) are refused, by the API and by the import, and
   nothing is created. */
E2E_TEST(holes_org_depth_limit)
{
	char *tok = e2e_login("admin", E2E_PW);
	int64_t parent = 0;
	for (int d = 1; d <= 12; d++) {
		char body[128];
		if (parent)
			snprintf(body, sizeof body, "{\"name\":\"层级%d\",\"parent_id\":%lld}", d, (long long)parent);
		else
			snprintf(body, sizeof body, "{\"name\":\"层级%d\"}", d);
		resp r = e2e_req("POST", "/api/v1/orgs", tok, body, NULL);
		CHECK_STATUS(r, 201);
		parent = jint(r.json, "id");
		resp_free(&r);
	}
	long long before = org_count(tok);
	char body[128];
	snprintf(body, sizeof body, "{\"name\":\"层级13\",\"parent_id\":%lld}", (long long)parent);
	resp r = e2e_req("POST", "/api/v1/orgs", tok, body, NULL);
	CHECK_STATUS(r, 422);
	const char *m = jstr(err_of(&r), "message");
	CHECK(m && strstr(m, "12") && strstr(m, "层级过深"), "message: %s", m ? m : "(none)");
	resp_free(&r);

	/* A 150-level path in an import (each level a valid name): refused, reported, nothing created. */
	buf csv;
	buf_init(&csv);
	buf_puts(&csv, "username,name,org,role,password\ndeep01,深层,");
	for (int i = 0; i < 150; i++)
		buf_printf(&csv, "%s深%d", i ? "/" : "", i);
	buf_puts(&csv, ",member," E2E_PW "\ndeep02,浅层,层级1/浅,member," E2E_PW "\n");
	r = e2e_import(tok, csv.p, strlen(csv.p), NULL);
	CHECK_STATUS(r, 200);
	m = line_error(r.json, 2);
	CHECK(m && strstr(m, "层级过深") && strstr(m, "12"), "line 2: %s (%.300s)", m ? m : "(not reported)", r.body);
	CHECK(jint(r.json, "created") == 1, "the good line is kept: %.300s", r.body);
	resp_free(&r);
	CHECK(org_count(tok) == before + 1, "only 层级1/浅 was created (%lld → %lld)", before, org_count(tok));
	buf_free(&csv);
	free(tok);
}

/* Every refused import line is reported, however long its Chinese organisation path. */
E2E_TEST(holes_import_reports_long_chinese_errors)
{
	char *tok = e2e_login("admin", E2E_PW);
	buf csv;
	buf_init(&csv);
	/* A level of 65..72 characters is too long a name; the message quotes the whole path. */
	for (int k = 0; k < 8; k++) {
		buf_printf(&csv, "longorg%d,长路径,省委/组织部/", k);
		for (int i = 0; i < 65 + k; i++)
			buf_puts(&csv, "长");
		buf_printf(&csv, ",member,%s\n", E2E_PW);
	}
	resp r = e2e_import(tok, csv.p, strlen(csv.p), NULL);
	CHECK_STATUS(r, 200);
	CHECK(json_array_size(json_object_get(r.json, "errors")) == 8, "8 errors: %.400s", r.body);
	for (int k = 0; k < 8; k++) {
		const char *m = line_error(r.json, k + 1);
		CHECK(m && strstr(m, "组织路径无效") && strstr(m, "长长长"), "line %d: %s", k + 1, m ? m : "(not reported)");
		CHECK(m && strlen(m) > 256, "line %d message cut: %zu bytes", k + 1, m ? strlen(m) : 0);
	}
	CHECK(jint(r.json, "created") == 0, "nothing created");
	resp_free(&r);
	buf_free(&csv);
	free(tok);
}

/* Usernames are trimmed and case-insensitive; the last admin keeps the role; passwords too long
   get their own message. */
E2E_TEST(holes_usernames_and_last_admin)
{
	char *tok = e2e_login("admin", E2E_PW);
	resp r = e2e_req("GET", "/api/v1/orgs", tok, NULL, NULL);
	long long org = jint(json_array_get(json_object_get(r.json, "orgs"), 0), "id");
	resp_free(&r);
	char body[512];
	snprintf(body, sizeof body,
		 "{\"username\":\" Admin \",\"name\":\"假管理员\",\"password\":\"%s\",\"role\":\"member\",\"org_id\":%lld}",
		 E2E_PW, org);
	r = e2e_req("POST", "/api/v1/users", tok, body, NULL);
	CHECK_STATUS(r, 409);
	resp_free(&r);
	snprintf(body, sizeof body,
		 "{\"username\":\"  MiXed.Case \",\"name\":\"大小写\",\"password\":\"%s\",\"role\":\"member\",\"org_id\":%lld}",
		 E2E_PW, org);
	r = e2e_req("POST", "/api/v1/users", tok, body, NULL);
	CHECK_STATUS(r, 201);
	resp_free(&r);
	r = login_from(NULL, " MIXED.case", E2E_PW);
	CHECK_STATUS(r, 200);
	CHECK(jstr(json_object_get(r.json, "user"), "username") &&
		      !strcmp(jstr(json_object_get(r.json, "user"), "username"), "mixed.case"),
	      "stored lower-case: %s", r.body);
	resp_free(&r);

	/* Import: "Admin" is admin; demoting the only admin is refused and reported (role changes
	   allowed, else the role would just be kept); the same user again in one file is refused. */
	const char *csv = "username,name,org,role,password\n"
			  "Admin,管理员,市委组织部,member,\n"
			  " ADMIN ,管理员,市委组织部,member\n"
			  "admin,管理员,市委组织部,assessor\n"
			  "ImportCase,导入,市委组织部,member," E2E_PW "\n";
	r = e2e_import(tok, csv, strlen(csv), "allow_role_changes=1");
	CHECK_STATUS(r, 200);
	const char *m = line_error(r.json, 2);
	CHECK(m && strstr(m, "唯一的在用管理员"), "line 2: %s (%.300s)", m ? m : "(not reported)", r.body);
	for (int l = 3; l <= 4; l++) {
		m = line_error(r.json, l);
		CHECK(m && strstr(m, "与第 2 行的用户名重复"), "line %d: %s", l, m ? m : "(not reported)");
	}
	CHECK(jint(r.json, "created") == 1, "created: %.300s", r.body);
	resp_free(&r);
	r = e2e_req("GET", "/api/v1/me", tok, NULL, NULL);
	CHECK(jstr(r.json, "role") && !strcmp(jstr(r.json, "role"), "admin"), "admin kept the role: %s", r.body);
	resp_free(&r);
	r = e2e_req("GET", "/api/v1/users?q=admin", tok, NULL, NULL);
	CHECK(jint(r.json, "total") == 1, "one admin account: %.300s", r.body);
	resp_free(&r);
	r = login_from(NULL, "importcase", E2E_PW);
	CHECK_STATUS(r, 200);
	resp_free(&r);

	/* By API: the only active admin may not lose the role nor be deactivated. */
	r = e2e_req("GET", "/api/v1/me", tok, NULL, NULL);
	long long admin_id = jint(r.json, "id");
	resp_free(&r);
	char path[64];
	snprintf(path, sizeof path, "/api/v1/users/%lld", admin_id);
	r = e2e_req("PATCH", path, tok, "{\"role\":\"member\"}", NULL);
	CHECK_STATUS(r, 409);
	CHECK(jstr(err_of(&r), "code") && !strcmp(jstr(err_of(&r), "code"), "last_admin"), "code: %s", r.body);
	resp_free(&r);
	r = e2e_req("PATCH", path, tok, "{\"active\":false}", NULL);
	CHECK_STATUS(r, 409);
	resp_free(&r);
	snprintf(body, sizeof body,
		 "{\"username\":\"BackupAdmin\",\"name\":\"备用管理员\",\"password\":\"%s\",\"role\":\"admin\",\"org_id\":%lld}",
		 E2E_PW, org);
	r = e2e_req("POST", "/api/v1/users", tok, body, NULL);
	CHECK_STATUS(r, 201);
	long long backup = jint(r.json, "id");
	resp_free(&r);
	char bpath[64];
	snprintf(bpath, sizeof bpath, "/api/v1/users/%lld", backup);
	/* Two active admins: one may be deactivated; then the other is the last again. */
	r = e2e_req("PATCH", bpath, tok, "{\"active\":false}", NULL);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	r = e2e_req("PATCH", path, tok, "{\"role\":\"assessor\"}", NULL);
	CHECK_STATUS(r, 409);
	resp_free(&r);
	r = e2e_req("PATCH", path, tok, "{\"name\":\"系统管理员\"}", NULL);
	CHECK_STATUS(r, 200);
	CHECK(jstr(r.json, "role") && !strcmp(jstr(r.json, "role"), "admin"), "still admin: %s", r.body);
	resp_free(&r);
	r = login_from(NULL, "backupadmin", E2E_PW);
	CHECK_STATUS(r, 401);
	resp_free(&r);

	/* A 300-character password: the length message, by API and import; at login too. */
	char pw[301];
	memset(pw, 'p', 300);
	pw[300] = 0;
	char big[1024];
	snprintf(big, sizeof big,
		 "{\"username\":\"longpw\",\"name\":\"长密码\",\"password\":\"%s\",\"role\":\"member\",\"org_id\":%lld}", pw,
		 org);
	r = e2e_req("POST", "/api/v1/users", tok, big, NULL);
	CHECK_STATUS(r, 422);
	CHECK(jstr(err_of(&r), "code") && !strcmp(jstr(err_of(&r), "code"), "password_too_long"), "code: %s", r.body);
	m = jstr(err_of(&r), "message");
	CHECK(m && strstr(m, "不能超过 256"), "message: %s", m ? m : "(none)");
	resp_free(&r);
	snprintf(big, sizeof big, "longpw,长密码,市委组织部,member,%s\n", pw);
	r = e2e_import(tok, big, strlen(big), NULL);
	m = line_error(r.json, 1);
	CHECK(m && strstr(m, "不能超过 256"), "import: %s", m ? m : "(not reported)");
	resp_free(&r);
	r = login_from("127.0.0.6", "zhangsan", pw);
	CHECK_STATUS(r, 422);
	resp_free(&r);
	free(tok);
}

struct import_job {
	const char *csv, *tok;
	atomic_int done;
	long status;
	json_t *json;
};

static void *import_thread(void *arg)
{
	struct import_job *j = arg;
	resp r = e2e_import(j->tok, j->csv, strlen(j->csv), NULL);
	j->status = r.status;
	j->json = json_incref(r.json);
	resp_free(&r);
	atomic_store(&j->done, 1);
	return NULL;
}

static double mono(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* A 1,000-member import (1,000 Argon2 hashes) does not hold an HTTP thread: with one HTTP
   thread, GET /api/v1/me is answered while the import runs. */
E2E_TEST(holes_import_runs_off_http_threads)
{
	char conf[600];
	snprintf(conf, sizeof conf, "%s/dangxiao.conf", e2e_data);
	size_t olen = 0;
	char *orig = NULL;
	FILE *f = fopen(conf, "r");
	if (f) {
		fseek(f, 0, SEEK_END);
		olen = (size_t)ftell(f);
		rewind(f);
		orig = calloc(1, olen + 1);
		olen = fread(orig, 1, olen, f);
		fclose(f);
	}
	f = fopen(conf, "w");
	CHECK(f != NULL, "write %s", conf);
	if (!f)
		return;
	fprintf(f, "%s\nthreads = 1\n", orig ? orig : "");
	fclose(f);
	CHECK(e2e_restart() == 0, "restart with one HTTP thread");

	char *tok = e2e_login("admin", E2E_PW);
	buf csv;
	buf_init(&csv);
	buf_puts(&csv, "username,name,org,role,password\n");
	for (int i = 0; i < 1000; i++)
		buf_printf(&csv, "offthread%04d,学员%d,市委组织部/批量,member,pw-off-%04d\n", i, i, i);
	struct import_job j = {.csv = csv.p, .tok = tok};
	pthread_t th;
	double t0 = mono();
	pthread_create(&th, NULL, import_thread, &j);
	usleep(500000); /* the import request is read and running */
	double t1 = mono();
	resp r = e2e_req("GET", "/api/v1/me", tok, NULL, NULL);
	double t2 = mono();
	int import_done_first = atomic_load(&j.done);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	CHECK(!import_done_first, "GET /me waited for the import (%.1f s)", t2 - t1);
	CHECK(t2 - t1 < 2.0, "GET /me took %.2f s during the import", t2 - t1);
	pthread_join(th, NULL);
	double t3 = mono();
	CHECK(j.status == 200, "import status %ld", j.status);
	CHECK(jint(j.json, "created") == 1000, "created %lld", jint(j.json, "created"));
	printf("    import of 1000 members: %.1f s; GET /me during it: %.3f s\n", t3 - t0, t2 - t1);
	json_decref(j.json);
	buf_free(&csv);
	r = login_from(NULL, "offthread0999", "pw-off-0999");
	CHECK_STATUS(r, 200);
	resp_free(&r);
	free(tok);

	f = fopen(conf, "w");
	if (f) {
		if (orig)
			fwrite(orig, 1, olen, f);
		fclose(f);
	}
	free(orig);
	CHECK(e2e_restart() == 0, "restart with the default settings");
}
