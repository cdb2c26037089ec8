/* assess.c — pure assessment status rules: year progress, status, year-end projection. */
#include "scoring/assess.h"

/* Stable names used by the API and the UI. */
const char *assess_status_name(assess_status s)
{
	switch (s) {
	case ST_MET: return "met";
	case ST_ON_TRACK: return "on_track";
	case ST_BEHIND: return "behind";
	case ST_AT_RISK: return "at_risk";
	}
	return "unknown";
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (H. Hinnant's algorithm);
   avoids timegm() and the TZ environment entirely. */
static long long days_from_civil(long long y, unsigned m, unsigned d)
{
	y -= m <= 2;
	long long era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long long)doe - 719468;
}

/* (now - Jan 1 00:00 UTC) / (length of the year), clamped to 0..1. */
double year_elapsed_fraction(int year, long long now)
{
	long long start = days_from_civil(year, 1, 1) * 86400LL;
	long long end = days_from_civil((long long)year + 1, 1, 1) * 86400LL;
	if (now <= start)
		return 0.0;
	if (now >= end)
		return 1.0;
	return (double)(now - start) / (double)(end - start);
}

/* The status rules (see assess.h). Being on pace with the total is enough for on_track even
   when required-course hours lag; only "met" demands both quotas. */
assess_status assess_member(double hours, double required_hours, double total_req, double required_req, double elapsed)
{
	if (hours >= total_req && required_hours >= required_req)
		return ST_MET;
	if (!(elapsed >= 0))
		elapsed = 0;
	if (elapsed > 1)
		elapsed = 1;
	double expected = total_req * elapsed;
	if (hours >= expected)
		return ST_ON_TRACK;
	if (hours < expected / 2)
		return ST_AT_RISK;
	return ST_BEHIND;
}

/* Linear extrapolation of the current pace to the end of the year. */
double assess_projection(double hours, double elapsed)
{
	return elapsed > 0 ? hours / elapsed : hours;
}
