/* chain.c — the points ledger's per-member hash chains and Ed25519-signed checkpoints (libsodium). */
#include "scoring/chain.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const unsigned char chain_genesis[CHAIN_HASH_BYTES];

static void put_be64(unsigned char *p, int64_t v)
{
	uint64_t u = (uint64_t)v;
	for (int i = 7; i >= 0; i--, u >>= 8)
		p[i] = (unsigned char)(u & 0xff);
}

static void put_be32(unsigned char *p, uint32_t u)
{
	for (int i = 3; i >= 0; i--, u >>= 8)
		p[i] = (unsigned char)(u & 0xff);
}

size_t chain_encode(const ledger_row *r, unsigned char **out, size_t *cap)
{
	static const char tag[] = "dxledger2";   /* domain separation and format version */
	const char *rule = r->rule ? r->rule : "", *ref = r->ref ? r->ref : "";
	const char *detail = r->detail ? r->detail : "";
	size_t lrule = strlen(rule), lref = strlen(ref), ldetail = strlen(detail);
	size_t need = sizeof tag + 8 * 3 + 4 * 3 + lrule + lref + ldetail + CHAIN_HASH_BYTES;
	if (*cap < need) {
		*out = xrealloc(*out, need);
		*cap = need;
	}
	unsigned char *p = *out;
	memcpy(p, tag, sizeof tag);   /* includes the NUL */
	p += sizeof tag;
	put_be64(p, r->member_id), p += 8;
	put_be32(p, (uint32_t)lrule), p += 4;
	memcpy(p, rule, lrule), p += lrule;
	put_be64(p, r->points), p += 8;
	put_be32(p, (uint32_t)lref), p += 4;
	memcpy(p, ref, lref), p += lref;
	put_be64(p, r->at), p += 8;
	put_be32(p, (uint32_t)ldetail), p += 4;
	memcpy(p, detail, ldetail), p += ldetail;
	memcpy(p, r->prev, CHAIN_HASH_BYTES), p += CHAIN_HASH_BYTES;
	return (size_t)(p - *out);
}

void chain_row_hash(const ledger_row *r, unsigned char hash[CHAIN_HASH_BYTES])
{
	unsigned char small[256], *enc = NULL;
	size_t cap = 0, n;
	const char *rule = r->rule ? r->rule : "", *ref = r->ref ? r->ref : "";
	const char *detail = r->detail ? r->detail : "";
	if (strlen(rule) + strlen(ref) + strlen(detail) + 110 <= sizeof small) {
		/* The common case hashes from the stack: verify walks millions of rows. */
		unsigned char *p = small;
		cap = sizeof small;
		n = chain_encode(r, &p, &cap);
		crypto_generichash(hash, CHAIN_HASH_BYTES, small, n, NULL, 0);
		return;
	}
	n = chain_encode(r, &enc, &cap);
	crypto_generichash(hash, CHAIN_HASH_BYTES, enc, n, NULL, 0);
	free(enc);
}

/* ---- Key ---- */

void chain_key_generate(chain_key *k)
{
	if (sodium_init() < 0)
		dx_fatal("sodium_init failed");
	crypto_sign_keypair(k->pk, k->sk);
}

void chain_key_wipe(chain_key *k)
{
	sodium_memzero(k, sizeof *k);
}

int chain_key_save(const chain_key *k, const char *path)
{
	/* Beside the target, synced, renamed into place; 0600 from its creation on. */
	return write_file_atomic(path, k->sk, sizeof k->sk, 0600);
}

int chain_key_load(chain_key *k, const char *path, const char **why)
{
	const char *dummy;
	if (!why)
		why = &dummy;
	*why = "key_io";
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ELOOP)
			*why = "key_mode";
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) != 0) {
		close(fd);
		return -1;
	}
	/* Checked on the open descriptor, so the file cannot be swapped between check and read. */
	if (!S_ISREG(st.st_mode) || (st.st_mode & 077) || st.st_uid != geteuid()) {
		*why = "key_mode";
		close(fd);
		return -1;
	}
	if (st.st_size != (off_t)sizeof k->sk) {
		*why = "key_bad";
		close(fd);
		return -1;
	}
	size_t off = 0;
	while (off < sizeof k->sk) {
		ssize_t r = read(fd, k->sk + off, sizeof k->sk - off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			close(fd);
			chain_key_wipe(k);
			return -1;
		}
		off += (size_t)r;
	}
	close(fd);
	if (sodium_init() < 0)
		dx_fatal("sodium_init failed");
	/* The secret key is seed || public key: rebuild the pair from the seed and compare. */
	unsigned char seed[32], pk[32], sk[64];
	crypto_sign_ed25519_sk_to_seed(seed, k->sk);
	crypto_sign_seed_keypair(pk, sk, seed);
	int same = sodium_memcmp(sk, k->sk, sizeof sk) == 0;
	sodium_memzero(seed, sizeof seed);
	sodium_memzero(sk, sizeof sk);
	if (!same) {
		*why = "key_bad";
		chain_key_wipe(k);
		return -1;
	}
	memcpy(k->pk, pk, sizeof pk);
	return 0;
}

int chain_key_load_or_create(chain_key *k, const char *dir, const char **why)
{
	char path[4096], tmp[4200];
	snprintf(path, sizeof path, "%s/%s", dir, CHAIN_KEY_FILE);
	struct stat st;
	if (lstat(path, &st) != 0 && errno == ENOENT) {
		/* Written under a temporary name, then link()ed into place: link never replaces an
		   existing file, so two processes starting at once cannot each keep a different key
		   (the loser of the race loads the winner's). */
		snprintf(tmp, sizeof tmp, "%s/.%s.new.%ld", dir, CHAIN_KEY_FILE, (long)getpid());
		chain_key_generate(k);
		int rc = chain_key_save(k, tmp);
		if (rc == 0 && link(tmp, path) != 0)
			rc = errno == EEXIST ? 1 : -1;
		if (rc >= 0)
			unlink(tmp);
		if (rc == 0) {
			int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (dfd >= 0) {
				fsync(dfd);   /* the new name survives a crash */
				close(dfd);
			}
			return 0;
		}
		chain_key_wipe(k);
		if (rc < 0) {
			if (why)
				*why = "key_io";
			return -1;
		}
	}
	return chain_key_load(k, path, why);
}

/* ---- Checkpoints ---- */

#define CP_MSG_BYTES (14 + 8 * 3 + CHAIN_HASH_BYTES)

static void cp_message(const chain_checkpoint *cp, unsigned char msg[CP_MSG_BYTES])
{
	memcpy(msg, "dxcheckpoint1", 14);   /* includes the NUL */
	put_be64(msg + 14, cp->member_id);
	put_be64(msg + 22, cp->count);
	put_be64(msg + 30, cp->at);
	memcpy(msg + 38, cp->head, CHAIN_HASH_BYTES);
}

void chain_checkpoint_sign(chain_checkpoint *cp, const chain_key *k)
{
	unsigned char msg[CP_MSG_BYTES];
	cp_message(cp, msg);
	crypto_sign_detached(cp->sig, NULL, msg, sizeof msg, k->sk);
}

int chain_checkpoint_verify(const chain_checkpoint *cp, const unsigned char pk[32])
{
	unsigned char msg[CP_MSG_BYTES];
	cp_message(cp, msg);
	return crypto_sign_verify_detached(cp->sig, msg, sizeof msg, pk) == 0;
}

/* ---- Signing runs ---- */

static crypto_generichash_state *batch_state(chain_batch *b)
{
	return &b->state;
}

void chain_batch_begin(chain_batch *b, int64_t batch_id, int64_t at)
{
	memset(b, 0, sizeof *b);
	b->id = batch_id;
	b->at = at;
	crypto_generichash_init(batch_state(b), NULL, 0, CHAIN_HASH_BYTES);
}

void chain_batch_add(chain_batch *b, const chain_checkpoint *cp)
{
	unsigned char e[24 + CHAIN_HASH_BYTES];
	put_be64(e, cp->member_id);
	put_be64(e + 8, cp->count);
	put_be64(e + 16, cp->at);
	memcpy(e + 24, cp->head, CHAIN_HASH_BYTES);
	crypto_generichash_update(batch_state(b), e, sizeof e);
	b->n++;
}

#define BATCH_MSG_BYTES (9 + 8 * 3 + CHAIN_HASH_BYTES)

static void batch_message(chain_batch *b, unsigned char msg[BATCH_MSG_BYTES])
{
	unsigned char digest[CHAIN_HASH_BYTES];
	crypto_generichash_final(batch_state(b), digest, sizeof digest);
	memcpy(msg, "dxbatch1", 9);   /* includes the NUL */
	put_be64(msg + 9, b->id);
	put_be64(msg + 17, b->at);
	put_be64(msg + 25, b->n);
	memcpy(msg + 33, digest, sizeof digest);
}

void chain_batch_sign(chain_batch *b, const chain_key *k, unsigned char sig[CHAIN_SIG_BYTES])
{
	unsigned char msg[BATCH_MSG_BYTES];
	batch_message(b, msg);
	crypto_sign_detached(sig, NULL, msg, sizeof msg, k->sk);
}

int chain_batch_verify(chain_batch *b, const unsigned char sig[CHAIN_SIG_BYTES], const unsigned char pk[32])
{
	unsigned char msg[BATCH_MSG_BYTES];
	batch_message(b, msg);
	return crypto_sign_verify_detached(sig, msg, sizeof msg, pk) == 0;
}

/* ---- Verification ---- */

const char *chain_verdict_name(chain_verdict v)
{
	static const char *const names[] = { "ok", "tampered", "broken_link", "checkpoint",
					     "truncated", "bad_signature", "order", "io" };
	return (unsigned)v < sizeof names / sizeof names[0] ? names[v] : "unknown";
}

typedef struct verifier {
	chain_cp_next cps;
	void *cps_ctx;
	const unsigned char *pk;
	chain_checkpoint cp;
	int have_cp;          /* cp holds the next unprocessed checkpoint */
	chain_report *rep;
} verifier;

static chain_verdict fail(verifier *v, chain_verdict verdict, int64_t member, int64_t index, int64_t row_id)
{
	v->rep->verdict = verdict;
	v->rep->member_id = member;
	v->rep->index = index;
	v->rep->row_id = row_id;
	v->rep->last_index = index;
	v->rep->last_row_id = row_id;
	return verdict;
}

static chain_verdict next_cp(verifier *v)
{
	int64_t pm = v->cp.member_id, pc = v->cp.count;
	int had = v->have_cp || v->rep->checkpoints > 0;
	int r = v->cps ? v->cps(v->cps_ctx, &v->cp) : 0;
	if (r < 0)
		return fail(v, CV_IO, 0, 0, 0);
	v->have_cp = r > 0;
	/* The contract: ascending member, then ascending count. A checkpoint out of that order
	   would be skipped or misreported by the merge below. */
	if (v->have_cp && had && (v->cp.member_id < pm || (v->cp.member_id == pm && v->cp.count < pc)))
		return fail(v, CV_ORDER, v->cp.member_id, v->cp.count > 0 ? v->cp.count - 1 : 0, 0);
	return CV_OK;
}

/* Consumes the checkpoints of members before `member` and, when `member` has `count` rows
   already walked (last member done), those of `member` beyond them: each is a signed claim of
   rows that are not there. */
static chain_verdict flush_cps(verifier *v, int64_t member, int64_t count, int inclusive)
{
	chain_verdict e;
	while (v->have_cp && (v->cp.member_id < member || (inclusive && v->cp.member_id == member))) {
		if (v->pk && !chain_checkpoint_verify(&v->cp, v->pk))
			return fail(v, CV_BAD_SIGNATURE, v->cp.member_id, v->cp.count > 0 ? v->cp.count - 1 : 0, 0);
		int64_t have = v->cp.member_id == member ? count : 0;
		if (v->cp.member_id == member && v->cp.count > 0 && v->cp.count <= have)
			return fail(v, CV_ORDER, member, v->cp.count - 1, 0);   /* counts not ascending */
		if (v->cp.count > have)
			return fail(v, CV_TRUNCATED, v->cp.member_id, have, 0);
		v->rep->checkpoints++;
		if ((e = next_cp(v)) != CV_OK)
			return e;
	}
	return CV_OK;
}

chain_verdict chain_verify(chain_row_next rows, void *rows_ctx, chain_cp_next cps, void *cps_ctx,
			   const unsigned char pk[32], chain_report *rep)
{
	memset(rep, 0, sizeof *rep);
	verifier v = { .cps = cps, .cps_ctx = cps_ctx, .pk = pk, .rep = rep };
	chain_verdict e;
	if ((e = next_cp(&v)) != CV_OK)
		return e;
	int started = 0;
	int64_t member = 0, i = 0, good = 0, good_id = 0;
	int need_good_id = 0;
	unsigned char prev[CHAIN_HASH_BYTES];
	ledger_row row;
	for (;;) {
		memset(&row, 0, sizeof row);
		int r = rows(rows_ctx, &row);
		if (r < 0)
			return fail(&v, CV_IO, member, i, 0);
		if (r == 0 || !started || row.member_id != member) {
			if (started && r > 0 && row.member_id < member)
				return fail(&v, CV_ORDER, row.member_id, 0, row.id);
			/* The member just finished: checkpoints beyond its last row. */
			if (started && (e = flush_cps(&v, member, i, 1)) != CV_OK)
				return e;
			if (r == 0) {
				if ((e = flush_cps(&v, INT64_MAX, 0, 1)) != CV_OK)
					return e;
				break;
			}
			/* Members with checkpoints but no rows left at all. */
			if ((e = flush_cps(&v, row.member_id, 0, 0)) != CV_OK)
				return e;
			started = 1;
			member = row.member_id;
			i = good = 0;
			good_id = row.id;
			need_good_id = 0;
			memcpy(prev, chain_genesis, sizeof prev);
			rep->members++;
			/* A checkpoint of an empty chain claims nothing but must still be genuine. */
			while (v.have_cp && v.cp.member_id == member && v.cp.count <= 0) {
				if (pk && !chain_checkpoint_verify(&v.cp, pk))
					return fail(&v, CV_BAD_SIGNATURE, member, 0, 0);
				rep->checkpoints++;
				if ((e = next_cp(&v)) != CV_OK)
					return e;
			}
		}
		if (need_good_id) {
			good_id = row.id;
			need_good_id = 0;
		}
		unsigned char h[CHAIN_HASH_BYTES];
		chain_row_hash(&row, h);
		if (sodium_memcmp(h, row.hash, sizeof h) != 0)
			return fail(&v, CV_TAMPERED, member, i, row.id);
		if (sodium_memcmp(row.prev, prev, sizeof prev) != 0)
			return fail(&v, CV_BROKEN_LINK, member, i, row.id);
		memcpy(prev, row.hash, sizeof prev);
		i++;
		rep->rows++;
		while (v.have_cp && v.cp.member_id == member && v.cp.count == i) {
			if (pk && !chain_checkpoint_verify(&v.cp, pk))
				return fail(&v, CV_BAD_SIGNATURE, member, i - 1, row.id);
			if (sodium_memcmp(v.cp.head, row.hash, CHAIN_HASH_BYTES) != 0) {
				fail(&v, CV_CHECKPOINT, member, good, good_id);
				rep->last_index = i - 1;
				rep->last_row_id = row.id;
				return CV_CHECKPOINT;
			}
			good = i;
			need_good_id = 1;
			rep->checkpoints++;
			if ((e = next_cp(&v)) != CV_OK)
				return e;
		}
		/* A checkpoint behind the walk was listed out of order: it would never be compared. */
		if (v.have_cp && v.cp.member_id == member && v.cp.count > 0 && v.cp.count < i)
			return fail(&v, CV_ORDER, member, v.cp.count - 1, 0);
	}
	rep->verdict = CV_OK;
	return CV_OK;
}
