/*
 * syncnorm.h — fetch-and-normalise, the normalise half: each provider's
 * report bodies (parsed JSON) turned into metric_daily rows named as the
 * catalogue (lib/metric.c) names them.  Pure: no I/O, no clock; the
 * example files of ../shared/providers are fed to them in the unit tests.
 *
 * Values stay text from the wire to PostgreSQL's numeric: money is
 * shifted to micros on its decimal digits, never through floating point.
 * A body that does not have the shape the provider documents is refused
 * with ERR_INPUT and n->why naming the field; rows added by a refused
 * call are dropped (n->n is restored), so a batch is never partial.
 * Everything lives in the arena given to syncnorm_init().
 */
#ifndef SLUICE_SYNCNORM_H
#define SLUICE_SYNCNORM_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

struct arena;
struct ingest_row;
struct json_object;

/* Rows being built for one provider and account. */
struct syncnorm {
	struct arena		*a;
	const char		*provider;	/* slug: the rows' source */
	const char		*account;	/* default account_id */
	struct ingest_row	*rows;
	size_t			 n;
	size_t			 size;
	bool			 has_dims;
	const char		*why;		/* set with ERR_INPUT */
};

/* Starts an empty set of rows (arena-owned). */
void		 syncnorm_init(struct syncnorm *, struct arena *,
		    const char *provider, const char *account);

/*
 * Adds one row (strings copied into the arena).  account NULL: the
 * default; dims NULL: {}.  ERR_TOOBIG past LIMIT_SYNC_ROWS.
 */
enum err	 syncnorm_add(struct syncnorm *, const char *account,
		    const char *metric, const char *day, const char *value,
		    const char *dims);

/*
 * The decimal text s (a JSON number: sign, digits, fraction, exponent)
 * times 10^shift, rounded half away from zero to an integer when
 * integer is true; an arena string, or NULL when s is not a number.
 */
const char	*syncnorm_decimal(struct arena *, const char *s, int shift,
		    bool integer);

/*
 * GA4 runReport with the date dimension: one row per day and metric
 * (sessions, total_users, active_users, new_users, page_views,
 * engaged_sessions — or from bounceRate —, session_duration from
 * averageSessionDuration, key_events, revenue_micros).  No `rows`: none.
 */
enum err	 syncnorm_ga4(struct syncnorm *, struct json_object *report);

/*
 * GA4 runReport without dimensions over the days-long period ending on
 * day end (YYYY-MM-DD): the provider's own totals of the non-additive
 * metrics, stored as active_users:<days>d and total_users:<days>d on end.
 */
enum err	 syncnorm_ga4_totals(struct syncnorm *, struct json_object *report,
		    int days, const char *end);

/*
 * Google Ads searchStream (an array of batches) per campaign and day:
 * account_id "<customer>:<campaign id>", dims {campaign_id,
 * campaign_name, currency}; impressions, clicks, cost_micros (exact),
 * conversions, conversion_value_micros.
 */
enum err	 syncnorm_google_ads(struct syncnorm *, struct json_object *body,
		    const char *customer, const char *currency);

#endif
