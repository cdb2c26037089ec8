/* ledger.h — the points ledger in the database: the rules in force, append-only hash-chained rows,
 * signing runs over the chain heads (a daily service and `verify`), and the verifier.
 *
 * Tables (scoring/module.c, migration 2): point_rules (admins' versions; the defaults of
 * rules.c apply where a code has none), ledger (member, seq: the chain; unique (member, rule, ref)),
 * ledger_heads (each chain's last seq and hash, and how far it is signed), ledger_batches and
 * ledger_checkpoints (signing runs), score_daily (a member's points per rule and day, for the
 * daily caps, and the day's study seconds). docs/operations.md has the threat model.
 */
#ifndef DX_SCORING_LEDGER_H
#define DX_SCORING_LEDGER_H
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>

#include "scoring/chain.h"
#include "scoring/rules.h"
#include "scoring/ledger_check.h"

/* One award as written to the ledger. */
typedef struct award {
	int64_t user_id;
	const char *rule;   /* a RULE_* code */
	int64_t points;
	const char *ref;    /* unique per (member, rule): the idempotency key */
	int64_t at;         /* unix seconds of the server's clock */
	const char *detail; /* JSON object (hashed with the row), or NULL */
} award;

/* Appends a row to the member's chain inside the caller's write transaction: 1 written, 0 when
   (member, rule, ref) has its row already (nothing written: a replayed award), -1 on error. */
int ledger_append(const award *a);

/* The academy's day of unix time t: as YYYYMMDD, as a day number (rules.h) and its year. */
typedef struct academy_day {
	int ymd, dayno, year;
} academy_day;
academy_day academy_day_of(int64_t t);

/* The version of rule `code` in force on day number `day`: the newest admin version effective
   by then (point_rules), else the default. 0, or -1 for an unknown code. */
int rules_in_force(const char *code, int day, point_rule *out);
/* After a change to point_rules is committed: every thread reads the rules again. */
void rules_changed(void);

/* Signs, as one signing run, every chain head not yet covered by a checkpoint, in its own write
   transaction; the head signed is the hash of the chain's last row as stored. Returns the number
   of heads signed (0: nothing new, no run written), or -1. */
int64_t ledger_sign_heads(const chain_key *k, int64_t at);

/* The daily signer (a background service): signs the heads once per academy day, at start and
   after each local midnight of the server's clock. Loads or creates DATA/ledger.key first and
   refuses to start on a key file that is not safe (0600, ours) or is damaged. */
int ledger_signer_start(void);
void ledger_signer_stop(void);

/* A row of `SELECT user_id, seq, rule, points, ref, at, detail, prev, hash FROM ledger` and one of
   `SELECT user_id, count, head, at FROM ledger_checkpoints` as the chain sees them (strings borrowed
   from the statement; a hash blob of the wrong size reads as zeros, so it fails every comparison). */
void ledger_row_read(sqlite3_stmt *st, ledger_row *out);
void ledger_cp_read(sqlite3_stmt *st, chain_checkpoint *out);

/* `dangxiao verify`: checks every signing run, every chain against its rows and checkpoints, and
   the yearly totals against the ledger; prints what it checked to out, the first problem to err.
   Then (all good) signs the heads. Returns the exit status: 0 good, 1 a problem. */
int ledger_verify(const char *data_dir, FILE *out, FILE *err);

#endif
