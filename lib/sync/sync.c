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
#include "providers/fetch.h"
#include "providers/oauth.h"
#include "providers/pcall.h"
#include "providers/provider.h"
#include "providers/syncnorm.h"
#include "store/db.h"
#include "sync/sync.h"
#include "sync/syncq.h"

/* An account's money rows stored before their currency was kept get
 * the one its latest report named ($4; $5 the money metrics). */
static const char sql_currency[] =
	"UPDATE metric_daily SET dims = dims || jsonb_build_object("
	"'currency', $4::text) WHERE workspace_id = $1 AND provider = $2 "
	"AND account_id = $3 AND metric = ANY ($5::text[]) "
	"AND currency IS NULL";

/* Times ($2, text) as dates in zone $1; NULL for a text that is not an
 * ISO 8601 time with a date. */
static const char sql_local_days[] =
	"SELECT CASE WHEN t ~ '^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d' "
	"THEN to_char(t::timestamptz AT TIME ZONE $1, 'YYYY-MM-DD') END "
	"FROM unnest($2::text[]) WITH ORDINALITY AS u(t, i) ORDER BY i";

/* The connection, and a run started for it (none when it is gone). */
static const char sql_start[] =
	"WITH c AS (SELECT c.provider, c.status, c.selected::text, "
	"c.accounts::text, w.time_zone, c.api_base "
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
/* Some accounts synced, some failed: synced, with the failures named. */
static const char sql_end_partial[] =
	RUN_END "UPDATE connections SET last_sync_at = now(), last_error = $6 "
	"WHERE workspace_id = $7 AND id = $8";
/* An account's own state: backfilled yet, days since the last day its
 * provider had published (NULL: unknown), and days since the last day
 * of a backfill cut short that is stored (NULL: none). */
static const char sql_acct_state[] =
	"SELECT backfilled_at IS NOT NULL, current_date - data_through, "
	"current_date - backfill_through FROM sync_accounts WHERE "
	"workspace_id = $1 AND connection_id = $2 AND account_id = $3";
/* An account's outcome in this run; ok also marks its backfill done
 * (and forgets where a cut one stood), $10 records where a backfill cut
 * short stands. */
static const char sql_acct_end[] =
	"INSERT INTO sync_accounts AS s (workspace_id, connection_id, "
	"account_id, status, error, rows_fetched, rows_changed, run_id, "
	"synced_at, backfilled_at, data_through, backfill_through) VALUES "
	"($1, $2, $3, $4, $5, $6, $7, $8, CASE WHEN $4 = 'ok' THEN now() END, "
	"CASE WHEN $4 = 'ok' THEN now() END, $9::date, $10::date) "
	"ON CONFLICT (workspace_id, connection_id, "
	"account_id) DO UPDATE SET status = EXCLUDED.status, error = "
	"EXCLUDED.error, rows_fetched = EXCLUDED.rows_fetched, rows_changed = "
	"EXCLUDED.rows_changed, run_id = EXCLUDED.run_id, attempted_at = "
	"now(), synced_at = coalesce(EXCLUDED.synced_at, s.synced_at), "
	"backfilled_at = coalesce(s.backfilled_at, EXCLUDED.backfilled_at), "
	"data_through = coalesce(EXCLUDED.data_through, s.data_through), "
	"backfill_through = CASE WHEN EXCLUDED.status = 'ok' THEN NULL ELSE "
	"coalesce(EXCLUDED.backfill_through, s.backfill_through) END";
/*
 * The rows of account $3 (and of "$3:…", its campaigns) of days $4..$5
 * and summed metrics $6 that the fetch's rows ($7, $8, $9: account,
 * metric, day) lack: 0 now (their provider leaves a row of zeros out).
 */
static const char sql_absent_zero[] =
	"UPDATE metric_daily m SET value = 0, updated_at = now() "
	"WHERE m.workspace_id = $1 AND m.provider = $2 AND "
	"(m.account_id = $3 OR left(m.account_id, length($3) + 1) = $3 || ':') "
	"AND m.day BETWEEN $4::date AND $5::date AND m.value <> 0 "
	"AND m.metric = ANY ($6::text[]) AND NOT EXISTS (SELECT FROM "
	"unnest($7::text[], $8::text[], $9::date[]) b(a, mt, d) "
	"WHERE b.a = m.account_id AND b.mt = m.metric AND b.d = m.day)";
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

/*
 * Messages.  The upsert of a page: new messages inserted, changed ones
 * updated; a thread's state is only ever set (by its last reply page).
 */
#define COMM_UPSERT \
	"up AS (INSERT INTO communications AS c (workspace_id, " \
	"connection_id, channel_id, ts, thread_ts, user_id, text, " \
	"reply_count, posted_at, raw, replies_seen) SELECT $1::bigint, " \
	"$2::bigint, s.c, s.t, s.th, s.u, s.x, s.r, to_timestamp(" \
	"s.t::numeric), s.j, s.rs FROM unnest($3::text[], $4::text[], " \
	"$5::text[], $6::text[], $7::text[], $8::int[], $9::jsonb[], " \
	"$10::text[]) AS s(c, t, th, u, x, r, j, rs) " \
	"ON CONFLICT (workspace_id, channel_id, ts) DO UPDATE SET " \
	"thread_ts = EXCLUDED.thread_ts, text = EXCLUDED.text, reply_count = " \
	"EXCLUDED.reply_count, raw = EXCLUDED.raw, replies_seen = coalesce(" \
	"EXCLUDED.replies_seen, c.replies_seen) WHERE c.text IS DISTINCT " \
	"FROM EXCLUDED.text OR c.reply_count IS DISTINCT FROM " \
	"EXCLUDED.reply_count OR c.thread_ts IS DISTINCT FROM " \
	"EXCLUDED.thread_ts OR (EXCLUDED.replies_seen IS NOT NULL AND " \
	"c.replies_seen IS DISTINCT FROM EXCLUDED.replies_seen) " \
	"RETURNING 1), " \
	"pg AS (SELECT min(t::numeric) AS lo, max(t::numeric) AS hi FROM " \
	"unnest($4::text[]) t), " \
	"p AS (SELECT * FROM channel_progress WHERE workspace_id = $1 AND " \
	"connection_id = $2 AND channel_id = $11) "
#define COMM_MINE \
	"c.workspace_id = $1 AND c.connection_id = $2 AND c.channel_id = $11 "
/*
 * A history page ($12: the next cursor, NULL on the last): the top-level
 * messages of the stretch it covers that it does not show are removed
 * with their replies, and so are the replies of a message it shows
 * outside any thread; the pass goes on below the page, or ends.
 */
static const char sql_comm_history[] =
	"WITH " COMM_UPSERT ", "
	"r AS (SELECT CASE WHEN $12::text IS NULL THEN "
	"p.window_oldest::numeric ELSE pg.lo END AS lo, p.upper::numeric AS hi "
	"FROM p, pg), "
	"gone AS (DELETE FROM communications c USING r WHERE " COMM_MINE
	"AND (c.thread_ts IS NULL OR c.thread_ts = c.ts) AND r.lo IS NOT NULL "
	"AND c.ts::numeric >= r.lo AND (r.hi IS NULL OR c.ts::numeric < r.hi) "
	"AND NOT c.ts = ANY($4::text[]) RETURNING c.ts), "
	"orphans AS (DELETE FROM communications c WHERE " COMM_MINE
	"AND c.thread_ts <> c.ts AND (c.thread_ts IN (SELECT ts FROM gone) OR "
	"c.thread_ts IN (SELECT s.t FROM unnest($4::text[], $5::text[]) "
	"AS s(t, th) WHERE s.th IS NULL)) RETURNING 1), "
	"prog AS (UPDATE channel_progress q SET cursor = $12, upper = CASE "
	"WHEN $12::text IS NULL THEN NULL ELSE coalesce(pg.lo::text, q.upper) "
	"END, threads = CASE WHEN $12::text IS NULL THEN '{}' ELSE q.threads "
	"END, oldest_fetched = CASE WHEN pg.lo IS NULL OR (q.oldest_fetched "
	"IS NOT NULL AND q.oldest_fetched::numeric <= pg.lo) THEN "
	"q.oldest_fetched ELSE pg.lo::text END, newest_fetched = CASE WHEN "
	"pg.hi IS NULL OR (q.newest_fetched IS NOT NULL AND "
	"q.newest_fetched::numeric >= pg.hi) THEN q.newest_fetched ELSE "
	"pg.hi::text END, finished_at = CASE WHEN $12::text IS NULL THEN now() "
	"ELSE q.finished_at END FROM pg WHERE q.workspace_id = $1 AND "
	"q.connection_id = $2 AND q.channel_id = $11 RETURNING 1) "
	"SELECT (SELECT count(*) FROM up) + (SELECT count(*) FROM gone) + "
	"(SELECT count(*) FROM orphans), (SELECT count(*) FROM prog)";
/*
 * A page of a thread's replies ($12: the next cursor, NULL on the last;
 * $13 the thread): its replies after the page before's newest, up to
 * its own newest (without end on the last), that it does not show are
 * removed; the thread's cursor is kept, or dropped at its end.
 */
static const char sql_comm_thread[] =
	"WITH " COMM_UPSERT ", "
	"r AS (SELECT coalesce(p.threads->$13::text->>'after', "
	"$13::text)::numeric AS lo, "
	"CASE WHEN $12::text IS NULL THEN NULL ELSE pg.hi END AS hi, "
	"$12::text IS NOT NULL AND pg.hi IS NULL AS blank FROM p, pg), "
	"gone AS (DELETE FROM communications c USING r WHERE " COMM_MINE
	"AND c.thread_ts = $13::text AND c.ts <> $13::text AND NOT r.blank AND "
	"c.ts::numeric > r.lo AND (r.hi IS NULL OR c.ts::numeric <= r.hi) AND "
	"NOT c.ts = ANY($4::text[]) RETURNING 1), "
	"prog AS (UPDATE channel_progress q SET threads = CASE WHEN $12::text "
	"IS NULL THEN q.threads - $13::text ELSE q.threads || "
	"jsonb_build_object($13::text, jsonb_build_object('cursor', $12::text, "
	"'after', coalesce(pg.hi::text, q.threads->$13::text->>'after', "
	"$13::text))) END FROM pg "
	"WHERE q.workspace_id = $1 AND q.connection_id = $2 AND "
	"q.channel_id = $11 RETURNING 1) "
	"SELECT (SELECT count(*) FROM up) + (SELECT count(*) FROM gone), "
	"(SELECT count(*) FROM prog)";
/* The pass in progress, or a new one over [$4, $5] when the last one
 * ended (or there was none). */
static const char sql_comm_pass[] =
	"WITH q AS (INSERT INTO channel_progress AS q (workspace_id, "
	"connection_id, channel_id, window_oldest, window_latest, started_at) "
	"VALUES ($1, $2, $3, $4, $5, now()) ON CONFLICT (workspace_id, "
	"connection_id, channel_id) DO UPDATE SET (window_oldest, "
	"window_latest, cursor, upper, threads, oldest_fetched, "
	"newest_fetched, started_at) = (EXCLUDED.window_oldest, "
	"EXCLUDED.window_latest, NULL, NULL, '{}', NULL, NULL, now()) "
	"WHERE q.finished_at >= q.started_at "
	"RETURNING window_oldest, window_latest, cursor) "
	"SELECT * FROM q UNION ALL SELECT window_oldest, window_latest, cursor "
	"FROM channel_progress WHERE workspace_id = $1 AND connection_id = $2 "
	"AND channel_id = $3 AND NOT EXISTS (SELECT 1 FROM q)";
/* Where a thread's replies stand. */
static const char sql_comm_thread_at[] =
	"SELECT (SELECT replies_seen FROM communications WHERE workspace_id = "
	"$1 AND connection_id = $2 AND channel_id = $3 AND ts = $4), "
	"(SELECT threads->$4::text->>'cursor' FROM channel_progress WHERE "
	"workspace_id = $1 AND connection_id = $2 AND channel_id = $3)";
/* Every day's count from $4 to today (UTC), zero for a day without. */
static const char sql_comm_daily[] =
	"SELECT to_char(d, 'YYYY-MM-DD'), count(c.ts) FROM generate_series("
	"$4::date, (now() AT TIME ZONE 'UTC')::date, interval '1 day') d "
	"LEFT JOIN communications c ON c.workspace_id = $1 AND "
	"c.connection_id = $2 AND c.channel_id = $3 AND (c.posted_at AT TIME "
	"ZONE 'UTC')::date = d::date GROUP BY d ORDER BY d";

/*
 * The items a fetch keeps besides metrics (struct fetch_items), by kind:
 * $1 workspace, $2 connection, $3 provider, $4 account, $5 the items
 * (a JSON array), $6 where the window starts (NULL: all).  Upserted by
 * id, changed only when they differ; those of the window gone upstream
 * deleted; the count of items and the count of rows changed.
 */
static const char sql_items_reviews[] =
	"WITH x AS (SELECT DISTINCT ON (id) * FROM jsonb_to_recordset("
	"$5::jsonb) AS x(id text, rating smallint, comment text, "
	"reviewer text, created_at timestamptz, updated_at timestamptz, "
	"reply text, reply_updated_at timestamptz, url text) "
	"WHERE id IS NOT NULL ORDER BY id), "
	"up AS (INSERT INTO reviews AS r (workspace_id, connection_id, "
	"provider, account_id, review_id, rating, comment, reviewer, "
	"created_at, updated_at, reply, reply_updated_at, url) "
	"SELECT $1, $2, $3, $4, id, rating, coalesce(comment, ''), "
	"coalesce(nullif(reviewer, ''), 'Anonymous'), created_at, "
	"coalesce(updated_at, created_at), reply, reply_updated_at, url "
	"FROM x ON CONFLICT (workspace_id, provider, account_id, review_id) "
	"DO UPDATE SET connection_id = EXCLUDED.connection_id, "
	"rating = EXCLUDED.rating, comment = EXCLUDED.comment, "
	"reviewer = EXCLUDED.reviewer, created_at = EXCLUDED.created_at, "
	"updated_at = EXCLUDED.updated_at, reply = EXCLUDED.reply, "
	"reply_updated_at = EXCLUDED.reply_updated_at, url = EXCLUDED.url "
	"WHERE (r.connection_id, r.rating, r.comment, r.reviewer, "
	"r.created_at, r.updated_at, r.reply, r.reply_updated_at, r.url) "
	"IS DISTINCT FROM (EXCLUDED.connection_id, EXCLUDED.rating, "
	"EXCLUDED.comment, EXCLUDED.reviewer, EXCLUDED.created_at, "
	"EXCLUDED.updated_at, EXCLUDED.reply, EXCLUDED.reply_updated_at, "
	"EXCLUDED.url) RETURNING 1), "
	"del AS (DELETE FROM reviews r WHERE r.workspace_id = $1 AND "
	"r.provider = $3 AND r.account_id = $4 AND ($6::timestamptz IS NULL "
	"OR r.updated_at >= $6::timestamptz) AND NOT EXISTS (SELECT 1 FROM x "
	"WHERE x.id = r.review_id) RETURNING 1) "
	"SELECT (SELECT count(*) FROM x), "
	"(SELECT count(*) FROM up) + (SELECT count(*) FROM del)";

/*
 * Content: the items, and for those that carry "metrics" today's
 * measurement (UTC; a number absent or null stays NULL); items published
 * before the window (they left the 90 days) go too.  A measurement goes
 * with its item (sql/280).  Rows: the items and the measurements.
 */
static const char sql_items_content[] =
	"WITH x AS (SELECT DISTINCT ON (id) * FROM jsonb_to_recordset("
	"$5::jsonb) AS x(id text, type text, caption text, permalink text, "
	"published_at timestamptz, metrics jsonb) "
	"WHERE id IS NOT NULL ORDER BY id), "
	"up AS (INSERT INTO content AS c (workspace_id, connection_id, "
	"provider, account_id, item_id, type, caption, permalink, "
	"published_at) SELECT $1, $2, $3, $4, id, type, coalesce(caption, "
	"''), permalink, published_at FROM x "
	"ON CONFLICT (workspace_id, provider, account_id, item_id) "
	"DO UPDATE SET connection_id = EXCLUDED.connection_id, "
	"type = EXCLUDED.type, caption = EXCLUDED.caption, "
	"permalink = EXCLUDED.permalink, published_at = EXCLUDED.published_at "
	"WHERE (c.connection_id, c.type, c.caption, c.permalink, "
	"c.published_at) IS DISTINCT FROM (EXCLUDED.connection_id, "
	"EXCLUDED.type, EXCLUDED.caption, EXCLUDED.permalink, "
	"EXCLUDED.published_at) RETURNING 1), "
	"m AS (INSERT INTO content_metrics AS m (workspace_id, provider, "
	"account_id, item_id, day, views, reach, likes, comments, shares, "
	"saves) SELECT $1, $3, $4, id, (now() AT TIME ZONE 'UTC')::date, "
	"(metrics->>'views')::bigint, (metrics->>'reach')::bigint, "
	"(metrics->>'likes')::bigint, (metrics->>'comments')::bigint, "
	"(metrics->>'shares')::bigint, (metrics->>'saves')::bigint FROM x "
	"WHERE jsonb_typeof(metrics) = 'object' "
	"ON CONFLICT (workspace_id, provider, account_id, item_id, day) "
	"DO UPDATE SET views = EXCLUDED.views, reach = EXCLUDED.reach, "
	"likes = EXCLUDED.likes, comments = EXCLUDED.comments, "
	"shares = EXCLUDED.shares, saves = EXCLUDED.saves "
	"WHERE (m.views, m.reach, m.likes, m.comments, m.shares, m.saves) "
	"IS DISTINCT FROM (EXCLUDED.views, EXCLUDED.reach, EXCLUDED.likes, "
	"EXCLUDED.comments, EXCLUDED.shares, EXCLUDED.saves) RETURNING 1), "
	"del AS (DELETE FROM content c WHERE c.workspace_id = $1 AND "
	"c.provider = $3 AND c.account_id = $4 AND ($6::timestamptz IS NULL "
	"OR c.published_at < $6::timestamptz OR NOT EXISTS (SELECT 1 FROM x "
	"WHERE x.id = c.item_id)) RETURNING 1) "
	"SELECT (SELECT count(*) FROM x) + (SELECT count(*) FROM x WHERE "
	"jsonb_typeof(metrics) = 'object'), (SELECT count(*) FROM up) + "
	"(SELECT count(*) FROM m) + (SELECT count(*) FROM del)";

/*
 * Which of the items ($4: [{id, published_at}]) of account $3 are due a
 * measurement: those published in the last 30 days every run, older ones
 * when their last measurement is 7 days old or more (or none).
 */
static const char sql_items_due[] =
	"SELECT coalesce(jsonb_agg(x.id ORDER BY x.id), '[]')::text FROM "
	"jsonb_to_recordset($4::jsonb) AS x(id text, published_at "
	"timestamptz) WHERE x.id IS NOT NULL AND (x.published_at >= now() - "
	"interval '30 days' OR NOT EXISTS (SELECT 1 FROM content_metrics m "
	"WHERE m.workspace_id = $1 AND m.provider = $2 AND m.account_id = $3 "
	"AND m.item_id = x.id AND m.day > (now() AT TIME ZONE 'UTC')::date - "
	"7))";

static const struct {
	const char	*kind;
	const char	*sql;
} items_sql[] = {
	{ "reviews", sql_items_reviews },
	{ "content", sql_items_content },
};

/*
 * One run in progress.  Its first member is what the provider's fetch
 * hook sees (lib/providers/fetch.h); the services below get the run
 * back from it.
 */
struct run {
	struct fetch		 f;		/* first */
	const struct sync_env	*env;
	const struct syncq_job	*job;
	struct oauth_tokens	 tok;
	bool			 refreshed;	/* forced once */
	bool			 acct_first;	/* the account's backfill */
	bool			 resumed;	/* ... where it stopped */
	const char		*kept_through;	/* a cut backfill's rows */
	struct json_object	*accounts;	/* as listed */
	long			 fetched;
	long			 changed;
	int			 retry_after;	/* rate limit */
	int64_t			 run_id;
	bool			 lease_lost;
	long			 nok;		/* accounts synced */
	long			 nfail;		/* accounts failed */
	enum err		 fail_rc;	/* the failures' worst */
	struct buf		*failed;	/* what failed, for people */
	const char		*tz_cached;	/* run_window() */
	const char		*today_cached;
	int64_t			 extended;	/* lease, when */
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
run_call(struct fetch *f, struct pcall *c, struct pcall_result *out)
{
	struct run *r = (struct run *)f;
	const char *why;
	enum err rc;

	pcall_provider_headers(r->f.p, c);
	for (;;) {
		c->token = r->f.page_token != NULL ? r->f.page_token :
		    r->tok.access_token;
		rc = pcall_json(r->env->http, r->f.a, r->f.p, c, out);
		r->f.pages++;
		if (rc != ERR_AUTH || r->refreshed)
			break;
		r->refreshed = true;
		rc = token_get(&(struct token_env){ r->env->db, r->env->http,
		    r->env->keys, r->env->cfg }, r->f.a, r->job->workspace_id,
		    r->job->connection_id, true, 0, &r->tok, &why);
		if (rc != ERR_OK) {
			r->f.why = why != NULL ? why : "the token refresh "
			    "failed";
			return rc;
		}
	}
	if (rc != ERR_OK) {
		r->f.why = out->why;
		r->retry_after = out->retry_after;
		return rc;
	}
	/* The lease is extended once a third of it has passed. */
	if ((int64_t)time(NULL) - r->extended >= r->env->lease_s / 3) {
		if (syncq_extend(r->env->db, r->f.a, r->job->id, r->env->worker,
		    (int)r->env->lease_s) != ERR_OK) {
			r->f.why = "the lease was lost";
			r->lease_lost = true;
			return ERR_CONFLICT;
		}
		r->extended = (int64_t)time(NULL);
	}
	return ERR_OK;
}


/* The window's first and last day (YYYY-MM-DD) in time zone tz (the
 * workspace's when NULL; UTC when PostgreSQL does not know it). */
static enum err
run_window(struct fetch *f, const char *tz, long days, const char **from,
    const char **to)
{
	struct run *r = (struct run *)f;
	const char *p[2];
	struct db_res *res;
	enum err rc;

	p[0] = tz != NULL ? tz : r->f.ws_tz;
	p[1] = "1";
	if (r->tz_cached == NULL || strcmp(r->tz_cached, p[0]) != 0) {
		rc = db_exec_static(r->env->db, r->f.a, sql_window, 2, p, &res);
		if (rc == ERR_INPUT) {	/* a zone unknown to PostgreSQL */
			p[0] = "UTC";
			rc = db_exec_static(r->env->db, r->f.a, sql_window, 2,
			    p, &res);
		}
		if (rc != ERR_OK)
			return rc;
		r->tz_cached = arena_strdup(r->f.a, tz != NULL ? tz :
		    r->f.ws_tz);
		r->today_cached = db_get(res, 0, 1);
	}
	*to = r->today_cached;
	*from = day_add(r->f.a, *to, -(days - 1));
	return ERR_OK;
}

/*
 * Gives account's money rows that name no currency the one its report
 * named (nothing when currency is NULL): history stored before Sluice
 * kept currencies is then never a tile of its own.
 */
static enum err
money_currency(struct run *r, const char *account, const char *currency)
{
	const struct metric_def *d;
	const char *p[5];
	struct buf *names;
	size_t i, n, k = 0;

	if (currency == NULL)
		return ERR_OK;
	d = r->f.p->metrics;
	n = r->f.p->nmetrics;
	names = buf_new_arena(r->f.a, LIMIT_RESPONSE);
	buf_putc(names, '{');
	for (i = 0; i < n; i++)
		if (d[i].agg == METRIC_SUM &&
		    strcmp(d[i].unit, "currency_micros") == 0)
			buf_printf(names, "%s\"%s\"", k++ > 0 ? "," : "",
			    d[i].name);
	buf_putc(names, '}');
	if (k == 0)
		return ERR_OK;
	p[0] = db_int64(r->f.a, r->job->workspace_id);
	p[1] = r->f.p->slug;
	p[2] = account;
	p[3] = currency;
	p[4] = buf_cstr(names);
	return db_exec_static(r->env->db, r->f.a, sql_currency, 5, p, NULL);
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
		b.fresh = r->acct_first && !r->resumed;
		rc = ingest_commit(r->env->db, r->f.a, r->job->workspace_id,
		    NULL, NULL, &b, &status, &json, &replayed);
		if (rc != ERR_OK) {
			r->f.why = "the rows could not be stored";
			return rc;
		}
		if (sscanf(json, "{\"inserted\":%ld,\"updated\":%ld", &ins,
		    &upd) == 2)
			r->changed += ins + upd;
	}
	n->n = 0;
	return ERR_OK;
}

/*
 * A provider that leaves out a row of zeros (n->zero_from set): the
 * account's stored rows of the days its answers covered that they lack
 * are 0 now — a campaign's day whose clicks all went away keeps none.
 * rows[0..nrows) are the fetch's rows (flushed already).
 */
static enum err
absent_zero(struct run *r, const char *id, const struct syncnorm *n,
    const struct metric_row *rows, size_t nrows)
{
	const struct provider *p = r->f.p;
	const char *prm[9], **sums;
	struct db_res *res;
	size_t i, k = 0;
	enum err rc;

	if (n->zero_from == NULL || n->zero_to == NULL)
		return ERR_OK;
	sums = arena_calloc(r->f.a, p->nmetrics + 1, sizeof(*sums));
	for (i = 0; i < p->nmetrics; i++)
		if (p->metrics[i].agg == METRIC_SUM)
			sums[k++] = p->metrics[i].name;
	prm[0] = db_int64(r->f.a, r->job->workspace_id);
	prm[1] = p->slug;
	prm[2] = id;
	prm[3] = n->zero_from;
	prm[4] = n->zero_to;
	prm[5] = db_text_array(r->f.a, sums, k, sizeof(*sums));
	prm[6] = db_text_array(r->f.a, &rows[0].account_id, nrows,
	    sizeof(*rows));
	prm[7] = db_text_array(r->f.a, &rows[0].metric, nrows,
	    sizeof(*rows));
	prm[8] = db_text_array(r->f.a, &rows[0].date, nrows, sizeof(*rows));
	if ((rc = db_exec_static(r->env->db, r->f.a, sql_absent_zero, 9, prm,
	    &res)) != ERR_OK) {
		r->f.why = "the rows could not be stored";
		return rc;
	}
	r->changed += (long)db_changed(res);
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
run_account(struct fetch *f, const char *id, const char *key)
{
	return jsonx_str(account((struct run *)f, id), key);
}




/* --- messages (lib/providers/fetch.h: msgs_*) ------------------------ */

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

/* The dates of times in a zone (struct fetch_ops local_days). */
static enum err
run_local_days(struct fetch *f, const char *tz, const char *const *ts,
    size_t n, const char ***days)
{
	struct run *r = (struct run *)f;
	struct db_res *res;
	struct buf *b;
	const char *p[2];
	size_t i;
	enum err rc;

	*days = arena_calloc(f->a, n + 1, sizeof(**days));
	if (n == 0)
		return ERR_OK;
	b = buf_new_arena(f->a, LIMIT_RESPONSE);
	buf_putc(b, '{');
	for (i = 0; i < n; i++)
		elem(b, ts[i], i == 0);
	buf_putc(b, '}');
	p[0] = tz != NULL ? tz : "UTC";
	p[1] = buf_cstr(b);
	rc = db_exec_static(r->env->db, f->a, sql_local_days, 2, p, &res);
	if (rc == ERR_INPUT) {	/* a zone unknown to PostgreSQL */
		p[0] = "UTC";
		rc = db_exec_static(r->env->db, f->a, sql_local_days, 2, p,
		    &res);
	}
	if (rc != ERR_OK)
		return rc;
	for (i = 0; i < n && i < db_nrows(res); i++)
		(*days)[i] = db_get(res, i, 0);
	return ERR_OK;
}

/* The message columns of one page as PostgreSQL array literals (p[2] to
 * p[9]); the thread's parent last, with its state, when given. */
static enum err
msgs_columns(struct run *r, const struct fetch_page *pg, const char **p)
{
	const struct syncnorm_msg *m;
	struct buf *col[8];
	size_t i, n;
	int k;

	n = pg->m != NULL ? pg->m->n : 0;
	for (k = 0; k < 8; k++) {
		col[k] = buf_new_arena(r->f.a, LIMIT_SYNC_MSG_COLUMN);
		buf_putc(col[k], '{');
	}
	for (i = 0; i < n + (pg->parent != NULL); i++) {
		m = i < n ? &pg->m->v[i] : pg->parent;
		elem(col[0], m->channel, i == 0);
		elem(col[1], m->ts, i == 0);
		elem(col[2], m->thread_ts, i == 0);
		elem(col[3], m->user, i == 0);
		elem(col[4], m->text, i == 0);
		elem(col[5], arena_printf(r->f.a, "%ld", m->reply_count),
		    i == 0);
		elem(col[6], m->raw, i == 0);
		elem(col[7], i < n ? NULL : m->thread_state != NULL ?
		    m->thread_state : "", i == 0);
	}
	for (k = 0; k < 8; k++) {
		if (buf_putc(col[k], '}') != ERR_OK) {
			r->f.why = arena_printf(r->f.a, "%s: too many messages "
			    "at once", r->f.p->name);
			return ERR_TOOBIG;
		}
		p[k + 2] = buf_cstr(col[k]);
	}
	return ERR_OK;
}

/* Stores a page and records where the pass goes on (fetch_page). */
static enum err
msgs_page(struct fetch *f, const struct fetch_page *pg)
{
	struct run *r = (struct run *)f;
	const char *p[13];
	struct db_res *res;
	enum err rc;

	p[0] = db_int64(f->a, r->job->workspace_id);
	p[1] = db_int64(f->a, r->job->connection_id);
	if ((rc = msgs_columns(r, pg, p)) != ERR_OK)
		return rc;
	p[10] = pg->channel;
	p[11] = pg->cursor;
	p[12] = pg->thread;
	if ((rc = db_exec(r->env->db, f->a, pg->thread != NULL ?
	    sql_comm_thread : sql_comm_history, pg->thread != NULL ? 13 : 12,
	    p, &res)) != ERR_OK) {
		r->f.why = "the messages could not be stored";
		return rc;
	}
	if (db_get_int64(res, 0, 1, 0) != 1) {
		r->f.why = "the channel's progress is gone";
		return ERR_CONFLICT;
	}
	r->fetched += pg->m != NULL ? (long)pg->m->n : 0;
	r->changed += (long)db_get_int64(res, 0, 0, 0);
	return ERR_OK;
}

static enum err
msgs_pass(struct fetch *f, const char *channel, const char *oldest,
    const char *latest, struct fetch_pass *out)
{
	struct run *r = (struct run *)f;
	struct db_res *res;
	const char *p[5];
	enum err rc;

	p[0] = db_int64(f->a, r->job->workspace_id);
	p[1] = db_int64(f->a, r->job->connection_id);
	p[2] = channel;
	p[3] = oldest;
	p[4] = latest;
	if ((rc = db_exec(r->env->db, f->a, sql_comm_pass, 5, p, &res)) !=
	    ERR_OK)
		return rc;
	if (db_nrows(res) != 1) {
		r->f.why = "the channel's progress could not be kept";
		return ERR_DB;
	}
	out->oldest = db_get(res, 0, 0);
	out->latest = db_get(res, 0, 1);
	out->cursor = db_get(res, 0, 2);
	return ERR_OK;
}

static enum err
msgs_thread(struct fetch *f, const char *channel, const char *thread,
    const char **seen, const char **cursor)
{
	struct run *r = (struct run *)f;
	struct db_res *res;
	const char *p[4];
	enum err rc;

	p[0] = db_int64(f->a, r->job->workspace_id);
	p[1] = db_int64(f->a, r->job->connection_id);
	p[2] = channel;
	p[3] = thread;
	if ((rc = db_exec(r->env->db, f->a, sql_comm_thread_at, 4, p, &res)) !=
	    ERR_OK)
		return rc;
	*seen = db_get(res, 0, 0);
	*cursor = db_get(res, 0, 1);
	return ERR_OK;
}

static enum err
msgs_daily(struct fetch *f, struct syncnorm *n, const char *channel,
    const char *from)
{
	struct run *r = (struct run *)f;
	struct db_res *res;
	const char *p[4];
	size_t i;
	enum err rc;

	p[0] = db_int64(f->a, r->job->workspace_id);
	p[1] = db_int64(f->a, r->job->connection_id);
	p[2] = channel;
	p[3] = from;
	if ((rc = db_exec(r->env->db, f->a, sql_comm_daily, 4, p, &res)) !=
	    ERR_OK)
		return rc;
	for (i = 0; i < db_nrows(res); i++)
		syncnorm_add(n, NULL, "messages", db_get(res, i, 0),
		    db_get(res, i, 1), NULL);
	return ERR_OK;
}

/* --- items (lib/providers/fetch.h: items_store) --------------------- */

static enum err
items_store(struct fetch *f, const struct fetch_items *it)
{
	struct run *r = (struct run *)f;
	struct db_res *res;
	const char *p[6];
	size_t i;
	enum err rc;

	for (i = 0; i < nitems(items_sql); i++)
		if (strcmp(items_sql[i].kind, it->kind) == 0)
			break;
	if (i == nitems(items_sql)) {
		f->why = arena_printf(f->a, "%s: Sluice keeps no %s",
		    f->p->name, it->kind);
		return ERR_INPUT;
	}
	p[0] = db_int64(f->a, r->job->workspace_id);
	p[1] = db_int64(f->a, r->job->connection_id);
	p[2] = f->p->slug;
	p[3] = it->account;
	p[4] = it->json;
	p[5] = it->since;
	if ((rc = db_exec(r->env->db, f->a, items_sql[i].sql, 6, p, &res)) !=
	    ERR_OK) {
		f->why = arena_printf(f->a, "the %s could not be stored",
		    it->kind);
		return rc;
	}
	r->fetched += (long)db_get_int64(res, 0, 0, 0);
	r->changed += (long)db_get_int64(res, 0, 1, 0);
	return ERR_OK;
}

static enum err
items_due(struct fetch *f, const struct fetch_items *it, const char **due)
{
	struct run *r = (struct run *)f;
	const char *p[4];
	enum err rc;

	if (strcmp(it->kind, "content") != 0) {
		f->why = arena_printf(f->a, "%s: Sluice measures no %s",
		    f->p->name, it->kind);
		return ERR_INPUT;
	}
	p[0] = db_int64(f->a, r->job->workspace_id);
	p[1] = f->p->slug;
	p[2] = it->account;
	p[3] = it->json;
	if ((rc = db_value(r->env->db, f->a, sql_items_due, 4, p, due)) !=
	    ERR_OK)
		f->why = arena_printf(f->a, "the %s due could not be read",
		    it->kind);
	return rc;
}

/* --- the run --------------------------------------------------------- */

static const struct fetch_ops run_ops = {
	.call = run_call,
	.window = run_window,
	.account = run_account,
	.local_days = run_local_days,
	.msgs_pass = msgs_pass,
	.msgs_thread = msgs_thread,
	.msgs_page = msgs_page,
	.msgs_daily = msgs_daily,
	.items_store = items_store,
	.items_due = items_due,
};

/*
 * The account's window: its backfill until that is done (the account's
 * own state, sync_accounts: a new connection's accounts, an account
 * ticked since, one whose backfill a rate limit stopped) — from the last
 * day stored when a rate limit cut it part way —, else the provider's
 * restatement window plus its publication lag, stretched back to the
 * day after the last one the provider had published; capped by what the
 * provider keeps.
 */
static enum err
account_window(struct run *r, const char *id)
{
	const struct provider *p = r->f.p;
	struct db_res *res;
	const char *par[3];
	long behind = -1, whole;
	enum err rc;

	par[0] = db_int64(r->f.a, r->job->workspace_id);
	par[1] = db_int64(r->f.a, r->job->connection_id);
	par[2] = id;
	if ((rc = db_exec_static(r->env->db, r->f.a, sql_acct_state, 3, par,
	    &res)) != ERR_OK) {
		r->f.why = "the account's sync state could not be read";
		return rc;
	}
	/* Whether its own backfill is done, not the connection's: a run
	 * stopped by a rate limit keeps the backfills it finished, and its
	 * retry goes on with the accounts still to do instead of starting
	 * every backfill again (and running into the limit again). */
	r->acct_first = db_nrows(res) == 0 ||
	    strcmp(db_get(res, 0, 0), "t") != 0;
	if (db_nrows(res) > 0)
		behind = (long)db_get_int64(res, 0, 1, -1);
	/* A backfill a rate limit cut short goes on from the last day it
	 * stored (asked again: one more for the provider's zone). */
	r->resumed = r->acct_first && db_nrows(res) > 0 &&
	    db_get(res, 0, 2) != NULL;
	/* The backfill: the dashboard's longest days (BACKFILL_DAYS ending
	 * yesterday in the workspace's zone) whole, and today so far; one
	 * day more in the account's days, so a zone ahead of the
	 * workspace's (Tokyo's today is Berlin's tomorrow part of the day)
	 * still reaches the first of them. */
	whole = r->env->backfill_days + 2;
	if (r->resumed) {
		r->f.days = (long)db_get_int64(res, 0, 2, 0) + 2;
		if (r->f.days > whole)
			r->f.days = whole;
	} else if (r->acct_first)
		r->f.days = whole;
	else {
		r->f.days = (r->env->restate_days > 0 ? r->env->restate_days :
		    p->restatement_days) + p->lag_days;
		/* A day not published yet is asked again until it comes
		 * (one more for the provider's zone), within the backfill. */
		if (behind + 1 > r->f.days)
			r->f.days = behind + 1 < whole ? behind + 1 :
			    whole;
	}
	if (r->f.days < 1)
		r->f.days = 1;
	if (p->keeps_days > 0 && r->f.days > p->keeps_days)
		r->f.days = p->keeps_days;
	r->f.backfill = whole;
	if (p->keeps_days > 0 && r->f.backfill > p->keeps_days)
		r->f.backfill = p->keeps_days;
	return ERR_OK;
}

/* Records one account's outcome (sync_accounts). */
static enum err
account_end(struct run *r, const char *id, const char *status,
    const char *why, long fetched, long changed)
{
	const char *par[10];

	par[0] = db_int64(r->f.a, r->job->workspace_id);
	par[1] = db_int64(r->f.a, r->job->connection_id);
	par[2] = id;
	par[3] = status;
	par[4] = why;
	par[5] = db_int64(r->f.a, fetched);
	par[6] = db_int64(r->f.a, changed);
	par[7] = db_int64(r->f.a, r->run_id);
	par[8] = strcmp(status, "ok") == 0 ? r->f.through : NULL;
	par[9] = strcmp(status, "ok") == 0 ? NULL : r->kept_through;
	return db_exec_static(r->env->db, r->f.a, sql_acct_end, 10, par,
	    NULL);
}

/* Whether a failure may pass by itself (a retry of the job may help). */
static bool
transient(enum err rc)
{
	return rc == ERR_UPSTREAM || rc == ERR_UNAVAILABLE || rc == ERR_DB;
}

/*
 * Notes a failed account: its outcome, and its name with the reason in
 * the run's message ("Sandbox Page 1 (1048...): ...; ...").
 */
static enum err
account_failed(struct run *r, const char *id, enum err rc, const char *status,
    long fetched)
{
	const char *name, *why;
	size_t n;

	why = pcall_plain(r->f.a, r->f.why != NULL ? r->f.why : "failed",
	    LIMIT_SYNC_ERROR);
	/* Shown on the provider's own page and history: its name once. */
	n = strlen(r->f.p->name);
	if (strncmp(why, r->f.p->name, n) == 0 && strncmp(why + n, ": ", 2) ==
	    0)
		why = why + n + 2;
	r->nfail++;
	if (r->nfail == 1 || (transient(rc) && !transient(r->fail_rc)))
		r->fail_rc = rc;
	name = run_account(&r->f, id, "name");
	if (r->failed == NULL)
		r->failed = buf_new_arena(r->f.a, LIMIT_SYNC_ERRORS);
	if (r->failed->len > 0)
		buf_puts(r->failed, "; ");
	if (name != NULL && strcmp(name, id) != 0)
		buf_printf(r->failed, "%s (%s): %s", name, id, why);
	else
		buf_printf(r->failed, "%s: %s", id, why);
	return account_end(r, id, status, why, fetched, 0);
}

/*
 * Every selected account on its own: one that fails is recorded with
 * its reason and the others still sync.  A rate limit stops the run
 * (what was stored stays, and so do the whole days of a backfill it cut
 * part way: fetch.stored_through; the job waits), as do a refused login, a
 * lost lease and the database failing.  With failed accounts the
 * failures' worst error comes back (a transient one first, so the job
 * is retried), r->nok and r->nfail counting, r->f.why naming them.
 */
static enum err
fetch_all(struct run *r, const char *selected)
{
	const struct provider *p = r->f.p;
	struct json_object *sel;
	struct syncnorm n;
	const struct metric_row *kept;
	const char *id, *status;
	long fetched, changed, rows;
	size_t i;
	enum err rc;

	if (p->fetch == NULL) {
		r->f.why = arena_printf(r->f.a, "%s has no sync yet", p->name);
		return ERR_UNPROCESSABLE;
	}
	if (jsonx_parse(r->f.a, selected, strlen(selected), &sel, NULL) !=
	    ERR_OK || !json_object_is_type(sel, json_type_array)) {
		r->f.why = "the selected accounts are not readable";
		return ERR_INPUT;
	}
	for (i = 0; i < json_object_array_length(sel); i++) {
		id = json_object_get_string(json_object_array_get_idx(sel, i));
		if (id == NULL)
			continue;
		if ((rc = account_window(r, id)) != ERR_OK)
			return rc;
		syncnorm_init(&n, r->f.a, p->slug, id);
		r->f.why = NULL;
		r->f.through = NULL;
		r->f.stored_through = NULL;
		r->kept_through = NULL;
		fetched = r->fetched;
		changed = r->changed;
		rc = p->fetch(&r->f, &n, id);
		r->f.page_token = NULL;
		if (rc == ERR_OK && n.overflowed) {
			r->f.why = arena_printf(r->f.a, "more than %d rows at "
			    "once; nothing of it was stored", LIMIT_SYNC_ROWS);
			rc = ERR_TOOBIG;
		}
		rows = (long)n.n;
		kept = n.rows;
		if (rc == ERR_OK && ((rc = flush(r, &n)) != ERR_OK ||
		    (rc = absent_zero(r, id, &n, kept, (size_t)rows)) !=
		    ERR_OK ||
		    (rc = money_currency(r, id, n.currency)) != ERR_OK))
			return rc;	/* the database */
		if (rc == ERR_OK) {
			r->nok++;
			if ((rc = account_end(r, id, "ok", NULL, r->fetched -
			    fetched, r->changed - changed)) != ERR_OK)
				return rc;
			continue;
		}
		if (r->lease_lost)
			return rc;
		/* A backfill a quota cut short: the days the provider gave
		 * whole are kept, and the retry goes on from there. */
		if (rc == ERR_RATELIMIT && r->acct_first &&
		    r->f.stored_through != NULL && !n.overflowed &&
		    n.n > 0) {
			rows = (long)n.n;
			if (flush(r, &n) != ERR_OK)
				return ERR_DB;
			r->kept_through = r->f.stored_through;
			if (account_failed(r, id, rc, "rate_limited",
			    rows) != ERR_OK)
				return ERR_DB;
			r->f.why = arena_printf(r->f.a, "%s (its backfill is "
			    "stored through %s and goes on from there)",
			    buf_cstr(r->failed), r->kept_through);
			return rc;
		}
		status = rc == ERR_RATELIMIT ? "rate_limited" :
		    rc == ERR_AUTH ? "auth" : "error";
		if (account_failed(r, id, rc, status, (long)n.n) != ERR_OK)
			return ERR_DB;
		if (rc == ERR_RATELIMIT || rc == ERR_AUTH) {
			/* The connection's own trouble: this account's
			 * reason is the run's. */
			r->f.why = buf_cstr(r->failed);
			return rc;
		}
	}
	if (r->nfail == 0)
		return ERR_OK;
	r->f.why = arena_printf(r->f.a, "%ld of %ld %s failed: %s", r->nfail,
	    r->nfail + r->nok, p->accounts != NULL ? p->accounts : "accounts",
	    buf_cstr(r->failed));
	return r->fail_rc;
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
	    rc == ERR_AUTH ? "auth" : r->nok > 0 ? "partial" : "error";
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
	if (rc == ERR_AUTH && r->f.why != NULL)
		(void)connection_set_status(e->db, r->f.a, r->job->workspace_id,
		    r->job->connection_id, "needs_reauth", pcall_plain(r->f.a,
		    r->f.why, LIMIT_SYNC_ERRORS));
	p[0] = db_int64(r->f.a, run_id);
	p[1] = status;
	p[2] = db_int64(r->f.a, r->f.pages);
	p[3] = db_int64(r->f.a, r->fetched);
	p[4] = db_int64(r->f.a, r->changed);
	p[5] = rc == ERR_OK ? NULL : pcall_plain(r->f.a, r->f.why != NULL ?
	    r->f.why : "failed", LIMIT_SYNC_ERRORS);
	p[6] = db_int64(r->f.a, r->job->workspace_id);
	p[7] = db_int64(r->f.a, r->job->connection_id);
	(void)db_exec_static(e->db, r->f.a, rc == ERR_OK ? sql_end_ok :
	    strcmp(status, "partial") == 0 ? sql_end_partial : sql_end_err, 8,
	    p, NULL);
	out->status = status;
	out->error = p[5];
	out->pages = r->f.pages;
	out->rows_fetched = r->fetched;
	out->rows_changed = r->changed;
	out->retried = retry;
	if (retry)
		return syncq_retry(e->db, r->f.a, r->job->id, e->worker, delay,
		    counted, p[5]);
	/* A partial run's job is done: its failures are the accounts'. */
	return syncq_finish(e->db, r->f.a, r->job->id, e->worker,
	    strcmp(status, "partial") == 0 ? NULL : p[5]);
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
	r.f.a = a;
	r.f.cfg = e->cfg;
	r.f.ops = &run_ops;
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
	r.f.p = provider_get(db_get(res, 0, 0));
	if (r.f.p != NULL && (why = provider_sunset_warning(r.f.p, a,
	    (long)(time(NULL) / 86400))) != NULL)
		log_msg(LOG_WARN, NULL, "version", "%s", why);
	status = db_get(res, 0, 1);
	selected = db_get(res, 0, 2);
	r.f.ws_tz = db_get(res, 0, 4);
	r.f.api_base = db_get(res, 0, 5);
	if (jsonx_parse(a, db_get(res, 0, 3), strlen(db_get(res, 0, 3)),
	    &r.accounts, NULL) != ERR_OK)
		r.accounts = NULL;
	run_id = db_get_int64(res, 0, 6, 0);
	r.run_id = run_id;
	if (job->attempts > e->max_attempts) {
		/* Workers died on it (leases ran out) too many times. */
		r.f.why = arena_printf(a, "given up after %d attempts",
		    job->attempts - 1);
		rc = ERR_CONFLICT;
	} else if (r.f.p == NULL || strcmp(status, "connected") != 0) {
		r.f.why = arena_printf(a, "the connection is %s", status);
		rc = ERR_CONFLICT;
	} else if ((rc = token_get(&(struct token_env){ e->db, e->http,
	    e->keys, e->cfg }, a, job->workspace_id, job->connection_id,
	    false, 3600, &r.tok, &why)) != ERR_OK) {
		r.f.why = why != NULL ? why : "no usable token";
		if (rc == ERR_NOTFOUND)
			rc = ERR_CONFLICT;
	} else {
		/* Mailchimp: the account's API base, from the token set
		 * (or the connection's column for older connections). */
		if (r.tok.api_base != NULL)
			r.f.api_base = r.tok.api_base;
		rc = fetch_all(&r, selected);
	}
	if (rc == ERR_AUTH)
		r.f.why = arena_printf(a, "%s: the connection must be "
		    "reconnected (%s)", r.f.p->name, r.f.why != NULL ? r.f.why :
		    "refused");
	if (r.lease_lost)
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

