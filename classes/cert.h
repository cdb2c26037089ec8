/* cert.h — certificate PDFs (cairo + pango): the class completion certificate (结业证书, A4
   landscape) and the yearly study-hours certificate (学时证明, A4 portrait). Pure: plain structs
   in, PDF bytes out through a write callback; no database, no HTTP. */
#ifndef DX_CLASSES_CERT_H
#define DX_CLASSES_CERT_H
#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* The font families asked of fontconfig, in order: WenQuanYi Micro Hei (Debian fonts-wqy-microhei)
   first, then other common CJK fonts, then whatever "sans-serif" resolves to. */
#define CERT_FONTS "WenQuanYi Micro Hei,Noto Sans CJK SC,Source Han Sans SC,Droid Sans Fallback,sans-serif"

/* A4 in PDF points. */
#define CERT_A4_W 595.275590551
#define CERT_A4_H 841.889763780

/* Receives the PDF in pieces, in order; returns 0, or -1 to abort (the generator then returns -1). */
typedef int (*cert_write_fn)(void *ctx, const unsigned char *data, size_t n);

/* A class completion certificate. Every string is UTF-8 and may be NULL (printed as empty);
   dates are already formatted by the caller (cert_date), so this file knows no time zone. */
typedef struct cert_class {
	const char *holder;       /* 张三 */
	const char *class_title;  /* wraps over up to three lines, then is cut with "…" */
	const char *window_from;  /* study window, e.g. 2026年3月1日 */
	const char *window_to;
	double hours;             /* credit hours earned in the class */
	const char *completed_on; /* completion date */
	const char *number;       /* DX-2026-000123 */
	const char *academy;      /* issuing academy */
	const char *verify_url;   /* encoded in the QR code and printed under it; required */
} cert_class;

/* One completed course on the yearly certificate. */
typedef struct cert_course {
	const char *title;
	const char *date;  /* completion date */
	double hours;
	int required;      /* 1: 必修, 0: 选修 */
} cert_course;

/* A yearly study-hours certificate: every completed course of the year, totals, requirement. */
typedef struct cert_year {
	const char *holder;
	const char *org;         /* the holder's organisation */
	int year;
	const cert_course *courses;
	int ncourses;
	double total_req;        /* the year's requirement: total hours */
	double required_req;     /* of which from required courses */
	const char *issued_on;
	const char *number;
	const char *academy;
	const char *verify_url;  /* required */
} cert_year;

/* Draws the certificate and streams the PDF to fn. 0 on success; -1 when an input is not valid
   UTF-8, verify_url is missing or too long for a QR code (both checked before anything is
   written), ncourses < 0, or cairo / fn failed. */
int cert_class_pdf(const cert_class *c, cert_write_fn fn, void *ctx);
int cert_year_pdf(const cert_year *c, cert_write_fn fn, void *ctx);
/* A cert_write_fn that appends to a buf (ctx is the buf *). */
int cert_buf_write(void *ctx, const unsigned char *data, size_t n);

/* Frees the font map and caches that pango, cairo and fontconfig keep for the calling thread and
   the process, so that a leak checker at exit sees only real leaks. Call once at exit, after the
   last certificate (a later cert_* call would rebuild them). */
void cert_shutdown(void);

/* "2026年3月1日": the academy's calendar day of unix time t (clock.h day_of) into out. */
void cert_date(int64_t t, char out[32]);
/* Credit hours as printed: up to two decimals, no trailing zeros ("1", "1.5", "0.25"). */
void cert_hours(double h, char out[32]);
#endif
