-- 300_connection_owner.sql — several logins per provider (issue 17 item
-- 10): a connection is its workspace, provider and the provider's login
-- (external_owner, its stable id, already in the unique key); owner_label
-- names that login for people ("ana@agency.example", a Slack team).
-- Rows of an upgraded installation keep external_owner '' until their
-- provider's next reconnect names the login (lib/connections).

ALTER TABLE connections ADD COLUMN owner_label text NOT NULL DEFAULT ''
	CHECK (length(owner_label) <= 200);

-- Connection events (sql/180) name the login too: which of a provider's
-- connections it is, for people ("owner": the label, else the id).
CREATE OR REPLACE FUNCTION sluice_webhook_connection_data(c connections)
RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('connection_id', c.id, 'provider',
		c.provider, 'owner', coalesce(nullif(c.owner_label, ''),
		nullif(c.external_owner, '')), 'account_ids', c.selected,
		'status', c.status, 'message', c.last_error)
$$;
