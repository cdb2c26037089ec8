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
	char format[32];    /* the demuxer, as ffmpeg's -f takes it ("mov", "matroska", "mp3"...) */
	int score;          /* av_probe_input_buffer2's score of the content (0..100) */
} media_info;

/* The only demuxers that may open an upload: each reads one self-contained file. Playlists (hls,
   dash), concat, image sequences and stills (image2, *_pipe, gif), tee, data/subfile and raw codec
   guesses (amr, adpcm, g722, ...) are left out: they open further files, wait for more data, or
   take any bytes for media. The same list goes to the transcoder's ffmpeg (-format_whitelist). */
#define MEDIA_FORMAT_WHITELIST "mov,mp4,m4a,3gp,3g2,mj2,matroska,webm,avi,flv,mpegts,mpeg,asf,mp3,wav,ogg,flac,aac"
/* The least content score a source must reach (a match as strong as a file name extension): raw
   codec demuxers guess from a few plausible bytes and score below it. */
#define MEDIA_MIN_SCORE 50

typedef struct probe_opts {
	double timeout_s;       /* wall-clock bound of the whole probe; 0 → 10 s */
	int (*cancelled)(void); /* polled while probing (NULL: never); non-zero aborts, e.g. at shutdown */
} probe_opts;

/* Opens and probes the file at `path` (avformat_open_input + avformat_find_stream_info), decodes a
   few packets of the chosen audio/video streams and checks the container's index against the file
   size. Returns 0 when the file is playable media (at least one audio or video stream with a
   decodable codec and duration > 0) and fills *mi; otherwise returns -1 with a one-line English
   reason in err ("file not found", "file is empty", "not a media file", "no audio or video stream",
   "file is truncated or damaged: ..."). Thread-safe; libav logging is silenced once per process. */
int media_probe(const char *path, media_info *mi, char *err, size_t errlen);
/* The same with limits. The file is opened by us (file protocol only, no nested opens: a demuxer
   asking for another file is refused), detected from its content among MEDIA_FORMAT_WHITELIST
   with a score of at least MEDIA_MIN_SCORE, and every read goes through an interrupt callback
   that ends the probe at the deadline. Further reasons: "format not allowed: NAME", "not a media
   file (a still image)", "not a media file (weak match: NAME, score N)", "probe timed out",
   "probe cancelled". */
int media_probe_ex(const char *path, media_info *mi, const probe_opts *o, char *err, size_t errlen);

#endif
