/* audit.c — audit_log(): one inserted row per change (the table refuses updates and deletes), and
 * the admin's reading of it: GET /api/v1/audit, filtered by user, action and day. */
#include "audit.h"
#include "clock.h"
#include "db.h"
#include "http.h"
#include "i18n.h"

#include <stdlib.h>
#include <string.h>

int audit_log(int64_t actor, const char *action, const char *target_kind, int64_t target_id, const char *detail_json)
{
	return db_exec("INSERT INTO audit_log(at, actor_id, action, target_kind, target_id, detail) "
		       "VALUES (?, NULLIF(?, 0), ?, ?, ?, json(?))",
		       "iissis", clock_secs(), actor, action, target_kind, target_id, detail_json ? detail_json : "{}") < 0
		       ? -1
		       : 0;
}

int audit_json(int64_t actor, const char *action, const char *target_kind, int64_t target_id, json_t *detail)
{
	char *s = detail ? json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(detail);
	int rc = audit_log(actor, action, target_kind, target_id, s);
	free(s);
	return rc;
}

int audit_diff_str(json_t *detail, const char *field, const char *old, const char *new_)
{
	if ((!old && !new_) || (old && new_ && !strcmp(old, new_)))
		return 0;
	json_object_set_new(detail, field,
			    json_pack("[oo]", old ? json_string(old) : json_null(), new_ ? json_string(new_) : json_null()));
	return 1;
}

int audit_diff_int(json_t *detail, const char *field, int64_t old, int64_t new_)
{
	if (old == new_)
		return 0;
	json_object_set_new(detail, field, json_pack("[II]", (json_int_t)old, (json_int_t)new_));
	return 1;
}

/* The academy's local midnight that starts day "YYYY-MM-DD" (end = 0) or ends it (end = 1), or -1
   for a malformed day. */
static int64_t day_bound(const char *day, int end)
{
	if (!day || strlen(day) != 10)
		return -1;
	char iso[32];
	snprintf(iso, sizeof iso, "%sT12:00:00Z", day);
	int64_t t = parse_iso(iso);
	if (t < 0)
		return -1;
	/* Noon UTC lies within that local day for zones from -12 h to +12 h; nudge it for the others. */
	for (int i = 0; i < 3; i++) {
		char d[11];
		day_of(t, d);
		int c = strcmp(d, day);
		if (!c)
			break;
		t += c > 0 ? -43200 : 43200;
	}
	int64_t e = day_end(t);
	return end ? e : day_end(t - 86400);
}

/* GET /api/v1/audit?user_id=&actor_id=&action=&target_kind=&target_id=&from=&to=&page=&per_page=
   — newest first. user_id: rows the user did or that were done to them; from/to: academy days. */
static int audit_list(req *r)
{
	int64_t actor = parse_id(req_arg(r, "actor_id")), uid = parse_id(req_arg(r, "user_id"));
	int64_t tid = parse_id(req_arg(r, "target_id"));
	const char *action = req_arg(r, "action"), *tkind = req_arg(r, "target_kind");
	const char *from = req_arg(r, "from"), *to = req_arg(r, "to");
	int64_t t0 = 0, t1 = INT64_MAX;
	if (from && *from && (t0 = day_bound(from, 0)) < 0)
		return reply_error(r, 422, "invalid_field", "%s：from", tr("err.date"));
	if (to && *to && (t1 = day_bound(to, 1)) < 0)
		return reply_error(r, 422, "invalid_field", "%s：to", tr("err.date"));
	if (req_arg(r, "actor_id") && *req_arg(r, "actor_id") && actor <= 0)
		return reply_error(r, 422, "invalid_field", "%s：actor_id", tr("err.field_invalid"));
	if (req_arg(r, "user_id") && *req_arg(r, "user_id") && uid <= 0)
		return reply_error(r, 422, "invalid_field", "%s：user_id", tr("err.field_invalid"));
	int64_t page, per;
	int64_t off = req_page(r, 50, 200, &page, &per);
	const char *act = action && *action ? action : "";
	const char *tk = tkind && *tkind ? tkind : "";
	db_stmt q;
	sqlite3_stmt *st = db_prepare(
		&q,
		"SELECT a.id, a.at, a.actor_id, ua.username, ua.name, a.action, a.target_kind, a.target_id, a.detail,"
		" CASE a.target_kind WHEN 'user' THEN (SELECT ifnull(name, '') || '（' || username || '）' FROM users"
		"  WHERE id = a.target_id) WHEN 'org' THEN (SELECT name FROM orgs WHERE id = a.target_id) END"
		" FROM audit_log a LEFT JOIN users ua ON ua.id = a.actor_id"
		" WHERE a.at >= ?1 AND a.at < ?2 AND (?3 = 0 OR a.actor_id = ?3)"
		" AND (?4 = 0 OR a.actor_id = ?4 OR (a.target_kind = 'user' AND a.target_id = ?4))"
		" AND (?5 = '' OR a.action = ?5 OR a.action LIKE ?5 || '.%') AND (?6 = '' OR a.target_kind = ?6)"
		" AND (?7 = 0 OR a.target_id = ?7) ORDER BY a.id DESC LIMIT ?8 OFFSET ?9",
		"iiiissiii", t0, t1, actor, uid, act, tk, tid, per, off);
	json_t *arr = json_array();
	while (db_step(st) == 1) {
		char iso[24];
		iso_time(sqlite3_column_int64(st, 1), iso);
		json_t *e = json_pack("{s:I,s:s,s:s,s:s,s:I}", "id", (json_int_t)sqlite3_column_int64(st, 0), "at", iso,
				      "action", db_col_text(st, 5), "target_kind", db_col_text(st, 6), "target_id",
				      (json_int_t)sqlite3_column_int64(st, 7));
		if (sqlite3_column_type(st, 2) == SQLITE_NULL) {
			json_object_set_new(e, "actor_id", json_null());
			json_object_set_new(e, "actor", json_null());
		} else {
			json_object_set_new(e, "actor_id", json_integer(sqlite3_column_int64(st, 2)));
			json_object_set_new(e, "actor", json_pack("{s:s,s:s}", "username", db_col_text(st, 3), "name",
								  db_col_text(st, 4)));
		}
		json_t *d = json_loads(db_col_text(st, 8), 0, NULL);
		json_object_set_new(e, "detail", d ? d : json_object());
		json_object_set_new(e, "target_label", sqlite3_column_type(st, 9) == SQLITE_NULL
								? json_null()
								: json_string(db_col_text(st, 9)));
		json_array_append_new(arr, e);
	}
	db_finalize(&q);
	int64_t total = db_int(0,
			       "SELECT count(*) FROM audit_log a"
			       " WHERE a.at >= ?1 AND a.at < ?2 AND (?3 = 0 OR a.actor_id = ?3)"
			       " AND (?4 = 0 OR a.actor_id = ?4 OR (a.target_kind = 'user' AND a.target_id = ?4))"
			       " AND (?5 = '' OR a.action = ?5 OR a.action LIKE ?5 || '.%') AND (?6 = '' OR a.target_kind = ?6)"
			       " AND (?7 = 0 OR a.target_id = ?7)",
			       "iiiissi", t0, t1, actor, uid, act, tk, tid);
	return reply_json(r, 200, json_pack("{s:o,s:I,s:I,s:I}", "entries", arr, "total", (json_int_t)total, "page",
					    (json_int_t)page, "per_page", (json_int_t)per));
}

const route audit_routes[] = {
	{.method = "GET", .pattern = "/api/v1/audit", .fn = audit_list, .roles = ROLE_ADMIN},
	ROUTES_END,
};
