/*
 * connection.h — a workspace's connections as stored, without tokens.
 *
 * Status, accounts, sync state.  Tokens are never read here
 * (lib/connections/vault and token handle them).  Results live in the
 * caller's arena.
 */
#ifndef SLUICE_CONNECTION_H
#define SLUICE_CONNECTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct arena;
struct crypto_keyring;
struct db;
struct oauth_tokens;

/* One connection row, without its token blob. */
struct connection {
	int64_t		 id;
	int64_t		 workspace_id;
	const char	*provider;
	const char	*status;	/* connected, needs_reauth, error, ... */
	const char	*accounts;	/* JSON array text */
	const char	*selected;	/* JSON array text of account ids */
	const char	*api_base;	/* NULL unless per-account */
	bool		 sandbox;
	bool		 has_tokens;
	const char	*last_sync_at;	/* "YYYY-MM-DD HH:MM:SS UTC" or NULL */
	int64_t		 last_sync_age;	/* seconds ago, -1 when never */
	const char	*last_error;
	const char	*last_tested_at;
	bool		 last_test_ok;
	const char	*token_expires_at;
	const char	*external_owner; /* the provider's id of the login */
	const char	*owner_label;	/* that login for people, or "" */
	int64_t		 age;		/* seconds since it was made */
};

/*
 * Stores a fresh token set for (workspace, provider, t->owner — the
 * provider's login; NULL or "": a login the provider did not name, one
 * unnamed connection per provider): creates the connection, or replaces
 * the tokens of that login's connection (its accounts, selection and
 * history stay), sealed to the row; status becomes connected and
 * owner_label t->owner_label.  Another login of the same provider gets
 * its own connection; a row of an upgraded installation whose login was
 * never named (external_owner '') is adopted by the first login that
 * reconnects its provider instead of a second row being made.  One
 * transaction.  *id_out is the connection's id.
 */
enum err	 connection_store(struct db *, struct arena *,
		    const struct crypto_keyring *, int64_t workspace_id,
		    const char *provider, const struct oauth_tokens *,
		    bool sandbox, int64_t *id_out);

/* Whether ref names a connection by id: 1 to 18 digits. */
bool		 connection_ref_is_id(const char *ref);

/*
 * The workspace's connection named by ref: its id (digits), or a
 * provider's slug while the workspace has one live connection to it (or,
 * none live, one disconnected).
 * ERR_NOTFOUND when there is none (another workspace's id is none);
 * ERR_CONFLICT when ref is a slug and the workspace has several (list
 * them with connection_all()).
 */
enum err	 connection_find(struct db *, struct arena *,
		    int64_t workspace_id, const char *ref,
		    struct connection *out);

/*
 * The address of connection id (of provider) in URLs: the provider's
 * slug while it is the workspace's only connection to that provider, so
 * that links stay as they were, else the id.  Arena-owned; the id on a
 * database error.
 */
const char	*connection_ref(struct db *, struct arena *,
		    int64_t workspace_id, const char *provider, int64_t id);

/* Every connection of the workspace (arena array) by provider, then
 * id; *n rows. */
enum err	 connection_all(struct db *, struct arena *,
		    int64_t workspace_id, struct connection **out, size_t *n);

/*
 * Records the accounts listed at the provider (JSON array text); when
 * nothing was selected yet, selects them all, else keeps the chosen ones
 * still listed.  *lost gets the chosen ones the listing lacks, "name
 * (id), …" (a reconnect as a login that cannot see them), or NULL;
 * *nlost how many.
 */
enum err	 connection_set_accounts(struct db *, struct arena *,
		    int64_t workspace_id, int64_t id, const char *accounts,
		    const char **lost, long *nlost);

/* Replaces the selection (JSON array text of ids, each one listed). */
enum err	 connection_select(struct db *, struct arena *,
		    int64_t workspace_id, int64_t id, const char *selected);

/* Sets status and last error (NULL clears it). */
enum err	 connection_set_status(struct db *, struct arena *,
		    int64_t workspace_id, int64_t id, const char *status,
		    const char *error);

/* Records the result of "Test connection". */
enum err	 connection_tested(struct db *, struct arena *,
		    int64_t workspace_id, int64_t id, bool ok,
		    const char *error);

/*
 * The connection's sync history as JSON text: {"runs":[{started, status,
 * duration_ms, pages, rows_fetched, rows_changed, error}] (latest 20),
 * "daily":[{day, rows}] (rows changed per day, last 30 days; rows null
 * on a day without a sync run),
 * "accounts":[{id, name, status, ok, error, rows_fetched, rows_changed,
 * attempted}] (each selected account's last outcome, sync_accounts),
 * "job": state of the latest queued/running job or null,
 * "job_due": when a queued job waits for a later time, that time in the
 * workspace's zone ("2026-11-22 09:00 Europe/Paris"), else null,
 * "worker_age": seconds since a sync worker last checked in (-1: none
 * ever did),
 * "progress": the running run's {done (accounts finished), total
 * (accounts selected, null when unknown), rows (fetched so far),
 * seconds (since it started)} or null, "time_zone", "last_sync"}.
 */
enum err	 connection_history_json(struct db *, struct arena *,
		    int64_t workspace_id, int64_t id, const char **out);

/*
 * Whether another connection with tokens, in any workspace of the
 * installation, uses the login owner ("" or an unnamed row: anyone's) at
 * one of the providers of family (a family shares one grant): *out.
 * Nothing else of other workspaces is seen (sql/310).  Errors as
 * db_exec().
 */
enum err	 connection_login_in_use(struct db *, struct arena *,
		    const char *family, const char *owner, int64_t except_id,
		    bool *out);

/*
 * Disconnects: deletes the sealed tokens and sets status disconnected;
 * with delete_data also deletes the connection's synced metrics (its
 * provider's, but those of accounts another live connection of it still
 * selects), messages and reviews.
 */
enum err	 connection_disconnect(struct db *, struct arena *,
		    int64_t workspace_id, int64_t id, bool delete_data);

/*
 * The workspace's connections as a JSON array of objects {id, provider,
 * status, external_owner, owner (the login's label, else its id, else
 * null), scopes, accounts, selected, sandbox,
 * token_expires_at, last_sync_at, last_error, created_at}, newest first,
 * as JSON text built by the database; owned by the arena.
 */
enum err	 connection_list_json(struct db *, struct arena *,
		    int64_t workspace_id, const char **out);

#endif
