/* cmd_transcode.h — the `transcode` command. */
#ifndef DX_CMD_TRANSCODE_H
#define DX_CMD_TRANSCODE_H
#include "module.h"
/* `dangxiao transcode IN OUTDIR [--quiet]`: probes IN, runs the HLS ladder into OUTDIR; 0, or 1
   with the reason on stderr (2: bad usage). */
int cmd_transcode(int argc, char **argv, const cli_opts *o);
#endif
