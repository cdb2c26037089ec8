/* test_courses.c — courses (issue 3): create, edit, publish, Markdown safety, images, catalog
 * search (Chinese substrings), filters, sorting, pagination, enrolment, required-course
 * assignments down the organisation tree, and the pages /, /courses/{id}, /teach, the editor. */
#include "e2e.h"

#include <stdarg.h>

static const unsigned char PNG1[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'};

/* A formatted request body (malloc'd by the caller's buffer). */
static char *fmt(char *out, size_t n, const char *f, ...) __attribute__((format(printf, 3, 4)));
static char *fmt(char *out, size_t n, const char *f, ...)
{
	va_list ap;
	va_start(ap, f);
	vsnprintf(out, n, f, ap);
	va_end(ap);
	return out;
}

/* The server's current year (the test clock may have moved). */
static int server_year(void)
{
	char *adm = e2e_login("admin", E2E_PW);
	resp r = e2e_req("POST", "/api/v1/test/clock", adm, "{\"advance_s\":0}", NULL);
	const char *now = jstr(r.json, "now");
	int y = now ? atoi(now) : 0;
	resp_free(&r);
	free(adm);
	return y;
}

/* Creates a course as `tok`; returns its id (0 on failure). */
static long long new_course(const char *tok, const char *title, const char *category, const char *body_md)
{
	json_t *j = json_pack("{s:s,s:s,s:s,s:f,s:s}", "title", title, "category", category, "summary", "测试摘要",
			      "credit_hours", 1.5, "body_md", body_md ? body_md : "");
	char *s = json_dumps(j, 0);
	resp r = e2e_req("POST", "/api/v1/courses", tok, s, NULL);
	CHECK_STATUS(r, 201);
	CHECK(jstr(r.json, "status") && !strcmp(jstr(r.json, "status"), "draft"), "new course is a draft: %s", r.body);
	long long id = jint(r.json, "id");
	resp_free(&r);
	free(s);
	json_decref(j);
	return id;
}

/* Published through the API, made publishable first (a ready lecture, credit hours: e2e.h). */
static void publish(const char *tok, long long id)
{
	resp r = e2e_publish(tok, id);
	CHECK_STATUS(r, 200);
	resp_free(&r);
}

static long long org_id_named(const char *name)
{
	char *adm = e2e_login("admin", E2E_PW);
	resp r = e2e_req("GET", "/api/v1/orgs", adm, NULL, NULL);
	long long id = 0;
	size_t i;
	json_t *o;
	json_array_foreach(json_object_get(r.json, "orgs"), i, o) if (jstr(o, "name") && !strcmp(jstr(o, "name"), name))
		id = jint(o, "id");
	resp_free(&r);
	free(adm);
	return id;
}

/* The list item of course id in a catalog answer, or NULL; *pos gets its index. */
static json_t *find_course(json_t *list_answer, long long id, int *pos)
{
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(list_answer, "courses"), i, c) if (jint(c, "id") == id)
	{
		if (pos)
			*pos = (int)i;
		return c;
	}
	return NULL;
}

static int jbool(json_t *j, const char *k)
{
	return json_is_true(json_object_get(j, k));
}

/* Runs a statement on the test server's database (fixtures for tables other modules own). */
static int sql(const char *stmt)
{
	return e2e_sh("sqlite3 -cmd '.timeout 10000' %s/dangxiao.db \"%s\" >/dev/null", e2e_data, stmt);
}

E2E_TEST(courses_create_edit_publish)
{
	char *t = e2e_login("teacher", E2E_PW), *m = e2e_login("zhangsan", E2E_PW);
	long long id = new_course(t, "草稿课程甲", "政治理论", "## 第一节\n\n正文");
	char path[96], body[512];
	fmt(path, sizeof path, "/api/v1/courses/%lld", id);

	/* A draft is 404 to members, and missing from their catalog. */
	resp r = e2e_req("GET", path, m, NULL, NULL);
	CHECK_STATUS(r, 404);
	resp_free(&r);
	r = e2e_req("GET", "/api/v1/courses?per_page=50", m, NULL, NULL);
	CHECK(!find_course(r.json, id, NULL), "draft listed for a member");
	resp_free(&r);
	r = e2e_req("GET", "/api/v1/courses?per_page=50", t, NULL, NULL);
	CHECK(find_course(r.json, id, NULL), "own draft listed for its instructor");
	resp_free(&r);

	/* The owner sees everything, the Markdown source included. */
	r = e2e_req("GET", path, t, NULL, NULL);
	CHECK_STATUS(r, 200);
	CHECK(jstr(r.json, "body_md") && strstr(jstr(r.json, "body_md"), "## 第一节"), "body_md: %s", r.body);
	CHECK(jstr(r.json, "body_html") && strstr(jstr(r.json, "body_html"), "<h2>第一节</h2>"), "body_html: %s", r.body);
	CHECK(jnum(r.json, "credit_hours") == 1.5, "credit_hours");
	CHECK(json_is_array(json_object_get(r.json, "lectures")) && json_is_null(json_object_get(r.json, "quiz_id")),
	      "lectures, quiz_id: %s", r.body);
	resp_free(&r);

	/* Edit. */
	r = e2e_req("PATCH", path, t,
		    "{\"title\":\"草稿课程甲（修订）\",\"summary\":\"新摘要\",\"category\":\"政策法规\",\"credit_hours\":2,"
		    "\"body_md\":\"> 引用\\n\\n- 一\\n- 二\"}",
		    NULL);
	CHECK_STATUS(r, 200);
	CHECK(jstr(r.json, "title") && !strcmp(jstr(r.json, "title"), "草稿课程甲（修订）"), "title: %s", r.body);
	CHECK(jstr(r.json, "category") && !strcmp(jstr(r.json, "category"), "政策法规"), "category");
	CHECK(jstr(r.json, "body_html") && strstr(jstr(r.json, "body_html"), "<blockquote>") &&
		      strstr(jstr(r.json, "body_html"), "<li>一</li>"),
	      "re-rendered on save: %s", r.body);
	resp_free(&r);

	/* Bad input changes nothing. */
	const char *bad[] = {
		"{\"category\":\"不存在的分类\"}", "{\"title\":\"   \"}", "{\"title\":\"\"}", "{\"credit_hours\":-1}",
		"{\"credit_hours\":101}", "{\"title\":5}", "{\"cover_image_id\":999999}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		r = e2e_req("PATCH", path, t, bad[i], NULL);
		CHECK_STATUS(r, 422);
		resp_free(&r);
	}
	r = e2e_req("PATCH", path, t, "{\"category\":\"不存在的分类\"}", NULL);
	CHECK(r.body && strstr(r.body, "unknown_category"), "code unknown_category: %s", r.body);
	resp_free(&r);
	r = e2e_req("POST", "/api/v1/courses", t, "{\"title\":\"x\",\"category\":\"娱乐八卦\"}", NULL);
	CHECK_STATUS(r, 422);
	resp_free(&r);
	r = e2e_req("POST", "/api/v1/courses", t, "{\"category\":\"政治理论\"}", NULL);
	CHECK_STATUS(r, 422);
	resp_free(&r);
	char longtitle[1024] = "{\"category\":\"政治理论\",\"title\":\"";
	for (int i = 0; i < 101; i++)
		strcat(longtitle, "长");
	strcat(longtitle, "\"}");
	r = e2e_req("POST", "/api/v1/courses", t, longtitle, NULL);
	CHECK_STATUS(r, 422);
	resp_free(&r);
	r = e2e_req("GET", path, t, NULL, NULL);
	CHECK(jstr(r.json, "title") && !strcmp(jstr(r.json, "title"), "草稿课程甲（修订）") && jnum(r.json, "credit_hours") == 2,
	      "unchanged after bad input: %s", r.body);
	resp_free(&r);

	/* Members cannot create or edit. */
	r = e2e_req("POST", "/api/v1/courses", m, "{\"title\":\"x\",\"category\":\"政治理论\"}", NULL);
	CHECK_STATUS(r, 403);
	resp_free(&r);
	r = e2e_req("PATCH", path, m, "{\"title\":\"x\"}", NULL);
	CHECK_STATUS(r, 403);
	resp_free(&r);

	/* Publish: members see it, without the source; unpublish hides it again. */
	publish(t, id);
	r = e2e_req("GET", path, m, NULL, NULL);
	CHECK_STATUS(r, 200);
	CHECK(jstr(r.json, "status") && !strcmp(jstr(r.json, "status"), "published"), "published");
	CHECK(!json_object_get(r.json, "body_md"), "members get no body_md");
	CHECK(jstr(r.json, "owner_name") && !strcmp(jstr(r.json, "owner_name"), "王老师"), "owner_name");
	resp_free(&r);
	r = e2e_req("POST", fmt(body, sizeof body, "%s/unpublish", path), t, NULL, NULL);
	CHECK_STATUS(r, 200);
	CHECK(jstr(r.json, "status") && !strcmp(jstr(r.json, "status"), "draft"), "draft again: %s", r.body);
	resp_free(&r);
	r = e2e_req("GET", path, m, NULL, NULL);
	CHECK_STATUS(r, 404);
	resp_free(&r);
	r = e2e_req("POST", fmt(body, sizeof body, "%s/enroll", path), m, NULL, NULL);
	CHECK_STATUS(r, 404);
	resp_free(&r);
	free(t);
	free(m);
}

E2E_TEST(courses_only_owner_or_admin_edits)
{
	char *adm = e2e_login("admin", E2E_PW), *t = e2e_login("teacher", E2E_PW);
	char body[512], path[96];
	long long org = org_id_named("市委党校");
	resp r = e2e_req("POST", "/api/v1/users", adm,
			 fmt(body, sizeof body,
			     "{\"username\":\"teacher2\",\"name\":\"赵老师\",\"password\":\"" E2E_PW "\",\"role\":\"instructor\","
			     "\"org_id\":%lld}",
			     org),
			 NULL);
	CHECK(r.status == 201 || r.status == 409, "teacher2: %ld", r.status);
	resp_free(&r);
	char *t2 = e2e_login("teacher2", E2E_PW);
	long long id = new_course(t, "王老师的课", "综合素养", "内容");
	fmt(path, sizeof path, "/api/v1/courses/%lld", id);

	/* Another instructor's draft: they may not know it exists, so every route answers 404 (the
	   404-vs-403 policy, docs/dev.md); once published, changing it is 403. */
	r = e2e_req("PATCH", path, t2, "{\"title\":\"抢来的课\"}", NULL);
	CHECK_STATUS(r, 404);
	resp_free(&r);
	const char *acts[] = {"publish", "unpublish"};
	for (int i = 0; i < 2; i++) {
		r = e2e_req("POST", fmt(body, sizeof body, "%s/%s", path, acts[i]), t2, NULL, NULL);
		CHECK_STATUS(r, 404);
		resp_free(&r);
	}
	r = e2e_req_h("POST", fmt(body, sizeof body, "%s/images", path), t2, (const char *)PNG1, sizeof PNG1, "image/png",
		      NULL);
	CHECK_STATUS(r, 404);
	resp_free(&r);
	/* Another instructor's draft is invisible to read. */
	r = e2e_req("GET", path, t2, NULL, NULL);
	CHECK_STATUS(r, 404);
	resp_free(&r);
	r = e2e_req("GET", "/api/v1/teach/courses", t2, NULL, NULL);
	CHECK(!find_course(r.json, id, NULL), "teacher2's list has only their courses: %.200s", r.body);
	resp_free(&r);
	r = e2e_req("GET", "/api/v1/teach/courses", t, NULL, NULL);
	CHECK(find_course(r.json, id, NULL), "teacher's list has the draft");
	resp_free(&r);
	r = e2e_req("GET", fmt(body, sizeof body, "/teach/courses/%lld", id), t2, NULL, NULL);
	CHECK_STATUS(r, 404);
	resp_free(&r);
	/* Published: teacher2 sees it but may not change it. */
	r = e2e_publish(t, id);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	r = e2e_req("PATCH", path, t2, "{\"title\":\"抢来的课\"}", NULL);
	CHECK_STATUS(r, 403);
	resp_free(&r);
	for (int i = 0; i < 2; i++) {
		r = e2e_req("POST", fmt(body, sizeof body, "%s/%s", path, acts[i]), t2, NULL, NULL);
		CHECK_STATUS(r, 403);
		resp_free(&r);
	}
	r = e2e_req_h("POST", fmt(body, sizeof body, "%s/images", path), t2, (const char *)PNG1, sizeof PNG1, "image/png",
		      NULL);
	CHECK_STATUS(r, 403);
	resp_free(&r);
	r = e2e_req("GET", fmt(body, sizeof body, "/teach/courses/%lld", id), t2, NULL, NULL);
	CHECK_STATUS(r, 403);
	resp_free(&r);
	r = e2e_req("POST", fmt(body, sizeof body, "%s/unpublish", path), t, NULL, NULL);
	CHECK_STATUS(r, 200);
	resp_free(&r);

	/* The admin edits anyone's course. */
	r = e2e_req("PATCH", path, adm, "{\"summary\":\"管理员修订\"}", NULL);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	r = e2e_req("GET", "/api/v1/teach/courses", adm, NULL, NULL);
	CHECK(find_course(r.json, id, NULL), "admin's list has every course");
	resp_free(&r);
	r = e2e_req("GET", path, t, NULL, NULL);
	CHECK(jstr(r.json, "title") && !strcmp(jstr(r.json, "title"), "王老师的课") &&
		      !strcmp(jstr(r.json, "summary"), "管理员修订"),
	      "only the admin's change: %s", r.body);
	resp_free(&r);
	free(adm);
	free(t);
	free(t2);
}

/* Payloads that try to reach the page as HTML or script through Markdown. */
static const char *const XSS_MD[] = {
	"<script>alert(1)</script>",
	"<img src=x onerror=alert(1)>",
	"a <img src=x onerror=alert(1)> b",
	"<svg/onload=alert(1)>",
	"<iframe src=\"javascript:alert(1)\"></iframe>",
	"[点我](javascript:alert(1))",
	"[点我](JaVaScRiPt:alert(1))",
	"[点我](java&#115;cript:alert(1))",
	"[点我](&#106;avascript:alert(1))",
	"[点我](  javascript:alert(1) \"t\")",
	"<javascript:alert(1)>",
	"[点我](vbscript:msgbox(1))",
	"[点我](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
	"![图](data:image/png;base64,iVBORw0KGgo=)",
	"![图](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
	"![x](javascript:alert(1))",
	"[ref]: javascript:alert(1)\n\n[点我][ref]",
	"[点我](<javascript:alert(1)>)",
	"[点我](file:///etc/passwd)",
	"<a href=\"javascript:alert(1)\">x</a>",
	"<div onmouseover=\"alert(1)\">hover</div>",
	"<style>body{display:none}</style>",
	"[x](\" onmouseover=\"alert(1))",
	"![x\" onerror=\"alert(1)](/images/1)",
	"`<script>alert(1)</script>` and ```\n<script>alert(1)</script>\n```",
	"<scr<script>ipt>alert(1)</script>",
	"[a](javascript&colon;alert(1))",
	"[a](\\javascript:alert(1))",
	"[空链接]() ![空图]()",
	"```js\n<script>alert(1)</script>\n```\n\n0. 从零开始",
};

/* 1 when url is one a course page may link to: http(s), mailto, or a path on this site. */
static int url_ok(const char *v, size_t n)
{
	if (!n)
		return 0;
	size_t k = strcspn(v, ":/?#");
	if (k >= n || v[k] != ':')
		return 1;
	return (k == 4 && !strncasecmp(v, "http", 4)) || (k == 5 && !strncasecmp(v, "https", 5)) ||
	       (k == 6 && !strncasecmp(v, "mailto", 6));
}

/* 1 when html (rendered Markdown) carries nothing active: every tag is one cmark writes for
   Markdown, no attribute but href/src/alt/title, and every URL passes url_ok. Text is escaped by
   the renderer (a '<' in the text is &lt;), so every '<' starts a real tag. */
static int html_is_safe(const char *h, char *why, size_t n)
{
	static const char *const tags[] = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote",
					   "a", "img", "em", "strong", "code", "pre", "hr", "br"};
	for (const char *p = h; (p = strchr(p, '<')); ) {
		p++;
		if (*p == '/')
			p++;
		size_t tl = strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789");
		int known = 0;
		for (size_t i = 0; i < sizeof tags / sizeof *tags; i++)
			known |= tl == strlen(tags[i]) && !strncmp(p, tags[i], tl);
		if (!known)
			return snprintf(why, n, "tag <%.20s", p), 0;
		p += tl;
		for (;;) {
			p += strspn(p, " \n");
			if (*p == '>' || !strncmp(p, "/>", 2))
				break;
			size_t al = strcspn(p, " =>/\n");
			if (!al)
				return snprintf(why, n, "odd tag text %.20s", p), 0;
			char name[16] = "";
			snprintf(name, sizeof name, "%.*s", (int)(al < 15 ? al : 15), p);
			if (strcmp(name, "href") && strcmp(name, "src") && strcmp(name, "alt") && strcmp(name, "title") &&
			    strcmp(name, "start") && strcmp(name, "class"))
				return snprintf(why, n, "attribute %s", name), 0;
			p += al;
			if (*p != '=')
				continue;
			if (p[1] != '"')
				return snprintf(why, n, "unquoted %s", name), 0;
			const char *v = p + 2, *e = strchr(v, '"');
			if (!e)
				return snprintf(why, n, "unterminated %s", name), 0;
			if ((!strcmp(name, "href") || !strcmp(name, "src")) && !url_ok(v, (size_t)(e - v)))
				return snprintf(why, n, "%s=\"%.*s\"", name, (int)(e - v), v), 0;
			p = e + 1;
		}
	}
	/* Words that would matter in markup must not survive as markup-like text either. */
	if (strcasestr(h, "javascript:") || strcasestr(h, "vbscript:") || strcasestr(h, "data:"))
		return snprintf(why, n, "a dangerous scheme in the text"), 0;
	return 1;
}

E2E_TEST(courses_xss_corpus_markdown_and_titles)
{
	char *t = e2e_login("teacher", E2E_PW), *m = e2e_login("zhangsan", E2E_PW);
	long long id = new_course(t, "安全测试课", "综合素养", "");
	publish(t, id);
	char path[96], why[128];
	fmt(path, sizeof path, "/api/v1/courses/%lld", id);
	for (size_t i = 0; i < sizeof XSS_MD / sizeof *XSS_MD; i++) {
		json_t *j = json_pack("{s:s}", "body_md", XSS_MD[i]);
		char *s = json_dumps(j, 0);
		resp r = e2e_req("PATCH", path, t, s, NULL);
		CHECK_STATUS(r, 200);
		const char *html = jstr(r.json, "body_html");
		CHECK(html && html_is_safe(html, why, sizeof why), "payload %zu %s: %s → %s", i, XSS_MD[i], why,
		      html ? html : "(null)");
		resp_free(&r);
		r = e2e_req("POST", "/api/v1/markdown/preview", t, s, NULL);
		CHECK_STATUS(r, 200);
		html = jstr(r.json, "html");
		CHECK(html && html_is_safe(html, why, sizeof why), "preview %zu: %s → %s", i, why, html ? html : "(null)");
		resp_free(&r);
		/* The page as a member sees it: every <script is our own script tag. */
		r = e2e_req("GET", path + 7, m, NULL, NULL);
		CHECK_STATUS(r, 200);
		int own = 0, all = 0;
		for (const char *p = r.body; p && (p = strcasestr(p, "<script")); p++, all++)
			own += !strncmp(p, "<script src=\"/static/js/", 24);
		CHECK(own == all && all >= 1, "payload %zu: %d foreign script tags in page", i, all - own);
		/* The page embeds exactly the checked body. */
		const char *mark = "id=\"course-body\" aria-label=\"课程内容\">";
		const char *b0 = r.body ? strstr(r.body, mark) : NULL, *b1 = b0 ? strstr(b0, "</section></article>") : NULL;
		char *inpage = b0 && b1 ? strndup(b0 + strlen(mark), (size_t)(b1 - b0) - strlen(mark)) : NULL;
		CHECK(inpage && html_is_safe(inpage, why, sizeof why), "payload %zu in page: %s", i, inpage ? why : "no body");
		free(inpage);
		resp_free(&r);
		free(s);
		json_decref(j);
	}
	/* Links that are fine stay links; an image of this site stays an image. */
	resp r = e2e_req("POST", "/api/v1/markdown/preview", t,
			 "{\"body_md\":\"[站内](/courses/1) [外链](https://www.12371.cn/) [邮件](mailto:a@b.cn) "
			 "[锚点](#x) ![图](/images/1)\"}",
			 NULL);
	const char *h = jstr(r.json, "html");
	CHECK(h && strstr(h, "href=\"/courses/1\"") && strstr(h, "href=\"https://www.12371.cn/\"") &&
		      strstr(h, "href=\"mailto:a@b.cn\"") && strstr(h, "href=\"#x\"") && strstr(h, "<img src=\"/images/1\""),
	      "safe links kept: %s", h ? h : r.body);
	resp_free(&r);
	/* A dropped link keeps its text. */
	r = e2e_req("POST", "/api/v1/markdown/preview", t, "{\"body_md\":\"[点我看看](javascript:alert(1))\"}", NULL);
	CHECK(jstr(r.json, "html") && strstr(jstr(r.json, "html"), "点我看看") && !strstr(jstr(r.json, "html"), "<a"),
	      "link text kept: %s", r.body);
	resp_free(&r);

	/* Titles and summaries are text: escaped on every page that shows them. */
	const char *evil = "<script>alert('t')</script><img src=x onerror=alert(2)>\"'&";
	json_t *j = json_pack("{s:s,s:s}", "title", evil, "summary", evil);
	char *s = json_dumps(j, 0);
	r = e2e_req("PATCH", path, t, s, NULL);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	free(s);
	json_decref(j);
	char page[96];
	const char *pages[] = {path + 7, "/?q=alert", "/teach", fmt(page, sizeof page, "/teach/courses/%lld", id)};
	for (int i = 0; i < 4; i++) {
		r = e2e_req("GET", pages[i], i < 2 ? m : t, NULL, NULL);
		CHECK_STATUS(r, 200);
		CHECK(r.body && !strstr(r.body, "<script>alert") && !strstr(r.body, "<img src=x") &&
			      (strstr(r.body, "&lt;script&gt;alert(&#39;t&#39;)&lt;/script&gt;") ||
			       /* the search page marks the word searched for (test_journey.c) */
			       (i == 1 && strstr(r.body, "&lt;script&gt;<mark>alert</mark>(&#39;t&#39;)&lt;/script&gt;"))),
		      "title escaped on %s", pages[i]);
		resp_free(&r);
	}
	r = e2e_req("PATCH", path, t, "{\"title\":\"安全测试课\",\"summary\":\"\"}", NULL);
	resp_free(&r);
	free(t);
	free(m);
}

E2E_TEST(courses_chinese_substring_search)
{
	char *t = e2e_login("teacher", E2E_PW), *m = e2e_login("lisi", E2E_PW);
	long long a = new_course(t, "新时代党的建设专题", "党史党建", "## 导言\n\n坚定不移推进全面从严治党，永远在路上。");
	long long b = new_course(t, "数字政务能力提升", "业务能力", "政务服务“一网通办”的实践与思考。");
	long long hidden = new_course(t, "未发布的从严治党草稿", "党史党建", "全面从严治党");
	publish(t, a);
	publish(t, b);
	struct {
		const char *q;
		long long want, not;
	} cases[] = {
		{"%E4%BB%8E%E4%B8%A5%E6%B2%BB", a, b},                 /* 从严治: inside the body (trigram) */
		{"%E4%BB%8E%E4%B8%A5%E6%B2%BB%E5%85%9A", a, b},         /* 从严治党 */
		{"%E4%B8%A5%E6%B2%BB", a, b},                           /* 严治: two characters (LIKE) */
		{"%E6%B2%BB", a, b},                                    /* 治: one character */
		{"%E4%B8%80%E7%BD%91%E9%80%9A%E5%8A%9E", b, a},         /* 一网通办 */
		{"%E6%94%BF%E5%8A%A1%E8%83%BD%E5%8A%9B", b, a},         /* 政务能力: the title */
		{"%E6%B5%8B%E8%AF%95%E6%91%98%E8%A6%81", a, 0},         /* 测试摘要: the summary */
		{"%20%E4%BB%8E%E4%B8%A5%E6%B2%BB%20", a, b},            /* surrounding spaces ignored */
	};
	char path[256];
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		resp r = e2e_req("GET", fmt(path, sizeof path, "/api/v1/courses?per_page=50&q=%s", cases[i].q), m, NULL, NULL);
		CHECK_STATUS(r, 200);
		CHECK(find_course(r.json, cases[i].want, NULL), "q=%s finds %lld: %.300s", cases[i].q, cases[i].want, r.body);
		CHECK(!cases[i].not || !find_course(r.json, cases[i].not, NULL), "q=%s must not find %lld", cases[i].q,
		      cases[i].not);
		CHECK(!find_course(r.json, hidden, NULL), "q=%s finds a draft", cases[i].q);
		resp_free(&r);
	}
	/* No match, and LIKE wildcards or FTS syntax in the query are literal text. */
	const char *none[] = {"%E9%B2%B8%E9%B1%BC%E8%88%AA%E8%A1%8C", "%25", "_", "%25%25", "%22", "%22%29%20OR%20%2A",
			      "a%22b%22c", "NEAR%28a%20b%29"};
	for (size_t i = 0; i < sizeof none / sizeof *none; i++) {
		resp r = e2e_req("GET", fmt(path, sizeof path, "/api/v1/courses?q=%s", none[i]), m, NULL, NULL);
		CHECK_STATUS(r, 200);
		CHECK(jint(r.json, "total") == 0 && json_array_size(json_object_get(r.json, "courses")) == 0,
		      "q=%s matches nothing: %.200s", none[i], r.body);
		resp_free(&r);
	}
	/* The text is searched as the instructor changes it. */
	char p2[96];
	resp r = e2e_req("PATCH", fmt(p2, sizeof p2, "/api/v1/courses/%lld", b), t,
			 "{\"body_md\":\"学习贯彻党的二十大精神\"}", NULL);
	resp_free(&r);
	r = e2e_req("GET", "/api/v1/courses?q=%E4%B8%80%E7%BD%91%E9%80%9A%E5%8A%9E", m, NULL, NULL);
	CHECK(!find_course(r.json, b, NULL), "old text no longer found");
	resp_free(&r);
	r = e2e_req("GET", "/api/v1/courses?q=%E4%BA%8C%E5%8D%81%E5%A4%A7", m, NULL, NULL);
	CHECK(find_course(r.json, b, NULL), "new text found: %.200s", r.body);
	resp_free(&r);
	/* Over-long query. */
	char big[1024] = "/api/v1/courses?q=";
	for (int i = 0; i < 101; i++)
		strcat(big, "%E5%AD%97");
	r = e2e_req("GET", big, m, NULL, NULL);
	CHECK_STATUS(r, 422);
	resp_free(&r);
	/* The home page finds it too. */
	r = e2e_req("GET", "/?q=%E4%BB%8E%E4%B8%A5%E6%B2%BB", m, NULL, NULL);
	CHECK_STATUS(r, 200);
	CHECK(r.body && strstr(r.body, "新时代党的建设专题") && !strstr(r.body, "数字政务能力提升"), "page search");
	CHECK(r.body && strstr(r.body, "value=\"从严治\""), "query kept in the form");
	resp_free(&r);
	free(t);
	free(m);
}

E2E_TEST(courses_filters_sort_pagination)
{
	char *t = e2e_login("teacher", E2E_PW), *m = e2e_login("zhaoliu", E2E_PW);
	long long a = new_course(t, "排序课甲", "政策法规", "排序测试内容");
	long long b = new_course(t, "排序课乙", "政策法规", "排序测试内容");
	publish(t, a);
	e2e_clock_advance(5);
	publish(t, b);
	/* Newest first (by first publication). */
	resp r = e2e_req("GET", "/api/v1/courses?q=%E6%8E%92%E5%BA%8F%E6%B5%8B%E8%AF%95", m, NULL, NULL);
	int pa = -1, pb = -1;
	find_course(r.json, a, &pa);
	find_course(r.json, b, &pb);
	CHECK(pa >= 0 && pb >= 0 && pb < pa, "newest first: a at %d, b at %d", pa, pb);
	CHECK(jint(r.json, "total") == 2, "total 2: %.200s", r.body);
	resp_free(&r);
	/* Most enrolled first. */
	char path[128];
	const char *who[] = {"zhangsan", "lisi", "zhaoliu"};
	for (int i = 0; i < 3; i++) {
		char *u = e2e_login(who[i], E2E_PW);
		r = e2e_req("POST", fmt(path, sizeof path, "/api/v1/courses/%lld/enroll", a), u, NULL, NULL);
		CHECK_STATUS(r, 200);
		resp_free(&r);
		free(u);
	}
	r = e2e_req("GET", "/api/v1/courses?q=%E6%8E%92%E5%BA%8F%E6%B5%8B%E8%AF%95&sort=popular", m, NULL, NULL);
	find_course(r.json, a, &pa);
	find_course(r.json, b, &pb);
	CHECK(pa == 0 && pb == 1, "popular first: a at %d, b at %d", pa, pb);
	json_t *ca = find_course(r.json, a, NULL);
	CHECK(jint(ca, "enrolled_count") == 3 && jbool(ca, "enrolled"), "count and enrolled: %.300s", r.body);
	resp_free(&r);
	/* Category filter. */
	r = e2e_req("GET", "/api/v1/courses?per_page=50&category=%E6%94%BF%E7%AD%96%E6%B3%95%E8%A7%84", m, NULL, NULL);
	size_t i;
	json_t *c;
	int only = 1;
	json_array_foreach(json_object_get(r.json, "courses"), i, c) only &= !strcmp(jstr(c, "category"), "政策法规");
	CHECK(only && find_course(r.json, a, NULL), "category filter: %.200s", r.body);
	resp_free(&r);
	r = e2e_req("GET", "/api/v1/courses?category=%E6%97%A0", m, NULL, NULL);
	CHECK(jint(r.json, "total") == 0, "unknown category lists nothing");
	resp_free(&r);
	/* Pagination: one per page, the page past the end still tells the total. */
	r = e2e_req("GET", "/api/v1/courses?q=%E6%8E%92%E5%BA%8F%E6%B5%8B%E8%AF%95&per_page=1&page=2", m, NULL, NULL);
	CHECK(json_array_size(json_object_get(r.json, "courses")) == 1 && find_course(r.json, a, NULL) &&
		      jint(r.json, "total") == 2 && jint(r.json, "page") == 2,
	      "page 2: %.300s", r.body);
	resp_free(&r);
	r = e2e_req("GET", "/api/v1/courses?q=%E6%8E%92%E5%BA%8F%E6%B5%8B%E8%AF%95&per_page=1&page=9", m, NULL, NULL);
	CHECK(json_array_size(json_object_get(r.json, "courses")) == 0 && jint(r.json, "total") == 2, "past the end: %s",
	      r.body);
	resp_free(&r);
	r = e2e_req("GET", "/api/v1/courses?per_page=500&page=-3", m, NULL, NULL);
	CHECK(jint(r.json, "per_page") == 50 && jint(r.json, "page") == 1, "clamped: per_page %lld page %lld",
	      jint(r.json, "per_page"), jint(r.json, "page"));
	resp_free(&r);
	/* Paging links on the home page keep the filters. */
	r = e2e_req("GET", "/?q=%E6%8E%92%E5%BA%8F&per_page=1&sort=popular", m, NULL, NULL);
	CHECK(r.body && strstr(r.body, "class=\"next\" href=\"/?page=2&amp;q=%E6%8E%92%E5%BA%8F&amp;sort=popular&amp;per_page=1\""),
	      "pager link");
	resp_free(&r);
	free(t);
	free(m);
}

E2E_TEST(courses_enrol_is_idempotent)
{
	char *t = e2e_login("teacher", E2E_PW), *m = e2e_login("wangwu", E2E_PW);
	long long id = new_course(t, "选课测试课", "政治理论", "正文");
	char path[96];
	fmt(path, sizeof path, "/api/v1/courses/%lld/enroll", id);
	resp r = e2e_req("POST", path, m, NULL, NULL);
	CHECK_STATUS(r, 404); /* a draft */
	resp_free(&r);
	r = e2e_req("POST", path, t, NULL, NULL);
	CHECK_STATUS(r, 409); /* the owner sees the draft, but it cannot be taken yet */
	resp_free(&r);
	publish(t, id);
	for (int i = 0; i < 3; i++) {
		r = e2e_req("POST", path, m, NULL, NULL);
		CHECK_STATUS(r, 200);
		CHECK(jbool(r.json, "enrolled") && jint(r.json, "enrolled_count") == 1, "once: %s", r.body);
		resp_free(&r);
	}
	r = e2e_req("GET", "/api/v1/courses?mine=1&per_page=50", m, NULL, NULL);
	json_t *c = find_course(r.json, id, NULL);
	CHECK(c && jbool(c, "enrolled") && jnum(c, "progress") == 0, "in my courses: %.300s", r.body);
	resp_free(&r);
	r = e2e_req("GET", "/api/v1/courses?mine=1&per_page=50", t, NULL, NULL);
	CHECK(!find_course(r.json, id, NULL), "not in the teacher's courses");
	resp_free(&r);
	/* Progress written by study tracking shows in lists and on the page. */
	char q[256];
	snprintf(q, sizeof q, "UPDATE enrollments SET progress = 0.42 WHERE course_id = %lld", id);
	CHECK(sql(q) == 0, "sqlite3");
	r = e2e_req("GET", "/api/v1/courses?mine=1", m, NULL, NULL);
	c = find_course(r.json, id, NULL);
	CHECK(c && jnum(c, "progress") > 0.41 && jnum(c, "progress") < 0.43, "progress: %.300s", r.body);
	resp_free(&r);
	r = e2e_req("GET", "/", m, NULL, NULL);
	CHECK(r.body && strstr(r.body, "<progress max=\"100\" value=\"42\""), "progress bar on the home page");
	resp_free(&r);
	char page[64];
	r = e2e_req("GET", fmt(page, sizeof page, "/courses/%lld", id), m, NULL, NULL);
	CHECK(r.body && strstr(r.body, "value=\"42\"") && !strstr(r.body, "id=\"enroll\""), "page: progress, no button");
	resp_free(&r);
	free(t);
	free(m);
}

E2E_TEST(courses_required_down_the_tree)
{
	char *adm = e2e_login("admin", E2E_PW), *t = e2e_login("teacher", E2E_PW);
	char *za = e2e_login("zhangsan", E2E_PW); /* 市委组织部/第一党委/机关第一支部 */
	char *ww = e2e_login("wangwu", E2E_PW);   /* 市委组织部/第二党委/机关第三支部 */
	int year = server_year();
	long long first = org_id_named("第一党委"), branch = org_id_named("机关第一支部");
	CHECK(first && branch && year > 2000, "orgs and year");
	long long id = new_course(t, "年度必修测试课", "政治理论", "必修内容");
	publish(t, id);
	char body[256];
	/* Only admins assign; bad ids are 422. */
	resp r = e2e_req("POST", "/api/v1/assignments", t,
			 fmt(body, sizeof body, "{\"course_id\":%lld,\"org_id\":%lld,\"year\":%d}", id, first, year), NULL);
	CHECK_STATUS(r, 403);
	resp_free(&r);
	r = e2e_req("POST", "/api/v1/assignments", adm,
		    fmt(body, sizeof body, "{\"course_id\":%lld,\"org_id\":999999,\"year\":%d}", id, year), NULL);
	CHECK_STATUS(r, 422);
	resp_free(&r);
	r = e2e_req("POST", "/api/v1/assignments", adm,
		    fmt(body, sizeof body, "{\"course_id\":%lld,\"org_id\":%lld,\"year\":1900}", id, first), NULL);
	CHECK_STATUS(r, 422);
	resp_free(&r);
	/* Next year's assignment does not make it required now. */
	r = e2e_req("POST", "/api/v1/assignments", adm,
		    fmt(body, sizeof body, "{\"course_id\":%lld,\"org_id\":%lld,\"year\":%d}", id, first, year + 1), NULL);
	CHECK_STATUS(r, 201);
	resp_free(&r);
	r = e2e_req("GET", "/api/v1/courses?per_page=50", za, NULL, NULL);
	CHECK(!jbool(find_course(r.json, id, NULL), "required"), "not required this year yet");
	resp_free(&r);

	fmt(body, sizeof body, "{\"course_id\":%lld,\"org_id\":%lld,\"year\":%d}", id, first, year);
	r = e2e_req("POST", "/api/v1/assignments", adm, body, NULL);
	CHECK_STATUS(r, 201);
	long long aid = jint(r.json, "id");
	resp_free(&r);
	r = e2e_req("POST", "/api/v1/assignments", adm, body, NULL);
	CHECK_STATUS(r, 200); /* idempotent */
	CHECK(jint(r.json, "id") == aid, "same assignment");
	resp_free(&r);

	/* A member of a sub-organisation: required, and first in the list. */
	r = e2e_req("GET", "/api/v1/courses?per_page=50", za, NULL, NULL);
	int pos = -1;
	json_t *c = find_course(r.json, id, &pos);
	CHECK(c && jbool(c, "required"), "required for zhangsan: %.300s", r.body);
	size_t i;
	json_t *x;
	int req_block = 1, ok = 1;
	json_array_foreach(json_object_get(r.json, "courses"), i, x)
	{
		if (!jbool(x, "required"))
			req_block = 0;
		else if (!req_block)
			ok = 0;
	}
	CHECK(ok, "required courses come first: %.500s", r.body);
	resp_free(&r);
	r = e2e_req("GET", "/api/v1/courses?type=required&per_page=50", za, NULL, NULL);
	CHECK(find_course(r.json, id, NULL), "type=required");
	resp_free(&r);
	r = e2e_req("GET", "/api/v1/courses?type=elective&per_page=50", za, NULL, NULL);
	CHECK(!find_course(r.json, id, NULL), "not elective for zhangsan");
	resp_free(&r);
	r = e2e_req("GET", "/api/v1/courses?mine=1&per_page=50", za, NULL, NULL);
	c = find_course(r.json, id, NULL);
	CHECK(c && jbool(c, "enrolled"), "a required course is in my courses, enrolled without a click (issue 12)");
	resp_free(&r);
	char path[64];
	r = e2e_req("GET", fmt(path, sizeof path, "/api/v1/courses/%lld", id), za, NULL, NULL);
	CHECK(jbool(r.json, "required"), "detail says required");
	resp_free(&r);
	r = e2e_req("GET", "/", za, NULL, NULL);
	char needle[96];
	snprintf(needle, sizeof needle, "<a href=\"/courses/%lld\">年度必修测试课</a> <span class=\"badge required\">", id);
	CHECK(r.body && strstr(r.body, needle), "home page: required in my courses");
	resp_free(&r);

	/* A member of a sibling organisation: elective. */
	r = e2e_req("GET", "/api/v1/courses?per_page=50", ww, NULL, NULL);
	c = find_course(r.json, id, NULL);
	CHECK(c && !jbool(c, "required"), "elective for wangwu: %.300s", r.body);
	resp_free(&r);
	r = e2e_req("GET", "/api/v1/courses?type=required&per_page=50", ww, NULL, NULL);
	CHECK(!find_course(r.json, id, NULL), "not in wangwu's required");
	resp_free(&r);
	r = e2e_req("GET", "/api/v1/courses?mine=1&per_page=50", ww, NULL, NULL);
	CHECK(!find_course(r.json, id, NULL), "not in wangwu's courses");
	resp_free(&r);

	/* Listing and withdrawing. */
	r = e2e_req("GET", fmt(body, sizeof body, "/api/v1/assignments?year=%d", year), adm, NULL, NULL);
	int listed = 0;
	json_array_foreach(json_object_get(r.json, "assignments"), i, x) listed |= jint(x, "id") == aid;
	CHECK(listed, "listed: %.300s", r.body);
	resp_free(&r);
	r = e2e_req("DELETE", fmt(body, sizeof body, "/api/v1/assignments/%lld", aid), adm, NULL, NULL);
	CHECK_STATUS(r, 204);
	resp_free(&r);
	r = e2e_req("DELETE", fmt(body, sizeof body, "/api/v1/assignments/%lld", aid), adm, NULL, NULL);
	CHECK_STATUS(r, 404);
	resp_free(&r);
	r = e2e_req("GET", "/api/v1/courses?per_page=50", za, NULL, NULL);
	CHECK(!jbool(find_course(r.json, id, NULL), "required"), "no longer required");
	resp_free(&r);
	/* Assigned to the branch itself: required for its member, not for the sibling branch. */
	r = e2e_req("POST", "/api/v1/assignments", adm,
		    fmt(body, sizeof body, "{\"course_id\":%lld,\"org_id\":%lld,\"year\":%d}", id, branch, year), NULL);
	CHECK_STATUS(r, 201);
	resp_free(&r);
	char *ls = e2e_login("lisi", E2E_PW); /* 第一党委/机关第二支部 */
	r = e2e_req("GET", "/api/v1/courses?per_page=50", ls, NULL, NULL);
	CHECK(!jbool(find_course(r.json, id, NULL), "required"), "not required for the sibling branch");
	resp_free(&r);
	r = e2e_req("GET", "/api/v1/courses?per_page=50", za, NULL, NULL);
	CHECK(jbool(find_course(r.json, id, NULL), "required"), "required for the branch");
	resp_free(&r);
	free(ls);
	free(adm);
	free(t);
	free(za);
	free(ww);
}

E2E_TEST(courses_seeded_demo)
{
	char *za = e2e_login("zhangsan", E2E_PW), *ww = e2e_login("wangwu", E2E_PW);
	resp r = e2e_req("GET", "/api/v1/courses?q=%E4%BB%8E%E4%B8%A5%E6%B2%BB", za, NULL, NULL);
	json_t *c = json_array_get(json_object_get(r.json, "courses"), 0);
	CHECK(c && jstr(c, "title") && strstr(jstr(c, "title"), "全面从严治党"), "demo course found: %.300s", r.body);
	long long id = jint(c, "id");
	CHECK(jstr(c, "cover_url") != NULL, "demo cover");
	resp_free(&r);
	char path[64];
	r = e2e_req("GET", fmt(path, sizeof path, "/api/v1/courses/%lld", id), za, NULL, NULL);
	const char *h = jstr(r.json, "body_html");
	CHECK(h && strstr(h, "<h2>") && strstr(h, "<ol>") && strstr(h, "<ul>") && strstr(h, "<blockquote>") &&
		      strstr(h, "<a href=\"https://") && strstr(h, "<img src=\"/images/"),
	      "demo body has headings, lists, a quote, a link and an image: %.200s", h ? h : r.body);
	/* Required for 第一党委 (assigned by the seed for the year it ran). */
	CHECK(jbool(r.json, "required"), "demo course required for zhangsan");
	resp_free(&r);
	r = e2e_req("GET", fmt(path, sizeof path, "/api/v1/courses/%lld", id), ww, NULL, NULL);
	CHECK(!jbool(r.json, "required"), "elective for wangwu");
	resp_free(&r);
	/* Its image is served. */
	r = e2e_req("GET", "/images/1", za, NULL, NULL);
	CHECK_STATUS(r, 200);
	char *ct = resp_header(&r, "Content-Type");
	CHECK(ct && !strcmp(ct, "image/png") && r.len > 8 && !memcmp(r.body, "\x89PNG", 4), "png: %s", ct ? ct : "-");
	free(ct);
	resp_free(&r);
	free(za);
	free(ww);
}

E2E_TEST(courses_images)
{
	char *t = e2e_login("teacher", E2E_PW), *m = e2e_login("zhangsan", E2E_PW);
	long long id = new_course(t, "图片测试课", "综合素养", "");
	char path[96], body[256];
	fmt(path, sizeof path, "/api/v1/courses/%lld/images", id);
	/* PNG, JPEG and WebP by their bytes, whatever the client calls them. */
	resp r = e2e_req_h("POST", path, t, (const char *)PNG1, sizeof PNG1, "application/octet-stream", NULL);
	CHECK_STATUS(r, 201);
	long long png = jint(r.json, "id");
	CHECK(jstr(r.json, "url") && !strcmp(jstr(r.json, "url"), fmt(body, sizeof body, "/images/%lld", png)), "url: %s",
	      r.body);
	resp_free(&r);
	const char jpg[] = "\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01";
	r = e2e_req_h("POST", path, t, jpg, sizeof jpg - 1, "text/plain", NULL);
	CHECK_STATUS(r, 201);
	CHECK(jstr(r.json, "type") && !strcmp(jstr(r.json, "type"), "image/jpeg"), "jpeg: %s", r.body);
	long long jid = jint(r.json, "id");
	resp_free(&r);
	const char webp[] = "RIFF\x24\x00\x00\x00WEBPVP8 ";
	r = e2e_req_h("POST", path, t, webp, sizeof webp - 1, "image/png", NULL);
	CHECK_STATUS(r, 201);
	CHECK(jstr(r.json, "type") && !strcmp(jstr(r.json, "type"), "image/webp"), "webp: %s", r.body);
	resp_free(&r);
	/* Not an image: 415, whatever the name or type claims. */
	const char *fakes[] = {"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>",
			       "<html><script>alert(1)</script></html>", "GIF89a\x01\x00\x01\x00", "RIFF\x24\x00\x00\x00WAVEfmt ",
			       "\x89PNX\r\n\x1a\n", "hello"};
	for (size_t i = 0; i < sizeof fakes / sizeof *fakes; i++) {
		const char *hdr[] = {"Content-Disposition: attachment; filename=\"x.png\"", NULL};
		r = e2e_req_h("POST", path, t, fakes[i], strlen(fakes[i]), "image/png", hdr);
		CHECK_STATUS(r, 415);
		CHECK(r.body && strstr(r.body, "PNG"), "clear message: %s", r.body);
		resp_free(&r);
	}
	r = e2e_req_h("POST", path, t, "", 0, "image/png", NULL);
	CHECK_STATUS(r, 415);
	resp_free(&r);
	/* Over the limit (5 MiB): 413, and nothing stored. */
	size_t big = (5u << 20) + 1;
	char *blob = calloc(1, big);
	memcpy(blob, PNG1, sizeof PNG1);
	r = e2e_req_h("POST", path, t, blob, big, "image/png", NULL);
	CHECK_STATUS(r, 413);
	resp_free(&r);
	free(blob);
	/* A draft's images: the owner sees them, members do not. */
	r = e2e_req("GET", fmt(body, sizeof body, "/images/%lld", png), t, NULL, NULL);
	CHECK_STATUS(r, 200);
	CHECK(r.len == sizeof PNG1 && !memcmp(r.body, PNG1, sizeof PNG1), "bytes back");
	char *ct = resp_header(&r, "Content-Type");
	CHECK(ct && !strcmp(ct, "image/png"), "type %s", ct ? ct : "-");
	free(ct);
	resp_free(&r);
	r = e2e_req("GET", fmt(body, sizeof body, "/images/%lld", jid), t, NULL, NULL);
	ct = resp_header(&r, "Content-Type");
	CHECK(ct && !strcmp(ct, "image/jpeg"), "jpeg type %s", ct ? ct : "-");
	free(ct);
	resp_free(&r);
	r = e2e_req("GET", fmt(body, sizeof body, "/images/%lld", png), m, NULL, NULL);
	CHECK_STATUS(r, 404);
	resp_free(&r);
	r = e2e_req("GET", fmt(body, sizeof body, "/images/%lld", png), NULL, NULL, NULL);
	CHECK_STATUS(r, 401);
	resp_free(&r);
	/* Cover: an image of this course; another course's image is refused. */
	char cpath[96];
	fmt(cpath, sizeof cpath, "/api/v1/courses/%lld", id);
	r = e2e_req("PATCH", cpath, t, fmt(body, sizeof body, "{\"cover_image_id\":%lld}", png), NULL);
	CHECK_STATUS(r, 200);
	CHECK(jstr(r.json, "cover_url") && !strcmp(jstr(r.json, "cover_url"), fmt(body, sizeof body, "/images/%lld", png)),
	      "cover_url: %s", r.body);
	resp_free(&r);
	r = e2e_req("PATCH", cpath, t, "{\"cover_image_id\":1}", NULL); /* a demo course's image */
	CHECK_STATUS(r, 422);
	resp_free(&r);
	r = e2e_req("PATCH", cpath, t, "{\"cover_image_id\":null}", NULL);
	CHECK_STATUS(r, 200);
	CHECK(json_is_null(json_object_get(r.json, "cover_url")), "cover cleared: %s", r.body);
	resp_free(&r);
	/* Published: members see its images; the Markdown references them. */
	r = e2e_req("PATCH", cpath, t, fmt(body, sizeof body, "{\"body_md\":\"![示意图](/images/%lld)\"}", png), NULL);
	CHECK(jstr(r.json, "body_html") && strstr(jstr(r.json, "body_html"), "<img src=\"/images/"), "image in body");
	resp_free(&r);
	publish(t, id);
	r = e2e_req("GET", fmt(body, sizeof body, "/images/%lld", png), m, NULL, NULL);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	/* Stored by id only. */
	CHECK(e2e_sh("test -f %s/images/%lld.png && test -f %s/images/%lld.jpg", e2e_data, png, e2e_data, jid) == 0,
	      "files named by id");
	free(t);
	free(m);
}

E2E_TEST(courses_lectures_in_course)
{
	char *t = e2e_login("teacher", E2E_PW), *m = e2e_login("zhangsan", E2E_PW);
	long long id = new_course(t, "讲次列表课", "政治理论", "");
	char q[512];
	snprintf(q, sizeof q,
		 "INSERT INTO lectures(course_id, title, position, status, duration_s, created_at, updated_at) VALUES"
		 " (%lld, '第二讲 <b>实践</b>', 2, 'transcoding', 0, 0, 0), (%lld, '第一讲 理论', 1, 'ready', 754, 0, 0)",
		 id, id);
	CHECK(sql(q) == 0, "fixture");
	publish(t, id); /* its ready lecture makes it publishable */
	char path[64];
	/* Members see only the lecture with a video (issue 12); its instructor sees both. */
	resp r = e2e_req("GET", fmt(path, sizeof path, "/api/v1/courses/%lld", id), m, NULL, NULL);
	CHECK(json_array_size(json_object_get(r.json, "lectures")) == 1, "the member sees one lecture: %s", r.body);
	resp_free(&r);
	r = e2e_req("GET", fmt(path, sizeof path, "/api/v1/courses/%lld", id), t, NULL, NULL);
	json_t *l = json_object_get(r.json, "lectures");
	CHECK(json_array_size(l) == 2, "two lectures: %s", r.body);
	json_t *l0 = json_array_get(l, 0), *l1 = json_array_get(l, 1);
	CHECK(jstr(l0, "title") && !strcmp(jstr(l0, "title"), "第一讲 理论") && jnum(l0, "duration_s") == 754 &&
		      !strcmp(jstr(l0, "status"), "ready") && !strcmp(jstr(l1, "status"), "transcoding"),
	      "ordered by position with duration and status: %s", r.body);
	long long ready = jint(l0, "id");
	resp_free(&r);
	r = e2e_req("GET", fmt(path, sizeof path, "/courses/%lld", id), t, NULL, NULL);
	char needle[128];
	snprintf(needle, sizeof needle, "<a href=\"/lectures/%lld\">第一讲 理论</a>", ready);
	CHECK(r.body && strstr(r.body, needle) && strstr(r.body, "12:34") && strstr(r.body, "转码中") &&
		      strstr(r.body, "第二讲 &lt;b&gt;实践&lt;/b&gt;"),
	      "lecture list on the page");
	resp_free(&r);
	free(t);
	free(m);
}

E2E_TEST(courses_pages)
{
	char *t = e2e_login("teacher", E2E_PW), *m = e2e_login("zhangsan", E2E_PW), *as = e2e_login("assessor", E2E_PW);
	long long id = new_course(t, "页面测试课", "综合素养", "## 页面小节\n\n内容段落");
	char path[64], edit[64];
	fmt(path, sizeof path, "/courses/%lld", id);
	fmt(edit, sizeof edit, "/teach/courses/%lld", id);
	/* Draft: 404 page for members, the owner previews it. */
	resp r = e2e_req("GET", path, m, NULL, NULL);
	CHECK_STATUS(r, 404);
	char *ct = resp_header(&r, "Content-Type");
	CHECK(ct && strstr(ct, "text/html") && r.body && strstr(r.body, "课程不存在"), "HTML 404: %s", ct ? ct : "-");
	free(ct);
	resp_free(&r);
	r = e2e_req("GET", path, t, NULL, NULL);
	CHECK_STATUS(r, 200);
	CHECK(r.body && strstr(r.body, "草稿") && strstr(r.body, edit), "owner's preview with edit link");
	resp_free(&r);
	publish(t, id);
	r = e2e_req("GET", path, m, NULL, NULL);
	CHECK_STATUS(r, 200);
	CHECK(r.body && strstr(r.body, "<h2>页面小节</h2>") && strstr(r.body, "id=\"enroll\"") && !strstr(r.body, edit),
	      "member's page: body, enrol button, no edit link");
	CHECK(r.body && strstr(r.body, "page-course.js"), "page script");
	resp_free(&r);
	r = e2e_req("GET", path, as, NULL, NULL);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	/* Home. */
	r = e2e_req("GET", "/", m, NULL, NULL);
	CHECK_STATUS(r, 200);
	CHECK(r.body && strstr(r.body, "id=\"my-courses\"") && strstr(r.body, "id=\"catalog-form\"") &&
		      strstr(r.body, "页面测试课"),
	      "home page parts");
	resp_free(&r);
	r = e2e_req("GET", "/?category=%E7%BB%BC%E5%90%88%E7%B4%A0%E5%85%BB&type=elective", m, NULL, NULL);
	CHECK(r.body && strstr(r.body, "<option value=\"综合素养\" selected>") && !strstr(r.body, "id=\"my-courses\""),
	      "filtered view keeps the choice");
	resp_free(&r);
	r = e2e_req("GET", "/?q=%E9%B2%B8%E9%B1%BC%E8%88%AA%E8%A1%8C", m, NULL, NULL);
	CHECK(r.body && strstr(r.body, "没有找到"), "empty result message");
	resp_free(&r);
	/* Instructor pages. */
	r = e2e_req("GET", "/teach", t, NULL, NULL);
	CHECK_STATUS(r, 200);
	CHECK(r.body && strstr(r.body, "页面测试课") && strstr(r.body, "id=\"new-course\""), "teach list");
	resp_free(&r);
	r = e2e_req("GET", edit, t, NULL, NULL);
	CHECK_STATUS(r, 200);
	CHECK(r.body && strstr(r.body, "id=\"course-form\"") && strstr(r.body, "## 页面小节") &&
		      strstr(r.body, "id=\"preview\"") && strstr(r.body, "page-teach-edit.js"),
	      "editor with source and preview");
	resp_free(&r);
	r = e2e_req("GET", "/teach", m, NULL, NULL);
	CHECK_STATUS(r, 403);
	resp_free(&r);
	r = e2e_req("GET", edit, m, NULL, NULL);
	CHECK_STATUS(r, 403);
	resp_free(&r);
	r = e2e_req("GET", "/teach/courses/999999", t, NULL, NULL);
	CHECK_STATUS(r, 404);
	resp_free(&r);
	r = e2e_req("GET", "/courses/abc", m, NULL, NULL);
	CHECK_STATUS(r, 404);
	resp_free(&r);
	/* The admin page has the assignment form. */
	char *adm = e2e_login("admin", E2E_PW);
	r = e2e_req("GET", "/admin", adm, NULL, NULL);
	CHECK(r.body && strstr(r.body, "id=\"assign-form\"") && strstr(r.body, "必修课程指派"), "assignment form on /admin");
	CHECK(r.body && strstr(r.body, "id=\"require-form\"") && strstr(r.body, "年度学时要求"),
	      "requirement form on /admin");
	resp_free(&r);
	free(adm);
	free(t);
	free(m);
	free(as);
}

E2E_TEST(courses_cookie_changes_need_csrf)
{
	char *csrf = NULL;
	char *tok = e2e_login_csrf("teacher", E2E_PW, &csrf);
	resp r = e2e_req_cookie("POST", "/api/v1/courses", tok, NULL, "{\"title\":\"无令牌\",\"category\":\"政治理论\"}");
	CHECK_STATUS(r, 403);
	resp_free(&r);
	r = e2e_req_cookie("POST", "/api/v1/courses", tok, csrf, "{\"title\":\"有令牌\",\"category\":\"政治理论\"}");
	CHECK_STATUS(r, 201);
	resp_free(&r);
	r = e2e_req_cookie("POST", "/api/v1/markdown/preview", tok, NULL, "{\"body_md\":\"x\"}");
	CHECK_STATUS(r, 403);
	resp_free(&r);
	free(tok);
	free(csrf);
}
