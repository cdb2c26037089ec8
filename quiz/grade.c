/* grade.c — fill-in folding, answer shapes, grading, attempt scores, shuffles and draws. */
#include "quiz/grade.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "util.h"

/* ---------------------------------------------------------------- folding */

/* Decodes one UTF-8 code point at s (NUL-terminated). Sets *len to the bytes used; an invalid
   sequence yields 0xFFFFFFFF with *len = 1 so the caller copies that byte through. */
static uint32_t utf8_next(const unsigned char *s, int *len)
{
	unsigned c = s[0];
	int n;
	uint32_t cp, min;
	if (c < 0x80) {
		*len = 1;
		return c;
	} else if (c >= 0xC2 && c <= 0xDF) {
		n = 1, cp = c & 0x1F, min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 2, cp = c & 0x0F, min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 3, cp = c & 0x07, min = 0x10000;
	} else {
		*len = 1;
		return 0xFFFFFFFFu;
	}
	for (int k = 1; k <= n; k++) {
		if ((s[k] & 0xC0) != 0x80) { /* also stops at the NUL */
			*len = 1;
			return 0xFFFFFFFFu;
		}
		cp = cp << 6 | (s[k] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
		*len = 1;
		return 0xFFFFFFFFu;
	}
	*len = n + 1;
	return cp;
}

static int is_space(uint32_t c)
{
	return c == ' ' || (c >= 0x09 && c <= 0x0D) || c == 0x85 || c == 0xA0 || c == 0x1680 ||
	       (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
	       c == 0x3000 || c == 0xFEFF;
}

/* Shared by q_fold and q_trim: fold = 1 also maps full-width forms, lower-cases ASCII and
   collapses inner white space. */
static char *fold(const char *str, int folding)
{
	const unsigned char *s = (const unsigned char *)str;
	buf out;
	buf_init(&out);
	size_t keep = 0;    /* q_trim: output length up to the last non-space */
	int pending = 0;    /* a run of white space seen since the last kept character */
	while (*s) {
		int len;
		uint32_t c = utf8_next(s, &len);
		if (c != 0xFFFFFFFFu && is_space(c)) {
			pending = out.len > 0;
			if (!folding && out.len > 0)
				buf_add(&out, s, (size_t)len);
			s += len;
			continue;
		}
		if (folding) {
			if (pending)
				buf_putc(&out, ' ');
			pending = 0;
			if (c >= 0xFF01 && c <= 0xFF5E) {
				c -= 0xFEE0;
				len = 0; /* emit the folded ASCII byte instead */
			}
			if (len == 0 || (c < 0x80)) {
				char ch = (char)c;
				if (ch >= 'A' && ch <= 'Z')
					ch = (char)(ch - 'A' + 'a');
				buf_putc(&out, ch);
				if (len == 0)
					len = 3; /* every full-width form is 3 bytes in UTF-8 */
			} else {
				buf_add(&out, s, (size_t)len);
			}
		} else {
			buf_add(&out, s, (size_t)len);
			keep = out.len;
		}
		s += len;
	}
	if (!folding && out.p) {
		out.len = keep;
		out.p[keep] = '\0';
	}
	return buf_steal(&out);
}

char *q_fold(const char *s)
{
	return fold(s ? s : "", 1);
}

char *q_trim(const char *s)
{
	return fold(s ? s : "", 0);
}

/* ---------------------------------------------------------------- responses */

const char *qa_key(qa_code c)
{
	static const char *const keys[QA_COUNT] = {
		[QA_OK] = "quiz.ok",
		[QA_NOT_LIST] = "quiz.ans.not_list",
		[QA_NOT_INDEX] = "quiz.ans.not_index",
		[QA_OUT_OF_RANGE] = "quiz.ans.out_of_range",
		[QA_DUPLICATE] = "quiz.ans.duplicate",
		[QA_TOO_MANY] = "quiz.ans.too_many",
		[QA_FILL_NOT_STRINGS] = "quiz.ans.fill_not_strings",
		[QA_TOO_MANY_BLANKS] = "quiz.ans.too_many_blanks",
		[QA_TOO_LONG] = "quiz.ans.too_long",
		[QA_NOT_UTF8] = "quiz.ans.not_utf8",
		[QA_NOT_OBJECT] = "quiz.ans.not_object",
		[QA_NOT_IN_ATTEMPT] = "quiz.ans.not_in_attempt",
	};
	return c >= 0 && c < QA_COUNT ? keys[c] : "quiz.ans.not_list";
}

void q_response_init(q_response *r)
{
	memset(r, 0, sizeof *r);
}

void q_response_free(q_response *r)
{
	free(r->idx);
	for (int i = 0; i < r->nblanks; i++)
		free(r->blanks[i]);
	free(r->blanks);
	q_response_init(r);
}

static qa_code response_fail(q_response *r, qa_code c)
{
	q_response_free(r);
	return c;
}

qa_code q_response_from_json(const question *q, const json_t *ans, q_response *out)
{
	q_response_init(out);
	if (!json_is_array(ans))
		return QA_NOT_LIST;
	size_t n = json_array_size(ans);
	size_t i;
	const json_t *v;
	if (q->type == Q_FILL) {
		if (n > (size_t)q->nblanks)
			return QA_TOO_MANY_BLANKS;
		json_array_foreach (ans, i, v)
			if (!json_is_string(v))
				return QA_FILL_NOT_STRINGS;
		out->blanks = xcalloc(n ? n : 1, sizeof *out->blanks);
		json_array_foreach (ans, i, v) {
			const char *s = json_string_value(v);
			size_t len = json_string_length(v);
			if (len > QA_TEXT_MAX)
				return response_fail(out, QA_TOO_LONG);
			if (!utf8_ok(s, len))
				return response_fail(out, QA_NOT_UTF8);
			out->blanks[out->nblanks++] = xstrdup(s);
		}
		return QA_OK;
	}
	if (n > (size_t)q->noptions)
		n = (size_t)q->noptions + 1; /* enough to find the duplicate or the bad entry */
	out->idx = xcalloc(n ? n : 1, sizeof *out->idx);
	json_array_foreach (ans, i, v) {
		if (!json_is_integer(v))
			return response_fail(out, QA_NOT_INDEX);
		json_int_t x = json_integer_value(v);
		if (x < 0 || x >= q->noptions)
			return response_fail(out, QA_OUT_OF_RANGE);
		for (int k = 0; k < out->n; k++)
			if (out->idx[k] == (int)x)
				return response_fail(out, QA_DUPLICATE);
		if (out->n >= 1 && q->type != Q_MULTIPLE)
			return response_fail(out, QA_TOO_MANY);
		out->idx[out->n++] = (int)x; /* n distinct in-range values never exceed noptions */
	}
	return QA_OK;
}

/* ---------------------------------------------------------------- grading */

int q_grade_blank(const question *q, int b, const char *text)
{
	if (q->type != Q_FILL || b < 0 || b >= q->nblanks || !text)
		return 0;
	char *t = q_fold(text);
	int ok = 0;
	if (t[0]) /* an empty answer never matches, even if an accepted string folds to "" */
		for (int k = 0; k < q->blanks[b].n && !ok; k++) {
			char *a = q_fold(q->blanks[b].accepted[k]);
			ok = strcmp(a, t) == 0;
			free(a);
		}
	free(t);
	return ok;
}

/* 1 when index i is among the question's right options. */
static int is_right(const question *q, int i)
{
	for (int k = 0; k < q->nanswer; k++)
		if (q->answer[k] == i)
			return 1;
	return 0;
}

int q_grade(const question *q, const q_response *r)
{
	if (q->type == Q_FILL) {
		if (q->nblanks == 0)
			return 0;
		for (int b = 0; b < q->nblanks; b++)
			if (b >= r->nblanks || !q_grade_blank(q, b, r->blanks[b]))
				return 0;
		return 1;
	}
	if (r->n == 0 || r->n != q->nanswer)
		return 0;
	/* Both lists are duplicate-free (validated), so equal sizes + inclusion = equal sets. */
	for (int k = 0; k < r->n; k++)
		if (!is_right(q, r->idx[k]))
			return 0;
	return 1;
}

/* ---------------------------------------------------------------- scores */

int q_score(int correct, int total)
{
	if (total <= 0 || correct <= 0)
		return 0;
	if (correct >= total)
		return 100;
	int64_t c = correct, t = total;
	return (int)((200 * c + t) / (2 * t));
}

int q_passed(int score, int pass_score)
{
	return score >= pass_score;
}

int q_pass_score_valid(int64_t pass_score)
{
	return pass_score >= 0 && pass_score <= 100;
}

/* ---------------------------------------------------------------- randomness */

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

void q_rng_seed(q_rng *g, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		g->s[i] = splitmix64(&seed);
}

void q_rng_seed_random(q_rng *g)
{
	uint64_t seed;
	randombytes_buf(&seed, sizeof seed);
	q_rng_seed(g, seed);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t q_rng_next(q_rng *g)
{
	uint64_t *s = g->s;
	uint64_t r = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return r;
}

uint32_t q_rng_below(q_rng *g, uint32_t n)
{
	if (n <= 1)
		return 0;
	/* Reject the 2^32 mod n smallest values: what remains is a whole multiple of n. */
	uint32_t threshold = (uint32_t)(0u - n) % n;
	for (;;) {
		uint32_t x = (uint32_t)(q_rng_next(g) >> 32);
		if (x >= threshold)
			return x % n;
	}
}

/* ---------------------------------------------------------------- shuffles */

void q_perm_identity(q_perm *p, int n)
{
	if (n < 0)
		n = 0;
	if (n > Q_MAX_OPTIONS)
		n = Q_MAX_OPTIONS;
	p->n = n;
	for (int i = 0; i < Q_MAX_OPTIONS; i++)
		p->shown[i] = i < n ? i : -1;
}

void q_perm_shuffle(q_perm *p, int n, q_rng *g)
{
	q_perm_identity(p, n);
	for (int i = p->n - 1; i > 0; i--) {
		int j = (int)q_rng_below(g, (uint32_t)i + 1);
		int t = p->shown[i];
		p->shown[i] = p->shown[j];
		p->shown[j] = t;
	}
}

void q_perm_for(q_perm *p, const question *q, q_rng *g)
{
	if (q->type == Q_SINGLE || q->type == Q_MULTIPLE)
		q_perm_shuffle(p, q->noptions, g);
	else
		q_perm_identity(p, q->type == Q_FILL ? 0 : q->noptions);
}

int q_perm_to_orig(const q_perm *p, int d)
{
	return d >= 0 && d < p->n ? p->shown[d] : -1;
}

int q_perm_to_shown(const q_perm *p, int o)
{
	for (int d = 0; d < p->n; d++)
		if (p->shown[d] == o)
			return d;
	return -1;
}

void q_perm_unshuffle(const q_perm *p, q_response *r)
{
	for (int k = 0; k < r->n; k++)
		r->idx[k] = q_perm_to_orig(p, r->idx[k]);
}

int q_perm_valid(const q_perm *p)
{
	if (p->n < 0 || p->n > Q_MAX_OPTIONS)
		return 0;
	int seen[Q_MAX_OPTIONS] = { 0 };
	for (int d = 0; d < p->n; d++) {
		int o = p->shown[d];
		if (o < 0 || o >= p->n || seen[o]++)
			return 0;
	}
	return 1;
}

json_t *q_perm_to_json(const q_perm *p)
{
	json_t *a = json_array();
	for (int d = 0; d < p->n; d++)
		json_array_append_new(a, json_integer(p->shown[d]));
	return a;
}

int q_perm_from_json(const json_t *a, q_perm *p)
{
	if (!json_is_array(a) || json_array_size(a) > Q_MAX_OPTIONS)
		return -1;
	q_perm_identity(p, (int)json_array_size(a));
	size_t i;
	const json_t *v;
	json_array_foreach (a, i, v) {
		if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) >= p->n)
			return -1;
		p->shown[i] = (int)json_integer_value(v);
	}
	return q_perm_valid(p) ? 0 : -1;
}

/* ---------------------------------------------------------------- attempts */

json_t *q_slot_public_json(const q_slot *s)
{
	const question *q = s->q;
	json_t *o = json_object();
	json_object_set_new(o, "id", json_integer(q->id));
	json_object_set_new(o, "type", json_string(q_type_name(q->type)));
	json_object_set_new(o, "stem", json_string(q->stem ? q->stem : ""));
	json_t *opts = json_array();
	for (int d = 0; d < s->perm.n; d++) {
		int o_idx = q_perm_to_orig(&s->perm, d);
		if (o_idx >= 0 && o_idx < q->noptions)
			json_array_append_new(opts, json_string(q->options[o_idx]));
	}
	json_object_set_new(o, "options", opts);
	if (q->type == Q_FILL)
		json_object_set_new(o, "blanks", json_integer(q->nblanks));
	return o;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

json_t *q_slot_answer_json(const q_slot *s)
{
	const question *q = s->q;
	json_t *a = json_array();
	if (q->type == Q_FILL) {
		for (int b = 0; b < q->nblanks; b++) {
			json_t *alt = json_array();
			for (int k = 0; k < q->blanks[b].n; k++)
				json_array_append_new(alt, json_string(q->blanks[b].accepted[k]));
			json_array_append_new(a, alt);
		}
		return a;
	}
	int shown[Q_MAX_OPTIONS];
	int n = 0;
	for (int k = 0; k < q->nanswer && n < Q_MAX_OPTIONS; k++) {
		int d = q_perm_to_shown(&s->perm, q->answer[k]);
		if (d >= 0)
			shown[n++] = d;
	}
	qsort(shown, (size_t)n, sizeof *shown, cmp_int);
	for (int k = 0; k < n; k++)
		json_array_append_new(a, json_integer(shown[k]));
	return a;
}

/* The slot answered under key (a decimal id), or NULL. */
static const q_slot *slot_for(const q_slot *slots, int n, const char *key)
{
	int64_t id = parse_id(key);
	if (id <= 0)
		return NULL;
	for (int i = 0; i < n; i++)
		if (slots[i].q->id == id)
			return &slots[i];
	return NULL;
}

qa_code q_answers_check(const q_slot *slots, int n, const json_t *answers, int64_t *bad_id)
{
	*bad_id = 0;
	if (!json_is_object(answers))
		return QA_NOT_OBJECT;
	const char *key;
	json_t *v;
	json_object_foreach ((json_t *)answers, key, v) {
		const q_slot *s = slot_for(slots, n, key);
		if (!s)
			return QA_NOT_IN_ATTEMPT;
		q_response r;
		qa_code c = q_response_from_json(s->q, v, &r);
		q_response_free(&r);
		if (c != QA_OK) {
			*bad_id = s->q->id;
			return c;
		}
	}
	return QA_OK;
}

int q_grade_attempt(const q_slot *slots, int n, const json_t *answers, int *right)
{
	int total = 0;
	for (int i = 0; i < n; i++) {
		char key[24];
		snprintf(key, sizeof key, "%lld", (long long)slots[i].q->id);
		const json_t *v = json_is_object(answers) ? json_object_get(answers, key) : NULL;
		int ok = 0;
		q_response r;
		if (v && q_response_from_json(slots[i].q, v, &r) == QA_OK) {
			q_perm_unshuffle(&slots[i].perm, &r);
			ok = q_grade(slots[i].q, &r);
			q_response_free(&r);
		}
		if (right)
			right[i] = ok;
		total += ok;
	}
	return total;
}

/* ---------------------------------------------------------------- drawing */

static int cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

int q_draw(const int64_t *ids, const int *retired, int n, int want, q_rng *g, int64_t *out)
{
	if (n <= 0 || want <= 0)
		return 0;
	int64_t *pool = xmalloc((size_t)n * sizeof *pool);
	int m = 0;
	for (int i = 0; i < n; i++)
		if (!retired || !retired[i])
			pool[m++] = ids[i];
	/* Sort so repeats are adjacent and the pool is the same whatever order the bank came in:
	   one seed then always draws the same questions. */
	qsort(pool, (size_t)m, sizeof *pool, cmp_id);
	int u = 0;
	for (int i = 0; i < m; i++)
		if (u == 0 || pool[u - 1] != pool[i])
			pool[u++] = pool[i];
	int k = want < u ? want : u;
	/* Partial Fisher–Yates: the first k slots become a uniform random k-sequence. */
	for (int i = 0; i < k; i++) {
		int j = i + (int)q_rng_below(g, (uint32_t)(u - i));
		int64_t t = pool[i];
		pool[i] = pool[j];
		pool[j] = t;
		out[i] = pool[i];
	}
	free(pool);
	return k;
}
