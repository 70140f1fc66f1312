/*
 * oauth.h — providers' token endpoints: authorize, exchange, refresh.
 *
 * The authorize URL, the code exchange, refresh and revocation of OAuth 2,
 * reading every token answer's shape (form-encoded, errors under HTTP 200,
 * ok:false, error objects); a provider's hooks replace or follow a step
 * (Meta's long-lived exchange, Mailchimp's metadata call for its API
 * base), built from the pieces at the end of this header.  All network
 * goes through lib/net/httpc; strings returned live in the caller's
 * arena.
 */
#ifndef SLUICE_OAUTH_H
#define SLUICE_OAUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct arena;
struct config;
struct httpc;
struct httpc_resp;
struct json_object;
struct provider;

/* A token set, as stored (sealed) on the connection. */
struct oauth_tokens {
	const char	*access_token;
	const char	*refresh_token;	/* NULL when none */
	int64_t		 expires_at;	/* Unix seconds; 0: does not expire */
	const char	*scope;		/* granted scopes, as sent back */
	const char	*owner;		/* provider's id for the account owner */
	const char	*owner_label;	/* the login for people (not sealed) */
	const char	*api_base;	/* per-account API base (Mailchimp) */
};

/* Why a token call failed, for the page and the connection's status. */
struct oauth_failure {
	bool		 invalid_grant;	/* refresh/code refused: reconnect */
	const char	*message;	/* plain words, no secrets */
};

/*
 * The authorize URL for a state and PKCE challenge (arena-owned); hint,
 * when not NULL, the login to suggest (p->login_hint's parameter: an
 * email for Google, a user name for GitHub; ignored where none).
 * ERR_UNAVAILABLE when the provider is not configured.
 */
enum err	 oauth_authorize_url(const struct provider *,
		    const struct config *, struct arena *, const char *state,
		    const char *challenge, const char *hint, const char **out);

/*
 * Parses a token endpoint's answer (status, Content-Type, body) into *out
 * with now as the clock; the login it names, if any, in out->owner and
 * out->owner_label (an id_token's sub and email; Slack's team and
 * installer).  ERR_OK; ERR_AUTH when the provider refused
 * (f->invalid_grant for invalid_grant-like refusals); ERR_RATELIMIT when
 * it asks to wait (Meta's rate-limit codes); ERR_UPSTREAM when the answer
 * is not a token response (HTML, truncated JSON, 5xx).
 */
enum err	 oauth_parse_tokens(struct arena *, const struct provider *,
		    int status, const char *content_type, const char *body,
		    size_t len, int64_t now, struct oauth_tokens *out,
		    struct oauth_failure *f);

/*
 * The permissions Sluice asked for (p->scopes) that granted, the scope
 * the token answer names, leaves out — a person can untick one on
 * Google's consent screen — as "a, b" (arena); NULL when none is missing
 * or the answer names no scope.  Sign-in scopes (openid, email,
 * profile) are not data and never count as missing.
 */
const char	*oauth_missing_scopes(struct arena *, const struct provider *,
		    const char *granted);

/*
 * Exchanges an authorization code (with the PKCE verifier when the
 * provider uses PKCE; the client in the form, or as HTTP Basic when its
 * token_auth says so, as the refresh) and applies the provider's
 * quirks.  Errors as
 * oauth_parse_tokens(), plus ERR_UPSTREAM for timeouts and connection
 * failures; f->message always says what happened.
 */
enum err	 oauth_exchange(struct httpc *, struct arena *,
		    const struct provider *, const struct config *,
		    const char *code, const char *verifier,
		    struct oauth_tokens *out, struct oauth_failure *f);

/* Refreshes with t->refresh_token; a new refresh token, when the
 * provider rotates it, is in out->refresh_token (else the old one). */
enum err	 oauth_refresh(struct httpc *, struct arena *,
		    const struct provider *, const struct config *,
		    const struct oauth_tokens *t, struct oauth_tokens *out,
		    struct oauth_failure *f);

/*
 * Revokes at the provider when it offers revocation: its `revoke` hook,
 * else its REVOKE_URL (RFC 7009: the refresh token, else the access
 * token, as a form) or revoke_path (the access token as Bearer).  ERR_OK
 * when revoked, when the provider no longer knows the token, or when it
 * offers no revocation (*revoked false then); otherwise the error of
 * oauth_revoke_send() with f->message in plain words.
 */
enum err	 oauth_revoke(struct httpc *, struct arena *,
		    const struct provider *, const struct config *,
		    const struct oauth_tokens *t, bool *revoked,
		    struct oauth_failure *f);

/*
 * Who the login is, after a good exchange: asks the provider
 * (urls[PROVIDER_WHOAMI_URL] with the token, read by its whoami hook)
 * and sets t->owner (its stable id, at most LIMIT_OWNER_TEXT bytes) and
 * t->owner_label (email or name; NULL when it gives none) — unless the
 * token answer named the login already (an OpenID Connect id_token's
 * sub and email, Slack's team and installer) or the metadata call did
 * (Mailchimp).  ERR_OK; ERR_AUTH when the provider refused the token,
 * ERR_UPSTREAM when it could not be asked or named nobody; f->message
 * says which.  The caller decides what an unnamed login means.
 */
enum err	 oauth_whoami(struct httpc *, struct arena *,
		    const struct provider *, const struct config *,
		    struct oauth_tokens *t, struct oauth_failure *f);

/*
 * Pieces of the whoami hooks.  oauth_whoami_json() reads an identity
 * answer: *out its JSON object when the status is 200 and the body has
 * no error member; else ERR_AUTH for a refusal (401, 403, an error
 * member: the token), ERR_UPSTREAM for anything else, f->message naming
 * the provider's own words where it gave some.  oauth_whoami_pick()
 * takes the id (id_key, a string or a number) and the label (the first
 * of label1, label2 present) of o into t: ERR_UPSTREAM without an id.
 * oauth_whoami_keys() is the hook for an answer that names the login
 * at the top: oauth_whoami_json(), then oauth_whoami_pick() with the
 * provider's whoami_keys (Google's OpenID Connect userinfo: sub; email,
 * else name; Meta's /me: id; name; GitHub's /user: id; login, else
 * name).
 */
enum err	 oauth_whoami_json(struct arena *, const struct provider *,
		    int status, const char *body, size_t len,
		    struct json_object **out, struct oauth_failure *f);
enum err	 oauth_whoami_pick(struct arena *, const struct provider *,
		    struct json_object *o, const char *id_key,
		    const char *label1, const char *label2,
		    struct oauth_tokens *t, struct oauth_failure *f);
enum err	 oauth_whoami_keys(struct arena *, const struct provider *,
		    int status, const char *body, size_t len,
		    struct oauth_tokens *t, struct oauth_failure *f);

/* One token step in progress, as a provider's hook is given it. */
struct oauth_call {
	struct httpc		*h;
	struct arena		*a;
	const struct provider	*p;
	const struct config	*cfg;
	struct oauth_failure	*f;	/* filled on failure */
};

/* Calls a token endpoint (method GET or POST, body form-encoded or
 * NULL) and parses the answer: oauth_parse_tokens()'s errors, plus
 * ERR_UPSTREAM when it cannot be reached; c->f says what happened. */
enum err	 oauth_token_call(const struct oauth_call *c,
		    const char *method, const char *url, const char *body,
		    struct oauth_tokens *out);

/*
 * A GET of url with the token (the provider's auth scheme), asking for
 * JSON, with the provider's API headers (its version) when api is true:
 * the answer in *res, whatever its status, body in the arena.  httpc's
 * errors when it cannot be reached, *why saying why.
 */
enum err	 oauth_api_get(const struct oauth_call *c, const char *url,
		    bool api, const char *token, struct httpc_resp *res,
		    const char **why);

/* A form or query string from name/value pairs ending in NULL (a NULL
 * value leaves its pair out); arena-owned. */
const char	*oauth_form(struct arena *, const char *const *kv);

/* One revocation request, as a provider's `revoke` hook builds it. */
struct oauth_revoke_req {
	const char	*method;	/* POST when NULL */
	const char	*url;
	const char	*form;		/* a form body, or NULL */
	const char	*json;		/* a JSON body, or NULL */
	const char	*bearer;	/* the token as Bearer, or NULL */
	bool		 basic;		/* client id and secret as Basic */
	const char	*header_name;	/* one more header, or NULL */
	const char	*header_value;
};

/*
 * Sends a revocation and reads the status: ERR_OK when the provider
 * confirmed it (2xx) or no longer knows the token (400, 404, 410: it is
 * invalid already); ERR_UPSTREAM when it cannot be reached or answers
 * anything else (a refused client, 429, 5xx), c->f->message saying so.
 */
enum err	 oauth_revoke_send(const struct oauth_call *c,
		    const struct oauth_revoke_req *r);

/* Fills f and returns rc. */
enum err	 oauth_fail(struct oauth_failure *f, enum err rc,
		    bool invalid_grant, const char *message);

/* The token set as JSON text (for sealing) and back. */
const char	*oauth_tokens_json(struct arena *, const struct oauth_tokens *);
enum err	 oauth_tokens_parse(struct arena *, const char *json,
		    struct oauth_tokens *out);

#endif
