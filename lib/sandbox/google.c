/*
 * google.c — what Google's providers share in the sandbox: OAuth.
 *
 * The consent data of Google's family, the token and revoke endpoints
 * (with an id_token for openid or email scopes), OpenID Connect's
 * userinfo and the currency of an account.  GA4, Google Ads and
 * YouTube have their own files.
 */
#include <stdio.h>
#include <string.h>

#include "base/arena.h"
#include "base/mem.h"
#include "sandbox/sandbox_priv.h"

#define GJ	"application/json; charset=utf-8"

/* The token and revoke endpoints: RFC 6749 bodies. */
static const struct sandbox_api oauth_api = {
	.name = "google oauth",
	.prov = SANDBOX_GOOGLE_PROV,
};

/* OpenID Connect's userinfo: who the token's login is. */
static const struct sandbox_api userinfo_api = {
	.name = "google userinfo",
	.prov = SANDBOX_GOOGLE_PROV,
	.invalid = "userinfo-error-401",
};

/* ------------------------------------------------------------------ */
/* OAuth. */

static void
nocache(struct sbx *sx)
{
	resp_header(&sx->ctx->resp, "Cache-Control",
	    "no-cache, no-store, max-age=0, must-revalidate");
	resp_header(&sx->ctx->resp, "Pragma", "no-cache");
}

/* A JWT-shaped id_token (unsigned: "alg":"none" would be honest but
 * clients expect RS256; the signature part is a marker). */
static const char *
id_token(struct sbx *sx, const char *client, int user)
{
	char hdr[128], pay[300], b1[200], b2[420];
	const char *name, *email;

	sandbox_persona(user, &name, &email);
	snprintf(hdr, sizeof(hdr), "{\"alg\":\"RS256\",\"kid\":\"sandbox\","
	    "\"typ\":\"JWT\"}");
	snprintf(pay, sizeof(pay), "{\"iss\":\"https://accounts.google.com\","
	    "\"aud\":\"%.60s\",\"sub\":\"1100000000000000000%d\",\"email\":"
	    "\"%s\",\"email_verified\":true,\"iat\":%lld,"
	    "\"exp\":%lld}", client, user, email, (long long)sx->now,
	    (long long)sx->now + 3600);
	sandbox_b64url(hdr, b1, sizeof(b1));
	sandbox_b64url(pay, b2, sizeof(b2));
	return arena_printf(sx->ctx->arena, "%s.%s.c2FuZGJveA", b1, b2);
}

static enum err
api_token(struct ctx *ctx)
{
	const char *grant, *why, *client, *rt;
	struct sandbox_token code, t;
	struct sbx sx;
	enum err rc;
	const char *scope;

	if (!sandbox_begin(ctx, &oauth_api, SBX_TOKEN_EP, &sx, &rc))
		return rc;
	grant = req_form(&ctx->req, "grant_type");
	client = req_form(&ctx->req, "client_id");
	if (client == NULL && req_header(&ctx->req, "authorization") == NULL)
		return sandbox_fail(&sx,
		    "token-error-invalid-client-not-found");
	if (client == NULL)
		client = "sandbox-client";
	if (grant != NULL && strcmp(grant, "authorization_code") == 0) {
		if (!sandbox_code_ok(&sx, req_form(&ctx->req, "code"),
		    SANDBOX_GOOGLE_PROV, req_form(&ctx->req, "redirect_uri"),
		    req_form(&ctx->req, "code_verifier"), &code, &why))
			return sandbox_fail(&sx,
			    "token-error-invalid-grant-bad-request");
	} else if (grant != NULL && strcmp(grant, "refresh_token") == 0) {
		rt = req_form(&ctx->req, "refresh_token");
		if (!sandbox_token_parse(rt, &code) ||
		    code.prov != SANDBOX_GOOGLE_PROV ||
		    code.kind != SBXK_REFRESH)
			return sandbox_fail(&sx,
			    "token-error-invalid-grant-revoked");
	} else {
		sandbox_start(&sx, 400, GJ);
		nocache(&sx);
		buf_puts(sx.out, "{\"error\":\"unsupported_grant_type\","
		    "\"error_description\":\"Invalid grant_type: \"}");
		return ERR_OK;
	}
	sandbox_token_from(&sx, &code, SANDBOX_GOOGLE_PROV, SBXK_ACCESS, &t);
	scope = code.scope;
	sandbox_start(&sx, 200, GJ);
	nocache(&sx);
	t.kind = SBXK_ACCESS;
	t.exp = sx.now + 3599;
	buf_puts(sx.out, "{\"access_token\":");
	sandbox_jstr(sx.out, sandbox_token_make(&sx, "ya29.", &t));
	buf_puts(sx.out, ",\"expires_in\":3599");
	/* a refresh token only for access_type=offline */
	if (code.kind == SBXK_CODE && strchr(code.flags, 'O') != NULL) {
		t.kind = SBXK_REFRESH;
		t.exp = 0;
		strcpy(t.scope, code.scope);
		buf_puts(sx.out, ",\"refresh_token\":");
		sandbox_jstr(sx.out, sandbox_token_make(&sx, "1//0g", &t));
	}
	buf_puts(sx.out, ",\"scope\":");
	sandbox_jstr(sx.out, *scope ? scope :
	    "https://www.googleapis.com/auth/analytics.readonly");
	buf_puts(sx.out, ",\"token_type\":\"Bearer\"");
	if (strstr(scope, "openid") != NULL || strstr(scope, "email") !=
	    NULL) {
		buf_puts(sx.out, ",\"id_token\":");
		sandbox_jstr(sx.out, id_token(&sx, client, code.user));
	}
	buf_puts(sx.out, "}");
	return sandbox_done(&sx);
}

/* GET /v1/userinfo: the claims of the openid and email scopes. */
static enum err
api_userinfo(struct ctx *ctx)
{
	const char *name, *email;
	struct sbx sx;
	enum err rc;

	if (!sandbox_begin(ctx, &userinfo_api, SBX_AUTH | SBX_NOMETRIC, &sx,
	    &rc))
		return rc;
	sandbox_persona(sx.tok.user, &name, &email);
	sandbox_start(&sx, 200, GJ);
	nocache(&sx);
	buf_printf(sx.out, "{\"sub\":\"1100000000000000000%d\",\"picture\":"
	    "\"https://example.invalid/photo%d.jpg\",\"email\":", sx.tok.user,
	    sx.tok.user);
	sandbox_jstr(sx.out, email);
	buf_puts(sx.out, ",\"email_verified\":true}");
	return sandbox_done(&sx);
}

static enum err
api_revoke(struct ctx *ctx)
{
	struct sandbox_token t;
	struct sbx sx;
	enum err rc;

	if (!sandbox_begin(ctx, &oauth_api, 0, &sx, &rc))
		return rc;
	if (!sandbox_token_parse(sandbox_param(ctx, "token"), &t) ||
	    t.prov != SANDBOX_GOOGLE_PROV)
		return sandbox_fail(&sx, "revoke-error-invalid-token");
	sandbox_start(&sx, 200, GJ);
	return ERR_OK;
}

const char *
sandbox_google_currency(const char *account)
{
	static const char *const c[] = { "USD", "EUR", "GBP", "USD", "JPY" };

	return c[sandbox_hash(account, 8) % 5];
}

/* ------------------------------------------------------------------ */
/* The family's error shapes, routes and consent data. */

#define Ju	"application/json; charset=utf-8"
#define GOOG_NOCACHE	"Cache-Control: no-cache, no-store, max-age=0, " \
	"must-revalidate\nPragma: no-cache\n"

static const struct sandbox_fault faults[] = {
	{ &oauth_api, "token-error-invalid-grant-revoked",
	    "invalid_grant", 400, GOOG_NOCACHE, Ju,
	    "{\"error\":\"invalid_grant\",\"error_description\":"
	    "\"Token has been expired or revoked.\"}" },
	{ &oauth_api, "token-error-invalid-grant-bad-request", NULL,
	    400, GOOG_NOCACHE, Ju,
	    "{\"error\":\"invalid_grant\",\"error_description\":"
	    "\"Bad Request\"}" },
	{ &oauth_api, "token-error-invalid-grant-code-redeemed", NULL,
	    400, GOOG_NOCACHE, Ju,
	    "{\"error\":\"invalid_grant\",\"error_description\":"
	    "\"Code was already redeemed.\"}" },
	{ &oauth_api, "token-error-invalid-client", "401", 401,
	    GOOG_NOCACHE, Ju,
	    "{\"error\":\"invalid_client\",\"error_description\":"
	    "\"Unauthorized\"}" },
	{ &oauth_api, "token-error-invalid-client-not-found", NULL,
	    401, GOOG_NOCACHE, Ju,
	    "{\"error\":\"invalid_client\",\"error_description\":"
	    "\"The OAuth client was not found.\"}" },
	{ &oauth_api, "revoke-error-invalid-token", NULL, 400, NULL, Ju,
	    "{\"error\":\"invalid_token\",\"error_description\":"
	    "\"Token expired or revoked\"}" },
	{ &oauth_api, "token-error-429", "429", 429,
	    "Retry-After: 30\n", Ju,
	    "{\"error\":\"rate_limit_exceeded\",\"error_description\":"
	    "\"Rate limit exceeded\"}" },
	{ &oauth_api, "token-error-500", "500", 500, NULL, Ju,
	    "{\"error\":\"internal_failure\",\"error_description\":"
	    "\"Backend error\"}" },
	{ &userinfo_api, "userinfo-error-401", "401", 401,
	    "WWW-Authenticate: Bearer realm=\"https://accounts.google.com/\", "
	    "error=\"invalid_token\"\n", Ju,
	    "{\"error\":\"invalid_request\",\"error_description\":"
	    "\"Invalid Credentials\"}" },
};

static const struct route routes[] = {
	{ HTTP_GET, "/sandbox/google-accounts/o/oauth2/v2/auth",
	    sandbox_authorize, ROUTE_NODB | ROUTE_HTML, 0 },
	{ HTTP_POST, "/sandbox/google-oauth/token", api_token,
	    ROUTE_NODB, 0 },
	{ HTTP_POST, "/sandbox/google-oauth/revoke", api_revoke,
	    ROUTE_NODB, 0 },
	{ HTTP_GET, "/sandbox/google-userinfo/v1/userinfo", api_userinfo,
	    ROUTE_NODB, 0 },
};

/* After code and state on Allow, as Google adds them. */
static const char *const allow[] = {
	"authuser", "0",
	"prompt", "consent",
	NULL
};

const struct sandbox_family sandbox_family_google = {
	.id = "google",
	.name = "Google",
	.authorize = "/sandbox/google-accounts/",
	.sep = ' ',
	.prov = SANDBOX_GOOGLE_PROV,
	.code_prefix = "4/0",
	.client_status = 401,
	.client_error = "Error 401: invalid_client. The OAuth client was not "
	    "found.",
	.redirect_status = 400,
	.redirect_error = "Error 400: redirect_uri_mismatch. You can't sign "
	    "in to this app because it doesn't comply with Google's OAuth 2.0 "
	    "policy: the redirect_uri is not registered for the client.",
	.allow = allow,
	.state_first = true,
	.echo_scope = true,
	SANDBOX_LIST(routes),
	SANDBOX_LIST(faults),
};
