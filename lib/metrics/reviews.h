/*
 * reviews.h — GET /v1/reviews: the reviews the sync keeps, in pages.
 *
 * The table reviews (sql/250_reviews.sql); the dashboard's recent ones
 * too.  A workspace's reviews, newest first, filtered by location (an account
 * id as the sync lists it), rating and the days they were written (the
 * workspace's days), in pages with a cursor.
 */
#ifndef SLUICE_REVIEWS_H
#define SLUICE_REVIEWS_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct arena;
struct db;
struct kvlist;

#define REVIEWS_PAGE_DEFAULT	100	/* reviews of a page */
#define REVIEWS_PAGE_MAX	500
#define REVIEWS_EXCERPT		160	/* characters of a comment shown */

struct reviews_query {
	const char	*location;	/* NULL: every location */
	const char	*rating;	/* "1".."5"; NULL: any */
	const char	*from, *to;	/* YYYY-MM-DD; NULL: open */
	const char	*limit;		/* decimal, checked */
	const char	*cursor;	/* next_cursor of the last page */
};

/*
 * Reads a request's query (location, rating, from, to, limit, cursor)
 * into q.  ERR_INPUT with *param naming the parameter and *why saying
 * what is wrong (an unknown parameter too).  Strings belong to the query
 * or the arena.
 */
enum err	 reviews_parse(struct arena *, const struct kvlist *query,
		    struct reviews_query *q, const char **param,
		    const char **why);

/*
 * One page for workspace ws: {"reviews":[{"provider","location",
 * "review_id","rating","comment","reviewer","created_at","updated_at",
 * "reply","reply_updated_at","url"}],"next_cursor"} (times ISO 8601 UTC;
 * next_cursor null on the last page), in the arena.  ERR_INPUT for a
 * cursor that is not one of ours, ERR_DB.
 */
enum err	 reviews_json(struct db *, struct arena *, int64_t ws,
		    const struct reviews_query *, const char **out);

/*
 * The n most recent reviews of workspace ws for the pages: [{"stars"
 * ("★★★★☆ 4", or "No rating"), "reviewer", "date" (YYYY-MM-DD in the
 * workspace's zone), "excerpt" (at most REVIEWS_EXCERPT characters of
 * the comment, "…" when cut), "location" (its id), "place" (the
 * location's name as its connection lists it, else the id), "reply"
 * (bool)}], JSON text in
 * the arena (not escaped for HTML: the templates escape).  ERR_DB.
 */
enum err	 reviews_recent_json(struct db *, struct arena *, int64_t ws,
		    int n, const char **out);

#endif
