/* db.c — one libpq connection per process, with reconnect and backoff. */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/limit.h"
#include "base/log.h"
#include "base/mem.h"
#include "store/db.h"

struct db {
	PGconn		*conn;
	char		*conninfo;
	long		 backoff_ms;	/* current wait after a failure */
	long		 backoff_max_ms;
	struct timespec	 next_try;	/* no reconnect before this */
	int		 depth;	/* open transaction levels */
	char		 last_error[256];
	/* db_exec_static: prepared[i] is named "sluice_<i>" on this conn. */
	const char	*prepared[LIMIT_DB_PREPARED];
	int		 nprepared;
	bool		 stale;		/* one was refused as stale: every one
					 * prepared afresh (fresh_prepared()) */
	bool		 pooled;	/* transaction pooler: no session state */
	bool		 ended;		/* conn: the server's last words came
					 * (a FATAL notice), its session is over */
	/* A replica: failures to connect are told by db_reader()'s
	 * switch, not logged each. */
	bool		 quiet;
	/* Sent with the next statement, in one round trip (pipeline): */
	bool		 begin_pending;	/* db_begin()'s BEGIN (depth is 1) */
	struct later {
		const char		*sql;
		int			 nparams;
		const char *const	*params;
	}		 later[LIMIT_DB_LATER];	/* db_exec_later() */
	int		 nlater;
	PGconn		*lockconn;	/* pooled: holds db_lock()'s locks */
	int		 nlocks;	/* pooled: locks held (savepoints) */
	const char	*appname;	/* application_name */
	/* db_replica_set(): the read replica and what the last check saw */
	struct db	*replica;
	long		 max_lag_ms;
	long		 next_check;	/* now_ms() of the next check */
	enum db_replica	 rstate;
	long		 lag_ms;
};

/* MODE_QUEUED: only what is queued (sql NULL). */
enum mode { MODE_PARAMS, MODE_SCRIPT, MODE_STATIC, MODE_QUEUED };

struct db_res {
	PGresult	*r;
};

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

struct db *
db_new(const char *conninfo, long backoff_max_ms, bool pooled)
{
	struct db *db;

	db = xcalloc(1, sizeof(*db));
	db->conninfo = xstrdup(conninfo);
	db->backoff_max_ms = backoff_max_ms > 0 ? backoff_max_ms :
	    LIMIT_DB_BACKOFF_MAX_MS;
	db->pooled = pooled;
	db->appname = "sluice";
	return db;
}

void
db_free(struct db *db)
{
	if (db == NULL)
		return;
	if (db->conn != NULL)
		PQfinish(db->conn);
	if (db->lockconn != NULL)
		PQfinish(db->lockconn);
	db_free(db->replica);
	free(db->conninfo);
	free(db);
}

static void
set_error(struct db *db, const char *msg)
{
	size_t n;

	snprintf(db->last_error, sizeof(db->last_error), "%s",
	    msg != NULL ? msg : "unknown error");
	n = strlen(db->last_error);
	while (n > 0 && (db->last_error[n - 1] == '\n' ||
	    db->last_error[n - 1] == ' '))
		db->last_error[--n] = '\0';
}

static void
drop(struct db *db)
{
	long now = now_ms();

	if (db->conn != NULL) {
		PQfinish(db->conn);
		db->conn = NULL;
	}
	db->depth = 0;
	db->begin_pending = false;
	db->nlater = 0;
	db->backoff_ms = db->backoff_ms == 0 ? LIMIT_DB_BACKOFF_MIN_MS :
	    db->backoff_ms * 2;
	if (db->backoff_ms > db->backoff_max_ms)
		db->backoff_ms = db->backoff_max_ms;
	db->next_try.tv_sec = (now + db->backoff_ms) / 1000;
	db->next_try.tv_nsec = ((now + db->backoff_ms) % 1000) * 1000000L;
}

/*
 * libpq's notices.  The server's last words on a session it ends (FATAL:
 * a restart, pg_terminate_backend(), an idle timeout) mark it ended, so
 * that idle_check() replaces it without waiting for the end of the
 * stream; a WARNING is logged as a line of its own.  (libpq's default
 * printed both raw on stderr, in the middle of the JSON log.)
 */
static void
on_notice(void *arg, const PGresult *r)
{
	bool *ended = arg;
	const char *sev = PQresultErrorField(r, PG_DIAG_SEVERITY_NONLOCALIZED);
	const char *msg = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);

	if (sev == NULL)
		return;
	if (strcmp(sev, "FATAL") == 0 || strcmp(sev, "PANIC") == 0) {
		if (ended != NULL)
			*ended = true;
		log_msg(LOG_WARN, NULL, "db_lost", "the database ended the "
		    "session: %s", msg != NULL ? msg : sev);
	} else if (strcmp(sev, "WARNING") == 0)
		log_msg(LOG_WARN, NULL, "db_notice", "%s",
		    msg != NULL ? msg : sev);
}

/* A new connection to conninfo (NULL when out of memory), its notices
 * going to on_notice() with *ended (NULL: only logged). */
static PGconn *
open_conn(const struct db *db, bool *ended)
{
	PGconn *c;
	static const char *const keys[] = { "dbname", "connect_timeout",
	    "application_name", NULL };
	char timeout[16];
	const char *vals[4];

	snprintf(timeout, sizeof(timeout), "%d", LIMIT_DB_CONNECT_S);
	/* dbname may hold a whole conninfo string or URI (expand_dbname). */
	vals[0] = db->conninfo;
	vals[1] = timeout;
	vals[2] = db->appname;
	vals[3] = NULL;
	if ((c = PQconnectdbParams(keys, vals, 1)) != NULL)
		(void)PQsetNoticeReceiver(c, on_notice, ended);
	return c;
}

static enum err
connect_now(struct db *db)
{
	db->conn = open_conn(db, &db->ended);
	if (db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK) {
		set_error(db, db->conn ? PQerrorMessage(db->conn) :
		    "out of memory");
		if (!db->quiet)
			log_msg(LOG_WARN, NULL, "db_connect", "cannot connect "
			    "to the database: %s", db->last_error);
		drop(db);
		return ERR_UNAVAILABLE;
	}
	db->backoff_ms = 0;
	db->ended = false;
	/* A transaction whose BEGIN is still queued goes to the new
	 * connection whole; any other ended with the old one. */
	if (!db->begin_pending)
		db->depth = 0;
	db->nprepared = 0;	/* statements belong to the old connection */
	db->stale = false;
	return ERR_OK;
}

enum err
db_ready(struct db *db)
{
	long now;

	if (db->conn != NULL && PQstatus(db->conn) == CONNECTION_OK)
		return ERR_OK;
	if (db->conn != NULL)
		drop(db);
	now = now_ms();
	if (db->backoff_ms != 0 && now < db->next_try.tv_sec * 1000L +
	    db->next_try.tv_nsec / 1000000L)
		return ERR_UNAVAILABLE;
	return connect_now(db);
}

static void
res_clear(void *p)
{
	PQclear(p);
}

static enum err
classify(const PGresult *r)
{
	const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);

	if (state == NULL)
		return ERR_DB;
	if (strcmp(state, "23505") == 0 || strcmp(state, "23P01") == 0 ||
	    strcmp(state, "40001") == 0)
		return ERR_CONFLICT;
	if (strncmp(state, "23", 2) == 0 || strncmp(state, "22", 2) == 0)
		return ERR_INPUT;
	/* 57014: cancelled, a statement_timeout (lib/web/app.c) among the
	 * causes — the database is fine, this statement took too long. */
	if (strncmp(state, "08", 2) == 0 || strcmp(state, "57014") == 0 ||
	    strcmp(state, "57P01") == 0 ||
	    strcmp(state, "57P02") == 0 || strcmp(state, "57P03") == 0)
		return ERR_UNAVAILABLE;
	return ERR_DB;
}

/* A failed result (NULL: the connection's error): recorded, classified,
 * logged once unless the caller expects it (conflict, bad input). */
static enum err
failed(struct db *db, const PGresult *r)
{
	enum err rc;

	set_error(db, r != NULL ? PQresultErrorField(r,
	    PG_DIAG_MESSAGE_PRIMARY) : PQerrorMessage(db->conn));
	rc = r != NULL ? classify(r) : ERR_UNAVAILABLE;
	if (rc != ERR_CONFLICT && rc != ERR_INPUT)
		log_msg(LOG_ERROR, NULL, "db_error", "%s", db->last_error);
	return rc;
}

/* The slot of static statement sql on this connection: < nprepared when
 * prepared, == nprepared when it can be, -1 when it runs unnamed (behind
 * a pooler, whose next transaction may run in another server session,
 * or beyond LIMIT_DB_PREPARED). */
static int
prepared_slot(const struct db *db, const char *sql)
{
	int i;

	if (db->pooled)
		return -1;
	for (i = 0; i < db->nprepared && db->prepared[i] != sql; i++)
		;
	return i < LIMIT_DB_PREPARED ? i : -1;
}

static bool
res_ok(const PGresult *r)
{
	return r != NULL && (PQresultStatus(r) == PGRES_COMMAND_OK ||
	    PQresultStatus(r) == PGRES_TUPLES_OK);
}

/* Queues one statement into the pipeline (static: prepared on first
 * use, its slot taken now).  False when libpq could not queue it. */
static bool
pipe_send(struct db *db, const char *sql, int nparams,
    const char *const *params, bool stat, bool *prepares)
{
	char name[24];
	int i;

	*prepares = false;
	if (!stat || (i = prepared_slot(db, sql)) < 0)
		return PQsendQueryParams(db->conn, sql, nparams, NULL, params,
		    NULL, NULL, 0) == 1;
	snprintf(name, sizeof(name), "sluice_%d", i);
	if (i == db->nprepared) {
		if (PQsendPrepare(db->conn, name, sql, nparams, NULL) != 1)
			return false;
		db->prepared[db->nprepared++] = sql;
		*prepares = true;
	}
	return PQsendQueryPrepared(db->conn, name, nparams, params, NULL,
	    NULL, 0) == 1;
}

/* The next result of the pipeline and the NULL that ends it. */
static PGresult *
pipe_result(struct db *db)
{
	PGresult *r, *extra;

	if ((r = PQgetResult(db->conn)) == NULL)
		return NULL;
	while ((extra = PQgetResult(db->conn)) != NULL)
		PQclear(extra);
	return r;
}

/*
 * Sends the queued BEGIN and db_exec_later() statements and then sql
 * (NULL: none) in one pipeline, one round trip.  Returns sql's result,
 * or the first failed one's, or (no sql) the last queued one's; NULL
 * when the connection failed (the queue is then kept, to be sent again
 * on a new connection while no BEGIN has gone out).
 */
static PGresult *
pipeline(struct db *db, const char *sql, int nparams,
    const char *const *params, bool stat)
{
	/* Each query's statement and whether a prepare went before it. */
	bool prep[LIMIT_DB_LATER + 2];
	PGresult *r, *keep = NULL;
	int i, n = 0, from = db->nprepared;
	bool sent = PQenterPipelineMode(db->conn) == 1;

	if (sent && db->begin_pending) {
		prep[n++] = false;
		sent = PQsendQueryParams(db->conn, "BEGIN", 0, NULL, NULL, NULL,
		    NULL, 0) == 1;
	}
	for (i = 0; sent && i < db->nlater; i++)
		sent = pipe_send(db, db->later[i].sql, db->later[i].nparams,
		    db->later[i].params, true, &prep[n++]);
	if (sent && sql != NULL)
		sent = pipe_send(db, sql, nparams, params, stat, &prep[n++]);
	if (!sent || PQpipelineSync(db->conn) != 1) {
		db->nprepared = from;
		(void)PQexitPipelineMode(db->conn);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		if (prep[i]) {
			r = pipe_result(db);
			if (!res_ok(r)) {
				/* Not prepared: neither it nor what
				 * follows it in this pipeline. */
				if (db->nprepared > from)
					db->nprepared = from;
				if (keep == NULL || res_ok(keep)) {
					PQclear(keep);
					keep = r;
				} else
					PQclear(r);
				PQclear(pipe_result(db));	/* its query */
				continue;
			}
			PQclear(r);
			from++;
		}
		r = pipe_result(db);
		if (keep != NULL && !res_ok(keep))
			PQclear(r);	/* aborted by the earlier failure */
		else {
			PQclear(keep);
			keep = r;
		}
	}
	r = PQgetResult(db->conn);	/* the sync */
	if (r == NULL || PQresultStatus(r) != PGRES_PIPELINE_SYNC ||
	    PQexitPipelineMode(db->conn) != 1 ||
	    PQstatus(db->conn) != CONNECTION_OK) {
		PQclear(r);
		PQclear(keep);
		db->nprepared = from;
		return NULL;
	}
	PQclear(r);
	db->begin_pending = false;
	db->nlater = 0;
	return keep;
}

/*
 * Sends sql once the connection is up: a script, a one-off statement, or
 * a static one prepared on first use; after what is queued, if anything.
 * NULL or an error result on failure.
 */
static PGresult *
send_sql(struct db *db, const char *sql, int nparams,
    const char *const *params, enum mode mode)
{
	char name[24];
	PGresult *r;
	int i;

	if (mode == MODE_QUEUED && !db->begin_pending && db->nlater == 0)
		return PQmakeEmptyPGresult(db->conn, PGRES_COMMAND_OK);
	if (db->begin_pending || db->nlater > 0) {
		if (mode != MODE_SCRIPT)
			return pipeline(db, sql, nparams, params,
			    mode == MODE_STATIC);
		/* A script goes by the simple protocol, alone. */
		if (!res_ok(r = pipeline(db, NULL, 0, NULL, false)))
			return r;
		PQclear(r);
	}
	if (mode == MODE_SCRIPT)
		return PQexec(db->conn, sql);
	if (mode == MODE_STATIC && (i = prepared_slot(db, sql)) >= 0) {
		snprintf(name, sizeof(name), "sluice_%d", i);
		if (i == db->nprepared) {
			r = PQprepare(db->conn, name, sql, nparams, NULL);
			if (!res_ok(r))
				return r;
			PQclear(r);
			db->prepared[db->nprepared++] = sql;
		}
		return PQexecPrepared(db->conn, name, nparams, params, NULL,
		    NULL, 0);
	}
	/* Behind a pooler a hot statement without parameters goes by the
	 * simple protocol: one message instead of five, to the pooler and
	 * the server (its text is a constant of the program). */
	if (mode == MODE_STATIC && nparams == 0)
		return PQexec(db->conn, sql);
	return PQexecParams(db->conn, sql, nparams, NULL, params, NULL, NULL,
	    0);
}

/* The connection failed, not the statement: no result, a connection
 * libpq finds bad, or an error libpq made itself (a server's error always
 * has a SQLSTATE; "server closed the connection unexpectedly" none). */
static bool
lost(const struct db *db, const PGresult *r)
{
	return r == NULL || PQstatus(db->conn) != CONNECTION_OK ||
	    (PQresultStatus(r) == PGRES_FATAL_ERROR &&
	    PQresultErrorField(r, PG_DIAG_SQLSTATE) == NULL);
}

/* The connection is dropped for a new one at the next call, at once (no
 * backoff: the server may well be up). */
static void
replace(struct db *db)
{
	PQfinish(db->conn);
	db->conn = NULL;
	db->backoff_ms = 0;
}

/*
 * Outside a transaction, or before a transaction's first statement went
 * out, a session the server ended while it sat idle (a restart,
 * pg_terminate_backend(), an idle timeout) has said so already:
 * its last message, or the end of the stream, waits on the socket.  Found
 * before a statement goes out, the connection is replaced.  One poll() of
 * no wait when nothing waits.
 */
static void
idle_check(struct db *db)
{
	struct pollfd p;
	int i;

	if (db->conn == NULL || (p.fd = PQsocket(db->conn)) < 0)
		return;
	p.events = POLLIN;
	/* The server's last words (a FATAL notice: on_notice()) come
	 * first, the end of the stream a moment after them: either ends
	 * the session. */
	for (i = 0; i < 4 && !db->ended; i++) {
		p.revents = 0;
		if (poll(&p, 1, 0) != 1)
			return;
		/* PQisBusy() parses what was read: the notices. */
		if (PQconsumeInput(db->conn) != 1 ||
		    PQstatus(db->conn) != CONNECTION_OK)
			break;
		(void)PQisBusy(db->conn);
	}
	if (i < 4)
		replace(db);	/* else a stream of notices: the statement
				 * will tell */
}

/*
 * A prepared statement PostgreSQL will not run as it was prepared (0A000,
 * "cached plan must not change result type": a column it answers changed
 * its type while the program ran, an ALTER TABLE or a migration).  Only
 * preparing it again mends it.
 */
static bool
stale(const PGresult *r)
{
	const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);

	return state != NULL && strcmp(state, "0A000") == 0;
}

/* After a stale statement, at the first moment no transaction is open:
 * DEALLOCATE ALL, and every statement is prepared again on first use. */
static void
fresh_prepared(struct db *db)
{
	PGresult *r;

	if (!db->stale || PQtransactionStatus(db->conn) != PQTRANS_IDLE)
		return;
	r = PQexec(db->conn, "DEALLOCATE ALL");
	if (res_ok(r)) {
		db->nprepared = 0;
		db->stale = false;
	}
	PQclear(r);
}

/*
 * run() once.  A prepared statement refused as stale outside a
 * transaction ran nothing: then *again (if not NULL) is set, nothing is
 * logged, and the caller may send it once more.
 */
static enum err
run_once(struct db *db, struct arena *a, const char *sql, int nparams,
    const char *const *params, enum mode mode, struct db_res **out,
    bool *again)
{
	struct db_res *res;
	PGresult *r;
	enum err rc;
	int tries;
	ExecStatusType st;

	if (out != NULL)
		*out = NULL;
	for (tries = 0; tries < 2; tries++) {
		/* Before anything of a transaction went out too: a new
		 * connection takes its queued BEGIN (connect_now()). */
		if (db->depth == 0 || db->begin_pending)
			idle_check(db);
		if ((rc = db_ready(db)) != ERR_OK)
			return rc;
		fresh_prepared(db);
		r = send_sql(db, sql, nparams, params, mode);
		if (lost(db, r)) {
			set_error(db, PQerrorMessage(db->conn));
			PQclear(r);
			/* A connection lost with the statement that opens a
			 * transaction (its BEGIN went with it, so the server
			 * rolled it all back) is replaced and the statement
			 * sent once more, after what is queued.  Never a
			 * statement outside a transaction: the server may have
			 * run and committed it before the connection died, and
			 * a second would write twice (idle_check() finds a
			 * session that ended while idle before it goes out);
			 * nor the end of a transaction (db_commit() keeps its
			 * level until it is answered): a COMMIT sent again on
			 * a new session would commit nothing and say so only
			 * with a warning. */
			if (db->begin_pending && tries == 0) {
				replace(db);
				continue;
			}
			log_msg(LOG_WARN, NULL, "db_lost", "database "
			    "connection lost: %s", db->last_error);
			/* Its transaction went with it.  The next call
			 * connects again at once: a server that is down
			 * refuses that, and the backoff starts there. */
			drop(db);
			db->backoff_ms = 0;
			return ERR_UNAVAILABLE;
		}
		break;
	}
	st = PQresultStatus(r);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		if (mode == MODE_STATIC && db->nprepared > 0 && stale(r)) {
			db->stale = true;
			if (again != NULL && PQtransactionStatus(db->conn) ==
			    PQTRANS_IDLE) {
				*again = true;
				PQclear(r);
				return ERR_DB;
			}
		}
		rc = failed(db, r);
		PQclear(r);
		return rc;
	}
	if (out == NULL) {
		PQclear(r);
		return ERR_OK;
	}
	arena_defer(a, res_clear, r);
	res = arena_alloc(a, sizeof(*res));
	res->r = r;
	*out = res;
	return ERR_OK;
}

/*
 * One statement (mode) with what is queued.  A stale prepared statement
 * (stale()) inside a transaction fails it, and the connection's
 * statements are prepared afresh after it; outside one it is sent once
 * more at once, prepared afresh.
 */
static enum err
run(struct db *db, struct arena *a, const char *sql, int nparams,
    const char *const *params, enum mode mode, struct db_res **out)
{
	bool again = false;
	enum err rc;

	rc = run_once(db, a, sql, nparams, params, mode, out, &again);
	if (again)
		rc = run_once(db, a, sql, nparams, params, mode, out, NULL);
	return rc;
}

enum err
db_exec(struct db *db, struct arena *a, const char *sql, int nparams,
    const char *const *params, struct db_res **out)
{
	return run(db, a, sql, nparams, params, MODE_PARAMS, out);
}

enum err
db_exec_static(struct db *db, struct arena *a, const char *sql,
    int nparams, const char *const *params, struct db_res **out)
{
	return run(db, a, sql, nparams, params, MODE_STATIC, out);
}

static const char sql_generic[] =
	"SET LOCAL plan_cache_mode = force_generic_plan";
static const char sql_plan_default[] =
	"SET LOCAL plan_cache_mode TO DEFAULT";

enum err
db_exec_generic(struct db *db, struct arena *a, const char *sql,
    int nparams, const char *const *params, struct db_res **out)
{
	bool generic = !db->pooled && db->depth > 0;
	enum err rc;

	if (generic)
		(void)db_exec_later(db, a, sql_generic, 0, NULL);
	rc = run(db, a, sql, nparams, params, MODE_STATIC, out);
	if (generic)
		(void)db_exec_later(db, a, sql_plan_default, 0, NULL);
	return rc;
}

enum err
db_copy_in(struct db *db, const char *sql, const char *data, size_t len,
    int64_t *rows)
{
	PGresult *r, *extra;
	enum err rc;
	bool sent;

	if (rows != NULL)
		*rows = 0;
	/* The transaction's BEGIN (and set-up) first: COPY goes alone. */
	if ((rc = db_send_queued(db, NULL)) != ERR_OK)
		return rc;
	if ((rc = db_ready(db)) != ERR_OK)
		return rc;
	r = PQexec(db->conn, sql);
	if (r != NULL && PQresultStatus(r) == PGRES_COPY_IN) {
		PQclear(r);
		sent = len == 0 || PQputCopyData(db->conn, data, (int)len) == 1;
		/* The end (or the abort) always goes, or the COPY hangs. */
		if (PQputCopyEnd(db->conn, sent ? NULL : "the rows could not "
		    "be sent") != 1)
			r = NULL;	/* the connection's error */
		else
			r = PQgetResult(db->conn);	/* the COPY's own */
		while ((extra = PQgetResult(db->conn)) != NULL)
			PQclear(extra);
	}
	if (r == NULL || PQresultStatus(r) != PGRES_COMMAND_OK)
		rc = failed(db, r);
	else if (rows != NULL)
		*rows = strtoll(PQcmdTuples(r), NULL, 10);
	PQclear(r);
	if (PQstatus(db->conn) != CONNECTION_OK)
		drop(db);
	return rc;
}

enum err
db_exec_script(struct db *db, struct arena *a, const char *sql)
{
	return run(db, a, sql, 0, NULL, MODE_SCRIPT, NULL);
}

enum err
db_begin(struct db *db, struct arena *a)
{
	enum err rc;

	/* The outermost BEGIN goes with the transaction's first statement
	 * (pipeline()); a transaction that sends none costs no round trip. */
	if (db->depth == 0) {
		db->begin_pending = true;
		db->nlater = 0;
		db->depth = 1;
		return ERR_OK;
	}
	/* Inside a transaction (the request's), a nested one is a savepoint. */
	rc = db_exec(db, a, arena_printf(a, "SAVEPOINT sluice_%d", db->depth),
	    0, NULL, NULL);
	if (rc == ERR_OK)
		db->depth++;
	return rc;
}

/* The outermost level ends before anything of it was sent: nothing to
 * end on the server. */
static bool
end_unsent(struct db *db)
{
	if (db->depth != 1 || !db->begin_pending)
		return false;
	db->begin_pending = false;
	db->nlater = 0;
	db->depth = 0;
	return true;
}

enum err
db_commit(struct db *db, struct arena *a)
{
	enum err rc;
	int to;

	if (db->depth <= 0 || end_unsent(db))
		return ERR_OK;
	to = db->depth - 1;
	if (to == 0)
		db->nlater = 0;	/* they only set the transaction up */
	/* Sent at the level it ends, so a connection lost on the way is
	 * an error (ERR_UNAVAILABLE: the outcome is unknown), never a
	 * COMMIT sent again on a new connection (run()). */
	rc = db_exec(db, a, to == 0 ? "COMMIT" : arena_printf(a,
	    "RELEASE SAVEPOINT sluice_%d", to), 0, NULL, NULL);
	if (db->depth > to)
		db->depth = to;	/* a lost connection has left none */
	if (rc != ERR_OK && db->depth > 0)
		db_rollback(db, a);	/* keep the levels consistent */
	return rc;
}

void
db_rollback(struct db *db, struct arena *a)
{
	if (db->depth <= 0 || end_unsent(db))
		return;
	db->depth--;
	if (db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK) {
		db->depth = 0;
		db->nlater = 0;
		return;
	}
	if (db->depth == 0) {
		db->nlater = 0;
		(void)db_exec(db, a, "ROLLBACK", 0, NULL, NULL);
	} else {
		(void)db_exec(db, a, arena_printf(a, "ROLLBACK TO SAVEPOINT "
		    "sluice_%d", db->depth), 0, NULL, NULL);
		(void)db_exec(db, a, arena_printf(a, "RELEASE SAVEPOINT "
		    "sluice_%d", db->depth), 0, NULL, NULL);
	}
}

enum err
db_exec_later(struct db *db, struct arena *a, const char *sql, int nparams,
    const char *const *params)
{
	struct later *l;

	if (db->depth == 0 || db->nlater >= LIMIT_DB_LATER)
		return db_exec_static(db, a, sql, nparams, params, NULL);
	l = &db->later[db->nlater++];
	l->sql = sql;
	l->nparams = nparams;
	l->params = params;
	return ERR_OK;
}

enum err
db_send_queued(struct db *db, struct arena *a)
{
	if (!db->begin_pending && db->nlater == 0)
		return ERR_OK;
	return run(db, a, NULL, 0, NULL, MODE_QUEUED, NULL);
}

/* One statement on the lock connection; false (logged) when it failed. */
static bool
lock_exec(struct db *db, const char *sql, int np, const char *const *p,
    bool *got)
{
	PGresult *r;
	bool ok;

	r = PQexecParams(db->lockconn, sql, np, NULL, p, NULL, NULL, 0);
	ok = r != NULL && (PQresultStatus(r) == PGRES_COMMAND_OK ||
	    PQresultStatus(r) == PGRES_TUPLES_OK);
	if (!ok) {
		set_error(db, r != NULL ? PQresultErrorField(r,
		    PG_DIAG_MESSAGE_PRIMARY) : PQerrorMessage(db->lockconn));
		log_msg(LOG_ERROR, NULL, "db_lock", "%s", db->last_error);
	} else if (got != NULL)
		*got = PQntuples(r) > 0 && strcmp(PQgetvalue(r, 0, 0),
		    "t") == 0;
	PQclear(r);
	return ok;
}

/* The lock functions' arguments: one bigint key, or two int keys. */
static const char *
lock_args(struct arena *a, int64_t k1, int64_t k2)
{
	return k2 < 0 ? arena_printf(a, "%lld", (long long)k1) :
	    arena_printf(a, "%d, %d", (int)(k1 % 2147483647),
	    (int)(k2 % 2147483647));
}

enum err
db_lock(struct db *db, struct arena *a, int64_t k1, int64_t k2, bool wait,
    bool *got)
{
	const char *args = lock_args(a, k1, k2);
	struct db_res *res;
	char sp[32];
	enum err rc;
	bool taken = true;

	if (got != NULL)
		*got = false;
	if (!db->pooled) {
		rc = db_exec(db, a, arena_printf(a, "SELECT pg_%sadvisory_lock"
		    "(%s)", wait ? "" : "try_", args), 0, NULL, &res);
		if (rc == ERR_OK && got != NULL)
			*got = wait || strcmp(db_get(res, 0, 0), "t") == 0;
		return rc;
	}
	if (db->lockconn != NULL && PQstatus(db->lockconn) != CONNECTION_OK) {
		PQfinish(db->lockconn);	/* its locks went with it */
		db->lockconn = NULL;
		db->nlocks = 0;
	}
	if (db->lockconn == NULL) {
		db->lockconn = open_conn(db, NULL);
		if (db->lockconn == NULL ||
		    PQstatus(db->lockconn) != CONNECTION_OK) {
			set_error(db, db->lockconn != NULL ?
			    PQerrorMessage(db->lockconn) : "out of memory");
			log_msg(LOG_WARN, NULL, "db_connect", "cannot connect "
			    "to the database for a lock: %s", db->last_error);
			PQfinish(db->lockconn);
			db->lockconn = NULL;
			return ERR_UNAVAILABLE;
		}
		db->nlocks = 0;
	}
	snprintf(sp, sizeof(sp), "SAVEPOINT sluice_lock_%d", db->nlocks);
	if ((db->nlocks == 0 && !lock_exec(db, "BEGIN", 0, NULL, NULL)) ||
	    !lock_exec(db, sp, 0, NULL, NULL) ||
	    !lock_exec(db, arena_printf(a, "SELECT pg_%sadvisory_xact_lock"
	    "(%s)", wait ? "" : "try_", args), 0, NULL, wait ? NULL :
	    &taken)) {
		PQfinish(db->lockconn);	/* ends the transaction, locks too */
		db->lockconn = NULL;
		db->nlocks = 0;
		return ERR_DB;
	}
	db->nlocks++;
	if (got != NULL)
		*got = taken;
	if (!taken)
		db_unlock(db, a, k1, k2);	/* drops the savepoint */
	return ERR_OK;
}

void
db_unlock(struct db *db, struct arena *a, int64_t k1, int64_t k2)
{
	char sql[64];

	if (!db->pooled) {
		(void)db_exec(db, a, arena_printf(a, "SELECT "
		    "pg_advisory_unlock(%s)", lock_args(a, k1, k2)), 0, NULL,
		    NULL);
		return;
	}
	if (db->lockconn == NULL || db->nlocks <= 0)
		return;
	db->nlocks--;
	/* Rolling back to the savepoint frees what was locked after it. */
	snprintf(sql, sizeof(sql), "ROLLBACK TO SAVEPOINT sluice_lock_%d",
	    db->nlocks);
	if (!lock_exec(db, sql, 0, NULL, NULL) ||
	    (db->nlocks == 0 && !lock_exec(db, "COMMIT", 0, NULL, NULL))) {
		PQfinish(db->lockconn);
		db->lockconn = NULL;
		db->nlocks = 0;
	}
}

const char *
db_last_error(const struct db *db)
{
	return db->last_error;
}

bool
db_pooled(const struct db *db)
{
	return db->pooled;
}

int
db_depth(const struct db *db)
{
	return db->depth;
}

size_t
db_nrows(const struct db_res *res)
{
	return (size_t)PQntuples(res->r);
}


const char *
db_get(const struct db_res *res, size_t row, size_t col)
{
	if (row >= db_nrows(res) || col >= (size_t)PQnfields(res->r) ||
	    PQgetisnull(res->r, (int)row, (int)col))
		return NULL;
	return PQgetvalue(res->r, (int)row, (int)col);
}

int64_t
db_get_int64(const struct db_res *res, size_t row, size_t col, int64_t def)
{
	const char *s;
	char *end;
	long long n;

	if ((s = db_get(res, row, col)) == NULL || *s == '\0')
		return def;
	n = strtoll(s, &end, 10);
	return *end == '\0' ? (int64_t)n : def;
}

/* db_value() and db_value_static(): the first field of run()'s result. */
static enum err
value(struct db *db, struct arena *a, const char *sql, int nparams,
    const char *const *params, enum mode mode, const char **out)
{
	struct db_res *res;
	enum err rc;

	*out = NULL;
	if ((rc = run(db, a, sql, nparams, params, mode, &res)) != ERR_OK)
		return rc;
	*out = db_get(res, 0, 0);
	return ERR_OK;
}

enum err
db_value(struct db *db, struct arena *a, const char *sql, int nparams,
    const char *const *params, const char **out)
{
	return value(db, a, sql, nparams, params, MODE_PARAMS, out);
}

enum err
db_value_static(struct db *db, struct arena *a, const char *sql,
    int nparams, const char *const *params, const char **out)
{
	return value(db, a, sql, nparams, params, MODE_STATIC, out);
}

const char *
db_int64(struct arena *a, int64_t v)
{
	return arena_printf(a, "%lld", (long long)v);
}

/* The string at v, i strides on. */
#define TEXT_AT(v, i, stride) (*(const char *const *)(const void *) \
	((const char *)(v) + (i) * (stride)))

const char *
db_text_array(struct arena *a, const char *const *v, size_t n,
    size_t stride)
{
	struct buf *b;
	const char *s;
	size_t i, size = 3;

	for (i = 0; i < n; i++)
		size += (TEXT_AT(v, i, stride) != NULL ?
		    2 * strlen(TEXT_AT(v, i, stride)) : 4) + 3;
	b = buf_new_arena(a, size);
	buf_putc(b, '{');
	for (i = 0; i < n; i++) {
		if (TEXT_AT(v, i, stride) == NULL) {
			buf_puts(b, i > 0 ? ",NULL" : "NULL");
			continue;
		}
		buf_puts(b, i > 0 ? ",\"" : "\"");
		for (s = TEXT_AT(v, i, stride); *s != '\0'; s++) {
			if (*s == '"' || *s == '\\')
				buf_putc(b, '\\');
			buf_putc(b, *s);
		}
		buf_putc(b, '"');
	}
	buf_putc(b, '}');
	return buf_cstr(b);
}

int64_t
db_changed(const struct db_res *res)
{
	const char *s = PQcmdTuples(res->r);

	return s != NULL && *s != '\0' ? strtoll(s, NULL, 10) : 0;
}

void
db_replica_set(struct db *db, const char *conninfo, long max_lag_ms)
{
	db_free(db->replica);
	db->replica = db_new(conninfo, db->backoff_max_ms, db->pooled);
	db->replica->appname = "sluice-read";
	db->replica->quiet = true;
	db->max_lag_ms = max_lag_ms;
	db->rstate = DB_REPLICA_UNKNOWN;
	db->next_check = 0;
	db->lag_ms = 0;
}

const char *
db_replica_name(enum db_replica st)
{
	static const char *const names[] = { "none", "unknown", "ok", "down",
	    "primary", "lagging" };

	return (size_t)st < nitems(names) ? names[st] : "unknown";
}

/* Records what a check saw; a change of where reads go is logged. */
static void
replica_saw(struct db *db, enum db_replica st, long lag_ms, const char *why)
{
	enum db_replica was = db->rstate;

	db->rstate = st;
	db->lag_ms = lag_ms;
	if (st == was || (st != DB_REPLICA_OK && was != DB_REPLICA_OK &&
	    was != DB_REPLICA_UNKNOWN))
		return;
	if (st == DB_REPLICA_OK)
		log_msg(LOG_INFO, NULL, "db_replica", "reads go to the read "
		    "replica (SLUICE_DATABASE_READ_URL)%s",
		    was == DB_REPLICA_UNKNOWN ? "" : " again");
	else
		log_msg(LOG_WARN, NULL, "db_replica", "reads go to the "
		    "primary: the read replica %s", why);
}

static const char sql_primary_lsn[] = "SELECT pg_current_wal_lsn()::text";
static const char sql_replica_lag[] =
	"SELECT pg_is_in_recovery(), "
	"coalesce(pg_last_wal_replay_lsn() >= $1::pg_lsn, false), "
	"(extract(epoch FROM now() - pg_last_xact_replay_timestamp()) "
	"* 1000)::bigint";

/* One check of the replica against the primary's WAL position. */
static void
replica_check(struct db *db, struct arena *a)
{
	struct db_res *res;
	const char *lsn, *p[1];
	long lag;

	if (db_value(db, a, sql_primary_lsn, 0, NULL, &lsn) != ERR_OK ||
	    lsn == NULL) {
		/* Without the primary's position nothing is known. */
		replica_saw(db, DB_REPLICA_DOWN, 0, "cannot be compared with "
		    "the primary (its WAL position did not come)");
		return;
	}
	p[0] = lsn;
	if (db_ready(db->replica) != ERR_OK || db_exec(db->replica, a,
	    sql_replica_lag, 1, p, &res) != ERR_OK || db_nrows(res) != 1) {
		replica_saw(db, DB_REPLICA_DOWN, 0, arena_printf(a, "is not "
		    "reachable: %s", db_last_error(db->replica)));
		return;
	}
	if (strcmp(db_get(res, 0, 0), "t") != 0) {
		replica_saw(db, DB_REPLICA_PRIMARY, 0, "is not in recovery "
		    "(promoted, or not a standby): check "
		    "SLUICE_DATABASE_READ_URL");
		return;
	}
	if (strcmp(db_get(res, 0, 1), "t") == 0) {
		replica_saw(db, DB_REPLICA_OK, 0, NULL);
		return;
	}
	/* Behind the primary: by the age of its last replayed commit (none
	 * replayed since it started: the bound's worth). */
	lag = (long)db_get_int64(res, 0, 2, db->max_lag_ms + 1);
	if (lag > db->max_lag_ms)
		replica_saw(db, DB_REPLICA_LAGGING, lag, arena_printf(a,
		    "lags %ld ms behind (more than SLUICE_READ_MAX_LAG_S)",
		    lag));
	else
		replica_saw(db, DB_REPLICA_OK, lag, NULL);
}

struct db *
db_reader(struct db *db, struct arena *a)
{
	long now;

	if (db->replica == NULL)
		return db;
	now = now_ms();
	/* Never inside a transaction: a failed check would abort the
	 * caller's work on the primary, or its read on the replica. */
	if (now >= db->next_check && db->depth == 0 &&
	    db->replica->depth == 0) {
		db->next_check = now + LIMIT_DB_REPLICA_CHECK_MS;
		replica_check(db, a);
	}
	return db->rstate == DB_REPLICA_OK ? db->replica : db;
}

void
db_replica_failed(struct db *db)
{
	if (db->replica == NULL)
		return;
	replica_saw(db, DB_REPLICA_DOWN, 0, "failed a statement");
	db->next_check = now_ms() + LIMIT_DB_REPLICA_CHECK_MS;
}

enum db_replica
db_replica_state(const struct db *db, long *lag_ms)
{
	if (lag_ms != NULL)
		*lag_ms = db->replica != NULL ? db->lag_ms : 0;
	return db->replica != NULL ? db->rstate : DB_REPLICA_NONE;
}
