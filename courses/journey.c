/* journey.c — a member's way through a course: required courses enrolled without a click, the next
 * unfinished lecture (开始学习 / 继续学习), the last lecture studied, the lecture after this one. */
#include "courses/journey.h"
#include "clock.h"
#include "courses/access.h"
#include "courses/study.h"
#include "db.h"
#include "html.h"
#include "i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A lecture plays when a video is served (a lecture being replaced plays its previous version). */
#define PLAYS "(l.media_version > 0 OR l.status = 'ready') AND l.duration_s > 0 AND l.archived_at IS NULL"

static void add_id(int64_t id, void *ud)
{
	buf *b = ud;
	buf_printf(b, "%s%lld", b->len > 1 ? "," : "", (long long)id);
}

int journey_enrol_required(req *r)
{
	if (!r->u || !r->u->org_id || r->u->role != ROLE_MEMBER)
		return 0; /* staff preview the courses required of them (courses/access.c) */
	buf ids;
	buf_init(&ids);
	buf_putc(&ids, '[');
	course_required_each(r->a, r->u, add_id, &ids);
	buf_putc(&ids, ']');
	static const char *const missing_sql =
		"SELECT c.id FROM json_each(?1) j JOIN courses c ON c.id = j.value WHERE c.status = 'published'"
		" AND c.owner_id != ?2 AND NOT EXISTS(SELECT 1 FROM enrollments e WHERE e.user_id = ?2 AND e.course_id = c.id)";
	int n = 0;
	if (ids.len > 2 && db_exists(missing_sql, "si", ids.p, r->u->id)) {
		if (db_begin() < 0) {
			buf_free(&ids);
			return -1;
		}
		int64_t now = clock_secs(), todo[256];
		size_t k = 0;
		db_stmt q;
		sqlite3_stmt *st = db_prepare(&q, missing_sql, "si", ids.p, r->u->id);
		while (k < ARRAY_LEN(todo) && db_step(st) == 1)
			todo[k++] = sqlite3_column_int64(st, 0);
		db_finalize(&q);
		int bad = 0;
		for (size_t i = 0; i < k && !bad; i++) {
			int added = db_exec("INSERT OR IGNORE INTO enrollments(user_id, course_id, enrolled_at) VALUES (?, ?, ?)",
					    "iii", r->u->id, todo[i], now);
			bad = added < 0 ||
			      (added == 1 && db_exec("UPDATE courses SET enrolled_count = enrolled_count + 1 WHERE id = ?", "i",
						     todo[i]) < 0);
			n += added == 1;
		}
		if (bad) {
			db_rollback();
			n = -1;
		} else if (db_commit() < 0)
			n = -1;
	}
	buf_free(&ids);
	return n;
}

int journey_next(req *r, int64_t uid, int64_t course_id, journey_lecture *out)
{
	memset(out, 0, sizeof *out);
	sqlite3_stmt *st = db_query("SELECT l.id, l.title, l.duration_s, ifnull(p.last_pos, 0), c.title"
				    " FROM lectures l JOIN courses c ON c.id = l.course_id"
				    " LEFT JOIN lecture_progress p ON p.user_id = ?1 AND p.lecture_id = l.id"
				    " WHERE l.course_id = ?2 AND " PLAYS " AND p.completed_at IS NULL"
				    " ORDER BY l.position, l.id LIMIT 1",
				    "ii", uid, course_id);
	int found = db_step(st) == 1;
	if (found) {
		out->id = sqlite3_column_int64(st, 0);
		out->course_id = course_id;
		out->title = arena_strdup(r->a, db_col_text(st, 1));
		out->duration_s = sqlite3_column_double(st, 2);
		out->resume_s = study_resume_at(sqlite3_column_double(st, 3), out->duration_s);
		out->course_title = arena_strdup(r->a, db_col_text(st, 4));
	}
	db_done(st);
	if (found)
		out->started = db_exists("SELECT 1 FROM lecture_progress p JOIN lectures l ON l.id = p.lecture_id"
					 " WHERE p.user_id = ? AND l.course_id = ?",
					 "ii", uid, course_id);
	return found;
}

int journey_last(req *r, int64_t uid, int64_t course_id, journey_lecture *out)
{
	memset(out, 0, sizeof *out);
	sqlite3_stmt *st = db_query("SELECT l.id, l.title, l.course_id, c.title, l.duration_s, p.last_pos, p.updated_at"
				    " FROM lecture_progress p JOIN lectures l ON l.id = p.lecture_id"
				    " JOIN courses c ON c.id = l.course_id"
				    " JOIN enrollments e ON e.user_id = p.user_id AND e.course_id = l.course_id"
				    " WHERE p.user_id = ?1 AND (?2 = 0 OR l.course_id = ?2) AND c.status = 'published'"
				    "   AND " PLAYS
				    " ORDER BY p.updated_at DESC, l.id DESC LIMIT 1",
				    "ii", uid, course_id);
	int found = db_step(st) == 1;
	if (found) {
		out->id = sqlite3_column_int64(st, 0);
		out->title = arena_strdup(r->a, db_col_text(st, 1));
		out->course_id = sqlite3_column_int64(st, 2);
		out->course_title = arena_strdup(r->a, db_col_text(st, 3));
		out->duration_s = sqlite3_column_double(st, 4);
		out->resume_s = study_resume_at(sqlite3_column_double(st, 5), out->duration_s);
		out->at = sqlite3_column_int64(st, 6);
	}
	db_done(st);
	return found;
}

int64_t journey_after(int64_t lecture_id)
{
	return db_int(0,
		      "SELECT l.id FROM lectures c JOIN lectures l ON l.course_id = c.course_id"
		      " WHERE c.id = ?1 AND " PLAYS " AND (l.position > c.position OR (l.position = c.position AND l.id > c.id))"
		      " ORDER BY l.position, l.id LIMIT 1",
		      "i", lecture_id);
}

json_t *journey_json(const journey_lecture *l, int next)
{
	json_t *j = json_pack("{s:I,s:s,s:I,s:f,s:f}", "id", (json_int_t)l->id, "title", l->title ? l->title : "",
			      "course_id", (json_int_t)l->course_id, "resume_position", l->resume_s, "duration_s",
			      l->duration_s);
	if (next)
		json_object_set_new(j, "started", json_boolean(l->started));
	else {
		char iso[32];
		iso_time(l->at, iso);
		json_object_set_new(j, "at", json_string(iso));
	}
	return j;
}

void journey_button(req *r, buf *b, int64_t course_id)
{
	journey_lecture n;
	if (!journey_next(r, r->u->id, course_id, &n))
		return;
	html_printf(b, "<a class=\"button primary continue\" id=\"continue\" href=\"/lectures/%lld\" data-lecture=\"%lld\">%s</a>",
		    (long long)n.id, (long long)n.id, tr(n.started ? "journey.continue" : "journey.start"));
	html_printf(b, "<p class=\"help continue-what\" id=\"continue-what\">%s", n.title);
	if (n.resume_s > 0) {
		char at[24];
		fmt_duration(at, sizeof at, n.resume_s);
		html_printf(b, " · %s %s", tr("journey.resume_at"), at);
	}
	html_raw(b, "</p>");
}
