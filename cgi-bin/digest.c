/*
 * cgi-bin/digest.c — the weekly and monthly digests: the cron-driven runs,
 * a test send, the last run's status, the preview, and the unsubscribe
 * link.
 */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "base/jsonx.h"
#include "base/limit.h"
#include "base/mem.h"
#include "mail/digest.h"
#include "mail/email.h"
#include "web/app.h"

static enum err	target(struct ctx *, const char *, int64_t *);
static enum err	api_weekly(struct ctx *);
static enum err	api_monthly(struct ctx *);
static enum err	api_test(struct ctx *);
static enum err	api_status(struct ctx *);
static enum err	api_preview(struct ctx *);
static enum err	page_unsubscribe(struct ctx *);
static enum err	form_unsubscribe(struct ctx *);

#define DIGEST_AUTH	(ROUTE_CRON | ROUTE_APIKEY | ROUTE_ADMIN)

static const struct route routes[] = {
	{ HTTP_POST, "/v1/digest/weekly", api_weekly, DIGEST_AUTH, 0 },
	{ HTTP_POST, "/v1/digest/monthly", api_monthly, DIGEST_AUTH, 0 },
	{ HTTP_POST, "/v1/digest/test", api_test, DIGEST_AUTH, 0 },
	{ HTTP_GET, "/v1/digest/status", api_status, DIGEST_AUTH, 0 },
	{ HTTP_GET, "/v1/digest/preview", api_preview, DIGEST_AUTH, 0 },
	{ HTTP_GET, "/v1/digest/unsubscribe", page_unsubscribe, ROUTE_HTML,
	    0 },
	{ HTTP_POST, "/v1/digest/unsubscribe", form_unsubscribe, ROUTE_HTML,
	    0 },
};

static const char no_key[] = "Sending is not configured: set "
    "SLUICE_RESEND_API_KEY, or SLUICE_MAIL_DIR to write the emails to "
    "files (previews work without either).";

static struct digest_env
env_of(struct ctx *ctx)
{
	struct digest_env e = { ctx->db, ctx->arena, ctx->cfg,
	    ctx->app->tmpl, ctx->app->http };

	return e;
}

/* The JSON body, or an empty object for an empty body. */
static enum err
body_json(struct ctx *ctx, struct json_object **out)
{
	const char *why = NULL;

	if (ctx->req.body_len == 0) {
		*out = jsonx_own(ctx->arena, json_object_new_object());
		return ERR_OK;
	}
	if (jsonx_parse(ctx->arena, ctx->req.body, ctx->req.body_len, out,
	    &why) != ERR_OK || !json_object_is_type(*out, json_type_object))
		return app_fail(ctx, ERR_INPUT, "The body must be a JSON "
		    "object%s%s.", why ? ": " : "", why ? why : "");
	return ERR_OK;
}

/* ?kind=weekly (the default) or monthly; ERR_INPUT otherwise. */
static enum err
kind_of(struct ctx *ctx, enum digest_kind *out)
{
	const char *k = req_query(&ctx->req, "kind");

	if (k == NULL || strcmp(k, "weekly") == 0)
		*out = DIGEST_WEEKLY;
	else if (strcmp(k, "monthly") == 0)
		*out = DIGEST_MONTHLY;
	else
		return app_fail(ctx, ERR_INPUT, "kind must be \"weekly\" or "
		    "\"monthly\".");
	return ERR_OK;
}

/*
 * {"scope":"all"} or {"scope":"email","email":"..."}: 200 {sent, skipped,
 * failed, run_id, recovered, quota_reached, workspaces}; 404 when the
 * email is a member of no workspace the caller covers; 429 with
 * Retry-After within the cooldown.  The cron secret covers every
 * workspace; an admin's key its own workspace, with its own cooldown.
 */
static enum err
run_kind(struct ctx *ctx, enum digest_kind kind)
{
	struct digest_env e = env_of(ctx);
	struct digest_report rep;
	struct json_object *b, *o;
	const char *scope = "all", *email = NULL;
	int64_t ws;
	long wait;
	enum err rc;

	if ((rc = body_json(ctx, &b)) != ERR_OK)
		return rc;
	if (jsonx_get_string(b, "scope", &scope) == ERR_INPUT ||
	    (strcmp(scope, "all") != 0 && strcmp(scope, "email") != 0))
		return app_fail(ctx, ERR_INPUT, "scope must be \"all\" or "
		    "\"email\".");
	if (strcmp(scope, "email") == 0 &&
	    (jsonx_get_string(b, "email", &email) != ERR_OK ||
	    !email_address_ok(email)))
		return app_fail(ctx, ERR_INPUT, "scope \"email\" needs an "
		    "\"email\" address.");
	/* A stranger's address: 404 as for a test, before any run (and its
	 * cooldown) starts. */
	if (email != NULL && (rc = target(ctx, email, &ws)) != ERR_OK)
		return rc;
	rc = digest_run(&e, kind, ctx->cron ? DIGEST_CRON : DIGEST_ADMIN,
	    ctx->cron ? 0 : ctx->workspace_id, email, &rep, &wait);
	if (rc == ERR_UNAVAILABLE && !email_sending(ctx->cfg))
		return app_fail(ctx, rc, "%s", no_key);
	if (rc == ERR_RATELIMIT) {
		resp_header(&ctx->resp, "Retry-After",
		    arena_printf(ctx->arena, "%ld", wait));
		resp_json_error(&ctx->resp, ERR_RATELIMIT, arena_printf(
		    ctx->arena, "A %s digest run %s is in progress or finished "
		    "less than %d minutes ago; try again in %ld seconds.",
		    kind == DIGEST_MONTHLY ? "monthly" : "weekly",
		    ctx->cron ? "over every workspace" : "of this workspace",
		    LIMIT_DIGEST_COOLDOWN_S / 60, wait));
		return ERR_OK;
	}
	if (rc != ERR_OK)
		return rc;
	o = jsonx_own(ctx->arena, json_object_new_object());
	json_object_object_add(o, "sent", json_object_new_int(rep.sent));
	json_object_object_add(o, "skipped",
	    json_object_new_int(rep.skipped));
	json_object_object_add(o, "failed", json_object_new_int(rep.failed));
	json_object_object_add(o, "run_id",
	    json_object_new_int64(rep.run_id));
	json_object_object_add(o, "recovered",
	    json_object_new_int(rep.recovered));
	json_object_object_add(o, "quota_reached",
	    json_object_new_boolean(rep.quota));
	json_object_object_add(o, "workspaces",
	    json_object_new_int(rep.workspaces));
	return resp_json(&ctx->resp, 200, o);
}

/* The workspace a preview or a test is for. */
static enum err
target(struct ctx *ctx, const char *to, int64_t *ws)
{
	struct digest_env e = env_of(ctx);
	enum err rc;

	if (to == NULL || !email_address_ok(to))
		return app_fail(ctx, ERR_INPUT, "Give the recipient's email "
		    "address.");
	rc = digest_workspace_of(&e, ctx->cron ? 0 : ctx->workspace_id, to,
	    ws);
	if (rc == ERR_NOTFOUND)
		return app_fail(ctx, rc, "That address is not a member of "
		    "%s.", ctx->cron ? "any workspace" : "this workspace");
	return rc;
}

static enum err
api_weekly(struct ctx *ctx)
{
	return run_kind(ctx, DIGEST_WEEKLY);
}

/* The last full calendar month, to the members who chose it. */
static enum err
api_monthly(struct ctx *ctx)
{
	return run_kind(ctx, DIGEST_MONTHLY);
}

/* {"to": "..."}: sends one digest now; not counted for the period. */
static enum err
api_test(struct ctx *ctx)
{
	struct digest_env e = env_of(ctx);
	struct json_object *b, *o;
	const char *to = NULL, *id, *error;
	bool override = false;
	int64_t ws;
	enum err rc;

	if ((rc = body_json(ctx, &b)) != ERR_OK)
		return rc;
	jsonx_get_string(b, "to", &to);
	if (jsonx_get_bool(b, "override_suppression", &override) == ERR_INPUT)
		return app_fail(ctx, ERR_INPUT, "override_suppression must be "
		    "true or false.");
	if ((rc = target(ctx, to, &ws)) != ERR_OK)
		return rc;
	rc = digest_send_test(&e, ws, to, override, &id, &error);
	if (rc == ERR_CONFLICT)
		return app_fail(ctx, rc, "%s", error);
	if (rc == ERR_UNAVAILABLE && !email_sending(ctx->cfg))
		return app_fail(ctx, rc, "%s", no_key);
	if (rc == ERR_UPSTREAM)
		return app_fail(ctx, rc, "Resend did not send it: %s", error);
	if (rc != ERR_OK)
		return rc;
	o = jsonx_own(ctx->arena, json_object_new_object());
	json_object_object_add(o, "id", json_object_new_string(id));
	json_object_object_add(o, "to", json_object_new_string(to));
	return resp_json(&ctx->resp, 200, o);
}

/* The workspace's last run (an admin's key), or cron's last run over
 * every workspace (the cron secret). */
static enum err
api_status(struct ctx *ctx)
{
	struct digest_env e = env_of(ctx);
	enum digest_kind kind;
	const char *json;
	enum err rc;

	if ((rc = kind_of(ctx, &kind)) != ERR_OK)
		return rc;
	if ((rc = digest_status_json(&e, kind, ctx->cron ? 0 :
	    ctx->workspace_id, &json)) != ERR_OK)
		return rc;
	json = arena_printf(ctx->arena, "{\"last_run\":%s,"
	    "\"sending_configured\":%s}", json,
	    email_sending(ctx->cfg) ? "true" : "false");
	return resp_body(&ctx->resp, 200, "application/json", json,
	    strlen(json));
}

/* ?email=...[&format=html|text][&kind=monthly]: exactly what would be
 * sent. */
static enum err
api_preview(struct ctx *ctx)
{
	struct digest_env e = env_of(ctx);
	struct digest_mail m;
	struct json_object *o, *h;
	const char *to = req_query(&ctx->req, "email");
	const char *fmt = req_query(&ctx->req, "format");
	enum digest_kind kind;
	int64_t ws;
	enum err rc;

	if ((rc = kind_of(ctx, &kind)) != ERR_OK)
		return rc;
	if ((rc = target(ctx, to, &ws)) != ERR_OK)
		return rc;
	e.db = app_read_db(ctx);	/* it only reads */
	if ((rc = digest_render_kind(&e, kind, ws, to, &m)) != ERR_OK)
		return rc;
	if (fmt != NULL && strcmp(fmt, "html") == 0) {
		resp_header(&ctx->resp, "Content-Security-Policy",
		    DIGEST_PREVIEW_CSP);
		return resp_body(&ctx->resp, 200, "text/html; charset=utf-8",
		    m.html, strlen(m.html));
	}
	if (fmt != NULL && strcmp(fmt, "text") == 0)
		return resp_body(&ctx->resp, 200, "text/plain; charset=utf-8",
		    m.text, strlen(m.text));
	o = jsonx_own(ctx->arena, json_object_new_object());
	json_object_object_add(o, "to", json_object_new_string(m.to));
	json_object_object_add(o, "subject",
	    json_object_new_string(m.subject));
	json_object_object_add(o, "period_start",
	    json_object_new_string(m.period_start));
	json_object_object_add(o, "period_end",
	    json_object_new_string(m.period_end));
	h = json_object_new_object();
	json_object_object_add(h, "List-Unsubscribe", json_object_new_string(
	    arena_printf(ctx->arena, "<%s>", m.unsubscribe_url)));
	json_object_object_add(h, "List-Unsubscribe-Post",
	    json_object_new_string("List-Unsubscribe=One-Click"));
	json_object_object_add(o, "headers", h);
	json_object_object_add(o, "html", json_object_new_string(m.html));
	json_object_object_add(o, "text", json_object_new_string(m.text));
	return resp_json(&ctx->resp, 200, o);
}

/* The confirmation page (GET) and the one-click unsubscribe (POST). */
static enum err
unsubscribe(struct ctx *ctx, bool commit)
{
	struct digest_env e = env_of(ctx);
	struct json_object *v = app_view(ctx);
	const char *token = req_query(&ctx->req, "token"), *email, *name;
	int64_t ws;
	enum err rc;

	json_object_object_add(v, "title",
	    json_object_new_string("Unsubscribe"));
	rc = digest_unsub_verify(&e, token, &ws, &email);
	if (rc == ERR_OK)
		rc = digest_workspace_name(&e, ws, &name);
	if (rc == ERR_AUTH || rc == ERR_NOTFOUND) {
		json_object_object_add(v, "error", json_object_new_string(
		    "This unsubscribe link is not valid. Use the link in "
		    "your latest digest."));
		return app_render(ctx, 400, "pages/unsubscribe", v);
	}
	if (rc != ERR_OK)
		return rc;
	if (commit && (rc = digest_unsubscribe(&e, ws, email)) != ERR_OK)
		return rc;
	json_object_object_add(v, "email", json_object_new_string(email));
	json_object_object_add(v, "workspace", json_object_new_string(name));
	json_object_object_add(v, "token", json_object_new_string(token));
	json_object_object_add(v, "done", json_object_new_boolean(commit));
	return app_render(ctx, 200, "pages/unsubscribe", v);
}

static enum err
page_unsubscribe(struct ctx *ctx)
{
	return unsubscribe(ctx, false);
}

static enum err
form_unsubscribe(struct ctx *ctx)
{
	return unsubscribe(ctx, true);
}

int
main(int argc, char **argv)
{
	static const struct app_def def = { .name = "digest",
	    .routes = routes, .nroutes = nitems(routes) };

	return app_main(&def, argc, argv);
}
