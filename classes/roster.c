/* roster.c — a class's roster for its organisers and assessors: every member's progress, study
 * time, credit hours in the class and completion date, filterable; JSON, CSV and XLSX (the scoring
 * module's streaming writers); a summary per organisation; late joiners and members who have not
 * started; and the roster's certificates as one ZIP. */
#include "classes/access.h"
#include "classes/cert.h"
#include "classes/classes.h"
#include "classes/zip.h"
#include "clock.h"
#include "config.h"
#include "courses/study.h"
#include "db.h"
#include "html.h"
#include "i18n.h"
#include "scoring/export.h"

#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* One member's row. */
typedef struct roster_row {
	int64_t user_id, org_id, joined_at, completed_at, cert_id;
	char *username, *name, *org, *how, *code;
	double progress, study_s, hours;
	const char *state; /* complete, open, not_open, missed */
	int late, started;
} roster_row;

typedef struct roster {
	roster_row *rows;
	int n, cap;
} roster;

/* The roster filter of the query string: ?org_id= (a subtree), ?status=completed|in_progress|
   not_started|late, ?q= (name or username contains). */
typedef struct roster_filter {
	const char *org_path; /* the subtree the rows must lie in: the caller's for an assessor */
	const char *status, *q;
} roster_filter;

static void roster_free(roster *ro)
{
	for (int i = 0; i < ro->n; i++) {
		roster_row *w = &ro->rows[i];
		free(w->username);
		free(w->name);
		free(w->org);
		free(w->how);
		free(w->code);
	}
	free(ro->rows);
}

static int keep(const roster_row *w, const roster_filter *f)
{
	if (f->q && *f->q && !strstr(w->name, f->q) && !strstr(w->username, f->q))
		return 0;
	if (!f->status || !*f->status)
		return 1;
	if (!strcmp(f->status, "completed"))
		return w->completed_at != 0;
	if (!strcmp(f->status, "in_progress"))
		return !w->completed_at && w->started;
	if (!strcmp(f->status, "not_started"))
		return !w->completed_at && !w->started;
	if (!strcmp(f->status, "late"))
		return w->late;
	return 1;
}

/* Reads the class's members under the filter, each evaluated at now. */
static void roster_load(const class_row *c, const roster_filter *f, int64_t now, roster *ro)
{
	memset(ro, 0, sizeof *ro);
	buf ids;
	buf_init(&ids);
	buf_putc(&ids, '[');
	for (int i = 0; i < c->ncourses; i++)
		buf_printf(&ids, "%s%lld", i ? "," : "", (long long)c->courses[i]);
	buf_putc(&ids, ']');
	db_stmt q;
	sqlite3_stmt *st = db_prepare(&q,
				      "SELECT m.user_id, u.username, u.name, o.id, o.name, m.how, m.joined_at,"
				      "  ifnull(m.completed_at, 0), ifnull(m.certificate_id, 0), ifnull(ce.code, '')"
				      " FROM class_members m JOIN users u ON u.id = m.user_id JOIN orgs o ON o.id = u.org_id"
				      " LEFT JOIN certificates ce ON ce.id = m.certificate_id"
				      " WHERE m.class_id = ?1 AND substr(o.path, 1, length(?2)) = ?2"
				      " ORDER BY o.path, u.username",
				      "is", c->id, f->org_path);
	while (db_step(st) == 1) {
		roster_row w = {.user_id = sqlite3_column_int64(st, 0),
				.username = xstrdup(db_col_text(st, 1)),
				.name = xstrdup(db_col_text(st, 2)),
				.org_id = sqlite3_column_int64(st, 3),
				.org = xstrdup(db_col_text(st, 4)),
				.how = xstrdup(db_col_text(st, 5)),
				.joined_at = sqlite3_column_int64(st, 6),
				.completed_at = sqlite3_column_int64(st, 7),
				.cert_id = sqlite3_column_int64(st, 8),
				.code = xstrdup(db_col_text(st, 9))};
		class_progress p;
		if (class_member_eval(c, w.user_id, w.joined_at, now, &p) == 0) {
			w.progress = w.completed_at ? 1 : p.progress;
			w.hours = p.hours;
			w.state = w.completed_at ? "complete" : class_state_name(p.state);
			w.started = p.required_done > 0 || p.hours > 0;
			class_progress_free(&p);
		} else {
			w.state = "open";
		}
		w.study_s = study_seconds_in(w.user_id, ids.p);
		w.started = w.started || w.study_s > 0 || w.completed_at;
		w.late = w.joined_at > c->opens_at;
		if (!keep(&w, f)) {
			free(w.username);
			free(w.name);
			free(w.org);
			free(w.how);
			free(w.code);
			continue;
		}
		if (ro->n == ro->cap) {
			ro->cap = ro->cap ? ro->cap * 2 : 64;
			ro->rows = xrealloc(ro->rows, sizeof *ro->rows * (size_t)ro->cap);
		}
		ro->rows[ro->n++] = w;
	}
	db_finalize(&q);
	buf_free(&ids);
}

/* The filter of the request: the org_id (inside the caller's reach), status, q. -1 after a reply. */
static int filter_of(req *r, const class_res *cr, roster_filter *f)
{
	f->org_path = cr->all_rows ? "/" : r->u->org_path;
	f->status = req_arg(r, "status");
	f->q = req_arg(r, "q");
	if (f->status && *f->status && strcmp(f->status, "completed") && strcmp(f->status, "in_progress") &&
	    strcmp(f->status, "not_started") && strcmp(f->status, "late"))
		return reply_error(r, 422, "invalid_field", "%s", tr("classes.roster.bad_status")), -1;
	int64_t org = parse_id(req_arg(r, "org_id"));
	if (org) {
		char *p = db_text("SELECT path FROM orgs WHERE id = ?", "i", org);
		if (!p || strncmp(p, f->org_path, strlen(f->org_path))) {
			free(p);
			return reply_error(r, 404, "not_found", "%s", tr("err.org_missing")), -1;
		}
		f->org_path = arena_strdup(r->a, p);
		free(p);
	}
	return 0;
}

static json_t *iso_json(int64_t t)
{
	if (!t)
		return json_null();
	char s[32];
	iso_time(t, s);
	return json_string(s);
}

static double r3(double x)
{
	return round(x * 1000) / 1000;
}

/* Per organisation: members, completed, in progress, not started, late, mean progress. */
static json_t *summary_json(const roster *ro)
{
	json_t *a = json_array();
	for (int i = 0; i < ro->n; i++) {
		if (i && ro->rows[i].org_id == ro->rows[i - 1].org_id)
			continue; /* rows are ordered by organisation */
		int n = 0, done = 0, started = 0, late = 0;
		double sum = 0;
		for (int k = i; k < ro->n && ro->rows[k].org_id == ro->rows[i].org_id; k++) {
			const roster_row *w = &ro->rows[k];
			n++;
			done += w->completed_at != 0;
			started += !w->completed_at && w->started;
			late += w->late;
			sum += w->progress;
		}
		json_array_append_new(a, json_pack("{s:I,s:s,s:i,s:i,s:i,s:i,s:i,s:f}", "org_id", (json_int_t)ro->rows[i].org_id,
						   "org", ro->rows[i].org, "members", n, "completed", done, "in_progress",
						   started, "not_started", n - done - started, "late", late, "progress",
						   r3(sum / n)));
	}
	return a;
}

static const export_col roster_cols[] = {
	{"username", "classes.col.username", EX_TEXT, 16},
	{"name", "classes.col.name", EX_TEXT, 12},
	{"org", "classes.col.org", EX_TEXT, 24},
	{"how", "classes.col.how", EX_TEXT, 10},
	{"joined_at", "classes.col.joined_at", EX_TEXT, 14},
	{"progress", "classes.col.progress", EX_INT, 10},
	{"study_s", "classes.col.study_s", EX_INT, 14},
	{"credit_hours", "classes.col.credit_hours", EX_HOURS, 12},
	{"completed_at", "classes.col.completed_at", EX_TEXT, 14},
};
#define NCOLS ARRAY_LEN(roster_cols)

/* The export cells of a row (dates as the academy's days; strings in s, valid until the next call). */
static void row_cells(const roster_row *w, export_cell *cells, char joined[16], char done[16])
{
	day_of(w->joined_at, joined);
	if (w->completed_at)
		day_of(w->completed_at, done);
	else
		done[0] = 0;
	cells[0] = (export_cell){.s = w->username};
	cells[1] = (export_cell){.s = w->name};
	cells[2] = (export_cell){.s = w->org};
	cells[3] = (export_cell){.s = tr(!strcmp(w->how, "assigned") ? "classes.how.assigned" : "classes.how.joined")};
	cells[4] = (export_cell){.s = joined};
	cells[5] = (export_cell){.n = round(w->progress * 100)};
	cells[6] = (export_cell){.n = round(w->study_s)};
	cells[7] = (export_cell){.n = w->hours};
	cells[8] = (export_cell){.s = done};
}

static int buf_sink(void *ctx, const char *data, size_t n)
{
	buf_add(ctx, data, n);
	return 0;
}

/* A fresh temporary file DATA/tmp/NAME-XXXXXX into path (the caller unlinks it); fd or -1. */
static int temp_file(char *path, size_t n, const char *name)
{
	char dir[600];
	snprintf(dir, sizeof dir, "%s/tmp", cfg.data);
	mkdir_p(dir, 0700);
	snprintf(path, n, "%s/%s-XXXXXX", dir, name);
	return mkstemp(path);
}

static void disposition(req *r, int64_t class_id, const char *ext)
{
	char d[96];
	snprintf(d, sizeof d, "attachment; filename=\"class-%lld-roster.%s\"", (long long)class_id, ext);
	reply_header(r, "Content-Disposition", d);
}

/* GET /api/v1/classes/{id}/roster?format=json|csv|xlsx&org_id=&status=&q= (class_roster) — every
   member of the class (an assessor who is no organiser: those of their subtree), with the summary
   per organisation in JSON. */
static int roster_get(req *r)
{
	const class_res *cr = r->res;
	roster_filter f;
	if (filter_of(r, cr, &f) < 0)
		return 0;
	const char *format = req_arg(r, "format");
	if (format && strcmp(format, "json") && strcmp(format, "csv") && strcmp(format, "xlsx"))
		return reply_error(r, 422, "invalid_field", "%s", tr("classes.roster.bad_format"));
	class_row c;
	if (!class_load(cr->id, &c))
		return reply_error(r, 404, "not_found", "%s", tr("classes.err.missing"));
	roster ro;
	roster_load(&c, &f, clock_secs(), &ro);
	int rc;
	export_cell cells[NCOLS];
	char joined[16], done[16];
	if (format && !strcmp(format, "csv")) {
		buf b;
		buf_init(&b);
		csvw w;
		csvw_begin(&w, roster_cols, NCOLS, buf_sink, &b);
		for (int i = 0; i < ro.n; i++) {
			row_cells(&ro.rows[i], cells, joined, done);
			csvw_row(&w, cells);
		}
		csvw_end(&w);
		disposition(r, c.id, "csv");
		rc = reply_buf(r, 200, "text/csv; charset=utf-8", &b);
	} else if (format && !strcmp(format, "xlsx")) {
		char path[700];
		int fd = temp_file(path, sizeof path, "roster");
		xlsxw w;
		if (fd >= 0)
			close(fd);
		int begun = fd >= 0 && xlsxw_begin(&w, path, NULL, "花名册", roster_cols, NCOLS) == 0, ok = begun;
		for (int i = 0; ok && i < ro.n; i++) {
			row_cells(&ro.rows[i], cells, joined, done);
			ok = xlsxw_row(&w, cells) == 0;
		}
		if (begun && xlsxw_end(&w) < 0)
			ok = 0;
		if (ok) {
			disposition(r, c.id, "xlsx");
			rc = reply_file(r, path, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
					"private, no-store");
		} else {
			rc = reply_error(r, 500, "internal", "%s", tr("err.internal"));
		}
		if (fd >= 0)
			unlink(path); /* the reply holds it open */
	} else {
		json_t *rows = json_array();
		for (int i = 0; i < ro.n; i++) {
			const roster_row *w = &ro.rows[i];
			json_t *j = json_pack("{s:I,s:s,s:s,s:I,s:s,s:s,s:o,s:b,s:f,s:I,s:f,s:o,s:s,s:b}", "user_id",
					      (json_int_t)w->user_id, "username", w->username, "name", w->name, "org_id",
					      (json_int_t)w->org_id, "org", w->org, "how", w->how, "joined_at",
					      iso_json(w->joined_at), "late", w->late, "progress", r3(w->progress), "study_s",
					      (json_int_t)round(w->study_s), "credit_hours", w->hours, "completed_at",
					      iso_json(w->completed_at), "state", w->state, "started", w->started);
			json_object_set_new(j, "certificate", w->code[0] ? json_string(w->code) : json_null());
			json_array_append_new(rows, j);
		}
		rc = reply_json(r, 200,
				json_pack("{s:I,s:s,s:i,s:o,s:o}", "class_id", (json_int_t)c.id, "title", c.title, "total", ro.n,
					  "members", rows, "summary", summary_json(&ro)));
	}
	roster_free(&ro);
	class_row_free(&c);
	return rc;
}

/* An entry name for a certificate: NUMBER-NAME.pdf, with characters that a file system would
   take as structure replaced. */
static void entry_name(char *out, size_t n, const char *number, const char *name)
{
	buf b;
	buf_init(&b);
	buf_printf(&b, "%s-", number);
	for (const char *p = name; *p; p++)
		buf_putc(&b, strchr("/\\:*?\"<>|", *p) || (unsigned char)*p < 0x20 ? '_' : *p);
	snprintf(out, n, "%s.pdf", b.p);
	buf_free(&b);
}

/* The ZIP of a roster's certificates as it is sent: the entries to write (certificate id and entry
   name), the writer, and the bytes produced but not sent yet (one entry: a PDF of some 50 KB). */
typedef struct zip_stream {
	int64_t *certs;
	char **names;
	int n, next, ended;
	zipw z;
	buf pending;
	size_t sent; /* of pending */
} zip_stream;

static int pending_sink(void *ctx, const void *data, size_t n)
{
	buf_add(&((zip_stream *)ctx)->pending, data, n);
	return 0;
}

static void zip_stream_free(void *ctx)
{
	zip_stream *s = ctx;
	for (int i = 0; i < s->n; i++)
		free(s->names[i]);
	free(s->names);
	free(s->certs);
	if (!s->ended)
		buf_free(&s->z.central);
	buf_free(&s->pending);
	free(s);
}

/* Called by libmicrohttpd for every chunk: hands out what is pending, and when nothing is, renders
   the next certificate into the archive (or, after the last, the central directory). */
static long zip_stream_next(void *ctx, char *out, size_t max)
{
	zip_stream *s = ctx;
	while (s->sent == s->pending.len) {
		s->pending.len = s->sent = 0;
		if (s->next < s->n) {
			buf pdf;
			buf_init(&pdf);
			int i = s->next++;
			int ok = cert_render(s->certs[i], &pdf) == 0 && zip_add(&s->z, s->names[i], pdf.p, pdf.len) == 0;
			buf_free(&pdf);
			if (!ok) {
				fprintf(stderr, "dangxiao: certificates ZIP: certificate %lld could not be added\n",
					(long long)s->certs[i]);
				return -1;
			}
		} else if (!s->ended) {
			s->ended = 1;
			if (zip_end(&s->z) < 0)
				return -1;
		} else
			return 0;
	}
	size_t k = s->pending.len - s->sent;
	if (k > max)
		k = max;
	memcpy(out, s->pending.p + s->sent, k);
	s->sent += k;
	return (long)k;
}

/* GET /api/v1/classes/{id}/certificates.zip?org_id=&q= (class_roster) — the certificates of the
   roster (the same rows and filter as the roster; revoked ones left out) as one ZIP of PDFs,
   streamed: each certificate is rendered when the connection is ready for it and written as a
   stored entry, so the server holds one PDF at a time whatever the class's size, and the download
   starts at once. X-Certificates tells how many entries follow. */
static int roster_zip(req *r)
{
	const class_res *cr = r->res;
	roster_filter f;
	if (filter_of(r, cr, &f) < 0)
		return 0;
	class_row c;
	if (!class_load(cr->id, &c))
		return reply_error(r, 404, "not_found", "%s", tr("classes.err.missing"));
	roster ro;
	roster_load(&c, &f, clock_secs(), &ro);
	zip_stream *s = xcalloc(1, sizeof *s);
	s->certs = xcalloc((size_t)ro.n + 1, sizeof *s->certs);
	s->names = xcalloc((size_t)ro.n + 1, sizeof *s->names);
	buf_init(&s->pending);
	for (int i = 0; i < ro.n; i++) {
		const roster_row *w = &ro.rows[i];
		if (!w->cert_id)
			continue;
		char *number = db_text("SELECT number FROM certificates WHERE id = ? AND revoked_at IS NULL", "i", w->cert_id);
		if (!number)
			continue; /* revoked */
		char name[400];
		entry_name(name, sizeof name, number, w->name);
		free(number);
		s->certs[s->n] = w->cert_id;
		s->names[s->n++] = xstrdup(name);
	}
	zip_begin(&s->z, pending_sink, s, clock_secs());
	char d[96], n[32];
	snprintf(d, sizeof d, "attachment; filename=\"class-%lld-certificates.zip\"", (long long)c.id);
	snprintf(n, sizeof n, "%d", s->n);
	reply_header(r, "Content-Disposition", d);
	reply_header(r, "X-Certificates", n);
	reply_header(r, "Cache-Control", "private, no-store");
	roster_free(&ro);
	class_row_free(&c);
	return reply_stream(r, 200, "application/zip", zip_stream_next, zip_stream_free, s);
}

/* GET /classes/{id}/roster (class_roster) — the roster page: filters (a plain GET form), the
   table, exports with the same filter, the summary per organisation. */
static int roster_page(req *r)
{
	const class_res *cr = r->res;
	roster_filter f;
	if (filter_of(r, cr, &f) < 0)
		return 0;
	class_row c;
	if (!class_load(cr->id, &c))
		return page_error_reply(r, 404, tr("classes.err.missing"), "/classes", tr("nav.classes"));
	roster ro;
	roster_load(&c, &f, clock_secs(), &ro);
	buf b, qs;
	buf_init(&b);
	buf_init(&qs);
	if (f.status && *f.status) {
		buf_puts(&qs, "&status=");
		url_escape(&qs, f.status);
	}
	if (f.q && *f.q) {
		buf_puts(&qs, "&q=");
		url_escape(&qs, f.q);
	}
	page_begin(r, &b, "roster", tr("classes.page.roster"));
	html_printf(&b, "<p class=\"crumbs\"><a href=\"/classes/%lld\">%s</a></p><h1>%s · %s</h1>", (long long)c.id, c.title,
		    c.title, tr("classes.page.roster"));
	html_printf(&b, "<form class=\"card filters\" id=\"roster-form\" method=\"get\"><select name=\"status\" aria-label=\"%s\">",
		    tr("classes.roster.status"));
	static const char *const st[] = {"", "completed", "in_progress", "not_started", "late"};
	for (size_t i = 0; i < ARRAY_LEN(st); i++) {
		char key[48];
		snprintf(key, sizeof key, "classes.roster.f_%s", *st[i] ? st[i] : "all");
		html_printf(&b, "<option value=\"%s\"%s>%s</option>", st[i],
			    f.status && !strcmp(f.status, st[i]) ? " selected" : "", tr(key));
	}
	html_printf(&b,
		    "</select><input class=\"q\" name=\"q\" value=\"%s\" placeholder=\"%s\" aria-label=\"%s\"><button type=\"submit\">%s</button>"
		    "</form>",
		    f.q ? f.q : "", tr("classes.roster.q"), tr("classes.roster.q"), tr("classes.roster.filter"));
	html_printf(&b,
		    "<p class=\"actions\" id=\"exports\"><a class=\"button\" href=\"/api/v1/classes/%lld/roster?format=csv%s\">CSV</a> "
		    "<a class=\"button\" href=\"/api/v1/classes/%lld/roster?format=xlsx%s\">Excel</a> "
		    "<a class=\"button\" href=\"/api/v1/classes/%lld/certificates.zip?x=1%s\">%s</a></p>",
		    (long long)c.id, qs.p ? qs.p : "", (long long)c.id, qs.p ? qs.p : "", (long long)c.id, qs.p ? qs.p : "",
		    tr("classes.roster.zip"));
	json_t *sum = summary_json(&ro);
	html_printf(&b, "<section class=\"card\"><h2 id=\"summary-h\">%s</h2><div class=\"table-wrap\" tabindex=\"0\" role=\"region\""
			" aria-labelledby=\"summary-h\"><table class=\"list\" id=\"roster-summary\">"
			"<tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr>",
		    tr("classes.roster.summary"), tr("classes.col.org"), tr("classes.roster.members"),
		    tr("classes.roster.f_completed"), tr("classes.roster.f_in_progress"), tr("classes.roster.f_not_started"),
		    tr("classes.roster.f_late"), tr("classes.col.progress"));
	size_t i;
	json_t *x;
	json_array_foreach(sum, i, x)
	{
		html_printf(&b, "<tr><td>%s</td><td>%lld</td><td>%lld</td><td>%lld</td><td>%lld</td><td>%lld</td><td>%d</td></tr>",
			    json_string_value(json_object_get(x, "org")), (long long)json_integer_value(json_object_get(x, "members")),
			    (long long)json_integer_value(json_object_get(x, "completed")),
			    (long long)json_integer_value(json_object_get(x, "in_progress")),
			    (long long)json_integer_value(json_object_get(x, "not_started")),
			    (long long)json_integer_value(json_object_get(x, "late")),
			    (int)round(json_real_value(json_object_get(x, "progress")) * 100));
	}
	json_decref(sum);
	html_raw(&b, "</table></div></section>");
	html_printf(&b, "<section class=\"card\"><h2 id=\"members-h\">%s（%d）</h2><div class=\"table-wrap\" tabindex=\"0\""
			" role=\"region\" aria-labelledby=\"members-h\"><table class=\"list\" id=\"roster\"><tr>",
		    tr("classes.roster.members"), ro.n);
	for (size_t k = 0; k < NCOLS; k++)
		html_printf(&b, "<th>%s</th>", tr(roster_cols[k].label_key));
	html_raw(&b, "</tr>");
	export_cell cells[NCOLS];
	char joined[16], done[16];
	for (int k = 0; k < ro.n; k++) {
		row_cells(&ro.rows[k], cells, joined, done);
		html_printf(&b, "<tr data-user=\"%s\">", ro.rows[k].username);
		for (size_t j = 0; j < NCOLS; j++) {
			if (roster_cols[j].type == EX_TEXT)
				html_printf(&b, "<td>%s</td>", cells[j].s ? cells[j].s : "");
			else if (roster_cols[j].type == EX_HOURS)
				html_printf(&b, "<td>%.2f</td>", cells[j].n);
			else if (!strcmp(roster_cols[j].key, "study_s")) {
				char d[32];
				fmt_duration(d, sizeof d, cells[j].n);
				html_printf(&b, "<td>%s</td>", d);
			} else
				html_printf(&b, "<td>%.0f</td>", cells[j].n);
		}
		html_raw(&b, "</tr>");
	}
	html_raw(&b, "</table></div></section>");
	buf_free(&qs);
	roster_free(&ro);
	class_row_free(&c);
	return page_reply(r, &b);
}

const route roster_routes[] = {
	{.method = "GET", .pattern = "/classes/{id}/roster", .fn = roster_page, .roles = R_STAFF | ROLE_ASSESSOR,
	 .flags = RF_PAGE, .res = &class_roster},
	{.method = "GET", .pattern = "/api/v1/classes/{id}/roster", .fn = roster_get, .roles = R_STAFF | ROLE_ASSESSOR,
	 .res = &class_roster},
	{.method = "GET", .pattern = "/api/v1/classes/{id}/certificates.zip", .fn = roster_zip,
	 .roles = R_STAFF | ROLE_ASSESSOR, .res = &class_roster},
	ROUTES_END,
};
