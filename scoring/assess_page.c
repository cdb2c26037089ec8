/* assess_page.c — /assess, the assessors' page: the organisation tree, the summary per direct
 * child with a bar chart of the share who met the requirement, the member table filtered by status
 * and searched by name, exports. Drawn on the server from the same code as the reports API
 * (plain GET links and forms: it works, and prints, without scripts). */
#include "clock.h"
#include "db.h"
#include "html.h"
#include "http.h"
#include "i18n.h"
#include "scoring/chart.h"
#include "scoring/report_api.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_ROWS 50

static const char *const status_names[] = { "met", "on_track", "behind", "at_risk" };
static const char *const status_badge[] = { "ok", "track", "warn", "bad" };

typedef struct view {
	req *r;
	const org_table *t;
	const assess_org *s;
	long cur;            /* the organisation shown (index in t), -1: every organisation */
	int year;
	report_filter f;
	const char *scope;   /* the caller's scope path */
} view;

/* The query string of /assess for organisation id with the view's year, status, q and a page. */
static void assess_href(buf *b, const view *v, int64_t id, int status, const char *q, int64_t page, const char *fmt)
{
	buf_puts(b, fmt ? "/api/v1/reports/members?" : "/assess?");
	buf_printf(b, "org_id=%lld&year=%d", (long long)id, v->year);
	if (status >= 0)
		buf_printf(b, "&status=%s", status_names[status]);
	if (q && *q) {
		buf_puts(b, "&q=");
		url_escape(b, q);
	}
	if (page > 1)
		buf_printf(b, "&page=%lld", (long long)page);
	if (fmt)
		buf_printf(b, "&format=%s", fmt);
}

static void org_link(buf *b, const view *v, int64_t id, const char *label, int current)
{
	buf h;
	buf_init(&h);
	assess_href(&h, v, id, -1, NULL, 1, NULL);
	if (current)
		html_printf(b, "<a href=\"%s\" aria-current=\"page\" class=\"cur\">%s</a>", h.p, label);
	else
		html_printf(b, "<a href=\"%s\">%s</a>", h.p, label);
	buf_free(&h);
}

static int in_scope(const view *v, const rep_org *o)
{
	return !strncmp(o->path, v->scope, strlen(v->scope));
}

/* 1 when organisation i is the shown one or one of its ancestors. */
static int on_path(const view *v, size_t i)
{
	if (v->cur < 0)
		return 0;
	const char *p = v->t->v[i].path, *c = v->t->v[v->cur].path;
	return !strncmp(c, p, strlen(p));
}

/* The tree: the caller's scope roots, and the children of every organisation on the way to the
   shown one (a tree of thousands stays a few dozen links). */
static void tree_node(buf *b, const view *v, size_t i)
{
	const rep_org *o = &v->t->v[i];
	html_raw(b, "<li>");
	org_link(b, v, o->id, o->name, v->cur == (long)i);
	size_t lo, hi;
	org_table_subtree(v->t, o->path, &lo, &hi);
	if (hi - lo > 1 && on_path(v, i)) {
		html_raw(b, "<ul>");
		for (size_t k = lo + 1; k < hi; k++)
			if (v->t->v[k].parent_id == o->id)
				tree_node(b, v, k);
		html_raw(b, "</ul>");
	} else if (hi - lo > 1) {
		html_printf(b, "<span class=\"count\">%s</span>", tr("assess.tree_more"));
	}
	html_raw(b, "</li>");
}

static void render_tree(buf *b, const view *v)
{
	html_printf(b, "<nav class=\"card assess-tree\" aria-label=\"%s\"><h2>%s</h2><ul class=\"tree\">",
		    tr("assess.tree"), tr("assess.tree"));
	if (!strcmp(v->scope, "/")) {
		html_raw(b, "<li>");
		org_link(b, v, 0, tr("scoring.all_orgs"), v->cur < 0);
		html_raw(b, "<ul>");
		for (size_t i = 0; i < v->t->n; i++)
			if (!v->t->v[i].parent_id)
				tree_node(b, v, i);
		html_raw(b, "</ul></li>");
	} else {
		for (size_t i = 0; i < v->t->n; i++)
			if (!strcmp(v->t->v[i].path, v->scope))
				tree_node(b, v, i);
	}
	html_raw(b, "</ul></nav>");
}

static void render_crumbs(buf *b, const view *v)
{
	long chain[64];
	int n = 0;
	for (long i = v->cur; i >= 0 && n < 64 && in_scope(v, &v->t->v[i]);
	     i = v->t->v[i].parent_id ? org_table_find(v->t, v->t->v[i].parent_id) : -1)
		chain[n++] = i;
	html_printf(b, "<nav class=\"crumbs\" aria-label=\"%s\">", tr("assess.crumbs"));
	if (!strcmp(v->scope, "/")) {
		org_link(b, v, 0, tr("scoring.all_orgs"), v->cur < 0);
		if (n)
			html_raw(b, " / ");
	}
	for (int k = n - 1; k >= 0; k--) {
		org_link(b, v, v->t->v[chain[k]].id, v->t->v[chain[k]].name, k == 0);
		if (k)
			html_raw(b, " / ");
	}
	html_raw(b, "</nav>");
}

static void pct(buf *b, int64_t part, int64_t whole)
{
	if (whole)
		html_printf(b, "%.1f%%", 100.0 * (double)part / (double)whole);
	else
		html_raw(b, "—");
}

static void stats_cells(buf *b, const org_stats *s)
{
	html_printf(b, "<td class=\"num\">%lld</td><td class=\"num\">%lld</td><td class=\"num\">", (long long)s->members,
		    (long long)s->met);
	pct(b, s->met, s->members);
	html_printf(b, "</td><td class=\"num\">%lld</td><td class=\"num\">%lld</td><td class=\"num\">%lld</td>",
		    (long long)s->on_track, (long long)s->behind, (long long)s->at_risk);
	double n = (double)s->members;
	html_printf(b, "<td class=\"num\">%.2f</td><td class=\"num\">%.1f</td>", n ? s->hours / n : 0.0,
		    n ? s->points / n : 0.0);
}

static void render_summary(buf *b, const view *v)
{
	size_t *kids = NULL;
	org_stats *st = NULL, direct, total;
	long n = report_org_stats(v->t, v->cur, clock_secs(), &kids, &st, &direct, &total);
	if (n < 0) {
		html_printf(b, "<p class=\"error\">%s</p>", tr("err.internal"));
		return;
	}
	const requirement *rq = v->cur >= 0 ? &v->t->v[v->cur].req : &v->t->def;
	html_printf(b, "<section class=\"card\" aria-labelledby=\"sum-h\"><h2 id=\"sum-h\">%s</h2>", tr("assess.summary"));
	html_printf(b, "<p class=\"req-line\">%s <strong>%.1f</strong> %s，%s <strong>%.1f</strong> %s</p>",
		    tr("assess.req_total"), rq->total_hours, tr("assess.hours"), tr("assess.req_required"),
		    rq->required_hours, tr("assess.hours"));
	/* A list of label/value pairs (Debian's tidy 5.6 does not know <div> groups inside <dl>). */
	html_printf(b, "<ul class=\"kpis\"><li><span class=\"k\">%s</span> <strong>%lld</strong></li>"
		       "<li><span class=\"k\">%s</span> <strong class=\"ok\">%lld</strong></li>"
		       "<li><span class=\"k\">%s</span> <strong>%lld</strong></li>"
		       "<li><span class=\"k\">%s</span> <strong class=\"warn\">%lld</strong></li>"
		       "<li><span class=\"k\">%s</span> <strong class=\"bad\">%lld</strong></li>"
		       "<li><span class=\"k\">%s</span> <strong>",
		    tr("assess.members"), (long long)total.members, tr("scoring.status.met"), (long long)total.met,
		    tr("scoring.status.on_track"), (long long)total.on_track, tr("scoring.status.behind"),
		    (long long)total.behind, tr("scoring.status.at_risk"), (long long)total.at_risk, tr("assess.met_share"));
	pct(b, total.met, total.members);
	html_raw(b, "</strong></li></ul>");
	if (n > 0) {
		html_printf(b, "<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-labelledby=\"sum-h\">"
			       "<table class=\"list\" id=\"org-table\"><caption class=\"sr-only\">%s</caption>"
			       "<thead><tr><th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
			       "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
			       "<th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead><tbody>",
			    tr("assess.children"), tr("assess.org"), tr("assess.members"), tr("scoring.status.met"),
			    tr("assess.met_share"), tr("scoring.status.on_track"), tr("scoring.status.behind"),
			    tr("scoring.status.at_risk"), tr("assess.avg_hours"), tr("assess.avg_points"));
		chart_item *items = xcalloc((size_t)n, sizeof *items);
		for (long k = 0; k < n; k++) {
			const rep_org *o = &v->t->v[kids[k]];
			html_raw(b, "<tr><th scope=\"row\">");
			org_link(b, v, o->id, o->name, 0);
			html_raw(b, "</th>");
			stats_cells(b, &st[k]);
			html_raw(b, "</tr>");
			items[k].label = o->name;
			items[k].value = st[k].members ? 100.0 * (double)st[k].met / (double)st[k].members : 0;
		}
		if (direct.members) {
			html_printf(b, "<tr><th scope=\"row\">%s</th>", tr("assess.direct"));
			stats_cells(b, &direct);
			html_raw(b, "</tr>");
		}
		html_raw(b, "</tbody></table></div>");
		/* The chart: drawn here, its text alternative inside it (<title>, <desc>) and the table above. */
		html_printf(b, "<figure class=\"chart\" tabindex=\"0\" aria-labelledby=\"share-cap\"><figcaption id=\"share-cap\">%s"
			       "</figcaption>",
			    tr("scoring.chart.share_title"));
		chart_share_bars(b, tr("scoring.chart.share_title"), items, (size_t)n);
		html_raw(b, "</figure>");
		free(items);
	}
	html_raw(b, "</section>");
	free(kids);
	free(st);
}

static void member_row(buf *b, const report_row *w)
{
	int s = (int)w->st.status;
	html_printf(b, "<tr><th scope=\"row\">%s<span class=\"muted uname\">%s</span></th><td class=\"org\">%s</td>", w->name,
		    w->username, w->org->full_name);
	html_printf(b, "<td class=\"num\">%.2f</td><td class=\"num\">%.2f</td><td class=\"num\">%.2f</td>"
		       "<td class=\"num\">%lld</td><td class=\"num\">%lld</td>",
		    w->st.credit_hours, w->st.required_hours, w->st.elective_hours, (long long)w->points,
		    (long long)w->courses_completed);
	char key[40];
	snprintf(key, sizeof key, "scoring.status.%s", status_names[s]);
	html_printf(b, "<td><span class=\"badge st-%s\">%s</span></td><td class=\"num\">%.1f%s</td></tr>",
		    status_badge[s], tr(key), w->st.proj.hours, w->st.proj.early ? "*" : "");
}

static void render_members(buf *b, const view *v)
{
	int64_t page, per;
	int64_t off = req_page(v->r, PAGE_ROWS, PAGE_ROWS, &page, &per);
	int64_t id = v->cur >= 0 ? v->t->v[v->cur].id : 0;
	const char *path = v->cur >= 0 ? v->t->v[v->cur].path : "/";
	report_filter any = v->f;
	any.status = -1;
	any.no_names = 1;
	report_cur c;
	report_open(&c, v->t, path, clock_secs(), &any);
	buf rows;
	buf_init(&rows);
	int64_t total = 0, counts[4] = { 0 };
	report_row *w;
	int rc;
	while ((rc = report_next(&c, &w)) == 1) {
		counts[w->st.status]++;
		if (v->f.status >= 0 && (int)w->st.status != v->f.status)
			continue;
		if (total >= off && total < off + per) {
			report_row_names(&c, w);
			member_row(&rows, w);
		}
		total++;
	}
	report_close(&c);

	html_printf(b, "<section class=\"card\" aria-labelledby=\"mem-h\" id=\"members\"><h2 id=\"mem-h\">%s</h2>",
		    tr("assess.member_list"));
	/* Filter: status (with counts) and a name search, a plain GET form. */
	html_printf(b, "<form class=\"assess-filter\" method=\"get\" action=\"/assess#members\">"
		       "<input type=\"hidden\" name=\"org_id\" value=\"%lld\"><input type=\"hidden\" name=\"year\" value=\"%d\">"
		       "<label>%s<select name=\"status\" id=\"f-status\"><option value=\"\">%s（%lld）</option>",
		    (long long)id, v->year, tr("assess.filter_status"), tr("assess.all"),
		    (long long)(counts[0] + counts[1] + counts[2] + counts[3]));
	for (int k = 0; k < 4; k++) {
		char key[40];
		snprintf(key, sizeof key, "scoring.status.%s", status_names[k]);
		html_printf(b, "<option value=\"%s\"%s>%s（%lld）</option>", status_names[k],
			    v->f.status == k ? " selected" : "", tr(key), (long long)counts[k]);
	}
	html_printf(b, "</select></label><label class=\"q\">%s<input type=\"search\" name=\"q\" id=\"f-q\" maxlength=\"64\" value=\"%s\" placeholder=\"%s\"></label>"
		       "<button class=\"primary\">%s</button></form>",
		    tr("assess.search"), v->f.q ? v->f.q : "", tr("assess.search_ph"), tr("assess.filter"));
	/* Exports of exactly what is shown (all pages). */
	buf csv, xlsx;
	buf_init(&csv);
	buf_init(&xlsx);
	assess_href(&csv, v, id, v->f.status, v->f.q, 1, "csv");
	assess_href(&xlsx, v, id, v->f.status, v->f.q, 1, "xlsx");
	html_printf(b, "<p class=\"exports\">%s <a class=\"button\" href=\"%s\" download>%s</a> "
		       "<a class=\"button\" href=\"%s\" download>%s</a></p>",
		    tr("assess.export"), xlsx.p, tr("assess.export_xlsx"), csv.p, tr("assess.export_csv"));
	buf_free(&csv);
	buf_free(&xlsx);
	if (rc < 0) {
		html_printf(b, "<p class=\"error\">%s</p>", tr("err.internal"));
	} else if (!total) {
		html_printf(b, "<p class=\"empty\">%s</p>", tr("assess.none"));
	} else {
		/* "共 {n} 名学员": the catalog's text is never a printf format. */
		const char *fmt = tr("assess.count_fmt"), *at = strstr(fmt, "{n}");
		html_printf(b, "<p class=\"count\" role=\"status\">%s%lld%s</p>",
			    at ? arena_strndup(v->r->a, fmt, (size_t)(at - fmt)) : "", (long long)total, at ? at + 3 : "");
		html_printf(b, "<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-labelledby=\"mem-h\">"
			       "<table class=\"list\" id=\"member-table\"><caption class=\"sr-only\">%s</caption>"
			       "<thead><tr><th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
			       "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
			       "<th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead><tbody>",
			    tr("assess.member_list"), tr("scoring.col.name"), tr("scoring.col.org"),
			    tr("scoring.col.credit_hours"), tr("scoring.col.required_hours"),
			    tr("scoring.col.elective_hours"), tr("scoring.col.points"), tr("scoring.col.courses_completed"),
			    tr("scoring.col.status"), tr("assess.projected"));
		html_raw(b, rows.p ? rows.p : "");
		html_raw(b, "</tbody></table></div>");
		int64_t pages = (total + per - 1) / per;
		if (pages > 1) {
			html_printf(b, "<nav class=\"pager\" aria-label=\"%s\">", tr("assess.pages"));
			buf h;
			buf_init(&h);
			if (page > 1) {
				assess_href(&h, v, id, v->f.status, v->f.q, page - 1, NULL);
				html_printf(b, "<a href=\"%s#members\" rel=\"prev\">%s</a>", h.p, tr("assess.prev"));
			}
			html_printf(b, "<span>%lld / %lld</span>", (long long)page, (long long)pages);
			if (page < pages) {
				h.len = 0;
				assess_href(&h, v, id, v->f.status, v->f.q, page + 1, NULL);
				html_printf(b, "<a href=\"%s#members\" rel=\"next\">%s</a>", h.p, tr("assess.next"));
			}
			buf_free(&h);
			html_raw(b, "</nav>");
		}
		html_printf(b, "<p class=\"help\">%s</p>", tr("assess.projected_help"));
	}
	buf_free(&rows);
	html_raw(b, "</section>");
}

/* Reminders: send now (the subtree shown), the last ones with their delivery state; for admins
   the settings (webhook, weekly day and hour, the default requirement). The script posts them. */
static void render_remind(buf *b, const view *v)
{
	int64_t id = v->cur >= 0 ? v->t->v[v->cur].id : 0;
	const char *path = v->cur >= 0 ? v->t->v[v->cur].path : "/";
	char *url = db_text("SELECT value FROM settings WHERE key = 'scoring.webhook_url'", "");
	int on = url && *url;
	html_printf(b, "<section class=\"card remind\" aria-labelledby=\"rem-h\"><h2 id=\"rem-h\">%s</h2><p class=\"help\">%s</p>",
		    tr("assess.remind"), tr(on ? "assess.remind_help" : "assess.remind_off"));
	html_printf(b, "<p><button type=\"button\" id=\"remind-send\" data-org=\"%lld\" data-year=\"%d\"%s>%s</button></p>"
		       "<p class=\"msg\" id=\"remind-msg\" role=\"status\"></p><pre class=\"remind-content\" id=\"remind-content\" hidden></pre>",
		    (long long)id, v->year, on ? "" : " disabled", tr("assess.remind_send"));
	char *end = xstrdup(path);
	end[strlen(end) - 1] = '0';
	db_stmt q;
	sqlite3_stmt *st = db_prepare(&q,
				      "SELECT b.created_at, b.kind, b.state, b.attempts, b.last_error FROM remind_outbox b"
				      " LEFT JOIN orgs o ON o.id = b.org_id WHERE (?1 = '/' OR (o.path >= ?1 AND o.path < ?2))"
				      " ORDER BY b.id DESC LIMIT 5",
				      "ss", path, end);
	int any = 0;
	while (db_step(st) == 1) {
		if (!any++)
			html_printf(b, "<h3>%s</h3><ul class=\"remind-list\">", tr("assess.remind_recent"));
		char at[24];
		iso_time(sqlite3_column_int64(st, 0), at);
		int sent = !strcmp(db_col_text(st, 2), "sent");
		html_printf(b, "<li><time datetime=\"%s\">%s</time> %s <span class=\"badge %s\">%s</span>", at, at,
			    tr(!strcmp(db_col_text(st, 1), "weekly") ? "assess.remind_weekly" : "assess.remind_manual"),
			    sent ? "st-ok" : "st-warn", tr(sent ? "assess.remind_sent" : "assess.remind_pending"));
		if (!sent && sqlite3_column_int(st, 3) > 0)
			html_printf(b, " <span class=\"muted\">%s %d：%s</span>", tr("assess.remind_tries"),
				    sqlite3_column_int(st, 3), db_col_text(st, 4));
		html_raw(b, "</li>");
	}
	db_finalize(&q);
	free(end);
	if (any)
		html_raw(b, "</ul>");
	if (v->r->u->role == ROLE_ADMIN) {
		requirement d = require_default();
		char *wd = db_text("SELECT value FROM settings WHERE key = 'scoring.remind_weekday'", "");
		char *hr = db_text("SELECT value FROM settings WHERE key = 'scoring.remind_hour'", "");
		int wdi = wd ? atoi(wd) : 1, hri = hr ? atoi(hr) : 9;
		free(wd);
		free(hr);
		html_printf(b, "<h3>%s</h3><form id=\"remind-settings\" class=\"remind-settings\">"
			       "<label class=\"wide\">%s<input name=\"webhook_url\" type=\"url\" maxlength=\"2048\" value=\"%s\" placeholder=\"https://\"></label>"
			       "<label>%s<select name=\"remind_weekday\">",
			    tr("assess.settings"), tr("assess.webhook"), url ? url : "", tr("assess.weekday"));
		for (int k = 1; k <= 7; k++) {
			char key[32];
			snprintf(key, sizeof key, "assess.wd%d", k);
			html_printf(b, "<option value=\"%d\"%s>%s</option>", k, k == wdi ? " selected" : "", tr(key));
		}
		html_printf(b, "</select></label><label>%s<input name=\"remind_hour\" type=\"number\" min=\"0\" max=\"23\" value=\"%d\"></label>"
			       "<label>%s<input name=\"default_total_hours\" type=\"number\" min=\"0\" max=\"10000\" step=\"0.5\" value=\"%g\"></label>"
			       "<label>%s<input name=\"default_required_hours\" type=\"number\" min=\"0\" max=\"10000\" step=\"0.5\" value=\"%g\"></label>"
			       "<button class=\"primary\">%s</button><p class=\"msg\" role=\"status\"></p></form>",
			    tr("assess.hour"), hri, tr("assess.default_total"), d.total_hours, tr("assess.default_required"),
			    d.required_hours, tr("common.save"));
	}
	free(url);
	html_raw(b, "</section>");
}

/* GET /assess?org_id=O&year=Y&status=S&q=TEXT&page=N */
static int page_assess(req *r)
{
	const assess_org *s = r->res;
	view v = { .r = r, .s = s };
	if (report_year_arg(r, req_arg(r, "year"), &v.year) < 0 || report_filter_args(r, &v.f) < 0)
		return 0;
	org_table t;
	if (org_table_load(&t, v.year) < 0)
		return reply_error(r, 500, "internal", "%s", tr("err.internal"));
	v.t = &t;
	v.cur = s->id ? org_table_find(&t, s->id) : -1;
	v.scope = r->u->role == ROLE_ADMIN ? "/" : r->u->org_path;
	buf b;
	buf_init(&b);
	page_begin(r, &b, "assess", tr("assess.title"));
	html_printf(&b, "<div class=\"assess-head\"><div><h1>%s</h1>", tr("assess.title"));
	render_crumbs(&b, &v);
	html_raw(&b, "</div>");
	/* The year. */
	int this_year = year_of(clock_secs());
	html_printf(&b, "<form class=\"assess-year\" method=\"get\" action=\"/assess\"><input type=\"hidden\" name=\"org_id\" value=\"%lld\">"
			"<label>%s<select name=\"year\" id=\"f-year\">",
		    (long long)s->id, tr("assess.year"));
	for (int y = this_year + 1; y >= this_year - 4 && y >= 2000; y--)
		html_printf(&b, "<option value=\"%d\"%s>%d</option>", y, y == v.year ? " selected" : "", y);
	html_printf(&b, "</select></label><button>%s</button></form></div>", tr("assess.show"));
	html_printf(&b, "<p class=\"help status-help\">%s</p>", tr("assess.status_help"));
	html_raw(&b, "<div class=\"assess-layout\">");
	render_tree(&b, &v);
	html_raw(&b, "<div class=\"assess-main\">");
	render_summary(&b, &v);
	render_members(&b, &v);
	render_remind(&b, &v);
	html_raw(&b, "</div></div>");
	org_table_free(&t);
	return page_reply(r, &b);
}

const route assess_page_routes[] = {
	{.method = "GET", .pattern = "/assess", .fn = page_assess, .roles = R_ASSESS, .flags = RF_PAGE,
	 .res = &assess_scope, .res_arg = "org_id"},
	ROUTES_END,
};
