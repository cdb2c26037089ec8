/* media.c — GET /media/{id}/… : a lecture's HLS stream, poster and captions, for those who may
 * watch it. The folder is derived from the id and the lecture's current version only; the rest of
 * the path must be a plain relative name (no "..", "%", "\\", dot-files). Files go out with
 * sendfile, ETag and Range (reply_file). */
#include "courses/lectures.h"
#include "db.h"
#include "http.h"
#include "i18n.h"
#include "transcoder/storage.h"

#include <string.h>

static int media_get(req *r)
{
	int64_t id = req_id(r, 0);
	const char *rest = r->rest;
	/* Unsafe names are simply not found: nothing on disk is named like that. */
	if (!storage_rel_ok(rest))
		return reply_error(r, 404, "not_found", "%s", tr("err.no_file"));
	int64_t version = db_int(-1, "SELECT media_version FROM lectures WHERE id = ?", "i", id);
	if (version < 0 || !lecture_course_visible(r->u, id))
		return reply_error(r, 404, "not_found", "%s", tr("err.lecture_missing"));
	if (!lecture_may_view(r->u, id))
		return reply_error(r, 403, "forbidden", "%s", tr("err.lecture_forbidden"));
	char path[1024];
	if (version == 0 || storage_path(id, version, rest, path, sizeof path) < 0)
		return reply_error(r, 404, "not_found", "%s", tr("err.no_file"));
	size_t l = strlen(rest);
	int playlist = l > 5 && !strcmp(rest + l - 5, ".m3u8");
	/* Playlists may change (captions added); segments never do within a version, and their URLs
	   carry ?v=VERSION so a new version is never mixed with cached old segments. */
	return reply_file(r, path, NULL, playlist ? "private, max-age=5" : "private, max-age=86400");
}

const route media_routes[] = {
	{"GET", "/media/{id}/*", media_get, R_ANY, 0, 0, NULL, NULL},
	ROUTES_END,
};
