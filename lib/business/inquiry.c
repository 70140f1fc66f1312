/*
 * inquiry.c — inquiries: parsing the form and the API's JSON, the
 * pipeline's statements, the public form's token, origins and throttle.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/day.h"
#include "base/jsonx.h"
#include "base/limit.h"
#include "base/mem.h"
#include "base/utf8.h"
#include "business/inquiry.h"
#include "crypto/crypto.h"
#include "store/db.h"
#include "store/throttle.h"

/* What a field may hold. */
enum kind {
	K_TEXT,		/* one line of text */
	K_MULTI,	/* lines of text (a message) */
	K_EMAIL,
	K_PHONE,
	K_SOURCE,	/* [a-z0-9_.-] */
	K_URL,		/* http(s) */
};

static const struct {
	const char	*name;
	enum kind	 kind;
	size_t		 max;	/* characters (bytes for EMAIL, SOURCE, URL) */
} fields[INQUIRY__MAX] = {
	[INQUIRY_NAME] = { "name", K_TEXT, LIMIT_INQUIRY_SHORT },
	[INQUIRY_EMAIL] = { "email", K_EMAIL, LIMIT_INQUIRY_EMAIL },
	[INQUIRY_PHONE] = { "phone", K_PHONE, LIMIT_INQUIRY_PHONE },
	[INQUIRY_MESSAGE] = { "message", K_MULTI, LIMIT_INQUIRY_TEXT },
	[INQUIRY_SOURCE] = { "source", K_SOURCE, LIMIT_INQUIRY_SOURCE },
	[INQUIRY_UTM_SOURCE] = { "utm_source", K_TEXT, LIMIT_INQUIRY_SHORT },
	[INQUIRY_UTM_MEDIUM] = { "utm_medium", K_TEXT, LIMIT_INQUIRY_SHORT },
	[INQUIRY_UTM_CAMPAIGN] = { "utm_campaign", K_TEXT,
	    LIMIT_INQUIRY_SHORT },
	[INQUIRY_UTM_TERM] = { "utm_term", K_TEXT, LIMIT_INQUIRY_SHORT },
	[INQUIRY_UTM_CONTENT] = { "utm_content", K_TEXT, LIMIT_INQUIRY_SHORT },
	[INQUIRY_REFERRER] = { "referrer", K_URL, LIMIT_INQUIRY_URL },
	[INQUIRY_LANDING_PAGE] = { "landing_page", K_URL, LIMIT_INQUIRY_URL },
};

static const char *const statuses[] = { "new", "contacted", "qualified",
    "converted", "lost" };

/* The JSON of inquiry i (a row of inquiries), without notes. */
#define INQ_JSON \
	"json_build_object('id', i.id, 'status', i.status, 'name', i.name, " \
	"'email', i.email, 'phone', i.phone, 'message', i.message, " \
	"'source', i.source, 'utm', json_build_object('source', " \
	"i.utm_source, 'medium', i.utm_medium, 'campaign', i.utm_campaign, " \
	"'term', i.utm_term, 'content', i.utm_content), 'referrer', " \
	"i.referrer, 'landing_page', i.landing_page, 'owner', " \
	"(SELECT json_build_object('id', u.id, 'email', u.email) FROM users u " \
	"WHERE u.id = i.owner_user_id), 'created_at', " \
	"to_char(i.created_at AT TIME ZONE 'UTC', " \
	"'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), 'updated_at', " \
	"to_char(i.updated_at AT TIME ZONE 'UTC', " \
	"'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

static const char sql_insert[] =
	"INSERT INTO inquiries AS i (workspace_id, name, email, phone, "
	"message, source, utm_source, utm_medium, utm_campaign, utm_term, "
	"utm_content, referrer, landing_page) VALUES ($1, $2, $3, $4, $5, $6, "
	"$7, $8, $9, $10, $11, $12, $13) RETURNING " INQ_JSON
	", 'notes', '[]'::json, 'bookings', '[]'::json)::text";
static const char sql_get[] =
	"SELECT " INQ_JSON ", 'notes', coalesce((SELECT json_agg("
	"json_build_object('id', n.id, 'author', (SELECT u.email FROM users u "
	"WHERE u.id = n.author_user_id), 'body', n.body, 'created_at', "
	"to_char(n.created_at AT TIME ZONE 'UTC', "
	"'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')) ORDER BY n.id) FROM inquiry_notes n "
	"WHERE n.workspace_id = i.workspace_id AND n.inquiry_id = i.id), "
	"'[]'), 'bookings', coalesce((SELECT json_agg(b.id ORDER BY b.id) "
	"FROM bookings b WHERE b.workspace_id = i.workspace_id AND "
	"b.inquiry_id = i.id), '[]'))::text "
	"FROM inquiries i WHERE i.workspace_id = $1 AND i.id = $2";
/* $5 the cursor (0: none), $6 the page's length; one row more tells
 * whether a next page exists. */
static const char sql_list[] =
	"WITH r AS (SELECT i.* FROM inquiries i JOIN workspaces w ON "
	"w.id = i.workspace_id WHERE i.workspace_id = $1 "
	"AND ($2::text IS NULL OR i.status = $2) "
	"AND ($3::date IS NULL OR (i.created_at AT TIME ZONE w.time_zone)::date "
	">= $3::date) "
	"AND ($4::date IS NULL OR (i.created_at AT TIME ZONE w.time_zone)::date "
	"<= $4::date) "
	"AND ($5::bigint = 0 OR i.id < $5::bigint) "
	"ORDER BY i.id DESC LIMIT $6::integer + 1), "
	"p AS (SELECT * FROM r ORDER BY id DESC LIMIT $6::integer) "
	"SELECT json_build_object('inquiries', coalesce((SELECT json_agg("
	INQ_JSON ") ORDER BY i.id DESC) FROM p i), '[]'), 'next_cursor', "
	"CASE WHEN (SELECT count(*) FROM r) > $6::integer THEN "
	"(SELECT min(id) FROM p)::text END)::text";
static const char sql_member[] =
	"SELECT 1 FROM memberships WHERE workspace_id = $1 AND user_id = $2";
/* The change, and a note of what it changed (status, owner) by $6, in
 * one statement: o locks and reads the row as it was (u joins it, so o
 * runs first). */
static const char sql_update[] =
	"WITH o AS (SELECT status, owner_user_id FROM inquiries WHERE "
	"workspace_id = $1 AND id = $2 FOR UPDATE), "
	"u AS (UPDATE inquiries i SET status = coalesce($3, i.status), "
	"owner_user_id = CASE WHEN $4::boolean THEN $5::bigint "
	"ELSE i.owner_user_id END, updated_at = now() FROM o "
	"WHERE i.workspace_id = $1 AND i.id = $2 RETURNING o.status AS "
	"was, o.owner_user_id AS owner_was, i.status, i.owner_user_id), "
	"n AS (INSERT INTO inquiry_notes (workspace_id, inquiry_id, "
	"author_user_id, body) SELECT $1, $2, $6::bigint, concat_ws('; ', "
	"CASE WHEN was <> status THEN 'Status: ' || was || ' → ' || status "
	"END, CASE WHEN owner_was IS DISTINCT FROM owner_user_id THEN "
	"'Owner: ' || coalesce((SELECT email FROM users WHERE id = "
	"owner_was), 'nobody') || ' → ' || coalesce((SELECT email FROM "
	"users WHERE id = owner_user_id), 'nobody') END) FROM u WHERE "
	"was <> status OR owner_was IS DISTINCT FROM owner_user_id) "
	"SELECT 1 FROM u";
static const char sql_note[] =
	"INSERT INTO inquiry_notes (workspace_id, inquiry_id, author_user_id, "
	"body) VALUES ($1, $2, $3, $4)";
static const char sql_count_new[] =
	"SELECT count(*) FROM inquiries WHERE workspace_id = $1 AND "
	"status = 'new'";
static const char sql_members[] =
	"SELECT coalesce(json_agg(json_build_object('id', u.id, 'email', "
	"u.email) ORDER BY u.email), '[]')::text FROM memberships m JOIN users "
	"u ON u.id = m.user_id WHERE m.workspace_id = $1";

/* A concurrent request with the same key waits here for the first. */
static const char sql_claim[] =
	"INSERT INTO inquiry_requests (workspace_id, idempotency_key, "
	"request_hash, status, response) VALUES ($1, $2, $3, 0, '') "
	"ON CONFLICT DO NOTHING RETURNING 1";
static const char sql_claimed[] =
	"SELECT status, response, request_hash FROM inquiry_requests "
	"WHERE workspace_id = $1 AND idempotency_key = $2";
static const char sql_record[] =
	"UPDATE inquiry_requests SET status = $3, response = $4 "
	"WHERE workspace_id = $1 AND idempotency_key = $2";

static const char sql_form_find[] =
	"SELECT workspace_id, token, origins, coalesce(thank_you_url, '') "
	"FROM inquiry_forms WHERE token = $1";
static const char sql_form_get[] =
	"SELECT workspace_id, token, origins, coalesce(thank_you_url, '') "
	"FROM inquiry_forms WHERE workspace_id = $1";
static const char sql_form_make[] =
	"INSERT INTO inquiry_forms (workspace_id, token) VALUES ($1, $2) "
	"ON CONFLICT (workspace_id) DO NOTHING";
static const char sql_form_rotate[] =
	"UPDATE inquiry_forms SET token = $2, rotated_at = now() "
	"WHERE workspace_id = $1";
static const char sql_form_save[] =
	"UPDATE inquiry_forms SET origins = $2, thank_you_url = "
	"nullif($3, '') WHERE workspace_id = $1";
/*
 * One post counted on the address's and the form's counters, each with
 * its own limit and window (store/throttle.h).
 */
static const char sql_take[] = THROTTLE_TAKE_SQL("inquiry_throttle",
	THROTTLE_KEY("'form-addr:' || $1 || ':' || $2", "$3", "$4") ", "
	THROTTLE_KEY("'form:' || $1", "$5", "$6"));
static const char sql_gc[] = THROTTLE_GC_SQL("inquiry_throttle");

const char *
inquiry_field_name(enum inquiry_field f)
{
	return f < INQUIRY__MAX ? fields[f].name : "";
}

bool
inquiry_status_ok(const char *s)
{
	size_t i;

	for (i = 0; s != NULL && i < nitems(statuses); i++)
		if (strcmp(s, statuses[i]) == 0)
			return true;
	return false;
}

static void
problem(struct inquiry_in *in, const char *field, const char *reason)
{
	if (in->nproblems < nitems(in->problems)) {
		in->problems[in->nproblems].field = field;
		in->problems[in->nproblems].reason = reason;
		in->nproblems++;
	}
}

/* Whether s (len bytes, valid UTF-8) has a character that breaks a line
 * or hides or reorders text (utf8_hides()); multi (running text) allows
 * tab, newline and carriage return, and the bidirectional marks
 * right-to-left keyboards type (utf8_bidi_mark()). */
static bool
has_control(const char *s, size_t len, bool multi)
{
	size_t i, n;
	long c;

	for (i = 0; i < len; i += n) {
		c = utf8_next((const unsigned char *)s + i, len - i, &n);
		if (multi && (c == '\n' || c == '\r' || c == '\t' ||
		    utf8_bidi_mark(c)))
			continue;
		if (c < 0 || utf8_hides(c))
			return true;
	}
	return false;
}

/* An address people type: local@domain.tld, no spaces, one @; no ? or #,
 * which would add headers or a body to the page's mailto: link (a bcc
 * to someone else, a subject and text of the sender's choosing). */
static bool
email_ok(const char *s)
{
	const char *at = strchr(s, '@'), *dot;
	size_t i;

	if (at == NULL || at == s || strchr(at + 1, '@') != NULL)
		return false;
	for (i = 0; s[i] != '\0'; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == '<' || s[i] == '>' ||
		    s[i] == ',' || s[i] == ';' || s[i] == '"' || s[i] == '?' ||
		    s[i] == '#')
			return false;
	dot = strrchr(at + 1, '.');
	return dot != NULL && dot > at + 1 && dot[1] != '\0';
}

/* Digits, spaces and + ( ) - . /, with 5 to 20 digits. */
static bool
phone_ok(const char *s)
{
	size_t digits = 0;

	for (; *s != '\0'; s++) {
		if (isdigit((unsigned char)*s))
			digits++;
		else if (strchr("+()-./ ", *s) == NULL)
			return false;
	}
	return digits >= 5 && digits <= 20;
}

static bool
source_ok(const char *s)
{
	for (; *s != '\0'; s++)
		if (!islower((unsigned char)*s) &&
		    !isdigit((unsigned char)*s) && strchr("_.-", *s) == NULL)
			return false;
	return true;
}

/* http:// or https:// and a host, no spaces or controls. */
static bool
url_ok(const char *s)
{
	const char *h;
	size_t i;

	if (strncmp(s, "https://", 8) == 0)
		h = s + 8;
	else if (strncmp(s, "http://", 7) == 0)
		h = s + 7;
	else
		return false;
	if (*h == '\0' || *h == '/' || *h == '?' || *h == '#')
		return false;
	for (i = 0; s[i] != '\0'; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f)
			return false;
	return true;
}

/* Checks field f's value v (len bytes) into in; "" is always good. */
static void
check(struct inquiry_in *in, enum inquiry_field f, const char *v, size_t len)
{
	const char *name = fields[f].name;
	enum kind k = fields[f].kind;
	size_t n;

	in->v[f] = v;
	if (len == 0)
		return;
	if (strlen(v) != len || !utf8_valid(v, len)) {
		problem(in, name, "must be text (UTF-8, no NUL byte)");
		return;
	}
	n = (k == K_TEXT || k == K_MULTI || k == K_PHONE) ? utf8_chars(v) :
	    len;
	if (n > fields[f].max) {
		problem(in, name, k == K_TEXT ? "is too long (at most 200 "
		    "characters)" : k == K_MULTI ? "is too long (at most 5000 "
		    "characters)" : k == K_PHONE ? "is too long (at most 40 "
		    "characters)" : k == K_EMAIL ? "is too long (at most 254 "
		    "bytes)" : k == K_SOURCE ? "is too long (at most 64 "
		    "bytes)" : "is too long (at most 2000 bytes)");
		return;
	}
	if (has_control(v, len, k == K_MULTI)) {
		problem(in, name, "must not hold control characters, "
		    "invisible ones or characters that change the direction "
		    "of text");
		return;
	}
	if (k == K_EMAIL && !email_ok(v))
		problem(in, name, "must be an email address such as "
		    "name@example.com");
	else if (k == K_PHONE && !phone_ok(v))
		problem(in, name, "must be a phone number: 5 to 20 digits, "
		    "with + ( ) - . / or spaces");
	else if (k == K_SOURCE && !source_ok(v))
		problem(in, name, "must be lower-case letters, digits, _ . or "
		    "- (such as contact_page)");
	else if (k == K_URL && !url_ok(v))
		problem(in, name, "must be an http:// or https:// address");
}

/* After the fields: defaults, the contact rule, the answer. */
static enum err
finish(struct inquiry_in *in, const char *defsource)
{
	size_t i;

	for (i = 0; i < INQUIRY__MAX; i++)
		if (in->v[i] == NULL)
			in->v[i] = "";
	if (*in->v[INQUIRY_SOURCE] == '\0')
		in->v[INQUIRY_SOURCE] = defsource;
	if (*in->v[INQUIRY_EMAIL] == '\0' && *in->v[INQUIRY_PHONE] == '\0')
		problem(in, "contact", "give an email address or a phone "
		    "number (or both)");
	return in->nproblems > 0 ? ERR_UNPROCESSABLE : ERR_OK;
}

/* A value with surrounding spaces trimmed, in place of *v. */
static void
trim(const char **v, size_t *len)
{
	while (*len > 0 && isspace((unsigned char)**v)) {
		(*v)++;
		(*len)--;
	}
	while (*len > 0 && isspace((unsigned char)(*v)[*len - 1]))
		(*len)--;
}

enum err
inquiry_parse_form(struct arena *a, const struct kvlist *form,
    const char *defsource, struct inquiry_in *out)
{
	const struct kv *kv;
	const char *v;
	char *c;
	size_t i, len;

	memset(out, 0, sizeof(*out));
	kv = kv_get(form, INQUIRY_HONEYPOT);
	out->spam = kv != NULL && kv->len > 0;
	for (i = 0; i < INQUIRY__MAX; i++) {
		if ((kv = kv_get(form, fields[i].name)) == NULL)
			continue;
		v = kv->value;
		len = kv->len;
		trim(&v, &len);
		c = arena_alloc(a, len + 1);
		memcpy(c, v, len);
		c[len] = '\0';
		check(out, (enum inquiry_field)i, c, len);
	}
	return finish(out, defsource);
}

enum err
inquiry_parse_json(struct arena *a, const char *body, size_t len,
    const char *defsource, struct inquiry_in *out, const char **why)
{
	struct json_object *root, *m, *hp;
	const char *v;
	char *c;
	size_t i, n;

	memset(out, 0, sizeof(*out));
	if (jsonx_parse(a, body, len, &root, why) != ERR_OK)
		return ERR_INPUT;
	if (!json_object_is_type(root, json_type_object)) {
		*why = "The body must be a JSON object: {\"name\": ..., "
		    "\"email\": ..., \"message\": ...}.";
		return ERR_INPUT;
	}
	hp = jsonx_member(root, INQUIRY_HONEYPOT);
	out->spam = hp != NULL && (!json_object_is_type(hp,
	    json_type_string) || json_object_get_string_len(hp) > 0);
	for (i = 0; i < INQUIRY__MAX; i++) {
		if ((m = jsonx_member(root, fields[i].name)) == NULL)
			continue;
		if (!json_object_is_type(m, json_type_string)) {
			problem(out, fields[i].name, "must be a string");
			continue;
		}
		v = json_object_get_string(m);
		n = (size_t)json_object_get_string_len(m);
		trim(&v, &n);
		c = arena_alloc(a, n + 1);
		memcpy(c, v, n);
		c[n] = '\0';
		/* An embedded NUL shows as strlen(c) < n: check() says so. */
		check(out, (enum inquiry_field)i, c, n);
	}
	return finish(out, defsource);
}

const char *
inquiry_problems_json(struct arena *a, const struct inquiry_problem *p,
    size_t n)
{
	struct json_object *o, *e, *list, *x;
	size_t i;

	o = jsonx_own(a, json_object_new_object());
	e = json_object_new_object();
	json_object_object_add(o, "error", e);
	json_object_object_add(e, "code",
	    json_object_new_string("unprocessable"));
	json_object_object_add(e, "message", json_object_new_string(
	    arena_printf(a, "%zu field%s must be corrected: %s %s%s", n,
	    n == 1 ? "" : "s", n > 0 ? p[0].field : "", n > 0 ? p[0].reason :
	    "", n > 1 ? " (and the others listed)." : ".")));
	list = json_object_new_array();
	json_object_object_add(e, "problems", list);
	for (i = 0; i < n; i++) {
		x = json_object_new_object();
		json_object_object_add(x, "field",
		    json_object_new_string(p[i].field));
		json_object_object_add(x, "reason",
		    json_object_new_string(p[i].reason));
		json_object_array_add(list, x);
	}
	return jsonx_string(a, o);
}

/* Inserts the inquiry: 201 and its JSON. */
static enum err
insert(struct db *db, struct arena *a, const char *ws,
    const struct inquiry_in *in, const char **json)
{
	const char *p[1 + INQUIRY__MAX];
	size_t i;

	p[0] = ws;
	for (i = 0; i < INQUIRY__MAX; i++)
		p[1 + i] = in->v[i];
	return db_value(db, a, sql_insert, 1 + INQUIRY__MAX, p, json);
}

enum err
inquiry_create(struct db *db, struct arena *a, int64_t workspace_id,
    const struct inquiry_in *in, const char *key, const char *body_hash,
    int *status, const char **json, bool *replayed)
{
	struct db_res *res;
	const char *p[4];
	enum err rc;

	*replayed = false;
	*status = 201;
	p[0] = db_int64(a, workspace_id);
	if (key == NULL)
		return insert(db, a, p[0], in, json);
	p[1] = key;
	p[2] = body_hash;
	if ((rc = db_exec(db, a, sql_claim, 3, p, &res)) != ERR_OK)
		return rc;
	if (db_nrows(res) == 0) {
		if ((rc = db_exec(db, a, sql_claimed, 2, p, &res)) != ERR_OK)
			return rc;
		if (db_nrows(res) == 0)
			return ERR_DB;	/* claimed, then gone: retry */
		if (strcmp(db_get(res, 0, 2), body_hash) != 0)
			return ERR_CONFLICT;
		*status = (int)db_get_int64(res, 0, 0, 201);
		*json = db_get(res, 0, 1);
		*replayed = true;
		return ERR_OK;
	}
	if ((rc = insert(db, a, p[0], in, json)) != ERR_OK)
		return rc;
	p[2] = "201";
	p[3] = *json;
	return db_exec(db, a, sql_record, 4, p, NULL);
}

bool
inquiry_date_ok(const char *s)
{
	int64_t d;

	return day_parse(s, &d);
}

/* A positive integer of at most 18 digits, or -1. */
static int64_t
positive(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > 18)
		return -1;
	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return -1;
	return strtoll(s, NULL, 10) > 0 ? strtoll(s, NULL, 10) : -1;
}

enum err
inquiry_query_parse(const struct kvlist *query, struct inquiry_query *q,
    const char **param, const char **why)
{
	return inquiry_page_parse(query, inquiry_status_ok, "must be new, "
	    "contacted, qualified, converted or lost", q, param, why);
}

enum err
inquiry_page_parse(const struct kvlist *query, bool (*status_ok)(const
    char *), const char *statuses_text, struct inquiry_query *q,
    const char **param, const char **why)
{
	const char *s;
	int64_t n;
	bool bad;

	memset(q, 0, sizeof(*q));
	q->limit = 50;
	q->status = kv_value(query, "status");
	if (q->status != NULL && !status_ok(q->status)) {
		*param = "status";
		*why = statuses_text;
		return ERR_INPUT;
	}
	q->from = kv_value(query, "from");
	q->to = kv_value(query, "to");
	bad = q->from != NULL && !inquiry_date_ok(q->from);
	*param = bad ? "from" : "to";
	bad = bad || (q->to != NULL && !inquiry_date_ok(q->to));
	if (bad) {
		*why = "must be a date YYYY-MM-DD";
		return ERR_INPUT;
	}
	if (q->from != NULL && q->to != NULL && strcmp(q->from, q->to) > 0) {
		*param = "from";
		*why = "must not be after to";
		return ERR_INPUT;
	}
	if ((s = kv_value(query, "cursor")) != NULL) {
		if ((q->cursor = positive(s)) < 0) {
			*param = "cursor";
			*why = "is not one this API gave; start again without "
			    "it";
			return ERR_INPUT;
		}
	}
	if ((s = kv_value(query, "limit")) != NULL) {
		if ((n = positive(s)) < 1 || n > LIMIT_INQUIRY_PAGE) {
			*param = "limit";
			*why = "must be 1 to 100";
			return ERR_INPUT;
		}
		q->limit = (int)n;
	}
	return ERR_OK;
}

enum err
inquiry_page_json(struct db *db, struct arena *a, const char *sql,
    int64_t workspace_id, const struct inquiry_query *q, const char **json)
{
	const char *p[6];

	p[0] = db_int64(a, workspace_id);
	p[1] = q->status;
	p[2] = q->from;
	p[3] = q->to;
	p[4] = db_int64(a, q->cursor);
	p[5] = db_int64(a, q->limit);
	return db_value(db, a, sql, 6, p, json);
}

enum err
inquiry_one_json(struct db *db, struct arena *a, const char *sql,
    int64_t workspace_id, int64_t id, const char **json)
{
	const char *p[2];
	enum err rc;

	p[0] = db_int64(a, workspace_id);
	p[1] = db_int64(a, id);
	if ((rc = db_value(db, a, sql, 2, p, json)) != ERR_OK)
		return rc;
	return *json == NULL ? ERR_NOTFOUND : ERR_OK;
}

enum err
inquiry_list_json(struct db *db, struct arena *a, int64_t workspace_id,
    const struct inquiry_query *q, const char **json)
{
	return inquiry_page_json(db, a, sql_list, workspace_id, q, json);
}

enum err
inquiry_get_json(struct db *db, struct arena *a, int64_t workspace_id,
    int64_t id, const char **json)
{
	return inquiry_one_json(db, a, sql_get, workspace_id, id, json);
}

const char *
inquiry_change_problem(const struct inquiry_change *c, const char **field)
{
	size_t n;

	if (c->status != NULL && !inquiry_status_ok(c->status)) {
		*field = "status";
		return "must be new, contacted, qualified, converted or lost";
	}
	if (c->has_owner && c->owner < 0) {
		*field = "owner";
		return "must be a member's user id, or null for nobody";
	}
	if (c->note == NULL)
		return NULL;
	*field = "note";
	n = strlen(c->note);
	if (!utf8_valid(c->note, n))
		return "must be text (UTF-8)";
	if (n == 0 || utf8_chars(c->note) > LIMIT_INQUIRY_TEXT)
		return "must be 1 to 5000 characters";
	if (has_control(c->note, n, true))
		return "must not hold control characters";
	return NULL;
}

enum err
inquiry_update(struct db *db, struct arena *a, int64_t workspace_id,
    int64_t id, const struct inquiry_change *c)
{
	struct db_res *res;
	const char *p[6];
	enum err rc;

	p[0] = db_int64(a, workspace_id);
	p[1] = db_int64(a, id);
	if (c->has_owner && c->owner > 0) {
		p[1] = db_int64(a, c->owner);
		if ((rc = db_exec(db, a, sql_member, 2, p, &res)) != ERR_OK)
			return rc;
		if (db_nrows(res) == 0)
			return ERR_UNPROCESSABLE;
		p[1] = db_int64(a, id);
	}
	p[2] = c->status;
	p[3] = c->has_owner ? "true" : "false";
	p[4] = c->has_owner && c->owner > 0 ? db_int64(a, c->owner) : NULL;
	p[5] = c->author > 0 ? db_int64(a, c->author) : NULL;
	if ((rc = db_exec(db, a, sql_update, 6, p, &res)) != ERR_OK)
		return rc;
	if (db_nrows(res) == 0)
		return ERR_NOTFOUND;
	if (c->note == NULL)
		return ERR_OK;
	p[2] = c->author > 0 ? db_int64(a, c->author) : NULL;
	p[3] = c->note;
	return db_exec(db, a, sql_note, 4, p, NULL);
}

enum err
inquiry_count_new(struct db *db, struct arena *a, int64_t workspace_id,
    long *n)
{
	const char *p[1], *v;
	enum err rc;

	p[0] = db_int64(a, workspace_id);
	if ((rc = db_value_static(db, a, sql_count_new, 1, p, &v)) != ERR_OK)
		return rc;
	*n = v != NULL ? strtol(v, NULL, 10) : 0;
	return ERR_OK;
}

enum err
inquiry_members_json(struct db *db, struct arena *a, int64_t workspace_id,
    const char **json)
{
	const char *p[1];

	p[0] = db_int64(a, workspace_id);
	return db_value(db, a, sql_members, 1, p, json);
}

static void
form_row(struct db_res *res, struct inquiry_form *out)
{
	out->workspace_id = db_get_int64(res, 0, 0, 0);
	out->token = db_get(res, 0, 1);
	out->origins = db_get(res, 0, 2);
	out->thank_you_url = db_get(res, 0, 3);
}

enum err
inquiry_form_find(struct db *db, struct arena *a, const char *token,
    struct inquiry_form *out)
{
	struct db_res *res;
	const char *p[1];
	enum err rc;

	p[0] = token;
	/* Only what the table's check admits can match. */
	if (strlen(token) > 64 || !utf8_valid(token, strlen(token)))
		return ERR_NOTFOUND;
	if ((rc = db_exec(db, a, sql_form_find, 1, p, &res)) != ERR_OK)
		return rc;
	if (db_nrows(res) == 0)
		return ERR_NOTFOUND;
	form_row(res, out);
	return ERR_OK;
}

enum err
inquiry_form_get(struct db *db, struct arena *a, int64_t workspace_id,
    struct inquiry_form *out)
{
	char token[CRYPTO_TOKEN_SIZE];
	struct db_res *res;
	const char *p[2];
	enum err rc;

	p[0] = db_int64(a, workspace_id);
	if ((rc = db_exec(db, a, sql_form_get, 1, p, &res)) != ERR_OK)
		return rc;
	if (db_nrows(res) == 0) {
		if ((rc = crypto_random_b64url(token)) != ERR_OK)
			return rc;
		token[24] = '\0';	/* 144 bits: unguessable enough */
		p[1] = token;
		if ((rc = db_exec(db, a, sql_form_make, 2, p, NULL)) !=
		    ERR_OK || (rc = db_exec(db, a, sql_form_get, 1, p,
		    &res)) != ERR_OK)
			return rc;
		if (db_nrows(res) == 0)
			return ERR_DB;
	}
	form_row(res, out);
	return ERR_OK;
}

enum err
inquiry_form_rotate(struct db *db, struct arena *a, int64_t workspace_id)
{
	char token[CRYPTO_TOKEN_SIZE];
	struct inquiry_form f;
	const char *p[2];
	enum err rc;

	if ((rc = inquiry_form_get(db, a, workspace_id, &f)) != ERR_OK ||
	    (rc = crypto_random_b64url(token)) != ERR_OK)
		return rc;
	token[24] = '\0';
	p[0] = db_int64(a, workspace_id);
	p[1] = token;
	return db_exec(db, a, sql_form_rotate, 2, p, NULL);
}

/* "scheme://host[:port]" with nothing after, http or https. */
static bool
origin_ok(const char *s, size_t len)
{
	const char *h;
	size_t i;

	if (len > 8 && strncmp(s, "https://", 8) == 0)
		h = s + 8;
	else if (len > 7 && strncmp(s, "http://", 7) == 0)
		h = s + 7;
	else
		return false;
	for (i = (size_t)(h - s); i < len; i++)
		if (!isalnum((unsigned char)s[i]) && strchr(".-:[]",
		    s[i]) == NULL)
			return false;
	return true;
}

/* The origin s (len bytes, origin_ok()) as a browser sends it, into b:
 * lower case, without the scheme's default port (":443", ":80"). */
static void
origin_put(struct buf *b, const char *s, size_t len)
{
	size_t i, start = b->len;

	if (len > 8 && strncmp(s, "https://", 8) == 0 && len > 4 &&
	    strncmp(s + len - 4, ":443", 4) == 0)
		len -= 4;
	else if (len > 7 && strncmp(s, "http://", 7) == 0 && len > 3 &&
	    strncmp(s + len - 3, ":80", 3) == 0)
		len -= 3;
	buf_append(b, s, len);
	for (i = start; i < b->len; i++)
		b->data[i] = (char)tolower((unsigned char)b->data[i]);
}

const char *
inquiry_form_save(struct db *db, struct arena *a, int64_t workspace_id,
    const char *origins, const char *thank_you_url, const char **field,
    enum err *err_out)
{
	struct inquiry_form f;
	struct buf *b;
	const char *s, *p[3];
	size_t n, count = 0;

	*err_out = ERR_UNPROCESSABLE;
	*field = "origins";
	if (strlen(origins) > LIMIT_INQUIRY_URL)
		return "are too long";
	b = buf_new_arena(a, strlen(origins) + 1);
	for (s = origins; *s != '\0'; s += n) {
		s += strspn(s, " \t\r\n,");
		if ((n = strcspn(s, " \t\r\n,")) == 0)
			break;
		if (!origin_ok(s, n))
			return "must each be a site's origin such as "
			    "https://www.example.com (no path)";
		if (++count > LIMIT_FORM_ORIGINS)
			return "may be at most 5";
		if (b->len > 0)
			buf_puts(b, " ");
		origin_put(b, s, n);
	}
	*field = "thank_you_url";
	if (strlen(thank_you_url) > LIMIT_INQUIRY_URL)
		return "is too long (at most 2000 bytes)";
	if (*thank_you_url != '\0' && (!url_ok(thank_you_url) ||
	    !utf8_valid(thank_you_url, strlen(thank_you_url))))
		return "must be an http:// or https:// address";
	if ((*err_out = inquiry_form_get(db, a, workspace_id, &f)) != ERR_OK)
		return "could not be saved";
	p[0] = db_int64(a, workspace_id);
	p[1] = buf_cstr(b);
	p[2] = thank_you_url;
	if ((*err_out = db_exec(db, a, sql_form_save, 3, p, NULL)) != ERR_OK)
		return "could not be saved";
	return NULL;
}

bool
inquiry_form_origin_ok(const struct inquiry_form *f, const char *origin)
{
	const char *p, *list = f->origins;
	size_t n;

	if (origin == NULL || *origin == '\0' || list == NULL)
		return false;
	n = strlen(origin);
	for (p = list; (p = strstr(p, origin)) != NULL; p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == '\0' ||
		    p[n] == ' '))
			return true;
	return false;
}

enum err
inquiry_form_throttle(struct db *db, struct arena *a, int64_t workspace_id,
    const char *addr, long *retry_after)
{
	const char *p[6], *v;
	enum err rc;

	p[0] = db_int64(a, workspace_id);
	p[1] = addr != NULL ? addr : "";
	p[2] = db_int64(a, LIMIT_FORM_ADDR);
	p[3] = db_int64(a, LIMIT_FORM_ADDR_S);
	p[4] = db_int64(a, LIMIT_FORM_ALL);
	p[5] = db_int64(a, LIMIT_FORM_ALL_S);
	if ((rc = db_value(db, a, sql_take, 6, p, &v)) != ERR_OK)
		return rc;
	*retry_after = v != NULL ? strtol(v, NULL, 10) : 0;
	(void)db_exec(db, a, sql_gc, 0, NULL, NULL);
	return ERR_OK;
}
