/* report.h — the assessors' reports: the organisation tree with each organisation's requirement,
 * a cursor over the members of a subtree with their yearly totals and status (memory bounded by
 * one chunk, whatever the subtree's size), and per-organisation summaries.
 *
 * Reports read score_totals (kept up to date by the awards) and never the ledger or heartbeats.
 * "Members" are active users with the role member.
 */
#ifndef DANGXIAO_SCORING_REPORT_H
#define DANGXIAO_SCORING_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "scoring/require.h"
#include "util.h"

/* ---- The organisation tree of one year ---- */
typedef struct rep_org {
	int64_t id, parent_id;    /* parent 0 for a root */
	char *name, *path;        /* path: materialised '/1/5/' */
	char *full_name;          /* "市委组织部/第一党委/机关第一支部" */
	int depth;                /* a root is 1 */
	requirement req;          /* the requirement that applies for the table's year */
	int64_t members;          /* members directly in it (filled by org_table_count) */
} rep_org;

typedef struct org_ix {
	int64_t id;
	size_t pos;
} org_ix;

typedef struct org_table {
	int year;
	rep_org *v;               /* sorted by path: a subtree is a contiguous range */
	size_t n;
	org_ix *ix;               /* sorted by id */
	requirement def;
} org_table;

/* Every organisation with its requirement for year. 0 or -1. */
int org_table_load(org_table *t, int year);
void org_table_free(org_table *t);
/* Index of organisation id in t->v, or -1. */
long org_table_find(const org_table *t, int64_t id);
/* The range [*lo, *hi) of t->v inside the subtree with materialised path `path` ("/" for all). */
void org_table_subtree(const org_table *t, const char *path, size_t *lo, size_t *hi);

/* ---- Members of a subtree, one by one ---- */
typedef struct report_row {
	int64_t user_id;
	const char *username, *name;   /* valid until the next report_next */
	const rep_org *org;
	double study_s;
	int64_t points, courses_completed;
	member_status st;              /* hours, requirement, status, projection */
} report_row;

typedef struct report_filter {
	int status;           /* -1: any, else an assess_status */
	const char *q;        /* NULL or "": anyone; else a substring of the name or username */
} report_filter;

/* Parses a status filter: "" or NULL → -1 (any); a status name → its value; else -2. */
int report_status_parse(const char *s);

#define REPORT_CHUNK 256

typedef struct report_cur {
	const org_table *t;
	size_t org, end;      /* the organisation being read, the end of the subtree range */
	int64_t after;        /* the last user id read in it */
	int year;
	int64_t now;
	report_filter f;
	char *like;           /* the q pattern */
	/* one chunk of rows */
	struct rep_raw {
		int64_t id, points, courses;
		double hr, he, study;
		size_t uname, name;   /* offsets in pool */
	} *rows;
	size_t nrows, next;
	int loaded;           /* a chunk of the current organisation was read */
	int eof_org;          /* … and it was its last */
	buf pool;
	report_row out;
	int failed;
} report_cur;

/* Opens a cursor over the members of the subtree at `path` in table t (whose year it reports),
   in the order of the organisations' paths and then user ids, assessed at unix time now. */
void report_open(report_cur *c, const org_table *t, const char *path, int64_t now, const report_filter *f);
/* The next row passing the filter: 1 (in *out, valid until the next call), 0 at the end, -1 on a
   database error. */
int report_next(report_cur *c, const report_row **out);
void report_close(report_cur *c);

/* ---- Summaries ---- */
typedef struct org_stats {
	int64_t members, met, on_track, behind, at_risk;
	double hours, points;     /* sums: averages are sums / members */
} org_stats;

/* Per direct child of the organisation at index `root` of t (-1: the roots of the whole tree),
   the stats of its whole subtree, in out[k] for child k (children in t order); *direct gets those
   of the members directly in root, *total those of the whole subtree. The children's indexes in
   t->v go to child_ix (caller frees). Returns the number of children, or -1. */
long report_org_stats(const org_table *t, long root, int64_t now, size_t **child_ix, org_stats **out,
		      org_stats *direct, org_stats *total);

#endif
