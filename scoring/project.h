/* project.h — credit-hours suggestion, year-end projection, requirement inheritance and validation. */
#ifndef DANGXIAO_SCORING_PROJECT_H
#define DANGXIAO_SCORING_PROJECT_H

#include <stddef.h>
#include <stdint.h>

/* The credit hours the course editor suggests (DESIGN.md guide) from the total lecture time in
   seconds: >= 30 min → 1; >= 15 min and < 30 → 0.5; < 15 min → 0.25; +0.5 when the course has an
   exam. The guide's "15–30 = 0.5, ≤ 15 = 0.25" overlaps at exactly 15 minutes; 15:00 counts as
   0.5, the same boundary the study tracker uses (courses/credit.h credit_hours_guide, which this
   calls). A negative or non-finite time counts as 0. */
double project_credit_hours(double lectures_s, int has_exam);

/* Below this elapsed fraction of the year (14 days of 365) a member's pace says little: one hour
   studied on 2 January would extrapolate to 180 hours. */
#define PROJ_MIN_ELAPSED (14.0 / 365.0)

typedef struct projection {
	double hours;  /* projected hours at the year end, never below the hours already earned */
	int early;     /* 1 when elapsed < PROJ_MIN_ELAPSED: the projection divides by that floor
			  instead, and the UI should say it is too early to judge */
} projection;

/* Projection to the year end from the member's pace: hours / elapsed, where `elapsed` is the
   fraction of the year gone (0..1, from the clock's year_elapsed_fraction for the academy's
   calendar; clamped; NaN counts as 0). At elapsed >= 1 the projection is the hours themselves. */
projection project_year_end(double hours, double elapsed);

/* ---- Requirements, inherited down the organisation tree ---- */
typedef struct org_node {
	int64_t id;
	int64_t parent_id;   /* 0 for a root */
} org_node;

typedef struct req_row {
	int64_t org_id;
	int year;
	double total_hours, required_hours;
} req_row;

typedef struct requirement {
	double total_hours, required_hours;
	int64_t source_org;  /* the organisation whose row applies; 0 when the settings' default */
} requirement;

#define REQ_DEFAULT_TOTAL    50.0
#define REQ_DEFAULT_REQUIRED 0.0

/* The requirement of `org` for `year`: the row of the organisation itself or of its nearest
   ancestor with a row for that year; else `def` (the settings' default, source_org 0).
   An unknown org, a parent that is not in orgs, or a cycle ends the walk (default). */
requirement req_resolve(const org_node *orgs, size_t norgs, const req_row *rows, size_t nrows,
			int64_t org, int year, requirement def);

/* The same for every organisation at once, in O((norgs + nrows) log norgs): out[i] is the
   requirement of orgs[i]. For reports over thousands of organisations. */
void req_resolve_all(const org_node *orgs, size_t norgs, const req_row *rows, size_t nrows,
		     int year, requirement def, requirement *out);

/* Validation of a requirement an admin sends. `this_year` is the academy's current year.
   NULL when valid, else the catalog key:
     scoring.err.year_range       year < 2000 or year > this_year + 1
     scoring.err.req_hours        total or required hours negative, not finite, or > 10000
     scoring.err.req_required_gt_total  required hours above total hours */
const char *req_validate(int year, double total_hours, double required_hours, int this_year);
/* The year check alone (reports take a year too): NULL or "scoring.err.year_range". */
const char *year_validate(int year, int this_year);

#define REQ_HOURS_MAX 10000.0

#endif
