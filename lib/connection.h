/*
 * connection.h — the connections of a workspace, as stored: status,
 * accounts, sync state.  Tokens are never read here (lib/vault and
 * lib/token handle them).  Results live in the caller's arena.
 */
#ifndef SLUICE_CONNECTION_H
#define SLUICE_CONNECTION_H

#include <stdint.h>

#include "err.h"

struct arena;
struct db;

/*
 * The workspace's connections as a JSON array of objects {id, provider,
 * status, external_owner, scopes, accounts, selected, sandbox,
 * token_expires_at, last_sync_at, last_error, created_at}, newest first,
 * as JSON text built by the database; owned by the arena.
 */
enum err	 connection_list_json(struct db *, struct arena *,
		    int64_t workspace_id, const char **out);

#endif
