/* oauth.c — OAuth 2 token endpoints, with the providers' hooks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <json-c/json.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/config.h"
#include "base/jsonx.h"
#include "base/kv.h"
#include "base/limit.h"
#include "base/mem.h"
#include "crypto/crypto.h"
#include "net/httpc.h"
#include "providers/oauth.h"
#include "providers/provider.h"
#include "base/utf8.h"
#include "tenancy/account.h"
#include "web/req.h"

const char *
oauth_form(struct arena *a, const char *const *kv)
{
	const char *s = "";
	size_t i;

	for (i = 0; kv[i] != NULL; i += 2) {
		if (kv[i + 1] == NULL)
			continue;
		s = arena_printf(a, "%s%s%s=%s", s, *s ? "&" : "", kv[i],
		    httpc_escape(a, kv[i + 1]));
	}
	return s;
}

enum err
oauth_authorize_url(const struct provider *p, const struct config *cfg,
    struct arena *a, const char *state, const char *challenge,
    const char *hint, const char **out)
{
	const char *id, *secret, *base, *q;
	enum err rc;

	if ((rc = provider_client(p, cfg, &id, &secret)) != ERR_OK)
		return rc;
	base = provider_url(p, PROVIDER_AUTH_URL, cfg, a);
	{
		const char *kv[] = {
			"response_type", "code",
			"client_id", id,
			"redirect_uri", provider_redirect_uri(p, cfg, a),
			"scope", *p->scopes != '\0' ? p->scopes : NULL,
			"state", state,
			"code_challenge", p->pkce ? challenge : NULL,
			"code_challenge_method", p->pkce ? "S256" : NULL,
			p->login_hint != NULL ? p->login_hint : "login_hint",
			p->login_hint != NULL && hint != NULL && *hint != '\0' ?
			hint : NULL,
			NULL,
		};
		q = oauth_form(a, kv);
	}
	*out = arena_printf(a, "%s%s%s%s%s", base, strchr(base, '?') ? "&" :
	    "?", q, p->auth_params != NULL ? "&" : "",
	    p->auth_params != NULL ? p->auth_params : "");
	return ERR_OK;
}

enum err
oauth_fail(struct oauth_failure *f, enum err rc, bool invalid_grant,
    const char *message)
{
	f->invalid_grant = invalid_grant;
	f->message = message;
	return rc;
}

/* A JSON member as a string (numbers too), or NULL. */
static const char *
member(struct arena *a, struct json_object *o, const char *k)
{
	struct json_object *v;

	if ((v = jsonx_member(o, k)) == NULL)
		return NULL;
	if (json_object_is_type(v, json_type_string))
		return arena_strdup(a, json_object_get_string(v));
	if (json_object_is_type(v, json_type_int) ||
	    json_object_is_type(v, json_type_double))
		return arena_strdup(a, json_object_get_string(v));
	return NULL;
}

/* A provider's words for a person: without controls, line breaks and
 * reordering characters (account_name_plain()), valid UTF-8 cut to
 * LIMIT_PROVIDER_TEXT; NULL stays NULL.  Arena-owned. */
static const char *
said(struct arena *a, const char *s)
{
	char *out;

	if (s == NULL)
		return NULL;
	out = arena_alloc(a, LIMIT_PROVIDER_TEXT + 1);
	utf8_clean(out, LIMIT_PROVIDER_TEXT + 1, account_name_plain(a, s));
	return out;
}

/* Whether word is one of the space-separated words of list. */
static bool
listed(const char *list, const char *word)
{
	size_t n = strlen(word);
	const char *p;

	for (p = list; p != NULL && *p != '\0'; p += strspn(p, " ")) {
		if (strncmp(p, word, n) == 0 && (p[n] == ' ' || p[n] == '\0'))
			return true;
		p += strcspn(p, " ");
	}
	return false;
}

static bool
refused_grant(const char *error)
{
	static const char *const codes[] = { "invalid_grant",
	    "bad_verification_code", "invalid_refresh_token", "invalid_code",
	    "token_revoked", "token_expired", "invalid_token",
	    "bad_refresh_token", "unauthorized_client" };
	size_t i;

	for (i = 0; error != NULL && i < nitems(codes); i++)
		if (strcmp(error, codes[i]) == 0)
			return true;
	return false;
}

/*
 * The login an OpenID Connect id_token names (its "sub", and its "email"
 * for people) into out.  It came straight from the token endpoint over
 * TLS, so its claims are taken without checking the signature (OpenID
 * Connect Core 1.0, 3.1.3.7); anything malformed names nobody.
 */
static void
id_token_login(struct arena *a, const char *jwt, struct oauth_tokens *out)
{
	const char *dot1, *dot2;
	struct json_object *claims;
	size_t n, len;
	char *payload;

	if (jwt == NULL || (dot1 = strchr(jwt, '.')) == NULL ||
	    (dot2 = strchr(dot1 + 1, '.')) == NULL)
		return;
	n = (size_t)(dot2 - dot1 - 1);
	if (n == 0 || n > LIMIT_ID_TOKEN)
		return;
	payload = arena_alloc(a, n + 1);
	if (crypto_b64url_decode(dot1 + 1, n, payload, n + 1, &len) !=
	    ERR_OK || jsonx_parse(a, payload, len, &claims, NULL) != ERR_OK)
		return;
	if ((out->owner = jsonx_str(claims, "sub")) != NULL &&
	    *out->owner != '\0')
		out->owner_label = jsonx_str(claims, "email");
	else
		out->owner = NULL;
}

enum err
oauth_parse_tokens(struct arena *a, const struct provider *p, int status,
    const char *ctype, const char *body, size_t len, int64_t now,
    struct oauth_tokens *out, struct oauth_failure *f)
{
	struct json_object *o = NULL, *team, *user, *meta_err;
	const char *error = NULL, *desc = NULL, *exp, *jerr = NULL, *uid;
	struct kvlist form;
	const struct kv *kv;
	long long secs;

	memset(out, 0, sizeof(*out));
	memset(f, 0, sizeof(*f));
	if (status >= 500 || status == 0)
		return oauth_fail(f, ERR_UPSTREAM, false, arena_printf(a,
		    "%s's sign-in service failed (HTTP %d); try again later.",
		    p->name, status));
	if (ctype != NULL && strncasecmp(ctype,
	    "application/x-www-form-urlencoded", 33) == 0) {
		/* GitHub without Accept: application/json. */
		if (req_urlencoded(a, body, len, 32, &form, NULL) != ERR_OK)
			return oauth_fail(f, ERR_UPSTREAM, false, "The sign-in "
			    "service answered with a malformed form.");
		if ((kv = kv_get(&form, "error")) != NULL)
			return oauth_fail(f, ERR_AUTH, refused_grant(kv->value),
			    arena_printf(a, "%s refused the sign-in (%s).",
			    p->name, said(a, kv->value)));
		if ((kv = kv_get(&form, "access_token")) == NULL)
			return oauth_fail(f, ERR_UPSTREAM, false, "The sign-in "
			    "service sent no access token.");
		out->access_token = kv->value;
		if ((kv = kv_get(&form, "refresh_token")) != NULL)
			out->refresh_token = kv->value;
		if ((kv = kv_get(&form, "scope")) != NULL)
			out->scope = kv->value;
		if ((kv = kv_get(&form, "expires_in")) != NULL &&
		    (secs = strtoll(kv->value, NULL, 10)) > 0)
			out->expires_at = now + secs;
		return ERR_OK;
	}
	if (jsonx_parse(a, body, len, &o, &jerr) != ERR_OK ||
	    !json_object_is_type(o, json_type_object))
		return oauth_fail(f, ERR_UPSTREAM, false, arena_printf(a,
		    "%s's sign-in service answered with something that is not "
		    "a token (HTTP %d).", p->name, status));
	/* Meta: {"error": {"message", "type", "code", "error_subcode"}}. */
	if (json_object_object_get_ex(o, "error", &meta_err) &&
	    json_object_is_type(meta_err, json_type_object)) {
		desc = member(a, meta_err, "message");
		error = member(a, meta_err, "code");
		/* Its rate limits (#4 the app's, #17 a user's, #32 a
		 * Page's, #613 calls in a window): a wait, not a refusal. */
		if (error != NULL && (strcmp(error, "4") == 0 ||
		    strcmp(error, "17") == 0 || strcmp(error, "32") == 0 ||
		    strcmp(error, "613") == 0))
			return oauth_fail(f, ERR_RATELIMIT, false, arena_printf(
			    a, "%s is limiting requests right now (%s); try "
			    "again in a few minutes", p->name, desc != NULL ?
			    said(a, desc) : arena_printf(a, "code %s", error)));
		return oauth_fail(f, ERR_AUTH, error != NULL &&
		    (strcmp(error, "190") == 0 || strcmp(error, "100") == 0),
		    arena_printf(a, "%s refused the sign-in: %s", p->name,
		    desc != NULL ? said(a, desc) : "no reason given"));
	}
	/* Slack: {"ok": false, "error": "..."} with HTTP 200. */
	if (json_object_object_get_ex(o, "ok", &team) &&
	    json_object_is_type(team, json_type_boolean) &&
	    !json_object_get_boolean(team)) {
		error = member(a, o, "error");
		return oauth_fail(f, ERR_AUTH, refused_grant(error),
		    arena_printf(a, "%s refused the sign-in (%s).", p->name,
		    error != NULL ? said(a, error) : "unknown error"));
	}
	/* RFC 6749 errors, under any status (GitHub: 200). */
	if ((error = member(a, o, "error")) != NULL) {
		desc = member(a, o, "error_description");
		return oauth_fail(f, ERR_AUTH, refused_grant(error),
		    arena_printf(a, "%s refused the sign-in (%s%s%s).",
		    p->name, said(a, error), desc != NULL ? ": " : "",
		    desc != NULL ? said(a, desc) : ""));
	}
	/* Its own shape (provider.h: token_error), then any other: what
	 * it says reaches the person. */
	if (p->token_error[0] != NULL && (status >= 400 ||
	    jsonx_member(o, "access_token") == NULL) &&
	    (error = member(a, o, p->token_error[0])) != NULL) {
		desc = p->token_error[1] != NULL ? member(a, o,
		    p->token_error[1]) : NULL;
		return oauth_fail(f, ERR_AUTH, listed(p->token_refused, error),
		    arena_printf(a, "%s refused the sign-in (%s%s%s).",
		    p->name, said(a, error), desc != NULL ? ": " : "",
		    desc != NULL ? said(a, desc) : ""));
	}
	if (status >= 400) {
		if ((desc = member(a, o, "message")) == NULL &&
		    (desc = member(a, o, "error_message")) == NULL &&
		    (desc = member(a, o, "detail")) == NULL)
			desc = member(a, o, "title");
		return oauth_fail(f, ERR_AUTH, false, arena_printf(a, "%s "
		    "refused the sign-in (HTTP %d%s%s).", p->name, status,
		    desc != NULL ? ": " : "", desc != NULL ? said(a, desc) :
		    ""));
	}
	if ((out->access_token = member(a, o, "access_token")) == NULL)
		return oauth_fail(f, ERR_UPSTREAM, false, arena_printf(a,
		    "%s sent no access token.", p->name));
	out->refresh_token = member(a, o, "refresh_token");
	out->scope = member(a, o, "scope");
	if ((exp = member(a, o, "expires_in")) != NULL &&
	    (secs = strtoll(exp, NULL, 10)) > 0)
		out->expires_at = now + secs;
	/* OpenID Connect (Google with the openid scope) names the login in
	 * its id_token. */
	id_token_login(a, member(a, o, "id_token"), out);
	/* Slack names the login in its answer: the workspace (team) and
	 * the person who installed (authed_user). */
	if (json_object_object_get_ex(o, "team", &team) &&
	    (out->owner = member(a, team, "id")) != NULL) {
		if (json_object_object_get_ex(o, "authed_user", &user) &&
		    (uid = member(a, user, "id")) != NULL)
			out->owner = arena_printf(a, "%s:%s", out->owner, uid);
		out->owner_label = member(a, team, "name");
	}
	return ERR_OK;
}

/* The client as HTTP Basic credentials (RFC 6749, 2.3.1: id and secret
 * form-encoded, joined by ':', in base64); arena-owned. */
static const char *
basic_client(struct arena *a, const char *id, const char *secret)
{
	const char *cred;
	char *b64;
	size_t n;

	cred = arena_printf(a, "%s:%s", httpc_escape(a, id),
	    httpc_escape(a, secret));
	n = strlen(cred);
	b64 = arena_alloc(a, CRYPTO_B64_LEN(n) + 1);
	crypto_b64_encode(cred, n, b64);
	return arena_printf(a, "Basic %s", b64);
}

/* oauth_token_call() with an Authorization header when auth is set. */
static enum err
token_call(const struct oauth_call *c, const char *method, const char *url,
    const char *body, const char *auth, struct oauth_tokens *out)
{
	struct httpc_req r;
	struct httpc_resp res;
	const char *why = NULL;
	enum err rc;

	memset(&r, 0, sizeof(r));
	r.method = method;
	r.url = url;
	httpc_header(&r, "Accept", "application/json");
	if (auth != NULL)
		httpc_header(&r, "Authorization", auth);
	if (body != NULL) {
		httpc_header(&r, "Content-Type",
		    "application/x-www-form-urlencoded");
		r.body = body;
		r.body_len = strlen(body);
	}
	if ((rc = httpc_do(c->h, c->a, &r, &res, &why)) != ERR_OK)
		return oauth_fail(c->f, rc == ERR_TOOBIG ? ERR_UPSTREAM : rc,
		    false, arena_printf(c->a, "Could not reach %s: %s",
		    c->p->name, why != NULL ? why : "no answer"));
	return oauth_parse_tokens(c->a, c->p, res.status,
	    httpc_resp_header(&res, "content-type"), res.body, res.body_len,
	    (int64_t)time(NULL), out, c->f);
}

enum err
oauth_token_call(const struct oauth_call *c, const char *method,
    const char *url, const char *body, struct oauth_tokens *out)
{
	return token_call(c, method, url, body, NULL, out);
}

/* The code exchange's or refresh's POST of the form kv (its client_id
 * and client_secret pairs left out when the client goes as Basic). */
static enum err
token_post(const struct oauth_call *c, const char **kv, const char *id,
    const char *secret, struct oauth_tokens *out)
{
	bool basic = c->p->token_auth == PROVIDER_TOKEN_AUTH_BASIC;
	size_t i;

	for (i = 0; basic && kv[i] != NULL; i += 2)
		if (strcmp(kv[i], "client_id") == 0 ||
		    strcmp(kv[i], "client_secret") == 0)
			kv[i + 1] = NULL;
	return token_call(c, "POST", provider_url(c->p, PROVIDER_TOKEN_URL,
	    c->cfg, c->a), oauth_form(c->a, kv), basic ?
	    basic_client(c->a, id, secret) : NULL, out);
}

/* A token step begins: c->f cleared, the client's credentials;
 * ERR_UNAVAILABLE (c->f says so) when the provider is not configured. */
static enum err
begin(const struct oauth_call *c, const char **id, const char **secret)
{
	enum err rc;

	memset(c->f, 0, sizeof(*c->f));
	if ((rc = provider_client(c->p, c->cfg, id, secret)) != ERR_OK)
		return oauth_fail(c->f, rc, false, arena_printf(c->a, "%s is "
		    "not configured.", c->p->name));
	return ERR_OK;
}

enum err
oauth_exchange(struct httpc *h, struct arena *a, const struct provider *p,
    const struct config *cfg, const char *code, const char *verifier,
    struct oauth_tokens *out, struct oauth_failure *f)
{
	const struct oauth_call c = { h, a, p, cfg, f };
	const char *id, *secret;
	enum err rc;

	if ((rc = begin(&c, &id, &secret)) != ERR_OK)
		return rc;
	if (p->exchange != NULL)
		rc = p->exchange(&c, code, verifier, out);
	else {
		const char *kv[] = { "grant_type", "authorization_code",
		    "code", code, "redirect_uri", provider_redirect_uri(p, cfg,
		    a), "client_id", id, "client_secret", secret,
		    "code_verifier", p->pkce ? verifier : NULL, NULL };
		rc = token_post(&c, kv, id, secret, out);
	}
	if (rc == ERR_OK && p->after_exchange != NULL)
		rc = p->after_exchange(&c, out);
	return rc;
}

enum err
oauth_refresh(struct httpc *h, struct arena *a, const struct provider *p,
    const struct config *cfg, const struct oauth_tokens *t,
    struct oauth_tokens *out, struct oauth_failure *f)
{
	const struct oauth_call c = { h, a, p, cfg, f };
	const char *id, *secret;
	enum err rc;

	if ((rc = begin(&c, &id, &secret)) != ERR_OK)
		return rc;
	if (p->refresh != NULL)
		rc = p->refresh(&c, t, out);
	else if (t->refresh_token == NULL)
		return oauth_fail(f, ERR_AUTH, true, arena_printf(a, "%s gave "
		    "no way to renew access; reconnect it.", p->name));
	else {
		const char *kv[] = { "grant_type", "refresh_token",
		    "refresh_token", t->refresh_token, "client_id", id,
		    "client_secret", secret, NULL };
		rc = token_post(&c, kv, id, secret, out);
	}
	if (rc != ERR_OK)
		return rc;
	/* Most keep the refresh token; a rotating one sends a new one. */
	if (out->refresh_token == NULL)
		out->refresh_token = t->refresh_token;
	if (out->owner == NULL)
		out->owner = t->owner;
	if (out->api_base == NULL)
		out->api_base = t->api_base;
	if (out->scope == NULL)
		out->scope = t->scope;
	return ERR_OK;
}

enum err
oauth_revoke_send(const struct oauth_call *c, const struct oauth_revoke_req *q)
{
	char cred[512], b64[CRYPTO_B64_LEN(511) + 1];
	const char *id, *secret, *why = NULL;
	struct httpc_req r;
	struct httpc_resp res;
	int n;

	memset(&r, 0, sizeof(r));
	r.method = q->method != NULL ? q->method : "POST";
	r.url = q->url;
	if (q->form != NULL) {
		httpc_header(&r, "Content-Type",
		    "application/x-www-form-urlencoded");
		r.body = q->form;
	} else if (q->json != NULL) {
		httpc_header(&r, "Content-Type", "application/json");
		httpc_header(&r, "Accept", "application/json");
		r.body = q->json;
	} else
		r.body = "";
	r.body_len = strlen(r.body);
	if (q->bearer != NULL)
		httpc_header(&r, "Authorization", arena_printf(c->a,
		    "Bearer %s", q->bearer));
	if (q->basic) {
		if (provider_client(c->p, c->cfg, &id, &secret) != ERR_OK ||
		    (n = snprintf(cred, sizeof(cred), "%s:%s", id, secret)) <
		    0 || (size_t)n >= sizeof(cred))
			return oauth_fail(c->f, ERR_UPSTREAM, false,
			    arena_printf(c->a, "%s is not configured, so its "
			    "access could not be revoked.", c->p->name));
		crypto_b64_encode(cred, (size_t)n, b64);
		httpc_header(&r, "Authorization", arena_printf(c->a,
		    "Basic %s", b64));
	}
	if (q->header_name != NULL)
		httpc_header(&r, q->header_name, q->header_value);
	if (httpc_do(c->h, c->a, &r, &res, &why) != ERR_OK)
		return oauth_fail(c->f, ERR_UPSTREAM, false, arena_printf(c->a,
		    "Could not reach %s to revoke access: %s", c->p->name,
		    why));
	/* An already invalid token counts as revoked. */
	if ((res.status >= 200 && res.status < 300) || res.status == 400 ||
	    res.status == 404 || res.status == 410)
		return ERR_OK;
	return oauth_fail(c->f, ERR_UPSTREAM, false, arena_printf(c->a,
	    "%s did not confirm the revocation (HTTP %d).", c->p->name,
	    res.status));
}

enum err
oauth_revoke(struct httpc *h, struct arena *a, const struct provider *p,
    const struct config *cfg, const struct oauth_tokens *t, bool *revoked,
    struct oauth_failure *f)
{
	struct oauth_call c = { h, a, p, cfg, f };
	struct oauth_revoke_req q;
	enum err rc;

	memset(f, 0, sizeof(*f));
	memset(&q, 0, sizeof(q));
	*revoked = false;
	if (p->revoke != NULL)
		rc = p->revoke(&c, t);
	else if ((q.url = provider_url(p, PROVIDER_REVOKE_URL, cfg, a)) !=
	    NULL) {
		const char *kv[] = { "token", t->refresh_token != NULL ?
		    t->refresh_token : t->access_token, NULL };

		q.form = oauth_form(a, kv);
		q.basic = p->token_auth == PROVIDER_TOKEN_AUTH_BASIC;
		rc = oauth_revoke_send(&c, &q);
	} else if (p->revoke_path != NULL) {
		q.url = arena_printf(a, "%s%s", provider_url(p,
		    PROVIDER_API_BASE, cfg, a), p->revoke_path);
		q.bearer = t->access_token;
		rc = oauth_revoke_send(&c, &q);
	} else
		return ERR_OK;	/* nothing to call: the tokens are deleted */
	*revoked = rc == ERR_OK;
	return rc;
}

const char *
oauth_tokens_json(struct arena *a, const struct oauth_tokens *t)
{
	struct json_object *o = jsonx_own(a, json_object_new_object());

#define PUT(k, v) if ((v) != NULL) json_object_object_add(o, k, \
	json_object_new_string(v))
	PUT("access_token", t->access_token);
	PUT("refresh_token", t->refresh_token);
	PUT("scope", t->scope);
	PUT("owner", t->owner);
	PUT("api_base", t->api_base);
#undef PUT
	json_object_object_add(o, "expires_at",
	    json_object_new_int64(t->expires_at));
	return jsonx_string(a, o);
}

enum err
oauth_tokens_parse(struct arena *a, const char *json,
    struct oauth_tokens *out)
{
	struct json_object *o;
	enum err rc;

	memset(out, 0, sizeof(*out));
	if ((rc = jsonx_parse(a, json, strlen(json), &o, NULL)) != ERR_OK)
		return rc;
	out->access_token = member(a, o, "access_token");
	out->refresh_token = member(a, o, "refresh_token");
	out->scope = member(a, o, "scope");
	out->owner = member(a, o, "owner");
	out->api_base = member(a, o, "api_base");
	(void)jsonx_get_int64(o, "expires_at", &out->expires_at);
	return out->access_token != NULL ? ERR_OK : ERR_INPUT;
}

/* True when scope (len bytes) is a word of list (space or comma
 * separated). */
static bool
has_scope(const char *list, const char *scope, size_t len)
{
	const char *p = list;
	size_t n;

	while (*p != '\0') {
		n = strcspn(p, " ,");
		if (n == len && strncmp(p, scope, len) == 0)
			return true;
		p += n;
		p += strspn(p, " ,");
	}
	return false;
}

const char *
oauth_missing_scopes(struct arena *a, const struct provider *p,
    const char *granted)
{
	static const char *const signin[] = { "openid", "email", "profile" };
	const char *s = p->scopes, *out = NULL;
	size_t n, i;
	bool skip;

	if (granted == NULL || s == NULL)
		return NULL;
	while (*s != '\0') {
		s += strspn(s, " ,");
		n = strcspn(s, " ,");
		for (skip = n == 0, i = 0; i < nitems(signin) && !skip; i++)
			skip = strlen(signin[i]) == n &&
			    strncmp(signin[i], s, n) == 0;
		if (!skip && !has_scope(granted, s, n))
			out = out == NULL ? arena_strndup(a, s, n) :
			    arena_printf(a, "%s, %.*s", out, (int)n, s);
		s += n;
	}
	return out;
}

/* The provider's own words in an error body, or NULL. */
static const char *
error_words(struct arena *a, struct json_object *o)
{
	static const char *const keys[] = { "error_description", "message",
	    "detail", "error" };
	struct json_object *e;
	const char *w;
	size_t i;

	if (o == NULL)
		return NULL;
	if ((e = jsonx_member(o, "error")) != NULL &&
	    json_object_is_type(e, json_type_object) &&
	    (w = member(a, e, "message")) != NULL)
		return w;
	for (i = 0; i < nitems(keys); i++)
		if ((w = member(a, o, keys[i])) != NULL && *w != '\0')
			return w;
	return NULL;
}

enum err
oauth_whoami_json(struct arena *a, const struct provider *p, int status,
    const char *body, size_t len, struct json_object **out,
    struct oauth_failure *f)
{
	struct json_object *o = NULL;
	const char *w;

	*out = NULL;
	if (body == NULL || jsonx_parse(a, body, len, &o, NULL) != ERR_OK ||
	    !json_object_is_type(o, json_type_object))
		o = NULL;
	w = error_words(a, o);
	if (status == 401 || status == 403 || (o != NULL &&
	    jsonx_member(o, "error") != NULL))
		return oauth_fail(f, ERR_AUTH, false, arena_printf(a, "%s "
		    "refused the new token when asked who the login is (HTTP "
		    "%d%s%s).", p->name, status, w != NULL ? ": " : "",
		    w != NULL ? w : ""));
	if (status != 200 || o == NULL)
		return oauth_fail(f, ERR_UPSTREAM, false, arena_printf(a, "%s "
		    "did not say who the login is (HTTP %d%s).", p->name,
		    status, o == NULL ? ", not JSON" : ""));
	*out = o;
	return ERR_OK;
}

enum err
oauth_whoami_pick(struct arena *a, const struct provider *p,
    struct json_object *o, const char *id_key, const char *label1,
    const char *label2, struct oauth_tokens *t, struct oauth_failure *f)
{
	const char *id, *label = NULL;

	if ((id = member(a, o, id_key)) == NULL || *id == '\0')
		return oauth_fail(f, ERR_UPSTREAM, false, arena_printf(a, "%s "
		    "did not say who the login is (no %s in its answer).",
		    p->name, id_key));
	if (label1 != NULL && (label = member(a, o, label1)) != NULL &&
	    *label == '\0')
		label = NULL;
	if (label == NULL && label2 != NULL &&
	    (label = member(a, o, label2)) != NULL && *label == '\0')
		label = NULL;
	t->owner = id;
	t->owner_label = label;
	return ERR_OK;
}

enum err
oauth_whoami_keys(struct arena *a, const struct provider *p, int status,
    const char *body, size_t len, struct oauth_tokens *t,
    struct oauth_failure *f)
{
	struct json_object *o;
	enum err rc;

	if ((rc = oauth_whoami_json(a, p, status, body, len, &o, f)) !=
	    ERR_OK)
		return rc;
	return oauth_whoami_pick(a, p, o, p->whoami_keys[0],
	    p->whoami_keys[1], p->whoami_keys[2], t, f);
}

enum err
oauth_api_get(const struct oauth_call *c, const char *url, bool api,
    const char *token, struct httpc_resp *res, const char **why)
{
	const struct provider *p = c->p;
	struct httpc_req r;
	size_t i;

	memset(&r, 0, sizeof(r));
	r.url = url;
	httpc_header(&r, "Accept", "application/json");
	httpc_header(&r, "Authorization", arena_printf(c->a, "%s %s",
	    p->auth_scheme != NULL ? p->auth_scheme : "Bearer", token));
	for (i = 0; api && i < PROVIDER_HEADERS && p->headers[i].name != NULL;
	    i++)
		httpc_header(&r, p->headers[i].name, p->headers[i].env != NULL ?
		    config_env(p->headers[i].env, p->headers[i].value) :
		    p->headers[i].value);
	return httpc_do(c->h, c->a, &r, res, why);
}

enum err
oauth_whoami(struct httpc *h, struct arena *a, const struct provider *p,
    const struct config *cfg, struct oauth_tokens *t,
    struct oauth_failure *f)
{
	const struct oauth_call c = { h, a, p, cfg, f };
	struct httpc_resp res;
	const char *url, *base, *why = NULL;
	enum err rc;

	memset(f, 0, sizeof(*f));
	/* Named already by the token answer (an id_token, Slack's team),
	 * no call is needed. */
	if (p->whoami != NULL && (t->owner == NULL || *t->owner == '\0') &&
	    (url = provider_url(p, PROVIDER_WHOAMI_URL, cfg, a)) != NULL) {
		t->owner = t->owner_label = NULL;
		/* A call of the provider's API (LinkedIn's) carries its
		 * headers (the API version). */
		base = p->urls[PROVIDER_API_BASE];
		if (oauth_api_get(&c, url, base != NULL && strncmp(p->urls[
		    PROVIDER_WHOAMI_URL], base, strlen(base)) == 0,
		    t->access_token, &res, &why) != ERR_OK)
			return oauth_fail(f, ERR_UPSTREAM, false, arena_printf(
			    a, "Could not ask %s who the login is: %s",
			    p->name, why != NULL ? why : "no answer"));
		if ((rc = p->whoami(a, p, res.status, res.body, res.body_len,
		    t, f)) != ERR_OK)
			return rc;
		if (p->whoami_label != NULL)
			p->whoami_label(&c, res.body, res.body_len, t);
	}
	if (t->owner == NULL || *t->owner == '\0')
		return oauth_fail(f, ERR_UPSTREAM, false, arena_printf(a, "%s "
		    "did not say who the login is.", p->name));
	if (strlen(t->owner) > LIMIT_OWNER_TEXT)
		return oauth_fail(f, ERR_UPSTREAM, false, arena_printf(a, "%s "
		    "named the login with an id longer than %d characters.",
		    p->name, LIMIT_OWNER_TEXT));
	/* A label past the limit is no label: the id still tells. */
	if (t->owner_label != NULL && strlen(t->owner_label) >
	    LIMIT_OWNER_TEXT)
		t->owner_label = NULL;
	return ERR_OK;
}
