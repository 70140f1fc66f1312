-- 180_webhooks_out.sql — signed outgoing webhooks (lib/hooks/outbox.h).
--
-- An admin registers endpoints (an https URL and the event types it
-- wants); every event of those types becomes one delivery per endpoint,
-- which the worker posts, signed the Standard Webhooks way, and retries
-- with backoff for 24 hours.
--
-- Events are made by AFTER triggers on the rows whose change is the event
-- (connections.status, sync_runs finishing, digest_sends becoming sent),
-- in the same transaction as the change: whichever program changes the
-- row (the worker, the pages, the API, the cron program, a psql session),
-- the event exists exactly when the change is committed, and a process
-- that dies before its commit leaves neither.  Explicit calls at each
-- place the state changes would have to be repeated in every such place,
-- and could be forgotten by the next one.  With no endpoint subscribed to
-- a type, the trigger's one indexed look-up is all it costs.
--
-- Locks: the new tables start empty; creating the triggers takes a
-- SHARE ROW EXCLUSIVE lock on connections, sync_runs and digest_sends for
-- a moment (writes wait, reads go on); nothing is rewritten.
--
-- Tenant tables with the policies of 050_rls.sql.  The signing secret is
-- never readable by the web role (it writes it, only the owner role, the
-- worker's, reads it): a page shows it once, when it is made.

CREATE TABLE webhook_endpoints (
	workspace_id	bigint NOT NULL REFERENCES workspaces ON DELETE CASCADE,
	id		bigint GENERATED ALWAYS AS IDENTITY,
	url		text NOT NULL CHECK (length(url) BETWEEN 9 AND 2048),
	events		text[] NOT NULL CHECK (cardinality(events) > 0),
	secret		text NOT NULL,		-- whsec_ + base64 of 32 bytes
	enabled		boolean NOT NULL DEFAULT true,
	created_by	bigint REFERENCES users ON DELETE SET NULL,
	created_at	timestamptz NOT NULL DEFAULT now(),
	secret_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (workspace_id, id),
	UNIQUE (id)
);

-- One row per event; body is the exact JSON posted (and signed) to every
-- endpoint, msg_id its webhook-id.  dedupe says which row change made it
-- ("sync_run:42"), so the same change never makes two events.
CREATE TABLE webhook_events (
	workspace_id	bigint NOT NULL REFERENCES workspaces ON DELETE CASCADE,
	id		bigint GENERATED ALWAYS AS IDENTITY,
	msg_id		text NOT NULL UNIQUE,
	type		text NOT NULL,
	dedupe		text,
	body		text NOT NULL,
	created_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (workspace_id, id),
	UNIQUE (id),
	UNIQUE (workspace_id, dedupe)
);
CREATE INDEX webhook_events_created ON webhook_events (created_at);

-- One delivery per event and endpoint (never two: the unique key), with
-- its attempts.  status: pending (next_at says when), delivered (a 2xx
-- came), failed (24 hours of retries ran out, or the endpoint went away).
-- response: the start of the last answer, at most 1 KiB.
CREATE TABLE webhook_deliveries (
	workspace_id	bigint NOT NULL,
	id		bigint GENERATED ALWAYS AS IDENTITY,
	endpoint_id	bigint NOT NULL,
	event_id	bigint NOT NULL,
	status		text NOT NULL DEFAULT 'pending' CHECK (status IN
			('pending', 'delivered', 'failed')),
	attempts	integer NOT NULL DEFAULT 0,
	next_at		timestamptz NOT NULL DEFAULT now(),
	lease_until	timestamptz,
	last_at		timestamptz,
	http_status	integer,
	error		text,
	response	text CHECK (octet_length(response) <= 1024),
	created_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (workspace_id, id),
	UNIQUE (endpoint_id, event_id),
	FOREIGN KEY (workspace_id, endpoint_id) REFERENCES webhook_endpoints
		(workspace_id, id) ON DELETE CASCADE,
	FOREIGN KEY (workspace_id, event_id) REFERENCES webhook_events
		(workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_at)
	WHERE status = 'pending';
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries
	(endpoint_id, id DESC);
CREATE INDEX webhook_deliveries_event ON webhook_deliveries (workspace_id,
	event_id);

DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['webhook_endpoints', 'webhook_events',
	    'webhook_deliveries']
	LOOP
		EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
		EXECUTE format('CREATE POLICY tenant ON %I TO sluice_web '
		    'USING (workspace_id = sluice_workspace()) '
		    'WITH CHECK (workspace_id = sluice_workspace())', t);
	END LOOP;
END
$$;
-- The web role writes a secret (new endpoint, rotation), never reads one.
REVOKE SELECT ON webhook_endpoints FROM sluice_web;
GRANT SELECT (workspace_id, id, url, events, enabled, created_by,
	created_at, secret_at) ON webhook_endpoints TO sluice_web;

-- Makes one event of type p_type for workspace p_ws, with p_data (a JSON
-- object), and its deliveries to the workspace's enabled endpoints
-- subscribed to the type (p_only: to that endpoint only, whatever it
-- chose: a test event).  Nothing when no endpoint wants it or when
-- p_dedupe was seen before.
-- Returns the event's id, or NULL.
CREATE FUNCTION sluice_webhook_emit(p_ws bigint, p_type text,
	p_dedupe text, p_data jsonb, p_only bigint DEFAULT NULL)
	RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
	ev bigint;
	at timestamptz := clock_timestamp();
BEGIN
	IF NOT EXISTS (SELECT 1 FROM webhook_endpoints e WHERE
	    e.workspace_id = p_ws AND (CASE WHEN p_only IS NULL THEN
	    e.enabled AND p_type = ANY (e.events) ELSE e.id = p_only END))
	THEN
		RETURN NULL;
	END IF;
	INSERT INTO webhook_events AS v (workspace_id, msg_id, type, dedupe,
		body, created_at)
	VALUES (p_ws, 'msg_' || replace(gen_random_uuid()::text, '-', ''),
		p_type, p_dedupe, jsonb_build_object('type', p_type,
		'timestamp', to_char(at AT TIME ZONE 'UTC',
		'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'data',
		jsonb_build_object('workspace_id', p_ws) || p_data)::text, at)
	ON CONFLICT (workspace_id, dedupe) DO NOTHING
	RETURNING v.id INTO ev;
	IF ev IS NULL THEN
		RETURN NULL;
	END IF;
	INSERT INTO webhook_deliveries AS d (workspace_id, endpoint_id,
		event_id)
	SELECT p_ws, e.id, ev FROM webhook_endpoints e
	WHERE e.workspace_id = p_ws AND (CASE WHEN p_only IS NULL THEN
	    e.enabled AND p_type = ANY (e.events) ELSE e.id = p_only END)
	ON CONFLICT (endpoint_id, event_id) DO NOTHING;
	RETURN ev;
END
$$;
REVOKE ALL ON FUNCTION sluice_webhook_emit(bigint, text, text, jsonb,
	bigint) FROM PUBLIC;

-- "Send test event": a webhook.test event for endpoint p_endpoint of
-- p_ws only.  The one event the web role makes itself, and only for the
-- workspace its request acts for (sluice.workspace_id, 050_rls.sql).
CREATE FUNCTION sluice_webhook_test(p_ws bigint, p_endpoint bigint)
	RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
	IF sluice_workspace() IS DISTINCT FROM p_ws AND
	    sluice_workspace() IS NOT NULL THEN
		RAISE EXCEPTION 'not the workspace of this request'
		    USING ERRCODE = 'insufficient_privilege';
	END IF;
	RETURN sluice_webhook_emit(p_ws, 'webhook.test', NULL,
	    jsonb_build_object('endpoint_id', p_endpoint, 'message',
	    'A test event from Sluice: your endpoint receives and verifies '
	    'webhooks.'), p_endpoint);
END
$$;
REVOKE ALL ON FUNCTION sluice_webhook_test(bigint, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sluice_webhook_test(bigint, bigint) TO sluice_web;

-- What a connection event says about it: never a token or a secret.
CREATE FUNCTION sluice_webhook_connection_data(c connections) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('connection_id', c.id, 'provider',
		c.provider, 'account_ids', c.selected, 'status', c.status,
		'message', c.last_error)
$$;

CREATE FUNCTION sluice_webhook_connection() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
	IF NEW.status IN ('connected', 'needs_reauth', 'disconnected') THEN
		PERFORM sluice_webhook_emit(NEW.workspace_id,
		    'connection.' || NEW.status, NULL,
		    sluice_webhook_connection_data(NEW));
	END IF;
	RETURN NULL;
END
$$;

-- A status change, or a new connection (already connected).
CREATE TRIGGER connections_webhook_insert AFTER INSERT ON connections
	FOR EACH ROW EXECUTE FUNCTION sluice_webhook_connection();
CREATE TRIGGER connections_webhook_status AFTER UPDATE OF status
	ON connections FOR EACH ROW
	WHEN (NEW.status IS DISTINCT FROM OLD.status)
	EXECUTE FUNCTION sluice_webhook_connection();

-- A finished run: ok is sync.succeeded; error and auth are sync.failed
-- (one per failed attempt: a job retried after a failure sends one each
-- time); rate_limited is a wait, not an outcome, and sends nothing.
CREATE FUNCTION sluice_webhook_sync_run() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
	IF NEW.status NOT IN ('ok', 'error', 'auth') THEN
		RETURN NULL;
	END IF;
	PERFORM sluice_webhook_emit(NEW.workspace_id, CASE NEW.status WHEN
	    'ok' THEN 'sync.succeeded' ELSE 'sync.failed' END,
	    'sync_run:' || NEW.id, jsonb_build_object('connection_id',
	    NEW.connection_id, 'provider', NEW.provider, 'account_ids',
	    (SELECT c.selected FROM connections c WHERE
	    c.id = NEW.connection_id), 'run_id', NEW.id, 'job_id', NEW.job_id,
	    'status', NEW.status, 'started_at', to_char(NEW.started_at AT
	    TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), 'finished_at',
	    to_char(NEW.finished_at AT TIME ZONE 'UTC',
	    'YYYY-MM-DD"T"HH24:MI:SS"Z"'), 'duration_ms', NEW.duration_ms,
	    'rows_fetched', NEW.rows_fetched, 'rows_changed', NEW.rows_changed,
	    'message', NEW.error));
	RETURN NULL;
END
$$;

CREATE TRIGGER sync_runs_webhook_finish AFTER UPDATE OF finished_at, status
	ON sync_runs FOR EACH ROW
	WHEN (NEW.finished_at IS NOT NULL AND NEW.status <> 'running')
	EXECUTE FUNCTION sluice_webhook_sync_run();
CREATE TRIGGER sync_runs_webhook_insert AFTER INSERT ON sync_runs
	FOR EACH ROW
	WHEN (NEW.finished_at IS NOT NULL AND NEW.status <> 'running')
	EXECUTE FUNCTION sluice_webhook_sync_run();

CREATE FUNCTION sluice_webhook_digest_send() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
	PERFORM sluice_webhook_emit(NEW.workspace_id, 'digest.sent',
	    'digest_send:' || NEW.id, jsonb_build_object('digest_send_id',
	    NEW.id, 'recipient', NEW.recipient, 'period_start',
	    NEW.period_start, 'run_id', NEW.run_id, 'status', NEW.status,
	    'sent_at', to_char(coalesce(NEW.sent_at, now()) AT TIME ZONE
	    'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')));
	RETURN NULL;
END
$$;

CREATE TRIGGER digest_sends_webhook_insert AFTER INSERT ON digest_sends
	FOR EACH ROW WHEN (NEW.status = 'sent')
	EXECUTE FUNCTION sluice_webhook_digest_send();
CREATE TRIGGER digest_sends_webhook_update AFTER UPDATE OF status
	ON digest_sends FOR EACH ROW
	WHEN (NEW.status = 'sent' AND OLD.status IS DISTINCT FROM 'sent')
	EXECUTE FUNCTION sluice_webhook_digest_send();
