/* people.c — organisations, users, the CSV member import, and their admin endpoints. */
#include "people.h"
#include "auth.h"
#include "clock.h"
#include "config.h"
#include "csv.h"
#include "db.h"
#include "http.h"
#include "i18n.h"

#include <pthread.h>
#include <stdatomic.h>
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

char *username_norm(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	char *o = xstrndup(s, n);
	for (char *p = o; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return o;
}

int64_t user_id_by_name(const char *username)
{
	char *u = username_norm(username);
	int64_t id = db_int(0, "SELECT id FROM users WHERE username = ?", "s", u);
	free(u);
	return id;
}

int last_admin(int64_t uid)
{
	return db_exists("SELECT 1 FROM users WHERE id = ? AND role = 'admin' AND active = 1", "i", uid) &&
	       db_int(0, "SELECT count(*) FROM users WHERE role = 'admin' AND active = 1", "") <= 1;
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

/* Depth of a materialised path: '/1/5/' is 2. */
static int path_depth(const char *path)
{
	int d = -1;
	for (; *path; path++)
		d += *path == '/';
	return d < 0 ? 0 : d;
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
	if (path_depth(ppath) >= cfg.org_max_depth) {
		free(ppath);
		return -2;
	}
	int rc = parent_id ? db_exec("INSERT INTO orgs(name, parent_id, path, created_at) VALUES (?, ?, '', ?)",
				     "sii", name, parent_id, clock_secs())
			   : db_exec("INSERT INTO orgs(name, parent_id, path, created_at) VALUES (?, NULL, '', ?)",
				     "si", name, clock_secs());
	if (rc < 0) {
		free(ppath);
		return -1;
	}
	int64_t id = db_last_id();
	/* No fixed buffer: a path cut short would give several organisations one subtree. */
	buf path;
	buf_init(&path);
	buf_printf(&path, "%s%lld/", ppath, (long long)id);
	db_exec("UPDATE orgs SET path = ? WHERE id = ?", "si", path.p, id);
	buf_free(&path);
	free(ppath);
	return id;
}

int64_t org_resolve_path(const char *path, int create)
{
	char *copy = xstrdup(path);
	int levels = 0;
	for (const char *p = path; *p; p++)
		levels += *p == '/';
	/* Refuse a path deeper than the limit before creating any of its levels. */
	if (levels + 1 > cfg.org_max_depth) {
		free(copy);
		return -2;
	}
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
			parent = id == -2 ? -2 : 0;
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
	char *u = username_norm(username);
	int64_t id = -1;
	char hash[128];
	if (db_exists("SELECT 1 FROM users WHERE username = ?", "s", u))
		id = 0;
	else if (password_hash(password, hash) == 0 &&
		 db_exec("INSERT INTO users(username, name, role, org_id, pw_hash, created_at, updated_at)"
			 " VALUES (?,?,?,?,?,?,?)",
			 "sssisii", u, name, role, org_id, hash, clock_secs(), clock_secs()) >= 0)
		id = db_last_id();
	free(u);
	return id;
}

char *org_depth_msg(void)
{
	const char *t = tr("err.org_too_deep");
	const char *p = strstr(t, "{n}");
	buf b;
	buf_init(&b);
	if (p)
		buf_printf(&b, "%.*s%d%s", (int)(p - t), t, cfg.org_max_depth, p + 3);
	else
		buf_puts(&b, t);
	return buf_steal(&b);
}

/* ---- bulk import ---- */

struct imp_line {
	int line;
	char *username;
	const char *name, *org, *role, *password;
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
	for (int i = j->start; i < j->n && !http_stopping(); i += j->step)
		if (j->v[i].password && *j->v[i].password)
			j->v[i].hash_ok = password_hash(j->v[i].password, j->v[i].hash) == 0;
	return NULL;
}

static void add_err(json_t *errs, int line, const char *fmt, ...) DX_PRINTF(3, 4);
/* Reports a refused line. No fixed buffer: a message cut mid-character was invalid UTF-8, which
   json_pack refused, and the line went unreported. Every part is valid UTF-8 (fields are checked
   before they are quoted), so the message always encodes. */
static void add_err(json_t *errs, int line, const char *fmt, ...)
{
	buf msg;
	buf_init(&msg);
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	json_t *e = json_pack("{s:i,s:s}", "line", line, "message", msg.p);
	if (!e) /* not expected; still report the line */
		e = json_pack("{s:i,s:s}", "line", line, "message", tr("err.csv_line"));
	json_array_append_new(errs, e);
	buf_free(&msg);
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
		l->username = username_norm(row->fields[0]);
		l->name = row->fields[1];
		l->org = row->fields[2];
		l->role = row->nfields > 3 && *row->fields[3] ? row->fields[3] : "member";
		l->password = row->nfields > 4 ? row->fields[4] : "";
		const char *why = NULL;
		int exists = db_exists("SELECT 1 FROM users WHERE username = ?", "s", l->username);
		const char *pw_why = *l->password ? password_weak(l->password) : NULL;
		if (!username_ok(l->username))
			why = tr("err.username");
		else if (!*l->name || utf8_chars(l->name) > 64)
			why = tr("err.name");
		else if (!role_from_name(l->role))
			why = tr("err.role");
		else if (!*l->org)
			why = tr("err.org_path");
		else if (!exists && !*l->password)
			why = tr("err.password_needed");
		else if (pw_why)
			why = tr(pw_why);
		if (why) {
			add_err(errs, row->line, "%s", why);
			free(l->username);
			l->username = NULL;
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
	/* The server stops, or the database cannot take the write: change nothing, the caller
	   answers 503. */
	if (http_stopping() || db_begin() < 0) {
		for (int i = 0; i < n; i++)
			free(v[i].username);
		free(v);
		csv_free(&doc);
		json_decref(errs);
		return NULL;
	}
	for (int i = 0; i < n; i++) {
		struct imp_line *l = &v[i];
		int64_t org = org_resolve_path(l->org, 1);
		if (org == -2) {
			char *m = org_depth_msg();
			add_err(errs, l->line, "%s：%s", m, l->org);
			free(m);
			continue;
		}
		if (org <= 0) {
			add_err(errs, l->line, "%s：%s", tr("err.org_path"), l->org);
			continue;
		}
		int64_t uid = db_int(0, "SELECT id FROM users WHERE username = ?", "s", l->username);
		if (uid && strcmp(l->role, "admin") && last_admin(uid)) {
			add_err(errs, l->line, "%s：%s", tr("err.last_admin"), l->username);
			continue;
		}
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
	for (int i = 0; i < n; i++)
		free(v[i].username);
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
	if (id == -2) {
		char *m = org_depth_msg();
		reply_error(r, 422, "too_deep", "%s", m);
		free(m);
		return 0;
	}
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
	int64_t id = user_create(username, name, role, org, password);
	if (id == 0)
		return reply_error(r, 409, "exists", "%s：%s", tr("err.username_taken"), username);
	if (id < 0)
		return reply_error(r, 500, "internal", "%s", tr("err.internal"));
	return reply_json(r, 201, json_pack("{s:I}", "id", (json_int_t)id));
}

/* ---- resources ---- */

static int org_scope_load(req *r, int64_t id, void **out)
{
	org_res *o = arena_alloc(r->a, sizeof *o);
	o->id = id;
	const char *mine = r->u->role == ROLE_ADMIN ? "/" : r->u->org_path;
	if (!id) {
		o->path = mine;
	} else {
		char *p = org_path(id);
		if (!p)
			return 404;
		o->path = arena_strdup(r->a, p);
		free(p);
		if (strncmp(o->path, mine, strlen(mine)))
			return 404;
	}
	*out = o;
	return 0;
}

/* member_scope: a user whose organisation lies in the caller's subtree (an admin's: anyone). */
static int member_scope_load(req *r, int64_t id, void **out)
{
	member_res *m = arena_alloc(r->a, sizeof *m);
	char *p = db_text("SELECT o.path FROM users u JOIN orgs o ON o.id = u.org_id WHERE u.id = ?", "i", id);
	if (!p)
		return 404;
	m->id = id;
	m->org_path = arena_strdup(r->a, p);
	free(p);
	const char *mine = r->u->role == ROLE_ADMIN ? "/" : r->u->org_path;
	if (strncmp(m->org_path, mine, strlen(mine)))
		return 404;
	*out = m;
	return 0;
}

const resource_kind member_scope = {
	.name = "member_scope", .load = member_scope_load, .missing = "err.user_missing",
	.forbidden = "err.user_missing",
};

const resource_kind org_scope = {
	.name = "org_scope", .load = org_scope_load, .missing = "err.org_missing", .forbidden = "err.org_missing",
};

/* GET /api/v1/users?org_id=O&q=TEXT&page=N (org_scope) — users of a subtree (admin). */
/* PATCH /api/v1/users/{id} (member_scope) {"name"?,"role"?,"org_id"?,"active"?} — the only active admin keeps
   the role and stays active (409), checked in the write transaction so that two concurrent
   demotions cannot both pass. Deactivating ends the user's sessions. */
static int users_update(req *r)
{
	int64_t id = req_id(r, 0);
	const char *name = NULL, *role = NULL;
	int64_t org = 0;
	int active = -1;
	if (body_str(r, "name", 0, 64, &name) < 0 || body_str(r, "role", 0, 16, &role) < 0 ||
	    body_int(r, "org_id", 0, 1, INT64_MAX, &org) < 0 || body_bool(r, "active", 0, &active) < 0)
		return 0;
	if (name && !*name)
		return reply_error(r, 422, "invalid_field", "%s", tr("err.name"));
	if (role && !role_from_name(role))
		return reply_error(r, 422, "invalid_field", "%s", tr("err.role"));
	if (org && !db_exists("SELECT 1 FROM orgs WHERE id = ?", "i", org))
		return reply_error(r, 422, "invalid_field", "%s（%lld）", tr("err.org_missing"), (long long)org);
	if (db_begin() < 0)
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	if (((role && strcmp(role, "admin")) || active == 0) && last_admin(id)) {
		db_rollback();
		return reply_error(r, 409, "last_admin", "%s", tr("err.last_admin"));
	}
	if (name)
		db_exec("UPDATE users SET name = ? WHERE id = ?", "si", name, id);
	if (role)
		db_exec("UPDATE users SET role = ? WHERE id = ?", "si", role, id);
	if (org)
		db_exec("UPDATE users SET org_id = ? WHERE id = ?", "ii", org, id);
	if (active >= 0)
		db_exec("UPDATE users SET active = ? WHERE id = ?", "ii", (int64_t)active, id);
	if (active == 0)
		db_exec("DELETE FROM sessions WHERE user_id = ?", "i", id);
	db_exec("UPDATE users SET updated_at = ? WHERE id = ?", "ii", clock_secs(), id);
	if (db_commit() < 0)
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	sqlite3_stmt *st = db_query("SELECT id, username, name, role, org_id, active FROM users WHERE id = ?", "i", id);
	json_t *j = NULL;
	if (db_step(st) == 1)
		j = json_pack("{s:I,s:s,s:s,s:s,s:I,s:b}", "id", (json_int_t)sqlite3_column_int64(st, 0), "username",
			      db_col_text(st, 1), "name", db_col_text(st, 2), "role", db_col_text(st, 3), "org_id",
			      (json_int_t)sqlite3_column_int64(st, 4), "active", sqlite3_column_int(st, 5));
	db_done(st);
	return reply_json(r, 200, j ? j : json_object());
}

/* GET /api/v1/users?org_id=O&q=TEXT&page=N — users of a subtree (admin). */
static int users_list(req *r)
{
	const org_res *o = r->res;
	const char *q = req_arg(r, "q");
	int64_t per_page;
	int64_t off = req_page(r, 100, 100, NULL, &per_page);
	char *like = arena_printf(r->a, "%s%%", o->path);
	char *ql = arena_printf(r->a, "%%%s%%", q ? q : "");
	db_stmt sq;
	sqlite3_stmt *st = db_prepare(&sq, "SELECT u.id, u.username, u.name, u.role, u.org_id, o.name FROM users u"
					   " JOIN orgs o ON o.id = u.org_id WHERE o.path LIKE ?"
					   " AND (u.username LIKE ? OR u.name LIKE ?) ORDER BY u.id LIMIT ? OFFSET ?",
					   "sssii", like, ql, ql, per_page, off);
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

/* The import runs in its own thread, off the HTTP threads: hashing 1,000 passwords takes
   seconds, and an HTTP thread blocked that long stalls every connection it serves. The request
   is suspended meanwhile and resumed with the answer. At most IMPORT_MAX run at once. */
#define IMPORT_MAX 2
static atomic_int g_imports;

static void *import_thread(void *arg)
{
	req *r = arg;
	json_t *j = import_members(r->body.p, r->body.len);
	if (j)
		reply_json(r, 200, j);
	else
		reply_error(r, 503, "busy", "%s", tr("err.busy"));
	db_close_thread();
	atomic_fetch_sub(&g_imports, 1);
	req_resume(r);
	return NULL;
}

/* POST /api/v1/users/import (text/csv body) */
static int users_import(req *r)
{
	const char *ct = req_header(r, "Content-Type");
	if (!ct || strncasecmp(ct, "text/csv", 8))
		return reply_error(r, 415, "unsupported_media_type", "%s", tr("err.csv_type"));
	if (!r->body.len)
		return reply_error(r, 422, "empty", "%s", tr("err.csv_empty"));
	if (atomic_fetch_add(&g_imports, 1) >= IMPORT_MAX) {
		atomic_fetch_sub(&g_imports, 1);
		reply_header(r, "Retry-After", "10");
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	}
	if (req_suspend(r) < 0) {
		atomic_fetch_sub(&g_imports, 1);
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	}
	pthread_t th;
	pthread_attr_t at;
	pthread_attr_init(&at);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	int rc = pthread_create(&th, &at, import_thread, r);
	pthread_attr_destroy(&at);
	if (rc != 0) {
		atomic_fetch_sub(&g_imports, 1);
		reply_error(r, 503, "busy", "%s", tr("err.busy"));
		req_resume(r);
	}
	return 0;
}

const route people_routes[] = {
	{.method = "POST", .pattern = "/api/v1/orgs", .fn = orgs_create, .roles = ROLE_ADMIN, .flags = RF_JSON},
	{.method = "GET", .pattern = "/api/v1/orgs", .fn = orgs_list, .roles = R_ANY},
	{.method = "POST", .pattern = "/api/v1/users", .fn = users_create, .roles = ROLE_ADMIN, .flags = RF_JSON},
	{.method = "GET", .pattern = "/api/v1/users", .fn = users_list, .roles = ROLE_ADMIN, .res = &org_scope,
	 .res_arg = "org_id"},
	{.method = "PATCH", .pattern = "/api/v1/users/{id}", .fn = users_update, .roles = ROLE_ADMIN,
	 .flags = RF_JSON, .res = &member_scope},
	{.method = "POST", .pattern = "/api/v1/users/import", .fn = users_import, .roles = ROLE_ADMIN,
	 .flags = RF_RAWBODY, .body_max = 32u << 20},
	ROUTES_END,
};
