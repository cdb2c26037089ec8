/* me.c — a member's own scoring: GET /api/v1/me/summary (the year's totals and assessment),
 * GET /api/v1/me/points (the ledger, paged), and the page /me (hours against the requirement,
 * status in plain words, projection, points, a weekly study chart, the ledger). */
#include "scoring/me.h"
#include "clock.h"
#include "db.h"
#include "html.h"
#include "http.h"
#include "i18n.h"
#include "scoring/chart.h"
#include "scoring/ledger.h"
#include "scoring/report_api.h"
#include "scoring/require.h"
#include "scoring/routes.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct me_year {
	member_status ms;
	double study_s;
	int64_t points, points_today, courses;
} me_year;

/* The signed-in member's year: assessment (scoring/require.h) and the totals the summary adds,
   from one score_totals read; the organisation's path comes with the session. */
static int me_year_load(const user *u, int year, me_year *y)
{
	memset(y, 0, sizeof *y);
	int64_t now = clock_secs();
	member_totals t;
	if (!u->org_path || require_totals_read(u->id, year, &t) < 0)
		return -1;
	requirement rq = require_of_path(u->org_path, year);
	require_evaluate(&rq, year, t.hours_required, t.hours_elective, now, &y->ms);
	y->study_s = t.study_s;
	y->points = t.points;
	y->courses = t.courses;
	academy_day d = academy_day_of(now);
	if (d.year == year)
		y->points_today = db_int(0, "SELECT ifnull(sum(points), 0) FROM score_daily WHERE user_id = ? AND day = ?",
					 "ii", u->id, (int64_t)d.ymd);
	return 0;
}

/* GET /api/v1/me/summary?year=Y */
static int me_summary(req *r)
{
	int year;
	if (report_year_arg(r, req_arg(r, "year"), &year) < 0)
		return 0;
	me_year y;
	if (me_year_load(r->u, year, &y) < 0)
		return reply_error(r, 404, "not_found", "%s", tr("err.user_missing"));
	json_t *j = require_status_json(&y.ms);
	json_object_set_new(j, "study_s", json_real(round(y.study_s * 1000) / 1000));
	json_object_set_new(j, "points", json_integer(y.points));
	json_object_set_new(j, "points_today", json_integer(y.points_today));
	json_object_set_new(j, "courses_completed", json_integer(y.courses));
	return reply_json(r, 200, j);
}

/* The first instant of academy day "YYYY-MM-DD" (local midnight), or -1 when it is no date. */
static int64_t day_start(const char *ymd)
{
	int dn;
	if (!ymd || rule_day_parse(ymd, &dn) < 0)
		return -1;
	/* Local midnight lies within 15 h of UTC midnight in every zone: step from before it. */
	int64_t t = day_end(parse_iso(ymd) - 15 * 3600);
	char d[11];
	for (int i = 0; i < 3; i++) {
		day_of(t, d);
		if (strcmp(d, ymd) >= 0)
			break;
		t = day_end(t);
	}
	return t;
}

static json_t *entry_json(sqlite3_stmt *st)
{
	char at[24], key[64];
	iso_time(sqlite3_column_int64(st, 3), at);
	const char *rule = db_col_text(st, 0);
	snprintf(key, sizeof key, "scoring.rule.%s", rule);
	json_t *e = json_pack("{s:s,s:s,s:I,s:s,s:s,s:I}", "rule", rule, "name", tr(key), "points",
			      (json_int_t)sqlite3_column_int64(st, 1), "ref", db_col_text(st, 2), "at", at, "seq",
			      (json_int_t)sqlite3_column_int64(st, 5));
	const char *detail = (const char *)sqlite3_column_text(st, 4);
	json_t *d = detail ? json_loads(detail, 0, NULL) : NULL;
	json_object_set_new(e, "detail", d ? d : json_null());
	return e;
}

/* GET /api/v1/me/points?from=DATE&to=DATE&page=&per_page= — newest first. */
static int me_points(req *r)
{
	const char *from = req_arg(r, "from"), *to = req_arg(r, "to");
	int64_t lo = 0, hi = INT64_MAX;
	if (from && *from && (lo = day_start(from)) < 0)
		return reply_error(r, 422, "invalid_date", "%s", tr("scoring.err.date"));
	if (to && *to) {
		int64_t s = day_start(to);
		if (s < 0)
			return reply_error(r, 422, "invalid_date", "%s", tr("scoring.err.date"));
		hi = day_end(s) - 1;
	}
	if (lo > hi)
		return reply_error(r, 422, "invalid_range", "%s", tr("scoring.err.date_order"));
	int64_t page, per;
	int64_t off = req_page(r, 50, 200, &page, &per);
	int64_t total = db_int(0, "SELECT count(*) FROM ledger WHERE user_id = ? AND at BETWEEN ? AND ?", "iii", r->u->id,
			       lo, hi);
	json_t *list = json_array();
	db_stmt q;
	sqlite3_stmt *st = db_prepare(&q,
				      "SELECT rule, points, ref, at, detail, seq FROM ledger WHERE user_id = ? AND at BETWEEN ? "
				      "AND ? ORDER BY seq DESC LIMIT ? OFFSET ?",
				      "iiiii", r->u->id, lo, hi, per, off);
	while (db_step(st) == 1)
		json_array_append_new(list, entry_json(st));
	db_finalize(&q);
	return reply_json(r, 200, json_pack("{s:o,s:I,s:I,s:I}", "entries", list, "total", (json_int_t)total, "page",
					    (json_int_t)page, "per_page", (json_int_t)per));
}

/* ---- the page ---- */

/* Hours as the page shows them: at most two decimals, no trailing zeros. */
static void put_hours(buf *b, double h)
{
	char s[32];
	snprintf(s, sizeof s, "%.2f", round(h * 100) / 100);
	char *e = s + strlen(s) - 1;
	while (*e == '0')
		*e-- = 0;
	if (*e == '.')
		*e = 0;
	html_printf(b, "%s", s);
}

/* A labelled bar: value of target (a <meter> with the numbers also as text). */
static void hours_bar(buf *b, const char *label, double have, double want)
{
	html_printf(b, "<div class=\"me-bar\"><div class=\"me-bar-label\"><span>%s</span><span class=\"me-num\">", label);
	put_hours(b, have);
	if (want <= 0) { /* no requirement (required hours default to 0) */
		html_printf(b, " %s（%s）</span></div></div>", tr("me.hours_unit"), tr("me.no_requirement"));
		return;
	}
	html_printf(b, " / ");
	put_hours(b, want);
	html_printf(b, " %s</span></div><meter min=\"0\" max=\"%.2f\" value=\"%.2f\" aria-label=\"%s\"></meter></div>",
		    tr("me.hours_unit"), want > 0 ? want : 1, want > 0 ? fmin(have, want) : 1, label);
}

/* Study seconds per week (Monday to Sunday) for the 12 weeks up to this one, from score_daily. */
static void weekly_chart(buf *b, int64_t uid)
{
	enum { WEEKS = 12 };
	academy_day today = academy_day_of(clock_secs());
	/* Day numbers: 1970-01-01 (day 0) was a Thursday, so Monday-based weeks start at dayno - (dayno + 3) % 7. */
	int monday = today.dayno - (today.dayno + 3) % 7, first = monday - 7 * (WEEKS - 1);
	double secs[WEEKS] = {0};
	char first_s[11];
	rule_day_format(first, first_s);
	int64_t first_ymd = atoi(first_s) * 10000 + atoi(first_s + 5) * 100 + atoi(first_s + 8);
	db_stmt q;
	sqlite3_stmt *st = db_prepare(&q, "SELECT day, qty FROM score_daily WHERE user_id = ? AND rule = ? AND day >= ?",
				      "isi", uid, RULE_STUDY, first_ymd);
	while (db_step(st) == 1) {
		int ymd = sqlite3_column_int(st, 0), dn;
		char s[16];
		snprintf(s, sizeof s, "%04d-%02d-%02d", ymd / 10000 % 10000, ymd / 100 % 100, ymd % 100);
		if (rule_day_parse(s, &dn) == 0 && dn >= first && dn < monday + 7)
			secs[(dn - first) / 7] += sqlite3_column_double(st, 1);
	}
	db_finalize(&q);
	chart_item items[WEEKS];
	char labels[WEEKS][32];
	for (int i = 0; i < WEEKS; i++) {
		char d[11];
		rule_day_format(first + 7 * i, d);
		snprintf(labels[i], sizeof labels[i], "%d月%d日", atoi(d + 5), atoi(d + 8));
		items[i] = (chart_item){labels[i], secs[i]};
	}
	html_printf(b, "<section class=\"card me-chart\"><h2 id=\"chart-h\">%s</h2><figure>", tr("scoring.chart.weekly_title"));
	chart_weekly_columns(b, tr("scoring.chart.weekly_title"), items, WEEKS);
	/* The chart's text alternative, also for print and screen readers that skip SVG. */
	html_printf(b, "<figcaption><details><summary>%s</summary><table class=\"list\"><thead><tr><th>%s</th><th>%s</th>"
		       "</tr></thead><tbody>",
		    tr("me.chart_table"), tr("me.week_of"), tr("me.study_time"));
	for (int i = 0; i < WEEKS; i++) {
		char dur[32];
		fmt_duration(dur, sizeof dur, secs[i]);
		html_printf(b, "<tr><td>%s</td><td>%s</td></tr>", labels[i], dur);
	}
	html_printf(b, "</tbody></table></details></figcaption></figure></section>");
}

static void ledger_table(req *r, buf *b, int64_t uid, int year)
{
	int64_t page, per;
	int64_t off = req_page(r, 20, 100, &page, &per);
	int64_t total = db_int(0, "SELECT count(*) FROM ledger WHERE user_id = ?", "i", uid);
	html_printf(b,
		    "<section class=\"card\" id=\"ledger\"><h2 id=\"ledger-h\">%s</h2><div class=\"table-wrap\" tabindex=\"0\" "
		    "role=\"region\" aria-labelledby=\"ledger-h\"><table class=\"list me-ledger\"><thead><tr><th>%s</th><th>%s</th>"
		    "<th class=\"num\">%s</th></tr></thead><tbody>",
		    tr("me.ledger"), tr("me.when"), tr("me.what"), tr("me.points"));
	db_stmt q;
	sqlite3_stmt *st = db_prepare(&q,
				      "SELECT rule, points, ref, at, detail FROM ledger WHERE user_id = ? ORDER BY seq DESC "
				      "LIMIT ? OFFSET ?",
				      "iii", uid, per, off);
	int rows = 0;
	while (db_step(st) == 1) {
		char day[11], key[64];
		int64_t at = sqlite3_column_int64(st, 3);
		day_of(at, day);
		time_t tt = (time_t)at;
		struct tm tm;
		localtime_r(&tt, &tm);
		snprintf(key, sizeof key, "scoring.rule.%s", db_col_text(st, 0));
		html_printf(b, "<tr><td>%s %02d:%02d</td><td>%s", day, tm.tm_hour, tm.tm_min, tr(key));
		const char *detail = (const char *)sqlite3_column_text(st, 4);
		json_t *d = detail ? json_loads(detail, 0, NULL) : NULL;
		json_t *h = json_object_get(d, "credit_hours");
		if (json_is_number(h)) {
			html_printf(b, "（");
			put_hours(b, json_number_value(h));
			html_printf(b, " %s，%s）", tr("me.hours_unit"),
				    json_is_true(json_object_get(d, "required")) ? tr("me.required") : tr("me.elective"));
		}
		json_decref(d);
		html_printf(b, "</td><td class=\"num\">+%lld</td></tr>", (long long)sqlite3_column_int64(st, 1));
		rows++;
	}
	db_finalize(&q);
	if (!rows)
		html_printf(b, "<tr><td colspan=\"3\">%s</td></tr>", tr("me.no_points"));
	html_printf(b, "</tbody></table></div>");
	int64_t pages = total > 0 ? (total + per - 1) / per : 1;
	if (pages > 1) {
		html_printf(b, "<nav class=\"pager\" aria-label=\"%s\">", tr("me.pages"));
		if (page > 1)
			html_printf(b, "<a href=\"/me?year=%d&amp;page=%lld#ledger\" rel=\"prev\">%s</a>", year,
				    (long long)(page - 1), tr("me.prev"));
		html_printf(b, "<span>%lld / %lld</span>", (long long)page, (long long)pages);
		if (page < pages)
			html_printf(b, "<a href=\"/me?year=%d&amp;page=%lld#ledger\" rel=\"next\">%s</a>", year,
				    (long long)(page + 1), tr("me.next"));
		html_printf(b, "</nav>");
	}
	html_printf(b, "</section>");
}

static me_section_fn g_sections[8];

void me_section_register(me_section_fn fn)
{
	for (size_t i = 0; i < ARRAY_LEN(g_sections); i++)
		if (!g_sections[i]) {
			g_sections[i] = fn;
			return;
		}
	abort(); /* more than the table holds: a programming error */
}

/* GET /me */
static int page_me(req *r)
{
	int year;
	if (report_year_arg(r, req_arg(r, "year"), &year) < 0)
		return 0;
	me_year y;
	if (me_year_load(r->u, year, &y) < 0)
		return page_error_reply(r, 404, tr("err.user_missing"), "/", tr("nav.home"));
	const member_status *m = &y.ms;
	buf b;
	buf_init(&b);
	page_begin(r, &b, "me", tr("me.title"));
	const char *st = assess_status_name(m->status);
	char key[64], meaning[64];
	snprintf(key, sizeof key, "scoring.status.%s", st);
	snprintf(meaning, sizeof meaning, "me.meaning.%s", st);
	html_printf(&b, "<h1>%s <small>%d %s</small></h1>", tr("me.title"), year, tr("me.year_suffix"));
	html_printf(&b, "<div class=\"me-layout\">");
	html_printf(&b,
		    "<section class=\"card me-status status-%s\" id=\"me-status\" data-status=\"%s\"><h2>%s</h2>"
		    "<p class=\"me-badge\">%s</p><p class=\"me-meaning\">%s</p>",
		    st, st, tr("me.status"), tr(key), tr(meaning));
	if (m->status != ST_MET) {
		html_printf(&b, "<p class=\"me-expected\">%s ", tr("me.expected"));
		put_hours(&b, m->expected_hours);
		html_printf(&b, " %s，%s ", tr("me.hours_unit"), tr("me.have"));
		put_hours(&b, m->credit_hours);
		html_printf(&b, " %s。</p>", tr("me.hours_unit"));
	}
	html_printf(&b, "<p class=\"me-projection\">%s ", tr("me.projection"));
	put_hours(&b, m->proj.hours);
	html_printf(&b, " %s%s</p>", tr("me.hours_unit"),
		    m->proj.hours >= m->req.total_hours ? tr("me.projection_meets") : tr("me.projection_short"));
	if (m->proj.early)
		html_printf(&b, "<p class=\"help\">%s</p>", tr("scoring.proj.early"));
	html_printf(&b, "</section>");

	html_printf(&b, "<section class=\"card me-hours\"><h2>%s</h2>", tr("me.hours"));
	hours_bar(&b, tr("me.total_hours"), m->credit_hours, m->req.total_hours);
	hours_bar(&b, tr("me.required_hours"), m->required_hours, m->req.required_hours);
	html_printf(&b, "<p class=\"help\">%s ", tr("me.elective_hours"));
	put_hours(&b, m->elective_hours);
	html_printf(&b, " %s · %s %lld</p></section></div>", tr("me.hours_unit"), tr("me.courses_completed"),
		    (long long)y.courses);

	char dur[32];
	fmt_duration(dur, sizeof dur, y.study_s);
	html_printf(&b,
		    "<section class=\"card me-points\"><h2>%s</h2><div class=\"me-stats\">"
		    "<p><span>%s</span><strong id=\"points-today\">%lld</strong></p>"
		    "<p><span>%s</span><strong id=\"points-year\">%lld</strong></p>"
		    "<p><span>%s</span><strong>%s</strong></p></div>"
		    "<p class=\"help\"><a href=\"/me/rules\">%s</a></p></section>",
		    tr("me.points"), tr("me.points_today"), (long long)y.points_today, tr("me.points_year"),
		    (long long)y.points, tr("me.study_time"), dur, tr("me.how_points"));
	/* The other modules' sections (scoring/me.h): the classes module's classes and certificates. */
	for (size_t i = 0; i < ARRAY_LEN(g_sections) && g_sections[i]; i++)
		g_sections[i](r, &b);
	weekly_chart(&b, r->u->id);
	ledger_table(r, &b, r->u->id, year);
	return page_reply(r, &b);
}

/* GET /me/rules — how points are earned (the rules in force today), for every user. */
static int page_me_rules(req *r)
{
	buf b;
	buf_init(&b);
	page_begin(r, &b, "me-rules", tr("me.how_points"));
	html_printf(&b,
		    "<h1>%s</h1><section class=\"card\"><div class=\"table-wrap\" tabindex=\"0\" role=\"region\" "
		    "aria-label=\"%s\"><table class=\"list\"><thead><tr><th>%s</th><th class=\"num\">%s</th><th>%s</th>"
		    "<th class=\"num\">%s</th><th>%s</th></tr></thead><tbody>",
		    tr("me.how_points"), tr("me.how_points"), tr("points.rule"), tr("points.points"), tr("points.unit"),
		    tr("points.cap"), tr("points.since"));
	rules_rows_html(&b);
	html_printf(&b, "</tbody></table></div></section>");
	return page_reply(r, &b);
}

const route me_routes[] = {
	{.method = "GET", .pattern = "/api/v1/me/summary", .fn = me_summary, .roles = R_ANY},
	{.method = "GET", .pattern = "/api/v1/me/points", .fn = me_points, .roles = R_ANY},
	{.method = "GET", .pattern = "/me", .fn = page_me, .roles = R_ANY, .flags = RF_PAGE},
	{.method = "GET", .pattern = "/me/rules", .fn = page_me_rules, .roles = R_ANY, .flags = RF_PAGE},
	ROUTES_END,
};
