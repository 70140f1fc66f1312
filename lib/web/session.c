/* session.c — hashed session ids, expiry, CSRF tokens, login throttle. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/arena.h"
#include "base/config.h"
#include "base/limit.h"
#include "crypto/crypto.h"
#include "store/db.h"
#include "store/throttle.h"
#include "web/req.h"
#include "web/resp.h"
#include "web/session.h"

static const char sql_member[] =
	"SELECT role FROM memberships WHERE user_id = $1 AND workspace_id = $2";
static const char sql_create[] =
	"INSERT INTO sessions (id_hash, user_id, workspace_id, csrf_secret, "
	"expires_at) VALUES (decode($1, 'hex'), $2, $3, decode($4, 'hex'), "
	"now() + make_interval(secs => $5))";
static const char sql_load[] =
	"SELECT s.user_id, s.workspace_id, u.email, m.role, w.name, "
	"encode(s.csrf_secret, 'hex'), "
	"s.last_seen_at < now() - make_interval(secs => $3) "
	"FROM sessions s JOIN users u ON u.id = s.user_id "
	"JOIN memberships m ON m.user_id = s.user_id "
	"AND m.workspace_id = s.workspace_id "
	"JOIN workspaces w ON w.id = s.workspace_id "
	"WHERE s.id_hash = decode($1, 'hex') AND s.expires_at > now() "
	"AND s.last_seen_at > now() - make_interval(secs => $2)";
static const char sql_touch[] =
	"UPDATE sessions SET last_seen_at = now() "
	"WHERE id_hash = decode($1, 'hex')";
static const char sql_destroy[] =
	"DELETE FROM sessions WHERE id_hash = decode($1, 'hex')";
static const char sql_switch[] =
	"UPDATE sessions SET workspace_id = $2 WHERE id_hash = decode($1, "
	"'hex') AND EXISTS (SELECT 1 FROM memberships WHERE user_id = $3 "
	"AND workspace_id = $2)";
/*
 * Login throttle: one attempt from the account's and the address's
 * counters, both in one statement (store/throttle.h).
 */
static const char sql_take[] = THROTTLE_TAKE_SQL("login_throttle",
	THROTTLE_KEY("'account:' || lower($1)", "$3", "$5") ", "
	THROTTLE_KEY("'addr:' || $2", "$4", "$5"));
static const char sql_gc[] = THROTTLE_GC_SQL("login_throttle");
/* One row per statement: a refund never holds two locks at once. */
static const char sql_refund_account[] =
	"UPDATE login_throttle SET attempts = attempts - 1 WHERE key_hash = "
	"sha256(convert_to('account:' || lower($1), 'UTF8')) AND attempts > 0 "
	"AND window_end > now()";
static const char sql_refund_addr[] =
	"UPDATE login_throttle SET attempts = attempts - 1 WHERE key_hash = "
	"sha256(convert_to('addr:' || $1, 'UTF8')) AND attempts > 0 "
	"AND window_end > now()";

const char *
session_cookie_name(bool https)
{
	return https ? "__Host-sluice" : "sluice";
}

/* The CSRF token of a hex secret. */
static const char *
csrf_token(struct arena *a, const char *secret_hex)
{
	unsigned char key[CRYPTO_SHA256_LEN], mac[CRYPTO_SHA256_LEN];
	size_t keylen = 0;
	char *out;

	if (crypto_hex_decode(secret_hex, strlen(secret_hex), key,
	    sizeof(key), &keylen) != ERR_OK)
		return "";
	crypto_hmac_sha256(key, keylen, "csrf", 4, mac);
	out = arena_alloc(a, CRYPTO_B64URL_LEN(sizeof(mac)) + 1);
	crypto_b64url_encode(mac, sizeof(mac), out);
	crypto_cleanse(key, sizeof(key));
	return out;
}

enum err
session_create(struct db *db, struct arena *a, int64_t user_id,
    int64_t workspace_id, const char **cookie_out)
{
	struct crypto_token tok;
	char secret[CRYPTO_TOKEN_HEX_SIZE];
	const char *p[5];
	struct db_res *res;
	enum err rc;

	p[0] = db_int64(a, user_id);
	p[1] = db_int64(a, workspace_id);
	if ((rc = db_exec(db, a, sql_member, 2, p, &res)) != ERR_OK)
		return rc;
	if (db_nrows(res) == 0)
		return ERR_FORBIDDEN;
	if ((rc = crypto_token_new(&tok)) != ERR_OK ||
	    (rc = crypto_random_hex(secret)) != ERR_OK)
		return rc;
	p[0] = tok.hash;
	p[1] = db_int64(a, user_id);
	p[2] = db_int64(a, workspace_id);
	p[3] = secret;
	p[4] = db_int64(a, LIMIT_SESSION_ABS_S);
	if ((rc = db_exec(db, a, sql_create, 5, p, NULL)) != ERR_OK)
		return rc;
	*cookie_out = arena_strdup(a, tok.token);
	crypto_cleanse(&tok, sizeof(tok));
	return ERR_OK;
}

enum err
session_load(struct db *db, struct arena *a, const char *cookie,
    struct session *out)
{
	char hash[CRYPTO_SHA256_HEX_SIZE];
	const char *p[3], *stale;
	struct db_res *res;
	size_t len;
	enum err rc;

	memset(out, 0, sizeof(*out));
	if (cookie == NULL || (len = strlen(cookie)) != CRYPTO_TOKEN_LEN)
		return ERR_AUTH;
	crypto_token_hash(cookie, len, hash);
	p[0] = hash;
	p[1] = db_int64(a, LIMIT_SESSION_IDLE_S);
	p[2] = db_int64(a, LIMIT_SESSION_TOUCH_S);
	if ((rc = db_exec_static(db, a, sql_load, 3, p, &res)) != ERR_OK)
		return rc;
	if (db_nrows(res) == 0)
		return ERR_AUTH;
	out->user_id = db_get_int64(res, 0, 0, 0);
	out->workspace_id = db_get_int64(res, 0, 1, 0);
	out->email = db_get(res, 0, 2);
	out->role = db_get(res, 0, 3);
	out->workspace_name = db_get(res, 0, 4);
	out->csrf = csrf_token(a, db_get(res, 0, 5));
	out->id_hash = arena_strdup(a, hash);
	stale = db_get(res, 0, 6);
	if (stale != NULL && strcmp(stale, "t") == 0)
		(void)db_exec_static(db, a, sql_touch, 1, p, NULL);
	return ERR_OK;
}

enum err
session_destroy(struct db *db, struct arena *a, const char *cookie)
{
	char hash[CRYPTO_SHA256_HEX_SIZE];
	const char *p[1];
	size_t len;

	if (cookie == NULL || (len = strlen(cookie)) > LIMIT_TOKEN_TEXT)
		return ERR_OK;
	crypto_token_hash(cookie, len, hash);
	p[0] = hash;
	return db_exec(db, a, sql_destroy, 1, p, NULL);
}

enum err
session_switch(struct db *db, struct arena *a, const struct session *s,
    int64_t workspace_id)
{
	const char *p[3];
	struct db_res *res;
	enum err rc;

	p[0] = s->id_hash;
	p[1] = db_int64(a, workspace_id);
	p[2] = db_int64(a, s->user_id);
	if ((rc = db_exec(db, a, sql_switch, 3, p, &res)) != ERR_OK)
		return rc;
	return db_changed(res) == 1 ? ERR_OK : ERR_FORBIDDEN;
}

bool
session_csrf_ok(const struct session *s, const char *token)
{
	size_t n;

	if (s == NULL || s->csrf == NULL || token == NULL)
		return false;
	n = strlen(s->csrf);
	if (n == 0 || strlen(token) != n)
		return false;
	return crypto_equal(s->csrf, token, n) != 0;
}

enum err
session_set_cookie(struct resp *r, bool https, const char *value)
{
	struct resp_cookie_opts o = { 0, https, false, "Lax" };

	return resp_cookie(r, session_cookie_name(https), value, &o);
}

enum err
session_clear_cookie(struct resp *r, bool https)
{
	struct resp_cookie_opts o = { -1, https, false, "Lax" };

	return resp_cookie(r, session_cookie_name(https), "", &o);
}

static const char *
pre_cookie_name(bool https)
{
	return https ? "__Host-sluice_pre" : "sluice_pre";
}

#define PRE_LABEL	"sluice-pre-session-v1"
#define PRE_NONCE	16	/* random bytes of a token */
#define PRE_EXP_LEN	10	/* digits of its expiry (Unix seconds) */
#define PRE_LEN		(PRE_EXP_LEN + 1 + CRYPTO_B64URL_LEN(PRE_NONCE) + 1 + \
			    CRYPTO_B64URL_LEN(CRYPTO_SHA256_LEN))

/* The signing key of pre-session tokens, from the configured secrets. */
static bool
pre_key(const struct config *cfg, unsigned char *key)
{
	const char *spec = cfg->encryption_keys, *end;

	while (*spec == ' ' || *spec == '\t')
		spec++;
	if ((end = strchr(spec, ',')) == NULL)
		end = spec + strlen(spec);
	while (end > spec && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if (end == spec) {
		spec = cfg->cron_secret;
		end = spec + strlen(spec);
	}
	if (end == spec)
		return false;
	crypto_hmac_sha256(spec, (size_t)(end - spec), PRE_LABEL,
	    strlen(PRE_LABEL), key);
	return true;
}

/* The mac of "<expiry>.<nonce>" (the first len bytes of t) into out. */
static bool
pre_mac(const struct config *cfg, const char *t, size_t len,
    char out[CRYPTO_B64URL_LEN(CRYPTO_SHA256_LEN) + 1])
{
	unsigned char key[CRYPTO_SHA256_LEN], mac[CRYPTO_SHA256_LEN];

	if (!pre_key(cfg, key))
		return false;
	crypto_hmac_sha256(key, sizeof(key), t, len, mac);
	crypto_b64url_encode(mac, sizeof(mac), out);
	crypto_cleanse(key, sizeof(key));
	return true;
}

enum err
session_pre_new(struct resp *r, const struct config *cfg, bool https,
    const char **out)
{
	struct resp_cookie_opts o = { LIMIT_PRE_SESSION_S, https, false,
	    "Strict" };
	unsigned char nonce[PRE_NONCE];
	char *tok, mac[CRYPTO_B64URL_LEN(CRYPTO_SHA256_LEN) + 1];
	size_t n;
	enum err rc;

	tok = arena_alloc(r->arena, PRE_LEN + 1);
	if ((rc = crypto_random(nonce, sizeof(nonce))) != ERR_OK)
		return rc;
	n = (size_t)snprintf(tok, PRE_LEN + 1, "%0*lld.", PRE_EXP_LEN,
	    (long long)time(NULL) + LIMIT_PRE_SESSION_S);
	n += crypto_b64url_encode(nonce, sizeof(nonce), tok + n);
	if (!pre_mac(cfg, tok, n, mac))
		return ERR_UNAVAILABLE;
	tok[n++] = '.';
	memcpy(tok + n, mac, sizeof(mac));
	*out = tok;
	return resp_cookie(r, pre_cookie_name(https), tok, &o);
}

bool
session_pre_ok(const struct req *r, const struct config *cfg, bool https,
    const char *form_value)
{
	const char *cookie = req_cookie(r, pre_cookie_name(https)), *site;
	char mac[CRYPTO_B64URL_LEN(CRYPTO_SHA256_LEN) + 1];
	size_t head = PRE_EXP_LEN + 1 + CRYPTO_B64URL_LEN(PRE_NONCE);
	long long exp, now = (long long)time(NULL);

	/* A browser that says the form came from another site. */
	site = req_header(r, "sec-fetch-site");
	if (site != NULL && strcmp(site, "same-origin") != 0 &&
	    strcmp(site, "none") != 0)
		return false;
	if (cookie == NULL || form_value == NULL ||
	    strlen(cookie) != PRE_LEN || strlen(form_value) != PRE_LEN ||
	    !crypto_equal(cookie, form_value, PRE_LEN) ||
	    strspn(cookie, "0123456789") != PRE_EXP_LEN ||
	    cookie[PRE_EXP_LEN] != '.' || cookie[head] != '.')
		return false;
	if (!pre_mac(cfg, cookie, head, mac) ||
	    !crypto_equal(mac, cookie + head + 1, sizeof(mac) - 1))
		return false;
	exp = strtoll(cookie, NULL, 10);
	return exp > now && exp <= now + LIMIT_PRE_SESSION_S;
}

enum err
session_login_take(struct db *db, struct arena *a, const char *email,
    const char *addr, int *retry_after)
{
	const char *p[5];
	struct db_res *res;
	int64_t wait;
	enum err rc;

	*retry_after = 0;
	(void)db_exec(db, a, sql_gc, 0, NULL, NULL);
	p[0] = email;
	p[1] = addr;
	p[2] = db_int64(a, LIMIT_LOGIN_ACCOUNT);
	p[3] = db_int64(a, LIMIT_LOGIN_ADDR);
	p[4] = db_int64(a, LIMIT_LOGIN_WINDOW_S);
	if ((rc = db_exec(db, a, sql_take, 5, p, &res)) != ERR_OK)
		return rc;
	if ((wait = db_get_int64(res, 0, 0, 0)) <= 0)
		return ERR_OK;
	*retry_after = wait > LIMIT_LOGIN_WINDOW_S ? LIMIT_LOGIN_WINDOW_S :
	    (int)wait;
	return ERR_RATELIMIT;
}

enum err
session_login_refund(struct db *db, struct arena *a, const char *email,
    const char *addr)
{
	enum err rc;

	if ((rc = db_exec(db, a, sql_refund_account, 1, &email, NULL)) !=
	    ERR_OK)
		return rc;
	return db_exec(db, a, sql_refund_addr, 1, &addr, NULL);
}
