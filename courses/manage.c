/* manage.c — tidying a course (issue 12): rename, reorder and delete lectures (a lecture members
 * were credited time on is archived, not deleted), and the course's roster for its instructor (JSON,
 * CSV, and the page /teach/courses/{id}/roster). Publishing, unpublishing and archiving are in
 * courses.c (set_status). */
#include "courses/access.h"
#include "courses/lectures.h"
#include "audit.h"
#include "clock.h"
#include "config.h"
#include "db.h"
#include "html.h"
#include "i18n.h"
#include "scoring/export.h"
#include "transcoder/jobs.h"
#include "transcoder/storage.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TITLE_MAX 100
#define ORDER_MAX 1000 /* lectures in one reorder */

/* PATCH /api/v1/lectures/{id} {"title", "revision" | "updated_at"} (lecture_edit) — a rename. The
   revision (or updated_at) the client read is required: when the row changed since, 409 stale and
   nothing is written. */
static int lecture_patch(req *r)
{
	const lecture_res *lr = r->res;
	const char *title, *seen_at = NULL;
	int64_t revision = 0;
	int has_rev, has_at;
	if (body_str(r, "title", 1, TITLE_MAX, &title) < 0 || (has_rev = body_int(r, "revision", 0, 1, INT64_MAX, &revision)) < 0 ||
	    (has_at = body_str(r, "updated_at", 0, 40, &seen_at)) < 0)
		return 0;
	while (*title == ' ')
		title++;
	if (!*title)
		return reply_error(r, 422, "invalid_field", "%s", tr("err.lecture_title"));
	if (!has_rev && !has_at)
		return reply_error(r, 422, "missing_field", "%s", tr("err.lecture_revision"));
	int64_t at = has_at ? parse_iso(seen_at) : 0;
	if (has_at && at < 0)
		return reply_error(r, 422, "invalid_field", "%s", tr("err.lecture_revision"));
	if (db_begin() < 0)
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	sqlite3_stmt *st = db_query("SELECT revision, updated_at, title FROM lectures WHERE id = ?", "i", lr->id);
	int64_t cur_rev = 0, cur_at = 0;
	char *old = NULL;
	if (db_step(st) == 1) {
		cur_rev = sqlite3_column_int64(st, 0);
		cur_at = sqlite3_column_int64(st, 1);
		old = xstrdup(db_col_text(st, 2));
	}
	db_done(st);
	if ((has_rev && revision != cur_rev) || (has_at && at != cur_at)) {
		db_rollback();
		free(old);
		json_t *e = json_pack("{s:s,s:s,s:I}", "code", "stale", "message", tr("err.lecture_stale"), "revision",
				      (json_int_t)cur_rev);
		return reply_json(r, 409, json_pack("{s:o}", "error", e));
	}
	json_t *detail = json_object();
	audit_diff_str(detail, "title", old, title);
	free(old);
	if (db_exec("UPDATE lectures SET title = ?, revision = revision + 1, updated_at = ? WHERE id = ?", "sii", title,
		    clock_secs(), lr->id) < 0 ||
	    audit_json(r->u->id, "lecture.rename", "lecture", lr->id, detail) < 0) {
		db_rollback();
		return reply_error(r, 500, "internal", "%s", tr("err.internal"));
	}
	if (db_commit() < 0)
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	return reply_json(r, 200, lecture_json(r->u, lr->id));
}

/* 0 when ids is every lecture of the course (not archived) once; else answers 422 and returns -1. */
static int order_check(req *r, int64_t course, json_t *ids)
{
	if (!json_is_array(ids) || json_array_size(ids) > ORDER_MAX)
		return reply_error(r, 422, "invalid_field", "%s", tr("err.order_not_permutation")), -1;
	int64_t n = db_int(0, "SELECT count(*) FROM lectures WHERE course_id = ? AND archived_at IS NULL", "i", course);
	if ((int64_t)json_array_size(ids) != n)
		return reply_error(r, 422, "not_permutation", "%s（%lld / %lld）", tr("err.order_not_permutation"),
				   (long long)json_array_size(ids), (long long)n),
		       -1;
	size_t i, k;
	json_t *v;
	json_array_foreach(ids, i, v)
	{
		if (!json_is_integer(v) ||
		    !db_exists("SELECT 1 FROM lectures WHERE id = ? AND course_id = ? AND archived_at IS NULL", "ii",
			       (int64_t)json_integer_value(v), course))
			return reply_error(r, 422, "not_permutation", "%s", tr("err.order_not_permutation")), -1;
		for (k = 0; k < i; k++)
			if (json_integer_value(json_array_get(ids, k)) == json_integer_value(v))
				return reply_error(r, 422, "not_permutation", "%s", tr("err.order_not_permutation")), -1;
	}
	return 0;
}

/* PUT /api/v1/courses/{id}/lectures/order {"lecture_ids":[…]} (course_edit) — the course's lectures
   (not archived), every one once, in their new order; anything else is 422 and nothing moves. */
static int lecture_order(req *r)
{
	const course_res *cr = r->res;
	json_t *ids = json_object_get(r->json, "lecture_ids");
	size_t i;
	json_t *v;
	/* Checked inside the transaction: a lecture added meanwhile makes the list incomplete. */
	if (db_begin() < 0)
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	if (order_check(r, cr->id, ids) < 0) {
		db_rollback();
		return 0;
	}
	int bad = 0;
	json_array_foreach(ids, i, v) bad |= db_exec("UPDATE lectures SET position = ? WHERE id = ?", "ii",
						     (int64_t)i + 1, (int64_t)json_integer_value(v)) < 0;
	json_t *detail = json_pack("{s:O}", "lecture_ids", ids);
	if (bad || audit_json(r->u->id, "lecture.reorder", "course", cr->id, detail) < 0) {
		db_rollback();
		return reply_error(r, 500, "internal", "%s", tr("err.internal"));
	}
	if (db_commit() < 0)
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	return reply_json(r, 200, course_lectures_json(r->u, cr->id));
}

/* DELETE /api/v1/lectures/{id} (lecture_edit) — a lecture members studied (study time credited, or
   completed) is archived: hidden from everyone, its records kept in every report; any other is
   deleted with its jobs, uploads and media. {"id","result":"archived"|"deleted"}. */
static int lecture_delete(req *r)
{
	const lecture_res *lr = r->res;
	int64_t id = lr->id;
	int credited = db_exists("SELECT 1 FROM lecture_progress WHERE lecture_id = ?1 AND (study_s > 0 OR completed_at IS NOT NULL)"
				 " UNION ALL SELECT 1 FROM study_daily WHERE lecture_id = ?1 AND study_s > 0"
				 " UNION ALL SELECT 1 FROM coverage_history WHERE lecture_id = ?1",
				 "i", id);
	/* Nothing goes on being made for it: a URL import, a queued or running transcode. */
	import_cancel(id);
	if (jobs_cancel(id) < 0)
		return reply_error(r, 500, "internal", "%s", tr("err.internal"));
	int64_t versions = db_int(0, "SELECT media_version FROM lectures WHERE id = ?", "i", id);
	char *title = db_text("SELECT title FROM lectures WHERE id = ?", "i", id);
	if (db_begin() < 0) {
		free(title);
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	}
	int bad = 0;
	if (credited) {
		bad |= db_exec("UPDATE lectures SET archived_at = ?, updated_at = ? WHERE id = ?", "iii", clock_secs(),
			       clock_secs(), id) < 0;
		bad |= db_exec("UPDATE playback_sessions SET open = 0, closed_at = ? WHERE lecture_id = ? AND open = 1",
			       "ii", clock_secs(), id) < 0;
	} else {
		bad |= db_exec("DELETE FROM playback_sessions WHERE lecture_id = ?", "i", id) < 0;
		bad |= db_exec("DELETE FROM lecture_progress WHERE lecture_id = ?", "i", id) < 0;
		bad |= db_exec("DELETE FROM study_daily WHERE lecture_id = ?", "i", id) < 0;
		bad |= db_exec("DELETE FROM jobs WHERE lecture_id = ?", "i", id) < 0;
		bad |= db_exec("DELETE FROM uploads WHERE lecture_id = ?", "i", id) < 0;
		bad |= db_exec("DELETE FROM lectures WHERE id = ?", "i", id) < 0;
	}
	json_t *detail = json_pack("{s:s,s:I}", "title", title ? title : "", "course_id", (json_int_t)lr->course_id);
	free(title);
	if (bad || audit_json(r->u->id, credited ? "lecture.archive" : "lecture.delete", "lecture", id, detail) < 0) {
		db_rollback();
		return reply_error(r, 500, "internal", "%s", tr("err.internal"));
	}
	if (db_commit() < 0)
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	if (!credited)
		for (int64_t v = 0; v <= versions + 1; v++)
			storage_remove(id, v);
	return reply_json(r, 200, json_pack("{s:I,s:s}", "id", (json_int_t)id, "result", credited ? "archived" : "deleted"));
}

/* ---- the roster ---- */

static const export_col roster_cols[] = {
	{"username", "roster.col.username", EX_TEXT, 16},
	{"name", "roster.col.name", EX_TEXT, 12},
	{"org", "roster.col.org", EX_TEXT, 24},
	{"enrolled_at", "roster.col.enrolled_at", EX_TEXT, 14},
	{"progress", "roster.col.progress", EX_INT, 10},
	{"study_s", "roster.col.study_s", EX_INT, 14},
	{"completed_at", "roster.col.completed_at", EX_TEXT, 14},
};
#define NCOLS (sizeof roster_cols / sizeof roster_cols[0])

/* The course's members, by organisation and name: user id, username, name, org, enrolled_at,
   progress, study seconds (every lecture of the course, archived ones too), completed_at. */
static sqlite3_stmt *roster_prepare(db_stmt *q, int64_t course)
{
	return db_prepare(q,
			  "SELECT u.id, u.username, u.name, o.name, e.enrolled_at, e.progress,"
			  " (SELECT ifnull(sum(p.study_s), 0) FROM lecture_progress p JOIN lectures l ON l.id = p.lecture_id"
			  "   WHERE l.course_id = e.course_id AND p.user_id = e.user_id),"
			  " e.completed_at"
			  " FROM enrollments e JOIN users u ON u.id = e.user_id JOIN orgs o ON o.id = u.org_id"
			  " WHERE e.course_id = ? ORDER BY o.path, u.name, u.id",
			  "i", course);
}

static int buf_sink(void *ctx, const char *data, size_t n)
{
	buf_add(ctx, data, n);
	return 0;
}

/* GET /api/v1/courses/{id}/roster[?format=csv] (course_edit) — {"course_id","members":[…]} or a CSV
   file (UTF-8 with BOM, text cells quoted and defused against formula injection: scoring/export.h). */
static int roster_get(req *r)
{
	const course_res *cr = r->res;
	const char *format = req_arg(r, "format");
	if (format && strcmp(format, "json") && strcmp(format, "csv"))
		return reply_error(r, 422, "invalid_field", "%s", tr("err.roster_format"));
	int csv = format && !strcmp(format, "csv");
	buf b;
	buf_init(&b);
	csvw w;
	if (csv)
		csvw_begin(&w, roster_cols, NCOLS, buf_sink, &b);
	json_t *arr = json_array();
	db_stmt q;
	sqlite3_stmt *st = roster_prepare(&q, cr->id);
	while (db_step(st) == 1) {
		char enrolled[24], done[24];
		int has_done = sqlite3_column_type(st, 7) != SQLITE_NULL;
		double progress = sqlite3_column_double(st, 5), study = sqlite3_column_double(st, 6);
		if (csv) {
			day_of(sqlite3_column_int64(st, 4), enrolled);
			if (has_done)
				day_of(sqlite3_column_int64(st, 7), done);
			else
				done[0] = 0;
			export_cell cells[NCOLS] = {
				{.s = db_col_text(st, 1)}, {.s = db_col_text(st, 2)}, {.s = db_col_text(st, 3)}, {.s = enrolled},
				{.n = round(progress * 100)}, {.n = round(study)},	   {.s = done},
			};
			csvw_row(&w, cells);
			continue;
		}
		iso_time(sqlite3_column_int64(st, 4), enrolled);
		json_t *m = json_pack("{s:I,s:s,s:s,s:s,s:s,s:f,s:I,s:b}", "user_id", (json_int_t)sqlite3_column_int64(st, 0),
				      "username", db_col_text(st, 1), "name", db_col_text(st, 2), "org", db_col_text(st, 3),
				      "enrolled_at", enrolled, "progress", progress, "study_s", (json_int_t)llround(study),
				      "completed", has_done);
		if (has_done) {
			iso_time(sqlite3_column_int64(st, 7), done);
			json_object_set_new(m, "completed_at", json_string(done));
		} else
			json_object_set_new(m, "completed_at", json_null());
		json_array_append_new(arr, m);
	}
	db_finalize(&q);
	if (csv) {
		json_decref(arr);
		if (csvw_end(&w) < 0) {
			buf_free(&b);
			return reply_error(r, 500, "internal", "%s", tr("err.internal"));
		}
		char d[96];
		snprintf(d, sizeof d, "attachment; filename=\"course-%lld-roster.csv\"", (long long)cr->id);
		reply_header(r, "Content-Disposition", d);
		return reply_buf(r, 200, "text/csv; charset=utf-8", &b);
	}
	buf_free(&b);
	return reply_json(r, 200, json_pack("{s:I,s:I,s:o}", "course_id", (json_int_t)cr->id, "total",
					    (json_int_t)json_array_size(arr), "members", arr));
}

/* GET /teach/courses/{id}/roster (course_edit) — the roster as a table, with the CSV to download. */
static int roster_page(req *r)
{
	const course_res *cr = r->res;
	char *title = db_text("SELECT title FROM courses WHERE id = ?", "i", cr->id);
	buf b;
	buf_init(&b);
	page_begin(r, &b, "roster", tr("roster.title"));
	html_printf(&b,
		    "<nav class=\"crumbs\"><a href=\"/teach\">%s</a> › <a href=\"/teach/courses/%lld\">%s</a> › %s</nav>"
		    "<h1>%s</h1><section class=\"card\"><p class=\"actions\"><a class=\"button\" id=\"roster-csv\""
		    " href=\"/api/v1/courses/%lld/roster?format=csv\" download>%s</a></p>",
		    tr("teach.title"), (long long)cr->id, title ? title : "", tr("roster.title"), tr("roster.title"),
		    (long long)cr->id, tr("roster.csv"));
	free(title);
	db_stmt q;
	sqlite3_stmt *st = roster_prepare(&q, cr->id);
	int n = 0;
	while (db_step(st) == 1) {
		if (!n++)
			html_printf(&b,
				    "<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-labelledby=\"roster-cap\">"
				    "<table class=\"list\" id=\"roster\"><caption id=\"roster-cap\">%s</caption><thead><tr>"
				    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
				    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead><tbody>",
				    tr("roster.caption"), tr("roster.col.name"), tr("roster.col.username"), tr("roster.col.org"),
				    tr("roster.col.progress"), tr("roster.col.study"), tr("roster.col.completed"));
		char dur[32], day[16] = "";
		fmt_duration(dur, sizeof dur, sqlite3_column_double(st, 6));
		int done = sqlite3_column_type(st, 7) != SQLITE_NULL;
		if (done)
			day_of(sqlite3_column_int64(st, 7), day);
		int pct = (int)(sqlite3_column_double(st, 5) * 100 + 0.5);
		html_printf(&b,
			    "<tr><td>%s</td><td>%s</td><td>%s</td><td><progress max=\"100\" value=\"%d\" aria-label=\"%s\">%d%%</progress> %d%%</td>"
			    "<td>%s</td><td>%s%s</td></tr>",
			    db_col_text(st, 2), db_col_text(st, 1), db_col_text(st, 3), pct, tr("roster.col.progress"), pct, pct,
			    dur, done ? tr("roster.done") : tr("roster.not_done"), day);
	}
	db_finalize(&q);
	if (n)
		html_raw(&b, "</tbody></table></div>");
	else
		html_printf(&b, "<p class=\"muted\" id=\"roster-empty\">%s</p>", tr("roster.none"));
	html_raw(&b, "</section>");
	return page_reply(r, &b);
}

const route manage_routes[] = {
	{.method = "PATCH", .pattern = "/api/v1/lectures/{id}", .fn = lecture_patch, .roles = R_STAFF, .flags = RF_JSON,
	 .res = &lecture_edit},
	{.method = "DELETE", .pattern = "/api/v1/lectures/{id}", .fn = lecture_delete, .roles = R_STAFF,
	 .res = &lecture_edit},
	{.method = "PUT", .pattern = "/api/v1/courses/{id}/lectures/order", .fn = lecture_order, .roles = R_STAFF,
	 .flags = RF_JSON, .res = &course_edit},
	{.method = "GET", .pattern = "/api/v1/courses/{id}/roster", .fn = roster_get, .roles = R_STAFF,
	 .res = &course_edit},
	{.method = "GET", .pattern = "/teach/courses/{id}/roster", .fn = roster_page, .roles = R_STAFF,
	 .flags = RF_PAGE, .res = &course_edit},
	ROUTES_END,
};
