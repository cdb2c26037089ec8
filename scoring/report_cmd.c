/* report_cmd.c — `dangxiao report --data DIR --org ID --year Y --format csv|xlsx --out FILE`: the
 * members report of an organisation's subtree (ID 0: every organisation) for scripts, the same
 * file the assessors download. */
#include "scoring/report_cmd.h"
#include "clock.h"
#include "config.h"
#include "db.h"
#include "i18n.h"
#include "scoring/report_export.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int usage_err(const char *what)
{
	fprintf(stderr, "dangxiao report: %s\n"
			"usage: dangxiao report --data DIR --org ID --year Y --format csv|xlsx --out FILE [--status S]\n",
		what);
	return 2;
}

/* "--name value" or "--name=value" at argv[*i]: the value, advancing *i; NULL when not that flag. */
static const char *flag(int argc, char **argv, int *i, const char *name)
{
	size_t n = strlen(name);
	if (strncmp(argv[*i], name, n))
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n] || *i + 1 >= argc)
		return NULL;
	return argv[++*i];
}

static int write_csv(FILE *f, int year, const char *path, const report_filter *flt)
{
	report_csv c;
	if (report_csv_open(&c, year, path, clock_secs(), flt) < 0)
		return -1;
	char chunk[65536];
	long n;
	while ((n = report_csv_fill(&c, chunk, sizeof chunk)) > 0)
		if (fwrite(chunk, 1, (size_t)n, f) != (size_t)n) {
			n = -1;
			break;
		}
	report_csv_close(&c);
	return n < 0 ? -1 : 0;
}

int cmd_report(int argc, char **argv, const cli_opts *o)
{
	const char *org_s = NULL, *year_s = NULL, *fmt = NULL, *out = NULL, *status = NULL, *v;
	for (int i = 0; i < argc; i++) {
		if ((v = flag(argc, argv, &i, "--org")))
			org_s = v;
		else if ((v = flag(argc, argv, &i, "--year")))
			year_s = v;
		else if ((v = flag(argc, argv, &i, "--format")))
			fmt = v;
		else if ((v = flag(argc, argv, &i, "--out")))
			out = v;
		else if ((v = flag(argc, argv, &i, "--status")))
			status = v;
		else
			return usage_err("unknown argument");
	}
	if (!org_s || !year_s || !fmt || !out)
		return usage_err("--org, --year, --format and --out are required");
	if (strcmp(fmt, "csv") && strcmp(fmt, "xlsx"))
		return usage_err("--format is csv or xlsx");
	char *end;
	errno = 0;
	long long org = strtoll(org_s, &end, 10);
	if (*end || errno || org < 0)
		return usage_err("--org is an organisation id (0: all)");
	long year = strtol(year_s, &end, 10);
	int this_year = year_of(clock_secs());
	if (*end || year < 2000 || year > this_year + 1) {
		fprintf(stderr, "dangxiao report: the year must be from 2000 to %d\n", this_year + 1);
		return 2;
	}
	report_filter flt = { report_status_parse(status), NULL, 0 };
	if (flt.status == -2)
		return usage_err("--status is met, on_track, behind or at_risk");
	if (i18n_load(cfg.web_root) < 0)
		return 1;
	char *path = org ? db_text("SELECT path FROM orgs WHERE id = ?", "i", (int64_t)org) : xstrdup("/");
	if (!path) {
		fprintf(stderr, "dangxiao report: no organisation %lld\n", org);
		return 1;
	}
	/* Written beside the target, renamed into place when complete. */
	buf tmp;
	buf_init(&tmp);
	buf_printf(&tmp, "%s.tmp-%ld", out, (long)getpid());
	int rc;
	if (fmt[0] == 'x') {
		rc = report_write_xlsx(tmp.p, NULL, (int)year, path, clock_secs(), &flt, NULL);
	} else {
		FILE *f = fopen(tmp.p, "wb");
		rc = f ? write_csv(f, (int)year, path, &flt) : -1;
		if (f && fclose(f) != 0)
			rc = -1;
	}
	if (rc == 0 && rename(tmp.p, out) < 0)
		rc = -1;
	if (rc < 0) {
		fprintf(stderr, "dangxiao report: cannot write %s: %s\n", out, errno ? strerror(errno) : db_errmsg());
		unlink(tmp.p);
	} else if (!o->quiet) {
		printf("wrote %s\n", out);
	}
	buf_free(&tmp);
	free(path);
	return rc < 0 ? 1 : 0;
}
