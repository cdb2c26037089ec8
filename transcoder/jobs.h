/* jobs.h — the persistent transcoding queue (table jobs, owned here) and its worker threads.
 *
 * A job is queued → running → done | failed | cancelled. Workers claim the oldest eligible job in
 * one UPDATE … RETURNING, run ONE ffmpeg for the whole ladder (ffrun: argv, nice +10, stall
 * watchdog, cancel flag), stage the output and publish it with storage_put_dir, then tell the
 * job's owner, in the transaction that marks the job done, to serve the new version. A failed run
 * is retried up to 3 times with backoff; jobs left running by a crash or a restart are queued
 * again on start.
 *
 * A job is queued for a subject (an id; the media in storage is keyed by it). The transcoder never
 * touches its owner's tables: the owner implements a jobs_sink (courses/lecture_jobs.c: the
 * lecture row mirrors its job for the API — queued / transcoding (progress) / ready / failed).
 */
#ifndef DX_JOBS_H
#define DX_JOBS_H
#include <jansson.h>
#include <stdint.h>

#define JOB_MAX_ATTEMPTS 4 /* the first run and 3 retries */

/* What the transcoder reports to the owner of its jobs' subjects. Calls marked (tx) run inside the
   transcoder's write transaction: the owner writes with db_exec and never calls db_begin. Every
   member may be NULL. */
typedef struct jobs_sink {
	/* The version the subject serves now (0: none); a new job is numbered above it. (tx) */
	int64_t (*served_version)(int64_t subject);
	/* A new job was queued for the subject (by jobs_enqueue). (tx) */
	void (*queued)(int64_t subject);
	/* The subject's open jobs were cancelled by jobs_cancel. (tx) */
	void (*cancelled)(int64_t subject);
	/* A worker starts the subject's job. (tx) */
	void (*started)(int64_t subject);
	/* The running job went back to the queue (a retry, a shutdown, a restart). (tx) */
	void (*requeued)(int64_t subject);
	/* Progress of the running job, 0…1 (no transaction). */
	void (*progress)(int64_t subject, double fraction);
	/* The new version's files are in storage but not served yet: add the owner's own objects
	   (captions). info as for ready. (no transaction) */
	void (*prepare)(int64_t subject, int64_t version, const json_t *info);
	/* The version is complete: serve it. info: {"renditions":[{"height","width","bandwidth"}…],
	   "duration_s","ts_start","poster","video","width","height"}. (tx) */
	void (*ready)(int64_t subject, int64_t version, const json_t *info);
	/* The job failed for good; error says why. (tx) */
	void (*failed)(int64_t subject, const char *error);
} jobs_sink;
/* Registers the sink (once, at program start: the owner module's init). */
void jobs_set_sink(const jobs_sink *sink);
/* What the finished job of (subject, version) recorded (the info above; new reference), or NULL. */
json_t *jobs_info(int64_t subject, int64_t version);

/* Requeues interrupted jobs and starts `workers` worker threads. 0 or -1. */
int jobs_start(int workers);
/* Stops the workers (a running ffmpeg is killed; its job is queued again for the next start). */
void jobs_stop(void);
/* Queues a transcode of `source_rel` (a path relative to the data folder; the queue owns the file
   from now on and deletes it when the job ends) for the subject. Supersedes the subject's queued
   or running job (sink: queued). Works without running workers (the seed uses it). Returns the job
   id, or -1. */
int64_t jobs_enqueue(int64_t subject, const char *source_rel);
/* 1 when a queued or running job still owns the source file source_rel. */
int jobs_source_pending(const char *source_rel);
/* Cancels the subject's queued or running job (sink: cancelled). Returns the number of jobs
   cancelled (0: nothing to cancel), -1 on a database error. */
int jobs_cancel(int64_t subject);
#endif
