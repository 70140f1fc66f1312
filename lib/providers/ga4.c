/* ga4.c — Google Analytics 4: properties, daily report, user totals. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "base/arena.h"
#include "base/config.h"
#include "base/day.h"
#include "base/jsonx.h"
#include "base/limit.h"
#include "base/mem.h"
#include "base/numfmt.h"
#include "net/httpc.h"
#include "providers/accounts.h"
#include "providers/fetch.h"
#include "providers/google.h"
#include "providers/pcall.h"
#include "providers/provider.h"
#include "providers/syncnorm.h"

/* A listed property's account, while the listing runs (zones()). */
#define GA4_ACCOUNT	"_ga4_account"

#define GA_COLS_MAX	64	/* metric columns of a report we read */

enum ga4_col {
	GA_SESSIONS, GA_TOTAL_USERS, GA_ACTIVE_USERS, GA_NEW_USERS,
	GA_PAGE_VIEWS, GA_ENGAGED, GA_BOUNCE, GA_AVG_DURATION, GA_KEY_EVENTS,
	GA_REVENUE, GA__MAX
};

static const struct {
	const char	*api;
	const char	*metric;	/* stored as is, NULL: derived */
} ga4_cols[GA__MAX] = {
	[GA_SESSIONS] = { "sessions", "sessions" },
	[GA_TOTAL_USERS] = { "totalUsers", "total_users" },
	[GA_ACTIVE_USERS] = { "activeUsers", "active_users" },
	[GA_NEW_USERS] = { "newUsers", "new_users" },
	[GA_PAGE_VIEWS] = { "screenPageViews", "page_views" },
	[GA_ENGAGED] = { "engagedSessions", "engaged_sessions" },
	[GA_BOUNCE] = { "bounceRate", NULL },
	[GA_AVG_DURATION] = { "averageSessionDuration", NULL },
	[GA_KEY_EVENTS] = { "keyEvents", "key_events" },
	[GA_REVENUE] = { "totalRevenue", NULL },
};

/* Which column of the report each of ours is, -1 when absent; a report
 * of more than GA_COLS_MAX metric columns is refused. */
static enum err
ga4_headers(struct syncnorm *n, struct json_object *report, int *col,
    size_t *ncols)
{
	struct json_object *hs, *name;
	size_t i, k;

	for (k = 0; k < GA__MAX; k++)
		col[k] = -1;
	hs = jsonx_member(report, "metricHeaders");
	if (hs == NULL || !json_object_is_type(hs, json_type_array))
		return syncnorm_bad(n, n->n, "GA4: metricHeaders is missing");
	*ncols = json_object_array_length(hs);
	for (i = 0; i < *ncols; i++) {
		name = jsonx_member(json_object_array_get_idx(hs, i), "name");
		if (name == NULL || !json_object_is_type(name,
		    json_type_string))
			return syncnorm_bad(n, n->n, "GA4: "
			    "metricHeaders[%zu].name is missing", i);
		for (k = 0; k < GA__MAX; k++)
			if (strcmp(ga4_cols[k].api,
			    json_object_get_string(name)) == 0)
				col[k] = (int)i;
	}
	if (*ncols > GA_COLS_MAX)
		return syncnorm_bad(n, n->n, "GA4: too many metricHeaders");
	return ERR_OK;
}

/* Row i's metric values, checked: every one a decimal string. */
static enum err
ga4_values(struct syncnorm *n, size_t mark, struct json_object *row,
    size_t i, size_t ncols, const char **v)
{
	struct json_object *mv;
	size_t k;

	mv = jsonx_member(row, "metricValues");
	if (mv == NULL || !json_object_is_type(mv, json_type_array) ||
	    json_object_array_length(mv) != ncols)
		return syncnorm_bad(n, mark, "GA4: rows[%zu].metricValues does "
		    "not match metricHeaders", i);
	for (k = 0; k < ncols; k++) {
		v[k] = syncnorm_text(jsonx_member(json_object_array_get_idx(mv,
		    k), "value"));
		if (v[k] == NULL)
			v[k] = "0";	/* proto3 leaves zero out */
		if (syncnorm_decimal(n->a, v[k], 0, false) == NULL)
			return syncnorm_bad(n, mark, "GA4: "
			    "rows[%zu].metricValues[%zu].value is not a number",
			    i, k);
	}
	return ERR_OK;
}

enum err
syncnorm_ga4(struct syncnorm *n, struct json_object *report)
{
	struct json_object *rows, *row, *dv;
	const char *v[GA_COLS_MAX], *day, *val, *cur, *money = NULL;
	int col[GA__MAX], k;
	size_t i, ncols, mark = n->n;
	double s, x;
	enum err rc;

	if ((rc = ga4_headers(n, report, col, &ncols)) != ERR_OK)
		return rc;
	if ((rows = jsonx_member(report, "rows")) == NULL)
		return ERR_OK;
	if (!json_object_is_type(rows, json_type_array))
		return syncnorm_bad(n, mark, "GA4: rows is not an array");
	/* The property's currency, which revenue is reported in. */
	cur = jsonx_str(jsonx_member(report, "metadata"), "currencyCode");
	if (numfmt_currency_ok(cur)) {
		money = syncnorm_dims(n->a, "currency", cur, NULL, NULL, NULL,
		    NULL);
		n->currency = money != NULL ? arena_strdup(n->a, cur) : NULL;
	}
	for (i = 0; i < json_object_array_length(rows); i++) {
		row = json_object_array_get_idx(rows, i);
		dv = jsonx_member(row, "dimensionValues");
		day = syncnorm_ymd(n->a, dv != NULL && json_object_is_type(dv,
		    json_type_array) ? syncnorm_text(jsonx_member(
		    json_object_array_get_idx(dv, 0), "value")) : NULL);
		if (day == NULL)
			return syncnorm_bad(n, mark, "GA4: "
			    "rows[%zu].dimensionValues[0].value is not a "
			    "YYYYMMDD date", i);
		if ((rc = ga4_values(n, mark, row, i, ncols, v)) != ERR_OK)
			return rc;
		for (k = 0; k < GA__MAX; k++) {
			if (col[k] < 0 || ga4_cols[k].metric == NULL)
				continue;
			val = syncnorm_decimal(n->a, v[col[k]], 0, true);
			if ((rc = syncnorm_add(n, NULL, ga4_cols[k].metric,
			    day, val, NULL)) != ERR_OK)
				return syncnorm_bad(n, mark, "GA4: too many "
				    "rows");
		}
		s = col[GA_SESSIONS] >= 0 ? strtod(v[col[GA_SESSIONS]], NULL) :
		    0;
		if (col[GA_ENGAGED] < 0 && col[GA_BOUNCE] >= 0 &&
		    col[GA_SESSIONS] >= 0) {
			x = strtod(v[col[GA_BOUNCE]], NULL);
			syncnorm_add(n, NULL, "engaged_sessions", day,
			    arena_printf(n->a, "%.0f", round(s * (1 - x))),
			    NULL);
		}
		if (col[GA_AVG_DURATION] >= 0 && col[GA_SESSIONS] >= 0) {
			x = strtod(v[col[GA_AVG_DURATION]], NULL);
			syncnorm_add(n, NULL, "session_duration", day,
			    arena_printf(n->a, "%.0f", round(s * x)), NULL);
		}
		if (col[GA_REVENUE] >= 0)
			syncnorm_add(n, NULL, "revenue_micros", day,
			    syncnorm_decimal(n->a, v[col[GA_REVENUE]], 6, true),
			    money);
		if (n->n >= LIMIT_SYNC_ROWS)
			return syncnorm_bad(n, mark, "GA4: too many rows");
	}
	return ERR_OK;
}

enum err
syncnorm_ga4_totals(struct syncnorm *n, struct json_object *report, int days,
    const char *end)
{
	struct json_object *rows;
	const char *v[GA_COLS_MAX];
	int col[GA__MAX];
	size_t ncols, mark = n->n;
	enum err rc;

	if ((rc = ga4_headers(n, report, col, &ncols)) != ERR_OK)
		return rc;
	if ((rows = jsonx_member(report, "rows")) == NULL)
		return ERR_OK;	/* no users: no total row */
	if (!json_object_is_type(rows, json_type_array) ||
	    json_object_array_length(rows) != 1)
		return syncnorm_bad(n, mark, "GA4: a totals report has one "
		    "row");
	if ((rc = ga4_values(n, mark, json_object_array_get_idx(rows, 0), 0,
	    ncols, v)) != ERR_OK)
		return rc;
	if (col[GA_ACTIVE_USERS] >= 0)
		syncnorm_add(n, NULL, arena_printf(n->a, "active_users:%dd",
		    days), end, syncnorm_decimal(n->a, v[col[GA_ACTIVE_USERS]],
		    0, true), NULL);
	if (col[GA_TOTAL_USERS] >= 0)
		syncnorm_add(n, NULL, arena_printf(n->a, "total_users:%dd",
		    days), end, syncnorm_decimal(n->a, v[col[GA_TOTAL_USERS]],
		    0, true), NULL);
	return ERR_OK;
}

/* One account summary: its properties, each marked with its account
 * (member GA4_ACCOUNT) until zones() has asked for their zones. */
static enum err
summary(struct accounts_lister *l, struct json_object *s)
{
	struct json_object *props, *pr, *o;
	const char *id, *acct = jsonx_str(s, "account");
	size_t j;

	props = jsonx_member(s, "propertySummaries");
	for (j = 0; props != NULL && j < json_object_array_length(props);
	    j++) {
		pr = json_object_array_get_idx(props, j);
		id = jsonx_text(pr, "property");
		if (id != NULL && strncmp(id, "properties/", 11) == 0)
			id += 11;
		o = accounts_add(l, id, jsonx_text(pr, "displayName"), NULL,
		    NULL);
		if (o != NULL && acct != NULL)
			json_object_object_add(o, GA4_ACCOUNT,
			    json_object_new_string(acct));
	}
	return ERR_OK;
}

/* pageToken paging. */
static const char *
next(struct accounts_lister *l, const struct pcall_result *r, size_t seen)
{
	const char *token = jsonx_text(r->json, "nextPageToken");

	(void)seen;
	if (token == NULL || *token == '\0')
		return NULL;
	return arena_printf(l->a, "%s/accountSummaries?pageSize=200&"
	    "pageToken=%s", accounts_base(l, PROVIDER_API_BASE),
	    httpc_escape(l->a, token));
}

/* A property's time zone and currency from a Property of the Admin API,
 * kept when the listing has none yet. */
static void
zone_of(struct accounts_lister *l, struct json_object *pr)
{
	struct json_object *o;
	const char *id = jsonx_str(pr, "name"), *tz, *cur;

	if (id != NULL && strncmp(id, "properties/", 11) == 0)
		id += 11;
	if ((o = accounts_find(l, id)) == NULL ||
	    jsonx_str(o, "time_zone") != NULL)
		return;
	tz = jsonx_str(pr, "timeZone");
	if (tz != NULL && *tz != '\0' && strlen(tz) <= LIMIT_ZONE_NAME)
		json_object_object_add(o, "time_zone",
		    json_object_new_string(tz));
	cur = jsonx_str(pr, "currencyCode");
	if (cur != NULL && strlen(cur) == 3 && jsonx_str(o, "currency") ==
	    NULL)
		json_object_object_add(o, "currency",
		    json_object_new_string(cur));
}

/* The properties of account acct ("accounts/123") and of its
 * subproperties (ancestor:), every page: zone_of() each.  An error ends
 * it quietly (the zones stay unnamed). */
static void
zones_of(struct accounts_lister *l, const char *acct)
{
	struct pcall_result r;
	struct json_object *props;
	const char *first, *url, *tok;
	size_t i;
	int page;

	first = arena_printf(l->a, "%s/properties?filter=%s&pageSize=200",
	    accounts_base(l, PROVIDER_API_BASE), httpc_escape(l->a,
	    arena_printf(l->a, "ancestor:%s", acct)));
	for (url = first, page = 0; url != NULL && page < ACCOUNTS_MAX_PAGES;
	    page++) {
		if (accounts_get(l, url, &r) != ERR_OK)
			return;
		props = jsonx_member(r.json, "properties");
		if (props == NULL || !json_object_is_type(props,
		    json_type_array))
			return;
		for (i = 0; i < json_object_array_length(props); i++)
			zone_of(l, json_object_array_get_idx(props, i));
		tok = jsonx_str(r.json, "nextPageToken");
		url = tok != NULL && *tok != '\0' ? arena_printf(l->a,
		    "%s&pageToken=%s", first, httpc_escape(l->a, tok)) : NULL;
	}
}

/*
 * The account summaries name no time zone, and a property's days (its
 * reports' "date") are in its own: each account's properties are listed
 * (properties.list), at most LIMIT_GA4_ZONE_ACCOUNTS accounts, so the
 * dashboard can name the zones.  A listing that fails here still stands.
 */
static void
zones(struct accounts_lister *l)
{
	struct json_object *o;
	const char *acct, *done = NULL;
	size_t i, n = json_object_array_length(l->out), calls = 0;

	for (i = 0; i < n; i++) {
		o = json_object_array_get_idx(l->out, i);
		if ((acct = jsonx_str(o, GA4_ACCOUNT)) != NULL &&
		    jsonx_str(o, "time_zone") == NULL &&
		    (done == NULL || strcmp(done, acct) != 0) &&
		    calls < LIMIT_GA4_ZONE_ACCOUNTS) {
			calls++;
			done = acct;
			zones_of(l, acct);
		}
	}
	for (i = 0; i < n; i++)
		json_object_object_del(json_object_array_get_idx(l->out, i),
		    GA4_ACCOUNT);
	l->why = NULL;
}

/* GA4: properties inside account summaries, then their zones. */
static enum err
list(struct accounts_lister *l)
{
	static const struct accounts_listing how = { "accountSummaries",
	    summary, next };
	enum err rc;

	if ((rc = accounts_walk(l, arena_printf(l->a, "%s/accountSummaries?"
	    "pageSize=200", accounts_base(l, PROVIDER_API_BASE)), &how)) !=
	    ERR_OK)
		return rc;
	zones(l);
	return ERR_OK;
}

static const char ga4_daily[] =
	"{\"dateRanges\":[{\"startDate\":\"%lddaysAgo\",\"endDate\":"
	"\"today\"}],\"dimensions\":[{\"name\":\"date\"}],\"metrics\":["
	"{\"name\":\"sessions\"},{\"name\":\"totalUsers\"},"
	"{\"name\":\"activeUsers\"},{\"name\":\"newUsers\"},"
	"{\"name\":\"screenPageViews\"},{\"name\":\"engagedSessions\"},"
	"{\"name\":\"averageSessionDuration\"},{\"name\":\"keyEvents\"},"
	"{\"name\":\"totalRevenue\"}],\"orderBys\":[{\"dimension\":"
	"{\"dimensionName\":\"date\"}}],\"limit\":%ld,\"offset\":%ld,"
	"\"returnPropertyQuota\":true}";
static const char ga4_total[] =
	"{\"dateRanges\":[{\"startDate\":\"%s\",\"endDate\":\"%s\"}],"
	"\"metrics\":[{\"name\":\"activeUsers\"},{\"name\":\"totalUsers\"}],"
	"\"returnPropertyQuota\":true}";

/*
 * The days of the window GA4 left out, as zero: a report leaves out a
 * row whose metrics are all 0 (keepEmptyRows unset), so a day without
 * one had no sessions — a quiet day of a small site, or a day that had
 * numbers and has none any more (its stored row is 0 now).  The window
 * is the report's, in the property's zone (metadata.timeZone), less its
 * last lag_days (GA4 may not have published them yet: a missing one is
 * not a zero).  report is a page of it (headers, metadata); days before
 * mark are other accounts'.
 */
static enum err
zero_days(struct fetch *f, struct syncnorm *n, struct json_object *report,
    size_t mark)
{
	struct json_object *synth, *rows, *row, *vals, *hs, *dv;
	const char *tz, *from, *to, *day, *last;
	size_t i, k, ncols;
	enum err rc;
	bool seen;

	tz = jsonx_str(jsonx_member(report, "metadata"), "timeZone");
	hs = jsonx_member(report, "metricHeaders");
	if (tz == NULL || hs == NULL || !json_object_is_type(hs,
	    json_type_array))
		return ERR_OK;
	if ((rc = fetch_window(f, tz, f->days, &from, &to)) != ERR_OK)
		return rc;
	last = day_add(f->a, to, -f->p->lag_days);
	ncols = json_object_array_length(hs);
	synth = jsonx_own(f->a, json_object_new_object());
	json_object_object_add(synth, "metricHeaders", json_object_get(hs));
	json_object_object_add(synth, "metadata", json_object_get(
	    jsonx_member(report, "metadata")));
	rows = json_object_new_array();
	json_object_object_add(synth, "rows", rows);
	for (day = from; strcmp(day, last) <= 0; day = day_add(f->a, day, 1)) {
		seen = false;
		for (i = mark; i < n->n && !seen; i++)
			seen = strcmp(n->rows[i].date, day) == 0;
		if (seen)
			continue;
		row = json_object_new_object();
		dv = json_object_new_object();
		json_object_object_add(dv, "value", json_object_new_string(
		    arena_printf(f->a, "%.4s%.2s%.2s", day, day + 5, day + 8)));
		vals = json_object_new_array();
		json_object_array_add(vals, dv);
		json_object_object_add(row, "dimensionValues", vals);
		vals = json_object_new_array();
		for (k = 0; k < ncols; k++) {
			struct json_object *v = json_object_new_object();

			json_object_object_add(v, "value",
			    json_object_new_string("0"));
			json_object_array_add(vals, v);
		}
		json_object_object_add(row, "metricValues", vals);
		json_object_array_add(rows, row);
	}
	if (json_object_array_length(rows) == 0)
		return ERR_OK;
	if ((rc = syncnorm_ga4(n, synth)) != ERR_OK)
		return fetch_norm_failed(f, n, rc);
	return ERR_OK;
}

static enum err
fetch(struct fetch *f, struct syncnorm *n, const char *prop)
{
	static const int periods[] = { 7, 28, 90 };
	struct pcall_result res;
	struct json_object *rc_v, *rows;
	const char *url, *from, *to, *yesterday;
	long off = 0, page_rows, total, got;
	enum err rc;
	size_t i, mark = n->n;
	int days;

	/* Rows a page (GA4's default 10,000; smaller to test paging). */
	page_rows = strtol(config_env("SLUICE_SYNC_GA4_PAGE_ROWS", "10000"),
	    NULL, 10);
	if (page_rows < 1 || page_rows > 100000)
		page_rows = 10000;
	url = arena_printf(f->a, "%s/properties/%s:runReport",
	    fetch_base(f, PROVIDER_API_BASE2), prop);
	/* A page may hold fewer rows than asked: the next starts after
	 * the rows received, until rowCount. */
	for (;;) {
		if ((rc = fetch_post(f, url, arena_printf(f->a, ga4_daily,
		    f->days - 1, page_rows, off), &res)) != ERR_OK)
			return rc;
		if ((rc = syncnorm_ga4(n, res.json)) != ERR_OK)
			return fetch_norm_failed(f, n, rc);
		/* Rows come by date, one a day: the days so far are
		 * whole (kept if a quota stops the next page). */
		if (n->n > 0)
			f->stored_through = n->rows[n->n - 1].date;
		total = json_object_object_get_ex(res.json, "rowCount", &rc_v) ?
		    (long)json_object_get_int64(rc_v) : 0;
		rows = jsonx_member(res.json, "rows");
		got = rows != NULL && json_object_is_type(rows,
		    json_type_array) ? (long)json_object_array_length(rows) : 0;
		off += got;
		if (off >= total)
			break;
		if (got == 0) {
			f->why = arena_printf(f->a, "Google Analytics 4 "
			    "reported %ld rows for property %s but gave only "
			    "%ld", total, prop, off);
			return ERR_UPSTREAM;
		}
		if (f->pages > LIMIT_SYNC_PAGES) {
			f->why = arena_printf(f->a, "Google Analytics 4: the "
			    "report of property %s needs more than %d pages "
			    "(%ld of %ld rows fetched)", prop, LIMIT_SYNC_PAGES,
			    off, total);
			return ERR_UNPROCESSABLE;
		}
	}
	if ((rc = zero_days(f, n, res.json, mark)) != ERR_OK)
		return rc;
	/*
	 * The provider's own totals of users for exactly the periods the
	 * tiles show: the 7, 28 and 90 days ending yesterday in the
	 * workspace's zone, and the periods before them; asked again on
	 * every sync, so late and restated days reach them.
	 */
	if ((rc = fetch_window(f, NULL, 1, &from, &to)) != ERR_OK)
		return rc;
	yesterday = day_add(f->a, to, -1);
	for (i = 0; i < 2 * nitems(periods); i++) {
		days = periods[i / 2];
		to = day_add(f->a, yesterday, -(i % 2) * days);
		from = day_add(f->a, to, -(days - 1));
		if ((rc = fetch_post(f, url, arena_printf(f->a, ga4_total,
		    from, to), &res)) != ERR_OK)
			return rc;
		if ((rc = syncnorm_ga4_totals(n, res.json, days, to)) !=
		    ERR_OK)
			return fetch_norm_failed(f, n, rc);
	}
	return ERR_OK;
}

/* Tokens left in one QuotaStatus of propertyQuota (proto3 JSON leaves
 * out a 0); -1 when the quota is not reported. */
static long
tokens_left(struct json_object *quota, const char *which)
{
	struct json_object *q = jsonx_member(quota, which);
	const char *v;

	if (q == NULL || !json_object_is_type(q, json_type_object))
		return -1;
	v = jsonx_text(q, "remaining");
	return v != NULL ? strtol(v, NULL, 10) : 0;
}

/*
 * GA4's quotas (Data API limits and quotas): a property's tokens are
 * counted per hour, per project per hour and per day; hourly tokens
 * come back within the hour, daily ones at midnight Pacific Standard
 * Time.  A 429 RESOURCE_EXHAUSTED without a Retry-After waits for the
 * one its message names; a good answer whose propertyQuota leaves
 * fewer tokens than the floors (LIMIT_GA4_HOUR_FLOOR,
 * LIMIT_GA4_DAY_FLOOR) stops the property's fetch until they come back,
 * before GA4 refuses it.
 */
static enum err
classify(struct arena *a, const struct provider *p, struct pcall_result *out)
{
	struct json_object *quota;
	const char *msg;
	int64_t now = (int64_t)time(NULL);
	long day, hour, project;

	if (out->resp.status == 429) {
		msg = jsonx_text(jsonx_member(out->json, "error"), "message");
		if (out->retry_after == 0)
			out->retry_after = msg != NULL &&
			    strstr(msg, "per day") != NULL ?
			    pcall_until_utc_hour(now, LIMIT_GA4_DAY_UTC_HOUR) :
			    pcall_until_hour(now);
		return ERR_RATELIMIT;
	}
	if (out->resp.status != 200 ||
	    (quota = jsonx_member(out->json, "propertyQuota")) == NULL)
		return ERR_OK;
	day = tokens_left(quota, "tokensPerDay");
	hour = tokens_left(quota, "tokensPerHour");
	project = tokens_left(quota, "tokensPerProjectPerHour");
	if (day >= 0 && day < LIMIT_GA4_DAY_FLOOR) {
		out->retry_after = pcall_until_utc_hour(now,
		    LIMIT_GA4_DAY_UTC_HOUR);
		out->why = arena_printf(a, "%s: only %ld of the property's "
		    "tokens for today are left; Sluice goes on after "
		    "midnight Pacific time, when they come back", p->name,
		    day);
		return ERR_RATELIMIT;
	}
	if (project >= 0 && (hour < 0 || project < hour))
		hour = project;
	if (hour >= 0 && hour < LIMIT_GA4_HOUR_FLOOR) {
		out->retry_after = pcall_until_hour(now);
		out->why = arena_printf(a, "%s: only %ld of the property's "
		    "tokens for this hour are left; Sluice goes on in the next "
		    "hour, when they come back", p->name, hour);
		return ERR_RATELIMIT;
	}
	return ERR_OK;
}

/* README.md, "## Metrics", lists the catalogues: keep them in step. */
static const struct metric_def metrics[] = {
	{ .name = "sessions", .label = "Sessions",
	    .unit = "count", .agg = METRIC_SUM,
	    .words = { "traffic", "visits" } },
	METRIC_DEF_TOTALS("active_users", "Active users", "count"),
	{ .name = "total_users", .label = "Total users",
	    .unit = "count", .agg = METRIC_TOTALS,
	    .words = { "visitors", "users" } },
	METRIC_DEF_SUM("new_users", "New users", "count"),
	METRIC_DEF_SUM("page_views", "Page views", "count"),
	METRIC_DEF_SUM("engaged_sessions", "Engaged sessions", "count"),
	METRIC_DEF_RATIO("engagement_rate", "Engagement rate", "ratio",
	    "engaged_sessions", "sessions"),
	METRIC_DEF_RATIO1M("bounce_rate", "Bounce rate", "ratio",
	    "engaged_sessions", "sessions"),
	METRIC_DEF_SUM("session_duration", "Session duration", "seconds"),
	METRIC_DEF_RATIO("avg_session_duration", "Average session duration",
	    "seconds", "session_duration", "sessions"),
	METRIC_DEF_SUM("key_events", "Key events", "count"),
	{ .name = "revenue_micros", .label = "Revenue",
	    .unit = "currency_micros", .agg = METRIC_SUM,
	    .words = { "sales" } },
};

const struct provider provider_ga4 = {
	.slug = "ga4",
	.name = "Google Analytics 4",
	GOOGLE_PROVIDER,
	.env = "GA4",
	.urls[PROVIDER_API_BASE] =
	    "https://analyticsadmin.googleapis.com/v1beta",
	.urls[PROVIDER_API_BASE2] =
	    "https://analyticsdata.googleapis.com/v1beta",
	.login_hint = "login_hint",
	.scopes = "openid email "
	    "https://www.googleapis.com/auth/analytics.readonly",
	.restatement_days = 3,
	/* "Data processing can take 24-48 hours. During that time, data in
	 * your reports may change." (Analytics Help, [GA4] Data freshness):
	 * a day is asked again for two more days. */
	.lag_days = 2,
	.accounts = "properties",
	.mark = "GA",
	.mark_colour = "#b35900",
	.reads = "Daily sessions, users, page views, key events and revenue "
	    "of the GA4 properties you choose. Sluice only reads; nothing is "
	    "changed.",
	.days = "each property's time zone",
	.api_version = "Admin and Data API v1beta",
	.sandbox[2] = { "ga4", "admin", "https://analyticsadmin.googleapis.com",
	    "/sandbox/ga4-admin" },
	.sandbox[3] = { "ga4", "data", "https://analyticsdata.googleapis.com",
	    "/sandbox/ga4-data" },
	.words = { "google analytics", "analytics", "website" },
	PROVIDER_CATALOGUE(metrics),
	.list = list,
	.fetch = fetch,
	.classify = classify,
};
