/*
 * req.h — the parsed request, every part bounded before it is read.
 *
 * Method, path, query, form, cookies, headers and body.
 *
 * Built from CGI-style "NAME=value" parameters (what nginx sends over
 * FastCGI) and a body, with no FastCGI types, so it can be unit-tested and
 * fuzzed.  Everything in a struct req is owned by the arena it was parsed
 * with and lives until that arena is reset.
 */
#ifndef SLUICE_REQ_H
#define SLUICE_REQ_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "base/kv.h"

struct arena;

/* Methods are bits, so a route can accept several. */
enum http_method {
	HTTP_GET = 1 << 0,
	HTTP_HEAD = 1 << 1,
	HTTP_POST = 1 << 2,
	HTTP_PUT = 1 << 3,
	HTTP_PATCH = 1 << 4,
	HTTP_DELETE = 1 << 5,
	HTTP_OPTIONS = 1 << 6,
};

struct req {
	enum http_method method;
	const char	*method_name;	/* as sent, e.g. "GET" */
	const char	*path;		/* decoded path, no query */
	const char	*query_string;	/* raw, "" when none */
	struct kvlist	 query;		/* decoded query fields */
	struct kvlist	 form;		/* decoded urlencoded body fields */
	struct kvlist	 cookies;
	struct kvlist	 headers;	/* names lower case, '-' not '_' */
	const char	*content_type;	/* "" when none */
	size_t		 content_length;
	const char	*body;		/* NUL-terminated copy, "" when none */
	size_t		 body_len;
	const char	*remote_addr;
	const char	*request_id;	/* from nginx's $request_id */
	bool		 https;
};

/*
 * Parses the request line and headers from CGI parameters ("NAME=value"
 * strings, NULL-terminated array).  The body is not read here: see
 * req_set_body().  Errors: ERR_METHOD for an unknown method, ERR_INPUT
 * for a malformed path, query or Content-Length (*why explains),
 * ERR_TOOBIG when a header, the query or the path is over its limit, or
 * there are too many fields.
 */
enum err	 req_parse(struct arena *, char *const *params, struct req *out,
		    const char **why);

/*
 * Attaches len bytes of body (copied into the arena) and, for
 * application/x-www-form-urlencoded, parses it into req->form.  ERR_INPUT
 * on a malformed form (bad %-escape, NUL byte), ERR_TOOBIG for too many
 * fields.
 */
enum err	 req_set_body(struct arena *, struct req *, const char *body,
		    size_t len, const char **why);

/*
 * Splits "a=1&b=2" into decoded fields ('+' is a space).  Empty keys are
 * kept only with a value ("=x" is an error); "a" alone is a with "".
 * At most max fields: ERR_TOOBIG beyond.  ERR_INPUT on a bad %-escape or
 * a decoded NUL byte.
 */
enum err	 req_urlencoded(struct arena *, const char *s, size_t len,
		    size_t max, struct kvlist *out, const char **why);

/*
 * Percent-decodes len bytes into a new arena string (*outlen bytes, plus
 * a NUL).  plus_is_space turns '+' into ' '.  ERR_INPUT on a truncated or
 * non-hex escape or a decoded NUL byte.
 */
enum err	 req_unescape(struct arena *, const char *s, size_t len,
		    bool plus_is_space, char **out, size_t *outlen);

/* Parses a Cookie header into pairs; malformed pairs are skipped. */
void		 req_cookies(struct arena *, const char *header, size_t max,
		    struct kvlist *out);

/* First value for name (case-sensitive; headers case-insensitive), or
 * NULL.  The string belongs to the request's arena. */
const char	*req_query(const struct req *, const char *name);
const char	*req_form(const struct req *, const char *name);
const char	*req_cookie(const struct req *, const char *name);
const char	*req_header(const struct req *, const char *name);

/* True when the request's Cache-Control names no-cache: the client asks
 * for an answer made anew, not one the program kept. */
bool		 req_no_cache(const struct req *);

/* True when the Content-Type's media type is mt (parameters ignored). */
bool		 req_is_content_type(const struct req *, const char *mt);

#endif
