/* apikey.c — hashed API keys. */
#include <string.h>
#include <strings.h>

#include "base/arena.h"
#include "base/limit.h"
#include "crypto/crypto.h"
#include "store/db.h"
#include "web/apikey.h"

#define APIKEY_PREFIX_LEN	12	/* "slk_" and 8 characters */
#define STR(x)			#x
#define XSTR(x)			STR(x)
#define APIKEY_TOUCH_S		XSTR(LIMIT_APIKEY_TOUCH_S)

static const char sql_create[] =
	"INSERT INTO api_keys (workspace_id, created_by, name, prefix, "
	"key_hash, role) VALUES ($1, $2, $3, $4, decode($5, 'hex'), $6) "
	"RETURNING id";
/* last_used_at is written at most every LIMIT_APIKEY_TOUCH_S: a read
 * that writes nothing commits without waiting for a WAL flush. */
static const char sql_check[] =
	"WITH k AS (SELECT id, workspace_id, role, last_used_at "
	"FROM api_keys WHERE key_hash = decode($1, 'hex') "
	"AND revoked_at IS NULL), "
	"t AS (UPDATE api_keys SET last_used_at = now() "
	"WHERE id = (SELECT id FROM k) AND (last_used_at IS NULL OR "
	"last_used_at < now() - make_interval(secs => $2::int))) "
	"SELECT id, workspace_id, role FROM k";
static const char sql_revoke[] =
	"UPDATE api_keys SET revoked_at = now() WHERE workspace_id = $1 "
	"AND id = $2 AND revoked_at IS NULL";

enum err
apikey_create(struct db *db, struct arena *a, int64_t workspace_id,
    int64_t user_id, const char *name, const char *role,
    const char **key_out, int64_t *id_out)
{
	char hash[CRYPTO_SHA256_HEX_SIZE], body[CRYPTO_TOKEN_SIZE];
	const char *p[6], *key;
	struct db_res *res;
	size_t n;
	enum err rc;

	n = strlen(name);
	if (n == 0 || n > 100 || (strcmp(role, "admin") != 0 &&
	    strcmp(role, "viewer") != 0))
		return ERR_INPUT;
	if ((rc = crypto_random_b64url(body)) != ERR_OK)
		return rc;
	key = arena_printf(a, "%s%s", APIKEY_SCHEME, body);
	crypto_token_hash(key, strlen(key), hash);
	p[0] = db_int64(a, workspace_id);
	p[1] = user_id > 0 ? db_int64(a, user_id) :
	    NULL;
	p[2] = name;
	p[3] = arena_strndup(a, key, APIKEY_PREFIX_LEN);
	p[4] = hash;
	p[5] = role;
	if ((rc = db_exec(db, a, sql_create, 6, p, &res)) != ERR_OK)
		return rc;
	*id_out = db_get_int64(res, 0, 0, 0);
	*key_out = key;
	return ERR_OK;
}

enum err
apikey_check(struct db *db, struct arena *a, const char *authorization,
    struct apikey_auth *out)
{
	char hash[CRYPTO_SHA256_HEX_SIZE];
	const char *key, *p[2];
	struct db_res *res;
	size_t n;
	enum err rc;

	memset(out, 0, sizeof(*out));
	if (authorization == NULL || strncasecmp(authorization, "Bearer ", 7))
		return ERR_AUTH;
	for (key = authorization + 7; *key == ' '; key++)
		;
	n = strlen(key);
	if (n != strlen(APIKEY_SCHEME) + CRYPTO_TOKEN_LEN ||
	    strncmp(key, APIKEY_SCHEME, strlen(APIKEY_SCHEME)) != 0)
		return ERR_AUTH;
	crypto_token_hash(key, n, hash);
	p[0] = hash;
	p[1] = APIKEY_TOUCH_S;
	if ((rc = db_exec_static(db, a, sql_check, 2, p, &res)) != ERR_OK)
		return rc;
	if (db_nrows(res) == 0)
		return ERR_AUTH;
	out->key_id = db_get_int64(res, 0, 0, 0);
	out->workspace_id = db_get_int64(res, 0, 1, 0);
	out->role = db_get(res, 0, 2);
	return ERR_OK;
}

enum err
apikey_revoke(struct db *db, struct arena *a, int64_t workspace_id,
    int64_t key_id)
{
	const char *p[2];
	struct db_res *res;
	enum err rc;

	p[0] = db_int64(a, workspace_id);
	p[1] = db_int64(a, key_id);
	if ((rc = db_exec(db, a, sql_revoke, 2, p, &res)) != ERR_OK)
		return rc;
	return db_changed(res) == 1 ? ERR_OK : ERR_NOTFOUND;
}

/* Times in the workspace's zone, which the text names. */
static const char sql_list[] =
	"SELECT coalesce(json_agg(json_build_object('id', k.id, 'name', "
	"k.name, 'prefix', k.prefix, 'role', k.role, 'created', "
	"to_char(k.created_at AT TIME ZONE w.time_zone, 'YYYY-MM-DD'), "
	"'last_used', to_char(k.last_used_at AT TIME ZONE w.time_zone, "
	"'YYYY-MM-DD HH24:MI') || ' ' || w.time_zone, 'revoked', "
	"k.revoked_at IS NOT NULL) ORDER BY k.id DESC), '[]') "
	"FROM api_keys k JOIN workspaces w ON w.id = k.workspace_id "
	"WHERE k.workspace_id = $1";

enum err
apikey_list_json(struct db *db, struct arena *a, int64_t workspace_id,
    const char **out)
{
	const char *p[1] = { db_int64(a, workspace_id) };

	return db_value(db, a, sql_list, 1, p, out);
}
