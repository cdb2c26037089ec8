/* rating.c — two-way evaluation: a member who completed a course rates it (1–5 stars and a
 * comment; a second rating replaces the first, and earns the course_rated points only once); the
 * course's instructor and admins read the average, the distribution and the comments. */
#include "clock.h"
#include "courses/access.h"
#include "courses/courses.h"
#include "db.h"
#include "events.h"
#include "html.h"
#include "http.h"
#include "i18n.h"
#include "scoring/rating.h"
#include "scoring/routes.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define RATING_COMMENT_MAX 500

void rating_average(int64_t course, double *avg, int64_t *n)
{
	sqlite3_stmt *st = db_query("SELECT count(*), ifnull(avg(stars), 0) FROM course_ratings WHERE course_id = ?", "i",
				    course);
	*n = 0;
	*avg = 0;
	if (db_step(st) == 1) {
		*n = sqlite3_column_int64(st, 0);
		*avg = sqlite3_column_double(st, 1);
	}
	db_done(st);
}

/* 1 when the user completed the course (the courses module's completion event). */
static int completed(int64_t uid, int64_t course)
{
	return event_id(uid, "course_completed", course) != 0;
}

/* POST /api/v1/courses/{id}/rating {"stars":1..5,"comment"} */
static int rating_post(req *r)
{
	const course_res *c = r->res;
	int64_t stars = 0;
	const char *comment = "";
	if (body_int(r, "stars", 1, 1, 5, &stars) < 0 || body_str(r, "comment", 0, RATING_COMMENT_MAX, &comment) < 0)
		return 0;
	if (!completed(r->u->id, c->id))
		return reply_error(r, 409, "not_completed", "%s", tr("rating.err.not_completed"));
	int64_t now = clock_secs();
	if (db_begin() < 0)
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	int replaced = db_exists("SELECT 1 FROM course_ratings WHERE course_id = ? AND user_id = ?", "ii", c->id, r->u->id);
	dx_event ev = {.user_id = r->u->id, .kind = "course_rated", .ref = c->id, .at = now, .amount = (double)stars};
	if (db_exec("INSERT INTO course_ratings(course_id, user_id, stars, comment, created_at, updated_at) "
		    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(course_id, user_id) DO UPDATE SET stars = excluded.stars,"
		    "  comment = excluded.comment, updated_at = excluded.updated_at",
		    "iiisii", c->id, r->u->id, stars, comment, now, now) != 1 ||
	    event_emit(&ev) < 0) {
		db_rollback();
		return reply_error(r, 500, "internal", "%s", tr("err.internal"));
	}
	if (db_commit() < 0)
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	return reply_json(r, 201, json_pack("{s:I,s:I,s:s,s:b}", "course_id", (json_int_t)c->id, "stars", (json_int_t)stars,
					    "comment", comment, "replaced", replaced));
}

/* The user's own rating of the course and whether they may rate it, with the course's average. */
static json_t *rating_mine_json(const user *u, int64_t course)
{
	json_t *j = json_pack("{s:b}", "may_rate", completed(u->id, course));
	sqlite3_stmt *st = db_query("SELECT stars, comment, updated_at FROM course_ratings WHERE course_id = ? AND user_id = ?",
				    "ii", course, u->id);
	if (db_step(st) == 1) {
		char at[24];
		iso_time(sqlite3_column_int64(st, 2), at);
		json_object_set_new(j, "stars", json_integer(sqlite3_column_int(st, 0)));
		json_object_set_new(j, "comment", json_string(db_col_text(st, 1)));
		json_object_set_new(j, "rated_at", json_string(at));
	} else {
		json_object_set_new(j, "stars", json_null());
	}
	db_done(st);
	double avg;
	int64_t n;
	rating_average(course, &avg, &n);
	json_object_set_new(j, "average", n ? json_real(round(avg * 10) / 10) : json_null());
	json_object_set_new(j, "count", json_integer(n));
	return j;
}

/* GET /api/v1/courses/{id}/rating — the caller's own rating, and whether they may rate. */
static int rating_mine(req *r)
{
	const course_res *c = r->res;
	return reply_json(r, 200, rating_mine_json(r->u, c->id));
}

typedef struct rating_stats {
	int64_t n, dist[6];
	double avg;
} rating_stats;

static void stats_load(int64_t course, rating_stats *s)
{
	memset(s, 0, sizeof *s);
	db_stmt q;
	sqlite3_stmt *st = db_prepare(&q, "SELECT stars, count(*) FROM course_ratings WHERE course_id = ? GROUP BY stars", "i",
				      course);
	int64_t sum = 0;
	while (db_step(st) == 1) {
		int k = sqlite3_column_int(st, 0);
		if (k >= 1 && k <= 5) {
			s->dist[k] = sqlite3_column_int64(st, 1);
			s->n += s->dist[k];
			sum += k * s->dist[k];
		}
	}
	db_finalize(&q);
	s->avg = s->n ? (double)sum / (double)s->n : 0;
}

/* The comments, newest first (without names: members rate their teachers freely). */
static sqlite3_stmt *comments_prepare(db_stmt *q, int64_t course, int64_t per, int64_t off)
{
	return db_prepare(q,
			  "SELECT stars, comment, updated_at FROM course_ratings WHERE course_id = ? AND comment <> '' "
			  "ORDER BY updated_at DESC, user_id LIMIT ? OFFSET ?",
			  "iii", course, per, off);
}

/* The average, the distribution and a page of the comments. */
static json_t *summary_json(int64_t course, int64_t per, int64_t off)
{
	rating_stats s;
	stats_load(course, &s);
	json_t *dist = json_object(), *list = json_array();
	for (int k = 1; k <= 5; k++) {
		char key[2] = {(char)('0' + k), 0};
		json_object_set_new(dist, key, json_integer(s.dist[k]));
	}
	db_stmt q;
	sqlite3_stmt *st = comments_prepare(&q, course, per, off);
	while (db_step(st) == 1) {
		char at[24];
		iso_time(sqlite3_column_int64(st, 2), at);
		json_array_append_new(list, json_pack("{s:i,s:s,s:s}", "stars", sqlite3_column_int(st, 0), "comment",
						      db_col_text(st, 1), "at", at));
	}
	db_finalize(&q);
	return json_pack("{s:I,s:o,s:I,s:o,s:o}", "course_id", (json_int_t)course, "average",
			 s.n ? json_real(round(s.avg * 100) / 100) : json_null(), "count", (json_int_t)s.n,
			 "distribution", dist, "comments", list);
}

static json_t *rating_summary_json(int64_t course, int64_t max_comments)
{
	return summary_json(course, max_comments, 0);
}

/* GET /api/v1/courses/{id}/ratings (the course's instructor, admins) */
static int ratings_get(req *r)
{
	const course_res *c = r->res;
	int64_t page, per;
	int64_t off = req_page(r, 50, 200, &page, &per);
	json_t *j = summary_json(c->id, per, off);
	json_object_set_new(j, "page", json_integer(page));
	json_object_set_new(j, "per_page", json_integer(per));
	return reply_json(r, 200, j);
}

/* GET /courses/{id}/ratings — the same as a page. */
static int page_ratings(req *r)
{
	const course_res *c = r->res;
	rating_stats s;
	stats_load(c->id, &s);
	json_t *course = course_json(r, c->id); /* the courses module's view of it, for its title */
	const char *title = json_string_value(json_object_get(course, "title"));
	buf b;
	buf_init(&b);
	page_begin(r, &b, "ratings", tr("rating.title"));
	html_printf(&b, "<h1>%s</h1><p class=\"help\"><a href=\"/courses/%lld\">%s</a></p>", tr("rating.title"),
		    (long long)c->id, title ? title : "");
	json_decref(course);
	html_printf(&b, "<section class=\"card\"><h2>%s</h2>", tr("rating.summary"));
	if (!s.n) {
		html_printf(&b, "<p>%s</p></section>", tr("rating.none"));
		return page_reply(r, &b);
	}
	html_printf(&b, "<p class=\"rating-avg\"><strong>%.1f</strong> / 5 · %lld %s</p>", s.avg, (long long)s.n,
		    tr("rating.people"));
	html_printf(&b, "<table class=\"list rating-dist\"><caption>%s</caption><thead><tr><th>%s</th><th>%s</th>"
			"<th class=\"num\">%s</th></tr></thead><tbody>",
		    tr("rating.distribution"), tr("rating.stars"), tr("rating.share"), tr("rating.people"));
	for (int k = 5; k >= 1; k--) {
		double pct = 100.0 * (double)s.dist[k] / (double)s.n;
		html_printf(&b,
			    "<tr><td>%d %s</td><td><meter min=\"0\" max=\"100\" value=\"%.0f\" aria-label=\"%d %s\"></meter> "
			    "%.0f%%</td><td class=\"num\">%lld</td></tr>",
			    k, tr("rating.star"), pct, k, tr("rating.star"), pct, (long long)s.dist[k]);
	}
	html_printf(&b, "</tbody></table></section><section class=\"card\"><h2>%s</h2><ul class=\"rating-comments\">",
		    tr("rating.comments"));
	db_stmt q;
	sqlite3_stmt *st = comments_prepare(&q, c->id, 100, 0);
	int any = 0;
	while (db_step(st) == 1) {
		char day[11];
		day_of(sqlite3_column_int64(st, 2), day);
		html_printf(&b, "<li><span class=\"rating-stars\" aria-label=\"%d %s\">%d★</span> <span>%s</span> "
				"<time>%s</time></li>",
			    sqlite3_column_int(st, 0), tr("rating.star"), sqlite3_column_int(st, 0), db_col_text(st, 1), day);
		any = 1;
	}
	db_finalize(&q);
	if (!any)
		html_printf(&b, "<li>%s</li>", tr("rating.no_comments"));
	html_printf(&b, "</ul></section>");
	return page_reply(r, &b);
}

static const course_rating_ops rating_ops = {.average = rating_average,
					     .mine = rating_mine_json,
					     .summary = rating_summary_json};

void rating_register(void)
{
	course_rating_register(&rating_ops);
}

const route rating_routes[] = {
	{.method = "POST", .pattern = "/api/v1/courses/{id}/rating", .fn = rating_post, .roles = R_ANY, .flags = RF_JSON,
	 .res = &course_view},
	{.method = "GET", .pattern = "/api/v1/courses/{id}/rating", .fn = rating_mine, .roles = R_ANY, .res = &course_view},
	{.method = "GET", .pattern = "/api/v1/courses/{id}/ratings", .fn = ratings_get, .roles = R_STAFF,
	 .res = &course_edit},
	{.method = "GET", .pattern = "/courses/{id}/ratings", .fn = page_ratings, .roles = R_STAFF, .flags = RF_PAGE,
	 .res = &course_edit},
	ROUTES_END,
};
