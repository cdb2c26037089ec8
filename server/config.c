/* config.c — defaults and the key = value settings file. */
#include "config.h"
#include "clock.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

config cfg = {
	.listen = "127.0.0.1:8080",
	.web_root = "web",
	.ffmpeg = "ffmpeg",
	.workers = 1,
	.max_conns = 4000,
	.conn_timeout_s = 60,
	.conn_memory_kb = 32,
	.per_ip_conns = 64,
	.head_timeout_s = 30,
	.body_stall_s = 30,
	.body_stall_bytes = 1024,
	.max_rate = 1.0,
	.idle_prompt_s = 1200,
	.upload_max = 8LL << 30,
	.image_max = 5 << 20,
	.attach_max = 50 << 20,
	.categories = "政治理论,党史党建,政策法规,业务能力,综合素养",
	.import_timeout_s = 3600,
	.transcode_stall_s = 120,
	.upload_expire_s = 7 * 24 * 3600,
	.probe_timeout_s = 10,
	.probe_workers = 2,
	.min_source_s = 5,
	.access_log = 1,
	.org_max_depth = 12,
	.login_free_tries = 5,
	.login_addr_free_tries = 20,
	.login_delay_s = 30,
	.login_delay_max_s = 900,
	.timezone = ACADEMY_TZ_DEFAULT,
	.academy_name = "中共市委党校网络学院",
};

static int set_int(const char *v, int64_t lo, int64_t hi, int64_t *out)
{
	char *e;
	long long x = strtoll(v, &e, 10);
	if (e == v || *e || x < lo || x > hi)
		return -1;
	*out = x;
	return 0;
}

int config_set(const char *key, const char *v)
{
	int64_t x;
#define INT(name, lo, hi)                                  \
	if (!strcmp(key, #name)) {                         \
		if (set_int(v, lo, hi, &x) < 0)            \
			return -1;                         \
		cfg.name = (__typeof__(cfg.name))x;        \
		return 0;                                  \
	}
#define STR(name)                                          \
	if (!strcmp(key, #name)) {                         \
		if (strlen(v) >= sizeof cfg.name)          \
			return -1;                         \
		strcpy(cfg.name, v);                       \
		return 0;                                  \
	}
	STR(listen)
	STR(web_root)
	STR(ffmpeg)
	STR(categories)
	STR(trusted_proxy)
	STR(public_url)
	STR(academy_name)
	INT(threads, 0, 256)
	INT(workers, 0, 64)
	INT(max_conns, 16, 100000)
	INT(conn_timeout_s, 1, 3600)
	INT(conn_memory_kb, 8, 1024)
	INT(per_ip_conns, 0, 100000)
	INT(head_timeout_s, 1, 3600)
	INT(body_stall_s, 1, 3600)
	INT(body_stall_bytes, 0, 1 << 30)
	INT(upload_max, 1, 1LL << 45)
	INT(image_max, 1024, 1LL << 30)
	INT(attach_max, 1024, 1LL << 32)
	INT(allow_private_urls, 0, 1)
	INT(import_timeout_s, 1, 86400)
	INT(transcode_stall_s, 1, 86400)
	INT(upload_expire_s, 60, 365 * 86400)
	INT(probe_timeout_s, 1, 3600)
	INT(probe_workers, 1, 64)
	INT(min_source_s, 0, 86400)
	INT(secure_cookie, 0, 1)
	INT(access_log, 0, 1)
	INT(idle_prompt_s, 5, 86400)
	INT(org_max_depth, 1, 64)
	INT(login_free_tries, 1, 1000)
	INT(login_addr_free_tries, 1, 100000)
	INT(login_delay_s, 1, 86400)
	INT(login_delay_max_s, 1, 86400)
	/* The academy's day and year (clock.h); applied at once: settings are read before any thread. */
	if (!strcmp(key, "timezone")) {
		if (strlen(v) >= sizeof cfg.timezone || clock_set_timezone(v) < 0)
			return -1;
		strcpy(cfg.timezone, v);
		return 0;
	}
	if (!strcmp(key, "max_rate")) {
		char *e;
		double d = strtod(v, &e);
		if (e == v || *e || !(d >= 0.5 && d <= 16))
			return -1;
		cfg.max_rate = d;
		return 0;
	}
#undef INT
#undef STR
	return -1;
}

int config_load(const char *data_dir)
{
	snprintf(cfg.data, sizeof cfg.data, "%s", data_dir);
	char path[600];
	snprintf(path, sizeof path, "%s/dangxiao.conf", data_dir);
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	char line[1024];
	int n = 0, rc = 0;
	while (fgets(line, sizeof line, f)) {
		n++;
		char *s = line;
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '#' || *s == '\n' || !*s)
			continue;
		char *eq = strchr(s, '=');
		if (!eq) {
			fprintf(stderr, "dangxiao: %s:%d: expected key = value\n", path, n);
			rc = -1;
			continue;
		}
		*eq = 0;
		char *k = s, *v = eq + 1;
		for (char *e = eq - 1; e >= k && (*e == ' ' || *e == '\t'); e--)
			*e = 0;
		while (*v == ' ' || *v == '\t')
			v++;
		v[strcspn(v, "\r\n")] = 0;
		for (char *e = v + strlen(v) - 1; e >= v && (*e == ' ' || *e == '\t'); e--)
			*e = 0;
		if (config_set(k, v) < 0) {
			fprintf(stderr, "dangxiao: %s:%d: unknown setting or bad value: %s = %s\n", path, n, k, v);
			rc = -1;
		}
	}
	fclose(f);
	return rc;
}
