/* bank.c — a course's question bank (list, create, edit, delete or retire, CSV/Markdown import) and
 * its exam's settings. A question drawn into any attempt is frozen: editing it stores a new
 * question and retires the old one, deleting it retires it, so old attempts and statistics keep
 * exactly what their members saw. */
#include "audit.h"
#include "clock.h"
#include "courses/access.h"
#include "db.h"
#include "i18n.h"
#include "quiz/import.h"
#include "quiz/quiz.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define BANK_BODY_MAX (256u << 10) /* one question as JSON */
#define IMPORT_BODY_MAX (4u << 20) /* a CSV or Markdown file of up to 2,000 questions */

char *bank_body(const question *q)
{
	question c;
	q_copy(&c, q);
	c.id = 0;
	json_t *j = q_to_json(&c, 1);
	char *s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	q_free(&c);
	return s;
}

/* Parsed questions that were drawn into an attempt: their text never changes after that (an edit
   makes a new question), so starting, grading and showing an attempt copy them from here instead of
   parsing and validating their JSON again (bench/exam.sh). Direct-mapped by id; `retired` is always
   read from the row. */
#define QCACHE_SIZE 1024
static struct qcache_slot {
	int64_t id; /* 0: empty */
	question q;
} g_qcache[QCACHE_SIZE];
static pthread_mutex_t g_qcache_mu = PTHREAD_MUTEX_INITIALIZER;

static int qcache_get(int64_t id, question *q)
{
	int hit = 0;
	pthread_mutex_lock(&g_qcache_mu);
	struct qcache_slot *s = &g_qcache[(uint64_t)id % QCACHE_SIZE];
	if (s->id == id) {
		q_copy(q, &s->q);
		hit = 1;
	}
	pthread_mutex_unlock(&g_qcache_mu);
	return hit;
}

static void qcache_put(int64_t id, const question *q)
{
	pthread_mutex_lock(&g_qcache_mu);
	struct qcache_slot *s = &g_qcache[(uint64_t)id % QCACHE_SIZE];
	if (s->id)
		q_free(&s->q);
	q_copy(&s->q, q);
	s->id = id;
	pthread_mutex_unlock(&g_qcache_mu);
}

int bank_load(int64_t id, question *q)
{
	q_init(q);
	sqlite3_stmt *st = db_query("SELECT body, retired, used FROM questions WHERE id = ?", "i", id);
	if (db_step(st) != 1) {
		db_done(st);
		return -1;
	}
	int retired = sqlite3_column_int(st, 1), used = sqlite3_column_int(st, 2);
	if (used && qcache_get(id, q)) {
		db_done(st);
		q->retired = retired;
		return 0;
	}
	json_t *j = json_loads(db_col_text(st, 0), 0, NULL);
	db_done(st);
	q_error err;
	int rc = j ? q_from_json(j, q, &err) : -1;
	json_decref(j);
	if (rc < 0)
		return -1;
	q->id = id;
	q->retired = retired;
	if (used)
		qcache_put(id, q);
	return 0;
}

/* Answers 422 for a question that failed validation: the code is the catalog key's last part. */
static int reply_invalid(req *r, const q_error *e)
{
	const char *key = qv_key(e->code);
	const char *code = strrchr(key, '.') ? strrchr(key, '.') + 1 : key;
	if (e->index >= 0)
		return reply_error(r, 422, code, "%s（%s #%d）", tr(key), e->field, e->index + 1);
	return reply_error(r, 422, code, "%s（%s）", tr(key), e->field);
}

/* The bank question as its editors see it. */
static json_t *question_json(const question *q, int used)
{
	json_t *j = q_to_json(q, 1);
	json_object_set_new(j, "retired", json_boolean(q->retired));
	json_object_set_new(j, "used", json_boolean(used));
	return j;
}

int64_t bank_insert(int64_t course, const question *q, int64_t now)
{
	char *body = bank_body(q);
	int rc = db_exec("INSERT INTO questions(course_id, type, body, created_at, updated_at) VALUES (?,?,?,?,?)",
			 "issii", course, q_type_name(q->type), body, now, now);
	free(body);
	return rc < 0 ? -1 : db_last_id();
}

/* GET /api/v1/courses/{id}/questions[?retired=1] (course_edit) */
static int questions_list(req *r)
{
	int64_t course = req_id(r, 0);
	const char *ret = req_arg(r, "retired");
	int with_retired = ret && !strcmp(ret, "1");
	json_t *list = json_array();
	db_stmt q;
	sqlite3_stmt *st = db_prepare(&q,
				      "SELECT id, used FROM questions WHERE course_id = ? AND (retired = 0 OR ?)"
				      " ORDER BY id",
				      "ii", course, (int64_t)with_retired);
	while (db_step(st) == 1) {
		question qu;
		if (bank_load(sqlite3_column_int64(st, 0), &qu) == 0) {
			json_array_append_new(list, question_json(&qu, sqlite3_column_int(st, 1)));
			q_free(&qu);
		}
	}
	db_finalize(&q);
	return reply_json(r, 200, json_pack("{s:o}", "questions", list));
}

/* POST /api/v1/courses/{id}/questions {"type","stem","options","answer","explanation","tags"} (course_edit) */
static int question_create(req *r)
{
	question q;
	q_error e;
	if (q_from_json(r->json, &q, &e) < 0)
		return reply_invalid(r, &e);
	if (db_begin() < 0) {
		q_free(&q);
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	}
	int64_t id = bank_insert(req_id(r, 0), &q, clock_secs());
	q_free(&q);
	if (id < 0 || audit_log(r->u->id, "question.create", "question", id, NULL) < 0) {
		db_rollback();
		return reply_error(r, 500, "internal", "%s", tr("err.internal"));
	}
	if (db_commit() < 0)
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	return reply_json(r, 201, json_pack("{s:I}", "id", (json_int_t)id));
}

/* GET /api/v1/questions/{id} (question_edit) */
static int question_get(req *r)
{
	question q;
	if (bank_load(req_id(r, 0), &q) < 0)
		return reply_error(r, 404, "not_found", "%s", tr("quiz.err.question_missing"));
	json_t *j = question_json(&q, (int)db_int(0, "SELECT used FROM questions WHERE id = ?", "i", q.id));
	q_free(&q);
	return reply_json(r, 200, j);
}

/* PUT /api/v1/questions/{id} (question_edit) — the whole question again. A question drawn into an
   attempt is kept as it was (retired) and the edit becomes a new question: {"id"} is then the new id. */
static int question_put(req *r)
{
	const question_res *qr = r->res;
	question q;
	q_error e;
	if (q_from_json(r->json, &q, &e) < 0)
		return reply_invalid(r, &e);
	if (db_begin() < 0) {
		q_free(&q);
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	}
	int64_t now = clock_secs(), id = qr->id;
	int used = 0, retired = 0;
	sqlite3_stmt *st = db_query("SELECT used, retired FROM questions WHERE id = ?", "i", qr->id);
	if (db_step(st) == 1) {
		used = sqlite3_column_int(st, 0);
		retired = sqlite3_column_int(st, 1);
	}
	db_done(st);
	int rc = 0;
	if (retired) {
		q_free(&q);
		db_rollback();
		return reply_error(r, 409, "retired", "%s", tr("quiz.err.retired"));
	}
	if (used) {
		id = bank_insert(qr->course_id, &q, now);
		rc = id < 0 ? -1
			    : db_exec("UPDATE questions SET retired = 1, replaced_by = ?, updated_at = ? WHERE id = ?",
				      "iii", id, now, qr->id);
	} else {
		char *body = bank_body(&q);
		rc = db_exec("UPDATE questions SET type = ?, body = ?, updated_at = ? WHERE id = ?", "ssii",
			     q_type_name(q.type), body, now, qr->id);
		free(body);
	}
	q_free(&q);
	char detail[64];
	snprintf(detail, sizeof detail, "{\"new_id\":%lld}", (long long)id);
	if (rc < 0 || audit_log(r->u->id, "question.update", "question", qr->id, detail) < 0) {
		db_rollback();
		return reply_error(r, 500, "internal", "%s", tr("err.internal"));
	}
	if (db_commit() < 0)
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	return reply_json(r, 200, json_pack("{s:I,s:b}", "id", (json_int_t)id, "replaced", used));
}

/* DELETE /api/v1/questions/{id} (question_edit) → {"deleted"} or {"retired"} when it was used; 409
   for one retired already (it stays for the attempts and statistics that have it). */
static int question_delete(req *r)
{
	const question_res *qr = r->res;
	if (db_begin() < 0)
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	if (db_int(0, "SELECT retired FROM questions WHERE id = ?", "i", qr->id)) {
		db_rollback();
		return reply_error(r, 409, "retired", "%s", tr("quiz.err.retired"));
	}
	int used = (int)db_int(0, "SELECT used FROM questions WHERE id = ?", "i", qr->id);
	int rc = used ? db_exec("UPDATE questions SET retired = 1, updated_at = ? WHERE id = ?", "ii", clock_secs(),
				qr->id)
		      : db_exec("DELETE FROM questions WHERE id = ?", "i", qr->id);
	if (rc < 0 || audit_log(r->u->id, used ? "question.retire" : "question.delete", "question", qr->id, NULL) < 0) {
		db_rollback();
		return reply_error(r, 500, "internal", "%s", tr("err.internal"));
	}
	if (db_commit() < 0)
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	return reply_json(r, 200, json_pack("{s:b,s:b}", "deleted", !used, "retired", used));
}

/* POST /api/v1/courses/{id}/questions/import[?dry_run=1] (course_edit) — a text/csv or a
   text/markdown (text/plain) body. Good questions are stored, bad ones reported with their line:
   {"created","ids","errors":[{"line","message"}]}; a dry run stores nothing and answers the parsed
   "questions" (the preview). */
static int questions_import(req *r)
{
	const char *ct = req_header(r, "Content-Type");
	int csv = ct && !strncasecmp(ct, "text/csv", 8);
	int md = ct && (!strncasecmp(ct, "text/markdown", 13) || !strncasecmp(ct, "text/plain", 10));
	if (!csv && !md)
		return reply_error(r, 415, "unsupported_media_type", "%s", tr("quiz.err.import_type"));
	if (!r->body.len)
		return reply_error(r, 422, "empty", "%s", tr("quiz.err.import_empty"));
	const char *dry = req_arg(r, "dry_run");
	int dry_run = dry && !strcmp(dry, "1");
	qi_result res;
	int whole = csv ? qi_parse_csv(r->body.p, r->body.len, &res) : qi_parse_md(r->body.p, r->body.len, &res);
	json_t *errors = json_array();
	for (int i = 0; i < res.nerrors; i++)
		json_array_append_new(errors, json_pack("{s:i,s:s}", "line", res.errors[i].line, "message",
							tr(res.errors[i].key)));
	if (whole < 0) {
		qi_free(&res);
		json_t *e = json_pack("{s:{s:s,s:s},s:o}", "error", "code", "import_refused", "message",
				      json_string_value(json_object_get(json_array_get(errors, 0), "message")),
				      "errors", errors);
		return reply_json(r, 422, e);
	}
	json_t *ids = json_array(), *preview = json_array();
	if (dry_run) {
		for (int i = 0; i < res.nitems; i++) {
			json_t *j = q_to_json(&res.items[i].q, 1);
			json_object_set_new(j, "line", json_integer(res.items[i].line));
			json_object_set_new(j, "section", json_string(res.items[i].section));
			json_array_append_new(preview, j);
		}
	} else if (res.nitems) {
		if (db_begin() < 0) {
			qi_free(&res);
			json_decref(errors);
			json_decref(ids);
			json_decref(preview);
			return reply_error(r, 503, "busy", "%s", tr("err.busy"));
		}
		int64_t now = clock_secs();
		int bad = 0;
		for (int i = 0; i < res.nitems && !bad; i++) {
			int64_t id = bank_insert(req_id(r, 0), &res.items[i].q, now);
			if (id < 0)
				bad = 1;
			else
				json_array_append_new(ids, json_integer(id));
		}
		char detail[64];
		snprintf(detail, sizeof detail, "{\"created\":%d,\"errors\":%d}", res.nitems, res.nerrors);
		if (bad || audit_log(r->u->id, "question.import", "course", req_id(r, 0), detail) < 0) {
			db_rollback();
			qi_free(&res);
			json_decref(errors);
			json_decref(ids);
			json_decref(preview);
			return reply_error(r, 500, "internal", "%s", tr("err.internal"));
		}
		if (db_commit() < 0) {
			qi_free(&res);
			json_decref(errors);
			json_decref(ids);
			json_decref(preview);
			return reply_error(r, 503, "busy", "%s", tr("err.busy"));
		}
	}
	json_t *out = json_pack("{s:i,s:o,s:o}", "created", dry_run ? 0 : res.nitems, "ids", ids, "errors", errors);
	if (dry_run)
		json_object_set_new(out, "questions", preview);
	else
		json_decref(preview);
	qi_free(&res);
	return reply_json(r, 200, out);
}

/* The quiz's settings as JSON. */
static json_t *quiz_settings_json(int64_t id)
{
	sqlite3_stmt *st = db_query("SELECT course_id, num_questions, pass_score, time_limit_s, max_attempts,"
				    " (SELECT count(*) FROM questions b WHERE b.course_id = q.course_id AND b.retired = 0)"
				    " FROM quizzes q WHERE id = ?",
				    "i", id);
	json_t *j = NULL;
	if (db_step(st) == 1)
		j = json_pack("{s:I,s:I,s:i,s:i,s:i,s:i,s:i}", "id", (json_int_t)id, "course_id",
			      (json_int_t)sqlite3_column_int64(st, 0), "num_questions", sqlite3_column_int(st, 1),
			      "pass_score", sqlite3_column_int(st, 2), "time_limit_s", sqlite3_column_int(st, 3),
			      "max_attempts", sqlite3_column_int(st, 4), "bank_size", sqlite3_column_int(st, 5));
	db_done(st);
	return j;
}

/* PUT /api/v1/courses/{id}/quiz {"num_questions","pass_score","time_limit_s","max_attempts"} (course_edit)
   → {"id"}: creates the course's exam or changes it. Fields left out keep their value (the defaults
   10, 60, 1800, 3 for a new one). Attempts already started keep what they started with. */
static int quiz_put(req *r)
{
	int64_t course = req_id(r, 0);
	int64_t num = 10, pass = 60, limit = 1800, max = 3;
	int64_t id = db_int(0, "SELECT id FROM quizzes WHERE course_id = ?", "i", course);
	if (id) {
		sqlite3_stmt *st = db_query("SELECT num_questions, pass_score, time_limit_s, max_attempts FROM quizzes WHERE id = ?",
					    "i", id);
		if (db_step(st) == 1) {
			num = sqlite3_column_int64(st, 0);
			pass = sqlite3_column_int64(st, 1);
			limit = sqlite3_column_int64(st, 2);
			max = sqlite3_column_int64(st, 3);
		}
		db_done(st);
	}
	if (body_int(r, "num_questions", 0, 1, 100, &num) < 0 ||
	    body_int(r, "pass_score", 0, INT32_MIN, INT32_MAX, &pass) < 0)
		return 0;
	if (!q_pass_score_valid(pass))
		return reply_error(r, 422, "pass_score", "%s", tr("quiz.err.pass_score"));
	if (body_int(r, "time_limit_s", 0, 0, 7 * 86400, &limit) < 0 || body_int(r, "max_attempts", 0, 0, 100, &max) < 0)
		return 0;
	if (limit > 0 && limit < 60)
		return reply_error(r, 422, "time_limit", "%s", tr("quiz.err.time_limit"));
	if (db_begin() < 0)
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	int64_t now = clock_secs();
	int rc;
	if (id)
		rc = db_exec("UPDATE quizzes SET num_questions = ?, pass_score = ?, time_limit_s = ?, max_attempts = ?,"
			     " updated_at = ? WHERE id = ?",
			     "iiiiii", num, pass, limit, max, now, id);
	else {
		rc = db_exec("INSERT INTO quizzes(course_id, num_questions, pass_score, time_limit_s, max_attempts,"
			     " created_at, updated_at) VALUES (?,?,?,?,?,?,?)",
			     "iiiiiii", course, num, pass, limit, max, now, now);
		id = db_last_id();
	}
	char detail[160];
	snprintf(detail, sizeof detail,
		 "{\"num_questions\":%lld,\"pass_score\":%lld,\"time_limit_s\":%lld,\"max_attempts\":%lld}",
		 (long long)num, (long long)pass, (long long)limit, (long long)max);
	if (rc < 0 || audit_log(r->u->id, "quiz.update", "quiz", id, detail) < 0) {
		db_rollback();
		return reply_error(r, 500, "internal", "%s", tr("err.internal"));
	}
	if (db_commit() < 0)
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	return reply_json(r, 200, quiz_settings_json(id));
}

/* GET /api/v1/courses/{id}/quiz (course_view) → the course's exam with the caller's state; 404 none. */
static int quiz_of_course(req *r)
{
	int64_t id = db_int(0, "SELECT id FROM quizzes WHERE course_id = ?", "i", req_id(r, 0));
	quiz_res q;
	if (!id || !quiz_lookup(r->u, id, &q))
		return reply_error(r, 404, "not_found", "%s", tr("quiz.err.no_quiz"));
	json_t *j = quiz_settings_json(id);
	if (!q.editor)
		json_object_del(j, "bank_size");
	json_object_set_new(j, "me", quiz_member_state(r->u->id, &q));
	return reply_json(r, 200, j);
}

/* GET /api/v1/quizzes/{id} (quiz_view) → as GET /api/v1/courses/{id}/quiz. */
static int quiz_get(req *r)
{
	const quiz_res *q = r->res;
	json_t *j = quiz_settings_json(q->id);
	if (!q->editor)
		json_object_del(j, "bank_size");
	json_object_set_new(j, "me", quiz_member_state(r->u->id, q));
	return reply_json(r, 200, j);
}

const route bank_routes[] = {
	{.method = "GET",
	 .pattern = "/api/v1/courses/{id}/questions",
	 .fn = questions_list,
	 .roles = R_STAFF,
	 .res = &course_edit},
	{.method = "POST",
	 .pattern = "/api/v1/courses/{id}/questions",
	 .fn = question_create,
	 .roles = R_STAFF,
	 .flags = RF_JSON,
	 .body_max = BANK_BODY_MAX,
	 .res = &course_edit},
	{.method = "POST",
	 .pattern = "/api/v1/courses/{id}/questions/import",
	 .fn = questions_import,
	 .roles = R_STAFF,
	 .flags = RF_RAWBODY,
	 .body_max = IMPORT_BODY_MAX,
	 .res = &course_edit},
	{.method = "GET", .pattern = "/api/v1/questions/{id}", .fn = question_get, .roles = R_STAFF, .res = &question_edit},
	{.method = "PUT",
	 .pattern = "/api/v1/questions/{id}",
	 .fn = question_put,
	 .roles = R_STAFF,
	 .flags = RF_JSON,
	 .body_max = BANK_BODY_MAX,
	 .res = &question_edit},
	{.method = "DELETE",
	 .pattern = "/api/v1/questions/{id}",
	 .fn = question_delete,
	 .roles = R_STAFF,
	 .res = &question_edit},
	{.method = "PUT",
	 .pattern = "/api/v1/courses/{id}/quiz",
	 .fn = quiz_put,
	 .roles = R_STAFF,
	 .flags = RF_JSON,
	 .res = &course_edit},
	{.method = "GET", .pattern = "/api/v1/courses/{id}/quiz", .fn = quiz_of_course, .roles = R_ANY, .res = &course_view},
	{.method = "GET", .pattern = "/api/v1/quizzes/{id}", .fn = quiz_get, .roles = R_ANY, .res = &quiz_view},
	ROUTES_END,
};
