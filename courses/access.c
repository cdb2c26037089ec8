/* access.c — who may see and change courses, lectures and images: the courses module's resource
 * kinds, each with the one rule the guard applies before a handler runs (courses/access.h). */
#include "courses/access.h"
#include "clock.h"
#include "courses/courses.h"
#include "db.h"
#include "i18n.h"

#include <string.h>

int course_editor(const user *u, int64_t owner_id)
{
	return u && (u->role == ROLE_ADMIN || (u->role == ROLE_INSTRUCTOR && owner_id == u->id));
}

/* THE "required for this user" rule, once: the assignments of this year to the user's organisation
   and its ancestors (?1: their ids as a JSON array, from the materialised path; ?2: the year),
   through the index assignments_org. */
#define REQUIRED_SQL                                                                               \
	"SELECT a.course_id FROM json_each(?1) j CROSS JOIN assignments a WHERE a.org_id = j.value" \
	" AND a.year = ?2"

int course_required_for(const user *u, int64_t course)
{
	return course_required_in(u, course, year_of(clock_secs()));
}

int course_required_in(const user *u, int64_t course, int year)
{
	if (!u)
		return 0;
	arena *a = arena_new();
	int yes = db_exists("SELECT 1 FROM (" REQUIRED_SQL ") WHERE course_id = ?3", "sii",
			    org_chain_json(a, u->org_path), (int64_t)year, course);
	arena_free(a);
	return yes;
}

void course_required_each(arena *a, const user *u, void (*f)(int64_t course, void *ud), void *ud)
{
	db_stmt q;
	sqlite3_stmt *st =
		db_prepare(&q, REQUIRED_SQL, "si", org_chain_json(a, u->org_path), (int64_t)year_of(clock_secs()));
	while (db_step(st) == 1)
		f(sqlite3_column_int64(st, 0), ud);
	db_finalize(&q);
}

int course_lookup(const user *u, int64_t id, course_res *c)
{
	memset(c, 0, sizeof *c);
	sqlite3_stmt *st = db_query("SELECT owner_id, status = 'published',"
				    "  EXISTS(SELECT 1 FROM enrollments e WHERE e.user_id = ? AND e.course_id = c.id),"
				    "  archived_at IS NOT NULL"
				    " FROM courses c WHERE id = ?",
				    "ii", u ? u->id : (int64_t)0, id);
	int found = db_step(st) == 1;
	if (found) {
		c->id = id;
		c->owner_id = sqlite3_column_int64(st, 0);
		c->published = sqlite3_column_int(st, 1);
		c->enrolled = sqlite3_column_int(st, 2);
		c->archived = sqlite3_column_int(st, 3);
		c->editor = course_editor(u, c->owner_id);
	}
	db_done(st);
	return found;
}

int lecture_access(const user *u, int64_t id, lecture_res *l)
{
	memset(l, 0, sizeof *l);
	if (!u)
		return 0;
	sqlite3_stmt *st = db_query("SELECT c.id, c.owner_id, c.status = 'published',"
				    "  EXISTS(SELECT 1 FROM enrollments e WHERE e.user_id = ? AND e.course_id = c.id),"
				    "  NOT " LECTURE_SHOWN_SQL ", l.archived_at IS NOT NULL"
				    " FROM lectures l JOIN courses c ON c.id = l.course_id WHERE l.id = ?",
				    "ii", u->id, id);
	int found = db_step(st) == 1;
	if (found) {
		l->id = id;
		l->course_id = sqlite3_column_int64(st, 0);
		l->owner_id = sqlite3_column_int64(st, 1);
		l->published = sqlite3_column_int(st, 2);
		l->enrolled = sqlite3_column_int(st, 3);
		l->hidden = sqlite3_column_int(st, 4);
		l->archived = sqlite3_column_int(st, 5);
	}
	db_done(st);
	if (!found)
		return 0;
	l->editor = course_editor(u, l->owner_id);
	l->required = l->published && !l->editor && !l->enrolled && course_required_for(u, l->course_id);
	l->may_view = l->editor || (l->published && (l->enrolled || l->required));
	return 1;
}

/* ---- the kinds ---- */

static int load_course(req *r, int64_t id, course_res **out)
{
	course_res *c = arena_alloc(r->a, sizeof *c);
	/* A draft is unknown to all but its editors (and the members enrolled before it was withdrawn). */
	if (!course_lookup(r->u, id, c) || !COURSE_VISIBLE(c))
		return 404;
	*out = c;
	return 0;
}

static int course_view_load(req *r, int64_t id, void **out)
{
	course_res *c = NULL;
	int st = load_course(r, id, &c);
	*out = c;
	return st;
}

static int course_edit_load(req *r, int64_t id, void **out)
{
	course_res *c = NULL;
	int st = load_course(r, id, &c);
	if (st)
		return st;
	*out = c;
	return c->editor ? 0 : 403;
}

/* Known: a published course's, or one the user edits or is enrolled in (a course unpublished
   after they enrolled). Anything else answers 404 like a lecture that does not exist; so does an
   archived one to everyone. */
static int load_known(req *r, int64_t id, lecture_res **out)
{
	lecture_res *l = arena_alloc(r->a, sizeof *l);
	if (!lecture_access(r->u, id, l) || !(l->published || l->editor || l->enrolled) || l->archived)
		return 404;
	*out = l;
	return 0;
}

/* As load_known; a lecture without a served video is unknown (404) to all but its editors too: what
   members see (watch, study, progress, the player). */
static int load_lecture(req *r, int64_t id, lecture_res **out)
{
	int st = load_known(r, id, out);
	if (!st && (*out)->hidden && !(*out)->editor)
		return 404;
	return st;
}

static int lecture_view_load(req *r, int64_t id, void **out)
{
	lecture_res *l = NULL;
	int st = load_lecture(r, id, &l);
	if (st)
		return st;
	*out = l;
	return l->may_view ? 0 : 403;
}

/* Changing: another instructor knows a published course's lectures, with or without a video: 403. */
static int lecture_edit_load(req *r, int64_t id, void **out)
{
	lecture_res *l = NULL;
	int st = load_known(r, id, &l);
	if (st)
		return st;
	*out = l;
	return l->editor ? 0 : 403;
}

static int lecture_progress_load(req *r, int64_t id, void **out)
{
	lecture_res *l = NULL;
	int st = load_lecture(r, id, &l);
	if (st)
		return st;
	*out = l;
	return l->enrolled ? 0 : 403;
}

static int lecture_study_load(req *r, int64_t id, void **out)
{
	lecture_res *l = NULL;
	int st = load_lecture(r, id, &l);
	if (st)
		return st;
	*out = l;
	if (l->owner_id == r->u->id)
		return reply_error(r, 403, "preview_only", "%s", tr("err.study_own_course")), -1;
	if (!l->published)
		return 404;
	return l->enrolled ? 0 : 403;
}

static int lecture_known_load(req *r, int64_t id, void **out)
{
	lecture_res *l = NULL;
	int st = load_lecture(r, id, &l);
	if (st)
		return st;
	*out = l;
	/* A withdrawn course's lectures are not played, not even by its members. */
	return l->published || l->editor ? 0 : 404;
}

static int image_view_load(req *r, int64_t id, void **out)
{
	image_res *im = arena_alloc(r->a, sizeof *im);
	sqlite3_stmt *st = db_query("SELECT course_id, mime FROM course_images WHERE id = ?", "i", id);
	int found = db_step(st) == 1;
	if (found) {
		im->id = id;
		im->course_id = sqlite3_column_int64(st, 0);
		im->mime = arena_strdup(r->a, db_col_text(st, 1));
	}
	db_done(st);
	course_res c;
	if (!found || !course_lookup(r->u, im->course_id, &c) || !COURSE_VISIBLE(&c))
		return 404;
	*out = im;
	return 0;
}

const resource_kind course_view = {
	.name = "course_view", .load = course_view_load, .missing = "err.course_missing",
	.forbidden = "err.course_missing",
};
const resource_kind course_edit = {
	.name = "course_edit", .load = course_edit_load, .missing = "err.course_missing",
	.forbidden = "err.course_not_yours",
};
const resource_kind lecture_view = {
	.name = "lecture_view", .load = lecture_view_load, .missing = "err.lecture_missing",
	.forbidden = "err.lecture_forbidden",
};
const resource_kind lecture_edit = {
	.name = "lecture_edit", .load = lecture_edit_load, .missing = "err.lecture_missing",
	.forbidden = "err.lecture_not_yours",
};
const resource_kind lecture_study = {
	.name = "lecture_study", .load = lecture_study_load, .missing = "err.no_lecture",
	.forbidden = "err.not_enrolled", .forbidden_code = "not_enrolled",
};
const resource_kind lecture_progress = {
	.name = "lecture_progress", .load = lecture_progress_load, .missing = "err.no_lecture",
	.forbidden = "err.not_enrolled", .forbidden_code = "not_enrolled",
};
const resource_kind lecture_known = {
	.name = "lecture_known", .load = lecture_known_load, .missing = "err.no_lecture",
	.forbidden = "err.no_lecture",
};
const resource_kind image_view = {
	.name = "image_view", .load = image_view_load, .missing = "err.no_file", .forbidden = "err.no_file",
};
