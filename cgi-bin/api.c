/*
 * cgi-bin/api.c — the JSON API for scripts and integrations, and the
 * health endpoints.  CLI: `api migrate` applies the migrations.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <stdlib.h>

#include <json-c/json.h>

#include "base/jsonx.h"
#include "base/limit.h"
#include "base/mem.h"
#include "base/utf8.h"
#include "connections/connect.h"
#include "connections/connection.h"
#include "connections/token.h"
#include "connections/vault.h"
#include "crypto/crypto.h"
#include "insights/insights.h"
#include "insights/intel.h"
#include "metrics/export.h"
#include "metrics/ingest.h"
#include "metrics/metric.h"
#include "metrics/reporting.h"
#include "metrics/tiles.h"
#include "providers/provider.h"
#include "store/db.h"
#include "store/migrate.h"
#include "sync/ops.h"
#include "sync/schedule.h"
#include "sync/syncq.h"
#include "web/apikey.h"
#include "views/views.h"
#include "web/app.h"

static enum err	api_healthz(struct ctx *);
static enum err	api_readyz(struct ctx *);
static enum err	api_connections(struct ctx *);
static enum err	api_ingest(struct ctx *);
static enum err	api_tiles(struct ctx *);
static enum err	api_sync_status(struct ctx *);
static enum err	api_sync_log(struct ctx *);

static enum err	api_conn_sync(struct ctx *);
static enum err	api_conn_test(struct ctx *);
static enum err	api_conn_delete(struct ctx *);
static enum err	api_github_user(struct ctx *);
static enum err	api_github_repos(struct ctx *);
static enum err	api_intel(struct ctx *);
static enum err	api_metrics(struct ctx *);

static const struct route routes[] = {
	{ HTTP_GET, "/healthz", api_healthz, ROUTE_NODB, 0 },
	{ HTTP_GET, "/readyz", api_readyz, ROUTE_NODB, 0 },
	{ HTTP_GET, "/v1/connections", api_connections, ROUTE_APIKEY, 0 },
	{ HTTP_POST, "/v1/metrics/ingest", api_ingest,
	    ROUTE_APIKEY | ROUTE_ADMIN, LIMIT_BODY_INGEST },
	{ HTTP_GET, "/v1/dashboard/tiles", api_tiles, ROUTE_APIKEY, 0 },
	{ HTTP_GET, "/v1/metrics", api_metrics, ROUTE_APIKEY, 0 },
	{ HTTP_GET, "/v1/sync/status", api_sync_status, ROUTE_APIKEY, 0 },
	{ HTTP_GET, "/v1/sync/log", api_sync_log, ROUTE_APIKEY, 0 },
	{ HTTP_POST, "/v1/connections/:provider/sync", api_conn_sync,
	    ROUTE_APIKEY | ROUTE_ADMIN, 0 },
	{ HTTP_POST, "/v1/connections/:provider/test", api_conn_test,
	    ROUTE_APIKEY | ROUTE_ADMIN, 0 },
	{ HTTP_DELETE, "/v1/connections/:provider", api_conn_delete,
	    ROUTE_APIKEY | ROUTE_ADMIN, 0 },
	{ HTTP_GET, "/v1/github/user", api_github_user, ROUTE_APIKEY, 0 },
	{ HTTP_GET, "/v1/github/repos", api_github_repos, ROUTE_APIKEY, 0 },
	{ HTTP_POST, "/v1/intel/analyze", api_intel, ROUTE_APIKEY, 0 },
};

/*
 * A week's facts (numbers with their period and source) that answer a
 * question, ranked and said in a sentence (lib/insights/intel.h), with
 * the suggested actions; deterministic.  Body: {"question"?, "scope"?:
 * {"provider"?, "period"?: "last_week" or a Monday "YYYY-MM-DD"}}.
 */
static enum err
api_intel(struct ctx *ctx)
{
	struct json_object *body = NULL, *scope = NULL;
	const char *question = NULL, *provider = NULL, *period = NULL,
	    *why = NULL, *json;
	struct insights_period per;
	struct insights in;
	size_t n;
	enum err rc;

	if (ctx->req.body_len > 0 && jsonx_parse(ctx->arena, ctx->req.body,
	    ctx->req.body_len, &body, &why) != ERR_OK)
		return app_fail(ctx, ERR_INPUT, "The body must be JSON: %s.",
		    why != NULL ? why : "invalid");
	if (body != NULL && !json_object_is_type(body, json_type_object))
		return app_fail(ctx, ERR_UNPROCESSABLE, "The body must be a "
		    "JSON object: {\"question\": \"...\", \"scope\": "
		    "{...}}.");
	if (body != NULL && (jsonx_get_string(body, "question", &question) ==
	    ERR_INPUT || jsonx_get_object(body, "scope", &scope) == ERR_INPUT ||
	    jsonx_get_string(scope, "provider", &provider) == ERR_INPUT ||
	    jsonx_get_string(scope, "period", &period) == ERR_INPUT))
		return app_fail(ctx, ERR_UNPROCESSABLE, "question, "
		    "scope.provider and scope.period must be strings.");
	if (question != NULL && (why = intel_question_problem(question,
	    (size_t)json_object_get_string_len(json_object_object_get(body,
	    "question")))) != NULL)
		return app_fail(ctx, ERR_UNPROCESSABLE, "question %s.", why);
	if (question != NULL && (n = utf8_chars(question)) >
	    LIMIT_INTEL_QUESTION)
		return app_fail(ctx, ERR_UNPROCESSABLE, "question has %zu "
		    "characters; at most %d are accepted.", n,
		    LIMIT_INTEL_QUESTION);
	/* Never echoed: the value may be anything the caller sent. */
	if (provider != NULL && !metric_provider_known(provider))
		return app_fail(ctx, ERR_UNPROCESSABLE, "Unknown provider in "
		    "scope.provider; use one of %s.",
		    provider_slugs(ctx->arena, ", "));
	if (period != NULL && strcmp(period, "last_week") == 0)
		period = NULL;
	if (period != NULL && insights_period_check(ctx->arena, period,
	    &why) != ERR_OK)
		return app_fail(ctx, ERR_UNPROCESSABLE, "scope.period %s (or "
		    "send last_week).", why);
	rc = insights_period(ctx->db, ctx->arena, ctx->workspace_id, period,
	    &per);
	if (rc == ERR_INPUT)
		return app_fail(ctx, ERR_UNPROCESSABLE, "scope.period must be "
		    "last_week or a Monday YYYY-MM-DD.");
	if (rc == ERR_OK && !per.over)
		return app_fail(ctx, ERR_UNPROCESSABLE, "scope.period: the "
		    "week of %s ends on %s, which is not over yet in the "
		    "workspace's time zone (%s); send last_week or an earlier "
		    "Monday.", per.start, per.end, per.time_zone != NULL ?
		    per.time_zone : "UTC");
	if (rc != ERR_OK || (rc = insights_load(ctx->db, ctx->arena,
	    ctx->workspace_id, &per, &in)) != ERR_OK)
		return rc;
	json = intel_json(ctx->arena, &per, &in, provider, question);
	return resp_body(&ctx->resp, 200, "application/json", json,
	    strlen(json));
}

/* The live connection of the path's provider, or a JSON error. */
static enum err
conn_arg(struct ctx *ctx, const char *slug, const struct provider **p,
    struct connection *c)
{
	enum err rc;

	if (slug == NULL)
		slug = route_capture(&ctx->match, "provider");
	if ((*p = provider_get(slug)) == NULL)
		return app_fail(ctx, ERR_NOTFOUND, "Unknown provider; use one "
		    "of %s.", provider_slugs(ctx->arena, ", "));
	rc = connection_get(ctx->db, ctx->arena, ctx->workspace_id, slug, c);
	if (rc == ERR_NOTFOUND || (rc == ERR_OK && !c->has_tokens))
		return app_fail(ctx, ERR_CONFLICT, "%s is not connected.",
		    (*p)->name);
	return rc;
}

static struct token_env
env_of(struct ctx *ctx)
{
	struct token_env env = { ctx->db, ctx->app->http, ctx->app->keys,
	    ctx->cfg };

	return env;
}

/* 202 {"job_id","queued"}: queued now, or the job already waiting. */
static enum err
api_conn_sync(struct ctx *ctx)
{
	const struct provider *p;
	struct connection c;
	int64_t job;
	bool created;
	enum err rc;

	if ((rc = conn_arg(ctx, NULL, &p, &c)) != ERR_OK)
		return rc;
	rc = syncq_enqueue_now(ctx->db, ctx->arena, ctx->workspace_id, c.id,
	    &job, &created);
	if (rc == ERR_CONFLICT)
		return app_fail(ctx, rc, "%s must be connected to sync.",
		    p->name);
	if (rc != ERR_OK)
		return rc;
	resp_body(&ctx->resp, 202, "application/json", "", 0);
	return buf_printf(&ctx->resp.body, "{\"job_id\":%lld,\"queued\":%s}",
	    (long long)job, created ? "true" : "false");
}

static enum err
api_conn_test(struct ctx *ctx)
{
	struct token_env env = env_of(ctx);
	const struct provider *p;
	struct connection c;
	const char *why;
	enum err rc;

	if ((rc = conn_arg(ctx, NULL, &p, &c)) != ERR_OK)
		return rc;
	if ((rc = connect_test(&env, ctx->arena, p, &c, &why)) != ERR_OK)
		return app_fail(ctx, rc == ERR_AUTH ? ERR_CONFLICT : ERR_UPSTREAM,
		    "The test call failed: %s", why != NULL ? why :
		    err_code(rc));
	return resp_body(&ctx->resp, 200, "application/json",
	    "{\"ok\":true}", 11);
}

static enum err
api_conn_delete(struct ctx *ctx)
{
	struct token_env env = env_of(ctx);
	const struct provider *p;
	struct connection c;
	const char *d = req_query(&ctx->req, "delete_data"), *note, *body;
	struct json_object *o;
	enum connect_revoke rv;
	enum err rc;

	if ((rc = conn_arg(ctx, NULL, &p, &c)) != ERR_OK)
		return rc;
	if ((rc = connect_disconnect(&env, ctx->arena, p, &c, d != NULL &&
	    strcmp(d, "1") == 0, &rv, &note)) != ERR_OK)
		return rc;
	o = jsonx_own(ctx->arena, json_object_new_object());
	json_object_object_add(o, "status",
	    json_object_new_string("disconnected"));
	json_object_object_add(o, "revoked",
	    json_object_new_boolean(rv == CONNECT_REVOKED));
	if (note != NULL)
		json_object_object_add(o, "revoke_note",
		    json_object_new_string(note));
	body = jsonx_string(ctx->arena, o);
	return resp_body(&ctx->resp, 200, "application/json", body,
	    strlen(body));
}

static enum err
github(struct ctx *ctx, bool repos)
{
	struct token_env env = env_of(ctx);
	const struct provider *p;
	struct connection c;
	const char *json, *why;
	enum err rc;

	if ((rc = conn_arg(ctx, "github", &p, &c)) != ERR_OK)
		return rc;
	if ((rc = connect_github_json(&env, ctx->arena, &c, repos, &json,
	    &why)) != ERR_OK)
		return app_fail(ctx, rc == ERR_AUTH ? ERR_CONFLICT :
		    rc == ERR_RATELIMIT ? ERR_RATELIMIT : ERR_UPSTREAM, "%s",
		    why != NULL ? why : "GitHub did not answer");
	return resp_body(&ctx->resp, 200, "application/json", json,
	    strlen(json));
}

static enum err
api_github_user(struct ctx *ctx)
{
	return github(ctx, false);
}

static enum err
api_github_repos(struct ctx *ctx)
{
	return github(ctx, true);
}

/*
 * Metric rows in, all or nothing: 200 {"inserted","updated","unchanged"},
 * 422 listing every bad row, 415 unless JSON; Idempotency-Key replays.
 */
static enum err
api_ingest(struct ctx *ctx)
{
	char hash[CRYPTO_SHA256_HEX_SIZE];
	struct ingest_batch b;
	const char *key, *why, *json;
	bool replayed;
	int status;
	enum err rc;

	if (!req_is_content_type(&ctx->req, "application/json")) {
		json = "{\"error\":{\"code\":\"unsupported_media_type\","
		    "\"message\":\"Send the rows as Content-Type: "
		    "application/json.\"}}";
		return resp_body(&ctx->resp, 415, "application/json", json,
		    strlen(json));
	}
	key = req_header(&ctx->req, "idempotency-key");
	if (key != NULL && !ingest_key_ok(key))
		return app_fail(ctx, ERR_INPUT, "Idempotency-Key must be 1-128 "
		    "characters of A-Z a-z 0-9 _ . : -");
	rc = ingest_parse(ctx->arena, ctx->req.body, ctx->req.body_len,
	    time(NULL), &b, &why);
	if (rc == ERR_UNPROCESSABLE && b.nproblems > 0) {
		json = ingest_problems_json(ctx->arena, &b);
		return resp_body(&ctx->resp, 422, "application/json", json,
		    strlen(json));
	}
	if (rc != ERR_OK)
		return app_fail(ctx, rc, "%s", why);
	crypto_sha256_hex(ctx->req.body, ctx->req.body_len, hash);
	rc = ingest_commit(ctx->db, ctx->arena, ctx->workspace_id, key, hash,
	    &b, &status, &json, &replayed);
	if (rc == ERR_CONFLICT)
		return app_fail(ctx, rc, "This Idempotency-Key was already "
		    "used with a different body.");
	if (rc == ERR_NOTFOUND)
		return app_fail(ctx, rc, "This workspace no longer exists; "
		    "nothing was stored.");
	if (rc != ERR_OK)
		return rc;
	if (replayed)
		resp_header(&ctx->resp, "Idempotent-Replayed", "true");
	return resp_body(&ctx->resp, status, "application/json", json,
	    strlen(json));
}

/* The dashboard tiles: ?period=7d|28d|90d (default 7d) or ?from=&to=,
 * &provider=slug. */
static enum err
api_tiles(struct ctx *ctx)
{
	const char *period = req_query(&ctx->req, "period");
	const char *provider = req_query(&ctx->req, "provider");
	const char *from = req_query(&ctx->req, "from");
	const char *to = req_query(&ctx->req, "to");
	const char *json, *why;
	int days = period == NULL ? 7 : tiles_period(period);
	enum err rc;

	if (period != NULL && (from != NULL || to != NULL))
		return app_fail(ctx, ERR_INPUT, "Send period, or from and to; "
		    "not both.");
	if (from != NULL || to != NULL) {
		tiles_range(ctx->arena, from, to, &days, &why);
		if (why != NULL)
			return app_fail(ctx, ERR_INPUT, "%s.", why);
	} else if (days == 0)
		return app_fail(ctx, ERR_INPUT, "period must be 7d, 28d or "
		    "90d.");
	if (provider != NULL && !metric_provider_known(provider))
		return app_fail(ctx, ERR_INPUT, "Unknown provider; use one of "
		    "%s.", provider_slugs(ctx->arena, ", "));
	rc = tiles_json(ctx->db, ctx->arena, ctx->workspace_id, days,
	    from != NULL ? to : NULL, provider, &json);
	if (rc == ERR_UNPROCESSABLE)
		return app_fail(ctx, ERR_INPUT, "to must be yesterday or "
		    "earlier in the workspace's time zone (today is not over).");
	if (rc != ERR_OK)
		return rc;
	resp_header(&ctx->resp, "Cache-Control", "private, max-age=60");
	return resp_body(&ctx->resp, 200, "application/json", json,
	    strlen(json));
}

/*
 * The workspace's stored rows (lib/metrics/export.h): JSON pages with a
 * cursor, or with format=csv (or Accept: text/csv) one CSV stream.
 */
static enum err
api_metrics(struct ctx *ctx)
{
	struct export_query q;
	const char *param, *why, *json;
	enum err rc;

	rc = export_parse(ctx->arena, &ctx->req.query, req_header(&ctx->req,
	    "accept"), &q, &param, &why);
	if (rc != ERR_OK)
		return app_fail(ctx, rc == ERR_TOOBIG ? ERR_TOOBIG : ERR_INPUT,
		    "%s %s.", param, why);
	if (q.csv)
		rc = views_download(ctx, &q);
	else
		rc = export_json(ctx->db, ctx->arena, ctx->workspace_id, &q,
		    &json);
	if (rc == ERR_UNPROCESSABLE)
		return app_fail(ctx, ERR_INPUT, "to must be yesterday or "
		    "earlier in the workspace's time zone (today is not "
		    "over).");
	if (rc == ERR_INPUT)
		return app_fail(ctx, ERR_INPUT, "cursor is not one this API "
		    "gave; start again without it.");
	if (rc != ERR_OK || q.csv)
		return rc;
	resp_header(&ctx->resp, "Cache-Control", "private, no-store");
	return resp_body(&ctx->resp, 200, "application/json", json,
	    strlen(json));
}

/* Each connection's sync state: last sync, last error, job, last run. */
static enum err
api_sync_status(struct ctx *ctx)
{
	const char *json;
	enum err rc;

	if ((rc = syncq_status_ws_json(ctx->db, ctx->arena, ctx->workspace_id,
	    &json)) != ERR_OK)
		return rc;
	return resp_body(&ctx->resp, 200, "application/json", json,
	    strlen(json));
}

/* The latest sync runs: ?provider=slug &limit=1..500 (default 100). */
static enum err
api_sync_log(struct ctx *ctx)
{
	const char *provider = req_query(&ctx->req, "provider");
	const char *lim = req_query(&ctx->req, "limit");
	const char *json;
	char *end;
	long limit = 100;
	enum err rc;

	if (provider != NULL && !metric_provider_known(provider))
		return app_fail(ctx, ERR_INPUT, "Unknown provider; use one of "
		    "%s.", provider_slugs(ctx->arena, ", "));
	if (lim != NULL && ((limit = strtol(lim, &end, 10)) < 1 ||
	    limit > 500 || *end != '\0' || end == lim))
		return app_fail(ctx, ERR_INPUT, "limit must be 1 to 500.");
	if ((rc = syncq_log_json(ctx->db, ctx->arena, ctx->workspace_id,
	    provider, (int)limit, &json)) != ERR_OK)
		return rc;
	return resp_body(&ctx->resp, 200, "application/json", json,
	    strlen(json));
}

/* The workspace's connections: status, accounts, sync state; no tokens. */
static enum err
api_connections(struct ctx *ctx)
{
	const char *list;
	enum err rc;

	if ((rc = connection_list_json(ctx->db, ctx->arena,
	    ctx->workspace_id, &list)) != ERR_OK)
		return rc;
	return resp_body(&ctx->resp, 200, "application/json", list,
	    strlen(list));
}

/* 200 while the process serves: no database, no allocation. */
static enum err
api_healthz(struct ctx *ctx)
{
	static const char body[] = "{\"status\":\"ok\"}";

	return resp_body(&ctx->resp, 200, "application/json", body,
	    sizeof(body) - 1);
}

/* Adds a warning to o's "warnings", made on first use. */
static void
warn(struct json_object *o, struct json_object **w, const char *s)
{
	if (*w == NULL) {
		*w = json_object_new_array();
		json_object_object_add(o, "warnings", *w);
	}
	json_object_array_add(*w, json_object_new_string(s));
}

/*
 * The sync workers' last heartbeat and the queue, with a warning when no
 * worker was seen for LIMIT_WORKER_STALE_S while jobs wait (or ever).
 */
static enum err
readyz_workers(struct ctx *ctx, struct json_object *o, struct json_object **w)
{
	struct ops_queue q;
	struct json_object *k;
	long age;
	enum err rc;

	if ((rc = ops_worker_age(ctx->db, ctx->arena, &age)) != ERR_OK ||
	    (rc = ops_queue(ctx->db, ctx->arena, &q)) != ERR_OK)
		return rc;
	k = json_object_new_object();
	json_object_object_add(o, "worker", k);
	json_object_object_add(k, "last_seen_age_s", age < 0 ? NULL :
	    json_object_new_int64(age));
	json_object_object_add(k, "stale", json_object_new_boolean(age < 0 ||
	    age > LIMIT_WORKER_STALE_S));
	k = json_object_new_object();
	json_object_object_add(o, "queue", k);
	json_object_object_add(k, "queued", json_object_new_int64(q.queued));
	json_object_object_add(k, "due", json_object_new_int64(q.due));
	json_object_object_add(k, "running", json_object_new_int64(q.running));
	json_object_object_add(k, "expired_leases",
	    json_object_new_int64(q.expired));
	json_object_object_add(k, "oldest_wait_s",
	    json_object_new_int64(q.oldest_wait_s));
	if (age < 0)
		warn(o, w, "no sync worker has ever run: start the worker "
		    "daemon (worker --daemon; make run starts it) or run "
		    "worker --once from cron");
	else if (age > LIMIT_WORKER_STALE_S)
		warn(o, w, arena_printf(ctx->arena, "no sync worker was seen "
		    "for %ld minutes (%ld jobs due): the worker daemon is down "
		    "or stuck (see its log)", age / 60, (long)q.due));
	if (q.expired > 0)
		warn(o, w, arena_printf(ctx->arena, "%ld running jobs lost "
		    "their worker (lease ran out); they run again",
		    (long)q.expired));
	return ERR_OK;
}

/*
 * With ?details=1 (operators, monitoring): the schema's state, the
 * scheduler's last tick and a warning when it has not ticked within
 * SLUICE_SCHEDULER_STALE_S (the worker daemon that runs it is down or
 * stuck), the workers' last heartbeat and the queue.  Never in the plain
 * answer a load balancer polls: the API serves without a scheduler.
 */
static enum err
readyz_details(struct ctx *ctx, struct json_object *o, struct json_object **w)
{
	struct schedule_cfg sc;
	struct json_object *s;
	const char *why;
	long age;
	enum err rc;

	s = json_object_new_object();
	json_object_object_add(o, "schema", s);
	json_object_object_add(s, "state", json_object_new_string("current"));
	json_object_object_add(s, "code_migrations",
	    json_object_new_int(ctx->app->code_migrations));
	json_object_object_add(s, "code_latest",
	    json_object_new_int(ctx->app->code_latest));
	if ((rc = readyz_workers(ctx, o, w)) != ERR_OK)
		return rc;

	if (schedule_cfg_load(ctx->arena, &sc, &why) != ERR_OK)
		sc.enabled = false;
	if ((rc = schedule_beat_age(ctx->db, ctx->arena, &age)) != ERR_OK)
		return rc;
	s = json_object_new_object();
	json_object_object_add(o, "scheduler", s);
	json_object_object_add(s, "enabled",
	    json_object_new_boolean(sc.enabled));
	json_object_object_add(s, "last_tick_age_s", age < 0 ? NULL :
	    json_object_new_int64(age));
	json_object_object_add(s, "stale", json_object_new_boolean(
	    sc.enabled && (age < 0 || age > sc.stale_s)));
	if (!sc.enabled)
		return ERR_OK;
	if (age < 0)
		warn(o, w, "the scheduler has never run: start the worker "
		    "daemon (worker --daemon; make run starts it) or set "
		    "SLUICE_SCHEDULER=0 if cron drives the schedule");
	else if (age > sc.stale_s)
		warn(o, w, arena_printf(ctx->arena, "the scheduler last ran "
		    "%ld s ago: the worker daemon is down or stuck (see its "
		    "log)", age));
	return ERR_OK;
}

/*
 * Ready: the database and migrations, and "warnings" when the API
 * version of a provider with credentials retires within
 * PROVIDER_SUNSET_WARN_DAYS (or has): still ready, but someone must act.
 */
static enum err
readyz_ok(struct ctx *ctx, int count)
{
	const struct provider *const *all;
	struct json_object *o, *w = NULL;
	const char *s, *body, *details = req_query(&ctx->req, "details");
	size_t i, n;
	enum err rc;

	o = jsonx_own(ctx->arena, json_object_new_object());
	json_object_object_add(o, "status", json_object_new_string("ok"));
	json_object_object_add(o, "db", json_object_new_string("ok"));
	json_object_object_add(o, "migrations", json_object_new_int(count));
	if (details != NULL && strcmp(details, "1") == 0 &&
	    (rc = readyz_details(ctx, o, &w)) != ERR_OK)
		return rc;
	all = provider_all(&n);
	for (i = 0; i < n; i++) {
		if (provider_mode(all[i], ctx->cfg) != PROVIDER_REAL ||
		    (s = provider_sunset_warning(all[i], ctx->arena,
		    (long)(time(NULL) / 86400))) == NULL)
			continue;
		warn(o, &w, s);
	}
	body = jsonx_string(ctx->arena, o);
	return resp_body(&ctx->resp, 200, "application/json", body,
	    strlen(body));
}

/* 503 with a reason until the database answers and is migrated. */
static enum err
api_readyz(struct ctx *ctx)
{
	const char *reason = NULL, *db = "ok", *schema = "current";
	int count = 0, latest = 0;
	enum err rc;

	rc = migrate_status(ctx->db, ctx->arena, &count, &latest);
	if (rc == ERR_UNAVAILABLE) {
		db = "down";
		reason = "the database is not reachable";
		schema = "unknown";
	} else if (rc == ERR_NOTFOUND) {
		reason = "the database has no migrations applied";
		schema = "behind";
	} else if (rc != ERR_OK) {
		db = "error";
		reason = "the database answered with an error";
		schema = "unknown";
	} else if (ctx->app->code_migrations < 0) {
		reason = "the migrations directory cannot be read";
		schema = "unknown";
	} else if (latest > ctx->app->code_latest) {
		reason = "the database schema is newer than this code";
		schema = "ahead";
	} else if (count < ctx->app->code_migrations) {
		reason = "migrations are pending";
		schema = "behind";
	}
	resp_header(&ctx->resp, "Cache-Control", "no-store");
	if (reason != NULL) {
		if (rc == ERR_UNAVAILABLE)
			resp_header(&ctx->resp, "Retry-After", "2");
		resp_body(&ctx->resp, 503, "application/json", "", 0);
		buf_printf(&ctx->resp.body, "{\"status\":\"unavailable\","
		    "\"db\":\"%s\",\"migrations\":%d,\"schema\":\"%s\","
		    "\"reason\":\"%s\"}", db, count, schema, reason);
		return ERR_OK;
	}
	return readyz_ok(ctx, count);
}

static int
cli_migrate(struct app *app, struct arena *a)
{
	const char *why = "";
	int applied, total;
	enum err rc;

	rc = migrate_apply(app->db, a, app->cfg.sql_dir, &applied, &total,
	    &why);
	if (rc == ERR_UNAVAILABLE) {
		fprintf(stderr, "api migrate: cannot reach the database: %s\n",
		    db_last_error(app->db));
		return 1;
	}
	if (rc != ERR_OK) {
		fprintf(stderr, "api migrate: %s\n", why);
		return 1;
	}
	/* The reporting views' labels come from the programs' catalogue. */
	if ((rc = reporting_catalogue_refresh(app->db, a)) != ERR_OK) {
		fprintf(stderr, "api migrate: the metric catalogue could not "
		    "be written: %s\n", db_last_error(app->db));
		return 1;
	}
	printf("migrations: %d applied now, %d in all\n", applied, total);
	return 0;
}

static void
rotate_progress(const struct vault_counts *c)
{
	fprintf(stderr, "rotate-keys: %ld re-sealed, %ld skipped, %ld failed "
	    "so far\n", c->resealed, c->skipped, c->failed);
}

static int
cli_rotate(struct app *app, int argc, char **argv)
{
	struct vault_counts c;
	long batch = LIMIT_ROTATE_BATCH;
	enum err rc;

	if (app->keys == NULL) {
		fprintf(stderr, "api rotate-keys: set SLUICE_ENCRYPTION_KEYS, "
		    "new key first, then the old ones\n");
		return 1;
	}
	if (argc > 2 && (batch = strtol(argv[2], NULL, 10)) < 1) {
		fprintf(stderr, "api rotate-keys: the batch size must be a "
		    "positive number\n");
		return 2;
	}
	rc = vault_rotate(app->db, app->keys, batch, rotate_progress, &c);
	printf("rotate-keys: %ld re-sealed, %ld skipped, %ld failed "
	    "(current key %s)\n", c.resealed, c.skipped, c.failed,
	    crypto_keyring_current(app->keys));
	if (rc != ERR_OK) {
		fprintf(stderr, "api rotate-keys: stopped: %s; run it again "
		    "to resume\n", db_last_error(app->db));
		return 1;
	}
	return c.failed > 0 ? 1 : 0;
}

static int
cli_create_key(struct app *app, struct arena *a, int argc, char **argv)
{
	const char *key;
	int64_t id;
	enum err rc;

	if (argc < 4) {
		fprintf(stderr, "usage: api create-key WORKSPACE_ID NAME "
		    "[admin|viewer]\n");
		return 2;
	}
	rc = apikey_create(app->db, a, strtoll(argv[2], NULL, 10), 0,
	    argv[3], argc > 4 ? argv[4] : "admin", &key, &id);
	if (rc != ERR_OK) {
		fprintf(stderr, "api create-key: %s\n", rc == ERR_INPUT ?
		    "the workspace must exist, the name be 1-100 bytes and the "
		    "role admin or viewer" :
		    db_last_error(app->db));
		return 1;
	}
	/* Shown once: only its hash is stored. */
	printf("%s\n", key);
	return 0;
}

static int
cli(struct app *app, int argc, char **argv)
{
	struct arena a;
	int status;

	arena_init(&a);
	if (strcmp(argv[1], "migrate") == 0)
		status = cli_migrate(app, &a);
	else if (strcmp(argv[1], "rotate-keys") == 0)
		status = cli_rotate(app, argc, argv);
	else if (strcmp(argv[1], "create-key") == 0)
		status = cli_create_key(app, &a, argc, argv);
	else {
		fprintf(stderr, "api: unknown command %s; see --help\n",
		    argv[1]);
		status = 2;
	}
	arena_free(&a);
	return status;
}

int
main(int argc, char *argv[])
{
	static const struct app_def def = {
		"api", routes, nitems(routes), cli,
		"  api migrate                  apply pending migrations\n"
		"  api rotate-keys [BATCH]      re-seal tokens under the first "
		"key\n"
		"  api create-key WS NAME [ROLE] make an API key (shown once)\n",
	};

	return app_main(&def, argc, argv);
}
