/* ladder.c — plan the HLS renditions and build the single-process ffmpeg command lines for them. */
#include "transcoder/ladder.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libavformat/avformat.h>
#include <libavutil/log.h>

/* The ladder by short side: video kbit/s, audio kbit/s. */
static const struct {
	int side, v_kbps, a_kbps;
} RUNGS[LADDER_MAX_RUNGS] = {
	{360, 800, 96},
	{540, 1400, 128},
	{720, 2800, 128},
	{1080, 5000, 128},
};
#define AUDIO_ONLY_KBPS 128
#define KEYFRAME_S 2
#define SEGMENT_S 4

static int even_down(double x)
{
	int v = (int)floor(x);
	return v - (v & 1);
}

static int even_round(double x)
{
	int v = (int)lrint(x / 2.0) * 2;
	return v < 2 ? 2 : v;
}

int ladder_plan(const media_info *mi, rung *out, int max)
{
	int n = 0;
	if (!mi || !out || max < 1)
		return 0;
	int a_on = mi->has_audio != 0;
	if (!mi->has_video) {
		if (!a_on)
			return 0;
		out[0] = (rung){0, 0, 0, AUDIO_ONLY_KBPS};
		return 1;
	}
	if (mi->width < 2 || mi->height < 2)
		return 0;
	int portrait = mi->height > mi->width;
	double shortside = portrait ? mi->width : mi->height;
	double longside = portrait ? mi->height : mi->width;
	double aspect = longside / shortside;
	double fps_mul = mi->fps > 40 ? 1.5 : 1.0;

	for (int i = 0; i < LADDER_MAX_RUNGS && n < max; i++) {
		/* A source a hair under a rung (1920x1076) gets that rung at its own size. */
		if (shortside < RUNGS[i].side * 0.97)
			break;
		int s = shortside < RUNGS[i].side ? even_down(shortside) : RUNGS[i].side;
		int l = even_round(s * aspect);
		if (l > longside)
			l = even_down(longside);
		rung r = {portrait ? s : l, portrait ? l : s, (int)lrint(RUNGS[i].v_kbps * fps_mul), a_on ? RUNGS[i].a_kbps : 0};
		out[n++] = r;
	}
	if (n == 0) {
		/* Smaller than the first rung: one rendition at the source's own size, bit rate by area. */
		int s = even_down(shortside), l = even_down(longside);
		if (s < 2)
			s = 2;
		if (l < 2)
			l = 2;
		double k = RUNGS[0].v_kbps * ((double)s * l) / (360.0 * 640.0) * fps_mul;
		int kbps = (int)lrint(k / 10.0) * 10;
		rung r = {portrait ? s : l, portrait ? l : s, kbps < 200 ? 200 : kbps, a_on ? RUNGS[0].a_kbps : 0};
		out[n++] = r;
	}
	return n;
}

/* ---- argv building ---- */

typedef struct argvb {
	char **v;
	size_t n, cap;
} argvb;

static void av_add(argvb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void av_add(argvb *b, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	va_start(ap, fmt);
	int len = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (len < 0 || !s)
		abort();
	if (b->n + 2 > b->cap) {
		b->cap = b->cap ? b->cap * 2 : 64;
		b->v = xrealloc(b->v, b->cap * sizeof *b->v);
	}
	b->v[b->n++] = s;
	b->v[b->n] = NULL;
}

/* A string the caller's buffer grows into (filter graphs, stream maps). */
typedef struct sbuf {
	char *p;
	size_t len, cap;
} sbuf;

static void sb_add(sbuf *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_add(sbuf *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int need = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (need < 0)
		abort();
	if (s->len + (size_t)need + 1 > s->cap) {
		s->cap = (s->len + (size_t)need + 1) * 2;
		s->p = xrealloc(s->p, s->cap);
	}
	va_start(ap, fmt);
	vsnprintf(s->p + s->len, s->cap - s->len, fmt, ap);
	va_end(ap);
	s->len += (size_t)need;
}

void argv_free(char **argv)
{
	if (!argv)
		return;
	for (char **p = argv; *p; p++)
		free(*p);
	free(argv);
}

/* ffmpeg reads "name:rest" as a protocol and a leading '-' as an option: anchor relative paths. */
static const char *path_prefix(const char *p) { return p[0] == '/' ? "" : "./"; }

/* 1 when fmt is one name of the whitelist (so it cannot smuggle another demuxer or an option). */
static int av_match_list_ok(const char *fmt)
{
	size_t n = strlen(fmt);
	for (const char *p = MEDIA_FORMAT_WHITELIST; *p;) {
		size_t l = strcspn(p, ",");
		if (l == n && !strncmp(p, fmt, n))
			return 1;
		p += l + (p[l] == ',');
	}
	return 0;
}

/* The input is opened as the probe opened it: one file, file protocol only, a demuxer from the
   whitelist (forced to the one the probe detected when known), so that a source cannot make
   ffmpeg read playlists, segments of other media or anything else. */
static void common_head(argvb *b, const char *ffmpeg, const char *in, const char *fmt, double ss)
{
	av_add(b, "%s", ffmpeg);
	av_add(b, "-hide_banner");
	av_add(b, "-nostdin");
	av_add(b, "-y");
	av_add(b, "-loglevel");
	av_add(b, "error");
	av_add(b, "-nostats");
	if (ss > 0) {
		av_add(b, "-ss");
		av_add(b, "%.3f", ss);
	}
	av_add(b, "-protocol_whitelist");
	av_add(b, "file");
	av_add(b, "-format_whitelist");
	av_add(b, "%s", MEDIA_FORMAT_WHITELIST);
	if (fmt && *fmt && av_match_list_ok(fmt)) {
		av_add(b, "-f");
		av_add(b, "%s", fmt);
	}
	av_add(b, "-i");
	av_add(b, "file:%s", in);
}

char **ladder_argv(const char *ffmpeg, const char *in, const char *outdir, const media_info *mi, const rung *r, int n)
{
	argvb b = {0};
	if (!ffmpeg || !in || !outdir || !mi || !r || n < 1 || n > 16 || strchr(outdir, '%'))
		return NULL;
	int video = mi->has_video && r[0].width > 0 && r[0].height > 0;
	int audio = mi->has_audio && (!video || r[0].a_kbps > 0);
	if (!video && !audio)
		return NULL;
	for (int i = 0; i < n; i++) {
		if (video && (r[i].width < 2 || r[i].height < 2 || (r[i].width | r[i].height) & 1 || r[i].v_kbps <= 0))
			return NULL;
		if (audio && r[i].a_kbps <= 0)
			return NULL;
	}
	if (!video)
		n = 1; /* audio-only: a single AAC rendition */

	common_head(&b, ffmpeg, in, mi->format, 0);
	av_add(&b, "-progress");
	av_add(&b, "pipe:1");

	if (video) {
		sbuf fg = {0};
		/* Decode once, split, scale per rung. 0:V skips attached pictures (cover art). */
		if (n > 1) {
			sb_add(&fg, "[0:V:0]split=%d", n);
			for (int i = 0; i < n; i++)
				sb_add(&fg, "[s%d]", i);
			sb_add(&fg, ";");
		}
		for (int i = 0; i < n; i++) {
			if (n > 1)
				sb_add(&fg, "[s%d]", i);
			else
				sb_add(&fg, "[0:V:0]");
			sb_add(&fg, "scale=w=%d:h=%d,setsar=1,format=yuv420p[v%d]%s", r[i].width, r[i].height, i, i + 1 < n ? ";" : "");
		}
		av_add(&b, "-filter_complex");
		av_add(&b, "%s", fg.p);
		free(fg.p);
	}
	for (int i = 0; i < n; i++) {
		if (video) {
			av_add(&b, "-map");
			av_add(&b, "[v%d]", i);
		}
		if (audio) {
			av_add(&b, "-map");
			av_add(&b, "0:a:0");
		}
	}
	if (video) {
		av_add(&b, "-c:v");
		av_add(&b, "libx264");
		av_add(&b, "-preset");
		av_add(&b, "veryfast");
		av_add(&b, "-pix_fmt");
		av_add(&b, "yuv420p");
		/* Identical, closed GOPs on every rung: a keyframe every 2 s, no scene-cut keyframes, so
		   4 s segments line up across renditions and players can switch at any boundary. */
		av_add(&b, "-force_key_frames");
		av_add(&b, "expr:gte(t,n_forced*%d)", KEYFRAME_S);
		av_add(&b, "-sc_threshold");
		av_add(&b, "0");
		if (mi->fps > 0) {
			int g = (int)lrint(mi->fps * KEYFRAME_S);
			if (g >= 1) {
				av_add(&b, "-g");
				av_add(&b, "%d", g);
				av_add(&b, "-keyint_min");
				av_add(&b, "%d", g);
			}
		}
		for (int i = 0; i < n; i++) {
			int side = r[i].width < r[i].height ? r[i].width : r[i].height;
			av_add(&b, "-profile:v:%d", i);
			av_add(&b, "%s", side <= 360 ? "main" : "high");
			av_add(&b, "-b:v:%d", i);
			av_add(&b, "%dk", r[i].v_kbps);
			av_add(&b, "-maxrate:v:%d", i);
			av_add(&b, "%dk", (int)lrint(r[i].v_kbps * 1.07));
			av_add(&b, "-bufsize:v:%d", i);
			av_add(&b, "%dk", (int)lrint(r[i].v_kbps * 1.5));
		}
	}
	if (audio) {
		av_add(&b, "-c:a");
		av_add(&b, "aac");
		av_add(&b, "-ac");
		av_add(&b, "2");
		av_add(&b, "-ar");
		av_add(&b, "48000");
		for (int i = 0; i < n; i++) {
			av_add(&b, "-b:a:%d", i);
			av_add(&b, "%dk", r[i].a_kbps);
		}
	}
	av_add(&b, "-max_muxing_queue_size");
	av_add(&b, "4096");

	sbuf map = {0};
	for (int i = 0; i < n; i++) {
		if (video && audio)
			sb_add(&map, "%sv:%d,a:%d", i ? " " : "", i, i);
		else if (video)
			sb_add(&map, "%sv:%d", i ? " " : "", i);
		else
			sb_add(&map, "a:%d", i);
	}
	av_add(&b, "-var_stream_map");
	av_add(&b, "%s", map.p);
	free(map.p);

	av_add(&b, "-f");
	av_add(&b, "hls");
	av_add(&b, "-hls_time");
	av_add(&b, "%d", SEGMENT_S);
	av_add(&b, "-hls_playlist_type");
	av_add(&b, "vod");
	av_add(&b, "-hls_segment_type");
	av_add(&b, "mpegts");
	av_add(&b, "-hls_flags");
	av_add(&b, "independent_segments");
	av_add(&b, "-hls_segment_filename");
	av_add(&b, "%s%s/v%%v/seg_%%05d.ts", path_prefix(outdir), outdir);
	av_add(&b, "-master_pl_name");
	av_add(&b, "master.m3u8");
	av_add(&b, "%s%s/v%%v/index.m3u8", path_prefix(outdir), outdir);
	return b.v;
}

char **ladder_poster_argv(const char *ffmpeg, const char *in, const char *fmt, const char *out_jpg, double at_s)
{
	argvb b = {0};
	if (!ffmpeg || !in || !out_jpg)
		return NULL;
	common_head(&b, ffmpeg, in, fmt, at_s > 0 ? at_s : 0);
	av_add(&b, "-map");
	av_add(&b, "0:V:0");
	av_add(&b, "-an");
	av_add(&b, "-sn");
	av_add(&b, "-dn");
	av_add(&b, "-frames:v");
	av_add(&b, "1");
	/* Display width (sample aspect applied) capped at 720, height from the display aspect, even. */
	av_add(&b, "-vf");
	av_add(&b, "scale=w='trunc(min(720,iw*sar)/2)*2':h='trunc(ow/dar/2)*2',setsar=1");
	av_add(&b, "-q:v");
	av_add(&b, "3");
	av_add(&b, "-f");
	av_add(&b, "image2");
	av_add(&b, "-update");
	av_add(&b, "1");
	av_add(&b, "%s%s", path_prefix(out_jpg), out_jpg);
	return b.v;
}

/* ---- master playlist ---- */

#define PATHLEN 4096

/* snprintf into a path buffer; -1 with ENAMETOOLONG instead of a silently cut path. */
static int pathf(char *out, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int pathf(char *out, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int w = vsnprintf(out, n, fmt, ap);
	va_end(ap);
	if (w < 0 || (size_t)w >= n) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

static pthread_once_t quiet_once = PTHREAD_ONCE_INIT;
static void quiet_init(void) { av_log_set_level(AV_LOG_QUIET); }

/* Finds an SPS NAL in Annex-B data (or an avcC record) and formats "avc1.PPCCLL". */
static int avc1_from(const uint8_t *d, int n, char *out, size_t outlen)
{
	if (n >= 4 && d[0] == 1) { /* avcC: version, profile, compat, level */
		snprintf(out, outlen, "avc1.%02x%02x%02x", d[1], d[2], d[3]);
		return 0;
	}
	for (int i = 0; i + 6 < n; i++) {
		if (d[i] == 0 && d[i + 1] == 0 && d[i + 2] == 1 && (d[i + 3] & 0x1f) == 7) {
			snprintf(out, outlen, "avc1.%02x%02x%02x", d[i + 4], d[i + 5], d[i + 6]);
			return 0;
		}
	}
	return -1;
}

/* Reads the H.264 profile/level of the first video stream of a segment file. */
static int segment_avc1(const char *seg, char *out, size_t outlen)
{
	AVFormatContext *fc = NULL;
	char url[PATHLEN + 8];
	int rc = -1;
	pthread_once(&quiet_once, quiet_init);
	if (pathf(url, sizeof url, "file:%s", seg) < 0 || avformat_open_input(&fc, url, NULL, NULL) < 0)
		return -1;
	if (avformat_find_stream_info(fc, NULL) < 0)
		goto out;
	int vi = av_find_best_stream(fc, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
	if (vi < 0 || fc->streams[vi]->codecpar->codec_id != AV_CODEC_ID_H264)
		goto out;
	AVCodecParameters *p = fc->streams[vi]->codecpar;
	if (p->extradata && avc1_from(p->extradata, p->extradata_size, out, outlen) == 0) {
		rc = 0;
		goto out;
	}
	AVPacket *pkt = av_packet_alloc();
	if (!pkt)
		abort();
	for (int k = 0; k < 200 && rc < 0 && av_read_frame(fc, pkt) >= 0; k++) {
		if (pkt->stream_index == vi && avc1_from(pkt->data, pkt->size, out, outlen) == 0)
			rc = 0;
		av_packet_unref(pkt);
	}
	av_packet_free(&pkt);
out:
	avformat_close_input(&fc);
	return rc;
}

/* Measures a variant: peak and average bit rate (bit/s, container overhead included) over the
   segments listed in DIR/index.m3u8, and the path of its first segment. Segments shorter than half
   the target duration (the tail) do not set the peak unless there is nothing else. */
static int variant_stats(const char *dir, long *peak, long *avg, char *first, size_t firstlen)
{
	char path[PATHLEN], line[1024];
	if (pathf(path, sizeof path, "%s/index.m3u8", dir) < 0)
		return -1;
	FILE *f = fopen(path, "re");
	double extinf = -1, total_bits = 0, total_s = 0, peak_long = 0, peak_any = 0;
	int segs = 0;
	if (!f)
		return -1;
	first[0] = 0;
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\r\n")] = 0;
		if (strncmp(line, "#EXTINF:", 8) == 0) {
			extinf = strtod(line + 8, NULL);
			continue;
		}
		if (!line[0] || line[0] == '#' || extinf < 0)
			continue;
		struct stat sb;
		char seg[PATHLEN];
		if (pathf(seg, sizeof seg, "%s/%s", dir, line) < 0 || stat(seg, &sb) != 0) {
			fclose(f);
			return -1;
		}
		if (!segs++)
			pathf(first, firstlen, "%s", seg); /* same size as seg: fits */
		double bits = (double)sb.st_size * 8;
		total_bits += bits;
		total_s += extinf;
		if (extinf > 0) {
			double br = bits / extinf;
			if (br > peak_any)
				peak_any = br;
			if (extinf >= SEGMENT_S / 2.0 && br > peak_long)
				peak_long = br;
		}
		extinf = -1;
	}
	fclose(f);
	if (!segs || total_s <= 0) {
		errno = EINVAL;
		return -1;
	}
	*peak = (long)ceil(peak_long > 0 ? peak_long : peak_any);
	*avg = (long)ceil(total_bits / total_s);
	return 0;
}

int ladder_write_master(const char *outdir, const media_info *mi, const rung *r, int n)
{
	char dst[PATHLEN], dir[PATHLEN], first[PATHLEN], codec[32];
	int video = mi->has_video && n > 0 && r[0].width > 0;
	int audio = mi->has_audio && (!video || r[0].a_kbps > 0);
	if (n < 1 || (!video && !audio)) {
		errno = EINVAL;
		return -1;
	}
	if (!video)
		n = 1;
	sbuf m = {0};
	sb_add(&m, "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-INDEPENDENT-SEGMENTS\n");
	for (int i = 0; i < n; i++) {
		long peak, avg;
		if (pathf(dir, sizeof dir, "%s/v%d", outdir, i) < 0 || variant_stats(dir, &peak, &avg, first, sizeof first) < 0) {
			int e = errno;
			free(m.p);
			errno = e ? e : EINVAL;
			return -1;
		}
		sb_add(&m, "#EXT-X-STREAM-INF:BANDWIDTH=%ld,AVERAGE-BANDWIDTH=%ld", peak, avg);
		if (video) {
			sb_add(&m, ",RESOLUTION=%dx%d", r[i].width, r[i].height);
			if (mi->fps > 0)
				sb_add(&m, ",FRAME-RATE=%.3f", mi->fps);
			if (segment_avc1(first, codec, sizeof codec) < 0) /* not expected: a level 4.0 claim covers 1080p30 */
				snprintf(codec, sizeof codec, "avc1.%s", (r[i].width < r[i].height ? r[i].width : r[i].height) <= 360 ? "4d4028" : "640028");
			sb_add(&m, ",CODECS=\"%s%s\"", codec, audio ? ",mp4a.40.2" : "");
		} else {
			sb_add(&m, ",CODECS=\"mp4a.40.2\"");
		}
		sb_add(&m, "\nv%d/index.m3u8\n", i);
	}
	int rc = pathf(dst, sizeof dst, "%s/master.m3u8", outdir) == 0 ? write_file_atomic(dst, m.p, m.len, 0644) : -1;
	int e = errno;
	free(m.p);
	errno = e;
	return rc;
}
