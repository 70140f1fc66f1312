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
struct connection;
struct provider;
struct token_env;

/*
 * One authenticated call (the account listing); the result is recorded on
 * the connection.
 * ERR_OK when it worked; otherwise the call's error and *why in plain
 * words.
 */
enum err	 connect_test(const struct token_env *, struct arena *,
		    const struct provider *, const struct connection *,
		    const char **why);

/*
 * Revokes at the provider (best effort; a failure is logged, not fatal),
 * deletes the sealed tokens and sets disconnected; with delete_data also
 * the synced numbers and messages.
 */
enum err	 connect_disconnect(const struct token_env *, struct arena *,
		    const struct provider *, const struct connection *,
		    bool delete_data);

/*
 * The connected GitHub account as JSON text (arena-owned): with repos
 * false the user {login, id, name, public_repos, followers, html_url};
 * with repos true its public repositories [{full_name, description,
 * language, stars, forks, open_issues, html_url, pushed_at}], following
 * pagination.  Private repositories never leave the server, whatever the
 * token can see.  Errors as pcall_json(); *why in plain words.
 */
enum err	 connect_github_json(const struct token_env *, struct arena *,
		    const struct connection *, bool repos, const char **out,
		    const char **why);

#endif
