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

enum err
syncnorm_google_ads_clients(struct arena *a, struct json_object *body,
    struct syncnorm_ads_client *out, size_t max, size_t *n, const char **why)
{
	struct json_object *batch, *results, *r, *cc, *v;
	const char *id, *level;
	size_t b, i;

	*n = 0;
	if (!json_object_is_type(body, json_type_array)) {
		*why = "Google Ads: the customer_client query did not answer "
		    "an array of batches";
		return ERR_UPSTREAM;
	}
	for (b = 0; b < json_object_array_length(body); b++) {
		batch = json_object_array_get_idx(body, b);
		if ((results = jsonx_member(batch, "results")) == NULL)
			continue;
		if (!json_object_is_type(results, json_type_array)) {
			*why = arena_printf(a, "Google Ads: [%zu].results is "
			    "not an array", b);
			return ERR_UPSTREAM;
		}
		for (i = 0; i < json_object_array_length(results); i++) {
			r = json_object_array_get_idx(results, i);
			cc = jsonx_member(r, "customerClient");
			id = syncnorm_text(jsonx_member(cc, "id"));
			/* proto3: a level of 0 may be left out. */
			level = syncnorm_text(jsonx_member(cc, "level"));
			if (level == NULL)
				level = "0";
			if (!syncnorm_is_count(id) || !syncnorm_is_count(level) ||
			    strlen(level) > 2) {
				*why = arena_printf(a, "Google Ads: "
				    "[%zu].results[%zu].customerClient has no "
				    "id or level", b, i);
				return ERR_UPSTREAM;
			}
			if (*n == max)
				continue;
			out[*n].id = id;
			out[*n].level = strtol(level, NULL, 10);
			out[*n].name = jsonx_str(cc, "descriptiveName");
			out[*n].status = jsonx_str(cc, "status");
			out[*n].currency = jsonx_str(cc, "currencyCode");
			out[*n].time_zone = jsonx_str(cc, "timeZone");
			out[*n].manager = (v = jsonx_member(cc, "manager")) !=
			    NULL && json_object_get_boolean(v);
			(*n)++;
		}
	}
	return ERR_OK;
}

/* A manager's children, with the tree's shape: each query asks one
 * level down and sub-managers are asked in turn. */
#define ADS_TREE_QUERY	"{\"query\":\"SELECT customer_client.id, " \
	"customer_client.descriptive_name, customer_client.manager, " \
	"customer_client.level, customer_client.status, " \
	"customer_client.currency_code, customer_client.time_zone FROM " \
	"customer_client WHERE customer_client.level <= 1\"}"

/* The header that names the manager a client is reached through. */
#define ADS_LOGIN_HEADER	"login-customer-id"

/* "4400000044" as Google shows it: "440-000-0044". */
static const char *
dashed(struct arena *a, const char *id)
{
	if (strlen(id) != 10)
		return id;
	return arena_printf(a, "%.3s-%.3s-%.4s", id, id + 3, id + 6);
}

/* The call of a searchStream of cust at base (the API's, versioned)
 * with query, through manager login (NULL: directly), into c. */
static void
stream_call(struct pcall *c, struct arena *a, const char *base,
    const char *cust, const char *query, const char *login)
{
	memset(c, 0, sizeof(*c));
	c->method = "POST";
	c->url = arena_printf(a, "%s/customers/%s/googleAds:searchStream",
	    base, cust);
	c->body = query;
	/* Google Ads has one header of its own: the second slot is free. */
	if (login != NULL) {
		c->header2_name = ADS_LOGIN_HEADER;
		c->header2_value = login;
	}
}

/* searchStream of cust, through manager login (NULL: directly). */
static enum err
tree_query(struct accounts_lister *l, const char *cust, const char *login,
    struct pcall_result *r)
{
	struct pcall c;

	stream_call(&c, l->a, accounts_base(l, PROVIDER_API_BASE), cust,
	    ADS_TREE_QUERY, login);
	return accounts_call(l, &c, r);
}

/*
 * Offers a client account: "Café Zürich AG — 440-000-0044", with the
 * managers above it when reached through one (login: the manager's id,
 * sent as login-customer-id on every call for it).  An account reached
 * directly is kept so, whatever manager also reaches it.
 */
static void
offer(struct accounts_lister *l, const struct syncnorm_ads_client *c,
    const char *login, const char *via)
{
	struct json_object *o;
	const char *name;

	if ((o = accounts_find(l, c->id)) != NULL) {
		if (login == NULL) {
			json_object_object_del(o, "login_customer_id");
			json_object_object_del(o, "manager_path");
		}
		return;
	}
	name = arena_printf(l->a, "%s — %s", c->name != NULL && *c->name !=
	    '\0' ? c->name : "Customer", dashed(l->a, c->id));
	if (via != NULL)
		name = arena_printf(l->a, "%s (via %s)", name, via);
	if ((o = accounts_add(l, c->id, name, c->time_zone, c->currency)) ==
	    NULL || login == NULL)
		return;
	json_object_object_add(o, "login_customer_id",
	    json_object_new_string(login));
	json_object_object_add(o, "manager_path", json_object_new_string(via));
}

/*
 * The accounts under cust, an accessible customer (root) or a manager
 * below it (depth > 0; via names the managers down to it).  A manager
 * is not offered itself: its metrics are its clients'.  Clients that are
 * cancelled, suspended or closed are left out.  A sub-tree that cannot be
 * read (403, 404) is skipped; other errors end the listing.
 */
static enum err
tree(struct accounts_lister *l, const char *root, const char *cust,
    const char *via, int depth)
{
	struct syncnorm_ads_client *c;
	struct pcall_result r;
	const char *here = NULL, *below;
	size_t i, n;
	enum err rc;

	rc = tree_query(l, cust, depth > 0 ? root : NULL, &r);
	if (rc == ERR_FORBIDDEN || rc == ERR_NOTFOUND) {
		/* An accessible customer we cannot query: as listed. */
		if (depth == 0)
			accounts_add(l, cust, arena_printf(l->a, "Customer "
			    "%s", dashed(l->a, cust)), NULL, NULL);
		l->why = NULL;
		return ERR_OK;
	}
	if (rc != ERR_OK)
		return rc;
	c = arena_calloc(l->a, LIMIT_ADS_TREE_ROWS, sizeof(*c));
	if ((rc = syncnorm_google_ads_clients(l->a, r.json, c,
	    LIMIT_ADS_TREE_ROWS, &n, &l->why)) != ERR_OK)
		return rc;
	for (i = 0; i < n; i++)
		if (c[i].level == 0) {
			here = c[i].name != NULL && *c[i].name != '\0' ?
			    c[i].name : dashed(l->a, c[i].id);
			if (depth == 0 && !c[i].manager)
				offer(l, &c[i], NULL, NULL);
		}
	if (here == NULL)
		here = dashed(l->a, cust);
	below = via != NULL ? arena_printf(l->a, "%s › %s", via, here) : here;
	for (i = 0; i < n; i++) {
		if (c[i].level != 1 || strcmp(c[i].id, cust) == 0)
			continue;
		if (c[i].manager) {
			if (depth + 1 < LIMIT_ADS_TREE_DEPTH &&
			    (rc = tree(l, root, c[i].id, below, depth + 1)) !=
			    ERR_OK)
				return rc;
		} else if (c[i].status == NULL ||
		    strcmp(c[i].status, "ENABLED") == 0)
			offer(l, &c[i], root, below);
	}
	return ERR_OK;
}

/*
 * The customers the login reaches directly, then, for each, the tree
 * below it: a manager's clients at every level.
 */
static enum err
list(struct accounts_lister *l)
{
	struct pcall_result r;
	struct json_object *names;
	const char *id;
	size_t i, n;
	enum err rc;

	if ((rc = accounts_get(l, arena_printf(l->a, "%s/customers:"
	    "listAccessibleCustomers", accounts_base(l, PROVIDER_API_BASE)),
	    &r)) != ERR_OK)
		return rc;
	names = jsonx_member(r.json, "resourceNames");
	n = json_object_is_type(names, json_type_array) ?
	    json_object_array_length(names) : 0;
	for (i = 0; i < n; i++) {
		id = json_object_get_string(json_object_array_get_idx(names,
		    i));
		if (id == NULL || strncmp(id, "customers/", 10) != 0 ||
		    !syncnorm_is_count(id + 10))
			continue;
		if ((rc = tree(l, id + 10, id + 10, NULL, 0)) != ERR_OK)
			return rc;
	}
	return ERR_OK;
}

/* searchStream of the account, through its manager when it has one. */
static enum err
search(struct fetch *f, const char *cust, const char *query,
    struct pcall_result *res)
{
	struct pcall c;

	stream_call(&c, f->a, fetch_base(f, PROVIDER_API_BASE), cust, query,
	    fetch_account(f, cust, "login_customer_id"));
	return fetch_call(f, &c, res);
}

static enum err
fetch(struct fetch *f, struct syncnorm *n, const char *cust)
{
	struct pcall_result res;
	struct json_object *cu, *v;
	const char *tz = NULL, *cur = NULL, *from, *to;
	enum err rc;

	if ((rc = search(f, cust, "{\"query\":\"SELECT customer.id, "
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
	if ((rc = search(f, cust, arena_printf(f->a, "{\"query\":\"SELECT "
	    "segments.date, campaign.id, campaign.name, metrics.impressions, "
	    "metrics.clicks, metrics.cost_micros, metrics.conversions, "
	    "metrics.conversions_value FROM campaign WHERE segments.date "
	    "BETWEEN '%s' AND '%s' ORDER BY segments.date\"}", from, to),
	    &res)) != ERR_OK)
		return rc;
	if ((rc = syncnorm_google_ads(n, res.json, cust, cur)) != ERR_OK)
		return fetch_norm_failed(f, n, rc);
	/* A campaign's day whose metrics are all 0 is left out of the
	 * answer: a stored one of these days that it lacks is 0 now. */
	n->zero_from = from;
	n->zero_to = to;
	return ERR_OK;
}

/*
 * The error of an answer: the body's own (an object with "error"), or,
 * for searchStream's array of batches, the element that carries one — a
 * stream that fails partway still answers HTTP 200, its last element the
 * error.  *batches: the batches before it.  NULL when there is none.
 */
static struct json_object *
ads_error(struct json_object *body, size_t *batches)
{
	struct json_object *e;
	size_t i;

	*batches = 0;
	if (json_object_is_type(body, json_type_object))
		return jsonx_member(body, "error") != NULL ? body : NULL;
	for (i = 0; json_object_is_type(body, json_type_array) &&
	    i < json_object_array_length(body); i++) {
		e = json_object_array_get_idx(body, i);
		if (jsonx_member(e, "error") != NULL) {
			*batches = i;
			return e;
		}
	}
	return NULL;
}

/*
 * The first GoogleAdsFailure error of an error element e: its code
 * ("USER_PERMISSION_DENIED") and message, or NULL.
 */
static const char *
ads_failure(struct json_object *e, const char **message)
{
	struct json_object *d, *errs, *code;
	size_t i;

	d = jsonx_member(jsonx_member(e, "error"), "details");
	for (i = 0; json_object_is_type(d, json_type_array) &&
	    i < json_object_array_length(d); i++) {
		errs = jsonx_member(json_object_array_get_idx(d, i), "errors");
		if (!json_object_is_type(errs, json_type_array) ||
		    json_object_array_length(errs) == 0)
			continue;
		e = json_object_array_get_idx(errs, 0);
		*message = jsonx_str(e, "message");
		code = jsonx_member(e, "errorCode");
		if (!json_object_is_type(code, json_type_object))
			return NULL;
		json_object_object_foreach(code, k, v) {
			(void)k;
			return json_object_get_string(v);
		}
	}
	return NULL;
}

/* What an HTTP status of Google's means here (pcall_json()'s rules). */
static enum err
ads_status_err(int status)
{
	switch (status) {
	case 401:
		return ERR_AUTH;
	case 403:
		return ERR_FORBIDDEN;
	case 404:
		return ERR_NOTFOUND;
	default:
		return ERR_UPSTREAM;
	}
}

/*
 * Google Ads' own failures, where a plain message helps: an error body,
 * or a searchStream whose answer (HTTP 200) ends in an error — then
 * nothing of it is kept (its batches stop short: the days it holds may
 * lack campaigns, and a partial day must not replace a whole one).
 */
static enum err
classify(struct arena *a, const struct provider *p, struct pcall_result *out)
{
	struct json_object *e;
	const char *code, *msg = NULL, *text;
	size_t batches;
	int status = out->resp.status;

	if ((e = ads_error(out->json, &batches)) == NULL)
		return ERR_OK;
	code = ads_failure(e, &msg);
	if (status < 400) {
		/* The stream's own error: its code is an HTTP status. */
		status = json_object_get_int(jsonx_member(jsonx_member(e,
		    "error"), "code"));
		if (status < 400)
			status = 500;
	}
	if (code != NULL && strcmp(code, "USER_PERMISSION_DENIED") == 0) {
		out->why = arena_printf(a, "%s refused this account to the "
		    "login: an account under a manager account is reached "
		    "through the manager (sent as login-customer-id); "
		    "reconnect %s so the account is listed with its manager, "
		    "or untick it (USER_PERMISSION_DENIED)", p->name, p->name);
		return ERR_FORBIDDEN;
	}
	/* Quota (QuotaErrorEnum), or a 429 however it comes: wait the
	 * retryDelay of its quotaErrorDetails (or Retry-After) before asking
	 * again. */
	if (status == 429 || (code != NULL &&
	    (strcmp(code, "RESOURCE_EXHAUSTED") == 0 ||
	    strcmp(code, "RESOURCE_TEMPORARILY_EXHAUSTED") == 0))) {
		out->retry_after = pcall_retry_after(&out->resp, 0);
		if (out->retry_after == 0)
			out->retry_after = pcall_wait(pcall_google_delay(e));
		if (out->retry_after == 0)
			out->retry_after = LIMIT_RATE_WAIT_S;
		out->why = arena_printf(a, "%s: the API quota is used up "
		    "(%s); Sluice waits %d s as Google asks", p->name,
		    code != NULL ? code : "RESOURCE_EXHAUSTED",
		    out->retry_after);
		return ERR_RATELIMIT;
	}
	if (code != NULL && strcmp(code, "CUSTOMER_NOT_ENABLED") == 0) {
		out->why = arena_printf(a, "%s: the account is not enabled "
		    "(cancelled, suspended or closed); untick it "
		    "(CUSTOMER_NOT_ENABLED)", p->name);
		return ERR_FORBIDDEN;
	}
	/* Any other: Google Ads' own message (it says what to do, e.g. a
	 * developer token approved for test accounts only), else the
	 * error's. */
	if (msg == NULL)
		msg = jsonx_str(jsonx_member(e, "error"), "message");
	text = pcall_plain(a, msg != NULL ? msg : "an error",
	    LIMIT_SYNC_ERROR);
	if (out->resp.status < 400)
		out->why = arena_printf(a, "%s: the answer stopped with an "
		    "error after %zu batch%s, so none of it was kept: %s "
		    "(%s)", p->name, batches, batches == 1 ? "" : "es", text,
		    code != NULL ? code : arena_printf(a, "HTTP %d", status));
	else
		out->why = arena_printf(a, "%s: %s (%s, HTTP %d)", p->name,
		    text, code != NULL ? code : "no error code", status);
	return ads_status_err(status);
}

static const struct metric_def metrics[] = {
	METRIC_DEF_SUM("impressions", "Impressions", "count"),
	METRIC_DEF_SUM("clicks", "Clicks", "count"),
	{ .name = "cost_micros", .label = "Cost",
	    .unit = "currency_micros", .agg = METRIC_SUM,
	    .words = { "spend", "spending", "costs", "budget" } },
	{ .name = "conversions", .label = "Conversions",
	    .unit = "count", .agg = METRIC_SUM,
	    .words = { "conversion" } },
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
	.urls[PROVIDER_API_BASE] = "https://googleads.googleapis.com/{version}",
	.login_hint = "login_hint",
	.scopes = "openid email https://www.googleapis.com/auth/adwords",
	.restatement_days = 30,
	.accounts = "customers",
	.mark = "Ad",
	.mark_colour = "#1a73e8",
	.reads = "Daily impressions, clicks, cost and conversions of the "
	    "Google Ads customers you choose. Sluice only reads; no campaign "
	    "or budget is changed.",
	.days = "each customer's time zone",
	.api_version = "REST",
	/* v26 (released 2026-10-14; v23 retires in February 2027): its
	 * sunset is projected for November 2027 (Google Ads API release
	 * schedule): the first day of the month, to warn in time.  Between
	 * v23 and v26 nothing this file reads changed (breaking changes were
	 * in campaigns, lifecycle goals, incentives and hotel criteria). */
	.version = "v26",
	.version_env = "SLUICE_GOOGLE_ADS_API_VERSION",
	.api_sunset = "2027-11-01",
	.headers = {
		{ "developer-token", "SLUICE_GOOGLE_ADS_DEVELOPER_TOKEN",
		    "sandbox-developer-token" },
	},
	.sandbox[2] = { "google_ads", "api",
	    "https://googleads.googleapis.com", "/sandbox/google-ads" },
	.words = { "adwords" },
	.spend_metric = "cost_micros",
	PROVIDER_CATALOGUE(metrics),
	.list = list,
	.fetch = fetch,
	.classify = classify,
};
