/*
 * webhook.h — Resend's webhooks: verify, parse, decide, store, summarise.
 *
 * A delivery is checked against the Standard Webhooks ("svix") signature
 * over the raw body, parsed into a struct webhook_event (every type is
 * accepted; the known ones have their fields read), turned into effects
 * (which addresses to suppress, what to note on the digest send) and
 * stored in one statement, once per svix-id.  The parsing and the
 * decision are pure, for unit tests and fuzzing; only webhook_store() and
 * webhook_summary() touch the database.  Everything returned lives in the
 * caller's arena.
 */
#ifndef SLUICE_WEBHOOK_H
#define SLUICE_WEBHOOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct arena;
struct db;
struct json_object;

/* Bounds of the fields read from an event (the payload is kept whole). */
#define WEBHOOK_MAX_RECIPIENTS	50	/* addresses read from data.to */
#define WEBHOOK_MAX_ADDRESS	320	/* one e-mail address */
#define WEBHOOK_MAX_TYPE	100	/* the event type */
#define WEBHOOK_MAX_ID		256	/* svix-id and data.email_id */
#define WEBHOOK_MAX_TEXT	1000	/* bounce or failure text kept */
#define WEBHOOK_LATEST		10	/* events listed by the summary */

/* Event types with a meaning here; anything else is WEBHOOK_OTHER. */
enum webhook_kind {
	WEBHOOK_OTHER = 0,
	WEBHOOK_EMAIL_SENT,
	WEBHOOK_EMAIL_SCHEDULED,
	WEBHOOK_EMAIL_DELIVERED,
	WEBHOOK_EMAIL_DELIVERY_DELAYED,
	WEBHOOK_EMAIL_BOUNCED,
	WEBHOOK_EMAIL_COMPLAINED,
	WEBHOOK_EMAIL_OPENED,
	WEBHOOK_EMAIL_CLICKED,
	WEBHOOK_EMAIL_FAILED,
	WEBHOOK_EMAIL_SUPPRESSED,
	WEBHOOK_EMAIL_RECEIVED,
	WEBHOOK_SUPPRESSION_ADDED,
	WEBHOOK__MAX
};

/* How a bounce was classified by Resend (data.bounce.type). */
enum webhook_bounce {
	WEBHOOK_BOUNCE_NONE = 0,	/* not a bounce, or no bounce object */
	WEBHOOK_BOUNCE_PERMANENT,
	WEBHOOK_BOUNCE_TRANSIENT,
	WEBHOOK_BOUNCE_UNDETERMINED,
	WEBHOOK_BOUNCE_OTHER,		/* a value we do not know */
};

/*
 * What the receiver reads from an event.  Strings are NUL-terminated, in
 * the arena (or in the parsed JSON, which the arena owns) and NULL when
 * the event lacks the field or it has the wrong type or shape: only the
 * envelope's type is required.
 */
struct webhook_event {
	const char		*type;		/* "email.sent"; not NULL */
	enum webhook_kind	 kind;
	const char		*created_at;	/* event time, RFC 3339 */
	const char		*email_id;	/* data.email_id, Resend's id */
	/* data.to (or data.email for suppression.added) as bare addresses,
	 * lower case, sorted, without duplicates or invalid entries. */
	const char		*recipients[WEBHOOK_MAX_RECIPIENTS];
	size_t			 nrecipients;
	enum webhook_bounce	 bounce;
	const char		*bounce_type;	/* data.bounce.type as sent */
	const char		*bounce_subtype; /* bounce.subType */
	const char		*bounce_message; /* bounce.message */
	const char		*failed_reason;	/* data.failed.reason */
	const char		*suppressed_type; /* suppressed.type */
	const char		*origin;	/* data.origin */
};

/* What an event does to the digest send it belongs to (by email_id). */
enum webhook_send {
	WEBHOOK_SEND_NONE = 0,		/* nothing */
	WEBHOOK_SEND_DELIVERED,		/* claimed -> sent, sent_at if unset */
	WEBHOOK_SEND_FAILED,		/* claimed or sent -> failed, error */
	WEBHOOK_SEND_NOTE,		/* error text only, status kept */
};

/* The effects of a new event, applied with the event row. */
struct webhook_effect {
	const char		*suppress_reason; /* "bounced", "complained",
						   * "manual"; NULL: none */
	enum webhook_send	 send;
	const char		*send_error;	/* for FAILED and NOTE */
};

/* The type name of a known kind ("email.bounced"); static storage. */
const char	*webhook_kind_name(enum webhook_kind);

/* The kind for a type name; WEBHOOK_OTHER when unknown. */
enum webhook_kind webhook_kind_from(const char *type);

/*
 * Checks a delivery's svix-id, svix-timestamp and svix-signature header
 * values (NULL when absent) over the raw body with secret, at now (Unix
 * seconds, 5 minutes either way).  ERR_OK; ERR_AUTH when the signature is
 * missing, stale or wrong; ERR_UNAVAILABLE when secret is empty or not a
 * whsec_ secret (a configuration problem, not the sender's); ERR_INPUT
 * when the signature holds but the svix-id is longer than WEBHOOK_MAX_ID
 * or has bytes other than printable ASCII.  *why (static storage) says
 * why, starting with the reason code; it never holds the secret.
 */
enum err	 webhook_verify(const char *secret, const char *id,
		    const char *timestamp, const char *signature,
		    const char *body, size_t len, int64_t now,
		    const char **why);

/*
 * Parses a webhook body: strict JSON, valid UTF-8, an object whose "type"
 * is a non-empty string of at most WEBHOOK_MAX_TYPE printable bytes.  The
 * other fields are read when they have the documented shape and left
 * NULL otherwise.  ERR_OK with *out filled (arena-owned); ERR_INPUT with
 * *why (arena or static) saying what is wrong.
 */
enum err	 webhook_parse(struct arena *, const char *body, size_t len,
		    struct webhook_event *out, const char **why);

/*
 * Decides what a new event does (pure):
 *   email.bounced, Permanent        suppress the recipients ("bounced"),
 *                                   digest send failed
 *   email.bounced, anything else    no suppression (a full mailbox heals;
 *                                   Resend does not suppress it either),
 *                                   a note on the digest send
 *   email.complained                suppress the recipients ("complained")
 *   suppression.added               suppress data.email (reason from its
 *                                   origin: bounced, complained, manual)
 *   email.delivered                 digest send claimed -> sent
 *   email.failed, email.suppressed  digest send failed with the reason
 *   anything else                   stored only
 * *out's strings are static or in the arena.
 */
void		 webhook_decide(struct arena *, const struct webhook_event *,
		    struct webhook_effect *out);

/*
 * Stores an event once by its svix-id, in one statement (one
 * transaction): the event row with the raw body as its payload and, only
 * when the row is new, the suppressions and the digest send update.
 * *inserted (may be NULL) is false for a redelivery, which changes
 * nothing.  Errors from db_exec(): ERR_INPUT when PostgreSQL refuses the
 * payload as JSON, ERR_UNAVAILABLE, ERR_DB.
 */
enum err	 webhook_store(struct db *, struct arena *, const char *svix_id,
		    const struct webhook_event *, const struct webhook_effect *,
		    const char *body, size_t len, bool *inserted);

/* One verified delivery to store (webhook_store_all()): its svix-id,
 * event, effects and raw body, then what storing it came to. */
struct webhook_delivery {
	const char		*svix_id;
	struct webhook_event	 ev;
	struct webhook_effect	 fx;
	const char		*body;
	size_t			 len;
	enum err		 rc;		/* webhook_store()'s answer */
	bool			 inserted;	/* false: a redelivery */
};

/*
 * webhook_store() of n deliveries with one commit: d[i]->rc and
 * d[i]->inserted are each one's outcome, as webhook_store() answers them
 * alone.  The statements run in one transaction (in order of email id,
 * then svix-id, so that two processes' batches lock alike); when one
 * fails (a payload PostgreSQL refuses, a deadlock) it is rolled back and
 * each delivery is stored on its own, so one bad event fails no other.
 * When the server cannot be reached, or a commit's outcome is unknown,
 * every one answers ERR_UNAVAILABLE (a redelivery finds what was stored).
 * One delivery is stored as webhook_store() does, in no transaction.
 */
void		 webhook_store_all(struct db *, struct arena *,
		    struct webhook_delivery **d, size_t n);

/*
 * The last 24 hours' event counts by type (by received_at) and the
 * WEBHOOK_LATEST newest events of one workspace (events about the mail it
 * sent: its digest sends, not test sends), as a JSON object owned by the
 * arena:
 * {"window_hours":24,"total":N,"counts":{"type":n,...},"latest":[{"id",
 * "message_id","type","email_id","recipient","created_at",
 * "received_at"},...]}.  Errors from db_exec().
 */
enum err	 webhook_summary(struct db *, struct arena *,
		    int64_t workspace_id, struct json_object **out);

#endif
