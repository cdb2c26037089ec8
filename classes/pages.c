/* pages.c — the classes' pages: /classes (my classes, open to join, completed; the admin's new
 * class form), /classes/{id} (its courses in order, what remains, join, certificate, assign) and
 * /me/certificates (downloads, the yearly 学时证明). Rendered from the API's JSON objects. */
#include "classes/access.h"
#include "classes/cert.h"
#include "classes/classes.h"
#include "classes/me.h"
#include "clock.h"
#include "db.h"
#include "html.h"
#include "i18n.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *js(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

/* "2026年3月1日" of an ISO time in o[k], or "". */
static const char *day_txt(arena *a, json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	if (!s)
		return "";
	char *out = arena_alloc(a, 32);
	cert_date(parse_iso(s), out);
	return out;
}

static int pct(double p)
{
	return (int)floor(p * 100 + 0.5);
}

static void progress_row(buf *b, const char *label, double p)
{
	int v = pct(p);
	html_printf(b,
		    "<div class=\"progress-row\"><span>%s</span><progress max=\"100\" value=\"%d\">%d%%</progress>"
		    "<span class=\"pct\">%d%%</span></div>",
		    label, v, v, v);
}

/* One class in a list: title, window, state and progress or seats, and a join button; for staff
   (roster) a link to its roster, inside the item (a list holds only items). */
static void class_item(req *r, buf *b, json_t *c, int roster)
{
	long long id = (long long)json_integer_value(json_object_get(c, "id"));
	json_t *me = json_object_get(c, "me");
	html_printf(b, "<li class=\"class-item\" data-id=\"%lld\"><div class=\"my-title\"><a href=\"/classes/%lld\">%s</a> ",
		    id, id, js(c, "title"));
	html_printf(b, "<span class=\"badge%s\">%s</span></div>", !strcmp(js(c, "mode"), "assigned") ? " required" : "",
		    tr(!strcmp(js(c, "mode"), "assigned") ? "classes.how.assigned" : "classes.mode.open"));
	html_printf(b, "<p class=\"meta\">%s %s — %s", tr("classes.page.window"), day_txt(r->a, c, "opens_at"),
		    day_txt(r->a, c, "closes_at"));
	if (!strcmp(js(c, "window_state"), "open"))
		html_printf(b, " · %s %lld %s", tr("classes.page.days_left"),
			    (long long)json_integer_value(json_object_get(c, "days_left")), tr("classes.page.days"));
	html_raw(b, "</p>");
	if (json_is_object(me)) {
		char key[48];
		snprintf(key, sizeof key, "classes.state.%s", js(me, "state"));
		progress_row(b, tr(key), json_real_value(json_object_get(me, "progress")));
		json_t *cert = json_object_get(me, "certificate");
		if (json_is_object(cert))
			html_printf(b, "<p><a class=\"button\" href=\"%s\" download>%s</a></p>", js(cert, "pdf_url"),
				    tr("classes.page.download"));
	} else if (json_is_true(json_object_get(c, "can_join"))) {
		json_t *left = json_object_get(c, "seats_left");
		if (json_is_integer(left))
			html_printf(b, "<p class=\"muted\">%s %lld</p>", tr("classes.page.seats_left"),
				    (long long)json_integer_value(left));
		html_printf(b,
			    "<p><button type=\"button\" class=\"primary join\" data-id=\"%lld\">%s</button></p>"
			    "<p class=\"msg\" role=\"status\"></p>",
			    id, tr("classes.page.join"));
	}
	if (roster)
		html_printf(b, "<p class=\"links\"><a href=\"/classes/%lld/roster\">%s</a></p>", id,
			    tr("classes.page.roster"));
	html_raw(b, "</li>");
}

/* The admin's form for a new class (the course picker is filled by page-classes.js). */
static void new_class_form(buf *b)
{
	html_printf(b,
		    "<section class=\"card\" id=\"new-class\"><h2>%s</h2><form id=\"class-form\">"
		    "<label>%s<input name=\"title\" required maxlength=\"100\"></label>"
		    "<label>%s<textarea name=\"summary\" class=\"short\" maxlength=\"2000\"></textarea></label>"
		    "<div class=\"row2\"><label>%s<input type=\"date\" name=\"opens\" required></label>"
		    "<label>%s<input type=\"date\" name=\"closes\" required></label></div>"
		    "<div class=\"row2\"><label>%s<select name=\"mode\"><option value=\"open\">%s</option>"
		    "<option value=\"assigned\">%s</option></select></label>"
		    "<label>%s<input type=\"number\" name=\"capacity\" min=\"0\" value=\"0\"></label></div>"
		    "<label>%s<input type=\"number\" name=\"min_hours\" min=\"0\" step=\"0.25\" value=\"0\"></label>"
		    "<fieldset><legend>%s</legend><ul class=\"assign-list\" id=\"course-pick\"></ul></fieldset>"
		    "<p><button type=\"submit\" class=\"primary\">%s</button></p><p class=\"msg\" id=\"class-msg\" "
		    "role=\"status\"></p></form></section>",
		    tr("classes.page.new"), tr("classes.page.title"), tr("classes.page.summary"), tr("classes.page.opens"),
		    tr("classes.page.closes"), tr("classes.page.mode"), tr("classes.mode.open"), tr("classes.how.assigned"),
		    tr("classes.page.capacity"), tr("classes.page.min_hours"), tr("classes.page.courses"),
		    tr("classes.page.create"));
}

/* GET /classes — my classes, those open to join, completed ones; staff see every class they
   reach (with its roster); an admin also the new class form. */
static int page_classes(req *r)
{
	json_t *root = classes_list_json(r), *all = json_object_get(root, "classes");
	buf b;
	buf_init(&b);
	page_begin(r, &b, "classes", tr("nav.classes"));
	html_printf(&b, "<h1>%s</h1><p><a href=\"/me/certificates\" id=\"my-certs-link\">%s →</a></p>", tr("nav.classes"),
		    tr("classes.page.certificates"));
	if (r->u->role == ROLE_ADMIN)
		new_class_form(&b);
	static const char *const parts[][2] = {{"mine", "classes.page.mine"},
					       {"open", "classes.page.open"},
					       {"done", "classes.page.done"},
					       {"staff", "classes.page.all"}};
	for (size_t p = 0; p < ARRAY_LEN(parts); p++) {
		if (p == 3 && r->u->role == ROLE_MEMBER)
			continue;
		if (p < 3 && r->u->role != ROLE_MEMBER)
			continue;
		html_printf(&b, "<section class=\"card\"><h2>%s</h2><ul class=\"my-list\" id=\"classes-%s\">", tr(parts[p][1]),
			    parts[p][0]);
		int n = 0;
		size_t i;
		json_t *c;
		json_array_foreach(all, i, c)
		{
			int joined = json_is_true(json_object_get(c, "joined"));
			int done = json_is_true(json_object_get(c, "completed"));
			int can = json_is_true(json_object_get(c, "can_join"));
			int show = p == 0 ? joined && !done : p == 1 ? !joined && can : p == 2 ? done : 1;
			if (!show)
				continue;
			n++;
			class_item(r, &b, c, p == 3);
		}
		html_raw(&b, "</ul>");
		if (!n)
			html_printf(&b, "<p class=\"muted empty\">%s</p>", tr("classes.page.none"));
		html_raw(&b, "</section>");
	}
	json_decref(root);
	return page_reply(r, &b);
}

/* GET /classes/{id} (class_view) — the class: window, my progress and what remains, its courses
   in order, join, my certificate; the roster link for those who may read it; an admin's assign. */
static int page_class(req *r)
{
	const class_res *cr = r->res;
	class_row row;
	if (!class_load(cr->id, &row))
		return page_error_reply(r, 404, tr("classes.err.missing"), "/classes", tr("nav.classes"));
	json_t *c = class_json(r, &row, 1);
	class_row_free(&row);
	json_t *me = json_object_get(c, "me");
	buf b;
	buf_init(&b);
	page_begin(r, &b, "class", js(c, "title"));
	html_printf(&b, "<article class=\"class\" data-id=\"%lld\"><header class=\"card\">", (long long)cr->id);
	if (*js(c, "cover_url"))
		html_printf(&b, "<img class=\"course-cover\" src=\"%s\" alt=\"\">", js(c, "cover_url"));
	html_printf(&b, "<h1>%s</h1><p class=\"meta\">", js(c, "title"));
	html_printf(&b, "<span class=\"badge\">%s</span> ",
		    tr(!strcmp(js(c, "mode"), "assigned") ? "classes.how.assigned" : "classes.mode.open"));
	html_printf(&b, "%s %s — %s", tr("classes.page.window"), day_txt(r->a, c, "opens_at"), day_txt(r->a, c, "closes_at"));
	if (!strcmp(js(c, "window_state"), "open"))
		html_printf(&b, " · <span id=\"days-left\">%s %lld %s</span>", tr("classes.page.days_left"),
			    (long long)json_integer_value(json_object_get(c, "days_left")), tr("classes.page.days"));
	html_raw(&b, "</p>");
	if (*js(c, "summary"))
		html_printf(&b, "<p class=\"summary\">%s</p>", js(c, "summary"));
	double min_hours = json_real_value(json_object_get(c, "min_hours"));
	if (min_hours > 0) {
		char h[32];
		cert_hours(min_hours, h);
		html_printf(&b, "<p class=\"muted\">%s %s %s</p>", tr("classes.page.rule_hours"), h, tr("course.hours_unit"));
	}
	html_raw(&b, "<div class=\"actions\" id=\"class-me\">");
	if (json_is_object(me)) {
		char key[48];
		snprintf(key, sizeof key, "classes.state.%s", js(me, "state"));
		progress_row(&b, tr(key), json_real_value(json_object_get(me, "progress")));
		json_t *cert = json_object_get(me, "certificate");
		if (json_is_object(cert)) {
			html_printf(&b,
				    "<p>%s %s</p><p><a class=\"button primary\" id=\"cert-download\" href=\"%s\" download>%s</a> "
				    "<a class=\"button\" href=\"%s\">%s</a></p>",
				    tr("classes.page.completed_on"), day_txt(r->a, me, "completed_at"), js(cert, "pdf_url"),
				    tr("classes.page.download"), js(cert, "verify_url"), tr("classes.page.verify"));
		} else {
			double need = json_real_value(json_object_get(me, "hours_needed"));
			size_t left = json_array_size(json_object_get(me, "remaining"));
			html_printf(&b, "<p id=\"remains\">%s", tr("classes.page.remains"));
			if (left)
				html_printf(&b, " %zu %s", left, tr("classes.page.required_left"));
			if (need > 0) {
				char h[32];
				cert_hours(need, h);
				html_printf(&b, " %s %s %s", tr("classes.page.hours_left"), h, tr("course.hours_unit"));
			}
			if (json_is_true(json_object_get(me, "exam_needed")))
				html_printf(&b, " %s", tr("classes.page.exam_left"));
			html_raw(&b, "</p>");
		}
	} else if (json_is_true(json_object_get(c, "can_join"))) {
		html_printf(&b, "<button type=\"button\" class=\"primary join\" id=\"join\" data-id=\"%lld\">%s</button>",
			    (long long)cr->id, tr("classes.page.join"));
	} else if (json_is_string(json_object_get(c, "join_refusal")) && r->u->role == ROLE_MEMBER) {
		char key[64];
		snprintf(key, sizeof key, "classes.join.%s", js(c, "join_refusal"));
		html_printf(&b, "<p class=\"help\" id=\"join-refusal\">%s</p>", tr(key));
	}
	html_raw(&b, "<p class=\"msg\" id=\"join-msg\" role=\"status\"></p></div>");
	if (cr->admin || cr->organiser || r->u->role == ROLE_ASSESSOR)
		html_printf(&b, "<p><a class=\"button\" href=\"/classes/%lld/roster\">%s</a></p>", (long long)cr->id,
			    tr("classes.page.roster"));
	html_raw(&b, "</header>");

	/* The courses in class order, with what remains. */
	html_printf(&b, "<section class=\"card\"><h2>%s</h2><ol class=\"lecture-list\" id=\"class-courses\">",
		    tr("classes.page.courses"));
	size_t i;
	json_t *k;
	json_array_foreach(json_object_get(c, "courses"), i, k)
	{
		long long cid = (long long)json_integer_value(json_object_get(k, "id"));
		int req_ = json_is_true(json_object_get(k, "required"));
		html_raw(&b, "<li>");
		if (json_is_string(json_object_get(k, "title")))
			html_printf(&b, "<a href=\"/courses/%lld\">%s</a>", cid, js(k, "title"));
		else
			html_printf(&b, "<span class=\"title muted\">%s</span>", tr("classes.page.course_hidden"));
		html_printf(&b, "<span class=\"lecture-meta\"><span class=\"badge%s\">%s</span> ", req_ ? " required" : "",
			    tr(req_ ? "course.required" : "course.elective"));
		char h[32];
		cert_hours(json_number_value(json_object_get(k, "credit_hours")), h);
		html_printf(&b, "<span class=\"hours\">%s %s</span> ", h, tr("course.hours_unit"));
		if (json_is_true(json_object_get(k, "counted")))
			html_printf(&b, "<span class=\"badge ok\">%s</span>", tr("classes.page.course_done"));
		else if (json_is_string(json_object_get(k, "completed_at")))
			html_printf(&b, "<span class=\"badge warn\">%s</span>", tr("classes.page.course_outside"));
		else if (json_is_true(json_object_get(k, "enrolled")))
			html_printf(&b, "<span class=\"badge\">%s %d%%</span>", tr("classes.page.course_studying"),
				    pct(json_number_value(json_object_get(k, "course_progress"))));
		else
			html_printf(&b, "<span class=\"badge\">%s</span>", tr("classes.page.course_todo"));
		html_raw(&b, "</span></li>");
	}
	html_raw(&b, "</ol></section>");

	if (cr->admin) {
		html_printf(&b, "<section class=\"card\" id=\"assign\"><h2>%s</h2>", tr("classes.page.assign"));
		json_t *names = json_object_get(c, "org_names");
		if (json_array_size(names)) {
			html_printf(&b, "<p>%s", tr("classes.page.assigned_to"));
			json_array_foreach(names, i, k) html_printf(&b, "%s%s", i ? "、" : " ", json_string_value(k));
			html_raw(&b, "</p>");
		}
		html_printf(&b,
			    "<form id=\"cover-form\" data-id=\"%lld\"><label class=\"button file\">%s<input type=\"file\" "
			    "name=\"cover\" accept=\"image/png,image/jpeg,image/webp\"></label><p class=\"msg\" id=\"cover-msg\" "
			    "role=\"status\"></p></form>",
			    (long long)cr->id, tr("classes.page.cover"));
		html_printf(&b, "<form id=\"assign-form\" class=\"inline\" data-id=\"%lld\"><label>%s<select name=\"org_id\">",
			    (long long)cr->id, tr("classes.page.org"));
		db_stmt q;
		sqlite3_stmt *st = db_prepare(&q, "SELECT id, name, length(path) - length(replace(path, '/', '')) FROM orgs"
						  " ORDER BY path",
					      "");
		while (db_step(st) == 1) {
			int depth = sqlite3_column_int(st, 2) - 2;
			html_printf(&b, "<option value=\"%lld\">", (long long)sqlite3_column_int64(st, 0));
			for (int d = 0; d < depth && d < 12; d++)
				html_raw(&b, "　");
			html_printf(&b, "%s</option>", db_col_text(st, 1));
		}
		db_finalize(&q);
		html_printf(&b, "</select></label> <button type=\"submit\">%s</button><p class=\"msg\" id=\"assign-msg\" "
				"role=\"status\"></p></form></section>",
			    tr("classes.page.assign_do"));
	}
	html_raw(&b, "</article>");
	json_decref(c);
	return page_reply(r, &b);
}

/* GET /me/certificates — the caller's certificates (download, verify) and the yearly 学时证明. */
static int page_certificates(req *r)
{
	json_t *all = certificates_json(r->u->id);
	buf b;
	buf_init(&b);
	page_begin(r, &b, "certificates", tr("classes.page.certificates"));
	html_printf(&b, "<h1>%s</h1><section class=\"card\" id=\"my-certificates\">", tr("classes.page.certificates"));
	json_t *list = json_object_get(all, "certificates");
	if (!json_array_size(list))
		html_printf(&b, "<p class=\"muted empty\">%s</p>", tr("classes.page.no_certificates"));
	else
		html_raw(&b, "<ul class=\"my-list\">");
	size_t i;
	json_t *c;
	json_array_foreach(list, i, c)
	{
		int revoked = json_is_true(json_object_get(c, "revoked"));
		html_printf(&b, "<li class=\"cert-item\"><div class=\"my-title\">%s <span class=\"badge%s\">%s</span>",
			    js(c, "title"), revoked ? " bad" : "",
			    tr(revoked ? "classes.page.revoked"
				       : !strcmp(js(c, "kind"), "class") ? "classes.cert.kind_class" : "classes.cert.kind_year"));
		html_printf(&b, "</div><p class=\"meta\">%s · %s %s</p>", js(c, "number"), tr("classes.page.issued_on"),
			    day_txt(r->a, c, "issued_at"));
		if (!revoked)
			html_printf(&b, "<p><a class=\"button primary\" href=\"%s\" download>%s</a> <a class=\"button\" href=\"%s\">%s</a></p>",
				    js(c, "pdf_url"), tr("classes.page.download"), js(c, "verify_url"), tr("classes.page.verify"));
		html_raw(&b, "</li>");
	}
	if (json_array_size(list))
		html_raw(&b, "</ul>");
	html_raw(&b, "</section>");
	int year = year_of(clock_secs());
	html_printf(&b,
		    "<section class=\"card\" id=\"year-cert\"><h2>%s</h2><p class=\"help\">%s</p><form id=\"year-form\" "
		    "class=\"inline\"><label>%s<select name=\"year\">",
		    tr("classes.cert.kind_year"), tr("classes.page.year_help"), tr("classes.page.year"));
	for (int y = year; y > year - 5 && y >= 2000; y--)
		html_printf(&b, "<option value=\"%d\">%d</option>", y, y);
	html_printf(&b, "</select></label> <button type=\"submit\" class=\"primary\">%s</button><p class=\"msg\" "
			"id=\"year-msg\" role=\"status\"></p></form></section>",
		    tr("classes.page.year_issue"));
	json_decref(all);
	return page_reply(r, &b);
}

void classes_me_section(req *r, buf *b)
{
	/* My classes: those joined or assigned, with progress and the days left. */
	json_t *classes = classes_list_json(r);
	html_printf(b, "<section class=\"card\" id=\"me-classes\"><h2>%s</h2>", tr("classes.page.mine"));
	size_t i, shown = 0;
	json_t *c;
	json_array_foreach(json_object_get(classes, "classes"), i, c)
	{
		if (!json_is_true(json_object_get(c, "joined")))
			continue;
		if (!shown++)
			html_raw(b, "<ul class=\"my-list\">");
		int done = json_is_true(json_object_get(c, "completed"));
		int pct = (int)(json_real_value(json_object_get(c, "progress")) * 100 + 0.5);
		html_printf(b, "<li><div class=\"my-title\"><a href=\"/classes/%lld\">%s</a>",
			    (long long)json_integer_value(json_object_get(c, "id")), js(c, "title"));
		if (done)
			html_printf(b, " <span class=\"badge ok\">%s</span>", tr("classes.page.course_done"));
		html_printf(b, "</div><div class=\"progress-row\"><progress max=\"100\" value=\"%d\" aria-label=\"%s\">%d%%</progress>"
			    "<span class=\"pct\">%d%%</span></div>",
			    pct, tr("course.progress"), pct, pct);
		if (!done && !strcmp(js(c, "window_state"), "open"))
			html_printf(b, "<p class=\"meta\">%s %lld %s</p>", tr("classes.page.days_left"),
				    (long long)json_integer_value(json_object_get(c, "days_left")), tr("classes.page.days"));
		html_raw(b, "</li>");
	}
	if (shown)
		html_raw(b, "</ul>");
	else
		html_printf(b, "<p class=\"muted\">%s</p>", tr("classes.page.none"));
	html_printf(b, "<p><a href=\"/classes\">%s →</a></p></section>", tr("nav.classes"));
	json_decref(classes);

	json_t *all = certificates_json(r->u->id);
	html_printf(b, "<section class=\"card\" id=\"me-certificates\"><h2>%s</h2>", tr("classes.page.certificates"));
	json_t *list = json_object_get(all, "certificates");
	if (!json_array_size(list))
		html_printf(b, "<p class=\"muted\">%s</p>", tr("classes.page.none"));
	else
		html_raw(b, "<ul class=\"my-list\">");
	json_array_foreach(list, i, c)
	{
		int revoked = json_is_true(json_object_get(c, "revoked"));
		html_printf(b, "<li><div class=\"my-title\">%s</div><p class=\"meta\">%s · %s %s", js(c, "title"), js(c, "number"),
			    tr("classes.page.issued_on"), day_txt(r->a, c, "issued_at"));
		if (revoked)
			html_printf(b, " <span class=\"badge bad\">%s</span></p>", tr("classes.page.revoked"));
		else
			html_printf(b, " · <a href=\"%s\" download>%s</a></p>", js(c, "pdf_url"), tr("classes.page.download"));
		html_raw(b, "</li>");
	}
	if (json_array_size(list))
		html_raw(b, "</ul>");
	html_printf(b, "<p><a href=\"/me/certificates\">%s →</a> · <a href=\"/classes\">%s →</a></p></section>",
		    tr("classes.page.year_issue"), tr("classes.page.mine"));
	json_decref(all);
}

const route class_page_routes[] = {
	{.method = "GET", .pattern = "/classes", .fn = page_classes, .roles = R_ANY, .flags = RF_PAGE},
	{.method = "GET", .pattern = "/classes/{id}", .fn = page_class, .roles = R_ANY, .flags = RF_PAGE, .res = &class_view},
	{.method = "GET", .pattern = "/me/certificates", .fn = page_certificates, .roles = R_ANY, .flags = RF_PAGE},
	ROUTES_END,
};
