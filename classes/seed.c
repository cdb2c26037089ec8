/* seed.c — the demo academy's classes: one open to join (the demo course with its 40-second
 * lecture is its required course, so a member earns a certificate within a minute of the first
 * start) and one assigned to 市委组织部/第一党委. */
#include "clock.h"
#include "db.h"
#include "people.h"

#include <stdint.h>

/* A class of the demo: its id, or -1. */
static int64_t seed_class(const char *title, const char *summary, const char *mode, int64_t capacity, double min_hours,
			  int64_t opens, int64_t closes, int64_t required, int64_t elective)
{
	int64_t now = clock_secs();
	int64_t admin = db_int(0, "SELECT id FROM users WHERE username = 'admin'", "");
	if (db_exec("INSERT INTO classes(title, summary, opens_at, closes_at, capacity, mode, min_hours, created_by,"
		    " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, NULLIF(?, 0), ?, ?)",
		    "ssiiisdiii", title, summary, opens, closes, capacity, mode, min_hours, admin, now, now) != 1)
		return -1;
	int64_t id = db_last_id();
	if (db_exec("INSERT INTO class_courses(class_id, course_id, position, required) VALUES (?, ?, 0, 1)", "ii", id,
		    required) != 1 ||
	    (elective && db_exec("INSERT INTO class_courses(class_id, course_id, position, required) VALUES (?, ?, 1, 0)",
				 "ii", id, elective) != 1))
		return -1;
	int64_t teacher = db_int(0, "SELECT id FROM users WHERE username = 'teacher'", "");
	int64_t assessor = db_int(0, "SELECT id FROM users WHERE username = 'assessor'", "");
	if ((teacher && db_exec("INSERT INTO class_organisers(class_id, user_id) VALUES (?, ?)", "ii", id, teacher) < 0) ||
	    (assessor && db_exec("INSERT INTO class_organisers(class_id, user_id) VALUES (?, ?)", "ii", id, assessor) < 0))
		return -1;
	return id;
}

int seed_classes(const char *data_dir)
{
	(void)data_dir;
	int64_t c1 = db_int(0, "SELECT id FROM courses WHERE title = '全面从严治党：理论与实践'", "");
	int64_t c2 = db_int(0, "SELECT id FROM courses WHERE title = '基层党支部工作实务'", "");
	if (!c1 || !c2)
		return 0; /* no demo courses: no demo classes */
	int64_t now = clock_secs(), day = 86400;
	int64_t open = seed_class("学习贯彻党的二十大精神网络专题班",
				  "围绕党的二十大精神和全面从严治党开展专题学习。完成必修课程即可结业，获得结业证书。", "open",
				  50, 1.0, now - day, now + 90 * day, c1, c2);
	int64_t assigned = seed_class("第一党委支部书记轮训班", "组织指派：第一党委各支部书记和党员须在规定时间内完成两门课程。",
				      "assigned", 0, 0, now - day, now + 60 * day, c1, 0);
	int64_t org = org_resolve_path("市委组织部/第一党委", 0);
	if (open < 0 || assigned < 0 || !org)
		return -1;
	if (db_exec("INSERT INTO class_orgs(class_id, org_id, created_at) VALUES (?, ?, ?)", "iii", assigned, org, now) != 1)
		return -1;
	return db_exec("INSERT INTO class_members(class_id, user_id, joined_at, how)"
		       " SELECT ?1, u.id, ?2, 'assigned' FROM users u JOIN orgs uo ON uo.id = u.org_id JOIN orgs o ON o.id = ?3"
		       " WHERE u.role = 'member' AND substr(uo.path, 1, length(o.path)) = o.path",
		       "iii", assigned, now, org) < 0
		       ? -1
		       : 0;
}
