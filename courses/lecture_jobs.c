/* lecture_jobs.c — the lectures' side of the transcoder (transcoder/jobs.h's jobs_sink): a lecture
 * row mirrors its job for the API (queued / transcoding with progress / ready / failed), switches
 * media_version when a new version is complete, and gets its captions into each new version. */
#include "clock.h"
#include "courses/captions.h"
#include "courses/lectures.h"
#include "db.h"
#include "transcoder/jobs.h"
#include "transcoder/storage.h"

#include <stdlib.h>

static int64_t served_version(int64_t lecture)
{
	return db_int(0, "SELECT media_version FROM lectures WHERE id = ?", "i", lecture);
}

static void queued(int64_t lecture)
{
	db_exec("UPDATE lectures SET status = 'queued', progress = 0, error = NULL, updated_at = ? WHERE id = ?", "ii",
		clock_secs(), lecture);
}

/* Back to what it serves: ready with a stream, else empty. */
static void cancelled(int64_t lecture)
{
	db_exec("UPDATE lectures SET status = CASE WHEN media_version > 0 THEN 'ready' ELSE 'empty' END, "
		"progress = CASE WHEN media_version > 0 THEN 1 ELSE 0 END, error = NULL, updated_at = ? WHERE id = ?",
		"ii", clock_secs(), lecture);
}

static void started(int64_t lecture)
{
	db_exec("UPDATE lectures SET status = 'transcoding', progress = 0, error = NULL, updated_at = ? WHERE id = ?",
		"ii", clock_secs(), lecture);
}

static void requeued(int64_t lecture)
{
	db_exec("UPDATE lectures SET status = 'queued', progress = 0 WHERE id = ? AND status = 'transcoding'", "i",
		lecture);
}

static void progress(int64_t lecture, double f)
{
	db_exec("UPDATE lectures SET progress = ? WHERE id = ? AND status = 'transcoding'", "di", f, lecture);
}

/* Before the new version is served: the instructor's captions go into it. */
static void prepare(int64_t lecture, int64_t version, const json_t *info)
{
	(void)info;
	if (storage_exists(lecture, 0, "captions.vtt"))
		media_install_captions(lecture, version);
}

static void ready(int64_t lecture, int64_t version, const json_t *info)
{
	char *rend = json_dumps(json_object_get(info, "renditions"), JSON_COMPACT);
	db_exec("UPDATE lectures SET status = 'ready', progress = 1, error = NULL, media_version = ?, "
		"renditions = ?, duration_s = ?, has_poster = ?, updated_at = ? WHERE id = ?",
		"isdiii", version, rend ? rend : "[]", json_number_value(json_object_get(info, "duration_s")),
		(int64_t)json_is_true(json_object_get(info, "poster")), clock_secs(), lecture);
	free(rend);
}

static void failed(int64_t lecture, const char *error)
{
	db_exec("UPDATE lectures SET status = 'failed', progress = 0, error = ?, updated_at = ? WHERE id = ?", "sii",
		error, clock_secs(), lecture);
}

static const jobs_sink lecture_sink = {
	.served_version = served_version,
	.queued = queued,
	.cancelled = cancelled,
	.started = started,
	.requeued = requeued,
	.progress = progress,
	.prepare = prepare,
	.ready = ready,
	.failed = failed,
};

void lecture_jobs_init(void)
{
	jobs_set_sink(&lecture_sink);
}
