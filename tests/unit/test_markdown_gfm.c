/* test_markdown_gfm.c — cmocka tests of the GFM extensions of course Markdown: tables (wrapped in a
 * sideways-scrolling div), strikethrough and bare-URL autolinks, and that they keep the same safety. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "courses/markdown.h"

static char *render(const char *md)
{
	return md_render(md, strlen(md));
}

static int count(const char *h, const char *s)
{
	int n = 0;
	for (const char *p = h; (p = strstr(p, s)); p += strlen(s))
		n++;
	return n;
}

static void renders_tables(void **state)
{
	(void)state;
	char *h = render("学习安排：\n\n| 周次 | 内容 | 学时 |\n| :--- | :---: | ---: |\n| 第一周 | 党章 **精读** | 2 |\n"
			 "| 第二周 | 条例 | 1.5 |\n\n正文");
	assert_non_null(strstr(h, "<div class=\"md-table\"><table>"));
	assert_non_null(strstr(h, "</table></div>"));
	assert_int_equal(count(h, "<table>"), 1);
	assert_int_equal(count(h, "</table>"), 1);
	assert_non_null(strstr(h, "<thead>"));
	assert_non_null(strstr(h, "<th align=\"left\">周次</th>"));
	assert_non_null(strstr(h, "<th align=\"center\">内容</th>"));
	assert_non_null(strstr(h, "<th align=\"right\">学时</th>"));
	assert_non_null(strstr(h, "<td align=\"center\">党章 <strong>精读</strong></td>"));
	assert_non_null(strstr(h, "<td align=\"right\">1.5</td>"));
	assert_int_equal(count(h, "<tr>"), 3);
	assert_non_null(strstr(h, "<p>正文</p>"));
	/* The searchable text keeps the cells and drops the tags. */
	char *t = md_text(h);
	assert_non_null(strstr(t, "第一周"));
	assert_null(strchr(t, '<'));
	free(t);
	free(h);
	/* Two tables, two wrappers. */
	h = render("| a |\n|---|\n| 1 |\n\n段落\n\n| b |\n|---|\n| 2 |\n");
	assert_int_equal(count(h, "<div class=\"md-table\"><table>"), 2);
	assert_int_equal(count(h, "</table></div>"), 2);
	free(h);
	/* Not a table: no delimiter row. */
	h = render("a | b\nc | d\n");
	assert_null(strstr(h, "<table"));
	free(h);
}

static void tables_stay_safe(void **state)
{
	(void)state;
	/* Raw HTML in a cell is dropped, a literal "<table>" in text stays text, unsafe links lose the link. */
	char *h = render("| x | y |\n|---|---|\n| <script>alert(1)</script> | [点](javascript:alert(1)) |\n"
			 "| `<table>` | <img src=x onerror=alert(1)> |\n");
	assert_null(strstr(h, "<script"));
	assert_null(strstr(h, "javascript:"));
	assert_null(strstr(h, "onerror"));
	assert_null(strstr(h, "<img"));
	assert_non_null(strstr(h, "<code>&lt;table&gt;</code>"));
	assert_int_equal(count(h, "<table>"), 1);
	assert_int_equal(count(h, "<div"), 1);
	assert_non_null(strstr(h, "<td>点</td>"));
	free(h);
	/* Text that says <table> outside a code span is escaped too, and not wrapped. */
	h = render("&lt;table&gt; 与 \\<table>\n");
	assert_null(strstr(h, "<table"));
	assert_null(strstr(h, "<div"));
	free(h);
}

static void strikethrough_and_autolinks(void **state)
{
	(void)state;
	char *h = render("~~旧提法~~ 新提法");
	assert_non_null(strstr(h, "<del>旧提法</del>"));
	free(h);
	h = render("见 https://www.12371.cn/ 和 www.gov.cn 以及 javascript:alert(1) 与 dx@example.cn");
	assert_non_null(strstr(h, "<a href=\"https://www.12371.cn/\">https://www.12371.cn/</a>"));
	assert_non_null(strstr(h, "<a href=\"http://www.gov.cn\">www.gov.cn</a>"));
	assert_non_null(strstr(h, "<a href=\"mailto:dx@example.cn\">dx@example.cn</a>"));
	assert_null(strstr(h, "href=\"javascript"));
	free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(renders_tables),
		cmocka_unit_test(tables_stay_safe),
		cmocka_unit_test(strikethrough_and_autolinks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
