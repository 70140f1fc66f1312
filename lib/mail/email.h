/*
 * email.h — the Resend client: sends, retries, answers read by name.
 *
 * Builds send and batch requests, sends them through lib/net/httpc with an
 * Idempotency-Key, retries what may succeed later and reads every answer by
 * HTTP status AND error name.
 *
 *   200          sent; a batch answers {data:[{id}]} in request order, and
 *                in permissive mode (always asked for here) errors[] of
 *                {index, message} for the emails it refused
 *   429 rate_limit_exceeded   retried after retry-after seconds
 *   429 daily_quota_exceeded  not retried: EMAIL_QUOTA (stop for today)
 *   5xx, no answer, 409 concurrent_idempotent_requests
 *                retried with backoff, the SAME key and the same body
 *   anything else (400, 401, 403, 409 invalid_idempotent_request, 422)
 *                a failure, recorded as "status name: message"
 * At most LIMIT_DIGEST_ATTEMPTS calls.  Requests carry the client's
 * User-Agent (Resend refuses requests without one).
 */
#ifndef SLUICE_EMAIL_H
#define SLUICE_EMAIL_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

struct arena;
struct config;
struct httpc;

/* One message. */
struct email_msg {
	const char	*to;
	const char	*subject;
	const char	*html;
	const char	*text;
	const char	*unsubscribe_url;	/* NULL: no List-Unsubscribe */
	const char	*tag;			/* digest id tag, or NULL */
	const char	*kind;			/* tag "kind"; NULL: weekly_digest */
};

enum email_outcome {
	EMAIL_SENT,		/* Resend accepted it: id set */
	EMAIL_FAILED,		/* refused or gave up: error set */
	EMAIL_QUOTA,		/* daily quota reached: not tried again */
};

/* What happened to one message of a call. */
struct email_result {
	enum email_outcome outcome;
	const char	*id;		/* Resend's id when SENT */
	const char	*error;		/* why when not SENT */
};

/* How the call went (for logs and tests). */
struct email_call {
	int		 attempts;
	int		 last_status;	/* 0: no answer */
	const char	*last_name;	/* Resend's error name, or NULL */
};

/*
 * The JSON of one message object (for POST /emails) or of an array of n
 * (for POST /emails/batch), From built from SLUICE_MAIL_FROM_NAME and
 * SLUICE_MAIL_FROM, with List-Unsubscribe and List-Unsubscribe-Post
 * headers when a URL is given.  The string belongs to the arena.
 */
const char	*email_json_one(struct arena *, const struct config *,
		    const struct email_msg *);
const char	*email_json_batch(struct arena *, const struct config *,
		    const struct email_msg *, size_t n);

/*
 * Whether email can leave: SLUICE_RESEND_API_KEY is set, or, without
 * it, SLUICE_MAIL_DIR, where email_send_batch() and email_send_one()
 * then write each message (<key>[-<n>].eml with its headers, text and
 * HTML parts, and <key>[-<n>].html, mode 0600) instead of sending it,
 * for a person trying Sluice without Resend to read; its id is
 * "file:<name>.eml".
 */
bool		 email_sending(const struct config *);

/*
 * Sends a batch body of n messages (from email_json_batch(), or stored
 * from an earlier attempt) with Idempotency-Key key.  Fills res[0..n-1]
 * and *call.  ERR_OK when every message has an outcome (some may be
 * FAILED or QUOTA); ERR_UNAVAILABLE without SLUICE_RESEND_API_KEY and
 * SLUICE_MAIL_DIR (res untouched).  The strings belong to the arena.
 */
enum err	 email_send_batch(struct httpc *, struct arena *,
		    const struct config *, const char *body, size_t n,
		    const char *key, struct email_result *res,
		    struct email_call *call);

/* Like email_send_batch() for one message body (POST /emails). */
enum err	 email_send_one(struct httpc *, struct arena *,
		    const struct config *, const char *body, const char *key,
		    struct email_result *res, struct email_call *call);

/* True when s looks like one email address (bounded, one @, no spaces,
 * no control characters, no quotes or angle brackets). */
bool		 email_address_ok(const char *s);

#endif
