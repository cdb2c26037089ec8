/* upload_ctx.h — a streamed upload in progress, between upload.c (PUT, the probe workers, the
   sweeper) and tus.c (tus 1.0). Internal to the courses module. */
#ifndef DX_COURSES_UPLOAD_CTX_H
#define DX_COURSES_UPLOAD_CTX_H
#include "http.h"

#include <stddef.h>
#include <stdint.h>

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
int up_flush(upctx *c);
/* Appends data to the file through the gathering buffer; -1 with errno on failure. */
int up_write(upctx *c, const char *p, size_t n);
/* A failed write: removes the partial file and replies (507 disk full, else 500); returns -1. */
int up_write_failed(req *r, upctx *c);
/* Replies 413 (beyond cfg.upload_max); returns -1. */
int up_too_large(req *r);
/* Hands a finished upload to a probe worker (tus: 1 for a tus upload); the worker answers and
   resumes the request. Without workers (not serving) it probes at once. */
int up_probe_defer(req *r, upctx *c, int tus);

/* The whole tus upload is there: probe it, queue it, forget the upload (on a probe worker). */
int tus_patch_finish(req *r, upctx *c, int (*cancelled)(void));
/* The PATCH will write no more: close the file and let the next PATCH in. */
void tus_patch_release(upctx *c);
#endif
