/* ledger_check.h — what other modules use of the points ledger's integrity checks, without the
 * chain's own types (scoring/chain.h): reading one row of a member's chain with the chain checked,
 * and adding a check of their own to `dangxiao verify`. */
#ifndef DX_SCORING_LEDGER_CHECK_H
#define DX_SCORING_LEDGER_CHECK_H
#include <stdint.h>
#include <stdio.h>

/* One row of a member's chain, checked where it is read (the public verification of a
   certificate): the member's whole chain is walked (every row hashes to its stored hash and links
   to the one before; its hash at each checkpoint is the one stored there; the signing runs
   themselves are authenticated by `dangxiao verify`). Returns 1 with *detail (malloc'd, "" when
   NULL) when the row (member, rule, ref) exists in an intact chain, 0 when there is no such row,
   -1 when the chain is broken or cannot be read. */
int ledger_row_checked(int64_t user_id, const char *rule, const char *ref, char **detail);

/* Other modules' checks of facts the ledger covers (a certificate's digest in its ledger row),
   run by `dangxiao verify` after the chains and totals are good, inside its read snapshot. Each
   prints the first problem to err and returns 1, or returns 0; at most 8 (register in init). */
typedef int (*ledger_also_fn)(FILE *out, FILE *err);
void ledger_verify_also(ledger_also_fn fn);
/* Runs the registered checks in order (ledger_verify): 0 all good, 1 at the first problem. */
int ledger_verify_others(FILE *out, FILE *err);
#endif
