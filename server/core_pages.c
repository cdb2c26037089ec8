/* core_pages.c — the login page, the admin page, the account page, static files and the test clock. */
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
		    "<label>%s<input name=\"username\" autocomplete=\"username\" autocapitalize=\"off\" "
		    "spellcheck=\"false\" autofocus required maxlength=\"64\"></label>"
		    "<label>%s<input name=\"password\" type=\"password\" autocomplete=\"current-password\" required></label>"
		    "<p class=\"error\" id=\"login-error\" hidden></p>"
		    "<button type=\"submit\" class=\"primary\">%s</button></form></section>",
		    tr("login.title"), next, tr("login.username"), tr("login.password"), tr("login.submit"));
	return page_reply(r, &b);
}

/* The role choices of a <select>, after an "all" choice when with_all (a filter). */
static void role_options(buf *b, int with_all)
{
	static const char *const roles[] = {"member", "instructor", "assessor", "admin"};
	if (with_all)
		html_printf(b, "<option value=\"\">%s</option>", tr("admin.all"));
	for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++) {
		char k[32];
		snprintf(k, sizeof k, "role.%s", roles[i]);
		html_printf(b, "<option value=\"%s\">%s</option>", roles[i], tr(k));
	}
}

/* GET /admin — users (search, sort, pages, edit, disable, password reset, moving many), the
   organisation tree (rename, move, delete), the CSV import with its preview, the audit log, the
   required-course assignments and the organisations' yearly requirements. The page's script drives the API; every destructive action asks
   first (DX.confirm). */
static int page_admin(req *r)
{
	buf b;
	buf_init(&b);
	page_begin(r, &b, "admin", tr("admin.title"));
	html_printf(&b,
		    "<h1>%s</h1><nav class=\"subnav\" aria-label=\"%s\"><a href=\"#users\">%s</a><a href=\"#orgs\">%s</a>"
		    "<a href=\"#import\">%s</a><a href=\"#audit\">%s</a><a href=\"#assign\">%s</a><a href=\"#require\">%s</a>"
		    "<a href=\"/admin/points\" id=\"points-link\">%s</a></nav>",
		    tr("admin.title"), tr("admin.sections"), tr("admin.users"), tr("admin.orgs"), tr("admin.import"),
		    tr("audit.title"), tr("assign.title"), tr("require.title"), tr("admin.points_link"));
	/* Users. */
	html_printf(&b,
		    "<section class=\"card\" id=\"users\"><h2 id=\"users-h\">%s</h2>"
		    "<form id=\"user-search\" class=\"toolbar\" role=\"search\">"
		    "<label class=\"grow\">%s<input type=\"search\" id=\"user-q\" name=\"q\" placeholder=\"%s\" autocomplete=\"off\"></label>"
		    "<label>%s<select id=\"user-role\" name=\"role\">",
		    tr("admin.users"), tr("admin.search"), tr("admin.search_ph"), tr("admin.role"));
	role_options(&b, 1);
	html_printf(&b,
		    "</select></label><label>%s<select id=\"user-active\" name=\"active\"><option value=\"\">%s</option>"
		    "<option value=\"1\">%s</option><option value=\"0\">%s</option></select></label></form>"
		    "<p class=\"msg\" id=\"user-msg\" role=\"status\"></p>"
		    "<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-labelledby=\"users-h\">"
		    "<table class=\"list users stack-sm\" id=\"user-list\"><thead><tr>"
		    "<th class=\"keep\"><input type=\"checkbox\" id=\"user-all\" aria-label=\"%s\"></th>"
		    "<th data-sort=\"name\"><button type=\"button\" class=\"sort\">%s</button></th>"
		    "<th data-sort=\"username\"><button type=\"button\" class=\"sort\">%s</button></th>"
		    "<th data-sort=\"role\"><button type=\"button\" class=\"sort\">%s</button></th>"
		    "<th data-sort=\"org\"><button type=\"button\" class=\"sort\">%s</button></th>"
		    "<th>%s</th><th>%s</th></tr></thead><tbody></tbody></table></div>"
		    "<div class=\"pager\"><button type=\"button\" id=\"user-prev\">%s</button>"
		    "<span id=\"user-page\" role=\"status\"></span><button type=\"button\" id=\"user-next\">%s</button></div>"
		    "<form id=\"move-form\" class=\"toolbar bulk\"><span id=\"move-count\">%s</span>"
		    "<label class=\"grow\">%s<select name=\"org_id\" class=\"org-select\" required></select></label>"
		    "<button class=\"primary\" disabled>%s</button><p class=\"msg\" role=\"status\"></p></form></section>",
		    tr("admin.status"), tr("admin.all"), tr("admin.active"), tr("admin.disabled"), tr("admin.select_page"),
		    tr("admin.name"), tr("admin.username"), tr("admin.role"), tr("admin.org"), tr("admin.status"),
		    tr("admin.actions"), tr("admin.prev"), tr("admin.next"), tr("admin.selected_none"), tr("admin.move_to"),
		    tr("admin.move_submit"));
	/* A new user; the organisations. */
	html_printf(&b,
		    "<div class=\"grid2\"><section class=\"card\"><h2>%s</h2><form id=\"user-form\" class=\"stack\">"
		    "<label>%s<input name=\"username\" required maxlength=\"64\" autocapitalize=\"off\" spellcheck=\"false\"></label>"
		    "<label>%s<input name=\"name\" required maxlength=\"64\"></label>"
		    "<label>%s<select name=\"role\">",
		    tr("admin.user_add"), tr("admin.username"), tr("admin.name"), tr("admin.role"));
	role_options(&b, 0);
	html_printf(&b,
		    "</select></label><label>%s<select name=\"org_id\" class=\"org-select\"></select></label>"
		    "<label>%s<input name=\"password\" type=\"password\" minlength=\"8\" required autocomplete=\"new-password\"></label>"
		    "<button class=\"primary\">%s</button><p class=\"msg\" role=\"status\"></p></form></section>",
		    tr("admin.org"), tr("admin.password"), tr("common.create"));
	html_printf(&b,
		    "<section class=\"card\" id=\"orgs\"><h2>%s</h2><p class=\"help\">%s</p><ul class=\"tree\" id=\"org-tree\"></ul>"
		    "<p class=\"msg\" id=\"org-msg\" role=\"status\"></p>"
		    "<form id=\"org-form\" class=\"inline\"><label>%s<input name=\"name\" required maxlength=\"64\"></label>"
		    "<label>%s<select name=\"parent_id\" class=\"org-select\" data-root=\"%s\"></select></label>"
		    "<button class=\"primary\">%s</button><p class=\"msg\" role=\"status\"></p></form></section></div>",
		    tr("admin.orgs"), tr("admin.orgs_help"), tr("admin.org_name"), tr("admin.org_parent"),
		    tr("admin.org_root"), tr("admin.org_add"));
	/* CSV import: preview, then confirm. */
	html_printf(&b,
		    "<section class=\"card\" id=\"import\"><h2 id=\"import-h\">%s</h2><p class=\"help\">%s</p>"
		    "<p><a href=\"/api/v1/users/import/template\" download=\"import-template.csv\" id=\"import-template\">%s</a></p>"
		    "<form id=\"import-form\"><label>%s<input type=\"file\" name=\"file\" accept=\".csv,text/csv\" required></label>"
		    "<label class=\"check\"><input type=\"checkbox\" name=\"allow_role_changes\" id=\"import-roles\">%s</label>"
		    "<button class=\"primary\">%s</button></form>"
		    "<div id=\"import-preview\" aria-live=\"polite\"></div><div id=\"import-result\" role=\"status\"></div></section>",
		    tr("admin.import"), tr("admin.import_help"), tr("admin.import_template"), tr("admin.import_file"),
		    tr("admin.import_roles"), tr("admin.import_preview"));
	/* The audit log. */
	html_printf(&b,
		    "<section class=\"card\" id=\"audit\"><h2 id=\"audit-h\">%s</h2>"
		    "<form id=\"audit-form\" class=\"toolbar\"><label class=\"grow\">%s<input name=\"user\" id=\"audit-user\" "
		    "placeholder=\"%s\" autocapitalize=\"off\" spellcheck=\"false\" maxlength=\"64\"></label>"
		    "<label>%s<input type=\"date\" name=\"from\" id=\"audit-from\"></label>"
		    "<label>%s<input type=\"date\" name=\"to\" id=\"audit-to\"></label>"
		    "<button class=\"primary\">%s</button><p class=\"msg\" role=\"status\"></p></form>"
		    "<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-labelledby=\"audit-h\">"
		    "<table class=\"list audit stack-sm\" id=\"audit-list\"><thead><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th>"
		    "<th>%s</th></tr></thead><tbody></tbody></table></div>"
		    "<div class=\"pager\"><button type=\"button\" id=\"audit-prev\">%s</button>"
		    "<span id=\"audit-page\" role=\"status\"></span><button type=\"button\" id=\"audit-next\">%s</button></div></section>",
		    tr("audit.title"), tr("audit.user"), tr("audit.user_ph"), tr("audit.from"), tr("audit.to"),
		    tr("audit.search"), tr("audit.at"), tr("audit.actor"), tr("audit.action"), tr("audit.target"),
		    tr("audit.detail"), tr("admin.prev"), tr("admin.next"));
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
	/* Yearly study-hour requirements of an organisation (scoring's API; the default is on /assess). */
	html_printf(&b,
		    "<section class=\"card\" id=\"require\"><h2>%s</h2><p class=\"help\">%s</p>"
		    "<form id=\"require-form\" class=\"stack\"><label>%s<select name=\"org_id\" class=\"org-select\" required></select></label>"
		    "<label>%s<input name=\"year\" type=\"number\" min=\"2000\" max=\"2100\" required value=\"%d\"></label>"
		    "<label>%s<input name=\"total_hours\" type=\"number\" min=\"0\" max=\"10000\" step=\"0.5\" required></label>"
		    "<label>%s<input name=\"required_hours\" type=\"number\" min=\"0\" max=\"10000\" step=\"0.5\" required></label>"
		    "<p class=\"help\" id=\"require-current\"></p>"
		    "<button class=\"primary\">%s</button><p class=\"msg\" role=\"status\"></p></form></section>",
		    tr("require.title"), tr("require.help"), tr("assign.org"), tr("assign.year"), year_of(clock_secs()),
		    tr("require.total"), tr("require.required"), tr("common.save"));
	/* Dialogs: edit a user, edit an organisation, a one-time password. */
	html_printf(&b,
		    "<dialog id=\"user-edit\" class=\"confirm\" aria-labelledby=\"user-edit-h\"><form id=\"user-edit-form\">"
		    "<h2 id=\"user-edit-h\">%s</h2><p class=\"help\" id=\"user-edit-who\"></p>"
		    "<label>%s<input name=\"name\" required maxlength=\"64\"></label>"
		    "<label>%s<select name=\"org_id\" class=\"org-select\" required></select></label>"
		    "<label>%s<select name=\"role\">",
		    tr("admin.user_edit"), tr("admin.name"), tr("admin.org"), tr("admin.role"));
	role_options(&b, 0);
	html_printf(&b,
		    "</select></label><p class=\"msg\" role=\"status\"></p><div class=\"actions\">"
		    "<button type=\"button\" class=\"cancel\">%s</button><button class=\"primary\">%s</button></div></form></dialog>"
		    "<dialog id=\"org-edit\" class=\"confirm\" aria-labelledby=\"org-edit-h\"><form id=\"org-edit-form\">"
		    "<h2 id=\"org-edit-h\">%s</h2><label>%s<input name=\"name\" required maxlength=\"64\"></label>"
		    "<label>%s<select name=\"parent_id\" class=\"org-select\" data-root=\"%s\"></select></label>"
		    "<p class=\"msg\" role=\"status\"></p><div class=\"actions\">"
		    "<button type=\"button\" class=\"cancel\">%s</button><button class=\"primary\">%s</button></div></form></dialog>"
		    "<dialog id=\"pw-dialog\" class=\"confirm\" aria-labelledby=\"pw-h\"><h2 id=\"pw-h\">%s</h2>"
		    "<p id=\"pw-who\"></p><p class=\"otp\"><code id=\"pw-value\"></code></p><p class=\"help\">%s</p>"
		    "<div class=\"actions\"><button type=\"button\" class=\"primary\" id=\"pw-done\">%s</button></div></dialog>",
		    tr("common.cancel"), tr("common.save"), tr("admin.org_edit"), tr("admin.org_name"), tr("admin.org_parent"),
		    tr("admin.org_root"), tr("common.cancel"), tr("common.save"), tr("admin.reset_title"),
		    tr("admin.reset_help"), tr("admin.reset_done"));
	return page_reply(r, &b);
}

/* GET /account — my password and my sessions (every user; the only page open while a reset
   password waits to be changed). */
static int page_account(req *r)
{
	buf b;
	buf_init(&b);
	page_begin(r, &b, "account", tr("account.title"));
	html_printf(&b, "<h1>%s</h1><p class=\"help\">%s · %s</p>", tr("account.title"), r->u->name, r->u->username);
	if (r->u->must_change_pw)
		html_printf(&b, "<p class=\"notice\" id=\"must-change\" role=\"alert\">%s</p>", tr("account.must_change"));
	html_printf(&b,
		    "<div class=\"grid2\"><section class=\"card\"><h2>%s</h2><form id=\"pw-form\" class=\"stack\">"
		    "<input type=\"text\" name=\"username\" autocomplete=\"username\" value=\"%s\" hidden>"
		    "<label>%s<input name=\"current_password\" type=\"password\" autocomplete=\"current-password\" required maxlength=\"256\"></label>"
		    "<label>%s<input name=\"new_password\" type=\"password\" autocomplete=\"new-password\" minlength=\"8\" required maxlength=\"256\"></label>"
		    "<label>%s<input name=\"confirm_password\" type=\"password\" autocomplete=\"new-password\" minlength=\"8\" required maxlength=\"256\"></label>"
		    "<p class=\"help\">%s</p><button class=\"primary\">%s</button><p class=\"msg\" role=\"status\"></p></form></section>",
		    tr("account.password"), r->u->username, tr("account.current"), tr("account.new"), tr("account.again"),
		    tr("account.password_help"), tr("account.change"));
	html_printf(&b,
		    "<section class=\"card\"><h2>%s</h2><p class=\"help\">%s</p><ul class=\"sessions\" id=\"session-list\"></ul>"
		    "<button type=\"button\" id=\"end-others\">%s</button><p class=\"msg\" id=\"session-msg\" role=\"status\"></p>"
		    "</section></div>",
		    tr("account.sessions"), tr("account.sessions_help"), tr("account.end_others"));
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
	{.method = "GET", .pattern = "/account", .fn = page_account, .roles = R_ANY, .flags = RF_PAGE},
	{.method = "GET", .pattern = "/static/*", .fn = static_file, .roles = R_PUBLIC, .flags = RF_NOSESSION},
	{.method = "POST", .pattern = "/api/v1/test/clock", .fn = test_clock, .roles = ROLE_ADMIN, .flags = RF_JSON},
	{.method = "GET", .pattern = "/api/v1/health", .fn = health, .roles = R_PUBLIC},
	ROUTES_END,
};
