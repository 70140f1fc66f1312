/* meta_ads.c — Meta Ads: ad accounts, campaigns by day, spend, reach. */
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
#include "providers/meta.h"
#include "providers/pcall.h"
#include "providers/provider.h"
#include "providers/syncnorm.h"

enum err
syncnorm_meta_ads(struct syncnorm *n, struct json_object *body,
    const char *currency)
{
	static const char *const counts[][2] = {
		{ "impressions", "impressions" },
		{ "reach", "reach" },
		{ "clicks", "clicks" },
	};
	struct json_object *data, *it, *acts, *ac;
	const char *day, *id, *name, *acct, *dims, *v, *spend;
	size_t i, k, mark = n->n;
	char *conv;

	if ((data = syncnorm_array(body, "data")) == NULL)
		return syncnorm_bad(n, mark, "Meta Ads: data is missing");
	for (i = 0; i < json_object_array_length(data); i++) {
		it = json_object_array_get_idx(data, i);
		day = syncnorm_text(jsonx_member(it, "date_start"));
		if (!syncnorm_is_day(day))
			return syncnorm_bad(n, mark, "Meta Ads: "
			    "data[%zu].date_start is not YYYY-MM-DD", i);
		id = syncnorm_text(jsonx_member(it, "campaign_id"));
		if (!syncnorm_is_count(id))
			return syncnorm_bad(n, mark, "Meta Ads: "
			    "data[%zu].campaign_id is missing", i);
		name = syncnorm_text(jsonx_member(it, "campaign_name"));
		acct = arena_printf(n->a, "%s:%s", n->account, id);
		dims = syncnorm_dims(n->a, "campaign_id", id, "campaign_name",
		    name, "currency", currency);
		for (k = 0; k < nitems(counts); k++) {
			v = jsonx_member(it, counts[k][0]) == NULL ? "0" :
			    syncnorm_count(jsonx_member(it, counts[k][0]));
			if (v == NULL)
				return syncnorm_bad(n, mark, "Meta Ads: "
				    "data[%zu].%s is not a count", i,
				    counts[k][0]);
			syncnorm_add(n, acct, counts[k][1], day, v, dims);
		}
		spend = jsonx_member(it, "spend") == NULL ? "0" :
		    syncnorm_decimal(n->a, syncnorm_text(jsonx_member(it,
		    "spend")), 6, true);
		if (spend == NULL)
			return syncnorm_bad(n, mark, "Meta Ads: "
			    "data[%zu].spend is not a number", i);
		syncnorm_add(n, acct, "spend_micros", day, spend, dims);
		conv = NULL;
		acts = syncnorm_array(it, "actions");
		for (k = 0; acts != NULL && k < json_object_array_length(acts);
		    k++) {
			ac = json_object_array_get_idx(acts, k);
			v = syncnorm_text(jsonx_member(ac, "action_type"));
			if (v == NULL || (strcmp(v, "purchase") != 0 &&
			    strcmp(v, "offsite_conversion.fb_pixel_purchase")
			    != 0))
				continue;
			v = syncnorm_decimal(n->a,
			    syncnorm_text(jsonx_member(ac, "value")), 0, false);
			if (v == NULL)
				return syncnorm_bad(n, mark, "Meta Ads: "
				    "data[%zu].actions[%zu].value is not a "
				    "number", i, k);
			conv = arena_strdup(n->a, v);
			break;
		}
		syncnorm_add(n, acct, "conversions", day, conv != NULL ? conv :
		    "0", dims);
		if (n->n >= LIMIT_SYNC_ROWS)
			return syncnorm_bad(n, mark, "Meta Ads: too many rows");
	}
	return ERR_OK;
}

enum err
syncnorm_meta_ads_totals(struct syncnorm *n, struct json_object *body,
    const char *currency, const char *const ranges[][2], size_t nranges)
{
	struct json_object *data, *it;
	const char *start, *stop, *v, *dims;
	size_t i, k, mark = n->n;
	int64_t a, b;

	if ((data = syncnorm_array(body, "data")) == NULL)
		return syncnorm_bad(n, mark, "Meta Ads: data is missing");
	for (i = 0; i < json_object_array_length(data); i++) {
		it = json_object_array_get_idx(data, i);
		start = syncnorm_text(jsonx_member(it, "date_start"));
		stop = syncnorm_text(jsonx_member(it, "date_stop"));
		if (!syncnorm_is_day(start) || !syncnorm_is_day(stop))
			return syncnorm_bad(n, mark, "Meta Ads: data[%zu]."
			    "date_start or date_stop is not YYYY-MM-DD", i);
		if (jsonx_member(it, "reach") != NULL &&
		    syncnorm_count(jsonx_member(it, "reach")) == NULL)
			return syncnorm_bad(n, mark, "Meta Ads: "
			    "data[%zu].reach is not a count", i);
	}
	dims = currency != NULL ? syncnorm_dims(n->a, "currency", currency,
	    NULL, NULL, NULL, NULL) : NULL;
	for (k = 0; k < nranges; k++) {
		if (!day_scan(ranges[k][0], &a) ||
		    !day_scan(ranges[k][1], &b) || b < a || b - a >= 999)
			return syncnorm_bad(n, mark, "Meta Ads: the range "
			    "%s..%s asked for is not a period of 1 to 999 "
			    "days", ranges[k][0], ranges[k][1]);
		/* No row for a range: nobody was reached in it. */
		v = "0";
		for (i = 0; i < json_object_array_length(data); i++) {
			it = json_object_array_get_idx(data, i);
			if (strcmp(syncnorm_text(jsonx_member(it,
			    "date_start")), ranges[k][0]) == 0 &&
			    strcmp(syncnorm_text(jsonx_member(it,
			    "date_stop")), ranges[k][1]) == 0) {
				if (jsonx_member(it, "reach") != NULL)
					v = syncnorm_count(jsonx_member(it,
					    "reach"));
				break;
			}
		}
		if (syncnorm_add(n, NULL, arena_printf(n->a, "reach:%dd",
		    (int)(b - a + 1)), ranges[k][1], v, dims) != ERR_OK)
			return syncnorm_bad(n, mark, "Meta Ads: too many rows");
	}
	return ERR_OK;
}

/* One ad account, with its zone and currency. */
static enum err
ad_account(struct accounts_lister *l, struct json_object *it)
{
	accounts_add(l, jsonx_text(it, "id"), jsonx_text(it, "name"),
	    jsonx_text(it, "timezone_name"), jsonx_text(it, "currency"));
	return ERR_OK;
}

static enum err
list(struct accounts_lister *l)
{
	static const struct accounts_listing how = { "data", ad_account,
	    meta_next };

	return accounts_walk(l, arena_printf(l->a, "%s/me/adaccounts?fields=id,"
	    "account_id,name,currency,timezone_name&limit=100",
	    accounts_base(l, PROVIDER_API_BASE)), &how);
}

/*
 * The reach of the tiles' periods, people counted once over the whole
 * range (which the daily rows cannot give): the 7, 28 and 90 days
 * ending yesterday in the workspace's zone and the period before each,
 * in one call at account level with six time_ranges (one result row
 * each, whatever time_increment says).  Asked again on every sync, so
 * restated days reach them.
 */
static enum err
fetch_reach(struct fetch *f, struct syncnorm *n, const char *act)
{
	static const int periods[] = { 7, 28, 90 };
	const char *ranges[2 * nitems(periods)][2];
	struct pcall_result res;
	const char *today, *end, *tr = "";
	size_t i;
	enum err rc;

	if ((rc = fetch_window(f, NULL, 1, &today, &end)) != ERR_OK)
		return rc;
	end = day_add(f->a, end, -1);
	for (i = 0; i < nitems(ranges); i++) {
		ranges[i][1] = day_add(f->a, end, -(int)(i % 2) *
		    periods[i / 2]);
		ranges[i][0] = day_add(f->a, ranges[i][1], 1 - periods[i / 2]);
		tr = arena_printf(f->a, "%s%s{\"since\":\"%s\",\"until\":"
		    "\"%s\"}", tr, i ? "," : "[", ranges[i][0], ranges[i][1]);
	}
	tr = arena_printf(f->a, "%s]", tr);
	if ((rc = fetch_get(f, arena_printf(f->a, "%s/%s/insights?"
	    "level=account&fields=account_id,reach&time_ranges=%s&limit=25",
	    meta_graph(f), httpc_escape(f->a, act), httpc_escape(f->a, tr)),
	    &res)) != ERR_OK)
		return rc;
	if ((rc = syncnorm_meta_ads_totals(n, res.json, fetch_account(f, act,
	    "currency"), ranges, nitems(ranges))) != ERR_OK)
		return fetch_norm_failed(f, n, rc);
	return ERR_OK;
}

static enum err
fetch(struct fetch *f, struct syncnorm *n, const char *act)
{
	struct pcall_result res;
	struct json_object *v;
	const char *from, *to, *url;
	long page;
	enum err rc;

	if ((rc = fetch_window(f, fetch_account(f, act, "time_zone"), f->days,
	    &from, &to)) != ERR_OK)
		return rc;
	url = arena_printf(f->a, "%s/%s/insights?level=campaign&"
	    "time_increment=1&time_range=%s&fields=campaign_id,campaign_name,"
	    "impressions,reach,clicks,spend,actions&limit=500", meta_graph(f),
	    httpc_escape(f->a, act), httpc_escape(f->a, arena_printf(f->a,
	    "{\"since\":\"%s\",\"until\":\"%s\"}", from, to)));
	for (page = 0; url != NULL && page < LIMIT_SYNC_PAGES; page++) {
		if ((rc = fetch_get(f, url, &res)) != ERR_OK)
			return rc;
		if ((rc = syncnorm_meta_ads(n, res.json, fetch_account(f, act,
		    "currency"))) != ERR_OK)
			return fetch_norm_failed(f, n, rc);
		url = NULL;
		if (json_object_object_get_ex(res.json, "paging", &v) &&
		    json_object_object_get_ex(v, "next", &v))
			url = json_object_get_string(v);
	}
	return fetch_reach(f, n, act);
}

static const struct metric_def metrics[] = {
	METRIC_DEF_SUM("impressions", "Impressions", "count"),
	/* Meta's reach of each ad account over the period (reach:Nd); the
	 * tile adds the accounts', so a person reached by two accounts'
	 * ads counts twice, as in every tool that adds accounts. */
	METRIC_DEF_TOTALS("reach", "Reach", "count"),
	METRIC_DEF_SUM("clicks", "Clicks", "count"),
	{ .name = "spend_micros", .label = "Spend",
	    .unit = "currency_micros", .agg = METRIC_SUM,
	    .words = { "spending", "cost", "costs", "budget" } },
	METRIC_DEF_SUM("conversions", "Conversions", "count"),
	METRIC_DEF_RATIO("ctr", "Click-through rate", "ratio", "clicks",
	    "impressions"),
	METRIC_DEF_RATIO("cpc", "Cost per click", "currency_micros",
	    "spend_micros", "clicks"),
};

const struct provider provider_meta_ads = {
	.slug = "meta_ads",
	.name = "Meta Ads",
	META_PROVIDER,
	.api_version = "Marketing API",
	.version_env = "SLUICE_META_ADS_API_VERSION",
	/*
	 * Projected: Meta's version history gives v27.0 (2026-11-04) no
	 * expiry yet.  v22.0 to v25.0 each expired 12 to 13 months after
	 * its release, so one year after v27.0's, the earliest of that
	 * pattern; SLUICE_META_ADS_API_SUNSET sets the published day.
	 */
	.api_sunset = "2027-11-04",
	.env = "META_ADS",
	.scopes = "ads_read,read_insights",
	.accounts = "ad accounts",
	.mark = "MA",
	.mark_colour = "#0a5ed7",
	.reads = "Daily impressions, reach, clicks, spend and conversions of "
	    "the ad accounts you choose. Sluice only reads; no ad or budget "
	    "is changed.",
	.days = "each ad account's time zone",
	.words = { "facebook ads", "instagram ads", "meta" },
	.spend_metric = "spend_micros",
	PROVIDER_CATALOGUE(metrics),
	.list = list,
	.fetch = fetch,
};
