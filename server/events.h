/* events.h — the domain events that modules tell each other about, inside the writer's transaction.
 *
 * A module that makes something happen (a lecture or course completed, an exam passed, a daily
 * quiz answered, a course rated, a class completed, a member logged in, study time credited)
 * calls event_emit() (or event_notify() for high-volume kinds that are not recorded) inside the
 * write transaction that made it happen. Every module's `on_event` (server/module.h) is then
 * called, in registry order, in that same transaction: scoring awards points and keeps the yearly
 * totals, classes checks class completion. A listener that returns -1 fails the caller, which
 * rolls back: an event and everything it causes are written together or not at all.
 *
 * Kinds in use (kind, ref, data):
 *   "login"              ref: the academy day as YYYYMMDD           data: NULL
 *   "study"              ref: the lecture; amount: seconds credited  data: NULL        (notify only)
 *   "lecture_completed"  ref: the lecture                            data: {"course_id":N}
 *   "course_completed"   ref: the course                             data: {"credit_hours":H}
 *   "exam_passed"        ref: the quiz; amount: the score (0-100)    data: {"course_id":N,"attempt_id":N,"score":S}
 *   "exam_full_marks"    ref: the quiz                               data: as exam_passed
 *   "quiz_answer"        ref: attempt id * 100 + question position; amount: 1 when right   (daily quiz)
 *   "course_rated"       ref: the course; amount: the stars
 *   "class_completed"    ref: the class                              data: {"certificate":"…digest…"}
 *   "yearly_certificate" ref: the certificate (a yearly 学时证明)    data: {"certificate":"…digest…"}
 * Add a kind by documenting it here; listeners ignore kinds they do not know.
 */
#ifndef DX_EVENTS_H
#define DX_EVENTS_H
#include <stdint.h>

typedef struct dx_event {
	int64_t user_id;
	const char *kind;
	int64_t ref;      /* unique per (user, kind): a second emit of the same triple is a no-op */
	int64_t at;       /* unix seconds of the server's clock */
	double amount;    /* kind-specific quantity (see above), else 0 */
	const char *data; /* a JSON object as text, or NULL */
} dx_event;

/* Records the event in `events` once per (user, kind, ref) and, when it is new, calls every
   module's on_event. Call it inside a write transaction (db_begin, or the heartbeat writer's).
   Returns 1 (new), 0 (recorded before: nothing called) or -1 (error: roll back). */
int event_emit(const dx_event *e);
/* Calls every module's on_event without recording the event (kinds too frequent to keep one row
   each, such as "study"). 0, or -1 (roll back). */
int event_notify(const dx_event *e);
/* The id of the recorded event (user, kind, ref), or 0. */
int64_t event_id(int64_t user_id, const char *kind, int64_t ref);
#endif
