/*
 * provider.h — the ten providers as data: one table row each.
 *
 * Code exists only for what differs between providers (the token
 * exchange's quirks, account listing and the fetch-and-normalise step).
 * Every URL can be overridden by configuration, SLUICE_<ENV>_AUTH_URL,
 * _TOKEN_URL, _REVOKE_URL, _API_BASE (and _API_BASE2 where a provider has
 * two APIs); credentials come from SLUICE_<ENV>_CLIENT_ID and
 * _CLIENT_SECRET, falling back to the family's (SLUICE_GOOGLE_…,
 * SLUICE_META_…).  A provider without credentials uses the built-in
 * sandbox when SLUICE_SANDBOX is on, and is "not configured" otherwise.
 */
#ifndef SLUICE_PROVIDER_H
#define SLUICE_PROVIDER_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

struct arena;
struct config;

/* How a provider's tokens live. */
enum provider_tokens {
	PROVIDER_TOKENS_REFRESH,	/* short access, refresh token (Google) */
	PROVIDER_TOKENS_ROTATING,	/* refresh token replaced on use (Slack) */
	PROVIDER_TOKENS_LONG_LIVED,	/* exchange for a 60-day token (Meta) */
	PROVIDER_TOKENS_EXPIRING,	/* expires, maybe no refresh (LinkedIn) */
	PROVIDER_TOKENS_NEVER,		/* never expires (Mailchimp, GitHub) */
};

enum provider_url {
	PROVIDER_AUTH_URL,
	PROVIDER_TOKEN_URL,
	PROVIDER_REVOKE_URL,
	PROVIDER_API_BASE,
	PROVIDER_API_BASE2,
	PROVIDER_URL__MAX
};

/* Whether a provider can be connected here, and how. */
enum provider_mode {
	PROVIDER_REAL,			/* credentials configured */
	PROVIDER_SANDBOX,		/* no credentials, sandbox on */
	PROVIDER_UNCONFIGURED,		/* neither */
};

struct provider {
	const char	*slug;		/* "google_ads": URLs, rows, config */
	const char	*name;		/* "Google Ads" */
	const char	*family;	/* google, meta, linkedin, ... */
	const char	*env;		/* "GOOGLE_ADS": SLUICE_GOOGLE_ADS_... */
	const char	*family_env;	/* "GOOGLE", or NULL */
	const char	*urls[PROVIDER_URL__MAX]; /* real URLs, NULL: none */
	const char	*scopes;	/* as sent, separator included */
	const char	*auth_params;	/* extra authorize parameters */
	bool		 pkce;		/* send an S256 challenge */
	enum provider_tokens tokens;
	int		 restatement_days; /* trailing window re-fetched */
	const char	*accounts;	/* what its accounts are called */
};

/*
 * One real base URL and the sandbox prefix that stands for it in sandbox
 * mode (the sandbox's URL scheme: lib/sandbox/sandbox.h).
 */
struct provider_sandbox_base {
	const char	*provider;	/* google, ga4, google_ads, ... */
	const char	*role;		/* what the base serves */
	const char	*real;		/* the provider's base URL */
	const char	*path;		/* the sandbox prefix under the host */
};

/* The table; *n its length. */
const struct provider *provider_all(size_t *n);

/* The sandbox prefixes of every real base URL; *n its length; static. */
const struct provider_sandbox_base *provider_sandbox_bases(size_t *n);

/* The provider with this slug, or NULL. */
const struct provider *provider_get(const char *slug);

/* Real credentials, the sandbox, or not configured. */
enum provider_mode provider_mode(const struct provider *,
		    const struct config *);

/*
 * A URL of the provider under the current configuration: the override
 * variable, else the sandbox's address for it (sandbox mode), else the
 * real one.  NULL when the provider has no such URL.  Arena-owned.
 */
const char	*provider_url(const struct provider *, enum provider_url,
		    const struct config *, struct arena *);

/*
 * Client id and secret (sandbox mode: fixed sandbox values).  ERR_OK, or
 * ERR_UNAVAILABLE when the provider is not configured.  The secret must
 * never be logged or shown.
 */
enum err	 provider_client(const struct provider *, const struct config *,
		    const char **id, const char **secret);

/* The redirect URL to register with the provider:
 * SLUICE_BASE_URL/oauth/<slug>/callback.  Arena-owned. */
const char	*provider_redirect_uri(const struct provider *,
		    const struct config *, struct arena *);

/* The variable names a person sets to configure it, for the page. */
const char	*provider_setup_hint(const struct provider *, struct arena *);

#endif
