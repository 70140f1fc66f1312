/*
 * monthly.h — a calendar month's KPIs against the month before.
 *
 * The monthly digest's numbers: for the last full calendar month in the
 * workspace's zone, each metric by its catalogue rule (lib/metrics/
 * metric.h) over the month's days, against the month before: sums add
 * the days, running totals give the last day, rates are ratios of sums,
 * money stays in its currency.  A provider's non-additive counts (unique
 * users, reach) have no total for a calendar month and are left out:
 * their days are never added.  The comparison is honest about coverage:
 * when the two months' data cover different shares of their days (a
 * late start before, or days a provider has not published yet now) the
 * comparison is "partial" (metric_partial()), whatever the months'
 * lengths.
 *
 * monthly_compute() is pure (arrays in, struct insights_kpi out, same
 * input same output); monthly_load() reads the rows.  Results live in the
 * caller's arena.
 */
#ifndef SLUICE_MONTHLY_H
#define SLUICE_MONTHLY_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct arena;
struct db;
struct insights;
struct insights_period;

#define MONTHLY_DAYS	62	/* the two months' days, at most */

/* One stored day of one (provider, metric, currency), accounts apart. */
struct monthly_row {
	const char	*provider;
	const char	*metric;
	const char	*currency;	/* "" for none */
	int		 day;		/* 0: the month before's 1st */
	double		 value;
};

/*
 * The last full calendar month of the workspace in its zone (start NULL)
 * or the month starting at start ("YYYY-MM-01"): *out is the month,
 * *prev_days the length of the month before it.  ERR_NOTFOUND (no such
 * workspace), ERR_INPUT (start not the first of a month), database
 * errors.
 */
enum err	 monthly_period(struct db *, struct arena *,
		    int64_t workspace_id, const char *start,
		    struct insights_period *out, int *prev_days);

/*
 * The KPIs of rows (grouped by provider, metric, currency, in any day
 * order) over the days [prev_days, prev_days + cur_days) against [0,
 * prev_days), providers in the rows' order, catalogue order inside, then
 * metrics the catalogue does not know.  *out has kpis only (no items).
 * ERR_INPUT when a length is outside 1..31.
 */
enum err	 monthly_compute(struct arena *, const struct monthly_row *,
		    size_t n, int prev_days, int cur_days,
		    struct insights *out);

/* Loads the workspace's rows of the period and the month before, then
 * computes.  Errors of the database and of monthly_compute(). */
enum err	 monthly_load(struct db *, struct arena *, int64_t workspace_id,
		    const struct insights_period *, int prev_days,
		    struct insights *out);

#endif
