/* lectures.c — lecture metadata endpoints, the viewing rule, captions, and the instructor's
 * lecture page (/teach/courses/{id}/lectures). Sources arrive through upload.c and import.c. */
#include "courses/lectures.h"
#include "courses/access.h"
#include "courses/captions.h"
#include "auth.h"
#include "clock.h"
#include "config.h"
#include "db.h"
#include "html.h"
#include "i18n.h"
#include "transcoder/ffrun.h"
#include "transcoder/jobs.h"
#include "transcoder/probe.h"
#include "transcoder/storage.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TITLE_MAX 100
#define CAPTIONS_MAX (2 << 20)

/* ---- JSON ---- */

json_t *lecture_json(const user *u, int64_t id)
{
	sqlite3_stmt *st = db_query("SELECT course_id, title, position, status, progress, error, duration_s, media_version, "
				    "renditions, has_poster, has_captions, updated_at, revision FROM lectures WHERE id = ?",
				    "i", id);
	if (db_step(st) != 1) {
		db_done(st);
		return NULL;
	}
	int64_t version = sqlite3_column_int64(st, 7);
	char iso[24];
	iso_time(sqlite3_column_int64(st, 11), iso);
	json_t *rend = json_loads(db_col_text(st, 8), 0, NULL);
	if (!json_is_array(rend)) {
		if (rend)
			json_decref(rend);
		rend = json_array();
	}
	/* The API shows height and bandwidth (width too: handy for players and the page). */
	json_t *j = json_pack("{s:I,s:I,s:s,s:i,s:s,s:f,s:n,s:f,s:o,s:n,s:n,s:n,s:b,s:s}", "id", (json_int_t)id,
			      "course_id", (json_int_t)sqlite3_column_int64(st, 0), "title", db_col_text(st, 1),
			      "position", sqlite3_column_int(st, 2), "status", db_col_text(st, 3), "progress",
			      sqlite3_column_double(st, 4), "error", "duration_s", sqlite3_column_double(st, 6),
			      "renditions", rend, "hls_url", "poster_url", "captions_url", "has_captions",
			      sqlite3_column_int(st, 10), "updated_at", iso);
	json_object_set_new(j, "revision", json_integer(sqlite3_column_int64(st, 12)));
	lecture_res acc;
	int editor = lecture_access(u, id, &acc) && acc.editor;
	if (editor && sqlite3_column_type(st, 5) != SQLITE_NULL)
		json_object_set_new(j, "error", json_string(db_col_text(st, 5)));
	if (version > 0) {
		char url[96];
		snprintf(url, sizeof url, "/media/%lld/master.m3u8", (long long)id);
		json_object_set_new(j, "hls_url", json_string(url));
		if (sqlite3_column_int(st, 9)) {
			snprintf(url, sizeof url, "/media/%lld/poster.jpg?v=%lld", (long long)id, (long long)version);
			json_object_set_new(j, "poster_url", json_string(url));
		}
		if (sqlite3_column_int(st, 10)) {
			snprintf(url, sizeof url, "/media/%lld/captions.vtt?v=%lld", (long long)id, (long long)version);
			json_object_set_new(j, "captions_url", json_string(url));
		}
	}
	db_done(st);
	json_t *imp = editor ? import_json(id) : NULL;
	if (imp)
		json_object_set_new(j, "import", imp);
	return j;
}

/* ---- sources: the probe's verdict and the hand-over to the queue ---- */

int source_check_ex(const char *path, int (*cancelled)(void), char *msg, size_t msglen, char *detail, size_t detlen,
		    int *status, const char **code)
{
	media_info mi;
	char err[512];
	probe_opts po = {.timeout_s = cfg.probe_timeout_s, .cancelled = cancelled};
	const char *key;
	if (detail && detlen)
		detail[0] = 0;
	if (media_probe_ex(path, &mi, &po, err, sizeof err) == 0) {
		if (mi.duration_s + 1e-3 >= cfg.min_source_s)
			return 0;
		snprintf(err, sizeof err, "too short: %.1f s (at least %d s)", mi.duration_s, cfg.min_source_s);
		*status = 422, *code = "too_short";
		snprintf(msg, msglen, "%s（%.1f 秒，至少 %d 秒）", tr("err.media_too_short"), mi.duration_s, cfg.min_source_s);
		if (detail && detlen)
			snprintf(detail, detlen, "%s", err);
		return -1;
	}
	if (!strcmp(err, "file is empty"))
		*status = 422, *code = "empty_file", key = "err.media_empty";
	else if (!strncmp(err, "format not allowed", 18))
		*status = 415, *code = "format_not_allowed", key = "err.media_format";
	else if (!strncmp(err, "not a media file (a still image)", 32))
		*status = 415, *code = "still_image", key = "err.media_still";
	else if (!strncmp(err, "not a media file", 16))
		*status = 415, *code = "not_media", key = "err.not_media";
	else if (!strncmp(err, "no audio or video stream", 24))
		*status = 415, *code = "no_streams", key = "err.media_no_streams";
	else if (!strncmp(err, "file is truncated or damaged", 28))
		*status = 422, *code = "truncated", key = "err.media_truncated";
	else if (!strncmp(err, "file has no playable duration", 29))
		*status = 422, *code = "no_duration", key = "err.media_no_duration";
	else if (!strcmp(err, "probe timed out"))
		*status = 422, *code = "probe_timeout", key = "err.media_probe_timeout";
	else if (!strcmp(err, "probe cancelled"))
		*status = 503, *code = "shutting_down", key = "err.media_probe_cancelled";
	else
		*status = 422, *code = "unreadable", key = "err.media_unreadable";
	/* The message is the catalog's Chinese text only; libav's English reason goes to detail. */
	snprintf(msg, msglen, "%s", tr(key));
	if (detail && detlen)
		snprintf(detail, detlen, "%s", err);
	return -1;
}

int source_check(const char *path, char *msg, size_t msglen, int *status, const char **code)
{
	return source_check_ex(path, NULL, msg, msglen, NULL, 0, status, code);
}

void source_reply_refusal(req *r, int status, const char *code, const char *msg, const char *detail)
{
	json_t *e = json_pack("{s:s,s:s}", "code", code, "message", msg);
	if (detail && *detail && utf8_ok(detail, strlen(detail)))
		json_object_set_new(e, "detail", json_string(detail));
	reply_json(r, status, json_pack("{s:o}", "error", e));
}

int source_check_or_reply(req *r, const char *path)
{
	char msg[700], detail[512];
	int status;
	const char *code;
	if (source_check_ex(path, NULL, msg, sizeof msg, detail, sizeof detail, &status, &code) == 0)
		return 0;
	source_reply_refusal(r, status, code, msg, detail);
	return -1;
}

void uploads_path(const char *name, char *out, size_t outlen)
{
	char d[600];
	snprintf(d, sizeof d, "%s/uploads", cfg.data);
	mkdir_p(d, 0750);
	snprintf(out, outlen, "%s/%s", d, name);
}

int uploads_create(const char *prefix, char *out, size_t outlen)
{
	char tok[65], name[96];
	token_new(tok);
	tok[16] = 0;
	snprintf(name, sizeof name, "%.32s-%.16s.part", prefix, tok);
	uploads_path(name, out, outlen);
	int fd = open(out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
	if (fd < 0)
		out[0] = 0;
	return fd;
}

int source_accept(int64_t lecture, const char *path)
{
	char tok[65], name[128], dst[800], rel[160];
	token_new(tok);
	tok[16] = 0;
	snprintf(name, sizeof name, "src-%lld-%s", (long long)lecture, tok);
	snprintf(rel, sizeof rel, "uploads/%s", name);
	uploads_path(name, dst, sizeof dst);
	if (rename(path, dst) < 0)
		return -1;
	if (jobs_enqueue(lecture, rel) < 0) {
		unlink(dst);
		return -1;
	}
	return 0;
}

/* ---- endpoints ---- */

/* POST /api/v1/courses/{id}/lectures {"title"} (course_edit) */
static int lecture_create(req *r)
{
	int64_t course = req_id(r, 0);
	const char *title;
	if (body_str(r, "title", 1, TITLE_MAX, &title) < 0)
		return 0;
	while (*title == ' ')
		title++;
	if (!*title)
		return reply_error(r, 422, "invalid_field", "%s", tr("err.lecture_title"));
	int64_t now = clock_secs();
	if (db_exec("INSERT INTO lectures(course_id, title, position, created_at, updated_at) "
		    "VALUES (?1, ?2, (SELECT ifnull(max(position), 0) + 1 FROM lectures WHERE course_id = ?1), ?3, ?3)",
		    "isi", course, title, now) < 0)
		return reply_error(r, 500, "internal", "%s", tr("err.internal"));
	return reply_json(r, 201, json_pack("{s:I}", "id", (json_int_t)db_last_id()));
}

/* GET /api/v1/lectures/{id} (lecture_view) */
static int lecture_get(req *r)
{
	int64_t id = req_id(r, 0);
	return reply_json(r, 200, lecture_json(r->u, id));
}

json_t *course_lectures_json(const user *u, int64_t course)
{
	json_t *a = json_array();
	db_stmt q;
	sqlite3_stmt *st = db_prepare(&q,
				      "SELECT id FROM lectures WHERE course_id = ? AND archived_at IS NULL ORDER BY position, id",
				      "i", course);
	while (db_step(st) == 1) {
		json_t *l = lecture_json(u, sqlite3_column_int64(st, 0));
		if (l)
			json_array_append_new(a, l);
	}
	db_finalize(&q);
	return json_pack("{s:o}", "lectures", a);
}

/* GET /api/v1/courses/{id}/lectures (course_edit) — the instructor's list, in order. */
static int course_lectures(req *r)
{
	return reply_json(r, 200, course_lectures_json(r->u, req_id(r, 0)));
}

/* POST /api/v1/lectures/{id}/cancel (lecture_edit) — stops a URL import and a queued or running
   transcode. */
static int lecture_cancel(req *r)
{
	int64_t id = req_id(r, 0);
	int n = import_cancel(id);
	int j = jobs_cancel(id);
	if (j < 0)
		return reply_error(r, 500, "internal", "%s", tr("err.internal"));
	if (!n && !j)
		return reply_error(r, 409, "nothing_to_cancel", "%s", tr("err.nothing_to_cancel"));
	return reply_json(r, 200, lecture_json(r->u, id));
}

/* 1 when the text is a WebVTT file: optional BOM, "WEBVTT", then a space, tab or line end. */
int vtt_ok(const char *s, size_t len)
{
	size_t bom = utf8_bom(s, len);
	s += bom, len -= bom;
	return len >= 6 && !memcmp(s, "WEBVTT", 6) && (len == 6 || strchr(" \t\r\n", s[6]));
}

/* PUT /api/v1/lectures/{id}/captions (text/vtt; lecture_edit) */
static int lecture_captions(req *r)
{
	int64_t id = req_id(r, 0);
	const char *ct = req_header(r, "Content-Type");
	if (!ct || strncasecmp(ct, "text/vtt", 8) || (ct[8] && ct[8] != ';' && ct[8] != ' '))
		return reply_error(r, 415, "wrong_type", "%s", tr("err.captions_type"));
	if (!utf8_ok(r->body.p ? r->body.p : "", r->body.len))
		return reply_error(r, 422, "invalid_utf8", "%s", tr("err.captions_utf8"));
	if (!vtt_ok(r->body.p ? r->body.p : "", r->body.len))
		return reply_error(r, 422, "not_webvtt", "%s", tr("err.captions_vtt"));
	if (storage_put_file(id, 0, "captions.vtt", r->body.p, r->body.len) < 0)
		return reply_error(r, errno == ENOSPC ? 507 : 500, "storage", "%s", tr("err.storage"));
	db_exec("UPDATE lectures SET has_captions = 1, updated_at = ? WHERE id = ?", "ii", clock_secs(), id);
	int64_t v = db_int(0, "SELECT media_version FROM lectures WHERE id = ?", "i", id);
	if (v > 0 && media_install_captions(id, v) < 0)
		return reply_error(r, 500, "storage", "%s", tr("err.storage"));
	return reply_json(r, 200, lecture_json(r->u, id));
}

/* GET /teach/courses/{id}/lectures (course_edit) — list, create, upload (tus), import, captions,
   progress. */
static int page_lectures(req *r)
{
	int64_t course = req_id(r, 0);
	char *title = db_text("SELECT title FROM courses WHERE id = ?", "i", course);
	if (!title)
		return page_error_reply(r, 404, tr("err.course_missing"), "/teach", tr("teach.title"));
	buf b;
	buf_init(&b);
	page_begin(r, &b, "lectures", tr("lec.title"));
	html_printf(&b,
		    "<nav class=\"crumbs\"><a href=\"/teach\">%s</a> › <a href=\"/teach/courses/%lld\">%s</a> › %s</nav>"
		    "<h1>%s</h1>"
		    "<section class=\"card\"><h2>%s</h2><form id=\"lecture-form\" class=\"inline\">"
		    "<label>%s<input name=\"title\" required maxlength=\"%d\"></label>"
		    "<button class=\"primary\">%s</button><p class=\"msg\" role=\"status\"></p></form>"
		    "<p class=\"help\">%s%s %.1f GB。</p></section>"
		    "<div id=\"lectures\" class=\"lectures\" data-course-id=\"%lld\" data-upload-max=\"%lld\">"
		    "<p class=\"muted\">%s</p></div>",
		    tr("teach.title"), (long long)course, title, tr("lec.title"), title, tr("lec.new"), tr("lec.name"),
		    TITLE_MAX, tr("common.create"), tr("lec.help"), tr("lec.max"), (double)cfg.upload_max / (1 << 30),
		    (long long)course, (long long)cfg.upload_max,
		    tr("common.loading"));
	/* tus-js-client (npm, copied to web/vendor by make): a script file, not inline (CSP). */
	html_printf(&b, "<script src=\"%s\"></script>",
		    static_url("vendor/tus.min.js") ? static_url("vendor/tus.min.js") : "/static/vendor/tus.min.js");
	free(title);
	return page_reply(r, &b);
}

/* ---- the demo ---- */

int seed_lectures(const char *data_dir)
{
	if (!cfg.data[0])
		snprintf(cfg.data, sizeof cfg.data, "%s", data_dir);
	int64_t course = db_int(0, "SELECT id FROM courses ORDER BY id LIMIT 1", "");
	if (!course) {
		printf("no demo course yet: the demo lecture is skipped\n");
		return 0;
	}
	int64_t now = clock_secs();
	if (db_exec("INSERT INTO lectures(course_id, title, position, created_at, updated_at) "
		    "VALUES (?1, ?2, (SELECT ifnull(max(position), 0) + 1 FROM lectures WHERE course_id = ?1), ?3, ?3)",
		    "isi", course, "示范讲座：新时代党的建设总要求", now) < 0)
		return -1;
	int64_t id = db_last_id();
	char path[800], err[1024], msg[700];
	uploads_path("seed-demo.mp4", path, sizeof path);
	/* 40 s of a 720p test pattern with a soft beep each second: three rungs after transcoding. */
	char *argv[] = {cfg.ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
			"testsrc2=size=1280x720:rate=25:duration=40", "-f", "lavfi", "-i",
			"sine=frequency=330:beep_factor=4:duration=40", "-af", "volume=0.2", "-c:v", "libx264", "-preset",
			"ultrafast", "-b:v", "1500k", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "96k", "-movflags",
			"+faststart", path, NULL};
	ffrun_opts o = {.max_s = 300, .nice_inc = -1};
	int status;
	const char *code;
	if (ffrun(argv, &o, err, sizeof err) < 0 || source_check(path, msg, sizeof msg, &status, &code) < 0 ||
	    source_accept(id, path) < 0) {
		fprintf(stderr, "dangxiao: the demo lecture could not be made: %s\n", err[0] ? err : msg);
		unlink(path);
		return -1;
	}
	printf("demo lecture %lld queued: the server transcodes it on start\n", (long long)id);
	return 0;
}

const route lecture_routes[] = {
	{.method = "POST", .pattern = "/api/v1/courses/{id}/lectures", .fn = lecture_create, .roles = R_STAFF,
	 .flags = RF_JSON, .res = &course_edit},
	{.method = "GET", .pattern = "/api/v1/courses/{id}/lectures", .fn = course_lectures, .roles = R_STAFF,
	 .res = &course_edit},
	{.method = "GET", .pattern = "/api/v1/lectures/{id}", .fn = lecture_get, .roles = R_ANY, .res = &lecture_view},
	{.method = "POST", .pattern = "/api/v1/lectures/{id}/cancel", .fn = lecture_cancel, .roles = R_STAFF,
	 .res = &lecture_edit},
	{.method = "PUT", .pattern = "/api/v1/lectures/{id}/captions", .fn = lecture_captions, .roles = R_STAFF,
	 .flags = RF_RAWBODY, .body_max = CAPTIONS_MAX, .res = &lecture_edit},
	{.method = "GET", .pattern = "/teach/courses/{id}/lectures", .fn = page_lectures, .roles = R_STAFF,
	 .flags = RF_PAGE, .res = &course_edit},
	ROUTES_END,
};
