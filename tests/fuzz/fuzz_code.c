/* fuzz_code.c — libFuzzer target: verification-code parsing and name masking on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "classes/code.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = xstrndup((const char *)data, size);
	char out[CODE_LEN + 1], again[CODE_LEN + 1];
	code_err e = code_parse(s, out);
	if (e == CODE_OK) {
		/* The canonical form parses to itself and has a valid check symbol. */
		if (strlen(out) != CODE_LEN || code_parse(out, again) != CODE_OK || strcmp(out, again) != 0 ||
		    code_check_symbol(out, CODE_BODY) != out[CODE_BODY])
			__builtin_trap();
	} else if (out[0] != 0) {
		__builtin_trap();
	}
	char *m = mask_name(s);
	/* The mask is valid UTF-8 and never longer than the name (one '*' per masked character). */
	if (!utf8_ok(m, strlen(m)) || (strlen(m) > strlen(s) && strcmp(m, "*") != 0))
		__builtin_trap();
	free(m);
	free(s);
	return 0;
}
