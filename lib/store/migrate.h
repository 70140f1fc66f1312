/*
 * migrate.h — numbered SQL migrations, each applied once, in order.
 *
 * sql/NNN_name.sql files are applied in number order, each in its own
 * transaction together with its row in schema_migrations; an advisory
 * lock lets several hosts start at once.  A database that has a version
 * this code does not know (newer code ran against it) is refused.
 */
#ifndef SLUICE_MIGRATE_H
#define SLUICE_MIGRATE_H

#include <stddef.h>

#include "base/err.h"

struct arena;
struct db;

struct migration {
	int		 version;	/* NNN */
	const char	*name;		/* file name */
	const char	*path;
};

/*
 * Lists dir's migrations in version order (arena-owned).  ERR_INPUT when
 * a file name does not start with digits and '_' and end in ".sql", or
 * two files share a number (*why says which); ERR_NOTFOUND when dir
 * cannot be read.
 */
enum err	 migrate_scan(struct arena *, const char *dir,
		    struct migration **out, size_t *n, const char **why);

/*
 * Applies the pending migrations of dir, logging each one's name and how
 * long its transaction (and so its locks) took.  *applied is how many ran
 * now, *total how many the database has afterwards.  ERR_CONFLICT when
 * the database has a version newer than the code; ERR_DB when a
 * migration fails (rolled back; *why names the file and the server's
 * message).
 */
enum err	 migrate_apply(struct db *, struct arena *, const char *dir,
		    int *applied, int *total, const char **why);

/*
 * Reads the database's state: *count applied migrations and *latest the
 * highest version (0 when none).  ERR_NOTFOUND when schema_migrations
 * does not exist yet; ERR_UNAVAILABLE when the database is down.
 */
enum err	 migrate_status(struct db *, struct arena *, int *count,
		    int *latest);

#endif
