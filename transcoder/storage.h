/* storage.h — where lecture media lives. Every read and write of published media goes through here,
 * so that a local folder (today) can become object storage behind a CDN (later) in one file.
 *
 * Layout (local): DATA/media/{lecture}/{version}/{relpath}, staged in DATA/media/.tmp/… and renamed
 * into place when complete. Version 0 is the lecture's own, unversioned objects (the instructor's
 * captions source), never served directly. Paths are derived only from ids and checked relpaths.
 */
#ifndef DX_STORAGE_H
#define DX_STORAGE_H
#include <stddef.h>
#include <stdint.h>

/* Sets the root (DATA/media), creates it and empties the staging folder (nothing is being written
   when the server starts). 0 or -1. */
int storage_init(const char *data_dir);
/* 1 when relpath is a safe relative object name: segments of [A-Za-z0-9_.-], none empty or starting
   with '.', no '..', '%', '\\' or leading '/'. */
int storage_rel_ok(const char *relpath);
/* Creates a fresh, uniquely named staging folder for a new version and writes its path to out. A
   stray writer of an earlier attempt (an orphaned ffmpeg) can never write into it. 0 or -1. */
int storage_tmpdir(int64_t lecture, int64_t version, char *out, size_t outlen);
/* Publishes a finished staging folder as (lecture, version), replacing one already there. 0 or -1. */
int storage_put_dir(int64_t lecture, int64_t version, const char *tmpdir);
/* Removes a staging folder (after a failure). */
void storage_discard_tmp(const char *tmpdir);
/* The local file that serves (lecture, version, relpath); -1 when relpath is unsafe. */
int storage_path(int64_t lecture, int64_t version, const char *relpath, char *out, size_t outlen);
/* Writes one object atomically (temporary name + rename). 0 or -1 (errno set). */
int storage_put_file(int64_t lecture, int64_t version, const char *relpath, const void *data, size_t len);
/* Reads one object (malloc'd, NUL-terminated); NULL when absent. */
char *storage_get_file(int64_t lecture, int64_t version, const char *relpath, size_t *len);
/* Deletes one object; 0 also when it was absent. */
int storage_del_file(int64_t lecture, int64_t version, const char *relpath);
/* 1 when the object exists. */
int storage_exists(int64_t lecture, int64_t version, const char *relpath);
/* Removes a whole version (0 also when absent). */
int storage_remove(int64_t lecture, int64_t version);
#endif
