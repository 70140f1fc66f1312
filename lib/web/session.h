/*
 * session.h — browser sessions and the CSRF tokens bound to them.
 *
 * The cookie holds 256 random bits (base64url); the database holds only
 * their SHA-256, with an idle and an absolute expiry.  A session is made
 * at login (a fresh id: rotation) and deleted at logout.  Each session has
 * a random CSRF secret; the form token is HMAC-SHA256(secret, "csrf"), so
 * a token is valid for exactly one session.  Everything returned lives in
 * the caller's arena.
 */
#ifndef SLUICE_SESSION_H
#define SLUICE_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"

struct arena;
struct config;
struct db;
struct req;
struct resp;

struct session {
	int64_t		 user_id;
	int64_t		 workspace_id;
	const char	*email;
	const char	*role;		/* owner, admin, viewer */
	const char	*workspace_name;
	const char	*id_hash;	/* hex SHA-256 of the cookie */
	const char	*csrf;		/* the form token */
};

/* The cookie's name: "__Host-sluice" over https, else "sluice". */
const char	*session_cookie_name(bool https);

/*
 * Starts a session for a member of a workspace.  *cookie_out is the value
 * to set (arena-owned).  ERR_FORBIDDEN when the user is not a member;
 * database errors as db_exec() returns them.
 */
enum err	 session_create(struct db *, struct arena *, int64_t user_id,
		    int64_t workspace_id, const char **cookie_out);

/*
 * Looks the cookie value up.  ERR_OK with *out filled; ERR_AUTH when it
 * is unknown, malformed or expired (idle or absolute), or the membership
 * is gone.  Refreshes last_seen_at at most every LIMIT_SESSION_TOUCH_S.
 */
enum err	 session_load(struct db *, struct arena *, const char *cookie,
		    struct session *out);

/* Deletes the session of this cookie value (no error if none). */
enum err	 session_destroy(struct db *, struct arena *,
		    const char *cookie);

/*
 * Moves the session to another workspace the user belongs to; ERR_FORBIDDEN
 * when not a member.  Works in a request's tenant scope (role sluice_web):
 * sql/080_auth.sql lets a user move their own session to a workspace of
 * theirs only.
 */
enum err	 session_switch(struct db *, struct arena *,
		    const struct session *, int64_t workspace_id);

/* True when token is this session's CSRF token (constant time). */
bool		 session_csrf_ok(const struct session *, const char *token);

/* Sets or clears the session cookie on the response. */
enum err	 session_set_cookie(struct resp *, bool https,
		    const char *value);
enum err	 session_clear_cookie(struct resp *, bool https);

/*
 * Pre-session CSRF for the forms shown before anyone is logged in (setup,
 * login, choosing a password through an invitation): a token set in a
 * SameSite=Strict cookie and repeated in the form (double submit), and
 * signed: "<expiry>.<nonce>.<mac>", the mac an HMAC-SHA256 of expiry and
 * nonce under a key derived from the configuration's secrets (the first
 * SLUICE_ENCRYPTION_KEYS entry, else SLUICE_CRON_SECRET), valid
 * LIMIT_PRE_SESSION_S.  A value someone else planted in the cookie and the
 * form therefore passes only if this server made it, recently.
 * session_pre_new() sets the cookie and gives the token (arena-owned);
 * ERR_UNAVAILABLE when no secret is configured.  session_pre_ok() is true
 * when the form value equals the cookie, the mac is right (constant
 * time), the token has not expired, and the browser did not say the
 * request came from another site (Sec-Fetch-Site).
 */
enum err	 session_pre_new(struct resp *, const struct config *,
		    bool https, const char **out);
bool		 session_pre_ok(const struct req *, const struct config *,
		    bool https, const char *form_value);

/*
 * Login throttle, taken before a password is checked: one attempt from
 * the account's counter (LIMIT_LOGIN_ACCOUNT per LIMIT_LOGIN_WINDOW_S,
 * whatever the address) and one from the client address's
 * (LIMIT_LOGIN_ADDR; config_client_addr() says which address), in one
 * statement.  Concurrent attempts queue on the counters' rows, so no more
 * attempts than the limit ever reach the password check.  A window is
 * fixed from its first attempt.  ERR_OK: check the password, and call
 * session_login_refund() when it was right; ERR_RATELIMIT with
 * *retry_after, the seconds until the spent window ends; database errors
 * as db_exec() returns them.  The database keeps only hashes of the
 * email and address.
 */
enum err	 session_login_take(struct db *, struct arena *,
		    const char *email, const char *addr, int *retry_after);

/* Gives back the attempt session_login_take() took: the password was
 * right, so it counts against neither limit. */
enum err	 session_login_refund(struct db *, struct arena *,
		    const char *email, const char *addr);

#endif
