/*
 * throttle.h — fixed-window attempt counters, as SQL text.
 *
 * A throttle table (login_throttle, inquiry_throttle: key_hash bytea
 * primary key, attempts, window_end) holds one counter a key.  One
 * statement counts an attempt on several counters at once (rows locked
 * in key order, so two of them never wait on each other), each with its
 * own limit and window: a counter whose window has ended starts again at
 * 1.  These macros are string literals for a `static const char sql_…[]`;
 * table is a literal table name, never input.
 */
#ifndef SLUICE_THROTTLE_H
#define SLUICE_THROTTLE_H

/*
 * One counter for THROTTLE_TAKE_SQL: the key's text (an SQL expression,
 * hashed), its limit and its window in seconds (parameters: "$3").
 */
#define THROTTLE_KEY(text, limit, seconds) \
	"(sha256(convert_to(" text ", 'UTF8')), " limit "::integer, " \
	seconds "::integer)"

/*
 * Counts one attempt on the counters of keys (THROTTLE_KEY()s joined by
 * ", ") and answers one integer: the seconds until the end of the
 * latest window whose limit is passed, or 0 (go on).
 */
#define THROTTLE_TAKE_SQL(table, keys) \
	"WITH k (key_hash, lim, secs) AS (VALUES " keys "), " \
	"up AS (INSERT INTO " table " AS t (key_hash, attempts, " \
	"window_end) SELECT key_hash, 1, now() + make_interval(secs => secs) " \
	"FROM k ORDER BY key_hash ON CONFLICT (key_hash) DO UPDATE SET " \
	"attempts = CASE WHEN t.window_end <= now() THEN 1 " \
	"ELSE t.attempts + 1 END, " \
	"window_end = CASE WHEN t.window_end <= now() THEN " \
	"EXCLUDED.window_end ELSE t.window_end END " \
	"RETURNING t.key_hash, t.attempts, t.window_end) " \
	"SELECT coalesce((max(ceil(extract(epoch FROM " \
	"up.window_end - now()))) " \
	"FILTER (WHERE up.attempts > k.lim))::integer, 0) " \
	"FROM up JOIN k USING (key_hash)"

/* Deletes ended windows, a few at a time, never waiting for a row in
 * use. */
#define THROTTLE_GC_SQL(table) \
	"DELETE FROM " table " WHERE key_hash IN (SELECT key_hash FROM " \
	table " WHERE window_end < now() LIMIT 100 FOR UPDATE SKIP LOCKED)"

#endif
