/* attach.c — course attachments (PDF 课件): upload (streamed to a temporary file, the size limit
 * attach_max checked as it arrives, the first bytes checked for "%PDF-"), list, delete, and the
 * download for whoever may see the course, under the name the instructor gave (sanitised). */
#include "attach/attach.h"
#include "courses/access.h"
#include "audit.h"
#include "clock.h"
#include "config.h"
#include "db.h"
#include "html.h"
#include "i18n.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

int attach_is_pdf(const void *data, size_t len)
{
	return len >= 5 && !memcmp(data, "%PDF-", 5);
}

char *attach_clean_name(const char *name)
{
	if (!name)
		name = "";
	size_t len = strlen(name);
	if (!utf8_ok(name, len))
		return NULL;
	/* The last path segment: browsers send C:\fakepath\x.pdf, some tools a/b/x.pdf. */
	for (const char *p = name; *p; p++)
		if (*p == '/' || *p == '\\')
			name = p + 1;
	buf b;
	buf_init(&b);
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		if (*p < 0x20 || *p == 0x7f || strchr("\"<>:*?|", *p))
			continue;
		if (*p == '.' && !b.len)
			continue; /* no hidden file, no ".." */
		if (*p == ' ' && !b.len)
			continue;
		buf_putc(&b, (char)*p);
	}
	while (b.len && (b.p[b.len - 1] == ' ' || b.p[b.len - 1] == '.'))
		b.len--;
	/* Room for ".pdf", cut on a character boundary. */
	size_t max = ATTACH_NAME_MAX - 4, keep = 0;
	for (size_t i = 0; i < b.len;) {
		size_t n = utf8_char_len(b.p + i, b.len - i);
		if (!n || i + n > max)
			break;
		i += n;
		keep = i;
	}
	b.len = keep;
	if (!b.len)
		buf_puts(&b, "课件");
	if (b.len < 4 || strncasecmp(b.p + b.len - 4, ".pdf", 4))
		buf_puts(&b, ".pdf");
	buf_putc(&b, '\0');
	char *out = strdup(b.p);
	buf_free(&b);
	if (!out)
		dx_fatal("out of memory");
	return out;
}

void attach_disposition(buf *b, const char *name)
{
	/* The fallback for clients without RFC 5987: printable ASCII as it is, anything else '_'. */
	buf_puts(b, "attachment; filename=\"");
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		buf_putc(b, *p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\' && *p != '%' ? (char)*p : '_');
	buf_puts(b, "\"; filename*=UTF-8''");
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		/* attr-char of RFC 5987: ALPHA / DIGIT / "!#$&+-.^_`|~" */
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("!#$&+-.^_`|~", *p)) {
			buf_putc(b, (char)*p);
		} else {
			buf_putc(b, '%');
			buf_putc(b, hex[*p >> 4]);
			buf_putc(b, hex[*p & 15]);
		}
	}
}

static void attach_path(char *out, size_t n, int64_t id)
{
	snprintf(out, n, "%s/attachments/%lld.pdf", cfg.data, (long long)id);
}

/* ---- upload ---- */

typedef struct upload {
	int fd;
	char tmp[700];  /* the temporary file, "" once it was renamed or removed */
	char head[8];   /* the first bytes, for the magic check */
	size_t headn;
	uint64_t size;
	char *name;     /* sanitised, malloc'd */
} upload;

static int too_large(req *r)
{
	return reply_error(r, 413, "too_large", "%s（%lld）", tr("err.attach_too_large"), (long long)cfg.attach_max),
	       -1;
}

/* Removes what an upload left behind (a refused, failed or abandoned one). */
static void upload_close(req *r)
{
	upload *u = r->ctx;
	if (!u)
		return;
	if (u->fd >= 0)
		close(u->fd);
	if (u->tmp[0])
		unlink(u->tmp);
	free(u->name);
	free(u);
	r->ctx = NULL;
}

static int upload_body(req *r, const char *data, size_t len)
{
	upload *u = r->ctx;
	if (!u) {
		const char *cl = req_header(r, "Content-Length");
		if (cl && strtoull(cl, NULL, 10) > (unsigned long long)cfg.attach_max)
			return too_large(r);
		char *name = attach_clean_name(req_arg(r, "name"));
		if (!name)
			return reply_error(r, 422, "invalid_field", "%s", tr("err.attach_name")), -1;
		char dir[600];
		snprintf(dir, sizeof dir, "%s/attachments", cfg.data);
		u = xcalloc(1, sizeof *u);
		u->fd = -1;
		u->name = name;
		r->ctx = u;
		snprintf(u->tmp, sizeof u->tmp, "%s/.upload-XXXXXX", dir);
		if (mkdir_p(dir, 0750) < 0 || (u->fd = mkstemp(u->tmp)) < 0) {
			u->tmp[0] = 0;
			return reply_error(r, 500, "internal", "%s", tr("err.internal")), -1;
		}
	}
	if (!len)
		return 0;
	if (u->size + len > (uint64_t)cfg.attach_max)
		return too_large(r);
	if (u->headn < sizeof u->head) {
		size_t n = sizeof u->head - u->headn < len ? sizeof u->head - u->headn : len;
		memcpy(u->head + u->headn, data, n);
		u->headn += n;
	}
	if (write_all(u->fd, data, len) < 0)
		return reply_error(r, 500, "internal", "%s", tr("err.internal")), -1;
	u->size += len;
	return 0;
}

static json_t *attachment_json(req *r, int64_t course, int64_t id, const char *name, int64_t size, int64_t at)
{
	char iso[24];
	iso_time(at, iso);
	return json_pack("{s:I,s:I,s:s,s:I,s:s,s:s}", "id", (json_int_t)id, "course_id", (json_int_t)course, "name",
			 name, "size", (json_int_t)size, "created_at", iso, "url",
			 arena_printf(r->a, "/courses/%lld/attachments/%lld", (long long)course, (long long)id));
}

/* POST /api/v1/courses/{id}/attachments?name=NAME (course_edit) — the PDF bytes as the body. */
static int attach_upload(req *r)
{
	course_res *c = r->res;
	upload *u = r->ctx;
	if (!u || !attach_is_pdf(u->head, u->headn))
		return reply_error(r, 422, "not_pdf", "%s", tr("err.attach_type"));
	if (fsync(u->fd) < 0)
		return reply_error(r, 500, "internal", "%s", tr("err.internal"));
	int64_t now = clock_secs();
	if (db_begin() < 0)
		return reply_error(r, 503, "busy", "%s", tr("err.internal"));
	if (db_exec("INSERT INTO course_attachments(course_id, name, size, uploaded_by, created_at) VALUES (?,?,?,?,?)",
		    "isiii", c->id, u->name, (int64_t)u->size, r->u->id, now) < 0) {
		db_rollback();
		return reply_error(r, 500, "internal", "%s", tr("err.internal"));
	}
	int64_t id = db_last_id();
	char path[700];
	attach_path(path, sizeof path, id);
	if (audit_json(r->u->id, "attachment.create", "course", c->id,
		       json_pack("{s:I,s:s,s:I}", "attachment_id", (json_int_t)id, "name", u->name, "size",
				 (json_int_t)u->size)) < 0 ||
	    rename(u->tmp, path) < 0) {
		db_rollback();
		return reply_error(r, 500, "internal", "%s", tr("err.internal"));
	}
	if (db_commit() < 0) {
		unlink(path);
		return reply_error(r, 500, "internal", "%s", tr("err.internal"));
	}
	u->tmp[0] = 0; /* kept */
	return reply_json(r, 201, attachment_json(r, c->id, id, u->name, (int64_t)u->size, now));
}

/* GET /api/v1/courses/{id}/attachments (course_view) */
static int attach_list(req *r)
{
	course_res *c = r->res;
	db_stmt q;
	sqlite3_stmt *st = db_prepare(&q,
				      "SELECT id, name, size, created_at FROM course_attachments WHERE course_id = ?"
				      " ORDER BY id",
				      "i", c->id);
	json_t *arr = json_array();
	while (db_step(st) == 1)
		json_array_append_new(arr, attachment_json(r, c->id, sqlite3_column_int64(st, 0), db_col_text(st, 1),
							   sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3)));
	db_finalize(&q);
	return reply_json(r, 200, json_pack("{s:I,s:o}", "course_id", (json_int_t)c->id, "attachments", arr));
}

/* The attachment {aid} of the route's course, or 0 (it does not exist or is another course's). */
static int attach_find(req *r, int64_t course, char **name, int64_t *size)
{
	int64_t aid = req_id(r, 1);
	sqlite3_stmt *st = db_query("SELECT name, size FROM course_attachments WHERE id = ? AND course_id = ?", "ii", aid,
				    course);
	int found = db_step(st) == 1;
	if (found) {
		if (name)
			*name = arena_strdup(r->a, db_col_text(st, 0));
		if (size)
			*size = sqlite3_column_int64(st, 1);
	}
	db_done(st);
	return found;
}

/* DELETE /api/v1/courses/{id}/attachments/{aid} (course_edit) */
static int attach_delete(req *r)
{
	course_res *c = r->res;
	int64_t aid = req_id(r, 1);
	char *name = NULL;
	if (!attach_find(r, c->id, &name, NULL))
		return reply_error(r, 404, "not_found", "%s", tr("err.attach_missing"));
	if (db_begin() < 0)
		return reply_error(r, 503, "busy", "%s", tr("err.internal"));
	if (db_exec("DELETE FROM course_attachments WHERE id = ?", "i", aid) <= 0 ||
	    audit_json(r->u->id, "attachment.delete", "course", c->id,
		       json_pack("{s:I,s:s}", "attachment_id", (json_int_t)aid, "name", name)) < 0) {
		db_rollback();
		return reply_error(r, 500, "internal", "%s", tr("err.internal"));
	}
	if (db_commit() < 0)
		return reply_error(r, 500, "internal", "%s", tr("err.internal"));
	char path[700];
	attach_path(path, sizeof path, aid);
	unlink(path);
	return reply_empty(r, 204);
}

/* GET /courses/{id}/attachments/{aid} (course_view) — the file, as a download. */
static int attach_get(req *r)
{
	course_res *c = r->res;
	char *name = NULL;
	if (!attach_find(r, c->id, &name, NULL))
		return reply_error(r, 404, "not_found", "%s", tr("err.attach_missing"));
	buf d;
	buf_init(&d);
	attach_disposition(&d, name);
	buf_putc(&d, '\0');
	reply_header(r, "Content-Disposition", d.p);
	reply_header(r, "X-Content-Type-Options", "nosniff");
	buf_free(&d);
	char path[700];
	attach_path(path, sizeof path, req_id(r, 1));
	return reply_file(r, path, "application/pdf", "private, max-age=3600");
}

static void fmt_size(char *out, size_t n, int64_t size)
{
	if (size >= 1 << 20)
		snprintf(out, n, "%.1f MB", (double)size / (1 << 20));
	else
		snprintf(out, n, "%lld KB", (long long)((size + 1023) / 1024));
}

void attach_list_html(buf *b, int64_t course_id)
{
	db_stmt q;
	sqlite3_stmt *st = db_prepare(&q, "SELECT id, name, size FROM course_attachments WHERE course_id = ? ORDER BY id",
				      "i", course_id);
	int n = 0;
	while (db_step(st) == 1) {
		if (!n++)
			html_printf(b, "<section class=\"card attachments\" id=\"attachments\" aria-labelledby=\"attach-h\">"
				       "<h2 id=\"attach-h\">%s</h2><ul class=\"attach-list\">",
				    tr("attach.title"));
		char size[32];
		fmt_size(size, sizeof size, sqlite3_column_int64(st, 2));
		html_printf(b, "<li><a href=\"/courses/%lld/attachments/%lld\" download>%s</a> <span class=\"attach-meta\">PDF · %s</span></li>",
			    (long long)course_id, (long long)sqlite3_column_int64(st, 0), db_col_text(st, 1), size);
	}
	db_finalize(&q);
	if (n)
		html_raw(b, "</ul></section>");
}

void attach_editor_html(buf *b, int64_t course_id)
{
	html_printf(b,
		    "<section class=\"card attach-edit\" id=\"attach-edit\" aria-labelledby=\"attach-edit-h\""
		    " data-max=\"%lld\"><h2 id=\"attach-edit-h\">%s</h2><p class=\"help\">%s</p>"
		    "<ul class=\"attach-list\" id=\"attach-items\">",
		    (long long)cfg.attach_max, tr("attach.editor_title"), tr("attach.help"));
	db_stmt q;
	sqlite3_stmt *st = db_prepare(&q, "SELECT id, name, size FROM course_attachments WHERE course_id = ? ORDER BY id",
				      "i", course_id);
	int n = 0;
	while (db_step(st) == 1) {
		n++;
		char size[32];
		fmt_size(size, sizeof size, sqlite3_column_int64(st, 2));
		long long aid = (long long)sqlite3_column_int64(st, 0);
		const char *name = db_col_text(st, 1);
		html_printf(b,
			    "<li data-id=\"%lld\" data-name=\"%s\"><a href=\"/courses/%lld/attachments/%lld\" download>%s</a>"
			    " <span class=\"attach-meta\">PDF · %s</span> <button type=\"button\" class=\"link attach-del\">%s"
			    "<span class=\"sr-only\">「%s」</span></button></li>",
			    aid, name, (long long)course_id, aid, name, size, tr("attach.delete"), name);
	}
	db_finalize(&q);
	html_printf(b,
		    "</ul><p class=\"help\" id=\"attach-none\"%s>%s</p>"
		    "<label class=\"button file\">%s<input type=\"file\" id=\"attach-file\" accept=\"application/pdf,.pdf\"></label>"
		    "<p class=\"msg\" id=\"attach-msg\" role=\"status\"></p></section>",
		    n ? " hidden" : "", tr("attach.none"), tr("attach.upload"));
}

const route attach_routes[] = {
	{.method = "POST", .pattern = "/api/v1/courses/{id}/attachments", .fn = attach_upload, .roles = R_STAFF,
	 .flags = RF_STREAM, .on_body = upload_body, .on_close = upload_close, .res = &course_edit},
	{.method = "GET", .pattern = "/api/v1/courses/{id}/attachments", .fn = attach_list, .roles = R_ANY,
	 .res = &course_view},
	{.method = "DELETE", .pattern = "/api/v1/courses/{id}/attachments/{id}", .fn = attach_delete, .roles = R_STAFF,
	 .res = &course_edit},
	{.method = "GET", .pattern = "/courses/{id}/attachments/{id}", .fn = attach_get, .roles = R_ANY,
	 .res = &course_view},
	ROUTES_END,
};
