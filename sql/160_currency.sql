-- 160_currency.sql — money keeps its currency.
--
-- A row's currency is the ISO 4217 code in its dims ("currency"), which
-- the syncs write for every row of an account that has one (a Google Ads
-- customer, a Meta ad account; a GA4 property's revenue) and ingest
-- accepts from anyone.  The generated column makes it readable by the
-- tiles' index-only scan, so amounts of different currencies are never
-- added together (lib/metrics/tiles.c).  Anything but three capital
-- letters is no currency.  Adding the column rewrites metric_daily under
-- an ACCESS EXCLUSIVE lock: about 2 s a million rows on a small machine.
ALTER TABLE metric_daily ADD COLUMN currency text COLLATE "C"
	GENERATED ALWAYS AS (CASE WHEN dims->>'currency' ~ '^[A-Z]{3}$'
	THEN dims->>'currency' END) STORED;

DROP INDEX metric_daily_tiles;
CREATE INDEX metric_daily_tiles ON metric_daily (workspace_id, day)
	INCLUDE (provider, metric, value, currency);
