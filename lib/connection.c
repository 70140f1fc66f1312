/* connection.c — reading a workspace's connections. */
#include "arena.h"
#include "connection.h"
#include "db.h"

/* PostgreSQL builds the JSON: one round trip, no token column named. */
static const char sql_list[] =
	"SELECT coalesce(json_agg(json_build_object('id', id, 'provider', "
	"provider, 'status', status, 'external_owner', external_owner, "
	"'scopes', scopes, 'accounts', accounts, 'selected', selected, "
	"'sandbox', sandbox, 'token_expires_at', token_expires_at, "
	"'last_sync_at', last_sync_at, 'last_error', last_error, "
	"'created_at', created_at) ORDER BY id DESC), '[]') "
	"FROM connections WHERE workspace_id = $1";

enum err
connection_list_json(struct db *db, struct arena *a, int64_t workspace_id,
    const char **out)
{
	const char *p[1];
	struct db_res *res;
	enum err rc;

	p[0] = arena_printf(a, "%lld", (long long)workspace_id);
	if ((rc = db_exec(db, a, sql_list, 1, p, &res)) != ERR_OK)
		return rc;
	*out = db_get(res, 0, 0);
	return ERR_OK;
}
