/* people.c — organisations and users: names, paths, creation, and the org_scope and member_scope
 * resources. Their endpoints: orgs.c, users.c, import.c. */
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

int org_name_ok(const char *s)
{
	size_t n = utf8_chars(s);
	return n >= 1 && n <= 64 && !strchr(s, '/') && utf8_ok(s, strlen(s));
}

char *org_path(int64_t id)
{
	return db_text("SELECT path FROM orgs WHERE id = ?", "i", id);
}

char *org_full_name(int64_t id)
{
	char *path = org_path(id);
	if (!path)
		return NULL;
	buf b;
	buf_init(&b);
	for (const char *p = path; *p && p[1];) {
		p++;
		int64_t oid = atoll(p);
		char *name = db_text("SELECT name FROM orgs WHERE id = ?", "i", oid);
		if (b.len)
			buf_putc(&b, '/');
		buf_puts(&b, name ? name : "?");
		free(name);
		p = strchr(p, '/');
		if (!p)
			break;
	}
	free(path);
	if (!b.p)
		buf_puts(&b, "");
	return buf_steal(&b);
}

const char *role_code(const char *s)
{
	static const struct {
		const char *zh, *code;
	} roles[] = {{"学员", "member"}, {"教师", "instructor"}, {"考核员", "assessor"}, {"管理员", "admin"}};
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	for (size_t i = 0; i < ARRAY_LEN(roles); i++)
		if ((n == strlen(roles[i].zh) && !strncmp(s, roles[i].zh, n)) ||
		    (n == strlen(roles[i].code) && !strncasecmp(s, roles[i].code, n)))
			return roles[i].code;
	return NULL;
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

int64_t user_insert(const char *username, const char *name, const char *role, int64_t org_id, const char *hash)
{
	if (db_exists("SELECT 1 FROM users WHERE username = ?", "s", username))
		return 0;
	if (db_exec("INSERT INTO users(username, name, role, org_id, pw_hash, created_at, updated_at)"
		    " VALUES (?,?,?,?,?,?,?)",
		    "sssisii", username, name, role, org_id, hash, clock_secs(), clock_secs()) < 0)
		return -1;
	return db_last_id();
}

int64_t user_create(const char *username, const char *name, const char *role, int64_t org_id,
		    const char *password)
{
	char *u = username_norm(username);
	int64_t id = -1;
	char hash[128];
	if (db_exists("SELECT 1 FROM users WHERE username = ?", "s", u))
		id = 0;
	else if (password_hash(password, hash) == 0)
		id = user_insert(u, name, role, org_id, hash);
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
