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
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct arena;
struct db;

#define ACCOUNT_PASSWORD_MIN	10	/* characters */

/* Whether any user exists yet (setup is open only while none does). */
enum err	 account_any_user(struct db *, struct arena *, bool *out);

/*
 * Checks a name a person types (a workspace's, an API key's): valid
 * UTF-8 of 1 to max bytes, not only spaces, and none of the characters
 * that break a line or hide and reorder text: C0 and C1 controls, DEL,
 * U+2028 and U+2029, the bidirectional embeddings and overrides
 * (U+202A..U+202E) and isolates (U+2066..U+2069).  NULL when the name is
 * fine, else a sentence saying what is wrong (static storage).
 */
const char	*account_name_problem(const char *name, size_t max);

/*
 * A copy of s without the characters account_name_problem() refuses (and
 * without bytes that are not UTF-8), in the arena: for a name stored
 * before names were checked, where a line break or a reordering does
 * harm (a mail's Subject).
 */
char		*account_name_plain(struct arena *, const char *s);

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
 * to open (the first they joined); ERR_NOTFOUND with the user (and
 * *workspace_out 0) when the password is right but the person belongs to
 * no workspace any more; ERR_AUTH otherwise, in about the same time
 * whether or not the email exists.
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
 * when account_name_problem() refuses the name (*why says why);
 * ERR_CONFLICT when the user owns LIMIT_WORKSPACES_OWNED workspaces
 * already.
 */
enum err	 account_workspace_create(struct db *, struct arena *,
		    const char *name, int64_t *workspace_out,
		    const char **why);

/*
 * The workspace's pending invitations (neither used nor expired), newest
 * first, as JSON text [{id, email, role, invited_by, created, expires}]
 * (invited_by: the inviter's email, null when that account is gone;
 * dates YYYY-MM-DD HH:MM UTC), arena-owned.
 */
enum err	 account_invites_json(struct db *, struct arena *,
		    int64_t workspace_id, const char **out);

/*
 * Revokes a pending invitation of the workspace: its link stops working
 * at once.  ERR_NOTFOUND when the workspace has no such pending
 * invitation (another workspace's, used, expired or unknown alike).
 */
enum err	 account_invite_revoke(struct db *, struct arena *,
		    int64_t workspace_id, int64_t invite_id);

/*
 * Removes a member from the workspace, in one transaction under the
 * workspace's row lock: the membership, the member's sessions in this
 * workspace (they end), their unfinished OAuth flows here, and the API
 * keys they created here (revoked).  by_role is the remover's role.  An
 * owner is removed only by an owner (ERR_FORBIDDEN), and never when the
 * workspace has no other owner (ERR_CONFLICT); *why says so for the
 * page.  ERR_NOTFOUND when user is not a member of the workspace.
 */
enum err	 account_member_remove(struct db *, struct arena *,
		    int64_t workspace_id, const char *by_role, int64_t user,
		    const char **why);

/*
 * Makes a member an admin or a viewer, under the same rules and errors
 * as account_member_remove() (ERR_INPUT for another role).  A member made
 * a viewer keeps no admin API key they created here: those are revoked
 * (a viewer cannot make one).
 */
enum err	 account_member_role(struct db *, struct arena *,
		    int64_t workspace_id, const char *by_role, int64_t user,
		    const char *role, const char **why);

/*
 * Changes a user's password, as the owner role (users is not the request
 * role's to write; see sql/100_access.sql): ERR_AUTH when current is not
 * the user's password (checked in about the same time either way),
 * ERR_INPUT with *why when the new one is too short or too long, else
 * stores its hash and ends every other session of the user, in every
 * workspace, keeping the one whose id hash is keep_session (hex).
 */
enum err	 account_password_change(struct db *, struct arena *,
		    int64_t user, const char *current, const char *new_pw,
		    const char *keep_session, const char **why);

/*
 * "Forgot your password?".  For an address that has an account, a
 * one-time token valid LIMIT_RESET_VALID_S, stored hashed: *token_out
 * (for the link, arena) and *to_out (the address as the account has it);
 * both NULL when no account has the address, which the caller must not
 * tell apart in its answer.  client is the client's address.
 * ERR_RATELIMIT (*retry_s set) when the address asked for
 * LIMIT_RESET_ACCOUNT links or the client for LIMIT_RESET_CLIENT in the
 * last LIMIT_RESET_WINDOW_S, account or not; ERR_INPUT for a string that
 * is not an address.
 */
enum err	 account_reset_request(struct db *, struct arena *,
		    const char *email, const char *client,
		    const char **token_out, const char **to_out,
		    int *retry_s);

/* ERR_OK with the account's address when token is a reset link that
 * still works; ERR_NOTFOUND when unknown, used or expired. */
enum err	 account_reset_peek(struct db *, struct arena *,
		    const char *token, const char **email);

/*
 * Uses a reset link, in one transaction: sets the password, ends every
 * session of the person in every workspace and uses up all their links;
 * *user_out the account.  ERR_INPUT with *why when the password is too
 * short or too long (the link still works); ERR_NOTFOUND when the link
 * is unknown, used or expired.
 */
enum err	 account_reset_use(struct db *, struct arena *,
		    const char *token, const char *password, int64_t *user_out,
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

/*
 * The time zones PostgreSQL knows, as JSON text ["Africa/Abidjan", ...]
 * sorted by name (tzdata's posix/ and right/ copies left out): those
 * account_set_time_zone() accepts.  Arena-owned; errors as db_exec().
 */
enum err	 account_time_zones(struct db *, struct arena *,
		    const char **out);

/*
 * Yesterday in the workspace's zone, "YYYY-MM-DD (Europe/Paris)": the
 * last day a range can end on (today is not over).  Arena-owned;
 * ERR_NOTFOUND when the workspace does not exist, errors as db_exec().
 */
enum err	 account_yesterday(struct db *, struct arena *,
		    int64_t workspace_id, const char **out);

/* Deletes the workspace's synced data (metrics, messages, sync history). */
enum err	 account_delete_data(struct db *, struct arena *,
		    int64_t workspace_id);

#endif
