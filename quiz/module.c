/* module.c — the quiz module's descriptor: the bank, exams and their attempts, the daily quiz,
 * item statistics and their pages; the exam's part in course completion (courses/study.h). */
#include "courses/study.h"
#include "module.h"
#include "quiz/quiz.h"

static const course_exam_ops exam_ops = {.passed = quiz_course_passed, .describe = quiz_course_exam};

/* courses asks "is the exam passed?" through the interface it declares (it never includes quiz). */
static void quiz_init(void)
{
	course_exam_register(&exam_ops);
}

const module quiz_module = {
	.name = "quiz",
	.init = quiz_init,
	.routes = (const route *const[]){bank_routes, attempt_routes, quiz_stats_routes, quiz_page_routes, NULL},
	.resources = (const resource_kind *const[]){&quiz_view, &quiz_take, &quiz_edit, &question_edit, &attempt_mine,
						    NULL},
	.nav = (const nav_entry[]){{"/daily", "nav.daily", ROLE_MEMBER, 15}, {.href = NULL}},
	.seed = quiz_seed,
	.migrations =
		(const migration[]){
			/* 1: the bank, exams, attempts. A question's body is its JSON (quiz/question.h q_to_json
		   with the answer); `used` once drawn into an attempt, after which it never changes
		   (an edit makes a new question, replaced_by) and is retired rather than deleted.
		   An attempt keeps its slots (question, type, option count, permutation) and the pass
		   score it started with; quiz_id NULL with a `day` is a daily quiz. One open attempt
		   per member and quiz, one daily quiz per member and day: unique indexes.
		   attempt_items: each graded question's result, for the statistics. */
			{"CREATE TABLE questions("
			 "  id INTEGER PRIMARY KEY, course_id INTEGER NOT NULL REFERENCES courses(id),"
			 "  type TEXT NOT NULL, body TEXT NOT NULL, used INTEGER NOT NULL DEFAULT 0,"
			 "  retired INTEGER NOT NULL DEFAULT 0, replaced_by INTEGER,"
			 "  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);"
			 "CREATE INDEX questions_course ON questions(course_id, retired);"
			 "CREATE TABLE quizzes("
			 "  id INTEGER PRIMARY KEY, course_id INTEGER NOT NULL UNIQUE REFERENCES courses(id),"
			 "  num_questions INTEGER NOT NULL, pass_score INTEGER NOT NULL CHECK(pass_score BETWEEN 0 AND 100),"
			 "  time_limit_s INTEGER NOT NULL, max_attempts INTEGER NOT NULL,"
			 "  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);"
			 "CREATE TABLE attempts("
			 "  id INTEGER PRIMARY KEY, quiz_id INTEGER REFERENCES quizzes(id),"
			 "  user_id INTEGER NOT NULL REFERENCES users(id), course_id INTEGER REFERENCES courses(id),"
			 "  day TEXT, started_at INTEGER NOT NULL, deadline INTEGER, pass_score INTEGER NOT NULL,"
			 "  slots TEXT NOT NULL, answers TEXT NOT NULL DEFAULT '{}', saved_at INTEGER,"
			 "  submitted_at INTEGER, graded_by TEXT, score INTEGER, passed INTEGER, correct INTEGER,"
			 "  total INTEGER, results TEXT);"
			 "CREATE UNIQUE INDEX attempts_open ON attempts(quiz_id, user_id) WHERE submitted_at IS NULL;"
			 "CREATE UNIQUE INDEX attempts_daily ON attempts(user_id, day) WHERE day IS NOT NULL;"
			 "CREATE INDEX attempts_user ON attempts(user_id, quiz_id);"
			 "CREATE INDEX attempts_quiz ON attempts(quiz_id, submitted_at);"
			 "CREATE INDEX attempts_due ON attempts(deadline) WHERE submitted_at IS NULL;"
			 "CREATE TABLE attempt_items("
			 "  attempt_id INTEGER NOT NULL REFERENCES attempts(id), position INTEGER NOT NULL,"
			 "  question_id INTEGER NOT NULL REFERENCES questions(id), correct INTEGER NOT NULL,"
			 "  PRIMARY KEY(attempt_id, position)) WITHOUT ROWID;"
			 "CREATE INDEX attempt_items_q ON attempt_items(question_id);"},
			{.sql = NULL},
		},
};
