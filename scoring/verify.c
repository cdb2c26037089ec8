/* verify.c — `dangxiao verify --data DIR`: every signing run's signature, every member's chain
 * against its rows and its signed checkpoints, and the yearly totals against the ledger, in one
 * pass over the ledger (memory independent of its size); then the heads are signed again. */
#include "clock.h"
#include "db.h"
#include "scoring/ledger.h"
#include "util.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A member's year as the ledger adds it up. */
typedef struct year_sum {
	int year, seen;
	int64_t points, courses;
	double hours_required, hours_elective;
} year_sum;

/* The first difference between score_totals and the ledger. */
typedef struct mismatch {
	int64_t member;
	int year;
	const char *field;
	double ledger, totals;
} mismatch;

typedef struct walk {
	db_stmt rows_q, cps_q, tot_q;
	sqlite3_stmt *rows, *cps, *tot;
	int tot_have;                 /* tot holds the next score_totals row */
	int64_t member;               /* whose years are being summed (0: none yet) */
	year_sum years[32];
	int nyears;
	int year;                     /* cache of the academy year of [ys, ye) */
	int64_t ys, ye;
	mismatch mm;                  /* mm.field != NULL once one was found */
	int64_t member_years;
} walk;

static int year_cached(walk *w, int64_t at)
{
	if (!w->year || at < w->ys || at >= w->ye) {
		w->year = year_of(at);
		year_bounds(w->year, &w->ys, &w->ye);
	}
	return w->year;
}

static void differ(walk *w, int64_t member, int year, const char *field, double ledger, double totals)
{
	if (w->mm.field)
		return;
	w->mm = (mismatch){member, year, field, ledger, totals};
}

static void compare_year(walk *w, int64_t member, const year_sum *s, double hreq, double hel, int64_t points,
			 int64_t courses)
{
	if (s->points != points)
		differ(w, member, s->year, "points", (double)s->points, (double)points);
	else if (fabs(s->hours_required - hreq) > 1e-6)
		differ(w, member, s->year, "hours_required", s->hours_required, hreq);
	else if (fabs(s->hours_elective - hel) > 1e-6)
		differ(w, member, s->year, "hours_elective", s->hours_elective, hel);
	else if (s->courses != courses)
		differ(w, member, s->year, "courses_completed", (double)s->courses, (double)courses);
}

/* The totals rows of members before `upto` (they have no ledger rows: all must be zero) and
   those of the member whose rows were just summed (member == upto). */
static void totals_merge(walk *w, int64_t upto)
{
	while (w->tot_have) {
		int64_t m = sqlite3_column_int64(w->tot, 0);
		if (m > upto)
			break;
		int year = sqlite3_column_int(w->tot, 1);
		double hreq = sqlite3_column_double(w->tot, 2), hel = sqlite3_column_double(w->tot, 3);
		int64_t points = sqlite3_column_int64(w->tot, 4), courses = sqlite3_column_int64(w->tot, 5);
		year_sum zero = {.year = year}, *s = &zero;
		if (m == w->member)
			for (int i = 0; i < w->nyears; i++)
				if (w->years[i].year == year)
					s = &w->years[i];
		s->seen = 1;
		compare_year(w, m, s, hreq, hel, points, courses);
		w->member_years++;
		w->tot_have = db_step(w->tot) == 1;
	}
	/* Years the ledger has and the totals do not. */
	for (int i = 0; i < w->nyears; i++)
		if (!w->years[i].seen)
			compare_year(w, w->member, &w->years[i], 0, 0, 0, 0);
	w->nyears = 0;
}

static void sum_row(walk *w, const ledger_row *r)
{
	int year = year_cached(w, r->at);
	year_sum *s = NULL;
	for (int i = 0; i < w->nyears && !s; i++)
		if (w->years[i].year == year)
			s = &w->years[i];
	if (!s) {
		if (w->nyears == (int)(sizeof w->years / sizeof w->years[0]))
			return; /* 32 years of one member: the rest are not summed */
		s = &w->years[w->nyears++];
		*s = (year_sum){.year = year};
	}
	s->points += r->points;
	if (r->rule && !strcmp(r->rule, RULE_COURSE)) {
		json_t *d = r->detail ? json_loads(r->detail, 0, NULL) : NULL;
		double h = json_number_value(json_object_get(d, "credit_hours"));
		if (json_is_true(json_object_get(d, "required")))
			s->hours_required += h;
		else
			s->hours_elective += h;
		s->courses++;
		json_decref(d);
	}
}

static void blob32(sqlite3_stmt *st, int col, unsigned char out[CHAIN_HASH_BYTES])
{
	/* A blob of the wrong size (edited) reads as zeros: it then fails the hash comparison. */
	if (sqlite3_column_bytes(st, col) == CHAIN_HASH_BYTES)
		memcpy(out, sqlite3_column_blob(st, col), CHAIN_HASH_BYTES);
	else
		memset(out, 0, CHAIN_HASH_BYTES);
}

static int rows_next(void *ctx, ledger_row *out)
{
	walk *w = ctx;
	int rc = db_step(w->rows);
	if (rc < 0)
		return -1;
	if (rc == 0) {
		totals_merge(w, INT64_MAX);
		return 0;
	}
	int64_t m = sqlite3_column_int64(w->rows, 0);
	if (m != w->member) {
		if (w->member)
			totals_merge(w, w->member);
		totals_merge(w, m - 1); /* totals of members without rows */
		w->member = m;
	}
	ledger_row_read(w->rows, out);
	sum_row(w, out);
	return 1;
}

static int cps_next(void *ctx, chain_checkpoint *out)
{
	walk *w = ctx;
	int rc = db_step(w->cps);
	if (rc <= 0)
		return rc;
	ledger_cp_read(w->cps, out);
	return 1;
}

/* Every signing run, in id order: its checkpoints hashed and its signature checked. Returns 0,
   or 1 after printing the problem. */
static int check_runs(const unsigned char pk[32], int64_t *runs, int64_t *cps, FILE *err)
{
	db_stmt q;
	sqlite3_stmt *st = db_prepare(&q, "SELECT id, at, sig FROM ledger_batches ORDER BY id", NULL);
	int64_t expect = 1;
	int bad = 0;
	while (!bad && db_step(st) == 1) {
		int64_t id = sqlite3_column_int64(st, 0), at = sqlite3_column_int64(st, 1);
		unsigned char sig[CHAIN_SIG_BYTES] = {0};
		if (sqlite3_column_bytes(st, 2) == CHAIN_SIG_BYTES)
			memcpy(sig, sqlite3_column_blob(st, 2), CHAIN_SIG_BYTES);
		if (id != expect) {
			fprintf(err, "dangxiao verify: FAILED: signing run %lld is missing (deleted)\n", (long long)expect);
			bad = 1;
			break;
		}
		expect++;
		chain_batch b;
		chain_batch_begin(&b, id, at);
		db_stmt cq;
		sqlite3_stmt *c = db_prepare(&cq,
					     "SELECT user_id, count, head, at FROM ledger_checkpoints WHERE batch_id = ? "
					     "ORDER BY user_id",
					     "i", id);
		while (db_step(c) == 1) {
			chain_checkpoint cp = {.member_id = sqlite3_column_int64(c, 0), .count = sqlite3_column_int64(c, 1),
					       .at = sqlite3_column_int64(c, 3)};
			blob32(c, 2, cp.head);
			chain_batch_add(&b, &cp);
		}
		db_finalize(&cq);
		*cps += b.n;
		if (!chain_batch_verify(&b, sig, pk)) {
			fprintf(err,
				"dangxiao verify: FAILED: signing run %lld: bad_signature (its checkpoints were changed, added "
				"or removed, or it was not signed with %s)\n",
				(long long)id, CHAIN_KEY_FILE);
			bad = 1;
		}
		(*runs)++;
	}
	db_finalize(&q);
	if (!bad && db_int(0, "SELECT count(*) FROM ledger_checkpoints", NULL) != *cps) {
		fprintf(err, "dangxiao verify: FAILED: a checkpoint belongs to no signing run (added)\n");
		bad = 1;
	}
	return bad;
}

static void name_member(FILE *err, int64_t member)
{
	char *name = db_text("SELECT username FROM users WHERE id = ?", "i", member);
	fprintf(err, "member %lld (%s)", (long long)member, name ? name : "?");
	free(name);
}

static const char *verdict_text(chain_verdict v)
{
	switch (v) {
	case CV_TAMPERED: return "a field of the row was changed (its hash does not match)";
	case CV_BROKEN_LINK: return "the chain is broken before this row (a row was removed or moved)";
	case CV_CHECKPOINT: return "the chain was rewritten after it was signed (hashes recomputed)";
	case CV_TRUNCATED: return "rows that a signed checkpoint covers are missing (removed at the end)";
	case CV_BAD_SIGNATURE: return "a checkpoint's signature is not valid";
	case CV_ORDER: return "checkpoints out of order";
	default: return "the database could not be read";
	}
}

int ledger_verify(const char *data_dir, FILE *out, FILE *err)
{
	struct timespec w0, w1;
	clock_gettime(CLOCK_MONOTONIC, &w0);
	chain_key key;
	const char *why = NULL;
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", data_dir, CHAIN_KEY_FILE);
	int has_runs = db_exists("SELECT 1 FROM ledger_batches", NULL);
	int kr = has_runs ? chain_key_load(&key, path, &why) : chain_key_load_or_create(&key, data_dir, &why);
	if (kr < 0) {
		fprintf(err, "dangxiao verify: FAILED: the signing key %s cannot be used (%s)%s\n", path,
			why ? why : "key_io", has_runs ? ": the signatures cannot be checked" : "");
		return 1;
	}
	/* One read snapshot for runs, rows, checkpoints and totals: the server may write meanwhile. */
	if (db_exec_raw("BEGIN") < 0) {
		chain_key_wipe(&key);
		fprintf(err, "dangxiao verify: cannot read the database: %s\n", db_errmsg());
		return 1;
	}
	int64_t runs = 0, cps = 0;
	int bad = check_runs(key.pk, &runs, &cps, err);
	walk w = {0};
	chain_report rep = {0};
	if (!bad) {
		w.rows = db_prepare(&w.rows_q,
				    "SELECT user_id, seq, rule, points, ref, at, detail, prev, hash FROM ledger "
				    "ORDER BY user_id, seq",
				    NULL);
		w.cps = db_prepare(&w.cps_q, "SELECT user_id, count, head, at FROM ledger_checkpoints ORDER BY user_id, count",
				   NULL);
		w.tot = db_prepare(&w.tot_q,
				   "SELECT user_id, year, hours_required, hours_elective, points, courses_completed "
				   "FROM score_totals ORDER BY user_id, year",
				   NULL);
		w.tot_have = db_step(w.tot) == 1;
		/* The runs were authenticated above, so each checkpoint's own signature is not needed. */
		chain_verdict v = chain_verify(rows_next, &w, cps_next, &w, NULL, &rep);
		db_finalize(&w.rows_q);
		db_finalize(&w.cps_q);
		db_finalize(&w.tot_q);
		if (v != CV_OK) {
			fprintf(err, "dangxiao verify: FAILED: ");
			name_member(err, rep.member_id);
			/* Rows are named by their seq (row_id), else by their place in the chain. */
			long long row = rep.row_id > 0 ? rep.row_id : rep.index + 1;
			long long last = rep.last_row_id > 0 ? rep.last_row_id : rep.last_index + 1;
			if (v == CV_CHECKPOINT)
				fprintf(err, ", row %lld (rows %lld..%lld): %s: %s\n", row, row, last, chain_verdict_name(v),
					verdict_text(v));
			else
				fprintf(err, ", row %lld: %s: %s\n", row, chain_verdict_name(v), verdict_text(v));
			bad = 1;
		} else if (w.mm.field) {
			fprintf(err, "dangxiao verify: FAILED: ");
			name_member(err, w.mm.member);
			fprintf(err, ", year %d: score_totals.%s is %g but the ledger adds up to %g\n", w.mm.year,
				w.mm.field, w.mm.totals, w.mm.ledger);
			bad = 1;
		}
		if (!bad)
			bad = ledger_verify_others(out, err);
	}
	db_exec_raw("COMMIT");
	if (!bad) {
		clock_gettime(CLOCK_MONOTONIC, &w1);
		fprintf(out,
			"ledger ok: %lld members, %lld rows, %lld checkpoints in %lld signing runs, %lld member-years of "
			"totals (%.1f s)\n",
			(long long)rep.members, (long long)rep.rows, (long long)cps, (long long)runs,
			(long long)w.member_years,
			(double)(w1.tv_sec - w0.tv_sec) + (double)(w1.tv_nsec - w0.tv_nsec) / 1e9);
		int64_t n = ledger_sign_heads(&key, clock_secs());
		if (n < 0) {
			fprintf(err, "dangxiao verify: the chain heads could not be signed: %s\n", db_errmsg());
			bad = 1;
		} else if (n > 0)
			fprintf(out, "signed %lld chain heads\n", (long long)n);
	}
	chain_key_wipe(&key);
	return bad;
}
