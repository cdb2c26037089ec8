/* remind.h — reminder messages for a group-robot webhook, and the outbox's retry schedule. */
#ifndef DANGXIAO_SCORING_REMIND_H
#define DANGXIAO_SCORING_REMIND_H

#include <stddef.h>
#include <stdint.h>

/* One organisation's members who are behind or at risk (names borrowed, UTF-8). */
typedef struct remind_org {
	const char *org;
	const char *const *behind;
	size_t nbehind;
	const char *const *at_risk;
	size_t nat_risk;
} remind_org;

/* Default bound of the content in bytes: the common group robots take a text message's content
   up to 2048 bytes of UTF-8 (WeCom's limit; others allow more). */
#define REMIND_CONTENT_MAX 2048

/* Builds the robot's text message {"msgtype":"text","text":{"content":…}} (malloc'd compact JSON,
   caller frees). The content, all Chinese from the catalog (scoring.remind.*):
     【学时提醒】2026 年度学时考核
     组织A：有风险 2 人：张三、李四；落后 1 人：王五
     …
   Organisations without anyone behind or at risk are left out; when nobody is, one line says so.
   The content never exceeds max_bytes (< 200 means 200): names are listed while they fit, then
   the rest of that list is summed up as "等N人" (N = the whole list's count), and organisations
   that no longer fit at all are summed up in a last line "另有N个组织未列出". Invalid UTF-8 in a
   name is replaced. NULL only when max_bytes cannot hold the title line. */
char *remind_message(int year, const remind_org *orgs, size_t n, size_t max_bytes);

/* ---- Retry schedule of the outbox ----
   After the attempt-th failed delivery (attempt >= 1), the next try waits
     d(attempt) = min(REMIND_RETRY_CAP_S, REMIND_RETRY_BASE_S × 2^(attempt-1))
   minus a jitter of up to a quarter: a delay in [d × 3/4, d]. Jitter only ever shortens, so the
   cap is never exceeded, and since 3/4 × 2d > d the delays of successive attempts strictly grow
   until the cap. A message is never dropped: past the cap it is retried every 45–60 minutes. */
#define REMIND_RETRY_BASE_S 30
#define REMIND_RETRY_CAP_S  3600

/* The bounds [*lo, *hi] in seconds of the wait after the attempt-th failure (attempt < 1 is 1). */
void remind_backoff_bounds(int attempt, int64_t *lo, int64_t *hi);
/* The wait for one draw: u in [0, 1) (the caller's random number; clamped) picks inside the
   bounds, lo + u × (hi - lo). Pure: the same attempt and u give the same wait. */
int64_t remind_backoff_s(int attempt, double u);

/* 1 when an HTTP answer counts as delivered (2xx), else 0 (retried later): connection refused,
   timeouts (status 0) and every other status. */
int remind_delivered(long http_status);

#endif
