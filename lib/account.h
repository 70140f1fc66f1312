/*
 * account.h — people and workspaces: first-run setup, login checks,
 * memberships.  Passwords are hashed with lib/crypto (scrypt) and never
 * leave this module.  Strings returned live in the caller's arena.
 */
#ifndef SLUICE_ACCOUNT_H
#define SLUICE_ACCOUNT_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"

struct arena;
struct db;

#define ACCOUNT_PASSWORD_MIN	10	/* characters */

/* Whether any user exists yet (setup is open only while none does). */
enum err	 account_any_user(struct db *, struct arena *, bool *out);

/*
 * Checks the shape of an email (one '@', a dot after it, no spaces or
 * control characters, at most 320 bytes).
 */
bool		 account_email_ok(const char *);

/*
 * Creates the first user, the first workspace and the owner membership,
 * atomically.  ERR_CONFLICT when a user exists already (setup is over);
 * ERR_INPUT when a field is invalid (*why says which, for the form).
 */
enum err	 account_setup(struct db *, struct arena *, const char *email,
		    const char *password, const char *workspace,
		    int64_t *user_out, int64_t *workspace_out,
		    const char **why);

/*
 * Checks an email and password.  ERR_OK with the user and the workspace
 * to open (the first they joined); ERR_AUTH otherwise, in about the same
 * time whether or not the email exists.
 */
enum err	 account_authenticate(struct db *, struct arena *,
		    const char *email, const char *password,
		    int64_t *user_out, int64_t *workspace_out);

/* The workspace's members as JSON text [{user_id, email, role, since,
 * digest}] (digest: subscribed to the weekly email), arena-owned. */
enum err	 account_members_json(struct db *, struct arena *,
		    int64_t workspace_id, const char **out);

/* The user's workspaces as JSON text [{id, name, role, time_zone}]. */
enum err	 account_workspaces_json(struct db *, struct arena *,
		    int64_t user_id, const char **out);

/*
 * Invites an email to the workspace with a role (admin or viewer): a
 * one-time token valid 7 days, stored hashed; *token_out goes in the link
 * shown once to the inviter.  ERR_INPUT for a bad email or role;
 * ERR_CONFLICT when that email is already a member.
 */
enum err	 account_invite(struct db *, struct arena *, int64_t workspace_id,
		    int64_t invited_by, const char *email, const char *role,
		    const char **token_out);

/*
 * Looks an invite up without using it: ERR_OK with the workspace name and
 * email, ERR_NOTFOUND when unknown, used or expired.
 */
enum err	 account_invite_peek(struct db *, struct arena *,
		    const char *token, const char **workspace_name,
		    const char **email, bool *user_exists);

/*
 * Accepts an invite: makes the account (when the email has none, with
 * the password given) or checks the existing account's password, adds the
 * membership and uses the invite up, in one transaction.  ERR_NOTFOUND
 * (unknown, used, expired), ERR_AUTH (wrong password), ERR_INPUT (*why).
 */
enum err	 account_invite_accept(struct db *, struct arena *,
		    const char *token, const char *password,
		    int64_t *user_out, int64_t *workspace_out,
		    const char **why);

/* Sets the user's weekly digest subscription in a workspace. */
enum err	 account_set_digest(struct db *, struct arena *,
		    int64_t workspace_id, const char *email, bool subscribed);

/*
 * Sets the workspace's time zone (its days, weeks and digest periods) to
 * tz, an IANA name PostgreSQL knows (Europe/Paris).  ERR_INPUT when it is
 * empty, too long or unknown; nothing changes then.
 */
enum err	 account_set_time_zone(struct db *, struct arena *,
		    int64_t workspace_id, const char *tz);

/* Deletes the workspace's synced data (metrics, messages, sync history). */
enum err	 account_delete_data(struct db *, struct arena *,
		    int64_t workspace_id);

#endif
