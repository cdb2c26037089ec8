/* grade.h — grading answers, scoring attempts, shuffling options and drawing questions (pure). */
#ifndef DX_QUIZ_GRADE_H
#define DX_QUIZ_GRADE_H
#include <stdint.h>

#include <jansson.h>

#include "quiz/question.h"

/* ---- Text folding for fill-in answers ----
   q_fold: decodes UTF-8 and
     1. maps full-width forms U+FF01..U+FF5E to ASCII U+0021..U+007E (ＡＢＣ１２３ → ABC123);
     2. treats as white space: ASCII space, \t \n \v \f \r, U+0085, U+00A0, U+1680,
        U+2000..U+200A, U+2028, U+2029, U+202F, U+205F, U+3000 (ideographic space) and U+FEFF;
     3. trims white space at both ends and collapses each inner run of it to one ASCII space;
     4. lower-cases ASCII letters (after step 1, so full-width letters fold too).
   Nothing else changes (no Unicode case folding, no traditional/simplified mapping).
   Invalid UTF-8 bytes are copied through unchanged. Both the accepted strings and the answer
   are folded, and a blank is right when the folded answer equals one folded accepted string. */
char *q_fold(const char *s);             /* malloc'd */
/* Copy of s without leading and trailing white space (as in q_fold step 2), nothing else changed. */
char *q_trim(const char *s);             /* malloc'd */

/* ---- A member's answer to one question, in ORIGINAL option indexes ---- */
typedef struct q_response {
	int n;          /* choice: chosen option indexes; 0 = unanswered */
	int *idx;
	int nblanks;    /* fill: one text per blank (fewer than the question's blanks: the rest empty) */
	char **blanks;
} q_response;

#define QA_TEXT_MAX 1000  /* bytes per submitted blank */

typedef enum {
	QA_OK = 0,
	QA_NOT_LIST,          /* the answer is not a JSON array */
	QA_NOT_INDEX,         /* a choice answer entry that is not an integer */
	QA_OUT_OF_RANGE,      /* an option index < 0 or >= the number of options */
	QA_DUPLICATE,         /* the same option twice */
	QA_TOO_MANY,          /* more than one option for single or truefalse */
	QA_FILL_NOT_STRINGS,  /* a fill answer entry that is not a string */
	QA_TOO_MANY_BLANKS,   /* more texts than the question has blanks */
	QA_TOO_LONG,          /* a text longer than QA_TEXT_MAX bytes */
	QA_NOT_UTF8,
	QA_NOT_OBJECT,        /* the answers of an attempt are not a JSON object */
	QA_NOT_IN_ATTEMPT,    /* an answer to a question that is not in the attempt */
	QA_COUNT
} qa_code;

/* Catalog key for an answer shape error, e.g. "quiz.ans.out_of_range". */
const char *qa_key(qa_code c);

void q_response_init(q_response *r);
void q_response_free(q_response *r);

/* Checks the shape of a submitted answer to q and fills *out (initialised here): a JSON array of
   option indexes (0-based, as DISPLAYED when the options were shuffled: map them with
   q_perm_unshuffle) for choice types, an array of strings for fill. An empty array means
   "unanswered" and is valid. Returns QA_OK or the first error (and *out is left empty). */
qa_code q_response_from_json(const question *q, const json_t *ans, q_response *out);

/* Grades one answer: 1 right, 0 wrong. The rules:
   - single, truefalse: right when exactly the one right option was chosen;
   - multiple: right when the chosen set equals the set of right options exactly (missing one
     or adding one is wrong: all or nothing, no partial credit — the usual 多选题 rule
     "多选、少选、错选均不得分");
   - fill: right when every blank is right (see q_fold); an unanswered blank is wrong.
   An unanswered question is wrong. */
int q_grade(const question *q, const q_response *r);
/* 1 when text is accepted for blank b of fill question q. */
int q_grade_blank(const question *q, int b, const char *text);

/* ---- Scoring an attempt ----
   Every question of an attempt weighs the same. score = 100 * correct / total rounded half up
   to an integer (computed in integers: (200 * correct + total) / (2 * total)), so 2 of 3 → 67,
   1 of 8 → 13 (12.5 rounds up). An attempt without questions scores 0. The ROUNDED score is what
   is shown and what is compared with the pass score: passed when score >= pass_score. */
int q_score(int correct, int total);
int q_passed(int score, int pass_score);
/* 1 when a quiz's pass score is in 0..100 (catalog key "quiz.err.pass_score" otherwise). */
int q_pass_score_valid(int64_t pass_score);

/* ---- Randomness ----
   A xoshiro256** generator. q_rng_seed expands a 64-bit seed with splitmix64, so the same seed
   always gives the same shuffles and draws (store the seed, or the permutations, with the
   attempt); q_rng_seed_random seeds from libsodium's randombytes_buf. */
typedef struct q_rng {
	uint64_t s[4];
} q_rng;
void q_rng_seed(q_rng *g, uint64_t seed);
void q_rng_seed_random(q_rng *g);
uint64_t q_rng_next(q_rng *g);
/* Uniform integer in [0, n) for n >= 1, without modulo bias (rejection sampling). */
uint32_t q_rng_below(q_rng *g, uint32_t n);

/* ---- Option shuffling ----
   shown[d] is the ORIGINAL index of the option displayed at position d. The permutation stays
   on the server; members see and answer displayed positions. */
typedef struct q_perm {
	int n;
	int shown[Q_MAX_OPTIONS];
} q_perm;
/* The identity permutation of n options (n clamped to 0..Q_MAX_OPTIONS). */
void q_perm_identity(q_perm *p, int n);
/* A uniformly random permutation (Fisher–Yates) of n options. */
void q_perm_shuffle(q_perm *p, int n, q_rng *g);
/* The permutation for one question of an attempt: single and multiple are shuffled; truefalse
   keeps 对 before 错 and fill has no options (identity). */
void q_perm_for(q_perm *p, const question *q, q_rng *g);
/* Original index of displayed position d, or -1 when d is out of range. */
int q_perm_to_orig(const q_perm *p, int d);
/* Displayed position of original index o, or -1 when o is out of range. */
int q_perm_to_shown(const q_perm *p, int o);
/* Rewrites a response's option indexes from displayed to original (in place). Indexes must have
   been range-checked by q_response_from_json. */
void q_perm_unshuffle(const q_perm *p, q_response *r);
/* 1 when p is a permutation of 0..n-1. */
int q_perm_valid(const q_perm *p);
/* JSON array [shown[0], …] (new reference) and back; q_perm_from_json returns -1 for anything
   that is not a permutation of 0..n-1 with n <= Q_MAX_OPTIONS. */
json_t *q_perm_to_json(const q_perm *p);
int q_perm_from_json(const json_t *a, q_perm *p);

/* ---- An attempt's questions as the server keeps them ---- */
typedef struct q_slot {
	const question *q;   /* q->id is the key members answer under */
	q_perm perm;         /* from q_perm_for when the attempt started */
} q_slot;

/* What a member sees of one slot before submitting: {"id","type","stem","options"} with the
   options in displayed order (plus "blanks" for fill); never the answer, explanation or tags.
   New reference. */
json_t *q_slot_public_json(const q_slot *s);
/* The right answer in the member's terms: displayed option positions (sorted) or, for fill, the
   accepted strings per blank. New reference. */
json_t *q_slot_answer_json(const q_slot *s);

/* Checks an attempt's answers object {"QUESTION_ID": [...], …} (partial or complete) against its
   slots without changing anything: every key must be the decimal id of a question in the attempt
   (else QA_NOT_IN_ATTEMPT), every value a well-formed answer in displayed positions. Returns QA_OK
   or the first error, with *bad_id set to the question id concerned (0 when none applies). */
qa_code q_answers_check(const q_slot *slots, int n, const json_t *answers, int64_t *bad_id);

/* Grades an attempt: answers as accepted by q_answers_check (missing questions are unanswered;
   NULL means none). Writes right[i] (1/0) for every slot when right is not NULL and returns the
   number right; score it with q_score(that, n). */
int q_grade_attempt(const q_slot *slots, int n, const json_t *answers, int *right);

/* ---- Drawing questions for an attempt ----
   Draws up to `want` distinct ids at random (uniform, order random) from ids[0..n) skipping those
   with retired[i] != 0 (retired may be NULL) and repeated ids (each id counts once). Writes them
   to out (room for `want`) and returns how many were drawn: min(want, eligible distinct ids). */
int q_draw(const int64_t *ids, const int *retired, int n, int want, q_rng *g, int64_t *out);
#endif
