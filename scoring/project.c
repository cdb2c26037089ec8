/* project.c — credit-hours suggestion, year-end projection, requirement inheritance and validation. */
#include "scoring/project.h"
#include "courses/credit.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>

double project_credit_hours(double lectures_s, int has_exam)
{
	if (!isfinite(lectures_s) || lectures_s < 0)
		lectures_s = 0;
	return credit_hours_guide(lectures_s, has_exam);
}

projection project_year_end(double hours, double elapsed)
{
	projection p = { hours, 0 };
	if (!isfinite(hours) || hours < 0)
		return (projection){ 0, 0 };
	if (!(elapsed >= 0))
		elapsed = 0;
	if (elapsed >= 1)
		return p;
	if (elapsed < PROJ_MIN_ELAPSED) {
		p.early = 1;
		elapsed = PROJ_MIN_ELAPSED;
	}
	p.hours = hours / elapsed;
	if (p.hours < hours)
		p.hours = hours;
	return p;
}

/* Index of id in orgs, linear: the single lookup is for one member's page. */
static long org_index(const org_node *orgs, size_t n, int64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (orgs[i].id == id)
			return (long)i;
	return -1;
}

static const req_row *row_of(const req_row *rows, size_t n, int64_t org, int year)
{
	const req_row *found = NULL;
	for (size_t i = 0; i < n; i++)
		if (rows[i].org_id == org && rows[i].year == year)
			found = &rows[i];   /* the last wins, like an upsert */
	return found;
}

requirement req_resolve(const org_node *orgs, size_t norgs, const req_row *rows, size_t nrows,
			int64_t org, int year, requirement def)
{
	def.source_org = 0;
	/* At most norgs steps: a cycle (a data error) cannot loop forever. */
	for (size_t steps = 0; org > 0 && steps <= norgs; steps++) {
		const req_row *r = row_of(rows, nrows, org, year);
		if (r)
			return (requirement){ r->total_hours, r->required_hours, org };
		long i = org_index(orgs, norgs, org);
		if (i < 0)
			break;
		org = orgs[i].parent_id;
	}
	return def;
}

/* ---- Bulk resolution ---- */

typedef struct id_pos { int64_t id; size_t pos; } id_pos;

static int cmp_id_pos(const void *a, const void *b)
{
	int64_t x = ((const id_pos *)a)->id, y = ((const id_pos *)b)->id;
	return x < y ? -1 : x > y;
}

static long find_pos(const id_pos *ix, size_t n, int64_t id)
{
	id_pos key = { id, 0 };
	const id_pos *f = bsearch(&key, ix, n, sizeof *ix, cmp_id_pos);
	return f ? (long)f->pos : -1;
}

enum { RS_TODO, RS_BUSY, RS_DONE };

void req_resolve_all(const org_node *orgs, size_t norgs, const req_row *rows, size_t nrows,
		     int year, requirement def, requirement *out)
{
	def.source_org = 0;
	id_pos *ix = xmalloc((norgs ? norgs : 1) * sizeof *ix);
	for (size_t i = 0; i < norgs; i++)
		ix[i] = (id_pos){ orgs[i].id, i };
	qsort(ix, norgs, sizeof *ix, cmp_id_pos);
	unsigned char *state = xcalloc(norgs ? norgs : 1, 1);
	/* Own rows first; later rows of the same org replace earlier ones. */
	for (size_t k = 0; k < nrows; k++) {
		if (rows[k].year != year)
			continue;
		long i = find_pos(ix, norgs, rows[k].org_id);
		if (i < 0)
			continue;
		out[i] = (requirement){ rows[k].total_hours, rows[k].required_hours, rows[k].org_id };
		state[i] = RS_DONE;
	}
	/* Then each unresolved node takes its parent's, walking up iteratively with an explicit
	   path so a deep tree needs no recursion; a node met twice on one path is a cycle. */
	size_t *path = xmalloc((norgs ? norgs : 1) * sizeof *path);
	for (size_t s = 0; s < norgs; s++) {
		size_t depth = 0;
		long i = (long)s;
		requirement got = def;
		while (i >= 0 && state[i] != RS_DONE) {
			if (state[i] == RS_BUSY)   /* cycle */
				break;
			state[i] = RS_BUSY;
			path[depth++] = (size_t)i;
			int64_t parent = orgs[i].parent_id;
			i = parent > 0 ? find_pos(ix, norgs, parent) : -1;
		}
		if (i >= 0 && state[i] == RS_DONE)
			got = out[i];
		while (depth > 0) {
			size_t j = path[--depth];
			out[j] = got;
			state[j] = RS_DONE;
		}
	}
	free(path);
	free(state);
	free(ix);
}

const char *year_validate(int year, int this_year)
{
	if (year < 2000 || year > this_year + 1)
		return "scoring.err.year_range";
	return NULL;
}

const char *req_validate(int year, double total_hours, double required_hours, int this_year)
{
	const char *e = year_validate(year, this_year);
	if (e)
		return e;
	if (!isfinite(total_hours) || !isfinite(required_hours) || total_hours < 0 || required_hours < 0 ||
	    total_hours > REQ_HOURS_MAX || required_hours > REQ_HOURS_MAX)
		return "scoring.err.req_hours";
	if (required_hours > total_hours)
		return "scoring.err.req_required_gt_total";
	return NULL;
}
