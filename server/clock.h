/* clock.h — the server's clock: real time, or a test clock that moves only when told (--test-clock). */
#ifndef DX_CLOCK_H
#define DX_CLOCK_H
#include <stdint.h>
/* Seconds since the epoch (fractional). Every domain rule reads this, never time(). */
double clock_now(void);
/* Whole seconds. */
int64_t clock_secs(void);
/* Enables the test clock, frozen at the current real time. */
void clock_enable_test(void);
int clock_is_test(void);
/* Moves the test clock forward by s seconds (s >= 0), or sets it. Return -1 if not a test clock. */
int clock_advance(double s);
int clock_set(double t);
/* Formats unix seconds as ISO 8601 UTC "2026-11-26T05:02:44Z" into out (>= 21 bytes). */
void iso_time(int64_t t, char *out);
/* Parses "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SS[Z]" as UTC; -1 on error. */
int64_t parse_iso(const char *s);
/* "YYYY-MM-DD" of unix time t (UTC+8, the academy's day boundary) into out (>= 11 bytes). */
void day_of(int64_t t, char *out);
/* The year of t in the academy's time zone. */
int year_of(int64_t t);
#endif
