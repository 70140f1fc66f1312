/*
 * content.h — GET /v1/content and Top content: what accounts published.
 *
 * How it did: the tables content and content_metrics
 * (sql/280_content.sql): each item with its latest measurement
 * (lifetime numbers, NULL where the provider has none) and its
 * engagement, likes + comments + shares + saves of the numbers it has
 * (null when it has none of them).
 */
#ifndef SLUICE_CONTENT_H
#define SLUICE_CONTENT_H

#include <stdint.h>

#include "base/err.h"

struct arena;
struct db;
struct kvlist;

#define CONTENT_PAGE_DEFAULT	100	/* items of a page */
#define CONTENT_PAGE_MAX	500

struct content_query {
	const char	*provider;	/* NULL: every provider */
	const char	*account;	/* an account id; NULL: every one */
	const char	*type;		/* post, reel, story, video, short */
	const char	*since, *until;	/* published, YYYY-MM-DD in the
					 * workspace's zone; NULL: open */
	const char	*sort;		/* "published" (the default) or
					 * "engagement" */
	const char	*limit;		/* decimal, checked */
	const char	*cursor;	/* next_cursor of the last page */
};

/*
 * Reads a request's query (provider, account, type, since, until, sort,
 * limit, cursor) into q.  ERR_INPUT with *param naming the parameter
 * and *why saying what is wrong (an unknown or repeated parameter too).
 * Strings belong to the query or the arena.
 */
enum err	 content_parse(struct arena *, const struct kvlist *query,
		    struct content_query *q, const char **param,
		    const char **why);

/*
 * One page for workspace ws: {"content":[{"provider","account","id",
 * "type","caption","permalink","published_at","measured_on","views",
 * "reach","likes","comments","shares","saves","engagement"}],
 * "next_cursor"} (published_at ISO 8601 UTC, measured_on YYYY-MM-DD
 * UTC; numbers null where unknown; next_cursor null on the last page),
 * newest first or by engagement (highest first, unknown last), in the
 * arena.  ERR_INPUT for a cursor that is not one of ours or was given
 * for the other sort, ERR_DB.
 */
enum err	 content_json(struct db *, struct arena *, int64_t ws,
		    const struct content_query *, const char **out);

/*
 * Top content of the items published from day `from` to `to` (the
 * workspace's days, both included), by engagement: {"overall":[up to n
 * items], "providers":[{"provider", "items":[up to n]}]} (providers
 * by slug), each item as content_json() gives it plus "date" (its day
 * in the workspace's zone) and "account_name" (its name in the
 * connections' listings, "name · id" when another account of the
 * provider there has the same name — several logins' accounts are
 * listed together —, the id when none names it); items without
 * engagement left out.  JSON
 * text in the arena, not escaped for HTML.  ERR_DB.
 */
enum err	 content_top_json(struct db *, struct arena *, int64_t ws,
		    const char *from, const char *to, int n,
		    const char **out);

#endif
