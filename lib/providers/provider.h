/*
 * provider.h — a provider as data and hooks, and the registry.
 *
 * Each provider lives in one file, lib/providers/<slug>.c, exporting one
 * `const struct provider provider_<slug>` written with designated
 * initialisers: its URLs, scopes, token style, windows, headers, metric
 * catalogue and sandbox prefixes as data, and hooks only for what
 * differs (listing accounts, fetching a day range, reading its own error
 * bodies, the token exchange's quirks).  A family's shared parts are in
 * google.h and meta.{c,h}.  lib/providers/registry.c holds the one list;
 * everything that lists providers (validation, messages, enums) asks it.
 *
 * Every URL can be overridden by configuration, SLUICE_<ENV>_AUTH_URL,
 * _TOKEN_URL, _REVOKE_URL, _API_BASE (and _API_BASE2, _API_BASE3 where a
 * provider has two or three APIs), _WHOAMI_URL; credentials come from
 * SLUICE_<ENV>_CLIENT_ID and _CLIENT_SECRET, falling back to the family's
 * (SLUICE_GOOGLE_…, SLUICE_META_…).  A provider without credentials uses
 * the built-in sandbox when SLUICE_SANDBOX is on, and is "not configured"
 * otherwise.
 * Everything here is static storage unless a function says otherwise.
 */
#ifndef SLUICE_PROVIDER_H
#define SLUICE_PROVIDER_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

struct accounts_lister;
struct arena;
struct config;
struct fetch;
struct httpc;
struct oauth_call;
struct oauth_failure;
struct oauth_tokens;
struct pcall_result;
struct syncnorm;

/*
 * How its token endpoint takes the client's id and secret, for the code
 * exchange, the refresh and a REVOKE_URL's revocation (oauth.c).
 */
enum provider_token_auth {
	PROVIDER_TOKEN_AUTH_FORM,	/* client_id and secret in the form */
	PROVIDER_TOKEN_AUTH_BASIC,	/* HTTP Basic (RFC 6749, 2.3.1) */
};

enum provider_url {
	PROVIDER_AUTH_URL,
	PROVIDER_TOKEN_URL,
	PROVIDER_REVOKE_URL,
	PROVIDER_API_BASE,
	PROVIDER_API_BASE2,
	PROVIDER_API_BASE3,
	PROVIDER_WHOAMI_URL,		/* who the login is (GET, the token) */
	PROVIDER_URL__MAX
};

/* Whether a provider can be connected here, and how. */
enum provider_mode {
	PROVIDER_REAL,			/* credentials configured */
	PROVIDER_SANDBOX,		/* no credentials, sandbox on */
	PROVIDER_UNCONFIGURED,		/* neither */
};

/*
 * The catalogue's vocabulary (lib/metrics/metric.h aggregates by it).
 *   SUM     counts and amounts: the sum of the period's days.
 *   RATIO   rates: sum(num) / sum(den) over the period, from two stored
 *           metrics, never a mean of daily rates; not stored itself.
 *   LAST    running totals (followers): the latest day with data.
 *   TOTALS  non-additive counts (unique users, reach): the provider's own
 *           total for an N-day period, stored as "<name>:<N>d" on the
 *           period's last day; days are never summed.
 */
enum metric_agg {
	METRIC_SUM,
	METRIC_RATIO,
	METRIC_LAST,
	METRIC_TOTALS,
	METRIC__MAX
};

#define METRIC_WORDS	4	/* everyday words of one metric */

/* One metric of a provider's catalogue. */
struct metric_def {
	const char	*name;		/* stored (or derived) name */
	const char	*label;		/* for people */
	const char	*unit;		/* count, seconds, ... */
	enum metric_agg	 agg;
	const char	*num;		/* RATIO: numerator metric */
	const char	*den;		/* RATIO: denominator metric */
	bool		 complement;	/* RATIO: 1 - num / den */
	/* TOTALS: the tiles' periods the provider gives no total for
	 * (METRIC_7D | ...; 0: it gives all), and why, for people. */
	unsigned	 no_totals;
	const char	*no_totals_why;
	/* Events on some days only (a campaign's send day): a day without
	 * a row is a zero, not a gap, so a period is never partial. */
	bool		 sparse;
	/* Everyday words for it in a question (lib/insights/intel.h:
	 * "spend" for Cost), besides its label and name; any provider's
	 * metric of this name answers them. */
	const char	*words[METRIC_WORDS];
};

#define METRIC_7D	1u
#define METRIC_28D	2u
#define METRIC_90D	4u

/* Catalogue rows, for the provider files' tables. */
#define METRIC_DEF_SUM(n, l, u) \
	{ .name = n, .label = l, .unit = u, .agg = METRIC_SUM }
#define METRIC_DEF_LAST(n, l, u) \
	{ .name = n, .label = l, .unit = u, .agg = METRIC_LAST }
#define METRIC_DEF_TOTALS(n, l, u) \
	{ .name = n, .label = l, .unit = u, .agg = METRIC_TOTALS }
#define METRIC_DEF_RATIO(n, l, u, a, b) \
	{ .name = n, .label = l, .unit = u, .agg = METRIC_RATIO, .num = a, \
	    .den = b }
#define METRIC_DEF_RATIO1M(n, l, u, a, b) \
	{ .name = n, .label = l, .unit = u, .agg = METRIC_RATIO, .num = a, \
	    .den = b, .complement = true }
/* A SUM of events that happen on some days only. */
#define METRIC_DEF_SPARSE(n, l, u) \
	{ .name = n, .label = l, .unit = u, .agg = METRIC_SUM, .sparse = true }
/* A TOTALS metric whose provider has no total for the periods in mask. */
#define METRIC_DEF_TOTALS_BUT(n, l, u, mask, why) \
	{ .name = n, .label = l, .unit = u, .agg = METRIC_TOTALS, \
	    .no_totals = (mask), .no_totals_why = why }

/*
 * One daily value as metric_daily stores it: what a provider's fetch
 * produces (lib/providers/syncnorm.h) and what ingest stores
 * (lib/metrics/ingest.h).
 */
struct metric_row {
	const char	*source;	/* [a-z0-9_.:-]{1,64} */
	const char	*account_id;	/* the provider's id, or "" (ingest: the */
					/* same set as source, 0-64) */
	const char	*metric;	/* same set, 1-64 */
	const char	*date;		/* YYYY-MM-DD, a real date */
	const char	*value;		/* decimal text: ingest_value() */
	const char	*dims;		/* compact JSON, NULL for {} */
};

/*
 * One real base URL and the sandbox prefix that stands for it in sandbox
 * mode (the sandbox's URL scheme: lib/sandbox/sandbox.h).
 */
struct provider_sandbox_base {
	const char	*owner;		/* google, ga4, meta, ... */
	const char	*role;		/* what the base serves */
	const char	*real;		/* the provider's base URL */
	const char	*path;		/* the sandbox prefix under the host */
};

/* An extra header of every API call; the value from env when set. */
struct provider_header {
	const char	*name;
	const char	*env;		/* SLUICE_... value, or NULL */
	const char	*value;
};

#define PROVIDER_HEADERS	2
#define PROVIDER_BASES		6
#define PROVIDER_WORDS		4	/* everyday words of a provider */

/*
 * A provider's rules that tests/unit/test_registry.c checks for every
 * registered one:
 *   slug        unique; env is the slug in capitals ("GOOGLE_ADS");
 *   name, family, accounts, api_version, list, fetch: set;
 *   urls        AUTH_URL, TOKEN_URL and API_BASE set, and every URL set
 *               has a sandbox prefix in sandbox[] (at least one);
 *   mark        two characters, unlike any other provider's; mark_colour
 *               "#rrggbb", with mark_ink (NULL: white) a WCAG contrast
 *               ratio of at least 4.5;
 *   reads       contains "Sluice only reads" and ends with a full stop;
 *   restatement_days > 0; metrics: PROVIDER_CATALOGUE(table), not empty.
 */
struct provider {
	const char	*slug;		/* "google_ads": URLs, rows, config */
	const char	*name;		/* "Google Ads" */
	const char	*family;	/* google, meta, or its own slug */
	const char	*env;		/* "GOOGLE_ADS": SLUICE_GOOGLE_ADS_... */
	const char	*family_env;	/* "GOOGLE", or NULL */
	const char	*urls[PROVIDER_URL__MAX]; /* real URLs, NULL: none */
	const char	*scopes;	/* as sent, separator included */
	const char	*auth_params;	/* extra authorize parameters */
	/* The authorize parameter that suggests a login ("login_hint",
	 * GitHub's "login"), given a connection's label on Reconnect;
	 * NULL: none. */
	const char	*login_hint;
	bool		 pkce;		/* send an S256 challenge */
	enum provider_token_auth token_auth; /* FORM unless set */
	/*
	 * How it says a token call failed, when not as RFC 6749
	 * ({"error", "error_description"}), Meta ({"error": {"code",
	 * "message"}}) or Slack ({"ok": false, "error"}), which are read
	 * for every provider: the members of its error's code and of its
	 * words for people ({"code", "message"}), and the codes that refuse
	 * the grant, space-separated ("1": the connection then asks to be
	 * reconnected; any other code is a refusal to try again).  Unset,
	 * another shape is a refusal whose "message" (or "error_message",
	 * "detail", "title") reaches the person, cleaned of controls and
	 * cut to LIMIT_PROVIDER_TEXT; nothing a provider says is dropped.
	 */
	const char	*token_error[2];
	const char	*token_refused;
	/* Revocation by POST to API_BASE + this path with the access token
	 * as Bearer (Slack), when there is no REVOKE_URL; NULL: none. */
	const char	*revoke_path;
	int		 restatement_days; /* trailing window re-fetched */
	/* Days the provider publishes a day late (YouTube Analytics: 2-3,
	 * GA4: 24-48 hours): later runs re-fetch restatement_days +
	 * lag_days.  Each provider's value cites its documentation; 0 where
	 * restatement_days covers it already (Meta's 28, Google Ads' 30) or
	 * the provider has the day at once (Mailchimp, Slack, GitHub). */
	int		 lag_days;
	int		 keeps_days;	/* history kept upstream; 0: all */
	bool		 content;	/* its fetch keeps content items */
	const char	*accounts;	/* what its accounts are called */
	const char	*mark;		/* its monogram on the pages ("GA") */
	const char	*mark_colour;	/* the mark's background ("#b35900") */
	const char	*mark_ink;	/* its letters' colour; NULL: white */
	const char	*reads;		/* what Sluice reads, for people */
	/* Everyday words for it in a question ("newsletter", "website";
	 * lib/insights/intel.h), besides its name and slug. */
	const char	*words[PROVIDER_WORDS];
	/* The catalogue metric holding its ad spend (money in millionths,
	 * per currency): lib/business/attribution.h reports it as the
	 * spend of the channel named as the provider is; NULL: none. */
	const char	*spend_metric;
	/* Whose calendar its days follow, for people ("UTC", "each ad
	 * account's time zone"); NULL: the workspace's. */
	const char	*days;
	const char	*api_version;	/* the APIs Sluice speaks, for people */
	/* The version of the API that expires: "{version}" in urls[] (or
	 * the header named by version_env) is it; version_env changes it;
	 * api_sunset is the day the default retires (NULL: not published),
	 * SLUICE_<ENV>_API_SUNSET that of a configured one. */
	const char	*version;	/* "v23", "202603"; NULL: none */
	const char	*version_env;	/* "SLUICE_GOOGLE_ADS_API_VERSION" */
	const char	*api_sunset;	/* YYYY-MM-DD the default retires */
	const char	*auth_scheme;	/* API calls: "Bearer" when NULL */
	struct provider_header headers[PROVIDER_HEADERS];
	struct provider_sandbox_base sandbox[PROVIDER_BASES];
	const struct metric_def *metrics;	/* its catalogue, in order */
	size_t		 nmetrics;

	/* Appends its accounts (lib/providers/accounts.h); pcall errors. */
	enum err	(*list)(struct accounts_lister *);
	/* Fetches one account's rows for the window (f->days ending today)
	 * into n (lib/providers/fetch.h).  The account id comes as the
	 * listing gave it: escape it in URLs.  Follow pages up to
	 * LIMIT_SYNC_PAGES; store a TOTALS metric's own total for each
	 * period the tiles show (7, 28, 90 days ending yesterday in the
	 * workspace's zone, and the periods before) as "<name>:<N>d" on the
	 * period's last day.  Errors as fetch_call(), f->why set. */
	enum err	(*fetch)(struct fetch *, struct syncnorm *n,
			    const char *account);
	/* Reads its own error bodies (Slack's ok:false, Meta's codes):
	 * the error, with out->why and out->retry_after set, or ERR_OK
	 * when the answer is for the generic classification. */
	enum err	(*classify)(struct arena *, const struct provider *,
			    struct pcall_result *out);
	/* Replaces the code exchange / the refresh (Meta's long-lived
	 * tokens); NULL: the standard OAuth 2 calls. */
	enum err	(*exchange)(const struct oauth_call *,
			    const char *code, const char *verifier,
			    struct oauth_tokens *out);
	enum err	(*refresh)(const struct oauth_call *,
			    const struct oauth_tokens *t,
			    struct oauth_tokens *out);
	/* Revokes the grant where it takes more than a REVOKE_URL or
	 * revoke_path (GitHub's DELETE of the grant, LinkedIn's client
	 * credentials, Meta's permissions): oauth_revoke_send()'s errors;
	 * NULL: those, or nothing to revoke. */
	enum err	(*revoke)(const struct oauth_call *,
			    const struct oauth_tokens *t);
	/* After a good exchange (Mailchimp's metadata call). */
	enum err	(*after_exchange)(const struct oauth_call *,
			    struct oauth_tokens *t);
	/*
	 * Who the login is (oauth_whoami()): reads the answer (HTTP
	 * status and body) of its identity call — a GET of
	 * urls[PROVIDER_WHOAMI_URL] with the token; Mailchimp: its
	 * metadata, read by after_exchange — into t->owner (the
	 * provider's stable id of the login) and t->owner_label (an email
	 * or a name, for people; may stay NULL).  ERR_OK; ERR_AUTH when
	 * the provider refused the token, ERR_UPSTREAM when the answer
	 * names nobody; f->message says which in plain words.  NULL: the
	 * token answer names the login (Slack: team and authed user).
	 */
	enum err	(*whoami)(struct arena *, const struct provider *,
			    int status, const char *body, size_t len,
			    struct oauth_tokens *t, struct oauth_failure *f);
	/*
	 * After whoami named the login from body (its answer): one more
	 * call may give it a better label for people (LinkedIn: the name
	 * of the page its role is on, oauth_api_get()).  Any failure
	 * keeps the label whoami gave.  NULL: none.
	 */
	void		(*whoami_label)(const struct oauth_call *,
			    const char *body, size_t len,
			    struct oauth_tokens *t);
	/* For the whoami hook oauth_whoami_keys(): the key of the login's
	 * id in the answer, then those of its label (the first present;
	 * the second may be NULL). */
	const char	*whoami_keys[3];
	/*
	 * Its own read-only API routes (GitHub's GET /v1/github/user and
	 * /v1/github/repos, lib/connections/connect.h): the answer about
	 * what ("user", "repos"), asked with the access token, as JSON
	 * text (arena-owned).  ERR_NOTFOUND for a what it does not answer;
	 * else pcall_json()'s errors with *why in plain words.  NULL: none.
	 */
	enum err	(*own_json)(struct httpc *, struct arena *,
			    const struct provider *, const struct config *,
			    const char *token, const char *what,
			    const char **out, const char **why);
};

/* The catalogue fields of a provider's initialiser, from its table. */
#define PROVIDER_CATALOGUE(table) \
	.metrics = (table), \
	.nmetrics = sizeof(table) / sizeof((table)[0])

/* The registry in display order; *n its length. */
const struct provider *const *provider_all(size_t *n);

/* The provider with this slug, or NULL. */
const struct provider *provider_get(const char *slug);

/* The slugs joined by sep ("ga4, google_ads, ..."); arena-owned. */
const char	*provider_slugs(struct arena *, const char *sep);

/*
 * The sandbox prefixes of every provider's real base URLs, each once (a
 * family's shared ones under the family's name); arena-owned array, *n
 * its length.
 */
const struct provider_sandbox_base *provider_sandbox_bases(struct arena *,
		    size_t *n);

/* Real credentials, the sandbox, or not configured. */
enum provider_mode provider_mode(const struct provider *,
		    const struct config *);

/*
 * A URL of the provider under the current configuration: the override
 * variable, else the sandbox's address for it (sandbox mode), else the
 * real one.  NULL when the provider has no such URL.  Arena-owned.
 */
const char	*provider_url(const struct provider *, enum provider_url,
		    const struct config *, struct arena *);

/*
 * Client id and secret (sandbox mode: fixed sandbox values).  ERR_OK, or
 * ERR_UNAVAILABLE when the provider is not configured.  The secret must
 * never be logged or shown.
 */
enum err	 provider_client(const struct provider *, const struct config *,
		    const char **id, const char **secret);

/* The redirect URL to register with the provider:
 * SLUICE_BASE_URL/oauth/<slug>/callback.  Arena-owned. */
const char	*provider_redirect_uri(const struct provider *,
		    const struct config *, struct arena *);

/* The API version in use: version_env's value, else the default (NULL
 * when the provider has none). */
const char	*provider_version(const struct provider *);

/* The day (YYYY-MM-DD) the version in use retires: SLUICE_<ENV>_API_SUNSET,
 * else api_sunset for the default version; NULL when unknown. */
const char	*provider_sunset(const struct provider *);

#define PROVIDER_SUNSET_WARN_DAYS	60	/* warn this long before */

/*
 * A warning for people when the version in use retires within
 * PROVIDER_SUNSET_WARN_DAYS of today (days since the epoch, UTC) or has
 * retired, naming the variable to change; NULL otherwise.  Arena-owned.
 */
const char	*provider_sunset_warning(const struct provider *,
		    struct arena *, long today);

/* The message of an answer that refuses the API version (LinkedIn's 426,
 * a "version deprecated" error): what to change, arena-owned. */
const char	*provider_version_refused(const struct provider *,
		    struct arena *, int status);

/* The variable names a person sets to configure it, for the page. */
const char	*provider_setup_hint(const struct provider *, struct arena *);

#endif
