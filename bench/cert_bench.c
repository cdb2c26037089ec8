/* cert_bench.c — time to draw one certificate PDF (issue 13 goal: ≤ 100 ms), release build.
   Usage: build/bench/cert_bench [N] [OUTDIR]; prints milliseconds per PDF for a class certificate,
   a one-page yearly certificate (10 courses) and a three-page one (60 courses). With OUTDIR the
   last PDF of each kind is written there for a look. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "classes/cert.h"

/* Wall time, and this process's CPU time (less disturbed by other work on a shared machine). */
static double ms_of(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void save(const char *dir, const char *name, const buf *b)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(b->p, 1, b->len, f) != b->len) {
		perror(path);
		exit(1);
	}
	fclose(f);
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 50;
	const char *dir = argc > 2 ? argv[2] : NULL;
	if (n < 1)
		n = 1;
	const char *url = "https://dangxiao.example.cn/verify/7K3M9QXRT2HVB8JC4WNPZD6FGAY";
	cert_class cc = { "欧阳小明", "学习贯彻党的二十大精神网络专题班（第三期）", "2026年3月1日", "2026年6月30日", 12.5,
			  "2026年5月20日", "DX-2026-000123", "中共示范市委党校网络学院", url };
	static cert_course courses[60];
	char titles[60][128], dates[60][32];
	for (int i = 0; i < 60; i++) {
		snprintf(titles[i], sizeof titles[i], "第%d讲 新时代党的建设总要求与全面从严治党的实践路径研究", i + 1);
		snprintf(dates[i], sizeof dates[i], "2026年%d月%d日", 1 + i % 12, 1 + i % 28);
		courses[i] = (cert_course){ titles[i], dates[i], i % 4 ? 1.0 : 0.5, i % 3 == 0 };
	}
	cert_year y10 = { "欧阳小明", "示范市委组织部机关党支部", 2026, courses, 10, 50, 20, "2026年12月2日",
			  "DX-2026-Y00456", "中共示范市委党校网络学院", url };
	cert_year y60 = y10;
	y60.ncourses = 60;

	struct {
		const char *name;
		int kind;
		const cert_year *y;
	} runs[] = { { "class.pdf", 0, NULL }, { "year10.pdf", 1, &y10 }, { "year60.pdf", 1, &y60 } };
	for (size_t r = 0; r < sizeof runs / sizeof runs[0]; r++) {
		buf b;
		buf_init(&b);
		double best = 1e9, total = 0, cpu = 0;
		for (int i = 0; i < n + 1; i++) {
			b.len = 0;
			double t0 = ms_of(CLOCK_MONOTONIC), c0 = ms_of(CLOCK_PROCESS_CPUTIME_ID);
			int rc = runs[r].kind == 0 ? cert_class_pdf(&cc, cert_buf_write, &b)
						   : cert_year_pdf(runs[r].y, cert_buf_write, &b);
			double dt = ms_of(CLOCK_MONOTONIC) - t0, dc = ms_of(CLOCK_PROCESS_CPUTIME_ID) - c0;
			if (rc != 0) {
				fprintf(stderr, "%s failed\n", runs[r].name);
				return 1;
			}
			if (i == 0) {
				printf("%-11s first run %7.1f ms (fontconfig, glyph caches)\n", runs[r].name, dt);
				continue;
			}
			total += dt, cpu += dc;
			if (dt < best)
				best = dt;
		}
		printf("%-11s wall mean %6.1f ms  best %6.1f ms  cpu mean %6.1f ms  (%d runs, %zu bytes)\n", runs[r].name,
		       total / n, best, cpu / n, n, b.len);
		if (dir)
			save(dir, runs[r].name, &b);
		buf_free(&b);
	}
	return 0;
}
