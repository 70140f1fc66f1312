/*
 * app.h — the one FastCGI loop every program shares; a handler's context.
 *
 * A program is its route table plus app_main().  Per request: parse the
 * CGI parameters into a struct req, find the route (404, 405 with Allow),
 * read the body within the route's limit (413), check the database unless
 * the route says ROUTE_NODB (503 with Retry-After while it is down), run
 * the handler, turn a returned error into one JSON or HTML error, write
 * the buffered response once, log one line, reset the arena.  SIGTERM
 * lets the request in hand finish, then the process exits.
 */
#ifndef SLUICE_APP_H
#define SLUICE_APP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "base/arena.h"
#include "base/config.h"
#include "base/err.h"
#include "web/req.h"
#include "web/resp.h"
#include "web/route.h"

struct apikey_auth;
struct crypto_keyring;
struct db;
struct httpc;
struct json_object;
struct session;
struct tmpl;

/* Process state: made at start-up, freed at exit. */
struct app {
	const char		*name;
	const struct route	*routes;
	size_t			 nroutes;
	struct config		 cfg;
	struct db		*db;
	int			 code_migrations; /* files in SLUICE_SQL_DIR */
	int			 code_latest;	/* highest of their versions */
	struct crypto_keyring	*keys;	/* SLUICE_ENCRYPTION_KEYS, or NULL */
	struct tmpl		*tmpl;	/* SLUICE_TEMPLATE_DIR, or NULL */
	struct httpc		*http;	/* outgoing calls (lib/net/httpc) */
	/* app_view_extra()'s function, or NULL. */
	void			(*view_extra)(struct ctx *,
				    struct json_object *);
	/* app_def's flush, or NULL. */
	void			(*flush)(struct ctx **, size_t,
				    enum err *);
};

/* What a handler sees for one request; everything in it dies with the
 * request's arena. */
struct ctx {
	struct app		*app;
	const struct config	*cfg;
	struct db		*db;
	struct arena		*arena;
	struct req		 req;
	struct resp		 resp;
	struct route_match	 match;
	const char		*error;	/* message for the error response */
	/* Who is asking, set by the route flags' checks: */
	struct session		*session;	/* ROUTE_SESSION / ROUTE_CSRF */
	struct apikey_auth	*key;		/* ROUTE_APIKEY */
	int64_t			 workspace_id;	/* of the session or key */
	const char		*role;		/* owner, admin or viewer */
	bool			 cron;		/* ROUTE_CRON secret matched */
	bool			 scoped;	/* in the tenant's transaction */
	/* app_read_db()'s handle once asked for (the replica's transaction
	 * is closed after the handler), NULL before. */
	struct db		*rdb;
	/* The 403 is of a stale or foreign form (its CSRF token): the
	 * error page says the form expired, not that access is missing. */
	bool			 form_expired;
	/* The body was over the route's limit and dropped (ROUTE_OVERSIZE):
	 * the handler answers 413. */
	bool			 oversize;
	void			*out;	/* the FastCGI output (streams) */
	/* Work after the answer is out (app_after()). */
	void			(*after)(struct ctx *, void *);
	void			*after_arg;
	/* app_defer()'s item while the answer waits for the flush; NULL
	 * for a request answered by its handler. */
	void			*deferred;
	struct timespec		 started;	/* CLOCK_MONOTONIC */
	unsigned long		 seq;		/* of the process's requests */
};

/* A program's description for app_main(). */
struct app_def {
	const char		*name;
	const struct route	*routes;
	size_t			 nroutes;
	/* Optional command-line mode: `prog ARGS...` from a shell. */
	int			(*cli)(struct app *, int argc, char **argv);
	const char		*usage;	/* one line per CLI command */
	/*
	 * Optional: answers the n requests whose handlers deferred
	 * (app_defer()) at once, in the order they came.  rcs[i] is what
	 * request i's handler would have returned: ERR_OK with ctx[i]'s
	 * response set, or an error (app_fail() on ctx[i] for its message).
	 */
	void			(*flush)(struct ctx **ctx, size_t n,
				    enum err *rcs);
};

/*
 * Sets what a program adds to every page of a logged-in person (the
 * navigation's counts), called by app_render() on the view it is about
 * to render, inside the request's scoped transaction only (not on an
 * error page drawn after it ended); fn leaves the view as it is when it
 * fails.  Call before app_main().
 */
void		 app_view_extra(void (*fn)(struct ctx *, struct json_object *));

/*
 * Runs the program: with arguments, its CLI; under FastCGI, the request
 * loop until SIGTERM.  Returns the process exit status.
 */
int		 app_main(const struct app_def *, int argc, char **argv);

/*
 * Loads the browser session from its cookie if there is one (routes
 * without ROUTE_SESSION that still want to know who is asking).  ERR_OK
 * with ctx->session set, ERR_AUTH when there is no valid session.
 */
enum err	 app_session(struct ctx *);

/*
 * Renders template name as the response: status, text/html.  The view (a
 * json-c object; the arena owns it afterwards) gets "request_id" and,
 * when a session is loaded, "session" {email, workspace, role, csrf,
 * is_admin, is_viewer}.  A page longer than LIMIT_TMPL_OUTPUT is shown
 * with its longest list shortened and "page_note" saying so, rather than
 * failing.  ERR_TEMPLATE when rendering fails (the caller returns it and
 * the 500 page follows).
 */
enum err	 app_render(struct ctx *, int status, const char *name,
		    struct json_object *view);

/*
 * Defers the answer to this request so that the program's flush
 * (app_def) answers it together with others: a process that has several
 * webhook deliveries waiting stores them with one commit.  True when
 * deferred: item (in the request's arena, which lives until the answer)
 * is ctx->deferred, and the handler returns ERR_OK having answered
 * nothing.  False when it cannot be — the program has no flush, the
 * request is in a transaction, nginx keeps this connection for more
 * requests, or LIMIT_FCGI_BATCH wait already — and the handler answers
 * itself.  The process flushes when no other new connection waits in its
 * listening queue, or LIMIT_FCGI_BATCH answers wait: under no load at
 * once, under load after the requests that came meanwhile.
 */
bool		 app_defer(struct ctx *, void *item);

/*
 * Runs fn(ctx, arg) once the answer has gone to the client and its
 * connection is finished, before the request's arena goes: work whose
 * duration must not show in the answer's time (mailing a password reset
 * link only when the address has an account).  The request's
 * transaction is over then: fn works with ctx->db as a program outside
 * a workspace does.  One per request; a later call replaces it.
 */
void		 app_after(struct ctx *, void (*fn)(struct ctx *, void *),
		    void *arg);

/*
 * A body too large to hold, written as it is made (a CSV export): sends
 * status, content type and the headers set so far now, without a
 * Content-Length; then app_stream_write() sends each piece (nothing for
 * HEAD).  After the start the status cannot change: a handler that fails
 * later returns its error, which is logged, and the body stops short.
 * ERR_SYSTEM when the client is gone.
 */
enum err	 app_stream_begin(struct ctx *, int status,
		    const char *content_type);
enum err	 app_stream_write(struct ctx *, const char *data, size_t len);

/*
 * Enters the tenant scope of a workspace a handler found by itself (a
 * public form's token): the rest of the request runs in one transaction
 * as role sluice_web for that workspace (sql/050), committed after the
 * handler as for routes with a session or key.  ERR_OK when already in a
 * scope.  Errors of the database.
 */
enum err	 app_scope(struct ctx *, int64_t workspace_id);

/*
 * The handle for a handler's read-only work (a page or API answer that
 * only reads metrics: dashboard, tiles, /v1/metrics, exports, digests):
 * the read replica (SLUICE_DATABASE_READ_URL) while lib/store/db.h's
 * db_reader() finds it good, in a transaction of its own with the same
 * tenant scope as the request's, else ctx->db.  Never write through it.
 * A browser that wrote (a POST, PATCH or DELETE answered below 400)
 * carries a cookie for SLUICE_READ_MAX_LAG_S that keeps its reads on the
 * primary, so the page after a change shows it.  Never fails: a replica
 * that cannot open the transaction gives ctx->db.
 */
struct db	*app_read_db(struct ctx *);

/* A new empty JSON object owned by the request's arena. */
struct json_object *app_view(struct ctx *);

/* True when the request came over https (for cookie attributes). */
bool		 app_https(const struct ctx *);

/*
 * Sets the message the error response will carry and returns e, so a
 * handler can `return app_fail(ctx, ERR_INPUT, "...", ...)`.  The message
 * is shown to the client: never put a secret in it.
 */
enum err	 app_fail(struct ctx *, enum err e, const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));

#endif
