/* report_api.c — the assessors' HTTP side: the assess_scope resource, requirements (read, set,
 * clear), the members report (JSON pages) and the organisation summaries. */
#include "scoring/report_api.h"
#include "audit.h"
#include "clock.h"
#include "config.h"
#include "db.h"
#include "http.h"
#include "i18n.h"
#include "people.h"
#include "scoring/report_export.h"
#include "html.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- the resource: an organisation subtree to assess ----
   `?org_id=O`; 0 or absent: the caller's own scope (an admin's: every organisation, an assessor's:
   their own organisation). 404 when O does not exist; 403 when it lies outside an assessor's
   subtree (issue 11: "an assessor asking for another subtree → 403"; the organisation list shows
   assessors only their own subtree, so the id says nothing new). */
static int assess_scope_load(req *r, int64_t id, void **out)
{
	assess_org *o = arena_alloc(r->a, sizeof *o);
	memset(o, 0, sizeof *o);
	int admin = r->u->role == ROLE_ADMIN;
	if (!id && admin) {
		o->path = "/";
		*out = o;
		return 0;
	}
	if (!id)
		id = r->u->org_id;
	sqlite3_stmt *st = db_query("SELECT path, name FROM orgs WHERE id = ?", "i", id);
	int found = db_step(st) == 1;
	if (found) {
		o->id = id;
		o->path = arena_strdup(r->a, db_col_text(st, 0));
		o->name = arena_strdup(r->a, db_col_text(st, 1));
	}
	db_done(st);
	if (!found)
		return 404;
	if (!admin && strncmp(o->path, r->u->org_path, strlen(r->u->org_path)))
		return 403;
	*out = o;
	return 0;
}

const resource_kind assess_scope = {
	.name = "assess_scope",
	.load = assess_scope_load,
	.missing = "err.org_missing",
	.forbidden = "scoring.err.scope",
};

/* ---- helpers ---- */

int report_year_arg(req *r, const char *s, int *year)
{
	int this_year = year_of(clock_secs());
	if (!s || !*s) {
		*year = this_year;
		return 0;
	}
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (*end || errno || v < 0 || v > 1000000 || year_validate((int)v, this_year)) {
		reply_error(r, 422, "invalid_year", "%s", tr("scoring.err.year_range"));
		return -1;
	}
	*year = (int)v;
	return 0;
}

static double h2(double v)
{
	return round(v * 100) / 100;
}

static json_t *req_json(const requirement *q)
{
	json_t *j = json_pack("{s:f,s:f}", "total_hours", h2(q->total_hours), "required_hours", h2(q->required_hours));
	json_object_set_new(j, "source_org_id", q->source_org ? json_integer(q->source_org) : json_null());
	return j;
}

json_t *report_row_json(const report_row *w)
{
	json_t *j = json_pack("{s:I,s:s,s:s,s:I,s:s,s:f,s:f,s:f,s:I,s:I,s:I,s:s,s:f,s:f,s:b}", "user_id",
			      (json_int_t)w->user_id, "username", w->username, "name", w->name, "org_id",
			      (json_int_t)w->org->id, "org", w->org->full_name, "credit_hours", h2(w->st.credit_hours),
			      "required_hours", h2(w->st.required_hours), "elective_hours", h2(w->st.elective_hours),
			      "study_s", (json_int_t)llround(w->study_s), "points", (json_int_t)w->points,
			      "courses_completed", (json_int_t)w->courses_completed, "status",
			      assess_status_name(w->st.status), "expected_hours", h2(w->st.expected_hours),
			      "projected_hours", h2(w->st.proj.hours), "projection_early", w->st.proj.early);
	if (j)
		json_object_set_new(j, "requirement", req_json(&w->st.req));
	return j;
}

static json_t *stats_json(const org_stats *s)
{
	double n = (double)s->members;
	return json_pack("{s:I,s:I,s:I,s:I,s:I,s:f,s:f,s:f}", "members", (json_int_t)s->members, "met",
			 (json_int_t)s->met, "on_track", (json_int_t)s->on_track, "behind", (json_int_t)s->behind,
			 "at_risk", (json_int_t)s->at_risk, "avg_hours", n ? h2(s->hours / n) : 0.0, "avg_points",
			 n ? round(s->points / n * 10) / 10 : 0.0, "met_share",
			 n ? round((double)s->met / n * 1000) / 1000 : 0.0);
}

static json_t *org_json(const assess_org *o)
{
	if (!o->id)
		return json_null();
	return json_pack("{s:I,s:s,s:s}", "id", (json_int_t)o->id, "name", o->name ? o->name : "", "path", o->path);
}

/* ---- requirements ---- */

/* GET /api/v1/requirements?org_id=O&year=Y (assess_scope) — every organisation of the subtree
   with its own row (or null) and the requirement that applies. */
static int requirements_get(req *r)
{
	const assess_org *s = r->res;
	int year;
	if (report_year_arg(r, req_arg(r, "year"), &year) < 0)
		return 0;
	org_table t;
	if (org_table_load(&t, year) < 0)
		return reply_error(r, 500, "internal", "%s", tr("err.internal"));
	size_t lo, hi;
	org_table_subtree(&t, s->path, &lo, &hi);
	json_t *arr = json_array();
	for (size_t i = lo; i < hi; i++) {
		const rep_org *o = &t.v[i];
		json_t *own = json_null();
		if (o->req.source_org == o->id)
			own = json_pack("{s:f,s:f}", "total_hours", h2(o->req.total_hours), "required_hours",
					h2(o->req.required_hours));
		json_t *e = json_pack("{s:I,s:s,s:s,s:o,s:o}", "org_id", (json_int_t)o->id, "name", o->name, "path",
				      o->full_name, "own", own, "effective", req_json(&o->req));
		json_object_set_new(e, "parent_id", o->parent_id ? json_integer(o->parent_id) : json_null());
		json_array_append_new(arr, e);
	}
	json_t *j = json_pack("{s:i,s:o,s:o}", "year", year, "default", req_json(&t.def), "orgs", arr);
	org_table_free(&t);
	return reply_json(r, 200, j);
}

/* The org and year of a requirement change, from the body (PUT) or the query (DELETE). */
static int require_target(req *r, int64_t org, int year)
{
	const char *why = year_validate(year, year_of(clock_secs()));
	if (why)
		return reply_error(r, 422, "invalid_year", "%s", tr(why)), -1;
	if (!db_exists("SELECT 1 FROM orgs WHERE id = ?", "i", org))
		return reply_error(r, 422, "invalid_field", "%s（%lld）", tr("err.org_missing"), (long long)org), -1;
	return 0;
}

/* PUT /api/v1/requirements {"org_id","year","total_hours","required_hours"} (admin) */
static int requirements_put(req *r)
{
	int64_t org = 0, year = 0;
	double total = 0, required = 0;
	if (body_int(r, "org_id", 1, 1, INT64_MAX, &org) < 0 || body_int(r, "year", 1, 0, 1000000, &year) < 0 ||
	    body_num(r, "total_hours", 1, -1e12, 1e12, &total) < 0 ||
	    body_num(r, "required_hours", 1, -1e12, 1e12, &required) < 0)
		return 0;
	if (require_target(r, org, (int)year) < 0)
		return 0;
	const char *why = req_validate((int)year, total, required, year_of(clock_secs()));
	if (why)
		return reply_error(r, 422, strcmp(why, "scoring.err.req_required_gt_total") ? "invalid_hours"
											   : "required_above_total",
				   "%s", tr(why));
	if (db_begin() < 0)
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	if (require_set(r->u->id, org, (int)year, total, required, clock_secs()) < 0) {
		db_rollback();
		return reply_error(r, 500, "internal", "%s", tr("err.internal"));
	}
	if (db_commit() < 0)
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	return reply_json(r, 200, json_pack("{s:I,s:I,s:f,s:f}", "org_id", (json_int_t)org, "year", (json_int_t)year,
					    "total_hours", total, "required_hours", required));
}

/* DELETE /api/v1/requirements?org_id=O&year=Y (admin) — the organisation inherits again. */
static int requirements_delete(req *r)
{
	int64_t org = parse_id(req_arg(r, "org_id"));
	int year;
	if (org <= 0)
		return reply_error(r, 422, "invalid_field", "%s", tr("err.org_missing"));
	if (report_year_arg(r, req_arg(r, "year"), &year) < 0 || require_target(r, org, year) < 0)
		return 0;
	if (db_begin() < 0)
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	int n = require_clear(r->u->id, org, year);
	if (n < 0) {
		db_rollback();
		return reply_error(r, 500, "internal", "%s", tr("err.internal"));
	}
	if (db_commit() < 0)
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	if (!n)
		return reply_error(r, 404, "not_found", "%s", tr("scoring.err.req_none"));
	return reply_empty(r, 204);
}

/* ---- the members report ---- */

int report_filter_args(req *r, report_filter *f)
{
	*f = (report_filter){ 0 };
	f->status = report_status_parse(req_arg(r, "status"));
	if (f->status == -2) {
		reply_error(r, 422, "invalid_status", "%s", tr("scoring.err.status"));
		return -1;
	}
	f->q = req_arg(r, "q");
	if (f->q && (utf8_chars(f->q) > 64 || !utf8_ok(f->q, strlen(f->q)))) {
		reply_error(r, 422, "invalid_query", "%s", tr("scoring.err.query"));
		return -1;
	}
	return 0;
}

#define REPORT_PER_PAGE 50
#define REPORT_PER_PAGE_MAX 500

/* The JSON page: rows [off, off + per_page) of those passing the filter, their total, and the
   count of each status among the rows passing the name search (for the page's filter tabs). */
static int members_json(req *r, const assess_org *s, int year, const report_filter *f)
{
	int64_t page, per_page;
	int64_t off = req_page(r, REPORT_PER_PAGE, REPORT_PER_PAGE_MAX, &page, &per_page);
	org_table t;
	if (org_table_load(&t, year) < 0)
		return reply_error(r, 500, "internal", "%s", tr("err.internal"));
	report_filter any = *f;
	any.status = -1;
	any.no_names = 1;
	report_cur c;
	report_open(&c, &t, s->path, clock_secs(), &any);
	json_t *arr = json_array();
	int64_t total = 0, counts[4] = { 0 };
	report_row *w;
	int rc;
	while ((rc = report_next(&c, &w)) == 1) {
		counts[w->st.status]++;
		if (f->status >= 0 && (int)w->st.status != f->status)
			continue;
		if (total >= off && total < off + per_page) {
			report_row_names(&c, w);
			json_array_append_new(arr, report_row_json(w));
		}
		total++;
	}
	report_close(&c);
	org_table_free(&t);
	if (rc < 0) {
		json_decref(arr);
		return reply_error(r, 500, "internal", "%s", tr("err.internal"));
	}
	json_t *j = json_pack("{s:i,s:o,s:I,s:I,s:I,s:{s:I,s:I,s:I,s:I},s:o}", "year", year, "org", org_json(s),
			      "total", (json_int_t)total, "page", (json_int_t)page, "per_page", (json_int_t)per_page,
			      "counts", "met", (json_int_t)counts[ST_MET], "on_track", (json_int_t)counts[ST_ON_TRACK],
			      "behind", (json_int_t)counts[ST_BEHIND], "at_risk", (json_int_t)counts[ST_AT_RISK],
			      "members", arr);
	return reply_json(r, 200, j);
}

/* ---- exports ---- */

/* Content-Disposition of a download: an ASCII name, and the Chinese one (RFC 6266 / 5987). */
static void attachment(req *r, const assess_org *s, int year, const char *ext)
{
	buf b;
	buf_init(&b);
	buf_printf(&b, "attachment; filename=\"members-%lld-%d.%s\"; filename*=UTF-8''", (long long)s->id, year, ext);
	char *zh = arena_printf(r->a, "%s-%s-%d.%s", tr("scoring.file.members"), s->name ? s->name : tr("scoring.all_orgs"),
				year, ext);
	url_escape(&b, zh);
	reply_header(r, "Content-Disposition", b.p);
	buf_free(&b);
}

/* CSV: streamed as it is produced (reply_stream): each time the socket can take more, the HTTP
   thread formats the next chunk of rows (REPORT_CHUNK, one keyset query: no statement stays open
   between chunks), so memory stays flat and the first bytes leave at once. */
static long csv_fill(void *ctx, char *out, size_t max)
{
	return report_csv_fill(ctx, out, max);
}

static void csv_done(void *ctx)
{
	report_csv_close(ctx);
	free(ctx);
}

static int export_csv(req *r, const assess_org *s, int year, const report_filter *f)
{
	report_csv *c = xmalloc(sizeof *c);
	if (report_csv_open(c, year, s->path, clock_secs(), f) < 0) {
		free(c);
		return reply_error(r, 500, "internal", "%s", tr("err.internal"));
	}
	attachment(r, s, year, "csv");
	return reply_stream(r, 200, "text/csv; charset=utf-8", csv_fill, csv_done, c);
}

/* XLSX: a zip needs its central directory at the end, so libxlsxwriter writes a file, in
   constant_memory mode (each row is flushed to a temporary file as soon as the next one starts),
   on a thread of its own while the request waits (building 100,000 rows takes seconds, and an
   HTTP thread serves many connections); then the file is sent with sendfile and removed. At most
   XLSX_MAX at once. */
#define XLSX_MAX 2
#define XLSX_NICE 5
static atomic_int g_xlsx;

typedef struct xlsx_job {
	req *r;
	const assess_org *s;
	int year;
	report_filter f;
} xlsx_job;

static int xlsx_stop(void)
{
	return http_stopping();
}

static void *xlsx_thread(void *arg)
{
	xlsx_job *j = arg;
	req *r = j->r;
	/* Seconds of CPU for one download: on a busy node the heartbeats and pages of everyone else
	   go first (Linux: a thread's own niceness; an idle node runs it at full speed anyway). */
	if (setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), XLSX_NICE) != 0)
		fprintf(stderr, "dangxiao: cannot lower the export thread's priority: %s\n", strerror(errno));
	char dir[700], path[760];
	snprintf(dir, sizeof dir, "%s/tmp", cfg.data);
	snprintf(path, sizeof path, "%s/report-XXXXXX.xlsx", dir);
	int fd = mkdir_p(dir, 0700) == 0 ? mkstemps(path, 5) : -1;
	int rc = fd >= 0 ? 0 : -1;
	if (fd >= 0)
		close(fd);
	if (rc == 0)
		rc = report_write_xlsx(path, dir, j->year, j->s->path, clock_secs(), &j->f, xlsx_stop);
	if (rc == 0) {
		attachment(r, j->s, j->year, "xlsx");
		reply_file(r, path, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", NULL);
		unlink(path);   /* the open descriptor keeps it readable until sent */
	} else {
		if (fd >= 0)
			unlink(path);
		reply_error(r, 503, "busy", "%s", tr(http_stopping() ? "err.busy" : "scoring.err.export"));
	}
	db_close_thread();
	atomic_fetch_sub(&g_xlsx, 1);
	req_resume(r);
	return NULL;
}

static int export_xlsx(req *r, const assess_org *s, int year, const report_filter *f)
{
	if (atomic_fetch_add(&g_xlsx, 1) >= XLSX_MAX) {
		atomic_fetch_sub(&g_xlsx, 1);
		reply_header(r, "Retry-After", "5");
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	}
	xlsx_job *j = arena_alloc(r->a, sizeof *j);
	*j = (xlsx_job){ r, s, year, *f };
	if (j->f.q)
		j->f.q = arena_strdup(r->a, j->f.q);
	if (req_suspend(r) < 0) {
		atomic_fetch_sub(&g_xlsx, 1);
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	}
	pthread_t th;
	pthread_attr_t at;
	pthread_attr_init(&at);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	int rc = pthread_create(&th, &at, xlsx_thread, j);
	pthread_attr_destroy(&at);
	if (rc != 0) {
		atomic_fetch_sub(&g_xlsx, 1);
		reply_error(r, 503, "busy", "%s", tr("err.busy"));
		req_resume(r);
	}
	return 0;
}

/* GET /api/v1/reports/members?org_id=O&year=Y&format=json|csv|xlsx&status=S&q=TEXT&page=N&per_page=M */
static int reports_members(req *r)
{
	const assess_org *s = r->res;
	int year;
	report_filter f;
	if (report_year_arg(r, req_arg(r, "year"), &year) < 0 || report_filter_args(r, &f) < 0)
		return 0;
	const char *fmt = req_arg(r, "format");
	if (!fmt || !*fmt || !strcmp(fmt, "json"))
		return members_json(r, s, year, &f);
	if (!strcmp(fmt, "csv"))
		return export_csv(r, s, year, &f);
	if (!strcmp(fmt, "xlsx"))
		return export_xlsx(r, s, year, &f);
	return reply_error(r, 422, "invalid_format", "%s", tr("scoring.err.format"));
}

/* GET /api/v1/reports/orgs?org_id=O&year=Y — per direct child organisation: its whole subtree's
   members and statuses, average hours and points; the members directly in O; the total. */
static int reports_orgs(req *r)
{
	const assess_org *s = r->res;
	int year;
	if (report_year_arg(r, req_arg(r, "year"), &year) < 0)
		return 0;
	org_table t;
	if (org_table_load(&t, year) < 0)
		return reply_error(r, 500, "internal", "%s", tr("err.internal"));
	long root = s->id ? org_table_find(&t, s->id) : -1;
	size_t *kids = NULL;
	org_stats *st = NULL, direct, total;
	long n = report_org_stats(&t, root, clock_secs(), &kids, &st, &direct, &total);
	if (n < 0) {
		org_table_free(&t);
		return reply_error(r, 500, "internal", "%s", tr("err.internal"));
	}
	json_t *arr = json_array();
	for (long k = 0; k < n; k++) {
		const rep_org *o = &t.v[kids[k]];
		size_t lo, hi;
		org_table_subtree(&t, o->path, &lo, &hi);
		json_t *e = stats_json(&st[k]);
		json_object_set_new(e, "id", json_integer(o->id));
		json_object_set_new(e, "name", json_string(o->name));
		json_object_set_new(e, "has_children", json_boolean(hi - lo > 1));
		json_object_set_new(e, "requirement", req_json(&o->req));
		json_array_append_new(arr, e);
	}
	json_t *j = json_pack("{s:i,s:o,s:o,s:o,s:o}", "year", year, "org", org_json(s), "total", stats_json(&total),
			      "direct", stats_json(&direct), "children", arr);
	if (root >= 0) {
		json_object_set_new(j, "requirement", req_json(&t.v[root].req));
		json_object_set_new(j, "parent_id",
				    t.v[root].parent_id ? json_integer(t.v[root].parent_id) : json_null());
	}
	free(kids);
	free(st);
	org_table_free(&t);
	return reply_json(r, 200, j);
}

const route report_routes[] = {
	{.method = "GET", .pattern = "/api/v1/requirements", .fn = requirements_get, .roles = R_ASSESS,
	 .res = &assess_scope, .res_arg = "org_id"},
	{.method = "PUT", .pattern = "/api/v1/requirements", .fn = requirements_put, .roles = ROLE_ADMIN,
	 .flags = RF_JSON},
	{.method = "DELETE", .pattern = "/api/v1/requirements", .fn = requirements_delete, .roles = ROLE_ADMIN},
	{.method = "GET", .pattern = "/api/v1/reports/members", .fn = reports_members, .roles = R_ASSESS,
	 .res = &assess_scope, .res_arg = "org_id"},
	{.method = "GET", .pattern = "/api/v1/reports/orgs", .fn = reports_orgs, .roles = R_ASSESS,
	 .res = &assess_scope, .res_arg = "org_id"},
	ROUTES_END,
};
