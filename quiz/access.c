/* access.c — who may see, take and change quizzes, bank questions and attempts: the quiz module's
 * resource kinds, each with its one rule; the course rules come from courses/access.h. */
#include "courses/access.h"
#include "db.h"
#include "i18n.h"
#include "quiz/quiz.h"

#include <string.h>

int quiz_lookup(const user *u, int64_t id, quiz_res *out)
{
	memset(out, 0, sizeof *out);
	sqlite3_stmt *st = db_query("SELECT course_id, num_questions, pass_score, time_limit_s, max_attempts"
				    " FROM quizzes WHERE id = ?",
				    "i", id);
	int found = db_step(st) == 1;
	if (found) {
		out->id = id;
		out->course_id = sqlite3_column_int64(st, 0);
		out->num_questions = sqlite3_column_int(st, 1);
		out->pass_score = sqlite3_column_int(st, 2);
		out->time_limit_s = sqlite3_column_int(st, 3);
		out->max_attempts = sqlite3_column_int(st, 4);
	}
	db_done(st);
	course_res c;
	if (!found || !course_lookup(u, out->course_id, &c))
		return 0;
	out->owner_id = c.owner_id;
	out->published = c.published;
	out->editor = c.editor;
	out->enrolled = c.enrolled;
	return 1;
}

/* A quiz whose course the user may see (a draft course's quiz is unknown to all but its editors). */
static int load_quiz(req *r, int64_t id, quiz_res **out)
{
	quiz_res *q = arena_alloc(r->a, sizeof *q);
	if (!quiz_lookup(r->u, id, q) || !(q->published || q->editor || q->enrolled))
		return 404;
	*out = q;
	return 0;
}

static int quiz_view_load(req *r, int64_t id, void **out)
{
	quiz_res *q = NULL;
	int st = load_quiz(r, id, &q);
	*out = q;
	return st;
}

static int quiz_take_load(req *r, int64_t id, void **out)
{
	quiz_res *q = NULL;
	int st = load_quiz(r, id, &q);
	if (st)
		return st;
	*out = q;
	if (!q->published)
		return 404; /* a withdrawn course takes no new attempts: as a missing quiz */
	return q->enrolled ? 0 : 403;
}

static int quiz_edit_load(req *r, int64_t id, void **out)
{
	quiz_res *q = NULL;
	int st = load_quiz(r, id, &q);
	if (st)
		return st;
	*out = q;
	return q->editor ? 0 : 403;
}

static int question_edit_load(req *r, int64_t id, void **out)
{
	question_res *q = arena_alloc(r->a, sizeof *q);
	q->id = id;
	q->course_id = db_int(0, "SELECT course_id FROM questions WHERE id = ?", "i", id);
	course_res c;
	if (!q->course_id || !course_lookup(r->u, q->course_id, &c) || !COURSE_VISIBLE(&c))
		return 404;
	*out = q;
	return c.editor ? 0 : 403;
}

static int attempt_mine_load(req *r, int64_t id, void **out)
{
	attempt_res *a = arena_alloc(r->a, sizeof *a);
	sqlite3_stmt *st = db_query("SELECT ifnull(quiz_id, 0), ifnull(course_id, 0) FROM attempts"
				    " WHERE id = ? AND user_id = ?",
				    "ii", id, r->u->id);
	int found = db_step(st) == 1;
	if (found) {
		a->id = id;
		a->quiz_id = sqlite3_column_int64(st, 0);
		a->course_id = sqlite3_column_int64(st, 1);
	}
	db_done(st);
	if (!found)
		return 404; /* another member's attempt is not known to exist */
	*out = a;
	return 0;
}

const resource_kind quiz_view = {
	.name = "quiz_view",
	.load = quiz_view_load,
	.missing = "quiz.err.quiz_missing",
	.forbidden = "quiz.err.quiz_missing",
};
const resource_kind quiz_take = {
	.name = "quiz_take",
	.load = quiz_take_load,
	.missing = "quiz.err.quiz_missing",
	.forbidden = "err.not_enrolled",
	.forbidden_code = "not_enrolled",
};
const resource_kind quiz_edit = {
	.name = "quiz_edit",
	.load = quiz_edit_load,
	.missing = "quiz.err.quiz_missing",
	.forbidden = "err.course_not_yours",
};
const resource_kind question_edit = {
	.name = "question_edit",
	.load = question_edit_load,
	.missing = "quiz.err.question_missing",
	.forbidden = "err.course_not_yours",
};
const resource_kind attempt_mine = {
	.name = "attempt_mine",
	.load = attempt_mine_load,
	.missing = "quiz.err.attempt_missing",
	.forbidden = "quiz.err.attempt_missing",
};
