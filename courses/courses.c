/* courses.c — courses: create, edit, publish, Markdown preview, images, enrolment, required-course
 * assignments, the instructor's list, and the demo courses of the seed. */
#include "courses.h"
#include "courses/access.h"
#include "courses/journey.h"
#include "courses/study.h"
#include "clock.h"
#include "audit.h"
#include "config.h"
#include "db.h"
#include "i18n.h"
#include "markdown.h"
#include "people.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define JSON_BODY_MAX (1u << 20) /* a course body of 100,000 characters, escaped */

/* ---- images ---- */

const char *image_sniff(const void *data, size_t len)
{
	const unsigned char *p = data;
	if (len >= 8 && !memcmp(p, "\x89PNG\r\n\x1a\n", 8))
		return "image/png";
	if (len >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff)
		return "image/jpeg";
	if (len >= 12 && !memcmp(p, "RIFF", 4) && !memcmp(p + 8, "WEBP", 4))
		return "image/webp";
	return NULL;
}

const char *image_ext(const char *mime)
{
	if (!strcmp(mime, "image/png"))
		return "png";
	if (!strcmp(mime, "image/jpeg"))
		return "jpg";
	return "webp";
}

void image_path(char *out, size_t n, int64_t id, const char *mime)
{
	snprintf(out, n, "%s/images/%lld.%s", cfg.data, (long long)id, image_ext(mime));
}

int64_t image_store(int64_t course_id, const char *mime, const void *data, size_t len)
{
	char dir[600];
	snprintf(dir, sizeof dir, "%s/images", cfg.data);
	if (mkdir_p(dir, 0750) < 0)
		return -1;
	if (db_exec("INSERT INTO course_images(course_id, mime, size, created_at) VALUES (?,?,?,?)", "isii",
		    course_id, mime, (int64_t)len, clock_secs()) < 0)
		return -1;
	int64_t id = db_last_id();
	char path[700];
	image_path(path, sizeof path, id, mime);
	/* Written aside and renamed, so a reader never sees half a file. */
	if (write_file_atomic(path, data, len, 0640) < 0) {
		db_exec("DELETE FROM course_images WHERE id = ?", "i", id);
		return -1;
	}
	return id;
}

/* ---- categories and organisations ---- */

int category_at(int i, char *out, size_t n)
{
	const char *s = cfg.categories;
	for (; i > 0 && s; i--) {
		s = strchr(s, ',');
		if (s)
			s++;
	}
	if (!s || !*s)
		return 0;
	size_t l = strcspn(s, ",");
	if (l >= n)
		l = n - 1;
	memcpy(out, s, l);
	out[l] = 0;
	return 1;
}

int category_ok(const char *name)
{
	char c[256];
	for (int i = 0; category_at(i, c, sizeof c); i++)
		if (*c && !strcmp(c, name))
			return 1;
	return 0;
}

char *org_chain_json(arena *a, const char *path)
{
	buf b;
	buf_init(&b);
	buf_putc(&b, '[');
	int first = 1;
	for (const char *s = path ? path : ""; *s;) {
		if (*s == '/') {
			s++;
			continue;
		}
		size_t l = strspn(s, "0123456789");
		if (!l)
			break;
		if (!first)
			buf_putc(&b, ',');
		buf_add(&b, s, l);
		first = 0;
		s += l;
	}
	buf_putc(&b, ']');
	char *out = arena_strdup(a, b.p);
	buf_free(&b);
	return out;
}

static json_t *iso_or_null(sqlite3_stmt *st, int col)
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return json_null();
	char iso[24];
	iso_time(sqlite3_column_int64(st, col), iso);
	return json_string(iso);
}

json_t *course_json(req *r, int64_t id)
{
	course_res acc;
	if (!course_lookup(r->u, id, &acc) || !COURSE_VISIBLE(&acc))
		return NULL;
	sqlite3_stmt *st = db_query(
		"SELECT c.title, c.summary, c.category, c.credit_hours, c.status, c.owner_id, u.name, c.cover_image_id,"
		" c.body_md, c.body_html, c.enrolled_count, c.created_at, c.updated_at, c.published_at,"
		" e.user_id IS NOT NULL, ifnull(e.progress, 0), e.completed_at, c.archived_at"
		" FROM courses c JOIN users u ON u.id = c.owner_id"
		" LEFT JOIN enrollments e ON e.course_id = c.id AND e.user_id = ? WHERE c.id = ?",
		"ii", r->u->id, id);
	if (db_step(st) != 1) {
		db_done(st);
		return NULL;
	}
	json_t *c = json_pack("{s:I,s:s,s:s,s:s,s:f,s:s,s:I,s:s}", "id", (json_int_t)id, "title", db_col_text(st, 0),
			      "summary", db_col_text(st, 1), "category", db_col_text(st, 2), "credit_hours",
			      sqlite3_column_double(st, 3), "status", db_col_text(st, 4), "owner_id",
			      (json_int_t)sqlite3_column_int64(st, 5), "owner_name", db_col_text(st, 6));
	json_object_set_new(c, "cover_url",
			    sqlite3_column_type(st, 7) == SQLITE_NULL
				    ? json_null()
				    : json_string(arena_printf(r->a, "/images/%lld", (long long)sqlite3_column_int64(st, 7))));
	if (sqlite3_column_type(st, 7) != SQLITE_NULL)
		json_object_set_new(c, "cover_image_id", json_integer(sqlite3_column_int64(st, 7)));
	if (acc.editor)
		json_object_set_new(c, "body_md", json_string(db_col_text(st, 8)));
	json_object_set_new(c, "body_html", json_string(db_col_text(st, 9)));
	json_object_set_new(c, "enrolled_count", json_integer(sqlite3_column_int64(st, 10)));
	json_object_set_new(c, "created_at", iso_or_null(st, 11));
	json_object_set_new(c, "updated_at", iso_or_null(st, 12));
	json_object_set_new(c, "published_at", iso_or_null(st, 13));
	json_object_set_new(c, "enrolled", json_boolean(sqlite3_column_int(st, 14)));
	json_object_set_new(c, "progress", json_real(sqlite3_column_double(st, 15)));
	json_object_set_new(c, "completed", json_boolean(sqlite3_column_type(st, 16) != SQLITE_NULL));
	json_object_set_new(c, "can_edit", json_boolean(acc.editor));
	json_object_set_new(c, "archived", json_boolean(sqlite3_column_type(st, 17) != SQLITE_NULL));
	json_object_set_new(c, "archived_at", iso_or_null(st, 17));
	db_done(st);
	json_object_set_new(c, "required", json_boolean(course_required_for(r->u, id)));

	json_t *lectures = json_array();
	/* playable: a video is served (a lecture being replaced plays its previous version). Members
	   see only those (LECTURE_SHOWN_SQL); editors every lecture that is not archived. */
	db_stmt q;
	st = db_prepare(&q, "SELECT l.id, l.title, l.duration_s, l.status, p.completed_at IS NOT NULL,"
			" (l.media_version > 0 OR l.status = 'ready') AND l.duration_s > 0"
			" FROM lectures l LEFT JOIN lecture_progress p ON p.lecture_id = l.id AND p.user_id = ?"
			" WHERE l.course_id = ? AND l.archived_at IS NULL AND (? OR " LECTURE_SHOWN_SQL ")"
			" ORDER BY l.position, l.id",
			"iii", r->u->id, id, (int64_t)acc.editor);
	while (db_step(st) == 1)
		json_array_append_new(lectures,
				      json_pack("{s:I,s:s,s:f,s:s,s:b,s:b}", "id", (json_int_t)sqlite3_column_int64(st, 0),
						"title", db_col_text(st, 1), "duration_s", sqlite3_column_double(st, 2),
						"status", db_col_text(st, 3), "completed", sqlite3_column_int(st, 4),
						"playable", sqlite3_column_int(st, 5)));
	db_finalize(&q);
	json_object_set_new(c, "lectures", lectures);
	/* The course exam, from the quiz module (courses/study.h course_exam_ops). */
	json_t *exam = course_exam_json(r->u, id);
	json_object_set_new(c, "quiz_id", exam ? json_incref(json_object_get(exam, "quiz_id")) : json_null());
	json_object_set_new(c, "exam", exam ? exam : json_null());
	/* The member's way through it (courses/journey.h): where 开始学习 / 继续学习 leads, and the
	   lecture studied last. */
	journey_lecture jl;
	int mine = json_is_true(json_object_get(c, "enrolled"));
	json_object_set_new(c, "next_lecture", mine && journey_next(r, r->u->id, id, &jl) ? journey_json(&jl, 1) : json_null());
	json_object_set_new(c, "last_lecture", mine && journey_last(r, r->u->id, id, &jl) ? journey_json(&jl, 0) : json_null());
	return c;
}

/* ---- field validation shared by create and edit ---- */

struct course_fields {
	const char *title, *summary, *category, *body_md;
	double credit_hours;
	int has_title, has_summary, has_category, has_body, has_hours;
};

/* Reads and checks the fields present in the body; answers 422 and returns -1 on a bad one. */
static int read_fields(req *r, struct course_fields *f, int creating)
{
	memset(f, 0, sizeof *f);
	int rc;
	if ((rc = body_str(r, "title", creating, COURSE_TITLE_MAX, &f->title)) < 0)
		return -1;
	f->has_title = rc;
	if ((rc = body_str(r, "summary", 0, COURSE_SUMMARY_MAX, &f->summary)) < 0)
		return -1;
	f->has_summary = rc;
	if ((rc = body_str(r, "category", creating, 64, &f->category)) < 0)
		return -1;
	f->has_category = rc;
	if ((rc = body_num(r, "credit_hours", 0, 0, 100, &f->credit_hours)) < 0)
		return -1;
	f->has_hours = rc;
	if ((rc = body_str(r, "body_md", 0, COURSE_BODY_MAX, &f->body_md)) < 0)
		return -1;
	f->has_body = rc;
	if (f->has_title && !f->title[strspn(f->title, " \t\r\n")])
		return reply_error(r, 422, "invalid_field", "%s", tr("err.course_title")), -1;
	if (f->has_category && !category_ok(f->category))
		return reply_error(r, 422, "unknown_category", "%s：%s（%s）", tr("err.category"), f->category,
				   cfg.categories),
		       -1;
	return 0;
}

/* ---- endpoints ---- */

/* POST /api/v1/courses {"title","summary","category","credit_hours","body_md"} */
static int course_create(req *r)
{
	struct course_fields f;
	if (read_fields(r, &f, 1) < 0)
		return 0;
	char *html = md_render(f.body_md ? f.body_md : "", f.body_md ? strlen(f.body_md) : 0);
	char *text = md_text(html);
	int64_t now = clock_secs();
	int rc = db_exec("INSERT INTO courses(owner_id, title, summary, category, credit_hours, body_md, body_html,"
			 " body_text, status, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,'draft',?,?)",
			 "isssdsssii", r->u->id, f.title, f.summary ? f.summary : "", f.category, f.credit_hours,
			 f.body_md ? f.body_md : "", html, text, now, now);
	free(html);
	free(text);
	if (rc < 0)
		return reply_error(r, 500, "internal", "%s", tr("err.internal"));
	return reply_json(r, 201, json_pack("{s:I,s:s}", "id", (json_int_t)db_last_id(), "status", "draft"));
}

/* GET /api/v1/courses/{id} (course_view) */
static int course_get(req *r)
{
	json_t *c = course_json(r, req_id(r, 0));
	if (!c)
		return reply_error(r, 404, "not_found", "%s", tr("err.course_missing"));
	return reply_json(r, 200, c);
}

/* PATCH /api/v1/courses/{id} (course_edit) — any of the create fields, and "cover_image_id"
   (null clears). */
static int course_patch(req *r)
{
	int64_t id = req_id(r, 0);
	struct course_fields f;
	if (read_fields(r, &f, 0) < 0)
		return 0;
	json_t *cv = json_object_get(r->json, "cover_image_id");
	int64_t cover = 0;
	if (cv && !json_is_null(cv)) {
		if (body_int(r, "cover_image_id", 1, 0, INT64_MAX, &cover) < 0)
			return 0;
		if (cover && !db_exists("SELECT 1 FROM course_images WHERE id = ? AND course_id = ?", "ii", cover, id))
			return reply_error(r, 422, "invalid_field", "%s", tr("err.cover_image"));
	}
	/* A stale edit: the client says which version it read (`updated_at` as the course object gave
	   it); when the course changed since, nothing is written. Without it, the edit applies. */
	const char *seen_iso = NULL;
	int has_seen = body_str(r, "updated_at", 0, 40, &seen_iso);
	if (has_seen < 0)
		return 0;
	int64_t seen = has_seen ? parse_iso(seen_iso) : 0;
	if (has_seen && seen < 0)
		return reply_error(r, 422, "invalid_field", "%s", tr("err.course_version"));
	if (db_begin() < 0)
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	if (has_seen) {
		int64_t cur = db_int(0, "SELECT updated_at FROM courses WHERE id = ?", "i", id);
		if (cur != seen) {
			char iso[24];
			iso_time(cur, iso);
			db_rollback();
			json_t *e = json_pack("{s:s,s:s,s:s}", "code", "stale", "message", tr("err.course_stale"), "updated_at", iso);
			return reply_json(r, 409, json_pack("{s:o}", "error", e));
		}
	}
	int64_t now = clock_secs();
	if (f.has_title)
		db_exec("UPDATE courses SET title = ? WHERE id = ?", "si", f.title, id);
	if (f.has_summary)
		db_exec("UPDATE courses SET summary = ? WHERE id = ?", "si", f.summary, id);
	if (f.has_category)
		db_exec("UPDATE courses SET category = ? WHERE id = ?", "si", f.category, id);
	if (f.has_hours)
		db_exec("UPDATE courses SET credit_hours = ? WHERE id = ?", "di", f.credit_hours, id);
	if (f.has_body) {
		char *html = md_render(f.body_md, strlen(f.body_md));
		char *text = md_text(html);
		db_exec("UPDATE courses SET body_md = ?, body_html = ?, body_text = ? WHERE id = ?", "sssi", f.body_md, html,
			text, id);
		free(html);
		free(text);
	}
	if (cv && cover)
		db_exec("UPDATE courses SET cover_image_id = ? WHERE id = ?", "ii", cover, id);
	else if (cv)
		db_exec("UPDATE courses SET cover_image_id = NULL WHERE id = ?", "i", id);
	db_exec("UPDATE courses SET updated_at = ? WHERE id = ?", "ii", now, id);
	if (db_commit() < 0) {
		db_rollback();
		return reply_error(r, 500, "internal", "%s", tr("err.internal"));
	}
	return reply_json(r, 200, course_json(r, id));
}

/* The members enrolled in a course now (whatever its status). */
static int64_t enrolled_members(int64_t course)
{
	return db_int(0, "SELECT count(*) FROM enrollments WHERE course_id = ?", "i", course);
}

/* (course_edit) — publish (publish = 1), unpublish (0), archive (2), restore (3): one status change
   and its audit row in one transaction. */
static int set_status(req *r, int what)
{
	const course_res *cr = r->res;
	int64_t id = cr->id;
	static const char *const actions[] = {"course.unpublish", "course.publish", "course.archive", "course.restore"};
	if ((what == 1 || what == 2) && cr->archived)
		return reply_error(r, 409, "archived", "%s", tr("err.course_archived"));
	if (what == 3 && !cr->archived)
		return reply_error(r, 409, "not_archived", "%s", tr("err.course_not_archived"));
	if (what == 1) {
		/* Members would find nothing to study, or earn no hours: say what is missing. */
		json_t *missing = json_array();
		buf msg;
		buf_init(&msg);
		buf_puts(&msg, tr("err.publish_not_ready"));
		if (!db_exists("SELECT 1 FROM lectures l WHERE l.course_id = ? AND " LECTURE_SHOWN_SQL, "i", id)) {
			json_array_append_new(missing, json_string("ready_lecture"));
			buf_printf(&msg, "%s", tr("err.publish_missing_lecture"));
		}
		if (!(db_double(0, "SELECT credit_hours FROM courses WHERE id = ?", "i", id) > 0)) {
			json_array_append_new(missing, json_string("credit_hours"));
			buf_printf(&msg, "%s%s", json_array_size(missing) > 1 ? "；" : "", tr("err.publish_missing_hours"));
		}
		if (json_array_size(missing)) {
			json_t *e = json_pack("{s:s,s:s,s:o}", "code", "not_ready", "message", msg.p, "missing", missing);
			buf_free(&msg);
			return reply_json(r, 422, json_pack("{s:o}", "error", e));
		}
		buf_free(&msg);
		json_decref(missing);
	}
	int64_t now = clock_secs(), members = enrolled_members(id);
	if (db_begin() < 0)
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	char *old = db_text("SELECT status FROM courses WHERE id = ?", "i", id);
	int rc;
	if (what == 1)
		rc = db_exec("UPDATE courses SET status = 'published', published_at = ifnull(published_at, ?), updated_at = ?"
			     " WHERE id = ?",
			     "iii", now, now, id);
	else if (what == 2)
		rc = db_exec("UPDATE courses SET status = 'draft', archived_at = ?, updated_at = ? WHERE id = ?", "iii", now,
			     now, id);
	else if (what == 3)
		rc = db_exec("UPDATE courses SET archived_at = NULL, updated_at = ? WHERE id = ?", "ii", now, id);
	else
		rc = db_exec("UPDATE courses SET status = 'draft', updated_at = ? WHERE id = ?", "ii", now, id);
	json_t *detail = json_pack("{s:I}", "enrolled", (json_int_t)members);
	if (what <= 1)
		audit_diff_str(detail, "status", old, what ? "published" : "draft");
	free(old);
	if (rc < 0 || audit_json(r->u->id, actions[what], "course", id, detail) < 0) {
		db_rollback();
		return reply_error(r, 500, "internal", "%s", tr("err.internal"));
	}
	if (db_commit() < 0)
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	json_t *c = course_json(r, id);
	if (!c)
		return reply_error(r, 404, "not_found", "%s", tr("err.course_missing"));
	json_object_set_new(c, "enrolled_members", json_integer(members));
	return reply_json(r, 200, c);
}

/* POST /api/v1/courses/{id}/publish — 422 not_ready with what is missing. */
static int course_publish(req *r)
{
	return set_status(r, 1);
}

/* POST /api/v1/courses/{id}/unpublish — the answer says how many members are enrolled. */
static int course_unpublish(req *r)
{
	return set_status(r, 0);
}

/* POST /api/v1/courses/{id}/archive — withdrawn for good (instead of a delete): hidden from the
   catalog, kept in its members' records and reports. */
static int course_archive(req *r)
{
	return set_status(r, 2);
}

/* POST /api/v1/courses/{id}/restore — an archived course back as a draft. */
static int course_restore(req *r)
{
	return set_status(r, 3);
}

/* POST /api/v1/courses/{id}/enroll (course_view) — idempotent; the count goes up once per member. */
static int course_enroll(req *r)
{
	course_res *c = r->res;
	int64_t id = c->id;
	if (!c->published)
		return reply_error(r, 409, "not_published", "%s", tr("err.course_draft"));
	/* An instructor studies other instructors' courses; their own they preview only. */
	if (db_exists("SELECT 1 FROM courses WHERE id = ? AND owner_id = ?", "ii", id, r->u->id))
		return reply_error(r, 409, "own_course", "%s", tr("err.enrol_own_course"));
	if (db_begin() < 0)
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	int added = db_exec("INSERT OR IGNORE INTO enrollments(user_id, course_id, enrolled_at) VALUES (?,?,?)", "iii",
			    r->u->id, id, clock_secs());
	if (added == 1)
		db_exec("UPDATE courses SET enrolled_count = enrolled_count + 1 WHERE id = ?", "i", id);
	if (added < 0 || db_commit() < 0) {
		db_rollback();
		return reply_error(r, 500, "internal", "%s", tr("err.internal"));
	}
	sqlite3_stmt *st = db_query("SELECT e.progress, c.enrolled_count FROM enrollments e JOIN courses c"
				    " ON c.id = e.course_id WHERE e.user_id = ? AND e.course_id = ?",
				    "ii", r->u->id, id);
	json_t *j = json_pack("{s:I,s:b}", "id", (json_int_t)id, "enrolled", 1);
	if (db_step(st) == 1) {
		json_object_set_new(j, "progress", json_real(sqlite3_column_double(st, 0)));
		json_object_set_new(j, "enrolled_count", json_integer(sqlite3_column_int64(st, 1)));
	}
	db_done(st);
	return reply_json(r, 200, j);
}

/* POST /api/v1/markdown/preview {"body_md"} → {"html"}: the renderer used on save. */
static int markdown_preview(req *r)
{
	const char *md = NULL;
	if (body_str(r, "body_md", 1, COURSE_BODY_MAX, &md) < 0)
		return 0;
	char *html = md_render(md, strlen(md));
	json_t *j = json_pack("{s:s}", "html", html);
	free(html);
	return reply_json(r, 200, j);
}

/* POST /api/v1/courses/{id}/images (course_edit) — the image bytes as the body. Streamed so that
   the size limit (setting image_max) is checked before the body is held in memory. */
static int image_body(req *r, const char *data, size_t len)
{
	if (!r->ctx) {
		r->ctx = r; /* checked */
		const char *cl = req_header(r, "Content-Length");
		if (cl && strtoull(cl, NULL, 10) > (unsigned long long)cfg.image_max)
			return reply_error(r, 413, "too_large", "%s（%lld）", tr("err.image_too_large"),
					   (long long)cfg.image_max),
			       -1;
	}
	if (r->body.len + len > (size_t)cfg.image_max) {
		buf_free(&r->body);
		return reply_error(r, 413, "too_large", "%s（%lld）", tr("err.image_too_large"), (long long)cfg.image_max),
		       -1;
	}
	buf_add(&r->body, data, len);
	return 0;
}

static int image_upload(req *r)
{
	int64_t id = req_id(r, 0);
	const char *mime = image_sniff(r->body.p, r->body.len);
	if (!mime)
		return reply_error(r, 415, "unsupported_media_type", "%s", tr("err.image_type"));
	int64_t img = image_store(id, mime, r->body.p, r->body.len);
	if (img < 0)
		return reply_error(r, 500, "internal", "%s", tr("err.internal"));
	return reply_json(r, 201, json_pack("{s:I,s:s,s:s}", "id", (json_int_t)img, "url",
					    arena_printf(r->a, "/images/%lld", (long long)img), "type", mime));
}

/* GET /images/{id} (image_view: for whoever may see the course the image belongs to). */
static int image_get(req *r)
{
	image_res *im = r->res;
	char path[700];
	image_path(path, sizeof path, im->id, im->mime);
	return reply_file(r, path, im->mime, "private, max-age=86400");
}

sqlite3_stmt *teach_courses_prepare(db_stmt *q, req *r)
{
	return db_prepare(q,
		"SELECT c.id, c.title, c.category, c.credit_hours, c.status, c.enrolled_count, c.updated_at, u.name,"
		" (SELECT count(*) FROM lectures l WHERE l.course_id = c.id AND l.archived_at IS NULL), c.archived_at IS NOT NULL"
		" FROM courses c JOIN users u ON u.id = c.owner_id WHERE ? OR c.owner_id = ?"
		" ORDER BY c.updated_at DESC, c.id DESC",
		"ii", (int64_t)(r->u->role == ROLE_ADMIN), r->u->id);
}

/* GET /api/v1/teach/courses — the instructor's own courses (an admin's: all), drafts included. */
static int teach_courses(req *r)
{
	db_stmt q;
	sqlite3_stmt *st = teach_courses_prepare(&q, r);
	json_t *arr = json_array();
	while (db_step(st) == 1) {
		char iso[24];
		iso_time(sqlite3_column_int64(st, 6), iso);
		json_array_append_new(
			arr, json_pack("{s:I,s:s,s:s,s:f,s:s,s:I,s:s,s:s,s:I}", "id", (json_int_t)sqlite3_column_int64(st, 0),
				       "title", db_col_text(st, 1), "category", db_col_text(st, 2), "credit_hours",
				       sqlite3_column_double(st, 3), "status", db_col_text(st, 4), "enrolled_count",
				       (json_int_t)sqlite3_column_int64(st, 5), "updated_at", iso, "owner_name",
				       db_col_text(st, 7), "lectures", (json_int_t)sqlite3_column_int64(st, 8)));
		json_object_set_new(json_array_get(arr, json_array_size(arr) - 1), "archived",
				    json_boolean(sqlite3_column_int(st, 9)));
	}
	db_finalize(&q);
	return reply_json(r, 200, json_pack("{s:o}", "courses", arr));
}

/* POST /api/v1/assignments {"course_id","org_id","year"} — 201 new, 200 when it already exists. */
static int assignment_create(req *r)
{
	int64_t course = 0, org = 0, year = 0;
	if (body_int(r, "course_id", 1, 1, INT64_MAX, &course) < 0 || body_int(r, "org_id", 1, 1, INT64_MAX, &org) < 0 ||
	    body_int(r, "year", 1, 2000, 2100, &year) < 0)
		return 0;
	if (!db_exists("SELECT 1 FROM courses WHERE id = ?", "i", course))
		return reply_error(r, 422, "invalid_field", "%s（%lld）", tr("err.course_missing"), (long long)course);
	if (!db_exists("SELECT 1 FROM orgs WHERE id = ?", "i", org))
		return reply_error(r, 422, "invalid_field", "%s（%lld）", tr("err.org_missing"), (long long)org);
	int64_t existing =
		db_int(0, "SELECT id FROM assignments WHERE course_id = ? AND org_id = ? AND year = ?", "iii", course, org, year);
	if (existing)
		return reply_json(r, 200, json_pack("{s:I,s:b}", "id", (json_int_t)existing, "created", 0));
	if (db_exec("INSERT INTO assignments(course_id, org_id, year, created_at) VALUES (?,?,?,?)", "iiii", course, org,
		    year, clock_secs()) < 0)
		return reply_error(r, 500, "internal", "%s", tr("err.internal"));
	return reply_json(r, 201, json_pack("{s:I,s:b}", "id", (json_int_t)db_last_id(), "created", 1));
}

/* GET /api/v1/assignments?year=Y (default: this year) */
static int assignment_list(req *r)
{
	int64_t year = parse_id(req_arg(r, "year"));
	if (!year)
		year = year_of(clock_secs());
	db_stmt q;
	sqlite3_stmt *st = db_prepare(&q, "SELECT a.id, a.course_id, c.title, a.org_id, o.name, o.path, a.year"
					  " FROM assignments a JOIN courses c ON c.id = a.course_id JOIN orgs o ON o.id = a.org_id"
					  " WHERE a.year = ? ORDER BY o.path, c.title",
					  "i", year);
	json_t *arr = json_array();
	while (db_step(st) == 1)
		json_array_append_new(arr, json_pack("{s:I,s:I,s:s,s:I,s:s,s:s,s:I}", "id",
						     (json_int_t)sqlite3_column_int64(st, 0), "course_id",
						     (json_int_t)sqlite3_column_int64(st, 1), "course_title",
						     db_col_text(st, 2), "org_id", (json_int_t)sqlite3_column_int64(st, 3),
						     "org_name", db_col_text(st, 4), "org_path", db_col_text(st, 5), "year",
						     (json_int_t)sqlite3_column_int64(st, 6)));
	db_finalize(&q);
	return reply_json(r, 200, json_pack("{s:I,s:o}", "year", (json_int_t)year, "assignments", arr));
}

/* DELETE /api/v1/assignments/{id} */
static int assignment_delete(req *r)
{
	if (db_exec("DELETE FROM assignments WHERE id = ?", "i", req_id(r, 0)) <= 0)
		return reply_error(r, 404, "not_found", "%s", tr("err.assignment_missing"));
	return reply_empty(r, 204);
}

const route course_routes[] = {
	{.method = "POST", .pattern = "/api/v1/courses", .fn = course_create, .roles = R_STAFF, .flags = RF_JSON,
	 .body_max = JSON_BODY_MAX},
	{.method = "GET", .pattern = "/api/v1/courses/{id}", .fn = course_get, .roles = R_ANY, .res = &course_view},
	{.method = "PATCH", .pattern = "/api/v1/courses/{id}", .fn = course_patch, .roles = R_STAFF,
	 .flags = RF_JSON, .body_max = JSON_BODY_MAX, .res = &course_edit},
	{.method = "POST", .pattern = "/api/v1/courses/{id}/publish", .fn = course_publish, .roles = R_STAFF,
	 .res = &course_edit},
	{.method = "POST", .pattern = "/api/v1/courses/{id}/unpublish", .fn = course_unpublish, .roles = R_STAFF,
	 .res = &course_edit},
	{.method = "POST", .pattern = "/api/v1/courses/{id}/archive", .fn = course_archive, .roles = R_STAFF,
	 .res = &course_edit},
	{.method = "POST", .pattern = "/api/v1/courses/{id}/restore", .fn = course_restore, .roles = R_STAFF,
	 .res = &course_edit},
	{.method = "POST", .pattern = "/api/v1/courses/{id}/enroll", .fn = course_enroll, .roles = R_ANY,
	 .res = &course_view},
	{.method = "POST", .pattern = "/api/v1/courses/{id}/images", .fn = image_upload, .roles = R_STAFF,
	 .flags = RF_STREAM, .on_body = image_body, .res = &course_edit},
	{.method = "GET", .pattern = "/images/{id}", .fn = image_get, .roles = R_ANY, .res = &image_view},
	{.method = "POST", .pattern = "/api/v1/markdown/preview", .fn = markdown_preview, .roles = R_STAFF,
	 .flags = RF_JSON, .body_max = JSON_BODY_MAX},
	{.method = "GET", .pattern = "/api/v1/teach/courses", .fn = teach_courses, .roles = R_STAFF},
	{.method = "POST", .pattern = "/api/v1/assignments", .fn = assignment_create, .roles = ROLE_ADMIN,
	 .flags = RF_JSON},
	{.method = "GET", .pattern = "/api/v1/assignments", .fn = assignment_list, .roles = ROLE_ADMIN},
	{.method = "DELETE", .pattern = "/api/v1/assignments/{id}", .fn = assignment_delete, .roles = ROLE_ADMIN},
	ROUTES_END,
};

/* ---- the demo courses ---- */

static const unsigned char demo_png[] = {
#include "demo_png.inc"
};

static const char demo_body1[] =
	"## 课程导读\n\n"
	"党的十八大以来，以全面从严治党为主线的党的建设新的伟大工程取得了历史性成就。"
	"本课程结合基层工作实际，讲清楚**为什么**要全面从严治党、**怎样**把全面从严治党落到每一个支部、每一名党员身上。\n\n"
	"![党建示意图](/images/{IMG})\n\n"
	"## 学习目标\n\n"
	"1. 理解全面从严治党的基本内涵：全面是基础，严是关键，治是要害；\n"
	"2. 掌握党内政治生活的基本制度：“三会一课”、组织生活会、民主评议党员；\n"
	"3. 能够结合本单位实际，查找问题、制定整改措施。\n\n"
	"## 一、全面从严治党的基本要求\n\n"
	"- **思想建党**：坚持用党的创新理论武装头脑，筑牢信仰之基；\n"
	"- **制度治党**：把纪律和规矩挺在前面，让制度成为硬约束；\n"
	"- **作风建设**：锲而不舍落实中央八项规定精神，持续纠治“四风”。\n\n"
	"> 打铁必须自身硬。办好中国的事情，关键在党，关键在党要管党、从严治党。\n\n"
	"## 二、落实到支部\n\n"
	"支部是党的基础组织，是党在基层的战斗堡垒。支部书记要履行“第一责任人”职责，"
	"做到年初有计划、每月有安排、年底有总结。\n\n"
	"## 延伸阅读\n\n"
	"- [共产党员网](https://www.12371.cn/)\n"
	"- 《中国共产党纪律处分条例》\n";

static const char demo_body2[] =
	"## 本课内容\n\n"
	"党支部是党的基础组织。本课围绕支部日常工作，介绍“三会一课”、主题党日和发展党员的基本流程，"
	"适合新任支部书记和支部委员学习。\n\n"
	"![支部工作](/images/{IMG})\n\n"
	"## 一、“三会一课”\n\n"
	"- 支部党员大会：一般每季度召开一次；\n"
	"- 支部委员会：一般每月召开一次；\n"
	"- 党小组会：一般每月召开一次；\n"
	"- 党课：党员每年至少参加一次，支部书记每年至少讲一次。\n\n"
	"## 二、发展党员的五个阶段\n\n"
	"1. 入党申请人的接收与培养；\n"
	"2. 入党积极分子的确定与培养教育；\n"
	"3. 发展对象的确定与考察；\n"
	"4. 预备党员的接收；\n"
	"5. 预备党员的教育考察和转正。\n\n"
	"> 发展党员工作要坚持标准、保证质量、改善结构、慎重发展。\n\n"
	"更多资料见 [共产党员网](https://www.12371.cn/) 的“支部工作”栏目。\n";

static int64_t seed_one(int64_t owner, const char *title, const char *summary, const char *category, double hours,
			const char *body_fmt)
{
	int64_t now = clock_secs();
	if (db_exec("INSERT INTO courses(owner_id, title, summary, category, credit_hours, status, created_at, updated_at,"
		    " published_at) VALUES (?,?,?,?,?,'published',?,?,?)",
		    "isssdiii", owner, title, summary, category, hours, now, now, now) < 0)
		return -1;
	int64_t id = db_last_id();
	int64_t img = image_store(id, "image/png", demo_png, sizeof demo_png);
	if (img < 0)
		return -1;
	/* The body names its image by id, known only now. */
	buf md;
	buf_init(&md);
	const char *at = strstr(body_fmt, "{IMG}");
	buf_add(&md, body_fmt, (size_t)(at - body_fmt));
	buf_printf(&md, "%lld", (long long)img);
	buf_puts(&md, at + 5);
	char *html = md_render(md.p, md.len);
	char *text = md_text(html);
	db_exec("UPDATE courses SET body_md = ?, body_html = ?, body_text = ?, cover_image_id = ? WHERE id = ?", "sssii",
		md.p, html, text, img, id);
	free(html);
	free(text);
	buf_free(&md);
	return id;
}

int seed_courses(const char *data_dir)
{
	if (!cfg.data[0])
		snprintf(cfg.data, sizeof cfg.data, "%s", data_dir);
	int64_t teacher = db_int(0, "SELECT id FROM users WHERE username = 'teacher'", "");
	if (!teacher)
		return -1;
	int64_t c1 = seed_one(teacher, "全面从严治党：理论与实践",
			      "系统学习全面从严治党的基本要求，掌握把管党治党责任落实到支部的方法。", "党史党建", 1.0,
			      demo_body1);
	int64_t c2 = seed_one(teacher, "基层党支部工作实务", "“三会一课”、主题党日与发展党员流程，一课讲清支部日常工作。",
			      "业务能力", 0.5, demo_body2);
	int64_t org = org_resolve_path("市委组织部/第一党委", 0);
	if (c1 < 0 || c2 < 0 || !org)
		return -1;
	return db_exec("INSERT INTO assignments(course_id, org_id, year, created_at) VALUES (?,?,?,?)", "iiii", c1, org,
		       (int64_t)year_of(clock_secs()), clock_secs()) < 0
		       ? -1
		       : 0;
}
