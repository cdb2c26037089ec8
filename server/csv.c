/* csv.c — RFC 4180 CSV reader for bulk member import, with per-record error recovery. */
#include "csv.h"
#include "util.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Scratch space for one record: field bytes are stored only up to the limits, so the buffer
   has a fixed size; scanning continues past the limits to learn whether the record is sound. */
typedef struct record {
	char *buf;                  /* CSV_MAX_FIELDS * (CSV_MAX_FIELD_LEN + 1) bytes */
	size_t used;                /* bytes of buf in use */
	size_t off[CSV_MAX_FIELDS]; /* start of each stored field in buf */
	int nfields;                /* fields seen (may exceed CSV_MAX_FIELDS) */
	size_t cur_len;             /* length of the field being read */
	int too_long;               /* 1-based field that exceeded CSV_MAX_FIELD_LEN, or 0 */
	char msg[160];              /* structural error message */
} record;

enum { REC_OK, REC_BAD };

/* Writes a printf-style message into rec->msg and returns REC_BAD. */
static int rec_bad(record *rec, const char *fmt, ...) DX_PRINTF(2, 3);
static int rec_bad(record *rec, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(rec->msg, sizeof rec->msg, fmt, ap);
	va_end(ap);
	return REC_BAD;
}

/* Starts a new field in the record. */
static void field_begin(record *rec)
{
	if (rec->nfields < CSV_MAX_FIELDS)
		rec->off[rec->nfields] = rec->used;
	rec->cur_len = 0;
}

/* Appends one byte to the current field, dropping bytes past the limits. */
static void field_put(record *rec, char c)
{
	if (rec->nfields >= CSV_MAX_FIELDS)
		return;
	if (rec->cur_len >= CSV_MAX_FIELD_LEN) {
		if (!rec->too_long)
			rec->too_long = rec->nfields + 1;
		return;
	}
	rec->buf[rec->used++] = c;
	rec->cur_len++;
}

/* Terminates the current field. */
static void field_end(record *rec)
{
	if (rec->nfields < CSV_MAX_FIELDS)
		rec->buf[rec->used++] = '\0';
	rec->nfields++;
}

/* Consumes a line break (CRLF, LF or lone CR) at s[*pos] if there is one; returns 1 if it did. */
static int eat_newline(const char *s, size_t n, size_t *pos, long *line)
{
	if (*pos >= n)
		return 0;
	if (s[*pos] == '\n') {
		(*pos)++;
	} else if (s[*pos] == '\r') {
		(*pos)++;
		if (*pos < n && s[*pos] == '\n')
			(*pos)++;
	} else {
		return 0;
	}
	(*line)++;
	return 1;
}

/* Reads one record starting at s[*pos] (not a blank line). Advances *pos past its line break and
   *line past every line it spans. Returns REC_OK, or REC_BAD with rec->msg set. */
static int read_record(const char *s, size_t n, size_t *pos, long *line, record *rec)
{
	long start_line = *line;

	rec->used = 0;
	rec->nfields = 0;
	rec->too_long = 0;
	rec->msg[0] = '\0';

	for (;;) {
		int fno = rec->nfields + 1;
		field_begin(rec);
		if (*pos < n && s[*pos] == '"') {
			long qline = *line;
			(*pos)++;
			for (;;) {
				if (*pos >= n) {
					if (qline == start_line)
						return rec_bad(rec, "field %d: unterminated quoted field", fno);
					return rec_bad(rec, "field %d: unterminated quoted field (opened on line %ld)",
						       fno, qline);
				}
				char c = s[*pos];
				if (c == '"') {
					if (*pos + 1 < n && s[*pos + 1] == '"') {
						field_put(rec, '"');
						*pos += 2;
						continue;
					}
					(*pos)++;
					break;
				}
				if (c == '\0')
					return rec_bad(rec, "field %d: NUL byte in field", fno);
				if (c == '\r' || c == '\n') {
					field_put(rec, c);
					(*pos)++;
					if (c == '\r' && *pos < n && s[*pos] == '\n') {
						field_put(rec, '\n');
						(*pos)++;
					}
					(*line)++;
					continue;
				}
				field_put(rec, c);
				(*pos)++;
			}
			field_end(rec);
			if (*pos >= n || eat_newline(s, n, pos, line))
				return REC_OK;
			if (s[*pos] == ',') {
				(*pos)++;
				continue;
			}
			if (*line == start_line)
				return rec_bad(rec, "field %d: unexpected text after closing quote", fno);
			return rec_bad(rec, "field %d: unexpected text after closing quote on line %ld", fno, *line);
		}
		for (;;) {
			if (*pos >= n) {
				field_end(rec);
				return REC_OK;
			}
			char c = s[*pos];
			if (c == ',') {
				field_end(rec);
				(*pos)++;
				break;
			}
			if (c == '\r' || c == '\n') {
				field_end(rec);
				eat_newline(s, n, pos, line);
				return REC_OK;
			}
			if (c == '"') {
				if (*line == start_line)
					return rec_bad(rec, "field %d: quote inside an unquoted field", fno);
				return rec_bad(rec, "field %d: quote inside an unquoted field on line %ld", fno, *line);
			}
			if (c == '\0')
				return rec_bad(rec, "field %d: NUL byte in field", fno);
			field_put(rec, c);
			(*pos)++;
		}
	}
}

/* Appends a zeroed row to doc, growing the array as needed; returns it. */
static csv_row *add_row(csv_doc *doc, int *cap)
{
	if (doc->nrows == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		if (*cap > CSV_MAX_ROWS)
			*cap = CSV_MAX_ROWS;
		doc->rows = xrealloc(doc->rows, (size_t)*cap * sizeof *doc->rows);
	}
	csv_row *row = &doc->rows[doc->nrows++];
	memset(row, 0, sizeof *row);
	return row;
}

/* Copies the stored fields of rec into one allocation: the pointer array followed by the bytes. */
static char **pack_fields(const record *rec)
{
	size_t head = (size_t)rec->nfields * sizeof(char *);
	char **f = xmalloc(head + rec->used);
	char *data = (char *)f + head;
	memcpy(data, rec->buf, rec->used);
	for (int i = 0; i < rec->nfields; i++)
		f[i] = data + rec->off[i];
	return f;
}

/* Records a limit failure, drops all rows and returns -1. */
static int fail(csv_doc *doc, long line, const char *fmt, ...) DX_PRINTF(3, 4);
static int fail(csv_doc *doc, long line, const char *fmt, ...)
{
	csv_free(doc);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(doc->err, sizeof doc->err, fmt, ap);
	va_end(ap);
	doc->err_line = line > INT_MAX ? INT_MAX : (int)line;
	return -1;
}

/* Parses a whole CSV buffer; see csv.h for the contract. */
int csv_parse(const char *text, size_t len, csv_doc *doc)
{
	memset(doc, 0, sizeof *doc);
	if (!text)
		len = 0;

	long line = 1;
	int cap = 0;
	size_t pos = utf8_bom(text, len);

	record rec;
	rec.buf = xmalloc((size_t)CSV_MAX_FIELDS * (CSV_MAX_FIELD_LEN + 1));

	int rc = 0;
	while (pos < len) {
		if (line > INT_MAX) {
			rc = fail(doc, line, "too many lines");
			break;
		}
		if (eat_newline(text, len, &pos, &line))
			continue; /* fully blank line */

		size_t start_pos = pos;
		long start_line = line;
		int st = read_record(text, len, &pos, &line, &rec);

		if (st == REC_OK) {
			if (rec.nfields > CSV_MAX_FIELDS) {
				rc = fail(doc, start_line, "line %ld: %d fields, more than the limit of %d", start_line,
					  rec.nfields, CSV_MAX_FIELDS);
				break;
			}
			if (rec.too_long) {
				rc = fail(doc, start_line, "line %ld: field %d is longer than %d bytes", start_line,
					  rec.too_long, CSV_MAX_FIELD_LEN);
				break;
			}
		}
		if (doc->nrows >= CSV_MAX_ROWS) {
			rc = fail(doc, start_line, "line %ld: more than %d rows", start_line, CSV_MAX_ROWS);
			break;
		}
		if (start_line > INT_MAX) {
			rc = fail(doc, start_line, "too many lines");
			break;
		}

		csv_row *row = add_row(doc, &cap);
		row->line = (int)start_line;
		if (st == REC_OK) {
			row->nfields = rec.nfields;
			row->fields = pack_fields(&rec);
		} else {
			row->nfields = -1;
			row->error = xstrdup(rec.msg);
			/* Resync: continue at the physical line after the one where the record started. */
			pos = start_pos;
			line = start_line;
			while (pos < len && text[pos] != '\r' && text[pos] != '\n')
				pos++;
			eat_newline(text, len, &pos, &line);
		}
	}

	free(rec.buf);
	return rc;
}

/* Frees all rows and resets *doc (the error text is kept). */
void csv_free(csv_doc *doc)
{
	if (!doc)
		return;
	for (int i = 0; i < doc->nrows; i++) {
		free(doc->rows[i].fields);
		free(doc->rows[i].error);
	}
	free(doc->rows);
	doc->rows = NULL;
	doc->nrows = 0;
}
