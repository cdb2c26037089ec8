/* rules.c — point rules as data: defaults, versions by effective day, award arithmetic, validation. */
#include "scoring/rules.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* DESIGN.md "Credit hours, points, assessment". Exam passed and full marks are two codes so a
   full-marks attempt earns 5 + 3 under the (member, rule, reference) unique key. */
const point_rule rule_defaults[] = {
	{ RULE_LOGIN,      1, PU_EVENT,       1,  RULE_DAY_MIN },
	{ RULE_STUDY,      1, PU_STUDY_5MIN,  10, RULE_DAY_MIN },
	{ RULE_LECTURE,    1, PU_EVENT,       6,  RULE_DAY_MIN },
	{ RULE_COURSE,     5, PU_CREDIT_HOUR, 0,  RULE_DAY_MIN },
	{ RULE_EXAM_PASS,  5, PU_EVENT,       0,  RULE_DAY_MIN },
	{ RULE_EXAM_FULL,  3, PU_EVENT,       0,  RULE_DAY_MIN },
	{ RULE_DAILY_QUIZ, 1, PU_ANSWER,      5,  RULE_DAY_MIN },
	{ RULE_RATED,      1, PU_EVENT,       2,  RULE_DAY_MIN },
	{ RULE_CLASS,      10, PU_EVENT,      0,  RULE_DAY_MIN },
	{ RULE_YEAR_CERT,  0, PU_EVENT,       0,  RULE_DAY_MIN },
};
const size_t rule_ndefaults = sizeof rule_defaults / sizeof rule_defaults[0];

static const char *const unit_names[] = { "event", "study_5min", "credit_hour", "answer" };

const char *rule_unit_name(point_unit u)
{
	if (u >= PU_EVENT && u <= PU_ANSWER)
		return unit_names[u];
	return "unknown";
}

point_unit rule_unit_parse(const char *s)
{
	for (int i = 0; s && i < 4; i++)
		if (!strcmp(s, unit_names[i]))
			return (point_unit)i;
	return PU_UNKNOWN;
}

/* The default version of a code (also tells the code's fixed unit); NULL when unknown. */
static const point_rule *rule_default_of(const char *code)
{
	for (size_t i = 0; code && i < rule_ndefaults; i++)
		if (!strcmp(rule_defaults[i].code, code))
			return &rule_defaults[i];
	return NULL;
}

int rule_code_known(const char *code)
{
	return rule_default_of(code) != NULL;
}

const point_rule *rule_in_force(const point_rule *rules, size_t n, const char *code, int day)
{
	const point_rule *best = NULL;
	for (size_t i = 0; code && i < n; i++) {
		const point_rule *r = &rules[i];
		if (strcmp(r->code, code) || r->effective_from > day)
			continue;
		if (!best || r->effective_from >= best->effective_from)
			best = r;
	}
	return best;
}

int rule_award(const point_rule *r, double quantity, int awarded_today)
{
	if (!r || r->points <= 0)
		return 0;
	if (awarded_today < 0)
		awarded_today = 0;
	double want;   /* points this event is worth before the cap, as a double to avoid overflow */
	switch (r->unit) {
	case PU_EVENT:
		want = r->points;
		break;
	case PU_ANSWER:
		if (!isfinite(quantity))
			return 0;
		want = quantity > 0 ? floor(quantity) * r->points : 0;
		break;
	case PU_CREDIT_HOUR:
		if (!isfinite(quantity) || quantity <= 0)
			return 0;
		want = floor(quantity * r->points + 0.5);
		break;
	case PU_STUDY_5MIN:
		if (!isfinite(quantity) || quantity <= 0)
			return 0;
		/* The day is owed this much in total; what was awarded before is subtracted, so a
		   heartbeat that crosses no new 5-minute mark earns nothing and two that cross one
		   earn it once. */
		want = floor(quantity / STUDY_UNIT_S) * r->points - awarded_today;
		break;
	default:
		return 0;
	}
	if (r->daily_cap > 0 && want > (double)r->daily_cap - awarded_today)
		want = (double)r->daily_cap - awarded_today;
	if (want <= 0)
		return 0;
	if (want > 1e9)
		want = 1e9;
	return (int)want;
}

/* Days from 1970-01-01 to y-m-d, proleptic Gregorian (H. Hinnant's days_from_civil). */
static long days_from_civil(long y, unsigned m, unsigned d)
{
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long)doe - 719468;
}

/* Inverse of days_from_civil (H. Hinnant's civil_from_days). */
static void civil_from_days(long z, int *y, unsigned *m, unsigned *d)
{
	z += 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long yy = (long)yoe + era * 400;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int)(yy + (*m <= 2));
}

int rule_day_parse(const char *s, int *day)
{
	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return -1;
	int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	unsigned m = (unsigned)((s[5] - '0') * 10 + (s[6] - '0'));
	unsigned d = (unsigned)((s[8] - '0') * 10 + (s[9] - '0'));
	if (y < 2000 || m < 1 || m > 12 || d < 1)
		return -1;
	static const unsigned mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (d > mdays[m - 1] + (m == 2 && leap))
		return -1;
	*day = (int)days_from_civil(y, m, d);
	return 0;
}

void rule_day_format(int day, char out[11])
{
	int y;
	unsigned m, d;
	civil_from_days(day, &y, &m, &d);
	if (y < 0 || y > 9999) {
		strcpy(out, "0000-00-00");
		return;
	}
	snprintf(out, 11, "%04d-%02u-%02u", y, m % 100, d % 100);
}

const char *rule_validate(const char *code, int points, const char *unit, int daily_cap,
			  const char *effective, int today, point_rule *out)
{
	const point_rule *def = rule_default_of(code);
	if (!def)
		return "scoring.err.rule_code";
	point_unit u = rule_unit_parse(unit);
	if (u == PU_UNKNOWN || u != def->unit)
		return "scoring.err.rule_unit";
	if (points < 0 || points > RULE_POINTS_MAX)
		return "scoring.err.rule_points";
	if (daily_cap < 0 || daily_cap > RULE_CAP_MAX)
		return "scoring.err.rule_cap";
	int day;
	if (rule_day_parse(effective, &day) < 0)
		return "scoring.err.rule_date";
	if (day < today)
		return "scoring.err.rule_date_past";
	memset(out, 0, sizeof *out);
	snprintf(out->code, sizeof out->code, "%s", def->code);
	out->points = points;
	out->unit = u;
	out->daily_cap = daily_cap;
	out->effective_from = day;
	return NULL;
}
