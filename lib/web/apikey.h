/*
 * apikey.h — API keys for the JSON API: shown once, stored hashed.
 *
 * Random, stored as a SHA-256 hash with a short visible prefix,
 * revocable, last use recorded.
 *
 * A key reads "slk_" followed by 43 base64url characters; its first 12
 * characters are the prefix shown in lists.  Strings returned live in the
 * caller's arena.
 */
#ifndef SLUICE_APIKEY_H
#define SLUICE_APIKEY_H

#include <stdint.h>

#include "base/err.h"

struct arena;
struct db;

#define APIKEY_SCHEME	"slk_"

struct apikey_auth {
	int64_t		 key_id;
	int64_t		 workspace_id;
	const char	*role;		/* admin or viewer */
};

/*
 * Creates a key for a workspace.  *key_out is the whole key, to be shown
 * once and never stored; *id_out its row id.  ERR_INPUT for a name that
 * is empty or over 100 bytes or a role other than admin or viewer.
 */
enum err	 apikey_create(struct db *, struct arena *, int64_t workspace_id,
		    int64_t user_id, const char *name, const char *role,
		    const char **key_out, int64_t *id_out);

/*
 * Checks an Authorization header value ("Bearer slk_...").  ERR_OK with
 * *out set and last_used_at updated; ERR_AUTH when missing, malformed,
 * unknown or revoked.
 */
enum err	 apikey_check(struct db *, struct arena *,
		    const char *authorization, struct apikey_auth *out);

/* Revokes a key of the workspace; ERR_NOTFOUND when there is none. */
enum err	 apikey_revoke(struct db *, struct arena *, int64_t workspace_id,
		    int64_t key_id);

/* The workspace's keys as JSON text [{id, name, prefix, role, created,
 * last_used, revoked}] (never a hash; created and last_used in the
 * workspace's zone, last_used naming it: "2026-12-06 09:30 Europe/Paris"),
 * arena-owned. */
enum err	 apikey_list_json(struct db *, struct arena *,
		    int64_t workspace_id, const char **out);

#endif
