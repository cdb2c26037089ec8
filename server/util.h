/* util.h — memory helpers that never fail, growable buffers, per-request arenas, small string tools. */
#ifndef DX_UTIL_H
#define DX_UTIL_H
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>

#define DX_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Allocation that aborts on out-of-memory: callers never check for NULL. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t m);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Prints "dangxiao: FATAL: ..." and aborts: for states that are bugs. */
void dx_fatal(const char *fmt, ...) DX_PRINTF(1, 2) __attribute__((noreturn));

/* A growable byte buffer; always NUL-terminated. */
typedef struct buf {
	char *p;
	size_t len, cap;
} buf;
void buf_init(buf *b);
void buf_free(buf *b);
void buf_reserve(buf *b, size_t extra);
void buf_add(buf *b, const void *data, size_t n);
void buf_puts(buf *b, const char *s);
void buf_putc(buf *b, char c);
void buf_printf(buf *b, const char *fmt, ...) DX_PRINTF(2, 3);
void buf_vprintf(buf *b, const char *fmt, va_list ap) DX_PRINTF(2, 0);
/* Hands the storage to the caller (free() it); leaves b empty. */
char *buf_steal(buf *b);

/* A bump allocator owning everything one request allocates; freed in one call. */
typedef struct arena arena;
arena *arena_new(void);
void arena_free(arena *a);
void *arena_alloc(arena *a, size_t n);
char *arena_strdup(arena *a, const char *s);
char *arena_strndup(arena *a, const char *s, size_t n);
char *arena_printf(arena *a, const char *fmt, ...) DX_PRINTF(2, 3);

/* 1 when s[0..len) is valid UTF-8 (RFC 3629: no overlongs, surrogates, code points above U+10FFFF,
   stray or missing continuation bytes) without NULs. */
int utf8_ok(const char *s, size_t len);
/* Length in bytes (1..4) of the valid UTF-8 character (not NUL) at s[0..len), or 0 when the bytes
   there are not one. */
size_t utf8_char_len(const char *s, size_t len);
/* Appends s as valid UTF-8: each byte that does not start a valid character becomes U+FFFD; when more than
   max_bytes would be appended, the text is cut on a character boundary and ends in "…". */
void utf8_clean(buf *b, const char *s, size_t max_bytes);
/* Appends s for a log line: printable ASCII and valid UTF-8 kept, every other byte (controls,
   space, backslash, invalid UTF-8) as \xHH; stops after about max_bytes. */
void log_clean(buf *b, const char *s, size_t max_bytes);
/* Paging from the query values page= and per_page= (either may be NULL): page defaults to 1 and is
   clamped to 1..PAGE_MAX, per_page defaults to default_per and is clamped to 1..max_per; garbage,
   zero or negative values give the defaults. Returns the row offset, (page - 1) * per_page, which
   cannot overflow. */
#define PAGE_MAX 100000
int64_t page_clamp(const char *page_arg, const char *per_arg, int64_t default_per, int64_t max_per,
		   int64_t *page, int64_t *per_page);
/* 3 when s[0..len) starts with the UTF-8 byte order mark, else 0: the bytes to skip. */
size_t utf8_bom(const char *s, size_t len);
/* Code points in a UTF-8 string. */
size_t utf8_chars(const char *s);
/* Parses a positive decimal id; 0 on garbage. */
int64_t parse_id(const char *s);
/* Lower-case hex of n bytes into out (2n+1 bytes). */
void hex_encode(const unsigned char *in, size_t n, char *out);
/* Reads a whole file (malloc'd, NUL-terminated); NULL on error. */
char *read_file(const char *path, size_t *len);
/* Writes all n bytes to fd (short writes and EINTR retried); 0, or -1 with errno (EIO when nothing
   could be written). */
int write_all(int fd, const void *p, size_t n);
/* Replaces path by data[0..len) atomically: written to a temporary file beside it, then renamed over
   it, so a reader sees the old file or the new one, never half of one. 0, or -1 with errno and
   nothing left behind. */
int write_file_atomic(const char *path, const void *data, size_t len, int mode);
/* A duration as "m:ss" or "h:mm:ss" (rounded to the second; negative → "0:00"). */
void fmt_duration(char *out, size_t n, double seconds);
/* A background thread that is told to stop: start, sleep between rounds, stop and join, written once
   for every service (the WAL checkpointer, the heartbeat writer, the upload sweeper, the transcoder's
   workers). mu and cv
   guard stop and may guard the service's own state too (the heartbeat queue). */
typedef struct dx_thread {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t th;
	int stop, running;
	void (*fn)(struct dx_thread *t);
} dx_thread;
#define DX_THREAD_INIT {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER}
/* Runs fn(t) on a new thread; 0 or -1. */
int dx_thread_start(dx_thread *t, void (*fn)(dx_thread *t));
/* Waits up to ms (without mu held), or less when stopped: 1 to go on, 0 once stop was asked. */
int dx_thread_sleep(dx_thread *t, int ms);
/* Ends its dx_thread_sleep early (new work). */
void dx_thread_wake(dx_thread *t);
/* Asks the thread to stop, wakes it (cv) and waits for it to end; nothing when it is not running. */
void dx_thread_stop(dx_thread *t);
/* mkdir -p; 0 or -1. */
int mkdir_p(const char *path, int mode);
/* rm -rf of a folder under our control; 0 or -1. */
int rm_rf(const char *path);
#endif
