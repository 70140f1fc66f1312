/* token.c — refresh ahead of expiry, under a row lock, rotation-safe. */
#include <string.h>
#include <time.h>

#include "base/arena.h"
#include "base/log.h"
#include "connections/token.h"
#include "connections/vault.h"
#include "crypto/crypto.h"
#include "providers/oauth.h"
#include "providers/provider.h"
#include "store/db.h"

#define SQL_ROW \
	"SELECT provider, token_blob, status FROM connections " \
	"WHERE workspace_id = $1 AND id = $2"
static const char sql_read[] = SQL_ROW;
static const char sql_lock[] = SQL_ROW " FOR UPDATE";
static const char sql_save[] =
	"UPDATE connections SET token_blob = $3, key_id = $4, "
	"token_expires_at = to_timestamp($5), status = 'connected', "
	"last_error = NULL, updated_at = now() "
	"WHERE workspace_id = $1 AND id = $2";
static const char sql_reauth[] =
	"UPDATE connections SET status = 'needs_reauth', last_error = $3, "
	"updated_at = now() WHERE workspace_id = $1 AND id = $2";

/* The connection row (provider, token_blob, status) opened into *cur. */
static enum err
open_row(const struct token_env *env, struct arena *a, struct db_res *res,
    int64_t ws, int64_t id, const struct provider **p,
    struct oauth_tokens *cur, const char **why)
{
	const char *detail = NULL;
	char *opened;

	if (db_nrows(res) == 0 || db_get(res, 0, 1) == NULL) {
		*why = "the connection has no tokens; connect it first";
		return ERR_NOTFOUND;
	}
	if (strcmp(db_get(res, 0, 2), "needs_reauth") == 0) {
		*why = "the connection must be reconnected";
		return ERR_AUTH;
	}
	*p = provider_get(db_get(res, 0, 0));
	if (*p == NULL || vault_open(env->keys, a, ws, (*p)->slug, id,
	    db_get(res, 0, 1), &opened, &detail) != ERR_OK ||
	    oauth_tokens_parse(a, opened, cur) != ERR_OK) {
		*why = *p == NULL ? "unknown provider" :
		    arena_printf(a, "the stored tokens do not open: %s",
		    detail != NULL ? detail : "");
		return ERR_AUTH;
	}
	return ERR_OK;
}

/* Whether the token does not expire before until. */
static bool
good_for(const struct oauth_tokens *t, int64_t until)
{
	return t->expires_at == 0 || t->expires_at > until;
}

enum err
token_get(const struct token_env *env, struct arena *a, int64_t ws,
    int64_t id, bool force, int64_t within, struct oauth_tokens *out,
    const char **why)
{
	const struct provider *p;
	struct oauth_tokens cur, fresh;
	struct oauth_failure f;
	struct db_res *res;
	const char *par[5], *plain;
	char *blob;
	int64_t now = (int64_t)time(NULL);
	enum err rc;

	*why = NULL;
	if (within < TOKEN_SKEW_S)
		within = TOKEN_SKEW_S;
	if (env->keys == NULL) {
		*why = "SLUICE_ENCRYPTION_KEYS is not set";
		return ERR_UNAVAILABLE;
	}
	par[0] = db_int64(a, ws);
	par[1] = db_int64(a, id);
	/* Most calls find a token good for a while: no lock, no transaction. */
	if (!force) {
		if ((rc = db_exec_static(env->db, a, sql_read, 2, par, &res)) !=
		    ERR_OK)
			return rc;
		if ((rc = open_row(env, a, res, ws, id, &p, &cur, why)) !=
		    ERR_OK)
			return rc;
		if (good_for(&cur, now + within)) {
			*out = cur;
			return ERR_OK;
		}
	}
	/* The lock makes a second refresher wait and then see our result. */
	if ((rc = db_begin(env->db, a)) != ERR_OK)
		return rc;
	if ((rc = db_exec_static(env->db, a, sql_lock, 2, par, &res)) != ERR_OK)
		goto out;
	if ((rc = open_row(env, a, res, ws, id, &p, &cur, why)) != ERR_OK)
		goto out;
	if (!force && good_for(&cur, now + within)) {
		*out = cur;
		rc = db_commit(env->db, a);
		return rc;
	}
	rc = oauth_refresh(env->http, a, p, env->cfg, &cur, &fresh, &f);
	if (rc == ERR_AUTH && f.invalid_grant) {
		*why = f.message;
		par[2] = f.message;
		(void)db_exec(env->db, a, sql_reauth, 3, par, NULL);
		log_msg(LOG_WARN, NULL, "token", "connection %lld needs to be "
		    "reconnected: %s", (long long)id, f.message);
		(void)db_commit(env->db, a);
		return ERR_AUTH;
	}
	if (rc != ERR_OK) {
		*why = f.message;
		rc = rc == ERR_AUTH ? ERR_AUTH : ERR_UPSTREAM;
		goto out;
	}
	plain = oauth_tokens_json(a, &fresh);
	if ((rc = vault_seal(env->keys, a, ws, p->slug, id, plain,
	    strlen(plain), &blob)) != ERR_OK)
		goto out;
	par[2] = blob;
	par[3] = crypto_keyring_current(env->keys);
	par[4] = fresh.expires_at > 0 ? arena_printf(a, "%lld",
	    (long long)fresh.expires_at) : NULL;
	if ((rc = db_exec_static(env->db, a, sql_save, 5, par, NULL)) != ERR_OK)
		goto out;
	if ((rc = db_commit(env->db, a)) != ERR_OK)
		return rc;
	*out = fresh;
	return ERR_OK;
out:
	db_rollback(env->db, a);
	return rc;
}
