-- 110_sync_accounts.sql — each selected account syncs on its own.
--
-- A run fetches every selected account even when one of them fails; each
-- account's outcome is kept here (its last attempt: ok, error,
-- rate_limited or auth, a plain message, the rows), with what the sync
-- needs to know of the account itself: whether its backfill is done (an
-- account ticked after the connection's first sync is backfilled on its
-- own), and the last day its provider had published (a day not there
-- yet is asked again until it comes).  The pages and GET /v1/sync/status
-- show the outcomes.  A run where some accounts failed and others synced
-- ends 'partial'.

CREATE TABLE sync_accounts (
	workspace_id	bigint NOT NULL REFERENCES workspaces ON DELETE CASCADE,
	connection_id	bigint NOT NULL REFERENCES connections ON DELETE CASCADE,
	account_id	text NOT NULL,
	status		text NOT NULL CHECK (status IN ('ok', 'error',
			'rate_limited', 'auth')),
	error		text,		-- plain words, NULL when ok
	rows_fetched	integer NOT NULL DEFAULT 0,
	rows_changed	integer NOT NULL DEFAULT 0,
	run_id		bigint REFERENCES sync_runs ON DELETE SET NULL,
	attempted_at	timestamptz NOT NULL DEFAULT now(),
	synced_at	timestamptz,	-- its last good sync
	backfilled_at	timestamptz,	-- its first window stored whole
	data_through	date,		-- the provider's last published day
	PRIMARY KEY (workspace_id, connection_id, account_id)
);

ALTER TABLE sync_accounts ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON sync_accounts TO sluice_web
	USING (workspace_id = sluice_workspace())
	WITH CHECK (workspace_id = sluice_workspace());

ALTER TABLE sync_runs DROP CONSTRAINT sync_runs_status_check;
ALTER TABLE sync_runs ADD CONSTRAINT sync_runs_status_check CHECK (status IN
	('running', 'ok', 'partial', 'error', 'rate_limited', 'auth'));

-- Accounts of connections that synced before this migration were
-- backfilled with them: they are not fetched whole again.
INSERT INTO sync_accounts (workspace_id, connection_id, account_id, status,
	attempted_at, synced_at, backfilled_at)
SELECT c.workspace_id, c.id, s.id, 'ok', c.last_sync_at, c.last_sync_at,
	c.last_sync_at
FROM connections c, jsonb_array_elements_text(c.selected) AS s(id)
WHERE c.last_sync_at IS NOT NULL AND jsonb_typeof(c.selected) = 'array'
ON CONFLICT DO NOTHING;
