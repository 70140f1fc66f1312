/*
 * cgi-bin/cron.c — what cron calls with curl and X-Cron-Secret: the
 * daily sync enqueue and the scheduler's state.  The worker daemon's
 * built-in schedule (lib/sync/schedule.h) makes the cron lines optional; the
 * two together never double a day's sync.
 */
#include <string.h>

#include <json-c/json.h>

#include "base/jsonx.h"
#include "base/mem.h"
#include "providers/provider.h"
#include "sync/schedule.h"
#include "sync/syncq.h"
#include "web/app.h"

static enum err	cron_sync_daily(struct ctx *);
static enum err	cron_status(struct ctx *);

static const struct route routes[] = {
	{ HTTP_POST, "/internal/cron/sync-daily", cron_sync_daily,
	    ROUTE_CRON, 4096 },
	{ HTTP_GET, "/internal/scheduler-status", cron_status, ROUTE_CRON, 0 },
};

/*
 * Enqueues today's job for every connected connection (optional body
 * {"provider":"slug"}); 202 {"enqueued","connections","already",
 * "purged"}.  Twice the same day enqueues nothing the second time.
 * Finished jobs older than SLUICE_SYNC_KEEP_JOBS_DAYS are deleted on the
 * way (their runs stay).
 */
static enum err
cron_sync_daily(struct ctx *ctx)
{
	struct json_object *body;
	const char *provider = NULL, *json;
	const char *why;
	long enqueued, conns, keep, purged;
	enum err rc;

	if (ctx->req.body_len > 0) {
		if (jsonx_parse(ctx->arena, ctx->req.body, ctx->req.body_len,
		    &body, NULL) != ERR_OK || !json_object_is_type(body,
		    json_type_object))
			return app_fail(ctx, ERR_INPUT, "The body must be a "
			    "JSON object, e.g. {\"provider\":\"ga4\"}.");
		rc = jsonx_get_string(body, "provider", &provider);
		if (rc == ERR_INPUT || (rc == ERR_OK &&
		    provider_get(provider) == NULL))
			return app_fail(ctx, ERR_INPUT, "provider must be one "
			    "of %s.", provider_slugs(ctx->arena, ", "));
	}
	if (config_long(ctx->arena, "SLUICE_SYNC_KEEP_JOBS_DAYS", 30, 1, 36500,
	    &keep, &why) != ERR_OK)
		return app_fail(ctx, ERR_UNAVAILABLE, "%s", why);
	if ((rc = syncq_enqueue_daily(ctx->db, ctx->arena, provider,
	    &enqueued, &conns)) != ERR_OK ||
	    (rc = syncq_purge(ctx->db, ctx->arena, keep, &purged)) != ERR_OK)
		return rc;
	json = arena_printf(ctx->arena, "{\"enqueued\":%ld,\"connections\":"
	    "%ld,\"already\":%ld,\"purged\":%ld}", enqueued, conns,
	    conns - enqueued, purged);
	return resp_body(&ctx->resp, 202, "application/json", json,
	    strlen(json));
}

/*
 * Queue depth, running jobs, the oldest waiting one, the last daily run,
 * and "scheduler": the built-in schedule's last tick, whether it is
 * stale, the next daily run and the next digest.
 */
static enum err
cron_status(struct ctx *ctx)
{
	struct schedule_cfg sc;
	struct json_object *o, *s;
	const char *q, *sj, *why;
	enum err rc;

	if (schedule_cfg_load(ctx->arena, &sc, &why) != ERR_OK)
		return app_fail(ctx, ERR_UNAVAILABLE, "%s", why);
	if ((rc = syncq_status_json(ctx->db, ctx->arena, &q)) != ERR_OK ||
	    (rc = schedule_status_json(ctx->db, ctx->arena, &sc,
	    *ctx->cfg->resend_api_key != '\0', &sj)) != ERR_OK)
		return rc;
	if (jsonx_parse(ctx->arena, q, strlen(q), &o, NULL) != ERR_OK ||
	    jsonx_parse(ctx->arena, sj, strlen(sj), &s, NULL) != ERR_OK)
		return ERR_DB;
	json_object_object_add(o, "scheduler", json_object_get(s));
	return resp_json(&ctx->resp, 200, o);
}

int
main(int argc, char **argv)
{
	static const struct app_def def = { "cron", routes,
	    nitems(routes), NULL, NULL };

	return app_main(&def, argc, argv);
}
