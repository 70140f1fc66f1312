-- 130_worker_beats.sql — the sync workers' heartbeat, for /readyz.
--
-- Every worker (daemon or --once) records its name (host:pid:slot) and
-- the time it last looked at the queue, at most every LIMIT_WORKER_BEAT_S
-- seconds; /readyz?details=1 warns when no worker was seen for
-- LIMIT_WORKER_STALE_S.  Rows of workers gone for a day are dropped by
-- the next beat.  Not tenant data: the web role may read it, never write.
CREATE TABLE worker_beats (
	name		text PRIMARY KEY,
	started_at	timestamptz NOT NULL DEFAULT now(),
	beat_at		timestamptz NOT NULL DEFAULT now()
);
GRANT SELECT ON worker_beats TO sluice_web;
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON worker_beats FROM sluice_web;

-- The last daily job that finished, for the metrics scrape's
-- sluice_sync_daily_last_done_timestamp_seconds (an alert: no daily run in
-- 26 hours) without a scan of the queue.  Built while the table takes no
-- writes; sync_jobs keeps SLUICE_SYNC_KEEP_JOBS_DAYS of jobs (300,000
-- rows at 10,000 connections), which builds in well under a second.
CREATE INDEX sync_jobs_daily_done ON sync_jobs (finished_at)
	WHERE kind = 'daily' AND status = 'done';
