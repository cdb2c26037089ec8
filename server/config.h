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
	int per_ip_conns;        /* connections from one client address, 0 = no cap */
	int head_timeout_s;      /* a request head must be complete within this */
	int body_stall_s;        /* a body must advance by body_stall_bytes in each window of this */
	int body_stall_bytes;
	double max_rate;         /* study: fastest coverage growth, × real time */
	int idle_prompt_s;       /* study: the player asks "still studying?" after this many idle seconds */
	int64_t upload_max;      /* bytes */
	int64_t image_max;       /* bytes, course images */
	int64_t attach_max;      /* bytes, course attachments (PDF) */
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
	int org_max_depth;        /* deepest organisation level (a root is level 1) */
	int login_free_tries;     /* wrong passwords per username and address before a wait */
	int login_addr_free_tries; /* wrong passwords per address (any usernames), and per username (any addresses) */
	int login_delay_s;        /* the first wait after the free tries; it doubles with every further failure */
	int login_delay_max_s;    /* the longest wait */
	char trusted_proxy[256];  /* comma-separated reverse-proxy addresses whose X-Real-IP names the client */
	char timezone[64];       /* the academy's day and year: an IANA zone name (clock.h) */
	char public_url[256];    /* the site as the public reaches it (certificates' QR codes), no trailing
				    slash; "" → http://LISTEN */
	char academy_name[128];  /* the issuer printed on certificates */
} config;

extern config cfg;
/* Defaults, then DATA/dangxiao.conf if present. 0, or -1 with a message on a bad line. */
int config_load(const char *data_dir);
/* Applies one "key=value" setting; -1 when unknown or malformed. */
int config_set(const char *key, const char *value);
#endif
