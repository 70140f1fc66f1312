/*
 * ga4.c — Google Analytics 4 in the sandbox: Admin and Data APIs.
 *
 * GA4 Admin (account summaries, a property, an account's properties)
 * and Data (runReport).  OAuth
 * is Google's (google.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "base/arena.h"
#include "base/jsonx.h"
#include "base/mem.h"
#include "sandbox/sandbox_priv.h"

#define GJU	"application/json; charset=UTF-8"
#define GA4_RESTATE	3	/* days a GA4 day may still change */
#define GA4_SHORT_PAGE	2	/* rows a report page, "short_pages" */

/* Admin and Data: {error:{code,message,status,details?}}; its 401s
 * are the generic Google ones. */
static const struct sandbox_api ga4_api = {
	.name = "ga4",
	.prov = SANDBOX_GOOGLE_PROV,
	.invalid = "api-error-401-invalid",
	.expired = "api-error-401-expired-access-token",
};

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

/* A user's accounts, in turn: their names and how many properties. */
static const char *const names[] = { "Acme Corp", "Old UA account",
    "Client: Northwind" };
static const int nprops[] = { 2, 0, 1 };

static enum err
api_summaries(struct ctx *ctx)
{
	const char *tok;
	long size, off = 0, total, i, j, end;
	struct sbx sx;
	enum err rc;

	if (!sandbox_begin(ctx, &ga4_api, SBX_AUTH, &sx, &rc))
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

/*
 * properties.list?filter=parent:accounts/N (or ancestor:): the account's
 * properties with their time zone and currency; the filter is required
 * (400 without it, as Google answers).  An account not among the user's
 * summaries has one property made from its id (as properties/:id
 * answers any id).
 */
static enum err
api_properties(struct ctx *ctx)
{
	const char *f = req_query(&ctx->req, "filter");
	long long want, a;
	long i, j, total;
	struct sbx sx;
	enum err rc;
	int found = -1;

	if (!sandbox_begin(ctx, &ga4_api, SBX_AUTH, &sx, &rc))
		return rc;
	if (f != NULL && strncmp(f, "parent:", 7) == 0)
		f += 7;
	else if (f != NULL && strncmp(f, "ancestor:", 9) == 0)
		f += 9;
	else {
		sandbox_start(&sx, 400, GJU);
		buf_puts(sx.out, "{\"error\":{\"code\":400,\"message\":"
		    "\"Invalid filter. Filter must be of the form "
		    "parent:accounts/{account_id}.\",\"status\":"
		    "\"INVALID_ARGUMENT\"}}");
		return sandbox_done(&sx);
	}
	want = strncmp(f, "accounts/", 9) == 0 ? strtoll(f + 9, NULL, 10) : -1;
	total = sandbox_is(&sx, "pages") ? SANDBOX_MANY_PAGES *
	    GA4_PER_PAGE : 3;
	for (i = 0; i < total && found < 0; i++)
		if ((a = ga4_account(sx.tok.user, (int)i)) == want)
			found = (int)i;
	sandbox_start(&sx, 200, GJU);
	buf_puts(sx.out, "{");
	if (want > 0 && (found < 0 || nprops[found % 3] > 0)) {
		buf_puts(sx.out, "\"properties\":[");
		for (j = 0; j < (found < 0 ? 1 : nprops[found % 3]); j++) {
			const char *id = arena_printf(ctx->arena, "%lld",
			    found < 0 ? 300000000LL + (long long)(sandbox_hash(
			    "ga4prop", (uint64_t)want) % 90000000) :
			    ga4_property(sx.tok.user, found, (int)j));

			buf_printf(sx.out, "%s{\"name\":\"properties/%s\","
			    "\"propertyType\":\"PROPERTY_TYPE_ORDINARY\","
			    "\"parent\":\"accounts/%lld\",\"displayName\":"
			    "\"site %d.%ld - GA4\",\"timeZone\":", j ? "," : "",
			    id, want, found, j);
			sandbox_jstr(sx.out, sandbox_tz(id, NULL));
			buf_printf(sx.out, ",\"currencyCode\":\"%s\","
			    "\"serviceLevel\":\"GOOGLE_ANALYTICS_STANDARD\","
			    "\"account\":\"accounts/%lld\"}",
			    sandbox_google_currency(id), want);
		}
		buf_puts(sx.out, "]");
	}
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

static enum err
api_property(struct ctx *ctx)
{
	const char *id;
	struct sbx sx;
	enum err rc;

	if (!sandbox_begin(ctx, &ga4_api, SBX_AUTH, &sx, &rc))
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
	    "\"accounts/200000001\"}", sandbox_google_currency(id));
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

static enum err
api_report(struct ctx *ctx)
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

	if (!sandbox_begin(ctx, &ga4_api, SBX_AUTH, &sx, &rc))
		return rc;
	if ((prop = prop_id(&sx, route_capture(&ctx->match, "idaction"),
	    ":runReport")) == NULL)
		return sandbox_fail(&sx, "error-403-permission-denied");
	/* "ga4_project_quota": the project's hourly tokens were spent on
	 * the person's first property; the others are refused. */
	if (sandbox_is(&sx, "ga4_project_quota") && strcmp(prop,
	    arena_printf(ctx->arena, "%lld", ga4_property(sx.tok.user, 0,
	    0))) != 0)
		return sandbox_fail(&sx,
		    "error-429-resource-exhausted-project-hourly");
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
	/* Pages shorter than asked (GA4 may answer fewer rows). */
	if (sandbox_is(&sx, "short_pages") && lim > GA4_SHORT_PAGE)
		lim = GA4_SHORT_PAGE;
	if (off < 0)
		off = 0;
	/* "quota_midway": the tokens run out after a report's first
	 * page. */
	if (sandbox_is(&sx, "quota_midway") && off > 0)
		return sandbox_fail(&sx,
		    "error-429-resource-exhausted-project-hourly");

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
		/* "quiet_days": every fifth day had no visit at all. */
		if (sandbox_is(&sx, "quiet_days") && by_date && d % 5 == 0) {
			memset(&sd, 0, sizeof(sd));
			all0 = true;
		}
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
	    "\"timeZone\":", sandbox_google_currency(prop));
	sandbox_jstr(sx.out, sandbox_tz(prop, NULL));
	buf_puts(sx.out, "}");
	/* "quota_low": the hour's tokens nearly gone; "quota_day_low":
	 * the day's. */
	if (quota)
		buf_printf(sx.out, ",\"propertyQuota\":{\"tokensPerDay\":{"
		    "\"consumed\":12,\"remaining\":%d},\"tokensPerHour\":{"
		    "\"consumed\":12,\"remaining\":%d},",
		    sandbox_is(&sx, "quota_day_low") ? 1830 : 199853,
		    sandbox_is(&sx, "quota_low") ? 412 : 39921);
	if (quota)
		buf_puts(sx.out, "\"concurrentRequests\":{\"remaining\":10},"
		    "\"serverErrorsPerProjectPerHour\":{\"remaining\":10},"
		    "\"potentiallyThresholdedRequestsPerHour\":{"
		    "\"remaining\":120},\"tokensPerProjectPerHour\":{"
		    "\"consumed\":12,\"remaining\":13988}}");
	buf_puts(sx.out, ",\"kind\":\"analyticsData#runReport\"}");
	return sandbox_done(&sx);
}

/* ------------------------------------------------------------------ */
/* Its error shapes, routes and entry in the registry. */

#define JU	"application/json; charset=UTF-8"

static const struct route routes[] = {
	{ HTTP_GET, "/sandbox/ga4-admin/v1beta/accountSummaries",
	    api_summaries, ROUTE_NODB, 0 },
	{ HTTP_GET, "/sandbox/ga4-admin/v1beta/properties",
	    api_properties, ROUTE_NODB, 0 },
	{ HTTP_GET, "/sandbox/ga4-admin/v1beta/properties/:id",
	    api_property, ROUTE_NODB, 0 },
	{ HTTP_POST, "/sandbox/ga4-data/v1beta/properties/:idaction",
	    api_report, ROUTE_NODB, 0 },
};

static const struct sandbox_fault faults[] = {
	{ &ga4_api, "api-error-401-expired-access-token", "401", 401,
	    "WWW-Authenticate: Bearer realm=\"https://accounts.google.com/\", "
	    "error=\"invalid_token\"\n", JU,
	    "{\"error\":{\"code\":401,\"message\":\"Request had invalid "
	    "authentication credentials. Expected OAuth 2 access token, "
	    "login cookie or other valid authentication credential.\","
	    "\"status\":\"UNAUTHENTICATED\",\"details\":[{\"@type\":"
	    "\"type.googleapis.com/google.rpc.ErrorInfo\",\"reason\":"
	    "\"ACCESS_TOKEN_EXPIRED\",\"domain\":\"googleapis.com\","
	    "\"metadata\":{\"service\":\"analyticsdata.googleapis.com\","
	    "\"method\":\"google.analytics.data.v1beta.BetaAnalyticsData."
	    "RunReport\"}}]}}" },
	{ &ga4_api, "api-error-401-invalid", NULL, 401,
	    "WWW-Authenticate: Bearer realm=\"https://accounts.google.com/\", "
	    "error=\"invalid_token\"\n", JU,
	    "{\"error\":{\"code\":401,\"message\":\"Request had invalid "
	    "authentication credentials.\",\"status\":\"UNAUTHENTICATED\","
	    "\"details\":[{\"@type\":\"type.googleapis.com/google.rpc."
	    "ErrorInfo\",\"reason\":\"ACCESS_TOKEN_TYPE_UNSUPPORTED\","
	    "\"domain\":\"googleapis.com\",\"metadata\":{\"service\":"
	    "\"analyticsdata.googleapis.com\",\"method\":\"google.analytics."
	    "data.v1beta.BetaAnalyticsData.RunReport\"}}]}}" },
	{ &ga4_api, "error-400-invalid-metric", "removed_metric", 400, NULL,
	    JU,
	    "{\"error\":{\"code\":400,\"message\":\"Field conversions is not "
	    "a valid metric.\",\"status\":\"INVALID_ARGUMENT\"}}" },
	{ &ga4_api, "error-403-insufficient-scope", NULL, 403, NULL, JU,
	    "{\"error\":{\"code\":403,\"message\":\"Request had insufficient "
	    "authentication scopes.\",\"status\":\"PERMISSION_DENIED\","
	    "\"details\":[{\"@type\":\"type.googleapis.com/google.rpc."
	    "ErrorInfo\",\"reason\":\"ACCESS_TOKEN_SCOPE_INSUFFICIENT\","
	    "\"domain\":\"googleapis.com\",\"metadata\":{\"service\":"
	    "\"analyticsdata.googleapis.com\",\"method\":\"google.analytics."
	    "data.v1beta.BetaAnalyticsData.RunReport\"}}]}}" },
	{ &ga4_api, "error-403-permission-denied", "403", 403, NULL, JU,
	    "{\"error\":{\"code\":403,\"message\":\"The user has no access "
	    "to this property.\",\"status\":\"PERMISSION_DENIED\"}}" },
	{ &ga4_api, "error-429-resource-exhausted-daily", NULL, 429, NULL, JU,
	    "{\"error\":{\"code\":429,\"message\":\"Property tokens per day "
	    "are used up; they return within 24 hours.\",\"status\":"
	    "\"RESOURCE_EXHAUSTED\"}}" },
	{ &ga4_api, "error-429-resource-exhausted-hourly", "429", 429,
	    "Retry-After: 30\n", JU,
	    "{\"error\":{\"code\":429,\"message\":\"Property tokens per hour "
	    "are used up; they return within the hour.\",\"status\":"
	    "\"RESOURCE_EXHAUSTED\"}}" },
	{ &ga4_api, "error-429-resource-exhausted-project-hourly", NULL, 429,
	    NULL, JU,
	    "{\"error\":{\"code\":429,\"message\":\"The project's tokens "
	    "per hour for this property are used up; they return within "
	    "the hour.\",\"status\":\"RESOURCE_EXHAUSTED\"}}" },
	{ &ga4_api, "error-500-internal", "500", 500, NULL, JU,
	    "{\"error\":{\"code\":500,\"message\":\"Internal error "
	    "encountered.\",\"status\":\"INTERNAL\"}}" },
};

const struct sandbox_provider sandbox_ga4 = {
	.slug = "ga4",
	.family = &sandbox_family_google,
	SANDBOX_LIST(routes),
	SANDBOX_LIST(faults),
};
