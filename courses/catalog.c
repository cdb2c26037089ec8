/* catalog.c — the catalog: search (FTS5 trigram, LIKE for 1–2 characters), filters, sorting,
 * pagination, "my courses"; GET /api/v1/courses and the home page `/`. */
#include "courses.h"
#include "clock.h"
#include "config.h"
#include "db.h"
#include "html.h"
#include "i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The catalog runs in two steps so that it never reads course bodies. Step 1 picks the page's
   course ids from the covering index courses_catalog (schema migration 5): a course row holds
   its Markdown and HTML before the columns filtered on, so reading those from the table would pull
   every body's overflow pages. Step 2 reads title and summary, which precede the bodies, for the
   page's rows only.
   One step-1 query serves every combination: optional filters are "?N IS NULL OR …" terms, so
   the SQL text is fixed (statements are cached by their literal). Parameters:
   ?1 the user's org chain (JSON ids)  ?2 year  ?3 user id  ?4 visibility (0 published only,
   1 + own drafts, 2 all)  ?5 category or NULL  ?6 type (0 all, 1 required, 2 elective)
   ?7 mine  ?8 popular  ?9 limit  ?10 offset  ?11 the search text (FTS phrase or LIKE pattern).
   Required courses come first; the total comes with each row (a window count). */
#define CAT_HEAD                                                                                        \
	"WITH req(cid) AS (SELECT course_id FROM assignments WHERE year = ?2"                          \
	"   AND org_id IN (SELECT value FROM json_each(?1)))"                                           \
	" SELECT c.id, c.id IN req AS required, count(*) OVER (), c.status, c.cover_image_id,"          \
	"  c.enrolled_count, e.user_id IS NOT NULL, ifnull(e.progress, 0)"                              \
	" FROM courses c INDEXED BY courses_catalog"                                                    \
	" LEFT JOIN enrollments e ON e.user_id = ?3 AND e.course_id = c.id"                              \
	" WHERE (c.status = 'published' OR ?4 = 2 OR (?4 = 1 AND c.owner_id = ?3))"                    \
	" AND (?5 IS NULL OR c.category = ?5)"                                                          \
	" AND (?6 = 0 OR (c.id IN req) = (?6 = 1))"                                                     \
	" AND (?7 = 0 OR e.user_id IS NOT NULL OR c.id IN req)"
#define CAT_TAIL                                                                                        \
	" ORDER BY required DESC, CASE WHEN ?8 THEN c.enrolled_count ELSE 0 END DESC,"                  \
	"  ifnull(c.published_at, c.created_at) DESC, c.id DESC LIMIT ?9 OFFSET ?10"

static const char SQL_ALL[] = CAT_HEAD CAT_TAIL;
static const char SQL_FTS[] =
	CAT_HEAD " AND c.id IN (SELECT rowid FROM courses_fts WHERE courses_fts MATCH ?11)" CAT_TAIL;
/* 1–2 characters: no trigram to look up, so the text itself is scanned. */
static const char SQL_LIKE[] =
	CAT_HEAD " AND c.id IN (SELECT id FROM courses WHERE title LIKE ?11 ESCAPE '\\'"
		 " OR summary LIKE ?11 ESCAPE '\\' OR body_md LIKE ?11 ESCAPE '\\')" CAT_TAIL;

void catalog_args_from(req *r, catalog_args *a, int64_t per_page_default)
{
	memset(a, 0, sizeof *a);
	a->q = req_arg(r, "q");
	a->category = req_arg(r, "category");
	if (a->category && !*a->category)
		a->category = NULL;
	const char *t = req_arg(r, "type");
	a->type = t && !strcmp(t, "required") ? 1 : t && !strcmp(t, "elective") ? 2 : 0;
	const char *s = req_arg(r, "sort");
	a->popular = s && !strcmp(s, "popular");
	const char *m = req_arg(r, "mine");
	a->mine = m && (!strcmp(m, "1") || !strcmp(m, "true"));
	a->page = parse_id(req_arg(r, "page"));
	if (a->page < 1 || a->page > 100000)
		a->page = 1;
	a->per_page = parse_id(req_arg(r, "per_page"));
	if (a->per_page < 1)
		a->per_page = per_page_default;
	if (a->per_page > 50)
		a->per_page = 50;
}

/* The search text as an FTS5 phrase ("…" with quotes doubled) or a LIKE pattern (%…% with % _ \
   escaped); NULL when there is nothing to search for. *fts tells which. */
static char *search_term(arena *ar, const char *q, int *fts)
{
	if (!q)
		return NULL;
	while (*q == ' ' || *q == '\t')
		q++;
	size_t n = strlen(q);
	while (n && (q[n - 1] == ' ' || q[n - 1] == '\t'))
		n--;
	if (!n || !utf8_ok(q, n))
		return NULL;
	char *t = arena_strndup(ar, q, n);
	buf b;
	buf_init(&b);
	/* Trigrams need three characters; shorter queries scan with LIKE (a small table). */
	*fts = utf8_chars(t) >= 3;
	buf_putc(&b, *fts ? '"' : '%');
	for (const char *p = t; *p; p++) {
		if (*fts && *p == '"')
			buf_putc(&b, '"');
		else if (!*fts && (*p == '%' || *p == '_' || *p == '\\'))
			buf_putc(&b, '\\');
		buf_putc(&b, *p);
	}
	buf_putc(&b, *fts ? '"' : '%');
	char *out = arena_strdup(ar, b.p);
	buf_free(&b);
	return out;
}

json_t *catalog_query(req *r, const catalog_args *a)
{
	int fts = 0;
	const char *term = search_term(r->a, a->q, &fts);
	const char *sql = !term ? SQL_ALL : fts ? SQL_FTS : SQL_LIKE;
	int64_t vis = r->u->role == ROLE_ADMIN ? 2 : r->u->role == ROLE_INSTRUCTOR ? 1 : 0;
	const char *chain = org_chain_json(r->a, r->u->org_path);
	int64_t year = year_of(clock_secs());
	json_t *arr = json_array();
	int64_t total = 0;
	for (int pass = 0; pass < 2; pass++) {
		int64_t offset = pass ? 0 : (a->page - 1) * a->per_page, limit = pass ? 1 : a->per_page;
		sqlite3_stmt *st = term ? db_query(sql, "siiisiiiiis", chain, year, r->u->id, vis, a->category,
						   (int64_t)a->type, (int64_t)a->mine, (int64_t)a->popular, limit,
						   offset, term)
					: db_query(sql, "siiisiiiii", chain, year, r->u->id, vis, a->category,
						   (int64_t)a->type, (int64_t)a->mine, (int64_t)a->popular, limit, offset);
		while (db_step(st) == 1) {
			total = sqlite3_column_int64(st, 2);
			if (pass)
				break;
			json_t *c = json_pack("{s:I,s:b,s:s,s:I,s:b,s:f}", "id", (json_int_t)sqlite3_column_int64(st, 0),
					      "required", sqlite3_column_int(st, 1), "status", db_col_text(st, 3),
					      "enrolled_count", (json_int_t)sqlite3_column_int64(st, 5), "enrolled",
					      sqlite3_column_int(st, 6), "progress", sqlite3_column_double(st, 7));
			json_object_set_new(c, "cover_url",
					    sqlite3_column_type(st, 4) == SQLITE_NULL
						    ? json_null()
						    : json_string(arena_printf(r->a, "/images/%lld",
									       (long long)sqlite3_column_int64(st, 4))));
			json_array_append_new(arr, c);
		}
		db_done(st);
		/* A page past the end has no rows to carry the total: ask once more for the first. */
		if (json_array_size(arr) || a->page == 1)
			break;
	}
	/* Step 2: the text of the page's courses (columns stored before the bodies). */
	size_t i;
	json_t *c;
	json_array_foreach(arr, i, c)
	{
		sqlite3_stmt *st = db_query("SELECT c.title, c.summary, c.category, c.credit_hours, u.name"
					    " FROM courses c JOIN users u ON u.id = c.owner_id WHERE c.id = ?",
					    "i", (int64_t)json_integer_value(json_object_get(c, "id")));
		if (db_step(st) == 1) {
			json_object_set_new(c, "title", json_string(db_col_text(st, 0)));
			json_object_set_new(c, "summary", json_string(db_col_text(st, 1)));
			json_object_set_new(c, "category", json_string(db_col_text(st, 2)));
			json_object_set_new(c, "credit_hours", json_real(sqlite3_column_double(st, 3)));
			json_object_set_new(c, "owner_name", json_string(db_col_text(st, 4)));
		}
		db_done(st);
	}
	return json_pack("{s:o,s:I,s:I,s:I}", "courses", arr, "total", (json_int_t)total, "page", (json_int_t)a->page,
			 "per_page", (json_int_t)a->per_page);
}

/* GET /api/v1/courses?q=&category=&type=required|elective&sort=newest|popular&mine=1&page=&per_page= */
static int courses_list(req *r)
{
	catalog_args a;
	catalog_args_from(r, &a, 20);
	if (a.q && utf8_chars(a.q) > 100)
		return reply_error(r, 422, "too_long", "%s：q（100）", tr("err.field_too_long"));
	return reply_json(r, 200, catalog_query(r, &a));
}

/* ---- the home page ---- */

#define HOME_PER_PAGE 12

static void course_badges(buf *b, json_t *c)
{
	if (json_is_true(json_object_get(c, "required")))
		html_printf(b, "<span class=\"badge required\">%s</span> ", tr("course.required"));
	else
		html_printf(b, "<span class=\"badge\">%s</span> ", tr("course.elective"));
	if (strcmp(json_string_value(json_object_get(c, "status")), "published"))
		html_printf(b, "<span class=\"badge warn\">%s</span> ", tr("course.status_draft"));
	html_printf(b, "<span class=\"badge cat\">%s</span> <span class=\"hours\">%g %s</span>",
		    json_string_value(json_object_get(c, "category")),
		    json_real_value(json_object_get(c, "credit_hours")), tr("course.hours_unit"));
}

static void progress_bar(buf *b, double p)
{
	int pct = (int)(p * 100 + 0.5);
	html_printf(b,
		    "<div class=\"progress-row\"><progress max=\"100\" value=\"%d\" aria-label=\"%s\">%d%%</progress>"
		    "<span class=\"pct\">%d%%</span></div>",
		    pct, tr("course.progress"), pct, pct);
}

/* A link back to `/` keeping the filters, with another page number. */
static void page_link(buf *b, const catalog_args *a, int64_t page, const char *cls, const char *text)
{
	buf u;
	buf_init(&u);
	buf_printf(&u, "/?page=%lld", (long long)page);
	if (a->q && *a->q) {
		buf_puts(&u, "&q=");
		url_escape(&u, a->q);
	}
	if (a->category) {
		buf_puts(&u, "&category=");
		url_escape(&u, a->category);
	}
	if (a->type)
		buf_puts(&u, a->type == 1 ? "&type=required" : "&type=elective");
	if (a->popular)
		buf_puts(&u, "&sort=popular");
	if (a->per_page != HOME_PER_PAGE)
		buf_printf(&u, "&per_page=%lld", (long long)a->per_page);
	html_printf(b, "<a class=\"%s\" href=\"%s\">%s</a>", cls, u.p, text);
	buf_free(&u);
}

static void select_option(buf *b, const char *value, const char *label, int selected)
{
	html_printf(b, "<option value=\"%s\"%s>%s</option>", value, selected ? " selected" : "", label);
}

/* GET / — my courses (enrolled or required, with progress) and the catalog with its filters. */
static int page_home(req *r)
{
	catalog_args a;
	catalog_args_from(r, &a, HOME_PER_PAGE);
	a.mine = 0;
	if (a.q && utf8_chars(a.q) > 100)
		a.q = NULL;
	int searching = (a.q && *a.q) || a.category || a.type || a.page > 1;
	buf b;
	buf_init(&b);
	page_begin(r, &b, "home", tr("home.title"));

	if (!searching) {
		catalog_args m = {.mine = 1, .page = 1, .per_page = 50};
		json_t *mine = catalog_query(r, &m);
		json_t *list = json_object_get(mine, "courses");
		html_printf(&b, "<section class=\"card my-courses\" id=\"my-courses\"><h2>%s</h2>", tr("home.mine"));
		if (!json_array_size(list))
			html_printf(&b, "<p class=\"muted\">%s</p>", tr("home.mine_empty"));
		else
			html_raw(&b, "<ul class=\"my-list\">");
		size_t i;
		json_t *c;
		json_array_foreach(list, i, c)
		{
			html_printf(&b, "<li><div class=\"my-title\"><a href=\"/courses/%lld\">%s</a> ",
				    (long long)json_integer_value(json_object_get(c, "id")),
				    json_string_value(json_object_get(c, "title")));
			if (json_is_true(json_object_get(c, "required")))
				html_printf(&b, "<span class=\"badge required\">%s</span>", tr("course.required"));
			if (!json_is_true(json_object_get(c, "enrolled")))
				html_printf(&b, " <span class=\"badge warn\">%s</span>", tr("course.not_enrolled"));
			html_raw(&b, "</div>");
			progress_bar(&b, json_real_value(json_object_get(c, "progress")));
			html_raw(&b, "</li>");
		}
		if (json_array_size(list))
			html_raw(&b, "</ul>");
		html_raw(&b, "</section>");
		json_decref(mine);
	}

	/* Filters: a plain GET form, so the page works before (and without) its script. */
	html_printf(&b,
		    "<section class=\"catalog\" id=\"catalog\"><h1>%s</h1>"
		    "<form class=\"filters\" id=\"catalog-form\" method=\"get\" action=\"/\" role=\"search\">"
		    "<label class=\"q\">%s<input type=\"search\" name=\"q\" value=\"%s\" maxlength=\"100\" placeholder=\"%s\"></label>"
		    "<label>%s<select name=\"category\">",
		    tr("home.catalog"), tr("home.search"), a.q ? a.q : "", tr("home.search_placeholder"),
		    tr("course.category"));
	select_option(&b, "", tr("home.all"), !a.category);
	char cat[256];
	for (int i = 0; category_at(i, cat, sizeof cat); i++)
		select_option(&b, cat, cat, a.category && !strcmp(a.category, cat));
	html_printf(&b, "</select></label><label>%s<select name=\"type\">", tr("home.type"));
	select_option(&b, "", tr("home.all"), a.type == 0);
	select_option(&b, "required", tr("course.required"), a.type == 1);
	select_option(&b, "elective", tr("course.elective"), a.type == 2);
	html_printf(&b, "</select></label><label>%s<select name=\"sort\">", tr("home.sort"));
	select_option(&b, "newest", tr("home.sort_newest"), !a.popular);
	select_option(&b, "popular", tr("home.sort_popular"), a.popular);
	html_printf(&b, "</select></label><button type=\"submit\" class=\"primary\">%s</button></form>",
		    tr("home.search_submit"));

	json_t *res = catalog_query(r, &a);
	json_t *list = json_object_get(res, "courses");
	int64_t total = json_integer_value(json_object_get(res, "total"));
	html_printf(&b, "<p class=\"muted count\" id=\"catalog-count\">%s %lld %s</p>", tr("home.total_pre"),
		    (long long)total, tr("home.total_post"));
	if (!json_array_size(list))
		html_printf(&b, "<p class=\"empty\">%s</p>", tr("home.no_results"));
	else
		html_raw(&b, "<ul class=\"course-grid\" id=\"course-list\">");
	size_t i;
	json_t *c;
	json_array_foreach(list, i, c)
	{
		long long id = (long long)json_integer_value(json_object_get(c, "id"));
		const char *cover = json_string_value(json_object_get(c, "cover_url"));
		html_printf(&b, "<li class=\"course-card\" data-id=\"%lld\"><a class=\"cover\" href=\"/courses/%lld\" tabindex=\"-1\">",
			    id, id);
		if (cover)
			html_printf(&b, "<img src=\"%s\" alt=\"\" loading=\"lazy\">", cover);
		else
			html_printf(&b, "<span class=\"cover-text\">%s</span>", json_string_value(json_object_get(c, "category")));
		html_printf(&b, "</a><div class=\"card-body\"><h3><a href=\"/courses/%lld\">%s</a></h3><p class=\"meta\">", id,
			    json_string_value(json_object_get(c, "title")));
		course_badges(&b, c);
		html_printf(&b, "</p><p class=\"summary\">%s</p><p class=\"stats muted\">%s · %lld %s",
			    json_string_value(json_object_get(c, "summary")), json_string_value(json_object_get(c, "owner_name")),
			    (long long)json_integer_value(json_object_get(c, "enrolled_count")), tr("course.enrolled_count"));
		if (json_is_true(json_object_get(c, "enrolled")))
			html_printf(&b, " · <span class=\"ok\">%s</span>", tr("course.enrolled"));
		html_raw(&b, "</p>");
		if (json_is_true(json_object_get(c, "enrolled")))
			progress_bar(&b, json_real_value(json_object_get(c, "progress")));
		html_raw(&b, "</div></li>");
	}
	if (json_array_size(list))
		html_raw(&b, "</ul>");
	int64_t pages = (total + a.per_page - 1) / a.per_page;
	if (pages > 1) {
		html_raw(&b, "<nav class=\"pager\" aria-label=\"pages\">");
		if (a.page > 1)
			page_link(&b, &a, a.page - 1, "prev", tr("home.prev"));
		html_printf(&b, "<span>%lld / %lld</span>", (long long)a.page, (long long)pages);
		if (a.page < pages)
			page_link(&b, &a, a.page + 1, "next", tr("home.next"));
		html_raw(&b, "</nav>");
	}
	html_raw(&b, "</section>");
	json_decref(res);
	return page_reply(r, &b);
}

const route catalog_routes[] = {
	{"GET", "/api/v1/courses", courses_list, R_ANY, 0, 0, NULL, NULL},
	{"GET", "/", page_home, R_ANY, RF_PAGE, 0, NULL, NULL},
	ROUTES_END,
};
