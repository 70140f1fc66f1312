/* test_metric.c — the metric catalogue and its aggregation rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "metrics/metric.h"

#define N	7
#define X	false	/* a missing day */
#define O	true

static void
test_metric_catalogue_lookups(void **state)
{
	const struct provider *const *ps;
	const struct metric_def *d, *all;
	const char *slug;
	size_t n, np, i, k, total, baselen;
	int days;

	(void)state;
	d = metric_find("ga4", "sessions");
	assert_non_null(d);
	assert_int_equal(d->agg, METRIC_SUM);
	assert_string_equal(d->unit, "count");
	d = metric_find("google_ads", "ctr");
	assert_non_null(d);
	assert_int_equal(d->agg, METRIC_RATIO);
	assert_string_equal(d->num, "clicks");
	assert_string_equal(d->den, "impressions");
	assert_int_equal(metric_find("github", "stars")->agg, METRIC_LAST);
	assert_int_equal(metric_find("ga4", "active_users")->agg,
	    METRIC_TOTALS);
	assert_null(metric_find("ga4", "nope"));
	assert_null(metric_find("crm", "sessions"));
	assert_true(metric_provider_known("meta_ads"));
	assert_false(metric_provider_known("crm"));
	assert_false(metric_provider_known(""));
	assert_string_equal(metric_agg_name(METRIC_TOTALS), "totals");
	/* A previous period covered less: sums and rates are partial;
	 * running totals, period totals and sparse events never. */
	assert_true(metric_partial(metric_find("ga4", "sessions"), 7, 2));
	assert_false(metric_partial(metric_find("ga4", "sessions"), 7, 7));
	assert_true(metric_partial(metric_find("ga4", "engagement_rate"), 7,
	    2));
	assert_false(metric_partial(metric_find("github", "stars"), 7, 2));
	assert_false(metric_partial(metric_find("ga4", "active_users"), 7,
	    2));
	assert_false(metric_partial(metric_find("mailchimp",
	    "campaign_opens"), 2, 1));
	assert_true(metric_partial(NULL, 2, 1));
	/* Fewer days now (YouTube publishes 2-3 days late): just as
	 * partial; running totals and period totals still compare. */
	assert_true(metric_partial(metric_find("youtube", "views"), 3, 6));
	assert_true(metric_partial(metric_find("ga4", "engagement_rate"), 6,
	    7));
	assert_true(metric_partial(NULL, 1, 2));
	assert_false(metric_partial(metric_find("github", "stars"), 2, 7));
	assert_false(metric_partial(metric_find("ga4", "active_users"), 2,
	    7));

	/* Every RATIO names two stored metrics of its own provider, every
	 * provider has metrics, and names are unique per provider. */
	ps = provider_all(&np);
	assert_true(np > 0);
	for (k = 0, total = 0; k < np; k++) {
		slug = ps[k]->slug;
		all = metric_of(slug, &n);
		assert_true(n > 0);
		assert_ptr_equal(all, ps[k]->metrics);
		total += n;
		for (i = 0; i < n; i++) {
			assert_ptr_equal(metric_find(slug, all[i].name),
			    &all[i]);
			if (all[i].agg != METRIC_RATIO)
				continue;
			d = metric_find(slug, all[i].num);
			assert_non_null(d);
			assert_int_not_equal(d->agg, METRIC_RATIO);
			d = metric_find(slug, all[i].den);
			assert_non_null(d);
			assert_int_not_equal(d->agg, METRIC_RATIO);
		}
	}
	assert_true(total > 50);
	assert_null(metric_of("crm", &n));
	assert_int_equal(n, 0);

	assert_true(metric_totals_split("active_users:28d", &baselen, &days));
	assert_int_equal(baselen, 12);
	assert_int_equal(days, 28);
	assert_false(metric_totals_split("active_users", &baselen, &days));
	assert_false(metric_totals_split("a:d", &baselen, &days));
	assert_false(metric_totals_split("a:0d", &baselen, &days));
	assert_false(metric_totals_split("a:1000d", &baselen, &days));
	assert_false(metric_totals_split("a:7dx", &baselen, &days));
	assert_false(metric_totals_split(":7d", &baselen, &days));
}

static void
test_metric_sum_skips_missing_days(void **state)
{
	const double v[N] = { 1, 2, 99, 3, 4, 99, 5 };
	const bool has[N] = { O, O, X, O, O, X, O };
	const bool none[N] = { X, X, X, X, X, X, X };
	struct metric_series s = { v, has, N };
	double out = -1;

	(void)state;
	assert_true(metric_aggregate(metric_find("ga4", "sessions"), &s,
	    NULL, &out));
	assert_true(out == 15);
	/* An unknown metric sums too. */
	assert_true(metric_aggregate(NULL, &s, NULL, &out));
	assert_true(out == 15);
	/* Empty data: no value (not zero). */
	s.has = none;
	assert_false(metric_aggregate(NULL, &s, NULL, &out));
	s.n = 0;
	assert_false(metric_aggregate(NULL, &s, NULL, &out));
}

static void
test_metric_ratio_of_sums_not_mean_of_ratios(void **state)
{
	/* clicks / impressions: day 1 is 1/1 (100%), day 2 is 1/99. */
	const double clicks[N] = { 1, 1, 0, 0, 0, 0, 0 };
	const double impr[N] = { 1, 99, 0, 0, 0, 0, 0 };
	const bool has[N] = { O, O, X, X, X, X, X };
	const bool none[N] = { X, X, X, X, X, X, X };
	const struct metric_def *ctr = metric_find("google_ads", "ctr");
	const struct metric_def *bounce = metric_find("ga4", "bounce_rate");
	struct metric_series a = { clicks, has, N }, b = { impr, has, N };
	double out = -1, mean;

	(void)state;
	assert_true(metric_aggregate(ctr, &a, &b, &out));
	assert_true(out == 2.0 / 100);
	mean = (1.0 / 1 + 1.0 / 99) / 2;
	assert_true(out != mean);
	/* Daily points are the day's own ratio. */
	assert_true(metric_point(ctr, &a, &b, 1, &out));
	assert_true(out == 1.0 / 99);
	assert_false(metric_point(ctr, &a, &b, 2, &out));
	/* Bounce rate is the complement of engaged / sessions. */
	assert_true(metric_aggregate(bounce, &a, &b, &out));
	assert_true(out == 1 - 2.0 / 100);
	/* A zero or missing denominator has no value. */
	b.v = clicks;
	b.has = none;
	assert_false(metric_aggregate(ctr, &a, &b, &out));
	assert_false(metric_aggregate(ctr, &a, NULL, &out));
	{
		const double zero[N] = { 0 };
		struct metric_series z = { zero, has, N };

		assert_false(metric_aggregate(ctr, &a, &z, &out));
		assert_false(metric_point(ctr, &a, &z, 0, &out));
	}
}

static void
test_metric_last_takes_latest_present_day(void **state)
{
	const double v[N] = { 100, 101, 102, 105, 0, 0, 0 };
	const bool has[N] = { O, O, X, O, X, X, X };
	const bool none[N] = { X, X, X, X, X, X, X };
	const struct metric_def *f = metric_find("linkedin", "followers");
	struct metric_series s = { v, has, N };
	double out = -1;

	(void)state;
	assert_true(metric_aggregate(f, &s, NULL, &out));
	assert_true(out == 105);	/* not 306, not 102 */
	s.has = none;
	assert_false(metric_aggregate(f, &s, NULL, &out));
}

static void
test_metric_totals_use_the_period_row(void **state)
{
	const double daily[N] = { 10, 12, 11, 9, 10, 10, 13 };
	const bool all[N] = { O, O, O, O, O, O, O };
	const double tot[N] = { 0, 0, 0, 0, 0, 0, 41 };
	const bool last[N] = { X, X, X, X, X, X, O };
	const bool early[N] = { X, X, X, O, X, X, X };
	const struct metric_def *au = metric_find("ga4", "active_users");
	struct metric_series a = { daily, all, N }, b = { tot, last, N };
	double out = -1;

	(void)state;
	assert_true(metric_aggregate(au, &a, &b, &out));
	assert_true(out == 41);	/* the provider's total, not 75 */
	assert_true(metric_point(au, &a, &b, 6, &out));
	assert_true(out == 13);		/* sparkline: daily rows */
	/* A total row for another last day does not count; none: null. */
	b.has = early;
	assert_false(metric_aggregate(au, &a, &b, &out));
	assert_false(metric_aggregate(au, &a, NULL, &out));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_metric_catalogue_lookups),
		cmocka_unit_test(test_metric_sum_skips_missing_days),
		cmocka_unit_test(test_metric_ratio_of_sums_not_mean_of_ratios),
		cmocka_unit_test(test_metric_last_takes_latest_present_day),
		cmocka_unit_test(test_metric_totals_use_the_period_row),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
