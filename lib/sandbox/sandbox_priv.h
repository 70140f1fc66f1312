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

/* Error style of an API: which catalogue entries apply. */
enum sandbox_style {
	SBX_GOOGLE_OAUTH,	/* token/revoke: RFC 6749 bodies */
	SBX_GA4,		/* {error:{code,message,status,details?}} */
	SBX_ADS,		/* GoogleAdsFailure details */
	SBX_YOUTUBE,		/* {error:{errors[],code,message}} */
	SBX_META,		/* {error:{message,type,code,...}} */
	SBX_LINKEDIN_OAUTH,
	SBX_LINKEDIN,		/* {status,serviceErrorCode,code,message} */
	SBX_MAILCHIMP_LOGIN,
	SBX_MAILCHIMP,		/* problem+json */
	SBX_SLACK,		/* 200 ok:false */
	SBX_GITHUB_OAUTH,	/* 200 {error,...} */
	SBX_GITHUB,		/* {message,documentation_url,status} */
	SBX__MAX
};

/* Provider codes carried in tokens. */
enum sandbox_prov {
	SBXP_GOOGLE = 'g',
	SBXP_META = 'm',
	SBXP_LINKEDIN = 'l',
	SBXP_MAILCHIMP = 'c',
	SBXP_SLACK = 's',
	SBXP_GITHUB = 'h',
};

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
	int		 style;
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

/*
 * Starts a sandbox request: 404 when the sandbox is off, reads the
 * switch, sleeps for "slow", answers a catalogue error the switch names,
 * checks the token when SBX_AUTH.  Returns true when the handler should
 * go on; false when the response is complete (*rcout to return).
 */
bool		 sandbox_begin(struct ctx *, int style, unsigned flags,
		    struct sbx *, enum err *rcout);

/* Finishes a body (the "truncated" switch cuts it). */
enum err	 sandbox_done(struct sbx *);

/* True when the switch is name. */
bool		 sandbox_is(const struct sbx *, const char *name);

/* Answers the catalogue entry name of the request's style (or of style
 * when >= 0); ERR_OK, or ERR_SYSTEM when there is no such entry. */
enum err	 sandbox_fail(struct sbx *, int style, const char *name);

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

#endif
