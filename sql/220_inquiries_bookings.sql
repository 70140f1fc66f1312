-- 220_inquiries_bookings.sql — the business side (issue 24): inquiries
-- from a site's form or the API, worked through a status pipeline with
-- notes and an owner, and bookings made from them or on their own.
--
-- Every table but the throttle carries workspace_id first in its primary
-- key and the tenant policy of 050.  None of it is synced data: "delete
-- synced data" leaves it alone (README, Inquiries and bookings); deleting
-- the workspace deletes it.

-- A workspace's public form: the token in its address (/f/TOKEN, public:
-- it sits in the site's HTML), the site origins allowed to post from a
-- browser (space-separated, "https://example.com"; empty: any, without
-- CORS), and where a plain HTML form post is sent afterwards.
CREATE TABLE inquiry_forms (
	workspace_id	bigint PRIMARY KEY REFERENCES workspaces (id)
			    ON DELETE CASCADE,
	token		text NOT NULL UNIQUE CHECK (token ~ '^[A-Za-z0-9_-]{16,64}$'),
	origins		text NOT NULL DEFAULT '',
	thank_you_url	text,
	rotated_at	timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE inquiries (
	workspace_id	bigint NOT NULL REFERENCES workspaces (id)
			    ON DELETE CASCADE,
	id		bigint GENERATED ALWAYS AS IDENTITY,
	status		text NOT NULL DEFAULT 'new' CHECK (status IN ('new',
			    'contacted', 'qualified', 'converted', 'lost')),
	name		text NOT NULL DEFAULT '',
	email		text NOT NULL DEFAULT '',
	phone		text NOT NULL DEFAULT '',
	message		text NOT NULL DEFAULT '',
	source		text NOT NULL DEFAULT 'api',
	utm_source	text NOT NULL DEFAULT '',
	utm_medium	text NOT NULL DEFAULT '',
	utm_campaign	text NOT NULL DEFAULT '',
	utm_term	text NOT NULL DEFAULT '',
	utm_content	text NOT NULL DEFAULT '',
	referrer	text NOT NULL DEFAULT '',
	landing_page	text NOT NULL DEFAULT '',
	owner_user_id	bigint REFERENCES users (id) ON DELETE SET NULL,
	created_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (workspace_id, id),
	CHECK (email <> '' OR phone <> '')
);
CREATE INDEX inquiries_status ON inquiries (workspace_id, status, id);

CREATE TABLE inquiry_notes (
	workspace_id	bigint NOT NULL,
	id		bigint GENERATED ALWAYS AS IDENTITY,
	inquiry_id	bigint NOT NULL,
	author_user_id	bigint REFERENCES users (id) ON DELETE SET NULL,
	body		text NOT NULL CHECK (body <> ''),
	created_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (workspace_id, id),
	FOREIGN KEY (workspace_id, inquiry_id) REFERENCES inquiries
	    (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX inquiry_notes_inquiry ON inquiry_notes (workspace_id,
	inquiry_id);

-- Idempotency-Key of POST /v1/inquiries and of the form: the first
-- request's body hash and answer; the same key again replays the answer.
CREATE TABLE inquiry_requests (
	workspace_id	bigint NOT NULL REFERENCES workspaces (id)
			    ON DELETE CASCADE,
	idempotency_key	text NOT NULL,
	request_hash	text NOT NULL,
	status		integer NOT NULL,
	response	text NOT NULL,
	created_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (workspace_id, idempotency_key)
);

CREATE TABLE bookings (
	workspace_id	bigint NOT NULL REFERENCES workspaces (id)
			    ON DELETE CASCADE,
	id		bigint GENERATED ALWAYS AS IDENTITY,
	inquiry_id	bigint,
	event_type	text NOT NULL CHECK (event_type IN ('wedding',
			    'engagement', 'portrait', 'event', 'other')),
	event_date	date,
	status		text NOT NULL DEFAULT 'tentative' CHECK (status IN
			    ('tentative', 'confirmed', 'completed',
			    'cancelled')),
	value		numeric(18, 3) CHECK (value >= 0),
	currency	text CHECK (currency ~ '^[A-Z]{3}$'),
	note		text NOT NULL DEFAULT '',
	created_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (workspace_id, id),
	CHECK ((value IS NULL) = (currency IS NULL)),
	FOREIGN KEY (workspace_id, inquiry_id) REFERENCES inquiries
	    (workspace_id, id) ON DELETE SET NULL (inquiry_id)
);
CREATE INDEX bookings_inquiry ON bookings (workspace_id, inquiry_id);

DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['inquiry_forms', 'inquiries',
	    'inquiry_notes', 'inquiry_requests', 'bookings']
	LOOP
		EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
		EXECUTE format('CREATE POLICY tenant ON %I TO sluice_web '
		    'USING (workspace_id = sluice_workspace()) '
		    'WITH CHECK (workspace_id = sluice_workspace())', t);
	END LOOP;
END
$$;

-- The form's throttle, per client address of a form and per form (a
-- fixed window from its first attempt, as login_throttle).  The form is
-- public: its requests count here before any workspace scope is taken,
-- never as sluice_web.
CREATE TABLE inquiry_throttle (
	key_hash	bytea PRIMARY KEY,
	attempts	integer NOT NULL,
	window_end	timestamptz NOT NULL
);
CREATE INDEX inquiry_throttle_window ON inquiry_throttle (window_end);
REVOKE ALL ON inquiry_throttle FROM sluice_web;
