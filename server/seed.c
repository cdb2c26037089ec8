/* seed.c — the one place that knows the demo academy: its tree, its people, its courses. */
#include "seed.h"
#include "courses/courses.h"
#include "courses/lectures.h"
#include "db.h"
#include "people.h"
#include "util.h"

#include <stdio.h>

#define DEMO_PASSWORD "dangxiao2026"

static const struct {
	const char *username, *name, *role, *org;
} demo_users[] = {
	{"admin", "系统管理员", "admin", "市委组织部"},
	{"teacher", "王老师", "instructor", "市委组织部/市委党校"},
	{"assessor", "李考核", "assessor", "市委组织部/第一党委"},
	{"zhangsan", "张三", "member", "市委组织部/第一党委/机关第一支部"},
	{"lisi", "李四", "member", "市委组织部/第一党委/机关第二支部"},
	{"wangwu", "王五", "member", "市委组织部/第二党委/机关第三支部"},
	{"zhaoliu", "赵六", "member", "市委组织部/第一党委/机关第一支部"},
};

int seed_demo(const char *data_dir)
{
	if (db_exists("SELECT 1 FROM users", "")) {
		printf("demo data already present in %s\n", data_dir);
		return 0;
	}
	if (db_begin() < 0) {
		fprintf(stderr, "dangxiao: seeding the demo academy failed: %s\n", db_errmsg());
		return -1;
	}
	for (size_t i = 0; i < ARRAY_LEN(demo_users); i++) {
		int64_t org = org_resolve_path(demo_users[i].org, 1);
		if (!org || user_create(demo_users[i].username, demo_users[i].name, demo_users[i].role, org,
					DEMO_PASSWORD) <= 0) {
			db_rollback();
			fprintf(stderr, "dangxiao: seeding the demo academy failed\n");
			return -1;
		}
	}
	/* Later modules add their demo content here (courses, lectures, quizzes). */
	if (seed_courses(data_dir) < 0) {
		db_rollback();
		fprintf(stderr, "dangxiao: seeding the demo courses failed\n");
		return -1;
	}
	if (db_commit() < 0) {
		fprintf(stderr, "dangxiao: seeding the demo academy failed: %s\n", db_errmsg());
		return -1;
	}
	/* Outside the transaction: it runs ffmpeg for a few seconds. A demo without its lecture still works. */
	if (seed_lectures(data_dir) < 0)
		fprintf(stderr, "dangxiao: continuing without the demo lecture\n");
	printf("demo academy created in %s\n", data_dir);
	return 0;
}
