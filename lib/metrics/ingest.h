/*
 * ingest.h — POST /v1/metrics/ingest: validate and upsert daily rows.
 *
 * Parses and validates a batch of daily metric rows, then upserts it into
 * metric_daily all-or-nothing, with Idempotency-Key replay.
 *
 * A batch is a JSON array of at most LIMIT_INGEST_ROWS objects
 *   {"source", "account_id"?, "metric", "date", "value", "dims"?}
 * Every row is checked and every problem reported; a batch with any
 * problem writes nothing.  An amount names its currency as dims
 * {"currency": "EUR"} (ISO 4217; checked): amounts of different
 * currencies are never added together (lib/metrics/tiles.h).  Strings
 * returned live in the caller's arena.
 */
#ifndef SLUICE_INGEST_H
#define SLUICE_INGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "base/err.h"
#include "base/limit.h"
#include "providers/provider.h"

/* Bytes of ingest_value()'s text: sign, digits, point, NUL. */
#define INGEST_VALUE_SIZE	(LIMIT_VALUE_DIGITS + LIMIT_VALUE_DECIMALS + 3)

struct arena;
struct buf;
struct db;

/* The rows: struct metric_row (lib/providers/provider.h). */

/* Why row index was refused. */
struct ingest_problem {
	size_t		 index;
	const char	*field;		/* "source", ..., or "row" */
	const char	*reason;
};

struct ingest_batch {
	struct metric_row	*rows;
	size_t			 nrows;
	struct ingest_problem	*problems;	/* the first ones */
	size_t			 nproblems;	/* first 100 at most */
	size_t			 nproblems_all;	/* all of them */
	bool			 has_dims;	/* some row has dims */
	/* Set by a writer that expects none of these rows to exist yet (a
	 * first sync): they go in by COPY, a third cheaper than the upsert;
	 * if one exists after all, the batch is written again as the usual
	 * upsert.  Not in a session under row-level security (PostgreSQL
	 * refuses COPY FROM there). */
	bool			 fresh;
};

/*
 * Parses and validates len bytes of body.  now is the current time: a
 * date later than tomorrow (UTC) is refused.  ERR_OK: every row valid.
 * ERR_UNPROCESSABLE: out->problems lists what is wrong (and for an empty
 * array *why says so).  ERR_INPUT: not JSON, or not an array (*why
 * says why).  ERR_TOOBIG: more than LIMIT_INGEST_ROWS rows.  Everything
 * in out belongs to the arena.
 */
enum err	 ingest_parse(struct arena *, const char *body, size_t len,
		    time_t now, struct ingest_batch *out, const char **why);

/*
 * The 422 body for a batch with problems: {"error":{"code":
 * "unprocessable","message","problems":[{"index","field","reason"}],
 * "more_problems"}}; an arena string.
 */
const char	*ingest_problems_json(struct arena *,
		    const struct ingest_batch *);

/*
 * The value a JSON number's text (len bytes of RFC 8259 number) stands
 * for, as metric_daily stores it: rounded half away from zero to
 * LIMIT_VALUE_DECIMALS decimal places, written to out in plain decimal
 * notation without an exponent, trailing zeros or a minus sign on zero
 * ("1.50" gives "1.5", "-3e2" "-300", "1e-16000" "0").  Returns NULL when
 * it fits, else why not, for a person: not a number, or LIMIT_VALUE_DIGITS
 * integer digits exceeded (1e18 or more in magnitude once rounded).  Any
 * length is read once, left to right; out is always a short string.
 */
const char	*ingest_value(const char *text, size_t len,
		    char out[INGEST_VALUE_SIZE]);

/* True when key is a usable Idempotency-Key: 1-128 of [A-Za-z0-9_.:-]. */
bool		 ingest_key_ok(const char *key);

/*
 * The batch as COPY text-format lines for metric_daily's (workspace_id,
 * provider, account_id, metric, day, value, dims), workspace ws: one
 * line a row, backslash, tab, newline and carriage return escaped, dims
 * {} when NULL, and no dims column at all when no row has dims.  *out belongs to the arena.  ERR_TOOBIG past 8 times
 * LIMIT_BODY_INGEST.
 */
enum err	 ingest_copy_text(struct arena *, const char *ws,
		    const struct ingest_batch *, struct buf **out);

/*
 * Writes a valid batch for the workspace in one transaction.  With key
 * (else NULL), the first request with that key is recorded with body_hash
 * and its answer; a later one with the same body gets that answer again
 * without writing (*replayed true).  *status and *json are the answer
 * (200 and {"inserted","updated","unchanged"}).  A batch whose first
 * and last rows are not stored yet is inserted without the upsert's
 * conflict check, and upserted only if a row exists after all.  Errors: ERR_CONFLICT
 * when the key was used with another body, ERR_DB, ERR_UNAVAILABLE,
 * ERR_INPUT when PostgreSQL refuses a value, ERR_NOTFOUND when the
 * workspace is gone (nothing written).
 */
enum err	 ingest_commit(struct db *, struct arena *,
		    int64_t workspace_id, const char *key,
		    const char *body_hash, const struct ingest_batch *,
		    int *status, const char **json,
		    bool *replayed);

#endif
