/* audit.c — audit_log(): one inserted row per change; the table refuses updates and deletes. */
#include "audit.h"
#include "clock.h"
#include "db.h"

int audit_log(int64_t actor, const char *action, const char *target_kind, int64_t target_id, const char *detail_json)
{
	return db_exec("INSERT INTO audit_log(at, actor_id, action, target_kind, target_id, detail) "
		       "VALUES (?, NULLIF(?, 0), ?, ?, ?, json(?))",
		       "iissis", clock_secs(), actor, action, target_kind, target_id, detail_json ? detail_json : "{}") < 0
		       ? -1
		       : 0;
}
