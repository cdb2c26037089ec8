/* fuzz_vtt.c — libFuzzer target: WebVTT captions, as checked on upload (vtt_ok, courses/lectures.c)
 * and as rewritten for HLS (vtt_for_hls, transcoder/jobs.c). The input is handed over as exactly
 * its bytes (no NUL after them), as a length-bounded function must cope with.
 * Invariants: the rewrite is the input (BOM dropped) with, after its first line, a newline when it
 * had none and the X-TIMESTAMP-MAP line when its header had none; nothing else changes; accepted
 * captions are still a WebVTT file as served. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "courses/lectures.h"
#include "courses/captions.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *src = malloc(size ? size : 1);
	memcpy(src, data, size);
	int ok = vtt_ok(src, size);
	int64_t ts = size >= 2 ? (int64_t)data[0] * 90000 + data[1] : 900000;
	buf out;
	buf_init(&out);
	vtt_for_hls(&out, src, size, ts);

	const char *s = src;
	size_t n = size;
	if (n >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3))
		s += 3, n -= 3;
	const char *nl = memchr(s, '\n', n);
	size_t first = nl ? (size_t)(nl - s) + 1 : n;
	const char *o = out.p ? out.p : "";
	if (out.len < n + (nl ? 0 : 1) || memcmp(o, s, first))
		__builtin_trap();
	size_t at = first;
	if (!nl) {
		if (o[at] != '\n')
			__builtin_trap();
		at++;
	}
	size_t rest = n - first;
	if (out.len < at + rest)
		__builtin_trap();
	size_t extra = out.len - at - rest;
	if (extra) {
		/* the inserted map line */
		if (extra < 24 || memcmp(o + at, "X-TIMESTAMP-MAP=MPEGTS:", 23) || o[at + extra - 1] != '\n')
			__builtin_trap();
	}
	if (memcmp(o + at + extra, s + first, rest))
		__builtin_trap();
	if (ok && !vtt_ok(o, out.len))
		__builtin_trap();
	buf_free(&out);
	free(src);
	return 0;
}
