/* jobs.h — the persistent transcoding queue (table jobs) and its worker threads.
 *
 * A job is queued → running → done | failed | cancelled. Workers claim the oldest eligible job in
 * one UPDATE … RETURNING, run ONE ffmpeg for the whole ladder (ffrun: argv, nice +10, stall
 * watchdog, cancel flag), stage the output and publish it with storage_put_dir, then switch
 * lectures.media_version in a transaction. A failed run is retried up to 3 times with backoff;
 * jobs left running by a crash or a restart are queued again on start. The lecture row mirrors
 * the job for the API: queued / transcoding (progress) / ready / failed (error).
 */
#ifndef DX_JOBS_H
#define DX_JOBS_H
#include <stddef.h>
#include <stdint.h>

#define JOB_MAX_ATTEMPTS 4 /* the first run and 3 retries */

/* Requeues interrupted jobs and starts `workers` worker threads. 0 or -1. */
int jobs_start(int workers);
/* Stops the workers (a running ffmpeg is killed; its job is queued again for the next start). */
void jobs_stop(void);
/* Queues a transcode of `source_rel` (a path relative to the data folder; the queue owns the file
   from now on and deletes it when the job ends) for the lecture. Supersedes the lecture's queued or
   running job, sets the lecture to `queued`. Works without running workers (the seed uses it).
   Returns the job id, or -1. */
int64_t jobs_enqueue(int64_t lecture, const char *source_rel);
/* Cancels the lecture's queued or running job; the lecture returns to `ready` when it has a stream,
   else `empty`. Returns the number of jobs cancelled (0: nothing to cancel). */
int jobs_cancel(int64_t lecture);
/* (Re)installs the lecture's captions (storage object 0/captions.vtt) into a published version:
   a copy with X-TIMESTAMP-MAP, subs.m3u8, and master.m3u8 rewritten with a SUBTITLES rendition
   (or without one when the lecture has no captions). 0 or -1. */
int media_install_captions(int64_t lecture, int64_t version);
/* A master playlist rewritten with a SUBTITLES rendition (GROUP-ID "subs") whose playlist is
   subs_uri, named by every variant; with subs_uri NULL, without one. malloc'd. */
char *media_master_subs(const char *master, const char *subs_uri);
/* The captions file as served (appended to out): src (len bytes, BOM dropped) with an
   X-TIMESTAMP-MAP line after its first line unless its header has one. */
struct buf;
void vtt_for_hls(struct buf *out, const char *src, size_t len, int64_t ts_start);
#endif
