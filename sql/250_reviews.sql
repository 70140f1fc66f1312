-- 250_reviews.sql — reviews of a provider's locations (Google Business
-- Profile), as the sync fetched them.
--
-- One row per review of an account (a location), upserted by its id; a
-- review gone upstream from the window a run read is deleted.  The rows
-- go with the connection's data ("delete synced data", disconnecting
-- with its data) and are the workspace's only, as every tenant table
-- (050_rls.sql).

CREATE TABLE reviews (
	workspace_id	bigint NOT NULL REFERENCES workspaces ON DELETE CASCADE,
	connection_id	bigint NOT NULL REFERENCES connections ON DELETE CASCADE,
	provider	text NOT NULL,
	account_id	text COLLATE "C" NOT NULL,	-- the location
	review_id	text COLLATE "C" NOT NULL,
	rating		smallint CHECK (rating BETWEEN 1 AND 5),
	comment		text NOT NULL DEFAULT '',
	reviewer	text NOT NULL DEFAULT 'Anonymous',
	created_at	timestamptz NOT NULL,
	updated_at	timestamptz NOT NULL,
	reply		text,
	reply_updated_at timestamptz,
	url		text,
	PRIMARY KEY (workspace_id, provider, account_id, review_id)
);
CREATE INDEX reviews_recent ON reviews (workspace_id, created_at DESC,
	review_id);
CREATE INDEX reviews_connection ON reviews (workspace_id, connection_id);

ALTER TABLE reviews ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON reviews TO sluice_web
	USING (workspace_id = sluice_workspace())
	WITH CHECK (workspace_id = sluice_workspace());
GRANT SELECT, INSERT, UPDATE, DELETE ON reviews TO sluice_web;
