/*
 * account.h — people and workspaces: setup, logins, memberships.
 *
 * First-run setup, login checks, memberships, invitations.  Passwords are
 * hashed with lib/crypto (scrypt) and never leave this module.  Strings
 * returned live in the caller's arena.
 */
#ifndef SLUICE_ACCOUNT_H
#define SLUICE_ACCOUNT_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"

struct arena;
struct db;

#define ACCOUNT_PASSWORD_MIN	10	/* characters */

/* Whether any user exists yet (setup is open only while none does). */
enum err	 account_any_user(struct db *, struct arena *, bool *out);

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
 * Looks an invite up without using it: ERR_OK with the workspace name,
 * the email and *user_out, the id of the account that email has (0 when
 * it has none); ERR_NOTFOUND when unknown, used or expired.
 */
enum err	 account_invite_peek(struct db *, struct arena *,
		    const char *token, const char **workspace_name,
		    const char **email, int64_t *user_out);

/*
 * Accepts an invite, in one transaction: adds the membership and uses
 * the invite up.  An email that has an account is accepted by that
 * account only, logged in: as_user must be its id, and no password is
 * checked here (ERR_AUTH otherwise, *why says to log in; nothing changes
 * and the invite stays usable).  An email without an account gets one
 * with the password given (ERR_INPUT, *why, when it is too short).
 * ERR_NOTFOUND when the invite is unknown, used or expired.
 */
enum err	 account_invite_accept(struct db *, struct arena *,
		    const char *token, int64_t as_user, const char *password,
		    int64_t *user_out, int64_t *workspace_out,
		    const char **why);

/*
 * Creates a workspace named name whose owner is the request's user, the
 * sluice.user_id of the request's tenant scope (lib/web/app.c; the SQL
 * function sluice_workspace_create() of sql/080_auth.sql).  ERR_INPUT
 * when the name is empty, blank or over 200 bytes; ERR_CONFLICT when the
 * user owns LIMIT_WORKSPACES_OWNED workspaces already.
 */
enum err	 account_workspace_create(struct db *, struct arena *,
		    const char *name, int64_t *workspace_out);

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
