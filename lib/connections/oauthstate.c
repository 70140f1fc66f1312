/* oauthstate.c — single-use, session-bound OAuth states with PKCE. */
#include <string.h>

#include "base/arena.h"
#include "base/limit.h"
#include "connections/oauthstate.h"
#include "crypto/crypto.h"
#include "store/db.h"
#include "web/session.h"

static const char sql_new[] =
	"INSERT INTO oauth_states (state_hash, workspace_id, user_id, "
	"session_hash, provider, pkce_verifier, expires_at) VALUES "
	"(decode($1, 'hex'), $2, $3, decode($4, 'hex'), $5, $6, "
	"now() + make_interval(secs => $7))";
/*
 * Marks it used first: a replay finds used_at set and gets nothing.  In a
 * request's tenant scope it sees its user's states of other workspaces
 * too (sql/080_auth.sql), so the callback can say where it started.
 */
static const char sql_take[] =
	"UPDATE oauth_states SET used_at = now() WHERE state_hash = "
	"decode($1, 'hex') AND used_at IS NULL RETURNING workspace_id, "
	"user_id, encode(session_hash, 'hex'), provider, pkce_verifier, "
	"expires_at > now(), (SELECT w.name FROM workspaces w WHERE w.id = "
	"oauth_states.workspace_id)";
static const char sql_gc[] =
	"DELETE FROM oauth_states WHERE expires_at < now() - interval '1 day'";

enum err
oauthstate_new(struct db *db, struct arena *a, const struct session *s,
    const char *provider, struct oauthstate *out)
{
	struct crypto_token tok;
	char verifier[CRYPTO_TOKEN_SIZE];
	char *challenge;
	const char *p[7];
	enum err rc;

	if ((rc = crypto_token_new(&tok)) != ERR_OK ||
	    (rc = crypto_pkce_verifier(verifier)) != ERR_OK)
		return rc;
	challenge = arena_alloc(a, CRYPTO_PKCE_CHALLENGE_SIZE);
	if ((rc = crypto_pkce_challenge(verifier, strlen(verifier),
	    challenge)) != ERR_OK)
		return rc;
	p[0] = tok.hash;
	p[1] = db_int64(a, s->workspace_id);
	p[2] = db_int64(a, s->user_id);
	p[3] = s->id_hash;
	p[4] = provider;
	p[5] = verifier;
	p[6] = db_int64(a, LIMIT_OAUTH_STATE_S);
	(void)db_exec(db, a, sql_gc, 0, NULL, NULL);
	if ((rc = db_exec(db, a, sql_new, 7, p, NULL)) != ERR_OK)
		return rc;
	out->state = arena_strdup(a, tok.token);
	out->challenge = challenge;
	crypto_cleanse(&tok, sizeof(tok));
	crypto_cleanse(verifier, sizeof(verifier));
	return ERR_OK;
}

enum err
oauthstate_take(struct db *db, struct arena *a, const struct session *s,
    const char *provider, const char *state, struct oauthstate_taken *out,
    const char **why)
{
	char hash[CRYPTO_SHA256_HEX_SIZE];
	const char *p[1], *fresh;
	struct db_res *res;
	size_t n;
	enum err rc;

	memset(out, 0, sizeof(*out));
	if (state == NULL || (n = strlen(state)) != CRYPTO_TOKEN_LEN) {
		*why = "The sign-in link is incomplete or malformed.";
		return ERR_AUTH;
	}
	crypto_token_hash(state, n, hash);
	p[0] = hash;
	if ((rc = db_exec(db, a, sql_take, 1, p, &res)) != ERR_OK)
		return rc;
	if (db_nrows(res) == 0) {
		*why = "This sign-in link was already used or is unknown.";
		return ERR_AUTH;
	}
	if (s == NULL || strcmp(db_get(res, 0, 2), s->id_hash) != 0) {
		*why = "This sign-in was started in another browser session.";
		return ERR_FORBIDDEN;
	}
	if (strcmp(db_get(res, 0, 3), provider) != 0) {
		*why = "This sign-in was started for another provider.";
		return ERR_FORBIDDEN;
	}
	fresh = db_get(res, 0, 5);
	if (fresh == NULL || strcmp(fresh, "t") != 0) {
		*why = "This sign-in took longer than 10 minutes and expired.";
		return ERR_CONFLICT;
	}
	out->workspace_id = db_get_int64(res, 0, 0, 0);
	out->user_id = db_get_int64(res, 0, 1, 0);
	out->verifier = db_get(res, 0, 4);
	out->workspace_name = db_get(res, 0, 6);
	return ERR_OK;
}
