-- 320_reporting_connection_owner.sql — reporting.connections names each
-- connection's login (sql/300: a workspace may connect several logins of
-- one provider): external_owner, the provider's stable id of the login,
-- and owner_label, its name for people ('' until a connect names it).
-- Added at the end: the view's columns are a published interface (README,
-- "Direct SQL for BI tools"); the view is replaced, so its grants stay.

CREATE OR REPLACE VIEW reporting.connections WITH (security_barrier) AS
	SELECT c.id AS connection_id, c.provider, c.status, c.last_sync_at,
	    c.last_error, c.created_at, c.external_owner, c.owner_label
	FROM (SELECT * FROM public.connections WHERE workspace_id = (SELECT
	    l.workspace_id FROM public.reporting_logins l WHERE l.role_name =
	    session_user) OFFSET 0) c;
