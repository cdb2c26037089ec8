/* auth.c — passwords, tokens, sessions and the session endpoints (login, logout, me). */
#include "auth.h"
#include "clock.h"
#include "db.h"
#include "i18n.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define SESSION_TTL (7 * 24 * 3600)
#define FAIL_WINDOW (15 * 60)
#define FAIL_LIMIT 5

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
	if (utf8_chars(pw) < 8)
		return "password must have at least 8 characters";
	if (strlen(pw) > 256)
		return "password is too long";
	return NULL;
}

user *session_lookup(req *r, const char *token)
{
	if (strlen(token) != 64)
		return NULL;
	char h[65];
	token_hash(token, h);
	sqlite3_stmt *st = db_query("SELECT u.id, u.username, u.name, u.role, u.org_id, o.path, s.csrf"
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
		r->session_hash = arena_strdup(r->a, h);
	}
	db_done(st);
	return u;
}

int login_throttled(const char *username)
{
	return db_int(0, "SELECT count(*) FROM login_failures WHERE username = ? AND at > ?", "si", username,
		      clock_secs() - FAIL_WINDOW) >= FAIL_LIMIT;
}

static json_t *user_json(int64_t id)
{
	sqlite3_stmt *st = db_query("SELECT u.id, u.username, u.name, u.role, u.org_id, o.name"
				    " FROM users u JOIN orgs o ON o.id = u.org_id WHERE u.id = ?",
				    "i", id);
	json_t *j = NULL;
	if (db_step(st) == 1)
		j = json_pack("{s:I,s:s,s:s,s:s,s:I,s:s}", "id", (json_int_t)sqlite3_column_int64(st, 0), "username",
			      db_col_text(st, 1), "name", db_col_text(st, 2), "role", db_col_text(st, 3), "org_id",
			      (json_int_t)sqlite3_column_int64(st, 4), "org_name", db_col_text(st, 5));
	db_done(st);
	return j;
}

/* POST /api/v1/session — log in. */
static int session_create(req *r)
{
	const char *username = NULL, *password = NULL;
	if (body_str(r, "username", 1, 64, &username) < 0 || body_str(r, "password", 1, 256, &password) < 0)
		return 0;
	if (login_throttled(username)) {
		reply_header(r, "Retry-After", "900");
		return reply_error(r, 429, "too_many_attempts", "%s", tr("err.login_throttled"));
	}
	sqlite3_stmt *st = db_query("SELECT id, pw_hash FROM users WHERE username = ? AND active = 1", "s", username);
	int64_t uid = 0;
	char *hash = NULL;
	if (db_step(st) == 1) {
		uid = sqlite3_column_int64(st, 0);
		hash = xstrdup(db_col_text(st, 1));
	}
	db_done(st);
	int ok = password_check(password, hash ? hash : g_dummy) && uid;
	free(hash);
	if (!ok) {
		db_exec("INSERT INTO login_failures(username, at) VALUES (?, ?)", "si", username, clock_secs());
		return reply_error(r, 401, "bad_credentials", "%s", tr("err.bad_credentials"));
	}
	db_exec("DELETE FROM login_failures WHERE username = ? OR at < ?", "si", username,
		clock_secs() - FAIL_WINDOW);
	char tok[65], h[65], csrf[65];
	token_new(tok);
	token_hash(tok, h);
	token_new(csrf);
	db_exec("DELETE FROM sessions WHERE expires_at < ?", "i", clock_secs());
	db_exec("INSERT INTO sessions(token_hash, user_id, csrf, created_at, expires_at) VALUES (?,?,?,?,?)", "sisii",
		h, uid, csrf, clock_secs(), clock_secs() + SESSION_TTL);
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
	json_t *j = json_pack("{s:I,s:s,s:s,s:s,s:I}", "id", (json_int_t)r->u->id, "username", r->u->username,
			      "name", r->u->name, "role", r->u->role_name, "org_id", (json_int_t)r->u->org_id);
	return reply_json(r, 200, j);
}

const route auth_routes[] = {
	{.method = "POST", .pattern = "/api/v1/session", .fn = session_create, .roles = R_PUBLIC,
	 .flags = RF_JSON | RF_NOCSRF | RF_SAMEORIGIN},
	{.method = "DELETE", .pattern = "/api/v1/session", .fn = session_delete, .roles = R_ANY},
	{.method = "GET", .pattern = "/api/v1/me", .fn = me_get, .roles = R_ANY},
	ROUTES_END,
};
