/* test_core.c — unit tests of the foundation: router, HTML escaping, tokens, passwords,
   migrations, organisation paths, clock formatting, settings, UTF-8 checks. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth.h"
#include "clock.h"
#include "config.h"
#include "db.h"
#include "html.h"
#include "http.h"
#include "module.h"
#include "people.h"
#include "util.h"

static req *new_req(void)
{
	req *r = calloc(1, sizeof *r);
	r->a = arena_new();
	return r;
}

static void free_req(req *r)
{
	arena_free(r->a);
	free(r);
}

static void test_router_literals_and_ids(void **state)
{
	(void)state;
	req *r = new_req();
	assert_int_equal(http_match(r, "/api/v1/me", "/api/v1/me"), 1);
	assert_int_equal(http_match(r, "/api/v1/me", "/api/v1/me/"), 0);
	assert_int_equal(http_match(r, "/api/v1/me", "/api/v1/mex"), 0);
	assert_int_equal(http_match(r, "/api/v1/courses/{id}", "/api/v1/courses/42"), 1);
	assert_int_equal(r->nids, 1);
	assert_int_equal(r->ids[0], 42);
	assert_int_equal(http_match(r, "/api/v1/courses/{id}/lectures/{id}", "/api/v1/courses/7/lectures/9"), 1);
	assert_int_equal(r->ids[0], 7);
	assert_int_equal(r->ids[1], 9);
	/* ids are positive decimal integers only */
	assert_int_equal(http_match(r, "/api/v1/courses/{id}", "/api/v1/courses/0"), 0);
	assert_int_equal(http_match(r, "/api/v1/courses/{id}", "/api/v1/courses/-1"), 0);
	assert_int_equal(http_match(r, "/api/v1/courses/{id}", "/api/v1/courses/1x"), 0);
	assert_int_equal(http_match(r, "/api/v1/courses/{id}", "/api/v1/courses/"), 0);
	assert_int_equal(http_match(r, "/api/v1/courses/{id}", "/api/v1/courses/99999999999999999999"), 0);
	free_req(r);
}

static void test_router_params_and_rest(void **state)
{
	(void)state;
	req *r = new_req();
	assert_int_equal(http_match(r, "/api/v1/uploads/{uid}", "/api/v1/uploads/abc123"), 1);
	assert_int_equal(r->nparams, 1);
	assert_string_equal(r->params[0], "abc123");
	assert_int_equal(http_match(r, "/static/*", "/static/css/app.css"), 1);
	assert_string_equal(r->rest, "css/app.css");
	assert_int_equal(http_match(r, "/static/*", "/static/"), 0);
	assert_int_equal(http_match(r, "/static/*", "/static"), 0);
	assert_int_equal(http_match(r, "/media/{id}/*", "/media/5/v0/seg_00001.ts"), 1);
	assert_int_equal(r->ids[0], 5);
	assert_string_equal(r->rest, "v0/seg_00001.ts");
	assert_int_equal(http_match(r, "/", "/"), 1);
	assert_int_equal(http_match(r, "/", "/x"), 0);
	free_req(r);
}

static void test_route_tables_well_formed(void **state)
{
	(void)state;
	int n = 0;
	const route *const *route_tables = routes_all();
	for (int t = 0; route_tables[t]; t++)
		for (const route *rt = route_tables[t]; rt->method; rt++) {
			assert_non_null(rt->fn);
			/* a route's resource kind is declared in some module's descriptor */
			if (rt->res) {
				assert_true(resource_registered(rt->res));
				assert_non_null(rt->res->load);
				assert_non_null(rt->res->missing);
			}
			assert_true(rt->pattern[0] == '/');
			assert_true((rt->roles & ~15u) == 0);
			if (rt->flags & RF_STREAM)
				assert_non_null(rt->on_body);
			/* no two routes with the same method and pattern */
			for (int t2 = 0; route_tables[t2]; t2++)
				for (const route *o = route_tables[t2]; o->method; o++)
					if (o != rt)
						assert_false(!strcmp(o->method, rt->method) && !strcmp(o->pattern, rt->pattern));
			n++;
		}
	assert_true(n > 10);
}

static void nav_collect(const nav_entry *e, void *ud)
{
	int *last = ud;
	assert_true(e->order > *last); /* ascending, each once */
	*last = e->order;
}

/* The registry: the core first, every module named once, commands and navigation found through it. */
static void test_module_registry(void **state)
{
	(void)state;
	assert_non_null(dx_modules[0]);
	assert_string_equal(dx_modules[0]->name, "core");
	for (int i = 0; dx_modules[i]; i++)
		for (int j = i + 1; dx_modules[j]; j++)
			assert_true(strcmp(dx_modules[i]->name, dx_modules[j]->name) != 0);
	const cli_command *c = module_command("transcode");
	assert_non_null(c);
	assert_non_null(c->run);
	assert_null(module_command("serve")); /* the core's own commands are main.c's */
	assert_null(module_command("nonexistent"));
	int last = -1000000;
	modules_nav(nav_collect, &last);
	assert_true(last >= 90); /* the admin link comes last */
}

static void test_html_escaping(void **state)
{
	(void)state;
	buf b;
	buf_init(&b);
	html_printf(&b, "<p title=\"%s\">%s %d %.1f %lld%%</p>", "\"><script>", "<b>&'x'", 7, 2.25, 10LL);
	assert_string_equal(b.p, "<p title=\"&quot;&gt;&lt;script&gt;\">&lt;b&gt;&amp;&#39;x&#39; 7 2.2 10%</p>");
	buf_free(&b);
	const char *volatile nothing = NULL; /* a NULL value prints as nothing */
	html_printf(&b, "%s", nothing);
	assert_true(b.len == 0);
	html_raw(&b, "<em>ok</em>");
	assert_string_equal(b.p, "<em>ok</em>");
	buf_free(&b);
	url_escape(&b, "a b/中&=");
	assert_string_equal(b.p, "a%20b%2F%E4%B8%AD%26%3D");
	buf_free(&b);
}

static void test_tokens(void **state)
{
	(void)state;
	assert_int_equal(auth_init(), 0);
	char a[65], b[65], h1[65], h2[65];
	token_new(a);
	token_new(b);
	assert_int_equal(strlen(a), 64);
	assert_string_not_equal(a, b);
	for (int i = 0; i < 64; i++)
		assert_non_null(strchr("0123456789abcdef", a[i]));
	token_hash(a, h1);
	token_hash(a, h2);
	assert_string_equal(h1, h2);
	assert_string_not_equal(h1, a);
	/* SHA-256 of "abc" */
	token_hash("abc", h1);
	assert_string_equal(h1, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_passwords(void **state)
{
	(void)state;
	char h[128];
	assert_int_equal(password_hash("correct horse", h), 0);
	assert_true(!strncmp(h, "$argon2id$", 10));
	assert_true(password_check("correct horse", h));
	assert_false(password_check("correct horsE", h));
	assert_false(password_check("", h));
	assert_non_null(password_weak("short"));
	assert_null(password_weak("长长长长长长长长"));
}

static char dbdir[64];

static void test_migrations_and_orgs(void **state)
{
	(void)state;
	snprintf(dbdir, sizeof dbdir, "/tmp/dx-unit-%d", getpid());
	mkdir_p(dbdir, 0700);
	char path[128];
	snprintf(path, sizeof path, "%s/t.db", dbdir);
	db_set_path(path);
	assert_int_equal(db_migrate(), 0);
	int v = db_schema_version();
	assert_true(v >= 4);
	/* Running again is a no-op. */
	assert_int_equal(db_migrate(), 0);
	assert_int_equal(db_schema_version(), v);
	assert_true(db_exists("SELECT 1 FROM sqlite_master WHERE name = 'users'", ""));
	assert_true(db_exists("SELECT 1 FROM sqlite_master WHERE name = 'courses_fts'", ""));
	char *mode = db_text("PRAGMA journal_mode", "");
	assert_string_equal(mode, "wal");
	free(mode);
	assert_int_equal(db_int(0, "PRAGMA foreign_keys", ""), 1);

	int64_t a = org_resolve_path("省委/组织部/一支部", 1);
	assert_true(a > 0);
	assert_int_equal(org_resolve_path("省委/组织部/一支部", 0), a);
	assert_int_equal(org_resolve_path(" 省委 / 组织部 /一支部", 0), a);
	assert_int_equal(org_resolve_path("省委/不存在", 0), 0);
	char *p = org_path(a);
	int64_t root = org_resolve_path("省委", 0), mid = org_resolve_path("省委/组织部", 0);
	char want[64];
	snprintf(want, sizeof want, "/%lld/%lld/%lld/", (long long)root, (long long)mid, (long long)a);
	assert_string_equal(p, want);
	free(p);
	int64_t ex;
	assert_int_equal(org_create("组织部", root, &ex), 0);
	assert_int_equal(ex, mid);
	assert_int_equal(org_create("x", 999999, &ex), -1);
	/* the same name under another parent is fine */
	assert_true(org_create("组织部", a, &ex) > 0);

	assert_true(user_create("u1", "用户", "member", a, "password1") > 0);
	assert_int_equal(user_create("u1", "用户", "member", a, "password1"), 0);
	/* typed binding: text with quotes is data, not SQL */
	assert_int_equal(db_int(-1, "SELECT count(*) FROM users WHERE username = ?", "s", "u1' OR '1'='1"), 0);
	db_close_thread();
	rm_rf(dbdir);
}

static void test_clock_and_iso(void **state)
{
	(void)state;
	char s[24];
	iso_time(0, s);
	assert_string_equal(s, "1970-01-01T00:00:00Z");
	assert_int_equal(parse_iso("2026-11-26T05:02:44Z"), 1795669364LL);
	assert_int_equal(parse_iso("2026-11-26"), 1795651200LL);
	assert_int_equal(parse_iso("2026-13-01"), -1);
	assert_int_equal(parse_iso("garbage"), -1);
	assert_int_equal(parse_iso("2026-11-26T05:02:44Zjunk"), -1);
	/* the academy's day is that of its zone, by default Asia/Shanghai (UTC+8): 2026-11-26 17:00 UTC
	   is already the 27th there, and 2026-12-31T16:30Z is already 2027 */
	assert_string_equal(clock_timezone(), "Asia/Shanghai");
	day_of(parse_iso("2026-11-26T17:00:00Z"), s);
	assert_string_equal(s, "2026-11-27");
	const int64_t edge = parse_iso("2026-12-31T16:30:00Z");
	day_of(edge, s);
	assert_string_equal(s, "2027-01-01");
	assert_int_equal(year_of(edge), 2027);
	assert_int_equal(year_of(edge - 1801), 2026);
	assert_int_equal(day_end(edge), parse_iso("2027-01-01T16:00:00Z"));
	assert_int_equal(day_end(edge - 1801), parse_iso("2026-12-31T16:00:00Z"));
	int64_t ys, ye;
	year_bounds(2027, &ys, &ye);
	assert_int_equal(ys, parse_iso("2026-12-31T16:00:00Z"));
	assert_int_equal(ye, parse_iso("2027-12-31T16:00:00Z"));
	/* another setting, another answer: New York is still in 2026, on the 31st */
	assert_int_equal(config_set("timezone", "America/New_York"), 0);
	assert_string_equal(cfg.timezone, "America/New_York");
	day_of(edge, s);
	assert_string_equal(s, "2026-12-31");
	assert_int_equal(year_of(edge), 2026);
	assert_int_equal(day_end(edge), parse_iso("2027-01-01T05:00:00Z"));
	/* daylight saving time: on 2026-03-08 New York's day has 23 hours */
	assert_int_equal(day_end(parse_iso("2026-03-08T12:00:00Z")), parse_iso("2026-03-09T04:00:00Z"));
	assert_int_equal(config_set("timezone", "UTC"), 0);
	day_of(edge, s);
	assert_string_equal(s, "2026-12-31");
	assert_int_equal(day_end(edge), parse_iso("2027-01-01T00:00:00Z"));
	/* names that are not zones of the tz database change nothing */
	const char *bad[] = {"", "Mars/Olympus", "../../etc/passwd", "/etc/localtime", "Asia", "UTC+8",
			     "Asia/Shanghai ", "+08:00", "zone.tab"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		assert_int_equal(config_set("timezone", bad[i]), -1);
		assert_string_equal(clock_timezone(), "UTC");
	}
	assert_int_equal(config_set("timezone", "Asia/Shanghai"), 0);
	day_of(edge, s);
	assert_string_equal(s, "2027-01-01");
	clock_enable_test();
	double t = clock_now();
	assert_int_equal(clock_advance(90), 0);
	assert_true(clock_now() - t > 89.9 && clock_now() - t < 90.1);
}

static void test_config(void **state)
{
	(void)state;
	assert_int_equal(config_set("workers", "3"), 0);
	assert_int_equal(cfg.workers, 3);
	assert_int_equal(config_set("workers", "-1"), -1);
	assert_int_equal(config_set("workers", "3x"), -1);
	assert_int_equal(config_set("nonsense", "1"), -1);
	assert_int_equal(config_set("max_rate", "1.5"), 0);
	assert_true(cfg.max_rate == 1.5);
	assert_int_equal(config_set("max_rate", "100"), -1);
	assert_int_equal(config_set("upload_max", "1073741824"), 0);
	assert_true(cfg.upload_max == 1073741824LL);
}

static void test_utf8_and_ids(void **state)
{
	(void)state;
	assert_true(utf8_ok("全面从严治党", strlen("全面从严治党")));
	assert_false(utf8_ok("\xC0\x80", 2));
	assert_false(utf8_ok("\xED\xA0\x80", 3));
	assert_false(utf8_ok("\xE4\xB8", 2));
	assert_false(utf8_ok("a\0b", 3));
	assert_int_equal(utf8_chars("全面a"), 3);
	assert_int_equal(parse_id("123"), 123);
	assert_int_equal(parse_id("12a"), 0);
	assert_int_equal(parse_id(""), 0);
	assert_int_equal(parse_id(NULL), 0);
	assert_true(username_ok("zhang.san-01"));
	assert_false(username_ok("a"));
	assert_false(username_ok("bad user"));
	assert_false(username_ok("张三"));
}

/* Error text from request bytes: valid UTF-8 always, cut on a character boundary. */
static void test_utf8_clean(void **state)
{
	(void)state;
	buf b;
	buf_init(&b);
	utf8_clean(&b, "a\xFF\xFE\xE4\xB8", 100);
	assert_string_equal(b.p, "a\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
	assert_true(utf8_ok(b.p, b.len));
	buf_free(&b);
	/* 200 × 党 (600 bytes) bounded to 512: 170 whole characters and "…", never half of one. */
	buf long_zh;
	buf_init(&long_zh);
	for (int i = 0; i < 200; i++)
		buf_puts(&long_zh, "党");
	for (size_t max = 500; max < 520; max++) {
		buf_init(&b);
		utf8_clean(&b, long_zh.p, max);
		assert_true(utf8_ok(b.p, b.len));
		assert_true(b.len <= max + 3);
		assert_int_equal(utf8_chars(b.p), max / 3 + 1);
		assert_string_equal(b.p + b.len - 3, "…");
		buf_free(&b);
	}
	buf_init(&b);
	utf8_clean(&b, long_zh.p, 600);
	assert_string_equal(b.p, long_zh.p);
	buf_free(&b);
	buf_free(&long_zh);
	buf_init(&b);
	utf8_clean(&b, "\xC0\x80\xED\xA0\x80ok", 100); /* overlong NUL, a surrogate */
	assert_true(utf8_ok(b.p, b.len));
	assert_non_null(strstr(b.p, "ok"));
	buf_free(&b);
}

/* Log text: one line, fields split by spaces, so controls, spaces and odd bytes are escaped. */
static void test_log_clean(void **state)
{
	(void)state;
	buf b;
	buf_init(&b);
	log_clean(&b, "/api/\nx y\\\xFF党", 100);
	assert_string_equal(b.p, "/api/\\x0Ax\\x20y\\x5C\\xFF党");
	buf_free(&b);
}

/* Paging values: clamped, never an overflow. */
static void test_page_clamp(void **state)
{
	(void)state;
	int64_t p, pp;
	assert_int_equal(page_clamp(NULL, NULL, 20, 50, &p, &pp), 0);
	assert_int_equal(p, 1);
	assert_int_equal(pp, 20);
	assert_int_equal(page_clamp("3", "10", 20, 50, &p, &pp), 20);
	assert_int_equal(page_clamp("999999999999999999", "100", 20, 50, &p, &pp), (int64_t)(PAGE_MAX - 1) * 50);
	assert_int_equal(p, PAGE_MAX);
	assert_int_equal(pp, 50);
	page_clamp("99999999999999999999999999", "99999999999999999999999999", 20, 50, &p, &pp);
	assert_int_equal(p, PAGE_MAX);
	assert_int_equal(pp, 50);
	static const char *const junk[] = {"-1", "-9223372036854775808", "0", "abc", "1e3", " 5", "5 ", "", "+3", "0x10"};
	for (size_t i = 0; i < ARRAY_LEN(junk); i++) {
		assert_int_equal(page_clamp(junk[i], junk[i], 20, 50, &p, &pp), 0);
		assert_int_equal(p, 1);
		assert_int_equal(pp, 20);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_router_literals_and_ids),
		cmocka_unit_test(test_router_params_and_rest),
		cmocka_unit_test(test_route_tables_well_formed),
		cmocka_unit_test(test_module_registry),
		cmocka_unit_test(test_html_escaping),
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_passwords),
		cmocka_unit_test(test_migrations_and_orgs),
		cmocka_unit_test(test_clock_and_iso),
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_utf8_and_ids),
		cmocka_unit_test(test_utf8_clean),
		cmocka_unit_test(test_log_clean),
		cmocka_unit_test(test_page_clamp),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
