/*
 * cgi-bin/api.c — the JSON API for scripts and integrations, and the
 * health endpoints.  CLI: `api migrate` applies the migrations.
 */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "db.h"
#include "migrate.h"

static enum err	api_healthz(struct ctx *);
static enum err	api_readyz(struct ctx *);

static const struct route routes[] = {
	{ HTTP_GET, "/healthz", api_healthz, ROUTE_NODB, 0 },
	{ HTTP_GET, "/readyz", api_readyz, ROUTE_NODB, 0 },
};

/* 200 while the process serves: no database, no allocation. */
static enum err
api_healthz(struct ctx *ctx)
{
	static const char body[] = "{\"status\":\"ok\"}";

	return resp_body(&ctx->resp, 200, "application/json", body,
	    sizeof(body) - 1);
}

/* 503 with a reason until the database answers and is migrated. */
static enum err
api_readyz(struct ctx *ctx)
{
	const char *reason = NULL, *db = "ok";
	int count = 0, latest = 0;
	enum err rc;

	rc = migrate_status(ctx->db, ctx->arena, &count, &latest);
	if (rc == ERR_UNAVAILABLE) {
		db = "down";
		reason = "the database is not reachable";
	} else if (rc == ERR_NOTFOUND)
		reason = "the database has no migrations applied";
	else if (rc != ERR_OK) {
		db = "error";
		reason = "the database answered with an error";
	} else if (ctx->app->code_migrations < 0)
		reason = "the migrations directory cannot be read";
	else if (latest > ctx->app->code_latest)
		reason = "the database schema is newer than this code";
	else if (count < ctx->app->code_migrations)
		reason = "migrations are pending";
	resp_header(&ctx->resp, "Cache-Control", "no-store");
	if (reason != NULL) {
		if (rc == ERR_UNAVAILABLE)
			resp_header(&ctx->resp, "Retry-After", "2");
		resp_body(&ctx->resp, 503, "application/json", "", 0);
		buf_printf(&ctx->resp.body, "{\"status\":\"unavailable\","
		    "\"db\":\"%s\",\"migrations\":%d,\"reason\":\"%s\"}", db,
		    count, reason);
		return ERR_OK;
	}
	resp_body(&ctx->resp, 200, "application/json", "", 0);
	return buf_printf(&ctx->resp.body, "{\"status\":\"ok\",\"db\":\"ok\","
	    "\"migrations\":%d}", count);
}

static int
cli(struct app *app, int argc, char **argv)
{
	const char *errout = "";
	struct arena a;
	int applied, total, status = 0;
	enum err rc;

	(void)argc;
	if (strcmp(argv[1], "migrate") != 0) {
		fprintf(stderr, "api: unknown command %s; see --help\n",
		    argv[1]);
		return 2;
	}
	arena_init(&a);
	rc = migrate_apply(app->db, &a, app->cfg.sql_dir, &applied, &total,
	    &errout);
	if (rc == ERR_UNAVAILABLE) {
		fprintf(stderr, "api migrate: cannot reach the database: %s\n",
		    db_last_error(app->db));
		status = 1;
	} else if (rc != ERR_OK) {
		fprintf(stderr, "api migrate: %s\n", errout);
		status = 1;
	} else
		printf("migrations: %d applied now, %d in all\n", applied,
		    total);
	arena_free(&a);
	return status;
}

int
main(int argc, char *argv[])
{
	static const struct app_def def = {
		"api", routes, sizeof(routes) / sizeof(routes[0]), cli,
		"  api migrate    apply pending migrations from SLUICE_SQL_DIR\n",
	};

	return app_main(&def, argc, argv);
}
