/* module.c — the transcoder's descriptor: the worker threads, the `transcode` command, its tables'
 * migrations (the jobs table itself predates the registry: server/schema.c, migration 3). */
#include "config.h"
#include "module.h"
#include "transcoder/cmd_transcode.h"
#include "transcoder/jobs.h"

static int transcoder_start(void)
{
	return jobs_start(cfg.workers);
}

const module transcoder_module = {
	.name = "transcoder",
	.start = transcoder_start,
	.stop = jobs_stop,
	.commands = (const cli_command[]){
		{"transcode", "transcode IN OUTDIR [--quiet]      the HLS ladder of one file, as the server makes it", 0,
		 cmd_transcode},
		{.name = NULL},
	},
	.migrations = (const migration[]){
		/* 1: a lecture's open jobs without a scan (jobs_enqueue and jobs_cancel look them up). */
		{"CREATE INDEX jobs_subject ON jobs(lecture_id, state);"},
		{.sql = NULL},
	},
};
