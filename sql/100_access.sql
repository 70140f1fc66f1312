-- 100_access.sql — what a request may write.  sluice_web (the role every
-- request for a workspace runs as, lib/app.c) was granted every table by
-- 050, including the tables that carry no workspace and so no row-level
-- security.  Requests never write them: people are made at setup, login
-- and invitations (before any workspace is known, as the owner role) or
-- by SECURITY DEFINER functions; webhook events and suppressions by the
-- webhooks program (no workspace); migrations by `api migrate`.  Requests
-- only read members' addresses, email events of their own mail and the
-- suppressions a digest run skips.  Keep sluice_web to that.

REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON users, email_events,
	email_suppressions FROM sluice_web;
REVOKE ALL ON schema_migrations, login_throttle FROM sluice_web;

-- A request reads who the members are, never a password hash.
REVOKE SELECT ON users FROM sluice_web;
GRANT SELECT (id, email, created_at, last_login_at) ON users TO sluice_web;

-- Nor may it take ids for rows it cannot insert.
REVOKE ALL ON SEQUENCE users_id_seq, email_events_id_seq FROM sluice_web;
