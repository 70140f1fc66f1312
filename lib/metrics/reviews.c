/* reviews.c — the kept reviews, for the API and the pages. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/day.h"
#include "base/hex.h"
#include "base/kv.h"
#include "base/mem.h"
#include "metrics/reviews.h"
#include "store/db.h"

#define REVIEWS_KEY_MAX	256	/* bytes of a cursor's text field */
/* The cursor: microseconds, provider, location, review id
 * (hex_cursor_read()). */
#define REVIEWS_CURSOR	"uhhh"

/*
 * A page: $1 workspace, $2 location, $3 rating, $4 from, $5 to (the
 * workspace's days), $6 limit, $7..$10 the cursor's key (microseconds
 * since the epoch, then provider, location and review id hex-encoded),
 * newest first; the next cursor from the last row shown when there are
 * more.
 */
static const char sql_page[] =
	"WITH w AS (SELECT time_zone AS tz FROM workspaces WHERE id = $1), "
	"r AS (SELECT *, (extract(epoch FROM created_at) * 1000000)::bigint "
	"AS us, convert_to(provider, 'UTF8') AS kp, convert_to(account_id, "
	"'UTF8') AS ka, convert_to(review_id, 'UTF8') AS kr FROM reviews "
	"WHERE workspace_id = $1 AND ($2::text IS NULL OR account_id = $2) "
	"AND ($3::int IS NULL OR rating = $3::int) "
	"AND ($4::date IS NULL OR created_at >= $4::date::timestamp AT TIME "
	"ZONE (SELECT tz FROM w)) "
	"AND ($5::date IS NULL OR created_at < ($5::date + 1)::timestamp AT "
	"TIME ZONE (SELECT tz FROM w)) "
	"AND ($7::bigint IS NULL OR ((extract(epoch FROM created_at) * "
	"1000000)::bigint, convert_to(provider, 'UTF8'), "
	"convert_to(account_id, 'UTF8'), convert_to(review_id, 'UTF8')) < "
	"($7::bigint, decode($8, 'hex'), decode($9, 'hex'), "
	"decode($10, 'hex'))) "
	"ORDER BY us DESC, kp DESC, ka DESC, kr DESC LIMIT $6::int + 1), "
	"n AS (SELECT *, row_number() OVER (ORDER BY us DESC, kp DESC, "
	"ka DESC, kr DESC) AS i FROM r) "
	"SELECT json_build_object('reviews', coalesce((SELECT json_agg("
	"json_build_object('provider', provider, 'location', account_id, "
	"'review_id', review_id, 'rating', rating, 'comment', comment, "
	"'reviewer', reviewer, 'created_at', to_char(created_at AT TIME ZONE "
	"'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), 'updated_at', "
	"to_char(updated_at AT TIME ZONE 'UTC', "
	"'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), 'reply', reply, "
	"'reply_updated_at', to_char(reply_updated_at AT TIME ZONE 'UTC', "
	"'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), 'url', url) ORDER BY i) "
	"FROM n WHERE i <= $6::int), '[]'), 'next_cursor', (SELECT us || '.' "
	"|| encode(kp, 'hex') || '.' || encode(ka, 'hex') || '.' || "
	"encode(kr, 'hex') FROM n WHERE i = $6::int AND EXISTS (SELECT 1 "
	"FROM n WHERE i > $6::int)))";

/* The n most recent, as the pages show them ($2 n, $3 excerpt). */
static const char sql_recent[] =
	"WITH w AS (SELECT time_zone AS tz FROM workspaces WHERE id = $1) "
	"SELECT coalesce(json_agg(json_build_object('stars', CASE WHEN "
	"rating IS NULL THEN 'No rating' ELSE repeat('\xe2\x98\x85', rating) "
	"|| repeat('\xe2\x98\x86', 5 - rating) || ' ' || rating END, "
	"'rating', rating, 'reviewer', reviewer, 'date', to_char(created_at "
	"AT TIME ZONE (SELECT tz FROM w), 'YYYY-MM-DD'), 'excerpt', CASE "
	"WHEN length(comment) > $3::int THEN left(comment, $3::int - 1) || "
	"'\xe2\x80\xa6' ELSE comment END, 'location', account_id, 'place', "
	"coalesce((SELECT a->>'name' FROM connections c, "
	"jsonb_array_elements(c.accounts) a WHERE c.workspace_id = $1 AND "
	"c.provider = r.provider AND a->>'id' = r.account_id LIMIT 1), "
	"account_id), 'reply', "
	"reply IS NOT NULL) ORDER BY created_at DESC, review_id), '[]') "
	"FROM (SELECT * FROM reviews WHERE workspace_id = $1 "
	"ORDER BY created_at DESC, review_id LIMIT $2::int) r";

static const char *const known[] = { "location", "rating", "from", "to",
	"limit", "cursor" };

enum err
reviews_parse(struct arena *a, const struct kvlist *query,
    struct reviews_query *q, const char **param, const char **why)
{
	const struct kv *stray;
	const char *key[4];
	bool twice;

	memset(q, 0, sizeof(*q));
	*param = *why = NULL;
	if ((stray = kv_stray(query, known, nitems(known), &twice)) != NULL) {
		*param = arena_strdup(a, stray->name);
		*why = twice ? "is given twice" : "is not a parameter of "
		    "/v1/reviews (location, rating, from, to, limit, cursor)";
		return ERR_INPUT;
	}
	q->location = kv_value(query, "location");
	if (q->location != NULL && (*q->location == '\0' ||
	    strlen(q->location) > REVIEWS_KEY_MAX)) {
		*param = "location";
		*why = "must be a location id as /v1/connections lists it";
		return ERR_INPUT;
	}
	if ((q->rating = kv_value(query, "rating")) != NULL &&
	    (strlen(q->rating) != 1 || *q->rating < '1' || *q->rating > '5')) {
		*param = "rating";
		*why = "must be 1 to 5";
		return ERR_INPUT;
	}
	q->from = kv_value(query, "from");
	q->to = kv_value(query, "to");
	if ((*param = day_span_problem(a, q->from, "from", q->to, "to",
	    why)) != NULL)
		return ERR_INPUT;
	q->limit = kv_value(query, "limit");
	if (q->limit != NULL && !kv_whole(q->limit, REVIEWS_PAGE_MAX)) {
		*param = "limit";
		*why = "must be 1 to 500";
		return ERR_INPUT;
	}
	q->cursor = kv_value(query, "cursor");
	if (q->cursor != NULL && !hex_cursor_read(a, q->cursor,
	    REVIEWS_CURSOR, REVIEWS_KEY_MAX, key)) {
		*param = "cursor";
		*why = "is not one this API gave; start again without it";
		return ERR_INPUT;
	}
	return ERR_OK;
}

enum err
reviews_json(struct db *db, struct arena *a, int64_t ws,
    const struct reviews_query *q, const char **out)
{
	const char *p[10], *key[4] = { NULL, NULL, NULL, NULL };

	if (q->cursor != NULL && !hex_cursor_read(a, q->cursor,
	    REVIEWS_CURSOR, REVIEWS_KEY_MAX, key))
		return ERR_INPUT;
	p[0] = db_int64(a, ws);
	p[1] = q->location;
	p[2] = q->rating;
	p[3] = q->from;
	p[4] = q->to;
	p[5] = q->limit != NULL ? q->limit : db_int64(a,
	    REVIEWS_PAGE_DEFAULT);
	memcpy(&p[6], key, sizeof(key));
	return db_value(db, a, sql_page, 10, p, out);
}

enum err
reviews_recent_json(struct db *db, struct arena *a, int64_t ws, int n,
    const char **out)
{
	const char *p[3];

	p[0] = db_int64(a, ws);
	p[1] = db_int64(a, n);
	p[2] = db_int64(a, REVIEWS_EXCERPT);
	return db_value_static(db, a, sql_recent, 3, p, out);
}
