/* report.c — the item statistics of an exam over its submitted attempts (the pure figures are
 * quiz/stats.c's), for the course's instructor and admins: the API and the page's data. */
#include "clock.h"
#include "db.h"
#include "i18n.h"
#include "quiz/quiz.h"
#include "quiz/stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* Index of v in the sorted array a[0..n), or -1. */
static int find_i64(const int64_t *a, int n, int64_t v)
{
	const int64_t *p = bsearch(&v, a, (size_t)n, sizeof *a, cmp_i64);
	return p ? (int)(p - a) : -1;
}

static double r4(double x)
{
	return round(x * 10000.0) / 10000.0;
}

/* The ids of a query's first column, ascending (the query sorts them). malloc'd; *n set. */
static int64_t *column_ids(db_stmt *q, int *n)
{
	int64_t *ids = NULL;
	*n = 0;
	while (db_step_s(q) == 1) {
		if ((*n & (*n - 1)) == 0)
			ids = xrealloc(ids, (size_t)(*n ? *n * 2 : 1) * sizeof *ids);
		ids[(*n)++] = sqlite3_column_int64(q->st, 0);
	}
	db_finalize(q);
	return ids;
}

json_t *quiz_stats_json(int64_t quiz)
{
	db_stmt q;
	db_prepare(&q, "SELECT id FROM attempts WHERE quiz_id = ? AND submitted_at IS NOT NULL ORDER BY id", "i", quiz);
	int na;
	int64_t *att = column_ids(&q, &na);
	db_prepare(&q,
		   "SELECT DISTINCT i.question_id FROM attempt_items i JOIN attempts a ON a.id = i.attempt_id"
		   " WHERE a.quiz_id = ? AND a.submitted_at IS NOT NULL ORDER BY i.question_id",
		   "i", quiz);
	int nq;
	int64_t *qids = column_ids(&q, &nq);
	double *scores = xcalloc((size_t)na + 1, sizeof *scores);
	signed char *cells = xmalloc((size_t)na * (size_t)nq + 1);
	memset(cells, -1, (size_t)na * (size_t)nq);
	sqlite3_stmt *st = db_prepare(&q, "SELECT id, score FROM attempts WHERE quiz_id = ? AND submitted_at IS NOT NULL",
				      "i", quiz);
	while (db_step(st) == 1) {
		int a = find_i64(att, na, sqlite3_column_int64(st, 0));
		if (a >= 0)
			scores[a] = sqlite3_column_double(st, 1);
	}
	db_finalize(&q);
	st = db_prepare(&q,
			"SELECT i.attempt_id, i.question_id, i.correct FROM attempt_items i JOIN attempts a"
			" ON a.id = i.attempt_id WHERE a.quiz_id = ? AND a.submitted_at IS NOT NULL",
			"i", quiz);
	while (db_step(st) == 1) {
		int a = find_i64(att, na, sqlite3_column_int64(st, 0));
		int k = find_i64(qids, nq, sqlite3_column_int64(st, 1));
		if (a >= 0 && k >= 0)
			cells[(size_t)a * (size_t)nq + (size_t)k] = (signed char)(sqlite3_column_int(st, 2) != 0);
	}
	db_finalize(&q);
	qs_item *items = xcalloc((size_t)nq + 1, sizeof *items);
	qs_items(na, nq, scores, cells, items);
	qs_quiz sum;
	qs_quiz_summary(na, scores, &sum);

	json_t *qs = json_array();
	for (int k = 0; k < nq; k++) {
		question qu;
		int have = bank_load(qids[k], &qu) == 0;
		const qs_item *it = &items[k];
		json_t *o = json_pack("{s:I,s:s,s:s,s:b,s:i,s:i,s:f}", "question_id", (json_int_t)qids[k], "type",
				      have ? q_type_name(qu.type) : "", "stem", have && qu.stem ? qu.stem : "",
				      "retired", have && qu.retired, "attempts", it->attempts, "correct", it->correct,
				      "facility", r4(it->facility));
		json_object_set_new(o, "discrimination",
				    it->has_discrimination ? json_real(r4(it->discrimination)) : json_null());
		json_object_set_new(o, "point_biserial", it->has_pbis ? json_real(r4(it->pbis)) : json_null());
		json_object_set_new(o, "disc_index", it->has_disc_index ? json_real(r4(it->disc_index)) : json_null());
		json_object_set_new(o, "flagged", json_boolean(it->flagged));
		json_array_append_new(qs, o);
		if (have)
			q_free(&qu);
	}
	json_t *dist = json_array();
	for (int b = 0; b < QS_BUCKETS; b++)
		json_array_append_new(dist, json_pack("{s:i,s:i,s:i}", "from", b * 10, "to",
						      b == QS_BUCKETS - 1 ? 100 : b * 10 + 9, "count", sum.buckets[b]));
	json_t *j = json_pack("{s:I,s:i,s:f,s:f,s:o,s:s,s:i,s:f,s:o}", "quiz_id", (json_int_t)quiz, "attempts", na,
			      "mean", r4(sum.mean), "median", r4(sum.median), "distribution", dist,
			      "discrimination_method", "point_biserial", "min_attempts", QS_MIN_ATTEMPTS, "flag_below",
			      QS_FLAG_BELOW, "questions", qs);
	free(items);
	free(cells);
	free(scores);
	free(qids);
	free(att);
	return j;
}

/* Grades the exam's attempts that are past their deadline + grace, so they count. 0 or -1. */
int quiz_stats_settle(int64_t quiz)
{
	if (!db_exists("SELECT 1 FROM attempts WHERE quiz_id = ? AND submitted_at IS NULL AND deadline < ?", "ii", quiz,
		       clock_secs() - QUIZ_GRACE_S))
		return 0;
	if (db_begin() < 0)
		return -1;
	if (attempts_expire(0, quiz) < 0) {
		db_rollback();
		return -1;
	}
	return db_commit();
}

/* GET /api/v1/quizzes/{id}/stats (quiz_edit) — per question: attempts, facility, discrimination
   (point-biserial; the upper–lower 27 % index as disc_index), flag; the score distribution. */
static int quiz_stats(req *r)
{
	const quiz_res *qz = r->res;
	if (quiz_stats_settle(qz->id) < 0)
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	return reply_json(r, 200, quiz_stats_json(qz->id));
}

const route quiz_stats_routes[] = {
	{.method = "GET", .pattern = "/api/v1/quizzes/{id}/stats", .fn = quiz_stats, .roles = R_STAFF, .res = &quiz_edit},
	ROUTES_END,
};
