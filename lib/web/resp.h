/*
 * resp.h — the buffered response: status, headers, body, written once.
 *
 * Handlers fill a struct resp; lib/web/app.c serialises it after the handler
 * returns, so a failing handler never leaks half a page.  Header values
 * with CR, LF or NUL are refused.  Every response gets the security
 * headers (nosniff, frame denial, referrer policy, CSP); a header of the
 * same name set by the handler replaces the default one (the digest
 * preview sets a CSP that allows the email's inline styles and nothing
 * else).  With hsts set (lib/web/app.c: SLUICE_BASE_URL is https) every
 * response carries Strict-Transport-Security, max-age
 * LIMIT_HSTS_MAX_AGE_S, without includeSubDomains (other hosts of the
 * domain are not ours to commit).
 */
#ifndef SLUICE_RESP_H
#define SLUICE_RESP_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/limit.h"
#include "web/req.h"

struct arena;
struct json_object;

struct resp {
	int		 status;	/* 0 until a handler sets one */
	struct kv	 headers[LIMIT_RESP_HEADERS];
	size_t		 nheaders;
	const char	*content_type;
	struct buf	 body;		/* at most LIMIT_RESPONSE bytes */
	struct arena	*arena;
	bool		 hsts;		/* send Strict-Transport-Security */
	/* The body follows the headers as the handler writes it
	 * (app_stream_begin()): no Content-Length, no body here. */
	bool		 streamed;
};

/* Options of resp_cookie(). */
struct resp_cookie_opts {
	long		 max_age;	/* seconds; 0: session cookie; <0: delete */
	bool		 secure;	/* Secure (and https-only) */
	bool		 js_visible;	/* omit HttpOnly */
	const char	*same_site;	/* "Lax" when NULL */
};

/* Prepares an empty response whose storage belongs to the arena. */
void		 resp_init(struct resp *, struct arena *);

/* Discards status, headers and body (for error pages). */
void		 resp_clear(struct resp *);

/* Adds a header (copied).  ERR_INPUT for CR/LF/NUL or a bad name,
 * ERR_TOOBIG past LIMIT_RESP_HEADERS. */
enum err	 resp_header(struct resp *, const char *name, const char *value);

/* resp_header() unless a header of that name (any case) is there. */
enum err	 resp_header_default(struct resp *, const char *name,
		    const char *value);

/* Adds a Set-Cookie with Path=/ and the options' attributes. */
enum err	 resp_cookie(struct resp *, const char *name, const char *value,
		    const struct resp_cookie_opts *);

/* Sets status and content type and replaces the body. */
enum err	 resp_body(struct resp *, int status, const char *content_type,
		    const void *body, size_t len);

/* Serialises obj as the body, application/json. */
enum err	 resp_json(struct resp *, int status, struct json_object *obj);

/* {"error":{"code":"...","message":"..."}} with err's status. */
enum err	 resp_json_error(struct resp *, enum err, const char *message);

/* 303 (or the given 3xx) to location; ERR_INPUT if it has CR/LF. */
enum err	 resp_redirect(struct resp *, int status, const char *location);

/*
 * Writes the CGI response ("Status: ...", headers, blank line, body) into
 * out.  head_only omits the body (HEAD); a streamed response has no
 * Content-Length and no body here.
 */
enum err	 resp_serialise(const struct resp *, bool head_only,
		    struct buf *out);

#endif
