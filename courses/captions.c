/* captions.c — a lecture's captions as an HLS SUBTITLES rendition: the instructor's WebVTT
 * (storage object 0/captions.vtt) installed into each published version. */
#include "courses/captions.h"
#include "clock.h"
#include "db.h"
#include "transcoder/jobs.h"
#include "transcoder/storage.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The captions file as served: the instructor's WebVTT with an X-TIMESTAMP-MAP header that maps
   cue time 0 to the first MPEG-TS timestamp of the segments (so players align them with the video). */
void vtt_for_hls(buf *out, const char *src, size_t len, int64_t ts_start)
{
	size_t bom = utf8_bom(src, len);
	src += bom, len -= bom;
	const char *nl = memchr(src, '\n', len);
	size_t first = nl ? (size_t)(nl - src) + 1 : len;
	buf_add(out, src, first);
	if (!nl)
		buf_putc(out, '\n');
	/* Only the header (up to the first blank line) may carry the map. */
	const char *hdr_end = NULL;
	for (const char *p = src; p + 1 < src + len; p++)
		if (p[0] == '\n' && (p[1] == '\n' || (p[1] == '\r' && p + 2 < src + len && p[2] == '\n'))) {
			hdr_end = p;
			break;
		}
	int has_map = 0;
	const char *scan_end = hdr_end ? hdr_end : src + len;
	for (const char *p = src; p + 16 <= scan_end; p++)
		if (!memcmp(p, "X-TIMESTAMP-MAP=", 16)) {
			has_map = 1;
			break;
		}
	if (!has_map)
		buf_printf(out, "X-TIMESTAMP-MAP=MPEGTS:%lld,LOCAL:00:00:00.000\n", (long long)ts_start);
	buf_add(out, src + first, len - first);
}

char *media_master_subs(const char *m, const char *subs_uri)
{
	buf b;
	buf_init(&b);
	int inserted = 0;
	const char *p = m;
	while (*p) {
		const char *e = strchr(p, '\n');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		char *line = xstrndup(p, l);
		if (l && line[l - 1] == '\r')
			line[--l] = 0;
		p += e ? l + 1 + (p[l] == '\r') : l;
		if (!strncmp(line, "#EXT-X-MEDIA:TYPE=SUBTITLES", 27)) {
			free(line);
			continue;
		}
		if (!strncmp(line, "#EXT-X-STREAM-INF:", 18)) {
			char *s = strstr(line, ",SUBTITLES=\"subs\"");
			if (s)
				memmove(s, s + 17, strlen(s + 17) + 1);
			if (subs_uri && !inserted) {
				buf_printf(&b, "#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\",NAME=\"中文\",LANGUAGE=\"zh\","
					   "DEFAULT=YES,AUTOSELECT=YES,FORCED=NO,URI=\"%s\"\n",
					   subs_uri);
				inserted = 1;
			}
			buf_printf(&b, "%s%s\n", line, subs_uri ? ",SUBTITLES=\"subs\"" : "");
		} else if (l || *p) {
			buf_printf(&b, "%s\n", line);
		}
		free(line);
	}
	return buf_steal(&b);
}

static int install_captions(int64_t lecture, int64_t version, double duration, int64_t ts_start)
{
	size_t vlen = 0, mlen = 0;
	char *master = storage_get_file(lecture, version, "master.m3u8", &mlen);
	if (!master)
		return -1;
	char *vtt = storage_get_file(lecture, 0, "captions.vtt", &vlen);
	char uri[96];
	int rc = 0;
	if (vtt) {
		int64_t stamp = clock_secs();
		buf v, s;
		buf_init(&v);
		buf_init(&s);
		vtt_for_hls(&v, vtt, vlen, ts_start);
		buf_printf(&s,
			   "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:%lld\n#EXT-X-MEDIA-SEQUENCE:0\n"
			   "#EXT-X-PLAYLIST-TYPE:VOD\n#EXTINF:%.3f,\ncaptions.vtt?v=%lld&c=%lld\n#EXT-X-ENDLIST\n",
			   (long long)ceil(duration > 0 ? duration : 1), duration > 0 ? duration : 1, (long long)version,
			   (long long)stamp);
		snprintf(uri, sizeof uri, "subs.m3u8?v=%lld&c=%lld", (long long)version, (long long)stamp);
		if (storage_put_file(lecture, version, "captions.vtt", v.p, v.len) < 0 ||
		    storage_put_file(lecture, version, "subs.m3u8", s.p, s.len) < 0)
			rc = -1;
		buf_free(&v);
		buf_free(&s);
	} else {
		storage_del_file(lecture, version, "captions.vtt");
		storage_del_file(lecture, version, "subs.m3u8");
	}
	if (rc == 0) {
		char *nm = media_master_subs(master, vtt ? uri : NULL);
		rc = storage_put_file(lecture, version, "master.m3u8", nm, strlen(nm));
		free(nm);
	}
	free(vtt);
	free(master);
	return rc;
}

int media_install_captions(int64_t lecture, int64_t version)
{
	json_t *j = jobs_info(lecture, version);
	double duration = j ? json_number_value(json_object_get(j, "duration_s")) : 0;
	int64_t ts = j ? json_integer_value(json_object_get(j, "ts_start")) : 0;
	if (j)
		json_decref(j);
	if (duration <= 0)
		duration = db_double(0, "SELECT duration_s FROM lectures WHERE id = ?", "i", lecture);
	return install_captions(lecture, version, duration, ts);
}
