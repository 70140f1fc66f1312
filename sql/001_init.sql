-- 001_init.sql — the first schema: tenants, people, connections, the sync
-- queue, metrics, communications, email.  Every tenant row carries
-- workspace_id; constraints make duplicates impossible.

CREATE TABLE workspaces (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	name		text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
	time_zone	text NOT NULL DEFAULT 'UTC',
	created_at	timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	email		text NOT NULL CHECK (length(email) BETWEEN 3 AND 320),
	password_hash	text NOT NULL,
	created_at	timestamptz NOT NULL DEFAULT now(),
	last_login_at	timestamptz
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

CREATE TABLE memberships (
	workspace_id	bigint NOT NULL REFERENCES workspaces ON DELETE CASCADE,
	user_id		bigint NOT NULL REFERENCES users ON DELETE CASCADE,
	role		text NOT NULL CHECK (role IN ('owner', 'admin', 'viewer')),
	created_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (workspace_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

CREATE TABLE sessions (
	id_hash		bytea PRIMARY KEY,	-- SHA-256 of the cookie value
	user_id		bigint NOT NULL REFERENCES users ON DELETE CASCADE,
	workspace_id	bigint NOT NULL REFERENCES workspaces ON DELETE CASCADE,
	csrf_secret	bytea NOT NULL,
	created_at	timestamptz NOT NULL DEFAULT now(),
	last_seen_at	timestamptz NOT NULL DEFAULT now(),
	expires_at	timestamptz NOT NULL	-- absolute expiry
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE api_keys (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	workspace_id	bigint NOT NULL REFERENCES workspaces ON DELETE CASCADE,
	created_by	bigint REFERENCES users ON DELETE SET NULL,
	name		text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
	prefix		text NOT NULL,		-- shown to identify the key
	key_hash	bytea NOT NULL UNIQUE,	-- SHA-256 of the key
	role		text NOT NULL DEFAULT 'admin'
			CHECK (role IN ('admin', 'viewer')),
	created_at	timestamptz NOT NULL DEFAULT now(),
	last_used_at	timestamptz,
	revoked_at	timestamptz
);
CREATE INDEX api_keys_workspace ON api_keys (workspace_id);

CREATE TABLE login_failures (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	email		text NOT NULL,
	client_addr	text NOT NULL,
	at		timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_email ON login_failures (lower(email), at);
CREATE INDEX login_failures_addr ON login_failures (client_addr, at);

CREATE TABLE connections (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	workspace_id	bigint NOT NULL REFERENCES workspaces ON DELETE CASCADE,
	provider	text NOT NULL,
	external_owner	text NOT NULL DEFAULT '',	-- provider's user/org id
	status		text NOT NULL DEFAULT 'connected' CHECK (status IN
			('connected', 'needs_reauth', 'error', 'disconnected')),
	token_blob	text,		-- sealed token set (lib/crypto)
	key_id		text,		-- key that sealed token_blob
	scopes		text NOT NULL DEFAULT '',
	token_expires_at timestamptz,
	accounts	jsonb NOT NULL DEFAULT '[]',	-- listed accounts
	selected	jsonb NOT NULL DEFAULT '[]',	-- selected account ids
	api_base	text,		-- per-connection API base (Mailchimp dc)
	sandbox		boolean NOT NULL DEFAULT false,
	last_sync_at	timestamptz,
	last_error	text,
	last_tested_at	timestamptz,
	last_test_ok	boolean,
	created_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz NOT NULL DEFAULT now(),
	UNIQUE (workspace_id, provider, external_owner)
);
CREATE INDEX connections_status ON connections (status);

CREATE TABLE oauth_states (
	state_hash	bytea PRIMARY KEY,	-- SHA-256 of the state
	workspace_id	bigint NOT NULL REFERENCES workspaces ON DELETE CASCADE,
	user_id		bigint NOT NULL REFERENCES users ON DELETE CASCADE,
	session_hash	bytea NOT NULL,		-- the session that started it
	provider	text NOT NULL,
	pkce_verifier	text,
	created_at	timestamptz NOT NULL DEFAULT now(),
	expires_at	timestamptz NOT NULL,
	used_at		timestamptz
);
CREATE INDEX oauth_states_expires ON oauth_states (expires_at);

CREATE TABLE sync_jobs (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	workspace_id	bigint NOT NULL REFERENCES workspaces ON DELETE CASCADE,
	connection_id	bigint NOT NULL REFERENCES connections ON DELETE CASCADE,
	kind		text NOT NULL DEFAULT 'daily'
			CHECK (kind IN ('daily', 'manual', 'backfill')),
	status		text NOT NULL DEFAULT 'queued' CHECK (status IN
			('queued', 'running', 'done', 'failed')),
	priority	integer NOT NULL DEFAULT 0,	-- higher runs first
	run_after	timestamptz NOT NULL DEFAULT now(),
	attempts	integer NOT NULL DEFAULT 0,
	lease_until	timestamptz,
	leased_by	text,
	day		date NOT NULL DEFAULT current_date,	-- daily dedupe
	last_error	text,
	created_at	timestamptz NOT NULL DEFAULT now(),
	finished_at	timestamptz
);
-- One active job per connection at a time.
CREATE UNIQUE INDEX sync_jobs_one_active ON sync_jobs (connection_id)
	WHERE status IN ('queued', 'running');
CREATE INDEX sync_jobs_ready ON sync_jobs (priority DESC, run_after)
	WHERE status = 'queued';

CREATE TABLE sync_runs (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	workspace_id	bigint NOT NULL REFERENCES workspaces ON DELETE CASCADE,
	connection_id	bigint NOT NULL REFERENCES connections ON DELETE CASCADE,
	job_id		bigint REFERENCES sync_jobs ON DELETE SET NULL,
	provider	text NOT NULL,
	started_at	timestamptz NOT NULL DEFAULT now(),
	finished_at	timestamptz,
	status		text NOT NULL DEFAULT 'running' CHECK (status IN
			('running', 'ok', 'error', 'rate_limited', 'auth')),
	pages		integer NOT NULL DEFAULT 0,
	rows_fetched	integer NOT NULL DEFAULT 0,
	rows_changed	integer NOT NULL DEFAULT 0,
	duration_ms	integer,
	error		text
);
CREATE INDEX sync_runs_connection ON sync_runs (connection_id, started_at DESC);
CREATE INDEX sync_runs_workspace ON sync_runs (workspace_id, started_at DESC);

CREATE TABLE metric_daily (
	workspace_id	bigint NOT NULL REFERENCES workspaces ON DELETE CASCADE,
	provider	text NOT NULL,
	account_id	text NOT NULL,
	metric		text NOT NULL,
	day		date NOT NULL,
	value		numeric NOT NULL,
	dims		jsonb NOT NULL DEFAULT '{}',
	updated_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (workspace_id, provider, account_id, metric, day)
);

CREATE TABLE communications (
	workspace_id	bigint NOT NULL REFERENCES workspaces ON DELETE CASCADE,
	connection_id	bigint NOT NULL REFERENCES connections ON DELETE CASCADE,
	channel_id	text NOT NULL,
	ts		text NOT NULL,		-- Slack message ts
	thread_ts	text,
	user_id		text,
	text		text NOT NULL DEFAULT '',
	reply_count	integer NOT NULL DEFAULT 0,
	posted_at	timestamptz NOT NULL,
	raw		jsonb NOT NULL DEFAULT '{}',
	PRIMARY KEY (workspace_id, channel_id, ts)
);
CREATE INDEX communications_thread ON communications
	(workspace_id, channel_id, thread_ts);

CREATE TABLE digest_runs (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	scope		text NOT NULL,
	period_start	date NOT NULL,
	period_end	date NOT NULL,
	started_at	timestamptz NOT NULL DEFAULT now(),
	finished_at	timestamptz,
	sent		integer NOT NULL DEFAULT 0,
	skipped		integer NOT NULL DEFAULT 0,
	failed		integer NOT NULL DEFAULT 0,
	errors		jsonb NOT NULL DEFAULT '[]'
);

CREATE TABLE digest_sends (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	workspace_id	bigint NOT NULL REFERENCES workspaces ON DELETE CASCADE,
	run_id		bigint REFERENCES digest_runs ON DELETE SET NULL,
	recipient	text NOT NULL,
	period_start	date NOT NULL,
	batch_id	text,		-- claimed batch (idempotency key)
	status		text NOT NULL DEFAULT 'claimed' CHECK (status IN
			('claimed', 'sent', 'failed', 'skipped')),
	resend_id	text,
	error		text,
	created_at	timestamptz NOT NULL DEFAULT now(),
	sent_at		timestamptz,
	UNIQUE (workspace_id, recipient, period_start)
);
CREATE INDEX digest_sends_resend ON digest_sends (resend_id);

CREATE TABLE digest_subscriptions (
	workspace_id	bigint NOT NULL REFERENCES workspaces ON DELETE CASCADE,
	email		text NOT NULL,
	subscribed	boolean NOT NULL DEFAULT true,
	updated_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (workspace_id, email)
);

CREATE TABLE email_events (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	message_id	text NOT NULL UNIQUE,	-- svix-id of the webhook
	type		text NOT NULL,
	email_id	text,			-- Resend's email id
	recipient	text,
	created_at	timestamptz,		-- from the event
	received_at	timestamptz NOT NULL DEFAULT now(),
	payload		jsonb NOT NULL
);
CREATE INDEX email_events_email ON email_events (email_id);
CREATE INDEX email_events_received ON email_events (received_at DESC);

CREATE TABLE email_suppressions (
	email		text PRIMARY KEY,	-- stored lower case
	reason		text NOT NULL,		-- bounced, complained, manual
	source_event	text,
	created_at	timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE ingest_requests (
	workspace_id	bigint NOT NULL REFERENCES workspaces ON DELETE CASCADE,
	idempotency_key	text NOT NULL,
	status		integer NOT NULL,
	response	text NOT NULL,
	created_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (workspace_id, idempotency_key)
);
