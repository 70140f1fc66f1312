/*
 * db.h — the database: one connection per process, the only libpq user.
 *
 * Every statement is parameterised: sent with PQexecParams, or prepared
 * once per connection when hot (db_exec_static(); never behind a
 * transaction pooler such as PgBouncer).  When the server
 * goes away, calls answer ERR_UNAVAILABLE and the connection is retried
 * with backoff on later calls; nothing has to restart.  A session the
 * server ended while idle is replaced before the next statement; a
 * statement is sent again on a new connection only when it opened a
 * transaction (the server rolled that back), never one outside a
 * transaction (it may have run: ERR_UNAVAILABLE, outcome unknown) nor a
 * COMMIT.  Results are registered on the caller's arena and freed with
 * it.
 */
#ifndef SLUICE_DB_H
#define SLUICE_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct arena;
struct db;
struct db_res;

/* What the last check of a read replica saw (db_replica_state()). */
enum db_replica {
	DB_REPLICA_NONE,	/* none configured: reads go to the primary */
	DB_REPLICA_UNKNOWN,	/* not checked yet */
	DB_REPLICA_OK,		/* reads go to it */
	DB_REPLICA_DOWN,	/* unreachable or failing */
	DB_REPLICA_PRIMARY,	/* not in recovery (promoted, or not one) */
	DB_REPLICA_LAGGING	/* behind by more than the bound */
};

/*
 * A handle for conninfo (copied); does not connect yet.  pooled: the
 * server is reached through a pooler in transaction mode (PgBouncer,
 * SLUICE_DB_POOLER=transaction), where consecutive transactions may run on
 * different server sessions: then nothing is kept in the session (no
 * named prepared statements; db_lock() takes transaction-scoped locks).
 * Process lifetime: the caller frees it with db_free().
 */
struct db	*db_new(const char *conninfo, long backoff_max_ms, bool pooled);
void		 db_free(struct db *);

/*
 * Makes sure the connection is up: reconnects when it is down and the
 * backoff since the last failure has passed.  ERR_OK or ERR_UNAVAILABLE.
 */
enum err	 db_ready(struct db *);

/*
 * Runs one statement with text parameters (NULL is SQL NULL).  On ERR_OK
 * *out (if not NULL) is the result, owned by the arena.  Errors:
 * ERR_UNAVAILABLE when the server cannot be reached, ERR_CONFLICT on a
 * unique or exclusion violation, ERR_INPUT on a check, not-null or
 * foreign-key violation or bad input syntax, ERR_DB otherwise; the
 * server's message is logged once here (without parameters).
 */
enum err	 db_exec(struct db *, struct arena *, const char *sql,
		    int nparams, const char *const *params,
		    struct db_res **out);

/*
 * db_exec() for a hot statement: sql must have static storage (a string
 * literal or a static const array), since its address is the key.  It is
 * parsed and planned once per connection (a prepared statement, up to
 * LIMIT_DB_PREPARED of them; beyond that it runs as db_exec() does) and
 * only executed afterwards.  Behind a pooler (db_new()'s pooled) it runs
 * as db_exec() does: a named statement would live in one server session
 * only.  Same results and errors as db_exec().
 */
enum err	 db_exec_static(struct db *, struct arena *, const char *sql,
		    int nparams, const char *const *params,
		    struct db_res **out);

/*
 * db_exec() of a statement that answers one value (a count, a JSON
 * document the server built): *out is the first row's first field, NULL
 * for SQL NULL or no row, owned by the arena.  Errors as db_exec().
 */
enum err	 db_value(struct db *, struct arena *, const char *sql,
		    int nparams, const char *const *params, const char **out);

/*
 * db_exec_static() with the statement's generic plan: for a statement the
 * planner would plan again on every execution (parameters it cannot see
 * through, partitions it costs all of) to the same plan or none better.
 * Inside a transaction on a direct connection, SET LOCAL plan_cache_mode
 * = force_generic_plan goes before it and TO DEFAULT (the server's,
 * database's or role's setting) after it, queued with the statements
 * around it (db_exec_later(): no round trip of their own); otherwise
 * (outside a transaction, or behind a pooler, where nothing is prepared)
 * exactly db_exec_static().  Same results and errors.
 */
enum err	 db_exec_generic(struct db *, struct arena *, const char *sql,
		    int nparams, const char *const *params,
		    struct db_res **out);

/* db_value() of a hot statement of static storage, prepared as
 * db_exec_static() does.  Same results and errors as db_value(). */
enum err	 db_value_static(struct db *, struct arena *, const char *sql,
		    int nparams, const char *const *params, const char **out);

/*
 * COPY ... FROM STDIN (sql) fed len bytes of data in COPY's text format,
 * normally inside a transaction.  *rows (if not NULL) is the count
 * copied.  Errors as db_exec(); a failed COPY leaves the transaction
 * aborted (roll it back).
 */
enum err	 db_copy_in(struct db *, const char *sql, const char *data,
		    size_t len, int64_t *rows);

/*
 * Runs a parameterless script of several statements (simple protocol).
 * Only for migrations: everything else goes through db_exec().
 */
enum err	 db_exec_script(struct db *, struct arena *, const char *sql);

/*
 * Transactions on the process connection.  Inside an open transaction
 * (e.g. the request's, see lib/web/app.c), db_begin() opens a savepoint and
 * db_commit()/db_rollback() release or roll back to it, so modules keep
 * their own all-or-nothing blocks whoever called them.  The outermost
 * BEGIN is not sent at once: it goes with the transaction's first
 * statement in one round trip (libpq's pipeline mode), so db_begin()
 * there always answers ERR_OK and a failure to reach the server is that
 * statement's error; a transaction that sends nothing ends without a
 * round trip.  A connection found dead before the BEGIN went out is
 * replaced and the transaction starts on the new one.
 */
enum err	 db_begin(struct db *, struct arena *);
enum err	 db_commit(struct db *, struct arena *);
void		 db_rollback(struct db *, struct arena *);

/*
 * Queues a statement that only sets the open transaction up (the
 * request's role and workspace: set_config(..., true)) to go with the
 * transaction's next statement, in the same round trip; its result is
 * dropped and, if it fails, the next statement answers its error.  If
 * the transaction ends first it is never sent, so it must change nothing
 * that outlives the transaction.  sql as db_exec_static(); params are not
 * copied and must live until then (the request's arena).  Outside a
 * transaction, or with LIMIT_DB_LATER already queued, it runs at once.
 * Errors: db_exec_static()'s when it runs at once, else none.
 */
enum err	 db_exec_later(struct db *, struct arena *, const char *sql,
		    int nparams, const char *const *params);

/*
 * Sends what is queued (the BEGIN, db_exec_later()'s statements) now,
 * in one round trip: for a caller that wants to know before its first
 * statement whether the server answers (a read replica's transaction).
 * ERR_OK when nothing is queued; errors as db_exec().
 */
enum err	 db_send_queued(struct db *, struct arena *);

/* The message of the last failed statement (for callers that report it
 * to an operator, e.g. the migration command); static until next call. */
const char	*db_last_error(const struct db *);

/* Rows of a result. */
size_t		 db_nrows(const struct db_res *);

/* A field as text, NULL for SQL NULL; lives as long as the result. */
const char	*db_get(const struct db_res *, size_t row, size_t col);

/* A field as an integer; NULL or non-numeric gives def. */
int64_t		 db_get_int64(const struct db_res *, size_t row, size_t col,
		    int64_t def);

/*
 * An integer as a statement parameter ("-42"), in the arena: what every
 * id, count and number of seconds is sent as.
 */
const char	*db_int64(struct arena *, int64_t);

/*
 * A text[] parameter ("{\"a\",\"b\"}") of the n strings at v, each
 * stride bytes after the one before: sizeof(char *) for an array of
 * strings, the size of a struct to take one string member of each of an
 * array of them.  Quotes and backslashes escaped, a NULL string SQL
 * NULL; "{}" when n is 0.  In the arena.
 */
const char	*db_text_array(struct arena *, const char *const *v, size_t n,
		    size_t stride);

/* Rows changed by an INSERT, UPDATE or DELETE. */
int64_t		 db_changed(const struct db_res *);

/*
 * An advisory lock (keys k1, k2) held across the caller's transactions
 * until db_unlock() (a migration run, a digest run).  Directly, a session
 * lock on the connection.  Behind a pooler (db_new()'s pooled) a session
 * lock would stay with whichever server session ran it, so it is taken
 * transaction-scoped in a transaction held open on a second connection of
 * the handle (one pooled server session for as long as a lock is held);
 * locks are then released in reverse order of taking (a savepoint each).
 * wait: block until it is free; else *got (if not NULL) says whether it
 * was taken.  Errors as db_exec().
 */
enum err	 db_lock(struct db *, struct arena *, int64_t k1, int64_t k2,
		    bool wait, bool *got);
void		 db_unlock(struct db *, struct arena *, int64_t k1, int64_t k2);

/* Whether the handle reaches the server through a transaction pooler
 * (db_new()'s pooled). */
bool		 db_pooled(const struct db *);

/* How many transactions are open on the connection (0: none). */
int		 db_depth(const struct db *);

/*
 * Gives primary a read replica: a streaming standby at conninfo (copied;
 * application_name "sluice-read"), for read-only work that may be up to
 * max_lag_ms behind (SLUICE_DATABASE_READ_URL, SLUICE_READ_MAX_LAG_S).
 * The replica handle belongs to primary and is freed with it.
 */
void		 db_replica_set(struct db *primary, const char *conninfo,
		    long max_lag_ms);

/*
 * The handle for read-only work: the replica while the last check found
 * it reachable, in recovery and caught up, else primary itself (also
 * when none is set).  Checks at most every LIMIT_DB_REPLICA_CHECK_MS: the
 * primary's WAL position (pg_current_wal_lsn()), then the replica's; a
 * replica that has replayed up to it is not lagging whatever its last
 * replayed commit's age (an idle primary writes nothing to replay);
 * otherwise its lag is the age of its last replayed commit
 * (pg_last_xact_replay_timestamp()).  A switch either way is logged once.
 * The check runs only outside transactions on both (the last state
 * holds meanwhile; lib/web/app.c checks before a request's transaction).
 * Never fails: a check that cannot run counts as the replica down.
 */
struct db	*db_reader(struct db *primary, struct arena *);

/* The replica failed a statement the caller sent it: reads go to the
 * primary until the next check finds it good again. */
void		 db_replica_failed(struct db *primary);

/* The state the last check saw and (when lagging or ok) the lag in ms;
 * the name is "none", "unknown", "ok", "down", "primary" or "lagging". */
enum db_replica	 db_replica_state(const struct db *primary,
		    long *lag_ms);
const char	*db_replica_name(enum db_replica);

#endif
