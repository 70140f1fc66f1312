-- 060_metric_batch_check.sql — metric_daily's rows are checked against
-- their workspace once per batch, not once per row.
--
-- The foreign key ran a referential check per inserted row, each taking a
-- key-share lock on the same workspace row: 40 % of a 90-day backfill's
-- database time (tests/bench/README.md, Sync).  Every writer now goes
-- through one statement (lib/ingest.c) that locks the workspace row once,
-- FOR KEY SHARE, and writes nothing when it is gone; deleting a workspace
-- waits for those writers and then removes its rows here, as ON DELETE
-- CASCADE did.
ALTER TABLE metric_daily DROP CONSTRAINT metric_daily_workspace_id_fkey;

CREATE FUNCTION sluice_metric_daily_cascade() RETURNS trigger
	LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
	DELETE FROM metric_daily WHERE workspace_id = OLD.id;
	RETURN NULL;
END
$$;

CREATE TRIGGER metric_daily_cascade AFTER DELETE ON workspaces
	FOR EACH ROW EXECUTE FUNCTION sluice_metric_daily_cascade();
