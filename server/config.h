/* config.h — settings, from DATA/dangxiao.conf (key = value lines) and command-line flags. */
#ifndef DX_CONFIG_H
#define DX_CONFIG_H
#include <stdint.h>

typedef struct config {
	char data[512];          /* the data folder */
	char listen[128];        /* HOST:PORT */
	char web_root[512];      /* static files and the string catalog */
	char ffmpeg[256];        /* the ffmpeg program */
	int threads;             /* HTTP threads, 0 = one per core */
	int workers;             /* transcoder workers */
	int max_conns;
	int conn_timeout_s;
	int conn_memory_kb;      /* per-connection memory limit (libmicrohttpd pool) */
	double max_rate;         /* study: fastest coverage growth, × real time */
	int idle_prompt_s;       /* study: the player asks "still studying?" after this many idle seconds */
	int64_t upload_max;      /* bytes */
	int64_t image_max;       /* bytes, course images */
	char categories[1024];   /* course categories, comma-separated */
	int allow_private_urls;  /* URL import may reach loopback/private addresses */
	int import_timeout_s;
	int transcode_stall_s;   /* kill an ffmpeg whose progress output is silent this long */
	int upload_expire_s;     /* stale partial tus uploads */
	int probe_timeout_s;     /* wall-clock bound of probing one upload or import */
	int probe_workers;       /* threads that probe finished uploads (off the HTTP threads) */
	int min_source_s;        /* sources shorter than this many seconds are refused */
	int secure_cookie;
	int test_clock;
	int access_log;
} config;

extern config cfg;
/* Defaults, then DATA/dangxiao.conf if present. 0, or -1 with a message on a bad line. */
int config_load(const char *data_dir);
/* Applies one "key=value" setting; -1 when unknown or malformed. */
int config_set(const char *key, const char *value);
#endif
