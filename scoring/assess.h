/* assess.h — dynamic assessment status of a member for a year. */
#ifndef DANGXIAO_SCORING_ASSESS_H
#define DANGXIAO_SCORING_ASSESS_H

typedef enum { ST_MET, ST_ON_TRACK, ST_BEHIND, ST_AT_RISK } assess_status;

/* Stable API name: "met", "on_track", "behind", "at_risk" ("unknown" for anything else). */
const char *assess_status_name(assess_status s);
/* Fraction of the academy's year `year` (in its time zone, server/clock.h: from local Jan 1 00:00 to
   the next) elapsed at unix time `now` (0 before, 1 after). Exact for leap years (366 days). */
double year_elapsed_fraction(int year, long long now);
/* met: hours >= total_req AND required_hours >= required_req; otherwise expected = total_req * elapsed;
   on_track: hours >= expected; at_risk: hours < expected/2; else behind.
   `elapsed` is clamped to 0..1 (NaN counts as 0). */
assess_status assess_member(double hours, double required_hours, double total_req, double required_req, double elapsed);
/* Projected hours at year end = hours / elapsed (elapsed > 0), else hours. */
double assess_projection(double hours, double elapsed);

#endif
