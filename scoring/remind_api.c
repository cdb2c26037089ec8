/* remind_api.c — scoring's settings (the default requirement, the reminders' webhook and weekly
 * hour) and the reminders routes: queue one for a subtree now, list what was queued and sent. */
#include "audit.h"
#include "clock.h"
#include "db.h"
#include "http.h"
#include "i18n.h"
#include "scoring/outbox.h"
#include "scoring/report_api.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const setting_keys[] = { REQ_SETTING_TOTAL, REQ_SETTING_REQUIRED, SET_WEBHOOK, SET_WEEKDAY, SET_HOUR };
static const char *const setting_fields[] = { "default_total_hours", "default_required_hours", "webhook_url",
					      "remind_weekday", "remind_hour" };
#define NSET 5

static int setting_num(const char *key, double dflt, double *out)
{
	char *v = db_text("SELECT value FROM settings WHERE key = ?", "s", key);
	*out = dflt;
	if (v) {
		char *end;
		double d = strtod(v, &end);
		if (end != v && !*end && isfinite(d))
			*out = d;
	}
	free(v);
	return 0;
}

static json_t *settings_json(void)
{
	requirement d = require_default();
	double wd, hr;
	setting_num(SET_WEEKDAY, 1, &wd);
	setting_num(SET_HOUR, 9, &hr);
	char *url = db_text("SELECT value FROM settings WHERE key = ?", "s", SET_WEBHOOK);
	json_t *j = json_pack("{s:f,s:f,s:s,s:i,s:i}", "default_total_hours", d.total_hours, "default_required_hours",
			      d.required_hours, "webhook_url", url ? url : "", "remind_weekday", (int)wd, "remind_hour",
			      (int)hr);
	free(url);
	return j;
}

/* GET /api/v1/scoring/settings (admin) */
static int settings_get(req *r)
{
	return reply_json(r, 200, settings_json());
}

/* A webhook address: empty (reminders off), or http(s)://… of at most 2048 bytes without spaces
   or control characters. */
static int webhook_ok(const char *u)
{
	if (!*u)
		return 1;
	if (strncmp(u, "http://", 7) && strncmp(u, "https://", 8))
		return 0;
	if (strlen(u) > 2048 || strlen(u) < 10)
		return 0;
	for (const unsigned char *p = (const unsigned char *)u; *p; p++)
		if (*p <= 0x20 || *p == 0x7f)
			return 0;
	return 1;
}

/* PUT /api/v1/scoring/settings {"default_total_hours"?,"default_required_hours"?,"webhook_url"?,
   "remind_weekday"?,"remind_hour"?} (admin) — any of them; audited. */
static int settings_put(req *r)
{
	requirement d = require_default();
	double tot = d.total_hours, reqd = d.required_hours;
	const char *url = NULL;
	int64_t wd = -1, hr = -1;
	int ht, hq;
	if ((ht = body_num(r, "default_total_hours", 0, -1e12, 1e12, &tot)) < 0 ||
	    (hq = body_num(r, "default_required_hours", 0, -1e12, 1e12, &reqd)) < 0 ||
	    body_str(r, "webhook_url", 0, 2100, &url) < 0 || body_int(r, "remind_weekday", 0, 1, 7, &wd) < 0 ||
	    body_int(r, "remind_hour", 0, 0, 23, &hr) < 0)
		return 0;
	if (ht || hq) {
		const char *why = req_validate(year_of(clock_secs()), tot, reqd, year_of(clock_secs()));
		if (why)
			return reply_error(r, 422, strcmp(why, "scoring.err.req_required_gt_total") ? "invalid_hours"
												   : "required_above_total",
					   "%s", tr(why));
	}
	if (url && !webhook_ok(url))
		return reply_error(r, 422, "invalid_url", "%s", tr("scoring.err.webhook"));
	char vals[NSET][64];
	const char *val[NSET] = { NULL };
	if (ht) {
		snprintf(vals[0], sizeof vals[0], "%.17g", tot);
		val[0] = vals[0];
	}
	if (hq) {
		snprintf(vals[1], sizeof vals[1], "%.17g", reqd);
		val[1] = vals[1];
	}
	val[2] = url;
	if (wd > 0) {
		snprintf(vals[3], sizeof vals[3], "%lld", (long long)wd);
		val[3] = vals[3];
	}
	if (hr >= 0) {
		snprintf(vals[4], sizeof vals[4], "%lld", (long long)hr);
		val[4] = vals[4];
	}
	if (db_begin() < 0)
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	json_t *detail = json_object();
	int bad = 0;
	for (int i = 0; i < NSET; i++) {
		if (!val[i])
			continue;
		char *old = db_text("SELECT value FROM settings WHERE key = ?", "s", setting_keys[i]);
		/* The webhook address may hold the robot's key: the audit row says that it changed, not to what. */
		int secret = i == 2;
		json_object_set_new(detail, setting_fields[i],
				    secret ? json_string("changed")
					   : json_pack("[s?,s]", old, val[i]));
		free(old);
		bad |= db_exec("INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
			       "ss", setting_keys[i], val[i]) < 0;
	}
	char *dj = json_dumps(detail, JSON_COMPACT);
	json_decref(detail);
	bad |= audit_log(r->u->id, "setting.update", "settings", 0, dj) < 0;
	free(dj);
	if (bad) {
		db_rollback();
		return reply_error(r, 500, "internal", "%s", tr("err.internal"));
	}
	if (db_commit() < 0)
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	return reply_json(r, 200, settings_json());
}

/* POST /api/v1/reminders?org_id=O {"year"?} (assessor for own subtree, admin) — queues the reminder
   of the subtree: 202 {"id","state":"pending","content"}; 409 when no webhook is set. The delivery
   happens on the outbox thread: this answers at once whatever the receiver does. */
static int reminders_post(req *r)
{
	const assess_org *s = r->res;
	int this_year = year_of(clock_secs());
	int64_t year = this_year;
	if (body_int(r, "year", 0, 0, 1000000, &year) < 0)
		return 0;
	if (year_validate((int)year, this_year))
		return reply_error(r, 422, "invalid_year", "%s", tr("scoring.err.year_range"));
	char *content = NULL;
	char *msg = outbox_build(s->path, (int)year, clock_secs(), &content);
	if (!msg)
		return reply_error(r, 500, "internal", "%s", tr("err.internal"));
	if (db_begin() < 0) {
		free(msg);
		free(content);
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	}
	int64_t id = outbox_insert("manual", s->id, (int)year, clock_secs(), r->u->id, NULL, msg);
	free(msg);
	if (id > 0) {
		char detail[96];
		snprintf(detail, sizeof detail, "{\"year\":%lld,\"outbox_id\":%lld}", (long long)year, (long long)id);
		if (audit_log(r->u->id, "reminder.send", "org", s->id, detail) < 0)
			id = -1;
	}
	if (id <= 0) {
		db_rollback();
		free(content);
		if (id == -2)
			return reply_error(r, 409, "no_webhook", "%s", tr("scoring.err.no_webhook"));
		return reply_error(r, 500, "internal", "%s", tr("err.internal"));
	}
	if (db_commit() < 0) {
		free(content);
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	}
	outbox_wake();
	json_t *j = json_pack("{s:I,s:s,s:s}", "id", (json_int_t)id, "state", "pending", "content", content ? content : "");
	free(content);
	return reply_json(r, 202, j);
}

/* GET /api/v1/reminders?org_id=O (assessor for own subtree, admin) — the reminders queued for the
   subtree (an admin's whole scope: all, the weekly ones too), newest first, 50 a page. */
static int reminders_list(req *r)
{
	const assess_org *s = r->res;
	int64_t page, per;
	int64_t off = req_page(r, 50, 200, &page, &per);
	char *end = arena_strdup(r->a, s->path);
	end[strlen(end) - 1] = '0';
	db_stmt q;
	sqlite3_stmt *st = db_prepare(
		&q,
		"SELECT b.id, b.kind, b.org_id, b.year, b.created_at, b.attempts, b.state, b.next_at, b.sent_at,"
		" b.last_status, b.last_error, b.body FROM remind_outbox b LEFT JOIN orgs o ON o.id = b.org_id"
		" WHERE (?1 = '/' OR (o.path >= ?1 AND o.path < ?2)) ORDER BY b.id DESC LIMIT ?3 OFFSET ?4",
		"ssii", s->path, end, per, off);
	json_t *arr = json_array();
	while (db_step(st) == 1) {
		char c[24], n[24], x[24];
		iso_time(sqlite3_column_int64(st, 4), c);
		iso_time(sqlite3_column_int64(st, 7), n);
		json_t *body = json_loads(db_col_text(st, 11), 0, NULL);
		json_t *e = json_pack("{s:I,s:s,s:i,s:s,s:i,s:s,s:s,s:s?}", "id", (json_int_t)sqlite3_column_int64(st, 0),
				      "kind", db_col_text(st, 1), "year", sqlite3_column_int(st, 3), "created_at", c,
				      "attempts", sqlite3_column_int(st, 5), "state", db_col_text(st, 6), "next_at", n,
				      "last_error", sqlite3_column_type(st, 10) == SQLITE_NULL ? NULL : db_col_text(st, 10));
		json_object_set_new(e, "org_id", sqlite3_column_type(st, 2) == SQLITE_NULL ? json_null()
										: json_integer(sqlite3_column_int64(st, 2)));
		if (sqlite3_column_type(st, 8) != SQLITE_NULL) {
			iso_time(sqlite3_column_int64(st, 8), x);
			json_object_set_new(e, "sent_at", json_string(x));
		} else {
			json_object_set_new(e, "sent_at", json_null());
		}
		json_object_set_new(e, "last_status", sqlite3_column_type(st, 9) == SQLITE_NULL
							      ? json_null()
							      : json_integer(sqlite3_column_int64(st, 9)));
		json_t *ct = json_object_get(json_object_get(body, "text"), "content");
		json_object_set_new(e, "content", ct ? json_incref(ct) : json_string(""));
		json_decref(body);
		json_array_append_new(arr, e);
	}
	db_finalize(&q);
	return reply_json(r, 200, json_pack("{s:o,s:I}", "reminders", arr, "page", (json_int_t)page));
}

const route remind_routes[] = {
	{.method = "GET", .pattern = "/api/v1/scoring/settings", .fn = settings_get, .roles = ROLE_ADMIN},
	{.method = "PUT", .pattern = "/api/v1/scoring/settings", .fn = settings_put, .roles = ROLE_ADMIN, .flags = RF_JSON},
	{.method = "POST", .pattern = "/api/v1/reminders", .fn = reminders_post, .roles = R_ASSESS, .flags = RF_JSON,
	 .res = &assess_scope, .res_arg = "org_id"},
	{.method = "GET", .pattern = "/api/v1/reminders", .fn = reminders_list, .roles = R_ASSESS, .res = &assess_scope,
	 .res_arg = "org_id"},
	ROUTES_END,
};
