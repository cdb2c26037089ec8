/* remind.c — reminder messages for a group-robot webhook, and the outbox's retry schedule. */
#include "scoring/remind.h"
#include "i18n.h"
#include "util.h"

#include <jansson.h>
#include <math.h>
#include <string.h>

/* Appends s with invalid UTF-8 bytes replaced by U+FFFD and controls by spaces, so the JSON
   encoder never refuses the message and a name cannot break the layout with a newline. */
static void put_clean(buf *b, const char *s)
{
	size_t len = s ? strlen(s) : 0;
	for (size_t i = 0; i < len;) {
		unsigned char c = (unsigned char)s[i];
		size_t n = utf8_char_len(s + i, len - i);
		if (!n) {
			buf_puts(b, "\xEF\xBF\xBD");
			i++;
			continue;
		}
		if (c < 0x20 || c == 0x7f)
			buf_putc(b, ' ');
		else
			buf_add(b, s + i, n);
		i += n;
	}
}

/* Appends the catalog string of key with each "{n}" replaced by n: catalog text is never used
   as a printf format, so a translation cannot break the call. */
static void put_tr_n(buf *b, const char *key, long n)
{
	const char *t = tr(key), *p;
	while ((p = strstr(t, "{n}")) != NULL) {
		buf_add(b, t, (size_t)(p - t));
		buf_printf(b, "%ld", n);
		t = p + 3;
	}
	buf_puts(b, t);
}

/* Bytes that a list's worst-case "等N人" suffix and the line's end may still need. */
#define SUFFIX_RESERVE 24

/* Appends "<label> N 人：a、b、c" or "…a、b等N人" within room bytes of the line (counted from
   b->len at entry); returns 0, or -1 when not even the label fits. */
static int put_list(buf *b, const char *label_key, const char *const *names, size_t n, size_t room)
{
	size_t start = b->len;
	put_tr_n(b, label_key, (long)n);   /* "有风险 {n} 人：" */
	if (b->len - start > room)
		return -1;
	for (size_t i = 0; i < n; i++) {
		size_t before = b->len;
		if (i)
			buf_puts(b, "、");
		put_clean(b, names[i]);
		if (b->len - start + SUFFIX_RESERVE > room) {
			b->len = before;
			b->p[b->len] = 0;
			if (i > 0)   /* with no name at all the label's count says it */
				put_tr_n(b, "scoring.remind.and_more", (long)n);   /* "等{n}人" */
			return 0;
		}
	}
	return 0;
}

char *remind_message(int year, const remind_org *orgs, size_t n, size_t max_bytes)
{
	if (max_bytes < 200)
		max_bytes = 200;
	buf c, line;
	buf_init(&c);
	buf_init(&line);
	put_tr_n(&c, "scoring.remind.title", year);   /* "【学时提醒】{n} 年度学时考核" */
	if (c.len > max_bytes) {
		buf_free(&c);
		buf_free(&line);
		return NULL;
	}
	size_t listed = 0, wanted = 0;
	/* Room kept back for the final "另有N个组织未列出" line. */
	const size_t tail = 64;
	for (size_t i = 0; i < n; i++) {
		const remind_org *o = &orgs[i];
		if (!o->nbehind && !o->nat_risk)
			continue;
		wanted++;
		if (listed + 1 < wanted)   /* an earlier organisation did not fit: keep counting only */
			continue;
		size_t room = max_bytes - c.len;
		room = room > tail ? room - tail : 0;
		line.len = 0;
		if (line.p)
			line.p[0] = 0;
		buf_putc(&line, '\n');
		put_clean(&line, o->org);
		buf_puts(&line, "：");
		int ok = line.len <= room;
		/* With both lists, the at-risk one may take half of what is left, so the behind
		   list always gets its label and first names in. */
		if (ok && o->nat_risk) {
			size_t share = room - line.len;
			if (o->nbehind)
				share /= 2;
			ok = put_list(&line, "scoring.remind.at_risk", o->at_risk, o->nat_risk, share) == 0;
		}
		if (ok && o->nat_risk && o->nbehind)
			buf_puts(&line, "；");
		if (ok && o->nbehind)
			ok = line.len <= room &&
			     put_list(&line, "scoring.remind.behind", o->behind, o->nbehind, room - line.len) == 0;
		if (!ok || line.len > room)
			continue;   /* counted in wanted, summed up at the end */
		buf_add(&c, line.p, line.len);
		listed++;
	}
	if (!wanted) {
		buf_putc(&c, '\n');
		buf_puts(&c, tr("scoring.remind.none"));
	} else if (listed < wanted) {
		buf_putc(&c, '\n');
		put_tr_n(&c, "scoring.remind.more_orgs", (long)(wanted - listed));   /* "另有{n}个组织未列出" */
	}
	char *out = NULL;
	if (c.len <= max_bytes) {
		json_t *j = json_pack("{s:s,s:{s:s}}", "msgtype", "text", "text", "content", c.p);
		if (j)
			out = json_dumps(j, JSON_COMPACT);
		json_decref(j);
	}
	buf_free(&c);
	buf_free(&line);
	return out;
}

void remind_backoff_bounds(int attempt, int64_t *lo, int64_t *hi)
{
	if (attempt < 1)
		attempt = 1;
	int64_t d = REMIND_RETRY_BASE_S;
	for (int i = 1; i < attempt && d < REMIND_RETRY_CAP_S; i++)
		d *= 2;
	if (d > REMIND_RETRY_CAP_S)
		d = REMIND_RETRY_CAP_S;
	*hi = d;
	*lo = d - d / 4;
}

int64_t remind_backoff_s(int attempt, double u)
{
	int64_t lo, hi;
	remind_backoff_bounds(attempt, &lo, &hi);
	if (!(u >= 0))
		u = 0;
	if (u >= 1)
		u = nextafter(1.0, 0.0);
	int64_t w = lo + (int64_t)floor(u * (double)(hi - lo + 1));
	return w > hi ? hi : w;
}

int remind_delivered(long http_status)
{
	return http_status >= 200 && http_status < 300;
}
