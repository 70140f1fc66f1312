/*
 * inquiry.h — inquiries from a site's form and the API, and their pipeline.
 *
 * A site's public form and the API put them in; people work them through
 * new → contacted → qualified → converted (or lost) with an owner and
 * notes.
 *
 * The parsers are pure (no database) so they can be unit-tested and
 * fuzzed; the rest reads and writes the tables of sql/220.  Every
 * statement names the workspace.  Strings returned live in the caller's
 * arena.
 */
#ifndef SLUICE_INQUIRY_H
#define SLUICE_INQUIRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/kv.h"

struct arena;
struct db;

/* The fields an inquiry is made of, in the order they are checked. */
enum inquiry_field {
	INQUIRY_NAME,
	INQUIRY_EMAIL,
	INQUIRY_PHONE,
	INQUIRY_MESSAGE,
	INQUIRY_SOURCE,
	INQUIRY_UTM_SOURCE,
	INQUIRY_UTM_MEDIUM,
	INQUIRY_UTM_CAMPAIGN,
	INQUIRY_UTM_TERM,
	INQUIRY_UTM_CONTENT,
	INQUIRY_REFERRER,
	INQUIRY_LANDING_PAGE,
	INQUIRY__MAX
};

/* The honeypot: a field people never see (hidden by the site's CSS), so
 * only a robot fills it. */
#define INQUIRY_HONEYPOT	"website"

/* One refused field: its name ("contact" when neither email nor phone
 * came, "body" for the whole) and why, for a person. */
struct inquiry_problem {
	const char	*field;
	const char	*reason;
};

/* A checked inquiry.  v[] is "" for a field not sent. */
struct inquiry_in {
	const char		*v[INQUIRY__MAX];
	bool			 spam;		/* the honeypot was filled */
	struct inquiry_problem	 problems[INQUIRY__MAX + 2];
	size_t			 nproblems;
};

/* The field's name as the API and the form send it ("utm_source"). */
const char	*inquiry_field_name(enum inquiry_field);

/*
 * Checks the fields of a form (application/x-www-form-urlencoded, decoded)
 * into out: every field's length, UTF-8 and characters, an email's and a
 * phone's shape, URLs http(s), and an email or a phone present.  Unknown
 * fields are ignored (a site's form may carry a submit button's name).
 * Values are trimmed and copied into the arena.  ERR_OK when all are
 * good; ERR_UNPROCESSABLE with out->problems listing each bad field.
 * defsource is the source when none is sent.
 */
enum err	 inquiry_parse_form(struct arena *, const struct kvlist *,
		    const char *defsource, struct inquiry_in *out);

/*
 * The same for a JSON object body of len bytes whose members are strings
 * (null counts as absent).  ERR_INPUT when the body is not a JSON object
 * (*why says why, an arena string); else as inquiry_parse_form().
 */
enum err	 inquiry_parse_json(struct arena *, const char *body, size_t len,
		    const char *defsource, struct inquiry_in *out,
		    const char **why);

/*
 * The 422 body for problems: {"error":{"code":"unprocessable","message",
 * "problems":[{"field","reason"}]}}; an arena string.
 */
const char	*inquiry_problems_json(struct arena *,
		    const struct inquiry_problem *, size_t n);

/* True when s is a status of the pipeline (new ... lost). */
bool		 inquiry_status_ok(const char *s);

/*
 * Stores a checked inquiry for the workspace (in its tenant scope).  With
 * key (an Idempotency-Key, else NULL) the first request with it is
 * recorded with body_hash and its answer, and a later one with the same
 * body hash gets that answer again without writing (*replayed true).
 * *status and *json are the answer: 201 and the inquiry as
 * inquiry_get_json() writes it.  ERR_CONFLICT when the key was used with
 * another body; ERR_DB, ERR_UNAVAILABLE.
 */
enum err	 inquiry_create(struct db *, struct arena *, int64_t workspace_id,
		    const struct inquiry_in *, const char *key,
		    const char *body_hash, int *status, const char **json,
		    bool *replayed);

/* A page of the list: filters (NULL: none), cursor (the id to continue
 * below, 0 for the first page) and its length. */
struct inquiry_query {
	const char	*status;
	const char	*from;		/* YYYY-MM-DD, workspace's zone */
	const char	*to;
	int64_t		 cursor;
	int		 limit;
};

/*
 * Reads ?status, from, to, cursor, limit into q (limit 1 to
 * LIMIT_INQUIRY_PAGE, default 50).  ERR_INPUT with *param naming the bad
 * one and *why saying why.
 */
enum err	 inquiry_query_parse(const struct kvlist *, struct inquiry_query *q,
		    const char **param, const char **why);

/*
 * inquiry_query_parse() for any list of the business side (bookings):
 * status_ok() checks ?status, and why_status says what it must be.
 */
enum err	 inquiry_page_parse(const struct kvlist *,
		    bool (*status_ok)(const char *), const char *why_status,
		    struct inquiry_query *q, const char **param,
		    const char **why);

/*
 * For the business side's lists (inquiries, bookings): the JSON text
 * the statement sql gives, in the arena.  inquiry_page_json() passes
 * $1 workspace, $2 status, $3 from, $4 to, $5 cursor, $6 limit of q;
 * inquiry_one_json() $1 workspace and $2 id, and is ERR_NOTFOUND when
 * sql gives no row or NULL.  db_value()'s errors.
 */
enum err	 inquiry_page_json(struct db *, struct arena *, const char *sql,
		    int64_t workspace_id, const struct inquiry_query *q,
		    const char **json);
enum err	 inquiry_one_json(struct db *, struct arena *, const char *sql,
		    int64_t workspace_id, int64_t id, const char **json);

/* True when s is a strict YYYY-MM-DD of a real day. */
bool		 inquiry_date_ok(const char *s);

/*
 * The workspace's inquiries, newest first, as JSON text
 * {"inquiries":[...],"next_cursor"} (next_cursor null on the last page),
 * each as inquiry_get_json() without notes and bookings.
 */
enum err	 inquiry_list_json(struct db *, struct arena *,
		    int64_t workspace_id, const struct inquiry_query *,
		    const char **json);

/*
 * One inquiry as JSON {"id","status","name","email","phone","message",
 * "source","utm":{"source","medium","campaign","term","content"},
 * "referrer","landing_page","owner":{"id","email"}|null,"created_at",
 * "updated_at","notes":[{"id","author","body","created_at"}],
 * "bookings":[ids]}.  ERR_NOTFOUND when the workspace has no such id.
 */
enum err	 inquiry_get_json(struct db *, struct arena *,
		    int64_t workspace_id, int64_t id, const char **json);

/* A change: NULL (or has_owner false) leaves a field as it is. */
struct inquiry_change {
	const char	*status;
	bool		 has_owner;
	int64_t		 owner;		/* a member's user id; 0: nobody */
	const char	*note;		/* appended as a note */
	int64_t		 author;	/* the note's author; 0: the API */
};

/*
 * Checks a change's values: a status of the pipeline and a note of 1 to
 * LIMIT_INQUIRY_TEXT characters of UTF-8.  NULL when good, else why, with
 * *field naming the field.
 */
const char	*inquiry_change_problem(const struct inquiry_change *,
		    const char **field);

/*
 * Applies a checked change; what it changed (status, owner: "Status: new
 * → contacted; Owner: nobody → ana@example.com") becomes a note by the
 * change's author, before the change's own note.  ERR_NOTFOUND when the
 * workspace has no such inquiry; ERR_UNPROCESSABLE when the owner is not
 * a member of it.
 */
enum err	 inquiry_update(struct db *, struct arena *, int64_t workspace_id,
		    int64_t id, const struct inquiry_change *);

/* The workspace's inquiries with status new (the navigation's count). */
enum err	 inquiry_count_new(struct db *, struct arena *,
		    int64_t workspace_id, long *n);

/* The workspace's members as JSON [{"id","email"}] (owners to choose). */
enum err	 inquiry_members_json(struct db *, struct arena *,
		    int64_t workspace_id, const char **json);

/* A workspace's public form. */
struct inquiry_form {
	int64_t		 workspace_id;
	const char	*token;
	const char	*origins;	/* space-separated, "" for none */
	const char	*thank_you_url;	/* "" for none */
};

/*
 * The form of a token (any workspace: the public form's first step, as
 * the owner role).  ERR_NOTFOUND when no workspace has it.
 */
enum err	 inquiry_form_find(struct db *, struct arena *,
		    const char *token, struct inquiry_form *out);

/* The workspace's form, made with a new token when it has none yet. */
enum err	 inquiry_form_get(struct db *, struct arena *,
		    int64_t workspace_id, struct inquiry_form *out);

/* Gives the form a new token: the old address stops working. */
enum err	 inquiry_form_rotate(struct db *, struct arena *,
		    int64_t workspace_id);

/*
 * Saves the form's site origins (space or newline separated, each
 * "scheme://host[:port]" with scheme http or https, at most
 * LIMIT_FORM_ORIGINS) and thank-you URL (http(s), or empty).  Returns NULL
 * when saved, else why not (nothing saved), with *field naming the field;
 * *err_out the error (ERR_UNPROCESSABLE for bad values).
 */
const char	*inquiry_form_save(struct db *, struct arena *,
		    int64_t workspace_id, const char *origins,
		    const char *thank_you_url, const char **field,
		    enum err *err_out);

/* Whether origin (an Origin header) is one of the form's origins. */
bool		 inquiry_form_origin_ok(const struct inquiry_form *,
		    const char *origin);

/*
 * Counts a post to the form from client address addr (its throttle:
 * LIMIT_FORM_ADDR per address in LIMIT_FORM_ADDR_S, LIMIT_FORM_ALL per
 * form in LIMIT_FORM_ALL_S), as the owner role, outside any transaction.
 * *retry_after is 0 when the post may go on, else the seconds until the
 * fuller window ends.
 */
enum err	 inquiry_form_throttle(struct db *, struct arena *,
		    int64_t workspace_id, const char *addr, long *retry_after);

#endif
