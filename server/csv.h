/* csv.h — RFC 4180 CSV reader for bulk imports (UTF-8, optional BOM), tolerant of bad records. */
#ifndef DANGXIAO_CSV_H
#define DANGXIAO_CSV_H

#include <stddef.h>

#define CSV_MAX_ROWS 1000000
#define CSV_MAX_FIELDS 64
#define CSV_MAX_FIELD_LEN 4096

typedef struct csv_row {
	int line;      /* 1-based physical line number where the record starts */
	int nfields;   /* -1 when the record is malformed (see error) */
	char **fields; /* NUL-terminated, unquoted, owned by the csv_doc; NULL when malformed */
	char *error;   /* NULL for a good record, else a message such as
                            "field 2: unterminated quoted field"; owned by the csv_doc */
} csv_row;

typedef struct csv_doc {
	int nrows;
	csv_row *rows;
	char err[160]; /* set when csv_parse returns -1, else "" */
	int err_line;  /* line of the record that hit a limit, else 0 */
} csv_doc;

/* Parses buf[0..len) into *doc. Strips a leading UTF-8 BOM. Handles quoted fields with "" escapes,
   embedded commas and CR/LF newlines inside quotes (kept verbatim), CRLF, LF or lone-CR line ends,
   a missing final newline, and skips fully blank (empty) lines.
   A structurally malformed record (unterminated quote, a quote in the middle of an unquoted field,
   text after a closing quote, a NUL byte) does not fail the parse: it becomes a row with
   nfields = -1, fields = NULL and error set, and parsing resumes at the physical line after the
   one where that record started, so good lines that follow are kept.
   Returns 0 on success. Returns -1 with doc->err/err_line set (and no rows) only when a well-formed
   record exceeds a limit: more than CSV_MAX_ROWS rows (good and malformed rows both count),
   CSV_MAX_FIELDS fields in a row or CSV_MAX_FIELD_LEN bytes in a field. Call csv_free afterwards
   in either case. */
int csv_parse(const char *buf, size_t len, csv_doc *doc);

/* Frees every row csv_parse allocated and sets nrows = 0, rows = NULL (err is kept);
   safe to call twice. */
void csv_free(csv_doc *doc);

#endif
