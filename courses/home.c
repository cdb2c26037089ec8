/* home.c — the home page `/`: "my courses" (enrolled or required, with progress) and the catalog
 * with its filters, rendered from the catalog's rows (courses/catalog.h). */
#include "courses.h"
#include "courses/catalog.h"
#include "courses/journey.h"
#include "html.h"
#include "i18n.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define HOME_PER_PAGE 12

/* The cards are written straight into the buffer: text goes through html_escape, UI strings are
   escaped once per page. */
/* As printf's %g. */
static void put_g(buf *b, double v)
{
	if (v >= 0 && v < 1e6 && v == (double)(long long)v && !(v == 0 && signbit(v))) {
		cat_put_int(b, (long long)v);
		return;
	}
	char t[32];
	snprintf(t, sizeof t, "%g", v);
	buf_puts(b, t);
}

/* The UI strings of the page, escaped. */
typedef struct home_text {
	const char *required, *elective, *draft, *hours, *enrolled_count, *enrolled, *progress, *not_enrolled;
	const char *rating, *rating_people;
} home_text;

static const char *esc(req *r, const char *s)
{
	buf t;
	buf_init(&t);
	html_escape(&t, s);
	char *out = arena_strdup(r->a, t.p ? t.p : "");
	buf_free(&t);
	return out;
}

static void home_text_init(req *r, home_text *t)
{
	t->required = esc(r, tr("course.required"));
	t->elective = esc(r, tr("course.elective"));
	t->draft = esc(r, tr("course.status_draft"));
	t->hours = esc(r, tr("course.hours_unit"));
	t->enrolled_count = esc(r, tr("course.enrolled_count"));
	t->enrolled = esc(r, tr("course.enrolled"));
	t->progress = esc(r, tr("course.progress"));
	t->not_enrolled = esc(r, tr("course.not_enrolled"));
	t->rating = esc(r, tr("course.rating.average"));
	t->rating_people = esc(r, tr("course.rating.people"));
}

static void progress_bar(buf *b, double p, const home_text *t)
{
	int pct = (int)(p * 100 + 0.5);
	PUT(b, "<div class=\"progress-row\"><progress max=\"100\" value=\"");
	cat_put_int(b, pct);
	PUT(b, "\" aria-label=\"");
	buf_puts(b, t->progress);
	PUT(b, "\">");
	cat_put_int(b, pct);
	PUT(b, "%</progress><span class=\"pct\">");
	cat_put_int(b, pct);
	PUT(b, "%</span></div>");
}

/* One course of the catalog grid; the words of the search q marked in its title and summary. */
static void course_card(buf *b, const cat_row *c, const home_text *t, const char *q)
{
	PUT(b, "<li class=\"course-card\" data-id=\"");
	cat_put_int(b, c->id);
	PUT(b, "\"><a class=\"cover\" href=\"/courses/");
	cat_put_int(b, c->id);
	PUT(b, "\" tabindex=\"-1\" aria-hidden=\"true\">");
	if (c->has_cover) {
		PUT(b, "<img src=\"/images/");
		cat_put_int(b, c->cover);
		PUT(b, "\" alt=\"\" loading=\"lazy\">");
	} else {
		PUT(b, "<span class=\"cover-text\">");
		html_escape(b, c->category);
		PUT(b, "</span>");
	}
	PUT(b, "</a><div class=\"card-body\"><h3><a href=\"/courses/");
	cat_put_int(b, c->id);
	PUT(b, "\">");
	cat_put_marked(b, c->title, q);
	PUT(b, "</a></h3><p class=\"meta\">");
	if (c->required) {
		PUT(b, "<span class=\"badge required\">");
		buf_puts(b, t->required);
	} else {
		PUT(b, "<span class=\"badge\">");
		buf_puts(b, t->elective);
	}
	PUT(b, "</span> ");
	if (strcmp(c->status, "published")) {
		PUT(b, "<span class=\"badge warn\">");
		buf_puts(b, t->draft);
		PUT(b, "</span> ");
	}
	PUT(b, "<span class=\"badge cat\">");
	html_escape(b, c->category);
	PUT(b, "</span> <span class=\"hours\">");
	put_g(b, c->credit_hours);
	PUT(b, " ");
	buf_puts(b, t->hours);
	PUT(b, "</span></p><p class=\"summary\">");
	cat_put_marked(b, c->summary, q);
	PUT(b, "</p><p class=\"stats muted\">");
	html_escape(b, c->owner_name);
	PUT(b, " · ");
	cat_put_int(b, c->enrolled_count);
	PUT(b, " ");
	buf_puts(b, t->enrolled_count);
	if (c->rating_n) {
		/* The average to one decimal, as the API rounds it. */
		char avg[16];
		snprintf(avg, sizeof avg, "%.1f", c->rating_avg);
		PUT(b, " · <span class=\"rating-card\"><span aria-hidden=\"true\">★</span><span class=\"sr-only\">");
		buf_puts(b, t->rating);
		PUT(b, "</span> ");
		buf_puts(b, avg);
		PUT(b, " · ");
		cat_put_int(b, c->rating_n);
		PUT(b, " ");
		buf_puts(b, t->rating_people);
		PUT(b, "</span>");
	}
	if (c->enrolled) {
		PUT(b, " · <span class=\"ok\">");
		buf_puts(b, t->enrolled);
		PUT(b, "</span>");
	}
	PUT(b, "</p>");
	if (c->enrolled)
		progress_bar(b, c->progress, t);
	PUT(b, "</div></li>");
}

/* One course of "my courses", with the lecture studied last in it. */
static void my_course(req *r, buf *b, const cat_row *c, const home_text *t)
{
	PUT(b, "<li><div class=\"my-title\"><a href=\"/courses/");
	cat_put_int(b, c->id);
	PUT(b, "\">");
	html_escape(b, c->title);
	PUT(b, "</a> ");
	if (c->required) {
		PUT(b, "<span class=\"badge required\">");
		buf_puts(b, t->required);
		PUT(b, "</span>");
	}
	if (!c->enrolled) {
		PUT(b, " <span class=\"badge warn\">");
		buf_puts(b, t->not_enrolled);
		PUT(b, "</span>");
	}
	PUT(b, "</div>");
	progress_bar(b, c->progress, t);
	journey_lecture jl;
	if (c->enrolled && journey_last(r, r->u->id, c->id, &jl))
		html_printf(b, "<p class=\"last-lecture muted\">%s：<a href=\"/lectures/%lld\">%s</a></p>", tr("journey.last"),
			    (long long)jl.id, jl.title);
	PUT(b, "</li>");
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
	PUT(b, "<option value=\"");
	html_escape(b, value);
	if (selected)
		PUT(b, "\" selected>");
	else
		PUT(b, "\">");
	html_escape(b, label);
	PUT(b, "</option>");
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
	if (!searching)
		journey_enrol_required(r); /* required courses are the member's without a click */
	int began = cat_read_begin();
	cat_user u;
	cat_user_init(r, &u); /* R once for both lists */
	home_text t;
	home_text_init(r, &t);
	buf b;
	buf_init(&b);
	page_begin(r, &b, "home", tr("home.title"));

	if (!searching) {
		catalog_args m = {.mine = 1, .page = 1, .per_page = 50};
		cat_rows mine;
		int64_t n;
		catalog_fetch(r, &u, &m, &mine, &n);
		/* Where the member left off: the lecture studied last, one tap away. */
		journey_lecture jl;
		if (journey_last(r, r->u->id, 0, &jl)) {
			html_printf(&b,
				    "<section class=\"card continue-card\" id=\"continue-last\"><h2>%s</h2><p><span class=\"muted\">%s"
				    "</span> · %s</p><p><a class=\"button primary\" id=\"continue-last-link\" href=\"/lectures/%lld\">%s</a>",
				    tr("journey.last"), jl.course_title, jl.title, (long long)jl.id, tr("journey.continue"));
			if (jl.resume_s > 0) {
				char at[24];
				fmt_duration(at, sizeof at, jl.resume_s);
				html_printf(&b, " <span class=\"help\">%s %s</span>", tr("journey.resume_at"), at);
			}
			html_raw(&b, "</p></section>");
		}
		html_printf(&b, "<section class=\"card my-courses\" id=\"my-courses\"><h2>%s</h2>", tr("home.mine"));
		if (!mine.n)
			html_printf(&b, "<p class=\"muted\">%s</p>", tr("home.mine_empty"));
		else
			html_raw(&b, "<ul class=\"my-list\">");
		for (size_t i = 0; i < mine.n; i++)
			my_course(r, &b, &mine.v[i], &t);
		if (mine.n)
			html_raw(&b, "</ul>");
		html_raw(&b, "</section>");
		free(mine.v);
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

	cat_rows list;
	int64_t total = 0;
	catalog_fetch(r, &u, &a, &list, &total);
	cat_read_end(began);
	html_printf(&b, "<p class=\"muted count\" id=\"catalog-count\">%s %lld %s</p>", tr("home.total_pre"),
		    (long long)total, tr("home.total_post"));
	if (!list.n)
		html_printf(&b, "<p class=\"empty\">%s</p>", tr("home.no_results"));
	else
		html_raw(&b, "<ul class=\"course-grid\" id=\"course-list\">");
	for (size_t i = 0; i < list.n; i++)
		course_card(&b, &list.v[i], &t, a.q);
	if (list.n)
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
	free(list.v);
	free(u.req.v);
	return page_reply(r, &b);
}

const route home_routes[] = {
	{.method = "GET", .pattern = "/", .fn = page_home, .roles = R_ANY, .flags = RF_PAGE},
	ROUTES_END,
};
