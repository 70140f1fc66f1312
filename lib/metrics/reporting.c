/*
 * reporting.c — the reporting schema's catalogue and a workspace's
 * read-only SQL logins (reporting.h).
 */
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/jsonx.h"
#include "base/limit.h"
#include "metrics/catalogue.h"
#include "metrics/reporting.h"
#include "store/db.h"
#include "tenancy/account.h"

/* $1: [{provider, metric, label, unit, aggregation}]; rows no longer in
 * the registry go. */
static const char sql_catalogue[] =
	"WITH c AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS x("
	"provider text, metric text, label text, unit text, aggregation "
	"text)), gone AS (DELETE FROM metric_catalogue k WHERE NOT EXISTS "
	"(SELECT 1 FROM c WHERE c.provider = k.provider AND c.metric = "
	"k.metric)) "
	"INSERT INTO metric_catalogue (provider, metric, label, unit, "
	"aggregation) SELECT provider, metric, label, unit, aggregation "
	"FROM c ON CONFLICT (provider, metric) DO UPDATE SET label = "
	"excluded.label, unit = excluded.unit, aggregation = "
	"excluded.aggregation WHERE (metric_catalogue.label, "
	"metric_catalogue.unit, metric_catalogue.aggregation) IS DISTINCT "
	"FROM (excluded.label, excluded.unit, excluded.aggregation)";

static const char sql_have_catalogue[] =
	"SELECT to_regclass('public.metric_catalogue') IS NOT NULL";

enum err
reporting_catalogue_refresh(struct db *db, struct arena *a)
{
	const char *p[1], *have;
	enum err rc;

	/* A schema before sql/200_reporting.sql has no catalogue yet. */
	if ((rc = db_value(db, a, sql_have_catalogue, 0, NULL, &have)) !=
	    ERR_OK)
		return rc;
	if (have == NULL || strcmp(have, "t") != 0)
		return ERR_OK;
	p[0] = jsonx_string(a, catalogue_rows(a));
	return db_exec(db, a, sql_catalogue, 1, p, NULL);
}

static const char sql_status[] =
	"SELECT to_regprocedure('public.reporting_login_create(bigint)') "
	"IS NOT NULL AND to_regprocedure('public.reporting_login_drop(text)') "
	"IS NOT NULL AND EXISTS (SELECT 1 FROM pg_roles WHERE rolname = "
	"'sluice_reporting'), current_database(), current_setting('port'), "
	"current_setting('listen_addresses')";

enum err
reporting_status(struct db *db, struct arena *a, bool *available_out,
    const char **database_out, const char **port_out, const char **listen_out)
{
	struct db_res *res;
	enum err rc;

	if ((rc = db_exec(db, a, sql_status, 0, NULL, &res)) != ERR_OK)
		return rc;
	if (db_nrows(res) != 1)
		return ERR_DB;
	*available_out = strcmp(db_get(res, 0, 0), "t") == 0;
	*database_out = db_get(res, 0, 1);
	*port_out = db_get(res, 0, 2);
	*listen_out = db_get(res, 0, 3);
	return ERR_OK;
}

static const char sql_count[] =
	"SELECT count(*) FROM reporting_logins WHERE workspace_id = $1";

/* The database checks the workspace and the admin again. */
static const char sql_create[] =
	"SELECT role_name, password FROM reporting_login_new($1, $2, $3)";

enum err
reporting_login_create(struct db *db, struct arena *a, int64_t workspace_id,
    int64_t user_id, const char *label, const char **role_out,
    const char **password_out, const char **why)
{
	const char *p[3], *count, *problem;
	struct db_res *res;
	bool available;
	const char *dbname, *port, *listen;
	enum err rc;

	if (label == NULL || *label == '\0') {
		*why = "Give the login a name, e.g. Metabase.";
		return ERR_INPUT;
	}
	if ((problem = account_name_problem(label, LIMIT_KEY_NAME)) != NULL) {
		*why = arena_printf(a, "Login name: %s", problem);
		return ERR_INPUT;
	}
	if ((rc = reporting_status(db, a, &available, &dbname, &port,
	    &listen)) != ERR_OK)
		return rc;
	if (!available) {
		*why = "Read-only SQL logins are not available on this "
		    "database: its administrator has to install them first.";
		return ERR_UNAVAILABLE;
	}
	p[0] = db_int64(a, workspace_id);
	if ((rc = db_value(db, a, sql_count, 1, p, &count)) != ERR_OK)
		return rc;
	if (count != NULL && strtoll(count, NULL, 10) >=
	    LIMIT_REPORTING_LOGINS) {
		*why = arena_printf(a, "A workspace has at most %d read-only "
		    "SQL logins: revoke one first.", LIMIT_REPORTING_LOGINS);
		return ERR_CONFLICT;
	}
	p[1] = db_int64(a, user_id);
	p[2] = label;
	/* The function counts again under a lock, the installation's
	 * logins too (sql/260_reporting_fence.sql); a refusal rolls back to
	 * here, and the request goes on. */
	if ((rc = db_begin(db, a)) != ERR_OK)
		return rc;
	if ((rc = db_exec(db, a, sql_create, 3, p, &res)) != ERR_OK) {
		db_rollback(db, a);
		if (rc == ERR_CONFLICT)
			*why = arena_printf(a, "There are as many read-only "
			    "SQL logins as allowed (%d a workspace, %d in this "
			    "installation, each with at most 3 connections): "
			    "revoke one first.", LIMIT_REPORTING_LOGINS,
			    LIMIT_REPORTING_LOGINS_ALL);
		return rc;
	}
	if ((rc = db_commit(db, a)) != ERR_OK)
		return rc;
	if (db_nrows(res) != 1)
		return ERR_DB;
	*role_out = db_get(res, 0, 0);
	*password_out = db_get(res, 0, 1);
	return ERR_OK;
}

static const char sql_revoke[] =
	"SELECT reporting_login_revoke($1, $2)";

enum err
reporting_login_revoke(struct db *db, struct arena *a, int64_t workspace_id,
    const char *role)
{
	const char *p[2], *done;
	enum err rc;

	p[0] = db_int64(a, workspace_id);
	p[1] = role;
	if ((rc = db_value(db, a, sql_revoke, 2, p, &done)) != ERR_OK)
		return rc;
	return done != NULL && strcmp(done, "t") == 0 ? ERR_OK :
	    ERR_NOTFOUND;
}

/* Sessions: pg_stat_activity shows every role's connections by name. */
static const char sql_list[] =
	"SELECT coalesce(json_agg(json_build_object('role', l.role_name, "
	"'name', l.name, 'created', to_char(l.created_at AT TIME ZONE "
	"w.time_zone, 'YYYY-MM-DD HH24:MI') || ' ' || w.time_zone, "
	"'created_by', u.email, 'sessions', (SELECT count(*) FROM "
	"pg_stat_activity s WHERE s.usename = l.role_name)) ORDER BY "
	"l.created_at DESC, l.role_name), '[]') "
	"FROM reporting_logins l JOIN workspaces w ON w.id = l.workspace_id "
	"LEFT JOIN users u ON u.id = l.created_by WHERE l.workspace_id = $1";

enum err
reporting_logins_json(struct db *db, struct arena *a, int64_t workspace_id,
    const char **out)
{
	const char *p[1];
	enum err rc;

	p[0] = db_int64(a, workspace_id);
	if ((rc = db_value(db, a, sql_list, 1, p, out)) != ERR_OK)
		return rc;
	if (*out == NULL)
		*out = "[]";
	return ERR_OK;
}
