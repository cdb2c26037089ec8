/* exam_rush.c — the exam rush client for bench/exam.sh: every member (a "TOKEN USER_ID" line of the
 * tokens file) starts an attempt of the exam, saves SAVES answers one at a time (PUT
 * /api/v1/attempts/{id}/answers, one question each) and submits. Three phases with a barrier
 * between them, so each operation has its own rate and latency: all starts, then all saves, then all
 * submits. CONNS threads, each with one keep-alive connection, take members from a shared counter
 * (in a phase a connection drives one member's requests in order).
 *
 *   build/bench/exam_rush HOST PORT TOKENS QUIZ CONNS SAVES
 *
 * Prints one line per phase: "PHASE n=… secs=… rps=… p50_ms=… p99_ms=… max_ms=… errors=…" and fails
 * (exit 1) on any answer other than the expected status (201/200 start, 200 save, 200 submit). */
#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAXQ 64

typedef struct member {
	char tok[80];
	long long attempt;
	int nq;
	long long qid[MAXQ];
	char type[MAXQ]; /* 's' single/truefalse, 'm' multiple, 'f' fill */
} member;

static const char *g_host;
static int g_port, g_saves, g_conns;
static long long g_quiz;
static member *g_m;
static int g_n;
static atomic_int g_next, g_errors;
static pthread_barrier_t g_bar;

typedef struct lat {
	double *v;
	size_t n, cap;
} lat;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void lat_add(lat *l, double x)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 4096;
		l->v = realloc(l->v, l->cap * sizeof *l->v);
		if (!l->v)
			abort();
	}
	l->v[l->n++] = x;
}

typedef struct conn {
	int fd;
	char buf[1 << 16];
	size_t have;
} conn;

static int conn_open(conn *c)
{
	c->have = 0;
	c->fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)g_port)};
	inet_pton(AF_INET, g_host, &a.sin_addr);
	int one = 1;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	return connect(c->fd, (struct sockaddr *)&a, sizeof a);
}

/* One request on the keep-alive connection; the status, the body into *body (malloc'd). Reconnects
   once when the server closed the connection. */
static int http(conn *c, const char *method, const char *path, const char *tok, const char *body, char **out)
{
	char req[4096];
	size_t blen = body ? strlen(body) : 0;
	int n = snprintf(req, sizeof req,
			 "%s %s HTTP/1.1\r\nHost: %s:%d\r\nAuthorization: Bearer %s\r\n%sContent-Length: %zu\r\n\r\n%s",
			 method, path, g_host, g_port, tok, body ? "Content-Type: application/json\r\n" : "", blen,
			 body ? body : "");
	for (int tries = 0; tries < 2; tries++) {
		if (write(c->fd, req, (size_t)n) != n)
			goto again;
		c->have = 0;
		for (;;) {
			ssize_t r = read(c->fd, c->buf + c->have, sizeof c->buf - 1 - c->have);
			if (r <= 0)
				goto again;
			c->have += (size_t)r;
			c->buf[c->have] = 0;
			char *end = strstr(c->buf, "\r\n\r\n");
			if (!end)
				continue;
			char *cl = strcasestr(c->buf, "\r\nContent-Length:");
			size_t len = cl && cl < end ? strtoul(cl + 17, NULL, 10) : 0;
			size_t head = (size_t)(end + 4 - c->buf);
			if (c->have < head + len)
				continue;
			int status = atoi(c->buf + 9);
			if (out) {
				*out = malloc(len + 1);
				memcpy(*out, end + 4, len);
				(*out)[len] = 0;
			}
			return status;
		}
	again:
		close(c->fd);
		if (conn_open(c) < 0)
			return -1;
	}
	return -1;
}

static void start_one(conn *c, member *m, lat *l)
{
	char path[128], *body = NULL;
	snprintf(path, sizeof path, "/api/v1/quizzes/%lld/attempts", g_quiz);
	double t0 = now_s();
	int st = http(c, "POST", path, m->tok, NULL, &body);
	lat_add(l, now_s() - t0);
	json_t *j = body ? json_loads(body, 0, NULL) : NULL;
	if ((st != 201 && st != 200) || !j) {
		if (atomic_fetch_add(&g_errors, 1) < 5)
			fprintf(stderr, "start: %d %.200s\n", st, body ? body : "");
	} else {
		m->attempt = json_integer_value(json_object_get(j, "attempt_id"));
		size_t i;
		json_t *q;
		json_array_foreach (json_object_get(j, "questions"), i, q) {
			if (m->nq >= MAXQ)
				break;
			const char *t = json_string_value(json_object_get(q, "type"));
			m->qid[m->nq] = json_integer_value(json_object_get(q, "id"));
			m->type[m->nq++] = t && !strcmp(t, "fill") ? 'f' : t && !strcmp(t, "multiple") ? 'm' : 's';
		}
	}
	json_decref(j);
	free(body);
}

static void save_one(conn *c, member *m, int k, lat *l)
{
	if (!m->attempt || !m->nq)
		return;
	int i = k % m->nq;
	char path[128], body[160];
	snprintf(path, sizeof path, "/api/v1/attempts/%lld/answers", m->attempt);
	if (m->type[i] == 'f')
		snprintf(body, sizeof body, "{\"answers\":{\"%lld\":[\"答案%d\"]}}", m->qid[i], k);
	else
		snprintf(body, sizeof body, "{\"answers\":{\"%lld\":[%d]}}", m->qid[i], k & 1);
	double t0 = now_s();
	char *out = NULL;
	int st = http(c, "PUT", path, m->tok, body, &out);
	lat_add(l, now_s() - t0);
	if (st != 200 && atomic_fetch_add(&g_errors, 1) < 5)
		fprintf(stderr, "save: %d %.200s\n", st, out ? out : "");
	free(out);
}

static void submit_one(conn *c, member *m, lat *l)
{
	if (!m->attempt)
		return;
	char path[128], *out = NULL;
	snprintf(path, sizeof path, "/api/v1/attempts/%lld/submit", m->attempt);
	double t0 = now_s();
	int st = http(c, "POST", path, m->tok, "{}", &out);
	lat_add(l, now_s() - t0);
	if (st != 200 && atomic_fetch_add(&g_errors, 1) < 5)
		fprintf(stderr, "submit: %d %.200s\n", st, out ? out : "");
	free(out);
}

typedef struct worker {
	pthread_t th;
	lat l[3];
} worker;

static double g_t[4];

static void *work(void *p)
{
	worker *w = p;
	conn *c = malloc(sizeof *c);
	if (conn_open(c) < 0) {
		perror("connect");
		exit(1);
	}
	for (int phase = 0; phase < 3; phase++) {
		if (pthread_barrier_wait(&g_bar) == PTHREAD_BARRIER_SERIAL_THREAD) {
			g_t[phase] = now_s();
			atomic_store(&g_next, 0);
		}
		pthread_barrier_wait(&g_bar);
		int i;
		while ((i = atomic_fetch_add(&g_next, 1)) < g_n) {
			member *m = &g_m[i];
			if (phase == 0)
				start_one(c, m, &w->l[0]);
			else if (phase == 1)
				for (int k = 0; k < g_saves; k++)
					save_one(c, m, k, &w->l[1]);
			else
				submit_one(c, m, &w->l[2]);
		}
		if (pthread_barrier_wait(&g_bar) == PTHREAD_BARRIER_SERIAL_THREAD)
			g_t[phase + 1] = now_s();
	}
	close(c->fd);
	free(c);
	return NULL;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	if (argc != 7) {
		fprintf(stderr, "usage: exam_rush HOST PORT TOKENS QUIZ CONNS SAVES\n");
		return 2;
	}
	g_host = argv[1];
	g_port = atoi(argv[2]);
	g_quiz = atoll(argv[4]);
	g_conns = atoi(argv[5]);
	g_saves = atoi(argv[6]);
	FILE *f = fopen(argv[3], "r");
	if (!f) {
		perror(argv[3]);
		return 2;
	}
	char line[256];
	int cap = 1024;
	g_m = calloc((size_t)cap, sizeof *g_m);
	while (fgets(line, sizeof line, f)) {
		if (g_n == cap) {
			cap *= 2;
			g_m = realloc(g_m, (size_t)cap * sizeof *g_m);
			memset(g_m + g_n, 0, (size_t)(cap - g_n) * sizeof *g_m);
		}
		if (sscanf(line, "%79s", g_m[g_n].tok) == 1)
			g_n++;
	}
	fclose(f);
	pthread_barrier_init(&g_bar, NULL, (unsigned)g_conns);
	worker *w = calloc((size_t)g_conns, sizeof *w);
	for (int i = 0; i < g_conns; i++)
		pthread_create(&w[i].th, NULL, work, &w[i]);
	for (int i = 0; i < g_conns; i++)
		pthread_join(w[i].th, NULL);
	const char *names[3] = {"start", "save", "submit"};
	for (int p = 0; p < 3; p++) {
		lat all = {0};
		for (int i = 0; i < g_conns; i++)
			for (size_t k = 0; k < w[i].l[p].n; k++)
				lat_add(&all, w[i].l[p].v[k]);
		qsort(all.v, all.n, sizeof *all.v, cmp_d);
		double secs = g_t[p + 1] - g_t[p];
		double p50 = all.n ? all.v[all.n / 2] : 0, p99 = all.n ? all.v[(size_t)((double)all.n * 0.99)] : 0;
		double mx = all.n ? all.v[all.n - 1] : 0;
		printf("%s n=%zu secs=%.3f rps=%.0f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f\n", names[p], all.n, secs,
		       secs > 0 ? (double)all.n / secs : 0, p50 * 1e3, p99 * 1e3, mx * 1e3);
		free(all.v);
	}
	int e = atomic_load(&g_errors);
	printf("errors=%d\n", e);
	return e ? 1 : 0;
}
