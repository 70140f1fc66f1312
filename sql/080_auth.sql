-- 080_auth.sql — the login throttle counted atomically, per account and
-- per client address; a person's own sessions and OAuth states under
-- row-level security (switching workspace, finishing a connection started
-- in another workspace); new workspaces made by their owner.

-- One counter per key: SHA-256 of "account:<lower(email)>" or
-- "addr:<client address>" (the typed text is not kept).  lib/session.c
-- takes an attempt from both counters in one INSERT ... ON CONFLICT DO
-- UPDATE before it checks a password (the row lock serialises concurrent
-- attempts, so no more than the limit are ever checked) and gives it back
-- when the password was right.  A window is fixed: it starts with its
-- first attempt and the counter starts again after window_end.
CREATE TABLE login_throttle (
	key_hash	bytea PRIMARY KEY,
	attempts	integer NOT NULL,
	window_end	timestamptz NOT NULL
);
CREATE INDEX login_throttle_window ON login_throttle (window_end);
-- Logins run before any workspace is known, never as sluice_web.
REVOKE ALL ON login_throttle FROM sluice_web;

-- Replaced by login_throttle (counted after the check, per address only).
DROP TABLE login_failures;

-- Sessions: a person sees their own sessions and may move one to another
-- workspace they are a member of (POST /workspace/switch); the new row
-- must name a workspace of theirs.  The tenant policy of 050 still covers
-- everything else.
CREATE POLICY own_read ON sessions FOR SELECT TO sluice_web
	USING (user_id = sluice_user());
CREATE POLICY own_switch ON sessions FOR UPDATE TO sluice_web
	USING (user_id = sluice_user())
	WITH CHECK (user_id = sluice_user() AND workspace_id IN
	    (SELECT m.workspace_id FROM memberships m
	    WHERE m.user_id = sluice_user()));

-- OAuth states: the callback sees and uses up a state its user started
-- in another workspace (to refuse it with a clear message, never to store
-- tokens in the session's current workspace).
CREATE POLICY own_read ON oauth_states FOR SELECT TO sluice_web
	USING (user_id = sluice_user());
CREATE POLICY own_take ON oauth_states FOR UPDATE TO sluice_web
	USING (user_id = sluice_user())
	WITH CHECK (user_id = sluice_user());

-- A new workspace with the requesting user (sluice.user_id) as its owner.
-- Row-level security lets sluice_web neither insert a workspace nor a
-- membership of a workspace other than the current one; this function,
-- run as the owner of the tables, does exactly that and nothing else.
-- NULL when the user owns max_owned workspaces already.
CREATE FUNCTION sluice_workspace_create(ws_name text, max_owned integer)
RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp AS $$
DECLARE
	uid	bigint := sluice_user();
	wid	bigint;
BEGIN
	IF uid IS NULL THEN
		RAISE EXCEPTION 'sluice.user_id is not set'
		    USING ERRCODE = 'insufficient_privilege';
	END IF;
	PERFORM 1 FROM users WHERE id = uid FOR UPDATE;
	IF (SELECT count(*) FROM memberships WHERE user_id = uid AND
	    role = 'owner') >= max_owned THEN
		RETURN NULL;
	END IF;
	INSERT INTO workspaces (name) VALUES (ws_name) RETURNING id INTO wid;
	INSERT INTO memberships (workspace_id, user_id, role)
	    VALUES (wid, uid, 'owner');
	RETURN wid;
END
$$;
REVOKE ALL ON FUNCTION sluice_workspace_create(text, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sluice_workspace_create(text, integer)
	TO sluice_web;
