/* app.c — the shared FastCGI request loop and process start-up. */
#include <sys/epoll.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>
#include <json-c/json.h>

#include "base/jsonx.h"
#include "base/limit.h"
#include "base/log.h"
#include "base/utf8.h"
#include "base/mem.h"
#include "crypto/crypto.h"
#include "net/httpc.h"
#include "render/mustache.h"
#include "render/tmpl.h"
#include "store/db.h"
#include "store/migrate.h"
#include "web/apikey.h"
#include "web/app.h"
#include "web/prefork.h"
#include "web/reqstats.h"
#include "web/session.h"

static bool	cors(struct ctx *);

/* app_view_extra(). */
static void	(*view_extra)(struct ctx *, struct json_object *);

void
app_view_extra(void (*fn)(struct ctx *, struct json_object *))
{
	view_extra = fn;
}

enum err
app_fail(struct ctx *ctx, enum err e, const char *fmt, ...)
{
	va_list ap;
	char *msg, *clean;

	va_start(ap, fmt);
	msg = arena_vprintf(ctx->arena, fmt, ap);
	va_end(ap);
	/* It may quote what the client sent (a parameter's name): valid
	 * UTF-8, of a bounded length, whatever that was. */
	clean = arena_alloc(ctx->arena, LIMIT_ERROR_MESSAGE);
	utf8_clean(clean, LIMIT_ERROR_MESSAGE, msg);
	ctx->error = clean;
	return e;
}

static double
elapsed_ms(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
	    (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* Whether an error should be an HTML page rather than JSON. */
static int
wants_html(const struct ctx *ctx)
{
	const char *accept;

	if (ctx->match.route != NULL)
		return (ctx->match.route->flags & ROUTE_HTML) != 0;
	accept = req_header(&ctx->req, "accept");
	return accept != NULL && strstr(accept, "text/html") != NULL;
}

struct json_object *
app_view(struct ctx *ctx)
{
	return jsonx_own(ctx->arena, json_object_new_object());
}

static void
put_str(struct json_object *o, const char *k, const char *v)
{
	if (v != NULL)
		json_object_object_add(o, k, json_object_new_string(v));
}

/* The array in the view with the most elements, or NULL. */
static struct json_object *
longest_list(struct json_object *o, int depth)
{
	struct json_object *best = NULL, *c;
	size_t i, n;

	if (o == NULL || depth > LIMIT_JSON_DEPTH)
		return NULL;
	if (json_object_is_type(o, json_type_array)) {
		best = o;
		n = json_object_array_length(o);
		for (i = 0; i < n; i++)
			if ((c = longest_list(json_object_array_get_idx(o, i),
			    depth + 1)) != NULL &&
			    json_object_array_length(c) >
			    json_object_array_length(best))
				best = c;
		return best;
	}
	if (!json_object_is_type(o, json_type_object))
		return NULL;
	json_object_object_foreach(o, key, val) {
		(void)key;
		if ((c = longest_list(val, depth + 1)) != NULL &&
		    (best == NULL || json_object_array_length(c) >
		    json_object_array_length(best)))
			best = c;
	}
	return best;
}

/*
 * A page past LIMIT_TMPL_OUTPUT: its longest list loses its second half
 * until the page fits (LIMIT_TMPL_SHORTEN cuts at most), and view
 * "page_note" says how much is left out; layout/top shows it.  Returns
 * the last render's result.
 */
static enum err
render_shorter(struct ctx *ctx, const char *name, struct json_object *view,
    struct mustache_error *merr)
{
	struct json_object *list, *first = NULL;
	const char *note;
	size_t n, total = 0;
	enum err rc = ERR_TOOBIG;
	int i;

	for (i = 0; i < LIMIT_TMPL_SHORTEN && rc == ERR_TOOBIG; i++) {
		if ((list = longest_list(view, 0)) == NULL ||
		    (n = json_object_array_length(list)) < 2)
			break;
		if (first == NULL) {
			first = list;
			total = n;
		}
		json_object_array_del_idx(list, n - n / 2, n / 2);
		note = arena_printf(ctx->arena, "This page is too long to show "
		    "in full: its longest list shows only its first %zu "
		    "entries of %zu. Remove entries you no longer need to see "
		    "the others.", json_object_array_length(first), total);
		json_object_object_add(view, "page_note",
		    json_object_new_string(note));
		memset(merr, 0, sizeof(*merr));
		rc = tmpl_render_err(ctx->app->tmpl, name, view,
		    &ctx->resp.body, merr);
	}
	if (rc == ERR_OK)
		log_msg(LOG_WARN, ctx->req.request_id, "render", "%s: shown "
		    "shortened, %zu of %zu entries of its longest list", name,
		    json_object_array_length(first), total);
	return rc;
}

enum err
app_render(struct ctx *ctx, int status, const char *name,
    struct json_object *view)
{
	struct mustache_error merr;
	struct json_object *s;
	enum err rc;

	if (ctx->app->tmpl == NULL)
		return app_fail(ctx, ERR_TEMPLATE, "The templates are not "
		    "loaded (SLUICE_TEMPLATE_DIR).");
	put_str(view, "request_id", ctx->req.request_id);
	if (ctx->session != NULL) {
		s = json_object_new_object();
		put_str(s, "email", ctx->session->email);
		put_str(s, "workspace", ctx->session->workspace_name);
		put_str(s, "role", ctx->session->role);
		put_str(s, "csrf", ctx->session->csrf);
		json_object_object_add(s, "is_admin", json_object_new_boolean(
		    strcmp(ctx->session->role, "viewer") != 0));
		json_object_object_add(s, "is_viewer", json_object_new_boolean(
		    strcmp(ctx->session->role, "viewer") == 0));
		json_object_object_add(view, "session", s);
		/* Only inside the request's scoped transaction: an error
		 * page rendered after it ended reads nothing more (the
		 * owner's role is not subject to row security). */
		if (ctx->app->view_extra != NULL && ctx->scoped &&
		    db_depth(ctx->db) > 0)
			ctx->app->view_extra(ctx, view);
	}
	resp_body(&ctx->resp, status, "text/html; charset=utf-8", "", 0);
	memset(&merr, 0, sizeof(merr));
	rc = tmpl_render_err(ctx->app->tmpl, name, view, &ctx->resp.body,
	    &merr);
	if (rc == ERR_TOOBIG)
		rc = render_shorter(ctx, name, view, &merr);
	if (rc != ERR_OK) {
		log_msg(LOG_ERROR, ctx->req.request_id, "render", "%s: %s",
		    name, merr.msg[0] != '\0' ? merr.msg :
		    err_code(rc));
		return ERR_TEMPLATE;
	}
	resp_header(&ctx->resp, "Cache-Control", "no-store");
	return ERR_OK;
}

/* The HTML error page; plain text when the templates cannot render it. */
static void
error_page(struct ctx *ctx, enum err e, int status, const char *msg)
{
	struct json_object *view;
	const char *name;

	if (ctx->app->tmpl != NULL) {
		/* An address no route knows: the page keeps the navigation of
		 * a logged-in visitor and says only that nothing is there. */
		if (ctx->match.route == NULL && status == 404 &&
		    ctx->session == NULL && db_ready(ctx->db) == ERR_OK)
			(void)app_session(ctx);
		view = app_view(ctx);
		put_str(view, "title", err_reason(status));
		if (ctx->error != NULL && !(ctx->match.route == NULL &&
		    status == 404) && !ctx->form_expired)
			put_str(view, "message", msg);
		if (ctx->form_expired)
			json_object_object_add(view, "form_expired",
			    json_object_new_boolean(true));
		name = arena_printf(ctx->arena, "errors/%d", status);
		if (tmpl_get(ctx->app->tmpl, name) == NULL)
			name = status >= 500 ? "errors/500" : "errors/400";
		if (app_render(ctx, status, name, view) == ERR_OK)
			return;
		resp_clear(&ctx->resp);
	}
	(void)e;
	resp_body(&ctx->resp, status, "text/plain; charset=utf-8", "", 0);
	buf_printf(&ctx->resp.body, "%d %s\n%s\nrequest id: %s\n",
	    status, err_reason(status), msg, ctx->req.request_id);
}

/* Replaces whatever the handler built with the response for error e. */
static void
error_response(struct ctx *ctx, enum err e)
{
	const char *msg;
	int status;

	if (ctx->resp.status == 303 && e == ERR_AUTH)
		return;		/* the login redirect stands */
	resp_clear(&ctx->resp);
	(void)cors(ctx);	/* listed origins may read errors too */
	status = err_status(e);
	msg = ctx->error != NULL ? ctx->error : err_reason(status);
	if (e == ERR_UNAVAILABLE)
		resp_header(&ctx->resp, "Retry-After",
		    arena_printf(ctx->arena, "%d", LIMIT_DB_RETRY_AFTER_S));
	if (e == ERR_METHOD)
		resp_header(&ctx->resp, "Allow",
		    route_allow(ctx->arena, ctx->match.allowed));
	if (wants_html(ctx))
		error_page(ctx, e, status, msg);
	else
		resp_json_error(&ctx->resp, e, msg);
	resp_header(&ctx->resp, "Cache-Control", "no-store");
}

/* Reads and keeps the body, or drains it when it is over the limit. */
static enum err
read_body(struct ctx *ctx, FCGX_Stream *in, size_t max)
{
	size_t want = ctx->req.content_length, got = 0;
	char sink[4096], *body;
	const char *why = NULL;
	int n;

	if (want > max) {
		while (FCGX_GetStr(sink, sizeof(sink), in) > 0)
			;
		if (ctx->match.route->flags & ROUTE_OVERSIZE) {
			ctx->oversize = true;
			ctx->req.body = "";
			ctx->req.body_len = 0;
			return ERR_OK;
		}
		return app_fail(ctx, ERR_TOOBIG, "The request body is larger "
		    "than the %zu bytes this endpoint accepts.", max);
	}
	body = arena_alloc(ctx->arena, want + 1);
	while (got < want) {
		n = FCGX_GetStr(body + got, (int)(want - got), in);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	/* Read up to the end of stdin too: an unread end-of-stream record
	 * left on a kept connection breaks the next request on it (502). */
	while (got == want && FCGX_GetStr(sink, sizeof(sink), in) > 0)
		got = want + 1;
	if (got != want)
		return app_fail(ctx, ERR_INPUT, "The request body ended "
		    "before Content-Length bytes.");
	if (ctx->match.route->flags & ROUTE_RAWBODY) {
		body[got] = '\0';
		ctx->req.body = body;
		ctx->req.body_len = got;
		return ERR_OK;
	}
	if (req_set_body(ctx->arena, &ctx->req, body, got, &why) !=
	    ERR_OK)
		return app_fail(ctx, ERR_INPUT, "The form is malformed: %s.",
		    why != NULL ? why : "bad encoding");
	return ERR_OK;
}

bool
app_https(const struct ctx *ctx)
{
	return ctx->req.https ||
	    strncmp(ctx->cfg->base_url, "https://", 8) == 0;
}

enum err
app_session(struct ctx *ctx)
{
	struct session *s;
	const char *cookie;
	enum err rc;

	if (ctx->session != NULL)
		return ERR_OK;
	cookie = req_cookie(&ctx->req, session_cookie_name(app_https(ctx)));
	if (cookie == NULL)
		return ERR_AUTH;
	s = arena_calloc(ctx->arena, 1, sizeof(*s));
	if ((rc = session_load(ctx->db, ctx->arena, cookie, s)) != ERR_OK)
		return rc;
	ctx->session = s;
	ctx->workspace_id = s->workspace_id;
	ctx->role = s->role;
	return ERR_OK;
}

/* X-Cron-Secret against SLUICE_CRON_SECRET, in constant time. */
static bool
cron_ok(const struct ctx *ctx)
{
	const char *got = req_header(&ctx->req, "x-cron-secret");
	const char *want = ctx->cfg->cron_secret;
	size_t n = strlen(want);

	return n > 0 && got != NULL && strlen(got) == n &&
	    crypto_equal(got, want, n);
}

/*
 * Whether the client is on this host: REMOTE_ADDR is a loopback address
 * and no proxy forwarded the request for someone else.  A request that
 * carries X-Forwarded-For, Forwarded or X-Real-IP came through a proxy:
 * it counts as local only when that proxy is trusted
 * (SLUICE_TRUSTED_PROXIES) and the client it names is loopback too, so a
 * reverse proxy on the same host never opens a local-only route to the
 * world.
 */
static bool
local_client(const struct ctx *ctx)
{
	const char *remote = ctx->req.remote_addr, *xff, *addr;

	if (remote == NULL || (strncmp(remote, "127.", 4) != 0 &&
	    strcmp(remote, "::1") != 0))
		return false;
	xff = req_header(&ctx->req, "x-forwarded-for");
	if (xff == NULL && req_header(&ctx->req, "forwarded") == NULL &&
	    req_header(&ctx->req, "x-real-ip") == NULL)
		return true;
	if (xff == NULL || !config_trusted_proxy(ctx->cfg, remote))
		return false;
	addr = config_client_addr(ctx->cfg, ctx->arena, remote, xff);
	return strncmp(addr, "127.", 4) == 0 || strcmp(addr, "::/64") == 0;
}

/* The route flags' checks: who may call this, and with what proof. */
static enum err
authorise(struct ctx *ctx)
{
	unsigned flags = ctx->match.route->flags;
	const char *token;
	enum err rc;

	if (flags & (ROUTE_SESSION | ROUTE_CSRF)) {
		rc = app_session(ctx);
		if (rc == ERR_AUTH && (flags & ROUTE_HTML) &&
		    ctx->req.method == HTTP_GET) {
			resp_redirect(&ctx->resp, 303, arena_printf(ctx->arena,
			    "/login?next=%s", ctx->req.path));
			return ERR_AUTH;
		}
		if (rc == ERR_AUTH)
			return app_fail(ctx, rc, "Please log in first.");
		if (rc != ERR_OK)
			return rc;
	}
	if ((flags & ROUTE_CSRF) && ctx->req.method != HTTP_GET &&
	    ctx->req.method != HTTP_HEAD) {
		token = req_form(&ctx->req, "csrf");
		if (token == NULL)
			token = req_header(&ctx->req, "x-csrf-token");
		if (!session_csrf_ok(ctx->session, token)) {
			ctx->form_expired = true;
			return app_fail(ctx, ERR_FORBIDDEN, "This form has "
			    "expired or did not come from this site; reload "
			    "the page and try again.");
		}
	}
	if ((flags & ROUTE_CRON) && (cron_ok(ctx) ||
	    ((flags & ROUTE_LOCAL) && local_client(ctx))))
		ctx->cron = true;
	else if (flags & ROUTE_APIKEY) {
		ctx->key = arena_calloc(ctx->arena, 1, sizeof(*ctx->key));
		rc = apikey_check(ctx->db, ctx->arena,
		    req_header(&ctx->req, "authorization"), ctx->key);
		if (rc == ERR_AUTH)
			return app_fail(ctx, rc, "A valid API key is needed: "
			    "send Authorization: Bearer slk_...");
		if (rc != ERR_OK)
			return rc;
		ctx->workspace_id = ctx->key->workspace_id;
		ctx->role = ctx->key->role;
	} else if (flags & ROUTE_CRON)
		return app_fail(ctx, ERR_AUTH, "A valid X-Cron-Secret header "
		    "is needed.");
	if ((flags & ROUTE_ADMIN) && !ctx->cron && (ctx->role == NULL ||
	    (strcmp(ctx->role, "owner") != 0 &&
	    strcmp(ctx->role, "admin") != 0)))
		return app_fail(ctx, ERR_FORBIDDEN, "Only owners and admins "
		    "may do this.");
	return ERR_OK;
}

/* The request's Origin when SLUICE_CORS_ORIGINS lists it, else NULL. */
static const char *
cors_origin(const struct ctx *ctx)
{
	const char *origin = req_header(&ctx->req, "origin");
	const char *list = ctx->cfg->cors_origins, *p;
	size_t n;

	if (origin == NULL || *list == '\0' ||
	    strncmp(ctx->req.path, "/v1/", 4) != 0)
		return NULL;
	n = strlen(origin);
	for (p = list; (p = strstr(p, origin)) != NULL; p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == '\0' ||
		    p[n] == ' '))
			return origin;
	return NULL;
}

/* CORS: only listed origins get the headers; preflights end here. */
static bool
cors(struct ctx *ctx)
{
	const char *origin = cors_origin(ctx);

	if (origin == NULL)
		return false;
	resp_header(&ctx->resp, "Access-Control-Allow-Origin", origin);
	resp_header(&ctx->resp, "Vary", "Origin");
	if (ctx->req.method != HTTP_OPTIONS)
		return false;
	resp_header(&ctx->resp, "Access-Control-Allow-Methods",
	    "GET, POST, PATCH, DELETE, OPTIONS");
	resp_header(&ctx->resp, "Access-Control-Allow-Headers",
	    "Authorization, Content-Type, Idempotency-Key");
	resp_header(&ctx->resp, "Access-Control-Max-Age", "600");
	resp_body(&ctx->resp, 204, NULL, "", 0);
	return true;
}

static const char sql_scope[] =
	"SELECT set_config('role', 'sluice_web', true), "
	"set_config('sluice.workspace_id', $1, true), "
	"set_config('sluice.user_id', $2, true), "
	"set_config('statement_timeout', $3, true)";

/* The parameters of sql_scope for ctx's workspace and user (arena). */
static const char **
scope_params(struct ctx *ctx)
{
	const char **p = arena_alloc(ctx->arena, 3 * sizeof(*p));

	p[0] = db_int64(ctx->arena, ctx->workspace_id);
	p[1] = ctx->session != NULL ? db_int64(ctx->arena,
	    ctx->session->user_id) : "";
	p[2] = db_int64(ctx->arena, ctx->cfg->statement_timeout_ms);
	return p;
}

/*
 * Row-level security (sql/050_rls.sql): once the request is known to act
 * for one workspace, it runs in one transaction as role sluice_web with
 * that workspace (and user) set for the transaction only — and with
 * SLUICE_STATEMENT_TIMEOUT_MS as its statements' bound, so that a costly
 * statement one workspace can cause (a regular expression of its rules
 * over long texts) gives its process back instead of holding it.
 */
static enum err
tenant_scope(struct ctx *ctx)
{
	const char **p;
	enum err rc;

	if (ctx->workspace_id <= 0 || ctx->cron)
		return ERR_OK;
	/* In the arena: the statement is sent after this returns. */
	p = scope_params(ctx);
	/* Both go with the handler's first statement (lib/store/db.h). */
	if ((rc = db_begin(ctx->db, ctx->arena)) != ERR_OK)
		return rc;
	if ((rc = db_exec_later(ctx->db, ctx->arena, sql_scope, 3, p)) !=
	    ERR_OK) {
		db_rollback(ctx->db, ctx->arena);
		return rc;
	}
	ctx->scoped = true;
	return ERR_OK;
}

/* The cookie that keeps a browser's reads on the primary after it wrote. */
#define READ_PRIMARY_COOKIE	"sluice_rw"

struct db *
app_read_db(struct ctx *ctx)
{
	struct db *r;

	if (ctx->rdb != NULL)
		return ctx->rdb;
	ctx->rdb = ctx->db;
	if (req_cookie(&ctx->req, READ_PRIMARY_COOKIE) != NULL)
		return ctx->db;
	if ((r = db_reader(ctx->db, ctx->arena)) == ctx->db)
		return ctx->db;
	/* Its own transaction, scoped as the request's (sql/050): the
	 * replica has the same roles and policies.  A replica that died
	 * since the last check fails here, before the handler's reads. */
	if (db_begin(r, ctx->arena) != ERR_OK)
		goto fail;
	if (ctx->scoped)
		(void)db_exec_later(r, ctx->arena, sql_scope, 3,
		    scope_params(ctx));
	if (db_send_queued(r, ctx->arena) != ERR_OK) {
		db_rollback(r, ctx->arena);
		goto fail;
	}
	ctx->rdb = r;
	return r;
fail:
	db_replica_failed(ctx->db);
	return ctx->db;
}

/* Closes app_read_db()'s transaction on the replica (it only read). */
static void
read_done(struct ctx *ctx)
{
	if (ctx->rdb == NULL || ctx->rdb == ctx->db)
		return;
	while (db_depth(ctx->rdb) > 0)
		db_rollback(ctx->rdb, ctx->arena);
}

/* After a browser's change, its reads stay on the primary for as long as
 * the replica may lag (app_read_db()). */
static void
read_own_writes(struct ctx *ctx, enum err rc)
{
	struct resp_cookie_opts co;

	if (rc != ERR_OK || ctx->session == NULL ||
	    db_replica_state(ctx->db, NULL) == DB_REPLICA_NONE ||
	    ctx->req.method == HTTP_GET || ctx->req.method == HTTP_HEAD ||
	    ctx->req.method == HTTP_OPTIONS || ctx->resp.status >= 400)
		return;
	memset(&co, 0, sizeof(co));
	co.max_age = ctx->cfg->read_max_lag_s;
	co.secure = app_https(ctx);
	(void)resp_cookie(&ctx->resp, READ_PRIMARY_COOKIE, "1", &co);
}

enum err
app_scope(struct ctx *ctx, int64_t workspace_id)
{
	if (ctx->scoped)
		return ERR_OK;
	ctx->workspace_id = workspace_id;
	return tenant_scope(ctx);
}

static enum err
dispatch(struct ctx *ctx, FCGX_Request *rq)
{
	const struct route *rt;
	const char *why = NULL;
	enum err rc, crc;

	rc = req_parse(ctx->arena, rq->envp, &ctx->req, &why);
	if (rc != ERR_OK)
		return app_fail(ctx, rc, "%s", why != NULL ? why :
		    "The request is malformed.");
	if (cors(ctx))
		return ERR_OK;
	rc = route_find(ctx->app->routes, ctx->app->nroutes,
	    ctx->req.method, ctx->req.path, ctx->arena, &ctx->match);
	if (rc == ERR_NOTFOUND)
		return app_fail(ctx, rc, "Nothing lives at this address.");
	if (rc == ERR_METHOD)
		return app_fail(ctx, rc, "This address does not accept %s.",
		    ctx->req.method_name);
	rt = ctx->match.route;
	if ((rc = read_body(ctx, rq->in, rt->max_body ? rt->max_body :
	    LIMIT_BODY)) != ERR_OK)
		return rc;
	if (!(rt->flags & ROUTE_NODB) && db_ready(ctx->db) != ERR_OK)
		return app_fail(ctx, ERR_UNAVAILABLE, "The database is not "
		    "reachable; try again in a few seconds.");
	/* The read replica's check (when due) runs here, outside the
	 * request's transaction (lib/store/db.h). */
	if (!(rt->flags & ROUTE_NODB))
		(void)db_reader(ctx->db, ctx->arena);
	if ((rc = authorise(ctx)) != ERR_OK)
		return rc;
	if (!(rt->flags & ROUTE_NODB) && (rc = tenant_scope(ctx)) != ERR_OK)
		return rc;
	rc = rt->fn(ctx);
	/* What a key reads is the workspace's: no shared cache keeps it,
	 * whatever the handler said or forgot to say. */
	if ((rt->flags & ROUTE_APIKEY) && !ctx->resp.streamed)
		(void)resp_header_default(&ctx->resp, "Cache-Control",
		    "private, no-store");
	/* Levels a handler left open are rolled back; the request's own
	 * transaction commits what the handler wrote, as autocommit would
	 * (an aborted one ends as a rollback). */
	read_done(ctx);
	while (db_depth(ctx->db) > (ctx->scoped ? 1 : 0))
		db_rollback(ctx->db, ctx->arena);
	/* A commit whose connection was lost has an unknown outcome: 503,
	 * try again (an idempotent retry finds what was stored). */
	if (ctx->scoped && (crc = db_commit(ctx->db, ctx->arena)) != ERR_OK &&
	    rc == ERR_OK)
		rc = crc == ERR_UNAVAILABLE ? crc : ERR_DB;
	read_own_writes(ctx, rc);
	return rc;
}

/* Route captures whose values are secrets (an invitation's token). */
static const char *const secret_captures[] = { "token", "secret", "code",
    "state" };

/* Whether pattern segment pat (up to '/' or the end) is a secret capture. */
static bool
secret_segment(const char *pat)
{
	size_t i, n;

	if (*pat != ':')
		return false;
	n = strcspn(pat + 1, "/");
	for (i = 0; i < nitems(secret_captures); i++)
		if (strlen(secret_captures[i]) == n &&
		    strncmp(pat + 1, secret_captures[i], n) == 0)
			return true;
	return false;
}

/*
 * The path as the access line shows it: a segment that sits where a
 * route of this program captures a secret (":token"), after segments
 * that match that route so far, is shown as "…", whatever the method and
 * whatever follows (so a 404 or 405 on /invite/<token>/x hides it too).
 */
static const char *
log_path(const struct ctx *ctx)
{
	const char *path = ctx->req.path, *pat, *s, *e;
	struct buf *b;
	size_t i, k, nseg = 0;
	bool *hide, ok;

	if (path == NULL || *path != '/')
		return path;
	for (s = path; (s = strchr(s, '/')) != NULL; s++)
		nseg++;
	hide = arena_calloc(ctx->arena, nseg, sizeof(*hide));
	for (i = 0; i < ctx->app->nroutes; i++) {
		pat = ctx->app->routes[i].pattern;
		for (k = 0, s = path, ok = true; ok && k < nseg &&
		    *pat == '/'; k++) {
			pat++;
			s++;
			e = s + strcspn(s, "/");
			if (secret_segment(pat))
				hide[k] = true;
			else if (*pat != ':' && (strcspn(pat, "/") !=
			    (size_t)(e - s) || strncmp(pat, s,
			    (size_t)(e - s)) != 0))
				ok = false;
			pat += strcspn(pat, "/");
			s = e;
		}
	}
	b = buf_new_arena(ctx->arena, strlen(path) + 4 * nseg + 1);
	for (k = 0, s = path; k < nseg; k++) {
		s++;
		e = s + strcspn(s, "/");
		buf_puts(b, "/");
		if (hide[k] && e > s)
			buf_puts(b, "\xe2\x80\xa6");
		else
			buf_append(b, s, (size_t)(e - s));
		s = e;
	}
	return buf_cstr(b);
}

enum err
app_stream_begin(struct ctx *ctx, int status, const char *content_type)
{
	struct buf *head;

	ctx->resp.status = status;
	ctx->resp.content_type = content_type;
	ctx->resp.streamed = true;
	resp_header(&ctx->resp, "X-Request-Id", ctx->req.request_id != NULL ?
	    ctx->req.request_id : "");
	head = buf_new_arena(ctx->arena, LIMIT_RESP_HEAD);
	if (resp_serialise(&ctx->resp, true, head) != ERR_OK)
		return ERR_TOOBIG;
	return FCGX_PutStr(head->data, (int)head->len, ctx->out) < 0 ?
	    ERR_SYSTEM : ERR_OK;
}

enum err
app_stream_write(struct ctx *ctx, const char *data, size_t len)
{
	if (ctx->req.method == HTTP_HEAD || len == 0)
		return ERR_OK;
	return FCGX_PutStr(data, (int)len, ctx->out) < 0 ? ERR_SYSTEM :
	    ERR_OK;
}

void
app_after(struct ctx *ctx, void (*fn)(struct ctx *, void *), void *arg)
{
	ctx->after = fn;
	ctx->after_arg = arg;
}

/*
 * The requests whose answers wait for the program's flush (app_defer()),
 * each with its connection and arena; serving: the request being
 * dispatched.
 */
static struct pending {
	struct ctx	*ctx;
	FCGX_Request	*c;
	struct arena	*a;
} pend[LIMIT_FCGI_BATCH];
/* Each holds a connection slot: some stay for the others. */
_Static_assert(LIMIT_FCGI_BATCH < LIMIT_FCGI_CONNS,
    "deferred answers must leave connection slots free");
static size_t npend;
static FCGX_Request *serving;

bool
app_defer(struct ctx *ctx, void *item)
{
	if (item == NULL || ctx->app->flush == NULL || ctx->scoped ||
	    db_depth(ctx->db) > 0 || serving == NULL ||
	    serving->keepConnection || npend >= LIMIT_FCGI_BATCH)
		return false;
	ctx->deferred = item;
	return true;
}

static void answer(struct app *, struct ctx *, enum err);

/* Answers one request, or leaves it deferred (ctx->deferred); its context
 * (in a) for the work after it. */
static struct ctx *
serve(struct app *app, struct arena *a, FCGX_Request *rq, unsigned long seq)
{
	struct ctx *ctx;
	enum err rc;

	/* The context and buffers live in the arena: their cleanups run at
	 * arena_reset(), after this function returned. */
	ctx = arena_calloc(a, 1, sizeof(*ctx));
	clock_gettime(CLOCK_MONOTONIC, &ctx->started);
	ctx->seq = seq;
	ctx->app = app;
	ctx->cfg = &app->cfg;
	ctx->db = app->db;
	ctx->arena = a;
	resp_init(&ctx->resp, a);
	ctx->resp.hsts = strncmp(app->cfg.base_url, "https://", 8) == 0;
	ctx->out = rq->out;
	serving = rq;
	rc = dispatch(ctx, rq);
	serving = NULL;
	if (ctx->deferred == NULL)
		answer(app, ctx, rc);
	return ctx;
}

/* Writes the answer of ctx (rc: its handler's), logs and counts it. */
static void
answer(struct app *app, struct ctx *ctx, enum err rc)
{
	struct arena *a = ctx->arena;
	struct buf *out;
	const char *errcode = NULL;
	double ms;
	int status;

	if (ctx->req.request_id == NULL || *ctx->req.request_id == '\0')
		ctx->req.request_id = arena_printf(a, "%x%lx%lu",
		    (unsigned)getpid(), (long)ctx->started.tv_sec, ctx->seq);
	if (rc != ERR_OK)
		errcode = err_code(rc);
	if (ctx->resp.streamed)	/* headers and body went out already */
		goto done;
	if (rc != ERR_OK)
		error_response(ctx, rc);
	resp_header(&ctx->resp, "X-Request-Id", ctx->req.request_id);
	out = buf_new_arena(a, LIMIT_RESPONSE + LIMIT_RESP_HEAD);
	if (resp_serialise(&ctx->resp, ctx->req.method == HTTP_HEAD, out) !=
	    ERR_OK) {
		errcode = err_code(ERR_TOOBIG);
		ctx->error = "The response grew past its limit.";
		error_response(ctx, ERR_SYSTEM);
		buf_reset(out);
		resp_serialise(&ctx->resp, false, out);
	}
	FCGX_PutStr(out->data, (int)out->len, ctx->out);
done:
	ms = elapsed_ms(&ctx->started);
	status = ctx->resp.status == 0 ? 200 : ctx->resp.status;
	if (status >= 300 || ctx->match.route == NULL ||
	    !(ctx->match.route->flags & ROUTE_QUIET))
		log_request(ctx->req.request_id, ctx->req.method_name,
		    log_path(ctx), status, ms, errcode);
	reqstats_count(ctx->match.route != NULL ?
	    (size_t)(ctx->match.route - app->routes) : app->nroutes, status,
	    ms / 1e3);
}

/*
 * True when nginx has nothing more to send down c: the request's body
 * was read to its end (or it had none) and nothing waits unread.
 */
static bool
heard_all(FCGX_Request *c)
{
	const char *len;
	ssize_t n;
	char b;

	len = FCGX_GetParam("CONTENT_LENGTH", c->envp);
	if (len != NULL && *len != '\0' && strcmp(len, "0") != 0 &&
	    !FCGX_HasSeenEOF(c->in))
		return false;
	/* Nothing waiting, or nginx closed its side. */
	n = recv(c->ipcFd, &b, 1, MSG_PEEK | MSG_DONTWAIT);
	return n == 0 || (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK));
}

/*
 * The end of a request on c: the answer's last records go out, and the
 * connection is closed unless nginx keeps it.  libfcgi closes by
 * shutting its side and waiting (up to 2 s) for nginx to close first, so
 * that a close with request bytes unread cannot cut the answer off (a
 * reset): the process sat idle for nginx's turn on the CPU after every
 * answer (about a millisecond a request at load, tests/bench/README.md
 * "Tail").  When nginx has sent everything and it was all read, there is
 * nothing to reset, and the process closes at once.
 */
static void
finish(FCGX_Request *c)
{
	char sink[4096];

	/* On a connection nginx keeps, what the handler left of the body
	 * (an answer given before reading it: 405, 401) is read and dropped:
	 * nginx sends its next request, of any route, down the same
	 * connection, and libfcgi would read the rest of this body as that
	 * request's start and close the connection (nginx then answers 502
	 * to a POST).  A body libfcgi's first read took whole is dropped
	 * with its buffer; 8 KiB or more was not (kept_conn_body.test.js). */
	if (c->keepConnection)
		while (!FCGX_HasSeenEOF(c->in) &&
		    FCGX_GetStr(sink, sizeof(sink), c->in) > 0)
			;
	if (c->keepConnection || !heard_all(c)) {
		FCGX_Finish_r(c);	/* closes it unless nginx keeps it */
		return;
	}
	c->keepConnection = 1;		/* the last records, no close */
	FCGX_Finish_r(c);
	if (c->ipcFd >= 0) {		/* (an error closed it already) */
		close(c->ipcFd);
		c->ipcFd = -1;
	}
}

/*
 * One request on connection c: libfcgi reads it (the connection is known
 * to have data, or to be a new one), the answer is written, and the
 * connection stays open when nginx asked to keep it.  False when the
 * connection brought no request (closed, or a protocol error): it is
 * closed.
 */
static bool
serve_conn(struct app *app, struct arena *a, FCGX_Request *c,
    unsigned long *seq)
{
	struct ctx *ctx;
	int rc;

	/* A connection in hand is never closed by FCGX_Accept_r(). */
	c->keepConnection = 1;
	if ((rc = FCGX_Accept_r(c)) < 0) {
		/* It read no request, closed the connection and tried the
		 * listening socket it was given, which never has a
		 * connection (loop()): accept() said EINVAL. */
		if (rc != -EINVAL && rc != -EAGAIN && rc != -EWOULDBLOCK &&
		    rc != -EINTR)
			log_msg(LOG_WARN, NULL, "accept", "FastCGI "
			    "connection dropped (%d)", rc);
		if (c->ipcFd >= 0) {
			FCGX_Finish_r(c);
			FCGX_Free(c, 1);
		}
		c->ipcFd = -1;
		return false;
	}
	/* A stop signal only sets the flag: the request in hand finishes
	 * (prefork_restarting()). */
	ctx = serve(app, a, c, ++*seq);
	if (ctx->deferred != NULL) {	/* answered by flush_pending() */
		pend[npend].ctx = ctx;
		pend[npend].c = c;
		pend[npend].a = a;
		npend++;
		return true;
	}
	finish(c);
	if (ctx->after != NULL)
		ctx->after(ctx, ctx->after_arg);
	arena_reset(a);
	return true;
}

/* Whether c's request waits for flush_pending(). */
static bool
is_pending(const FCGX_Request *c)
{
	size_t i;

	for (i = 0; i < npend; i++)
		if (pend[i].c == c)
			return true;
	return false;
}

/* The deferred requests answered by the program's flush, at once, in the
 * order they came; their connections finished and arenas reset. */
static void
flush_pending(struct app *app)
{
	struct ctx *ctx[LIMIT_FCGI_BATCH];
	enum err rcs[LIMIT_FCGI_BATCH];
	size_t i, n = npend;

	if (n == 0)
		return;
	for (i = 0; i < n; i++) {
		ctx[i] = pend[i].ctx;
		rcs[i] = ERR_OK;
	}
	app->flush(ctx, n, rcs);
	for (i = 0; i < n; i++) {
		ctx[i]->deferred = NULL;
		answer(app, ctx[i], rcs[i]);
		finish(pend[i].c);
		if (ctx[i]->after != NULL)
			ctx[i]->after(ctx[i], ctx[i]->after_arg);
		arena_reset(pend[i].a);
	}
	npend = 0;
}

/*
 * The poll set: every connection held (who[k] its index) and, while there
 * is room for one more, the listening socket (who[k] LIMIT_FCGI_CONNS);
 * *free_slot is the first free connection (LIMIT_FCGI_CONNS: none).
 * Returns how many entries pfd has.
 */
static size_t
poll_set(const FCGX_Request *conn, struct pollfd *pfd, size_t *who,
    size_t *free_slot)
{
	size_t i, n = 0;

	*free_slot = LIMIT_FCGI_CONNS;
	for (i = 0; i < LIMIT_FCGI_CONNS; i++) {
		if (conn[i].ipcFd < 0) {
			if (*free_slot == LIMIT_FCGI_CONNS)
				*free_slot = i;
			continue;
		}
		pfd[n].fd = conn[i].ipcFd;
		pfd[n].events = POLLIN;
		pfd[n].revents = 0;
		who[n++] = i;
	}
	if (*free_slot < LIMIT_FCGI_CONNS) {
		pfd[n].fd = 0;
		pfd[n].events = POLLIN;
		pfd[n].revents = 0;
		who[n++] = LIMIT_FCGI_CONNS;
	}
	return n;
}

/* A new connection from the listening socket into free slot c, and its
 * request served.  False when there was none (another process took it
 * first, or the queue is empty). */
static bool
serve_new(struct app *app, struct arena *a, FCGX_Request *c,
    unsigned long *seq)
{
	int fd;

	if ((fd = accept4(0, NULL, NULL, SOCK_CLOEXEC)) < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
		    errno != ECONNABORTED)
			log_msg(LOG_WARN, NULL, "accept", "accept failed: %s",
			    strerror(errno));
		return false;
	}
	c->ipcFd = fd;
	(void)serve_conn(app, a, c, seq);
	return true;
}

/* The first free connection slot, or NULL when every one is held. */
static FCGX_Request *
free_conn(FCGX_Request *conn)
{
	size_t i;

	for (i = 0; i < LIMIT_FCGI_CONNS; i++)
		if (conn[i].ipcFd < 0)
			return &conn[i];
	return NULL;
}

/*
 * Stopping: what nginx already sent is answered before this process ends
 * — a request down a kept connection, and the connections waiting in the
 * listening socket's queue (nginx answers 502 for either when it is
 * closed unanswered, and does not try a POST again).  Every route but
 * health's brings a connection of its own, so a burst that found every
 * process busy is a queue of connections: a round takes up to
 * LIMIT_FCGI_CONNS of them.  Rounds of a poll() of no wait, until one
 * finds nothing, for at most LIMIT_FCGI_DRAIN_MS (a steady stream must not
 * hold the stop; a burst of hundreds is answered).
 */
static void
drain(struct app *app, struct arena *ar, FCGX_Request *conn,
    unsigned long *seq)
{
	struct pollfd pfd[LIMIT_FCGI_CONNS + 1];
	size_t who[LIMIT_FCGI_CONNS + 1], i, k, n, free_slot;
	FCGX_Request *c;
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (elapsed_ms(&t0) < LIMIT_FCGI_DRAIN_MS) {
		n = poll_set(conn, pfd, who, &free_slot);
		if (n == 0 || poll(pfd, n, 0) <= 0)
			break;
		for (i = 0; i < n; i++) {
			if (pfd[i].revents == 0)
				continue;
			if (who[i] < LIMIT_FCGI_CONNS) {
				(void)serve_conn(app, &ar[who[i]],
				    &conn[who[i]], seq);
				continue;
			}
			/* The queued connections, while a slot is free (a
			 * kept one stays in its slot). */
			for (k = 0; k < LIMIT_FCGI_CONNS &&
			    (c = free_conn(conn)) != NULL &&
			    serve_new(app, &ar[c - conn], c, seq); k++)
				;
		}
		flush_pending(app);
	}
	flush_pending(app);
}

/*
 * Adds fd to this process's epoll set ep as slot (LIMIT_FCGI_CONNS: the
 * listening socket).  The listening socket is watched EPOLLEXCLUSIVE: a
 * new connection wakes one idle process — the first, in the order they
 * began to watch, that is waiting — instead of every idle process racing
 * for it (each but one then had an accept4() answered EAGAIN).  At low
 * load the same few processes take every request, with their database
 * sessions and caches warm; at high load every process is busy and the
 * connections wait in the one queue, first come, first served (a process
 * that frees finds the socket still readable).  False: errno says why.
 */
static bool
watch(int ep, int fd, size_t slot)
{
	struct epoll_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	if (slot == LIMIT_FCGI_CONNS)
		ev.events |= EPOLLEXCLUSIVE;
	ev.data.u64 = slot;
	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == 0;
}

/*
 * One child's life (prefork.h): serve until told to stop.
 *
 * nginx keeps FastCGI connections open between requests for the health
 * routes (nginx/locations/api.conf; every other route takes a new one,
 * nginx/fastcgi.conf).  libfcgi's own loop would stay with one kept
 * connection, blocked on it while it is idle, so requests on other
 * connections waited behind idle ones (p99 in hundreds of milliseconds
 * under load, tests/bench/README.md "Tail").  Here a process holds up to
 * LIMIT_FCGI_CONNS connections and serves whichever has a request: it
 * waits (epoll) on the listening socket (while it has room, watch()) and
 * every connection it holds, one request at a time, taking turns.  It
 * never closes a kept connection itself: nginx may be sending the next
 * request down it at that very moment, and would answer 502.  The
 * listening socket is non-blocking, so a process woken for a connection
 * another took does not wait in accept().
 *
 * A connection is in the epoll set from its accept (serve_new()) until
 * it is closed (closing removes it).  libfcgi, finding a kept connection
 * closed, would accept the next one itself, unseen by the set: its
 * requests are given a listening socket that never has one (an unbound,
 * unlistened socket: accept() fails at once), so only serve_new()
 * accepts.
 */
/*
 * A new connection from the listening queue into free slot c, its request
 * served (ar: the slots' arenas), and the connection watched when nginx
 * keeps it (and its answer is not deferred: that one is closed after it).
 * False when the queue was empty.
 */
static bool
take(struct app *app, int ep, FCGX_Request *conn, struct arena *ar,
    FCGX_Request *c, unsigned long *seq)
{
	if (!serve_new(app, &ar[c - conn], c, seq))
		return false;
	if (c->ipcFd >= 0 && !is_pending(c) &&
	    !watch(ep, c->ipcFd, (size_t)(c - conn))) {
		log_msg(LOG_WARN, NULL, "accept", "a kept FastCGI "
		    "connection cannot be watched: %s", strerror(errno));
		FCGX_Free(c, 1);
		c->ipcFd = -1;
	}
	return true;
}

static int
loop(void *arg, int slot)
{
	struct app *app = arg;
	FCGX_Request conn[LIMIT_FCGI_CONNS];
	struct epoll_event ev[LIMIT_FCGI_CONNS + 1];
	/* A connection's request has its arena: a deferred one keeps it
	 * until flush_pending() while others are served. */
	struct arena ar[LIMIT_FCGI_CONNS];
	FCGX_Request *c;
	unsigned long seq = 0;
	size_t i, k, turn = 0;
	int fl, n, ep = -1, none = -1, rc = 1;
	bool fresh, listening;

	reqstats_pid(slot);	/* otherwise every process serves alike */
	/* Its own open log file, as each process had under spawn-fcgi:
	 * processes appending through one shared open file take turns on
	 * its position lock. */
	if (*app->cfg.log_file != '\0')
		(void)log_reopen(app->cfg.log_file);
	signal(SIGPIPE, SIG_IGN);
	/* A request's heap (a result of thousands of rows, its JSON) went
	 * back to the kernel after it and was faulted in again by the next
	 * (page faults and unmapping in a tiles request's profile): up to
	 * LIMIT_HEAP_KEEP of free heap is kept, and blocks under it come
	 * from the heap. */
	(void)mallopt(M_TRIM_THRESHOLD, LIMIT_HEAP_KEEP);
	(void)mallopt(M_MMAP_THRESHOLD, LIMIT_HEAP_KEEP);
	/* No signal mask around each request (two system calls): the
	 * handlers restart what they interrupt instead. */
	prefork_restarting();
	memset(conn, 0, sizeof(conn));
	for (i = 0; i < LIMIT_FCGI_CONNS; i++) {
		arena_init(&ar[i]);
		conn[i].ipcFd = -1;
	}
	if (FCGX_Init() != 0 || (none = socket(AF_UNIX, SOCK_STREAM |
	    SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0) {
		log_msg(LOG_ERROR, NULL, "start", "FastCGI set-up failed");
		goto out;
	}
	for (i = 0; i < LIMIT_FCGI_CONNS; i++)
		if (FCGX_InitRequest(&conn[i], none, 0) != 0) {
			log_msg(LOG_ERROR, NULL, "start", "FastCGI set-up "
			    "failed");
			goto out;
		}
	if ((fl = fcntl(0, F_GETFL)) < 0 || fcntl(0, F_SETFL,
	    fl | O_NONBLOCK) < 0 || (ep = epoll_create1(EPOLL_CLOEXEC)) < 0 ||
	    !watch(ep, 0, LIMIT_FCGI_CONNS)) {
		log_msg(LOG_ERROR, NULL, "start", "the FastCGI socket cannot "
		    "be watched: %s", strerror(errno));
		goto out;
	}
	listening = true;
	log_msg(LOG_INFO, NULL, "start", "%s ready (pid %d)", app->name,
	    (int)getpid());
	while (!prefork_stopping()) {
		/* A signal ends the wait (prefork.h). */
		if ((n = epoll_wait(ep, ev, LIMIT_FCGI_CONNS + 1, -1)) < 0) {
			if (errno == EINTR)
				continue;
			log_msg(LOG_ERROR, NULL, "accept", "epoll_wait "
			    "failed: %s", strerror(errno));
			break;
		}
		/* Every connection with a request is served once, starting
		 * after the one served first last time, so none waits for
		 * others twice; a new connection comes last. */
		fresh = false;
		for (k = 0; k < (size_t)n && !prefork_stopping(); k++) {
			i = (k + turn) % (size_t)n;
			if (ev[i].data.u64 == LIMIT_FCGI_CONNS)
				fresh = true;
			else if (conn[ev[i].data.u64].ipcFd >= 0)
				/* Readable: a request, or the end nginx
				 * closed (FCGX_Accept_r() reads nothing and
				 * it is closed in serve_conn()). */
				(void)serve_conn(app, &ar[ev[i].data.u64],
				    &conn[ev[i].data.u64], &seq);
		}
		turn++;
		if (fresh && !prefork_stopping() &&
		    (c = free_conn(conn)) != NULL)
			(void)take(app, ep, conn, ar, c, &seq);
		/* Deferred answers (app_defer()) wait for the connections
		 * already queued, up to LIMIT_FCGI_BATCH, then one flush
		 * answers them together; with nothing queued, at once. */
		while (npend > 0 && npend < LIMIT_FCGI_BATCH &&
		    !prefork_stopping() && (c = free_conn(conn)) != NULL &&
		    take(app, ep, conn, ar, c, &seq))
			;
		flush_pending(app);
		/* No room: the listening socket is left to the others. */
		if (listening != (free_conn(conn) != NULL)) {
			listening = !listening;
			if (listening)
				(void)watch(ep, 0, LIMIT_FCGI_CONNS);
			else
				(void)epoll_ctl(ep, EPOLL_CTL_DEL, 0, NULL);
		}
	}
	drain(app, ar, conn, &seq);
	rc = 0;
out:
	flush_pending(app);
	for (i = 0; i < LIMIT_FCGI_CONNS; i++) {
		FCGX_Free(&conn[i], 1);
		arena_free(&ar[i]);
	}
	if (ep >= 0)
		close(ep);
	if (none >= 0)
		close(none);
	if (rc == 0)
		log_msg(LOG_INFO, NULL, "stop", "%s stopping (pid %d)",
		    app->name, (int)getpid());
	return rc;
}

/* A child that becomes the supervisor drops its database connection: the
 * next children must not share it. */
static void
reset(void *arg)
{
	struct app *app = arg;

	db_free(app->db);
	app->db = db_new(app->cfg.database_url, app->cfg.db_backoff_max_ms,
	    app->cfg.db_pooled);
	if (*app->cfg.database_read_url != '\0')
		db_replica_set(app->db, app->cfg.database_read_url,
		    app->cfg.read_max_lag_s * 1000);
	reqstats_pid(-1);
}

/*
 * The FastCGI side: SLUICE_FCGI_PROCS children kept alive by a
 * supervisor (lib/web/prefork.h); SLUICE_PID_FILE (optional) is the
 * supervisor's pid file, and its ".lock" lets a child take over.
 */
static int
supervise(struct app *app)
{
	struct prefork_def pd;
	struct arena a;
	char lock[4096];
	const char *pidfile, *why;
	long procs;
	enum err rc;

	arena_init(&a);
	if ((rc = config_long(&a, "SLUICE_FCGI_PROCS", 1, 1, LIMIT_FCGI_PROCS,
	    &procs, &why)) != ERR_OK)
		fprintf(stderr, "%s: %s\n", app->name, why);
	arena_free(&a);
	if (rc != ERR_OK)
		return 1;
	pidfile = config_env("SLUICE_PID_FILE", NULL);
	if (pidfile != NULL && (size_t)snprintf(lock, sizeof(lock),
	    "%s.lock", pidfile) >= sizeof(lock)) {
		fprintf(stderr, "%s: SLUICE_PID_FILE is too long\n",
		    app->name);
		return 1;
	}
	arena_init(&a);
	/* The request counters the children share (web/reqstats.h). */
	if (reqstats_create(pidfile != NULL ? arena_printf(&a, "%s.reqstats",
	    pidfile) : NULL, app->name, app->routes, app->nroutes, &why) !=
	    ERR_OK)
		log_msg(LOG_WARN, NULL, "start", "%s: no request counters: %s",
		    app->name, why);
	arena_free(&a);
	memset(&pd, 0, sizeof(pd));
	pd.name = app->name;
	pd.procs = (int)procs;
	pd.pidfile = pidfile;
	pd.lockfile = pidfile != NULL ? lock : NULL;
	pd.serve = loop;
	pd.reset = reset;
	pd.arg = app;
	return prefork_run(&pd);
}

/* Counts the code's migrations for /readyz; a problem is logged. */
static void
scan_migrations(struct app *app)
{
	struct migration *list;
	const char *why = NULL;
	struct arena a;
	size_t n;

	arena_init(&a);
	if (migrate_scan(&a, app->cfg.sql_dir, &list, &n, &why) ==
	    ERR_OK) {
		app->code_migrations = (int)n;
		app->code_latest = n > 0 ? list[n - 1].version : 0;
	} else {
		app->code_migrations = -1;
		log_msg(LOG_ERROR, NULL, "start", "%s", why);
	}
	arena_free(&a);
}

/*
 * Start-up: the configuration, the log file (not for a CLI command), the
 * keys and the templates (a CLI command may do without).  False, having
 * said on stderr what is wrong, when the program cannot run.
 */
static bool
start(struct app *app, bool cli)
{
	struct arena a;
	const char *why = NULL;
	bool ok = false;
	int fd;

	arena_init(&a);
	if (config_load(&a, &app->cfg, &why) != ERR_OK) {
		fprintf(stderr, "%s: configuration: %s\n", app->name, why);
		goto out;
	}
	if (!cli && *app->cfg.log_file != '\0') {
		fd = open(app->cfg.log_file, O_WRONLY | O_APPEND | O_CREAT |
		    O_CLOEXEC, 0640);
		if (fd < 0) {
			fprintf(stderr, "%s: cannot open SLUICE_LOG_FILE %s\n",
			    app->name, app->cfg.log_file);
			goto out;
		}
		log_init(app->name, fd);
	}
	if (*app->cfg.encryption_keys != '\0' &&
	    crypto_keyring_parse(&a, app->cfg.encryption_keys, &app->keys,
	    &why) != ERR_OK) {
		fprintf(stderr, "%s: SLUICE_ENCRYPTION_KEYS: %s\n", app->name,
		    why);
		goto out;
	}
	if (tmpl_load(&a, app->cfg.template_dir, &app->tmpl, &why) !=
	    ERR_OK) {
		if (!cli) {
			fprintf(stderr, "%s: templates: %s\n", app->name,
			    why);
			goto out;
		}
		app->tmpl = NULL;
	}
	ok = true;
out:
	arena_free(&a);
	return ok;
}

int
app_main(const struct app_def *def, int argc, char **argv)
{
	struct app app;
	int status;

	memset(&app, 0, sizeof(app));
	app.name = def->name;
	app.routes = def->routes;
	app.nroutes = def->nroutes;
	app.view_extra = view_extra;
	app.flush = def->flush;
	log_init(def->name, 2);
	if (!start(&app, argc >= 2)) {
		crypto_keyring_free(app.keys);
		return 1;
	}
	app.db = db_new(app.cfg.database_url, app.cfg.db_backoff_max_ms,
	    app.cfg.db_pooled);
	if (*app.cfg.database_read_url != '\0')
		db_replica_set(app.db, app.cfg.database_read_url,
		    app.cfg.read_max_lag_s * 1000);
	{
		struct httpc_opts ho = { "Sluice/1.0 (+self-hosted)",
		    app.cfg.sandbox || app.cfg.allow_loopback_http,
		    app.cfg.http_timeout_ms, 0 };
		app.http = httpc_new(&ho);
	}
	scan_migrations(&app);
	if (argc >= 2) {
		if (def->cli == NULL || strcmp(argv[1], "--help") == 0 ||
		    strcmp(argv[1], "-h") == 0) {
			fprintf(stderr, "usage: %s (under FastCGI)\n%s",
			    def->name, def->usage != NULL ? def->usage : "");
			status = def->cli == NULL ? 2 : 0;
		} else
			status = def->cli(&app, argc, argv);
	} else if (FCGX_IsCGI()) {
		fprintf(stderr, "%s: not started under FastCGI (use "
		    "spawn-fcgi); see --help\n", def->name);
		status = 2;
	} else
		status = supervise(&app);
	db_free(app.db);
	httpc_free(app.http);
	crypto_keyring_free(app.keys);
	tmpl_free(app.tmpl);
	return status;
}
