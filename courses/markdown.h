/* markdown.h — course pages in Markdown, rendered once on save with cmark in safe mode. */
#ifndef DX_COURSES_MARKDOWN_H
#define DX_COURSES_MARKDOWN_H
#include <stddef.h>

/* Renders Markdown to HTML that is safe to embed: raw HTML is dropped, and links or images whose
   URL is empty or not http(s), mailto (links only), relative, "/…" or "#…" lose their URL (a link keeps its
   text, an autolink and an image disappear). Returns malloc'd HTML (never NULL). */
char *md_render(const char *md, size_t len);
/* The text a reader sees of HTML made by md_render: tags dropped (a line break after each block),
   entities decoded; what the search indexes. Returns malloc'd text (never NULL). */
char *md_text(const char *html);
/* 1 when url may appear in an href (image = 0) or an img src (image = 1). */
int md_url_safe(const char *url, int image);
#endif
