/* http.h — the HTTP core: requests, the route table and its guard, replies, static files.
 *
 * A module declares its routes in a table next to its handlers:
 *
 *   const route course_routes[] = {
 *       {.method = "PATCH", .pattern = "/api/v1/courses/{id}", .fn = course_patch,
 *        .roles = R_STAFF, .flags = RF_JSON, .res = &course_edit},
 *       ROUTES_END
 *   };
 *
 * and lists the table in its module descriptor (server/module.h). Before any handler runs, one
 * guard checks the session (cookie or Bearer), the role, the CSRF token of cookie-authenticated
 * changes and the body limit; then, when the route names a resource kind, it loads the resource
 * with that kind's one access rule, answers 404 or 403 itself, and leaves the row in r->res; then
 * it parses a JSON body. Handlers answer with exactly one reply_* call and never re-check access.
 */
#ifndef DX_HTTP_H
#define DX_HTTP_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util.h"

struct MHD_Connection;

enum {
	ROLE_MEMBER = 1,
	ROLE_INSTRUCTOR = 2,
	ROLE_ASSESSOR = 4,
	ROLE_ADMIN = 8,
};
#define R_PUBLIC 0u                 /* anyone, logged in or not */
#define R_ANY 15u                   /* any logged-in user */
#define R_STAFF (ROLE_INSTRUCTOR | ROLE_ADMIN)
#define R_ASSESS (ROLE_ASSESSOR | ROLE_ADMIN)

/* Route flags. */
#define RF_PAGE 1u    /* an HTML page: not logged in → 303 to /login */
#define RF_JSON 2u    /* body must be a JSON object (400 otherwise); available as r->json */
#define RF_STREAM 4u  /* body is handed to route.on_body in chunks, never held in memory */
#define RF_NOCSRF 8u  /* no CSRF check (login itself, tus with Bearer) */
#define RF_RAWBODY 16u /* body kept as bytes in r->body (CSV, images) */
#define RF_NOSESSION 32u /* public and never needs the user: skip the session lookup (static files) */
#define RF_SAMEORIGIN 64u /* refused (403) when Origin / Sec-Fetch-Site show another site (login) */

typedef struct user {
	int64_t id;
	const char *username, *name, *role_name, *org_path, *csrf;
	int role;
	int64_t org_id;
	int must_change_pw; /* a reset password: only the account's own routes until it is changed */
} user;

typedef struct req req;
typedef int (*handler_fn)(req *r);
/* Receives each chunk of a streamed body; returns 0, or -1 after a reply_error (the rest of the
   body is then discarded and the error is sent). It is first called with an empty chunk ("", 0)
   before the body is read: an error replied then is sent at once, and the body is never read. */
typedef int (*stream_fn)(req *r, const char *data, size_t len);
/* Called once when the request ends (completed or aborted); r->aborted tells which. */
typedef void (*close_fn)(req *r);

/* A kind of resource routes act on ("a course to edit", "an upload of mine"), declared by the
   module that owns the table it lives in, with its ONE access rule. The 404-vs-403 policy
   (docs/dev.md): 404 when the resource does not exist or the caller may not know that it exists
   (a draft course to anyone but its editors); 403 when the caller may know it but not do this
   (another instructor's published course to edit, a lecture of a course one is not enrolled in). */
typedef struct resource_kind {
	const char *name;        /* "course_edit": shown by `dangxiao routes`, used by the authz test */
	/* Loads resource `id` (the route's first {id}; with route.res_arg, that query argument, 0 when
	   absent; with neither, 0 and the loader reads r->params) for r->u. Returns 0 with *out set
	   (arena memory or a static), 404, 403, or 500 on a database error; or -1 after answering a
	   refusal itself (one with its own code, as lecture_study's preview_only). */
	int (*load)(req *r, int64_t id, void **out);
	const char *missing;     /* i18n key of the 404 message */
	const char *forbidden;   /* i18n key of the 403 message */
	const char *forbidden_code; /* error code of the 403; NULL → "forbidden" */
} resource_kind;

typedef struct route {
	const char *method;
	const char *pattern; /* segments: literal, "{id}" (positive integer), "{name}" (any), "*" (rest) */
	handler_fn fn;
	unsigned roles;      /* bitmask of ROLE_*; R_PUBLIC for anyone */
	unsigned flags;
	size_t body_max;     /* 0 → 64 KiB default */
	stream_fn on_body;
	close_fn on_close;
	const resource_kind *res; /* loaded by the guard into r->res; NULL for none */
	const char *res_arg;      /* the resource's id is this query argument instead of {id} */
} route;
#define ROUTES_END {.method = NULL}

struct hdr {
	const char *name, *value;
	struct hdr *next;
};


struct req {
	struct MHD_Connection *conn;
	arena *a;
	const char *method, *url;
	int is_head;
	const route *rt;
	int64_t ids[4];
	int nids;
	const char *params[4];
	int nparams;
	const char *rest;        /* what "*" matched */
	user *u;                 /* NULL when anonymous */
	void *res;               /* the route's resource, loaded by the guard (route.res) */
	int by_cookie;           /* authenticated by cookie (so changes need CSRF) */
	char *session_hash;
	/* body */
	buf body;
	uint64_t body_seen;
	json_t *json;
	void *ctx;               /* a streaming handler's state */
	int aborted;
	/* reply */
	int done;
	int status;
	const char *ctype;
	char *out;               /* malloc'd body */
	size_t out_len;
	int fd;                  /* file reply: fd, offset, length */
	uint64_t f_off, f_len;
	struct hdr *hdrs;
	double t0;
	const char *page;        /* the page name given to page_begin */
	int suspended;           /* req_suspend()ed: the reply comes from another thread */
	/* streamed reply (reply_stream): produced as it is sent */
	long (*s_fill)(void *ctx, char *out, size_t max);
	void (*s_done)(void *ctx);
	void *s_ctx;
};

/* Starts the server (blocks until SIGTERM/SIGINT). 0 on clean shutdown, -1 on failure. */
typedef struct http_opts {
	const char *listen;      /* HOST:PORT */
	const char *web_root;    /* folder with static files */
	const char *access_log;  /* path or NULL for none */
	int threads;             /* 0 → number of cores */
	int max_conns;
	int conn_timeout_s;
	int conn_memory_kb;
	int secure_cookie;
	int per_ip_conns;        /* connections from one client address; 0 → no cap */
	int head_timeout_s;      /* the whole request head within this (from connect or last reply) */
	int body_stall_s;        /* a body must advance by body_stall_bytes in each such window */
	int body_stall_bytes;
} http_opts;
int http_serve(const http_opts *o, void (*on_ready)(void));

/* Request accessors. */
const char *req_header(req *r, const char *name);
const char *req_arg(req *r, const char *name);
int64_t req_id(req *r, int i);
/* The one paging rule of every list: ?page= (1..PAGE_MAX, default 1) and ?per_page= (1..max_per,
   default default_per); garbage, zero, negative and huge values are clamped, never an error.
   Returns the row offset (no overflow). page/per_page may be NULL. */
int64_t req_page(req *r, int64_t default_per, int64_t max_per, int64_t *page, int64_t *per_page);
/* Role name ↔ bit. */
int role_from_name(const char *name);
const char *role_name(int role);
/* Loads resource `id` of `kind` as the guard does; on refusal replies (404/403/500, as JSON or as
   an HTML page for RF_PAGE routes) and returns -1, else 0 with *out set. For handlers whose id
   is not in the URL (tus: a header), so that the rule still exists once. */
int res_load_or_reply(req *r, const resource_kind *kind, int64_t id, void **out);

/* Replies; each returns 0. reply_json answers a static 500 (and logs) when j is NULL or cannot be
   encoded (text that is not UTF-8): it never stops the server. reply_error's message may quote
   request text: it is made valid UTF-8 (U+FFFD) and bounded; on browser routes (RF_PAGE, or no
   route outside /api/, /media/, /static/) the error is an HTML page with the navigation. */
int reply_json(req *r, int status, json_t *j);         /* steals j */
int reply_error(req *r, int status, const char *code, const char *fmt, ...) DX_PRINTF(4, 5);
int reply_empty(req *r, int status);
int reply_buf(req *r, int status, const char *ctype, buf *b); /* steals b's storage */
int reply_redirect(req *r, const char *location);
/* A Range header against a representation of size bytes: RANGE_OK with *off and *len (one range,
   clamped to the end), RANGE_UNSATISFIABLE (416), or RANGE_IGNORE (absent, not "bytes=", several
   ranges, or malformed: serve the whole file). Pure (tests/unit, tests/fuzz). */
enum { RANGE_IGNORE = 0, RANGE_OK = 1, RANGE_UNSATISFIABLE = 2 };
int range_parse(const char *hdr, uint64_t size, uint64_t *off, uint64_t *len);
/* Serves a file with sendfile, ETag/If-None-Match, single Range (206/416). */
int reply_file(req *r, const char *path, const char *ctype, const char *cache_control);
/* A body produced while it is sent (an export of any size in constant memory), with chunked
   encoding (length unknown). fill(ctx, out, max) copies up to max bytes to out and returns the
   count (> 0), 0 at the end, or -1 on an error (the connection is then closed, so the client sees
   a truncated body, never a complete-looking one). It runs on the connection's HTTP thread
   whenever the socket can take more, so each call must be short (a chunk of rows, no waiting); it
   may use the database (that thread's connection) but must not hold a statement between calls.
   done(ctx) (may be NULL) runs exactly once: when the reply is finished or abandoned (client gone,
   shutdown), or replaced by reply_reset, also when it was never sent. */
int reply_stream(req *r, int status, const char *ctype, long (*fill)(void *ctx, char *out, size_t max),
		 void (*done)(void *ctx), void *ctx);
void reply_header(req *r, const char *name, const char *value);
/* A file under the web root (rel = "js/app.js", already checked for traversal): the brotli or gzip
   variant (rel.br / rel.gz, when as new as the file) if the client accepts it and asked for no
   range, with Vary: Accept-Encoding; a year of caching when ?v= is the file's fingerprint. */
int reply_static(req *r, const char *rel);
/* "/static/REL?v=HASH", the fingerprinted URL of an asset found at start-up, or NULL. */
const char *static_url(const char *rel);
/* Forgets a reply already set (body, headers, file) so that another reply_* can replace it. */
void reply_reset(req *r);

/* Deferred replies. A handler calls req_suspend() instead of replying, and hands r to another
   thread; that thread sets the reply with reply_* and then calls req_resume(r) (always exactly
   once), after which the reply is sent. While suspended the connection is neither read nor timed
   out, and r stays valid. req_suspend returns 0, or -1 when the server is shutting down (then
   nothing was suspended and the handler must reply itself). */
int req_suspend(req *r);
void req_resume(req *r);
/* 1 once shutdown has begun: long work for a suspended request should stop and answer 503. */
int http_stopping(void);
/* Content type of a file name by its extension. */
const char *mime_of(const char *path);

/* JSON body fields, validated; on failure they reply 422 (or 400) and return -1. A missing optional
   field leaves *out untouched and returns 0; present and valid returns 1. */
int body_str(req *r, const char *key, int required, size_t max_chars, const char **out);
int body_int(req *r, const char *key, int required, int64_t lo, int64_t hi, int64_t *out);
int body_num(req *r, const char *key, int required, double lo, double hi, double *out);
int body_bool(req *r, const char *key, int required, int *out);

/* The guard's parse of a RF_JSON body (r->body → r->json, or a 400/422 reply). Test seam for
   tests/fuzz: needs only r->a, r->url and r->body, no connection. */
void http_parse_json(req *r);

/* Matches url against a route pattern, filling r->ids/params/rest; 1 on match (the router). */
int http_match(req *r, const char *pattern, const char *url);

/* The web root (for page handlers that read templates). */
const char *http_web_root(void);
#endif
