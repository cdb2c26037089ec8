/* markdown.c — cmark-gfm (tables, strikethrough, autolinks) with its safe default, plus an allow-list of URL schemes (cmark's own safe
   mode still lets some data: URLs through, and the course pages allow none). */
#include "markdown.h"
#include "util.h"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int md_url_safe(const char *url, int image)
{
	if (!url || !*url)
		return 0; /* an empty link goes nowhere: keep the text only */
	for (const unsigned char *p = (const unsigned char *)url; *p; p++)
		if (*p < 0x20 || *p == 0x7f || *p == '\\')
			return 0; /* browsers drop tabs and newlines from URLs, and read '\' as '/' */
	/* A scheme is what precedes the first ':' that comes before any '/', '?' or '#'. */
	size_t n = strcspn(url, ":/?#");
	if (url[n] != ':')
		return 1; /* relative, "/path", "?q", "#frag" */
	if (n == 4 && !strncasecmp(url, "http", 4))
		return 1;
	if (n == 5 && !strncasecmp(url, "https", 5))
		return 1;
	if (!image && n == 6 && !strncasecmp(url, "mailto", 6))
		return 1;
	return 0;
}

/* Text of an inline node's children, to tell an autolink (<javascript:…>) from a named link. */
static int text_equals(cmark_node *link, const char *url)
{
	cmark_node *c = cmark_node_first_child(link);
	if (!c || cmark_node_next(c) || cmark_node_get_type(c) != CMARK_NODE_TEXT)
		return 0;
	const char *t = cmark_node_get_literal(c);
	if (!t)
		return 0;
	if (!strncasecmp(url, "mailto:", 7) && !strcmp(t, url + 7))
		return 1;
	return !strcmp(t, url);
}

/* Removes raw HTML and unsafe URLs from the tree. Nodes are collected first and changed after
   the walk, because unlinking under a live iterator is not allowed. */
static void sanitize(cmark_node *doc)
{
	size_t n = 0, cap = 16;
	cmark_node **bad = xmalloc(cap * sizeof *bad);
	cmark_iter *it = cmark_iter_new(doc);
	cmark_event_type ev;
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		if (ev != CMARK_EVENT_ENTER)
			continue;
		cmark_node *node = cmark_iter_get_node(it);
		cmark_node_type t = cmark_node_get_type(node);
		int drop = t == CMARK_NODE_HTML_BLOCK || t == CMARK_NODE_HTML_INLINE ||
			   (t == CMARK_NODE_LINK && !md_url_safe(cmark_node_get_url(node), 0)) ||
			   (t == CMARK_NODE_IMAGE && !md_url_safe(cmark_node_get_url(node), 1));
		if (!drop)
			continue;
		if (n == cap)
			bad = xrealloc(bad, (cap *= 2) * sizeof *bad);
		bad[n++] = node;
	}
	cmark_iter_free(it);
	/* Reverse order: inner nodes before the nodes that contain them. */
	for (size_t i = n; i-- > 0;) {
		cmark_node *node = bad[i];
		if (cmark_node_get_type(node) == CMARK_NODE_LINK && !text_equals(node, cmark_node_get_url(node))) {
			/* A named link keeps its text: move the children out before dropping it. */
			cmark_node *c;
			while ((c = cmark_node_first_child(node)))
				cmark_node_insert_before(node, c);
		}
		cmark_node_free(node); /* unlinks, frees the subtree */
	}
	free(bad);
}

/* GFM extensions in use: tables, ~~strikethrough~~ and bare-URL autolinks (whose links go through
   the same URL check). tagfilter is not needed: raw HTML never reaches the output. */
static const char *const md_exts[] = {"table", "strikethrough", "autolink"};

/* Wraps every <table> in a <div class="md-table"> that scrolls sideways on a narrow screen. The
   rendered HTML has no raw HTML (text is escaped), so "<table>" is always the renderer's own tag. */
static char *wrap_tables(char *html)
{
	if (!strstr(html, "<table>"))
		return html;
	static const char open[] = "<table>", close[] = "</table>";
	buf b;
	buf_init(&b);
	for (const char *p = html; *p;) {
		if (!strncmp(p, open, sizeof open - 1)) {
			buf_puts(&b, "<div class=\"md-table\"><table>");
			p += sizeof open - 1;
		} else if (!strncmp(p, close, sizeof close - 1)) {
			buf_puts(&b, "</table></div>");
			p += sizeof close - 1;
		} else {
			buf_putc(&b, *p++);
		}
	}
	free(html);
	char *out = strdup(b.p ? b.p : "");
	buf_free(&b);
	if (!out)
		dx_fatal("out of memory");
	return out;
}

char *md_render(const char *md, size_t len)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, cmark_gfm_core_extensions_ensure_registered);
	int opts = CMARK_OPT_DEFAULT | CMARK_OPT_VALIDATE_UTF8;
	cmark_parser *parser = cmark_parser_new(opts);
	if (!parser)
		dx_fatal("cmark_parser_new failed");
	for (size_t i = 0; i < ARRAY_LEN(md_exts); i++) {
		cmark_syntax_extension *e = cmark_find_syntax_extension(md_exts[i]);
		if (!e || !cmark_parser_attach_syntax_extension(parser, e))
			dx_fatal("cmark-gfm extension %s missing", md_exts[i]);
	}
	cmark_parser_feed(parser, md ? md : "", md ? len : 0);
	cmark_node *doc = cmark_parser_finish(parser);
	if (!doc)
		dx_fatal("cmark_parser_finish failed");
	sanitize(doc);
	char *html = cmark_render_html(doc, opts, cmark_parser_get_syntax_extensions(parser));
	cmark_node_free(doc);
	cmark_parser_free(parser);
	if (!html)
		dx_fatal("cmark_render_html failed");
	/* cmark allocates with malloc by default, so the caller may free() it. */
	return wrap_tables(html);
}

/* 1 when the tag whose name starts at p ends a line of text (blocks and <br>). */
static int tag_breaks(const char *p)
{
	static const char *const blocks[] = {"p", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "br",
					     "hr", "pre", "blockquote", "table", "tr", "td", "th", "div"};
	if (*p == '/')
		p++;
	size_t n = strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
	for (size_t i = 0; i < ARRAY_LEN(blocks); i++)
		if (strlen(blocks[i]) == n && !strncasecmp(p, blocks[i], n))
			return 1;
	return 0;
}

/* Appends code point c as UTF-8 (nothing for 0, surrogates or beyond U+10FFFF). */
static void put_utf8(buf *b, unsigned long c)
{
	if (!c || (c >= 0xD800 && c <= 0xDFFF) || c > 0x10FFFF)
		return;
	if (c < 0x80) {
		buf_putc(b, (char)c);
	} else if (c < 0x800) {
		buf_putc(b, (char)(0xC0 | c >> 6));
		buf_putc(b, (char)(0x80 | (c & 0x3F)));
	} else if (c < 0x10000) {
		buf_putc(b, (char)(0xE0 | c >> 12));
		buf_putc(b, (char)(0x80 | (c >> 6 & 0x3F)));
		buf_putc(b, (char)(0x80 | (c & 0x3F)));
	} else {
		buf_putc(b, (char)(0xF0 | c >> 18));
		buf_putc(b, (char)(0x80 | (c >> 12 & 0x3F)));
		buf_putc(b, (char)(0x80 | (c >> 6 & 0x3F)));
		buf_putc(b, (char)(0x80 | (c & 0x3F)));
	}
}

char *md_text(const char *html)
{
	static const struct {
		const char *name;
		char c;
	} named[] = {{"amp;", '&'}, {"lt;", '<'}, {"gt;", '>'}, {"quot;", '"'}, {"apos;", '\''}, {"nbsp;", ' '}};
	buf b;
	buf_init(&b);
	for (const char *p = html ? html : ""; *p;) {
		if (*p == '<') {
			/* md_render's output has no raw HTML: a '<' always opens a tag, and '>' inside an
			   attribute is escaped, so the tag ends at the next '>'. */
			const char *e = strchr(p, '>');
			if (!e)
				break;
			if (tag_breaks(p + 1) && b.len && b.p[b.len - 1] != '\n')
				buf_putc(&b, '\n');
			p = e + 1;
		} else if (*p == '&') {
			size_t i;
			for (i = 0; i < ARRAY_LEN(named); i++)
				if (!strncmp(p + 1, named[i].name, strlen(named[i].name)))
					break;
			if (i < ARRAY_LEN(named)) {
				buf_putc(&b, named[i].c);
				p += 1 + strlen(named[i].name);
			} else if (p[1] == '#') {
				int hex = p[2] == 'x' || p[2] == 'X';
				char *end;
				unsigned long c = strtoul(p + 2 + hex, &end, hex ? 16 : 10);
				if (*end == ';' && end > p + 2 + hex) {
					put_utf8(&b, c);
					p = end + 1;
				} else {
					buf_putc(&b, *p++);
				}
			} else {
				buf_putc(&b, *p++);
			}
		} else if (*p == '\n' && (!b.len || b.p[b.len - 1] == '\n')) {
			p++; /* cmark's line break between block tags, after the one a block's end made */
		} else {
			buf_putc(&b, *p++);
		}
	}
	return buf_steal(&b);
}
