/* e2e.h — end-to-end test harness: starts the real server on a free port with a temporary data
 * folder and the test clock, drives it over HTTP with libcurl, counts checks.
 *
 *   E2E_TEST(login_works) {
 *       char *tok = e2e_login("admin", E2E_PW);
 *       resp r = e2e_req("GET", "/api/v1/me", tok, NULL, NULL);
 *       CHECK_STATUS(r, 200);
 *       CHECK(!strcmp(jstr(r.json, "username"), "admin"), "username is %s", jstr(r.json, "username"));
 *       resp_free(&r); free(tok);
 *   }
 *
 * Tests run in file order of registration, all against one server started by main (the seeded
 * demo academy: users admin, teacher, assessor, zhangsan, lisi, wangwu, zhaoliu; password E2E_PW).
 * A test that needs a fresh server may call e2e_restart().
 *
 * What fails a test besides its CHECKs (docs/dev.md):
 * - a request that gets no HTTP answer (curl error: refused, reset, timeout): status -1 and a failed
 *   check naming the curl error, unless the test set e2e_transport_failure_ok = 1 (reset after it);
 * - the server ending during the test, a stop (SIGTERM) whose exit status is not 0, and any
 *   sanitizer report ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:") in the
 *   server's output, which goes to DATA/server-N.log, one file per start. After e2e_kill9() the exit
 *   status is not judged, the report still is. The final shutdown is checked as "server_shutdown".
 */
#ifndef DX_E2E_H
#define DX_E2E_H
#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define E2E_PW "dangxiao2026"

typedef struct resp {
	long status;     /* the HTTP status; -1 when no answer came (see e2e_transport_failure_ok) */
	char *body;
	size_t len;
	char *headers;   /* raw response headers */
	json_t *json;    /* parsed when the body is JSON, else NULL */
} resp;

/* Set to 1 by a test that expects requests to fail below HTTP (it is reset after each test). */
extern int e2e_transport_failure_ok;

typedef void (*e2e_fn)(void);
void e2e_register(const char *name, e2e_fn fn, const char *file);
#define E2E_TEST(name)                                                      \
	static void e2e_##name(void);                                       \
	__attribute__((constructor)) static void e2e_reg_##name(void)       \
	{                                                                   \
		e2e_register(#name, e2e_##name, __FILE__);                  \
	}                                                                   \
	static void e2e_##name(void)

/* Counting assertions: a failed check is reported with file:line and the test goes on. */
void e2e_check(int ok, const char *file, int line, const char *expr, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
#define CHECK(cond, ...) e2e_check(!!(cond), __FILE__, __LINE__, #cond, __VA_ARGS__)
#define CHECK_STATUS(r, want)                                                                      \
	e2e_check((r).status == (want), __FILE__, __LINE__, "status", "expected %d, got %ld: %.300s", \
		  (int)(want), (r).status, (r).body ? (r).body : "")

/* The server under test. */
extern char e2e_base[64];     /* "http://127.0.0.1:PORT" */
extern char e2e_data[512];    /* its data folder */
extern char e2e_log[700];     /* its stdout + stderr: DATA/server-N.log, a new file per start */
int e2e_start(const char *extra_args);
void e2e_stop(void);
void e2e_kill9(void);         /* SIGKILL, for durability tests; then e2e_start_again() */
int e2e_start_again(void);    /* same data folder */
int e2e_restart(void);        /* stop + start again on the same data folder */

/* HTTP. token may be NULL. body may be NULL; ctype NULL → application/json when body given.
   extra_headers: NULL or a NULL-terminated list of "Name: value". */
resp e2e_req(const char *method, const char *path, const char *token, const char *body, const char *ctype);
resp e2e_req_h(const char *method, const char *path, const char *token, const char *body, size_t body_len,
	       const char *ctype, const char *const *extra_headers);
/* The same with options: the client's source address (another "client" on 127.0.0.0/8), the path
   sent exactly as given (no dot-segment squashing, for traversal tests), a longer timeout. */
typedef struct e2e_opts {
	const char *from;  /* source address, e.g. "127.0.0.2"; NULL: the default */
	int path_as_is;
	long timeout_s;    /* 0: 120 s */
} e2e_opts;
resp e2e_req_opts(const e2e_opts *o, const char *method, const char *path, const char *token, const char *body,
		  size_t body_len, const char *ctype, const char *const *extra_headers);
/* Cookie-authenticated request (sends dx_session cookie, and X-CSRF-Token when csrf != NULL). */
resp e2e_req_cookie(const char *method, const char *path, const char *cookie_token, const char *csrf,
		    const char *body);
void resp_free(resp *r);
/* Value of a response header (malloc'd) or NULL. */
char *resp_header(const resp *r, const char *name);
/* Logs in; returns the token (malloc'd) or NULL. csrf_out may be NULL (else malloc'd csrf). */
char *e2e_login(const char *username, const char *password);
char *e2e_login_csrf(const char *username, const char *password, char **csrf_out);
/* A CSV member import as the admin page does it: the preview, then the confirmation with the
   preview's digest (query: NULL or extra arguments such as "allow_role_changes=1"). Returns the
   confirmation's answer, or the preview's when that was not a 200. Long timeout (imports hash). */
resp e2e_import(const char *token, const char *csv, size_t len, const char *query);
/* Moves the server's test clock. */
void e2e_clock_advance(double seconds);
void e2e_clock_set(const char *iso);
/* The same, at t seconds since the epoch (UTC). */
void e2e_clock_set_at(double t);

/* JSON helpers that tolerate NULL. */
const char *jstr(json_t *j, const char *key);
long long jint(json_t *j, const char *key);
double jnum(json_t *j, const char *key);
/* Runs a shell command; returns its exit status. */
int e2e_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Runs a shell command; its standard output (malloc'd, trailing newlines removed; "" on failure). */
char *e2e_sh_out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Runs SQL (printf-style; no double quotes) on the server's database with the sqlite3 CLI (WAL lets
   it read and write beside the server): the first column of the first row as a number, or -1. */
double e2e_sql(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Reads one HTTP request (headers and a Content-Length body) from a socket into buf (NUL-ended);
   returns its body (inside buf), or NULL when the headers never ended. For local receivers. */
char *e2e_read_request(int fd, char *buf, size_t cap);
/* A temporary folder for the test run (created by main). */
extern char e2e_tmp[256];

/* Publishing (issue 12) needs a lecture with a served video and credit hours above 0; members see
   only lectures with a served video. e2e_ready_lecture gives a course that through the database
   (no media files are written): the lecture given (0: a new one "就绪讲座" at the end) becomes
   ready with media version 1 and dur seconds, and the course gets 1 credit hour when it has none.
   Returns the lecture's id (-1 on failure). */
long long e2e_ready_lecture(long long course, long long lecture, double dur);
/* POST /api/v1/courses/{course}/publish as token, after e2e_ready_lecture(course, 0, 20) when the
   course has no ready lecture yet. The answer (resp_free it). */
resp e2e_publish(const char *token, long long course);
#endif
