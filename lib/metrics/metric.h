/*
 * metric.h — the metric catalogue: labels, units, aggregation rules.
 *
 * For every provider, the metrics Sluice stores or derives, with a label,
 * a unit and an aggregation rule (each provider's file holds its rows:
 * struct metric_def in lib/providers/provider.h), and the aggregation of
 * a period by that rule.
 *
 * Rules:
 *   SUM     counts and amounts: the sum of the period's days.
 *   RATIO   rates: sum(numerator) / sum(denominator) over the period, from
 *           two stored metrics, never a mean of daily rates.  Not stored:
 *           ingest refuses a RATIO name for a catalogue provider.
 *   LAST    running totals (followers, subscribers): the value of the
 *           latest day of the period that has data.
 *   TOTALS  non-additive counts (unique users, reach): the provider's own
 *           total for an N-day period is stored as the metric
 *           "<name>:<N>d" on the period's last day (e.g. "active_users:28d"
 *           on 2026-03-31 covers 2026-03-04..31); the daily "<name>" rows
 *           only draw the sparkline.  Without the total row the period has
 *           no value: days are never summed.
 * A metric the catalogue does not know (a custom ingested one) is SUM.
 * Everything here is static storage; nothing is allocated.
 */
#ifndef SLUICE_METRIC_H
#define SLUICE_METRIC_H

#include <stdbool.h>
#include <stddef.h>

#include "providers/provider.h"

/* A period's daily points, oldest first; has[i] false: no data that day. */
struct metric_series {
	const double	*v;
	const bool	*has;
	size_t		 n;
};

/* A provider's catalogue in display order (its `metrics`); *nout
 * entries, none for a slug the registry does not know. */
const struct metric_def	*metric_of(const char *provider, size_t *nout);

/* The entry for provider and name, or NULL when the catalogue has none. */
const struct metric_def	*metric_find(const char *provider,
			    const char *name);

/* True when slug is one of the registry's providers. */
bool		 metric_provider_known(const char *slug);

/* "sum", "ratio", "last" or "totals"; static. */
const char	*metric_agg_name(enum metric_agg);

/*
 * True when name is a TOTALS row name "<base>:<N>d" (N 1..999); *baselen
 * gets the length of <base> and *days N.  Any provider may send them.
 */
bool		 metric_totals_split(const char *name, size_t *baselen,
		    int *days);

/*
 * The period value of a metric by its rule (def NULL: SUM).  a is the
 * metric's daily series (RATIO: the numerator); b is the RATIO
 * denominator or, for TOTALS, the series of "<name>:<N>d" rows over the
 * same days (its last point is the period's value); b is unused otherwise.
 * Returns false when there is no value: no data, or a zero denominator.
 */
bool		 metric_aggregate(const struct metric_def *def,
		    const struct metric_series *a,
		    const struct metric_series *b, double *out);

/*
 * One day's point for a sparkline: the day's value (RATIO: that day's
 * num / den; TOTALS: the daily row).  False when the day has no value.
 */
bool		 metric_point(const struct metric_def *def,
		    const struct metric_series *a,
		    const struct metric_series *b, size_t i, double *out);

/*
 * The days of series a (and b, as for metric_point()) that have a point:
 * a RATIO's days with both parts, a TOTALS metric's daily rows.
 */
int		 metric_covered(const struct metric_def *def,
		    const struct metric_series *a,
		    const struct metric_series *b);

/*
 * True when a comparison of two periods would mislead: a sum or a ratio
 * (def NULL: a sum) whose periods have data on a different number of
 * days: fewer before (a source that started lately), or fewer now (a
 * provider that publishes a day late, e.g. YouTube Analytics' 2-3 days:
 * 3 days of views against 6 is no drop).  A running total (LAST), a
 * provider's period total (TOTALS) or a sparse metric (events on some
 * days) is never partial.
 */
bool		 metric_partial(const struct metric_def *def, int cur_days,
		    int prev_days);

#endif
