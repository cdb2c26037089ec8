/* access.h — the courses module's resources and their access rules, each rule once.
 *
 * Routes name a kind (.res = &course_edit); the guard loads the resource before the handler runs
 * and the handler finds it in r->res (a course_res or lecture_res below). The 404-vs-403 policy is
 * in server/http.h and docs/dev.md.
 */
#ifndef DX_COURSES_ACCESS_H
#define DX_COURSES_ACCESS_H
#include <stdint.h>

#include "http.h"

typedef struct course_res {
	int64_t id, owner_id;
	int published;
	int editor;    /* may change it: an admin, or the instructor who owns it */
	int enrolled;  /* the user is enrolled in it */
	int archived;  /* archived (withdrawn for good; records kept) */
} course_res;
/* Whether the user may see the course: published, their own to edit, or one they enrolled in (a
   withdrawn course stays visible to its members: what they earned is theirs to see). */
#define COURSE_VISIBLE(c) ((c)->published || (c)->editor || (c)->enrolled)

typedef struct lecture_res {
	int64_t id, course_id, owner_id;
	int published; /* its course is published */
	int editor;    /* may change it (its course's editor) */
	int enrolled;  /* the user is enrolled in its course */
	int required;  /* its course is required for the user's organisation this year */
	int may_view;  /* THE rule for watching: an editor; else a published course the user is
			  enrolled in or that is required for them */
	int hidden;    /* no video is served, or archived: unknown (404) to all but its editors */
	int archived;  /* deleted after members were credited time on it: unknown even to its editors */
} lecture_res;

/* THE rule for a lecture members see (SQL over the lectures row aliased l): a video is served (a
   lecture being replaced plays its previous version) and it is not archived. */
#define LECTURE_SHOWN_SQL "((l.media_version > 0 OR l.status = 'ready') AND l.duration_s > 0 AND l.archived_at IS NULL)"

typedef struct image_res {
	int64_t id, course_id;
	const char *mime;
} image_res;

/* A course one may see (COURSE_VISIBLE); else 404. */
extern const resource_kind course_view;
/* A course one may change: 404 as course_view, 403 when one may see it but not change it. */
extern const resource_kind course_edit;
/* A lecture to watch: 404 unknown (missing, or a draft course's to anyone but its editors and
   enrolled members), 403 when known but not may_view. */
extern const resource_kind lecture_view;
/* A lecture to change: 404 unknown, 403 when not an editor. */
extern const resource_kind lecture_edit;
/* A lecture to earn study time on (play, heartbeat): 404 unknown, or of a course that is not
   published (no new credit on what members may not view; the same answer as a missing lecture);
   403 preview_only for the course's own instructor; 403 not_enrolled. */
extern const resource_kind lecture_study;
/* A lecture whose progress one reads: 404 unknown (a withdrawn course's stays known to its
   members: what they earned is theirs to see), 403 not_enrolled. */
extern const resource_kind lecture_progress;
/* A lecture to open in the player (which decides how to show it): its course is published or the
   user edits it; else 404, as a missing lecture (a withdrawn course's too, to its members). */
extern const resource_kind lecture_known;
/* A course image: 404 unless one may see its course. */
extern const resource_kind image_view;

/* 1 when the user may change courses owned by owner_id: admins, and the owning instructor. */
int course_editor(const user *u, int64_t owner_id);
/* 1 when the course is required for the user this year: assigned to their organisation or one of
   its ancestors. THE "required for this user" query. */
int course_required_for(const user *u, int64_t course);
/* The same rule for another year (the yearly study-hours certificate of a past year). */
int course_required_in(const user *u, int64_t course, int year);
/* Calls f with every course required for the user this year (the same rule, as a set). */
void course_required_each(arena *a, const user *u, void (*f)(int64_t course, void *ud), void *ud);
/* The lecture as `u` sees it; 0 when it does not exist, 1 with *out filled. */
int lecture_access(const user *u, int64_t lecture, lecture_res *out);
/* The course as `u` sees it; 0 when it does not exist, 1 with *out filled. */
int course_lookup(const user *u, int64_t course, course_res *out);
#endif
