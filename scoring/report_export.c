/* report_export.c — the members report as CSV (pulled a chunk at a time) and XLSX (a file). */
#include "scoring/report_export.h"
#include "i18n.h"

#include <math.h>
#include <string.h>
#include <unistd.h>

void report_row_cells(const report_row *w, export_cell *cells)
{
	export_member m = {
		.username = w->username,
		.name = w->name,
		.org = w->org->full_name,
		.credit_hours = round(w->st.credit_hours * 100) / 100,
		.required_hours = round(w->st.required_hours * 100) / 100,
		.elective_hours = round(w->st.elective_hours * 100) / 100,
		.study_s = llround(w->study_s),
		.points = w->points,
		.courses_completed = w->courses_completed,
		.status = assess_status_name(w->st.status),
	};
	export_member_cells(&m, cells);
}

/* ---- CSV ---- */

static int csv_sink(void *ctx, const char *data, size_t n)
{
	buf_add(&((report_csv *)ctx)->pending, data, n);
	return 0;
}

int report_csv_open(report_csv *c, int year, const char *path, int64_t now, const report_filter *f)
{
	memset(c, 0, sizeof *c);
	if (org_table_load(&c->t, year) < 0)
		return -1;
	report_open(&c->cur, &c->t, path, now, f);
	buf_init(&c->pending);
	return 0;
}

/* Produces the next piece into pending: the BOM and header first, then up to one chunk of rows. */
static int csv_produce(report_csv *c)
{
	c->pending.len = 0;
	c->taken = 0;
	if (!c->started) {
		c->started = 1;
		return csvw_begin(&c->w, export_member_cols, export_member_ncols, csv_sink, c);
	}
	export_cell cells[16];
	report_row *w;
	for (int i = 0; i < REPORT_CHUNK; i++) {
		int rc = report_next(&c->cur, &w);
		if (rc < 0)
			return -1;
		if (rc == 0) {
			c->done = 1;
			break;
		}
		report_row_cells(w, cells);
		if (csvw_row(&c->w, cells) < 0)
			return -1;
	}
	return 0;
}

long report_csv_fill(report_csv *c, char *out, size_t max)
{
	if (c->failed)
		return -1;
	while (c->taken == c->pending.len) {
		if (c->done)
			return 0;
		if (csv_produce(c) < 0) {
			c->failed = 1;
			return -1;
		}
	}
	size_t n = c->pending.len - c->taken;
	if (n > max)
		n = max;
	memcpy(out, c->pending.p + c->taken, n);
	c->taken += n;
	return (long)n;
}

void report_csv_close(report_csv *c)
{
	if (c->started)
		csvw_end(&c->w);
	report_close(&c->cur);
	org_table_free(&c->t);
	buf_free(&c->pending);
}

/* ---- XLSX ---- */

int report_write_xlsx(const char *out, const char *tmpdir, int year, const char *path, int64_t now,
		      const report_filter *f, int (*stop)(void))
{
	org_table t;
	if (org_table_load(&t, year) < 0)
		return -1;
	xlsxw x;
	int rc = xlsxw_begin(&x, out, tmpdir, tr("scoring.sheet.members"), export_member_cols, export_member_ncols);
	report_cur cur;
	report_open(&cur, &t, path, now, f);
	export_cell cells[16];
	report_row *w;
	long n = 0;
	int got;
	while (rc == 0 && (got = report_next(&cur, &w)) != 0) {
		if (got < 0 || (stop && ++n % 512 == 0 && stop())) {
			rc = -1;
			break;
		}
		report_row_cells(w, cells);
		rc = xlsxw_row(&x, cells);
	}
	report_close(&cur);
	org_table_free(&t);
	if (xlsxw_end(&x) < 0)
		rc = -1;
	if (rc < 0)
		unlink(out);
	return rc;
}
