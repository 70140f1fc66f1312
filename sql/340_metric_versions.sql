-- 340_metric_versions.sql — a counter per workspace that every change to
-- its metric_daily rows moves on, in the statement that changes them
-- (issue 19).
--
-- The dashboard tiles of a workspace are kept by each api and pages
-- process for the next request (lib/metrics/tiles.c).  A kept answer is
-- given again only while the version read in the same snapshot as the
-- rows it was made from is still the current one, so a change committed
-- after it is never hidden.
--
-- Triggers, not the writers, move it on: the sync's COPY and upserts,
-- ingest, the deletes of a disconnect or of a workspace's data, and a
-- change made by hand alike.  Each is one per statement, over the rows
-- the statement changed (a transition table: a statement that changed
-- none, as a sync's rerun of unchanged days, moves nothing), so a batch
-- costs one row lock on its workspace's counter, held until its commit
-- (measured: within the noise of a COPY of 840 rows).  A workspace
-- without a row is at version 0; a workspace being deleted gets none.
-- Writing a partition directly (metric_daily_pNN) fires no statement
-- trigger of the parent: the kept answers notice it after
-- LIMIT_TILES_CACHE_SECONDS.
--
-- No foreign key: ON DELETE CASCADE would lock a deleted workspace's
-- counter before its metric rows are deleted (the cascade's trigger fires
-- first), while a sync's UPDATE holding some of those rows waits for the
-- counter — a deadlock (review13).  The rows' own cascade
-- (sluice_metric_daily_cascade(), sql/060) deletes the counter after
-- them, as the rows' writers lock it: rows first, counter last.
CREATE TABLE metric_versions (
	workspace_id	bigint PRIMARY KEY,
	v		bigint NOT NULL
);
-- Every workspace has its row, so that TRUNCATE (which moves every row
-- on) reaches a workspace whose rows were written before this migration.
INSERT INTO metric_versions (workspace_id, v) SELECT id, 0 FROM workspaces;
ALTER TABLE metric_versions ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON metric_versions TO sluice_web
	USING (workspace_id = sluice_workspace())
	WITH CHECK (workspace_id = sluice_workspace());
REVOKE ALL ON metric_versions FROM sluice_web;
GRANT SELECT, INSERT, UPDATE ON metric_versions TO sluice_web;

-- Run as the writer (row security holds: the web role's statements
-- change their own workspace's rows only).
-- Counters are locked in the order of their workspace ids (a statement
-- by hand over several workspaces against another: no deadlock).
CREATE FUNCTION sluice_metrics_changed() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
	INSERT INTO metric_versions AS m (workspace_id, v)
	SELECT w.id, 1 FROM workspaces w
	WHERE w.id IN (SELECT workspace_id FROM changed) ORDER BY w.id
	ON CONFLICT (workspace_id) DO UPDATE SET v = m.v + 1;
	RETURN NULL;
END
$$;

CREATE FUNCTION sluice_metrics_truncated() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
	INSERT INTO metric_versions AS m (workspace_id, v)
	SELECT id, 1 FROM workspaces ORDER BY id
	ON CONFLICT (workspace_id) DO UPDATE SET v = m.v + 1;
	RETURN NULL;
END
$$;

-- sql/060's cascade, then the counter.
CREATE OR REPLACE FUNCTION sluice_metric_daily_cascade() RETURNS trigger
	LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
	DELETE FROM metric_daily WHERE workspace_id = OLD.id;
	DELETE FROM metric_versions WHERE workspace_id = OLD.id;
	RETURN NULL;
END
$$;

CREATE TRIGGER metric_versions_insert AFTER INSERT ON metric_daily
	REFERENCING NEW TABLE AS changed
	FOR EACH STATEMENT EXECUTE FUNCTION sluice_metrics_changed();
CREATE TRIGGER metric_versions_update AFTER UPDATE ON metric_daily
	REFERENCING NEW TABLE AS changed
	FOR EACH STATEMENT EXECUTE FUNCTION sluice_metrics_changed();
CREATE TRIGGER metric_versions_delete AFTER DELETE ON metric_daily
	REFERENCING OLD TABLE AS changed
	FOR EACH STATEMENT EXECUTE FUNCTION sluice_metrics_changed();
CREATE TRIGGER metric_versions_truncate AFTER TRUNCATE ON metric_daily
	FOR EACH STATEMENT EXECUTE FUNCTION sluice_metrics_truncated();
