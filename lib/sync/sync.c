/* sync.c — one sync job: fetch, normalise, upsert, record. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/config.h"
#include "base/day.h"
#include "base/jsonx.h"
#include "base/limit.h"
#include "base/log.h"
#include "base/mem.h"
#include "connections/connection.h"
#include "connections/token.h"
#include "metrics/ingest.h"
#include "net/httpc.h"
#include "providers/accounts.h"
#include "providers/oauth.h"
#include "providers/pcall.h"
#include "providers/provider.h"
#include "providers/syncnorm.h"
#include "store/db.h"
#include "sync/sync.h"
#include "sync/syncq.h"

/* The connection, and a run started for it (none when it is gone). */
static const char sql_start[] =
	"WITH c AS (SELECT c.provider, c.status, c.selected::text, "
	"c.accounts::text, c.last_sync_at IS NULL, w.time_zone, c.api_base "
	"FROM connections c JOIN workspaces w ON w.id = c.workspace_id "
	"WHERE c.workspace_id = $1 AND c.id = $2), "
	"r AS (INSERT INTO sync_runs (workspace_id, connection_id, job_id, "
	"provider) SELECT $1, $2, $3, provider FROM c RETURNING id) "
	"SELECT c.*, r.id FROM c, r";
/* An earlier attempt of the job whose worker died (its lease ran out). */
static const char sql_run_lost[] =
	"UPDATE sync_runs SET status = 'error', finished_at = now(), "
	"duration_ms = floor(extract(epoch FROM now() - started_at) * 1000), "
	"error = 'the worker stopped before the end (lease ran out)' "
	"WHERE job_id = $1 AND finished_at IS NULL";
/* The run's end and the connection's last sync or error, together. */
#define RUN_END \
	"WITH r AS (UPDATE sync_runs SET finished_at = clock_timestamp(), " \
	"status = $2, pages = $3, rows_fetched = $4, rows_changed = $5, " \
	"duration_ms = floor(extract(epoch FROM clock_timestamp() - " \
	"started_at) * 1000), error = $6 WHERE id = $1) "
static const char sql_end_ok[] =
	RUN_END "UPDATE connections SET last_sync_at = now(), last_error = "
	"NULL WHERE workspace_id = $7 AND id = $8";
static const char sql_end_err[] =
	RUN_END "UPDATE connections SET last_error = $6 "
	"WHERE workspace_id = $7 AND id = $8";
/* Today and the window's first day in a time zone. */
static const char sql_window[] =
	"SELECT to_char(d - ($2::int - 1), 'YYYY-MM-DD'), "
	"to_char(d, 'YYYY-MM-DD') FROM (SELECT (now() AT TIME ZONE $1)::date "
	"AS d) t";
static const char sql_care[] =
	"SELECT workspace_id, id, provider, coalesce(token_expires_at < "
	"now() + interval '1 hour', false) FROM connections WHERE status = "
	"'connected' AND token_blob IS NOT NULL AND (token_expires_at < "
	"now() + interval '1 hour' OR greatest(last_sync_at, last_tested_at, "
	"created_at) < now() - interval '1 day') ORDER BY token_expires_at "
	"NULLS LAST LIMIT $1";

/* Slack: continue from the newest stored message, less the restatement
 * window (edits and replies); the first time, the backfill window. */
static const char sql_comm_oldest[] =
	"SELECT coalesce(to_char(greatest(max(ts::numeric) - $3::int * 86400, "
	"0), 'FM9999999999990.000000'), to_char(extract(epoch FROM now()) - "
	"$3::int * 86400, 'FM9999999999990')) FROM communications "
	"WHERE connection_id = $1 AND channel_id = $2";
static const char sql_comm_upsert[] =
	"WITH up AS (INSERT INTO communications AS c (workspace_id, "
	"connection_id, channel_id, ts, thread_ts, user_id, text, reply_count, "
	"posted_at, raw) SELECT $1::bigint, $2::bigint, s.c, s.t, s.th, s.u, "
	"s.x, s.r, to_timestamp(s.t::numeric), s.j FROM unnest($3::text[], "
	"$4::text[], $5::text[], $6::text[], $7::text[], $8::int[], "
	"$9::jsonb[]) AS s(c, t, th, u, x, r, j) "
	"ON CONFLICT (workspace_id, channel_id, ts) DO UPDATE SET "
	"thread_ts = EXCLUDED.thread_ts, text = EXCLUDED.text, reply_count = "
	"EXCLUDED.reply_count, raw = EXCLUDED.raw WHERE c.text IS DISTINCT "
	"FROM EXCLUDED.text OR c.reply_count IS DISTINCT FROM "
	"EXCLUDED.reply_count OR c.thread_ts IS DISTINCT FROM "
	"EXCLUDED.thread_ts RETURNING 1) SELECT count(*) FROM up";
static const char sql_comm_daily[] =
	"SELECT to_char(posted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'), count(*) "
	"FROM communications WHERE connection_id = $1 AND channel_id = $2 AND "
	"posted_at >= $3::date GROUP BY 1 ORDER BY 1";

/* One run in progress. */
struct run {
	const struct sync_env	*env;
	struct arena		*a;
	const struct syncq_job	*job;
	const struct provider	*p;
	struct oauth_tokens	 tok;
	bool			 refreshed;	/* forced once */
	bool			 first;		/* backfill */
	const char		*ws_tz;		/* workspace's */
	struct json_object	*accounts;	/* as listed */
	const char		*api_base;	/* Mailchimp's */
	long			 days;		/* the window */
	long			 pages;
	long			 fetched;
	long			 changed;
	int			 retry_after;	/* rate limit */
	const char		*tz_cached;	/* window() */
	const char		*today_cached;
	int64_t			 extended;	/* lease, when */
	const char		*page_token;	/* a Page's */
	const char		*why;
};

enum err
sync_env_load(struct arena *a, struct sync_env *e, const char **why)
{
	const struct config_long vars[] = {
		{ "SLUICE_SYNC_LEASE_S", 300, 2, 86400, &e->lease_s },
		{ "SLUICE_SYNC_BACKFILL_DAYS", 90, 1, 3650, &e->backfill_days },
		{ "SLUICE_SYNC_RESTATE_DAYS", 0, 0, 3650, &e->restate_days },
		{ "SLUICE_SYNC_MAX_ATTEMPTS", 5, 1, 100, &e->max_attempts },
		{ "SLUICE_SYNC_BACKOFF_S", 30, 0, 86400, &e->backoff_s },
		{ "SLUICE_SYNC_BACKOFF_MAX_S", 3600, 1, 86400,
		    &e->backoff_max_s },
	};

	return config_longs(a, vars, nitems(vars), why);
}

/*
 * One provider call with the token attached: a 401 refreshes the token
 * once and tries again; the lease is extended after every call.
 */
static enum err
call(struct run *r, struct pcall *c, struct pcall_result *out)
{
	const char *why;
	enum err rc;

	pcall_provider_headers(r->p, c);
	for (;;) {
		c->token = r->page_token != NULL ? r->page_token :
		    r->tok.access_token;
		rc = pcall_json(r->env->http, r->a, r->p, c, out);
		r->pages++;
		if (rc != ERR_AUTH || r->refreshed)
			break;
		r->refreshed = true;
		rc = token_get(&(struct token_env){ r->env->db, r->env->http,
		    r->env->keys, r->env->cfg }, r->a, r->job->workspace_id,
		    r->job->connection_id, true, 0, &r->tok, &why);
		if (rc != ERR_OK) {
			r->why = why != NULL ? why : "the token refresh failed";
			return rc;
		}
	}
	if (rc != ERR_OK) {
		r->why = out->why;
		r->retry_after = out->retry_after;
		return rc;
	}
	/* The lease is extended once a third of it has passed. */
	if ((int64_t)time(NULL) - r->extended >= r->env->lease_s / 3) {
		if (syncq_extend(r->env->db, r->a, r->job->id, r->env->worker,
		    (int)r->env->lease_s) != ERR_OK) {
			r->why = "the lease was lost";
			return ERR_CONFLICT;
		}
		r->extended = (int64_t)time(NULL);
	}
	return ERR_OK;
}


/* The window's first and last day (YYYY-MM-DD) in time zone tz (the
 * workspace's when NULL; UTC when PostgreSQL does not know it). */
static enum err
window(struct run *r, const char *tz, long days, const char **from,
    const char **to)
{
	const char *p[2];
	struct db_res *res;
	enum err rc;

	p[0] = tz != NULL ? tz : r->ws_tz;
	p[1] = "1";
	if (r->tz_cached == NULL || strcmp(r->tz_cached, p[0]) != 0) {
		rc = db_exec_static(r->env->db, r->a, sql_window, 2, p, &res);
		if (rc == ERR_INPUT) {	/* a zone unknown to PostgreSQL */
			p[0] = "UTC";
			rc = db_exec_static(r->env->db, r->a, sql_window, 2, p,
			    &res);
		}
		if (rc != ERR_OK)
			return rc;
		r->tz_cached = arena_strdup(r->a, tz != NULL ? tz : r->ws_tz);
		r->today_cached = db_get(res, 0, 1);
	}
	*to = r->today_cached;
	*from = day_add(r->a, *to, -(days - 1));
	return ERR_OK;
}

/* Writes the rows in batches, one transaction each. */
static enum err
flush(struct run *r, struct syncnorm *n)
{
	struct ingest_batch b;
	const char *json;
	size_t off, k;
	bool replayed;
	int status;
	enum err rc;
	long ins, upd;

	r->fetched += (long)n->n;
	for (off = 0; off < n->n; off += k) {
		k = n->n - off < LIMIT_SYNC_BATCH ? n->n - off :
		    LIMIT_SYNC_BATCH;
		memset(&b, 0, sizeof(b));
		b.rows = n->rows + off;
		b.nrows = k;
		b.has_dims = n->has_dims;
		b.fresh = r->first;
		rc = ingest_commit(r->env->db, r->a, r->job->workspace_id,
		    NULL, NULL, &b, &status, &json, &replayed);
		if (rc != ERR_OK) {
			r->why = "the rows could not be stored";
			return rc;
		}
		if (sscanf(json, "{\"inserted\":%ld,\"updated\":%ld", &ins,
		    &upd) == 2)
			r->changed += ins + upd;
	}
	n->n = 0;
	return ERR_OK;
}

/* The listed account with this id (its time_zone, currency), or NULL. */
static struct json_object *
account(struct run *r, const char *id)
{
	struct json_object *o, *v;
	size_t i;

	for (i = 0; r->accounts != NULL &&
	    i < json_object_array_length(r->accounts); i++) {
		o = json_object_array_get_idx(r->accounts, i);
		if (json_object_object_get_ex(o, "id", &v) &&
		    strcmp(json_object_get_string(v), id) == 0)
			return o;
	}
	return NULL;
}

static const char *
account_str(struct run *r, const char *id, const char *key)
{
	return jsonx_str(account(r, id), key);
}

/* Seconds since the epoch of 00:00 UTC on day (YYYY-MM-DD). */
static int64_t
epoch_of(const char *day)
{
	int64_t n;

	return day_scan(day, &n) ? n * DAY_SECONDS : 0;
}

static const char *
base(struct run *r, enum provider_url which)
{
	return provider_url(r->p, which, r->env->cfg, r->a);
}

/* --- GA4 ------------------------------------------------------------ */

static const char ga4_daily[] =
	"{\"dateRanges\":[{\"startDate\":\"%lddaysAgo\",\"endDate\":"
	"\"today\"}],\"dimensions\":[{\"name\":\"date\"}],\"metrics\":["
	"{\"name\":\"sessions\"},{\"name\":\"totalUsers\"},"
	"{\"name\":\"activeUsers\"},{\"name\":\"newUsers\"},"
	"{\"name\":\"screenPageViews\"},{\"name\":\"engagedSessions\"},"
	"{\"name\":\"averageSessionDuration\"},{\"name\":\"keyEvents\"},"
	"{\"name\":\"totalRevenue\"}],\"orderBys\":[{\"dimension\":"
	"{\"dimensionName\":\"date\"}}],\"limit\":%ld,\"offset\":%ld}";
static const char ga4_total[] =
	"{\"dateRanges\":[{\"startDate\":\"%s\",\"endDate\":\"%s\"}],"
	"\"metrics\":[{\"name\":\"activeUsers\"},{\"name\":\"totalUsers\"}]}";

static enum err
fetch_ga4(struct run *r, struct syncnorm *n, const char *prop)
{
	static const int periods[] = { 7, 28, 90 };
	struct pcall c;
	struct pcall_result res;
	struct json_object *rc_v;
	const char *url, *from, *to, *tz;
	long off = 0, page_rows, total;
	size_t before;
	enum err rc;
	int i;

	/* Rows a page (GA4's default 10,000; smaller to test paging). */
	page_rows = strtol(config_env("SLUICE_SYNC_GA4_PAGE_ROWS", "10000"),
	    NULL, 10);
	if (page_rows < 1 || page_rows > 100000)
		page_rows = 10000;
	url = arena_printf(r->a, "%s/properties/%s:runReport",
	    base(r, PROVIDER_API_BASE2), prop);
	for (;;) {
		memset(&c, 0, sizeof(c));
		c.method = "POST";
		c.url = url;
		c.body = arena_printf(r->a, ga4_daily, r->days - 1, page_rows,
		    off);
		if ((rc = call(r, &c, &res)) != ERR_OK)
			return rc;
		before = n->n;
		if ((rc = syncnorm_ga4(n, res.json)) != ERR_OK) {
			r->why = n->why;
			return rc;
		}
		total = json_object_object_get_ex(res.json, "rowCount", &rc_v) ?
		    (long)json_object_get_int64(rc_v) : 0;
		off += page_rows;
		if (off >= total || n->n == before || r->pages >
		    LIMIT_SYNC_PAGES)
			break;
	}
	/* The provider's own totals of users, periods ending today. */
	tz = account_str(r, prop, "time_zone");
	for (i = 0; i < 3; i++) {
		if ((rc = window(r, tz, periods[i], &from, &to)) != ERR_OK)
			return rc;
		memset(&c, 0, sizeof(c));
		c.method = "POST";
		c.url = url;
		c.body = arena_printf(r->a, ga4_total, from, to);
		if ((rc = call(r, &c, &res)) != ERR_OK)
			return rc;
		if ((rc = syncnorm_ga4_totals(n, res.json, periods[i], to)) !=
		    ERR_OK) {
			r->why = n->why;
			return rc;
		}
	}
	return ERR_OK;
}

/* --- Google Ads ------------------------------------------------------ */

static enum err
fetch_google_ads(struct run *r, struct syncnorm *n, const char *cust)
{
	struct pcall c;
	struct pcall_result res;
	struct json_object *cu, *v;
	const char *url, *tz = NULL, *cur = NULL, *from, *to;
	enum err rc;

	url = arena_printf(r->a, "%s/customers/%s/googleAds:searchStream",
	    base(r, PROVIDER_API_BASE), cust);
	memset(&c, 0, sizeof(c));
	c.method = "POST";
	c.url = url;
	c.body = "{\"query\":\"SELECT customer.id, customer.currency_code, "
	    "customer.time_zone, customer.manager FROM customer\"}";
	if ((rc = call(r, &c, &res)) != ERR_OK)
		return rc;
	if (json_object_is_type(res.json, json_type_array) &&
	    json_object_object_get_ex(json_object_array_get_idx(res.json, 0),
	    "results", &v) && (cu = json_object_array_get_idx(v, 0)) != NULL &&
	    json_object_object_get_ex(cu, "customer", &cu)) {
		if (json_object_object_get_ex(cu, "timeZone", &v))
			tz = json_object_get_string(v);
		if (json_object_object_get_ex(cu, "currencyCode", &v))
			cur = json_object_get_string(v);
		/* A manager has no metrics of its own: its clients do. */
		if (json_object_object_get_ex(cu, "manager", &v) &&
		    json_object_get_boolean(v))
			return ERR_OK;
	}
	if ((rc = window(r, tz, r->days, &from, &to)) != ERR_OK)
		return rc;
	memset(&c, 0, sizeof(c));
	c.method = "POST";
	c.url = url;
	c.body = arena_printf(r->a, "{\"query\":\"SELECT segments.date, "
	    "campaign.id, campaign.name, metrics.impressions, metrics.clicks, "
	    "metrics.cost_micros, metrics.conversions, "
	    "metrics.conversions_value FROM campaign WHERE segments.date "
	    "BETWEEN '%s' AND '%s' ORDER BY segments.date\"}", from, to);
	if ((rc = call(r, &c, &res)) != ERR_OK)
		return rc;
	if ((rc = syncnorm_google_ads(n, res.json, cust, cur)) != ERR_OK)
		r->why = n->why;
	return rc;
}

/* --- YouTube --------------------------------------------------------- */

static enum err
fetch_youtube(struct run *r, struct syncnorm *n, const char *chan)
{
	struct pcall c;
	struct pcall_result res;
	const char *from, *to;
	enum err rc;

	/* YouTube's days are Pacific. */
	if ((rc = window(r, "America/Los_Angeles", r->days, &from, &to)) !=
	    ERR_OK)
		return rc;
	memset(&c, 0, sizeof(c));
	c.url = arena_printf(r->a, "%s/reports?ids=channel%%3D%%3D%s&"
	    "startDate=%s&endDate=%s&metrics=views,estimatedMinutesWatched,"
	    "subscribersGained,subscribersLost,likes,comments,shares&"
	    "dimensions=day&sort=day", base(r, PROVIDER_API_BASE2),
	    httpc_escape(r->a, chan), from, to);
	if ((rc = call(r, &c, &res)) != ERR_OK)
		return rc;
	if ((rc = syncnorm_youtube(n, res.json)) != ERR_OK)
		return r->why = n->why, rc;
	memset(&c, 0, sizeof(c));
	c.url = arena_printf(r->a, "%s/channels?part=statistics&id=%s",
	    base(r, PROVIDER_API_BASE), httpc_escape(r->a, chan));
	if ((rc = call(r, &c, &res)) != ERR_OK)
		return rc;
	if ((rc = syncnorm_youtube_channel(n, res.json, to)) != ERR_OK)
		r->why = n->why;
	return rc;
}

/* --- Facebook, Instagram, Meta Ads ---------------------------------- */

/* Graph's error code 100: a metric of the list is not (any more) valid. */
static bool
invalid_metric(const struct pcall_result *res)
{
	return res->resp.status == 400 && res->resp.body != NULL &&
	    strstr(res->resp.body, "\"code\":100") != NULL;
}

/*
 * Page or Instagram insights for the metrics in list: a removed metric
 * fails the whole call, so on code 100 each metric is asked alone and
 * the refused ones are left out (and logged).
 */
static enum err
meta_insights(struct run *r, const char *urlfmt_base, const char *const *list,
    size_t nlist, struct json_object **out, size_t *nout)
{
	struct pcall c;
	struct pcall_result res;
	struct buf *all;
	size_t i;
	enum err rc;

	*nout = 0;
	all = buf_new_arena(r->a, LIMIT_SYNC_METRIC_LIST);
	for (i = 0; i < nlist; i++)
		buf_printf(all, "%s%s", i ? "," : "", list[i]);
	memset(&c, 0, sizeof(c));
	c.url = arena_printf(r->a, "%s&metric=%s", urlfmt_base, buf_cstr(all));
	rc = call(r, &c, &res);
	if (rc == ERR_OK) {
		out[(*nout)++] = res.json;
		return ERR_OK;
	}
	if (!invalid_metric(&res))
		return rc;
	for (i = 0; i < nlist; i++) {
		memset(&c, 0, sizeof(c));
		c.url = arena_printf(r->a, "%s&metric=%s", urlfmt_base,
		    list[i]);
		rc = call(r, &c, &res);
		if (rc == ERR_OK)
			out[(*nout)++] = res.json;
		else if (invalid_metric(&res))
			log_msg(LOG_WARN, NULL, "sync", "%s: metric %s was "
			    "refused; left out", r->p->name, list[i]);
		else
			return rc;
	}
	if (*nout == 0) {
		r->why = arena_printf(r->a, "%s refused every insights metric "
		    "(removed by the provider?)", r->p->name);
		return ERR_UPSTREAM;
	}
	r->why = NULL;
	return ERR_OK;
}

static const char *
graph(struct run *r)
{
	return base(r, PROVIDER_API_BASE);	/* version included */
}

/*
 * Page insights cover since..until-1 (Pacific days), at most 90 days a
 * call: the window in chunks, today included.
 */
static enum err
fetch_facebook(struct run *r, struct syncnorm *n, const char *page)
{
	static const char *const metrics[] = { "page_media_view",
	    "page_total_media_view_unique", "page_post_engagements",
	    "page_views_total", "page_follows" };
	struct json_object *got[8], *v;
	struct pcall c;
	struct pcall_result res;
	const char *from, *to, *since, *until, *end;
	size_t ngot, i;
	enum err rc;

	if ((rc = window(r, "America/Los_Angeles", r->days, &from, &to)) !=
	    ERR_OK)
		return rc;
	/* Page insights want the Page's token: asked with the user's. */
	memset(&c, 0, sizeof(c));
	c.url = arena_printf(r->a, "%s/%s?fields=access_token", graph(r),
	    page);
	rc = call(r, &c, &res);
	if (rc == ERR_RATELIMIT || rc == ERR_AUTH || rc == ERR_CONFLICT)
		return rc;
	r->why = NULL;	/* otherwise the user's token it is */
	if (rc == ERR_OK &&
	    json_object_object_get_ex(res.json, "access_token", &v) &&
	    json_object_is_type(v, json_type_string))
		r->page_token = json_object_get_string(v);
	end = day_add(r->a, to, 1);
	for (since = from; strcmp(since, end) < 0; since = until) {
		until = day_add(r->a, since, 90);
		if (strcmp(until, end) > 0)
			until = end;
		if ((rc = meta_insights(r, arena_printf(r->a, "%s/%s/insights?"
		    "period=day&since=%s&until=%s", graph(r), page, since,
		    until), metrics, 5, got, &ngot)) != ERR_OK)
			return rc;
		for (i = 0; i < ngot; i++)
			if ((rc = syncnorm_facebook(n, got[i])) != ERR_OK)
				return r->why = n->why, rc;
	}
	return ERR_OK;
}

/*
 * Instagram: reach as a daily series; views, interactions and profile
 * views only as total_value (one number per window), so one call a day;
 * reach totals for 7 and 28 days; followers from the user.
 */
static enum err
fetch_instagram(struct run *r, struct syncnorm *n, const char *ig)
{
	static const char *const series[] = { "reach" };
	static const char *const totals[] = { "views", "total_interactions",
	    "profile_views" };
	static const char *const reach[] = { "reach" };
	static const int periods[] = { 7, 28 };
	struct pcall c;
	struct pcall_result res;
	struct json_object *got[8];
	const char *from, *to, *day;
	size_t ngot, i;
	enum err rc;

	if ((rc = window(r, "America/Los_Angeles", r->days, &from, &to)) !=
	    ERR_OK)
		return rc;
	if ((rc = meta_insights(r, arena_printf(r->a, "%s/%s/insights?"
	    "period=day&since=%s&until=%s", graph(r), ig, from,
	    day_add(r->a, to, 1)), series, 1, got, &ngot)) != ERR_OK)
		return rc;
	for (i = 0; i < ngot; i++)
		if ((rc = syncnorm_instagram(n, got[i], NULL, 0)) != ERR_OK)
			return r->why = n->why, rc;
	for (day = from; strcmp(day, to) <= 0; day = day_add(r->a, day, 1)) {
		if ((rc = meta_insights(r, arena_printf(r->a, "%s/%s/insights?"
		    "period=day&metric_type=total_value&since=%s&until=%s",
		    graph(r), ig, day, day_add(r->a, day, 1)), totals, 3, got,
		    &ngot)) != ERR_OK)
			return rc;
		for (i = 0; i < ngot; i++)
			if ((rc = syncnorm_instagram(n, got[i], day, 0)) !=
			    ERR_OK)
				return r->why = n->why, rc;
	}
	for (i = 0; i < 2; i++) {
		if ((rc = meta_insights(r, arena_printf(r->a, "%s/%s/insights?"
		    "period=day&metric_type=total_value&since=%s&until=%s",
		    graph(r), ig, day_add(r->a, to, 1 - periods[i]),
		    day_add(r->a, to, 1)), reach, 1, got, &ngot)) != ERR_OK)
			return rc;
		if ((rc = syncnorm_instagram(n, got[0], to, periods[i])) !=
		    ERR_OK)
			return r->why = n->why, rc;
	}
	memset(&c, 0, sizeof(c));
	c.url = arena_printf(r->a, "%s/%s?fields=followers_count,media_count,"
	    "username", graph(r), ig);
	if ((rc = call(r, &c, &res)) != ERR_OK)
		return rc;
	if ((rc = syncnorm_instagram_user(n, res.json, to)) != ERR_OK)
		r->why = n->why;
	return rc;
}

static enum err
fetch_meta_ads(struct run *r, struct syncnorm *n, const char *act)
{
	struct pcall c;
	struct pcall_result res;
	struct json_object *v;
	const char *from, *to, *url;
	long page;
	enum err rc;

	if ((rc = window(r, account_str(r, act, "time_zone"), r->days, &from,
	    &to)) != ERR_OK)
		return rc;
	url = arena_printf(r->a, "%s/%s/insights?level=campaign&"
	    "time_increment=1&time_range=%s&fields=campaign_id,campaign_name,"
	    "impressions,reach,clicks,spend,actions&limit=500", graph(r),
	    httpc_escape(r->a, act), httpc_escape(r->a, arena_printf(r->a,
	    "{\"since\":\"%s\",\"until\":\"%s\"}", from, to)));
	for (page = 0; url != NULL && page < LIMIT_SYNC_PAGES; page++) {
		memset(&c, 0, sizeof(c));
		c.url = url;
		if ((rc = call(r, &c, &res)) != ERR_OK)
			return rc;
		if ((rc = syncnorm_meta_ads(n, res.json, account_str(r, act,
		    "currency"))) != ERR_OK)
			return r->why = n->why, rc;
		url = NULL;
		if (json_object_object_get_ex(res.json, "paging", &v) &&
		    json_object_object_get_ex(v, "next", &v))
			url = json_object_get_string(v);
	}
	return ERR_OK;
}

/* --- LinkedIn -------------------------------------------------------- */

static enum err
fetch_linkedin(struct run *r, struct syncnorm *n, const char *org)
{
	struct pcall c;
	struct pcall_result res;
	const char *from, *to, *urn;
	enum err rc;

	if ((rc = window(r, "UTC", r->days, &from, &to)) != ERR_OK)
		return rc;
	urn = httpc_escape(r->a, arena_printf(r->a, "urn:li:organization:%s",
	    org));
	memset(&c, 0, sizeof(c));
	/* The interval ends tomorrow 00:00 UTC so today is in it. */
	c.url = arena_printf(r->a, "%s/organizationalEntityShareStatistics?"
	    "q=organizationalEntity&organizationalEntity=%s&timeIntervals="
	    "(timeRange:(start:%lld000,end:%lld000),timeGranularityType:DAY)",
	    base(r, PROVIDER_API_BASE), urn, (long long)epoch_of(from),
	    (long long)epoch_of(to) + DAY_SECONDS);
	if ((rc = call(r, &c, &res)) != ERR_OK)
		return rc;
	if ((rc = syncnorm_linkedin(n, res.json)) != ERR_OK)
		return r->why = n->why, rc;
	memset(&c, 0, sizeof(c));
	c.url = arena_printf(r->a, "%s/networkSizes/%s?edgeType="
	    "COMPANY_FOLLOWED_BY_MEMBER", base(r, PROVIDER_API_BASE), urn);
	if ((rc = call(r, &c, &res)) != ERR_OK)
		return rc;
	if ((rc = syncnorm_linkedin_followers(n, res.json, to)) != ERR_OK)
		r->why = n->why;
	return rc;
}

/* --- Mailchimp ------------------------------------------------------- */

static enum err
fetch_mailchimp(struct run *r, struct syncnorm *n, const char *list)
{
	struct pcall c;
	struct pcall_result res;
	const char *from, *to, *api;
	size_t count;
	long off = 0, page;
	enum err rc;

	if ((rc = window(r, r->ws_tz, r->days, &from, &to)) != ERR_OK)
		return rc;
	n->from = from;
	api = r->tok.api_base != NULL ? r->tok.api_base : r->api_base;
	if (api == NULL) {
		r->why = "Mailchimp: the account's datacenter is unknown";
		return ERR_CONFLICT;
	}
	/* Newest day first, 100 a page, until the window is covered. */
	for (page = 0; page < LIMIT_SYNC_PAGES && off < r->days + 1; page++) {
		memset(&c, 0, sizeof(c));
		c.url = arena_printf(r->a, "%s/3.0/lists/%s/activity?count=100&"
		    "offset=%ld", api, httpc_escape(r->a, list), off);
		if ((rc = call(r, &c, &res)) != ERR_OK)
			return rc;
		if ((rc = syncnorm_mailchimp(n, res.json, &count)) != ERR_OK)
			return r->why = n->why, rc;
		if (count < 100)
			break;
		off += 100;
	}
	/* Campaign totals on their send days: they grow for about a week
	 * after the send, so at least the last 14 days are asked again. */
	if ((rc = window(r, r->ws_tz, r->days > 14 ? r->days : 14, &from,
	    &to)) != ERR_OK)
		return rc;
	n->from = from;
	for (off = 0, page = 0; page < LIMIT_SYNC_PAGES; page++) {
		memset(&c, 0, sizeof(c));
		c.url = arena_printf(r->a, "%s/3.0/reports?type=regular&"
		    "count=100&offset=%ld&since_send_time=%sT00%%3A00%%3A00"
		    "%%2B00%%3A00", api, off, from);
		if ((rc = call(r, &c, &res)) != ERR_OK)
			return rc;
		if ((rc = syncnorm_mailchimp_reports(n, res.json, list,
		    &count)) != ERR_OK)
			return r->why = n->why, rc;
		if (count < 100)
			break;
		off += 100;
	}
	return ERR_OK;
}

/* --- GitHub ---------------------------------------------------------- */

static enum err
fetch_github(struct run *r, struct syncnorm *n, const char *repo)
{
	static const char *const kinds[] = { "views", "clones" };
	struct pcall c;
	struct pcall_result res;
	const char *from, *to;
	size_t i;
	enum err rc;

	if ((rc = window(r, "UTC", r->days, &from, &to)) != ERR_OK)
		return rc;
	n->from = from;
	for (i = 0; i < 2; i++) {
		memset(&c, 0, sizeof(c));
		c.url = arena_printf(r->a, "%s/repos/%s/traffic/%s?per=day",
		    base(r, PROVIDER_API_BASE), repo, kinds[i]);
		if ((rc = call(r, &c, &res)) != ERR_OK)
			return rc;
		if ((rc = syncnorm_github_traffic(n, res.json, kinds[i], to)) !=
		    ERR_OK)
			return r->why = n->why, rc;
	}
	memset(&c, 0, sizeof(c));
	c.url = arena_printf(r->a, "%s/repos/%s", base(r, PROVIDER_API_BASE),
	    repo);
	if ((rc = call(r, &c, &res)) != ERR_OK)
		return rc;
	if ((rc = syncnorm_github_repo(n, res.json, to)) != ERR_OK)
		r->why = n->why;
	return rc;
}

/* --- Slack ----------------------------------------------------------- */

/* Appends s as an element of a PostgreSQL array literal. */
static void
elem(struct buf *b, const char *s, bool first)
{
	if (!first)
		buf_putc(b, ',');
	if (s == NULL) {
		buf_puts(b, "NULL");
		return;
	}
	buf_putc(b, '"');
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			buf_putc(b, '\\');
		buf_putc(b, *s);
	}
	buf_putc(b, '"');
}

/* Stores messages (new ones inserted, edited ones updated). */
static enum err
store_msgs(struct run *r, const struct syncnorm_msgs *m)
{
	struct buf *col[7];
	const char *p[9];
	struct db_res *res;
	size_t i;
	int k;
	enum err rc;

	if (m->n == 0)
		return ERR_OK;
	for (k = 0; k < 7; k++) {
		col[k] = buf_new_arena(r->a, LIMIT_SYNC_MSG_COLUMN);
		buf_putc(col[k], '{');
	}
	for (i = 0; i < m->n; i++) {
		elem(col[0], m->v[i].channel, i == 0);
		elem(col[1], m->v[i].ts, i == 0);
		elem(col[2], m->v[i].thread_ts, i == 0);
		elem(col[3], m->v[i].user, i == 0);
		elem(col[4], m->v[i].text, i == 0);
		elem(col[5], arena_printf(r->a, "%ld", m->v[i].reply_count),
		    i == 0);
		elem(col[6], m->v[i].raw, i == 0);
	}
	p[0] = db_int64(r->a, r->job->workspace_id);
	p[1] = db_int64(r->a, r->job->connection_id);
	for (k = 0; k < 7; k++) {
		if (buf_putc(col[k], '}') != ERR_OK) {
			r->why = "Slack: too many messages at once";
			return ERR_TOOBIG;
		}
		p[k + 2] = buf_cstr(col[k]);
	}
	if ((rc = db_exec(r->env->db, r->a, sql_comm_upsert, 9, p, &res)) !=
	    ERR_OK) {
		r->why = "the messages could not be stored";
		return rc;
	}
	r->fetched += (long)m->n;
	r->changed += (long)db_get_int64(res, 0, 0, 0);
	return ERR_OK;
}

static enum err
fetch_slack(struct run *r, struct syncnorm *n, const char *chan)
{
	struct pcall c;
	struct pcall_result res;
	struct syncnorm_msgs m, thread;
	struct db_res *dr;
	const char *p[4], *cursor = NULL, *oldest, *from, *to, *tc;
	long page, calls = 0;
	size_t i, before;
	enum err rc;

	if ((rc = window(r, "UTC", r->days, &from, &to)) != ERR_OK)
		return rc;
	p[0] = db_int64(r->a, r->job->connection_id);
	p[1] = chan;
	p[2] = db_int64(r->a, r->days);
	if ((rc = db_exec(r->env->db, r->a, sql_comm_oldest, 3, p, &dr)) !=
	    ERR_OK)
		return rc;
	oldest = db_get(dr, 0, 0);
	memset(&m, 0, sizeof(m));
	for (page = 0; page < LIMIT_SYNC_PAGES; page++) {
		memset(&c, 0, sizeof(c));
		c.url = arena_printf(r->a, "%s/conversations.history?"
		    "channel=%s&oldest=%s&limit=200%s%s",
		    base(r, PROVIDER_API_BASE),
		    httpc_escape(r->a, chan), oldest, cursor ? "&cursor=" : "",
		    cursor ? httpc_escape(r->a, cursor) : "");
		if ((rc = call(r, &c, &res)) != ERR_OK)
			return rc;
		before = m.n;
		if ((rc = syncnorm_slack(n, res.json, chan, false, &m,
		    &cursor)) != ERR_OK)
			return r->why = n->why, rc;
		/* Thread replies of the page's parents. */
		for (i = before; i < m.n && calls < LIMIT_SYNC_PAGES; i++) {
			if (m.v[i].reply_count <= 0)
				continue;
			memset(&thread, 0, sizeof(thread));
			memset(&c, 0, sizeof(c));
			c.url = arena_printf(r->a, "%s/conversations.replies?"
			    "channel=%s&ts=%s&limit=200", base(r,
			    PROVIDER_API_BASE), httpc_escape(r->a, chan),
			    m.v[i].ts);
			calls++;
			if ((rc = call(r, &c, &res)) != ERR_OK)
				return rc;
			if ((rc = syncnorm_slack(n, res.json, chan, true,
			    &thread, &tc)) != ERR_OK)
				return r->why = n->why, rc;
			if ((rc = store_msgs(r, &thread)) != ERR_OK)
				return rc;
		}
		if (cursor == NULL)
			break;
	}
	if ((rc = store_msgs(r, &m)) != ERR_OK)
		return rc;
	/* The daily message counts of the window, from what is stored. */
	p[2] = from;
	if ((rc = db_exec(r->env->db, r->a, sql_comm_daily, 3, p, &dr)) !=
	    ERR_OK)
		return rc;
	for (i = 0; i < db_nrows(dr); i++)
		syncnorm_add(n, NULL, "messages", db_get(dr, i, 0),
		    db_get(dr, i, 1), NULL);
	return ERR_OK;
}

/* --- the run --------------------------------------------------------- */

typedef enum err (*fetch_fn)(struct run *, struct syncnorm *, const char *);

static const struct {
	const char	*slug;
	fetch_fn	 fetch;
	int		 keeps_days;	/* kept upstream, 0: all */
} fetchers[] = {
	{ "ga4", fetch_ga4, 0 },
	{ "google_ads", fetch_google_ads, 0 },
	{ "youtube", fetch_youtube, 0 },
	{ "facebook", fetch_facebook, 0 },
	{ "instagram", fetch_instagram, 30 },
	{ "meta_ads", fetch_meta_ads, 0 },
	{ "linkedin", fetch_linkedin, 366 },
	{ "mailchimp", fetch_mailchimp, 180 },
	{ "slack", fetch_slack, 0 },
	{ "github", fetch_github, 14 },
};

static enum err
fetch_all(struct run *r, const char *selected)
{
	struct json_object *sel;
	struct syncnorm n;
	const char *id;
	size_t i, k;
	long keep = 0;
	enum err rc;

	for (k = 0; k < nitems(fetchers); k++)
		if (strcmp(fetchers[k].slug, r->p->slug) == 0)
			break;
	if (k == nitems(fetchers)) {
		r->why = arena_printf(r->a, "%s has no sync yet", r->p->name);
		return ERR_UNPROCESSABLE;
	}
	keep = fetchers[k].keeps_days;
	r->days = r->first ? r->env->backfill_days : r->env->restate_days > 0 ?
	    r->env->restate_days : r->p->restatement_days;
	if (r->days < 1)
		r->days = 1;
	if (keep > 0 && r->days > keep)
		r->days = keep;
	if (jsonx_parse(r->a, selected, strlen(selected), &sel, NULL) !=
	    ERR_OK || !json_object_is_type(sel, json_type_array)) {
		r->why = "the selected accounts are not readable";
		return ERR_INPUT;
	}
	for (i = 0; i < json_object_array_length(sel); i++) {
		id = json_object_get_string(json_object_array_get_idx(sel, i));
		if (id == NULL)
			continue;
		syncnorm_init(&n, r->a, r->p->slug, id);
		rc = fetchers[k].fetch(r, &n, id);
		r->page_token = NULL;
		if (rc != ERR_OK) {
			r->why = arena_printf(r->a, "account %s: %s", id,
			    r->why != NULL ? r->why : "failed");
			return rc;
		}
		if ((rc = flush(r, &n)) != ERR_OK)
			return rc;
	}
	return ERR_OK;
}

/* Records the end of the run, the connection's state and the job's. */
static enum err
finish(struct run *r, int64_t run_id, enum err rc, struct sync_outcome *out)
{
	const struct sync_env *e = r->env;
	const char *p[8], *status;
	int delay = 0;
	bool retry = false, counted = true;

	status = rc == ERR_OK ? "ok" : rc == ERR_RATELIMIT ? "rate_limited" :
	    rc == ERR_AUTH ? "auth" : "error";
	if (rc == ERR_RATELIMIT) {
		retry = true;
		counted = false;
		delay = r->retry_after > 0 ? r->retry_after : 60;
	} else if ((rc == ERR_UPSTREAM || rc == ERR_UNAVAILABLE ||
	    rc == ERR_DB) && r->job->attempts < e->max_attempts) {
		retry = true;
		delay = syncq_backoff(r->job->attempts, (int)e->backoff_s,
		    (int)e->backoff_max_s, (uint32_t)random());
	}
	if (rc == ERR_AUTH && r->why != NULL)
		(void)connection_set_status(e->db, r->a, r->job->workspace_id,
		    r->job->connection_id, "needs_reauth", r->why);
	p[0] = db_int64(r->a, run_id);
	p[1] = status;
	p[2] = db_int64(r->a, r->pages);
	p[3] = db_int64(r->a, r->fetched);
	p[4] = db_int64(r->a, r->changed);
	p[5] = rc == ERR_OK ? NULL : r->why != NULL ? r->why : "failed";
	p[6] = db_int64(r->a, r->job->workspace_id);
	p[7] = db_int64(r->a, r->job->connection_id);
	(void)db_exec_static(e->db, r->a, rc == ERR_OK ? sql_end_ok :
	    sql_end_err, 8, p, NULL);
	out->status = status;
	out->error = p[5];
	out->pages = r->pages;
	out->rows_fetched = r->fetched;
	out->rows_changed = r->changed;
	out->retried = retry;
	if (retry)
		return syncq_retry(e->db, r->a, r->job->id, e->worker, delay,
		    counted, p[5]);
	return syncq_finish(e->db, r->a, r->job->id, e->worker, p[5]);
}

enum err
sync_job(const struct sync_env *e, struct arena *a,
    const struct syncq_job *job, struct sync_outcome *out)
{
	struct run r;
	struct db_res *res;
	const char *p[3], *why, *status, *selected;
	int64_t run_id;
	enum err rc;

	memset(&r, 0, sizeof(r));
	memset(out, 0, sizeof(*out));
	r.env = e;
	r.a = a;
	r.job = job;
	r.extended = (int64_t)time(NULL);	/* just leased */
	p[0] = db_int64(a, job->workspace_id);
	p[1] = db_int64(a, job->connection_id);
	p[2] = db_int64(a, job->id);
	if (job->attempts > 1 && (rc = db_exec_static(e->db, a, sql_run_lost, 1,
	    &p[2], NULL)) != ERR_OK)
		return rc;
	if ((rc = db_exec_static(e->db, a, sql_start, 3, p, &res)) != ERR_OK)
		return rc;
	if (db_nrows(res) == 0)
		return syncq_finish(e->db, a, job->id, e->worker,
		    "the connection is gone");
	r.p = provider_get(db_get(res, 0, 0));
	status = db_get(res, 0, 1);
	selected = db_get(res, 0, 2);
	r.first = strcmp(db_get(res, 0, 4), "t") == 0;
	r.ws_tz = db_get(res, 0, 5);
	r.api_base = db_get(res, 0, 6);
	if (jsonx_parse(a, db_get(res, 0, 3), strlen(db_get(res, 0, 3)),
	    &r.accounts, NULL) != ERR_OK)
		r.accounts = NULL;
	run_id = db_get_int64(res, 0, 7, 0);
	if (job->attempts > e->max_attempts) {
		/* Workers died on it (leases ran out) too many times. */
		r.why = arena_printf(a, "given up after %d attempts",
		    job->attempts - 1);
		rc = ERR_CONFLICT;
	} else if (r.p == NULL || strcmp(status, "connected") != 0) {
		r.why = arena_printf(a, "the connection is %s", status);
		rc = ERR_CONFLICT;
	} else if ((rc = token_get(&(struct token_env){ e->db, e->http,
	    e->keys, e->cfg }, a, job->workspace_id, job->connection_id,
	    false, 3600, &r.tok, &why)) != ERR_OK) {
		r.why = why != NULL ? why : "no usable token";
		if (rc == ERR_NOTFOUND)
			rc = ERR_CONFLICT;
	} else
		rc = fetch_all(&r, selected);
	if (rc == ERR_AUTH)
		r.why = arena_printf(a, "%s: the connection must be "
		    "reconnected (%s)", r.p->name, r.why != NULL ? r.why :
		    "refused");
	if (rc == ERR_CONFLICT && r.why != NULL && strcmp(r.why,
	    "the lease was lost") == 0)
		return ERR_OK;	/* another worker has the job now */
	return finish(&r, run_id, rc, out);
}

enum err
sync_token_care(const struct sync_env *e, struct arena *a, long limit,
    long *checked)
{
	const struct provider *p;
	struct oauth_tokens t;
	struct db_res *res;
	const char *par[1], *why;
	int64_t ws, id;
	size_t i;
	enum err rc;

	*checked = 0;
	par[0] = db_int64(a, limit);
	if ((rc = db_exec(e->db, a, sql_care, 1, par, &res)) != ERR_OK)
		return rc;
	for (i = 0; i < db_nrows(res); i++) {
		if ((p = provider_get(db_get(res, i, 2))) == NULL)
			continue;
		ws = db_get_int64(res, i, 0, 0);
		id = db_get_int64(res, i, 1, 0);
		(*checked)++;
		rc = token_get(&(struct token_env){ e->db, e->http, e->keys,
		    e->cfg }, a, ws, id, false, 3600, &t, &why);
		if (rc == ERR_OK && strcmp(db_get(res, i, 3), "t") != 0) {
			/* Idle for a day: one cheap call shows a revoked
			 * grant before the next sync does. */
			rc = accounts_test(e->http, a, p, e->cfg, &t, &why);
			if (rc == ERR_AUTH)
				rc = token_get(&(struct token_env){ e->db,
				    e->http, e->keys, e->cfg }, a, ws, id, true,
				    0, &t, &why);
			if (rc == ERR_OK || rc == ERR_AUTH)
				(void)connection_tested(e->db, a, ws, id,
				    rc == ERR_OK, rc == ERR_OK ? NULL : why);
		}
		if (rc == ERR_AUTH)
			log_msg(LOG_WARN, NULL, "token_care", "connection "
			    "%lld needs reconnecting", (long long)id);
	}
	return ERR_OK;
}
