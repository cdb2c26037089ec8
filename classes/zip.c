/* zip.c — the store-only ZIP writer (PKWARE APPNOTE 6.3: local file headers, central directory,
 * end of central directory record; general purpose flag bit 11 = UTF-8 names). */
#include "classes/zip.h"

#include <string.h>
#include <time.h>
#include <zlib.h>

#define ZIP_MAX_ENTRIES 65535u
#define ZIP_MAX_OFFSET 0xFFFFFFFFull

static void le16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)(v & 0xFF);
	p[1] = (unsigned char)(v >> 8 & 0xFF);
}

static void le32(unsigned char *p, uint32_t v)
{
	le16(p, v & 0xFFFF);
	le16(p + 2, v >> 16);
}

static int out(zipw *z, const void *data, size_t n)
{
	if (z->failed || (n && z->write(z->ctx, data, n) < 0)) {
		z->failed = 1;
		return -1;
	}
	z->offset += n;
	return 0;
}

void zip_begin(zipw *z, zip_write_fn write, void *ctx, int64_t mtime)
{
	memset(z, 0, sizeof *z);
	z->write = write;
	z->ctx = ctx;
	buf_init(&z->central);
	time_t t = (time_t)mtime;
	struct tm tm;
	gmtime_r(&t, &tm);
	if (tm.tm_year < 80) /* DOS dates start in 1980 */
		tm = (struct tm){.tm_year = 80, .tm_mday = 1};
	z->dos_time = (uint16_t)(tm.tm_hour << 11 | tm.tm_min << 5 | tm.tm_sec / 2);
	z->dos_date = (uint16_t)((tm.tm_year - 80) << 9 | (tm.tm_mon + 1) << 5 | tm.tm_mday);
}

int zip_add(zipw *z, const char *name, const void *data, size_t n)
{
	size_t nl = name ? strlen(name) : 0;
	if (z->failed || !nl || nl > 0xFFFF || z->entries >= ZIP_MAX_ENTRIES ||
	    z->offset + 30 + nl + n > ZIP_MAX_OFFSET || n > ZIP_MAX_OFFSET) {
		z->failed = 1;
		return -1;
	}
	uint32_t crc = (uint32_t)crc32(0L, Z_NULL, 0);
	const unsigned char *p = data;
	for (size_t left = n; left;) { /* crc32 takes a uInt length */
		uInt k = left > 1u << 30 ? 1u << 30 : (uInt)left;
		crc = (uint32_t)crc32(crc, p, k);
		p += k;
		left -= k;
	}
	unsigned char h[46];
	/* Local file header. */
	le32(h, 0x04034b50);
	le16(h + 4, 10);          /* version needed: 1.0 (stored) */
	le16(h + 6, 1u << 11);    /* UTF-8 name */
	le16(h + 8, 0);           /* stored */
	le16(h + 10, z->dos_time);
	le16(h + 12, z->dos_date);
	le32(h + 14, crc);
	le32(h + 18, (uint32_t)n);
	le32(h + 22, (uint32_t)n);
	le16(h + 26, (unsigned)nl);
	le16(h + 28, 0);          /* no extra field */
	uint32_t at = (uint32_t)z->offset;
	if (out(z, h, 30) < 0 || out(z, name, nl) < 0 || out(z, data, n) < 0)
		return -1;
	/* Its central directory entry. */
	le32(h, 0x02014b50);
	le16(h + 4, 3u << 8 | 20); /* made by: Unix, spec 2.0 */
	le16(h + 6, 10);
	le16(h + 8, 1u << 11);
	le16(h + 10, 0);
	le16(h + 12, z->dos_time);
	le16(h + 14, z->dos_date);
	le32(h + 16, crc);
	le32(h + 20, (uint32_t)n);
	le32(h + 24, (uint32_t)n);
	le16(h + 28, (unsigned)nl);
	le16(h + 30, 0);           /* extra */
	le16(h + 32, 0);           /* comment */
	le16(h + 34, 0);           /* disk */
	le16(h + 36, 0);           /* internal attributes */
	le32(h + 38, 0100644u << 16); /* external: a regular file, rw-r--r-- */
	le32(h + 42, at);
	buf_add(&z->central, h, 46);
	buf_add(&z->central, name, nl);
	z->entries++;
	return 0;
}

int zip_end(zipw *z)
{
	uint64_t start = z->offset;
	int rc = 0;
	if (start + z->central.len + 22 > ZIP_MAX_OFFSET)
		z->failed = 1;
	if (out(z, z->central.p, z->central.len) < 0)
		rc = -1;
	unsigned char e[22];
	le32(e, 0x06054b50);
	le16(e + 4, 0);
	le16(e + 6, 0);
	le16(e + 8, z->entries);
	le16(e + 10, z->entries);
	le32(e + 12, (uint32_t)z->central.len);
	le32(e + 16, (uint32_t)start);
	le16(e + 20, 0);
	if (rc == 0 && out(z, e, sizeof e) < 0)
		rc = -1;
	buf_free(&z->central);
	return rc < 0 || z->failed ? -1 : 0;
}
