/* http.c — libmicrohttpd glue: routing, the guard before every handler, replies, static files. */
#include "http.h"
#include "auth.h"
#include "clock.h"
#include "db.h"
#include "i18n.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_BODY_MAX (64 * 1024)

static const char *g_web_root = "web";
static FILE *g_access;
static int g_secure_cookie;
static volatile sig_atomic_t g_stop;
/* Deferred replies: how many requests are suspended now, and whether shutdown has begun (then no
   request may be suspended any more, since MHD_stop_daemon must not meet a suspended one). */
static atomic_int g_nsuspended;
static atomic_int g_stopping;

const char *http_web_root(void)
{
	return g_web_root;
}

/* ---- roles and scope ---- */

int role_from_name(const char *n)
{
	if (!n)
		return 0;
	if (!strcmp(n, "member"))
		return ROLE_MEMBER;
	if (!strcmp(n, "instructor"))
		return ROLE_INSTRUCTOR;
	if (!strcmp(n, "assessor"))
		return ROLE_ASSESSOR;
	if (!strcmp(n, "admin"))
		return ROLE_ADMIN;
	return 0;
}

const char *role_name(int role)
{
	switch (role) {
	case ROLE_MEMBER: return "member";
	case ROLE_INSTRUCTOR: return "instructor";
	case ROLE_ASSESSOR: return "assessor";
	case ROLE_ADMIN: return "admin";
	}
	return "?";
}

int org_in_scope(req *r, const char *org_path)
{
	if (!r->u || !org_path)
		return 0;
	if (r->u->role == ROLE_ADMIN)
		return 1;
	return strncmp(org_path, r->u->org_path, strlen(r->u->org_path)) == 0;
}

/* ---- accessors ---- */

const char *req_header(req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *req_arg(req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

int64_t req_id(req *r, int i)
{
	return i < r->nids ? r->ids[i] : 0;
}

/* ---- replies ---- */

void reply_header(req *r, const char *name, const char *value)
{
	struct hdr *h = arena_alloc(r->a, sizeof *h);
	h->name = arena_strdup(r->a, name);
	h->value = arena_strdup(r->a, value);
	h->next = r->hdrs;
	r->hdrs = h;
}

static void set_out(req *r, int status, const char *ctype, char *data, size_t len)
{
	if (r->done) {
		/* A second reply is a bug in the handler; keep the first. */
		free(data);
		return;
	}
	r->done = 1;
	r->status = status;
	r->ctype = ctype;
	r->out = data;
	r->out_len = len;
}

void reply_reset(req *r)
{
	free(r->out);
	r->out = NULL;
	r->out_len = 0;
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
	r->hdrs = NULL; /* arena memory */
	r->ctype = NULL;
	r->status = 0;
	r->done = 0;
}

int reply_json(req *r, int status, json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII * 0);
	json_decref(j);
	if (!s)
		dx_fatal("json_dumps failed");
	set_out(r, status, "application/json; charset=utf-8", s, strlen(s));
	return 0;
}

int reply_error(req *r, int status, const char *code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return reply_json(r, status, json_pack("{s:{s:s,s:s}}", "error", "code", code, "message", msg));
}

int reply_empty(req *r, int status)
{
	set_out(r, status, NULL, NULL, 0);
	return 0;
}

int reply_buf(req *r, int status, const char *ctype, buf *b)
{
	size_t n = b->len;
	set_out(r, status, ctype, buf_steal(b), n);
	return 0;
}

int reply_redirect(req *r, const char *location)
{
	reply_header(r, "Location", location);
	return reply_empty(r, 303);
}

const char *mime_of(const char *path)
{
	static const struct {
		const char *ext, *type;
	} t[] = {
		{".html", "text/html; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
		{".js", "text/javascript; charset=utf-8"}, {".json", "application/json; charset=utf-8"},
		{".png", "image/png"}, {".jpg", "image/jpeg"}, {".jpeg", "image/jpeg"},
		{".webp", "image/webp"}, {".svg", "image/svg+xml"}, {".ico", "image/x-icon"},
		{".m3u8", "application/vnd.apple.mpegurl"}, {".ts", "video/mp2t"},
		{".m4s", "video/iso.segment"}, {".mp4", "video/mp4"}, {".vtt", "text/vtt; charset=utf-8"},
		{".txt", "text/plain; charset=utf-8"}, {".csv", "text/csv; charset=utf-8"},
		{".woff2", "font/woff2"}, {".map", "application/json"},
	};
	const char *dot = strrchr(path, '.');
	if (dot)
		for (size_t i = 0; i < ARRAY_LEN(t); i++)
			if (!strcasecmp(dot, t[i].ext))
				return t[i].type;
	return "application/octet-stream";
}

int reply_file(req *r, const char *path, const char *ctype, const char *cache_control)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		if (fd >= 0)
			close(fd);
		return reply_error(r, 404, "not_found", "%s", tr("err.no_file"));
	}
	char etag[64];
	snprintf(etag, sizeof etag, "\"%llx-%llx\"", (unsigned long long)st.st_size,
		 (unsigned long long)st.st_mtim.tv_sec * 1000 + (unsigned long long)st.st_mtim.tv_nsec / 1000000);
	reply_header(r, "ETag", etag);
	reply_header(r, "Accept-Ranges", "bytes");
	if (cache_control)
		reply_header(r, "Cache-Control", cache_control);
	const char *inm = req_header(r, "If-None-Match");
	if (inm && strstr(inm, etag)) {
		close(fd);
		r->ctype = NULL;
		return reply_empty(r, 304);
	}
	uint64_t size = (uint64_t)st.st_size, off = 0, len = size;
	int status = 200;
	const char *range = req_header(r, "Range");
	const char *ifr = req_header(r, "If-Range");
	if (range && (!ifr || !strcmp(ifr, etag)) && !strncmp(range, "bytes=", 6) && !strchr(range, ',')) {
		const char *s = range + 6;
		char *e;
		unsigned long long a = 0, b = size ? size - 1 : 0;
		int ok = 1;
		if (*s == '-') {
			unsigned long long suf = strtoull(s + 1, &e, 10);
			if (e == s + 1 || *e || suf == 0)
				ok = 0;
			else
				a = suf >= size ? 0 : size - suf;
		} else {
			a = strtoull(s, &e, 10);
			if (e == s || *e != '-')
				ok = 0;
			else if (e[1]) {
				char *e2;
				b = strtoull(e + 1, &e2, 10);
				if (*e2)
					ok = 0;
				if (b >= size)
					b = size ? size - 1 : 0;
			}
		}
		if (ok && (a >= size || a > b)) {
			close(fd);
			char cr[64];
			snprintf(cr, sizeof cr, "bytes */%llu", (unsigned long long)size);
			reply_header(r, "Content-Range", cr);
			return reply_error(r, 416, "range_not_satisfiable", "%s", tr("err.range"));
		}
		if (ok) {
			off = a;
			len = b - a + 1;
			status = 206;
			char cr[96];
			snprintf(cr, sizeof cr, "bytes %llu-%llu/%llu", a, b, (unsigned long long)size);
			reply_header(r, "Content-Range", cr);
		}
	}
	if (r->done) {
		close(fd);
		return 0;
	}
	r->done = 1;
	r->status = status;
	r->ctype = ctype ? ctype : mime_of(path);
	r->fd = fd;
	r->f_off = off;
	r->f_len = len;
	return 0;
}

/* ---- JSON body fields ---- */

static json_t *body_field(req *r, const char *key, int required, int *rc)
{
	*rc = 0;
	json_t *v = r->json ? json_object_get(r->json, key) : NULL;
	if (!v || json_is_null(v)) {
		if (required) {
			reply_error(r, 422, "missing_field", "%s：%s", tr("err.field_required"), key);
			*rc = -1;
		}
		return NULL;
	}
	return v;
}

int body_str(req *r, const char *key, int required, size_t max_chars, const char **out)
{
	int rc;
	json_t *v = body_field(r, key, required, &rc);
	if (!v)
		return rc;
	if (!json_is_string(v))
		return reply_error(r, 422, "invalid_field", "%s：%s", tr("err.field_string"), key), -1;
	const char *s = json_string_value(v);
	if (!utf8_ok(s, json_string_length(v)))
		return reply_error(r, 422, "invalid_utf8", "%s：%s", tr("err.field_utf8"), key), -1;
	if (utf8_chars(s) > max_chars)
		return reply_error(r, 422, "too_long", "%s：%s（%zu）", tr("err.field_too_long"), key, max_chars),
		       -1;
	*out = s;
	return 1;
}

int body_int(req *r, const char *key, int required, int64_t lo, int64_t hi, int64_t *out)
{
	int rc;
	json_t *v = body_field(r, key, required, &rc);
	if (!v)
		return rc;
	if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
		return reply_error(r, 422, "invalid_field", "%s：%s（%lld–%lld）", tr("err.field_integer"), key,
				   (long long)lo, (long long)hi),
		       -1;
	*out = json_integer_value(v);
	return 1;
}

int body_num(req *r, const char *key, int required, double lo, double hi, double *out)
{
	int rc;
	json_t *v = body_field(r, key, required, &rc);
	if (!v)
		return rc;
	if (!json_is_number(v) || !(json_number_value(v) >= lo && json_number_value(v) <= hi))
		return reply_error(r, 422, "invalid_field", "%s：%s（%g–%g）", tr("err.field_number"), key, lo, hi),
		       -1;
	*out = json_number_value(v);
	return 1;
}

int body_bool(req *r, const char *key, int required, int *out)
{
	int rc;
	json_t *v = body_field(r, key, required, &rc);
	if (!v)
		return rc;
	if (!json_is_boolean(v))
		return reply_error(r, 422, "invalid_field", "%s：%s", tr("err.field_bool"), key), -1;
	*out = json_is_true(v);
	return 1;
}

/* ---- routing ---- */

int http_match(req *r, const char *pat, const char *url)
{
	r->nids = r->nparams = 0;
	r->rest = NULL;
	const char *p = pat, *u = url;
	while (*p && *u) {
		if (*p != '/' || *u != '/')
			return 0;
		p++, u++;
		const char *pe = strchr(p, '/'), *ue = strchr(u, '/');
		size_t pl = pe ? (size_t)(pe - p) : strlen(p), ul = ue ? (size_t)(ue - u) : strlen(u);
		if (pl == 1 && *p == '*') {
			if (!ul && !ue)
				return 0;
			r->rest = u;
			return 1;
		}
		if (pl == 4 && !strncmp(p, "{id}", 4)) {
			char tmp[24];
			if (!ul || ul >= sizeof tmp)
				return 0;
			memcpy(tmp, u, ul);
			tmp[ul] = 0;
			int64_t id = parse_id(tmp);
			if (id <= 0 || r->nids >= 4)
				return 0;
			r->ids[r->nids++] = id;
		} else if (pl > 2 && *p == '{') {
			if (!ul || r->nparams >= 4)
				return 0;
			r->params[r->nparams++] = arena_strndup(r->a, u, ul);
		} else if (pl != ul || strncmp(p, u, pl)) {
			return 0;
		}
		p += pl, u += ul;
	}
	return !*p && !*u;
}

static void route_request(req *r)
{
	char allow[128] = "";
	const char *m = r->is_head ? "GET" : r->method;
	for (int t = 0; route_tables[t]; t++) {
		for (const route *rt = route_tables[t]; rt->method; rt++) {
			if (!http_match(r, rt->pattern, r->url))
				continue;
			if (!strcmp(rt->method, m)) {
				r->rt = rt;
				return;
			}
			if (!strstr(allow, rt->method) && strlen(allow) + strlen(rt->method) + 3 < sizeof allow) {
				if (*allow)
					strcat(allow, ", ");
				strcat(allow, rt->method);
			}
		}
	}
	if (*allow) {
		if (strstr(allow, "GET"))
			strcat(allow, ", HEAD");
		reply_header(r, "Allow", allow);
		reply_error(r, 405, "method_not_allowed", "%s（%s → %s）", tr("err.method"), r->method, allow);
	} else if (!strncmp(r->url, "/api/", 5) || !strncmp(r->url, "/media/", 7)) {
		reply_error(r, 404, "not_found", "%s：%s", tr("err.no_endpoint"), r->url);
	} else {
		reply_error(r, 404, "not_found", "%s", tr("err.not_found"));
	}
}

/* The one guard before every handler: session, role, CSRF, declared body size. */
static void guard(req *r)
{
	const route *rt = r->rt;
	const char *tok = NULL;
	const char *authz = req_header(r, "Authorization");
	if (authz && !strncasecmp(authz, "Bearer ", 7)) {
		tok = authz + 7;
	} else {
		tok = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, "dx_session");
		r->by_cookie = tok != NULL;
	}
	if (tok && *tok && !(rt->flags & RF_NOSESSION))
		r->u = session_lookup(r, tok);
	if (!r->u)
		r->by_cookie = 0;
	if (rt->roles != R_PUBLIC && !r->u) {
		if (rt->flags & RF_PAGE) {
			char *loc = arena_printf(r->a, "/login?next=%s", r->url);
			reply_redirect(r, loc);
		} else {
			reply_error(r, 401, "not_logged_in", "%s", tr("err.not_logged_in"));
		}
		return;
	}
	if (rt->roles != R_PUBLIC && !(rt->roles & (unsigned)r->u->role)) {
		reply_error(r, 403, "forbidden", "%s", tr("err.forbidden"));
		return;
	}
	int changes = strcmp(r->method, "GET") && strcmp(r->method, "HEAD") && strcmp(r->method, "OPTIONS");
	if (changes && r->by_cookie && !(rt->flags & RF_NOCSRF)) {
		const char *c = req_header(r, "X-CSRF-Token");
		if (!c || !r->u->csrf || strcmp(c, r->u->csrf)) {
			reply_error(r, 403, "csrf", "%s", tr("err.csrf"));
			return;
		}
	}
	size_t max = rt->body_max ? rt->body_max : DEFAULT_BODY_MAX;
	const char *cl = req_header(r, "Content-Length");
	if (cl && strtoull(cl, NULL, 10) > max && !(rt->flags & RF_STREAM)) {
		reply_error(r, 413, "too_large", "%s（%zu）", tr("err.too_large"), max);
		return;
	}
}

static void parse_json(req *r)
{
	if (!r->body.len) {
		reply_error(r, 400, "malformed", "%s", tr("err.json_required"));
		return;
	}
	if (!utf8_ok(r->body.p, r->body.len)) {
		reply_error(r, 422, "invalid_utf8", "%s", tr("err.body_utf8"));
		return;
	}
	json_error_t e;
	r->json = json_loadb(r->body.p, r->body.len, JSON_REJECT_DUPLICATES, &e);
	if (!r->json || !json_is_object(r->json)) {
		reply_error(r, 400, "malformed", "%s：%s", tr("err.json_malformed"), r->json ? "not an object" : e.text);
		return;
	}
}

/* ---- libmicrohttpd callbacks ---- */

static void add_security_headers(struct MHD_Response *resp, const char *ctype)
{
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	if (ctype && !strncmp(ctype, "text/html", 9))
		MHD_add_response_header(resp, "Content-Security-Policy",
					"default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; "
					"worker-src 'self' blob:; script-src 'self'; style-src 'self'; "
					"connect-src 'self'; object-src 'none'; base-uri 'self'; "
					"form-action 'self'; frame-ancestors 'none'");
}

static enum MHD_Result send_reply(req *r)
{
	struct MHD_Response *resp;
	if (r->fd > 0) {
		/* For HEAD, libmicrohttpd sends the headers (with the real Content-Length) and no body. */
		resp = MHD_create_response_from_fd_at_offset64(r->f_len, r->fd, r->f_off);
		r->fd = -1; /* owned by the response now */
	} else {
		resp = MHD_create_response_from_buffer(r->out_len, r->out ? r->out : "",
						       r->out ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
		r->out = NULL;
	}
	if (!resp)
		return MHD_NO;
	if (r->ctype)
		MHD_add_response_header(resp, "Content-Type", r->ctype);
	for (struct hdr *h = r->hdrs; h; h = h->next)
		MHD_add_response_header(resp, h->name, h->value);
	if (!strncmp(r->url, "/api/", 5))
		MHD_add_response_header(resp, "Cache-Control", "no-store");
	add_security_headers(resp, r->ctype);
	enum MHD_Result ret = MHD_queue_response(r->conn, (unsigned)r->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

int req_suspend(req *r)
{
	atomic_fetch_add(&g_nsuspended, 1);
	if (atomic_load(&g_stopping)) {
		atomic_fetch_sub(&g_nsuspended, 1);
		return -1;
	}
	r->suspended = 1;
	MHD_suspend_connection(r->conn);
	return 0;
}

int http_stopping(void)
{
	return atomic_load(&g_stopping);
}

void req_resume(req *r)
{
	/* MHD then calls on_request once more (final call), which sends the reply. */
	MHD_resume_connection(r->conn);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *data,
				  size_t *data_size, void **con_cls)
{
	(void)cls, (void)version;
	req *r = *con_cls;
	if (!r) {
		r = xcalloc(1, sizeof *r);
		r->a = arena_new();
		r->conn = conn;
		r->url = arena_strdup(r->a, url);
		r->method = arena_strdup(r->a, method);
		r->is_head = !strcmp(method, "HEAD");
		r->t0 = clock_now();
		r->fd = -1;
		buf_init(&r->body);
		*con_cls = r;
		route_request(r);
		if (!r->done)
			guard(r);
		/* A streaming handler sees an empty first chunk before any body byte is read, so it can
		   refuse (unknown lecture, too large, not allowed) at once instead of after the body. */
		if (!r->done && (r->rt->flags & RF_STREAM))
			r->rt->on_body(r, "", 0);
		/* Errors found before the body are sent at once; the body is then not read. */
		if (r->done)
			return send_reply(r);
		return MHD_YES;
	}
	if (*data_size) {
		size_t n = *data_size;
		*data_size = 0;
		r->body_seen += n;
		if (r->done)
			return MHD_YES; /* discarding after an error */
		size_t max = r->rt->body_max ? r->rt->body_max : DEFAULT_BODY_MAX;
		if (r->rt->flags & RF_STREAM) {
			r->rt->on_body(r, data, n);
		} else if (r->body.len + n > max) {
			buf_free(&r->body);
			reply_error(r, 413, "too_large", "%s（%zu）", tr("err.too_large"), max);
		} else {
			buf_add(&r->body, data, n);
		}
		return MHD_YES;
	}
	if (r->suspended) {
		/* Resumed: the other thread has set the reply. */
		r->suspended = 0;
		atomic_fetch_sub(&g_nsuspended, 1);
		if (!r->done)
			reply_error(r, 500, "internal", "deferred handler gave no reply");
		return send_reply(r);
	}
	if (!r->done && (r->rt->flags & RF_JSON))
		parse_json(r);
	if (!r->done) {
		r->rt->fn(r);
		/* Suspended: another thread owns r's reply now; touch nothing until the resumed call. */
		if (r->suspended)
			return MHD_YES;
		if (!r->done)
			reply_error(r, 500, "internal", "handler gave no reply");
	}
	return send_reply(r);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	(void)cls, (void)conn;
	req *r = *con_cls;
	if (!r)
		return;
	r->aborted = toe != MHD_REQUEST_TERMINATED_COMPLETED_OK;
	if (r->suspended) {
		/* Resumed but closed before the reply was queued (the resuming thread is done with r). */
		r->suspended = 0;
		atomic_fetch_sub(&g_nsuspended, 1);
	}
	if (r->rt && r->rt->on_close)
		r->rt->on_close(r);
	if (g_access) {
		char ts[24];
		iso_time((int64_t)r->t0, ts);
		fprintf(g_access, "%s %s %s %d %.1fms %s%s\n", ts, r->method, r->url, r->status,
			(clock_now() - r->t0) * 1000.0, r->u ? r->u->username : "-", r->aborted ? " aborted" : "");
	}
	if (r->fd >= 0)
		close(r->fd);
	free(r->out);
	buf_free(&r->body);
	if (r->json)
		json_decref(r->json);
	arena_free(r->a);
	free(r);
	*con_cls = NULL;
}

static void on_signal(int sig)
{
	(void)sig;
	g_stop = 1;
}

static int parse_listen(const char *listen, struct sockaddr_in *sa)
{
	const char *colon = strrchr(listen, ':');
	if (!colon)
		return -1;
	char host[64];
	size_t hl = (size_t)(colon - listen);
	if (hl >= sizeof host)
		return -1;
	memcpy(host, listen, hl);
	host[hl] = 0;
	int port = atoi(colon + 1);
	if (port <= 0 || port > 65535)
		return -1;
	memset(sa, 0, sizeof *sa);
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)port);
	if (!*host || !strcmp(host, "*"))
		sa->sin_addr.s_addr = htonl(INADDR_ANY);
	else if (!strcmp(host, "localhost"))
		sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	else if (inet_pton(AF_INET, host, &sa->sin_addr) != 1)
		return -1;
	return 0;
}

int http_serve(const http_opts *o, void (*on_ready)(void))
{
	struct sockaddr_in sa;
	if (parse_listen(o->listen, &sa) < 0) {
		fprintf(stderr, "dangxiao: bad --listen '%s' (want HOST:PORT)\n", o->listen);
		return -1;
	}
	g_web_root = o->web_root;
	g_secure_cookie = o->secure_cookie;
	auth_set_secure_cookie(o->secure_cookie);
	if (o->access_log) {
		g_access = fopen(o->access_log, "a");
		if (g_access)
			setvbuf(g_access, NULL, _IOLBF, 0);
	}
	signal(SIGPIPE, SIG_IGN);
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	int threads = o->threads > 0 ? o->threads : (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (threads < 1)
		threads = 1;
	struct MHD_Daemon *d = MHD_start_daemon(
		MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_TURBO | MHD_USE_SUSPEND_RESUME | MHD_USE_ERROR_LOG, 0,
		NULL, NULL, on_request, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
		MHD_OPTION_THREAD_POOL_SIZE, (unsigned)threads, MHD_OPTION_CONNECTION_LIMIT,
		(unsigned)(o->max_conns > 0 ? o->max_conns : 4000), MHD_OPTION_CONNECTION_TIMEOUT,
		(unsigned)(o->conn_timeout_s > 0 ? o->conn_timeout_s : 60), MHD_OPTION_CONNECTION_MEMORY_LIMIT,
		(size_t)(o->conn_memory_kb > 0 ? o->conn_memory_kb : 32) * 1024, MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u, MHD_OPTION_NOTIFY_COMPLETED, on_completed,
		NULL, MHD_OPTION_END);
	if (!d) {
		fprintf(stderr, "dangxiao: cannot listen on %s: %s\n", o->listen, strerror(errno));
		return -1;
	}
	struct sigaction sact;
	memset(&sact, 0, sizeof sact);
	sact.sa_handler = on_signal;
	sigaction(SIGTERM, &sact, NULL);
	sigaction(SIGINT, &sact, NULL);
	if (on_ready)
		on_ready();
	while (!g_stop)
		usleep(100 * 1000);
	fprintf(stderr, "dangxiao: shutting down\n");
	/* No new suspensions from now on; wait for the suspended requests to be answered (their
	   threads keep running until after this returns), since MHD must not stop with one. */
	atomic_store(&g_stopping, 1);
	for (int i = 0; i < 30000 && atomic_load(&g_nsuspended) > 0; i++)
		usleep(1000);
	MHD_stop_daemon(d);
	if (g_access)
		fclose(g_access);
	return 0;
}
