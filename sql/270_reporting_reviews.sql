-- 270_reporting_reviews.sql — the reviews a workspace's sources gave
-- (sql/250) for its read-only SQL logins: a view like the others of
-- schema reporting, reading the table through a subquery filtered to the
-- login's workspace (OFFSET 0: see 260).

CREATE VIEW reporting.reviews WITH (security_barrier) AS
	SELECT r.connection_id, r.provider, r.account_id, r.review_id,
	    r.rating, r.comment, r.reviewer, r.created_at, r.updated_at,
	    r.reply, r.reply_updated_at
	FROM (SELECT * FROM public.reviews WHERE workspace_id = (SELECT
	    l.workspace_id FROM public.reporting_logins l WHERE l.role_name =
	    session_user) OFFSET 0) r;

DO $$
BEGIN
	IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'sluice_reporting')
	THEN
		GRANT SELECT ON reporting.reviews TO sluice_reporting;
	END IF;
END
$$;
