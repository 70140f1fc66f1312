/*
 * sandbox_google.c — Google in the sandbox: OAuth, GA4, Ads, YouTube.
 *
 * OAuth token and revoke, GA4 Admin (account summaries, property) and Data
 * (runReport), Google Ads (listAccessibleCustomers, searchStream with a
 * small GAQL subset) and YouTube (channels mine, Analytics reports).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "base/arena.h"
#include "base/jsonx.h"
#include "base/mem.h"
#include "sandbox/sandbox_priv.h"

#define GJ	"application/json; charset=utf-8"
#define GJU	"application/json; charset=UTF-8"
#define GA4_RESTATE	3	/* days a GA4 day may still change */
#define ADS_RESTATE	30
#define YT_RESTATE	3

/* ------------------------------------------------------------------ */
/* OAuth. */

static void
nocache(struct sbx *sx)
{
	resp_header(&sx->ctx->resp, "Cache-Control",
	    "no-cache, no-store, max-age=0, must-revalidate");
	resp_header(&sx->ctx->resp, "Pragma", "no-cache");
}

/* A JWT-shaped id_token (unsigned: "alg":"none" would be honest but
 * clients expect RS256; the signature part is a marker). */
static const char *
id_token(struct sbx *sx, const char *client, int user)
{
	char hdr[128], pay[300], b1[200], b2[420];

	snprintf(hdr, sizeof(hdr), "{\"alg\":\"RS256\",\"kid\":\"sandbox\","
	    "\"typ\":\"JWT\"}");
	snprintf(pay, sizeof(pay), "{\"iss\":\"https://accounts.google.com\","
	    "\"aud\":\"%.60s\",\"sub\":\"1100000000000000000%d\",\"email\":"
	    "\"user%d@sandbox.example\",\"email_verified\":true,\"iat\":%lld,"
	    "\"exp\":%lld}", client, user, user, (long long)sx->now,
	    (long long)sx->now + 3600);
	sandbox_b64url(hdr, b1, sizeof(b1));
	sandbox_b64url(pay, b2, sizeof(b2));
	return arena_printf(sx->ctx->arena, "%s.%s.c2FuZGJveA", b1, b2);
}

enum err
sandbox_google_token(struct ctx *ctx)
{
	const char *grant, *why, *client, *rt;
	struct sandbox_token code, t;
	struct sbx sx;
	enum err rc;
	const char *scope;

	if (!sandbox_begin(ctx, SBX_GOOGLE_OAUTH, SBX_TOKEN_EP, &sx, &rc))
		return rc;
	grant = req_form(&ctx->req, "grant_type");
	client = req_form(&ctx->req, "client_id");
	if (client == NULL && req_header(&ctx->req, "authorization") == NULL)
		return sandbox_fail(&sx, -1,
		    "token-error-invalid-client-not-found");
	if (client == NULL)
		client = "sandbox-client";
	memset(&t, 0, sizeof(t));
	if (grant != NULL && strcmp(grant, "authorization_code") == 0) {
		if (!sandbox_code_ok(&sx, req_form(&ctx->req, "code"),
		    SBXP_GOOGLE, req_form(&ctx->req, "redirect_uri"),
		    req_form(&ctx->req, "code_verifier"), &code, &why))
			return sandbox_fail(&sx, -1,
			    "token-error-invalid-grant-bad-request");
	} else if (grant != NULL && strcmp(grant, "refresh_token") == 0) {
		rt = req_form(&ctx->req, "refresh_token");
		if (!sandbox_token_parse(rt, &code) ||
		    code.prov != SBXP_GOOGLE || code.kind != SBXK_REFRESH)
			return sandbox_fail(&sx, -1,
			    "token-error-invalid-grant-revoked");
	} else {
		sandbox_start(&sx, 400, GJ);
		nocache(&sx);
		buf_puts(sx.out, "{\"error\":\"unsupported_grant_type\","
		    "\"error_description\":\"Invalid grant_type: \"}");
		return ERR_OK;
	}
	t.prov = SBXP_GOOGLE;
	t.user = code.user;
	strcpy(t.fault, code.fault);
	t.iat = sx.now;
	scope = code.scope;
	sandbox_start(&sx, 200, GJ);
	nocache(&sx);
	t.kind = SBXK_ACCESS;
	t.exp = sx.now + 3599;
	buf_puts(sx.out, "{\"access_token\":");
	sandbox_jstr(sx.out, sandbox_token_make(&sx, "ya29.", &t));
	buf_puts(sx.out, ",\"expires_in\":3599");
	/* a refresh token only for access_type=offline */
	if (code.kind == SBXK_CODE && strchr(code.flags, 'O') != NULL) {
		t.kind = SBXK_REFRESH;
		t.exp = 0;
		strcpy(t.scope, code.scope);
		buf_puts(sx.out, ",\"refresh_token\":");
		sandbox_jstr(sx.out, sandbox_token_make(&sx, "1//0g", &t));
	}
	buf_puts(sx.out, ",\"scope\":");
	sandbox_jstr(sx.out, *scope ? scope :
	    "https://www.googleapis.com/auth/analytics.readonly");
	buf_puts(sx.out, ",\"token_type\":\"Bearer\"");
	if (strstr(scope, "openid") != NULL || strstr(scope, "email") !=
	    NULL) {
		buf_puts(sx.out, ",\"id_token\":");
		sandbox_jstr(sx.out, id_token(&sx, client, code.user));
	}
	buf_puts(sx.out, "}");
	return sandbox_done(&sx);
}

enum err
sandbox_google_revoke(struct ctx *ctx)
{
	struct sandbox_token t;
	struct sbx sx;
	enum err rc;

	if (!sandbox_begin(ctx, SBX_GOOGLE_OAUTH, 0, &sx, &rc))
		return rc;
	if (!sandbox_token_parse(sandbox_param(ctx, "token"), &t) ||
	    t.prov != SBXP_GOOGLE)
		return sandbox_fail(&sx, -1, "revoke-error-invalid-token");
	sandbox_start(&sx, 200, GJ);
	return ERR_OK;
}

/* ------------------------------------------------------------------ */
/* GA4 Admin. */

#define GA4_PER_PAGE	2	/* the sandbox's own page cap */

/* Account and property ids of a user's n-th GA4 account. */
static long long
ga4_account(int user, int i)
{
	return 200000000LL + (long long)(sandbox_hash("ga4acct",
	    (uint64_t)(user * 1000 + i)) % 90000000);
}

static long long
ga4_property(int user, int i, int j)
{
	return 300000000LL + (long long)(sandbox_hash("ga4prop",
	    (uint64_t)(user * 100000 + i * 100 + j)) % 90000000);
}

enum err
sandbox_ga4_summaries(struct ctx *ctx)
{
	static const char *const names[] = { "Acme Corp", "Old UA account",
	    "Client: Northwind" };
	static const int nprops[] = { 2, 0, 1 };
	const char *tok;
	long size, off = 0, total, i, j, end;
	struct sbx sx;
	enum err rc;

	if (!sandbox_begin(ctx, SBX_GA4, SBX_AUTH, &sx, &rc))
		return rc;
	size = sandbox_long(req_query(&ctx->req, "pageSize"), 50, 200);
	if (size == 0)
		size = 50;
	if (size > GA4_PER_PAGE)
		size = GA4_PER_PAGE;
	tok = req_query(&ctx->req, "pageToken");
	if (tok != NULL && strncmp(tok, "SBXp", 4) == 0)
		off = sandbox_long(tok + 4, 0, 100000);
	total = sandbox_is(&sx, "pages") ? SANDBOX_MANY_PAGES * size : 3;
	if (sandbox_is(&sx, "empty"))
		total = 0;
	sandbox_start(&sx, 200, GJU);
	buf_puts(sx.out, "{");
	if (off < total)
		buf_puts(sx.out, "\"accountSummaries\":[");
	end = off + size < total ? off + size : total;
	for (i = off; i < end; i++) {
		long long a = ga4_account(sx.tok.user, (int)i);

		buf_printf(sx.out, "%s{\"name\":\"accountSummaries/%lld\","
		    "\"account\":\"accounts/%lld\",\"displayName\":",
		    i > off ? "," : "", a, a);
		sandbox_jstr(sx.out, arena_printf(ctx->arena, "%s%s",
		    names[i % 3], i >= 3 ? arena_printf(ctx->arena, " %ld",
		    i) : ""));
		if (nprops[i % 3] > 0) {
			buf_puts(sx.out, ",\"propertySummaries\":[");
			for (j = 0; j < nprops[i % 3]; j++)
				buf_printf(sx.out, "%s{\"property\":"
				    "\"properties/%lld\",\"displayName\":"
				    "\"site %ld.%ld - GA4\",\"propertyType\":"
				    "\"PROPERTY_TYPE_ORDINARY\",\"parent\":"
				    "\"accounts/%lld\"}", j ? "," : "",
				    ga4_property(sx.tok.user, (int)i, (int)j),
				    i, j, a);
			buf_puts(sx.out, "]");
		}
		buf_puts(sx.out, "}");
	}
	if (off < total)
		buf_puts(sx.out, "]");
	if (end < total)
		buf_printf(sx.out, "%s\"nextPageToken\":\"SBXp%ld\"",
		    off < total ? "," : "", end);
	buf_puts(sx.out, "}");
	return sandbox_done(&sx);
}

/* "123" from "123" or "123:runReport"; NULL when not digits-ish. */
static const char *
prop_id(struct sbx *sx, const char *cap, const char *suffix)
{
	size_t n = strlen(cap), s = suffix != NULL ? strlen(suffix) : 0;

	if (suffix != NULL) {
		if (n <= s || strcmp(cap + n - s, suffix) != 0)
			return NULL;
		n -= s;
	}
	return arena_strndup(sx->ctx->arena, cap, n);
}

static const char *
currency(const char *account)
{
	static const char *const c[] = { "USD", "EUR", "GBP", "USD", "JPY" };

	return c[sandbox_hash(account, 8) % 5];
}

enum err
sandbox_ga4_property(struct ctx *ctx)
{
	const char *id;
	struct sbx sx;
	enum err rc;

	if (!sandbox_begin(ctx, SBX_GA4, SBX_AUTH, &sx, &rc))
		return rc;
	id = route_capture(&ctx->match, "id");
	sandbox_start(&sx, 200, GJU);
	buf_puts(sx.out, "{\"name\":");
	sandbox_jstr(sx.out, arena_printf(ctx->arena, "properties/%s", id));
	buf_puts(sx.out, ",\"propertyType\":\"PROPERTY_TYPE_ORDINARY\","
	    "\"createTime\":\"2022-03-14T09:21:37.413Z\",\"updateTime\":"
	    "\"2025-11-02T16:05:12.980Z\",\"parent\":\"accounts/200000001\","
	    "\"displayName\":");
	sandbox_jstr(sx.out, arena_printf(ctx->arena, "Sandbox property %s",
	    id));
	buf_puts(sx.out, ",\"industryCategory\":\"SHOPPING\",\"timeZone\":");
	sandbox_jstr(sx.out, sandbox_tz(id, NULL));
	buf_printf(sx.out, ",\"currencyCode\":\"%s\",\"serviceLevel\":"
	    "\"GOOGLE_ANALYTICS_STANDARD\",\"account\":"
	    "\"accounts/200000001\"}", currency(id));
	return sandbox_done(&sx);
}

/* ------------------------------------------------------------------ */
/* GA4 Data: runReport. */

enum mkind { MK_INT, MK_FLOAT, MK_SECONDS, MK_CURRENCY };

static const struct ga4_metric {
	const char	*name;
	const char	*type;
	enum mkind	 kind;
} ga4_metrics[] = {
	{ "sessions", "TYPE_INTEGER", MK_INT },
	{ "totalUsers", "TYPE_INTEGER", MK_INT },
	{ "activeUsers", "TYPE_INTEGER", MK_INT },
	{ "newUsers", "TYPE_INTEGER", MK_INT },
	{ "screenPageViews", "TYPE_INTEGER", MK_INT },
	{ "engagedSessions", "TYPE_INTEGER", MK_INT },
	{ "bounceRate", "TYPE_FLOAT", MK_FLOAT },
	{ "engagementRate", "TYPE_FLOAT", MK_FLOAT },
	{ "averageSessionDuration", "TYPE_SECONDS", MK_SECONDS },
	{ "keyEvents", "TYPE_INTEGER", MK_INT },
	{ "totalRevenue", "TYPE_CURRENCY", MK_CURRENCY },
};

static double
ga4_value(const char *name, const struct sandbox_day *d)
{
	if (strcmp(name, "sessions") == 0)
		return (double)d->visits;
	if (strcmp(name, "totalUsers") == 0)
		return (double)d->users;
	if (strcmp(name, "activeUsers") == 0)
		return (double)(d->users * 97 / 100);
	if (strcmp(name, "newUsers") == 0)
		return (double)(d->users * 41 / 100);
	if (strcmp(name, "screenPageViews") == 0)
		return (double)d->pageviews;
	if (strcmp(name, "engagedSessions") == 0)
		return (double)d->visits * (1.0 - d->bounce_rate);
	if (strcmp(name, "bounceRate") == 0)
		return d->visits ? d->bounce_rate : 0;
	if (strcmp(name, "engagementRate") == 0)
		return d->visits ? 1.0 - d->bounce_rate : 0;
	if (strcmp(name, "averageSessionDuration") == 0)
		return d->visits ? d->avg_duration : 0;
	if (strcmp(name, "keyEvents") == 0)
		return (double)(int64_t)d->conversions;
	return d->revenue;
}

/* A GA4 date: YYYY-MM-DD, today, yesterday, NdaysAgo. */
static int64_t
ga4_date(const char *s, int64_t today)
{
	char *end;
	long n;

	if (s == NULL)
		return -1;
	if (strcmp(s, "today") == 0)
		return today;
	if (strcmp(s, "yesterday") == 0)
		return today - 1;
	n = strtol(s, &end, 10);
	if (end != s && strcmp(end, "daysAgo") == 0 && n >= 0 && n < 5000)
		return today - n;
	return sandbox_day_parse(s);
}

static enum err
ga4_bad(struct sbx *sx, const char *msg)
{
	resp_clear(&sx->ctx->resp);
	sandbox_start(sx, 400, GJU);
	buf_puts(sx->out, "{\"error\":{\"code\":400,\"message\":");
	sandbox_jstr(sx->out, msg);
	buf_puts(sx->out, ",\"status\":\"INVALID_ARGUMENT\"}}");
	return ERR_OK;
}

static void
num(struct buf *b, double v, enum mkind k)
{
	if (k == MK_INT)
		buf_printf(b, "\"%lld\"", (long long)v);
	else
		buf_printf(b, "\"%.15g\"", v);
}

enum err
sandbox_ga4_report(struct ctx *ctx)
{
	struct json_object *root, *arr, *o, *v;
	const struct ga4_metric *mets[10];
	const char *prop, *why, *s0, *s1, *name;
	int64_t today, d0, d1, d, lim = 10000, off = 0, nrows = 0, row;
	bool by_date = false, keep = false, quota = false, all0;
	struct sandbox_day sd;
	size_t nm = 0, i, k;
	char day[11];
	struct sbx sx;
	enum err rc;
	int tzoff;

	if (!sandbox_begin(ctx, SBX_GA4, SBX_AUTH, &sx, &rc))
		return rc;
	if ((prop = prop_id(&sx, route_capture(&ctx->match, "idaction"),
	    ":runReport")) == NULL)
		return sandbox_fail(&sx, -1, "error-403-permission-denied");
	if (jsonx_parse(ctx->arena, ctx->req.body, ctx->req.body_len, &root,
	    &why) != ERR_OK || !json_object_is_type(root, json_type_object))
		return ga4_bad(&sx, "Invalid JSON payload received.");
	sandbox_tz(prop, &tzoff);
	today = sandbox_today(sx.now, tzoff);
	if (jsonx_get_array(root, "dateRanges", &arr) != ERR_OK ||
	    json_object_array_length(arr) < 1 ||
	    (o = json_object_array_get_idx(arr, 0)) == NULL ||
	    jsonx_get_string(o, "startDate", &s0) != ERR_OK ||
	    jsonx_get_string(o, "endDate", &s1) != ERR_OK ||
	    (d0 = ga4_date(s0, today)) < 0 || (d1 = ga4_date(s1, today)) < 0 ||
	    d1 < d0 || d1 - d0 > 3660)
		return ga4_bad(&sx, "dateRanges needs a valid startDate and "
		    "endDate.");
	if (jsonx_get_array(root, "metrics", &arr) != ERR_OK ||
	    json_object_array_length(arr) < 1)
		return ga4_bad(&sx, "At least one metric is required.");
	if (json_object_array_length(arr) > 10)
		return ga4_bad(&sx, "At most 10 metrics per request.");
	for (i = 0; i < json_object_array_length(arr); i++) {
		o = json_object_array_get_idx(arr, i);
		if (jsonx_get_string(o, "name", &name) != ERR_OK)
			return ga4_bad(&sx, "A metric has no name.");
		for (k = 0; k < nitems(ga4_metrics); k++)
			if (strcmp(ga4_metrics[k].name, name) == 0)
				break;
		if (k == nitems(ga4_metrics))
			return ga4_bad(&sx, arena_printf(ctx->arena, "Field "
			    "%s is not a valid metric.", name));
		mets[nm++] = &ga4_metrics[k];
	}
	if (jsonx_get_array(root, "dimensions", &arr) == ERR_OK) {
		for (i = 0; i < json_object_array_length(arr); i++) {
			o = json_object_array_get_idx(arr, i);
			if (jsonx_get_string(o, "name", &name) != ERR_OK ||
			    strcmp(name, "date") != 0)
				return ga4_bad(&sx, "The sandbox knows only "
				    "the date dimension.");
			by_date = true;
		}
	}
	if (json_object_object_get_ex(root, "keepEmptyRows", &v))
		keep = json_object_get_boolean(v);
	if (json_object_object_get_ex(root, "returnPropertyQuota", &v))
		quota = json_object_get_boolean(v);
	if (json_object_object_get_ex(root, "limit", &v))
		lim = json_object_get_int64(v);
	if (json_object_object_get_ex(root, "offset", &v))
		off = json_object_get_int64(v);
	if (lim <= 0 || lim > 250000)
		lim = 10000;
	if (off < 0)
		off = 0;

	sandbox_start(&sx, 200, GJU);
	/* proto3 JSON: empty repeated fields are left out */
	buf_puts(sx.out, by_date ? "{\"dimensionHeaders\":[{\"name\":"
	    "\"date\"}],\"metricHeaders\":[" : "{\"metricHeaders\":[");
	for (i = 0; i < nm; i++)
		buf_printf(sx.out, "%s{\"name\":\"%s\",\"type\":\"%s\"}",
		    i ? "," : "", mets[i]->name, mets[i]->type);
	buf_puts(sx.out, "]");
	row = 0;
	for (d = by_date ? d0 : d1; d <= d1 && !sandbox_is(&sx, "empty");
	    d++) {
		if (by_date)
			sandbox_series(prop, d, today, GA4_RESTATE, &sd);
		else	/* one row of totals over the range */
			sandbox_series_sum(prop, d0, d1, today, GA4_RESTATE,
			    &sd);
		for (all0 = true, i = 0; i < nm; i++)
			if (ga4_value(mets[i]->name, &sd) != 0)
				all0 = false;
		if (all0 && !keep)
			continue;
		if (by_date && d > today)
			continue;
		if (row >= off && row < off + lim) {
			buf_puts(sx.out, nrows == 0 ? ",\"rows\":[" : ",");
			buf_puts(sx.out, "{");
			if (by_date) {
				sandbox_day_format(d, 0, day);
				buf_printf(sx.out, "\"dimensionValues\":[{"
				    "\"value\":\"%s\"}],", day);
			}
			buf_puts(sx.out, "\"metricValues\":[");
			for (i = 0; i < nm; i++) {
				double x = ga4_value(mets[i]->name, &sd);

				buf_puts(sx.out, i ? ",{" : "{");
				if (x != 0) {
					buf_puts(sx.out, "\"value\":");
					num(sx.out, x, mets[i]->kind);
				} else
					buf_puts(sx.out, "\"value\":\"0\"");
				buf_puts(sx.out, "}");
			}
			buf_puts(sx.out, "]}");
			nrows++;
		}
		row++;
	}
	if (nrows > 0)
		buf_puts(sx.out, "]");
	if (row > 0)
		buf_printf(sx.out, ",\"rowCount\":%lld", (long long)row);
	buf_printf(sx.out, ",\"metadata\":{\"currencyCode\":\"%s\","
	    "\"timeZone\":", currency(prop));
	sandbox_jstr(sx.out, sandbox_tz(prop, NULL));
	buf_puts(sx.out, "}");
	if (quota)
		buf_puts(sx.out, ",\"propertyQuota\":{\"tokensPerDay\":{"
		    "\"consumed\":12,\"remaining\":199853},\"tokensPerHour\":{"
		    "\"consumed\":12,\"remaining\":39921},"
		    "\"concurrentRequests\":{\"remaining\":10},"
		    "\"serverErrorsPerProjectPerHour\":{\"remaining\":10},"
		    "\"potentiallyThresholdedRequestsPerHour\":{"
		    "\"remaining\":120},\"tokensPerProjectPerHour\":{"
		    "\"consumed\":12,\"remaining\":13988}}");
	buf_puts(sx.out, ",\"kind\":\"analyticsData#runReport\"}");
	return sandbox_done(&sx);
}

/* ------------------------------------------------------------------ */
/* Google Ads. */

static void
ads_reqid(struct sbx *sx, char out[23])
{
	const char *id = sandbox_hexid(sx, arena_printf(sx->ctx->arena,
	    "%s?%s#%s", sx->ctx->req.path, sx->ctx->req.query_string,
	    sx->ctx->req.body), 22);

	memcpy(out, id, 23);
	resp_header(&sx->ctx->resp, "request-id", out);
}

/* Customer ids of a user: two clients and a manager (starts with 9). */
static long long
ads_customer(int user, int i)
{
	static const long long base[] = { 1000000000LL, 5000000000LL,
	    9000000000LL };

	return base[i] + (long long)(sandbox_hash("adscust",
	    (uint64_t)(user * 10 + i)) % 999999999LL);
}

enum err
sandbox_ads_customers(struct ctx *ctx)
{
	struct sbx sx;
	enum err rc;
	char rid[23];
	int i;

	if (!sandbox_begin(ctx, SBX_ADS, SBX_AUTH, &sx, &rc))
		return rc;
	sandbox_start(&sx, 200, GJU);
	ads_reqid(&sx, rid);
	buf_puts(sx.out, "{\"resourceNames\":[");
	for (i = 0; i < 3 && !sandbox_is(&sx, "empty"); i++)
		buf_printf(sx.out, "%s\"customers/%lld\"", i ? "," : "",
		    ads_customer(sx.tok.user, i));
	buf_puts(sx.out, "]}");
	return sandbox_done(&sx);
}

/* GAQL fields the sandbox knows: snake name, group, camel name. */
static const struct ads_field {
	const char	*gaql;
	const char	*group;
	const char	*camel;
	char		 type;	/* s string, S int64 string, b bool, d double */
} ads_fields[] = {
	{ "customer.id", "customer", "id", 'S' },
	{ "customer.descriptive_name", "customer", "descriptiveName", 's' },
	{ "customer.currency_code", "customer", "currencyCode", 's' },
	{ "customer.time_zone", "customer", "timeZone", 's' },
	{ "customer.manager", "customer", "manager", 'b' },
	{ "customer.test_account", "customer", "testAccount", 'b' },
	{ "customer.status", "customer", "status", 's' },
	{ "campaign.id", "campaign", "id", 'S' },
	{ "campaign.name", "campaign", "name", 's' },
	{ "campaign.status", "campaign", "status", 's' },
	{ "customer_client.id", "customerClient", "id", 'S' },
	{ "customer_client.descriptive_name", "customerClient",
	    "descriptiveName", 's' },
	{ "customer_client.manager", "customerClient", "manager", 'b' },
	{ "customer_client.level", "customerClient", "level", 'S' },
	{ "customer_client.status", "customerClient", "status", 's' },
	{ "customer_client.client_customer", "customerClient",
	    "clientCustomer", 's' },
	{ "metrics.impressions", "metrics", "impressions", 'S' },
	{ "metrics.clicks", "metrics", "clicks", 'S' },
	{ "metrics.cost_micros", "metrics", "costMicros", 'S' },
	{ "metrics.conversions", "metrics", "conversions", 'd' },
	{ "metrics.conversions_value", "metrics", "conversionsValue", 'd' },
	{ "segments.date", "segments", "date", 's' },
};
#define NADS	(nitems(ads_fields))

static const char *const ads_groups[] = { "customer", "campaign",
    "customerClient", "metrics", "segments" };

/* One row's context for field values. */
struct ads_row {
	const char	*cust;		/* customer id */
	int		 camp;		/* campaign index, -1 */
	int		 child;		/* customer_client index, -1 */
	int64_t		 day;
	struct sandbox_day d;
};

static void
ads_value(struct sbx *sx, const struct ads_field *f, const struct ads_row *r)
{
	static const char *const camps[] = { "Brand - Search", "Generic - "
	    "Search", "Display - Remarketing" };
	struct buf *b = sx->out;
	double share = r->camp < 0 ? 1.0 : r->camp == 0 ? 0.4 : 0.6;
	char day[11];
	bool mgr = r->cust[0] == '9';

	if (strcmp(f->gaql, "customer.id") == 0)
		buf_printf(b, "\"%s\"", r->cust);
	else if (strcmp(f->gaql, "customer.descriptive_name") == 0)
		buf_printf(b, "\"Sandbox %s %s\"", mgr ? "Manager" :
		    "Client", r->cust);
	else if (strcmp(f->gaql, "customer.currency_code") == 0)
		buf_printf(b, "\"%s\"", currency(r->cust));
	else if (strcmp(f->gaql, "customer.time_zone") == 0)
		sandbox_jstr(b, sandbox_tz(r->cust, NULL));
	else if (strcmp(f->gaql, "customer.manager") == 0)
		buf_puts(b, mgr ? "true" : "false");
	else if (strcmp(f->gaql, "customer.test_account") == 0)
		buf_puts(b, "false");
	else if (strcmp(f->gaql, "customer.status") == 0 ||
	    strcmp(f->gaql, "campaign.status") == 0 ||
	    strcmp(f->gaql, "customer_client.status") == 0)
		buf_puts(b, "\"ENABLED\"");
	else if (strcmp(f->gaql, "campaign.id") == 0)
		buf_printf(b, "\"%lld\"", 20000000000LL + (long long)
		    (sandbox_hash(r->cust, 20 + (uint64_t)r->camp) %
		    999999999));
	else if (strcmp(f->gaql, "campaign.name") == 0)
		buf_printf(b, "\"%s\"", camps[r->camp % 3]);
	else if (strcmp(f->gaql, "customer_client.id") == 0)
		buf_printf(b, "\"%lld\"", ads_customer(r->child + 1, 0));
	else if (strcmp(f->gaql, "customer_client.descriptive_name") == 0)
		buf_printf(b, "\"Sandbox Client %lld\"",
		    ads_customer(r->child + 1, 0));
	else if (strcmp(f->gaql, "customer_client.manager") == 0)
		buf_puts(b, "false");
	else if (strcmp(f->gaql, "customer_client.level") == 0)
		buf_puts(b, "\"1\"");
	else if (strcmp(f->gaql, "customer_client.client_customer") == 0)
		buf_printf(b, "\"customers/%lld\"",
		    ads_customer(r->child + 1, 0));
	else if (strcmp(f->gaql, "metrics.impressions") == 0)
		buf_printf(b, "\"%lld\"", (long long)((double)
		    r->d.impressions * share));
	else if (strcmp(f->gaql, "metrics.clicks") == 0)
		buf_printf(b, "\"%lld\"", (long long)((double)r->d.clicks *
		    share));
	else if (strcmp(f->gaql, "metrics.cost_micros") == 0)
		buf_printf(b, "\"%lld\"", (long long)((double)
		    r->d.cost_micros * share) / 10000 * 10000);
	else if (strcmp(f->gaql, "metrics.conversions") == 0)
		buf_printf(b, "%.15g", (double)(int64_t)(r->d.conversions *
		    share * 2.0) / 2.0);
	else if (strcmp(f->gaql, "metrics.conversions_value") == 0)
		buf_printf(b, "%.15g", r->d.revenue * share);
	else if (strcmp(f->gaql, "segments.date") == 0) {
		sandbox_day_format(r->day, '-', day);
		buf_printf(b, "\"%s\"", day);
	}
}

static void
ads_emit_row(struct sbx *sx, const struct ads_field **sel, size_t nsel,
    const struct ads_row *r)
{
	size_t g, i;
	bool first = true, open;

	buf_puts(sx->out, "{");
	for (g = 0; g < nitems(ads_groups); g++) {
		open = false;
		for (i = 0; i < nsel; i++) {
			if (strcmp(sel[i]->group, ads_groups[g]) != 0)
				continue;
			if (!open) {
				buf_printf(sx->out, "%s\"%s\":{", first ? "" :
				    ",", ads_groups[g]);
				first = false;
				open = true;
				if (g == 0)
					buf_printf(sx->out, "\"resourceName\":"
					    "\"customers/%s\",", r->cust);
				else if (g == 1)
					buf_printf(sx->out, "\"resourceName\":"
					    "\"customers/%s/campaigns/%lld\",",
					    r->cust, 20000000000LL +
					    (long long)(sandbox_hash(r->cust,
					    20 + (uint64_t)r->camp) %
					    999999999));
				else if (g == 2)
					buf_printf(sx->out, "\"resourceName\":"
					    "\"customers/%s/customerClients/"
					    "%lld\",", r->cust,
					    ads_customer(r->child + 1, 0));
			} else
				buf_puts(sx->out, ",");
			buf_printf(sx->out, "\"%s\":", sel[i]->camel);
			ads_value(sx, sel[i], r);
		}
		if (open)
			buf_puts(sx->out, "}");
	}
	buf_puts(sx->out, "}");
}

/* Lower-cases a copy and squeezes blanks. */
static char *
gaql_norm(struct sbx *sx, const char *q)
{
	char *o = arena_strdup(sx->ctx->arena, q), *p;

	for (p = o; *p != '\0'; p++)
		if (*p == '\n' || *p == '\t' || *p == '\r')
			*p = ' ';
	return o;
}

enum err
sandbox_ads_stream(struct ctx *ctx)
{
	const struct ads_field *sel[32];
	struct json_object *root;
	const char *cap, *query, *why, *p, *from_p, *where;
	char *q, *cust, *tok, *save, rid[23], from[32], a[11], b[11];
	size_t nsel = 0, i, nrows = 0;
	bool has_metrics = false, has_date = false;
	int64_t today, d0, d1, d;
	struct ads_row r;
	struct sbx sx;
	enum err rc;
	int tzoff, c, ncamp;

	if (!sandbox_begin(ctx, SBX_ADS, SBX_AUTH, &sx, &rc))
		return rc;
	cap = route_capture(&ctx->match, "idaction");
	if (strcmp(cap, "googleAds:searchStream") != 0)
		return sandbox_fail(&sx, -1, "error-400-query-error-"
		    "searchStream");
	cust = arena_strdup(ctx->arena, route_capture(&ctx->match, "cust"));
	if (jsonx_parse(ctx->arena, ctx->req.body, ctx->req.body_len, &root,
	    &why) != ERR_OK || jsonx_get_string(root, "query", &query) !=
	    ERR_OK)
		return sandbox_fail(&sx, -1, "error-400-query-error-"
		    "searchStream");
	q = gaql_norm(&sx, query);
	if (strncasecmp(q, "SELECT ", 7) != 0 || (from_p = strcasestr(q,
	    " FROM ")) == NULL)
		return sandbox_fail(&sx, -1, "error-400-query-error-"
		    "searchStream");
	if (sscanf(from_p + 6, "%31[a-z_]", from) != 1)
		return sandbox_fail(&sx, -1, "error-400-query-error-"
		    "searchStream");
	{
		char *list = arena_strndup(ctx->arena, q + 7,
		    (size_t)(from_p - q - 7));

		for (tok = strtok_r(list, ", ", &save); tok != NULL;
		    tok = strtok_r(NULL, ", ", &save)) {
			for (i = 0; i < NADS; i++)
				if (strcmp(ads_fields[i].gaql, tok) == 0)
					break;
			if (i == NADS || nsel == 32)
				return sandbox_fail(&sx, -1, "error-400-query-"
				    "error-searchStream");
			sel[nsel++] = &ads_fields[i];
			if (strcmp(ads_fields[i].group, "metrics") == 0)
				has_metrics = true;
			if (strcmp(ads_fields[i].gaql, "segments.date") == 0)
				has_date = true;
		}
	}
	if (has_metrics && cust[0] == '9')
		return sandbox_fail(&sx, -1, "error-400-metrics-for-manager");
	sandbox_tz(cust, &tzoff);
	today = sandbox_today(sx.now, tzoff);
	d0 = d1 = today;
	where = strcasestr(q, " WHERE ");
	if (where != NULL && (p = strstr(where, "BETWEEN '")) != NULL &&
	    sscanf(p, "BETWEEN '%10[0-9-]' AND '%10[0-9-]'", a, b) == 2) {
		d0 = sandbox_day_parse(a);
		d1 = sandbox_day_parse(b);
	} else if (where != NULL && (p = strstr(where, "DURING ")) != NULL) {
		if (strncmp(p + 7, "LAST_7_DAYS", 11) == 0)
			d0 = today - 7, d1 = today - 1;
		else if (strncmp(p + 7, "LAST_14_DAYS", 12) == 0)
			d0 = today - 14, d1 = today - 1;
		else if (strncmp(p + 7, "LAST_30_DAYS", 12) == 0)
			d0 = today - 30, d1 = today - 1;
		else if (strncmp(p + 7, "YESTERDAY", 9) == 0)
			d0 = d1 = today - 1;
	}
	if (d0 < 0 || d1 < d0 || d1 - d0 > 3660)
		return sandbox_fail(&sx, -1, "error-400-query-error-"
		    "searchStream");
	sandbox_start(&sx, 200, GJU);
	ads_reqid(&sx, rid);
	buf_puts(sx.out, "[{");
	memset(&r, 0, sizeof(r));
	r.cust = cust;
	r.camp = -1;
	r.child = -1;
	ncamp = strcmp(from, "campaign") == 0 ? 2 : 1;
	for (d = has_date ? d0 : d1; d <= d1 && !sandbox_is(&sx, "empty");
	    d++) {
		if (has_metrics && has_date && d > today)
			break;
		r.day = d;
		if (has_date)
			sandbox_series(cust, d, today, ADS_RESTATE, &r.d);
		else	/* one row per resource over the range */
			sandbox_series_sum(cust, d0, d1, today, ADS_RESTATE,
			    &r.d);
		if (strcmp(from, "customer_client") == 0) {
			for (c = 0; c < 2; c++) {
				r.child = c;
				buf_puts(sx.out, nrows++ ? "," :
				    "\"results\":[");
				ads_emit_row(&sx, sel, nsel, &r);
			}
			break;
		}
		for (c = 0; c < ncamp; c++) {
			r.camp = ncamp > 1 ? c : -1;
			if (has_metrics && r.d.impressions == 0)
				continue;
			buf_puts(sx.out, nrows++ ? "," : "\"results\":[");
			ads_emit_row(&sx, sel, nsel, &r);
		}
	}
	if (nrows > 0)
		buf_puts(sx.out, "],");
	buf_puts(sx.out, "\"fieldMask\":\"");
	for (i = 0; i < nsel; i++)
		buf_printf(sx.out, "%s%s.%s", i ? "," : "",
		    strcmp(sel[i]->group, "customerClient") == 0 ?
		    "customerClient" : sel[i]->group, sel[i]->camel);
	buf_printf(sx.out, "\",\"requestId\":\"%s\"", rid);
	if (nrows > 0)
		buf_printf(sx.out, ",\"queryResourceConsumption\":\"%zu\"",
		    40 + nrows * 4);
	buf_puts(sx.out, "}]");
	return sandbox_done(&sx);
}

/* ------------------------------------------------------------------ */
/* YouTube. */

enum err
sandbox_yt_channels(struct ctx *ctx)
{
	const char *part, *etag, *id;
	struct sandbox_day d;
	struct sbx sx;
	enum err rc;
	int64_t today, i, views = 0;
	bool empty;

	if (!sandbox_begin(ctx, SBX_YOUTUBE, SBX_AUTH, &sx, &rc))
		return rc;
	part = req_query(&ctx->req, "part");
	if (part == NULL)
		part = "id";
	empty = sandbox_is(&sx, "empty");
	etag = sandbox_hexid(&sx, arena_printf(ctx->arena, "yt%d%s%d",
	    sx.tok.user, part, empty), 27);
	id = arena_printf(ctx->arena, "UCsbx%s", sandbox_hexid(&sx,
	    arena_printf(ctx->arena, "ytch%d", sx.tok.user), 19));
	sandbox_start(&sx, 200, GJU);
	buf_printf(sx.out, "{\"kind\":\"youtube#channelListResponse\","
	    "\"etag\":\"%s\",\"pageInfo\":{\"totalResults\":%d,"
	    "\"resultsPerPage\":5}", etag, empty ? 0 : 1);
	if (!empty) {
		buf_printf(sx.out, ",\"items\":[{\"kind\":\"youtube#channel\","
		    "\"etag\":\"%s\",\"id\":\"%s\"", sandbox_hexid(&sx, id,
		    27), id);
		if (strstr(part, "snippet") != NULL)
			buf_printf(sx.out, ",\"snippet\":{\"title\":\"Sandbox "
			    "Channel %d\",\"description\":\"A channel of the "
			    "Sluice sandbox.\",\"customUrl\":\"@sandbox%d\","
			    "\"publishedAt\":\"2019-04-12T15:31:08Z\","
			    "\"thumbnails\":{\"default\":{\"url\":"
			    "\"https://example.invalid/a88.png\",\"width\":88,"
			    "\"height\":88},\"medium\":{\"url\":"
			    "\"https://example.invalid/a240.png\",\"width\":"
			    "240,\"height\":240},\"high\":{\"url\":"
			    "\"https://example.invalid/a800.png\",\"width\":"
			    "800,\"height\":800}},\"localized\":{\"title\":"
			    "\"Sandbox Channel %d\",\"description\":\"A "
			    "channel of the Sluice sandbox.\"},\"country\":"
			    "\"US\"}", sx.tok.user, sx.tok.user, sx.tok.user);
		if (strstr(part, "statistics") != NULL) {
			today = sandbox_today(sx.now, 0);
			for (i = 1; i <= 30; i++) {
				sandbox_series(id, today - i, today, 0, &d);
				views += d.views;
			}
			buf_printf(sx.out, ",\"statistics\":{\"viewCount\":"
			    "\"%lld\",\"subscriberCount\":\"%lld\","
			    "\"hiddenSubscriberCount\":false,\"videoCount\":"
			    "\"%d\"}", (long long)views * 20,
			    (long long)views / 12, 50 + sx.tok.user * 31);
		}
		buf_puts(sx.out, "}]");
	}
	buf_puts(sx.out, "}");
	return sandbox_done(&sx);
}

static int64_t
yt_value(const char *m, const struct sandbox_day *d, bool *ok)
{
	*ok = true;
	if (strcmp(m, "views") == 0)
		return d->views;
	if (strcmp(m, "estimatedMinutesWatched") == 0)
		return d->minutes;
	if (strcmp(m, "averageViewDuration") == 0)
		return d->views ? d->minutes * 60 / d->views : 0;
	if (strcmp(m, "subscribersGained") == 0)
		return d->follows;
	if (strcmp(m, "subscribersLost") == 0)
		return d->unfollows;
	if (strcmp(m, "likes") == 0)
		return d->likes;
	if (strcmp(m, "dislikes") == 0)
		return d->likes / 30;
	if (strcmp(m, "comments") == 0)
		return d->comments;
	if (strcmp(m, "shares") == 0)
		return d->shares;
	*ok = false;
	return 0;
}

static enum err
yt_bad(struct sbx *sx, const char *msg)
{
	resp_clear(&sx->ctx->resp);
	sandbox_start(sx, 400, GJU);
	buf_puts(sx->out, "{\"error\":{\"code\":400,\"message\":");
	sandbox_jstr(sx->out, msg);
	buf_puts(sx->out, ",\"errors\":[{\"message\":");
	sandbox_jstr(sx->out, msg);
	buf_puts(sx->out, ",\"domain\":\"global\",\"reason\":\"badRequest\""
	    "}],\"status\":\"INVALID_ARGUMENT\"}}");
	return ERR_OK;
}

enum err
sandbox_yt_reports(struct ctx *ctx)
{
	const char *ids, *metrics, *dims, *chan;
	char *list, *tok, *save, *names[20], day[11];
	int64_t today, d0, d1, d, v;
	struct sandbox_day sd;
	size_t n = 0, i, rows = 0;
	struct sbx sx;
	enum err rc;
	bool ok, by_day;

	if (!sandbox_begin(ctx, SBX_YOUTUBE, SBX_AUTH, &sx, &rc))
		return rc;
	ids = req_query(&ctx->req, "ids");
	metrics = req_query(&ctx->req, "metrics");
	dims = req_query(&ctx->req, "dimensions");
	d0 = sandbox_day_parse(req_query(&ctx->req, "startDate"));
	d1 = sandbox_day_parse(req_query(&ctx->req, "endDate"));
	if (ids == NULL || strncmp(ids, "channel==", 9) != 0)
		return yt_bad(&sx, "Invalid value for ids.");
	if (metrics == NULL || d0 < 0 || d1 < d0 || d1 - d0 > 3660)
		return yt_bad(&sx, "startDate, endDate and metrics are "
		    "required.");
	if (dims != NULL && *dims != '\0' && strcmp(dims, "day") != 0)
		return yt_bad(&sx, "The sandbox knows only the day "
		    "dimension.");
	by_day = dims != NULL && strcmp(dims, "day") == 0;
	chan = strcmp(ids + 9, "MINE") == 0 ? arena_printf(ctx->arena,
	    "UCsbx%s", sandbox_hexid(&sx, arena_printf(ctx->arena, "ytch%d",
	    sx.tok.user), 19)) : ids + 9;
	list = arena_strdup(ctx->arena, metrics);
	for (tok = strtok_r(list, ",", &save); tok != NULL && n < 20;
	    tok = strtok_r(NULL, ",", &save)) {
		yt_value(tok, &sd, &ok);
		if (!ok)
			return yt_bad(&sx, arena_printf(ctx->arena, "Unknown "
			    "identifier (%s) given in field "
			    "parameters.metrics.", tok));
		names[n++] = tok;
	}
	today = sandbox_today(sx.now, -8);	/* Pacific days */
	sandbox_start(&sx, 200, GJU);
	buf_puts(sx.out, "{\"kind\":\"youtubeAnalytics#resultTable\","
	    "\"columnHeaders\":[");
	if (by_day)
		buf_puts(sx.out, "{\"name\":\"day\",\"columnType\":"
		    "\"DIMENSION\",\"dataType\":\"STRING\"},");
	for (i = 0; i < n; i++)
		buf_printf(sx.out, "%s{\"name\":\"%s\",\"columnType\":"
		    "\"METRIC\",\"dataType\":\"INTEGER\"}", i ? "," : "",
		    names[i]);
	buf_puts(sx.out, "]");
	for (d = by_day ? d0 : d1; d <= d1 && !sandbox_is(&sx, "empty");
	    d++) {
		if (by_day && d > today - 2)	/* the newest are not final */
			break;
		if (by_day)
			sandbox_series(chan, d, today, YT_RESTATE, &sd);
		else
			sandbox_series_sum(chan, d0, d1 < today - 2 ? d1 :
			    today - 2, today, YT_RESTATE, &sd);
		buf_puts(sx.out, rows++ ? ",[" : ",\"rows\":[[");
		if (by_day) {
			sandbox_day_format(d, '-', day);
			buf_printf(sx.out, "\"%s\"%s", day, n ? "," : "");
		}
		for (i = 0; i < n; i++) {
			v = yt_value(names[i], &sd, &ok);
			buf_printf(sx.out, "%s%lld", i ? "," : "",
			    (long long)v);
		}
		buf_puts(sx.out, "]");
	}
	if (rows > 0)
		buf_puts(sx.out, "]");
	buf_puts(sx.out, "}");
	return sandbox_done(&sx);
}
