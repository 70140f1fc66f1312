-- 090_schedule.sql — Sluice keeps its own schedule, and a digest run
-- belongs to one workspace.
--
-- The worker daemon's scheduler (lib/schedule.c) enqueues each workspace's
-- daily sync at a local hour and sends the weekly digest at a local day
-- and hour, without crontab lines; cron calls stay supported and never
-- double the work (sync_jobs_one_daily, digest_sends' unique row).

-- The local hour (in the workspace's time_zone) of the daily sync; NULL
-- follows SLUICE_SCHEDULE_SYNC_HOUR.
ALTER TABLE workspaces ADD COLUMN sync_hour smallint
	CHECK (sync_hour BETWEEN 0 AND 23);

-- One row per running scheduler (host:pid), with its last tick: the pages
-- and /internal/scheduler-status show a stopped or stuck scheduler.  Not
-- tenant data; the web role may read it, never write it.
CREATE TABLE scheduler_beats (
	name		text PRIMARY KEY,
	started_at	timestamptz NOT NULL DEFAULT now(),
	beat_at		timestamptz NOT NULL DEFAULT now()
);
GRANT SELECT ON scheduler_beats TO sluice_web;
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON scheduler_beats FROM sluice_web;

-- Digest runs per workspace.  A run over every workspace (cron's call)
-- writes one row per workspace with that workspace's counts and errors,
-- plus one summary row without a workspace (the operator's, like every
-- row written before this migration).  Tenants see only their own rows
-- (row-level security below); a workspace's cooldown is its own.
--   started_by  cron (X-Cron-Secret), admin (an admin's API key), schedule
--   complete    a run for every member that reached its end (no quota
--               stop, no error): the scheduler's week is done
--   quota       stopped by Resend's daily quota
ALTER TABLE digest_runs
	ADD COLUMN workspace_id bigint REFERENCES workspaces ON DELETE CASCADE,
	ADD COLUMN started_by text NOT NULL DEFAULT 'cron'
		CHECK (started_by IN ('cron', 'admin', 'schedule')),
	ADD COLUMN complete boolean NOT NULL DEFAULT false,
	ADD COLUMN quota boolean NOT NULL DEFAULT false;
CREATE INDEX digest_runs_workspace ON digest_runs (workspace_id, id DESC);

ALTER TABLE digest_runs ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON digest_runs TO sluice_web
	USING (workspace_id = sluice_workspace())
	WITH CHECK (workspace_id = sluice_workspace());
