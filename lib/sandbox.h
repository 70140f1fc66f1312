/*
 * sandbox.h — the built-in provider sandbox: a simulator of the OAuth
 * flows and APIs of the ten providers Sluice connects, so Sluice works
 * on a fresh machine with no real accounts and every OAuth, sync and
 * pages test runs against it.
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
 * provider's own path follows, so a client only swaps the base:
 *
 *   provider   role            real base                                 sandbox prefix
 *   google     authorize       https://accounts.google.com               /sandbox/google-accounts
 *   google     token, revoke   https://oauth2.googleapis.com             /sandbox/google-oauth
 *   ga4        admin API       https://analyticsadmin.googleapis.com     /sandbox/ga4-admin
 *   ga4        data API        https://analyticsdata.googleapis.com      /sandbox/ga4-data
 *   google_ads API             https://googleads.googleapis.com          /sandbox/google-ads
 *   youtube    data API        https://www.googleapis.com/youtube/v3     /sandbox/youtube/v3
 *   youtube    analytics API   https://youtubeanalytics.googleapis.com   /sandbox/youtube-analytics
 *   meta       login dialog    https://www.facebook.com                  /sandbox/facebook
 *   meta       graph (token, pages, instagram, ads)
 *                              https://graph.facebook.com                /sandbox/graph
 *   linkedin   authorize/token https://www.linkedin.com                  /sandbox/linkedin-www
 *   linkedin   API             https://api.linkedin.com                  /sandbox/linkedin-api
 *   mailchimp  authorize/token/metadata
 *                              https://login.mailchimp.com               /sandbox/mailchimp-login
 *   mailchimp  API             https://{dc}.api.mailchimp.com            /sandbox/mailchimp/{dc}
 *   slack      authorize + Web API
 *                              https://slack.com                         /sandbox/slack
 *   github     authorize/token https://github.com                        /sandbox/github
 *   github     REST API        https://api.github.com                    /sandbox/github-api
 *
 * sandbox_bases[] is the same table in code; GET /sandbox/bases returns
 * it as JSON.  Absolute URLs the sandbox writes (paging links, the
 * Mailchimp api_endpoint) use http://<Host of the request> + the prefix.
 *
 * Consent.  Every authorize URL shows one consent page naming the
 * provider, client and scopes with Allow and Deny; both post to
 * /sandbox/consent, which redirects to redirect_uri with `code` and
 * `state`, or with the provider's own denial parameters.  A PKCE S256
 * challenge sent to the authorize URL is checked at the token endpoint.
 * `login_hint` (or the consent form's user field) picks sandbox user 1-3.
 *
 * Switches.  A switch is chosen by the request header
 * `X-Sandbox-Fault: NAME`, or by an account id or name in the path or
 * query containing `-fault-NAME` (e.g. property `312-fault-429`, channel
 * `C1-fault-500`).  Generic names, each giving the provider's own shape:
 *
 *   429           rate limited: the provider's rate-limit error with
 *                 Retry-After (YouTube: 403 quotaExceeded, as YouTube
 *                 does; Slack: 429 ok:false ratelimited)
 *   500           the provider's internal/server error
 *   slow          answers normally after a 3 s sleep (SANDBOX_SLOW_MS)
 *                 (SLUICE_SANDBOX_LATENCY_MS adds a delay to every API
 *                 answer, for benchmarks)
 *   401           expired access token (Slack: HTTP 200 token_expired;
 *                 Mailchimp: 401 problem+json)
 *   invalid_grant token endpoints: refresh/code refused the provider's way
 *                 (Google/LinkedIn 400 invalid_grant/invalid_request,
 *                 Slack ok:false invalid_refresh_token, GitHub 200
 *                 bad_verification_code, Meta 400 code 100/36009)
 *   truncated     the normal body cut in half (invalid JSON)
 *   removed_metric Meta: (#100) invalid insights metric; GA4: 400
 *                 INVALID_ARGUMENT for a metric name
 *   pages         listings and reports split into SANDBOX_MANY_PAGES
 *                 pages (50)
 *   empty         the account has no data (no rows / no channel)
 *   rotation      Slack: tokens from this code rotate (also client_id
 *                 ending in "-rotating")
 *   no_refresh    LinkedIn: the app has no programmatic refresh tokens
 *
 * Every error shape of ../shared/providers can also be asked for by its
 * example file's name without ".json" (e.g. `error_613_rate_limit`,
 * `error-403-quota-exceeded-data-api`); sandbox_faults() lists them.
 * Without a switch the sandbox answers errors naturally too: expired or
 * garbled tokens get the provider's 401 (or 200 ok:false), a code with
 * a wrong PKCE verifier or redirect_uri gets invalid_grant, removed Meta
 * metrics and GA4's `conversions` fail the whole call.
 */
#ifndef SLUICE_SANDBOX_H
#define SLUICE_SANDBOX_H

#include <stdint.h>

#include "err.h"

struct ctx;

#define SANDBOX_SLOW_MS		3000	/* the "slow" switch */
#define SANDBOX_MANY_PAGES	50	/* the "pages" switch */

/* One row of the base-URL mapping. */
struct sandbox_base {
	const char	*provider;	/* google, ga4, google_ads, ... */
	const char	*role;		/* what the base serves */
	const char	*real;		/* the provider's base URL */
	const char	*path;		/* the sandbox prefix under the host */
};

extern const struct sandbox_base sandbox_bases[];
extern const size_t sandbox_nbases;

/* One named error shape the switches can produce. */
struct sandbox_fault {
	int		 style;		/* enum sandbox_style (sandbox_priv.h) */
	const char	*name;		/* example file name, no ".json" */
	const char	*aliases;	/* generic names, space-separated */
	int		 status;
	const char	*headers;	/* "Name: value\n" lines */
	const char	*ctype;
	const char	*body;
};

/* The catalogue of error shapes, *n set to its length; static. */
const struct sandbox_fault *sandbox_faults(size_t *n);

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

/* Days since 1970-01-01 for "YYYY-MM-DD" (or "YYYYMMDD"); -1 when bad. */
int64_t		 sandbox_day_parse(const char *);

/* Writes "YYYY-MM-DD" (sep '-') or "YYYYMMDD" (sep 0) into out[11]. */
void		 sandbox_day_format(int64_t day, char sep, char out[11]);

/* 64-bit FNV-1a of a string mixed with a salt; deterministic. */
uint64_t	 sandbox_hash(const char *, uint64_t salt);

/*
 * Route handlers (cgi-bin/sandbox.c holds the table).  Each answers in
 * its provider's shapes, with status ERR_OK, or ERR_NOTFOUND when the
 * sandbox is off.  Everything they write belongs to the request arena.
 */
enum err	 sandbox_index(struct ctx *);		/* GET /sandbox/bases */
enum err	 sandbox_authorize(struct ctx *);	/* consent page */
enum err	 sandbox_consent(struct ctx *);		/* Allow/Deny post */

enum err	 sandbox_google_token(struct ctx *);
enum err	 sandbox_google_revoke(struct ctx *);
enum err	 sandbox_ga4_summaries(struct ctx *);
enum err	 sandbox_ga4_property(struct ctx *);
enum err	 sandbox_ga4_report(struct ctx *);
enum err	 sandbox_ads_customers(struct ctx *);
enum err	 sandbox_ads_stream(struct ctx *);
enum err	 sandbox_yt_channels(struct ctx *);
enum err	 sandbox_yt_reports(struct ctx *);

enum err	 sandbox_meta_token(struct ctx *);
enum err	 sandbox_meta_debug(struct ctx *);
enum err	 sandbox_meta_node(struct ctx *);	/* GET /:ver/:id */
enum err	 sandbox_meta_edge(struct ctx *);	/* /:ver/:id/:edge */

enum err	 sandbox_linkedin_token(struct ctx *);
enum err	 sandbox_linkedin_introspect(struct ctx *);
enum err	 sandbox_linkedin_acls(struct ctx *);
enum err	 sandbox_linkedin_org(struct ctx *);
enum err	 sandbox_linkedin_stats(struct ctx *);
enum err	 sandbox_linkedin_network(struct ctx *);

enum err	 sandbox_mailchimp_token(struct ctx *);
enum err	 sandbox_mailchimp_metadata(struct ctx *);
enum err	 sandbox_mailchimp_lists(struct ctx *);
enum err	 sandbox_mailchimp_reports(struct ctx *);
enum err	 sandbox_mailchimp_activity(struct ctx *);

enum err	 sandbox_slack_method(struct ctx *);	/* /api/:method */

enum err	 sandbox_github_token(struct ctx *);
enum err	 sandbox_github_user(struct ctx *);
enum err	 sandbox_github_repos(struct ctx *);
enum err	 sandbox_github_repo(struct ctx *);
enum err	 sandbox_github_traffic(struct ctx *);
enum err	 sandbox_github_stargazers(struct ctx *);
enum err	 sandbox_github_rate(struct ctx *);

#endif
