/* cmd_transcode.c — `dangxiao transcode IN OUTDIR`: the server's ladder on one file, from the shell
   (for operators re-encoding by hand, and for the transcoding benchmark). */
#include "transcoder/cmd_transcode.h"
#include "config.h"
#include "util.h"
#include "transcoder/ffrun.h"
#include "transcoder/ladder.h"
#include "transcoder/probe.h"

#include <stdio.h>
#include <string.h>

static void on_progress(void *ud, double f)
{
	(void)ud;
	fprintf(stderr, "\rtranscoding %3.0f %%", f * 100);
}

int cmd_transcode(int argc, char **argv, const cli_opts *opts)
{
	if (argc < 2)
		return 2;
	const char *in = argv[0], *outdir = argv[1];
	int quiet = opts->quiet;
	media_info mi;
	char err[512];
	if (media_probe(in, &mi, err, sizeof err) < 0) {
		fprintf(stderr, "dangxiao: %s: %s\n", in, err);
		return 1;
	}
	rung rungs[8];
	int n = ladder_plan(&mi, rungs, 8);
	if (n < 1 || mkdir_p(outdir, 0755) < 0) {
		fprintf(stderr, "dangxiao: cannot plan or create %s\n", outdir);
		return 1;
	}
	char **av = ladder_argv(cfg.ffmpeg, in, outdir, &mi, rungs, n);
	if (!av) {
		fprintf(stderr, "dangxiao: cannot build the ffmpeg command\n");
		return 1;
	}
	if (!quiet) {
		fprintf(stderr, "%s: %.1f s, %dx%d, %d rung(s):", in, mi.duration_s, mi.width, mi.height, n);
		for (int i = 0; i < n; i++)
			fprintf(stderr, " %dp", rungs[i].height);
		fputc('\n', stderr);
	}
	ffrun_opts o = {.duration_s = mi.duration_s, .stall_s = 120, .max_s = (int)(mi.duration_s * 4) + 600,
			.on_progress = quiet ? NULL : on_progress};
	int rc = ffrun(av, &o, err, sizeof err);
	argv_free(av);
	if (!quiet)
		fputc('\n', stderr);
	if (rc < 0) {
		fprintf(stderr, "dangxiao: %s\n", err);
		return 1;
	}
	if (ladder_write_master(outdir, &mi, rungs, n) < 0) {
		fprintf(stderr, "dangxiao: cannot write the master playlist\n");
		return 1;
	}
	return 0;
}
