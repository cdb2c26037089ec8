/* auth.c — passwords, tokens, sessions and the session endpoints (login, logout, me). */
#include "auth.h"
#include "clock.h"
#include "config.h"
#include "db.h"
#include "events.h"
#include "i18n.h"
#include "people.h"

#include <arpa/inet.h>
#include <math.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define SESSION_TTL (7 * 24 * 3600)
/* Failures are forgotten after this long without one (and once any wait has passed). */
#define FAIL_WINDOW (15 * 60)

static int g_secure;

/* Argon2id cost: OWASP's minimum (m = 19 MiB, t = 2, p = 1): ~25 ms here, so a login stays quick
   and a bulk import of 1,000 members takes seconds, while offline guessing stays expensive. */
#define PW_OPS 2
#define PW_MEM (19u * 1024 * 1024)

/* A hash of a random password, checked against for unknown usernames so that the time of a
   failed login does not tell whether the user exists. */
static char g_dummy[128];

int auth_init(void)
{
	if (sodium_init() < 0)
		return -1;
	char pw[65];
	token_new(pw);
	return password_hash(pw, g_dummy);
}

void auth_set_secure_cookie(int on)
{
	g_secure = on;
}

int password_hash(const char *pw, char out[128])
{
	return crypto_pwhash_str(out, pw, strlen(pw), PW_OPS, PW_MEM) == 0 ? 0 : -1;
}

int password_check(const char *pw, const char *hash)
{
	return crypto_pwhash_str_verify(hash, pw, strlen(pw)) == 0;
}

void token_new(char out[65])
{
	unsigned char raw[32];
	randombytes_buf(raw, sizeof raw);
	hex_encode(raw, sizeof raw, out);
}

void token_hash(const char *token, char out[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, (const unsigned char *)token, strlen(token));
	hex_encode(h, sizeof h, out);
}

const char *password_weak(const char *pw)
{
	if (utf8_chars(pw) < PASSWORD_MIN_CHARS)
		return "err.weak_password";
	if (utf8_chars(pw) > PASSWORD_MAX_CHARS || strlen(pw) > PASSWORD_MAX_BYTES)
		return "err.password_too_long";
	return NULL;
}

/* The characters of one decoding round: a single leading "/", nothing a browser would strip or
   read as a slash ("/\\evil", "/\t/evil" both leave the site), valid UTF-8. */
static int next_chars_ok(const char *s)
{
	if (s[0] != '/' || s[1] == '/' || s[1] == '\\')
		return 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p <= 0x20 || *p == 0x7f || *p == '\\')
			return 0;
	return utf8_ok(s, strlen(s));
}

static int hexval(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

int login_next_ok(const char *next)
{
	if (!next || strlen(next) > 2048)
		return 0;
	char *cur = xstrdup(next);
	int ok = 0;
	/* Check, decode, check again: until decoding changes nothing (a few rounds at most). */
	for (int round = 0; round < 4; round++) {
		if (!next_chars_ok(cur))
			break;
		char *d = xmalloc(strlen(cur) + 1), *o = d;
		for (const char *p = cur; *p; p++) {
			int hi, lo;
			if (*p == '%' && (hi = hexval(p[1])) >= 0 && (lo = hexval(p[2])) >= 0) {
				*o++ = (char)(hi * 16 + lo);
				p += 2;
			} else {
				*o++ = *p;
			}
		}
		*o = 0;
		int same = !strcmp(d, cur);
		free(cur);
		cur = d;
		if (same) {
			ok = 1;
			break;
		}
	}
	free(cur);
	return ok;
}

user *session_lookup(req *r, const char *token)
{
	if (strlen(token) != 64)
		return NULL;
	char h[65];
	token_hash(token, h);
	sqlite3_stmt *st = db_query("SELECT u.id, u.username, u.name, u.role, u.org_id, o.path, s.csrf, u.must_change_pw"
				    " FROM sessions s JOIN users u ON u.id = s.user_id"
				    " JOIN orgs o ON o.id = u.org_id"
				    " WHERE s.token_hash = ? AND s.expires_at > ? AND u.active = 1",
				    "si", h, clock_secs());
	user *u = NULL;
	if (db_step(st) == 1) {
		u = arena_alloc(r->a, sizeof *u);
		u->id = sqlite3_column_int64(st, 0);
		u->username = arena_strdup(r->a, db_col_text(st, 1));
		u->name = arena_strdup(r->a, db_col_text(st, 2));
		u->role_name = arena_strdup(r->a, db_col_text(st, 3));
		u->role = role_from_name(u->role_name);
		u->org_id = sqlite3_column_int64(st, 4);
		u->org_path = arena_strdup(r->a, db_col_text(st, 5));
		u->csrf = arena_strdup(r->a, db_col_text(st, 6));
		u->must_change_pw = sqlite3_column_int(st, 7);
		r->session_hash = arena_strdup(r->a, h);
	}
	db_done(st);
	return u;
}

/* ---- login throttling ----
   Three counters of wrong passwords, in memory under one mutex: per (username, address), per
   address (any usernames: spraying), per username (any addresses: a distributed guess). Each has
   free tries; past them every failure makes that counter wait, the wait doubling up to a cap. A
   wrong guess is counted before its password is checked (as "pending"), so concurrent guesses can
   never exceed the free tries: past them, only one attempt at a time is checked, after the wait.
   A correct password clears its username's counters; the address counter only decays, so that
   one known account cannot be used to reset a spraying address. Counters live in memory: a
   restart forgets them (the waits are minutes, not a record). */
typedef struct thr_ent {
	char *key;
	int fails, pending;
	double locked_until, last;
	struct thr_ent *next;
} thr_ent;
#define THR_BUCKETS 4096
#define THR_MAX 200000
static thr_ent *g_thr[THR_BUCKETS];
static int g_thr_n;
static pthread_mutex_t g_thr_mu = PTHREAD_MUTEX_INITIALIZER;

/* The (free tries, cap of the wait) of counter kind k: 0 pair, 1 address, 2 username. The
   username counter waits at most twice the first wait, so an attack on one account from many
   addresses delays its real owner by a minute at most, never locks them out. */
static void thr_rule(int k, int *free_tries, double *cap)
{
	*free_tries = k == 0 ? cfg.login_free_tries : cfg.login_addr_free_tries;
	*cap = cfg.login_delay_max_s;
	if (k == 2 && *cap > 2.0 * cfg.login_delay_s)
		*cap = 2.0 * cfg.login_delay_s;
}

double login_delay(int over, double cap)
{
	double d = cfg.login_delay_s;
	for (int i = 0; i < over && d < cap; i++)
		d *= 2;
	return d < cap ? d : cap;
}

static unsigned thr_hashkey(const char *s)
{
	unsigned h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h % THR_BUCKETS;
}

/* An entry is stale once its wait is over and no failure came for FAIL_WINDOW. */
static int thr_stale(const thr_ent *e, double now)
{
	return !e->pending && now >= e->locked_until && now - e->last >= FAIL_WINDOW;
}

/* Drops stale entries; when still full, also the ones not waiting (the table stays bounded). */
static void thr_sweep(double now, int hard)
{
	for (int b = 0; b < THR_BUCKETS; b++)
		for (thr_ent **pp = &g_thr[b]; *pp;) {
			thr_ent *e = *pp;
			if (thr_stale(e, now) || (hard && !e->pending && now >= e->locked_until)) {
				*pp = e->next;
				free(e->key);
				free(e);
				g_thr_n--;
			} else {
				pp = &e->next;
			}
		}
}

static thr_ent *thr_get(const char *key, double now)
{
	unsigned b = thr_hashkey(key);
	for (thr_ent *e = g_thr[b]; e; e = e->next)
		if (!strcmp(e->key, key)) {
			if (thr_stale(e, now))
				e->fails = 0;
			return e;
		}
	if (g_thr_n >= THR_MAX) {
		thr_sweep(now, 0);
		if (g_thr_n >= THR_MAX)
			thr_sweep(now, 1);
	}
	thr_ent *e = xcalloc(1, sizeof *e);
	e->key = xstrdup(key);
	e->next = g_thr[b];
	g_thr[b] = e;
	g_thr_n++;
	return e;
}

static char *key_printf(const char *fmt, ...) DX_PRINTF(1, 2);
static char *key_printf(const char *fmt, ...)
{
	buf b;
	buf_init(&b);
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	return buf_steal(&b);
}

int login_attempt_begin(const char *username, const char *addr, double now, login_slot *s)
{
	char *keys[3];
	keys[0] = key_printf("p\x1f%s\x1f%s", username, addr);
	keys[1] = key_printf("a\x1f%s", addr);
	keys[2] = key_printf("u\x1f%s", username);
	pthread_mutex_lock(&g_thr_mu);
	double wait = 0;
	for (int k = 0; k < 3; k++) {
		thr_ent *e = s->e[k] = thr_get(keys[k], now);
		int free_tries;
		double cap;
		thr_rule(k, &free_tries, &cap);
		double w = e->locked_until - now;
		/* Past the free tries only one attempt at a time, after the wait. */
		if (w <= 0 && e->fails + e->pending >= free_tries && e->pending)
			w = 1;
		if (w > wait)
			wait = w;
	}
	if (wait <= 0)
		for (int k = 0; k < 3; k++)
			s->e[k]->pending++;
	pthread_mutex_unlock(&g_thr_mu);
	for (int k = 0; k < 3; k++)
		free(keys[k]);
	return wait <= 0 ? 0 : (int)ceil(wait);
}

int login_attempt_end(login_slot *s, int ok, double now, int *wait)
{
	int left = 1 << 30;
	double w = 0;
	pthread_mutex_lock(&g_thr_mu);
	for (int k = 0; k < 3; k++) {
		thr_ent *e = s->e[k];
		int free_tries;
		double cap;
		thr_rule(k, &free_tries, &cap);
		e->pending--;
		if (ok) {
			if (k != 1) {
				e->fails = 0;
				e->locked_until = 0;
			}
			continue;
		}
		e->fails++;
		e->last = now;
		if (e->fails >= free_tries) {
			double until = now + login_delay(e->fails - free_tries, cap);
			if (until > e->locked_until)
				e->locked_until = until;
		}
		int l = free_tries - e->fails;
		if (l < left)
			left = l;
		if (e->locked_until - now > w)
			w = e->locked_until - now;
	}
	pthread_mutex_unlock(&g_thr_mu);
	if (wait)
		*wait = (int)ceil(w);
	return ok ? 0 : (left < 0 ? 0 : left);
}

void login_throttle_reset(void)
{
	pthread_mutex_lock(&g_thr_mu);
	thr_sweep(1e300, 1);
	pthread_mutex_unlock(&g_thr_mu);
}

/* One /64 is one client: an IPv6 host owns all of its prefix. */
static void addr_v6(struct in6_addr a, char out[64])
{
	memset(a.s6_addr + 8, 0, 8);
	inet_ntop(AF_INET6, &a, out, 64);
}

/* 1 when addr is one of the comma-separated addresses of the trusted_proxy setting. */
static int is_trusted_proxy(const char *addr)
{
	size_t al = strlen(addr);
	for (const char *p = cfg.trusted_proxy; *p;) {
		while (*p == ' ' || *p == ',')
			p++;
		size_t l = strcspn(p, ", ");
		if (l && l == al && !strncmp(p, addr, l))
			return 1;
		p += l;
	}
	return 0;
}

/* The client's address: the TCP peer, or behind a proxy named by trusted_proxy, the address
   that proxy puts in X-Real-IP (a header from anyone else is ignored: clients cannot choose it). */
void client_address(req *r, char out[64])
{
	snprintf(out, 64, "unknown");
	if (!r->conn)
		return;
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (!ci || !ci->client_addr)
		return;
	const struct sockaddr *sa = ci->client_addr;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, 64);
	else if (sa->sa_family == AF_INET6)
		addr_v6(((const struct sockaddr_in6 *)sa)->sin6_addr, out);
	if (!cfg.trusted_proxy[0] || !is_trusted_proxy(out))
		return;
	const char *real = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "X-Real-IP");
	struct in_addr a4;
	struct in6_addr a6;
	if (real && inet_pton(AF_INET, real, &a4) == 1)
		inet_ntop(AF_INET, &a4, out, 64);
	else if (real && inet_pton(AF_INET6, real, &a6) == 1)
		addr_v6(a6, out);
}

/* A catalog string with "{n}" replaced by n, in r's arena. */
static const char *tr_n(req *r, const char *key, int n)
{
	const char *t = tr(key);
	const char *p = strstr(t, "{n}");
	if (!p)
		return t;
	return arena_printf(r->a, "%.*s%d%s", (int)(p - t), t, n, p + 3);
}

static json_t *user_json(int64_t id)
{
	sqlite3_stmt *st = db_query("SELECT u.id, u.username, u.name, u.role, u.org_id, o.name, u.must_change_pw"
				    " FROM users u JOIN orgs o ON o.id = u.org_id WHERE u.id = ?",
				    "i", id);
	json_t *j = NULL;
	if (db_step(st) == 1)
		j = json_pack("{s:I,s:s,s:s,s:s,s:I,s:s,s:b}", "id", (json_int_t)sqlite3_column_int64(st, 0), "username",
			      db_col_text(st, 1), "name", db_col_text(st, 2), "role", db_col_text(st, 3), "org_id",
			      (json_int_t)sqlite3_column_int64(st, 4), "org_name", db_col_text(st, 5),
			      "must_change_password", sqlite3_column_int(st, 6));
	db_done(st);
	return j;
}

/* Refuses a login attempt that must wait: 429 with Retry-After and the wait in the answer. */
static int reply_wait(req *r, int wait)
{
	char ra[24];
	snprintf(ra, sizeof ra, "%d", wait);
	reply_header(r, "Retry-After", ra);
	return reply_json(r, 429, json_pack("{s:{s:s,s:s,s:i}}", "error", "code", "too_many_attempts", "message",
					    tr_n(r, "err.login_wait", wait), "retry_after", wait));
}

/* POST /api/v1/session — log in. Usernames are compared trimmed and case-insensitively. */
static int session_create(req *r)
{
	const char *uname = NULL, *password = NULL;
	if (body_str(r, "username", 1, 64, &uname) < 0 || body_str(r, "password", 1, 4096, &password) < 0)
		return 0;
	if (utf8_chars(password) > PASSWORD_MAX_CHARS || strlen(password) > PASSWORD_MAX_BYTES)
		return reply_error(r, 422, "password_too_long", "%s", tr("err.password_too_long"));
	char *username = username_norm(uname);
	char addr[64];
	client_address(r, addr);
	login_slot slot;
	int wait = login_attempt_begin(username, addr, clock_now(), &slot);
	if (wait) {
		free(username);
		return reply_wait(r, wait);
	}
	sqlite3_stmt *st = db_query("SELECT id, pw_hash FROM users WHERE username = ? AND active = 1", "s", username);
	int64_t uid = 0;
	char *hash = NULL;
	if (db_step(st) == 1) {
		uid = sqlite3_column_int64(st, 0);
		hash = xstrdup(db_col_text(st, 1));
	}
	db_done(st);
	free(username);
	int ok = password_check(password, hash ? hash : g_dummy) && uid;
	free(hash);
	int left = login_attempt_end(&slot, ok, clock_now(), &wait);
	if (!ok) {
		if (!left) {
			char ra[24];
			snprintf(ra, sizeof ra, "%d", wait);
			reply_header(r, "Retry-After", ra);
		}
		const char *msg = left ? tr_n(r, "err.bad_credentials_left", left) : tr_n(r, "err.bad_credentials_wait", wait);
		json_t *e = json_pack("{s:s,s:s,s:i}", "code", "bad_credentials", "message", msg, "tries_left", left);
		if (!left)
			json_object_set_new(e, "retry_after", json_integer(wait));
		return reply_json(r, 401, json_pack("{s:o}", "error", e));
	}
	char tok[65], h[65], csrf[65];
	token_new(tok);
	token_hash(tok, h);
	token_new(csrf);
	db_exec("DELETE FROM sessions WHERE expires_at < ?", "i", clock_secs());
	/* The session and the day's "login" event (scoring's daily-login points) in one transaction. */
	int64_t now = clock_secs();
	char day[11];
	day_of(now, day);
	dx_event ev = {.user_id = uid, .kind = "login", .ref = atoll(day) * 10000 + atoll(day + 5) * 100 + atoll(day + 8),
		       .at = now};
	if (db_begin() < 0)
		return reply_error(r, 503, "busy", "%s", tr("err.internal"));
	/* The address and browser, for the user's own list of sessions (bounded, valid UTF-8). */
	buf ua;
	buf_init(&ua);
	const char *agent = req_header(r, "User-Agent");
	utf8_clean(&ua, agent ? agent : "", 300);
	const char *ua_text = arena_strdup(r->a, ua.p ? ua.p : "");
	buf_free(&ua);
	if (db_exec("INSERT INTO sessions(token_hash, user_id, csrf, created_at, expires_at, ip, user_agent)"
		    " VALUES (?,?,?,?,?,?,?)",
		    "sisiiss", h, uid, csrf, now, now + SESSION_TTL, addr, ua_text) < 0 ||
	    event_emit(&ev) < 0) {
		db_rollback();
		return reply_error(r, 500, "internal", "%s", tr("err.internal"));
	}
	if (db_commit() < 0)
		return reply_error(r, 500, "internal", "%s", tr("err.internal"));
	char cookie[200];
	snprintf(cookie, sizeof cookie, "dx_session=%s; Path=/; Max-Age=%d; HttpOnly; SameSite=Lax%s", tok,
		 SESSION_TTL, g_secure ? "; Secure" : "");
	reply_header(r, "Set-Cookie", cookie);
	return reply_json(r, 200, json_pack("{s:s,s:s,s:o}", "token", tok, "csrf_token", csrf, "user", user_json(uid)));
}

/* DELETE /api/v1/session — log out (this session only). */
static int session_delete(req *r)
{
	db_exec("DELETE FROM sessions WHERE token_hash = ?", "s", r->session_hash);
	reply_header(r, "Set-Cookie", "dx_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax");
	return reply_empty(r, 204);
}

/* GET /api/v1/me — the logged-in user. */
static int me_get(req *r)
{
	json_t *j = json_pack("{s:I,s:s,s:s,s:s,s:I,s:b}", "id", (json_int_t)r->u->id, "username", r->u->username,
			      "name", r->u->name, "role", r->u->role_name, "org_id", (json_int_t)r->u->org_id,
			      "must_change_password", r->u->must_change_pw);
	return reply_json(r, 200, j);
}

const route auth_routes[] = {
	{.method = "POST", .pattern = "/api/v1/session", .fn = session_create, .roles = R_PUBLIC,
	 .flags = RF_JSON | RF_NOCSRF | RF_SAMEORIGIN},
	{.method = "DELETE", .pattern = "/api/v1/session", .fn = session_delete, .roles = R_ANY},
	{.method = "GET", .pattern = "/api/v1/me", .fn = me_get, .roles = R_ANY},
	ROUTES_END,
};
