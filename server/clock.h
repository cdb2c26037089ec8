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
/* The academy's day and year are those of its time zone (setting `timezone`, an IANA name from the
   system tz database, default ACADEMY_TZ_DEFAULT): "today" for daily caps, "this year" for credit
   hours and requirements, everywhere the same. Nothing else computes days or years. */
#define ACADEMY_TZ_DEFAULT "Asia/Shanghai"
/* 1 when name is a zone of the installed tz database ("Asia/Shanghai", "UTC"), else 0. */
int clock_timezone_valid(const char *name);
/* Sets the academy's zone; -1 (nothing changes) when the name is not valid. Call it at start-up,
   before any thread starts (it sets TZ for the process); without a call the default applies. */
int clock_set_timezone(const char *name);
/* The zone's name. */
const char *clock_timezone(void);
/* The academy's day of unix time t, "YYYY-MM-DD", into out (>= 11 bytes). */
void day_of(int64_t t, char *out);
/* The instant the academy's day containing t ends (the next local midnight). */
int64_t day_end(int64_t t);
/* The academy's year of t. */
int year_of(int64_t t);
/* The instants the academy's year starts (local Jan 1 00:00) and ends (the next year's start). */
void year_bounds(int year, int64_t *start, int64_t *end);
#endif
