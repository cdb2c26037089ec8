/* ladder.h — the HLS bit-rate ladder: which renditions to make and the ffmpeg command lines for them. */
#ifndef DX_LADDER_H
#define DX_LADDER_H
#include "transcoder/probe.h"

/* One rendition. width/height are 0 for the audio-only rung; a_kbps is 0 when the source has no
   audio. v_kbps is the target (average) video bit rate; maxrate is 1.07x and the VBV buffer 1.5x. */
typedef struct rung {
	int width, height, v_kbps, a_kbps;
} rung;

#define LADDER_MAX_RUNGS 4

/* Plans the renditions for a probed source into out[0..max): the rungs 360/540/720/1080 (by the
   picture's short side, so portrait clips get 360x640 etc.) that do not exceed the source, widths
   keeping the display aspect, all dimensions even. A source below 360 gets one rung at its own
   (even) size; never upscales. 360: 800k/96k audio, 540: 1400k, 720: 2800k, 1080: 5000k (128k
   audio); x1.5 video for sources above 40 fps. Audio-only input gives one rung {0,0,0,128}; video
   without audio gives rungs with a_kbps 0. Returns the rung count (0 when there is nothing to encode). */
int ladder_plan(const media_info *mi, rung *out, int max);

/* Builds the argv (NULL-terminated; array and strings malloc'd, free with argv_free) of ONE ffmpeg
   process that decodes `in` once and encodes every rung into HLS under `outdir`:
   OUTDIR/master.m3u8, OUTDIR/v{i}/index.m3u8, OUTDIR/v{i}/seg_%05d.ts (MPEG-TS, 4 s segments, VOD,
   a keyframe every 2 s on every rung), reporting `-progress pipe:1`. `ffmpeg` is the program to run
   (e.g. "ffmpeg"). Returns NULL when n < 1, a rung is invalid, or outdir contains '%' (ffmpeg would
   read it as a pattern). */
char **ladder_argv(const char *ffmpeg, const char *in, const char *outdir, const media_info *mi, const rung *r, int n);

/* (Re)writes OUTDIR/master.m3u8 atomically from the rung table after a successful ladder run, with
   BANDWIDTH (peak segment bit rate) and AVERAGE-BANDWIDTH measured from the segments on disk,
   RESOLUTION, FRAME-RATE and CODECS (the H.264 profile/level read from the first segment's SPS).
   Returns 0, or -1 (errno set) when a variant playlist or segment is missing or the write fails. */
int ladder_write_master(const char *outdir, const media_info *mi, const rung *r, int n);

/* Builds the argv of an ffmpeg run that writes one JPEG poster frame taken at at_s seconds (callers
   use ~10 % of the duration), scaled to at most 720 pixels wide with the display aspect kept. fmt is
   the probe's demuxer (media_info.format) or NULL. Every ffmpeg command line of this module opens
   its input with -protocol_whitelist file -format_whitelist MEDIA_FORMAT_WHITELIST [-f FMT]. */
char **ladder_poster_argv(const char *ffmpeg, const char *in, const char *fmt, const char *out_jpg, double at_s);

/* Frees an argv built by this module (NULL is fine). */
void argv_free(char **argv);

#endif
