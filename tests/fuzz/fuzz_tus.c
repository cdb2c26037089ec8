/* fuzz_tus.c — libFuzzer target: the tus request headers (courses/tus.c): Upload-Length and
 * Upload-Offset (tus_uint) and Upload-Metadata (tus_metadata_value).
 * Input: one byte of output size, then the header text.
 * Invariants: a number is accepted exactly when the text is 1+ digits within uint64 and prints back
 * to itself (leading zeros aside); a decoded value fits the buffer and NUL-terminates it; a value
 * encoded with base64 (padded or not) under a key is decoded back to itself. */
#include <sodium.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "courses/upload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t outlen = 1 + data[0] % 64;
	char *s = malloc(size);
	memcpy(s, data + 1, size - 1);
	s[size - 1] = 0;

	uint64_t v = 12345;
	int rc = tus_uint(s, &v);
	const char *d = s;
	while (*d == '0' && d[1])
		d++;
	char back[32];
	snprintf(back, sizeof back, "%llu", (unsigned long long)v);
	int digits = *s && strspn(s, "0123456789") == strlen(s);
	if (rc == 0 && (!digits || strcmp(back, d)))
		__builtin_trap();
	if (rc < 0 && digits && strlen(d) < 20)
		__builtin_trap(); /* fewer than 20 digits always fit */
	if (rc < 0 && v != 12345)
		__builtin_trap();

	char *out = malloc(outlen);
	memset(out, 'x', outlen);
	static const char *keys[] = {"lecture_id", "filename", "", " ", "a"};
	for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) {
		if (tus_metadata_value(s, keys[k], out, outlen) == 0 && strnlen(out, outlen) >= outlen)
			__builtin_trap();
	}

	/* Round trip: the input's bytes (up to the first NUL, at most outlen - 1) as a value. */
	size_t vl = strnlen(s, outlen - 1);
	size_t b64max = sodium_base64_ENCODED_LEN(vl, sodium_base64_VARIANT_ORIGINAL);
	char *b64 = malloc(b64max), *meta = malloc(b64max + 64);
	for (int variant = 0; variant < 2; variant++) {
		sodium_bin2base64(b64, b64max, (const unsigned char *)s, vl,
				  variant ? sodium_base64_VARIANT_ORIGINAL_NO_PADDING : sodium_base64_VARIANT_ORIGINAL);
		snprintf(meta, b64max + 64, "filename Zm9v,lecture_id %s, other", b64);
		if (vl == 0)
			continue; /* "lecture_id " with an empty value is not a pair */
		if (tus_metadata_value(meta, "lecture_id", out, outlen) != 0 || memcmp(out, s, vl) || out[vl])
			__builtin_trap();
	}
	free(b64);
	free(meta);
	free(out);
	free(s);
	return 0;
}
