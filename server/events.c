/* events.c — event_emit / event_notify: record once, then every module's listener in order. */
#include "events.h"
#include "db.h"
#include "module.h"

#include <stdio.h>

static int listeners(const dx_event *e)
{
	for (int m = 0; dx_modules[m]; m++)
		if (dx_modules[m]->on_event && dx_modules[m]->on_event(e) < 0) {
			fprintf(stderr, "dangxiao: module %s failed on event %s\n", dx_modules[m]->name, e->kind);
			return -1;
		}
	return 0;
}

int event_emit(const dx_event *e)
{
	int n = e->data ? db_exec("INSERT OR IGNORE INTO events(user_id, kind, ref, at, data) VALUES (?, ?, ?, ?, json(?))",
				  "isiis", e->user_id, e->kind, e->ref, e->at, e->data)
			: db_exec("INSERT OR IGNORE INTO events(user_id, kind, ref, at, data) VALUES (?, ?, ?, ?, NULL)",
				  "isii", e->user_id, e->kind, e->ref, e->at);
	if (n <= 0)
		return n;
	return listeners(e) < 0 ? -1 : 1;
}

int event_notify(const dx_event *e)
{
	return listeners(e);
}

int64_t event_id(int64_t user_id, const char *kind, int64_t ref)
{
	return db_int(0, "SELECT id FROM events WHERE user_id=? AND kind=? AND ref=?", "isi", user_id, kind, ref);
}
