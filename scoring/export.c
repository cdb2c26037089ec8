/* export.c — streaming report writers (CSV, XLSX) driven by one column-description table. */
#include "scoring/export.h"
#include "i18n.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <xlsxwriter.h>

const export_col export_member_cols[] = {
	{ "username",          "scoring.col.username",          EX_TEXT,  16 },
	{ "name",              "scoring.col.name",              EX_TEXT,  12 },
	{ "org",               "scoring.col.org",               EX_TEXT,  28 },
	{ "credit_hours",      "scoring.col.credit_hours",      EX_HOURS, 10 },
	{ "required_hours",    "scoring.col.required_hours",    EX_HOURS, 12 },
	{ "elective_hours",    "scoring.col.elective_hours",    EX_HOURS, 12 },
	{ "study_s",           "scoring.col.study_s",           EX_INT,   16 },
	{ "points",            "scoring.col.points",            EX_INT,   8 },
	{ "courses_completed", "scoring.col.courses_completed", EX_INT,   14 },
	{ "status",            "scoring.col.status",            EX_TEXT,  10 },
};
const size_t export_member_ncols = sizeof export_member_cols / sizeof export_member_cols[0];

/* Catalog key of a status' Chinese label. */
static const char *status_key(const char *s)
{
	static const char *const names[] = { "met", "on_track", "behind", "at_risk" };
	static const char *const keys[] = { "scoring.status.met", "scoring.status.on_track",
					    "scoring.status.behind", "scoring.status.at_risk" };
	for (int i = 0; s && i < 4; i++)
		if (!strcmp(s, names[i]))
			return keys[i];
	return NULL;
}

void export_member_cells(const export_member *m, export_cell *c)
{
	const char *sk = status_key(m->status);
	c[0] = (export_cell){ m->username, 0 };
	c[1] = (export_cell){ m->name, 0 };
	c[2] = (export_cell){ m->org, 0 };
	c[3] = (export_cell){ NULL, m->credit_hours };
	c[4] = (export_cell){ NULL, m->required_hours };
	c[5] = (export_cell){ NULL, m->elective_hours };
	c[6] = (export_cell){ NULL, (double)m->study_s };
	c[7] = (export_cell){ NULL, (double)m->points };
	c[8] = (export_cell){ NULL, (double)m->courses_completed };
	c[9] = (export_cell){ sk ? tr(sk) : m->status, 0 };
}

void csv_text_cell(buf *b, const char *s)
{
	if (!s)
		s = "";
	buf_putc(b, '"');
	if (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r')
		buf_putc(b, '\'');
	size_t len = strlen(s);
	for (size_t i = 0; i < len;) {
		size_t n = utf8_char_len(s + i, len - i);
		if (!n) {
			buf_puts(b, "\xEF\xBF\xBD");
			i++;
			continue;
		}
		if (s[i] == '"')
			buf_putc(b, '"');
		buf_add(b, s + i, n);
		i += n;
	}
	buf_putc(b, '"');
}

/* Appends the decimal digits of u (the hot path of a 100,000-row export: printf's floating-point
   conversion was an eighth of the CSV's CPU time). */
static void put_u64(buf *b, uint64_t u)
{
	char d[24];
	int n = 0;
	do
		d[n++] = (char)('0' + u % 10);
	while ((u /= 10));
	while (n)
		buf_putc(b, d[--n]);
}

static void csv_num_cell(buf *b, export_type t, double v)
{
	if (!isfinite(v))
		return;
	/* Whole cents (hours) or units: exact integer arithmetic gives what "%.2f" / "%.0f" give for
	   the values a report holds (already rounded to two decimals); huge values take printf. */
	double scaled = t == EX_HOURS ? v * 100 : v;
	if (fabs(scaled) >= 9e15) {
		buf_printf(b, t == EX_HOURS ? "%.2f" : "%.0f", v);
		return;
	}
	double r = nearbyint(scaled); /* ties to even, as printf rounds */
	if (r < 0 || (r == 0 && signbit(v)))
		buf_putc(b, '-');
	uint64_t u = (uint64_t)fabs(r);
	if (t != EX_HOURS) {
		put_u64(b, u);
		return;
	}
	put_u64(b, u / 100);
	buf_putc(b, '.');
	buf_putc(b, (char)('0' + u / 10 % 10));
	buf_putc(b, (char)('0' + u % 10));
}

static int csvw_flush(csvw *w)
{
	buf_add(&w->line, "\r\n", 2);
	if (!w->failed && w->write(w->ctx, w->line.p, w->line.len) != 0)
		w->failed = 1;
	w->line.len = 0;
	w->line.p[0] = 0;
	return w->failed ? -1 : 0;
}

int csvw_begin(csvw *w, const export_col *cols, size_t ncols, export_write_fn write, void *ctx)
{
	*w = (csvw){ .cols = cols, .ncols = ncols, .write = write, .ctx = ctx };
	buf_init(&w->line);
	buf_puts(&w->line, "\xEF\xBB\xBF");
	for (size_t i = 0; i < ncols; i++) {
		if (i)
			buf_putc(&w->line, ',');
		csv_text_cell(&w->line, tr(cols[i].label_key));
	}
	return csvw_flush(w);
}

int csvw_row(csvw *w, const export_cell *cells)
{
	if (w->failed)
		return -1;
	for (size_t i = 0; i < w->ncols; i++) {
		if (i)
			buf_putc(&w->line, ',');
		if (w->cols[i].type == EX_TEXT)
			csv_text_cell(&w->line, cells[i].s);
		else
			csv_num_cell(&w->line, w->cols[i].type, cells[i].n);
	}
	return csvw_flush(w);
}

int csvw_end(csvw *w)
{
	buf_free(&w->line);
	return w->failed ? -1 : 0;
}

/* ---- XLSX ---- */

#define XLSX_MAX_ROWS 1048576u
#define XLSX_STR_MAX  32767   /* Excel's cell text limit; libxlsxwriter checks it in bytes */

/* s cut to at most XLSX_STR_MAX - 1 bytes on a character boundary, in tmp when cut. */
static const char *xlsx_text(const char *s, buf *tmp)
{
	if (!s)
		return "";
	size_t len = strlen(s);
	if (len < XLSX_STR_MAX && utf8_ok(s, len))
		return s;
	tmp->len = 0;
	for (size_t i = 0; i < len;) {
		size_t n = utf8_char_len(s + i, len - i);
		const char *piece = n ? s + i : "\xEF\xBF\xBD";
		size_t plen = n ? n : 3;
		if (tmp->len + plen >= XLSX_STR_MAX)
			break;
		buf_add(tmp, piece, plen);
		i += n ? n : 1;
	}
	return tmp->p;
}

int xlsxw_begin(xlsxw *w, const char *path, const char *tmpdir, const char *sheet_name,
		const export_col *cols, size_t ncols)
{
	*w = (xlsxw){ .cols = cols, .ncols = ncols };
	lxw_workbook_options opt = { .constant_memory = LXW_TRUE, .tmpdir = (char *)tmpdir };
	lxw_workbook *wb = workbook_new_opt(path, &opt);
	if (!wb)
		return -1;
	lxw_worksheet *ws = workbook_add_worksheet(wb, sheet_name);
	if (!ws) {
		workbook_close(wb);
		return -1;
	}
	lxw_format *head = workbook_add_format(wb);
	format_set_bold(head);
	format_set_bg_color(head, 0xF2F2F2);
	format_set_bottom(head, LXW_BORDER_THIN);
	lxw_format *hours = workbook_add_format(wb);
	format_set_num_format(hours, "0.00");
	w->wb = wb, w->ws = ws, w->fmt_head = head, w->fmt_hours = hours;
	/* Column settings and panes must come before the first row in constant_memory mode. */
	for (size_t i = 0; i < ncols; i++)
		if (worksheet_set_column(ws, (lxw_col_t)i, (lxw_col_t)i, cols[i].width,
					 cols[i].type == EX_HOURS ? hours : NULL) != LXW_NO_ERROR)
			w->failed = 1;
	worksheet_freeze_panes(ws, 1, 0);
	buf tmp;
	buf_init(&tmp);
	for (size_t i = 0; i < ncols; i++)
		if (worksheet_write_string(ws, 0, (lxw_col_t)i, xlsx_text(tr(cols[i].label_key), &tmp), head) != LXW_NO_ERROR)
			w->failed = 1;
	buf_free(&tmp);
	w->row = 1;
	return w->failed ? -1 : 0;
}

int xlsxw_row(xlsxw *w, const export_cell *cells)
{
	if (w->failed || w->row >= XLSX_MAX_ROWS) {
		w->failed = 1;
		return -1;
	}
	buf tmp;
	buf_init(&tmp);
	for (size_t i = 0; i < w->ncols && !w->failed; i++) {
		lxw_error e = LXW_NO_ERROR;
		if (w->cols[i].type == EX_TEXT)
			e = worksheet_write_string(w->ws, w->row, (lxw_col_t)i, xlsx_text(cells[i].s, &tmp), NULL);
		else if (isfinite(cells[i].n))
			e = worksheet_write_number(w->ws, w->row, (lxw_col_t)i, cells[i].n,
						   w->cols[i].type == EX_HOURS ? w->fmt_hours : NULL);
		if (e != LXW_NO_ERROR)
			w->failed = 1;
	}
	buf_free(&tmp);
	w->row++;
	return w->failed ? -1 : 0;
}

int xlsxw_end(xlsxw *w)
{
	if (!w->wb)
		return -1;
	lxw_error e = workbook_close(w->wb);
	w->wb = w->ws = NULL;
	return e == LXW_NO_ERROR && !w->failed ? 0 : -1;
}
