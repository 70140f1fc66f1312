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
-- without a row is at version 0; a workspace being deleted gets none
-- (its row goes with it, ON DELETE CASCADE).  Writing a partition
-- directly (metric_daily_pNN) fires no statement trigger of the parent:
-- the kept answers notice it after LIMIT_TILES_CACHE_SECONDS.
CREATE TABLE metric_versions (
	workspace_id	bigint PRIMARY KEY REFERENCES workspaces
			ON DELETE CASCADE,
	v		bigint NOT NULL
);
ALTER TABLE metric_versions ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON metric_versions TO sluice_web
	USING (workspace_id = sluice_workspace())
	WITH CHECK (workspace_id = sluice_workspace());
REVOKE ALL ON metric_versions FROM sluice_web;
GRANT SELECT, INSERT, UPDATE ON metric_versions TO sluice_web;

-- Run as the writer (row security holds: the web role's statements
-- change their own workspace's rows only).
CREATE FUNCTION sluice_metrics_changed() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
	INSERT INTO metric_versions AS m (workspace_id, v)
	SELECT w.id, 1 FROM workspaces w
	WHERE w.id IN (SELECT workspace_id FROM changed)
	ON CONFLICT (workspace_id) DO UPDATE SET v = m.v + 1;
	RETURN NULL;
END
$$;

CREATE FUNCTION sluice_metrics_truncated() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
	UPDATE metric_versions SET v = v + 1;
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
