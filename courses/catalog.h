/* catalog.h — between the catalog query (catalog.c) and the home page that renders it (home.c);
   courses/courses.h has the catalog's interface for everyone else. */
#ifndef DX_COURSES_CATALOG_H
#define DX_COURSES_CATALOG_H
#include "courses/courses.h"

/* One course of a catalog answer; text lives in the request's arena. */
typedef struct cat_row {
	int64_t id, owner_id, enrolled_count, sort_at, cover;
	int has_cover, required, enrolled, published;
	double progress, credit_hours;
	double rating_avg; /* the members' average stars (course_rating_average), rating_n of them */
	int64_t rating_n;
	const char *status, *title, *summary, *category, *owner_name;
} cat_row;

typedef struct cat_rows {
	cat_row *v;
	size_t n, cap;
} cat_rows;

typedef struct ids {
	int64_t *v;
	size_t n, cap;
} ids;

/* Who is asking: visibility (0 published only, 1 + own drafts, 2 all) and R (sorted, unique). */
typedef struct cat_user {
	const user *u;
	int64_t uid;
	int vis; /* which drafts the walk merges: 2 all (admin), 1 the user's own (instructor), 0 none */
	ids req;
} cat_user;

/* Text is written straight into buffers (html_printf and buf_printf parse a format per call). */
#define PUT(b, lit) buf_add((b), (lit), sizeof(lit) - 1)
/* A decimal integer into b. */
void cat_put_int(buf *b, long long v);

/* Bytes of the word separator at p (space, tab, U+3000), else 0: a search of several words finds
   the courses that contain every one of them. */
size_t catalog_space_len(const char *p);
/* text into b, escaped, with each occurrence of a word of the search q (ASCII letters in either
   case) wrapped in <mark>…</mark>; q NULL or empty: only escaped. */
void cat_put_marked(buf *b, const char *text, const char *q);

/* The catalog's many small reads share one read transaction (cat_read_begin returns 1 when it
   began one; pass that to cat_read_end). */
int cat_read_begin(void);
void cat_read_end(int began);
/* Who is asking, with R (the courses required for them this year); free(u->req.v) after. */
void cat_user_init(req *r, cat_user *u);
/* The page of the catalog a asks for into page (malloc'd rows), and the number of matches. */
void catalog_fetch(req *r, const cat_user *u, const catalog_args *a, cat_rows *page, int64_t *total);
#endif
