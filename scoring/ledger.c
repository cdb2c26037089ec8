/* ledger.c — the points ledger in the database: rules in force, appending to a member's hash
 * chain, and the signing runs over the chain heads (daily, and after `verify`). */
#include "scoring/ledger.h"
#include "clock.h"
#include "config.h"
#include "db.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

academy_day academy_day_of(int64_t t)
{
	/* Every award asks for the day of its event, nearly always today: each thread remembers the
	   last answer with the span of time it holds for (a local-time conversion costs more than
	   the rest of a study award's arithmetic). */
	static _Thread_local struct {
		int64_t from, to;
		academy_day d;
	} memo;
	if (t >= memo.from && t < memo.to)
		return memo.d;
	char s[11];
	academy_day d = {0};
	day_of(t, s);
	d.ymd = atoi(s) * 10000 + atoi(s + 5) * 100 + atoi(s + 8);
	d.year = atoi(s);
	if (rule_day_parse(s, &d.dayno) < 0)
		d.dayno = RULE_DAY_MIN; /* before 2000: the defaults apply */
	memo.from = t;
	memo.to = day_end(t);
	memo.d = d;
	return d;
}

/* The rules in force are read on every heartbeat: each thread keeps the last answer per code and
   day, valid while the generation below is unchanged. rules_changed() bumps it after an admin's
   change is committed (so no thread can cache the old version under the new generation), and
   the very next award reads the new version. Only the rules API writes point_rules. */
static _Atomic unsigned g_rules_gen = 1;

void rules_changed(void)
{
	g_rules_gen++;
}

#define RULE_CACHE 32
static _Thread_local struct {
	unsigned gen;
	int day;
	char code[RULE_CODE_MAX + 1];
	point_rule r;
} t_rules[RULE_CACHE];

static int rules_read(const char *code, int day, point_rule *out)
{
	/* The defaults first, then the admins' versions in the order they were written, so that
	   rule_in_force's "the later one wins on the same day" makes a correction replace the
	   version it corrects. */
	point_rule v[64];
	size_t n = 0;
	for (size_t i = 0; i < rule_ndefaults; i++)
		if (!strcmp(rule_defaults[i].code, code))
			v[n++] = rule_defaults[i];
	if (!n)
		return -1;
	db_stmt q;
	sqlite3_stmt *st = db_prepare(&q,
				      "SELECT points, daily_cap, effective_from FROM point_rules WHERE code = ? AND "
				      "effective_from <= ? ORDER BY effective_from DESC, id DESC LIMIT 63",
				      "si", code, (int64_t)day);
	size_t first = n;
	while (n < sizeof v / sizeof v[0] && db_step(st) == 1) {
		v[n] = v[0];
		v[n].points = sqlite3_column_int(st, 0);
		v[n].daily_cap = sqlite3_column_int(st, 1);
		v[n].effective_from = sqlite3_column_int(st, 2);
		n++;
	}
	db_finalize(&q);
	/* Read newest first (the LIMIT keeps the ones that matter); put them back in writing order. */
	for (size_t i = first, j = n - 1; i < j; i++, j--) {
		point_rule t = v[i];
		v[i] = v[j];
		v[j] = t;
	}
	const point_rule *r = rule_in_force(v, n, code, day);
	if (!r)
		return -1;
	*out = *r;
	return 0;
}

int rules_in_force(const char *code, int day, point_rule *out)
{
	unsigned gen = g_rules_gen;
	size_t slot = 0;
	for (const char *p = code; *p; p++)
		slot = slot * 31 + (unsigned char)*p;
	slot %= RULE_CACHE;
	if (t_rules[slot].gen == gen && t_rules[slot].day == day && !strcmp(t_rules[slot].code, code)) {
		*out = t_rules[slot].r;
		return 0;
	}
	if (rules_read(code, day, out) < 0)
		return -1;
	if (strlen(code) < sizeof t_rules[slot].code) {
		t_rules[slot].gen = gen;
		t_rules[slot].day = day;
		strcpy(t_rules[slot].code, code);
		t_rules[slot].r = *out;
	}
	return 0;
}

int ledger_append(const award *a)
{
	if (db_exists("SELECT 1 FROM ledger WHERE user_id = ? AND rule = ? AND ref = ?", "iss", a->user_id, a->rule,
		      a->ref))
		return 0;
	ledger_row row = {.member_id = a->user_id, .rule = a->rule, .points = a->points, .ref = a->ref,
			  .at = a->at, .detail = a->detail};
	int64_t seq = 0;
	memcpy(row.prev, chain_genesis, CHAIN_HASH_BYTES);
	sqlite3_stmt *st = db_query("SELECT seq, hash FROM ledger_heads WHERE user_id = ?", "i", a->user_id);
	int found = db_step(st);
	if (found == 1) {
		seq = sqlite3_column_int64(st, 0);
		if (sqlite3_column_bytes(st, 1) == CHAIN_HASH_BYTES)
			memcpy(row.prev, sqlite3_column_blob(st, 1), CHAIN_HASH_BYTES);
	}
	db_done(st);
	if (found < 0)
		return -1;
	chain_row_hash(&row, row.hash);
	if (db_exec("INSERT INTO ledger(user_id, seq, rule, points, ref, at, detail, prev, hash) "
		    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
		    "iisisisbb", a->user_id, seq + 1, a->rule, a->points, a->ref, a->at, a->detail, row.prev,
		    CHAIN_HASH_BYTES, row.hash, CHAIN_HASH_BYTES) != 1)
		return -1;
	if (db_exec("INSERT INTO ledger_heads(user_id, seq, hash) VALUES (?, ?, ?) "
		    "ON CONFLICT(user_id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
		    "iib", a->user_id, seq + 1, row.hash, CHAIN_HASH_BYTES) < 0)
		return -1;
	return 1;
}

/* ---- signing runs ---- */

int64_t ledger_sign_heads(const chain_key *k, int64_t at)
{
	if (db_begin() < 0)
		return -1;
	int64_t id = db_int(0, "SELECT ifnull(max(id), 0) + 1 FROM ledger_batches", NULL);
	chain_batch b;
	chain_batch_begin(&b, id, at);
	int bad = 0;
	db_stmt q;
	/* The head signed is the last row's hash as stored in the ledger itself (ledger_heads only
	   says which rows are new), so that an edited ledger_heads cannot get a false head signed. */
	sqlite3_stmt *st = db_prepare(&q,
				      "SELECT h.user_id, h.seq, l.hash FROM ledger_heads h "
				      "JOIN ledger l ON l.user_id = h.user_id AND l.seq = h.seq "
				      "WHERE h.seq > h.signed_seq ORDER BY h.user_id",
				      NULL);
	int rc;
	while ((rc = db_step(st)) == 1) {
		chain_checkpoint cp = {.member_id = sqlite3_column_int64(st, 0), .count = sqlite3_column_int64(st, 1),
				       .at = at};
		if (sqlite3_column_bytes(st, 2) == CHAIN_HASH_BYTES)
			memcpy(cp.head, sqlite3_column_blob(st, 2), CHAIN_HASH_BYTES);
		chain_batch_add(&b, &cp);
		if (db_exec("INSERT INTO ledger_checkpoints(user_id, count, head, at, batch_id) VALUES (?, ?, ?, ?, ?)",
			    "iibii", cp.member_id, cp.count, cp.head, CHAIN_HASH_BYTES, at, id) != 1 ||
		    db_exec("UPDATE ledger_heads SET signed_seq = ? WHERE user_id = ?", "ii", cp.count, cp.member_id) != 1) {
			bad = 1;
			break;
		}
	}
	db_finalize(&q);
	if (bad || rc < 0 || b.n == 0) {
		/* Nothing new (or a failure): no empty run is written. */
		db_rollback();
		return bad || rc < 0 ? -1 : 0;
	}
	int64_t n = b.n;
	unsigned char sig[CHAIN_SIG_BYTES];
	chain_batch_sign(&b, k, sig);
	if (db_exec("INSERT INTO ledger_batches(id, at, n, sig) VALUES (?, ?, ?, ?)", "iiib", id, at, n, sig,
		    CHAIN_SIG_BYTES) != 1) {
		db_rollback();
		return -1;
	}
	if (db_commit() < 0)
		return -1;
	return n;
}

/* ---- the daily signer ---- */

static dx_thread g_signer = DX_THREAD_INIT;
static chain_key g_key;

static void signer_main(dx_thread *t)
{
	int signed_day = 0;
	do {
		/* Once per academy day of the server's clock (a test clock moves it when told). The
		   check is a date comparison; the work runs once a day. */
		int64_t now = clock_secs();
		int today = academy_day_of(now).ymd;
		if (today != signed_day && ledger_sign_heads(&g_key, now) >= 0)
			signed_day = today;
	} while (dx_thread_sleep(t, 1000));
	db_close_thread();
}

int ledger_signer_start(void)
{
	const char *why = NULL;
	if (chain_key_load_or_create(&g_key, cfg.data, &why) < 0) {
		fprintf(stderr, "dangxiao: the ledger's signing key %s/%s cannot be used (%s)\n", cfg.data,
			CHAIN_KEY_FILE, why ? why : "key_io");
		return -1;
	}
	return dx_thread_start(&g_signer, signer_main);
}

void ledger_signer_stop(void)
{
	dx_thread_stop(&g_signer);
	chain_key_wipe(&g_key);
}

/* ---- one member's chain, checked on reading ---- */

typedef struct one_walk {
	sqlite3_stmt *rows, *cps;
	const char *rule, *ref;
	char *detail;
	int found;
} one_walk;

static void col32(sqlite3_stmt *st, int col, unsigned char out[CHAIN_HASH_BYTES])
{
	if (sqlite3_column_bytes(st, col) == CHAIN_HASH_BYTES)
		memcpy(out, sqlite3_column_blob(st, col), CHAIN_HASH_BYTES);
	else
		memset(out, 0, CHAIN_HASH_BYTES); /* edited to another size: fails the comparison */
}

void ledger_row_read(sqlite3_stmt *st, ledger_row *out)
{
	out->member_id = sqlite3_column_int64(st, 0);
	out->id = sqlite3_column_int64(st, 1);
	out->rule = (const char *)sqlite3_column_text(st, 2);
	out->points = sqlite3_column_int64(st, 3);
	out->ref = (const char *)sqlite3_column_text(st, 4);
	out->at = sqlite3_column_int64(st, 5);
	out->detail = (const char *)sqlite3_column_text(st, 6);
	col32(st, 7, out->prev);
	col32(st, 8, out->hash);
}

void ledger_cp_read(sqlite3_stmt *st, chain_checkpoint *out)
{
	out->member_id = sqlite3_column_int64(st, 0);
	out->count = sqlite3_column_int64(st, 1);
	col32(st, 2, out->head);
	out->at = sqlite3_column_int64(st, 3);
}

static int one_row(void *ctx, ledger_row *out)
{
	one_walk *w = ctx;
	int rc = db_step(w->rows);
	if (rc <= 0)
		return rc;
	ledger_row_read(w->rows, out);
	if (!w->found && out->rule && out->ref && !strcmp(out->rule, w->rule) && !strcmp(out->ref, w->ref)) {
		w->found = 1;
		w->detail = xstrdup(out->detail ? out->detail : "");
	}
	return 1;
}

static int one_cp(void *ctx, chain_checkpoint *out)
{
	one_walk *w = ctx;
	int rc = db_step(w->cps);
	if (rc <= 0)
		return rc;
	ledger_cp_read(w->cps, out);
	return 1;
}

int ledger_row_checked(int64_t user_id, const char *rule, const char *ref, char **detail)
{
	*detail = NULL;
	one_walk w = {.rule = rule, .ref = ref};
	db_stmt rq, cq;
	w.rows = db_prepare(&rq,
			    "SELECT user_id, seq, rule, points, ref, at, detail, prev, hash FROM ledger WHERE user_id = ?"
			    " ORDER BY seq",
			    "i", user_id);
	w.cps = db_prepare(&cq, "SELECT user_id, count, head, at FROM ledger_checkpoints WHERE user_id = ? ORDER BY count",
			   "i", user_id);
	chain_report rep;
	chain_verdict v = chain_verify(one_row, &w, one_cp, &w, NULL, &rep);
	db_finalize(&rq);
	db_finalize(&cq);
	/* The chain must also reach its recorded head: rows removed at the end of a chain not yet
	   signed leave ledger_heads ahead of the rows. */
	if (v == CV_OK && rep.rows != db_int(0, "SELECT seq FROM ledger_heads WHERE user_id = ?", "i", user_id))
		v = CV_TRUNCATED;
	if (v != CV_OK) {
		free(w.detail);
		return -1;
	}
	if (!w.found)
		return 0;
	*detail = w.detail;
	return 1;
}

static ledger_also_fn g_also[8];

void ledger_verify_also(ledger_also_fn fn)
{
	for (size_t i = 0; i < sizeof g_also / sizeof g_also[0]; i++)
		if (!g_also[i]) {
			g_also[i] = fn;
			return;
		}
	abort(); /* more than the table holds: a programming error */
}

int ledger_verify_others(FILE *out, FILE *err)
{
	for (size_t i = 0; i < sizeof g_also / sizeof g_also[0] && g_also[i]; i++)
		if (g_also[i](out, err))
			return 1;
	return 0;
}
