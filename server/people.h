/* people.h — organisations and users: the tree, creation, and the bulk CSV import. */
#ifndef DX_PEOPLE_H
#define DX_PEOPLE_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* Creates an organisation under parent_id (0 = a root). Returns its id, 0 when a sibling already
   has that name (*existing set to it), -1 on a bad parent, -2 when the parent is already at the
   deepest level (setting org_max_depth). */
int64_t org_create(const char *name, int64_t parent_id, int64_t *existing);
/* The materialised path ('/1/5/') of an org, malloc'd, or NULL. */
char *org_path(int64_t id);
/* The names from the top of the tree down to the org, "市委/组织部/一支部", malloc'd, or NULL. */
char *org_full_name(int64_t id);
/* 1 when s is an acceptable organisation name: 1..64 characters of UTF-8, no "/". */
int org_name_ok(const char *s);
/* A role as written in a CSV file or a form: "学员" / "member" (any case, spaces around) →
   "member", likewise 教师 instructor, 考核员 assessor, 管理员 admin; NULL for anything else. */
const char *role_code(const char *s);
/* Resolves "省委/组织部/一支部" to an org id, creating missing levels when create is set.
   0 when not found (or the path is malformed), -2 when it has more than org_max_depth levels
   (then nothing is created). */
int64_t org_resolve_path(const char *path, int create);
/* The Chinese message "deeper than org_max_depth levels", malloc'd. */
char *org_depth_msg(void);
/* A username as stored and compared: ASCII whitespace trimmed, ASCII letters lower-cased
   ("  Admin " is "admin"). malloc'd. */
char *username_norm(const char *s);
/* The id of the user with that username (normalised first), or 0. */
int64_t user_id_by_name(const char *username);
/* 1 when uid is the only active admin (so it may not lose the role). */
int last_admin(int64_t uid);
/* Inserts a user with a password hash (username already normalised), inside the caller's
   transaction; returns the id, 0 when the username exists, -1 on failure. */
int64_t user_insert(const char *username, const char *name, const char *role, int64_t org_id, const char *hash);
/* Creates a user (username normalised); returns the id, 0 when the username exists, -1 on failure. */
int64_t user_create(const char *username, const char *name, const char *role, int64_t org_id,
		    const char *password);
/* Imports members from CSV text (server/import.c; columns username,name,org,role,password, a
   header line recognised and skipped; roles as codes or in Chinese, 学员 教师 考核员 管理员).
   preview: what each line would do, nothing written: {"digest","lines":[{"line","action":
   "create"|"update"|"unchanged"|"error",…}],"new_orgs","summary"}. Otherwise the good lines are
   written (organisations created as needed) and bad lines reported: {"created","updated",
   "unchanged","errors":[{"line","message"}],"lines","digest"}; with a digest, only when the plan is
   still the one previewed (else *status 409 `stale_preview`). An existing user's role changes only
   with allow_role_changes. A file that is not CSV text: *status 422 and one error. NULL (nothing
   changed) when the server began to shut down or the database could not take the write. */
typedef struct import_opts {
	int preview;
	int allow_role_changes;
	const char *digest; /* the preview's; NULL: no check (the command line) */
	int64_t actor;      /* for the audit log; 0: the system */
} import_opts;
json_t *import_members(const char *csv, size_t len, const import_opts *o, int *status);
/* An organisation subtree in the caller's scope (resource kind org_scope): id 0 means the caller's
   whole scope (an admin's: every organisation). 404 when it does not exist or lies outside the
   caller's own subtree (admins: anywhere), since the tree outside it is not shown to them.
   r->res is an org_res. */
typedef struct org_res {
	int64_t id;       /* 0: every organisation */
	const char *path; /* materialised path, "/" for every organisation */
} org_res;
struct resource_kind;
extern const struct resource_kind org_scope;
/* A member in the caller's scope (resource kind member_scope): a user whose organisation lies in
   the caller's subtree (admins: anyone); 404 otherwise, like a user that does not exist.
   r->res is a member_res. */
typedef struct member_res {
	int64_t id;
	const char *org_path;
} member_res;
extern const struct resource_kind member_scope;
/* 1 when s is an acceptable username: 2..64 of [A-Za-z0-9_.-]. */
int username_ok(const char *s);
#endif
