/*
 * cgi-bin/cron.c — what cron calls with curl and X-Cron-Secret: the
 * daily sync enqueue and the scheduler's state; and what Prometheus
 * scrapes (from loopback, or with the secret).  The worker daemon's
 * built-in schedule (lib/sync/schedule.h) makes the cron lines optional; the
 * two together never double a day's sync.
 */
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "base/jsonx.h"
#include "base/mem.h"
#include "base/prom.h"
#include "mail/email.h"
#include "providers/provider.h"
#include "store/db.h"
#include "sync/ops.h"
#include "sync/schedule.h"
#include "sync/syncq.h"
#include "web/app.h"
#include "web/reqstats.h"

static enum err	cron_sync_daily(struct ctx *);
static enum err	cron_status(struct ctx *);
static enum err	cron_metrics(struct ctx *);

static const struct route routes[] = {
	{ HTTP_POST, "/internal/cron/sync-daily", cron_sync_daily,
	    ROUTE_CRON, 4096 },
	{ HTTP_GET, "/internal/scheduler-status", cron_status, ROUTE_CRON, 0 },
	{ HTTP_GET, "/internal/metrics", cron_metrics,
	    ROUTE_CRON | ROUTE_LOCAL | ROUTE_NODB, 0 },
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
	size_t n;
	enum err rc;

	if (ctx->req.body_len > 0) {
		if (jsonx_parse(ctx->arena, ctx->req.body, ctx->req.body_len,
		    &body, NULL) != ERR_OK || !json_object_is_type(body,
		    json_type_object))
			return app_fail(ctx, ERR_INPUT, "The body must be a "
			    "JSON object, e.g. {\"provider\":\"%s\"}.",
			    provider_all(&n)[0]->slug);
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
	    email_sending(ctx->cfg), &sj)) != ERR_OK)
		return rc;
	if (jsonx_parse(ctx->arena, q, strlen(q), &o, NULL) != ERR_OK ||
	    jsonx_parse(ctx->arena, sj, strlen(sj), &s, NULL) != ERR_OK)
		return ERR_DB;
	json_object_object_add(o, "scheduler", json_object_get(s));
	return resp_json(&ctx->resp, 200, o);
}

/* The folder of SLUICE_PID_FILE, where every program keeps its request
 * counters (lib/web/reqstats.h), or NULL. */
static const char *
stats_dir(struct arena *a)
{
	const char *pidfile = config_env("SLUICE_PID_FILE", NULL), *slash;

	if (pidfile == NULL || (slash = strrchr(pidfile, '/')) == NULL)
		return pidfile != NULL ? "." : NULL;
	return slash == pidfile ? "/" : arena_strndup(a, pidfile,
	    (size_t)(slash - pidfile));
}

static void
webhook_events(struct prom *p, const struct reqstats_set *rs)
{
	static const struct {
		const char		*outcome;
		enum reqstats_event	 e;
	} ev[] = {
		{ "stored", REQSTATS_WEBHOOK_STORED },
		{ "duplicate", REQSTATS_WEBHOOK_DUPLICATE },
		{ "rejected", REQSTATS_WEBHOOK_REJECTED },
	};
	struct prom_label l[1];
	size_t i;

	prom_family(p, "sluice_webhook_events_total", PROM_COUNTER,
	    "Resend webhook deliveries since the webhooks program started: "
	    "stored, duplicate (stored before), rejected (bad signature or "
	    "event).");
	for (i = 0; i < nitems(ev); i++) {
		l[0] = (struct prom_label){ "outcome", ev[i].outcome };
		prom_sample(p, l, 1, (double)reqstats_event_total(rs,
		    ev[i].e));
	}
}

/*
 * GET /internal/metrics: the Prometheus text format (lib/base/prom.h) —
 * the database's numbers at scrape time (lib/sync/ops.h), every
 * program's request counters and process facts (lib/web/reqstats.h).
 * With the database down it still answers, with sluice_database_up 0
 * and the process families.
 */
static enum err
cron_metrics(struct ctx *ctx)
{
	struct reqstats_set *rs;
	struct timespec t0, t1;
	struct prom p;
	struct buf *b;
	bool up;
	enum err rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	b = buf_new_arena(ctx->arena, LIMIT_METRICS_PAGE);
	prom_init(&p, b);
	up = db_ready(ctx->db) == ERR_OK;
	if (up && (rc = ops_metrics(ctx->db, ctx->arena, &p)) != ERR_OK) {
		if (rc != ERR_UNAVAILABLE)
			return rc;
		buf_reset(b);
		prom_init(&p, b);
		up = false;
	}
	reqstats_load(ctx->arena, stats_dir(ctx->arena), &rs);
	webhook_events(&p, rs);
	reqstats_write(&p, rs);
	prom_family(&p, "sluice_database_up", PROM_GAUGE, "1 when the "
	    "database answered this scrape, else 0 (its families are then "
	    "missing).");
	prom_sample(&p, NULL, 0, up ? 1 : 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	prom_family(&p, "sluice_scrape_duration_seconds", PROM_GAUGE,
	    "How long this scrape took to build.");
	prom_sample(&p, NULL, 0, (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	if (prom_error(&p) != ERR_OK)
		return app_fail(ctx, ERR_SYSTEM, "The metrics page could not "
		    "be written (%s).", err_code(prom_error(&p)));
	resp_header(&ctx->resp, "Cache-Control", "no-store");
	return resp_body(&ctx->resp, 200,
	    "text/plain; version=0.0.4; charset=utf-8", b->data, b->len);
}

int
main(int argc, char **argv)
{
	static const struct app_def def = { .name = "cron",
	    .routes = routes, .nroutes = nitems(routes) };

	return app_main(&def, argc, argv);
}
