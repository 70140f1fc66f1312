-- 330_webhook_test_throttle.sql — "Send test event" counted per endpoint
-- and per workspace (a fixed window from its first press, as
-- login_throttle; lib/store/throttle.h): each test event is a delivery
-- the worker makes, retried for a day when its endpoint does not answer.
-- A press is counted in the workspace's request, as sluice_web: a tenant
-- table (its rows belong to the workspace of the request, filled in by
-- the default; the policy shows and lets it write those only), its key a
-- hash of the workspace's and the endpoint's ids.  The worker deletes
-- ended windows.
CREATE TABLE webhook_test_throttle (
	workspace_id	bigint NOT NULL DEFAULT sluice_workspace()
			REFERENCES workspaces ON DELETE CASCADE,
	key_hash	bytea PRIMARY KEY,
	attempts	integer NOT NULL,
	window_end	timestamptz NOT NULL
);
CREATE INDEX webhook_test_throttle_window ON webhook_test_throttle
	(window_end);
CREATE INDEX webhook_test_throttle_workspace ON webhook_test_throttle
	(workspace_id);
ALTER TABLE webhook_test_throttle ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON webhook_test_throttle TO sluice_web
	USING (workspace_id = sluice_workspace())
	WITH CHECK (workspace_id = sluice_workspace());
REVOKE ALL ON webhook_test_throttle FROM sluice_web;
GRANT SELECT, INSERT, UPDATE ON webhook_test_throttle TO sluice_web;
