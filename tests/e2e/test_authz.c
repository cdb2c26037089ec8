/* test_authz.c — the authorisation matrix (server/authz.tsv): every route × every role, for ids
 * that do not exist and for resources that exist but are someone else's (fixtures made here). */
#include "e2e.h"

#include <stdarg.h>

static const char *roles[] = {NULL, "zhangsan", "teacher", "assessor", "admin"};
static const unsigned role_bits[] = {0, 1, 2, 4, 8};

/* ---- fixtures: {name} in a row's path is replaced by the id made here ---- */

static struct {
	const char *name;
	char value[80];
} fx[] = {
	{"{other_course}", ""},           /* another instructor's published course … */
	{"{other_lecture}", ""},          /* … and its lecture (ready, without media files) … */
	{"{other_spare_lecture}", ""},    /* … a second one, ready, that the DELETE row removes … */
	{"{other_draft}", ""},            /* another instructor's draft course … */
	{"{other_draft_lecture}", ""},    /* … its lecture */
	{"{other_image}", ""},            /* … and an image of it */
	{"{other_upload}", ""},           /* another instructor's tus upload */
	{"{other_org}", ""},              /* an organisation outside the instructor's, assessor's and member's */
	{"{other_member}", ""},           /* a member of that organisation (wangwu) */
	{"{other_quiz}", ""},             /* the exam of {other_course} … */
	{"{other_question}", ""},         /* … a question of its bank … */
	{"{other_retired_question}", ""}, /* … one retired after an attempt drew it … */
	{"{other_attempt}", ""},          /* … and that attempt, another member's (lisi) */
	{"{other_draft_quiz}", ""},       /* the exam of {other_draft} */
	{"{other_class}", ""},         /* a topic class assigned to that organisation only */
	{"{other_session}", ""},       /* the id of a live session of another user (authz_t2) */
	{"{other_certificate}", ""},   /* another member's certificate (lisi's yearly hours certificate) */
	{"{other_spare_course}", ""},  /* another instructor's published course that the archive row archives */
	{"{other_attachment}", ""},    /* a PDF attachment of {other_draft} (the DELETE row removes it) */
};
#define NFX (sizeof fx / sizeof fx[0])

static void fx_set(const char *name, const char *f, ...) __attribute__((format(printf, 2, 3)));
static void fx_set(const char *name, const char *f, ...)
{
	for (size_t i = 0; i < NFX; i++)
		if (!strcmp(fx[i].name, name)) {
			va_list ap;
			va_start(ap, f);
			vsnprintf(fx[i].value, sizeof fx[i].value, f, ap);
			va_end(ap);
		}
}

static long long post_id(const char *path, const char *tok, const char *body)
{
	resp r = e2e_req("POST", path, tok, body, NULL);
	CHECK(r.status == 201, "POST %s: %ld %.200s", path, r.status, r.body ? r.body : "");
	long long id = jint(r.json, "id");
	resp_free(&r);
	return id;
}

static void b64(const char *in, char *out)
{
	static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t n = strlen(in), o = 0;
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned char)in[i] << 16 | (i + 1 < n ? (unsigned char)in[i + 1] << 8 : 0) |
			     (i + 2 < n ? (unsigned char)in[i + 2] : 0);
		out[o++] = t[v >> 18 & 63];
		out[o++] = t[v >> 12 & 63];
		out[o++] = i + 1 < n ? t[v >> 6 & 63] : '=';
		out[o++] = i + 2 < n ? t[v & 63] : '=';
	}
	out[o] = 0;
}

/* The exam of authz_t2's published course c: a question that lisi's attempt drew and authz_t2
   then deleted (so it is retired), an active question, the quiz and lisi's attempt. */
static void make_quiz_fixtures(const char *t2, long long c)
{
	char path[128];
	snprintf(path, sizeof path, "/api/v1/courses/%lld/questions", c);
	long long q1 = post_id(path, t2,
			       "{\"type\":\"truefalse\",\"stem\":\"授权矩阵的判断题\",\"answer\":[0],\"explanation\":\"矩阵\"}");
	snprintf(path, sizeof path, "/api/v1/courses/%lld/quiz", c);
	resp r = e2e_req("PUT", path, t2, "{\"num_questions\":1,\"max_attempts\":0}", NULL);
	CHECK_STATUS(r, 200);
	fx_set("{other_quiz}", "%lld", jint(r.json, "id"));
	long long quiz = jint(r.json, "id");
	resp_free(&r);
	char *l = e2e_login("lisi", E2E_PW);
	snprintf(path, sizeof path, "/api/v1/courses/%lld/enroll", c);
	r = e2e_req("POST", path, l, NULL, NULL);
	resp_free(&r);
	snprintf(path, sizeof path, "/api/v1/quizzes/%lld/attempts", quiz);
	r = e2e_req("POST", path, l, NULL, NULL);
	CHECK_STATUS(r, 201);
	fx_set("{other_attempt}", "%lld", jint(r.json, "attempt_id"));
	resp_free(&r);
	free(l);
	snprintf(path, sizeof path, "/api/v1/questions/%lld", q1);
	r = e2e_req("DELETE", path, t2, NULL, NULL);
	CHECK(r.status == 200 && strstr(r.body, "\"retired\":true"), "retire: %ld %s", r.status, r.body);
	resp_free(&r);
	fx_set("{other_retired_question}", "%lld", q1);
	snprintf(path, sizeof path, "/api/v1/courses/%lld/questions", c);
	fx_set("{other_question}", "%lld",
	       post_id(path, t2,
		       "{\"type\":\"single\",\"stem\":\"授权矩阵的单选题\",\"options\":[\"甲\",\"乙\"],\"answer\":[1]}"));
}

/* A second instructor with a published course and lecture, a draft with a lecture and an image,
   and a tus upload; another organisation. 0 when all were made. */
static int make_fixtures(void)
{
	char *adm = e2e_login("admin", E2E_PW);
	char body[512], path[128];
	long long org = 0, other_org = 0;
	resp r = e2e_req("GET", "/api/v1/orgs", adm, NULL, NULL);
	size_t i;
	json_t *o;
	json_array_foreach(json_object_get(r.json, "orgs"), i, o)
	{
		if (!strcmp(jstr(o, "name"), "市委党校"))
			org = jint(o, "id");
		if (!strcmp(jstr(o, "name"), "第二党委"))
			other_org = jint(o, "id");
	}
	resp_free(&r);
	fx_set("{other_org}", "%lld", other_org);
	r = e2e_req("GET", "/api/v1/users?q=wangwu", adm, NULL, NULL);
	fx_set("{other_member}", "%lld", jint(json_array_get(json_object_get(r.json, "users"), 0), "id"));
	resp_free(&r);
	snprintf(body, sizeof body,
		 "{\"username\":\"authz_t2\",\"name\":\"矩阵老师\",\"password\":\"" E2E_PW "\",\"role\":\"instructor\","
		 "\"org_id\":%lld}",
		 org);
	r = e2e_req("POST", "/api/v1/users", adm, body, NULL);
	CHECK(r.status == 201 || r.status == 409, "authz_t2: %ld", r.status);
	resp_free(&r);
	free(adm);
	char *t2 = e2e_login("authz_t2", E2E_PW);
	CHECK(t2 != NULL, "authz_t2 logs in");
	if (!t2)
		return -1;

	long long c = post_id("/api/v1/courses", t2,
			      "{\"title\":\"授权矩阵：他人的课\",\"category\":\"综合素养\",\"credit_hours\":1}");
	snprintf(path, sizeof path, "/api/v1/courses/%lld/lectures", c);
	long long l = post_id(path, t2, "{\"title\":\"他人的讲座\"}");
	long long spare = post_id(path, t2, "{\"title\":\"他人的第二讲\"}");
	/* Members know only lectures with a video, and publishing needs one (issue 12). */
	e2e_ready_lecture(c, l, 20);
	e2e_ready_lecture(c, spare, 20);
	r = e2e_publish(t2, c);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	fx_set("{other_course}", "%lld", c);
	fx_set("{other_lecture}", "%lld", l);
	fx_set("{other_spare_lecture}", "%lld", spare);
	long long sc = post_id("/api/v1/courses", t2,
			       "{\"title\":\"授权矩阵：要归档的课\",\"category\":\"综合素养\",\"credit_hours\":1}");
	r = e2e_publish(t2, sc);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	fx_set("{other_spare_course}", "%lld", sc);
	make_quiz_fixtures(t2, c);

	long long d = post_id("/api/v1/courses", t2, "{\"title\":\"授权矩阵：他人的草稿\",\"category\":\"综合素养\"}");
	snprintf(path, sizeof path, "/api/v1/courses/%lld/quiz", d);
	r = e2e_req("PUT", path, t2, "{\"num_questions\":1}", NULL);
	CHECK_STATUS(r, 200);
	fx_set("{other_draft_quiz}", "%lld", jint(r.json, "id"));
	resp_free(&r);
	snprintf(path, sizeof path, "/api/v1/courses/%lld/lectures", d);
	long long dl = post_id(path, t2, "{\"title\":\"草稿里的讲座\"}");
	static const unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
	snprintf(path, sizeof path, "/api/v1/courses/%lld/images", d);
	r = e2e_req_h("POST", path, t2, (const char *)png, sizeof png, "image/png", NULL);
	CHECK_STATUS(r, 201);
	fx_set("{other_image}", "%lld", jint(r.json, "id"));
	resp_free(&r);
	static const char pdf[] = "%PDF-1.4\n%%EOF\n";
	snprintf(path, sizeof path, "/api/v1/courses/%lld/attachments?name=x.pdf", d);
	r = e2e_req_h("POST", path, t2, pdf, sizeof pdf - 1, "application/pdf", NULL);
	CHECK_STATUS(r, 201);
	fx_set("{other_attachment}", "%lld", jint(r.json, "id"));
	resp_free(&r);
	fx_set("{other_draft}", "%lld", d);
	fx_set("{other_draft_lecture}", "%lld", dl);

	char num[32], enc[64], meta[96];
	snprintf(num, sizeof num, "%lld", l);
	b64(num, enc);
	snprintf(meta, sizeof meta, "Upload-Metadata: lecture_id %s", enc);
	const char *hs[] = {"Tus-Resumable: 1.0.0", "Upload-Length: 1000", meta, NULL};
	r = e2e_req_h("POST", "/api/v1/uploads", t2, NULL, 0, NULL, hs);
	CHECK_STATUS(r, 201);
	char *loc = resp_header(&r, "Location");
	const char *uid = loc && strrchr(loc, '/') ? strrchr(loc, '/') + 1 : "";
	fx_set("{other_upload}", "%s", uid);
	free(loc);
	resp_free(&r);
	r = e2e_req("GET", "/api/v1/me/sessions", t2, NULL, NULL);
	fx_set("{other_session}", "%s", jstr(json_array_get(json_object_get(r.json, "sessions"), 0), "id") ?: "");
	resp_free(&r);
	free(t2);

	adm = e2e_login("admin", E2E_PW);
	snprintf(body, sizeof body,
		 "{\"title\":\"授权矩阵：他人的专题班\",\"course_ids\":[%lld],\"mode\":\"assigned\","
		 "\"opens_at\":\"2020-01-01T00:00:00Z\",\"closes_at\":\"2099-01-01T00:00:00Z\"}",
		 c);
	long long cls = post_id("/api/v1/classes", adm, body);
	snprintf(path, sizeof path, "/api/v1/classes/%lld/assign", cls);
	snprintf(body, sizeof body, "{\"org_id\":%lld}", other_org);
	r = e2e_req("POST", path, adm, body, NULL);
	CHECK_STATUS(r, 201);
	resp_free(&r);
	fx_set("{other_class}", "%lld", cls);
	r = e2e_req("POST", "/api/v1/test/clock", adm, "{\"advance_s\":0}", NULL);
	snprintf(body, sizeof body, "{\"year\":%d}", atoi(jstr(r.json, "day") ? jstr(r.json, "day") : "0"));
	resp_free(&r);
	free(adm);
	char *li = e2e_login("lisi", E2E_PW);
	r = e2e_req("POST", "/api/v1/me/certificates", li, body, NULL);
	CHECK(r.status == 201 || r.status == 200, "lisi's certificate: %ld %.200s", r.status, r.body ? r.body : "");
	fx_set("{other_certificate}", "%s", jstr(r.json, "code") ? jstr(r.json, "code") : "");
	resp_free(&r);
	free(li);
	for (size_t k = 0; k < NFX; k++)
		if (!fx[k].value[0] || !strcmp(fx[k].value, "0")) {
			CHECK(0, "fixture %s not made", fx[k].name);
			return -1;
		}
	return 0;
}

/* The row's path with the fixtures' ids in place of their names. */
static void substitute(const char *in, char *out, size_t n)
{
	size_t o = 0;
	while (*in && o + 1 < n) {
		size_t k;
		for (k = 0; k < NFX; k++)
			if (!strncmp(in, fx[k].name, strlen(fx[k].name)))
				break;
		if (k < NFX) {
			o += (size_t)snprintf(out + o, n - o, "%s", fx[k].value);
			in += strlen(fx[k].name);
		} else {
			out[o++] = *in++;
		}
	}
	out[o < n ? o : n - 1] = 0;
}

/* ---- the table ---- */

typedef struct row {
	char *cols[9];
	char *line;
} row;

/* Reads server/authz.tsv; returns the number of rows (malloc'd array in *out). */
static int read_rows(row **out)
{
	*out = NULL;
	FILE *f = fopen("server/authz.tsv", "r");
	CHECK(f != NULL, "server/authz.tsv missing");
	if (!f)
		return 0;
	char line[4096];
	int n = 0;
	row *rows = NULL;
	while (fgets(line, sizeof line, f)) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		line[strcspn(line, "\n")] = 0;
		row rw = {.line = strdup(line)};
		int nc = 0;
		for (char *s = rw.line, *t; nc < 10 && s; s = t) {
			t = strchr(s, '\t');
			if (t)
				*t++ = 0;
			if (nc < 9)
				rw.cols[nc] = s;
			nc++;
		}
		CHECK(nc == 9, "malformed authz row (%d columns): %s", nc, line);
		if (nc != 9) {
			free(rw.line);
			continue;
		}
		rows = realloc(rows, sizeof *rows * (size_t)(n + 1));
		rows[n++] = rw;
	}
	fclose(f);
	*out = rows;
	return n;
}

static void free_rows(row *rows, int n)
{
	for (int i = 0; i < n; i++)
		free(rows[i].line);
	free(rows);
}

/* Every route has a row; every route with a resource has a row on an existing resource (a
   fixture) that some role allowed by the route gets 403 or 404 for: the rule is exercised on
   something that exists, not only on ids that do not. Admin-only routes are exempt from the
   second part (an admin's scope is everything, nothing existing is refused to them). */
E2E_TEST(authz_matrix_covers_every_route)
{
	FILE *p = popen("bin/dangxiao-san routes", "r");
	CHECK(p != NULL, "cannot run dangxiao routes");
	if (!p)
		return;
	row *rows;
	int nr = read_rows(&rows);
	char line[2048];
	int n = 0, nres = 0;
	while (fgets(line, sizeof line, p)) {
		char method[16], pattern[512], res[64];
		unsigned rbits;
		if (sscanf(line, "%15s %511s %u %63s", method, pattern, &rbits, res) != 4)
			continue;
		int has = 0, forbidden_existing = 0;
		for (int i = 0; i < nr; i++) {
			if (strcmp(rows[i].cols[0], method) || strcmp(rows[i].cols[1], pattern))
				continue;
			has = 1;
			if (!strchr(rows[i].cols[2], '{'))
				continue;
			for (int k = 1; k < 5; k++)
				if ((rbits & role_bits[k]) && (atol(rows[i].cols[4 + k]) == 403 || atol(rows[i].cols[4 + k]) == 404))
					forbidden_existing = 1;
			if (rbits == 8)
				forbidden_existing = 1;
		}
		CHECK(has, "route %s %s has no row in server/authz.tsv", method, pattern);
		if (strcmp(res, "-")) {
			nres++;
			CHECK(forbidden_existing,
			      "route %s %s (resource %s) has no row for an existing resource that is refused (use a "
			      "fixture such as {other_course})",
			      method, pattern, res);
		}
		n++;
	}
	CHECK(pclose(p) == 0, "dangxiao routes failed (a resource kind in no module's descriptor?)");
	free_rows(rows, nr);
	CHECK(n > 5, "only %d routes listed", n);
	CHECK(nres > 10, "only %d routes with a resource", nres);
}

E2E_TEST(authz_matrix_statuses)
{
	if (make_fixtures() < 0)
		return;
	char *tok[5] = {NULL};
	for (int ri = 1; ri < 5; ri++)
		tok[ri] = e2e_login(roles[ri], E2E_PW);
	row *rows;
	int nr = read_rows(&rows);
	for (int i = 0; i < nr; i++) {
		char **cols = rows[i].cols;
		char path[1024];
		substitute(cols[2], path, sizeof path);
		const char *body = strcmp(cols[3], "-") ? cols[3] : NULL;
		for (int ri = 0; ri < 5; ri++) {
			resp r = e2e_req(cols[0], path, tok[ri], body, NULL);
			long want = atol(cols[4 + ri]);
			CHECK(r.status == want, "%s %s as %s: expected %ld, got %ld (%.200s)", cols[0], path,
			      roles[ri] ? roles[ri] : "anonymous", want, r.status, r.body ? r.body : "");
			resp_free(&r);
		}
		/* That row logged everyone out: new sessions for the rows after it. */
		if (!strcmp(cols[0], "DELETE") && !strcmp(cols[1], "/api/v1/session"))
			for (int ri = 1; ri < 5; ri++) {
				free(tok[ri]);
				tok[ri] = e2e_login(roles[ri], E2E_PW);
			}
	}
	free_rows(rows, nr);
	CHECK(nr > 5, "only %d rows", nr);
	/* The fixtures' course leaves the catalog again for the tests after this one. */
	char *t2 = e2e_login("authz_t2", E2E_PW);
	char p[96];
	substitute("/api/v1/courses/{other_course}/unpublish", p, sizeof p);
	resp r = e2e_req("POST", p, t2, NULL, NULL);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	free(t2);
	for (int ri = 1; ri < 5; ri++)
		free(tok[ri]);
}
