/*
 * sandbox.h — the built-in simulator of the providers' OAuth and APIs.
 *
 * Files.  One per provider, named as its file in lib/providers/, each
 * exporting one `const struct sandbox_provider sandbox_<slug>`: its
 * routes, its fault rows and what else differs; google.c and meta.c hold what a family
 * shares (OAuth endpoints, the consent data, the Graph API's dispatch);
 * sandbox.c is the core (tokens, switches, consent, series), faults.c
 * the generic fault mechanism and registry.c the one list.  Adding a
 * provider's simulator is its file and one line in registry.c.
 *
 * A simulator of the OAuth flows and APIs of the providers Sluice
 * connects, so Sluice works on a fresh machine with no real accounts and
 * every OAuth, sync and pages test runs against it.
 *
 * The sandbox is served by cgi-bin/sandbox.c under /sandbox/ and answers
 * 404 to everything unless SLUICE_SANDBOX is on (`make run` turns it on).
 * It keeps no state: authorization codes and tokens carry provider, kind,
 * expiry, user seed, flags and the PKCE challenge in their text, sealed
 * with a checksum (not cryptographic: it is a simulator).  Data are
 * synthetic daily series seeded by account id, so the same request gives
 * the same body (within one day) and two accounts differ.
 *
 * URL scheme.  Each real base URL maps to a sandbox prefix and the
 * provider's own path follows, so a client only swaps the base: Google's
 * https://analyticsdata.googleapis.com/v1beta/... is
 * /sandbox/ga4-data/v1beta/..., Meta's https://graph.facebook.com/... is
 * /sandbox/graph/....  Each provider's file in lib/providers/ names its
 * bases and their prefixes (`.sandbox` of its struct provider).
 *
 * provider_sandbox_bases() (lib/providers/provider.h) gathers them: the
 * product never includes the simulator; GET /sandbox/bases returns them
 * as JSON ("bases"), with the simulated providers ("providers": the
 * authorize and token paths, scopes, PKCE and token style the product
 * uses, the family's token letter, the fault rows of each provider and
 * family), so a test can drive any provider from data.  Every answer of
 * an API names it in X-Sandbox-Api (struct sandbox_api's name).
 * Absolute URLs the sandbox writes (paging links, the Mailchimp
 * api_endpoint) use http://<Host of the request> + the prefix.
 *
 * Revocation: Google POST /revoke, Meta DELETE /{user}/permissions,
 * LinkedIn POST /oauth/v2/revoke, Slack auth.revoke, GitHub DELETE
 * /applications/{client_id}/grant|token; Mailchimp has none.  Valid
 * tokens answer success; the sandbox does not remember them (stateless).
 *
 * Consent.  Every authorize URL shows one consent page naming the
 * provider, client and scopes with Allow and Deny; both post to
 * /sandbox/consent, which redirects to redirect_uri with `code` and
 * `state`, or with the provider's own denial parameters.  As a real
 * provider, the sandbox knows its clients and their redirect URLs: the
 * client id must be the sandbox's own ("sluice-sandbox-client", or its
 * "-rotating" and "Iv1." variants below) and redirect_uri exactly
 * SLUICE_BASE_URL/oauth/<slug>/callback of a provider of that family;
 * otherwise the provider's own error page answers (GitHub: a redirect
 * to the registered callback with error=redirect_uri_mismatch), never a
 * redirect elsewhere.  The consent form carries an HMAC of its fields
 * and a 10-minute expiry; a post without it, with a field changed, or
 * that the browser says came from another site is refused (403).  A PKCE
 * S256 challenge sent to the authorize URL is checked at the token
 * endpoint.  `login_hint` (or the consent form's user field) picks
 * sandbox user 1-3.  Google gives a refresh token only for
 * access_type=offline; GitHub client ids starting "Iv" (GitHub Apps:
 * "Iv1.sluice-sandbox-client") get 8-hour tokens with refresh;
 * LinkedIn gives 365-day refresh tokens unless the "no_refresh" switch.
 *
 * Switches.  A switch is chosen by the request header
 * `X-Sandbox-Fault: NAME`, or by an account id or name in the path,
 * query, body or bearer token containing `-fault-NAME` (e.g. property
 * `312-fault-429`, channel `C1-fault-500`).  The sandbox's own pages
 * (consent, /sandbox/bases) take none.  Generic names:
 *
 *   429           rate limited, with Retry-After: GA4 429
 *                 RESOURCE_EXHAUSTED, Ads 429 quotaError, YouTube 403
 *                 quotaExceeded (as YouTube does), Meta 400 code 4,
 *                 LinkedIn 429 serviceErrorCode 101, Mailchimp 429
 *                 problem+json, Slack 429 ok:false ratelimited, GitHub
 *                 403 secondary rate limit, token endpoints 429
 *   500           server error: Google 500 INTERNAL, Meta 500 code 1/99,
 *                 LinkedIn/Mailchimp/GitHub 500, Slack HTTP 200 ok:false
 *                 internal_error
 *   slow          answers normally after a 3 s sleep (SANDBOX_SLOW_MS)
 *                 (SLUICE_SANDBOX_LATENCY_MS adds a delay to every API
 *                 answer, for benchmarks)
 *   401           expired access token: Google 401 UNAUTHENTICATED
 *                 (YouTube authError), Meta 400 code 190/463, LinkedIn
 *                 401 EXPIRED_ACCESS_TOKEN, Mailchimp 401 problem+json
 *                 (metadata: 200 {"error":"invalid_token"}), Slack 200
 *                 token_expired, GitHub 401 Bad credentials
 *   invalid_grant token endpoints refuse the grant: Google 400
 *                 invalid_grant, LinkedIn 400 invalid_request, Slack 200
 *                 invalid_refresh_token, GitHub 200 bad_verification_code,
 *                 Meta 400 code 100/36009, Mailchimp 400 invalid_grant
 *   truncated     the normal body cut in half (invalid JSON)
 *   removed_metric Meta: 400 (#100) invalid insights metric; GA4: 400
 *                 INVALID_ARGUMENT for a metric name
 *   pages         listings and reports split into SANDBOX_MANY_PAGES
 *                 pages (50): GA4 account summaries, Meta accounts and
 *                 ads insights, LinkedIn ACLs, Mailchimp lists and
 *                 reports, Slack channels, GitHub repositories, Google
 *                 Business Profile accounts and locations (one a page)
 *   empty         the account has no data (no rows / no channel / a
 *                 location without reviews)
 *   rotation      Slack: tokens from this code rotate (also client_id
 *                 ending in "-rotating")
 *   no_refresh    LinkedIn: the app has no programmatic refresh tokens
 *   403           permission denied in the provider's shape
 *   404           Google Business Profile: the location was deleted
 *                 (404 NOT_FOUND; also "deleted" on its API)
 *   deleted       Slack: one message and one reply in 40 of the big
 *                 channel are gone (thread parents stay), as if deleted
 *                 since the last run; carry it in a connection's token
 *   short_pages   GA4: report pages of 2 rows whatever the limit asked
 *                 (rowCount stays the whole report's)
 *   late          YouTube: Analytics publishes a day 3 days late
 *                 (without it, 2 days late)
 *   quota_low     GA4: runReport's propertyQuota leaves 412 tokens of
 *                 the hour (quota_day_low: 1,830 of the day)
 *   ga4_project_quota GA4: runReport answers 429 RESOURCE_EXHAUSTED
 *                 (the project's hourly tokens, no Retry-After) for
 *                 every property but the person's first; carry it in a
 *                 connection's token to stop a sync after one property
 *   quiet_days    GA4: every fifth day (days since 1970 divisible by 5)
 *                 had no visit: its report row is left out, as GA4 leaves
 *                 out a row whose metrics are all 0; Google Ads: no
 *                 campaign ran on it (its campaign rows are left out)
 *   quota_midway  GA4: the same 429 for every report page but the first
 *                 (offset > 0): a backfill cut short part way
 *   usage_high    Meta: a good, empty answer whose X-App-Usage and
 *                 X-Business-Use-Case-Usage say 93% used (4 minutes to
 *                 regain access)
 *   retry_info    Google Ads: 429 RESOURCE_TEMPORARILY_EXHAUSTED whose
 *                 wait is a google.rpc.RetryInfo retryDelay of 42s
 *   stream_error  Google Ads: searchStream answers HTTP 200 whose array
 *                 ends, after its first batch, in an error (500 INTERNAL)
 *   dev_token     Google Ads: 403 DEVELOPER_TOKEN_NOT_APPROVED (a
 *                 developer token approved for test accounts only)
 *   throttled     Mailchimp: its connection limit as a 403 "Too Many
 *                 Requests" with Retry-After: 45
 *   no_page_token Facebook: the Page's node answers fields=access_token
 *                 without one (the person lost the Page role), and its
 *                 insights refuse the user's token with (#190)
 *
 * Slack's big channel: any channel id starting "C0SBXBIG" (not listed by
 * conversations.list; select it by id) holds 23 messages a day back 400
 * days, a thread of 2 to 4 replies every third day and one of 240
 * replies every 45th; history and replies page by `limit` and cursor.
 *
 * A switch can also live in a connection: consent with user (or
 * login_hint) "anything-fault-NAME" and every code, token and refreshed
 * token of that grant carries "-fault-NAME-", so Sluice's own calls with
 * it get the switch (token endpoints ignore 401: the refresh works, the
 * new token still fails).  Stateless limits: a code can be redeemed
 * twice, Slack's refresh tokens are not single-use and revocation is not
 * remembered; the switches produce those errors instead.
 *
 * Restatement windows (days a past day may still change once): GA4 3,
 * Google Ads 30, YouTube 3, Meta Page/IG 3 and ads 28, LinkedIn 2,
 * Mailchimp activity 7 (campaign reports grow for 7 days), GitHub 2.
 *
 * Every error shape of tests/fixtures/providers can also be asked for by its
 * example file's name without ".json" (e.g. `error_613_rate_limit`,
 * `error-403-quota-exceeded-data-api`); each provider's fault rows list
 * them.
 * Without a switch the sandbox answers errors naturally too: expired or
 * garbled tokens get the provider's 401 (or 200 ok:false), a code with
 * a wrong PKCE verifier or redirect_uri gets invalid_grant, removed Meta
 * metrics and GA4's `conversions` fail the whole call.
 */
#ifndef SLUICE_SANDBOX_H
#define SLUICE_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "web/route.h"

struct ctx;
struct sbx;

#define SANDBOX_SLOW_MS		3000	/* the "slow" switch */
#define SANDBOX_MANY_PAGES	50	/* the "pages" switch */

/*
 * One API's error style: which fault rows apply to its requests, whose
 * tokens it takes and which of its rows answer a missing, garbled or
 * expired token.  Each provider file owns its own.
 */
struct sandbox_api {
	const char	*name;		/* "ga4", for messages */
	char		 prov;		/* its family's prov: whose tokens */
	const char	*invalid;	/* garbled or another provider's */
	const char	*missing;	/* no token at all; NULL: invalid */
	const char	*expired;	/* expired; NULL: invalid */
};

/* One named error shape the switches can produce. */
struct sandbox_fault {
	const struct sandbox_api *api;	/* the API whose errors it is */
	const char	*name;		/* example file name, no ".json" */
	const char	*aliases;	/* generic names, space-separated */
	int		 status;
	const char	*headers;	/* "Name: value\n" lines */
	const char	*ctype;
	const char	*body;
};

/*
 * A node or edge of Meta's Graph API that a Meta provider answers:
 * lib/sandbox/meta.c serves /graph/:ver/:id and /graph/:ver/:id/:edge
 * and hands each request to the entry of the right edge (NULL: the node
 * itself) whose id prefix is the longest that matches.  The handler
 * gets the started request and the id; it answers as a route handler.
 */
struct sandbox_graph {
	const char	*edge;		/* "insights"; NULL: the node */
	const char	*id_prefix;	/* "act_"; "": any id */
	bool		 post;		/* answers POST too */
	enum err	(*fn)(struct sbx *, const char *id);
};

/*
 * What the providers of one OAuth family share: the consent page's data
 * (lib/sandbox/sandbox.c) and the routes and fault rows of its common
 * endpoints.  A family of one provider keeps its routes in the provider.
 */
struct sandbox_family {
	const char	*id;		/* provider.h's family: "google" */
	const char	*name;		/* shown on the consent page */
	const char	*authorize;	/* prefix of its authorize paths */
	char		 sep;		/* scope separator */
	/* The letter in its codes and tokens ([a-z0-9]), unlike any other
	 * family's (test_sandbox checks): a single provider's family
	 * defines it in its own file. */
	char		 prov;
	const char	*code_prefix;	/* before a code's "S1." */
	/* What it answers, on its own page, to an unknown client or an
	 * unregistered redirect_uri.  redirect_status 0: it redirects to
	 * the registered callback instead, with error=redirect_uri_mismatch,
	 * mismatch_description and mismatch_uri (GitHub). */
	int		 client_status;
	const char	*client_error;
	int		 redirect_status;
	const char	*redirect_error;
	const char	*mismatch_description;
	const char	*mismatch_uri;
	const char *const *deny;	/* name, value, ...: on Deny; NULL:
					   error=access_denied */
	const char *const *allow;	/* name, value, ...: after code and
					   state on Allow */
	bool		 state_first;	/* state before code on Allow */
	bool		 echo_scope;	/* the scope back on Allow */
	const struct route *routes;
	size_t		 nroutes;
	const struct sandbox_fault *faults;
	size_t		 nfaults;
};

/*
 * One provider's simulator: the product's slug, its family, its routes
 * (patterns under its sandbox prefixes, lib/providers/provider.h's
 * provider_sandbox_bases()), its fault rows and, for Meta, its Graph
 * nodes and edges.
 */
struct sandbox_provider {
	const char	*slug;		/* as provider_get() knows it */
	const struct sandbox_family *family;
	const struct route *routes;
	size_t		 nroutes;
	const struct sandbox_fault *faults;
	size_t		 nfaults;
	const struct sandbox_graph *graph;
	size_t		 ngraph;
};

/* A table and its length, as the structs above take them:
 * SANDBOX_LIST(routes) is ".routes = routes, .nroutes = nitems(routes)". */
#define SANDBOX_LIST(x)	.x = (x), .n##x = nitems(x)

/* The registry (lib/sandbox/registry.c): every provider's simulator, in
 * the order of its routes; *n set to its length; static. */
const struct sandbox_provider *const *sandbox_all(size_t *n);

/*
 * The sandbox program's route table: the sandbox's own pages, then for
 * each provider of sandbox_all() its family's routes (the first time
 * the family comes) and its own.  Built once and kept for the process;
 * *n set to its length.
 */
const struct route *sandbox_routes(size_t *n);

/*
 * Synthetic metrics of one account on one day (days since 1970-01-01).
 * Deterministic in (account, day, today): weekly seasonality, a slow
 * trend, an occasional spike; ratios hold (clicks < impressions,
 * conversions < clicks, uniques <= totals).  A day younger than the
 * restatement window may be reported lower until a day chosen per
 * (account, day) inside the window, then its final value: it changes
 * at most once.
 */
struct sandbox_day {
	int64_t		 visits;	/* sessions, page visits */
	int64_t		 users;
	int64_t		 pageviews;
	int64_t		 impressions;
	int64_t		 reach;		/* unique people, <= impressions */
	int64_t		 clicks;
	double		 conversions;
	int64_t		 cost_micros;
	double		 revenue;
	int64_t		 engagements;
	int64_t		 likes;
	int64_t		 comments;
	int64_t		 shares;
	int64_t		 follows;	/* gained */
	int64_t		 unfollows;
	int64_t		 views;		/* video or content views */
	int64_t		 minutes;	/* watched */
	int64_t		 emails_sent;
	int64_t		 opens;
	int64_t		 messages;
	double		 bounce_rate;	/* 0..1 */
	double		 avg_duration;	/* seconds */
};

void		 sandbox_series(const char *account, int64_t day,
		    int64_t today, int restate_days, struct sandbox_day *out);

/* The days d0..d1 (inclusive) summed into out: counts add up, rates
 * and durations are averaged weighted by visits. */
void		 sandbox_series_sum(const char *account, int64_t d0,
		    int64_t d1, int64_t today, int restate_days,
		    struct sandbox_day *out);

/* Days since 1970-01-01 for "YYYY-MM-DD" (or "YYYYMMDD"); -1 when bad. */
int64_t		 sandbox_day_parse(const char *);

/* Writes "YYYY-MM-DD" (sep '-') or "YYYYMMDD" (sep 0) into out[11]. */
void		 sandbox_day_format(int64_t day, char sep, char out[11]);

/* 64-bit FNV-1a of a string mixed with a salt; deterministic. */
uint64_t	 sandbox_hash(const char *, uint64_t salt);

/* The sandbox's own pages (sandbox_routes() lists them).  Each answers
 * ERR_NOTFOUND when the sandbox is off; what they write belongs to the
 * request arena. */
enum err	 sandbox_index(struct ctx *);		/* GET /sandbox/bases */
enum err	 sandbox_authorize(struct ctx *);	/* consent page */
enum err	 sandbox_consent(struct ctx *);		/* Allow/Deny post */

#endif
