/* sync.c — one sync job: fetch, normalise, upsert, record. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "arena.h"
#include "config.h"
#include "connection.h"
#include "db.h"
#include "httpc.h"
#include "ingest.h"
#include "jsonx.h"
#include "limit.h"
#include "log.h"
#include "oauth.h"
#include "pcall.h"
#include "provider.h"
#include "sync.h"
#include "syncnorm.h"
#include "syncq.h"
#include "token.h"

static const char sql_conn[] =
	"SELECT c.provider, c.status, c.selected::text, c.accounts::text, "
	"c.last_sync_at IS NULL, w.time_zone FROM connections c JOIN "
	"workspaces w ON w.id = c.workspace_id "
	"WHERE c.workspace_id = $1 AND c.id = $2";
static const char sql_run_start[] =
	"INSERT INTO sync_runs (workspace_id, connection_id, job_id, "
	"provider) VALUES ($1, $2, $3, $4) RETURNING id";
static const char sql_run_end[] =
	"UPDATE sync_runs SET finished_at = clock_timestamp(), status = $2, "
	"pages = $3, rows_fetched = $4, rows_changed = $5, duration_ms = "
	"floor(extract(epoch FROM clock_timestamp() - started_at) * 1000), "
	"error = $6 WHERE id = $1";
static const char sql_conn_ok[] =
	"UPDATE connections SET last_sync_at = now(), last_error = NULL "
	"WHERE workspace_id = $1 AND id = $2";
static const char sql_conn_err[] =
	"UPDATE connections SET last_error = $3 "
	"WHERE workspace_id = $1 AND id = $2";
/* Today and the window's first day in a time zone (UTC when unknown). */
static const char sql_window[] =
	"SELECT to_char(d - ($2::int - 1), 'YYYY-MM-DD'), "
	"to_char(d, 'YYYY-MM-DD') FROM (SELECT (now() AT TIME ZONE "
	"coalesce((SELECT name FROM pg_timezone_names WHERE name = $1 "
	"LIMIT 1), 'UTC'))::date AS d) t";
static const char sql_care[] =
	"SELECT workspace_id, id, provider, token_expires_at < now() + "
	"interval '1 hour' FROM connections WHERE status = 'connected' AND "
	"token_blob IS NOT NULL AND (token_expires_at < now() + "
	"interval '1 hour' OR coalesce(last_sync_at, last_tested_at, "
	"created_at) < now() - interval '1 day') ORDER BY token_expires_at "
	"NULLS LAST LIMIT $1";

/* One run in progress. */
struct run {
	const struct sync_env	*env;
	struct arena		*a;
	const struct syncq_job	*job;
	const struct provider	*p;
	struct oauth_tokens	 tok;
	bool			 refreshed;	/* the one forced refresh */
	bool			 first;		/* never synced: backfill */
	const char		*ws_tz;		/* the workspace's zone */
	struct json_object	*accounts;	/* listed accounts */
	long			 days;		/* the window */
	long			 pages;
	long			 fetched;
	long			 changed;
	int			 retry_after;	/* with ERR_RATELIMIT */
	const char		*why;
};

static const char *
i64(struct arena *a, int64_t v)
{
	return arena_printf(a, "%lld", (long long)v);
}

enum err
sync_env_load(struct sync_env *e, char *errbuf, size_t errlen)
{
	if (config_long("SLUICE_SYNC_LEASE_S", 300, 2, 86400, &e->lease_s,
	    errbuf, errlen) != ERR_OK ||
	    config_long("SLUICE_SYNC_BACKFILL_DAYS", 90, 1, 3650,
	    &e->backfill_days, errbuf, errlen) != ERR_OK ||
	    config_long("SLUICE_SYNC_RESTATE_DAYS", 0, 0, 3650,
	    &e->restate_days, errbuf, errlen) != ERR_OK ||
	    config_long("SLUICE_SYNC_MAX_ATTEMPTS", 5, 1, 100,
	    &e->max_attempts, errbuf, errlen) != ERR_OK ||
	    config_long("SLUICE_SYNC_BACKOFF_S", 30, 0, 86400, &e->backoff_s,
	    errbuf, errlen) != ERR_OK ||
	    config_long("SLUICE_SYNC_BACKOFF_MAX_S", 3600, 1, 86400,
	    &e->backoff_max_s, errbuf, errlen) != ERR_OK)
		return ERR_INPUT;
	return ERR_OK;
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
		c->token = r->tok.access_token;
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
	if (syncq_extend(r->env->db, r->a, r->job->id, r->env->worker,
	    (int)r->env->lease_s) != ERR_OK) {
		r->why = "the lease was lost";
		return ERR_CONFLICT;
	}
	return ERR_OK;
}

/* The window's first and last day (YYYY-MM-DD) in time zone tz. */
static enum err
window(struct run *r, const char *tz, long days, const char **from,
    const char **to)
{
	const char *p[2] = { tz != NULL ? tz : r->ws_tz, i64(r->a, days) };
	struct db_res *res;
	enum err rc;

	if ((rc = db_exec(r->env->db, r->a, sql_window, 2, p, &res)) !=
	    ERR_OK)
		return rc;
	*from = db_get(res, 0, 0);
	*to = db_get(res, 0, 1);
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
	struct json_object *v;

	if (!json_object_object_get_ex(account(r, id), key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
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
	long off = 0, page_rows = 10000, total;
	size_t before;
	enum err rc;
	int i;

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

/* --- the run --------------------------------------------------------- */

typedef enum err (*fetch_fn)(struct run *, struct syncnorm *, const char *);

static const struct {
	const char	*slug;
	fetch_fn	 fetch;
	int		 keeps_days;	/* what the provider keeps, 0: plenty */
} fetchers[] = {
	{ "ga4", fetch_ga4, 0 },
	{ "google_ads", fetch_google_ads, 0 },
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

	for (k = 0; k < sizeof(fetchers) / sizeof(fetchers[0]); k++)
		if (strcmp(fetchers[k].slug, r->p->slug) == 0)
			break;
	if (k == sizeof(fetchers) / sizeof(fetchers[0])) {
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
		if ((rc = fetchers[k].fetch(r, &n, id)) != ERR_OK) {
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
	const char *p[6], *status;
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
	p[0] = i64(r->a, run_id);
	p[1] = status;
	p[2] = i64(r->a, r->pages);
	p[3] = i64(r->a, r->fetched);
	p[4] = i64(r->a, r->changed);
	p[5] = rc == ERR_OK ? NULL : r->why != NULL ? r->why : "failed";
	(void)db_exec(e->db, r->a, sql_run_end, 6, p, NULL);
	p[0] = i64(r->a, r->job->workspace_id);
	p[1] = i64(r->a, r->job->connection_id);
	p[2] = p[5];
	if (rc == ERR_OK)
		(void)db_exec(e->db, r->a, sql_conn_ok, 2, p, NULL);
	else
		(void)db_exec(e->db, r->a, sql_conn_err, 3, p, NULL);
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
	const char *p[4], *why, *status, *selected;
	int64_t run_id;
	enum err rc;

	memset(&r, 0, sizeof(r));
	memset(out, 0, sizeof(*out));
	r.env = e;
	r.a = a;
	r.job = job;
	p[0] = i64(a, job->workspace_id);
	p[1] = i64(a, job->connection_id);
	if ((rc = db_exec(e->db, a, sql_conn, 2, p, &res)) != ERR_OK)
		return rc;
	if (db_nrows(res) == 0)
		return syncq_finish(e->db, a, job->id, e->worker,
		    "the connection is gone");
	r.p = provider_get(db_get(res, 0, 0));
	status = db_get(res, 0, 1);
	selected = db_get(res, 0, 2);
	r.first = strcmp(db_get(res, 0, 4), "t") == 0;
	r.ws_tz = db_get(res, 0, 5);
	if (jsonx_parse(a, db_get(res, 0, 3), strlen(db_get(res, 0, 3)),
	    &r.accounts, NULL) != ERR_OK)
		r.accounts = NULL;
	p[2] = i64(a, job->id);
	p[3] = r.p != NULL ? r.p->slug : db_get(res, 0, 0);
	if ((rc = db_exec(e->db, a, sql_run_start, 4, p, &res)) != ERR_OK)
		return rc;
	run_id = db_get_int64(res, 0, 0, 0);
	if (r.p == NULL || strcmp(status, "connected") != 0) {
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
	size_t i;
	enum err rc;

	*checked = 0;
	par[0] = arena_printf(a, "%ld", limit);
	if ((rc = db_exec(e->db, a, sql_care, 1, par, &res)) != ERR_OK)
		return rc;
	for (i = 0; i < db_nrows(res); i++) {
		p = provider_get(db_get(res, i, 2));
		if (p == NULL)
			continue;
		rc = token_get(&(struct token_env){ e->db, e->http, e->keys,
		    e->cfg }, a, db_get_int64(res, i, 0, 0),
		    db_get_int64(res, i, 1, 0), false, 3600, &t, &why);
		if (rc == ERR_AUTH)
			log_msg(LOG_WARN, NULL, "token_care", "connection %s "
			    "needs reconnecting", db_get(res, i, 1));
		(*checked)++;
	}
	return ERR_OK;
}
