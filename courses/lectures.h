/* lectures.h — lectures: who may see and change them, their JSON, and the ways a source arrives
 * (PUT uploads in upload.c, tus uploads in tus.c, URL import in import.c); media serving is media.c. */
#ifndef DX_LECTURES_H
#define DX_LECTURES_H
#include <jansson.h>
#include <stdint.h>

#include "http.h"

/* Who may see and change lectures: courses/access.h (the resource kinds lecture_view, lecture_edit…). */
/* An upload of mine (tus, {uid}): 404 unless it exists, is the caller's (or the caller is an admin)
   and its partial file is there. r->res is an upload_res. */
typedef struct upload_res {
	char uid[33];
	int64_t lecture;
	uint64_t length, offset; /* offset: the partial file's size */
	char path[800];
} upload_res;
extern const resource_kind upload_mine;

/* The lecture as the API shows it (new reference), or NULL when it does not exist. Errors and the
   import state are included only for editors. */
json_t *lecture_json(const user *u, int64_t lecture);
/* {"lectures":[…]}: the course's lectures as lecture_json shows them, in course order, archived ones
   left out (the instructor's list). */
json_t *course_lectures_json(const user *u, int64_t course);

/* Probes a finished upload; when it is not playable media replies 415/422 with a message that says
   what is wrong (the caller removes the file) and returns -1. 0 when the file is media. */
int source_check_or_reply(req *r, const char *path);
/* Same check without a request: 0, or -1 with a Chinese message (catalog text only) in msg. */
int source_check(const char *path, char *msg, size_t msglen, int *status, const char **code);
/* The same with the probe's English reason in detail (may be NULL) and a cancel flag polled while
   probing (NULL: none). Probes within cfg.probe_timeout_s and refuses sources shorter than
   cfg.min_source_s (422 too_short). */
int source_check_ex(const char *path, int (*cancelled)(void), char *msg, size_t msglen, char *detail, size_t detlen,
		    int *status, const char **code);
/* The refusal of source_check_ex as the answer: {"error":{"code","message","detail"}}. */
void source_reply_refusal(req *r, int status, const char *code, const char *msg, const char *detail);
/* Moves a probed file into the source folder and queues the transcode. 0 or -1. */
int source_accept(int64_t lecture, const char *path);
/* DATA/uploads, created on demand; a file name in it → full path. */
void uploads_path(const char *name, char *out, size_t outlen);
/* Creates a new, uniquely named partial file "PREFIX-RANDOM.part" in DATA/uploads for writing;
   its path goes to out. Returns the fd, or -1 with errno (out is then ""). */
int uploads_create(const char *prefix, char *out, size_t outlen);

/* Registers the lectures as the transcoder's jobs_sink (lecture_jobs.c; the module's init). */
void lecture_jobs_init(void);

/* The demo lecture (server/seed.c, after seed_courses): a 40 s clip generated with ffmpeg's lavfi
   sources, added to the first course and queued, so the server's worker transcodes it on its first
   start. Without a course it does nothing. 0 or -1. */
int seed_lectures(const char *data_dir);

/* upload.c: the probe workers and the tus sweeper (stale partial uploads expire after
   cfg.upload_expire_s). */
int uploads_start(void);
void uploads_stop(void);
/* tus.c: removes expired partial uploads now; returns how many. */
int uploads_sweep(void);

/* import.c: the URL import's state for a lecture ({"state","received","total","error"}) or NULL. */
json_t *import_json(int64_t lecture);
/* Cancels a running import of the lecture; 1 when there was one. */
int import_cancel(int64_t lecture);
/* 1 when a URL's host is a literal address that may not be fetched from: loopback, private,
   link-local, CGNAT, multicast, reserved (IPv4, IPv6, IPv4 inside IPv6, numeric forms like
   2130706433). 0 for names (checked when curl connects) and public addresses. */
int import_host_refused(const char *host);
/* Initialises libcurl (before any thread uses it). 0 or -1. */
int imports_start(void);
/* Stops every running import and waits for the threads (shutdown). */
void imports_stop(void);
/* lectures.c: 1 when the text is a WebVTT file (optional BOM, "WEBVTT", then a space, tab or line
   end): what PUT /api/v1/lectures/{id}/captions accepts. */
int vtt_ok(const char *s, size_t len);
#endif
