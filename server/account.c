/* account.c — every user's own account: change the password (the current one required), list
 * the sessions and end them. A session is named by the first 16 hex digits of its token's hash
 * (the token itself is never stored). */
#include "audit.h"
#include "auth.h"
#include "clock.h"
#include "db.h"
#include "http.h"
#include "i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SID_LEN 16

/* POST /api/v1/me/password {"current_password","new_password"} — a wrong current password counts
   as a failed login (the same throttle), so a stolen session cannot guess it. The user's other
   sessions end; this one stays. */
static int me_password(req *r)
{
	const char *cur = NULL, *pw = NULL;
	if (body_str(r, "current_password", 1, 4096, &cur) < 0 || body_str(r, "new_password", 1, 4096, &pw) < 0)
		return 0;
	const char *why = password_weak(pw);
	if (why)
		return reply_error(r, 422, strcmp(why, "err.weak_password") ? "password_too_long" : "weak_password", "%s",
				   tr(why));
	if (utf8_chars(cur) > PASSWORD_MAX_CHARS || strlen(cur) > PASSWORD_MAX_BYTES)
		return reply_error(r, 422, "wrong_password", "%s", tr("err.wrong_password"));
	char addr[64];
	client_address(r, addr);
	login_slot slot;
	int wait = login_attempt_begin(r->u->username, addr, clock_now(), &slot);
	if (wait) {
		char ra[24];
		snprintf(ra, sizeof ra, "%d", wait);
		reply_header(r, "Retry-After", ra);
		return reply_error(r, 429, "too_many_attempts", "%s", tr("err.password_wait"));
	}
	char *hash = db_text("SELECT pw_hash FROM users WHERE id = ?", "i", r->u->id);
	int ok = hash && password_check(cur, hash);
	int same = ok && password_check(pw, hash);
	free(hash);
	login_attempt_end(&slot, ok, clock_now(), NULL);
	if (!ok)
		return reply_error(r, 422, "wrong_password", "%s", tr("err.wrong_password"));
	if (same)
		return reply_error(r, 422, "same_password", "%s", tr("err.same_password"));
	char nh[128];
	if (password_hash(pw, nh) < 0)
		return reply_error(r, 500, "internal", "%s", tr("err.internal"));
	if (db_begin() < 0)
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	int ended = 0;
	if (db_exec("UPDATE users SET pw_hash = ?, must_change_pw = 0, version = version + 1, updated_at = ? WHERE id = ?",
		    "sii", nh, clock_secs(), r->u->id) < 0 ||
	    (ended = db_exec("DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?", "is", r->u->id,
			     r->session_hash)) < 0 ||
	    audit_json(r->u->id, "user.password_change", "user", r->u->id, json_pack("{s:i}", "sessions_ended", ended)) <
		    0) {
		db_rollback();
		return reply_error(r, 500, "internal", "%s", tr("err.internal"));
	}
	if (db_commit() < 0)
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	return reply_json(r, 200, json_pack("{s:i}", "sessions_ended", ended));
}

/* GET /api/v1/me/sessions — newest first; `current` marks the one asking. */
static int me_sessions(req *r)
{
	db_stmt q;
	sqlite3_stmt *st = db_prepare(&q,
				      "SELECT token_hash, created_at, expires_at, ip, user_agent FROM sessions"
				      " WHERE user_id = ? AND expires_at > ? ORDER BY created_at DESC, token_hash",
				      "ii", r->u->id, clock_secs());
	json_t *arr = json_array();
	while (db_step(st) == 1) {
		const char *h = db_col_text(st, 0);
		char c[24], e[24], sid[SID_LEN + 1];
		iso_time(sqlite3_column_int64(st, 1), c);
		iso_time(sqlite3_column_int64(st, 2), e);
		snprintf(sid, sizeof sid, "%s", h);
		json_array_append_new(arr, json_pack("{s:s,s:s,s:s,s:s,s:s,s:b}", "id", sid, "created_at", c, "expires_at", e,
						     "ip", db_col_text(st, 3), "user_agent", db_col_text(st, 4), "current",
						     r->session_hash && !strcmp(h, r->session_hash)));
	}
	db_finalize(&q);
	return reply_json(r, 200, json_pack("{s:o}", "sessions", arr));
}

/* session_mine: a live session of the caller, by its id (the route's {sid}); anyone else's, or
   none: 404. r->res is the token hash. */
static int session_mine_load(req *r, int64_t id, void **out)
{
	(void)id;
	const char *sid = r->nparams ? r->params[0] : "";
	if (strlen(sid) != SID_LEN || strspn(sid, "0123456789abcdef") != SID_LEN)
		return 404;
	char *h = db_text("SELECT token_hash FROM sessions WHERE user_id = ? AND substr(token_hash, 1, 16) = ?"
			  " AND expires_at > ?",
			  "isi", r->u->id, sid, clock_secs());
	if (!h)
		return 404;
	*out = arena_strdup(r->a, h);
	free(h);
	return 0;
}

const resource_kind session_mine = {
	.name = "session_mine", .load = session_mine_load, .missing = "err.session_missing",
	.forbidden = "err.session_missing",
};

/* DELETE /api/v1/me/sessions/{sid} (session_mine) — ends it (the current one too: that is a logout). */
static int me_session_end(req *r)
{
	db_exec("DELETE FROM sessions WHERE token_hash = ?", "s", (const char *)r->res);
	if (r->session_hash && !strcmp(r->session_hash, r->res))
		reply_header(r, "Set-Cookie", "dx_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax");
	return reply_empty(r, 204);
}

/* DELETE /api/v1/me/sessions — ends every session but the current one. → {"ended"} */
static int me_sessions_end_others(req *r)
{
	int n = db_exec("DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?", "is", r->u->id, r->session_hash);
	if (n < 0)
		return reply_error(r, 503, "busy", "%s", tr("err.busy"));
	return reply_json(r, 200, json_pack("{s:i}", "ended", n));
}

const route account_routes[] = {
	{.method = "POST", .pattern = "/api/v1/me/password", .fn = me_password, .roles = R_ANY, .flags = RF_JSON},
	{.method = "GET", .pattern = "/api/v1/me/sessions", .fn = me_sessions, .roles = R_ANY},
	{.method = "DELETE", .pattern = "/api/v1/me/sessions", .fn = me_sessions_end_others, .roles = R_ANY},
	{.method = "DELETE", .pattern = "/api/v1/me/sessions/{sid}", .fn = me_session_end, .roles = R_ANY,
	 .res = &session_mine},
	ROUTES_END,
};
