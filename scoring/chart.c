/* chart.c — SVG charts drawn by the server (see chart.h). */
#include "scoring/chart.h"
#include "i18n.h"

#include <math.h>
#include <string.h>

/* Escapes s[0..len) for XML text and double- or single-quoted attributes. */
static void esc_n(buf *out, const char *s, size_t len)
{
	for (size_t i = 0; i < len;) {
		unsigned char c = (unsigned char)s[i];
		size_t n = utf8_char_len(s + i, len - i);
		if (!n) {
			buf_puts(out, "\xEF\xBF\xBD");
			i++;
			continue;
		}
		switch (c) {
		case '&': buf_puts(out, "&amp;"); break;
		case '<': buf_puts(out, "&lt;"); break;
		case '>': buf_puts(out, "&gt;"); break;
		case '"': buf_puts(out, "&quot;"); break;
		case '\'': buf_puts(out, "&#39;"); break;
		default:
			if (c < 0x20 || c == 0x7f)   /* XML 1.0 forbids most controls: a space instead */
				buf_putc(out, ' ');
			else
				buf_add(out, s + i, n);
		}
		i += n;
	}
}

void svg_escape(buf *out, const char *s)
{
	if (s)
		esc_n(out, s, strlen(s));
}

void svg_escape_cut(buf *out, const char *s, size_t max)
{
	if (!s)
		return;
	size_t len = strlen(s), chars = 0, i = 0, cut = len;
	/* Count characters; remember where character max-1 ends in case the text is too long. */
	while (i < len) {
		size_t n = utf8_char_len(s + i, len - i);
		i += n ? n : 1;
		chars++;
		if (max > 0 && chars == max - 1)
			cut = i;
	}
	if (max == 0 || chars <= max) {
		esc_n(out, s, len);
		return;
	}
	esc_n(out, s, max > 1 ? cut : 0);
	buf_puts(out, "…");
}

static void svg_open(buf *out, int w, int h, const char *title, const char *cls)
{
	buf_printf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"dx-chart %s\" viewBox=\"0 0 %d %d\" "
			"preserveAspectRatio=\"xMinYMin meet\" role=\"img\" aria-label=\"", cls, w, h);
	svg_escape(out, title);
	buf_puts(out, "\"><title>");
	svg_escape(out, title);
	buf_puts(out, "</title>");
}

/* A number with at most one decimal, without a trailing ".0": "12.5" / "40" (percentages, hours). */
static void put_1dp(buf *out, double v)
{
	double r = floor(v * 10 + 0.5) / 10;
	if (r == floor(r))
		buf_printf(out, "%.0f", r);
	else
		buf_printf(out, "%.1f", r);
}

static double clamp_pct(double v)
{
	if (!(v >= 0))
		return 0;
	return v > 100 ? 100 : v;
}

#define FONT "font-family=\"sans-serif\""

void chart_share_bars(buf *out, const char *title, const chart_item *items, size_t n)
{
	const int W = 640, LABEL_W = 170, BAR_W = 400, ROW = 28, TOP = 16, AXIS = 28;
	int h = TOP + (n ? (int)n : 1) * ROW + AXIS;
	svg_open(out, W, h, title, "dx-chart-share");
	buf_puts(out, "<desc>");
	if (!n)
		svg_escape(out, tr("scoring.chart.empty"));
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_puts(out, "；");
		svg_escape(out, items[i].label);
		buf_puts(out, "：");
		put_1dp(out, clamp_pct(items[i].value));
		buf_puts(out, "%");
	}
	buf_puts(out, "</desc>");
	/* Gridlines and their labels. */
	int bottom = TOP + (n ? (int)n : 1) * ROW;
	for (int g = 0; g <= 4; g++) {
		int x = LABEL_W + BAR_W * g / 4;
		buf_printf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#ccc\" stroke-width=\"1\"/>",
			   x, TOP, x, bottom);
		buf_printf(out, "<text x=\"%d\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\" fill=\"#555\" " FONT ">%d%%</text>",
			   x, bottom + 18, g * 25);
	}
	if (!n) {
		buf_printf(out, "<text x=\"%d\" y=\"%d\" font-size=\"14\" text-anchor=\"middle\" fill=\"#555\" " FONT ">",
			   LABEL_W + BAR_W / 2, TOP + ROW / 2 + 5);
		svg_escape(out, tr("scoring.chart.empty"));
		buf_puts(out, "</text>");
	}
	for (size_t i = 0; i < n; i++) {
		double v = clamp_pct(items[i].value);
		int y = TOP + (int)i * ROW;
		buf_puts(out, "<g class=\"dx-bar\"><title>");
		svg_escape(out, items[i].label);
		buf_puts(out, "：");
		put_1dp(out, v);
		buf_puts(out, "%</title>");
		buf_printf(out, "<text x=\"%d\" y=\"%d\" font-size=\"13\" text-anchor=\"end\" fill=\"#222\" " FONT ">",
			   LABEL_W - 8, y + ROW / 2 + 5);
		svg_escape_cut(out, items[i].label, CHART_LABEL_CHARS);
		buf_puts(out, "</text>");
		buf_printf(out, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"#c0392b\"/>",
			   LABEL_W, y + 5, BAR_W * v / 100, ROW - 10);
		buf_printf(out, "<text x=\"%.1f\" y=\"%d\" font-size=\"12\" fill=\"#222\" " FONT ">",
			   LABEL_W + BAR_W * v / 100 + 4, y + ROW / 2 + 5);
		put_1dp(out, v);
		buf_puts(out, "%</text></g>");
	}
	buf_puts(out, "</svg>");
}

/* The smallest of 1, 2, 5 × 10^k that is >= v (v > 0). */
static double nice_ceil(double v)
{
	double p = pow(10, floor(log10(v)));
	double m = v / p;
	double f = m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10;
	return f * p;
}

void chart_weekly_columns(buf *out, const char *title, const chart_item *items, size_t n)
{
	const int W = 640, H = 266, LEFT = 44, RIGHT = 8, TOP = 20, BOTTOM = 40;
	const int PW = W - LEFT - RIGHT, PH = H - TOP - BOTTOM;
	svg_open(out, W, H, title, "dx-chart-weekly");
	double max_h = 0;
	for (size_t i = 0; i < n; i++) {
		double hrs = items[i].value > 0 && isfinite(items[i].value) ? items[i].value / 3600 : 0;
		if (hrs > max_h)
			max_h = hrs;
	}
	double scale = max_h > 0 ? nice_ceil(max_h) : 1;
	buf_puts(out, "<desc>");
	if (!n)
		svg_escape(out, tr("scoring.chart.empty"));
	for (size_t i = 0; i < n; i++) {
		double hrs = items[i].value > 0 && isfinite(items[i].value) ? items[i].value / 3600 : 0;
		if (i)
			buf_puts(out, "；");
		svg_escape(out, items[i].label);
		buf_puts(out, "：");
		put_1dp(out, hrs);
		svg_escape(out, tr("scoring.chart.hours_unit"));
	}
	buf_puts(out, "</desc>");
	for (int g = 0; g <= 4; g++) {
		int y = TOP + PH - PH * g / 4;
		buf_printf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#ccc\" stroke-width=\"1\"/>",
			   LEFT, y, W - RIGHT, y);
		buf_printf(out, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\" fill=\"#555\" " FONT ">",
			   LEFT - 4, y + 4);
		put_1dp(out, scale * g / 4);
		buf_puts(out, "</text>");
	}
	/* The unit above the axis labels. */
	buf_printf(out, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\" fill=\"#555\" " FONT ">",
		   LEFT - 4, TOP - 4 > 8 ? TOP - 4 : 10);
	svg_escape(out, tr("scoring.chart.hours_unit"));
	buf_puts(out, "</text>");
	if (!n) {
		buf_printf(out, "<text x=\"%d\" y=\"%d\" font-size=\"14\" text-anchor=\"middle\" fill=\"#555\" " FONT ">",
			   LEFT + PW / 2, TOP + PH / 2);
		svg_escape(out, tr("scoring.chart.empty"));
		buf_puts(out, "</text>");
	}
	double slot = n ? (double)PW / (double)n : PW;
	/* Label every k-th column so labels never overlap (about 56 px per label). */
	size_t every = n ? (size_t)ceil(56.0 / slot) : 1;
	if (every < 1)
		every = 1;
	for (size_t i = 0; i < n; i++) {
		double hrs = items[i].value > 0 && isfinite(items[i].value) ? items[i].value / 3600 : 0;
		double bh = PH * hrs / scale;
		double x = LEFT + slot * (double)i;
		buf_puts(out, "<g class=\"dx-col\"><title>");
		svg_escape(out, items[i].label);
		buf_puts(out, "：");
		put_1dp(out, hrs);
		svg_escape(out, tr("scoring.chart.hours_unit"));
		buf_puts(out, "</title>");
		buf_printf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#c0392b\"/>",
			   x + slot * 0.15, TOP + PH - bh, slot * 0.7, bh);
		if (i % every == 0) {
			buf_printf(out, "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\" fill=\"#555\" " FONT ">",
				   x + slot / 2, TOP + PH + 16);
			svg_escape_cut(out, items[i].label, 6);
			buf_puts(out, "</text>");
		}
		buf_puts(out, "</g>");
	}
	buf_puts(out, "</svg>");
}
