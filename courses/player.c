/* player.c — the lecture page /lectures/{id}: the video, rate and captions controls, the member's
 * coverage and credited study time; web/js/page-player.js does the playing and the heartbeats.
 */
#include "clock.h"
#include "config.h"
#include "courses/access.h"
#include "courses/journey.h"
#include "courses/lectures.h"
#include "courses/study.h"
#include "db.h"
#include "html.h"
#include "i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A page holding one message (and a link back), answered with `status`. */
static int page_message(req *r, int status, const char *title, const char *msg, const char *href, const char *link)
{
	buf b;
	buf_init(&b);
	page_begin(r, &b, "player-msg", title);
	html_printf(&b, "<section class=\"card narrow\"><h1>%s</h1><p>%s</p>", title, msg);
	if (href)
		html_printf(&b, "<p><a class=\"button primary\" href=\"%s\">%s</a></p>", href, link);
	html_raw(&b, "</section>");
	page_end(r, &b);
	reply_header(r, "Cache-Control", "no-store");
	return reply_buf(r, status, "text/html; charset=utf-8", &b);
}

/* The course's lectures with the member's completion marks, the current one highlighted. */
static void lecture_list(buf *b, int64_t course_id, int64_t current, int64_t uid, int editor)
{
	html_printf(b, "<aside class=\"card lecture-list\"><h2>%s</h2><ol>", tr("player.lectures"));
	db_stmt q;
	sqlite3_stmt *st = db_prepare(&q, "SELECT l.id, l.title, l.duration_s,"
					  "  (l.media_version > 0 OR l.status = 'ready') AND l.duration_s > 0, p.completed_at IS NOT NULL "
					  "FROM lectures l LEFT JOIN lecture_progress p ON p.lecture_id=l.id AND p.user_id=? "
					  "WHERE l.course_id=? AND l.archived_at IS NULL AND (? OR " LECTURE_SHOWN_SQL ") "
					  "ORDER BY l.position, l.id",
					  "iii", uid, course_id, (int64_t)editor);
	while (db_step(st) == 1) {
		int64_t id = sqlite3_column_int64(st, 0);
		char dur[24];
		fmt_duration(dur, sizeof dur, sqlite3_column_double(st, 2));
		int ready = sqlite3_column_int(st, 3); /* a video is served */
		html_printf(b, "<li%s>", id == current ? " class=\"cur\"" : "");
		if (ready && id != current)
			html_printf(b, "<a href=\"/lectures/%lld\">%s</a>", (long long)id, db_col_text(st, 1));
		else
			html_printf(b, "<span>%s</span>", db_col_text(st, 1));
		if (ready)
			html_printf(b, " <span class=\"muted\">%s</span>", dur);
		if (sqlite3_column_int(st, 4))
			html_printf(b, " <span class=\"badge ok\">%s</span>", tr("player.done"));
		html_raw(b, "</li>");
	}
	db_finalize(&q);
	html_raw(b, "</ol></aside>");
}

/* GET /lectures/{id} (lecture_known) — the player. Enrolled members of a published course get the tracked player;
   the course's instructor and admins (and other staff who may watch) a preview without tracking;
   anyone else a pointer to the course page. A lecture of a course the user may not know of is
   answered exactly as one that does not exist. A lecture being replaced plays its previous
   version. */
static int page_player(req *r)
{
	int64_t id = req_id(r, 0), uid = r->u->id;
	journey_enrol_required(r); /* a lecture of a required course opened by its link */
	sqlite3_stmt *st = db_query(
		"SELECT l.title, l.media_version > 0 OR l.status = 'ready', l.duration_s, l.has_poster, l.course_id, c.title,"
		"  l.media_version,"
		"  EXISTS(SELECT 1 FROM enrollments e WHERE e.user_id=? AND e.course_id=l.course_id),"
		"  c.status='published', c.owner_id "
		"FROM lectures l JOIN courses c ON c.id=l.course_id WHERE l.id=?",
		"ii", uid, id);
	int found = db_step(st) == 1;
	int published = found && sqlite3_column_int(st, 8);
	int64_t owner = found ? sqlite3_column_int64(st, 9) : 0;
	if (!found) {
		db_done(st);
		return page_message(r, 404, tr("player.not_found"), tr("err.no_lecture"), "/", tr("nav.home"));
	}
	char *title = arena_strdup(r->a, db_col_text(st, 0));
	int ready = sqlite3_column_int(st, 1);
	double duration = sqlite3_column_double(st, 2);
	int has_poster = sqlite3_column_int(st, 3);
	int64_t course_id = sqlite3_column_int64(st, 4);
	char *course_title = arena_strdup(r->a, db_col_text(st, 5));
	long long version = sqlite3_column_int64(st, 6);
	int enrolled = sqlite3_column_int(st, 7);
	db_done(st);

	char course_href[48];
	snprintf(course_href, sizeof course_href, "/courses/%lld", (long long)course_id);
	/* Enrolled members study; the course's own instructor previews (even if enrolled before that
	   was refused), as do other staff who may watch it (lecture_res.may_view, courses/access.c). */
	const lecture_res *acc = r->res;
	int own = owner == uid;
	int tracked = enrolled && !own && published;
	int preview = !tracked && (own || (r->u->role != ROLE_MEMBER && acc->may_view));
	if (!tracked && !preview)
		return page_message(r, 403, title, tr("player.enrol_first"), course_href, tr("player.to_course"));

	buf b;
	buf_init(&b);
	page_begin(r, &b, "player", title);
	html_printf(&b, "<nav class=\"crumbs\"><a href=\"%s\">%s</a></nav><h1>%s</h1><div class=\"player-layout\"><div>",
		    course_href, course_title, title);
	if (!ready || !(duration > 0)) {
		html_printf(&b, "<section class=\"card\"><p>%s</p></section>", tr("player.not_ready"));
	} else {
		char max_rate[16], idle[16], dur[32], next_href[48] = "";
		snprintf(max_rate, sizeof max_rate, "%g", cfg.max_rate);
		snprintf(idle, sizeof idle, "%d", cfg.idle_prompt_s);
		snprintf(dur, sizeof dur, "%.3f", duration);
		/* The player moves on to the next lecture at the end (page-player.js). */
		int64_t next = journey_after(id);
		char *next_title = next ? db_text("SELECT title FROM lectures WHERE id = ?", "i", next) : NULL;
		if (next)
			snprintf(next_href, sizeof next_href, "/lectures/%lld?autoplay=1", (long long)next);
		html_printf(&b,
			    "<div id=\"player\" class=\"player\" data-lecture=\"%lld\" data-hls=\"/media/%lld/master.m3u8\""
			    " data-duration=\"%s\" data-track=\"%s\" data-idle-s=\"%s\" data-max-rate=\"%s\""
			    " data-next=\"%s\" data-next-title=\"%s\">"
			    "<div class=\"player-box\"><video id=\"video\" controls playsinline preload=\"none\"",
			    (long long)id, (long long)id, dur, preview ? "0" : "1", idle, max_rate, next_href,
			    next_title ? next_title : "");
		free(next_title);
		if (has_poster)
			html_printf(&b, " poster=\"/media/%lld/poster.jpg?v=%lld\"", (long long)id, version);
		html_raw(&b, ">");
		/* Nothing of the stream loads before play (phones on metered data): page-player.js
		   attaches it when this button, or the video's own play control, is pressed. */
		html_printf(&b, "</video><button type=\"button\" id=\"play-start\" class=\"play-start\" aria-label=\"%s\">"
			    "<span aria-hidden=\"true\">▶</span></button>",
			    tr("player.play"));
		/* Captions, when there are any, are a SUBTITLES rendition of the HLS stream itself
		   (courses/captions.c): hls.js and native HLS both expose them as text tracks. */
		html_printf(&b, "</div><div class=\"player-bar\"><label>%s<select id=\"rate\">", tr("player.rate"));
		static const char *const rates[] = {"0.75", "1", "1.25", "1.5", "2"};
		/* Each speed says whether it still counts: faster than max_rate earns no study time. */
		for (size_t i = 0; i < ARRAY_LEN(rates); i++) {
			int counts = atof(rates[i]) <= cfg.max_rate + 1e-9;
			html_printf(&b, "<option value=\"%s\"%s data-counts=\"%d\">%s×", rates[i],
				    strcmp(rates[i], "1") ? "" : " selected", counts, rates[i]);
			if (!preview)
				html_printf(&b, "（%s）", tr(counts ? "player.rate_counts" : "player.rate_no_count"));
			html_raw(&b, "</option>");
		}
		html_printf(&b, "</select></label><button type=\"button\" id=\"cc\" aria-pressed=\"false\" hidden>%s</button>",
			    tr("player.captions"));
		if (!preview)
			html_printf(&b, "<p id=\"rate-help\" class=\"help\">%s %s %s</p>", tr("player.rate_help_pre"), max_rate,
				    tr("player.rate_help_post"));
		html_printf(&b,
			    "<p id=\"rate-note\" class=\"help\" hidden></p><p id=\"player-msg\" class=\"msg\" role=\"status\"></p>"
			    "</div></div>");
		/* Completion stays on screen until dismissed; the move to the next lecture can be stopped. */
		html_printf(&b,
			    "<div class=\"card done-banner\" id=\"done-banner\" role=\"status\" hidden><p id=\"done-text\"></p>"
			    "<button type=\"button\" id=\"done-close\">%s</button></div>"
			    "<div class=\"card next-banner\" id=\"next-banner\" hidden><p id=\"next-text\"></p>"
			    "<a class=\"button primary\" id=\"next-now\" href=\"%s\">%s</a> "
			    "<button type=\"button\" id=\"next-stay\">%s</button></div>",
			    tr("player.dismiss"), next_href[0] ? next_href : "#", tr("player.next_now"), tr("player.next_stay"));
		if (preview) {
			html_printf(&b, "<p class=\"card help\">%s</p>", tr(own ? "player.preview_own" : "player.preview"));
		} else {
			html_printf(&b,
				    "<section class=\"card study-panel\" id=\"study\"><div class=\"cov-head\"><h2>%s</h2>"
				    "<strong id=\"cov-pct\">—</strong><span id=\"done\" class=\"badge ok\" hidden>%s</span></div>"
				    "<progress id=\"cov-bar\" max=\"1\" value=\"0\"></progress>"
				    "<div class=\"cov-strip\" id=\"cov-strip\" aria-hidden=\"true\"></div>"
				    "<div class=\"study-stats\"><p><span>%s</span><strong id=\"today-s\">—</strong></p>"
				    "<p><span>%s</span><strong id=\"lecture-s\">—</strong></p></div>"
				    "<p class=\"help\">%s</p></section>",
				    tr("player.coverage"), tr("player.done"), tr("player.today"), tr("player.total"),
				    tr("player.rules"));
			html_printf(&b,
				    "<dialog id=\"idle\" class=\"idle\"><p class=\"idle-q\">%s</p>"
				    "<button type=\"button\" class=\"primary\" id=\"idle-yes\">%s</button></dialog>",
				    tr("player.idle_q"), tr("player.idle_yes"));
		}
	}
	html_raw(&b, "</div>");
	lecture_list(&b, course_id, id, uid, acc->editor);
	html_raw(&b, "</div>");
	return page_reply(r, &b);
}

const route player_routes[] = {
	{.method = "GET", .pattern = "/lectures/{id}", .fn = page_player, .roles = R_ANY, .flags = RF_PAGE,
	 .res = &lecture_known},
	ROUTES_END,
};
