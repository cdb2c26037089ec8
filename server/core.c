/* core.c — the core's own module descriptor: sessions, people, the admin and login pages, the WAL
 * checkpointer, and the demo academy's organisations and people. */
#include "db.h"
#include "module.h"
#include "people.h"
#include "util.h"

#include <stdio.h>

extern const resource_kind session_mine;
extern const route auth_routes[], member_import_routes[], page_routes[], org_routes[], user_routes[], audit_routes[],
	account_routes[];

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

/* The demo academy's tree and people (inside the seed's transaction). */
static int seed_people(const char *data_dir)
{
	(void)data_dir;
	for (size_t i = 0; i < ARRAY_LEN(demo_users); i++) {
		int64_t org = org_resolve_path(demo_users[i].org, 1);
		if (!org || user_create(demo_users[i].username, demo_users[i].name, demo_users[i].role, org,
					DEMO_PASSWORD) <= 0)
			return -1;
	}
	return 0;
}

const module core_module = {
	.name = "core",
	.routes = (const route *const[]){auth_routes, account_routes, member_import_routes, org_routes, user_routes,
					  audit_routes, page_routes, NULL},
	.resources = (const resource_kind *const[]){&org_scope, &member_scope, &session_mine, NULL},
	.start = db_checkpointer_start,
	.stop = db_checkpointer_stop,
	.nav = (const nav_entry[]){{"/admin", "nav.admin", ROLE_ADMIN, 90}, {.href = NULL}},
	.seed = seed_people,
	.migrations = (const migration[]){
		/* 1: the audit log (server/audit.h); rows are never updated or deleted. */
		{"CREATE TABLE audit_log(id INTEGER PRIMARY KEY, at INTEGER NOT NULL, actor_id INTEGER REFERENCES users(id),"
		 "  action TEXT NOT NULL, target_kind TEXT NOT NULL, target_id INTEGER NOT NULL, detail TEXT NOT NULL DEFAULT '{}');"
		 "CREATE INDEX audit_log_actor ON audit_log(actor_id, at);"
		 "CREATE INDEX audit_log_at ON audit_log(at);"
		 "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;"
		 "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;"},
		/* 2: administration (issue 12). version: bumped by every change of the row, sent back by an
		   editor so that a stale edit is refused (409) instead of overwriting a colleague's;
		   must_change_pw: set by a password reset, cleared by the user's own change; a session's
		   address and browser, for the user's list of sessions; the audit log by target. */
		{"ALTER TABLE users ADD COLUMN version INTEGER NOT NULL DEFAULT 1;"
		 "ALTER TABLE users ADD COLUMN must_change_pw INTEGER NOT NULL DEFAULT 0;"
		 "ALTER TABLE orgs ADD COLUMN version INTEGER NOT NULL DEFAULT 1;"
		 "ALTER TABLE sessions ADD COLUMN ip TEXT NOT NULL DEFAULT '';"
		 "ALTER TABLE sessions ADD COLUMN user_agent TEXT NOT NULL DEFAULT '';"
		 "CREATE INDEX audit_log_target ON audit_log(target_kind, target_id, at);"},
		{.sql = NULL},
	},
};
