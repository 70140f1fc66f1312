/* account.c — users, workspaces and memberships. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/limit.h"
#include "base/mem.h"
#include "base/utf8.h"
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

const char *
account_name_problem(const char *name, size_t max)
{
	const unsigned char *s = (const unsigned char *)name;
	size_t n, len, i;
	long c;

	if (name == NULL || (n = strlen(name)) == 0 ||
	    strspn(name, " ") == n)
		return "The name must not be empty.";
	if (n > max)
		return "The name is too long.";
	for (i = 0; i < n; i += len) {
		if ((c = utf8_next(s + i, n - i, &len)) < 0)
			return "The name is not valid UTF-8 text.";
		if (utf8_hides(c))
			return "The name must not contain control characters "
			    "(line breaks, tabs, escapes), invisible ones or "
			    "characters that change the direction of text.";
	}
	return NULL;
}

char *
account_name_plain(struct arena *a, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strlen(s), i, len, o = 0;
	char *out = arena_alloc(a, n + 1);
	long c;

	for (i = 0; i < n; i += len) {
		c = utf8_next(u + i, n - i, &len);
		if (c >= 0 && !utf8_hides(c)) {
			memcpy(out + o, s + i, len);
			o += len;
		}
	}
	out[o] = '\0';
	return out;
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
	if (wlen == 0 || wlen > LIMIT_WORKSPACE_NAME) {
		*why = "Give the workspace a name of up to 200 characters.";
		return ERR_INPUT;
	}
	if ((*why = account_name_problem(workspace, LIMIT_WORKSPACE_NAME)) !=
	    NULL)
		return ERR_INPUT;
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
	if (db_nrows(res) == 0) {
		/* The same work as a real check: no timing oracle. */
		(void)crypto_password_verify_none(password, plen);
		return ERR_AUTH;
	}
	stored = db_get(res, 0, 1);
	if (crypto_password_verify(stored, password, plen) != ERR_OK)
		return ERR_AUTH;
	*user_out = db_get_int64(res, 0, 0, 0);
	*workspace_out = db_get_int64(res, 0, 2, 0);
	if (db_get(res, 0, 2) == NULL)
		return ERR_NOTFOUND;	/* removed from every workspace */
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
	"DELETE FROM reviews WHERE workspace_id = $1",
	"DELETE FROM content WHERE workspace_id = $1",	/* and its metrics */
	"DELETE FROM sync_runs WHERE workspace_id = $1",
	"DELETE FROM sync_accounts WHERE workspace_id = $1",
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

#define UTC_MINUTE(col) \
	"to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI \"UTC\"')"
static const char sql_invites[] =
	"SELECT coalesce(json_agg(json_build_object('id', i.id, 'email', "
	"i.email, 'role', i.role, 'invited_by', u.email, 'created', "
	UTC_MINUTE("i.created_at") ", 'expires', "
	UTC_MINUTE("i.expires_at") ") ORDER BY i.created_at DESC, "
	"i.id DESC), '[]') FROM invites i LEFT JOIN users u ON "
	"u.id = i.invited_by WHERE i.workspace_id = $1 AND "
	"i.used_at IS NULL AND i.expires_at > now()";
static const char sql_invite_revoke[] =
	"DELETE FROM invites WHERE workspace_id = $1 AND id = $2 AND "
	"used_at IS NULL AND expires_at > now()";

enum err
account_invites_json(struct db *db, struct arena *a, int64_t ws,
    const char **out)
{
	enum err rc;

	*out = one_json(db, a, sql_invites, ws, &rc);
	return rc;
}

enum err
account_invite_revoke(struct db *db, struct arena *a, int64_t ws,
    int64_t id)
{
	const char *p[2] = { db_int64(a, ws), db_int64(a, id) };
	struct db_res *res;
	enum err rc;

	if ((rc = db_exec(db, a, sql_invite_revoke, 2, p, &res)) != ERR_OK)
		return rc;
	return db_changed(res) == 1 ? ERR_OK : ERR_NOTFOUND;
}

/*
 * Members.  Every change locks the workspace's row first, so two owners
 * removing each other at once are serialised and the second finds the
 * first gone: a workspace always keeps an owner.
 */
static const char sql_ws_lock[] =
	"SELECT 1 FROM workspaces WHERE id = $1 FOR NO KEY UPDATE";
static const char sql_member_role[] =
	"SELECT m.role, (SELECT count(*) FROM memberships o WHERE "
	"o.workspace_id = $1 AND o.role = 'owner') FROM memberships m "
	"WHERE m.workspace_id = $1 AND m.user_id = $2";
/* What a member leaves behind goes with them: their invitations still
 * pending too (a removed admin's invitation must not let them back in). */
static const char sql_drop_invites[] =
	"DELETE FROM invites WHERE workspace_id = $1 AND invited_by = $2 AND "
	"used_at IS NULL";
static const char *const sql_remove[] = {
	"DELETE FROM memberships WHERE workspace_id = $1 AND user_id = $2",
	"DELETE FROM sessions WHERE workspace_id = $1 AND user_id = $2",
	"DELETE FROM oauth_states WHERE workspace_id = $1 AND user_id = $2",
	"UPDATE api_keys SET revoked_at = now() WHERE workspace_id = $1 AND "
	    "created_by = $2 AND revoked_at IS NULL",
	sql_drop_invites,
};
static const char sql_set_role[] =
	"UPDATE memberships SET role = $3 WHERE workspace_id = $1 AND "
	"user_id = $2";
static const char sql_revoke_admin_keys[] =
	"UPDATE api_keys SET revoked_at = now() WHERE workspace_id = $1 AND "
	"created_by = $2 AND role = 'admin' AND revoked_at IS NULL";

/*
 * Begins a member change: locks the workspace, finds the member's role
 * and applies the rules of account_member_remove().  On ERR_OK the
 * transaction is open; on error it is rolled back.
 */
static enum err
member_begin(struct db *db, struct arena *a, const char *p[2],
    const char *by_role, const char **role_out, const char **why)
{
	struct db_res *res;
	enum err rc;

	*why = NULL;
	if ((rc = db_begin(db, a)) != ERR_OK)
		return rc;
	if ((rc = db_exec(db, a, sql_ws_lock, 1, p, NULL)) != ERR_OK ||
	    (rc = db_exec(db, a, sql_member_role, 2, p, &res)) != ERR_OK)
		goto out;
	if (db_nrows(res) == 0) {
		rc = ERR_NOTFOUND;
		goto out;
	}
	*role_out = db_get(res, 0, 0);
	if (strcmp(*role_out, "owner") == 0 && (by_role == NULL ||
	    strcmp(by_role, "owner") != 0)) {
		*why = "Only an owner can remove an owner or change their "
		    "role.";
		rc = ERR_FORBIDDEN;
		goto out;
	}
	if (strcmp(*role_out, "owner") == 0 && db_get_int64(res, 0, 1, 0) <=
	    1) {
		*why = "This is the workspace's only owner: make another "
		    "member an owner first.";
		rc = ERR_CONFLICT;
		goto out;
	}
	return ERR_OK;
out:
	db_rollback(db, a);
	return rc;
}

enum err
account_member_remove(struct db *db, struct arena *a, int64_t ws,
    const char *by_role, int64_t user, const char **why)
{
	const char *p[2] = { db_int64(a, ws), db_int64(a, user) }, *role;
	size_t i;
	enum err rc;

	if ((rc = member_begin(db, a, p, by_role, &role, why)) != ERR_OK)
		return rc;
	for (i = 0; i < nitems(sql_remove); i++)
		if ((rc = db_exec(db, a, sql_remove[i], 2, p, NULL)) !=
		    ERR_OK) {
			db_rollback(db, a);
			return rc;
		}
	return db_commit(db, a);
}

enum err
account_member_role(struct db *db, struct arena *a, int64_t ws,
    const char *by_role, int64_t user, const char *role, const char **why)
{
	const char *p[3] = { db_int64(a, ws), db_int64(a, user), role },
	    *was;
	enum err rc;

	*why = NULL;
	if (role == NULL || (strcmp(role, "admin") != 0 &&
	    strcmp(role, "viewer") != 0)) {
		*why = "Choose admin or viewer.";
		return ERR_INPUT;
	}
	if ((rc = member_begin(db, a, p, by_role, &was, why)) != ERR_OK)
		return rc;
	if ((rc = db_exec(db, a, sql_set_role, 3, p, NULL)) != ERR_OK ||
	    (strcmp(role, "viewer") == 0 && ((rc = db_exec(db, a,
	    sql_revoke_admin_keys, 2, p, NULL)) != ERR_OK ||
	    (rc = db_exec(db, a, sql_drop_invites, 2, p, NULL)) != ERR_OK))) {
		db_rollback(db, a);
		return rc;
	}
	return db_commit(db, a);
}

static const char sql_password_of[] =
	"SELECT password_hash FROM users WHERE id = $1";
static const char sql_password_set[] =
	"UPDATE users SET password_hash = $2 WHERE id = $1";
static const char sql_other_sessions[] =
	"DELETE FROM sessions WHERE user_id = $1 AND id_hash <> "
	"decode($2, 'hex')";
/* A new password ends the reset links asked for before it. */
static const char sql_links_end[] =
	"UPDATE password_resets SET used_at = now() WHERE user_id = $1 AND "
	"used_at IS NULL";

enum err
account_password_change(struct db *db, struct arena *a, int64_t user,
    const char *current, const char *new_pw, const char *keep,
    const char **why)
{
	char hash[CRYPTO_PASSWORD_HASH_SIZE];
	const char *p[2];
	struct db_res *res;
	size_t clen = current != NULL ? strlen(current) : 0;
	size_t nlen = new_pw != NULL ? strlen(new_pw) : 0;
	enum err rc;

	*why = NULL;
	p[0] = db_int64(a, user);
	if (clen > LIMIT_PASSWORD)
		return ERR_AUTH;
	if ((rc = db_exec(db, a, sql_password_of, 1, p, &res)) != ERR_OK)
		return rc;
	if (db_nrows(res) == 0) {
		(void)crypto_password_verify_none(current != NULL ? current :
		    "", clen);
		return ERR_AUTH;
	}
	if (crypto_password_verify(db_get(res, 0, 0), current != NULL ?
	    current : "", clen) != ERR_OK)
		return ERR_AUTH;
	if (nlen < ACCOUNT_PASSWORD_MIN || nlen > LIMIT_PASSWORD) {
		*why = "The new password needs at least 10 characters.";
		return ERR_INPUT;
	}
	if ((rc = crypto_password_hash(new_pw, nlen, hash)) != ERR_OK)
		return rc;
	if ((rc = db_begin(db, a)) != ERR_OK)
		goto out;
	p[1] = hash;
	if ((rc = db_exec(db, a, sql_password_set, 2, p, NULL)) == ERR_OK) {
		p[1] = keep;
		rc = db_exec(db, a, sql_other_sessions, 2, p, NULL);
	}
	if (rc == ERR_OK)
		rc = db_exec(db, a, sql_links_end, 1, p, NULL);
	if (rc == ERR_OK)
		rc = db_commit(db, a);
	else
		db_rollback(db, a);
out:
	crypto_cleanse(hash, sizeof(hash));
	return rc;
}

static const char sql_workspace_create[] =
	"SELECT sluice_workspace_create($1, $2)";

enum err
account_workspace_create(struct db *db, struct arena *a, const char *name,
    int64_t *ws_out, const char **why)
{
	const char *p[2];
	struct db_res *res;
	enum err rc;

	if ((*why = account_name_problem(name, LIMIT_WORKSPACE_NAME)) != NULL)
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

/* The zones a person picks from: the IANA names, without tzdata's
 * posix/ and right/ copies of them and its files that are no place
 * (Factory, posixrules, localtime). */
static const char sql_yesterday[] =
	"SELECT to_char((now() AT TIME ZONE time_zone)::date - 1, "
	"'YYYY-MM-DD') || ' (' || time_zone || ')' FROM workspaces WHERE "
	"id = $1";
static const char sql_time_zones[] =
	"SELECT coalesce(json_agg(name ORDER BY name), '[]') FROM "
	"pg_timezone_names WHERE name !~ '^(posix|right)/' AND name NOT IN "
	"('localtime', 'Factory', 'posixrules')";

enum err
account_time_zones(struct db *db, struct arena *a, const char **out)
{
	return db_value(db, a, sql_time_zones, 0, NULL, out);
}

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
account_yesterday(struct db *db, struct arena *a, int64_t ws,
    const char **out)
{
	const char *p[1] = { db_int64(a, ws) };
	enum err rc;

	if ((rc = db_value_static(db, a, sql_yesterday, 1, p, out)) != ERR_OK)
		return rc;
	return *out != NULL ? ERR_OK : ERR_NOTFOUND;
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

/* --- password reset links ------------------------------------------ */

/* Links asked for in the window by the address and by the client, and
 * how long until the oldest of the fuller count leaves it. */
/* Requests take turns (few, and never on a hot path). */
static const char sql_reset_lock[] =
	"LOCK TABLE password_resets IN SHARE ROW EXCLUSIVE MODE";
static const char sql_reset_counts[] =
	"WITH a AS (SELECT created_at FROM password_resets WHERE email = "
	"lower($1) AND created_at > now() - make_interval(secs => $3)), c AS "
	"(SELECT created_at FROM password_resets WHERE client_addr = $2 AND "
	"created_at > now() - make_interval(secs => $3)) SELECT (SELECT "
	"count(*) FROM a), (SELECT count(*) FROM c), ceil(extract(epoch FROM "
	"greatest((SELECT min(created_at) FROM a), (SELECT min(created_at) "
	"FROM c)) + make_interval(secs => $3) - now()))::int";
/* The link of the account with that address; a request for an address
 * without one is recorded all the same (user NULL).  Day-old rows go. */
static const char sql_reset_new[] =
	"WITH old AS (DELETE FROM password_resets WHERE created_at < now() - "
	"interval '1 day') INSERT INTO password_resets (token_hash, user_id, "
	"email, client_addr, expires_at) VALUES (decode($1, 'hex'), (SELECT "
	"id FROM users WHERE lower(email) = lower($2)), lower($2), $3, now() "
	"+ make_interval(secs => $4)) RETURNING (SELECT email FROM users u "
	"WHERE u.id = user_id)";
static const char sql_reset_peek[] =
	"SELECT u.email FROM password_resets r JOIN users u ON u.id = "
	"r.user_id WHERE r.token_hash = decode($1, 'hex') AND r.used_at IS "
	"NULL AND r.expires_at > now()";
static const char sql_reset_take[] =
	"UPDATE password_resets SET used_at = now() WHERE token_hash = "
	"decode($1, 'hex') AND used_at IS NULL AND expires_at > now() AND "
	"user_id IS NOT NULL RETURNING user_id";
static const char *const sql_reset_after[] = {
	"DELETE FROM sessions WHERE user_id = $1",
	"UPDATE password_resets SET used_at = now() WHERE user_id = $1 AND "
	    "used_at IS NULL",
};

enum err
account_reset_request(struct db *db, struct arena *a, const char *email,
    const char *client, const char **token_out, const char **to_out,
    int *retry_s)
{
	struct crypto_token tok;
	const char *p[4];
	struct db_res *res, *made = NULL;
	bool begun = false;
	enum err rc;

	*token_out = *to_out = NULL;
	*retry_s = 0;
	if (email == NULL || !email_ok(email))
		return ERR_INPUT;
	if ((rc = crypto_token_new(&tok)) != ERR_OK)
		return rc;
	/* Counted and recorded under one lock: concurrent requests take
	 * turns, so none slips past the bounds. */
	if ((rc = db_begin(db, a)) != ERR_OK)
		goto out;
	begun = true;
	p[0] = email;
	p[1] = client;
	p[2] = db_int64(a, LIMIT_RESET_WINDOW_S);
	if ((rc = db_exec(db, a, sql_reset_lock, 0, NULL, NULL)) != ERR_OK ||
	    (rc = db_exec(db, a, sql_reset_counts, 3, p, &res)) != ERR_OK)
		goto out;
	if (db_get_int64(res, 0, 0, 0) >= LIMIT_RESET_ACCOUNT ||
	    db_get_int64(res, 0, 1, 0) >= LIMIT_RESET_CLIENT) {
		*retry_s = (int)db_get_int64(res, 0, 2, LIMIT_RESET_WINDOW_S);
		if (*retry_s < 1)
			*retry_s = 1;
		rc = ERR_RATELIMIT;
		goto out;
	}
	p[0] = tok.hash;
	p[1] = email;
	p[2] = client;
	p[3] = db_int64(a, LIMIT_RESET_VALID_S);
	rc = db_exec(db, a, sql_reset_new, 4, p, &made);
out:
	if (begun && rc == ERR_OK)
		rc = db_commit(db, a);
	else if (begun)
		db_rollback(db, a);
	if (rc == ERR_OK && db_get(made, 0, 0) != NULL) {
		*to_out = db_get(made, 0, 0);
		*token_out = arena_strdup(a, tok.token);
	}
	crypto_cleanse(&tok, sizeof(tok));
	return rc;
}

enum err
account_reset_peek(struct db *db, struct arena *a, const char *token,
    const char **email)
{
	char hash[CRYPTO_SHA256_HEX_SIZE];
	const char *p[1] = { hash };
	struct db_res *res;
	enum err rc;

	*email = NULL;
	if (!token_shape(token))
		return ERR_NOTFOUND;
	crypto_token_hash(token, strlen(token), hash);
	if ((rc = db_exec(db, a, sql_reset_peek, 1, p, &res)) != ERR_OK)
		return rc;
	if (db_nrows(res) == 0)
		return ERR_NOTFOUND;
	*email = db_get(res, 0, 0);
	return ERR_OK;
}

enum err
account_reset_use(struct db *db, struct arena *a, const char *token,
    const char *password, int64_t *user_out, const char **why)
{
	char hash[CRYPTO_SHA256_HEX_SIZE], pw[CRYPTO_PASSWORD_HASH_SIZE];
	const char *p[2];
	struct db_res *res;
	size_t n = password != NULL ? strlen(password) : 0, i;
	enum err rc;

	*why = NULL;
	*user_out = 0;
	if (!token_shape(token))
		return ERR_NOTFOUND;
	if (n < ACCOUNT_PASSWORD_MIN || n > LIMIT_PASSWORD) {
		*why = n > LIMIT_PASSWORD ? "That password is too long." :
		    "The new password needs at least 10 characters.";
		return ERR_INPUT;
	}
	crypto_token_hash(token, strlen(token), hash);
	if ((rc = crypto_password_hash(password, n, pw)) != ERR_OK)
		return rc;
	if ((rc = db_begin(db, a)) != ERR_OK)
		goto out;
	p[0] = hash;
	if ((rc = db_exec(db, a, sql_reset_take, 1, p, &res)) == ERR_OK &&
	    db_nrows(res) == 0)
		rc = ERR_NOTFOUND;
	if (rc == ERR_OK) {
		*user_out = db_get_int64(res, 0, 0, 0);
		p[0] = db_get(res, 0, 0);
		p[1] = pw;
		rc = db_exec(db, a, sql_password_set, 2, p, NULL);
	}
	for (i = 0; rc == ERR_OK && i < nitems(sql_reset_after); i++)
		rc = db_exec(db, a, sql_reset_after[i], 1, p, NULL);
	if (rc == ERR_OK)
		rc = db_commit(db, a);
	else
		db_rollback(db, a);
out:
	crypto_cleanse(pw, sizeof(pw));
	return rc;
}
