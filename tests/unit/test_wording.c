/* The UI's one term per concept (issue 12): lecture 讲座 (never 讲次), completed 已完成 (never
 * 已学完), ready 就绪 (never 已就绪), not uploaded 未上传. Read from the one string catalog. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <string.h>

static void test_one_term_each(void **state)
{
	(void)state;
	json_error_t je;
	json_t *cat = json_load_file("web/i18n/zh-CN.json", JSON_REJECT_DUPLICATES, &je);
	assert_non_null(cat);
	static const char *const banned[] = {"讲次", "已学完", "已就绪", "尚未上传"};
	char bad[512] = "";
	const char *key;
	json_t *val;
	json_object_foreach(cat, key, val) {
		const char *s = json_string_value(val);
		for (size_t i = 0; s && !bad[0] && i < sizeof banned / sizeof banned[0]; i++)
			if (strstr(s, banned[i]))
				snprintf(bad, sizeof bad, "%s uses %s: %s", key, banned[i], s);
	}
	const char *ready = json_string_value(json_object_get(cat, "lec.status.ready"));
	const char *empty = json_string_value(json_object_get(cat, "lec.status.empty"));
	const char *done = json_string_value(json_object_get(cat, "course.completed"));
	int terms = ready && !strcmp(ready, "就绪") && empty && !strcmp(empty, "未上传") && done && !strcmp(done, "已完成");
	json_decref(cat);
	if (bad[0])
		fail_msg("%s", bad);
	assert_true(terms);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_term_each),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
