/* test_scoring.c — cmocka unit tests for scoring/: point rules, ledger chain and checkpoints,
   projections and requirements, CSV/XLSX export, SVG charts, reminders and their retries. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csv.h"
#include "i18n.h"
#include "util.h"
#include "scoring/chain.h"
#include "scoring/chart.h"
#include "scoring/export.h"
#include "scoring/project.h"
#include "scoring/remind.h"
#include "scoring/rules.h"

/* ------------------------------------------------------------------ helpers */

/* Runs a shell command and returns its stdout (malloc'd), asserting exit status 0. */
static char *run_capture(const char *cmd)
{
	FILE *f = popen(cmd, "r");
	assert_non_null(f);
	buf b;
	buf_init(&b);
	char tmp[4096];
	size_t n;
	while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
		buf_add(&b, tmp, n);
	int st = pclose(f);
	if (st != 0)
		fail_msg("command failed (%d): %s", st, cmd);
	return buf_steal(&b);
}

/* A fresh private folder under /tmp (removed by the caller with rm_rf). */
static char *temp_dir(void)
{
	char *d = xstrdup("/tmp/dx-scoring-XXXXXX");
	assert_non_null(mkdtemp(d));
	return d;
}

static int day_of(const char *ymd)
{
	int d = 0;
	assert_int_equal(rule_day_parse(ymd, &d), 0);
	return d;
}

/* ------------------------------------------------------------------ rules */

static void test_rule_defaults(void **state)
{
	(void)state;
	struct { const char *code; int points; point_unit unit; int cap; } want[] = {
		{ RULE_LOGIN, 1, PU_EVENT, 1 },          { RULE_STUDY, 1, PU_STUDY_5MIN, 10 },
		{ RULE_LECTURE, 1, PU_EVENT, 6 },        { RULE_COURSE, 5, PU_CREDIT_HOUR, 0 },
		{ RULE_EXAM_PASS, 5, PU_EVENT, 0 },      { RULE_EXAM_FULL, 3, PU_EVENT, 0 },
		{ RULE_DAILY_QUIZ, 1, PU_ANSWER, 5 },    { RULE_RATED, 1, PU_EVENT, 2 },
		{ RULE_CLASS, 10, PU_EVENT, 0 },        { RULE_YEAR_CERT, 0, PU_EVENT, 0 },
	};
	assert_int_equal(rule_ndefaults, ARRAY_LEN(want));
	int day = day_of("2026-12-02");
	for (size_t i = 0; i < ARRAY_LEN(want); i++) {
		const point_rule *r = rule_in_force(rule_defaults, rule_ndefaults, want[i].code, day);
		assert_non_null(r);
		assert_int_equal(r->points, want[i].points);
		assert_int_equal(r->unit, want[i].unit);
		assert_int_equal(r->daily_cap, want[i].cap);
		assert_true(rule_code_known(want[i].code));
		assert_int_equal(rule_unit_parse(rule_unit_name(r->unit)), r->unit);
	}
	assert_false(rule_code_known("bogus"));
	assert_false(rule_code_known(NULL));
	assert_int_equal(rule_unit_parse("hour"), PU_UNKNOWN);
	assert_string_equal(rule_unit_name(PU_UNKNOWN), "unknown");
}

static void test_rule_versions_by_effective_day(void **state)
{
	(void)state;
	int d1 = day_of("2026-03-01"), d2 = day_of("2026-06-01");
	point_rule rules[] = {
		{ RULE_LOGIN, 1, PU_EVENT, 1, RULE_DAY_MIN },
		{ RULE_LOGIN, 3, PU_EVENT, 3, d2 },       /* listed out of order on purpose */
		{ RULE_LOGIN, 2, PU_EVENT, 2, d1 },
		{ RULE_STUDY, 1, PU_STUDY_5MIN, 10, RULE_DAY_MIN },
		{ RULE_LOGIN, 4, PU_EVENT, 4, d2 },       /* a same-day correction: the later row wins */
	};
	size_t n = ARRAY_LEN(rules);
	assert_null(rule_in_force(rules, n, RULE_LOGIN, RULE_DAY_MIN - 1));
	assert_int_equal(rule_in_force(rules, n, RULE_LOGIN, RULE_DAY_MIN)->points, 1);
	assert_int_equal(rule_in_force(rules, n, RULE_LOGIN, d1 - 1)->points, 1);
	assert_int_equal(rule_in_force(rules, n, RULE_LOGIN, d1)->points, 2);
	assert_int_equal(rule_in_force(rules, n, RULE_LOGIN, d2 - 1)->points, 2);
	assert_int_equal(rule_in_force(rules, n, RULE_LOGIN, d2)->points, 4);
	assert_int_equal(rule_in_force(rules, n, RULE_LOGIN, d2 + 5000)->points, 4);
	/* Other codes are not affected by the login versions. */
	assert_int_equal(rule_in_force(rules, n, RULE_STUDY, d2)->points, 1);
	assert_null(rule_in_force(rules, n, RULE_RATED, d2));
	assert_null(rule_in_force(rules, n, NULL, d2));
	/* An award computed on a day uses that day's version: rows written before d1 were worth 1
	   and nothing recomputes them; from d1 on a login earns 2 (cap 2). */
	assert_int_equal(rule_award(rule_in_force(rules, n, RULE_LOGIN, d1 - 1), 0, 0), 1);
	assert_int_equal(rule_award(rule_in_force(rules, n, RULE_LOGIN, d1), 0, 0), 2);
	assert_int_equal(rule_award(rule_in_force(rules, n, RULE_LOGIN, d1), 0, 2), 0);
}

static const point_rule *def(const char *code)
{
	const point_rule *r = rule_in_force(rule_defaults, rule_ndefaults, code, day_of("2026-12-02"));
	assert_non_null(r);
	return r;
}

static void test_rule_every_cap(void **state)
{
	(void)state;
	/* Login: 1, cap 1. */
	assert_int_equal(rule_award(def(RULE_LOGIN), 0, 0), 1);
	assert_int_equal(rule_award(def(RULE_LOGIN), 0, 1), 0);
	/* Lecture completed: 1 each, cap 6. */
	for (int a = 0; a < 6; a++)
		assert_int_equal(rule_award(def(RULE_LECTURE), 0, a), 1);
	assert_int_equal(rule_award(def(RULE_LECTURE), 0, 6), 0);
	assert_int_equal(rule_award(def(RULE_LECTURE), 0, 60), 0);
	/* Daily quiz: 1 per right answer, cap 5. */
	assert_int_equal(rule_award(def(RULE_DAILY_QUIZ), 3, 0), 3);
	assert_int_equal(rule_award(def(RULE_DAILY_QUIZ), 3, 3), 2);
	assert_int_equal(rule_award(def(RULE_DAILY_QUIZ), 5, 0), 5);
	assert_int_equal(rule_award(def(RULE_DAILY_QUIZ), 9, 0), 5);
	assert_int_equal(rule_award(def(RULE_DAILY_QUIZ), 1, 5), 0);
	assert_int_equal(rule_award(def(RULE_DAILY_QUIZ), 0, 0), 0);
	assert_int_equal(rule_award(def(RULE_DAILY_QUIZ), -2, 0), 0);
	assert_int_equal(rule_award(def(RULE_DAILY_QUIZ), NAN, 0), 0);
	/* Course rated: 1, cap 2. */
	assert_int_equal(rule_award(def(RULE_RATED), 0, 0), 1);
	assert_int_equal(rule_award(def(RULE_RATED), 0, 1), 1);
	assert_int_equal(rule_award(def(RULE_RATED), 0, 2), 0);
	/* Exams: no daily cap (once per quiz through the ledger's unique key). */
	assert_int_equal(rule_award(def(RULE_EXAM_PASS), 0, 0), 5);
	assert_int_equal(rule_award(def(RULE_EXAM_PASS), 0, 500), 5);
	assert_int_equal(rule_award(def(RULE_EXAM_FULL), 0, 0), 3);
	/* Course completed: 5 per credit hour, rounded half up to whole points. */
	assert_int_equal(rule_award(def(RULE_COURSE), 1, 0), 5);
	assert_int_equal(rule_award(def(RULE_COURSE), 1.5, 0), 8);    /* 7.5 */
	assert_int_equal(rule_award(def(RULE_COURSE), 0.25, 0), 1);   /* 1.25 */
	assert_int_equal(rule_award(def(RULE_COURSE), 0.5, 0), 3);    /* 2.5 */
	assert_int_equal(rule_award(def(RULE_COURSE), 0.75, 0), 4);   /* 3.75 */
	assert_int_equal(rule_award(def(RULE_COURSE), 0, 0), 0);
	assert_int_equal(rule_award(def(RULE_COURSE), INFINITY, 0), 0);
	assert_int_equal(rule_award(def(RULE_COURSE), 2, 1000), 10);   /* no cap */
	/* A capped per-credit-hour rule and an edited cap smaller than the points. */
	point_rule c = { RULE_COURSE, 5, PU_CREDIT_HOUR, 12, RULE_DAY_MIN };
	assert_int_equal(rule_award(&c, 2, 0), 10);
	assert_int_equal(rule_award(&c, 2, 10), 2);
	point_rule l = { RULE_LOGIN, 5, PU_EVENT, 3, RULE_DAY_MIN };
	assert_int_equal(rule_award(&l, 0, 0), 3);
	assert_int_equal(rule_award(&l, 0, 3), 0);
	/* Zero points: nothing, and NULL rule: nothing. */
	point_rule z = { RULE_LOGIN, 0, PU_EVENT, 1, RULE_DAY_MIN };
	assert_int_equal(rule_award(&z, 0, 0), 0);
	assert_int_equal(rule_award(NULL, 1, 0), 0);
}

static void test_rule_study_time(void **state)
{
	(void)state;
	const point_rule *s = def(RULE_STUDY);
	/* Simulate heartbeats through a day, awarding what each is owed. */
	int awarded = 0;
	double day_s = 0;
	int steps[] = { 120, 120, 59, 1, 299, 1, 0, 1200, 3600, 3600 };
	int want_after[] = { 0, 0, 0, 1, 1, 2, 2, 6, 10, 10 };
	for (size_t i = 0; i < ARRAY_LEN(steps); i++) {
		day_s += steps[i];
		int a = rule_award(s, day_s, awarded);
		/* A replay of the same total awards nothing more. */
		assert_int_equal(rule_award(s, day_s, awarded + a), 0);
		awarded += a;
		assert_int_equal(awarded, want_after[i]);
	}
	/* Exact boundaries. */
	assert_int_equal(rule_award(s, 299.999, 0), 0);
	assert_int_equal(rule_award(s, 300, 0), 1);
	assert_int_equal(rule_award(s, 1499, 0), 4);
	assert_int_equal(rule_award(s, 1500, 0), 5);
	assert_int_equal(rule_award(s, 1500, 2), 3);
	assert_int_equal(rule_award(s, 86400, 0), 10);   /* capped */
	assert_int_equal(rule_award(s, 86400, 9), 1);
	assert_int_equal(rule_award(s, 0, 0), 0);
	assert_int_equal(rule_award(s, -300, 0), 0);
	assert_int_equal(rule_award(s, NAN, 0), 0);
	/* Already awarded more than owed (a rule changed mid-day): nothing, never negative. */
	assert_int_equal(rule_award(s, 600, 5), 0);
	/* 2 points per 5 minutes, cap 7: 1200 s is owed 8, capped to 7. */
	point_rule two = { RULE_STUDY, 2, PU_STUDY_5MIN, 7, RULE_DAY_MIN };
	assert_int_equal(rule_award(&two, 600, 0), 4);
	assert_int_equal(rule_award(&two, 1200, 4), 3);
	assert_int_equal(rule_award(&two, 1200, 7), 0);
	/* No cap. */
	point_rule nocap = { RULE_STUDY, 1, PU_STUDY_5MIN, 0, RULE_DAY_MIN };
	assert_int_equal(rule_award(&nocap, 86400, 0), 288);
}

static void test_rule_validation(void **state)
{
	(void)state;
	int today = day_of("2026-12-02");
	point_rule r;
	assert_null(rule_validate(RULE_LOGIN, 2, "event", 2, "2026-12-02", today, &r));
	assert_string_equal(r.code, RULE_LOGIN);
	assert_int_equal(r.points, 2);
	assert_int_equal(r.daily_cap, 2);
	assert_int_equal(r.effective_from, today);
	assert_null(rule_validate(RULE_STUDY, 0, "study_5min", 0, "2027-01-01", today, &r));
	assert_int_equal(r.effective_from, today + 30);
	assert_string_equal(rule_validate("bogus", 1, "event", 1, "2026-12-02", today, &r), "scoring.err.rule_code");
	assert_string_equal(rule_validate(NULL, 1, "event", 1, "2026-12-02", today, &r), "scoring.err.rule_code");
	assert_string_equal(rule_validate(RULE_LOGIN, 1, "minute", 1, "2026-12-02", today, &r), "scoring.err.rule_unit");
	assert_string_equal(rule_validate(RULE_LOGIN, 1, "answer", 1, "2026-12-02", today, &r), "scoring.err.rule_unit");
	assert_string_equal(rule_validate(RULE_LOGIN, -1, "event", 1, "2026-12-02", today, &r), "scoring.err.rule_points");
	assert_string_equal(rule_validate(RULE_LOGIN, 1001, "event", 1, "2026-12-02", today, &r), "scoring.err.rule_points");
	assert_string_equal(rule_validate(RULE_LOGIN, 1, "event", -1, "2026-12-02", today, &r), "scoring.err.rule_cap");
	assert_string_equal(rule_validate(RULE_LOGIN, 1, "event", 10001, "2026-12-02", today, &r), "scoring.err.rule_cap");
	const char *bad_dates[] = { NULL, "", "2026-2-01", "2026/12/02", "2026-13-01", "2026-00-10", "2026-12-00",
				    "2026-11-31", "2027-02-29", "1999-12-31", "2026-12-02T00:00", " 2026-12-02", "２０２６-12-02" };
	for (size_t i = 0; i < ARRAY_LEN(bad_dates); i++)
		assert_string_equal(rule_validate(RULE_LOGIN, 1, "event", 1, bad_dates[i], today, &r), "scoring.err.rule_date");
	assert_string_equal(rule_validate(RULE_LOGIN, 1, "event", 1, "2026-12-01", today, &r), "scoring.err.rule_date_past");
	/* Leap day and the day number round trip. */
	assert_int_equal(day_of("2028-02-29") - day_of("2028-02-28"), 1);
	assert_int_equal(day_of("2000-01-01"), RULE_DAY_MIN);
	assert_int_equal(day_of("2026-12-02"), 20789);   /* days since 1970-01-01 */
	char out[11];
	const char *round[] = { "2000-01-01", "2024-02-29", "2026-12-31", "2100-03-01" };
	for (size_t i = 0; i < ARRAY_LEN(round); i++) {
		rule_day_format(day_of(round[i]), out);
		assert_string_equal(out, round[i]);
	}
}

/* ------------------------------------------------------------------ chain */

#define MAXROWS 64

typedef struct test_ledger {
	ledger_row rows[MAXROWS];
	char rules[MAXROWS][16], refs[MAXROWS][24];
	int n;
	chain_checkpoint cps[MAXROWS];
	int ncps;
	int pos, cpos;   /* iterator positions */
} test_ledger;

/* Appends a correctly chained row for member m. */
static void add_row(test_ledger *L, int64_t m, const char *rule, int64_t points, const char *ref, int64_t at)
{
	assert_true(L->n < MAXROWS);
	ledger_row *r = &L->rows[L->n];
	snprintf(L->rules[L->n], sizeof L->rules[0], "%s", rule);
	snprintf(L->refs[L->n], sizeof L->refs[0], "%s", ref);
	r->id = L->n + 1;
	r->member_id = m;
	r->rule = L->rules[L->n];
	r->points = points;
	r->ref = L->refs[L->n];
	r->at = at;
	memcpy(r->prev, chain_genesis, CHAIN_HASH_BYTES);
	for (int i = L->n - 1; i >= 0; i--)
		if (L->rows[i].member_id == m) {
			memcpy(r->prev, L->rows[i].hash, CHAIN_HASH_BYTES);
			break;
		}
	chain_row_hash(r, r->hash);
	L->n++;
}

/* Recomputes prev and hash of every row from `from` on, as an attacker rewriting the database
   would (member order is kept). */
static void rechain(test_ledger *L, int from)
{
	for (int k = from; k < L->n; k++) {
		ledger_row *r = &L->rows[k];
		memcpy(r->prev, chain_genesis, CHAIN_HASH_BYTES);
		for (int i = k - 1; i >= 0; i--)
			if (L->rows[i].member_id == r->member_id) {
				memcpy(r->prev, L->rows[i].hash, CHAIN_HASH_BYTES);
				break;
			}
		chain_row_hash(r, r->hash);
	}
}

static void remove_row(test_ledger *L, int k)
{
	memmove(&L->rows[k], &L->rows[k + 1], (size_t)(L->n - k - 1) * sizeof L->rows[0]);
	L->n--;
}

/* Signs a checkpoint of member m's chain as it is now, covering its first `count` rows. */
static void add_checkpoint(test_ledger *L, int64_t m, int64_t count, const chain_key *k)
{
	chain_checkpoint *cp = &L->cps[L->ncps++];
	memset(cp, 0, sizeof *cp);
	cp->member_id = m;
	cp->count = count;
	cp->at = 1790000000 + L->ncps;
	int seen = 0;
	for (int i = 0; i < L->n; i++)
		if (L->rows[i].member_id == m && ++seen == count)
			memcpy(cp->head, L->rows[i].hash, CHAIN_HASH_BYTES);
	assert_int_equal(seen >= count, 1);
	chain_checkpoint_sign(cp, k);
}

static int rows_next(void *ctx, ledger_row *out)
{
	test_ledger *L = ctx;
	if (L->pos >= L->n)
		return 0;
	*out = L->rows[L->pos++];
	return 1;
}

static int cps_next(void *ctx, chain_checkpoint *out)
{
	test_ledger *L = ctx;
	if (L->cpos >= L->ncps)
		return 0;
	*out = L->cps[L->cpos++];
	return 1;
}

/* Fails after the first three rows, as a database read error would. */
static int rows_fail(void *ctx, ledger_row *out)
{
	test_ledger *L = ctx;
	return L->pos >= 3 ? -1 : rows_next(ctx, out);
}

static chain_verdict verify(test_ledger *L, const chain_key *k, chain_report *rep)
{
	L->pos = L->cpos = 0;
	return chain_verify(rows_next, L, cps_next, L, k->pk, rep);
}

/* Three members: 10 has 3 rows, 20 has 5, 30 has 2; checkpoints after rows 2 and 4 of member 20
   and at each chain's end. Row ids are 1..10 in that order. */
static void build_ledger(test_ledger *L, const chain_key *k)
{
	memset(L, 0, sizeof *L);
	add_row(L, 10, RULE_LOGIN, 1, "2026-12-01", 1764547200);
	add_row(L, 10, RULE_STUDY, 3, "2026-12-01", 1764550000);
	add_row(L, 10, RULE_LECTURE, 1, "lecture:7", 1764551000);
	add_row(L, 20, RULE_LOGIN, 1, "2026-12-01", 1764547300);
	add_row(L, 20, RULE_COURSE, 5, "course:3", 1764547400);
	add_row(L, 20, RULE_EXAM_PASS, 5, "quiz:4", 1764547500);
	add_row(L, 20, RULE_EXAM_FULL, 3, "quiz:4", 1764547500);
	add_row(L, 20, RULE_RATED, 1, "course:3", 1764547600);
	add_row(L, 30, RULE_LOGIN, 1, "2026-12-01", 1764547700);
	add_row(L, 30, RULE_DAILY_QUIZ, 4, "daily:2026-12-01", 1764547800);
	add_checkpoint(L, 10, 3, k);
	add_checkpoint(L, 20, 2, k);
	add_checkpoint(L, 20, 4, k);
	add_checkpoint(L, 20, 5, k);
	add_checkpoint(L, 30, 2, k);
}

static void test_chain_encoding(void **state)
{
	(void)state;
	ledger_row a = { .id = 1, .member_id = 5, .rule = "ab", .points = 1, .ref = "c", .at = 100 };
	ledger_row b = a;
	b.rule = "a";
	b.ref = "bc";   /* same concatenation, different fields */
	unsigned char ha[32], hb[32];
	chain_row_hash(&a, ha);
	chain_row_hash(&b, hb);
	assert_memory_not_equal(ha, hb, 32);
	/* The id is not hashed; every other field is. */
	b = a;
	b.id = 99;
	chain_row_hash(&b, hb);
	assert_memory_equal(ha, hb, 32);
	ledger_row variants[7];
	for (int i = 0; i < 7; i++)
		variants[i] = a;
	variants[0].member_id = 6;
	variants[1].points = 2;
	variants[2].at = 101;
	variants[3].prev[31] = 1;
	variants[4].ref = "c ";
	variants[5].detail = "{\"certificate\":\"ab\"}";
	variants[6].rule = "abc"; /* ref "c" and detail "" against rule "abc", ref "": lengths keep them apart */
	variants[6].ref = "";
	for (int i = 0; i < 7; i++) {
		chain_row_hash(&variants[i], hb);
		assert_memory_not_equal(ha, hb, 32);
	}
	/* NULL strings encode as empty. */
	b = a;
	b.ref = NULL;
	ledger_row e = a;
	e.ref = "";
	unsigned char hn[32], he[32];
	chain_row_hash(&b, hn);
	chain_row_hash(&e, he);
	assert_memory_equal(hn, he, 32);
	/* A NULL detail encodes as empty, too. */
	b = a;
	b.detail = "";
	chain_row_hash(&b, hn);
	assert_memory_equal(hn, ha, 32);
	/* Layout: tag, member, len+rule, points, len+ref, at, len+detail, prev. */
	unsigned char *enc = NULL;
	size_t cap = 0, n = chain_encode(&a, &enc, &cap);
	assert_int_equal(n, 10 + 8 + 4 + 2 + 8 + 4 + 1 + 8 + 4 + 32);
	assert_memory_equal(enc, "dxledger2", 10);
	assert_int_equal(enc[17], 5);             /* member, big-endian */
	assert_int_equal(enc[21], 2);             /* rule length */
	assert_memory_equal(enc + 22, "ab", 2);
	/* The hash is BLAKE2b-256 of exactly that encoding. */
	unsigned char h2[32];
	crypto_generichash(h2, 32, enc, n, NULL, 0);
	assert_memory_equal(h2, ha, 32);
	free(enc);
	/* A long reference goes through the heap path and still matches. */
	char longref[600];
	memset(longref, 'r', sizeof longref - 1);
	longref[sizeof longref - 1] = 0;
	b = a;
	b.ref = longref;
	chain_row_hash(&b, hb);
	enc = NULL;
	cap = 0;
	n = chain_encode(&b, &enc, &cap);
	crypto_generichash(h2, 32, enc, n, NULL, 0);
	assert_memory_equal(h2, hb, 32);
	free(enc);
}

static void test_chain_good_verifies(void **state)
{
	(void)state;
	chain_key k;
	chain_key_generate(&k);
	test_ledger L;
	build_ledger(&L, &k);
	chain_report rep;
	assert_int_equal(verify(&L, &k, &rep), CV_OK);
	assert_int_equal(rep.members, 3);
	assert_int_equal(rep.rows, 10);
	assert_int_equal(rep.checkpoints, 5);
	assert_string_equal(chain_verdict_name(rep.verdict), "ok");
	/* Without checkpoints the chains alone verify too. */
	L.ncps = 0;
	assert_int_equal(verify(&L, &k, &rep), CV_OK);
	/* An empty ledger is fine. */
	L.n = 0;
	assert_int_equal(verify(&L, &k, &rep), CV_OK);
	assert_int_equal(rep.members, 0);
	chain_key_wipe(&k);
}

static void test_chain_changed_field(void **state)
{
	(void)state;
	chain_key k;
	chain_key_generate(&k);
	test_ledger L;
	chain_report rep;
	/* Points of member 20's third row (id 6) changed in place, as with the sqlite3 shell. */
	build_ledger(&L, &k);
	L.rows[5].points = 50;
	assert_int_equal(verify(&L, &k, &rep), CV_TAMPERED);
	assert_int_equal(rep.member_id, 20);
	assert_int_equal(rep.index, 2);
	assert_int_equal(rep.row_id, 6);
	assert_string_equal(chain_verdict_name(rep.verdict), "tampered");
	/* Each other field too. */
	build_ledger(&L, &k);
	snprintf(L.rules[8], sizeof L.rules[8], "%s", RULE_EXAM_PASS);
	assert_int_equal(verify(&L, &k, &rep), CV_TAMPERED);
	assert_int_equal(rep.member_id, 30);
	assert_int_equal(rep.index, 0);
	assert_int_equal(rep.row_id, 9);
	build_ledger(&L, &k);
	L.rows[1].at += 1;
	assert_int_equal(verify(&L, &k, &rep), CV_TAMPERED);
	assert_int_equal(rep.member_id, 10);
	assert_int_equal(rep.row_id, 2);
	build_ledger(&L, &k);
	L.refs[2][0] = 'L';
	assert_int_equal(verify(&L, &k, &rep), CV_TAMPERED);
	assert_int_equal(rep.row_id, 3);
	/* A row moved to another member: its member id is hashed. */
	build_ledger(&L, &k);
	L.rows[2].member_id = 20;   /* still grouped: rows 1-2 member 10, row 3.. member 20 */
	assert_int_equal(verify(&L, &k, &rep), CV_TRUNCATED);   /* member 10 lost a signed row */
	assert_int_equal(rep.member_id, 10);
	assert_int_equal(rep.index, 2);
	L.ncps = 0;
	assert_int_equal(verify(&L, &k, &rep), CV_TAMPERED);    /* and the moved row does not hash */
	assert_int_equal(rep.member_id, 20);
	assert_int_equal(rep.row_id, 3);
	chain_key_wipe(&k);
}

static void test_chain_removed_row(void **state)
{
	(void)state;
	chain_key k;
	chain_key_generate(&k);
	test_ledger L;
	chain_report rep;
	/* A middle row of member 20 (id 5, index 1) deleted: the next row's link breaks. */
	build_ledger(&L, &k);
	remove_row(&L, 4);
	assert_int_equal(verify(&L, &k, &rep), CV_BROKEN_LINK);
	assert_int_equal(rep.member_id, 20);
	assert_int_equal(rep.index, 1);
	assert_int_equal(rep.row_id, 6);
	/* A member's first row deleted. */
	build_ledger(&L, &k);
	remove_row(&L, 8);
	assert_int_equal(verify(&L, &k, &rep), CV_BROKEN_LINK);
	assert_int_equal(rep.member_id, 30);
	assert_int_equal(rep.index, 0);
	assert_int_equal(rep.row_id, 10);
	/* The last row deleted: the chain is consistent but shorter than its signed checkpoint. */
	build_ledger(&L, &k);
	remove_row(&L, 7);
	assert_int_equal(verify(&L, &k, &rep), CV_TRUNCATED);
	assert_int_equal(rep.member_id, 20);
	assert_int_equal(rep.index, 4);
	assert_int_equal(rep.row_id, 0);
	/* Every row of member 30 deleted: its checkpoints still name it. */
	build_ledger(&L, &k);
	L.n -= 2;
	assert_int_equal(verify(&L, &k, &rep), CV_TRUNCATED);
	assert_int_equal(rep.member_id, 30);
	assert_int_equal(rep.index, 0);
	/* Every row of member 10 (the first) deleted. */
	build_ledger(&L, &k);
	for (int i = 0; i < 3; i++)
		remove_row(&L, 0);
	assert_int_equal(verify(&L, &k, &rep), CV_TRUNCATED);
	assert_int_equal(rep.member_id, 10);
	chain_key_wipe(&k);
}

static void test_chain_rechained_row(void **state)
{
	(void)state;
	chain_key k;
	chain_key_generate(&k);
	test_ledger L;
	chain_report rep;
	/* Member 20's third row (id 6, index 2) changed and every hash after it recomputed: the
	   chain is consistent again, but its hash at the checkpoint of 4 rows is not the signed
	   one. The altered row lies after the last matching checkpoint (2 rows) and up to that one. */
	build_ledger(&L, &k);
	L.rows[5].points = 500;
	rechain(&L, 5);
	assert_int_equal(verify(&L, &k, &rep), CV_CHECKPOINT);
	assert_int_equal(rep.member_id, 20);
	assert_int_equal(rep.index, 2);
	assert_int_equal(rep.row_id, 6);
	assert_int_equal(rep.last_index, 3);
	assert_int_equal(rep.last_row_id, 7);
	assert_string_equal(chain_verdict_name(rep.verdict), "checkpoint");
	/* With a checkpoint after every row (as after daily signing of a row a day), the row is
	   named exactly. */
	build_ledger(&L, &k);
	L.ncps = 0;
	for (int m = 10; m <= 30; m += 10) {
		int cnt = m == 10 ? 3 : m == 20 ? 5 : 2;
		for (int c = 1; c <= cnt; c++)
			add_checkpoint(&L, m, c, &k);
	}
	L.rows[4].points = 0;   /* member 20, index 1, id 5 */
	rechain(&L, 4);
	assert_int_equal(verify(&L, &k, &rep), CV_CHECKPOINT);
	assert_int_equal(rep.member_id, 20);
	assert_int_equal(rep.index, 1);
	assert_int_equal(rep.row_id, 5);
	assert_int_equal(rep.last_index, 1);
	assert_int_equal(rep.last_row_id, 5);
	/* A re-chained row removal too. */
	build_ledger(&L, &k);
	remove_row(&L, 3);   /* member 20's first row */
	rechain(&L, 3);
	assert_int_equal(verify(&L, &k, &rep), CV_CHECKPOINT);
	assert_int_equal(rep.member_id, 20);
	assert_int_equal(rep.index, 0);
	/* The attacker also re-signs with a key of their own: the signature fails. */
	build_ledger(&L, &k);
	L.rows[5].points = 500;
	rechain(&L, 5);
	chain_key evil;
	chain_key_generate(&evil);
	L.ncps = 0;
	add_checkpoint(&L, 10, 3, &k);
	add_checkpoint(&L, 20, 5, &evil);
	assert_int_equal(verify(&L, &k, &rep), CV_BAD_SIGNATURE);
	assert_int_equal(rep.member_id, 20);
	/* Or edits the stored checkpoint's head or count: the signature covers them. */
	build_ledger(&L, &k);
	L.cps[0].head[0] ^= 1;
	assert_int_equal(verify(&L, &k, &rep), CV_BAD_SIGNATURE);
	assert_int_equal(rep.member_id, 10);
	build_ledger(&L, &k);
	L.cps[4].count = 1;
	assert_int_equal(verify(&L, &k, &rep), CV_BAD_SIGNATURE);
	assert_int_equal(rep.member_id, 30);
	/* Checkpoint messages verify only under the right key and fields. */
	build_ledger(&L, &k);
	assert_true(chain_checkpoint_verify(&L.cps[1], k.pk));
	assert_false(chain_checkpoint_verify(&L.cps[1], evil.pk));
	L.cps[1].at++;
	assert_false(chain_checkpoint_verify(&L.cps[1], k.pk));
	chain_key_wipe(&evil);
	chain_key_wipe(&k);
}

static void test_chain_iterator_contract(void **state)
{
	(void)state;
	chain_key k;
	chain_key_generate(&k);
	test_ledger L;
	chain_report rep;
	build_ledger(&L, &k);
	/* Member 30's intact chain walked before member 20's (no checkpoints, which would make
	   member 20 look truncated first): the verifier refuses the out-of-order member. */
	ledger_row copy[10];
	const int order[10] = { 0, 1, 2, 8, 9, 3, 4, 5, 6, 7 };
	for (int i = 0; i < 10; i++)
		copy[i] = L.rows[order[i]];
	memcpy(L.rows, copy, sizeof copy);
	L.ncps = 0;
	assert_int_equal(verify(&L, &k, &rep), CV_ORDER);
	assert_int_equal(rep.member_id, 20);
	assert_int_equal(rep.row_id, 4);
	/* Checkpoints of a member not in ascending count: refused, not silently skipped. */
	build_ledger(&L, &k);
	chain_checkpoint t = L.cps[1];
	L.cps[1] = L.cps[2];
	L.cps[2] = t;
	assert_int_equal(verify(&L, &k, &rep), CV_ORDER);
	assert_int_equal(rep.member_id, 20);
	/* Checkpoints of member 10 listed after member 20's. */
	build_ledger(&L, &k);
	t = L.cps[0];
	memmove(&L.cps[0], &L.cps[1], 3 * sizeof t);
	L.cps[3] = t;
	assert_int_equal(verify(&L, &k, &rep), CV_ORDER);
	assert_int_equal(rep.member_id, 10);
	/* An iterator error is reported, not taken for the end. */
	build_ledger(&L, &k);
	L.pos = L.cpos = 0;
	assert_int_equal(chain_verify(rows_fail, &L, cps_next, &L, k.pk, &rep), CV_IO);
	assert_int_equal(rep.rows, 3);
	chain_key_wipe(&k);
}

/* Signs L's checkpoints as one run; returns the signature in sig. */
static void sign_run(test_ledger *L, const chain_key *k, int64_t id, unsigned char sig[CHAIN_SIG_BYTES])
{
	chain_batch b;
	chain_batch_begin(&b, id, 1790000000);
	for (int i = 0; i < L->ncps; i++)
		chain_batch_add(&b, &L->cps[i]);
	chain_batch_sign(&b, k, sig);
}

static int run_ok(test_ledger *L, const unsigned char *pk, int64_t id, const unsigned char sig[CHAIN_SIG_BYTES])
{
	chain_batch b;
	chain_batch_begin(&b, id, 1790000000);
	for (int i = 0; i < L->ncps; i++)
		chain_batch_add(&b, &L->cps[i]);
	return chain_batch_verify(&b, sig, pk);
}

static void test_chain_signing_run(void **state)
{
	(void)state;
	chain_key k, evil;
	chain_key_generate(&k);
	chain_key_generate(&evil);
	test_ledger L;
	unsigned char sig[CHAIN_SIG_BYTES];
	build_ledger(&L, &k);
	sign_run(&L, &k, 7, sig);
	assert_true(run_ok(&L, k.pk, 7, sig));
	assert_false(run_ok(&L, evil.pk, 7, sig));
	assert_false(run_ok(&L, k.pk, 8, sig));          /* another run's id */
	/* Any edited, dropped, added or reordered checkpoint breaks the run's signature. */
	L.cps[2].head[5] ^= 0x10;
	assert_false(run_ok(&L, k.pk, 7, sig));
	L.cps[2].head[5] ^= 0x10;
	L.cps[3].count = 4;
	assert_false(run_ok(&L, k.pk, 7, sig));
	L.cps[3].count = 5;
	L.cps[0].at++;
	assert_false(run_ok(&L, k.pk, 7, sig));
	L.cps[0].at--;
	assert_true(run_ok(&L, k.pk, 7, sig));
	L.ncps--;
	assert_false(run_ok(&L, k.pk, 7, sig));
	L.ncps++;
	chain_checkpoint t = L.cps[1];
	L.cps[1] = L.cps[2];
	L.cps[2] = t;
	assert_false(run_ok(&L, k.pk, 7, sig));
	/* Authenticated through the run, the walk skips per-checkpoint signatures (pk NULL) and
	   still finds a re-chained row by its checkpoint. */
	build_ledger(&L, &k);
	for (int i = 0; i < L.ncps; i++)
		memset(L.cps[i].sig, 0, CHAIN_SIG_BYTES);   /* stored without their own signatures */
	sign_run(&L, &k, 1, sig);
	assert_true(run_ok(&L, k.pk, 1, sig));
	chain_report rep;
	L.pos = L.cpos = 0;
	assert_int_equal(chain_verify(rows_next, &L, cps_next, &L, NULL, &rep), CV_OK);
	assert_int_equal(rep.checkpoints, 5);
	L.rows[6].points = 30;
	rechain(&L, 6);
	L.pos = L.cpos = 0;
	assert_int_equal(chain_verify(rows_next, &L, cps_next, &L, NULL, &rep), CV_CHECKPOINT);
	assert_int_equal(rep.member_id, 20);
	assert_int_equal(rep.index, 2);
	assert_int_equal(rep.last_row_id, 7);
	/* With the key, those unsigned checkpoints are refused. */
	assert_int_equal(verify(&L, &k, &rep), CV_BAD_SIGNATURE);
	/* No checkpoint iterator at all: chains only. */
	build_ledger(&L, &k);
	L.pos = 0;
	assert_int_equal(chain_verify(rows_next, &L, NULL, NULL, k.pk, &rep), CV_OK);
	assert_int_equal(rep.checkpoints, 0);
	chain_key_wipe(&k);
	chain_key_wipe(&evil);
}

static void test_chain_key_file(void **state)
{
	(void)state;
	char *dir = temp_dir();
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, CHAIN_KEY_FILE);
	const char *why = NULL;
	chain_key k1, k2;
	/* Created on first use, mode 0600, 64 bytes. */
	assert_int_equal(chain_key_load_or_create(&k1, dir, &why), 0);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_size, 64);
	char *ls = NULL;
	{
		char cmd[700];
		snprintf(cmd, sizeof cmd, "ls -A '%s'", dir);
		ls = run_capture(cmd);
	}
	assert_string_equal(ls, CHAIN_KEY_FILE "\n");   /* no temporary file left behind */
	free(ls);
	/* Loaded again: the same key, and it signs what the first verifies. */
	assert_int_equal(chain_key_load_or_create(&k2, dir, &why), 0);
	assert_memory_equal(k1.pk, k2.pk, 32);
	chain_checkpoint cp = { .member_id = 1, .count = 2, .at = 3 };
	chain_checkpoint_sign(&cp, &k2);
	assert_true(chain_checkpoint_verify(&cp, k1.pk));
	/* Readable or writable by group or others: refused. */
	const mode_t bad[] = { 0640, 0604, 0620, 0602, 0660, 0644 };
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		assert_int_equal(chmod(path, bad[i]), 0);
		why = NULL;
		assert_int_equal(chain_key_load(&k2, path, &why), -1);
		assert_non_null(why);
		assert_string_equal(why, "key_mode");
		/* load_or_create does not replace it either. */
		assert_int_equal(chain_key_load_or_create(&k2, dir, &why), -1);
		assert_string_equal(why, "key_mode");
	}
	assert_int_equal(chmod(path, 0400), 0);
	assert_int_equal(chain_key_load(&k2, path, &why), 0);
	assert_int_equal(chmod(path, 0600), 0);
	/* A symlink to the key: refused. */
	char link[600];
	snprintf(link, sizeof link, "%s/link.key", dir);
	assert_int_equal(symlink(path, link), 0);
	assert_int_equal(chain_key_load(&k2, link, &why), -1);
	assert_string_equal(why, "key_mode");
	/* Wrong size, and a corrupted public half. */
	char other[600];
	snprintf(other, sizeof other, "%s/short.key", dir);
	FILE *f = fopen(other, "wb");
	fwrite(k1.sk, 1, 32, f);
	fclose(f);
	chmod(other, 0600);
	assert_int_equal(chain_key_load(&k2, other, &why), -1);
	assert_string_equal(why, "key_bad");
	chain_key bent = k1;
	bent.sk[63] ^= 1;
	assert_int_equal(chain_key_save(&bent, other), 0);
	assert_int_equal(chain_key_load(&k2, other, &why), -1);
	assert_string_equal(why, "key_bad");
	/* Missing file. */
	snprintf(other, sizeof other, "%s/none.key", dir);
	assert_int_equal(chain_key_load(&k2, other, &why), -1);
	assert_string_equal(why, "key_io");
	/* A folder that does not exist: creation fails cleanly. */
	assert_int_equal(chain_key_load_or_create(&k2, "/nonexistent/dx-scoring", &why), -1);
	chain_key_wipe(&k1);
	chain_key_wipe(&k2);
	assert_int_equal(rm_rf(dir), 0);
	free(dir);
}

/* ------------------------------------------------------------------ projections, requirements */

static void test_credit_hours_suggestion(void **state)
{
	(void)state;
	struct { double s; int exam; double want; } cases[] = {
		{ 0, 0, 0.25 },     { 60, 0, 0.25 },     { 899, 0, 0.25 },  { 900, 0, 0.5 },
		{ 1799, 0, 0.5 },   { 1800, 0, 1.0 },    { 7200, 0, 1.0 },  { 899, 1, 0.75 },
		{ 900, 1, 1.0 },    { 1800, 1, 1.5 },    { -5, 0, 0.25 },   { NAN, 1, 0.75 },
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++)
		assert_float_equal(project_credit_hours(cases[i].s, cases[i].exam), cases[i].want, 1e-12);
}

static void test_projection_year_end(void **state)
{
	(void)state;
	projection p = project_year_end(25, 0.5);
	assert_float_equal(p.hours, 50, 1e-9);
	assert_false(p.early);
	p = project_year_end(10, 0.25);
	assert_float_equal(p.hours, 40, 1e-9);
	/* Year over: the hours themselves. */
	p = project_year_end(33, 1.0);
	assert_float_equal(p.hours, 33, 1e-12);
	p = project_year_end(33, 7.0);
	assert_float_equal(p.hours, 33, 1e-12);
	/* The very start: no division by ~0, flagged as early. */
	p = project_year_end(1, 0);
	assert_true(p.early);
	assert_float_equal(p.hours, 365.0 / 14, 1e-9);
	p = project_year_end(1, 1e-9);
	assert_true(p.early);
	assert_true(isfinite(p.hours) && p.hours < 30);
	p = project_year_end(0, 0);
	assert_float_equal(p.hours, 0, 1e-12);
	p = project_year_end(2, NAN);
	assert_true(p.early);
	assert_true(isfinite(p.hours));
	/* Exactly at the floor: not early. */
	p = project_year_end(1, PROJ_MIN_ELAPSED);
	assert_false(p.early);
	/* Nonsense hours: 0. */
	p = project_year_end(-3, 0.5);
	assert_float_equal(p.hours, 0, 1e-12);
	p = project_year_end(INFINITY, 0.5);
	assert_float_equal(p.hours, 0, 1e-12);
}

static void test_requirement_inheritance(void **state)
{
	(void)state;
	/* 1 ─ 2 ─ 3 ─ 4, 1 ─ 5, 6 ⇄ 7 (a cycle), 8 → 99 (a parent that does not exist). */
	org_node orgs[] = { { 4, 3 }, { 1, 0 }, { 2, 1 }, { 3, 2 }, { 5, 1 }, { 6, 7 }, { 7, 6 }, { 8, 99 } };
	req_row rows[] = {
		{ 2, 2026, 40, 10 },
		{ 1, 2025, 60, 20 },
		{ 1, 2026, 55, 5 },
		{ 2, 2026, 42, 12 },   /* a later row of the same org and year replaces the first */
		{ 6, 2026, 30, 0 },
	};
	requirement dflt = { REQ_DEFAULT_TOTAL, REQ_DEFAULT_REQUIRED, 123 };
	size_t no = ARRAY_LEN(orgs), nr = ARRAY_LEN(rows);
	requirement r = req_resolve(orgs, no, rows, nr, 4, 2026, dflt);
	assert_float_equal(r.total_hours, 42, 0);
	assert_float_equal(r.required_hours, 12, 0);
	assert_int_equal(r.source_org, 2);
	r = req_resolve(orgs, no, rows, nr, 5, 2026, dflt);
	assert_int_equal(r.source_org, 1);
	assert_float_equal(r.total_hours, 55, 0);
	r = req_resolve(orgs, no, rows, nr, 4, 2025, dflt);
	assert_int_equal(r.source_org, 1);
	assert_float_equal(r.total_hours, 60, 0);
	r = req_resolve(orgs, no, rows, nr, 4, 2024, dflt);
	assert_int_equal(r.source_org, 0);
	assert_float_equal(r.total_hours, 50, 0);
	assert_float_equal(r.required_hours, 0, 0);
	r = req_resolve(orgs, no, rows, nr, 7, 2026, dflt);    /* parent 6 has a row */
	assert_int_equal(r.source_org, 6);
	r = req_resolve(orgs, no, rows, nr, 7, 2025, dflt);    /* the cycle ends in the default */
	assert_int_equal(r.source_org, 0);
	r = req_resolve(orgs, no, rows, nr, 8, 2026, dflt);
	assert_int_equal(r.source_org, 0);
	r = req_resolve(orgs, no, rows, nr, 12345, 2026, dflt);
	assert_int_equal(r.source_org, 0);
	/* The bulk resolver agrees with the single one for every org and year. */
	requirement all[ARRAY_LEN(orgs)];
	for (int year = 2024; year <= 2026; year++) {
		req_resolve_all(orgs, no, rows, nr, year, dflt, all);
		for (size_t i = 0; i < no; i++) {
			requirement one = req_resolve(orgs, no, rows, nr, orgs[i].id, year, dflt);
			assert_int_equal(all[i].source_org, one.source_org);
			assert_float_equal(all[i].total_hours, one.total_hours, 0);
			assert_float_equal(all[i].required_hours, one.required_hours, 0);
		}
	}
	req_resolve_all(NULL, 0, NULL, 0, 2026, dflt, all);   /* empty tree */
}

static void test_requirement_validation(void **state)
{
	(void)state;
	assert_null(req_validate(2026, 50, 10, 2026));
	assert_null(req_validate(2027, 50, 50, 2026));
	assert_null(req_validate(2000, 0, 0, 2026));
	assert_string_equal(req_validate(1999, 50, 0, 2026), "scoring.err.year_range");
	assert_string_equal(req_validate(2028, 50, 0, 2026), "scoring.err.year_range");
	assert_string_equal(req_validate(2026, -1, 0, 2026), "scoring.err.req_hours");
	assert_string_equal(req_validate(2026, 10, -0.5, 2026), "scoring.err.req_hours");
	assert_string_equal(req_validate(2026, NAN, 0, 2026), "scoring.err.req_hours");
	assert_string_equal(req_validate(2026, 10, INFINITY, 2026), "scoring.err.req_hours");
	assert_string_equal(req_validate(2026, 10001, 0, 2026), "scoring.err.req_hours");
	assert_string_equal(req_validate(2026, 10, 10.5, 2026), "scoring.err.req_required_gt_total");
	assert_null(year_validate(2026, 2026));
	assert_string_equal(year_validate(3000, 2026), "scoring.err.year_range");
}

/* ------------------------------------------------------------------ export */

typedef struct sink {
	buf b;
	int calls;
	int fail_after;   /* 0: never */
} sink;

static int sink_write(void *ctx, const char *data, size_t n)
{
	sink *s = ctx;
	s->calls++;
	if (s->fail_after && s->calls > s->fail_after)
		return -1;
	buf_add(&s->b, data, n);
	return 0;
}

static const export_member test_members[] = {
	{ "zhangsan", "张三", "第一党支部", 12.5, 10, 2.5, 3600, 42, 3, "met" },
	{ "=cmd|' /C calc'!A0", "+SUM(1)", "-2+3", 0.25, 0, 0.25, 0, -3, 0, "at_risk" },
	{ "@import", "\tTab", "\rCR", 1, 1, 0, 60, 1, 1, "behind" },
	{ "quote\"s", "逗号,分号;", "两行\n文本", 50, 25, 25, 180000, 1000, 20, "on_track" },
	{ "bad\xff" "utf8", "", "组织 =不是开头", 0, 0, 0, 1, 0, 0, "unknown" },
	{ "ctl\x01\x1f", "<&>", "]]>", 0, 0, 0, 2, 0, 0, "met" },
};

/* The CSV's numbers are formatted without printf (the export's hot path): the same text as
   "%.2f" / "%.0f" for every value a report holds (hours rounded to cents, whole counts), and
   negative values, zeros, large ones. */
static void test_csv_numbers(void **state)
{
	(void)state;
	static const export_col cols[] = { { "h", "scoring.col.credit_hours", EX_HOURS, 8 },
					   { "n", "scoring.col.points", EX_INT, 8 } };
	for (long i = -3000; i <= 300000; i += (i < 1000 ? 1 : 97)) {
		double h = round((double)i * 1.37) / 100, n = (double)i * 1000003;
		sink s = { .calls = 0 };
		buf_init(&s.b);
		csvw w;
		assert_int_equal(csvw_begin(&w, cols, 2, sink_write, &s), 0);
		s.b.len = 0;
		export_cell cells[2] = { { NULL, h }, { NULL, n } };
		assert_int_equal(csvw_row(&w, cells), 0);
		csvw_end(&w);
		char want[96];
		snprintf(want, sizeof want, "%.2f,%.0f\r\n", h, n);
		buf_putc(&s.b, 0);
		assert_string_equal(s.b.p, want);
		buf_free(&s.b);
	}
}

static void test_csv_export(void **state)
{
	(void)state;
	sink s = { .calls = 0 };
	buf_init(&s.b);
	csvw w;
	assert_int_equal(csvw_begin(&w, export_member_cols, export_member_ncols, sink_write, &s), 0);
	export_cell cells[16];
	for (size_t i = 0; i < ARRAY_LEN(test_members); i++) {
		export_member_cells(&test_members[i], cells);
		assert_int_equal(csvw_row(&w, cells), 0);
	}
	assert_int_equal(csvw_end(&w), 0);
	/* One write per line: the header and each row, nothing built whole. */
	assert_int_equal(s.calls, 1 + (int)ARRAY_LEN(test_members));
	/* BOM, then the Chinese header, CRLF. */
	assert_memory_equal(s.b.p, "\xEF\xBB\xBF", 3);
	const char *hdr = "\"用户名\",\"姓名\",\"所属组织\",\"总学时\",\"必修学时\",\"选修学时\",\"学习时长（秒）\",\"积分\",\"完成课程数\",\"考核状态\"\r\n";
	assert_memory_equal(s.b.p + 3, hdr, strlen(hdr));
	/* Every LF is part of a CRLF, except the one inside the quoted two-line cell. */
	int lf = 0, crlf = 0;
	for (size_t i = 0; i < s.b.len; i++)
		if (s.b.p[i] == '\n') {
			lf++;
			crlf += i > 0 && s.b.p[i - 1] == '\r';
		}
	assert_int_equal(lf, 1 + (int)ARRAY_LEN(test_members) + 1);
	assert_int_equal(crlf, lf - 1);
	assert_int_equal(s.b.p[s.b.len - 2], '\r');
	assert_int_equal(s.b.p[s.b.len - 1], '\n');
	/* The first data line exactly: numbers bare, text quoted. */
	assert_non_null(strstr(s.b.p, "\r\n\"zhangsan\",\"张三\",\"第一党支部\",12.50,10.00,2.50,3600,42,3,\"已达标\"\r\n"));
	/* Parsed back with the server's reader: the columns and values, defused cells prefixed. */
	csv_doc doc;
	assert_int_equal(csv_parse(s.b.p, s.b.len, &doc), 0);
	assert_int_equal(doc.nrows, 1 + (int)ARRAY_LEN(test_members));
	for (int r = 0; r < doc.nrows; r++) {
		assert_null(doc.rows[r].error);
		assert_int_equal(doc.rows[r].nfields, (int)export_member_ncols);
	}
	assert_string_equal(doc.rows[0].fields[0], "用户名");   /* BOM stripped by the reader */
	assert_string_equal(doc.rows[0].fields[9], "考核状态");
	char **f = doc.rows[2].fields;
	assert_string_equal(f[0], "'=cmd|' /C calc'!A0");
	assert_string_equal(f[1], "'+SUM(1)");
	assert_string_equal(f[2], "'-2+3");
	assert_string_equal(f[3], "0.25");
	assert_string_equal(f[7], "-3");          /* a number stays a number */
	assert_string_equal(f[9], "有风险");
	f = doc.rows[3].fields;
	assert_string_equal(f[0], "'@import");
	assert_string_equal(f[1], "'\tTab");
	assert_string_equal(f[2], "'\rCR");
	assert_string_equal(f[9], "进度落后");
	f = doc.rows[4].fields;
	assert_string_equal(f[0], "quote\"s");
	assert_string_equal(f[1], "逗号,分号;");
	assert_string_equal(f[2], "两行\n文本");
	assert_string_equal(f[6], "180000");
	assert_string_equal(f[9], "进度正常");
	assert_string_equal(doc.rows[6].fields[0], "ctl\x01\x1f");   /* CSV keeps bytes as they are */
	assert_string_equal(doc.rows[6].fields[1], "<&>");
	f = doc.rows[5].fields;
	assert_string_equal(f[0], "bad\xEF\xBF\xBDutf8");   /* invalid byte replaced */
	assert_string_equal(f[1], "");
	assert_string_equal(f[2], "组织 =不是开头");        /* only the first character counts */
	assert_string_equal(f[9], "unknown");
	for (int r = 0; r < doc.nrows; r++)
		for (int c = 0; c < doc.rows[r].nfields; c++)
			assert_true(utf8_ok(doc.rows[r].fields[c], strlen(doc.rows[r].fields[c])));
	csv_free(&doc);
	buf_free(&s.b);
	/* The cell helper alone. */
	buf b;
	buf_init(&b);
	csv_text_cell(&b, NULL);
	csv_text_cell(&b, "a\"\"b");
	csv_text_cell(&b, "-");
	assert_string_equal(b.p, "\"\"\"a\"\"\"\"b\"\"'-\"");
	buf_free(&b);
	/* A client that goes away: the writer stops and reports it. */
	sink bad = { .fail_after = 2 };
	buf_init(&bad.b);
	assert_int_equal(csvw_begin(&w, export_member_cols, export_member_ncols, sink_write, &bad), 0);
	export_member_cells(&test_members[0], cells);
	assert_int_equal(csvw_row(&w, cells), 0);
	assert_int_equal(csvw_row(&w, cells), -1);
	assert_int_equal(csvw_row(&w, cells), -1);
	assert_int_equal(bad.calls, 3);   /* no more writes after the failure */
	assert_int_equal(csvw_end(&w), -1);
	buf_free(&bad.b);
}

/* Random text cells written and parsed back: every cell comes back as written, with only the
   defusing quote in front and invalid bytes replaced. */
static void test_csv_round_trip_random(void **state)
{
	(void)state;
	static const char *tok[] = { "a", "Z9", ",", "\"", "\r", "\n", "\r\n", "=", "+", "-", "@", "\t",
				     "党", "；", " ", "'", ";", "\xff", "\xe5\x85", "\x01" };
	static const char *out[] = { "a", "Z9", ",", "\"", "\r", "\n", "\r\n", "=", "+", "-", "@", "\t",
				     "党", "；", " ", "'", ";", "\xEF\xBF\xBD", "\xEF\xBF\xBD\xEF\xBF\xBD", "\x01" };
	static const export_col cols[] = {
		{ "a", "scoring.col.username", EX_TEXT, 10 },
		{ "n", "scoring.col.points", EX_INT, 10 },
		{ "b", "scoring.col.name", EX_TEXT, 10 },
	};
	enum { ROWS = 400 };
	static char in_cells[ROWS][2][128], want[ROWS][2][256];
	srand(11);
	sink s = { .calls = 0 };
	buf_init(&s.b);
	csvw w;
	assert_int_equal(csvw_begin(&w, cols, ARRAY_LEN(cols), sink_write, &s), 0);
	for (int r = 0; r < ROWS; r++) {
		for (int c = 0; c < 2; c++) {
			char *in = in_cells[r][c], *wt = want[r][c];
			in[0] = wt[0] = 0;
			int ntok = rand() % 12;
			for (int t = 0; t < ntok; t++) {
				int k = rand() % (int)ARRAY_LEN(tok);
				strcat(in, tok[k]);
				strcat(wt, out[k]);
			}
			if (strchr("=+-@\t\r", in[0]) && in[0]) {
				memmove(wt + 1, wt, strlen(wt) + 1);
				wt[0] = '\'';
			}
		}
		export_cell cells[3] = { { in_cells[r][0], 0 }, { NULL, r - 200 }, { in_cells[r][1], 0 } };
		assert_int_equal(csvw_row(&w, cells), 0);
	}
	assert_int_equal(csvw_end(&w), 0);
	csv_doc doc;
	assert_int_equal(csv_parse(s.b.p, s.b.len, &doc), 0);
	assert_int_equal(doc.nrows, ROWS + 1);
	for (int r = 0; r < ROWS; r++) {
		const csv_row *row = &doc.rows[r + 1];
		assert_null(row->error);
		assert_int_equal(row->nfields, 3);
		assert_string_equal(row->fields[0], want[r][0]);
		assert_string_equal(row->fields[2], want[r][1]);
		char num[16];
		snprintf(num, sizeof num, "%d", r - 200);
		assert_string_equal(row->fields[1], num);
		/* Never a cell that a spreadsheet would start evaluating. */
		for (int c = 0; c < 3; c += 2)
			assert_true(!row->fields[c][0] || !strchr("=+-@\t\r", row->fields[c][0]));
	}
	csv_free(&doc);
	buf_free(&s.b);
}

static int contains(const char *hay, const char *needle)
{
	return strstr(hay, needle) != NULL;
}

static void test_xlsx_export(void **state)
{
	(void)state;
	char *dir = temp_dir();
	char path[512], cmd[1200];
	snprintf(path, sizeof path, "%s/report.xlsx", dir);
	xlsxw w;
	assert_int_equal(xlsxw_begin(&w, path, dir, tr("scoring.sheet.members"), export_member_cols, export_member_ncols), 0);
	export_cell cells[16];
	for (size_t i = 0; i < ARRAY_LEN(test_members); i++) {
		export_member_cells(&test_members[i], cells);
		assert_int_equal(xlsxw_row(&w, cells), 0);
	}
	/* A cell over Excel's limit is cut on a character boundary, not refused. */
	size_t big = 40000;
	char *longtext = xmalloc(big * 3 + 1);
	for (size_t i = 0; i < big; i++)
		memcpy(longtext + i * 3, "党", 3);
	longtext[big * 3] = 0;
	export_member huge = test_members[0];
	huge.name = longtext;
	export_member_cells(&huge, cells);
	assert_int_equal(xlsxw_row(&w, cells), 0);
	free(longtext);
	assert_int_equal(xlsxw_end(&w), 0);

	snprintf(cmd, sizeof cmd, "unzip -p '%s' xl/worksheets/sheet1.xml", path);
	char *sheet = run_capture(cmd);
	snprintf(cmd, sizeof cmd, "unzip -p '%s' xl/sharedStrings.xml 2>/dev/null; true", path);
	char *shared = run_capture(cmd);
	snprintf(cmd, sizeof cmd, "unzip -p '%s' xl/workbook.xml", path);
	char *book = run_capture(cmd);
	/* Well-formed XML even with control characters and markup in the cells. */
	if (system("command -v xmllint >/dev/null 2>&1") == 0) {
		snprintf(cmd, sizeof cmd, "unzip -p '%s' xl/worksheets/sheet1.xml | xmllint --noout -", path);
		assert_int_equal(system(cmd), 0);
	}
	assert_true(contains(sheet, "&lt;&amp;&gt;"));
	/* Chinese headers (inline in constant_memory mode, or in the shared strings). */
	const char *heads[] = { "用户名", "姓名", "所属组织", "总学时", "学习时长（秒）", "考核状态" };
	for (size_t i = 0; i < ARRAY_LEN(heads); i++)
		assert_true(contains(sheet, heads[i]) || contains(shared, heads[i]));
	assert_true(contains(sheet, "第一党支部") || contains(shared, "第一党支部"));
	/* The frozen header row. */
	assert_true(contains(sheet, "<pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/>"));
	/* Column widths. */
	assert_true(contains(sheet, "<cols>"));
	assert_true(contains(sheet, "<col min=\"3\" max=\"3\" width=\""));
	/* Numbers as numbers: a <c> without t= (or t="n") holding <v>. */
	assert_true(contains(sheet, "<c r=\"G2\"><v>3600</v></c>") || contains(sheet, "<c r=\"G2\" t=\"n\"><v>3600</v></c>"));
	assert_true(contains(sheet, "<c r=\"H3\"><v>-3</v></c>"));
	char *d2 = strstr(sheet, "<c r=\"D2\"");
	assert_non_null(d2);
	assert_true(strncmp(d2, "<c r=\"D2\" s=\"", 13) == 0);   /* hours carry the 0.00 format */
	char *d2end = strstr(d2, "</c>");
	assert_non_null(d2end);
	assert_true(strstr(d2, "<v>12.5</v>") && strstr(d2, "<v>12.5</v>") < d2end);
	assert_false(strncmp(d2, "<c r=\"D2\" t=", 12) == 0);
	/* Text is text, never a formula. */
	assert_false(contains(sheet, "<f>"));
	assert_true(contains(sheet, "=cmd|") || contains(shared, "=cmd|"));
	/* The sheet's Chinese name. */
	assert_true(contains(book, "学员学时"));
	free(sheet);
	free(shared);
	free(book);
	/* Unwritable path: begin or end fails, never crashes. */
	int rc = xlsxw_begin(&w, "/nonexistent/dir/x.xlsx", NULL, "a", export_member_cols, export_member_ncols);
	if (rc == 0)
		assert_int_equal(xlsxw_end(&w), -1);
	assert_int_equal(rm_rf(dir), 0);
	free(dir);
}

/* ------------------------------------------------------------------ charts */

/* Writes svg to a file and runs xmllint --noout on it (when installed), else checks tag balance. */
static void assert_well_formed(const char *svg)
{
	char *dir = temp_dir();
	char path[512], cmd[1200];
	snprintf(path, sizeof path, "%s/c.svg", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(svg, f);
	fclose(f);
	if (system("command -v xmllint >/dev/null 2>&1") == 0) {
		snprintf(cmd, sizeof cmd, "xmllint --noout '%s'", path);
		assert_int_equal(system(cmd), 0);
	} else {
		int opens = 0, closes = 0;
		for (const char *p = svg; (p = strchr(p, '<')) != NULL; p++)
			p[1] == '/' ? closes++ : opens++;
		assert_true(opens >= closes);
	}
	assert_int_equal(rm_rf(dir), 0);
	free(dir);
}

static void test_chart_share_bars(void **state)
{
	(void)state;
	const char *longname = "中共某某市委党校第一教研部党支部委员会";   /* 19 characters */
	chart_item items[] = {
		{ "<b>A&B \"x\" 'y'</b>", 50 },
		{ longname, 100 },
		{ "负数", -20 },
		{ "超出", 180 },
		{ "非数", NAN },
		{ "控制\x01字符", 12.34 },
		{ NULL, 5 },
	};
	buf b;
	buf_init(&b);
	chart_share_bars(&b, "各组织达标率 <测试>", items, ARRAY_LEN(items));
	assert_well_formed(b.p);
	assert_true(contains(b.p, "viewBox=\"0 0 640 "));
	assert_false(contains(b.p, "width=\"640\""));
	assert_true(contains(b.p, "role=\"img\""));
	assert_true(contains(b.p, "aria-label=\"各组织达标率 &lt;测试&gt;\""));
	assert_true(contains(b.p, "<title>各组织达标率 &lt;测试&gt;</title>"));
	assert_true(contains(b.p, "<desc>&lt;b&gt;A&amp;B &quot;x&quot; &#39;y&#39;&lt;/b&gt;：50%"));
	assert_false(contains(b.p, "<b>"));
	/* Long label: the first 9 characters and "…" on the bar, the whole one in its <title>. */
	assert_true(contains(b.p, ">中共某某市委党校第…</text>"));
	assert_true(contains(b.p, "<title>中共某某市委党校第一教研部党支部委员会：100%</title>"));
	/* Values clamped to 0..100. */
	assert_true(contains(b.p, "<title>负数：0%</title>"));
	assert_true(contains(b.p, "<title>超出：100%</title>"));
	assert_true(contains(b.p, "<title>非数：0%</title>"));
	assert_true(contains(b.p, "<title>控制 字符：12.3%</title>"));
	assert_false(contains(b.p, "\x01"));
	buf_free(&b);
	/* Random hostile labels: still well-formed XML. */
	static const char *tok[] = { "<", ">", "&", "\"", "'", "]]>", "\x01", "\x1f", "\xff", "\xe5\x85", "党",
				     "a", "&amp;", "<!--", "\t", "\n", "𠀀" };
	static char labels[120][128];
	chart_item many[120];
	srand(5);
	for (int i = 0; i < 120; i++) {
		labels[i][0] = 0;
		for (int t = rand() % 14; t > 0; t--)
			strcat(labels[i], tok[rand() % (int)ARRAY_LEN(tok)]);
		many[i] = (chart_item){ labels[i], rand() % 101 };
	}
	buf_init(&b);
	chart_share_bars(&b, labels[7], many, 120);
	assert_well_formed(b.p);
	assert_true(utf8_ok(b.p, b.len));
	b.len = 0;
	chart_weekly_columns(&b, labels[9], many, 120);
	assert_well_formed(b.p);
	assert_true(utf8_ok(b.p, b.len));
	buf_free(&b);
	/* No rows. */
	buf_init(&b);
	chart_share_bars(&b, "空", NULL, 0);
	assert_well_formed(b.p);
	assert_true(contains(b.p, "<desc>暂无数据</desc>"));
	assert_true(contains(b.p, ">暂无数据</text>"));
	buf_free(&b);
}

static void test_chart_weekly_columns(void **state)
{
	(void)state;
	chart_item weeks[52];
	char labels[52][32];
	for (int i = 0; i < 52; i++) {
		snprintf(labels[i], sizeof labels[i], "第%d周", i + 1);
		weeks[i] = (chart_item){ labels[i], (i % 7) * 1800.0 };
	}
	buf b;
	buf_init(&b);
	chart_weekly_columns(&b, "每周学习时长", weeks, 52);
	assert_well_formed(b.p);
	assert_true(contains(b.p, "role=\"img\" aria-label=\"每周学习时长\""));
	assert_true(contains(b.p, "<desc>第1周：0小时；第2周：0.5小时；"));
	assert_true(contains(b.p, "<title>第7周：3小时</title>"));
	/* The scale rounds 3 h up to 5 h; every column has a title. */
	assert_true(contains(b.p, ">5</text>"));
	int cols = 0;
	for (const char *p = b.p; (p = strstr(p, "<g class=\"dx-col\">")) != NULL; p++)
		cols++;
	assert_int_equal(cols, 52);
	buf_free(&b);
	buf_init(&b);
	chart_item one[] = { { "A<&>", 0 } };
	chart_weekly_columns(&b, "t&t", one, 1);
	assert_well_formed(b.p);
	assert_true(contains(b.p, "<title>t&amp;t</title>"));
	assert_true(contains(b.p, "A&lt;&amp;&gt;"));
	buf_free(&b);
	buf_init(&b);
	chart_weekly_columns(&b, "空", NULL, 0);
	assert_well_formed(b.p);
	assert_true(contains(b.p, "暂无数据"));
	buf_free(&b);
	/* The cut helper on UTF-8 boundaries, and invalid bytes. */
	buf_init(&b);
	svg_escape_cut(&b, "一二三四五", 5);
	assert_string_equal(b.p, "一二三四五");
	b.len = 0;
	svg_escape_cut(&b, "一二三四五六", 5);
	assert_string_equal(b.p, "一二三四…");
	b.len = 0;
	svg_escape_cut(&b, "ab\xe4\xb8", 10);
	assert_string_equal(b.p, "ab\xEF\xBF\xBD\xEF\xBF\xBD");
	assert_true(utf8_ok(b.p, b.len));
	b.len = 0;
	svg_escape_cut(&b, "长标签", 1);
	assert_string_equal(b.p, "…");
	buf_free(&b);
}

/* ------------------------------------------------------------------ reminders */

static json_t *parse_message(const char *msg, const char **content)
{
	json_error_t e;
	json_t *j = json_loads(msg, 0, &e);
	if (!j)
		fail_msg("reminder is not JSON: %s", e.text);
	assert_string_equal(json_string_value(json_object_get(j, "msgtype")), "text");
	*content = json_string_value(json_object_get(json_object_get(j, "text"), "content"));
	assert_non_null(*content);
	assert_true(utf8_ok(*content, strlen(*content)));
	return j;
}

static void test_remind_message(void **state)
{
	(void)state;
	const char *b1[] = { "张三", "李四" }, *r1[] = { "王五" }, *b3[] = { "赵\"六\n" };
	remind_org orgs[] = {
		{ "第一党支部", b1, 2, r1, 1 },
		{ "第二党支部", NULL, 0, NULL, 0 },   /* nobody behind: left out */
		{ "第三党支部", b3, 1, NULL, 0 },
	};
	char *m = remind_message(2026, orgs, ARRAY_LEN(orgs), REMIND_CONTENT_MAX);
	assert_non_null(m);
	const char *c;
	json_t *j = parse_message(m, &c);
	assert_string_equal(c, "【学时提醒】2026 年度学时考核\n第一党支部：有风险 1 人：王五；进度落后 2 人：张三、李四\n"
			       "第三党支部：进度落后 1 人：赵\"六 ");
	json_decref(j);
	free(m);
	/* Nobody behind anywhere. */
	m = remind_message(2026, orgs + 1, 1, REMIND_CONTENT_MAX);
	j = parse_message(m, &c);
	assert_true(contains(c, "目前没有进度落后或有风险的学员"));
	json_decref(j);
	free(m);
	/* A thousand names: bounded, the rest summed up as 等N人. */
	static char names[1000][24];
	const char *many[1000];
	for (int i = 0; i < 1000; i++) {
		snprintf(names[i], sizeof names[i], "学员%03d", i);
		many[i] = names[i];
	}
	remind_org big[] = { { "大支部", many, 1000, many, 1000 } };
	m = remind_message(2026, big, 1, REMIND_CONTENT_MAX);
	j = parse_message(m, &c);
	assert_true(strlen(c) <= REMIND_CONTENT_MAX);
	assert_true(contains(c, "有风险 1000 人：学员000、学员001"));
	assert_true(contains(c, "等1000人"));
	json_decref(j);
	free(m);
	/* Five hundred organisations: those that no longer fit are counted in the last line. */
	static remind_org lots[500];
	static char onames[500][32];
	for (int i = 0; i < 500; i++) {
		snprintf(onames[i], sizeof onames[i], "第%d党支部", i + 1);
		lots[i] = (remind_org){ onames[i], many, 3, NULL, 0 };
	}
	for (size_t limit = 200; limit <= 8192; limit *= 2) {
		m = remind_message(2026, lots, 500, limit);
		j = parse_message(m, &c);
		assert_true(strlen(c) <= limit);
		int listed = 0;
		for (const char *p = c; (p = strstr(p, "党支部：")) != NULL; p++)
			listed++;
		assert_true(listed >= 1 && listed < 500);
		char want[64];
		snprintf(want, sizeof want, "另有 %d 个组织未列出", 500 - listed);
		assert_true(contains(c, want));
		json_decref(j);
		free(m);
	}
	/* A bound so small that no name fits: the counts alone, no dangling "等N人". */
	static char longname[400];
	memset(longname, 'x', sizeof longname - 1);
	const char *one[] = { longname };
	remind_org tight[] = { { "支部", one, 1, NULL, 0 } };
	m = remind_message(2026, tight, 1, 200);
	j = parse_message(m, &c);
	assert_string_equal(c, "【学时提醒】2026 年度学时考核\n支部：进度落后 1 人：");
	json_decref(j);
	free(m);
	/* Tiny bounds are raised to 200; invalid UTF-8 in names is replaced, the JSON still parses. */
	const char *badname[] = { "bad\xc3" };
	remind_org bad[] = { { "组织\xff", badname, 1, NULL, 0 } };
	m = remind_message(2026, bad, 1, 10);
	j = parse_message(m, &c);
	assert_true(contains(c, "\xEF\xBF\xBD"));
	json_decref(j);
	free(m);
}

static void test_remind_backoff(void **state)
{
	(void)state;
	int64_t plo = 0, phi = 0;
	int reached_cap = 0;
	for (int a = 1; a <= 64; a++) {
		int64_t lo, hi;
		remind_backoff_bounds(a, &lo, &hi);
		assert_true(lo > 0 && lo <= hi);
		assert_true(hi <= REMIND_RETRY_CAP_S);
		assert_true(lo >= hi * 3 / 4);
		assert_true(hi >= phi && lo >= plo);          /* monotone */
		if (hi < REMIND_RETRY_CAP_S)
			assert_true(a == 1 || lo > phi);       /* strictly later than any earlier draw */
		if (a == 1) {
			assert_int_equal(hi, REMIND_RETRY_BASE_S);
		}
		reached_cap |= hi == REMIND_RETRY_CAP_S;
		/* Draws stay inside the bounds, whatever u is. */
		double us[] = { 0, 0.25, 0.5, 0.999999, 1, 2, -1, NAN };
		for (size_t i = 0; i < ARRAY_LEN(us); i++) {
			int64_t s = remind_backoff_s(a, us[i]);
			assert_true(s >= lo && s <= hi);
		}
		assert_int_equal(remind_backoff_s(a, 0), lo);
		assert_int_equal(remind_backoff_s(a, 0.999999), hi);
		assert_int_equal(remind_backoff_s(a, 0.3), remind_backoff_s(a, 0.3));   /* pure */
		plo = lo;
		phi = hi;
	}
	assert_true(reached_cap);
	int64_t lo, hi;
	remind_backoff_bounds(2, &lo, &hi);
	assert_int_equal(hi, 60);
	assert_int_equal(lo, 45);
	remind_backoff_bounds(0, &lo, &hi);
	assert_int_equal(hi, REMIND_RETRY_BASE_S);
	remind_backoff_bounds(-7, &lo, &hi);
	assert_int_equal(hi, REMIND_RETRY_BASE_S);
	remind_backoff_bounds(INT_MAX, &lo, &hi);
	assert_int_equal(hi, REMIND_RETRY_CAP_S);
	assert_true(remind_delivered(200));
	assert_true(remind_delivered(204));
	assert_false(remind_delivered(0));      /* refused / timed out */
	assert_false(remind_delivered(500));
	assert_false(remind_delivered(429));
	assert_false(remind_delivered(301));
}

/* ------------------------------------------------------------------ catalog */

static void test_catalog_keys(void **state)
{
	(void)state;
	json_error_t je;
	json_t *cat = json_load_file("web/i18n/zh-CN.json", JSON_REJECT_DUPLICATES, &je);
	assert_non_null(cat);
	const char *keys[] = {
		"scoring.err.rule_code", "scoring.err.rule_unit", "scoring.err.rule_points", "scoring.err.rule_cap",
		"scoring.err.rule_date", "scoring.err.rule_date_past", "scoring.err.year_range", "scoring.err.req_hours",
		"scoring.err.req_required_gt_total", "scoring.err.key_mode", "scoring.err.key_bad", "scoring.err.key_io",
		"scoring.chart.empty", "scoring.chart.hours_unit", "scoring.remind.title", "scoring.remind.at_risk",
		"scoring.remind.behind", "scoring.remind.and_more", "scoring.remind.more_orgs", "scoring.remind.none",
		"scoring.sheet.members", "scoring.status.met", "scoring.status.on_track", "scoring.status.behind",
		"scoring.status.at_risk",
	};
	for (size_t i = 0; i < ARRAY_LEN(keys); i++) {
		const char *v = json_string_value(json_object_get(cat, keys[i]));
		if (!v)
			fail_msg("missing catalog key %s", keys[i]);
	}
	for (size_t i = 0; i < export_member_ncols; i++)
		assert_non_null(json_string_value(json_object_get(cat, export_member_cols[i].label_key)));
	for (size_t i = 0; i < rule_ndefaults; i++) {
		char k[64];
		snprintf(k, sizeof k, "scoring.rule.%s", rule_defaults[i].code);
		assert_non_null(json_string_value(json_object_get(cat, k)));
		snprintf(k, sizeof k, "scoring.unit.%s", rule_unit_name(rule_defaults[i].unit));
		assert_non_null(json_string_value(json_object_get(cat, k)));
	}
	for (int v = CV_OK; v <= CV_BAD_SIGNATURE; v++) {
		char k[64];
		snprintf(k, sizeof k, "scoring.verify.%s", chain_verdict_name((chain_verdict)v));
		assert_non_null(json_string_value(json_object_get(cat, k)));
	}
	/* Every scoring.* message is Chinese: no Latin words outside the {n} placeholder, except the
	 * names of formats and protocols a user meets as such (CSV, XLSX, JSON, Webhook, http(s)). */
	static const char *const allowed[] = {"json", "csv", "xlsx", "excel", "webhook", "http", "https"};
	const char *key;
	json_t *val;
	char bad[512] = "";
	json_object_foreach(cat, key, val) {
		if (strncmp(key, "scoring.", 8) || bad[0])
			continue;
		const char *s = json_string_value(val);
		if (!s) {
			snprintf(bad, sizeof bad, "%s is not a string", key);
			break;
		}
		for (const char *p = s; *p && !bad[0]; p++) {
			if (!strncmp(p, "{n}", 3)) {
				p += 2;
				continue;
			}
			if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
				continue;
			size_t n = 0;
			while ((p[n] >= 'a' && p[n] <= 'z') || (p[n] >= 'A' && p[n] <= 'Z'))
				n++;
			int ok = 0;
			for (size_t i = 0; i < ARRAY_LEN(allowed); i++)
				ok |= strlen(allowed[i]) == n && !strncasecmp(p, allowed[i], n);
			if (!ok)
				snprintf(bad, sizeof bad, "English inside %s: %s", key, s);
			p += n - 1;
		}
	}
	json_decref(cat);
	if (bad[0])
		fail_msg("%s", bad);
}

static int setup(void **state)
{
	(void)state;
	if (sodium_init() < 0)
		return -1;
	return i18n_load("web");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rule_defaults),
		cmocka_unit_test(test_rule_versions_by_effective_day),
		cmocka_unit_test(test_rule_every_cap),
		cmocka_unit_test(test_rule_study_time),
		cmocka_unit_test(test_rule_validation),
		cmocka_unit_test(test_chain_encoding),
		cmocka_unit_test(test_chain_good_verifies),
		cmocka_unit_test(test_chain_changed_field),
		cmocka_unit_test(test_chain_removed_row),
		cmocka_unit_test(test_chain_rechained_row),
		cmocka_unit_test(test_chain_iterator_contract),
		cmocka_unit_test(test_chain_signing_run),
		cmocka_unit_test(test_chain_key_file),
		cmocka_unit_test(test_credit_hours_suggestion),
		cmocka_unit_test(test_projection_year_end),
		cmocka_unit_test(test_requirement_inheritance),
		cmocka_unit_test(test_requirement_validation),
		cmocka_unit_test(test_csv_export),
		cmocka_unit_test(test_csv_round_trip_random),
		cmocka_unit_test(test_xlsx_export),
		cmocka_unit_test(test_chart_share_bars),
		cmocka_unit_test(test_chart_weekly_columns),
		cmocka_unit_test(test_remind_message),
		cmocka_unit_test(test_remind_backoff),
		cmocka_unit_test(test_catalog_keys),
		cmocka_unit_test(test_csv_numbers),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
