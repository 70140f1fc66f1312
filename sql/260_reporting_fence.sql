-- 260_reporting_fence.sql — a reporting login's own WHERE never reaches
-- another workspace's rows, and logins cannot crowd the server.
--
-- A security_barrier view keeps a login's non-leakproof conditions above
-- the workspace filter, but PostgreSQL still pushes leakproof ones (text
-- and date comparisons, starts_with) down to the base table's scan, where
-- EXPLAIN ANALYZE counts the rows of every workspace they match: an
-- outside review read another workspace's name and account ids that way.
-- Each base table is now read through a subquery that filters on the
-- login's workspace and ends in OFFSET 0, which the planner never pushes
-- conditions into: what a login's condition meets is its own rows only.
-- Same columns, same order, as the views of 200.
--
-- reporting_login_new also counts, under a lock, the logins of the
-- workspace (at most 10) and of the whole installation (at most 15, each
-- with at most 3 connections: 45 of the server's connections at most),
-- so concurrent requests cannot pass either bound.

CREATE OR REPLACE VIEW reporting.workspace WITH (security_barrier) AS
	SELECT w.id AS workspace_id, w.name, w.time_zone
	FROM (SELECT * FROM public.workspaces WHERE id = (SELECT
	    l.workspace_id FROM public.reporting_logins l WHERE l.role_name =
	    session_user) OFFSET 0) w;

CREATE OR REPLACE VIEW reporting.connections WITH (security_barrier) AS
	SELECT c.id AS connection_id, c.provider, c.status, c.last_sync_at,
	    c.last_error, c.created_at
	FROM (SELECT * FROM public.connections WHERE workspace_id = (SELECT
	    l.workspace_id FROM public.reporting_logins l WHERE l.role_name =
	    session_user) OFFSET 0) c;

CREATE OR REPLACE VIEW reporting.accounts WITH (security_barrier) AS
	SELECT c.id AS connection_id, c.provider, a->>'id' AS account_id,
	    a->>'name' AS name, a->>'time_zone' AS time_zone,
	    a->>'currency' AS currency, c.selected @> jsonb_build_array(
	    a->'id') AS selected, s.status AS sync_status,
	    s.synced_at AS last_synced_at, s.data_through
	FROM (SELECT * FROM public.connections WHERE workspace_id = (SELECT
	    l.workspace_id FROM public.reporting_logins l WHERE l.role_name =
	    session_user) OFFSET 0) c
	CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN
	    jsonb_typeof(c.accounts) = 'array' THEN c.accounts ELSE '[]'
	    END) a
	LEFT JOIN (SELECT * FROM public.sync_accounts WHERE workspace_id =
	    (SELECT l.workspace_id FROM public.reporting_logins l WHERE
	    l.role_name = session_user) OFFSET 0) s ON s.connection_id = c.id
	    AND s.account_id = a->>'id';

CREATE OR REPLACE VIEW reporting.sync_runs WITH (security_barrier) AS
	SELECT r.id AS run_id, r.connection_id, r.provider, r.started_at,
	    r.finished_at, r.status, r.rows_fetched, r.rows_changed,
	    r.duration_ms, r.error
	FROM (SELECT * FROM public.sync_runs WHERE workspace_id = (SELECT
	    l.workspace_id FROM public.reporting_logins l WHERE l.role_name =
	    session_user) OFFSET 0) r;

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

CREATE OR REPLACE FUNCTION reporting_login_new(ws bigint, uid bigint,
    label text)
RETURNS TABLE (role_name text, password text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
	r	text;
	pw	text;
BEGIN
	IF ws IS DISTINCT FROM sluice_workspace() OR
	    uid IS DISTINCT FROM sluice_user() OR NOT EXISTS (SELECT 1 FROM
	    memberships m WHERE m.workspace_id = ws AND m.user_id = uid AND
	    m.role IN ('owner', 'admin')) THEN
		RAISE EXCEPTION 'not an admin of this workspace'
		    USING ERRCODE = 'insufficient_privilege';
	END IF;
	LOCK TABLE reporting_logins IN SHARE ROW EXCLUSIVE MODE;
	IF (SELECT count(*) FROM reporting_logins l WHERE l.workspace_id =
	    ws) >= 10 OR (SELECT count(*) FROM reporting_logins) >= 15 THEN
		RAISE EXCEPTION 'too many reporting logins'
		    USING ERRCODE = 'unique_violation';
	END IF;
	SELECT c.role_name, c.password INTO r, pw
	    FROM reporting_login_create(ws) c;
	INSERT INTO reporting_logins (workspace_id, role_name, name,
	    created_by) VALUES (ws, r, label, uid);
	RETURN QUERY SELECT r, pw;
END
$$;
