/* account.c — users, workspaces and memberships. */
#include <ctype.h>
#include <string.h>

#include "account.h"
#include "arena.h"
#include "crypto.h"
#include "db.h"
#include "limit.h"

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

bool
account_email_ok(const char *s)
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
	if (!account_email_ok(email)) {
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
		goto fail;
	if (any) {
		rc = ERR_CONFLICT;
		goto fail;
	}
	p[0] = email;
	p[1] = hash;
	if ((rc = db_exec(db, a, sql_user, 2, p, &res)) != ERR_OK)
		goto fail;
	*user_out = db_get_int64(res, 0, 0, 0);
	p[0] = workspace;
	if ((rc = db_exec(db, a, sql_workspace, 1, p, &res)) != ERR_OK)
		goto fail;
	*workspace_out = db_get_int64(res, 0, 0, 0);
	p[0] = arena_printf(a, "%lld", (long long)*workspace_out);
	p[1] = arena_printf(a, "%lld", (long long)*user_out);
	p[2] = "owner";
	if ((rc = db_exec(db, a, sql_member, 3, p, NULL)) != ERR_OK)
		goto fail;
	crypto_cleanse(hash, sizeof(hash));
	return db_commit(db, a);
fail:
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
