/* jobs.c — the transcoding queue in SQLite, its worker threads, and the captions rendition. */
#include "transcoder/jobs.h"
#include "clock.h"
#include "config.h"
#include "db.h"
#include "transcoder/ffrun.h"
#include "transcoder/ladder.h"
#include "transcoder/probe.h"
#include "transcoder/storage.h"
#include "util.h"

#include <errno.h>
#include <jansson.h>
#include <libavformat/avformat.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct worker {
	dx_thread t;          /* first: worker_main is handed &t */
	int64_t job;          /* the job being run, 0 when idle (guarded by g_mu) */
	volatile int cancel;  /* polled by ffrun */
} worker;

static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static worker *g_workers;
static int g_nworkers;
static volatile int g_stop;

typedef struct job {
	int64_t id, lecture, version;
	int attempts;
	char source[512];
} job;

static void logf_(const char *fmt, ...) DX_PRINTF(1, 2);
static void logf_(const char *fmt, ...)
{
	char ts[24];
	iso_time((int64_t)time(NULL), ts);
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "%s dangxiao: ", ts);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static void abs_path(const char *rel, char *out, size_t n)
{
	snprintf(out, n, "%s/%s", cfg.data, rel);
}

static void unlink_source(const char *rel)
{
	char p[1100];
	abs_path(rel, p, sizeof p);
	unlink(p);
}

/* Signals the worker running job `id` (if any) to kill its ffmpeg. */
static void signal_running(int64_t id)
{
	pthread_mutex_lock(&g_mu);
	for (int i = 0; i < g_nworkers; i++)
		if (g_workers[i].job == id)
			g_workers[i].cancel = 1;
	pthread_mutex_unlock(&g_mu);
}

/* Marks the lecture's queued/running jobs cancelled (inside the caller's transaction). Queued
   jobs' sources are collected for deletion; running ones are left to their worker. */
static int cancel_open(int64_t lecture, const char *why, char ***drop, int64_t **running, int *nrun)
{
	int n = 0, nd = 0;
	*drop = NULL;
	*running = NULL;
	*nrun = 0;
	db_stmt q;
	sqlite3_stmt *st = db_prepare(&q, "SELECT id, state, source FROM jobs WHERE lecture_id = ? AND state IN ('queued','running')",
					  "i", lecture);
	while (db_step(st) == 1) {
		int64_t id = sqlite3_column_int64(st, 0);
		if (!strcmp(db_col_text(st, 1), "queued")) {
			*drop = xrealloc(*drop, sizeof(char *) * (size_t)(nd + 2));
			(*drop)[nd++] = xstrdup(db_col_text(st, 2));
			(*drop)[nd] = NULL;
		} else {
			*running = xrealloc(*running, sizeof(int64_t) * (size_t)(*nrun + 1));
			(*running)[(*nrun)++] = id;
		}
		n++;
	}
	db_finalize(&q);
	if (n)
		db_exec("UPDATE jobs SET state = 'cancelled', error = ?, finished_at = ? "
			"WHERE lecture_id = ? AND state IN ('queued','running')",
			"sii", why, clock_secs(), lecture);
	return n;
}

static void after_cancel(char **drop, int64_t *running, int nrun)
{
	for (int i = 0; drop && drop[i]; i++) {
		unlink_source(drop[i]);
		free(drop[i]);
	}
	free(drop);
	for (int i = 0; i < nrun; i++)
		signal_running(running[i]);
	free(running);
}

/* The transaction failed: nothing was cancelled after all. */
static void forget_cancel(char **drop, int64_t *running)
{
	for (int i = 0; drop && drop[i]; i++)
		free(drop[i]);
	free(drop);
	free(running);
}

int64_t jobs_enqueue(int64_t lecture, const char *source_rel)
{
	char **drop;
	int64_t *running;
	int nrun;
	if (db_begin() < 0)
		return -1;
	cancel_open(lecture, "superseded by a new source", &drop, &running, &nrun);
	int64_t v = db_int(0, "SELECT max(ifnull((SELECT max(version) FROM jobs WHERE lecture_id = ?1), 0), "
			      "(SELECT media_version FROM lectures WHERE id = ?1))",
			   "i", lecture);
	int64_t now = clock_secs();
	if (db_exec("INSERT INTO jobs(lecture_id, state, source, version, created_at) VALUES (?, 'queued', ?, ?, ?)",
		    "isii", lecture, source_rel, v + 1, now) < 0) {
		db_rollback();
		forget_cancel(drop, running);
		return -1;
	}
	int64_t id = db_last_id();
	db_exec("UPDATE lectures SET status = 'queued', progress = 0, error = NULL, updated_at = ? WHERE id = ?", "ii",
		now, lecture);
	if (db_commit() < 0) {
		db_rollback();
		forget_cancel(drop, running);
		return -1;
	}
	after_cancel(drop, running, nrun);
	pthread_mutex_lock(&g_mu);
	for (int i = 0; i < g_nworkers; i++)
		dx_thread_wake(&g_workers[i].t);
	pthread_mutex_unlock(&g_mu);
	return id;
}

int jobs_cancel(int64_t lecture)
{
	char **drop;
	int64_t *running;
	int nrun;
	if (db_begin() < 0)
		return -1;
	int n = cancel_open(lecture, "cancelled", &drop, &running, &nrun);
	if (n)
		db_exec("UPDATE lectures SET status = CASE WHEN media_version > 0 THEN 'ready' ELSE 'empty' END, "
			"progress = CASE WHEN media_version > 0 THEN 1 ELSE 0 END, error = NULL, updated_at = ? WHERE id = ?",
			"ii", clock_secs(), lecture);
	if (db_commit() < 0) {
		db_rollback();
		forget_cancel(drop, running);
		return -1;
	}
	after_cancel(drop, running, nrun);
	return n;
}

/* ---- captions ---- */

/* The captions file as served: the instructor's WebVTT with an X-TIMESTAMP-MAP header that maps
   cue time 0 to the first MPEG-TS timestamp of the segments (so players align them with the video). */
void vtt_for_hls(buf *out, const char *src, size_t len, int64_t ts_start)
{
	size_t bom = utf8_bom(src, len);
	src += bom, len -= bom;
	const char *nl = memchr(src, '\n', len);
	size_t first = nl ? (size_t)(nl - src) + 1 : len;
	buf_add(out, src, first);
	if (!nl)
		buf_putc(out, '\n');
	/* Only the header (up to the first blank line) may carry the map. */
	const char *hdr_end = NULL;
	for (const char *p = src; p + 1 < src + len; p++)
		if (p[0] == '\n' && (p[1] == '\n' || (p[1] == '\r' && p + 2 < src + len && p[2] == '\n'))) {
			hdr_end = p;
			break;
		}
	int has_map = 0;
	const char *scan_end = hdr_end ? hdr_end : src + len;
	for (const char *p = src; p + 16 <= scan_end; p++)
		if (!memcmp(p, "X-TIMESTAMP-MAP=", 16)) {
			has_map = 1;
			break;
		}
	if (!has_map)
		buf_printf(out, "X-TIMESTAMP-MAP=MPEGTS:%lld,LOCAL:00:00:00.000\n", (long long)ts_start);
	buf_add(out, src + first, len - first);
}

char *media_master_subs(const char *m, const char *subs_uri)
{
	buf b;
	buf_init(&b);
	int inserted = 0;
	const char *p = m;
	while (*p) {
		const char *e = strchr(p, '\n');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		char *line = xstrndup(p, l);
		if (l && line[l - 1] == '\r')
			line[--l] = 0;
		p += e ? l + 1 + (p[l] == '\r') : l;
		if (!strncmp(line, "#EXT-X-MEDIA:TYPE=SUBTITLES", 27)) {
			free(line);
			continue;
		}
		if (!strncmp(line, "#EXT-X-STREAM-INF:", 18)) {
			char *s = strstr(line, ",SUBTITLES=\"subs\"");
			if (s)
				memmove(s, s + 17, strlen(s + 17) + 1);
			if (subs_uri && !inserted) {
				buf_printf(&b, "#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\",NAME=\"中文\",LANGUAGE=\"zh\","
					   "DEFAULT=YES,AUTOSELECT=YES,FORCED=NO,URI=\"%s\"\n",
					   subs_uri);
				inserted = 1;
			}
			buf_printf(&b, "%s%s\n", line, subs_uri ? ",SUBTITLES=\"subs\"" : "");
		} else if (l || *p) {
			buf_printf(&b, "%s\n", line);
		}
		free(line);
	}
	return buf_steal(&b);
}

static int install_captions(int64_t lecture, int64_t version, double duration, int64_t ts_start)
{
	size_t vlen = 0, mlen = 0;
	char *master = storage_get_file(lecture, version, "master.m3u8", &mlen);
	if (!master)
		return -1;
	char *vtt = storage_get_file(lecture, 0, "captions.vtt", &vlen);
	char uri[96];
	int rc = 0;
	if (vtt) {
		int64_t stamp = clock_secs();
		buf v, s;
		buf_init(&v);
		buf_init(&s);
		vtt_for_hls(&v, vtt, vlen, ts_start);
		buf_printf(&s,
			   "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:%lld\n#EXT-X-MEDIA-SEQUENCE:0\n"
			   "#EXT-X-PLAYLIST-TYPE:VOD\n#EXTINF:%.3f,\ncaptions.vtt?v=%lld&c=%lld\n#EXT-X-ENDLIST\n",
			   (long long)ceil(duration > 0 ? duration : 1), duration > 0 ? duration : 1, (long long)version,
			   (long long)stamp);
		snprintf(uri, sizeof uri, "subs.m3u8?v=%lld&c=%lld", (long long)version, (long long)stamp);
		if (storage_put_file(lecture, version, "captions.vtt", v.p, v.len) < 0 ||
		    storage_put_file(lecture, version, "subs.m3u8", s.p, s.len) < 0)
			rc = -1;
		buf_free(&v);
		buf_free(&s);
	} else {
		storage_del_file(lecture, version, "captions.vtt");
		storage_del_file(lecture, version, "subs.m3u8");
	}
	if (rc == 0) {
		char *nm = media_master_subs(master, vtt ? uri : NULL);
		rc = storage_put_file(lecture, version, "master.m3u8", nm, strlen(nm));
		free(nm);
	}
	free(vtt);
	free(master);
	return rc;
}

int media_install_captions(int64_t lecture, int64_t version)
{
	char *info = db_text("SELECT info FROM jobs WHERE lecture_id = ? AND version = ? AND info IS NOT NULL "
			     "ORDER BY id DESC LIMIT 1",
			     "ii", lecture, version);
	json_t *j = info ? json_loads(info, 0, NULL) : NULL;
	free(info);
	double duration = j ? json_number_value(json_object_get(j, "duration_s")) : 0;
	int64_t ts = j ? json_integer_value(json_object_get(j, "ts_start")) : 0;
	if (j)
		json_decref(j);
	if (duration <= 0)
		duration = db_double(0, "SELECT duration_s FROM lectures WHERE id = ?", "i", lecture);
	return install_captions(lecture, version, duration, ts);
}

/* ---- one job ---- */

typedef struct prog {
	int64_t job, lecture;
} prog;

static void on_progress(void *ud, double f)
{
	prog *p = ud;
	double v = f * 0.95; /* the poster and the playlists take the rest */
	db_exec("UPDATE jobs SET progress = ? WHERE id = ? AND state = 'running'", "di", v, p->job);
	db_exec("UPDATE lectures SET progress = ? WHERE id = ? AND status = 'transcoding' AND "
		"EXISTS (SELECT 1 FROM jobs WHERE id = ? AND state = 'running')",
		"dii", v, p->lecture, p->job);
}

/* The first timestamp of a segment in 90 kHz units (what X-TIMESTAMP-MAP's MPEGTS means). */
static int64_t segment_start_90k(const char *path)
{
	AVFormatContext *fc = NULL;
	char url[1500];
	int64_t v = 0;
	snprintf(url, sizeof url, "file:%s", path);
	if (avformat_open_input(&fc, url, NULL, NULL) < 0)
		return 0;
	if (avformat_find_stream_info(fc, NULL) >= 0 && fc->start_time != AV_NOPTS_VALUE)
		v = av_rescale(fc->start_time, 90000, AV_TIME_BASE);
	avformat_close_input(&fc);
	return v;
}

/* Appends "?v=VERSION" to every URI line of a playlist, so a re-transcoded lecture never mixes
   with cached segments of the previous version (file names repeat across versions). */
static int tag_playlist(const char *path, int64_t version)
{
	size_t len;
	char *s = read_file(path, &len);
	if (!s)
		return -1;
	buf b;
	buf_init(&b);
	for (char *line = s, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		size_t l = strlen(line);
		if (l && line[l - 1] == '\r')
			line[--l] = 0;
		if (l && line[0] != '#' && !strchr(line, '?'))
			buf_printf(&b, "%s?v=%lld\n", line, (long long)version);
		else
			buf_printf(&b, "%s\n", line);
	}
	free(s);
	int rc = write_file_atomic(path, b.p, b.len, 0644);
	buf_free(&b);
	return rc;
}

/* Renditions as the API shows them, read back from the master playlist ffmpeg and
   ladder_write_master produced (BANDWIDTH is measured from the segments). */
static json_t *renditions_of(const char *master)
{
	json_t *a = json_array();
	size_t len;
	char *s = read_file(master, &len);
	for (char *p = s; p && (p = strstr(p, "#EXT-X-STREAM-INF:")); p++) {
		char *eol = strchr(p, '\n');
		if (eol)
			*eol = 0;
		long bw = 0;
		int w = 0, h = 0;
		char *q = strstr(p, "BANDWIDTH=");
		if (q && (q == p + 18 || q[-1] == ','))
			bw = strtol(q + 10, NULL, 10);
		q = strstr(p, "RESOLUTION=");
		if (q)
			sscanf(q + 11, "%dx%d", &w, &h);
		json_array_append_new(a, json_pack("{s:i,s:i,s:I}", "height", h, "width", w, "bandwidth", (json_int_t)bw));
		if (eol)
			*eol = '\n';
	}
	free(s);
	return a;
}

enum outcome { OK, RETRY, PERMANENT, CANCELLED, SHUTDOWN };

/* Runs a claimed job up to a published version. Returns the outcome; err holds the reason. */
static enum outcome transcode(worker *w, const job *j, char *tmpdir, size_t tmplen, json_t **info, char *err,
			      size_t errlen)
{
	char src[1100], path[1400];
	abs_path(j->source, src, sizeof src);
	media_info mi;
	/* The upload was probed within probe_timeout_s; a busy machine gets more room here. */
	probe_opts pro = {.timeout_s = cfg.probe_timeout_s * 6 > 60 ? cfg.probe_timeout_s * 6 : 60};
	if (media_probe_ex(src, &mi, &pro, err, errlen) < 0)
		return PERMANENT;
	rung r[LADDER_MAX_RUNGS];
	int n = ladder_plan(&mi, r, LADDER_MAX_RUNGS);
	if (n < 1) {
		snprintf(err, errlen, "nothing to encode (no usable audio or video)");
		return PERMANENT;
	}
	if (storage_tmpdir(j->lecture, j->version, tmpdir, tmplen) < 0) {
		snprintf(err, errlen, "cannot create a staging folder: %s", strerror(errno));
		return RETRY;
	}
	char **av = ladder_argv(cfg.ffmpeg, src, tmpdir, &mi, r, n);
	if (!av) {
		snprintf(err, errlen, "cannot build the ffmpeg command");
		return PERMANENT;
	}
	prog p = {j->id, j->lecture};
	ffrun_opts o = {
		.duration_s = mi.duration_s,
		.stall_s = cfg.transcode_stall_s,
		.cancel = &w->cancel,
		.on_progress = on_progress,
		.ud = &p,
	};
	int rc = ffrun(av, &o, err, errlen);
	argv_free(av);
	if (rc < 0)
		return g_stop ? SHUTDOWN : w->cancel ? CANCELLED : RETRY;
	if (ladder_write_master(tmpdir, &mi, r, n) < 0) {
		snprintf(err, errlen, "cannot write the master playlist: %s", strerror(errno));
		return RETRY;
	}
	int poster = 0;
	if (mi.has_video) {
		char jpg[1200], perr[512];
		snprintf(jpg, sizeof jpg, "%s/poster.jpg", tmpdir);
		char **pv = ladder_poster_argv(cfg.ffmpeg, src, mi.format, jpg, mi.duration_s * 0.1);
		ffrun_opts po = {.max_s = 120, .cancel = &w->cancel};
		if (pv && ffrun(pv, &po, perr, sizeof perr) == 0 && access(jpg, R_OK) == 0)
			poster = 1;
		else if (!w->cancel)
			logf_("job %lld: no poster: %s", (long long)j->id, perr);
		argv_free(pv);
		if (w->cancel)
			return g_stop ? SHUTDOWN : CANCELLED;
	}
	snprintf(path, sizeof path, "%s/v0/seg_00000.ts", tmpdir);
	int64_t ts0 = segment_start_90k(path);
	snprintf(path, sizeof path, "%s/master.m3u8", tmpdir);
	json_t *rend = renditions_of(path);
	int nv = mi.has_video ? n : 1;
	int bad = tag_playlist(path, j->version) < 0;
	for (int i = 0; i < nv && !bad; i++) {
		snprintf(path, sizeof path, "%s/v%d/index.m3u8", tmpdir, i);
		bad = tag_playlist(path, j->version) < 0;
	}
	if (bad) {
		json_decref(rend);
		snprintf(err, errlen, "cannot rewrite the playlists: %s", strerror(errno));
		return RETRY;
	}
	*info = json_pack("{s:o,s:f,s:I,s:b,s:b,s:i,s:i}", "renditions", rend, "duration_s", mi.duration_s, "ts_start",
			  (json_int_t)ts0, "poster", poster, "video", mi.has_video, "width", mi.width, "height",
			  mi.height);
	return OK;
}

/* Claims the oldest eligible job atomically. 1 with *j filled, 0 when none. */
static int claim(job *j)
{
	int64_t now = clock_secs();
	sqlite3_stmt *st = db_query("UPDATE jobs SET state = 'running', claimed_at = ?1, attempts = attempts + 1, progress = 0 "
				    "WHERE id = (SELECT id FROM jobs WHERE state = 'queued' AND not_before <= ?1 ORDER BY id LIMIT 1) "
				    "RETURNING id, lecture_id, source, version, attempts",
				    "i", now);
	int got = db_step(st) == 1;
	if (got) {
		j->id = sqlite3_column_int64(st, 0);
		j->lecture = sqlite3_column_int64(st, 1);
		snprintf(j->source, sizeof j->source, "%s", db_col_text(st, 2));
		j->version = sqlite3_column_int64(st, 3);
		j->attempts = sqlite3_column_int(st, 4);
		while (db_step(st) == 1)
			;
	}
	db_done(st);
	return got;
}

static void run_job(worker *w, const job *j)
{
	pthread_mutex_lock(&g_mu);
	w->job = j->id;
	w->cancel = g_stop;
	pthread_mutex_unlock(&g_mu);
	char tmpdir[900] = "", err[2048] = "";
	json_t *info = NULL;
	enum outcome oc;
	/* Cancelled between the claim and now? (jobs_cancel found no worker to signal yet.) */
	if (db_exec("UPDATE lectures SET status = 'transcoding', progress = 0, error = NULL, updated_at = ? WHERE id = ? "
		    "AND EXISTS (SELECT 1 FROM jobs WHERE id = ? AND state = 'running')",
		    "iii", clock_secs(), j->lecture, j->id) != 1)
		oc = CANCELLED;
	else {
		logf_("job %lld: lecture %lld version %lld, attempt %d", (long long)j->id, (long long)j->lecture,
		      (long long)j->version, j->attempts);
		oc = transcode(w, j, tmpdir, sizeof tmpdir, &info, err, sizeof err);
	}
	int64_t now = clock_secs();
	if (oc == OK) {
		char *is = json_dumps(info, JSON_COMPACT);
		db_exec("UPDATE jobs SET info = ? WHERE id = ?", "si", is, j->id);
		int pub = storage_put_dir(j->lecture, j->version, tmpdir);
		if (pub < 0) {
			snprintf(err, sizeof err, "cannot publish the stream: %s", strerror(errno));
			oc = RETRY;
		} else {
			tmpdir[0] = 0;
			if (storage_exists(j->lecture, 0, "captions.vtt"))
				media_install_captions(j->lecture, j->version);
			int64_t old = db_int(0, "SELECT media_version FROM lectures WHERE id = ?", "i", j->lecture);
			if (db_begin() < 0) {
				/* Not recorded: tried again like a failed attempt (the stream is published again). */
				snprintf(err, sizeof err, "cannot record the result: %s", db_errmsg());
				oc = RETRY;
			} else if (db_exec("UPDATE jobs SET state = 'done', progress = 1, finished_at = ?, error = NULL "
					   "WHERE id = ? AND state = 'running'",
					   "ii", now, j->id) == 1) {
				char *rend = json_dumps(json_object_get(info, "renditions"), JSON_COMPACT);
				db_exec("UPDATE lectures SET status = 'ready', progress = 1, error = NULL, media_version = ?, "
					"renditions = ?, duration_s = ?, has_poster = ?, updated_at = ? WHERE id = ?",
					"isdiii", j->version, rend, json_number_value(json_object_get(info, "duration_s")),
					(int64_t)json_is_true(json_object_get(info, "poster")), now, j->lecture);
				free(rend);
				if (db_commit() < 0) {
					snprintf(err, sizeof err, "cannot record the result: %s", db_errmsg());
					oc = RETRY;
				} else {
					if (old > 0 && old != j->version)
						storage_remove(j->lecture, old);
					logf_("job %lld: lecture %lld ready (version %lld)", (long long)j->id,
					      (long long)j->lecture, (long long)j->version);
				}
			} else {
				db_rollback(); /* nothing was written */
				storage_remove(j->lecture, j->version); /* cancelled at the last moment */
				oc = CANCELLED;
			}
			if (oc != RETRY)
				unlink_source(j->source);
		}
		free(is);
	}
	if (info)
		json_decref(info);
	storage_discard_tmp(tmpdir);
	if (oc == SHUTDOWN) {
		/* Not the job's fault: give the attempt back and run it on the next start. */
		db_exec("UPDATE jobs SET state = 'queued', attempts = attempts - 1, progress = 0 WHERE id = ? AND state = 'running'",
			"i", j->id);
		db_exec("UPDATE lectures SET status = 'queued', progress = 0 WHERE id = ? AND status = 'transcoding'", "i",
			j->lecture);
	} else if (oc == CANCELLED) {
		unlink_source(j->source);
		logf_("job %lld: cancelled", (long long)j->id);
	} else if (oc == RETRY && j->attempts < JOB_MAX_ATTEMPTS) {
		int64_t backoff = 10;
		for (int i = 1; i < j->attempts; i++)
			backoff *= 3;
		logf_("job %lld: attempt %d failed: %s; retrying in %lld s", (long long)j->id, j->attempts, err,
		      (long long)backoff);
		if (db_begin() < 0) {
			logf_("job %lld: cannot record the retry: %s", (long long)j->id, db_errmsg());
		} else {
			if (db_exec("UPDATE jobs SET state = 'queued', not_before = ?, error = ?, progress = 0 WHERE id = ? AND state = 'running'",
				    "isi", now + backoff, err, j->id) == 1)
				db_exec("UPDATE lectures SET status = 'queued', progress = 0 WHERE id = ?", "i", j->lecture);
			if (db_commit() < 0)
				logf_("job %lld: cannot record the retry: %s", (long long)j->id, db_errmsg());
		}
	} else if (oc == RETRY || oc == PERMANENT) {
		logf_("job %lld: failed after %d attempt(s): %s", (long long)j->id, j->attempts, err);
		if (db_begin() < 0) {
			logf_("job %lld: cannot record the failure: %s", (long long)j->id, db_errmsg());
		} else {
			if (db_exec("UPDATE jobs SET state = 'failed', error = ?, finished_at = ? WHERE id = ? AND state = 'running'",
				    "sii", err, now, j->id) == 1)
				db_exec("UPDATE lectures SET status = 'failed', progress = 0, error = ?, updated_at = ? WHERE id = ?",
					"sii", err, now, j->lecture);
			if (db_commit() < 0)
				logf_("job %lld: cannot record the failure: %s", (long long)j->id, db_errmsg());
		}
		unlink_source(j->source);
	}
	pthread_mutex_lock(&g_mu);
	w->job = 0;
	w->cancel = 0;
	pthread_mutex_unlock(&g_mu);
}

static void worker_main(dx_thread *t)
{
	worker *w = (worker *)t;
	while (!g_stop) {
		job j;
		if (claim(&j)) {
			run_job(w, &j);
			continue;
		}
		/* Idle: wake on a new job, or every second (retries become due by the clock). */
		dx_thread_sleep(t, 1000);
	}
	db_close_thread();
}

int jobs_start(int workers)
{
	if (storage_init(cfg.data) < 0) {
		fprintf(stderr, "dangxiao: cannot create %s/media: %s\n", cfg.data, strerror(errno));
		return -1;
	}
	/* Jobs a crash or a restart left running start again (their staging folders are gone). */
	db_exec("UPDATE jobs SET state = 'queued', progress = 0 WHERE state = 'running'", "");
	db_exec("UPDATE lectures SET status = 'queued', progress = 0 "
		"WHERE status = 'transcoding' AND id IN (SELECT lecture_id FROM jobs WHERE state = 'queued')",
		"");
	g_stop = 0;
	g_nworkers = workers;
	g_workers = xcalloc((size_t)(workers > 0 ? workers : 1), sizeof *g_workers);
	for (int i = 0; i < workers; i++) {
		g_workers[i].t = (dx_thread)DX_THREAD_INIT;
		if (dx_thread_start(&g_workers[i].t, worker_main) != 0) {
			g_nworkers = i;
			jobs_stop();
			return -1;
		}
	}
	return 0;
}

void jobs_stop(void)
{
	pthread_mutex_lock(&g_mu);
	g_stop = 1;
	for (int i = 0; i < g_nworkers; i++)
		g_workers[i].cancel = 1;
	pthread_mutex_unlock(&g_mu);
	for (int i = 0; i < g_nworkers; i++)
		dx_thread_stop(&g_workers[i].t);
	free(g_workers);
	g_workers = NULL;
	g_nworkers = 0;
}
