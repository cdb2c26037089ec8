/* body.c — the JSON body: the guard's parse of an RF_JSON body and the validated field readers. */
#include "http.h"
#include "i18n.h"

#include <string.h>

/* ---- JSON body fields ---- */

static json_t *body_field(req *r, const char *key, int required, int *rc)
{
	*rc = 0;
	json_t *v = r->json ? json_object_get(r->json, key) : NULL;
	if (!v || json_is_null(v)) {
		if (required) {
			reply_error(r, 422, "missing_field", "%s：%s", tr("err.field_required"), key);
			*rc = -1;
		}
		return NULL;
	}
	return v;
}

int body_str(req *r, const char *key, int required, size_t max_chars, const char **out)
{
	int rc;
	json_t *v = body_field(r, key, required, &rc);
	if (!v)
		return rc;
	if (!json_is_string(v))
		return reply_error(r, 422, "invalid_field", "%s：%s", tr("err.field_string"), key), -1;
	const char *s = json_string_value(v);
	if (!utf8_ok(s, json_string_length(v)))
		return reply_error(r, 422, "invalid_utf8", "%s：%s", tr("err.field_utf8"), key), -1;
	if (utf8_chars(s) > max_chars)
		return reply_error(r, 422, "too_long", "%s：%s（%zu）", tr("err.field_too_long"), key, max_chars),
		       -1;
	*out = s;
	return 1;
}

int body_int(req *r, const char *key, int required, int64_t lo, int64_t hi, int64_t *out)
{
	int rc;
	json_t *v = body_field(r, key, required, &rc);
	if (!v)
		return rc;
	if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
		return reply_error(r, 422, "invalid_field", "%s：%s（%lld–%lld）", tr("err.field_integer"), key,
				   (long long)lo, (long long)hi),
		       -1;
	*out = json_integer_value(v);
	return 1;
}

int body_num(req *r, const char *key, int required, double lo, double hi, double *out)
{
	int rc;
	json_t *v = body_field(r, key, required, &rc);
	if (!v)
		return rc;
	if (!json_is_number(v) || !(json_number_value(v) >= lo && json_number_value(v) <= hi))
		return reply_error(r, 422, "invalid_field", "%s：%s（%g–%g）", tr("err.field_number"), key, lo, hi),
		       -1;
	*out = json_number_value(v);
	return 1;
}

int body_bool(req *r, const char *key, int required, int *out)
{
	int rc;
	json_t *v = body_field(r, key, required, &rc);
	if (!v)
		return rc;
	if (!json_is_boolean(v))
		return reply_error(r, 422, "invalid_field", "%s：%s", tr("err.field_bool"), key), -1;
	*out = json_is_true(v);
	return 1;
}

static void parse_json(req *r)
{
	if (!r->body.len) {
		reply_error(r, 400, "malformed", "%s", tr("err.json_required"));
		return;
	}
	if (!utf8_ok(r->body.p, r->body.len)) {
		reply_error(r, 422, "invalid_utf8", "%s", tr("err.body_utf8"));
		return;
	}
	json_error_t e;
	r->json = json_loadb(r->body.p, r->body.len, JSON_REJECT_DUPLICATES, &e);
	if (!r->json || !json_is_object(r->json)) {
		reply_error(r, 400, "malformed", "%s：%s", tr("err.json_malformed"), r->json ? "not an object" : e.text);
		return;
	}
}

void http_parse_json(req *r)
{
	parse_json(r);
}

