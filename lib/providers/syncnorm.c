/* syncnorm.c — provider report bodies into metric_daily rows. */
#include <ctype.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/day.h"
#include "base/jsonx.h"
#include "base/limit.h"
#include "base/mem.h"
#include "metrics/ingest.h"
#include "providers/syncnorm.h"

void
syncnorm_init(struct syncnorm *n, struct arena *a, const char *provider,
    const char *account)
{
	memset(n, 0, sizeof(*n));
	n->a = a;
	n->provider = provider;
	n->account = account;
}

enum err
syncnorm_add(struct syncnorm *n, const char *account, const char *metric,
    const char *day, const char *value, const char *dims)
{
	struct ingest_row *r, *grown;

	if (n->from != NULL && strncmp(day, n->from, 10) < 0)
		return ERR_OK;	/* before the window */
	if (n->n == n->size) {
		if (n->size >= LIMIT_SYNC_ROWS)
			return ERR_TOOBIG;
		n->size = n->size ? n->size * 2 : 64;
		grown = arena_calloc(n->a, n->size, sizeof(*grown));
		if (n->n > 0)
			memcpy(grown, n->rows, n->n * sizeof(*grown));
		n->rows = grown;
	}
	r = &n->rows[n->n++];
	r->source = n->provider;
	r->account_id = arena_strdup(n->a, account != NULL ? account :
	    n->account);
	r->metric = arena_strdup(n->a, metric);
	r->date = arena_strdup(n->a, day);
	r->value = arena_strdup(n->a, value);
	r->dims = dims != NULL ? arena_strdup(n->a, dims) : NULL;
	if (dims != NULL)
		n->has_dims = true;
	return ERR_OK;
}

/* Refuses the call: drops its rows, names the field. */
static enum err
bad(struct syncnorm *n, size_t mark, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static enum err
bad(struct syncnorm *n, size_t mark, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	n->why = arena_vprintf(n->a, fmt, ap);
	va_end(ap);
	n->n = mark;
	return ERR_INPUT;
}

const char *
syncnorm_decimal(struct arena *a, const char *s, int shift, bool integer)
{
	char digits[96], *out;
	size_t nd = 0, i, len;
	int point, exp = 0, neg = 0, roundup = 0;
	const char *p = s;
	char *end;
	long e;

	if (s == NULL)
		return NULL;
	if (*p == '-') {
		neg = 1;
		p++;
	}
	if (!isdigit((unsigned char)*p))
		return NULL;
	while (isdigit((unsigned char)*p)) {
		if (nd + 1 >= sizeof(digits))
			return NULL;
		digits[nd++] = *p++;
	}
	point = (int)nd;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return NULL;
		while (isdigit((unsigned char)*p)) {
			if (nd + 1 >= sizeof(digits))
				return NULL;
			digits[nd++] = *p++;
		}
	}
	if (*p == 'e' || *p == 'E') {
		e = strtol(p + 1, &end, 10);
		if (end == p + 1 || e < -40 || e > 40)
			return NULL;
		exp = (int)e;
		p = end;
	}
	if (*p != '\0')
		return NULL;
	point += exp + shift;	/* digits[0..point) is the integer part */
	/* Pad so that the point lies inside or at the end of the digits. */
	while (point > (int)nd) {
		if (nd + 1 >= sizeof(digits))
			return NULL;
		digits[nd++] = '0';
	}
	if (point < 0) {
		len = (size_t)-point;
		if (nd + len >= sizeof(digits))
			return NULL;
		memmove(digits + len, digits, nd);
		memset(digits, '0', len);
		nd += len;
		point = 0;
	}
	if (integer) {
		if ((size_t)point < nd && digits[point] >= '5')
			roundup = 1;
		nd = (size_t)point;
		for (i = nd; roundup && i > 0; i--) {
			if (digits[i - 1] == '9')
				digits[i - 1] = '0';
			else {
				digits[i - 1]++;
				roundup = 0;
			}
		}
	} else
		while (nd > (size_t)point && digits[nd - 1] == '0')
			nd--;
	out = arena_alloc(a, nd + 4);
	len = 0;
	if (neg)
		out[len++] = '-';
	if (roundup)
		out[len++] = '1';
	for (i = 0; i < (size_t)point && i + 1 < (size_t)point &&
	    digits[i] == '0' && !roundup; i++)
		;	/* leading zeros */
	if (point == 0)
		out[len++] = '0';
	for (; i < (size_t)point; i++)
		out[len++] = digits[i];
	if (nd > (size_t)point) {
		out[len++] = '.';
		for (i = (size_t)point; i < nd; i++)
			out[len++] = digits[i];
	}
	out[len] = '\0';
	if (strcmp(out, "-0") == 0)
		return "0";
	return out;
}

/* A JSON string or number as its text; NULL otherwise. */
static const char *
numtext(struct json_object *v)
{
	if (v == NULL)
		return NULL;
	if (json_object_is_type(v, json_type_string) ||
	    json_object_is_type(v, json_type_int) ||
	    json_object_is_type(v, json_type_double))
		return json_object_get_string(v);
	return NULL;
}

static bool
is_count(const char *s)
{
	if (s == NULL || *s == '\0' || strlen(s) > 20)
		return false;
	for (; *s != '\0'; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* "YYYYMMDD" into "YYYY-MM-DD" (arena), or NULL. */
static const char *
ymd(struct arena *a, const char *s)
{
	if (s == NULL || strlen(s) != 8 || !is_count(s))
		return NULL;
	return arena_printf(a, "%.4s-%.2s-%.2s", s, s + 4, s + 6);
}

static bool
is_day(const char *s)
{
	return s != NULL && strlen(s) == 10 && isdigit((unsigned char)s[0]) &&
	    s[4] == '-' && s[7] == '-' && isdigit((unsigned char)s[5]) &&
	    isdigit((unsigned char)s[8]);
}

/* --- GA4 ------------------------------------------------------------ */

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

/* Which column of the report each of ours is, -1 when absent. */
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
		return bad(n, n->n, "GA4: metricHeaders is missing");
	*ncols = json_object_array_length(hs);
	for (i = 0; i < *ncols; i++) {
		name = jsonx_member(json_object_array_get_idx(hs, i), "name");
		if (name == NULL || !json_object_is_type(name,
		    json_type_string))
			return bad(n, n->n, "GA4: metricHeaders[%zu].name is "
			    "missing", i);
		for (k = 0; k < GA__MAX; k++)
			if (strcmp(ga4_cols[k].api,
			    json_object_get_string(name)) == 0)
				col[k] = (int)i;
	}
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
		return bad(n, mark, "GA4: rows[%zu].metricValues does not "
		    "match metricHeaders", i);
	for (k = 0; k < ncols; k++) {
		v[k] = numtext(jsonx_member(json_object_array_get_idx(mv, k),
		    "value"));
		if (v[k] == NULL)
			v[k] = "0";	/* proto3 leaves zero out */
		if (syncnorm_decimal(n->a, v[k], 0, false) == NULL)
			return bad(n, mark, "GA4: rows[%zu].metricValues[%zu]"
			    ".value is not a number", i, k);
	}
	return ERR_OK;
}

enum err
syncnorm_ga4(struct syncnorm *n, struct json_object *report)
{
	struct json_object *rows, *row, *dv;
	const char *v[64], *day, *val;
	int col[GA__MAX], k;
	size_t i, ncols, mark = n->n;
	double s, x;
	enum err rc;

	if ((rc = ga4_headers(n, report, col, &ncols)) != ERR_OK)
		return rc;
	if (ncols > 64)
		return bad(n, mark, "GA4: too many metricHeaders");
	if ((rows = jsonx_member(report, "rows")) == NULL)
		return ERR_OK;
	if (!json_object_is_type(rows, json_type_array))
		return bad(n, mark, "GA4: rows is not an array");
	for (i = 0; i < json_object_array_length(rows); i++) {
		row = json_object_array_get_idx(rows, i);
		dv = jsonx_member(row, "dimensionValues");
		day = ymd(n->a, dv != NULL && json_object_is_type(dv,
		    json_type_array) ? numtext(jsonx_member(
		    json_object_array_get_idx(dv, 0), "value")) : NULL);
		if (day == NULL)
			return bad(n, mark, "GA4: rows[%zu].dimensionValues[0]"
			    ".value is not a YYYYMMDD date", i);
		if ((rc = ga4_values(n, mark, row, i, ncols, v)) != ERR_OK)
			return rc;
		for (k = 0; k < GA__MAX; k++) {
			if (col[k] < 0 || ga4_cols[k].metric == NULL)
				continue;
			val = syncnorm_decimal(n->a, v[col[k]], 0, true);
			if ((rc = syncnorm_add(n, NULL, ga4_cols[k].metric,
			    day, val, NULL)) != ERR_OK)
				return bad(n, mark, "GA4: too many rows");
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
			    NULL);
		if (n->n >= LIMIT_SYNC_ROWS)
			return bad(n, mark, "GA4: too many rows");
	}
	return ERR_OK;
}

enum err
syncnorm_ga4_totals(struct syncnorm *n, struct json_object *report, int days,
    const char *end)
{
	struct json_object *rows;
	const char *v[64];
	int col[GA__MAX];
	size_t ncols, mark = n->n;
	enum err rc;

	if ((rc = ga4_headers(n, report, col, &ncols)) != ERR_OK)
		return rc;
	if (ncols > 64)
		return bad(n, mark, "GA4: too many metricHeaders");
	if ((rows = jsonx_member(report, "rows")) == NULL)
		return ERR_OK;	/* no users: no total row */
	if (!json_object_is_type(rows, json_type_array) ||
	    json_object_array_length(rows) != 1)
		return bad(n, mark, "GA4: a totals report has one row");
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

/* --- Google Ads ------------------------------------------------------ */

/* dims as compact JSON built by json-c (escaping included). */
static const char *
dims3(struct arena *a, const char *k1, const char *v1, const char *k2,
    const char *v2, const char *k3, const char *v3)
{
	struct json_object *o = json_object_new_object();
	const char *s;

	if (v1 != NULL)
		json_object_object_add(o, k1, json_object_new_string(v1));
	if (v2 != NULL)
		json_object_object_add(o, k2, json_object_new_string(v2));
	if (k3 != NULL && v3 != NULL)
		json_object_object_add(o, k3, json_object_new_string(v3));
	s = arena_strdup(a, json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return s;
}

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
		return bad(n, mark, "Google Ads: searchStream did not answer "
		    "an array of batches");
	for (b = 0; b < json_object_array_length(body); b++) {
		batch = json_object_array_get_idx(body, b);
		if ((results = jsonx_member(batch, "results")) == NULL)
			continue;
		if (!json_object_is_type(results, json_type_array))
			return bad(n, mark, "Google Ads: [%zu].results is "
			    "not an array", b);
		for (i = 0; i < json_object_array_length(results); i++) {
			r = json_object_array_get_idx(results, i);
			day = numtext(jsonx_member(jsonx_member(r, "segments"),
			    "date"));
			if (!is_day(day))
				return bad(n, mark, "Google Ads: [%zu].results"
				    "[%zu].segments.date is not YYYY-MM-DD",
				    b, i);
			camp = jsonx_member(r, "campaign");
			id = numtext(jsonx_member(camp, "id"));
			name = numtext(jsonx_member(camp, "name"));
			if (!is_count(id))
				return bad(n, mark, "Google Ads: [%zu].results"
				    "[%zu].campaign.id is missing", b, i);
			acct = arena_printf(n->a, "%s:%s", customer, id);
			dims = dims3(n->a, "campaign_id", id, "campaign_name",
			    name, "currency", currency);
			met = jsonx_member(r, "metrics");
			for (k = 0; k < nitems(m); k++) {
				v = numtext(jsonx_member(met, m[k].api));
				if (v == NULL)
					v = "0";	/* zero is left out */
				if (m[k].shift < 0)
					val = is_count(v) ? v : NULL;
				else
					val = syncnorm_decimal(n->a, v,
					    m[k].shift, m[k].shift > 0);
				if (val == NULL)
					return bad(n, mark, "Google Ads: [%zu]."
					    "results[%zu].metrics.%s is not a "
					    "number", b, i, m[k].api);
				if (syncnorm_add(n, acct, m[k].metric, day,
				    val, dims) != ERR_OK)
					return bad(n, mark, "Google Ads: too "
					    "many rows");
			}
		}
	}
	return ERR_OK;
}

/* --- helpers for the others ------------------------------------------ */

/* Seconds since the epoch as a UTC day (arena). */
static const char *
epoch_day(struct arena *a, long long secs)
{
	return day_text(a, day_of_epoch(secs));
}

/* A count (JSON integer, or string of digits) as text, else NULL. */
static const char *
count_of(struct json_object *v)
{
	const char *s;

	if (v == NULL)
		return NULL;
	if (json_object_is_type(v, json_type_int)) {
		if (json_object_get_int64(v) < 0)
			return NULL;
		return json_object_get_string(v);
	}
	s = json_object_is_type(v, json_type_string) ?
	    json_object_get_string(v) : NULL;
	return is_count(s) ? s : NULL;
}

static struct json_object *
array_of(struct json_object *o, const char *k)
{
	struct json_object *v = jsonx_member(o, k);

	return v != NULL && json_object_is_type(v, json_type_array) ? v :
	    NULL;
}

/* --- YouTube --------------------------------------------------------- */

enum err
syncnorm_youtube(struct syncnorm *n, struct json_object *report)
{
	static const struct { const char *api, *metric; } m[] = {
		{ "views", "views" },
		{ "estimatedMinutesWatched", "watch_minutes" },
		{ "subscribersGained", "subscribers_gained" },
		{ "subscribersLost", "subscribers_lost" },
		{ "likes", "likes" },
		{ "comments", "comments" },
		{ "shares", "shares" },
	};
	struct json_object *hs, *rows, *row;
	int col[nitems(m)], daycol = -1;
	const char *name, *day, *v;
	size_t i, k, j, nh, mark = n->n;

	if ((hs = array_of(report, "columnHeaders")) == NULL)
		return bad(n, mark, "YouTube: columnHeaders is missing");
	nh = json_object_array_length(hs);
	for (k = 0; k < nitems(m); k++)
		col[k] = -1;
	for (j = 0; j < nh; j++) {
		name = numtext(jsonx_member(json_object_array_get_idx(hs, j),
		    "name"));
		if (name == NULL)
			return bad(n, mark, "YouTube: columnHeaders[%zu].name "
			    "is missing", j);
		if (strcmp(name, "day") == 0)
			daycol = (int)j;
		for (k = 0; k < nitems(m); k++)
			if (strcmp(name, m[k].api) == 0)
				col[k] = (int)j;
	}
	if (daycol < 0)
		return bad(n, mark, "YouTube: no day column");
	if ((rows = jsonx_member(report, "rows")) == NULL)
		return ERR_OK;
	if (!json_object_is_type(rows, json_type_array))
		return bad(n, mark, "YouTube: rows is not an array");
	for (i = 0; i < json_object_array_length(rows); i++) {
		row = json_object_array_get_idx(rows, i);
		if (!json_object_is_type(row, json_type_array) ||
		    json_object_array_length(row) != nh)
			return bad(n, mark, "YouTube: rows[%zu] does not match "
			    "columnHeaders", i);
		day = numtext(json_object_array_get_idx(row, (size_t)daycol));
		if (!is_day(day))
			return bad(n, mark, "YouTube: rows[%zu].day is not "
			    "YYYY-MM-DD", i);
		for (k = 0; k < nitems(m); k++) {
			if (col[k] < 0)
				continue;
			v = count_of(json_object_array_get_idx(row,
			    (size_t)col[k]));
			if (v == NULL)
				return bad(n, mark, "YouTube: rows[%zu].%s is "
				    "not a count", i, m[k].api);
			if (syncnorm_add(n, NULL, m[k].metric, day, v, NULL) !=
			    ERR_OK)
				return bad(n, mark, "YouTube: too many rows");
		}
	}
	return ERR_OK;
}

enum err
syncnorm_youtube_channel(struct syncnorm *n, struct json_object *list,
    const char *day)
{
	struct json_object *items;
	const char *v;

	items = array_of(list, "items");
	if (items == NULL || json_object_array_length(items) == 0)
		return ERR_OK;
	v = count_of(jsonx_member(jsonx_member(
	    json_object_array_get_idx(items, 0), "statistics"),
	    "subscriberCount"));
	if (v == NULL)
		return ERR_OK;	/* hidden subscriber count */
	return syncnorm_add(n, NULL, "subscribers", day, v, NULL);
}

/* --- Facebook and Instagram ------------------------------------------ */

/* Page insights items: name, values[{value, end_time}]. */
static enum err
meta_series(struct syncnorm *n, size_t mark, struct json_object *body,
    const char *who, const char *const map[][2], size_t nmap)
{
	struct json_object *data, *it, *vals, *v;
	const char *name, *day, *val;
	size_t i, j, k;

	if ((data = array_of(body, "data")) == NULL)
		return bad(n, mark, "%s: data is missing", who);
	for (i = 0; i < json_object_array_length(data); i++) {
		it = json_object_array_get_idx(data, i);
		name = numtext(jsonx_member(it, "name"));
		if (name == NULL)
			return bad(n, mark, "%s: data[%zu].name is missing",
			    who, i);
		for (k = 0; k < nmap; k++)
			if (strcmp(map[k][0], name) == 0)
				break;
		if (k == nmap || (vals = array_of(it, "values")) == NULL)
			continue;
		for (j = 0; j < json_object_array_length(vals); j++) {
			v = json_object_array_get_idx(vals, j);
			/* The day before end_time's. */
			day = day_add(n->a, numtext(jsonx_member(v,
			    "end_time")), -1);
			val = count_of(jsonx_member(v, "value"));
			if (day == NULL)
				return bad(n, mark, "%s: data[%zu].values[%zu]."
				    "end_time is not a time", who, i, j);
			if (val == NULL)
				return bad(n, mark, "%s: data[%zu].values[%zu]."
				    "value is not a count", who, i, j);
			if (syncnorm_add(n, NULL, map[k][1], day, val, NULL) !=
			    ERR_OK)
				return bad(n, mark, "%s: too many rows", who);
		}
	}
	return ERR_OK;
}

enum err
syncnorm_facebook(struct syncnorm *n, struct json_object *body)
{
	static const char *const map[][2] = {
		{ "page_media_view", "impressions" },
		{ "page_total_media_view_unique", "reach" },
		{ "page_post_engagements", "engagements" },
		{ "page_views_total", "page_views" },
		{ "page_follows", "followers" },
	};

	return meta_series(n, n->n, body, "Facebook", map,
	    nitems(map));
}

enum err
syncnorm_instagram(struct syncnorm *n, struct json_object *body,
    const char *day, int totals_days)
{
	static const char *const series[][2] = { { "reach", "reach" } };
	static const char *const totals[][2] = {
		{ "views", "views" },
		{ "total_interactions", "engagements" },
		{ "profile_views", "profile_views" },
		{ "reach", "reach" },
	};
	struct json_object *data, *it;
	const char *name, *val;
	size_t i, k, mark = n->n;

	if (day == NULL)
		return meta_series(n, mark, body, "Instagram", series, 1);
	if ((data = array_of(body, "data")) == NULL)
		return bad(n, mark, "Instagram: data is missing");
	for (i = 0; i < json_object_array_length(data); i++) {
		it = json_object_array_get_idx(data, i);
		if ((name = numtext(jsonx_member(it, "name"))) == NULL)
			return bad(n, mark, "Instagram: data[%zu].name is "
			    "missing", i);
		for (k = 0; k < nitems(totals); k++)
			if (strcmp(totals[k][0], name) == 0)
				break;
		if (k == nitems(totals))
			continue;
		val = count_of(jsonx_member(jsonx_member(it, "total_value"),
		    "value"));
		if (val == NULL)
			return bad(n, mark, "Instagram: data[%zu].total_value."
			    "value is not a count", i);
		if (totals_days > 0)
			syncnorm_add(n, NULL, arena_printf(n->a, "%s:%dd",
			    totals[k][1], totals_days), day, val, NULL);
		else if (strcmp(name, "reach") != 0)
			syncnorm_add(n, NULL, totals[k][1], day, val, NULL);
	}
	return ERR_OK;
}

enum err
syncnorm_instagram_user(struct syncnorm *n, struct json_object *user,
    const char *day)
{
	const char *v = count_of(jsonx_member(user, "followers_count"));

	if (v == NULL)
		return bad(n, n->n, "Instagram: followers_count is missing");
	return syncnorm_add(n, NULL, "followers", day, v, NULL);
}

/* --- Meta Ads -------------------------------------------------------- */

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

	if ((data = array_of(body, "data")) == NULL)
		return bad(n, mark, "Meta Ads: data is missing");
	for (i = 0; i < json_object_array_length(data); i++) {
		it = json_object_array_get_idx(data, i);
		day = numtext(jsonx_member(it, "date_start"));
		if (!is_day(day))
			return bad(n, mark, "Meta Ads: data[%zu].date_start is "
			    "not YYYY-MM-DD", i);
		id = numtext(jsonx_member(it, "campaign_id"));
		if (!is_count(id))
			return bad(n, mark, "Meta Ads: data[%zu].campaign_id "
			    "is missing", i);
		name = numtext(jsonx_member(it, "campaign_name"));
		acct = arena_printf(n->a, "%s:%s", n->account, id);
		dims = dims3(n->a, "campaign_id", id, "campaign_name", name,
		    "currency", currency);
		for (k = 0; k < nitems(counts); k++) {
			v = jsonx_member(it, counts[k][0]) == NULL ? "0" :
			    count_of(jsonx_member(it, counts[k][0]));
			if (v == NULL)
				return bad(n, mark, "Meta Ads: data[%zu].%s is "
				    "not a count", i, counts[k][0]);
			syncnorm_add(n, acct, counts[k][1], day, v, dims);
		}
		spend = jsonx_member(it, "spend") == NULL ? "0" :
		    syncnorm_decimal(n->a, numtext(jsonx_member(it, "spend")),
		    6, true);
		if (spend == NULL)
			return bad(n, mark, "Meta Ads: data[%zu].spend is not "
			    "a number", i);
		syncnorm_add(n, acct, "spend_micros", day, spend, dims);
		conv = NULL;
		acts = array_of(it, "actions");
		for (k = 0; acts != NULL && k < json_object_array_length(acts);
		    k++) {
			ac = json_object_array_get_idx(acts, k);
			v = numtext(jsonx_member(ac, "action_type"));
			if (v == NULL || (strcmp(v, "purchase") != 0 &&
			    strcmp(v, "offsite_conversion.fb_pixel_purchase")
			    != 0))
				continue;
			v = syncnorm_decimal(n->a, numtext(jsonx_member(ac,
			    "value")), 0, false);
			if (v == NULL)
				return bad(n, mark, "Meta Ads: data[%zu]."
				    "actions[%zu].value is not a number", i, k);
			conv = arena_strdup(n->a, v);
			break;
		}
		syncnorm_add(n, acct, "conversions", day, conv != NULL ? conv :
		    "0", dims);
		if (n->n >= LIMIT_SYNC_ROWS)
			return bad(n, mark, "Meta Ads: too many rows");
	}
	return ERR_OK;
}

/* --- LinkedIn -------------------------------------------------------- */

enum err
syncnorm_linkedin(struct syncnorm *n, struct json_object *body)
{
	static const char *const parts[] = { "clickCount", "likeCount",
	    "commentCount", "shareCount" };
	struct json_object *els, *it, *st;
	const char *day, *imp, *clk, *v;
	long long start, eng;
	size_t i, k, mark = n->n;

	if ((els = array_of(body, "elements")) == NULL)
		return bad(n, mark, "LinkedIn: elements is missing");
	for (i = 0; i < json_object_array_length(els); i++) {
		it = json_object_array_get_idx(els, i);
		v = count_of(jsonx_member(jsonx_member(it, "timeRange"),
		    "start"));
		if (v == NULL)
			return bad(n, mark, "LinkedIn: elements[%zu].timeRange."
			    "start is missing", i);
		start = strtoll(v, NULL, 10);
		day = epoch_day(n->a, start / 1000);
		if (start > 253402300799000LL)	/* 9999-12-31 */
			return bad(n, mark, "LinkedIn: elements[%zu].timeRange."
			    "start is not a time", i);
		st = jsonx_member(it, "totalShareStatistics");
		imp = count_of(jsonx_member(st, "impressionCount"));
		clk = count_of(jsonx_member(st, "clickCount"));
		if (imp == NULL || clk == NULL)
			return bad(n, mark, "LinkedIn: elements[%zu]."
			    "totalShareStatistics is incomplete", i);
		for (eng = 0, k = 0; k < nitems(parts); k++) {
			v = count_of(jsonx_member(st, parts[k]));
			eng += v != NULL ? strtoll(v, NULL, 10) : 0;
		}
		syncnorm_add(n, NULL, "impressions", day, imp, NULL);
		syncnorm_add(n, NULL, "clicks", day, clk, NULL);
		syncnorm_add(n, NULL, "engagements", day, arena_printf(n->a,
		    "%lld", eng), NULL);
	}
	return ERR_OK;
}

enum err
syncnorm_linkedin_followers(struct syncnorm *n, struct json_object *body,
    const char *day)
{
	const char *v = count_of(jsonx_member(body, "firstDegreeSize"));

	if (v == NULL)
		return bad(n, n->n, "LinkedIn: firstDegreeSize is missing");
	return syncnorm_add(n, NULL, "followers", day, v, NULL);
}

/* --- Mailchimp ------------------------------------------------------- */

/* Two counts' sum (hard and soft bounces), as text. */
static const char *
sum2(struct arena *a, const char *x, const char *y)
{
	return arena_printf(a, "%lld", strtoll(x, NULL, 10) +
	    strtoll(y, NULL, 10));
}

enum err
syncnorm_mailchimp(struct syncnorm *n, struct json_object *body,
    size_t *count)
{
	static const char *const map[][2] = {
		{ "emails_sent", "emails_sent" },
		{ "unique_opens", "opens" },
		{ "recipient_clicks", "clicks" },
		{ "unsubs", "unsubscribes" },
	};
	struct json_object *act, *it;
	const char *day, *v, *hb, *sb;
	size_t i, k, mark = n->n;

	*count = 0;
	if ((act = array_of(body, "activity")) == NULL)
		return bad(n, mark, "Mailchimp: activity is missing");
	*count = json_object_array_length(act);
	for (i = 0; i < *count; i++) {
		it = json_object_array_get_idx(act, i);
		day = numtext(jsonx_member(it, "day"));
		if (!is_day(day))
			return bad(n, mark, "Mailchimp: activity[%zu].day is "
			    "not YYYY-MM-DD", i);
		for (k = 0; k < nitems(map); k++) {
			v = count_of(jsonx_member(it, map[k][0]));
			if (v == NULL)
				return bad(n, mark, "Mailchimp: activity[%zu]."
				    "%s is not a count", i, map[k][0]);
			syncnorm_add(n, NULL, map[k][1], day, v, NULL);
		}
		hb = count_of(jsonx_member(it, "hard_bounce"));
		sb = count_of(jsonx_member(it, "soft_bounce"));
		if (hb == NULL || sb == NULL)
			return bad(n, mark, "Mailchimp: activity[%zu]."
			    "hard_bounce or soft_bounce is not a count", i);
		syncnorm_add(n, NULL, "bounces", day, sum2(n->a, hb, sb),
		    NULL);
	}
	return ERR_OK;
}

enum err
syncnorm_mailchimp_reports(struct syncnorm *n, struct json_object *body,
    const char *list, size_t *count)
{
	static const struct {
		const char	*obj, *key, *metric;
	} m[] = {
		{ NULL, "emails_sent", "campaign_emails_sent" },
		{ "opens", "unique_opens", "campaign_opens" },
		{ "clicks", "unique_subscriber_clicks", "campaign_clicks" },
		{ NULL, "unsubscribed", "campaign_unsubscribes" },
	};
	struct json_object *reps, *it;
	const char *id, *lid, *st, *day, *acct, *dims, *v, *hb, *sb;
	size_t i, k, mark = n->n;

	*count = 0;
	if ((reps = array_of(body, "reports")) == NULL)
		return bad(n, mark, "Mailchimp: reports is missing");
	*count = json_object_array_length(reps);
	for (i = 0; i < *count; i++) {
		it = json_object_array_get_idx(reps, i);
		lid = numtext(jsonx_member(it, "list_id"));
		if (lid == NULL || strcmp(lid, list) != 0)
			continue;	/* another audience's campaign */
		id = numtext(jsonx_member(it, "id"));
		st = numtext(jsonx_member(it, "send_time"));
		if (id == NULL || *id == '\0')
			return bad(n, mark, "Mailchimp: reports[%zu].id is "
			    "missing", i);
		if (st == NULL || strlen(st) < 10 ||
		    !is_day(day = arena_strndup(n->a, st, 10)))
			return bad(n, mark, "Mailchimp: reports[%zu].send_time "
			    "is not an ISO 8601 time", i);
		acct = arena_printf(n->a, "%s:%s", list, id);
		dims = dims3(n->a, "campaign_id", id, "campaign_title",
		    numtext(jsonx_member(it, "campaign_title")), NULL, NULL);
		for (k = 0; k < nitems(m); k++) {
			v = count_of(jsonx_member(m[k].obj != NULL ?
			    jsonx_member(it, m[k].obj) : it, m[k].key));
			if (v == NULL)
				return bad(n, mark, "Mailchimp: reports[%zu].%s%s"
				    "%s is not a count", i, m[k].obj != NULL ?
				    m[k].obj : "", m[k].obj != NULL ? "." : "",
				    m[k].key);
			syncnorm_add(n, acct, m[k].metric, day, v, dims);
		}
		hb = count_of(jsonx_member(jsonx_member(it, "bounces"),
		    "hard_bounces"));
		sb = count_of(jsonx_member(jsonx_member(it, "bounces"),
		    "soft_bounces"));
		if (hb == NULL || sb == NULL)
			return bad(n, mark, "Mailchimp: reports[%zu].bounces is "
			    "not two counts", i);
		syncnorm_add(n, acct, "campaign_bounces", day, sum2(n->a, hb,
		    sb), dims);
	}
	return ERR_OK;
}

/* --- GitHub ---------------------------------------------------------- */

enum err
syncnorm_github_traffic(struct syncnorm *n, struct json_object *body,
    const char *kind, const char *end)
{
	struct json_object *list, *it;
	const char *ts, *c, *u, *total;
	bool views = strcmp(kind, "views") == 0;
	size_t i, mark = n->n;

	if ((list = array_of(body, kind)) == NULL)
		return bad(n, mark, "GitHub: %s is missing", kind);
	for (i = 0; i < json_object_array_length(list); i++) {
		it = json_object_array_get_idx(list, i);
		ts = numtext(jsonx_member(it, "timestamp"));
		c = count_of(jsonx_member(it, "count"));
		u = count_of(jsonx_member(it, "uniques"));
		if (ts == NULL || strlen(ts) < 10 ||
		    !is_day(arena_strndup(n->a, ts, 10)))
			return bad(n, mark, "GitHub: %s[%zu].timestamp is not "
			    "a time", kind, i);
		if (c == NULL || u == NULL)
			return bad(n, mark, "GitHub: %s[%zu].count or uniques "
			    "is not a count", kind, i);
		ts = arena_strndup(n->a, ts, 10);
		syncnorm_add(n, NULL, views ? "views" : "clones", ts, c, NULL);
		if (views)
			syncnorm_add(n, NULL, "unique_visitors", ts, u, NULL);
	}
	if (views && (total = count_of(jsonx_member(body, "uniques"))) != NULL)
		syncnorm_add(n, NULL, "unique_visitors:14d", end, total, NULL);
	return ERR_OK;
}

enum err
syncnorm_github_repo(struct syncnorm *n, struct json_object *repo,
    const char *day)
{
	const char *v = count_of(jsonx_member(repo, "stargazers_count"));

	if (v == NULL)
		return bad(n, n->n, "GitHub: stargazers_count is missing");
	return syncnorm_add(n, NULL, "stars", day, v, NULL);
}

/* --- Slack ----------------------------------------------------------- */

enum err
syncnorm_slack(struct syncnorm *n, struct json_object *body,
    const char *channel, bool replies, struct syncnorm_msgs *out,
    const char **cursor)
{
	struct json_object *msgs, *m;
	struct syncnorm_msg *x, *grown;
	const char *ts, *thread, *c;
	size_t i;

	*cursor = NULL;
	if ((msgs = array_of(body, "messages")) == NULL)
		return bad(n, n->n, "Slack: messages is missing");
	for (i = 0; i < json_object_array_length(msgs); i++) {
		m = json_object_array_get_idx(msgs, i);
		ts = numtext(jsonx_member(m, "ts"));
		if (ts == NULL || syncnorm_decimal(n->a, ts, 0, false) ==
		    NULL || *ts == '-' ||
		    strtoll(ts, NULL, 10) > 253402300799LL)
			return bad(n, n->n, "Slack: messages[%zu].ts is not "
			    "a Slack timestamp", i);
		thread = numtext(jsonx_member(m, "thread_ts"));
		if (replies && thread != NULL && strcmp(thread, ts) == 0)
			continue;	/* the parent, already stored */
		if (out->n == out->size) {
			if (out->size >= LIMIT_SYNC_ROWS)
				return bad(n, n->n, "Slack: too many messages");
			out->size = out->size ? out->size * 2 : 64;
			grown = arena_calloc(n->a, out->size, sizeof(*grown));
			if (out->n > 0)
				memcpy(grown, out->v, out->n * sizeof(*grown));
			out->v = grown;
		}
		x = &out->v[out->n++];
		x->channel = channel;
		x->ts = arena_strdup(n->a, ts);
		x->thread_ts = thread != NULL ? arena_strdup(n->a, thread) :
		    NULL;
		x->user = arena_strdup(n->a, numtext(jsonx_member(m, "user")));
		c = numtext(jsonx_member(m, "text"));
		x->text = arena_strdup(n->a, c != NULL ? c : "");
		c = count_of(jsonx_member(m, "reply_count"));
		x->reply_count = c != NULL ? strtol(c, NULL, 10) : 0;
		x->day = epoch_day(n->a, strtoll(ts, NULL, 10));
		x->raw = arena_strdup(n->a, json_object_to_json_string_ext(m,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	}
	c = numtext(jsonx_member(jsonx_member(body, "response_metadata"),
	    "next_cursor"));
	if (c != NULL && *c != '\0')
		*cursor = arena_strdup(n->a, c);
	return ERR_OK;
}
