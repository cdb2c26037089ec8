/* zip.h — a minimal streaming ZIP writer: stored entries (no compression: PDFs are compressed
 * already), UTF-8 names, CRC-32 from zlib, no ZIP64 (an archive stays under 4 GiB and 65535
 * entries). Each entry is written at once, its size and CRC known, so nothing is buffered but the
 * central directory (about 50 bytes + the name per entry). */
#ifndef DX_CLASSES_ZIP_H
#define DX_CLASSES_ZIP_H
#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* Receives the archive in order; returns 0, or -1 to stop (then every later call fails). */
typedef int (*zip_write_fn)(void *ctx, const void *data, size_t n);

typedef struct zipw {
	zip_write_fn write;
	void *ctx;
	uint64_t offset;     /* bytes written so far */
	buf central;         /* the central directory, written by zip_end */
	unsigned entries;
	uint16_t dos_time, dos_date;
	int failed;
} zipw;

/* Starts an archive whose entries carry the modification time mtime (unix seconds, as UTC). */
void zip_begin(zipw *z, zip_write_fn write, void *ctx, int64_t mtime);
/* Adds one stored file. name: UTF-8, 1..65535 bytes, no NUL. 0, or -1 (a write failed, the name
   is not acceptable, or the archive would exceed the limits above). */
int zip_add(zipw *z, const char *name, const void *data, size_t n);
/* Writes the central directory and its end record and frees the writer. 0, or -1 when any write
   failed. */
int zip_end(zipw *z);
#endif
