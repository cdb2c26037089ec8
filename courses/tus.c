/* tus.c — lecture sources by tus 1.0 (resumable uploads): creation, HEAD, PATCH streamed to disk,
 * termination, expiration; the upload_mine resource. The finished file goes to the probe workers of
 * upload.c like a PUT's. */
#include "auth.h"
#include "clock.h"
#include "config.h"
#include "courses/access.h"
#include "courses/lectures.h"
#include "courses/upload.h"
#include "courses/upload_ctx.h"
#include "db.h"
#include "http.h"
#include "i18n.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- tus 1.0: creation, termination, expiration ---- */

/* Uploads with a PATCH in progress: a hash set of upload ids that grows with the number of
   uploads in flight (each entry is one upload's lock), bounded only by the connection limits. */
typedef struct busy_ent {
	char uid[UID_LEN + 1];
	struct busy_ent *next;
} busy_ent;

static pthread_mutex_t g_lock_mu = PTHREAD_MUTEX_INITIALIZER;
static busy_ent **g_busy;   /* g_nbuckets chains */
static size_t g_nbuckets, g_nbusy;

static size_t uid_hash(const char *uid, size_t n)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for (; *uid; uid++)
		h = (h ^ (unsigned char)*uid) * 1099511628211ULL;
	return (size_t)(h % n);
}

/* Doubles the table when the chains get long (called with g_lock_mu held). */
static void busy_grow(void)
{
	size_t n = g_nbuckets ? g_nbuckets * 2 : 64;
	busy_ent **t = xcalloc(n, sizeof *t);
	for (size_t i = 0; i < g_nbuckets; i++)
		for (busy_ent *e = g_busy[i], *next; e; e = next) {
			next = e->next;
			size_t h = uid_hash(e->uid, n);
			e->next = t[h];
			t[h] = e;
		}
	free(g_busy);
	g_busy = t;
	g_nbuckets = n;
}

static busy_ent **busy_find(const char *uid)
{
	busy_ent **p = &g_busy[uid_hash(uid, g_nbuckets)];
	while (*p && strcmp((*p)->uid, uid))
		p = &(*p)->next;
	return p;
}

/* Takes the upload's lock: 0, or -1 when another PATCH holds it. */
static int lock_uid(const char *uid)
{
	pthread_mutex_lock(&g_lock_mu);
	if (g_nbusy >= g_nbuckets)
		busy_grow();
	busy_ent **p = busy_find(uid);
	if (*p) {
		pthread_mutex_unlock(&g_lock_mu);
		return -1;
	}
	busy_ent *e = xcalloc(1, sizeof *e);
	snprintf(e->uid, sizeof e->uid, "%s", uid);
	*p = e;
	g_nbusy++;
	pthread_mutex_unlock(&g_lock_mu);
	return 0;
}

static void unlock_uid(const char *uid)
{
	pthread_mutex_lock(&g_lock_mu);
	busy_ent **p = g_nbuckets ? busy_find(uid) : NULL;
	if (p && *p) {
		busy_ent *e = *p;
		*p = e->next;
		free(e);
		g_nbusy--;
	}
	pthread_mutex_unlock(&g_lock_mu);
}

static int is_locked(const char *uid)
{
	pthread_mutex_lock(&g_lock_mu);
	int hit = g_nbuckets && *busy_find(uid) != NULL;
	pthread_mutex_unlock(&g_lock_mu);
	return hit;
}

static void tus_path(const char *uid, char *out, size_t n)
{
	char name[128]; /* "tus-" + a 32-character id + ".part", with room */
	snprintf(name, sizeof name, "tus-%.64s.part", uid);
	uploads_path(name, out, n);
}

/* Every tus answer says which protocol it speaks. */
static void tus_headers(req *r)
{
	reply_header(r, "Tus-Resumable", "1.0.0");
}

static int tus_version_or_reply(req *r)
{
	const char *v = req_header(r, "Tus-Resumable");
	if (v && !strcmp(v, "1.0.0"))
		return 0;
	reply_header(r, "Tus-Version", "1.0.0");
	return reply_error(r, 412, "tus_version", "%s", tr("err.tus_version")), -1;
}

static void expires_header(req *r, int64_t updated_at)
{
	char d[64];
	time_t t = (time_t)(updated_at + cfg.upload_expire_s);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(d, sizeof d, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	reply_header(r, "Upload-Expires", d);
}

static int uid_ok(const char *s)
{
	if (!s || strlen(s) != UID_LEN)
		return 0;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return 0;
	return 1;
}

/* upload_mine: the caller's upload r->params[0] ({uid}); 404 when it is not theirs (an admin's:
   anyone's) or its partial file is gone (then the row goes too). */
static int upload_mine_load(req *r, int64_t id, void **out)
{
	(void)id;
	const char *uid = r->nparams ? r->params[0] : NULL;
	if (!uid_ok(uid))
		return 404;
	upload_res *u = arena_alloc(r->a, sizeof *u);
	memset(u, 0, sizeof *u);
	sqlite3_stmt *st = db_query("SELECT lecture_id, user_id, length FROM uploads WHERE id = ?", "s", uid);
	int found = db_step(st) == 1;
	int64_t owner = found ? sqlite3_column_int64(st, 1) : 0;
	if (found) {
		u->lecture = sqlite3_column_int64(st, 0);
		u->length = (uint64_t)sqlite3_column_int64(st, 2);
	}
	db_done(st);
	if (!found || (owner != r->u->id && r->u->role != ROLE_ADMIN))
		return 404;
	snprintf(u->uid, sizeof u->uid, "%s", uid);
	tus_path(uid, u->path, sizeof u->path);
	struct stat st2;
	if (stat(u->path, &st2) < 0) {
		db_exec("DELETE FROM uploads WHERE id = ?", "s", uid);
		return 404;
	}
	u->offset = (uint64_t)st2.st_size;
	*out = u;
	return 0;
}

const resource_kind upload_mine = {
	.name = "upload_mine", .load = upload_mine_load, .missing = "err.upload_missing",
	.forbidden = "err.upload_missing",
};

/* The guard's upload (r->res) into a request's upload state. */
static void load_upload(req *r, upctx *c)
{
	const upload_res *u = r->res;
	snprintf(c->uid, sizeof c->uid, "%s", u->uid);
	snprintf(c->path, sizeof c->path, "%s", u->path);
	c->lecture = u->lecture;
	c->length = u->length;
	c->offset = u->offset;
}

/* Removes a tus upload: its file and its row. */
static void drop_upload(const char *uid)
{
	char p[800];
	tus_path(uid, p, sizeof p);
	unlink(p);
	db_exec("DELETE FROM uploads WHERE id = ?", "s", uid);
}

int tus_uint(const char *s, uint64_t *out)
{
	if (!s || !*s)
		return -1;
	uint64_t v = 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return 0;
}

int tus_metadata_value(const char *meta, const char *key, char *out, size_t outlen)
{
	size_t kl = strlen(key);
	for (const char *p = meta; p && *p;) {
		while (*p == ' ' || *p == ',')
			p++;
		const char *end = strchr(p, ',');
		size_t l = end ? (size_t)(end - p) : strlen(p);
		if (l > kl && !strncmp(p, key, kl) && p[kl] == ' ') {
			const char *v = p + kl + 1;
			size_t vl = l - kl - 1, got = 0;
			if (sodium_base642bin((unsigned char *)out, outlen - 1, v, vl, NULL, &got, NULL,
					      sodium_base64_VARIANT_ORIGINAL) != 0 &&
			    sodium_base642bin((unsigned char *)out, outlen - 1, v, vl, NULL, &got, NULL,
					      sodium_base64_VARIANT_ORIGINAL_NO_PADDING) != 0)
				return -1;
			out[got] = 0;
			return 0;
		}
		p = end;
	}
	return -1;
}

/* OPTIONS /api/v1/uploads — what this server supports. */
static int tus_options(req *r)
{
	char max[32];
	snprintf(max, sizeof max, "%lld", (long long)cfg.upload_max);
	tus_headers(r);
	reply_header(r, "Tus-Version", "1.0.0");
	reply_header(r, "Tus-Extension", "creation,termination,expiration");
	reply_header(r, "Tus-Max-Size", max);
	return reply_empty(r, 204);
}

/* POST /api/v1/uploads (Upload-Length, Upload-Metadata with lecture_id) → 201 Location. */
static int tus_create(req *r)
{
	tus_headers(r);
	if (tus_version_or_reply(r) < 0)
		return 0;
	if (req_header(r, "Upload-Defer-Length"))
		return reply_error(r, 400, "defer_unsupported", "%s", tr("err.tus_defer"));
	const char *ls = req_header(r, "Upload-Length");
	uint64_t len;
	if (tus_uint(ls, &len) < 0)
		return reply_error(r, 400, "bad_length", "%s", tr("err.tus_length"));
	if (len > (unsigned long long)cfg.upload_max)
		return up_too_large(r);
	if (len == 0)
		return reply_error(r, 422, "empty_file", "%s", tr("err.media_empty"));
	const char *meta = req_header(r, "Upload-Metadata");
	char lid[32];
	if (!meta || tus_metadata_value(meta, "lecture_id", lid, sizeof lid) < 0 || parse_id(lid) <= 0)
		return reply_error(r, 400, "bad_metadata", "%s", tr("err.tus_metadata"));
	int64_t lecture = parse_id(lid);
	void *lres; /* the lecture is named in a header, not the URL: the same rule, called here */
	if (res_load_or_reply(r, &lecture_edit, lecture, &lres) < 0)
		return 0;
	char tok[65], path[800];
	token_new(tok);
	tok[UID_LEN] = 0;
	tus_path(tok, path, sizeof path);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
	if (fd < 0)
		return reply_error(r, errno == ENOSPC ? 507 : 500, "storage", "%s", tr("err.storage"));
	close(fd);
	int64_t now = clock_secs();
	if (db_exec("INSERT INTO uploads(id, lecture_id, user_id, length, \"offset\", metadata, created_at, updated_at) "
		    "VALUES (?, ?, ?, ?, 0, ?, ?, ?)",
		    "siiisii", tok, lecture, r->u->id, (int64_t)len, meta, now, now) < 0) {
		unlink(path);
		return reply_error(r, 500, "internal", "%s", tr("err.internal"));
	}
	char loc[96];
	snprintf(loc, sizeof loc, "/api/v1/uploads/%s", tok);
	reply_header(r, "Location", loc);
	expires_header(r, now);
	return reply_empty(r, 201);
}

/* HEAD (and GET) /api/v1/uploads/{uid} → Upload-Offset, Upload-Length. */
static int tus_head(req *r)
{
	tus_headers(r);
	if (r->is_head && tus_version_or_reply(r) < 0)
		return 0;
	upctx c = {.fd = -1};
	load_upload(r, &c);
	char off[32], len[32];
	snprintf(off, sizeof off, "%llu", (unsigned long long)c.offset);
	snprintf(len, sizeof len, "%llu", (unsigned long long)c.length);
	reply_header(r, "Upload-Offset", off);
	reply_header(r, "Upload-Length", len);
	expires_header(r, db_int(0, "SELECT updated_at FROM uploads WHERE id = ?", "s", c.uid));
	return reply_json(r, 200, json_pack("{s:I,s:I,s:I}", "offset", (json_int_t)c.offset, "length",
					    (json_int_t)c.length, "lecture_id", (json_int_t)c.lecture));
}

/* The PATCH will write no more: close the file and let the next PATCH in. Called as soon as the
   answer is decided (the answer may reach the client before this request's on_close runs). */
void tus_patch_release(upctx *c)
{
	if (c->fd >= 0) {
		up_flush(c); /* what was received is valid data, whatever ends the PATCH */
		close(c->fd);
	}
	c->fd = -1;
	if (c->locked)
		unlock_uid(c->uid);
	c->locked = 0;
}

static upctx *patch_start(req *r)
{
	upctx *c = arena_alloc(r->a, sizeof *c);
	memset(c, 0, sizeof *c);
	c->wb = arena_alloc(r->a, WBUF_SIZE);
	c->fd = -1;
	tus_headers(r);
	if (tus_version_or_reply(r) < 0)
		return NULL;
	const char *ct = req_header(r, "Content-Type");
	if (!ct || strcasecmp(ct, "application/offset+octet-stream"))
		return reply_error(r, 415, "wrong_type", "%s", tr("err.tus_type")), NULL;
	const char *os = req_header(r, "Upload-Offset");
	uint64_t want;
	if (tus_uint(os, &want) < 0)
		return reply_error(r, 400, "bad_offset", "%s", tr("err.tus_offset_header")), NULL;
	load_upload(r, c);
	if (lock_uid(c->uid) < 0) {
		c->path[0] = 0;
		return reply_error(r, 423, "upload_busy", "%s", tr("err.upload_busy")), NULL;
	}
	c->locked = 1;
	r->ctx = c;
	/* Re-read the size under the lock: a PATCH that just ended may have grown it. */
	struct stat st;
	if (stat(c->path, &st) == 0)
		c->offset = (uint64_t)st.st_size;
	if (want != c->offset) {
		char off[32];
		snprintf(off, sizeof off, "%llu", (unsigned long long)c->offset);
		reply_header(r, "Upload-Offset", off);
		tus_patch_release(c);
		return reply_error(r, 409, "offset_mismatch", "%s（%llu ≠ %llu）", tr("err.tus_offset"),
				   (unsigned long long)want, (unsigned long long)c->offset),
		       NULL;
	}
	const char *cl = req_header(r, "Content-Length");
	if (cl && c->offset + strtoull(cl, NULL, 10) > c->length) {
		tus_patch_release(c);
		return reply_error(r, 413, "beyond_length", "%s", tr("err.tus_beyond")), NULL;
	}
	c->fd = open(c->path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (c->fd < 0) {
		tus_patch_release(c);
		reply_error(r, 500, "storage", "%s", tr("err.storage"));
		return NULL;
	}
	return c;
}

static int patch_body(req *r, const char *data, size_t len)
{
	upctx *c = r->ctx;
	if (!c || c->fd < 0) {
		if (r->ctx) /* started and refused: the reply is already there */
			return -1;
		if (!(c = patch_start(r)))
			return -1;
	}
	if (c->offset + c->n + len > c->length) {
		tus_patch_release(c);
		return reply_error(r, 413, "beyond_length", "%s", tr("err.tus_beyond")), -1;
	}
	if (up_write(c, data, len) < 0) {
		up_write_failed(r, c); /* closes and removes the partial file */
		db_exec("DELETE FROM uploads WHERE id = ?", "s", c->uid);
		tus_patch_release(c);
		return -1;
	}
	c->n += len;
	return 0;
}

/* The PATCH ended: record the offset; the last one probes and queues. */
static int patch_done(req *r)
{
	upctx *c = r->ctx;
	if (!c && !(c = patch_start(r)))
		return 0;
	if (c->fd >= 0 && up_flush(c) < 0) {
		up_write_failed(r, c);
		db_exec("DELETE FROM uploads WHERE id = ?", "s", c->uid);
		tus_patch_release(c);
		return 0;
	}
	uint64_t off = c->offset + c->n;
	char offs[32];
	snprintf(offs, sizeof offs, "%llu", (unsigned long long)off);
	reply_header(r, "Upload-Offset", offs);
	int64_t now = clock_secs();
	db_exec("UPDATE uploads SET \"offset\" = ?, updated_at = ? WHERE id = ?", "iis", (int64_t)off, now, c->uid);
	if (off < c->length) {
		tus_patch_release(c);
		expires_header(r, now);
		return reply_empty(r, 204);
	}
	close(c->fd);
	c->fd = -1;
	/* Still locked until the probe worker is done: a retried last PATCH must not race the probe
	   and the hand-over. */
	return up_probe_defer(r, c, 1);
}

/* The whole file is there: probe it, queue it, forget the upload (on a probe worker). */
int tus_patch_finish(req *r, upctx *c, int (*cancelled)(void))
{
	char msg[700], detail[512];
	int status;
	const char *code;
	if (source_check_ex(c->path, cancelled, msg, sizeof msg, detail, sizeof detail, &status, &code) < 0) {
		if (status != 503)
			drop_upload(c->uid); /* a finished upload that is not media will not become one */
		source_reply_refusal(r, status, code, msg, detail);
		return 0;
	}
	if (source_accept(c->lecture, c->path) < 0)
		return reply_error(r, 500, "internal", "%s", tr("err.internal"));
	db_exec("DELETE FROM uploads WHERE id = ?", "s", c->uid);
	return reply_empty(r, 204);
}

static void patch_close(req *r)
{
	upctx *c = r->ctx;
	if (!c)
		return;
	if (c->fd >= 0) {
		up_flush(c); /* a dropped connection keeps what arrived */
		close(c->fd);
	}
	c->fd = -1;
	if (c->locked && c->path[0]) {
		/* A dropped connection: everything written is valid data; the file size is the offset. */
		struct stat st;
		if (stat(c->path, &st) == 0)
			db_exec("UPDATE uploads SET \"offset\" = ?, updated_at = ? WHERE id = ?", "iis",
				(int64_t)st.st_size, clock_secs(), c->uid);
	}
	if (c->locked)
		unlock_uid(c->uid);
}

/* DELETE /api/v1/uploads/{uid} — termination. */
static int tus_delete(req *r)
{
	tus_headers(r);
	if (tus_version_or_reply(r) < 0)
		return 0;
	upctx c = {.fd = -1};
	load_upload(r, &c);
	if (is_locked(c.uid))
		return reply_error(r, 423, "upload_busy", "%s", tr("err.upload_busy"));
	drop_upload(c.uid);
	return reply_empty(r, 204);
}

/* ---- expiration ---- */

int uploads_sweep(void)
{
	int64_t cutoff = clock_secs() - cfg.upload_expire_s;
	char ids[64][UID_LEN + 1];
	int n = 0;
	db_stmt q;
	sqlite3_stmt *st = db_prepare(&q, "SELECT id FROM uploads WHERE updated_at < ? LIMIT 64", "i", cutoff);
	while (db_step(st) == 1 && n < 64)
		snprintf(ids[n++], sizeof ids[0], "%s", db_col_text(st, 0));
	db_finalize(&q);
	int dropped = 0;
	for (int i = 0; i < n; i++)
		if (!is_locked(ids[i]) && uid_ok(ids[i])) {
			drop_upload(ids[i]);
			dropped++;
		}
	return dropped;
}

const route tus_routes[] = {
	{.method = "OPTIONS", .pattern = "/api/v1/uploads", .fn = tus_options, .roles = R_PUBLIC},
	{.method = "POST", .pattern = "/api/v1/uploads", .fn = tus_create, .roles = R_STAFF},
	{.method = "GET", .pattern = "/api/v1/uploads/{uid}", .fn = tus_head, .roles = R_STAFF, .res = &upload_mine},
	{.method = "PATCH", .pattern = "/api/v1/uploads/{uid}", .fn = patch_done, .roles = R_STAFF,
	 .flags = RF_STREAM, .on_body = patch_body, .on_close = patch_close, .res = &upload_mine},
	{.method = "DELETE", .pattern = "/api/v1/uploads/{uid}", .fn = tus_delete, .roles = R_STAFF,
	 .res = &upload_mine},
	ROUTES_END,
};
