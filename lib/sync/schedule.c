/*
 * schedule.c — the built-in schedule: the scheduler's tick (daily
 * enqueue, weekly digest, purge, heartbeat) and what the pages and the
 * status show about it (see schedule.h).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/arena.h"
#include "base/config.h"
#include "base/limit.h"
#include "base/log.h"
#include "base/mem.h"
#include "mail/digest.h"
#include "mail/email.h"
#include "store/db.h"
#include "sync/schedule.h"
#include "sync/syncq.h"

/* The heartbeat; beats of schedulers gone for a day are dropped. */
static const char sql_beat[] =
	"WITH d AS (DELETE FROM scheduler_beats WHERE beat_at < now() - "
	"interval '1 day' AND name <> $1) "
	"INSERT INTO scheduler_beats (name) VALUES ($1) ON CONFLICT (name) "
	"DO UPDATE SET beat_at = now()";

/*
 * Workspaces with members whose digest day and hour ($1, $2) have come
 * this week (their zone), that existed before it began (a workspace set
 * up this week has no last week to tell of), and whose last full week
 * has no complete run,
 * none that ended within the cooldown ($3), or the quota wait after a
 * quota stop ($4); at most $5.  digest_weekly() checks again under the
 * workspace's lock.
 */
static const char sql_digest_due[] =
	"SELECT w.id FROM workspaces w "
	"CROSS JOIN LATERAL (SELECT now() AT TIME ZONE w.time_zone AS lt) l "
	"CROSS JOIN LATERAL (SELECT date_trunc('week', l.lt) AS wk) k "
	"WHERE l.lt >= k.wk + make_interval(days => $1::int - 1, "
	"hours => $2::int) "
	"AND (w.created_at AT TIME ZONE w.time_zone) < k.wk "
	"AND EXISTS (SELECT 1 FROM memberships m WHERE m.workspace_id = w.id) "
	"AND NOT EXISTS (SELECT 1 FROM digest_runs r WHERE "
	"r.workspace_id = w.id AND r.kind = 'weekly' AND ((r.complete AND "
	"r.scope = 'all' AND r.period_start = k.wk::date - 7) OR "
	"r.finished_at > now() - make_interval(secs => $3::int) OR "
	"(r.quota AND r.finished_at > now() - make_interval(secs => $4::int))"
	")) ORDER BY w.id LIMIT $5::int";

/*
 * The same for the monthly digest: from the 1st of the month at the
 * digest hour ($2; $1 unused, the day is the 1st), workspaces that existed
 * before the month began, with a member who chose it and no complete
 * monthly run for the last month.
 */
static const char sql_monthly_due[] =
	"SELECT w.id FROM workspaces w "
	"CROSS JOIN LATERAL (SELECT now() AT TIME ZONE w.time_zone AS lt) l "
	"CROSS JOIN LATERAL (SELECT date_trunc('month', l.lt) AS mo) k "
	"WHERE $1::int > 0 AND l.lt >= k.mo + make_interval(hours => $2::int) "
	"AND (w.created_at AT TIME ZONE w.time_zone) < k.mo "
	"AND EXISTS (SELECT 1 FROM digest_subscriptions d JOIN users u ON "
	"lower(u.email) = lower(d.email) JOIN memberships m ON "
	"m.user_id = u.id AND m.workspace_id = d.workspace_id "
	"WHERE d.workspace_id = w.id AND d.monthly) "
	"AND NOT EXISTS (SELECT 1 FROM digest_runs r WHERE "
	"r.workspace_id = w.id AND r.kind = 'monthly' AND ((r.complete AND "
	"r.scope = 'all' AND r.period_start = "
	"(k.mo - interval '1 month')::date) "
	"OR r.finished_at > now() - make_interval(secs => $3::int) OR "
	"(r.quota AND r.finished_at > now() - make_interval(secs => $4::int))"
	")) ORDER BY w.id LIMIT $5::int";

/* "2026-03-02 03:00 Europe/Paris": a local time, its zone named. */
#define LOCAL(t)	"to_char(" t ", 'YYYY-MM-DD HH24:MI ') || tz"

/*
 * One workspace: its zone, its sync hour ($2 the default), the next
 * daily run and the next digest ($3 day, $4 hour) in its zone, and the
 * last heartbeat of any scheduler.
 */
static const char sql_view[] =
	"WITH w AS (SELECT time_zone AS tz, coalesce(sync_hour, $2::int) AS h, "
	"sync_hour IS NULL AS dflt, now() AT TIME ZONE time_zone AS lt "
	"FROM workspaces WHERE id = $1), "
	"x AS (SELECT *, date_trunc('day', lt) + make_interval(hours => h) "
	"AS sd, date_trunc('week', lt) + make_interval(days => $3::int - 1, "
	"hours => $4::int) AS dd FROM w), "
	"b AS (SELECT max(beat_at) AS t FROM scheduler_beats) "
	"SELECT tz, h, dflt, "
	LOCAL("CASE WHEN lt < sd THEN sd ELSE sd + interval '1 day' END") ", "
	LOCAL("CASE WHEN lt < dd THEN dd ELSE dd + interval '7 days' END") ", "
	LOCAL("b.t AT TIME ZONE tz") ", "
	"coalesce(extract(epoch FROM now() - b.t)::bigint, -1) FROM x, b";

static const char sql_set_hour[] =
	"UPDATE workspaces SET sync_hour = $2::smallint WHERE id = $1 "
	"RETURNING 1";

/*
 * The status: $1 enabled, $2 tick, $3 stale after, $4 default sync hour,
 * $5 digest configured, $6 digest day, $7 digest hour.  The next daily
 * run among workspaces with a connected connection, the next digest
 * among workspaces with members.
 */
static const char sql_status[] =
	"WITH b AS (SELECT max(beat_at) AS t FROM scheduler_beats), "
	"w AS (SELECT id, time_zone AS tz, now() AT TIME ZONE time_zone AS lt, "
	"coalesce(sync_hour, $4::int) AS h FROM workspaces), "
	"s AS (SELECT id, tz, CASE WHEN lt < sd THEN sd ELSE sd + "
	"interval '1 day' END AS nl FROM (SELECT *, date_trunc('day', lt) + "
	"make_interval(hours => h) AS sd FROM w) x WHERE EXISTS (SELECT 1 "
	"FROM connections c WHERE c.workspace_id = x.id AND "
	"c.status = 'connected')), "
	"g AS (SELECT id, tz, CASE WHEN lt < dd THEN dd ELSE dd + "
	"interval '7 days' END AS nl FROM (SELECT *, date_trunc('week', lt) + "
	"make_interval(days => $6::int - 1, hours => $7::int) AS dd FROM w) x "
	"WHERE EXISTS (SELECT 1 FROM memberships m WHERE "
	"m.workspace_id = x.id)) "
	"SELECT json_build_object("
	"'enabled', $1::boolean, 'tick_s', $2::int, 'stale_after_s', $3::int, "
	"'last_tick', (SELECT t FROM b), "
	"'stale', $1::boolean AND coalesce((SELECT t FROM b) < now() - "
	"make_interval(secs => $3::int), true), "
	"'instances', (SELECT coalesce(json_agg(json_build_object('name', "
	"name, 'started_at', started_at, 'last_tick', beat_at) ORDER BY "
	"name), '[]'::json) FROM scheduler_beats WHERE beat_at > now() - "
	"make_interval(secs => $3::int)), "
	"'sync_hour', $4::int, "
	"'next_daily', CASE WHEN $1::boolean THEN (SELECT json_build_object("
	"'at', nl AT TIME ZONE tz, 'local', to_char(nl, 'YYYY-MM-DD HH24:MI'), "
	"'time_zone', tz, 'workspace_id', id) FROM s ORDER BY "
	"nl AT TIME ZONE tz, id LIMIT 1) END, "
	"'digest', json_build_object('enabled', $1::boolean AND $5::boolean, "
	"'day', $6::int, 'hour', $7::int, 'next', CASE WHEN $1::boolean AND "
	"$5::boolean THEN (SELECT json_build_object('at', nl AT TIME ZONE tz, "
	"'local', to_char(nl, 'YYYY-MM-DD HH24:MI'), 'time_zone', tz, "
	"'workspace_id', id) FROM g ORDER BY nl AT TIME ZONE tz, id LIMIT 1) "
	"END))::text";

enum err
schedule_cfg_load(struct arena *a, struct schedule_cfg *sc, const char **why)
{
	const struct config_long vars[] = {
		{ "SLUICE_SCHEDULER_TICK_S", 30, 1, 3600, &sc->tick_s },
		{ "SLUICE_SCHEDULER_STALE_S", 300, 10, 86400, &sc->stale_s },
		{ "SLUICE_SCHEDULE_SYNC_HOUR", 3, 0, 23, &sc->sync_hour },
		{ "SLUICE_SCHEDULE_DIGEST_DAY", 1, 1, 7, &sc->digest_day },
		{ "SLUICE_SCHEDULE_DIGEST_HOUR", 7, 0, 23, &sc->digest_hour },
		{ "SLUICE_SYNC_KEEP_JOBS_DAYS", 30, 1, 36500,
		    &sc->keep_jobs_days },
	};

	memset(sc, 0, sizeof(*sc));
	if (config_bool(a, "SLUICE_SCHEDULER", true, &sc->enabled, why) !=
	    ERR_OK)
		return ERR_INPUT;
	return config_longs(a, vars, nitems(vars), why);
}

static enum err
beat(struct schedule_env *env, struct arena *a)
{
	const char *p[1] = { env->name };

	return db_exec(env->db, a, sql_beat, 1, p, NULL);
}

/* Digests go out: Resend (or SLUICE_MAIL_DIR) is configured and the
 * templates are loaded. */
static bool
can_send(const struct schedule_env *env)
{
	return email_sending(env->cfg) && env->tmpl != NULL;
}

/* The due workspaces' digests of a kind, one after the other, a beat
 * after each. */
static enum err
digests(struct schedule_env *env, struct arena *a, enum digest_kind kind,
    struct schedule_tick *out)
{
	const struct schedule_cfg *sc = env->sc;
	struct digest_env de = { env->db, a, env->cfg, env->tmpl, env->http };
	struct digest_report rep;
	struct db_res *res;
	const char *p[5];
	int64_t ws;
	long wait;
	size_t i;
	enum err rc;

	p[0] = db_int64(a, sc->digest_day);
	p[1] = db_int64(a, sc->digest_hour);
	p[2] = db_int64(a, LIMIT_DIGEST_COOLDOWN_S);
	p[3] = db_int64(a, LIMIT_DIGEST_QUOTA_WAIT_S);
	p[4] = db_int64(a, LIMIT_SCHEDULE_DIGESTS);
	if ((rc = db_exec(env->db, a, kind == DIGEST_MONTHLY ?
	    sql_monthly_due : sql_digest_due, 5, p, &res)) != ERR_OK)
		return rc;
	for (i = 0; i < db_nrows(res) && !*env->stopping; i++) {
		ws = db_get_int64(res, i, 0, 0);
		rc = digest_run(&de, kind, DIGEST_SCHEDULE, ws, NULL, &rep,
		    &wait);
		/* Done meanwhile, or running elsewhere: nothing to do. */
		if (rc == ERR_RATELIMIT)
			continue;
		if (rc == ERR_OK) {
			out->digests++;
			out->sent += rep.sent;
			out->failed += rep.failed;
			log_msg(LOG_INFO, NULL, "schedule", "%s digest of "
			    "workspace %lld: run %lld sent=%d skipped=%d "
			    "failed=%d%s", kind == DIGEST_MONTHLY ? "monthly" :
			    "weekly",
			    (long long)ws, (long long)rep.run_id, rep.sent,
			    rep.skipped, rep.failed, rep.quota ? " (daily "
			    "quota reached: tried again later)" : "");
		} else {
			log_msg(LOG_WARN, NULL, "schedule", "digest of "
			    "workspace %lld: %s (tried again later)",
			    (long long)ws, err_code(rc));
			if (rc == ERR_UNAVAILABLE)
				return rc;	/* the database went away */
		}
		if ((rc = beat(env, a)) != ERR_OK)
			return rc;
	}
	return ERR_OK;
}

enum err
schedule_tick(struct schedule_env *env, struct arena *a,
    struct schedule_tick *out)
{
	const struct schedule_cfg *sc = env->sc;
	long now = (long)time(NULL);
	enum err rc;

	memset(out, 0, sizeof(*out));
	if ((rc = syncq_enqueue_due(env->db, a, (int)sc->sync_hour,
	    &out->enqueued, &out->due)) != ERR_OK)
		return rc;
	if (out->enqueued > 0)
		log_msg(LOG_INFO, NULL, "schedule", "daily sync: %ld jobs "
		    "queued (%ld connections due)", out->enqueued, out->due);
	if (env->last_purge == 0 || now - env->last_purge >=
	    LIMIT_SCHEDULE_PURGE_S) {
		if ((rc = syncq_purge(env->db, a, sc->keep_jobs_days,
		    &out->purged)) != ERR_OK)
			return rc;
		env->last_purge = now;
	}
	if ((rc = beat(env, a)) != ERR_OK)
		return rc;
	if (!can_send(env))
		return ERR_OK;
	if ((rc = digests(env, a, DIGEST_WEEKLY, out)) != ERR_OK)
		return rc;
	return digests(env, a, DIGEST_MONTHLY, out);
}

enum err
schedule_workspace(struct db *db, struct arena *a,
    const struct schedule_cfg *sc, bool digest_on, int64_t ws,
    struct schedule_view *out)
{
	const char *p[4];
	struct db_res *res;
	enum err rc;

	memset(out, 0, sizeof(*out));
	p[0] = db_int64(a, ws);
	p[1] = db_int64(a, sc->sync_hour);
	p[2] = db_int64(a, sc->digest_day);
	p[3] = db_int64(a, sc->digest_hour);
	if ((rc = db_exec(db, a, sql_view, 4, p, &res)) != ERR_OK)
		return rc;
	if (db_nrows(res) != 1)
		return ERR_NOTFOUND;
	out->enabled = sc->enabled;
	out->default_hour = (int)sc->sync_hour;
	out->time_zone = db_get(res, 0, 0);
	out->sync_hour = (int)db_get_int64(res, 0, 1, sc->sync_hour);
	out->sync_hour_default = strcmp(db_get(res, 0, 2), "t") == 0;
	out->next_sync = db_get(res, 0, 3);
	out->next_digest = digest_on ? db_get(res, 0, 4) : NULL;
	out->last_tick = db_get(res, 0, 5);
	out->tick_age_s = (long)db_get_int64(res, 0, 6, -1);
	out->stale = sc->enabled && (out->tick_age_s < 0 ||
	    out->tick_age_s > sc->stale_s);
	return ERR_OK;
}

enum err
schedule_set_hour(struct db *db, struct arena *a, int64_t ws, int hour)
{
	const char *p[2];
	struct db_res *res;
	enum err rc;

	if (hour < -1 || hour > 23)
		return ERR_INPUT;
	p[0] = db_int64(a, ws);
	p[1] = hour < 0 ? NULL : arena_printf(a, "%d", hour);
	if ((rc = db_exec(db, a, sql_set_hour, 2, p, &res)) != ERR_OK)
		return rc;
	return db_nrows(res) == 1 ? ERR_OK : ERR_NOTFOUND;
}

static const char sql_beat_age[] =
	"SELECT coalesce(floor(extract(epoch FROM now() - max(beat_at))), -1) "
	"FROM scheduler_beats";

enum err
schedule_beat_age(struct db *db, struct arena *a, long *age_s)
{
	struct db_res *res;
	enum err rc;

	*age_s = -1;
	if ((rc = db_exec_static(db, a, sql_beat_age, 0, NULL, &res)) !=
	    ERR_OK)
		return rc;
	*age_s = (long)db_get_int64(res, 0, 0, -1);
	return ERR_OK;
}

enum err
schedule_status_json(struct db *db, struct arena *a,
    const struct schedule_cfg *sc, bool digest_on, const char **json)
{
	const char *p[7];
	enum err rc;

	p[0] = sc->enabled ? "t" : "f";
	p[1] = db_int64(a, sc->tick_s);
	p[2] = db_int64(a, sc->stale_s);
	p[3] = db_int64(a, sc->sync_hour);
	p[4] = digest_on ? "t" : "f";
	p[5] = db_int64(a, sc->digest_day);
	p[6] = db_int64(a, sc->digest_hour);
	if ((rc = db_value(db, a, sql_status, 7, p, json)) != ERR_OK)
		return rc;
	return *json != NULL ? ERR_OK : ERR_DB;
}
