/*
 * oauthstate.h — single-use, session-bound OAuth states with PKCE.
 *
 * The state of one OAuth authorization: 256 random bits, stored hashed,
 * single use, LIMIT_OAUTH_STATE_S seconds, bound to the browser session
 * that started it and to the provider, with a PKCE S256 verifier kept
 * server-side.
 */
#ifndef SLUICE_OAUTHSTATE_H
#define SLUICE_OAUTHSTATE_H

#include <stdint.h>

#include "base/err.h"

struct arena;
struct db;
struct session;

struct oauthstate {
	const char	*state;		/* for the authorize URL */
	const char	*challenge;	/* PKCE S256 code_challenge */
};

struct oauthstate_taken {
	int64_t		 workspace_id;	/* where the flow started */
	const char	*workspace_name; /* its name; NULL if not visible */
	int64_t		 user_id;
	const char	*verifier;	/* PKCE code_verifier */
};

/* Starts an authorization for a provider; strings arena-owned. */
enum err	 oauthstate_new(struct db *, struct arena *,
		    const struct session *, const char *provider,
		    struct oauthstate *out);

/*
 * Consumes a state returned by the provider.  It is marked used before
 * anything else is checked, so it can never be used twice.  ERR_OK with
 * *out filled; ERR_AUTH when unknown, malformed or already used;
 * ERR_FORBIDDEN when it belongs to another session or another provider;
 * ERR_CONFLICT when it expired.  *why says which, in words for a page.
 * out->workspace_id is the workspace the flow started in, which may not
 * be the session's current one: the caller stores tokens only there.
 */
enum err	 oauthstate_take(struct db *, struct arena *,
		    const struct session *, const char *provider,
		    const char *state, struct oauthstate_taken *out,
		    const char **why);

#endif
