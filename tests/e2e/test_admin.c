/* test_admin.c — the admin's corrections (issue 12): users searched, edited, disabled, reset and
 * moved; organisations renamed, moved and deleted; stale edits; the audit log of each change. Every
 * refusal is checked to have changed nothing. */
#include "e2e.h"

#include <stdarg.h>

static const char *fmt(char *out, size_t n, const char *f, ...) __attribute__((format(printf, 3, 4)));
static const char *fmt(char *out, size_t n, const char *f, ...)
{
	va_list ap;
	va_start(ap, f);
	vsnprintf(out, n, f, ap);
	va_end(ap);
	return out;
}

/* POST that must answer 201; the new id. */
static long long make(const char *tok, const char *path, const char *body)
{
	resp r = e2e_req("POST", path, tok, body, NULL);
	CHECK(r.status == 201, "POST %s %s: %ld %.300s", path, body, r.status, r.body ? r.body : "");
	long long id = jint(r.json, "id");
	resp_free(&r);
	return id;
}

static long long make_org(const char *tok, const char *name, long long parent)
{
	char b[256];
	if (parent)
		return make(tok, "/api/v1/orgs", fmt(b, sizeof b, "{\"name\":\"%s\",\"parent_id\":%lld}", name, parent));
	return make(tok, "/api/v1/orgs", fmt(b, sizeof b, "{\"name\":\"%s\"}", name));
}

static long long make_user(const char *tok, const char *username, const char *name, const char *role, long long org)
{
	char b[512];
	return make(tok, "/api/v1/users",
		    fmt(b, sizeof b,
			"{\"username\":\"%s\",\"name\":\"%s\",\"password\":\"" E2E_PW "\",\"role\":\"%s\",\"org_id\":%lld}",
			username, name, role, org));
}

/* GET /api/v1/users/{id} (the caller frees). */
static resp get_user(const char *tok, long long id)
{
	char p[64];
	return e2e_req("GET", fmt(p, sizeof p, "/api/v1/users/%lld", id), tok, NULL, NULL);
}

static long long user_version(const char *tok, long long id)
{
	resp r = get_user(tok, id);
	long long v = jint(r.json, "version");
	resp_free(&r);
	return v;
}

/* The organisation `id` of GET /api/v1/orgs, as a new reference (NULL when absent). */
static json_t *get_org(const char *tok, long long id)
{
	resp r = e2e_req("GET", "/api/v1/orgs", tok, NULL, NULL);
	json_t *found = NULL, *o;
	size_t i;
	json_array_foreach(json_object_get(r.json, "orgs"), i, o) if (jint(o, "id") == id) found = json_incref(o);
	resp_free(&r);
	return found;
}

/* The number of audit rows of `action` on target (kind, id). */
static long long audit_count(const char *tok, const char *action, const char *kind, long long id)
{
	char p[256];
	resp r = e2e_req("GET", fmt(p, sizeof p, "/api/v1/audit?action=%s&target_kind=%s&target_id=%lld&per_page=200",
				    action, kind, id),
			 tok, NULL, NULL);
	CHECK_STATUS(r, 200);
	long long n = jint(r.json, "total");
	resp_free(&r);
	return n;
}

/* The newest audit row on target (kind, id), as a new reference. */
static json_t *audit_last(const char *tok, const char *kind, long long id)
{
	char p[256];
	resp r = e2e_req("GET", fmt(p, sizeof p, "/api/v1/audit?target_kind=%s&target_id=%lld", kind, id), tok, NULL, NULL);
	json_t *e = json_array_get(json_object_get(r.json, "entries"), 0);
	if (e)
		json_incref(e);
	resp_free(&r);
	return e;
}

static int has_user(json_t *users, const char *username)
{
	size_t i;
	json_t *u;
	json_array_foreach(users, i, u) if (jstr(u, "username") && !strcmp(jstr(u, "username"), username)) return 1;
	return 0;
}

E2E_TEST(admin_users_search_sort_page)
{
	char *adm = e2e_login("admin", E2E_PW);
	long long org = make_org(adm, "检索测试党委", 0);
	long long sub = make_org(adm, "检索测试支部", org);
	make_user(adm, "srch_c", "检索丙", "member", sub);
	make_user(adm, "srch_a", "检索甲", "member", sub);
	make_user(adm, "srch_b", "检索乙", "instructor", org);
	char p[256];
	/* By name, by username, by organisation name. */
	resp r = e2e_req("GET", "/api/v1/users?q=%E6%A3%80%E7%B4%A2%E4%B9%99", adm, NULL, NULL); /* 检索乙 */
	CHECK_STATUS(r, 200);
	CHECK(jint(r.json, "total") == 1 && has_user(json_object_get(r.json, "users"), "srch_b"), "by name: %s", r.body);
	resp_free(&r);
	r = e2e_req("GET", "/api/v1/users?q=SRCH_", adm, NULL, NULL);
	CHECK(jint(r.json, "total") == 3, "by username, any case, _ literal: %s", r.body);
	resp_free(&r);
	r = e2e_req("GET", "/api/v1/users?q=srch%25", adm, NULL, NULL); /* a literal % matches nothing */
	CHECK(jint(r.json, "total") == 0, "%% is literal: %s", r.body);
	resp_free(&r);
	r = e2e_req("GET", "/api/v1/users?q=%E6%A3%80%E7%B4%A2%E6%B5%8B%E8%AF%95%E6%94%AF%E9%83%A8", adm, NULL, NULL);
	CHECK(jint(r.json, "total") == 2 && has_user(json_object_get(r.json, "users"), "srch_a") &&
		      has_user(json_object_get(r.json, "users"), "srch_c"),
	      "by organisation (检索测试支部): %s", r.body);
	resp_free(&r);
	/* A subtree, sorted by username descending, two a page. */
	r = e2e_req("GET", fmt(p, sizeof p, "/api/v1/users?org_id=%lld&sort=username&order=desc&per_page=2", org), adm,
		    NULL, NULL);
	json_t *u = json_object_get(r.json, "users");
	CHECK(jint(r.json, "total") == 3 && json_array_size(u) == 2, "page 1 of 2: %s", r.body);
	CHECK(!strcmp(jstr(json_array_get(u, 0), "username"), "srch_c") &&
		      !strcmp(jstr(json_array_get(u, 1), "username"), "srch_b"),
	      "desc order: %s", r.body);
	resp_free(&r);
	r = e2e_req("GET", fmt(p, sizeof p, "/api/v1/users?org_id=%lld&sort=username&order=desc&per_page=2&page=2", org),
		    adm, NULL, NULL);
	u = json_object_get(r.json, "users");
	CHECK(json_array_size(u) == 1 && !strcmp(jstr(json_array_get(u, 0), "username"), "srch_a"), "page 2: %s", r.body);
	CHECK(jint(r.json, "page") == 2 && jint(r.json, "per_page") == 2, "paging echoed: %s", r.body);
	resp_free(&r);
	r = e2e_req("GET", fmt(p, sizeof p, "/api/v1/users?org_id=%lld&sort=name", org), adm, NULL, NULL);
	u = json_object_get(r.json, "users");
	CHECK(json_array_size(u) == 3 && !strcmp(jstr(json_array_get(u, 0), "name"), "检索丙") /* U+4E19 < U+4E59 < U+7532 */
		      && !strcmp(jstr(json_array_get(u, 2), "name"), "检索甲"),
	      "by name: %s", r.body);
	resp_free(&r);
	r = e2e_req("GET", fmt(p, sizeof p, "/api/v1/users?org_id=%lld&role=instructor", org), adm, NULL, NULL);
	CHECK(jint(r.json, "total") == 1, "role filter: %s", r.body);
	resp_free(&r);
	/* An unknown sort is the default (id), not an error; SQL in it is just text. */
	r = e2e_req("GET", fmt(p, sizeof p, "/api/v1/users?org_id=%lld&sort=name;DROP%%20TABLE%%20users", org), adm, NULL,
		    NULL);
	CHECK(r.status == 200 && jint(r.json, "total") == 3, "bad sort: %s", r.body);
	resp_free(&r);
	free(adm);
}

E2E_TEST(admin_user_edit_stale_and_audit)
{
	char *adm = e2e_login("admin", E2E_PW);
	long long org = make_org(adm, "编辑测试党委", 0);
	long long org2 = make_org(adm, "编辑测试二支部", org);
	long long id = make_user(adm, "edit_u", "编辑前", "member", org);
	CHECK(audit_count(adm, "user.create", "user", id) == 1, "user.create audited");
	char p[64], b[256];
	long long v = user_version(adm, id);
	CHECK(v >= 1, "version %lld", v);
	resp r = e2e_req("PATCH", fmt(p, sizeof p, "/api/v1/users/%lld", id), adm,
			 fmt(b, sizeof b, "{\"name\":\"编辑后\",\"role\":\"instructor\",\"org_id\":%lld,\"version\":%lld}", org2, v),
			 NULL);
	CHECK_STATUS(r, 200);
	CHECK(!strcmp(jstr(r.json, "name"), "编辑后") && !strcmp(jstr(r.json, "role"), "instructor") &&
		      jint(r.json, "org_id") == org2 && jint(r.json, "version") == v + 1,
	      "edited: %s", r.body);
	resp_free(&r);
	json_t *e = audit_last(adm, "user", id);
	json_t *d = json_object_get(e, "detail");
	CHECK(e && !strcmp(jstr(e, "action"), "user.update") && json_is_array(json_object_get(d, "name")) &&
		      !strcmp(json_string_value(json_array_get(json_object_get(d, "name"), 0)), "编辑前") &&
		      !strcmp(json_string_value(json_array_get(json_object_get(d, "role"), 1)), "instructor") &&
		      json_integer_value(json_array_get(json_object_get(d, "org_id"), 1)) == org2,
	      "audit row with old and new values");
	CHECK(e && !strcmp(jstr(json_object_get(e, "actor"), "username"), "admin"), "actor is admin");
	json_decref(e);
	/* A colleague's edit with the version read before: 409, nothing changes. */
	r = e2e_req("PATCH", fmt(p, sizeof p, "/api/v1/users/%lld", id), adm,
		    fmt(b, sizeof b, "{\"name\":\"过时的修改\",\"version\":%lld}", v), NULL);
	CHECK_STATUS(r, 409);
	CHECK(jstr(json_object_get(r.json, "error"), "code") && !strcmp(jstr(json_object_get(r.json, "error"), "code"), "stale"),
	      "stale: %s", r.body);
	CHECK(strstr(r.body, "已被他人修改") != NULL, "Chinese message: %s", r.body);
	resp_free(&r);
	r = get_user(adm, id);
	CHECK(!strcmp(jstr(r.json, "name"), "编辑后") && jint(r.json, "version") == v + 1, "unchanged: %s", r.body);
	resp_free(&r);
	CHECK(audit_count(adm, "user.update", "user", id) == 1, "the refused edit wrote no audit row");
	/* Bad fields: 422, nothing changes. */
	const char *bad[] = {"{\"role\":\"emperor\"}", "{\"name\":\"\"}", "{\"org_id\":999999}", "{\"version\":\"x\"}"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		r = e2e_req("PATCH", fmt(p, sizeof p, "/api/v1/users/%lld", id), adm, bad[i], NULL);
		CHECK(r.status == 422, "%s: %ld", bad[i], r.status);
		resp_free(&r);
	}
	CHECK(user_version(adm, id) == v + 1, "bad fields changed nothing");
	/* The same values again: no new version, no audit row. */
	r = e2e_req("PATCH", fmt(p, sizeof p, "/api/v1/users/%lld", id), adm, "{\"name\":\"编辑后\"}", NULL);
	CHECK(r.status == 200 && jint(r.json, "version") == v + 1, "no-op edit: %s", r.body);
	resp_free(&r);
	/* Members and instructors cannot edit users. */
	char *m = e2e_login("zhangsan", E2E_PW);
	r = e2e_req("PATCH", fmt(p, sizeof p, "/api/v1/users/%lld", id), m, "{\"role\":\"admin\"}", NULL);
	CHECK_STATUS(r, 403);
	resp_free(&r);
	free(m);
	CHECK(audit_count(adm, "user.update", "user", id) == 1, "one update row");
	free(adm);
}

E2E_TEST(admin_disable_ends_sessions_at_once)
{
	char *adm = e2e_login("admin", E2E_PW);
	long long org = make_org(adm, "停用测试党委", 0);
	long long id = make_user(adm, "dis_u", "停用者", "member", org);
	char *t1 = e2e_login("dis_u", E2E_PW), *t2 = e2e_login("dis_u", E2E_PW);
	CHECK(t1 && t2, "two sessions");
	resp r = e2e_req("GET", "/api/v1/me", t1, NULL, NULL);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	char p[64];
	r = e2e_req("PATCH", fmt(p, sizeof p, "/api/v1/users/%lld", id), adm, "{\"active\":false}", NULL);
	CHECK_STATUS(r, 200);
	CHECK(json_is_false(json_object_get(r.json, "active")), "inactive: %s", r.body);
	resp_free(&r);
	/* Both tokens stop working with the very next request. */
	r = e2e_req("GET", "/api/v1/me", t1, NULL, NULL);
	CHECK_STATUS(r, 401);
	resp_free(&r);
	r = e2e_req("GET", "/api/v1/courses", t2, NULL, NULL);
	CHECK_STATUS(r, 401);
	resp_free(&r);
	r = e2e_req("POST", "/api/v1/session", NULL, "{\"username\":\"dis_u\",\"password\":\"" E2E_PW "\"}", NULL);
	CHECK_STATUS(r, 401);
	resp_free(&r);
	CHECK(audit_count(adm, "user.disable", "user", id) == 1, "user.disable audited");
	/* The record stays: listed (as disabled), counted in its organisation. */
	r = e2e_req("GET", "/api/v1/users?q=dis_u", adm, NULL, NULL);
	CHECK(jint(r.json, "total") == 1 && json_is_false(json_object_get(json_array_get(json_object_get(r.json, "users"), 0), "active")),
	      "still listed: %s", r.body);
	resp_free(&r);
	r = e2e_req("GET", "/api/v1/users?q=dis_u&active=1", adm, NULL, NULL);
	CHECK(jint(r.json, "total") == 0, "not among the active: %s", r.body);
	resp_free(&r);
	json_t *o = get_org(adm, org);
	CHECK(o && jint(o, "members") == 0 && jint(o, "members_disabled") == 1 && jint(o, "members_direct") == 1,
	      "counted as disabled");
	json_decref(o);
	/* Re-enabled: logs in again; the old tokens stay dead. */
	r = e2e_req("PATCH", fmt(p, sizeof p, "/api/v1/users/%lld", id), adm, "{\"active\":true}", NULL);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	CHECK(audit_count(adm, "user.enable", "user", id) == 1, "user.enable audited");
	r = e2e_req("GET", "/api/v1/me", t1, NULL, NULL);
	CHECK_STATUS(r, 401);
	resp_free(&r);
	char *t3 = e2e_login("dis_u", E2E_PW);
	CHECK(t3 != NULL, "logs in after re-enabling");
	free(t1);
	free(t2);
	free(t3);
	free(adm);
}

E2E_TEST(admin_last_admin_cannot_be_disabled_or_demoted)
{
	char *adm = e2e_login("admin", E2E_PW);
	resp r = e2e_req("GET", "/api/v1/me", adm, NULL, NULL);
	long long me = jint(r.json, "id");
	resp_free(&r);
	long long v = user_version(adm, me);
	char p[64];
	r = e2e_req("PATCH", fmt(p, sizeof p, "/api/v1/users/%lld", me), adm, "{\"active\":false}", NULL);
	CHECK_STATUS(r, 409);
	CHECK(strstr(r.body, "last_admin") && strstr(r.body, "不能停用"), "last_admin: %s", r.body);
	resp_free(&r);
	r = e2e_req("PATCH", fmt(p, sizeof p, "/api/v1/users/%lld", me), adm, "{\"role\":\"member\"}", NULL);
	CHECK_STATUS(r, 409);
	resp_free(&r);
	r = get_user(adm, me);
	CHECK(json_is_true(json_object_get(r.json, "active")) && !strcmp(jstr(r.json, "role"), "admin") &&
		      jint(r.json, "version") == v,
	      "nothing changed: %s", r.body);
	resp_free(&r);
	r = e2e_req("GET", "/api/v1/me", adm, NULL, NULL);
	CHECK_STATUS(r, 200); /* the session lives on */
	resp_free(&r);
	/* With a second active admin the first may be disabled; then the second is the last. */
	long long org = make_org(adm, "第二管理员党委", 0);
	long long a2 = make_user(adm, "adm_two", "第二管理员", "admin", org);
	char *t2 = e2e_login("adm_two", E2E_PW);
	r = e2e_req("PATCH", fmt(p, sizeof p, "/api/v1/users/%lld", a2), adm, "{\"role\":\"member\"}", NULL);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	r = e2e_req("GET", "/api/v1/users/1", t2, NULL, NULL); /* demoted: the role is read on every request */
	CHECK_STATUS(r, 403);
	resp_free(&r);
	free(t2);
	free(adm);
}

E2E_TEST(admin_password_reset_one_time)
{
	char *adm = e2e_login("admin", E2E_PW);
	long long org = make_org(adm, "重置测试党委", 0);
	long long id = make_user(adm, "reset_u", "忘记密码", "member", org);
	char *old = e2e_login("reset_u", E2E_PW);
	char p[96];
	resp r = e2e_req("POST", fmt(p, sizeof p, "/api/v1/users/%lld/password-reset?version=999", id), adm, NULL, NULL);
	CHECK_STATUS(r, 409); /* stale */
	resp_free(&r);
	r = e2e_req("GET", "/api/v1/me", old, NULL, NULL);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	r = e2e_req("POST", fmt(p, sizeof p, "/api/v1/users/%lld/password-reset", id), adm, NULL, NULL);
	CHECK_STATUS(r, 200);
	const char *pw = jstr(r.json, "password");
	char one[64] = "";
	if (pw)
		snprintf(one, sizeof one, "%s", pw);
	CHECK(strlen(one) == 12, "a 12-character one-time password: %s", r.body);
	CHECK(json_is_true(json_object_get(r.json, "must_change_password")), "change forced: %s", r.body);
	char *cc = resp_header(&r, "Cache-Control");
	CHECK(cc && strstr(cc, "no-store"), "not cached: %s", cc ? cc : "");
	free(cc);
	resp_free(&r);
	/* Shown once: not in the user, not in the audit log. */
	r = get_user(adm, id);
	CHECK(!strstr(r.body, one) && !json_object_get(r.json, "password"), "not readable again: %s", r.body);
	resp_free(&r);
	r = e2e_req("GET", "/api/v1/audit?action=user.password_reset", adm, NULL, NULL);
	CHECK(jint(r.json, "total") >= 1 && !strstr(r.body, one), "audited without the password: %.300s", r.body);
	resp_free(&r);
	/* The old session and password are dead; the new one logs in and must be changed. */
	r = e2e_req("GET", "/api/v1/me", old, NULL, NULL);
	CHECK_STATUS(r, 401);
	resp_free(&r);
	r = e2e_req("POST", "/api/v1/session", NULL, "{\"username\":\"reset_u\",\"password\":\"" E2E_PW "\"}", NULL);
	CHECK_STATUS(r, 401);
	resp_free(&r);
	char body[160];
	r = e2e_req("POST", "/api/v1/session", NULL,
		    fmt(body, sizeof body, "{\"username\":\"reset_u\",\"password\":\"%s\"}", one), NULL);
	CHECK_STATUS(r, 200);
	CHECK(json_is_true(json_object_get(json_object_get(r.json, "user"), "must_change_password")), "login says so: %s",
	      r.body);
	resp_free(&r);
	free(old);
	free(adm);
}

E2E_TEST(admin_bulk_move_all_or_nothing)
{
	char *adm = e2e_login("admin", E2E_PW);
	long long from = make_org(adm, "搬迁前党委", 0);
	long long to = make_org(adm, "搬迁后党委", 0);
	long long a = make_user(adm, "move_a", "搬迁甲", "member", from);
	long long b = make_user(adm, "move_b", "搬迁乙", "member", from);
	long long c = make_user(adm, "move_c", "搬迁丙", "member", to);
	char body[256];
	resp r = e2e_req("POST", "/api/v1/users/move", adm,
			 fmt(body, sizeof body, "{\"user_ids\":[%lld,%lld,999999],\"org_id\":%lld}", a, b, to), NULL);
	CHECK_STATUS(r, 422);
	resp_free(&r);
	r = get_user(adm, a);
	CHECK(jint(r.json, "org_id") == from, "nothing moved: %s", r.body);
	resp_free(&r);
	const char *bad[] = {"{\"user_ids\":[],\"org_id\":1}", "{\"user_ids\":[\"x\"],\"org_id\":1}", "{\"user_ids\":[1]}",
			     "{\"user_ids\":[1],\"org_id\":999999}", "{\"user_ids\":7,\"org_id\":1}"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		r = e2e_req("POST", "/api/v1/users/move", adm, bad[i], NULL);
		CHECK(r.status == 422, "%s: %ld", bad[i], r.status);
		resp_free(&r);
	}
	r = e2e_req("POST", "/api/v1/users/move", adm,
		    fmt(body, sizeof body, "{\"user_ids\":[%lld,%lld,%lld],\"org_id\":%lld}", a, b, c, to), NULL);
	CHECK_STATUS(r, 200);
	CHECK(jint(r.json, "moved") == 2 && jint(r.json, "unchanged") == 1, "moved: %s", r.body);
	resp_free(&r);
	r = get_user(adm, b);
	CHECK(jint(r.json, "org_id") == to, "moved: %s", r.body);
	resp_free(&r);
	CHECK(audit_count(adm, "user.move", "user", a) == 1 && audit_count(adm, "user.move", "user", c) == 0,
	      "one audit row per moved user");
	json_t *o = get_org(adm, from);
	CHECK(o && jint(o, "members") == 0, "the old organisation is empty");
	json_decref(o);
	char *m = e2e_login("zhangsan", E2E_PW);
	r = e2e_req("POST", "/api/v1/users/move", m, fmt(body, sizeof body, "{\"user_ids\":[%lld],\"org_id\":%lld}", a, from),
		    NULL);
	CHECK_STATUS(r, 403);
	resp_free(&r);
	free(m);
	free(adm);
}

E2E_TEST(admin_orgs_rename_move_delete)
{
	char *adm = e2e_login("admin", E2E_PW);
	long long top = make_org(adm, "树测试市委", 0);
	long long a = make_org(adm, "树测试组织部", top);
	long long b = make_org(adm, "一支部", a);
	long long other = make_org(adm, "树测试宣传部", top);
	long long b2 = make_org(adm, "一支部", other);
	make_user(adm, "tree_u1", "树一", "member", b);
	make_user(adm, "tree_u2", "树二", "member", a);
	CHECK(audit_count(adm, "org.create", "org", b) == 1, "org.create audited");
	/* Counts of the whole subtree; a repeated name is labelled with its path. */
	json_t *o = get_org(adm, top);
	CHECK(o && jint(o, "members") == 2 && jint(o, "members_direct") == 0 && jint(o, "children") == 2,
	      "top counts the subtree");
	json_decref(o);
	o = get_org(adm, b);
	CHECK(o && !strcmp(jstr(o, "label"), "树测试市委/树测试组织部/一支部"), "label: %s", o ? jstr(o, "label") : "");
	json_decref(o);
	o = get_org(adm, a);
	CHECK(o && !strcmp(jstr(o, "label"), "树测试组织部"), "a unique name is its own label");
	long long va = jint(o, "version");
	json_decref(o);
	char p[64], body[256];
	resp r = e2e_req("GET", "/api/v1/users?q=tree_u1", adm, NULL, NULL);
	CHECK(jstr(json_array_get(json_object_get(r.json, "users"), 0), "org_label") &&
		      !strcmp(jstr(json_array_get(json_object_get(r.json, "users"), 0), "org_label"), "树测试市委/树测试组织部/一支部"),
	      "user list shows the path: %s", r.body);
	resp_free(&r);

	/* Rename, then a stale rename. */
	r = e2e_req("PATCH", fmt(p, sizeof p, "/api/v1/orgs/%lld", a), adm,
		    fmt(body, sizeof body, "{\"name\":\"树测试组织部（改）\",\"version\":%lld}", va), NULL);
	CHECK_STATUS(r, 200);
	CHECK(jint(r.json, "version") == va + 1, "version bumped: %s", r.body);
	resp_free(&r);
	r = e2e_req("PATCH", fmt(p, sizeof p, "/api/v1/orgs/%lld", a), adm,
		    fmt(body, sizeof body, "{\"name\":\"过时的名字\",\"version\":%lld}", va), NULL);
	CHECK_STATUS(r, 409);
	CHECK(strstr(r.body, "stale"), "stale: %s", r.body);
	resp_free(&r);
	CHECK(audit_count(adm, "org.rename", "org", a) == 1, "org.rename audited once");
	/* Refusals: under itself, under its own subtree, a sibling's name, a bad name, no parent. */
	struct {
		const char *body;
		long want;
		const char *code;
	} bad[] = {
		{"{\"parent_id\":SELF}", 422, "cycle"},
		{"{\"parent_id\":CHILD}", 422, "cycle"},
		{"{\"name\":\"树测试宣传部\"}", 409, "exists"},
		{"{\"name\":\"a/b\"}", 422, "invalid_field"},
		{"{\"parent_id\":999999}", 422, "invalid_field"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (i < 2)
			fmt(body, sizeof body, "{\"parent_id\":%lld}", i == 0 ? a : b);
		else
			fmt(body, sizeof body, "%s", bad[i].body);
		r = e2e_req("PATCH", fmt(p, sizeof p, "/api/v1/orgs/%lld", a), adm, body, NULL);
		CHECK(r.status == bad[i].want && strstr(r.body, bad[i].code), "%s: %ld %s", body, r.status, r.body);
		resp_free(&r);
	}
	o = get_org(adm, a);
	CHECK(o && jint(o, "version") == va + 1 && jint(o, "parent_id") == top, "refusals changed nothing");
	json_decref(o);
	o = get_org(adm, b);
	char bpath[128];
	snprintf(bpath, sizeof bpath, "%s", o ? jstr(o, "path") : "");
	json_decref(o);

	/* Move a (with b and their users) under the other branch: every path below follows. */
	r = e2e_req("PATCH", fmt(p, sizeof p, "/api/v1/orgs/%lld", a), adm,
		    fmt(body, sizeof body, "{\"parent_id\":%lld}", other), NULL);
	CHECK_STATUS(r, 200);
	CHECK(jint(r.json, "parent_id") == other, "moved: %s", r.body);
	resp_free(&r);
	o = get_org(adm, b);
	char want[128];
	snprintf(want, sizeof want, "/%lld/%lld/%lld/%lld/", top, other, a, b);
	CHECK(o && !strcmp(jstr(o, "path"), want), "child path %s, want %s (was %s)", o ? jstr(o, "path") : "", want, bpath);
	json_decref(o);
	o = get_org(adm, other);
	CHECK(o && jint(o, "members") == 2, "the new parent counts the moved users");
	json_decref(o);
	r = e2e_req("GET", fmt(p, sizeof p, "/api/v1/users?org_id=%lld", other), adm, NULL, NULL);
	CHECK(jint(r.json, "total") == 2, "subtree search follows the move: %s", r.body);
	resp_free(&r);
	CHECK(audit_count(adm, "org.move", "org", a) == 1, "org.move audited");
	/* To the top level and back. */
	r = e2e_req("PATCH", fmt(p, sizeof p, "/api/v1/orgs/%lld", b2), adm, "{\"parent_id\":0}", NULL);
	CHECK(r.status == 200 && json_is_null(json_object_get(r.json, "parent_id")), "to the top: %s", r.body);
	resp_free(&r);

	/* Delete: not while it has sub-organisations or users; then it goes. */
	r = e2e_req("DELETE", fmt(p, sizeof p, "/api/v1/orgs/%lld", a), adm, NULL, NULL);
	CHECK(r.status == 409 && strstr(r.body, "not_empty"), "not empty: %s", r.body);
	resp_free(&r);
	r = e2e_req("DELETE", fmt(p, sizeof p, "/api/v1/orgs/%lld?version=999", b2), adm, NULL, NULL);
	CHECK_STATUS(r, 409);
	resp_free(&r);
	o = get_org(adm, a);
	CHECK(o != NULL, "still there");
	json_decref(o);
	r = e2e_req("DELETE", fmt(p, sizeof p, "/api/v1/orgs/%lld", b2), adm, NULL, NULL);
	CHECK_STATUS(r, 204);
	resp_free(&r);
	o = get_org(adm, b2);
	CHECK(o == NULL, "deleted");
	json_decref(o);
	CHECK(audit_count(adm, "org.delete", "org", b2) == 1, "org.delete audited");
	r = e2e_req("DELETE", fmt(p, sizeof p, "/api/v1/orgs/%lld", b2), adm, NULL, NULL);
	CHECK_STATUS(r, 404);
	resp_free(&r);
	/* Only admins. */
	char *t = e2e_login("teacher", E2E_PW);
	r = e2e_req("PATCH", fmt(p, sizeof p, "/api/v1/orgs/%lld", a), t, "{\"name\":\"教师改名\"}", NULL);
	CHECK_STATUS(r, 403);
	resp_free(&r);
	r = e2e_req("DELETE", fmt(p, sizeof p, "/api/v1/orgs/%lld", other), t, NULL, NULL);
	CHECK_STATUS(r, 403);
	resp_free(&r);
	free(t);
	free(adm);
}

/* An organisation named by other records (a required-course assignment) is refused, not orphaned. */
E2E_TEST(admin_org_in_use_is_kept)
{
	char *adm = e2e_login("admin", E2E_PW);
	long long org = make_org(adm, "被指派的空支部", 0);
	char *t = e2e_login("teacher", E2E_PW);
	long long c = make(t, "/api/v1/courses", "{\"title\":\"指派测试课\",\"category\":\"综合素养\"}");
	free(t);
	char body[160], p[64];
	resp r = e2e_req("POST", "/api/v1/assignments", adm,
			 fmt(body, sizeof body, "{\"course_id\":%lld,\"org_id\":%lld,\"year\":2026}", c, org), NULL);
	CHECK(r.status == 201 || r.status == 200, "assigned: %ld %s", r.status, r.body);
	resp_free(&r);
	r = e2e_req("DELETE", fmt(p, sizeof p, "/api/v1/orgs/%lld", org), adm, NULL, NULL);
	CHECK(r.status == 409 && strstr(r.body, "in_use"), "in use: %ld %s", r.status, r.body);
	resp_free(&r);
	json_t *o = get_org(adm, org);
	CHECK(o != NULL, "kept");
	json_decref(o);
	free(adm);
}

E2E_TEST(admin_audit_filters)
{
	char *adm = e2e_login("admin", E2E_PW);
	long long org = make_org(adm, "审计测试党委", 0);
	resp r = e2e_req("POST", "/api/v1/test/clock", adm, "{\"advance_s\":0}", NULL);
	char today[16];
	snprintf(today, sizeof today, "%s", jstr(r.json, "day") ? jstr(r.json, "day") : "");
	resp_free(&r);
	long long id = make_user(adm, "audit_u", "审计对象", "member", org);
	char p[256];
	/* By user: rows done to them (and by them). */
	r = e2e_req("GET", fmt(p, sizeof p, "/api/v1/audit?user_id=%lld", id), adm, NULL, NULL);
	CHECK_STATUS(r, 200);
	json_t *e = json_array_get(json_object_get(r.json, "entries"), 0);
	CHECK(jint(r.json, "total") == 1 && !strcmp(jstr(e, "action"), "user.create") && jstr(e, "at") &&
		      jstr(e, "target_label") && strstr(jstr(e, "target_label"), "audit_u"),
	      "by user: %s", r.body);
	resp_free(&r);
	/* By day: today has it, tomorrow not yet; after a day passes, "to" yesterday still has it. */
	r = e2e_req("GET", fmt(p, sizeof p, "/api/v1/audit?user_id=%lld&from=%s&to=%s", id, today, today), adm, NULL, NULL);
	CHECK(jint(r.json, "total") == 1, "today: %s", r.body);
	resp_free(&r);
	e2e_clock_advance(86400);
	char *t = e2e_login("audit_u", E2E_PW);
	free(t);
	char p2[64];
	r = e2e_req("PATCH", fmt(p2, sizeof p2, "/api/v1/users/%lld", id), adm, "{\"name\":\"审计对象二\"}", NULL);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	r = e2e_req("GET", fmt(p, sizeof p, "/api/v1/audit?user_id=%lld&to=%s", id, today), adm, NULL, NULL);
	CHECK(jint(r.json, "total") == 1, "up to yesterday: %s", r.body);
	resp_free(&r);
	r = e2e_req("GET", fmt(p, sizeof p, "/api/v1/audit?user_id=%lld&from=%s", id, today), adm, NULL, NULL);
	CHECK(jint(r.json, "total") == 2, "from yesterday on: %s", r.body);
	resp_free(&r);
	r = e2e_req("GET", fmt(p, sizeof p, "/api/v1/audit?user_id=%lld&action=user.update", id), adm, NULL, NULL);
	CHECK(jint(r.json, "total") == 1, "by action: %s", r.body);
	resp_free(&r);
	r = e2e_req("GET", fmt(p, sizeof p, "/api/v1/audit?user_id=%lld&action=user", id), adm, NULL, NULL);
	CHECK(jint(r.json, "total") == 2, "by action kind: %s", r.body);
	resp_free(&r);
	r = e2e_req("GET", "/api/v1/audit?actor_id=1&per_page=1", adm, NULL, NULL);
	CHECK(json_array_size(json_object_get(r.json, "entries")) == 1 && jint(r.json, "total") > 5, "by actor, paged: %.300s",
	      r.body);
	resp_free(&r);
	/* Bad filters are refused; non-admins get nothing. */
	const char *bad[] = {"/api/v1/audit?from=2026-13-45", "/api/v1/audit?to=yesterday", "/api/v1/audit?user_id=abc"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		r = e2e_req("GET", bad[i], adm, NULL, NULL);
		CHECK(r.status == 422, "%s: %ld", bad[i], r.status);
		resp_free(&r);
	}
	const char *who[] = {"zhangsan", "teacher", "assessor"};
	for (size_t i = 0; i < 3; i++) {
		t = e2e_login(who[i], E2E_PW);
		r = e2e_req("GET", "/api/v1/audit", t, NULL, NULL);
		CHECK_STATUS(r, 403);
		resp_free(&r);
		free(t);
	}
	/* Rows are never updated or deleted, even by SQL. */
	CHECK(e2e_sh("sqlite3 -cmd '.timeout 5000' %s/dangxiao.db \"UPDATE audit_log SET action = 'x'\" 2>&1 |"
		     " grep -q append-only",
		     e2e_data) == 0,
	      "audit_log refuses updates");
	CHECK(e2e_sh("sqlite3 -cmd '.timeout 5000' %s/dangxiao.db \"DELETE FROM audit_log\" 2>&1 | grep -q append-only",
		     e2e_data) == 0,
	      "audit_log refuses deletes");
	free(adm);
}

/* ---- CSV import with a preview ---- */

/* A user's JSON by username (new reference), or NULL. */
static json_t *user_by_name(const char *tok, const char *username)
{
	char p[128];
	resp r = e2e_req("GET", fmt(p, sizeof p, "/api/v1/users?q=%s", username), tok, NULL, NULL);
	json_t *found = NULL, *u;
	size_t i;
	json_array_foreach(json_object_get(r.json, "users"), i, u) if (!strcmp(jstr(u, "username"), username)) found =
		json_incref(u);
	resp_free(&r);
	return found;
}

static json_t *plan_line(json_t *j, int line)
{
	size_t i;
	json_t *l;
	json_array_foreach(json_object_get(j, "lines"), i, l) if (jint(l, "line") == line) return l;
	return NULL;
}

static long long org_total(const char *tok)
{
	resp r = e2e_req("GET", "/api/v1/orgs", tok, NULL, NULL);
	long long n = (long long)json_array_size(json_object_get(r.json, "orgs"));
	resp_free(&r);
	return n;
}

static resp import_req(const char *tok, const char *path, const char *csv, size_t len)
{
	e2e_opts o = {.timeout_s = 600};
	return e2e_req_opts(&o, "POST", path, tok, csv, len, "text/csv", NULL);
}

E2E_TEST(admin_import_preview_writes_nothing_until_confirmed)
{
	char *adm = e2e_login("admin", E2E_PW);
	long long org = make_org(adm, "导入预览党委", 0);
	long long id = make_user(adm, "imp_upd", "旧名字", "member", org);
	const char csv[] = "用户名,姓名,组织,角色,密码\n"
			   "imp_new,新学员,导入预览党委/新支部,学员,password1\n"
			   "IMP_UPD,新名字,导入预览党委/新支部,管理员,\n"
			   "imp_bad,坏角色,导入预览党委,皇帝,password3\n"
			   "imp_same,,导入预览党委,教师,password4\n"
			   "imp_t,教师甲,导入预览党委, 教师 ,password5\n";
	long long orgs_before = org_total(adm);
	resp r = import_req(adm, "/api/v1/users/import/preview", csv, sizeof csv - 1);
	CHECK_STATUS(r, 200);
	const char *digest = jstr(r.json, "digest");
	char dg[80] = "";
	if (digest)
		snprintf(dg, sizeof dg, "%s", digest);
	CHECK(strlen(dg) == 64, "digest: %s", r.body);
	json_t *l2 = plan_line(r.json, 2), *l3 = plan_line(r.json, 3), *l4 = plan_line(r.json, 4),
	       *l5 = plan_line(r.json, 5), *l6 = plan_line(r.json, 6);
	CHECK(l2 && !strcmp(jstr(l2, "action"), "create") && !strcmp(jstr(l2, "role"), "member") &&
		      json_is_true(json_object_get(l2, "new_org")),
	      "line 2 creates a member in a new org: %s", r.body);
	json_t *ch = json_object_get(l3, "changes");
	CHECK(l3 && !strcmp(jstr(l3, "action"), "update") && json_object_get(ch, "name") && json_object_get(ch, "org") &&
		      !json_object_get(ch, "role"),
	      "line 3 updates name and org, not the role: %s", r.body);
	json_t *note = json_array_get(json_object_get(l3, "notes"), 0);
	CHECK(note && !strcmp(jstr(note, "code"), "role_kept") && !strcmp(jstr(note, "to"), "admin"),
	      "line 3 says the role is kept: %s", r.body);
	CHECK(l4 && !strcmp(jstr(l4, "action"), "error") && strstr(jstr(l4, "message"), "学员"), "line 4 bad role: %s",
	      r.body);
	CHECK(l5 && !strcmp(jstr(l5, "action"), "error"), "line 5 no name: %s", r.body);
	CHECK(l6 && !strcmp(jstr(l6, "action"), "create") && !strcmp(jstr(l6, "role"), "instructor"),
	      "line 6 教师 with spaces: %s", r.body);
	json_t *sum = json_object_get(r.json, "summary");
	CHECK(jint(sum, "create") == 2 && jint(sum, "update") == 1 && jint(sum, "error") == 2, "summary: %s", r.body);
	CHECK(json_array_size(json_object_get(r.json, "new_orgs")) == 1, "one new org: %s", r.body);
	resp_free(&r);
	/* Nothing was written. */
	json_t *u = user_by_name(adm, "imp_new");
	CHECK(u == NULL, "imp_new not created by the preview");
	json_decref(u);
	u = user_by_name(adm, "imp_upd");
	CHECK(u && !strcmp(jstr(u, "name"), "旧名字"), "imp_upd unchanged by the preview");
	json_decref(u);
	CHECK(org_total(adm) == orgs_before, "no organisation created by the preview");
	r = e2e_req("GET", "/api/v1/audit?action=import", adm, NULL, NULL);
	long long confirms = jint(r.json, "total");
	resp_free(&r);
	/* No confirmation, a wrong one: refused, nothing written. */
	r = import_req(adm, "/api/v1/users/import", csv, sizeof csv - 1);
	CHECK(r.status == 422 && strstr(r.body, "preview_required"), "confirm needed: %ld %s", r.status, r.body);
	resp_free(&r);
	char path[256];
	r = import_req(adm, fmt(path, sizeof path, "/api/v1/users/import?confirm=%064d", 0), csv, sizeof csv - 1);
	CHECK(r.status == 409 && strstr(r.body, "stale_preview"), "wrong digest: %ld %s", r.status, r.body);
	resp_free(&r);
	/* The digest of this plan does not confirm another file. */
	const char other[] = "imp_evil,坏人,导入预览党委,管理员,password9\n";
	r = import_req(adm, fmt(path, sizeof path, "/api/v1/users/import?confirm=%s", dg), other, sizeof other - 1);
	CHECK_STATUS(r, 409);
	resp_free(&r);
	/* Nor the same file with role changes allowed (another plan). */
	r = import_req(adm, fmt(path, sizeof path, "/api/v1/users/import?confirm=%s&allow_role_changes=1", dg), csv,
		       sizeof csv - 1);
	CHECK_STATUS(r, 409);
	resp_free(&r);
	u = user_by_name(adm, "imp_evil");
	CHECK(u == NULL, "nothing from the other file");
	json_decref(u);
	CHECK(org_total(adm) == orgs_before, "still no new organisation");
	/* Confirmed: written as previewed; the role is kept. */
	r = import_req(adm, fmt(path, sizeof path, "/api/v1/users/import?confirm=%s", dg), csv, sizeof csv - 1);
	CHECK_STATUS(r, 200);
	CHECK(jint(r.json, "created") == 2 && jint(r.json, "updated") == 1 && json_array_size(json_object_get(r.json, "errors")) == 2,
	      "confirmed: %s", r.body);
	resp_free(&r);
	u = user_by_name(adm, "imp_upd");
	CHECK(u && !strcmp(jstr(u, "name"), "新名字") && !strcmp(jstr(u, "role"), "member") &&
		      !strcmp(jstr(u, "org_name"), "新支部"),
	      "updated, role kept");
	json_decref(u);
	char *t = e2e_login("imp_new", "password1");
	CHECK(t != NULL, "the created member logs in");
	free(t);
	CHECK(audit_count(adm, "user.update", "user", id) == 1, "user.update audited");
	r = e2e_req("GET", "/api/v1/audit?action=import.confirm", adm, NULL, NULL);
	CHECK(jint(r.json, "total") == confirms + 1, "import.confirm audited: %.300s", r.body);
	resp_free(&r);
	/* With role changes allowed (ticked on the page), the role changes too. */
	r = import_req(adm, "/api/v1/users/import/preview?allow_role_changes=1", csv, sizeof csv - 1);
	l3 = plan_line(r.json, 3);
	ch = json_object_get(l3, "changes");
	CHECK(l3 && json_object_get(ch, "role") && !json_object_get(ch, "name"), "role change previewed: %s", r.body);
	snprintf(dg, sizeof dg, "%s", jstr(r.json, "digest") ? jstr(r.json, "digest") : "");
	/* Line 2 exists now: given again, its password would be set again (and says so). */
	json_t *again = json_object_get(plan_line(r.json, 2), "changes");
	CHECK(plan_line(r.json, 2) && !strcmp(jstr(plan_line(r.json, 2), "action"), "update") &&
		      json_is_true(json_object_get(again, "password")) && json_object_size(again) == 1,
	      "line 2 only sets the password: %s", r.body);
	resp_free(&r);
	r = import_req(adm, fmt(path, sizeof path, "/api/v1/users/import?confirm=%s&allow_role_changes=1", dg), csv,
		       sizeof csv - 1);
	CHECK(r.status == 200 && jint(r.json, "updated") == 3, "confirmed: %s", r.body);
	resp_free(&r);
	u = user_by_name(adm, "imp_upd");
	CHECK(u && !strcmp(jstr(u, "role"), "admin"), "role changed when allowed");
	json_decref(u);
	json_t *e = audit_last(adm, "user", id);
	CHECK(e && json_object_get(json_object_get(e, "detail"), "role") &&
		      !strcmp(jstr(json_object_get(e, "detail"), "via"), "import"),
	      "the role change is audited");
	json_decref(e);
	/* Leave one active admin for the tests after this one. */
	r = e2e_req("PATCH", fmt(path, sizeof path, "/api/v1/users/%lld", id), adm, "{\"role\":\"member\"}", NULL);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	free(adm);
}

E2E_TEST(admin_import_stale_preview_is_refused)
{
	char *adm = e2e_login("admin", E2E_PW);
	long long org = make_org(adm, "导入过期党委", 0);
	long long id = make_user(adm, "imp_stale", "过期前", "member", org);
	const char csv[] = "imp_stale,导入的名字,导入过期党委,member,\n";
	resp r = import_req(adm, "/api/v1/users/import/preview", csv, sizeof csv - 1);
	char dg[80];
	snprintf(dg, sizeof dg, "%s", jstr(r.json, "digest") ? jstr(r.json, "digest") : "");
	resp_free(&r);
	/* A colleague edits the user between the preview and the confirmation. */
	char p[64];
	r = e2e_req("PATCH", fmt(p, sizeof p, "/api/v1/users/%lld", id), adm, "{\"name\":\"同事改的\"}", NULL);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	char path[160];
	r = import_req(adm, fmt(path, sizeof path, "/api/v1/users/import?confirm=%s", dg), csv, sizeof csv - 1);
	CHECK(r.status == 409 && strstr(r.body, "stale_preview") && strstr(r.body, "重新预览"), "stale: %ld %s", r.status,
	      r.body);
	resp_free(&r);
	r = get_user(adm, id);
	CHECK(!strcmp(jstr(r.json, "name"), "同事改的"), "the colleague's edit stands: %s", r.body);
	resp_free(&r);
	free(adm);
}

E2E_TEST(admin_import_not_csv_one_message)
{
	char *adm = e2e_login("admin", E2E_PW);
	long long orgs_before = org_total(adm);
	static const char xlsx[] = "PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00[Content_Types].xml\n"
				   "a,b,c\nd,e,f\n";
	static const char png[] = "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\n1,2,3\n4,5,6\n";
	/* "张三" in GBK, a usual export of older Excel versions. */
	static const char gbk[] = "zhang3,\xd5\xc5\xc8\xfd,\xca\xd0\xce\xaf,member,password1\n"
				  "li4,\xc0\xee\xcb\xc4,\xca\xd0\xce\xaf,member,password2\n";
	static const char utf16[] = "\xff\xfeu\x00s\x00e\x00r\x00";
	struct {
		const char *data;
		size_t len;
		const char *says;
	} bad[] = {
		{xlsx, sizeof xlsx - 1, "Excel"},
		{png, sizeof png - 1, "二进制"},
		{gbk, sizeof gbk - 1, "UTF-8"},
		{utf16, sizeof utf16 - 1, "UTF-8"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		resp r = import_req(adm, "/api/v1/users/import/preview", bad[i].data, bad[i].len);
		CHECK(r.status == 422, "file %zu: %ld %s", i, r.status, r.body);
		json_t *err = json_object_get(r.json, "error");
		CHECK(jstr(err, "code") && !strcmp(jstr(err, "code"), "not_csv") && strstr(jstr(err, "message"), bad[i].says),
		      "file %zu: one clear message: %s", i, r.body);
		CHECK(!json_object_get(r.json, "lines"), "file %zu: no line errors: %s", i, r.body);
		resp_free(&r);
		r = import_req(adm, "/api/v1/users/import?confirm=0000000000000000000000000000000000000000000000000000000000000000",
			       bad[i].data, bad[i].len);
		CHECK(r.status == 422, "confirming file %zu: %ld", i, r.status);
		resp_free(&r);
	}
	json_t *u = user_by_name(adm, "zhang3");
	CHECK(u == NULL, "nothing imported");
	json_decref(u);
	CHECK(org_total(adm) == orgs_before, "no organisation created");
	free(adm);
}

E2E_TEST(admin_import_template)
{
	char *adm = e2e_login("admin", E2E_PW);
	resp r = e2e_req("GET", "/api/v1/users/import/template", adm, NULL, NULL);
	CHECK_STATUS(r, 200);
	char *ct = resp_header(&r, "Content-Type"), *cd = resp_header(&r, "Content-Disposition");
	CHECK(ct && strstr(ct, "text/csv"), "type: %s", ct ? ct : "");
	CHECK(cd && strstr(cd, "attachment"), "download: %s", cd ? cd : "");
	CHECK(r.len > 3 && !memcmp(r.body, "\xEF\xBB\xBF", 3) && strstr(r.body, "用户名,姓名,组织,角色,密码"),
	      "BOM and Chinese header: %.200s", r.body);
	free(ct);
	free(cd);
	/* The template itself previews cleanly: every example line is valid. */
	resp p = import_req(adm, "/api/v1/users/import/preview", r.body, r.len);
	CHECK(p.status == 200 && jint(json_object_get(p.json, "summary"), "error") == 0 &&
		      jint(json_object_get(p.json, "summary"), "create") >= 1,
	      "template previews: %s", p.body);
	resp_free(&p);
	resp_free(&r);
	char *m = e2e_login("zhangsan", E2E_PW);
	r = e2e_req("GET", "/api/v1/users/import/template", m, NULL, NULL);
	CHECK_STATUS(r, 403);
	resp_free(&r);
	free(m);
	free(adm);
}

/* ---- every user's account ---- */

E2E_TEST(account_password_change)
{
	char *adm = e2e_login("admin", E2E_PW);
	long long org = make_org(adm, "账户测试党委", 0);
	long long id = make_user(adm, "acct_u", "账户", "member", org);
	char *t1 = e2e_login("acct_u", E2E_PW), *t2 = e2e_login("acct_u", E2E_PW);
	struct {
		const char *body;
		const char *code;
	} bad[] = {
		{"{\"current_password\":\"wrongwrong\",\"new_password\":\"newpassword1\"}", "wrong_password"},
		{"{\"current_password\":\"" E2E_PW "\",\"new_password\":\"short\"}", "weak_password"},
		{"{\"current_password\":\"" E2E_PW "\",\"new_password\":\"" E2E_PW "\"}", "same_password"},
		{"{\"new_password\":\"newpassword1\"}", "missing_field"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		resp r = e2e_req("POST", "/api/v1/me/password", t1, bad[i].body, NULL);
		CHECK(r.status == 422 && strstr(r.body, bad[i].code), "%s: %ld %s", bad[i].body, r.status, r.body);
		resp_free(&r);
	}
	resp r = e2e_req("GET", "/api/v1/me", t2, NULL, NULL);
	CHECK_STATUS(r, 200); /* the refusals ended nothing */
	resp_free(&r);
	r = e2e_req("POST", "/api/v1/me/password", t1,
		    "{\"current_password\":\"" E2E_PW "\",\"new_password\":\"newpassword1\"}", NULL);
	CHECK_STATUS(r, 200);
	CHECK(jint(r.json, "sessions_ended") == 1, "the other session ended: %s", r.body);
	resp_free(&r);
	r = e2e_req("GET", "/api/v1/me", t1, NULL, NULL);
	CHECK_STATUS(r, 200); /* this one stays */
	resp_free(&r);
	r = e2e_req("GET", "/api/v1/me", t2, NULL, NULL);
	CHECK_STATUS(r, 401);
	resp_free(&r);
	r = e2e_req("POST", "/api/v1/session", NULL, "{\"username\":\"acct_u\",\"password\":\"" E2E_PW "\"}", NULL);
	CHECK_STATUS(r, 401);
	resp_free(&r);
	char *t3 = e2e_login("acct_u", "newpassword1");
	CHECK(t3 != NULL, "the new password works");
	CHECK(audit_count(adm, "user.password_change", "user", id) == 1, "audited");
	/* After a reset the change is flagged, and cleared by the user's own change. */
	char p[96];
	r = e2e_req("POST", fmt(p, sizeof p, "/api/v1/users/%lld/password-reset", id), adm, NULL, NULL);
	char one[40] = "";
	snprintf(one, sizeof one, "%s", jstr(r.json, "password") ? jstr(r.json, "password") : "");
	resp_free(&r);
	char *t4 = e2e_login("acct_u", one);
	r = e2e_req("GET", "/api/v1/me", t4, NULL, NULL);
	CHECK(json_is_true(json_object_get(r.json, "must_change_password")), "flagged: %s", r.body);
	resp_free(&r);
	char body[200];
	r = e2e_req("POST", "/api/v1/me/password", t4,
		    fmt(body, sizeof body, "{\"current_password\":\"%s\",\"new_password\":\"mypassword2\"}", one), NULL);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	r = e2e_req("GET", "/api/v1/me", t4, NULL, NULL);
	CHECK(json_is_false(json_object_get(r.json, "must_change_password")), "cleared: %s", r.body);
	resp_free(&r);
	free(t1);
	free(t2);
	free(t3);
	free(t4);
	free(adm);
}

/* A stolen session cannot guess the current password: wrong guesses are throttled like logins. */
E2E_TEST(account_password_guesses_throttled)
{
	char *adm = e2e_login("admin", E2E_PW);
	long long org = make_org(adm, "猜密码党委", 0);
	make_user(adm, "acct_guess", "被猜", "member", org);
	free(adm);
	char *t = e2e_login("acct_guess", E2E_PW);
	long last = 0;
	for (int i = 0; i < 12 && last != 429; i++) {
		char body[160];
		resp r = e2e_req("POST", "/api/v1/me/password", t,
				 fmt(body, sizeof body, "{\"current_password\":\"guess%04d\",\"new_password\":\"newpassword1\"}", i),
				 NULL);
		last = r.status;
		resp_free(&r);
	}
	CHECK(last == 429, "guessing is slowed down: %ld", last);
	resp r = e2e_req("POST", "/api/v1/me/password", t, "{\"current_password\":\"" E2E_PW "\",\"new_password\":\"newpassword1\"}",
			 NULL);
	CHECK_STATUS(r, 429); /* even the right one must wait now */
	resp_free(&r);
	free(t);
	e2e_clock_advance(16 * 60);
}

E2E_TEST(account_sessions_list_and_end)
{
	char *adm = e2e_login("admin", E2E_PW);
	long long org = make_org(adm, "会话测试党委", 0);
	make_user(adm, "sess_u", "会话", "member", org);
	make_user(adm, "sess_v", "别人", "member", org);
	free(adm);
	char *a = e2e_login("sess_u", E2E_PW), *b = e2e_login("sess_u", E2E_PW), *c = e2e_login("sess_u", E2E_PW);
	char *other = e2e_login("sess_v", E2E_PW);
	resp r = e2e_req("GET", "/api/v1/me/sessions", a, NULL, NULL);
	CHECK_STATUS(r, 200);
	json_t *ss = json_object_get(r.json, "sessions");
	CHECK(json_array_size(ss) == 3, "three sessions: %s", r.body);
	int current = 0;
	size_t i;
	json_t *s;
	json_array_foreach(ss, i, s)
	{
		current += json_is_true(json_object_get(s, "current"));
		CHECK(jstr(s, "id") && strlen(jstr(s, "id")) == 16 && jstr(s, "ip") && !strcmp(jstr(s, "ip"), "127.0.0.1") &&
			      jstr(s, "created_at"),
		      "session fields: %s", r.body);
		CHECK(!strstr(r.body, a) && !strstr(r.body, b), "no token in the list");
	}
	CHECK(current == 1, "one is current: %s", r.body);
	resp_free(&r);
	/* The other user's session id. */
	r = e2e_req("GET", "/api/v1/me/sessions", other, NULL, NULL);
	char osid[32] = "";
	snprintf(osid, sizeof osid, "%s", jstr(json_array_get(json_object_get(r.json, "sessions"), 0), "id") ?: "");
	resp_free(&r);
	char p[96];
	r = e2e_req("DELETE", fmt(p, sizeof p, "/api/v1/me/sessions/%s", osid), a, NULL, NULL);
	CHECK_STATUS(r, 404); /* someone else's: as if it did not exist */
	resp_free(&r);
	r = e2e_req("GET", "/api/v1/me", other, NULL, NULL);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	const char *junk[] = {"zzzzzzzzzzzzzzzz", "0123", "..%2F..%2Fx"};
	for (size_t k = 0; k < 3; k++) {
		r = e2e_req("DELETE", fmt(p, sizeof p, "/api/v1/me/sessions/%s", junk[k]), a, NULL, NULL);
		CHECK_STATUS(r, 404);
		resp_free(&r);
	}
	/* End b's session from a: b stops at once, a and c go on. */
	r = e2e_req("GET", "/api/v1/me/sessions", b, NULL, NULL);
	char bsid[32] = "";
	json_array_foreach(json_object_get(r.json, "sessions"), i, s) if (json_is_true(json_object_get(s, "current")))
		snprintf(bsid, sizeof bsid, "%s", jstr(s, "id"));
	resp_free(&r);
	r = e2e_req("DELETE", fmt(p, sizeof p, "/api/v1/me/sessions/%s", bsid), a, NULL, NULL);
	CHECK_STATUS(r, 204);
	resp_free(&r);
	r = e2e_req("GET", "/api/v1/me", b, NULL, NULL);
	CHECK_STATUS(r, 401);
	resp_free(&r);
	r = e2e_req("GET", "/api/v1/me", c, NULL, NULL);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	/* End all the others. */
	r = e2e_req("DELETE", "/api/v1/me/sessions", a, NULL, NULL);
	CHECK(r.status == 200 && jint(r.json, "ended") == 1, "ended c: %s", r.body);
	resp_free(&r);
	r = e2e_req("GET", "/api/v1/me", c, NULL, NULL);
	CHECK_STATUS(r, 401);
	resp_free(&r);
	r = e2e_req("GET", "/api/v1/me", a, NULL, NULL);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	r = e2e_req("GET", "/api/v1/me", other, NULL, NULL);
	CHECK_STATUS(r, 200); /* nobody else's */
	resp_free(&r);
	free(a);
	free(b);
	free(c);
	free(other);
}

E2E_TEST(account_login_ignores_case_and_spaces)
{
	resp r = e2e_req("POST", "/api/v1/session", NULL, "{\"username\":\"  ZhangSan \",\"password\":\"" E2E_PW "\"}", NULL);
	CHECK_STATUS(r, 200);
	CHECK(!strcmp(jstr(json_object_get(r.json, "user"), "username"), "zhangsan"), "the account: %s", r.body);
	resp_free(&r);
}
