/* catalog.c — the catalog: search (FTS5 trigram, LIKE for 1–2 characters), filters, sorting,
 * pagination, "my courses"; GET /api/v1/courses (the home page `/` that shows it: home.c). */
#include "courses.h"
#include "courses/catalog.h"
#include "courses/access.h"
#include "courses/journey.h"
#include "clock.h"
#include "config.h"
#include "db.h"
#include "html.h"
#include "i18n.h"
#include "markdown.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How the catalog stays fast with many courses: it never runs one generic query over all of them,
   but works with small sets and with index walks that stop after the page (schema migration 6).
   - R, the courses required for the user this year: the assignments of the user's organisation
     chain (index assignments_org), a handful of ids, computed once per request.
   - Candidate sets (a search, mine=1, type=required): the ids come from FTS5 (LIKE for 1–2
     characters: the one case that reads the table), the user's enrollments (primary key prefix)
     and R; they are checked and sorted in C with their metadata from courses_meta, an index keyed
     by id that holds everything a card shows. (A course row stores its Markdown and HTML before
     status, enrolled_count and published_at, and takes a page or more: apart from that LIKE, the
     catalog never reads a course row.)
   - Plain listings: the required part from R, then the rest by walking an index in exactly the
     catalog's order (courses_new, courses_new_cat, courses_pop, courses_pop_cat), skipping R, until
     offset + limit rows are found. An instructor's own drafts (an admin's: all drafts) are a small
     sorted set merged into that walk. The total comes from course_counts, kept by triggers.
   - Title, summary, owner and the user's enrolment: for the page's rows only, in one statement.
     Sets of ids drive such joins as a JSON array through json_each (no temporary table).
   All of a request's statements run in one read transaction. The home page computes R once for
   "my courses" and the catalog, and renders from C structs rather than JSON.
   Order everywhere: required first, then (sort=popular) enrolled count, then first publication
   (creation for a course never published), newest first, then id, highest first. */

static void ids_push(ids *s, int64_t x)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 16;
		s->v = xrealloc(s->v, s->cap * sizeof *s->v);
	}
	s->v[s->n++] = x;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* Sorts and drops duplicates. */
static void ids_sort(ids *s)
{
	if (s->n < 2)
		return;
	qsort(s->v, s->n, sizeof *s->v, cmp_i64);
	size_t k = 1;
	for (size_t i = 1; i < s->n; i++)
		if (s->v[i] != s->v[k - 1])
			s->v[k++] = s->v[i];
	s->n = k;
}

static int ids_has(const ids *s, int64_t x)
{
	size_t lo = 0, hi = s->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->v[mid] == x)
			return 1;
		if (s->v[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

static cat_row *rows_push(cat_rows *s)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 16;
		s->v = xrealloc(s->v, s->cap * sizeof *s->v);
	}
	cat_row *c = &s->v[s->n++];
	memset(c, 0, sizeof *c);
	return c;
}

void cat_put_int(buf *b, long long v)
{
	char t[24], *e = t + sizeof t, *p = e;
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	do
		*--p = (char)('0' + u % 10);
	while (u /= 10);
	if (v < 0)
		*--p = '-';
	buf_add(b, p, (size_t)(e - p));
}

/* The catalog's many small reads share one read transaction: one snapshot (the total agrees with
   the rows) and one round of WAL locks instead of one per statement. Returns 1 when it began one. */
int cat_read_begin(void)
{
	if (!sqlite3_get_autocommit(db()))
		return 0;
	return db_exec("BEGIN", "") >= 0;
}

void cat_read_end(int began)
{
	if (began)
		db_exec("COMMIT", "");
}

static void push_required(int64_t id, void *ud)
{
	ids_push(ud, id);
}

void cat_user_init(req *r, cat_user *u)
{
	memset(u, 0, sizeof *u);
	u->u = r->u;
	u->uid = r->u->id;
	u->vis = r->u->role == ROLE_ADMIN ? 2 : r->u->role == ROLE_INSTRUCTOR ? 1 : 0;
	course_required_each(r->a, r->u, push_required, &u->req);
	ids_sort(&u->req);
}

/* The catalog's form of course_view (courses/access.c): published, or the user edits it. */
static int visible(const cat_user *u, const cat_row *m)
{
	return m->published || course_editor(u->u, m->owner_id);
}

/* What filtering and sorting need of course id, from the index keyed by id; 0 when the course is
   missing, hidden from the user, or not of category (when one is given). */
static int cat_row_get(const cat_user *u, int64_t id, const char *category, cat_row *m)
{
	sqlite3_stmt *st = db_query("SELECT status = 'published', category, owner_id, enrolled_count,"
				    " ifnull(published_at, created_at) FROM courses INDEXED BY courses_meta WHERE id = ?",
				    "i", id);
	int ok = db_step(st) == 1;
	if (ok) {
		memset(m, 0, sizeof *m);
		m->id = id;
		m->published = sqlite3_column_int(st, 0);
		m->owner_id = sqlite3_column_int64(st, 2);
		m->enrolled_count = sqlite3_column_int64(st, 3);
		m->sort_at = sqlite3_column_int64(st, 4);
		m->required = ids_has(&u->req, id);
		ok = visible(u, m) && (!category || !strcmp(db_col_text(st, 1), category));
	}
	db_done(st);
	return ok;
}

/* The ids as a JSON array, to drive a join through json_each (no temporary table, one statement). */
static void json_ids(buf *b, const int64_t *v, size_t n)
{
	buf_putc(b, '[');
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_putc(b, ',');
		cat_put_int(b, v[i]);
	}
	buf_putc(b, ']');
}

/* cat_row_get for many ids in one statement: appends the courses the user sees to out. */
/* keep: courses shown even when hidden otherwise (a member's own enrolments in "my courses": what
   they earned stays visible after a course is withdrawn), or NULL. */
static void cat_rows_get(const cat_user *u, const ids *in, const char *category, const ids *keep, cat_rows *out)
{
	if (!in->n)
		return;
	buf list;
	buf_init(&list);
	json_ids(&list, in->v, in->n);
	db_stmt q;
	sqlite3_stmt *st = db_prepare(&q, "SELECT m.id, m.status = 'published', m.category, m.owner_id, m.enrolled_count,"
					  " ifnull(m.published_at, m.created_at)"
					  " FROM json_each(?) j CROSS JOIN courses m INDEXED BY courses_meta WHERE m.id = j.value",
					  "s", list.p);
	while (db_step(st) == 1) {
		cat_row m = {0};
		m.id = sqlite3_column_int64(st, 0);
		m.published = sqlite3_column_int(st, 1);
		m.owner_id = sqlite3_column_int64(st, 3);
		m.enrolled_count = sqlite3_column_int64(st, 4);
		m.sort_at = sqlite3_column_int64(st, 5);
		m.required = ids_has(&u->req, m.id);
		if ((visible(u, &m) || (keep && ids_has(keep, m.id))) && (!category || !strcmp(db_col_text(st, 2), category)))
			*rows_push(out) = m;
	}
	db_finalize(&q);
	buf_free(&list);
}

/* The catalog's order; negative when a comes first. */
static int row_order(const cat_row *a, const cat_row *b, int popular)
{
	if (a->required != b->required)
		return a->required ? -1 : 1;
	if (popular && a->enrolled_count != b->enrolled_count)
		return a->enrolled_count > b->enrolled_count ? -1 : 1;
	if (a->sort_at != b->sort_at)
		return a->sort_at > b->sort_at ? -1 : 1;
	return (a->id < b->id) - (a->id > b->id);
}
static int cmp_newest(const void *a, const void *b)
{
	return row_order(a, b, 0);
}
static int cmp_popular(const void *a, const void *b)
{
	return row_order(a, b, 1);
}
static void rows_sort(cat_rows *s, int popular)
{
	if (s->n > 1)
		qsort(s->v, s->n, sizeof *s->v, popular ? cmp_popular : cmp_newest);
}

void catalog_args_from(req *r, catalog_args *a, int64_t per_page_default)
{
	memset(a, 0, sizeof *a);
	a->q = req_arg(r, "q");
	a->category = req_arg(r, "category");
	if (a->category && !*a->category)
		a->category = NULL;
	const char *t = req_arg(r, "type");
	a->type = t && !strcmp(t, "required") ? 1 : t && !strcmp(t, "elective") ? 2 : 0;
	const char *s = req_arg(r, "sort");
	a->popular = s && !strcmp(s, "popular");
	const char *m = req_arg(r, "mine");
	a->mine = m && (!strcmp(m, "1") || !strcmp(m, "true"));
	req_page(r, per_page_default, 50, &a->page, &a->per_page);
}

size_t catalog_space_len(const char *p)
{
	if (*p == ' ' || *p == '\t')
		return 1;
	if ((unsigned char)p[0] == 0xE3 && (unsigned char)p[1] == 0x80 && (unsigned char)p[2] == 0x80)
		return 3; /* U+3000 IDEOGRAPHIC SPACE, what a Chinese keyboard types */
	return 0;
}

/* Bytes of text at p equal to the word w (ASCII letters in either case), else 0. */
static size_t word_at(const char *p, const char *w, size_t wn)
{
	for (size_t i = 0; i < wn; i++) {
		unsigned char a = (unsigned char)p[i], b = (unsigned char)w[i];
		if (!a)
			return 0;
		if (a >= 'A' && a <= 'Z')
			a = (unsigned char)(a - 'A' + 'a');
		if (b >= 'A' && b <= 'Z')
			b = (unsigned char)(b - 'A' + 'a');
		if (a != b)
			return 0;
	}
	return wn;
}

void cat_put_marked(buf *b, const char *text, const char *q)
{
	if (!q || !*q) {
		html_escape(b, text);
		return;
	}
	const char *run = text;
	for (const char *p = text; *p;) {
		size_t hit = 0;
		/* The longest word of the search that starts here. */
		for (const char *w = q; *w;) {
			size_t sp = catalog_space_len(w);
			if (sp) {
				w += sp;
				continue;
			}
			const char *e = w;
			while (*e && !catalog_space_len(e))
				e++;
			size_t n = word_at(p, w, (size_t)(e - w));
			if (n > hit)
				hit = n;
			w = e;
		}
		if (!hit) {
			p++;
			while (((unsigned char)*p & 0xC0) == 0x80)
				p++; /* whole characters only: a match never starts inside one */
			continue;
		}
		if (p > run) {
			char *t = xstrdup(run);
			t[p - run] = 0;
			html_escape(b, t);
			free(t);
		}
		char *m = xstrdup(p);
		m[hit] = 0;
		PUT(b, "<mark>");
		html_escape(b, m);
		PUT(b, "</mark>");
		free(m);
		p += hit;
		run = p;
	}
	html_escape(b, run);
}

/* One word of the search as an FTS5 phrase ("…" with quotes doubled) or a LIKE pattern (%…% with
   % _ \ escaped); *fts tells which. */
static char *search_word(arena *ar, const char *w, size_t n, int *fts)
{
	char *t = arena_strndup(ar, w, n);
	buf b;
	buf_init(&b);
	/* Trigrams need three characters; shorter words scan with LIKE (a small table). */
	*fts = utf8_chars(t) >= 3;
	buf_putc(&b, *fts ? '"' : '%');
	for (const char *p = t; *p; p++) {
		if (*fts && *p == '"')
			buf_putc(&b, '"');
		else if (!*fts && (*p == '%' || *p == '_' || *p == '\\'))
			buf_putc(&b, '\\');
		buf_putc(&b, *p);
	}
	buf_putc(&b, *fts ? '"' : '%');
	char *out = arena_strdup(ar, b.p);
	buf_free(&b);
	return out;
}

/* The search text, trimmed; NULL when there is nothing to search for (or it is not UTF-8). */
static char *search_term(arena *ar, const char *q)
{
	if (!q)
		return NULL;
	size_t n = strlen(q);
	if (!n || !utf8_ok(q, n))
		return NULL;
	size_t i = 0;
	for (size_t len; q[i] && (len = catalog_space_len(q + i)) > 0;)
		i += len;
	if (!q[i])
		return NULL;
	return arena_strdup(ar, q + i);
}

/* The ids of the courses that match one word. */
static void word_ids(const char *pattern, int fts, ids *out)
{
	db_stmt q;
	sqlite3_stmt *st = fts ? db_prepare(&q, "SELECT rowid FROM courses_fts WHERE courses_fts MATCH ?", "s", pattern)
			       : db_prepare(&q, "SELECT id FROM courses WHERE title LIKE ?1 ESCAPE '\\'"
						" OR summary LIKE ?1 ESCAPE '\\' OR body_text LIKE ?1 ESCAPE '\\'",
						"s", pattern);
	while (db_step(st) == 1)
		ids_push(out, sqlite3_column_int64(st, 0));
	db_finalize(&q);
	ids_sort(out);
}

/* The ids of the courses whose text contains every word of the search (words are separated by
   spaces, tabs or the ideographic space U+3000: 党 支部 finds what holds both). */
static void search_ids(arena *ar, const char *term, ids *out)
{
	int first = 1;
	for (const char *p = term; *p;) {
		size_t sp = catalog_space_len(p);
		if (sp) {
			p += sp;
			continue;
		}
		const char *w = p;
		while (*p && !catalog_space_len(p))
			p++;
		int fts = 0;
		char *pattern = search_word(ar, w, (size_t)(p - w), &fts);
		ids h = {0};
		word_ids(pattern, fts, &h);
		if (first) {
			*out = h;
			first = 0;
			continue;
		}
		size_t k = 0;
		for (size_t i = 0; i < out->n; i++)
			if (ids_has(&h, out->v[i]))
				out->v[k++] = out->v[i];
		out->n = k;
		free(h.v);
		if (!out->n)
			break;
	}
}

/* A search, mine=1 or type=required: every match into all, sorted. */
static void by_candidates(arena *ar, const cat_user *u, const catalog_args *a, const char *term, cat_rows *all)
{
	ids c = {0}, enr = {0};
	if (a->mine) {
		db_stmt q;
		sqlite3_stmt *st = db_prepare(&q, "SELECT course_id FROM enrollments WHERE user_id = ?", "i", u->uid);
		while (db_step(st) == 1) {
			ids_push(&c, sqlite3_column_int64(st, 0));
			ids_push(&enr, sqlite3_column_int64(st, 0));
		}
		db_finalize(&q);
		ids_sort(&enr);
	}
	if (a->mine || a->type == 1) {
		for (size_t i = 0; i < u->req.n; i++)
			ids_push(&c, u->req.v[i]);
		ids_sort(&c);
	}
	if (term) {
		ids h = {0};
		search_ids(ar, term, &h);
		if (a->mine || a->type == 1) {
			size_t k = 0;
			for (size_t i = 0; i < c.n; i++)
				if (ids_has(&h, c.v[i]))
					c.v[k++] = c.v[i];
			c.n = k;
			free(h.v);
		} else {
			free(c.v);
			c = h;
		}
	}
	cat_rows_get(u, &c, a->category, a->mine ? &enr : NULL, all);
	free(c.v);
	free(enr.v);
	if (a->type) {
		size_t k = 0;
		for (size_t i = 0; i < all->n; i++)
			if (all->v[i].required == (a->type == 1))
				all->v[k++] = all->v[i];
		all->n = k;
	}
	rows_sort(all, a->popular);
}

/* Published courses in the catalog's order (required ones included: the caller skips them), for
   [popular][by category]. Each walks an index in its order, so stepping stops after the page. */
static const char *const WALK_SQL[2][2] = {
	{"SELECT id FROM courses INDEXED BY courses_new WHERE status = 'published'"
	 " ORDER BY ifnull(published_at, created_at) DESC, id DESC",
	 "SELECT id FROM courses INDEXED BY courses_new_cat WHERE status = 'published' AND category = ?"
	 " ORDER BY ifnull(published_at, created_at) DESC, id DESC"},
	{"SELECT id FROM courses INDEXED BY courses_pop WHERE status = 'published'"
	 " ORDER BY enrolled_count DESC, ifnull(published_at, created_at) DESC, id DESC",
	 "SELECT id FROM courses INDEXED BY courses_pop_cat WHERE status = 'published' AND category = ?"
	 " ORDER BY enrolled_count DESC, ifnull(published_at, created_at) DESC, id DESC"},
};

/* A plain listing (no search, type all or elective): the rows [off, off + lim) into page. */
static void by_walk(const cat_user *u, const catalog_args *a, int64_t off, int64_t lim, cat_rows *page,
		    int64_t *total)
{
	/* The required part, sorted. */
	cat_rows rq = {0};
	cat_rows_get(u, &u->req, a->category, NULL, &rq);
	rows_sort(&rq, a->popular);
	/* Drafts the user sees (an instructor's own, an admin's all): counted, and merged into the
	   walk unless required. */
	cat_rows dr = {0};
	int64_t ndrafts = 0;
	if (u->vis) {
		db_stmt q;
		sqlite3_stmt *st = db_prepare(&q, "SELECT id, owner_id, enrolled_count, ifnull(published_at, created_at)"
						  " FROM courses INDEXED BY courses_catalog WHERE status = 'draft'"
						  " AND (?1 IS NULL OR category = ?1) AND (?2 = 0 OR owner_id = ?2)",
						  "si", a->category, (int64_t)(u->vis == 2 ? 0 : u->uid));
		while (db_step(st) == 1) {
			ndrafts++;
			int64_t id = sqlite3_column_int64(st, 0);
			if (ids_has(&u->req, id))
				continue;
			cat_row *d = rows_push(&dr);
			d->id = id;
			d->owner_id = sqlite3_column_int64(st, 1);
			d->enrolled_count = sqlite3_column_int64(st, 2);
			d->sort_at = sqlite3_column_int64(st, 3);
		}
		db_finalize(&q);
		rows_sort(&dr, a->popular);
	}
	int64_t npub = db_int(0, "SELECT ifnull(sum(n), 0) FROM course_counts WHERE status = 'published'"
				 " AND (?1 IS NULL OR category = ?1)",
			      "s", a->category);
	*total = npub + ndrafts - (a->type == 2 ? (int64_t)rq.n : 0);

	int64_t skip = off;
	if (a->type == 0) {
		for (int64_t i = off; i < (int64_t)rq.n && (int64_t)page->n < lim; i++)
			*rows_push(page) = rq.v[i];
		skip = off > (int64_t)rq.n ? off - (int64_t)rq.n : 0;
	}
	if ((int64_t)page->n < lim && off + (int64_t)page->n < *total) {
		/* The rest: the walk over published courses merged with the drafts. */
		const char *sql = WALK_SQL[a->popular ? 1 : 0][a->category ? 1 : 0];
		db_stmt q;
		sqlite3_stmt *st = a->category ? db_prepare(&q, sql, "s", a->category) : db_prepare(&q, sql, "");
		size_t j = 0;
		int have = 0, more = 1;
		cat_row w;
		while ((int64_t)page->n < lim) {
			while (!have && more) {
				if (db_step(st) != 1) {
					more = 0;
					break;
				}
				int64_t id = sqlite3_column_int64(st, 0);
				if (ids_has(&u->req, id))
					continue;
				/* Comparing with a draft needs the sort keys; the page's rows get the rest later. */
				if (j < dr.n) {
					if (!cat_row_get(u, id, NULL, &w))
						continue;
				} else {
					memset(&w, 0, sizeof w);
					w.id = id;
				}
				have = 1;
			}
			cat_row next;
			if (have && (j >= dr.n || row_order(&w, &dr.v[j], a->popular) < 0)) {
				next = w;
				have = 0;
			} else if (j < dr.n) {
				next = dr.v[j++];
			} else {
				break;
			}
			if (skip > 0)
				skip--;
			else
				*rows_push(page) = next;
		}
		db_finalize(&q);
	}
	free(rq.v);
	free(dr.v);
}

/* Title, summary, owner, status, counts and the user's enrolment for the page's rows, in one
   statement for the whole page (the ids as a JSON array driving the join: no temporary table). */
static void fill_rows(req *r, const cat_user *u, cat_rows *page)
{
	if (!page->n)
		return;
	buf list;
	buf_init(&list);
	buf_putc(&list, '[');
	for (size_t i = 0; i < page->n; i++) {
		cat_row *c = &page->v[i];
		c->required = ids_has(&u->req, c->id);
		c->status = c->title = c->summary = c->category = c->owner_name = "";
		if (i)
			buf_putc(&list, ',');
		cat_put_int(&list, c->id);
	}
	buf_putc(&list, ']');
	db_stmt q;
	sqlite3_stmt *st = db_prepare(&q,
		"SELECT m.id, m.status, m.enrolled_count, m.cover_image_id, m.title, m.summary, m.category,"
		" m.credit_hours, u.name, e.user_id IS NOT NULL, ifnull(e.progress, 0)"
		" FROM json_each(?2) j CROSS JOIN courses m INDEXED BY courses_meta CROSS JOIN users u"
		" LEFT JOIN enrollments e ON e.user_id = ?1 AND e.course_id = m.id"
		" WHERE m.id = j.value AND u.id = m.owner_id",
		"is", u->uid, list.p);
	while (db_step(st) == 1) {
		int64_t id = sqlite3_column_int64(st, 0);
		for (size_t i = 0; i < page->n; i++) {
			cat_row *c = &page->v[i];
			if (c->id != id)
				continue;
			c->status = arena_strdup(r->a, db_col_text(st, 1));
			c->enrolled_count = sqlite3_column_int64(st, 2);
			c->has_cover = sqlite3_column_type(st, 3) != SQLITE_NULL;
			c->cover = sqlite3_column_int64(st, 3);
			c->title = arena_strdup(r->a, db_col_text(st, 4));
			c->summary = arena_strdup(r->a, db_col_text(st, 5));
			c->category = arena_strdup(r->a, db_col_text(st, 6));
			c->credit_hours = sqlite3_column_double(st, 7);
			c->owner_name = arena_strdup(r->a, db_col_text(st, 8));
			c->enrolled = sqlite3_column_int(st, 9);
			c->progress = sqlite3_column_double(st, 10);
			break;
		}
	}
	db_finalize(&q);
	buf_free(&list);
	/* The ratings: one range of the ratings' primary key per row (scoring/rating.c). */
	for (size_t i = 0; i < page->n; i++)
		course_rating_average(page->v[i].id, &page->v[i].rating_avg, &page->v[i].rating_n);
}

/* The page of the catalog a asks for into page (malloc'd rows), and the number of matches. */
void catalog_fetch(req *r, const cat_user *u, const catalog_args *a, cat_rows *page, int64_t *total)
{
	const char *term = search_term(r->a, a->q);
	int64_t off = (a->page - 1) * a->per_page, lim = a->per_page;
	memset(page, 0, sizeof *page);
	if (term || a->mine || a->type == 1) {
		cat_rows all = {0};
		by_candidates(r->a, u, a, term, &all);
		*total = (int64_t)all.n;
		for (int64_t i = off; i < (int64_t)all.n && (int64_t)page->n < lim; i++)
			*rows_push(page) = all.v[i];
		free(all.v);
	} else {
		by_walk(u, a, off, lim, page, total);
	}
	fill_rows(r, u, page);
}

static json_t *row_json(req *r, const cat_row *c)
{
	json_t *j = json_pack("{s:I,s:b,s:s,s:I,s:b,s:f}", "id", (json_int_t)c->id, "required", c->required, "status",
			      c->status, "enrolled_count", (json_int_t)c->enrolled_count, "enrolled", c->enrolled,
			      "progress", c->progress);
	json_object_set_new(j, "cover_url",
			    c->has_cover ? json_string(arena_printf(r->a, "/images/%lld", (long long)c->cover)) : json_null());
	json_object_set_new(j, "title", json_string(c->title));
	json_object_set_new(j, "summary", json_string(c->summary));
	json_object_set_new(j, "category", json_string(c->category));
	json_object_set_new(j, "credit_hours", json_real(c->credit_hours));
	json_object_set_new(j, "owner_name", json_string(c->owner_name));
	json_object_set_new(j, "rating_average", c->rating_n ? json_real(round(c->rating_avg * 10) / 10) : json_null());
	json_object_set_new(j, "rating_count", json_integer(c->rating_n));
	return j;
}

json_t *catalog_query(req *r, const catalog_args *a)
{
	int began = cat_read_begin();
	cat_user u;
	cat_user_init(r, &u);
	cat_rows page;
	int64_t total = 0;
	catalog_fetch(r, &u, a, &page, &total);
	cat_read_end(began);
	json_t *arr = json_array();
	for (size_t i = 0; i < page.n; i++) {
		json_t *row = row_json(r, &page.v[i]);
		journey_lecture jl;
		if (a->mine) /* "my courses": the lecture studied last in each */
			json_object_set_new(row, "last_lecture",
					    page.v[i].enrolled && journey_last(r, r->u->id, page.v[i].id, &jl)
						    ? journey_json(&jl, 0)
						    : json_null());
		json_array_append_new(arr, row);
	}
	free(page.v);
	free(u.req.v);
	return json_pack("{s:o,s:I,s:I,s:I}", "courses", arr, "total", (json_int_t)total, "page", (json_int_t)a->page,
			 "per_page", (json_int_t)a->per_page);
}

/* GET /api/v1/courses?q=&category=&type=required|elective&sort=newest|popular&mine=1&page=&per_page= */
static int courses_list(req *r)
{
	catalog_args a;
	catalog_args_from(r, &a, 20);
	if (a.q && utf8_chars(a.q) > 100)
		return reply_error(r, 422, "too_long", "%s：q（100）", tr("err.field_too_long"));
	if (a.mine)
		journey_enrol_required(r); /* required courses are the member's without a click */
	return reply_json(r, 200, catalog_query(r, &a));
}

int catalog_reindex(void)
{
	/* Courses migrated from before body_text (schema 8): their text is made from the HTML the
	   page shows, and the update trigger puts it into the search index. */
	int n = 0;
	for (;;) {
		sqlite3_stmt *st = db_query("SELECT id, body_html FROM courses WHERE body_text IS NULL LIMIT 1", "");
		int64_t id = 0;
		char *text = NULL;
		if (db_step(st) == 1) {
			id = sqlite3_column_int64(st, 0);
			text = md_text(db_col_text(st, 1));
		}
		db_done(st);
		if (!id)
			return n;
		int rc = db_exec("UPDATE courses SET body_text = ? WHERE id = ?", "si", text, id);
		free(text);
		if (rc != 1)
			return -1;
		n++;
	}
}

const route catalog_routes[] = {
	{.method = "GET", .pattern = "/api/v1/courses", .fn = courses_list, .roles = R_ANY},
	ROUTES_END,
};

/* ---- ratings, as the scoring module provides them (courses/courses.h course_rating_ops) ---- */

static const course_rating_ops *g_rating;

void course_rating_register(const course_rating_ops *ops)
{
	g_rating = ops;
}

void course_rating_average(int64_t course, double *avg, int64_t *n)
{
	*avg = 0;
	*n = 0;
	if (g_rating && g_rating->average)
		g_rating->average(course, avg, n);
}

json_t *course_rating_mine(const user *u, int64_t course)
{
	return g_rating && g_rating->mine ? g_rating->mine(u, course) : NULL;
}

json_t *course_rating_summary(int64_t course, int64_t max_comments)
{
	return g_rating && g_rating->summary ? g_rating->summary(course, max_comments) : NULL;
}
