-- 230_attribution.sql — which channel brought an inquiry (issue 24, part
-- 5): a workspace's own rules, first match wins; a workspace without rows
-- uses the defaults of lib/business/attribution.c.
--
-- A rule matches an inquiry when each of its non-empty patterns (POSIX
-- regular expressions, case-insensitive; "^$" for an empty field) matches
-- the inquiry's utm_source, utm_medium and referrer.  No rule: "Other".
CREATE TABLE attribution_rules (
	workspace_id	bigint NOT NULL REFERENCES workspaces (id)
			    ON DELETE CASCADE,
	position	integer NOT NULL CHECK (position BETWEEN 1 AND 50),
	channel		text NOT NULL CHECK (channel <> ''
			    AND length(channel) <= 60),
	utm_source	text NOT NULL DEFAULT '',
	utm_medium	text NOT NULL DEFAULT '',
	referrer	text NOT NULL DEFAULT '',
	PRIMARY KEY (workspace_id, position)
);
ALTER TABLE attribution_rules ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON attribution_rules TO sluice_web
	USING (workspace_id = sluice_workspace())
	WITH CHECK (workspace_id = sluice_workspace());
