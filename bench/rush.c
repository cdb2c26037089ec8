/* rush.c — the December rush's load client (tools/proof/rush.sh, docs/performance.md): CONNS
 * keep-alive HTTP/1.1 connections on one epoll loop, each sending what members do at the year's
 * end, one request after the other (closed loop, no think time):
 *   heartbeats of open playback sessions (most), the catalog API, course pages, /api/v1/me/summary,
 *   and whole exams (start, five answer saves, submit).
 * A session is never sent a heartbeat sooner than 5.5 s after its previous one (the server refuses
 * < 5 s): when every session is too recent the connection waits ("paced" in the summary: then the
 * number of members, not the server, set the heartbeat rate). Positions move with the wall clock.
 *
 *   rush play PORT MEMBERS LECTURE CONNS OUT     — opens a playback session for every member line
 *                                                  ("TOKEN USER_ID") that has none; writes
 *                                                  "TOKEN SESSION" lines to OUT (0: an exam taker)
 *   rush run PORT SESSIONS LECTURE QUIZ COURSES CONNS SECONDS EXAM_SHARE
 *        COURSES: comma-separated course ids for the course pages; EXAM_SHARE: the fraction of
 *        the members (from the end of the file) that take the exam instead of watching.
 * RUSH_RATE=R offers R requests per second in all (an open load: requests go out on a schedule,
 * whatever the answers' latency) instead of the closed loop.
 * Prints per request kind: count, per second, p50, p99, max, errors (non-2xx or no answer), and
 * exits 1 when any request failed.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { K_PLAY, K_HB, K_CATALOG, K_COURSE, K_SUMMARY, K_EXAM_START, K_EXAM_SAVE, K_EXAM_SUBMIT, NK };
static const char *KNAME[NK] = {"play", "heartbeat", "catalog", "course page", "me/summary",
				"exam start", "exam answer save", "exam submit"};

typedef struct member {
	char tok[128];
	long long session;
	double last_hb;
	int busy;
} member;

typedef struct kstat {
	double *lat;
	size_t n, cap;
	long err, st[6]; /* errors; answers by status class (st[0]: no answer) */
	long last_bad;
} kstat;

typedef struct conn {
	int fd, kind, m, connected;
	char out[4096];
	size_t olen, osent;
	char *in;
	size_t ilen, icap;
	double t0, wake;
	int answered; /* answers on this connection (0: fresh) */
	/* an exam in progress */
	long long attempt, q[16];
	int nq, qi;
} conn;

static member *M;
static int NM, NHB; /* members; the first NHB watch, the rest take the exam */
static kstat S[NK];
static int PORT;
static long long LECTURE, QUIZ;
static long long COURSES[64];
static int NCOURSES;
static double T_END, T_START;
static long PACED;
static double RATE; /* requests per second offered in all (RUSH_RATE; 0: as fast as answered) */
static long ISSUED;
static long RETRIED; /* requests sent again on a new connection: the server had closed the idle one */
static int hb_next, ex_next, play_next;
static FILE *PLAY_OUT;
static int PLAY_MODE;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void rec(int kind, double lat, int status)
{
	kstat *s = &S[kind];
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 4096;
		s->lat = realloc(s->lat, s->cap * sizeof *s->lat);
	}
	s->lat[s->n++] = lat;
	s->st[status <= 0 ? 0 : status / 100 > 5 ? 5 : status / 100]++;
	if (status < 200 || status >= 300) {
		s->err++;
		s->last_bad = status;
	}
}

static int conn_open(conn *c, int ep)
{
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	int one = 1;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)PORT),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	if (connect(c->fd, (struct sockaddr *)&a, sizeof a) < 0 && errno != EINPROGRESS) {
		close(c->fd);
		c->fd = -1;
		return -1;
	}
	struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLET, .data.ptr = c};
	epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
	c->connected = 0;
	return 0;
}

static void fmt_req(conn *c, const char *method, const char *path, const char *tok, const char *body)
{
	size_t bl = body ? strlen(body) : 0;
	int n = snprintf(c->out, sizeof c->out,
			 "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n%s"
			 "Content-Length: %zu\r\n\r\n%s",
			 method, path, tok, body ? "Content-Type: application/json\r\n" : "", bl, body ? body : "");
	c->olen = (size_t)n;
	c->osent = 0;
	c->ilen = 0;
}

/* Chooses and formats the connection's next request; 0, or 1 when it must wait (c->wake), or -1
   when there is nothing left to do. */
static int next_request(conn *c)
{
	double now = now_s();
	char path[256], body[256];
	if (PLAY_MODE) {
		while (play_next < NM && M[play_next].session)
			play_next++;
		if (play_next >= NM)
			return -1;
		c->m = play_next++;
		c->kind = K_PLAY;
		snprintf(path, sizeof path, "/api/v1/lectures/%lld/play", LECTURE);
		fmt_req(c, "POST", path, M[c->m].tok, NULL);
		return 0;
	}
	if (now >= T_END)
		return -1;
	if (RATE > 0 && c->kind != K_EXAM_START && c->kind != K_EXAM_SAVE) {
		/* an open load: the next request's slot on the schedule (an exam, once started, goes on) */
		double slot = T_START + (double)ISSUED / RATE;
		if (now < slot) {
			c->wake = slot;
			if (c->kind == K_EXAM_SUBMIT)
				M[c->m].busy = 0;
			c->kind = -1;
			return 1;
		}
		ISSUED++;
	}
	member *m;
	if (c->kind == K_EXAM_START || c->kind == K_EXAM_SAVE) {
		/* the exam goes on: the next save, or the submit */
		m = &M[c->m];
		if (c->attempt <= 0) {
			m->busy = 0;
		} else if (c->qi < c->nq) {
			c->kind = K_EXAM_SAVE;
			snprintf(path, sizeof path, "/api/v1/attempts/%lld/answers", c->attempt);
			snprintf(body, sizeof body, "{\"answers\":{\"%lld\":[%d]}}", c->q[c->qi], c->qi % 3 == 2);
			c->qi++;
			fmt_req(c, "PUT", path, m->tok, body);
			return 0;
		} else {
			c->kind = K_EXAM_SUBMIT;
			snprintf(path, sizeof path, "/api/v1/attempts/%lld/submit", c->attempt);
			fmt_req(c, "POST", path, m->tok, "{}");
			return 0;
		}
	}
	if (c->kind == K_EXAM_SUBMIT)
		M[c->m].busy = 0;
	int r = rand() % 100;
	if (r < 84 || NHB == NM) {
		/* the next session due */
		member *h = &M[hb_next];
		if (now - h->last_hb < 5.5) {
			PACED++;
			c->wake = h->last_hb + 5.5;
			c->kind = -1;
			return 1;
		}
		c->m = hb_next;
		hb_next = (hb_next + 1) % NHB;
		c->kind = K_HB;
		h->last_hb = now;
		snprintf(path, sizeof path, "/api/v1/lectures/%lld/heartbeat", LECTURE);
		snprintf(body, sizeof body, "{\"session\":%lld,\"position\":%.1f,\"playing\":true,\"rate\":1}", h->session,
			 10 + (now - T_START));
		fmt_req(c, "POST", path, h->tok, body);
		return 0;
	}
	int who = rand() % NM;
	if (r < 88) {
		c->kind = K_CATALOG;
		int page = 1 + rand() % 3;
		if (rand() % 2)
			snprintf(path, sizeof path, "/api/v1/courses?page=%d", page);
		else
			snprintf(path, sizeof path, "/api/v1/courses?q=%%E5%%85%%9A&page=%d", page);
		fmt_req(c, "GET", path, M[who].tok, NULL);
	} else if (r < 92) {
		c->kind = K_COURSE;
		snprintf(path, sizeof path, "/courses/%lld", COURSES[rand() % NCOURSES]);
		fmt_req(c, "GET", path, M[who].tok, NULL);
	} else if (r < 98 || NHB >= NM) {
		c->kind = K_SUMMARY;
		fmt_req(c, "GET", "/api/v1/me/summary", M[who].tok, NULL);
	} else {
		int tries = 0;
		while (M[NHB + ex_next].busy && tries++ < NM - NHB)
			ex_next = (ex_next + 1) % (NM - NHB);
		c->m = NHB + ex_next;
		ex_next = (ex_next + 1) % (NM - NHB);
		M[c->m].busy = 1;
		c->kind = K_EXAM_START;
		c->attempt = 0;
		c->nq = c->qi = 0;
		snprintf(path, sizeof path, "/api/v1/quizzes/%lld/attempts", QUIZ);
		fmt_req(c, "POST", path, M[c->m].tok, NULL);
	}
	return 0;
}

/* A complete response in c->in: its status and where its body is (de-chunked in place); 0 when
   more bytes are needed. */
static int parse_resp(conn *c, int *status, char **body, size_t *blen, int *close_after)
{
	if (c->ilen < 12)
		return 0;
	c->in[c->ilen] = 0;
	char *e = strstr(c->in, "\r\n\r\n");
	if (!e)
		return 0;
	*status = atoi(c->in + 9);
	char *b = e + 4;
	size_t have = c->ilen - (size_t)(b - c->in);
	*e = 0;
	char *cl = strcasestr(c->in, "\r\ncontent-length:");
	int chunked = strcasestr(c->in, "\r\ntransfer-encoding: chunked") != NULL;
	*close_after = strcasestr(c->in, "\r\nconnection: close") != NULL;
	*e = '\r';
	if (cl && !chunked) {
		size_t want = (size_t)atol(cl + 17);
		if (have < want)
			return 0;
		*body = b;
		*blen = want;
		return 1;
	}
	if (!chunked) {
		*body = b;
		*blen = 0;
		return 1; /* e.g. 204 */
	}
	/* chunked: first check that every chunk is there (up to the 0 chunk and its CRLF), then
	   join the chunks' data in place */
	size_t p = 0;
	for (;;) {
		char *nl = memmem(b + p, have - p, "\r\n", 2);
		if (!nl)
			return 0;
		size_t sz = strtoul(b + p, NULL, 16), data = (size_t)(nl - b) + 2;
		if (have < data + sz + 2)
			return 0;
		p = data + sz + 2;
		if (sz == 0)
			break;
	}
	size_t w = 0;
	p = 0;
	for (;;) {
		char *nl = memmem(b + p, have - p, "\r\n", 2);
		size_t sz = strtoul(b + p, NULL, 16), data = (size_t)(nl - b) + 2;
		if (sz == 0)
			break;
		memmove(b + w, b + data, sz);
		w += sz;
		p = data + sz + 2;
	}
	*body = b;
	*blen = w;
	return 1;
}

static void on_answer(conn *c, int status, const char *body, size_t blen)
{
	if (c->kind == K_PLAY) {
		json_t *j = json_loadb(body, blen, 0, NULL);
		json_t *s = j ? json_object_get(j, "session") : NULL;
		if (status == 201 && json_is_integer(s)) {
			M[c->m].session = json_integer_value(s);
			fprintf(PLAY_OUT, "%s %lld\n", M[c->m].tok, M[c->m].session);
		}
		json_decref(j);
	} else if (c->kind == K_EXAM_START) {
		json_t *j = (status == 200 || status == 201) ? json_loadb(body, blen, 0, NULL) : NULL;
		c->attempt = j ? (long long)json_integer_value(json_object_get(j, "attempt_id")) : 0;
		size_t i;
		json_t *q;
		c->nq = c->qi = 0;
		json_array_foreach (j ? json_object_get(j, "questions") : NULL, i, q)
			if (c->nq < 16)
				c->q[c->nq++] = (long long)json_integer_value(json_object_get(q, "id"));
		json_decref(j);
	}
}

static void conn_close(conn *c, int ep)
{
	if (c->fd >= 0) {
		epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
		close(c->fd);
	}
	c->fd = -1;
}

/* Sends what is left of the request; reads what has come. 1 when the request is answered. */
static void pump(conn *c, int ep, int *active)
{
	for (;;) {
		if (c->fd < 0)
			return;
		while (c->osent < c->olen) {
			ssize_t k = send(c->fd, c->out + c->osent, c->olen - c->osent, MSG_NOSIGNAL);
			if (k < 0) {
				if (errno == EAGAIN || errno == ENOTCONN)
					return;
				goto broken;
			}
			c->osent += (size_t)k;
		}
		int eof = 0;
		for (;;) {
			if (c->icap - c->ilen < 65536) {
				c->icap = c->icap ? c->icap * 2 : 131072;
				c->in = realloc(c->in, c->icap + 1);
			}
			ssize_t k = recv(c->fd, c->in + c->ilen, c->icap - c->ilen, 0);
			if (k == 0) {
				eof = 1; /* the answer may be complete before the close: parsed first */
				break;
			}
			if (k < 0) {
				if (errno == EAGAIN)
					break;
				goto broken;
			}
			c->ilen += (size_t)k;
		}
		int status, close_after;
		char *body;
		size_t blen;
		if (c->olen == 0 || !parse_resp(c, &status, &body, &blen, &close_after)) {
			if (eof)
				goto broken;
			return;
		}
		close_after |= eof;
		rec(c->kind, now_s() - c->t0, status);
		on_answer(c, status, body, blen);
		c->answered++;
		if (close_after) {
			conn_close(c, ep);
			conn_open(c, ep);
			c->answered = 0;
		}
		c->olen = 0;
		int r = next_request(c);
		if (r < 0) {
			conn_close(c, ep);
			(*active)--;
			return;
		}
		if (r > 0)
			return; /* waits for c->wake */
		c->t0 = now_s();
		continue;
	broken:
		if (c->olen && c->answered > 0 && c->ilen == 0) {
			/* a kept-alive connection the server closed (idle past head_timeout_s) before it
			   read the request: sent again on a new connection, as browsers do */
			conn_close(c, ep);
			conn_open(c, ep);
			c->osent = 0;
			c->answered = 0;
			RETRIED++;
			continue;
		}
		if (c->olen)
			rec(c->kind, now_s() - c->t0, -1);
		conn_close(c, ep);
		c->answered = 0;
		if (c->kind == K_EXAM_START || c->kind == K_EXAM_SAVE || c->kind == K_EXAM_SUBMIT)
			M[c->m].busy = 0, c->kind = K_SUMMARY;
		conn_open(c, ep);
		c->olen = 0;
		int rr = next_request(c);
		if (rr < 0) {
			conn_close(c, ep);
			(*active)--;
			return;
		}
		if (rr > 0)
			return;
		c->t0 = now_s();
	}
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static int load_members(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	int cap = 1024;
	M = calloc((size_t)cap, sizeof *M);
	char tok[128];
	long long s;
	while (fscanf(f, "%127s %lld", tok, &s) == 2) {
		if (NM == cap)
			M = realloc(M, (size_t)(cap *= 2) * sizeof *M);
		memset(&M[NM], 0, sizeof M[NM]);
		snprintf(M[NM].tok, sizeof M[NM].tok, "%s", tok);
		M[NM].session = s;
		M[NM].last_hb = -1e9;
		NM++;
	}
	fclose(f);
	return NM;
}

static int loop(int nconns)
{
	int ep = epoll_create1(0);
	conn *C = calloc((size_t)nconns, sizeof *C);
	int active = 0;
	for (int i = 0; i < nconns; i++) {
		C[i].fd = -1;
		C[i].kind = -1;
		if (conn_open(&C[i], ep) < 0) {
			fprintf(stderr, "connect failed\n");
			return -1;
		}
		active++;
		int r = next_request(&C[i]);
		if (r < 0) {
			conn_close(&C[i], ep);
			active--;
		}
		C[i].t0 = now_s();
	}
	struct epoll_event ev[512];
	while (active > 0) {
		int n = epoll_wait(ep, ev, 512, 5);
		for (int i = 0; i < n; i++)
			pump(ev[i].data.ptr, ep, &active);
		/* wake the paced connections that are due */
		double now = now_s();
		static int from; /* the scan starts one further each time: every connection gets slots */
		from = (from + 1) % nconns;
		for (int j = 0; j < nconns; j++) {
			conn *c = &C[(from + j) % nconns];
			if (c->fd < 0 || c->olen || c->wake > now)
				continue;
			int r = next_request(c);
			if (r < 0) {
				conn_close(c, ep);
				active--;
			} else if (r == 0) {
				c->t0 = now_s();
				pump(c, ep, &active);
			}
		}
	}
	close(ep);
	for (int i = 0; i < nconns; i++)
		free(C[i].in);
	free(C);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 7 && !strcmp(argv[1], "play")) {
		PLAY_MODE = 1;
		PORT = atoi(argv[2]);
		if (load_members(argv[3]) <= 0)
			return 2;
		for (int i = 0; i < NM; i++)
			M[i].session = 0;
		LECTURE = atoll(argv[4]);
		PLAY_OUT = fopen(argv[6], "w");
		/* the exam takers (given as a count in RUSH_EXAM_TAKERS, from the end) get no session */
		int takers = getenv("RUSH_EXAM_TAKERS") ? atoi(getenv("RUSH_EXAM_TAKERS")) : 0;
		for (int i = NM - takers; i < NM; i++)
			M[i].session = -1;
		double t0 = now_s();
		loop(atoi(argv[5]));
		for (int i = NM - takers; i < NM; i++)
			fprintf(PLAY_OUT, "%s 0\n", M[i].tok);
		fclose(PLAY_OUT);
		fprintf(stderr, "play: %zu sessions opened in %.1f s, %ld failed\n", S[K_PLAY].n - (size_t)S[K_PLAY].err,
			now_s() - t0, S[K_PLAY].err);
		return S[K_PLAY].err ? 1 : 0;
	}
	if (argc < 9 || strcmp(argv[1], "run")) {
		fprintf(stderr, "usage: rush play PORT MEMBERS LECTURE CONNS OUT\n"
				"       rush run PORT SESSIONS LECTURE QUIZ COURSES CONNS SECONDS\n");
		return 2;
	}
	PORT = atoi(argv[2]);
	if (load_members(argv[3]) <= 0)
		return 2;
	LECTURE = atoll(argv[4]);
	QUIZ = atoll(argv[5]);
	for (char *p = strtok(argv[6], ","); p && NCOURSES < 64; p = strtok(NULL, ","))
		COURSES[NCOURSES++] = atoll(p);
	int nconns = atoi(argv[7]);
	double secs = atof(argv[8]);
	NHB = 0;
	while (NHB < NM && M[NHB].session > 0)
		NHB++;
	if (NHB == 0 || NCOURSES == 0)
		return 2;
	RATE = getenv("RUSH_RATE") ? atof(getenv("RUSH_RATE")) : 0;
	srand(14);
	T_START = now_s();
	T_END = T_START + secs;
	loop(nconns);
	double el = now_s() - T_START;
	long errs = 0;
	printf("| kind | requests | per s | p50 ms | p99 ms | max ms | errors |\n| --- | --- | --- | --- | --- | --- | --- |\n");
	long total = 0;
	for (int k = K_HB; k < NK; k++) {
		kstat *s = &S[k];
		if (!s->n)
			continue;
		qsort(s->lat, s->n, sizeof *s->lat, cmp_d);
		total += (long)s->n;
		printf("| %s | %zu | %.0f | %.1f | %.1f | %.0f | %ld", KNAME[k], s->n, s->n / el, s->lat[s->n / 2] * 1e3,
		       s->lat[(size_t)(s->n * 0.99)] * 1e3, s->lat[s->n - 1] * 1e3, s->err);
		if (s->err)
			printf(" (last status %ld; no answer %ld, 4xx %ld, 5xx %ld)", s->last_bad, s->st[0], s->st[4], s->st[5]);
		printf(" |\n");
		errs += s->err;
	}
	printf("| all | %ld | %.0f | | | | %ld |\n", total, total / el, errs);
	printf("\n%d connections for %.1f s, %s; %d watching members (heartbeat sessions), %d exam takers; "
	       "heartbeat pacing waits %ld\n",
	       nconns, el, RATE > 0 ? "open load" : "closed loop (each connection sends its next request when answered)",
	       NHB, NM - NHB, PACED);
	if (RATE > 0)
		printf("offered: %.0f requests/s in all\n", RATE);
	if (RETRIED)
		printf("%ld requests sent again on a new connection (the server had closed the idle kept-alive one)\n", RETRIED);
	return errs ? 1 : 0;
}
