/* credit.c — pure study-time crediting: coverage interval sets and the heartbeat rules. */
#include "courses/credit.h"
#include "util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- coverage */

/* Initialises an empty coverage set. */
void cov_init(cov_set *c)
{
	c->n = 0;
	c->cap = 0;
	c->iv = NULL;
}

/* Releases storage; the set is empty and reusable afterwards. */
void cov_free(cov_set *c)
{
	free(c->iv);
	cov_init(c);
}

/* Makes room for at least `need` intervals (xrealloc: out of memory aborts, as everywhere in dangxiao). */
static void cov_reserve(cov_set *c, int need)
{
	if (need <= c->cap)
		return;
	int cap = c->cap ? c->cap : 8;
	while (cap < need)
		cap *= 2;
	c->iv = xrealloc(c->iv, (size_t)cap * sizeof *c->iv);
	c->cap = cap;
}

/* Union-merges [start, end]. Intervals i..j-1 are those that overlap or touch the new one;
   they collapse into a single interval. Linear, which is fine for the handful of intervals
   a lecture accumulates. */
void cov_add(cov_set *c, double start, double end)
{
	if (!isfinite(start) || !isfinite(end) || !(start < end))
		return;
	int i = 0;
	while (i < c->n && c->iv[i].end < start)
		i++;
	int j = i;
	while (j < c->n && c->iv[j].start <= end)
		j++;
	if (i == j) { /* no overlap: insert at i */
		cov_reserve(c, c->n + 1);
		memmove(&c->iv[i + 1], &c->iv[i], (size_t)(c->n - i) * sizeof c->iv[0]);
		c->iv[i].start = start;
		c->iv[i].end = end;
		c->n++;
		return;
	}
	cov_iv m = {fmin(start, c->iv[i].start), fmax(end, c->iv[j - 1].end)};
	c->iv[i] = m;
	memmove(&c->iv[i + 1], &c->iv[j], (size_t)(c->n - j) * sizeof c->iv[0]);
	c->n -= (j - i - 1);
}

/* Sum of interval lengths. */
double cov_length(const cov_set *c)
{
	double s = 0;
	for (int k = 0; k < c->n; k++)
		s += c->iv[k].end - c->iv[k].start;
	return s;
}

/* Walks the gaps of *c inside [start, end] and sums them. */
double cov_uncovered(const cov_set *c, double start, double end)
{
	if (!isfinite(start) || !isfinite(end) || !(start < end))
		return 0;
	double gap = 0, at = start;
	for (int k = 0; k < c->n && at < end; k++) {
		const cov_iv *v = &c->iv[k];
		if (v->end <= at)
			continue;
		if (v->start >= end)
			break;
		if (v->start > at)
			gap += v->start - at;
		at = v->end;
	}
	if (at < end)
		gap += end - at;
	return gap;
}

/* Appends the shortest decimal form of x that strtod reads back as exactly x. */
static size_t fmt_num(char *out, size_t room, double x)
{
	if (x == 0)
		x = 0; /* no "-0" */
	char tmp[32];
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(tmp, sizeof tmp, "%.*g", prec, x);
		if (strtod(tmp, NULL) == x)
			break;
	}
	size_t len = strlen(tmp);
	if (len < room)
		memcpy(out, tmp, len + 1);
	return len;
}

/* Compact JSON "[[a,b],[c,d]]"; each number takes at most 24 bytes. */
char *cov_to_json(const cov_set *c)
{
	size_t room = 3 + (size_t)c->n * (2 * 24 + 4);
	char *out = xmalloc(room);
	size_t p = 0;
	out[p++] = '[';
	for (int k = 0; k < c->n; k++) {
		if (k)
			out[p++] = ',';
		out[p++] = '[';
		p += fmt_num(out + p, room - p, c->iv[k].start);
		out[p++] = ',';
		p += fmt_num(out + p, room - p, c->iv[k].end);
		out[p++] = ']';
	}
	out[p++] = ']';
	out[p] = '\0';
	return out;
}

static const char *skip_ws(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	return s;
}

/* Parses one JSON number at *ps (strict JSON grammar, checked by hand before strtod so that
   strtod's extras — "nan", "inf", hex, leading blanks — can never get through). The value must
   be finite and >= 0. Returns 0 and advances *ps, or -1. */
static int parse_num(const char **ps, double *out)
{
	const char *s = *ps, *p = s;
	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		while (*p >= '0' && *p <= '9')
			p++;
	else
		return -1;
	if (*p == '.') {
		p++;
		if (!(*p >= '0' && *p <= '9'))
			return -1;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!(*p >= '0' && *p <= '9'))
			return -1;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	char *end = NULL;
	double v = strtod(s, &end);
	if (end != p || !isfinite(v) || v < 0)
		return -1;
	*out = v + 0.0; /* -0 → 0 */
	*ps = p;
	return 0;
}

/* Hand parser for "[ [a,b] , ... ]"; builds into a scratch set and swaps in only on success. */
int cov_from_json(cov_set *c, const char *text)
{
	if (!text)
		return -1;
	cov_set tmp;
	cov_init(&tmp);
	const char *s = skip_ws(text);
	if (*s++ != '[')
		goto bad;
	s = skip_ws(s);
	if (*s == ']') {
		s++;
	} else {
		for (;;) {
			double a, b;
			if (*s++ != '[')
				goto bad;
			s = skip_ws(s);
			if (parse_num(&s, &a))
				goto bad;
			s = skip_ws(s);
			if (*s++ != ',')
				goto bad;
			s = skip_ws(s);
			if (parse_num(&s, &b))
				goto bad;
			s = skip_ws(s);
			if (*s++ != ']')
				goto bad;
			if (a > b)
				goto bad;
			cov_add(&tmp, a, b);
			s = skip_ws(s);
			if (*s == ']') {
				s++;
				break;
			}
			if (*s++ != ',')
				goto bad;
			s = skip_ws(s);
		}
	}
	s = skip_ws(s);
	if (*s != '\0')
		goto bad;
	cov_free(c);
	*c = tmp;
	return 0;
bad:
	cov_free(&tmp);
	return -1;
}

/* --------------------------------------------------------------- heartbeats */

/* Stable names, for logs and API responses. */
const char *hb_result_name(hb_result r)
{
	switch (r) {
	case HB_CREDITED: return "credited";
	case HB_REANCHOR_PAUSED: return "paused";
	case HB_REANCHOR_GAP: return "gap";
	case HB_REANCHOR_SEEK: return "seek";
	case HB_TOO_SOON: return "too_soon";
	case HB_INVALID: return "invalid";
	}
	return "unknown";
}

/* Covered length inside [0, duration] (a stored set may predate a shorter duration). */
static double covered_within(const cov_set *cov, double duration)
{
	if (!(duration > 0) || !isfinite(duration))
		return 0;
	return duration - cov_uncovered(cov, 0, duration);
}

/* Fraction of the lecture covered, 0..1. */
double coverage_fraction(const cov_set *cov, double duration)
{
	if (!(duration > 0) || !isfinite(duration))
		return 0;
	double f = covered_within(cov, duration) / duration;
	return f < 0 ? 0 : f > 1 ? 1 : f;
}

/* Complete at >= 95 % coverage: allows for skipped credits/outros without letting
   a member skip real content. */
int lecture_complete(const cov_set *cov, double duration)
{
	if (!(duration > 0) || !isfinite(duration))
		return 0;
	return covered_within(cov, duration) >= HB_COMPLETE_FRAC * duration;
}

static void reanchor(hb_state *st, double now, double position)
{
	st->last_at = now;
	st->last_pos = position;
}

/* The heartbeat rules; see credit.h for their order. The anti-cheat idea: study time only
   accrues when both the server clock and the playback position moved forward at a plausible
   rate, and at most by the smaller of the two. */
hb_outcome credit_heartbeat(hb_state *st, cov_set *cov, double now, double position, int playing)
{
	hb_outcome o = {HB_INVALID, 0, 0, 0};
	double dur = st->duration;
	if (!isfinite(now) || !isfinite(dur) || !(dur > 0) || !isfinite(position) || position < 0 ||
	    position > dur + HB_POS_SLACK_S)
		return o;

	double wall = now - st->last_at;
	double advance = position - st->last_pos;
	if (!(wall >= HB_MIN_INTERVAL_S)) { /* also catches a NaN anchor */
		o.result = HB_TOO_SOON;
		return o;
	}
	if (!playing || wall > HB_MAX_GAP_S) {
		o.result = playing ? HB_REANCHOR_GAP : HB_REANCHOR_PAUSED;
		reanchor(st, now, position);
		return o;
	}
	double rate = (isfinite(st->max_rate) && st->max_rate > 0) ? st->max_rate : 1.0;
	if (!isfinite(advance) || advance < 0 || advance > wall * rate + HB_SEEK_SLACK_S) {
		o.result = HB_REANCHOR_SEEK;
		reanchor(st, now, position);
		return o;
	}

	o.result = HB_CREDITED;
	double credit = fmin(wall, advance);
	double today = isfinite(st->today_study_s) ? st->today_study_s : 0;
	if (credit > dur - today)
		credit = dur - today;
	if (credit < 0)
		credit = 0;
	o.credited_s = credit;
	st->today_study_s = today + credit;

	/* Coverage grows no faster than real time × max_rate (DESIGN: "coverage grows no faster than
	   real time"): the 2 s seek slack absorbs network jitter in the seek test, but must not become
	   free coverage — a script posting advance = wall + 2 every 5 s would otherwise cover a lecture
	   at 1.4× speed. A real player loses at most its jitter here, far inside the 5 % margin. */
	double a = fmax(0, st->last_pos), b = fmin(dur, fmin(position, st->last_pos + wall * rate));
	if (a < b && cov_uncovered(cov, a, b) > 0) {
		int was = lecture_complete(cov, dur);
		cov_add(cov, a, b);
		o.coverage_changed = 1;
		o.became_complete = !was && lecture_complete(cov, dur);
	}
	reanchor(st, now, position);
	return o;
}

/* Guide for the credit hours a course is worth, from its total lecture length. */
double credit_hours_guide(double lectures_total_s, int has_quiz)
{
	double h = lectures_total_s >= 1800 ? 1.0 : lectures_total_s >= 900 ? 0.5 : 0.25;
	return h + (has_quiz ? 0.5 : 0.0);
}
