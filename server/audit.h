/* audit.h — the audit log: who did what to what, and when. Rows are only ever inserted.
 *
 * Call audit_log() inside the transaction of the change it records (so a change and its row are
 * written together), with the acting user, a verb ("user.create", "user.update", "user.disable",
 * "org.rename", "import.confirm", "course.publish", "course.unpublish", "assignment.create",
 * "assignment.revoke", "certificate.revoke", "rule.update", …: "<kind>.<verb>", documented in
 * docs/api.md), the target's kind and id, and a JSON object of details (changed fields as
 * {"field":[old,new]}, a reason) or NULL.
 */
#ifndef DX_AUDIT_H
#define DX_AUDIT_H
#include <jansson.h>
#include <stdint.h>

/* 0, or -1 (the caller rolls back). actor 0: the system (a command, a sweeper). */
int audit_log(int64_t actor, const char *action, const char *target_kind, int64_t target_id, const char *detail_json);
/* audit_log with the details as a jansson object (stolen; NULL for none). 0 or -1. */
int audit_json(int64_t actor, const char *action, const char *target_kind, int64_t target_id, json_t *detail);
/* Adds "field":[old,new] to a details object when the two texts differ (NULL stands for null);
   returns 1 when it did. */
int audit_diff_str(json_t *detail, const char *field, const char *old, const char *new_);
int audit_diff_int(json_t *detail, const char *field, int64_t old, int64_t new_);
#endif
