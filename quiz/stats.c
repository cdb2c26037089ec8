/* stats.c — facility, upper–lower discrimination, point-biserial and score distributions. */
#include "quiz/stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

typedef struct obs {
	double score;
	int right;
} obs;

/* Highest score first. */
static int cmp_desc(const void *a, const void *b)
{
	double x = ((const obs *)a)->score, y = ((const obs *)b)->score;
	return (x < y) - (x > y);
}

/* Share right in a group of g attempts taken from the front of o[0..n) (sorted by score, from
   the end when from_end), with attempts tied on the boundary score sharing the places left. */
static double group_share(const obs *o, int n, int g, int from_end)
{
	double right = 0;
	int taken = 0;
	int i = 0;
	while (i < n && taken < g) {
		int j = i;
		double s = o[from_end ? n - 1 - i : i].score;
		int ties_right = 0;
		while (j < n && o[from_end ? n - 1 - j : j].score == s) {
			ties_right += o[from_end ? n - 1 - j : j].right;
			j++;
		}
		int c = j - i;
		if (taken + c <= g) {
			right += ties_right;
			taken += c;
		} else {
			right += (double)ties_right * (g - taken) / c;
			taken = g;
		}
		i = j;
	}
	return right / g;
}

/* Statistics of one question from its observations (sorted by score, highest first). */
static void item(const obs *o, int n, qs_item *it)
{
	memset(it, 0, sizeof *it);
	it->attempts = n;
	for (int i = 0; i < n; i++)
		it->correct += o[i].right;
	if (n == 0)
		return;
	it->facility = (double)it->correct / n;
	if (n < QS_MIN_ATTEMPTS)
		return;

	int g = (QS_GROUP_PCT * n + 50) / 100;
	it->has_disc_index = 1;
	it->disc_index = group_share(o, n, g, 0) - group_share(o, n, g, 1);

	double mean = 0;
	for (int i = 0; i < n; i++)
		mean += o[i].score;
	mean /= n;
	double var = 0, m1 = 0, m0 = 0;
	for (int i = 0; i < n; i++) {
		double d = o[i].score - mean;
		var += d * d;
		if (o[i].right)
			m1 += o[i].score;
		else
			m0 += o[i].score;
	}
	var /= n;
	int n1 = it->correct, n0 = n - it->correct;
	if (n1 == 0 || n0 == 0 || !(var > 0))
		return;
	m1 /= n1;
	m0 /= n0;
	double p = it->facility;
	it->has_pbis = 1;
	it->pbis = (m1 - m0) / sqrt(var) * sqrt(p * (1 - p));
	it->has_discrimination = 1;
	it->discrimination = it->pbis;
	it->flagged = it->discrimination < QS_FLAG_BELOW;
}

void qs_items(int na, int nq, const double *scores, const signed char *cells, qs_item *out)
{
	obs *o = xmalloc((size_t)(na > 0 ? na : 1) * sizeof *o);
	for (int q = 0; q < nq; q++) {
		int n = 0;
		for (int a = 0; a < na; a++) {
			signed char c = cells[(size_t)a * (size_t)nq + (size_t)q];
			if (c < 0)
				continue;
			o[n].score = scores[a];
			o[n].right = c > 0;
			n++;
		}
		qsort(o, (size_t)n, sizeof *o, cmp_desc);
		item(o, n, &out[q]);
	}
	free(o);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

void qs_quiz_summary(int na, const double *scores, qs_quiz *out)
{
	memset(out, 0, sizeof *out);
	if (na <= 0)
		return;
	out->attempts = na;
	double *s = xmalloc((size_t)na * sizeof *s);
	double sum = 0;
	for (int a = 0; a < na; a++) {
		double x = scores[a];
		if (!(x > 0)) /* also NaN */
			x = 0;
		if (x > 100)
			x = 100;
		s[a] = x;
		sum += x;
		int b = (int)(x / 10);
		out->buckets[b > QS_BUCKETS - 1 ? QS_BUCKETS - 1 : b]++;
	}
	out->mean = sum / na;
	qsort(s, (size_t)na, sizeof *s, cmp_double);
	out->median = na % 2 ? s[na / 2] : (s[na / 2 - 1] + s[na / 2]) / 2;
	free(s);
}
