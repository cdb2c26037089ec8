/* users.c — the admin's user endpoints: create, search (paged, sorted), read, edit (name,
 * organisation, role), disable / re-enable, reset a password, move many at once. Each change is
 * one transaction with its audit rows (server/audit.h); an edit that carries the version it read
 * is refused (409 `stale`) when the row changed since. */
#include "audit.h"
#include "auth.h"
#include "clock.h"
#include "db.h"
#include "http.h"
#include "i18n.h"
#include "people.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/* One user as the admin pages show it (NULL when there is none). */
static json_t *user_admin_json(int64_t id)
{
	sqlite3_stmt *st = db_query("SELECT u.id, u.username, u.name, u.role, u.org_id, o.name, u.active, u.must_change_pw,"
				    " u.version, u.created_at, u.updated_at,"
				    " (SELECT count(*) FROM orgs x WHERE x.name = o.name) > 1"
				    " FROM users u JOIN orgs o ON o.id = u.org_id WHERE u.id = ?",
				    "i", id);
	json_t *j = NULL;
	if (db_step(st) == 1) {
		char c[24], m[24];
		iso_time(sqlite3_column_int64(st, 9), c);
		iso_time(sqlite3_column_int64(st, 10), m);
		j = json_pack("{s:I,s:s,s:s,s:s,s:I,s:s,s:b,s:b,s:I,s:s,s:s}", "id", (json_int_t)sqlite3_column_int64(st, 0),
			      "username", db_col_text(st, 1), "name", db_col_text(st, 2), "role", db_col_text(st, 3),
			      "org_id", (json_int_t)sqlite3_column_int64(st, 4), "org_name", db_col_text(st, 5), "active",
			      sqlite3_column_int(st, 6), "must_change_password", sqlite3_column_int(st, 7), "version",
			      (json_int_t)sqlite3_column_int64(st, 8), "created_at", c, "updated_at", m);
		int dup = sqlite3_column_int(st, 11);
		int64_t org = sqlite3_column_int64(st, 4);
		db_done(st);
		char *full = org_full_name(org);
		json_object_set_new(j, "org_full_name", json_string(full ? full : ""));
		json_object_set_new(j, "org_label", json_string(dup && full ? full : json_string_value(json_object_get(j, "org_name"))));
		free(full);
		return j;
	}
	db_done(st);
	return NULL;
}

/* POST /api/v1/users {"username","name","password","role","org_id"} */
static int users_create(req *r)
{
	const char *uname = NULL, *name = NULL, *password = NULL, *role = NULL;
	int64_t org = 0;
	if (body_str(r, "username", 1, 128, &uname) < 0 || body_str(r, "name", 1, 64, &name) < 0 ||
	    body_str(r, "password", 1, 4096, &password) < 0 || body_str(r, "role", 1, 16, &role) < 0 ||
	    body_int(r, "org_id", 1, 1, INT64_MAX, &org) < 0)
		return 0;
	char *un = username_norm(uname);
	const char *username = arena_strdup(r->a, un);
	free(un);
	if (!username_ok(username))
		return reply_error(r, 422, "invalid_field", "%s", tr("err.username"));
	if (!*name)
		return reply_error(r, 422, "invalid_field", "%s", tr("err.name"));
	if (!role_from_name(role))
		return reply_error(r, 422, "invalid_field", "%s", tr("err.role"));
	const char *why = password_weak(password);
	if (why)
		return reply_error(r, 422, strcmp(why, "err.weak_password") ? "password_too_long" : "weak_password", "%s",
				   tr(why));
	if (!db_exists("SELECT 1 FROM orgs WHERE id = ?", "i", org))
		return reply_error(r, 422, "invalid_field", "%s（%lld）", tr("err.org_missing"), (long long)org);
	char hash[128];
	if (password_hash(password, hash) < 0) /* before the transaction: Argon2id takes a while */
		return reply_error(r, 500, "internal", "%s", tr("err.internal"));
	if (db_begin() < 0)
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	int64_t id = user_insert(username, name, role, org, hash);
	if (id > 0 && audit_json(r->u->id, "user.create", "user", id,
				 json_pack("{s:s,s:s,s:s,s:I}", "username", username, "name", name, "role", role, "org_id",
					   (json_int_t)org)) < 0)
		id = -1;
	if (id <= 0) {
		db_rollback();
		if (id == 0)
			return reply_error(r, 409, "exists", "%s：%s", tr("err.username_taken"), username);
		return reply_error(r, 500, "internal", "%s", tr("err.internal"));
	}
	if (db_commit() < 0)
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	return reply_json(r, 201, json_pack("{s:I}", "id", (json_int_t)id));
}

/* GET /api/v1/users/{id} (member_scope) */
static int users_get(req *r)
{
	json_t *j = user_admin_json(req_id(r, 0));
	if (!j)
		return reply_error(r, 404, "not_found", "%s", tr("err.user_missing"));
	return reply_json(r, 200, j);
}

/* PATCH /api/v1/users/{id} (member_scope) {"name"?,"role"?,"org_id"?,"active"?,"version"?} — the only
   active admin keeps the role and stays active (409), checked in the write transaction so that two
   concurrent demotions cannot both pass. Disabling ends the user's sessions at once. */
static int users_update(req *r)
{
	int64_t id = req_id(r, 0);
	const char *name = NULL, *role = NULL;
	int64_t org = 0, version = 0;
	int active = -1;
	if (body_str(r, "name", 0, 64, &name) < 0 || body_str(r, "role", 0, 16, &role) < 0 ||
	    body_int(r, "org_id", 0, 1, INT64_MAX, &org) < 0 || body_bool(r, "active", 0, &active) < 0 ||
	    body_int(r, "version", 0, 1, INT64_MAX, &version) < 0)
		return 0;
	if (name && !*name)
		return reply_error(r, 422, "invalid_field", "%s", tr("err.name"));
	if (role && !role_from_name(role))
		return reply_error(r, 422, "invalid_field", "%s", tr("err.role"));
	if (org && !db_exists("SELECT 1 FROM orgs WHERE id = ?", "i", org))
		return reply_error(r, 422, "invalid_field", "%s（%lld）", tr("err.org_missing"), (long long)org);
	if (db_begin() < 0)
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	sqlite3_stmt *st = db_query("SELECT name, role, org_id, active, version FROM users WHERE id = ?", "i", id);
	const char *old_name = "", *old_role = "";
	int64_t old_org = 0, old_active = 0, cur = 0;
	if (db_step(st) == 1) {
		old_name = arena_strdup(r->a, db_col_text(st, 0));
		old_role = arena_strdup(r->a, db_col_text(st, 1));
		old_org = sqlite3_column_int64(st, 2);
		old_active = sqlite3_column_int64(st, 3);
		cur = sqlite3_column_int64(st, 4);
	}
	db_done(st);
	if (version && version != cur) {
		db_rollback();
		return reply_error(r, 409, "stale", "%s", tr("err.stale"));
	}
	if (((role && strcmp(role, "admin")) || active == 0) && last_admin(id)) {
		db_rollback();
		return reply_error(r, 409, "last_admin", "%s", tr(active == 0 ? "err.last_admin_disable" : "err.last_admin"));
	}
	json_t *d = json_object();
	audit_diff_str(d, "name", old_name, name ? name : old_name);
	audit_diff_str(d, "role", old_role, role ? role : old_role);
	audit_diff_int(d, "org_id", old_org, org ? org : old_org);
	int toggled = active >= 0 && active != old_active;
	int ok = 1;
	if (json_object_size(d) || toggled) {
		ok = db_exec("UPDATE users SET name = ?, role = ?, org_id = ?, active = ?, version = version + 1,"
			     " updated_at = ? WHERE id = ?",
			     "ssiiii", name ? name : old_name, role ? role : old_role, org ? org : old_org,
			     (int64_t)(active >= 0 ? active : old_active), clock_secs(), id) >= 0;
		if (ok && json_object_size(d))
			ok = audit_json(r->u->id, "user.update", "user", id, json_incref(d)) == 0;
		if (ok && toggled)
			ok = audit_json(r->u->id, active ? "user.enable" : "user.disable", "user", id, NULL) == 0;
		/* A disabled user's sessions end now: the next request with their token is a 401. */
		if (ok && active == 0)
			ok = db_exec("DELETE FROM sessions WHERE user_id = ?", "i", id) >= 0;
	}
	json_decref(d);
	if (!ok) {
		db_rollback();
		return reply_error(r, 500, "internal", "%s", tr("err.internal"));
	}
	if (db_commit() < 0)
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	json_t *j = user_admin_json(id);
	return reply_json(r, 200, j ? j : json_object());
}

/* A one-time password: 12 characters without look-alikes (0/O, 1/l/I), ~70 bits. */
static void one_time_password(char out[13])
{
	static const char alphabet[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
	for (int i = 0; i < 12; i++)
		out[i] = alphabet[randombytes_uniform(sizeof alphabet - 1)];
	out[12] = 0;
}

/* POST /api/v1/users/{id}/password-reset?version=V — a new one-time password, answered once
   and never stored in clear; the user must change it at the next login; their sessions end. */
static int users_password_reset(req *r)
{
	int64_t id = req_id(r, 0), version = parse_id(req_arg(r, "version"));
	char pw[13], hash[128];
	one_time_password(pw);
	if (password_hash(pw, hash) < 0)
		return reply_error(r, 500, "internal", "%s", tr("err.internal"));
	if (db_begin() < 0)
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	int64_t cur = db_int(0, "SELECT version FROM users WHERE id = ?", "i", id);
	if (version && version != cur) {
		db_rollback();
		return reply_error(r, 409, "stale", "%s", tr("err.stale"));
	}
	if (db_exec("UPDATE users SET pw_hash = ?, must_change_pw = 1, version = version + 1, updated_at = ? WHERE id = ?",
		    "sii", hash, clock_secs(), id) < 0 ||
	    db_exec("DELETE FROM sessions WHERE user_id = ?", "i", id) < 0 ||
	    audit_json(r->u->id, "user.password_reset", "user", id, NULL) < 0) {
		db_rollback();
		return reply_error(r, 500, "internal", "%s", tr("err.internal"));
	}
	if (db_commit() < 0)
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	json_t *j = user_admin_json(id);
	json_object_set_new(j, "password", json_string(pw));
	sodium_memzero(pw, sizeof pw);
	return reply_json(r, 200, j);
}

#define MOVE_MAX 1000

/* POST /api/v1/users/move {"user_ids":[…],"org_id"} — all of them into one organisation, in one
   transaction: an unknown id refuses the whole request (422, nothing moves). Users already there
   are left as they are. → {"moved","unchanged"} */
static int users_move(req *r)
{
	int64_t org = 0;
	if (body_int(r, "org_id", 1, 1, INT64_MAX, &org) < 0)
		return 0;
	json_t *ids = json_object_get(r->json, "user_ids");
	if (!json_is_array(ids) || !json_array_size(ids))
		return reply_error(r, 422, "invalid_field", "%s：user_ids", tr("err.user_ids"));
	if (json_array_size(ids) > MOVE_MAX)
		return reply_error(r, 422, "too_many", "%s（%d）", tr("err.too_many_users"), MOVE_MAX);
	size_t i;
	json_t *v;
	json_array_foreach(ids, i, v)
	{
		if (!json_is_integer(v) || json_integer_value(v) <= 0)
			return reply_error(r, 422, "invalid_field", "%s：user_ids", tr("err.user_ids"));
	}
	if (!db_exists("SELECT 1 FROM orgs WHERE id = ?", "i", org))
		return reply_error(r, 422, "invalid_field", "%s（%lld）", tr("err.org_missing"), (long long)org);
	if (db_begin() < 0)
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	int moved = 0, unchanged = 0, ok = 1;
	json_array_foreach(ids, i, v)
	{
		int64_t id = json_integer_value(v);
		int64_t old = db_int(0, "SELECT org_id FROM users WHERE id = ?", "i", id);
		if (!old) {
			db_rollback();
			return reply_error(r, 422, "invalid_field", "%s（id %lld）", tr("err.user_missing"), (long long)id);
		}
		if (old == org) {
			unchanged++;
			continue;
		}
		json_t *d = json_object();
		audit_diff_int(d, "org_id", old, org);
		if (db_exec("UPDATE users SET org_id = ?, version = version + 1, updated_at = ? WHERE id = ?", "iii", org,
			    clock_secs(), id) < 0 ||
		    audit_json(r->u->id, "user.move", "user", id, d) < 0) {
			ok = 0;
			break;
		}
		moved++;
	}
	if (!ok) {
		db_rollback();
		return reply_error(r, 500, "internal", "%s", tr("err.internal"));
	}
	if (db_commit() < 0)
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	return reply_json(r, 200, json_pack("{s:i,s:i}", "moved", moved, "unchanged", unchanged));
}

/* q as a LIKE pattern matching it anywhere, with its own % _ \ taken literally (ESCAPE '\'). */
static const char *like_anywhere(req *r, const char *q)
{
	buf b;
	buf_init(&b);
	buf_putc(&b, '%');
	for (const char *p = q ? q : ""; *p; p++) {
		if (*p == '%' || *p == '_' || *p == '\\')
			buf_putc(&b, '\\');
		buf_putc(&b, *p);
	}
	buf_putc(&b, '%');
	const char *s = arena_strdup(r->a, b.p);
	buf_free(&b);
	return s;
}

/* GET /api/v1/users?org_id=O&q=TEXT&role=&active=&sort=&order=&page=&per_page= (org_scope) — users of
   a subtree (admin). q matches the name, the username or the organisation's name; sort: name,
   username, org, role, created, id (default); order: asc (default) or desc. */
static int users_list(req *r)
{
	const org_res *o = r->res;
	const char *q = req_arg(r, "q"), *role = req_arg(r, "role"), *act = req_arg(r, "active");
	const char *sort = req_arg(r, "sort"), *order = req_arg(r, "order");
	int64_t page, per_page;
	int64_t off = req_page(r, 100, 200, &page, &per_page);
	char *like = arena_printf(r->a, "%s%%", o->path);
	const char *ql = like_anywhere(r, q ? q : "");
	if (!role || !role_from_name(role))
		role = "";
	int64_t active = act && !strcmp(act, "1") ? 1 : act && !strcmp(act, "0") ? 0 : -1;
	static const char *const sorts[] = {"id", "name", "username", "org", "role", "created"};
	int64_t sk = 0;
	for (size_t i = 0; sort && i < ARRAY_LEN(sorts); i++)
		if (!strcmp(sort, sorts[i]))
			sk = (int64_t)i;
	int64_t desc = order && !strcmp(order, "desc");
	db_stmt sq;
	sqlite3_stmt *st = db_prepare(
		&sq,
		"SELECT u.id FROM users u JOIN orgs o ON o.id = u.org_id WHERE o.path LIKE ?1"
		" AND (u.username LIKE ?2 ESCAPE '\\' OR u.name LIKE ?2 ESCAPE '\\' OR o.name LIKE ?2 ESCAPE '\\')"
		" AND (?3 = '' OR u.role = ?3) AND (?4 < 0 OR u.active = ?4)"
		" ORDER BY CASE WHEN ?5 = 0 THEN CASE ?6 WHEN 1 THEN u.name WHEN 2 THEN u.username WHEN 3 THEN o.name"
		"  WHEN 4 THEN u.role WHEN 5 THEN u.created_at ELSE u.id END END ASC,"
		" CASE WHEN ?5 = 1 THEN CASE ?6 WHEN 1 THEN u.name WHEN 2 THEN u.username WHEN 3 THEN o.name"
		"  WHEN 4 THEN u.role WHEN 5 THEN u.created_at ELSE u.id END END DESC,"
		" CASE WHEN ?5 = 0 THEN u.id END ASC, CASE WHEN ?5 = 1 THEN u.id END DESC LIMIT ?7 OFFSET ?8",
		"sssiiiii", like, ql, role, active, desc, sk, per_page, off);
	json_t *arr = json_array();
	while (db_step(st) == 1) {
		json_t *u = user_admin_json(sqlite3_column_int64(st, 0));
		if (u)
			json_array_append_new(arr, u);
	}
	db_finalize(&sq);
	int64_t total = db_int(0,
			       "SELECT count(*) FROM users u JOIN orgs o ON o.id = u.org_id WHERE o.path LIKE ?1"
			       " AND (u.username LIKE ?2 ESCAPE '\\' OR u.name LIKE ?2 ESCAPE '\\' OR o.name LIKE ?2 ESCAPE '\\')"
			       " AND (?3 = '' OR u.role = ?3) AND (?4 < 0 OR u.active = ?4)",
			       "sssi", like, ql, role, active);
	return reply_json(r, 200, json_pack("{s:o,s:I,s:I,s:I}", "users", arr, "total", (json_int_t)total, "page",
					    (json_int_t)page, "per_page", (json_int_t)per_page));
}

const route user_routes[] = {
	{.method = "POST", .pattern = "/api/v1/users", .fn = users_create, .roles = ROLE_ADMIN, .flags = RF_JSON},
	{.method = "GET", .pattern = "/api/v1/users", .fn = users_list, .roles = ROLE_ADMIN, .res = &org_scope,
	 .res_arg = "org_id"},
	{.method = "POST", .pattern = "/api/v1/users/move", .fn = users_move, .roles = ROLE_ADMIN, .flags = RF_JSON},
	{.method = "GET", .pattern = "/api/v1/users/{id}", .fn = users_get, .roles = ROLE_ADMIN, .res = &member_scope},
	{.method = "PATCH", .pattern = "/api/v1/users/{id}", .fn = users_update, .roles = ROLE_ADMIN,
	 .flags = RF_JSON, .res = &member_scope},
	{.method = "POST", .pattern = "/api/v1/users/{id}/password-reset", .fn = users_password_reset,
	 .roles = ROLE_ADMIN, .res = &member_scope},
	ROUTES_END,
};
