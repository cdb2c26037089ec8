/* access.c — who may see a class, read its roster, download or revoke a certificate: the classes
 * module's resource kinds, each with the one rule the guard applies before a handler runs. */
#include "classes/access.h"
#include "classes/code.h"
#include "db.h"

#include <stdio.h>
#include <string.h>

int class_access(req *r, int64_t id, class_res *c)
{
	memset(c, 0, sizeof *c);
	const user *u = r->u;
	sqlite3_stmt *st = db_query(
		"SELECT mode = 'open',"
		"  EXISTS(SELECT 1 FROM class_members m WHERE m.class_id = c.id AND m.user_id = ?2)"
		"  OR EXISTS(SELECT 1 FROM class_orgs co JOIN orgs o ON o.id = co.org_id WHERE co.class_id = c.id"
		"            AND substr(?3, 1, length(o.path)) = o.path),"
		"  EXISTS(SELECT 1 FROM class_organisers g WHERE g.class_id = c.id AND g.user_id = ?2),"
		"  EXISTS(SELECT 1 FROM class_orgs co JOIN orgs o ON o.id = co.org_id WHERE co.class_id = c.id"
		"         AND (substr(?3, 1, length(o.path)) = o.path OR substr(o.path, 1, length(?3)) = ?3))"
		"  OR EXISTS(SELECT 1 FROM class_members m JOIN users mu ON mu.id = m.user_id JOIN orgs mo ON mo.id = mu.org_id"
		"            WHERE m.class_id = c.id AND substr(mo.path, 1, length(?3)) = ?3)"
		" FROM classes c WHERE c.id = ?1",
		"iis", id, u->id, u->org_path ? u->org_path : "/");
	int found = db_step(st) == 1;
	if (found) {
		c->id = id;
		c->open = sqlite3_column_int(st, 0);
		c->member = sqlite3_column_int(st, 1);
		c->organiser = sqlite3_column_int(st, 2);
		c->scope = u->role == ROLE_ASSESSOR && sqlite3_column_int(st, 3);
		c->admin = u->role == ROLE_ADMIN;
		c->all_rows = c->admin || c->organiser;
	}
	db_done(st);
	return found;
}

static int class_view_load(req *r, int64_t id, void **out)
{
	class_res *c = arena_alloc(r->a, sizeof *c);
	if (!class_access(r, id, c) || !CLASS_VISIBLE(c))
		return 404;
	*out = c;
	return 0;
}

static int class_edit_load(req *r, int64_t id, void **out)
{
	class_res *c = arena_alloc(r->a, sizeof *c);
	if (!class_access(r, id, c))
		return 404;
	*out = c;
	return c->admin ? 0 : 403;
}

static int class_roster_load(req *r, int64_t id, void **out)
{
	class_res *c = arena_alloc(r->a, sizeof *c);
	if (!class_access(r, id, c) || !CLASS_VISIBLE(c))
		return 404;
	*out = c;
	return c->admin || c->organiser || r->u->role == ROLE_ASSESSOR ? 0 : 403;
}

int cert_code_arg(const char *seg, int pdf, char out[32])
{
	out[0] = 0;
	if (!seg)
		return 0;
	size_t n = strlen(seg);
	if (pdf) {
		if (n < 5 || strcmp(seg + n - 4, ".pdf"))
			return 0;
		n -= 4;
	}
	char tmp[64], canon[CODE_LEN + 1];
	if (n >= sizeof tmp)
		return 0;
	memcpy(tmp, seg, n);
	tmp[n] = 0;
	if (code_parse(tmp, canon) != CODE_OK)
		return 0;
	snprintf(out, 32, "%s", canon);
	return 1;
}

/* The certificate named by the route's {code} segment (".pdf" for the download route). */
static int cert_load(req *r, cert_res **out)
{
	char code[32];
	int pdf = r->rt && strstr(r->rt->pattern, ".pdf") != NULL;
	if (!r->nparams || !cert_code_arg(r->params[0], pdf, code))
		return 404;
	cert_res *c = arena_alloc(r->a, sizeof *c);
	sqlite3_stmt *st = db_query("SELECT id, user_id FROM certificates WHERE code = ?", "s", code);
	int found = db_step(st) == 1;
	if (found) {
		c->id = sqlite3_column_int64(st, 0);
		c->user_id = sqlite3_column_int64(st, 1);
		c->code = arena_strdup(r->a, code);
	}
	db_done(st);
	if (!found)
		return 404;
	*out = c;
	return 0;
}

static int cert_own_load(req *r, int64_t id, void **out)
{
	(void)id;
	cert_res *c = NULL;
	int st = cert_load(r, &c);
	if (st)
		return st;
	if (c->user_id != r->u->id && r->u->role != ROLE_ADMIN)
		return 404;
	*out = c;
	return 0;
}

static int cert_any_load(req *r, int64_t id, void **out)
{
	(void)id;
	cert_res *c = NULL;
	int st = cert_load(r, &c);
	if (st)
		return st;
	*out = c;
	return r->u->role == ROLE_ADMIN ? 0 : 403;
}

const resource_kind class_view = {
	.name = "class_view", .load = class_view_load, .missing = "classes.err.missing",
	.forbidden = "classes.err.missing",
};
const resource_kind class_edit = {
	.name = "class_edit", .load = class_edit_load, .missing = "classes.err.missing",
	.forbidden = "err.forbidden",
};
const resource_kind class_roster = {
	.name = "class_roster", .load = class_roster_load, .missing = "classes.err.missing",
	.forbidden = "classes.err.roster_forbidden",
};
const resource_kind cert_own = {
	.name = "cert_own", .load = cert_own_load, .missing = "classes.cert.missing",
	.forbidden = "classes.cert.missing",
};
const resource_kind cert_any = {
	.name = "cert_any", .load = cert_any_load, .missing = "classes.cert.missing",
	.forbidden = "err.forbidden",
};
