/* module.c — the scoring module's descriptor: its routes, services, commands and tables. */
#include "module.h"
#include "scoring/outbox.h"
#include "scoring/report_api.h"
#include "scoring/report_cmd.h"

extern const route report_routes[], assess_page_routes[], remind_routes[];

const module scoring_module = {
	.name = "scoring",
	.routes = (const route *const[]){report_routes, assess_page_routes, remind_routes, NULL},
	.start = outbox_start,
	.stop = outbox_stop,
	.resources = (const resource_kind *const[]){&assess_scope, NULL},
	.nav = (const nav_entry[]){{"/assess", "nav.assess", R_ASSESS, 40}, {.href = NULL}},
	.commands = (const cli_command[]){
		{"report", "report --data DIR --org ID --year Y --format csv|xlsx --out FILE [--status S]   the members report of a subtree (ID 0: all)",
		 1, cmd_report},
		{.name = NULL},
	},
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
		{"SELECT 1;"}, /* LOCAL PLACEHOLDER for slot 2 until the scoring-core migration is merged */
		/* 3: the reminders' outbox (scoring/outbox.h): one row per message to the webhook, kept
		   after delivery as its record; dedup makes the weekly one once per week. */
		{"CREATE TABLE remind_outbox(id INTEGER PRIMARY KEY,"
		 "  kind TEXT NOT NULL CHECK(kind IN ('weekly','manual')), org_id INTEGER REFERENCES orgs(id),"
		 "  year INTEGER NOT NULL, url TEXT NOT NULL, body TEXT NOT NULL, created_by INTEGER REFERENCES users(id),"
		 "  created_at INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_at INTEGER NOT NULL,"
		 "  state TEXT NOT NULL DEFAULT 'pending' CHECK(state IN ('pending','sent')), sent_at INTEGER,"
		 "  last_status INTEGER, last_error TEXT, dedup TEXT UNIQUE);"
		 "CREATE INDEX remind_outbox_due ON remind_outbox(state, next_at);"
		 "CREATE INDEX remind_outbox_org ON remind_outbox(org_id, id);"
		 /* The reports' scan of a subtree's members reads this index alone (docs/performance.md). */
		 "CREATE INDEX users_org_member ON users(org_id, role, active);"},
		{.sql = NULL},
	},
};
