/*
 * cgi-bin/pages.c — the pages people use in the browser: first-run setup,
 * login and logout, dashboard, connections, settings.
 */
#include <string.h>

#include <json-c/json.h>

#include "account.h"
#include "app.h"
#include "db.h"
#include "session.h"

static enum err	page_root(struct ctx *);
static enum err	page_setup(struct ctx *);
static enum err	form_setup(struct ctx *);
static enum err	page_login(struct ctx *);
static enum err	form_login(struct ctx *);
static enum err	form_logout(struct ctx *);
static enum err	page_dashboard(struct ctx *);

static const struct route routes[] = {
	{ HTTP_GET, "/", page_root, ROUTE_HTML, 0 },
	{ HTTP_GET, "/setup", page_setup, ROUTE_HTML, 0 },
	{ HTTP_POST, "/setup", form_setup, ROUTE_HTML, 0 },
	{ HTTP_GET, "/login", page_login, ROUTE_HTML, 0 },
	{ HTTP_POST, "/login", form_login, ROUTE_HTML, 0 },
	{ HTTP_POST, "/logout", form_logout, ROUTE_HTML | ROUTE_CSRF, 0 },
	{ HTTP_GET, "/dashboard", page_dashboard, ROUTE_HTML | ROUTE_SESSION,
	    0 },
};

static void
set(struct json_object *v, const char *k, const char *s)
{
	if (s != NULL)
		json_object_object_add(v, k, json_object_new_string(s));
}

static void
flash(struct json_object *v, const char *kind, const char *message)
{
	struct json_object *f = json_object_new_object();

	set(f, "kind", kind);
	set(f, "message", message);
	json_object_object_add(v, "flash", f);
}

/* A redirect target from a form: a local path only, never "//host". */
static const char *
local_path(const char *next, const char *fallback)
{
	if (next == NULL || next[0] != '/' || next[1] == '/' ||
	    next[1] == '\\' || strpbrk(next, "\r\n") != NULL)
		return fallback;
	return next;
}

/* Where a visitor belongs: setup, login or the dashboard. */
static enum err
page_root(struct ctx *ctx)
{
	bool any;
	enum err rc;

	if ((rc = account_any_user(ctx->db, ctx->arena, &any)) != ERR_OK)
		return rc;
	if (!any)
		return resp_redirect(&ctx->resp, 303, "/setup");
	if (app_session(ctx) == ERR_OK)
		return resp_redirect(&ctx->resp, 303, "/dashboard");
	return resp_redirect(&ctx->resp, 303, "/login");
}

/* Setup exists only while nobody has an account. */
static enum err
setup_open(struct ctx *ctx)
{
	bool any;
	enum err rc;

	if ((rc = account_any_user(ctx->db, ctx->arena, &any)) != ERR_OK)
		return rc;
	return any ? app_fail(ctx, ERR_NOTFOUND, "Sluice is already set "
	    "up; log in instead.") : ERR_OK;
}

static enum err
render_setup(struct ctx *ctx, int status, const char *error)
{
	struct json_object *v = app_view(ctx);
	const char *pre;
	enum err rc;

	if ((rc = session_pre_new(&ctx->resp, app_https(ctx), &pre)) !=
	    ERR_OK)
		return rc;
	set(v, "title", "Set up");
	set(v, "pre", pre);
	set(v, "email", req_form(&ctx->req, "email"));
	set(v, "workspace", req_form(&ctx->req, "workspace"));
	if (error != NULL)
		flash(v, "error", error);
	return app_render(ctx, status, "pages/setup", v);
}

static enum err
page_setup(struct ctx *ctx)
{
	enum err rc;

	if ((rc = setup_open(ctx)) != ERR_OK)
		return rc;
	return render_setup(ctx, 200, NULL);
}

static enum err
form_setup(struct ctx *ctx)
{
	const char *email, *pw, *ws, *why = NULL, *cookie;
	int64_t user, workspace;
	enum err rc;

	if ((rc = setup_open(ctx)) != ERR_OK)
		return rc;
	if (!session_pre_ok(&ctx->req, app_https(ctx),
	    req_form(&ctx->req, "pre")))
		return render_setup(ctx, 403, "This form expired; please "
		    "submit it again.");
	email = req_form(&ctx->req, "email");
	pw = req_form(&ctx->req, "password");
	ws = req_form(&ctx->req, "workspace");
	rc = account_setup(ctx->db, ctx->arena, email ? email : "",
	    pw ? pw : "", ws ? ws : "", &user, &workspace, &why);
	if (rc == ERR_INPUT)
		return render_setup(ctx, 422, why);
	if (rc == ERR_CONFLICT)
		return app_fail(ctx, ERR_NOTFOUND, "Sluice is already set up; "
		    "log in instead.");
	if (rc != ERR_OK)
		return rc;
	if ((rc = session_create(ctx->db, ctx->arena, user, workspace,
	    &cookie)) != ERR_OK ||
	    (rc = session_set_cookie(&ctx->resp, app_https(ctx), cookie)) !=
	    ERR_OK)
		return rc;
	return resp_redirect(&ctx->resp, 303, "/connections");
}

static enum err
render_login(struct ctx *ctx, int status, const char *error)
{
	struct json_object *v = app_view(ctx);
	const char *pre, *next;
	enum err rc;

	if ((rc = session_pre_new(&ctx->resp, app_https(ctx), &pre)) !=
	    ERR_OK)
		return rc;
	next = req_form(&ctx->req, "next");
	if (next == NULL)
		next = req_query(&ctx->req, "next");
	set(v, "title", "Log in");
	set(v, "pre", pre);
	set(v, "next", local_path(next, "/dashboard"));
	set(v, "email", req_form(&ctx->req, "email"));
	if (error != NULL)
		flash(v, "error", error);
	return app_render(ctx, status, "pages/login", v);
}

static enum err
page_login(struct ctx *ctx)
{
	bool any;
	enum err rc;

	if ((rc = account_any_user(ctx->db, ctx->arena, &any)) != ERR_OK)
		return rc;
	if (!any)
		return resp_redirect(&ctx->resp, 303, "/setup");
	return render_login(ctx, 200, NULL);
}

static enum err
form_login(struct ctx *ctx)
{
	const char *email, *pw, *cookie, *old;
	int64_t user, workspace;
	int retry = 0;
	bool https = app_https(ctx);
	enum err rc;

	if (!session_pre_ok(&ctx->req, https, req_form(&ctx->req, "pre")))
		return render_login(ctx, 403, "This form expired; please log "
		    "in again.");
	email = req_form(&ctx->req, "email");
	pw = req_form(&ctx->req, "password");
	if (email == NULL || pw == NULL)
		return render_login(ctx, 422, "Enter your email and password.");
	rc = session_login_allowed(ctx->db, ctx->arena, email,
	    ctx->req.remote_addr, &retry);
	if (rc == ERR_RATELIMIT) {
		resp_header(&ctx->resp, "Retry-After",
		    arena_printf(ctx->arena, "%d", retry));
		return render_login(ctx, 429, "Too many failed attempts; wait "
		    "15 minutes and try again.");
	}
	if (rc != ERR_OK)
		return rc;
	rc = account_authenticate(ctx->db, ctx->arena, email, pw, &user,
	    &workspace);
	if (rc == ERR_AUTH) {
		(void)session_login_failed(ctx->db, ctx->arena, email,
		    ctx->req.remote_addr);
		return render_login(ctx, 401, "Wrong email or password.");
	}
	if (rc != ERR_OK)
		return rc;
	/* A fresh session id at every login; the old one is gone. */
	if ((old = req_cookie(&ctx->req, session_cookie_name(https))) != NULL)
		(void)session_destroy(ctx->db, ctx->arena, old);
	if ((rc = session_create(ctx->db, ctx->arena, user, workspace,
	    &cookie)) != ERR_OK ||
	    (rc = session_set_cookie(&ctx->resp, https, cookie)) != ERR_OK)
		return rc;
	return resp_redirect(&ctx->resp, 303, local_path(req_form(&ctx->req,
	    "next"), "/dashboard"));
}

static enum err
form_logout(struct ctx *ctx)
{
	bool https = app_https(ctx);
	enum err rc;

	if ((rc = session_destroy(ctx->db, ctx->arena, req_cookie(&ctx->req,
	    session_cookie_name(https)))) != ERR_OK ||
	    (rc = session_clear_cookie(&ctx->resp, https)) != ERR_OK)
		return rc;
	return resp_redirect(&ctx->resp, 303, "/login");
}

static enum err
page_dashboard(struct ctx *ctx)
{
	struct json_object *v = app_view(ctx);

	set(v, "title", "Dashboard");
	return app_render(ctx, 200, "pages/dashboard", v);
}

int
main(int argc, char *argv[])
{
	static const struct app_def def = {
		"pages", routes, sizeof(routes) / sizeof(routes[0]), NULL,
		NULL,
	};

	return app_main(&def, argc, argv);
}
