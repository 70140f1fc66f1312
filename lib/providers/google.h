/*
 * google.h — what the Google providers share.
 *
 * GA4, Google Ads and YouTube share the OAuth endpoints, the authorize
 * parameters that ask for a refresh token, who the login is (OpenID
 * Connect's userinfo) and the sandbox prefixes of those endpoints.
 */
#ifndef SLUICE_GOOGLE_H
#define SLUICE_GOOGLE_H

#include "providers/oauth.h"	/* oauth_whoami_keys */

#define GOOGLE_AUTH	"https://accounts.google.com/o/oauth2/v2/auth"
#define GOOGLE_TOKEN	"https://oauth2.googleapis.com/token"
#define GOOGLE_REVOKE	"https://oauth2.googleapis.com/revoke"
/* OpenID Connect's userinfo (the discovery document's
 * userinfo_endpoint): "sub", and "email" with the email scope that every
 * Google provider asks for ("openid email"). */
#define GOOGLE_USERINFO	"https://openidconnect.googleapis.com/v1/userinfo"
#define GOOGLE_PARAMS	"access_type=offline&prompt=consent&" \
			"include_granted_scopes=true"

/*
 * The fields every Google provider shares, for its initialiser: the
 * provider adds its API bases (urls[PROVIDER_API_BASE…]) and their
 * sandbox rows sandbox[2] to [4].
 */
#define GOOGLE_PROVIDER \
	.family = "google", \
	.family_env = "GOOGLE", \
	.urls[PROVIDER_AUTH_URL] = GOOGLE_AUTH, \
	.urls[PROVIDER_TOKEN_URL] = GOOGLE_TOKEN, \
	.urls[PROVIDER_REVOKE_URL] = GOOGLE_REVOKE, \
	.urls[PROVIDER_WHOAMI_URL] = GOOGLE_USERINFO, \
	.auth_params = GOOGLE_PARAMS, \
	.pkce = true, \
	.sandbox[0] = { "google", "authorize", "https://accounts.google.com", \
	    "/sandbox/google-accounts" }, \
	.sandbox[1] = { "google", "token", "https://oauth2.googleapis.com", \
	    "/sandbox/google-oauth" }, \
	.sandbox[5] = { "google", "userinfo", \
	    "https://openidconnect.googleapis.com", \
	    "/sandbox/google-userinfo" }, \
	.whoami = oauth_whoami_keys, \
	.whoami_keys = { "sub", "email", "name" }

#endif
