/*
 * route.h — route tables with :name captures; 404 and 405 with Allow.
 *
 * A program declares `static const struct route routes[]` and hands it to
 * app_main().  A pattern is a path whose segments are literal or
 * ":name" (one non-empty segment, captured).  GET routes answer HEAD.
 */
#ifndef SLUICE_ROUTE_H
#define SLUICE_ROUTE_H

#include <stddef.h>

#include "base/err.h"
#include "base/limit.h"
#include "web/req.h"

struct ctx;

/* Route flags: what lib/web/app.c checks before the handler runs. */
enum route_flag {
	ROUTE_HTML = 1 << 0,	/* errors as HTML pages, not JSON */
	ROUTE_RAWBODY = 1 << 1,	/* keep the body unparsed (signatures) */
	ROUTE_SESSION = 1 << 2,	/* needs a logged-in user */
	ROUTE_CSRF = 1 << 3,	/* POST needs a valid CSRF token */
	ROUTE_APIKEY = 1 << 4,	/* needs a Bearer API key */
	ROUTE_ADMIN = 1 << 5,	/* owner or admin only */
	ROUTE_CRON = 1 << 6,	/* needs X-Cron-Secret */
	ROUTE_NODB = 1 << 7,	/* runs without the database */
	ROUTE_LOCAL = 1 << 8,	/* with ROUTE_CRON: a loopback client needs
				 * no secret (app.c, local_client()) */
	ROUTE_OVERSIZE = 1 << 9, /* a body over max_body still reaches the
				 * handler (drained, no body, ctx->oversize)
				 * to answer the 413 its own way (CORS) */
	ROUTE_QUIET = 1 << 10,	/* a 2xx answer gets no log line (health
				 * probes, thousands a minute: nginx's
				 * access log has each); others do */
};

struct route {
	unsigned	 methods;	/* enum http_method bits */
	const char	*pattern;	/* "/v1/connections/:provider" */
	enum err	(*fn)(struct ctx *);
	unsigned	 flags;		/* enum route_flag bits */
	size_t		 max_body;	/* 0: LIMIT_BODY */
};

struct route_match {
	const struct route *route;
	struct kv	 captures[LIMIT_CAPTURES];
	size_t		 ncaptures;
	unsigned	 allowed;	/* methods of paths that matched */
};

/*
 * Finds the route for method and path.  ERR_OK with m->route set;
 * ERR_NOTFOUND when no pattern matches; ERR_METHOD when a pattern matches
 * but not the method (m->allowed holds the methods that would).  Captures
 * point into the arena.
 */
enum err	 route_find(const struct route *, size_t n, unsigned method,
		    const char *path, struct arena *, struct route_match *m);

/* A capture's value, or NULL. */
const char	*route_capture(const struct route_match *, const char *name);

/* "GET, HEAD, POST" for a method set, in the arena. */
const char	*route_allow(struct arena *, unsigned methods);

#endif
