/* fuzz_range.c — libFuzzer target: the Range header parser (range_parse in server/reply.c).
 * Input: 8 bytes of representation size (little-endian; small sizes are made common), then the header.
 * Invariants: an accepted range lies inside the file and is not empty; a header that is not one
 * "bytes=" range is ignored; the answer agrees with a plain re-derivation from the RFC 9110 grammar. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

/* The reference: strict digits, saturating, the same rules written another way. */
static int digits(const char *s, const char *end, uint64_t *v)
{
	if (s == end)
		return 0;
	unsigned __int128 x = 0;
	for (; s < end; s++) {
		if (*s < '0' || *s > '9')
			return 0;
		x = x * 10 + (unsigned)(*s - '0');
		if (x > UINT64_MAX)
			x = (unsigned __int128)UINT64_MAX + 1;
	}
	*v = x > UINT64_MAX ? UINT64_MAX : (uint64_t)x;
	return 1;
}

static int reference(const char *h, uint64_t size, uint64_t *off, uint64_t *len)
{
	if (strncmp(h, "bytes=", 6) || strchr(h, ','))
		return RANGE_IGNORE;
	const char *s = h + 6, *dash = strchr(s, '-'), *end = s + strlen(s);
	if (!dash)
		return RANGE_IGNORE;
	uint64_t a, b;
	if (dash == s) {
		if (!digits(s + 1, end, &b) || b == 0)
			return RANGE_IGNORE;
		if (size == 0)
			return RANGE_UNSATISFIABLE;
		*off = b >= size ? 0 : size - b;
		*len = size - *off;
		return RANGE_OK;
	}
	if (!digits(s, dash, &a))
		return RANGE_IGNORE;
	if (dash + 1 == end)
		b = UINT64_MAX;
	else if (!digits(dash + 1, end, &b))
		return RANGE_IGNORE;
	if (a >= size || a > b)
		return RANGE_UNSATISFIABLE;
	if (b >= size)
		b = size - 1;
	*off = a;
	*len = b - a + 1;
	return RANGE_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 8)
		return 0;
	uint64_t fsize;
	memcpy(&fsize, data, 8);
	if (data[7] < 0xF0)
		fsize %= 100000; /* mostly small files, sometimes huge ones */
	char *h = malloc(size - 8 + 1);
	memcpy(h, data + 8, size - 8);
	h[size - 8] = 0;
	uint64_t off = 77, len = 77, roff = 0, rlen = 0;
	int rc = range_parse(h, fsize, &off, &len);
	int want = reference(h, fsize, &roff, &rlen);
	if (rc != want)
		__builtin_trap();
	if (rc == RANGE_OK && (len == 0 || off >= fsize || len > fsize - off || off != roff || len != rlen))
		__builtin_trap();
	if (rc != RANGE_OK && (off != 77 || len != 77))
		__builtin_trap(); /* untouched unless accepted */
	if (range_parse(NULL, fsize, &off, &len) != RANGE_IGNORE)
		__builtin_trap();
	free(h);
	return 0;
}
