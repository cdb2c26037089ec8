/* question.c — the question struct: list helpers, normalization, validation rules, JSON form. */
#include "quiz/question.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "quiz/grade.h"
#include "util.h"

static const char *const type_names[] = { "single", "multiple", "truefalse", "fill" };

const char *q_type_name(q_type t)
{
	return t >= Q_SINGLE && t <= Q_FILL ? type_names[t] : "unknown";
}

/* English names ignore ASCII case; the Chinese ones may carry the 题 suffix. */
q_type q_type_parse(const char *s)
{
	static const struct {
		const char *name;
		q_type t;
	} names[] = {
		{ "single", Q_SINGLE }, { "multiple", Q_MULTIPLE }, { "truefalse", Q_TRUEFALSE }, { "fill", Q_FILL },
		{ "单选", Q_SINGLE },   { "单选题", Q_SINGLE },     { "多选", Q_MULTIPLE },       { "多选题", Q_MULTIPLE },
		{ "判断", Q_TRUEFALSE }, { "判断题", Q_TRUEFALSE }, { "填空", Q_FILL },           { "填空题", Q_FILL },
	};
	if (!s)
		return Q_TYPE_UNKNOWN;
	char *t = q_trim(s);
	q_type r = Q_TYPE_UNKNOWN;
	for (size_t i = 0; i < ARRAY_LEN(names); i++)
		if (strcasecmp(t, names[i].name) == 0) {
			r = names[i].t;
			break;
		}
	free(t);
	return r;
}

const char *qv_key(qv_code c)
{
	static const char *const keys[QV_COUNT] = {
		[QV_OK] = "quiz.ok",
		[QV_FIELD_TYPE] = "quiz.err.field_type",
		[QV_NOT_UTF8] = "quiz.err.not_utf8",
		[QV_TYPE_UNKNOWN] = "quiz.err.type_unknown",
		[QV_STEM_EMPTY] = "quiz.err.stem_empty",
		[QV_STEM_TOO_LONG] = "quiz.err.stem_too_long",
		[QV_TOO_FEW_OPTIONS] = "quiz.err.too_few_options",
		[QV_TOO_MANY_OPTIONS] = "quiz.err.too_many_options",
		[QV_OPTION_EMPTY] = "quiz.err.option_empty",
		[QV_OPTION_TOO_LONG] = "quiz.err.option_too_long",
		[QV_OPTION_DUPLICATE] = "quiz.err.option_duplicate",
		[QV_TF_OPTIONS] = "quiz.err.tf_options",
		[QV_FILL_OPTIONS] = "quiz.err.fill_options",
		[QV_NO_ANSWER] = "quiz.err.no_answer",
		[QV_SINGLE_MANY] = "quiz.err.single_many",
		[QV_ANSWER_RANGE] = "quiz.err.answer_range",
		[QV_ANSWER_DUPLICATE] = "quiz.err.answer_duplicate",
		[QV_BLANK_EMPTY] = "quiz.err.blank_empty",
		[QV_TOO_MANY_BLANKS] = "quiz.err.too_many_blanks",
		[QV_TOO_MANY_ACCEPTED] = "quiz.err.too_many_accepted",
		[QV_ACCEPTED_TOO_LONG] = "quiz.err.accepted_too_long",
		[QV_EXPLANATION_TOO_LONG] = "quiz.err.explanation_too_long",
		[QV_TOO_MANY_TAGS] = "quiz.err.too_many_tags",
		[QV_TAG_INVALID] = "quiz.err.tag_invalid",
	};
	return c >= 0 && c < QV_COUNT ? keys[c] : "quiz.err.field_type";
}

/* ---------------------------------------------------------------- lifetime and lists */

void q_init(question *q)
{
	memset(q, 0, sizeof *q);
	q->type = Q_TYPE_UNKNOWN;
}

static void free_strv(char **v, int n)
{
	for (int i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void q_free(question *q)
{
	free(q->stem);
	free_strv(q->options, q->noptions);
	free(q->answer);
	for (int b = 0; b < q->nblanks; b++)
		free_strv(q->blanks[b].accepted, q->blanks[b].n);
	free(q->blanks);
	free(q->explanation);
	free_strv(q->tags, q->ntags);
	q_init(q);
}

/* Appends a copy of s to a string vector; growth by doubling keeps imports linear. */
static void strv_push(char ***v, int *n, const char *s)
{
	if ((*n & (*n - 1)) == 0) /* 0, 1, 2, 4, …: capacity is the next power of two */
		*v = xrealloc(*v, (size_t)(*n ? *n * 2 : 1) * sizeof **v);
	(*v)[(*n)++] = xstrdup(s);
}

void q_add_option(question *q, const char *text)
{
	strv_push(&q->options, &q->noptions, text);
}

void q_add_tag(question *q, const char *text)
{
	strv_push(&q->tags, &q->ntags, text);
}

void q_add_answer(question *q, int index)
{
	if ((q->nanswer & (q->nanswer - 1)) == 0)
		q->answer = xrealloc(q->answer, (size_t)(q->nanswer ? q->nanswer * 2 : 1) * sizeof *q->answer);
	q->answer[q->nanswer++] = index;
}

int q_add_blank(question *q)
{
	if ((q->nblanks & (q->nblanks - 1)) == 0)
		q->blanks = xrealloc(q->blanks, (size_t)(q->nblanks ? q->nblanks * 2 : 1) * sizeof *q->blanks);
	q->blanks[q->nblanks].n = 0;
	q->blanks[q->nblanks].accepted = NULL;
	return q->nblanks++;
}

void q_add_accepted(question *q, int b, const char *text)
{
	strv_push(&q->blanks[b].accepted, &q->blanks[b].n, text);
}

void q_copy(question *dst, const question *src)
{
	q_init(dst);
	dst->id = src->id;
	dst->type = src->type;
	dst->retired = src->retired;
	dst->stem = src->stem ? xstrdup(src->stem) : NULL;
	dst->explanation = src->explanation ? xstrdup(src->explanation) : NULL;
	for (int i = 0; i < src->noptions; i++)
		q_add_option(dst, src->options[i]);
	for (int i = 0; i < src->nanswer; i++)
		q_add_answer(dst, src->answer[i]);
	for (int b = 0; b < src->nblanks; b++) {
		int nb = q_add_blank(dst);
		for (int k = 0; k < src->blanks[b].n; k++)
			q_add_accepted(dst, nb, src->blanks[b].accepted[k]);
	}
	for (int i = 0; i < src->ntags; i++)
		q_add_tag(dst, src->tags[i]);
}

/* ---------------------------------------------------------------- normalization */

/* Replaces *s by its trimmed copy (NULL stays NULL). */
static void trim_in_place(char **s)
{
	if (!*s)
		return;
	char *t = q_trim(*s);
	free(*s);
	*s = t;
}

void q_normalize(question *q)
{
	trim_in_place(&q->stem);
	if (!q->explanation)
		q->explanation = xstrdup("");
	trim_in_place(&q->explanation);
	for (int i = 0; i < q->noptions; i++)
		trim_in_place(&q->options[i]);
	for (int b = 0; b < q->nblanks; b++)
		for (int k = 0; k < q->blanks[b].n; k++)
			trim_in_place(&q->blanks[b].accepted[k]);
	/* Tags: trimmed, empty ones dropped, repeats (after folding) dropped, order kept. */
	int keep = 0;
	for (int i = 0; i < q->ntags; i++) {
		trim_in_place(&q->tags[i]);
		int dup = !q->tags[i][0];
		char *fi = q_fold(q->tags[i]);
		for (int j = 0; j < keep && !dup; j++) {
			char *fj = q_fold(q->tags[j]);
			dup = strcmp(fi, fj) == 0;
			free(fj);
		}
		free(fi);
		if (dup)
			free(q->tags[i]);
		else
			q->tags[keep++] = q->tags[i];
	}
	q->ntags = keep;
	if (q->type == Q_TRUEFALSE && q->noptions == 0) {
		q_add_option(q, "对");
		q_add_option(q, "错");
	}
}

/* ---------------------------------------------------------------- validation */

static int fail(q_error *err, qv_code c, const char *field, int index)
{
	if (err) {
		err->code = c;
		err->field = field;
		err->index = index;
	}
	return -1;
}

static int text_ok(const char *s)
{
	return s && utf8_ok(s, strlen(s));
}

int q_validate(const question *q, q_error *err)
{
	if (q->type < Q_SINGLE || q->type > Q_FILL)
		return fail(err, QV_TYPE_UNKNOWN, "type", -1);

	if (!q->stem || !q->stem[0])
		return fail(err, QV_STEM_EMPTY, "stem", -1);
	if (!text_ok(q->stem))
		return fail(err, QV_NOT_UTF8, "stem", -1);
	if (utf8_chars(q->stem) > Q_STEM_MAX)
		return fail(err, QV_STEM_TOO_LONG, "stem", -1);

	/* Options */
	if (q->type == Q_FILL && q->noptions > 0)
		return fail(err, QV_FILL_OPTIONS, "options", -1);
	if (q->type == Q_TRUEFALSE && q->noptions != 2)
		return fail(err, QV_TF_OPTIONS, "options", -1);
	if ((q->type == Q_SINGLE || q->type == Q_MULTIPLE) && q->noptions < Q_MIN_OPTIONS)
		return fail(err, QV_TOO_FEW_OPTIONS, "options", -1);
	if (q->noptions > Q_MAX_OPTIONS)
		return fail(err, QV_TOO_MANY_OPTIONS, "options", -1);
	for (int i = 0; i < q->noptions; i++) {
		const char *o = q->options[i];
		if (!o || !o[0])
			return fail(err, QV_OPTION_EMPTY, "options", i);
		if (!text_ok(o))
			return fail(err, QV_NOT_UTF8, "options", i);
		if (utf8_chars(o) > Q_OPTION_MAX)
			return fail(err, QV_OPTION_TOO_LONG, "options", i);
	}
	for (int i = 1; i < q->noptions; i++) {
		char *fi = q_fold(q->options[i]);
		int dup = 0;
		for (int j = 0; j < i && !dup; j++) {
			char *fj = q_fold(q->options[j]);
			dup = strcmp(fi, fj) == 0;
			free(fj);
		}
		free(fi);
		if (dup)
			return fail(err, QV_OPTION_DUPLICATE, "options", i);
	}

	/* Answer */
	if (q->type != Q_FILL) {
		if (q->nanswer == 0)
			return fail(err, QV_NO_ANSWER, "answer", -1);
		for (int i = 0; i < q->nanswer; i++) {
			if (q->answer[i] < 0 || q->answer[i] >= q->noptions)
				return fail(err, QV_ANSWER_RANGE, "answer", i);
			for (int j = 0; j < i; j++)
				if (q->answer[j] == q->answer[i])
					return fail(err, QV_ANSWER_DUPLICATE, "answer", i);
		}
		if (q->type != Q_MULTIPLE && q->nanswer > 1)
			return fail(err, QV_SINGLE_MANY, "answer", 1);
	} else {
		if (q->nanswer > 0)
			return fail(err, QV_ANSWER_RANGE, "answer", 0);
		if (q->nblanks == 0)
			return fail(err, QV_NO_ANSWER, "answer", -1);
		if (q->nblanks > Q_MAX_BLANKS)
			return fail(err, QV_TOO_MANY_BLANKS, "answer", -1);
		for (int b = 0; b < q->nblanks; b++) {
			const q_blank *bl = &q->blanks[b];
			if (bl->n > Q_MAX_ACCEPTED)
				return fail(err, QV_TOO_MANY_ACCEPTED, "answer", b);
			int nonempty = 0;
			for (int k = 0; k < bl->n; k++) {
				const char *a = bl->accepted[k];
				if (!text_ok(a))
					return fail(err, QV_NOT_UTF8, "answer", b);
				if (utf8_chars(a) > Q_ACCEPTED_MAX)
					return fail(err, QV_ACCEPTED_TOO_LONG, "answer", b);
				char *f = q_fold(a);
				nonempty += f[0] != '\0';
				free(f);
			}
			if (!nonempty)
				return fail(err, QV_BLANK_EMPTY, "answer", b);
		}
	}

	if (q->explanation) {
		if (!text_ok(q->explanation))
			return fail(err, QV_NOT_UTF8, "explanation", -1);
		if (utf8_chars(q->explanation) > Q_EXPLANATION_MAX)
			return fail(err, QV_EXPLANATION_TOO_LONG, "explanation", -1);
	}

	if (q->ntags > Q_MAX_TAGS)
		return fail(err, QV_TOO_MANY_TAGS, "tags", -1);
	for (int i = 0; i < q->ntags; i++) {
		if (!text_ok(q->tags[i]))
			return fail(err, QV_NOT_UTF8, "tags", i);
		if (!q->tags[i][0] || utf8_chars(q->tags[i]) > Q_TAG_MAX)
			return fail(err, QV_TAG_INVALID, "tags", i);
	}
	if (err) {
		err->code = QV_OK;
		err->field = NULL;
		err->index = -1;
	}
	return 0;
}

/* ---------------------------------------------------------------- JSON */

/* Reads an optional array of strings into a list via add(); -1 when it is not one. */
static int json_strings(const json_t *a, question *q, void (*add)(question *, const char *), int *bad)
{
	*bad = -1;
	if (!a || json_is_null(a))
		return 0;
	if (!json_is_array(a))
		return -1;
	size_t i;
	const json_t *v;
	json_array_foreach (a, i, v) {
		if (!json_is_string(v)) {
			*bad = (int)i;
			return -1;
		}
		add(q, json_string_value(v));
	}
	return 0;
}

int q_from_json(const json_t *obj, question *q, q_error *err)
{
	q_init(q);
	int bad;
	if (!json_is_object(obj)) {
		fail(err, QV_FIELD_TYPE, "question", -1);
		goto fail;
	}
	const json_t *t = json_object_get(obj, "type");
	q->type = json_is_string(t) ? q_type_parse(json_string_value(t)) : Q_TYPE_UNKNOWN;
	if (q->type == Q_TYPE_UNKNOWN) {
		fail(err, QV_TYPE_UNKNOWN, "type", -1);
		goto fail;
	}
	const json_t *stem = json_object_get(obj, "stem");
	if (!json_is_string(stem)) {
		fail(err, stem ? QV_FIELD_TYPE : QV_STEM_EMPTY, "stem", -1);
		goto fail;
	}
	q->stem = xstrdup(json_string_value(stem));
	if (json_strings(json_object_get(obj, "options"), q, q_add_option, &bad) < 0) {
		fail(err, QV_FIELD_TYPE, "options", bad);
		goto fail;
	}
	const json_t *ans = json_object_get(obj, "answer");
	if (!ans || json_is_null(ans)) {
		fail(err, QV_NO_ANSWER, "answer", -1);
		goto fail;
	}
	if (!json_is_array(ans)) {
		fail(err, QV_FIELD_TYPE, "answer", -1);
		goto fail;
	}
	size_t i;
	const json_t *v;
	json_array_foreach (ans, i, v) {
		if (q->type != Q_FILL) {
			if (!json_is_integer(v)) {
				fail(err, QV_FIELD_TYPE, "answer", (int)i);
				goto fail;
			}
			json_int_t x = json_integer_value(v);
			/* Out-of-range values stay out of range after narrowing: q_validate reports them. */
			q_add_answer(q, x < 0 ? -1 : x > Q_MAX_OPTIONS ? Q_MAX_OPTIONS : (int)x);
		} else if (json_is_string(v)) {
			q_add_accepted(q, q_add_blank(q), json_string_value(v));
		} else if (json_is_array(v)) {
			int b = q_add_blank(q);
			size_t k;
			const json_t *s;
			json_array_foreach (v, k, s) {
				if (!json_is_string(s)) {
					fail(err, QV_FIELD_TYPE, "answer", (int)i);
					goto fail;
				}
				q_add_accepted(q, b, json_string_value(s));
			}
		} else {
			fail(err, QV_FIELD_TYPE, "answer", (int)i);
			goto fail;
		}
	}
	const json_t *ex = json_object_get(obj, "explanation");
	if (ex && !json_is_null(ex) && !json_is_string(ex)) {
		fail(err, QV_FIELD_TYPE, "explanation", -1);
		goto fail;
	}
	q->explanation = xstrdup(json_is_string(ex) ? json_string_value(ex) : "");
	if (json_strings(json_object_get(obj, "tags"), q, q_add_tag, &bad) < 0) {
		fail(err, QV_FIELD_TYPE, "tags", bad);
		goto fail;
	}
	q_normalize(q);
	if (q_validate(q, err) < 0)
		goto fail;
	return 0;
fail:
	q_free(q);
	return -1;
}

static json_t *strv_json(char *const *v, int n)
{
	json_t *a = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

json_t *q_to_json(const question *q, int with_answer)
{
	json_t *o = json_object();
	if (q->id)
		json_object_set_new(o, "id", json_integer(q->id));
	json_object_set_new(o, "type", json_string(q_type_name(q->type)));
	json_object_set_new(o, "stem", json_string(q->stem ? q->stem : ""));
	json_object_set_new(o, "options", strv_json(q->options, q->noptions));
	if (q->type == Q_FILL)
		json_object_set_new(o, "blanks", json_integer(q->nblanks));
	if (with_answer) {
		json_t *a = json_array();
		if (q->type == Q_FILL)
			for (int b = 0; b < q->nblanks; b++)
				json_array_append_new(a, strv_json(q->blanks[b].accepted, q->blanks[b].n));
		else
			for (int i = 0; i < q->nanswer; i++)
				json_array_append_new(a, json_integer(q->answer[i]));
		json_object_set_new(o, "answer", a);
		json_object_set_new(o, "explanation", json_string(q->explanation ? q->explanation : ""));
	}
	json_object_set_new(o, "tags", strv_json(q->tags, q->ntags));
	return o;
}
