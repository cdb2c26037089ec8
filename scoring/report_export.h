/* report_export.h — the members report as CSV and XLSX files, for HTTP downloads and the
 * `dangxiao report` command. Memory stays flat whatever the number of members: CSV is produced a
 * chunk at a time as the reader takes it, XLSX by libxlsxwriter in constant-memory mode into a
 * temporary file. Columns: export_member_cols (scoring/export.h), Chinese headers. */
#ifndef DANGXIAO_SCORING_REPORT_EXPORT_H
#define DANGXIAO_SCORING_REPORT_EXPORT_H

#include <stddef.h>
#include <stdint.h>

#include "scoring/export.h"
#include "scoring/report.h"

/* A CSV being produced: open, then take bytes with report_csv_fill until it returns 0. */
typedef struct report_csv {
	org_table t;
	report_cur cur;
	csvw w;
	buf pending;       /* bytes produced and not yet taken */
	size_t taken;      /* of pending */
	int started, done, failed;
} report_csv;

/* Opens the CSV of the members of the subtree at path for year, filtered, assessed at now.
   0, or -1 (nothing to close). */
int report_csv_open(report_csv *c, int year, const char *path, int64_t now, const report_filter *f);
/* Copies up to max bytes of the CSV to out: the count (> 0), 0 at the end, -1 on a database error.
   Each call reads at most one chunk of rows from the database. */
long report_csv_fill(report_csv *c, char *out, size_t max);
void report_csv_close(report_csv *c);

/* Writes the XLSX of the same report to file `out` (libxlsxwriter's temporary files in tmpdir,
   NULL for the system's). stop() (may be NULL) is asked every few hundred rows; when it says 1 the
   export ends with -1. 0, or -1 (then out is removed). */
int report_write_xlsx(const char *out, const char *tmpdir, int year, const char *path, int64_t now,
		      const report_filter *f, int (*stop)(void));

/* The cells of one member row (strings borrowed from w). */
void report_row_cells(const report_row *w, export_cell *cells);

#endif
