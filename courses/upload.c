/* upload.c — lecture sources by plain PUT and by tus 1.0 (resumable), streamed to disk as they arrive.
 *
 * Both write each chunk with write() as libmicrohttpd hands it over, never holding the file in
 * memory. A finished file is probed before anything changes; a refused one is deleted. tus keeps
 * partial files (DATA/uploads/tus-UID.part, whose size is the offset) so that a browser resumes
 * after a dropped connection or a reload; a sweeper removes those idle for cfg.upload_expire_s.
 */
#include "auth.h"
#include "clock.h"
#include "config.h"
#include "courses/access.h"
#include "courses/lectures.h"
#include "courses/upload.h"
#include "db.h"
#include "transcoder/jobs.h"
#include "http.h"
#include "i18n.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define UID_LEN 32

/* A streamed body in progress (allocated in the request's arena). */
typedef struct upctx {
	int fd;
	char path[800];     /* the file written; removed at the end unless handed over */
	uint64_t n;         /* bytes of this request written */
	int64_t lecture;
	/* tus */
	char uid[UID_LEN + 1];
	uint64_t offset, length;
	int locked;
	/* Writes are gathered into WBUF_SIZE before they reach the file: libmicrohttpd hands the body
	   over in pieces of its connection buffer (~16 KiB), and one write() per piece halved the
	   upload speed (measured: 33,000 writes for 512 MiB). */
	char *wb;
	size_t wn;
} upctx;

#define WBUF_SIZE (256 * 1024)

/* Writes what is gathered; -1 with errno on failure. */
static int up_flush(upctx *c)
{
	size_t n = c->wn;
	c->wn = 0;
	return n ? write_all(c->fd, c->wb, n) : 0;
}

/* Appends data to the file through the gathering buffer. */
static int up_write(upctx *c, const char *p, size_t n)
{
	if (c->wn + n > WBUF_SIZE && up_flush(c) < 0)
		return -1;
	if (n >= WBUF_SIZE)
		return write_all(c->fd, p, n);
	memcpy(c->wb + c->wn, p, n);
	c->wn += n;
	return 0;
}

/* A failed write: the partial file goes at once (a full disk gets its space back) and the client
   learns why. */
static int write_failed(req *r, upctx *c)
{
	int e = errno;
	close(c->fd);
	c->fd = -1;
	unlink(c->path);
	c->path[0] = 0;
	if (e == ENOSPC || e == EDQUOT)
		return reply_error(r, 507, "disk_full", "%s", tr("err.disk_full")), -1;
	/* The Chinese message alone; the system's English reason goes to detail. */
	return source_reply_refusal(r, 500, "write_failed", tr("err.write_failed"), strerror(e)), -1;
}

static int too_large(req *r)
{
	return reply_error(r, 413, "too_large", "%s（%.1f GiB）", tr("err.upload_too_large"),
			   (double)cfg.upload_max / (1 << 30)),
	       -1;
}

static int probe_defer(req *r, upctx *c, int tus);

/* ---- PUT /api/v1/lectures/{id}/source (lecture_edit) ---- */

static upctx *put_start(req *r)
{
	int64_t id = req_id(r, 0);
	const char *cl = req_header(r, "Content-Length");
	if (cl && strtoull(cl, NULL, 10) > (uint64_t)cfg.upload_max)
		return too_large(r), NULL;
	upctx *c = arena_alloc(r->a, sizeof *c);
	memset(c, 0, sizeof *c);
	c->wb = arena_alloc(r->a, WBUF_SIZE);
	c->lecture = id;
	c->fd = uploads_create("put", c->path, sizeof c->path);
	if (c->fd < 0) {
		write_failed(r, c);
		return NULL;
	}
	r->ctx = c;
	return c;
}

static int put_body(req *r, const char *data, size_t len)
{
	upctx *c = r->ctx ? r->ctx : put_start(r);
	if (!c)
		return -1;
	if (c->n + len > (uint64_t)cfg.upload_max)
		return too_large(r);
	if (up_write(c, data, len) < 0)
		return write_failed(r, c);
	c->n += len;
	return 0;
}

static int put_done(req *r)
{
	upctx *c = r->ctx ? r->ctx : put_start(r);
	if (!c)
		return 0;
	if (up_flush(c) < 0)
		return write_failed(r, c);
	int rc = close(c->fd);
	c->fd = -1;
	if (rc < 0)
		return write_failed(r, c);
	/* A probe worker answers (415/422 refused, 202 queued); put_close removes a refused file. */
	return probe_defer(r, c, 0);
}

/* Completed or aborted: whatever was not handed over is removed. */
static void put_close(req *r)
{
	upctx *c = r->ctx;
	if (!c)
		return;
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	if (c->path[0])
		unlink(c->path);
}

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

int tus_meta_get(const char *meta, const char *key, char *out, size_t outlen)
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
		return too_large(r);
	if (len == 0)
		return reply_error(r, 422, "empty_file", "%s", tr("err.media_empty"));
	const char *meta = req_header(r, "Upload-Metadata");
	char lid[32];
	if (!meta || tus_meta_get(meta, "lecture_id", lid, sizeof lid) < 0 || parse_id(lid) <= 0)
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
static void patch_release(upctx *c)
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
		patch_release(c);
		return reply_error(r, 409, "offset_mismatch", "%s（%llu ≠ %llu）", tr("err.tus_offset"),
				   (unsigned long long)want, (unsigned long long)c->offset),
		       NULL;
	}
	const char *cl = req_header(r, "Content-Length");
	if (cl && c->offset + strtoull(cl, NULL, 10) > c->length) {
		patch_release(c);
		return reply_error(r, 413, "beyond_length", "%s", tr("err.tus_beyond")), NULL;
	}
	c->fd = open(c->path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (c->fd < 0) {
		patch_release(c);
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
		patch_release(c);
		return reply_error(r, 413, "beyond_length", "%s", tr("err.tus_beyond")), -1;
	}
	if (up_write(c, data, len) < 0) {
		write_failed(r, c); /* closes and removes the partial file */
		db_exec("DELETE FROM uploads WHERE id = ?", "s", c->uid);
		patch_release(c);
		return -1;
	}
	c->n += len;
	return 0;
}

static int patch_finish(req *r, upctx *c, int (*cancelled)(void));

/* The PATCH ended: record the offset; the last one probes and queues. */
static int patch_done(req *r)
{
	upctx *c = r->ctx;
	if (!c && !(c = patch_start(r)))
		return 0;
	if (c->fd >= 0 && up_flush(c) < 0) {
		write_failed(r, c);
		db_exec("DELETE FROM uploads WHERE id = ?", "s", c->uid);
		patch_release(c);
		return 0;
	}
	uint64_t off = c->offset + c->n;
	char offs[32];
	snprintf(offs, sizeof offs, "%llu", (unsigned long long)off);
	reply_header(r, "Upload-Offset", offs);
	int64_t now = clock_secs();
	db_exec("UPDATE uploads SET \"offset\" = ?, updated_at = ? WHERE id = ?", "iis", (int64_t)off, now, c->uid);
	if (off < c->length) {
		patch_release(c);
		expires_header(r, now);
		return reply_empty(r, 204);
	}
	close(c->fd);
	c->fd = -1;
	/* Still locked until the probe worker is done: a retried last PATCH must not race the probe
	   and the hand-over. */
	return probe_defer(r, c, 1);
}

/* The whole file is there: probe it, queue it, forget the upload (on a probe worker). */
static int patch_finish(req *r, upctx *c, int (*cancelled)(void))
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

/* A finished PUT: probe, queue, answer. */
static int put_finish(req *r, upctx *c, int (*cancelled)(void))
{
	char msg[700], detail[512];
	int status;
	const char *code;
	if (source_check_ex(c->path, cancelled, msg, sizeof msg, detail, sizeof detail, &status, &code) < 0) {
		source_reply_refusal(r, status, code, msg, detail);
		return 0; /* put_close removes the file */
	}
	if (source_accept(c->lecture, c->path) < 0)
		return reply_error(r, 500, "internal", "%s", tr("err.internal"));
	c->path[0] = 0; /* the queue owns it now */
	return reply_json(r, 202, json_pack("{s:s,s:I}", "status", "queued", "id", (json_int_t)c->lecture));
}

/* ---- probing off the HTTP threads ----
 * A finished upload is probed by one of cfg.probe_workers threads while its request is suspended
 * (docs/dev.md "Deferred replies"): an HTTP thread never waits for libavformat, and the answer is
 * still the probe's verdict. A probe is bounded by cfg.probe_timeout_s and stops at shutdown. */

typedef struct probe_item {
	req *r;
	upctx *c;
	int tus;
	struct probe_item *next;
} probe_item;

static pthread_mutex_t g_pq_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_pq_cv = PTHREAD_COND_INITIALIZER;
static probe_item *g_pq_head, **g_pq_tail = &g_pq_head;
static atomic_int g_pq_stop;
static pthread_t g_probers[64];
static int g_nprobers;

static int probe_cancelled(void)
{
	return http_stopping() || atomic_load(&g_pq_stop);
}

static void probe_run(probe_item *it)
{
	if (it->tus) {
		patch_finish(it->r, it->c, probe_cancelled);
		patch_release(it->c);
	} else {
		put_finish(it->r, it->c, probe_cancelled);
	}
}

static void *prober_main(void *arg)
{
	(void)arg;
	for (;;) {
		pthread_mutex_lock(&g_pq_mu);
		while (!g_pq_head && !atomic_load(&g_pq_stop))
			pthread_cond_wait(&g_pq_cv, &g_pq_mu);
		probe_item *it = g_pq_head;
		if (it) {
			g_pq_head = it->next;
			if (!g_pq_head)
				g_pq_tail = &g_pq_head;
		}
		pthread_mutex_unlock(&g_pq_mu);
		if (!it)
			break; /* stopping and nothing left */
		probe_run(it);
		req_resume(it->r);
		free(it);
	}
	db_close_thread();
	return NULL;
}

/* Hands a finished upload to a probe worker; the worker answers and resumes the request. */
static int probe_defer(req *r, upctx *c, int tus)
{
	probe_item *it = xcalloc(1, sizeof *it);
	it->r = r, it->c = c, it->tus = tus;
	if (!g_nprobers) { /* no workers (not serving): probe here */
		probe_run(it);
		free(it);
		return 0;
	}
	if (req_suspend(r) < 0) {
		free(it);
		if (tus)
			patch_release(c);
		return reply_error(r, 503, "shutting_down", "%s", tr("err.media_probe_cancelled"));
	}
	pthread_mutex_lock(&g_pq_mu);
	*g_pq_tail = it;
	g_pq_tail = &it->next;
	pthread_cond_signal(&g_pq_cv);
	pthread_mutex_unlock(&g_pq_mu);
	return 0;
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

/* ---- the sweeper ---- */

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

/* At start nothing is being written: partial PUTs and imports are dead, tus files without a row
   and sources without a job are leftovers of a crash. */
static void sweep_orphans(void)
{
	char dir[600];
	snprintf(dir, sizeof dir, "%s/uploads", cfg.data);
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d))) {
		const char *n = de->d_name;
		char p[900], rel[700];
		snprintf(p, sizeof p, "%s/%s", dir, n);
		int drop = 0;
		if (!strncmp(n, "put-", 4) || !strncmp(n, "imp-", 4))
			drop = 1;
		else if (!strncmp(n, "tus-", 4) && strlen(n) == 4 + UID_LEN + 5) {
			char uid[UID_LEN + 1];
			memcpy(uid, n + 4, UID_LEN);
			uid[UID_LEN] = 0;
			drop = !db_exists("SELECT 1 FROM uploads WHERE id = ?", "s", uid);
		} else if (!strncmp(n, "src-", 4)) {
			snprintf(rel, sizeof rel, "uploads/%s", n);
			drop = !jobs_source_pending(rel);
		}
		if (drop)
			unlink(p);
	}
	closedir(d);
}

static dx_thread g_sweeper = DX_THREAD_INIT;

static void sweeper_main(dx_thread *t)
{
	/* Every 2 s: cheap (an indexed-less scan of a tiny table); short so the test clock bites. */
	do
		uploads_sweep();
	while (dx_thread_sleep(t, 2000));
	db_close_thread();
}

int uploads_start(void)
{
	sweep_orphans();
	if (dx_thread_start(&g_sweeper, sweeper_main) < 0)
		return -1;
	atomic_store(&g_pq_stop, 0);
	int n = cfg.probe_workers > 0 ? cfg.probe_workers : 1;
	if (n > (int)ARRAY_LEN(g_probers))
		n = (int)ARRAY_LEN(g_probers);
	for (g_nprobers = 0; g_nprobers < n; g_nprobers++)
		if (pthread_create(&g_probers[g_nprobers], NULL, prober_main, NULL) != 0)
			return -1;
	return 0;
}

void uploads_stop(void)
{
	/* The HTTP server is stopped: no request is suspended any more, so the queue is empty. */
	pthread_mutex_lock(&g_pq_mu);
	atomic_store(&g_pq_stop, 1);
	pthread_cond_broadcast(&g_pq_cv);
	pthread_mutex_unlock(&g_pq_mu);
	for (int i = 0; i < g_nprobers; i++)
		pthread_join(g_probers[i], NULL);
	g_nprobers = 0;
	dx_thread_stop(&g_sweeper);
}

const route upload_routes[] = {
	{.method = "PUT", .pattern = "/api/v1/lectures/{id}/source", .fn = put_done, .roles = R_STAFF,
	 .flags = RF_STREAM, .on_body = put_body, .on_close = put_close, .res = &lecture_edit},
	{.method = "OPTIONS", .pattern = "/api/v1/uploads", .fn = tus_options, .roles = R_PUBLIC},
	{.method = "POST", .pattern = "/api/v1/uploads", .fn = tus_create, .roles = R_STAFF},
	{.method = "GET", .pattern = "/api/v1/uploads/{uid}", .fn = tus_head, .roles = R_STAFF, .res = &upload_mine},
	{.method = "PATCH", .pattern = "/api/v1/uploads/{uid}", .fn = patch_done, .roles = R_STAFF,
	 .flags = RF_STREAM, .on_body = patch_body, .on_close = patch_close, .res = &upload_mine},
	{.method = "DELETE", .pattern = "/api/v1/uploads/{uid}", .fn = tus_delete, .roles = R_STAFF,
	 .res = &upload_mine},
	ROUTES_END,
};
