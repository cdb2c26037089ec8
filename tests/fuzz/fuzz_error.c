/* fuzz_error.c — libFuzzer target: the error path with arbitrary request text. reply_error quotes
 * text into its message (utf8_clean: valid UTF-8, bounded); log_clean makes text safe for a log line.
 * Invariants: the reply is always a JSON error object that parses, with the code given and a valid
 * UTF-8 message of bounded length; utf8_clean's output is valid UTF-8 within max + "…"; log_clean's
 * has no control bytes and is valid UTF-8 within max + one escape. */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = 0;
	size_t max = size ? data[0] : 0;

	buf b;
	buf_init(&b);
	utf8_clean(&b, s, max);
	if (b.len > max + 3 || !utf8_ok(b.p ? b.p : "", b.len))
		__builtin_trap();
	buf_free(&b);

	buf_init(&b);
	log_clean(&b, s, max);
	if (b.len > max + 4 || !utf8_ok(b.p ? b.p : "", b.len))
		__builtin_trap();
	for (size_t i = 0; i < b.len; i++)
		if ((unsigned char)b.p[i] <= 0x20 || b.p[i] == 0x7F)
			__builtin_trap();
	buf_free(&b);

	/* The request text as a method, a field name and the code (405, 422 and unknown-code paths). */
	for (int k = 0; k < 3; k++) {
		req r;
		memset(&r, 0, sizeof r);
		r.a = arena_new();
		r.fd = -1;
		r.method = s;
		r.url = "/api/v1/fuzz";
		const char *code = k == 2 ? "internal" : "invalid_field";
		if (k == 0)
			reply_error(&r, 405, code, "方法不允许（%s → GET）", s);
		else if (k == 1)
			reply_error(&r, 422, code, "%s：%s（%zu）", "字段", s, size);
		else
			reply_error(&r, 500, code, "%s%s%s", s, s, s);
		json_error_t e;
		json_t *j = r.out ? json_loadb(r.out, r.out_len, 0, &e) : NULL;
		json_t *err = j ? json_object_get(j, "error") : NULL;
		json_t *c = err ? json_object_get(err, "code") : NULL;
		json_t *m = err ? json_object_get(err, "message") : NULL;
		if (!r.done || !json_is_string(c) || strcmp(json_string_value(c), code) || !json_is_string(m) ||
		    json_string_length(m) > 2048 + 3 || !utf8_ok(json_string_value(m), json_string_length(m)))
			__builtin_trap();
		json_decref(j);
		reply_reset(&r);
		arena_free(r.a);
	}
	free(s);
	return 0;
}
