/* attempt.c — taking a quiz: start (or resume the open attempt), save answers as they are given,
 * submit, lazy grading at the deadline, the daily quiz, and the exam's part in course completion.
 *
 * An attempt keeps its questions as slots: the question's id, type, number of options and blanks
 * and the option permutation it was shown with. The permutation never leaves the server; members
 * answer displayed positions. Saving checks answers against the slots alone (no question is
 * loaded), so a save is one read and one UPDATE. Grading happens once, inside one write
 * transaction that re-reads the attempt: two submits at the same moment grade it once.
 */
#include "clock.h"
#include "courses/study.h"
#include "db.h"
#include "events.h"
#include "i18n.h"
#include "quiz/quiz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- loading ---- */

static json_t *json_or(const char *text, json_t *dflt)
{
	json_t *j = text && *text ? json_loads(text, 0, NULL) : NULL;
	if (!j)
		return dflt;
	json_decref(dflt);
	return j;
}

int attempt_load(int64_t id, int full, attempt *a)
{
	memset(a, 0, sizeof *a);
	sqlite3_stmt *st = db_query("SELECT ifnull(quiz_id, 0), user_id, ifnull(course_id, 0), started_at, ifnull(deadline, 0),"
				    " ifnull(submitted_at, 0), pass_score, ifnull(score, 0), ifnull(passed, 0),"
				    " ifnull(correct, 0), ifnull(total, 0), slots, answers, results, ifnull(graded_by, '')"
				    " FROM attempts WHERE id = ?",
				    "i", id);
	if (db_step(st) != 1) {
		db_done(st);
		return -1;
	}
	a->id = id;
	a->quiz_id = sqlite3_column_int64(st, 0);
	a->user_id = sqlite3_column_int64(st, 1);
	a->course_id = sqlite3_column_int64(st, 2);
	a->started_at = sqlite3_column_int64(st, 3);
	a->deadline = sqlite3_column_int64(st, 4);
	a->submitted_at = sqlite3_column_int64(st, 5);
	a->pass_score = sqlite3_column_int(st, 6);
	a->score = sqlite3_column_int(st, 7);
	a->passed = sqlite3_column_int(st, 8);
	a->correct = sqlite3_column_int(st, 9);
	a->total = sqlite3_column_int(st, 10);
	json_t *slots = json_or(db_col_text(st, 11), json_array());
	a->answers = json_or(db_col_text(st, 12), json_object());
	a->right = sqlite3_column_type(st, 13) == SQLITE_NULL ? NULL : json_or(db_col_text(st, 13), NULL);
	snprintf(a->graded_by, sizeof a->graded_by, "%s", db_col_text(st, 14));
	db_done(st);
	a->full = full;
	a->n = (int)json_array_size(slots);
	a->slots = xcalloc((size_t)a->n + 1, sizeof *a->slots);
	a->qs = xcalloc((size_t)a->n + 1, sizeof *a->qs);
	for (int i = 0; i < a->n; i++) {
		json_t *s = json_array_get(slots, (size_t)i);
		int64_t qid = json_integer_value(json_object_get(s, "q"));
		question *q = &a->qs[i];
		if (!full || bank_load(qid, q) < 0) {
			q_init(q);
			q->type = q_type_parse(json_string_value(json_object_get(s, "t")));
			q->noptions = (int)json_integer_value(json_object_get(s, "n"));
			q->nblanks = (int)json_integer_value(json_object_get(s, "b"));
			if (full) /* cannot happen: a drawn question is never deleted */
				a->full = 0;
		}
		q->id = qid;
		a->slots[i].q = q;
		if (q_perm_from_json(json_object_get(s, "p"), &a->slots[i].perm) < 0)
			q_perm_identity(&a->slots[i].perm, q->type == Q_FILL ? 0 : q->noptions);
	}
	json_decref(slots);
	return 0;
}

/* Re-reads what may change in a loaded attempt (its answers, submission and grade); its slots and
   questions never change. Inside the writer's transaction, so that the questions can be loaded
   and parsed before it (the writers' turn is held for less). 0, or -1 when it is gone. */
static int attempt_refresh(attempt *a)
{
	sqlite3_stmt *st = db_query("SELECT ifnull(submitted_at, 0), ifnull(score, 0), ifnull(passed, 0), ifnull(correct, 0),"
				    " ifnull(total, 0), answers, results, ifnull(graded_by, '') FROM attempts WHERE id = ?",
				    "i", a->id);
	if (db_step(st) != 1) {
		db_done(st);
		return -1;
	}
	a->submitted_at = sqlite3_column_int64(st, 0);
	a->score = sqlite3_column_int(st, 1);
	a->passed = sqlite3_column_int(st, 2);
	a->correct = sqlite3_column_int(st, 3);
	a->total = sqlite3_column_int(st, 4);
	json_decref(a->answers);
	a->answers = json_or(db_col_text(st, 5), json_object());
	json_decref(a->right);
	a->right = sqlite3_column_type(st, 6) == SQLITE_NULL ? NULL : json_or(db_col_text(st, 6), NULL);
	snprintf(a->graded_by, sizeof a->graded_by, "%s", db_col_text(st, 7));
	db_done(st);
	return 0;
}

void attempt_free(attempt *a)
{
	for (int i = 0; a->qs && i < a->n; i++) {
		if (!a->qs[i].options) /* a stub: counts without lists */
			a->qs[i].noptions = 0;
		if (!a->qs[i].blanks)
			a->qs[i].nblanks = 0;
		q_free(&a->qs[i]);
	}
	free(a->qs);
	free(a->slots);
	json_decref(a->answers);
	json_decref(a->right);
	memset(a, 0, sizeof *a);
}

static json_t *iso_json(int64_t t)
{
	if (!t)
		return json_null();
	char iso[24];
	iso_time(t, iso);
	return json_string(iso);
}

json_t *attempt_json(const attempt *a)
{
	json_t *j = json_object();
	json_object_set_new(j, "id", json_integer(a->id));
	json_object_set_new(j, "attempt_id", json_integer(a->id));
	json_object_set_new(j, "kind", json_string(a->quiz_id ? "exam" : "daily"));
	json_object_set_new(j, "quiz_id", a->quiz_id ? json_integer(a->quiz_id) : json_null());
	json_object_set_new(j, "course_id", a->course_id ? json_integer(a->course_id) : json_null());
	json_object_set_new(j, "started_at", iso_json(a->started_at));
	json_object_set_new(j, "deadline", iso_json(a->deadline));
	json_object_set_new(j, "now", iso_json(clock_secs()));
	json_object_set_new(j, "remaining_s",
			    a->deadline ? json_integer(a->deadline > clock_secs() ? a->deadline - clock_secs() : 0)
					: json_null());
	json_object_set_new(j, "submitted", json_boolean(a->submitted_at != 0));
	json_t *qs = json_array();
	for (int i = 0; i < a->n; i++)
		json_array_append_new(qs, q_slot_public_json(&a->slots[i]));
	json_object_set_new(j, "questions", qs);
	json_object_set_new(j, "answers", json_deep_copy(a->answers));
	if (!a->submitted_at)
		return j;
	/* Submitted: the results, with the right answers and explanations. */
	json_object_set_new(j, "submitted_at", iso_json(a->submitted_at));
	json_object_set_new(j, "graded_by", json_string(a->graded_by));
	json_object_set_new(j, "score", json_integer(a->score));
	json_object_set_new(j, "correct", json_integer(a->correct));
	json_object_set_new(j, "total", json_integer(a->total));
	if (a->quiz_id) {
		json_object_set_new(j, "pass_score", json_integer(a->pass_score));
		json_object_set_new(j, "passed", json_boolean(a->passed));
	}
	json_t *res = json_array();
	for (int i = 0; i < a->n; i++) {
		const question *q = a->slots[i].q;
		json_t *o = json_pack("{s:I,s:b}", "question_id", (json_int_t)q->id, "correct",
				      (int)json_integer_value(json_array_get(a->right, (size_t)i)));
		if (a->full) {
			json_object_set_new(o, "answer", q_slot_answer_json(&a->slots[i]));
			json_object_set_new(o, "explanation", json_string(q->explanation ? q->explanation : ""));
		}
		json_array_append_new(res, o);
	}
	json_object_set_new(j, "results", res);
	return j;
}

/* ---- grading ---- */

int attempt_grade(attempt *a, const json_t *answers, int64_t at, const char *by)
{
	int *right = xcalloc((size_t)a->n + 1, sizeof *right);
	int correct = q_grade_attempt(a->slots, a->n, answers, right);
	int score = q_score(correct, a->n);
	int passed = a->quiz_id ? q_passed(score, a->pass_score) : 0;
	json_t *rj = json_array();
	for (int i = 0; i < a->n; i++)
		json_array_append_new(rj, json_integer(right[i]));
	char *rtext = json_dumps(rj, JSON_COMPACT), *atext = json_dumps(answers, JSON_COMPACT);
	int n = db_exec("UPDATE attempts SET submitted_at = ?, answers = ?, score = ?, passed = ?, correct = ?, total = ?,"
			" results = ?, graded_by = ? WHERE id = ? AND submitted_at IS NULL",
			"isiiiissi", at, atext, (int64_t)score, (int64_t)passed, (int64_t)correct, (int64_t)a->n, rtext,
			by, a->id);
	free(atext);
	free(rtext);
	int rc = n < 0 ? -1 : n == 0 ? 0 : 1;
	for (int i = 0; rc == 1 && i < a->n; i++)
		if (db_exec("INSERT INTO attempt_items(attempt_id, position, question_id, correct) VALUES (?,?,?,?)",
			    "iiii", a->id, (int64_t)i, a->slots[i].q->id, (int64_t)right[i]) < 0)
			rc = -1;
	if (rc == 1) {
		a->submitted_at = at;
		a->score = score;
		a->passed = passed;
		a->correct = correct;
		a->total = a->n;
		snprintf(a->graded_by, sizeof a->graded_by, "%s", by);
		json_decref(a->answers);
		a->answers = json_deep_copy(answers);
		json_decref(a->right);
		a->right = json_incref(rj);
	}
	char data[160];
	snprintf(data, sizeof data, "{\"course_id\":%lld,\"attempt_id\":%lld,\"score\":%d}", (long long)a->course_id,
		 (long long)a->id, score);
	if (rc == 1 && a->quiz_id && passed) {
		dx_event ev = {.user_id = a->user_id,
			       .kind = "exam_passed",
			       .ref = a->quiz_id,
			       .at = at,
			       .amount = score,
			       .data = data};
		if (event_emit(&ev) < 0)
			rc = -1;
		if (rc == 1 && score == 100) {
			ev.kind = "exam_full_marks";
			if (event_emit(&ev) < 0)
				rc = -1;
		}
		/* Passing completes the course when its lectures are complete (the other order is
		   courses' own: the last lecture checks course_quiz_passed). */
		int done = rc == 1 ? study_course_check(a->user_id, a->course_id, clock_secs()) : 0;
		if (done < 0)
			rc = -1;
		a->course_completed = done == 1;
	}
	for (int i = 0; rc == 1 && !a->quiz_id && i < a->n; i++) {
		dx_event ev = {.user_id = a->user_id,
			       .kind = "quiz_answer",
			       .ref = a->id * 100 + i,
			       .at = at,
			       .amount = right[i]};
		if (event_emit(&ev) < 0)
			rc = -1;
	}
	json_decref(rj);
	free(right);
	return rc;
}

int attempts_expire(int64_t user_id, int64_t quiz_id)
{
	int64_t cut = clock_secs() - QUIZ_GRACE_S;
	db_stmt q;
	sqlite3_stmt *st = db_prepare(&q,
				      "SELECT id FROM attempts WHERE submitted_at IS NULL AND deadline IS NOT NULL AND deadline < ?"
				      " AND (? = 0 OR user_id = ?) AND (? = 0 OR quiz_id = ?)",
				      "iiiii", cut, user_id, user_id, quiz_id, quiz_id);
	int rc = 0;
	while (rc == 0 && db_step(st) == 1) {
		attempt a;
		if (attempt_load(sqlite3_column_int64(st, 0), 1, &a) < 0)
			continue;
		/* As it stood at the deadline: the answers saved by then (saves stop at the deadline). */
		json_t *ans = json_incref(a.answers);
		if (attempt_grade(&a, ans, a.deadline, "deadline") < 0)
			rc = -1;
		json_decref(ans);
		attempt_free(&a);
	}
	db_finalize(&q);
	return rc;
}

/* 1 when the user has an attempt past its deadline + grace that is not graded yet. */
static int expired_open(int64_t user_id)
{
	return db_exists("SELECT 1 FROM attempts WHERE user_id = ? AND submitted_at IS NULL AND deadline IS NOT NULL"
			 " AND deadline < ?",
			 "ii", user_id, clock_secs() - QUIZ_GRACE_S);
}

int quiz_expire_user(int64_t user_id)
{
	if (!expired_open(user_id))
		return 0;
	if (db_begin() < 0)
		return -1;
	if (attempts_expire(user_id, 0) < 0) {
		db_rollback();
		return -1;
	}
	return db_commit();
}

/* ---- the exam and the course ---- */

int quiz_course_passed(int64_t user_id, int64_t course_id)
{
	int64_t quiz = db_int(0, "SELECT id FROM quizzes WHERE course_id = ?", "i", course_id);
	if (!quiz)
		return 1;
	/* An exam without questions cannot be taken, so it does not hold the course back. */
	if (!db_exists("SELECT 1 FROM questions WHERE course_id = ? AND retired = 0", "i", course_id) &&
	    !db_exists("SELECT 1 FROM attempts WHERE quiz_id = ?", "i", quiz))
		return 1;
	return db_exists("SELECT 1 FROM attempts WHERE quiz_id = ? AND user_id = ? AND passed = 1", "ii", quiz, user_id);
}

json_t *quiz_member_state(int64_t user_id, const quiz_res *q)
{
	int used = 0, passed = 0, best = -1;
	int64_t open = 0, best_id = 0;
	sqlite3_stmt *st = db_query("SELECT count(submitted_at), ifnull(max(passed), 0), ifnull(max(score), -1),"
				    " ifnull(max(CASE WHEN submitted_at IS NULL THEN id END), 0)"
				    " FROM attempts WHERE quiz_id = ? AND user_id = ?",
				    "ii", q->id, user_id);
	if (db_step(st) == 1) {
		used = sqlite3_column_int(st, 0);
		passed = sqlite3_column_int(st, 1);
		best = sqlite3_column_int(st, 2);
		open = sqlite3_column_int64(st, 3);
	}
	db_done(st);
	/* The attempt that counts (highest score, the first of equals): what "view the result" opens. */
	if (used)
		best_id = db_int(0,
				 "SELECT id FROM attempts WHERE quiz_id = ? AND user_id = ? AND submitted_at IS NOT NULL"
				 " ORDER BY score DESC, id LIMIT 1",
				 "ii", q->id, user_id);
	int left = q->max_attempts ? (q->max_attempts > used ? q->max_attempts - used : 0) : -1;
	const char *state = passed      ? "passed"
			    : open      ? "in_progress"
			    : left == 0 ? "no_attempts_left"
			    : used      ? "failed"
					: "not_started";
	json_t *j = json_pack("{s:s,s:i}", "state", state, "attempts_used", used);
	json_object_set_new(j, "attempts_left", left < 0 ? json_null() : json_integer(left));
	json_object_set_new(j, "best_score", best < 0 ? json_null() : json_integer(best));
	json_object_set_new(j, "best_attempt_id", best_id ? json_integer(best_id) : json_null());
	json_object_set_new(j, "passed", json_boolean(passed));
	json_object_set_new(j, "open_attempt_id", open ? json_integer(open) : json_null());
	return j;
}

json_t *quiz_course_exam(const user *u, int64_t course_id)
{
	int64_t id = db_int(0, "SELECT id FROM quizzes WHERE course_id = ?", "i", course_id);
	quiz_res q;
	if (!id || !u || !quiz_lookup(u, id, &q))
		return NULL;
	json_t *j = json_pack("{s:I,s:i,s:i,s:i,s:i}", "quiz_id", (json_int_t)id, "num_questions", q.num_questions,
			      "pass_score", q.pass_score, "time_limit_s", q.time_limit_s, "max_attempts", q.max_attempts);
	json_object_update_missing_new(j, quiz_member_state(u->id, &q));
	return j;
}

/* ---- starting ---- */

/* Draws up to want questions from ids[0..n), makes the slots as JSON ([{"q","t","n","b","p"}]) and
   marks the questions used. The number drawn, or -1. */
static int draw_slots(const int64_t *ids, int n, int want, json_t *slots)
{
	q_rng g;
	q_rng_seed_random(&g);
	int64_t *out = xcalloc((size_t)want + 1, sizeof *out);
	int got = q_draw(ids, NULL, n, want, &g, out);
	for (int i = 0; i < got; i++) {
		question q;
		if (bank_load(out[i], &q) < 0) {
			free(out);
			return -1;
		}
		q_perm p;
		q_perm_for(&p, &q, &g);
		json_array_append_new(slots, json_pack("{s:I,s:s,s:i,s:i,s:o}", "q", (json_int_t)out[i], "t",
						       q_type_name(q.type), "n", q.noptions, "b", q.nblanks, "p",
						       q_perm_to_json(&p)));
		q_free(&q);
		if (db_exec("UPDATE questions SET used = 1 WHERE id = ? AND used = 0", "i", out[i]) < 0) {
			free(out);
			return -1;
		}
	}
	free(out);
	return got;
}

/* The ids of a statement's first column (at most max). malloc'd; *n set. */
static int64_t *ids_of(db_stmt *q, int max, int *n)
{
	int64_t *ids = NULL;
	*n = 0;
	while (*n < max && db_step_s(q) == 1) {
		if ((*n & (*n - 1)) == 0)
			ids = xrealloc(ids, (size_t)(*n ? *n * 2 : 1) * sizeof *ids);
		ids[(*n)++] = sqlite3_column_int64(q->st, 0);
	}
	db_finalize(q);
	return ids;
}

/* Answers the attempt (200 an open or earlier one, 201 a new one) after the commit. */
static int reply_attempt(req *r, int status, int64_t id)
{
	attempt a;
	if (attempt_load(id, 1, &a) < 0)
		return reply_error(r, 500, "internal", "%s", tr("err.internal"));
	json_t *j = attempt_json(&a);
	attempt_free(&a);
	return reply_json(r, status, j);
}

/* Inserts an attempt with the given slots; its id, or -1. */
static int64_t attempt_insert(int64_t quiz, int64_t uid, int64_t course, const char *day, int64_t now, int64_t deadline,
			      int pass_score, json_t *slots)
{
	char *text = json_dumps(slots, JSON_COMPACT);
	int rc = db_exec("INSERT INTO attempts(quiz_id, user_id, course_id, day, started_at, deadline, pass_score, slots)"
			 " VALUES (nullif(?, 0), ?, nullif(?, 0), ?, ?, nullif(?, 0), ?, ?)",
			 "iiisiiis", quiz, uid, course, day, now, deadline, (int64_t)pass_score, text);
	free(text);
	return rc < 0 ? -1 : db_last_id();
}

/* The end of a start, inside the caller's transaction: draws `want` questions from the ids `pool`
   selects, inserts the attempt, commits and answers 201 with it (409 no_questions when the pool is
   empty, 500 on a database error: rolled back). */
static int start_drawn(req *r, db_stmt *pool, int want, int64_t quiz, int64_t course, const char *day, int64_t deadline,
		       int pass_score)
{
	int n;
	int64_t *ids = ids_of(pool, 100000, &n);
	json_t *slots = json_array();
	int got = draw_slots(ids, n, want, slots);
	free(ids);
	int64_t id = got > 0 ? attempt_insert(quiz, r->u->id, course, day, clock_secs(), deadline, pass_score, slots) : 0;
	json_decref(slots);
	if (got == 0) {
		db_rollback();
		return reply_error(r, 409, "no_questions", "%s", tr("quiz.err.no_questions"));
	}
	if (got < 0 || id < 0) {
		db_rollback();
		return reply_error(r, 500, "internal", "%s", tr("err.internal"));
	}
	if (db_commit() < 0)
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	return reply_attempt(r, 201, id);
}

/* POST /api/v1/quizzes/{id}/attempts (quiz_take) — a new attempt, or the open one again. */
static int attempt_start(req *r)
{
	const quiz_res *qz = r->res;
	if (db_begin() < 0)
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	if (attempts_expire(r->u->id, qz->id) < 0)
		goto fail;
	int64_t open = db_int(0, "SELECT id FROM attempts WHERE quiz_id = ? AND user_id = ? AND submitted_at IS NULL",
			      "ii", qz->id, r->u->id);
	if (open) {
		if (db_commit() < 0)
			return reply_error(r, 503, "busy", "%s", tr("err.busy"));
		return reply_attempt(r, 200, open);
	}
	int64_t used = db_int(0, "SELECT count(*) FROM attempts WHERE quiz_id = ? AND user_id = ?", "ii", qz->id,
			      r->u->id);
	if (qz->max_attempts && used >= qz->max_attempts) {
		if (db_commit() < 0) /* the expired attempts graded above stay graded */
			return reply_error(r, 503, "busy", "%s", tr("err.busy"));
		return reply_error(r, 409, "no_attempts_left", "%s", tr("quiz.err.no_attempts_left"));
	}
	db_stmt q;
	db_prepare(&q, "SELECT id FROM questions WHERE course_id = ? AND retired = 0", "i", qz->course_id);
	int64_t now = clock_secs();
	return start_drawn(r, &q, qz->num_questions, qz->id, qz->course_id, NULL,
			   qz->time_limit_s ? now + qz->time_limit_s : 0, qz->pass_score);
fail:
	db_rollback();
	return reply_error(r, 500, "internal", "%s", tr("err.internal"));
}

/* POST /api/v1/daily-quiz (members) — today's daily quiz: 5 questions from published courses' banks, one
   attempt per member per academy day (a second POST answers the same attempt, submitted or not). */
static int daily_start(req *r)
{
	char day[16];
	int64_t now = clock_secs();
	day_of(now, day);
	if (db_begin() < 0)
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	if (attempts_expire(r->u->id, 0) < 0)
		goto fail;
	int64_t have = db_int(0, "SELECT id FROM attempts WHERE user_id = ? AND day = ?", "is", r->u->id, day);
	if (have) {
		if (db_commit() < 0)
			return reply_error(r, 503, "busy", "%s", tr("err.busy"));
		return reply_attempt(r, 200, have);
	}
	db_stmt q;
	db_prepare(&q,
		   "SELECT b.id FROM questions b JOIN courses c ON c.id = b.course_id WHERE c.status = 'published'"
		   " AND b.retired = 0",
		   "");
	return start_drawn(r, &q, DAILY_QUESTIONS, 0, 0, day, day_end(now), 0);
fail:
	db_rollback();
	return reply_error(r, 500, "internal", "%s", tr("err.internal"));
}

/* GET /api/v1/daily-quiz → {"day","attempt"}: today's attempt (null before the first POST). */
static int daily_get(req *r)
{
	char day[16];
	day_of(clock_secs(), day);
	if (quiz_expire_user(r->u->id) < 0)
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	int64_t id = db_int(0, "SELECT id FROM attempts WHERE user_id = ? AND day = ?", "is", r->u->id, day);
	json_t *att = json_null();
	if (id) {
		attempt a;
		if (attempt_load(id, 1, &a) == 0) {
			json_decref(att);
			att = attempt_json(&a);
			attempt_free(&a);
		}
	}
	return reply_json(r, 200, json_pack("{s:s,s:o}", "day", day, "attempt", att));
}

/* ---- answering ---- */

/* Checks an answers object against the attempt's slots; answers 422 and returns -1 when it is bad. */
static int check_answers(req *r, const attempt *a, const json_t *answers)
{
	int64_t bad = 0;
	qa_code c = q_answers_check(a->slots, a->n, answers, &bad);
	if (c == QA_OK)
		return 0;
	const char *key = qa_key(c);
	const char *code = strrchr(key, '.') ? strrchr(key, '.') + 1 : key;
	if (bad)
		reply_error(r, 422, code, "%s（%lld）", tr(key), (long long)bad);
	else
		reply_error(r, 422, code, "%s", tr(key));
	return -1;
}

/* GET /api/v1/attempts/{id} (attempt_mine) */
static int attempt_get(req *r)
{
	if (quiz_expire_user(r->u->id) < 0)
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	return reply_attempt(r, 200, req_id(r, 0));
}

/* PUT /api/v1/attempts/{id}/answers {"answers":{"QUESTION_ID":[…]}} (attempt_mine) — partial: the
   questions named are saved (an empty list clears one), the others keep what they had. */
static int attempt_answers(req *r)
{
	int64_t id = req_id(r, 0);
	attempt a;
	if (attempt_load(id, 0, &a) < 0)
		return reply_error(r, 404, "not_found", "%s", tr("quiz.err.attempt_missing"));
	json_t *answers = json_object_get(r->json, "answers");
	int bad = check_answers(r, &a, answers);
	attempt_free(&a);
	if (bad)
		return 0;
	int64_t now = clock_secs();
	char *text = json_dumps(answers, JSON_COMPACT);
	int n = db_exec("UPDATE attempts SET answers = json_patch(answers, ?), saved_at = ?"
			" WHERE id = ? AND submitted_at IS NULL AND (deadline IS NULL OR deadline >= ?)",
			"siii", text, now, id, now);
	free(text);
	if (n < 0)
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	if (n == 0) {
		if (db_exists("SELECT 1 FROM attempts WHERE id = ? AND submitted_at IS NOT NULL", "i", id))
			return reply_error(r, 409, "already_submitted", "%s", tr("quiz.err.already_submitted"));
		return reply_error(r, 409, "deadline_passed", "%s", tr("quiz.err.deadline_passed"));
	}
	char iso[24];
	iso_time(now, iso);
	return reply_json(r, 200, json_pack("{s:i,s:s}", "saved", (int)json_object_size(answers), "saved_at", iso));
}

/* POST /api/v1/attempts/{id}/submit {"answers":{…}} (attempt_mine) — the answers given here are
   added to those saved, then the attempt is graded, once. */
static int attempt_submit(req *r)
{
	int64_t id = req_id(r, 0);
	json_t *given = json_object_get(r->json, "answers");
	attempt a;
	/* The questions are loaded and parsed before the writers' turn (they never change); inside
	   it only the answers and the submission are read again (bench/exam.sh: the submits' p99). */
	if (attempt_load(id, 1, &a) < 0)
		return reply_error(r, 404, "not_found", "%s", tr("quiz.err.attempt_missing"));
	if (given && check_answers(r, &a, given)) {
		attempt_free(&a);
		return 0;
	}
	if (db_begin() < 0) {
		attempt_free(&a);
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	}
	if (attempt_refresh(&a) < 0) {
		db_rollback();
		attempt_free(&a);
		return reply_error(r, 500, "internal", "%s", tr("err.internal"));
	}
	int64_t now = clock_secs();
	const char *code = NULL, *msg = NULL;
	int rc;
	if (a.submitted_at) {
		code = "already_submitted", msg = "quiz.err.already_submitted";
		rc = 0;
	} else if (a.deadline && now > a.deadline + QUIZ_GRACE_S) {
		/* Too late: graded as it stood at the deadline, and the submit refused. */
		code = "deadline_passed", msg = "quiz.err.deadline_passed";
		json_t *ans = json_incref(a.answers);
		rc = attempt_grade(&a, ans, a.deadline, "deadline");
		json_decref(ans);
	} else {
		json_t *merged = json_deep_copy(a.answers);
		if (given)
			json_object_update(merged, given);
		rc = attempt_grade(&a, merged, now, "submit");
		json_decref(merged);
		if (rc == 0)
			code = "already_submitted", msg = "quiz.err.already_submitted";
	}
	if (rc < 0) {
		db_rollback();
		attempt_free(&a);
		return reply_error(r, 500, "internal", "%s", tr("err.internal"));
	}
	if (db_commit() < 0) {
		attempt_free(&a);
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	}
	if (code) {
		attempt_free(&a);
		return reply_error(r, 409, code, "%s", tr(msg));
	}
	json_t *res = json_array();
	for (int i = 0; i < a.n; i++)
		json_array_append_new(res, json_pack("{s:I,s:b}", "question_id", (json_int_t)a.slots[i].q->id, "correct",
						     (int)json_integer_value(json_array_get(a.right, (size_t)i))));
	json_t *j = json_pack("{s:I,s:i,s:i,s:i,s:o}", "attempt_id", (json_int_t)id, "score", a.score, "correct",
			      a.correct, "total", a.total, "results", res);
	if (a.quiz_id) {
		json_object_set_new(j, "passed", json_boolean(a.passed));
		json_object_set_new(j, "pass_score", json_integer(a.pass_score));
		json_object_set_new(j, "course_completed", json_boolean(a.course_completed));
	}
	attempt_free(&a);
	return reply_json(r, 200, j);
}

/* GET /api/v1/quizzes/{id}/attempts (quiz_view) → the caller's attempts at the quiz, newest first. */
static int attempts_mine(req *r)
{
	const quiz_res *qz = r->res;
	if (quiz_expire_user(r->u->id) < 0)
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	json_t *list = json_array();
	db_stmt q;
	sqlite3_stmt *st = db_prepare(&q,
				      "SELECT id, started_at, ifnull(deadline, 0), ifnull(submitted_at, 0), score, passed"
				      " FROM attempts WHERE quiz_id = ? AND user_id = ? ORDER BY id DESC",
				      "ii", qz->id, r->u->id);
	while (db_step(st) == 1) {
		json_t *o = json_pack("{s:I}", "id", (json_int_t)sqlite3_column_int64(st, 0));
		json_object_set_new(o, "started_at", iso_json(sqlite3_column_int64(st, 1)));
		json_object_set_new(o, "deadline", iso_json(sqlite3_column_int64(st, 2)));
		json_object_set_new(o, "submitted_at", iso_json(sqlite3_column_int64(st, 3)));
		json_object_set_new(o, "score",
				    sqlite3_column_type(st, 4) == SQLITE_NULL ? json_null()
									      : json_integer(sqlite3_column_int(st, 4)));
		json_object_set_new(o, "passed", json_boolean(sqlite3_column_int(st, 5)));
		json_array_append_new(list, o);
	}
	db_finalize(&q);
	json_t *j = json_pack("{s:o,s:o}", "attempts", list, "me", quiz_member_state(r->u->id, qz));
	return reply_json(r, 200, j);
}

const route attempt_routes[] = {
	{.method = "POST", .pattern = "/api/v1/quizzes/{id}/attempts", .fn = attempt_start, .roles = R_ANY, .res = &quiz_take},
	{.method = "GET", .pattern = "/api/v1/quizzes/{id}/attempts", .fn = attempts_mine, .roles = R_ANY, .res = &quiz_view},
	{.method = "GET", .pattern = "/api/v1/attempts/{id}", .fn = attempt_get, .roles = R_ANY, .res = &attempt_mine},
	{.method = "PUT",
	 .pattern = "/api/v1/attempts/{id}/answers",
	 .fn = attempt_answers,
	 .roles = R_ANY,
	 .flags = RF_JSON,
	 .res = &attempt_mine},
	{.method = "POST",
	 .pattern = "/api/v1/attempts/{id}/submit",
	 .fn = attempt_submit,
	 .roles = R_ANY,
	 .flags = RF_JSON,
	 .res = &attempt_mine},
	{.method = "POST", .pattern = "/api/v1/daily-quiz", .fn = daily_start, .roles = ROLE_MEMBER},
	{.method = "GET", .pattern = "/api/v1/daily-quiz", .fn = daily_get, .roles = ROLE_MEMBER},
	ROUTES_END,
};
