-- 200_reporting.sql — direct read-only SQL for BI tools (Metabase, Grafana,
-- Looker Studio): a `reporting` schema of stable views, and read-only
-- database logins an admin creates for one workspace in Settings.
--
-- Who sees what.  A reporting login is a LOGIN role named by the database
-- (sluice_ro_<workspace>_<random>, never from user input), member of the
-- group role sluice_reporting only, which has USAGE on schema reporting
-- and SELECT on its views, nothing else.  The views run with their
-- owner's rights (this role) and keep to one workspace: the one
-- reporting_logins maps the connection's session_user to.  session_user
-- cannot be changed without superuser rights, so no setting (SET
-- sluice.workspace_id, SET ROLE) moves a login to another workspace; any
-- other role (the programs included) finds no mapping and sees no row.
-- Every view is a security_barrier: a login's own WHERE clauses (a cast
-- that fails and prints a value) never run before the workspace filter.
--
-- The roles are made by two SECURITY DEFINER functions that the cluster's
-- superuser creates with the NOLOGIN role sluice_roles (CREATEROLE)
-- as owner (nginx/stack.sh pg_roles, or `nginx/stack.sh reporting-sql`
-- for an external PostgreSQL): public.reporting_login_create(bigint) and
-- public.reporting_login_drop(text), executable by the owner role only.
-- A request reaches them through reporting_login_new/_revoke below,
-- which check the request's workspace and that its user is an admin.
-- Without them Settings says the feature needs the administrator.
--
-- Compatibility: the views' names and columns are a published interface
-- (README, "Direct SQL for BI tools"; tests/integration/reporting.test.js
-- lists them).  Later migrations may add columns at the end (CREATE OR
-- REPLACE VIEW) and must GRANT SELECT on any new view to sluice_reporting
-- when that role exists, as below; they never rename or drop one.

CREATE TABLE reporting_logins (
	workspace_id	bigint NOT NULL REFERENCES workspaces ON DELETE CASCADE,
	role_name	text NOT NULL UNIQUE,
	name		text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
	created_by	bigint REFERENCES users ON DELETE SET NULL,
	created_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (workspace_id, role_name)
);
ALTER TABLE reporting_logins ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON reporting_logins TO sluice_web
	USING (workspace_id = sluice_workspace())
	WITH CHECK (workspace_id = sluice_workspace());
-- Rows are written by the functions below only.
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON reporting_logins FROM sluice_web;

-- The metric catalogue of lib/providers/*.c (labels, units, rules), which
-- `api migrate` rewrites from the programs' registry after the
-- migrations: the C tables stay the one source, and the views can join
-- it.
CREATE TABLE metric_catalogue (
	provider	text NOT NULL,
	metric		text NOT NULL,
	label		text NOT NULL,
	unit		text NOT NULL,
	aggregation	text NOT NULL,
	PRIMARY KEY (provider, metric)
);
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON metric_catalogue FROM sluice_web;

-- Nobody but the owner and the web role uses schema public, and no one
-- makes temporary objects (a reporting login could otherwise define
-- functions in pg_temp).  Only where this role may change them (an
-- external PostgreSQL may keep them for its administrator).
DO $$
BEGIN
	IF pg_has_role((SELECT nspowner FROM pg_namespace
	    WHERE nspname = 'public'), 'USAGE') THEN
		REVOKE ALL ON SCHEMA public FROM PUBLIC;
		GRANT USAGE ON SCHEMA public TO sluice_web;
	END IF;
	IF pg_has_role((SELECT datdba FROM pg_database
	    WHERE datname = current_database()), 'USAGE') THEN
		EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC',
		    current_database());
	END IF;
END
$$;

CREATE SCHEMA reporting;
REVOKE ALL ON SCHEMA reporting FROM PUBLIC;

-- The workspace of the connection's login (NULL for any other role).
CREATE VIEW reporting.workspace WITH (security_barrier) AS
	SELECT w.id AS workspace_id, w.name, w.time_zone
	FROM public.workspaces w
	JOIN public.reporting_logins l ON l.workspace_id = w.id
	WHERE l.role_name = session_user;

CREATE VIEW reporting.connections WITH (security_barrier) AS
	SELECT c.id AS connection_id, c.provider, c.status, c.last_sync_at,
	    c.last_error, c.created_at
	FROM public.connections c
	JOIN public.reporting_logins l ON l.workspace_id = c.workspace_id
	WHERE l.role_name = session_user;

CREATE VIEW reporting.accounts WITH (security_barrier) AS
	SELECT c.id AS connection_id, c.provider, a->>'id' AS account_id,
	    a->>'name' AS name, a->>'time_zone' AS time_zone,
	    a->>'currency' AS currency, c.selected @> jsonb_build_array(
	    a->'id') AS selected, s.status AS sync_status,
	    s.synced_at AS last_synced_at, s.data_through
	FROM public.connections c
	JOIN public.reporting_logins l ON l.workspace_id = c.workspace_id
	CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN
	    jsonb_typeof(c.accounts) = 'array' THEN c.accounts ELSE '[]'
	    END) a
	LEFT JOIN public.sync_accounts s ON s.workspace_id = c.workspace_id
	    AND s.connection_id = c.id AND s.account_id = a->>'id'
	WHERE l.role_name = session_user;

CREATE VIEW reporting.sync_runs WITH (security_barrier) AS
	SELECT r.id AS run_id, r.connection_id, r.provider, r.started_at,
	    r.finished_at, r.status, r.rows_fetched, r.rows_changed,
	    r.duration_ms, r.error
	FROM public.sync_runs r
	JOIN public.reporting_logins l ON l.workspace_id = r.workspace_id
	WHERE l.role_name = session_user;

-- One row per account, metric and day.  A non-additive count (a
-- provider's unique users, reach) is stored as "<metric>:<N>d", the
-- provider's own total of the N days ending on `day`: total_days says N,
-- and such values are never to be added up.
CREATE VIEW reporting.metrics_daily WITH (security_barrier) AS
	SELECT m.provider, m.account_id, m.metric,
	    split_part(m.metric, ':', 1) AS base_metric,
	    k.label, k.unit, k.aggregation,
	    CASE WHEN m.metric ~ ':[0-9]{1,4}d$' THEN substring(m.metric
	    FROM ':([0-9]{1,4})d$')::integer END AS total_days,
	    m.day, m.value, m.currency, m.updated_at
	FROM public.metric_daily m
	JOIN public.reporting_logins l ON l.workspace_id = m.workspace_id
	LEFT JOIN public.metric_catalogue k ON k.provider = m.provider
	    AND k.metric = split_part(m.metric, ':', 1)
	WHERE l.role_name = session_user;

-- The catalogue itself (no tenant data).
CREATE VIEW reporting.metric_catalogue AS
	SELECT provider, metric, label, unit, aggregation
	FROM public.metric_catalogue;

DO $$
BEGIN
	IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'sluice_reporting')
	THEN
		GRANT USAGE ON SCHEMA reporting TO sluice_reporting;
		GRANT SELECT ON ALL TABLES IN SCHEMA reporting
		    TO sluice_reporting;
	END IF;
END
$$;

-- What a request calls (as sluice_web): the workspace must be the
-- request's own and its user an admin or owner there.  They run as this
-- role, which alone may execute the superuser-made functions.
CREATE FUNCTION reporting_login_new(ws bigint, uid bigint, label text)
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
	SELECT c.role_name, c.password INTO r, pw
	    FROM reporting_login_create(ws) c;
	INSERT INTO reporting_logins (workspace_id, role_name, name,
	    created_by) VALUES (ws, r, label, uid);
	RETURN QUERY SELECT r, pw;
END
$$;

CREATE FUNCTION reporting_login_revoke(ws bigint, r text)
RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
	IF ws IS DISTINCT FROM sluice_workspace() OR NOT EXISTS (SELECT 1
	    FROM memberships m WHERE m.workspace_id = ws AND
	    m.user_id = sluice_user() AND m.role IN ('owner', 'admin')) THEN
		RAISE EXCEPTION 'not an admin of this workspace'
		    USING ERRCODE = 'insufficient_privilege';
	END IF;
	DELETE FROM reporting_logins l WHERE l.workspace_id = ws AND
	    l.role_name = r;
	IF NOT FOUND THEN
		RETURN false;
	END IF;
	IF to_regprocedure('public.reporting_login_drop(text)') IS NOT NULL
	THEN
		PERFORM reporting_login_drop(r);
	END IF;
	RETURN true;
END
$$;

REVOKE ALL ON FUNCTION reporting_login_new(bigint, bigint, text),
	reporting_login_revoke(bigint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION reporting_login_new(bigint, bigint, text),
	reporting_login_revoke(bigint, text) TO sluice_web;
