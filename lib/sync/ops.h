/*
 * ops.h — the database's numbers for the metrics scrape and /readyz.
 *
 * What an operator watches: the scrape's numbers, the workers'
 * heartbeat, the queue.
 *
 * Every statement here reads across workspaces, so it runs with the
 * privileges the cron program and /readyz already use for the queue's
 * status (the owner role, outside any tenant's scope: lib/web/app.c
 * scopes only requests made for a workspace).  None reads a secret
 * column (tokens, hashes, addresses).
 *
 * Recorded nowhere, so not exported: token refreshes (a refusal shows
 * as a connection in needs_reauth), and the time spent waiting on a
 * provider's rate limit (a run that ended on one has outcome
 * "rate_limited").
 */
#ifndef SLUICE_OPS_H
#define SLUICE_OPS_H

#include <stdint.h>

#include "base/err.h"

struct arena;
struct db;
struct prom;

/* The queue's state at one moment. */
struct ops_queue {
	int64_t		 queued;	/* waiting, due or not */
	int64_t		 due;		/* waiting and due now */
	int64_t		 running;	/* leased, lease not run out */
	int64_t		 expired;	/* leased, lease ran out */
	int64_t		 oldest_wait_s;	/* oldest due job's wait, or 0 */
};

/*
 * Writes the database's families: sync runs (histogram of durations by
 * provider and outcome), rows written and fetched, the queue, expired
 * leases, connections by provider and status, the last daily run done,
 * digest emails by status.  Errors from the database (ERR_UNAVAILABLE,
 * ERR_DB) are returned; the writer's own stay in it (prom_error()).
 */
enum err	 ops_metrics(struct db *, struct arena *, struct prom *);

/* The queue now.  Errors as db_exec(). */
enum err	 ops_queue(struct db *, struct arena *, struct ops_queue *out);

/*
 * Records that worker name (host:pid:slot) is alive now; drops the rows
 * of workers not seen for a day.  Errors as db_exec().
 */
enum err	 ops_worker_beat(struct db *, struct arena *, const char *name);

/* Seconds since any worker's last beat in *age_s, -1 when none ever
 * beat.  Errors as db_exec(). */
enum err	 ops_worker_age(struct db *, struct arena *, long *age_s);

#endif
