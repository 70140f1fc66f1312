-- 240_password_reset.sql — "Forgot your password?": one-time links that
-- set a new password.
--
-- A request for an address that has an account stores the hash of a
-- fresh token (the link carries the token itself), valid one hour; using
-- it sets the password, ends every session of the person and uses up
-- every other link of theirs, in one transaction.  Every request is
-- recorded, for an address with an account or not (user_id NULL), so
-- that the bounds on how many an address and a client may ask for say
-- nothing of which addresses have accounts.  Like users, this table is the owner role's alone:
-- requests for a workspace (sluice_web) never see it.

CREATE TABLE password_resets (
	token_hash	bytea PRIMARY KEY,
	user_id		bigint REFERENCES users ON DELETE CASCADE,
	email		text NOT NULL,	-- as asked for, lower case
	client_addr	text,
	created_at	timestamptz NOT NULL DEFAULT now(),
	expires_at	timestamptz NOT NULL,
	used_at		timestamptz
);
CREATE INDEX password_resets_user ON password_resets (user_id);
CREATE INDEX password_resets_email ON password_resets (email, created_at);
CREATE INDEX password_resets_addr ON password_resets (client_addr,
	created_at);

REVOKE ALL ON password_resets FROM sluice_web;
