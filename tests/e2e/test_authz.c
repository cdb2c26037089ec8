/* test_authz.c — the authorisation matrix (server/authz.tsv): every route × every role. */
#include "e2e.h"

static const char *roles[] = {NULL, "zhangsan", "teacher", "assessor", "admin"};

E2E_TEST(authz_matrix_covers_every_route)
{
	FILE *p = popen("bin/dangxiao-san routes", "r");
	CHECK(p != NULL, "cannot run dangxiao routes");
	if (!p)
		return;
	size_t tl = 0;
	char *tsv = NULL;
	FILE *f = fopen("server/authz.tsv", "r");
	CHECK(f != NULL, "server/authz.tsv missing");
	if (!f) {
		pclose(p);
		return;
	}
	char line[2048];
	while (fgets(line, sizeof line, f)) {
		tsv = realloc(tsv, tl + strlen(line) + 1);
		strcpy(tsv + tl, line);
		tl += strlen(line);
	}
	fclose(f);
	int n = 0;
	while (fgets(line, sizeof line, p)) {
		char method[16], pattern[512];
		if (sscanf(line, "%15s %511s", method, pattern) != 2)
			continue;
		char key[600];
		snprintf(key, sizeof key, "\n%s\t%s\t", method, pattern);
		CHECK(strstr(tsv, key) != NULL, "route %s %s has no row in server/authz.tsv", method, pattern);
		n++;
	}
	pclose(p);
	free(tsv);
	CHECK(n > 5, "only %d routes listed", n);
}

E2E_TEST(authz_matrix_statuses)
{
	FILE *f = fopen("server/authz.tsv", "r");
	if (!f) {
		CHECK(0, "server/authz.tsv missing");
		return;
	}
	char line[4096];
	int rows = 0;
	while (fgets(line, sizeof line, f)) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		line[strcspn(line, "\n")] = 0;
		char *cols[10];
		int nc = 0;
		for (char *s = line, *t; nc < 10 && s; s = t) {
			t = strchr(s, '\t');
			if (t)
				*t++ = 0;
			cols[nc++] = s;
		}
		CHECK(nc == 9, "malformed authz row (%d columns): %s", nc, cols[0]);
		if (nc != 9)
			continue;
		rows++;
		const char *body = strcmp(cols[3], "-") ? cols[3] : NULL;
		for (int ri = 0; ri < 5; ri++) {
			char *tok = roles[ri] ? e2e_login(roles[ri], E2E_PW) : NULL;
			resp r = e2e_req(cols[0], cols[2], tok, body, NULL);
			long want = atol(cols[4 + ri]);
			CHECK(r.status == want, "%s %s as %s: expected %ld, got %ld (%.200s)", cols[0], cols[2],
			      roles[ri] ? roles[ri] : "anonymous", want, r.status, r.body ? r.body : "");
			resp_free(&r);
			free(tok);
		}
	}
	fclose(f);
	CHECK(rows > 5, "only %d rows", rows);
}
