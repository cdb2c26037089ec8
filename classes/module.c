/* module.c — the classes module's descriptor: topic classes (网络专题班), their rosters, and the
 * certificates with their public verification (docs/classes.md). */
#include "classes/access.h"
#include "classes/cert.h"
#include "classes/classes.h"
#include "module.h"
#include "scoring/ledger_check.h"
#include "scoring/me.h"
#include "classes/me.h"

extern const route class_routes[], cert_routes[], roster_routes[], class_page_routes[];
int seed_classes(const char *data_dir);

/* `dangxiao verify` checks every certificate against its digest and its ledger row; /me shows the
   member's classes and certificates. */
static void classes_init(void)
{
	ledger_verify_also(certs_verify_all);
	me_section_register(classes_me_section); /* /me: my classes and my certificates */
}

static void classes_stop(void)
{
	cert_shutdown();
}

const module classes_module = {
	.name = "classes",
	.routes = (const route *const[]){class_routes, cert_routes, roster_routes, class_page_routes, NULL},
	.resources = (const resource_kind *const[]){&class_view, &class_edit, &class_roster, &cert_own, &cert_any, NULL},
	.init = classes_init,
	.stop = classes_stop,
	.nav = (const nav_entry[]){{"/classes", "nav.classes", R_ANY, 15}, {.href = NULL}},
	.seed = seed_classes,
	.on_event = classes_on_event,
	.migrations = (const migration[]){
		/* 1: classes, their courses in order (required or elective), the organisation subtrees
		   they are assigned to, organisers, members (joined or assigned; completion and its
		   certificate), certificates (class and yearly; code = the verification code, number =
		   the printed DX-YYYY-NNNNNN, digest = what the ledger keeps, body = a yearly
		   certificate's frozen content). */
		{"CREATE TABLE classes(id INTEGER PRIMARY KEY, title TEXT NOT NULL, summary TEXT NOT NULL DEFAULT '',"
		 "  cover_mime TEXT, opens_at INTEGER NOT NULL, closes_at INTEGER NOT NULL, capacity INTEGER NOT NULL DEFAULT 0,"
		 "  mode TEXT NOT NULL CHECK(mode IN ('open','assigned')), min_hours REAL NOT NULL DEFAULT 0,"
		 "  exam_quiz_id INTEGER, created_by INTEGER REFERENCES users(id), created_at INTEGER NOT NULL,"
		 "  updated_at INTEGER NOT NULL, CHECK(closes_at > opens_at));"
		 "CREATE TABLE class_courses(class_id INTEGER NOT NULL REFERENCES classes(id),"
		 "  course_id INTEGER NOT NULL REFERENCES courses(id), position INTEGER NOT NULL,"
		 "  required INTEGER NOT NULL, PRIMARY KEY(class_id, course_id)) WITHOUT ROWID;"
		 "CREATE INDEX class_courses_course ON class_courses(course_id);"
		 "CREATE TABLE class_orgs(class_id INTEGER NOT NULL REFERENCES classes(id),"
		 "  org_id INTEGER NOT NULL REFERENCES orgs(id), created_at INTEGER NOT NULL,"
		 "  created_by INTEGER REFERENCES users(id), PRIMARY KEY(class_id, org_id)) WITHOUT ROWID;"
		 "CREATE TABLE class_organisers(class_id INTEGER NOT NULL REFERENCES classes(id),"
		 "  user_id INTEGER NOT NULL REFERENCES users(id), PRIMARY KEY(class_id, user_id)) WITHOUT ROWID;"
		 "CREATE TABLE class_members(class_id INTEGER NOT NULL REFERENCES classes(id),"
		 "  user_id INTEGER NOT NULL REFERENCES users(id), joined_at INTEGER NOT NULL,"
		 "  how TEXT NOT NULL CHECK(how IN ('joined','assigned')), completed_at INTEGER, certificate_id INTEGER,"
		 "  PRIMARY KEY(class_id, user_id)) WITHOUT ROWID;"
		 "CREATE INDEX class_members_user ON class_members(user_id);"
		 "CREATE TABLE certificates(id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, number TEXT NOT NULL UNIQUE,"
		 "  year INTEGER NOT NULL, seq INTEGER NOT NULL, kind TEXT NOT NULL CHECK(kind IN ('class','year')),"
		 "  user_id INTEGER NOT NULL REFERENCES users(id), class_id INTEGER REFERENCES classes(id),"
		 "  holder TEXT NOT NULL, org TEXT NOT NULL DEFAULT '', title TEXT NOT NULL, hours REAL NOT NULL DEFAULT 0,"
		 "  window_from INTEGER, window_to INTEGER, completed_at INTEGER NOT NULL, issued_at INTEGER NOT NULL,"
		 "  body TEXT NOT NULL DEFAULT '{}', digest TEXT NOT NULL, revoked_at INTEGER, revoked_reason TEXT,"
		 "  revoked_by INTEGER REFERENCES users(id), UNIQUE(year, seq));"
		 "CREATE INDEX certificates_user ON certificates(user_id, issued_at);"
		 "CREATE UNIQUE INDEX certificates_class ON certificates(class_id, user_id) WHERE kind = 'class';"},
		{.sql = NULL},
	},
};
