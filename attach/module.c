/* module.c — the attach module's descriptor: PDF attachments of courses. */
#include "module.h"

extern const route attach_routes[];

const module attach_module = {
	.name = "attach",
	.routes = (const route *const[]){attach_routes, NULL},
	.migrations = (const migration[]){
		/* 1: course attachments (issue 12). The file is DATA/attachments/ID.pdf; name is the
		   sanitised name it is offered under. */
		{"CREATE TABLE course_attachments("
		 "  id INTEGER PRIMARY KEY, course_id INTEGER NOT NULL REFERENCES courses(id),"
		 "  name TEXT NOT NULL, size INTEGER NOT NULL, uploaded_by INTEGER NOT NULL REFERENCES users(id),"
		 "  created_at INTEGER NOT NULL);"
		 "CREATE INDEX course_attachments_course ON course_attachments(course_id, id);"},
		{NULL},
	},
};
