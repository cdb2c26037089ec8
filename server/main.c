/* main.c — the dangxiao command line: serve, init, seed, import-members, backup, routes. */
#include "auth.h"
#include "clock.h"
#include "config.h"
#include "db.h"
#include "http.h"
#include "i18n.h"
#include "module.h"
#include "people.h"
#include "seed.h"

#include <getopt.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fputs("usage: dangxiao COMMAND [options]\n"
	      "  serve  --data DIR [--listen HOST:PORT] [--workers N] [--threads N] [--web DIR] [--test-clock]\n"
	      "         [--set KEY=VALUE]...   serve the academy\n"
	      "  init   --data DIR [--admin NAME] [--org NAME]   create the database; admin password on stdin\n"
	      "  seed   --data DIR                create the database with the demo academy (first run)\n"
	      "  import-members --data DIR FILE.csv   bulk import (username,name,org,role,password)\n"
	      "  backup --data DIR OUT.db          online, consistent copy of the database\n"
	      "  routes                            print the route table (method, pattern, roles, resource)\n",
	      f);
	for (int m = 0; dx_modules[m]; m++)
		for (const cli_command *c = dx_modules[m]->commands; c && c->name; c++)
			fprintf(f, "  %s\n", c->usage);
	fputs("Settings are read from DIR/dangxiao.conf; flags override them. See docs/operations.md.\n", f);
}

static const char *g_data;
static const char *g_admin = "admin", *g_org = "党校";
static int g_test_clock, g_quiet;

/* Parses common flags; leaves positional arguments in argv[optind..]. Returns -1 on bad usage. */
static int parse_flags(int argc, char **argv)
{
	static const struct option opts[] = {
		{"data", required_argument, 0, 'd'},    {"listen", required_argument, 0, 'l'},
		{"workers", required_argument, 0, 'w'}, {"threads", required_argument, 0, 't'},
		{"web", required_argument, 0, 'W'},     {"admin", required_argument, 0, 'a'},
		{"org", required_argument, 0, 'o'},     {"set", required_argument, 0, 's'},
		{"test-clock", no_argument, 0, 'T'},    {"help", no_argument, 0, 'h'},
		{"quiet", no_argument, 0, 'q'},
		{0, 0, 0, 0},
	};
	/* First pass: --data, so the settings file loads before flags override it. */
	for (int i = 1; i < argc - 1; i++)
		if (!strcmp(argv[i], "--data"))
			g_data = argv[i + 1];
		else if (!strncmp(argv[i], "--data=", 7))
			g_data = argv[i] + 7;
	if (g_data && config_load(g_data) < 0)
		return -2;
	int c;
	optind = 2;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		char *eq;
		switch (c) {
		case 'd': g_data = optarg; break;
		case 'l': if (config_set("listen", optarg) < 0) return -1; break;
		case 'w': if (config_set("workers", optarg) < 0) return -1; break;
		case 't': if (config_set("threads", optarg) < 0) return -1; break;
		case 'W': if (config_set("web_root", optarg) < 0) return -1; break;
		case 'a': g_admin = optarg; break;
		case 'o': g_org = optarg; break;
		case 'T': g_test_clock = 1; break;
		case 'q': g_quiet = 1; break;
		case 's':
			eq = strchr(optarg, '=');
			if (!eq)
				return -1;
			*eq = 0;
			if (config_set(optarg, eq + 1) < 0) {
				fprintf(stderr, "dangxiao: unknown setting or bad value: %s\n", optarg);
				return -1;
			}
			break;
		case 'h': usage(stdout); exit(0);
		default: return -1;
		}
	}
	return 0;
}

/* A module command's arguments: the core takes --data DIR, --quiet and --set KEY=VALUE; every
   other argument, in order, is the command's own (positionals and its flags, such as report's
   --org). The settings file of --data is read first, as for the core's commands. Returns the
   number of arguments left in rest, -1 on bad usage, -2 on a bad settings file. */
static int module_args(int argc, char **argv, char **rest)
{
	for (int i = 2; i < argc; i++)
		if (!strcmp(argv[i], "--data") && i + 1 < argc)
			g_data = argv[++i];
		else if (!strncmp(argv[i], "--data=", 7))
			g_data = argv[i] + 7;
	if (g_data && config_load(g_data) < 0)
		return -2;
	int n = 0;
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i], *kv = NULL;
		if (!strcmp(a, "--data") && i + 1 < argc)
			i++;
		else if (!strncmp(a, "--data=", 7))
			;
		else if (!strcmp(a, "--quiet"))
			g_quiet = 1;
		else if ((!strcmp(a, "--set") && i + 1 < argc && (kv = argv[++i])) || (!strncmp(a, "--set=", 6) && (kv = a + 6))) {
			char *eq = strchr(kv, '=');
			if (!eq)
				return -1;
			*eq = 0;
			if (config_set(kv, eq + 1) < 0) {
				fprintf(stderr, "dangxiao: unknown setting or bad value: %s\n", kv);
				return -1;
			}
		} else
			rest[n++] = argv[i];
	}
	return n;
}

static int open_db(int create)
{
	if (!g_data) {
		fprintf(stderr, "dangxiao: --data DIR is required\n");
		return 2;
	}
	char path[600];
	snprintf(path, sizeof path, "%s/dangxiao.db", g_data);
	if (!create && access(path, F_OK) != 0) {
		fprintf(stderr, "dangxiao: no database in %s (run 'dangxiao init --data %s' first)\n", g_data, g_data);
		return 1;
	}
	if (mkdir_p(g_data, 0750) < 0) {
		fprintf(stderr, "dangxiao: cannot create %s\n", g_data);
		return 1;
	}
	db_set_path(path);
	if (auth_init() < 0 || db_migrate() < 0)
		return 1;
	return 0;
}

static void on_ready(void)
{
	fprintf(stderr, "dangxiao: serving on http://%s (data %s)%s\n", cfg.listen, g_data,
		g_test_clock ? " [test clock]" : "");
}

static int cmd_serve(void)
{
	int rc = open_db(0);
	if (rc)
		return rc;
	if (g_test_clock)
		clock_enable_test();
	if (i18n_load(cfg.web_root) < 0)
		return 1;
	char logp[700];
	snprintf(logp, sizeof logp, "%s/access.log", g_data);
	if (modules_start() < 0)
		return 1;
	http_opts o = {
		.listen = cfg.listen,
		.web_root = cfg.web_root,
		.access_log = cfg.access_log ? logp : NULL,
		.threads = cfg.threads,
		.max_conns = cfg.max_conns,
		.conn_timeout_s = cfg.conn_timeout_s,
		.conn_memory_kb = cfg.conn_memory_kb,
		.secure_cookie = cfg.secure_cookie,
		.per_ip_conns = cfg.per_ip_conns,
		.head_timeout_s = cfg.head_timeout_s,
		.body_stall_s = cfg.body_stall_s,
		.body_stall_bytes = cfg.body_stall_bytes,
	};
	rc = http_serve(&o, on_ready);
	modules_stop();
	db_close_thread();
	return rc < 0 ? 1 : 0;
}

static int cmd_init(void)
{
	int rc = open_db(1);
	if (rc)
		return rc;
	if (db_exists("SELECT 1 FROM users WHERE role = 'admin'", "")) {
		fprintf(stderr, "dangxiao: %s already has an admin; nothing to do\n", g_data);
		return 1;
	}
	char pw[300];
	if (isatty(0))
		fprintf(stderr, "password for %s: ", g_admin);
	if (!fgets(pw, sizeof pw, stdin)) {
		fprintf(stderr, "dangxiao: read the admin password from stdin\n");
		return 1;
	}
	pw[strcspn(pw, "\r\n")] = 0;
	if (password_weak(pw)) {
		fprintf(stderr, "dangxiao: the password must have 8 to 256 characters\n");
		return 1;
	}
	if (!username_ok(g_admin)) {
		fprintf(stderr, "dangxiao: bad admin name\n");
		return 2;
	}
	int64_t org = org_resolve_path(g_org, 1);
	if (!org || user_create(g_admin, "管理员", "admin", org, pw) <= 0) {
		fprintf(stderr, "dangxiao: could not create the admin\n");
		return 1;
	}
	printf("created %s/dangxiao.db with admin '%s'\n", g_data, g_admin);
	return 0;
}

static int cmd_seed(void)
{
	int rc = open_db(1);
	if (rc)
		return rc;
	return seed_demo(g_data) < 0 ? 1 : 0;
}

static int cmd_import(int argc, char **argv)
{
	if (optind >= argc)
		return 2;
	int rc = open_db(0);
	if (rc)
		return rc;
	i18n_load(cfg.web_root); /* error messages come from the catalog */
	size_t len;
	char *text = read_file(argv[optind], &len);
	if (!text) {
		fprintf(stderr, "dangxiao: cannot read %s\n", argv[optind]);
		return 1;
	}
	/* The command line applies what it reads (no preview) and never changes an existing role. */
	import_opts io = {.preview = 0};
	int status;
	json_t *res = import_members(text, len, &io, &status);
	free(text);
	if (res && status != 200) {
		fprintf(stderr, "dangxiao: %s\n", json_string_value(json_object_get(json_object_get(res, "error"), "message")));
		json_decref(res);
		return 1;
	}
	if (!res) {
		fprintf(stderr, "dangxiao: the database is busy or failing; nothing was imported\n");
		return 1;
	}
	json_t *errs = json_object_get(res, "errors");
	size_t i;
	json_t *e;
	json_array_foreach(errs, i, e)
	{
		fprintf(stderr, "line %lld: %s\n", (long long)json_integer_value(json_object_get(e, "line")),
			json_string_value(json_object_get(e, "message")));
	}
	printf("created %lld, updated %lld, errors %zu\n",
	       (long long)json_integer_value(json_object_get(res, "created")),
	       (long long)json_integer_value(json_object_get(res, "updated")), json_array_size(errs));
	rc = json_array_size(errs) ? 1 : 0;
	json_decref(res);
	return rc;
}

static int cmd_backup(int argc, char **argv)
{
	if (optind >= argc)
		return 2;
	int rc = open_db(0);
	if (rc)
		return rc;
	const char *out = argv[optind];
	char tmp[1024];
	snprintf(tmp, sizeof tmp, "%s.tmp", out);
	unlink(tmp);
	sqlite3 *dst;
	if (sqlite3_open(tmp, &dst) != SQLITE_OK) {
		fprintf(stderr, "dangxiao: cannot create %s\n", tmp);
		return 1;
	}
	/* Copy in steps so the running server's writers are not blocked for long. */
	sqlite3_backup *bk = sqlite3_backup_init(dst, "main", db(), "main");
	if (!bk) {
		fprintf(stderr, "dangxiao: backup failed: %s\n", sqlite3_errmsg(dst));
		sqlite3_close(dst);
		return 1;
	}
	int s;
	while ((s = sqlite3_backup_step(bk, 256)) == SQLITE_OK || s == SQLITE_BUSY || s == SQLITE_LOCKED)
		usleep(5000);
	sqlite3_backup_finish(bk);
	int ok = s == SQLITE_DONE;
	sqlite3_close(dst);
	if (!ok || rename(tmp, out) < 0) {
		fprintf(stderr, "dangxiao: backup failed (%d)\n", s);
		unlink(tmp);
		return 1;
	}
	printf("backed up %s/dangxiao.db to %s\n", g_data, out);
	return 0;
}

static int cmd_routes(void)
{
	const route *const *tables = routes_all();
	int rc = 0;
	for (int t = 0; tables[t]; t++)
		for (const route *rt = tables[t]; rt->method; rt++) {
			printf("%s\t%s\t%u\t%s\n", rt->method, rt->pattern, rt->roles, rt->res ? rt->res->name : "-");
			if (rt->res && !resource_registered(rt->res)) {
				fprintf(stderr, "dangxiao: %s %s: resource %s is in no module's descriptor\n", rt->method,
					rt->pattern, rt->res->name);
				rc = 1;
			}
		}
	return rc;
}

int main(int argc, char **argv)
{
	/* A fixed mmap threshold: Argon2id's 19 MiB work area (every login) is then mapped and given
	   back on free, instead of raising glibc's dynamic threshold and staying resident in the heap. */
	mallopt(M_MMAP_THRESHOLD, 1024 * 1024);
	modules_init();
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
		usage(stdout);
		return 0;
	}
	static const char *const builtin[] = {"serve", "init", "seed", "import-members", "backup", "routes"};
	int is_builtin = 0;
	for (size_t i = 0; i < ARRAY_LEN(builtin); i++)
		is_builtin |= !strcmp(cmd, builtin[i]);
	const cli_command *mc = is_builtin ? NULL : module_command(cmd);
	if (mc) {
		char **rest = xcalloc((size_t)argc, sizeof *rest);
		int n = module_args(argc, argv, rest);
		int rc = n == -2 ? 1 : n < 0 ? 2 : 0;
		cli_opts o = {.data = g_data, .quiet = g_quiet};
		if (!rc && mc->needs_db)
			rc = open_db(0);
		if (!rc)
			rc = mc->run(n, rest, &o);
		free(rest);
		if (rc == 2)
			usage(stderr);
		return rc;
	}
	int pf = parse_flags(argc, argv);
	if (pf == -2)
		return 1;
	if (pf < 0) {
		usage(stderr);
		return 2;
	}
	int rc;
	if (!strcmp(cmd, "serve"))
		rc = cmd_serve();
	else if (!strcmp(cmd, "init"))
		rc = cmd_init();
	else if (!strcmp(cmd, "seed"))
		rc = cmd_seed();
	else if (!strcmp(cmd, "import-members"))
		rc = cmd_import(argc, argv);
	else if (!strcmp(cmd, "backup"))
		rc = cmd_backup(argc, argv);
	else if (!strcmp(cmd, "routes"))
		rc = cmd_routes();
	else {
		fprintf(stderr, "dangxiao: unknown command '%s'\n", cmd);
		rc = 2;
	}
	if (rc == 2)
		usage(stderr);
	return rc;
}
