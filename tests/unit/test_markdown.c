/* test_markdown.c — cmocka tests of the course helpers: safe Markdown rendering, URL allow-list,
 * image type sniffing, category list, organisation chains, the searchable text of a page. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "courses/courses.h"
#include "courses/markdown.h"
#include "util.h"

static char *render(const char *md)
{
	return md_render(md, strlen(md));
}

static void renders_markdown(void **state)
{
	(void)state;
	char *h = render("## 标题\n\n- 一\n- 二\n\n1. 甲\n\n> 引用\n\n**粗** *斜* `码`\n\n[链接](https://www.12371.cn/) ![图](/images/3)");
	assert_non_null(strstr(h, "<h2>标题</h2>"));
	assert_non_null(strstr(h, "<ul>\n<li>一</li>"));
	assert_non_null(strstr(h, "<ol>\n<li>甲</li>"));
	assert_non_null(strstr(h, "<blockquote>"));
	assert_non_null(strstr(h, "<strong>粗</strong>"));
	assert_non_null(strstr(h, "<code>码</code>"));
	assert_non_null(strstr(h, "<a href=\"https://www.12371.cn/\">链接</a>"));
	assert_non_null(strstr(h, "<img src=\"/images/3\" alt=\"图\" />"));
	free(h);
	h = md_render(NULL, 0);
	assert_string_equal(h, "");
	free(h);
}

/* The text a reader sees (what the catalog indexes): no tags, no raw HTML or comments, no URLs,
   entities decoded, a line per block. */
static void text_of_rendered_page(void **state)
{
	(void)state;
	const char *md = "## 标题\n\n正文<span>行内</span>结束 &amp; &copy; &#x4E2D;\n\n<div>隐藏块</div>\n\n"
			 "<!-- 注释 -->\n\n[链接字](javascript:alert(1)) [好链接](https://x.cn/a?b=1&c=2)\n\n"
			 "![图的说明](/images/3)\n\n- 一\n- 二\n\n`<code>`";
	char *h = render(md);
	char *t = md_text(h);
	assert_non_null(strstr(t, "标题\n"));
	assert_non_null(strstr(t, "正文行内结束 & © 中"));
	assert_null(strstr(t, "隐藏块"));
	assert_null(strstr(t, "注释"));
	assert_null(strstr(t, "span"));
	assert_null(strstr(t, "javascript"));
	assert_null(strstr(t, "x.cn"));
	assert_null(strstr(t, "images"));
	assert_non_null(strstr(t, "链接字 好链接"));
	assert_non_null(strstr(t, "一\n二"));
	assert_non_null(strstr(t, "<code>")); /* text that reads "<code>" is text */
	free(t);
	free(h);
	t = md_text("");
	assert_string_equal(t, "");
	free(t);
	t = md_text("a&#0;b&#xD800;c&#99999999;d&bogus;e");
	assert_string_equal(t, "abcd&bogus;e");
	free(t);
}

static void drops_raw_html(void **state)
{
	(void)state;
	const char *in[] = {"<script>alert(1)</script>", "x <img src=x onerror=alert(1)> y", "<div onclick=\"a()\">d</div>",
			    "<iframe src=\"javascript:alert(1)\"></iframe>", "<style>*{}</style>", "<!-- c -->"};
	for (size_t i = 0; i < ARRAY_LEN(in); i++) {
		char *h = render(in[i]);
		assert_null(strstr(h, "<script"));
		assert_null(strstr(h, "<img"));
		assert_null(strstr(h, "<div"));
		assert_null(strstr(h, "<iframe"));
		assert_null(strstr(h, "<style"));
		assert_null(strstr(h, "<!--")); /* not even cmark's "raw HTML omitted" comment */
		assert_null(strstr(h, "onerror"));
		free(h);
	}
	char *h = render("x <img src=x onerror=alert(1)> y");
	assert_string_equal(h, "<p>x  y</p>\n");
	free(h);
}

static void drops_unsafe_links_keeps_text(void **state)
{
	(void)state;
	char *h = render("[点我](javascript:alert(1))");
	assert_string_equal(h, "<p>点我</p>\n");
	free(h);
	h = render("前 <javascript:alert(1)> 后"); /* an autolink is its URL: gone entirely */
	assert_null(strstr(h, "javascript"));
	assert_non_null(strstr(h, "前"));
	free(h);
	h = render("[a](data:text/html,x) ![b](data:image/png;base64,iVBO) [c](vbscript:x) [d](JAVA&#83;CRIPT:x)");
	assert_null(strstr(h, "href"));
	assert_null(strstr(h, "<img"));
	assert_null(strstr(h, "data:"));
	assert_non_null(strstr(h, "a"));
	free(h);
	h = render("[ref]: javascript:alert(1)\n\n[点][ref]");
	assert_string_equal(h, "<p>点</p>\n");
	free(h);
	h = render("[![图](javascript:x)](javascript:y)"); /* nested: both go */
	assert_null(strstr(h, "<a"));
	assert_null(strstr(h, "<img"));
	free(h);
	h = render("[空]() ![空]()");
	assert_string_equal(h, "<p>空 </p>\n");
	free(h);
	h = render("[m](mailto:a@b.cn) ![m](mailto:a@b.cn)");
	assert_non_null(strstr(h, "href=\"mailto:a@b.cn\""));
	assert_null(strstr(h, "<img"));
	free(h);
}

static void url_allow_list(void **state)
{
	(void)state;
	const char *ok[] = {"https://a.cn/x", "HTTP://a", "/images/1", "#top", "?q=1", "relative/path", "a/b:c",
			    "mailto:x@y.cn", "//cdn.example.com/x"};
	for (size_t i = 0; i < ARRAY_LEN(ok); i++)
		assert_true(md_url_safe(ok[i], 0));
	const char *bad[] = {"javascript:alert(1)", "JavaScript:x", "vbscript:x", "data:text/html,x",
			     "data:image/png;base64,x", "file:///etc/passwd", "java\tscript:x", "java\nscript:x",
			     "\\\\evil/x", "ftp://x", ":x", "x:y", "", NULL};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++)
		assert_false(md_url_safe(bad[i], 0));
	assert_false(md_url_safe("mailto:x@y.cn", 1));
	assert_true(md_url_safe("/images/2", 1));
}

static void sniffs_images_by_bytes(void **state)
{
	(void)state;
	assert_string_equal(image_sniff("\x89PNG\r\n\x1a\n\0\0", 10), "image/png");
	assert_string_equal(image_sniff("\xff\xd8\xff\xe0", 4), "image/jpeg");
	assert_string_equal(image_sniff("RIFF\0\0\0\0WEBPVP8 ", 16), "image/webp");
	assert_null(image_sniff("\x89PNG\r\n\x1a", 7)); /* truncated */
	assert_null(image_sniff("RIFF\0\0\0\0WAVE", 12));
	assert_null(image_sniff("GIF89a", 6));
	assert_null(image_sniff("<svg onload=x>", 14));
	assert_null(image_sniff("", 0));
	assert_string_equal(image_ext("image/png"), "png");
	assert_string_equal(image_ext("image/jpeg"), "jpg");
	assert_string_equal(image_ext("image/webp"), "webp");
}

static void categories_from_setting(void **state)
{
	(void)state;
	assert_true(category_ok("政治理论"));
	assert_true(category_ok("综合素养"));
	assert_false(category_ok("政治"));
	assert_false(category_ok(""));
	assert_int_equal(config_set("categories", "甲,乙"), 0);
	assert_true(category_ok("乙"));
	assert_false(category_ok("政治理论"));
	char c[64];
	assert_true(category_at(1, c, sizeof c));
	assert_string_equal(c, "乙");
	assert_false(category_at(2, c, sizeof c));
}

static void org_chains(void **state)
{
	(void)state;
	arena *a = arena_new();
	assert_string_equal(org_chain_json(a, "/1/5/12/"), "[1,5,12]");
	assert_string_equal(org_chain_json(a, "/7/"), "[7]");
	assert_string_equal(org_chain_json(a, ""), "[]");
	assert_string_equal(org_chain_json(a, NULL), "[]");
	arena_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(renders_markdown),      cmocka_unit_test(drops_raw_html),
		cmocka_unit_test(drops_unsafe_links_keeps_text), cmocka_unit_test(url_allow_list),
		cmocka_unit_test(sniffs_images_by_bytes), cmocka_unit_test(categories_from_setting),
		cmocka_unit_test(org_chains), cmocka_unit_test(text_of_rendered_page),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
