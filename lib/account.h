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

#endif
