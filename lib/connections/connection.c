/* connection.c — a workspace's connections: storage, status, accounts. */
#include <string.h>

#include "base/arena.h"
#include "connections/connection.h"
#include "connections/vault.h"
#include "crypto/crypto.h"
#include "providers/oauth.h"
#include "providers/provider.h"
#include "store/db.h"

/* PostgreSQL builds the JSON: one round trip, no token column named. */
static const char sql_list[] =
	"SELECT coalesce(json_agg(json_build_object('id', id, 'provider', "
	"provider, 'status', status, 'external_owner', external_owner, "
	"'owner', coalesce(nullif(owner_label, ''), nullif(external_owner, "
	"'')), "
	"'scopes', scopes, 'accounts', accounts, 'selected', selected, "
	"'sandbox', sandbox, 'token_expires_at', token_expires_at, "
	"'last_sync_at', last_sync_at, 'last_error', last_error, "
	"'created_at', created_at) ORDER BY id DESC), '[]') "
	"FROM connections WHERE workspace_id = $1";
/* A row whose login was never named (before migration 300) becomes
 * this login's, unless the login has its own row already. */
static const char sql_adopt[] =
	"UPDATE connections SET external_owner = $3 WHERE workspace_id = $1 "
	"AND provider = $2 AND external_owner = '' AND NOT EXISTS (SELECT 1 "
	"FROM connections WHERE workspace_id = $1 AND provider = $2 AND "
	"external_owner = $3)";
/* One connection per workspace, provider and login: reconnecting as the
 * same login replaces the tokens of its row, and the last test's result,
 * which was of the old tokens, is forgotten; another login is a row of
 * its own. */
static const char sql_upsert[] =
	"INSERT INTO connections (workspace_id, provider, external_owner, "
	"owner_label, status, scopes, token_expires_at, api_base, sandbox) "
	"VALUES ($1, $2, $7, $8, 'connected', $3, to_timestamp($4), $5, $6) "
	"ON CONFLICT (workspace_id, provider, external_owner) DO UPDATE SET "
	"status = 'connected', scopes = EXCLUDED.scopes, token_expires_at = "
	"EXCLUDED.token_expires_at, api_base = EXCLUDED.api_base, sandbox = "
	"EXCLUDED.sandbox, owner_label = EXCLUDED.owner_label, last_error = "
	"NULL, last_tested_at = NULL, last_test_ok = NULL, updated_at = now() "
	"RETURNING id";
static const char sql_seal[] =
	"UPDATE connections SET token_blob = $2, key_id = $3 WHERE id = $1";
/* A time in a zone, the zone named: "2026-11-22 09:00:00 Europe/Paris". */
#define ZONED(col, tz) \
	"to_char(" col " AT TIME ZONE " tz ", 'YYYY-MM-DD HH24:MI:SS ') || " tz
#define CONN_COLUMNS \
	"id, workspace_id, provider, status, accounts::text, " \
	"selected::text, api_base, sandbox, token_blob IS NOT NULL, " \
	"(SELECT " ZONED("last_sync_at", "w.time_zone") " FROM workspaces " \
	"w WHERE w.id = connections.workspace_id), last_error, " \
	"last_tested_at, " \
	"last_test_ok, token_expires_at, " \
	"extract(epoch FROM now() - last_sync_at)::bigint, external_owner, " \
	"owner_label, extract(epoch FROM now() - created_at)::bigint"
/* A slug names the provider's live connections (disconnected ones only
 * when none is live): two rows mean several. */
static const char sql_get[] =
	"SELECT " CONN_COLUMNS " FROM connections WHERE workspace_id = $1 "
	"AND provider = $2 AND (status <> 'disconnected' OR NOT EXISTS ("
	"SELECT 1 FROM connections o WHERE o.workspace_id = $1 AND "
	"o.provider = $2 AND o.status <> 'disconnected')) ORDER BY id LIMIT 2";
static const char sql_get_id[] =
	"SELECT " CONN_COLUMNS " FROM connections WHERE workspace_id = $1 "
	"AND id = $2";
static const char sql_all[] =
	"SELECT " CONN_COLUMNS " FROM connections WHERE workspace_id = $1 "
	"ORDER BY provider, id";
/* Also answers the chosen accounts the new listing lacks ("name (id)",
 * from the listing before), as the statement found the row. */
static const char sql_accounts[] =
	"WITH u AS (UPDATE connections SET accounts = $3::jsonb, selected = "
	"CASE WHEN selected = '[]'::jsonb THEN (SELECT coalesce(jsonb_agg("
	"a->'id'), '[]') FROM jsonb_array_elements($3::jsonb) a) ELSE (SELECT "
	"coalesce(jsonb_agg(s), '[]') FROM jsonb_array_elements(selected) s "
	"WHERE s IN (SELECT a->'id' FROM jsonb_array_elements($3::jsonb) a)) "
	"END, updated_at = now() WHERE workspace_id = $1 AND id = $2 "
	"RETURNING id) SELECT (SELECT count(*) FROM u), l.names, l.n FROM "
	"(SELECT string_agg(coalesce((SELECT (a->>'name') || ' (' || (s #>> "
	"'{}') || ')' FROM jsonb_array_elements(c.accounts) a WHERE a->'id' "
	"= s AND a->>'name' <> s #>> '{}' LIMIT 1), s #>> '{}'), ', ') AS "
	"names, count(*) AS n FROM connections c, jsonb_array_elements("
	"c.selected) s WHERE c.workspace_id = $1 AND c.id = $2 AND s NOT IN "
	"(SELECT a->'id' FROM jsonb_array_elements($3::jsonb) a)) l";
static const char sql_select[] =
	"UPDATE connections SET selected = (SELECT coalesce(jsonb_agg(s), "
	"'[]') FROM jsonb_array_elements($3::jsonb) s WHERE s IN (SELECT "
	"a->'id' FROM jsonb_array_elements(accounts) a)), updated_at = now() "
	"WHERE workspace_id = $1 AND id = $2";
static const char sql_status[] =
	"UPDATE connections SET status = $3, last_error = $4, updated_at = "
	"now() WHERE workspace_id = $1 AND id = $2";
static const char sql_tested[] =
	"UPDATE connections SET last_tested_at = now(), last_test_ok = $3, "
	"last_error = CASE WHEN $3 THEN NULL ELSE $4 END, updated_at = now() "
	"WHERE workspace_id = $1 AND id = $2";
static const char sql_disconnect[] =
	"UPDATE connections SET status = 'disconnected', token_blob = NULL, "
	"key_id = NULL, token_expires_at = NULL, updated_at = now() "
	"WHERE workspace_id = $1 AND id = $2";
/*
 * The provider's rows but those of an account another live connection of
 * it (another login) still selects — metric_daily's rows are by account,
 * shared by the connections that select it: the account's own rows and
 * its campaigns' (account_id "ACCOUNT:CAMPAIGN": Google Ads, Meta Ads,
 * Mailchimp's lists).
 */
static const char sql_delete_data[] =
	"DELETE FROM metric_daily m WHERE m.workspace_id = $1 AND m.provider "
	"= (SELECT provider FROM connections WHERE workspace_id = $1 AND id = "
	"$2) AND NOT EXISTS (SELECT 1 FROM connections o, "
	"jsonb_array_elements_text(CASE jsonb_typeof(o.selected) WHEN 'array' "
	"THEN o.selected ELSE '[]' END) s (id) WHERE "
	"o.workspace_id = $1 AND o.provider = m.provider AND o.id <> $2 AND "
	"o.status <> 'disconnected' AND (m.account_id = s.id OR "
	"left(m.account_id, length(s.id) + 1) = s.id || ':'))";
static const char sql_delete_comms[] =
	"DELETE FROM communications WHERE workspace_id = $1 AND "
	"connection_id = $2";
static const char sql_delete_reviews[] =
	"DELETE FROM reviews WHERE workspace_id = $1 AND connection_id = $2";
static const char sql_delete_content[] =		/* and its metrics */
	"DELETE FROM content WHERE workspace_id = $1 AND connection_id = $2";
/* Its accounts' sync state: synced again, they are backfilled again. */
static const char sql_delete_accounts[] =
	"DELETE FROM sync_accounts WHERE workspace_id = $1 AND "
	"connection_id = $2";

enum err
connection_list_json(struct db *db, struct arena *a, int64_t workspace_id,
    const char **out)
{
	const char *p[1];

	p[0] = db_int64(a, workspace_id);
	return db_value(db, a, sql_list, 1, p, out);
}

enum err
connection_store(struct db *db, struct arena *a,
    const struct crypto_keyring *keys, int64_t workspace_id,
    const char *provider, const struct oauth_tokens *t, bool sandbox,
    int64_t *id_out)
{
	const char *p[8], *plain, *owner;
	struct db_res *res;
	char *blob;
	enum err rc;

	if (keys == NULL)
		return ERR_UNAVAILABLE;
	owner = t->owner != NULL ? t->owner : "";
	if ((rc = db_begin(db, a)) != ERR_OK)
		return rc;
	p[0] = db_int64(a, workspace_id);
	p[1] = provider;
	p[2] = owner;
	if (*owner != '\0' &&
	    (rc = db_exec(db, a, sql_adopt, 3, p, NULL)) != ERR_OK)
		goto out;
	p[2] = t->scope != NULL ? t->scope : "";
	p[3] = t->expires_at > 0 ? db_int64(a, t->expires_at) : NULL;
	p[4] = t->api_base;
	p[5] = sandbox ? "t" : "f";
	p[6] = owner;
	p[7] = t->owner_label != NULL ? t->owner_label : "";
	if ((rc = db_exec(db, a, sql_upsert, 8, p, &res)) != ERR_OK)
		goto out;
	*id_out = db_get_int64(res, 0, 0, 0);
	plain = oauth_tokens_json(a, t);
	if ((rc = vault_seal(keys, a, workspace_id, provider, *id_out, plain,
	    strlen(plain), &blob)) != ERR_OK)
		goto out;
	p[0] = db_int64(a, *id_out);
	p[1] = blob;
	p[2] = crypto_keyring_current(keys);
	if ((rc = db_exec(db, a, sql_seal, 3, p, NULL)) != ERR_OK)
		goto out;
	return db_commit(db, a);
out:
	db_rollback(db, a);
	return rc;
}

static void
fill(struct arena *a, const struct db_res *res, size_t i,
    struct connection *c)
{
	const char *v;

	(void)a;
	memset(c, 0, sizeof(*c));
	c->id = db_get_int64(res, i, 0, 0);
	c->workspace_id = db_get_int64(res, i, 1, 0);
	c->provider = db_get(res, i, 2);
	c->status = db_get(res, i, 3);
	c->accounts = db_get(res, i, 4);
	c->selected = db_get(res, i, 5);
	c->api_base = db_get(res, i, 6);
	c->sandbox = (v = db_get(res, i, 7)) != NULL && *v == 't';
	c->has_tokens = (v = db_get(res, i, 8)) != NULL && *v == 't';
	c->last_sync_at = db_get(res, i, 9);
	c->last_error = db_get(res, i, 10);
	c->last_tested_at = db_get(res, i, 11);
	c->last_test_ok = (v = db_get(res, i, 12)) != NULL && *v == 't';
	c->token_expires_at = db_get(res, i, 13);
	c->last_sync_age = db_get_int64(res, i, 14, -1);
	c->external_owner = db_get(res, i, 15);
	c->owner_label = db_get(res, i, 16);
	c->age = db_get_int64(res, i, 17, -1);
}

static const char sql_count[] =
	"SELECT count(*) FROM connections WHERE workspace_id = $1 AND "
	"provider = $2";

const char *
connection_ref(struct db *db, struct arena *a, int64_t workspace_id,
    const char *provider, int64_t id)
{
	const char *p[2] = { db_int64(a, workspace_id), provider };
	struct db_res *res;

	if (db_exec(db, a, sql_count, 2, p, &res) == ERR_OK &&
	    db_get_int64(res, 0, 0, 0) == 1)
		return provider;
	return db_int64(a, id);
}

bool
connection_ref_is_id(const char *ref)
{
	size_t n;

	for (n = 0; ref != NULL && ref[n] >= '0' && ref[n] <= '9'; n++)
		;
	return ref != NULL && n >= 1 && n <= 18 && ref[n] == '\0';
}

enum err
connection_find(struct db *db, struct arena *a, int64_t workspace_id,
    const char *ref, struct connection *out)
{
	const char *p[2];
	struct db_res *res;
	bool id = connection_ref_is_id(ref);
	enum err rc;

	if (ref == NULL)
		return ERR_NOTFOUND;
	p[0] = db_int64(a, workspace_id);
	p[1] = ref;
	if ((rc = db_exec(db, a, id ? sql_get_id : sql_get, 2, p, &res)) !=
	    ERR_OK)
		return rc;
	if (db_nrows(res) == 0)
		return ERR_NOTFOUND;
	if (db_nrows(res) > 1)
		return ERR_CONFLICT;
	fill(a, res, 0, out);
	return ERR_OK;
}

enum err
connection_all(struct db *db, struct arena *a, int64_t workspace_id,
    struct connection **out, size_t *n)
{
	const char *p[1];
	struct db_res *res;
	size_t i;
	enum err rc;

	p[0] = db_int64(a, workspace_id);
	if ((rc = db_exec_static(db, a, sql_all, 1, p, &res)) != ERR_OK)
		return rc;
	*n = db_nrows(res);
	*out = arena_calloc(a, *n + 1, sizeof(**out));
	for (i = 0; i < *n; i++)
		fill(a, res, i, &(*out)[i]);
	return ERR_OK;
}

static enum err
update(struct db *db, struct arena *a, const char *sql, int n,
    const char **p)
{
	struct db_res *res;
	enum err rc;

	if ((rc = db_exec(db, a, sql, n, p, &res)) != ERR_OK)
		return rc;
	return db_changed(res) > 0 ? ERR_OK : ERR_NOTFOUND;
}

enum err
connection_set_accounts(struct db *db, struct arena *a,
    int64_t workspace_id, int64_t id, const char *accounts,
    const char **lost, long *nlost)
{
	const char *p[3] = { db_int64(a, workspace_id), db_int64(a, id),
	    accounts };
	struct db_res *res;
	enum err rc;

	*lost = NULL;
	*nlost = 0;
	if ((rc = db_exec(db, a, sql_accounts, 3, p, &res)) != ERR_OK)
		return rc;
	if (db_get_int64(res, 0, 0, 0) == 0)
		return ERR_NOTFOUND;
	*lost = db_get(res, 0, 1);
	*nlost = (long)db_get_int64(res, 0, 2, 0);
	return ERR_OK;
}

enum err
connection_select(struct db *db, struct arena *a, int64_t workspace_id,
    int64_t id, const char *selected)
{
	const char *p[3] = { db_int64(a, workspace_id), db_int64(a, id),
	    selected };

	return update(db, a, sql_select, 3, p);
}

enum err
connection_set_status(struct db *db, struct arena *a, int64_t workspace_id,
    int64_t id, const char *status, const char *error)
{
	const char *p[4] = { db_int64(a, workspace_id), db_int64(a, id),
	    status, error };

	return update(db, a, sql_status, 4, p);
}

enum err
connection_tested(struct db *db, struct arena *a, int64_t workspace_id,
    int64_t id, bool ok, const char *error)
{
	const char *p[4] = { db_int64(a, workspace_id), db_int64(a, id),
	    ok ? "t" : "f", error };

	return update(db, a, sql_tested, 4, p);
}

enum err
connection_disconnect(struct db *db, struct arena *a, int64_t workspace_id,
    int64_t id, bool delete_data)
{
	const char *p[2] = { db_int64(a, workspace_id), db_int64(a, id) };
	enum err rc;

	if ((rc = db_begin(db, a)) != ERR_OK)
		return rc;
	if (delete_data &&
	    ((rc = db_exec(db, a, sql_delete_data, 2, p, NULL)) != ERR_OK ||
	    (rc = db_exec(db, a, sql_delete_comms, 2, p, NULL)) != ERR_OK ||
	    (rc = db_exec(db, a, sql_delete_reviews, 2, p, NULL)) != ERR_OK ||
	    (rc = db_exec(db, a, sql_delete_content, 2, p, NULL)) != ERR_OK ||
	    (rc = db_exec(db, a, sql_delete_accounts, 2, p, NULL)) != ERR_OK))
		goto out;
	if ((rc = update(db, a, sql_disconnect, 2, p)) != ERR_OK)
		goto out;
	return db_commit(db, a);
out:
	db_rollback(db, a);
	return rc;
}

/* Times in the workspace's time zone, named. */
static const char sql_history[] =
	"WITH w AS (SELECT time_zone AS tz FROM workspaces WHERE id = $1) "
	"SELECT json_build_object("
	"'runs', (SELECT coalesce(json_agg(to_jsonb(r) - 'n' ORDER BY r.n), "
	"'[]') FROM (SELECT to_char(started_at AT TIME ZONE (SELECT tz FROM "
	"w), 'YYYY-MM-DD HH24:MI') AS started, status, duration_ms, pages, "
	"rows_fetched, rows_changed, error, row_number() OVER (ORDER BY "
	"started_at DESC, id DESC) AS n FROM sync_runs WHERE workspace_id = "
	"$1 AND connection_id = $2 ORDER BY started_at DESC, id DESC LIMIT "
	"20) r), "
	"'daily', (SELECT coalesce(json_agg(d ORDER BY d.day), '[]') FROM "
	"(SELECT to_char(g.day, 'YYYY-MM-DD') AS day, sum("
	"s.rows_changed) AS rows FROM generate_series((now() AT TIME "
	"ZONE (SELECT tz FROM w))::date - 29, (now() AT TIME ZONE (SELECT tz "
	"FROM w))::date, interval '1 day') AS g(day) LEFT JOIN sync_runs s ON "
	"s.workspace_id = $1 AND s.connection_id = $2 AND "
	"(s.started_at AT TIME ZONE (SELECT tz FROM w))::date = g.day "
	"GROUP BY g.day) d), "
	"'accounts', (SELECT coalesce(json_agg(json_build_object('id', "
	"a.account_id, 'name', coalesce((SELECT l->>'name' FROM "
	"jsonb_array_elements(c.accounts) l WHERE l->>'id' = a.account_id "
	"LIMIT 1), a.account_id), 'status', a.status, 'ok', a.status = 'ok', "
	"'error', a.error, 'rows_fetched', a.rows_fetched, 'rows_changed', "
	"a.rows_changed, 'attempted', to_char(a.attempted_at AT TIME ZONE "
	"(SELECT tz FROM w), 'YYYY-MM-DD HH24:MI')) ORDER BY a.account_id), "
	"'[]') FROM sync_accounts a JOIN connections c ON c.workspace_id = "
	"a.workspace_id AND c.id = a.connection_id WHERE a.workspace_id = $1 "
	"AND a.connection_id = $2 AND c.selected ? a.account_id), "
	"'job', (SELECT status FROM sync_jobs WHERE workspace_id = $1 AND "
	"connection_id = $2 AND status IN ('queued', 'running') LIMIT 1), "
	"'job_due', (SELECT to_char(run_after AT TIME ZONE w.tz, "
	"'YYYY-MM-DD HH24:MI ') || w.tz FROM sync_jobs, w "
	"WHERE workspace_id = $1 AND connection_id = $2 AND status = "
	"'queued' AND run_after > now() LIMIT 1), "
	"'worker_age', (SELECT coalesce(floor(extract(epoch FROM now() - "
	"max(beat_at))), -1)::bigint FROM worker_beats), "
	"'progress', (SELECT json_build_object('done', count(a.account_id), "
	"'rows', coalesce(sum(a.rows_fetched), 0), 'total', (SELECT CASE "
	"WHEN jsonb_typeof(selected) = 'array' THEN jsonb_array_length("
	"selected) END FROM connections WHERE workspace_id = $1 AND id = $2), "
	"'seconds', floor(extract(epoch FROM now() - r.started_at))::bigint) "
	"FROM (SELECT id, started_at FROM sync_runs WHERE workspace_id = $1 "
	"AND connection_id = $2 AND status = 'running' ORDER BY started_at "
	"DESC LIMIT 1) r LEFT JOIN sync_accounts a ON a.workspace_id = $1 AND "
	"a.connection_id = $2 AND a.run_id = r.id GROUP BY r.id, "
	"r.started_at), "
	"'time_zone', (SELECT tz FROM w), "
	"'last_sync', (SELECT " ZONED("last_sync_at", "w.tz") " FROM "
	"connections, w WHERE workspace_id = $1 AND id = $2))";

enum err
connection_history_json(struct db *db, struct arena *a, int64_t workspace_id,
    int64_t id, const char **out)
{
	const char *p[2] = { db_int64(a, workspace_id), db_int64(a, id) };

	return db_value(db, a, sql_history, 2, p, out);
}

static const char sql_in_use[] =
	"SELECT sluice_login_in_use($1::text[], $2, $3)";

enum err
connection_login_in_use(struct db *db, struct arena *a, const char *family,
    const char *owner, int64_t except_id, bool *out)
{
	const struct provider *const *all;
	const char *p[3], *list = NULL, *v;
	size_t i, n;
	enum err rc;

	all = provider_all(&n);
	for (i = 0; i < n; i++)
		if (strcmp(all[i]->family, family) == 0)
			list = list == NULL ? all[i]->slug : arena_printf(a,
			    "%s,%s", list, all[i]->slug);
	*out = false;
	if (list == NULL)
		return ERR_OK;
	p[0] = arena_printf(a, "{%s}", list);
	p[1] = owner != NULL ? owner : "";
	p[2] = db_int64(a, except_id);
	if ((rc = db_value(db, a, sql_in_use, 3, p, &v)) != ERR_OK)
		return rc;
	*out = v != NULL && strcmp(v, "t") == 0;
	return ERR_OK;
}
