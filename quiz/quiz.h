/* quiz.h — the quiz module's own interface between its files: resources, the stored bank and
 * attempts. Other modules never include it (they reach quizzes through courses/study.h's
 * course_exam_ops and the events of server/events.h). */
#ifndef DX_QUIZ_QUIZ_H
#define DX_QUIZ_QUIZ_H
#include <stdint.h>

#include "http.h"
#include "quiz/grade.h"
#include "quiz/question.h"

/* Seconds after the deadline during which a submit is still taken (network latency). */
#define QUIZ_GRACE_S 30
/* Questions of the daily quiz. */
#define DAILY_QUESTIONS 5

/* ---- resources (quiz/access.c) ---- */

/* A quiz as its resource kinds load it. */
typedef struct quiz_res {
	int64_t id, course_id, owner_id;
	int published; /* its course is published */
	int editor;    /* the course's instructor, or an admin */
	int enrolled;  /* the user is enrolled in its course */
	int num_questions, pass_score, time_limit_s, max_attempts;
} quiz_res;

/* A question of a bank. */
typedef struct question_res {
	int64_t id, course_id;
} question_res;

/* An attempt of the caller's. */
typedef struct attempt_res {
	int64_t id, quiz_id, course_id; /* quiz 0 and course 0: a daily quiz */
} attempt_res;

/* A quiz one may see: its course is visible (courses/access.h COURSE_VISIBLE), else 404. */
extern const resource_kind quiz_view;
/* A quiz to take: its course published (else 404) and the caller enrolled (else 403 not_enrolled). */
extern const resource_kind quiz_take;
/* A quiz to change or read the statistics of: 404 as quiz_view, 403 unless the course's editor. */
extern const resource_kind quiz_edit;
/* A bank question to change: 404 unless its course is visible, 403 unless the course's editor. */
extern const resource_kind question_edit;
/* An attempt of the caller's own; anyone else's (an admin's too) is 404. */
extern const resource_kind attempt_mine;
/* The quiz as u sees it: 0 when it does not exist, 1 with *out filled. */
int quiz_lookup(const user *u, int64_t quiz, quiz_res *out);

/* ---- the stored bank (quiz/bank.c) ---- */

/* Loads stored question id into *q (initialised here). 0, or -1 when it does not exist. */
int bank_load(int64_t id, question *q);
/* Stores a valid question in the course's bank: its id, or -1. Inside a transaction. */
int64_t bank_insert(int64_t course, const question *q, int64_t now);
/* The question's text as stored: q_to_json(q, 1) without its id. malloc'd. */
char *bank_body(const question *q);

/* ---- attempts (quiz/attempt.c) ---- */

/* One attempt as loaded. With full = 0 the questions are stubs with only the id, type, number of
   options and blanks (enough to check answers, not to show or grade them). */
typedef struct attempt {
	int64_t id, quiz_id, user_id, course_id;
	int64_t started_at, deadline, submitted_at; /* deadline 0: none; submitted_at 0: open */
	int pass_score, score, passed, correct, total;
	int n;
	q_slot *slots;
	question *qs;
	json_t *answers; /* saved answers, displayed positions */
	json_t *right;   /* once graded: [1,0,…] per slot */
	char graded_by[12];
	int full;             /* loaded with full questions */
	int course_completed; /* set by attempt_grade: this grading completed the course */
} attempt;

int attempt_load(int64_t id, int full, attempt *a);
void attempt_free(attempt *a);
/* The attempt as its member sees it: questions in displayed order, saved answers and, once
   submitted, the results with the right answers and explanations. New reference. */
json_t *attempt_json(const attempt *a);
/* Grades every open attempt of the user (0: every user) whose deadline + grace has passed, as they
   stood at the deadline. Inside the caller's transaction. 0 or -1. */
int attempts_expire(int64_t user_id, int64_t quiz_id);
/* attempts_expire(user_id, 0) in a transaction of its own, when there is anything to grade. 0 or -1. */
int quiz_expire_user(int64_t user_id);
/* Grades attempt a (full) with answers at time `at`, inside the caller's transaction: writes the
   score, the per-question results and the events, completes the course when this passed its exam.
   1 graded now, 0 graded before (nothing written), -1 error. */
int attempt_grade(attempt *a, const json_t *answers, int64_t at, const char *by);
/* course_exam_ops of courses/study.h. */
int quiz_course_passed(int64_t user_id, int64_t course_id);
json_t *quiz_course_exam(const user *u, int64_t course_id);
/* The member's state in a quiz: {"state":"not_started"|"in_progress"|"passed"|"failed"|"no_attempts_left",
   "attempts_used","attempts_left" (null: unlimited),"best_score","best_attempt_id","passed","open_attempt_id"}.
   New reference. */
json_t *quiz_member_state(int64_t user_id, const quiz_res *q);

/* ---- statistics (quiz/report.c) ---- */

/* The exam's item statistics over its submitted attempts (GET /api/v1/quizzes/{id}/stats). */
json_t *quiz_stats_json(int64_t quiz);
/* Grades the exam's attempts past their deadline + grace first, so that they count. 0 or -1. */
int quiz_stats_settle(int64_t quiz);

/* ---- demo (quiz/seed.c) ---- */
int quiz_seed(const char *data_dir);

extern const route bank_routes[], attempt_routes[], quiz_stats_routes[], quiz_page_routes[];
#endif
