/* report.h — the assessors' reports: the organisation tree with each organisation's requirement,
 * a cursor over the members of a subtree with their yearly totals and status (with names: memory
 * bounded by one chunk, whatever the subtree's size; without: 56 bytes per member, read in two
 * scans), and per-organisation summaries.
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
	int no_names;         /* 1: rows come without username and name (NULL) unless q is given;
				 report_row_names fetches them for the rows needed (a JSON page) */
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
	double elapsed;       /* of the year at now */
	report_filter f;
	int names;            /* the chunks carry names */
	char *uname_buf, *name_buf;
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
	/* Without names: the whole subtree's numbers, read at open in two scans (report_members). */
	struct rep_member *all;
	size_t nall, iall;
} report_cur;

/* One member of a subtree with their totals for the year: 56 bytes, so the numbers of 100,000
   members are 5.6 MB (names are fetched for the rows shown). */
typedef struct rep_member {
	int64_t id, points, courses;
	double hr, he, study;
	size_t org;                /* index in the org_table */
} rep_member;

/* The members of the subtree [lo, hi) of t (whose year it reads), in path then id order, with
   their totals: one scan of the subtree's members and, for a large subtree, one of the year's
   score_totals (a probe per member for a small one). The count, or -1; *out is freed by the
   caller. */
long report_members(const org_table *t, size_t lo, size_t hi, rep_member **out);
/* Subtrees with at least this many members read the year's score_totals in one scan; smaller
   ones probe it per member (a committee of 2,500 members: 2,500 index lookups, a few ms). */
#define REPORT_SCAN_MIN 4096

/* Opens a cursor over the members of the subtree at `path` in table t (whose year it reports),
   in the order of the organisations' paths and then user ids, assessed at unix time now. */
void report_open(report_cur *c, const org_table *t, const char *path, int64_t now, const report_filter *f);
/* The next row passing the filter: 1 (in *out, valid until the next call), 0 at the end, -1 on a
   database error. */
int report_next(report_cur *c, report_row **out);
void report_close(report_cur *c);
/* Fills r->username and r->name when the cursor left them out (no_names): one lookup by id. */
void report_row_names(report_cur *c, report_row *r);

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
