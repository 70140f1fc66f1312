/* test_insights.c — KPI changes, movers, anomalies and connection health
 * computed on constructed series (no database). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "base/arena.h"
#include "base/mem.h"
#include "base/numfmt.h"
#include "insights/insights.h"

#define B	INSIGHTS_BASELINE	/* index of the period's first day */
#define P	INSIGHTS_PERIOD

/* Monday 10 November 2025. */
static const struct insights_period week = { "2025-11-10", "2025-11-16",
    2025, 11, 10, NULL, true };

static void
fill(struct insights_series *s, const char *provider, const char *metric,
    double prev_day, double cur_day)
{
	int i;

	memset(s, 0, sizeof(*s));
	s->provider = provider;
	s->metric = metric;
	for (i = B - P; i < B; i++) {
		s->v[i] = prev_day;
		s->has[i] = true;
	}
	for (i = B; i < B + P; i++) {
		s->v[i] = cur_day;
		s->has[i] = true;
	}
}

static const struct insights_kpi *
kpi(const struct insights *in, const char *provider, const char *metric)
{
	size_t i;

	for (i = 0; i < in->nkpis; i++)
		if (strcmp(in->kpis[i].provider, provider) == 0 &&
		    strcmp(in->kpis[i].metric, metric) == 0)
			return &in->kpis[i];
	return NULL;
}

static const struct insights_item *
find_kind(const struct insights *in, enum insights_kind k, size_t nth)
{
	size_t i;

	for (i = 0; i < in->nitems; i++)
		if (in->items[i].kind == k && nth-- == 0)
			return &in->items[i];
	return NULL;
}

static void
test_insights_empty(void **state)
{
	struct arena a;
	struct insights in;

	(void)state;
	arena_init(&a);
	assert_int_equal(insights_compute(&a, &week, NULL, 0, NULL, 0, &in),
	    ERR_OK);
	assert_int_equal(in.nkpis, 0);
	assert_int_equal(in.nitems, 0);
	arena_free(&a);
}

static void
test_insights_one_day(void **state)
{
	struct arena a;
	struct insights in;
	struct insights_series s;
	const struct insights_kpi *k;

	(void)state;
	arena_init(&a);
	memset(&s, 0, sizeof(s));
	s.provider = "ga4";
	s.metric = "sessions";
	s.v[B + 6] = 42;
	s.has[B + 6] = true;
	assert_int_equal(insights_compute(&a, &week, &s, 1, NULL, 0, &in),
	    ERR_OK);
	assert_int_equal(in.nkpis, 1);
	k = kpi(&in, "ga4", "sessions");
	assert_non_null(k);
	assert_true(k->has_cur);
	assert_true(k->cur == 42);
	assert_false(k->has_prev);
	assert_false(k->has_pct);
	assert_int_equal(in.nitems, 0);	/* no baseline, no change */
	arena_free(&a);
}

static void
test_insights_sum_ratio_and_movers(void **state)
{
	struct arena a;
	struct insights in;
	struct insights_series s[4];
	const struct insights_kpi *k;
	const struct insights_item *it;

	(void)state;
	arena_init(&a);
	fill(&s[0], "ga4", "sessions", 100, 140);	/* +40% */
	fill(&s[1], "ga4", "engaged_sessions", 50, 42);	/* 350 -> 294 */
	fill(&s[2], "google_ads", "clicks", 10, 10);
	fill(&s[3], "google_ads", "impressions", 100, 100);
	s[2].v[B] = 80;		/* clicks 140 over impressions 700 */
	assert_int_equal(insights_compute(&a, &week, s, 4, NULL, 0, &in),
	    ERR_OK);
	k = kpi(&in, "ga4", "sessions");
	assert_true(k->cur == 980 && k->prev == 700);
	assert_true(k->has_pct);
	assert_float_equal(k->pct, 40, 1e-9);
	/* Engagement rate is a ratio of sums: 294/980 against 350/700. */
	k = kpi(&in, "ga4", "engagement_rate");
	assert_non_null(k);
	assert_float_equal(k->cur, 0.3, 1e-12);
	assert_float_equal(k->prev, 0.5, 1e-12);
	assert_float_equal(k->pct, -40, 1e-9);
	k = kpi(&in, "google_ads", "ctr");
	assert_float_equal(k->cur, 140.0 / 700, 1e-12);
	assert_float_equal(k->prev, 0.1, 1e-12);
	/*
	 * Movers, at most 3 each way, by size then provider and metric:
	 * up clicks +100%, ctr +100%, then bounce rate or sessions +40%;
	 * down engagement rate -40%, engaged sessions -16%.
	 */
	assert_int_equal(in.nup, 3);
	assert_int_equal(in.ndown, 2);
	it = find_kind(&in, INSIGHTS_MOVER_UP, 0);
	assert_string_equal(it->metric, "clicks");
	assert_string_equal(it->title, "Clicks on Google Ads rose 100% "
	    "(70 to 140)");
	assert_string_equal(it->action, "See what drove it on Google Ads "
	    "and do more of it.");
	assert_string_equal(find_kind(&in, INSIGHTS_MOVER_UP, 1)->metric,
	    "ctr");
	it = find_kind(&in, INSIGHTS_MOVER_DOWN, 0);
	assert_string_equal(it->metric, "engagement_rate");
	assert_float_equal(it->size, -40, 1e-9);
	/* A rate moves in percentage points. */
	assert_string_equal(it->title, "Engagement rate on Google Analytics "
	    "4 fell 20.0 pp (50.0% to 30.0%)");
	it = find_kind(&in, INSIGHTS_MOVER_DOWN, 1);
	assert_float_equal(it->size, -16, 1e-9);
	arena_free(&a);
}

/*
 * YouTube publishes a day 2-3 days late: this week's last 3 days are
 * empty, so views "fell" every week.  Fewer days now is as partial as
 * fewer before: no percentage and no mover.
 */
static void
test_insights_lagged_week(void **state)
{
	struct arena a;
	struct insights in;
	struct insights_series s[1];
	const struct insights_kpi *k;
	int i;

	(void)state;
	arena_init(&a);
	fill(&s[0], "youtube", "views", 1500, 1700);
	for (i = B + P - 3; i < B + P; i++)
		s[0].has[i] = false;
	assert_int_equal(insights_compute(&a, &week, s, 1, NULL, 0, &in),
	    ERR_OK);
	k = kpi(&in, "youtube", "views");
	assert_true(k->has_cur && k->has_prev);
	assert_true(k->partial);
	assert_false(k->has_pct);
	assert_int_equal(in.nup + in.ndown, 0);	/* no "fell 35%" */
	arena_free(&a);
}

/*
 * A source that started two days before last week ended (Instagram
 * backfills 30 days) has last week half empty: no percentage and no
 * mover, however large the rise looks; a running total still compares.
 */
static void
test_insights_partial_week(void **state)
{
	struct arena a;
	struct insights in;
	struct insights_series s[2];
	const struct insights_kpi *k;
	int i;

	(void)state;
	arena_init(&a);
	fill(&s[0], "instagram", "views", 10, 400);
	fill(&s[1], "instagram", "followers", 900, 950);
	for (i = B - P; i < B - 2; i++)
		s[0].has[i] = s[1].has[i] = false;
	assert_int_equal(insights_compute(&a, &week, s, 2, NULL, 0, &in),
	    ERR_OK);
	k = kpi(&in, "instagram", "views");
	assert_true(k->has_cur && k->has_prev);
	assert_true(k->partial);
	assert_false(k->has_pct);
	k = kpi(&in, "instagram", "followers");
	assert_false(k->partial);
	assert_true(k->has_pct);
	for (i = 0; i < (int)in.nitems; i++)
		assert_string_not_equal(in.items[i].metric, "views");
	arena_free(&a);
}

static void
test_insights_anomaly(void **state)
{
	struct arena a;
	struct insights in;
	struct insights_series s;
	const struct insights_item *it;
	int i;

	(void)state;
	arena_init(&a);
	memset(&s, 0, sizeof(s));
	s.provider = "ga4";
	s.metric = "sessions";
	for (i = 0; i < INSIGHTS_DAYS; i++) {
		s.v[i] = i % 2 == 0 ? 90 : 110;	/* mean 100, sigma 10 */
		s.has[i] = true;
	}
	s.v[B + 2] = 150;	/* Wednesday: z = 5 against days 2..29 */
	assert_int_equal(insights_compute(&a, &week, &s, 1, NULL, 0, &in),
	    ERR_OK);
	it = find_kind(&in, INSIGHTS_ANOMALY, 0);
	assert_non_null(it);
	assert_int_equal(it->day, 2);
	assert_float_equal(it->mean, 100, 1e-9);
	assert_float_equal(it->sigma, 10, 1e-9);
	assert_float_equal(it->size, 5, 1e-9);
	assert_string_equal(it->title, "Sessions on Google Analytics 4 "
	    "spiked on Wed 12 Nov: 150");
	assert_string_equal(it->action, "That is 5.0 standard deviations "
	    "above its 28-day mean of 100: check Google Analytics 4 for a "
	    "campaign, an outage or a tracking change that day.");
	assert_null(find_kind(&in, INSIGHTS_ANOMALY, 1));

	/* 3 sigma exactly is not beyond. */
	s.v[B + 2] = 130;
	assert_int_equal(insights_compute(&a, &week, &s, 1, NULL, 0, &in),
	    ERR_OK);
	assert_null(find_kind(&in, INSIGHTS_ANOMALY, 0));

	/* A drop off a steady line; fewer than 7 baseline days: nothing. */
	for (i = 0; i < INSIGHTS_DAYS; i++)
		s.v[i] = 50;
	s.v[B + 5] = 0;
	assert_int_equal(insights_compute(&a, &week, &s, 1, NULL, 0, &in),
	    ERR_OK);
	it = find_kind(&in, INSIGHTS_ANOMALY, 0);
	assert_non_null(it);
	assert_int_equal(it->day, 5);
	assert_true(it->size < 0);
	assert_string_equal(it->title, "Sessions on Google Analytics 4 "
	    "dropped on Sat 15 Nov: 0");
	for (i = 0; i < INSIGHTS_DAYS; i++)
		s.has[i] = i >= B;	/* the period only: 6 days at most */
	s.v[B + 5] = 50;
	s.v[B + 6] = 5000;
	assert_int_equal(insights_compute(&a, &week, &s, 1, NULL, 0, &in),
	    ERR_OK);
	assert_null(find_kind(&in, INSIGHTS_ANOMALY, 0));
	arena_free(&a);
}

static void
test_insights_spend_vs_results(void **state)
{
	struct arena a;
	struct insights in;
	struct insights_series s[2];
	const struct insights_item *it;

	(void)state;
	arena_init(&a);
	fill(&s[0], "google_ads", "cost_micros", 100e6, 140e6);
	s[0].currency = "USD";
	fill(&s[1], "google_ads", "conversions", 25, 22);
	assert_int_equal(insights_compute(&a, &week, s, 2, NULL, 0, &in),
	    ERR_OK);
	it = find_kind(&in, INSIGHTS_PAIR, 0);
	assert_non_null(it);
	assert_string_equal(it->title, "Cost (USD) rose 40% while Conversions "
	    "fell 12% on Google Ads");
	assert_non_null(strstr(it->action, "campaigns"));
	assert_string_equal(numfmt_value(&a, kpi(&in, "google_ads",
	    "cost_micros")->cur, "currency_micros", "USD"), "$980.00");
	arena_free(&a);
}

static void
test_insights_health(void **state)
{
	struct arena a;
	struct insights in;
	const struct insights_conn c[] = {
		{ "linkedin", "needs_reauth", NULL, 3600, "Acme (member 1)", false },
		{ "ga4", "connected", NULL, 3600, "ana@agency.example", false },
		{ "mailchimp", "connected", NULL, 49 * 3600, NULL, false },
		{ "meta_ads", "error", "HTTP 500", 7200, NULL, false },
		{ "github", "disconnected", NULL, -1, NULL, false },
		/* Connected minutes ago, its first sync on its way. */
		{ "youtube", "connected", NULL, -1, NULL, true },
	};

	(void)state;
	arena_init(&a);
	assert_int_equal(insights_compute(&a, &week, NULL, 0, c, 6, &in),
	    ERR_OK);
	assert_int_equal(in.nitems, 3);
	assert_int_equal(in.items[0].kind, INSIGHTS_REAUTH);
	assert_string_equal(in.items[0].action,
	    "Reconnect LinkedIn to resume its numbers.");
	assert_int_equal(in.items[1].kind, INSIGHTS_FAILING);
	assert_string_equal(in.items[1].provider, "meta_ads");
	assert_int_equal(in.items[2].kind, INSIGHTS_STALE);
	assert_string_equal(in.items[2].title, "Mailchimp data is 49 hours "
	    "old");
	arena_free(&a);
}

/* Several logins of one provider: each item names its login; a provider
 * with one connection is named alone. */
static void
test_insights_health_logins(void **state)
{
	struct arena a;
	struct insights in;
	const struct insights_conn c[] = {
		{ "ga4", "needs_reauth", NULL, 3600, "ana@agency.example", false },
		{ "ga4", "connected", NULL, -1, "client@client.example", false },
		{ "linkedin", "needs_reauth", NULL, 3600, "Acme (member 1)", false },
	};
	size_t i;
	bool reauth = false, stale = false, linkedin = false;

	(void)state;
	arena_init(&a);
	assert_int_equal(insights_compute(&a, &week, NULL, 0, c, 3, &in),
	    ERR_OK);
	assert_int_equal(in.nitems, 3);
	for (i = 0; i < in.nitems; i++) {
		reauth |= strcmp(in.items[i].title, "Google Analytics 4 "
		    "(ana@agency.example) needs to be reconnected") == 0;
		stale |= strcmp(in.items[i].title, "Google Analytics 4 "
		    "(client@client.example) has never synced") == 0;
		linkedin |= strcmp(in.items[i].title, "LinkedIn needs to be "
		    "reconnected") == 0;
	}
	assert_true(reauth);
	assert_true(stale);
	assert_true(linkedin);
	arena_free(&a);
}

static void
test_insights_deterministic(void **state)
{
	struct arena a;
	struct insights x, y;
	struct insights_series s[3];
	size_t i;

	(void)state;
	arena_init(&a);
	fill(&s[0], "ga4", "sessions", 100, 150);
	fill(&s[1], "github", "stars", 10, 15);
	fill(&s[2], "crm", "deals", 4, 2);
	insights_compute(&a, &week, s, 3, NULL, 0, &x);
	insights_compute(&a, &week, s, 3, NULL, 0, &y);
	assert_int_equal(x.nitems, y.nitems);
	for (i = 0; i < x.nitems; i++)
		assert_string_equal(x.items[i].title, y.items[i].title);
	/* A week-on-week step off a flat week is an anomaly too; the
	 * movers follow, ties of size broken by provider. */
	assert_string_equal(find_kind(&x, INSIGHTS_MOVER_DOWN, 0)->provider,
	    "crm");
	assert_string_equal(find_kind(&x, INSIGHTS_MOVER_UP, 0)->provider,
	    "ga4");
	assert_string_equal(find_kind(&x, INSIGHTS_MOVER_UP, 1)->provider,
	    "github");
	assert_non_null(find_kind(&x, INSIGHTS_ANOMALY, 0));
	arena_free(&a);
}

/*
 * Money is never added across currencies: an EUR and a USD account's
 * cost are two KPIs, each with its own cost per click (over its own
 * clicks), while clicks add up over both.
 */
static void
test_insights_currencies(void **state)
{
	struct arena a;
	struct insights in;
	struct insights_series s[4];
	size_t i, ncost = 0, ncpc = 0;

	(void)state;
	arena_init(&a);
	fill(&s[0], "meta_ads", "clicks", 10, 10);
	s[0].currency = "EUR";
	fill(&s[1], "meta_ads", "clicks", 30, 30);
	s[1].currency = "USD";
	fill(&s[2], "meta_ads", "spend_micros", 5e6, 5e6);
	s[2].currency = "EUR";
	fill(&s[3], "meta_ads", "spend_micros", 9e6, 9e6);
	s[3].currency = "USD";
	assert_int_equal(insights_compute(&a, &week, s, 4, NULL, 0, &in),
	    ERR_OK);
	assert_float_equal(kpi(&in, "meta_ads", "clicks")->cur, 280, 1e-9);
	assert_null(kpi(&in, "meta_ads", "clicks")->currency);
	for (i = 0; i < in.nkpis; i++) {
		const struct insights_kpi *k = &in.kpis[i];

		if (strcmp(k->metric, "spend_micros") == 0) {
			ncost++;
			assert_non_null(k->currency);
			assert_float_equal(k->cur, strcmp(k->currency, "EUR") ==
			    0 ? 35e6 : 63e6, 1e-3);
			assert_non_null(strstr(k->label, k->currency));
		}
		if (strcmp(k->metric, "cpc") == 0) {
			ncpc++;
			assert_float_equal(k->cur, strcmp(k->currency, "EUR") ==
			    0 ? 0.5e6 : 0.3e6, 1e-3);
		}
	}
	assert_int_equal(ncost, 2);
	assert_int_equal(ncpc, 2);
	arena_free(&a);
}

/* A period start: a real Monday from 2000 to 2999, else a reason. */
static void
test_insights_period_check(void **state)
{
	static const char *const good[] = { "2025-11-10", "2000-01-03",
	    "2999-12-30", "2024-02-26", "2026-03-02" };
	static const struct {
		const char	*in;
		const char	*why;
	} bad[] = {
		{ "9999-12-27", "from 2000-01-01 to 2999-12-31" },
		{ "1999-12-27", "from 2000-01-01 to 2999-12-31" },
		{ "3000-01-06", "from 2000-01-01 to 2999-12-31" },
		{ "2026-03-04", "2026-03-04 is a Wednesday, its week starts on "
		    "2026-03-02" },
		{ "2026-03-01", "is a Sunday, its week starts on 2026-02-23" },
		{ "2000-01-01", "Saturday, its week starts on 1999-12-27" },
		{ "2025-02-29", "not a real day" },
		{ "2024-13-01", "not a real day" },
		{ "2024-04-31", "not a real day" },
		{ "2024-1-01", "YYYY-MM-DD" },
		{ "+024-01-01", "YYYY-MM-DD" },
		{ "2024-01-0x", "YYYY-MM-DD" },
		{ "2024-01-011", "YYYY-MM-DD" },
		{ "", "YYYY-MM-DD" },
	};
	const char *why;
	struct arena a;
	size_t i;

	(void)state;
	arena_init(&a);
	for (i = 0; i < nitems(good); i++) {
		assert_int_equal(insights_period_check(&a, good[i], &why),
		    ERR_OK);
		assert_null(why);
	}
	for (i = 0; i < nitems(bad); i++) {
		assert_int_equal(insights_period_check(&a, bad[i].in, &why),
		    ERR_INPUT);
		assert_non_null(strstr(why, bad[i].why));
	}
	arena_free(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_insights_empty),
		cmocka_unit_test(test_insights_one_day),
		cmocka_unit_test(test_insights_sum_ratio_and_movers),
		cmocka_unit_test(test_insights_partial_week),
		cmocka_unit_test(test_insights_lagged_week),
		cmocka_unit_test(test_insights_anomaly),
		cmocka_unit_test(test_insights_spend_vs_results),
		cmocka_unit_test(test_insights_health),
		cmocka_unit_test(test_insights_health_logins),
		cmocka_unit_test(test_insights_deterministic),
		cmocka_unit_test(test_insights_currencies),
		cmocka_unit_test(test_insights_period_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
