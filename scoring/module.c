/* module.c — the scoring module's descriptor: its routes, services, commands and tables. */
#include "module.h"
#include "scoring/report_api.h"

extern const route report_routes[];

const module scoring_module = {
	.name = "scoring",
	.routes = (const route *const[]){report_routes, NULL},
	.resources = (const resource_kind *const[]){&assess_scope, NULL},
	.migrations = (const migration[]){
		/* 1: yearly totals per member (kept up to date by the awards, in the events'
		   transactions: reports read these, never heartbeats or the ledger) and the
		   requirements per organisation and year (inherited down the tree; none: settings). */
		{"CREATE TABLE score_totals(user_id INTEGER NOT NULL REFERENCES users(id), year INTEGER NOT NULL,"
		 "  hours_required REAL NOT NULL DEFAULT 0, hours_elective REAL NOT NULL DEFAULT 0,"
		 "  study_s REAL NOT NULL DEFAULT 0, points INTEGER NOT NULL DEFAULT 0,"
		 "  courses_completed INTEGER NOT NULL DEFAULT 0, updated_at INTEGER NOT NULL DEFAULT 0,"
		 "  PRIMARY KEY(user_id, year)) WITHOUT ROWID;"
		 "CREATE INDEX score_totals_year ON score_totals(year, user_id);"
		 "CREATE TABLE requirements(org_id INTEGER NOT NULL REFERENCES orgs(id), year INTEGER NOT NULL,"
		 "  total_hours REAL NOT NULL, required_hours REAL NOT NULL, updated_at INTEGER NOT NULL,"
		 "  updated_by INTEGER REFERENCES users(id), PRIMARY KEY(org_id, year)) WITHOUT ROWID;"},
		/* 2: (reserved: the points rules, the ledger, its checkpoints, ratings) */
		/* 3: (reserved: the reminders' outbox) */
		{.sql = NULL},
	},
};
