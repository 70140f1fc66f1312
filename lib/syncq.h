/*
 * syncq.h — the sync queue (table sync_jobs): enqueue, lease, finish.
 *
 * Cron and "Sync now" only enqueue; workers lease jobs with FOR UPDATE
 * SKIP LOCKED and a lease expiry, so any number of workers on any number
 * of hosts share the queue and a crashed worker's lease runs out and the
 * job is retried.  At most one queued or running job per connection (a
 * unique partial index).
 */
#ifndef SLUICE_SYNCQ_H
#define SLUICE_SYNCQ_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"

struct arena;
struct db;

#define SYNCQ_PRIORITY_MANUAL	10	/* "Sync now" runs ahead of daily */

/*
 * Queues a manual sync of one connection, ahead of the daily ones.  When
 * a job is already queued or running, it is kept (a queued one moves to
 * the front) and *job_id is that job.  *created says which happened.
 */
enum err	 syncq_enqueue_now(struct db *, struct arena *,
		    int64_t workspace_id, int64_t connection_id,
		    int64_t *job_id, bool *created);

/* The state of a connection's latest job: "queued", "running", "done",
 * "failed" or NULL when none (arena-owned). */
enum err	 syncq_state(struct db *, struct arena *, int64_t workspace_id,
		    int64_t connection_id, const char **state);

#endif
