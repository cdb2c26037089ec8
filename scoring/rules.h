/* rules.h — point rules as data: defaults, versions by effective day, award arithmetic, validation. */
#ifndef DANGXIAO_SCORING_RULES_H
#define DANGXIAO_SCORING_RULES_H

#include <stddef.h>

/* What one unit of a rule is. */
typedef enum {
	PU_EVENT,        /* once per event (login, lecture completed, course rated, exam passed) */
	PU_STUDY_5MIN,   /* per full 5 minutes (300 s) of study time in a day */
	PU_CREDIT_HOUR,  /* per credit hour of the completed course */
	PU_ANSWER,       /* per right answer (daily quiz) */
	PU_UNKNOWN = -1
} point_unit;

#define RULE_CODE_MAX     31
#define RULE_POINTS_MAX   1000   /* points per unit an admin may set */
#define RULE_CAP_MAX      10000  /* daily cap an admin may set */
#define STUDY_UNIT_S      300    /* PU_STUDY_5MIN: one unit is a full 5 minutes */
#define RULE_DAY_MIN      10957  /* 2000-01-01 as a day number */

/* One version of a rule. A rule code has one or more versions; the one in force on a day is the
   version with the latest effective_from <= that day. Days are day numbers (days since
   1970-01-01) of the academy's calendar: the caller converts "today" with its clock. */
typedef struct point_rule {
	char code[RULE_CODE_MAX + 1];
	int points;          /* points per unit, >= 0 */
	point_unit unit;
	int daily_cap;       /* max points per member per day under this code; 0 = no cap */
	int effective_from;  /* day number from which this version applies */
} point_rule;

/* The rule codes, stable in the API and in the ledger. */
#define RULE_LOGIN      "login"
#define RULE_STUDY      "study"
#define RULE_LECTURE    "lecture_completed"
#define RULE_COURSE     "course_completed"
#define RULE_EXAM_PASS  "exam_passed"
#define RULE_EXAM_FULL  "exam_full_marks"
#define RULE_DAILY_QUIZ "daily_quiz"
#define RULE_RATED      "course_rated"
#define RULE_CLASS      "class_completed"
#define RULE_YEAR_CERT  "yearly_certificate"

/* The defaults of DESIGN.md, effective from 2000-01-01 (RULE_DAY_MIN), and a topic class
   completed (issue 13: a class "awards its points rule"), 10 per class, no cap; a yearly 学时证明
   issued, 0 points: its ledger row only records the certificate's digest (docs/classes.md). */
extern const point_rule rule_defaults[];
extern const size_t rule_ndefaults;

/* Stable unit name ("event", "study_5min", "credit_hour", "answer"); "unknown" otherwise. */
const char *rule_unit_name(point_unit u);
/* Inverse of rule_unit_name; PU_UNKNOWN for anything else (NULL too). */
point_unit rule_unit_parse(const char *s);
/* 1 when code is one of the RULE_* codes, else 0. */
int rule_code_known(const char *code);

/* The version of `code` in force on `day` among rules[0..n) (versions of any codes, in any
   order); NULL when the code has no version effective on or before that day. Two versions of a
   code with the same effective day: the later one in the array wins (a correction of the same
   day replaces the first). */
const point_rule *rule_in_force(const point_rule *rules, size_t n, const char *code, int day);

/* Points to award for one event under rule r, given `awarded_today`: the points the member has
   already been awarded today under r's code (all versions). `quantity` is:
     PU_EVENT       ignored (one event);
     PU_ANSWER      the number of right answers in this event (negative counts as 0);
     PU_CREDIT_HOUR the course's credit hours: points × hours rounded half up to a whole point;
     PU_STUDY_5MIN  the member's total study seconds of the day INCLUDING this event: the day
                    is owed floor(day_s / 300) × points in total, minus awarded_today.
   Then the cap: the result never takes the day's total under this code beyond daily_cap
   (0 = no cap). Never negative; 0 for a NULL rule or non-finite quantity. */
int rule_award(const point_rule *r, double quantity, int awarded_today);

/* Day number <-> "YYYY-MM-DD". rule_day_parse accepts exactly that form with a real calendar
   date (2024-02-29 yes, 2023-02-29 no), years 2000..9999; 0 or -1. rule_day_format writes 11 bytes. */
int rule_day_parse(const char *s, int *day);
void rule_day_format(int day, char out[11]);

/* Validation of an edited rule as an admin sends it. `today` is the academy's current day: a
   version may not take effect before today, because awards already written for past days stay
   as they are (the ledger is append-only) and a back-dated rule would claim otherwise.
   Returns NULL when valid, else the catalog key of the first problem:
     scoring.err.rule_code     unknown code
     scoring.err.rule_unit     unknown unit, or not the unit of that code
     scoring.err.rule_points   points < 0 or > RULE_POINTS_MAX
     scoring.err.rule_cap      daily cap < 0 or > RULE_CAP_MAX
     scoring.err.rule_date     effective date missing or not YYYY-MM-DD
     scoring.err.rule_date_past effective date before today
   On success *out is filled (code copied, date parsed). */
const char *rule_validate(const char *code, int points, const char *unit, int daily_cap,
			  const char *effective, int today, point_rule *out);

#endif
