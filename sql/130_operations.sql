-- 130_operations.sql — what operators watch: the sync workers' heartbeat
-- (/readyz), and counts the metrics scrape reads without scanning.
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

-- Finished sync runs counted as they finish, for the metrics scrape:
-- sluice_sync_run_duration_seconds and the rows written and fetched
-- read these few rows instead of every run (300,000 runs for a month of
-- 10,000 connections took 80 ms to aggregate; tests/bench/README.md).
-- One row per provider, outcome, duration bucket and shard; the shard
-- (the writer's backend pid modulo 8) keeps workers that finish at the
-- same moment from waiting on one row.  Counts only grow: a run deleted
-- with its connection stays counted, as a Prometheus counter should.
-- bucket is width_bucket(duration_ms, bounds) with the bounds of
-- lib/sync/ops.c (each limit plus one millisecond: bucket i holds
-- durations in (limit[i-1], limit[i]] seconds).  Written only by the
-- trigger (as the owner, whoever finishes the run); the web role reads.
CREATE TABLE sync_run_totals (
	provider	text NOT NULL,
	outcome		text NOT NULL,
	bucket		smallint NOT NULL,
	shard		smallint NOT NULL,
	runs		bigint NOT NULL DEFAULT 0,
	duration_ms	bigint NOT NULL DEFAULT 0,
	rows_changed	bigint NOT NULL DEFAULT 0,
	rows_fetched	bigint NOT NULL DEFAULT 0,
	PRIMARY KEY (provider, outcome, bucket, shard)
);
REVOKE ALL ON sync_run_totals FROM sluice_web;
GRANT SELECT ON sync_run_totals TO sluice_web;

CREATE FUNCTION sluice_sync_run_bucket(ms integer) RETURNS smallint
LANGUAGE sql IMMUTABLE AS $$
	SELECT width_bucket(coalesce(ms, 0), '{1001,5001,15001,30001,60001,
	    120001,300001,600001,1800001,3600001}'::int[])::smallint
$$;

CREATE FUNCTION sluice_sync_run_count() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
	INSERT INTO sync_run_totals AS t (provider, outcome, bucket, shard,
		runs, duration_ms, rows_changed, rows_fetched)
	VALUES (NEW.provider, NEW.status,
		sluice_sync_run_bucket(NEW.duration_ms),
		pg_backend_pid() % 8, 1, coalesce(NEW.duration_ms, 0),
		NEW.rows_changed, NEW.rows_fetched)
	ON CONFLICT (provider, outcome, bucket, shard) DO UPDATE SET
		runs = t.runs + 1,
		duration_ms = t.duration_ms + excluded.duration_ms,
		rows_changed = t.rows_changed + excluded.rows_changed,
		rows_fetched = t.rows_fetched + excluded.rows_fetched;
	RETURN NULL;
END
$$;

-- A run is counted once: when it gets its finished_at (every run's end
-- in lib/sync/sync.c sets it, with its final status), or when it is
-- inserted already finished (imports, the benchmark).
CREATE TRIGGER sync_runs_count_finish AFTER UPDATE OF finished_at
	ON sync_runs FOR EACH ROW
	WHEN (OLD.finished_at IS NULL AND NEW.finished_at IS NOT NULL AND
	    NEW.status <> 'running')
	EXECUTE FUNCTION sluice_sync_run_count();
CREATE TRIGGER sync_runs_count_insert AFTER INSERT ON sync_runs
	FOR EACH ROW
	WHEN (NEW.finished_at IS NOT NULL AND NEW.status <> 'running')
	EXECUTE FUNCTION sluice_sync_run_count();

-- The runs finished before this migration, once.  The triggers' lock on
-- sync_runs (no writes, reads go on) lasts until this commits: about
-- 0.3 s per 300,000 runs.
INSERT INTO sync_run_totals (provider, outcome, bucket, shard, runs,
	duration_ms, rows_changed, rows_fetched)
SELECT provider, status, sluice_sync_run_bucket(duration_ms), 0, count(*),
	coalesce(sum(duration_ms), 0), sum(rows_changed), sum(rows_fetched)
FROM sync_runs WHERE finished_at IS NOT NULL AND status <> 'running'
GROUP BY 1, 2, 3;

-- Digest emails counted as they reach a status, for the scrape's
-- sluice_digest_emails_total{status}: counting digest_sends at each
-- scrape took 27 ms with a year of them (156,000 rows at 1,000
-- workspaces).  A send that went out and later bounced counts once as
-- sent and once as failed; a claim released unsent is not counted.
CREATE TABLE digest_send_totals (
	status		text NOT NULL,
	shard		smallint NOT NULL,
	emails		bigint NOT NULL DEFAULT 0,
	PRIMARY KEY (status, shard)
);
REVOKE ALL ON digest_send_totals FROM sluice_web;
GRANT SELECT ON digest_send_totals TO sluice_web;

CREATE FUNCTION sluice_digest_send_count() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
	INSERT INTO digest_send_totals AS t (status, shard, emails)
	VALUES (NEW.status, pg_backend_pid() % 8, 1)
	ON CONFLICT (status, shard) DO UPDATE SET emails = t.emails + 1;
	RETURN NULL;
END
$$;

CREATE TRIGGER digest_sends_count_insert AFTER INSERT ON digest_sends
	FOR EACH ROW WHEN (NEW.status <> 'claimed')
	EXECUTE FUNCTION sluice_digest_send_count();
CREATE TRIGGER digest_sends_count_update AFTER UPDATE OF status
	ON digest_sends FOR EACH ROW
	WHEN (NEW.status IS DISTINCT FROM OLD.status AND
	    NEW.status <> 'claimed')
	EXECUTE FUNCTION sluice_digest_send_count();

INSERT INTO digest_send_totals (status, shard, emails)
SELECT status, 0, count(*) FROM digest_sends WHERE status <> 'claimed'
GROUP BY 1;
