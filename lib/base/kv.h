/*
 * kv.h — names with values, and lookups in lists of them.
 *
 * The fields of a query, a form, cookies, headers (ours and an
 * upstream's) and a route's captures.
 *
 * A struct kv points at strings it does not own: they belong to whoever
 * filled the list (usually a request's arena) and live as long as it.
 */
#ifndef SLUICE_KV_H
#define SLUICE_KV_H

#include <stdbool.h>
#include <stddef.h>

/* A name and its value; value holds len bytes plus a NUL. */
struct kv {
	const char	*name;
	const char	*value;
	size_t		 len;
};

/* A list reads the fields it points at; whoever filled them owns them. */
struct kvlist {
	const struct kv	*v;
	size_t		 n;
};

/* The first field of the list named name (case-sensitive), or NULL. */
const struct kv	*kv_get(const struct kvlist *, const char *name);

/* The value of kv_get(), or NULL when there is no such field. */
const char	*kv_value(const struct kvlist *, const char *name);

/*
 * The value of the first field whose name is name in any ASCII case (HTTP
 * header names), or NULL.
 */
const char	*kv_header(const struct kvlist *, const char *name);

/*
 * A query's strays: NULL when every field of the list is one of the n
 * names of known and none is given twice; else the first field that is
 * not so (*twice true when it is a known name given again).  twice NULL:
 * a known name may be given again (only unknown names are strays).
 */
const struct kv	*kv_stray(const struct kvlist *, const char *const *known,
		    size_t n, bool *twice);

/*
 * kv_stray() without the repeats: the name of the first field of the
 * list that is not among the n names of known (a query's unknown
 * parameter), or NULL when all are known.  The name belongs to the list.
 */
const char	*kv_unknown(const struct kvlist *, const char *const *known,
		    size_t n);

/*
 * Whether s is a whole number from 1 to max written plainly: decimal
 * digits only (no sign, space or other character), as a page's limit.
 */
bool		 kv_whole(const char *s, long max);

#endif
