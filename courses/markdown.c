/* markdown.c — cmark with its safe default, plus an allow-list of URL schemes (cmark's own safe
   mode still lets some data: URLs through, and the course pages allow none). */
#include "markdown.h"
#include "util.h"

#include <cmark.h>
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

char *md_render(const char *md, size_t len)
{
	cmark_node *doc = cmark_parse_document(md ? md : "", md ? len : 0, CMARK_OPT_DEFAULT | CMARK_OPT_VALIDATE_UTF8);
	if (!doc)
		dx_fatal("cmark_parse_document failed");
	sanitize(doc);
	char *html = cmark_render_html(doc, CMARK_OPT_DEFAULT);
	cmark_node_free(doc);
	if (!html)
		dx_fatal("cmark_render_html failed");
	/* cmark allocates with malloc by default, so the caller may free() it. */
	return html;
}
