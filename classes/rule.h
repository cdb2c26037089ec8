/* rule.h — a topic class's definition, its validation and its completion rule (pure, no DB). */
#ifndef DX_CLASSES_RULE_H
#define DX_CLASSES_RULE_H
#include <stdint.h>

#define CLASS_TITLE_MAX   100   /* code points, after trimming */
#define CLASS_SUMMARY_MAX 2000
#define CLASS_COURSES_MAX 200   /* required + electives */

typedef enum { CLASS_OPEN, CLASS_ASSIGNED } class_mode;

/* A class as the rule sees it. Times are unix seconds; the study window is [opens_at, closes_at):
   an instant at opens_at is inside, one at closes_at is not. Course ids are listed in class order. */
typedef struct class_def {
	const char *title;
	const char *summary;         /* may be NULL */
	int64_t opens_at, closes_at;
	const int64_t *required;     /* courses every member must complete */
	int nrequired;
	const int64_t *electives;    /* optional courses; their hours count towards min_hours */
	int nelectives;
	double min_hours;            /* credit hours from the class's courses, 0 = no minimum */
	int exam_required;           /* the class exam must be passed inside the window */
	int64_t capacity;            /* seats, 0 = unlimited */
	class_mode mode;
} class_def;

/* Validation outcome: a code and the catalog key of its Chinese message (cv_key). */
typedef enum {
	CV_OK = 0,
	CV_TITLE_EMPTY,
	CV_TITLE_TOO_LONG,
	CV_NOT_UTF8,         /* title or summary */
	CV_SUMMARY_TOO_LONG,
	CV_WINDOW,           /* closes_at <= opens_at */
	CV_NO_COURSES,       /* neither required courses nor electives */
	CV_TOO_MANY_COURSES,
	CV_COURSE_ID,        /* an id <= 0 */
	CV_COURSE_DUPLICATE, /* a course twice, in one list or in both */
	CV_CAPACITY,         /* capacity < 0 */
	CV_MIN_HOURS,        /* min_hours < 0, NaN or infinite */
	CV_NO_RULE,          /* no required course, min_hours 0 and no exam: nothing to complete */
	CV_MODE,
	CV_COUNT
} cv_code;

/* "classes.err.window" etc.; "classes.err.unknown" for anything else. */
const char *cv_key(cv_code c);
/* Checks the rules in the order of cv_code and reports the first broken one; for
   CV_COURSE_ID and CV_COURSE_DUPLICATE *course (may be NULL) receives the offending id. */
cv_code class_validate(const class_def *d, int64_t *course);

/* One course completion of the member (any course; those not in the class are ignored). */
typedef struct course_done {
	int64_t course_id;
	int64_t completed_at;
	double hours;        /* credit hours granted for it */
} course_done;

/* A member of a class and what they have done. */
typedef struct class_member {
	int64_t joined_at;         /* joined, or was assigned through their organisation */
	const course_done *done;
	int ndone;
	int64_t exam_passed_at;    /* first pass of the class exam, 0 = not passed */
} class_member;

typedef enum {
	CS_NOT_OPEN,   /* now < opens_at and not complete */
	CS_OPEN,       /* inside the window, not complete */
	CS_COMPLETE,
	CS_MISSED,     /* the window has closed and the rule never held */
} class_state;

/* Where a member stands at `now`. The lists are malloc'd (class_progress_free). */
typedef struct class_progress {
	class_state state;
	int complete;
	int64_t completed_at;      /* the first instant the rule held (0 when not complete) */
	double progress;           /* 0..1, see class_evaluate */
	int required_done, nrequired;
	double hours;              /* credit hours counted for the class */
	double hours_needed;       /* max(0, min_hours - hours) */
	int exam_needed;           /* exam required and not (yet) passed inside the window */
	int64_t *remaining;        /* required course ids not completed inside the window, class order */
	int nremaining;
} class_progress;

/* The completion rule. What counts (docs/classes.md "Completion rule"):
   - a completion counts when opens_at <= completed_at < closes_at and completed_at <= now; one
     counts per course (the earliest), whether it happened before or after the member joined;
     completions before the window opens or from the window's end on never count;
   - a membership with joined_at >= closes_at or joined_at > now counts nothing;
   - the class is complete when every required course counts, the counted hours of the class's
     courses (required and electives) reach min_hours, and, if required, the exam was passed
     inside the window (before or after the courses, in any order);
   - completed_at = the latest of: the last required completion, the completion that brought
     the hours to min_hours, the exam pass, joined_at (a member who had already done everything
     completes when joining), and opens_at.
   progress = the mean of the parts the class has: required_done / nrequired, min(1, hours /
   min_hours), exam passed (0 or 1); 1 exactly when complete. Returns 0, or -1 when d does not
   validate (out is then zeroed). */
int class_evaluate(const class_def *d, const class_member *m, int64_t now, class_progress *out);
void class_progress_free(class_progress *p);
/* Stable names: "not_open", "open", "complete", "missed". */
const char *class_state_name(class_state s);

/* Why a member may not join an open class now, for the 409 answer. */
typedef enum {
	CJ_OK = 0,
	CJ_ASSIGNED_ONLY,    /* mode is CLASS_ASSIGNED */
	CJ_NOT_OPEN,         /* now < opens_at */
	CJ_CLOSED,           /* now >= closes_at */
	CJ_FULL,             /* capacity > 0 and members >= capacity */
	CJ_ALREADY,          /* already a member */
	CJ_COUNT
} cj_code;
/* CJ_ALREADY comes first (the handler may answer a second join with 200, not 409), then the rest
   in the order of cj_code. */
cj_code class_join_check(const class_def *d, int64_t now, int64_t members, int already_member);
/* "classes.join.full" etc. */
const char *cj_key(cj_code c);
#endif
