/* i18n.c — loads the string catalog once at start; read-only afterwards, so threads share it. */
#include "i18n.h"
#include "util.h"

#include <jansson.h>
#include <stdio.h>

static json_t *g_cat;

int i18n_load(const char *web_root)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/i18n/zh-CN.json", web_root);
	json_error_t e;
	json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &e);
	if (!j || !json_is_object(j)) {
		fprintf(stderr, "dangxiao: cannot load string catalog %s: %s (line %d)\n", path, e.text, e.line);
		json_decref(j);
		return -1;
	}
	g_cat = j;
	return 0;
}

const char *tr(const char *key)
{
	json_t *v = g_cat ? json_object_get(g_cat, key) : NULL;
	return v && json_is_string(v) ? json_string_value(v) : key;
}
