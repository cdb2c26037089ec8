/* fuzz_json.c — libFuzzer target: a JSON request body as the guard parses it (http_parse_json) and
 * the field validators body_str/body_int/body_num/body_bool on every field it has.
 * Invariants: a refused body has exactly one reply, a JSON error object with a code and a valid
 * UTF-8 message; an accepted body is an object; a validator that accepts a value returned it inside
 * its bounds; one that refuses replied 400/422 with the same error shape. */
#include <jansson.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "util.h"

static void check_error_reply(req *r)
{
	if (!r->done || !(r->status == 400 || r->status == 422) || !r->out)
		__builtin_trap();
	json_error_t e;
	json_t *j = json_loadb(r->out, r->out_len, 0, &e);
	json_t *err = j ? json_object_get(j, "error") : NULL;
	json_t *code = err ? json_object_get(err, "code") : NULL;
	json_t *msg = err ? json_object_get(err, "message") : NULL;
	if (!json_is_string(code) || !json_is_string(msg) ||
	    !utf8_ok(json_string_value(msg), json_string_length(msg)))
		__builtin_trap();
	json_decref(j);
	reply_reset(r);
}

/* Every validator on one key, with bounds taken from the input. */
static void validate(req *r, const char *key, unsigned sel)
{
	const char *s = NULL;
	int rc = body_str(r, key, sel & 1, 1 + (sel >> 1) % 40, &s);
	if (rc == 1 && (!s || !utf8_ok(s, strlen(s)) || utf8_chars(s) > 1 + (sel >> 1) % 40))
		__builtin_trap();
	if (rc < 0)
		check_error_reply(r);
	int64_t lo = -(int64_t)(sel % 1000), hi = (int64_t)(sel % 100000), iv = 0;
	rc = body_int(r, key, sel & 2, lo, hi, &iv);
	if (rc == 1 && (iv < lo || iv > hi))
		__builtin_trap();
	if (rc < 0)
		check_error_reply(r);
	double dv = 0;
	rc = body_num(r, key, sel & 4, -1.5, 1e6, &dv);
	if (rc == 1 && !(isfinite(dv) && dv >= -1.5 && dv <= 1e6))
		__builtin_trap();
	if (rc < 0)
		check_error_reply(r);
	int bv = 7;
	rc = body_bool(r, key, sel & 8, &bv);
	if (rc == 1 && bv != 0 && bv != 1)
		__builtin_trap();
	if (rc < 0)
		check_error_reply(r);
	if (r->done)
		__builtin_trap(); /* every refusal was checked and reset */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	req r;
	memset(&r, 0, sizeof r);
	r.a = arena_new();
	r.fd = -1;
	r.method = "POST";
	r.url = "/api/v1/fuzz";
	buf_init(&r.body);
	buf_add(&r.body, data, size);
	http_parse_json(&r);
	if (r.done) {
		if (r.json && json_is_object(r.json))
			__builtin_trap(); /* refused, yet an object */
		check_error_reply(&r);
	} else {
		if (!json_is_object(r.json))
			__builtin_trap();
		const char *key;
		json_t *v;
		unsigned sel = (unsigned)size * 2654435761u;
		json_object_foreach(r.json, key, v) {
			validate(&r, key, sel);
			sel = sel * 1103515245u + 12345u;
		}
		validate(&r, "absent-key", sel | 15); /* required and missing: four refusals */
	}
	json_decref(r.json);
	buf_free(&r.body);
	reply_reset(&r);
	arena_free(r.a);
	return 0;
}
