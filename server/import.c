/* import.c — the CSV member import with a preview: what each line would do (create, update with
 * the changed fields, unchanged, error), nothing written until the admin confirms that very plan.
 *
 * The preview answers a digest of the file and of the plan (which holds the current values of
 * everything it would change); the confirmation sends the file again with that digest and is
 * refused (409) when the plan has changed meanwhile, since the admin would then be confirming
 * something they did not see. An update never changes a role unless role changes are allowed.
 * Both run in a thread of their own, off the HTTP threads (hashing 1,000 passwords takes seconds).
 */
#include "audit.h"
#include "auth.h"
#include "clock.h"
#include "config.h"
#include "csv.h"
#include "db.h"
#include "http.h"
#include "i18n.h"
#include "people.h"

#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One good line of the file, and what it does. */
struct imp_line {
	int line;
	char *username;                                /* normalised */
	const char *name, *org, *role_in, *password; /* as written (role_in NULL: empty) */
	const char *role;                              /* the role it gets or keeps */
	int64_t uid, org_id;                           /* existing user, existing organisation (0: new) */
	int role_change;                               /* an update that changes the role */
	char hash[128];
	int hash_ok;
};

typedef struct plan {
	csv_doc doc;
	struct imp_line *v;
	int n;
	json_t *lines; /* per line of the file, in line order */
	char digest[65];
	int creates, updates, unchanged, errors;
} plan;

static const char *msg_n(const char *key, int n, char *out, size_t len)
{
	const char *t = tr(key), *p = strstr(t, "{n}");
	if (!p)
		return t;
	snprintf(out, len, "%.*s%d%s", (int)(p - t), t, n, p + 3);
	return out;
}

static void line_error(plan *p, int line, const char *fmt, ...) DX_PRINTF(3, 4);
/* Reports a refused line. No fixed buffer: a message cut mid-character is invalid UTF-8, which
   json_pack refuses, and the line would go unreported. */
static void line_error(plan *p, int line, const char *fmt, ...)
{
	buf msg;
	buf_init(&msg);
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	json_t *e = json_pack("{s:i,s:s,s:s}", "line", line, "action", "error", "message", msg.p ? msg.p : "");
	if (!e)
		e = json_pack("{s:i,s:s,s:s}", "line", line, "action", "error", "message", tr("err.csv_line"));
	json_array_append_new(p->lines, e);
	p->errors++;
	buf_free(&msg);
}

/* Trims spaces around each level of "省委 / 组织部" and checks the names and the depth: 0 with the
   clean path in out, -1 malformed, -2 too deep. */
static int org_path_clean(const char *in, buf *out)
{
	int levels = 0;
	const char *p = in;
	while (*p) {
		const char *e = strchr(p, '/');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		while (l && *p == ' ')
			p++, l--;
		while (l && p[l - 1] == ' ')
			l--;
		char *part = xstrndup(p, l);
		int ok = org_name_ok(part);
		if (ok) {
			if (out->len)
				buf_putc(out, '/');
			buf_puts(out, part);
		}
		free(part);
		if (!ok)
			return -1;
		if (++levels > cfg.org_max_depth)
			return -2;
		if (!e)
			break;
		p = e + 1;
		if (!*p)
			return -1; /* a trailing "/" */
	}
	return levels ? 0 : -1;
}

/* The import's verdict on the whole file before any line: one clear message for a file that is
   not CSV text (binary, a spreadsheet, another encoding), else NULL. */
static const char *not_csv(const char *s, size_t len)
{
	if (len >= 4 && !memcmp(s, "PK\x03\x04", 4))
		return "err.csv_xlsx";
	if (len >= 4 && !memcmp(s, "\xd0\xcf\x11\xe0", 4))
		return "err.csv_xlsx";
	if (len >= 2 && (!memcmp(s, "\xff\xfe", 2) || !memcmp(s, "\xfe\xff", 2)))
		return "err.csv_encoding";
	if (memchr(s, 0, len))
		return "err.csv_binary";
	if (!utf8_ok(s, len))
		return "err.csv_encoding";
	return NULL;
}

static int is_header(const csv_row *row)
{
	if (row->nfields < 1)
		return 0;
	const char *f = row->fields[0];
	while (*f == ' ')
		f++;
	return !strncasecmp(f, "username", 8) || !strncmp(f, "用户名", strlen("用户名"));
}

static void plan_free(plan *p)
{
	for (int i = 0; i < p->n; i++)
		free(p->v[i].username);
	free(p->v);
	json_decref(p->lines);
	csv_free(&p->doc);
	memset(p, 0, sizeof *p);
}

/* Reads the file into good lines and errors (no database). 0, or -1 with p->lines holding the
   one error of a file that could not be read at all. */
static int plan_parse(plan *p, const char *text, size_t len)
{
	memset(p, 0, sizeof *p);
	p->lines = json_array();
	if (csv_parse(text, len, &p->doc) < 0) {
		line_error(p, p->doc.err_line, "%s", p->doc.err);
		return -1;
	}
	p->v = xcalloc((size_t)p->doc.nrows + 1, sizeof *p->v);
	for (int i = 0; i < p->doc.nrows; i++) {
		csv_row *row = &p->doc.rows[i];
		if (row->nfields < 0) {
			line_error(p, row->line, "%s：%s", tr("err.csv_malformed"), row->error ? row->error : "");
			continue;
		}
		if (i == 0 && is_header(row))
			continue;
		if (row->nfields < 3 || row->nfields > 5) {
			line_error(p, row->line, "%s（%d）", tr("err.csv_columns"), row->nfields);
			continue;
		}
		struct imp_line *l = &p->v[p->n];
		memset(l, 0, sizeof *l);
		l->line = row->line;
		l->username = username_norm(row->fields[0]);
		l->name = row->fields[1];
		l->org = row->fields[2];
		l->role_in = row->nfields > 3 && *row->fields[3] ? row->fields[3] : NULL;
		l->password = row->nfields > 4 ? row->fields[4] : "";
		const char *why = NULL;
		const char *pw_why = *l->password ? password_weak(l->password) : NULL;
		if (!username_ok(l->username))
			why = tr("err.username");
		else if (!*l->name || utf8_chars(l->name) > 64)
			why = tr("err.name");
		else if (l->role_in && !role_code(l->role_in))
			why = tr("err.import_role");
		else if (!*l->org)
			why = tr("err.org_path");
		else if (pw_why)
			why = tr(pw_why);
		for (int k = 0; !why && k < p->n; k++)
			if (!strcmp(p->v[k].username, l->username)) {
				char m[200];
				why = msg_n("err.import_duplicate", p->v[k].line, m, sizeof m);
				line_error(p, row->line, "%s：%s", why, l->username);
				free(l->username);
				l->username = NULL;
				why = "";
			}
		if (why) {
			if (*why)
				line_error(p, row->line, "%s", why);
			free(l->username);
			l->username = NULL;
			continue;
		}
		p->n++;
	}
	return 0;
}

/* What each good line does against the database as it is now (reads only), into p->lines, and
   the digest of the file, the option and that plan. */
static void plan_check(plan *p, const char *text, size_t len, int allow_roles)
{
	/* Errors from parsing stay; the database's verdicts are added, then all sorted by line. */
	json_t *lines = p->lines;
	for (int i = 0; i < p->n; i++) {
		struct imp_line *l = &p->v[i];
		l->uid = l->org_id = 0;
		l->role_change = 0;
		l->role = NULL;
		buf path;
		buf_init(&path);
		int pc = org_path_clean(l->org, &path);
		if (pc < 0) {
			if (pc == -2) {
				char *m = org_depth_msg();
				line_error(p, l->line, "%s：%s", m, l->org);
				free(m);
			} else {
				line_error(p, l->line, "%s：%s", tr("err.org_path"), l->org);
			}
			buf_free(&path);
			l->uid = -1; /* refused */
			continue;
		}
		l->org_id = org_resolve_path(path.p, 0);
		if (l->org_id < 0)
			l->org_id = 0;
		sqlite3_stmt *st = db_query("SELECT id, name, role, org_id, active FROM users WHERE username = ?", "s",
					    l->username);
		char *old_name = NULL, *old_role = NULL;
		int64_t old_org = 0;
		int active = 1;
		if (db_step(st) == 1) {
			l->uid = sqlite3_column_int64(st, 0);
			old_name = xstrdup(db_col_text(st, 1));
			old_role = xstrdup(db_col_text(st, 2));
			old_org = sqlite3_column_int64(st, 3);
			active = sqlite3_column_int(st, 4);
		}
		db_done(st);
		const char *want_role = l->role_in ? role_code(l->role_in) : NULL;
		json_t *j = json_pack("{s:i,s:s,s:s,s:s}", "line", l->line, "username", l->username, "name", l->name, "org",
				      path.p);
		if (!l->uid) {
			if (!*l->password) {
				json_decref(j);
				line_error(p, l->line, "%s", tr("err.password_needed"));
				l->uid = -1;
				buf_free(&path);
				continue;
			}
			l->role = want_role ? want_role : "member";
			json_object_set_new(j, "action", json_string("create"));
			json_object_set_new(j, "role", json_string(l->role));
			json_object_set_new(j, "new_org", json_boolean(!l->org_id));
			p->creates++;
		} else {
			json_t *ch = json_object();
			json_t *notes = json_array();
			audit_diff_str(ch, "name", old_name, l->name);
			if (!l->org_id || l->org_id != old_org) {
				char *full = org_full_name(old_org);
				json_object_set_new(ch, "org", json_pack("[ss]", full ? full : "", path.p));
				free(full);
			}
			l->role = old_role;
			if (want_role && strcmp(want_role, old_role)) {
				if (!allow_roles) {
					json_array_append_new(notes, json_pack("{s:s,s:s,s:s}", "code", "role_kept", "from",
									       old_role, "to", want_role));
				} else if (strcmp(want_role, "admin") && last_admin(l->uid)) {
					json_decref(ch);
					json_decref(notes);
					json_decref(j);
					line_error(p, l->line, "%s：%s", tr("err.last_admin"), l->username);
					free(old_name);
					free(old_role);
					l->uid = -1;
					buf_free(&path);
					continue;
				} else {
					json_object_set_new(ch, "role", json_pack("[ss]", old_role, want_role));
					l->role = want_role;
					l->role_change = 1;
				}
			}
			if (*l->password)
				json_object_set_new(ch, "password", json_true());
			if (!active)
				json_array_append_new(notes, json_pack("{s:s}", "code", "disabled"));
			int changed = json_object_size(ch) > 0;
			json_object_set_new(j, "action", json_string(changed ? "update" : "unchanged"));
			json_object_set_new(j, "role", json_string(l->role));
			json_object_set_new(j, "changes", ch);
			json_object_set_new(j, "notes", notes);
			json_object_set_new(j, "new_org", json_boolean(!l->org_id));
			if (changed)
				p->updates++;
			else
				p->unchanged++;
			/* l->role must outlive old_role: keep a copy the line owns via the role table. */
			l->role = role_code(l->role);
		}
		free(old_name);
		free(old_role);
		buf_free(&path);
		json_array_append_new(lines, j);
	}
	/* Line order, whichever pass found a line's verdict (insertion sort: mostly sorted already). */
	size_t n = json_array_size(lines);
	for (size_t i = 1; i < n; i++)
		for (size_t k = i; k > 0 && json_integer_value(json_object_get(json_array_get(lines, k - 1), "line")) >
						   json_integer_value(json_object_get(json_array_get(lines, k), "line"));
		     k--) {
			json_t *a = json_incref(json_array_get(lines, k - 1));
			json_array_set(lines, k - 1, json_array_get(lines, k));
			json_array_set_new(lines, k, a);
		}
	char *dump = json_dumps(lines, JSON_COMPACT | JSON_SORT_KEYS);
	crypto_hash_sha256_state h;
	unsigned char out[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_init(&h);
	crypto_hash_sha256_update(&h, (const unsigned char *)text, len);
	crypto_hash_sha256_update(&h, (const unsigned char *)(allow_roles ? "\0R1" : "\0R0"), 3);
	crypto_hash_sha256_update(&h, (const unsigned char *)(dump ? dump : ""), dump ? strlen(dump) : 0);
	crypto_hash_sha256_final(&h, out);
	hex_encode(out, sizeof out, p->digest);
	free(dump);
}

/* The answer of a preview (and, with counts, of a confirmation). */
static json_t *plan_json(plan *p)
{
	json_t *orgs = json_array(), *seen = json_object();
	size_t i;
	json_t *l;
	json_array_foreach(p->lines, i, l)
	{
		const char *org = json_string_value(json_object_get(l, "org"));
		if (org && json_is_true(json_object_get(l, "new_org")) && !json_object_get(seen, org)) {
			json_object_set_new(seen, org, json_true());
			json_array_append_new(orgs, json_string(org));
		}
	}
	json_decref(seen);
	return json_pack("{s:s,s:O,s:o,s:{s:i,s:i,s:i,s:i}}", "digest", p->digest, "lines", p->lines, "new_orgs", orgs,
			 "summary", "create", p->creates, "update", p->updates, "unchanged", p->unchanged, "error",
			 p->errors);
}

struct hash_job {
	struct imp_line *v;
	int n, step, start;
};

static void *hash_worker(void *arg)
{
	struct hash_job *j = arg;
	for (int i = j->start; i < j->n && !http_stopping(); i += j->step)
		if (j->v[i].username && *j->v[i].password)
			j->v[i].hash_ok = password_hash(j->v[i].password, j->v[i].hash) == 0;
	return NULL;
}

/* Writes the plan (inside the caller's transaction): organisations, users, audit rows. -1 on a
   database error (the caller rolls back). */
static int plan_apply(plan *p, int64_t actor, int allow_roles, int *created, int *updated)
{
	int64_t max_org = db_int(0, "SELECT ifnull(max(id), 0) FROM orgs", "");
	*created = *updated = 0;
	for (int i = 0; i < p->n; i++) {
		struct imp_line *l = &p->v[i];
		if (l->uid < 0)
			continue;
		buf path;
		buf_init(&path);
		org_path_clean(l->org, &path);
		int64_t org = l->org_id ? l->org_id : org_resolve_path(path.p, 1);
		buf_free(&path);
		if (org <= 0)
			return -1;
		if (!l->uid) {
			if (!l->hash_ok)
				return -1;
			int64_t id = user_insert(l->username, l->name, l->role, org, l->hash);
			if (id <= 0 || audit_json(actor, "user.create", "user", id,
						  json_pack("{s:s,s:s,s:s,s:I,s:s}", "username", l->username, "name", l->name,
							    "role", l->role, "org_id", (json_int_t)org, "via", "import")) < 0)
				return -1;
			(*created)++;
			continue;
		}
		sqlite3_stmt *st = db_query("SELECT name, role, org_id FROM users WHERE id = ?", "i", l->uid);
		char *old_name = NULL, *old_role = NULL;
		int64_t old_org = 0;
		if (db_step(st) == 1) {
			old_name = xstrdup(db_col_text(st, 0));
			old_role = xstrdup(db_col_text(st, 1));
			old_org = sqlite3_column_int64(st, 2);
		}
		db_done(st);
		json_t *d = json_object();
		audit_diff_str(d, "name", old_name, l->name);
		audit_diff_int(d, "org_id", old_org, org);
		if (allow_roles && l->role_change)
			audit_diff_str(d, "role", old_role, l->role);
		free(old_name);
		free(old_role);
		if (*l->password) {
			if (!l->hash_ok) {
				json_decref(d);
				return -1;
			}
			json_object_set_new(d, "password", json_true());
		}
		if (!json_object_size(d)) {
			json_decref(d);
			continue;
		}
		json_object_set_new(d, "via", json_string("import"));
		int ok = db_exec("UPDATE users SET name = ?, org_id = ?, version = version + 1, updated_at = ? WHERE id = ?",
				 "siii", l->name, org, clock_secs(), l->uid) >= 0;
		if (ok && allow_roles && l->role_change)
			ok = db_exec("UPDATE users SET role = ? WHERE id = ?", "si", l->role, l->uid) >= 0;
		if (ok && *l->password)
			ok = db_exec("UPDATE users SET pw_hash = ? WHERE id = ?", "si", l->hash, l->uid) >= 0;
		if (!ok || audit_json(actor, "user.update", "user", l->uid, d) < 0)
			return -1;
		(*updated)++;
	}
	/* The organisations the import made, one audit row each. */
	db_stmt q;
	sqlite3_stmt *st = db_prepare(&q, "SELECT id, name, ifnull(parent_id, 0) FROM orgs WHERE id > ? ORDER BY id", "i",
				      max_org);
	int rc = 0;
	while (rc == 0 && db_step(st) == 1)
		rc = audit_json(actor, "org.create", "org", sqlite3_column_int64(st, 0),
				json_pack("{s:s,s:I,s:s}", "name", db_col_text(st, 1), "parent_id",
					  (json_int_t)sqlite3_column_int64(st, 2), "via", "import"));
	db_finalize(&q);
	return rc;
}

json_t *import_members(const char *text, size_t len, const import_opts *o, int *status)
{
	*status = 200;
	const char *bad = not_csv(text, len);
	if (bad) {
		*status = 422;
		return json_pack("{s:{s:s,s:s}}", "error", "code", "not_csv", "message", tr(bad));
	}
	plan p;
	int prc = plan_parse(&p, text, len);
	if (prc < 0 || !p.doc.nrows) {
		json_t *j = prc < 0 ? json_pack("{s:{s:s,s:s,s:O}}", "error", "code", "csv_limit", "message",
						json_string_value(json_object_get(json_array_get(p.lines, 0), "message")),
						"lines", p.lines)
				    : json_pack("{s:{s:s,s:s}}", "error", "code", "empty", "message", tr("err.csv_empty"));
		*status = 422;
		plan_free(&p);
		return j;
	}
	int allow = o->allow_role_changes;
	json_t *parse_errors = json_deep_copy(p.lines);
	plan_check(&p, text, len, allow);
	if (o->preview) {
		json_t *j = plan_json(&p);
		json_decref(parse_errors);
		plan_free(&p);
		return j;
	}
	if (o->digest && strcmp(o->digest, p.digest)) {
		*status = 409;
		json_decref(parse_errors);
		plan_free(&p);
		return json_pack("{s:{s:s,s:s}}", "error", "code", "stale_preview", "message", tr("err.import_stale"));
	}
	/* Hash the passwords on every core (outside the transaction: Argon2id is the slow part). */
	int nth = 2;
	pthread_t th[2];
	struct hash_job jobs[2];
	for (int t = 0; t < nth; t++) {
		jobs[t] = (struct hash_job){p.v, p.n, nth, t};
		pthread_create(&th[t], NULL, hash_worker, &jobs[t]);
	}
	for (int t = 0; t < nth; t++)
		pthread_join(th[t], NULL);
	if (http_stopping() || db_begin() < 0) {
		json_decref(parse_errors);
		plan_free(&p);
		return NULL;
	}
	/* The plan again, now that nobody else writes: it must still be the one previewed. */
	char seen[65];
	memcpy(seen, p.digest, sizeof seen);
	json_decref(p.lines);
	p.lines = parse_errors;
	p.creates = p.updates = p.unchanged = 0;
	p.errors = (int)json_array_size(parse_errors);
	plan_check(&p, text, len, allow);
	if (o->digest && strcmp(seen, p.digest)) {
		db_rollback();
		plan_free(&p);
		*status = 409;
		return json_pack("{s:{s:s,s:s}}", "error", "code", "stale_preview", "message", tr("err.import_stale"));
	}
	int created = 0, updated = 0;
	int rc = plan_apply(&p, o->actor, allow, &created, &updated);
	if (rc == 0)
		rc = audit_json(o->actor, "import.confirm", "import", 0,
				json_pack("{s:i,s:i,s:i,s:i,s:b,s:s}", "created", created, "updated", updated, "unchanged",
					  p.unchanged, "errors", p.errors, "allow_role_changes", allow, "digest", p.digest));
	if (rc < 0) {
		db_rollback();
		plan_free(&p);
		return NULL;
	}
	if (db_commit() < 0) {
		plan_free(&p);
		return NULL;
	}
	json_t *errs = json_array();
	size_t i;
	json_t *l;
	json_array_foreach(p.lines, i, l) if (!strcmp(json_string_value(json_object_get(l, "action")), "error"))
		json_array_append_new(errs, json_pack("{s:O,s:O}", "line", json_object_get(l, "line"), "message",
						      json_object_get(l, "message")));
	json_t *j = json_pack("{s:i,s:i,s:i,s:o,s:O,s:s}", "created", created, "updated", updated, "unchanged",
			      p.unchanged, "errors", errs, "lines", p.lines, "digest", p.digest);
	plan_free(&p);
	return j;
}

/* ---- endpoints ---- */

/* At most IMPORT_MAX run at once; each in its own thread while its request is suspended. */
#define IMPORT_MAX 2
static atomic_int g_imports;

typedef struct import_job {
	req *r;
	import_opts o;
} import_job;

static void *import_thread(void *arg)
{
	import_job *job = arg;
	req *r = job->r;
	int status;
	json_t *j = import_members(r->body.p, r->body.len, &job->o, &status);
	if (j)
		reply_json(r, status, j);
	else
		reply_error(r, 503, "busy", "%s", tr("err.busy"));
	db_close_thread();
	atomic_fetch_sub(&g_imports, 1);
	req_resume(r);
	return NULL;
}

/* Checks the request, then runs the import (preview or confirmation) in a thread of its own. */
static int import_start(req *r, int preview)
{
	const char *ct = req_header(r, "Content-Type");
	if (!ct || strncasecmp(ct, "text/csv", 8))
		return reply_error(r, 415, "unsupported_media_type", "%s", tr("err.csv_type"));
	if (!r->body.len)
		return reply_error(r, 422, "empty", "%s", tr("err.csv_empty"));
	const char *digest = req_arg(r, "confirm");
	if (!preview && (!digest || strlen(digest) != 64))
		return reply_error(r, 422, "preview_required", "%s", tr("err.import_preview_first"));
	const char *arc = req_arg(r, "allow_role_changes");
	import_job *job = arena_alloc(r->a, sizeof *job);
	job->r = r;
	job->o = (import_opts){.preview = preview,
			       .allow_role_changes = arc && (!strcmp(arc, "1") || !strcmp(arc, "true")),
			       .digest = preview ? NULL : arena_strdup(r->a, digest),
			       .actor = r->u->id};
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
	int rc = pthread_create(&th, &at, import_thread, job);
	pthread_attr_destroy(&at);
	if (rc != 0) {
		atomic_fetch_sub(&g_imports, 1);
		reply_error(r, 503, "busy", "%s", tr("err.busy"));
		req_resume(r);
	}
	return 0;
}

/* POST /api/v1/users/import/preview?allow_role_changes=1 (text/csv) — writes nothing. */
static int users_import_preview(req *r)
{
	return import_start(r, 1);
}

/* POST /api/v1/users/import?confirm=DIGEST&allow_role_changes=1 (the same text/csv) */
static int users_import(req *r)
{
	return import_start(r, 0);
}

/* GET /api/v1/users/import/template — a CSV to fill in (UTF-8 with a BOM, so Excel reads it). */
static int users_import_template(req *r)
{
	buf b;
	buf_init(&b);
	buf_puts(&b, "\xEF\xBB\xBF");
	buf_printf(&b, "%s\r\n", tr("import.template_header"));
	buf_printf(&b, "%s\r\n", tr("import.template_row1"));
	buf_printf(&b, "%s\r\n", tr("import.template_row2"));
	reply_header(r, "Content-Disposition", "attachment; filename=\"import-template.csv\"");
	return reply_buf(r, 200, "text/csv; charset=utf-8", &b);
}

const route member_import_routes[] = {
	{.method = "POST", .pattern = "/api/v1/users/import", .fn = users_import, .roles = ROLE_ADMIN,
	 .flags = RF_RAWBODY, .body_max = 32u << 20},
	{.method = "POST", .pattern = "/api/v1/users/import/preview", .fn = users_import_preview, .roles = ROLE_ADMIN,
	 .flags = RF_RAWBODY, .body_max = 32u << 20},
	{.method = "GET", .pattern = "/api/v1/users/import/template", .fn = users_import_template, .roles = ROLE_ADMIN},
	ROUTES_END,
};
