/* classes.h — the classes module's database layer, shared by its files: a class as stored, a
 * member's standing in it, completion and certificates (docs/classes.md). */
#ifndef DX_CLASSES_CLASSES_H
#define DX_CLASSES_CLASSES_H
#include <jansson.h>
#include <stdint.h>

#include "classes/rule.h"
#include "events.h"
#include "http.h"

/* A class row with its courses in class order (malloc'd; class_row_free). */
typedef struct class_row {
	int64_t id;
	char *title, *summary, *cover_mime;
	int64_t opens_at, closes_at, capacity;
	class_mode mode;
	double min_hours;
	int64_t exam_quiz_id;      /* 0: no class exam */
	int64_t *courses;          /* every course, class order */
	int *course_required;      /* parallel to courses */
	int ncourses;
	int64_t *required, *electives;
	int nrequired, nelectives;
	int64_t members;           /* seats taken */
	int64_t created_at;
} class_row;

/* Loads class id; 1 found, 0 not. */
int class_load(int64_t id, class_row *c);
void class_row_free(class_row *c);
/* The rule's view of the row (pointers into c). */
void class_def_of(const class_row *c, class_def *d);
/* "open" / "assigned". */
const char *class_mode_name(class_mode m);

/* A member of the class: joined_at and how ("joined"/"assigned"), completed_at (0 = not), the
   certificate's code or "" . 1 when the user is a member, 0 not. */
typedef struct class_membership {
	int64_t joined_at, completed_at;
	char how[12];
	char code[32];
} class_membership;
int class_membership_of(int64_t class_id, int64_t user_id, class_membership *m);

/* The member's standing at `now` (class_evaluate over their recorded completions and exam pass).
   0, or -1. */
int class_member_eval(const class_row *c, int64_t user_id, int64_t joined_at, int64_t now, class_progress *p);

/* Inside a write transaction: evaluates the member and, when the rule holds and they have not
   completed yet, marks the class completed, issues the certificate and emits "class_completed".
   1 when it completed now, 0 otherwise, -1 on error (roll back). */
int class_check_member(const class_row *c, int64_t user_id, int64_t now);

/* Inside a write transaction: the memberships of the classes assigned to the user's organisation
   or an ancestor that are still open (joined_at = when the class was assigned there, or when the
   user was created if later). -1 on error. */
int class_sync_assigned(int64_t user_id, int64_t now);

/* The module's listener (server/events.h): course_completed, exam_passed, login. */
int classes_on_event(const dx_event *e);

/* What a certificate states, as its digest covers it. */
typedef struct cert_facts {
	int64_t cert_id;        /* the row's id: the ledger reference of a yearly certificate */
	const char *number, *code;
	int64_t user_id;
	const char *holder;     /* the member's name as printed */
	int64_t class_id;       /* 0 for a yearly certificate */
	const char *title;      /* the class's title as printed */
	double hours;
	const char *day;        /* completion day, "YYYY-MM-DD" */
	const char *body;       /* a yearly certificate's content; NULL for a class certificate */
} cert_facts;
/* The certificate's digest (hex SHA-256, 65 bytes) of its number, code, member (id and name),
   class (id and title), hours, day and body: what "class_completed" hands to the ledger, and what
   the verification recomputes (an altered row is not genuine). */
void cert_digest(const cert_facts *f, char out[65]);
/* Whether a certificate row is what was issued: its fields hash to its stored digest and the
   member's ledger row of the certificate records that digest: for a class certificate the row of
   the class (rule class_completed, ref = the class id), for a yearly 学时证明 the row of the
   certificate itself (rule yearly_certificate, ref = the certificate id). chain 1: the member's hash chain is walked as well (the public
   verification); 0: the row is only read (`dangxiao verify`, which walked every chain first).
   1 genuine, 0 not (or the ledger could not be read). */
int cert_covered(const cert_facts *f, const char *stored_digest, int chain);
/* `dangxiao verify`'s check of every certificate (registered with ledger_verify_also). */
int certs_verify_all(FILE *out, FILE *err);
/* Inside a write transaction: inserts a certificate (its number is the next of the issuing year)
   and returns its id (code and digest written to the outs), or -1. */
int64_t cert_issue(const char *kind, int64_t user_id, int64_t class_id, const char *title, double hours,
		   int64_t window_from, int64_t window_to, int64_t completed_at, const char *body, char code_out[32],
		   char digest_out[65]);

/* The public verification URL of a code: cfg.public_url + "/verify/" + code (arena memory). */
const char *cert_verify_url(arena *a, const char *code);
/* Renders the certificate with this code as PDF into out; 0, 404 when there is none, -1 on error. */
int cert_render(int64_t cert_id, buf *out);

/* The classes' JSON as the API answers (for the pages too). */
json_t *class_json(req *r, const class_row *c, int with_courses);
/* The member's list (GET /api/v1/classes). */
json_t *classes_list_json(req *r);
/* The certificates of the user (GET /api/v1/me/certificates). */
json_t *certificates_json(int64_t user_id);
#endif
