/* test_manage.c — an instructor tidies a course (issue 12): publish checks, unpublish with the number
 * of members, archive and restore, lectures without a video hidden from members, rename with a
 * revision (a stale edit is 409), reorder (a list that is not a permutation is 422), delete or
 * archive, the roster as JSON, CSV and a page; another instructor's course or lecture is 403; the
 * audit log records each change. Every refusal changes nothing. */
#include "e2e.h"

#include <stdarg.h>

static int g_seq;

static resp req(const char *method, const char *tok, const char *body, const char *f, ...)
	__attribute__((format(printf, 4, 5)));
static resp req(const char *method, const char *tok, const char *body, const char *f, ...)
{
	char path[512];
	va_list ap;
	va_start(ap, f);
	vsnprintf(path, sizeof path, f, ap);
	va_end(ap);
	return e2e_req(method, path, tok, body, NULL);
}

static const char *err_code(const resp *r)
{
	return jstr(json_object_get(r->json, "error"), "code") ?: "";
}

static const char *err_msg(const resp *r)
{
	return jstr(json_object_get(r->json, "error"), "message") ?: "";
}

/* A new draft course of the token's instructor; hours < 0: no credit_hours field. */
static long long new_course(const char *tok, double hours)
{
	char body[256];
	if (hours < 0)
		snprintf(body, sizeof body, "{\"title\":\"整理测试课%d\",\"category\":\"党史党建\"}", ++g_seq);
	else
		snprintf(body, sizeof body, "{\"title\":\"整理测试课%d\",\"category\":\"党史党建\",\"credit_hours\":%g}",
			 ++g_seq, hours);
	resp r = e2e_req("POST", "/api/v1/courses", tok, body, NULL);
	CHECK_STATUS(r, 201);
	long long id = jint(r.json, "id");
	resp_free(&r);
	return id;
}

static long long new_lecture(const char *tok, long long course, const char *title)
{
	char body[256];
	snprintf(body, sizeof body, "{\"title\":\"%s\"}", title);
	resp r = req("POST", tok, body, "/api/v1/courses/%lld/lectures", course);
	CHECK_STATUS(r, 201);
	long long id = jint(r.json, "id");
	resp_free(&r);
	return id;
}

/* Entries of the audit log for an action on a target. */
static long long audit_count(const char *action, long long target)
{
	char *adm = e2e_login("admin", E2E_PW);
	resp r = req("GET", adm, NULL, "/api/v1/audit?action=%s&target_id=%lld", action, target);
	CHECK_STATUS(r, 200);
	long long n = jint(r.json, "total");
	resp_free(&r);
	free(adm);
	return n;
}

/* The lecture ids of GET /api/v1/courses/{id} as tok sees them, as "1,2,3". */
static void course_lecture_ids(const char *tok, long long course, char *out, size_t n)
{
	resp r = req("GET", tok, NULL, "/api/v1/courses/%lld", course);
	size_t i, o = 0;
	json_t *l;
	out[0] = 0;
	json_array_foreach(json_object_get(r.json, "lectures"), i, l)
	o += (size_t)snprintf(out + o, n - o, "%s%lld", i ? "," : "", jint(l, "id"));
	resp_free(&r);
}

/* The instructor's list (GET …/lectures) as "1,2,3". */
static void editor_lecture_ids(const char *tok, long long course, char *out, size_t n)
{
	resp r = req("GET", tok, NULL, "/api/v1/courses/%lld/lectures", course);
	CHECK_STATUS(r, 200);
	size_t i, o = 0;
	json_t *l;
	out[0] = 0;
	json_array_foreach(json_object_get(r.json, "lectures"), i, l)
	o += (size_t)snprintf(out + o, n - o, "%s%lld", i ? "," : "", jint(l, "id"));
	resp_free(&r);
}

/* A second instructor (another's courses are theirs to be refused). */
static char *other_instructor(void)
{
	char *adm = e2e_login("admin", E2E_PW);
	resp r = e2e_req("GET", "/api/v1/orgs", adm, NULL, NULL);
	long long org = 0;
	size_t i;
	json_t *o;
	json_array_foreach(json_object_get(r.json, "orgs"), i, o)
	if (!strcmp(jstr(o, "name"), "市委党校"))
		org = jint(o, "id");
	resp_free(&r);
	char body[256];
	snprintf(body, sizeof body,
		 "{\"username\":\"manage_t2\",\"name\":\"整理老师\",\"password\":\"" E2E_PW "\",\"role\":\"instructor\","
		 "\"org_id\":%lld}",
		 org);
	r = e2e_req("POST", "/api/v1/users", adm, body, NULL);
	CHECK(r.status == 201 || r.status == 409, "manage_t2: %ld", r.status);
	resp_free(&r);
	free(adm);
	return e2e_login("manage_t2", E2E_PW);
}

/* Publishing says what is missing (a ready lecture, credit hours) and changes nothing until both
   are there; publish and unpublish are in the audit log. */
E2E_TEST(manage_publish_checks)
{
	char *t = e2e_login("teacher", E2E_PW);
	long long c = new_course(t, -1);
	resp r = req("POST", t, NULL, "/api/v1/courses/%lld/publish", c);
	CHECK_STATUS(r, 422);
	CHECK(!strcmp(err_code(&r), "not_ready"), "code: %s", err_code(&r));
	json_t *missing = json_object_get(json_object_get(r.json, "error"), "missing");
	CHECK(json_array_size(missing) == 2 && !strcmp(json_string_value(json_array_get(missing, 0)), "ready_lecture") &&
		      !strcmp(json_string_value(json_array_get(missing, 1)), "credit_hours"),
	      "missing both: %s", r.body);
	CHECK(strstr(err_msg(&r), "讲座") && strstr(err_msg(&r), "学时"), "message says what: %s", err_msg(&r));
	resp_free(&r);

	/* A lecture without a video does not count. */
	long long l = new_lecture(t, c, "还没有视频");
	r = req("PATCH", t, "{\"credit_hours\":1.5}", "/api/v1/courses/%lld", c);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	r = req("POST", t, NULL, "/api/v1/courses/%lld/publish", c);
	CHECK_STATUS(r, 422);
	missing = json_object_get(json_object_get(r.json, "error"), "missing");
	CHECK(json_array_size(missing) == 1 && !strcmp(json_string_value(json_array_get(missing, 0)), "ready_lecture"),
	      "only the lecture is missing: %s", r.body);
	CHECK(!strstr(err_msg(&r), "学时"), "hours are there: %s", err_msg(&r));
	resp_free(&r);
	r = req("GET", t, NULL, "/api/v1/courses/%lld", c);
	CHECK(!strcmp(jstr(r.json, "status") ?: "", "draft"), "still a draft: %s", jstr(r.json, "status"));
	resp_free(&r);
	CHECK(audit_count("course.publish", c) == 0, "a refused publish is not audited");

	/* Zero hours with a ready lecture: the hours are missing. */
	e2e_ready_lecture(c, l, 30);
	r = req("PATCH", t, "{\"credit_hours\":0}", "/api/v1/courses/%lld", c);
	resp_free(&r);
	r = req("POST", t, NULL, "/api/v1/courses/%lld/publish", c);
	CHECK_STATUS(r, 422);
	missing = json_object_get(json_object_get(r.json, "error"), "missing");
	CHECK(json_array_size(missing) == 1 && !strcmp(json_string_value(json_array_get(missing, 0)), "credit_hours"),
	      "only the hours are missing: %s", r.body);
	resp_free(&r);

	r = req("PATCH", t, "{\"credit_hours\":2}", "/api/v1/courses/%lld", c);
	resp_free(&r);
	r = req("POST", t, NULL, "/api/v1/courses/%lld/publish", c);
	CHECK_STATUS(r, 200);
	CHECK(!strcmp(jstr(r.json, "status") ?: "", "published"), "published");
	resp_free(&r);
	CHECK(audit_count("course.publish", c) == 1, "publish audited");
	/* An archived lecture does not count either. */
	long long c2 = new_course(t, 1);
	long long l2 = new_lecture(t, c2, "归档的讲座");
	e2e_ready_lecture(c2, l2, 30);
	e2e_sql("UPDATE lectures SET archived_at = 1 WHERE id = %lld", l2);
	r = req("POST", t, NULL, "/api/v1/courses/%lld/publish", c2);
	CHECK_STATUS(r, 422);
	resp_free(&r);
	free(t);
}

/* Unpublishing answers how many members are enrolled, the editor carries the count for its
   confirmation, and the audit row has it. */
E2E_TEST(manage_unpublish_tells_enrolled)
{
	char *t = e2e_login("teacher", E2E_PW);
	long long c = new_course(t, 1);
	resp r = e2e_publish(t, c);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	const char *members[] = {"zhangsan", "lisi"};
	for (int i = 0; i < 2; i++) {
		char *m = e2e_login(members[i], E2E_PW);
		r = req("POST", m, NULL, "/api/v1/courses/%lld/enroll", c);
		CHECK_STATUS(r, 200);
		resp_free(&r);
		free(m);
	}
	r = req("GET", t, NULL, "/teach/courses/%lld", c);
	CHECK_STATUS(r, 200);
	CHECK(r.body && strstr(r.body, "data-enrolled=\"2\""), "the editor knows the count for its confirmation");
	CHECK(r.body && strstr(r.body, "id=\"unpublish\"") && strstr(r.body, "id=\"archive\""), "buttons are there");
	resp_free(&r);
	r = req("POST", t, NULL, "/api/v1/courses/%lld/unpublish", c);
	CHECK_STATUS(r, 200);
	CHECK(jint(r.json, "enrolled_members") == 2, "two members enrolled: %s", r.body);
	CHECK(!strcmp(jstr(r.json, "status") ?: "", "draft"), "unpublished");
	resp_free(&r);
	CHECK(audit_count("course.unpublish", c) == 1, "unpublish audited");
	char *adm = e2e_login("admin", E2E_PW);
	r = req("GET", adm, NULL, "/api/v1/audit?action=course.unpublish&target_id=%lld", c);
	json_t *d = json_object_get(json_array_get(json_object_get(r.json, "entries"), 0), "detail");
	CHECK(jint(d, "enrolled") == 2, "the audit row has the count: %s", r.body);
	CHECK(!strcmp(jstr(json_array_get(json_object_get(r.json, "entries"), 0), "target_kind") ?: "", "course"),
	      "target kind course");
	resp_free(&r);
	free(adm);
	free(t);
}

/* A lecture without a served video (and an archived one) is unknown to members: not listed, 404 on
   its API and page; its instructor sees it. */
E2E_TEST(manage_lecture_without_video_hidden)
{
	char *t = e2e_login("teacher", E2E_PW);
	long long c = new_course(t, 1);
	long long ready = new_lecture(t, c, "有视频的讲座");
	long long empty = new_lecture(t, c, "没有视频的讲座");
	e2e_ready_lecture(c, ready, 30);
	resp r = e2e_publish(t, c);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	char *m = e2e_login("zhangsan", E2E_PW);
	r = req("POST", m, NULL, "/api/v1/courses/%lld/enroll", c);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	char ids[256], want[64];
	course_lecture_ids(m, c, ids, sizeof ids);
	snprintf(want, sizeof want, "%lld", ready);
	CHECK(!strcmp(ids, want), "member sees only the ready lecture: %s", ids);
	course_lecture_ids(t, c, ids, sizeof ids);
	snprintf(want, sizeof want, "%lld,%lld", ready, empty);
	CHECK(!strcmp(ids, want), "instructor sees both: %s", ids);
	r = req("GET", m, NULL, "/api/v1/lectures/%lld", empty);
	CHECK_STATUS(r, 404);
	resp_free(&r);
	r = req("GET", m, NULL, "/api/v1/lectures/%lld", ready);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	r = req("GET", m, NULL, "/lectures/%lld", empty);
	CHECK_STATUS(r, 404);
	resp_free(&r);
	r = req("POST", m, NULL, "/api/v1/lectures/%lld/play", empty);
	CHECK_STATUS(r, 404);
	resp_free(&r);
	r = req("GET", m, NULL, "/courses/%lld", c);
	CHECK_STATUS(r, 200);
	CHECK(r.body && !strstr(r.body, "没有视频的讲座") && strstr(r.body, "有视频的讲座"), "course page lists only the ready one");
	resp_free(&r);
	r = req("GET", m, NULL, "/lectures/%lld", ready);
	CHECK(r.body && !strstr(r.body, "没有视频的讲座"), "the player's list neither");
	resp_free(&r);
	r = req("GET", t, NULL, "/api/v1/lectures/%lld", empty);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	r = req("GET", t, NULL, "/teach/courses/%lld", c);
	CHECK(r.body && strstr(r.body, "没有视频的讲座") && strstr(r.body, "学员不可见"), "the editor marks it hidden");
	resp_free(&r);
	/* Once it has a video, members see it. */
	e2e_ready_lecture(c, empty, 30);
	r = req("GET", m, NULL, "/api/v1/lectures/%lld", empty);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	free(m);
	free(t);
}

/* Rename: the revision read (or updated_at) is required; a stale one is 409 with a message and the
   title stays; another instructor's lecture is 403. */
E2E_TEST(manage_lecture_rename)
{
	char *t = e2e_login("teacher", E2E_PW);
	long long c = new_course(t, 1);
	long long l = new_lecture(t, c, "原来的标题");
	e2e_ready_lecture(c, l, 30);
	resp r = req("GET", t, NULL, "/api/v1/lectures/%lld", l);
	long long rev = jint(r.json, "revision");
	char at[40];
	snprintf(at, sizeof at, "%s", jstr(r.json, "updated_at") ?: "");
	CHECK(rev == 1, "a new lecture is revision 1: %lld", rev);
	resp_free(&r);
	char body[256];
	e2e_clock_advance(5); /* the rename's updated_at differs from the one read */
	snprintf(body, sizeof body, "{\"title\":\"新标题\",\"revision\":%lld}", rev);
	r = req("PATCH", t, body, "/api/v1/lectures/%lld", l);
	CHECK_STATUS(r, 200);
	CHECK(!strcmp(jstr(r.json, "title") ?: "", "新标题") && jint(r.json, "revision") == rev + 1, "renamed: %s", r.body);
	resp_free(&r);
	/* The same revision again: someone changed it since. */
	snprintf(body, sizeof body, "{\"title\":\"覆盖的标题\",\"revision\":%lld}", rev);
	r = req("PATCH", t, body, "/api/v1/lectures/%lld", l);
	CHECK_STATUS(r, 409);
	CHECK(!strcmp(err_code(&r), "stale") && strstr(err_msg(&r), "刷新"), "stale with a message: %s", r.body);
	CHECK(jint(json_object_get(r.json, "error"), "revision") == rev + 1, "tells the current revision");
	resp_free(&r);
	/* updated_at as read before the rename is stale too. */
	snprintf(body, sizeof body, "{\"title\":\"覆盖的标题\",\"updated_at\":\"%s\"}", at);
	r = req("GET", t, NULL, "/api/v1/lectures/%lld", l);
	char now_at[40];
	snprintf(now_at, sizeof now_at, "%s", jstr(r.json, "updated_at") ?: "");
	resp_free(&r);
	CHECK(strcmp(now_at, at), "the rename moved updated_at: %s", now_at);
	r = req("PATCH", t, body, "/api/v1/lectures/%lld", l);
	CHECK_STATUS(r, 409);
	CHECK(!strcmp(err_code(&r), "stale"), "stale by updated_at");
	resp_free(&r);
	snprintf(body, sizeof body, "{\"title\":\"按时间改的标题\",\"updated_at\":\"%s\"}", now_at);
	r = req("PATCH", t, body, "/api/v1/lectures/%lld", l);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	/* Bad input. */
	const char *bad[] = {"{\"title\":\"没有修订号\"}", "{\"title\":\"   \",\"revision\":3}",
			     "{\"title\":\"x\",\"revision\":\"3\"}", "{\"title\":\"x\",\"updated_at\":\"昨天\"}", "{\"revision\":3}"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		r = req("PATCH", t, bad[i], "/api/v1/lectures/%lld", l);
		CHECK_STATUS(r, 422);
		resp_free(&r);
	}
	r = req("GET", t, NULL, "/api/v1/lectures/%lld", l);
	CHECK(!strcmp(jstr(r.json, "title") ?: "", "按时间改的标题") && jint(r.json, "revision") == 3,
	      "only the good renames took: %s rev %lld", jstr(r.json, "title"), jint(r.json, "revision"));
	resp_free(&r);
	CHECK(audit_count("lecture.rename", l) == 2, "two renames audited");

	/* Another instructor: 403 on the published course's lecture, nothing changed. */
	r = e2e_publish(t, c);
	resp_free(&r);
	char *t2 = other_instructor();
	r = req("PATCH", t2, "{\"title\":\"别人的改动\",\"revision\":3}", "/api/v1/lectures/%lld", l);
	CHECK_STATUS(r, 403);
	resp_free(&r);
	r = req("DELETE", t2, NULL, "/api/v1/lectures/%lld", l);
	CHECK_STATUS(r, 403);
	resp_free(&r);
	char *m = e2e_login("zhangsan", E2E_PW);
	r = req("PATCH", m, "{\"title\":\"学员的改动\",\"revision\":3}", "/api/v1/lectures/%lld", l);
	CHECK_STATUS(r, 403);
	resp_free(&r);
	/* A lecture without a video: unknown to members, but another instructor changing it is 403 too. */
	long long empty = new_lecture(t, c, "还没有视频的讲座");
	r = req("PATCH", t2, "{\"title\":\"别人的改动\",\"revision\":1}", "/api/v1/lectures/%lld", empty);
	CHECK_STATUS(r, 403);
	resp_free(&r);
	r = req("DELETE", t2, NULL, "/api/v1/lectures/%lld", empty);
	CHECK_STATUS(r, 403);
	resp_free(&r);
	r = req("GET", m, NULL, "/api/v1/lectures/%lld", empty);
	CHECK_STATUS(r, 404);
	resp_free(&r);
	r = req("GET", t, NULL, "/api/v1/lectures/%lld", empty);
	CHECK(!strcmp(jstr(r.json, "title") ?: "", "还没有视频的讲座"), "unchanged: %s", jstr(r.json, "title"));
	resp_free(&r);
	r = req("GET", t, NULL, "/api/v1/lectures/%lld", l);
	CHECK(!strcmp(jstr(r.json, "title") ?: "", "按时间改的标题") && jint(r.json, "revision") == 3, "unchanged");
	resp_free(&r);
	free(m);
	free(t2);
	free(t);
}

/* Reorder: the full list of the course's lectures; anything else is 422 and the order stays. */
E2E_TEST(manage_lecture_reorder)
{
	char *t = e2e_login("teacher", E2E_PW);
	long long c = new_course(t, 1);
	long long a = new_lecture(t, c, "甲"), b = new_lecture(t, c, "乙"), d = new_lecture(t, c, "丙");
	long long other = new_lecture(t, new_course(t, 1), "别的课的讲座");
	char ids[256], want[256], body[256];
	snprintf(body, sizeof body, "{\"lecture_ids\":[%lld,%lld,%lld]}", d, a, b);
	resp r = req("PUT", t, body, "/api/v1/courses/%lld/lectures/order", c);
	CHECK_STATUS(r, 200);
	CHECK(json_array_size(json_object_get(r.json, "lectures")) == 3 &&
		      jint(json_array_get(json_object_get(r.json, "lectures"), 0), "id") == d,
	      "the answer is the new order: %.300s", r.body);
	resp_free(&r);
	snprintf(want, sizeof want, "%lld,%lld,%lld", d, a, b);
	editor_lecture_ids(t, c, ids, sizeof ids);
	CHECK(!strcmp(ids, want), "order kept: %s (want %s)", ids, want);
	course_lecture_ids(t, c, ids, sizeof ids);
	CHECK(!strcmp(ids, want), "the course shows it: %s", ids);
	CHECK(audit_count("lecture.reorder", c) == 1, "reorder audited");

	char bad[8][160];
	snprintf(bad[0], sizeof bad[0], "{\"lecture_ids\":[%lld,%lld]}", a, b);                   /* one missing */
	snprintf(bad[1], sizeof bad[1], "{\"lecture_ids\":[%lld,%lld,%lld]}", a, a, b);           /* twice */
	snprintf(bad[2], sizeof bad[2], "{\"lecture_ids\":[%lld,%lld,%lld]}", a, b, other);       /* another course's */
	snprintf(bad[3], sizeof bad[3], "{\"lecture_ids\":[%lld,%lld,%lld,%lld]}", a, b, d, other); /* one too many */
	snprintf(bad[4], sizeof bad[4], "{\"lecture_ids\":[%lld,%lld,\"%lld\"]}", a, b, d);       /* not a number */
	snprintf(bad[5], sizeof bad[5], "{\"lecture_ids\":\"%lld,%lld,%lld\"}", a, b, d);         /* not a list */
	snprintf(bad[6], sizeof bad[6], "{}");
	snprintf(bad[7], sizeof bad[7], "{\"lecture_ids\":[%lld,%lld,999999]}", a, b);
	for (int i = 0; i < 8; i++) {
		r = req("PUT", t, bad[i], "/api/v1/courses/%lld/lectures/order", c);
		CHECK(r.status == 422, "%s: %ld %.200s", bad[i], r.status, r.body ?: "");
		CHECK(!*err_msg(&r) || (unsigned char)err_msg(&r)[0] >= 0x80, "a Chinese message: %s", err_msg(&r));
		resp_free(&r);
	}
	editor_lecture_ids(t, c, ids, sizeof ids);
	CHECK(!strcmp(ids, want), "refusals moved nothing: %s", ids);
	/* Another instructor: 403 on a published course, 404 on a draft; nothing moves. */
	r = e2e_publish(t, c);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	char *t2 = other_instructor();
	long long ready = (long long)e2e_sql("SELECT id FROM lectures WHERE course_id = %lld AND title = '就绪讲座'", c);
	snprintf(body, sizeof body, "{\"lecture_ids\":[%lld,%lld,%lld,%lld]}", a, b, d, ready);
	r = req("PUT", t2, body, "/api/v1/courses/%lld/lectures/order", c);
	CHECK_STATUS(r, 403);
	resp_free(&r);
	long long draft = new_course(t, 1);
	r = req("PUT", t2, "{\"lecture_ids\":[]}", "/api/v1/courses/%lld/lectures/order", draft);
	CHECK_STATUS(r, 404);
	resp_free(&r);
	snprintf(want, sizeof want, "%lld,%lld,%lld,%lld", d, a, b, ready);
	editor_lecture_ids(t, c, ids, sizeof ids);
	CHECK(!strcmp(ids, want), "nothing moved: %s", ids);
	free(t2);
	free(t);
}

/* Delete: a lecture nobody studied is gone; one with credited study time is archived (hidden from
   everyone, the member's record and the roster's time kept). */
E2E_TEST(manage_lecture_delete_or_archive)
{
	char *t = e2e_login("teacher", E2E_PW);
	long long c = new_course(t, 1);
	long long studied = new_lecture(t, c, "学过的讲座"), fresh = new_lecture(t, c, "没人学过的讲座");
	long long keep = new_lecture(t, c, "留下的讲座");
	e2e_ready_lecture(c, studied, 60);
	e2e_ready_lecture(c, keep, 60);
	resp r = e2e_publish(t, c);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	char *m = e2e_login("zhangsan", E2E_PW);
	r = req("POST", m, NULL, "/api/v1/courses/%lld/enroll", c);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	long long uid = (long long)e2e_sql("SELECT id FROM users WHERE username = 'zhangsan'");
	e2e_sql("INSERT INTO lecture_progress(user_id, lecture_id, study_s, covered_s, updated_at) VALUES (%lld, %lld, 45,"
		" 45, strftime('%%s','now'))",
		uid, studied);

	r = req("DELETE", t, NULL, "/api/v1/lectures/%lld", fresh);
	CHECK_STATUS(r, 200);
	CHECK(!strcmp(jstr(r.json, "result") ?: "", "deleted"), "never studied: deleted (%s)", r.body);
	resp_free(&r);
	CHECK(e2e_sql("SELECT count(*) FROM lectures WHERE id = %lld", fresh) == 0, "its row is gone");
	r = req("GET", t, NULL, "/api/v1/lectures/%lld", fresh);
	CHECK_STATUS(r, 404);
	resp_free(&r);
	CHECK(audit_count("lecture.delete", fresh) == 1, "delete audited");

	r = req("DELETE", t, NULL, "/api/v1/lectures/%lld", studied);
	CHECK_STATUS(r, 200);
	CHECK(!strcmp(jstr(r.json, "result") ?: "", "archived"), "studied: archived (%s)", r.body);
	resp_free(&r);
	CHECK(e2e_sql("SELECT count(*) FROM lectures WHERE id = %lld AND archived_at IS NOT NULL", studied) == 1,
	      "the row stays, archived");
	CHECK(e2e_sql("SELECT study_s FROM lecture_progress WHERE lecture_id = %lld AND user_id = %lld", studied, uid) == 45,
	      "the member's record stays");
	CHECK(audit_count("lecture.archive", studied) == 1, "archive audited");
	r = req("GET", m, NULL, "/api/v1/lectures/%lld", studied);
	CHECK_STATUS(r, 404);
	resp_free(&r);
	r = req("GET", t, NULL, "/api/v1/lectures/%lld", studied);
	CHECK_STATUS(r, 404);
	resp_free(&r);
	r = req("DELETE", t, NULL, "/api/v1/lectures/%lld", studied);
	CHECK_STATUS(r, 404);
	resp_free(&r);
	char ids[128], want[64];
	snprintf(want, sizeof want, "%lld", keep);
	course_lecture_ids(m, c, ids, sizeof ids);
	CHECK(!strcmp(ids, want), "member's list: %s", ids);
	editor_lecture_ids(t, c, ids, sizeof ids);
	CHECK(!strcmp(ids, want), "instructor's list: %s", ids);
	/* The reorder's full list is the lectures left. */
	char body[64];
	snprintf(body, sizeof body, "{\"lecture_ids\":[%lld]}", keep);
	r = req("PUT", t, body, "/api/v1/courses/%lld/lectures/order", c);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	/* The roster still counts the time. */
	r = req("GET", t, NULL, "/api/v1/courses/%lld/roster", c);
	CHECK_STATUS(r, 200);
	json_t *row = json_array_get(json_object_get(r.json, "members"), 0);
	CHECK(!strcmp(jstr(row, "username") ?: "", "zhangsan") && jint(row, "study_s") == 45, "roster keeps 45 s: %s",
	      r.body);
	resp_free(&r);
	free(m);
	free(t);
}

/* Archive instead of delete: hidden from the catalog, no publishing, kept for its members; restore. */
E2E_TEST(manage_course_archive_restore)
{
	char *t = e2e_login("teacher", E2E_PW);
	long long c = new_course(t, 1);
	resp r = e2e_publish(t, c);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	char title[64];
	snprintf(title, sizeof title, "整理测试课%d", g_seq);
	char *m = e2e_login("zhangsan", E2E_PW), *other = e2e_login("lisi", E2E_PW);
	r = req("POST", m, NULL, "/api/v1/courses/%lld/enroll", c);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	r = req("POST", t, NULL, "/api/v1/courses/%lld/archive", c);
	CHECK_STATUS(r, 200);
	CHECK(json_is_true(json_object_get(r.json, "archived")) && !strcmp(jstr(r.json, "status") ?: "", "draft"),
	      "archived: %.300s", r.body);
	CHECK(jint(r.json, "enrolled_members") == 1, "one member: %lld", jint(r.json, "enrolled_members"));
	resp_free(&r);
	CHECK(audit_count("course.archive", c) == 1, "archive audited");
	r = req("GET", other, NULL, "/api/v1/courses?q=%s", "%E6%95%B4%E7%90%86%E6%B5%8B%E8%AF%95%E8%AF%BE");
	CHECK_STATUS(r, 200);
	size_t i;
	json_t *x;
	int listed = 0;
	json_array_foreach(json_object_get(r.json, "courses"), i, x) listed |= jint(x, "id") == c;
	CHECK(!listed, "not in the catalog");
	resp_free(&r);
	r = req("GET", other, NULL, "/api/v1/courses/%lld", c);
	CHECK_STATUS(r, 404);
	resp_free(&r);
	r = req("GET", m, NULL, "/api/v1/courses/%lld", c);
	CHECK_STATUS(r, 200);
	CHECK(json_is_true(json_object_get(r.json, "enrolled")), "the member keeps it");
	resp_free(&r);
	r = req("POST", other, NULL, "/api/v1/courses/%lld/enroll", c);
	CHECK_STATUS(r, 404);
	resp_free(&r);
	r = req("POST", t, NULL, "/api/v1/courses/%lld/publish", c);
	CHECK_STATUS(r, 409);
	CHECK(!strcmp(err_code(&r), "archived"), "publish refused: %s", r.body);
	resp_free(&r);
	r = req("POST", t, NULL, "/api/v1/courses/%lld/archive", c);
	CHECK_STATUS(r, 409);
	resp_free(&r);
	r = req("GET", t, NULL, "/teach");
	CHECK(r.body && strstr(r.body, "已归档"), "the list says archived");
	resp_free(&r);
	/* Another instructor may not. */
	char *t2 = other_instructor();
	r = req("POST", t2, NULL, "/api/v1/courses/%lld/restore", c);
	CHECK_STATUS(r, 404); /* an archived course is a draft: unknown to them */
	resp_free(&r);
	r = req("POST", t, NULL, "/api/v1/courses/%lld/restore", c);
	CHECK_STATUS(r, 200);
	CHECK(!json_is_true(json_object_get(r.json, "archived")) && !strcmp(jstr(r.json, "status") ?: "", "draft"),
	      "restored as a draft");
	resp_free(&r);
	r = req("POST", t, NULL, "/api/v1/courses/%lld/restore", c);
	CHECK_STATUS(r, 409);
	resp_free(&r);
	CHECK(audit_count("course.restore", c) == 1, "restore audited");
	r = req("POST", t, NULL, "/api/v1/courses/%lld/publish", c);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	r = req("POST", t2, NULL, "/api/v1/courses/%lld/archive", c);
	CHECK_STATUS(r, 403);
	resp_free(&r);
	r = req("GET", t, NULL, "/api/v1/courses/%lld", c);
	CHECK(!json_is_true(json_object_get(r.json, "archived")) && !strcmp(jstr(r.json, "status") ?: "", "published"),
	      "unchanged by the refusal");
	resp_free(&r);
	free(t2);
	free(m);
	free(other);
	free(t);
}

/* The roster: members with progress, study time and completion; CSV with a BOM and formula
   injection defused; the course's instructor and admins only. */
E2E_TEST(manage_roster)
{
	char *t = e2e_login("teacher", E2E_PW);
	long long c = new_course(t, 1);
	resp r = e2e_publish(t, c);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	long long lec = (long long)e2e_sql("SELECT id FROM lectures WHERE course_id = %lld", c);
	char *adm = e2e_login("admin", E2E_PW);
	r = e2e_req("GET", "/api/v1/users?q=zhangsan", adm, NULL, NULL);
	long long org = jint(json_array_get(json_object_get(r.json, "users"), 0), "org_id");
	resp_free(&r);
	char body[256];
	snprintf(body, sizeof body,
		 "{\"username\":\"manage_eq\",\"name\":\"=HYPERLINK(1)\",\"password\":\"" E2E_PW "\",\"role\":\"member\","
		 "\"org_id\":%lld}",
		 org);
	r = e2e_req("POST", "/api/v1/users", adm, body, NULL);
	CHECK(r.status == 201 || r.status == 409, "member with a formula name: %ld %s", r.status, r.body);
	resp_free(&r);
	const char *who[] = {"zhangsan", "manage_eq"};
	for (int i = 0; i < 2; i++) {
		char *m = e2e_login(who[i], E2E_PW);
		r = req("POST", m, NULL, "/api/v1/courses/%lld/enroll", c);
		CHECK_STATUS(r, 200);
		resp_free(&r);
		free(m);
	}
	long long uid = (long long)e2e_sql("SELECT id FROM users WHERE username = 'zhangsan'");
	e2e_sql("INSERT INTO lecture_progress(user_id, lecture_id, study_s, covered_s, completed_at, updated_at) VALUES"
		" (%lld, %lld, 20, 20, strftime('%%s','now'), strftime('%%s','now'))",
		uid, lec);
	e2e_sql("UPDATE enrollments SET progress = 1, completed_at = strftime('%%s','now') WHERE user_id = %lld AND"
		" course_id = %lld",
		uid, c);

	r = req("GET", t, NULL, "/api/v1/courses/%lld/roster", c);
	CHECK_STATUS(r, 200);
	CHECK(jint(r.json, "total") == 2, "two members: %s", r.body);
	size_t i;
	json_t *m;
	int seen = 0;
	json_array_foreach(json_object_get(r.json, "members"), i, m)
	{
		if (!strcmp(jstr(m, "username") ?: "", "zhangsan")) {
			seen |= 1;
			CHECK(jnum(m, "progress") == 1 && jint(m, "study_s") == 20 && json_is_true(json_object_get(m, "completed")) &&
				      jstr(m, "completed_at"),
			      "zhangsan's row: progress %g, study %lld", jnum(m, "progress"), jint(m, "study_s"));
		}
		if (!strcmp(jstr(m, "username") ?: "", "manage_eq")) {
			seen |= 2;
			CHECK(jint(m, "study_s") == 0 && !json_is_true(json_object_get(m, "completed")), "not started");
		}
	}
	CHECK(seen == 3, "both listed");
	resp_free(&r);

	r = req("GET", t, NULL, "/api/v1/courses/%lld/roster?format=csv", c);
	CHECK_STATUS(r, 200);
	CHECK(r.len > 3 && !memcmp(r.body, "\xEF\xBB\xBF", 3), "UTF-8 BOM");
	CHECK(r.body && strstr(r.body, "\"用户名\"") && strstr(r.body, "\"学习时长（秒）\""), "Chinese header: %.200s",
	      r.body ?: "");
	CHECK(r.body && strstr(r.body, "\"'=HYPERLINK(1)\""), "formula defused: %.400s", r.body ?: "");
	CHECK(r.body && strstr(r.body, ",100,20,"), "zhangsan: 100 %%, 20 s: %.400s", r.body ?: "");
	char *ct = resp_header(&r, "Content-Type"), *cd = resp_header(&r, "Content-Disposition");
	CHECK(ct && strstr(ct, "text/csv"), "csv type: %s", ct ?: "");
	CHECK(cd && strstr(cd, "attachment"), "a download: %s", cd ?: "");
	free(ct);
	free(cd);
	resp_free(&r);
	r = req("GET", t, NULL, "/api/v1/courses/%lld/roster?format=pdf", c);
	CHECK_STATUS(r, 422);
	resp_free(&r);

	r = req("GET", t, NULL, "/teach/courses/%lld/roster", c);
	CHECK_STATUS(r, 200);
	CHECK(r.body && strstr(r.body, "id=\"roster\"") && strstr(r.body, "=HYPERLINK(1)") && strstr(r.body, "已完成"),
	      "the table");
	CHECK(r.body && strstr(r.body, "roster?format=csv"), "the CSV link");
	resp_free(&r);
	r = req("GET", adm, NULL, "/api/v1/courses/%lld/roster", c);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	/* Refusals: another instructor, a member, an assessor. */
	char *t2 = other_instructor(), *mem = e2e_login("zhangsan", E2E_PW), *as = e2e_login("assessor", E2E_PW);
	r = req("GET", t2, NULL, "/api/v1/courses/%lld/roster", c);
	CHECK_STATUS(r, 403);
	resp_free(&r);
	r = req("GET", t2, NULL, "/teach/courses/%lld/roster", c);
	CHECK_STATUS(r, 403);
	resp_free(&r);
	r = req("GET", mem, NULL, "/api/v1/courses/%lld/roster?format=csv", c);
	CHECK_STATUS(r, 403);
	resp_free(&r);
	r = req("GET", as, NULL, "/api/v1/courses/%lld/roster", c);
	CHECK_STATUS(r, 403);
	resp_free(&r);
	free(t2);
	free(mem);
	free(as);
	free(adm);
	free(t);
}

/* The lectures page's upload button says it replaces the video when there is one (the script reads
   hls_url); the catalog has the words. */
E2E_TEST(manage_replace_video_wording)
{
	resp r = e2e_req("GET", "/static/i18n/zh-CN.json", NULL, NULL, NULL);
	CHECK_STATUS(r, 200);
	CHECK(r.body && strstr(r.body, "\"lec.replace_video\": \"替换视频\""), "the wording");
	resp_free(&r);
	char *t = e2e_login("teacher", E2E_PW);
	long long c = new_course(t, 1);
	long long l = new_lecture(t, c, "有视频");
	e2e_ready_lecture(c, l, 30);
	r = req("GET", t, NULL, "/api/v1/lectures/%lld", l);
	CHECK(jstr(r.json, "hls_url"), "a served video has its hls_url: %s", r.body);
	resp_free(&r);
	free(t);
}

/* Two editors of one course: the second save, from a page read before the first, is 409 stale and
   writes nothing; a save carrying the version it read applies; one without a version applies. */
E2E_TEST(manage_course_stale_edit)
{
	char *t = e2e_login("teacher", E2E_PW), *adm = e2e_login("admin", E2E_PW);
	long long c = new_course(t, 1);
	resp r = req("GET", t, NULL, "/api/v1/courses/%lld", c);
	CHECK_STATUS(r, 200);
	char v1[32];
	snprintf(v1, sizeof v1, "%s", jstr(r.json, "updated_at") ?: "");
	resp_free(&r);
	CHECK(v1[0], "the course says its version");
	/* The admin edits in between (a second later on the server's clock). */
	e2e_clock_advance(2);
	r = req("PATCH", adm, "{\"summary\":\"管理员改过的简介\"}", "/api/v1/courses/%lld", c);
	CHECK_STATUS(r, 200);
	char v2[32];
	snprintf(v2, sizeof v2, "%s", jstr(r.json, "updated_at") ?: "");
	resp_free(&r);
	CHECK(strcmp(v1, v2), "a save moves the version on: %s → %s", v1, v2);
	/* The instructor saves what they read first: refused, nothing written. */
	char body[256];
	snprintf(body, sizeof body, "{\"summary\":\"老师的简介\",\"updated_at\":\"%s\"}", v1);
	r = req("PATCH", t, body, "/api/v1/courses/%lld", c);
	CHECK(r.status == 409 && !strcmp(err_code(&r), "stale") && strstr(err_msg(&r), "修改"),
	      "stale save: %ld %s", r.status, r.body ?: "");
	CHECK(!strcmp(jstr(json_object_get(r.json, "error"), "updated_at") ?: "", v2), "the answer gives the version now");
	resp_free(&r);
	r = req("GET", t, NULL, "/api/v1/courses/%lld", c);
	CHECK(!strcmp(jstr(r.json, "summary") ?: "", "管理员改过的简介") && !strcmp(jstr(r.json, "updated_at") ?: "", v2),
	      "nothing written: %s", r.body ?: "");
	resp_free(&r);
	/* A version that is not a time, or not a string: 422, nothing written. */
	r = req("PATCH", t, "{\"summary\":\"坏版本\",\"updated_at\":\"昨天\"}", "/api/v1/courses/%lld", c);
	CHECK(r.status == 422, "malformed version: %ld %s", r.status, r.body ?: "");
	resp_free(&r);
	r = req("PATCH", t, "{\"summary\":\"坏版本\",\"updated_at\":12}", "/api/v1/courses/%lld", c);
	CHECK(r.status == 422, "version not a string: %ld %s", r.status, r.body ?: "");
	resp_free(&r);
	r = req("GET", t, NULL, "/api/v1/courses/%lld", c);
	CHECK(!strcmp(jstr(r.json, "summary") ?: "", "管理员改过的简介"), "bad versions wrote nothing");
	resp_free(&r);
	/* With the current version it applies; without one (scripts) too. */
	snprintf(body, sizeof body, "{\"summary\":\"老师的简介\",\"updated_at\":\"%s\"}", v2);
	r = req("PATCH", t, body, "/api/v1/courses/%lld", c);
	CHECK(r.status == 200 && !strcmp(jstr(r.json, "summary") ?: "", "老师的简介"), "fresh save: %ld", r.status);
	resp_free(&r);
	r = req("PATCH", t, "{\"category\":\"政策法规\"}", "/api/v1/courses/%lld", c);
	CHECK_STATUS(r, 200);
	resp_free(&r);
	free(t);
	free(adm);
}
