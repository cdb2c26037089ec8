/* route.c — the router, the guard before every handler (session, role, CSRF, body limit, the
   route's resource), roles and request accessors. */
#include "http.h"
#include "auth.h"
#include "html.h"
#include "http_internal.h"
#include "i18n.h"
#include "module.h"

#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

/* ---- routing ---- */

int http_match(req *r, const char *pat, const char *url)
{
	r->nids = r->nparams = 0;
	r->rest = NULL;
	/* Most patterns differ from the URL in their literal text before the first placeholder: a
	   byte loop rejects them before the segment walk below (route_request tries every route). */
	const char *p = pat, *u = url;
	while (*p && *p != '{' && *p != '*' && *p == *u)
		p++, u++;
	if (!*p)
		return !*u;
	if (*p != '{' && *p != '*')
		return 0;
	p = pat, u = url;
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

void route_request(req *r)
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
void find_session(req *r)
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

void http_guard(req *r)
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
	/* A cookie-authenticated change without its CSRF token is refused as such before anything else
	   is said about it (not even whether this role may do it). */
	int changes = strcmp(r->method, "GET") && strcmp(r->method, "HEAD") && strcmp(r->method, "OPTIONS");
	if (changes && r->by_cookie && !(rt->flags & RF_NOCSRF)) {
		const char *c = req_header(r, "X-CSRF-Token");
		if (!c || !r->u->csrf || strcmp(c, r->u->csrf)) {
			reply_error(r, 403, "csrf", "%s", tr("err.csrf"));
			return;
		}
	}
	if (rt->roles != R_PUBLIC && !(rt->roles & (unsigned)r->u->role)) {
		reply_error(r, 403, "forbidden", "%s", tr("err.forbidden"));
		return;
	}
	/* A password reset by an admin is changed first: every page but /account leads there. */
	if ((rt->flags & RF_PAGE) && r->u && r->u->must_change_pw && strcmp(r->url, "/account")) {
		reply_redirect(r, "/account");
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
	size_t max = rt->body_max ? rt->body_max : DEFAULT_BODY_MAX;
	const char *cl = req_header(r, "Content-Length");
	if (cl && strtoull(cl, NULL, 10) > max && !(rt->flags & RF_STREAM)) {
		reply_error(r, 413, "too_large", "%s（%zu）", tr("err.too_large"), max);
		return;
	}
	if (rt->res)
		load_resource(r);
}

