/* assess.c — pure assessment status rules: year progress, status, year-end projection. */
#include "scoring/assess.h"
#include "server/clock.h"

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

/* (now - the academy's Jan 1 00:00) / (length of that year), clamped to 0..1. The year is the
   academy's (its time zone, server/clock.h), the same year that credit hours are booked in. */
double year_elapsed_fraction(int year, long long now)
{
	int64_t start, end;
	year_bounds(year, &start, &end);
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
