/* cmd_transcode.h — the `transcode` command. */
#ifndef DX_CMD_TRANSCODE_H
#define DX_CMD_TRANSCODE_H
/* Probes `in`, runs the HLS ladder into `outdir`; 0, or 1 with the reason on stderr. */
int cmd_transcode(const char *in, const char *outdir, int quiet);
#endif
