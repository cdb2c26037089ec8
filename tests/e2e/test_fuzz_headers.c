/* test_fuzz_headers.c — header parsers factored out for fuzzing (range_parse, tus_uint), seen
 * through the real server: what was accepted by strtoull's leniency is now ignored or refused. */
#include "e2e.h"

#include <stdlib.h>
#include <string.h>

E2E_TEST(range_header_strict_digits)
{
	resp r = e2e_req("GET", "/static/css/app.css", NULL, NULL, NULL);
	CHECK_STATUS(r, 200);
	size_t full = r.len;
	resp_free(&r);
	CHECK(full > 20, "app.css has %zu bytes", full);
	const char *ok[] = {"Range: bytes=0-9", NULL};
	r = e2e_req_h("GET", "/static/css/app.css", NULL, NULL, 0, NULL, ok);
	CHECK_STATUS(r, 206);
	CHECK(r.len == 10, "range length %zu", r.len);
	resp_free(&r);
	/* A sign or a space inside the numbers is not the Range grammar: the whole file, 200. */
	static const char *lenient[] = {"Range: bytes=+0-9", "Range: bytes=0-+9", "Range: bytes=0- 9",
					"Range: bytes=-+5", "Range: bytes=5--3"};
	for (size_t i = 0; i < sizeof lenient / sizeof *lenient; i++) {
		const char *h[] = {lenient[i], NULL};
		r = e2e_req_h("GET", "/static/css/app.css", NULL, NULL, 0, NULL, h);
		CHECK_STATUS(r, 200);
		CHECK(r.len == full, "%s: %zu bytes, want %zu", lenient[i], r.len, full);
		char *cr = resp_header(&r, "Content-Range");
		CHECK(!cr, "%s: Content-Range %s", lenient[i], cr ? cr : "");
		free(cr);
		resp_free(&r);
	}
	/* A first position beyond 64 bits is past the end: 416 with the size. */
	const char *huge[] = {"Range: bytes=99999999999999999999999-", NULL};
	r = e2e_req_h("GET", "/static/css/app.css", NULL, NULL, 0, NULL, huge);
	CHECK_STATUS(r, 416);
	char *cr = resp_header(&r, "Content-Range"), want[64];
	snprintf(want, sizeof want, "bytes */%zu", full);
	CHECK(cr && !strcmp(cr, want), "Content-Range %s want %s", cr ? cr : "", want);
	free(cr);
	resp_free(&r);
}

E2E_TEST(tus_length_not_a_number)
{
	char *t = e2e_login("teacher", E2E_PW);
	CHECK(t != NULL, "teacher logs in");
	if (!t)
		return;
	/* Beyond 64 bits was saturated by strtoull and answered 413; it is not a length: 400. */
	static const char *bad[] = {"Upload-Length: 99999999999999999999999", "Upload-Length: 18446744073709551616",
				    "Upload-Length: 0x10", "Upload-Length: -1"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		const char *h[] = {"Tus-Resumable: 1.0.0", bad[i], "Upload-Metadata: lecture_id MQ==", NULL};
		resp r = e2e_req_h("POST", "/api/v1/uploads", t, NULL, 0, NULL, h);
		CHECK_STATUS(r, 400);
		json_t *j = r.json ? json_object_get(r.json, "error") : NULL;
		CHECK(j && jstr(j, "code") && !strcmp(jstr(j, "code"), "bad_length"), "%s: %.200s", bad[i], r.body ? r.body : "");
		resp_free(&r);
	}
	free(t);
}
