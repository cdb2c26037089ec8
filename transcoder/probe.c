/* probe.c — decide with libavformat/libavcodec whether an upload is playable media and describe it. */
#include "transcoder/probe.h"

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

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/display.h>
#include <libavutil/avstring.h>
#include <libavutil/log.h>
#include <libavutil/time.h>

/* How much of the file the decode test reads before giving up on a stream that yields no frame. */
#define PROBE_MAX_PACKETS 1500
/* Upper bound of packets demuxed to measure a file that declares no duration (~hours of media). */
#define PROBE_SCAN_PACKETS 2000000L
/* Frames each chosen stream must yield in the decode test (fewer only when the stream ends first). */
#define PROBE_MIN_FRAMES 3
/* Bytes the content detection may read, and libavformat's probesize / analyzeduration. */
#define PROBE_DETECT_BYTES (1 << 20)
#define PROBE_SIZE (10 << 20)
#define PROBE_ANALYZE_S 10

/* The interrupt callback's state: libavformat polls it during every blocking read. */
typedef struct probe_intr {
	int64_t deadline_us; /* av_gettime_relative() */
	int (*cancelled)(void);
	int timed_out, cancel_seen;
} probe_intr;

static int intr_cb(void *opaque)
{
	probe_intr *pi = opaque;
	if (pi->cancelled && pi->cancelled()) {
		pi->cancel_seen = 1;
		return 1;
	}
	if (av_gettime_relative() > pi->deadline_us) {
		pi->timed_out = 1;
		return 1;
	}
	return 0;
}

/* No demuxer may open a second file (HLS segments, concat entries, MP4 external references). */
static int deny_open(struct AVFormatContext *s, AVIOContext **pb, const char *url, int flags, AVDictionary **options)
{
	(void)s, (void)pb, (void)url, (void)flags, (void)options;
	return AVERROR(EPERM);
}

static pthread_once_t quiet_once = PTHREAD_ONCE_INIT;
static void quiet_init(void) { av_log_set_level(AV_LOG_QUIET); }

static void set_err(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static const char *averr(int e, char *b, size_t n)
{
	if (av_strerror(e, b, n) < 0)
		snprintf(b, n, "error %d", e);
	return b;
}

/* True when the first bytes look like an ISO base media file (MP4/MOV/M4A/3GP): a known box type at
   offset 4. Used to word the message for an MP4 whose moov atom never arrived. */
static int looks_isobmff(const unsigned char *h, size_t n)
{
	static const char *const boxes[] = {"ftyp", "moov", "mdat", "free", "skip", "wide", "pnot", "uuid"};
	if (n < 8)
		return 0;
	for (size_t i = 0; i < sizeof(boxes) / sizeof(boxes[0]); i++)
		if (memcmp(h + 4, boxes[i], 4) == 0)
			return 1;
	return 0;
}

/* Reads up to 4 KiB from the start of the file and asks libavformat whether its content (not its
   name) matches any known container. *isobmff is set when it looks like an MP4 family file. */
static int content_recognised(const char *path, int *isobmff)
{
	unsigned char buf[4096 + AVPROBE_PADDING_SIZE];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;
	*isobmff = 0;
	if (fd < 0)
		return 0;
	do
		n = read(fd, buf, 4096);
	while (n < 0 && errno == EINTR);
	close(fd);
	if (n <= 0)
		return 0;
	memset(buf + n, 0, AVPROBE_PADDING_SIZE);
	*isobmff = looks_isobmff(buf, (size_t)n);
	AVProbeData pd = {.filename = "", .buf = buf, .buf_size = (int)n, .mime_type = NULL};
	int score = 0;
	const AVInputFormat *f = av_probe_input_format2(&pd, 1, &score);
	return f != NULL && score > AVPROBE_SCORE_EXTENSION / 2;
}

/* Demuxers that deliver a single still picture (or a sequence of files): not course media. */
static int is_image_demuxer(const AVInputFormat *f)
{
	size_t n = strlen(f->name);
	return strcmp(f->name, "image2") == 0 || (n > 5 && strcmp(f->name + n - 5, "_pipe") == 0);
}

/* Picks the best decodable video stream (largest picture; attached pictures such as MP3 cover art
   excluded) or -1. */
static int pick_video(AVFormatContext *fc)
{
	int best = -1;
	int64_t best_px = -1;
	for (unsigned i = 0; i < fc->nb_streams; i++) {
		AVStream *st = fc->streams[i];
		AVCodecParameters *p = st->codecpar;
		if (p->codec_type != AVMEDIA_TYPE_VIDEO || (st->disposition & AV_DISPOSITION_ATTACHED_PIC))
			continue;
		if (p->codec_id == AV_CODEC_ID_NONE || !avcodec_find_decoder(p->codec_id) || p->width <= 0 || p->height <= 0)
			continue;
		int64_t px = (int64_t)p->width * p->height;
		if (px > best_px) {
			best_px = px;
			best = (int)i;
		}
	}
	return best;
}

/* Picks the preferred decodable audio stream or -1. */
static int pick_audio(AVFormatContext *fc, int related)
{
	int i = av_find_best_stream(fc, AVMEDIA_TYPE_AUDIO, -1, related, NULL, 0);
	if (i >= 0 && avcodec_find_decoder(fc->streams[i]->codecpar->codec_id))
		return i;
	for (unsigned k = 0; k < fc->nb_streams; k++) {
		AVCodecParameters *p = fc->streams[k]->codecpar;
		if (p->codec_type == AVMEDIA_TYPE_AUDIO && p->codec_id != AV_CODEC_ID_NONE && avcodec_find_decoder(p->codec_id))
			return (int)k;
	}
	return -1;
}

static double stream_seconds(const AVStream *st)
{
	if (st->duration == AV_NOPTS_VALUE || st->duration <= 0)
		return 0;
	return (double)st->duration * av_q2d(st->time_base);
}

/* Largest byte offset the demuxer's index refers to for stream `si` (0 when there is no index). */
static int64_t index_end(AVFormatContext *fc, int si)
{
	AVStream *st = fc->streams[si];
	int n = avformat_index_get_entries_count(st);
	int64_t end = 0;
	for (int i = 0; i < n; i++) {
		const AVIndexEntry *e = avformat_index_get_entry(st, i);
		if (e && e->pos >= 0 && e->pos + e->size > end)
			end = e->pos + e->size;
	}
	return end;
}

/* End time in seconds (relative to the file's start) of a packet, or -1 without a timestamp. */
static double pkt_end_s(const AVFormatContext *fc, const AVPacket *pkt)
{
	const AVStream *st = fc->streams[pkt->stream_index];
	int64_t t = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;
	int64_t start = fc->start_time != AV_NOPTS_VALUE ? fc->start_time : 0;
	if (t == AV_NOPTS_VALUE)
		return -1;
	return (double)(t + (pkt->duration > 0 ? pkt->duration : 0)) * av_q2d(st->time_base) - (double)start / AV_TIME_BASE;
}

static AVCodecContext *open_decoder(AVFormatContext *fc, int si)
{
	if (si < 0)
		return NULL;
	const AVCodecParameters *par = fc->streams[si]->codecpar;
	const AVCodec *c = avcodec_find_decoder(par->codec_id);
	AVCodecContext *cc = c ? avcodec_alloc_context3(c) : NULL;
	if (!c)
		return NULL;
	if (!cc)
		abort();
	cc->thread_count = 1;
	if (avcodec_parameters_to_context(cc, par) < 0 || avcodec_open2(cc, c, NULL) < 0)
		avcodec_free_context(&cc);
	return cc;
}

/* Feeds one packet (or NULL to flush) and drains frames; returns the number of frames received. */
static int decode_some(AVCodecContext *cc, const AVPacket *pkt, AVFrame *fr)
{
	int got = 0;
	if (avcodec_send_packet(cc, pkt) < 0 && pkt)
		return 0; /* a damaged packet: the caller tries further ones */
	while (avcodec_receive_frame(cc, fr) == 0) {
		got++;
		av_frame_unref(fr);
	}
	return got;
}

/* Reads packets from the start and checks that every chosen stream yields at least one decoded
   frame; *reached is raised to the latest packet end time seen. Returns 0 or -1 with err set. */
static int decode_test(AVFormatContext *fc, int vi, int ai, double *reached, char *err, size_t errlen)
{
	AVCodecContext *vc = open_decoder(fc, vi), *ac = open_decoder(fc, ai);
	AVPacket *pkt = av_packet_alloc();
	AVFrame *fr = av_frame_alloc();
	int vframes = 0, aframes = 0, rc = 0, readerr = 0, packets = 0, eof = 0;
	char eb[128];
	if (!pkt || !fr)
		abort();
	if ((vi >= 0 && !vc) || (ai >= 0 && !ac)) {
		set_err(err, errlen, "file is truncated or damaged: cannot open the %s decoder", (vi >= 0 && !vc) ? "video" : "audio");
		rc = -1;
		goto out;
	}
	while (packets < PROBE_MAX_PACKETS && ((vc && vframes < PROBE_MIN_FRAMES) || (ac && aframes < PROBE_MIN_FRAMES))) {
		int r = av_read_frame(fc, pkt);
		if (r < 0) {
			if (r != AVERROR_EOF)
				readerr = r;
			else
				eof = 1;
			break;
		}
		packets++;
		double e = pkt_end_s(fc, pkt);
		if ((pkt->stream_index == vi || pkt->stream_index == ai) && e > *reached)
			*reached = e;
		if (pkt->stream_index == vi && vc && vframes < PROBE_MIN_FRAMES)
			vframes += decode_some(vc, pkt, fr);
		else if (pkt->stream_index == ai && ac && aframes < PROBE_MIN_FRAMES)
			aframes += decode_some(ac, pkt, fr);
		av_packet_unref(pkt);
	}
	if (vc && vframes < PROBE_MIN_FRAMES)
		vframes += decode_some(vc, NULL, fr);
	if (ac && aframes < PROBE_MIN_FRAMES)
		aframes += decode_some(ac, NULL, fr);
	/* A stream that ended early may give fewer frames; one that goes on must give the sample. */
	int need = eof ? 1 : PROBE_MIN_FRAMES;
	if (vc && vframes < need)
		vframes = 0;
	if (ac && aframes < need)
		aframes = 0;
	if ((vc && !vframes) || (ac && !aframes)) {
		const char *what = (vc && !vframes && ac && !aframes) ? "no audio or video frame" : (vc && !vframes) ? "the video stream" : "the audio stream";
		if (readerr)
			set_err(err, errlen, "file is truncated or damaged: %s could not be decoded (%s)", what, averr(readerr, eb, sizeof eb));
		else
			set_err(err, errlen, "file is truncated or damaged: %s could not be decoded", what);
		rc = -1;
	}
out:
	av_frame_free(&fr);
	av_packet_free(&pkt);
	avcodec_free_context(&vc);
	avcodec_free_context(&ac);
	return rc;
}

/* Seeks a little before the declared end and reads on until a packet reaches the last second (the
   last 10 % for short clips): a file cut short (interrupted upload) declares a duration or has an
   index that reaches past its data, so the demuxer hits end of file first. Returns 0 when the tail
   is there or nothing can be concluded (no seeking, packet budget spent), -1 with err set when the
   media ends early. */
static int tail_test(AVFormatContext *fc, double duration_s, char *err, size_t errlen)
{
	AVPacket *pkt = av_packet_alloc();
	int packets = 0, r = 0, rc = 0;
	double need = duration_s - (duration_s * 0.1 < 1.0 ? duration_s * 0.1 : 1.0), reached = -1;
	double seek_s = duration_s - 2.0 < need - 0.5 ? duration_s - 2.0 : need - 0.5;
	char eb[128];
	if (!pkt)
		abort();
	int64_t start = fc->start_time != AV_NOPTS_VALUE ? fc->start_time : 0;
	int64_t ts = start + (int64_t)((seek_s > 0 ? seek_s : 0) * AV_TIME_BASE);
	if (av_seek_frame(fc, -1, ts, AVSEEK_FLAG_BACKWARD) < 0) {
		av_packet_free(&pkt);
		return 0;
	}
	while (packets < PROBE_MAX_PACKETS && (r = av_read_frame(fc, pkt)) >= 0) {
		double e = pkt_end_s(fc, pkt);
		packets++;
		if (e > reached)
			reached = e;
		av_packet_unref(pkt);
		if (reached >= need)
			break;
	}
	if (r < 0 && !(reached >= need)) {
		if (r != AVERROR_EOF)
			set_err(err, errlen, "file is truncated or damaged: the last part of the media cannot be read (%s)", averr(r, eb, sizeof eb));
		else if (reached >= 0)
			set_err(err, errlen, "file is truncated or damaged: the media stops at %.1f s of %.1f s", reached, duration_s);
		else
			set_err(err, errlen, "file is truncated or damaged: the last part of the media is missing");
		rc = -1;
	}
	av_packet_free(&pkt);
	return rc;
}

/* For containers that declare no duration (a browser MediaRecorder WebM, a headerless stream) or
   whose duration libavformat only guessed from the bit rate: demux (without decoding) to the end
   and take the latest timestamp of the chosen streams. Returns the duration found, or -1 when the
   packet budget ran out first. */
static double scan_duration(AVFormatContext *fc, int vi, int ai, double reached)
{
	AVPacket *pkt = av_packet_alloc();
	long packets = 0;
	if (!pkt)
		abort();
	while (av_read_frame(fc, pkt) >= 0) {
		if (pkt->stream_index == vi || pkt->stream_index == ai) {
			double e = pkt_end_s(fc, pkt);
			if (e > reached)
				reached = e;
		}
		av_packet_unref(pkt);
		if (++packets > PROBE_SCAN_PACKETS) {
			reached = -1;
			break;
		}
	}
	av_packet_free(&pkt);
	return reached;
}

/* Display size of a video stream: sample aspect ratio and rotation metadata applied. */
static void display_size(AVFormatContext *fc, AVStream *st, int *w, int *h)
{
	AVCodecParameters *p = st->codecpar;
	AVRational sar = av_guess_sample_aspect_ratio(fc, st, NULL);
	double dw = p->width;
	if (sar.num > 0 && sar.den > 0 && sar.num != sar.den)
		dw = p->width * av_q2d(sar);
	*w = (int)lrint(dw);
	*h = p->height;
	const uint8_t *m = av_stream_get_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, NULL);
	if (m) {
		double rot = av_display_rotation_get((const int32_t *)m);
		if (!isnan(rot)) {
			long r = labs(lrint(rot)) % 180;
			if (r == 90) {
				int t = *w;
				*w = *h;
				*h = t;
			}
		}
	}
}

int media_probe(const char *path, media_info *mi, char *err, size_t errlen)
{
	return media_probe_ex(path, mi, NULL, err, errlen);
}

/* Why a read failed: the interrupt callback's verdict first. */
static int interrupted(const probe_intr *pi, char *err, size_t errlen)
{
	if (pi->cancel_seen)
		set_err(err, errlen, "probe cancelled");
	else if (pi->timed_out)
		set_err(err, errlen, "probe timed out");
	else
		return 0;
	return 1;
}

int media_probe_ex(const char *path, media_info *mi, const probe_opts *o, char *err, size_t errlen)
{
	struct stat sb;
	AVFormatContext *fc = NULL;
	AVIOContext *pb = NULL;
	AVDictionary *opts = NULL;
	char eb[128], url[4096 + 8], sb_err[128];
	int rc = -1, isobmff = 0;
	double timeout_s = o && o->timeout_s > 0 ? o->timeout_s : 10.0;
	probe_intr pi = {.deadline_us = av_gettime_relative() + (int64_t)(timeout_s * 1e6), .cancelled = o ? o->cancelled : NULL};
	AVIOInterruptCB icb = {intr_cb, &pi};

	pthread_once(&quiet_once, quiet_init);
	memset(mi, 0, sizeof *mi);
	set_err(err, errlen, "%s", "");
	if (stat(path, &sb) != 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			set_err(err, errlen, "file not found");
		else
			set_err(err, errlen, "cannot read file: %s", strerror_r(errno, sb_err, sizeof sb_err));
		return -1;
	}
	if (!S_ISREG(sb.st_mode)) {
		set_err(err, errlen, "not a regular file");
		return -1;
	}
	mi->size = (int64_t)sb.st_size;
	if (sb.st_size == 0) {
		set_err(err, errlen, "file is empty");
		return -1;
	}
	if (access(path, R_OK) != 0) {
		set_err(err, errlen, "cannot read file: %s", strerror_r(errno, sb_err, sizeof sb_err));
		return -1;
	}
	/* "file:" keeps a name such as "a:b.mp4" from being taken for a protocol. */
	if (snprintf(url, sizeof url, "file:%s", path) >= (int)sizeof url) {
		set_err(err, errlen, "file name too long");
		return -1;
	}

	int recognised = content_recognised(path, &isobmff);
	/* We open the one file ourselves (file protocol only) and hand the demuxer that context:
	   whatever else it asks to open is refused by deny_open. */
	av_dict_set(&opts, "protocol_whitelist", "file", 0);
	int r = avio_open2(&pb, url, AVIO_FLAG_READ, &icb, &opts);
	av_dict_free(&opts);
	if (r < 0) {
		set_err(err, errlen, "cannot read file: %s", averr(r, eb, sizeof eb));
		return -1;
	}
	/* Detection by content alone (no file name), among every demuxer, on up to 1 MiB of the file,
	   then judged: a demuxer not on the list is refused by name, a weak guess by its score. */
	const AVInputFormat *fmt = NULL;
	int score = 0;
	{
		/* An ID3v2 tag (MP3 cover art) may be larger than the sample: look at what follows it. */
		unsigned char id3[10];
		int64_t skip = 0;
		if (avio_read(pb, id3, 10) == 10 && !memcmp(id3, "ID3", 3) && id3[3] < 0xff && id3[4] < 0xff &&
		    !((id3[6] | id3[7] | id3[8] | id3[9]) & 0x80)) {
			skip = 10 + ((int64_t)id3[6] << 21 | id3[7] << 14 | id3[8] << 7 | id3[9]) + ((id3[5] & 0x10) ? 10 : 0);
			if (skip < PROBE_DETECT_BYTES / 4 || skip >= sb.st_size)
				skip = 0; /* small tags are handled by libavformat itself */
		}
		if (avio_seek(pb, skip, SEEK_SET) < 0)
			skip = -1;
		int64_t left = sb.st_size - (skip > 0 ? skip : 0);
		int want = left < PROBE_DETECT_BYTES ? (int)left : PROBE_DETECT_BYTES;
		unsigned char *pbuf = av_mallocz((size_t)want + AVPROBE_PADDING_SIZE);
		if (!pbuf)
			abort();
		int got = skip < 0 ? -1 : avio_read(pb, pbuf, want);
		if (got > 0) {
			AVProbeData pd = {.filename = "", .buf = pbuf, .buf_size = got, .mime_type = NULL};
			fmt = av_probe_input_format3(&pd, 1, &score);
		}
		av_free(pbuf);
		if (avio_seek(pb, 0, SEEK_SET) < 0)
			fmt = NULL;
	}
	if (interrupted(&pi, err, errlen))
		goto out;
	if (!fmt || score <= 0) {
		if (isobmff)
			set_err(err, errlen, "file is truncated or damaged: the MP4 index (moov atom) is missing");
		else
			set_err(err, errlen, "not a media file");
		goto out;
	}
	mi->score = score;
	if (is_image_demuxer(fmt) || !strcmp(fmt->name, "gif") || !strcmp(fmt->name, "apng") || !strcmp(fmt->name, "webp_pipe")) {
		set_err(err, errlen, "not a media file (a still image)");
		goto out;
	}
	if (av_match_list(fmt->name, MEDIA_FORMAT_WHITELIST, ',') <= 0) {
		set_err(err, errlen, "format not allowed: %s", fmt->name);
		goto out;
	}
	if (score < MEDIA_MIN_SCORE) {
		set_err(err, errlen, "not a media file (weak match: %s, score %d)", fmt->name, score);
		goto out;
	}
	snprintf(mi->format, sizeof mi->format, "%.*s", (int)strcspn(fmt->name, ","), fmt->name);

	fc = avformat_alloc_context();
	if (!fc)
		abort();
	fc->pb = pb;
	fc->flags |= AVFMT_FLAG_CUSTOM_IO;
	fc->interrupt_callback = icb;
	fc->io_open = deny_open;
	fc->probesize = PROBE_SIZE;
	fc->max_analyze_duration = (int64_t)PROBE_ANALYZE_S * AV_TIME_BASE;
	av_dict_set(&opts, "format_whitelist", MEDIA_FORMAT_WHITELIST, 0);
	av_dict_set(&opts, "protocol_whitelist", "file", 0);
	r = avformat_open_input(&fc, url, fmt, &opts);
	av_dict_free(&opts);
	if (r < 0) {
		fc = NULL; /* freed by avformat_open_input; pb is ours */
		if (interrupted(&pi, err, errlen))
			;
		else if (isobmff)
			set_err(err, errlen, "file is truncated or damaged: the MP4 index (moov atom) is missing");
		else if (recognised)
			set_err(err, errlen, "file is truncated or damaged: %s", averr(r, eb, sizeof eb));
		else
			set_err(err, errlen, "not a media file");
		goto out;
	}
	r = avformat_find_stream_info(fc, NULL);
	if (r < 0 && interrupted(&pi, err, errlen))
		goto out;
	if (r < 0) {
		set_err(err, errlen, "file is truncated or damaged: cannot read stream information (%s)", averr(r, eb, sizeof eb));
		goto out;
	}

	int vi = pick_video(fc);
	int ai = pick_audio(fc, vi);
	if (vi < 0 && ai < 0) {
		int any = 0;
		for (unsigned i = 0; i < fc->nb_streams; i++) {
			enum AVMediaType t = fc->streams[i]->codecpar->codec_type;
			if (t == AVMEDIA_TYPE_AUDIO || (t == AVMEDIA_TYPE_VIDEO && !(fc->streams[i]->disposition & AV_DISPOSITION_ATTACHED_PIC)))
				any = 1;
		}
		if (any && isobmff)
			set_err(err, errlen, "file is truncated or damaged: the MP4 index (moov atom) is incomplete");
		else if (any)
			set_err(err, errlen, "no audio or video stream with a supported codec");
		else if (!recognised || fc->nb_streams == 0)
			set_err(err, errlen, "not a media file");
		else
			set_err(err, errlen, "no audio or video stream");
		goto out;
	}
	/* A text file can be "recognised" by a lenient demuxer (tty, subtitles); real media is not
	   decoded as ANSI art. */
	if (vi >= 0 && fc->streams[vi]->codecpar->codec_id == AV_CODEC_ID_ANSI && ai < 0) {
		set_err(err, errlen, "not a media file");
		goto out;
	}

	/* A duration the container declares (header, index, last timestamps); one that libavformat
	   estimated from the bit rate is only a guess and gets measured below. */
	double dur = 0;
	int has_dur = fc->duration != AV_NOPTS_VALUE && fc->duration > 0;
	int declared = has_dur && fc->duration_estimation_method != AVFMT_DURATION_FROM_BITRATE;
	if (has_dur)
		dur = (double)fc->duration / AV_TIME_BASE;
	else {
		double dv = vi >= 0 ? stream_seconds(fc->streams[vi]) : 0;
		double da = ai >= 0 ? stream_seconds(fc->streams[ai]) : 0;
		if (dv > 0 || da > 0) {
			dur = dv > da ? dv : da;
			declared = 1;
		}
	}

	/* The index (MP4 sample table, AVI idx1, Matroska cues) may name data past the end of the file:
	   the classic interrupted upload of an MP4 whose moov atom sits at the front. */
	int64_t end = 0;
	for (int k = 0; k < 2; k++) {
		int si = k == 0 ? vi : ai;
		if (si >= 0) {
			int64_t e = index_end(fc, si);
			if (e > end)
				end = e;
		}
	}
	if (end > mi->size) {
		set_err(err, errlen, "file is truncated or damaged: %lld of %lld bytes present (%d %%)",
		        (long long)mi->size, (long long)end, (int)(mi->size * 100 / end));
		goto out;
	}

	double reached = -1;
	if (decode_test(fc, vi, ai, &reached, err, errlen) < 0) {
		interrupted(&pi, err, errlen);
		goto out;
	}
	if (declared) {
		if (tail_test(fc, dur, err, errlen) < 0) {
			interrupted(&pi, err, errlen);
			goto out;
		}
	} else {
		double scanned = scan_duration(fc, vi, ai, reached);
		if (interrupted(&pi, err, errlen))
			goto out;
		if (scanned > 0)
			dur = scanned;
	}
	if (interrupted(&pi, err, errlen))
		goto out;
	if (!(dur > 0)) {
		set_err(err, errlen, "file has no playable duration");
		goto out;
	}

	mi->duration_s = dur;
	if (vi >= 0) {
		AVStream *st = fc->streams[vi];
		mi->has_video = 1;
		display_size(fc, st, &mi->width, &mi->height);
		AVRational fr = av_guess_frame_rate(fc, st, NULL);
		double fps = (fr.num > 0 && fr.den > 0) ? av_q2d(fr) : 0;
		mi->fps = (fps > 0 && fps <= 1000) ? fps : 0;
		snprintf(mi->vcodec, sizeof mi->vcodec, "%s", avcodec_get_name(st->codecpar->codec_id));
	}
	if (ai >= 0) {
		mi->has_audio = 1;
		snprintf(mi->acodec, sizeof mi->acodec, "%s", avcodec_get_name(fc->streams[ai]->codecpar->codec_id));
	}
	mi->bit_rate = fc->bit_rate > 0 ? fc->bit_rate : (int64_t)(mi->size * 8 / dur);
	set_err(err, errlen, "%s", "");
	rc = 0;
out:
	avformat_close_input(&fc);
	avio_closep(&pb);
	return rc;
}
