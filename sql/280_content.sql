-- 280_content.sql — what an account published (posts, reels, stories,
-- videos, shorts) and each item's lifetime numbers, as the sync fetched
-- them (issue 24, part 1).
--
-- content: one row per item of an account published in the last 90 days,
-- upserted by its id; an item gone upstream from the window a run read is
-- deleted.  content_metrics: a row per item per day it was measured
-- (UTC), each number NULL where the provider has none for the item
-- (never 0 for "unknown"); its rows go with their item.  Both go with the
-- connection's data ("delete synced data", disconnecting with its data)
-- and are the workspace's only, as every tenant table (050_rls.sql).

CREATE TABLE content (
	workspace_id	bigint NOT NULL REFERENCES workspaces ON DELETE CASCADE,
	connection_id	bigint NOT NULL REFERENCES connections ON DELETE CASCADE,
	provider	text NOT NULL,
	account_id	text COLLATE "C" NOT NULL,
	item_id		text COLLATE "C" NOT NULL,
	type		text NOT NULL CHECK (type IN ('post', 'reel', 'story',
			    'video', 'short')),
	caption		text NOT NULL DEFAULT '',	-- an excerpt
	permalink	text,
	published_at	timestamptz NOT NULL,
	PRIMARY KEY (workspace_id, provider, account_id, item_id)
);
CREATE INDEX content_recent ON content (workspace_id, published_at DESC,
	item_id);
CREATE INDEX content_connection ON content (workspace_id, connection_id);

CREATE TABLE content_metrics (
	workspace_id	bigint NOT NULL,
	provider	text NOT NULL,
	account_id	text COLLATE "C" NOT NULL,
	item_id		text COLLATE "C" NOT NULL,
	day		date NOT NULL,			-- measured on (UTC)
	views		bigint CHECK (views >= 0),
	reach		bigint CHECK (reach >= 0),
	likes		bigint CHECK (likes >= 0),
	comments	bigint CHECK (comments >= 0),
	shares		bigint CHECK (shares >= 0),
	saves		bigint CHECK (saves >= 0),
	PRIMARY KEY (workspace_id, provider, account_id, item_id, day),
	FOREIGN KEY (workspace_id, provider, account_id, item_id)
	    REFERENCES content ON DELETE CASCADE
);

ALTER TABLE content ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON content TO sluice_web
	USING (workspace_id = sluice_workspace())
	WITH CHECK (workspace_id = sluice_workspace());
GRANT SELECT, INSERT, UPDATE, DELETE ON content TO sluice_web;

ALTER TABLE content_metrics ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON content_metrics TO sluice_web
	USING (workspace_id = sluice_workspace())
	WITH CHECK (workspace_id = sluice_workspace());
GRANT SELECT, INSERT, UPDATE, DELETE ON content_metrics TO sluice_web;

-- For the workspace's read-only SQL logins: each item with its latest
-- measurement, fenced like the other views of schema reporting (260).
CREATE VIEW reporting.content WITH (security_barrier) AS
	SELECT c.connection_id, c.provider, c.account_id, c.item_id, c.type,
	    c.caption, c.permalink, c.published_at, m.day AS measured_on,
	    m.views, m.reach, m.likes, m.comments, m.shares, m.saves
	FROM (SELECT * FROM public.content WHERE workspace_id = (SELECT
	    l.workspace_id FROM public.reporting_logins l WHERE l.role_name =
	    session_user) OFFSET 0) c
	LEFT JOIN LATERAL (SELECT * FROM public.content_metrics x WHERE
	    x.workspace_id = c.workspace_id AND x.provider = c.provider AND
	    x.account_id = c.account_id AND x.item_id = c.item_id ORDER BY
	    x.day DESC LIMIT 1) m ON true;

DO $$
BEGIN
	IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'sluice_reporting')
	THEN
		GRANT SELECT ON reporting.content TO sluice_reporting;
	END IF;
END
$$;
