/*
 * webhook.c — Resend's webhooks: signature check, event parsing, the
 * suppression and digest decisions, storage once per svix-id, and the
 * summary admins read.  Owns the SQL of email_events and of the webhook's
 * writes to email_suppressions and digest_sends.
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/jsonx.h"
#include "base/utf8.h"
#include "crypto/crypto.h"
#include "mail/webhook.h"
#include "store/db.h"

/*
 * Storing an event is one statement, so one transaction and one round
 * trip: the event row, and only when it is new (ev has a row) its
 * effects.  A redelivery finds the svix-id taken, ev is empty and nothing
 * else changes; concurrent deliveries of one id wait on the unique index
 * and all but one find it taken.  Each combination of effects has its own
 * statement: PostgreSQL plans the one with every CTE at four times the
 * cost of the plain INSERT and the digest-send one at twice.
 *   $1 svix-id  $2 type  $3 email_id  $4 first recipient  $5 created_at
 *   $6 payload, then the effects' parameters (SUPPRESS_CTE, SEND_CTE).
 */
#define INSERT_EVENT \
    "INSERT INTO email_events (message_id, type, email_id, recipient," \
    " created_at, payload)" \
    " VALUES ($1, $2, $3, $4, $5::timestamptz, $6::jsonb)" \
    " ON CONFLICT (message_id) DO NOTHING" \
    " RETURNING id"

/* ADDRS: a JSON array of lower-case addresses; REASON: bounced, ... */
#define SUPPRESS_CTE(ADDRS, REASON) \
    "sup AS (" \
    " INSERT INTO email_suppressions (email, reason, source_event)" \
    " SELECT a.email, " REASON "::text, $1" \
    " FROM ev, jsonb_array_elements_text(" ADDRS "::jsonb) AS a(email)" \
    " ON CONFLICT (email) DO NOTHING)"

/* ACTION: delivered (claimed -> sent, sent_at), failed (claimed or sent
 * -> failed, error) or note (error only); ERROR: the error text. */
#define SEND_CTE(ACTION, ERROR) \
    "send AS (" \
    " UPDATE digest_sends AS d SET" \
    "  status = CASE" \
    "   WHEN " ACTION "::text = 'delivered' AND d.status = 'claimed'" \
    "    THEN 'sent'" \
    "   WHEN " ACTION "::text = 'failed' AND d.status IN ('claimed', 'sent')" \
    "    THEN 'failed'" \
    "   ELSE d.status END," \
    "  sent_at = CASE" \
    "   WHEN " ACTION "::text = 'delivered'" \
    "    AND d.status IN ('claimed', 'sent')" \
    "    THEN coalesce(d.sent_at, $5::timestamptz, now())" \
    "   ELSE d.sent_at END," \
    "  error = CASE WHEN " ACTION "::text = 'delivered' THEN d.error" \
    "   ELSE " ERROR "::text END" \
    " FROM ev WHERE d.resend_id = $3)"

/* Data-modifying CTEs run to completion whether read or not. */
static const char SQL_INSERT[] = INSERT_EVENT;
static const char SQL_INSERT_SUPPRESS[] =
    "WITH ev AS (" INSERT_EVENT "), " SUPPRESS_CTE("$7", "$8")
    " SELECT count(*) FROM ev";
static const char SQL_INSERT_SEND[] =
    "WITH ev AS (" INSERT_EVENT "), " SEND_CTE("$7", "$8")
    " SELECT count(*) FROM ev";
static const char SQL_INSERT_BOTH[] =
    "WITH ev AS (" INSERT_EVENT "), " SUPPRESS_CTE("$7", "$8") ", "
    SEND_CTE("$9", "$10") " SELECT count(*) FROM ev";

/*
 * Several events in one statement, one commit (webhook_store_all()): the
 * arrays $1..$9 hold one field of each event, $10 their payloads as one
 * JSON array, in the same order.  The events new to email_events bring
 * their effects, as the one-event statements' do (their parameters, one
 * element per event, NULL for none): every address in addrs suppressed
 * with reason, the digest send of email_id moved by action.  No two
 * events of one statement share a svix-id, nor an email id with an
 * action (one UPDATE changes a row once): the caller splits them.
 */
static const char SQL_INSERT_MANY[] =
    "WITH v AS (SELECT u.*, p.payload FROM unnest($1::text[], $2::text[],"
    " $3::text[], $4::text[], $5::timestamptz[], $6::text[], $7::text[],"
    " $8::text[], $9::text[]) WITH ORDINALITY AS u(id, type, email_id,"
    " recipient, created_at, addrs, reason, action, error, i)"
    " JOIN jsonb_array_elements($10::jsonb) WITH ORDINALITY AS"
    " p(payload, k) ON p.k = u.i),"
    " ev AS (INSERT INTO email_events (message_id, type, email_id,"
    " recipient, created_at, payload) SELECT id, type, email_id, recipient,"
    " created_at, payload FROM v ORDER BY i"
    " ON CONFLICT (message_id) DO NOTHING RETURNING message_id),"
    " n AS (SELECT v.* FROM v JOIN ev ON ev.message_id = v.id),"
    " sup AS (INSERT INTO email_suppressions (email, reason, source_event)"
    " SELECT a.email, n.reason, n.id FROM n,"
    " jsonb_array_elements_text(n.addrs::jsonb) AS a(email)"
    " WHERE n.reason IS NOT NULL ORDER BY n.i"
    " ON CONFLICT (email) DO NOTHING),"
    " send AS (UPDATE digest_sends AS d SET"
    "  status = CASE"
    "   WHEN n.action = 'delivered' AND d.status = 'claimed' THEN 'sent'"
    "   WHEN n.action = 'failed' AND d.status IN ('claimed', 'sent')"
    "    THEN 'failed'"
    "   ELSE d.status END,"
    "  sent_at = CASE"
    "   WHEN n.action = 'delivered' AND d.status IN ('claimed', 'sent')"
    "    THEN coalesce(d.sent_at, n.created_at, now())"
    "   ELSE d.sent_at END,"
    "  error = CASE WHEN n.action = 'delivered' THEN d.error"
    "   ELSE n.error END"
    " FROM n WHERE d.resend_id = n.email_id AND n.action IS NOT NULL)"
    " SELECT message_id FROM ev";

/*
 * The summary: counts by type over a day of received_at, newest events —
 * of one workspace: events about mail it sent (its digest sends), never
 * events found by address (a person in two workspaces would show one
 * workspace's mail to the other).
 */
#define SQL_MINE \
    " email_id IN (SELECT resend_id FROM digest_sends WHERE workspace_id" \
    " = $1 AND resend_id IS NOT NULL)"
static const char SQL_COUNTS[] =
    "SELECT type, count(*) FROM email_events"
    " WHERE received_at > now() - interval '24 hours' AND" SQL_MINE
    " GROUP BY type ORDER BY type";

#define ISO_UTC(col) \
    "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"

static const char SQL_LATEST[] =
    "SELECT id, message_id, type, email_id, recipient, "
    ISO_UTC("created_at") ", " ISO_UTC("received_at")
    " FROM email_events WHERE" SQL_MINE
    " ORDER BY received_at DESC, id DESC LIMIT $2";

static const char *const kind_names[WEBHOOK__MAX] = {
	[WEBHOOK_OTHER] = "",
	[WEBHOOK_EMAIL_SENT] = "email.sent",
	[WEBHOOK_EMAIL_SCHEDULED] = "email.scheduled",
	[WEBHOOK_EMAIL_DELIVERED] = "email.delivered",
	[WEBHOOK_EMAIL_DELIVERY_DELAYED] = "email.delivery_delayed",
	[WEBHOOK_EMAIL_BOUNCED] = "email.bounced",
	[WEBHOOK_EMAIL_COMPLAINED] = "email.complained",
	[WEBHOOK_EMAIL_OPENED] = "email.opened",
	[WEBHOOK_EMAIL_CLICKED] = "email.clicked",
	[WEBHOOK_EMAIL_FAILED] = "email.failed",
	[WEBHOOK_EMAIL_SUPPRESSED] = "email.suppressed",
	[WEBHOOK_EMAIL_RECEIVED] = "email.received",
	[WEBHOOK_SUPPRESSION_ADDED] = "suppression.added",
};

static const char *const wh_messages[CRYPTO_WH__MAX] = {
	[CRYPTO_WH_OK] = "ok",
	[CRYPTO_WH_BAD_SECRET] = "bad_secret: SLUICE_RESEND_WEBHOOK_SECRET "
	    "is not a whsec_ secret (base64 after the prefix)",
	[CRYPTO_WH_MISSING] = "missing: the svix-id, svix-timestamp and "
	    "svix-signature headers are all required",
	[CRYPTO_WH_BAD_TIMESTAMP] = "bad_timestamp: svix-timestamp is not a "
	    "whole number of seconds",
	[CRYPTO_WH_TOO_OLD] = "too_old: svix-timestamp is more than 5 "
	    "minutes in the past",
	[CRYPTO_WH_TOO_NEW] = "too_new: svix-timestamp is more than 5 "
	    "minutes in the future",
	[CRYPTO_WH_BAD_HEADER] = "bad_header: svix-signature has no "
	    "well-formed v1 entry",
	[CRYPTO_WH_NO_MATCH] = "no_match: no v1 signature in svix-signature "
	    "matches this body with the configured secret",
};

const char *
webhook_kind_name(enum webhook_kind k)
{
	if (k <= WEBHOOK_OTHER || k >= WEBHOOK__MAX)
		return "";
	return kind_names[k];
}

enum webhook_kind
webhook_kind_from(const char *type)
{
	int k;

	if (type == NULL)
		return WEBHOOK_OTHER;
	for (k = WEBHOOK_OTHER + 1; k < WEBHOOK__MAX; k++)
		if (strcmp(type, kind_names[k]) == 0)
			return (enum webhook_kind)k;
	return WEBHOOK_OTHER;
}

/* Printable ASCII only (0x21..0x7e), 1..max bytes. */
static int
is_token(const char *s, size_t max)
{
	size_t n;

	if (s == NULL)
		return 0;
	for (n = 0; s[n] != '\0'; n++)
		if (n >= max || (unsigned char)s[n] <= 0x20 ||
		    (unsigned char)s[n] >= 0x7f)
			return 0;
	return n > 0;
}

enum err
webhook_verify(const char *secret, const char *id, const char *timestamp,
    const char *signature, const char *body, size_t len, int64_t now,
    const char **why)
{
	enum crypto_wh r;

	if (secret == NULL || *secret == '\0') {
		*why = "not_configured: SLUICE_RESEND_WEBHOOK_SECRET is not "
		    "set";
		return ERR_UNAVAILABLE;
	}
	r = crypto_wh_verify(secret, id, timestamp, signature, body, len, now);
	if (r < 0 || r >= CRYPTO_WH__MAX)
		r = CRYPTO_WH_NO_MATCH;
	*why = wh_messages[r];
	if (r == CRYPTO_WH_BAD_SECRET)
		return ERR_UNAVAILABLE;
	if (r != CRYPTO_WH_OK)
		return ERR_AUTH;
	if (!is_token(id, WEBHOOK_MAX_ID)) {
		*why = "bad_id: svix-id must be 1 to 256 printable ASCII "
		    "characters";
		return ERR_INPUT;
	}
	return ERR_OK;
}

/* Whether a JSON text has the escape \u0000, which jsonb refuses. */
static int
has_nul_escape(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i++) {
		if (s[i] != '\\')
			continue;
		if (s[i + 1] == 'u' && len - i >= 6 &&
		    memcmp(s + i + 2, "0000", 4) == 0)
			return 1;
		i++;	/* skip the escaped character */
	}
	return 0;
}

static int
digits(const char *s, int n, int *out)
{
	int i, v = 0;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 1;
}

/*
 * An RFC 3339 date-time PostgreSQL takes as it is:
 * YYYY-MM-DDTHH:MM:SS[.f{1,9}](Z|+HH:MM|-HH:MM), a real calendar day.
 */
static int
valid_time(const char *s)
{
	static const int mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	int y, mo, d, h, mi, sec, oh, om, f;
	size_t len;

	if (s == NULL || (len = strlen(s)) < 20 || len > 35)
		return 0;
	if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) ||
	    s[7] != '-' || !digits(s + 8, 2, &d) ||
	    (s[10] != 'T' && s[10] != 't') || !digits(s + 11, 2, &h) ||
	    s[13] != ':' || !digits(s + 14, 2, &mi) || s[16] != ':' ||
	    !digits(s + 17, 2, &sec))
		return 0;
	if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] ||
	    h > 23 || mi > 59 || sec > 59)
		return 0;
	if (mo == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 ||
	    y % 400 == 0)))
		return 0;
	s += 19;
	if (*s == '.') {
		for (f = 0, s++; *s >= '0' && *s <= '9'; s++)
			f++;
		if (f < 1 || f > 9)
			return 0;
	}
	if ((s[0] == 'Z' || s[0] == 'z') && s[1] == '\0')
		return 1;
	if ((s[0] != '+' && s[0] != '-') || !digits(s + 1, 2, &oh) ||
	    s[3] != ':' || !digits(s + 4, 2, &om) || s[6] != '\0')
		return 0;
	return oh <= 23 && om <= 59;
}

/* At most max bytes of s, cut on a UTF-8 character boundary. */
static const char *
text(struct arena *a, const char *s, size_t max)
{
	size_t n;

	if (s == NULL)
		return NULL;
	if ((n = strlen(s)) <= max)
		return s;
	n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	return arena_strndup(a, s, n);
}

/*
 * A recipient as a bare lower-case address: "Name <a@b>" gives "a@b".
 * NULL when it is not a plausible address (no '@' between two non-empty
 * parts, white space, control characters, brackets, too long).
 */
static const char *
address(struct arena *a, const char *s)
{
	const char *lt, *at = NULL;
	char *out;
	size_t len, i;

	if (s == NULL)
		return NULL;
	len = strlen(s);
	if (len > 0 && s[len - 1] == '>' && (lt = strrchr(s, '<')) != NULL) {
		s = lt + 1;
		len = (size_t)(strchr(s, '>') - s);
	}
	if (len < 3 || len > WEBHOOK_MAX_ADDRESS)
		return NULL;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= 0x20 || c == 0x7f || strchr("<>,;\"()[]\\", c) != NULL)
			return NULL;
		if (c == '@') {
			if (at != NULL)
				return NULL;
			at = s + i;
		}
	}
	if (at == NULL || at == s || at == s + len - 1)
		return NULL;
	out = arena_strndup(a, s, len);
	for (i = 0; i < len; i++)
		if (out[i] >= 'A' && out[i] <= 'Z')
			out[i] = (char)(out[i] - 'A' + 'a');
	return out;
}

static int
cmp_str(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

static void
add_recipient(struct arena *a, struct webhook_event *ev, const char *s)
{
	if (ev->nrecipients < WEBHOOK_MAX_RECIPIENTS &&
	    (s = address(a, s)) != NULL)
		ev->recipients[ev->nrecipients++] = s;
}

/* data.to (an array, or one string) or data.email: sorted, unique. */
static void
read_recipients(struct arena *a, struct json_object *data,
    struct webhook_event *ev)
{
	struct json_object *to;
	size_t i, j, n;

	if (ev->kind == WEBHOOK_SUPPRESSION_ADDED)
		add_recipient(a, ev, jsonx_str(data, "email"));
	else if (data != NULL && jsonx_get_array(data, "to", &to) == ERR_OK) {
		n = json_object_array_length(to);
		for (i = 0; i < n; i++) {
			struct json_object *v = json_object_array_get_idx(to,
			    i);

			if (json_object_is_type(v, json_type_string))
				add_recipient(a, ev, json_object_get_string(v));
		}
	} else
		add_recipient(a, ev, jsonx_str(data, "to"));
	if (ev->nrecipients < 2)
		return;
	qsort(ev->recipients, ev->nrecipients, sizeof(ev->recipients[0]),
	    cmp_str);
	for (i = 1, j = 1; i < ev->nrecipients; i++)
		if (strcmp(ev->recipients[i], ev->recipients[j - 1]) != 0)
			ev->recipients[j++] = ev->recipients[i];
	ev->nrecipients = j;
}

static void
read_bounce(struct arena *a, struct json_object *data,
    struct webhook_event *ev)
{
	struct json_object *b;
	const char *t;

	if (data == NULL || jsonx_get_object(data, "bounce", &b) != ERR_OK)
		return;
	t = jsonx_str(b, "type");
	ev->bounce_type = is_token(t, 64) ? t : NULL;
	t = jsonx_str(b, "subType");
	ev->bounce_subtype = is_token(t, 64) ? t : NULL;
	ev->bounce_message = text(a, jsonx_str(b, "message"), WEBHOOK_MAX_TEXT);
	if (ev->bounce_type == NULL)
		ev->bounce = WEBHOOK_BOUNCE_NONE;
	else if (strcmp(ev->bounce_type, "Permanent") == 0)
		ev->bounce = WEBHOOK_BOUNCE_PERMANENT;
	else if (strcmp(ev->bounce_type, "Transient") == 0)
		ev->bounce = WEBHOOK_BOUNCE_TRANSIENT;
	else if (strcmp(ev->bounce_type, "Undetermined") == 0)
		ev->bounce = WEBHOOK_BOUNCE_UNDETERMINED;
	else
		ev->bounce = WEBHOOK_BOUNCE_OTHER;
}

enum err
webhook_parse(struct arena *a, const char *body, size_t len,
    struct webhook_event *out, const char **why)
{
	struct json_object *root, *data = NULL, *o;
	const char *s;
	enum err rc;

	memset(out, 0, sizeof(*out));
	if (!utf8_valid(body, len)) {
		*why = "the body is not valid UTF-8";
		return ERR_INPUT;
	}
	if (has_nul_escape(body, len)) {
		*why = "the body has a \\u0000 escape, which cannot be "
		    "stored";
		return ERR_INPUT;
	}
	if ((rc = jsonx_parse(a, body, len, &root, why)) != ERR_OK)
		return ERR_INPUT;
	if (!json_object_is_type(root, json_type_object)) {
		*why = "the body is not a JSON object";
		return ERR_INPUT;
	}
	rc = jsonx_get_string(root, "type", &s);
	if (rc == ERR_NOTFOUND) {
		*why = "the event has no \"type\"";
		return ERR_INPUT;
	}
	if (rc != ERR_OK || !is_token(s, WEBHOOK_MAX_TYPE)) {
		*why = "the event's \"type\" is not a string of 1 to 100 "
		    "printable ASCII characters";
		return ERR_INPUT;
	}
	out->type = s;
	out->kind = webhook_kind_from(s);
	s = jsonx_str(root, "created_at");
	out->created_at = valid_time(s) ? s : NULL;
	if (jsonx_get_object(root, "data", &o) == ERR_OK)
		data = o;
	s = jsonx_str(data, "email_id");
	out->email_id = is_token(s, WEBHOOK_MAX_ID) ? s : NULL;
	read_recipients(a, data, out);
	read_bounce(a, data, out);
	if (data != NULL && jsonx_get_object(data, "failed", &o) == ERR_OK)
		out->failed_reason = text(a, jsonx_str(o, "reason"),
		    WEBHOOK_MAX_TEXT);
	if (data != NULL && jsonx_get_object(data, "suppressed", &o) ==
	    ERR_OK)
		out->suppressed_type = text(a, jsonx_str(o, "type"),
		    WEBHOOK_MAX_TEXT);
	out->origin = text(a, jsonx_str(data, "origin"), 64);
	return ERR_OK;
}

/* "label", "label (t1)" or "label (t1/t2)", in the arena. */
static const char *
note(struct arena *a, const char *label, const char *t1, const char *t2)
{
	if (t1 == NULL)
		return label;
	if (t2 == NULL)
		return arena_printf(a, "%s (%s)", label, t1);
	return arena_printf(a, "%s (%s/%s)", label, t1, t2);
}

void
webhook_decide(struct arena *a, const struct webhook_event *ev,
    struct webhook_effect *out)
{
	const char *n;

	memset(out, 0, sizeof(*out));
	switch (ev->kind) {
	case WEBHOOK_EMAIL_BOUNCED:
		if (ev->bounce == WEBHOOK_BOUNCE_PERMANENT) {
			out->suppress_reason = "bounced";
			out->send = WEBHOOK_SEND_FAILED;
			n = note(a, "bounced", ev->bounce_type,
			    ev->bounce_subtype);
		} else {
			out->send = WEBHOOK_SEND_NOTE;
			n = note(a, "soft bounce", ev->bounce_type,
			    ev->bounce_subtype);
		}
		out->send_error = ev->bounce_message == NULL ? n :
		    arena_printf(a, "%s: %s", n, ev->bounce_message);
		break;
	case WEBHOOK_EMAIL_COMPLAINED:
		out->suppress_reason = "complained";
		break;
	case WEBHOOK_SUPPRESSION_ADDED:
		if (ev->origin != NULL && strcmp(ev->origin, "bounce") == 0)
			out->suppress_reason = "bounced";
		else if (ev->origin != NULL &&
		    strcmp(ev->origin, "complaint") == 0)
			out->suppress_reason = "complained";
		else
			out->suppress_reason = "manual";
		break;
	case WEBHOOK_EMAIL_DELIVERED:
		out->send = WEBHOOK_SEND_DELIVERED;
		break;
	case WEBHOOK_EMAIL_FAILED:
		out->send = WEBHOOK_SEND_FAILED;
		out->send_error = ev->failed_reason == NULL ? "failed" :
		    arena_printf(a, "failed: %s", ev->failed_reason);
		break;
	case WEBHOOK_EMAIL_SUPPRESSED:
		out->send = WEBHOOK_SEND_FAILED;
		out->send_error = ev->suppressed_type == NULL ?
		    "suppressed by Resend" : arena_printf(a,
		    "suppressed by Resend (%s)", ev->suppressed_type);
		break;
	default:
		break;
	}
	if (out->suppress_reason != NULL && ev->nrecipients == 0)
		out->suppress_reason = NULL;
}

/* The addresses as a JSON array text in the arena, or NULL if none. */
static const char *
address_array(struct arena *a, const struct webhook_event *ev)
{
	struct buf *b;
	size_t i;

	if (ev->nrecipients == 0)
		return NULL;
	b = buf_new_arena(a, WEBHOOK_MAX_RECIPIENTS *
	    (WEBHOOK_MAX_ADDRESS * 6 + 3) + 2);
	buf_putc(b, '[');
	for (i = 0; i < ev->nrecipients; i++) {
		if (i > 0)
			buf_putc(b, ',');
		buf_put_json_string(b, ev->recipients[i],
		    strlen(ev->recipients[i]));
	}
	buf_putc(b, ']');
	return buf_cstr(b);
}

enum err
webhook_store(struct db *db, struct arena *a, const char *svix_id,
    const struct webhook_event *ev, const struct webhook_effect *fx,
    const char *body, size_t len, bool *inserted)
{
	static const char *const actions[] = {
		[WEBHOOK_SEND_NONE] = NULL,
		[WEBHOOK_SEND_DELIVERED] = "delivered",
		[WEBHOOK_SEND_FAILED] = "failed",
		[WEBHOOK_SEND_NOTE] = "note",
	};
	const char *p[10], *sql;
	struct db_res *res;
	int n = 6;
	enum err rc;

	p[0] = svix_id;
	p[1] = ev->type;
	p[2] = ev->email_id;
	p[3] = ev->nrecipients > 0 ? ev->recipients[0] : NULL;
	p[4] = ev->created_at;
	p[5] = arena_strndup(a, body, len);
	if (fx->suppress_reason != NULL && ev->nrecipients > 0) {
		p[n++] = address_array(a, ev);
		p[n++] = fx->suppress_reason;
	}
	if (fx->send != WEBHOOK_SEND_NONE && ev->email_id != NULL) {
		p[n++] = actions[fx->send];
		p[n++] = fx->send_error;
	}
	if (n == 6)
		sql = SQL_INSERT;
	else if (n == 10)
		sql = SQL_INSERT_BOTH;
	else if (fx->suppress_reason != NULL && ev->nrecipients > 0)
		sql = SQL_INSERT_SUPPRESS;
	else
		sql = SQL_INSERT_SEND;
	if ((rc = db_exec_static(db, a, sql, n, p, &res)) != ERR_OK)
		return rc;
	if (inserted != NULL)
		*inserted = sql == SQL_INSERT ? db_nrows(res) > 0 :
		    db_get_int64(res, 0, 0, 0) > 0;
	return ERR_OK;
}

/* Email id (none first), then svix-id: two processes' statements take
 * their locks in one order. */
static int
delivery_cmp(const void *x, const void *y)
{
	const struct webhook_delivery *a = *(const struct webhook_delivery
	    *const *)x, *b = *(const struct webhook_delivery *const *)y;
	const char *ea = a->ev.email_id, *eb = b->ev.email_id;
	int c;

	if ((ea == NULL) != (eb == NULL))
		return ea == NULL ? -1 : 1;
	if (ea != NULL && (c = strcmp(ea, eb)) != 0)
		return c;
	return strcmp(a->svix_id, b->svix_id);
}

/* One delivery stored alone. */
static void
store_one(struct db *db, struct arena *a, struct webhook_delivery *d)
{
	d->inserted = false;
	d->rc = webhook_store(db, a, d->svix_id, &d->ev, &d->fx, d->body,
	    d->len, &d->inserted);
}

/* The one-event statements' effect parameters of d: the addresses and
 * reason of a suppression, the action and error of a digest send (NULL:
 * none). */
static void
effects(struct arena *a, const struct webhook_delivery *d,
    const char **addrs, const char **reason, const char **action,
    const char **error)
{
	static const char *const actions[] = {
		[WEBHOOK_SEND_NONE] = NULL,
		[WEBHOOK_SEND_DELIVERED] = "delivered",
		[WEBHOOK_SEND_FAILED] = "failed",
		[WEBHOOK_SEND_NOTE] = "note",
	};
	bool sup = d->fx.suppress_reason != NULL && d->ev.nrecipients > 0;
	bool send = d->fx.send != WEBHOOK_SEND_NONE && d->ev.email_id != NULL;

	*addrs = sup ? address_array(a, &d->ev) : NULL;
	*reason = sup ? d->fx.suppress_reason : NULL;
	*action = send ? actions[d->fx.send] : NULL;
	*error = send ? d->fx.send_error : NULL;
}

/* Whether d moves a digest send another of the n at g moves too. */
static bool
same_send(struct webhook_delivery *const *g, size_t n,
    const struct webhook_delivery *d)
{
	size_t i;

	if (d->fx.send == WEBHOOK_SEND_NONE || d->ev.email_id == NULL)
		return false;
	for (i = 0; i < n; i++)
		if (g[i]->fx.send != WEBHOOK_SEND_NONE &&
		    g[i]->ev.email_id != NULL &&
		    strcmp(g[i]->ev.email_id, d->ev.email_id) == 0)
			return true;
	return false;
}

/* The n deliveries at g (distinct svix-ids, no shared digest send) in
 * SQL_INSERT_MANY; when it fails but for the server's absence, each
 * alone. */
static void
store_group(struct db *db, struct arena *a, struct webhook_delivery **g,
    size_t n)
{
	const char **f[9], *p[10];
	struct db_res *res;
	struct buf *pay;
	size_t i, k, len = 2;
	enum err rc;

	if (n <= 1) {
		if (n == 1)
			store_one(db, a, g[0]);
		return;
	}
	for (k = 0; k < 9; k++)
		f[k] = arena_calloc(a, n, sizeof(*f[k]));
	for (i = 0; i < n; i++)
		len += g[i]->len + 1;
	pay = buf_new_arena(a, len + 1);
	buf_putc(pay, '[');
	for (i = 0; i < n; i++) {
		f[0][i] = g[i]->svix_id;
		f[1][i] = g[i]->ev.type;
		f[2][i] = g[i]->ev.email_id;
		f[3][i] = g[i]->ev.nrecipients > 0 ? g[i]->ev.recipients[0] :
		    NULL;
		f[4][i] = g[i]->ev.created_at;
		effects(a, g[i], &f[5][i], &f[6][i], &f[7][i], &f[8][i]);
		if (i > 0)
			buf_putc(pay, ',');
		buf_append(pay, g[i]->body, g[i]->len);
	}
	buf_putc(pay, ']');
	for (k = 0; k < 9; k++)
		p[k] = db_text_array(a, f[k], n, sizeof(char *));
	p[9] = buf_cstr(pay);
	/* Its generic plan: each batch's own arrays would have it planned
	 * anew (0.4 ms, more than running it), since a custom plan counts
	 * their elements and always looks cheaper.  That needs a
	 * transaction (db_exec_generic()); its BEGIN goes with the
	 * statement. */
	if ((rc = db_begin(db, a)) == ERR_OK &&
	    (rc = db_exec_generic(db, a, SQL_INSERT_MANY, 10, p, &res)) ==
	    ERR_OK)
		rc = db_commit(db, a);
	else
		db_rollback(db, a);
	if (rc != ERR_OK && rc != ERR_UNAVAILABLE) {
		for (i = 0; i < n; i++)
			store_one(db, a, g[i]);
		return;
	}
	for (i = 0; i < n; i++) {
		g[i]->rc = rc;
		g[i]->inserted = false;
		for (k = 0; rc == ERR_OK && k < db_nrows(res); k++)
			if (strcmp(db_get(res, k, 0), g[i]->svix_id) == 0)
				g[i]->inserted = true;
	}
}

void
webhook_store_all(struct db *db, struct arena *a,
    struct webhook_delivery **d, size_t n)
{
	struct webhook_delivery **order, **g, **first;
	size_t i, k, ng = 0;

	if (n == 1)
		store_one(db, a, d[0]);
	if (n <= 1)
		return;
	order = arena_calloc(a, n, sizeof(*order));
	memcpy(order, d, n * sizeof(*order));
	qsort(order, n, sizeof(*order), delivery_cmp);
	/* A svix-id twice: the later ones answer as the first (stored
	 * once; a redelivery).  Not only side by side: one id signed over
	 * bodies of other email ids sorts apart.  n is a flush's (at most
	 * LIMIT_FCGI_BATCH): each looks at those before it. */
	first = arena_calloc(a, n, sizeof(*first));
	for (i = 1; i < n; i++)
		for (k = 0; k < i && first[i] == NULL; k++)
			if (first[k] == NULL &&
			    strcmp(order[i]->svix_id, order[k]->svix_id) == 0)
				first[i] = order[k];
	/* Groups in order, a new one where a digest send would be moved
	 * twice. */
	g = arena_calloc(a, n, sizeof(*g));
	for (i = 0; i < n; i++) {
		if (first[i] != NULL)
			continue;
		if (same_send(g, ng, order[i])) {
			store_group(db, a, g, ng);
			ng = 0;
		}
		g[ng++] = order[i];
	}
	store_group(db, a, g, ng);
	for (i = 0; i < n; i++)
		if (first[i] != NULL) {
			order[i]->rc = first[i]->rc;
			order[i]->inserted = false;
		}
}

static struct json_object *
jstr(const char *s)
{
	return s != NULL ? json_object_new_string(s) : NULL;
}

enum err
webhook_summary(struct db *db, struct arena *a, int64_t workspace_id,
    struct json_object **out)
{
	struct json_object *root, *counts, *latest, *e;
	struct db_res *res;
	const char *limit[2];
	int64_t total = 0, n;
	size_t i;
	enum err rc;

	*out = NULL;
	limit[0] = db_int64(a, workspace_id);
	if ((rc = db_exec(db, a, SQL_COUNTS, 1, limit, &res)) != ERR_OK)
		return rc;
	root = jsonx_own(a, json_object_new_object());
	counts = json_object_new_object();
	for (i = 0; i < db_nrows(res); i++) {
		n = db_get_int64(res, i, 1, 0);
		total += n;
		json_object_object_add(counts, db_get(res, i, 0),
		    json_object_new_int64(n));
	}
	json_object_object_add(root, "window_hours",
	    json_object_new_int(24));
	json_object_object_add(root, "total", json_object_new_int64(total));
	json_object_object_add(root, "counts", counts);
	limit[1] = db_int64(a, WEBHOOK_LATEST);
	if ((rc = db_exec(db, a, SQL_LATEST, 2, limit, &res)) != ERR_OK)
		return rc;
	latest = json_object_new_array();
	json_object_object_add(root, "latest", latest);
	for (i = 0; i < db_nrows(res); i++) {
		e = json_object_new_object();
		json_object_object_add(e, "id",
		    json_object_new_int64(db_get_int64(res, i, 0, 0)));
		json_object_object_add(e, "message_id",
		    jstr(db_get(res, i, 1)));
		json_object_object_add(e, "type", jstr(db_get(res, i, 2)));
		json_object_object_add(e, "email_id", jstr(db_get(res, i, 3)));
		json_object_object_add(e, "recipient",
		    jstr(db_get(res, i, 4)));
		json_object_object_add(e, "created_at",
		    jstr(db_get(res, i, 5)));
		json_object_object_add(e, "received_at",
		    jstr(db_get(res, i, 6)));
		json_object_array_add(latest, e);
	}
	*out = root;
	return ERR_OK;
}
