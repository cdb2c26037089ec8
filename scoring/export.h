/* export.h — streaming report writers (CSV, XLSX) driven by one column-description table. */
#ifndef DANGXIAO_SCORING_EXPORT_H
#define DANGXIAO_SCORING_EXPORT_H

#include <stddef.h>
#include <stdint.h>
#include "util.h"

typedef enum {
	EX_TEXT,    /* user text: quoted in CSV and defused against formula injection */
	EX_INT,     /* whole number (seconds, points, counts) */
	EX_HOURS    /* hours with two decimals */
} export_type;

/* One column: its API key, the catalog key of its Chinese header, its type, its XLSX width
   (in Excel character units; a Chinese character is about 2). */
typedef struct export_col {
	const char *key;
	const char *label_key;
	export_type type;
	double width;
} export_col;

/* One cell: `s` for EX_TEXT (NULL is empty), `n` for the numeric types (NaN is empty). */
typedef struct export_cell {
	const char *s;
	double n;
} export_cell;

/* The members report of API.md: username, name, org, credit_hours, required_hours,
   elective_hours, study_s, points, courses_completed, status. */
extern const export_col export_member_cols[];
extern const size_t export_member_ncols;

typedef struct export_member {
	const char *username, *name, *org;
	double credit_hours, required_hours, elective_hours;
	int64_t study_s, points, courses_completed;
	const char *status;   /* API name (met, on_track, behind, at_risk): written as its Chinese label */
} export_member;

/* Fills cells[export_member_ncols] for m (strings borrowed from m and the catalog). */
void export_member_cells(const export_member *m, export_cell *cells);

/* Where bytes go: returns 0, or -1 to stop the export (the client went away). */
typedef int (*export_write_fn)(void *ctx, const char *data, size_t n);

/* ---- CSV ----
   UTF-8 with a BOM (so Excel reads Chinese text), CRLF line ends, RFC 4180: every text cell is
   enclosed in double quotes with inner quotes doubled (so commas, semicolons — the separator of
   some Excel locales —, quotes and line breaks stay inside their cell); numbers are bare.
   Formula injection (OWASP "CSV Injection"): a text cell whose first character is = + - @, a tab
   (0x09) or a carriage return (0x0D) gets a single quote ' put in front, inside the quotes, so
   a spreadsheet shows it as text and never evaluates it. Numeric cells come from the program and
   are never prefixed (a negative number stays a number). Invalid UTF-8 bytes become U+FFFD.
   Each row is formatted into one reused line buffer and written at once: memory does not grow
   with the number of rows. */
typedef struct csvw {
	const export_col *cols;
	size_t ncols;
	export_write_fn write;
	void *ctx;
	buf line;
	int failed;
} csvw;

/* Starts: writes the BOM and the header row (tr() of each label_key). 0 or -1. */
int csvw_begin(csvw *w, const export_col *cols, size_t ncols, export_write_fn write, void *ctx);
/* Writes one row of cells[ncols]. 0 or -1 (also -1 for every call after a failure). */
int csvw_row(csvw *w, const export_cell *cells);
/* Frees the writer; returns -1 when any write failed. */
int csvw_end(csvw *w);
/* Appends the CSV form of one text cell (quoted, defused) to b: exposed for tests and reuse. */
void csv_text_cell(buf *b, const char *s);

/* ---- XLSX ----
   Written with libxlsxwriter in constant_memory mode (each row goes to a temporary file as soon
   as the next one starts, so memory stays flat) to `path`, which the caller streams afterwards and
   removes. One sheet, Chinese header row in bold, frozen below the header, column widths from the
   table, numbers as numbers (hours with format 0.00), text as text (never a formula). Text longer
   than Excel's 32767-byte cell limit is cut on a UTF-8 boundary. */
typedef struct xlsxw {
	const export_col *cols;
	size_t ncols;
	void *wb, *ws, *fmt_head, *fmt_hours;   /* lxw_workbook, lxw_worksheet, lxw_format */
	uint32_t row;
	int failed;
} xlsxw;

/* Opens path (tmpdir: where libxlsxwriter keeps its temporary files; NULL for the system's).
   sheet_name: the tab's name (Excel's limits: ≤ 31 characters, none of []:*?/\). 0 or -1. */
int xlsxw_begin(xlsxw *w, const char *path, const char *tmpdir, const char *sheet_name,
		const export_col *cols, size_t ncols);
/* 0, or -1 (past Excel's 1048576 rows, or a library error). */
int xlsxw_row(xlsxw *w, const export_cell *cells);
/* Finishes and closes the file. 0 or -1 (then the file is not usable). */
int xlsxw_end(xlsxw *w);

#endif
