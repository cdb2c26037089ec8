/* orgs.c — the organisation tree's endpoints: create, list (with subtree counts and a path label
 * where names repeat), rename, move under another parent, delete an empty one. Each change is one
 * transaction with its audit row (server/audit.h). */
#include "audit.h"
#include "clock.h"
#include "config.h"
#include "db.h"
#include "http.h"
#include "i18n.h"
#include "people.h"

#include <stdlib.h>
#include <string.h>

/* POST /api/v1/orgs {"name","parent_id"} */
static int orgs_create(req *r)
{
	const char *name = NULL;
	int64_t parent = 0;
	if (body_str(r, "name", 1, 64, &name) < 0 || body_int(r, "parent_id", 0, 1, INT64_MAX, &parent) < 0)
		return 0;
	if (!org_name_ok(name))
		return reply_error(r, 422, "invalid_field", "%s", tr("err.org_name"));
	if (parent && !db_exists("SELECT 1 FROM orgs WHERE id = ?", "i", parent))
		return reply_error(r, 422, "invalid_field", "%s（%lld）", tr("err.org_missing"), (long long)parent);
	if (db_begin() < 0)
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	int64_t existing;
	int64_t id = org_create(name, parent, &existing);
	if (id > 0 && audit_json(r->u->id, "org.create", "org", id,
				 json_pack("{s:s,s:I}", "name", name, "parent_id", (json_int_t)parent)) < 0)
		id = -1;
	if (id <= 0) {
		db_rollback();
		if (id == -2) {
			char *m = org_depth_msg();
			reply_error(r, 422, "too_deep", "%s", m);
			free(m);
			return 0;
		}
		if (id == 0)
			return reply_error(r, 409, "exists", "%s（id %lld）", tr("err.org_exists"), (long long)existing);
		return reply_error(r, 500, "internal", "%s", tr("err.internal"));
	}
	if (db_commit() < 0)
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	return reply_json(r, 201, json_pack("{s:I}", "id", (json_int_t)id));
}

/* GET /api/v1/orgs — the tree (admin: all; others: their own subtree), ordered by path. Counts
   are of the whole subtree; `label` is the name, or where another listed organisation has the
   same name, the names from the top of the caller's tree ("市委/组织部/一支部"). */
static int orgs_list(req *r)
{
	const char *prefix = r->u->role == ROLE_ADMIN ? "/" : r->u->org_path;
	char *like = arena_printf(r->a, "%s%%", prefix);
	db_stmt q;
	sqlite3_stmt *st = db_prepare(&q,
				      "SELECT o.id, o.name, o.parent_id, o.path, o.version,"
				      " (SELECT count(*) FROM users u WHERE u.org_id = o.id AND u.active = 1),"
				      " (SELECT count(*) FROM users u WHERE u.org_id = o.id AND u.active = 0),"
				      " (SELECT count(*) FROM orgs c WHERE c.parent_id = o.id)"
				      " FROM orgs o WHERE o.path LIKE ? ORDER BY o.path",
				      "s", like);
	json_t *arr = json_array();
	json_t *by_id = json_object(); /* "id" → the org's object, for the walk up the path */
	json_t *names = json_object(); /* name → how many listed orgs have it */
	while (db_step(st) == 1) {
		int64_t id = sqlite3_column_int64(st, 0);
		const char *name = db_col_text(st, 1), *path = db_col_text(st, 3);
		int64_t active = sqlite3_column_int64(st, 5), disabled = sqlite3_column_int64(st, 6);
		json_t *o = json_pack("{s:I,s:s,s:s,s:I,s:I,s:I,s:I,s:I,s:I}", "id", (json_int_t)id, "name", name, "path",
				      path, "version", (json_int_t)sqlite3_column_int64(st, 4), "members", (json_int_t)0,
				      "members_disabled", (json_int_t)0, "members_direct", (json_int_t)(active + disabled),
				      "children", (json_int_t)sqlite3_column_int64(st, 7), "active_direct",
				      (json_int_t)active);
		json_object_set_new(o, "parent_id",
				    sqlite3_column_type(st, 2) == SQLITE_NULL ? json_null()
									     : json_integer(sqlite3_column_int64(st, 2)));
		/* The full name: the parent's (listed before it: ordered by path) plus this one. */
		json_t *par = json_object_get(by_id, arena_printf(r->a, "%lld", (long long)sqlite3_column_int64(st, 2)));
		const char *pfull = par ? json_string_value(json_object_get(par, "full_name")) : NULL;
		json_object_set_new(o, "full_name", json_string(pfull ? arena_printf(r->a, "%s/%s", pfull, name) : name));
		/* Add the counts to every listed ancestor and to itself. */
		const char *p = path;
		while (*p) {
			p++;
			const char *e = strchr(p, '/');
			if (!e)
				break;
			json_t *a = json_object_get(by_id, arena_strndup(r->a, p, (size_t)(e - p)));
			if (!a && (int64_t)atoll(p) == id)
				a = o;
			if (a) {
				json_object_set_new(a, "members",
						    json_integer(json_integer_value(json_object_get(a, "members")) + active));
				json_object_set_new(a, "members_disabled",
						    json_integer(json_integer_value(json_object_get(a, "members_disabled")) +
								 disabled));
			}
			p = e;
		}
		json_object_set(by_id, arena_printf(r->a, "%lld", (long long)id), o);
		json_object_set_new(names, name, json_integer(json_integer_value(json_object_get(names, name)) + 1));
		json_array_append_new(arr, o);
	}
	db_finalize(&q);
	size_t i;
	json_t *o;
	json_array_foreach(arr, i, o)
	{
		json_object_del(o, "active_direct");
		const char *name = json_string_value(json_object_get(o, "name"));
		json_object_set(o, "label", json_integer_value(json_object_get(names, name)) > 1
						    ? json_object_get(o, "full_name")
						    : json_object_get(o, "name"));
	}
	json_decref(by_id);
	json_decref(names);
	return reply_json(r, 200, json_pack("{s:o}", "orgs", arr));
}

/* 409 `stale` when the client sent the version it read and the row has moved on since. */
static int stale(req *r, int64_t sent, int64_t now)
{
	if (!sent || sent == now)
		return 0;
	reply_error(r, 409, "stale", "%s", tr("err.stale"));
	return 1;
}

/* The deepest level below path (itself included), as a number of levels under it: 0 for a leaf. */
static int subtree_height(const char *path)
{
	int64_t longest = db_int(0, "SELECT max(length(path) - length(replace(path, '/', ''))) FROM orgs"
				    " WHERE path LIKE ? || '%'",
				 "s", path);
	int own = 0;
	for (const char *p = path; *p; p++)
		own += *p == '/';
	return (int)longest - own;
}

/* PATCH /api/v1/orgs/{id} {"name"?, "parent_id"? (0: a root), "version"?} — rename and/or move.
   Moving under itself or its own subtree: 422 `cycle`; deeper than org_max_depth: 422 `too_deep`;
   a sibling of that name under the new parent: 409 `exists`; a stale version: 409 `stale`. */
static int orgs_update(req *r)
{
	const org_res *o = r->res;
	const char *name = NULL;
	int64_t parent = 0, version = 0;
	int hp;
	if (body_str(r, "name", 0, 64, &name) < 0 || (hp = body_int(r, "parent_id", 0, 0, INT64_MAX, &parent)) < 0 ||
	    body_int(r, "version", 0, 1, INT64_MAX, &version) < 0)
		return 0;
	if (name && !org_name_ok(name))
		return reply_error(r, 422, "invalid_field", "%s", tr("err.org_name"));
	if (db_begin() < 0)
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	sqlite3_stmt *st = db_query("SELECT name, ifnull(parent_id, 0), path, version FROM orgs WHERE id = ?", "i", o->id);
	char *old_name = NULL, *old_path = NULL;
	int64_t old_parent = 0, cur_version = 0;
	if (db_step(st) == 1) {
		old_name = arena_strdup(r->a, db_col_text(st, 0));
		old_parent = sqlite3_column_int64(st, 1);
		old_path = arena_strdup(r->a, db_col_text(st, 2));
		cur_version = sqlite3_column_int64(st, 3);
	}
	db_done(st);
	int rc = 0;
	if (!old_name) {
		rc = reply_error(r, 404, "not_found", "%s", tr("err.org_missing"));
		goto refused;
	}
	if (stale(r, version, cur_version))
		goto refused;
	const char *new_name = name ? name : old_name;
	int64_t new_parent = hp == 1 ? parent : old_parent;
	char *new_path = old_path;
	if (new_parent != old_parent) {
		char *pp = new_parent ? org_path(new_parent) : xstrdup("/");
		if (!pp) {
			rc = reply_error(r, 422, "invalid_field", "%s（%lld）", tr("err.org_missing"), (long long)new_parent);
			goto refused;
		}
		char *ppa = arena_strdup(r->a, pp);
		free(pp);
		if (!strncmp(ppa, old_path, strlen(old_path))) {
			rc = reply_error(r, 422, "cycle", "%s", tr("err.org_cycle"));
			goto refused;
		}
		int depth = 0;
		for (const char *p = ppa; *p; p++)
			depth += *p == '/';
		/* ppa "/1/5/" has depth 2 below the top; the moved org sits at level depth, its subtree below. */
		if (depth + subtree_height(old_path) > cfg.org_max_depth) {
			char *m = org_depth_msg();
			reply_error(r, 422, "too_deep", "%s", m);
			free(m);
			goto refused;
		}
		new_path = arena_printf(r->a, "%s%lld/", ppa, (long long)o->id);
	}
	if (!strcmp(new_name, old_name) && new_parent == old_parent) {
		db_rollback();
		goto answer; /* nothing to change */
	}
	int64_t clash = db_int(0, "SELECT id FROM orgs WHERE ifnull(parent_id, 0) = ? AND name = ? AND id <> ?", "isi",
			       new_parent, new_name, o->id);
	if (clash) {
		rc = reply_error(r, 409, "exists", "%s（id %lld）", tr("err.org_exists"), (long long)clash);
		goto refused;
	}
	json_t *d = json_object();
	audit_diff_str(d, "name", old_name, new_name);
	int moved = audit_diff_int(d, "parent_id", old_parent, new_parent);
	if (moved)
		audit_diff_str(d, "path", old_path, new_path);
	int ok = (new_parent ? db_exec("UPDATE orgs SET name = ?, parent_id = ?, version = version + 1 WHERE id = ?",
				       "sii", new_name, new_parent, o->id)
			     : db_exec("UPDATE orgs SET name = ?, parent_id = NULL, version = version + 1 WHERE id = ?",
				       "si", new_name, o->id)) >= 0;
	/* The whole subtree's materialised paths: the old prefix replaced by the new. */
	if (ok && moved)
		ok = db_exec("UPDATE orgs SET path = ? || substr(path, ?) WHERE substr(path, 1, ?) = ?", "siis", new_path,
			     (int64_t)strlen(old_path) + 1, (int64_t)strlen(old_path), old_path) >= 0;
	if (ok)
		ok = audit_json(r->u->id, moved && strcmp(new_name, old_name) ? "org.update" : moved ? "org.move" : "org.rename",
				"org", o->id, d) == 0;
	else
		json_decref(d);
	if (!ok) {
		db_rollback();
		return reply_error(r, 500, "internal", "%s", tr("err.internal"));
	}
	if (db_commit() < 0)
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
answer:
	st = db_query("SELECT id, name, ifnull(parent_id, 0), path, version FROM orgs WHERE id = ?", "i", o->id);
	json_t *j = NULL;
	if (db_step(st) == 1) {
		j = json_pack("{s:I,s:s,s:s,s:I}", "id", (json_int_t)sqlite3_column_int64(st, 0), "name", db_col_text(st, 1),
			      "path", db_col_text(st, 3), "version", (json_int_t)sqlite3_column_int64(st, 4));
		int64_t pid = sqlite3_column_int64(st, 2);
		json_object_set_new(j, "parent_id", pid ? json_integer(pid) : json_null());
	}
	db_done(st);
	return reply_json(r, 200, j ? j : json_object());
refused:
	db_rollback();
	return rc;
}

/* DELETE /api/v1/orgs/{id}?version=V — only an empty one: no sub-organisations and no users
   (disabled ones included: their records keep their organisation), else 409 `not_empty`; still
   named by other records (required-course assignments, requirements): 409 `in_use`. */
static int orgs_delete(req *r)
{
	const org_res *o = r->res;
	int64_t version = parse_id(req_arg(r, "version"));
	if (db_begin() < 0)
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	sqlite3_stmt *st = db_query("SELECT name, ifnull(parent_id, 0), version FROM orgs WHERE id = ?", "i", o->id);
	char *name = NULL;
	int64_t parent = 0, cur = 0;
	if (db_step(st) == 1) {
		name = arena_strdup(r->a, db_col_text(st, 0));
		parent = sqlite3_column_int64(st, 1);
		cur = sqlite3_column_int64(st, 2);
	}
	db_done(st);
	int64_t users = db_int(0, "SELECT count(*) FROM users WHERE org_id = ?", "i", o->id);
	int64_t children = db_int(0, "SELECT count(*) FROM orgs WHERE parent_id = ?", "i", o->id);
	if (stale(r, version, cur)) {
		db_rollback();
		return 0;
	}
	if (users || children) {
		db_rollback();
		return reply_error(r, 409, "not_empty", "%s（%s %lld，%s %lld）", tr("err.org_not_empty"),
				   tr("admin.sub_orgs"), (long long)children, tr("admin.users"), (long long)users);
	}
	int rc = db_exec("DELETE FROM orgs WHERE id = ?", "i", o->id);
	if (rc == -2) {
		db_rollback();
		return reply_error(r, 409, "in_use", "%s", tr("err.org_in_use"));
	}
	if (rc < 0 || audit_json(r->u->id, "org.delete", "org", o->id,
				 json_pack("{s:s,s:I}", "name", name ? name : "", "parent_id", (json_int_t)parent)) < 0) {
		db_rollback();
		return reply_error(r, 500, "internal", "%s", tr("err.internal"));
	}
	if (db_commit() < 0)
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	return reply_empty(r, 204);
}

const route org_routes[] = {
	{.method = "POST", .pattern = "/api/v1/orgs", .fn = orgs_create, .roles = ROLE_ADMIN, .flags = RF_JSON},
	{.method = "GET", .pattern = "/api/v1/orgs", .fn = orgs_list, .roles = R_ANY},
	{.method = "PATCH", .pattern = "/api/v1/orgs/{id}", .fn = orgs_update, .roles = ROLE_ADMIN, .flags = RF_JSON,
	 .res = &org_scope},
	{.method = "DELETE", .pattern = "/api/v1/orgs/{id}", .fn = orgs_delete, .roles = ROLE_ADMIN, .res = &org_scope},
	ROUTES_END,
};
