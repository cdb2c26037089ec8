/* course_pages.c — the course page /courses/{id}, the instructor's list /teach and the course editor
 * /teach/courses/{id}. Pages are rendered from the same JSON objects the API returns. */
#include "courses.h"
#include "attach/attach.h"
#include "courses/access.h"
#include "courses/study.h"
#include "courses/journey.h"
#include "config.h"
#include "db.h"
#include "html.h"
#include "i18n.h"

#include <stdio.h>
#include <string.h>

static const char *jstr_(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

static long long jint_(json_t *o, const char *k)
{
	return (long long)json_integer_value(json_object_get(o, k));
}

/* The course exam (course_json's "exam", from the quiz module) with the member's state in it and
   the one button that fits: start (page-course.js starts the attempt, then opens the exam page,
   which resumes it), resume, or the result of the attempt that counts. */
static void exam_block(buf *b, json_t *e, int may_take, int can_edit)
{
	if (!json_is_object(e))
		return;
	long long quiz = jint_(e, "quiz_id");
	const char *state = jstr_(e, "state");
	html_printf(b, "<section class=\"card exam\" id=\"exam\" aria-labelledby=\"exam-h\"><h2 id=\"exam-h\">%s</h2>",
		    tr("course.exam.title"));
	html_printf(b, "<p class=\"muted exam-facts\">%s %lld %s · %s %lld %s", tr("course.exam.questions"),
		    jint_(e, "num_questions"), tr("course.exam.questions_unit"), tr("course.exam.pass"),
		    jint_(e, "pass_score"), tr("course.exam.points"));
	if (jint_(e, "time_limit_s"))
		html_printf(b, " · %s %lld %s", tr("course.exam.limit"), (jint_(e, "time_limit_s") + 59) / 60,
			    tr("course.exam.minutes"));
	if (jint_(e, "max_attempts"))
		html_printf(b, " · %s %lld %s", tr("course.exam.max"), jint_(e, "max_attempts"), tr("course.exam.times"));
	html_raw(b, "</p>");
	char key[48];
	snprintf(key, sizeof key, "course.exam.state_%s", state);
	int passed = !strcmp(state, "passed"), open = !strcmp(state, "in_progress");
	html_printf(b, "<p class=\"exam-state\" id=\"exam-state\" data-state=\"%s\"><span class=\"badge%s\">%s</span>",
		    state,
		    passed                          ? " ok"
		    : open                          ? " warn"
		    : !strcmp(state, "not_started") ? ""
						    : " bad",
		    tr(key));
	if (json_is_integer(json_object_get(e, "best_score")))
		html_printf(b, " <span class=\"exam-score\">%s <b>%lld</b> %s</span>",
			    tr(passed ? "course.exam.score" : "course.exam.best"), jint_(e, "best_score"),
			    tr("course.exam.points"));
	if (!passed) {
		if (json_is_integer(json_object_get(e, "attempts_left")))
			html_printf(b, " · <span class=\"exam-left\">%s %lld %s</span>", tr("course.exam.left"),
				    jint_(e, "attempts_left"), tr("course.exam.times"));
		else
			html_printf(b, " · <span class=\"exam-left\">%s</span>", tr("course.exam.unlimited"));
	}
	html_raw(b, "</p><div class=\"actions\">");
	long long best = jint_(e, "best_attempt_id");
	if (may_take && open)
		html_printf(b, "<a class=\"button primary\" id=\"exam-go\" href=\"/quizzes/%lld\">%s</a>", quiz,
			    tr("course.exam.resume"));
	else if (may_take && !passed && strcmp(state, "no_attempts_left"))
		html_printf(b,
			    "<a class=\"button primary\" id=\"exam-go\" href=\"/quizzes/%lld\" data-start=\"%lld\">%s</a>",
			    quiz, quiz, tr(best ? "course.exam.again" : "course.exam.start"));
	if (best)
		html_printf(b, " <a class=\"button%s\" id=\"exam-result\" href=\"/attempts/%lld\">%s</a>",
			    passed || !strcmp(state, "no_attempts_left") ? " primary" : "", best,
			    tr("course.exam.result"));
	if (!may_take && !can_edit && !best)
		html_printf(b, "<p class=\"help\">%s</p>", tr("course.exam.enrol_first"));
	if (can_edit)
		html_printf(b,
			    " <a class=\"button\" href=\"/quizzes/%lld\">%s</a> <a class=\"button\" href=\"/teach/quizzes/%lld/stats\">%s</a>",
			    quiz, tr("course.exam.view"), quiz, tr("course.exam.stats"));
	html_raw(b, "</div><p class=\"msg\" id=\"exam-msg\" role=\"alert\"></p></section>");
}

/* Two-way evaluation: the course's average; for a member who completed it, 1–5 stars (radio
   buttons in a fieldset) and a comment, showing their rating (a second one replaces it); for its
   editors, the link to the ratings page. page-course.js posts the form. */
static void rating_block(buf *b, req *r, int64_t id, int can_edit)
{
	json_t *m = course_rating_mine(r->u, id);
	if (!m)
		return;
	int may = json_is_true(json_object_get(m, "may_rate"));
	long long mine = json_is_integer(json_object_get(m, "stars")) ? jint_(m, "stars") : 0;
	html_printf(b,
		    "<section class=\"card rating\" id=\"rating\" aria-labelledby=\"rating-h\"><h2 id=\"rating-h\">%s</h2>",
		    tr("course.rating.title"));
	if (jint_(m, "count"))
		html_printf(b, "<p class=\"rating-avg\" id=\"rating-avg\">%s <b>%.1f</b> / 5 · %lld %s</p>",
			    tr("course.rating.average"), json_real_value(json_object_get(m, "average")),
			    jint_(m, "count"), tr("course.rating.people"));
	else
		html_printf(b, "<p class=\"rating-avg muted\" id=\"rating-avg\">%s</p>", tr("course.rating.none"));
	if (may) {
		html_printf(b,
			    "<form id=\"rating-form\" class=\"rating-form\" data-id=\"%lld\"><fieldset class=\"stars\">"
			    "<legend>%s</legend>",
			    (long long)id, tr("course.rating.stars_legend"));
		for (int k = 1; k <= 5; k++)
			html_printf(b,
				    "<input type=\"radio\" name=\"stars\" id=\"star-%d\" value=\"%d\"%s%s>"
				    "<label for=\"star-%d\"><span aria-hidden=\"true\">★</span> %d %s</label>",
				    k, k, k == mine ? " checked" : "", k == 1 ? " required" : "", k, k,
				    tr("course.rating.star"));
		html_printf(b,
			    "</fieldset><label>%s<textarea name=\"comment\" class=\"short\" maxlength=\"500\">%s</textarea></label>",
			    tr("course.rating.comment"), jstr_(m, "comment"));
		html_printf(b, "<p class=\"help\" id=\"rating-mine\">%s</p>",
			    tr(mine ? "course.rating.replace" : "course.rating.first"));
		html_printf(b,
			    "<button class=\"primary\">%s</button><p class=\"msg\" id=\"rating-msg\" role=\"status\"></p></form>",
			    tr(mine ? "course.rating.update" : "course.rating.submit"));
	} else if (!can_edit) {
		html_printf(b, "<p class=\"help\">%s</p>", tr("course.rating.after"));
	}
	if (can_edit)
		html_printf(b, "<p><a class=\"button\" href=\"/courses/%lld/ratings\">%s</a></p>", (long long)id,
			    tr("course.rating.see"));
	html_raw(b, "</section>");
	json_decref(m);
}

/* GET /courses/{id} (course_view) — the rendered course page: head, enrol button or progress, lectures, body. */
static int page_course(req *r)
{
	int64_t id = req_id(r, 0);
	journey_enrol_required(r); /* a required course is the member's without a click */
	json_t *c = course_json(r, id);
	if (!c)
		return page_error_reply(r, 404, tr("err.course_missing"), "/", tr("common.back_home"));
	int published = !strcmp(jstr_(c, "status"), "published");
	int enrolled = json_is_true(json_object_get(c, "enrolled"));
	int can_edit = json_is_true(json_object_get(c, "can_edit"));
	int own = json_integer_value(json_object_get(c, "owner_id")) == r->u->id;
	buf b;
	buf_init(&b);
	page_begin(r, &b, "course", jstr_(c, "title"));
	html_printf(&b, "<article class=\"course\" data-id=\"%lld\"><header class=\"card course-head\">", (long long)id);
	if (*jstr_(c, "cover_url"))
		html_printf(&b, "<img class=\"course-cover\" src=\"%s\" alt=\"\">", jstr_(c, "cover_url"));
	html_printf(&b, "<div class=\"course-info\"><h1>%s</h1><p class=\"meta\">", jstr_(c, "title"));
	html_printf(&b, "<span class=\"badge%s\">%s</span> ",
		    json_is_true(json_object_get(c, "required")) ? " required" : "",
		    tr(json_is_true(json_object_get(c, "required")) ? "course.required" : "course.elective"));
	if (!published)
		html_printf(&b, "<span class=\"badge warn\">%s</span> ", tr("course.status_draft"));
	html_printf(&b, "<span class=\"badge cat\">%s</span> <span class=\"hours\">%g %s</span></p>", jstr_(c, "category"),
		    json_real_value(json_object_get(c, "credit_hours")), tr("course.hours_unit"));
	if (*jstr_(c, "summary"))
		html_printf(&b, "<p class=\"summary\">%s</p>", jstr_(c, "summary"));
	html_printf(&b, "<p class=\"muted\">%s：%s · %lld %s</p>", tr("course.teacher"), jstr_(c, "owner_name"),
		    (long long)json_integer_value(json_object_get(c, "enrolled_count")), tr("course.enrolled_count"));
	html_raw(&b, "<div class=\"actions\">");
	if (enrolled) {
		double p = json_real_value(json_object_get(c, "progress"));
		int pct = (int)(p * 100 + 0.5);
		html_printf(&b,
			    "<div class=\"progress-row\" id=\"course-progress\"><span>%s</span><progress max=\"100\" value=\"%d\">"
			    "%d%%</progress><span class=\"pct\">%d%%</span></div>",
			    tr(json_is_true(json_object_get(c, "completed")) ? "course.completed" : "course.progress"), pct, pct,
			    pct);
		if (published && !own)
			journey_button(r, &b, id);
	} else if (published && !own) {
		html_printf(&b, "<button type=\"button\" class=\"primary\" id=\"enroll\" data-id=\"%lld\">%s</button>",
			    (long long)id, tr("course.enroll"));
	}
	if (!published && !can_edit)
		html_printf(&b, "<p class=\"help\" id=\"withdrawn\">%s</p>", tr("course.withdrawn"));
	if (json_is_true(json_object_get(c, "can_edit")))
		html_printf(&b, " <a class=\"button\" href=\"/teach/courses/%lld\">%s</a>", (long long)id, tr("course.edit"));
	html_raw(&b, "<p class=\"msg\" id=\"enroll-msg\" role=\"status\"></p></div></div></header>");

	/* Lectures and quiz. */
	json_t *lectures = json_object_get(c, "lectures");
	html_printf(&b, "<section class=\"card lectures\" id=\"lectures\"><h2>%s</h2>", tr("course.lectures"));
	if (!json_array_size(lectures))
		html_printf(&b, "<p class=\"muted\">%s</p>", tr("course.no_lectures"));
	else
		html_raw(&b, "<ol class=\"lecture-list\">");
	size_t i;
	json_t *l;
	json_array_foreach(lectures, i, l)
	{
		char dur[32], key[48];
		fmt_duration(dur, sizeof dur, json_real_value(json_object_get(l, "duration_s")));
		snprintf(key, sizeof key, "lecture.status_%s", jstr_(l, "status"));
		/* A lecture is linked while a video is served and the course may be studied (or previewed). */
		int ready = json_is_true(json_object_get(l, "playable"));
		int linked = ready && (published || can_edit);
		long long lid = (long long)json_integer_value(json_object_get(l, "id"));
		html_raw(&b, "<li>");
		if (linked)
			html_printf(&b, "<a href=\"/lectures/%lld\">%s</a>", lid, jstr_(l, "title"));
		else
			html_printf(&b, "<span class=\"title\">%s</span>", jstr_(l, "title"));
		html_raw(&b, "<span class=\"lecture-meta\">");
		if (ready)
			html_printf(&b, "<span class=\"dur\">%s</span>", dur);
		if (json_is_true(json_object_get(l, "completed")))
			html_printf(&b, " <span class=\"badge ok\">%s</span>", tr("lecture.completed"));
		else if (!ready || strcmp(jstr_(l, "status"), "ready"))
			html_printf(&b, " <span class=\"badge\">%s</span>", tr(key));
		html_raw(&b, "</span></li>");
	}
	if (json_array_size(lectures))
		html_raw(&b, "</ol>");
	html_raw(&b, "</section>");
	exam_block(&b, json_object_get(c, "exam"), published && enrolled, can_edit);
	if (enrolled || can_edit)
		rating_block(&b, r, id, can_edit);

	attach_list_html(&b, id); /* 课件下载: the course's PDF attachments */

	/* The body: rendered and sanitised on save (markdown.c), so it goes in as it is. */
	html_printf(&b, "<section class=\"card markdown\" id=\"course-body\" aria-label=\"%s\">", tr("course.body"));
	html_raw(&b, jstr_(c, "body_html"));
	html_raw(&b, "</section></article>");
	json_decref(c);
	return page_reply(r, &b);
}

static void category_select(buf *b, const char *current)
{
	html_raw(b, "<select name=\"category\" required>");
	char cat[256];
	for (int i = 0; category_at(i, cat, sizeof cat); i++)
		html_printf(b, "<option value=\"%s\"%s>%s</option>", cat, current && !strcmp(current, cat) ? " selected" : "",
			    cat);
	html_raw(b, "</select>");
}

/* /teach: a course's bank editor (its exam made there) and, once it has an exam, the statistics. */
static void teach_exam_links(buf *b, req *r, int64_t course)
{
	html_printf(b, " · <a href=\"/teach/courses/%lld/quiz\">%s</a>", (long long)course, tr("teach.bank"));
	json_t *e = course_exam_json(r->u, course);
	if (e)
		html_printf(b, " · <a href=\"/teach/quizzes/%lld/stats\">%s</a>", jint_(e, "quiz_id"),
			    tr("teach.exam_stats"));
	json_decref(e);
}

/* GET /teach — the instructor's courses (an admin's: all) and a form for a new one. */
static int page_teach(req *r)
{
	buf b;
	buf_init(&b);
	page_begin(r, &b, "teach", tr("teach.title"));
	html_printf(&b,
		    "<h1>%s</h1><section class=\"card\"><h2>%s</h2><form id=\"new-course\" class=\"new-course\">"
		    "<label>%s<input name=\"title\" required maxlength=\"%d\"></label><label>%s",
		    tr("teach.title"), tr("teach.new"), tr("course.title"), COURSE_TITLE_MAX, tr("course.category"));
	category_select(&b, NULL);
	html_printf(&b,
		    "</label><button class=\"primary\">%s</button><p class=\"msg\" role=\"status\"></p></form></section>"
		    "<section class=\"card\"><h2>%s</h2>",
		    tr("teach.create"), tr("teach.mine"));
	int all = r->u->role == ROLE_ADMIN;
	db_stmt q;
	sqlite3_stmt *st = teach_courses_prepare(&q, r);
	int n = 0;
	while (db_step(st) == 1) {
		if (!n++)
			html_printf(&b,
				    "<ul class=\"teach-list\" id=\"teach-list\">");
		int pub = !strcmp(db_col_text(st, 4), "published"), archived = sqlite3_column_int(st, 9);
		html_printf(&b,
			    "<li><div class=\"t\"><a href=\"/teach/courses/%lld\">%s</a> <span class=\"badge%s\">%s</span></div>"
			    "<div class=\"muted\">%s · %lld %s · %lld %s%s%s</div>"
			    "<div class=\"links\"><a href=\"/teach/courses/%lld\">%s</a> · <a href=\"/teach/courses/%lld/lectures\">%s</a>"
			    " · <a href=\"/courses/%lld\">%s</a>",
			    (long long)sqlite3_column_int64(st, 0), db_col_text(st, 1), pub ? " ok" : archived ? "" : " warn",
			    tr(pub ? "course.status_published" : archived ? "course.status_archived" : "course.status_draft"),
			    db_col_text(st, 2),
			    (long long)sqlite3_column_int64(st, 8), tr("teach.lectures_unit"),
			    (long long)sqlite3_column_int64(st, 5), tr("course.enrolled_count"), all ? " · " : "",
			    all ? db_col_text(st, 7) : "", (long long)sqlite3_column_int64(st, 0), tr("course.edit"),
			    (long long)sqlite3_column_int64(st, 0), tr("teach.lectures"),
			    (long long)sqlite3_column_int64(st, 0), tr("teach.view"));
		teach_exam_links(&b, r, sqlite3_column_int64(st, 0));
		html_raw(&b, "</div></li>");
	}
	db_finalize(&q);
	if (n)
		html_raw(&b, "</ul>");
	else
		html_printf(&b, "<p class=\"muted\">%s</p>", tr("teach.none"));
	html_raw(&b, "</section>");
	return page_reply(r, &b);
}

/* The editor's lectures: rename, move up and down (buttons, so the keyboard moves them too), delete. */
static void editor_lectures(buf *b, int64_t course, json_t *lectures)
{
	html_printf(b,
		    "<section class=\"card editor-lectures\" aria-labelledby=\"lectures-h\"><h2 id=\"lectures-h\">%s</h2>"
		    "<p class=\"help\">%s</p>",
		    tr("editor.lectures"), tr("editor.lectures_help"));
	if (!json_array_size(lectures))
		html_printf(b, "<p class=\"muted\" id=\"no-lectures\">%s</p>", tr("editor.no_lectures"));
	html_printf(b, "<ol class=\"lecture-order\" id=\"lecture-order\" data-course-id=\"%lld\">", (long long)course);
	size_t i;
	json_t *l;
	json_array_foreach(lectures, i, l)
	{
		long long lid = (long long)json_integer_value(json_object_get(l, "id"));
		int shown = json_is_true(json_object_get(l, "playable"));
		/* The revision the rename is based on: a stale one answers 409 instead of overwriting. */
		int64_t rev = db_int(1, "SELECT revision FROM lectures WHERE id = ?", "i", (int64_t)lid);
		html_printf(b,
			    "<li data-id=\"%lld\" data-revision=\"%lld\"><div class=\"lo-title\">"
			    "<input class=\"lo-name\" maxlength=\"100\" required value=\"%s\" aria-label=\"%s\">"
			    "<button type=\"button\" class=\"lo-rename\">%s</button></div><div class=\"lo-tools\">",
			    lid, (long long)rev, jstr_(l, "title"), tr("lec.name"), tr("editor.rename"));
		if (!shown)
			html_printf(b, "<span class=\"badge\">%s</span>", tr("editor.lecture_hidden"));
		html_printf(b,
			    "<button type=\"button\" class=\"lo-up\">%s<span class=\"sr-only\">「%s」</span></button>"
			    "<button type=\"button\" class=\"lo-down\">%s<span class=\"sr-only\">「%s」</span></button>"
			    "<button type=\"button\" class=\"lo-delete link\">%s<span class=\"sr-only\">「%s」</span></button>"
			    "</div></li>",
			    tr("editor.move_up"), jstr_(l, "title"), tr("editor.move_down"), jstr_(l, "title"),
			    tr("editor.delete_lecture"), jstr_(l, "title"));
	}
	html_raw(b, "</ol><p class=\"msg\" id=\"order-msg\" role=\"status\" aria-live=\"polite\"></p></section>");
}

/* GET /teach/courses/{id} (course_edit) — the editor: fields, cover, Markdown with live preview,
   images, publish/unpublish. The page's script saves through the API. */
static int page_teach_edit(req *r)
{
	int64_t id = req_id(r, 0);
	journey_enrol_required(r); /* a required course is the member's without a click */
	json_t *c = course_json(r, id);
	if (!c)
		return page_error_reply(r, 404, tr("err.course_missing"), "/", tr("common.back_home"));
	int pub = !strcmp(jstr_(c, "status"), "published");
	int archived = json_is_true(json_object_get(c, "archived"));
	const char *badge = pub ? "course.status_published" : archived ? "course.status_archived" : "course.status_draft";
	buf b;
	buf_init(&b);
	page_begin(r, &b, "teach-edit", tr("editor.title"));
	html_printf(&b,
		    "<p class=\"crumbs\"><a href=\"/teach\">%s</a> › %s · <a href=\"/teach/courses/%lld/lectures\">%s</a>"
		    " · <a href=\"/courses/%lld\">%s</a> · <a href=\"/teach/courses/%lld/roster\">%s</a></p>"
		    "<form id=\"course-form\" class=\"editor\" data-id=\"%lld\" data-status=\"%s\" data-archived=\"%d\""
		    " data-enrolled=\"%lld\" data-updated-at=\"%s\">"
		    "<div class=\"editor-head\"><h1>%s</h1><span class=\"badge%s\" id=\"status-badge\">%s</span></div>"
		    "<section class=\"card fields\">"
		    "<label>%s<input name=\"title\" required maxlength=\"%d\" value=\"%s\"></label>"
		    "<label>%s<textarea name=\"summary\" class=\"short\" maxlength=\"%d\">%s</textarea></label>"
		    "<div class=\"row2\"><label>%s",
		    tr("teach.title"), tr("editor.title"), (long long)id, tr("teach.lectures"), (long long)id, tr("teach.view"),
		    (long long)id, tr("editor.roster"), (long long)id, jstr_(c, "status"), archived,
		    (long long)json_integer_value(json_object_get(c, "enrolled_count")), jstr_(c, "updated_at"), tr("editor.title"),
		    pub ? " ok" : archived ? "" : " warn", tr(badge), tr("course.title"),
		    COURSE_TITLE_MAX, jstr_(c, "title"), tr("course.summary"), COURSE_SUMMARY_MAX, jstr_(c, "summary"),
		    tr("course.category"));
	category_select(&b, jstr_(c, "category"));
	html_printf(&b,
		    "</label><label>%s<input name=\"credit_hours\" type=\"number\" min=\"0\" max=\"100\" step=\"0.25\" value=\"%g\"></label></div>"
		    "<div class=\"cover-edit\"><span class=\"label\">%s</span>",
		    tr("course.credit_hours"), json_real_value(json_object_get(c, "credit_hours")), tr("editor.cover"));
	const char *cover = jstr_(c, "cover_url");
	if (*cover)
		html_printf(&b, "<img id=\"cover-preview\" src=\"%s\" alt=\"\">", cover);
	else
		html_raw(&b, "<img id=\"cover-preview\" src=\"data:,\" alt=\"\" hidden>"); /* a src for the HTML checker */
	html_printf(&b,
		    "<label class=\"button file\">%s<input type=\"file\" id=\"cover-file\" accept=\"image/png,image/jpeg,image/webp\"></label>"
		    "<button type=\"button\" id=\"cover-clear\" class=\"link\"%s>%s</button></div></section>",
		    tr("editor.cover_upload"), *cover ? "" : " hidden", tr("editor.cover_clear"));
	html_printf(&b,
		    "<div class=\"editor-panes\"><section class=\"card\"><div class=\"pane-head\"><h2 id=\"body-h\">%s</h2>"
		    "<label class=\"button file\">%s<input type=\"file\" id=\"image-file\" accept=\"image/png,image/jpeg,image/webp\"></label></div>"
		    "<p class=\"help\">%s</p>"
		    "<textarea name=\"body_md\" id=\"body-md\" aria-labelledby=\"body-h\" aria-describedby=\"alt-warn\" spellcheck=\"false\">%s</textarea>"
		    "<p class=\"msg warn\" id=\"alt-warn\" role=\"status\" hidden></p></section>"
		    "<section class=\"card\"><h2>%s</h2><div class=\"markdown preview\" id=\"preview\" aria-live=\"polite\">",
		    tr("editor.body"), tr("editor.insert_image"), tr("editor.body_help"), jstr_(c, "body_md"),
		    tr("editor.preview"));
	html_raw(&b, jstr_(c, "body_html")); /* the renderer's sanitised output */
	html_printf(&b,
		    "</div></section></div>"
		    "<div class=\"editor-actions card\"><button type=\"submit\" class=\"primary\">%s</button>"
		    "<button type=\"button\" id=\"publish\"%s>%s</button><button type=\"button\" id=\"unpublish\"%s>%s</button>"
		    "<button type=\"button\" id=\"archive\"%s>%s</button><button type=\"button\" id=\"restore\"%s>%s</button>"
		    "<p class=\"msg\" id=\"editor-msg\" role=\"status\"></p></div></form>",
		    tr("common.save"), pub || archived ? " hidden" : "", tr("editor.publish"), pub ? "" : " hidden",
		    tr("editor.unpublish"), archived ? " hidden" : "", tr("editor.archive"), archived ? "" : " hidden",
		    tr("editor.restore"));
	attach_editor_html(&b, id); /* 课件 (PDF attachments) */
	editor_lectures(&b, id, json_object_get(c, "lectures"));
	json_decref(c);
	return page_reply(r, &b);
}

const route course_page_routes[] = {
	{.method = "GET", .pattern = "/courses/{id}", .fn = page_course, .roles = R_ANY, .flags = RF_PAGE,
	 .res = &course_view},
	{.method = "GET", .pattern = "/teach", .fn = page_teach, .roles = R_STAFF, .flags = RF_PAGE},
	{.method = "GET", .pattern = "/teach/courses/{id}", .fn = page_teach_edit, .roles = R_STAFF,
	 .flags = RF_PAGE, .res = &course_edit},
	ROUTES_END,
};
