-- 170_backfill_resume.sql — a backfill cut short by a rate limit goes on.
--
-- When a provider's quota stops an account's first window (its backfill)
-- part way, the rows it had given in full — the days from the window's
-- first through backfill_through, for providers whose rows come in date
-- order (GA4) — are stored, and the retry asks only from that day on
-- instead of the whole window again; the backfill is done (backfilled_at)
-- when a run reaches today, and backfill_through is then cleared.

ALTER TABLE sync_accounts ADD COLUMN backfill_through date;
