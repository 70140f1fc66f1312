/* google_ads.c — Google Ads: customers, campaigns by day, exact micros. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "base/arena.h"
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

enum err
syncnorm_google_ads(struct syncnorm *n, struct json_object *body,
    const char *customer, const char *currency)
{
	static const struct {
		const char *api, *metric;
		int shift;	/* -1: an int64 string kept as is */
	} m[] = {
		{ "impressions", "impressions", -1 },
		{ "clicks", "clicks", -1 },
		{ "costMicros", "cost_micros", -1 },
		{ "conversions", "conversions", 0 },
		{ "conversionsValue", "conversion_value_micros", 6 },
	};
	struct json_object *batch, *results, *r, *camp, *met;
	const char *day, *id, *name, *v, *val, *acct, *dims;
	size_t b, i, k, mark = n->n;

	if (!json_object_is_type(body, json_type_array))
		return syncnorm_bad(n, mark, "Google Ads: searchStream did not "
		    "answer an array of batches");
	for (b = 0; b < json_object_array_length(body); b++) {
		batch = json_object_array_get_idx(body, b);
		if ((results = jsonx_member(batch, "results")) == NULL)
			continue;
		if (!json_object_is_type(results, json_type_array))
			return syncnorm_bad(n, mark, "Google Ads: "
			    "[%zu].results is not an array", b);
		for (i = 0; i < json_object_array_length(results); i++) {
			r = json_object_array_get_idx(results, i);
			day = syncnorm_text(jsonx_member(jsonx_member(r,
			    "segments"), "date"));
			if (!syncnorm_is_day(day))
				return syncnorm_bad(n, mark, "Google Ads: "
				    "[%zu].results[%zu].segments.date is not "
				    "YYYY-MM-DD", b, i);
			camp = jsonx_member(r, "campaign");
			id = syncnorm_text(jsonx_member(camp, "id"));
			name = syncnorm_text(jsonx_member(camp, "name"));
			if (!syncnorm_is_count(id))
				return syncnorm_bad(n, mark, "Google Ads: "
				    "[%zu].results[%zu].campaign.id is missing",
				    b, i);
			acct = arena_printf(n->a, "%s:%s", customer, id);
			dims = syncnorm_dims(n->a, "campaign_id", id,
			    "campaign_name", name, "currency", currency);
			met = jsonx_member(r, "metrics");
			for (k = 0; k < nitems(m); k++) {
				v = syncnorm_text(jsonx_member(met, m[k].api));
				if (v == NULL)
					v = "0";	/* zero is left out */
				if (m[k].shift < 0)
					val = syncnorm_is_count(v) ? v : NULL;
				else
					val = syncnorm_decimal(n->a, v,
					    m[k].shift, m[k].shift > 0);
				if (val == NULL)
					return syncnorm_bad(n, mark, "Google "
					    "Ads: "
					    "[%zu].results[%zu].metrics.%s is "
					    "not a number", b, i, m[k].api);
				if (syncnorm_add(n, acct, m[k].metric, day,
				    val, dims) != ERR_OK)
					return syncnorm_bad(n, mark, "Google "
					    "Ads: too many rows");
			}
		}
	}
	return ERR_OK;
}

/* One resource name, customers/<id>. */
static enum err
customer(struct accounts_lister *l, struct json_object *name)
{
	const char *id = json_object_get_string(name);

	if (id != NULL && strncmp(id, "customers/", 10) == 0)
		id += 10;
	accounts_add(l, id, arena_printf(l->a, "Customer %s", id), NULL, NULL);
	return ERR_OK;
}

static enum err
list(struct accounts_lister *l)
{
	static const struct accounts_listing how = { "resourceNames",
	    customer, NULL };

	return accounts_walk(l, arena_printf(l->a, "%s/customers:"
	    "listAccessibleCustomers", accounts_base(l, PROVIDER_API_BASE)),
	    &how);
}

static enum err
fetch(struct fetch *f, struct syncnorm *n, const char *cust)
{
	struct pcall_result res;
	struct json_object *cu, *v;
	const char *url, *tz = NULL, *cur = NULL, *from, *to;
	enum err rc;

	url = arena_printf(f->a, "%s/customers/%s/googleAds:searchStream",
	    fetch_base(f, PROVIDER_API_BASE), cust);
	if ((rc = fetch_post(f, url, "{\"query\":\"SELECT customer.id, "
	    "customer.currency_code, customer.time_zone, customer.manager "
	    "FROM customer\"}", &res)) != ERR_OK)
		return rc;
	if (json_object_is_type(res.json, json_type_array) &&
	    json_object_object_get_ex(json_object_array_get_idx(res.json, 0),
	    "results", &v) && (cu = json_object_array_get_idx(v, 0)) != NULL &&
	    json_object_object_get_ex(cu, "customer", &cu)) {
		if (json_object_object_get_ex(cu, "timeZone", &v))
			tz = json_object_get_string(v);
		if (json_object_object_get_ex(cu, "currencyCode", &v))
			cur = json_object_get_string(v);
		/* A manager has no metrics of its own: its clients do. */
		if (json_object_object_get_ex(cu, "manager", &v) &&
		    json_object_get_boolean(v))
			return ERR_OK;
	}
	if ((rc = fetch_window(f, tz, f->days, &from, &to)) != ERR_OK)
		return rc;
	if ((rc = fetch_post(f, url, arena_printf(f->a, "{\"query\":\"SELECT "
	    "segments.date, campaign.id, campaign.name, metrics.impressions, "
	    "metrics.clicks, metrics.cost_micros, metrics.conversions, "
	    "metrics.conversions_value FROM campaign WHERE segments.date "
	    "BETWEEN '%s' AND '%s' ORDER BY segments.date\"}", from, to),
	    &res)) != ERR_OK)
		return rc;
	if ((rc = syncnorm_google_ads(n, res.json, cust, cur)) != ERR_OK)
		return fetch_norm_failed(f, n, rc);
	return ERR_OK;
}

static const struct metric_def metrics[] = {
	METRIC_DEF_SUM("impressions", "Impressions", "count"),
	METRIC_DEF_SUM("clicks", "Clicks", "count"),
	METRIC_DEF_SUM("cost_micros", "Cost", "currency_micros"),
	METRIC_DEF_SUM("conversions", "Conversions", "count"),
	METRIC_DEF_SUM("conversion_value_micros", "Conversion value",
	    "currency_micros"),
	METRIC_DEF_RATIO("ctr", "Click-through rate", "ratio", "clicks",
	    "impressions"),
	METRIC_DEF_RATIO("cpc", "Cost per click", "currency_micros",
	    "cost_micros", "clicks"),
	METRIC_DEF_RATIO("conversion_rate", "Conversion rate", "ratio",
	    "conversions", "clicks"),
};

const struct provider provider_google_ads = {
	.slug = "google_ads",
	.name = "Google Ads",
	GOOGLE_PROVIDER,
	.env = "GOOGLE_ADS",
	.urls[PROVIDER_API_BASE] = "https://googleads.googleapis.com/v23",
	.scopes = "openid email https://www.googleapis.com/auth/adwords",
	.restatement_days = 30,
	.accounts = "customers",
	.api_version = "v23",
	.headers = {
		{ "developer-token", "SLUICE_GOOGLE_ADS_DEVELOPER_TOKEN",
		    "sandbox-developer-token" },
	},
	.sandbox[2] = { "google_ads", "api",
	    "https://googleads.googleapis.com", "/sandbox/google-ads" },
	PROVIDER_CATALOGUE(metrics),
	.list = list,
	.fetch = fetch,
};
