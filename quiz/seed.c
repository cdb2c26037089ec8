/* seed.c — the demo banks and exams: quiz/demo_questions.md (the worked example of
 * docs/question-format.md), built into the binary, imported into the demo course its "# " heading
 * names; each demo course gets an exam, so `make run` shows the whole flow and the daily quiz has
 * questions on the first start. */
#include "clock.h"
#include "db.h"
#include "quiz/import.h"
#include "quiz/quiz.h"

#include <stdio.h>

/* The file's bytes, between two symbols (the assembler reads it from the source tree at build time). */
__asm__(".section .rodata\n"
	".global quiz_demo_md\n"
	"quiz_demo_md:\n"
	".incbin \"quiz/demo_questions.md\"\n"
	".global quiz_demo_md_end\n"
	"quiz_demo_md_end:\n"
	".byte 0\n"
	".previous\n");
extern const char quiz_demo_md[], quiz_demo_md_end[];

int quiz_seed(const char *data_dir)
{
	(void)data_dir;
	qi_result res;
	if (qi_parse_md(quiz_demo_md, (size_t)(quiz_demo_md_end - quiz_demo_md), &res) < 0 || res.nerrors) {
		fprintf(stderr, "dangxiao: the demo questions do not parse (line %d)\n",
			res.nerrors ? res.errors[0].line : 0);
		qi_free(&res);
		return -1;
	}
	int64_t now = clock_secs();
	int rc = 0;
	for (int i = 0; i < res.nitems && rc == 0; i++) {
		int64_t course = db_int(0, "SELECT id FROM courses WHERE title = ?", "s", res.items[i].section);
		if (!course)
			continue; /* a section for a course the demo does not have */
		if (bank_insert(course, &res.items[i].q, now) < 0)
			rc = -1;
		if (rc == 0 && !db_exists("SELECT 1 FROM quizzes WHERE course_id = ?", "i", course) &&
		    db_exec("INSERT INTO quizzes(course_id, num_questions, pass_score, time_limit_s, max_attempts,"
			    " created_at, updated_at) VALUES (?, 5, 60, 600, 3, ?, ?)",
			    "iii", course, now, now) < 0)
			rc = -1;
	}
	qi_free(&res);
	return rc;
}
