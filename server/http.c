/* http.c — libmicrohttpd glue: routing, the guard before every handler, replies, static files. */
#include "http.h"
#include "auth.h"
#include "clock.h"
#include "db.h"
#include "html.h"
#include "i18n.h"
#include "module.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <linux/tcp.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_BODY_MAX (64 * 1024)
/* Error messages are cut (on a character boundary) past this many bytes. */
#define ERROR_MSG_MAX 2048
/* Bodies refused before they are read are still drained up to this size (see on_request). */
#define DRAIN_MAX (16ULL << 20)

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

int64_t req_page(req *r, int64_t default_per, int64_t max_per, int64_t *page, int64_t *per_page)
{
	int64_t p, pp;
	int64_t off = page_clamp(req_arg(r, "page"), req_arg(r, "per_page"), default_per, max_per, &p, &pp);
	if (page)
		*page = p;
	if (per_page)
		*per_page = pp;
	return off;
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

/* A line on stderr about request r, with its method and URL made safe for a log. */
static void log_req(req *r, const char *what)
{
	buf b;
	buf_init(&b);
	log_clean(&b, r->method, 32);
	buf_putc(&b, ' ');
	log_clean(&b, r->url, 512);
	fprintf(stderr, "dangxiao: %s: %s\n", what, b.p);
	buf_free(&b);
}

int reply_json(req *r, int status, json_t *j)
{
	/* j is NULL when json_pack met text that is not UTF-8; json_dumps fails the same way. Either is
	   a bug of the handler that must not stop the server: answer 500 and say so in the log. */
	char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
	if (j)
		json_decref(j);
	if (!s) {
		log_req(r, "cannot encode a JSON reply, answered 500");
		json_t *e = json_pack("{s:{s:s,s:s}}", "error", "code", "internal", "message", tr("err.internal"));
		s = e ? json_dumps(e, JSON_COMPACT) : NULL;
		json_decref(e);
		if (!s)
			s = xstrdup("{\"error\":{\"code\":\"internal\",\"message\":\"internal\"}}");
		status = 500;
	}
	set_out(r, status, "application/json; charset=utf-8", s, strlen(s));
	return 0;
}

/* Browser routes answer errors with an HTML page: HTML page routes, and requests that matched no
   route (unknown paths, 405) outside /api/, /media/ and /static/. */
static int wants_html_error(req *r)
{
	if (r->rt)
		return (r->rt->flags & RF_PAGE) != 0;
	return strncmp(r->url, "/api/", 5) && strncmp(r->url, "/media/", 7) && strncmp(r->url, "/static/", 8) &&
	       strcmp(r->url, "/api") && strcmp(r->url, "/media");
}

static void find_session(req *r);

int reply_error(req *r, int status, const char *code, const char *fmt, ...)
{
	/* The message may quote request text (a field name, a value): built without a fixed buffer,
	   then made valid UTF-8 and bounded on a character boundary. */
	buf raw, msg;
	buf_init(&raw);
	buf_init(&msg);
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&raw, fmt, ap);
	va_end(ap);
	utf8_clean(&msg, raw.p ? raw.p : "", ERROR_MSG_MAX);
	buf_free(&raw);
	int rc;
	if (status >= 400 && wants_html_error(r) && !r->done) {
		if (!r->u && !r->rt)
			find_session(r); /* unknown path: the navigation still shows the user's links */
		rc = page_error_reply(r, status, msg.p ? msg.p : "", "/", tr("err.page_back"));
	} else {
		rc = reply_json(r, status,
				json_pack("{s:{s:s,s:s}}", "error", "code", code, "message", msg.p ? msg.p : ""));
	}
	buf_free(&msg);
	return rc;
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

/* Digits only (no sign, no space), saturating at UINT64_MAX; the end of the digits in *end. */
static uint64_t range_num(const char *s, const char **end)
{
	uint64_t v = 0;
	for (; *s >= '0' && *s <= '9'; s++) {
		uint64_t d = (uint64_t)(*s - '0');
		v = v > (UINT64_MAX - d) / 10 ? UINT64_MAX : v * 10 + d;
	}
	*end = s;
	return v;
}

int range_parse(const char *hdr, uint64_t size, uint64_t *off, uint64_t *len)
{
	if (!hdr || strncmp(hdr, "bytes=", 6) || strchr(hdr, ','))
		return RANGE_IGNORE;
	const char *s = hdr + 6, *e;
	uint64_t a, b = size ? size - 1 : 0;
	if (*s == '-') {
		uint64_t suf = range_num(s + 1, &e);
		if (e == s + 1 || *e || suf == 0)
			return RANGE_IGNORE;
		a = suf >= size ? 0 : size - suf;
	} else {
		a = range_num(s, &e);
		if (e == s || *e != '-')
			return RANGE_IGNORE;
		if (e[1]) {
			const char *e2;
			b = range_num(e + 1, &e2);
			if (e2 == e + 1 || *e2)
				return RANGE_IGNORE;
			if (b >= size)
				b = size ? size - 1 : 0;
		}
	}
	if (a >= size || a > b)
		return RANGE_UNSATISFIABLE;
	*off = a;
	*len = b - a + 1;
	return RANGE_OK;
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
	const char *ifr = req_header(r, "If-Range");
	int rs = !ifr || !strcmp(ifr, etag) ? range_parse(req_header(r, "Range"), size, &off, &len) : RANGE_IGNORE;
	if (rs == RANGE_UNSATISFIABLE) {
		close(fd);
		char cr[64];
		snprintf(cr, sizeof cr, "bytes */%llu", (unsigned long long)size);
		reply_header(r, "Content-Range", cr);
		return reply_error(r, 416, "range_not_satisfiable", "%s", tr("err.range"));
	}
	if (rs == RANGE_OK) {
		status = 206;
		char cr[96];
		snprintf(cr, sizeof cr, "bytes %llu-%llu/%llu", (unsigned long long)off,
			 (unsigned long long)(off + len - 1), (unsigned long long)size);
		reply_header(r, "Content-Range", cr);
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

/* ---- static assets: fingerprints, precompressed variants ---- */

/* The content hash of each file under the asset folders, taken once at start-up (read-only after). */
#define ASSET_MAX 512
static struct asset {
	char rel[160];   /* "js/app.js" */
	char url[192];   /* "/static/js/app.js?v=HASH" */
	char hash[17];
} g_assets[ASSET_MAX];
static int g_nassets;

static void asset_add(const char *root, const char *relp)
{
	if (g_nassets >= ASSET_MAX || strlen(relp) >= sizeof g_assets[0].rel)
		return;
	char relc[sizeof g_assets[0].rel];
	snprintf(relc, sizeof relc, "%s", relp);
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", root, relp);
	size_t len;
	char *data = read_file(path, &len);
	if (!data)
		return;
	unsigned char h[crypto_generichash_BYTES_MIN];
	crypto_generichash(h, sizeof h, (const unsigned char *)data, len, NULL, 0);
	free(data);
	struct asset *a = &g_assets[g_nassets++];
	memcpy(a->rel, relc, sizeof relc);
	char hx[17];
	hex_encode(h, 8, hx);
	memcpy(a->hash, hx, sizeof hx);
	snprintf(a->url, sizeof a->url, "/static/%s?v=%s", relc, hx);
}

static void static_init(const char *root)
{
	static const char *const dirs[] = {"css", "js", "vendor", "i18n"};
	g_nassets = 0;
	for (size_t i = 0; i < ARRAY_LEN(dirs); i++) {
		char dp[1024];
		snprintf(dp, sizeof dp, "%s/%s", root, dirs[i]);
		DIR *d = opendir(dp);
		if (!d)
			continue;
		struct dirent *e;
		while ((e = readdir(d))) {
			size_t n = strlen(e->d_name);
			if (e->d_name[0] == '.' || (n > 3 && (!strcmp(e->d_name + n - 3, ".gz") ||
							      !strcmp(e->d_name + n - 3, ".br"))))
				continue;
			buf rel;
			buf_init(&rel);
			buf_printf(&rel, "%s/%s", dirs[i], e->d_name);
			asset_add(root, rel.p);
			buf_free(&rel);
		}
		closedir(d);
	}
}

static const struct asset *asset_of(const char *rel)
{
	for (int i = 0; i < g_nassets; i++)
		if (!strcmp(g_assets[i].rel, rel))
			return &g_assets[i];
	return NULL;
}

const char *static_url(const char *rel)
{
	const struct asset *a = asset_of(rel);
	return a ? a->url : NULL;
}

/* 1 when Accept-Encoding lists coding `enc` without q=0. */
static int accepts_encoding(const char *ae, const char *enc)
{
	size_t el = strlen(enc);
	for (const char *p = ae; p && *p;) {
		while (*p == ' ' || *p == ',')
			p++;
		const char *end = p + strcspn(p, ",");
		const char *semi = memchr(p, ';', (size_t)(end - p));
		const char *ne = semi ? semi : end;
		while (ne > p && ne[-1] == ' ')
			ne--;
		if ((size_t)(ne - p) == el && !strncasecmp(p, enc, el)) {
			if (!semi)
				return 1;
			const char *q = strstr(semi, "q=");
			if (!q || q > end)
				return 1;
			return strtod(q + 2, NULL) > 0;
		}
		p = end;
	}
	return 0;
}

/* 1 when `variant` is a regular file at least as new as `path`. */
static int variant_fresh(const char *path, const char *variant)
{
	struct stat a, b;
	if (stat(path, &a) < 0 || stat(variant, &b) < 0 || !S_ISREG(b.st_mode))
		return 0;
	return b.st_mtim.tv_sec > a.st_mtim.tv_sec ||
	       (b.st_mtim.tv_sec == a.st_mtim.tv_sec && b.st_mtim.tv_nsec >= a.st_mtim.tv_nsec);
}

int reply_static(req *r, const char *rel)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", g_web_root, rel);
	const char *ctype = mime_of(path);
	const struct asset *a = asset_of(rel);
	const char *v = req_arg(r, "v");
	/* A fingerprinted name never changes content: cache it for a year. Others revalidate soon. */
	const char *cc = a && v && !strcmp(v, a->hash) ? "public, max-age=31536000, immutable" : "public, max-age=300";
	int text = !strncmp(ctype, "text/", 5) || !strncmp(ctype, "application/json", 16) ||
		   !strncmp(ctype, "image/svg", 9);
	if (!text)
		return reply_file(r, path, ctype, cc);
	reply_header(r, "Vary", "Accept-Encoding");
	/* Ranges are served from the plain file only: a range of a compressed variant would be one
	   of other bytes than the client asked for. */
	if (!req_header(r, "Range")) {
		static const struct {
			const char *coding, *ext;
		} enc[] = {{"br", ".br"}, {"gzip", ".gz"}};
		const char *ae = req_header(r, "Accept-Encoding");
		for (size_t i = 0; ae && i < ARRAY_LEN(enc); i++) {
			char vp[1100];
			snprintf(vp, sizeof vp, "%s%s", path, enc[i].ext);
			if (!accepts_encoding(ae, enc[i].coding) || !variant_fresh(path, vp))
				continue;
			reply_file(r, vp, ctype, cc);
			if (r->status == 200)
				reply_header(r, "Content-Encoding", enc[i].coding);
			return 0;
		}
	}
	return reply_file(r, path, ctype, cc);
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
	const route *const *tables = routes_all();
	for (int t = 0; tables[t]; t++) {
		for (const route *rt = tables[t]; rt->method; rt++) {
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
		/* The method is request text: reply_error makes it valid UTF-8 and bounds it. */
		reply_error(r, 405, "method_not_allowed", "%s（%s → %s）", tr("err.method"), r->method, allow);
	} else if (!strncmp(r->url, "/api/", 5) || !strncmp(r->url, "/media/", 7)) {
		reply_error(r, 404, "not_found", "%s", tr("err.no_endpoint"));
	} else {
		reply_error(r, 404, "not_found", "%s", tr("err.not_found"));
	}
}

/* ---- resources ---- */

int res_load_or_reply(req *r, const resource_kind *k, int64_t id, void **out)
{
	*out = NULL;
	int st = k->load(r, id, out);
	if (st == 0)
		return 0;
	if (st < 0 && r->done)
		return -1; /* the loader answered */
	const char *msg = tr(st == 404 ? k->missing : st == 403 ? k->forbidden : "err.internal");
	const char *code = st == 404 ? "not_found" : st == 403 ? (k->forbidden_code ? k->forbidden_code : "forbidden")
							      : "internal";
	if (st != 404 && st != 403)
		st = 500;
	reply_error(r, st, code, "%s", msg); /* an HTML page on page routes */
	return -1;
}

/* The route's resource, after the role check and before the body is read. */
static void load_resource(req *r)
{
	const route *rt = r->rt;
	int64_t id = rt->res_arg ? parse_id(req_arg(r, rt->res_arg)) : req_id(r, 0);
	void *out;
	if (res_load_or_reply(r, rt->res, id, &out) == 0)
		r->res = out;
}

/* The session of the request (Bearer token or cookie), into r->u and r->by_cookie. */
static void find_session(req *r)
{
	const char *tok = NULL;
	const char *authz = req_header(r, "Authorization");
	if (authz && !strncasecmp(authz, "Bearer ", 7)) {
		tok = authz + 7;
	} else {
		tok = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, "dx_session");
		r->by_cookie = tok != NULL;
	}
	if (tok && *tok)
		r->u = session_lookup(r, tok);
	if (!r->u)
		r->by_cookie = 0;
}

/* 1 when the Content-Type header names JSON: application/json, any case, parameters allowed. */
static int ctype_is_json(const char *ct)
{
	if (!ct)
		return 0;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	if (strncasecmp(ct, "application/json", 16))
		return 0;
	ct += 16;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	return !*ct || *ct == ';';
}

/* 1 when the request may come from another site: an Origin header whose host:port is not the Host
   the request was sent to, or Sec-Fetch-Site saying cross-site or same-site. Requests without these
   headers (not from a browser, or an old one) pass. */
static int cross_site(req *r)
{
	const char *sfs = req_header(r, "Sec-Fetch-Site");
	if (sfs && strcasecmp(sfs, "same-origin") && strcasecmp(sfs, "none"))
		return 1;
	const char *origin = req_header(r, "Origin");
	if (!origin)
		return 0;
	const char *host = req_header(r, "Host");
	const char *o = strstr(origin, "://");
	if (!host || !o)
		return 1; /* "null" (sandboxed, file:) or garbage */
	return strcasecmp(o + 3, host) != 0;
}

static void guard(req *r)
{
	const route *rt = r->rt;
	if (!(rt->flags & RF_NOSESSION))
		find_session(r);
	if (rt->roles != R_PUBLIC && !r->u) {
		if (rt->flags & RF_PAGE) {
			buf loc;
			buf_init(&loc);
			buf_puts(&loc, "/login?next=");
			url_escape(&loc, r->url);
			reply_redirect(r, loc.p);
			buf_free(&loc);
		} else {
			reply_error(r, 401, "not_logged_in", "%s", tr("err.not_logged_in"));
		}
		return;
	}
	if (rt->roles != R_PUBLIC && !(rt->roles & (unsigned)r->u->role)) {
		reply_error(r, 403, "forbidden", "%s", tr("err.forbidden"));
		return;
	}
	/* A JSON body must say so: a cross-site form or fetch can send text/plain without asking the
	   browser's permission (no preflight), application/json it cannot. */
	if ((rt->flags & RF_JSON) && !ctype_is_json(req_header(r, "Content-Type"))) {
		reply_error(r, 415, "unsupported_media_type", "%s", tr("err.json_ctype"));
		return;
	}
	if ((rt->flags & RF_SAMEORIGIN) && cross_site(r)) {
		reply_error(r, 403, "cross_site", "%s", tr("err.cross_site"));
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
	if (rt->res)
		load_resource(r);
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

void http_parse_json(req *r)
{
	parse_json(r);
}

/* ---- connection deadlines ----
   libmicrohttpd's connection timeout is an idle timeout: a client that sends one header byte every
   few seconds keeps its connection forever. Each connection is tracked from its start (the notify
   callback) with the phase it is in; the serving loop closes (shutdown) one whose request head is
   not complete within head_timeout_s of the connection's start or of its previous reply, or whose
   body advanced by fewer than body_stall_bytes in body_stall_s, or whose client reads what was sent
   (bytes acknowledged by its TCP stack) slower than body_stall_bytes per body_stall_s: a slow reader
   is never idle, so the idle timeout never closes it. Handlers and suspended requests are not timed
   here. */
enum { CT_HEAD, CT_BODY, CT_BUSY };
typedef struct conn_track {
	struct conn_track *prev, *next;
	int fd;
	int phase;
	int closing;
	double since;          /* monotonic seconds: start of the head wait, or of the body window */
	uint64_t bytes, win_bytes;
	double send_since;     /* start of the current reply-reading window; 0: nothing waits to be read */
	uint64_t send_acked;   /* bytes the client had acknowledged then */
} conn_track;
static pthread_mutex_t g_ct_mu = PTHREAD_MUTEX_INITIALIZER;
static conn_track *g_ct;
static double g_head_timeout = 30, g_body_stall = 30;
static uint64_t g_body_stall_bytes = 1024;

static double mono_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
			  enum MHD_ConnectionNotificationCode toe)
{
	(void)cls;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		conn_track *ct = xcalloc(1, sizeof *ct);
		const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		ct->fd = ci ? ci->connect_fd : -1;
		ct->phase = CT_HEAD;
		ct->since = mono_now();
		pthread_mutex_lock(&g_ct_mu);
		ct->next = g_ct;
		if (g_ct)
			g_ct->prev = ct;
		g_ct = ct;
		pthread_mutex_unlock(&g_ct_mu);
		*socket_context = ct;
	} else if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
		/* Called before libmicrohttpd closes the socket: once unlinked, the fd is never used here. */
		conn_track *ct = *socket_context;
		if (!ct)
			return;
		pthread_mutex_lock(&g_ct_mu);
		if (ct->prev)
			ct->prev->next = ct->next;
		else
			g_ct = ct->next;
		if (ct->next)
			ct->next->prev = ct->prev;
		pthread_mutex_unlock(&g_ct_mu);
		free(ct);
		*socket_context = NULL;
	}
}

static conn_track *track_of(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return ci ? ci->socket_context : NULL;
}

/* Moves the connection to a phase (and, in the body, counts bytes). */
static void track_set(struct MHD_Connection *conn, int phase, size_t more)
{
	conn_track *ct = track_of(conn);
	if (!ct)
		return;
	pthread_mutex_lock(&g_ct_mu);
	if (ct->phase != phase) {
		ct->phase = phase;
		ct->since = mono_now();
		ct->bytes = ct->win_bytes = 0;
	}
	ct->bytes += more;
	pthread_mutex_unlock(&g_ct_mu);
}

/* Bytes of what we sent that the peer's TCP stack has acknowledged (Linux TCP_INFO). */
static uint64_t tcp_acked(int fd)
{
	struct tcp_info ti;
	socklen_t l = sizeof ti;
	memset(&ti, 0, sizeof ti);
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &l) != 0)
		return 0;
	return ti.tcpi_bytes_acked;
}

/* The serving loop's check of every connection's deadline. */
static void deadlines_check(void)
{
	static unsigned sweep;
	sweep++;
	double now = mono_now();
	int closed = 0;
	pthread_mutex_lock(&g_ct_mu);
	for (conn_track *ct = g_ct; ct; ct = ct->next) {
		if (ct->closing || ct->fd < 0)
			continue;
		int late = 0;
		if (ct->phase == CT_HEAD && now - ct->since > g_head_timeout)
			late = 1;
		else if (ct->phase == CT_BODY && now - ct->since >= g_body_stall) {
			if (ct->bytes - ct->win_bytes < g_body_stall_bytes)
				late = 1;
			ct->since = now;
			ct->win_bytes = ct->bytes;
		}
		/* Once a second: while sent bytes wait in the socket for the client to read them (a reply
		   being written, or one handed to the kernel whole), the client must acknowledge
		   body_stall_bytes per body_stall_s. */
		int outq = 0;
		if (!late && g_body_stall_bytes && sweep % 10 == 0 && ioctl(ct->fd, SIOCOUTQ, &outq) == 0) {
			if (outq <= 0) {
				ct->send_since = 0;
			} else if (ct->send_since == 0) {
				ct->send_since = now;
				ct->send_acked = tcp_acked(ct->fd);
			} else if (now - ct->send_since >= g_body_stall) {
				uint64_t acked = tcp_acked(ct->fd);
				if (acked - ct->send_acked < g_body_stall_bytes) {
					/* Drop what waits unsent with a reset now (connect to AF_UNSPEC
					   disconnects a TCP socket, the fd stays libmicrohttpd's), or the
					   kernel would keep feeding the slow reader after the close. */
					struct sockaddr un = {.sa_family = AF_UNSPEC};
					connect(ct->fd, &un, sizeof un);
					late = 1;
				}
				ct->send_since = now;
				ct->send_acked = acked;
			}
		}
		if (late) {
			/* libmicrohttpd then reads end-of-file and closes the connection in its own thread. */
			shutdown(ct->fd, SHUT_RDWR);
			ct->closing = 1;
			closed++;
		}
	}
	pthread_mutex_unlock(&g_ct_mu);
	if (closed)
		fprintf(stderr, "dangxiao: closed %d connection(s) past the request deadline\n", closed);
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

int http_stopping(void)
{
	return atomic_load(&g_stopping);
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

void req_resume(req *r)
{
	/* MHD then calls on_request once more (final call), which sends the reply. */
	MHD_resume_connection(r->conn);
}

/* libmicrohttpd's percent-decoding of the path and the query, except that %00 stays the three
   characters it is: a decoded NUL would end the C string early, so /api/v1/courses/1%00/anything was
   served (and logged) as /api/v1/courses/1. Kept literal, it matches no route, id or file. */
static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static size_t unescape_keep_nul(void *cls, struct MHD_Connection *conn, char *s)
{
	(void)cls, (void)conn;
	char *o = s;
	for (const char *p = s; *p;) {
		int hi, lo;
		if (p[0] == '%' && (hi = hexval(p[1])) >= 0 && (lo = hexval(p[2])) >= 0 && (hi | lo)) {
			*o++ = (char)(hi * 16 + lo);
			p += 3;
		} else {
			*o++ = *p++;
		}
	}
	*o = 0;
	return (size_t)(o - s);
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
		track_set(conn, CT_BODY, 0);
		route_request(r);
		if (!r->done)
			guard(r);
		/* A streaming handler sees an empty first chunk before any body byte is read, so it can
		   refuse (unknown lecture, too large, not allowed) at once instead of after the body. */
		if (!r->done && (r->rt->flags & RF_STREAM))
			r->rt->on_body(r, "", 0);
		/* Errors found before the body: a declared body up to DRAIN_MAX is read and dropped first
		   (the data branch discards after an error), then the answer goes out at the final call.
		   Closing a socket with unread bytes sends a reset, which can destroy the answer in the
		   client's buffers while it is still sending: the client sees "connection reset", not the
		   413 (courses_images was flaky so). A larger or undeclared body is not read; the answer
		   is sent at once. */
		if (r->done) {
			const char *cl = req_header(r, "Content-Length");
			unsigned long long n = cl ? strtoull(cl, NULL, 10) : 0;
			if (n > 0 && n <= DRAIN_MAX)
				return MHD_YES;
			return send_reply(r);
		}
		return MHD_YES;
	}
	if (*data_size) {
		size_t n = *data_size;
		*data_size = 0;
		r->body_seen += n;
		track_set(conn, CT_BODY, n);
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
	track_set(conn, CT_BUSY, 0);
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
	(void)cls;
	/* The next request on this connection has head_timeout_s from now. */
	track_set(conn, CT_HEAD, 0);
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
		/* Method and URL are request bytes (the URL percent-decoded): one line, space-separated,
		   only with controls, spaces and invalid UTF-8 escaped. */
		buf m, u;
		buf_init(&m);
		buf_init(&u);
		log_clean(&m, r->method, 32);
		log_clean(&u, r->url, 2048);
		fprintf(g_access, "%s %s %s %d %.1fms %s%s\n", ts, m.p ? m.p : "", u.p ? u.p : "", r->status,
			(clock_now() - r->t0) * 1000.0, r->u ? r->u->username : "-", r->aborted ? " aborted" : "");
		buf_free(&m);
		buf_free(&u);
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
	if (o->head_timeout_s > 0)
		g_head_timeout = o->head_timeout_s;
	if (o->body_stall_s > 0)
		g_body_stall = o->body_stall_s;
	g_body_stall_bytes = (uint64_t)(o->body_stall_bytes > 0 ? o->body_stall_bytes : 0);
	static_init(o->web_root);
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
		NULL, MHD_OPTION_NOTIFY_CONNECTION, on_connection, NULL, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
		(unsigned)(o->per_ip_conns > 0 ? o->per_ip_conns : 0), MHD_OPTION_UNESCAPE_CALLBACK, unescape_keep_nul, NULL,
		MHD_OPTION_END);
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
	while (!g_stop) {
		usleep(100 * 1000);
		deadlines_check();
	}
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
