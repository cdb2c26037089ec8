/* test_attacks.c — what an attacker's tools try, over every route of server/authz.tsv:
 * traversal in every path parameter, security headers on every kind of answer, CSRF on every
 * cookie-authenticated change, session rotation on login, logout and deactivation ending a token
 * at once. The slow tools (sqlmap, slowhttptest, nginx) live in tools/proof/ (`make proof`). */
#include "e2e.h"

#include <errno.h>
#include <strings.h>

/* ---- the rows of server/authz.tsv ---- */
typedef struct row {
	char method[16], pattern[256], path[256], body[512];
	int member_only; /* a member may, an admin may not (the role check answers before CSRF) */
} row;

static int load_rows(row *rows, int max)
{
	FILE *f = fopen("server/authz.tsv", "r");
	CHECK(f != NULL, "server/authz.tsv missing");
	if (!f)
		return 0;
	char line[4096];
	int n = 0;
	while (n < max && fgets(line, sizeof line, f)) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		line[strcspn(line, "\n")] = 0;
		char *cols[10];
		int nc = 0;
		for (char *s = line, *t; nc < 10 && s; s = t) {
			t = strchr(s, '\t');
			if (t)
				*t++ = 0;
			cols[nc++] = s;
		}
		/* Rows on another user's resources ({other_course}, …) need test_authz.c's fixtures; the
		   same routes are covered here through their plain rows. */
		if (nc < 4 || strstr(cols[2], "{other"))
			continue;
		snprintf(rows[n].method, sizeof rows[n].method, "%s", cols[0]);
		snprintf(rows[n].pattern, sizeof rows[n].pattern, "%s", cols[1]);
		snprintf(rows[n].path, sizeof rows[n].path, "%s", cols[2]);
		snprintf(rows[n].body, sizeof rows[n].body, "%s", strcmp(cols[3], "-") ? cols[3] : "");
		rows[n].member_only = nc >= 9 && strcmp(cols[5], "403") && !strcmp(cols[8], "403");
		n++;
	}
	fclose(f);
	CHECK(n > 20, "only %d rows in server/authz.tsv", n);
	return n;
}

/* ---- a raw request: the path is sent exactly as given (no dot-segment squashing) ---- */
static resp raw_req(const char *method, const char *path, const char *token, const char *body)
{
	static const char *const tus[] = {"Tus-Resumable: 1.0.0", NULL};
	e2e_opts o = {.path_as_is = 1, .timeout_s = 60};
	int has = body && *body;
	return e2e_req_opts(&o, method, path, token, has ? body : NULL, has ? strlen(body) : 0, NULL, tus);
}

/* 1 when the body holds what a file outside the served folders would: /etc/passwd, the database,
   the server's source, the settings or the ledger key's folder listing. */
static const char *leaked(const resp *r)
{
	static const char *marks[] = {"root:x:0:0", "root:*:0:0", "SQLite format 3", "#include", "sqlite3_",
				      "/bin/bash", "dangxiao.conf", NULL};
	if (!r->body)
		return NULL;
	for (int i = 0; marks[i]; i++)
		if (memmem(r->body, r->len, marks[i], strlen(marks[i])))
			return marks[i];
	return NULL;
}

static const char *const traversal[] = {
	"..%2f..%2f..%2f..%2fetc%2fpasswd",
	"..%2F..%2Fdangxiao.db",
	"%2e%2e",
	"%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
	"....//....//....//etc/passwd",
	"..%5c..%5c..%5cetc%5cpasswd",
	"1%00",
	"%00..%2f..%2fetc%2fpasswd",
	"..%c0%af..%c0%af..%c0%afetc%c0%afpasswd",
	"%c0%ae%c0%ae%c0%af%c0%ae%c0%ae%c0%afetc%c0%afpasswd",
	"../../../../etc/passwd",
	"..%252f..%252fetc%252fpasswd",
	"1;..%2f..%2fetc%2fpasswd",
	NULL, /* the very long segment, built below */
};

/* The path of a row's pattern with every {…} and * replaced by `with` (the query, if any, kept). */
static char *fill(const row *rw, const char *with)
{
	size_t cap = strlen(rw->pattern) * 2 + strlen(with) * 4 + 64;
	char *out = malloc(cap);
	size_t o = 0;
	for (const char *p = rw->pattern; *p;) {
		if (*p == '{') {
			const char *e = strchr(p, '}');
			if (!e)
				break;
			o += (size_t)snprintf(out + o, cap - o, "%s", with);
			p = e + 1;
		} else if (*p == '*') {
			o += (size_t)snprintf(out + o, cap - o, "%s", with);
			p++;
		} else {
			out[o++] = *p++;
		}
	}
	out[o] = 0;
	return out;
}

E2E_TEST(attacks_traversal_in_every_path_parameter)
{
	static row rows[256];
	int n = load_rows(rows, 256);
	char *admin = e2e_login("admin", E2E_PW);
	char *member = e2e_login("zhangsan", E2E_PW);
	CHECK(admin && member, "login failed");
	char longseg[9000];
	memset(longseg, 'a', sizeof longseg - 1);
	longseg[sizeof longseg - 1] = 0;
	memcpy(longseg, "..%2f", 5);
	int tried = 0, patterns = 0;
	for (int i = 0; i < n; i++) {
		if (!strchr(rows[i].pattern, '{') && !strchr(rows[i].pattern, '*'))
			continue;
		patterns++;
		for (int k = 0; k < (int)(sizeof traversal / sizeof *traversal); k++) {
			const char *payload = traversal[k] ? traversal[k] : longseg;
			char *path = fill(&rows[i], payload);
			/* /static/ and /media/ serve files: try the payload below a real folder too */
			for (int who = 0; who < 3; who++) {
				const char *tok = who == 0 ? admin : who == 1 ? member : NULL;
				resp r = raw_req(rows[i].method, path, tok, rows[i].body);
				tried++;
				const char *mark = leaked(&r);
				CHECK(r.status != -1, "%s %.120s: no answer", rows[i].method, path);
				CHECK(r.status < 500, "%s %.120s as %s: %ld (%.200s)", rows[i].method, path,
				      who == 0 ? "admin" : who == 1 ? "member" : "anonymous", r.status, r.body ? r.body : "");
				CHECK(!(r.status >= 200 && r.status < 300 && strcmp(rows[i].method, "OPTIONS")),
				      "%s %.120s as %s: %ld", rows[i].method, path,
				      who == 0 ? "admin" : who == 1 ? "member" : "anonymous", r.status);
				CHECK(!mark, "%s %.120s: the answer (%ld) holds \"%s\"", rows[i].method, path, r.status,
				      mark ? mark : "");
				resp_free(&r);
			}
			free(path);
		}
	}
	/* the same payloads below real folders of the two file-serving routes */
	static const char *const under[] = {"/static/css/", "/static/", "/static/js/", "/media/1/", "/media/1/v0/",
					    "/images/", NULL};
	for (int u = 0; under[u]; u++)
		for (int k = 0; traversal[k]; k++) {
			char path[512];
			snprintf(path, sizeof path, "%s%s", under[u], traversal[k]);
			resp r = raw_req("GET", path, admin, NULL);
			tried++;
			const char *mark = leaked(&r);
			CHECK(r.status >= 400 && r.status < 500, "GET %s: %ld (%.200s)", path, r.status, r.body ? r.body : "");
			CHECK(!mark, "GET %s: the answer holds \"%s\"", path, mark ? mark : "");
			resp_free(&r);
		}
	CHECK(patterns >= 20, "only %d route patterns with a parameter", patterns);
	resp h = e2e_req("GET", "/api/v1/health", NULL, NULL, NULL);
	CHECK_STATUS(h, 200);
	resp_free(&h);
	fprintf(stderr, "    traversal: %d requests over %d route patterns\n", tried, patterns);
	free(admin);
	free(member);
}

/* ---- security headers ---- */
static int nheaders_checked;
static void check_security_headers(const resp *r, const char *what)
{
	if (r->status == -1)
		return;
	nheaders_checked++;
	char *xcto = resp_header(r, "X-Content-Type-Options");
	char *xfo = resp_header(r, "X-Frame-Options");
	char *rp = resp_header(r, "Referrer-Policy");
	char *csp = resp_header(r, "Content-Security-Policy");
	char *ct = resp_header(r, "Content-Type");
	CHECK(xcto && !strcasecmp(xcto, "nosniff"), "%s (%ld): X-Content-Type-Options %s", what, r->status,
	      xcto ? xcto : "missing");
	CHECK((xfo && !strcasecmp(xfo, "DENY")) || (csp && strstr(csp, "frame-ancestors 'none'")),
	      "%s (%ld): neither X-Frame-Options DENY nor CSP frame-ancestors", what, r->status);
	CHECK(rp && *rp, "%s (%ld): Referrer-Policy missing", what, r->status);
	if (ct && !strncasecmp(ct, "text/html", 9))
		CHECK(csp && strstr(csp, "script-src 'self'") && strstr(csp, "frame-ancestors 'none'"),
		      "%s (%ld): an HTML answer without the Content-Security-Policy (%s)", what, r->status,
		      csp ? csp : "missing");
	free(xcto);
	free(xfo);
	free(rp);
	free(csp);
	free(ct);
}

E2E_TEST(attacks_security_headers_on_every_answer)
{
	static row rows[256];
	int n = load_rows(rows, 256);
	nheaders_checked = 0;
	const char *users[] = {NULL, "zhangsan", "teacher", "admin"};
	for (int u = 0; u < 4; u++) {
		char *tok = users[u] ? e2e_login(users[u], E2E_PW) : NULL;
		for (int i = 0; i < n; i++) {
			char what[400];
			snprintf(what, sizeof what, "%s %s as %s", rows[i].method, rows[i].path, users[u] ? users[u] : "anonymous");
			resp r = e2e_req(rows[i].method, rows[i].path, tok, rows[i].body[0] ? rows[i].body : NULL, NULL);
			check_security_headers(&r, what);
			resp_free(&r);
			if (!strcmp(rows[i].method, "DELETE") && !strcmp(rows[i].path, "/api/v1/session") && tok) {
				free(tok);
				tok = e2e_login(users[u], E2E_PW);
			}
		}
		free(tok);
	}
	/* the error kinds and the special answers, one each */
	char *csrf = NULL;
	char *tok = e2e_login_csrf("admin", E2E_PW, &csrf);
	char big[70000];
	memset(big, ' ', sizeof big - 1);
	big[0] = '{';
	big[sizeof big - 2] = '}';
	big[sizeof big - 1] = 0;
	struct {
		const char *what, *method, *path, *body, *ctype;
		const char *const *hdr;
		int cookie;
	} k[] = {
		{"404 api", "GET", "/api/v1/nothing-here", NULL, NULL, NULL, 0},
		{"404 page", "GET", "/nothing-here", NULL, NULL, NULL, 0},
		{"404 static", "GET", "/static/none.css", NULL, NULL, NULL, 0},
		{"404 media", "GET", "/media/999999/master.m3u8", NULL, NULL, NULL, 0},
		{"405 api", "DELETE", "/api/v1/health", NULL, NULL, NULL, 0},
		{"405 page", "POST", "/login", "{}", NULL, NULL, 0},
		{"400 json", "POST", "/api/v1/orgs", "{bad json", NULL, NULL, 0},
		{"413", "POST", "/api/v1/orgs", big, NULL, NULL, 0},
		{"415", "POST", "/api/v1/orgs", "{}", "text/plain", NULL, 0},
		{"403 csrf", "POST", "/api/v1/orgs", "{}", NULL, NULL, 1},
		{"304", "GET", "/static/css/app.css", NULL, NULL, (const char *const[]){"If-None-Match: *", NULL}, 0},
		{"206", "GET", "/static/css/app.css", NULL, NULL, (const char *const[]){"Range: bytes=0-9", NULL}, 0},
		{"416", "GET", "/static/css/app.css", NULL, NULL, (const char *const[]){"Range: bytes=99999999-", NULL}, 0},
		{"HEAD", "HEAD", "/static/css/app.css", NULL, NULL, NULL, 0},
		{"tus OPTIONS", "OPTIONS", "/api/v1/uploads", NULL, NULL, NULL, 0},
		{"412 tus", "POST", "/api/v1/uploads", "", "application/offset+octet-stream", NULL, 0},
		{"html page", "GET", "/", NULL, NULL, NULL, 0},
		{"login page", "GET", "/login?next=//evil.example", NULL, NULL, NULL, 0},
		{"bad query", "GET", "/api/v1/courses?page=-1&per_page=999999999999&q=%ff%fe", NULL, NULL, NULL, 0},
	};
	for (size_t i = 0; i < sizeof k / sizeof *k; i++) {
		resp r;
		if (k[i].cookie)
			r = e2e_req_cookie(k[i].method, k[i].path, tok, NULL, k[i].body);
		else
			r = e2e_req_h(k[i].method, k[i].path, tok, k[i].body, k[i].body ? strlen(k[i].body) : 0, k[i].ctype,
				      k[i].hdr);
		check_security_headers(&r, k[i].what);
		resp_free(&r);
	}
	/* the answers to anonymous requests of each kind */
	resp r = e2e_req("GET", "/teach", NULL, NULL, NULL);
	CHECK_STATUS(r, 303);
	check_security_headers(&r, "303 to login");
	resp_free(&r);
	r = e2e_req("POST", "/api/v1/session", NULL, "{\"username\":\"admin\",\"password\":\"wrong\"}", NULL);
	check_security_headers(&r, "401 bad credentials");
	resp_free(&r);
	CHECK(nheaders_checked > 4 * n, "only %d answers checked", nheaders_checked);
	fprintf(stderr, "    security headers: %d answers checked\n", nheaders_checked);
	free(tok);
	free(csrf);
}

/* ---- CSRF ---- */

/* The database's contents but the sessions (their last use may change on every request) and what
   the transcoder writes meanwhile (the demo lecture's job and its lecture row). */
static void db_snapshot(const char *out)
{
	e2e_sh("db=%s/dangxiao.db; skip='^INSERT INTO \"?(sessions|jobs)\"? '; "
	       "for l in $(sqlite3 -readonly $db 'SELECT DISTINCT lecture_id FROM jobs'); do "
	       "skip=\"$skip|^INSERT INTO \\\"?lectures\\\"? VALUES\\($l,\"; done; "
	       "sqlite3 -readonly $db .dump | grep -v -E \"$skip\" > %s",
	       e2e_data, out);
}

/* Replaces the first "999999" in s with v (s has room: ids are shorter). */
static void put_id(char *s, size_t cap, long long v)
{
	char *p = strstr(s, "999999");
	if (!p)
		return;
	char rest[1024];
	snprintf(rest, sizeof rest, "%s", p + 6);
	snprintf(p, cap - (size_t)(p - s), "%lld%s", v, rest);
}

E2E_TEST(attacks_csrf_on_every_cookie_change)
{
	static row rows[256];
	int n = load_rows(rows, 256);
	/* real things for the rows' ids, so that an accepted request would change something */
	char *teacher = e2e_login("teacher", E2E_PW);
	char *admin_bearer = e2e_login("admin", E2E_PW);
	resp r = e2e_req("POST", "/api/v1/courses", teacher, "{\"title\":\"CSRF 靶子\",\"category\":\"政治理论\"}", NULL);
	CHECK_STATUS(r, 201);
	long long course = jint(r.json, "id");
	resp_free(&r);
	char body[256];
	snprintf(body, sizeof body, "/api/v1/courses/%lld/lectures", course);
	r = e2e_req("POST", body, teacher, "{\"title\":\"第一讲\"}", NULL);
	CHECK_STATUS(r, 201);
	long long lecture = jint(r.json, "id");
	resp_free(&r);
	r = e2e_req("GET", "/api/v1/users?q=lisi", admin_bearer, NULL, NULL);
	long long user = r.json ? json_integer_value(json_object_get(json_array_get(json_object_get(r.json, "users"), 0), "id")) : 0;
	resp_free(&r);
	CHECK(user > 0, "no user lisi");
	snprintf(body, sizeof body, "{\"course_id\":%lld,\"org_id\":1,\"year\":2026}", course);
	r = e2e_req("POST", "/api/v1/assignments", admin_bearer, body, NULL);
	long long assignment = jint(r.json, "id");
	resp_free(&r);
	CHECK(assignment > 0, "no assignment");

	char *csrf = NULL, *mcsrf = NULL;
	char *admin_cookie = e2e_login_csrf("admin", E2E_PW, &csrf);
	/* Routes only members may use (the daily quiz) are tried with a member's cookie. */
	char *member_cookie = e2e_login_csrf("lisi", E2E_PW, &mcsrf);
	CHECK(admin_cookie && csrf && member_cookie && mcsrf, "login failed");
	char before[600], after[600];
	snprintf(before, sizeof before, "%s/csrf-before.sql", e2e_tmp);
	snprintf(after, sizeof after, "%s/csrf-after.sql", e2e_tmp);
	db_snapshot(before);
	int tried = 0;
	for (int i = 0; i < n; i++) {
		const char *m = rows[i].method;
		if (!strcmp(m, "GET") || !strcmp(m, "HEAD") || !strcmp(m, "OPTIONS"))
			continue;
		if (!strcmp(rows[i].pattern, "/api/v1/session") && !strcmp(m, "POST"))
			continue; /* logging in is not cookie-authenticated (its own guard: Origin, below) */
		char path[512], b[1024];
		snprintf(path, sizeof path, "%s", rows[i].path);
		snprintf(b, sizeof b, "%s", rows[i].body);
		long long id = !strncmp(path, "/api/v1/courses/", 16)     ? course
			       : !strncmp(path, "/api/v1/lectures/", 17)  ? lecture
			       : !strncmp(path, "/api/v1/users/", 14)     ? user
			       : !strncmp(path, "/api/v1/assignments/", 20) ? assignment
									    : 0;
		if (id)
			put_id(path, sizeof path, id);
		if (strstr(b, "\"course_id\":999999"))
			put_id(b, sizeof b, course);
		const char *cookie = rows[i].member_only ? member_cookie : admin_cookie;
		/* no token, a wrong token, an empty token, the token of another session */
		const char *bad[] = {NULL, "0000", "", "x"};
		for (int k = 0; k < 4; k++) {
			const char *const hdr_wrong[] = {"X-CSRF-Token: 0123456789abcdef", NULL};
			resp q;
			if (k == 0)
				q = e2e_req_cookie(m, path, cookie, NULL, b[0] ? b : NULL);
			else if (k == 1) {
				char ck[300];
				snprintf(ck, sizeof ck, "Cookie: dx_session=%s", cookie);
				const char *const hh[] = {ck, hdr_wrong[0], "Tus-Resumable: 1.0.0", NULL};
				q = e2e_req_h(m, path, NULL, b[0] ? b : NULL, strlen(b), NULL, hh);
			} else
				q = e2e_req_cookie(m, path, cookie, bad[k], b[0] ? b : NULL);
			tried++;
			CHECK(q.status == 403 || q.status == 401, "%s %s by cookie, CSRF token %s: %ld (%.200s)", m, path,
			      k == 0 ? "missing" : k == 1 ? "wrong" : bad[k][0] ? "x" : "empty", q.status, q.body ? q.body : "");
			if (q.status == 403)
				CHECK(jstr(json_object_get(q.json, "error"), "code") &&
					      !strcmp(jstr(json_object_get(q.json, "error"), "code"), "csrf"),
				      "%s %s: 403 but not csrf: %.200s", m, path, q.body ? q.body : "");
			resp_free(&q);
		}
	}
	db_snapshot(after);
	CHECK(e2e_sh("cmp -s %s %s", before, after) == 0, "the database changed under refused CSRF requests: diff %s %s",
	      before, after);
	if (e2e_sh("cmp -s %s %s", before, after) != 0)
		e2e_sh("diff %s %s | head -20 >&2", before, after);
	CHECK(tried >= 4 * 20, "only %d CSRF requests", tried);
	/* the cookie still works (logout by cookie without the token was refused too) */
	resp me = e2e_req_cookie("GET", "/api/v1/me", admin_cookie, NULL, NULL);
	CHECK_STATUS(me, 200);
	resp_free(&me);
	/* and with the right token the same kind of request goes through: the refusals were the CSRF check */
	char pub[128];
	snprintf(pub, sizeof pub, "/api/v1/courses/%lld/publish", course);
	resp ok = e2e_req_cookie("POST", pub, admin_cookie, csrf, NULL);
	CHECK(ok.status == 200 || ok.status == 409 || ok.status == 422, "publish with the CSRF token: %ld (%.200s)",
	      ok.status, ok.body ? ok.body : "");
	CHECK(ok.status != 403, "publish with the right CSRF token refused: %.200s", ok.body ? ok.body : "");
	resp_free(&ok);
	/* a login from another site is refused even without a cookie (login CSRF) */
	const char *const evil[] = {"Origin: https://evil.example", NULL};
	resp lg = e2e_req_h("POST", "/api/v1/session", NULL, "{\"username\":\"admin\",\"password\":\"" E2E_PW "\"}",
			    strlen("{\"username\":\"admin\",\"password\":\"" E2E_PW "\"}"), NULL, evil);
	CHECK_STATUS(lg, 403);
	resp_free(&lg);
	fprintf(stderr, "    csrf: %d refused requests\n", tried);
	free(admin_cookie);
	free(csrf);
	free(member_cookie);
	free(mcsrf);
	free(teacher);
	free(admin_bearer);
}

/* ---- sessions ---- */

/* The dx_session value of the answer's Set-Cookie (malloc'd) or NULL. */
static char *set_cookie_value(const resp *r)
{
	char *sc = resp_header(r, "Set-Cookie");
	if (!sc || strncmp(sc, "dx_session=", 11)) {
		free(sc);
		return NULL;
	}
	char *v = strdup(sc + 11);
	v[strcspn(v, ";")] = 0;
	free(sc);
	return v;
}

static long me_status(const char *cookie_or_null, const char *bearer, char *username_out, size_t cap)
{
	resp r = cookie_or_null ? e2e_req_cookie("GET", "/api/v1/me", cookie_or_null, NULL, NULL)
				: e2e_req("GET", "/api/v1/me", bearer, NULL, NULL);
	long st = r.status;
	if (username_out)
		snprintf(username_out, cap, "%s", jstr(r.json, "username") ? jstr(r.json, "username") : "");
	resp_free(&r);
	return st;
}

E2E_TEST(attacks_session_rotation_on_login)
{
	const char *body = "{\"username\":\"lisi\",\"password\":\"" E2E_PW "\"}";
	char seen[8][80];
	/* a cookie the attacker chose (session fixation): presented at login, never adopted */
	const char *fixed = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
	/* a valid token of another user presented at login: stays that user's, is not turned into lisi's */
	char *other = e2e_login("wangwu", E2E_PW);
	CHECK(other != NULL, "login wangwu");
	for (int i = 0; i < 4; i++) {
		char ck[200];
		snprintf(ck, sizeof ck, "Cookie: dx_session=%s", i == 1 ? fixed : i == 2 ? other : "");
		const char *const h[] = {ck, NULL};
		resp r = e2e_req_h("POST", "/api/v1/session", NULL, body, strlen(body), NULL, i ? h : NULL);
		CHECK_STATUS(r, 200);
		const char *tok = jstr(r.json, "token");
		char *sc = set_cookie_value(&r);
		CHECK(tok && sc && !strcmp(tok, sc), "the cookie set is not the token returned (%s / %s)", tok ? tok : "-",
		      sc ? sc : "-");
		CHECK(tok && strlen(tok) >= 43, "short token %s", tok ? tok : "-");
		snprintf(seen[i], sizeof seen[i], "%s", tok ? tok : "");
		CHECK(strcmp(seen[i], fixed) && strcmp(seen[i], other), "login %d adopted the presented cookie", i);
		for (int j = 0; j < i; j++)
			CHECK(strcmp(seen[i], seen[j]), "login %d returned the token of login %d", i, j);
		free(sc);
		resp_free(&r);
	}
	char who[80];
	CHECK(me_status(fixed, NULL, NULL, 0) == 401, "the fixed cookie value authenticates after a login");
	CHECK(me_status(other, NULL, who, sizeof who) == 200 && !strcmp(who, "wangwu"),
	      "the other user's token now answers as %s", who);
	/* each login is its own session: all four work */
	for (int i = 0; i < 4; i++)
		CHECK(me_status(NULL, seen[i], who, sizeof who) == 200 && !strcmp(who, "lisi"), "session %d: %s", i, who);
	free(other);
}

E2E_TEST(attacks_logout_and_deactivation_end_tokens_at_once)
{
	char *csrf = NULL;
	char *tok = e2e_login_csrf("zhaoliu", E2E_PW, &csrf);
	char *second = e2e_login("zhaoliu", E2E_PW);
	CHECK(tok && second, "login failed");
	CHECK(me_status(NULL, tok, NULL, 0) == 200, "fresh token refused");
	/* logout by cookie: needs the CSRF token, then the token is dead at once, as cookie and as Bearer */
	resp r = e2e_req_cookie("DELETE", "/api/v1/session", tok, NULL, NULL);
	CHECK_STATUS(r, 403);
	resp_free(&r);
	r = e2e_req_cookie("DELETE", "/api/v1/session", tok, csrf, NULL);
	CHECK_STATUS(r, 204);
	char *sc = set_cookie_value(&r);
	char *scl = resp_header(&r, "Set-Cookie");
	CHECK(sc && !*sc && scl && strstr(scl, "Max-Age=0"), "logout does not clear the cookie: %s", scl ? scl : "-");
	free(sc);
	free(scl);
	resp_free(&r);
	CHECK(me_status(NULL, tok, NULL, 0) == 401, "the token still works after logout (Bearer)");
	CHECK(me_status(tok, NULL, NULL, 0) == 401, "the token still works after logout (cookie)");
	r = e2e_req_cookie("GET", "/", tok, NULL, NULL);
	CHECK_STATUS(r, 303);
	resp_free(&r);
	r = e2e_req_cookie("POST", "/api/v1/courses/1/enroll", tok, csrf, NULL);
	CHECK_STATUS(r, 401);
	resp_free(&r);
	r = e2e_req("DELETE", "/api/v1/session", tok, NULL, NULL);
	CHECK_STATUS(r, 401);
	resp_free(&r);
	/* the user's other session is not touched by logging out of this one */
	CHECK(me_status(NULL, second, NULL, 0) == 200, "logout ended another session of the user");

	/* deactivation ends every session of the user at once; reactivation does not revive them */
	char *admin = e2e_login("admin", E2E_PW);
	resp u = e2e_req("GET", "/api/v1/users?q=zhaoliu", admin, NULL, NULL);
	long long uid = u.json ? json_integer_value(json_object_get(json_array_get(json_object_get(u.json, "users"), 0), "id")) : 0;
	resp_free(&u);
	CHECK(uid > 0, "no zhaoliu");
	char path[64];
	snprintf(path, sizeof path, "/api/v1/users/%lld", uid);
	r = e2e_req("PATCH", path, admin, "{\"active\":false}", NULL);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	CHECK(me_status(NULL, second, NULL, 0) == 401, "a deactivated user's token still works");
	CHECK(me_status(second, NULL, NULL, 0) == 401, "a deactivated user's cookie still works");
	r = e2e_req("POST", "/api/v1/session", NULL, "{\"username\":\"zhaoliu\",\"password\":\"" E2E_PW "\"}", NULL);
	CHECK_STATUS(r, 401);
	resp_free(&r);
	r = e2e_req("PATCH", path, admin, "{\"active\":true}", NULL);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	CHECK(me_status(NULL, second, NULL, 0) == 401, "reactivation revived an old token");
	char *again = e2e_login("zhaoliu", E2E_PW);
	CHECK(again && me_status(NULL, again, NULL, 0) == 200, "login after reactivation");
	free(again);
	free(admin);
	free(tok);
	free(second);
	free(csrf);
}

/* ---- the login throttle under a distributed guess, behind a reverse proxy ---- */

static long login_from(const char *user, const char *pw, const char *real_ip)
{
	char body[256], h[96];
	snprintf(body, sizeof body, "{\"username\":\"%s\",\"password\":\"%s\"}", user, pw);
	snprintf(h, sizeof h, "X-Real-IP: %s", real_ip);
	const char *const hh[] = {h, NULL};
	resp r = e2e_req_h("POST", "/api/v1/session", NULL, body, strlen(body), NULL, hh);
	long st = r.status;
	resp_free(&r);
	return st;
}

E2E_TEST(attacks_login_throttle_behind_a_proxy)
{
	/* Behind nginx every connection comes from 127.0.0.1: with trusted_proxy the throttle counts the
	   address nginx names in X-Real-IP, so one guesser does not lock everyone out. */
	CHECK(e2e_start("--set trusted_proxy=127.0.0.1") == 0, "start with trusted_proxy");
	for (int i = 0; i < 20; i++) {
		char u[32];
		snprintf(u, sizeof u, "ghost%d", i);
		long st = login_from(u, "wrong-password", "198.51.100.7");
		CHECK(st == 401, "guess %d: %ld", i, st);
	}
	CHECK(login_from("ghost99", "wrong-password", "198.51.100.7") == 429, "the guesser's address is not slowed");
	CHECK(login_from("admin", E2E_PW, "198.51.100.7") == 429, "the guesser's address may log in during its wait");
	CHECK(login_from("admin", E2E_PW, "198.51.100.8") == 200, "another client is locked out by one guesser");
	CHECK(login_from("lisi", E2E_PW, "2001:db8::1") == 200, "an IPv6 client is locked out");
	/* a header that is not an address is ignored: the proxy's own address counts */
	CHECK(login_from("lisi", E2E_PW, "198.51.100.7, 1.2.3.4") == 200, "a malformed X-Real-IP was used");

	/* Without trusted_proxy the header is the client's to choose, so it is ignored: spoofing it does
	   not escape the throttle. */
	CHECK(e2e_start(NULL) == 0, "start without trusted_proxy");
	for (int i = 0; i < 20; i++) {
		char u[32], ip[32];
		snprintf(u, sizeof u, "ghost%d", i);
		snprintf(ip, sizeof ip, "203.0.113.%d", i + 1);
		long st = login_from(u, "wrong-password", ip);
		CHECK(st == 401, "guess %d: %ld", i, st);
	}
	CHECK(login_from("admin", E2E_PW, "203.0.113.200") == 429, "a spoofed X-Real-IP escaped the throttle");
	/* the next tests get a server with fresh counters (they live in memory) */
	CHECK(e2e_restart() == 0, "restart");
}

/* ---- slow read: a client that reads its answer a few bytes at a time ---- */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

E2E_TEST(attacks_slow_reader_is_closed)
{
	CHECK(e2e_start("--set body_stall_s=2 --set body_stall_bytes=4096 --set per_ip_conns=0") == 0, "start");
	int port = atoi(strrchr(e2e_base, ':') + 1);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	int small = 2048;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	CHECK(connect(fd, (struct sockaddr *)&a, sizeof a) == 0, "connect");
	const char req[] = "GET /static/vendor/hls.min.js HTTP/1.1\r\nHost: x\r\n\r\n";
	CHECK(send(fd, req, sizeof req - 1, 0) == (ssize_t)(sizeof req - 1), "send");
	/* 64 bytes every 100 ms: 640 B/s, below 4096 bytes per 2 s. (The reset reaches this reader
	   only after it has read what was already in its socket.) */
	double t0 = mono_s(), closed_at = 0;
	size_t total = 0;
	while (mono_s() - t0 < 20) {
		char b[64];
		ssize_t n = recv(fd, b, sizeof b, MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
			closed_at = mono_s() - t0;
			break;
		}
		if (n > 0)
			total += (size_t)n;
		usleep(100 * 1000);
	}
	close(fd);
	CHECK(closed_at > 0, "a slow reader kept its connection for 20 s (%zu bytes read)", total);
	CHECK(total < 600000, "the slow reader got the whole file (%zu bytes)", total);
	CHECK(e2e_sh("grep -q 'past the request deadline' %s", e2e_log) == 0, "the server did not close it");
	CHECK(closed_at == 0 || closed_at > 1.5, "closed too early (%.1f s)", closed_at);
	fprintf(stderr, "    slow reader closed after %.1f s, %zu bytes read\n", closed_at, total);
	/* a client that reads at once gets the whole file */
	resp r = e2e_req("GET", "/static/vendor/hls.min.js", NULL, NULL, NULL);
	CHECK_STATUS(r, 200);
	CHECK(r.len > 100000, "only %zu bytes", r.len);
	resp_free(&r);
	/* the next tests get the default limits */
	CHECK(e2e_start(NULL) == 0, "restart");
}
