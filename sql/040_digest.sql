-- 040_digest.sql — the weekly digest's exactly-once sending.
--
-- digest_batches keeps the exact request of every batch sent to Resend,
-- under the batch id its Idempotency-Key is derived from: after a crash
-- between sending and recording, the claimed rows are re-sent with the
-- same key AND the same body (Resend refuses a reused key with another
-- body), whatever changed in the data since.

CREATE TABLE digest_batches (
	batch_id	text PRIMARY KEY,
	workspace_id	bigint NOT NULL REFERENCES workspaces ON DELETE CASCADE,
	run_id		bigint REFERENCES digest_runs ON DELETE SET NULL,
	period_start	date NOT NULL,
	request		text NOT NULL,
	created_at	timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX digest_sends_batch ON digest_sends (batch_id);
CREATE INDEX digest_sends_claimed ON digest_sends (created_at)
	WHERE status = 'claimed';
