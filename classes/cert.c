/* cert.c — certificate PDFs drawn with cairo and pango: class completion (A4 landscape) and yearly
   study hours (A4 portrait, a course table that breaks across pages). */
#include "classes/cert.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cairo-pdf.h>
#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <pango/pangocairo.h>

#include "classes/qr.h"
#include "clock.h"

/* Colours: the red of the title and border, the gold of the inner rule, the ink of the text. */
#define RED   0.72, 0.08, 0.10
#define GOLD  0.78, 0.60, 0.22
#define INK   0.10, 0.10, 0.10
#define GREY  0.40, 0.40, 0.40

void cert_date(int64_t t, char out[32])
{
	char d[16];
	day_of(t, d);
	int y = 0, m = 0, dd = 0;
	if (sscanf(d, "%d-%d-%d", &y, &m, &dd) != 3)
		y = 1970, m = 1, dd = 1;
	snprintf(out, 32, "%d年%d月%d日", y, m, dd);
}

void cert_hours(double h, char out[32])
{
	if (!isfinite(h) || h < 0)
		h = 0;
	snprintf(out, 32, "%.2f", h);
	char *dot = strchr(out, '.');
	if (dot) {
		char *e = out + strlen(out);
		while (e > dot + 1 && e[-1] == '0')
			*--e = 0;
		if (e == dot + 1)
			*dot = 0;
	}
}

void cert_shutdown(void)
{
	pango_cairo_font_map_set_default(NULL);
	cairo_debug_reset_static_data();
	FcFini();
}

int cert_buf_write(void *ctx, const unsigned char *data, size_t n)
{
	buf_add((buf *)ctx, data, n);
	return 0;
}

/* The generator's output: the caller's callback behind cairo's. */
typedef struct sink {
	cert_write_fn fn;
	void *ctx;
} sink;

static cairo_status_t sink_write(void *closure, const unsigned char *data, unsigned int len)
{
	sink *s = closure;
	return s->fn(s->ctx, data, len) == 0 ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

/* snprintf that never cuts a UTF-8 character in two (pango would warn and draw garbage): an
   over-long line (inputs are not length checked here) loses whole characters at its end. */
static void linef(char *out, size_t n, const char *fmt, ...) DX_PRINTF(3, 4);
static void linef(char *out, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int len = vsnprintf(out, n, fmt, ap);
	va_end(ap);
	if (len >= 0 && (size_t)len < n)
		return;
	if (len < 0 || n == 0) {
		if (n)
			out[0] = 0;
		return;
	}
	/* vsnprintf kept n - 1 bytes; drop the last character if only part of it is there. */
	size_t end = n - 1, k = end;
	while (k > 0 && ((unsigned char)out[k - 1] & 0xC0) == 0x80)
		k--;
	if (k > 0) {
		unsigned char lead = (unsigned char)out[k - 1];
		size_t need = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
		if (k - 1 + need > end)
			end = k - 1;
	}
	out[end] = 0;
}

static const char *nz(const char *s)
{
	return s ? s : "";
}

/* NULL counts as valid (printed empty); pango would warn on and mangle invalid UTF-8. */
static int text_ok(const char *s)
{
	return !s || utf8_ok(s, strlen(s));
}

/* A paragraph in the certificate font: pt is the size in PDF points, width the wrapping width
   (long Chinese titles wrap between any two characters), max_lines > 0 cuts with "…". */
static PangoLayout *para(cairo_t *cr, const char *s, double pt, int bold, double width, PangoAlignment al,
			 int max_lines)
{
	PangoLayout *l = pango_cairo_create_layout(cr);
	PangoFontDescription *fd = pango_font_description_from_string(CERT_FONTS);
	pango_font_description_set_absolute_size(fd, pt * PANGO_SCALE);
	if (bold)
		pango_font_description_set_weight(fd, PANGO_WEIGHT_BOLD);
	pango_layout_set_font_description(l, fd);
	pango_font_description_free(fd);
	pango_layout_set_width(l, (int)(width * PANGO_SCALE));
	pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
	pango_layout_set_alignment(l, al);
	if (max_lines > 0) {
		pango_layout_set_height(l, -max_lines);
		pango_layout_set_ellipsize(l, PANGO_ELLIPSIZE_END);
	}
	pango_layout_set_text(l, nz(s), -1);
	return l;
}

/* Height of a layout in points. */
static double height_of(PangoLayout *l)
{
	int w, h;
	pango_layout_get_size(l, &w, &h);
	return (double)h / PANGO_SCALE;
}

/* Draws (when draw) a paragraph at (x, y) and returns its height; frees the layout. */
static double put(cairo_t *cr, PangoLayout *l, double x, double y, int draw)
{
	double h = height_of(l);
	if (draw) {
		cairo_move_to(cr, x, y);
		pango_cairo_show_layout(cr, l);
	}
	g_object_unref(l);
	return h;
}

/* A new PDF surface of w × h points writing to the sink, with its title in the metadata. */
static cairo_surface_t *open_pdf(sink *s, double w, double h, const char *title)
{
	cairo_surface_t *sf = cairo_pdf_surface_create_for_stream(sink_write, s, w, h);
	if (cairo_surface_status(sf) == CAIRO_STATUS_SUCCESS) {
		cairo_pdf_surface_set_metadata(sf, CAIRO_PDF_METADATA_TITLE, title);
		cairo_pdf_surface_set_metadata(sf, CAIRO_PDF_METADATA_CREATOR, "dangxiao");
	}
	return sf;
}

/* Finishes the document: 0 when cairo and every write succeeded. */
static int close_pdf(cairo_t *cr, cairo_surface_t *sf)
{
	int rc = cairo_status(cr) == CAIRO_STATUS_SUCCESS ? 0 : -1;
	cairo_destroy(cr);
	cairo_surface_finish(sf);
	if (cairo_surface_status(sf) != CAIRO_STATUS_SUCCESS)
		rc = -1;
	cairo_surface_destroy(sf);
	return rc;
}

/* The QR code with "扫码验证真伪" and the URL under it; returns the height used. */
static double qr_block(cairo_t *cr, const char *url, double x, double y, double size, double textw)
{
	if (qr_draw(cr, url, x, y, size) < 0)
		return -1;
	double h = size + 2;
	cairo_set_source_rgb(cr, GREY);
	h += put(cr, para(cr, "扫码验证真伪", 9, 0, textw, PANGO_ALIGN_LEFT, 1), x + size * QR_QUIET / 40, y + h, 1);
	h += put(cr, para(cr, url, 7, 0, textw, PANGO_ALIGN_LEFT, 3), x + size * QR_QUIET / 40, y + h, 1);
	return h;
}

int cert_class_pdf(const cert_class *c, cert_write_fn fn, void *ctx)
{
	if (!c || !fn || qr_modules(c->verify_url) < 0)
		return -1;
	const char *texts[] = { c->holder, c->class_title, c->window_from, c->window_to, c->completed_on,
				c->number, c->academy, c->verify_url };
	for (size_t i = 0; i < ARRAY_LEN(texts); i++)
		if (!text_ok(texts[i]))
			return -1;
	const double W = CERT_A4_H, H = CERT_A4_W; /* landscape */
	sink s = { fn, ctx };
	char title[256], hours[32], line[1024];
	linef(title, sizeof title, "结业证书 %s", nz(c->number));
	cairo_surface_t *sf = open_pdf(&s, W, H, title);
	cairo_t *cr = cairo_create(sf);

	/* Frame: a red border and a gold rule inside it. */
	cairo_set_source_rgb(cr, RED);
	cairo_set_line_width(cr, 6);
	cairo_rectangle(cr, 22, 22, W - 44, H - 44);
	cairo_stroke(cr);
	cairo_set_source_rgb(cr, GOLD);
	cairo_set_line_width(cr, 1.5);
	cairo_rectangle(cr, 34, 34, W - 68, H - 68);
	cairo_stroke(cr);

	const double x = 110, w = W - 220;
	double y = 66;
	cairo_set_source_rgb(cr, RED);
	y += put(cr, para(cr, "结业证书", 46, 1, w, PANGO_ALIGN_CENTER, 1), x, y, 1) + 40;

	cairo_set_source_rgb(cr, INK);
	linef(line, sizeof line, "%s 同志：", nz(c->holder));
	y += put(cr, para(cr, line, 22, 1, w, PANGO_ALIGN_LEFT, 1), x, y, 1) + 20;
	linef(line, sizeof line, "于 %s 至 %s 参加", nz(c->window_from), nz(c->window_to));
	y += put(cr, para(cr, line, 18, 0, w - 36, PANGO_ALIGN_LEFT, 2), x + 36, y, 1) + 14;
	linef(line, sizeof line, "“%s”", nz(c->class_title));
	cairo_set_source_rgb(cr, RED);
	y += put(cr, para(cr, line, 22, 1, w, PANGO_ALIGN_CENTER, 3), x, y, 1) + 14;
	cairo_set_source_rgb(cr, INK);
	cert_hours(c->hours, hours);
	linef(line, sizeof line, "完成全部规定课程学习，累计获得 %s 学时，经考核合格，准予结业。", hours);
	put(cr, para(cr, line, 18, 0, w, PANGO_ALIGN_LEFT, 3), x, y, 1);

	/* Bottom left: the QR code; bottom right: academy, date, number. */
	const double qs = 118, qy = H - 62 - qs - 30;
	int rc = qr_block(cr, c->verify_url, x - 12, qy, qs, 230) < 0 ? -1 : 0;
	const double rx = W - 110 - 320, rw = 320;
	double ry = H - 190;
	cairo_set_source_rgb(cr, INK);
	ry += put(cr, para(cr, c->academy, 20, 1, rw, PANGO_ALIGN_CENTER, 2), rx, ry, 1) + 10;
	linef(line, sizeof line, "结业日期：%s", nz(c->completed_on));
	ry += put(cr, para(cr, line, 14, 0, rw, PANGO_ALIGN_CENTER, 1), rx, ry, 1) + 6;
	linef(line, sizeof line, "证书编号：%s", nz(c->number));
	put(cr, para(cr, line, 12, 0, rw, PANGO_ALIGN_CENTER, 1), rx, ry, 1);

	cairo_show_page(cr);
	if (close_pdf(cr, sf) < 0)
		rc = -1;
	return rc;
}

/* ---- yearly hours certificate ---- */

#define YM     56.0              /* page margin */
#define YFOOT  (CERT_A4_H - 46)  /* baseline area of the page footer */
#define YLIMIT (CERT_A4_H - 70)  /* nothing of the body below this */
#define CPAD   5.0               /* cell padding */
#define FS     10.5              /* table font size */

/* Columns: 序号, 课程名称 (the rest), 完成日期, 学时, 类别. */
static const double col_w[5] = { 34, 0, 102, 46, 46 };
static const char *const col_head[5] = { "序号", "课程名称", "完成日期", "学时", "类别" };

static double col_width(int i)
{
	if (i != 1)
		return col_w[i];
	return CERT_A4_W - 2 * YM - col_w[0] - col_w[2] - col_w[3] - col_w[4];
}

/* One table row (the header when course is NULL) at y; returns its height. */
static double table_row(cairo_t *cr, const cert_course *course, int index, double y, int draw)
{
	char num[16], hours[32];
	const char *cells[5];
	if (course) {
		snprintf(num, sizeof num, "%d", index + 1);
		cert_hours(course->hours, hours);
		cells[0] = num, cells[1] = course->title, cells[2] = course->date, cells[3] = hours;
		cells[4] = course->required ? "必修" : "选修";
	} else {
		for (int i = 0; i < 5; i++)
			cells[i] = col_head[i];
	}
	PangoLayout *l[5];
	double h = 0;
	for (int i = 0; i < 5; i++) {
		l[i] = para(cr, cells[i], FS, !course, col_width(i) - 2 * CPAD, i == 1 ? PANGO_ALIGN_LEFT : PANGO_ALIGN_CENTER,
			    i == 1 ? 4 : 2);
		double hi = height_of(l[i]);
		if (hi > h)
			h = hi;
	}
	h += 2 * CPAD;
	double x = YM;
	if (draw && !course) {
		cairo_set_source_rgb(cr, 0.93, 0.90, 0.86);
		cairo_rectangle(cr, YM, y, CERT_A4_W - 2 * YM, h);
		cairo_fill(cr);
	}
	for (int i = 0; i < 5; i++) {
		if (draw) {
			cairo_set_source_rgb(cr, 0.55, 0.55, 0.55);
			cairo_set_line_width(cr, 0.5);
			cairo_rectangle(cr, x, y, col_width(i), h);
			cairo_stroke(cr);
			cairo_set_source_rgb(cr, INK);
		}
		put(cr, l[i], x + CPAD, y + CPAD, draw);
		x += col_width(i);
	}
	return h;
}

/* Totals by kind. */
static void year_totals(const cert_year *c, double *req, double *ele)
{
	*req = *ele = 0;
	for (int i = 0; i < c->ncourses; i++) {
		double h = isfinite(c->courses[i].hours) && c->courses[i].hours > 0 ? c->courses[i].hours : 0;
		*(c->courses[i].required ? req : ele) += h;
	}
}

/* The totals, the conclusion, the QR code and the issuer at y; returns the height. */
static double year_summary(cairo_t *cr, const cert_year *c, double y, int draw, int *rc)
{
	char line[512], a[32], b[32];
	double req, ele, y0 = y;
	const double w = CERT_A4_W - 2 * YM;
	year_totals(c, &req, &ele);
	y += 14;
	cairo_set_source_rgb(cr, INK);
	cert_hours(req, a), cert_hours(c->required_req, b);
	linef(line, sizeof line, "必修课程：%s 学时（要求 %s 学时）", a, b);
	y += put(cr, para(cr, line, 12, 0, w, PANGO_ALIGN_LEFT, 1), YM, y, draw) + 4;
	cert_hours(ele, a);
	linef(line, sizeof line, "选修课程：%s 学时", a);
	y += put(cr, para(cr, line, 12, 0, w, PANGO_ALIGN_LEFT, 1), YM, y, draw) + 4;
	cert_hours(req + ele, a), cert_hours(c->total_req, b);
	linef(line, sizeof line, "合计：%s 学时（年度要求 %s 学时）", a, b);
	y += put(cr, para(cr, line, 12, 1, w, PANGO_ALIGN_LEFT, 1), YM, y, draw) + 4;
	int met = req + ele >= c->total_req - 1e-9 && req >= c->required_req - 1e-9;
	linef(line, sizeof line, "结论：%s %d 年度学时要求。", met ? "已达到" : "尚未达到", c->year);
	if (draw)
		cairo_set_source_rgb(cr, met ? 0.0 : 0.72, met ? 0.40 : 0.08, met ? 0.15 : 0.10);
	y += put(cr, para(cr, line, 12, 1, w, PANGO_ALIGN_LEFT, 1), YM, y, draw) + 18;

	const double qs = 104;
	if (draw && qr_block(cr, c->verify_url, YM - 10, y, qs, 200) < 0)
		*rc = -1;
	const double rw = 260, rx = CERT_A4_W - YM - rw;
	double ry = y + 20;
	cairo_set_source_rgb(cr, INK);
	ry += put(cr, para(cr, c->academy, 15, 1, rw, PANGO_ALIGN_CENTER, 2), rx, ry, draw) + 8;
	linef(line, sizeof line, "出具日期：%s", nz(c->issued_on));
	ry += put(cr, para(cr, line, 11, 0, rw, PANGO_ALIGN_CENTER, 1), rx, ry, draw) + 4;
	linef(line, sizeof line, "证书编号：%s", nz(c->number));
	put(cr, para(cr, line, 11, 0, rw, PANGO_ALIGN_CENTER, 1), rx, ry, draw);
	return y + qs + 36 - y0; /* the QR code and its two caption lines are the tallest part */
}

/* The top of a page: the full heading on the first, a short one on the others; returns y below it. */
static double year_head(cairo_t *cr, const cert_year *c, int page, int draw)
{
	char line[1024], a[32];
	const double w = CERT_A4_W - 2 * YM;
	double y = YM;
	if (page == 0) {
		cairo_set_source_rgb(cr, RED);
		y += put(cr, para(cr, "学时证明", 30, 1, w, PANGO_ALIGN_CENTER, 1), YM, y, draw) + 18;
		double req, ele;
		year_totals(c, &req, &ele);
		cert_hours(req + ele, a);
		linef(line, sizeof line, "兹证明 %s 同志（%s）在 %d 年度参加%s网络学习，完成课程 %d 门，累计获得 %s 学时。具体情况如下：",
			 nz(c->holder), nz(c->org), c->year, nz(c->academy), c->ncourses, a);
		cairo_set_source_rgb(cr, INK);
		y += put(cr, para(cr, line, 12.5, 0, w, PANGO_ALIGN_LEFT, 6), YM, y, draw) + 14;
	} else {
		linef(line, sizeof line, "学时证明（续） %s · %d 年度", nz(c->holder), c->year);
		cairo_set_source_rgb(cr, GREY);
		y += put(cr, para(cr, line, 11, 0, w, PANGO_ALIGN_LEFT, 1), YM, y, draw) + 10;
	}
	return y;
}

static void year_foot(cairo_t *cr, const cert_year *c, int page, int pages)
{
	char line[256];
	linef(line, sizeof line, "证书编号：%s    第 %d 页 / 共 %d 页", nz(c->number), page + 1, pages);
	cairo_set_source_rgb(cr, GREY);
	put(cr, para(cr, line, 9, 0, CERT_A4_W - 2 * YM, PANGO_ALIGN_CENTER, 1), YM, YFOOT, 1);
}

/* Lays the document out; draws it when pages > 0 (the page count found by a first, measuring
   pass, for "第 i 页 / 共 n 页"). rowh holds each course row's height, measured once for both
   passes (the rows are most of the work). Returns the number of pages. */
static int year_layout(cairo_t *cr, const cert_year *c, const double *rowh, int pages, int *rc)
{
	int draw = pages > 0, page = 0;
	double y = year_head(cr, c, 0, draw);
	y += table_row(cr, NULL, 0, y, draw);
	if (c->ncourses == 0) {
		cairo_set_source_rgb(cr, GREY);
		y += put(cr, para(cr, "本年度暂无已完成的课程", FS, 0, CERT_A4_W - 2 * YM, PANGO_ALIGN_CENTER, 1), YM,
			 y + CPAD, draw) + 2 * CPAD;
	}
	for (int i = 0; i < c->ncourses; i++) {
		if (y + rowh[i] > YLIMIT) {
			if (draw) {
				year_foot(cr, c, page, pages);
				cairo_show_page(cr);
			}
			page++;
			y = year_head(cr, c, page, draw);
			y += table_row(cr, NULL, 0, y, draw);
		}
		if (draw)
			table_row(cr, &c->courses[i], i, y, 1);
		y += rowh[i];
	}
	if (y + year_summary(cr, c, 0, 0, rc) > YLIMIT) {
		if (draw) {
			year_foot(cr, c, page, pages);
			cairo_show_page(cr);
		}
		page++;
		y = year_head(cr, c, page, draw);
	}
	year_summary(cr, c, y, draw, rc);
	if (draw) {
		year_foot(cr, c, page, pages);
		cairo_show_page(cr);
	}
	return page + 1;
}

int cert_year_pdf(const cert_year *c, cert_write_fn fn, void *ctx)
{
	if (!c || !fn || qr_modules(c->verify_url) < 0 || c->ncourses < 0 || (c->ncourses && !c->courses))
		return -1;
	const char *texts[] = { c->holder, c->org, c->issued_on, c->number, c->academy, c->verify_url };
	for (size_t i = 0; i < ARRAY_LEN(texts); i++)
		if (!text_ok(texts[i]))
			return -1;
	for (int i = 0; i < c->ncourses; i++)
		if (!text_ok(c->courses[i].title) || !text_ok(c->courses[i].date))
			return -1;
	sink s = { fn, ctx };
	char title[256];
	linef(title, sizeof title, "学时证明 %d %s", c->year, nz(c->number));
	cairo_surface_t *sf = open_pdf(&s, CERT_A4_W, CERT_A4_H, title);
	cairo_t *cr = cairo_create(sf);
	int rc = 0;
	double *rowh = xmalloc(((size_t)c->ncourses + 1) * sizeof *rowh);
	for (int i = 0; i < c->ncourses; i++)
		rowh[i] = table_row(cr, &c->courses[i], i, 0, 0);
	int pages = year_layout(cr, c, rowh, 0, &rc);
	year_layout(cr, c, rowh, pages, &rc);
	free(rowh);
	if (close_pdf(cr, sf) < 0)
		rc = -1;
	return rc;
}
