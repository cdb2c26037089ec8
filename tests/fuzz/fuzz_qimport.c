/* fuzz_qimport.c — libFuzzer target: both question import parsers (CSV, Markdown) on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "quiz/grade.h"
#include "quiz/import.h"
#include "util.h"

/* What every parse must satisfy, good input or bad. */
static void check(int rc, const qi_result *r, int lines)
{
	if (rc != 0 && rc != -1)
		__builtin_trap();
	if (rc == -1 && (r->nitems != 0 || r->nerrors != 1))
		__builtin_trap(); /* a refused file keeps nothing and says why once */
	for (int i = 0; i < r->nerrors; i++) {
		if (!r->errors[i].key || strncmp(r->errors[i].key, "quiz.", 5) != 0)
			__builtin_trap();
		if (r->errors[i].line < 1 || r->errors[i].line > lines)
			__builtin_trap();
		if (i && r->errors[i].line < r->errors[i - 1].line)
			__builtin_trap(); /* reported in line order */
	}
	for (int i = 0; i < r->nitems; i++) {
		const question *q = &r->items[i].q;
		if (r->items[i].line < 1 || r->items[i].line > lines || !r->items[i].section)
			__builtin_trap();
		if (q_validate(q, NULL) != 0)
			__builtin_trap(); /* only valid questions are kept */
		/* The JSON form reads back to the same question. */
		json_t *j = q_to_json(q, 1);
		question back;
		q_error e;
		if (q_from_json(j, &back, &e) != 0)
			__builtin_trap();
		json_t *j2 = q_to_json(&back, 1);
		if (!json_equal(j, j2))
			__builtin_trap();
		json_decref(j);
		json_decref(j2);
		/* The right answer grades right. */
		q_response resp;
		q_response_init(&resp);
		if (q->type == Q_FILL) {
			resp.blanks = xcalloc((size_t)q->nblanks, sizeof *resp.blanks);
			for (int b = 0; b < q->nblanks; b++) {
				const char *pick = "";
				for (int k = 0; k < q->blanks[b].n; k++) {
					char *f = q_fold(q->blanks[b].accepted[k]);
					int ok = f[0] != 0;
					free(f);
					if (ok) {
						pick = q->blanks[b].accepted[k];
						break;
					}
				}
				resp.blanks[resp.nblanks++] = xstrdup(pick);
			}
		} else {
			resp.idx = xcalloc((size_t)q->nanswer, sizeof *resp.idx);
			for (int k = 0; k < q->nanswer; k++)
				resp.idx[resp.n++] = q->answer[k];
		}
		if (q_grade(q, &resp) != 1)
			__builtin_trap();
		q_response_free(&resp);
		q_free(&back);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	int lines = 1; /* physical lines, counting CRLF, LF and lone CR as one end each */
	for (size_t i = 0; i < size; i++)
		if (text[i] == '\n' || (text[i] == '\r' && (i + 1 >= size || text[i + 1] != '\n')))
			lines++;
	qi_result r;
	int rc = qi_parse_md(text, size, &r);
	check(rc, &r, lines);
	qi_free(&r);
	rc = qi_parse_csv(text, size, &r);
	check(rc, &r, lines);
	qi_free(&r);
	return 0;
}
