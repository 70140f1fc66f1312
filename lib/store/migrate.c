/* migrate.c — applies sql/NNN_name.sql files once each, in order. */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/limit.h"
#include "base/log.h"
#include "store/db.h"
#include "store/migrate.h"

#define MIGRATE_LOCK	7226110		/* advisory lock key (db_lock) */

static const char sql_create[] =
	"CREATE TABLE IF NOT EXISTS schema_migrations ("
	" version integer PRIMARY KEY,"
	" name text NOT NULL,"
	" applied_at timestamptz NOT NULL DEFAULT now())";
static const char sql_status[] =
	"SELECT count(*), coalesce(max(version), 0) FROM schema_migrations";
static const char sql_exists[] =
	"SELECT to_regclass('schema_migrations') IS NOT NULL";
static const char sql_versions[] =
	"SELECT version FROM schema_migrations ORDER BY version";
static const char sql_record[] =
	"INSERT INTO schema_migrations (version, name) VALUES ($1, $2)";

static int
cmp_version(const void *a, const void *b)
{
	const struct migration *x = a, *y = b;

	return (x->version > y->version) - (x->version < y->version);
}

enum err
migrate_scan(struct arena *a, const char *dir, struct migration **out,
    size_t *n, const char **why)
{
	struct migration *list;
	struct dirent *de;
	size_t len, cnt = 0, i;
	DIR *d;
	const char *p;

	if ((d = opendir(dir)) == NULL) {
		*why = arena_printf(a, "cannot read migrations directory "
		    "%s", dir);
		return ERR_NOTFOUND;
	}
	list = arena_calloc(a, LIMIT_MIGRATIONS, sizeof(*list));
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		len = strlen(de->d_name);
		for (p = de->d_name; isdigit((unsigned char)*p); p++)
			;
		if (p == de->d_name || *p != '_' || p - de->d_name > 6 ||
		    len < 5 || strcmp(de->d_name + len - 4, ".sql") != 0) {
			closedir(d);
			*why = arena_printf(a, "%s/%s is not named "
			    "NNN_name.sql", dir, de->d_name);
			return ERR_INPUT;
		}
		if (cnt == LIMIT_MIGRATIONS) {
			closedir(d);
			*why = "too many migration files";
			return ERR_TOOBIG;
		}
		list[cnt].version = atoi(de->d_name);
		list[cnt].name = arena_strdup(a, de->d_name);
		list[cnt].path = arena_printf(a, "%s/%s", dir, de->d_name);
		cnt++;
	}
	closedir(d);
	qsort(list, cnt, sizeof(*list), cmp_version);
	for (i = 1; i < cnt; i++)
		if (list[i].version == list[i - 1].version) {
			*why = arena_printf(a, "%s and %s share version %d",
			    list[i - 1].name, list[i].name, list[i].version);
			return ERR_INPUT;
		}
	*out = list;
	*n = cnt;
	return ERR_OK;
}

static enum err
read_file(struct arena *a, const char *path, const char **out)
{
	struct buf *b;
	char chunk[8192];
	size_t got;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL)
		return ERR_NOTFOUND;
	b = buf_new_arena(a, LIMIT_MIGRATION_SIZE);
	while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (buf_append(b, chunk, got) != ERR_OK) {
			fclose(f);
			return ERR_TOOBIG;
		}
	fclose(f);
	*out = arena_strdup(a, buf_cstr(b));
	return ERR_OK;
}

enum err
migrate_status(struct db *db, struct arena *a, int *count, int *latest)
{
	struct db_res *res;
	enum err rc;
	const char *v;

	/* One round trip when migrated (the case /readyz is polled in). */
	rc = db_exec_static(db, a, sql_status, 0, NULL, &res);
	if (rc == ERR_OK) {
		*count = (int)db_get_int64(res, 0, 0, 0);
		*latest = (int)db_get_int64(res, 0, 1, 0);
		return ERR_OK;
	}
	if (rc == ERR_UNAVAILABLE)
		return rc;
	if ((rc = db_exec(db, a, sql_exists, 0, NULL, &res)) != ERR_OK)
		return rc;
	if ((v = db_get(res, 0, 0)) == NULL || strcmp(v, "t") != 0)
		return ERR_NOTFOUND;
	return ERR_DB;
}

/* Milliseconds of the monotonic clock. */
static long
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* True when version v is among the applied ones. */
static int
applied_has(const struct db_res *res, int v)
{
	size_t i;

	for (i = 0; i < db_nrows(res); i++)
		if (db_get_int64(res, i, 0, -1) == v)
			return 1;
	return 0;
}

enum err
migrate_apply(struct db *db, struct arena *a, const char *dir, int *applied,
    int *total, const char **why)
{
	struct migration *list;
	struct db_res *done;
	const char *params[2], *sql;
	size_t n, i, j;
	enum err rc;
	long t0;
	int known;

	*applied = *total = 0;
	if ((rc = migrate_scan(a, dir, &list, &n, why)) != ERR_OK)
		return rc;
	if ((rc = db_lock(db, a, MIGRATE_LOCK, -1, true, NULL)) != ERR_OK ||
	    (rc = db_exec(db, a, sql_create, 0, NULL, NULL)) != ERR_OK ||
	    (rc = db_exec(db, a, sql_versions, 0, NULL, &done)) != ERR_OK) {
		*why = arena_printf(a, "database: %s", db_last_error(db));
		goto out;
	}
	for (j = 0; j < db_nrows(done); j++) {
		known = 0;
		for (i = 0; i < n; i++)
			if (list[i].version == db_get_int64(done, j, 0, -1))
				known = 1;
		if (!known) {
			*why = arena_printf(a, "the database has migration "
			    "%s, which this code does not know: it is newer "
			    "than the code; upgrade the code first",
			    db_get(done, j, 0));
			rc = ERR_CONFLICT;
			goto out;
		}
	}
	for (i = 0; i < n; i++) {
		if (applied_has(done, list[i].version))
			continue;
		if ((rc = read_file(a, list[i].path, &sql)) != ERR_OK) {
			*why = arena_printf(a, "cannot read %s",
			    list[i].path);
			goto out;
		}
		params[0] = db_int64(a, list[i].version);
		params[1] = list[i].name;
		t0 = mono_ms();
		/* A file may hold several statements: simple protocol. */
		if ((rc = db_begin(db, a)) != ERR_OK ||
		    (rc = db_exec_script(db, a, sql)) != ERR_OK ||
		    (rc = db_exec(db, a, sql_record, 2, params, NULL)) !=
		    ERR_OK || (rc = db_commit(db, a)) != ERR_OK) {
			*why = arena_printf(a, "%s failed: %s",
			    list[i].name, db_last_error(db));
			db_rollback(db, a);
			rc = ERR_DB;
			goto out;
		}
		/* One transaction: what it locked stayed locked this long. */
		log_msg(LOG_INFO, NULL, "migration", "%s applied in %ld ms "
		    "(its locks were held that long)", list[i].name,
		    mono_ms() - t0);
		(*applied)++;
	}
	*total = (int)n;
	rc = ERR_OK;
out:
	db_unlock(db, a, MIGRATE_LOCK, -1);
	return rc;
}
