/* report.c — the organisation tree with requirements, the members cursor, summaries (report.h). */
#include "scoring/report.h"
#include "db.h"

#include <stdlib.h>
#include <string.h>

/* ---- the tree ---- */

static int cmp_ix(const void *a, const void *b)
{
	int64_t x = ((const org_ix *)a)->id, y = ((const org_ix *)b)->id;
	return x < y ? -1 : x > y;
}

long org_table_find(const org_table *t, int64_t id)
{
	if (!t->n)
		return -1;
	org_ix key = { id, 0 };
	const org_ix *f = bsearch(&key, t->ix, t->n, sizeof *t->ix, cmp_ix);
	return f ? (long)f->pos : -1;
}

int org_table_load(org_table *t, int year)
{
	memset(t, 0, sizeof *t);
	t->year = year;
	t->def = require_default();
	size_t cap = 0;
	db_stmt q;
	sqlite3_stmt *st = db_prepare(&q, "SELECT id, ifnull(parent_id, 0), name, path FROM orgs ORDER BY path", "");
	int rc;
	while ((rc = db_step(st)) == 1) {
		if (t->n == cap) {
			cap = cap ? cap * 2 : 64;
			t->v = xrealloc(t->v, cap * sizeof *t->v);
		}
		rep_org *o = &t->v[t->n++];
		memset(o, 0, sizeof *o);
		o->id = sqlite3_column_int64(st, 0);
		o->parent_id = sqlite3_column_int64(st, 1);
		o->name = xstrdup(db_col_text(st, 2));
		o->path = xstrdup(db_col_text(st, 3));
	}
	db_finalize(&q);
	if (rc < 0) {
		org_table_free(t);
		return -1;
	}
	t->ix = xmalloc((t->n ? t->n : 1) * sizeof t->ix[0]);
	for (size_t i = 0; i < t->n; i++) {
		t->ix[i].id = t->v[i].id;
		t->ix[i].pos = i;
	}
	qsort(t->ix, t->n, sizeof t->ix[0], cmp_ix);
	/* Requirements: project.c's resolver over the tree and the year's rows. */
	org_node *nodes = xmalloc((t->n ? t->n : 1) * sizeof *nodes);
	for (size_t i = 0; i < t->n; i++)
		nodes[i] = (org_node){ t->v[i].id, t->v[i].parent_id };
	size_t nrows = 0, rcap = 16;
	req_row *rows = xmalloc(rcap * sizeof *rows);
	st = db_prepare(&q, "SELECT org_id, total_hours, required_hours FROM requirements WHERE year = ?", "i",
			(int64_t)year);
	while (db_step(st) == 1) {
		if (nrows == rcap)
			rows = xrealloc(rows, (rcap *= 2) * sizeof *rows);
		rows[nrows++] = (req_row){ sqlite3_column_int64(st, 0), year, sqlite3_column_double(st, 1),
					   sqlite3_column_double(st, 2) };
	}
	db_finalize(&q);
	requirement *res = xmalloc((t->n ? t->n : 1) * sizeof *res);
	req_resolve_all(nodes, t->n, rows, nrows, year, t->def, res);
	for (size_t i = 0; i < t->n; i++)
		t->v[i].req = res[i];
	free(res);
	free(rows);
	free(nodes);
	/* Full names and depths: parents come before children in path order. */
	for (size_t i = 0; i < t->n; i++) {
		rep_org *o = &t->v[i];
		long p = o->parent_id ? org_table_find(t, o->parent_id) : -1;
		if (p >= 0 && (size_t)p < i) {
			buf b;
			buf_init(&b);
			buf_printf(&b, "%s/%s", t->v[p].full_name, o->name);
			o->full_name = buf_steal(&b);
			o->depth = t->v[p].depth + 1;
		} else {
			o->full_name = xstrdup(o->name);
			o->depth = 1;
		}
	}
	return 0;
}

void org_table_free(org_table *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->v[i].name);
		free(t->v[i].path);
		free(t->v[i].full_name);
	}
	free(t->v);
	free(t->ix);
	memset(t, 0, sizeof *t);
}

/* First index whose path is >= key. */
static size_t lower_path(const org_table *t, const char *key)
{
	size_t lo = 0, hi = t->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(t->v[mid].path, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void org_table_subtree(const org_table *t, const char *path, size_t *lo, size_t *hi)
{
	/* Every path in the subtree starts with `path` (which ends in '/'): the range
	   [path, path with its last '/' made '0'), '0' being the byte after '/'. */
	size_t n = strlen(path);
	char *end = xstrdup(path);
	if (n)
		end[n - 1] = '0';
	*lo = lower_path(t, path);
	*hi = lower_path(t, end);
	free(end);
}

/* ---- the members cursor ---- */

int report_status_parse(const char *s)
{
	if (!s || !*s)
		return -1;
	for (int i = ST_MET; i <= ST_AT_RISK; i++)
		if (!strcmp(s, assess_status_name((assess_status)i)))
			return i;
	return -2;
}

void report_open(report_cur *c, const org_table *t, const char *path, int64_t now, const report_filter *f)
{
	memset(c, 0, sizeof *c);
	c->t = t;
	c->year = t->year;
	c->now = now;
	c->f = *f;
	org_table_subtree(t, path, &c->org, &c->end);
	if (f->q && *f->q) {
		/* A substring: LIKE's own wildcards in the text are matched literally. */
		buf b;
		buf_init(&b);
		buf_putc(&b, '%');
		for (const char *p = f->q; *p; p++) {
			if (*p == '%' || *p == '_' || *p == '\\')
				buf_putc(&b, '\\');
			buf_putc(&b, *p);
		}
		buf_putc(&b, '%');
		c->like = buf_steal(&b);
	}
	c->rows = xmalloc(REPORT_CHUNK * sizeof *c->rows);
	buf_init(&c->pool);
}

/* Reads the next chunk of the current organisation's members into c->rows. */
static int load_chunk(report_cur *c)
{
	const rep_org *o = &c->t->v[c->org];
	c->nrows = c->next = 0;
	c->pool.len = 0;
	db_stmt q;
	sqlite3_stmt *st = db_prepare(
		&q,
		"SELECT u.id, u.username, u.name, ifnull(t.hours_required, 0), ifnull(t.hours_elective, 0),"
		" ifnull(t.study_s, 0), ifnull(t.points, 0), ifnull(t.courses_completed, 0)"
		" FROM users u LEFT JOIN score_totals t ON t.user_id = u.id AND t.year = ?1"
		" WHERE u.org_id = ?2 AND u.id > ?3 AND u.role = 'member' AND u.active = 1"
		" AND (?4 IS NULL OR u.name LIKE ?4 ESCAPE '\\' OR u.username LIKE ?4 ESCAPE '\\')"
		" ORDER BY u.id LIMIT ?5",
		"iiisi", (int64_t)c->year, o->id, c->after, c->like, (int64_t)REPORT_CHUNK);
	int rc;
	while ((rc = db_step(st)) == 1) {
		struct rep_raw *w = &c->rows[c->nrows++];
		w->id = sqlite3_column_int64(st, 0);
		w->uname = c->pool.len;
		buf_puts(&c->pool, db_col_text(st, 1));
		buf_putc(&c->pool, 0);
		w->name = c->pool.len;
		buf_puts(&c->pool, db_col_text(st, 2));
		buf_putc(&c->pool, 0);
		w->hr = sqlite3_column_double(st, 3);
		w->he = sqlite3_column_double(st, 4);
		w->study = sqlite3_column_double(st, 5);
		w->points = sqlite3_column_int64(st, 6);
		w->courses = sqlite3_column_int64(st, 7);
	}
	db_finalize(&q);
	if (rc < 0)
		return -1;
	c->eof_org = c->nrows < REPORT_CHUNK;
	if (c->nrows)
		c->after = c->rows[c->nrows - 1].id;
	return 0;
}

int report_next(report_cur *c, const report_row **out)
{
	if (c->failed)
		return -1;
	for (;;) {
		if (c->next == c->nrows) {
			if (c->org >= c->end)
				return 0;
			if (c->loaded && c->eof_org) {   /* this organisation is done: the next one */
				c->org++;
				c->after = 0;
				c->loaded = 0;
				continue;
			}
			if (load_chunk(c) < 0) {
				c->failed = 1;
				return -1;
			}
			c->loaded = 1;
			continue;
		}
		struct rep_raw *w = &c->rows[c->next++];
		const rep_org *o = &c->t->v[c->org];
		report_row *r = &c->out;
		r->user_id = w->id;
		r->username = c->pool.p + w->uname;
		r->name = c->pool.p + w->name;
		r->org = o;
		r->study_s = w->study;
		r->points = w->points;
		r->courses_completed = w->courses;
		require_evaluate(&o->req, c->year, w->hr, w->he, c->now, &r->st);
		if (c->f.status >= 0 && (int)r->st.status != c->f.status)
			continue;
		*out = r;
		return 1;
	}
}

void report_close(report_cur *c)
{
	free(c->rows);
	free(c->like);
	buf_free(&c->pool);
	memset(c, 0, sizeof *c);
}

/* ---- summaries ---- */

static void stats_add(org_stats *s, const member_status *m, double points)
{
	s->members++;
	s->hours += m->credit_hours;
	s->points += points;
	switch (m->status) {
	case ST_MET: s->met++; break;
	case ST_ON_TRACK: s->on_track++; break;
	case ST_BEHIND: s->behind++; break;
	case ST_AT_RISK: s->at_risk++; break;
	}
}

long report_org_stats(const org_table *t, long root, int64_t now, size_t **child_ix, org_stats **out,
		      org_stats *direct, org_stats *total)
{
	const char *path = root >= 0 ? t->v[root].path : "/";
	int64_t root_id = root >= 0 ? t->v[root].id : 0;
	size_t lo, hi;
	org_table_subtree(t, path, &lo, &hi);
	/* bucket[i - lo]: the child whose subtree holds organisation i, or -1 (the root itself). */
	long *bucket = xmalloc((hi - lo + 1) * sizeof *bucket);
	size_t *kids = xmalloc((hi - lo + 1) * sizeof *kids);
	long nk = 0;
	for (size_t i = lo; i < hi;) {
		if (t->v[i].parent_id == root_id && t->v[i].id != root_id) {
			size_t clo, chi;
			org_table_subtree(t, t->v[i].path, &clo, &chi);
			for (size_t j = clo; j < chi; j++)
				bucket[j - lo] = nk;
			kids[nk++] = i;
			i = chi > i ? chi : i + 1;
		} else {
			bucket[i - lo] = -1;
			i++;
		}
	}
	org_stats *st = xcalloc((size_t)(nk ? nk : 1), sizeof *st);
	memset(direct, 0, sizeof *direct);
	memset(total, 0, sizeof *total);
	char *end = xstrdup(path);
	end[strlen(end) - 1] = '0';
	db_stmt q;
	sqlite3_stmt *s = db_prepare(&q,
				     "SELECT u.org_id, ifnull(t.hours_required, 0), ifnull(t.hours_elective, 0),"
				     " ifnull(t.points, 0) FROM orgs o JOIN users u ON u.org_id = o.id"
				     " LEFT JOIN score_totals t ON t.user_id = u.id AND t.year = ?"
				     " WHERE o.path >= ? AND o.path < ? AND u.role = 'member' AND u.active = 1",
				     "iss", (int64_t)t->year, path, end);
	int rc;
	member_status m;
	long last_org = -1;
	int64_t last_id = 0;
	while ((rc = db_step(s)) == 1) {
		int64_t oid = sqlite3_column_int64(s, 0);
		if (oid != last_id || last_org < 0) {
			last_id = oid;
			last_org = org_table_find(t, oid);
		}
		if (last_org < 0 || (size_t)last_org < lo || (size_t)last_org >= hi)
			continue;
		const rep_org *o = &t->v[last_org];
		require_evaluate(&o->req, t->year, sqlite3_column_double(s, 1), sqlite3_column_double(s, 2), now, &m);
		double pts = (double)sqlite3_column_int64(s, 3);
		long b = bucket[last_org - (long)lo];
		stats_add(b >= 0 ? &st[b] : direct, &m, pts);
		stats_add(total, &m, pts);
	}
	db_finalize(&q);
	free(end);
	free(bucket);
	if (rc < 0) {
		free(st);
		free(kids);
		return -1;
	}
	*out = st;
	*child_ix = kids;
	return nk;
}
