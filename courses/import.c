/* import.c — a lecture source fetched from a URL with libcurl, in a background thread.
 *
 * Limits: http/https only (also after redirects), at most 5 redirects, cfg.upload_max bytes,
 * cfg.import_timeout_s seconds, and no connection to loopback, private, link-local or other
 * special addresses unless cfg.allow_private_urls: every socket curl opens is checked
 * (CURLOPT_OPENSOCKETFUNCTION), so a DNS name resolving to 127.0.0.1 or a redirect to one is
 * refused too. The download is probed like an upload, then queued. The state lives in memory
 * ({"state":"downloading"|"failed", …} in GET /api/v1/lectures/{id}); a restart forgets it.
 */
#include "auth.h"
#include "config.h"
#include "courses/access.h"
#include "courses/lectures.h"
#include "db.h"
#include "http.h"
#include "i18n.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_IMPORTS 8
#define URL_MAX 2048
#define FAILED_KEEP_S 3600 /* a failure stays visible to the instructor this long */

typedef struct imp {
	int64_t lecture;
	char url[URL_MAX + 1];
	char state[16]; /* downloading, failed */
	char error[700];
	volatile int cancel;
	int blocked;    /* a connection to a refused address was attempted */
	char blocked_ip[64];
	int too_big, write_errno;
	uint64_t received, total;
	time_t ended;
	int fd;
	char path[800];
	struct imp *next;
} imp;

static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_cv = PTHREAD_COND_INITIALIZER;
static imp *g_list;
static int g_live;     /* running threads */
static int g_stopping;

/* ---- addresses ---- */

static int v4_special(uint32_t a) /* host order */
{
	uint8_t b0 = a >> 24, b1 = (a >> 16) & 255;
	return b0 == 0 || b0 == 10 || b0 == 127 || (b0 == 100 && (b1 & 0xC0) == 64) || (b0 == 169 && b1 == 254) ||
	       (b0 == 172 && (b1 & 0xF0) == 16) || (b0 == 192 && b1 == 168) || (b0 == 192 && b1 == 0 && ((a >> 8) & 255) == 0) ||
	       (b0 == 198 && (b1 & 0xFE) == 18) || b0 >= 224;
}

static int v6_special(const uint8_t *s)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	static const uint8_t nat64[12] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
	static const uint8_t zero[12] = {0};
	if (!memcmp(s, mapped, 12) || !memcmp(s, nat64, 12) || !memcmp(s, zero, 12)) /* embedded IPv4, ::, ::1 */
		return v4_special((uint32_t)s[12] << 24 | (uint32_t)s[13] << 16 | (uint32_t)s[14] << 8 | s[15]) ||
		       !memcmp(s, zero, 12);
	if ((s[0] & 0xFE) == 0xFC || (s[0] == 0xFE && (s[1] & 0xC0) == 0x80) || s[0] == 0xFF)
		return 1; /* unique local, link-local, multicast */
	if (s[0] == 0x20 && s[1] == 0x02) /* 6to4 carries an IPv4 address */
		return v4_special((uint32_t)s[2] << 24 | (uint32_t)s[3] << 16 | (uint32_t)s[4] << 8 | s[5]);
	return 0;
}

/* 1 when the address may not be fetched from (loopback, private, link-local, …). */
static int addr_refused(const struct sockaddr *sa, char *txt, size_t n)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *a = (const void *)sa;
		inet_ntop(AF_INET, &a->sin_addr, txt, (socklen_t)n);
		return v4_special(ntohl(a->sin_addr.s_addr));
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const void *)sa;
		inet_ntop(AF_INET6, &a->sin6_addr, txt, (socklen_t)n);
		return v6_special(a->sin6_addr.s6_addr);
	}
	snprintf(txt, n, "?");
	return 1;
}

int import_host_refused(const char *host)
{
	char h[80];
	snprintf(h, sizeof h, "%s", host);
	size_t l = strlen(h);
	if (l > 1 && h[0] == '[' && h[l - 1] == ']') {
		memmove(h, h + 1, l - 2);
		h[l - 2] = 0;
	}
	struct in_addr a4;
	struct in6_addr a6;
	if (inet_pton(AF_INET, h, &a4) == 1)
		return v4_special(ntohl(a4.s_addr));
	if (inet_pton(AF_INET6, h, &a6) == 1)
		return v6_special(a6.s6_addr);
	/* Forms inet_pton does not take but resolvers and curl do (2130706433, 0x7f.1, 127.1). */
	if (inet_aton(h, &a4))
		return v4_special(ntohl(a4.s_addr));
	return 0;
}

/* ---- the download ---- */

static curl_socket_t open_socket(void *ud, curlsocktype purpose, struct curl_sockaddr *a)
{
	imp *im = ud;
	(void)purpose;
	char txt[64];
	if (!cfg.allow_private_urls && addr_refused(&a->addr, txt, sizeof txt)) {
		im->blocked = 1;
		snprintf(im->blocked_ip, sizeof im->blocked_ip, "%s", txt);
		return CURL_SOCKET_BAD;
	}
	return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

static size_t on_write(char *p, size_t sz, size_t nm, void *ud)
{
	imp *im = ud;
	size_t n = sz * nm;
	if (im->received + n > (uint64_t)cfg.upload_max) {
		im->too_big = 1;
		return 0;
	}
	if (write_all(im->fd, p, n) < 0) {
		im->write_errno = errno;
		return 0;
	}
	pthread_mutex_lock(&g_mu);
	im->received += n;
	pthread_mutex_unlock(&g_mu);
	return n;
}

static int on_xfer(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	imp *im = ud;
	(void)dlnow, (void)ultotal, (void)ulnow;
	if (dltotal > 0) {
		pthread_mutex_lock(&g_mu);
		im->total = (uint64_t)dltotal;
		pthread_mutex_unlock(&g_mu);
	}
	return im->cancel ? 1 : 0;
}

/* Runs curl; 0 when the file is complete, else -1 with the reason in err (Chinese, with detail). */
static int download(imp *im, char *err, size_t errlen)
{
	CURL *c = curl_easy_init();
	if (!c) {
		snprintf(err, errlen, "%s", tr("err.internal"));
		return -1;
	}
	char cerr[CURL_ERROR_SIZE] = "";
	curl_easy_setopt(c, CURLOPT_URL, im->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(c, CURLOPT_PROXY, ""); /* never via a proxy from the environment */
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, open_socket);
	curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, im);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)cfg.import_timeout_s);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 120L);
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)cfg.upload_max);
	curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, im);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_xfer);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, im);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "dangxiao-import/1");
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
	CURLcode rc = curl_easy_perform(c);
	long http = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &http);
	curl_easy_cleanup(c);
	if (rc == CURLE_OK)
		return 0;
	const char *detail = cerr[0] ? cerr : curl_easy_strerror(rc);
	if (im->blocked)
		snprintf(err, errlen, "%s（%s）", tr("err.import_private"), im->blocked_ip);
	else if (im->too_big || rc == CURLE_FILESIZE_EXCEEDED)
		snprintf(err, errlen, "%s（%.1f GiB）", tr("err.upload_too_large"),
			 (double)cfg.upload_max / (1 << 30));
	else if (im->write_errno == ENOSPC || im->write_errno == EDQUOT)
		snprintf(err, errlen, "%s", tr("err.disk_full"));
	else if (rc == CURLE_ABORTED_BY_CALLBACK)
		snprintf(err, errlen, "%s", tr("err.import_cancelled"));
	else if (rc == CURLE_OPERATION_TIMEDOUT)
		snprintf(err, errlen, "%s（%d s）", tr("err.import_timeout"), cfg.import_timeout_s);
	else if (rc == CURLE_TOO_MANY_REDIRECTS)
		snprintf(err, errlen, "%s", tr("err.import_redirects"));
	else if (rc == CURLE_HTTP_RETURNED_ERROR)
		snprintf(err, errlen, "%s（HTTP %ld）", tr("err.import_http"), http);
	else if (rc == CURLE_UNSUPPORTED_PROTOCOL)
		snprintf(err, errlen, "%s", tr("err.import_scheme"));
	else
		snprintf(err, errlen, "%s（%s）", tr("err.import_failed"), detail);
	return -1;
}

static void *import_main(void *arg)
{
	imp *im = arg;
	char err[700] = "";
	int ok = download(im, err, sizeof err) == 0;
	close(im->fd);
	im->fd = -1;
	if (ok && !im->cancel) {
		int status;
		const char *code;
		if (source_check(im->path, err, sizeof err, &status, &code) < 0) {
			ok = 0;
		} else if (source_accept(im->lecture, im->path) < 0) {
			snprintf(err, sizeof err, "%s", tr("err.internal"));
			ok = 0;
		}
	}
	if (!ok || im->cancel)
		unlink(im->path);
	db_close_thread();
	pthread_mutex_lock(&g_mu);
	im->ended = time(NULL);
	if (ok || im->cancel) {
		/* Done: the lecture's status tells the rest. */
		for (imp **p = &g_list; *p; p = &(*p)->next)
			if (*p == im) {
				*p = im->next;
				break;
			}
		free(im);
	} else {
		snprintf(im->error, sizeof im->error, "%s", err);
		snprintf(im->state, sizeof im->state, "failed");
	}
	g_live--;
	pthread_cond_broadcast(&g_cv);
	pthread_mutex_unlock(&g_mu);
	return NULL;
}

/* Drops failed entries that are old or belong to `lecture` (a new import replaces them). */
static void prune_locked(int64_t lecture)
{
	time_t now = time(NULL);
	for (imp **p = &g_list; *p;) {
		imp *im = *p;
		if (!strcmp(im->state, "failed") && (im->lecture == lecture || now - im->ended > FAILED_KEEP_S)) {
			*p = im->next;
			free(im);
		} else {
			p = &im->next;
		}
	}
}

json_t *import_json(int64_t lecture)
{
	json_t *j = NULL;
	pthread_mutex_lock(&g_mu);
	prune_locked(0);
	for (imp *im = g_list; im; im = im->next)
		if (im->lecture == lecture) {
			j = json_pack("{s:s,s:I,s:I,s:s}", "state", im->state, "received", (json_int_t)im->received, "total",
				      (json_int_t)im->total, "url", im->url);
			json_object_set_new(j, "error", im->error[0] ? json_string(im->error) : json_null());
			break;
		}
	pthread_mutex_unlock(&g_mu);
	return j;
}

int import_cancel(int64_t lecture)
{
	int n = 0;
	pthread_mutex_lock(&g_mu);
	for (imp *im = g_list; im; im = im->next)
		if (im->lecture == lecture && !strcmp(im->state, "downloading")) {
			im->cancel = 1;
			n++;
		}
	prune_locked(lecture);
	pthread_mutex_unlock(&g_mu);
	return n;
}

int imports_start(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

void imports_stop(void)
{
	pthread_mutex_lock(&g_mu);
	g_stopping = 1;
	for (imp *im = g_list; im; im = im->next)
		im->cancel = 1;
	while (g_live > 0)
		pthread_cond_wait(&g_cv, &g_mu);
	while (g_list) {
		imp *im = g_list;
		g_list = im->next;
		free(im);
	}
	pthread_mutex_unlock(&g_mu);
}

/* POST /api/v1/lectures/{id}/import {"url"} (lecture_edit) → 202 {"status":"downloading"} */
static int lecture_import(req *r)
{
	int64_t id = req_id(r, 0);
	const char *url;
	if (body_str(r, "url", 1, URL_MAX, &url) < 0)
		return 0;
	for (const char *p = url; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return reply_error(r, 422, "bad_url", "%s", tr("err.import_url"));
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL;
	int bad = curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
		  curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK;
	int scheme_ok = !bad && (!strcasecmp(scheme, "http") || !strcasecmp(scheme, "https"));
	if (scheme_ok)
		bad = curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK;
	int refused = !bad && scheme_ok && !cfg.allow_private_urls && import_host_refused(host);
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	if (bad)
		return reply_error(r, 422, "bad_url", "%s", tr("err.import_url"));
	if (!scheme_ok)
		return reply_error(r, 422, "bad_scheme", "%s", tr("err.import_scheme"));
	if (refused)
		return reply_error(r, 422, "private_address", "%s", tr("err.import_private"));

	pthread_mutex_lock(&g_mu);
	int busy = 0;
	for (imp *im = g_list; im; im = im->next)
		busy += !strcmp(im->state, "downloading") && im->lecture == id;
	if (busy || g_stopping || g_live >= MAX_IMPORTS) {
		pthread_mutex_unlock(&g_mu);
		return busy ? reply_error(r, 409, "import_running", "%s", tr("err.import_running"))
			    : reply_error(r, 429, "too_many_imports", "%s", tr("err.import_busy"));
	}
	prune_locked(id);
	imp *im = xcalloc(1, sizeof *im);
	im->lecture = id;
	snprintf(im->url, sizeof im->url, "%s", url);
	snprintf(im->state, sizeof im->state, "downloading");
	im->fd = uploads_create("imp", im->path, sizeof im->path);
	pthread_t th;
	pthread_attr_t at;
	pthread_attr_init(&at);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	if (im->fd < 0 || pthread_create(&th, &at, import_main, im) != 0) {
		pthread_attr_destroy(&at);
		if (im->fd >= 0) {
			close(im->fd);
			unlink(im->path);
		}
		free(im);
		pthread_mutex_unlock(&g_mu);
		return reply_error(r, 500, "internal", "%s", tr("err.storage"));
	}
	pthread_attr_destroy(&at);
	im->next = g_list;
	g_list = im;
	g_live++;
	pthread_mutex_unlock(&g_mu);
	return reply_json(r, 202, json_pack("{s:s,s:I}", "status", "downloading", "id", (json_int_t)id));
}

const route import_routes[] = {
	{.method = "POST", .pattern = "/api/v1/lectures/{id}/import", .fn = lecture_import, .roles = R_STAFF,
	 .flags = RF_JSON, .res = &lecture_edit},
	ROUTES_END,
};
