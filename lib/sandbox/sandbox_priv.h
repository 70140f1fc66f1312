/*
 * sandbox_priv.h — what the sandbox files share (lib/sandbox/ only).
 *
 * Grouped by the file that defines it.  Everything returned lives in the
 * request arena.
 */
#ifndef SLUICE_SANDBOX_PRIV_H
#define SLUICE_SANDBOX_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "base/buf.h"
#include "sandbox/sandbox.h"
#include "web/app.h"

/* Token kinds. */
enum sandbox_kind {
	SBXK_CODE = 'c',
	SBXK_ACCESS = 'a',
	SBXK_REFRESH = 'r',
	SBXK_LONG = 'l',	/* Meta long-lived user token */
	SBXK_PAGE = 'p',	/* Meta page token */
};

/* A decoded code or token. */
struct sandbox_token {
	char		 prov;
	char		 kind;
	int		 user;		/* 1..3 */
	int64_t		 exp;		/* epoch seconds, 0: never */
	int64_t		 iat;
	char		 flags[8];	/* R rotation, N no refresh, E expiring,
					   O offline (Google refresh token) */
	char		 chal[64];	/* PKCE S256 challenge, "" */
	char		 redir[17];	/* hash of redirect_uri, hex */
	char		 scope[256];	/* granted scopes */
	char		 fault[24];	/* switch every use of it gets, "" */
};

/* One request in the sandbox. */
struct sbx {
	struct ctx	*ctx;
	const struct sandbox_api *api;	/* NULL: the sandbox's own pages */
	const char	*fault;		/* switch name, "" when none */
	struct buf	*out;		/* the response body */
	struct sandbox_token tok;	/* the caller's token when checked */
	int64_t		 now;
};

/* --- sandbox.c ------------------------------------------------------ */

/* Flags of sandbox_begin(). */
#define SBX_AUTH	0x1	/* needs a valid access token */
#define SBX_TOKEN_EP	0x2	/* a token endpoint: the 401 switch passes */
#define SBX_NOFAULT	0x4	/* the sandbox's own pages: no switches */
#define SBX_NOMETRIC	0x8	/* names no metric: removed_metric passes */

/*
 * Starts a sandbox request: 404 when the sandbox is off, reads the
 * switch, sleeps for "slow", answers a catalogue error the switch names,
 * checks the token when SBX_AUTH.  Returns true when the handler should
 * go on; false when the response is complete (*rcout to return).
 */
bool		 sandbox_begin(struct ctx *, const struct sandbox_api *,
		    unsigned flags, struct sbx *, enum err *rcout);

/* Finishes a body (the "truncated" switch cuts it). */
enum err	 sandbox_done(struct sbx *);

/* True when the switch is name. */
bool		 sandbox_is(const struct sbx *, const char *name);


/* Starts a JSON (or other) body with a status. */
void		 sandbox_start(struct sbx *, int status, const char *ctype);

/* Appends a JSON string literal with escaping. */
void		 sandbox_jstr(struct buf *, const char *);

/* "http://host" + prefix for absolute URLs in bodies. */
const char	*sandbox_base_url(struct sbx *, const char *prefix);

/* Mints a token; the string is in the arena.  A token with a fault
 * carries "-fault-NAME-" after the prefix (a code only inside), so
 * every request that shows it (API call, refresh) gets that switch. */
const char	*sandbox_token_make(struct sbx *, const char *prefix,
		    const struct sandbox_token *);

/*
 * A new token into t for the login of from (the code or token the client
 * gave): provider prov, kind, from's user and fault switch, issued now;
 * everything else empty (exp 0: never; the caller sets a life).
 */
void		 sandbox_token_from(struct sbx *,
		    const struct sandbox_token *from, char prov,
		    enum sandbox_kind kind, struct sandbox_token *t);

/* Decodes a token (anything before "S1." is ignored); false when
 * garbled or tampered. */
bool		 sandbox_token_parse(const char *, struct sandbox_token *);

/* base64url without padding of in (at most 300 bytes) into out. */
void		 sandbox_b64url(const char *in, char *out, size_t size);

/* Decodes base64url (no padding); false when bad or too long. */
bool		 sandbox_unb64url(const char *in, char *out, size_t size);

/* Hex hash of a redirect_uri for codes (out[17]). */
void		 sandbox_redir_hash(const char *uri, char out[17]);

/* True when verifier matches the S256 challenge. */
bool		 sandbox_pkce_ok(const char *verifier, const char *challenge);

/* The bearer token of the request: Authorization Bearer/OAuth, or the
 * access_token / token query or form field; NULL when none. */
const char	*sandbox_bearer(struct ctx *);

/* Request field from the query, then the form; NULL when absent. */
const char	*sandbox_param(struct ctx *, const char *name);

/* Today (days since epoch) in a UTC offset of hours. */
int64_t		 sandbox_today(int64_t now, int offset_hours);

/* Account time zone by account id: name and fixed offset in hours. */
const char	*sandbox_tz(const char *account, int *offset_out);

/*
 * The person behind sandbox user 1..3, the same at every provider: the
 * consent page's choice ("Ana (agency)", "Client", a third login), and
 * what the providers' "who is this" calls answer (name, email).
 */
void		 sandbox_persona(int user, const char **name,
		    const char **email);

/* A deterministic id-like string: hex digits of a hash, n chars. */
const char	*sandbox_hexid(struct sbx *, const char *seed, int n);

/* Parses a non-negative integer within [0, max]; def when absent/bad. */
long		 sandbox_long(const char *, long def, long max);

/* Percent-encodes s for a query value (arena). */
const char	*sandbox_urlenc(struct sbx *, const char *s);

/* Checks a code at a token endpoint: provider, kind, expiry, redirect
 * uri (when the request names one) and PKCE verifier; false with *why
 * set when refused. */
bool		 sandbox_code_ok(struct sbx *, const char *code, char prov,
		    const char *redirect_uri, const char *verifier,
		    struct sandbox_token *out, const char **why);

/* --- faults.c ------------------------------------------------------ */

/*
 * Answers the fault row of the request's API named name (its example
 * file's name or one of its aliases), from the rows of every provider
 * and family in the registry: status, headers and body.  ERR_OK, or
 * ERR_SYSTEM when the API has no such row (nothing written then).
 */
enum err	 sandbox_fail(struct sbx *, const char *name);

/* The fault row of api named name, or NULL. */
const struct sandbox_fault *sandbox_fault_find(const struct sandbox_api *,
		    const char *name);

/* --- google.c ------------------------------------------------------- */

/* The letter of the family's codes and tokens (struct sandbox_family's
 * prov), for its members' struct sandbox_api. */
#define SANDBOX_GOOGLE_PROV	'g'

extern const struct sandbox_family sandbox_family_google;

/* The currency of a Google account (GA4 property, Ads customer). */
const char	*sandbox_google_currency(const char *account);

/* --- meta.c --------------------------------------------------------- */

#define SANDBOX_META_JSON	"application/json; charset=UTF-8"
#define SANDBOX_IG_PREFIX	"178414"	/* Instagram account ids */
#define SANDBOX_META_PROV	'm'	/* as SANDBOX_GOOGLE_PROV */

/* The family's consent data, and the Graph API's error style that
 * Facebook, Instagram and Meta Ads share. */
extern const struct sandbox_family sandbox_family_meta;
extern const struct sandbox_api sandbox_api_meta;

/* Adds the X-App-Usage header of a Graph answer. */
void		 sandbox_meta_app_usage(struct sbx *);

/* Adds the X-Business-Use-Case-Usage header of id, of a type ("pages",
 * "instagram"). */
void		 sandbox_meta_usage(struct sbx *, const char *id,
		    const char *type);

/* A Graph cursor for index i (base64 of it), in the arena. */
const char	*sandbox_meta_cursor(struct sbx *, long i);

/* The first index of this page: the one after the request's "after"
 * cursor, 0 without one. */
long		 sandbox_meta_after(struct sbx *);

/* This request's absolute URL with its after, before, since and until
 * left out and name=value added (value as given), in the arena. */
const char	*sandbox_meta_page_url(struct sbx *, const char *name,
		    const char *value);

/* Whether the Graph fields list (comma-separated, maybe with {...}
 * subfields) names f. */
bool		 sandbox_meta_has_field(const char *fields, const char *f);

/* Closes a "data" list of items off..end-1 of total and adds Graph
 * paging: cursors, and previous and next URLs where there are some. */
void		 sandbox_meta_paging(struct sbx *, long off, long end,
		    long total);

/* Starts the answer of a node: 200, "{", the usage header of type
 * ("pages", "instagram"); returns the fields asked for (default
 * "id,name"). */
const char	*sandbox_meta_node_start(struct sbx *, const char *id,
		    const char *type);

/* Ends it: the id (after a comma unless first) and "}". */
enum err	 sandbox_meta_node_end(struct sbx *, const char *id, bool first);

/* The id of a user's Page i (0..2), in the arena. */
const char	*sandbox_meta_page_id(struct sbx *, int user, int i);

/* One Page or Instagram insights metric: name, title, value source,
 * whether only metric_type=total_value has it. */
struct sandbox_meta_metric {
	const char	*name;
	const char	*title;
	int		 src;
	bool		 total_only;
};

/* GET /:id/insights of a Page (ig false) or an Instagram account over
 * the metrics of its table. */
enum err	 sandbox_meta_insights(struct sbx *, const char *id, bool ig,
		    const struct sandbox_meta_metric *, size_t n);

#endif
