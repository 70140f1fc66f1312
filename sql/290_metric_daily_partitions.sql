-- 290_metric_daily_partitions.sql — metric_daily is split into 16
-- partitions by a hash of workspace_id (issue 22).
--
-- Every read and write of the programs names one workspace (RLS adds
-- workspace_id = sluice_workspace() to the web role's statements), so
-- each touches one partition: the planner or the executor prunes the
-- other fifteen.  A partition holds a sixteenth of the rows, so its
-- B-trees are shallower and its vacuums and index builds sixteen times
-- smaller; sixteen keeps the statements that read every workspace (the
-- operator's, a backup) to a small fixed cost per partition.  The primary
-- key starts with workspace_id, so ON CONFLICT (the sync's upsert) and
-- COPY work on the partitioned table as they did.
--
-- The rows are copied over in this migration, under an ACCESS EXCLUSIVE
-- lock on the old table: 16 s for a million rows on the shared 2-core
-- test machine at load average 9 (the keys are built after the rows are
-- in, one sort per partition).  In order: the old table is renamed,
-- the new one made with the same columns, defaults and generated
-- currency, filled, given the same keys, indexes, grants and row
-- security, and the one view on it (reporting.metrics_daily) pointed at
-- it before the old table is dropped.  The workspace-delete trigger
-- (060) names metric_daily by name and needs nothing.
ALTER TABLE metric_daily RENAME TO metric_daily_old;
ALTER INDEX metric_daily_pkey RENAME TO metric_daily_old_pkey;
ALTER INDEX metric_daily_tiles RENAME TO metric_daily_old_tiles;

CREATE TABLE metric_daily (
	workspace_id	bigint NOT NULL,
	provider	text COLLATE "C" NOT NULL,
	account_id	text COLLATE "C" NOT NULL,
	metric		text COLLATE "C" NOT NULL,
	day		date NOT NULL,
	value		numeric NOT NULL,
	dims		jsonb NOT NULL DEFAULT '{}',
	updated_at	timestamptz NOT NULL DEFAULT now(),
	currency	text COLLATE "C"
	    GENERATED ALWAYS AS (CASE WHEN dims->>'currency' ~ '^[A-Z]{3}$'
	    THEN dims->>'currency' END) STORED
) PARTITION BY HASH (workspace_id);

DO $$
BEGIN
	FOR i IN 0..15 LOOP
		EXECUTE format('CREATE TABLE %I PARTITION OF metric_daily '
		    'FOR VALUES WITH (MODULUS 16, REMAINDER %s)',
		    'metric_daily_p' || lpad(i::text, 2, '0'), i);
		-- Reached only through metric_daily: the default privileges
		-- (050) would let sluice_web read a partition directly,
		-- past the parent's row security.
		EXECUTE format('REVOKE ALL ON %I FROM sluice_web',
		    'metric_daily_p' || lpad(i::text, 2, '0'));
		EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY',
		    'metric_daily_p' || lpad(i::text, 2, '0'));
	END LOOP;
END
$$;

INSERT INTO metric_daily (workspace_id, provider, account_id, metric, day,
    value, dims, updated_at)
SELECT workspace_id, provider, account_id, metric, day, value, dims,
    updated_at
FROM metric_daily_old;

-- Built after the rows are in: one sort per partition.
ALTER TABLE metric_daily ADD CONSTRAINT metric_daily_pkey
	PRIMARY KEY (workspace_id, provider, account_id, metric, day);
CREATE INDEX metric_daily_tiles ON metric_daily (workspace_id, day)
	INCLUDE (provider, metric, value, currency);

-- The same grants (050: sluice_web reads and writes) and row security:
-- a query through the partitioned table is checked against its policy;
-- the partitions themselves are granted to nobody (above).
GRANT SELECT, INSERT, UPDATE, DELETE ON metric_daily TO sluice_web;
ALTER TABLE metric_daily ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON metric_daily TO sluice_web
	USING (workspace_id = sluice_workspace())
	WITH CHECK (workspace_id = sluice_workspace());

-- 260's view, the same text, now bound to the new table.
CREATE OR REPLACE VIEW reporting.metrics_daily WITH (security_barrier) AS
	SELECT m.provider, m.account_id, m.metric,
	    split_part(m.metric, ':', 1) AS base_metric,
	    k.label, k.unit, k.aggregation,
	    CASE WHEN m.metric ~ ':[0-9]{1,4}d$' THEN substring(m.metric
	    FROM ':([0-9]{1,4})d$')::integer END AS total_days,
	    m.day, m.value, m.currency, m.updated_at
	FROM (SELECT * FROM public.metric_daily WHERE workspace_id = (SELECT
	    l.workspace_id FROM public.reporting_logins l WHERE l.role_name =
	    session_user) OFFSET 0) m
	LEFT JOIN public.metric_catalogue k ON k.provider = m.provider
	    AND k.metric = split_part(m.metric, ':', 1);

DROP TABLE metric_daily_old;
ANALYZE metric_daily;
