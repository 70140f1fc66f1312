/*
 * httpc.h — outgoing HTTP, the only libcurl user.
 *
 * Every call has a whole-call timeout and a connect timeout, a cap on the
 * response body (ERR_TOOBIG past it), follows no redirect unless asked,
 * sends a User-Agent, and refuses plain http except to loopback hosts when
 * the client was made with allow_loopback_http (tests and the sandbox).
 * Responses live in the caller's arena.  The transport is a seam: tests
 * may replace it with httpc_set_transport().
 */
#ifndef SLUICE_HTTPC_H
#define SLUICE_HTTPC_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "base/kv.h"

struct arena;
struct httpc;
struct sockaddr;

#define HTTPC_MAX_HEADERS	16	/* request headers per call */

struct httpc_opts {
	const char	*user_agent;	/* "Sluice/1.0" when NULL */
	bool		 allow_loopback_http; /* http://127.x, localhost */
	long		 timeout_ms;	/* 0: LIMIT_UPSTREAM_TIMEOUT_MS */
	size_t		 max_body;	/* 0: LIMIT_UPSTREAM_BODY */
};

/*
 * Which addresses a call may connect to, checked on the address the name
 * resolved to, as the connection is opened (so a name that resolves to
 * another address later gains nothing); proxies are not used for a call
 * that restricts it.  Outgoing webhooks go to URLs users type.
 */
enum httpc_dest {
	HTTPC_DEST_ANY = 0,	/* providers, Resend: URLs we configure */
	HTTPC_DEST_PUBLIC,	/* no loopback, private, link-local ... */
	HTTPC_DEST_PUBLIC_LOOPBACK, /* the same, loopback allowed (tests) */
};

struct httpc_req {
	const char	*method;	/* "GET" when NULL */
	const char	*url;
	struct kv	 headers[HTTPC_MAX_HEADERS]; /* "Name", "value" */
	size_t		 nheaders;
	const char	*body;		/* NULL: none */
	size_t		 body_len;
	long		 timeout_ms;	/* 0: the client's */
	bool		 follow_redirects;
	enum httpc_dest	 dest;		/* where it may connect (SSRF) */
};

struct httpc_resp {
	int		 status;	/* 0 when no answer came */
	struct kvlist	 headers;	/* names lower case */
	const char	*body;		/* NUL-terminated, arena-owned */
	size_t		 body_len;
	double		 ms;		/* whole call */
};

/* A transport: performs req into resp; returns as httpc_do() does. */
typedef enum err (*httpc_transport)(struct httpc *, struct arena *,
    const struct httpc_req *, struct httpc_resp *, const char **why);

/* A client (process lifetime, keeps connections); free with httpc_free(). */
struct httpc	*httpc_new(const struct httpc_opts *);
void		 httpc_free(struct httpc *);

/* Replaces the transport (NULL restores libcurl). */
void		 httpc_set_transport(struct httpc *, httpc_transport);

/* Adds a request header; ERR_INPUT for CR/LF, ERR_TOOBIG when full. */
enum err	 httpc_header(struct httpc_req *, const char *name,
		    const char *value);

/*
 * Performs one call.  ERR_OK whenever an HTTP answer came, whatever its
 * status.  ERR_INPUT for a URL the policy refuses (scheme, host),
 * ERR_FORBIDDEN when req's dest refuses the address the host resolved to
 * (give such calls a client of their own: a connection kept open by an
 * unrestricted call to the same host would be reused unchecked),
 * ERR_UPSTREAM for connection failures and timeouts, ERR_TOOBIG when the
 * body is over the cap; *why says what happened, without the URL's
 * query (it may hold secrets).
 */
enum err	 httpc_do(struct httpc *, struct arena *,
		    const struct httpc_req *, struct httpc_resp *,
		    const char **why);

/*
 * Whether an address is one HTTPC_DEST_PUBLIC may connect to: not
 * unspecified, loopback (unless loopback_ok), private (RFC 1918, unique
 * local fc00::/7), shared (100.64/10), link-local, multicast, reserved or
 * documentation/benchmark space; IPv4-mapped and NAT64 IPv6 addresses are
 * judged by the IPv4 address they carry.  sa is AF_INET or AF_INET6
 * (anything else: false).
 */
bool		 httpc_addr_public(const struct sockaddr *sa, bool loopback_ok);

/* A response header's value (name case-insensitive), or NULL. */
const char	*httpc_resp_header(const struct httpc_resp *, const char *name);

/* The rel="next" URL of the response's Link header (GitHub-style
 * pagination), or NULL; arena-owned. */
const char	*httpc_link_next(struct arena *, const struct httpc_resp *);

/* Percent-encodes s for a query or form value into the arena. */
char		*httpc_escape(struct arena *, const char *s);

#endif
