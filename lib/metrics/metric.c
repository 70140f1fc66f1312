/* metric.c — the metric catalogue and the aggregation rules. */
#include <string.h>

#include "base/mem.h"
#include "metrics/metric.h"

#define SUM(p, n, l, u)	{ p, n, l, u, METRIC_SUM, NULL, NULL, false }
#define LAST(p, n, l, u)	{ p, n, l, u, METRIC_LAST, NULL, NULL, false }
#define TOTALS(p, n, l, u) { p, n, l, u, METRIC_TOTALS, NULL, NULL, false }
#define RATIO(p, n, l, u, a, b)	{ p, n, l, u, METRIC_RATIO, a, b, false }
#define RATIO1M(p, n, l, u, a, b) { p, n, l, u, METRIC_RATIO, a, b, true }

/* README.md, "## Metrics", lists this table: keep the two in step. */
static const struct metric_def catalogue[] = {
	SUM("ga4", "sessions", "Sessions", "count"),
	TOTALS("ga4", "active_users", "Active users", "count"),
	TOTALS("ga4", "total_users", "Total users", "count"),
	SUM("ga4", "new_users", "New users", "count"),
	SUM("ga4", "page_views", "Page views", "count"),
	SUM("ga4", "engaged_sessions", "Engaged sessions", "count"),
	RATIO("ga4", "engagement_rate", "Engagement rate", "ratio",
	    "engaged_sessions", "sessions"),
	RATIO1M("ga4", "bounce_rate", "Bounce rate", "ratio",
	    "engaged_sessions", "sessions"),
	SUM("ga4", "session_duration", "Session duration", "seconds"),
	RATIO("ga4", "avg_session_duration", "Average session duration",
	    "seconds", "session_duration", "sessions"),
	SUM("ga4", "key_events", "Key events", "count"),
	SUM("ga4", "revenue_micros", "Revenue", "currency_micros"),

	SUM("google_ads", "impressions", "Impressions", "count"),
	SUM("google_ads", "clicks", "Clicks", "count"),
	SUM("google_ads", "cost_micros", "Cost", "currency_micros"),
	SUM("google_ads", "conversions", "Conversions", "count"),
	SUM("google_ads", "conversion_value_micros", "Conversion value",
	    "currency_micros"),
	RATIO("google_ads", "ctr", "Click-through rate", "ratio", "clicks",
	    "impressions"),
	RATIO("google_ads", "cpc", "Cost per click", "currency_micros",
	    "cost_micros", "clicks"),
	RATIO("google_ads", "conversion_rate", "Conversion rate", "ratio",
	    "conversions", "clicks"),

	SUM("youtube", "views", "Views", "count"),
	SUM("youtube", "watch_minutes", "Watch time", "minutes"),
	SUM("youtube", "subscribers_gained", "Subscribers gained", "count"),
	SUM("youtube", "subscribers_lost", "Subscribers lost", "count"),
	LAST("youtube", "subscribers", "Subscribers", "count"),
	SUM("youtube", "likes", "Likes", "count"),
	SUM("youtube", "comments", "Comments", "count"),
	SUM("youtube", "shares", "Shares", "count"),

	TOTALS("facebook", "reach", "Reach", "count"),
	SUM("facebook", "impressions", "Impressions", "count"),
	SUM("facebook", "engagements", "Engagements", "count"),
	SUM("facebook", "page_views", "Page views", "count"),
	LAST("facebook", "followers", "Followers", "count"),

	TOTALS("instagram", "reach", "Reach", "count"),
	SUM("instagram", "views", "Views", "count"),
	SUM("instagram", "engagements", "Engagements", "count"),
	SUM("instagram", "profile_views", "Profile views", "count"),
	LAST("instagram", "followers", "Followers", "count"),

	SUM("meta_ads", "impressions", "Impressions", "count"),
	TOTALS("meta_ads", "reach", "Reach", "count"),
	SUM("meta_ads", "clicks", "Clicks", "count"),
	SUM("meta_ads", "spend_micros", "Spend", "currency_micros"),
	SUM("meta_ads", "conversions", "Conversions", "count"),
	RATIO("meta_ads", "ctr", "Click-through rate", "ratio", "clicks",
	    "impressions"),
	RATIO("meta_ads", "cpc", "Cost per click", "currency_micros",
	    "spend_micros", "clicks"),

	SUM("linkedin", "impressions", "Impressions", "count"),
	SUM("linkedin", "clicks", "Clicks", "count"),
	SUM("linkedin", "engagements", "Engagements", "count"),
	RATIO("linkedin", "engagement_rate", "Engagement rate", "ratio",
	    "engagements", "impressions"),
	LAST("linkedin", "followers", "Followers", "count"),

	SUM("mailchimp", "emails_sent", "Emails sent", "count"),
	SUM("mailchimp", "opens", "Opens", "count"),
	SUM("mailchimp", "clicks", "Clicks", "count"),
	SUM("mailchimp", "bounces", "Bounces", "count"),
	SUM("mailchimp", "unsubscribes", "Unsubscribes", "count"),
	RATIO("mailchimp", "open_rate", "Open rate", "ratio", "opens",
	    "emails_sent"),
	RATIO("mailchimp", "click_rate", "Click rate", "ratio", "clicks",
	    "emails_sent"),
	SUM("mailchimp", "campaign_emails_sent", "Campaign emails sent",
	    "count"),
	SUM("mailchimp", "campaign_opens", "Campaign opens", "count"),
	SUM("mailchimp", "campaign_clicks", "Campaign clicks", "count"),
	SUM("mailchimp", "campaign_bounces", "Campaign bounces", "count"),
	SUM("mailchimp", "campaign_unsubscribes", "Campaign unsubscribes",
	    "count"),

	SUM("github", "views", "Views", "count"),
	TOTALS("github", "unique_visitors", "Unique visitors", "count"),
	SUM("github", "clones", "Clones", "count"),
	LAST("github", "stars", "Stars", "count"),

	SUM("slack", "messages", "Messages", "count"),
};

static const char *const providers[] = {
	"ga4", "google_ads", "youtube", "facebook", "instagram", "meta_ads",
	"linkedin", "mailchimp", "slack", "github",
};

static const char *const agg_names[METRIC__MAX] = {
	[METRIC_SUM] = "sum",
	[METRIC_RATIO] = "ratio",
	[METRIC_LAST] = "last",
	[METRIC_TOTALS] = "totals",
};

const struct metric_def *
metric_all(size_t *nout)
{
	*nout = nitems(catalogue);
	return catalogue;
}

const struct metric_def *
metric_find(const char *provider, const char *name)
{
	size_t i;

	for (i = 0; i < nitems(catalogue); i++)
		if (strcmp(catalogue[i].provider, provider) == 0 &&
		    strcmp(catalogue[i].name, name) == 0)
			return &catalogue[i];
	return NULL;
}

bool
metric_provider_known(const char *slug)
{
	size_t i;

	for (i = 0; i < nitems(providers); i++)
		if (strcmp(providers[i], slug) == 0)
			return true;
	return false;
}

const char *
metric_agg_name(enum metric_agg agg)
{
	return agg >= 0 && agg < METRIC__MAX ? agg_names[agg] : "sum";
}

bool
metric_totals_split(const char *name, size_t *baselen, int *days)
{
	const char *colon = strrchr(name, ':'), *p;
	int n = 0;

	if (colon == NULL || colon == name)
		return false;
	for (p = colon + 1; *p >= '0' && *p <= '9' && p - colon <= 3; p++)
		n = n * 10 + (*p - '0');
	if (p == colon + 1 || n < 1 || p[0] != 'd' || p[1] != '\0')
		return false;
	*baselen = (size_t)(colon - name);
	*days = n;
	return true;
}

static bool
sum(const struct metric_series *s, double *out)
{
	double t = 0;
	bool any = false;
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->has[i]) {
			t += s->v[i];
			any = true;
		}
	*out = t;
	return any;
}

static bool
ratio(const struct metric_def *def, double num, double den, double *out)
{
	if (den == 0)
		return false;
	*out = def->complement ? 1 - num / den : num / den;
	return true;
}

bool
metric_aggregate(const struct metric_def *def, const struct metric_series *a,
    const struct metric_series *b, double *out)
{
	double num, den;
	size_t i;

	switch (def != NULL ? def->agg : METRIC_SUM) {
	case METRIC_RATIO:
		if (b == NULL || !sum(a, &num) || !sum(b, &den))
			return false;
		return ratio(def, num, den, out);
	case METRIC_LAST:
		for (i = a->n; i > 0; i--)
			if (a->has[i - 1]) {
				*out = a->v[i - 1];
				return true;
			}
		return false;
	case METRIC_TOTALS:
		if (b == NULL || b->n == 0 || !b->has[b->n - 1])
			return false;
		*out = b->v[b->n - 1];
		return true;
	default:
		return sum(a, out);
	}
}

bool
metric_point(const struct metric_def *def, const struct metric_series *a,
    const struct metric_series *b, size_t i, double *out)
{
	if (i >= a->n || !a->has[i])
		return false;
	if (def != NULL && def->agg == METRIC_RATIO) {
		if (b == NULL || i >= b->n || !b->has[i])
			return false;
		return ratio(def, a->v[i], b->v[i], out);
	}
	*out = a->v[i];
	return true;
}
