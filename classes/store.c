/* store.c — classes in the database: loading a class, a member's standing, completion in the
 * transaction of the course completion that caused it, assigned memberships, certificate rows. */
#include "classes/classes.h"
#include "classes/code.h"
#include "clock.h"
#include "config.h"
#include "db.h"
#include "events.h"
#include "scoring/ledger_check.h"

#include <jansson.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *class_mode_name(class_mode m)
{
	return m == CLASS_ASSIGNED ? "assigned" : "open";
}

int class_load(int64_t id, class_row *c)
{
	memset(c, 0, sizeof *c);
	sqlite3_stmt *st = db_query("SELECT title, summary, cover_mime, opens_at, closes_at, capacity, mode, min_hours,"
				    "  ifnull(exam_quiz_id, 0), created_at,"
				    "  (SELECT count(*) FROM class_members m WHERE m.class_id = classes.id)"
				    " FROM classes WHERE id = ?",
				    "i", id);
	int found = db_step(st) == 1;
	if (found) {
		c->id = id;
		c->title = xstrdup(db_col_text(st, 0));
		c->summary = xstrdup(db_col_text(st, 1));
		c->cover_mime = sqlite3_column_type(st, 2) == SQLITE_NULL ? NULL : xstrdup(db_col_text(st, 2));
		c->opens_at = sqlite3_column_int64(st, 3);
		c->closes_at = sqlite3_column_int64(st, 4);
		c->capacity = sqlite3_column_int64(st, 5);
		c->mode = !strcmp(db_col_text(st, 6), "assigned") ? CLASS_ASSIGNED : CLASS_OPEN;
		c->min_hours = sqlite3_column_double(st, 7);
		c->exam_quiz_id = sqlite3_column_int64(st, 8);
		c->created_at = sqlite3_column_int64(st, 9);
		c->members = sqlite3_column_int64(st, 10);
	}
	db_done(st);
	if (!found)
		return 0;
	db_stmt q;
	st = db_prepare(&q, "SELECT course_id, required FROM class_courses WHERE class_id = ? ORDER BY position", "i", id);
	int cap = 0;
	while (db_step(st) == 1) {
		if (c->ncourses == cap) {
			cap = cap ? cap * 2 : 8;
			c->courses = xrealloc(c->courses, sizeof *c->courses * (size_t)cap);
			c->course_required = xrealloc(c->course_required, sizeof *c->course_required * (size_t)cap);
		}
		c->courses[c->ncourses] = sqlite3_column_int64(st, 0);
		c->course_required[c->ncourses++] = sqlite3_column_int(st, 1);
	}
	db_finalize(&q);
	c->required = xcalloc((size_t)c->ncourses + 1, sizeof *c->required);
	c->electives = xcalloc((size_t)c->ncourses + 1, sizeof *c->electives);
	for (int i = 0; i < c->ncourses; i++) {
		if (c->course_required[i])
			c->required[c->nrequired++] = c->courses[i];
		else
			c->electives[c->nelectives++] = c->courses[i];
	}
	return 1;
}

void class_row_free(class_row *c)
{
	free(c->title);
	free(c->summary);
	free(c->cover_mime);
	free(c->courses);
	free(c->course_required);
	free(c->required);
	free(c->electives);
	memset(c, 0, sizeof *c);
}

void class_def_of(const class_row *c, class_def *d)
{
	*d = (class_def){
		.title = c->title,
		.summary = c->summary,
		.opens_at = c->opens_at,
		.closes_at = c->closes_at,
		.required = c->required,
		.nrequired = c->nrequired,
		.electives = c->electives,
		.nelectives = c->nelectives,
		.min_hours = c->min_hours,
		.exam_required = c->exam_quiz_id > 0,
		.capacity = c->capacity,
		.mode = c->mode,
	};
}

int class_membership_of(int64_t class_id, int64_t user_id, class_membership *m)
{
	memset(m, 0, sizeof *m);
	sqlite3_stmt *st = db_query("SELECT m.joined_at, ifnull(m.completed_at, 0), m.how, ifnull(c.code, '')"
				    " FROM class_members m LEFT JOIN certificates c ON c.id = m.certificate_id"
				    " WHERE m.class_id = ? AND m.user_id = ?",
				    "ii", class_id, user_id);
	int found = db_step(st) == 1;
	if (found) {
		m->joined_at = sqlite3_column_int64(st, 0);
		m->completed_at = sqlite3_column_int64(st, 1);
		snprintf(m->how, sizeof m->how, "%s", db_col_text(st, 2));
		snprintf(m->code, sizeof m->code, "%s", db_col_text(st, 3));
	}
	db_done(st);
	return found;
}

/* The member's completions of the class's courses, as the courses module recorded them: the
   "course_completed" events (their time, and the credit hours granted then). */
int class_member_eval(const class_row *c, int64_t user_id, int64_t joined_at, int64_t now, class_progress *p)
{
	course_done *done = xcalloc((size_t)c->ncourses + 1, sizeof *done);
	int n = 0;
	db_stmt q;
	sqlite3_stmt *st = db_prepare(&q,
				      "SELECT e.ref, e.at, ifnull(json_extract(e.data, '$.credit_hours'), 0)"
				      " FROM class_courses cc JOIN events e ON e.user_id = ?1 AND e.kind = 'course_completed'"
				      "   AND e.ref = cc.course_id WHERE cc.class_id = ?2",
				      "ii", user_id, c->id);
	while (n < c->ncourses && db_step(st) == 1) {
		done[n].course_id = sqlite3_column_int64(st, 0);
		done[n].completed_at = sqlite3_column_int64(st, 1);
		done[n++].hours = sqlite3_column_double(st, 2);
	}
	db_finalize(&q);
	int64_t exam = c->exam_quiz_id ? db_int(0, "SELECT at FROM events WHERE user_id = ? AND kind = 'exam_passed' AND ref = ?",
						"ii", user_id, c->exam_quiz_id)
				       : 0;
	class_def d;
	class_def_of(c, &d);
	class_member m = {.joined_at = joined_at, .done = done, .ndone = n, .exam_passed_at = exam};
	int rc = class_evaluate(&d, &m, now, p);
	free(done);
	return rc;
}

void cert_digest(const cert_facts *f, char out[65])
{
	buf b;
	buf_init(&b);
	buf_printf(&b, "dangxiao-certificate-v1\nnumber %s\ncode %s\nmember %lld %s\nclass %lld %s\nhours %.2f\nday %s\n%s",
		   f->number, f->code, (long long)f->user_id, f->holder, (long long)f->class_id, f->title, f->hours, f->day,
		   f->body ? f->body : "");
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, (const unsigned char *)b.p, b.len);
	hex_encode(h, sizeof h, out);
	buf_free(&b);
}

int cert_covered(const cert_facts *f, const char *stored_digest, int chain)
{
	char want[65];
	cert_digest(f, want);
	if (!stored_digest || sodium_memcmp(want, stored_digest, sizeof want - 1) != 0 || strlen(stored_digest) != 64)
		return 0;
	/* A class certificate: the row of the class; a yearly one: the row of the certificate. */
	const char *rule = f->class_id ? "class_completed" : "yearly_certificate";
	char ref[24], *detail = NULL;
	snprintf(ref, sizeof ref, "%lld", (long long)(f->class_id ? f->class_id : f->cert_id));
	int found;
	if (chain)
		found = ledger_row_checked(f->user_id, rule, ref, &detail);
	else {
		detail = db_text("SELECT detail FROM ledger WHERE user_id = ? AND rule = ? AND ref = ?", "iss", f->user_id,
				 rule, ref);
		found = detail != NULL;
	}
	int ok = 0;
	if (found == 1) {
		json_t *j = json_loads(detail, 0, NULL);
		const char *d = json_string_value(json_object_get(j, "certificate"));
		ok = d && strlen(d) == 64 && sodium_memcmp(d, want, 64) == 0;
		json_decref(j);
	}
	free(detail);
	return ok;
}

int certs_verify_all(FILE *out, FILE *err)
{
	db_stmt q;
	sqlite3_stmt *st = db_prepare(&q,
				      "SELECT number, code, user_id, holder, ifnull(class_id, 0), title, hours, completed_at,"
				      " kind, body, digest, id FROM certificates ORDER BY id",
				      NULL);
	int64_t n = 0;
	int bad = 0, rc;
	while ((rc = db_step(st)) == 1) {
		char day[16];
		day_of(sqlite3_column_int64(st, 7), day);
		cert_facts f = {.cert_id = sqlite3_column_int64(st, 11), .number = db_col_text(st, 0),
				.code = db_col_text(st, 1), .user_id = sqlite3_column_int64(st, 2),
				.holder = db_col_text(st, 3), .class_id = sqlite3_column_int64(st, 4),
				.title = db_col_text(st, 5), .hours = sqlite3_column_double(st, 6), .day = day,
				.body = !strcmp(db_col_text(st, 8), "year") ? db_col_text(st, 9) : NULL};
		if (!cert_covered(&f, db_col_text(st, 10), 0)) {
			fprintf(err,
				"dangxiao verify: FAILED: certificate %s (member %lld): its row does not match its digest or "
				"the digest the ledger recorded (the certificate was altered)\n",
				f.number, (long long)f.user_id);
			bad = 1;
			break;
		}
		n++;
	}
	db_finalize(&q);
	if (rc < 0 && !bad) {
		fprintf(err, "dangxiao verify: cannot read the certificates: %s\n", db_errmsg());
		bad = 1;
	}
	if (!bad)
		fprintf(out, "certificates ok: %lld checked against their digests and the ledger\n", (long long)n);
	return bad;
}

int64_t cert_issue(const char *kind, int64_t user_id, int64_t class_id, const char *title, double hours,
		   int64_t window_from, int64_t window_to, int64_t completed_at, const char *body, char code_out[32],
		   char digest_out[65])
{
	int64_t now = clock_secs();
	int year = year_of(now);
	int64_t seq = db_int(0, "SELECT ifnull(max(seq), 0) + 1 FROM certificates WHERE year = ?", "i", (int64_t)year);
	char number[40], code[CODE_LEN + 1], day[16];
	if (cert_number(number, sizeof number, "DX", year, seq) < 0)
		return -1;
	code_new(code);
	day_of(completed_at, day);
	char *holder = db_text("SELECT name FROM users WHERE id = ?", "i", user_id);
	cert_facts f = {.number = number, .code = code, .user_id = user_id, .holder = holder ? holder : "",
			.class_id = class_id, .title = title, .hours = hours, .day = day, .body = body};
	cert_digest(&f, digest_out);
	free(holder);
	if (db_exec("INSERT INTO certificates(code, number, year, seq, kind, user_id, class_id, holder, org, title, hours,"
		    " window_from, window_to, completed_at, issued_at, body, digest)"
		    " SELECT ?, ?, ?, ?, ?, u.id, NULLIF(?, 0), u.name, ifnull(o.name, ''), ?, ?, NULLIF(?, 0), NULLIF(?, 0),"
		    "   ?, ?, ?, ? FROM users u LEFT JOIN orgs o ON o.id = u.org_id WHERE u.id = ?",
		    "ssiisisdiiiissi", code, number, (int64_t)year, seq, kind, class_id, title, hours, window_from,
		    window_to, completed_at, now, body ? body : "{}", digest_out, user_id) != 1)
		return -1;
	snprintf(code_out, 32, "%s", code);
	return db_last_id();
}

int class_check_member(const class_row *c, int64_t user_id, int64_t now)
{
	class_membership m;
	if (!class_membership_of(c->id, user_id, &m) || m.completed_at)
		return 0;
	class_progress p;
	if (class_member_eval(c, user_id, m.joined_at, now, &p) < 0)
		return 0; /* a class that does not validate (edited by hand): nothing completes */
	int complete = p.complete;
	int64_t at = p.completed_at;
	double hours = p.hours;
	class_progress_free(&p);
	if (!complete)
		return 0;
	char code[32], digest[65];
	int64_t cert = cert_issue("class", user_id, c->id, c->title, hours, c->opens_at, c->closes_at, at, NULL, code,
				  digest);
	if (cert < 0 || db_exec("UPDATE class_members SET completed_at = ?, certificate_id = ? WHERE class_id = ? AND"
				" user_id = ? AND completed_at IS NULL",
				"iiii", at, cert, c->id, user_id) != 1)
		return -1;
	char data[96];
	snprintf(data, sizeof data, "{\"certificate\":\"%s\"}", digest);
	dx_event ev = {.user_id = user_id, .kind = "class_completed", .ref = c->id, .at = at, .data = data};
	return event_emit(&ev) < 0 ? -1 : 1;
}

int class_sync_assigned(int64_t user_id, int64_t now)
{
	return db_exec("INSERT OR IGNORE INTO class_members(class_id, user_id, joined_at, how)"
		       " SELECT co.class_id, u.id, max(min(co.created_at), u.created_at), 'assigned'"
		       " FROM users u JOIN orgs uo ON uo.id = u.org_id JOIN class_orgs co JOIN orgs o ON o.id = co.org_id"
		       " JOIN classes c ON c.id = co.class_id"
		       " WHERE u.id = ?1 AND u.role = 'member' AND substr(uo.path, 1, length(o.path)) = o.path"
		       "   AND c.closes_at > ?2"
		       " GROUP BY co.class_id",
		       "ii", user_id, now) < 0
		       ? -1
		       : 0;
}

/* Checks every class of the user that the event may complete: those containing the course (or
   whose exam is the quiz) that the member has not completed yet. */
static int check_classes(const dx_event *e, const char *sql)
{
	int64_t ids[64];
	int n = 0, rc = 0;
	db_stmt q;
	sqlite3_stmt *st = db_prepare(&q, sql, "ii", e->user_id, e->ref);
	while (n < (int)ARRAY_LEN(ids) && db_step(st) == 1)
		ids[n++] = sqlite3_column_int64(st, 0);
	db_finalize(&q);
	for (int i = 0; i < n && rc >= 0; i++) {
		class_row c;
		if (!class_load(ids[i], &c))
			continue;
		rc = class_check_member(&c, e->user_id, e->at);
		class_row_free(&c);
	}
	return rc < 0 ? -1 : 0;
}

int classes_on_event(const dx_event *e)
{
	if (!strcmp(e->kind, "course_completed")) {
		if (class_sync_assigned(e->user_id, e->at) < 0)
			return -1;
		return check_classes(e, "SELECT m.class_id FROM class_members m JOIN class_courses cc ON cc.class_id = m.class_id"
					" WHERE m.user_id = ?1 AND cc.course_id = ?2 AND m.completed_at IS NULL");
	}
	if (!strcmp(e->kind, "exam_passed")) {
		if (class_sync_assigned(e->user_id, e->at) < 0)
			return -1;
		return check_classes(e, "SELECT m.class_id FROM class_members m JOIN classes c ON c.id = m.class_id"
					" WHERE m.user_id = ?1 AND c.exam_quiz_id = ?2 AND m.completed_at IS NULL");
	}
	if (!strcmp(e->kind, "login"))
		return class_sync_assigned(e->user_id, e->at);
	return 0;
}

const char *cert_verify_url(arena *a, const char *code)
{
	if (cfg.public_url[0]) {
		size_t n = strlen(cfg.public_url);
		while (n && cfg.public_url[n - 1] == '/')
			n--;
		return arena_printf(a, "%.*s/verify/%s", (int)n, cfg.public_url, code);
	}
	return arena_printf(a, "http://%s/verify/%s", cfg.listen, code);
}
