/* attach.h — course attachments (PDF 课件): an instructor uploads them to a course, whoever may see
 * the course downloads them. Stored as DATA/attachments/ID.pdf, listed in course_attachments. */
#ifndef DX_ATTACH_H
#define DX_ATTACH_H
#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* 1 when the bytes start like a PDF file ("%PDF-"). */
int attach_is_pdf(const void *data, size_t len);
/* The name an attachment is kept and offered under, from the name the uploader gave (UTF-8): the
   last path segment, without control characters, quotes, <>:*?|, leading dots or surrounding
   spaces, at most ATTACH_NAME_MAX bytes (cut on a character boundary), ending in ".pdf"; "课件.pdf"
   when nothing is left. Invalid UTF-8 gives NULL. malloc'd. */
#define ATTACH_NAME_MAX 160
char *attach_clean_name(const char *name);
/* The Content-Disposition header value for a download named name: an ASCII fallback filename="…"
   and the UTF-8 name as filename*=UTF-8''… (RFC 5987/6266). Appended to b. */
void attach_disposition(buf *b, const char *name);
/* The course page's "课件下载" section (nothing when the course has no attachments). */
void attach_list_html(buf *b, int64_t course_id);
/* The course editor's attachments card: the list with delete buttons and the upload field. */
void attach_editor_html(buf *b, int64_t course_id);
#endif
