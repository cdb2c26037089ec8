/* gen_ledger.c — the ledger of a generated academy for bench/reports.sh: ROWS rows per member
 * (users whose username starts with PREFIX), hash-chained exactly as the server chains them
 * (scoring/chain.c: chain_row_hash over the canonical encoding, prev = the previous row's hash,
 * 32 zero bytes first), the chain heads, and each member's yearly totals recomputed from those
 * rows (points, required and elective hours, courses completed), so that `dangxiao verify` passes.
 * One transaction; the rows are inserted in (member, seq) order.
 *
 *   build/bench/gen_ledger DB YEAR [ROWS=50] [PREFIX=bench]
 *
 * Each member gets 0–20 course_completed rows (0.5–4 credit hours each, a third of them required,
 * 5 points per hour: 0–80 h, a mix of every status late in the year) and study rows (1–10 points) for the rest, all dated inside YEAR. */
#include "scoring/chain.h"
#include "util.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void die(sqlite3 *db, const char *what)
{
	fprintf(stderr, "gen_ledger: %s: %s\n", what, sqlite3_errmsg(db));
	exit(1);
}

static uint64_t g_rng = 0x9E3779B97F4A7C15ull;
static uint32_t rnd(void)
{
	/* xorshift64*: fast and reproducible (the same database every run). */
	g_rng ^= g_rng >> 12;
	g_rng ^= g_rng << 25;
	g_rng ^= g_rng >> 27;
	return (uint32_t)((g_rng * 0x2545F4914F6CDD1Dull) >> 32);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: gen_ledger DB YEAR [ROWS] [PREFIX]\n");
		return 2;
	}
	const char *path = argv[1];
	int year = atoi(argv[2]);
	int per = argc > 3 ? atoi(argv[3]) : 50;
	const char *prefix = argc > 4 ? argv[4] : "bench";
	if (sodium_init() < 0 || year < 2000 || per < 1)
		return 2;
	sqlite3 *db;
	if (sqlite3_open(path, &db) != SQLITE_OK)
		die(db, "open");
	sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF; PRAGMA cache_size=-262144;", NULL, NULL, NULL);
	if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		die(db, "begin");
	sqlite3_stmt *users, *ins, *head, *tot;
	char like[64];
	snprintf(like, sizeof like, "%s%%", prefix);
	if (sqlite3_prepare_v2(db, "SELECT id FROM users WHERE username LIKE ? ORDER BY id", -1, &users, NULL) ||
	    sqlite3_prepare_v2(db,
			       "INSERT INTO ledger(user_id, seq, rule, points, ref, at, detail, prev, hash)"
			       " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
			       -1, &ins, NULL) ||
	    sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO ledger_heads(user_id, seq, hash, signed_seq) VALUES (?, ?, ?, 0)",
			       -1, &head, NULL) ||
	    sqlite3_prepare_v2(db,
			       "INSERT INTO score_totals(user_id, year, hours_required, hours_elective, study_s, points,"
			       " courses_completed, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0)"
			       " ON CONFLICT(user_id, year) DO UPDATE SET hours_required = ?3, hours_elective = ?4,"
			       " points = ?6, courses_completed = ?7",
			       -1, &tot, NULL))
		die(db, "prepare");
	sqlite3_bind_text(users, 1, like, -1, SQLITE_STATIC);
	/* Noon UTC on 2 January of YEAR (inside the academy's year in any timezone), then every 6 days
	   (50 rows: until late October). */
	struct tm tm = {.tm_year = year - 1900, .tm_mon = 0, .tm_mday = 2, .tm_hour = 12};
	int64_t t0 = (int64_t)timegm(&tm);
	int64_t step = (int64_t)(300 / per + 1) * 86400;
	if (step * per > 330 * 86400)
		step = 330 * 86400 / per;
	int64_t members = 0, rows = 0;
	clock_t c0 = clock();
	while (sqlite3_step(users) == SQLITE_ROW) {
		int64_t uid = sqlite3_column_int64(users, 0);
		unsigned char prev[CHAIN_HASH_BYTES];
		memcpy(prev, chain_genesis, sizeof prev);
		int courses = (int)(rnd() % 21);
		if (courses > per)
			courses = per;
		int64_t points = 0;
		double hreq = 0, hel = 0;
		for (int k = 1; k <= per; k++) {
			char ref[32], detail[96];
			ledger_row r = {.member_id = uid, .at = t0 + (k - 1) * step};
			if (k <= courses) {
				double h = 0.5 * (1 + rnd() % 8);
				int required = rnd() % 3 == 0;
				r.rule = "course_completed";
				r.points = (int64_t)(h * 5 + 0.5);
				snprintf(ref, sizeof ref, "%d", 900000 + k);
				snprintf(detail, sizeof detail, "{\"credit_hours\":%.1f,\"required\":%s}", h,
					 required ? "true" : "false");
				r.detail = detail;
				if (required)
					hreq += h;
				else
					hel += h;
			} else {
				r.rule = "study";
				r.points = 1 + rnd() % 10;
				snprintf(ref, sizeof ref, "%lld", (long long)(r.at / 86400));
				r.detail = NULL;
			}
			r.ref = ref;
			memcpy(r.prev, prev, sizeof prev);
			chain_row_hash(&r, r.hash);
			points += r.points;
			sqlite3_bind_int64(ins, 1, uid);
			sqlite3_bind_int64(ins, 2, k);
			sqlite3_bind_text(ins, 3, r.rule, -1, SQLITE_STATIC);
			sqlite3_bind_int64(ins, 4, r.points);
			sqlite3_bind_text(ins, 5, ref, -1, SQLITE_TRANSIENT);
			sqlite3_bind_int64(ins, 6, r.at);
			if (r.detail)
				sqlite3_bind_text(ins, 7, r.detail, -1, SQLITE_TRANSIENT);
			else
				sqlite3_bind_null(ins, 7);
			sqlite3_bind_blob(ins, 8, r.prev, CHAIN_HASH_BYTES, SQLITE_TRANSIENT);
			sqlite3_bind_blob(ins, 9, r.hash, CHAIN_HASH_BYTES, SQLITE_TRANSIENT);
			if (sqlite3_step(ins) != SQLITE_DONE)
				die(db, "insert ledger row");
			sqlite3_reset(ins);
			memcpy(prev, r.hash, sizeof prev);
			rows++;
		}
		sqlite3_bind_int64(head, 1, uid);
		sqlite3_bind_int64(head, 2, per);
		sqlite3_bind_blob(head, 3, prev, CHAIN_HASH_BYTES, SQLITE_TRANSIENT);
		if (sqlite3_step(head) != SQLITE_DONE)
			die(db, "insert head");
		sqlite3_reset(head);
		sqlite3_bind_int64(tot, 1, uid);
		sqlite3_bind_int64(tot, 2, year);
		sqlite3_bind_double(tot, 3, hreq);
		sqlite3_bind_double(tot, 4, hel);
		sqlite3_bind_double(tot, 5, (double)(rnd() % 200000));
		sqlite3_bind_int64(tot, 6, points);
		sqlite3_bind_int64(tot, 7, courses);
		if (sqlite3_step(tot) != SQLITE_DONE)
			die(db, "totals");
		sqlite3_reset(tot);
		members++;
	}
	sqlite3_finalize(users);
	sqlite3_finalize(ins);
	sqlite3_finalize(head);
	sqlite3_finalize(tot);
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		die(db, "commit");
	sqlite3_close(db);
	printf("gen_ledger: %lld members, %lld chained ledger rows (%.1f s CPU)\n", (long long)members, (long long)rows,
	       (double)(clock() - c0) / CLOCKS_PER_SEC);
	return 0;
}
