-- 100_access.sql — what a request may write, and invitations an admin can
-- list and revoke.
--
-- sluice_web (the role every request for a workspace runs as, lib/app.c)
-- was granted every table by 050, including the tables that carry no
-- workspace and so no row-level security.  Requests never write them:
-- people are made and changed at setup, login, invitations and password
-- changes (outside a workspace's scope, as the owner role) or by SECURITY
-- DEFINER functions; webhook events and suppressions by the webhooks
-- program (no workspace); migrations by `api migrate`.  Requests only
-- read members' addresses, email events of their own mail and the
-- suppressions a digest run skips.  Keep sluice_web to that.

REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON users, email_events,
	email_suppressions FROM sluice_web;
REVOKE ALL ON schema_migrations, login_throttle FROM sluice_web;

-- A request reads who the members are, never a password hash.
REVOKE SELECT ON users FROM sluice_web;
GRANT SELECT (id, email, created_at, last_login_at) ON users TO sluice_web;

-- Nor may it take ids for rows it cannot insert.
REVOKE ALL ON SEQUENCE users_id_seq, email_events_id_seq FROM sluice_web;

-- Invitations get an id, so Settings can list the pending ones and an
-- admin can revoke one (the token's hash stays the key a link is found
-- by).
ALTER TABLE invites ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY;
CREATE UNIQUE INDEX invites_id ON invites (id);
GRANT USAGE, SELECT ON SEQUENCE invites_id_seq TO sluice_web;
