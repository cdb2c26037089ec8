/* me.h — what the classes module offers the member's own page (/me, the scoring module's): a
 * section listing the member's certificates with their downloads. The same list is
 * GET /api/v1/me/certificates; the full page is /me/certificates. */
#ifndef DX_CLASSES_ME_H
#define DX_CLASSES_ME_H
#include "http.h"
#include "util.h"

/* Appends <section class="card" id="me-certificates">…</section> for r->u: each certificate's
   title, kind, number and date with a download link (revoked ones marked, without one), a link
   to /me/certificates (the yearly 学时证明) and one to /classes. */
void classes_me_section(req *r, buf *b);
#endif
