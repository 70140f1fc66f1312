/*
 * connect.h — testing, syncing and disconnecting a connection.
 *
 * What a person (pages) or a script (api) can do with a connection: test
 * it with one authenticated call, queue a sync, disconnect it (revoking
 * at the provider where it offers revocation).  One place for the logic,
 * two front ends.
 */
#ifndef SLUICE_CONNECT_H
#define SLUICE_CONNECT_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"

struct arena;
struct config;
struct connection;
struct httpc;
struct oauth_tokens;
struct provider;
struct token_env;

/*
 * Who signed in with the fresh tokens t of a connect or reconnect
 * (oauth_whoami()): sets t->owner and t->owner_label.  ERR_OK with *note
 * NULL when the provider named the login.  ERR_OK with *note (plain
 * words, arena-owned) when p has no identity call and its token answer
 * named nobody: the tokens connect as p's one unnamed login and *note
 * says what that means.  When p's identity call failed (refused, an
 * error, an answer naming nobody): its error (ERR_AUTH, ERR_UPSTREAM)
 * and *note saying what failed and what to do; the login is unknown, so
 * the caller stores nothing — a reconnect would otherwise add an
 * unnamed connection instead of repairing the one reconnected.
 */
enum err	 connect_whoami(struct httpc *, struct arena *,
		    const struct provider *, const struct config *,
		    struct oauth_tokens *, const char **note);

/*
 * One authenticated call (the account listing); the result is recorded on
 * the connection.
 * ERR_OK when it worked; otherwise the call's error and *why in plain
 * words.
 */
enum err	 connect_test(const struct token_env *, struct arena *,
		    const struct provider *, const struct connection *,
		    const char **why);

/* What became of the access at the provider on a disconnect. */
enum connect_revoke {
	CONNECT_REVOKED,		/* revoked (or unknown there) */
	CONNECT_REVOKE_NONE,		/* the provider offers no revocation,
					   or no token was left */
	CONNECT_REVOKE_SHARED,		/* kept: another connection shares it */
	CONNECT_REVOKE_FAILED,		/* not confirmed */
};

/*
 * Revokes at the provider (best effort), deletes the sealed tokens and
 * sets disconnected; with delete_data also the synced numbers and
 * messages.  The revocation is left out while another connection of the
 * workspace shares the login (one grant for a family's providers:
 * revoking would end it too).  *revoke says what became of the access, *note (NULL when it
 * was revoked or there is nothing to revoke) why, in plain words
 * (arena-owned); the tokens are deleted either way.
 */
enum err	 connect_disconnect(const struct token_env *, struct arena *,
		    const struct provider *, const struct connection *,
		    bool delete_data, enum connect_revoke *revoke,
		    const char **note);

/*
 * The provider's own read-only answer about what (its own_json hook in
 * lib/providers/provider.h: GitHub's "user" and "repos"), asked with
 * connection c's tokens, as JSON text (arena-owned).  ERR_NOTFOUND when
 * p answers no such what; otherwise token_get()'s or the hook's errors
 * with *why in plain words.
 */
enum err	 connect_own_json(const struct token_env *, struct arena *,
		    const struct provider *, const struct connection *,
		    const char *what, const char **out, const char **why);

#endif
