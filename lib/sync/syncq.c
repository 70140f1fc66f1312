/* syncq.c — the sync_jobs queue. */
#include <string.h>

#include "base/arena.h"
#include "base/limit.h"
#include "store/db.h"
#include "sync/syncq.h"

static const char sql_enqueue[] =
	"INSERT INTO sync_jobs (workspace_id, connection_id, kind, priority) "
	"SELECT $1, $2, 'manual', $3 FROM connections WHERE workspace_id = $1 "
	"AND id = $2 AND status = 'connected' "
	"ON CONFLICT (connection_id) WHERE status IN ('queued', 'running') "
	"DO NOTHING RETURNING id";
static const char sql_bump[] =
	"UPDATE sync_jobs SET priority = greatest(priority, $3), run_after = "
	"least(run_after, now()) WHERE workspace_id = $1 AND connection_id = "
	"$2 AND status IN ('queued', 'running') RETURNING id";
static const char sql_purge[] =
	"WITH d AS (DELETE FROM sync_jobs WHERE id IN (SELECT id FROM "
	"sync_jobs WHERE status IN ('done', 'failed') AND finished_at < "
	"now() - make_interval(days => $1::int) LIMIT $2::int) RETURNING 1) "
	"SELECT count(*) FROM d";
/* A daily job's day is the workspace's own (its time_zone), for cron's
 * call and the scheduler alike: one daily job per connection and day,
 * whoever enqueues it first. */
static const char sql_daily[] =
	"WITH c AS (SELECT c.id, c.workspace_id, (now() AT TIME ZONE "
	"w.time_zone)::date AS day FROM connections c JOIN workspaces w ON "
	"w.id = c.workspace_id WHERE c.status = 'connected' AND "
	"($1::text IS NULL OR c.provider = $1)), "
	"ins AS (INSERT INTO sync_jobs (workspace_id, connection_id, kind, "
	"day) SELECT c.workspace_id, c.id, 'daily', c.day FROM c "
	"WHERE NOT EXISTS (SELECT 1 FROM sync_jobs j WHERE j.connection_id = "
	"c.id AND j.kind = 'daily' AND j.day = c.day) "
	"ON CONFLICT DO NOTHING RETURNING 1) "
	"SELECT (SELECT count(*) FROM ins), (SELECT count(*) FROM c)";
/*
 * The scheduler's: workspaces whose local sync hour (sync_hour, else $1)
 * has come today; their connected connections made before it and not
 * synced since, without today's daily job.
 */
static const char sql_due[] =
	"WITH w AS (SELECT id, time_zone AS tz, date_trunc('day', now() AT "
	"TIME ZONE time_zone) + make_interval(hours => coalesce(sync_hour, "
	"$1::int)) AS due_local FROM workspaces), "
	"d AS (SELECT id, due_local::date AS day, due_local AT TIME ZONE tz "
	"AS due FROM w WHERE due_local <= now() AT TIME ZONE tz), "
	"c AS (SELECT c.id, c.workspace_id, d.day FROM connections c JOIN d "
	"ON d.id = c.workspace_id WHERE c.status = 'connected' AND "
	"c.created_at < d.due AND (c.last_sync_at IS NULL OR "
	"c.last_sync_at < d.due) AND NOT EXISTS (SELECT 1 FROM sync_jobs j "
	"WHERE j.connection_id = c.id AND j.kind = 'daily' AND "
	"j.day = d.day)), "
	"ins AS (INSERT INTO sync_jobs (workspace_id, connection_id, kind, "
	"day) SELECT workspace_id, id, 'daily', day FROM c "
	"ON CONFLICT DO NOTHING RETURNING 1) "
	"SELECT (SELECT count(*) FROM ins), (SELECT count(*) FROM c)";
/* Running jobs whose worker died first (index sync_jobs_leased: few, and
 * never starved by a busy queue), then due queued ones (index
 * sync_jobs_ready): two statements, each on its partial index, rather
 * than one OR over the whole history of jobs. */
static const char sql_lease[] =
	"UPDATE sync_jobs SET status = 'running', leased_by = $1, "
	"lease_until = now() + make_interval(secs => $2::int), "
	"attempts = attempts + 1 WHERE id = (SELECT id FROM sync_jobs WHERE "
	"status = 'queued' AND run_after <= now() ORDER BY priority DESC, "
	"run_after LIMIT 1 FOR UPDATE SKIP LOCKED) "
	"RETURNING id, workspace_id, connection_id, kind, attempts";
static const char sql_lease_lost[] =
	"UPDATE sync_jobs SET leased_by = $1, "
	"lease_until = now() + make_interval(secs => $2::int), "
	"attempts = attempts + 1 WHERE id = (SELECT id FROM sync_jobs WHERE "
	"status = 'running' AND lease_until < now() ORDER BY lease_until "
	"LIMIT 1 FOR UPDATE SKIP LOCKED) "
	"RETURNING id, workspace_id, connection_id, kind, attempts";
static const char sql_extend[] =
	"UPDATE sync_jobs SET lease_until = now() + make_interval(secs => "
	"$3::int) WHERE id = $1 AND leased_by = $2 AND status = 'running'";
static const char sql_finish[] =
	"UPDATE sync_jobs SET status = CASE WHEN $3::text IS NULL THEN "
	"'done' ELSE 'failed' END, last_error = $3, finished_at = now(), "
	"lease_until = NULL WHERE id = $1 AND leased_by = $2 AND status = "
	"'running'";
static const char sql_retry[] =
	"UPDATE sync_jobs SET status = 'queued', run_after = now() + "
	"make_interval(secs => $3::int), last_error = $4, lease_until = NULL, "
	"leased_by = NULL, attempts = attempts - CASE WHEN $5 THEN 0 ELSE 1 "
	"END WHERE id = $1 AND leased_by = $2 AND status = 'running'";
static const char sql_status[] =
	"SELECT json_build_object("
	"'queued', (SELECT count(*) FROM sync_jobs WHERE status = 'queued'), "
	"'due', (SELECT count(*) FROM sync_jobs WHERE status = 'queued' AND "
	"run_after <= now()), "
	"'running', (SELECT count(*) FROM sync_jobs WHERE status = "
	"'running' AND lease_until >= now()), "
	"'expired_leases', (SELECT count(*) FROM sync_jobs WHERE status = "
	"'running' AND lease_until < now()), "
	"'oldest_waiting', (SELECT json_build_object('id', id, "
	"'connection_id', connection_id, 'since', run_after, 'wait_s', "
	"floor(extract(epoch FROM now() - run_after))::bigint) FROM sync_jobs "
	"WHERE status = 'queued' AND run_after <= now() ORDER BY run_after "
	"LIMIT 1), "
	"'last_daily', (SELECT json_build_object('day', day, 'jobs', "
	"count(*), 'done', count(*) FILTER (WHERE status = 'done'), "
	"'failed', count(*) FILTER (WHERE status = 'failed'), 'waiting', "
	"count(*) FILTER (WHERE status IN ('queued', 'running')), "
	"'enqueued_at', min(created_at), 'last_finished_at', "
	"max(finished_at)) FROM sync_jobs WHERE kind = 'daily' AND day = "
	"(SELECT max(day) FROM sync_jobs WHERE kind = 'daily') GROUP BY day))";
static const char sql_ws_status[] =
	"SELECT json_build_object('connections', coalesce(json_agg("
	"json_build_object('id', c.id, 'provider', c.provider, 'status', "
	"c.status, 'last_sync_at', c.last_sync_at, 'last_error', "
	"c.last_error, 'job', (SELECT json_build_object('id', j.id, 'status', "
	"j.status, 'kind', j.kind, 'run_after', j.run_after, 'attempts', "
	"j.attempts, 'last_error', j.last_error) FROM sync_jobs j WHERE "
	"j.connection_id = c.id ORDER BY j.id DESC LIMIT 1), 'last_run', "
	"(SELECT row_to_json(r) FROM (SELECT id, status, started_at, "
	"finished_at, pages, rows_fetched, rows_changed, duration_ms, error "
	"FROM sync_runs WHERE connection_id = c.id ORDER BY id DESC LIMIT 1) "
	"r), 'accounts', (SELECT coalesce(json_agg(json_build_object('id', "
	"a.account_id, 'name', (SELECT l->>'name' FROM jsonb_array_elements("
	"c.accounts) l WHERE l->>'id' = a.account_id LIMIT 1), 'status', "
	"a.status, 'error', a.error, 'rows_fetched', a.rows_fetched, "
	"'rows_changed', a.rows_changed, 'attempted_at', a.attempted_at, "
	"'synced_at', a.synced_at) ORDER BY a.account_id), '[]'::json) FROM "
	"sync_accounts a WHERE a.workspace_id = c.workspace_id AND "
	"a.connection_id = c.id AND c.selected ? a.account_id)) "
	"ORDER BY c.id), '[]'::json)) FROM connections c "
	"WHERE c.workspace_id = $1 AND c.status <> 'disconnected'";
static const char sql_log[] =
	"SELECT json_build_object('runs', coalesce(json_agg(row_to_json(r)), "
	"'[]'::json)) FROM (SELECT id, connection_id, provider, job_id, "
	"status, started_at, finished_at, pages, rows_fetched, rows_changed, "
	"duration_ms, error FROM sync_runs WHERE workspace_id = $1 AND "
	"($2::text IS NULL OR provider = $2) ORDER BY id DESC LIMIT $3) r";

enum err
syncq_enqueue_now(struct db *db, struct arena *a, int64_t ws, int64_t conn,
    int64_t *job_id, bool *created)
{
	const char *p[3];
	struct db_res *res;
	enum err rc;

	p[0] = db_int64(a, ws);
	p[1] = db_int64(a, conn);
	p[2] = db_int64(a, SYNCQ_PRIORITY_MANUAL);
	if ((rc = db_exec(db, a, sql_enqueue, 3, p, &res)) != ERR_OK)
		return rc;
	if (db_nrows(res) == 1) {
		*job_id = db_get_int64(res, 0, 0, 0);
		*created = true;
		return ERR_OK;
	}
	*created = false;
	if ((rc = db_exec(db, a, sql_bump, 3, p, &res)) != ERR_OK)
		return rc;
	if (db_nrows(res) == 0)
		return ERR_CONFLICT;	/* not connected */
	*job_id = db_get_int64(res, 0, 0, 0);
	return ERR_OK;
}

enum err
syncq_purge(struct db *db, struct arena *a, long keep_days, long *purged)
{
	const char *p[2];
	struct db_res *res;
	enum err rc;

	*purged = 0;
	p[0] = db_int64(a, keep_days);
	p[1] = db_int64(a, LIMIT_SYNC_PURGE);
	if ((rc = db_exec(db, a, sql_purge, 2, p, &res)) != ERR_OK)
		return rc;
	*purged = (long)db_get_int64(res, 0, 0, 0);
	return ERR_OK;
}

enum err
syncq_enqueue_daily(struct db *db, struct arena *a, const char *provider,
    long *enqueued, long *connections)
{
	const char *p[1] = { provider };
	struct db_res *res;
	enum err rc;

	if ((rc = db_exec(db, a, sql_daily, 1, p, &res)) != ERR_OK)
		return rc;
	*enqueued = (long)db_get_int64(res, 0, 0, 0);
	*connections = (long)db_get_int64(res, 0, 1, 0);
	return ERR_OK;
}

enum err
syncq_enqueue_due(struct db *db, struct arena *a, int default_hour,
    long *enqueued, long *due)
{
	const char *p[1];
	struct db_res *res;
	enum err rc;

	p[0] = db_int64(a, default_hour);
	if ((rc = db_exec(db, a, sql_due, 1, p, &res)) != ERR_OK)
		return rc;
	*enqueued = (long)db_get_int64(res, 0, 0, 0);
	*due = (long)db_get_int64(res, 0, 1, 0);
	return ERR_OK;
}

enum err
syncq_lease(struct db *db, struct arena *a, const char *worker, int lease_s,
    struct syncq_job *out)
{
	const char *p[2];
	struct db_res *res;
	enum err rc;

	p[0] = worker;
	p[1] = db_int64(a, lease_s);
	if ((rc = db_exec_static(db, a, sql_lease_lost, 2, p, &res)) != ERR_OK)
		return rc;
	if (db_nrows(res) == 0 && (rc = db_exec_static(db, a, sql_lease, 2, p,
	    &res)) != ERR_OK)
		return rc;
	if (db_nrows(res) == 0)
		return ERR_NOTFOUND;
	out->id = db_get_int64(res, 0, 0, 0);
	out->workspace_id = db_get_int64(res, 0, 1, 0);
	out->connection_id = db_get_int64(res, 0, 2, 0);
	out->kind = db_get(res, 0, 3);
	out->attempts = (int)db_get_int64(res, 0, 4, 1);
	return ERR_OK;
}

enum err
syncq_extend(struct db *db, struct arena *a, int64_t job, const char *worker,
    int lease_s)
{
	const char *p[3];
	struct db_res *res;
	enum err rc;

	p[0] = db_int64(a, job);
	p[1] = worker;
	p[2] = db_int64(a, lease_s);
	if ((rc = db_exec_static(db, a, sql_extend, 3, p, &res)) != ERR_OK)
		return rc;
	return db_changed(res) == 1 ? ERR_OK : ERR_CONFLICT;
}

enum err
syncq_finish(struct db *db, struct arena *a, int64_t job, const char *worker,
    const char *error)
{
	const char *p[3];
	struct db_res *res;
	enum err rc;

	p[0] = db_int64(a, job);
	p[1] = worker;
	p[2] = error;
	if ((rc = db_exec_static(db, a, sql_finish, 3, p, &res)) != ERR_OK)
		return rc;
	return db_changed(res) == 1 ? ERR_OK : ERR_CONFLICT;
}

enum err
syncq_retry(struct db *db, struct arena *a, int64_t job, const char *worker,
    int delay_s, bool counted, const char *error)
{
	const char *p[5];
	struct db_res *res;
	enum err rc;

	p[0] = db_int64(a, job);
	p[1] = worker;
	p[2] = db_int64(a, delay_s);
	p[3] = error;
	p[4] = counted ? "true" : "false";
	if ((rc = db_exec_static(db, a, sql_retry, 5, p, &res)) != ERR_OK)
		return rc;
	return db_changed(res) == 1 ? ERR_OK : ERR_CONFLICT;
}

int
syncq_backoff(int attempts, int base_s, int max_s, uint32_t rnd)
{
	long d = base_s > 0 ? base_s : 1;
	int i;

	for (i = 1; i < attempts && d < max_s; i++)
		d *= 2;
	if (d > max_s)
		d = max_s;
	return (int)(d + (long)(rnd % (uint32_t)(d / 2 + 1)));
}

enum err
syncq_status_json(struct db *db, struct arena *a, const char **json)
{
	enum err rc;

	if ((rc = db_value(db, a, sql_status, 0, NULL, json)) != ERR_OK)
		return rc;
	return *json != NULL ? ERR_OK : ERR_DB;
}

enum err
syncq_status_ws_json(struct db *db, struct arena *a, int64_t ws,
    const char **json)
{
	const char *p[1];
	enum err rc;

	p[0] = db_int64(a, ws);
	if ((rc = db_value_static(db, a, sql_ws_status, 1, p, json)) != ERR_OK)
		return rc;
	return *json != NULL ? ERR_OK : ERR_DB;
}

enum err
syncq_log_json(struct db *db, struct arena *a, int64_t ws,
    const char *provider, int limit, const char **json)
{
	const char *p[3];
	enum err rc;

	p[0] = db_int64(a, ws);
	p[1] = provider;
	p[2] = db_int64(a, limit);
	if ((rc = db_value(db, a, sql_log, 3, p, json)) != ERR_OK)
		return rc;
	return *json != NULL ? ERR_OK : ERR_DB;
}
