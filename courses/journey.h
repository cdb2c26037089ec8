/* journey.h — a member's way through a course (issue 12): required courses enrolled without a click,
 * the next unfinished lecture and its resume position (开始学习 / 继续学习), the last lecture studied,
 * and the lecture after this one (the player moves on at the end). */
#ifndef DX_COURSES_JOURNEY_H
#define DX_COURSES_JOURNEY_H
#include "http.h"
#include "util.h"

#include <jansson.h>

typedef struct journey_lecture {
	int64_t id, course_id;
	const char *title, *course_title; /* arena memory */
	double resume_s;                  /* where the player resumes it (0: from the start) */
	double duration_s;
	int started;                      /* journey_next: the member studied a lecture of the course already */
	int64_t at;                       /* journey_last: when it was last studied */
} journey_lecture;

/* Enrols a member (staff are left to preview) in every published course required for them this year (their organisation's or an
   ancestor's assignments) that they are not enrolled in, except their own: required courses are
   assigned, not chosen. Its own write transaction when something is missing (never call it inside
   one). The number enrolled now, or -1. */
int journey_enrol_required(req *r);

/* The first lecture of the course, in order, that plays and that the member has not completed: 1
   with *out filled, 0 when none is left (or there is none). */
int journey_next(req *r, int64_t uid, int64_t course_id, journey_lecture *out);
/* The lecture the member studied last (a heartbeat), in that course or (course_id 0) in any course
   they are enrolled in that is published: 1 with *out filled, else 0. */
int journey_last(req *r, int64_t uid, int64_t course_id, journey_lecture *out);
/* The lecture after lecture_id in its course's order that plays, else 0. */
int64_t journey_after(int64_t lecture_id);

/* {"id","title","course_id","resume_position","duration_s"} (+ "started" or "at"). */
json_t *journey_json(const journey_lecture *l, int next);
/* The course page's button: 开始学习 (nothing studied yet) or 继续学习 with the lecture's title and
   where it resumes, opening /lectures/{id}; nothing when every lecture is completed. */
void journey_button(req *r, buf *b, int64_t course_id);
#endif
