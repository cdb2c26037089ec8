/* require.h — yearly requirements per organisation (inherited down the tree, the default from the
 * settings) and a member's dynamic assessment for a year: the one place that says which
 * requirement applies and what a member's status and year-end projection are.
 *
 * The requirement of an organisation for a year is its own row in `requirements`, else the row of
 * its nearest ancestor for that year, else the academy's default (settings
 * scoring.default_total_hours / scoring.default_required_hours; 50 / 0 when unset).
 *
 * A member's status (DESIGN.md): met when total hours ≥ the total requirement and required-course
 * hours ≥ the required requirement; otherwise expected = total requirement × the fraction of the
 * academy's year gone at `now` (the server's clock), on_track when hours ≥ expected, at_risk when
 * hours < expected / 2, else behind. A past year counts as wholly elapsed, a future one as not
 * begun. The projection extrapolates the member's pace to the year end (project_year_end).
 *
 * Use from /me (the scoring-core side):
 *     member_totals t;
 *     member_status ms;
 *     if (require_totals_read(r->u->id, year, &t) == 0) {
 *             requirement rq = require_of_path(r->u->org_path, year);
 *             require_evaluate(&rq, year, t.hours_required, t.hours_elective, clock_secs(), &ms);
 *             json_object_set_new(out, "assessment", require_status_json(&ms));
 *     }
 */
#ifndef DANGXIAO_SCORING_REQUIRE_H
#define DANGXIAO_SCORING_REQUIRE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "scoring/assess.h"
#include "scoring/project.h"

/* Settings rows (table settings, key → value text) of the default requirement. */
#define REQ_SETTING_TOTAL    "scoring.default_total_hours"
#define REQ_SETTING_REQUIRED "scoring.default_required_hours"

/* The academy's default requirement (source_org 0): the settings, else 50 / 0. A setting that is
   not a valid number of hours (req_validate) is ignored. */
requirement require_default(void);
/* The requirement of organisation org_id for year (own row, nearest ancestor's, else default).
   An unknown organisation gets the default. */
requirement require_of_org(int64_t org_id, int year);
/* The same for the organisation with materialised path `path` ('/1/5/12/'): no lookup of the
   organisation itself (a session's user carries the path). */
requirement require_of_path(const char *path, int year);

/* Sets (upserts) the requirement row of org_id for year, with the audit row, in the caller's
   write transaction. Validate first (req_validate). 0, or -1 (roll back). */
int require_set(int64_t actor, int64_t org_id, int year, double total_hours, double required_hours, int64_t now);
/* Removes the own row of org_id for year (inheritance applies again), audited. 1 removed, 0 none,
   -1 error. In the caller's write transaction. */
int require_clear(int64_t actor, int64_t org_id, int year);

typedef struct member_status {
	int year;
	requirement req;        /* the requirement that applies (its source organisation, 0: default) */
	double credit_hours;    /* earned this year: required + elective */
	double required_hours;  /* of which in courses required for the member's organisation */
	double elective_hours;
	double elapsed;         /* fraction of the academy's year gone at `now`, 0..1 */
	double expected_hours;  /* req.total_hours × elapsed */
	assess_status status;
	projection proj;        /* year-end projection of credit_hours */
} member_status;

/* Pure: the assessment of a member with these yearly hours under requirement rq at unix time now. */
void require_evaluate(const requirement *rq, int year, double hours_required, double hours_elective, int64_t now,
		      member_status *out);
/* The same with the elapsed fraction of the year already computed (year_elapsed_fraction(year, now)):
   for loops over many members, which then compute it once. */
void require_evaluate_el(const requirement *rq, int year, double hours_required, double hours_elective,
			 double elapsed, member_status *out);


/* A member's score_totals row for year (zeros when there is none). 0, or -1 on a database error. */
typedef struct member_totals {
	double hours_required, hours_elective, study_s;
	int64_t points, courses;
} member_totals;
int require_totals_read(int64_t user_id, int year, member_totals *t);

/* {"year","status","credit_hours","required_hours","elective_hours",
    "requirement":{"total_hours","required_hours","source_org_id"|null},
    "elapsed","expected_hours","projection":{"hours","early","meets"}} (new reference). */
json_t *require_status_json(const member_status *m);

#endif
