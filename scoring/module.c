/* module.c — the scoring module's descriptor: its routes, services, commands and tables. */
#include "module.h"
#include "scoring/award.h"
#include "scoring/ledger.h"
#include "scoring/rating.h"
#include "scoring/report_api.h"
#include "scoring/routes.h"

#include "scoring/outbox.h"
#include "scoring/report_cmd.h"

#include <stdio.h>

extern const route report_routes[], assess_page_routes[], remind_routes[];

/* The awards listener. bench/heartbeat.sh's reference build (build/bench/dangxiao-noawards,
   AWARDS=0) is this same server without it, to measure what awards cost a heartbeat. */
#ifdef DX_BENCH_NO_AWARDS
#define SCORING_ON_EVENT NULL
#else
#define SCORING_ON_EVENT scoring_on_event
#endif

/* dangxiao verify --data DIR */
static int cmd_verify(int argc, char **argv, const cli_opts *o)
{
	(void)argv;
	if (argc != 0)
		return 2;
	return ledger_verify(o->data, stdout, stderr);
}

/* The ledger's signer, then the reminders' outbox; stopped in reverse. */
static int scoring_start(void)
{
	if (ledger_signer_start() < 0)
		return -1;
	if (outbox_start() < 0) {
		ledger_signer_stop();
		return -1;
	}
	return 0;
}

static void scoring_stop(void)
{
	outbox_stop();
	ledger_signer_stop();
}

const module scoring_module = {
	.name = "scoring",
	.init = rating_register, /* the course page and the catalog show the ratings (courses/courses.h) */
	.routes = (const route *const[]){report_routes, assess_page_routes, remind_routes, rules_routes, me_routes,
					  rating_routes, scoring_test_routes, NULL},
	.resources = (const resource_kind *const[]){&assess_scope, NULL},
	.start = scoring_start,
	.stop = scoring_stop,
	.commands = (const cli_command[]){
		{"verify", "verify   check the points ledger's chains, signatures and yearly totals", 1, cmd_verify},
		{"report", "report --data DIR --org ID --year Y --format csv|xlsx --out FILE [--status S]   the members report of a subtree (ID 0: all)",
		 1, cmd_report},
		{.name = NULL},
	},
	.on_event = SCORING_ON_EVENT,
	.nav = (const nav_entry[]){{"/me", "nav.me", R_ANY, 40}, {"/assess", "nav.assess", R_ASSESS, 41}, {.href = NULL}},
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
		/* 2: the point rules' versions (the defaults of rules.c apply where a code has none); the
		   ledger: each member's rows are a hash chain (seq 1, 2, …; prev = the previous row's
		   hash), a unique (member, rule, ref) makes every award idempotent, and triggers keep
		   it append-only (against mistakes: someone with the file can drop them, which the
		   chain and the signed checkpoints detect); the chain heads; the signing runs and their
		   checkpoints; a member's points per rule and day (daily caps; the day's study seconds
		   in qty); course ratings. */
		{"CREATE TABLE point_rules(id INTEGER PRIMARY KEY, code TEXT NOT NULL, points INTEGER NOT NULL,"
		 "  unit TEXT NOT NULL, daily_cap INTEGER NOT NULL, effective_from INTEGER NOT NULL,"
		 "  created_at INTEGER NOT NULL, created_by INTEGER REFERENCES users(id));"
		 "CREATE INDEX point_rules_code ON point_rules(code, effective_from);"
		 "CREATE TABLE ledger(user_id INTEGER NOT NULL REFERENCES users(id), seq INTEGER NOT NULL,"
		 "  rule TEXT NOT NULL, points INTEGER NOT NULL, ref TEXT NOT NULL, at INTEGER NOT NULL, detail TEXT,"
		 "  prev BLOB NOT NULL, hash BLOB NOT NULL, PRIMARY KEY(user_id, seq)) WITHOUT ROWID;"
		 "CREATE UNIQUE INDEX ledger_award ON ledger(user_id, rule, ref);"
		 "CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;"
		 "CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;"
		 "CREATE TABLE ledger_heads(user_id INTEGER PRIMARY KEY REFERENCES users(id), seq INTEGER NOT NULL,"
		 "  hash BLOB NOT NULL, signed_seq INTEGER NOT NULL DEFAULT 0);"
		 "CREATE TABLE ledger_batches(id INTEGER PRIMARY KEY, at INTEGER NOT NULL, n INTEGER NOT NULL, sig BLOB NOT NULL);"
		 "CREATE TABLE ledger_checkpoints(user_id INTEGER NOT NULL, count INTEGER NOT NULL, head BLOB NOT NULL,"
		 "  at INTEGER NOT NULL, batch_id INTEGER NOT NULL, PRIMARY KEY(user_id, count)) WITHOUT ROWID;"
		 "CREATE INDEX ledger_checkpoints_batch ON ledger_checkpoints(batch_id, user_id);"
		 "CREATE TABLE score_daily(user_id INTEGER NOT NULL, day INTEGER NOT NULL, rule TEXT NOT NULL,"
		 "  points INTEGER NOT NULL DEFAULT 0, qty REAL NOT NULL DEFAULT 0,"
		 "  PRIMARY KEY(user_id, day, rule)) WITHOUT ROWID;"
		 "CREATE TABLE course_ratings(course_id INTEGER NOT NULL, user_id INTEGER NOT NULL REFERENCES users(id),"
		 "  stars INTEGER NOT NULL CHECK(stars BETWEEN 1 AND 5), comment TEXT NOT NULL DEFAULT '',"
		 "  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,"
		 "  PRIMARY KEY(course_id, user_id)) WITHOUT ROWID;"},
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
		/* 4: score_totals keyed by (year, user_id): a year's report reads its rows in one
		   sequential scan instead of an index walk with a table lookup per member (the
		   whole-tree summary of 100,000 members: docs/performance.md); lookups of one
		   member's year are still one primary-key search. */
		{"CREATE TABLE score_totals_v4(user_id INTEGER NOT NULL REFERENCES users(id), year INTEGER NOT NULL,"
		 "  hours_required REAL NOT NULL DEFAULT 0, hours_elective REAL NOT NULL DEFAULT 0,"
		 "  study_s REAL NOT NULL DEFAULT 0, points INTEGER NOT NULL DEFAULT 0,"
		 "  courses_completed INTEGER NOT NULL DEFAULT 0, updated_at INTEGER NOT NULL DEFAULT 0,"
		 "  PRIMARY KEY(year, user_id)) WITHOUT ROWID;"
		 "INSERT INTO score_totals_v4 SELECT user_id, year, hours_required, hours_elective, study_s, points,"
		 "  courses_completed, updated_at FROM score_totals;"
		 "DROP TABLE score_totals;"
		 "ALTER TABLE score_totals_v4 RENAME TO score_totals;"},
		{.sql = NULL},
	},
};
