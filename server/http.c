/* http.c — libmicrohttpd glue: the daemon, its connections and their deadlines, the request's life
   (route, guard, body, handler, reply sent). The router and guard are in route.c, replies and
   static files in reply.c, the JSON body in body.c. */
#include "http.h"
#include "auth.h"
#include "clock.h"
#include "http_internal.h"
#include "i18n.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/sockios.h>
#include <linux/tcp.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* Bodies refused before they are read are still drained up to this size (see on_request). */
#define DRAIN_MAX (16ULL << 20)

static const char *g_web_root = "web";
static FILE *g_access;
static int g_secure_cookie;
static volatile sig_atomic_t g_stop;
/* Deferred replies: how many requests are suspended now, and whether shutdown has begun (then no
   request may be suspended any more, since MHD_stop_daemon must not meet a suspended one). */
static atomic_int g_nsuspended;
static atomic_int g_stopping;

const char *http_web_root(void)
{
	return g_web_root;
}

/* ---- connection deadlines ----
   libmicrohttpd's connection timeout is an idle timeout: a client that sends one header byte every
   few seconds keeps its connection forever. Each connection is tracked from its start (the notify
   callback) with the phase it is in; the serving loop closes (shutdown) one whose request head is
   not complete within head_timeout_s of the connection's start or of its previous reply, or whose
   body advanced by fewer than body_stall_bytes in body_stall_s, or whose client reads what was sent
   (bytes acknowledged by its TCP stack) slower than body_stall_bytes per body_stall_s: a slow reader
   is never idle, so the idle timeout never closes it. Handlers and suspended requests are not timed
   here. */
enum { CT_HEAD, CT_BODY, CT_BUSY };
typedef struct conn_track {
	struct conn_track *prev, *next;
	int fd;
	int phase;
	int closing;
	double since;          /* monotonic seconds: start of the head wait, or of the body window */
	uint64_t bytes, win_bytes;
	double send_since;     /* start of the current reply-reading window; 0: nothing waits to be read */
	uint64_t send_acked;   /* bytes the client had acknowledged then */
} conn_track;
static pthread_mutex_t g_ct_mu = PTHREAD_MUTEX_INITIALIZER;
static conn_track *g_ct;
static double g_head_timeout = 30, g_body_stall = 30;
static uint64_t g_body_stall_bytes = 1024;

static double mono_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
			  enum MHD_ConnectionNotificationCode toe)
{
	(void)cls;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		conn_track *ct = xcalloc(1, sizeof *ct);
		const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		ct->fd = ci ? ci->connect_fd : -1;
		ct->phase = CT_HEAD;
		ct->since = mono_now();
		pthread_mutex_lock(&g_ct_mu);
		ct->next = g_ct;
		if (g_ct)
			g_ct->prev = ct;
		g_ct = ct;
		pthread_mutex_unlock(&g_ct_mu);
		*socket_context = ct;
	} else if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
		/* Called before libmicrohttpd closes the socket: once unlinked, the fd is never used here. */
		conn_track *ct = *socket_context;
		if (!ct)
			return;
		pthread_mutex_lock(&g_ct_mu);
		if (ct->prev)
			ct->prev->next = ct->next;
		else
			g_ct = ct->next;
		if (ct->next)
			ct->next->prev = ct->prev;
		pthread_mutex_unlock(&g_ct_mu);
		free(ct);
		*socket_context = NULL;
	}
}

static conn_track *track_of(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return ci ? ci->socket_context : NULL;
}

/* Moves the connection to a phase (and, in the body, counts bytes). */
static void track_set(struct MHD_Connection *conn, int phase, size_t more)
{
	conn_track *ct = track_of(conn);
	if (!ct)
		return;
	pthread_mutex_lock(&g_ct_mu);
	if (ct->phase != phase) {
		ct->phase = phase;
		ct->since = mono_now();
		ct->bytes = ct->win_bytes = 0;
	}
	ct->bytes += more;
	pthread_mutex_unlock(&g_ct_mu);
}

/* Bytes of what we sent that the peer's TCP stack has acknowledged (Linux TCP_INFO). */
static uint64_t tcp_acked(int fd)
{
	struct tcp_info ti;
	socklen_t l = sizeof ti;
	memset(&ti, 0, sizeof ti);
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &l) != 0)
		return 0;
	return ti.tcpi_bytes_acked;
}

/* The serving loop's check of every connection's deadline. */
static void deadlines_check(void)
{
	static unsigned sweep;
	sweep++;
	double now = mono_now();
	int closed = 0;
	pthread_mutex_lock(&g_ct_mu);
	for (conn_track *ct = g_ct; ct; ct = ct->next) {
		if (ct->closing || ct->fd < 0)
			continue;
		int late = 0;
		if (ct->phase == CT_HEAD && now - ct->since > g_head_timeout)
			late = 1;
		else if (ct->phase == CT_BODY && now - ct->since >= g_body_stall) {
			if (ct->bytes - ct->win_bytes < g_body_stall_bytes)
				late = 1;
			ct->since = now;
			ct->win_bytes = ct->bytes;
		}
		/* Once a second: while sent bytes wait in the socket for the client to read them (a reply
		   being written, or one handed to the kernel whole), the client must acknowledge
		   body_stall_bytes per body_stall_s. */
		int outq = 0;
		if (!late && g_body_stall_bytes && sweep % 10 == 0 && ioctl(ct->fd, SIOCOUTQ, &outq) == 0) {
			if (outq <= 0) {
				ct->send_since = 0;
			} else if (ct->send_since == 0) {
				ct->send_since = now;
				ct->send_acked = tcp_acked(ct->fd);
			} else if (now - ct->send_since >= g_body_stall) {
				uint64_t acked = tcp_acked(ct->fd);
				if (acked - ct->send_acked < g_body_stall_bytes) {
					/* Drop what waits unsent with a reset now (connect to AF_UNSPEC
					   disconnects a TCP socket, the fd stays libmicrohttpd's), or the
					   kernel would keep feeding the slow reader after the close. */
					struct sockaddr un = {.sa_family = AF_UNSPEC};
					connect(ct->fd, &un, sizeof un);
					late = 1;
				}
				ct->send_since = now;
				ct->send_acked = acked;
			}
		}
		if (late) {
			/* libmicrohttpd then reads end-of-file and closes the connection in its own thread. */
			shutdown(ct->fd, SHUT_RDWR);
			ct->closing = 1;
			closed++;
		}
	}
	pthread_mutex_unlock(&g_ct_mu);
	if (closed)
		fprintf(stderr, "dangxiao: closed %d connection(s) past the request deadline\n", closed);
}

/* ---- libmicrohttpd callbacks ---- */

static void add_security_headers(struct MHD_Response *resp, const char *ctype)
{
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	if (ctype && !strncmp(ctype, "text/html", 9))
		MHD_add_response_header(resp, "Content-Security-Policy",
					"default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; "
					"worker-src 'self' blob:; script-src 'self'; style-src 'self'; "
					"connect-src 'self'; object-src 'none'; base-uri 'self'; "
					"form-action 'self'; frame-ancestors 'none'");
}

static enum MHD_Result send_reply(req *r)
{
	struct MHD_Response *resp;
	if (r->stream) {
		/* Chunked; the response owns the producer's state from here (freed by libmicrohttpd). */
		resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 64 * 1024, (MHD_ContentReaderCallback)r->stream,
							 r->stream_ctx, (MHD_ContentReaderFreeCallback)r->stream_free);
		if (resp)
			r->stream = NULL, r->stream_ctx = NULL, r->stream_free = NULL;
	} else if (r->fd > 0) {
		/* For HEAD, libmicrohttpd sends the headers (with the real Content-Length) and no body. */
		resp = MHD_create_response_from_fd_at_offset64(r->f_len, r->fd, r->f_off);
		r->fd = -1; /* owned by the response now */
	} else {
		resp = MHD_create_response_from_buffer(r->out_len, r->out ? r->out : "",
						       r->out ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
		r->out = NULL;
	}
	if (!resp)
		return MHD_NO;
	if (r->ctype)
		MHD_add_response_header(resp, "Content-Type", r->ctype);
	for (struct hdr *h = r->hdrs; h; h = h->next)
		MHD_add_response_header(resp, h->name, h->value);
	if (!strncmp(r->url, "/api/", 5))
		MHD_add_response_header(resp, "Cache-Control", "no-store");
	add_security_headers(resp, r->ctype);
	enum MHD_Result ret = MHD_queue_response(r->conn, (unsigned)r->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

int http_stopping(void)
{
	return atomic_load(&g_stopping);
}

int req_suspend(req *r)
{
	atomic_fetch_add(&g_nsuspended, 1);
	if (atomic_load(&g_stopping)) {
		atomic_fetch_sub(&g_nsuspended, 1);
		return -1;
	}
	r->suspended = 1;
	MHD_suspend_connection(r->conn);
	return 0;
}

void req_resume(req *r)
{
	/* MHD then calls on_request once more (final call), which sends the reply. */
	MHD_resume_connection(r->conn);
}

/* libmicrohttpd's percent-decoding of the path and the query, except that %00 stays the three
   characters it is: a decoded NUL would end the C string early, so /api/v1/courses/1%00/anything was
   served (and logged) as /api/v1/courses/1. Kept literal, it matches no route, id or file. */
static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static size_t unescape_keep_nul(void *cls, struct MHD_Connection *conn, char *s)
{
	(void)cls, (void)conn;
	char *o = s;
	for (const char *p = s; *p;) {
		int hi, lo;
		if (p[0] == '%' && (hi = hexval(p[1])) >= 0 && (lo = hexval(p[2])) >= 0 && (hi | lo)) {
			*o++ = (char)(hi * 16 + lo);
			p += 3;
		} else {
			*o++ = *p++;
		}
	}
	*o = 0;
	return (size_t)(o - s);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *data,
				  size_t *data_size, void **con_cls)
{
	(void)cls, (void)version;
	req *r = *con_cls;
	if (!r) {
		r = xcalloc(1, sizeof *r);
		r->a = arena_new();
		r->conn = conn;
		r->url = arena_strdup(r->a, url);
		r->method = arena_strdup(r->a, method);
		r->is_head = !strcmp(method, "HEAD");
		r->t0 = clock_now();
		r->fd = -1;
		buf_init(&r->body);
		*con_cls = r;
		track_set(conn, CT_BODY, 0);
		route_request(r);
		if (!r->done)
			http_guard(r);
		/* A streaming handler sees an empty first chunk before any body byte is read, so it can
		   refuse (unknown lecture, too large, not allowed) at once instead of after the body. */
		if (!r->done && (r->rt->flags & RF_STREAM))
			r->rt->on_body(r, "", 0);
		/* Errors found before the body: a declared body up to DRAIN_MAX is read and dropped first
		   (the data branch discards after an error), then the answer goes out at the final call.
		   Closing a socket with unread bytes sends a reset, which can destroy the answer in the
		   client's buffers while it is still sending: the client sees "connection reset", not the
		   413 (courses_images was flaky so). A larger or undeclared body is not read; the answer
		   is sent at once. */
		if (r->done) {
			const char *cl = req_header(r, "Content-Length");
			unsigned long long n = cl ? strtoull(cl, NULL, 10) : 0;
			if (n > 0 && n <= DRAIN_MAX)
				return MHD_YES;
			return send_reply(r);
		}
		return MHD_YES;
	}
	if (*data_size) {
		size_t n = *data_size;
		*data_size = 0;
		r->body_seen += n;
		track_set(conn, CT_BODY, n);
		if (r->done)
			return MHD_YES; /* discarding after an error */
		size_t max = r->rt->body_max ? r->rt->body_max : DEFAULT_BODY_MAX;
		if (r->rt->flags & RF_STREAM) {
			r->rt->on_body(r, data, n);
		} else if (r->body.len + n > max) {
			buf_free(&r->body);
			reply_error(r, 413, "too_large", "%s（%zu）", tr("err.too_large"), max);
		} else {
			buf_add(&r->body, data, n);
		}
		return MHD_YES;
	}
	track_set(conn, CT_BUSY, 0);
	if (r->suspended) {
		/* Resumed: the other thread has set the reply. */
		r->suspended = 0;
		atomic_fetch_sub(&g_nsuspended, 1);
		if (!r->done)
			reply_error(r, 500, "internal", "deferred handler gave no reply");
		return send_reply(r);
	}
	if (!r->done && (r->rt->flags & RF_JSON))
		http_parse_json(r);
	if (!r->done) {
		r->rt->fn(r);
		/* Suspended: another thread owns r's reply now; touch nothing until the resumed call. */
		if (r->suspended)
			return MHD_YES;
		if (!r->done)
			reply_error(r, 500, "internal", "handler gave no reply");
	}
	return send_reply(r);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	/* The next request on this connection has head_timeout_s from now. */
	track_set(conn, CT_HEAD, 0);
	req *r = *con_cls;
	if (!r)
		return;
	r->aborted = toe != MHD_REQUEST_TERMINATED_COMPLETED_OK;
	if (r->suspended) {
		/* Resumed but closed before the reply was queued (the resuming thread is done with r). */
		r->suspended = 0;
		atomic_fetch_sub(&g_nsuspended, 1);
	}
	if (r->rt && r->rt->on_close)
		r->rt->on_close(r);
	if (g_access) {
		char ts[24];
		iso_time((int64_t)r->t0, ts);
		/* Method and URL are request bytes (the URL percent-decoded): one line, space-separated,
		   only with controls, spaces and invalid UTF-8 escaped. */
		buf m, u;
		buf_init(&m);
		buf_init(&u);
		log_clean(&m, r->method, 32);
		log_clean(&u, r->url, 2048);
		fprintf(g_access, "%s %s %s %d %.1fms %s%s\n", ts, m.p ? m.p : "", u.p ? u.p : "", r->status,
			(clock_now() - r->t0) * 1000.0, r->u ? r->u->username : "-", r->aborted ? " aborted" : "");
		buf_free(&m);
		buf_free(&u);
	}
	if (r->fd >= 0)
		close(r->fd);
	if (r->stream && r->stream_free) /* a streamed reply that was never queued */
		r->stream_free(r->stream_ctx);
	free(r->out);
	buf_free(&r->body);
	if (r->json)
		json_decref(r->json);
	arena_free(r->a);
	free(r);
	*con_cls = NULL;
}

static void on_signal(int sig)
{
	(void)sig;
	g_stop = 1;
}

static int parse_listen(const char *listen, struct sockaddr_in *sa)
{
	const char *colon = strrchr(listen, ':');
	if (!colon)
		return -1;
	char host[64];
	size_t hl = (size_t)(colon - listen);
	if (hl >= sizeof host)
		return -1;
	memcpy(host, listen, hl);
	host[hl] = 0;
	int port = atoi(colon + 1);
	if (port <= 0 || port > 65535)
		return -1;
	memset(sa, 0, sizeof *sa);
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)port);
	if (!*host || !strcmp(host, "*"))
		sa->sin_addr.s_addr = htonl(INADDR_ANY);
	else if (!strcmp(host, "localhost"))
		sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	else if (inet_pton(AF_INET, host, &sa->sin_addr) != 1)
		return -1;
	return 0;
}

int http_serve(const http_opts *o, void (*on_ready)(void))
{
	struct sockaddr_in sa;
	if (parse_listen(o->listen, &sa) < 0) {
		fprintf(stderr, "dangxiao: bad --listen '%s' (want HOST:PORT)\n", o->listen);
		return -1;
	}
	g_web_root = o->web_root;
	g_secure_cookie = o->secure_cookie;
	auth_set_secure_cookie(o->secure_cookie);
	if (o->access_log) {
		g_access = fopen(o->access_log, "a");
		if (g_access)
			setvbuf(g_access, NULL, _IOLBF, 0);
	}
	signal(SIGPIPE, SIG_IGN);
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (o->head_timeout_s > 0)
		g_head_timeout = o->head_timeout_s;
	if (o->body_stall_s > 0)
		g_body_stall = o->body_stall_s;
	g_body_stall_bytes = (uint64_t)(o->body_stall_bytes > 0 ? o->body_stall_bytes : 0);
	static_init(o->web_root);
	int threads = o->threads > 0 ? o->threads : (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (threads < 1)
		threads = 1;
	struct MHD_Daemon *d = MHD_start_daemon(
		MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_TURBO | MHD_USE_SUSPEND_RESUME | MHD_USE_ERROR_LOG, 0,
		NULL, NULL, on_request, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
		MHD_OPTION_THREAD_POOL_SIZE, (unsigned)threads, MHD_OPTION_CONNECTION_LIMIT,
		(unsigned)(o->max_conns > 0 ? o->max_conns : 4000), MHD_OPTION_CONNECTION_TIMEOUT,
		(unsigned)(o->conn_timeout_s > 0 ? o->conn_timeout_s : 60), MHD_OPTION_CONNECTION_MEMORY_LIMIT,
		(size_t)(o->conn_memory_kb > 0 ? o->conn_memory_kb : 32) * 1024, MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u, MHD_OPTION_NOTIFY_COMPLETED, on_completed,
		NULL, MHD_OPTION_NOTIFY_CONNECTION, on_connection, NULL, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
		(unsigned)(o->per_ip_conns > 0 ? o->per_ip_conns : 0), MHD_OPTION_UNESCAPE_CALLBACK, unescape_keep_nul, NULL,
		MHD_OPTION_END);
	if (!d) {
		fprintf(stderr, "dangxiao: cannot listen on %s: %s\n", o->listen, strerror(errno));
		return -1;
	}
	struct sigaction sact;
	memset(&sact, 0, sizeof sact);
	sact.sa_handler = on_signal;
	sigaction(SIGTERM, &sact, NULL);
	sigaction(SIGINT, &sact, NULL);
	if (on_ready)
		on_ready();
	while (!g_stop) {
		usleep(100 * 1000);
		deadlines_check();
	}
	fprintf(stderr, "dangxiao: shutting down\n");
	/* No new suspensions from now on; wait for the suspended requests to be answered (their
	   threads keep running until after this returns), since MHD must not stop with one. */
	atomic_store(&g_stopping, 1);
	for (int i = 0; i < 30000 && atomic_load(&g_nsuspended) > 0; i++)
		usleep(1000);
	MHD_stop_daemon(d);
	if (g_access)
		fclose(g_access);
	return 0;
}
