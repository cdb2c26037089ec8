/* rules_api.c — point rules as an admin edits them: the rules in force and their scheduled
 * versions (GET/POST /api/v1/point-rules), and the page /admin/points. A new version applies to
 * awards from its effective day on; rows already in the ledger never change. */
#include "audit.h"
#include "clock.h"
#include "db.h"
#include "html.h"
#include "http.h"
#include "i18n.h"
#include "scoring/ledger.h"
#include "scoring/routes.h"

#include <string.h>

static json_t *rule_json(const point_rule *r)
{
	char day[11];
	rule_day_format(r->effective_from, day);
	char key[64];
	snprintf(key, sizeof key, "scoring.rule.%s", r->code);
	return json_pack("{s:s,s:s,s:s,s:i,s:i,s:s}", "code", r->code, "name", tr(key), "unit", rule_unit_name(r->unit),
			 "points", r->points, "daily_cap", r->daily_cap, "effective_from",
			 r->effective_from <= RULE_DAY_MIN ? "2000-01-01" : day);
}

/* GET /api/v1/point-rules — every rule as in force today, and every version admins wrote. */
static int rules_get(req *r)
{
	academy_day today = academy_day_of(clock_secs());
	json_t *rules = json_array(), *versions = json_array();
	for (size_t i = 0; i < rule_ndefaults; i++) {
		point_rule now;
		if (rules_in_force(rule_defaults[i].code, today.dayno, &now) < 0)
			continue;
		json_t *j = rule_json(&now);
		json_object_set_new(j, "is_default", json_boolean(now.points == rule_defaults[i].points &&
								  now.daily_cap == rule_defaults[i].daily_cap));
		json_object_set_new(j, "default_points", json_integer(rule_defaults[i].points));
		json_object_set_new(j, "default_daily_cap", json_integer(rule_defaults[i].daily_cap));
		json_array_append_new(rules, j);
	}
	db_stmt q;
	sqlite3_stmt *st = db_prepare(&q,
				      "SELECT p.id, p.code, p.points, p.daily_cap, p.effective_from, p.created_at, "
				      "  ifnull(u.name, '') FROM point_rules p LEFT JOIN users u ON u.id = p.created_by "
				      "ORDER BY p.effective_from DESC, p.id DESC",
				      NULL);
	while (db_step(st) == 1) {
		point_rule v = {.points = sqlite3_column_int(st, 2), .daily_cap = sqlite3_column_int(st, 3),
				.effective_from = sqlite3_column_int(st, 4)};
		snprintf(v.code, sizeof v.code, "%s", db_col_text(st, 1));
		for (size_t i = 0; i < rule_ndefaults; i++)
			if (!strcmp(rule_defaults[i].code, v.code))
				v.unit = rule_defaults[i].unit;
		json_t *j = rule_json(&v);
		char at[24];
		iso_time(sqlite3_column_int64(st, 5), at);
		json_object_set_new(j, "id", json_integer(sqlite3_column_int64(st, 0)));
		json_object_set_new(j, "created_at", json_string(at));
		json_object_set_new(j, "created_by", json_string(db_col_text(st, 6)));
		json_object_set_new(j, "pending", json_boolean(v.effective_from > today.dayno));
		json_array_append_new(versions, j);
	}
	db_finalize(&q);
	char day[11];
	rule_day_format(today.dayno, day);
	return reply_json(r, 200, json_pack("{s:s,s:o,s:o}", "today", day, "rules", rules, "versions", versions));
}

/* POST /api/v1/point-rules {"code","points","daily_cap","effective_from","unit"?} — a new version. */
static int rules_post(req *r)
{
	const char *code = NULL, *unit = NULL, *eff = NULL;
	int64_t points = 0, cap = 0;
	if (body_str(r, "code", 1, RULE_CODE_MAX, &code) < 0 || body_int(r, "points", 1, INT32_MIN, INT32_MAX, &points) < 0 ||
	    body_int(r, "daily_cap", 1, INT32_MIN, INT32_MAX, &cap) < 0 || body_str(r, "effective_from", 1, 10, &eff) < 0 ||
	    body_str(r, "unit", 0, 20, &unit) < 0)
		return 0;
	/* The unit of a code is fixed; an absent unit means that one. */
	if (!unit)
		for (size_t i = 0; i < rule_ndefaults; i++)
			if (!strcmp(rule_defaults[i].code, code))
				unit = rule_unit_name(rule_defaults[i].unit);
	academy_day today = academy_day_of(clock_secs());
	point_rule v;
	const char *why = rule_validate(code, (int)points, unit, (int)cap, eff, today.dayno, &v);
	if (why)
		return reply_error(r, 422, strchr(why, '.') ? strrchr(why, '.') + 1 : why, "%s", tr(why));
	int64_t now = clock_secs();
	if (db_begin() < 0)
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	int ok = db_exec("INSERT INTO point_rules(code, points, unit, daily_cap, effective_from, created_at, created_by) "
			 "VALUES (?, ?, ?, ?, ?, ?, ?)",
			 "sisiiii", v.code, (int64_t)v.points, rule_unit_name(v.unit), (int64_t)v.daily_cap,
			 (int64_t)v.effective_from, now, r->u->id) == 1;
	int64_t id = ok ? db_last_id() : 0;
	if (ok) {
		json_t *d = json_pack("{s:s,s:i,s:i,s:s}", "code", v.code, "points", v.points, "daily_cap", v.daily_cap,
				      "effective_from", eff);
		char *text = json_dumps(d, JSON_COMPACT);
		ok = audit_log(r->u->id, "rule.update", "point_rule", id, text) == 0;
		free(text);
		json_decref(d);
	}
	if (!ok) {
		db_rollback();
		return reply_error(r, 500, "internal", "%s", tr("err.internal"));
	}
	if (db_commit() < 0)
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	rules_changed();
	json_t *j = rule_json(&v);
	json_object_set_new(j, "id", json_integer(id));
	json_object_set_new(j, "pending", json_boolean(v.effective_from > today.dayno));
	return reply_json(r, 201, j);
}

void rules_rows_html(buf *b)
{
	academy_day today = academy_day_of(clock_secs());
	for (size_t i = 0; i < rule_ndefaults; i++) {
		point_rule v;
		if (rules_in_force(rule_defaults[i].code, today.dayno, &v) < 0)
			continue;
		char key[64], ukey[64], since[11];
		snprintf(key, sizeof key, "scoring.rule.%s", v.code);
		snprintf(ukey, sizeof ukey, "scoring.unit.%s", rule_unit_name(v.unit));
		rule_day_format(v.effective_from, since);
		html_printf(b, "<tr data-code=\"%s\"><td>%s</td><td class=\"num\">%d</td><td>%s</td><td class=\"num\">",
			    v.code, tr(key), v.points, tr(ukey));
		if (v.daily_cap)
			html_printf(b, "%d", v.daily_cap);
		else
			html_printf(b, "%s", tr("points.no_cap"));
		html_printf(b, "</td><td>%s</td></tr>", v.effective_from <= RULE_DAY_MIN ? tr("points.default") : since);
	}
}

/* GET /admin/points — the rules in force, a form to schedule a change, the versions. */
static int page_points(req *r)
{
	buf b;
	buf_init(&b);
	academy_day today = academy_day_of(clock_secs());
	char day[11];
	rule_day_format(today.dayno, day);
	page_begin(r, &b, "admin-points", tr("points.admin_title"));
	html_printf(&b, "<h1>%s</h1><p class=\"help\">%s</p>", tr("points.admin_title"), tr("points.admin_help"));
	html_printf(&b,
		    "<section class=\"card\"><h2 id=\"rules-h\">%s</h2><div class=\"table-wrap\" tabindex=\"0\" role=\"region\" "
		    "aria-labelledby=\"rules-h\"><table class=\"list\" id=\"rules\"><thead><tr><th>%s</th>"
		    "<th class=\"num\">%s</th><th>%s</th><th class=\"num\">%s</th><th>%s</th></tr></thead><tbody>",
		    tr("points.in_force"), tr("points.rule"), tr("points.points"), tr("points.unit"), tr("points.cap"),
		    tr("points.since"));
	rules_rows_html(&b);
	html_printf(&b, "</tbody></table></div></section>");
	html_printf(&b,
		    "<section class=\"card\"><h2>%s</h2><p class=\"help\">%s</p><form id=\"rule-form\" class=\"stack\">"
		    "<label>%s<select name=\"code\" id=\"rule-code\">",
		    tr("points.change"), tr("points.change_help"), tr("points.rule"));
	for (size_t i = 0; i < rule_ndefaults; i++) {
		char key[64];
		snprintf(key, sizeof key, "scoring.rule.%s", rule_defaults[i].code);
		html_printf(&b, "<option value=\"%s\">%s</option>", rule_defaults[i].code, tr(key));
	}
	html_printf(&b,
		    "</select></label>"
		    "<label>%s<input name=\"points\" type=\"number\" min=\"0\" max=\"%d\" required inputmode=\"numeric\"></label>"
		    "<label>%s<input name=\"daily_cap\" type=\"number\" min=\"0\" max=\"%d\" required inputmode=\"numeric\"></label>"
		    "<label>%s<input name=\"effective_from\" type=\"date\" min=\"%s\" value=\"%s\" required></label>"
		    "<button class=\"primary\">%s</button><p class=\"msg\" role=\"status\"></p></form></section>",
		    tr("points.points"), RULE_POINTS_MAX, tr("points.cap_input"), RULE_CAP_MAX, tr("points.since"), day, day,
		    tr("points.save"));
	html_printf(&b,
		    "<section class=\"card\"><h2 id=\"versions-h\">%s</h2><div class=\"table-wrap\" tabindex=\"0\" role=\"region\" "
		    "aria-labelledby=\"versions-h\"><table class=\"list\" id=\"versions\"><thead><tr><th>%s</th><th>%s</th>"
		    "<th>%s</th><th>%s</th><th>%s</th></tr></thead><tbody></tbody></table></div></section>",
		    tr("points.versions"), tr("points.rule"), tr("points.points"), tr("points.cap"), tr("points.since"),
		    tr("points.by"));
	return page_reply(r, &b);
}

const route rules_routes[] = {
	{.method = "GET", .pattern = "/api/v1/point-rules", .fn = rules_get, .roles = ROLE_ADMIN},
	{.method = "POST", .pattern = "/api/v1/point-rules", .fn = rules_post, .roles = ROLE_ADMIN, .flags = RF_JSON},
	{.method = "GET", .pattern = "/admin/points", .fn = page_points, .roles = ROLE_ADMIN, .flags = RF_PAGE},
	ROUTES_END,
};
