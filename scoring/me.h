/* me.h — what other modules add to the member's own page /me (scoring/me.c owns the page): a
 * section each, registered in their module's init, so that the scoring module includes none of
 * their headers (docs/dev.md, "Use another module only through its header's interface"). */
#ifndef DX_SCORING_ME_H
#define DX_SCORING_ME_H
#include "http.h"
#include "util.h"

/* Appends one or more <section class="card" id="…">…</section> for r->u to b. */
typedef void (*me_section_fn)(req *r, buf *b);
/* Adds a section, shown after the points in the order registered (at most 8; call from init). */
void me_section_register(me_section_fn fn);
#endif
