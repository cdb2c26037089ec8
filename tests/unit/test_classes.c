/* test_classes.c — cmocka unit tests for classes/: certificate PDFs (checked with poppler's pdfinfo,
   pdftotext, pdftoppm and zbarimg), verification codes, certificate numbers, name masking, the
   completion rule, class validation and joining. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "classes/cert.h"
#include "classes/code.h"
#include "classes/qr.h"
#include "classes/rule.h"
#include "util.h"

/* ---- helpers ---- */

static char tmpdir[256];

static int make_tmpdir(void **state)
{
	(void)state;
	const char *t = getenv("TMPDIR");
	snprintf(tmpdir, sizeof tmpdir, "%s/dx-classes.XXXXXX", t && *t ? t : "/tmp");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_tmpdir(void **state)
{
	(void)state;
	cert_shutdown(); /* font caches: LeakSanitizer checks everything else */
	return getenv("KEEP_PDF") ? 0 : rm_rf(tmpdir);
}

/* stdout of a shell command (malloc'd); the command's arguments are our own file names. */
static char *run(const char *fmt, ...) DX_PRINTF(1, 2);
static char *run(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	buf b;
	buf_init(&b);
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, p)) > 0)
		buf_add(&b, chunk, n);
	int rc = pclose(p);
	if (rc != 0)
		fail_msg("command failed (%d): %s", rc, cmd);
	return buf_steal(&b);
}

/* s without ASCII whitespace (pdftotext breaks wrapped lines and spaces characters freely). */
static char *squeeze(const char *s)
{
	char *o = xmalloc(strlen(s) + 1), *q = o;
	for (; *s; s++)
		if (*s != ' ' && *s != '\n' && *s != '\t' && *s != '\r' && *s != '\f')
			*q++ = *s;
	*q = 0;
	return o;
}

static void assert_contains(const char *hay, const char *needle)
{
	char *n = squeeze(needle);
	if (!strstr(hay, n))
		fail_msg("text does not contain \"%s\"", n);
	free(n);
}

static void write_file(const char *path, const buf *b)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(b->p, 1, b->len, f), b->len);
	assert_int_equal(fclose(f), 0);
}

/* pdfinfo's page count and page size (of the first page). */
static int pdf_pages(const char *path, double *w, double *h)
{
	char *info = run("pdfinfo '%s'", path);
	const char *p = strstr(info, "Pages:");
	assert_non_null(p);
	int pages = atoi(p + 6);
	p = strstr(info, "Page size:");
	assert_non_null(p);
	assert_int_equal(sscanf(p + 10, " %lf x %lf", w, h), 2);
	assert_non_null(strstr(p, "pts (A4)"));
	free(info);
	return pages;
}

/* The QR code on a page, as zbarimg reads it from a 150-dpi rendering. */
static char *pdf_qr(const char *path, int page)
{
	free(run("pdftoppm -r 150 -png -f %d -l %d '%s' '%s.p'", page, page, path, path));
	char *png = run("ls '%s'.p-*%d.png", path, page);
	png[strcspn(png, "\n")] = 0;
	char *out = run("zbarimg -q --raw '%s' 2>/dev/null", png); /* no D-Bus here: zbar complains */
	free(png);
	out[strcspn(out, "\n")] = 0;
	return out;
}

#define URL "https://dangxiao.example.cn/verify/7K3M9QXRT2HVB8JC4WNPZD6FGAY"

/* ---- certificates ---- */

static void test_class_certificate_pdf(void **state)
{
	(void)state;
	/* A title long enough to need two lines at 22 pt: it must wrap, not run off the page. */
	const char *title = "学习贯彻习近平新时代中国特色社会主义思想和党的二十大精神暨全面从严治党专题网络培训示范班（第三期）";
	cert_class c = { "欧阳小明", title, "2026年3月1日", "2026年6月30日", 12.5, "2026年5月20日",
			 "DX-2026-000123", "中共示范市委党校网络学院", URL };
	buf b;
	buf_init(&b);
	assert_int_equal(cert_class_pdf(&c, cert_buf_write, &b), 0);
	assert_true(b.len > 1000);
	assert_memory_equal(b.p, "%PDF-", 5);
	char path[512];
	snprintf(path, sizeof path, "%s/class.pdf", tmpdir);
	write_file(path, &b);
	buf_free(&b);

	double w, h;
	assert_int_equal(pdf_pages(path, &w, &h), 1);
	assert_float_equal(w, 841.89, 0.01); /* landscape */
	assert_float_equal(h, 595.276, 0.01);

	char *raw = run("pdftotext -raw '%s' -", path), *text = squeeze(raw);
	assert_contains(text, "结业证书");
	assert_contains(text, "欧阳小明");
	assert_contains(text, title);
	assert_contains(text, "累计获得 12.5 学时");
	assert_contains(text, "2026年3月1日 至 2026年6月30日");
	assert_contains(text, "结业日期：2026年5月20日");
	assert_contains(text, "证书编号：DX-2026-000123");
	assert_contains(text, "中共示范市委党校网络学院");
	free(raw);
	free(text);

	/* Every word lies inside the frame (22 pt border): the long title wrapped. */
	char *bbox = run("pdftotext -bbox '%s' -", path);
	int words = 0;
	for (const char *p = bbox; (p = strstr(p, "xMax=\"")); p += 6, words++) {
		double x = atof(p + 6);
		if (x > w - 34 || x < 34)
			fail_msg("a word ends at x = %.1f, outside the frame", x);
	}
	assert_true(words > 10);
	free(bbox);

	char *qr = pdf_qr(path, 1);
	assert_string_equal(qr, URL);
	free(qr);
}

/* Counts the occurrences of needle in hay. */
static int count_of(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* Every word of a page lies inside [lo, hi] horizontally. */
static void assert_inside(const char *path, double lo, double hi)
{
	char *bbox = run("pdftotext -bbox '%s' -", path);
	for (const char *p = bbox; (p = strstr(p, "xMin=\"")); p += 6) {
		double x0 = atof(p + 6), x1 = atof(strstr(p, "xMax=\"") + 6);
		if (x0 < lo || x1 > hi)
			fail_msg("a word spans x = %.1f..%.1f, outside %.1f..%.1f", x0, x1, lo, hi);
	}
	free(bbox);
}

/* A title far too long for three lines is cut with "…" and stays inside the frame; a long name
   and academy too. */
static void test_class_certificate_overlong_text(void **state)
{
	(void)state;
	buf t;
	buf_init(&t);
	for (int i = 0; i < 20; i++)
		buf_puts(&t, "学习贯彻党的二十大精神");
	cert_class c = { "欧阳小明欧阳小明欧阳小明欧阳小明欧阳小明欧阳小明欧阳小明欧阳小明", t.p, "2026年3月1日",
			 "2026年6月30日", 1234.75, "2026年5月20日", "DX-2026-000123",
			 "中共示范市委党校网络学院中共示范市委党校网络学院中共示范市委党校网络学院", URL };
	buf b;
	buf_init(&b);
	assert_int_equal(cert_class_pdf(&c, cert_buf_write, &b), 0);
	char path[512];
	snprintf(path, sizeof path, "%s/class-long.pdf", tmpdir);
	write_file(path, &b);
	buf_free(&b);
	double w, h;
	assert_int_equal(pdf_pages(path, &w, &h), 1);
	assert_inside(path, 34, w - 34);
	char *raw = run("pdftotext -raw '%s' -", path), *text = squeeze(raw);
	/* The "…" is drawn, but cairo maps its glyph back to the text it stands for (ActualText), so
	   the extracted text still holds the whole title: copying from the PDF loses nothing. */
	assert_contains(text, t.p);
	assert_contains(text, "1234.75");
	free(raw);
	free(text);
	buf_free(&t);
	char *qr = pdf_qr(path, 1);
	assert_string_equal(qr, URL);
	free(qr);

	/* Lines longer than the drawing buffers lose whole characters only (a cut inside one would
	   be a GLib warning, fatal in this test: see main). Every prefix length of 1 to 4 bytes. */
	const char *chars[] = { "a", "\xc3\xa9", "欧", "\xF0\xA0\x80\x8B" };
	for (int k = 0; k < 4; k++)
		for (int shift = 0; shift < 4; shift++) {
			buf big;
			buf_init(&big);
			for (int i = 0; i < shift; i++)
				buf_puts(&big, "a");
			for (int i = 0; i < 1200; i++)
				buf_puts(&big, chars[k]);
			cert_class cb = c;
			cb.holder = cb.class_title = cb.number = big.p;
			buf o;
			buf_init(&o);
			assert_int_equal(cert_class_pdf(&cb, cert_buf_write, &o), 0);
			cert_year y = { big.p, big.p, 2026, NULL, 0, 50, 20, big.p, big.p, big.p, URL };
			o.len = 0;
			assert_int_equal(cert_year_pdf(&y, cert_buf_write, &o), 0);
			buf_free(&o);
			buf_free(&big);
		}
}

/* 60 distinct titles, some long enough to wrap in the title column. */
static char titles[60][160], dates[60][32];
static cert_course courses[60];

static void make_courses(void)
{
	for (int i = 0; i < 60; i++) {
		snprintf(titles[i], sizeof titles[i], i % 5 == 0 ? "第%02d课 新时代党的建设总要求与全面从严治党的实践路径研究专题" : "第%02d课 党史学习教育",
			 i + 1);
		snprintf(dates[i], sizeof dates[i], "2026年%d月%d日", 1 + i % 12, 1 + i % 28);
		courses[i] = (cert_course){ titles[i], dates[i], i % 4 ? 1.0 : 0.5, i % 3 == 0 };
	}
}

static void check_year_pdf(int n, int want_pages_min, int want_pages_max)
{
	make_courses();
	cert_year y = { "张三", "示范市委组织部机关党支部", 2026, courses, n, 50, 20, "2026年12月2日", "DX-2026-Y00456",
			"中共示范市委党校网络学院", URL };
	buf b;
	buf_init(&b);
	assert_int_equal(cert_year_pdf(&y, cert_buf_write, &b), 0);
	char path[512];
	snprintf(path, sizeof path, "%s/year%d.pdf", tmpdir, n);
	write_file(path, &b);
	buf_free(&b);

	double w, h;
	int pages = pdf_pages(path, &w, &h);
	assert_in_range(pages, want_pages_min, want_pages_max);
	assert_float_equal(w, 595.276, 0.01); /* portrait */
	assert_float_equal(h, 841.89, 0.01);

	char *raw = run("pdftotext -raw '%s' -", path), *text = squeeze(raw);
	assert_contains(text, "学时证明");
	assert_contains(text, "张三");
	assert_contains(text, "示范市委组织部机关党支部");
	assert_contains(text, "2026 年度");
	double req = 0, ele = 0;
	for (int i = 0; i < n; i++) {
		assert_contains(text, titles[i]);
		assert_contains(text, dates[i]);
		*(courses[i].required ? &req : &ele) += courses[i].hours;
	}
	char line[256], a[32];
	cert_hours(req, a);
	snprintf(line, sizeof line, "必修课程：%s 学时（要求 20 学时）", a);
	assert_contains(text, line);
	cert_hours(ele, a);
	snprintf(line, sizeof line, "选修课程：%s 学时", a);
	assert_contains(text, line);
	cert_hours(req + ele, a);
	snprintf(line, sizeof line, "合计：%s 学时（年度要求 50 学时）", a);
	assert_contains(text, line);
	assert_contains(text, req + ele >= 50 && req >= 20 ? "已达到 2026 年度学时要求" : "尚未达到 2026 年度学时要求");
	assert_contains(text, "证书编号：DX-2026-Y00456");
	for (int p = 1; p <= pages; p++) {
		snprintf(line, sizeof line, "第 %d 页 / 共 %d 页", p, pages);
		assert_contains(text, line);
	}
	/* The table header is repeated on every page that continues the table. */
	assert_in_range(count_of(text, "序号课程名称完成日期学时类别"), pages > 1 ? pages - 1 : 1, pages);
	assert_int_equal(count_of(text, "学时证明（续）"), pages - 1);
	assert_inside(path, 40, w - 40);
	free(raw);
	free(text);

	char *qr = pdf_qr(path, pages); /* the QR code is on the last page, with the totals */
	assert_string_equal(qr, URL);
	free(qr);
}

static void test_year_certificate_one_page(void **state)
{
	(void)state;
	check_year_pdf(10, 1, 1);
}

static void test_year_certificate_page_breaks(void **state)
{
	(void)state;
	check_year_pdf(60, 2, 6);
}

static void test_year_certificate_empty_and_met(void **state)
{
	(void)state;
	cert_year y = { "李四", "某支部", 2025, NULL, 0, 50, 20, "2025年12月31日", "DX-2025-Y00001", "党校", URL };
	buf b;
	buf_init(&b);
	assert_int_equal(cert_year_pdf(&y, cert_buf_write, &b), 0);
	char path[512];
	snprintf(path, sizeof path, "%s/year0.pdf", tmpdir);
	write_file(path, &b);
	double w, h;
	assert_int_equal(pdf_pages(path, &w, &h), 1);
	char *raw = run("pdftotext -raw '%s' -", path), *text = squeeze(raw);
	assert_contains(text, "本年度暂无已完成的课程");
	assert_contains(text, "尚未达到 2025 年度学时要求");
	free(raw);
	free(text);
	/* Requirements met. */
	cert_course big[2] = { { "甲课程", "2025年1月2日", 30, 1 }, { "乙课程", "2025年1月3日", 20, 0 } };
	y.courses = big, y.ncourses = 2;
	b.len = 0;
	assert_int_equal(cert_year_pdf(&y, cert_buf_write, &b), 0);
	write_file(path, &b);
	buf_free(&b);
	raw = run("pdftotext -raw '%s' -", path), text = squeeze(raw);
	assert_contains(text, "已达到 2025 年度学时要求");
	free(raw);
	free(text);
}

static int fail_write(void *ctx, const unsigned char *data, size_t n)
{
	(void)ctx, (void)data, (void)n;
	return -1;
}

static void test_certificate_bad_input(void **state)
{
	(void)state;
	buf b;
	buf_init(&b);
	cert_class c = { "张三", "班", "a", "b", 1, "c", "DX-2026-000001", "党校", URL };
	c.holder = "\xff\xfe";
	assert_int_equal(cert_class_pdf(&c, cert_buf_write, &b), -1);
	c.holder = "张三";
	c.verify_url = NULL;
	assert_int_equal(cert_class_pdf(&c, cert_buf_write, &b), -1);
	c.verify_url = "";
	assert_int_equal(cert_class_pdf(&c, cert_buf_write, &b), -1);
	char *huge = xmalloc(8000);
	memset(huge, 'a', 7999);
	huge[7999] = 0;
	c.verify_url = huge; /* too long for a QR code: refused before anything is written */
	assert_int_equal(cert_class_pdf(&c, cert_buf_write, &b), -1);
	cert_year yh = { "张三", "支部", 2026, NULL, 0, 50, 20, "d", "n", "党校", huge };
	assert_int_equal(cert_year_pdf(&yh, cert_buf_write, &b), -1);
	free(huge);
	c.verify_url = URL;
	assert_int_equal(b.len, 0);
	assert_int_equal(cert_class_pdf(&c, fail_write, NULL), -1);
	/* NULL strings print as empty. */
	cert_class bare = { .verify_url = URL };
	assert_int_equal(cert_class_pdf(&bare, cert_buf_write, &b), 0);
	cert_course bad = { "课\xc3", "2026年1月1日", 1, 1 };
	cert_year y = { "张三", "支部", 2026, &bad, 1, 50, 20, "d", "n", "党校", URL };
	assert_int_equal(cert_year_pdf(&y, cert_buf_write, &b), -1);
	y.ncourses = -1;
	assert_int_equal(cert_year_pdf(&y, cert_buf_write, &b), -1);
	buf_free(&b);
}

static void test_cert_formatting(void **state)
{
	(void)state;
	char s[32];
	cert_hours(1, s), assert_string_equal(s, "1");
	cert_hours(1.5, s), assert_string_equal(s, "1.5");
	cert_hours(0.25, s), assert_string_equal(s, "0.25");
	cert_hours(12.75, s), assert_string_equal(s, "12.75");
	cert_hours(0, s), assert_string_equal(s, "0");
	cert_hours(-3, s), assert_string_equal(s, "0");
	cert_hours(NAN, s), assert_string_equal(s, "0");
	/* 2026-03-01 00:00 in the academy's day (UTC+8) is 2026-02-28 16:00 UTC. */
	cert_date(1772294400LL, s), assert_string_equal(s, "2026年3月1日");
	cert_date(1772294400LL - 1, s), assert_string_equal(s, "2026年2月28日");
}

/* A QR code drawn on its own: the quiet zone is white and decodable at several sizes. */
static void test_qr_draw(void **state)
{
	(void)state;
	cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 200, 200);
	cairo_t *cr = cairo_create(s);
	cairo_set_source_rgb(cr, 0.5, 0.5, 0.5);
	cairo_paint(cr);
	int w = qr_draw(cr, URL, 10, 10, 180);
	assert_in_range(w, 21, 177);
	assert_int_equal((w - 17) % 4, 0); /* a real version: 17 + 4v modules */
	assert_int_equal(qr_modules(URL), w);
	assert_int_equal(qr_modules(""), -1);
	assert_int_equal(qr_draw(cr, "", 0, 0, 10), -1);
	assert_int_equal(qr_draw(cr, NULL, 0, 0, 10), -1);
	char *big = xmalloc(8000);
	memset(big, 'a', 7999);
	big[7999] = 0;
	assert_int_equal(qr_draw(cr, big, 0, 0, 10), -1); /* beyond version 40 */
	free(big);
	cairo_surface_flush(s);
	/* The quiet zone (4 modules) is white; outside the square the grey is untouched. */
	const unsigned char *px = cairo_image_surface_get_data(s);
	int stride = cairo_image_surface_get_stride(s);
	double m = 180.0 / (w + 8);
	int qz = (int)(10 + 4 * m) - 1;
	for (int y = 10; y < 190; y++)
		for (int x = 10; x < 190; x++)
			if (x < qz || y < qz || x >= 200 - qz || y >= 200 - qz)
				assert_int_equal(px[y * stride + x * 4], 255);
	assert_in_range(px[5 * stride + 5 * 4], 120, 135);
	char path[512];
	snprintf(path, sizeof path, "%s/qr.png", tmpdir);
	assert_int_equal(cairo_surface_write_to_png(s, path), CAIRO_STATUS_SUCCESS);
	cairo_destroy(cr);
	cairo_surface_destroy(s);
	char *out = run("zbarimg -q --raw '%s' 2>/dev/null", path);
	out[strcspn(out, "\n")] = 0;
	assert_string_equal(out, URL);
	free(out);
}

/* ---- codes ---- */

static void test_code_format(void **state)
{
	(void)state;
	for (int i = 0; i < 1000; i++) {
		char c[CODE_LEN + 1], back[CODE_LEN + 1];
		code_new(c);
		assert_int_equal(strlen(c), CODE_LEN);
		assert_int_equal(strspn(c, CODE_ALPHABET), CODE_LEN);
		assert_int_equal(c[CODE_BODY], code_check_symbol(c, CODE_BODY));
		assert_int_equal(code_parse(c, back), CODE_OK);
		assert_string_equal(back, c);
	}
	assert_int_equal(strlen(CODE_ALPHABET), 32);
	assert_null(strpbrk(CODE_ALPHABET, "ILOU"));
}

static int cmp_code(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void test_code_unique(void **state)
{
	(void)state;
	enum { N = 10000 };
	char(*codes)[CODE_LEN + 1] = xmalloc(N * sizeof *codes);
	/* Each of the 26 body symbols takes all 32 values: the bits are not stuck. */
	int seen[CODE_BODY][32] = { { 0 } };
	for (int i = 0; i < N; i++) {
		code_new(codes[i]);
		for (int k = 0; k < CODE_BODY; k++)
			seen[k][strchr(CODE_ALPHABET, codes[i][k]) - CODE_ALPHABET] = 1;
	}
	qsort(codes, N, sizeof *codes, cmp_code);
	for (int i = 1; i < N; i++)
		assert_string_not_equal(codes[i - 1], codes[i]);
	for (int k = 0; k < CODE_BODY; k++)
		for (int v = 0; v < 32; v++)
			assert_true(seen[k][v]);
	free(codes);
}

/* Every change of one symbol into another of the alphabet, and every swap of two different
   symbols, fails the check. */
static void test_code_checksum_detects_typos(void **state)
{
	(void)state;
	for (int t = 0; t < 100; t++) {
		char c[CODE_LEN + 1], m[CODE_LEN + 1], out[CODE_LEN + 1];
		code_new(c);
		for (int i = 0; i < CODE_LEN; i++) {
			for (int v = 0; v < 32; v++) {
				if (CODE_ALPHABET[v] == c[i])
					continue;
				memcpy(m, c, sizeof m);
				m[i] = CODE_ALPHABET[v];
				assert_int_equal(code_parse(m, out), CODE_ERR_CHECK);
				assert_string_equal(out, "");
			}
			for (const char *bad = "U*!#% /\x7f"; *bad; bad++) {
				memcpy(m, c, sizeof m);
				m[i] = *bad;
				assert_int_equal(code_parse(m, out), CODE_ERR_SYMBOL);
			}
			for (int j = i + 1; j < CODE_LEN; j++) {
				if (c[i] == c[j])
					continue;
				memcpy(m, c, sizeof m);
				m[i] = c[j], m[j] = c[i];
				assert_int_equal(code_parse(m, out), CODE_ERR_CHECK);
			}
		}
	}
}

static void test_code_parse(void **state)
{
	(void)state;
	char body[CODE_LEN + 1] = "0123456789ABCDEFGHJKMNPQRS", out[CODE_LEN + 1];
	body[CODE_BODY] = code_check_symbol(body, CODE_BODY);
	body[CODE_LEN] = 0;
	assert_int_equal(code_parse(body, out), CODE_OK);
	assert_string_equal(out, body);
	/* Lower case, Crockford's aliases and hyphens. */
	char typed[64];
	snprintf(typed, sizeof typed, "oI23-4567-89ab-cdef-ghjk-mnpq-rs%c", body[CODE_BODY] | 0x20);
	assert_int_equal(code_parse(typed, out), CODE_OK);
	assert_string_equal(out, body);
	typed[1] = 'l';
	assert_int_equal(code_parse(typed, out), CODE_OK);
	assert_string_equal(out, body);
	/* Malformed. */
	assert_int_equal(code_parse(NULL, out), CODE_ERR_LENGTH);
	assert_int_equal(code_parse("", out), CODE_ERR_LENGTH);
	assert_string_equal(out, "");
	assert_int_equal(code_parse("-----", out), CODE_ERR_LENGTH);
	char s[64];
	memcpy(s, body, CODE_LEN - 1);
	s[CODE_LEN - 1] = 0;
	assert_int_equal(code_parse(s, out), CODE_ERR_LENGTH); /* one short */
	snprintf(s, sizeof s, "%s0", body);
	assert_int_equal(code_parse(s, out), CODE_ERR_LENGTH); /* one long */
	snprintf(s, sizeof s, "%.*s验", CODE_LEN - 1, body); /* 3 bytes: too long and not a symbol */
	assert_int_not_equal(code_parse(s, out), CODE_OK);
	snprintf(s, sizeof s, "%.*s ", CODE_LEN - 1, body);
	assert_int_equal(code_parse(s, out), CODE_ERR_SYMBOL);
	snprintf(s, sizeof s, "%s/..", body);
	assert_int_equal(code_parse(s, out), CODE_ERR_LENGTH);
	assert_int_equal(code_check_symbol("0U", 2), 0);
}

static void test_cert_number(void **state)
{
	(void)state;
	char s[32];
	assert_int_equal(cert_number(s, sizeof s, "DX", 2026, 123), 14);
	assert_string_equal(s, "DX-2026-000123");
	assert_int_equal(cert_number(s, sizeof s, "DX", 2026, 1234567), 15);
	assert_string_equal(s, "DX-2026-1234567");
	assert_int_equal(cert_number(s, sizeof s, "DXY", 2027, 1), 15);
	assert_string_equal(s, "DXY-2027-000001");
	assert_int_equal(cert_number(s, sizeof s, "dx", 2026, 1), -1);
	assert_int_equal(cert_number(s, sizeof s, "", 2026, 1), -1);
	assert_int_equal(cert_number(s, sizeof s, "D-X", 2026, 1), -1);
	assert_int_equal(cert_number(s, sizeof s, "DX", 999, 1), -1);
	assert_int_equal(cert_number(s, sizeof s, "DX", 10000, 1), -1);
	assert_int_equal(cert_number(s, sizeof s, "DX", 2026, 0), -1);
	assert_int_equal(cert_number(s, 14, "DX", 2026, 123), -1); /* no room for the NUL */
	assert_string_equal(s, "");
}

static void check_mask(const char *in, const char *want)
{
	char *m = mask_name(in);
	if (strcmp(m, want) != 0)
		fail_msg("mask_name(%s) = %s, want %s", in ? in : "NULL", m, want);
	free(m);
}

static void test_mask_name(void **state)
{
	(void)state;
	check_mask("张三", "张*");
	check_mask("李小明", "李*明");
	check_mask("欧阳小明", "欧**明");
	check_mask("爱新觉罗·溥仪", "爱***·*仪");
	check_mask("阿依古丽·买买提", "阿***·**提");
	check_mask("王", "*");
	check_mask("  王五 ", "王*");
	check_mask("John Smith", "J*** ****h");
	check_mask("Li", "L*");
	check_mask("A", "*");
	check_mask("Jean-Luc", "J***-**c");
	check_mask("\xF0\xA0\x80\x8B\xF0\xA0\x80\x8B\xF0\xA0\x80\x8B", "\xF0\xA0\x80\x8B*\xF0\xA0\x80\x8B"); /* 𠀋, 4 bytes */
	check_mask("", "*");
	check_mask("   ", "*");
	check_mask("·", "*");
	check_mask(NULL, "*");
	check_mask("\xff\xfe", "*");
	check_mask("张\xe4", "*"); /* cut inside a character */
}

/* ---- completion rule ---- */

#define O 1800000000LL /* opens_at */
#define C 1810000000LL /* closes_at */

static const int64_t REQ[] = { 11, 12 }, ELE[] = { 21, 22 };

static class_def def(double min_hours, int exam)
{
	return (class_def){ .title = "学习贯彻党的二十大精神网络专题班", .opens_at = O, .closes_at = C, .required = REQ,
			    .nrequired = 2, .electives = ELE, .nelectives = 2, .min_hours = min_hours,
			    .exam_required = exam, .capacity = 100, .mode = CLASS_OPEN };
}

static class_progress eval(const class_def *d, int64_t joined, const course_done *done, int n, int64_t exam,
			   int64_t now)
{
	class_member m = { joined, done, n, exam };
	class_progress p;
	assert_int_equal(class_evaluate(d, &m, now, &p), 0);
	return p;
}

static void test_rule_inside_window_any_order(void **state)
{
	(void)state;
	class_def d = def(3, 0);
	/* Required first, then an elective brings the hours to 3. */
	course_done a[] = { { 11, O + 100, 1 }, { 12, O + 200, 1 }, { 21, O + 300, 1 } };
	class_progress p = eval(&d, O + 10, a, 3, 0, C + 99);
	assert_true(p.complete);
	assert_int_equal(p.state, CS_COMPLETE);
	assert_int_equal(p.completed_at, O + 300);
	assert_float_equal(p.progress, 1.0, 0);
	assert_float_equal(p.hours, 3, 1e-12);
	assert_int_equal(p.nremaining, 0);
	assert_float_equal(p.hours_needed, 0, 0);
	class_progress_free(&p);
	/* Elective first: the last required course completes it. Input order does not matter. */
	course_done b[] = { { 12, O + 300, 1 }, { 21, O + 100, 1 }, { 11, O + 200, 1 } };
	p = eval(&d, O + 10, b, 3, 0, C - 1);
	assert_int_equal(p.completed_at, O + 300);
	class_progress_free(&p);
	/* Hours reached before the last required course: the later instant wins. */
	course_done c[] = { { 11, O + 100, 2 }, { 21, O + 150, 1 }, { 12, O + 500, 0.25 } };
	p = eval(&d, O, c, 3, 0, C);
	assert_int_equal(p.completed_at, O + 500);
	class_progress_free(&p);
	/* The rule held at O + 300, evaluated as of O + 299 it does not yet. */
	p = eval(&d, O + 10, a, 3, 0, O + 299);
	assert_false(p.complete);
	assert_int_equal(p.state, CS_OPEN);
	assert_int_equal(p.completed_at, 0);
	assert_float_equal(p.hours, 2, 1e-12);
	assert_float_equal(p.hours_needed, 1, 1e-12);
	class_progress_free(&p);
}

static void test_rule_before_joining_and_before_window(void **state)
{
	(void)state;
	class_def d = def(2, 0);
	/* Completed inside the window but before joining: counts; the class completes on joining. */
	course_done a[] = { { 11, O + 100, 1 }, { 12, O + 200, 1 } };
	class_progress p = eval(&d, O + 5000, a, 2, 0, O + 5000);
	assert_true(p.complete);
	assert_int_equal(p.completed_at, O + 5000);
	class_progress_free(&p);
	/* Not yet joined at `now`: nothing counts. */
	p = eval(&d, O + 5000, a, 2, 0, O + 4999);
	assert_false(p.complete);
	assert_int_equal(p.required_done, 0);
	assert_float_equal(p.progress, 0, 0);
	class_progress_free(&p);
	/* Assigned before the window opens: completions inside the window count as they happen. */
	p = eval(&d, O - 86400, a, 2, 0, O + 300);
	assert_int_equal(p.completed_at, O + 200);
	class_progress_free(&p);
	/* A course completed before the window opened does not count, even if joined earlier. */
	course_done b[] = { { 11, O - 1, 1 }, { 12, O + 200, 1 }, { 21, O + 300, 1 } };
	p = eval(&d, O - 86400, b, 3, 0, C + 1);
	assert_false(p.complete);
	assert_int_equal(p.state, CS_MISSED);
	assert_int_equal(p.nremaining, 1);
	assert_int_equal(p.remaining[0], 11);
	assert_float_equal(p.hours, 2, 1e-12); /* 12 and 21 count */
	assert_float_equal(p.progress, (0.5 + 1.0) / 2, 1e-12);
	class_progress_free(&p);
	/* Joined after the window closed: nothing counts. */
	p = eval(&d, C, a, 2, 0, C + 10);
	assert_false(p.complete);
	assert_int_equal(p.required_done, 0);
	assert_int_equal(p.state, CS_MISSED);
	class_progress_free(&p);
}

static void test_rule_window_edges(void **state)
{
	(void)state;
	class_def d = def(0, 0);
	/* Exactly at opens_at counts; the class completes at opens_at. */
	course_done a[] = { { 11, O, 1 }, { 12, O, 1 } };
	class_progress p = eval(&d, O - 10, a, 2, 0, O);
	assert_true(p.complete);
	assert_int_equal(p.completed_at, O);
	class_progress_free(&p);
	/* Exactly at closes_at does not count; one second before does. */
	course_done b[] = { { 11, O + 1, 1 }, { 12, C, 1 } };
	p = eval(&d, O, b, 2, 0, C + 100);
	assert_false(p.complete);
	assert_int_equal(p.state, CS_MISSED);
	assert_int_equal(p.nremaining, 1);
	assert_int_equal(p.remaining[0], 12);
	class_progress_free(&p);
	b[1].completed_at = C - 1;
	p = eval(&d, O, b, 2, 0, C + 100);
	assert_true(p.complete);
	assert_int_equal(p.completed_at, C - 1);
	assert_int_equal(p.state, CS_COMPLETE); /* stays complete after the window */
	class_progress_free(&p);
	/* One second before opens_at does not count. */
	b[0].completed_at = O - 1;
	p = eval(&d, O - 100, b, 2, 0, C + 100);
	assert_false(p.complete);
	class_progress_free(&p);
	/* Joined exactly at opens_at / one second before closes_at. */
	course_done c[] = { { 11, O + 10, 1 }, { 12, O + 20, 1 } };
	p = eval(&d, C - 1, c, 2, 0, C - 1);
	assert_true(p.complete);
	assert_int_equal(p.completed_at, C - 1);
	class_progress_free(&p);
	/* State before the window. */
	p = eval(&d, O - 100, NULL, 0, 0, O - 1);
	assert_int_equal(p.state, CS_NOT_OPEN);
	assert_float_equal(p.progress, 0, 0);
	assert_int_equal(p.nremaining, 2);
	class_progress_free(&p);
}

static void test_rule_exam(void **state)
{
	(void)state;
	class_def d = def(2, 1);
	course_done a[] = { { 11, O + 100, 1 }, { 12, O + 200, 1 } };
	/* Exam passed before the lectures are done: completes with the last course. */
	class_progress p = eval(&d, O, a, 2, O + 50, C);
	assert_true(p.complete);
	assert_int_equal(p.completed_at, O + 200);
	assert_false(p.exam_needed);
	class_progress_free(&p);
	/* Exam after: completes with the exam. */
	p = eval(&d, O, a, 2, O + 900, C);
	assert_int_equal(p.completed_at, O + 900);
	class_progress_free(&p);
	/* Not passed: everything else done, progress (1 + 1 + 0) / 3, the exam remains. */
	p = eval(&d, O, a, 2, 0, C - 1);
	assert_false(p.complete);
	assert_true(p.exam_needed);
	assert_int_equal(p.nremaining, 0);
	assert_float_equal(p.progress, 2.0 / 3, 1e-12);
	class_progress_free(&p);
	/* Passed at closes_at or before opens_at: does not count. */
	p = eval(&d, O, a, 2, C, C + 1);
	assert_false(p.complete);
	assert_true(p.exam_needed);
	class_progress_free(&p);
	p = eval(&d, O - 100, a, 2, O - 1, C + 1);
	assert_false(p.complete);
	class_progress_free(&p);
	/* Passed exactly at opens_at, lectures later. */
	p = eval(&d, O - 100, a, 2, O, C + 1);
	assert_int_equal(p.completed_at, O + 200);
	class_progress_free(&p);
	/* Passed after `now`: not yet. */
	p = eval(&d, O, a, 2, O + 900, O + 899);
	assert_false(p.complete);
	class_progress_free(&p);
}

static void test_rule_progress_and_remaining(void **state)
{
	(void)state;
	class_def d = def(4, 0);
	/* Nothing done. */
	class_progress p = eval(&d, O, NULL, 0, 0, O + 1);
	assert_float_equal(p.progress, 0, 0);
	assert_int_equal(p.nremaining, 2);
	assert_int_equal(p.remaining[0], 11);
	assert_int_equal(p.remaining[1], 12);
	assert_float_equal(p.hours_needed, 4, 0);
	assert_int_equal(p.nrequired, 2);
	class_progress_free(&p);
	/* One required of two, 1.5 of 4 hours (an elective, a course outside the class ignored,
	   the same course twice counted once, at its earliest completion). */
	course_done a[] = { { 12, O + 100, 1 }, { 22, O + 200, 0.5 }, { 99, O + 50, 10 }, { 12, O + 300, 1 } };
	p = eval(&d, O, a, 4, 0, O + 400);
	assert_int_equal(p.required_done, 1);
	assert_int_equal(p.nremaining, 1);
	assert_int_equal(p.remaining[0], 11);
	assert_float_equal(p.hours, 1.5, 1e-12);
	assert_float_equal(p.hours_needed, 2.5, 1e-12);
	assert_float_equal(p.progress, (0.5 + 1.5 / 4) / 2, 1e-12);
	class_progress_free(&p);
	/* More hours than needed still caps the hours part at 1; not complete means progress < 1. */
	course_done b[] = { { 12, O + 100, 3 }, { 21, O + 200, 3 } };
	p = eval(&d, O, b, 2, 0, O + 400);
	assert_false(p.complete);
	assert_float_equal(p.progress, (0.5 + 1) / 2, 1e-12);
	assert_float_equal(p.hours_needed, 0, 0);
	class_progress_free(&p);
	/* Only hours (no required course): completes when the sum reaches the minimum. */
	class_def h = def(2, 0);
	h.nrequired = 0, h.required = NULL;
	course_done c[] = { { 21, O + 100, 1 }, { 22, O + 200, 1 }, { 11, O + 50, 5 } };
	p = eval(&h, O, c, 3, 0, C);
	assert_true(p.complete); /* 11 is not in this class any more */
	assert_int_equal(p.completed_at, O + 200);
	assert_int_equal(p.nremaining, 0);
	assert_null(p.remaining);
	class_progress_free(&p);
	/* Negative or NaN hours of a completion count as 0. */
	course_done e[] = { { 21, O + 100, -5 }, { 22, O + 200, NAN } };
	p = eval(&h, O, e, 2, 0, C);
	assert_false(p.complete);
	assert_float_equal(p.hours, 0, 0);
	class_progress_free(&p);
	/* An invalid class is refused. */
	class_def bad = def(2, 0);
	bad.closes_at = bad.opens_at;
	class_member m = { O, NULL, 0, 0 };
	assert_int_equal(class_evaluate(&bad, &m, O, &p), -1);
	assert_null(p.remaining);
	assert_int_equal(class_state_name(CS_MISSED)[0], 'm');
	assert_string_equal(class_state_name(CS_OPEN), "open");
}

/* Random classes and histories: the result does not depend on the order of the completions, and
   completed_at is the first instant the rule holds (evaluated just before it, it does not). */
static void test_rule_moment_is_first_instant(void **state)
{
	(void)state;
	srand(13);
	int completes = 0;
	for (int t = 0; t < 2000; t++) {
		int64_t req[3], ele[3];
		int nr = rand() % 4, ne = rand() % 4;
		for (int i = 0; i < nr; i++)
			req[i] = 100 + i;
		for (int i = 0; i < ne; i++)
			ele[i] = 200 + i;
		class_def d = { .title = "班", .opens_at = O, .closes_at = O + 1000, .required = req, .nrequired = nr,
				.electives = ele, .nelectives = ne, .min_hours = (rand() % 9) * 0.5,
				.exam_required = rand() % 2, .mode = CLASS_OPEN };
		if (class_validate(&d, NULL) != CV_OK)
			continue;
		course_done done[10];
		int n = rand() % 10;
		for (int i = 0; i < n; i++)
			done[i] = (course_done){ rand() % 3 ? (rand() % 2 ? 100 : 200) + rand() % 4 : 999,
						 O - 100 + rand() % 1200, (rand() % 5) * 0.5 };
		int64_t joined = O - 200 + rand() % 1300, exam = rand() % 3 ? O - 50 + rand() % 1100 : 0;
		int64_t now = O + 1100;
		class_progress p = eval(&d, joined, done, n, exam, now);
		/* Reversed order: same answer. */
		course_done rev[10];
		for (int i = 0; i < n; i++)
			rev[i] = done[n - 1 - i];
		class_progress q = eval(&d, joined, rev, n, exam, now);
		assert_int_equal(p.complete, q.complete);
		assert_int_equal(p.completed_at, q.completed_at);
		assert_float_equal(p.progress, q.progress, 1e-12);
		assert_int_equal(p.nremaining, q.nremaining);
		class_progress_free(&q);
		if (p.complete) {
			completes++;
			assert_in_range(p.completed_at, d.opens_at, d.closes_at - 1);
			q = eval(&d, joined, done, n, exam, p.completed_at);
			assert_true(q.complete);
			assert_int_equal(q.completed_at, p.completed_at);
			class_progress_free(&q);
			q = eval(&d, joined, done, n, exam, p.completed_at - 1);
			assert_false(q.complete);
			assert_true(q.progress < 1.0);
			class_progress_free(&q);
		} else {
			assert_true(p.progress < 1.0);
			assert_true(p.nremaining > 0 || p.hours_needed > 0 || p.exam_needed || joined >= d.closes_at);
		}
		assert_true(p.progress >= 0.0 && p.progress <= 1.0);
		class_progress_free(&p);
	}
	assert_true(completes > 50); /* the random cases exercise completion, not only failures */
}

static void test_class_validation(void **state)
{
	(void)state;
	class_def d = def(3, 0);
	int64_t id = -7;
	assert_int_equal(class_validate(&d, &id), CV_OK);
	assert_int_equal(id, 0);
	d.closes_at = d.opens_at - 1;
	assert_int_equal(class_validate(&d, NULL), CV_WINDOW);
	d.closes_at = d.opens_at;
	assert_int_equal(class_validate(&d, NULL), CV_WINDOW);
	d = def(3, 0);
	int64_t twice[] = { 11, 12, 11 };
	d.required = twice, d.nrequired = 3;
	assert_int_equal(class_validate(&d, &id), CV_COURSE_DUPLICATE);
	assert_int_equal(id, 11);
	int64_t both_r[] = { 11, 21 };
	d.required = both_r, d.nrequired = 2; /* 21 also an elective */
	assert_int_equal(class_validate(&d, &id), CV_COURSE_DUPLICATE);
	assert_int_equal(id, 21);
	int64_t zero[] = { 11, 0 };
	d.required = zero;
	assert_int_equal(class_validate(&d, &id), CV_COURSE_ID);
	assert_int_equal(id, 0);
	d = def(3, 0);
	d.capacity = -1;
	assert_int_equal(class_validate(&d, NULL), CV_CAPACITY);
	d.capacity = 0; /* unlimited */
	assert_int_equal(class_validate(&d, NULL), CV_OK);
	d.min_hours = -0.5;
	assert_int_equal(class_validate(&d, NULL), CV_MIN_HOURS);
	d.min_hours = NAN;
	assert_int_equal(class_validate(&d, NULL), CV_MIN_HOURS);
	d.min_hours = INFINITY;
	assert_int_equal(class_validate(&d, NULL), CV_MIN_HOURS);
	d = def(0, 0);
	d.nrequired = 0;
	assert_int_equal(class_validate(&d, NULL), CV_NO_RULE);
	d.exam_required = 1;
	assert_int_equal(class_validate(&d, NULL), CV_OK);
	d.nelectives = 0;
	assert_int_equal(class_validate(&d, NULL), CV_NO_COURSES);
	d = def(3, 0);
	d.mode = (class_mode)7;
	assert_int_equal(class_validate(&d, NULL), CV_MODE);
	d = def(3, 0);
	d.title = "   ";
	assert_int_equal(class_validate(&d, NULL), CV_TITLE_EMPTY);
	d.title = NULL;
	assert_int_equal(class_validate(&d, NULL), CV_TITLE_EMPTY);
	d.title = "班\xff";
	assert_int_equal(class_validate(&d, NULL), CV_NOT_UTF8);
	char t[512] = "";
	for (int i = 0; i < CLASS_TITLE_MAX; i++)
		strcat(t, "学");
	d.title = t;
	assert_int_equal(class_validate(&d, NULL), CV_OK);
	strcat(t, "习");
	assert_int_equal(class_validate(&d, NULL), CV_TITLE_TOO_LONG);
	d = def(3, 0);
	char *sum = xmalloc(3 * CLASS_SUMMARY_MAX + 4);
	sum[0] = 0;
	for (int i = 0; i <= CLASS_SUMMARY_MAX; i++)
		strcat(sum, "简");
	d.summary = sum;
	assert_int_equal(class_validate(&d, NULL), CV_SUMMARY_TOO_LONG);
	free(sum);
	d = def(3, 0);
	int64_t many[CLASS_COURSES_MAX + 1];
	for (int i = 0; i <= CLASS_COURSES_MAX; i++)
		many[i] = 100 + i;
	d.required = many, d.nrequired = CLASS_COURSES_MAX - 1;
	assert_int_equal(class_validate(&d, NULL), CV_TOO_MANY_COURSES);
}

static void test_join_check(void **state)
{
	(void)state;
	class_def d = def(3, 0);
	d.capacity = 2;
	assert_int_equal(class_join_check(&d, O, 0, 0), CJ_OK);
	assert_int_equal(class_join_check(&d, O, 1, 0), CJ_OK);
	assert_int_equal(class_join_check(&d, O, 2, 0), CJ_FULL);
	assert_int_equal(class_join_check(&d, O, 2, 1), CJ_ALREADY);
	assert_int_equal(class_join_check(&d, O - 1, 0, 0), CJ_NOT_OPEN);
	assert_int_equal(class_join_check(&d, C, 0, 0), CJ_CLOSED);
	assert_int_equal(class_join_check(&d, C - 1, 0, 0), CJ_OK);
	d.capacity = 0;
	assert_int_equal(class_join_check(&d, O, 100000, 0), CJ_OK);
	d.mode = CLASS_ASSIGNED;
	assert_int_equal(class_join_check(&d, O, 0, 0), CJ_ASSIGNED_ONLY);
}

/* Chinese text only: no English words ("UTF-8" allowed, as elsewhere in the catalog). */
static int chinese_only(const char *s)
{
	for (const char *p = s; *p; p++) {
		if (strncmp(p, "UTF-8", 5) == 0) {
			p += 4;
			continue;
		}
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))
			return 0;
	}
	return 1;
}

static void test_catalog_keys(void **state)
{
	(void)state;
	json_error_t je;
	json_t *cat = json_load_file("web/i18n/zh-CN.json", 0, &je);
	assert_non_null(cat);
	const char *keys[64];
	int n = 0;
	for (int c = 0; c <= CV_COUNT; c++)
		keys[n++] = cv_key((cv_code)c);
	for (int c = 0; c <= CJ_COUNT; c++)
		keys[n++] = cj_key((cj_code)c);
	for (int c = 0; c <= CODE_ERR_CHECK; c++)
		keys[n++] = code_err_key((code_err)c);
	static char state_keys[4][64];
	for (int s = 0; s < 4; s++) {
		snprintf(state_keys[s], sizeof state_keys[s], "classes.state.%s", class_state_name((class_state)s));
		keys[n++] = state_keys[s];
	}
	keys[n++] = "classes.verify.not_found";
	for (int i = 0; i < n; i++) {
		if (strncmp(keys[i], "classes.", 8) != 0)
			fail_msg("key outside the module's prefix: %s", keys[i]);
		const char *v = json_string_value(json_object_get(cat, keys[i]));
		if (!v)
			fail_msg("missing catalog key %s", keys[i]);
		if (!chinese_only(v))
			fail_msg("English inside %s: %s", keys[i], v);
	}
	json_decref(cat);
}

int main(void)
{
	/* A GLib warning (pango given invalid UTF-8, a cairo misuse) aborts the test. */
	setenv("G_DEBUG", "fatal-warnings", 1);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_class_certificate_pdf),
		cmocka_unit_test(test_class_certificate_overlong_text),
		cmocka_unit_test(test_year_certificate_one_page),
		cmocka_unit_test(test_year_certificate_page_breaks),
		cmocka_unit_test(test_year_certificate_empty_and_met),
		cmocka_unit_test(test_certificate_bad_input),
		cmocka_unit_test(test_cert_formatting),
		cmocka_unit_test(test_qr_draw),
		cmocka_unit_test(test_code_format),
		cmocka_unit_test(test_code_unique),
		cmocka_unit_test(test_code_checksum_detects_typos),
		cmocka_unit_test(test_code_parse),
		cmocka_unit_test(test_cert_number),
		cmocka_unit_test(test_mask_name),
		cmocka_unit_test(test_rule_inside_window_any_order),
		cmocka_unit_test(test_rule_before_joining_and_before_window),
		cmocka_unit_test(test_rule_window_edges),
		cmocka_unit_test(test_rule_exam),
		cmocka_unit_test(test_rule_progress_and_remaining),
		cmocka_unit_test(test_rule_moment_is_first_instant),
		cmocka_unit_test(test_class_validation),
		cmocka_unit_test(test_join_check),
		cmocka_unit_test(test_catalog_keys),
	};
	return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
