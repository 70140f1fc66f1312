-- 050_rls.sql — row-level security as a second wall behind every
-- "WHERE workspace_id = ...": the web programs run each authenticated
-- request as role sluice_web with sluice.workspace_id (and sluice.user_id)
-- set for that transaction only (lib/app.c); a query that forgets its
-- workspace filter then sees nothing of another tenant.  Default deny: with
-- no workspace set, no row is visible.  The owner role (migrations, the
-- worker, cron, digest runs, logins before a workspace is known) is not
-- subject to these policies.
DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'sluice_web') THEN
		CREATE ROLE sluice_web NOLOGIN;
	END IF;
END
$$;
GRANT sluice_web TO CURRENT_USER;
GRANT USAGE ON SCHEMA public TO sluice_web;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO sluice_web;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO sluice_web;
ALTER DEFAULT PRIVILEGES IN SCHEMA public
	GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO sluice_web;
ALTER DEFAULT PRIVILEGES IN SCHEMA public
	GRANT USAGE, SELECT ON SEQUENCES TO sluice_web;

CREATE FUNCTION sluice_workspace() RETURNS bigint LANGUAGE sql STABLE AS
	$$ SELECT nullif(current_setting('sluice.workspace_id', true), '')::bigint $$;
CREATE FUNCTION sluice_user() RETURNS bigint LANGUAGE sql STABLE AS
	$$ SELECT nullif(current_setting('sluice.user_id', true), '')::bigint $$;

DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['sessions', 'api_keys', 'connections',
	    'oauth_states', 'sync_jobs', 'sync_runs', 'metric_daily',
	    'communications', 'digest_sends', 'digest_subscriptions',
	    'ingest_requests', 'invites', 'digest_batches']
	LOOP
		EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
		EXECUTE format('CREATE POLICY tenant ON %I TO sluice_web '
		    'USING (workspace_id = sluice_workspace()) '
		    'WITH CHECK (workspace_id = sluice_workspace())', t);
	END LOOP;
END
$$;

-- A person sees the workspaces and memberships of their own too (the
-- workspace switcher), and only changes those of the current workspace.
ALTER TABLE memberships ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_read ON memberships FOR SELECT TO sluice_web
	USING (workspace_id = sluice_workspace() OR user_id = sluice_user());
CREATE POLICY tenant_write ON memberships FOR ALL TO sluice_web
	USING (workspace_id = sluice_workspace())
	WITH CHECK (workspace_id = sluice_workspace());
ALTER TABLE workspaces ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_read ON workspaces FOR SELECT TO sluice_web
	USING (id = sluice_workspace() OR id IN (SELECT workspace_id FROM
	    memberships WHERE user_id = sluice_user()));
CREATE POLICY tenant_write ON workspaces FOR UPDATE TO sluice_web
	USING (id = sluice_workspace()) WITH CHECK (id = sluice_workspace());
