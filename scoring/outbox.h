/* outbox.h — reminders to a group-robot webhook: members behind or at risk, per organisation,
 * weekly at a set hour and on demand by an assessor for their subtree.
 *
 * A reminder is first a row of the outbox table (its JSON message and the webhook URL of that
 * moment), written in the request or by the scheduler; one background thread (dx_thread) delivers
 * due rows with libcurl (POST, JSON, bounded timeouts), marks a 2xx sent, and otherwise schedules
 * the next try by remind_backoff_s (30 s doubling to an hour, jittered; never dropped). So a
 * receiver that is down loses nothing, and a slow one only ever holds that thread.
 *
 * Settings (table settings): scoring.webhook_url (empty: reminders off), scoring.remind_weekday
 * (1 Monday … 7 Sunday, default 1), scoring.remind_hour (0–23 in the academy's time zone,
 * default 9). */
#ifndef DANGXIAO_SCORING_OUTBOX_H
#define DANGXIAO_SCORING_OUTBOX_H

#include <stdint.h>

#define SET_WEBHOOK "scoring.webhook_url"
#define SET_WEEKDAY "scoring.remind_weekday"
#define SET_HOUR    "scoring.remind_hour"

/* The sender and weekly scheduler thread. 0 or -1. */
int outbox_start(void);
void outbox_stop(void);
/* Wakes the sender (a new row). */
void outbox_wake(void);

/* The reminder message of the subtree at `path` for year at now: the robot's JSON (malloc'd), its
   text in *content (malloc'd; content may be NULL). NULL on a database error. Reads only: call it
   outside a write transaction (a whole academy takes a while). */
char *outbox_build(const char *path, int year, int64_t now, char **content);
/* Queues msg (kind "manual" or "weekly", for organisation org_id, 0: every organisation) to the
   webhook set now; dedup NULL, or a key that makes a second queueing a no-op. Returns the row id,
   0 when dedup matched, -1 on error, -2 when no webhook is set. The sender is not woken (the
   caller commits first, then outbox_wake). */
int64_t outbox_insert(const char *kind, int64_t org_id, int year, int64_t now, int64_t actor, const char *dedup,
		      const char *msg);

/* One pass of the sender over due rows (for the thread and tests). Returns the number delivered. */
int outbox_deliver_due(void);

#endif
