/* module.h — what a module is: one descriptor that tells the core everything it adds.
 *
 * The core (server/) includes no module. A module (courses/, transcoder/, scoring/, …) defines
 * one `const module NAME_module` in NAME/module.c, and the registry, modules.c at the top of the
 * tree, lists it on one line; the Makefile compiles the folders named there. See docs/dev.md.
 */
#ifndef DX_MODULE_H
#define DX_MODULE_H
#include "events.h"
#include "http.h"

/* A command of the `dangxiao` program: `dangxiao NAME ARGS… [flags]`. */
typedef struct cli_opts {
	const char *data; /* --data, or NULL */
	int quiet;        /* --quiet */
} cli_opts;
typedef struct cli_command {
	const char *name;
	const char *usage; /* one line for `dangxiao help`: "NAME ARGS   what it does" */
	int needs_db;      /* the core opens DATA/dangxiao.db (and migrates it) first */
	/* argv: the positional arguments after NAME. Returns the exit status (2: bad usage). */
	int (*run)(int argc, char **argv, const cli_opts *o);
} cli_command;

/* A link in the page header's navigation. */
typedef struct nav_entry {
	const char *href, *label_key; /* label: i18n key */
	unsigned roles;               /* shown to these roles */
	int order;                    /* left to right, ascending */
} nav_entry;

/* One migration of a module's own tables, tracked in schema_versions(module, version). Released
   ones are never edited; append. (Tables from before the registry stay in server/schema.c.) */
typedef struct migration {
	const char *sql;
} migration;

typedef struct module {
	const char *name;
	/* Called once at program start, before any command: wires the module to others' interfaces
	   (e.g. the lectures code registers itself as the transcoder's jobs_sink). */
	void (*init)(void);
	const route *const *routes;             /* NULL-terminated list of route tables */
	const resource_kind *const *resources;  /* the resource kinds it declares, NULL-terminated */
	int (*start)(void);                     /* background services, after the database is open */
	void (*stop)(void);                     /* … stopped in reverse registry order */
	const cli_command *commands;            /* ended by {NULL} */
	const nav_entry *nav;                   /* ended by {NULL} */
	/* Demo content, inside the seed's transaction (after the core's people). 0 or -1. */
	int (*seed)(const char *data_dir);
	/* Demo content made outside the transaction (slow: runs ffmpeg); failures only warn. */
	int (*seed_late)(const char *data_dir);
	const migration *migrations;            /* ended by {NULL} */
	/* A domain event (server/events.h), inside the transaction that caused it: 0, or -1 to fail
	   it (the caller rolls back). Ignore kinds you do not know. */
	int (*on_event)(const dx_event *e);
} module;

/* The registry (modules.c): the core first, then every module, NULL-terminated. */
extern const module *const dx_modules[];

/* Runs every module's init, in registry order (main, first thing). */
void modules_init(void);
/* Every route table of every module, NULL-terminated (built once). */
const route *const *routes_all(void);
/* The registered resource kind a route names is declared by some module: 1, else 0. */
int resource_registered(const resource_kind *k);
/* Starts every module's services in registry order; on failure stops those started. 0 or -1. */
int modules_start(void);
void modules_stop(void);
/* The command NAME of some module, or NULL. */
const cli_command *module_command(const char *name);
/* Calls f for each navigation entry of every module, in `order`. */
void modules_nav(void (*f)(const nav_entry *e, void *ud), void *ud);
/* Runs the modules' own migrations (after server/schema.c's). 0 or -1. */
int modules_migrate(void);
/* The modules' demo content: seed inside the caller's transaction, seed_late after it. */
int modules_seed(const char *data_dir);
void modules_seed_late(const char *data_dir);
#endif
