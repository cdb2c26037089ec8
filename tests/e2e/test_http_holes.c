/* test_http_holes.c — the HTTP core against hostile and careless clients (issue 8: 1, 2, 12, 16,
 * 18, 19): request bytes that are not UTF-8, slow clients, cross-site JSON, paging overflow, error
 * pages on browser routes, precompressed fingerprinted assets. */
#include "e2e.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int port_of_base(void)
{
	const char *c = strrchr(e2e_base, ':');
	return c ? atoi(c + 1) : 0;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A TCP connection to the server from source address `from` (any 127.x.y.z), or -1. */
static int raw_connect(const char *from)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0)
		return -1;
	struct sockaddr_in src = {.sin_family = AF_INET};
	inet_pton(AF_INET, from, &src.sin_addr);
	if (bind(s, (struct sockaddr *)&src, sizeof src) < 0) {
		close(s);
		return -1;
	}
	struct sockaddr_in dst = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port_of_base())};
	inet_pton(AF_INET, "127.0.0.1", &dst.sin_addr);
	if (connect(s, (struct sockaddr *)&dst, sizeof dst) < 0) {
		close(s);
		return -1;
	}
	return s;
}

static void raw_send(int s, const char *data, size_t len)
{
	while (len) {
		ssize_t n = send(s, data, len, MSG_NOSIGNAL);
		if (n <= 0)
			return;
		data += n, len -= (size_t)n;
	}
}

/* 1 when the server has closed s (end of file or reset) within wait_ms; data read is dropped. */
static int raw_closed(int s, int wait_ms)
{
	double end = now_s() + wait_ms / 1000.0;
	for (;;) {
		int left = (int)((end - now_s()) * 1000);
		struct pollfd p = {.fd = s, .events = POLLIN};
		if (poll(&p, 1, left > 0 ? left : 0) <= 0)
			return 0;
		char tmp[4096];
		ssize_t n = recv(s, tmp, sizeof tmp, MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
			return 1;
		if (left <= 0)
			return 0;
	}
}

/* Sends a whole request on s and reads the answer's status code (0 when none came). */
static int raw_exchange(int s, const char *req, size_t len, char *out, size_t out_size)
{
	raw_send(s, req, len);
	size_t got = 0;
	double end = now_s() + 10;
	while (got + 1 < out_size && now_s() < end) {
		struct pollfd p = {.fd = s, .events = POLLIN};
		if (poll(&p, 1, 200) <= 0)
			continue;
		ssize_t n = recv(s, out + got, out_size - 1 - got, 0);
		if (n <= 0)
			break;
		got += (size_t)n;
		out[got] = 0;
		if (strstr(out, "\r\n\r\n"))
			break;
	}
	out[got] = 0;
	int code = 0;
	sscanf(out, "HTTP/1.%*d %d", &code);
	return code;
}

static int server_alive(void)
{
	resp r = e2e_req("GET", "/api/v1/health", NULL, NULL, NULL);
	long st = r.status;
	resp_free(&r);
	return st == 200;
}

/* An error answer is well-formed JSON with a UTF-8 message that quotes no raw request byte. */
static void check_json_error(resp *r, const char *what)
{
	CHECK(r->json != NULL, "%s: error answer is not JSON: %.200s", what, r->body ? r->body : "");
	json_t *e = r->json ? json_object_get(r->json, "error") : NULL;
	const char *m = e ? jstr(e, "message") : NULL;
	CHECK(m && *m, "%s: no error message", what);
	CHECK(!r->body || !memchr(r->body, 0xFF, r->len), "%s: a raw 0xFF byte came back", what);
}

/* A second server for tests that need other settings, on its own port and data folder (created
   with `init`, no demo data), so the shared server and its data stay as the other tests left them.
   While it runs, e2e_base points at it; side_stop() points it back. */
static pid_t g_side;
static char g_side_saved[64];

static int side_start(const char *extra)
{
	char data[600];
	snprintf(data, sizeof data, "%s/side-%d", e2e_tmp, rand());
	if (e2e_sh("echo '%s' | bin/dangxiao-san init --data %s >/dev/null 2>&1", E2E_PW, data) != 0)
		return -1;
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	bind(s, (struct sockaddr *)&a, sizeof a);
	socklen_t l = sizeof a;
	getsockname(s, (struct sockaddr *)&a, &l);
	close(s);
	int port = ntohs(a.sin_port);
	g_side = fork();
	if (g_side == 0) {
		char listen[64], logp[700];
		snprintf(listen, sizeof listen, "127.0.0.1:%d", port);
		snprintf(logp, sizeof logp, "%s/server.log", data);
		int fd = open(logp, O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		char *argv[40], ex[800];
		int n = 0;
		argv[n++] = "bin/dangxiao-san";
		argv[n++] = "serve";
		argv[n++] = "--data";
		argv[n++] = data;
		argv[n++] = "--listen";
		argv[n++] = listen;
		snprintf(ex, sizeof ex, "%s", extra);
		for (char *t = strtok(ex, " "); t && n < 38; t = strtok(NULL, " "))
			argv[n++] = t;
		argv[n] = NULL;
		execv(argv[0], argv);
		_exit(127);
	}
	snprintf(g_side_saved, sizeof g_side_saved, "%s", e2e_base);
	snprintf(e2e_base, sizeof e2e_base, "http://127.0.0.1:%d", port);
	for (int i = 0; i < 300; i++) {
		e2e_transport_failure_ok = 1; /* the second server may not listen yet */
		resp r = e2e_req("GET", "/api/v1/health", NULL, NULL, NULL);
		e2e_transport_failure_ok = 0;
		long st = r.status;
		resp_free(&r);
		if (st == 200)
			return 0;
		usleep(50000);
	}
	return -1;
}

/* Stops the second server; its exit status must be 0 (a clean shutdown, no sanitizer report). */
static void side_stop(void)
{
	if (g_side > 0) {
		kill(g_side, SIGTERM);
		int status = 0;
		waitpid(g_side, &status, 0);
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "second server exit status %d", status);
		g_side = 0;
	}
	snprintf(e2e_base, sizeof e2e_base, "%s", g_side_saved);
}

/* ---- 1: request text that is not UTF-8 never stops the server ---- */

E2E_TEST(http_invalid_utf8_url_and_method)
{
	static const char *const paths[] = {
		"/api/%FF", "/api/v1/%E4%B8", "/media/%C0%80/x", "/api/v1/courses/%FF%FE/x", "/%FF",
	};
	for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
		resp r = e2e_req("GET", paths[i], NULL, NULL, NULL);
		CHECK(r.status == 404, "GET %s: %ld", paths[i], r.status);
		if (!strncmp(paths[i], "/api/", 5) || !strncmp(paths[i], "/media/", 7)) {
			check_json_error(&r, paths[i]);
			/* The URL is not echoed in the message at all. */
			CHECK(!r.body || !strstr(r.body, "courses"), "GET %s echoes the URL: %.200s", paths[i], r.body);
		}
		resp_free(&r);
		CHECK(server_alive(), "server died after GET %s", paths[i]);
	}
	/* A long Chinese URL (past any fixed buffer), cut in the middle of a character. */
	char longp[2048] = "/api/v1/";
	for (int i = 0; i < 150; i++)
		strcat(longp, "%E5%85%9A"); /* 党 */
	strcat(longp, "%E5%85");
	resp r = e2e_req("GET", longp, NULL, NULL, NULL);
	CHECK_STATUS(r, 404);
	check_json_error(&r, "long URL");
	resp_free(&r);
	r = e2e_req("DELETE", longp, NULL, NULL, NULL);
	CHECK(r.status == 404 || r.status == 405, "DELETE long URL: %ld", r.status);
	resp_free(&r);
	/* A method with bytes that are not UTF-8, on a route that exists (405 quotes the method). */
	r = e2e_req("P\xFF\xFE", "/api/v1/health", NULL, NULL, NULL);
	CHECK(r.status == 405 || r.status == 400, "odd method: %ld", r.status);
	if (r.status == 405)
		check_json_error(&r, "odd method");
	resp_free(&r);
	CHECK(server_alive(), "server died after an odd method");
	/* Same over a raw socket, the bytes exactly as an attacker sends them. */
	int s = raw_connect("127.0.0.1");
	CHECK(s >= 0, "connect");
	if (s >= 0) {
		char out[4096];
		const char req[] = "G\xC3\x28T /api/\xFF\xFE\xE4\xB8 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
		int code = raw_exchange(s, req, sizeof req - 1, out, sizeof out);
		CHECK(code >= 400 && code < 500, "raw odd request: %d", code);
		close(s);
	}
	/* Query text that is not UTF-8 in lists that search. */
	char *tok = e2e_login("admin", E2E_PW);
	r = e2e_req("GET", "/api/v1/users?q=%FF%FE", tok, NULL, NULL);
	CHECK(r.status == 200 || (r.status >= 400 && r.status < 600), "users?q=%%FF: %ld", r.status);
	resp_free(&r);
	r = e2e_req("GET", "/api/v1/courses?q=%FF%E4%B8&category=%C0", tok, NULL, NULL);
	CHECK(r.status > 0, "courses?q=%%FF: no answer");
	resp_free(&r);
	free(tok);
	CHECK(server_alive(), "server died after odd query text");
}

E2E_TEST(http_access_log_lines_stay_whole)
{
	resp r = e2e_req("GET", "/api/%0A2026-01-01T00:00:00Z%20FAKE%20LINE%FF", NULL, NULL, NULL);
	CHECK_STATUS(r, 404);
	resp_free(&r);
	/* The line is written when libmicrohttpd reports the request complete, which may be just
	   after the client has its answer: read the log until the line is there (2 s at most). */
	char path[700];
	snprintf(path, sizeof path, "%s/access.log", e2e_data);
	int fake = 0, escaped = 0, bad = 0;
	for (int tries = 0; tries < 100 && !escaped; tries++) {
		if (tries)
			usleep(20000);
		FILE *f = fopen(path, "r");
		if (!f)
			continue;
		char line[8192];
		fake = escaped = bad = 0;
		while (fgets(line, sizeof line, f)) {
			if (!strncmp(line, "2026-01-01T00:00:00Z", 20))
				fake++;
			if (strstr(line, "\\x0A2026-01-01T00:00:00Z\\x20FAKE\\x20LINE\\xFF"))
				escaped++;
			if (memchr(line, 0xFF, strlen(line)))
				bad++;
		}
		fclose(f);
	}
	CHECK(fake == 0, "a request forged %d access log line(s)", fake);
	CHECK(escaped == 1, "the odd URL is not logged escaped (%d)", escaped);
	CHECK(bad == 0, "raw 0xFF in the access log");
}

/* ---- 12: JSON routes want application/json; login refuses other sites ---- */

E2E_TEST(http_json_content_type_and_login_origin)
{
	const char *login = "{\"username\":\"zhangsan\",\"password\":\"" E2E_PW "\"}";
	size_t ll = strlen(login);
	static const char *const bad[] = {"text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded",
					  "multipart/form-data; boundary=x", "application/jsonp"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		resp r = e2e_req_h("POST", "/api/v1/session", NULL, login, ll, bad[i], NULL);
		CHECK(r.status == 415, "login as %s: %ld", bad[i], r.status);
		char *sc = resp_header(&r, "Set-Cookie");
		CHECK(!sc, "login as %s set a cookie: %s", bad[i], sc ? sc : "");
		free(sc);
		resp_free(&r);
	}
	resp r = e2e_req_h("POST", "/api/v1/session", NULL, login, ll, "Application/JSON; charset=utf-8", NULL);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	/* Another site's page posting JSON (a browser sends Origin / Sec-Fetch-Site). */
	const char *evil[] = {"Origin: https://evil.example", NULL};
	r = e2e_req_h("POST", "/api/v1/session", NULL, login, ll, "application/json", evil);
	CHECK_STATUS(r, 403);
	char *sc = resp_header(&r, "Set-Cookie");
	CHECK(!sc, "cross-site login set a cookie");
	free(sc);
	resp_free(&r);
	const char *fetch_site[] = {"Sec-Fetch-Site: cross-site", NULL};
	r = e2e_req_h("POST", "/api/v1/session", NULL, login, ll, "application/json", fetch_site);
	CHECK_STATUS(r, 403);
	resp_free(&r);
	const char *null_origin[] = {"Origin: null", NULL};
	r = e2e_req_h("POST", "/api/v1/session", NULL, login, ll, "application/json", null_origin);
	CHECK_STATUS(r, 403);
	resp_free(&r);
	/* The site's own page: same Origin as Host, Sec-Fetch-Site same-origin. */
	char own[128];
	snprintf(own, sizeof own, "Origin: %s", e2e_base);
	const char *same[] = {own, "Sec-Fetch-Site: same-origin", NULL};
	r = e2e_req_h("POST", "/api/v1/session", NULL, login, ll, "application/json", same);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	/* Every JSON route, not only login. */
	char *tok = e2e_login("admin", E2E_PW);
	r = e2e_req_h("POST", "/api/v1/test/clock", tok, "{\"advance_s\":1}", 15, "text/plain", NULL);
	CHECK_STATUS(r, 415);
	check_json_error(&r, "clock as text/plain");
	resp_free(&r);
	r = e2e_req_h("POST", "/api/v1/test/clock", tok, "{\"advance_s\":1}", 15, "application/json", NULL);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	free(tok);
}

/* ---- 16: paging values never overflow ---- */

E2E_TEST(http_paging_clamped)
{
	char *tok = e2e_login("admin", E2E_PW);
	static const char *const pages[] = {"999999999999999999", "9223372036854775807", "99999999999999999999999",
					    "-1", "-9223372036854775808", "0", "abc", "1e9", "", "2%00"};
	for (size_t i = 0; i < sizeof pages / sizeof *pages; i++) {
		char path[256];
		snprintf(path, sizeof path, "/api/v1/users?page=%s", pages[i]);
		resp r = e2e_req("GET", path, tok, NULL, NULL);
		CHECK(r.status == 200, "%s: %ld", path, r.status);
		json_t *u = r.json ? json_object_get(r.json, "users") : NULL;
		CHECK(json_is_array(u), "%s: no users array", path);
		resp_free(&r);
		snprintf(path, sizeof path, "/api/v1/courses?page=%s&per_page=%s", pages[i], pages[i]);
		r = e2e_req("GET", path, tok, NULL, NULL);
		CHECK(r.status == 200, "%s: %ld", path, r.status);
		long long pg = jint(r.json, "page"), pp = jint(r.json, "per_page");
		CHECK(pg >= 1 && pg <= 100000, "%s: page %lld", path, pg);
		CHECK(pp >= 1 && pp <= 50, "%s: per_page %lld", path, pp);
		resp_free(&r);
	}
	/* Garbage and negatives give page 1; huge pages are clamped (an empty page, not page 1). */
	resp r = e2e_req("GET", "/api/v1/courses?page=-3&per_page=abc", tok, NULL, NULL);
	CHECK(jint(r.json, "page") == 1, "page -3 → %lld", jint(r.json, "page"));
	resp_free(&r);
	r = e2e_req("GET", "/api/v1/courses?page=999999999999999999", tok, NULL, NULL);
	CHECK(jint(r.json, "page") == 100000, "huge page → %lld", jint(r.json, "page"));
	json_t *c = r.json ? json_object_get(r.json, "courses") : NULL;
	CHECK(json_is_array(c) && json_array_size(c) == 0, "a huge page is not empty");
	resp_free(&r);
	r = e2e_req("GET", "/api/v1/users?page=999999999999999999", tok, NULL, NULL);
	c = r.json ? json_object_get(r.json, "users") : NULL;
	CHECK(json_is_array(c) && json_array_size(c) == 0, "users: a huge page is not empty");
	resp_free(&r);
	r = e2e_req("GET", "/api/v1/users?page=1", tok, NULL, NULL);
	c = r.json ? json_object_get(r.json, "users") : NULL;
	CHECK(json_is_array(c) && json_array_size(c) > 0, "users page 1 is empty");
	resp_free(&r);
	/* The browser pages that page. */
	r = e2e_req("GET", "/?page=999999999999999999&per_page=-7", tok, NULL, NULL);
	CHECK(r.status == 200 || r.status == 303, "home page with a huge page: %ld", r.status);
	resp_free(&r);
	free(tok);
	CHECK(server_alive(), "server died after paging values");
}

/* ---- 18: browser routes answer HTML error pages ---- */

static void check_html_error(resp *r, long want, const char *what, int nav)
{
	CHECK(r->status == want, "%s: %ld (want %ld)", what, r->status, want);
	char *ct = resp_header(r, "Content-Type"), *csp = resp_header(r, "Content-Security-Policy"),
	     *nos = resp_header(r, "X-Content-Type-Options"), *xfo = resp_header(r, "X-Frame-Options");
	CHECK(ct && !strncmp(ct, "text/html", 9), "%s: content type %s", what, ct ? ct : "-");
	CHECK(csp && nos && xfo, "%s: security headers missing", what);
	CHECK(r->body && strstr(r->body, "<!DOCTYPE html>") && strstr(r->body, "lang=\"zh-CN\""), "%s: not a page", what);
	CHECK(r->body && !strstr(r->body, "{\"error\""), "%s: raw JSON in the page", what);
	CHECK(r->body && strstr(r->body, "href=\"/\""), "%s: no link home", what);
	if (nav)
		CHECK(r->body && strstr(r->body, "<nav class=\"nav\">") && strstr(r->body, "id=\"logout\""),
		      "%s: no navigation", what);
	free(ct), free(csp), free(nos), free(xfo);
}

E2E_TEST(http_browser_routes_answer_html_errors)
{
	resp r = e2e_req("GET", "/nope", NULL, NULL, NULL);
	check_html_error(&r, 404, "anonymous /nope", 0);
	CHECK(r.body && strstr(r.body, "href=\"/login\""), "anonymous error page without a login link");
	resp_free(&r);
	char *tok = e2e_login("zhangsan", E2E_PW);
	char cookie[256];
	snprintf(cookie, sizeof cookie, "Cookie: dx_session=%s", tok);
	const char *ck[] = {cookie, NULL};
	r = e2e_req_h("GET", "/nope", NULL, NULL, 0, NULL, ck);
	check_html_error(&r, 404, "member /nope", 1);
	resp_free(&r);
	r = e2e_req_h("GET", "/courses/abc", NULL, NULL, 0, NULL, ck);
	check_html_error(&r, 404, "member /courses/abc", 1);
	resp_free(&r);
	r = e2e_req_h("GET", "/admin", NULL, NULL, 0, NULL, ck);
	check_html_error(&r, 403, "member /admin", 1);
	resp_free(&r);
	r = e2e_req_h("DELETE", "/admin", NULL, NULL, 0, NULL, ck);
	check_html_error(&r, 405, "DELETE /admin", 1);
	char *allow = resp_header(&r, "Allow");
	CHECK(allow && strstr(allow, "GET"), "405 without Allow");
	free(allow);
	resp_free(&r);
	r = e2e_req_h("GET", "/%FF%FE", NULL, NULL, 0, NULL, ck);
	check_html_error(&r, 404, "member /%FF", 1);
	resp_free(&r);
	/* The API and media keep JSON errors. */
	r = e2e_req("GET", "/api/v1/nope", tok, NULL, NULL);
	CHECK_STATUS(r, 404);
	check_json_error(&r, "/api/v1/nope");
	resp_free(&r);
	r = e2e_req("GET", "/api/v1/users", tok, NULL, NULL);
	CHECK_STATUS(r, 403);
	check_json_error(&r, "member /api/v1/users");
	resp_free(&r);
	r = e2e_req("GET", "/media/999999/master.m3u8", tok, NULL, NULL);
	CHECK(r.status >= 400 && r.json, "media error is not JSON: %ld %.100s", r.status, r.body ? r.body : "");
	resp_free(&r);
	free(tok);
}

/* ---- 19: precompressed, fingerprinted static assets ---- */

static char *write_body(const resp *r, const char *name)
{
	char *p = malloc(600);
	snprintf(p, 600, "%s/%s", e2e_tmp, name);
	FILE *f = fopen(p, "wb");
	if (f) {
		fwrite(r->body ? r->body : "", 1, r->len, f);
		fclose(f);
	}
	return p;
}

E2E_TEST(http_static_precompressed)
{
	const char *gz[] = {"Accept-Encoding: gzip, deflate", NULL};
	const char *br[] = {"Accept-Encoding: gzip, deflate, br", NULL};
	const char *nobr[] = {"Accept-Encoding: br;q=0, gzip", NULL};
	resp plain = e2e_req("GET", "/static/vendor/hls.min.js", NULL, NULL, NULL);
	CHECK_STATUS(plain, 200);
	char *ce = resp_header(&plain, "Content-Encoding"), *vary = resp_header(&plain, "Vary");
	CHECK(!ce, "no Accept-Encoding but Content-Encoding %s", ce);
	CHECK(vary && strstr(vary, "Accept-Encoding"), "no Vary");
	free(ce), free(vary);
	char *pp = write_body(&plain, "hls.plain");
	resp r = e2e_req_h("GET", "/static/vendor/hls.min.js", NULL, NULL, 0, NULL, gz);
	CHECK_STATUS(r, 200);
	ce = resp_header(&r, "Content-Encoding");
	vary = resp_header(&r, "Vary");
	char *nos = resp_header(&r, "X-Content-Type-Options"), *ct = resp_header(&r, "Content-Type");
	CHECK(ce && !strcmp(ce, "gzip"), "gzip not served: %s", ce ? ce : "-");
	CHECK(vary && strstr(vary, "Accept-Encoding"), "gzip: no Vary");
	CHECK(nos != NULL, "gzip: no security headers");
	CHECK(ct && !strncmp(ct, "text/javascript", 15), "gzip: content type %s", ct ? ct : "-");
	CHECK(r.len < plain.len / 2, "gzip: %zu bytes of %zu", r.len, plain.len);
	char *gp = write_body(&r, "hls.gz");
	CHECK(e2e_sh("gzip -dc %s | cmp -s - %s", gp, pp) == 0, "gzip body is not the file");
	printf("    hls.min.js: %zu bytes plain, %zu gzip", plain.len, r.len);
	free(ce), free(vary), free(nos), free(ct);
	resp_free(&r);
	if (access("web/vendor/hls.min.js.br", R_OK) == 0) {
		r = e2e_req_h("GET", "/static/vendor/hls.min.js", NULL, NULL, 0, NULL, br);
		ce = resp_header(&r, "Content-Encoding");
		CHECK(ce && !strcmp(ce, "br"), "br not served: %s", ce ? ce : "-");
		printf(", %zu brotli", r.len);
		char *bp = write_body(&r, "hls.br");
		CHECK(e2e_sh("brotli -dc %s | cmp -s - %s", bp, pp) == 0, "br body is not the file");
		free(bp), free(ce);
		resp_free(&r);
		r = e2e_req_h("GET", "/static/vendor/hls.min.js", NULL, NULL, 0, NULL, nobr);
		ce = resp_header(&r, "Content-Encoding");
		CHECK(ce && !strcmp(ce, "gzip"), "br;q=0 still got %s", ce ? ce : "-");
		free(ce);
		resp_free(&r);
	}
	printf("\n");
	/* A range is of the plain file, never of a compressed variant. */
	const char *rg[] = {"Accept-Encoding: gzip, br", "Range: bytes=100-199", NULL};
	r = e2e_req_h("GET", "/static/vendor/hls.min.js", NULL, NULL, 0, NULL, rg);
	CHECK_STATUS(r, 206);
	ce = resp_header(&r, "Content-Encoding");
	CHECK(!ce, "range with Content-Encoding %s", ce);
	CHECK(r.len == 100 && plain.len > 200 && !memcmp(r.body, plain.body + 100, 100), "range bytes wrong");
	free(ce);
	resp_free(&r);
	/* Images and other binary files are sent as they are. */
	r = e2e_req_h("GET", "/static/css/app.css", NULL, NULL, 0, NULL, gz);
	CHECK_STATUS(r, 200);
	ce = resp_header(&r, "Content-Encoding");
	CHECK(ce && !strcmp(ce, "gzip"), "app.css not gzip");
	free(ce);
	resp_free(&r);
	resp_free(&plain);
	free(pp), free(gp);
}

E2E_TEST(http_static_fingerprinted_urls)
{
	resp r = e2e_req("GET", "/login", NULL, NULL, NULL);
	CHECK_STATUS(r, 200);
	const char *js = r.body ? strstr(r.body, "/static/js/app.js?v=") : NULL;
	const char *css = r.body ? strstr(r.body, "/static/css/app.css?v=") : NULL;
	CHECK(js && css, "the page does not reference fingerprinted assets");
	char url[128] = "";
	if (js)
		sscanf(js, "%127[^\"]", url);
	resp_free(&r);
	if (!*url)
		return;
	const char *gz[] = {"Accept-Encoding: gzip", NULL};
	r = e2e_req_h("GET", url, NULL, NULL, 0, NULL, gz);
	CHECK_STATUS(r, 200);
	char *cc = resp_header(&r, "Cache-Control"), *ce = resp_header(&r, "Content-Encoding");
	CHECK(cc && strstr(cc, "max-age=31536000") && strstr(cc, "immutable"), "fingerprinted: %s", cc ? cc : "-");
	CHECK(ce && !strcmp(ce, "gzip"), "fingerprinted not gzip");
	free(cc), free(ce);
	resp_free(&r);
	/* The plain name, or an old fingerprint, is revalidated soon. */
	r = e2e_req("GET", "/static/js/app.js?v=0000000000000000", NULL, NULL, NULL);
	CHECK_STATUS(r, 200);
	cc = resp_header(&r, "Cache-Control");
	CHECK(cc && !strstr(cc, "immutable"), "stale fingerprint cached for long: %s", cc ? cc : "-");
	free(cc);
	resp_free(&r);
	/* A changed file gets a new URL: a copy of the web root with app.js changed. */
	char web[600];
	snprintf(web, sizeof web, "%s/web-copy", e2e_tmp);
	CHECK(e2e_sh("cp -r web %s && echo '/* changed */' >> %s/js/app.js", web, web) == 0, "copy web");
	char args[800];
	snprintf(args, sizeof args, "--web %s", web);
	CHECK(side_start(args) == 0, "a server with a copied web root");
	r = e2e_req("GET", "/login", NULL, NULL, NULL);
	js = r.body ? strstr(r.body, "/static/js/app.js?v=") : NULL;
	char url2[128] = "";
	if (js)
		sscanf(js, "%127[^\"]", url2);
	CHECK(*url2 && strcmp(url, url2), "changed app.js kept its URL %s", url2);
	resp_free(&r);
	/* The copy's app.js.gz is now older than app.js: not served. */
	r = e2e_req_h("GET", url2, NULL, NULL, 0, NULL, gz);
	CHECK_STATUS(r, 200);
	ce = resp_header(&r, "Content-Encoding");
	CHECK(!ce, "a stale .gz was served for a changed file");
	CHECK(r.body && strstr(r.body, "/* changed */"), "not the changed file");
	free(ce);
	resp_free(&r);
	side_stop();
}

/* ---- 2: slow clients do not hold connections ---- */

E2E_TEST(http_slow_clients_deadlines)
{
	CHECK(side_start("--set max_conns=16 --set per_ip_conns=4 --set head_timeout_s=2 --set body_stall_s=2 "
			"--set body_stall_bytes=64 --set conn_timeout_s=60") == 0,
	      "start with low limits");
	/* Four slow heads from one address: the cap of that address (after the start-up health checks'
	   connections are gone). */
	usleep(500 * 1000);
	int slow[4];
	double t0 = now_s();
	for (int i = 0; i < 4; i++) {
		slow[i] = raw_connect("127.0.0.1");
		CHECK(slow[i] >= 0, "slow connect %d", i);
		if (slow[i] >= 0)
			raw_send(slow[i], "GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Slow: ", 47);
	}
	usleep(300 * 1000);
	for (int i = 0; i < 4; i++)
		CHECK(slow[i] >= 0 && !raw_closed(slow[i], 0), "slow connection %d refused", i);
	/* A fifth from the same address is refused at once. */
	int fifth = raw_connect("127.0.0.1");
	CHECK(fifth < 0 || raw_closed(fifth, 1500), "a fifth connection from one address was kept");
	if (fifth >= 0)
		close(fifth);
	/* Another address is served meanwhile. */
	int other = raw_connect("127.0.0.2");
	CHECK(other >= 0, "connect from 127.0.0.2");
	if (other >= 0) {
		char out[4096];
		const char req[] = "GET /api/v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
		CHECK(raw_exchange(other, req, sizeof req - 1, out, sizeof out) == 200, "other address not served: %.80s",
		      out);
		close(other);
	}
	/* A slow body: the head at once, then one byte every 300 ms of a 1000-byte body. */
	int body = raw_connect("127.0.0.3");
	const char bh[] = "POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
			  "Content-Length: 1000\r\n\r\n";
	if (body >= 0)
		raw_send(body, bh, sizeof bh - 1);
	/* Drip a header byte every 300 ms (each well inside the 60 s idle timeout) until closed. */
	double closed_at[5] = {0};
	int fds[5] = {slow[0], slow[1], slow[2], slow[3], body};
	while (now_s() - t0 < 6) {
		int open_n = 0;
		for (int i = 0; i < 5; i++) {
			if (fds[i] < 0 || closed_at[i] > 0)
				continue;
			if (raw_closed(fds[i], 0)) {
				closed_at[i] = now_s() - t0;
				continue;
			}
			raw_send(fds[i], i < 4 ? "a" : " ", 1);
			open_n++;
		}
		if (!open_n)
			break;
		usleep(300 * 1000);
	}
	for (int i = 0; i < 5; i++) {
		CHECK(closed_at[i] > 0, "%s connection %d still open after 6 s", i < 4 ? "slow-head" : "slow-body", i);
		CHECK(closed_at[i] == 0 || closed_at[i] > 1.5, "connection %d closed too early (%.1f s)", i, closed_at[i]);
		if (fds[i] >= 0)
			close(fds[i]);
	}
	printf("    closed after %.1f %.1f %.1f %.1f s (head), %.1f s (body)\n", closed_at[0], closed_at[1],
	       closed_at[2], closed_at[3], closed_at[4]);
	/* The address's slots are free again. */
	int again = raw_connect("127.0.0.1");
	CHECK(again >= 0, "connect again");
	if (again >= 0) {
		char out[4096];
		const char req[] = "GET /api/v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
		CHECK(raw_exchange(again, req, sizeof req - 1, out, sizeof out) == 200, "not served after the deadline");
		close(again);
	}
	/* An ordinary client keeps working (keep-alive requests in a row). */
	CHECK(server_alive(), "server not answering");
	side_stop();
}
