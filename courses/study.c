/* study.c — study tracking: play, heartbeat and progress endpoints; lecture and course completion.
 *
 * A heartbeat is one savepoint in a group-committed write transaction (the heartbeat writer
 * thread batches everything queued): one indexed read of everything the rules need (lecture,
 * enrolment, playback session, progress, today's study), the pure rules of courses/credit.c, then
 * two or three indexed writes, and completion events when a lecture (and with it perhaps the
 * course) becomes complete. The answer is sent only after the batch's COMMIT, so an answered
 * heartbeat survives a crash of the process (WAL, synchronous=NORMAL).
 */
#include "courses/study.h"
#include "clock.h"
#include "config.h"
#include "courses/access.h"
#include "courses/credit.h"
#include "db.h"
#include "events.h"
#include "i18n.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

/* Largest position accepted at all, in seconds (a day); the rules then refuse positions beyond
   the lecture's own end (+5 s). */
#define POS_MAX 86400.0
/* A saved position this close to the end resumes from the start instead. */
#define RESUME_END_S 10.0
/* A new media version whose duration differs from the one coverage was measured on by more than
   this starts coverage afresh (a re-encode of the same source keeps it). */
#define COV_SAME_S 0.5

/* 1 when coverage recorded on (version, duration) still belongs to the lecture's current media:
   the same version, or one of the same duration. A row without coverage belongs to anything. */
static int cov_current(int64_t cov_version, double cov_duration, int64_t version, double duration)
{
	return cov_version == version || fabs(cov_duration - duration) <= COV_SAME_S;
}

/* Rounds to milliseconds for the answers. */
static double r3(double x)
{
	return round(x * 1000.0) / 1000.0;
}

/* Rounds a fraction to six places. */
static double r6(double x)
{
	return round(x * 1e6) / 1e6;
}

/* [[a,b],…] of a coverage set, clamped to the lecture's length. */
static json_t *intervals_json(const cov_set *c, double duration)
{
	json_t *a = json_array();
	for (int i = 0; i < c->n; i++) {
		double s = c->iv[i].start, e = fmin(c->iv[i].end, duration);
		if (s < e)
			json_array_append_new(a, json_pack("[f,f]", r3(s), r3(e)));
	}
	return a;
}

/* Where a member resumes: the last position, unless it is (nearly) the end. */
static double resume_at(double last_pos, double duration)
{
	if (!(last_pos > 0) || !(duration > 0) || last_pos >= duration - RESUME_END_S)
		return 0;
	return last_pos;
}

static const course_exam_ops *g_exam;

void course_exam_register(const course_exam_ops *ops)
{
	g_exam = ops;
}

int course_quiz_passed(int64_t user_id, int64_t course_id)
{
	/* The quiz module answers (and calls study_course_check() after a pass, so the order of
	   "lectures done" and "exam passed" does not matter). */
	return g_exam && g_exam->passed ? g_exam->passed(user_id, course_id) : 1;
}

json_t *course_exam_json(const user *u, int64_t course_id)
{
	return g_exam && g_exam->describe ? g_exam->describe(u, course_id) : NULL;
}

/* enrollments.progress: the coverage of the course's lectures averaged with their durations as
   weights (a completed lecture counts whole, a partly watched one by the part covered), so an
   hour-long lecture half watched weighs more than a short one finished. The lectures counted are
   study_course_check's. Also answers how many lectures count and how many are complete. */
static int course_progress_update(int64_t user_id, int64_t course_id, int64_t *total, int64_t *done)
{
	sqlite3_stmt *st = db_query("SELECT count(*), count(p.completed_at), ifnull(sum(l.duration_s), 0),"
				    "  ifnull(sum(CASE WHEN p.completed_at IS NOT NULL THEN l.duration_s"
				    "    ELSE min(max(ifnull(p.covered_s, 0), 0), l.duration_s) END), 0)"
				    " FROM lectures l LEFT JOIN lecture_progress p ON p.user_id=? AND p.lecture_id=l.id "
				    "WHERE l.course_id=? AND (l.media_version>0 OR l.status='ready') AND l.duration_s>0"
				    " AND l.archived_at IS NULL",
				    "ii", user_id, course_id);
	double all = 0, seen = 0;
	*total = *done = 0;
	if (db_step(st) == 1) {
		*total = sqlite3_column_int64(st, 0);
		*done = sqlite3_column_int64(st, 1);
		all = sqlite3_column_double(st, 2);
		seen = sqlite3_column_double(st, 3);
	}
	db_done(st);
	double progress = all > 0 ? seen / all : 0;
	/* Exactly 1 only when every lecture is complete. */
	if (*done < *total && progress > 0.999)
		progress = 0.999;
	if (*total > 0 && *done == *total)
		progress = 1;
	return db_exec("UPDATE enrollments SET progress=? WHERE user_id=? AND course_id=?", "dii", progress, user_id,
		       course_id) < 0
		       ? -1
		       : 0;
}

double study_resume_at(double last_pos, double duration)
{
	return resume_at(last_pos, duration);
}

int study_course_check(int64_t user_id, int64_t course_id, int64_t now)
{
	/* Every lecture that is or was published with a video counts: one that has a served version
	   (media_version > 0), whatever its status. A replacement being transcoded, or one that
	   failed, leaves the previous version served and studied, so the lecture stays required.
	   Only a lecture that never had a video (still uploading, or its first transcode failed) is
	   not required. */
	int64_t total = 0, done = 0;
	if (course_progress_update(user_id, course_id, &total, &done) < 0)
		return -1;
	if (total == 0 || done < total || !course_quiz_passed(user_id, course_id))
		return 0;
	int n = db_exec("UPDATE enrollments SET completed_at=? WHERE user_id=? AND course_id=? AND completed_at IS NULL",
			"iii", now, user_id, course_id);
	if (n < 0)
		return -1;
	if (n == 0)
		return 0; /* complete already, or not enrolled */
	char data[64];
	snprintf(data, sizeof data, "{\"credit_hours\":%.2f}",
		 db_double(0, "SELECT credit_hours FROM courses WHERE id=?", "i", course_id));
	dx_event ev = {.user_id = user_id, .kind = "course_completed", .ref = course_id, .at = now, .data = data};
	if (event_emit(&ev) < 0)
		return -1;
	return 1;
}

double study_seconds_in(int64_t user_id, const char *course_ids_json)
{
	return db_double(0,
			 "SELECT ifnull(sum(p.study_s), 0) FROM json_each(?1) j JOIN lectures l ON l.course_id = j.value"
			 " JOIN lecture_progress p ON p.user_id = ?2 AND p.lecture_id = l.id",
			 "si", course_ids_json, user_id);
}

/* The rule of lecture_study (courses/access.c), read again by the heartbeat writer inside its
   transaction: 0 when the user may earn study time, else the refusal is answered and -1 returned.
   A lecture of a course that is not published is answered exactly as one that does not exist (no
   new credit on what members may not view); the course's own instructor previews it and earns
   nothing. */
static int study_refused(req *r, int published, int64_t owner)
{
	if (owner == r->u->id)
		return reply_error(r, 403, "preview_only", "%s", tr("err.study_own_course")), -1;
	if (!published)
		return reply_error(r, 404, "not_found", "%s", tr("err.no_lecture")), -1;
	return 0;
}

/* POST /api/v1/lectures/{id}/play (lecture_study) → 201 {"session","resume_position"}. Closes the
   member's other open sessions and anchors the new one at (now, resume position), on the media version served
   now. A lecture being replaced is played (and studied) from its previous version. */
static int study_play(req *r)
{
	int64_t lid = req_id(r, 0), uid = r->u->id;
	double now = clock_now();
	if (db_begin() < 0)
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	sqlite3_stmt *st = db_query("SELECT (l.media_version>0 OR l.status='ready') AND l.duration_s>0, l.duration_s, "
				    "  EXISTS(SELECT 1 FROM enrollments e WHERE e.user_id=?1 AND e.course_id=l.course_id), "
				    "  p.last_pos, c.status='published', c.owner_id, l.media_version, "
				    "  p.cov_version, p.cov_duration_s "
				    "FROM lectures l JOIN courses c ON c.id=l.course_id "
				    "LEFT JOIN lecture_progress p ON p.user_id=?1 AND p.lecture_id=l.id WHERE l.id=?2",
				    "ii", uid, lid);
	int found = db_step(st) == 1;
	int ready = found && sqlite3_column_int(st, 0);
	double duration = found ? sqlite3_column_double(st, 1) : 0;
	double last_pos = found ? sqlite3_column_double(st, 3) : 0;
	int64_t version = found ? sqlite3_column_int64(st, 6) : 0;
	int has_progress = found && sqlite3_column_type(st, 7) != SQLITE_NULL;
	if (has_progress && !cov_current(sqlite3_column_int64(st, 7), sqlite3_column_double(st, 8), version, duration))
		last_pos = 0; /* a new video: its own start */
	db_done(st);
	if (!found) {
		db_rollback();
		return reply_error(r, 404, "not_found", "%s", tr("err.no_lecture"));
	}
	if (!ready) {
		db_rollback();
		return reply_error(r, 409, "not_ready", "%s", tr("err.lecture_not_ready"));
	}
	double resume = resume_at(last_pos, duration);
	int64_t secs = (int64_t)now;
	if (db_exec("UPDATE playback_sessions SET open=0, closed_at=? WHERE user_id=? AND open=1", "ii", secs, uid) < 0 ||
	    db_exec("INSERT INTO playback_sessions(user_id, lecture_id, open, last_at, last_pos, created_at, media_version) "
		    "VALUES (?, ?, 1, ?, ?, ?, ?)",
		    "iiddii", uid, lid, now, resume, secs, version) < 0) {
		db_rollback();
		return reply_error(r, 500, "internal", "%s", tr("err.internal"));
	}
	int64_t sid = db_last_id();
	if (db_commit() < 0) {
		db_rollback();
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	}
	return reply_json(r, 201, json_pack("{s:I,s:f}", "session", (json_int_t)sid, "resume_position", r3(resume)));
}

/* What one heartbeat reads, in one query. */
typedef struct hb_row {
	int64_t course_id;
	double duration;
	int enrolled;
	int has_session, open;
	int64_t s_user, s_lecture;
	double last_at, last_pos;
	double study_s, today_s;
	int completed;
	char *coverage; /* malloc'd or NULL */
	int published;
	int64_t owner, version, s_version;
	int64_t cov_version, completed_at;
	double cov_duration, covered_s;
} hb_row;

static int hb_load(int64_t lid, int64_t uid, int64_t sid, const char *day, hb_row *h)
{
	sqlite3_stmt *st = db_query(
		"SELECT l.course_id, l.duration_s,"
		"  EXISTS(SELECT 1 FROM enrollments e WHERE e.user_id=?2 AND e.course_id=l.course_id),"
		"  s.id IS NOT NULL, s.open, s.user_id, s.lecture_id, s.last_at, s.last_pos,"
		"  p.coverage, ifnull(p.study_s, 0), p.completed_at IS NOT NULL,"
		"  ifnull((SELECT d.study_s FROM study_daily d WHERE d.user_id=?2 AND d.lecture_id=l.id AND d.day=?4), 0),"
		"  c.status='published', c.owner_id, l.media_version, s.media_version,"
		"  ifnull(p.cov_version, l.media_version), ifnull(p.cov_duration_s, l.duration_s), ifnull(p.covered_s, 0),"
		"  ifnull(p.completed_at, 0) "
		"FROM lectures l JOIN courses c ON c.id=l.course_id "
		"LEFT JOIN playback_sessions s ON s.id=?3 "
		"LEFT JOIN lecture_progress p ON p.user_id=?2 AND p.lecture_id=l.id "
		"WHERE l.id=?1",
		"iiis", lid, uid, sid, day);
	int rc = db_step(st);
	if (rc == 1) {
		h->course_id = sqlite3_column_int64(st, 0);
		h->duration = sqlite3_column_double(st, 1);
		h->enrolled = sqlite3_column_int(st, 2);
		h->has_session = sqlite3_column_int(st, 3);
		h->open = sqlite3_column_int(st, 4);
		h->s_user = sqlite3_column_int64(st, 5);
		h->s_lecture = sqlite3_column_int64(st, 6);
		h->last_at = sqlite3_column_double(st, 7);
		h->last_pos = sqlite3_column_double(st, 8);
		h->coverage = sqlite3_column_type(st, 9) == SQLITE_NULL ? NULL : xstrdup(db_col_text(st, 9));
		h->study_s = sqlite3_column_double(st, 10);
		h->completed = sqlite3_column_int(st, 11);
		h->today_s = sqlite3_column_double(st, 12);
		h->published = sqlite3_column_int(st, 13);
		h->owner = sqlite3_column_int64(st, 14);
		h->version = sqlite3_column_int64(st, 15);
		h->s_version = sqlite3_column_int64(st, 16);
		h->cov_version = sqlite3_column_int64(st, 17);
		h->cov_duration = sqlite3_column_double(st, 18);
		h->covered_s = sqlite3_column_double(st, 19);
		h->completed_at = sqlite3_column_int64(st, 20);
	}
	db_done(st);
	return rc;
}

/* One queued heartbeat: the request (suspended) and its validated fields. */
typedef struct hb_job {
	req *r;
	int64_t lid, uid, sid;
	double position;
	int playing;
	struct hb_job *next;
} hb_job;

/* Applies one heartbeat inside the writer's open transaction and sets its reply. Returns 0 when
   nothing needs undoing (accepted and written, or refused before any write), -1 when its writes
   must be rolled back (the reply is then a 500). */
static int hb_apply(hb_job *jb)
{
	req *r = jb->r;
	int64_t lid = jb->lid, uid = jb->uid, sid = jb->sid;
	double position = jb->position;
	double now = clock_now();
	int64_t secs = (int64_t)now;
	char day[16];
	day_of(secs, day);

	hb_row h = {0};
	int rc = hb_load(lid, uid, sid, day, &h);
	int undo = 0;
	cov_set cov;
	cov_init(&cov);
	if (rc < 0) {
		reply_error(r, 500, "internal", "%s", tr("err.internal"));
		undo = -1;
		goto out;
	}
	if (rc == 0) {
		reply_error(r, 404, "not_found", "%s", tr("err.no_lecture"));
		goto out;
	}
	if (study_refused(r, h.published, h.owner) < 0)
		goto out;
	if (!h.enrolled) {
		reply_error(r, 403, "not_enrolled", "%s", tr("err.not_enrolled"));
		goto out;
	}
	/* Unknown, closed, another member's, or another lecture's session: all the same to the caller. */
	if (!h.has_session || !h.open || h.s_user != uid || h.s_lecture != lid) {
		reply_error(r, 409, "session_closed", "%s", tr("err.session_closed"));
		goto out;
	}
	/* The video was replaced since play: positions of the old one mean nothing on the new. */
	if (h.s_version != h.version) {
		reply_error(r, 409, "media_changed", "%s", tr("err.session_media_changed"));
		goto out;
	}
	/* Coverage belongs to the version it was watched on: a new video of another length starts
	   afresh (what was earned is kept in coverage_history; study time and completion stay). */
	int fresh = h.coverage && !cov_current(h.cov_version, h.cov_duration, h.version, h.duration);
	if (h.coverage && !fresh && cov_from_json(&cov, h.coverage) < 0) {
		fprintf(stderr, "dangxiao: bad coverage of user %lld lecture %lld: %s\n", (long long)uid, (long long)lid,
			h.coverage);
		reply_error(r, 500, "internal", "%s", tr("err.internal"));
		goto out;
	}

	hb_state s = {.last_at = h.last_at, .last_pos = h.last_pos, .duration = h.duration,
		      .today_study_s = h.today_s, .max_rate = cfg.max_rate};
	hb_outcome o = credit_heartbeat(&s, &cov, now, position, jb->playing);
	if (o.result == HB_INVALID) {
		reply_error(r, 422, "invalid_position", "%s", tr("err.bad_position"));
		goto out;
	}
	if (o.result == HB_TOO_SOON) {
		char ra[16];
		snprintf(ra, sizeof ra, "%d", (int)ceil(HB_MIN_INTERVAL_S - (now - h.last_at)));
		reply_header(r, "Retry-After", ra);
		reply_error(r, 429, "too_soon", "%s", tr("err.heartbeat_too_soon"));
		goto out;
	}

	/* Accepted: re-anchor the session, save progress (and today's study when credited). */
	int complete = lecture_complete(&cov, h.duration);
	int newly = complete && !h.completed;
	double covered = coverage_fraction(&cov, h.duration) * h.duration;
	char *cj = cov_to_json(&cov);
	int bad = db_exec("UPDATE playback_sessions SET last_at=?, last_pos=? WHERE id=?", "ddi", s.last_at, s.last_pos,
			  sid) < 0;
	if (!bad && fresh)
		bad = db_exec("INSERT INTO coverage_history(user_id, lecture_id, cov_version, duration_s, coverage, covered_s,"
			      "  completed_at, archived_at) VALUES (?, ?, ?, ?, ?, ?, NULLIF(?, 0), ?)",
			      "iiidsdii", uid, lid, h.cov_version, h.cov_duration, h.coverage, h.covered_s, h.completed_at,
			      secs) < 0;
	bad = bad || db_exec("INSERT INTO lecture_progress(user_id, lecture_id, coverage, covered_s, study_s, last_pos,"
			     "  completed_at, updated_at, cov_version, cov_duration_s) VALUES (?, ?, ?, ?, ?, ?, NULLIF(?, 0), ?, ?, ?) "
			     "ON CONFLICT(user_id, lecture_id) DO UPDATE SET coverage=excluded.coverage,"
			     "  covered_s=excluded.covered_s, study_s=study_s+excluded.study_s,"
			     "  last_pos=excluded.last_pos, completed_at=ifnull(completed_at, excluded.completed_at),"
			     "  updated_at=excluded.updated_at, cov_version=excluded.cov_version,"
			     "  cov_duration_s=excluded.cov_duration_s",
			     "iisdddiiid", uid, lid, cj, covered, o.credited_s, position,
			     newly ? secs : 0, secs, h.version, h.duration) < 0;
	free(cj);
	if (!bad && o.credited_s > 0)
		bad = db_exec("INSERT INTO study_daily(user_id, lecture_id, day, study_s) VALUES (?, ?, ?, ?) "
			      "ON CONFLICT(user_id, lecture_id, day) DO UPDATE SET study_s=study_s+excluded.study_s",
			      "iisd", uid, lid, day, o.credited_s) < 0;
	if (!bad && o.credited_s > 0) {
		dx_event ev = {.user_id = uid, .kind = "study", .ref = lid, .at = secs, .amount = o.credited_s};
		bad = event_notify(&ev) < 0;
	}
	int course_done = 0;
	if (!bad && !newly && fabs(covered - h.covered_s) > 1e-6) {
		int64_t nl, nd;
		bad = course_progress_update(uid, h.course_id, &nl, &nd) < 0; /* partly watched counts */
	}
	if (!bad && newly) {
		char data[48];
		snprintf(data, sizeof data, "{\"course_id\":%lld}", (long long)h.course_id);
		dx_event ev = {.user_id = uid, .kind = "lecture_completed", .ref = lid, .at = secs, .data = data};
		bad = event_emit(&ev) < 0;
		if (!bad) {
			course_done = study_course_check(uid, h.course_id, secs);
			bad = course_done < 0;
		}
	}
	if (bad) {
		reply_error(r, 500, "internal", "%s", tr("err.internal"));
		undo = -1;
		goto out;
	}
	/* Sent only after the batch's COMMIT (replaced by a 503 if that fails). */
	json_t *j = json_pack("{s:s,s:f,s:f,s:f,s:f,s:f,s:b,s:b,s:f,s:o}", "result", hb_result_name(o.result),
			      "credited_s", r3(o.credited_s), "lecture_study_s", r3(h.study_s + o.credited_s),
			      "today_study_s", r3(s.today_study_s), "coverage", r6(coverage_fraction(&cov, h.duration)),
			      "covered_s", r3(covered), "completed", complete || h.completed, "course_completed", course_done > 0,
			      "position", r3(position), "intervals", intervals_json(&cov, h.duration));
	reply_json(r, 200, j);
out:
	cov_free(&cov);
	free(h.coverage);
	return undo;
}

/* ---- the heartbeat writer: group commit ----
   Handlers queue validated heartbeats and suspend their requests; one thread takes everything
   queued, applies each in order inside one write transaction (a savepoint each, so one failing
   heartbeat undoes only its own writes), commits, and only then resumes the requests. */
#define HB_BATCH_MAX 256

static dx_thread g_hb = DX_THREAD_INIT; /* its mu and cv guard the queue too */
static hb_job *g_hb_head, *g_hb_tail;

static void hb_run_batch(hb_job *batch)
{
	if (db_begin() < 0) {
		for (hb_job *jb = batch; jb; jb = jb->next)
			reply_error(jb->r, 503, "busy", "%s", tr("err.busy"));
		return;
	}
	for (hb_job *jb = batch; jb; jb = jb->next) {
		if (db_exec("SAVEPOINT hb", NULL) < 0) {
			reply_error(jb->r, 500, "internal", "%s", tr("err.internal"));
			continue;
		}
		if (hb_apply(jb) < 0)
			db_exec("ROLLBACK TO hb", NULL);
		db_exec("RELEASE hb", NULL);
	}
	if (db_commit() < 0) {
		/* Nothing of the batch is stored: no answer may say otherwise. */
		int full = db_commit_full();
		for (hb_job *jb = batch; jb; jb = jb->next) {
			reply_reset(jb->r);
			if (full)
				reply_error(jb->r, 507, "disk_full", "%s", tr("err.study_disk_full"));
			else
				reply_error(jb->r, 503, "busy", "%s", tr("err.busy"));
		}
	}
}

static void hb_writer(dx_thread *t)
{
	pthread_mutex_lock(&t->mu);
	for (;;) {
		while (!g_hb_head && !t->stop)
			pthread_cond_wait(&t->cv, &t->mu);
		if (!g_hb_head)
			break; /* stopping, and everything queued is answered */
		hb_job *batch = g_hb_head, *last = batch;
		for (int n = 1; n < HB_BATCH_MAX && last->next; n++)
			last = last->next;
		g_hb_head = last->next;
		if (!g_hb_head)
			g_hb_tail = NULL;
		last->next = NULL;
		pthread_mutex_unlock(&t->mu);
		hb_run_batch(batch);
		for (hb_job *jb = batch, *nx; jb; jb = nx) {
			nx = jb->next;
			req_resume(jb->r);
			free(jb);
		}
		pthread_mutex_lock(&t->mu);
	}
	pthread_mutex_unlock(&t->mu);
	db_close_thread();
}

int study_writer_start(void)
{
	return dx_thread_start(&g_hb, hb_writer);
}

void study_writer_stop(void)
{
	dx_thread_stop(&g_hb);
}

/* POST /api/v1/lectures/{id}/heartbeat {"session","position","playing","rate"} → 200
   {"result","credited_s","lecture_study_s","today_study_s","coverage","covered_s","completed",
   "course_completed","intervals"}. `rate` is informational: the rules never trust it.
   The guard has loaded the lecture (lecture_study); the fields are checked here; the rest happens
   in the writer thread (answered after its COMMIT), which reads the enrolment again inside its
   transaction together with the session. */
static int study_heartbeat(req *r)
{
	int64_t sid = 0;
	double position = 0, rate = 1;
	int playing = 0;
	if (body_int(r, "session", 1, 1, INT64_MAX, &sid) < 0 || body_num(r, "position", 1, 0, POS_MAX, &position) < 0 ||
	    body_bool(r, "playing", 1, &playing) < 0 || body_num(r, "rate", 0, 0, 16, &rate) < 0)
		return 0;
	if (!g_hb.running)
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	hb_job *jb = xcalloc(1, sizeof *jb);
	jb->r = r;
	jb->lid = req_id(r, 0);
	jb->uid = r->u->id;
	jb->sid = sid;
	jb->position = position;
	jb->playing = playing;
	/* Suspend before queueing, so that the writer can never resume a request not yet suspended. */
	if (req_suspend(r) < 0) {
		free(jb);
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	}
	pthread_mutex_lock(&g_hb.mu);
	if (g_hb_tail)
		g_hb_tail->next = jb;
	else
		g_hb_head = jb;
	g_hb_tail = jb;
	pthread_cond_signal(&g_hb.cv);
	pthread_mutex_unlock(&g_hb.mu);
	return 0;
}

/* GET /api/v1/lectures/{id}/progress (lecture_progress) → the member's coverage and study time of a lecture. */
static int study_progress(req *r)
{
	int64_t lid = req_id(r, 0), uid = r->u->id;
	char day[16];
	day_of(clock_secs(), day);
	sqlite3_stmt *st = db_query(
		"SELECT l.duration_s,"
		"  EXISTS(SELECT 1 FROM enrollments e WHERE e.user_id=?2 AND e.course_id=l.course_id),"
		"  p.coverage, ifnull(p.study_s, 0), ifnull(p.last_pos, 0), p.completed_at,"
		"  ifnull((SELECT d.study_s FROM study_daily d WHERE d.user_id=?2 AND d.lecture_id=l.id AND d.day=?3), 0),"
		"  c.status='published' OR c.owner_id=?2, ifnull(p.cov_version, l.media_version),"
		"  ifnull(p.cov_duration_s, l.duration_s), l.media_version "
		"FROM lectures l JOIN courses c ON c.id=l.course_id "
		"LEFT JOIN lecture_progress p ON p.user_id=?2 AND p.lecture_id=l.id WHERE l.id=?1",
		"iis", lid, uid, day);
	/* The guard's lecture_progress: what a member earned stays theirs to see after the course is
	   withdrawn; anyone else was answered about it as about a lecture that does not exist. */
	if (db_step(st) != 1) {
		db_done(st);
		return reply_error(r, 404, "not_found", "%s", tr("err.no_lecture"));
	}
	double duration = sqlite3_column_double(st, 0);
	int current = cov_current(sqlite3_column_int64(st, 8), sqlite3_column_double(st, 9), sqlite3_column_int64(st, 10),
				  duration);
	cov_set cov;
	cov_init(&cov);
	int cov_ok = !current || sqlite3_column_type(st, 2) == SQLITE_NULL || cov_from_json(&cov, db_col_text(st, 2)) == 0;
	double study = sqlite3_column_double(st, 3), last_pos = current ? sqlite3_column_double(st, 4) : 0;
	int64_t completed_at = sqlite3_column_type(st, 5) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, 5);
	double today = sqlite3_column_double(st, 6);
	db_done(st);
	if (!cov_ok) {
		cov_free(&cov);
		return reply_error(r, 500, "internal", "%s", tr("err.internal"));
	}
	char iso[24] = "";
	if (completed_at)
		iso_time(completed_at, iso);
	double covered = coverage_fraction(&cov, duration) * duration;
	json_t *j = json_pack("{s:f,s:f,s:f,s:f,s:f,s:b,s:o,s:f,s:o}", "duration_s", duration, "coverage",
			      r6(coverage_fraction(&cov, duration)), "covered_s", r3(covered), "lecture_study_s", r3(study),
			      "today_study_s", r3(today), "completed", completed_at != 0, "completed_at",
			      completed_at ? json_string(iso) : json_null(), "resume_position",
			      r3(resume_at(last_pos, duration)), "intervals", intervals_json(&cov, duration));
	cov_free(&cov);
	return reply_json(r, 200, j);
}

const route study_routes[] = {
	{.method = "POST", .pattern = "/api/v1/lectures/{id}/play", .fn = study_play, .roles = R_ANY,
	 .body_max = 1024, .res = &lecture_study},
	{.method = "POST", .pattern = "/api/v1/lectures/{id}/heartbeat", .fn = study_heartbeat, .roles = R_ANY,
	 .flags = RF_JSON, .body_max = 1024, .res = &lecture_study},
	{.method = "GET", .pattern = "/api/v1/lectures/{id}/progress", .fn = study_progress, .roles = R_ANY,
	 .res = &lecture_progress},
	ROUTES_END,
};
