/*
 * booking.h — bookings, made from an inquiry or on their own.
 *
 * An event booked with its type, date, status and value in a currency.
 *
 * Values are exact decimals written with at most the currency's own
 * decimals (ISO 4217: JPY none, EUR two); a value always names its
 * currency and is never added across currencies.  Strings returned live
 * in the caller's arena.
 */
#ifndef SLUICE_BOOKING_H
#define SLUICE_BOOKING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/kv.h"
#include "business/inquiry.h"

struct arena;
struct db;

/*
 * A booking's fields as sent: has_* tells a field sent (a change) from
 * one left alone; value NULL with has_value clears value and currency.
 */
struct booking_in {
	bool		 has_inquiry, has_type, has_date, has_status,
			 has_value, has_note;
	int64_t		 inquiry_id;	/* 0: none */
	const char	*event_type;
	const char	*event_date;	/* YYYY-MM-DD, NULL: none */
	const char	*status;
	const char	*value;		/* plain decimal text, or NULL */
	const char	*currency;	/* with value */
	const char	*note;
	struct inquiry_problem problems[8];
	size_t		 nproblems;
};

/* True for wedding, engagement, portrait, event, other. */
bool		 booking_type_ok(const char *);

/* True for tentative, confirmed, completed, cancelled. */
bool		 booking_status_ok(const char *);

/*
 * Checks a JSON object body of len bytes: {"inquiry_id"?: integer|null,
 * "event_type", "event_date"?: "YYYY-MM-DD"|null, "status"?, "value"?:
 * number or decimal string|null, "currency"? (with value), "note"?}.
 * create: event_type is required.  ERR_OK; ERR_UNPROCESSABLE with
 * out->problems; ERR_INPUT when the body is not a JSON object (*why).
 */
enum err	 booking_parse_json(struct arena *, const char *body, size_t len,
		    bool create, struct booking_in *out, const char **why);

/*
 * The same for a page's form: every field present is a change; an empty
 * value clears value and currency, an empty event_date the date.
 */
enum err	 booking_parse_form(struct arena *, const struct kvlist *,
		    bool create, struct booking_in *out);

/*
 * Stores a new booking; *json is it as booking_get_json() writes it.
 * ERR_UNPROCESSABLE when inquiry_id names no inquiry of the workspace.
 */
enum err	 booking_create(struct db *, struct arena *, int64_t workspace_id,
		    const struct booking_in *, const char **json);

/*
 * Applies a change; ERR_NOTFOUND when the workspace has no such booking,
 * ERR_UNPROCESSABLE as booking_create().
 */
enum err	 booking_update(struct db *, struct arena *, int64_t workspace_id,
		    int64_t id, const struct booking_in *);

/*
 * One booking as JSON {"id","inquiry_id","event_type","event_date",
 * "status","value","currency","note","created_at","updated_at"} (value a
 * JSON number or null); ERR_NOTFOUND when the workspace has no such id.
 */
enum err	 booking_get_json(struct db *, struct arena *,
		    int64_t workspace_id, int64_t id, const char **json);

/*
 * The workspace's bookings, newest first, {"bookings":[...],
 * "next_cursor"}; q's from and to filter the event date.  q from
 * booking_query_parse().
 */
enum err	 booking_list_json(struct db *, struct arena *,
		    int64_t workspace_id, const struct inquiry_query *q,
		    const char **json);

/* inquiry_page_parse() with the bookings' statuses. */
enum err	 booking_query_parse(const struct kvlist *,
		    struct inquiry_query *q, const char **param,
		    const char **why);

#endif
