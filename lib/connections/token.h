/*
 * token.h — a valid access token for a connection, whenever asked for.
 *
 * Refreshed when it expires within TOKEN_SKEW_S seconds, or when the
 * caller saw a 401; a rotated refresh token is stored in the same
 * transaction as the new access token, under a row lock, so two workers
 * refreshing at once never lose one; a refused refresh (invalid_grant,
 * revoked) marks the connection needs_reauth with the reason, and
 * nothing retries it until the person reconnects.
 */
#ifndef SLUICE_TOKEN_H
#define SLUICE_TOKEN_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"

struct arena;
struct config;
struct crypto_keyring;
struct db;
struct httpc;
struct oauth_tokens;

#define TOKEN_SKEW_S	300	/* refresh this long before expiry */

/* What token_get() needs from the process. */
struct token_env {
	struct db			*db;
	struct httpc			*http;
	const struct crypto_keyring	*keys;
	const struct config		*cfg;
};

/*
 * The connection's tokens, refreshed first when they expire within
 * TOKEN_SKEW_S seconds (or expire_within seconds, if larger), or always
 * when force is set (after a 401).  ERR_OK with *out set (arena-owned);
 * ERR_AUTH when the connection needs reconnecting (status set, *why says
 * why); ERR_UPSTREAM when the provider could not be reached (nothing
 * changed; retry later); ERR_NOTFOUND when it has no tokens.
 */
enum err	 token_get(const struct token_env *, struct arena *,
		    int64_t workspace_id, int64_t connection_id, bool force,
		    int64_t expire_within, struct oauth_tokens *out,
		    const char **why);

#endif
