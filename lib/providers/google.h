/*
 * google.h — what the Google providers share.
 *
 * GA4, Google Ads and YouTube share the OAuth endpoints, the authorize
 * parameters that ask for a refresh token, and the sandbox prefixes of
 * those endpoints.  Data only.
 */
#ifndef SLUICE_GOOGLE_H
#define SLUICE_GOOGLE_H

#define GOOGLE_AUTH	"https://accounts.google.com/o/oauth2/v2/auth"
#define GOOGLE_TOKEN	"https://oauth2.googleapis.com/token"
#define GOOGLE_REVOKE	"https://oauth2.googleapis.com/revoke"
#define GOOGLE_PARAMS	"access_type=offline&prompt=consent&" \
			"include_granted_scopes=true"

/*
 * The fields every Google provider shares, for its initialiser: the
 * provider adds its API bases (urls[PROVIDER_API_BASE…]) and their
 * sandbox rows from sandbox[2] on.
 */
#define GOOGLE_PROVIDER \
	.family = "google", \
	.family_env = "GOOGLE", \
	.urls[PROVIDER_AUTH_URL] = GOOGLE_AUTH, \
	.urls[PROVIDER_TOKEN_URL] = GOOGLE_TOKEN, \
	.urls[PROVIDER_REVOKE_URL] = GOOGLE_REVOKE, \
	.auth_params = GOOGLE_PARAMS, \
	.pkce = true, \
	.tokens = PROVIDER_TOKENS_REFRESH, \
	.sandbox[0] = { "google", "authorize", "https://accounts.google.com", \
	    "/sandbox/google-accounts" }, \
	.sandbox[1] = { "google", "token", "https://oauth2.googleapis.com", \
	    "/sandbox/google-oauth" }

#endif
