/* util.c — allocation, buffers, arenas and small string/file helpers shared by every module. */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void dx_fatal(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("dangxiao: FATAL: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		dx_fatal("out of memory (%zu bytes)", n);
	return p;
}

void *xcalloc(size_t n, size_t m)
{
	void *p = calloc(n ? n : 1, m ? m : 1);
	if (!p)
		dx_fatal("out of memory");
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		dx_fatal("out of memory (%zu bytes)", n);
	return p;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = 0;
	return p;
}

void buf_init(buf *b)
{
	b->p = NULL;
	b->len = b->cap = 0;
}

void buf_free(buf *b)
{
	free(b->p);
	buf_init(b);
}

void buf_reserve(buf *b, size_t extra)
{
	if (b->len + extra + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + extra + 1)
		cap *= 2;
	b->p = xrealloc(b->p, cap);
	b->cap = cap;
}

void buf_add(buf *b, const void *data, size_t n)
{
	buf_reserve(b, n);
	memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = 0;
}

void buf_puts(buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void buf_putc(buf *b, char c)
{
	buf_add(b, &c, 1);
}

void buf_vprintf(buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return;
	buf_reserve(b, (size_t)n);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void buf_printf(buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

char *buf_steal(buf *b)
{
	if (!b->p)
		buf_reserve(b, 0), b->p[0] = 0;
	char *p = b->p;
	buf_init(b);
	return p;
}

/* Arena: a chain of blocks; large requests get their own block. */
struct ablock {
	struct ablock *next;
	size_t used, size;
	_Alignas(16) unsigned char data[];
};
struct arena {
	struct ablock *head;
};

arena *arena_new(void)
{
	return xcalloc(1, sizeof(arena));
}

void arena_free(arena *a)
{
	if (!a)
		return;
	struct ablock *b = a->head;
	while (b) {
		struct ablock *n = b->next;
		free(b);
		b = n;
	}
	free(a);
}

void *arena_alloc(arena *a, size_t n)
{
	n = (n + 15) & ~(size_t)15;
	struct ablock *b = a->head;
	if (!b || b->size - b->used < n) {
		size_t sz = n > 8192 ? n : 8192;
		b = xmalloc(sizeof(*b) + sz);
		b->size = sz;
		b->used = 0;
		b->next = a->head;
		a->head = b;
	}
	void *p = b->data + b->used;
	b->used += n;
	return p;
}

char *arena_strndup(arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);
	memcpy(p, s, n);
	p[n] = 0;
	return p;
}

char *arena_strdup(arena *a, const char *s)
{
	return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

char *arena_printf(arena *a, const char *fmt, ...)
{
	va_list ap, ap2;
	va_start(ap, fmt);
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *p = arena_alloc(a, (size_t)(n < 0 ? 0 : n) + 1);
	vsnprintf(p, (size_t)(n < 0 ? 0 : n) + 1, fmt, ap2);
	va_end(ap2);
	return p;
}

size_t utf8_char_len(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	if (!len)
		return 0;
	unsigned c = s[0];
	if (c == 0)
		return 0;
	if (c < 0x80)
		return 1;
	int n;
	unsigned cp;
	if (c >= 0xC2 && c <= 0xDF)
		n = 1, cp = c & 0x1F;
	else if (c >= 0xE0 && c <= 0xEF)
		n = 2, cp = c & 0x0F;
	else if (c >= 0xF0 && c <= 0xF4)
		n = 3, cp = c & 0x07;
	else
		return 0;
	if ((size_t)n >= len)
		return 0;
	for (int k = 1; k <= n; k++) {
		if ((s[k] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[k] & 0x3F);
	}
	if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return (size_t)n + 1;
}

int utf8_ok(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;
	while (i < len) {
		size_t n = utf8_char_len((const char *)s + i, len - i);
		if (!n)
			return 0;
		i += n;
	}
	return 1;
}

void utf8_clean(buf *b, const char *str, size_t max_bytes)
{
	const unsigned char *s = (const unsigned char *)(str ? str : "");
	size_t len = strlen((const char *)s), used = 0;
	for (size_t i = 0; i < len;) {
		size_t n = utf8_char_len((const char *)s + i, len - i);
		const char *out = n ? (const char *)s + i : "\xEF\xBF\xBD"; /* U+FFFD */
		size_t on = n ? n : 3;
		if (used + on > max_bytes) {
			buf_puts(b, "\xE2\x80\xA6"); /* … */
			return;
		}
		buf_add(b, out, on);
		used += on;
		i += n ? n : 1;
	}
}

void log_clean(buf *b, const char *str, size_t max_bytes)
{
	static const char hx[] = "0123456789ABCDEF";
	const unsigned char *s = (const unsigned char *)(str ? str : "");
	size_t len = strlen((const char *)s), start = b->len;
	for (size_t i = 0; i < len && b->len - start < max_bytes;) {
		size_t n = utf8_char_len((const char *)s + i, len - i);
		if (n == 1 && s[i] > 0x20 && s[i] < 0x7F && s[i] != '\\') {
			buf_putc(b, (char)s[i]);
		} else if (n > 1) {
			buf_add(b, s + i, n);
		} else {
			buf_puts(b, "\\x");
			buf_putc(b, hx[s[i] >> 4]);
			buf_putc(b, hx[s[i] & 15]);
			n = 1;
		}
		i += n;
	}
}

int64_t page_clamp(const char *page_arg, const char *per_arg, int64_t default_per, int64_t max_per,
		   int64_t *page, int64_t *per_page)
{
	int64_t p = 1, pp = default_per;
	char *e;
	if (page_arg && *page_arg >= '0' && *page_arg <= '9') {
		errno = 0;
		long long v = strtoll(page_arg, &e, 10);
		if (!*e)
			p = errno == ERANGE || v > PAGE_MAX ? PAGE_MAX : v < 1 ? 1 : v;
	}
	if (per_arg && *per_arg >= '0' && *per_arg <= '9') {
		errno = 0;
		long long v = strtoll(per_arg, &e, 10);
		if (!*e && v >= 1)
			pp = errno == ERANGE || v > max_per ? max_per : v;
	}
	if (pp < 1)
		pp = 1;
	if (pp > max_per)
		pp = max_per;
	*page = p;
	*per_page = pp;
	return (p - 1) * pp;
}

size_t utf8_bom(const char *s, size_t len)
{
	return len >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3) ? 3 : 0;
}

size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

int64_t parse_id(const char *s)
{
	if (!s || !*s || strlen(s) > 18)
		return 0;
	int64_t v = 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return 0;
		v = v * 10 + (*s - '0');
	}
	return v;
}

void hex_encode(const unsigned char *in, size_t n, char *out)
{
	static const char hx[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hx[in[i] >> 4];
		out[2 * i + 1] = hx[in[i] & 15];
	}
	out[2 * n] = 0;
}

char *read_file(const char *path, size_t *lenp)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	buf b;
	buf_init(&b);
	char tmp[65536];
	ssize_t n;
	while ((n = read(fd, tmp, sizeof tmp)) > 0)
		buf_add(&b, tmp, (size_t)n);
	close(fd);
	if (n < 0) {
		buf_free(&b);
		return NULL;
	}
	if (lenp)
		*lenp = b.len;
	return buf_steal(&b);
}

int write_all(int fd, const void *data, size_t n)
{
	const char *p = data;
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = EIO;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int write_file_atomic(const char *path, const void *data, size_t len, int mode)
{
	/* A name of this writer's own: two threads replacing the same file never share one. */
	static atomic_uint seq;
	char *tmp = NULL;
	if (asprintf(&tmp, "%s.%d-%u.tmp", path, (int)getpid(), atomic_fetch_add(&seq, 1)) < 0)
		dx_fatal("out of memory");
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, (mode_t)mode);
	int rc = fd < 0 ? -1 : write_all(fd, data, len);
	if (rc == 0 && fsync(fd) < 0)   /* on disk before it takes the old file's place */
		rc = -1;
	if (fd >= 0 && close(fd) < 0)
		rc = -1;
	if (rc == 0)
		rc = rename(tmp, path);
	if (rc < 0) {
		int e = errno;
		unlink(tmp);
		errno = e;
	}
	free(tmp);
	return rc;
}

void fmt_duration(char *out, size_t n, double seconds)
{
	long t = seconds > 0 ? (long)(seconds + 0.5) : 0;
	if (t >= 3600)
		snprintf(out, n, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
	else
		snprintf(out, n, "%ld:%02ld", t / 60, t % 60);
}

static void *thread_main(void *arg)
{
	dx_thread *t = arg;
	t->fn(t);
	return NULL;
}

int dx_thread_start(dx_thread *t, void (*fn)(dx_thread *t))
{
	t->stop = 0;
	t->fn = fn;
	if (pthread_create(&t->th, NULL, thread_main, t) != 0)
		return -1;
	t->running = 1;
	return 0;
}

int dx_thread_sleep(dx_thread *t, int ms)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L)
		ts.tv_sec++, ts.tv_nsec -= 1000000000L;
	pthread_mutex_lock(&t->mu);
	if (!t->stop)
		pthread_cond_timedwait(&t->cv, &t->mu, &ts);
	int go = !t->stop;
	pthread_mutex_unlock(&t->mu);
	return go;
}

void dx_thread_wake(dx_thread *t)
{
	pthread_mutex_lock(&t->mu);
	pthread_cond_broadcast(&t->cv);
	pthread_mutex_unlock(&t->mu);
}

void dx_thread_stop(dx_thread *t)
{
	if (!t->running)
		return;
	pthread_mutex_lock(&t->mu);
	t->stop = 1;
	pthread_cond_broadcast(&t->cv);
	pthread_mutex_unlock(&t->mu);
	pthread_join(t->th, NULL);
	t->running = 0;
}

int mkdir_p(const char *path, int mode)
{
	char *p = xstrdup(path);
	for (char *s = p + 1; *s; s++) {
		if (*s == '/') {
			*s = 0;
			if (mkdir(p, (mode_t)mode) < 0 && errno != EEXIST) {
				free(p);
				return -1;
			}
			*s = '/';
		}
	}
	int rc = mkdir(p, (mode_t)mode) < 0 && errno != EEXIST ? -1 : 0;
	free(p);
	return rc;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

int rm_rf(const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -1;
	return nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}
