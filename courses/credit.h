/* credit.h — crediting one heartbeat: pure rules of effective study time (DESIGN.md). */
#ifndef DANGXIAO_COURSES_CREDIT_H
#define DANGXIAO_COURSES_CREDIT_H

/* ---- Coverage: the set of lecture seconds a member has actually watched. ---- */

typedef struct {
	double start, end;
} cov_iv;
typedef struct cov_set {
	int n, cap;
	cov_iv *iv;
} cov_set; /* sorted, disjoint, merged */

/* Initialises an empty coverage set (no allocation). */
void cov_init(cov_set *c);
/* Frees the intervals and leaves *c empty and reusable (as after cov_init). */
void cov_free(cov_set *c);
/* Adds [start, end] by union-merge: overlapping or touching intervals are joined, so the
   set stays sorted and disjoint. Empty (start >= end) or non-finite intervals are ignored. */
void cov_add(cov_set *c, double start, double end);
/* Total covered length in seconds (sum of interval lengths). */
double cov_length(const cov_set *c);
/* Length of [start, end] NOT yet covered by *c; > 0 exactly when cov_add would grow the set.
   Used to decide "coverage changed" without comparing two rounded float sums. */
double cov_uncovered(const cov_set *c, double start, double end);
/* Serialises as compact JSON text "[[0,15.5],[30,45]]" (malloc'd, caller frees). Numbers use
   the shortest form that round-trips exactly. */
char *cov_to_json(const cov_set *c);
/* Parses text produced by cov_to_json (whitespace allowed, intervals in any order; they are
   merged). Rejects anything else: garbage, NaN/inf, negatives, start > end, trailing bytes.
   *c must be initialised; on success its content is replaced (0), on failure it is left
   unchanged (-1). */
int cov_from_json(cov_set *c, const char *text);

/* ---- Heartbeats ---- */

#define HB_MIN_INTERVAL_S 5.0 /* heartbeats closer than this are refused */
#define HB_MAX_GAP_S 60.0     /* a longer silence is a gap: re-anchor, no credit */
#define HB_SEEK_SLACK_S 2.0   /* tolerated advance beyond wall * max_rate */
#define HB_POS_SLACK_S 5.0    /* positions may exceed the duration by this much */
#define HB_COMPLETE_FRAC 0.95 /* covered fraction at which a lecture is complete */

typedef enum { HB_CREDITED, HB_REANCHOR_PAUSED, HB_REANCHOR_GAP, HB_REANCHOR_SEEK, HB_TOO_SOON, HB_INVALID } hb_result;

/* Stable lowercase name of a result ("credited", "paused", "gap", "seek", "too_soon", "invalid"). */
const char *hb_result_name(hb_result r);

typedef struct hb_state {
	double last_at, last_pos; /* session anchor */
	double duration;          /* lecture duration, s */
	double today_study_s;     /* already credited to this lecture today for this member;
									  credit_heartbeat adds what it credits */
	double max_rate;          /* setting, default 1.0 (<= 0 or non-finite means 1.0) */
} hb_state;

typedef struct hb_outcome {
	hb_result result;
	double credited_s; /* study seconds credited by this heartbeat */
	int coverage_changed;
	int became_complete;
} hb_outcome;

/* Applies one heartbeat to *st and *cov (mutated only when the heartbeat is accepted).
   Order of rules: INVALID (position not finite, < 0 or > duration + 5; or now/duration not
   finite) → TOO_SOON (wall < 5, no re-anchor) → PAUSED (!playing) / GAP (wall > 60) →
   SEEK (advance < 0 or > wall * max_rate + 2) → CREDITED. Every accepted heartbeat
   re-anchors at (now, position). Credit = min(wall, advance), capped so that
   today_study_s never exceeds duration; coverage [last_pos, position] is clamped to
   [0, duration] and extended even when the daily cap leaves nothing to credit. */
hb_outcome credit_heartbeat(hb_state *st, cov_set *cov, double now, double position, int playing);
/* Covered fraction of the lecture, clamped to 0..1 (0 for a non-positive duration). */
double coverage_fraction(const cov_set *cov, double duration);
/* 1 when the covered fraction is >= 0.95. */
int lecture_complete(const cov_set *cov, double duration);
/* Credit hours guide: lecture total >= 1800 s → 1, >= 900 → 0.5, else 0.25; +0.5 when has_quiz. */
double credit_hours_guide(double lectures_total_s, int has_quiz);

#endif
