/* reply.c — replies (JSON, errors as JSON or an HTML page, buffers, redirects, files with ranges)
   and the static assets (fingerprints, precompressed variants). */
#include "http.h"
#include "html.h"
#include "http_internal.h"
#include "i18n.h"

#include <dirent.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* Error messages are cut (on a character boundary) past this many bytes. */
#define ERROR_MSG_MAX 2048

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
	if (r->s_done)
		r->s_done(r->s_ctx);
	r->s_fill = NULL;
	r->s_done = NULL;
	r->s_ctx = NULL;
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
	char *s = j ? json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(15)) : NULL;
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

int reply_stream(req *r, int status, const char *ctype, long (*fill)(void *ctx, char *out, size_t max),
		 void (*done)(void *ctx), void *ctx)
{
	if (r->done) {
		/* A second reply is a bug in the handler; keep the first (and still release ctx). */
		if (done)
			done(ctx);
		return 0;
	}
	r->done = 1;
	r->status = status;
	r->ctype = ctype;
	r->s_fill = fill;
	r->s_done = done;
	r->s_ctx = ctx;
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

void static_init(const char *root)
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
	snprintf(path, sizeof path, "%s/%s", http_web_root(), rel);
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

