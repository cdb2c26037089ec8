/* outbox.c — reminders: building, queueing, delivering with retries, the weekly schedule (outbox.h). */
#include "scoring/outbox.h"
#include "clock.h"
#include "db.h"
#include "scoring/remind.h"
#include "scoring/report.h"
#include "util.h"

#include <curl/curl.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- building ---- */

typedef struct pick {
	size_t org;       /* index in the remind_org list */
	int risk;         /* 1 at_risk, 0 behind */
	size_t name;      /* offset in the pool */
} pick;

char *outbox_build(const char *path, int year, int64_t now, char **content)
{
	org_table t;
	if (org_table_load(&t, year) < 0)
		return NULL;
	/* Organisation labels relative to the reported root's parent ("第一党委/机关第一支部"). */
	size_t strip = 0;
	for (size_t i = 0; i < t.n; i++)
		if (!strcmp(t.v[i].path, path) && t.v[i].parent_id) {
			long p = org_table_find(&t, t.v[i].parent_id);
			if (p >= 0)
				strip = strlen(t.v[p].full_name) + 1;
		}
	report_filter f = { -1, NULL, 1 };
	report_cur c;
	report_open(&c, &t, path, now, &f);
	buf pool;
	buf_init(&pool);
	pick *picks = NULL;
	size_t np = 0, cap = 0, norgs = 0;
	const rep_org **orgs = NULL;
	report_row *w;
	int rc;
	while ((rc = report_next(&c, &w)) == 1) {
		if (w->st.status != ST_BEHIND && w->st.status != ST_AT_RISK)
			continue;
		report_row_names(&c, w);
		if (!norgs || orgs[norgs - 1] != w->org) {
			orgs = xrealloc(orgs, (norgs + 1) * sizeof *orgs);
			orgs[norgs++] = w->org;
		}
		if (np == cap)
			picks = xrealloc(picks, (cap = cap ? cap * 2 : 64) * sizeof *picks);
		picks[np++] = (pick){ norgs - 1, w->st.status == ST_AT_RISK, pool.len };
		buf_puts(&pool, w->name);
		buf_putc(&pool, 0);
	}
	report_close(&c);
	char *out = NULL;
	if (rc == 0) {
		remind_org *ro = xcalloc(norgs ? norgs : 1, sizeof *ro);
		const char **names = xmalloc((np ? np : 1) * sizeof *names);
		/* picks are grouped by organisation: per organisation, at-risk names then behind names. */
		size_t k = 0;
		for (size_t o = 0; o < norgs; o++) {
			const char *label = orgs[o]->full_name;
			ro[o].org = strlen(label) > strip ? label + strip : label;
			size_t start = k;
			for (size_t i = 0; i < np; i++)
				if (picks[i].org == o && picks[i].risk)
					names[k++] = pool.p + picks[i].name;
			ro[o].at_risk = names + start;
			ro[o].nat_risk = k - start;
			start = k;
			for (size_t i = 0; i < np; i++)
				if (picks[i].org == o && !picks[i].risk)
					names[k++] = pool.p + picks[i].name;
			ro[o].behind = names + start;
			ro[o].nbehind = k - start;
		}
		out = remind_message(year, ro, norgs, REMIND_CONTENT_MAX);
		free(names);
		free(ro);
	}
	if (out && content) {
		json_t *j = json_loads(out, 0, NULL);
		*content = xstrdup(j ? json_string_value(json_object_get(json_object_get(j, "text"), "content")) : "");
		json_decref(j);
	}
	free(picks);
	free(orgs);
	buf_free(&pool);
	org_table_free(&t);
	return out;
}

static char *setting_text(const char *key)
{
	return db_text("SELECT value FROM settings WHERE key = ?", "s", key);
}

int64_t outbox_insert(const char *kind, int64_t org_id, int year, int64_t now, int64_t actor, const char *dedup,
		      const char *msg)
{
	char *url = setting_text(SET_WEBHOOK);
	if (!url || !*url) {
		free(url);
		return -2;
	}
	int n = db_exec("INSERT INTO remind_outbox(kind, org_id, year, url, body, created_by, created_at, next_at, dedup)"
			" VALUES (?, nullif(?, 0), ?, ?, ?, nullif(?, 0), ?, ?, ?) ON CONFLICT(dedup) DO NOTHING",
			"siissiiis", kind, org_id, (int64_t)year, url, msg, actor, now, now, dedup);
	free(url);
	return n > 0 ? db_last_id() : n == 0 ? 0 : -1;
}

/* ---- delivering ---- */

static atomic_int g_stop;

static size_t discard(char *p, size_t sz, size_t n, void *ud)
{
	(void)p, (void)ud;
	return sz * n;
}

static int on_progress(void *ud, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d)
{
	(void)ud, (void)a, (void)b, (void)c, (void)d;
	return atomic_load(&g_stop) ? 1 : 0;   /* shutting down: give up this try (it is retried) */
}

/* POSTs body to url: the HTTP status, 0 when no answer came (refused, timed out); err gets why. */
static long post_json(const char *url, const char *body, char *err, size_t errn)
{
	CURL *c = curl_easy_init();
	if (!c) {
		snprintf(err, errn, "curl_easy_init");
		return 0;
	}
	char cerr[CURL_ERROR_SIZE] = "";
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json; charset=utf-8");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_PROXY, "");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 5L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "dangxiao-remind/1");
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
	CURLcode rc = curl_easy_perform(c);
	long status = 0;
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	snprintf(err, errn, "%s", rc == CURLE_OK ? "" : cerr[0] ? cerr : curl_easy_strerror(rc));
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return status;
}

typedef struct due {
	int64_t id;
	int attempts;
	char *url, *body;
} due;

int outbox_deliver_due(void)
{
	int64_t now = clock_secs();
	due d[16];
	int n = 0, delivered = 0;
	db_stmt q;
	sqlite3_stmt *st = db_prepare(&q, "SELECT id, attempts, url, body FROM remind_outbox WHERE state = 'pending'"
					  " AND next_at <= ? ORDER BY next_at, id LIMIT 16",
				      "i", now);
	while (n < 16 && db_step(st) == 1) {
		d[n].id = sqlite3_column_int64(st, 0);
		d[n].attempts = sqlite3_column_int(st, 1);
		d[n].url = xstrdup(db_col_text(st, 2));
		d[n].body = xstrdup(db_col_text(st, 3));
		n++;
	}
	db_finalize(&q);
	for (int i = 0; i < n; i++) {
		char err[CURL_ERROR_SIZE + 32] = "";
		long status = atomic_load(&g_stop) ? 0 : post_json(d[i].url, d[i].body, err, sizeof err);
		int64_t done_at = clock_secs();
		if (remind_delivered(status)) {
			db_exec("UPDATE remind_outbox SET state = 'sent', sent_at = ?, attempts = attempts + 1,"
				" last_status = ?, last_error = NULL WHERE id = ?",
				"iii", done_at, (int64_t)status, d[i].id);
			delivered++;
		} else {
			int attempt = d[i].attempts + 1;
			double u = (double)randombytes_uniform(1000000) / 1e6;
			if (!err[0])
				snprintf(err, sizeof err, "HTTP %ld", status);
			db_exec("UPDATE remind_outbox SET attempts = ?, next_at = ?, last_status = ?, last_error = ? WHERE id = ?",
				"iiisi", (int64_t)attempt, done_at + remind_backoff_s(attempt, u), (int64_t)status, err,
				d[i].id);
		}
		free(d[i].url);
		free(d[i].body);
	}
	return delivered;
}

/* ---- the weekly schedule ---- */

static int setting_int(const char *key, int lo, int hi, int dflt)
{
	char *v = setting_text(key);
	if (!v)
		return dflt;
	char *end;
	long x = strtol(v, &end, 10);
	int ok = end != v && !*end && x >= lo && x <= hi;
	free(v);
	return ok ? (int)x : dflt;
}

/* Queues this week's reminder of the whole academy once its day and hour have come: the key is
   the date of that day, so a restart or a second pass queues nothing more. */
static void weekly_check(void)
{
	int64_t now = clock_secs();
	time_t tt = (time_t)now;
	struct tm tm;
	localtime_r(&tt, &tm);   /* the academy's zone (clock.h sets TZ) */
	int wday = tm.tm_wday ? tm.tm_wday : 7;
	if (wday != setting_int(SET_WEEKDAY, 1, 7, 1) || tm.tm_hour < setting_int(SET_HOUR, 0, 23, 9))
		return;
	char day[11], key[32];
	day_of(now, day);
	snprintf(key, sizeof key, "weekly:%s", day);
	if (db_exists("SELECT 1 FROM remind_outbox WHERE dedup = ?", "s", key))
		return;
	char *url = setting_text(SET_WEBHOOK);
	int on = url && *url;
	free(url);
	if (!on)
		return;
	char *msg = outbox_build("/", year_of(now), now, NULL);
	if (msg)
		outbox_insert("weekly", 0, year_of(now), now, 0, key, msg);
	free(msg);
}

static dx_thread g_sender = DX_THREAD_INIT;

static void sender_main(dx_thread *t)
{
	do {
		weekly_check();
		outbox_deliver_due();
	} while (dx_thread_sleep(t, 1000));
	db_close_thread();
}

int outbox_start(void)
{
	atomic_store(&g_stop, 0);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return -1;
	return dx_thread_start(&g_sender, sender_main);
}

void outbox_stop(void)
{
	atomic_store(&g_stop, 1);
	dx_thread_stop(&g_sender);
	curl_global_cleanup();
}

void outbox_wake(void)
{
	dx_thread_wake(&g_sender);
}
