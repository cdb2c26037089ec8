/* rule.c — class validation, the completion rule (complete? when? progress, what remains), joining. */
#include "classes/rule.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Counted hours are sums of 0.25-multiples; the tolerance only absorbs other decimal inputs. */
#define HOURS_EPS 1e-9

const char *cv_key(cv_code c)
{
	switch (c) {
	case CV_OK:               return "classes.ok";
	case CV_TITLE_EMPTY:      return "classes.err.title_empty";
	case CV_TITLE_TOO_LONG:   return "classes.err.title_too_long";
	case CV_NOT_UTF8:         return "classes.err.not_utf8";
	case CV_SUMMARY_TOO_LONG: return "classes.err.summary_too_long";
	case CV_WINDOW:           return "classes.err.window";
	case CV_NO_COURSES:       return "classes.err.no_courses";
	case CV_TOO_MANY_COURSES: return "classes.err.too_many_courses";
	case CV_COURSE_ID:        return "classes.err.course_id";
	case CV_COURSE_DUPLICATE: return "classes.err.course_duplicate";
	case CV_CAPACITY:         return "classes.err.capacity";
	case CV_MIN_HOURS:        return "classes.err.min_hours";
	case CV_NO_RULE:          return "classes.err.no_rule";
	case CV_MODE:             return "classes.err.mode";
	case CV_COUNT:            break;
	}
	return "classes.err.unknown";
}

/* Code points of s without surrounding ASCII spaces. */
static size_t trimmed_chars(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	size_t c = 0;
	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xC0) != 0x80;
	return c;
}

/* The i-th course of the class: the required ones first, then the electives. */
static int64_t course_at(const class_def *d, int i)
{
	return i < d->nrequired ? d->required[i] : d->electives[i - d->nrequired];
}

cv_code class_validate(const class_def *d, int64_t *course)
{
	if (course)
		*course = 0;
	if (!d->title || trimmed_chars(d->title) == 0)
		return CV_TITLE_EMPTY;
	if (!utf8_ok(d->title, strlen(d->title)) || (d->summary && !utf8_ok(d->summary, strlen(d->summary))))
		return CV_NOT_UTF8;
	if (trimmed_chars(d->title) > CLASS_TITLE_MAX)
		return CV_TITLE_TOO_LONG;
	if (d->summary && trimmed_chars(d->summary) > CLASS_SUMMARY_MAX)
		return CV_SUMMARY_TOO_LONG;
	if (d->closes_at <= d->opens_at)
		return CV_WINDOW;
	if (d->nrequired < 0 || d->nelectives < 0 || d->nrequired + d->nelectives == 0 ||
	    (d->nrequired && !d->required) || (d->nelectives && !d->electives))
		return CV_NO_COURSES;
	int n = d->nrequired + d->nelectives;
	if (n > CLASS_COURSES_MAX)
		return CV_TOO_MANY_COURSES;
	for (int i = 0; i < n; i++) {
		if (course_at(d, i) <= 0) {
			if (course)
				*course = course_at(d, i);
			return CV_COURSE_ID;
		}
	}
	for (int i = 0; i < n; i++)
		for (int j = 0; j < i; j++)
			if (course_at(d, i) == course_at(d, j)) {
				if (course)
					*course = course_at(d, i);
				return CV_COURSE_DUPLICATE;
			}
	if (d->capacity < 0)
		return CV_CAPACITY;
	if (!isfinite(d->min_hours) || d->min_hours < 0)
		return CV_MIN_HOURS;
	if (d->nrequired == 0 && d->min_hours <= 0 && !d->exam_required)
		return CV_NO_RULE;
	if (d->mode != CLASS_OPEN && d->mode != CLASS_ASSIGNED)
		return CV_MODE;
	return CV_OK;
}

const char *class_state_name(class_state s)
{
	switch (s) {
	case CS_NOT_OPEN: return "not_open";
	case CS_OPEN:     return "open";
	case CS_COMPLETE: return "complete";
	case CS_MISSED:   return "missed";
	}
	return "unknown";
}

/* A counted completion of one class course. */
typedef struct counted {
	int64_t at;
	double hours;
	int set;
} counted;

static int by_time(const void *a, const void *b)
{
	const counted *x = a, *y = b;
	return (x->at > y->at) - (x->at < y->at);
}

static int64_t max64(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

int class_evaluate(const class_def *d, const class_member *m, int64_t now, class_progress *out)
{
	memset(out, 0, sizeof *out);
	if (class_validate(d, NULL) != CV_OK)
		return -1;
	int n = d->nrequired + d->nelectives;
	/* first[i]: the earliest counted completion of course i (set = 0 when none). */
	counted *first = xcalloc((size_t)n, sizeof *first);
	int member = m->joined_at < d->closes_at && m->joined_at <= now;
	for (int k = 0; member && k < m->ndone; k++) {
		const course_done *c = &m->done[k];
		if (c->completed_at < d->opens_at || c->completed_at >= d->closes_at || c->completed_at > now)
			continue;
		for (int i = 0; i < n; i++) {
			if (course_at(d, i) != c->course_id)
				continue;
			if (!first[i].set || c->completed_at < first[i].at) {
				first[i].set = 1;
				first[i].at = c->completed_at;
				first[i].hours = isfinite(c->hours) && c->hours > 0 ? c->hours : 0;
			}
			break;
		}
	}
	/* Required courses: all done by t_req, or listed as remaining. INT64_MIN stands for "no
	   constraint" (the max with opens_at below replaces it). */
	int64_t t_req = INT64_MIN;
	out->nrequired = d->nrequired;
	out->remaining = d->nrequired ? xmalloc((size_t)d->nrequired * sizeof *out->remaining) : NULL;
	for (int i = 0; i < d->nrequired; i++) {
		if (first[i].set) {
			out->required_done++;
			t_req = max64(t_req, first[i].at);
		} else {
			out->remaining[out->nremaining++] = d->required[i];
		}
	}
	/* Hours: in time order, the instant the running sum reaches min_hours. */
	counted *seq = xmalloc((size_t)n * sizeof *seq);
	int ns = 0;
	for (int i = 0; i < n; i++)
		if (first[i].set)
			seq[ns++] = first[i];
	qsort(seq, (size_t)ns, sizeof *seq, by_time);
	int64_t t_hours = INT64_MIN;
	int hours_met = d->min_hours <= 0;
	for (int i = 0; i < ns; i++) {
		out->hours += seq[i].hours;
		if (!hours_met && out->hours >= d->min_hours - HOURS_EPS) {
			hours_met = 1;
			t_hours = seq[i].at;
		}
	}
	out->hours_needed = hours_met ? 0 : d->min_hours - out->hours;
	/* The exam. */
	int64_t ex = m->exam_passed_at;
	int exam_ok = !d->exam_required ||
		      (member && ex != 0 && ex >= d->opens_at && ex < d->closes_at && ex <= now);
	out->exam_needed = !exam_ok;

	/* Progress: the mean of the parts the class has. */
	double sum = 0;
	int parts = 0;
	if (d->nrequired > 0)
		sum += (double)out->required_done / d->nrequired, parts++;
	if (d->min_hours > 0)
		sum += hours_met ? 1.0 : fmin(1.0, out->hours / d->min_hours), parts++;
	if (d->exam_required)
		sum += exam_ok, parts++;

	if (member && out->nremaining == 0 && hours_met && exam_ok) {
		int64_t t = max64(max64(t_req, t_hours), max64(m->joined_at, d->opens_at));
		if (d->exam_required)
			t = max64(t, ex);
		if (t <= now && t < d->closes_at) {
			out->complete = 1;
			out->completed_at = t;
		}
	}
	if (out->complete)
		out->progress = 1.0;
	else
		out->progress = parts ? fmin(sum / parts, nextafter(1.0, 0.0)) : 0.0;
	if (out->complete)
		out->state = CS_COMPLETE;
	else if (now < d->opens_at)
		out->state = CS_NOT_OPEN;
	else if (now >= d->closes_at)
		out->state = CS_MISSED;
	else
		out->state = CS_OPEN;
	free(seq);
	free(first);
	return 0;
}

void class_progress_free(class_progress *p)
{
	free(p->remaining);
	memset(p, 0, sizeof *p);
}

const char *cj_key(cj_code c)
{
	switch (c) {
	case CJ_OK:            return "classes.ok";
	case CJ_ASSIGNED_ONLY: return "classes.join.assigned_only";
	case CJ_NOT_OPEN:      return "classes.join.not_open";
	case CJ_CLOSED:        return "classes.join.closed";
	case CJ_FULL:          return "classes.join.full";
	case CJ_ALREADY:       return "classes.join.already";
	case CJ_COUNT:         break;
	}
	return "classes.err.unknown";
}

cj_code class_join_check(const class_def *d, int64_t now, int64_t members, int already_member)
{
	if (already_member)
		return CJ_ALREADY;
	if (d->mode != CLASS_OPEN)
		return CJ_ASSIGNED_ONLY;
	if (now < d->opens_at)
		return CJ_NOT_OPEN;
	if (now >= d->closes_at)
		return CJ_CLOSED;
	if (d->capacity > 0 && members >= d->capacity)
		return CJ_FULL;
	return CJ_OK;
}
