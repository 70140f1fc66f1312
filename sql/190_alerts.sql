-- 190_alerts.sql — alerts people get: a connection that needs
-- reconnecting, syncs that keep failing, a daily run that did not happen.
--
-- The worker's alert step (lib/sync/alerts.h) opens one row per incident
-- and closes it when the source recovers; the partial unique index makes
-- a second open row for the same incident impossible, whichever worker
-- (or how many) runs the step.  The workspace's admins get one email
-- when it opens and one when it is resolved (unless they opted out);
-- the dashboard and the connections page show a banner while it is open.
--   kind        needs_reauth | sync_failing | daily_missed
--   subject     'connection:<id>' or 'schedule' (the workspace's daily run)
--   connection_id, provider  the connection's (NULL for the schedule); no
--               foreign key: an incident outlives a removed connection
--               until the step resolves it
--   opened_at   when the condition began, as far as the rows tell
--   emailed_at  when the opening email was handed to Resend (NULL: not
--               sent, e.g. no SLUICE_RESEND_API_KEY; then no "resolved"
--               email either)
--   resolved_emailed_at  the "resolved" email's
--   quiet       resolved without a "resolved" email: a worse incident of
--               the same connection took its place (failing, then needs
--               reconnecting), or the connection was disconnected or
--               removed
CREATE TABLE alerts (
	id		bigint GENERATED ALWAYS AS IDENTITY,
	workspace_id	bigint NOT NULL REFERENCES workspaces ON DELETE CASCADE,
	kind		text NOT NULL CHECK (kind IN ('needs_reauth',
			'sync_failing', 'daily_missed')),
	subject		text NOT NULL CHECK (length(subject) <= 64),
	connection_id	bigint,
	provider	text,
	opened_at	timestamptz NOT NULL DEFAULT now(),
	resolved_at	timestamptz,
	quiet		boolean NOT NULL DEFAULT false,
	emailed_at	timestamptz,
	resolved_emailed_at timestamptz,
	PRIMARY KEY (workspace_id, id)
);
-- One open incident per workspace, kind and subject.
CREATE UNIQUE INDEX alerts_open ON alerts (workspace_id, kind, subject)
	WHERE resolved_at IS NULL;
-- The step's lookups: what is open, what still has an email to send.
CREATE INDEX alerts_unresolved ON alerts (id) WHERE resolved_at IS NULL;
CREATE INDEX alerts_mail_due ON alerts (id) WHERE resolved_at IS NOT NULL
	AND emailed_at IS NOT NULL AND resolved_emailed_at IS NULL AND
	NOT quiet;
CREATE INDEX alerts_resolved ON alerts (resolved_at)
	WHERE resolved_at IS NOT NULL;

-- Tenants read their own incidents (the banner); only the worker (the
-- owner role) writes them.
ALTER TABLE alerts ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON alerts TO sluice_web
	USING (workspace_id = sluice_workspace())
	WITH CHECK (workspace_id = sluice_workspace());
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON alerts FROM sluice_web;
GRANT SELECT ON alerts TO sluice_web;

-- Each member's choice, per workspace: "Email me when a source needs
-- attention" in Settings.  Only owners and admins are emailed; on unless
-- they untick it.  A constant default: no table rewrite.
ALTER TABLE memberships ADD COLUMN alert_emails boolean NOT NULL
	DEFAULT true;
