-- 070_metric_bytes_order.sql — metric_daily's text keys compare as bytes.
--
-- The cluster's C.UTF-8 collation orders by code point, which for UTF-8 is
-- byte order, but PostgreSQL still compares through strcoll(); COLLATE "C"
-- compares with memcmp().  Same order, same equality, ~7 % less time per
-- inserted row (two B-trees keyed on these columns; tests/bench/README.md,
-- Sync).  Rebuilds metric_daily's indexes.
ALTER TABLE metric_daily
	ALTER COLUMN provider TYPE text COLLATE "C",
	ALTER COLUMN account_id TYPE text COLLATE "C",
	ALTER COLUMN metric TYPE text COLLATE "C";
