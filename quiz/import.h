/* import.h — bulk question import: CSV and hand-written Markdown (docs/question-format.md). */
#ifndef DX_QUIZ_IMPORT_H
#define DX_QUIZ_IMPORT_H
#include <stddef.h>

#include "quiz/question.h"

#define QI_MAX_QUESTIONS 2000  /* per file; the rest of a longer file is refused with one error */

/* One good question: normalized and valid (q_validate passed). */
typedef struct qi_item {
	int line;        /* 1-based line where the question starts */
	char *section;   /* Markdown: text of the last "# " heading above it ("" when none); CSV: "" */
	question q;
} qi_item;

/* One bad entry, skipped: the line it was found on and the catalog key of its message (a
   "quiz.import.*" key for a syntax problem, a "quiz.err.*" key from q_validate otherwise). */
typedef struct qi_error {
	int line;
	const char *key;
} qi_error;

typedef struct qi_result {
	int nitems;
	qi_item *items;
	int nerrors;
	qi_error *errors;  /* in line order */
} qi_result;

/* Parses CSV text (UTF-8, optional BOM, CRLF or LF, RFC 4180 quoting; server/csv.h) with the
   columns type, stem, options, answer[, explanation[, tags]]; an optional header row whose first
   field is "type" or "题型" is skipped, and so are rows with only empty fields. Bad rows are
   reported and skipped; good ones kept. Returns 0, or -1 when the file is refused as a whole
   (a CSV limit hit, or more than QI_MAX_QUESTIONS questions): then there are no items and one
   error. *out is initialised here; qi_free it in both cases. */
int qi_parse_csv(const char *buf, size_t len, qi_result *out);

/* Parses the Markdown format (docs/question-format.md): "## " starts a question, "- [x] …" /
   "- [ ] …" are options, "答案：", "解析：", "标签：", "类型：" lines. A question with any
   problem is skipped and reported once, at the line of its first problem. Same return and
   ownership rules as qi_parse_csv. */
int qi_parse_md(const char *buf, size_t len, qi_result *out);

void qi_free(qi_result *r);
#endif
