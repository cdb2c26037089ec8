/* clock.c — real and test clocks; ISO 8601 formatting and parsing; the academy's day and year (its time zone). */
#include "clock.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static int test_mode;
static double test_now;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static double real_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

double clock_now(void)
{
	if (!test_mode)
		return real_now();
	pthread_mutex_lock(&mu);
	double t = test_now;
	pthread_mutex_unlock(&mu);
	return t;
}

int64_t clock_secs(void)
{
	return (int64_t)clock_now();
}

void clock_enable_test(void)
{
	test_now = real_now();
	test_mode = 1;
}

int clock_is_test(void)
{
	return test_mode;
}

int clock_advance(double s)
{
	if (!test_mode)
		return -1;
	pthread_mutex_lock(&mu);
	test_now += s;
	pthread_mutex_unlock(&mu);
	return 0;
}

int clock_set(double t)
{
	if (!test_mode)
		return -1;
	pthread_mutex_lock(&mu);
	test_now = t;
	pthread_mutex_unlock(&mu);
	return 0;
}

void iso_time(int64_t t, char *out)
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int64_t parse_iso(const char *s)
{
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	int y, mo, d, h = 0, mi = 0, se = 0, n = 0;
	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3)
		return -1;
	if (s[n] == 'T' || s[n] == ' ') {
		int m = 0;
		if (sscanf(s + n + 1, "%2d:%2d:%2d%n", &h, &mi, &se, &m) != 3)
			return -1;
		n += 1 + m;
		if (s[n] == '.')
			for (n++; s[n] >= '0' && s[n] <= '9'; n++)
				;
		if (s[n] == 'Z')
			n++;
	}
	if (s[n] || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60 || y < 1970)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	return (int64_t)timegm(&tm);
}

/* The academy's time zone. The tz database is read once, when the zone is set (at start-up, before
   any thread exists: config_set), through TZ + tzset(); afterwards localtime_r() and mktime() only
   read that state, so no thread ever changes the environment. No offset is ever hard-coded: Asia/
   Shanghai has been +8 since 1991, but other academies run elsewhere, and history differs. */
static char tz_name[64];
static pthread_once_t tz_once = PTHREAD_ONCE_INIT;

/* A name as the tz database spells it ("Asia/Shanghai", "UTC", "Etc/GMT-8"): letters, digits and
   "/_+-", no leading "/" or ".", no "..", and a compiled zone file (it starts with "TZif") under
   TZDIR or /usr/share/zoneinfo. glibc silently falls back to UTC for a name it cannot read, so the
   check is ours. */
int clock_timezone_valid(const char *name)
{
	size_t n = name ? strlen(name) : 0;
	if (!n || n >= sizeof tz_name || name[0] == '/' || name[0] == '.' || strstr(name, ".."))
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '/' ||
		      c == '_' || c == '+' || c == '-'))
			return 0;
	}
	const char *dir = getenv("TZDIR");
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", name);
	struct stat st;
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return 0;
	FILE *f = fopen(path, "rb");
	if (!f)
		return 0;
	char magic[4] = {0};
	size_t got = fread(magic, 1, 4, f);
	fclose(f);
	return got == 4 && !memcmp(magic, "TZif", 4);
}

static void tz_apply(const char *name)
{
	snprintf(tz_name, sizeof tz_name, "%s", name);
	setenv("TZ", tz_name, 1);
	tzset();
}

static void tz_default(void)
{
	if (!tz_name[0])
		tz_apply(ACADEMY_TZ_DEFAULT);
}

static void tz_ready(void)
{
	pthread_once(&tz_once, tz_default);
}

int clock_set_timezone(const char *name)
{
	if (!clock_timezone_valid(name))
		return -1;
	tz_apply(name);
	return 0;
}

const char *clock_timezone(void)
{
	tz_ready();
	return tz_name;
}

/* The broken-down local time of t in the academy's zone. */
static void academy_tm(int64_t t, struct tm *tm)
{
	tz_ready();
	time_t tt = (time_t)t;
	localtime_r(&tt, tm);
}

/* The instant of local midnight starting y-m-d (normalised: m 13 is January of y+1, d 32 the 1st of the
   next month). Where a DST change skips midnight, mktime() moves to the first instant that exists. */
static int64_t local_midnight(int y, int m, int d)
{
	tz_ready();
	struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d, .tm_isdst = -1};
	return (int64_t)mktime(&tm);
}

void day_of(int64_t t, char *out)
{
	struct tm tm;
	academy_tm(t, &tm);
	if (!strftime(out, 11, "%Y-%m-%d", &tm))
		out[0] = 0;
}

int64_t day_end(int64_t t)
{
	struct tm tm;
	academy_tm(t, &tm);
	return local_midnight(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday + 1);
}

int year_of(int64_t t)
{
	struct tm tm;
	academy_tm(t, &tm);
	return tm.tm_year + 1900;
}

void year_bounds(int year, int64_t *start, int64_t *end)
{
	*start = local_midnight(year, 1, 1);
	*end = local_midnight(year + 1, 1, 1);
}
