/* chain.h — the points ledger's per-member hash chains and Ed25519-signed checkpoints (libsodium). */
#ifndef DANGXIAO_SCORING_CHAIN_H
#define DANGXIAO_SCORING_CHAIN_H

#include <stddef.h>
#include <stdint.h>
#include <sodium.h>

#define CHAIN_HASH_BYTES 32   /* BLAKE2b-256 */
#define CHAIN_SIG_BYTES  64   /* Ed25519 detached signature */
#define CHAIN_KEY_FILE   "ledger.key"

/* One ledger row as the chain sees it. Strings are borrowed (the iterator owns them). */
typedef struct ledger_row {
	int64_t id;                              /* database row id: only for reports, not hashed */
	int64_t member_id;
	const char *rule;
	int64_t points;
	const char *ref;
	int64_t at;                              /* unix time of the award */
	const char *detail;                      /* JSON object of the award's facts (a course's credit
						    hours, a certificate's digest), or NULL */
	unsigned char prev[CHAIN_HASH_BYTES];    /* hash of the member's previous row (zeros first) */
	unsigned char hash[CHAIN_HASH_BYTES];    /* this row's stored hash */
} ledger_row;

/* Canonical encoding of a row: the tag "dxledger2", then member, points and at as 8-byte
   big-endian two's complement, rule, ref and detail as a 4-byte big-endian length followed by the
   bytes, in the order member, rule, points, ref, at, detail, then the 32 bytes of prev. Every field has a fixed width or a length, so no two different rows
   encode the same. Appends to out (xrealloc'd *out of *cap bytes), returns the length written
   from offset 0. NULL strings encode as empty. */
size_t chain_encode(const ledger_row *r, unsigned char **out, size_t *cap);
/* hash = BLAKE2b-256(chain_encode(r)); uses r->prev, ignores r->hash and r->id. */
void chain_row_hash(const ledger_row *r, unsigned char hash[CHAIN_HASH_BYTES]);
/* The prev of a member's first row: 32 zero bytes. */
extern const unsigned char chain_genesis[CHAIN_HASH_BYTES];

/* ---- Signing key: Ed25519, one file in the data folder, never in the database ---- */
typedef struct chain_key {
	unsigned char pk[32];
	unsigned char sk[64];
} chain_key;

/* New random key pair (sodium_init is called). */
void chain_key_generate(chain_key *k);
/* Writes the 64-byte secret key (which contains the public key) to path with mode 0600:
   a temporary file in the same folder, fsync, rename over path. 0 or -1 (errno set). */
int chain_key_save(const chain_key *k, const char *path);
/* Reads a key written by chain_key_save. Refuses (-1, *why set) a file that is not a regular
   file, is a symlink, is owned by another user, is readable or writable by group or others
   ("key_mode"), has the wrong size or an inconsistent key pair ("key_bad"), or cannot be read
   ("key_io"). */
int chain_key_load(chain_key *k, const char *path, const char **why);
/* Loads dir/ledger.key, creating it when missing. Same refusals as chain_key_load. */
int chain_key_load_or_create(chain_key *k, const char *dir, const char **why);
/* Wipes the secret key from memory. */
void chain_key_wipe(chain_key *k);

/* ---- Checkpoints ---- */
typedef struct chain_checkpoint {
	int64_t member_id;
	int64_t count;                           /* rows of the chain covered: 1..count */
	unsigned char head[CHAIN_HASH_BYTES];    /* hash of row number `count` */
	int64_t at;                              /* unix time of signing */
	unsigned char sig[CHAIN_SIG_BYTES];
} chain_checkpoint;

/* The signed message: "dxcheckpoint1", member, count, at (8-byte big-endian each), head. */
void chain_checkpoint_sign(chain_checkpoint *cp, const chain_key *k);
/* 1 when cp->sig is a valid signature of cp's fields under pk, else 0. */
int chain_checkpoint_verify(const chain_checkpoint *cp, const unsigned char pk[32]);

/* ---- Signing runs: one signature over many checkpoints ----
   An Ed25519 check costs about 75 µs of CPU (measured here, against 0.3 µs to hash a row), so
   100,000 members × a year of daily checkpoints cannot each carry a signature that verify checks.
   A signing run therefore signs once: the message is "dxbatch1", the run's id, time and number of
   checkpoints (8-byte big-endian each) and the BLAKE2b-256 digest of its checkpoints, each
   absorbed as member, count, at (8 bytes each) and head, in ascending member order. Editing,
   adding, dropping or reordering any checkpoint of a run breaks its signature. */
typedef struct chain_batch {
	crypto_generichash_state state;
	int64_t id, at, n;
} chain_batch;

void chain_batch_begin(chain_batch *b, int64_t batch_id, int64_t at);
void chain_batch_add(chain_batch *b, const chain_checkpoint *cp);
/* Finishes the run and writes its signature. */
void chain_batch_sign(chain_batch *b, const chain_key *k, unsigned char sig[CHAIN_SIG_BYTES]);
/* Finishes the run and checks sig: 1 valid, 0 not. */
int chain_batch_verify(chain_batch *b, const unsigned char sig[CHAIN_SIG_BYTES], const unsigned char pk[32]);

/* ---- Verification ---- */
typedef enum {
	CV_OK = 0,
	CV_TAMPERED,    /* the row's stored hash is not the hash of its fields: a field was changed */
	CV_BROKEN_LINK, /* the row's prev is not the previous row's hash: a row removed or moved */
	CV_CHECKPOINT,  /* consistent chain, but its hash at a checkpoint differs from the signed one:
			   rows re-chained (hashes recomputed) after the checkpoint was signed */
	CV_TRUNCATED,   /* fewer rows than a signed checkpoint covers: rows removed at the end */
	CV_BAD_SIGNATURE,
	CV_ORDER,       /* the iterator broke its contract (rows not grouped by member) */
	CV_IO           /* an iterator returned an error */
} chain_verdict;

/* Stable name ("ok", "tampered", "broken_link", "checkpoint", "truncated", "bad_signature",
   "order", "io"). */
const char *chain_verdict_name(chain_verdict v);

/* Iterators. Each returns 1 with *out filled, 0 at the end, -1 on error.
   Rows: grouped by member in ascending member order, each member's rows in chain order.
   Checkpoints: ascending member, then ascending count. */
typedef int (*chain_row_next)(void *ctx, ledger_row *out);
typedef int (*chain_cp_next)(void *ctx, chain_checkpoint *out);

typedef struct chain_report {
	chain_verdict verdict;
	int64_t member_id;      /* the first broken member (0 when ok) */
	int64_t index;          /* 0-based position of the first broken row in its member's chain */
	int64_t row_id;         /* its id (0 when the row is missing: CV_TRUNCATED) */
	/* CV_CHECKPOINT: the altered rows lie in index..last_index (ids row_id..last_row_id): after
	   the last checkpoint that still matches and up to the first one that does not. */
	int64_t last_index, last_row_id;
	int64_t members, rows, checkpoints;   /* counted up to the first problem (all when ok) */
} chain_report;

/* Walks every chain once (memory independent of the number of rows) and stops at the first
   problem, in this order per row: tampered, broken link; and per checkpoint: bad signature,
   checkpoint mismatch, truncation. Returns the verdict (also in rep->verdict).
   pk NULL: the checkpoints' own signatures are not checked, because the caller authenticated
   them beforehand through their signing runs (chain_batch_verify). cps NULL: no checkpoints. */
chain_verdict chain_verify(chain_row_next rows, void *rows_ctx, chain_cp_next cps, void *cps_ctx,
			   const unsigned char pk[32], chain_report *rep);

#endif
