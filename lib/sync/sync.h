/*
 * sync.h — one sync job: a connection's daily metrics, fetched and stored.
 *
 * A connection's daily metrics fetched from its provider for the
 * selected accounts and upserted into metric_daily.
 *
 * The window: an account never synced backfills SLUICE_SYNC_BACKFILL_DAYS
 * whole days ending yesterday, today so far and one day more for a zone
 * ahead of the workspace's (capped by what the provider keeps), so the
 * dashboard's longest period is whole; with the connection's first sync
 * or on its own when ticked later; later runs re-fetch the provider's
 * restatement window (or SLUICE_SYNC_RESTATE_DAYS) plus its publication
 * lag, back to the day after the last one the provider had published,
 * days counted in the account's own time zone.  Rows go through
 * ingest_commit() in batches of LIMIT_SYNC_BATCH, one transaction each,
 * so unchanged rows are not written and a rerun never duplicates.
 *
 * Each selected account syncs on its own: one that fails is recorded
 * (sync_accounts) with a plain message and the others still sync; the
 * run is then "partial" (some synced) or "error" (none).  A rate limit
 * puts the job back after Retry-After without counting the attempt, and
 * a refused login (a 401 after one forced refresh, a refused refresh)
 * leaves the connection needs_reauth: both stop the whole connection.
 * A 5xx, timeout or unreadable body is retried with exponential backoff
 * and jitter up to SLUICE_SYNC_MAX_ATTEMPTS; a body of the wrong shape
 * fails its account naming the field.  Every attempt writes one
 * sync_runs row and updates connections.last_sync_at or last_error.
 */
#ifndef SLUICE_SYNC_H
#define SLUICE_SYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct arena;
struct config;
struct crypto_keyring;
struct db;
struct httpc;
struct syncq_job;

/* Process state and settings of a worker (process lifetime). */
struct sync_env {
	struct db			*db;
	struct httpc			*http;
	const struct crypto_keyring	*keys;
	const struct config		*cfg;
	const char			*worker;	/* lease owner */
	/* SLUICE_SYNC_...: LEASE_S, BACKFILL_DAYS, RESTATE_DAYS (0: the
	 * provider's), MAX_ATTEMPTS, BACKOFF_S, BACKOFF_MAX_S. */
	long				 lease_s;
	long				 backfill_days;
	long				 restate_days;
	long				 max_attempts;
	long				 backoff_s;
	long				 backoff_max_s;
};

/* What sync_job() did, for the worker's log. */
struct sync_outcome {
	const char	*status;	/* ok, partial, error, rate_limited,
					 * auth */
	const char	*error;		/* NULL when ok */
	long		 pages;
	long		 rows_fetched;
	long		 rows_changed;
	bool		 retried;	/* put back in the queue */
};

/*
 * Reads SLUICE_SYNC_* into env (the other fields are left alone).
 * ERR_INPUT with *why (in the arena) naming the variable when one does
 * not parse.
 */
enum err	 sync_env_load(struct arena *, struct sync_env *,
		    const char **why);

/*
 * Runs a leased job to its end: fetch, upsert, record the run, and
 * finish, retry or fail the job.  ERR_OK whatever the provider did (the
 * outcome says); an error only when the database failed, in which case
 * the lease runs out and the job is retried.  Everything in the arena.
 */
enum err	 sync_job(const struct sync_env *, struct arena *,
		    const struct syncq_job *, struct sync_outcome *out);

/*
 * Proactive token care: refreshes the tokens of connected connections
 * that expire within the next hour, and makes one cheap call for those
 * idle for a day (a revoked grant shows before the next sync).  At most
 * limit connections; *checked counts them.
 */
enum err	 sync_token_care(const struct sync_env *, struct arena *,
		    long limit, long *checked);

#endif
