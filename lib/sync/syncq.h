/*
 * syncq.h — the sync queue (table sync_jobs): enqueue, lease, finish.
 *
 * Cron and "Sync now" only enqueue; workers lease jobs with FOR UPDATE
 * SKIP LOCKED and a lease expiry, so any number of workers on any number
 * of hosts share the queue and a crashed worker's lease runs out and the
 * job is retried.  At most one queued or running job per connection (a
 * unique partial index), at most one daily job per connection and day
 * (the workspace's day, in its time zone), whoever enqueues it: cron's
 * call or the scheduler (lib/sync/schedule), on any number of hosts.
 * Strings returned live in the caller's arena.
 */
#ifndef SLUICE_SYNCQ_H
#define SLUICE_SYNCQ_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"

struct arena;
struct db;

#define SYNCQ_PRIORITY_MANUAL	10	/* "Sync now" goes first */

/* A leased job. */
struct syncq_job {
	int64_t		 id;
	int64_t		 workspace_id;
	int64_t		 connection_id;
	const char	*kind;		/* daily, manual, backfill */
	int		 attempts;	/* including this one */
};

/*
 * Queues a manual sync of one connection, ahead of the daily ones.  When
 * a job is already queued or running, it is kept (a queued one moves to
 * the front) and *job_id is that job.  *created says which happened.
 */
enum err	 syncq_enqueue_now(struct db *, struct arena *,
		    int64_t workspace_id, int64_t connection_id,
		    int64_t *job_id, bool *created);

/*
 * Deletes finished jobs (done or failed) that finished more than
 * keep_days ago, at most LIMIT_SYNC_PURGE at a time; their runs stay in
 * sync_runs (job_id set to NULL).  *purged counts them.
 */
enum err	 syncq_purge(struct db *, struct arena *, long keep_days,
		    long *purged);

/*
 * Queues today's daily job (today in the workspace's zone) for every
 * connected connection (of provider only, when not NULL) that has none
 * yet.  *enqueued counts the new jobs, *connections the connected
 * connections considered; the others already had today's job or an
 * active one.
 */
enum err	 syncq_enqueue_daily(struct db *, struct arena *,
		    const char *provider, long *enqueued, long *connections);

/*
 * The scheduler's daily enqueue: for each workspace whose sync hour
 * (workspaces.sync_hour, else default_hour; in its time zone) has come
 * today, queues today's daily job for its connected connections that
 * were made before that hour and have not synced since.  Safe to call
 * any number of times from any number of hosts, and beside cron's call.
 * *enqueued counts the new jobs, *due the connections that were due
 * (some may have had an active job).
 */
enum err	 syncq_enqueue_due(struct db *, struct arena *,
		    int default_hour, long *enqueued, long *due);

/*
 * Leases a running job whose lease ran out (its worker died), else the
 * next due one (highest priority, then oldest), for lease_s seconds
 * under the name worker; counts an attempt.  ERR_OK with *out filled,
 * ERR_NOTFOUND when nothing is due.
 */
enum err	 syncq_lease(struct db *, struct arena *, const char *worker,
		    int lease_s, struct syncq_job *out);

/* Extends the lease of a job the worker holds; ERR_CONFLICT when the
 * worker lost it (it ran out and another worker took the job). */
enum err	 syncq_extend(struct db *, struct arena *, int64_t job_id,
		    const char *worker, int lease_s);

/* Ends a held job: done (error NULL) or failed with the error. */
enum err	 syncq_finish(struct db *, struct arena *, int64_t job_id,
		    const char *worker, const char *error);

/*
 * Puts a held job back in the queue to run after delay_s seconds with the
 * error recorded; counted false gives the attempt back (rate limits).
 */
enum err	 syncq_retry(struct db *, struct arena *, int64_t job_id,
		    const char *worker, int delay_s, bool counted,
		    const char *error);

/*
 * The wait before attempt n + 1 after n failed attempts: base_s * 2^(n-1),
 * at most max_s, plus up to half of it again at random (jitter from
 * rnd, any value).  Pure.
 */
int		 syncq_backoff(int attempts, int base_s, int max_s,
		    uint32_t rnd);

/*
 * The scheduler's state as JSON text: {"queued","due","running",
 * "expired_leases","oldest_waiting":{"id","since","wait_s"}|null,
 * "last_daily":{"day","jobs","done","failed","waiting",
 * "last_finished_at"}|null}; built by the database, arena-owned.
 */
enum err	 syncq_status_json(struct db *, struct arena *,
		    const char **json);

/*
 * The workspace's connections with their sync state as JSON text:
 * {"connections":[{"id","provider","status","last_sync_at","last_error",
 * "job":{"status","kind","run_after","attempts","last_error"}|null,
 * "last_run":{...}|null}]}; arena-owned.
 */
enum err	 syncq_status_ws_json(struct db *, struct arena *,
		    int64_t workspace_id, const char **json);

/*
 * The workspace's latest sync_runs (of provider only, when not NULL),
 * newest first, at most limit: {"runs":[{"id","connection_id",
 * "provider","job_id","status","started_at","finished_at","pages",
 * "rows_fetched","rows_changed","duration_ms","error"}]}; arena-owned.
 */
enum err	 syncq_log_json(struct db *, struct arena *,
		    int64_t workspace_id, const char *provider, int limit,
		    const char **json);

#endif
