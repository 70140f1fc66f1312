/*
 * booking.c — bookings: parsing the API's JSON and the pages' forms, and
 * the statements.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "base/arena.h"
#include "base/jsonx.h"
#include "base/limit.h"
#include "base/mem.h"
#include "base/numfmt.h"
#include "base/utf8.h"
#include "business/booking.h"
#include "store/db.h"

static const char *const types[] = { "wedding", "engagement", "portrait",
    "event", "other" };
static const char *const statuses[] = { "tentative", "confirmed",
    "completed", "cancelled" };

#define BK_JSON \
	"json_build_object('id', b.id, 'inquiry_id', b.inquiry_id, " \
	"'event_type', b.event_type, 'event_date', b.event_date::text, " \
	"'status', b.status, 'value', trim_scale(b.value), 'currency', " \
	"b.currency, 'note', b.note, 'created_at', " \
	"to_char(b.created_at AT TIME ZONE 'UTC', " \
	"'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), 'updated_at', " \
	"to_char(b.updated_at AT TIME ZONE 'UTC', " \
	"'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'))"

static const char sql_inquiry[] =
	"SELECT 1 FROM inquiries WHERE workspace_id = $1 AND id = $2";
static const char sql_insert[] =
	"INSERT INTO bookings AS b (workspace_id, inquiry_id, event_type, "
	"event_date, status, value, currency, note) VALUES ($1, $2, $3, "
	"$4::date, coalesce($5, 'tentative'), $6::numeric, $7, "
	"coalesce($8, '')) RETURNING " BK_JSON "::text";
static const char sql_update[] =
	"UPDATE bookings SET "
	"inquiry_id = CASE WHEN $3::boolean THEN $4::bigint ELSE inquiry_id "
	"END, event_type = coalesce($5, event_type), "
	"event_date = CASE WHEN $6::boolean THEN $7::date ELSE event_date END, "
	"status = coalesce($8, status), "
	"value = CASE WHEN $9::boolean THEN $10::numeric ELSE value END, "
	"currency = CASE WHEN $9::boolean THEN $11 ELSE currency END, "
	"note = coalesce($12, note), updated_at = now() "
	"WHERE workspace_id = $1 AND id = $2 RETURNING 1";
static const char sql_get[] =
	"SELECT " BK_JSON "::text FROM bookings b "
	"WHERE b.workspace_id = $1 AND b.id = $2";
static const char sql_list[] =
	"WITH r AS (SELECT b.* FROM bookings b WHERE b.workspace_id = $1 "
	"AND ($2::text IS NULL OR b.status = $2) "
	"AND ($3::date IS NULL OR b.event_date >= $3::date) "
	"AND ($4::date IS NULL OR b.event_date <= $4::date) "
	"AND ($5::bigint = 0 OR b.id < $5::bigint) "
	"ORDER BY b.id DESC LIMIT $6::integer + 1), "
	"p AS (SELECT * FROM r ORDER BY id DESC LIMIT $6::integer) "
	"SELECT json_build_object('bookings', coalesce((SELECT json_agg("
	BK_JSON " ORDER BY b.id DESC) FROM p b), '[]'), 'next_cursor', "
	"CASE WHEN (SELECT count(*) FROM r) > $6::integer THEN "
	"(SELECT min(id) FROM p)::text END)::text";

static bool
in_list(const char *s, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; s != NULL && i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return true;
	return false;
}

bool
booking_type_ok(const char *s)
{
	return in_list(s, types, nitems(types));
}

bool
booking_status_ok(const char *s)
{
	return in_list(s, statuses, nitems(statuses));
}

static void
problem(struct booking_in *in, const char *field, const char *reason)
{
	if (in->nproblems < nitems(in->problems)) {
		in->problems[in->nproblems].field = field;
		in->problems[in->nproblems].reason = reason;
		in->nproblems++;
	}
}

/* Why the decimal text v is not a value in currency cur, or NULL. */
static const char *
value_problem(const char *v, const char *cur)
{
	size_t i = 0, ints, decs = 0;
	int max = numfmt_currency_decimals(cur);

	while (isdigit((unsigned char)v[i]))
		i++;
	ints = i;
	if (v[i] == '.') {
		i++;
		while (isdigit((unsigned char)v[i + decs]))
			decs++;
		i += decs;
		if (decs == 0)
			return "must be a plain decimal such as 1500.00";
	}
	if (ints == 0 || v[i] != '\0')
		return "must be a plain decimal of 0 or more, such as 1500.00";
	if (ints > LIMIT_BOOKING_DIGITS)
		return "is too large (at most 12 digits before the point)";
	if ((int)decs > max)
		return max == 0 ? "has decimals its currency does not use" :
		    "has more decimals than its currency uses";
	return NULL;
}

/* The checks every parse ends with; the answer. */
static enum err
finish(struct booking_in *in, bool create)
{
	size_t n;

	if (create && !in->has_type)
		problem(in, "event_type", "is required: wedding, engagement, "
		    "portrait, event or other");
	if (in->has_type && !booking_type_ok(in->event_type))
		problem(in, "event_type", "must be wedding, engagement, "
		    "portrait, event or other");
	if (in->has_status && !booking_status_ok(in->status))
		problem(in, "status", "must be tentative, confirmed, "
		    "completed or cancelled");
	if (in->has_date && in->event_date != NULL &&
	    !inquiry_date_ok(in->event_date))
		problem(in, "event_date", "must be a date YYYY-MM-DD");
	if (in->has_value && in->value != NULL) {
		const char *why;

		if (in->currency == NULL || !numfmt_currency_known(
		    in->currency))
			problem(in, "currency", "must be an ISO 4217 code "
			    "such as EUR, USD or GBP, sent with the value");
		else if ((why = value_problem(in->value, in->currency)) !=
		    NULL)
			problem(in, "value", why);
	} else if (in->currency != NULL)
		problem(in, "value", "must come with currency (send both)");
	if (in->has_note && in->note != NULL) {
		n = strlen(in->note);
		if (!utf8_valid(in->note, n) || utf8_chars(in->note) >
		    LIMIT_INQUIRY_TEXT)
			problem(in, "note", "must be text of at most 5000 "
			    "characters");
	}
	return in->nproblems > 0 ? ERR_UNPROCESSABLE : ERR_OK;
}

/* A string member: true when present (*out NULL for null); a problem
 * when it is another type or holds a NUL byte. */
static bool
str_member(struct booking_in *in, struct json_object *o, const char *k,
    const char **out)
{
	struct json_object *m;

	*out = NULL;
	if (!json_object_object_get_ex(o, k, &m))
		return false;
	if (m == NULL)
		return true;
	if (!json_object_is_type(m, json_type_string) ||
	    strlen(json_object_get_string(m)) !=
	    (size_t)json_object_get_string_len(m)) {
		problem(in, k, "must be a string");
		return false;
	}
	*out = json_object_get_string(m);
	return true;
}

enum err
booking_parse_json(struct arena *a, const char *body, size_t len,
    bool create, struct booking_in *out, const char **why)
{
	struct json_object *root, *m;
	int64_t id;

	memset(out, 0, sizeof(*out));
	if (jsonx_parse(a, body, len, &root, why) != ERR_OK)
		return ERR_INPUT;
	if (!json_object_is_type(root, json_type_object)) {
		*why = "The body must be a JSON object: {\"event_type\": ..., "
		    "\"event_date\": ..., \"value\": ..., \"currency\": ...}.";
		return ERR_INPUT;
	}
	if (json_object_object_get_ex(root, "inquiry_id", &m)) {
		out->has_inquiry = true;
		if (m != NULL && (jsonx_get_int64(root, "inquiry_id", &id) !=
		    ERR_OK || id <= 0))
			problem(out, "inquiry_id", "must be an inquiry's id "
			    "(a positive integer) or null");
		else if (m != NULL)
			out->inquiry_id = id;
	}
	out->has_type = str_member(out, root, "event_type",
	    &out->event_type) && out->event_type != NULL;
	out->has_date = str_member(out, root, "event_date", &out->event_date);
	out->has_status = str_member(out, root, "status", &out->status) &&
	    out->status != NULL;
	out->has_note = str_member(out, root, "note", &out->note) &&
	    out->note != NULL;
	(void)str_member(out, root, "currency", &out->currency);
	if (json_object_object_get_ex(root, "value", &m)) {
		out->has_value = true;
		if (m == NULL)
			out->value = NULL;
		else if (json_object_is_type(m, json_type_string) ||
		    json_object_is_type(m, json_type_int) ||
		    json_object_is_type(m, json_type_double))
			/* A number keeps the text it was sent as. */
			out->value = json_object_get_string(m);
		else
			problem(out, "value", "must be a number, a decimal "
			    "string or null");
		if (out->value != NULL && strlen(out->value) > 32)
			problem(out, "value", "is too long");
	}
	if (out->has_value && out->value == NULL)
		out->currency = NULL;
	return finish(out, create);
}

/* A form field, trimmed, into the arena; NULL when absent. */
static const char *
field(struct arena *a, const struct kvlist *form, const char *k)
{
	const struct kv *kv = kv_get(form, k);
	const char *v;
	size_t n;

	if (kv == NULL)
		return NULL;
	v = kv->value;
	n = kv->len;
	while (n > 0 && isspace((unsigned char)*v)) {
		v++;
		n--;
	}
	while (n > 0 && isspace((unsigned char)v[n - 1]))
		n--;
	return arena_strndup(a, v, n);
}

enum err
booking_parse_form(struct arena *a, const struct kvlist *form, bool create,
    struct booking_in *out)
{
	const char *s;
	char *end;

	memset(out, 0, sizeof(*out));
	if ((s = field(a, form, "inquiry_id")) != NULL) {
		out->has_inquiry = true;
		if (*s != '\0' && ((out->inquiry_id = strtoll(s, &end, 10)) <=
		    0 || *end != '\0'))
			problem(out, "inquiry_id", "must be an inquiry's id");
	}
	if ((s = field(a, form, "event_type")) != NULL) {
		out->has_type = true;
		out->event_type = s;
	}
	if ((s = field(a, form, "event_date")) != NULL) {
		out->has_date = true;
		out->event_date = *s != '\0' ? s : NULL;
	}
	if ((s = field(a, form, "status")) != NULL) {
		out->has_status = true;
		out->status = s;
	}
	if ((s = field(a, form, "note")) != NULL) {
		out->has_note = true;
		out->note = s;
	}
	if ((s = field(a, form, "value")) != NULL) {
		out->has_value = true;
		out->value = *s != '\0' ? s : NULL;
		out->currency = field(a, form, "currency");
		if (out->value == NULL || (out->currency != NULL &&
		    *out->currency == '\0'))
			out->currency = out->value == NULL ? NULL : "";
		/* A person types "chf": the code is CHF. */
		if (out->currency != NULL && *out->currency != '\0') {
			char *up = arena_strdup(a, out->currency), *c;

			for (c = up; *c != '\0'; c++)
				*c = (char)toupper((unsigned char)*c);
			out->currency = up;
		}
	}
	return finish(out, create);
}

/* The inquiry the booking names is the workspace's (or none is named). */
static enum err
inquiry_known(struct db *db, struct arena *a, const char *ws,
    const struct booking_in *in)
{
	struct db_res *res;
	const char *p[2];
	enum err rc;

	if (!in->has_inquiry || in->inquiry_id == 0)
		return ERR_OK;
	p[0] = ws;
	p[1] = db_int64(a, in->inquiry_id);
	if ((rc = db_exec(db, a, sql_inquiry, 2, p, &res)) != ERR_OK)
		return rc;
	return db_nrows(res) == 0 ? ERR_UNPROCESSABLE : ERR_OK;
}

enum err
booking_create(struct db *db, struct arena *a, int64_t workspace_id,
    const struct booking_in *in, const char **json)
{
	const char *p[8];
	enum err rc;

	p[0] = db_int64(a, workspace_id);
	if ((rc = inquiry_known(db, a, p[0], in)) != ERR_OK)
		return rc;
	p[1] = in->inquiry_id > 0 ? db_int64(a, in->inquiry_id) : NULL;
	p[2] = in->event_type;
	p[3] = in->has_date ? in->event_date : NULL;
	p[4] = in->has_status ? in->status : NULL;
	p[5] = in->has_value ? in->value : NULL;
	p[6] = in->has_value ? in->currency : NULL;
	p[7] = in->has_note ? in->note : NULL;
	return db_value(db, a, sql_insert, 8, p, json);
}

enum err
booking_update(struct db *db, struct arena *a, int64_t workspace_id,
    int64_t id, const struct booking_in *in)
{
	struct db_res *res;
	const char *p[12];
	enum err rc;

	p[0] = db_int64(a, workspace_id);
	if ((rc = inquiry_known(db, a, p[0], in)) != ERR_OK)
		return rc;
	p[1] = db_int64(a, id);
	p[2] = in->has_inquiry ? "true" : "false";
	p[3] = in->inquiry_id > 0 ? db_int64(a, in->inquiry_id) : NULL;
	p[4] = in->has_type ? in->event_type : NULL;
	p[5] = in->has_date ? "true" : "false";
	p[6] = in->event_date;
	p[7] = in->has_status ? in->status : NULL;
	p[8] = in->has_value ? "true" : "false";
	p[9] = in->value;
	p[10] = in->value != NULL ? in->currency : NULL;
	p[11] = in->has_note ? in->note : NULL;
	if ((rc = db_exec(db, a, sql_update, 12, p, &res)) != ERR_OK)
		return rc;
	return db_nrows(res) == 0 ? ERR_NOTFOUND : ERR_OK;
}

enum err
booking_get_json(struct db *db, struct arena *a, int64_t workspace_id,
    int64_t id, const char **json)
{
	return inquiry_one_json(db, a, sql_get, workspace_id, id, json);
}

enum err
booking_list_json(struct db *db, struct arena *a, int64_t workspace_id,
    const struct inquiry_query *q, const char **json)
{
	return inquiry_page_json(db, a, sql_list, workspace_id, q, json);
}

enum err
booking_query_parse(const struct kvlist *query, struct inquiry_query *q,
    const char **param, const char **why)
{
	return inquiry_page_parse(query, booking_status_ok, "must be "
	    "tentative, confirmed, completed or cancelled", q, param, why);
}
