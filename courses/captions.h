/* captions.h — a lecture's captions in its HLS stream (courses/captions.c). */
#ifndef DX_COURSES_CAPTIONS_H
#define DX_COURSES_CAPTIONS_H
#include <stddef.h>
#include <stdint.h>

/* (Re)installs the lecture's captions (storage object 0/captions.vtt) into a published version:
   a copy with X-TIMESTAMP-MAP, subs.m3u8, and master.m3u8 rewritten with a SUBTITLES rendition
   (or without one when the lecture has no captions). 0 or -1. */
int media_install_captions(int64_t lecture, int64_t version);
/* A master playlist rewritten with a SUBTITLES rendition (GROUP-ID "subs") whose playlist is
   subs_uri, named by every variant; with subs_uri NULL, without one. malloc'd. */
char *media_master_subs(const char *master, const char *subs_uri);
/* The captions file as served (appended to out): src (len bytes, BOM dropped) with an
   X-TIMESTAMP-MAP line after its first line unless its header has one. */
struct buf;
void vtt_for_hls(struct buf *out, const char *src, size_t len, int64_t ts_start);
#endif
