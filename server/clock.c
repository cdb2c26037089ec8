/* clock.c — real and test clocks; ISO 8601 formatting and parsing; the academy's day (UTC+8). */
#include "clock.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
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

void day_of(int64_t t, char *out)
{
	time_t tt = (time_t)(t + 8 * 3600);
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

int year_of(int64_t t)
{
	time_t tt = (time_t)(t + 8 * 3600);
	struct tm tm;
	gmtime_r(&tt, &tm);
	return tm.tm_year + 1900;
}
