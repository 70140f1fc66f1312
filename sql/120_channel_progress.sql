-- 120_channel_progress.sql — where the sync of a message channel stands,
-- so that a run killed at any point resumes where it stopped.
--
-- A pass reads a channel's history over the window [window_oldest,
-- window_latest] newest first, one page at a time; each page is stored,
-- and the stored messages of the stretch it covers that it no longer
-- shows are removed, in the same statement that records the next page's
-- cursor and the stretch still to read (below `upper`).  Thread replies
-- are read the same way before their page is recorded: `threads` maps a
-- thread's ts to its reply cursor and the ts its next page starts after.
-- A finished pass leaves cursor, upper and threads empty and records
-- what it read (oldest_fetched, newest_fetched, finished_at).

CREATE TABLE channel_progress (
	workspace_id	bigint NOT NULL REFERENCES workspaces ON DELETE CASCADE,
	connection_id	bigint NOT NULL REFERENCES connections ON DELETE CASCADE,
	channel_id	text NOT NULL,
	window_oldest	text,		-- the pass's window, provider ts
	window_latest	text,
	cursor		text,		-- the next history page, NULL: first
	upper		text,		-- read so far: what is not below it
	threads		jsonb NOT NULL DEFAULT '{}',
	oldest_fetched	text,		-- of the last finished pass
	newest_fetched	text,
	started_at	timestamptz,
	finished_at	timestamptz,
	PRIMARY KEY (workspace_id, connection_id, channel_id)
);

-- A thread's state (the provider's words for its replies: Slack's count
-- and latest reply) when its replies were last read whole; a parent
-- showing another state has its replies read again.
ALTER TABLE communications ADD COLUMN replies_seen text;

ALTER TABLE channel_progress ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON channel_progress TO sluice_web
	USING (workspace_id = sluice_workspace())
	WITH CHECK (workspace_id = sluice_workspace());
GRANT SELECT, INSERT, UPDATE, DELETE ON channel_progress TO sluice_web;
