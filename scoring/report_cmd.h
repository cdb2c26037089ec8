/* report_cmd.h — the `dangxiao report` command (scoring's descriptor lists it). */
#ifndef DANGXIAO_SCORING_REPORT_CMD_H
#define DANGXIAO_SCORING_REPORT_CMD_H
#include "module.h"
int cmd_report(int argc, char **argv, const cli_opts *o);
#endif
