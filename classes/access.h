/* access.h — the classes module's resource kinds and their one rule each (docs/dev.md policy). */
#ifndef DX_CLASSES_ACCESS_H
#define DX_CLASSES_ACCESS_H
#include <stdint.h>

#include "http.h"

/* A class as the caller stands to it. */
typedef struct class_res {
	int64_t id;
	int open;       /* mode 'open': every logged-in user may see it */
	int member;     /* has a membership, or the class is assigned to their organisation or above */
	int organiser;  /* one of its organisers */
	int admin;
	int scope;      /* an assessor whose subtree meets the class: assigned to an organisation in
			   or above it, or with a member in it */
	int all_rows;   /* may read every roster row (admin, organiser); else only their subtree's */
} class_res;

/* THE rule of seeing a class, once: admins, open classes, members, organisers, assessors whose
   subtree it meets. */
#define CLASS_VISIBLE(c) ((c)->admin || (c)->open || (c)->member || (c)->organiser || (c)->scope)
/* The class as the request's user stands to it; 0 when it does not exist. */
int class_access(req *r, int64_t id, class_res *c);

/* A class the caller may see: admins, open classes, its members and organisers, assessors whose
   subtree it meets; else 404 (an assigned class is not shown to those outside it). */
extern const resource_kind class_view;
/* A class to change (admin routes): 404 when it does not exist. */
extern const resource_kind class_edit;
/* A class whose roster one reads: 404 as class_view; admins, its organisers and assessors (their
   subtree's rows only) may, others 403. */
extern const resource_kind class_roster;

/* A certificate by its code ({code}, or {code}.pdf): the holder's own or any for an admin; else
   404, as one that does not exist (another member's certificate is not theirs to know). */
typedef struct cert_res {
	int64_t id, user_id;
	const char *code;
} cert_res;
extern const resource_kind cert_own;
/* A certificate to revoke (admin routes): 404 when there is none with that code. */
extern const resource_kind cert_any;

/* The canonical code of a URL segment ("CODE" or "CODE.pdf" when pdf is set) into out; 0 when it
   is not a valid code. */
int cert_code_arg(const char *seg, int pdf, char out[32]);
#endif
