/* require.c — yearly requirements per organisation and a member's dynamic assessment (require.h). */
#include "scoring/require.h"
#include "audit.h"
#include "clock.h"
#include "db.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A setting as a number of hours, or dflt when absent or not one. */
static double setting_hours(const char *key, double dflt)
{
	char *v = db_text("SELECT value FROM settings WHERE key = ?", "s", key);
	if (!v)
		return dflt;
	char *end;
	double d = strtod(v, &end);
	int ok = end != v && !*end && isfinite(d) && d >= 0 && d <= REQ_HOURS_MAX;
	free(v);
	return ok ? d : dflt;
}

requirement require_default(void)
{
	requirement d = { setting_hours(REQ_SETTING_TOTAL, REQ_DEFAULT_TOTAL),
			  setting_hours(REQ_SETTING_REQUIRED, REQ_DEFAULT_REQUIRED), 0 };
	if (d.required_hours > d.total_hours)
		d.required_hours = d.total_hours;
	return d;
}

requirement require_of_org(int64_t org_id, int year)
{
	char *path = db_text("SELECT path FROM orgs WHERE id = ?", "i", org_id);
	if (!path)
		return require_default();
	requirement rq = require_of_path(path, year);
	free(path);
	return rq;
}

requirement require_of_path(const char *path, int year)
{
	/* The materialised path '/1/5/12/' lists the ancestors root first: try the deepest first. */
	int64_t ids[64];
	int n = 0;
	for (const char *p = path; *p && n < (int)ARRAY_LEN(ids);) {
		if (*p == '/') {
			p++;
			continue;
		}
		char *end;
		ids[n++] = strtoll(p, &end, 10);
		if (end == p)
			break;
		p = end;
	}
	for (int i = n - 1; i >= 0; i--) {
		sqlite3_stmt *st = db_query("SELECT total_hours, required_hours FROM requirements WHERE org_id = ? AND year = ?",
					    "ii", ids[i], (int64_t)year);
		int got = db_step(st) == 1;
		requirement rq = { 0, 0, ids[i] };
		if (got) {
			rq.total_hours = sqlite3_column_double(st, 0);
			rq.required_hours = sqlite3_column_double(st, 1);
		}
		db_done(st);
		if (got)
			return rq;
	}
	return require_default();
}

int require_set(int64_t actor, int64_t org_id, int year, double total_hours, double required_hours, int64_t now)
{
	sqlite3_stmt *st = db_query("SELECT total_hours, required_hours FROM requirements WHERE org_id = ? AND year = ?",
				    "ii", org_id, (int64_t)year);
	int had = db_step(st) == 1;
	double old_t = had ? sqlite3_column_double(st, 0) : 0, old_r = had ? sqlite3_column_double(st, 1) : 0;
	db_done(st);
	if (db_exec("INSERT INTO requirements(org_id, year, total_hours, required_hours, updated_at, updated_by)"
		    " VALUES (?, ?, ?, ?, ?, nullif(?, 0)) ON CONFLICT(org_id, year) DO UPDATE SET total_hours = excluded.total_hours,"
		    " required_hours = excluded.required_hours, updated_at = excluded.updated_at,"
		    " updated_by = excluded.updated_by",
		    "iiddii", org_id, (int64_t)year, total_hours, required_hours, now, actor) < 0)
		return -1;
	char detail[256];
	if (had)
		snprintf(detail, sizeof detail, "{\"year\":%d,\"total_hours\":[%.17g,%.17g],\"required_hours\":[%.17g,%.17g]}",
			 year, old_t, total_hours, old_r, required_hours);
	else
		snprintf(detail, sizeof detail, "{\"year\":%d,\"total_hours\":[null,%.17g],\"required_hours\":[null,%.17g]}",
			 year, total_hours, required_hours);
	return audit_log(actor, "requirement.update", "org", org_id, detail);
}

int require_clear(int64_t actor, int64_t org_id, int year)
{
	int n = db_exec("DELETE FROM requirements WHERE org_id = ? AND year = ?", "ii", org_id, (int64_t)year);
	if (n <= 0)
		return n < 0 ? -1 : 0;
	char detail[64];
	snprintf(detail, sizeof detail, "{\"year\":%d}", year);
	return audit_log(actor, "requirement.clear", "org", org_id, detail) < 0 ? -1 : 1;
}

void require_evaluate(const requirement *rq, int year, double hours_required, double hours_elective, int64_t now,
		      member_status *out)
{
	require_evaluate_el(rq, year, hours_required, hours_elective, year_elapsed_fraction(year, now), out);
}

void require_evaluate_el(const requirement *rq, int year, double hours_required, double hours_elective,
			 double elapsed, member_status *out)
{
	memset(out, 0, sizeof *out);
	out->year = year;
	out->req = *rq;
	out->required_hours = hours_required > 0 ? hours_required : 0;
	out->elective_hours = hours_elective > 0 ? hours_elective : 0;
	out->credit_hours = out->required_hours + out->elective_hours;
	out->elapsed = elapsed;
	out->expected_hours = rq->total_hours * out->elapsed;
	out->status = assess_member(out->credit_hours, out->required_hours, rq->total_hours, rq->required_hours,
				    out->elapsed);
	out->proj = project_year_end(out->credit_hours, out->elapsed);
}

int require_totals_read(int64_t user_id, int year, member_totals *t)
{
	memset(t, 0, sizeof *t);
	sqlite3_stmt *st = db_query("SELECT hours_required, hours_elective, study_s, points, courses_completed"
				    " FROM score_totals WHERE year = ? AND user_id = ?",
				    "ii", (int64_t)year, user_id);
	int rc = db_step(st);
	if (rc == 1) {
		t->hours_required = sqlite3_column_double(st, 0);
		t->hours_elective = sqlite3_column_double(st, 1);
		t->study_s = sqlite3_column_double(st, 2);
		t->points = sqlite3_column_int64(st, 3);
		t->courses = sqlite3_column_int64(st, 4);
	}
	db_done(st);
	return rc < 0 ? -1 : 0;
}

/* Hours rounded to 2 decimals, as every report shows them (no 0.30000000000000004 in JSON). */
static double h2(double v)
{
	return round(v * 100) / 100;
}

json_t *require_status_json(const member_status *m)
{
	json_t *rq = json_pack("{s:f,s:f}", "total_hours", h2(m->req.total_hours), "required_hours",
			       h2(m->req.required_hours));
	json_object_set_new(rq, "source_org_id", m->req.source_org ? json_integer(m->req.source_org) : json_null());
	int meets = m->proj.hours >= m->req.total_hours;
	return json_pack("{s:i,s:s,s:f,s:f,s:f,s:o,s:f,s:f,s:{s:f,s:b,s:b}}", "year", m->year, "status",
			 assess_status_name(m->status), "credit_hours", h2(m->credit_hours), "required_hours",
			 h2(m->required_hours), "elective_hours", h2(m->elective_hours), "requirement", rq, "elapsed",
			 round(m->elapsed * 10000) / 10000, "expected_hours", h2(m->expected_hours), "projection",
			 "hours", h2(m->proj.hours), "early", m->proj.early, "meets", meets);
}
