/* storage.c — lecture media in a local folder: DATA/media/{lecture}/{version}/…, staged in .tmp. */
#include "transcoder/storage.h"
#include "auth.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char g_root[600];

int storage_init(const char *data_dir)
{
	snprintf(g_root, sizeof g_root, "%s/media", data_dir);
	char tmp[700];
	snprintf(tmp, sizeof tmp, "%s/.tmp", g_root);
	rm_rf(tmp);
	return mkdir_p(tmp, 0750);
}

int storage_rel_ok(const char *p)
{
	if (!p || !*p || strlen(p) > 200)
		return 0;
	const char *seg = p;
	for (const char *s = p;; s++) {
		if (*s == '/' || !*s) {
			if (s == seg || *seg == '.')
				return 0; /* empty segment, dot-file, "." or ".." */
			if (!*s)
				return 1;
			seg = s + 1;
			continue;
		}
		char c = *s;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
		      c == '-' || c == '.'))
			return 0;
	}
}

static int vdir(int64_t lecture, int64_t version, char *out, size_t n)
{
	if (!g_root[0])
		dx_fatal("storage_init not called");
	int w = snprintf(out, n, "%s/%lld/%lld", g_root, (long long)lecture, (long long)version);
	return w < 0 || (size_t)w >= n ? -1 : 0;
}

int storage_tmpdir(int64_t lecture, int64_t version, char *out, size_t outlen)
{
	char tok[65];
	token_new(tok);
	tok[16] = 0;
	int w = snprintf(out, outlen, "%s/.tmp/%lld-%lld-%s", g_root, (long long)lecture, (long long)version, tok);
	if (w < 0 || (size_t)w >= outlen)
		return -1;
	if (mkdir_p(out, 0750) < 0)
		return -1;
	return 0;
}

int storage_put_dir(int64_t lecture, int64_t version, const char *tmpdir)
{
	char dst[700], parent[700];
	snprintf(parent, sizeof parent, "%s/%lld", g_root, (long long)lecture);
	if (mkdir_p(parent, 0750) < 0 || vdir(lecture, version, dst, sizeof dst) < 0)
		return -1;
	rm_rf(dst); /* a half-published earlier attempt of the same version */
	return rename(tmpdir, dst);
}

void storage_discard_tmp(const char *tmpdir)
{
	if (tmpdir && *tmpdir)
		rm_rf(tmpdir);
}

int storage_path(int64_t lecture, int64_t version, const char *relpath, char *out, size_t outlen)
{
	char d[700];
	if (!storage_rel_ok(relpath) || vdir(lecture, version, d, sizeof d) < 0)
		return -1;
	int w = snprintf(out, outlen, "%s/%s", d, relpath);
	return w < 0 || (size_t)w >= outlen ? -1 : 0;
}

int storage_put_file(int64_t lecture, int64_t version, const char *relpath, const void *data, size_t len)
{
	char path[900], d[900];
	if (storage_path(lecture, version, relpath, path, sizeof path) < 0) {
		errno = EINVAL;
		return -1;
	}
	snprintf(d, sizeof d, "%s", path);
	*strrchr(d, '/') = 0;
	if (mkdir_p(d, 0750) < 0)
		return -1;
	return write_file_atomic(path, data, len, 0640);
}

char *storage_get_file(int64_t lecture, int64_t version, const char *relpath, size_t *len)
{
	char path[900];
	if (storage_path(lecture, version, relpath, path, sizeof path) < 0)
		return NULL;
	return read_file(path, len);
}

int storage_del_file(int64_t lecture, int64_t version, const char *relpath)
{
	char path[900];
	if (storage_path(lecture, version, relpath, path, sizeof path) < 0)
		return -1;
	return unlink(path) < 0 && errno != ENOENT ? -1 : 0;
}

int storage_exists(int64_t lecture, int64_t version, const char *relpath)
{
	char path[900];
	struct stat st;
	return storage_path(lecture, version, relpath, path, sizeof path) == 0 && stat(path, &st) == 0;
}

int storage_remove(int64_t lecture, int64_t version)
{
	char d[700];
	if (vdir(lecture, version, d, sizeof d) < 0)
		return -1;
	return rm_rf(d);
}
