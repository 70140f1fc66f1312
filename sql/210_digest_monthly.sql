-- 210_digest_monthly.sql — a monthly digest beside the weekly one.
--
-- Each member chooses weekly (the default), monthly, both or none:
-- digest_subscriptions.subscribed stays the weekly digest and monthly is
-- the monthly one (off unless chosen); an unsubscribe link stops both.
-- A monthly digest covers the last full calendar month in the workspace's
-- zone and is sent from the 1st.  Exactly once as the weekly one: a
-- digest_sends row is now unique per (workspace, recipient, kind,
-- period_start) (a month and a week may start on the same day), and runs
-- and stored batches carry their kind, so a crashed monthly batch is
-- re-sent as the monthly one it was (lib/mail/digest.h).

ALTER TABLE digest_subscriptions
	ADD COLUMN monthly boolean NOT NULL DEFAULT false;

ALTER TABLE digest_runs ADD COLUMN kind text NOT NULL DEFAULT 'weekly'
	CHECK (kind IN ('weekly', 'monthly'));
ALTER TABLE digest_batches ADD COLUMN kind text NOT NULL DEFAULT 'weekly'
	CHECK (kind IN ('weekly', 'monthly'));
ALTER TABLE digest_sends ADD COLUMN kind text NOT NULL DEFAULT 'weekly'
	CHECK (kind IN ('weekly', 'monthly'));

ALTER TABLE digest_sends ADD CONSTRAINT digest_sends_once
	UNIQUE (workspace_id, recipient, kind, period_start);
ALTER TABLE digest_sends
	DROP CONSTRAINT digest_sends_workspace_id_recipient_period_start_key;

CREATE INDEX digest_runs_kind ON digest_runs (workspace_id, kind, id DESC);
