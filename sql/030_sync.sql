-- 030_sync.sql — what the sync worker needs: at most one daily job per
-- connection and day (cron called twice enqueues nothing the second
-- time, even when the first job already finished), a lookup of leases
-- that ran out, and a status a run ends in when the data was bad.

CREATE UNIQUE INDEX sync_jobs_one_daily ON sync_jobs (connection_id, day)
	WHERE kind = 'daily';

-- Running jobs whose worker died: found by lease expiry.
CREATE INDEX sync_jobs_leased ON sync_jobs (lease_until)
	WHERE status = 'running';

-- The Slack sync continues from the newest message it stored.
CREATE INDEX communications_latest ON communications
	(connection_id, channel_id, ts DESC);
