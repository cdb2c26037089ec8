/* upload.c — lecture sources by plain PUT (and by tus 1.0, resumable: tus.c), streamed to disk as
 * they arrive; the probe workers that check a finished upload off the HTTP threads; the sweeper.
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
#include "courses/upload_ctx.h"
#include "db.h"
#include "transcoder/jobs.h"
#include "http.h"
#include "i18n.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Writes what is gathered; -1 with errno on failure. */
int up_flush(upctx *c)
{
	size_t n = c->wn;
	c->wn = 0;
	return n ? write_all(c->fd, c->wb, n) : 0;
}

/* Appends data to the file through the gathering buffer. */
int up_write(upctx *c, const char *p, size_t n)
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
int up_write_failed(req *r, upctx *c)
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

int up_too_large(req *r)
{
	return reply_error(r, 413, "too_large", "%s（%.1f GiB）", tr("err.upload_too_large"),
			   (double)cfg.upload_max / (1 << 30)),
	       -1;
}


/* ---- PUT /api/v1/lectures/{id}/source (lecture_edit) ---- */

static upctx *put_start(req *r)
{
	int64_t id = req_id(r, 0);
	const char *cl = req_header(r, "Content-Length");
	if (cl && strtoull(cl, NULL, 10) > (uint64_t)cfg.upload_max)
		return up_too_large(r), NULL;
	upctx *c = arena_alloc(r->a, sizeof *c);
	memset(c, 0, sizeof *c);
	c->wb = arena_alloc(r->a, WBUF_SIZE);
	c->lecture = id;
	c->fd = uploads_create("put", c->path, sizeof c->path);
	if (c->fd < 0) {
		up_write_failed(r, c);
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
		return up_too_large(r);
	if (up_write(c, data, len) < 0)
		return up_write_failed(r, c);
	c->n += len;
	return 0;
}

static int put_done(req *r)
{
	upctx *c = r->ctx ? r->ctx : put_start(r);
	if (!c)
		return 0;
	if (up_flush(c) < 0)
		return up_write_failed(r, c);
	int rc = close(c->fd);
	c->fd = -1;
	if (rc < 0)
		return up_write_failed(r, c);
	/* A probe worker answers (415/422 refused, 202 queued); put_close removes a refused file. */
	return up_probe_defer(r, c, 0);
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
		tus_patch_finish(it->r, it->c, probe_cancelled);
		tus_patch_release(it->c);
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
int up_probe_defer(req *r, upctx *c, int tus)
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
			tus_patch_release(c);
		return reply_error(r, 503, "shutting_down", "%s", tr("err.media_probe_cancelled"));
	}
	pthread_mutex_lock(&g_pq_mu);
	*g_pq_tail = it;
	g_pq_tail = &it->next;
	pthread_cond_signal(&g_pq_cv);
	pthread_mutex_unlock(&g_pq_mu);
	return 0;
}

/* ---- the sweeper ---- */

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
	ROUTES_END,
};
