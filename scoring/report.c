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

/* ---- the members of a subtree with their totals, in two scans ---- */

static int cmp_member(const void *a, const void *b)
{
	const rep_member *x = a, *y = b;
	if (x->org != y->org)
		return x->org < y->org ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static int cmp_id_slot(const void *a, const void *b)
{
	int64_t x = ((const int64_t *)a)[0], y = ((const int64_t *)b)[0];
	return x < y ? -1 : x > y;
}

long report_members(const org_table *t, size_t lo, size_t hi, rep_member **out)
{
	*out = NULL;
	if (lo >= hi)
		return 0;
	size_t n = 0, cap = 1024;
	rep_member *v = xmalloc(cap * sizeof *v);
	/* t->v is sorted by path: [lo, hi) holds exactly the paths from lo's up to (not with) hi's. */
	const char *from = t->v[lo].path, *end = hi < t->n ? t->v[hi].path : NULL;
	db_stmt q;
	sqlite3_stmt *st = db_prepare(&q,
				      "SELECT u.id, u.org_id FROM orgs o JOIN users u ON u.org_id = o.id"
				      " WHERE o.path >= ?1 AND (?2 IS NULL OR o.path < ?2)"
				      " AND u.role = 'member' AND u.active = 1 ORDER BY o.path",
				      "ss", from, end);
	int rc, sorted = 1;
	int64_t last_oid = 0, max_id = 0;
	long last_pos = -1;
	while ((rc = db_step(st)) == 1) {
		int64_t id = sqlite3_column_int64(st, 0), oid = sqlite3_column_int64(st, 1);
		if (oid != last_oid || last_pos < 0) {
			last_oid = oid;
			last_pos = org_table_find(t, oid);
		}
		if (last_pos < 0 || (size_t)last_pos < lo || (size_t)last_pos >= hi)
			continue;
		if (n == cap)
			v = xrealloc(v, (cap *= 2) * sizeof *v);
		v[n] = (rep_member){ .id = id, .org = (size_t)last_pos };
		if (n && cmp_member(&v[n - 1], &v[n]) > 0)
			sorted = 0;
		if (id > max_id)
			max_id = id;
		n++;
	}
	db_finalize(&q);
	if (rc < 0) {
		free(v);
		return -1;
	}
	if (!sorted)
		qsort(v, n, sizeof *v, cmp_member);
	if (n < REPORT_SCAN_MIN) {
		for (size_t i = 0; i < n && rc >= 0; i++) {
			st = db_query("SELECT hours_required, hours_elective, study_s, points, courses_completed"
				      " FROM score_totals WHERE user_id = ? AND year = ?",
				      "ii", v[i].id, (int64_t)t->year);
			rc = db_step(st);
			if (rc == 1) {
				v[i].hr = sqlite3_column_double(st, 0);
				v[i].he = sqlite3_column_double(st, 1);
				v[i].study = sqlite3_column_double(st, 2);
				v[i].points = sqlite3_column_int64(st, 3);
				v[i].courses = sqlite3_column_int64(st, 4);
			}
			db_done(st);
		}
	} else {
		/* id → index in v: a direct table when ids are dense (4 bytes per id up to the largest),
		   else a sorted (id, index) array searched per row. */
		int dense = max_id <= (int64_t)n * 16 + (1 << 20);
		int32_t *slot = NULL;
		int64_t *pairs = NULL;
		if (dense) {
			slot = xmalloc(((size_t)max_id + 1) * sizeof *slot);
			memset(slot, 0xff, ((size_t)max_id + 1) * sizeof *slot);
			for (size_t i = 0; i < n; i++)
				slot[v[i].id] = (int32_t)i;
		} else {
			pairs = xmalloc(n * 2 * sizeof *pairs);
			for (size_t i = 0; i < n; i++) {
				pairs[2 * i] = v[i].id;
				pairs[2 * i + 1] = (int64_t)i;
			}
			qsort(pairs, n, 2 * sizeof *pairs, cmp_id_slot);
		}
		st = db_prepare(&q,
				"SELECT user_id, hours_required, hours_elective, study_s, points, courses_completed"
				" FROM score_totals WHERE year = ?",
				"i", (int64_t)t->year);
		while ((rc = db_step(st)) == 1) {
			int64_t id = sqlite3_column_int64(st, 0);
			long k = -1;
			if (dense) {
				if (id >= 0 && id <= max_id)
					k = slot[id];
			} else {
				int64_t key[2] = { id, 0 };
				const int64_t *f = bsearch(key, pairs, n, 2 * sizeof *pairs, cmp_id_slot);
				k = f ? (long)f[1] : -1;
			}
			if (k < 0)
				continue;
			v[k].hr = sqlite3_column_double(st, 1);
			v[k].he = sqlite3_column_double(st, 2);
			v[k].study = sqlite3_column_double(st, 3);
			v[k].points = sqlite3_column_int64(st, 4);
			v[k].courses = sqlite3_column_int64(st, 5);
		}
		db_finalize(&q);
		free(slot);
		free(pairs);
	}
	if (rc < 0) {
		free(v);
		return -1;
	}
	*out = v;
	return (long)n;
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
	c->elapsed = year_elapsed_fraction(t->year, now);
	c->f = *f;
	c->names = !f->no_names || (f->q && *f->q);
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
	if (!c->names) {
		long n = report_members(t, c->org, c->end, &c->all);
		if (n < 0)
			c->failed = 1;
		c->nall = n > 0 ? (size_t)n : 0;
		c->iall = 0;
	}
}

/* Reads the next chunk of the current organisation's members into c->rows. */
static int load_chunk(report_cur *c)
{
	const rep_org *o = &c->t->v[c->org];
	c->nrows = c->next = 0;
	c->pool.len = 0;
	db_stmt q;
	/* Only the cursor with names reads chunks (without names: report_members at open). */
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

/* The next row of c->all (the cursor without names) passing the filter. */
/* Makes c->out the row of one member with its assessment; 1 when it passes the status filter. */
static int emit_row(report_cur *c, const rep_org *o, int64_t id, const char *uname, const char *name, double study,
		    int64_t points, int64_t courses, double hr, double he)
{
	report_row *r = &c->out;
	r->user_id = id;
	r->username = uname;
	r->name = name;
	r->org = o;
	r->study_s = study;
	r->points = points;
	r->courses_completed = courses;
	require_evaluate_el(&o->req, c->year, hr, he, c->elapsed, &r->st);
	return c->f.status < 0 || (int)r->st.status == c->f.status;
}

/* The next row of c->all (the cursor without names) passing the filter. */
static int next_bulk(report_cur *c, report_row **out)
{
	while (c->iall < c->nall) {
		const rep_member *m = &c->all[c->iall++];
		if (emit_row(c, &c->t->v[m->org], m->id, NULL, NULL, m->study, m->points, m->courses, m->hr, m->he)) {
			*out = &c->out;
			return 1;
		}
	}
	return 0;
}

int report_next(report_cur *c, report_row **out)
{
	if (c->failed)
		return -1;
	if (!c->names)
		return next_bulk(c, out);
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
		if (!emit_row(c, &c->t->v[c->org], w->id, c->pool.p + w->uname, c->pool.p + w->name, w->study, w->points,
			      w->courses, w->hr, w->he))
			continue;
		*out = &c->out;
		return 1;
	}
}

void report_row_names(report_cur *c, report_row *r)
{
	if (r->username)
		return;
	sqlite3_stmt *st = db_query("SELECT username, name FROM users WHERE id = ?", "i", r->user_id);
	free(c->uname_buf);
	free(c->name_buf);
	int got = db_step(st) == 1;
	c->uname_buf = xstrdup(got ? db_col_text(st, 0) : "");
	c->name_buf = xstrdup(got ? db_col_text(st, 1) : "");
	db_done(st);
	r->username = c->uname_buf;
	r->name = c->name_buf;
}

void report_close(report_cur *c)
{
	free(c->uname_buf);
	free(c->name_buf);
	free(c->rows);
	free(c->all);
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
	rep_member *mv;
	long nm = report_members(t, lo, hi, &mv);
	if (nm < 0) {
		free(bucket);
		free(st);
		free(kids);
		return -1;
	}
	member_status m;
	double el = year_elapsed_fraction(t->year, now);
	for (long i = 0; i < nm; i++) {
		const rep_org *o = &t->v[mv[i].org];
		require_evaluate_el(&o->req, t->year, mv[i].hr, mv[i].he, el, &m);
		double pts = (double)mv[i].points;
		long b = bucket[mv[i].org - lo];
		stats_add(b >= 0 ? &st[b] : direct, &m, pts);
		stats_add(total, &m, pts);
	}
	free(mv);
	free(bucket);
	*out = st;
	*child_ix = kids;
	return nk;
}
