/*
 * meta.h — what the Meta providers share.
 *
 * Facebook Pages, Instagram and Meta Ads share the Graph API version and
 * endpoints, the long-lived token exchange, Graph's error codes, its
 * paging and its insights calls.
 */
#ifndef SLUICE_META_H
#define SLUICE_META_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "providers/oauth.h"	/* oauth_whoami_keys */

struct accounts_lister;
struct arena;
struct fetch;
struct httpc_resp;
struct json_object;
struct oauth_call;
struct oauth_failure;
struct oauth_tokens;
struct pcall_result;
struct provider;
struct syncnorm;

#define META_VERSION	"v27.0"
#define META_AUTH	"https://www.facebook.com/" META_VERSION "/dialog/oauth"
#define META_TOKEN	"https://graph.facebook.com/" META_VERSION \
			"/oauth/access_token"
#define META_GRAPH	"https://graph.facebook.com/{version}"
/* Who the login is: the Graph API's /me, its id and name. */
#define META_WHOAMI	META_GRAPH "/me?fields=id,name"

/* The sandbox rows of every Meta provider. */
#define META_SANDBOX_BASES \
	{ "meta", "authorize", "https://www.facebook.com", \
	    "/sandbox/facebook" }, \
	{ "meta", "graph", "https://graph.facebook.com", "/sandbox/graph" }

/* The fields every Meta provider shares, for its initialiser: the
 * provider adds its api_version, version_env and api_sunset (Meta Ads
 * speaks the Marketing API, whose versions retire earlier than the Graph
 * API's that Pages use). */
#define META_PROVIDER \
	.family = "meta", \
	.family_env = "META", \
	.urls[PROVIDER_AUTH_URL] = META_AUTH, \
	.urls[PROVIDER_TOKEN_URL] = META_TOKEN, \
	.urls[PROVIDER_API_BASE] = META_GRAPH, \
	.urls[PROVIDER_WHOAMI_URL] = META_WHOAMI, \
	.restatement_days = 28, \
	.version = META_VERSION, \
	.sandbox = { META_SANDBOX_BASES }, \
	.classify = meta_classify, \
	.exchange = meta_exchange, \
	.refresh = meta_refresh, \
	.revoke = meta_revoke, \
	.whoami = oauth_whoami_keys, \
	.whoami_keys = { "id", "name" }

/* Hooks (struct provider): the code exchange by GET, then the trade for
 * a long-lived (60-day) token; the refresh is the same trade. */
enum err	 meta_exchange(const struct oauth_call *, const char *code,
		    const char *verifier, struct oauth_tokens *out);
enum err	 meta_refresh(const struct oauth_call *,
		    const struct oauth_tokens *t, struct oauth_tokens *out);

/* Hook: revokes the app's permissions for the login (DELETE
 * /me/permissions with the token): every token of the app for that
 * person stops working. */
enum err	 meta_revoke(const struct oauth_call *,
		    const struct oauth_tokens *t);

/*
 * What Meta's usage headers say: X-App-Usage (call_count, total_cputime,
 * total_time, percent of the app's limits), X-Business-Use-Case-Usage
 * (keyed by business object id, a list of {type, the same three,
 * estimated_time_to_regain_access in minutes}), X-Ad-Account-Usage
 * (acc_id_util_pct, reset_time_duration in seconds) and
 * x-fb-ads-insights-throttle (app_id_util_pct, acc_id_util_pct).
 */
struct meta_usage {
	double		 pct;		/* the highest share used, percent */
	const char	*which;		/* its limit: "app", "pages", ... */
	int		 regain;	/* seconds, business use case */
	int		 reset;		/* seconds, ad account */
};

/* Reads the usage headers of r (absent or unreadable ones count 0). */
void		 meta_usage(struct arena *, const struct httpc_resp *r,
		    struct meta_usage *out);

/*
 * Hook: Graph's errors by code and subcode.  Codes 4, 17, 32, 613 and
 * 80000-80014 (and any 429) are rate limits, waiting what Meta says:
 * Retry-After, else the longest estimated_time_to_regain_access of
 * X-Business-Use-Case-Usage, else X-Ad-Account-Usage's
 * reset_time_duration, else LIMIT_META_WAIT_S.  A good answer whose
 * usage headers say LIMIT_RATE_USAGE_PCT or more of a limit is used is
 * ERR_RATELIMIT too (with the same wait): the fetch stops before the
 * wall rather than run into it.  190
 * (or 102) with a subcode of the login session (458, 459, 460, 463,
 * 464, 467) or without one is ERR_AUTH: reconnecting helps; 190 with
 * any other subcode (492: the person's role on the Page is gone,
 * 2069032: a Page access token is needed) or a message asking for a
 * Page access token is ERR_FORBIDDEN, the account's trouble only.
 * Code 2635 (a deprecated Marketing API version) is ERR_UNPROCESSABLE
 * naming the variable to change.  out->why is the plain message; ERR_OK
 * for any other answer.
 */
enum err	 meta_classify(struct arena *, const struct provider *,
		    struct pcall_result *out);

/* Graph's paging for accounts_walk() (items in "data"): paging.next,
 * an absolute URL, until absent; arena-owned. */
const char	*meta_next(struct accounts_lister *,
		    const struct pcall_result *page, size_t seen);

/*
 * The login's Pages (GET /me/accounts?fields=id,name, every Graph page),
 * each handed to each (accounts_walk()); accounts_walk()'s errors.
 */
enum err	 meta_pages_walk(struct accounts_lister *,
		    enum err (*each)(struct accounts_lister *,
		    struct json_object *page));

/* The Graph base URL (version included) under the configuration. */
const char	*meta_graph(struct fetch *);

/*
 * Page or Instagram insights for the metrics in list at url (which ends
 * in a query): a removed metric fails the whole call (code 100), so then
 * each is asked alone and the refused ones are left out (and logged).
 * The answers in out (at most nlist), *nout of them; fetch_call()'s
 * errors, ERR_UPSTREAM when every metric was refused.
 */
enum err	 meta_insights(struct fetch *, const char *url,
		    const char *const *list, size_t nlist,
		    struct json_object **out, size_t *nout);

/*
 * Insights items (name, values[{value, end_time}]) into rows: each
 * value on the day before its end_time's date, item name map[k][0]
 * stored as map[k][1]; who names the provider in errors.  Errors as
 * syncnorm_bad().
 */
enum err	 meta_series(struct syncnorm *, size_t mark,
		    struct json_object *body, const char *who,
		    const char *const map[][2], size_t nmap);

/*
 * The values[{value, end_time}] of insights item number i (of data[])
 * into rows named metric, each on the day before its end_time's date;
 * none when the item has no values.  Errors as syncnorm_bad().
 */
enum err	 meta_values(struct syncnorm *, size_t mark,
		    struct json_object *item, size_t i, const char *who,
		    const char *metric);

/*
 * What reads one page of Graph items into content items appended to
 * items, setting *older once an item is older than day since
 * (syncnorm_facebook_posts(), syncnorm_instagram_media()).
 */
typedef enum err (*meta_page_reader)(struct syncnorm *,
		    struct json_object *body, const char *since,
		    struct json_object *items, bool *older);

/*
 * Its numbers for one content item due for them (fetch_content_due()):
 * into its metrics object m, from the item's own insights call.  ERR_OK,
 * or fetch_get()'s error.
 */
typedef enum err (*meta_item_metrics)(struct fetch *,
		    struct json_object *item, const char *id,
		    struct json_object *m);

/*
 * An account's content (a Page's posts, an Instagram account's media):
 * the items of the LIMIT_CONTENT_DAYS window (UTC) from url on — Graph
 * cursor pages, newest first, each read by read, until one has an item
 * older than the window, there is no next page, or LIMIT_SYNC_PAGES —
 * then, for each item due for numbers, its metrics: metrics()'s, then
 * its counts (the "counts" the reader kept: likes, comments ...) named
 * in counts (NULL-ended; null where the item has none); stored with
 * fetch_items_store().  fetch_get()'s errors; a page read refuses is
 * fetch_norm_failed().
 */
enum err	 meta_content(struct fetch *, struct syncnorm *,
		    const char *account, const char *url, meta_page_reader read,
		    meta_item_metrics metrics, const char *const *counts);

/*
 * An item's insights answer (data[] of {name, values[{value}]}) into
 * its metrics object: item name names[k][0] stored as names[k][1] (its
 * first value, a count); each names[k][1] is set null first and stays
 * so where body (which may be NULL) has no count for it.
 */
void		 meta_item_insights(struct json_object *body,
		    struct json_object *metrics, const char *const names[][2],
		    size_t nnames);

#endif
