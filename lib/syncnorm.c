/* syncnorm.c — provider report bodies into metric_daily rows. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "arena.h"
#include "buf.h"
#include "ingest.h"
#include "limit.h"
#include "syncnorm.h"

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

static struct json_object *
get(struct json_object *o, const char *k)
{
	struct json_object *v;

	if (o == NULL || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, k, &v) ||
	    json_object_is_type(v, json_type_null))
		return NULL;
	return v;
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
	hs = get(report, "metricHeaders");
	if (hs == NULL || !json_object_is_type(hs, json_type_array))
		return bad(n, n->n, "GA4: metricHeaders is missing");
	*ncols = json_object_array_length(hs);
	for (i = 0; i < *ncols; i++) {
		name = get(json_object_array_get_idx(hs, i), "name");
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

	mv = get(row, "metricValues");
	if (mv == NULL || !json_object_is_type(mv, json_type_array) ||
	    json_object_array_length(mv) != ncols)
		return bad(n, mark, "GA4: rows[%zu].metricValues does not "
		    "match metricHeaders", i);
	for (k = 0; k < ncols; k++) {
		v[k] = numtext(get(json_object_array_get_idx(mv, k),
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
	if ((rows = get(report, "rows")) == NULL)
		return ERR_OK;
	if (!json_object_is_type(rows, json_type_array))
		return bad(n, mark, "GA4: rows is not an array");
	for (i = 0; i < json_object_array_length(rows); i++) {
		row = json_object_array_get_idx(rows, i);
		dv = get(row, "dimensionValues");
		day = ymd(n->a, dv != NULL && json_object_is_type(dv,
		    json_type_array) ? numtext(get(json_object_array_get_idx(
		    dv, 0), "value")) : NULL);
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
	if ((rows = get(report, "rows")) == NULL)
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
		if ((results = get(batch, "results")) == NULL)
			continue;
		if (!json_object_is_type(results, json_type_array))
			return bad(n, mark, "Google Ads: [%zu].results is "
			    "not an array", b);
		for (i = 0; i < json_object_array_length(results); i++) {
			r = json_object_array_get_idx(results, i);
			day = numtext(get(get(r, "segments"), "date"));
			if (!is_day(day))
				return bad(n, mark, "Google Ads: [%zu].results"
				    "[%zu].segments.date is not YYYY-MM-DD",
				    b, i);
			camp = get(r, "campaign");
			id = numtext(get(camp, "id"));
			name = numtext(get(camp, "name"));
			if (!is_count(id))
				return bad(n, mark, "Google Ads: [%zu].results"
				    "[%zu].campaign.id is missing", b, i);
			acct = arena_printf(n->a, "%s:%s", customer, id);
			dims = dims3(n->a, "campaign_id", id, "campaign_name",
			    name, "currency", currency);
			met = get(r, "metrics");
			for (k = 0; k < sizeof(m) / sizeof(m[0]); k++) {
				v = numtext(get(met, m[k].api));
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
