/* test_journey.c — the member's way through a course (issue 12, "Through a course" and "Search"):
 * required courses in "my courses" without a click, course progress weighted by the lectures'
 * durations, the 开始学习 / 继续学习 button and where it leads, the last lecture studied on the home
 * page and in "my courses", the player's next lecture, its completion message and rate menu, and
 * searching with several words (matches marked).
 *
 * Courses with ready lectures of known duration are written into the server's database with the
 * sqlite3 CLI (as test_study does); studying goes through real play and heartbeats with the test
 * clock.
 */
#include "e2e.h"

#include <math.h>

static int g_seq;
static char *g_admin;

static char *admin(void)
{
	if (!g_admin)
		g_admin = e2e_login("admin", E2E_PW);
	return g_admin;
}

static int jbool(json_t *o, const char *k)
{
	return json_is_true(json_object_get(o, k));
}

static int near(double a, double b)
{
	return fabs(a - b) < 1e-3;
}

/* A published course of teacher's titled `title` with n ready lectures of the given durations;
   returns its id, lecture i being id * 10 + i. */
static long long course_of(const char *title, int n, const double *dur)
{
	long long id = 9300 + ++g_seq;
	e2e_sql("INSERT INTO courses(id, owner_id, title, summary, category, credit_hours, status, created_at, updated_at,"
		" published_at) VALUES (%lld, (SELECT id FROM users WHERE username='teacher'), '%s', '课程简介：%s', '测试', 1,"
		" 'published', strftime('%%s','now'), strftime('%%s','now'), strftime('%%s','now'))",
		id, title, title);
	for (int i = 0; i < n; i++)
		e2e_sql("INSERT INTO lectures(id, course_id, title, position, status, duration_s, media_version, created_at,"
			" updated_at) VALUES (%lld, %lld, '第%d讲 学习内容%d', %d, 'ready', %g, 1, strftime('%%s','now'),"
			" strftime('%%s','now'))",
			id * 10 + i, id, i + 1, i + 1, i, dur[i]);
	return id;
}

/* A member in a new organisation under 市委组织部 (its id in *org); returns the token. */
static char *member_in_new_org(const char *username, long long *org)
{
	resp r = e2e_req("GET", "/api/v1/orgs", admin(), NULL, NULL);
	size_t i;
	json_t *o;
	long long root = 0;
	json_array_foreach(json_object_get(r.json, "orgs"), i, o) if (!strcmp(jstr(o, "name"), "市委组织部")) root = jint(o, "id");
	resp_free(&r);
	char body[256];
	snprintf(body, sizeof body, "{\"name\":\"学习路径支部%d\",\"parent_id\":%lld}", ++g_seq, root);
	r = e2e_req("POST", "/api/v1/orgs", admin(), body, NULL);
	CHECK_STATUS(r, 201);
	*org = jint(r.json, "id");
	resp_free(&r);
	snprintf(body, sizeof body,
		 "{\"username\":\"%s\",\"name\":\"学员%s\",\"password\":\"" E2E_PW "\",\"role\":\"member\",\"org_id\":%lld}",
		 username, username, *org);
	r = e2e_req("POST", "/api/v1/users", admin(), body, NULL);
	CHECK_STATUS(r, 201);
	resp_free(&r);
	return e2e_login(username, E2E_PW);
}

static int this_year(void)
{
	resp r = e2e_req("POST", "/api/v1/test/clock", admin(), "{\"advance_s\":0}", NULL);
	int y = atoi(jstr(r.json, "day") ? jstr(r.json, "day") : "0");
	resp_free(&r);
	return y;
}

static void enrol(const char *tok, long long course)
{
	char path[80];
	snprintf(path, sizeof path, "/api/v1/courses/%lld/enroll", course);
	resp r = e2e_req("POST", path, tok, NULL, NULL);
	CHECK_STATUS(r, 200);
	resp_free(&r);
}

/* Plays the lecture and watches it from its resume position up to `to` seconds with heartbeats 10 s
   apart (the test clock moves with them). Returns the last heartbeat's answer (caller frees). */
static resp watch(const char *tok, long long lec, double to)
{
	char path[80], body[160];
	snprintf(path, sizeof path, "/api/v1/lectures/%lld/play", lec);
	resp r = e2e_req("POST", path, tok, NULL, NULL);
	CHECK_STATUS(r, 201);
	long long s = jint(r.json, "session");
	double pos = jnum(r.json, "resume_position");
	resp_free(&r);
	snprintf(path, sizeof path, "/api/v1/lectures/%lld/heartbeat", lec);
	resp last = {0};
	last.status = -1;
	while (pos < to - 1e-9) {
		double step = fmin(10, to - pos);
		e2e_clock_advance(step < 5.5 ? 5.5 : step);
		pos += step;
		snprintf(body, sizeof body, "{\"session\":%lld,\"position\":%g,\"playing\":true,\"rate\":1}", s, pos);
		resp_free(&last);
		last = e2e_req("POST", path, tok, body, NULL);
		CHECK_STATUS(last, 200);
	}
	return last;
}

static json_t *course_api(const char *tok, long long id, resp *r)
{
	char path[64];
	snprintf(path, sizeof path, "/api/v1/courses/%lld", id);
	*r = e2e_req("GET", path, tok, NULL, NULL);
	CHECK_STATUS(*r, 200);
	return r->json;
}

static char *page(const char *tok, const char *path)
{
	resp r = e2e_req("GET", path, tok, NULL, NULL);
	CHECK_STATUS(r, 200);
	char *b = strdup(r.body ? r.body : "");
	resp_free(&r);
	return b;
}

/* The course of a catalog answer with this id, or NULL. */
static json_t *find(json_t *list, long long id)
{
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(list, "courses"), i, c) if (jint(c, "id") == id) return c;
	return NULL;
}

E2E_TEST(journey_required_courses_are_mine_without_a_click)
{
	long long org = 0;
	char *m = member_in_new_org("jr_m1", &org);
	double d[] = {20};
	long long req = course_of("必修路径课", 1, d), other = course_of("选修路径课", 1, d);
	long long draft = course_of("必修草稿课", 1, d);
	e2e_sql("UPDATE courses SET status = 'draft', published_at = NULL WHERE id = %lld", draft);
	int year = this_year();
	char body[128];
	long long ids[] = {req, draft};
	for (int i = 0; i < 2; i++) {
		/* Assigned to the parent of the member's organisation for one, the organisation itself for the other. */
		snprintf(body, sizeof body, "{\"course_id\":%lld,\"org_id\":%lld,\"year\":%d}", ids[i], org, year);
		resp r = e2e_req("POST", "/api/v1/assignments", admin(), body, NULL);
		CHECK(r.status == 201 || r.status == 200, "assign: %ld %s", r.status, r.body);
		resp_free(&r);
	}
	long long before = (long long)e2e_sql("SELECT enrolled_count FROM courses WHERE id = %lld", req);
	/* The first look at "my courses" finds it enrolled: nothing was clicked. */
	resp r = e2e_req("GET", "/api/v1/courses?mine=1", m, NULL, NULL);
	CHECK_STATUS(r, 200);
	json_t *c = find(r.json, req);
	CHECK(c && jbool(c, "enrolled") && jbool(c, "required"), "required and enrolled: %.400s", r.body);
	CHECK(!find(r.json, other), "an elective is not mine");
	CHECK(!find(r.json, draft), "a draft is not listed");
	resp_free(&r);
	CHECK(e2e_sql("SELECT count(*) FROM enrollments e JOIN users u ON u.id = e.user_id WHERE u.username = 'jr_m1'"
		      " AND e.course_id = %lld",
		      req) == 1,
	      "enrolled in the table");
	CHECK(e2e_sql("SELECT count(*) FROM enrollments e JOIN users u ON u.id = e.user_id WHERE u.username = 'jr_m1'"
		      " AND e.course_id = %lld",
		      draft) == 0,
	      "not in the draft");
	/* Again and on the home page: counted once. */
	r = e2e_req("GET", "/api/v1/courses?mine=1", m, NULL, NULL);
	resp_free(&r);
	char *home = page(m, "/");
	char *mine = strstr(home, "id=\"my-courses\"");
	CHECK(mine && strstr(mine, "必修路径课") && !strstr(mine, "未参加"), "home: my courses, enrolled: %.600s",
	      mine ? mine : home);
	free(home);
	CHECK((long long)e2e_sql("SELECT enrolled_count FROM courses WHERE id = %lld", req) == before + 1, "counted once");
	/* A member elsewhere is not enrolled in it. */
	char *z = e2e_login("zhangsan", E2E_PW);
	r = e2e_req("GET", "/api/v1/courses?mine=1", z, NULL, NULL);
	CHECK(!find(r.json, req), "not another organisation's");
	resp_free(&r);
	/* The lecture opens tracked at once (its player is the member's, not "enrol first"). */
	char path[64];
	snprintf(path, sizeof path, "/lectures/%lld", req * 10);
	char *pl = page(m, path);
	CHECK(strstr(pl, "data-track=\"1\""), "tracked player");
	free(pl);
	free(z);
	free(m);
}

E2E_TEST(journey_course_progress_weighted_by_duration)
{
	long long org = 0;
	char *m = member_in_new_org("jr_m2", &org);
	double d[] = {100, 20};
	long long c = course_of("加权进度课", 2, d);
	enrol(m, c);
	/* 30 s of the 100 s lecture: 30 / 120 of the course, though no lecture is complete. */
	resp h = watch(m, c * 10, 30);
	resp_free(&h);
	resp r;
	json_t *j = course_api(m, c, &r);
	CHECK(near(jnum(j, "progress"), 30.0 / 120), "partly watched counts: %g", jnum(j, "progress"));
	resp_free(&r);
	/* The short lecture whole: (30 + 20) / 120. */
	h = watch(m, c * 10 + 1, 20);
	CHECK(json_is_true(json_object_get(h.json, "completed")), "the short one complete: %s", h.body);
	resp_free(&h);
	j = course_api(m, c, &r);
	CHECK(near(jnum(j, "progress"), 50.0 / 120) && !jbool(j, "completed"), "weighted: %g", jnum(j, "progress"));
	resp_free(&r);
	/* "my courses" shows the same figure; the page shows the percentage. */
	r = e2e_req("GET", "/api/v1/courses?mine=1", m, NULL, NULL);
	CHECK(near(jnum(find(r.json, c), "progress"), 50.0 / 120), "my courses agree");
	resp_free(&r);
	char *home = page(m, "/");
	CHECK(strstr(home, "value=\"42\""), "42%% on the home page");
	free(home);
	/* The rest of the long lecture: exactly 1 and completed. */
	h = watch(m, c * 10, 100);
	CHECK(json_is_true(json_object_get(h.json, "course_completed")), "course complete: %s", h.body);
	resp_free(&h);
	j = course_api(m, c, &r);
	CHECK(jnum(j, "progress") == 1 && jbool(j, "completed"), "1 when complete: %g", jnum(j, "progress"));
	resp_free(&r);
	free(m);
}

/* The continue button of the course page: its link and words. */
static void button_of(const char *tok, long long course, char *href, size_t n, char *label, size_t ln, char *what,
		      size_t wn)
{
	char path[64];
	snprintf(path, sizeof path, "/courses/%lld", course);
	char *b = page(tok, path);
	href[0] = label[0] = what[0] = 0;
	char *a = strstr(b, "id=\"continue\"");
	if (a) {
		char *h = strstr(a, "href=\"");
		if (h)
			sscanf(h + 6, "%[^\"]", href);
		char *gt = strchr(a, '>');
		if (gt)
			sscanf(gt + 1, "%[^<]", label);
		char *w = strstr(a, "id=\"continue-what\">");
		if (w)
			snprintf(what, wn, "%.*s", (int)strcspn(w + 19, "<"), w + 19);
	}
	(void)n;
	(void)ln;
	free(b);
}

E2E_TEST(journey_continue_button_opens_the_next_unfinished_lecture)
{
	long long org = 0;
	char *m = member_in_new_org("jr_m3", &org);
	double d[] = {60, 20, 20};
	long long c = course_of("继续学习课", 3, d);
	char href[128], label[64], what[256], want[64];
	/* Not enrolled: no button (the enrol button instead). */
	button_of(m, c, href, sizeof href, label, sizeof label, what, sizeof what);
	CHECK(!href[0], "no continue button before enrolling");
	enrol(m, c);
	button_of(m, c, href, sizeof href, label, sizeof label, what, sizeof what);
	snprintf(want, sizeof want, "/lectures/%lld", c * 10);
	CHECK(!strcmp(href, want) && !strcmp(label, "开始学习") && strstr(what, "第1讲"), "start: %s %s %s", href, label,
	      what);
	resp r;
	json_t *j = course_api(m, c, &r);
	json_t *nx = json_object_get(j, "next_lecture");
	CHECK(jint(nx, "id") == c * 10 && !jbool(nx, "started") && jnum(nx, "resume_position") == 0, "api next: %s",
	      r.body);
	resp_free(&r);
	/* 30 s into the first: continue there, at 0:30. */
	resp h = watch(m, c * 10, 30);
	resp_free(&h);
	button_of(m, c, href, sizeof href, label, sizeof label, what, sizeof what);
	CHECK(!strcmp(href, want) && !strcmp(label, "继续学习") && strstr(what, "第1讲") && strstr(what, "上次看到 0:30"),
	      "continue: %s %s %s", href, label, what);
	j = course_api(m, c, &r);
	nx = json_object_get(j, "next_lecture");
	CHECK(jint(nx, "id") == c * 10 && jbool(nx, "started") && near(jnum(nx, "resume_position"), 30), "api: %s",
	      r.body);
	resp_free(&r);
	/* The player resumes there. */
	char path[80];
	snprintf(path, sizeof path, "/api/v1/lectures/%lld/progress", c * 10);
	r = e2e_req("GET", path, m, NULL, NULL);
	CHECK(near(jnum(r.json, "resume_position"), 30), "resume position: %s", r.body);
	resp_free(&r);
	/* The first one finished, then the third: the second is next, from its start. */
	h = watch(m, c * 10, 60);
	resp_free(&h);
	h = watch(m, c * 10 + 2, 20);
	resp_free(&h);
	button_of(m, c, href, sizeof href, label, sizeof label, what, sizeof what);
	snprintf(want, sizeof want, "/lectures/%lld", c * 10 + 1);
	CHECK(!strcmp(href, want) && !strcmp(label, "继续学习") && strstr(what, "第2讲") && !strstr(what, "上次看到"),
	      "the unfinished one in between: %s %s %s", href, label, what);
	/* All done: no button, the course completed. */
	h = watch(m, c * 10 + 1, 20);
	resp_free(&h);
	button_of(m, c, href, sizeof href, label, sizeof label, what, sizeof what);
	CHECK(!href[0], "no button when all is done: %s", href);
	j = course_api(m, c, &r);
	CHECK(json_is_null(json_object_get(j, "next_lecture")) && jbool(j, "completed"), "api: nothing next");
	resp_free(&r);
	free(m);
}

E2E_TEST(journey_last_lecture_on_home_and_in_my_courses)
{
	long long org = 0;
	char *m = member_in_new_org("jr_m4", &org);
	double d[] = {60, 60};
	long long a = course_of("最近学习课甲", 2, d), b = course_of("最近学习课乙", 2, d);
	enrol(m, a);
	enrol(m, b);
	char *home = page(m, "/");
	CHECK(!strstr(home, "id=\"continue-last\""), "nothing studied yet: no card");
	free(home);
	resp h = watch(m, a * 10 + 1, 20);
	resp_free(&h);
	h = watch(m, b * 10, 10);
	resp_free(&h);
	/* The home page: the last one of all (b's first lecture), one tap away. */
	home = page(m, "/");
	char want[96];
	char *card = strstr(home, "id=\"continue-last\"");
	snprintf(want, sizeof want, "href=\"/lectures/%lld\"", b * 10);
	CHECK(card && strstr(card, want) && strstr(card, "最近学习课乙") && strstr(card, "上次看到 0:10"), "card: %.500s",
	      card ? card : home);
	/* My courses: each course's own last lecture. */
	char *mine = strstr(home, "id=\"my-courses\"");
	snprintf(want, sizeof want, "<a href=\"/lectures/%lld\">第2讲 学习内容2</a>", a * 10 + 1);
	CHECK(mine && strstr(mine, want), "a's last lecture in my courses: %.800s", mine ? mine : "");
	free(home);
	resp r = e2e_req("GET", "/api/v1/courses?mine=1", m, NULL, NULL);
	json_t *la = json_object_get(find(r.json, a), "last_lecture"), *lb = json_object_get(find(r.json, b), "last_lecture");
	CHECK(jint(la, "id") == a * 10 + 1 && jint(lb, "id") == b * 10 && near(jnum(lb, "resume_position"), 10),
	      "api: %.600s", r.body);
	resp_free(&r);
	resp cr;
	json_t *j = course_api(m, a, &cr);
	CHECK(jint(json_object_get(j, "last_lecture"), "id") == a * 10 + 1, "the course's own: %s", cr.body);
	resp_free(&cr);
	free(m);
}

E2E_TEST(journey_player_next_lecture_completion_and_rates)
{
	long long org = 0;
	char *m = member_in_new_org("jr_m5", &org);
	double d[] = {20, 20};
	long long c = course_of("播放器路径课", 2, d);
	enrol(m, c);
	char path[64], want[96];
	snprintf(path, sizeof path, "/lectures/%lld", c * 10);
	char *p1 = page(m, path);
	snprintf(want, sizeof want, "data-next=\"/lectures/%lld?autoplay=1\"", c * 10 + 1);
	CHECK(strstr(p1, want) && strstr(p1, "data-next-title=\"第2讲 学习内容2\""), "the next lecture: %.300s",
	      strstr(p1, "data-next") ? strstr(p1, "data-next") : p1);
	/* The completion message has a close button and waits for it; the move on can be stopped. */
	CHECK(strstr(p1, "id=\"done-banner\"") && strstr(p1, "id=\"done-close\"") && strstr(p1, "id=\"next-stay\""),
	      "banners");
	/* The rate menu says which speeds count (max_rate of the test server). */
	CHECK(strstr(p1, ">1×（计学时）</option>") && strstr(p1, ">2×（不计学时）</option>") && strstr(p1, "id=\"rate-help\""),
	      "rates: %.800s", strstr(p1, "id=\"rate\"") ? strstr(p1, "id=\"rate\"") : p1);
	free(p1);
	snprintf(path, sizeof path, "/lectures/%lld", c * 10 + 1);
	char *p2 = page(m, path);
	CHECK(strstr(p2, "data-next=\"\""), "the last lecture has no next");
	free(p2);
	free(m);
}

E2E_TEST(journey_search_with_several_words)
{
	double d[] = {10};
	long long both = course_of("基层党支部建设专题", 1, d), one = course_of("党史学习专题", 1, d),
		  two = course_of("支部工作方法", 1, d), far = course_of("基层治理专题", 1, d);
	char *m = e2e_login("zhangsan", E2E_PW);
	struct {
		const char *q;
		long long in, out1, out2;
	} cases[] = {
		{"%E5%85%9A%20%E6%94%AF%E9%83%A8", both, one, two},                /* 党 支部 */
		{"%E6%94%AF%E9%83%A8%E3%80%80%E5%85%9A", both, one, two},          /* 支部　党 (U+3000) */
		{"%E5%9F%BA%E5%B1%82%E5%85%9A%E6%94%AF%E9%83%A8%20%E4%B8%93%E9%A2%98", both, far, one}, /* 基层党支部 专题 */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char path[256];
		snprintf(path, sizeof path, "/api/v1/courses?per_page=50&q=%s", cases[i].q);
		resp r = e2e_req("GET", path, m, NULL, NULL);
		CHECK_STATUS(r, 200);
		CHECK(find(r.json, cases[i].in) && !find(r.json, cases[i].out1) && !find(r.json, cases[i].out2),
		      "case %zu: all words: %.500s", i, r.body);
		resp_free(&r);
	}
	/* A single word still finds each that has it. */
	resp r = e2e_req("GET", "/api/v1/courses?per_page=50&q=%E6%94%AF%E9%83%A8", m, NULL, NULL);
	CHECK(find(r.json, both) && find(r.json, two) && !find(r.json, one), "one word: %.300s", r.body);
	resp_free(&r);
	/* Nothing matches all: an empty list. */
	r = e2e_req("GET", "/api/v1/courses?per_page=50&q=%E5%85%9A%E5%8F%B2%20%E6%B2%BB%E7%90%86", m, NULL, NULL);
	CHECK(jint(r.json, "total") == 0, "党史 治理: none: %.300s", r.body);
	resp_free(&r);
	/* The page marks every word in titles and summaries. */
	char *home = page(m, "/?q=%E5%85%9A+%E6%94%AF%E9%83%A8");
	CHECK(strstr(home, "基层<mark>党</mark><mark>支部</mark>建设专题") && strstr(home, "课程简介：基层<mark>党</mark>"),
	      "marked: %.300s", strstr(home, "基层") ? strstr(home, "基层") : home);
	CHECK(!strstr(home, "党史学习专题"), "the one without 支部 is not shown");
	free(home);
	/* Marking never breaks escaping. */
	long long x = course_of("<b>党</b> & 支部", 1, d);
	home = page(m, "/?q=%E5%85%9A+%E6%94%AF%E9%83%A8+b");
	CHECK(strstr(home, "&lt;<mark>b</mark>&gt;<mark>党</mark>&lt;/<mark>b</mark>&gt; &amp; <mark>支部</mark>"),
	      "escaped: %.400s", strstr(home, "&lt;") ? strstr(home, "&lt;") : home);
	CHECK(!strstr(home, "<b>党"), "no raw tag");
	free(home);
	(void)x;
	free(m);
}
