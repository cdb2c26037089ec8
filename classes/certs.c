/* certs.c — certificates: the member's list and yearly study-hours certificate, PDF downloads, the
 * public verification (API and page), revocation by an admin (audited), the admin's list. */
#include "audit.h"
#include "classes/access.h"
#include "classes/cert.h"
#include "classes/classes.h"
#include "classes/code.h"
#include "clock.h"
#include "config.h"
#include "courses/access.h"
#include "courses/courses.h"
#include "db.h"
#include "events.h"
#include "html.h"
#include "i18n.h"
#include "scoring/require.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The yearly requirement printed on a 学时证明 (total, of which required): the one that applies
   to the member's organisation that year (scoring/require.h: own, inherited, or the default). */
static void year_requirement(const user *u, int year, double *total, double *required)
{
	requirement rq = require_of_org(u->org_id, year);
	*total = rq.total_hours;
	*required = rq.required_hours;
}

static json_t *iso_json(int64_t t)
{
	if (!t)
		return json_null();
	char s[32];
	iso_time(t, s);
	return json_string(s);
}

/* A certificate row as the API shows it to its holder or an admin. */
static json_t *cert_row_json(arena *a, sqlite3_stmt *st)
{
	/* columns: code, kind, title, number, issued_at, completed_at, hours, revoked_at, class_id, year, holder */
	const char *code = db_col_text(st, 0);
	json_t *j = json_pack("{s:s,s:s,s:s,s:s,s:o,s:o,s:f,s:b,s:o,s:s,s:s,s:s}", "code", code, "kind",
			      db_col_text(st, 1), "title", db_col_text(st, 2), "number", db_col_text(st, 3), "issued_at",
			      iso_json(sqlite3_column_int64(st, 4)), "completed_at", iso_json(sqlite3_column_int64(st, 5)),
			      "hours", sqlite3_column_double(st, 6), "revoked", sqlite3_column_type(st, 7) != SQLITE_NULL,
			      "revoked_at", iso_json(sqlite3_column_int64(st, 7)), "pdf_url",
			      arena_printf(a, "/api/v1/certificates/%s.pdf", code), "verify_url", cert_verify_url(a, code),
			      "holder", db_col_text(st, 10));
	json_object_set_new(j, "class_id",
			    sqlite3_column_type(st, 8) == SQLITE_NULL ? json_null() : json_integer(sqlite3_column_int64(st, 8)));
	json_object_set_new(j, "year", json_integer(sqlite3_column_int64(st, 9)));
	return j;
}

#define CERT_COLS "code, kind, title, number, issued_at, completed_at, hours, revoked_at, class_id, year, holder"

json_t *certificates_json(int64_t user_id)
{
	arena *a = arena_new();
	json_t *list = json_array();
	db_stmt q;
	sqlite3_stmt *st = db_prepare(&q, "SELECT " CERT_COLS " FROM certificates WHERE user_id = ? ORDER BY issued_at DESC, id DESC",
				      "i", user_id);
	while (db_step(st) == 1)
		json_array_append_new(list, cert_row_json(a, st));
	db_finalize(&q);
	arena_free(a);
	return json_pack("{s:o}", "certificates", list);
}

/* GET /api/v1/me/certificates — the caller's certificates, newest first. */
static int my_certificates(req *r)
{
	return reply_json(r, 200, certificates_json(r->u->id));
}

/* GET /api/v1/certificates?user_id=&class_id= (admin) — every certificate (of that member, of
   that class), newest first, up to 1000. */
static int certificates_list(req *r)
{
	int64_t uid = parse_id(req_arg(r, "user_id")), cid = parse_id(req_arg(r, "class_id"));
	json_t *list = json_array();
	db_stmt q;
	sqlite3_stmt *st = db_prepare(&q,
				      "SELECT " CERT_COLS ", user_id FROM certificates WHERE (?1 = 0 OR user_id = ?1)"
				      " AND (?2 = 0 OR class_id = ?2) ORDER BY issued_at DESC, id DESC LIMIT 1000",
				      "ii", uid, cid);
	while (db_step(st) == 1) {
		json_t *j = cert_row_json(r->a, st);
		json_object_set_new(j, "user_id", json_integer(sqlite3_column_int64(st, 11)));
		json_array_append_new(list, j);
	}
	db_finalize(&q);
	return reply_json(r, 200, json_pack("{s:o}", "certificates", list));
}

/* ---- the yearly study-hours certificate ---- */

typedef struct year_course {
	int64_t id, at;
	double hours;
} year_course;

/* POST /api/v1/me/certificates {"year"} — issues the caller's 学时证明 of that year: every course
   they completed in it (from the course_completed records: date and hours granted then), with
   required/elective as assigned to their organisation that year, and the year's requirement. Its
   content is frozen in the row (and in its digest): 201 the certificate; 200 the latest one of
   that year when nothing has changed since. 422 for a year outside 2000..this year. */
static int year_certificate(req *r)
{
	int64_t year = 0, now = clock_secs();
	if (body_int(r, "year", 1, 2000, year_of(now), &year) < 0)
		return 0;
	int64_t from, to;
	year_bounds((int)year, &from, &to);
	year_course cs[512];
	int n = 0;
	db_stmt q;
	sqlite3_stmt *st = db_prepare(&q,
				      "SELECT ref, at, ifnull(json_extract(data, '$.credit_hours'), 0) FROM events"
				      " WHERE user_id = ? AND kind = 'course_completed' AND at >= ? AND at < ? ORDER BY at, ref",
				      "iii", r->u->id, from, to);
	while (n < (int)ARRAY_LEN(cs) && db_step(st) == 1)
		cs[n++] = (year_course){sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1), sqlite3_column_double(st, 2)};
	db_finalize(&q);
	double total_req, required_req, sum = 0;
	year_requirement(r->u, (int)year, &total_req, &required_req);
	json_t *list = json_array();
	for (int i = 0; i < n; i++) {
		json_t *c = course_json(r, cs[i].id);
		json_array_append_new(list, json_pack("{s:I,s:s,s:I,s:f,s:b}", "id", (json_int_t)cs[i].id, "title",
						      c ? json_string_value(json_object_get(c, "title")) : "", "at",
						      (json_int_t)cs[i].at, "hours", cs[i].hours, "required",
						      course_required_in(r->u, cs[i].id, (int)year)));
		json_decref(c);
		sum += cs[i].hours;
	}
	json_t *body = json_pack("{s:I,s:o,s:f,s:f}", "year", (json_int_t)year, "courses", list, "total_req", total_req,
				 "required_req", required_req);
	char *org = db_text("SELECT o.name FROM users u JOIN orgs o ON o.id = u.org_id WHERE u.id = ?", "i", r->u->id);
	json_object_set_new(body, "org", json_string(org ? org : ""));
	free(org);
	char *text = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(body);
	char title[64];
	snprintf(title, sizeof title, "%lld年度学时证明", (long long)year);
	if (db_begin() < 0) {
		free(text);
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	}
	char *same = db_text("SELECT code FROM certificates WHERE user_id = ? AND kind = 'year' AND revoked_at IS NULL"
			     " AND body = ? ORDER BY id DESC LIMIT 1",
			     "is", r->u->id, text);
	int status = 200;
	char code[32] = "", digest[65];
	if (same) {
		snprintf(code, sizeof code, "%s", same);
		free(same);
	} else {
		int64_t at = n ? cs[n - 1].at : now;
		int64_t id = cert_issue("year", r->u->id, 0, title, round(sum * 100) / 100, from, to - 1, at, text, code,
					digest);
		/* Its ledger row (rule yearly_certificate, ref = the certificate, 0 points), in the same
		   transaction: one row per certificate issued, so a re-issue with new hours has its own. */
		char data[96];
		snprintf(data, sizeof data, "{\"certificate\":\"%s\"}", digest);
		dx_event ev = {.user_id = r->u->id, .kind = "yearly_certificate", .ref = id, .at = now, .data = data};
		status = id < 0 || event_emit(&ev) != 1 ? 500 : 201;
	}
	free(text);
	if (status == 500) {
		db_rollback();
		return reply_error(r, 500, "internal", "%s", tr("err.internal"));
	}
	if (db_commit() < 0)
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	st = db_query("SELECT " CERT_COLS " FROM certificates WHERE code = ?", "s", code);
	json_t *j = db_step(st) == 1 ? cert_row_json(r->a, st) : json_object();
	db_done(st);
	return reply_json(r, status, j);
}

/* ---- PDFs ---- */

int cert_render(int64_t cert_id, buf *out)
{
	sqlite3_stmt *st = db_query("SELECT kind, code, number, holder, title, hours, ifnull(window_from, 0),"
				    " ifnull(window_to, 0), completed_at, issued_at, body, org FROM certificates WHERE id = ?",
				    "i", cert_id);
	if (db_step(st) != 1) {
		db_done(st);
		return 404;
	}
	arena *a = arena_new();
	const char *kind = arena_strdup(a, db_col_text(st, 0)), *code = arena_strdup(a, db_col_text(st, 1));
	const char *number = arena_strdup(a, db_col_text(st, 2)), *holder = arena_strdup(a, db_col_text(st, 3));
	const char *title = arena_strdup(a, db_col_text(st, 4)), *body = arena_strdup(a, db_col_text(st, 10));
	const char *org = arena_strdup(a, db_col_text(st, 11));
	double hours = sqlite3_column_double(st, 5);
	int64_t wf = sqlite3_column_int64(st, 6), wt = sqlite3_column_int64(st, 7);
	int64_t done = sqlite3_column_int64(st, 8), issued = sqlite3_column_int64(st, 9);
	db_done(st);
	char d1[32], d2[32], d3[32];
	int rc;
	if (!strcmp(kind, "class")) {
		cert_date(wf, d1);
		cert_date(wt > 0 ? wt - 1 : wt, d2); /* the last day inside [from, to) */
		cert_date(done, d3);
		cert_class c = {.holder = holder, .class_title = title, .window_from = d1, .window_to = d2, .hours = hours,
				.completed_on = d3, .number = number, .academy = cfg.academy_name,
				.verify_url = cert_verify_url(a, code)};
		rc = cert_class_pdf(&c, cert_buf_write, out);
	} else {
		json_t *b = json_loads(body, 0, NULL);
		json_t *list = json_object_get(b, "courses");
		size_t n = json_array_size(list);
		cert_course *cs = arena_alloc(a, sizeof *cs * (n + 1));
		for (size_t i = 0; i < n; i++) {
			json_t *c = json_array_get(list, i);
			char *d = arena_alloc(a, 32);
			cert_date(json_integer_value(json_object_get(c, "at")), d);
			cs[i] = (cert_course){.title = arena_strdup(a, json_string_value(json_object_get(c, "title")) ?: ""),
					      .date = d, .hours = json_number_value(json_object_get(c, "hours")),
					      .required = json_is_true(json_object_get(c, "required"))};
		}
		cert_date(issued, d3);
		cert_year y = {.holder = holder, .org = org, .year = (int)json_integer_value(json_object_get(b, "year")),
			       .courses = cs, .ncourses = (int)n,
			       .total_req = json_number_value(json_object_get(b, "total_req")),
			       .required_req = json_number_value(json_object_get(b, "required_req")), .issued_on = d3,
			       .number = number, .academy = cfg.academy_name, .verify_url = cert_verify_url(a, code)};
		rc = cert_year_pdf(&y, cert_buf_write, out);
		json_decref(b);
	}
	arena_free(a);
	return rc < 0 ? -1 : 0;
}

/* GET /api/v1/certificates/{code}.pdf (cert_own) — the PDF; 410 when it was revoked. */
static int certificate_pdf(req *r)
{
	const cert_res *c = r->res;
	if (db_exists("SELECT 1 FROM certificates WHERE id = ? AND revoked_at IS NOT NULL", "i", c->id))
		return reply_error(r, 410, "revoked", "%s", tr("classes.cert.revoked"));
	buf b;
	buf_init(&b);
	if (cert_render(c->id, &b) != 0) {
		buf_free(&b);
		return reply_error(r, 500, "internal", "%s", tr("err.internal"));
	}
	char disp[96];
	char *number = db_text("SELECT number FROM certificates WHERE id = ?", "i", c->id);
	snprintf(disp, sizeof disp, "attachment; filename=\"%s.pdf\"", number ? number : "certificate");
	free(number);
	reply_header(r, "Content-Disposition", disp);
	reply_header(r, "Cache-Control", "private, no-store");
	return reply_buf(r, 200, "application/pdf", &b);
}

/* ---- verification ---- */

typedef struct verdict {
	int found;     /* a certificate with this code whose row is intact */
	int tampered;  /* a certificate with this code whose row does not match its digest or the ledger */
	int revoked;
	char kind[8], number[40], title[256], org[128];
	char *holder;  /* masked, malloc'd */
	double hours;
	int64_t completed_at, issued_at, revoked_at;
} verdict;

/* Looks the code up. A code that does not parse and an unknown code are both "not found": the
   answer never tells which. A row that no longer matches its digest, or whose digest is not the
   one its ledger row records in an intact hash chain (cert_covered), is "not genuine": the code
   is unguessable, so saying that it exists tells a forger nothing. */
static void verify_code(const char *seg, verdict *v)
{
	memset(v, 0, sizeof *v);
	char code[32];
	if (!cert_code_arg(seg, 0, code))
		return;
	sqlite3_stmt *st = db_query("SELECT kind, number, title, holder, hours, completed_at, issued_at,"
				    " ifnull(revoked_at, 0), user_id, ifnull(class_id, 0), body, digest, org, id"
				    " FROM certificates WHERE code = ?",
				    "s", code);
	if (db_step(st) == 1) {
		char day[16];
		day_of(sqlite3_column_int64(st, 5), day);
		const char *kind = db_col_text(st, 0);
		cert_facts f = {.cert_id = sqlite3_column_int64(st, 13), .number = db_col_text(st, 1), .code = code,
				.user_id = sqlite3_column_int64(st, 8),
				.holder = db_col_text(st, 3), .class_id = sqlite3_column_int64(st, 9),
				.title = db_col_text(st, 2), .hours = sqlite3_column_double(st, 4), .day = day,
				.body = !strcmp(kind, "year") ? db_col_text(st, 10) : NULL};
		if (!cert_covered(&f, db_col_text(st, 11), 1))
			v->tampered = 1;
		else {
			v->found = 1;
			snprintf(v->kind, sizeof v->kind, "%s", kind);
			snprintf(v->number, sizeof v->number, "%s", db_col_text(st, 1));
			snprintf(v->title, sizeof v->title, "%s", db_col_text(st, 2));
			snprintf(v->org, sizeof v->org, "%s", db_col_text(st, 12));
			v->holder = mask_name(db_col_text(st, 3));
			v->hours = sqlite3_column_double(st, 4);
			v->completed_at = sqlite3_column_int64(st, 5);
			v->issued_at = sqlite3_column_int64(st, 6);
			v->revoked_at = sqlite3_column_int64(st, 7);
			v->revoked = v->revoked_at != 0;
		}
	}
	db_done(st);
}

/* GET /api/v1/verify/{code} (anyone) → {"valid","revoked","kind","title","holder","number","hours",
   "completed_at","issued_at","revoked_at"}; 404 not_found for anything else. */
static int verify_api(req *r)
{
	verdict v;
	verify_code(r->params[0], &v);
	reply_header(r, "Cache-Control", "no-store");
	if (v.tampered)
		return reply_json(r, 200, json_pack("{s:b,s:b,s:b}", "valid", 0, "genuine", 0, "revoked", 0));
	if (!v.found)
		return reply_error(r, 404, "not_found", "%s", tr("classes.verify.not_found"));
	json_t *j = json_pack("{s:b,s:b,s:s,s:s,s:s,s:s,s:f,s:o,s:o,s:o}", "valid", !v.revoked, "revoked", v.revoked, "kind",
			      v.kind, "title", v.title, "holder", v.holder, "number", v.number, "hours", v.hours,
			      "completed_at", iso_json(v.completed_at), "issued_at", iso_json(v.issued_at), "revoked_at",
			      iso_json(v.revoked_at));
	json_object_set_new(j, "genuine", json_true());
	free(v.holder);
	return reply_json(r, 200, j);
}

/* GET /verify/{code} (anyone) — the page a phone opens from the QR code: genuine (for whom, what,
   when) or revoked; a plain "not found" for anything else. */
static int verify_page(req *r)
{
	verdict v;
	verify_code(r->params[0], &v);
	reply_header(r, "Cache-Control", "no-store");
	buf b;
	buf_init(&b);
	if (v.tampered) {
		/* Nothing of the row is shown: which of its fields were altered is unknown. */
		page_begin(r, &b, "verify", tr("classes.verify.title"));
		html_printf(&b,
			    "<section class=\"card verify tampered\" id=\"verify\"><h1>%s</h1>"
			    "<p class=\"verdict bad\" id=\"verdict\">%s</p><p>%s</p></section>",
			    tr("classes.verify.title"), tr("classes.verify.not_genuine"), tr("classes.verify.not_genuine_why"));
		return page_reply(r, &b);
	}
	if (!v.found) {
		page_begin(r, &b, "verify", tr("classes.verify.title"));
		html_printf(&b, "<section class=\"card verify\" id=\"verify\"><h1>%s</h1><p>%s</p></section>",
			    tr("classes.verify.title"), tr("classes.verify.not_found"));
		page_end(r, &b);
		return reply_buf(r, 404, "text/html; charset=utf-8", &b);
	}
	char d1[32], d2[32], h[32];
	cert_date(v.completed_at, d1);
	cert_date(v.revoked ? v.revoked_at : v.issued_at, d2);
	cert_hours(v.hours, h);
	page_begin(r, &b, "verify", tr("classes.verify.title"));
	html_printf(&b, "<section class=\"card verify %s\" id=\"verify\"><h1>%s</h1>", v.revoked ? "revoked" : "genuine",
		    tr("classes.verify.title"));
	if (v.revoked)
		html_printf(&b, "<p class=\"verdict bad\" id=\"verdict\">%s</p><p>%s：%s</p>", tr("classes.verify.revoked"),
			    tr("classes.verify.revoked_on"), d2);
	else
		html_printf(&b, "<p class=\"verdict ok\" id=\"verdict\">%s</p>", tr("classes.verify.genuine"));
	html_printf(&b,
		    "<dl class=\"facts\"><dt>%s</dt><dd id=\"v-holder\">%s</dd><dt>%s</dt><dd>%s</dd>"
		    "<dt>%s</dt><dd id=\"v-title\">%s</dd><dt>%s</dt><dd>%s</dd><dt>%s</dt><dd>%s</dd>"
		    "<dt>%s</dt><dd id=\"v-number\">%s</dd><dt>%s</dt><dd>%s</dd></dl>",
		    tr("classes.verify.holder"), v.holder, tr("classes.verify.kind"),
		    tr(!strcmp(v.kind, "class") ? "classes.cert.kind_class" : "classes.cert.kind_year"),
		    tr("classes.verify.what"), v.title, tr("classes.verify.hours"), arena_printf(r->a, "%s %s", h, tr("course.hours_unit")),
		    tr("classes.verify.when"), d1,
		    tr("classes.verify.number"), v.number, tr("classes.verify.issuer"), cfg.academy_name);
	html_raw(&b, "</section>");
	free(v.holder);
	return page_reply(r, &b);
}

/* POST /api/v1/certificates/{code}/revoke {"reason"} (admin, cert_any) — 200; 409 when revoked
   already. Audited certificate.revoke with the reason. */
static int certificate_revoke(req *r)
{
	const cert_res *c = r->res;
	const char *reason = NULL;
	if (body_str(r, "reason", 1, 500, &reason) < 0)
		return 0;
	const char *p = reason;
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	if (!*p)
		return reply_error(r, 422, "invalid_field", "%s", tr("classes.cert.reason"));
	if (db_begin() < 0)
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	int n = db_exec("UPDATE certificates SET revoked_at = ?, revoked_reason = ?, revoked_by = ? WHERE id = ? AND"
			" revoked_at IS NULL",
			"isii", clock_secs(), reason, r->u->id, c->id);
	if (n == 0) {
		db_rollback();
		return reply_error(r, 409, "revoked", "%s", tr("classes.cert.revoked_already"));
	}
	json_t *d = json_pack("{s:s,s:s}", "code", c->code, "reason", reason);
	char *txt = json_dumps(d, JSON_COMPACT);
	json_decref(d);
	int bad = n < 0 || audit_log(r->u->id, "certificate.revoke", "certificate", c->id, txt) < 0;
	free(txt);
	if (bad) {
		db_rollback();
		return reply_error(r, 500, "internal", "%s", tr("err.internal"));
	}
	if (db_commit() < 0)
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	return reply_json(r, 200, json_pack("{s:b}", "revoked", 1));
}

const route cert_routes[] = {
	{.method = "GET", .pattern = "/api/v1/me/certificates", .fn = my_certificates, .roles = R_ANY},
	{.method = "POST", .pattern = "/api/v1/me/certificates", .fn = year_certificate, .roles = R_ANY, .flags = RF_JSON},
	{.method = "GET", .pattern = "/api/v1/certificates", .fn = certificates_list, .roles = ROLE_ADMIN},
	{.method = "GET", .pattern = "/api/v1/certificates/{code}.pdf", .fn = certificate_pdf, .roles = R_ANY,
	 .res = &cert_own},
	{.method = "POST", .pattern = "/api/v1/certificates/{code}/revoke", .fn = certificate_revoke, .roles = ROLE_ADMIN,
	 .flags = RF_JSON, .res = &cert_any},
	{.method = "GET", .pattern = "/api/v1/verify/{code}", .fn = verify_api, .roles = R_PUBLIC},
	{.method = "GET", .pattern = "/verify/{code}", .fn = verify_page, .roles = R_PUBLIC},
	ROUTES_END,
};
