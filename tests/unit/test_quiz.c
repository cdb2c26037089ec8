/* test_quiz.c — cmocka unit tests for quiz/: validation, grading, shuffles, draws, statistics, import. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quiz/grade.h"
#include "quiz/import.h"
#include "quiz/question.h"
#include "quiz/stats.h"
#include "util.h"

#define EPS 1e-9

/* Parses a question from JSON text; returns 0/-1 like q_from_json. */
static int qjson(const char *text, question *q, q_error *err)
{
	json_error_t je;
	json_t *j = json_loads(text, 0, &je);
	assert_non_null(j);
	int rc = q_from_json(j, q, err);
	json_decref(j);
	return rc;
}

/* Asserts that a question in JSON fails validation with code c on field (index idx). */
static void expect_invalid(const char *text, qv_code c, const char *field, int idx)
{
	question q;
	q_error e;
	assert_int_equal(qjson(text, &q, &e), -1);
	assert_int_equal(e.code, c);
	assert_string_equal(e.field, field);
	assert_int_equal(e.index, idx);
	assert_null(q.stem); /* freed on failure */
}

/* Parses an answer in JSON text against q. */
static qa_code answer(const question *q, const char *text, q_response *r)
{
	json_error_t je;
	json_t *j = json_loads(text, JSON_DECODE_ANY, &je);
	assert_non_null(j);
	qa_code c = q_response_from_json(q, j, r);
	json_decref(j);
	return c;
}

/* Grades an answer in JSON text (displayed = original order); -1 when its shape is refused. */
static int grade(const question *q, const char *text)
{
	q_response r;
	if (answer(q, text, &r) != QA_OK)
		return -1;
	int g = q_grade(q, &r);
	q_response_free(&r);
	return g;
}

static void must_parse(const char *text, question *q)
{
	q_error e;
	int rc = qjson(text, q, &e);
	if (rc < 0)
		fail_msg("unexpected validation error %s on %s[%d]", qv_key(e.code), e.field, e.index);
}

/* ------------------------------------------------------------------ folding */

static void test_fold_fullwidth_case_spaces(void **state)
{
	(void)state;
	char *f = q_fold("ＡＢＣ１２３");
	assert_string_equal(f, "abc123");
	free(f);
	f = q_fold("\xE3\x80\x80 ＡＢＣ\xE3\x80\x80１２３\t\xE3\x80\x80"); /* U+3000 around and inside */
	assert_string_equal(f, "abc 123");
	free(f);
	f = q_fold("  Three\xC2\xA0\xC2\xA0 Meetings\xE2\x80\x83"); /* NBSP run, EM SPACE at the end */
	assert_string_equal(f, "three meetings");
	free(f);
	f = q_fold("三会一课（ｘ）！");
	assert_string_equal(f, "三会一课(x)!"); /* U+FF08/U+FF09 fold too: they are in FF01..FF5E */
	free(f);
	f = q_fold("\xEF\xBD\x9E\xEF\xBC\x81"); /* U+FF5E and U+FF01, the ends of the range */
	assert_string_equal(f, "~!");
	free(f);
	f = q_fold("\xEF\xBD\x9F"); /* U+FF5F is outside the range: unchanged */
	assert_string_equal(f, "\xEF\xBD\x9F");
	free(f);
	f = q_fold("ab\xFF" "c"); /* an invalid byte is copied through */
	assert_string_equal(f, "ab\xFF" "c");
	free(f);
	f = q_fold(" \xE3\x80\x80 ");
	assert_string_equal(f, "");
	free(f);
	char *t = q_trim("\xE3\x80\x80 A  b\xEF\xBC\xA1 \n");
	assert_string_equal(t, "A  bＡ"); /* trim only: inner spaces, case and width kept */
	free(t);
}

/* ------------------------------------------------------------------ grading */

static void test_grade_single_truefalse(void **state)
{
	(void)state;
	question q;
	must_parse("{\"type\":\"single\",\"stem\":\"党的最高领导机关是？\",\"options\":[\"全国代表大会\","
		   "\"中央委员会\",\"中央政治局\"],\"answer\":[0]}", &q);
	assert_int_equal(grade(&q, "[0]"), 1);
	assert_int_equal(grade(&q, "[1]"), 0);
	assert_int_equal(grade(&q, "[]"), 0);       /* unanswered is wrong */
	assert_int_equal(grade(&q, "[0,1]"), -1);   /* two options for a single: shape error */
	q_free(&q);

	must_parse("{\"type\":\"truefalse\",\"stem\":\"“三会一课”包括党课。\",\"answer\":[0]}", &q);
	assert_int_equal(q.noptions, 2);
	assert_string_equal(q.options[0], "对");
	assert_string_equal(q.options[1], "错");
	assert_int_equal(grade(&q, "[0]"), 1);
	assert_int_equal(grade(&q, "[1]"), 0);
	assert_int_equal(grade(&q, "[2]"), -1);
	q_free(&q);
}

static void test_grade_multiple_exact_set(void **state)
{
	(void)state;
	question q;
	must_parse("{\"type\":\"multiple\",\"stem\":\"“三会一课”中的“三会”是？\",\"options\":[\"支部党员大会\","
		   "\"支部委员会\",\"党小组会\",\"职工代表大会\"],\"answer\":[2,0,1]}", &q);
	assert_int_equal(grade(&q, "[0,1,2]"), 1);
	assert_int_equal(grade(&q, "[2,1,0]"), 1);   /* order does not matter */
	assert_int_equal(grade(&q, "[0,1]"), 0);     /* one missing: no partial credit */
	assert_int_equal(grade(&q, "[0,1,2,3]"), 0); /* one extra */
	assert_int_equal(grade(&q, "[3]"), 0);
	assert_int_equal(grade(&q, "[]"), 0);
	assert_int_equal(grade(&q, "[0,0]"), -1);    /* duplicate: shape error */
	q_free(&q);
}

static void test_grade_fill_folding(void **state)
{
	(void)state;
	question q;
	must_parse("{\"type\":\"fill\",\"stem\":\"代码 ____，口号 ____\",\"answer\":[[\"ABC123\",\"ABC-123\"],"
		   "\"Serve The People\"]}", &q);
	assert_int_equal(q.nblanks, 2);
	assert_int_equal(grade(&q, "[\"ＡＢＣ１２３\",\"serve the people\"]"), 1);
	assert_int_equal(grade(&q, "[\"\xE3\x80\x80 abc123\xE3\x80\x80\",\"ＳＥＲＶＥ\xE3\x80\x80ｔｈｅ  people\"]"),
			 1);
	assert_int_equal(grade(&q, "[\"ａｂｃ－１２３\",\"SERVE THE PEOPLE\"]"), 1); /* second alternative */
	assert_int_equal(grade(&q, "[\"ABC12\",\"serve the people\"]"), 0);
	assert_int_equal(grade(&q, "[\"ABC123\"]"), 0);      /* second blank missing */
	assert_int_equal(grade(&q, "[\"ABC123\",\"\"]"), 0); /* empty blank */
	assert_int_equal(grade(&q, "[\"ABC 123\",\"serve the people\"]"), 0); /* inner space differs */
	assert_int_equal(q_grade_blank(&q, 0, "Abc123"), 1);
	assert_int_equal(q_grade_blank(&q, 1, "Abc123"), 0);
	assert_int_equal(q_grade_blank(&q, 2, "Abc123"), 0); /* no such blank */
	q_free(&q);

	must_parse("{\"type\":\"fill\",\"stem\":\"我们党的根本宗旨是____。\",\"answer\":[[\"全心全意为人民服务\"]]}", &q);
	assert_int_equal(grade(&q, "[\"全心全意为人民服务\"]"), 1);
	assert_int_equal(grade(&q, "[\"全心全意 为人民服务\"]"), 0);
	assert_int_equal(grade(&q, "[]"), 0);
	q_free(&q);
}

static void test_answer_shape_errors(void **state)
{
	(void)state;
	question q;
	q_response r;
	must_parse("{\"type\":\"multiple\",\"stem\":\"选出正确的\",\"options\":[\"甲\",\"乙\",\"丙\"],\"answer\":[0,1]}",
		   &q);
	assert_int_equal(answer(&q, "{\"a\":1}", &r), QA_NOT_LIST);
	assert_int_equal(answer(&q, "\"0\"", &r), QA_NOT_LIST);
	assert_int_equal(answer(&q, "[3]", &r), QA_OUT_OF_RANGE);
	assert_int_equal(answer(&q, "[-1]", &r), QA_OUT_OF_RANGE);
	assert_int_equal(answer(&q, "[0, 99999999999]", &r), QA_OUT_OF_RANGE);
	assert_int_equal(answer(&q, "[\"0\"]", &r), QA_NOT_INDEX);
	assert_int_equal(answer(&q, "[1.0]", &r), QA_NOT_INDEX);
	assert_int_equal(answer(&q, "[0,1,0]", &r), QA_DUPLICATE);
	assert_int_equal(answer(&q, "[0,1,2,0,1]", &r), QA_DUPLICATE);
	assert_null(r.idx); /* nothing left behind on error */
	assert_int_equal(answer(&q, "[2,0]", &r), QA_OK);
	assert_int_equal(r.n, 2);
	q_response_free(&r);
	assert_int_equal(answer(&q, "[]", &r), QA_OK);
	assert_int_equal(r.n, 0);
	q_response_free(&r);
	q_free(&q);

	must_parse("{\"type\":\"single\",\"stem\":\"单选\",\"options\":[\"甲\",\"乙\"],\"answer\":[1]}", &q);
	assert_int_equal(answer(&q, "[0,1]", &r), QA_TOO_MANY);
	q_free(&q);

	must_parse("{\"type\":\"fill\",\"stem\":\"填空 ____ ____\",\"answer\":[\"甲\",\"乙\"]}", &q);
	assert_int_equal(answer(&q, "\"甲\"", &r), QA_NOT_LIST);
	assert_int_equal(answer(&q, "[0]", &r), QA_FILL_NOT_STRINGS);
	assert_int_equal(answer(&q, "[\"甲\",[\"乙\"]]", &r), QA_FILL_NOT_STRINGS);
	assert_int_equal(answer(&q, "[\"甲\",null]", &r), QA_FILL_NOT_STRINGS);
	assert_int_equal(answer(&q, "[\"甲\",\"乙\",\"丙\"]", &r), QA_TOO_MANY_BLANKS);
	char big[QA_TEXT_MAX + 16];
	snprintf(big, sizeof big, "[\"%0*d\"]", QA_TEXT_MAX + 1, 0);
	assert_int_equal(answer(&q, big, &r), QA_TOO_LONG);
	assert_null(r.blanks);
	assert_int_equal(answer(&q, "[\"甲\"]", &r), QA_OK);
	assert_int_equal(r.nblanks, 1);
	q_response_free(&r);
	q_free(&q);

	for (int c = 0; c < QA_COUNT; c++)
		assert_int_equal(strncmp(qa_key((qa_code)c), "quiz.", 5), 0);
}

/* ------------------------------------------------------------------ validation */

static void test_validation_errors(void **state)
{
	(void)state;
	expect_invalid("{\"type\":\"single\",\"stem\":\"题\",\"options\":[\"甲\",\"乙\"],\"answer\":[]}", QV_NO_ANSWER,
		       "answer", -1);
	expect_invalid("{\"type\":\"single\",\"stem\":\"题\",\"options\":[\"甲\",\"乙\"]}", QV_NO_ANSWER, "answer", -1);
	expect_invalid("{\"type\":\"single\",\"stem\":\"题\",\"options\":[\"甲\",\"乙\",\"丙\"],\"answer\":[0,2]}",
		       QV_SINGLE_MANY, "answer", 1);
	expect_invalid("{\"type\":\"truefalse\",\"stem\":\"题\",\"answer\":[0,1]}", QV_SINGLE_MANY, "answer", 1);
	expect_invalid("{\"type\":\"essay\",\"stem\":\"题\",\"answer\":[0]}", QV_TYPE_UNKNOWN, "type", -1);
	expect_invalid("{\"stem\":\"题\",\"answer\":[0]}", QV_TYPE_UNKNOWN, "type", -1);
	expect_invalid("{\"type\":\"single\",\"stem\":\"题\",\"options\":[\"甲\",\"乙\"],\"answer\":[2]}",
		       QV_ANSWER_RANGE, "answer", 0);
	expect_invalid("{\"type\":\"multiple\",\"stem\":\"题\",\"options\":[\"甲\",\"乙\"],\"answer\":[0,-1]}",
		       QV_ANSWER_RANGE, "answer", 1);
	expect_invalid("{\"type\":\"multiple\",\"stem\":\"题\",\"options\":[\"甲\",\"乙\"],\"answer\":[1,1]}",
		       QV_ANSWER_DUPLICATE, "answer", 1);
	expect_invalid("{\"type\":\"truefalse\",\"stem\":\"题\",\"options\":[\"对\",\"错\",\"不知道\"],\"answer\":[0]}",
		       QV_TF_OPTIONS, "options", -1);
	expect_invalid("{\"type\":\"truefalse\",\"stem\":\"题\",\"options\":[\"对\"],\"answer\":[0]}", QV_TF_OPTIONS,
		       "options", -1);
	expect_invalid("{\"type\":\"fill\",\"stem\":\"题\",\"answer\":[]}", QV_NO_ANSWER, "answer", -1);
	expect_invalid("{\"type\":\"fill\",\"stem\":\"题\",\"answer\":[\"甲\",[]]}", QV_BLANK_EMPTY, "answer", 1);
	expect_invalid("{\"type\":\"fill\",\"stem\":\"题\",\"answer\":[\"甲\",[\" \",\"\xE3\x80\x80\"]]}",
		       QV_BLANK_EMPTY, "answer", 1);
	expect_invalid("{\"type\":\"fill\",\"stem\":\"题\",\"answer\":[\"甲\",[\"乙\",3]]}", QV_FIELD_TYPE, "answer", 1);
	expect_invalid("{\"type\":\"fill\",\"stem\":\"题\",\"options\":[\"甲\"],\"answer\":[\"甲\"]}", QV_FILL_OPTIONS,
		       "options", -1);
	expect_invalid("{\"type\":\"single\",\"stem\":\"  \xE3\x80\x80\",\"options\":[\"甲\",\"乙\"],\"answer\":[0]}",
		       QV_STEM_EMPTY, "stem", -1);
	expect_invalid("{\"type\":\"single\",\"stem\":5,\"options\":[\"甲\",\"乙\"],\"answer\":[0]}", QV_FIELD_TYPE,
		       "stem", -1);
	expect_invalid("{\"type\":\"single\",\"stem\":\"题\",\"options\":[\"甲\"],\"answer\":[0]}", QV_TOO_FEW_OPTIONS,
		       "options", -1);
	expect_invalid("{\"type\":\"single\",\"stem\":\"题\",\"options\":[\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\","
		       "\"9\",\"10\",\"11\"],\"answer\":[0]}",
		       QV_TOO_MANY_OPTIONS, "options", -1);
	expect_invalid("{\"type\":\"single\",\"stem\":\"题\",\"options\":[\"甲\",\" \"],\"answer\":[0]}", QV_OPTION_EMPTY,
		       "options", 1);
	expect_invalid("{\"type\":\"single\",\"stem\":\"题\",\"options\":[\"Ａ\",\"乙\",\" a \"],\"answer\":[0]}",
		       QV_OPTION_DUPLICATE, "options", 2);
	expect_invalid("{\"type\":\"single\",\"stem\":\"题\",\"options\":\"甲|乙\",\"answer\":[0]}", QV_FIELD_TYPE,
		       "options", -1);
	expect_invalid("{\"type\":\"single\",\"stem\":\"题\",\"options\":[\"甲\",2],\"answer\":[0]}", QV_FIELD_TYPE,
		       "options", 1);
	expect_invalid("{\"type\":\"single\",\"stem\":\"题\",\"options\":[\"甲\",\"乙\"],\"answer\":0}", QV_FIELD_TYPE,
		       "answer", -1);
	expect_invalid("{\"type\":\"single\",\"stem\":\"题\",\"options\":[\"甲\",\"乙\"],\"answer\":[\"A\"]}",
		       QV_FIELD_TYPE, "answer", 0);
	expect_invalid("{\"type\":\"single\",\"stem\":\"题\",\"options\":[\"甲\",\"乙\"],\"answer\":[0],\"tags\":"
		       "[\"一二三四五六七八九十一二三四五六七八九十一\"]}",
		       QV_TAG_INVALID, "tags", 0);
	expect_invalid("{\"type\":\"single\",\"stem\":\"题\",\"options\":[\"甲\",\"乙\"],\"answer\":[0],"
		       "\"explanation\":[]}",
		       QV_FIELD_TYPE, "explanation", -1);
	expect_invalid("[1]", QV_FIELD_TYPE, "question", -1);

	/* Length limits count code points: 2000 Chinese characters pass, 2001 do not. */
	buf b;
	buf_init(&b);
	buf_puts(&b, "{\"type\":\"truefalse\",\"answer\":[1],\"stem\":\"");
	for (int i = 0; i < Q_STEM_MAX; i++)
		buf_puts(&b, "党");
	buf_puts(&b, "\"}");
	question q;
	must_parse(b.p, &q);
	q_free(&q);
	b.len -= 2;
	buf_puts(&b, "党\"}");
	expect_invalid(b.p, QV_STEM_TOO_LONG, "stem", -1);
	buf_free(&b);

	/* Direct struct checks: invalid UTF-8 and too many tags. */
	q_init(&q);
	q.type = Q_SINGLE;
	q.stem = xstrdup("题\xC3");
	q_add_option(&q, "甲");
	q_add_option(&q, "乙");
	q_add_answer(&q, 0);
	q_error e;
	assert_int_equal(q_validate(&q, &e), -1);
	assert_int_equal(e.code, QV_NOT_UTF8);
	free(q.stem);
	q.stem = xstrdup("题");
	for (int i = 0; i <= Q_MAX_TAGS; i++) {
		char t[16];
		snprintf(t, sizeof t, "t%d", i);
		q_add_tag(&q, t);
	}
	assert_int_equal(q_validate(&q, &e), -1);
	assert_int_equal(e.code, QV_TOO_MANY_TAGS);
	q_free(&q);

	/* Every code has a quiz.* catalog key. */
	for (int c = 0; c < QV_COUNT; c++)
		assert_int_equal(strncmp(qv_key((qv_code)c), "quiz.", 5), 0);
	assert_int_equal(q_type_parse(" 判断题 "), Q_TRUEFALSE);
	assert_int_equal(q_type_parse("MULTIPLE"), Q_MULTIPLE);
	assert_int_equal(q_type_parse("填空"), Q_FILL);
	assert_int_equal(q_type_parse("问答"), Q_TYPE_UNKNOWN);
}

static void test_json_round_trip(void **state)
{
	(void)state;
	question q, back;
	must_parse("{\"type\":\"fill\",\"stem\":\" 党章规定____。 \",\"answer\":[[\"甲\",\"甲甲\"],\"乙\"],"
		   "\"explanation\":\"因为\",\"tags\":[\"党章\",\" 党章 \",\"\",\"组织\"]}", &q);
	assert_string_equal(q.stem, "党章规定____。");
	assert_int_equal(q.ntags, 2); /* trimmed, empty and repeated tags dropped */
	q.id = 42;
	json_t *full = q_to_json(&q, 1);
	json_t *pub = q_to_json(&q, 0);
	assert_null(json_object_get(pub, "answer"));
	assert_null(json_object_get(pub, "explanation"));
	assert_int_equal(json_integer_value(json_object_get(pub, "blanks")), 2);
	assert_int_equal(json_integer_value(json_object_get(full, "id")), 42);
	q_error e;
	assert_int_equal(q_from_json(full, &back, &e), 0);
	assert_int_equal(back.type, Q_FILL);
	assert_int_equal(back.nblanks, 2);
	assert_int_equal(back.blanks[0].n, 2);
	assert_string_equal(back.blanks[0].accepted[1], "甲甲");
	assert_string_equal(back.explanation, "因为");
	char *a = json_dumps(full, JSON_SORT_KEYS);
	json_t *again = q_to_json(&back, 1);
	json_object_set_new(again, "id", json_integer(42));
	char *b2 = json_dumps(again, JSON_SORT_KEYS);
	assert_string_equal(a, b2);
	free(a);
	free(b2);
	json_decref(full);
	json_decref(pub);
	json_decref(again);
	question c;
	q_copy(&c, &back);
	assert_string_equal(c.blanks[1].accepted[0], "乙");
	q_free(&c);
	q_free(&back);
	q_free(&q);
}

/* ------------------------------------------------------------------ scores */

static void test_score_rounding_and_pass(void **state)
{
	(void)state;
	assert_int_equal(q_score(0, 0), 0);
	assert_int_equal(q_score(0, 5), 0);
	assert_int_equal(q_score(5, 5), 100);
	assert_int_equal(q_score(2, 3), 67);  /* 66.67 */
	assert_int_equal(q_score(1, 3), 33);  /* 33.33 */
	assert_int_equal(q_score(1, 8), 13);  /* 12.5 rounds half up */
	assert_int_equal(q_score(3, 8), 38);  /* 37.5 */
	assert_int_equal(q_score(7, 8), 88);  /* 87.5 */
	assert_int_equal(q_score(119, 200), 60); /* 59.5 → 60 */
	assert_int_equal(q_score(6, 10), 60);
	for (int t = 1; t <= 60; t++)
		for (int c = 0; c <= t; c++) {
			int s = q_score(c, t);
			assert_true(s >= 0 && s <= 100);
			assert_true(fabs(s - 100.0 * c / t) <= 0.5);
		}
	assert_true(q_passed(60, 60));
	assert_false(q_passed(59, 60));
	assert_true(q_passed(q_score(119, 200), 60)); /* the rounded score is compared */
	assert_true(q_passed(0, 0));
	assert_true(q_pass_score_valid(0));
	assert_true(q_pass_score_valid(100));
	assert_false(q_pass_score_valid(-1));
	assert_false(q_pass_score_valid(101));
}

/* ------------------------------------------------------------------ shuffles and draws */

static void test_shuffle_round_trip(void **state)
{
	(void)state;
	q_rng g;
	q_rng_seed(&g, 20261202);
	int moved = 0;
	int seen_at[Q_MAX_OPTIONS][Q_MAX_OPTIONS] = { { 0 } }; /* [shown][orig] */
	for (int round = 0; round < 2000; round++) {
		int n = 2 + round % (Q_MAX_OPTIONS - 1);
		q_perm p;
		q_perm_shuffle(&p, n, &g);
		assert_int_equal(p.n, n);
		assert_true(q_perm_valid(&p));
		for (int d = 0; d < n; d++) {
			int o = q_perm_to_orig(&p, d);
			assert_true(o >= 0 && o < n);
			assert_int_equal(q_perm_to_shown(&p, o), d);
			moved += o != d;
			if (n == 4)
				seen_at[d][o]++;
		}
		assert_int_equal(q_perm_to_orig(&p, n), -1);
		assert_int_equal(q_perm_to_orig(&p, -1), -1);
		assert_int_equal(q_perm_to_shown(&p, n), -1);
		json_t *j = q_perm_to_json(&p);
		q_perm back;
		assert_int_equal(q_perm_from_json(j, &back), 0);
		assert_memory_equal(back.shown, p.shown, sizeof p.shown);
		json_decref(j);
	}
	assert_true(moved > 0);
	/* n = 4 occurs 2000/9 ≈ 222 times: every original index shows at every position. */
	for (int d = 0; d < 4; d++)
		for (int o = 0; o < 4; o++)
			assert_true(seen_at[d][o] > 20);

	/* The same seed gives the same permutation. */
	q_rng a, b;
	q_rng_seed(&a, 7);
	q_rng_seed(&b, 7);
	q_perm pa, pb;
	q_perm_shuffle(&pa, 8, &a);
	q_perm_shuffle(&pb, 8, &b);
	assert_memory_equal(pa.shown, pb.shown, sizeof pa.shown);

	/* Not permutations. */
	q_perm bad;
	const char *bads[] = { "[0,0]", "[1,2]", "[0,\"1\"]", "{}", "[0,1,2,3,4,5,6,7,8,9,10]", "[-1,0]" };
	for (size_t i = 0; i < ARRAY_LEN(bads); i++) {
		json_t *j = json_loads(bads[i], 0, NULL);
		assert_int_equal(q_perm_from_json(j, &bad), -1);
		json_decref(j);
	}

	/* A member answers displayed positions; unshuffling gives the original indexes. */
	question q;
	must_parse("{\"type\":\"multiple\",\"stem\":\"选\",\"options\":[\"甲\",\"乙\",\"丙\",\"丁\",\"戊\"],"
		   "\"answer\":[1,3]}", &q);
	q_rng_seed(&g, 99);
	for (int round = 0; round < 50; round++) {
		q_perm p;
		q_perm_for(&p, &q, &g);
		char text[64];
		snprintf(text, sizeof text, "[%d,%d]", q_perm_to_shown(&p, 3), q_perm_to_shown(&p, 1));
		q_response r;
		assert_int_equal(answer(&q, text, &r), QA_OK);
		q_perm_unshuffle(&p, &r);
		assert_int_equal(q_grade(&q, &r), 1);
		q_response_free(&r);
	}
	q_free(&q);

	/* truefalse keeps 对 before 错; fill has no options. */
	must_parse("{\"type\":\"truefalse\",\"stem\":\"判断\",\"answer\":[1]}", &q);
	q_perm p;
	q_perm_for(&p, &q, &g);
	assert_int_equal(p.n, 2);
	assert_int_equal(p.shown[0], 0);
	assert_int_equal(p.shown[1], 1);
	q_free(&q);
	must_parse("{\"type\":\"fill\",\"stem\":\"填\",\"answer\":[\"甲\"]}", &q);
	q_perm_for(&p, &q, &g);
	assert_int_equal(p.n, 0);
	q_free(&q);

	/* q_rng_below stays in range and reaches every value. */
	int hit[7] = { 0 };
	for (int i = 0; i < 7000; i++) {
		uint32_t x = q_rng_below(&g, 7);
		assert_true(x < 7);
		hit[x]++;
	}
	for (int i = 0; i < 7; i++)
		assert_true(hit[i] > 800 && hit[i] < 1200);
	assert_int_equal(q_rng_below(&g, 1), 0);
	q_rng_seed_random(&g); /* libsodium: just runs */
	assert_true(q_rng_below(&g, 10) < 10);
}

/* An attempt of three questions with shuffled options: what members see, answer checks, grading. */
static void test_attempt_slots(void **state)
{
	(void)state;
	question qs[3];
	must_parse("{\"type\":\"multiple\",\"stem\":\"“三会”包括？\",\"options\":[\"支部党员大会\",\"支部委员会\","
		   "\"党小组会\",\"职工代表大会\"],\"answer\":[0,1,2],\"explanation\":\"秘密解析\"}", &qs[0]);
	must_parse("{\"type\":\"truefalse\",\"stem\":\"预备期为一年。\",\"answer\":[0]}", &qs[1]);
	must_parse("{\"type\":\"fill\",\"stem\":\"预备期为____年。\",\"answer\":[[\"1\",\"一\"]]}", &qs[2]);
	qs[0].id = 101;
	qs[1].id = 102;
	qs[2].id = 103;
	q_rng g;
	q_rng_seed(&g, 5);
	q_slot slots[3];
	for (int i = 0; i < 3; i++) {
		slots[i].q = &qs[i];
		q_perm_for(&slots[i].perm, &qs[i], &g);
	}
	/* Reshuffle until question 0 is displayed in an order other than the stored one. */
	while (slots[0].perm.shown[0] == 0 && slots[0].perm.shown[1] == 1)
		q_perm_for(&slots[0].perm, &qs[0], &g);

	json_t *pub = q_slot_public_json(&slots[0]);
	char *text = json_dumps(pub, 0);
	assert_null(strstr(text, "answer"));
	assert_null(strstr(text, "秘密解析"));
	assert_null(json_object_get(pub, "explanation"));
	json_t *opts = json_object_get(pub, "options");
	assert_int_equal(json_array_size(opts), 4);
	for (int d = 0; d < 4; d++)
		assert_string_equal(json_string_value(json_array_get(opts, (size_t)d)),
				    qs[0].options[q_perm_to_orig(&slots[0].perm, d)]);
	free(text);
	json_decref(pub);
	pub = q_slot_public_json(&slots[2]);
	assert_int_equal(json_integer_value(json_object_get(pub, "blanks")), 1);
	assert_int_equal(json_array_size(json_object_get(pub, "options")), 0);
	json_decref(pub);

	/* The right answer in displayed positions: the three that are not 职工代表大会. */
	json_t *right = q_slot_answer_json(&slots[0]);
	assert_int_equal(json_array_size(right), 3);
	int wrong_pos = q_perm_to_shown(&slots[0].perm, 3);
	for (size_t k = 0; k < 3; k++) {
		assert_true(json_integer_value(json_array_get(right, k)) != wrong_pos);
		if (k)
			assert_true(json_integer_value(json_array_get(right, k)) >
				    json_integer_value(json_array_get(right, k - 1)));
	}

	/* Answers: in displayed positions, under question ids. */
	json_t *ans = json_object();
	json_object_set(ans, "101", right);
	json_object_set_new(ans, "102", json_pack("[i]", 0));
	json_object_set_new(ans, "103", json_pack("[s]", "一"));
	int64_t bad;
	assert_int_equal(q_answers_check(slots, 3, ans, &bad), QA_OK);
	int got[3];
	assert_int_equal(q_grade_attempt(slots, 3, ans, got), 3);
	assert_int_equal(q_score(3, 3), 100);
	/* The same positions read as stored indexes would be wrong unless the shuffle kept them. */
	json_object_set_new(ans, "101", json_pack("[iii]", 0, 1, 2));
	assert_int_equal(q_grade_attempt(slots, 3, ans, got), 2 + (wrong_pos == 3));
	/* Partial: only one answered. */
	json_t *part = json_pack("{s:[i]}", "102", 1);
	assert_int_equal(q_answers_check(slots, 3, part, &bad), QA_OK);
	assert_int_equal(q_grade_attempt(slots, 3, part, got), 0);
	assert_int_equal(got[0] + got[1] + got[2], 0);
	assert_int_equal(q_grade_attempt(slots, 3, NULL, NULL), 0);
	json_decref(part);

	/* Refusals name the question. */
	json_t *x = json_pack("{s:[i]}", "999", 0);
	assert_int_equal(q_answers_check(slots, 3, x, &bad), QA_NOT_IN_ATTEMPT);
	json_decref(x);
	x = json_pack("{s:[i]}", "abc", 0);
	assert_int_equal(q_answers_check(slots, 3, x, &bad), QA_NOT_IN_ATTEMPT);
	json_decref(x);
	x = json_pack("{s:[i]}", "101", 4);
	assert_int_equal(q_answers_check(slots, 3, x, &bad), QA_OUT_OF_RANGE);
	assert_int_equal(bad, 101);
	json_decref(x);
	x = json_pack("{s:[i]}", "103", 1);
	assert_int_equal(q_answers_check(slots, 3, x, &bad), QA_FILL_NOT_STRINGS);
	assert_int_equal(bad, 103);
	json_decref(x);
	x = json_pack("[i]", 1);
	assert_int_equal(q_answers_check(slots, 3, x, &bad), QA_NOT_OBJECT);
	json_decref(x);

	json_decref(ans);
	json_decref(right);
	for (int i = 0; i < 3; i++)
		q_free(&qs[i]);
}

static void test_draw_without_duplicates(void **state)
{
	(void)state;
	int64_t ids[] = { 11, 12, 13, 14, 15, 16, 17, 18, 12, 13 }; /* 12 and 13 repeated */
	int retired[] = { 0, 0, 0, 1, 0, 0, 1, 0, 0, 0 };          /* 14 and 17 retired */
	q_rng g;
	q_rng_seed(&g, 1);
	int count[20] = { 0 };
	for (int round = 0; round < 3000; round++) {
		int64_t out[10];
		int want = 1 + round % 8;
		int k = q_draw(ids, retired, 10, want, &g, out);
		assert_int_equal(k, want < 6 ? want : 6); /* 6 distinct eligible ids */
		for (int i = 0; i < k; i++) {
			assert_true(out[i] != 14 && out[i] != 17);
			assert_true(out[i] >= 11 && out[i] <= 18);
			for (int j = 0; j < i; j++)
				assert_true(out[i] != out[j]);
			count[out[i]]++;
		}
	}
	/* The repeated ids are not favoured: each of the 6 is drawn a similar number of times. */
	int lo = 1 << 30, hi = 0;
	for (int id = 11; id <= 18; id++) {
		if (id == 14 || id == 17)
			continue;
		lo = count[id] < lo ? count[id] : lo;
		hi = count[id] > hi ? count[id] : hi;
	}
	assert_true(lo > 0 && hi < lo * 1.25);
	int64_t out[5];
	assert_int_equal(q_draw(ids, NULL, 10, 5, &g, out), 5);
	assert_int_equal(q_draw(ids, retired, 0, 5, &g, out), 0);
	assert_int_equal(q_draw(ids, retired, 10, 0, &g, out), 0);
	int all[] = { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 };
	assert_int_equal(q_draw(ids, all, 10, 5, &g, out), 0);

	/* The same seed draws the same questions whatever order the bank is listed in. */
	int64_t a1[] = { 5, 3, 9, 1, 7 }, a2[] = { 9, 7, 5, 3, 1 };
	int64_t o1[3], o2[3];
	q_rng g1, g2;
	q_rng_seed(&g1, 77);
	q_rng_seed(&g2, 77);
	q_draw(a1, NULL, 5, 3, &g1, o1);
	q_draw(a2, NULL, 5, 3, &g2, o2);
	assert_memory_equal(o1, o2, sizeof o1);
}

/* ------------------------------------------------------------------ statistics */

/* The fixture: 10 submitted attempts of a 4-question exam, every question in every attempt,
   score = 25 per right answer (q_score(k, 4)).

        Q1 Q2 Q3 Q4  score
   A0    1  1  1  0    75
   A1    1  1  1  0    75
   A2    1  1  0  1    75
   A3    1  1  0  0    50
   A4    1  0  1  0    50
   A5    1  0  0  1    50
   A6    1  0  0  0    25
   A7    0  0  0  1    25
   A8    0  1  0  0    25
   A9    0  0  0  1    25

   Facility: Q1 7/10, Q2 5/10, Q3 3/10, Q4 4/10.

   Upper–lower 27 %: g = round(0.27 × 10) = 3. Upper group: A0, A1, A2 (the three 75s, no tie
   at the boundary). Lower group: four attempts tie at 25 for 3 places, so A6..A9 count 3/4 each.
     Q1: p_u = 3/3 = 1,   p_l = 3/4 × (1+0+0+0) / 3 = 1/4  → D = 3/4
     Q2: p_u = 3/3 = 1,   p_l = 3/4 × (0+0+1+0) / 3 = 1/4  → D = 3/4
     Q3: p_u = 2/3,       p_l = 0                          → D = 2/3
     Q4: p_u = 1/3,       p_l = 3/4 × (0+1+0+1) / 3 = 1/2  → D = −1/6

   Point-biserial: mean score M = 475/10 = 47.5; deviations 27.5 (×3), 2.5 (×3), −22.5 (×4);
   population variance = (3×756.25 + 3×6.25 + 4×506.25) / 10 = 4312.5 / 10 = 431.25, s = √431.25.
     Q1: M1 = (75+75+75+50+50+50+25)/7 = 400/7, M0 = 25,     p = .7: r = (225/7)/s × √.21
     Q2: M1 = (75+75+75+50+25)/5 = 60,   M0 = 175/5 = 35,    p = .5: r = 25/s × √.25
     Q3: M1 = (75+75+50)/3 = 200/3,      M0 = 275/7,         p = .3: r = (575/21)/s × √.21
     Q4: M1 = (75+50+25+25)/4 = 43.75,   M0 = 300/6 = 50,    p = .4: r = −6.25/s × √.24
   ≈ 0.7093, 0.6019, 0.6042, −0.1474: Q4 is flagged (< 0.1), the others are not.

   Distribution: 25 ×4 → bucket 2, 50 ×3 → bucket 5, 75 ×3 → bucket 7; mean 47.5;
   sorted 25 25 25 25 50 | 50 50 75 75 75 → median (50 + 50) / 2 = 50. */
static void test_stats_by_hand(void **state)
{
	(void)state;
	static const signed char cells[10 * 4] = {
		1, 1, 1, 0, 1, 1, 1, 0, 1, 1, 0, 1, 1, 1, 0, 0, 1, 0, 1, 0,
		1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 1,
	};
	double scores[10];
	for (int a = 0; a < 10; a++) {
		int k = 0;
		for (int q = 0; q < 4; q++)
			k += cells[a * 4 + q];
		scores[a] = q_score(k, 4);
	}
	assert_float_equal(scores[0], 75, EPS);
	assert_float_equal(scores[9], 25, EPS);

	qs_item it[4];
	qs_items(10, 4, scores, cells, it);
	double s = sqrt(431.25);
	const double fac[4] = { 0.7, 0.5, 0.3, 0.4 };
	const double d[4] = { 0.75, 0.75, 2.0 / 3, -1.0 / 6 };
	const double pb[4] = { (225.0 / 7) / s * sqrt(0.21), 25 / s * 0.5, (575.0 / 21) / s * sqrt(0.21),
			       -6.25 / s * sqrt(0.24) };
	for (int q = 0; q < 4; q++) {
		assert_int_equal(it[q].attempts, 10);
		assert_int_equal(it[q].correct, (int)lround(fac[q] * 10));
		assert_float_equal(it[q].facility, fac[q], EPS);
		assert_true(it[q].has_disc_index);
		assert_float_equal(it[q].disc_index, d[q], EPS);
		assert_true(it[q].has_pbis);
		assert_float_equal(it[q].pbis, pb[q], EPS);
		assert_true(it[q].has_discrimination);
		assert_float_equal(it[q].discrimination, it[q].pbis, 0); /* the displayed figure */
		assert_int_equal(it[q].flagged, q == 3);
	}
	assert_float_equal(it[0].pbis, 0.70930, 1e-4); /* the rounded figures of the comment */
	assert_float_equal(it[3].pbis, -0.14744, 1e-4);

	qs_quiz z;
	qs_quiz_summary(10, scores, &z);
	assert_int_equal(z.attempts, 10);
	const int want[QS_BUCKETS] = { 0, 0, 4, 0, 0, 3, 0, 3, 0, 0 };
	assert_memory_equal(z.buckets, want, sizeof want);
	assert_float_equal(z.mean, 47.5, EPS);
	assert_float_equal(z.median, 50, EPS);

	/* The attempts' order does not matter (ties are shared, not broken by position). */
	signed char rev[10 * 4];
	double rscores[10];
	for (int a = 0; a < 10; a++) {
		memcpy(rev + a * 4, cells + (9 - a) * 4, 4);
		rscores[a] = scores[9 - a];
	}
	qs_item ri[4];
	qs_items(10, 4, rscores, rev, ri);
	for (int q = 0; q < 4; q++) {
		assert_float_equal(ri[q].disc_index, d[q], EPS);
		assert_float_equal(ri[q].pbis, pb[q], EPS);
	}
}

/* Questions missing from attempts, small groups, constant results, bucket edges. */
static void test_stats_edges(void **state)
{
	(void)state;
	/* 6 attempts × 3 questions. Q0 is in 4 attempts only (below QS_MIN_ATTEMPTS); Q1 is right
	   everywhere (no correlation); Q2 is in all 6.
	   Q2: scores 90 80 70 60 50 40, right in the first 3: g = round(1.62) = 2, upper = 90, 80 →
	   p_u = 1; lower = 50, 40 → p_l = 0; D = 1. */
	static const signed char cells[6 * 3] = {
		1, 1, 1, -1, 1, 1, 0, 1, 1, -1, 1, 0, 1, 1, 0, 0, 1, 0,
	};
	const double scores[6] = { 90, 80, 70, 60, 50, 40 };
	qs_item it[3];
	qs_items(6, 3, scores, cells, it);
	assert_int_equal(it[0].attempts, 4);
	assert_int_equal(it[0].correct, 2);
	assert_float_equal(it[0].facility, 0.5, EPS);
	assert_false(it[0].has_disc_index);
	assert_false(it[0].has_discrimination);
	assert_false(it[0].flagged);
	assert_int_equal(it[1].attempts, 6);
	assert_float_equal(it[1].facility, 1, EPS);
	assert_true(it[1].has_disc_index);
	assert_float_equal(it[1].disc_index, 0, EPS);
	assert_false(it[1].has_pbis);
	assert_false(it[1].flagged);
	assert_float_equal(it[2].disc_index, 1, EPS);
	/* pbis of Q2: M1 = 80, M0 = 50, s = √(Σ(x−65)²/6) = √(1750/6), p = q = 1/2. */
	assert_float_equal(it[2].pbis, 30 / sqrt(1750.0 / 6) * 0.5, EPS);

	/* Everyone scored the same: D = 0 (the tie rule), no correlation, no flag. */
	static const signed char flat[5] = { 1, 0, 1, 0, 1 };
	const double same[5] = { 60, 60, 60, 60, 60 };
	qs_item f;
	qs_items(5, 1, same, flat, &f);
	assert_true(f.has_disc_index);
	/* g = round(1.35) = 1: five tied attempts share 1 place in each group, each at 1/5:
	   p_u = p_l = 3/5, D = 0. */
	assert_float_equal(f.disc_index, 0, EPS);
	assert_false(f.has_pbis);
	assert_false(f.flagged);

	/* No attempts at all. */
	qs_items(0, 1, NULL, NULL, &f);
	assert_int_equal(f.attempts, 0);
	assert_float_equal(f.facility, 0, EPS);

	/* Near-zero discrimination is flagged too: right answers spread evenly over scores 10..100. */
	const double sc[10] = { 10, 20, 30, 40, 50, 60, 70, 80, 90, 100 };
	static const signed char even[10] = { 1, 0, 0, 1, 1, 0, 1, 0, 0, 1 };
	qs_items(10, 1, sc, even, &f);
	/* M1 = (10+40+50+70+100)/5 = 54, M0 = (20+30+60+80+90)/5 = 56, s = √825, p = q = 1/2:
	   r = −2/√825 × 1/2 ≈ −0.0348 → flagged. */
	assert_float_equal(f.pbis, -2 / sqrt(825.0) * 0.5, EPS);
	assert_true(f.flagged);
	static const signed char slight[10] = { 1, 0, 0, 1, 0, 1, 1, 0, 0, 1 };
	qs_items(10, 1, sc, slight, &f);
	/* M1 = (10+40+60+70+100)/5 = 56, M0 = (20+30+50+80+90)/5 = 54: r = 2/√825 × 1/2 ≈ 0.0348:
	   positive but below 0.1 → flagged. */
	assert_float_equal(f.pbis, 2 / sqrt(825.0) * 0.5, EPS);
	assert_true(f.pbis > 0 && f.flagged);

	qs_quiz z;
	const double edge[7] = { 0, 9.99, 10, 89.5, 90, 100, -5 };
	qs_quiz_summary(7, edge, &z);
	const int want[QS_BUCKETS] = { 3, 1, 0, 0, 0, 0, 0, 0, 1, 2 };
	assert_memory_equal(z.buckets, want, sizeof want);
	assert_float_equal(z.median, 10, EPS);
	qs_quiz_summary(0, NULL, &z);
	assert_int_equal(z.attempts, 0);
	assert_float_equal(z.mean, 0, EPS);
}

/* ------------------------------------------------------------------ import */

static void assert_error(const qi_result *r, int i, int line, const char *key)
{
	assert_true(i < r->nerrors);
	if (r->errors[i].line != line || strcmp(r->errors[i].key, key) != 0)
		fail_msg("error %d: got line %d %s, want line %d %s", i, r->errors[i].line, r->errors[i].key, line,
			 key);
}

static void test_import_csv(void **state)
{
	(void)state;
	const char *csv =
		"\xEF\xBB\xBF"
		"题型,题干,选项,答案,解析,标签\r\n"                                                   /* 1 header */
		"单选,党的最高领导机关是？,全国代表大会|中央委员会|中央政治局,A,党章第十条,党章\r\n" /* 2 */
		"多选,“三会”包括？,支部党员大会|支部委员会|党小组会|职工大会,\"A,B,C\",,组织生活|三会一课\r\n" /* 3 */
		"判断,入党誓词由党章规定。,,对,\r\n"                                                   /* 4 */
		"填空,党的根本宗旨是____。,,全心全意为人民服务|为人民服务,\r\n"                       /* 5 */
		"单选,两个正确答案,甲|乙|丙,AB\r\n"                                                    /* 6 bad */
		"问答,未知题型,,,\r\n"                                                                 /* 7 bad */
		"\"单选\",\"题干跨\r\n两行\",甲|乙,B\r\n"                                              /* 8-9 */
		"单选,缺列\r\n"                                                                       /* 10 bad */
		"单选,\"坏引号,甲|乙,A\r\n"                                                            /* 11 bad */
		",,,,\r\n"                                                                            /* 12 skip */
		"\r\n"                                                                                /* 13 */
		"single,Letters out of range,甲|乙,C\r\n"                                             /* 14 bad */
		"fill,两个空 ____ ____,,Ａ|a1；B\r\n"                                                 /* 15 */
		"多选,答案写错,甲|乙,甲乙\r\n"                                                         /* 16 bad */
		"判断,判断答案写错,,也许\r\n"                                                          /* 17 bad */
		"单选,含竖线的选项,a\\|b|c,A\r\n"                                                      /* 18 */
		"truefalse,无选项判断用字母,,B\r\n"                                                  /* 19 */
		"判断,选项倒过来写,错|对,对";                                                          /* 20 */
	qi_result r;
	assert_int_equal(qi_parse_csv(csv, strlen(csv), &r), 0);
	assert_int_equal(r.nitems, 9);
	int lines[] = { 2, 3, 4, 5, 8, 15, 18, 19, 20 };
	for (int i = 0; i < r.nitems; i++)
		assert_int_equal(r.items[i].line, lines[i]);
	question *q = &r.items[0].q;
	assert_int_equal(q->type, Q_SINGLE);
	assert_int_equal(q->noptions, 3);
	assert_int_equal(q->answer[0], 0);
	assert_string_equal(q->explanation, "党章第十条");
	assert_string_equal(q->tags[0], "党章");
	q = &r.items[1].q;
	assert_int_equal(q->type, Q_MULTIPLE);
	assert_int_equal(q->nanswer, 3);
	assert_int_equal(q->ntags, 2);
	assert_string_equal(q->tags[1], "三会一课");
	q = &r.items[2].q;
	assert_int_equal(q->type, Q_TRUEFALSE);
	assert_int_equal(q->noptions, 2);
	assert_int_equal(q->answer[0], 0);
	q = &r.items[3].q;
	assert_int_equal(q->type, Q_FILL);
	assert_int_equal(q->nblanks, 1);
	assert_int_equal(q->blanks[0].n, 2);
	assert_string_equal(q->blanks[0].accepted[1], "为人民服务");
	q = &r.items[4].q;
	assert_string_equal(q->stem, "题干跨\r\n两行");
	assert_int_equal(q->answer[0], 1);
	q = &r.items[5].q;
	assert_int_equal(q->nblanks, 2);
	assert_string_equal(q->blanks[0].accepted[0], "Ａ");
	assert_int_equal(q_grade_blank(q, 0, "A1"), 1);
	assert_int_equal(q_grade_blank(q, 1, "ｂ"), 1);
	q = &r.items[6].q;
	assert_string_equal(q->options[0], "a|b");
	assert_int_equal(q->noptions, 2);
	q = &r.items[7].q;
	assert_int_equal(q->answer[0], 1);
	q = &r.items[8].q; /* the answer names an option: 对 is option 1 here, not "the first" */
	assert_int_equal(q->answer[0], 1);

	assert_int_equal(r.nerrors, 7);
	assert_error(&r, 0, 6, "quiz.err.single_many");
	assert_error(&r, 1, 7, "quiz.err.type_unknown");
	assert_error(&r, 2, 10, "quiz.import.columns");
	assert_error(&r, 3, 11, "quiz.import.csv_syntax");
	assert_error(&r, 4, 14, "quiz.err.answer_range");
	assert_error(&r, 5, 16, "quiz.import.answer_letters");
	assert_error(&r, 6, 17, "quiz.import.tf_answer");
	qi_free(&r);
	qi_free(&r); /* twice is harmless */

	/* No BOM, LF, no header: the first row is a question. */
	const char *plain = "truefalse,支部委员会每月召开一次。,,错,“三会一课”规定支部委员会一般每月召开一次。\n";
	assert_int_equal(qi_parse_csv(plain, strlen(plain), &r), 0);
	assert_int_equal(r.nitems, 1);
	assert_int_equal(r.nerrors, 0);
	assert_int_equal(r.items[0].q.answer[0], 1);
	qi_free(&r);

	/* Invalid UTF-8 in a row is that row's error. */
	const char *bad = "single,ok,甲|乙,A\nsingle,\xC3(,甲|乙,A\n";
	assert_int_equal(qi_parse_csv(bad, strlen(bad), &r), 0);
	assert_int_equal(r.nitems, 1);
	assert_int_equal(r.nerrors, 1);
	assert_error(&r, 0, 2, "quiz.import.not_utf8");
	qi_free(&r);

	/* A CSV limit refuses the whole file. */
	buf b;
	buf_init(&b);
	buf_puts(&b, "single,");
	for (int i = 0; i < 5000; i++)
		buf_putc(&b, 'x');
	buf_puts(&b, ",a|b,A\n");
	assert_int_equal(qi_parse_csv(b.p, b.len, &r), -1);
	assert_int_equal(r.nitems, 0);
	assert_int_equal(r.nerrors, 1);
	assert_error(&r, 0, 1, "quiz.import.too_large");
	qi_free(&r);
	buf_free(&b);
}

static void test_import_markdown(void **state)
{
	(void)state;
	const char *md =
		"\xEF\xBB\xBF# 基层党支部工作实务\r\n"                  /* 1 */
		"这是前言，会被忽略。\r\n"                               /* 2 */
		"\r\n"                                                   /* 3 */
		"## 1. “三会一课”中的“一课”指什么？\r\n"               /* 4 */
		"- [ ] 团课\r\n"                                         /* 5 */
		"- [x] 党课\r\n"                                         /* 6 */
		"- [ ] 业务课\r\n"                                       /* 7 */
		"解析：“一课”是党课。\r\n"                               /* 8 */
		"标签：三会一课，组织生活\r\n"                           /* 9 */
		"\r\n"                                                   /* 10 */
		"## 2、下列属于支部委员会职责的有\r\n"                   /* 11 */
		"（多选）\r\n"                                           /* 12 stem continues */
		"- [x] 召集党员大会\r\n"                                 /* 13 */
		"- [X] 做好党员教育\r\n"                                 /* 14 */
		"- [ ] 审批预备党员转正\r\n"                             /* 15 */
		"## 支部党员大会一般每季度召开一次。\r\n"                /* 16 */
		"答案：对\r\n"                                           /* 17 */
		"解析：见《中国共产党支部工作条例（试行）》。\r\n"       /* 18 */
		"第二行解析。\r\n"                                       /* 19 */
		"## 发展党员要经过____个阶段、____个步骤。\r\n"          /* 20 */
		"答案：5|五；25|二十五\r\n"                              /* 21 */
		"## 没有正确答案的单选\r\n"                              /* 22 bad */
		"- [ ] 甲\r\n"                                           /* 23 */
		"- [ ] 乙\r\n"                                           /* 24 */
		"## 选项写法不对\r\n"                                    /* 25 bad */
		"- [x] 甲\r\n"                                           /* 26 */
		"- 乙\r\n"                                               /* 27 */
		"## 判断题答案写错\r\n"                                  /* 28 bad */
		"类型：判断\r\n"                                         /* 29 */
		"答案：大概\r\n"                                         /* 30 */
		"## 重复的答案行\r\n"                                    /* 31 bad */
		"答案：甲\r\n"                                           /* 32 */
		"答案：乙\r\n"                                           /* 33 */
		"## 选项重复\r\n"                                        /* 34 bad */
		"- [x] 甲\r\n"                                           /* 35 */
		"- [ ] Ａ\r\n"                                           /* 36 */
		"- [ ] a\r\n"                                            /* 37 */
		"## 类型：问答\r\n"                                      /* 38: a stem that looks like a key */
		"答案：随便\r\n"                                         /* 39: a fill question, fine */
		"## 未知类型\r\n"                                        /* 40 bad */
		"类型：问答\r\n"                                         /* 41 */
		"答案：随便\r\n"                                         /* 42 */
		"## 有选项又有答案行\r\n"                                /* 43 bad */
		"- [x] 甲\r\n"                                           /* 44 */
		"- [ ] 乙\r\n"                                           /* 45 */
		"答案：A\r\n"                                            /* 46 */
		"## 多余的行\r\n"                                        /* 47 bad */
		"- [x] 甲\r\n"                                           /* 48 */
		"- [ ] 乙\r\n"                                           /* 49 */
		"选项后面的散行\r\n"                                     /* 50 */
		"# 全面从严治党：理论与实践\n"                           /* 51 LF from here */
		"## 明确单选：只有一个对的多选\n"                        /* 52 */
		"类型：多选\n"                                           /* 53 */
		"- [x] 甲\n"                                             /* 54 */
		"- [ ] 乙\n"                                             /* 55 */
		"## 判断题可以写出两个选项\n"                            /* 56 */
		"类型：判断\n"                                           /* 57 */
		"- [ ] 正确\n"                                           /* 58 */
		"- [x] 错误\n"                                           /* 59 */
		"##\n"                                                   /* 60 bad: empty stem */
		"答案：对\n"                                             /* 61 */
		"## 无答案\n";                                           /* 62 bad: no answer (end of file) */
	qi_result r;
	assert_int_equal(qi_parse_md(md, strlen(md), &r), 0);
	int want_lines[] = { 4, 11, 16, 20, 38, 52, 56 };
	assert_int_equal(r.nitems, (int)ARRAY_LEN(want_lines));
	for (int i = 0; i < r.nitems; i++)
		assert_int_equal(r.items[i].line, want_lines[i]);
	question *q = &r.items[0].q;
	assert_int_equal(q->type, Q_SINGLE);
	assert_string_equal(q->stem, "“三会一课”中的“一课”指什么？"); /* number stripped */
	assert_int_equal(q->noptions, 3);
	assert_int_equal(q->nanswer, 1);
	assert_int_equal(q->answer[0], 1);
	assert_string_equal(q->explanation, "“一课”是党课。");
	assert_int_equal(q->ntags, 2);
	assert_string_equal(q->tags[1], "组织生活");
	assert_string_equal(r.items[0].section, "基层党支部工作实务");
	q = &r.items[1].q;
	assert_int_equal(q->type, Q_MULTIPLE);
	assert_string_equal(q->stem, "下列属于支部委员会职责的有\n（多选）");
	assert_int_equal(q->nanswer, 2);
	q = &r.items[2].q;
	assert_int_equal(q->type, Q_TRUEFALSE);
	assert_int_equal(q->answer[0], 0);
	assert_string_equal(q->explanation, "见《中国共产党支部工作条例（试行）》。\n第二行解析。");
	q = &r.items[3].q;
	assert_int_equal(q->type, Q_FILL);
	assert_int_equal(q->nblanks, 2);
	assert_string_equal(q->blanks[1].accepted[1], "二十五");
	q = &r.items[4].q;
	assert_int_equal(q->type, Q_FILL);
	assert_string_equal(q->stem, "类型：问答");
	q = &r.items[5].q;
	assert_int_equal(q->type, Q_MULTIPLE);
	assert_int_equal(q->nanswer, 1);
	assert_string_equal(r.items[5].section, "全面从严治党：理论与实践");
	q = &r.items[6].q;
	assert_int_equal(q->type, Q_TRUEFALSE);
	assert_string_equal(q->options[0], "正确");
	assert_int_equal(q->answer[0], 1);

	struct {
		int line;
		const char *key;
	} want[] = {
		{ 22, "quiz.err.no_answer" },
		{ 27, "quiz.import.md_option_syntax" },
		{ 30, "quiz.import.tf_answer" },
		{ 33, "quiz.import.md_duplicate_key" },
		{ 37, "quiz.err.option_duplicate" },
		{ 41, "quiz.err.type_unknown" },
		{ 46, "quiz.import.md_answer_with_options" },
		{ 50, "quiz.import.md_stray_line" },
		{ 60, "quiz.err.stem_empty" },
		{ 62, "quiz.err.no_answer" },
	};
	assert_int_equal(r.nerrors, (int)ARRAY_LEN(want));
	for (size_t i = 0; i < ARRAY_LEN(want); i++)
		assert_error(&r, (int)i, want[i].line, want[i].key);
	qi_free(&r);

	/* Lines outside a question that look like question parts are reported; lone CRs end lines;
	   invalid UTF-8 spoils only its question. */
	const char *odd = "- [x] 孤立的选项\r答案：对\r## 好题\r答案：错\r## 坏题\r答案：\xC3(\r## 又一道\r答案：对";
	assert_int_equal(qi_parse_md(odd, strlen(odd), &r), 0);
	assert_int_equal(r.nitems, 2);
	assert_int_equal(r.items[0].line, 3);
	assert_int_equal(r.items[1].line, 7);
	assert_int_equal(r.nerrors, 3);
	assert_error(&r, 0, 1, "quiz.import.md_outside");
	assert_error(&r, 1, 2, "quiz.import.md_outside");
	assert_error(&r, 2, 6, "quiz.import.not_utf8");
	qi_free(&r);

	assert_int_equal(qi_parse_md("", 0, &r), 0);
	assert_int_equal(r.nitems + r.nerrors, 0);
	qi_free(&r);
	assert_int_equal(qi_parse_md(NULL, 5, &r), 0);
	qi_free(&r);

	/* More than QI_MAX_QUESTIONS refuses the file. */
	buf b;
	buf_init(&b);
	for (int i = 0; i <= QI_MAX_QUESTIONS; i++)
		buf_printf(&b, "## 题%d\n答案：对\n", i);
	assert_int_equal(qi_parse_md(b.p, b.len, &r), -1);
	assert_int_equal(r.nitems, 0);
	assert_int_equal(r.nerrors, 1);
	assert_error(&r, 0, 2 * QI_MAX_QUESTIONS + 1, "quiz.import.too_many");
	qi_free(&r);
	buf_free(&b);
}

/* The demo bank: every question valid, at least 8 per demo course, all four types in each. */
static void test_import_demo_file(void **state)
{
	(void)state;
	size_t len;
	char *text = read_file("quiz/demo_questions.md", &len);
	assert_non_null(text);
	qi_result r;
	assert_int_equal(qi_parse_md(text, len, &r), 0);
	for (int i = 0; i < r.nerrors; i++)
		print_error("demo line %d: %s\n", r.errors[i].line, r.errors[i].key);
	assert_int_equal(r.nerrors, 0);
	assert_true(r.nitems >= 16);
	const char *courses[] = { "全面从严治党：理论与实践", "基层党支部工作实务" };
	for (size_t c = 0; c < ARRAY_LEN(courses); c++) {
		int n = 0, types[4] = { 0 };
		for (int i = 0; i < r.nitems; i++)
			if (strcmp(r.items[i].section, courses[c]) == 0) {
				n++;
				types[r.items[i].q.type]++;
				assert_true(r.items[i].q.explanation[0]); /* every demo question explains itself */
			}
		assert_true(n >= 8);
		for (int t = 0; t < 4; t++)
			assert_true(types[t] > 0);
	}
	qi_free(&r);
	free(text);
}

/* The body of the first fenced block "```lang" in text (malloc'd), or NULL. */
static char *fenced(const char *text, const char *lang)
{
	char open[32];
	snprintf(open, sizeof open, "```%s\n", lang);
	const char *a = strstr(text, open);
	if (!a)
		return NULL;
	a += strlen(open);
	const char *b = strstr(a, "```");
	return b ? xstrndup(a, (size_t)(b - a)) : NULL;
}

/* The examples of docs/question-format.md import as the page says. */
static void test_import_doc_examples(void **state)
{
	(void)state;
	size_t len;
	char *doc = read_file("docs/question-format.md", &len);
	assert_non_null(doc);
	char *md = fenced(doc, "markdown");
	assert_non_null(md);
	qi_result r;
	assert_int_equal(qi_parse_md(md, strlen(md), &r), 0);
	assert_int_equal(r.nerrors, 0);
	assert_int_equal(r.nitems, 4);
	const q_type types[4] = { Q_SINGLE, Q_TRUEFALSE, Q_FILL, Q_MULTIPLE };
	for (int i = 0; i < 4; i++) {
		assert_int_equal(r.items[i].q.type, types[i]);
		assert_string_equal(r.items[i].section, "基层党支部工作实务");
	}
	assert_string_equal(r.items[0].q.stem, "“三会一课”中的“一课”是指（　）。");
	assert_int_equal(r.items[2].q.nblanks, 2);
	assert_int_equal(q_grade_blank(&r.items[2].q, 1, "二十五"), 1);
	qi_free(&r);
	char *csv = fenced(doc, "csv");
	assert_non_null(csv);
	assert_int_equal(qi_parse_csv(csv, strlen(csv), &r), 0);
	assert_int_equal(r.nerrors, 0);
	assert_int_equal(r.nitems, 4);
	for (int i = 0; i < 4; i++)
		assert_int_equal(r.items[i].q.type, (q_type)i); /* single, multiple, truefalse, fill */
	qi_free(&r);
	free(csv);
	free(md);
	free(doc);
}

/* Chinese text only: no English words. Allowed: the name "UTF-8", option letters (A, ACD) and the
   Markdown check mark "[x]". */
static int chinese_only(const char *s)
{
	for (const char *p = s; *p; p++) {
		if (strncmp(p, "UTF-8", 5) == 0) {
			p += 4;
			continue;
		}
		if (*p >= 'A' && *p <= 'J')
			continue;
		if (strncmp(p, "[x]", 3) == 0) {
			p += 2;
			continue;
		}
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))
			return 0;
	}
	return 1;
}

/* Every key the module can hand out has a Chinese message in the catalog. */
static void test_catalog_keys(void **state)
{
	(void)state;
	json_error_t je;
	json_t *cat = json_load_file("web/i18n/zh-CN.json", 0, &je);
	assert_non_null(cat);
	const char *keys[QV_COUNT + QA_COUNT + 16];
	int n = 0;
	for (int c = 1; c < QV_COUNT; c++)
		keys[n++] = qv_key((qv_code)c);
	for (int c = 1; c < QA_COUNT; c++)
		keys[n++] = qa_key((qa_code)c);
	const char *import_keys[] = { "quiz.import.csv_syntax", "quiz.import.columns", "quiz.import.answer_letters",
				      "quiz.import.tf_answer", "quiz.import.too_large", "quiz.import.too_many",
				      "quiz.import.not_utf8", "quiz.import.md_outside", "quiz.import.md_option_syntax",
				      "quiz.import.md_duplicate_key", "quiz.import.md_answer_with_options",
				      "quiz.import.md_stray_line", "quiz.err.pass_score" };
	for (size_t i = 0; i < ARRAY_LEN(import_keys); i++)
		keys[n++] = import_keys[i];
	for (int i = 0; i < n; i++) {
		const char *v = json_string_value(json_object_get(cat, keys[i]));
		if (!v)
			fail_msg("missing catalog key %s", keys[i]);
		if (!chinese_only(v))
			fail_msg("English inside %s: %s", keys[i], v);
	}
	json_decref(cat);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fold_fullwidth_case_spaces),
		cmocka_unit_test(test_grade_single_truefalse),
		cmocka_unit_test(test_grade_multiple_exact_set),
		cmocka_unit_test(test_grade_fill_folding),
		cmocka_unit_test(test_answer_shape_errors),
		cmocka_unit_test(test_validation_errors),
		cmocka_unit_test(test_json_round_trip),
		cmocka_unit_test(test_score_rounding_and_pass),
		cmocka_unit_test(test_shuffle_round_trip),
		cmocka_unit_test(test_attempt_slots),
		cmocka_unit_test(test_draw_without_duplicates),
		cmocka_unit_test(test_stats_by_hand),
		cmocka_unit_test(test_stats_edges),
		cmocka_unit_test(test_import_csv),
		cmocka_unit_test(test_import_markdown),
		cmocka_unit_test(test_import_demo_file),
		cmocka_unit_test(test_import_doc_examples),
		cmocka_unit_test(test_catalog_keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
