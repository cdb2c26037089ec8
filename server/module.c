/* module.c — walks the registry (modules.c): routes, services, commands, navigation, migrations,
 * demo seeds. Nothing here knows any module by name. */
#include "module.h"
#include "db.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void modules_init(void)
{
	for (int m = 0; dx_modules[m]; m++)
		if (dx_modules[m]->init)
			dx_modules[m]->init();
}

static const route **g_routes;
static pthread_once_t g_routes_once = PTHREAD_ONCE_INIT;

static void build_routes(void)
{
	size_t n = 0;
	for (int m = 0; dx_modules[m]; m++)
		for (int t = 0; dx_modules[m]->routes && dx_modules[m]->routes[t]; t++)
			n++;
	g_routes = xcalloc(n + 1, sizeof *g_routes);
	n = 0;
	for (int m = 0; dx_modules[m]; m++)
		for (int t = 0; dx_modules[m]->routes && dx_modules[m]->routes[t]; t++)
			g_routes[n++] = dx_modules[m]->routes[t];
}

const route *const *routes_all(void)
{
	pthread_once(&g_routes_once, build_routes);
	return g_routes;
}

int resource_registered(const resource_kind *k)
{
	for (int m = 0; dx_modules[m]; m++)
		for (int i = 0; dx_modules[m]->resources && dx_modules[m]->resources[i]; i++)
			if (dx_modules[m]->resources[i] == k)
				return 1;
	return 0;
}

static int g_started; /* how many modules' start ran */

int modules_start(void)
{
	for (g_started = 0; dx_modules[g_started]; g_started++) {
		const module *m = dx_modules[g_started];
		if (m->start && m->start() < 0) {
			fprintf(stderr, "dangxiao: module %s did not start\n", m->name);
			modules_stop();
			return -1;
		}
	}
	return 0;
}

void modules_stop(void)
{
	while (g_started > 0) {
		const module *m = dx_modules[--g_started];
		if (m->stop)
			m->stop();
	}
}

const cli_command *module_command(const char *name)
{
	for (int m = 0; dx_modules[m]; m++)
		for (const cli_command *c = dx_modules[m]->commands; c && c->name; c++)
			if (!strcmp(c->name, name))
				return c;
	return NULL;
}

void modules_nav(void (*f)(const nav_entry *e, void *ud), void *ud)
{
	/* A handful of entries: pick the next by order each time. */
	int last = INT_MIN;
	for (;;) {
		const nav_entry *next = NULL;
		for (int m = 0; dx_modules[m]; m++)
			for (const nav_entry *e = dx_modules[m]->nav; e && e->href; e++)
				if (e->order > last && (!next || e->order < next->order))
					next = e;
		if (!next)
			return;
		f(next, ud);
		last = next->order;
	}
}

int modules_migrate(void)
{
	for (int mi = 0; dx_modules[mi]; mi++) {
		const module *m = dx_modules[mi];
		int want = 0;
		while (m->migrations && m->migrations[want].sql)
			want++;
		int have = (int)db_int(0, "SELECT version FROM schema_versions WHERE module = ?", "s", m->name);
		if (have > want) {
			fprintf(stderr, "dangxiao: the %s tables (version %d) are newer than this program (%d)\n", m->name,
				have, want);
			return -1;
		}
		for (int v = have; v < want; v++) {
			if (db_begin() < 0)
				return -1;
			if (db_exec_raw(m->migrations[v].sql) < 0 ||
			    db_exec("INSERT INTO schema_versions(module, version) VALUES (?, ?)"
				    " ON CONFLICT(module) DO UPDATE SET version = excluded.version",
				    "si", m->name, (int64_t)(v + 1)) < 0) {
				db_rollback();
				fprintf(stderr, "dangxiao: migration %d of %s failed\n", v + 1, m->name);
				return -1;
			}
			if (db_commit() < 0)
				return -1;
		}
	}
	return 0;
}

int modules_seed(const char *data_dir)
{
	for (int m = 0; dx_modules[m]; m++)
		if (dx_modules[m]->seed && dx_modules[m]->seed(data_dir) < 0) {
			fprintf(stderr, "dangxiao: the demo content of %s failed\n", dx_modules[m]->name);
			return -1;
		}
	return 0;
}

void modules_seed_late(const char *data_dir)
{
	for (int m = 0; dx_modules[m]; m++)
		if (dx_modules[m]->seed_late && dx_modules[m]->seed_late(data_dir) < 0)
			fprintf(stderr, "dangxiao: continuing without the demo content of %s\n", dx_modules[m]->name);
}
