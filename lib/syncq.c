/* syncq.c — the sync_jobs queue. */
#include <string.h>

#include "arena.h"
#include "db.h"
#include "syncq.h"

static const char sql_enqueue[] =
	"INSERT INTO sync_jobs (workspace_id, connection_id, kind, priority) "
	"SELECT $1, $2, 'manual', $3 FROM connections WHERE workspace_id = $1 "
	"AND id = $2 AND status = 'connected' "
	"ON CONFLICT (connection_id) WHERE status IN ('queued', 'running') "
	"DO NOTHING RETURNING id";
static const char sql_bump[] =
	"UPDATE sync_jobs SET priority = greatest(priority, $3), run_after = "
	"least(run_after, now()) WHERE workspace_id = $1 AND connection_id = "
	"$2 AND status IN ('queued', 'running') RETURNING id";
static const char sql_state[] =
	"SELECT status FROM sync_jobs WHERE workspace_id = $1 AND "
	"connection_id = $2 ORDER BY id DESC LIMIT 1";

enum err
syncq_enqueue_now(struct db *db, struct arena *a, int64_t ws, int64_t conn,
    int64_t *job_id, bool *created)
{
	const char *p[3];
	struct db_res *res;
	enum err rc;

	p[0] = arena_printf(a, "%lld", (long long)ws);
	p[1] = arena_printf(a, "%lld", (long long)conn);
	p[2] = arena_printf(a, "%d", SYNCQ_PRIORITY_MANUAL);
	if ((rc = db_exec(db, a, sql_enqueue, 3, p, &res)) != ERR_OK)
		return rc;
	if (db_nrows(res) == 1) {
		*job_id = db_get_int64(res, 0, 0, 0);
		*created = true;
		return ERR_OK;
	}
	*created = false;
	if ((rc = db_exec(db, a, sql_bump, 3, p, &res)) != ERR_OK)
		return rc;
	if (db_nrows(res) == 0)
		return ERR_CONFLICT;	/* not connected */
	*job_id = db_get_int64(res, 0, 0, 0);
	return ERR_OK;
}

enum err
syncq_state(struct db *db, struct arena *a, int64_t ws, int64_t conn,
    const char **state)
{
	const char *p[2];
	struct db_res *res;
	enum err rc;

	p[0] = arena_printf(a, "%lld", (long long)ws);
	p[1] = arena_printf(a, "%lld", (long long)conn);
	if ((rc = db_exec(db, a, sql_state, 2, p, &res)) != ERR_OK)
		return rc;
	*state = db_nrows(res) > 0 ? db_get(res, 0, 0) : NULL;
	return ERR_OK;
}
