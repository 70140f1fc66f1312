/*
 * cgi-bin/webhooks.c — receives Resend's signed webhooks and shows
 * admins what arrived.  The logic is in lib/mail/webhook.c.
 */
#include <time.h>

#include "base/limit.h"
#include "base/log.h"
#include "base/mem.h"
#include "mail/webhook.h"
#include "web/app.h"
#include "web/reqstats.h"

static enum err	hook_resend(struct ctx *);
static enum err	api_events_summary(struct ctx *);

static const struct route routes[] = {
	{ HTTP_POST, "/v1/webhooks/resend", hook_resend, ROUTE_RAWBODY,
	    LIMIT_BODY_WEBHOOK },
	{ HTTP_GET, "/v1/email-events/summary", api_events_summary,
	    ROUTE_APIKEY | ROUTE_ADMIN, 0 },
};

/* The answer to a delivery once stored, or not (d->rc). */
static enum err
answer_stored(struct ctx *ctx, const struct webhook_delivery *d)
{
	if (d->rc == ERR_INPUT)
		return app_fail(ctx, d->rc, "The webhook event is malformed: "
		    "the database refused its JSON.");
	if (d->rc != ERR_OK)
		return d->rc;
	reqstats_event(d->inserted ? REQSTATS_WEBHOOK_STORED :
	    REQSTATS_WEBHOOK_DUPLICATE);
	resp_body(&ctx->resp, 200, "application/json", "", 0);
	return buf_printf(&ctx->resp.body, "{\"received\":true,"
	    "\"duplicate\":%s}", d->inserted ? "false" : "true");
}

/*
 * POST /v1/webhooks/resend: signature first (401, nothing stored), then
 * the event (400), then one statement that stores it once per svix-id.
 * A redelivery answers 200 like the first delivery.  The store waits for
 * the deliveries already queued at this process (app_defer()): they are
 * stored with one commit (store_deferred()), and each answered after it.
 */
static enum err
hook_resend(struct ctx *ctx)
{
	struct webhook_delivery *d;
	const char *secret = ctx->cfg->resend_webhook_secret;
	const char *why = NULL;
	enum err rc;

	if (secret == NULL || *secret == '\0')
		return app_fail(ctx, ERR_UNAVAILABLE, "Webhooks are not "
		    "configured: set SLUICE_RESEND_WEBHOOK_SECRET to the "
		    "whsec_ signing secret of the Resend webhook.");
	d = arena_calloc(ctx->arena, 1, sizeof(*d));
	d->svix_id = req_header(&ctx->req, "svix-id");
	rc = webhook_verify(secret, d->svix_id, req_header(&ctx->req,
	    "svix-timestamp"), req_header(&ctx->req, "svix-signature"),
	    ctx->req.body, ctx->req.body_len, (int64_t)time(NULL), &why);
	if (rc != ERR_OK) {
		if (rc != ERR_UNAVAILABLE)
			reqstats_event(REQSTATS_WEBHOOK_REJECTED);
		log_msg(rc == ERR_UNAVAILABLE ? LOG_ERROR : LOG_WARN,
		    ctx->req.request_id, "webhook_rejected", "%s", why);
		return app_fail(ctx, rc, "The webhook was rejected: %s.", why);
	}
	if (webhook_parse(ctx->arena, ctx->req.body, ctx->req.body_len,
	    &d->ev, &why) != ERR_OK) {
		reqstats_event(REQSTATS_WEBHOOK_REJECTED);
		return app_fail(ctx, ERR_INPUT, "The webhook event is "
		    "malformed: %s.", why);
	}
	webhook_decide(ctx->arena, &d->ev, &d->fx);
	d->body = ctx->req.body;
	d->len = ctx->req.body_len;
	if (app_defer(ctx, d))
		return ERR_OK;
	webhook_store_all(ctx->db, ctx->arena, &d, 1);
	return answer_stored(ctx, d);
}

/* The deferred deliveries (app_def's flush): stored with one commit,
 * then each answered. */
static void
store_deferred(struct ctx **ctx, size_t n, enum err *rcs)
{
	struct webhook_delivery *d[LIMIT_FCGI_BATCH];
	size_t i;

	for (i = 0; i < n && i < LIMIT_FCGI_BATCH; i++)
		d[i] = ctx[i]->deferred;
	webhook_store_all(ctx[0]->db, ctx[0]->arena, d, i);
	for (i = 0; i < n && i < LIMIT_FCGI_BATCH; i++)
		rcs[i] = answer_stored(ctx[i], d[i]);
}

/* GET /v1/email-events/summary: a day of counts and the newest events. */
static enum err
api_events_summary(struct ctx *ctx)
{
	struct json_object *out;
	enum err rc;

	if ((rc = webhook_summary(ctx->db, ctx->arena, ctx->workspace_id, &out)) != ERR_OK)
		return rc;
	resp_header(&ctx->resp, "Cache-Control", "no-store");
	return resp_json(&ctx->resp, 200, out);
}

int
main(int argc, char *argv[])
{
	static const struct app_def def = {
		.name = "webhooks", .routes = routes,
		.nroutes = nitems(routes), .flush = store_deferred,
	};

	return app_main(&def, argc, argv);
}
