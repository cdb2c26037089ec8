/* chart.h — SVG charts drawn by the server: share of members who met the requirement per child
   organisation, and study time per week. No library; accessible and printable. */
#ifndef DANGXIAO_SCORING_CHART_H
#define DANGXIAO_SCORING_CHART_H

#include <stddef.h>
#include "util.h"

typedef struct chart_item {
	const char *label;   /* UTF-8; NULL is empty */
	double value;        /* share chart: percent 0..100 (clamped); weekly chart: seconds >= 0 */
} chart_item;

/* Labels longer than this many characters are cut (on a character boundary) and end in "…";
   the full label is in the bar's <title>, which browsers show on hover and screen readers read. */
#define CHART_LABEL_CHARS 10

/* Every chart is one <svg> with a viewBox (no fixed pixel size: it scales to its container and
   prints sharp), role="img" and aria-label=title, a <title> and a <desc> that lists every value
   as text (the chart's text alternative), and every text XML-escaped (& < > " ' and control
   characters removed, invalid UTF-8 replaced). With no items it says tr("scoring.chart.empty").
   Appends to out. */

/* Horizontal bars, one per item, 0–100 %, with gridlines at 0/25/50/75/100 %. */
void chart_share_bars(buf *out, const char *title, const chart_item *items, size_t n);
/* Columns, one per week (item label e.g. "3月2日"), heights in hours on a rounded scale. */
void chart_weekly_columns(buf *out, const char *title, const chart_item *items, size_t n);

/* XML text/attribute escape used by the charts (exposed for tests). */
void svg_escape(buf *out, const char *s);
/* s cut to at most max characters ("…" included when cut), escaped into out. */
void svg_escape_cut(buf *out, const char *s, size_t max);

#endif
