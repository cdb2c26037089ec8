/* award.c — points and credit hours from the other modules' events (server/events.h), in the
 * transaction of the event: the rule in force that day, its daily cap, one ledger row per award
 * (idempotent by its reference), the day's and the year's totals. */
#include "scoring/award.h"
#include "clock.h"
#include "courses/access.h"
#include "db.h"
#include "i18n.h"
#include "people.h"
#include "scoring/ledger.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What an award adds to the member's year besides its points. */
typedef struct year_add {
	double hours_required, hours_elective, study_s;
	int courses;
} year_add;

static int totals_add(int64_t uid, int year, int64_t points, const year_add *y, int64_t now)
{
	return db_exec("INSERT INTO score_totals(user_id, year, hours_required, hours_elective, study_s, points,"
		       "  courses_completed, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
		       "ON CONFLICT(user_id, year) DO UPDATE SET hours_required = hours_required + excluded.hours_required,"
		       "  hours_elective = hours_elective + excluded.hours_elective, study_s = study_s + excluded.study_s,"
		       "  points = points + excluded.points, courses_completed = courses_completed + excluded.courses_completed,"
		       "  updated_at = excluded.updated_at",
		       "iidddiii", uid, (int64_t)year, y->hours_required, y->hours_elective, y->study_s, points,
		       (int64_t)y->courses, now) < 0
		       ? -1
		       : 0;
}

/* Points the member has been awarded today under `code`. */
static int awarded_today(int64_t uid, int ymd, const char *code)
{
	return (int)db_int(0, "SELECT points FROM score_daily WHERE user_id = ? AND day = ? AND rule = ?", "iis", uid,
			   (int64_t)ymd, code);
}

static int daily_add(int64_t uid, int ymd, const char *code, int64_t points)
{
	return db_exec("INSERT INTO score_daily(user_id, day, rule, points) VALUES (?, ?, ?, ?) "
		       "ON CONFLICT(user_id, day, rule) DO UPDATE SET points = points + excluded.points",
		       "iisi", uid, (int64_t)ymd, code, points) < 0
		       ? -1
		       : 0;
}

/* One award under `code` for event e: the rule in force on the event's day, capped by what the
   member earned today under it. `record` writes the row even at 0 points (a course's credit
   hours, a certificate's digest are facts the ledger keeps whatever the points). */
static int award_one(const dx_event *e, const char *code, const char *ref, double quantity, const char *detail,
		     int record, const year_add *y)
{
	academy_day d = academy_day_of(e->at);
	point_rule rule;
	if (rules_in_force(code, d.dayno, &rule) < 0)
		return -1;
	int before = awarded_today(e->user_id, d.ymd, code);
	int pts = rule_award(&rule, quantity, before);
	if (pts == 0 && !record)
		return 0;
	award a = {.user_id = e->user_id, .rule = code, .points = pts, .ref = ref, .at = e->at, .detail = detail};
	int n = ledger_append(&a);
	if (n <= 0)
		return n; /* a replay: nothing more */
	static const year_add none;
	if ((pts > 0 && daily_add(e->user_id, d.ymd, code, pts) < 0) ||
	    totals_add(e->user_id, d.year, pts, y ? y : &none, e->at) < 0)
		return -1;
	return 1;
}

/* Study time: every heartbeat's seconds go to the day and the year; a point for each full 5
   minutes of the day (the rule's arithmetic), each award with the day's running point count as
   its reference, so a replay of the same crossing is the same row. */
static int award_study(const dx_event *e)
{
	if (!(e->amount > 0) || !isfinite(e->amount))
		return 0;
	academy_day d = academy_day_of(e->at);
	/* The day's row read, then written: an upsert with RETURNING builds an ephemeral table on
	   every call, a measurable share of a heartbeat (docs/performance.md). The event's
	   transaction holds the write lock, so nothing changes the row in between. */
	sqlite3_stmt *st = db_query("SELECT qty, points FROM score_daily WHERE user_id = ? AND day = ? AND rule = ?", "iis",
				    e->user_id, (int64_t)d.ymd, RULE_STUDY);
	int rc = db_step(st);
	int had = rc == 1;
	double day_s = (had ? sqlite3_column_double(st, 0) : 0) + e->amount;
	int before = had ? sqlite3_column_int(st, 1) : 0;
	db_done(st);
	if (rc < 0)
		return -1;
	rc = had ? db_exec("UPDATE score_daily SET qty = qty + ? WHERE user_id = ? AND day = ? AND rule = ?", "diis",
			   e->amount, e->user_id, (int64_t)d.ymd, RULE_STUDY)
		 : db_exec("INSERT INTO score_daily(user_id, day, rule, points, qty) VALUES (?, ?, ?, 0, ?)", "iisd",
			   e->user_id, (int64_t)d.ymd, RULE_STUDY, e->amount);
	if (rc != 1)
		return -1;
	point_rule rule;
	if (rules_in_force(RULE_STUDY, d.dayno, &rule) < 0)
		return -1;
	int pts = rule_award(&rule, day_s, before);
	year_add y = {.study_s = e->amount};
	if (pts > 0) {
		char ref[32];
		snprintf(ref, sizeof ref, "%d/%d", d.ymd, before + pts);
		award a = {.user_id = e->user_id, .rule = RULE_STUDY, .points = pts, .ref = ref, .at = e->at};
		int n = ledger_append(&a);
		if (n < 0 || (n == 1 && daily_add(e->user_id, d.ymd, RULE_STUDY, pts) < 0))
			return -1;
		if (n == 0)
			pts = 0;
	}
	return totals_add(e->user_id, d.year, pts, &y, e->at);
}

/* A course completed: its credit hours, granted once (the ledger row's reference is the course),
   in the year of completion, required when that year's assignments make it required for the
   member's organisation, else elective. */
static int award_course(const dx_event *e, const char *ref)
{
	double hours = 0;
	json_t *j = e->data ? json_loads(e->data, 0, NULL) : NULL;
	json_t *h = json_object_get(j, "credit_hours");
	if (json_is_number(h))
		hours = json_number_value(h);
	json_decref(j);
	if (!isfinite(hours) || hours < 0)
		hours = 0;
	/* The member as the courses module's rule wants them: their organisation's path. */
	int64_t org = db_int(0, "SELECT org_id FROM users WHERE id = ?", "i", e->user_id);
	char *path = org ? org_path(org) : NULL;
	user u = {.id = e->user_id, .org_id = org, .org_path = path ? path : "/", .role = ROLE_MEMBER};
	int required = course_required_for(&u, e->ref);
	free(path);
	year_add y = {.courses = 1};
	if (required)
		y.hours_required = hours;
	else
		y.hours_elective = hours;
	char detail[96];
	snprintf(detail, sizeof detail, "{\"credit_hours\":%.4g,\"required\":%s}", hours, required ? "true" : "false");
	return award_one(e, RULE_COURSE, ref, hours, detail, 1, &y);
}

/* A topic class completed (code class_completed) or a yearly 学时证明 issued (yearly_certificate,
   ref = the certificate): the rule's points and the certificate's digest, hashed with the row so
   that the certificate is covered by the ledger's integrity checks. */
static int award_class(const dx_event *e, const char *ref, const char *code)
{
	json_t *j = e->data ? json_loads(e->data, 0, NULL) : NULL;
	const char *cert = json_string_value(json_object_get(j, "certificate"));
	json_t *detail = json_pack("{s:s}", "certificate", cert ? cert : "");
	char *text = json_dumps(detail, JSON_COMPACT);
	int rc = award_one(e, code, ref, 0, text, 1, NULL);
	free(text);
	json_decref(detail);
	json_decref(j);
	return rc;
}

int scoring_on_event(const dx_event *e)
{
	char ref[24];
	snprintf(ref, sizeof ref, "%lld", (long long)e->ref);
	const char *k = e->kind;
	int rc = 0;
	if (!strcmp(k, "study"))
		rc = award_study(e);
	else if (!strcmp(k, "login"))
		rc = award_one(e, RULE_LOGIN, ref, 0, NULL, 0, NULL);
	else if (!strcmp(k, "lecture_completed"))
		rc = award_one(e, RULE_LECTURE, ref, 0, NULL, 0, NULL);
	else if (!strcmp(k, "course_completed"))
		rc = award_course(e, ref);
	else if (!strcmp(k, "exam_passed"))
		rc = award_one(e, RULE_EXAM_PASS, ref, 0, NULL, 0, NULL);
	else if (!strcmp(k, "exam_full_marks"))
		rc = award_one(e, RULE_EXAM_FULL, ref, 0, NULL, 0, NULL);
	else if (!strcmp(k, "quiz_answer"))
		rc = e->amount > 0 ? award_one(e, RULE_DAILY_QUIZ, ref, e->amount, NULL, 0, NULL) : 0;
	else if (!strcmp(k, "course_rated"))
		rc = award_one(e, RULE_RATED, ref, 0, NULL, 0, NULL);
	else if (!strcmp(k, "class_completed"))
		rc = award_class(e, ref, RULE_CLASS);
	else if (!strcmp(k, "yearly_certificate"))
		rc = award_class(e, ref, RULE_YEAR_CERT);
	return rc < 0 ? -1 : 0;
}

/* ---- a test seam: POST /api/v1/test/event (only with --test-clock) ----
   Emits an event as the module that owns its kind would, in a transaction of its own: for kinds
   whose emitter is not written yet, and with "replay": true calls the listeners again without the
   events table's own deduplication, to prove that every award is idempotent by itself. */
static int test_event(req *r)
{
	if (!clock_is_test())
		return reply_error(r, 404, "not_found", "%s", tr("err.not_found"));
	int64_t uid = 0, ref = 0;
	const char *kind = NULL, *data = NULL;
	double amount = 0;
	int replay = 0;
	if (body_int(r, "user_id", 1, 1, INT64_MAX, &uid) < 0 || body_str(r, "kind", 1, 40, &kind) < 0 ||
	    body_int(r, "ref", 1, 0, INT64_MAX, &ref) < 0 || body_num(r, "amount", 0, -1e9, 1e9, &amount) < 0 ||
	    body_str(r, "data", 0, 4000, &data) < 0 || body_bool(r, "replay", 0, &replay) < 0)
		return 0;
	json_t *dj = data ? json_loads(data, 0, NULL) : NULL;
	int data_ok = !data || json_is_object(dj);
	json_decref(dj);
	if (!data_ok)
		return reply_error(r, 422, "invalid_data", "%s", tr("err.json_malformed"));
	if (!db_exists("SELECT 1 FROM users WHERE id = ?", "i", uid))
		return reply_error(r, 404, "not_found", "%s", tr("err.user_missing"));
	dx_event ev = {.user_id = uid, .kind = kind, .ref = ref, .at = clock_secs(), .amount = amount, .data = data};
	if (db_begin() < 0)
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	int n = replay ? event_notify(&ev) : event_emit(&ev);
	if (n < 0) {
		db_rollback();
		return reply_error(r, 500, "internal", "%s", tr("err.internal"));
	}
	if (db_commit() < 0)
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	return reply_json(r, 200, json_pack("{s:b}", "new", replay || n == 1));
}

const route scoring_test_routes[] = {
	{.method = "POST", .pattern = "/api/v1/test/event", .fn = test_event, .roles = ROLE_ADMIN, .flags = RF_JSON},
	ROUTES_END,
};
