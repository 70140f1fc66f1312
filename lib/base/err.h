/*
 * err.h — the one error enum of the project, mapped once to HTTP status.
 *
 * Expected failures are returned as an enum err and passed up unchanged;
 * the edge (lib/web/app.c) turns them into a status, a page or a JSON error.
 */
#ifndef SLUICE_ERR_H
#define SLUICE_ERR_H

enum err {
	ERR_OK = 0,
	ERR_INPUT,		/* malformed request: 400 */
	ERR_AUTH,		/* not authenticated: 401 */
	ERR_FORBIDDEN,		/* authenticated but not allowed: 403 */
	ERR_NOTFOUND,		/* 404 */
	ERR_METHOD,		/* method not allowed for this path: 405 */
	ERR_CONFLICT,		/* state conflict: 409 */
	ERR_TOOBIG,		/* over a limit from limit.h: 413 */
	ERR_UNPROCESSABLE,	/* well-formed but invalid content: 422 */
	ERR_RATELIMIT,		/* 429 */
	ERR_UPSTREAM,		/* a provider or peer failed: 502 */
	ERR_DB,			/* database error: 500 */
	ERR_UNAVAILABLE,	/* dependency down, try later: 503 */
	ERR_TEMPLATE,		/* template failed to compile or render: 500 */
	ERR_SYSTEM,		/* OS or library failure: 500 */
	ERR__MAX
};

/* HTTP status for an error code (ERR_OK is 200). */
int		 err_status(enum err);

/* Stable lower-case code name, e.g. "not_found"; static storage. */
const char	*err_code(enum err);

/* Standard reason phrase for an HTTP status, e.g. "Not Found"; static. */
const char	*err_reason(int status);

#endif
