/* test_people.c — sessions, CSRF, bad input, organisations, users and the CSV import. */
#include "e2e.h"

E2E_TEST(login_me_logout)
{
	char *tok = e2e_login("admin", E2E_PW);
	CHECK(tok && strlen(tok) == 64, "no 64-char token");
	resp r = e2e_req("GET", "/api/v1/me", tok, NULL, NULL);
	CHECK_STATUS(r, 200);
	CHECK(jstr(r.json, "username") && !strcmp(jstr(r.json, "username"), "admin"), "me: %s", r.body);
	CHECK(jstr(r.json, "role") && !strcmp(jstr(r.json, "role"), "admin"), "role");
	resp_free(&r);
	r = e2e_req("DELETE", "/api/v1/session", tok, NULL, NULL);
	CHECK_STATUS(r, 204);
	resp_free(&r);
	r = e2e_req("GET", "/api/v1/me", tok, NULL, NULL);
	CHECK_STATUS(r, 401);
	CHECK(jstr(json_object_get(r.json, "error"), "code"), "error format: %s", r.body);
	resp_free(&r);
	free(tok);
}

E2E_TEST(login_sets_httponly_cookie)
{
	resp r = e2e_req("POST", "/api/v1/session", NULL, "{\"username\":\"lisi\",\"password\":\"" E2E_PW "\"}", NULL);
	CHECK_STATUS(r, 200);
	char *c = resp_header(&r, "Set-Cookie");
	CHECK(c && strstr(c, "HttpOnly") && strstr(c, "SameSite=Lax") && strstr(c, "dx_session="), "cookie: %s",
	      c ? c : "(none)");
	CHECK(jstr(r.json, "csrf_token") != NULL, "csrf_token");
	CHECK(json_is_object(json_object_get(r.json, "user")), "user object");
	free(c);
	resp_free(&r);
}

E2E_TEST(bad_credentials_and_throttle)
{
	resp r;
	for (int i = 0; i < 5; i++) {
		r = e2e_req("POST", "/api/v1/session", NULL, "{\"username\":\"wangwu\",\"password\":\"wrongwrong\"}", NULL);
		CHECK_STATUS(r, 401);
		resp_free(&r);
	}
	/* The sixth try is refused even with the right password. */
	r = e2e_req("POST", "/api/v1/session", NULL, "{\"username\":\"wangwu\",\"password\":\"" E2E_PW "\"}", NULL);
	CHECK_STATUS(r, 429);
	resp_free(&r);
	/* Other users are not affected. */
	char *t = e2e_login("zhaoliu", E2E_PW);
	CHECK(t != NULL, "other user can log in");
	free(t);
	/* After 15 minutes the user may try again. */
	e2e_clock_advance(15 * 60 + 1);
	t = e2e_login("wangwu", E2E_PW);
	CHECK(t != NULL, "wangwu can log in after 15 minutes");
	free(t);
}

E2E_TEST(csrf_required_for_cookie_changes)
{
	char *csrf = NULL;
	char *tok = e2e_login_csrf("admin", E2E_PW, &csrf);
	resp r = e2e_req_cookie("POST", "/api/v1/orgs", tok, NULL, "{\"name\":\"无CSRF\"}");
	CHECK_STATUS(r, 403);
	resp_free(&r);
	r = e2e_req_cookie("POST", "/api/v1/orgs", tok, "wrong", "{\"name\":\"无CSRF\"}");
	CHECK_STATUS(r, 403);
	resp_free(&r);
	r = e2e_req_cookie("GET", "/api/v1/me", tok, NULL, NULL);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	r = e2e_req_cookie("POST", "/api/v1/orgs", tok, csrf, "{\"name\":\"有CSRF\"}");
	CHECK_STATUS(r, 201);
	resp_free(&r);
	/* The refused one changed nothing. */
	r = e2e_req("GET", "/api/v1/orgs", tok, NULL, NULL);
	CHECK(r.body && !strstr(r.body, "无CSRF") && strstr(r.body, "有CSRF"), "orgs: %.300s", r.body);
	resp_free(&r);
	free(tok);
	free(csrf);
}

E2E_TEST(bad_input_is_refused_and_changes_nothing)
{
	char *tok = e2e_login("admin", E2E_PW);
	resp r = e2e_req("GET", "/api/v1/orgs", tok, NULL, NULL);
	size_t before = json_array_size(json_object_get(r.json, "orgs"));
	resp_free(&r);

	r = e2e_req("POST", "/api/v1/orgs", tok, "{\"name\": ", NULL);
	CHECK_STATUS(r, 400);
	resp_free(&r);
	r = e2e_req("POST", "/api/v1/orgs", tok, "[1,2]", NULL);
	CHECK_STATUS(r, 400);
	resp_free(&r);
	char big[70 * 1024];
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = 0;
	memcpy(big, "{\"name\":\"", 9);
	r = e2e_req("POST", "/api/v1/orgs", tok, big, NULL);
	CHECK_STATUS(r, 413);
	resp_free(&r);
	const char bad_utf8[] = "{\"name\":\"\xff\xfe\"}";
	r = e2e_req("POST", "/api/v1/orgs", tok, bad_utf8, NULL);
	CHECK_STATUS(r, 422);
	resp_free(&r);
	char longname[400] = "{\"name\":\"";
	for (int i = 0; i < 70; i++)
		strcat(longname, "长");
	strcat(longname, "\"}");
	r = e2e_req("POST", "/api/v1/orgs", tok, longname, NULL);
	CHECK_STATUS(r, 422);
	resp_free(&r);
	r = e2e_req("POST", "/api/v1/orgs", tok, "{\"name\":\"a/b\"}", NULL);
	CHECK_STATUS(r, 422);
	resp_free(&r);
	r = e2e_req("GET", "/api/v1/nothing-here", tok, NULL, NULL);
	CHECK_STATUS(r, 404);
	CHECK(jstr(json_object_get(r.json, "error"), "code") != NULL, "404 is JSON: %s", r.body);
	resp_free(&r);
	r = e2e_req("PUT", "/api/v1/orgs", tok, "{}", NULL);
	CHECK_STATUS(r, 405);
	char *allow = resp_header(&r, "Allow");
	CHECK(allow && strstr(allow, "GET") && strstr(allow, "POST"), "Allow: %s", allow ? allow : "(none)");
	free(allow);
	resp_free(&r);

	r = e2e_req("GET", "/api/v1/orgs", tok, NULL, NULL);
	CHECK(json_array_size(json_object_get(r.json, "orgs")) == before, "org count changed");
	resp_free(&r);
	free(tok);
}

E2E_TEST(org_tree_and_users)
{
	char *tok = e2e_login("admin", E2E_PW);
	resp r = e2e_req("POST", "/api/v1/orgs", tok, "{\"name\":\"测试党委\"}", NULL);
	CHECK_STATUS(r, 201);
	long long root = jint(r.json, "id");
	resp_free(&r);
	char body[256];
	snprintf(body, sizeof body, "{\"name\":\"测试支部\",\"parent_id\":%lld}", root);
	r = e2e_req("POST", "/api/v1/orgs", tok, body, NULL);
	CHECK_STATUS(r, 201);
	long long child = jint(r.json, "id");
	resp_free(&r);
	r = e2e_req("POST", "/api/v1/orgs", tok, body, NULL);
	CHECK_STATUS(r, 409);
	resp_free(&r);
	r = e2e_req("GET", "/api/v1/orgs", tok, NULL, NULL);
	json_t *o;
	size_t i;
	int found = 0;
	json_array_foreach(json_object_get(r.json, "orgs"), i, o)
	{
		if (jint(o, "id") == child && jint(o, "parent_id") == root)
			found = 1;
	}
	CHECK(found, "child with parent_id in tree: %.300s", r.body);
	resp_free(&r);

	snprintf(body, sizeof body,
		 "{\"username\":\"t_user1\",\"name\":\"测试用户\",\"password\":\"longpassword\",\"role\":\"member\",\"org_id\":%lld}",
		 child);
	r = e2e_req("POST", "/api/v1/users", tok, body, NULL);
	CHECK_STATUS(r, 201);
	resp_free(&r);
	r = e2e_req("POST", "/api/v1/users", tok, body, NULL);
	CHECK_STATUS(r, 409);
	resp_free(&r);
	r = e2e_req("POST", "/api/v1/users", tok,
		    "{\"username\":\"t_user2\",\"name\":\"x\",\"password\":\"longpassword\",\"role\":\"king\",\"org_id\":1}", NULL);
	CHECK_STATUS(r, 422);
	resp_free(&r);
	r = e2e_req("POST", "/api/v1/users", tok,
		    "{\"username\":\"t_user2\",\"name\":\"x\",\"password\":\"short\",\"role\":\"member\",\"org_id\":1}", NULL);
	CHECK_STATUS(r, 422);
	resp_free(&r);
	char *t = e2e_login("t_user1", "longpassword");
	CHECK(t != NULL, "new user can log in");
	free(t);
	free(tok);
}

E2E_TEST(assessor_sees_only_own_subtree)
{
	char *tok = e2e_login("assessor", E2E_PW);
	resp r = e2e_req("GET", "/api/v1/orgs", tok, NULL, NULL);
	CHECK_STATUS(r, 200);
	CHECK(r.body && strstr(r.body, "第一党委") && !strstr(r.body, "第二党委"), "assessor tree: %.400s", r.body);
	resp_free(&r);
	free(tok);
}

E2E_TEST(csv_import_api)
{
	char *tok = e2e_login("admin", E2E_PW);
	const char csv[] = "\xEF\xBB\xBFusername,name,org,role,password\r\n"
			   "imp_a,陈一,\"省委/组织部/一支部\",member,password1\r\n"
			   "imp_b,\"林, 二\",省委/组织部/二支部,,password2\r\n"
			   "bad user!,错,省委,member,password3\r\n"
			   "imp_c,周三,省委/组织部/一支部,emperor,password4\r\n"
			   "imp_d,\"未闭合,省委,member,password5\n"
			   "imp_e,吴五,省委/宣传部,instructor,password6\n";
	resp r = e2e_import(tok, csv, sizeof csv - 1, NULL);
	CHECK_STATUS(r, 200);
	CHECK(jint(r.json, "created") == 3, "created: %s", r.body);
	json_t *errs = json_object_get(r.json, "errors");
	CHECK(json_array_size(errs) == 3, "3 errors: %s", r.body);
	CHECK(jint(json_array_get(errs, 0), "line") == 4, "first error on line 4: %s", r.body);
	CHECK(jint(json_array_get(errs, 1), "line") == 5, "second error on line 5: %s", r.body);
	resp_free(&r);
	char *t = e2e_login("imp_b", "password2");
	CHECK(t != NULL, "imported user logs in");
	if (t) {
		r = e2e_req("GET", "/api/v1/me", t, NULL, NULL);
		CHECK(jstr(r.json, "name") && !strcmp(jstr(r.json, "name"), "林, 二"), "quoted name: %s", r.body);
		resp_free(&r);
	}
	free(t);
	r = e2e_req("GET", "/api/v1/orgs", tok, NULL, NULL);
	CHECK(r.body && strstr(r.body, "一支部") && strstr(r.body, "宣传部"), "orgs created on the fly");
	resp_free(&r);
	/* Re-import updates instead of creating. */
	const char again[] = "imp_a,陈一一,省委/组织部/二支部,member,\n";
	r = e2e_import(tok, again, sizeof again - 1, NULL);
	CHECK(jint(r.json, "updated") == 1 && jint(r.json, "created") == 0, "update: %s", r.body);
	resp_free(&r);
	r = e2e_req_h("POST", "/api/v1/users/import", tok, "x", 1, "application/json", NULL);
	CHECK_STATUS(r, 415);
	resp_free(&r);
	free(tok);
}

E2E_TEST(csv_import_1000_members)
{
	char *tok = e2e_login("admin", E2E_PW);
	size_t cap = 200000, len = 0;
	char *csv = malloc(cap);
	len += (size_t)sprintf(csv + len, "username,name,org,role,password\n");
	for (int i = 0; i < 1000; i++)
		len += (size_t)sprintf(csv + len, "bulk%04d,学员%04d,省委/第%d党委/第%d支部,member,bulkpass%04d\n", i, i,
				       i % 7, i % 23, i);
	resp r = e2e_import(tok, csv, len, NULL);
	CHECK_STATUS(r, 200);
	CHECK(jint(r.json, "created") == 1000, "created 1000: %.200s", r.body);
	resp_free(&r);
	char *t = e2e_login("bulk0999", "bulkpass0999");
	CHECK(t != NULL, "last imported member logs in");
	free(t);
	free(csv);
	free(tok);
}

E2E_TEST(security_headers_and_static)
{
	resp r = e2e_req("GET", "/login", NULL, NULL, NULL);
	CHECK_STATUS(r, 200);
	char *csp = resp_header(&r, "Content-Security-Policy");
	CHECK(csp && strstr(csp, "frame-ancestors 'none'") && strstr(csp, "script-src 'self'"), "CSP: %s", csp ? csp : "");
	free(csp);
	char *xcto = resp_header(&r, "X-Content-Type-Options");
	CHECK(xcto && !strcmp(xcto, "nosniff"), "nosniff");
	free(xcto);
	char *rp = resp_header(&r, "Referrer-Policy");
	CHECK(rp != NULL, "Referrer-Policy");
	free(rp);
	CHECK(r.body && strstr(r.body, "lang=\"zh-CN\"") && strstr(r.body, "登录"), "Chinese login page");
	resp_free(&r);

	r = e2e_req("GET", "/static/css/app.css", NULL, NULL, NULL);
	CHECK_STATUS(r, 200);
	char *etag = resp_header(&r, "ETag");
	char *ct = resp_header(&r, "Content-Type");
	CHECK(ct && strstr(ct, "text/css"), "css type: %s", ct ? ct : "");
	free(ct);
	size_t full = r.len;
	resp_free(&r);
	CHECK(etag != NULL, "ETag");
	if (etag) {
		char h[200];
		snprintf(h, sizeof h, "If-None-Match: %s", etag);
		const char *hs[] = {h, NULL};
		r = e2e_req_h("GET", "/static/css/app.css", NULL, NULL, 0, NULL, hs);
		CHECK_STATUS(r, 304);
		resp_free(&r);
	}
	free(etag);
	const char *rg[] = {"Range: bytes=10-19", NULL};
	r = e2e_req_h("GET", "/static/css/app.css", NULL, NULL, 0, NULL, rg);
	CHECK_STATUS(r, 206);
	CHECK(r.len == 10, "range length %zu", r.len);
	char *cr = resp_header(&r, "Content-Range");
	char want[64];
	snprintf(want, sizeof want, "bytes 10-19/%zu", full);
	CHECK(cr && !strcmp(cr, want), "Content-Range %s want %s", cr ? cr : "", want);
	free(cr);
	resp_free(&r);
	const char *bad[] = {"Range: bytes=999999-", NULL};
	r = e2e_req_h("GET", "/static/css/app.css", NULL, NULL, 0, NULL, bad);
	CHECK_STATUS(r, 416);
	resp_free(&r);
	r = e2e_req("GET", "/static/../server/db.c", NULL, NULL, NULL);
	CHECK(r.status == 404 || r.status == 400, "traversal refused: %ld", r.status);
	resp_free(&r);
	r = e2e_req("GET", "/static/%2e%2e/Makefile", NULL, NULL, NULL);
	CHECK(r.status == 404 || r.status == 400, "encoded traversal refused: %ld", r.status);
	resp_free(&r);
}

E2E_TEST(admin_page_and_redirect)
{
	resp r = e2e_req("GET", "/admin", NULL, NULL, NULL);
	CHECK_STATUS(r, 303);
	char *loc = resp_header(&r, "Location");
	CHECK(loc && !strncmp(loc, "/login", 6), "redirect to login: %s", loc ? loc : "");
	free(loc);
	resp_free(&r);
	char *tok = e2e_login("admin", E2E_PW);
	r = e2e_req_cookie("GET", "/admin", tok, NULL, NULL);
	CHECK_STATUS(r, 200);
	CHECK(r.body && strstr(r.body, "import-form") && strstr(r.body, "csrf-token"), "admin page content");
	resp_free(&r);
	free(tok);
}

E2E_TEST(cli_backup_and_import)
{
	int rc = e2e_sh("bin/dangxiao-san backup --data %s %s/backup.db >/dev/null 2>&1", e2e_data, e2e_tmp);
	CHECK(rc == 0, "backup exit %d", rc);
	rc = e2e_sh("test \"$(sqlite3 %s/backup.db 'PRAGMA integrity_check')\" = ok && "
		    "test \"$(sqlite3 %s/backup.db 'SELECT count(*)>0 FROM users')\" = 1",
		    e2e_tmp, e2e_tmp);
	CHECK(rc == 0, "backup is a consistent database with users");
	e2e_sh("printf 'cli_a,命令行,省委/命令行支部,member,clipass01\\nbad!,x,y,member,clipass02\\n' > %s/cli.csv", e2e_tmp);
	rc = e2e_sh("bin/dangxiao-san import-members --data %s %s/cli.csv >/dev/null 2>&1", e2e_data, e2e_tmp);
	CHECK(rc == 1, "import with a bad line exits 1, got %d", rc);
	char *t = e2e_login("cli_a", "clipass01");
	CHECK(t != NULL, "CLI-imported user logs in while the server runs");
	free(t);
	rc = e2e_sh("bin/dangxiao-san frobnicate >/dev/null 2>&1");
	CHECK(rc == 2, "unknown command exits 2, got %d", rc);
	rc = e2e_sh("bin/dangxiao-san backup --data %s/nonexistent %s/x.db >/dev/null 2>&1", e2e_tmp, e2e_tmp);
	CHECK(rc == 1, "backup of a missing database exits 1, got %d", rc);
}

E2E_TEST(head_of_static_file)
{
	resp g = e2e_req("GET", "/static/css/app.css", NULL, NULL, NULL);
	resp h = e2e_req("HEAD", "/static/css/app.css", NULL, NULL, NULL);
	CHECK_STATUS(h, 200);
	char *cl = resp_header(&h, "Content-Length");
	CHECK(cl && (size_t)atol(cl) == g.len, "HEAD Content-Length %s vs %zu", cl ? cl : "", g.len);
	CHECK(h.len == 0, "HEAD has no body");
	free(cl);
	resp_free(&g);
	resp_free(&h);
}

/* A streamed upload that will be refused is refused before its body is sent: the answer comes
   while the client has sent only the headers of a 1 GB PUT. */
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
E2E_TEST(streamed_body_refused_before_it_is_read)
{
	char *tok = e2e_login("teacher", E2E_PW);
	int port = atoi(strrchr(e2e_base, ':') + 1);
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	CHECK(connect(s, (struct sockaddr *)&a, sizeof a) == 0, "connect");
	char head[512];
	int n = snprintf(head, sizeof head,
			 "PUT /api/v1/lectures/999999/source HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
			 "Content-Type: video/mp4\r\nContent-Length: 1000000000\r\n\r\n",
			 tok ? tok : "");
	CHECK(write(s, head, (size_t)n) == n, "send headers");
	struct timeval tv = {5, 0};
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	char got[1024] = "";
	ssize_t k = read(s, got, sizeof got - 1);
	if (k > 0)
		got[k] = 0;
	CHECK(!strncmp(got, "HTTP/1.1 404", 12), "answered 404 without the body: %.80s", got);
	close(s);
	free(tok);
}
