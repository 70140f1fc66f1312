-- 010_invites.sql — one-time invitations to a workspace.
CREATE TABLE invites (
	token_hash	bytea PRIMARY KEY,	-- SHA-256 of the link's token
	workspace_id	bigint NOT NULL REFERENCES workspaces ON DELETE CASCADE,
	email		text NOT NULL,
	role		text NOT NULL CHECK (role IN ('admin', 'viewer')),
	invited_by	bigint REFERENCES users ON DELETE SET NULL,
	created_at	timestamptz NOT NULL DEFAULT now(),
	expires_at	timestamptz NOT NULL,
	used_at		timestamptz
);
CREATE INDEX invites_workspace ON invites (workspace_id);
