/* html.h — the one way to write HTML: every %s argument is escaped; raw HTML only via html_raw.
 *
 *   html_printf(b, "<p class=\"name\">%s</p>", user_name);   // escaped, safe in text and "attrs"
 *   html_raw(b, body_html);                                  // trusted HTML (cmark output, literals)
 *
 * Other conversions (%d %lld %zu %.1f %c %%) behave as in printf. The compiler checks the format.
 */
#ifndef DX_HTML_H
#define DX_HTML_H
#include "http.h"
#include "util.h"

void html_printf(buf *b, const char *fmt, ...) DX_PRINTF(2, 3);
void html_raw(buf *b, const char *s);
/* Escapes & < > " ' into b. */
void html_escape(buf *b, const char *s);
/* Percent-encodes s for use in a URL query value. */
void url_escape(buf *b, const char *s);

/* The page shell: <head>, the navigation for the user's role, and the footer. `page` names the
   page for data-page (scripts pick their behaviour from it); `title` is shown and escaped. */
void page_begin(req *r, buf *b, const char *page, const char *title);
void page_end(req *r, buf *b);
/* page_end + reply 200 text/html. */
int page_reply(req *r, buf *b);
/* An HTML error page (403, 404, …) in the page shell: the message and a link back to `back_href`
   labelled `back_text`. */
int page_error_reply(req *r, int status, const char *msg, const char *back_href, const char *back_text);
#endif
