/* people.c — organisations, users, the CSV member import, and their admin endpoints. */
#include "people.h"
#include "auth.h"
#include "clock.h"
#include "csv.h"
#include "db.h"
#include "http.h"
#include "i18n.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int username_ok(const char *s)
{
	size_t n = strlen(s);
	if (n < 2 || n > 64)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      strchr("_.-", *s)))
			return 0;
	return 1;
}

static int org_name_ok(const char *s)
{
	size_t n = utf8_chars(s);
	return n >= 1 && n <= 64 && !strchr(s, '/') && utf8_ok(s, strlen(s));
}

char *org_path(int64_t id)
{
	return db_text("SELECT path FROM orgs WHERE id = ?", "i", id);
}

int64_t org_create(const char *name, int64_t parent_id, int64_t *existing)
{
	*existing = db_int(0, "SELECT id FROM orgs WHERE ifnull(parent_id, 0) = ? AND name = ?", "is", parent_id,
			   name);
	if (*existing)
		return 0;
	char *ppath = parent_id ? org_path(parent_id) : xstrdup("/");
	if (!ppath)
		return -1;
	int rc = parent_id ? db_exec("INSERT INTO orgs(name, parent_id, path, created_at) VALUES (?, ?, '', ?)",
				     "sii", name, parent_id, clock_secs())
			   : db_exec("INSERT INTO orgs(name, parent_id, path, created_at) VALUES (?, NULL, '', ?)",
				     "si", name, clock_secs());
	if (rc < 0) {
		free(ppath);
		return -1;
	}
	int64_t id = db_last_id();
	char path[512];
	snprintf(path, sizeof path, "%s%lld/", ppath, (long long)id);
	db_exec("UPDATE orgs SET path = ? WHERE id = ?", "si", path, id);
	free(ppath);
	return id;
}

int64_t org_resolve_path(const char *path, int create)
{
	char *copy = xstrdup(path);
	int64_t parent = 0;
	char *save = NULL;
	for (char *part = strtok_r(copy, "/", &save); part; part = strtok_r(NULL, "/", &save)) {
		while (*part == ' ')
			part++;
		size_t l = strlen(part);
		while (l && part[l - 1] == ' ')
			part[--l] = 0;
		if (!org_name_ok(part)) {
			parent = 0;
			break;
		}
		int64_t existing = 0;
		int64_t id = db_int(0, "SELECT id FROM orgs WHERE ifnull(parent_id, 0) = ? AND name = ?", "is",
				    parent, part);
		if (!id && create)
			id = org_create(part, parent, &existing);
		if (id <= 0) {
			parent = 0;
			break;
		}
		parent = id;
	}
	free(copy);
	return parent;
}

int64_t user_create(const char *username, const char *name, const char *role, int64_t org_id,
		    const char *password)
{
	if (db_exists("SELECT 1 FROM users WHERE username = ?", "s", username))
		return 0;
	char hash[128];
	if (password_hash(password, hash) < 0)
		return -1;
	if (db_exec("INSERT INTO users(username, name, role, org_id, pw_hash, created_at, updated_at)"
		    " VALUES (?,?,?,?,?,?,?)",
		    "sssisii", username, name, role, org_id, hash, clock_secs(), clock_secs()) < 0)
		return -1;
	return db_last_id();
}

/* ---- bulk import ---- */

struct imp_line {
	int line;
	const char *username, *name, *org, *role, *password;
	char hash[128];
	int hash_ok;
};
struct hash_job {
	struct imp_line *v;
	int n, step, start;
};

static void *hash_worker(void *arg)
{
	struct hash_job *j = arg;
	for (int i = j->start; i < j->n; i += j->step)
		if (j->v[i].password && *j->v[i].password)
			j->v[i].hash_ok = password_hash(j->v[i].password, j->v[i].hash) == 0;
	return NULL;
}

static void add_err(json_t *errs, int line, const char *fmt, ...) DX_PRINTF(3, 4);
static void add_err(json_t *errs, int line, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	json_array_append_new(errs, json_pack("{s:i,s:s}", "line", line, "message", msg));
}

json_t *import_members(const char *text, size_t len)
{
	json_t *errs = json_array();
	int created = 0, updated = 0;
	csv_doc doc;
	if (csv_parse(text, len, &doc) < 0) {
		add_err(errs, doc.err_line, "%s", doc.err);
		return json_pack("{s:i,s:i,s:o}", "created", 0, "updated", 0, "errors", errs);
	}
	struct imp_line *v = xcalloc((size_t)doc.nrows + 1, sizeof *v);
	int n = 0;
	for (int i = 0; i < doc.nrows; i++) {
		csv_row *row = &doc.rows[i];
		if (row->nfields < 0) {
			add_err(errs, row->line, "%s：%s", tr("err.csv_malformed"), row->error ? row->error : "");
			continue;
		}
		if (i == 0 && row->nfields >= 1 && !strcasecmp(row->fields[0], "username"))
			continue; /* header */
		if (row->nfields < 3 || row->nfields > 5) {
			add_err(errs, row->line, "%s（%d）", tr("err.csv_columns"), row->nfields);
			continue;
		}
		int bad = 0;
		for (int f = 0; f < row->nfields; f++)
			if (!utf8_ok(row->fields[f], strlen(row->fields[f])))
				bad = 1;
		if (bad) {
			add_err(errs, row->line, "%s", tr("err.csv_utf8"));
			continue;
		}
		struct imp_line *l = &v[n];
		l->line = row->line;
		l->username = row->fields[0];
		l->name = row->fields[1];
		l->org = row->fields[2];
		l->role = row->nfields > 3 && *row->fields[3] ? row->fields[3] : "member";
		l->password = row->nfields > 4 ? row->fields[4] : "";
		const char *why = NULL;
		int exists = db_exists("SELECT 1 FROM users WHERE username = ?", "s", l->username);
		if (!username_ok(l->username))
			why = tr("err.username");
		else if (!*l->name || utf8_chars(l->name) > 64)
			why = tr("err.name");
		else if (!role_from_name(l->role))
			why = tr("err.role");
		else if (!*l->org || strlen(l->org) > 400)
			why = tr("err.org_path");
		else if (!exists && !*l->password)
			why = tr("err.password_needed");
		else if (*l->password && password_weak(l->password))
			why = tr("err.weak_password");
		if (why) {
			add_err(errs, row->line, "%s", why);
			continue;
		}
		n++;
	}
	/* Hash the passwords on every core: Argon2id is the slow part of an import. */
	int nth = 2;
	pthread_t th[2];
	struct hash_job jobs[2];
	for (int t = 0; t < nth; t++) {
		jobs[t] = (struct hash_job){v, n, nth, t};
		pthread_create(&th[t], NULL, hash_worker, &jobs[t]);
	}
	for (int t = 0; t < nth; t++)
		pthread_join(th[t], NULL);

	if (db_begin() < 0) {
		free(v);
		csv_free(&doc);
		json_decref(errs);
		return NULL;
	}
	for (int i = 0; i < n; i++) {
		struct imp_line *l = &v[i];
		int64_t org = org_resolve_path(l->org, 1);
		if (!org) {
			add_err(errs, l->line, "%s：%s", tr("err.org_path"), l->org);
			continue;
		}
		int64_t uid = db_int(0, "SELECT id FROM users WHERE username = ?", "s", l->username);
		if (uid) {
			db_exec("UPDATE users SET name = ?, org_id = ?, role = ?, updated_at = ? WHERE id = ?", "sisii",
				l->name, org, l->role, clock_secs(), uid);
			if (l->hash_ok)
				db_exec("UPDATE users SET pw_hash = ? WHERE id = ?", "si", l->hash, uid);
			updated++;
		} else if (l->hash_ok) {
			db_exec("INSERT INTO users(username, name, role, org_id, pw_hash, created_at, updated_at)"
				" VALUES (?,?,?,?,?,?,?)",
				"sssisii", l->username, l->name, l->role, org, l->hash, clock_secs(), clock_secs());
			created++;
		} else {
			add_err(errs, l->line, "%s", tr("err.internal"));
		}
	}
	int stored = db_commit();
	free(v);
	csv_free(&doc);
	if (stored < 0) {
		json_decref(errs);
		return NULL;
	}
	/* Errors in line order, whichever pass found them. */
	size_t ne = json_array_size(errs);
	for (size_t i = 1; i < ne; i++)
		for (size_t k = i; k > 0 && json_integer_value(json_object_get(json_array_get(errs, k - 1), "line")) >
						     json_integer_value(json_object_get(json_array_get(errs, k), "line"));
		     k--) {
			json_t *a = json_incref(json_array_get(errs, k - 1));
			json_array_set(errs, k - 1, json_array_get(errs, k));
			json_array_set_new(errs, k, a);
		}
	return json_pack("{s:i,s:i,s:o}", "created", created, "updated", updated, "errors", errs);
}

/* ---- endpoints ---- */

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
	int64_t existing;
	int64_t id = org_create(name, parent, &existing);
	if (id == 0)
		return reply_error(r, 409, "exists", "%s（id %lld）", tr("err.org_exists"), (long long)existing);
	if (id < 0)
		return reply_error(r, 500, "internal", "%s", tr("err.internal"));
	return reply_json(r, 201, json_pack("{s:I}", "id", (json_int_t)id));
}

/* GET /api/v1/orgs — the tree (admin: all; others: their own subtree). */
static int orgs_list(req *r)
{
	const char *prefix = r->u->role == ROLE_ADMIN ? "/" : r->u->org_path;
	char *like = arena_printf(r->a, "%s%%", prefix);
	db_stmt q;
	sqlite3_stmt *st = db_prepare(&q, "SELECT o.id, o.name, o.parent_id, o.path,"
					  " (SELECT count(*) FROM users u WHERE u.org_id = o.id)"
					  " FROM orgs o WHERE o.path LIKE ? ORDER BY o.path",
					  "s", like);
	json_t *arr = json_array();
	while (db_step(st) == 1) {
		json_t *o = json_pack("{s:I,s:s,s:s,s:I}", "id", (json_int_t)sqlite3_column_int64(st, 0), "name",
				      db_col_text(st, 1), "path", db_col_text(st, 3), "members",
				      (json_int_t)sqlite3_column_int64(st, 4));
		json_object_set_new(o, "parent_id",
				    sqlite3_column_type(st, 2) == SQLITE_NULL ? json_null()
									     : json_integer(sqlite3_column_int64(st, 2)));
		json_array_append_new(arr, o);
	}
	db_finalize(&q);
	return reply_json(r, 200, json_pack("{s:o}", "orgs", arr));
}

/* POST /api/v1/users {"username","name","password","role","org_id"} */
static int users_create(req *r)
{
	const char *username = NULL, *name = NULL, *password = NULL, *role = NULL;
	int64_t org = 0;
	if (body_str(r, "username", 1, 64, &username) < 0 || body_str(r, "name", 1, 64, &name) < 0 ||
	    body_str(r, "password", 1, 256, &password) < 0 || body_str(r, "role", 1, 16, &role) < 0 ||
	    body_int(r, "org_id", 1, 1, INT64_MAX, &org) < 0)
		return 0;
	if (!username_ok(username))
		return reply_error(r, 422, "invalid_field", "%s", tr("err.username"));
	if (!*name)
		return reply_error(r, 422, "invalid_field", "%s", tr("err.name"));
	if (!role_from_name(role))
		return reply_error(r, 422, "invalid_field", "%s", tr("err.role"));
	if (password_weak(password))
		return reply_error(r, 422, "weak_password", "%s", tr("err.weak_password"));
	if (!db_exists("SELECT 1 FROM orgs WHERE id = ?", "i", org))
		return reply_error(r, 422, "invalid_field", "%s（%lld）", tr("err.org_missing"), (long long)org);
	int64_t id = user_create(username, name, role, org, password);
	if (id == 0)
		return reply_error(r, 409, "exists", "%s：%s", tr("err.username_taken"), username);
	if (id < 0)
		return reply_error(r, 500, "internal", "%s", tr("err.internal"));
	return reply_json(r, 201, json_pack("{s:I}", "id", (json_int_t)id));
}

/* GET /api/v1/users?org_id=O&q=TEXT&page=N — users of a subtree (admin). */
static int users_list(req *r)
{
	int64_t org = parse_id(req_arg(r, "org_id"));
	const char *q = req_arg(r, "q");
	int64_t page = parse_id(req_arg(r, "page"));
	char *path = org ? org_path(org) : xstrdup("/");
	if (!path)
		return reply_error(r, 404, "not_found", "%s", tr("err.org_missing"));
	char *like = arena_printf(r->a, "%s%%", path);
	free(path);
	char *ql = arena_printf(r->a, "%%%s%%", q ? q : "");
	db_stmt sq;
	sqlite3_stmt *st = db_prepare(&sq, "SELECT u.id, u.username, u.name, u.role, u.org_id, o.name FROM users u"
					   " JOIN orgs o ON o.id = u.org_id WHERE o.path LIKE ?"
					   " AND (u.username LIKE ? OR u.name LIKE ?) ORDER BY u.id LIMIT 100 OFFSET ?",
					   "sssi", like, ql, ql, (page > 0 ? page - 1 : 0) * 100);
	json_t *arr = json_array();
	while (db_step(st) == 1)
		json_array_append_new(arr, json_pack("{s:I,s:s,s:s,s:s,s:I,s:s}", "id",
						     (json_int_t)sqlite3_column_int64(st, 0), "username",
						     db_col_text(st, 1), "name", db_col_text(st, 2), "role",
						     db_col_text(st, 3), "org_id", (json_int_t)sqlite3_column_int64(st, 4),
						     "org_name", db_col_text(st, 5)));
	db_finalize(&sq);
	int64_t total = db_int(0, "SELECT count(*) FROM users u JOIN orgs o ON o.id = u.org_id WHERE o.path LIKE ?"
				  " AND (u.username LIKE ? OR u.name LIKE ?)",
			       "sss", like, ql, ql);
	return reply_json(r, 200, json_pack("{s:o,s:I}", "users", arr, "total", (json_int_t)total));
}

/* POST /api/v1/users/import (text/csv body) */
static int users_import(req *r)
{
	const char *ct = req_header(r, "Content-Type");
	if (!ct || strncasecmp(ct, "text/csv", 8))
		return reply_error(r, 415, "unsupported_media_type", "%s", tr("err.csv_type"));
	if (!r->body.len)
		return reply_error(r, 422, "empty", "%s", tr("err.csv_empty"));
	json_t *res = import_members(r->body.p, r->body.len);
	if (!res)
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	return reply_json(r, 200, res);
}

const route people_routes[] = {
	{"POST", "/api/v1/orgs", orgs_create, ROLE_ADMIN, RF_JSON, 0, NULL, NULL},
	{"GET", "/api/v1/orgs", orgs_list, R_ANY, 0, 0, NULL, NULL},
	{"POST", "/api/v1/users", users_create, ROLE_ADMIN, RF_JSON, 0, NULL, NULL},
	{"GET", "/api/v1/users", users_list, ROLE_ADMIN, 0, 0, NULL, NULL},
	{"POST", "/api/v1/users/import", users_import, ROLE_ADMIN, RF_RAWBODY, 32u << 20, NULL, NULL},
	ROUTES_END,
};
