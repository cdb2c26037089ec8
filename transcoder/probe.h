/* probe.h — inspect an uploaded file with libavformat: is it playable media, and what is in it. */
#ifndef DX_PROBE_H
#define DX_PROBE_H
#include <stddef.h>
#include <stdint.h>

typedef struct media_info {
	double duration_s;  /* container duration in seconds (> 0 when media_probe succeeds) */
	int64_t size;       /* file size in bytes */
	int has_video;      /* a decodable video stream (cover art / attached pictures do not count) */
	int has_audio;      /* a decodable audio stream */
	int width, height;  /* DISPLAY size of the first video stream: sample aspect ratio and
	                       rotation metadata applied (a portrait phone clip reports 1080x1920) */
	double fps;         /* frame rate of the video stream, 0 when unknown */
	char vcodec[32];    /* e.g. "h264", "" without video */
	char acodec[32];    /* e.g. "aac", "" without audio */
	int64_t bit_rate;   /* overall bit rate in bit/s, 0 when unknown */
} media_info;

/* Opens and probes the file at `path` (avformat_open_input + avformat_find_stream_info), decodes a
   few packets of the chosen audio/video streams and checks the container's index against the file
   size. Returns 0 when the file is playable media (at least one audio or video stream with a
   decodable codec and duration > 0) and fills *mi; otherwise returns -1 with a one-line English
   reason in err ("file not found", "file is empty", "not a media file", "no audio or video stream",
   "file is truncated or damaged: ..."). Thread-safe; libav logging is silenced once per process. */
int media_probe(const char *path, media_info *mi, char *err, size_t errlen);

#endif
