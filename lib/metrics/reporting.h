/*
 * reporting.h — read-only SQL logins for BI tools, and their catalogue.
 *
 * The reporting schema's metric catalogue and a workspace's reporting
 * logins (sql/200_reporting.sql).
 *
 * A reporting login is a PostgreSQL role that reads the `reporting` views
 * of one workspace and nothing else.  The programs cannot make roles: the
 * cluster's superuser installs two functions that can (nginx/stack.sh
 * reporting_sql); without them the feature is unavailable and Settings
 * says what to ask the administrator.  Passwords are made by the
 * database, returned once and never stored by Sluice (PostgreSQL keeps a
 * SCRAM verifier).
 */
#ifndef SLUICE_REPORTING_H
#define SLUICE_REPORTING_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"

struct arena;
struct db;

/*
 * Rewrites metric_catalogue from the providers' registry (labels, units,
 * aggregation rules), in one statement; `api migrate` calls it after the
 * migrations.  Nothing on a schema without the table (migrations before
 * sql/200_reporting.sql).  Errors as db_exec().
 */
enum err	 reporting_catalogue_refresh(struct db *, struct arena *);

/*
 * What Settings needs to offer logins: *available_out is true when the
 * superuser's functions are installed, *database_out, *port_out and
 * *listen_out (listen_addresses, "" when the server takes no TCP) the
 * values a BI tool connects with; arena strings.  Errors as db_exec().
 */
enum err	 reporting_status(struct db *, struct arena *,
		    bool *available_out, const char **database_out,
		    const char **port_out, const char **listen_out);

/*
 * Makes a login for workspace_id on behalf of user_id (an admin there;
 * the request's own workspace and user, which the database checks again)
 * named `label` for people.  *role_out and *password_out (arena) are
 * shown once.  ERR_INPUT with *why for a bad label, ERR_CONFLICT with
 * *why when the workspace has LIMIT_REPORTING_LOGINS logins already,
 * ERR_UNAVAILABLE with *why when the functions are not installed,
 * database errors.
 */
enum err	 reporting_login_create(struct db *, struct arena *,
		    int64_t workspace_id, int64_t user_id, const char *label,
		    const char **role_out, const char **password_out,
		    const char **why);

/*
 * Revokes login `role` of workspace_id: its role is dropped and its
 * sessions ended.  ERR_NOTFOUND when the workspace has no such login;
 * database errors.
 */
enum err	 reporting_login_revoke(struct db *, struct arena *,
		    int64_t workspace_id, const char *role);

/*
 * The workspace's logins as JSON text [{role, name, created, created_by,
 * sessions}] (created in the workspace's zone, which it names; sessions:
 * connections open now), newest first; arena-owned.  Errors as db_exec().
 */
enum err	 reporting_logins_json(struct db *, struct arena *,
		    int64_t workspace_id, const char **out);

#endif
