/* api.c — topic classes over the API: create and change (admin, audited), assign to organisation
 * subtrees, join, the member's list and a class with its courses and the member's standing. */
#include "audit.h"
#include "classes/access.h"
#include "classes/classes.h"
#include "clock.h"
#include "config.h"
#include "courses/access.h"
#include "courses/courses.h"
#include "db.h"
#include "i18n.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static json_t *iso_json(int64_t t)
{
	if (!t)
		return json_null();
	char s[32];
	iso_time(t, s);
	return json_string(s);
}

/* Whole days from now to t, rounded up (0 when past). */
static int64_t days_until(int64_t now, int64_t t)
{
	return t > now ? (t - now + 86399) / 86400 : 0;
}

/* ---- the class as the API shows it ---- */

/* The member's standing (their "me" object), or null for someone who is no member. */
static json_t *standing_json(req *r, const class_row *c, int64_t now)
{
	class_membership m;
	if (!class_membership_of(c->id, r->u->id, &m))
		return json_null();
	class_progress p;
	if (class_member_eval(c, r->u->id, m.joined_at, now, &p) < 0)
		return json_null();
	json_t *rem = json_array();
	for (int i = 0; i < p.nremaining; i++)
		json_array_append_new(rem, json_integer(p.remaining[i]));
	json_t *j = json_pack("{s:s,s:o,s:o,s:s,s:f,s:i,s:i,s:f,s:f,s:b,s:o}", "how", m.how, "joined_at",
			      iso_json(m.joined_at), "completed_at", iso_json(m.completed_at),
			      "state", m.completed_at ? "complete" : class_state_name(p.state), "progress",
			      m.completed_at ? 1.0 : round(p.progress * 1000) / 1000, "required_done", p.required_done,
			      "nrequired", p.nrequired, "hours", p.hours, "hours_needed", m.completed_at ? 0.0 : p.hours_needed,
			      "exam_needed", !m.completed_at && p.exam_needed, "remaining", rem);
	if (m.code[0]) {
		json_object_set_new(j, "certificate",
				    json_pack("{s:s,s:s,s:s}", "code", m.code, "pdf_url",
					      arena_printf(r->a, "/api/v1/certificates/%s.pdf", m.code), "verify_url",
					      cert_verify_url(r->a, m.code)));
	}
	class_progress_free(&p);
	return j;
}

/* Why the caller may not join now (a cj key), or NULL when they may. */
static const char *join_refusal(req *r, const class_row *c, int64_t now)
{
	class_def d;
	class_def_of(c, &d);
	int already = db_exists("SELECT 1 FROM class_members WHERE class_id = ? AND user_id = ?", "ii", c->id, r->u->id);
	cj_code j = class_join_check(&d, now, c->members, already);
	if (j == CJ_OK && r->u->role != ROLE_MEMBER)
		return "classes.join.members_only";
	return j == CJ_OK ? NULL : cj_key(j);
}

json_t *class_json(req *r, const class_row *c, int with_courses)
{
	int64_t now = clock_secs();
	json_t *j = json_pack("{s:I,s:s,s:s,s:o,s:o,s:s,s:I,s:f,s:I}", "id", (json_int_t)c->id, "title", c->title,
			      "summary", c->summary, "opens_at", iso_json(c->opens_at), "closes_at", iso_json(c->closes_at),
			      "mode", class_mode_name(c->mode), "capacity", (json_int_t)c->capacity, "min_hours",
			      c->min_hours, "members", (json_int_t)c->members);
	json_object_set_new(j, "seats_left",
			    c->capacity > 0 ? json_integer(c->capacity > c->members ? c->capacity - c->members : 0)
					    : json_null());
	json_object_set_new(j, "days_left", json_integer(now < c->closes_at ? days_until(now, c->closes_at) : 0));
	json_object_set_new(j, "window_state",
			    json_string(now < c->opens_at ? "not_open" : now < c->closes_at ? "open" : "closed"));
	json_object_set_new(j, "exam_quiz_id", c->exam_quiz_id ? json_integer(c->exam_quiz_id) : json_null());
	json_object_set_new(j, "cover_url",
			    c->cover_mime ? json_string(arena_printf(r->a, "/classes/%lld/cover", (long long)c->id))
					  : json_null());
	json_t *me = standing_json(r, c, now);
	json_object_set_new(j, "joined", json_boolean(!json_is_null(me)));
	json_object_set_new(j, "completed", json_boolean(json_is_object(me) && json_is_string(json_object_get(me, "completed_at"))));
	json_object_set_new(j, "progress", json_real(json_is_object(me) ? json_real_value(json_object_get(me, "progress")) : 0));
	const char *why = join_refusal(r, c, now);
	json_object_set_new(j, "can_join", json_boolean(!why));
	json_object_set_new(j, "join_refusal", why ? json_string(why + strlen("classes.join.")) : json_null());
	if (with_courses) {
		json_t *cs = json_array();
		json_t *remaining = json_is_object(me) ? json_object_get(me, "remaining") : NULL;
		for (int i = 0; i < c->ncourses; i++) {
			json_t *course = course_json(r, c->courses[i]);
			int todo = 0;
			size_t k;
			json_t *x;
			json_array_foreach(remaining, k, x) if (json_integer_value(x) == c->courses[i]) todo = 1;
			int64_t done_at = db_int(0, "SELECT at FROM events WHERE user_id = ? AND kind = 'course_completed' AND ref = ?",
						 "ii", r->u->id, c->courses[i]);
			json_t *o = json_pack("{s:I,s:b,s:o}", "id", (json_int_t)c->courses[i], "required",
					      c->course_required[i], "completed_at", iso_json(done_at));
			json_object_set_new(o, "counted",
					    json_boolean(done_at >= c->opens_at && done_at < c->closes_at && done_at > 0));
			json_object_set_new(o, "remaining", json_boolean(todo));
			if (course) {
				json_object_set(o, "title", json_object_get(course, "title"));
				json_object_set(o, "credit_hours", json_object_get(course, "credit_hours"));
				json_object_set(o, "enrolled", json_object_get(course, "enrolled"));
				json_object_set(o, "course_progress", json_object_get(course, "progress"));
				json_decref(course);
			} else {
				json_object_set_new(o, "title", json_null());
			}
			json_array_append_new(cs, o);
		}
		json_object_set_new(j, "courses", cs);
		json_t *orgs = json_array(), *orgn = json_array();
		db_stmt q;
		sqlite3_stmt *st = db_prepare(&q,
					      "SELECT co.org_id, o.name FROM class_orgs co JOIN orgs o ON o.id = co.org_id"
					      " WHERE co.class_id = ? ORDER BY co.created_at, co.org_id",
					      "i", c->id);
		while (db_step(st) == 1) {
			json_array_append_new(orgs, json_integer(sqlite3_column_int64(st, 0)));
			json_array_append_new(orgn, json_string(db_col_text(st, 1)));
		}
		db_finalize(&q);
		json_object_set_new(j, "org_ids", orgs);
		json_object_set_new(j, "org_names", orgn);
		json_t *org = json_array();
		st = db_prepare(&q,
				"SELECT g.user_id, u.name FROM class_organisers g JOIN users u ON u.id = g.user_id"
				" WHERE g.class_id = ? ORDER BY g.user_id",
				"i", c->id);
		while (db_step(st) == 1)
			json_array_append_new(org, json_pack("{s:I,s:s}", "id", (json_int_t)sqlite3_column_int64(st, 0), "name",
							     db_col_text(st, 1)));
		db_finalize(&q);
		json_object_set_new(j, "organisers", org);
	}
	json_object_set_new(j, "me", me);
	return j;
}

/* Materialises the caller's assigned memberships (classes assigned to their organisation after
   their last login), so that what they see is what the roster shows. */
static void sync_me(req *r)
{
	if (r->u->role != ROLE_MEMBER)
		return;
	if (!db_exists("SELECT 1 FROM class_orgs co JOIN orgs o ON o.id = co.org_id JOIN classes c ON c.id = co.class_id"
		       " WHERE substr(?1, 1, length(o.path)) = o.path AND c.closes_at > ?2 AND NOT EXISTS("
		       "   SELECT 1 FROM class_members m WHERE m.class_id = co.class_id AND m.user_id = ?3)",
		       "sii", r->u->org_path, clock_secs(), r->u->id))
		return;
	if (db_begin() < 0)
		return;
	if (class_sync_assigned(r->u->id, clock_secs()) < 0) {
		db_rollback();
		return;
	}
	if (db_commit() < 0)
		return;
}

json_t *classes_list_json(req *r)
{
	sync_me(r);
	json_t *a = json_array();
	db_stmt q;
	sqlite3_stmt *st = db_prepare(&q, "SELECT id FROM classes ORDER BY closes_at DESC, id DESC", "");
	while (db_step(st) == 1) {
		int64_t id = sqlite3_column_int64(st, 0);
		class_res cr;
		class_row c;
		if (!class_access(r, id, &cr) || !CLASS_VISIBLE(&cr) || !class_load(id, &c))
			continue;
		json_array_append_new(a, class_json(r, &c, 0));
		class_row_free(&c);
	}
	db_finalize(&q);
	return json_pack("{s:o}", "classes", a);
}

/* GET /api/v1/classes — the classes the caller may see: open to join, joined, completed. */
static int classes_list(req *r)
{
	return reply_json(r, 200, classes_list_json(r));
}

/* GET /api/v1/classes/{id} (class_view). */
static int class_get(req *r)
{
	class_row c;
	sync_me(r);
	if (!class_load(req_id(r, 0), &c))
		return reply_error(r, 404, "not_found", "%s", tr("classes.err.missing"));
	json_t *j = class_json(r, &c, 1);
	class_row_free(&c);
	return reply_json(r, 200, j);
}

/* ---- create and change ---- */

/* An optional JSON array of positive ids under key (at most max; null is empty): -1 after a 422,
   0 absent (*out and *n untouched), 1 read. */
static int body_ids(req *r, const char *key, int max, int64_t **out, int *n)
{
	json_t *v = json_object_get(r->json, key);
	if (!v)
		return 0;
	*n = 0;
	*out = NULL;
	if (json_is_null(v))
		return 1;
	if (!json_is_array(v) || (int)json_array_size(v) > max)
		return reply_error(r, 422, "invalid_field", "%s（%s）", tr("classes.err.ids"), key), -1;
	*out = arena_alloc(r->a, sizeof **out * (json_array_size(v) + 1));
	size_t i;
	json_t *x;
	json_array_foreach(v, i, x)
	{
		if (!json_is_integer(x) || json_integer_value(x) <= 0)
			return reply_error(r, 422, "invalid_field", "%s（%s）", tr("classes.err.ids"), key), -1;
		(*out)[(*n)++] = json_integer_value(x);
	}
	return 1;
}

/* An ISO time field: -1 after a 422, 0 absent, 1 read. */
static int body_time(req *r, const char *key, int required, int64_t *out)
{
	const char *s = NULL;
	int rc = body_str(r, key, required, 40, &s);
	if (rc <= 0)
		return rc;
	int64_t t = parse_iso(s);
	if (t < 0)
		return reply_error(r, 422, "invalid_field", "%s（%s）", tr("classes.err.time"), key), -1;
	*out = t;
	return 1;
}

/* What a create or change asks for, over the class as it is (for a change). */
typedef struct class_in {
	const char *title, *summary, *mode;
	int64_t opens_at, closes_at, capacity, exam_quiz_id;
	double min_hours;
	int64_t *required, *electives, *organisers;
	int nrequired, nelectives, norganisers;
	int set_courses, set_organisers;
} class_in;

static int read_in(req *r, class_in *in, int creating)
{
	int req_ = creating;
	if (body_str(r, "title", req_, 400, &in->title) < 0 || body_str(r, "summary", 0, 8000, &in->summary) < 0 ||
	    body_str(r, "mode", 0, 16, &in->mode) < 0 || body_time(r, "opens_at", req_, &in->opens_at) < 0 ||
	    body_time(r, "closes_at", req_, &in->closes_at) < 0 ||
	    body_int(r, "capacity", 0, -1000000000, 1000000000, &in->capacity) < 0 ||
	    body_num(r, "min_hours", 0, -1e9, 1e9, &in->min_hours) < 0 ||
	    body_int(r, "exam_quiz_id", 0, 0, INT64_MAX, &in->exam_quiz_id) < 0)
		return -1;
	int a = body_ids(r, "course_ids", CLASS_COURSES_MAX + 1, &in->required, &in->nrequired);
	if (a < 0)
		return -1;
	int b = body_ids(r, "elective_ids", CLASS_COURSES_MAX + 1, &in->electives, &in->nelectives);
	if (b < 0)
		return -1;
	in->set_courses = a || b;
	int o = body_ids(r, "organiser_ids", 100, &in->organisers, &in->norganisers);
	if (o < 0)
		return -1;
	in->set_organisers = o;
	return 0;
}

/* Validates the class (the pure rule), then what it needs of the database: courses that exist,
   hours that can be reached, organisers who are instructors or assessors. 0, or -1 after a 422. */
static int check_in(req *r, const class_in *in)
{
	class_def d = {.title = in->title, .summary = in->summary, .opens_at = in->opens_at, .closes_at = in->closes_at,
		       .required = in->required, .nrequired = in->nrequired, .electives = in->electives,
		       .nelectives = in->nelectives, .min_hours = in->min_hours, .exam_required = in->exam_quiz_id > 0,
		       .capacity = in->capacity};
	d.mode = !strcmp(in->mode, "open") ? CLASS_OPEN : !strcmp(in->mode, "assigned") ? CLASS_ASSIGNED : (class_mode)99;
	int64_t bad = 0;
	cv_code v = class_validate(&d, &bad);
	if (v != CV_OK) {
		if (bad)
			return reply_error(r, 422, "invalid_class", "%s（%lld）", tr(cv_key(v)), (long long)bad), -1;
		return reply_error(r, 422, "invalid_class", "%s", tr(cv_key(v))), -1;
	}
	double hours = 0;
	for (int i = 0; i < in->nrequired + in->nelectives; i++) {
		int64_t id = i < in->nrequired ? in->required[i] : in->electives[i - in->nrequired];
		json_t *c = course_json(r, id);
		if (!c)
			return reply_error(r, 422, "invalid_class", "%s（%lld）", tr("classes.err.course_missing"), (long long)id),
			       -1;
		hours += json_real_value(json_object_get(c, "credit_hours"));
		json_decref(c);
	}
	if (in->min_hours > hours + 1e-9)
		return reply_error(r, 422, "invalid_class", "%s", tr("classes.err.min_hours_unreachable")), -1;
	/* The class exam is a course's exam (the quiz module's quizzes table, read only): one that
	   does not exist would make the class impossible to complete. */
	if (in->exam_quiz_id > 0 && !db_exists("SELECT 1 FROM quizzes WHERE id = ?", "i", in->exam_quiz_id))
		return reply_error(r, 422, "invalid_class", "%s（%lld）", tr("classes.err.exam_missing"),
				   (long long)in->exam_quiz_id),
		       -1;
	for (int i = 0; i < in->norganisers; i++)
		if (!db_exists("SELECT 1 FROM users WHERE id = ? AND role IN ('instructor', 'assessor')", "i", in->organisers[i]))
			return reply_error(r, 422, "invalid_field", "%s（%lld）", tr("classes.err.organiser"),
					   (long long)in->organisers[i]),
			       -1;
	return 0;
}

/* Writes courses and organisers (inside the transaction). -1 on error. */
static int write_lists(int64_t id, const class_in *in)
{
	if (in->set_courses) {
		if (db_exec("DELETE FROM class_courses WHERE class_id = ?", "i", id) < 0)
			return -1;
		for (int i = 0; i < in->nrequired + in->nelectives; i++) {
			int req_ = i < in->nrequired;
			int64_t cid = req_ ? in->required[i] : in->electives[i - in->nrequired];
			if (db_exec("INSERT INTO class_courses(class_id, course_id, position, required) VALUES (?, ?, ?, ?)", "iiii",
				    id, cid, (int64_t)i, (int64_t)req_) != 1)
				return -1;
		}
	}
	if (in->set_organisers) {
		if (db_exec("DELETE FROM class_organisers WHERE class_id = ?", "i", id) < 0)
			return -1;
		for (int i = 0; i < in->norganisers; i++)
			if (db_exec("INSERT OR IGNORE INTO class_organisers(class_id, user_id) VALUES (?, ?)", "ii", id,
				    in->organisers[i]) < 0)
				return -1;
	}
	return 0;
}

static json_t *ids_json(const int64_t *ids, int n)
{
	json_t *a = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(a, json_integer(ids[i]));
	return a;
}

/* POST /api/v1/classes (admin) — 201 {"id"}. */
static int class_create(req *r)
{
	class_in in = {.summary = "", .mode = "open"};
	if (read_in(r, &in, 1) < 0 || check_in(r, &in) < 0)
		return 0;
	int64_t now = clock_secs();
	if (db_begin() < 0)
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	int ok = db_exec("INSERT INTO classes(title, summary, opens_at, closes_at, capacity, mode, min_hours, exam_quiz_id,"
			 " created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, NULLIF(?, 0), ?, ?, ?)",
			 "ssiiisdiiii", in.title, in.summary, in.opens_at, in.closes_at, in.capacity, in.mode, in.min_hours,
			 in.exam_quiz_id, r->u->id, now, now) == 1;
	int64_t id = ok ? db_last_id() : 0;
	in.set_courses = 1;
	ok = ok && write_lists(id, &in) == 0;
	if (ok) {
		json_t *d = json_pack("{s:s,s:s,s:o,s:o,s:I,s:f}", "title", in.title, "mode", in.mode, "course_ids",
				      ids_json(in.required, in.nrequired), "elective_ids", ids_json(in.electives, in.nelectives),
				      "capacity", (json_int_t)in.capacity, "min_hours", in.min_hours);
		char *txt = json_dumps(d, JSON_COMPACT);
		ok = audit_log(r->u->id, "class.create", "class", id, txt) == 0;
		free(txt);
		json_decref(d);
	}
	if (!ok) {
		db_rollback();
		return reply_error(r, 500, "internal", "%s", tr("err.internal"));
	}
	if (db_commit() < 0)
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	return reply_json(r, 201, json_pack("{s:I}", "id", (json_int_t)id));
}

/* Checks every member who has not completed yet against the rule as it is now (after a change or
   an assignment: what they did inside the window may now be enough). -1 on error. */
static int recheck_members(int64_t class_id)
{
	class_row c;
	if (!class_load(class_id, &c))
		return 0;
	int64_t now = clock_secs();
	int rc = 0;
	db_stmt q;
	sqlite3_stmt *st = db_prepare(&q,
				      "SELECT DISTINCT m.user_id FROM class_members m JOIN class_courses cc ON cc.class_id = m.class_id"
				      " JOIN events e ON e.user_id = m.user_id AND e.kind = 'course_completed' AND e.ref = cc.course_id"
				      " WHERE m.class_id = ? AND m.completed_at IS NULL",
				      "i", class_id);
	while (rc >= 0 && db_step(st) == 1)
		rc = class_check_member(&c, sqlite3_column_int64(st, 0), now);
	db_finalize(&q);
	class_row_free(&c);
	return rc < 0 ? -1 : 0;
}

/* Adds {"field":[old,new]} when they differ. */
static void diff_s(json_t *d, const char *k, const char *a, const char *b)
{
	if (strcmp(a, b))
		json_object_set_new(d, k, json_pack("[s,s]", a, b));
}
static void diff_i(json_t *d, const char *k, int64_t a, int64_t b)
{
	if (a != b)
		json_object_set_new(d, k, json_pack("[I,I]", (json_int_t)a, (json_int_t)b));
}

/* PATCH /api/v1/classes/{id} (admin, class_edit) — any field of the create; 200 the class. */
static int class_patch(req *r)
{
	int64_t id = req_id(r, 0);
	class_row c;
	if (!class_load(id, &c))
		return reply_error(r, 404, "not_found", "%s", tr("classes.err.missing"));
	class_in in = {.title = c.title, .summary = c.summary, .mode = class_mode_name(c.mode), .opens_at = c.opens_at,
		       .closes_at = c.closes_at, .capacity = c.capacity, .exam_quiz_id = c.exam_quiz_id,
		       .min_hours = c.min_hours, .required = c.required, .nrequired = c.nrequired,
		       .electives = c.electives, .nelectives = c.nelectives};
	json_t *d = json_object();
	int rc = -1;
	if (read_in(r, &in, 0) < 0 || check_in(r, &in) < 0)
		goto out;
	diff_s(d, "title", c.title, in.title);
	diff_s(d, "summary", c.summary, in.summary);
	diff_s(d, "mode", class_mode_name(c.mode), in.mode);
	diff_i(d, "opens_at", c.opens_at, in.opens_at);
	diff_i(d, "closes_at", c.closes_at, in.closes_at);
	diff_i(d, "capacity", c.capacity, in.capacity);
	diff_i(d, "exam_quiz_id", c.exam_quiz_id, in.exam_quiz_id);
	if (c.min_hours != in.min_hours)
		json_object_set_new(d, "min_hours", json_pack("[f,f]", c.min_hours, in.min_hours));
	if (in.set_courses)
		json_object_set_new(d, "courses",
				    json_pack("[o,o]", ids_json(c.courses, c.ncourses),
					      json_pack("{s:o,s:o}", "course_ids", ids_json(in.required, in.nrequired),
							"elective_ids", ids_json(in.electives, in.nelectives))));
	if (in.set_organisers)
		json_object_set_new(d, "organiser_ids", ids_json(in.organisers, in.norganisers));
	if (db_begin() < 0) {
		reply_error(r, 503, "busy", "%s", tr("err.busy"));
		goto out;
	}
	char *txt = json_dumps(d, JSON_COMPACT);
	int ok = db_exec("UPDATE classes SET title = ?, summary = ?, mode = ?, opens_at = ?, closes_at = ?, capacity = ?,"
			 " min_hours = ?, exam_quiz_id = NULLIF(?, 0), updated_at = ? WHERE id = ?",
			 "sssiiidiii", in.title, in.summary, in.mode, in.opens_at, in.closes_at, in.capacity, in.min_hours,
			 in.exam_quiz_id, clock_secs(), id) == 1 &&
		 write_lists(id, &in) == 0 && audit_log(r->u->id, "class.update", "class", id, txt) == 0 &&
		 recheck_members(id) == 0;
	free(txt);
	if (!ok) {
		db_rollback();
		reply_error(r, 500, "internal", "%s", tr("err.internal"));
		goto out;
	}
	if (db_commit() < 0) {
		reply_error(r, 503, "busy", "%s", tr("err.busy"));
		goto out;
	}
	rc = 0;
out:
	json_decref(d);
	class_row_free(&c);
	if (rc == 0) {
		class_row n;
		if (!class_load(id, &n))
			return reply_error(r, 404, "not_found", "%s", tr("classes.err.missing"));
		json_t *j = class_json(r, &n, 1);
		class_row_free(&n);
		return reply_json(r, 200, j);
	}
	return 0;
}

/* POST /api/v1/classes/{id}/assign {"org_id"} (admin, class_edit) — the class is assigned to the
   organisation's subtree: its members (role member) become members now, and members of it created
   later when they log in or study. 201 {"members"}; 200 when it was assigned there already. */
static int class_assign(req *r)
{
	int64_t id = req_id(r, 0), org = 0;
	if (body_int(r, "org_id", 1, 1, INT64_MAX, &org) < 0)
		return 0;
	if (!db_exists("SELECT 1 FROM orgs WHERE id = ?", "i", org))
		return reply_error(r, 422, "invalid_field", "%s（%lld）", tr("err.org_missing"), (long long)org);
	int64_t now = clock_secs();
	if (db_begin() < 0)
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	if (db_int(0, "SELECT closes_at FROM classes WHERE id = ?", "i", id) <= now) {
		db_rollback();
		return reply_error(r, 409, "closed", "%s", tr("classes.join.closed"));
	}
	int n = db_exec("INSERT OR IGNORE INTO class_orgs(class_id, org_id, created_at, created_by) VALUES (?, ?, ?, ?)",
			"iiii", id, org, now, r->u->id);
	if (n == 0) {
		db_rollback();
		return reply_json(r, 200, json_pack("{s:b}", "already", 1));
	}
	char detail[64];
	snprintf(detail, sizeof detail, "{\"org_id\":%lld}", (long long)org);
	int added = n < 0 ? -1
			  : db_exec("INSERT OR IGNORE INTO class_members(class_id, user_id, joined_at, how)"
				    " SELECT ?1, u.id, ?2, 'assigned' FROM users u JOIN orgs uo ON uo.id = u.org_id"
				    " JOIN orgs o ON o.id = ?3 WHERE u.role = 'member' AND u.active = 1"
				    "   AND substr(uo.path, 1, length(o.path)) = o.path",
				    "iii", id, now, org);
	if (added < 0 || audit_log(r->u->id, "class.assign", "class", id, detail) < 0 || recheck_members(id) < 0) {
		db_rollback();
		return reply_error(r, 500, "internal", "%s", tr("err.internal"));
	}
	if (db_commit() < 0)
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	return reply_json(r, 201, json_pack("{s:i}", "members", added));
}

/* POST /api/v1/classes/{id}/join (class_view) — 200 {"joined","completed"}; 409 full, closed, not
   yet open, assigned-only (the reason's code and message). The seats are counted and the member
   inserted in one write transaction, so of concurrent joins exactly `capacity` succeed. A member
   whose courses inside the window already satisfy the rule completes on joining. */
static int class_join(req *r)
{
	int64_t id = req_id(r, 0), uid = r->u->id;
	if (r->u->role != ROLE_MEMBER)
		return reply_error(r, 403, "members_only", "%s", tr("classes.join.members_only"));
	int64_t now = clock_secs();
	if (db_begin() < 0)
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	class_row c;
	if (!class_load(id, &c)) {
		db_rollback();
		return reply_error(r, 404, "not_found", "%s", tr("classes.err.missing"));
	}
	class_def d;
	class_def_of(&c, &d);
	int already = db_exists("SELECT 1 FROM class_members WHERE class_id = ? AND user_id = ?", "ii", id, uid);
	cj_code j = class_join_check(&d, now, c.members, already);
	if (j == CJ_ALREADY) {
		db_rollback();
		class_row_free(&c);
		return reply_json(r, 200, json_pack("{s:b,s:b}", "joined", 1, "already", 1));
	}
	if (j != CJ_OK) {
		db_rollback();
		class_row_free(&c);
		const char *key = cj_key(j);
		return reply_error(r, 409, key + strlen("classes.join."), "%s", tr(key));
	}
	int rc = db_exec("INSERT INTO class_members(class_id, user_id, joined_at, how) VALUES (?, ?, ?, 'joined')", "iii", id,
			 uid, now);
	int done = rc == 1 ? class_check_member(&c, uid, now) : -1;
	class_row_free(&c);
	if (done < 0) {
		db_rollback();
		return reply_error(r, 500, "internal", "%s", tr("err.internal"));
	}
	if (db_commit() < 0)
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	return reply_json(r, 200, json_pack("{s:b,s:b}", "joined", 1, "completed", done == 1));
}

/* DATA/class-covers/ID.EXT: the path comes from the id and the sniffed type only. */
static void cover_path(char *out, size_t n, int64_t id, const char *mime)
{
	snprintf(out, n, "%s/class-covers/%lld.%s", cfg.data, (long long)id, image_ext(mime));
}

#define COVER_MAX (5 << 20)

/* POST /api/v1/classes/{id}/cover (admin, class_edit) with a PNG, JPEG or WebP body → 201
   {"cover_url"}; 415 for anything else (by its bytes, never its name). Audited class.cover. */
static int class_cover_put(req *r)
{
	int64_t id = req_id(r, 0);
	const char *mime = image_sniff(r->body.p, r->body.len);
	if (!mime)
		return reply_error(r, 415, "unsupported_media_type", "%s", tr("err.image_type"));
	char dir[600], path[700];
	snprintf(dir, sizeof dir, "%s/class-covers", cfg.data);
	cover_path(path, sizeof path, id, mime);
	if (mkdir_p(dir, 0755) < 0 || write_file_atomic(path, r->body.p, r->body.len, 0644) < 0)
		return reply_error(r, 500, "internal", "%s", tr("err.internal"));
	if (db_begin() < 0)
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	char *old = db_text("SELECT cover_mime FROM classes WHERE id = ?", "i", id);
	char detail[64];
	snprintf(detail, sizeof detail, "{\"type\":\"%s\"}", mime);
	if (db_exec("UPDATE classes SET cover_mime = ?, updated_at = ? WHERE id = ?", "sii", mime, clock_secs(), id) != 1 ||
	    audit_log(r->u->id, "class.cover", "class", id, detail) < 0) {
		free(old);
		db_rollback();
		return reply_error(r, 500, "internal", "%s", tr("err.internal"));
	}
	if (db_commit() < 0) {
		free(old);
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	}
	if (old && strcmp(old, mime)) { /* the previous file of another type */
		char prev[700];
		cover_path(prev, sizeof prev, id, old);
		unlink(prev);
	}
	free(old);
	return reply_json(r, 201, json_pack("{s:s}", "cover_url", arena_printf(r->a, "/classes/%lld/cover", (long long)id)));
}

/* GET /classes/{id}/cover (class_view) — the cover image; 404 when there is none. */
static int class_cover_get(req *r)
{
	int64_t id = req_id(r, 0);
	char *mime = db_text("SELECT cover_mime FROM classes WHERE id = ?", "i", id);
	if (!mime)
		return reply_error(r, 404, "not_found", "%s", tr("err.no_file"));
	char path[700];
	cover_path(path, sizeof path, id, mime);
	const char *m = arena_strdup(r->a, mime);
	free(mime);
	return reply_file(r, path, m, "private, max-age=3600");
}

const route class_routes[] = {
	{.method = "POST", .pattern = "/api/v1/classes/{id}/cover", .fn = class_cover_put, .roles = ROLE_ADMIN,
	 .flags = RF_RAWBODY, .body_max = COVER_MAX, .res = &class_edit},
	{.method = "GET", .pattern = "/classes/{id}/cover", .fn = class_cover_get, .roles = R_ANY, .res = &class_view},
	{.method = "GET", .pattern = "/api/v1/classes", .fn = classes_list, .roles = R_ANY},
	{.method = "POST", .pattern = "/api/v1/classes", .fn = class_create, .roles = ROLE_ADMIN, .flags = RF_JSON},
	{.method = "GET", .pattern = "/api/v1/classes/{id}", .fn = class_get, .roles = R_ANY, .res = &class_view},
	{.method = "PATCH", .pattern = "/api/v1/classes/{id}", .fn = class_patch, .roles = ROLE_ADMIN, .flags = RF_JSON,
	 .res = &class_edit},
	{.method = "POST", .pattern = "/api/v1/classes/{id}/assign", .fn = class_assign, .roles = ROLE_ADMIN,
	 .flags = RF_JSON, .res = &class_edit},
	{.method = "POST", .pattern = "/api/v1/classes/{id}/join", .fn = class_join, .roles = R_ANY, .res = &class_view},
	ROUTES_END,
};
