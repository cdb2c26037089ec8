/* upload.h — the pure parsers of tus request headers (courses/tus.c; tests/unit, tests/fuzz). */
#ifndef DX_UPLOAD_H
#define DX_UPLOAD_H
#include <stddef.h>
#include <stdint.h>

/* Upload-Length / Upload-Offset: decimal digits only (no sign, space or overflow) → 0 and *out;
   -1 for anything else (NULL, empty, garbage, beyond UINT64_MAX). */
int tus_uint(const char *s, uint64_t *out);
/* Upload-Metadata: "key base64,key base64"; copies the decoded value of key into out (outlen ≥ 1,
   NUL-terminated, at most outlen - 1 bytes) → 0; -1 when key is absent, its value is not base64 or
   does not fit. */
int tus_metadata_value(const char *meta, const char *key, char *out, size_t outlen);
#endif
