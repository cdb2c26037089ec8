/* pages.c — the login page, the admin page, static files and the test clock. */
#include "auth.h"
#include "clock.h"
#include "db.h"
#include "html.h"
#include "http.h"
#include "i18n.h"

#include <stdio.h>
#include <string.h>

/* GET /login */
static int page_login(req *r)
{
	buf b;
	buf_init(&b);
	page_begin(r, &b, "login", tr("login.title"));
	const char *next = req_arg(r, "next");
	if (!login_next_ok(next))
		next = "/";
	html_printf(&b,
		    "<section class=\"card narrow\"><h1>%s</h1>"
		    "<form id=\"login-form\" data-next=\"%s\" autocomplete=\"on\">"
		    "<label>%s<input name=\"username\" autocomplete=\"username\" required maxlength=\"64\"></label>"
		    "<label>%s<input name=\"password\" type=\"password\" autocomplete=\"current-password\" required></label>"
		    "<p class=\"error\" id=\"login-error\" hidden></p>"
		    "<button type=\"submit\" class=\"primary\">%s</button></form></section>",
		    tr("login.title"), next, tr("login.username"), tr("login.password"), tr("login.submit"));
	return page_reply(r, &b);
}

/* GET /admin — organisations, users, CSV import (the page's script drives the API). */
static int page_admin(req *r)
{
	buf b;
	buf_init(&b);
	page_begin(r, &b, "admin", tr("admin.title"));
	html_printf(&b,
		    "<h1>%s</h1><div class=\"grid2\">"
		    "<section class=\"card\"><h2>%s</h2><ul class=\"tree\" id=\"org-tree\"></ul>"
		    "<form id=\"org-form\" class=\"inline\"><label>%s<input name=\"name\" required maxlength=\"64\"></label>"
		    "<label>%s<select name=\"parent_id\" class=\"org-select\" data-root=\"%s\"></select></label>"
		    "<button class=\"primary\">%s</button><p class=\"msg\" role=\"status\"></p></form></section>",
		    tr("admin.title"), tr("admin.orgs"), tr("admin.org_name"), tr("admin.org_parent"),
		    tr("admin.org_root"), tr("admin.org_add"));
	html_printf(&b,
		    "<section class=\"card\"><h2>%s</h2><form id=\"user-form\" class=\"stack\">"
		    "<label>%s<input name=\"username\" required maxlength=\"64\"></label>"
		    "<label>%s<input name=\"name\" required maxlength=\"64\"></label>"
		    "<label>%s<select name=\"role\"><option value=\"member\">%s</option>"
		    "<option value=\"instructor\">%s</option><option value=\"assessor\">%s</option>"
		    "<option value=\"admin\">%s</option></select></label>"
		    "<label>%s<select name=\"org_id\" class=\"org-select\"></select></label>"
		    "<label>%s<input name=\"password\" type=\"password\" minlength=\"8\" required></label>"
		    "<button class=\"primary\">%s</button><p class=\"msg\" role=\"status\"></p></form></section>",
		    tr("admin.user_add"), tr("admin.username"), tr("admin.name"), tr("admin.role"), tr("role.member"),
		    tr("role.instructor"), tr("role.assessor"), tr("role.admin"), tr("admin.org"),
		    tr("admin.password"), tr("common.create"));
	html_printf(&b,
		    "<section class=\"card\"><h2 id=\"import-h\">%s</h2><p class=\"help\">%s</p>"
		    "<form id=\"import-form\"><input type=\"file\" name=\"file\" accept=\".csv,text/csv\" aria-labelledby=\"import-h\" required>"
		    "<button class=\"primary\">%s</button></form><div id=\"import-result\" role=\"status\"></div></section>"
		    "<section class=\"card\"><h2 id=\"users-h\">%s</h2><input type=\"search\" id=\"user-q\" placeholder=\"%s\">"
		    "<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-labelledby=\"users-h\"><table class=\"list\" id=\"user-list\"><thead><tr><th>%s</th><th>%s</th>"
		    "<th>%s</th><th>%s</th></tr></thead><tbody></tbody></table></div></section></div>",
		    tr("admin.import"), tr("admin.import_help"), tr("admin.import_submit"), tr("admin.users"),
		    tr("admin.name"), tr("admin.name"), tr("admin.username"), tr("admin.role"), tr("admin.org"));
	/* Required-course assignments (the courses module's API). */
	html_printf(&b,
		    "<section class=\"card\" id=\"assign\"><h2>%s</h2><p class=\"help\">%s</p><div class=\"grid2\">"
		    "<form id=\"assign-form\" class=\"stack\"><label>%s<select name=\"course_id\" id=\"assign-course\" required></select></label>"
		    "<label>%s<select name=\"org_id\" class=\"org-select\" required></select></label>"
		    "<label>%s<input name=\"year\" type=\"number\" min=\"2000\" max=\"2100\" required value=\"%d\"></label>"
		    "<button class=\"primary\">%s</button><p class=\"msg\" role=\"status\"></p></form>"
		    "<ul class=\"assign-list\" id=\"assign-list\"></ul></div></section>",
		    tr("assign.title"), tr("assign.help"), tr("assign.course"), tr("assign.org"), tr("assign.year"),
		    year_of(clock_secs()), tr("assign.submit"));
	return page_reply(r, &b);
}

/* GET /static/… — files under the web root (no dot-files, no traversal). */
static int static_file(req *r)
{
	const char *rest = r->rest;
	if (!rest || strstr(rest, "..") || strstr(rest, "//") || rest[0] == '.' || strstr(rest, "/.") ||
	    strchr(rest, '\\') || strchr(rest, '%'))
		return reply_error(r, 404, "not_found", "%s", tr("err.no_file"));
	return reply_static(r, rest);
}

/* POST /api/v1/test/clock {"advance_s"} or {"set"} — only with --test-clock. */
static int test_clock(req *r)
{
	if (!clock_is_test())
		return reply_error(r, 404, "not_found", "%s", tr("err.no_endpoint"));
	double adv = 0;
	const char *set = NULL;
	int ha = body_num(r, "advance_s", 0, 0, 1e9, &adv);
	if (ha < 0)
		return 0;
	int hs = body_str(r, "set", 0, 40, &set);
	if (hs < 0)
		return 0;
	if (hs == 1) {
		int64_t t = parse_iso(set);
		if (t < 0)
			return reply_error(r, 422, "invalid_field", "%s", tr("err.iso_time"));
		clock_set((double)t);
	} else if (ha == 1) {
		clock_advance(adv);
	} else {
		return reply_error(r, 422, "missing_field", "%s：advance_s / set", tr("err.field_required"));
	}
	char iso[24], day[11];
	int64_t now = clock_secs();
	iso_time(now, iso);
	day_of(now, day);
	/* The academy's day too, so that tests find its midnight without knowing the zone. */
	return reply_json(r, 200, json_pack("{s:s,s:f,s:s,s:s,s:I}", "now", iso, "now_s", clock_now(), "day", day,
					    "timezone", clock_timezone(), "day_end_s", (json_int_t)day_end(now)));
}

static int health(req *r)
{
	return reply_json(r, 200, json_pack("{s:s,s:i}", "status", "ok", "schema", db_schema_version()));
}

const route page_routes[] = {
	{.method = "GET", .pattern = "/login", .fn = page_login, .roles = R_PUBLIC},
	{.method = "GET", .pattern = "/admin", .fn = page_admin, .roles = ROLE_ADMIN, .flags = RF_PAGE},
	{.method = "GET", .pattern = "/static/*", .fn = static_file, .roles = R_PUBLIC, .flags = RF_NOSESSION},
	{.method = "POST", .pattern = "/api/v1/test/clock", .fn = test_clock, .roles = ROLE_ADMIN, .flags = RF_JSON},
	{.method = "GET", .pattern = "/api/v1/health", .fn = health, .roles = R_PUBLIC},
	ROUTES_END,
};
