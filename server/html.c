/* html.c — escaping printf for HTML and the page shell shared by every page. */
#include "html.h"
#include "i18n.h"
#include "module.h"

#include <stdio.h>
#include <string.h>
#include <pthread.h>
#include <unistd.h>

/* html_printf hands each non-%s conversion to snprintf with the spec it parsed; the caller's
   format itself is checked by the compiler through DX_PRINTF. */
#pragma GCC diagnostic ignored "-Wformat-nonliteral"

void html_escape(buf *b, const char *s)
{
	if (!s)
		return;
	const char *run = s;
	for (; *s; s++) {
		const char *rep = NULL;
		switch (*s) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		}
		if (rep) {
			buf_add(b, run, (size_t)(s - run));
			buf_puts(b, rep);
			run = s + 1;
		}
	}
	buf_add(b, run, (size_t)(s - run));
}

void url_escape(buf *b, const char *s)
{
	static const char hx[] = "0123456789ABCDEF";
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr("-_.~", c))
			buf_putc(b, (char)c);
		else {
			buf_putc(b, '%');
			buf_putc(b, hx[c >> 4]);
			buf_putc(b, hx[c & 15]);
		}
	}
}

void html_raw(buf *b, const char *s)
{
	if (s)
		buf_puts(b, s);
}

void html_printf(buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	const char *p = fmt;
	while (*p) {
		const char *pct = strchr(p, '%');
		if (!pct) {
			buf_puts(b, p);
			break;
		}
		buf_add(b, p, (size_t)(pct - p));
		/* Collect one conversion spec: flags, width, precision, length, conversion. */
		const char *q = pct + 1;
		while (*q && strchr("-+ #0123456789.", *q))
			q++;
		char len[3];
		size_t ln = 0;
		while (*q && strchr("hlzjt", *q) && ln < 2)
			len[ln++] = *q++;
		len[ln] = 0;
		char conv = *q;
		char spec[32];
		size_t sl = (size_t)(q - pct + 1);
		if (sl >= sizeof spec || !conv)
			dx_fatal("html_printf: bad format %s", fmt);
		memcpy(spec, pct, sl);
		spec[sl] = 0;
		char tmp[128];
		switch (conv) {
		case '%': buf_putc(b, '%'); break;
		case 's': html_escape(b, va_arg(ap, const char *)); break;
		case 'c': buf_putc(b, (char)va_arg(ap, int)); break;
		case 'd': case 'i': case 'u': case 'x':
			if (!strcmp(len, "ll"))
				snprintf(tmp, sizeof tmp, spec, va_arg(ap, long long));
			else if (!strcmp(len, "l"))
				snprintf(tmp, sizeof tmp, spec, va_arg(ap, long));
			else if (!strcmp(len, "z"))
				snprintf(tmp, sizeof tmp, spec, va_arg(ap, size_t));
			else
				snprintf(tmp, sizeof tmp, spec, va_arg(ap, int));
			buf_puts(b, tmp);
			break;
		case 'f': case 'g': case 'e':
			snprintf(tmp, sizeof tmp, spec, va_arg(ap, double));
			buf_puts(b, tmp);
			break;
		default:
			dx_fatal("html_printf: unsupported conversion %%%c", conv);
		}
		p = q + 1;
	}
	va_end(ap);
}

/* One link of the navigation (module.nav entries), marked when it is the current page's. */
struct nav_ctx {
	req *r;
	buf *b;
};
static void nav_link(const nav_entry *e, void *ud)
{
	struct nav_ctx *c = ud;
	if (!(e->roles & (unsigned)c->r->u->role))
		return;
	int cur = !strcmp(c->r->url, e->href) || (strlen(e->href) > 1 && !strncmp(c->r->url, e->href, strlen(e->href)));
	if (cur)
		html_printf(c->b, "<a href=\"%s\" class=\"cur\">%s</a>", e->href, tr(e->label_key));
	else
		html_printf(c->b, "<a href=\"%s\">%s</a>", e->href, tr(e->label_key));
}

/* The fingerprinted URL of an asset, or `plain` when it was not found at start-up. */
static const char *asset_url(const char *rel, const char *plain)
{
	const char *u = static_url(rel);
	return u ? u : plain;
}

void page_begin(req *r, buf *b, const char *page, const char *title)
{
	html_printf(b,
		    "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
		    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
		    "<title>%s · %s</title><link rel=\"stylesheet\" href=\"%s\">"
		    "<link rel=\"icon\" href=\"data:,\">",
		    title, tr("app.name"), asset_url("css/app.css", "/static/css/app.css"));
	if (r->u)
		html_printf(b, "<meta name=\"csrf-token\" content=\"%s\">", r->u->csrf);
	r->page = page;
	html_printf(b, "</head><body data-page=\"%s\"><header class=\"top\"><a class=\"brand\" href=\"/\">%s</a>",
		    page, tr("app.name"));
	if (r->u) {
		html_raw(b, "<nav class=\"nav\">");
		struct nav_ctx nc = {r, b};
		modules_nav(nav_link, &nc);
		char rk[32];
		snprintf(rk, sizeof rk, "role.%s", r->u->role_name);
		html_printf(b,
			    "</nav><div class=\"who\"><a href=\"/account\" id=\"account-link\" title=\"%s\">%s</a><span>%s</span>"
			    "<button type=\"button\" class=\"link\" id=\"logout\">%s</button></div>",
			    tr("account.link"), r->u->name, tr(rk), tr("nav.logout"));
	}
	html_raw(b, "</header><main class=\"main\">");
}

/* Whether web/js/page-NAME.js exists, asked of the file system once per page name (the names are
   string literals of the page handlers, so a small table keyed by them suffices). */
static int page_has_script(const char *page)
{
	static struct {
		char name[32];
		int has;
	} seen[64];
	static int nseen;
	static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	int has = -1;
	pthread_mutex_lock(&mu);
	for (int i = 0; i < nseen && has < 0; i++)
		if (!strcmp(seen[i].name, page))
			has = seen[i].has;
	pthread_mutex_unlock(&mu);
	if (has >= 0)
		return has;
	char path[600];
	snprintf(path, sizeof path, "%s/js/page-%s.js", http_web_root(), page);
	has = access(path, R_OK) == 0;
	pthread_mutex_lock(&mu);
	if (nseen < 64 && strlen(page) < sizeof seen[0].name) {
		snprintf(seen[nseen].name, sizeof seen[0].name, "%s", page);
		seen[nseen++].has = has;
	}
	pthread_mutex_unlock(&mu);
	return has;
}

void page_end(req *r, buf *b)
{
	html_printf(b, "</main><script src=\"%s\"></script>", asset_url("js/app.js", "/static/js/app.js"));
	/* A page's own script, web/js/page-NAME.js, when there is one. */
	const char *page = r->page ? r->page : "";
	if (*page && page_has_script(page)) {
		char rel[64];
		snprintf(rel, sizeof rel, "js/page-%s.js", page);
		const char *u = static_url(rel);
		if (u)
			html_printf(b, "<script src=\"%s\"></script>", u);
		else
			html_printf(b, "<script src=\"/static/js/page-%s.js\"></script>", page);
	}
	html_raw(b, "</body></html>");
}

int page_reply(req *r, buf *b)
{
	page_end(r, b);
	reply_header(r, "Cache-Control", "no-store");
	return reply_buf(r, 200, "text/html; charset=utf-8", b);
}

int page_error_reply(req *r, int status, const char *msg, const char *back_href, const char *back_text)
{
	buf b;
	buf_init(&b);
	page_begin(r, &b, "error", msg);
	html_printf(&b, "<section class=\"card narrow\"><h1>%s</h1><p><a href=\"%s\">%s</a>", msg, back_href,
		    back_text);
	/* Not logged in: the way in, too (the header has no navigation then). */
	if (!r->u)
		html_printf(&b, " · <a href=\"/login\">%s</a>", tr("login.title"));
	html_raw(&b, "</p></section>");
	page_end(r, &b);
	reply_header(r, "Cache-Control", "no-store");
	return reply_buf(r, status, "text/html; charset=utf-8", &b);
}
