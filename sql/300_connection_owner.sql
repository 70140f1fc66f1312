-- 300_connection_owner.sql — several logins per provider (issue 17 item
-- 10): a connection is its workspace, provider and the provider's login
-- (external_owner, its stable id, already in the unique key); owner_label
-- names that login for people ("ana@agency.example", a Slack team).
-- Rows of an upgraded installation keep external_owner '' until their
-- provider's next reconnect names the login (lib/connections).

ALTER TABLE connections ADD COLUMN owner_label text NOT NULL DEFAULT ''
	CHECK (length(owner_label) <= 200);
