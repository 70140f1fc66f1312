/*
 * test_intel.c — a question read as words (providers, metrics, what it
 * asks, a period that is not a week) and the week's facts filtered,
 * ranked and said for it; on constructed series, no database.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <json-c/json.h>

#include "base/arena.h"
#include "insights/insights.h"
#include "insights/intel.h"
#include "metrics/metric.h"
#include "providers/provider.h"

#define B	INSIGHTS_BASELINE
#define P	INSIGHTS_PERIOD

static const struct insights_period week = { "2025-11-10", "2025-11-16",
    2025, 11, 10, NULL, true };

static void
fill(struct insights_series *s, const char *provider, const char *metric,
    const char *currency, double prev_day, double cur_day)
{
	int i;

	memset(s, 0, sizeof(*s));
	s->provider = provider;
	s->metric = metric;
	s->currency = currency;
	for (i = B - P; i < B; i++) {
		s->v[i] = prev_day;
		s->has[i] = true;
	}
	for (i = B; i < B + P; i++) {
		s->v[i] = cur_day;
		s->has[i] = true;
	}
}

/* Google Ads cost up 40 % (EUR) while conversions fell 28 %, clicks up
 * 10 %; GA4 sessions down 20 %; Meta Ads clicks up 50 %. */
static void
dataset(struct arena *a, struct insights *in)
{
	static struct insights_series s[6];

	fill(&s[0], "ga4", "sessions", NULL, 100, 80);
	fill(&s[1], "google_ads", "clicks", "EUR", 100, 110);
	fill(&s[2], "google_ads", "conversions", "EUR", 25, 18);
	fill(&s[3], "google_ads", "cost_micros", "EUR", 50e6, 70e6);
	fill(&s[4], "meta_ads", "clicks", "USD", 20, 30);
	fill(&s[5], "meta_ads", "spend_micros", "USD", 10e6, 10e6);
	assert_int_equal(insights_compute(a, &week, s, 6, NULL, 0, in),
	    ERR_OK);
}

static struct json_object *
ask(struct arena *a, const struct insights *in, const char *provider,
    const char *question)
{
	const char *j = intel_json(a, &week, in, provider, question);
	struct json_object *o = json_tokener_parse(j);

	assert_non_null(o);
	/* Deterministic: the same bytes again. */
	assert_string_equal(intel_json(a, &week, in, provider, question), j);
	return o;
}

static const char *
str(struct json_object *o, const char *k)
{
	struct json_object *v;

	return json_object_object_get_ex(o, k, &v) && v != NULL ?
	    json_object_get_string(v) : NULL;
}

static struct json_object *
arr(struct json_object *o, const char *k)
{
	struct json_object *v = NULL;

	assert_true(json_object_object_get_ex(o, k, &v));
	return v;
}

/* The facts as "provider/metric" in their order, joined by spaces. */
static const char *
fact_list(struct arena *a, struct json_object *o)
{
	struct json_object *f = arr(o, "facts");
	char *out = arena_alloc(a, 1024);
	size_t i;

	out[0] = '\0';
	for (i = 0; i < json_object_array_length(f); i++) {
		struct json_object *x = json_object_array_get_idx(f, i);

		if (i > 0)
			strcat(out, " ");
		strcat(out, str(x, "provider"));
		strcat(out, "/");
		strcat(out, str(x, "metric"));
	}
	return out;
}

/* The metrics q names, as " a b c " (arena). */
static const char *
metrics_named(struct arena *a, const struct intel_query *q)
{
	const char *s = " ";
	size_t i;

	for (i = 0; i < q->nmetrics; i++)
		s = arena_printf(a, "%s%s ", s, q->metrics[i].metric);
	return s;
}

static void
test_intel_parse(void **state)
{
	struct intel_query q;
	struct arena a;

	(void)state;
	arena_init(&a);
	intel_parse(&a, "Why did our Google Ads cost per click go up?", NULL,
	    &q);
	assert_int_equal(q.intent, INTEL_WHY);
	assert_int_equal(q.nproviders, 1);
	assert_string_equal(q.providers[0], "google_ads");
	/* "cost per click" is one metric, not cost and clicks. */
	assert_int_equal(q.nmetrics, 1);
	assert_string_equal(q.metrics[0].metric, "cpc");
	intel_parse(&a, "What dropped last month on Facebook Ads and "
	    "Instagram?", NULL, &q);
	assert_int_equal(q.intent, INTEL_DOWN);
	assert_string_equal(q.other_period, "month");
	assert_int_equal(q.nproviders, 2);
	assert_string_equal(q.providers[0], "meta_ads");
	assert_string_equal(q.providers[1], "instagram");
	intel_parse(&a, "how many SESSIONS did the website get?", NULL, &q);
	assert_int_equal(q.intent, INTEL_OVERVIEW);
	assert_string_equal(q.providers[0], "ga4");
	assert_string_equal(q.metrics[0].metric, "sessions");
	intel_parse(&a, "What changed?", NULL, &q);
	assert_int_equal(q.intent, INTEL_CHANGE);
	assert_int_equal(q.nproviders + q.nmetrics, 0);
	assert_null(q.other_period);
	intel_parse(&a, NULL, NULL, &q);
	assert_int_equal(q.intent, INTEL_OVERVIEW);
	/* Words are whole: "upset" is not "up", "bigger" not "ig". */
	intel_parse(&a, "upset about bigger numbers", NULL, &q);
	assert_int_equal(q.intent, INTEL_OVERVIEW);
	assert_int_equal(q.nproviders, 0);
	arena_free(&a);
}

/*
 * Everyday words come from the providers' rows and their catalogues
 * (lib/providers/<slug>.c): each names its provider or metric, any
 * provider's metric of that name.
 */
static void
test_intel_everyday_words(void **state)
{
	const struct provider *const *all;
	const struct metric_def *d;
	struct intel_query q;
	struct arena a;
	size_t i, j, k, n, nd;

	(void)state;
	arena_init(&a);
	intel_parse(&a, "how is my newsletter doing", NULL, &q);
	assert_int_equal(q.nproviders, 1);
	assert_string_equal(q.providers[0], "mailchimp");
	intel_parse(&a, "did the repos get more stars", NULL, &q);
	assert_int_equal(q.nproviders, 1);
	assert_string_equal(q.providers[0], "github");
	intel_parse(&a, "what did IG do", NULL, &q);
	assert_string_equal(q.providers[0], "instagram");
	/* "instagram ads" is Meta Ads, not Instagram. */
	intel_parse(&a, "instagram ads this week", NULL, &q);
	assert_int_equal(q.nproviders, 1);
	assert_string_equal(q.providers[0], "meta_ads");
	/* The budget is both ad providers' spend. */
	intel_parse(&a, "did the budget go up", NULL, &q);
	assert_int_equal(q.nproviders, 0);
	assert_int_equal(q.nmetrics, 2);
	assert_non_null(strstr(metrics_named(&a, &q), " cost_micros "));
	assert_non_null(strstr(metrics_named(&a, &q), " spend_micros "));
	intel_parse(&a, "website traffic", NULL, &q);
	assert_string_equal(q.providers[0], "ga4");
	assert_int_equal(q.nmetrics, 1);
	assert_string_equal(q.metrics[0].metric, "sessions");
	/* Every word of every row does. */
	all = provider_all(&n);
	for (i = 0; i < n; i++) {
		for (k = 0; k < PROVIDER_WORDS && all[i]->words[k] != NULL;
		    k++) {
			intel_parse(&a, arena_printf(&a, "how did %s do?",
			    all[i]->words[k]), NULL, &q);
			assert_int_equal(q.nproviders, 1);
			assert_string_equal(q.providers[0], all[i]->slug);
		}
		d = metric_of(all[i]->slug, &nd);
		for (j = 0; j < nd; j++)
			for (k = 0; k < METRIC_WORDS && d[j].words[k] != NULL;
			    k++) {
				intel_parse(&a, arena_printf(&a, "the %s, "
				    "please", d[j].words[k]), NULL, &q);
				assert_non_null(strstr(metrics_named(&a, &q),
				    arena_printf(&a, " %s ", d[j].name)));
			}
	}
	arena_free(&a);
}

/* A "why" about one metric: that fact first, said in a sentence with its
 * currency, what the data shows beside it, and that numbers do not tell
 * why. */
static void
test_intel_why(void **state)
{
	struct insights in;
	struct json_object *o;
	struct arena a;
	const char *say;

	(void)state;
	arena_init(&a);
	dataset(&a, &in);
	o = ask(&a, &in, NULL, "Why did Google Ads spend go up?");
	assert_string_equal(fact_list(&a, o), "google_ads/cost_micros");
	say = str(o, "answer");
	assert_non_null(strstr(say, "Cost (EUR) on Google Ads rose 40% "
	    "(€350.00 to €490.00) in the week 2025-11-10 to 2025-11-16."));
	assert_non_null(strstr(say, "not why"));
	assert_non_null(strstr(say, "Cost (EUR) rose 40% while Conversions "
	    "fell 28% on Google Ads"));
	assert_true(json_object_get_boolean(json_object_object_get(o,
	    "answerable")));
	json_object_put(o);
	arena_free(&a);
}

/* Direction and change rank the facts; a named metric filters them. */
static void
test_intel_rank(void **state)
{
	struct insights in;
	struct json_object *o;
	struct arena a;

	(void)state;
	arena_init(&a);
	dataset(&a, &in);
	o = ask(&a, &in, NULL, "What fell?");
	assert_non_null(strstr(fact_list(&a, o), "google_ads/conversions "
	    "ga4/sessions "));
	assert_non_null(strstr(str(o, "answer"), "Conversions on Google Ads "
	    "fell 28% (175 to 126)"));
	json_object_put(o);
	o = ask(&a, &in, NULL, "what rose the most");
	assert_non_null(strstr(fact_list(&a, o), "meta_ads/clicks "
	    "google_ads/cost_micros "));
	json_object_put(o);
	o = ask(&a, &in, NULL, "How many clicks did we get?");
	assert_string_equal(fact_list(&a, o), "google_ads/clicks "
	    "meta_ads/clicks");
	json_object_put(o);
	/* The scope's provider and the question's names both apply. */
	o = ask(&a, &in, "meta_ads", "How many clicks did we get?");
	assert_string_equal(fact_list(&a, o), "meta_ads/clicks");
	json_object_put(o);
	arena_free(&a);
}

/* What the data cannot answer is said plainly. */
static void
test_intel_cannot_answer(void **state)
{
	struct insights in;
	struct json_object *o;
	struct arena a;

	(void)state;
	arena_init(&a);
	dataset(&a, &in);
	o = ask(&a, &in, NULL, "How is LinkedIn doing?");
	assert_false(json_object_get_boolean(json_object_object_get(o,
	    "answerable")));
	assert_string_equal(str(o, "answer"), "There is no data from LinkedIn "
	    "for the week 2025-11-10 to 2025-11-16: it is not connected, or "
	    "nothing was synced for those days.");
	assert_int_equal(json_object_array_length(arr(o, "facts")), 0);
	json_object_put(o);
	o = ask(&a, &in, NULL, "What was our bounce rate yesterday?");
	assert_false(json_object_get_boolean(json_object_object_get(o,
	    "answerable")));
	/* GA4 has numbers, not the parts of a bounce rate. */
	assert_non_null(strstr(str(o, "answer"), "Google Analytics 4 has "
	    "numbers for the week 2025-11-10 to 2025-11-16, but no Bounce "
	    "rate: one of its parts was not stored"));
	assert_non_null(strstr(str(o, "answer"), "whole weeks"));
	json_object_put(o);
	/* Reach on a source that has numbers: not "not connected". */
	o = ask(&a, &in, NULL, "What is our Meta Ads reach?");
	assert_string_equal(str(o, "answer"), "Meta Ads has numbers for the "
	    "week 2025-11-10 to 2025-11-16, but no Reach: it is a count of "
	    "unique people, which the provider totals itself; Sluice keeps "
	    "its totals for the 7, 28 and 90 days ending yesterday, so a "
	    "week's comes with the digest of the Monday after it.");
	json_object_put(o);
	/* A scope's provider without data is named. */
	o = ask(&a, &in, "linkedin", NULL);
	assert_non_null(strstr(str(o, "answer"), "There is no data from "
	    "LinkedIn"));
	json_object_put(o);
	arena_free(&a);
}

/* What a question may hold: text, line breaks and tabs; not NUL, broken
 * UTF-8 or other control characters. */
static void
test_intel_question_problem(void **state)
{
	(void)state;
	assert_null(intel_question_problem("Why?\nAnd ☕ too\t?", 18));
	assert_string_equal(intel_question_problem("Why?", 5),
	    "must not contain a NUL character");
	assert_string_equal(intel_question_problem("caf\xc3", 4),
	    "is not valid UTF-8 text");
	assert_string_equal(intel_question_problem("\xc0\xaf", 2),
	    "is not valid UTF-8 text");	/* overlong */
	assert_string_equal(intel_question_problem("\xed\xa0\x80", 3),
	    "is not valid UTF-8 text");	/* a surrogate */
	assert_string_equal(intel_question_problem("a\x1b[31m", 6),
	    "must not contain control characters other than line breaks "
	    "and tabs");
}

/* Any bytes are a question: nothing crashes, the answer is JSON. */
static void
test_intel_any_bytes(void **state)
{
	struct insights in;
	struct arena a;
	char q[600];
	size_t i, k;

	(void)state;
	arena_init(&a);
	dataset(&a, &in);
	srand(7);
	for (k = 0; k < 200; k++) {
		for (i = 0; i < sizeof(q) - 1; i++)
			q[i] = (char)(1 + rand() % 255);
		q[(size_t)rand() % sizeof(q)] = '\0';
		q[sizeof(q) - 1] = '\0';
		json_object_put(ask(&a, &in, NULL, q));
	}
	arena_free(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_intel_parse),
		cmocka_unit_test(test_intel_everyday_words),
		cmocka_unit_test(test_intel_why),
		cmocka_unit_test(test_intel_rank),
		cmocka_unit_test(test_intel_cannot_answer),
		cmocka_unit_test(test_intel_question_problem),
		cmocka_unit_test(test_intel_any_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
