/* courses.h — courses, the catalog, enrolment and required-course assignments (issue 3). */
#ifndef DX_COURSES_COURSES_H
#define DX_COURSES_COURSES_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "http.h"

#define COURSE_TITLE_MAX 100
#define COURSE_SUMMARY_MAX 500
#define COURSE_BODY_MAX 100000 /* characters of Markdown */

/* The image type of bytes by their magic numbers: "image/png", "image/jpeg", "image/webp", or
   NULL for anything else (the name a client gives a file is never trusted). */
const char *image_sniff(const void *data, size_t len);
/* The file extension for one of the types image_sniff returns ("png", "jpg", "webp"). */
const char *image_ext(const char *mime);
/* DATA/images/ID.EXT into out; the path comes from the id and type only. */
void image_path(char *out, size_t n, int64_t id, const char *mime);
/* Writes the bytes of a new image of a course; returns its id or -1. Call inside a transaction
   when several rows must go together. */
int64_t image_store(int64_t course_id, const char *mime, const void *data, size_t len);

/* 1 when name is one of the configured categories (setting `categories`). */
int category_ok(const char *name);
/* The i-th configured category into out; 0 past the end. */
int category_at(int i, char *out, size_t n);

/* The user's organisation and its ancestors as a JSON array of ids, "[1,5,12]", from a
   materialised path "/1/5/12/" (arena memory). */
char *org_chain_json(arena *a, const char *path);

/* Who may see and who may change a course: courses/access.h. */

/* The full course object of the API (GET /api/v1/courses/{id}); NULL when it does not exist or
   the user may not see it. */
json_t *course_json(req *r, int64_t id);

/* The courses the request's instructor manages (an admin: all), last changed first, for a loop
   (db_finalize q): id, title, category, credit_hours, status, enrolled_count, updated_at,
   owner's name, number of lectures (not archived), archived (0/1). */
sqlite3_stmt *teach_courses_prepare(db_stmt *q, req *r);

/* Catalog query: the arguments of GET /api/v1/courses. */
typedef struct catalog_args {
	const char *q, *category;
	int type;     /* 0 all, 1 required, 2 elective */
	int popular;  /* sort by enrolled count instead of newest */
	int mine;     /* enrolled in, or required for the user */
	int64_t page, per_page;
} catalog_args;
/* {"courses":[…],"total","page","per_page"} for the request's user. */
json_t *catalog_query(req *r, const catalog_args *a);
/* Reads catalog_args from the query string (clamped, never fails). */
void catalog_args_from(req *r, catalog_args *a, int64_t per_page_default);

/* Fills courses.body_text (what the search indexes: the text of the rendered page) for courses
   that have none, i.e. those of a database from before schema 7. Returns how many, or -1. */
int catalog_reindex(void);

/* Demo courses for the seed (owner `teacher`, one required for 市委组织部/第一党委 this year). */
int seed_courses(const char *data_dir);

/* Course ratings (two-way evaluation), as the scoring module provides them. scoring comes after
   courses in the registry and courses never includes it, so scoring registers these in its init
   (as quiz registers course_exam_ops). Without a registration no course has a rating. */
typedef struct course_rating_ops {
	/* The average stars and how many members rated the course (*n 0: none). Reads only. */
	void (*average)(int64_t course, double *avg, int64_t *n);
	/* The user's own rating, for the course page: {"may_rate","stars" (null: none),"comment",
	   "rated_at","average","count"}; a new reference. */
	json_t *(*mine)(const user *u, int64_t course);
	/* The instructor's summary: {"average" (null: none),"count","distribution":{"1".."5"},
	   "comments":[{"stars","comment","at"}] (newest first, at most max_comments)}; a new reference. */
	json_t *(*summary)(int64_t course, int64_t max_comments);
} course_rating_ops;
void course_rating_register(const course_rating_ops *ops);
/* Through course_rating_ops: 0 and 0 without a provider. */
void course_rating_average(int64_t course, double *avg, int64_t *n);
/* Through course_rating_ops: NULL without a provider. */
json_t *course_rating_mine(const user *u, int64_t course);
json_t *course_rating_summary(int64_t course, int64_t max_comments);

extern const route course_routes[], catalog_routes[], home_routes[], course_page_routes[];
#endif
