/* test_attach.c — course attachments (PDF 课件): upload, list, download with the original name
 * (RFC 5987 for Chinese), delete, and the refusals: another instructor 403, a non-PDF 422, a member
 * of a course they cannot see 404, too large 413. Also GFM tables through the API and on the page. */
#include "e2e.h"

static long long att_course(const char *tok, const char *title)
{
	char body[256];
	snprintf(body, sizeof body, "{\"title\":\"%s\",\"category\":\"综合素养\",\"credit_hours\":1}", title);
	resp r = e2e_req("POST", "/api/v1/courses", tok, body, NULL);
	CHECK_STATUS(r, 201);
	long long id = jint(r.json, "id");
	resp_free(&r);
	return id;
}

static const char PDF[] = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

static resp att_upload(const char *tok, long long course, const char *name_q, const char *data, size_t len)
{
	char path[512];
	snprintf(path, sizeof path, "/api/v1/courses/%lld/attachments%s%s", course, name_q ? "?name=" : "",
		 name_q ? name_q : "");
	return e2e_req_h("POST", path, tok, data, len, "application/pdf", NULL);
}

static char *second_instructor(void)
{
	char *adm = e2e_login("admin", E2E_PW);
	resp r = e2e_req("GET", "/api/v1/orgs", adm, NULL, NULL);
	long long org = jint(json_array_get(json_object_get(r.json, "orgs"), 0), "id");
	resp_free(&r);
	char body[256];
	snprintf(body, sizeof body,
		 "{\"username\":\"attach_t2\",\"name\":\"课件老师\",\"password\":\"" E2E_PW "\",\"role\":\"instructor\","
		 "\"org_id\":%lld}",
		 org);
	r = e2e_req("POST", "/api/v1/users", adm, body, NULL);
	CHECK(r.status == 201 || r.status == 409, "attach_t2: %ld %s", r.status, r.body ? r.body : "");
	resp_free(&r);
	free(adm);
	return e2e_login("attach_t2", E2E_PW);
}

static long long count_rows(long long course)
{
	return (long long)e2e_sql("SELECT count(*) FROM course_attachments WHERE course_id = %lld", course);
}

static long long count_files(void)
{
	char *s = e2e_sh_out("ls -A '%s/attachments' 2>/dev/null | wc -l", e2e_data);
	long long n = atoll(s);
	free(s);
	return n;
}

E2E_TEST(attach_upload_list_download_delete)
{
	char *t = e2e_login("teacher", E2E_PW), *m = e2e_login("zhangsan", E2E_PW);
	long long c = att_course(t, "课件测试课");
	/* "第一讲 党章.pdf" as the browser sends it (a fake path in front, percent-encoded). */
	resp r = att_upload(t, c, "C%3A%5Cfakepath%5C%E7%AC%AC%E4%B8%80%E8%AE%B2%20%E5%85%9A%E7%AB%A0.pdf", PDF,
			    sizeof PDF - 1);
	CHECK_STATUS(r, 201);
	long long a = jint(r.json, "id");
	CHECK(jstr(r.json, "name") && !strcmp(jstr(r.json, "name"), "第一讲 党章.pdf"), "name %s", jstr(r.json, "name"));
	CHECK(jint(r.json, "size") == (long long)(sizeof PDF - 1), "size %lld", jint(r.json, "size"));
	char url[128];
	snprintf(url, sizeof url, "/courses/%lld/attachments/%lld", c, a);
	CHECK(jstr(r.json, "url") && !strcmp(jstr(r.json, "url"), url), "url %s", jstr(r.json, "url"));
	resp_free(&r);
	CHECK(e2e_sql("SELECT count(*) FROM audit_log WHERE action = 'attachment.create' AND target_id = %lld", c) == 1,
	      "upload audited");

	/* A name without .pdf gets it; quotes and control characters go; an empty name is 课件.pdf. */
	r = att_upload(t, c, "%22a%22%0Db%3Cc%3E", PDF, sizeof PDF - 1);
	CHECK_STATUS(r, 201);
	CHECK(jstr(r.json, "name") && !strcmp(jstr(r.json, "name"), "abc.pdf"), "name %s", jstr(r.json, "name"));
	long long a2 = jint(r.json, "id");
	resp_free(&r);
	r = att_upload(t, c, NULL, PDF, sizeof PDF - 1);
	CHECK_STATUS(r, 201);
	CHECK(jstr(r.json, "name") && !strcmp(jstr(r.json, "name"), "课件.pdf"), "name %s", jstr(r.json, "name"));
	long long a3 = jint(r.json, "id");
	resp_free(&r);

	/* The list, in upload order. */
	char path[128];
	snprintf(path, sizeof path, "/api/v1/courses/%lld/attachments", c);
	r = e2e_req("GET", path, t, NULL, NULL);
	CHECK_STATUS(r, 200);
	json_t *arr = json_object_get(r.json, "attachments");
	CHECK(json_array_size(arr) == 3, "%zu attachments", json_array_size(arr));
	CHECK(jint(json_array_get(arr, 0), "id") == a && jint(json_array_get(arr, 2), "id") == a3, "order");
	resp_free(&r);

	/* A draft is unknown to members: list and download are 404, and the page does not list it. */
	r = e2e_req("GET", path, m, NULL, NULL);
	CHECK_STATUS(r, 404);
	resp_free(&r);
	r = e2e_req("GET", url, m, NULL, NULL);
	CHECK_STATUS(r, 404);
	resp_free(&r);

	/* Published: a member downloads it, the name kept (RFC 5987 and an ASCII fallback). */
	r = e2e_publish(t, c);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	r = e2e_req("GET", url, m, NULL, NULL);
	CHECK_STATUS(r, 200);
	CHECK(r.len == sizeof PDF - 1 && r.body && !memcmp(r.body, PDF, r.len), "the same bytes (%zu)", r.len);
	char *ct = resp_header(&r, "Content-Type"), *cd = resp_header(&r, "Content-Disposition");
	CHECK(ct && !strncmp(ct, "application/pdf", 15), "Content-Type %s", ct ? ct : "(none)");
	CHECK(cd && strstr(cd, "attachment; filename=\"") &&
		      strstr(cd, "filename*=UTF-8''%E7%AC%AC%E4%B8%80%E8%AE%B2%20%E5%85%9A%E7%AB%A0.pdf"),
	      "Content-Disposition %s", cd ? cd : "(none)");
	CHECK(cd && !strchr(strchr(cd, '"') + 1, 0xE7), "fallback is ASCII: %s", cd ? cd : "");
	free(ct);
	free(cd);
	resp_free(&r);
	r = e2e_req("GET", path, m, NULL, NULL);
	CHECK_STATUS(r, 200);
	CHECK(json_array_size(json_object_get(r.json, "attachments")) == 3, "the member sees 3");
	resp_free(&r);
	/* The course page lists them under 课件下载. */
	snprintf(path, sizeof path, "/courses/%lld", c);
	r = e2e_req("GET", path, m, NULL, NULL);
	CHECK_STATUS(r, 200);
	CHECK(r.body && strstr(r.body, "课件下载") && strstr(r.body, url) && strstr(r.body, "第一讲 党章.pdf"),
	      "page lists the attachments");
	resp_free(&r);
	/* The editor lists them with delete buttons. */
	snprintf(path, sizeof path, "/teach/courses/%lld", c);
	r = e2e_req("GET", path, t, NULL, NULL);
	CHECK_STATUS(r, 200);
	CHECK(r.body && strstr(r.body, "id=\"attach-file\"") && strstr(r.body, "attach-del"), "editor card");
	resp_free(&r);

	/* An attachment of another course under this course's path: 404. */
	long long other = att_course(t, "另一门课件课");
	char wrong[128];
	snprintf(wrong, sizeof wrong, "/courses/%lld/attachments/%lld", other, a);
	r = e2e_req("GET", wrong, t, NULL, NULL);
	CHECK_STATUS(r, 404);
	resp_free(&r);

	/* Delete: 204, then 404; the file is gone; the others stay. */
	long long files = count_files();
	snprintf(path, sizeof path, "/api/v1/courses/%lld/attachments/%lld", c, a2);
	r = e2e_req("DELETE", path, t, NULL, NULL);
	CHECK_STATUS(r, 204);
	resp_free(&r);
	r = e2e_req("DELETE", path, t, NULL, NULL);
	CHECK_STATUS(r, 404);
	resp_free(&r);
	CHECK(count_files() == files - 1, "file removed (%lld → %lld)", files, count_files());
	CHECK(count_rows(c) == 2, "%lld rows", count_rows(c));
	snprintf(wrong, sizeof wrong, "/courses/%lld/attachments/%lld", c, a2);
	r = e2e_req("GET", wrong, m, NULL, NULL);
	CHECK_STATUS(r, 404);
	resp_free(&r);
	r = e2e_req("GET", url, m, NULL, NULL);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	CHECK(e2e_sql("SELECT count(*) FROM audit_log WHERE action = 'attachment.delete' AND target_id = %lld", c) == 1,
	      "delete audited");
	free(t);
	free(m);
}

E2E_TEST(attach_refusals_change_nothing)
{
	char *t = e2e_login("teacher", E2E_PW), *m = e2e_login("zhangsan", E2E_PW);
	char *t2 = second_instructor();
	long long c = att_course(t, "课件拒绝测试");
	resp r = att_upload(t, c, "a.pdf", PDF, sizeof PDF - 1);
	CHECK_STATUS(r, 201);
	long long a = jint(r.json, "id");
	resp_free(&r);
	r = e2e_publish(t, c);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	long long files = count_files();

	/* Another instructor: 403 on upload and delete of a published course (may see, may not change). */
	r = att_upload(t2, c, "x.pdf", PDF, sizeof PDF - 1);
	CHECK_STATUS(r, 403);
	resp_free(&r);
	char path[128];
	snprintf(path, sizeof path, "/api/v1/courses/%lld/attachments/%lld", c, a);
	r = e2e_req("DELETE", path, t2, NULL, NULL);
	CHECK_STATUS(r, 403);
	resp_free(&r);
	/* A member may not upload or delete. */
	r = att_upload(m, c, "x.pdf", PDF, sizeof PDF - 1);
	CHECK_STATUS(r, 403);
	resp_free(&r);
	r = e2e_req("DELETE", path, m, NULL, NULL);
	CHECK_STATUS(r, 403);
	resp_free(&r);

	/* Not a PDF (a PNG named .pdf, text, empty): 422 not_pdf. */
	static const char png[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
	r = att_upload(t, c, "fake.pdf", png, sizeof png - 1);
	CHECK_STATUS(r, 422);
	CHECK(r.json && jstr(json_object_get(r.json, "error"), "code") &&
		      !strcmp(jstr(json_object_get(r.json, "error"), "code"), "not_pdf"),
	      "code: %s", r.body ? r.body : "");
	resp_free(&r);
	r = att_upload(t, c, "a.pdf", "hello %PDF-", 11);
	CHECK_STATUS(r, 422);
	resp_free(&r);
	r = att_upload(t, c, "a.pdf", "", 0);
	CHECK_STATUS(r, 422);
	resp_free(&r);
	/* A name that is not UTF-8: 422. */
	r = att_upload(t, c, "%FF%FE.pdf", PDF, sizeof PDF - 1);
	CHECK_STATUS(r, 422);
	resp_free(&r);
	/* Over attach_max (50 MiB): 413 before the body is read. */
	size_t big = (50u << 20) + 1;
	char *blob = malloc(big);
	memset(blob, ' ', big);
	memcpy(blob, "%PDF-1.4\n", 9);
	e2e_transport_failure_ok = 1; /* the server may answer before the client finished sending */
	r = att_upload(t, c, "big.pdf", blob, big);
	CHECK(r.status == 413 || r.status == -1, "big: %ld", r.status);
	resp_free(&r);
	free(blob);
	CHECK(count_rows(c) == 1, "%lld rows after the refusals", count_rows(c));
	CHECK(count_files() == files, "files %lld → %lld (no temporary file left)", files, count_files());

	/* A draft of another instructor: unknown (404) to members and other instructors, for every route. */
	long long d = att_course(t2, "他人的课件草稿");
	r = att_upload(t2, d, "d.pdf", PDF, sizeof PDF - 1);
	CHECK_STATUS(r, 201);
	long long da = jint(r.json, "id");
	resp_free(&r);
	char url[128];
	snprintf(url, sizeof url, "/courses/%lld/attachments/%lld", d, da);
	snprintf(path, sizeof path, "/api/v1/courses/%lld/attachments", d);
	const char *toks[] = {m, t};
	for (int i = 0; i < 2; i++) {
		r = e2e_req("GET", url, toks[i], NULL, NULL);
		CHECK_STATUS(r, 404);
		resp_free(&r);
		r = e2e_req("GET", path, toks[i], NULL, NULL);
		CHECK_STATUS(r, 404);
		resp_free(&r);
	}
	r = att_upload(t, d, "x.pdf", PDF, sizeof PDF - 1);
	CHECK_STATUS(r, 404);
	resp_free(&r);
	/* Anonymous: 401. */
	r = e2e_req("GET", url, NULL, NULL, NULL);
	CHECK_STATUS(r, 401);
	resp_free(&r);
	/* The admin may see and download it. */
	char *adm = e2e_login("admin", E2E_PW);
	r = e2e_req("GET", url, adm, NULL, NULL);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	CHECK(count_rows(d) == 1, "draft rows %lld", count_rows(d));
	free(adm);
	free(t);
	free(t2);
	free(m);
}

/* GFM tables come out of the API as a wrapped <table>, on the course page too; raw HTML in a cell is
   still dropped. */
E2E_TEST(attach_markdown_tables)
{
	char *t = e2e_login("teacher", E2E_PW);
	long long c = att_course(t, "表格测试课");
	char path[96];
	snprintf(path, sizeof path, "/api/v1/courses/%lld", c);
	resp r = e2e_req("PATCH", path, t,
			 "{\"body_md\":\"| 周次 | 内容 |\\n| --- | :---: |\\n| 一 | 党章<script>x</script> |\\n\\n~~旧~~\"}",
			 NULL);
	CHECK_STATUS(r, 200);
	const char *h = jstr(r.json, "body_html");
	CHECK(h && strstr(h, "<div class=\"md-table\"><table>") && strstr(h, "<th>周次</th>") &&
		      strstr(h, "<td align=\"center\">党章x</td>") && strstr(h, "<del>旧</del>") && !strstr(h, "<script"),
	      "body_html %s", h ? h : "(null)");
	resp_free(&r);
	r = e2e_req("GET", path + 7, t, NULL, NULL);
	CHECK_STATUS(r, 200);
	CHECK(r.body && strstr(r.body, "<div class=\"md-table\"><table>"), "page has the table");
	resp_free(&r);
	free(t);
}
