/* account.c — users, workspaces and memberships. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/limit.h"
#include "base/mem.h"
#include "crypto/crypto.h"
#include "store/db.h"
#include "tenancy/account.h"

#define ACCOUNT_SETUP_LOCK	"7226111"	/* pg_advisory_xact_lock key */

static const char sql_any[] = "SELECT EXISTS (SELECT 1 FROM users)";
static const char sql_lock[] =
	"SELECT pg_advisory_xact_lock(" ACCOUNT_SETUP_LOCK ")";
static const char sql_user[] =
	"INSERT INTO users (email, password_hash) VALUES ($1, $2) RETURNING id";
static const char sql_workspace[] =
	"INSERT INTO workspaces (name) VALUES ($1) RETURNING id";
static const char sql_member[] =
	"INSERT INTO memberships (workspace_id, user_id, role) "
	"VALUES ($1, $2, $3)";
static const char sql_login[] =
	"SELECT u.id, u.password_hash, (SELECT m.workspace_id FROM memberships "
	"m WHERE m.user_id = u.id ORDER BY m.created_at, m.workspace_id "
	"LIMIT 1) FROM users u WHERE lower(u.email) = lower($1)";
static const char sql_logged_in[] =
	"UPDATE users SET last_login_at = now() WHERE id = $1";

enum err
account_any_user(struct db *db, struct arena *a, bool *out)
{
	struct db_res *res;
	enum err rc;

	if ((rc = db_exec(db, a, sql_any, 0, NULL, &res)) != ERR_OK)
		return rc;
	*out = strcmp(db_get(res, 0, 0), "t") == 0;
	return ERR_OK;
}

/*
 * Checks the shape of an email (one '@', a dot after it, no spaces or
 * control characters, at most 320 bytes).
 */
static bool
email_ok(const char *s)
{
	const char *at, *p;
	size_t n = strlen(s);

	if (n < 3 || n > 320 || (at = strchr(s, '@')) == NULL || at == s ||
	    strchr(at + 1, '@') != NULL || strchr(at + 1, '.') == NULL ||
	    at[1] == '.' || s[n - 1] == '.')
		return false;
	for (p = s; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f || *p == '<' ||
		    *p == '>' || *p == '"' || *p == ',' || *p == ';')
			return false;
	return true;
}

enum err
account_setup(struct db *db, struct arena *a, const char *email,
    const char *password, const char *workspace, int64_t *user_out,
    int64_t *workspace_out, const char **why)
{
	char hash[CRYPTO_PASSWORD_HASH_SIZE];
	const char *p[3];
	struct db_res *res;
	size_t plen, wlen;
	bool any;
	enum err rc;

	plen = strlen(password);
	wlen = strlen(workspace);
	if (!email_ok(email)) {
		*why = "Enter a valid email address.";
		return ERR_INPUT;
	}
	if (plen < ACCOUNT_PASSWORD_MIN || plen > LIMIT_PASSWORD) {
		*why = "The password needs at least 10 characters.";
		return ERR_INPUT;
	}
	if (wlen == 0 || wlen > 200) {
		*why = "Give the workspace a name of up to 200 characters.";
		return ERR_INPUT;
	}
	if ((rc = crypto_password_hash(password, plen, hash)) != ERR_OK)
		return rc;
	if ((rc = db_begin(db, a)) != ERR_OK)
		return rc;
	if ((rc = db_exec(db, a, sql_lock, 0, NULL, NULL)) != ERR_OK ||
	    (rc = account_any_user(db, a, &any)) != ERR_OK)
		goto out;
	if (any) {
		rc = ERR_CONFLICT;
		goto out;
	}
	p[0] = email;
	p[1] = hash;
	if ((rc = db_exec(db, a, sql_user, 2, p, &res)) != ERR_OK)
		goto out;
	*user_out = db_get_int64(res, 0, 0, 0);
	p[0] = workspace;
	if ((rc = db_exec(db, a, sql_workspace, 1, p, &res)) != ERR_OK)
		goto out;
	*workspace_out = db_get_int64(res, 0, 0, 0);
	p[0] = db_int64(a, *workspace_out);
	p[1] = db_int64(a, *user_out);
	p[2] = "owner";
	if ((rc = db_exec(db, a, sql_member, 3, p, NULL)) != ERR_OK)
		goto out;
	crypto_cleanse(hash, sizeof(hash));
	return db_commit(db, a);
out:
	crypto_cleanse(hash, sizeof(hash));
	db_rollback(db, a);
	return rc;
}

enum err
account_authenticate(struct db *db, struct arena *a, const char *email,
    const char *password, int64_t *user_out, int64_t *workspace_out)
{
	const char *p[1], *stored;
	struct db_res *res;
	size_t plen = strlen(password);
	enum err rc;

	if (plen > LIMIT_PASSWORD || strlen(email) > 320)
		return ERR_AUTH;
	p[0] = email;
	if ((rc = db_exec(db, a, sql_login, 1, p, &res)) != ERR_OK)
		return rc;
	if (db_nrows(res) == 0 || db_get(res, 0, 2) == NULL) {
		/* The same work as a real check: no timing oracle. */
		(void)crypto_password_verify_none(password, plen);
		return ERR_AUTH;
	}
	stored = db_get(res, 0, 1);
	if (crypto_password_verify(stored, password, plen) != ERR_OK)
		return ERR_AUTH;
	*user_out = db_get_int64(res, 0, 0, 0);
	*workspace_out = db_get_int64(res, 0, 2, 0);
	p[0] = db_get(res, 0, 0);
	(void)db_exec(db, a, sql_logged_in, 1, p, NULL);
	return ERR_OK;
}

static const char sql_members[] =
	"SELECT coalesce(json_agg(json_build_object('user_id', u.id, 'email', "
	"u.email, 'role', m.role, 'since', to_char(m.created_at, "
	"'YYYY-MM-DD'), 'digest', coalesce(d.subscribed, true)) ORDER BY "
	"m.created_at, u.id), '[]') FROM memberships m JOIN users u ON "
	"u.id = m.user_id LEFT JOIN digest_subscriptions d ON "
	"d.workspace_id = m.workspace_id AND lower(d.email) = lower(u.email) "
	"WHERE m.workspace_id = $1";
static const char sql_workspaces[] =
	"SELECT coalesce(json_agg(json_build_object('id', w.id, 'name', "
	"w.name, 'role', m.role, 'time_zone', w.time_zone) ORDER BY w.name, "
	"w.id), '[]') FROM "
	"memberships m JOIN workspaces w ON w.id = m.workspace_id WHERE "
	"m.user_id = $1";
static const char sql_is_member[] =
	"SELECT 1 FROM memberships m JOIN users u ON u.id = m.user_id WHERE "
	"m.workspace_id = $1 AND lower(u.email) = lower($2)";
static const char sql_invite[] =
	"INSERT INTO invites (token_hash, workspace_id, email, role, "
	"invited_by, expires_at) VALUES (decode($1, 'hex'), $2, $3, $4, $5, "
	"now() + interval '7 days')";
static const char sql_peek[] =
	"SELECT w.name, i.email, (SELECT u.id FROM users u WHERE "
	"lower(u.email) = lower(i.email)) FROM invites i JOIN workspaces w "
	"ON w.id = i.workspace_id WHERE i.token_hash = decode($1, 'hex') AND "
	"i.used_at IS NULL AND i.expires_at > now()";
static const char sql_take[] =
	"UPDATE invites SET used_at = now() WHERE token_hash = decode($1, "
	"'hex') AND used_at IS NULL AND expires_at > now() RETURNING "
	"workspace_id, email, role";
static const char sql_find_user[] =
	"SELECT id FROM users WHERE lower(email) = lower($1)";
static const char sql_join[] =
	"INSERT INTO memberships (workspace_id, user_id, role) VALUES ($1, $2, "
	"$3) ON CONFLICT (workspace_id, user_id) DO NOTHING";
static const char sql_digest[] =
	"INSERT INTO digest_subscriptions (workspace_id, email, subscribed) "
	"VALUES ($1, lower($2), $3) ON CONFLICT (workspace_id, email) DO "
	"UPDATE SET subscribed = EXCLUDED.subscribed, updated_at = now()";
static const char *const sql_delete_data[] = {
	"DELETE FROM metric_daily WHERE workspace_id = $1",
	"DELETE FROM communications WHERE workspace_id = $1",
	"DELETE FROM sync_runs WHERE workspace_id = $1",
	"UPDATE connections SET last_sync_at = NULL WHERE workspace_id = $1",
};

static const char *
one_json(struct db *db, struct arena *a, const char *sql, int64_t id,
    enum err *rc)
{
	const char *p[1] = { db_int64(a, id) };
	struct db_res *res;

	if ((*rc = db_exec(db, a, sql, 1, p, &res)) != ERR_OK)
		return NULL;
	return db_get(res, 0, 0);
}

enum err
account_members_json(struct db *db, struct arena *a, int64_t ws,
    const char **out)
{
	enum err rc;

	*out = one_json(db, a, sql_members, ws, &rc);
	return rc;
}

enum err
account_workspaces_json(struct db *db, struct arena *a, int64_t user,
    const char **out)
{
	enum err rc;

	*out = one_json(db, a, sql_workspaces, user, &rc);
	return rc;
}

enum err
account_invite(struct db *db, struct arena *a, int64_t ws, int64_t by,
    const char *email, const char *role, const char **token_out)
{
	struct crypto_token tok;
	const char *p[5];
	struct db_res *res;
	enum err rc;

	if (email == NULL || role == NULL || !email_ok(email) ||
	    (strcmp(role, "admin") != 0 && strcmp(role, "viewer") != 0))
		return ERR_INPUT;
	p[0] = db_int64(a, ws);
	p[1] = email;
	if ((rc = db_exec(db, a, sql_is_member, 2, p, &res)) != ERR_OK)
		return rc;
	if (db_nrows(res) > 0)
		return ERR_CONFLICT;
	if ((rc = crypto_token_new(&tok)) != ERR_OK)
		return rc;
	p[0] = tok.hash;
	p[1] = db_int64(a, ws);
	p[2] = email;
	p[3] = role;
	p[4] = db_int64(a, by);
	if ((rc = db_exec(db, a, sql_invite, 5, p, NULL)) != ERR_OK)
		return rc;
	*token_out = arena_strdup(a, tok.token);
	crypto_cleanse(&tok, sizeof(tok));
	return ERR_OK;
}

static bool
token_shape(const char *t)
{
	return t != NULL && strlen(t) == CRYPTO_TOKEN_LEN;
}

enum err
account_invite_peek(struct db *db, struct arena *a, const char *token,
    const char **ws_name, const char **email, int64_t *user_out)
{
	char hash[CRYPTO_SHA256_HEX_SIZE];
	const char *p[1];
	struct db_res *res;
	enum err rc;

	if (!token_shape(token))
		return ERR_NOTFOUND;
	crypto_token_hash(token, strlen(token), hash);
	p[0] = hash;
	if ((rc = db_exec(db, a, sql_peek, 1, p, &res)) != ERR_OK)
		return rc;
	if (db_nrows(res) == 0)
		return ERR_NOTFOUND;
	*ws_name = db_get(res, 0, 0);
	*email = db_get(res, 0, 1);
	*user_out = db_get_int64(res, 0, 2, 0);
	return ERR_OK;
}

enum err
account_invite_accept(struct db *db, struct arena *a, const char *token,
    int64_t as_user, const char *password, int64_t *user_out,
    int64_t *ws_out, const char **why)
{
	char hash[CRYPTO_SHA256_HEX_SIZE], pwhash[CRYPTO_PASSWORD_HASH_SIZE];
	const char *p[3], *email, *role, *ws;
	size_t plen = password != NULL ? strlen(password) : 0;
	struct db_res *res;
	enum err rc;

	*why = NULL;
	if (!token_shape(token))
		return ERR_NOTFOUND;
	crypto_token_hash(token, strlen(token), hash);
	if ((rc = db_begin(db, a)) != ERR_OK)
		return rc;
	p[0] = hash;
	if ((rc = db_exec(db, a, sql_take, 1, p, &res)) != ERR_OK)
		goto out;
	if (db_nrows(res) == 0) {
		rc = ERR_NOTFOUND;
		goto out;
	}
	ws = db_get(res, 0, 0);
	email = db_get(res, 0, 1);
	role = db_get(res, 0, 2);
	p[0] = email;
	if ((rc = db_exec(db, a, sql_find_user, 1, p, &res)) != ERR_OK)
		goto out;
	if (db_nrows(res) > 0) {
		/* The account's owner, logged in: never a password here. */
		if (as_user <= 0 || db_get_int64(res, 0, 0, 0) != as_user) {
			*why = arena_printf(a, "Log in as %s first, then "
			    "accept the invitation.", email);
			rc = ERR_AUTH;
			goto out;
		}
		*user_out = as_user;
	} else {
		if (plen < ACCOUNT_PASSWORD_MIN || plen > LIMIT_PASSWORD) {
			*why = "Choose a password of at least 10 characters.";
			rc = ERR_INPUT;
			goto out;
		}
		if ((rc = crypto_password_hash(password, plen, pwhash)) !=
		    ERR_OK)
			goto out;
		p[0] = email;
		p[1] = pwhash;
		rc = db_exec(db, a, sql_user, 2, p, &res);
		crypto_cleanse(pwhash, sizeof(pwhash));
		if (rc != ERR_OK)
			goto out;
		*user_out = db_get_int64(res, 0, 0, 0);
	}
	p[0] = ws;
	p[1] = db_int64(a, *user_out);
	p[2] = role;
	if ((rc = db_exec(db, a, sql_join, 3, p, NULL)) != ERR_OK)
		goto out;
	*ws_out = strtoll(ws, NULL, 10);
	return db_commit(db, a);
out:
	db_rollback(db, a);
	return rc;
}

static const char sql_workspace_create[] =
	"SELECT sluice_workspace_create($1, $2)";

enum err
account_workspace_create(struct db *db, struct arena *a, const char *name,
    int64_t *ws_out)
{
	const char *p[2], *s;
	struct db_res *res;
	size_t n;
	enum err rc;

	if (name == NULL || (n = strlen(name)) == 0 || n > 200)
		return ERR_INPUT;
	for (s = name; *s == ' ' || *s == '\t'; s++)
		;
	if (*s == '\0')
		return ERR_INPUT;
	p[0] = name;
	p[1] = db_int64(a, LIMIT_WORKSPACES_OWNED);
	if ((rc = db_exec(db, a, sql_workspace_create, 2, p, &res)) != ERR_OK)
		return rc;
	if (db_get(res, 0, 0) == NULL)
		return ERR_CONFLICT;
	*ws_out = db_get_int64(res, 0, 0, 0);
	return ERR_OK;
}

enum err
account_set_digest(struct db *db, struct arena *a, int64_t ws,
    const char *email, bool subscribed)
{
	const char *p[3] = { db_int64(a, ws), email,
	    subscribed ? "t" : "f" };

	return db_exec(db, a, sql_digest, 3, p, NULL);
}

/* Only a zone PostgreSQL knows by name (not an abbreviation or offset). */
static const char sql_time_zone[] =
	"UPDATE workspaces SET time_zone = $2 WHERE id = $1 AND EXISTS "
	"(SELECT 1 FROM pg_timezone_names WHERE name = $2) RETURNING 1";

enum err
account_set_time_zone(struct db *db, struct arena *a, int64_t ws,
    const char *tz)
{
	const char *p[2] = { db_int64(a, ws), tz };
	struct db_res *res;
	enum err rc;

	if (tz == NULL || *tz == '\0' || strlen(tz) > 64)
		return ERR_INPUT;
	if ((rc = db_exec(db, a, sql_time_zone, 2, p, &res)) != ERR_OK)
		return rc;
	return db_nrows(res) == 1 ? ERR_OK : ERR_INPUT;
}

enum err
account_delete_data(struct db *db, struct arena *a, int64_t ws)
{
	const char *p[1] = { db_int64(a, ws) };
	size_t i;
	enum err rc;

	if ((rc = db_begin(db, a)) != ERR_OK)
		return rc;
	for (i = 0; i < nitems(sql_delete_data); i++)
		if ((rc = db_exec(db, a, sql_delete_data[i], 1, p, NULL)) !=
		    ERR_OK) {
			db_rollback(db, a);
			return rc;
		}
	return db_commit(db, a);
}
