/* test_quiz.c — quizzes end to end with the test clock: the bank (CRUD, retiring, import with
 * per-line errors), exam settings, attempts (draw, shuffles kept on the server, partial saves,
 * resume, deadline, grace, lazy grading, second and concurrent submits, attempts left), grading of
 * every type, the daily quiz, completion in both orders, and every "Bad input" of issue 10 with a
 * check that nothing changed. No answer or explanation may appear before a submit.
 *
 * Courses are made through the API as the demo instructor (teacher); their lectures are written
 * into the database as ready, of 20 s, so that a lecture completes with two heartbeats. */
#include "e2e.h"

#include <math.h>
#include <pthread.h>
#include <stdarg.h>

static int g_seq;

static resp reqf(const char *method, const char *tok, const char *body, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static resp reqf(const char *method, const char *tok, const char *body, const char *fmt, ...)
{
	char path[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(path, sizeof path, fmt, ap);
	va_end(ap);
	return e2e_req(method, path, tok, body, NULL);
}

/* The five questions every test course gets, with what a right and a wrong answer are. */
static const struct known {
	const char *json, *stem, *right[2], *wrong;
} KNOWN[] = {
	{"{\"type\":\"single\",\"stem\":\"S1 党内监督的专责机关是\",\"options\":[\"组织部门\",\"纪律检查委员会\",\"宣传部门\","
	 "\"人民法院\"],\"answer\":[1],\"explanation\":\"EXPL-S1 党章规定\",\"tags\":[\"监督\"]}",
	 "S1 党内监督的专责机关是",
	 {"纪律检查委员会", NULL},
	 "人民法院"},
	{"{\"type\":\"multiple\",\"stem\":\"M1 “三会”包括\",\"options\":[\"支部党员大会\",\"职工代表大会\",\"支部委员会\","
	 "\"党小组会\"],\"answer\":[0,2,3],\"explanation\":\"EXPL-M1\"}",
	 "M1 “三会”包括",
	 {"支部党员大会", "支部委员会"},
	 NULL}, /* two of the three right: wrong */
	{"{\"type\":\"truefalse\",\"stem\":\"T1 支部党员大会一般每季度召开1次\",\"answer\":[0],\"explanation\":\"EXPL-T1\"}",
	 "T1 支部党员大会一般每季度召开1次",
	 {"对", NULL},
	 "错"},
	{"{\"type\":\"fill\",\"stem\":\"F1 代号____\",\"answer\":[[\"ABC123\",\"甲乙\"]],\"explanation\":\"EXPL-F1\"}",
	 "F1 代号____",
	 {"\u3000ＡＢＣ１２３ ", NULL},
	 "ABD"},
	{"{\"type\":\"single\",\"stem\":\"S2 预备期为\",\"options\":[\"半年\",\"一年\",\"两年\"],\"answer\":[1],"
	 "\"explanation\":\"EXPL-S2\"}",
	 "S2 预备期为",
	 {"一年", NULL},
	 "两年"},
};
#define NKNOWN 5

typedef struct qfx {
	long long course, lec[2], quiz, q[NKNOWN];
} qfx;

/* A published course of teacher's with `lectures` ready lectures of 20 s, the five questions and
   an exam with the given settings; members enrolled as listed (NULL-terminated). */
static qfx course_fx_q(int lectures, const char *quiz_body, const char *const *members, unsigned qmask)
{
	qfx f = {0};
	char *t = e2e_login("teacher", E2E_PW);
	char body[256];
	snprintf(body, sizeof body, "{\"title\":\"测验课%d\",\"category\":\"党史党建\",\"credit_hours\":1}", ++g_seq);
	resp r = e2e_req("POST", "/api/v1/courses", t, body, NULL);
	CHECK_STATUS(r, 201);
	f.course = jint(r.json, "id");
	resp_free(&r);
	for (int i = 0; i < lectures && i < 2; i++) {
		f.lec[i] = 90000 + g_seq * 10 + i;
		e2e_sql("INSERT INTO lectures(id, course_id, title, position, status, duration_s, media_version, created_at,"
			" updated_at) VALUES (%lld, %lld, '第%d讲', %d, 'ready', 20, 1, strftime('%%s','now'),"
			" strftime('%%s','now'))",
			f.lec[i], f.course, i + 1, i);
	}
	for (int i = 0; i < NKNOWN; i++) {
		if (!(qmask >> i & 1))
			continue;
		r = reqf("POST", t, KNOWN[i].json, "/api/v1/courses/%lld/questions", f.course);
		CHECK_STATUS(r, 201);
		f.q[i] = jint(r.json, "id");
		resp_free(&r);
	}
	if (quiz_body) {
		r = reqf("PUT", t, quiz_body, "/api/v1/courses/%lld/quiz", f.course);
		CHECK_STATUS(r, 200);
		f.quiz = jint(r.json, "id");
		resp_free(&r);
	}
	r = e2e_publish(t, f.course); /* a course without lectures gets a ready one (e2e.h) */
	CHECK_STATUS(r, 200);
	resp_free(&r);
	for (int i = 0; members && members[i]; i++) {
		char *m = e2e_login(members[i], E2E_PW);
		r = reqf("POST", m, NULL, "/api/v1/courses/%lld/enroll", f.course);
		CHECK(r.status == 200 || r.status == 201, "enrol %s: %ld", members[i], r.status);
		resp_free(&r);
		free(m);
	}
	free(t);
	return f;
}

static qfx course_fx(int lectures, const char *quiz_body, const char *const *members)
{
	return course_fx_q(lectures, quiz_body, members, 0x1f);
}

static const struct known *known_of(json_t *q)
{
	for (int i = 0; i < NKNOWN; i++)
		if (!strcmp(jstr(q, "stem"), KNOWN[i].stem))
			return &KNOWN[i];
	return NULL;
}

/* The displayed position of an option text in a shown question, or -1. */
static int shown_at(json_t *q, const char *text)
{
	size_t i;
	json_t *o;
	json_array_foreach (json_object_get(q, "options"), i, o)
		if (!strcmp(json_string_value(o), text))
			return (int)i;
	return -1;
}

/* The answer to a shown question: right (1) or wrong (0), in displayed positions. */
static json_t *answer_for(json_t *q, int right)
{
	const struct known *k = known_of(q);
	json_t *a = json_array();
	if (!k)
		return a;
	int fill = !strcmp(jstr(q, "type"), "fill");
	if (!strcmp(jstr(q, "type"), "multiple")) {
		/* right: the three right ones; wrong: two of them (all or nothing). */
		const char *all[] = {"支部党员大会", "支部委员会", "党小组会"};
		for (int i = 0; i < (right ? 3 : 2); i++)
			json_array_append_new(a, json_integer(shown_at(q, all[i])));
		return a;
	}
	const char *text = right ? k->right[0] : k->wrong;
	json_array_append_new(a, fill ? json_string(text) : json_integer(shown_at(q, text)));
	return a;
}

/* {"answers":{id: answer, …}} for the questions of an attempt; right_mask bit i: question i right;
   only the first `count` questions answered. malloc'd text. */
static char *answers_body(json_t *attempt, unsigned right_mask, int count)
{
	json_t *ans = json_object();
	size_t i;
	json_t *q;
	json_array_foreach (json_object_get(attempt, "questions"), i, q) {
		if ((int)i >= count)
			break;
		char key[24];
		snprintf(key, sizeof key, "%lld", (long long)jint(q, "id"));
		json_object_set_new(ans, key, answer_for(q, (right_mask >> i) & 1));
	}
	json_t *o = json_pack("{s:o}", "answers", ans);
	char *s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return s;
}

/* Fails when a response before submission holds any answer or explanation. */
static void no_secrets(const resp *r, const char *what)
{
	const char *b = r->body ? r->body : "";
	CHECK(!strstr(b, "EXPL-") && !strstr(b, "\"answer\"") && !strstr(b, "\"explanation\"") &&
		      !strstr(b, "\"results\"") && !strstr(b, "\"correct\""),
	      "%s shows answers before submission: %.400s", what, r->body ? r->body : "");
}

static double count_q(long long course)
{
	return e2e_sql("SELECT count(*) FROM questions WHERE course_id=%lld", course);
}

static const char *Z[] = {"zhangsan", NULL};
#define QUIZ_STD "{\"num_questions\":5,\"pass_score\":60,\"time_limit_s\":600,\"max_attempts\":3}"

E2E_TEST(quiz_bank_crud_and_bad_input)
{
	qfx f = course_fx(0, NULL, NULL);
	char *t = e2e_login("teacher", E2E_PW), *m = e2e_login("zhangsan", E2E_PW);
	CHECK(count_q(f.course) == NKNOWN, "five questions");
	static const struct {
		const char *body, *code;
	} bad[] = {
		{"{\"type\":\"single\",\"stem\":\"无答案\",\"options\":[\"a\",\"b\"],\"answer\":[]}", "no_answer"},
		{"{\"type\":\"single\",\"stem\":\"两个答案\",\"options\":[\"a\",\"b\"],\"answer\":[0,1]}", "single_many"},
		{"{\"type\":\"essay\",\"stem\":\"题型未知\",\"answer\":[0]}", "type_unknown"},
		{"{\"type\":\"multiple\",\"stem\":\"越界\",\"options\":[\"a\",\"b\"],\"answer\":[5]}", "answer_range"},
		{"{\"type\":\"fill\",\"stem\":\"空\",\"answer\":[\"  \"]}", "blank_empty"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		resp r = reqf("POST", t, bad[i].body, "/api/v1/courses/%lld/questions", f.course);
		CHECK(r.status == 422 && strstr(r.body, bad[i].code), "bad question %zu: %ld %s", i, r.status, r.body);
		resp_free(&r);
	}
	/* Pass scores outside 0..100. */
	const char *bad_quiz[] = {"{\"pass_score\":101}", "{\"pass_score\":-1}", "{\"num_questions\":0}",
				  "{\"time_limit_s\":5}"};
	for (int i = 0; i < 4; i++) {
		resp r = reqf("PUT", t, bad_quiz[i], "/api/v1/courses/%lld/quiz", f.course);
		CHECK_STATUS(r, 422);
		resp_free(&r);
	}
	CHECK(e2e_sql("SELECT count(*) FROM quizzes WHERE course_id=%lld", f.course) == 0, "no quiz made by bad input");
	/* A member and another instructor may not touch the bank. */
	resp r;
	char *adm = e2e_login("admin", E2E_PW);
	long long org = (long long)e2e_sql("SELECT org_id FROM users WHERE username='teacher'");
	char body[300];
	snprintf(body, sizeof body,
		 "{\"username\":\"quiz_t2\",\"name\":\"另一位老师\",\"password\":\"" E2E_PW "\",\"role\":\"instructor\","
		 "\"org_id\":%lld}",
		 org);
	r = e2e_req("POST", "/api/v1/users", adm, body, NULL);
	CHECK(r.status == 201 || r.status == 409, "quiz_t2: %ld", r.status);
	resp_free(&r);
	char *t2 = e2e_login("quiz_t2", E2E_PW);
	const char *who[] = {"member", "other instructor"};
	char *toks[] = {m, t2};
	for (int w = 0; w < 2; w++) {
		r = reqf("POST", toks[w], KNOWN[0].json, "/api/v1/courses/%lld/questions", f.course);
		CHECK(r.status == 403, "%s adds a question: %ld", who[w], r.status);
		resp_free(&r);
		r = reqf("PUT", toks[w], KNOWN[1].json, "/api/v1/questions/%lld", f.q[0]);
		CHECK(r.status == 403, "%s edits a question: %ld", who[w], r.status);
		resp_free(&r);
		r = reqf("DELETE", toks[w], NULL, "/api/v1/questions/%lld", f.q[0]);
		CHECK(r.status == 403, "%s deletes a question: %ld", who[w], r.status);
		resp_free(&r);
		r = reqf("PUT", toks[w], QUIZ_STD, "/api/v1/courses/%lld/quiz", f.course);
		CHECK(r.status == 403, "%s sets the quiz: %ld", who[w], r.status);
		resp_free(&r);
		r = reqf("GET", toks[w], NULL, "/api/v1/courses/%lld/questions", f.course);
		CHECK(r.status == 403, "%s lists the bank: %ld", who[w], r.status);
		resp_free(&r);
	}
	CHECK(count_q(f.course) == NKNOWN, "nothing changed: %g questions", count_q(f.course));
	CHECK(e2e_sql("SELECT count(*) FROM questions WHERE id=%lld AND body LIKE '%%纪律检查委员会%%'", f.q[0]) == 1,
	      "question 1 unchanged");
	/* The owner lists (with answers), edits in place (never used) and deletes. */
	r = reqf("GET", t, NULL, "/api/v1/courses/%lld/questions", f.course);
	CHECK(r.status == 200 && json_array_size(json_object_get(r.json, "questions")) == NKNOWN &&
		      strstr(r.body, "EXPL-S1"),
	      "list: %.200s", r.body);
	resp_free(&r);
	r = reqf("PUT", t, KNOWN[4].json, "/api/v1/questions/%lld", f.q[0]);
	CHECK(r.status == 200 && jint(r.json, "id") == f.q[0] && json_is_false(json_object_get(r.json, "replaced")),
	      "edit in place: %s", r.body);
	resp_free(&r);
	r = reqf("GET", t, NULL, "/api/v1/questions/%lld", f.q[0]);
	CHECK(r.status == 200 && !strcmp(jstr(r.json, "stem"), KNOWN[4].stem), "edited: %s", r.body);
	resp_free(&r);
	r = reqf("DELETE", t, NULL, "/api/v1/questions/%lld", f.q[0]);
	CHECK(r.status == 200 && json_is_true(json_object_get(r.json, "deleted")), "delete: %s", r.body);
	resp_free(&r);
	CHECK(count_q(f.course) == NKNOWN - 1, "deleted");
	r = reqf("GET", t, NULL, "/api/v1/questions/%lld", f.q[0]);
	CHECK_STATUS(r, 404);
	resp_free(&r);
	CHECK(e2e_sql("SELECT count(*) FROM audit_log WHERE action LIKE 'question.%%' AND target_id=%lld", f.q[0]) >= 3,
	      "audited");
	free(t);
	free(t2);
	free(m);
	free(adm);
}

E2E_TEST(quiz_import_csv_and_markdown)
{
	qfx f = course_fx(0, NULL, NULL);
	char *t = e2e_login("teacher", E2E_PW);
	const char *csv = "\xEF\xBB\xBF题型,题干,选项,答案,解析,标签\r\n"
			  "单选,导入单选,甲|乙|丙,B,解析一,导入\r\n"
			  "单选,坏的答案字母,甲|乙,Z,,\r\n"
			  "判断,导入判断,,对,,\r\n"
			  "未知题型,坏的题型,,对,,\r\n"
			  "填空,导入填空____,,1|一,,\r\n";
	double before = count_q(f.course);
	char path[96];
	snprintf(path, sizeof path, "/api/v1/courses/%lld/questions/import?dry_run=1", f.course);
	resp r = e2e_req_h("POST", path, t, csv, strlen(csv), "text/csv", NULL);
	CHECK(r.status == 200 && json_array_size(json_object_get(r.json, "questions")) == 3 &&
		      jint(r.json, "created") == 0,
	      "dry run: %s", r.body);
	resp_free(&r);
	CHECK(count_q(f.course) == before, "a dry run stores nothing");
	snprintf(path, sizeof path, "/api/v1/courses/%lld/questions/import", f.course);
	r = e2e_req_h("POST", path, t, csv, strlen(csv), "text/csv", NULL);
	json_t *errs = json_object_get(r.json, "errors");
	CHECK(r.status == 200 && jint(r.json, "created") == 3 && json_array_size(errs) == 2 &&
		      jint(json_array_get(errs, 0), "line") == 3 && jint(json_array_get(errs, 1), "line") == 5 &&
		      strlen(jstr(json_array_get(errs, 0), "message")) > 0,
	      "csv import: %s", r.body);
	resp_free(&r);
	CHECK(count_q(f.course) == before + 3, "three kept");
	const char *md = "# 导入\n\n"
			 "## 1. Markdown 单选（　）。\n- [ ] 团课\n- [x] 党课\n解析：说明\n\n"
			 "## 2. 没有正确答案\n- [ ] 甲\n- [ ] 乙\n\n"
			 "## 3. Markdown 判断\n答案：错\n\n"
			 "- 没有方框的选项\n\n"
			 "## 4. Markdown 多选\n- [x] 甲\n- [x] 乙\n- [ ] 丙\n";
	r = e2e_req_h("POST", path, t, md, strlen(md), "text/markdown", NULL);
	errs = json_object_get(r.json, "errors");
	/* Question 2 has no right answer (reported at its "##" line, 8); question 3 has a bullet
	   without a box (line 15): both skipped, 1 and 4 kept. */
	CHECK(r.status == 200 && jint(r.json, "created") == 2 && json_array_size(errs) == 2 &&
		      jint(json_array_get(errs, 0), "line") == 8 && jint(json_array_get(errs, 1), "line") == 15,
	      "markdown import: %s", r.body);
	resp_free(&r);
	CHECK(count_q(f.course) == before + 5, "markdown kept two: %g", count_q(f.course));
	r = e2e_req_h("POST", path, t, md, strlen(md), "application/pdf", NULL);
	CHECK_STATUS(r, 415);
	resp_free(&r);
	CHECK(count_q(f.course) == before + 5, "a refused file changes nothing");
	free(t);
}

E2E_TEST(quiz_attempt_draw_save_resume_submit)
{
	qfx f = course_fx(0, QUIZ_STD, Z);
	char *m = e2e_login("zhangsan", E2E_PW), *l = e2e_login("lisi", E2E_PW);
	resp r = reqf("POST", m, NULL, "/api/v1/quizzes/%lld/attempts", f.quiz);
	CHECK_STATUS(r, 201);
	no_secrets(&r, "start");
	long long at = jint(r.json, "attempt_id");
	json_t *att = json_incref(r.json);
	CHECK(json_array_size(json_object_get(att, "questions")) == 5 && jstr(att, "deadline")[0],
	      "five questions and a deadline: %s", r.body);
	resp_free(&r);
	/* The permutation stays on the server: kept in the attempt's slots, never in a reply. */
	CHECK(e2e_sql("SELECT count(*) FROM attempts WHERE id=%lld AND slots LIKE '%%\\\"p\\\":[%%'", at) == 1,
	      "slots with permutations stored");
	/* Starting again answers the same open attempt. */
	r = reqf("POST", m, NULL, "/api/v1/quizzes/%lld/attempts", f.quiz);
	CHECK(r.status == 200 && jint(r.json, "attempt_id") == at, "second start: %ld %.200s", r.status, r.body);
	no_secrets(&r, "second start");
	resp_free(&r);
	/* Save two answers, then a third separately (partial saves). */
	char *b2 = answers_body(att, 0x1f, 2);
	r = reqf("PUT", m, b2, "/api/v1/attempts/%lld/answers", at);
	CHECK(r.status == 200 && jint(r.json, "saved") == 2, "save: %ld %s", r.status, r.body);
	no_secrets(&r, "save");
	resp_free(&r);
	r = reqf("GET", m, NULL, "/api/v1/attempts/%lld", at);
	CHECK(r.status == 200 && json_object_size(json_object_get(r.json, "answers")) == 2 &&
		      json_is_false(json_object_get(r.json, "submitted")),
	      "resume: %s", r.body);
	no_secrets(&r, "GET attempt");
	resp_free(&r);
	/* Bad answers: 422, nothing saved. */
	long long q0 = jint(json_array_get(json_object_get(att, "questions"), 0), "id");
	json_t *fillq = NULL, *choice = NULL;
	size_t i;
	json_t *q;
	json_array_foreach (json_object_get(att, "questions"), i, q) {
		if (!strcmp(jstr(q, "type"), "fill"))
			fillq = q;
		if (!strcmp(jstr(q, "type"), "single"))
			choice = q;
	}
	char bad[5][200];
	snprintf(bad[0], sizeof bad[0], "{\"answers\":{\"%lld\":[0]}}", f.q[0] + 100000); /* not in the attempt */
	snprintf(bad[1], sizeof bad[1], "{\"answers\":{\"%lld\":[7]}}", (long long)jint(choice, "id")); /* out of range */
	snprintf(bad[2], sizeof bad[2], "{\"answers\":{\"%lld\":[1]}}", (long long)jint(fillq, "id")); /* not strings */
	snprintf(bad[3], sizeof bad[3], "{\"answers\":{\"%lld\":\"ABC\"}}", (long long)jint(fillq, "id")); /* not a list */
	snprintf(bad[4], sizeof bad[4], "{\"answers\":{\"%lld\":[0,1]}}",
		 (long long)jint(choice, "id")); /* two for single */
	const char *codes[] = {"not_in_attempt", "out_of_range", "fill_not_strings", "not_list", "too_many"};
	for (int k = 0; k < 5; k++) {
		r = reqf("PUT", m, bad[k], "/api/v1/attempts/%lld/answers", at);
		CHECK(r.status == 422 && strstr(r.body, codes[k]), "bad answer %d: %ld %s", k, r.status, r.body);
		resp_free(&r);
		r = reqf("POST", m, bad[k], "/api/v1/attempts/%lld/submit", at);
		CHECK(r.status == 422, "bad submit %d: %ld %s", k, r.status, r.body);
		resp_free(&r);
	}
	CHECK(e2e_sql("SELECT (SELECT count(*) FROM json_each(answers)) FROM attempts WHERE id=%lld", at) == 2 &&
		      e2e_sql("SELECT count(*) FROM attempts WHERE id=%lld AND submitted_at IS NULL", at) == 1,
	      "bad answers changed nothing");
	/* Another member's attempt does not exist for them; the instructor's neither. */
	r = reqf("GET", l, NULL, "/api/v1/attempts/%lld", at);
	CHECK_STATUS(r, 404);
	no_secrets(&r, "other member GET");
	resp_free(&r);
	r = reqf("PUT", l, b2, "/api/v1/attempts/%lld/answers", at);
	CHECK_STATUS(r, 404);
	resp_free(&r);
	r = reqf("POST", l, "{}", "/api/v1/attempts/%lld/submit", at);
	CHECK_STATUS(r, 404);
	resp_free(&r);
	/* lisi is not enrolled: 403, and no attempt made. */
	r = reqf("POST", l, NULL, "/api/v1/quizzes/%lld/attempts", f.quiz);
	CHECK(r.status == 403 && strstr(r.body, "not_enrolled"), "not enrolled: %ld %s", r.status, r.body);
	resp_free(&r);
	CHECK(e2e_sql("SELECT count(*) FROM attempts a JOIN users u ON u.id=a.user_id WHERE u.username='lisi'") == 0,
	      "no attempt for lisi");
	/* Submit the rest: 4 right of 5 (the multiple one wrong) = 80. */
	unsigned mask = 0;
	json_array_foreach (json_object_get(att, "questions"), i, q)
		if (strcmp(jstr(q, "type"), "multiple"))
			mask |= 1u << i;
	char *all = answers_body(att, mask, 5);
	r = reqf("POST", m, all, "/api/v1/attempts/%lld/submit", at);
	CHECK(r.status == 200 && jint(r.json, "score") == 80 && json_is_true(json_object_get(r.json, "passed")) &&
		      json_array_size(json_object_get(r.json, "results")) == 5,
	      "submit: %ld %s", r.status, r.body);
	resp_free(&r);
	r = reqf("POST", m, all, "/api/v1/attempts/%lld/submit", at);
	CHECK(r.status == 409 && strstr(r.body, "already_submitted"), "second submit: %ld %s", r.status, r.body);
	resp_free(&r);
	r = reqf("PUT", m, b2, "/api/v1/attempts/%lld/answers", at);
	CHECK_STATUS(r, 409);
	resp_free(&r);
	CHECK(e2e_sql("SELECT score FROM attempts WHERE id=%lld", at) == 80, "score kept at 80");
	/* After the submit: results with right answers and explanations. */
	r = reqf("GET", m, NULL, "/api/v1/attempts/%lld", at);
	CHECK(r.status == 200 && json_is_true(json_object_get(r.json, "submitted")) && strstr(r.body, "EXPL-S1") &&
		      json_array_size(json_object_get(r.json, "results")) == 5,
	      "result: %.300s", r.body);
	/* The right answer of the single question is its displayed position. */
	json_t *res;
	json_array_foreach (json_object_get(r.json, "results"), i, res)
		if (jint(res, "question_id") == jint(choice, "id")) {
			const struct known *k = known_of(choice);
			CHECK(json_integer_value(json_array_get(json_object_get(res, "answer"), 0)) ==
				      shown_at(choice, k->right[0]),
			      "right answer in displayed terms");
		}
	resp_free(&r);
	(void)q0;
	/* Events: passed (80), no full marks; the stats table has five rows. */
	CHECK(e2e_sql("SELECT count(*) FROM events WHERE kind='exam_passed' AND ref=%lld", f.quiz) == 1, "exam_passed");
	CHECK(e2e_sql("SELECT count(*) FROM events WHERE kind='exam_full_marks' AND ref=%lld", f.quiz) == 0,
	      "no full marks");
	CHECK(e2e_sql("SELECT count(*) FROM attempt_items WHERE attempt_id=%lld", at) == 5, "items");
	free(b2);
	free(all);
	json_decref(att);
	free(m);
	free(l);
}

/* Grading of every type: all right is 100 (and full marks), fill-in folding included. */
E2E_TEST(quiz_grading_every_type_and_fill_folding)
{
	qfx f = course_fx(0, QUIZ_STD, Z);
	char *m = e2e_login("zhangsan", E2E_PW);
	resp r = reqf("POST", m, NULL, "/api/v1/quizzes/%lld/attempts", f.quiz);
	json_t *att = json_incref(r.json);
	resp_free(&r);
	char *all = answers_body(att, 0x1f, 5);
	CHECK(strstr(all, "ＡＢＣ１２３") != NULL, "the fill answer is full width: %s", all);
	r = reqf("POST", m, all, "/api/v1/attempts/%lld/submit", jint(att, "attempt_id"));
	CHECK(r.status == 200 && jint(r.json, "score") == 100, "all right: %s", r.body);
	resp_free(&r);
	CHECK(e2e_sql("SELECT count(*) FROM events WHERE kind='exam_full_marks' AND ref=%lld", f.quiz) == 1,
	      "full marks");
	/* A second attempt, all wrong: 0; the multiple one with two of three is wrong. */
	r = reqf("POST", m, NULL, "/api/v1/quizzes/%lld/attempts", f.quiz);
	json_t *att2 = json_incref(r.json);
	resp_free(&r);
	char *none = answers_body(att2, 0, 5);
	r = reqf("POST", m, none, "/api/v1/attempts/%lld/submit", jint(att2, "attempt_id"));
	CHECK(r.status == 200 && jint(r.json, "score") == 0 && json_is_false(json_object_get(r.json, "passed")),
	      "all wrong: %s", r.body);
	resp_free(&r);
	/* Highest score counts: still passed. */
	r = reqf("GET", m, NULL, "/api/v1/quizzes/%lld", f.quiz);
	json_t *me = json_object_get(r.json, "me");
	CHECK(!strcmp(jstr(me, "state"), "passed") && jint(me, "best_score") == 100 && jint(me, "attempts_left") == 1,
	      "state: %s", r.body);
	resp_free(&r);
	free(all);
	free(none);
	json_decref(att);
	json_decref(att2);
	free(m);
}

E2E_TEST(quiz_deadline_grace_and_lazy_grading)
{
	qfx f = course_fx(0, "{\"num_questions\":5,\"pass_score\":60,\"time_limit_s\":300,\"max_attempts\":5}", Z);
	char *m = e2e_login("zhangsan", E2E_PW);
	/* 1. Saved before the deadline, submitted 40 s after it: 409, graded as it stood. */
	resp r = reqf("POST", m, NULL, "/api/v1/quizzes/%lld/attempts", f.quiz);
	json_t *att = json_incref(r.json);
	long long at = jint(att, "attempt_id");
	resp_free(&r);
	char *three = answers_body(att, 0x1f, 3), *all = answers_body(att, 0x1f, 5);
	r = reqf("PUT", m, three, "/api/v1/attempts/%lld/answers", at);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	e2e_clock_advance(301);
	r = reqf("PUT", m, all, "/api/v1/attempts/%lld/answers", at);
	CHECK(r.status == 409 && strstr(r.body, "deadline_passed"), "save after the deadline: %ld %s", r.status, r.body);
	resp_free(&r);
	e2e_clock_advance(40);
	r = reqf("POST", m, all, "/api/v1/attempts/%lld/submit", at);
	CHECK(r.status == 409 && strstr(r.body, "deadline_passed"), "late submit: %ld %s", r.status, r.body);
	resp_free(&r);
	r = reqf("GET", m, NULL, "/api/v1/attempts/%lld", at);
	CHECK(json_is_true(json_object_get(r.json, "submitted")) && !strcmp(jstr(r.json, "graded_by"), "deadline") &&
		      jint(r.json, "correct") <= 3 && jint(r.json, "correct") >= 2,
	      "graded as it stood (3 saved, the multiple may be among them): %.300s", r.body);
	resp_free(&r);
	CHECK(e2e_sql("SELECT submitted_at = deadline FROM attempts WHERE id=%lld", at) == 1, "graded at the deadline");
	json_decref(att);
	free(three);
	free(all);

	/* 2. Within the grace: the submit counts, with its answers. */
	r = reqf("POST", m, NULL, "/api/v1/quizzes/%lld/attempts", f.quiz);
	CHECK_STATUS(r, 201);
	att = json_incref(r.json);
	at = jint(att, "attempt_id");
	resp_free(&r);
	all = answers_body(att, 0x1f, 5);
	e2e_clock_advance(310);
	r = reqf("POST", m, all, "/api/v1/attempts/%lld/submit", at);
	CHECK(r.status == 200 && jint(r.json, "score") == 100, "submit in the grace: %ld %s", r.status, r.body);
	resp_free(&r);
	json_decref(att);
	free(all);

	/* 3. Never submitted: graded lazily by the next read, and the next start is a new attempt. */
	r = reqf("POST", m, NULL, "/api/v1/quizzes/%lld/attempts", f.quiz);
	att = json_incref(r.json);
	at = jint(att, "attempt_id");
	resp_free(&r);
	char *one = answers_body(att, 0x1f, 1);
	r = reqf("PUT", m, one, "/api/v1/attempts/%lld/answers", at);
	resp_free(&r);
	e2e_clock_advance(400);
	r = reqf("GET", m, NULL, "/api/v1/attempts/%lld", at);
	CHECK(json_is_true(json_object_get(r.json, "submitted")) && !strcmp(jstr(r.json, "graded_by"), "deadline") &&
		      jint(r.json, "score") == (jint(r.json, "correct") * 200 + 5) / 10,
	      "lazy: %.300s", r.body);
	resp_free(&r);
	r = reqf("POST", m, NULL, "/api/v1/quizzes/%lld/attempts", f.quiz);
	CHECK(r.status == 201 && jint(r.json, "attempt_id") != at, "new attempt after the lazy grade: %ld", r.status);
	long long at4 = jint(r.json, "attempt_id");
	resp_free(&r);
	/* 4. Expired and never read: the start grades it and opens a new one. */
	e2e_clock_advance(400);
	r = reqf("POST", m, NULL, "/api/v1/quizzes/%lld/attempts", f.quiz);
	CHECK(r.status == 201 && jint(r.json, "attempt_id") != at4, "start after expiry: %ld", r.status);
	resp_free(&r);
	CHECK(e2e_sql("SELECT count(*) FROM attempts WHERE id=%lld AND graded_by='deadline'", at4) == 1,
	      "expired attempt graded at the start");
	json_decref(att);
	free(one);
	free(m);
}

E2E_TEST(quiz_no_attempts_left_and_settings_do_not_change_started)
{
	qfx f = course_fx(0, "{\"num_questions\":3,\"pass_score\":60,\"time_limit_s\":600,\"max_attempts\":1}", Z);
	char *m = e2e_login("zhangsan", E2E_PW), *t = e2e_login("teacher", E2E_PW);
	resp r = reqf("POST", m, NULL, "/api/v1/quizzes/%lld/attempts", f.quiz);
	CHECK(r.status == 201 && json_array_size(json_object_get(r.json, "questions")) == 3, "3 drawn: %s", r.body);
	json_t *att = json_incref(r.json);
	long long at = jint(att, "attempt_id");
	resp_free(&r);
	/* The instructor raises the pass score to 100 and shortens the time: the started attempt keeps 60. */
	r = reqf("PUT", t, "{\"pass_score\":100,\"time_limit_s\":60,\"num_questions\":5}", "/api/v1/courses/%lld/quiz",
		 f.course);
	CHECK(r.status == 200 && jint(r.json, "id") == f.quiz, "edit quiz: %s", r.body);
	resp_free(&r);
	e2e_clock_advance(120); /* past the new limit, within the old one */
	unsigned mask = 0;
	size_t i;
	json_t *q;
	json_array_foreach (json_object_get(att, "questions"), i, q)
		if (i < 2 && strcmp(jstr(q, "type"), "multiple"))
			mask |= 1u << i;
	int right = __builtin_popcount(mask);
	char *all = answers_body(att, mask | 0, 3);
	r = reqf("POST", m, all, "/api/v1/attempts/%lld/submit", at);
	int want = (200 * right + 3) / 6;
	CHECK(r.status == 200 && jint(r.json, "score") == want && jint(r.json, "pass_score") == 60 &&
		      json_is_true(json_object_get(r.json, "passed")) == (want >= 60),
	      "graded with the settings it started with: %ld %s", r.status, r.body);
	resp_free(&r);
	double n = e2e_sql("SELECT count(*) FROM attempts WHERE quiz_id=%lld", f.quiz);
	r = reqf("POST", m, NULL, "/api/v1/quizzes/%lld/attempts", f.quiz);
	CHECK(r.status == 409 && strstr(r.body, "no_attempts_left"), "none left: %ld %s", r.status, r.body);
	resp_free(&r);
	CHECK(e2e_sql("SELECT count(*) FROM attempts WHERE quiz_id=%lld", f.quiz) == n, "no attempt made");
	json_decref(att);
	free(all);
	free(m);
	free(t);
}

/* ---- two submits at the same moment ---- */

struct racer {
	const char *tok, *body;
	long long at;
	long status;
};

static void *race(void *p)
{
	struct racer *x = p;
	resp r = reqf("POST", x->tok, x->body, "/api/v1/attempts/%lld/submit", x->at);
	x->status = r.status;
	resp_free(&r);
	return NULL;
}

E2E_TEST(quiz_concurrent_submits_grade_once)
{
	qfx f = course_fx(0, QUIZ_STD, Z);
	char *m = e2e_login("zhangsan", E2E_PW);
	for (int round = 0; round < 3; round++) {
		resp r = reqf("POST", m, NULL, "/api/v1/quizzes/%lld/attempts", f.quiz);
		json_t *att = json_incref(r.json);
		resp_free(&r);
		char *all = answers_body(att, 0x1f, 5);
		enum { N = 8 };
		struct racer x[N];
		pthread_t th[N];
		for (int i = 0; i < N; i++) {
			x[i] = (struct racer){.tok = m, .body = all, .at = jint(att, "attempt_id")};
			pthread_create(&th[i], NULL, race, &x[i]);
		}
		int ok = 0, conflict = 0;
		for (int i = 0; i < N; i++) {
			pthread_join(th[i], NULL);
			ok += x[i].status == 200;
			conflict += x[i].status == 409;
		}
		CHECK(ok == 1 && conflict == N - 1, "round %d: %d graded, %d refused", round, ok, conflict);
		CHECK(e2e_sql("SELECT count(*) FROM attempt_items WHERE attempt_id=%lld", jint(att, "attempt_id")) == 5,
		      "graded once: five result rows");
		json_decref(att);
		free(all);
	}
	free(m);
}

/* ---- completion in both orders ---- */

static resp hb(const char *tok, long long lec, long long session, double pos)
{
	char body[200];
	snprintf(body, sizeof body, "{\"session\":%lld,\"position\":%.3f,\"playing\":true,\"rate\":1}", session, pos);
	return reqf("POST", tok, body, "/api/v1/lectures/%lld/heartbeat", lec);
}

/* Watches the 20-s lecture to its end; the heartbeat's "course_completed". */
static int watch(const char *tok, long long lec)
{
	resp r = reqf("POST", tok, NULL, "/api/v1/lectures/%lld/play", lec);
	long long s = jint(r.json, "session");
	resp_free(&r);
	e2e_clock_advance(10);
	r = hb(tok, lec, s, 10);
	resp_free(&r);
	e2e_clock_advance(10);
	r = hb(tok, lec, s, 20);
	CHECK(json_is_true(json_object_get(r.json, "completed")), "lecture complete: %s", r.body);
	int done = json_is_true(json_object_get(r.json, "course_completed"));
	resp_free(&r);
	return done;
}

static int passes(const char *tok, long long quiz, int *completed)
{
	resp r = reqf("POST", tok, NULL, "/api/v1/quizzes/%lld/attempts", quiz);
	json_t *att = json_incref(r.json);
	resp_free(&r);
	char *all = answers_body(att, 0x1f, 5);
	r = reqf("POST", tok, all, "/api/v1/attempts/%lld/submit", jint(att, "attempt_id"));
	int ok = r.status == 200 && json_is_true(json_object_get(r.json, "passed"));
	*completed = json_is_true(json_object_get(r.json, "course_completed"));
	resp_free(&r);
	free(all);
	json_decref(att);
	return ok;
}

static double completed(const char *user, long long course)
{
	return e2e_sql("SELECT count(*) FROM enrollments e JOIN users u ON u.id=e.user_id WHERE u.username='%s' AND"
		       " e.course_id=%lld AND e.completed_at IS NOT NULL",
		       user, course);
}

E2E_TEST(quiz_completion_lectures_first_then_exam)
{
	const char *ms[] = {"zhangsan", NULL};
	qfx f = course_fx(1, QUIZ_STD, ms);
	char *m = e2e_login("zhangsan", E2E_PW);
	CHECK(watch(m, f.lec[0]) == 0, "lectures alone do not complete a course with an exam");
	CHECK(completed("zhangsan", f.course) == 0, "not complete before the exam");
	resp r = reqf("GET", m, NULL, "/api/v1/courses/%lld", f.course);
	CHECK(jint(r.json, "quiz_id") == f.quiz && !strcmp(jstr(json_object_get(r.json, "exam"), "state"), "not_started"),
	      "course shows the exam: %.300s", r.body);
	resp_free(&r);
	int done = 0;
	CHECK(passes(m, f.quiz, &done), "passes");
	CHECK(done == 1 && completed("zhangsan", f.course) == 1, "passing completes the course (%d)", done);
	CHECK(e2e_sql("SELECT count(*) FROM events e JOIN users u ON u.id=e.user_id WHERE u.username='zhangsan' AND"
		      " e.kind='course_completed' AND e.ref=%lld",
		      f.course) == 1,
	      "course_completed event");
	free(m);
}

E2E_TEST(quiz_completion_exam_first_then_lectures)
{
	const char *ms[] = {"zhangsan", NULL};
	qfx f = course_fx(2, QUIZ_STD, ms);
	char *m = e2e_login("zhangsan", E2E_PW);
	int done = 0;
	CHECK(passes(m, f.quiz, &done), "passes");
	CHECK(done == 0 && completed("zhangsan", f.course) == 0, "the exam alone does not complete it");
	CHECK(watch(m, f.lec[0]) == 0, "one of two lectures");
	CHECK(watch(m, f.lec[1]) == 1, "the last lecture completes the course once the exam is passed");
	CHECK(completed("zhangsan", f.course) == 1, "complete");
	free(m);
}

E2E_TEST(quiz_daily_one_per_day)
{
	char *m = e2e_login("lisi", E2E_PW);
	qfx f = course_fx(0, NULL, NULL); /* a published bank so that the daily quiz has questions */
	(void)f;
	resp r = e2e_req("POST", "/api/v1/daily-quiz", m, NULL, NULL);
	CHECK(r.status == 201 || r.status == 200, "daily: %ld %s", r.status, r.body);
	no_secrets(&r, "daily start");
	json_t *att = json_incref(r.json);
	long long at = jint(att, "attempt_id");
	CHECK(json_array_size(json_object_get(att, "questions")) == 5 && !strcmp(jstr(att, "kind"), "daily"),
	      "five questions: %.200s", r.body);
	resp_free(&r);
	r = e2e_req("POST", "/api/v1/daily-quiz", m, NULL, NULL);
	CHECK(r.status == 200 && jint(r.json, "attempt_id") == at, "same attempt: %ld", r.status);
	resp_free(&r);
	char *all = answers_body(att, 0x1f, 5);
	r = reqf("POST", m, all, "/api/v1/attempts/%lld/submit", at);
	CHECK_STATUS(r, 200);
	int right = (int)jint(r.json, "correct");
	resp_free(&r);
	CHECK(e2e_sql("SELECT count(*) FROM events WHERE kind='quiz_answer' AND ref BETWEEN %lld AND %lld", at * 100,
		      at * 100 + 99) == 5 &&
		      e2e_sql("SELECT count(*) FROM events WHERE kind='quiz_answer' AND ref BETWEEN %lld AND %lld AND "
			      "user_id=(SELECT id FROM users WHERE username='lisi')",
			      at * 100, at * 100 + 99) == 5,
	      "one quiz_answer event per question");
	(void)right;
	r = e2e_req("POST", "/api/v1/daily-quiz", m, NULL, NULL);
	CHECK(r.status == 200 && jint(r.json, "attempt_id") == at &&
		      json_is_true(json_object_get(r.json, "submitted")) && json_object_get(r.json, "results"),
	      "after submit, the same attempt with results: %.200s", r.body);
	resp_free(&r);
	/* The next academy day: a new one. */
	char *adm = e2e_login("admin", E2E_PW);
	r = e2e_req("POST", "/api/v1/test/clock", adm, "{\"advance_s\":0}", NULL);
	double left = jnum(r.json, "day_end_s") - jnum(r.json, "now_s");
	resp_free(&r);
	e2e_clock_advance(left + 60);
	r = e2e_req("POST", "/api/v1/daily-quiz", m, NULL, NULL);
	CHECK(r.status == 201 && jint(r.json, "attempt_id") != at, "next day: %ld", r.status);
	resp_free(&r);
	json_decref(att);
	free(all);
	free(adm);
	free(m);
}

/* A question drawn into an attempt is frozen: an edit makes a new question and retires the old,
   a delete retires it; the attempt still shows and grades what it drew. */
E2E_TEST(quiz_used_questions_are_retired_not_deleted)
{
	qfx f = course_fx(0, QUIZ_STD, Z);
	char *m = e2e_login("zhangsan", E2E_PW), *t = e2e_login("teacher", E2E_PW);
	resp r = reqf("POST", m, NULL, "/api/v1/quizzes/%lld/attempts", f.quiz);
	json_t *att = json_incref(r.json);
	resp_free(&r);
	CHECK(e2e_sql("SELECT count(*) FROM questions WHERE course_id=%lld AND used=1", f.course) == 5, "all used");
	r = reqf("PUT", t, KNOWN[4].json, "/api/v1/questions/%lld", f.q[0]);
	long long nid = jint(r.json, "id");
	CHECK(r.status == 200 && nid != f.q[0] && json_is_true(json_object_get(r.json, "replaced")), "edit used: %s",
	      r.body);
	resp_free(&r);
	CHECK(e2e_sql("SELECT retired FROM questions WHERE id=%lld", f.q[0]) == 1 &&
		      e2e_sql("SELECT replaced_by FROM questions WHERE id=%lld", f.q[0]) == nid,
	      "old one retired, replaced by the new");
	r = reqf("DELETE", t, NULL, "/api/v1/questions/%lld", f.q[1]);
	CHECK(r.status == 200 && json_is_true(json_object_get(r.json, "retired")), "delete used: %s", r.body);
	resp_free(&r);
	CHECK(e2e_sql("SELECT retired FROM questions WHERE id=%lld", f.q[1]) == 1, "retired, still there");
	r = reqf("DELETE", t, NULL, "/api/v1/questions/%lld", f.q[1]);
	CHECK_STATUS(r, 409);
	resp_free(&r);
	r = reqf("GET", t, NULL, "/api/v1/courses/%lld/questions", f.course);
	CHECK(json_array_size(json_object_get(r.json, "questions")) == 4, "the bank lists 4 active: %.200s", r.body);
	resp_free(&r);
	/* The attempt still has its five, and grades them as drawn. */
	char *all = answers_body(att, 0x1f, 5);
	r = reqf("POST", m, all, "/api/v1/attempts/%lld/submit", jint(att, "attempt_id"));
	CHECK(r.status == 200 && jint(r.json, "score") == 100, "graded as drawn: %s", r.body);
	resp_free(&r);
	r = reqf("GET", m, NULL, "/api/v1/attempts/%lld", jint(att, "attempt_id"));
	CHECK(strstr(r.body, KNOWN[0].stem) && strstr(r.body, "EXPL-S1"), "the old question shown: %.200s", r.body);
	resp_free(&r);
	free(all);
	json_decref(att);
	free(m);
	free(t);
}

/* No page and no API reply shows an answer or an explanation before the submit; the result page
   shows both after it. */
E2E_TEST(quiz_pages_show_no_answer_before_submit)
{
	qfx f = course_fx(0, QUIZ_STD, Z);
	char *m = e2e_login("zhangsan", E2E_PW), *t = e2e_login("teacher", E2E_PW);
	char paths[6][96];
	snprintf(paths[0], sizeof paths[0], "/quizzes/%lld", f.quiz);
	snprintf(paths[1], sizeof paths[1], "/courses/%lld", f.course);
	snprintf(paths[2], sizeof paths[2], "/api/v1/courses/%lld", f.course);
	snprintf(paths[3], sizeof paths[3], "/api/v1/quizzes/%lld", f.quiz);
	snprintf(paths[4], sizeof paths[4], "/api/v1/quizzes/%lld/attempts", f.quiz);
	snprintf(paths[5], sizeof paths[5], "/daily");
	for (int i = 0; i < 6; i++) {
		resp r = e2e_req("GET", paths[i], m, NULL, NULL);
		CHECK(r.status == 200, "%s: %ld", paths[i], r.status);
		no_secrets(&r, paths[i]);
		resp_free(&r);
	}
	resp r = reqf("POST", m, NULL, "/api/v1/quizzes/%lld/attempts", f.quiz);
	json_t *att = json_incref(r.json);
	long long at = jint(att, "attempt_id");
	no_secrets(&r, "start");
	resp_free(&r);
	char *half = answers_body(att, 0x1f, 3);
	r = reqf("PUT", m, half, "/api/v1/attempts/%lld/answers", at);
	no_secrets(&r, "save");
	resp_free(&r);
	for (int i = 0; i < 6; i++) {
		r = e2e_req("GET", paths[i], m, NULL, NULL);
		no_secrets(&r, paths[i]);
		if (i == 0)
			CHECK(strstr(r.body, "quiz-take") && strstr(r.body, "data-attempt=\"") &&
				      strstr(r.body, "quiz-start"),
			      "the exam page resumes the open attempt: %.300s", r.body);
		resp_free(&r);
	}
	r = reqf("GET", m, NULL, "/api/v1/attempts/%lld", at);
	no_secrets(&r, "GET attempt");
	resp_free(&r);
	/* The result page of an open attempt is the exam page again. */
	r = reqf("GET", m, NULL, "/attempts/%lld", at);
	char *loc = resp_header(&r, "Location");
	CHECK(r.status == 303 && loc && strstr(loc, "/quizzes/"), "open attempt page: %ld %s", r.status, loc ? loc : "");
	no_secrets(&r, "attempt page");
	free(loc);
	resp_free(&r);
	char *all = answers_body(att, 0x1f, 5);
	r = reqf("POST", m, all, "/api/v1/attempts/%lld/submit", at);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	r = reqf("GET", m, NULL, "/attempts/%lld", at);
	CHECK(r.status == 200 && strstr(r.body, "EXPL-S1") && strstr(r.body, "EXPL-F1") && strstr(r.body, "正确答案") &&
		      strstr(r.body, "100"),
	      "the result page: %.300s", r.body);
	resp_free(&r);
	r = reqf("GET", m, NULL, "/quizzes/%lld", f.quiz);
	CHECK(strstr(r.body, "data-state=\"passed\"") && strstr(r.body, "attempt-list"), "passed, with history: %.300s",
	      r.body);
	resp_free(&r);
	/* The instructor's pages; a member is refused them. */
	r = reqf("GET", t, NULL, "/teach/courses/%lld/quiz", f.course);
	CHECK(r.status == 200 && strstr(r.body, "bank-list") && strstr(r.body, "import-form"), "bank editor: %ld",
	      r.status);
	resp_free(&r);
	r = reqf("GET", t, NULL, "/teach/quizzes/%lld/stats", f.quiz);
	CHECK(r.status == 200 && strstr(r.body, "stats-items") && strstr(r.body, KNOWN[0].stem), "stats page: %ld",
	      r.status);
	resp_free(&r);
	r = reqf("GET", m, NULL, "/teach/courses/%lld/quiz", f.course);
	CHECK_STATUS(r, 403);
	resp_free(&r);
	r = reqf("GET", m, NULL, "/teach/quizzes/%lld/stats", f.quiz);
	CHECK_STATUS(r, 403);
	resp_free(&r);
	free(half);
	free(all);
	json_decref(att);
	free(m);
	free(t);
}

static const json_t *by_id(json_t *arr, long long id)
{
	size_t i;
	json_t *o;
	json_array_foreach (arr, i, o)
		if (jint(o, "question_id") == id)
			return o;
	return NULL;
}

/* Item statistics against figures computed here by hand. Three questions A (S1), B (T1), C (S2),
   six attempts by one member with these results (1 right):
       attempt  1 2 3 4 5 6
       A        1 1 1 0 0 0
       B        1 1 0 1 0 0
       C        0 0 0 1 1 1
   scores round(100 × right / 3): 67 67 33 67 33 33. */
E2E_TEST(quiz_stats_match_hand_computation)
{
	qfx f = course_fx_q(0, "{\"num_questions\":3,\"pass_score\":60,\"time_limit_s\":600,\"max_attempts\":0}", Z,
			    1u << 0 | 1u << 2 | 1u << 4);
	long long qa = f.q[0], qb = f.q[2], qc = f.q[4];
	static const int pat[6][3] = {{1, 1, 0}, {1, 1, 0}, {1, 0, 0}, {0, 1, 1}, {0, 0, 1}, {0, 0, 1}};
	char *m = e2e_login("zhangsan", E2E_PW), *t = e2e_login("teacher", E2E_PW);
	for (int a = 0; a < 6; a++) {
		resp r = reqf("POST", m, NULL, "/api/v1/quizzes/%lld/attempts", f.quiz);
		json_t *att = json_incref(r.json);
		resp_free(&r);
		unsigned mask = 0;
		size_t i;
		json_t *q;
		json_array_foreach (json_object_get(att, "questions"), i, q) {
			long long id = jint(q, "id");
			int k = id == qa ? 0 : id == qb ? 1 : 2;
			if (pat[a][k])
				mask |= 1u << i;
		}
		char *body = answers_body(att, mask, 3);
		r = reqf("POST", m, body, "/api/v1/attempts/%lld/submit", jint(att, "attempt_id"));
		int want = (200 * (pat[a][0] + pat[a][1] + pat[a][2]) + 3) / 6;
		CHECK(r.status == 200 && jint(r.json, "score") == want, "attempt %d: %s", a, r.body);
		resp_free(&r);
		free(body);
		json_decref(att);
	}
	/* The hand computation. */
	double sc[6], mean = 0, var = 0;
	for (int a = 0; a < 6; a++) {
		sc[a] = (200 * (pat[a][0] + pat[a][1] + pat[a][2]) + 3) / 6;
		mean += sc[a] / 6;
	}
	for (int a = 0; a < 6; a++)
		var += (sc[a] - mean) * (sc[a] - mean) / 6;
	double sd = sqrt(var), want_r[3], want_f[3];
	for (int k = 0; k < 3; k++) {
		double m1 = 0, m0 = 0;
		int n1 = 0;
		for (int a = 0; a < 6; a++)
			if (pat[a][k])
				m1 += sc[a], n1++;
			else
				m0 += sc[a];
		m1 /= n1;
		m0 /= 6 - n1;
		want_f[k] = n1 / 6.0;
		want_r[k] = (m1 - m0) / sd * sqrt(want_f[k] * (1 - want_f[k]));
	}
	/* Upper and lower groups: round(0.27 × 6) = 2 places each; three attempts tie on 67 (and on 33)
	   for them, so each counts 2/3: D(A) = (2/3·2)/2 − (2/3·1)/2 = 1/3, D(B) = 1 − 0 = 1,
	   D(C) = (2/3·1)/2 − (2/3·2)/2 = −1/3. */
	const double want_d[3] = {1.0 / 3, 1.0, -1.0 / 3};
	CHECK(fabs(want_r[0] - 1.0 / 3) < 0.01 && fabs(want_r[1] - 1) < 0.01 && fabs(want_r[2] + 1.0 / 3) < 0.01,
	      "hand figures: %g %g %g", want_r[0], want_r[1], want_r[2]);
	resp r = reqf("GET", t, NULL, "/api/v1/quizzes/%lld/stats", f.quiz);
	CHECK(r.status == 200 && jint(r.json, "attempts") == 6 && fabs(jnum(r.json, "mean") - mean) < 0.01 &&
		      fabs(jnum(r.json, "median") - 50) < 0.01 &&
		      !strcmp(jstr(r.json, "discrimination_method"), "point_biserial"),
	      "summary: %.300s", r.body);
	json_t *dist = json_object_get(r.json, "distribution");
	CHECK(jint(json_array_get(dist, 3), "count") == 3 && jint(json_array_get(dist, 6), "count") == 3 &&
		      jint(json_array_get(dist, 0), "count") == 0,
	      "distribution: 3 in 30–39, 3 in 60–69");
	long long ids[3] = {qa, qb, qc};
	for (int k = 0; k < 3; k++) {
		const json_t *it = by_id(json_object_get(r.json, "questions"), ids[k]);
		CHECK(it && jint((json_t *)it, "attempts") == 6 &&
			      fabs(jnum((json_t *)it, "facility") - want_f[k]) < 0.001 &&
			      fabs(jnum((json_t *)it, "discrimination") - want_r[k]) < 0.001 &&
			      fabs(jnum((json_t *)it, "point_biserial") - want_r[k]) < 0.001 &&
			      fabs(jnum((json_t *)it, "disc_index") - want_d[k]) < 0.001,
		      "question %d: attempts %lld facility %g discrimination %g disc_index %g", k,
		      jint((json_t *)it, "attempts"), jnum((json_t *)it, "facility"),
		      jnum((json_t *)it, "discrimination"), jnum((json_t *)it, "disc_index"));
		CHECK(it && json_is_true(json_object_get(it, "flagged")) == (k == 2), "flag of %d", k);
	}
	resp_free(&r);
	/* The course's instructor and admins only. */
	r = reqf("GET", m, NULL, "/api/v1/quizzes/%lld/stats", f.quiz);
	CHECK_STATUS(r, 403);
	resp_free(&r);
	char *t2 = e2e_login("quiz_t2", E2E_PW);
	r = reqf("GET", t2, NULL, "/api/v1/quizzes/%lld/stats", f.quiz);
	CHECK_STATUS(r, 403);
	resp_free(&r);
	r = reqf("GET", t, NULL, "/teach/quizzes/%lld/stats", f.quiz);
	CHECK(r.status == 200 && strstr(r.body, "class=\"flagged\"") && strstr(r.body, "需复查"), "flag shown: %ld",
	      r.status);
	resp_free(&r);
	free(t2);
	free(m);
	free(t);
}

/* ---- the course page's exam block, ratings (two-way evaluation), the catalog's average ---- */

/* The course page as user's token sees it (malloc'd body; "" on failure). */
static char *course_page(const char *tok, long long course)
{
	resp r = reqf("GET", tok, NULL, "/courses/%lld", course);
	CHECK_STATUS(r, 200);
	char *b = strdup(r.body ? r.body : "");
	resp_free(&r);
	return b;
}

static int has(const char *body, const char *needle)
{
	return strstr(body, needle) != NULL;
}

/* The exam's state on the course page and in the course API, with the button that fits it. */
static void exam_state_is(const char *tok, const qfx *f, const char *state, const char *button, long long result_id)
{
	char *b = course_page(tok, f->course);
	char want[96];
	snprintf(want, sizeof want, "id=\"exam-state\" data-state=\"%s\"", state);
	CHECK(has(b, want), "course page state %s: %.600s", state,
	      strstr(b, "id=\"exam\"") ? strstr(b, "id=\"exam\"") : b);
	CHECK(!button || has(b, button), "button %s for %s", button ? button : "", state);
	if (result_id) {
		snprintf(want, sizeof want, "id=\"exam-result\" href=\"/attempts/%lld\"", result_id);
		CHECK(has(b, want), "the result link opens attempt %lld (%s)", result_id, state);
	} else {
		CHECK(!has(b, "id=\"exam-result\""), "no result link before a graded attempt (%s)", state);
	}
	CHECK(!has(b, "EXPL-"), "no explanation on the course page");
	free(b);
	resp r = reqf("GET", tok, NULL, "/api/v1/courses/%lld", f->course);
	json_t *e = json_object_get(r.json, "exam");
	CHECK(!strcmp(jstr(e, "state"), state), "API state %s, want %s", jstr(e, "state"), state);
	CHECK(result_id ? jint(e, "best_attempt_id") == result_id : json_is_null(json_object_get(e, "best_attempt_id")),
	      "best_attempt_id %lld, want %lld", jint(e, "best_attempt_id"), result_id);
	resp_free(&r);
}

static double ratings_of(long long course)
{
	return e2e_sql("SELECT count(*) FROM course_ratings WHERE course_id=%lld", course);
}

/* Takes an attempt with the given right answers; its id. */
static long long take(const char *tok, long long quiz, unsigned right)
{
	resp r = reqf("POST", tok, NULL, "/api/v1/quizzes/%lld/attempts", quiz);
	CHECK(r.status == 201 || r.status == 200, "start: %ld %.200s", r.status, r.body ? r.body : "");
	json_t *att = json_incref(r.json);
	resp_free(&r);
	char *body = answers_body(att, right, 5);
	long long id = jint(att, "attempt_id");
	r = reqf("POST", tok, body, "/api/v1/attempts/%lld/submit", id);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	free(body);
	json_decref(att);
	return id;
}

E2E_TEST(quiz_course_page_exam_state_and_ratings)
{
	const char *ms[] = {"wangwu", "zhaoliu", NULL};
	qfx f = course_fx(1, "{\"num_questions\":5,\"pass_score\":60,\"time_limit_s\":600,\"max_attempts\":2}", ms);
	char *m = e2e_login("wangwu", E2E_PW), *m2 = e2e_login("zhaoliu", E2E_PW), *t = e2e_login("teacher", E2E_PW);
	char start[64];
	snprintf(start, sizeof start, "data-start=\"%lld\"", f.quiz);
	exam_state_is(m, &f, "not_started", start, 0);
	char *b = course_page(m, f.course);
	CHECK(has(b, "开始考试") && has(b, "还可考 2 次") && has(b, "共 5 题"), "not started: facts and button");
	CHECK(has(b, "id=\"rating\"") && !has(b, "id=\"rating-form\""), "no rating form before completion");
	free(b);

	/* Rating before completion: 409, nothing written. */
	resp r = reqf("POST", m, "{\"stars\":4}", "/api/v1/courses/%lld/rating", f.course);
	CHECK_STATUS(r, 409);
	CHECK(!strcmp(jstr(json_object_get(r.json, "error"), "code"), "not_completed"), "code: %s", r.body);
	resp_free(&r);
	CHECK(ratings_of(f.course) == 0, "nothing written");

	/* In progress: 继续考试, no result yet. */
	r = reqf("POST", m, NULL, "/api/v1/quizzes/%lld/attempts", f.quiz);
	CHECK_STATUS(r, 201);
	json_t *att = json_incref(r.json);
	resp_free(&r);
	exam_state_is(m, &f, "in_progress", "继续考试", 0);
	/* Failed (one right of five): 再考一次, the result, one attempt left. */
	char *wrong = answers_body(att, 0x1, 5);
	long long a1 = jint(att, "attempt_id");
	r = reqf("POST", m, wrong, "/api/v1/attempts/%lld/submit", a1);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	free(wrong);
	json_decref(att);
	exam_state_is(m, &f, "failed", "再考一次", a1);
	b = course_page(m, f.course);
	CHECK(has(b, "还可考 1 次") && has(b, "最高分 <b>20</b>"), "failed: left and best: %.400s",
	      strstr(b, "exam-state") ? strstr(b, "exam-state") : b);
	free(b);

	/* zhaoliu uses both attempts and fails: no attempts left, the result only. */
	long long z1 = take(m2, f.quiz, 0x3);
	take(m2, f.quiz, 0x1);
	exam_state_is(m2, &f, "no_attempts_left", "考试次数已用完", z1);
	b = course_page(m2, f.course);
	CHECK(!has(b, "id=\"exam-go\""), "no start button without attempts");
	free(b);

	/* Lectures watched, then a pass: 已通过 with the score, the course complete, the form shown. */
	watch(m, f.lec[0]);
	long long a2 = take(m, f.quiz, 0x1f);
	exam_state_is(m, &f, "passed", "已通过", a2);
	b = course_page(m, f.course);
	CHECK(has(b, "成绩 <b>100</b>") && !has(b, "id=\"exam-go\""), "passed: score, no start button");
	int radios = 0;
	for (const char *p = b; (p = strstr(p, "type=\"radio\" name=\"stars\"")); p++)
		radios++;
	CHECK(has(b, "id=\"rating-form\"") && radios == 5 && has(b, "<legend>"), "the form: %d radios in a fieldset",
	      radios);
	free(b);
	CHECK(completed("wangwu", f.course) == 1, "complete");

	/* Bad input: nothing changes. */
	const char *bad[] = {"{\"stars\":0}", "{\"stars\":6}", "{}", "{\"stars\":\"5\"}", "{\"stars\":3.5}", NULL};
	for (int i = 0; bad[i]; i++) {
		r = reqf("POST", m, bad[i], "/api/v1/courses/%lld/rating", f.course);
		CHECK(r.status == 422, "%s → %ld", bad[i], r.status);
		resp_free(&r);
	}
	char longc[1700] = "{\"stars\":3,\"comment\":\"";
	for (int i = 0; i < 501; i++)
		strcat(longc, "长");
	strcat(longc, "\"}");
	r = reqf("POST", m, longc, "/api/v1/courses/%lld/rating", f.course);
	CHECK_STATUS(r, 422);
	resp_free(&r);
	CHECK(ratings_of(f.course) == 0, "no rating after bad input");

	/* A rating, shown on the page; a second replaces it. */
	r = reqf("POST", m, "{\"stars\":4,\"comment\":\"讲得清楚\"}", "/api/v1/courses/%lld/rating", f.course);
	CHECK_STATUS(r, 201);
	CHECK(json_is_false(json_object_get(r.json, "replaced")), "first: not replaced");
	resp_free(&r);
	b = course_page(m, f.course);
	CHECK(has(b, "id=\"star-4\" value=\"4\" checked") && has(b, "讲得清楚") && has(b, "更新评价"),
	      "the page shows the rating");
	free(b);
	r = reqf("POST", m, "{\"stars\":2,\"comment\":\"案例偏少\"}", "/api/v1/courses/%lld/rating", f.course);
	CHECK_STATUS(r, 201);
	CHECK(json_is_true(json_object_get(r.json, "replaced")), "second: replaced");
	resp_free(&r);
	CHECK(ratings_of(f.course) == 1, "one rating per member");
	r = reqf("GET", m, NULL, "/api/v1/courses/%lld/rating", f.course);
	CHECK(jint(r.json, "stars") == 2 && !strcmp(jstr(r.json, "comment"), "案例偏少") && jint(r.json, "count") == 1,
	      "mine: %s", r.body);
	resp_free(&r);
	/* A second member: complete through the database (their exam is spent), then rate 5. */
	e2e_sql("INSERT INTO events(user_id, kind, ref, at) SELECT id, 'course_completed', %lld, strftime('%%s','now')"
		" FROM users WHERE username='zhaoliu'",
		f.course);
	r = reqf("POST", m2, "{\"stars\":5}", "/api/v1/courses/%lld/rating", f.course);
	CHECK_STATUS(r, 201);
	resp_free(&r);

	/* The catalog: average 3.5 of 2 (API and card). */
	r = reqf("GET", m, NULL, "/api/v1/courses?mine=1&per_page=50");
	json_t *c, *mine = NULL;
	size_t i;
	json_array_foreach (json_object_get(r.json, "courses"), i, c)
		if (jint(c, "id") == f.course)
			mine = c;
	char *shown = mine ? json_dumps(mine, 0) : NULL;
	CHECK(mine && fabs(json_number_value(json_object_get(mine, "rating_average")) - 3.5) < 1e-9 &&
		      jint(mine, "rating_count") == 2,
	      "catalog rating: %s", shown ? shown : "missing");
	free(shown);
	resp_free(&r);
	r = reqf("GET", m, NULL, "/?mine=1");
	char card[64];
	snprintf(card, sizeof card, "data-id=\"%lld\"", f.course);
	const char *at = r.body ? strstr(r.body, card) : NULL;
	const char *end = at ? strstr(at, "</li>") : NULL;
	const char *avg = at ? strstr(at, "学员评分</span> 3.5 · 2 人评价") : NULL;
	CHECK(avg && end && avg < end, "the card shows 3.5 · 2 人评价");
	resp_free(&r);

	/* The instructor: the summary beside the exam statistics, the API, /teach links. */
	r = reqf("GET", t, NULL, "/teach/quizzes/%lld/stats", f.quiz);
	CHECK(r.status == 200 && has(r.body, "id=\"stats-ratings\"") && has(r.body, "<strong>3.5</strong>") &&
		      has(r.body, "案例偏少") && !has(r.body, "讲得清楚") && has(r.body, "id=\"stats-items\""),
	      "stats page with ratings: %ld", r.status);
	resp_free(&r);
	r = reqf("GET", t, NULL, "/api/v1/courses/%lld/ratings", f.course);
	CHECK_STATUS(r, 200);
	json_t *d = json_object_get(r.json, "distribution");
	CHECK(jint(r.json, "count") == 2 && jint(d, "2") == 1 && jint(d, "5") == 1 && jint(d, "4") == 0 &&
		      fabs(json_number_value(json_object_get(r.json, "average")) - 3.5) < 1e-9 &&
		      json_array_size(json_object_get(r.json, "comments")) == 1,
	      "ratings: %s", r.body);
	resp_free(&r);
	r = reqf("GET", m, NULL, "/api/v1/courses/%lld/ratings", f.course);
	CHECK_STATUS(r, 403);
	resp_free(&r);
	r = e2e_req("GET", "/teach", t, NULL, NULL);
	char link[96];
	snprintf(link, sizeof link, "href=\"/teach/courses/%lld/quiz\"", f.course);
	CHECK(r.status == 200 && has(r.body, link), "/teach links the bank editor");
	snprintf(link, sizeof link, "href=\"/teach/quizzes/%lld/stats\"", f.quiz);
	CHECK(has(r.body ? r.body : "", link), "/teach links the statistics");
	resp_free(&r);
	b = course_page(t, f.course);
	snprintf(link, sizeof link, "href=\"/courses/%lld/ratings\"", f.course);
	CHECK(has(b, link) && !has(b, "id=\"rating-form\""), "the editor's course page links the ratings");
	free(b);
	free(m);
	free(m2);
	free(t);
}
