/*
 * gbp.c — Google Business Profile: locations, reviews, daily rating.
 *
 * Accounts are locations: the Account Management API's accounts, each
 * account's locations from the Business Information API (offered as
 * "title — address").  A location's reviews come from the My Business
 * API v4 (every page, newest update first) and are kept through the
 * fetch's item store; the same answers give the daily rows: the average
 * rating and the review count as Google states them on the day of the
 * fetch, and the reviews created each day of the window.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "base/arena.h"
#include "base/day.h"
#include "base/jsonx.h"
#include "base/limit.h"
#include "base/mem.h"
#include "net/httpc.h"
#include "providers/accounts.h"
#include "providers/fetch.h"
#include "providers/google.h"
#include "providers/pcall.h"
#include "providers/provider.h"
#include "providers/syncnorm.h"

#define GBP_PAGE	50	/* reviews a page: the API's most */

/* "Bahnhofstrasse 1, Zürich" from a PostalAddress, or NULL. */
static const char *
address(struct arena *a, struct json_object *addr)
{
	struct json_object *lines;
	const char *s = NULL, *city;
	size_t i;

	lines = jsonx_member(addr, "addressLines");
	for (i = 0; json_object_is_type(lines, json_type_array) &&
	    i < json_object_array_length(lines); i++) {
		city = syncnorm_text(json_object_array_get_idx(lines, i));
		if (city != NULL && *city != '\0')
			s = s ? arena_printf(a, "%s, %s", s, city) : city;
	}
	city = jsonx_text(addr, "locality");
	if (city != NULL && *city != '\0')
		s = s ? arena_printf(a, "%s, %s", s, city) : city;
	return s;
}

/* The locations of one account, every page. */
static enum err
locations(struct accounts_lister *l, const char *account)
{
	struct pcall_result r;
	struct json_object *items, *it;
	const char *url, *token = NULL, *name, *title, *addr;
	size_t page, i;
	enum err rc;

	for (page = 0; page < ACCOUNTS_MAX_PAGES; page++) {
		url = arena_printf(l->a, "%s/%s/locations?readMask=name,title,"
		    "storefrontAddress&pageSize=100%s%s", accounts_base(l,
		    PROVIDER_API_BASE2), account, token ? "&pageToken=" : "",
		    token ? httpc_escape(l->a, token) : "");
		if ((rc = accounts_get(l, url, &r)) != ERR_OK)
			return rc;
		items = jsonx_member(r.json, "locations");
		for (i = 0; json_object_is_type(items, json_type_array) &&
		    i < json_object_array_length(items); i++) {
			it = json_object_array_get_idx(items, i);
			if ((name = jsonx_text(it, "name")) == NULL)
				continue;
			title = jsonx_text(it, "title");
			addr = address(l->a, jsonx_member(it,
			    "storefrontAddress"));
			accounts_add(l, arena_printf(l->a, "%s/%s", account,
			    name), addr != NULL ? arena_printf(l->a,
			    "%s \xe2\x80\x94 %s", title ? title : name, addr) :
			    title, NULL, NULL);
		}
		token = jsonx_text(r.json, "nextPageToken");
		if (token == NULL || *token == '\0')
			return ERR_OK;
	}
	return ERR_OK;
}

/* Every account the person manages, every page, and their locations. */
static enum err
list(struct accounts_lister *l)
{
	struct pcall_result r;
	struct json_object *items;
	const char *url, *token = NULL, *name;
	size_t page, i;
	enum err rc;

	for (page = 0; page < ACCOUNTS_MAX_PAGES; page++) {
		url = arena_printf(l->a, "%s/accounts?pageSize=20%s%s",
		    accounts_base(l, PROVIDER_API_BASE), token ?
		    "&pageToken=" : "", token ? httpc_escape(l->a, token) :
		    "");
		if ((rc = accounts_get(l, url, &r)) != ERR_OK)
			return rc;
		items = jsonx_member(r.json, "accounts");
		for (i = 0; json_object_is_type(items, json_type_array) &&
		    i < json_object_array_length(items); i++) {
			name = jsonx_text(json_object_array_get_idx(items, i),
			    "name");
			if (name == NULL || strncmp(name, "accounts/", 9) != 0)
				continue;
			if ((rc = locations(l, name)) != ERR_OK)
				return rc;
		}
		token = jsonx_text(r.json, "nextPageToken");
		if (token == NULL || *token == '\0')
			return ERR_OK;
	}
	return ERR_OK;
}

/* ONE..FIVE as 1..5; 0 for STAR_RATING_UNSPECIFIED or none. */
static int
stars(const char *s)
{
	static const char *const names[] = { "ONE", "TWO", "THREE", "FOUR",
	    "FIVE" };
	size_t i;

	for (i = 0; s != NULL && i < nitems(names); i++)
		if (strcmp(s, names[i]) == 0)
			return (int)i + 1;
	return 0;
}

/* One page's reviews as rows of the item store, appended to out; their
 * creation times to ts (*nts of them). */
static enum err
page(struct fetch *f, struct syncnorm *n, struct json_object *body,
    struct json_object *out, const char **ts, size_t *nts,
    const char **oldest)
{
	struct json_object *reviews, *rv, *o, *who, *reply;
	const char *id, *created, *updated, *c;
	int rating;
	size_t i;

	reviews = jsonx_member(body, "reviews");
	if (reviews == NULL)
		return ERR_OK;
	if (!json_object_is_type(reviews, json_type_array))
		return fetch_norm_failed(f, n, syncnorm_bad(n, n->n,
		    "Google Business Profile: reviews is not an array"));
	for (i = 0; i < json_object_array_length(reviews); i++) {
		rv = json_object_array_get_idx(reviews, i);
		id = jsonx_text(rv, "reviewId");
		if (id == NULL && (c = jsonx_text(rv, "name")) != NULL &&
		    strrchr(c, '/') != NULL)
			id = strrchr(c, '/') + 1;
		created = jsonx_text(rv, "createTime");
		updated = jsonx_text(rv, "updateTime");
		if (id == NULL || *id == '\0' || created == NULL)
			return fetch_norm_failed(f, n, syncnorm_bad(n, n->n,
			    "Google Business Profile: reviews[%zu] has no "
			    "reviewId or createTime", i));
		if (*nts >= LIMIT_SYNC_ROWS)
			return fetch_norm_failed(f, n, syncnorm_bad(n, n->n,
			    "Google Business Profile: too many reviews"));
		o = json_object_new_object();
		json_object_object_add(o, "id", json_object_new_string(id));
		rating = stars(jsonx_text(rv, "starRating"));
		json_object_object_add(o, "rating", rating > 0 ?
		    json_object_new_int(rating) : NULL);
		c = jsonx_text(rv, "comment");
		json_object_object_add(o, "comment", json_object_new_string(
		    c != NULL ? c : ""));
		who = jsonx_member(rv, "reviewer");
		c = jsonx_text(who, "isAnonymous");
		if (c != NULL && strcmp(c, "true") == 0)
			c = "Anonymous";
		else if ((c = jsonx_text(who, "displayName")) == NULL ||
		    *c == '\0')
			c = "Anonymous";
		json_object_object_add(o, "reviewer",
		    json_object_new_string(c));
		json_object_object_add(o, "created_at",
		    json_object_new_string(created));
		json_object_object_add(o, "updated_at",
		    json_object_new_string(updated ? updated : created));
		if ((reply = jsonx_member(rv, "reviewReply")) != NULL &&
		    (c = jsonx_text(reply, "comment")) != NULL) {
			json_object_object_add(o, "reply",
			    json_object_new_string(c));
			if ((c = jsonx_text(reply, "updateTime")) != NULL)
				json_object_object_add(o, "reply_updated_at",
				    json_object_new_string(c));
		}
		json_object_array_add(out, o);
		ts[(*nts)++] = arena_strdup(f->a, created);
		c = updated ? updated : created;
		if (*oldest == NULL || strcmp(c, *oldest) < 0)
			*oldest = arena_strdup(f->a, c);
	}
	return ERR_OK;
}

/*
 * One location: every page of its reviews (newest update first) kept
 * through the item store — all of them, so a review deleted upstream is
 * deleted here; when LIMIT_SYNC_PAGES cuts the listing, only those
 * updated since the oldest read —; then the rows: "rating" and "reviews"
 * as Google states them on the window's last day, and "new_reviews" on
 * every day of the window in the workspace's zone, zero without any.
 */
static enum err
fetch(struct fetch *f, struct syncnorm *n, const char *loc)
{
	struct fetch_items it;
	struct pcall_result res;
	struct json_object *rows;
	const char *url, *from, *to, *token = NULL, *avg = NULL, *total = NULL;
	const char **ts, **days, *oldest = NULL, *day;
	size_t nts = 0, i, size = GBP_PAGE * LIMIT_SYNC_PAGES;
	long pg, d, count;
	int64_t first, last;
	enum err rc;

	if ((rc = fetch_window(f, NULL, f->days, &from, &to)) != ERR_OK)
		return rc;
	rows = jsonx_own(f->a, json_object_new_array());
	ts = arena_calloc(f->a, size, sizeof(*ts));
	for (pg = 0; pg < LIMIT_SYNC_PAGES; pg++) {
		url = arena_printf(f->a, "%s/%s/reviews?pageSize=%d&orderBy="
		    "updateTime%%20desc%s%s", fetch_base(f, PROVIDER_API_BASE3),
		    loc, GBP_PAGE, token ? "&pageToken=" : "",
		    token ? httpc_escape(f->a, token) : "");
		if ((rc = fetch_get(f, url, &res)) != ERR_OK)
			return rc;
		if (pg == 0) {
			avg = syncnorm_text(jsonx_member(res.json,
			    "averageRating"));
			total = syncnorm_count(jsonx_member(res.json,
			    "totalReviewCount"));
			avg = avg ? arena_strdup(f->a, avg) : NULL;
			total = total ? arena_strdup(f->a, total) : NULL;
		}
		if ((rc = page(f, n, res.json, rows, ts, &nts, &oldest)) !=
		    ERR_OK)
			return rc;
		token = jsonx_text(res.json, "nextPageToken");
		if (token == NULL || *token == '\0')
			break;
		token = arena_strdup(f->a, token);
	}
	memset(&it, 0, sizeof(it));
	it.kind = "reviews";
	it.account = loc;
	it.json = jsonx_string(f->a, rows);
	it.since = pg < LIMIT_SYNC_PAGES ? NULL : oldest;
	if ((rc = fetch_items_store(f, &it)) != ERR_OK)
		return rc;
	if ((rc = fetch_local_days(f, NULL, ts, nts, &days)) != ERR_OK)
		return rc;
	if (avg != NULL && total != NULL && strcmp(total, "0") != 0 &&
	    syncnorm_add(n, NULL, "rating", to, avg, NULL) != ERR_OK)
		return fetch_norm_failed(f, n, ERR_INPUT);
	if (syncnorm_add(n, NULL, "reviews", to, total ? total : "0",
	    NULL) != ERR_OK)
		return fetch_norm_failed(f, n, ERR_INPUT);
	if (!day_scan(from, &first) || !day_scan(to, &last))
		return ERR_SYSTEM;
	for (d = 0; first + d <= last; d++) {
		day = day_text(f->a, first + d);
		for (count = 0, i = 0; i < nts; i++)
			count += days[i] != NULL && strcmp(days[i], day) == 0;
		if (syncnorm_add(n, NULL, "new_reviews", day,
		    arena_printf(f->a, "%ld", count), NULL) != ERR_OK)
			return fetch_norm_failed(f, n, ERR_TOOBIG);
	}
	return ERR_OK;
}

static const struct metric_def metrics[] = {
	METRIC_DEF_LAST("rating", "Average rating", "stars"),
	METRIC_DEF_LAST("reviews", "Reviews", "count"),
	METRIC_DEF_SUM("new_reviews", "New reviews", "count"),
};

const struct provider provider_gbp = {
	.slug = "gbp",
	.name = "Google Business Profile",
	GOOGLE_PROVIDER,
	.env = "GBP",
	.urls[PROVIDER_API_BASE] =
	    "https://mybusinessaccountmanagement.googleapis.com/v1",
	.urls[PROVIDER_API_BASE2] =
	    "https://mybusinessbusinessinformation.googleapis.com/v1",
	.urls[PROVIDER_API_BASE3] = "https://mybusiness.googleapis.com/v4",
	.login_hint = "login_hint",
	.scopes = "openid email "
	    "https://www.googleapis.com/auth/business.manage",
	.restatement_days = 2,
	.accounts = "locations",
	.mark = "GB",
	.mark_colour = "#137333",
	.reads = "The reviews of the business locations you choose (rating, "
	    "comment, reviewer, reply), their average rating and review "
	    "count. Sluice only reads; nothing is replied or changed.",
	.api_version = "Account Management and Business Information API v1, "
	    "My Business API v4 (reviews)",
	.sandbox[2] = { "gbp", "accounts",
	    "https://mybusinessaccountmanagement.googleapis.com",
	    "/sandbox/gbp-accounts" },
	.sandbox[3] = { "gbp", "locations",
	    "https://mybusinessbusinessinformation.googleapis.com",
	    "/sandbox/gbp-info" },
	.sandbox[4] = { "gbp", "reviews", "https://mybusiness.googleapis.com",
	    "/sandbox/gbp" },
	PROVIDER_CATALOGUE(metrics),
	.list = list,
	.fetch = fetch,
};
