/* report_api.h — the assessors' HTTP side shared by the report routes, exports and the /assess page. */
#ifndef DANGXIAO_SCORING_REPORT_API_H
#define DANGXIAO_SCORING_REPORT_API_H

#include <jansson.h>
#include <stdint.h>

#include "http.h"
#include "scoring/report.h"

/* The organisation subtree an assessor (their own subtree) or an admin (anything) reports on:
   resource kind assess_scope, `?org_id=O` (0 or absent: the caller's whole scope). r->res is an
   assess_org. 404 for an unknown organisation, 403 outside an assessor's subtree. */
typedef struct assess_org {
	int64_t id;        /* 0: every organisation (admins only) */
	const char *path;  /* materialised path, "/" for every organisation */
	const char *name;  /* NULL for every organisation */
} assess_org;
extern const resource_kind assess_scope;

/* ?year= (absent: this year); replies 422 and returns -1 when it is not a year from 2000 to next year. */
int report_year_arg(req *r, const char *s, int *year);
/* ?status= and ?q=; replies 422 and returns -1 when invalid. */
int report_filter_args(req *r, report_filter *f);
/* One member row as the JSON report shows it (new reference). */
json_t *report_row_json(const report_row *w);

#endif
