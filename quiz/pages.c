/* pages.c — the quiz pages: an exam (/quizzes/{id}: facts, the member's state, taking it), a result
 * (/attempts/{id}), the daily quiz (/daily), the instructor's bank editor
 * (/teach/courses/{id}/quiz) and the item statistics (/teach/quizzes/{id}/stats). Taking happens in
 * web/js/page-quiz.js over the API; no page holds an answer or explanation before the submit. */
#include "clock.h"
#include "courses/access.h"
#include "courses/courses.h"
#include "db.h"
#include "html.h"
#include "i18n.h"
#include "quiz/quiz.h"
#include "quiz/stats.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *jstr_(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

static const char *type_label(const char *type)
{
	char key[40];
	snprintf(key, sizeof key, "quiz.type.%s", type);
	return tr(key);
}

/* The course's title (malloc'd). */
static char *course_title(int64_t course)
{
	char *t = db_text("SELECT title FROM courses WHERE id = ?", "i", course);
	return t ? t : xstrdup("");
}

/* The empty taking area page-quiz.js fills: the attempt to resume (0: none open) and how to start. */
static void take_area(buf *b, int64_t quiz, int64_t open)
{
	html_printf(b,
		    "<section class=\"quiz-take\" id=\"quiz-take\" data-quiz=\"%lld\" data-attempt=\"%lld\" hidden>"
		    "<div class=\"quiz-bar card\" id=\"quiz-bar\"><span class=\"timer\" id=\"quiz-timer\" role=\"timer\"></span>"
		    "<span class=\"answered\" id=\"quiz-answered\"></span>"
		    "<span class=\"save-state\" id=\"quiz-saved\" role=\"status\" aria-live=\"polite\"></span></div>"
		    "<ol class=\"quiz-questions\" id=\"quiz-questions\"></ol>"
		    "<div class=\"card quiz-submit\"><p class=\"help\" id=\"quiz-unanswered\" role=\"status\"></p>"
		    "<button type=\"button\" class=\"primary\" id=\"quiz-submit\">%s</button>"
		    "<p class=\"msg\" id=\"quiz-msg\" role=\"alert\"></p></div>"
		    "<dialog class=\"confirm\" id=\"quiz-confirm\"><p id=\"quiz-confirm-text\"></p>"
		    "<div class=\"actions\"><button type=\"button\" id=\"quiz-confirm-no\">%s</button>"
		    "<button type=\"button\" class=\"primary\" id=\"quiz-confirm-yes\">%s</button></div></dialog></section>",
		    (long long)quiz, (long long)open, tr("quiz.page.submit"), tr("quiz.page.keep_going"),
		    tr("quiz.page.confirm_submit"));
}

/* GET /quizzes/{id} (quiz_view) — the exam: its facts, the member's state and past attempts, and
   the button that starts or resumes it. */
static int page_quiz(req *r)
{
	const quiz_res *q = r->res;
	if (quiz_expire_user(r->u->id) < 0)
		return page_error_reply(r, 503, tr("err.busy"), "/", tr("common.back_home"));
	char *title = course_title(q->course_id);
	json_t *me = quiz_member_state(r->u->id, q);
	buf b;
	buf_init(&b);
	page_begin(r, &b, "quiz", tr("quiz.page.exam"));
	html_printf(&b, "<p class=\"crumbs\"><a href=\"/courses/%lld\">%s</a> › %s</p>", (long long)q->course_id, title,
		    tr("quiz.page.exam"));
	html_printf(&b, "<section class=\"card quiz-head\" id=\"quiz-head\"><h1>%s · %s</h1><ul class=\"quiz-facts\">",
		    title, tr("quiz.page.exam"));
	html_printf(&b, "<li>%s <b>%d</b></li><li>%s <b>%d</b> %s</li>", tr("quiz.page.num_questions"),
		    q->num_questions, tr("quiz.page.pass_score"), q->pass_score, tr("quiz.page.points"));
	if (q->time_limit_s)
		html_printf(&b, "<li>%s <b>%d</b> %s</li>", tr("quiz.page.time_limit"), (q->time_limit_s + 59) / 60,
			    tr("quiz.page.minutes"));
	else
		html_printf(&b, "<li>%s</li>", tr("quiz.page.no_limit"));
	if (q->max_attempts)
		html_printf(&b, "<li>%s <b>%d</b> %s</li>", tr("quiz.page.max_attempts"), q->max_attempts,
			    tr("quiz.page.times"));
	html_raw(&b, "</ul>");
	const char *state = jstr_(me, "state");
	char key[48];
	snprintf(key, sizeof key, "quiz.state.%s", state);
	html_printf(&b, "<p class=\"quiz-state\" id=\"quiz-state\" data-state=\"%s\"><span class=\"badge%s\">%s</span>",
		    state,
		    !strcmp(state, "passed")        ? " ok"
		    : !strcmp(state, "in_progress") ? " warn"
						    : "",
		    tr(key));
	if (json_is_integer(json_object_get(me, "best_score")))
		html_printf(&b, " %s <b>%lld</b> %s", tr("quiz.page.best"),
			    (long long)json_integer_value(json_object_get(me, "best_score")), tr("quiz.page.points"));
	if (json_is_integer(json_object_get(me, "attempts_left")))
		html_printf(&b, " · %s %lld %s", tr("quiz.page.left"),
			    (long long)json_integer_value(json_object_get(me, "attempts_left")), tr("quiz.page.times"));
	html_raw(&b, "</p><div class=\"actions\">");
	int64_t open = json_integer_value(json_object_get(me, "open_attempt_id"));
	int may_take = q->published && q->enrolled;
	int left = !json_is_integer(json_object_get(me, "attempts_left")) ||
		   json_integer_value(json_object_get(me, "attempts_left")) > 0;
	if (may_take && (open || left))
		html_printf(&b, "<button type=\"button\" class=\"primary\" id=\"quiz-start\">%s</button>",
			    tr(open                                                       ? "quiz.page.resume"
			       : json_integer_value(json_object_get(me, "attempts_used")) ? "quiz.page.again"
											  : "quiz.page.start"));
	else if (!q->enrolled && q->published && !q->editor)
		html_printf(&b, "<p class=\"help\">%s</p><a class=\"button\" href=\"/courses/%lld\">%s</a>",
			    tr("err.not_enrolled"), (long long)q->course_id, tr("quiz.page.to_course"));
	if (q->editor)
		html_printf(&b,
			    " <a class=\"button\" href=\"/teach/courses/%lld/quiz\">%s</a>"
			    " <a class=\"button\" href=\"/teach/quizzes/%lld/stats\">%s</a>",
			    (long long)q->course_id, tr("quiz.page.bank"), (long long)q->id, tr("quiz.page.stats"));
	html_raw(&b, "<p class=\"msg\" id=\"quiz-start-msg\" role=\"alert\"></p></div>");
	/* Past attempts, graded. */
	db_stmt st_q;
	sqlite3_stmt *st = db_prepare(&st_q,
				      "SELECT id, score, passed FROM attempts WHERE quiz_id = ? AND user_id = ?"
				      " AND submitted_at IS NOT NULL ORDER BY id",
				      "ii", q->id, r->u->id);
	int n = 0;
	while (db_step(st) == 1) {
		if (!n++)
			html_printf(&b, "<h2>%s</h2><ol class=\"attempt-list\" id=\"attempt-list\">",
				    tr("quiz.page.history"));
		int passed = sqlite3_column_int(st, 2);
		html_printf(&b, "<li><a href=\"/attempts/%lld\">%d %s</a> <span class=\"badge%s\">%s</span></li>",
			    (long long)sqlite3_column_int64(st, 0), sqlite3_column_int(st, 1), tr("quiz.page.points"),
			    passed ? " ok" : " bad", tr(passed ? "quiz.page.passed" : "quiz.page.failed"));
	}
	db_finalize(&st_q);
	if (n)
		html_raw(&b, "</ol>");
	html_raw(&b, "</section>");
	if (may_take)
		take_area(&b, q->id, open);
	json_decref(me);
	free(title);
	return page_reply(r, &b);
}

/* GET /daily (members) — today's daily quiz: start, resume, or the day's result. */
static int page_daily(req *r)
{
	if (quiz_expire_user(r->u->id) < 0)
		return page_error_reply(r, 503, tr("err.busy"), "/", tr("common.back_home"));
	char day[16];
	day_of(clock_secs(), day);
	int64_t id = 0, done = 0, score = 0, correct = 0, total = 0;
	sqlite3_stmt *st = db_query("SELECT id, submitted_at IS NOT NULL, ifnull(score, 0), ifnull(correct, 0),"
				    " ifnull(total, 0) FROM attempts WHERE user_id = ? AND day = ?",
				    "is", r->u->id, day);
	if (db_step(st) == 1) {
		id = sqlite3_column_int64(st, 0);
		done = sqlite3_column_int64(st, 1);
		score = sqlite3_column_int64(st, 2);
		correct = sqlite3_column_int64(st, 3);
		total = sqlite3_column_int64(st, 4);
	}
	db_done(st);
	buf b;
	buf_init(&b);
	page_begin(r, &b, "quiz", tr("quiz.page.daily"));
	html_printf(&b, "<section class=\"card quiz-head\" id=\"quiz-head\"><h1>%s</h1><p class=\"help\">%s</p>",
		    tr("quiz.page.daily"), tr("quiz.page.daily_help"));
	if (done)
		html_printf(&b,
			    "<p class=\"quiz-state\" id=\"quiz-state\" data-state=\"done\">%s %lld / %lld</p>"
			    "<div class=\"actions\"><a class=\"button primary\" href=\"/attempts/%lld\">%s</a></div></section>",
			    tr("quiz.page.daily_done"), (long long)correct, (long long)total, (long long)id,
			    tr("quiz.page.see_result"));
	else
		html_printf(&b,
			    "<div class=\"actions\"><button type=\"button\" class=\"primary\" id=\"quiz-start\" data-daily=\"1\">"
			    "%s</button><p class=\"msg\" id=\"quiz-start-msg\" role=\"alert\"></p></div></section>",
			    tr(id ? "quiz.page.resume" : "quiz.page.start"));
	(void)score;
	if (!done)
		take_area(&b, 0, id);
	return page_reply(r, &b);
}

/* One graded question of a result: the options with the member's choice and the right ones, or
   the blanks with what was written and what is accepted; the explanation. */
static void result_item(buf *b, int pos, const q_slot *s, const json_t *given, int right)
{
	const question *q = s->q;
	html_printf(b,
		    "<li class=\"q result %s\" data-id=\"%lld\"><p class=\"stem\"><span class=\"badge\">%s</span> %s</p>",
		    right ? "ok" : "bad", (long long)q->id, type_label(q_type_name(q->type)), q->stem ? q->stem : "");
	if (q->type == Q_FILL) {
		for (int k = 0; k < q->nblanks; k++) {
			const char *mine = json_string_value(json_array_get(given, (size_t)k));
			html_printf(b, "<p class=\"blank\">%s %d：<span class=\"mine\">%s</span> · %s：",
				    tr("quiz.page.blank"), k + 1, mine && *mine ? mine : tr("quiz.page.unanswered"),
				    tr("quiz.page.right_answer"));
			for (int a = 0; a < q->blanks[k].n; a++)
				html_printf(b, "%s<b class=\"right\">%s</b>", a ? " / " : "", q->blanks[k].accepted[a]);
			html_raw(b, "</p>");
		}
	} else {
		html_raw(b, "<ul class=\"opts\">");
		for (int d = 0; d < s->perm.n; d++) {
			int o = q_perm_to_orig(&s->perm, d);
			int is_right = 0, chosen = 0;
			for (int k = 0; k < q->nanswer; k++)
				is_right |= q->answer[k] == o;
			size_t i;
			json_t *v;
			json_array_foreach ((json_t *)given, i, v)
				chosen |= json_integer_value(v) == d;
			html_printf(b, "<li class=\"%s%s\"><span class=\"letter\">%c.</span> %s", is_right ? "right" : "",
				    chosen ? " chosen" : "", 'A' + d, o >= 0 && o < q->noptions ? q->options[o] : "");
			if (chosen)
				html_printf(b, " <span class=\"badge%s\">%s</span>", is_right ? " ok" : " bad",
					    tr("quiz.page.your_choice"));
			if (is_right)
				html_printf(b, " <span class=\"badge ok\">%s</span>", tr("quiz.page.right_answer"));
			html_raw(b, "</li>");
		}
		html_raw(b, "</ul>");
	}
	html_printf(b, "<p class=\"verdict\">%s</p>", tr(right ? "quiz.page.right" : "quiz.page.wrong"));
	if (q->explanation && *q->explanation)
		html_printf(b, "<p class=\"expl\"><b>%s</b>%s</p>", tr("quiz.page.explanation"), q->explanation);
	html_raw(b, "</li>");
	(void)pos;
}

/* GET /attempts/{id} (attempt_mine) — the result; an open attempt goes back to where it is taken. */
static int page_attempt(req *r)
{
	const attempt_res *ar = r->res;
	if (quiz_expire_user(r->u->id) < 0)
		return page_error_reply(r, 503, tr("err.busy"), "/", tr("common.back_home"));
	attempt a;
	if (attempt_load(ar->id, 1, &a) < 0)
		return page_error_reply(r, 404, tr("quiz.err.attempt_missing"), "/", tr("common.back_home"));
	if (!a.submitted_at) {
		char loc[64];
		if (a.quiz_id)
			snprintf(loc, sizeof loc, "/quizzes/%lld", (long long)a.quiz_id);
		else
			snprintf(loc, sizeof loc, "/daily");
		attempt_free(&a);
		return reply_redirect(r, loc);
	}
	char *title = a.course_id ? course_title(a.course_id) : xstrdup(tr("quiz.page.daily"));
	buf b;
	buf_init(&b);
	page_begin(r, &b, "quiz-result", tr("quiz.page.result"));
	if (a.quiz_id)
		html_printf(&b,
			    "<p class=\"crumbs\"><a href=\"/courses/%lld\">%s</a> › <a href=\"/quizzes/%lld\">%s</a></p>",
			    (long long)a.course_id, title, (long long)a.quiz_id, tr("quiz.page.exam"));
	else
		html_printf(&b, "<p class=\"crumbs\"><a href=\"/daily\">%s</a></p>", title);
	html_printf(&b, "<section class=\"card quiz-score\" id=\"quiz-score\"><h1>%s</h1><p class=\"score\"><b>%d</b> %s",
		    tr("quiz.page.result"), a.score, tr("quiz.page.points"));
	if (a.quiz_id)
		html_printf(&b, " <span class=\"badge%s\" id=\"quiz-verdict\">%s</span>", a.passed ? " ok" : " bad",
			    tr(a.passed ? "quiz.page.passed" : "quiz.page.failed"));
	html_printf(&b, "</p><p class=\"muted\">%s %d / %d", tr("quiz.page.correct"), a.correct, a.total);
	if (a.quiz_id)
		html_printf(&b, " · %s %d %s", tr("quiz.page.pass_score"), a.pass_score, tr("quiz.page.points"));
	if (!strcmp(a.graded_by, "deadline"))
		html_printf(&b, " · %s", tr("quiz.page.graded_at_deadline"));
	html_raw(&b, "</p></section><ol class=\"quiz-questions results\" id=\"quiz-results\">");
	for (int i = 0; i < a.n; i++) {
		char k[24];
		snprintf(k, sizeof k, "%lld", (long long)a.slots[i].q->id);
		json_t *given = json_object_get(a.answers, k);
		result_item(&b, i, &a.slots[i], json_is_array(given) ? given : NULL,
			    (int)json_integer_value(json_array_get(a.right, (size_t)i)));
	}
	html_raw(&b, "</ol>");
	attempt_free(&a);
	free(title);
	return page_reply(r, &b);
}

/* GET /teach/courses/{id}/quiz (course_edit) — the bank editor: the exam's settings, the questions
   (add, edit, delete, preview as a member sees them) and the import. page-bank.js does the work. */
static int page_bank(req *r)
{
	int64_t course = req_id(r, 0);
	char *title = course_title(course);
	int64_t quiz = db_int(0, "SELECT id FROM quizzes WHERE course_id = ?", "i", course);
	int num = 10, pass = 60, limit = 1800, max = 3;
	if (quiz) {
		sqlite3_stmt *st = db_query("SELECT num_questions, pass_score, time_limit_s, max_attempts FROM quizzes WHERE id = ?",
					    "i", quiz);
		if (db_step(st) == 1) {
			num = sqlite3_column_int(st, 0);
			pass = sqlite3_column_int(st, 1);
			limit = sqlite3_column_int(st, 2);
			max = sqlite3_column_int(st, 3);
		}
		db_done(st);
	}
	buf b;
	buf_init(&b);
	page_begin(r, &b, "bank", tr("quiz.bank.title"));
	html_printf(&b,
		    "<p class=\"crumbs\"><a href=\"/teach\">%s</a> › <a href=\"/teach/courses/%lld\">%s</a> › %s</p>"
		    "<h1>%s</h1>",
		    tr("teach.title"), (long long)course, title, tr("quiz.bank.title"), tr("quiz.bank.title"));
	/* Settings. */
	html_printf(&b,
		    "<section class=\"card\"><h2>%s</h2><form id=\"quiz-settings\" class=\"quiz-settings\" data-course=\"%lld\""
		    " data-quiz=\"%lld\"><div class=\"row4\">"
		    "<label>%s<input name=\"num_questions\" type=\"number\" min=\"1\" max=\"100\" value=\"%d\" required></label>"
		    "<label>%s<input name=\"pass_score\" type=\"number\" min=\"0\" max=\"100\" value=\"%d\" required></label>"
		    "<label>%s<input name=\"time_limit_min\" type=\"number\" min=\"0\" max=\"10080\" value=\"%d\" required></label>"
		    "<label>%s<input name=\"max_attempts\" type=\"number\" min=\"0\" max=\"100\" value=\"%d\" required></label></div>"
		    "<p class=\"help\">%s</p><button class=\"primary\">%s</button>",
		    tr("quiz.bank.settings"), (long long)course, (long long)quiz, tr("quiz.page.num_questions"), num,
		    tr("quiz.bank.pass_score"), pass, tr("quiz.bank.time_limit_min"), limit / 60,
		    tr("quiz.bank.max_attempts"), max, tr("quiz.bank.settings_help"),
		    tr(quiz ? "common.save" : "quiz.bank.create_quiz"));
	if (quiz)
		html_printf(&b,
			    " <a class=\"button\" href=\"/quizzes/%lld\">%s</a> <a class=\"button\" href=\"/teach/quizzes/%lld/stats\">%s</a>",
			    (long long)quiz, tr("quiz.bank.view_exam"), (long long)quiz, tr("quiz.page.stats"));
	html_raw(&b, "<p class=\"msg\" id=\"settings-msg\" role=\"status\"></p></form></section>");
	/* The question form. */
	html_printf(&b,
		    "<section class=\"card\"><h2 id=\"qform-title\">%s</h2><form id=\"question-form\" class=\"question-form\">"
		    "<input type=\"hidden\" name=\"id\" value=\"\">"
		    "<label>%s<select name=\"type\"><option value=\"single\">%s</option><option value=\"multiple\">%s</option>"
		    "<option value=\"truefalse\">%s</option><option value=\"fill\">%s</option></select></label>"
		    "<label>%s<textarea name=\"stem\" class=\"short\" required maxlength=\"2000\"></textarea></label>"
		    "<label class=\"opt-field\">%s<textarea name=\"options\" class=\"short\"></textarea></label>"
		    "<label>%s<input name=\"answer\" required></label><p class=\"help\" id=\"answer-help\">%s</p>"
		    "<label>%s<textarea name=\"explanation\" class=\"short\" maxlength=\"4000\"></textarea></label>"
		    "<label>%s<input name=\"tags\"></label>"
		    "<div class=\"actions\"><button class=\"primary\">%s</button> <button type=\"button\" id=\"qform-preview\">%s</button>"
		    " <button type=\"button\" id=\"qform-reset\">%s</button></div>"
		    "<p class=\"msg\" id=\"question-msg\" role=\"status\"></p></form>"
		    "<div class=\"preview-box\" id=\"qform-preview-box\" hidden><h3>%s</h3><ol class=\"quiz-questions\"></ol></div></section>",
		    tr("quiz.bank.add"), tr("quiz.bank.type"), tr("quiz.type.single"), tr("quiz.type.multiple"),
		    tr("quiz.type.truefalse"), tr("quiz.type.fill"), tr("quiz.bank.stem"), tr("quiz.bank.options"),
		    tr("quiz.bank.answer"), tr("quiz.bank.answer_help_choice"), tr("quiz.bank.explanation"),
		    tr("quiz.bank.tags"), tr("common.save"), tr("quiz.bank.preview"), tr("quiz.bank.clear"),
		    tr("quiz.bank.preview_title"));
	/* Import. */
	html_printf(&b,
		    "<section class=\"card\"><h2>%s</h2><p class=\"help\">%s</p><form id=\"import-form\">"
		    "<label>%s<input type=\"file\" id=\"import-file\" accept=\".md,.markdown,.txt,.csv,text/csv,text/markdown\"></label>"
		    "<label>%s<textarea name=\"text\" id=\"import-text\" spellcheck=\"false\"></textarea></label>"
		    "<label>%s<select name=\"format\" id=\"import-format\"><option value=\"text/markdown\">Markdown</option>"
		    "<option value=\"text/csv\">CSV</option></select></label>"
		    "<div class=\"actions\"><button type=\"button\" id=\"import-preview\">%s</button> "
		    "<button class=\"primary\" id=\"import-go\">%s</button></div>"
		    "<p class=\"msg\" id=\"import-msg\" role=\"status\"></p><ul class=\"import-errors\" id=\"import-errors\"></ul>"
		    "</form><div class=\"preview-box\" id=\"import-preview-box\" hidden><ol class=\"quiz-questions\"></ol></div></section>",
		    tr("quiz.bank.import"), tr("quiz.bank.import_help"), tr("quiz.bank.import_file"),
		    tr("quiz.bank.import_text"), tr("quiz.bank.import_format"), tr("quiz.bank.import_preview"),
		    tr("quiz.bank.import_go"));
	/* The bank: filled by the script from the API (the editor's own view, answers included). */
	html_printf(&b,
		    "<section class=\"card\"><h2>%s <span class=\"muted\" id=\"bank-count\"></span></h2>"
		    "<ol class=\"bank-list\" id=\"bank-list\" data-course=\"%lld\"></ol></section>",
		    tr("quiz.bank.questions"), (long long)course);
	free(title);
	return page_reply(r, &b);
}

/* Beside the exam's statistics, the course's ratings (two-way evaluation, from the scoring module
   through courses/courses.h): average, distribution, the latest comments, a link to all of them. */
static void ratings_section(buf *b, int64_t course)
{
	json_t *s = course_rating_summary(course, 20);
	if (!s)
		return;
	long long n = (long long)json_integer_value(json_object_get(s, "count"));
	html_printf(b, "<section class=\"card\" id=\"stats-ratings\"><h2>%s</h2><p class=\"help\">%s</p>",
		    tr("rating.title"), tr("quiz.stats.ratings_help"));
	if (!n) {
		html_printf(b, "<p class=\"muted\">%s</p></section>", tr("rating.none"));
		json_decref(s);
		return;
	}
	html_printf(b, "<p class=\"rating-avg\"><strong>%.1f</strong> / 5 · %lld %s</p>",
		    json_number_value(json_object_get(s, "average")), n, tr("rating.people"));
	html_printf(b,
		    "<table class=\"list rating-dist\" id=\"stats-rating-dist\"><caption>%s</caption><thead><tr>"
		    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\" class=\"num\">%s</th></tr></thead><tbody>",
		    tr("rating.distribution"), tr("rating.stars"), tr("rating.share"), tr("rating.people"));
	json_t *dist = json_object_get(s, "distribution");
	for (int k = 5; k >= 1; k--) {
		char key[2] = {(char)('0' + k), 0};
		long long c = (long long)json_integer_value(json_object_get(dist, key));
		double pct = 100.0 * (double)c / (double)n;
		html_printf(b,
			    "<tr><td>%d %s</td><td><meter min=\"0\" max=\"100\" value=\"%.0f\" aria-label=\"%d %s\"></meter> "
			    "%.0f%%</td><td class=\"num\">%lld</td></tr>",
			    k, tr("rating.star"), pct, k, tr("rating.star"), pct, c);
	}
	html_printf(b, "</tbody></table><h3>%s</h3><ul class=\"rating-comments\" id=\"stats-rating-comments\">",
		    tr("rating.comments"));
	size_t i;
	json_t *c;
	json_array_foreach (json_object_get(s, "comments"), i, c) {
		int stars = (int)json_integer_value(json_object_get(c, "stars"));
		html_printf(b, "<li><span class=\"rating-stars\">%d %s</span> <span>%s</span></li>", stars,
			    tr("rating.star"), jstr_(c, "comment"));
	}
	if (!json_array_size(json_object_get(s, "comments")))
		html_printf(b, "<li>%s</li>", tr("rating.no_comments"));
	html_printf(b, "</ul><p><a class=\"button\" href=\"/courses/%lld/ratings\">%s</a></p></section>",
		    (long long)course, tr("rating.see"));
	json_decref(s);
}

/* GET /teach/quizzes/{id}/stats (quiz_edit) — item statistics and the score distribution. */
static int page_stats(req *r)
{
	const quiz_res *q = r->res;
	if (quiz_stats_settle(q->id) < 0)
		return page_error_reply(r, 503, tr("err.busy"), "/", tr("common.back_home"));
	json_t *s = quiz_stats_json(q->id);
	char *title = course_title(q->course_id);
	buf b;
	buf_init(&b);
	page_begin(r, &b, "quiz-stats", tr("quiz.stats.title"));
	html_printf(&b,
		    "<p class=\"crumbs\"><a href=\"/teach\">%s</a> › <a href=\"/teach/courses/%lld/quiz\">%s</a> › %s</p>"
		    "<h1>%s · %s</h1>",
		    tr("teach.title"), (long long)q->course_id, title, tr("quiz.stats.title"), title,
		    tr("quiz.stats.title"));
	int na = (int)json_integer_value(json_object_get(s, "attempts"));
	html_printf(&b,
		    "<section class=\"card\" id=\"stats-summary\"><h2>%s</h2><p>%s <b>%d</b> · %s <b>%.1f</b> · %s <b>%.1f</b></p>",
		    tr("quiz.stats.summary"), tr("quiz.stats.attempts"), na, tr("quiz.stats.mean"),
		    json_real_value(json_object_get(s, "mean")), tr("quiz.stats.median"),
		    json_real_value(json_object_get(s, "median")));
	html_raw(&b, "<table class=\"list dist\" id=\"stats-dist\"><thead><tr>");
	html_printf(&b, "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead><tbody>",
		    tr("quiz.stats.range"), tr("quiz.stats.count"), tr("quiz.stats.share"));
	size_t i;
	json_t *d;
	json_array_foreach (json_object_get(s, "distribution"), i, d) {
		int c = (int)json_integer_value(json_object_get(d, "count"));
		html_printf(&b,
			    "<tr><td>%lld–%lld</td><td>%d</td><td><progress max=\"%d\" value=\"%d\" aria-label=\"%lld–%lld\">%d</progress></td></tr>",
			    (long long)json_integer_value(json_object_get(d, "from")),
			    (long long)json_integer_value(json_object_get(d, "to")), c, na ? na : 1, c,
			    (long long)json_integer_value(json_object_get(d, "from")),
			    (long long)json_integer_value(json_object_get(d, "to")), c);
	}
	html_raw(&b, "</tbody></table></section>");
	html_printf(&b,
		    "<section class=\"card\"><h2 id=\"items-h\">%s</h2><p class=\"help\">%s</p><div class=\"table-wrap\" tabindex=\"0\""
		    " role=\"region\" aria-labelledby=\"items-h\"><table class=\"list\""
		    " id=\"stats-items\"><thead><tr><th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
		    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead><tbody>",
		    tr("quiz.stats.items"), tr("quiz.stats.help"), tr("quiz.bank.stem"), tr("quiz.bank.type"),
		    tr("quiz.stats.attempts"), tr("quiz.stats.facility"), tr("quiz.stats.discrimination"),
		    tr("quiz.stats.disc_index"), tr("quiz.stats.flag"));
	json_t *it;
	json_array_foreach (json_object_get(s, "questions"), i, it) {
		json_t *disc = json_object_get(it, "discrimination"), *di = json_object_get(it, "disc_index");
		char dbuf[16] = "—", ibuf[16] = "—";
		if (json_is_number(disc))
			snprintf(dbuf, sizeof dbuf, "%.2f", json_number_value(disc));
		if (json_is_number(di))
			snprintf(ibuf, sizeof ibuf, "%.2f", json_number_value(di));
		int flagged = json_is_true(json_object_get(it, "flagged"));
		html_printf(&b,
			    "<tr class=\"%s\" data-id=\"%lld\"><td class=\"stem-cell\">%s%s</td><td>%s</td><td>%lld</td><td>%.0f%%</td>"
			    "<td>%s</td><td>%s</td><td>%s</td></tr>",
			    flagged ? "flagged" : "", (long long)json_integer_value(json_object_get(it, "question_id")),
			    jstr_(it, "stem"),
			    json_is_true(json_object_get(it, "retired")) ? tr("quiz.stats.retired") : "",
			    type_label(jstr_(it, "type")), (long long)json_integer_value(json_object_get(it, "attempts")),
			    100 * json_number_value(json_object_get(it, "facility")), dbuf, ibuf,
			    flagged ? tr("quiz.stats.flagged") : "");
	}
	if (!json_array_size(json_object_get(s, "questions")))
		html_printf(&b, "<tr><td colspan=\"7\" class=\"muted\">%s</td></tr>", tr("quiz.stats.none"));
	html_raw(&b, "</tbody></table></div></section>");
	ratings_section(&b, q->course_id);
	json_decref(s);
	free(title);
	return page_reply(r, &b);
}

const route quiz_page_routes[] = {
	{.method = "GET", .pattern = "/quizzes/{id}", .fn = page_quiz, .roles = R_ANY, .flags = RF_PAGE, .res = &quiz_view},
	{.method = "GET", .pattern = "/attempts/{id}", .fn = page_attempt, .roles = R_ANY, .flags = RF_PAGE, .res = &attempt_mine},
	{.method = "GET", .pattern = "/daily", .fn = page_daily, .roles = ROLE_MEMBER, .flags = RF_PAGE},
	{.method = "GET",
	 .pattern = "/teach/courses/{id}/quiz",
	 .fn = page_bank,
	 .roles = R_STAFF,
	 .flags = RF_PAGE,
	 .res = &course_edit},
	{.method = "GET",
	 .pattern = "/teach/quizzes/{id}/stats",
	 .fn = page_stats,
	 .roles = R_STAFF,
	 .flags = RF_PAGE,
	 .res = &quiz_edit},
	ROUTES_END,
};
