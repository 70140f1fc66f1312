-- 020_api_metrics.sql — what the metrics API needs: a covering index for
-- the dashboard tiles and the request hash behind Idempotency-Key.

-- Tiles read one workspace's last 2 x N days: an index-only scan of
-- (workspace_id, day) that carries provider, metric and value, instead of
-- walking every day of the workspace through the primary key and the heap.
CREATE INDEX metric_daily_tiles ON metric_daily (workspace_id, day)
	INCLUDE (provider, metric, value);

-- SHA-256 of the first body sent with a key: the same key with another
-- body is refused (409) rather than silently answered.
ALTER TABLE ingest_requests ADD COLUMN request_hash text;
