/* test_account.c — the account page (/account: my password, my sessions), the login form's
   attributes, and the change forced after an admin's password reset: every page but /account
   leads there until the user has set a password of their own. */
#include "e2e.h"

E2E_TEST(account_page_and_login_form)
{
	resp r = e2e_req("GET", "/account", NULL, NULL, NULL);
	CHECK_STATUS(r, 303);
	char *loc = resp_header(&r, "Location");
	CHECK(loc && strstr(loc, "/login?next=%2Faccount"), "to the login: %s", loc ? loc : "(none)");
	free(loc);
	resp_free(&r);

	char *tok = e2e_login("lisi", E2E_PW);
	r = e2e_req("GET", "/account", tok, NULL, NULL);
	CHECK_STATUS(r, 200);
	CHECK(r.body && strstr(r.body, "id=\"pw-form\"") && strstr(r.body, "name=\"current_password\"") &&
		      strstr(r.body, "autocomplete=\"new-password\"") && strstr(r.body, "id=\"session-list\"") &&
		      strstr(r.body, "page-account"),
	      "password form, sessions, its script: %.200s", r.body ? r.body : "");
	CHECK(r.body && !strstr(r.body, "id=\"must-change\""), "no forced change for lisi");
	CHECK(r.body && strstr(r.body, "href=\"/account\""), "the header links the account page");
	resp_free(&r);
	free(tok);

	r = e2e_req("GET", "/login", NULL, NULL, NULL);
	CHECK_STATUS(r, 200);
	CHECK(r.body && strstr(r.body, "autocapitalize=\"off\"") && strstr(r.body, " autofocus"),
	      "the username field: autofocus, autocapitalize off");
	resp_free(&r);
	/* The server trims and ignores case (also tested in test_people_holes). */
	r = e2e_req("POST", "/api/v1/session", NULL, "{\"username\":\"  LiSi \",\"password\":\"" E2E_PW "\"}", NULL);
	CHECK_STATUS(r, 200);
	resp_free(&r);
}

E2E_TEST(account_forced_change_after_reset)
{
	char *adm = e2e_login("admin", E2E_PW);
	resp r = e2e_req("GET", "/api/v1/orgs", adm, NULL, NULL);
	long long org = jint(json_array_get(json_object_get(r.json, "orgs"), 0), "id");
	resp_free(&r);
	char body[320], p[96];
	snprintf(body, sizeof body,
		 "{\"username\":\"acct_forced\",\"name\":\"强制改密\",\"password\":\"%s\",\"role\":\"member\",\"org_id\":%lld}",
		 E2E_PW, org);
	r = e2e_req("POST", "/api/v1/users", adm, body, NULL);
	CHECK_STATUS(r, 201);
	long long id = jint(r.json, "id");
	resp_free(&r);
	snprintf(p, sizeof p, "/api/v1/users/%lld/password-reset", id);
	r = e2e_req("POST", p, adm, NULL, NULL);
	CHECK_STATUS(r, 200);
	char one[64] = "";
	if (jstr(r.json, "password"))
		snprintf(one, sizeof one, "%s", jstr(r.json, "password"));
	resp_free(&r);
	char *tok = e2e_login("acct_forced", one);
	CHECK(tok != NULL, "the one-time password logs in");
	if (!tok) {
		free(adm);
		return;
	}
	/* Every page leads to /account, which says why. */
	const char *pages[] = {"/", "/me", "/classes"};
	for (size_t i = 0; i < sizeof pages / sizeof pages[0]; i++) {
		r = e2e_req("GET", pages[i], tok, NULL, NULL);
		CHECK_STATUS(r, 303);
		char *l = resp_header(&r, "Location");
		CHECK(l && !strcmp(l, "/account"), "%s → %s", pages[i], l ? l : "(none)");
		free(l);
		resp_free(&r);
	}
	r = e2e_req("GET", "/account", tok, NULL, NULL);
	CHECK_STATUS(r, 200);
	CHECK(r.body && strstr(r.body, "id=\"must-change\""), "the page says the password must be changed");
	resp_free(&r);
	/* A wrong current password changes nothing. */
	r = e2e_req("POST", "/api/v1/me/password", tok, "{\"current_password\":\"notmypassword\",\"new_password\":\"mine-2026-x\"}",
		    NULL);
	CHECK_STATUS(r, 422);
	resp_free(&r);
	r = e2e_req("GET", "/", tok, NULL, NULL);
	CHECK_STATUS(r, 303);
	resp_free(&r);
	snprintf(body, sizeof body, "{\"current_password\":\"%s\",\"new_password\":\"mine-2026-x\"}", one);
	r = e2e_req("POST", "/api/v1/me/password", tok, body, NULL);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	r = e2e_req("GET", "/", tok, NULL, NULL);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	r = e2e_req("GET", "/account", tok, NULL, NULL);
	CHECK(r.body && !strstr(r.body, "id=\"must-change\""), "no notice once changed");
	resp_free(&r);
	free(tok);
	free(adm);
}
