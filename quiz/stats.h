/* stats.h — item statistics over submitted attempts, as Moodle's quiz statistics report (pure). */
#ifndef DX_QUIZ_STATS_H
#define DX_QUIZ_STATS_H

/* Callers pass SUBMITTED attempts only. Attempts draw different questions from the bank, so the
   statistics of a question use the attempts that contained it, with each attempt's total score
   (its 0–100 score as graded) as the criterion. */

#define QS_GROUP_PCT     27   /* upper and lower groups: 27 % of the attempts, each */
#define QS_MIN_ATTEMPTS  5    /* fewer attempts with the question: no discrimination figures */
#define QS_FLAG_BELOW    0.1  /* displayed discrimination below this (negative or near zero): flagged */
#define QS_BUCKETS       10   /* score distribution: 0–9, 10–19, …, 80–89, 90–100 */

/* Statistics of one question.
   - attempts, correct, facility = correct / attempts (0 when there are no attempts).
   - disc_index: the upper–lower discrimination index D = p_upper − p_lower, in −1..1. The
     attempts that contained the question are ranked by total score; each group holds
     g = round(0.27 × attempts) attempts (half up, computed as (27 × attempts + 50) / 100).
     Ties at a group's boundary are shared, not broken arbitrarily: when c attempts tie on the
     boundary score and r places are left in the group, each of them counts with weight r / c.
     So D does not depend on the order attempts come in, and is 0 when every score is equal.
   - pbis: the point-biserial correlation between being right on the question (1/0) and the
     total score: (M1 − M0) / s × sqrt(p × q), with M1, M0 the mean total scores of the attempts
     right and wrong on it, s the population standard deviation of the total scores and
     p = facility, q = 1 − p. It is the uncorrected form (the total includes the question itself).
   - discrimination: the figure DISPLAYED as "discrimination" (区分度); it is pbis, because it
     uses every attempt rather than 54 % of them, like Moodle's discrimination index.
   - has_disc_index: attempts >= QS_MIN_ATTEMPTS. has_pbis (= has_discrimination): attempts >=
     QS_MIN_ATTEMPTS and both the question's results and the total scores vary (a question
     everyone got right or wrong has no correlation to show).
   - flagged: has_discrimination and discrimination < QS_FLAG_BELOW. */
typedef struct qs_item {
	int attempts;
	int correct;
	double facility;
	int has_disc_index;
	double disc_index;
	int has_pbis;
	double pbis;
	int has_discrimination;
	double discrimination;
	int flagged;
} qs_item;

/* Per-quiz figures: the number of attempts, the score distribution (bucket b holds scores in
   [10b, 10b + 10), the last one also 100; scores are clamped to 0..100) and the mean and median
   score (the mean of the two middle scores when the count is even; 0 and 0 without attempts). */
typedef struct qs_quiz {
	int attempts;
	int buckets[QS_BUCKETS];
	double mean;
	double median;
} qs_quiz;

/* Item statistics of nq questions over na attempts. scores[a] is attempt a's total score;
   cells[a * nq + q] is 1 when attempt a answered question q right, 0 when wrong (or left it
   unanswered) and -1 when q was not in attempt a. Writes out[0..nq). */
void qs_items(int na, int nq, const double *scores, const signed char *cells, qs_item *out);

/* The score distribution, mean and median of na attempt scores. */
void qs_quiz_summary(int na, const double *scores, qs_quiz *out);
#endif
