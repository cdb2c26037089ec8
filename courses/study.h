/* study.h — study tracking: playback sessions, heartbeats, progress, lecture and course completion.
 *
 * The crediting rules themselves are pure and live in courses/credit.c; this module loads the
 * state they need, applies them and writes the outcome in one transaction per heartbeat.
 */
#ifndef DX_STUDY_H
#define DX_STUDY_H
#include <stdint.h>

#include "http.h"

/* POST /api/v1/lectures/{id}/play, POST …/heartbeat, GET …/progress. */
extern const route study_routes[];
/* GET /lectures/{id} (courses/player.c). */
extern const route player_routes[];

/* The course exam (结业测试), as the quiz module provides it. quiz comes after courses in the
   registry and courses never include it, so quiz registers these in its init (as courses is the
   transcoder's jobs_sink). Without a registration no course has an exam. */
typedef struct course_exam_ops {
	/* 1 when the member passed the course's exam, or the course has none; 0 otherwise. Runs inside
	   the caller's transaction (reads only). */
	int (*passed)(int64_t user_id, int64_t course_id);
	/* The course's exam as the user sees it, for course_json's "exam" (a new reference with at
	   least "quiz_id"), or NULL when the course has none. */
	json_t *(*describe)(const user *u, int64_t course_id);
} course_exam_ops;
void course_exam_register(const course_exam_ops *ops);

/* 1 when the member passed the course's exam, or when the course has none (course_exam_ops). */
int course_quiz_passed(int64_t user_id, int64_t course_id);
/* The "exam" object of a course for u (NULL: none), through course_exam_ops. */
json_t *course_exam_json(const user *u, int64_t course_id);

/* Re-evaluates one member's progress in a course: enrollments.progress = completed lectures /
   lectures (status 'ready'), and when every lecture is complete and course_quiz_passed(), sets
   enrollments.completed_at and records the 'course_completed' event (once). Runs inside the
   caller's transaction (the quiz module calls it after a pass). Returns 1 when the course became
   complete now, 0 otherwise, -1 on a database error. */
int study_course_check(int64_t user_id, int64_t course_id, int64_t now);

/* Where a member resumes a lecture last left at last_pos: that position, or 0 at (nearly) the end. */
double study_resume_at(double last_pos, double duration);

/* Study time of the member on the lectures of the given courses (a JSON array of course ids, "[1,5]"),
   in seconds: what a class roster shows. Indexed lookups only (one per lecture). */
double study_seconds_in(int64_t user_id, const char *course_ids_json);

/* The heartbeat writer thread (group commit): started and stopped by server/services.c. Stopping
   answers everything queued first. */
int study_writer_start(void);
void study_writer_stop(void);
#endif
