/*
 * test_pcall.c — provider errors as people read them: plain messages
 * (pcall_plain, pcall_error_text) and Meta's Graph errors classified by
 * code and subcode (meta_classify), fed the example files of
 * tests/fixtures/providers as they are.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include <json-c/json.h>

#include "base/arena.h"
#include "base/jsonx.h"
#include "base/kv.h"
#include "base/limit.h"
#include "providers/meta.h"
#include "providers/pcall.h"
#include "providers/provider.h"
#include "testlib.h"

/* The example's response as pcall_json() leaves it for a classify hook,
 * its headers included (names lower case, as httpc keeps them). */
static void
example(const char *name, struct pcall_result *out)
{
	struct arena *a = testlib_arena();
	struct json_object *root, *resp, *v, *hdrs;
	struct kv *kv;
	size_t n = 0;
	char *lower, *c;

	memset(out, 0, sizeof(*out));
	root = testlib_json_file(a, testlib_fixture(a, arena_printf(a,
	    "providers/%s", name)));
	assert_true(json_object_object_get_ex(root, "response", &resp));
	assert_true(json_object_object_get_ex(resp, "status", &v));
	out->resp.status = json_object_get_int(v);
	assert_true(json_object_object_get_ex(resp, "body", &out->json));
	out->resp.body = jsonx_string(a, out->json);
	out->resp.body_len = strlen(out->resp.body);
	if (!json_object_object_get_ex(resp, "headers", &hdrs))
		return;
	kv = arena_alloc(a, sizeof(*kv) * 16);
	json_object_object_foreach(hdrs, key, val) {
		if (n == 16)
			break;
		lower = arena_strdup(a, key);
		for (c = lower; *c != '\0'; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c = (char)(*c - 'A' + 'a');
		kv[n].name = lower;
		kv[n].value = json_object_get_string(val);
		kv[n].len = strlen(kv[n].value);
		n++;
	}
	out->resp.headers.v = kv;
	out->resp.headers.n = n;
}

/* The hook of provider slug on the example, as pcall_json() calls it for
 * an answer (a 429's wait taken from Retry-After and Google's delay
 * first, as too_many() does). */
static enum err
classify(const char *slug, const char *file, struct pcall_result *r)
{
	const struct provider *p = provider_get(slug);

	example(file, r);
	if (r->resp.status == 429) {
		r->retry_after = pcall_retry_after(&r->resp, 0);
		if (r->retry_after == 0)
			r->retry_after = pcall_wait(pcall_google_delay(
			    r->json));
	}
	assert_non_null(p);
	assert_non_null(p->classify);
	return p->classify(testlib_arena(), p, r);
}

static void
test_pcall_plain_strips_markup(void **state)
{
	struct arena *a = testlib_arena();

	(void)state;
	assert_string_equal(pcall_plain(a, "The request cannot be completed "
	    "because you have exceeded your <a href=\"/youtube/v3/getting-"
	    "started#quota\">quota</a>.", 300), "The request cannot be "
	    "completed because you have exceeded your quota.");
	assert_string_equal(pcall_plain(a, "  a\r\n\tb &amp; c &lt;d&gt; "
	    "&quot;e&quot;&nbsp;f&#39;s <br/>g ", 300),
	    "a b & c <d> \"e\" f's g");
	assert_string_equal(pcall_plain(a, "x &unknown; y", 300),
	    "x &unknown; y");
	assert_null(pcall_plain(a, NULL, 10));
}

static void
test_pcall_plain_bounds_on_a_character(void **state)
{
	struct arena *a = testlib_arena();
	const char *s;

	(void)state;
	/* "é" is two bytes: the cut never splits it. */
	s = pcall_plain(a, "ééééééééééééééé", 10);
	assert_true(strlen(s) <= 10);
	assert_string_equal(s, "ééé...");
	assert_string_equal(pcall_plain(a, "short", 10), "short");
}

static void
test_pcall_error_text_is_plain(void **state)
{
	struct pcall_result r;
	const char *why;

	(void)state;
	example("google/youtube/error-403-quota-exceeded-data-api.json", &r);
	why = pcall_error_text(testlib_arena(), provider_get("youtube"), &r);
	assert_string_equal(why, "YouTube: The request cannot be completed "
	    "because you have exceeded your quota. (HTTP 403)");
}

/* Slack's documented errors as sentences a person can act on, Slack's
 * code kept in brackets; missing_scope names the scope Slack needs. */
static void
test_slack_errors_say_what_to_do(void **state)
{
	struct pcall_result r;

	(void)state;
	assert_int_equal(classify("slack", "slack/error_not_in_channel.json",
	    &r), ERR_UPSTREAM);
	assert_string_equal(r.why, "Slack: the Sluice app is not a member "
	    "of this channel: invite it (in the channel, type /invite and "
	    "the app's name), then sync again (not_in_channel)");
	assert_int_equal(classify("slack", "slack/error_missing_scope.json",
	    &r), ERR_UPSTREAM);
	assert_string_equal(r.why, "Slack: the connection lacks the "
	    "channels:history permission: reconnect Slack and grant it "
	    "(missing_scope)");
	assert_int_equal(classify("slack",
	    "slack/error_channel_not_found.json", &r), ERR_UPSTREAM);
	assert_non_null(strstr(r.why, "choose the connection's channels "
	    "again (channel_not_found)"));
	assert_int_equal(classify("slack", "slack/error_token_revoked.json",
	    &r), ERR_AUTH);
	assert_non_null(strstr(r.why, "reconnect Slack (token_revoked)"));
	assert_int_equal(classify("slack", "slack/error_account_inactive.json",
	    &r), ERR_AUTH);
	assert_int_equal(classify("slack", "slack/error_ratelimited.json",
	    &r), ERR_RATELIMIT);
	assert_int_equal(r.retry_after, 30);
	assert_non_null(strstr(r.why, "(ratelimited)"));
}

/* Sets header name (lower case) of an example's answer to value. */
static void
set_header(struct pcall_result *r, const char *name, const char *value)
{
	struct kv *kv = (struct kv *)(uintptr_t)r->resp.headers.v;
	size_t i;

	/* example() made them in the arena: not read-only. */
	for (i = 0; i < r->resp.headers.n; i++)
		if (strcmp(kv[i].name, name) == 0) {
			kv[i].value = value;
			kv[i].len = strlen(value);
			return;
		}
	fail_msg("no header %s", name);
}

/*
 * GitHub's primary rate limit used up (x-ratelimit-remaining 0): the
 * wait is until x-ratelimit-reset and a minute, bounded, not an hour;
 * a secondary limit (remaining left, Retry-After) is not this one.
 */
static void
test_github_primary_limit_waits_until_reset(void **state)
{
	struct arena *a = testlib_arena();
	struct pcall_result r;
	long long now = (long long)time(NULL);

	(void)state;
	example("github/error_primary_rate_limit.json", &r);
	set_header(&r, "x-ratelimit-reset", arena_printf(a, "%lld",
	    now + 600));
	assert_non_null(provider_get("github")->classify);
	assert_int_equal(provider_get("github")->classify(a,
	    provider_get("github"), &r), ERR_RATELIMIT);
	assert_in_range(r.retry_after, 658, 661);
	assert_non_null(strstr(r.why, "GitHub is rate limiting requests"));
	/* A reset already past (clocks differ): the minute's margin. */
	example("github/error_primary_rate_limit.json", &r);
	set_header(&r, "x-ratelimit-reset", arena_printf(a, "%lld",
	    now - 5000));
	assert_int_equal(provider_get("github")->classify(a,
	    provider_get("github"), &r), ERR_RATELIMIT);
	assert_int_equal(r.retry_after, 60);
	/* Never longer than LIMIT_RATE_WAIT_MAX_S. */
	example("github/error_primary_rate_limit.json", &r);
	set_header(&r, "x-ratelimit-reset", arena_printf(a, "%lld",
	    now + 10 * 86400));
	assert_int_equal(provider_get("github")->classify(a,
	    provider_get("github"), &r), ERR_RATELIMIT);
	assert_int_equal(r.retry_after, LIMIT_RATE_WAIT_MAX_S);
	/* A secondary limit: left to pcall (Retry-After). */
	assert_int_equal(classify("github",
	    "github/error_secondary_rate_limit.json", &r), ERR_OK);
	/* Data: nothing to say. */
	assert_int_equal(classify("github", "github/traffic_views.json", &r),
	    ERR_OK);
}

/* A renamed repository: GitHub's 301 is not followed; the person is told
 * to choose the repository again, a failure that is not retried. */
static void
test_github_moved_repository(void **state)
{
	struct arena *a = testlib_arena();
	struct pcall_result r;

	(void)state;
	example("github/error_repo_moved.json", &r);
	assert_int_equal(r.resp.status, 301);
	assert_int_equal(provider_get("github")->classify(a,
	    provider_get("github"), &r), ERR_NOTFOUND);
	assert_string_equal(r.why, "GitHub: the repository was renamed, "
	    "transferred or deleted (HTTP 301): choose it again under its "
	    "new name in the connection's repositories");
}

/* Graph's answers: only a login session that ended asks to reconnect. */
static void
test_meta_classify_by_code_and_subcode(void **state)
{
	static const struct {
		const char	*file;
		enum err	 rc;
	} cases[] = {
		/* the login session: reconnect */
		{ "meta/error_190_expired.json", ERR_AUTH },		/* 463 */
		{ "meta/error_190_password_changed.json", ERR_AUTH },	/* 460 */
		{ "meta/error_190_458_app_not_installed.json", ERR_AUTH },
		{ "meta/error_190_459_checkpointed.json", ERR_AUTH },
		{ "meta/error_190_467_logged_out.json", ERR_AUTH },
		{ "meta/error_190_invalid.json", ERR_AUTH },	/* no subcode */
		/* one Page's trouble: the others sync */
		{ "meta/error_190_492_page_role.json", ERR_FORBIDDEN },
		{ "meta/error_190_page_token_required.json", ERR_FORBIDDEN },
		{ "meta/error_190_2069032_page_token.json", ERR_FORBIDDEN },
		/* rate limits */
		{ "meta/error_4_app_limit.json", ERR_RATELIMIT },
		{ "meta/error_17_user_limit.json", ERR_RATELIMIT },
		{ "meta/error_32_page_limit.json", ERR_RATELIMIT },
		{ "meta/error_613_rate_limit.json", ERR_RATELIMIT },
		{ "meta/error_80000_ads_insights_limit.json", ERR_RATELIMIT },
		/* for the generic classification */
		{ "meta/error_10_permission.json", ERR_OK },
		{ "meta/page_insights_error_invalid_metric.json", ERR_OK },
		{ "meta/page_access_token.json", ERR_OK },
	};
	struct pcall_result r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		example(cases[i].file, &r);
		if (meta_classify(testlib_arena(), provider_get("facebook"),
		    &r) != cases[i].rc)
			fail_msg("%s: not classified as expected",
			    cases[i].file);
		if (cases[i].rc != ERR_OK)
			assert_non_null(r.why);
	}
}

/* Meta's rate limits wait what its headers say, not a flat delay. */
static void
test_meta_rate_limits_wait_what_meta_says(void **state)
{
	static const struct {
		const char	*file;
		int		 wait;
	} cases[] = {
		/* Retry-After absent: X-App-Usage has no time: the default */
		{ "meta/error_4_app_limit.json", LIMIT_META_WAIT_S },
		{ "meta/error_17_user_limit.json", LIMIT_META_WAIT_S },
		{ "meta/error_613_rate_limit.json", LIMIT_META_WAIT_S },
		/* the ad account's reset_time_duration, seconds */
		{ "meta/error_613_1487742_ad_account_limit.json", 1800 },
		/* estimated_time_to_regain_access, minutes */
		{ "meta/error_32_page_limit.json", -1 },
		{ "meta/error_80000_ads_insights_limit.json", 19 * 60 },
		{ "meta/error_80001_pages_limit.json", 7 * 60 },
		/* the business use case's 12 minutes over the account's
		 * reset in 540 s */
		{ "meta/error_80004_ads_management_limit.json", 12 * 60 },
	};
	struct pcall_result r;
	struct meta_usage u;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (classify("facebook", cases[i].file, &r) != ERR_RATELIMIT)
			fail_msg("%s: not a rate limit", cases[i].file);
		meta_usage(testlib_arena(), &r.resp, &u);
		if (cases[i].wait == -1)	/* as its own header says */
			assert_int_equal(r.retry_after, u.regain > 0 ?
			    u.regain : LIMIT_META_WAIT_S);
		else if (r.retry_after != cases[i].wait)
			fail_msg("%s: waits %d s, not %d", cases[i].file,
			    r.retry_after, cases[i].wait);
	}
	/* The ad account's usage is read too. */
	example("meta/error_80004_ads_management_limit.json", &r);
	meta_usage(testlib_arena(), &r.resp, &u);
	assert_int_equal(u.reset, 540);
	assert_int_equal((int)u.pct, 100);
}

/* A good answer at 93% of a limit stops the fetch; a calm one does not. */
static void
test_meta_stops_before_the_limit(void **state)
{
	struct pcall_result r;
	struct meta_usage u;
	const char *v;
	struct kv kv[1];

	(void)state;
	assert_int_equal(classify("facebook", "meta/usage_near_limit.json",
	    &r), ERR_RATELIMIT);
	assert_int_equal(r.retry_after, 4 * 60);
	assert_non_null(strstr(r.why, "93%"));
	/* The headers of an ordinary answer, from rate_limit_headers.json. */
	v = "{\"acc_id_util_pct\":9.67,\"reset_time_duration\":100}";
	kv[0].name = "x-ad-account-usage";
	kv[0].value = v;
	kv[0].len = strlen(v);
	memset(&r, 0, sizeof(r));
	r.resp.status = 200;
	r.resp.headers.v = kv;
	r.resp.headers.n = 1;
	r.json = json_object_new_object();
	assert_int_equal(meta_classify(testlib_arena(),
	    provider_get("meta_ads"), &r), ERR_OK);
	json_object_put(r.json);
	meta_usage(testlib_arena(), &r.resp, &u);
	assert_true(u.pct > 9.6 && u.pct < 9.7);
	/* At the threshold exactly: stopped. */
	v = "{\"acc_id_util_pct\":90,\"reset_time_duration\":100}";
	kv[0].value = v;
	kv[0].len = strlen(v);
	r.json = json_object_new_object();
	assert_int_equal(meta_classify(testlib_arena(),
	    provider_get("meta_ads"), &r), ERR_RATELIMIT);
	assert_int_equal(r.retry_after, 100);
	json_object_put(r.json);
}

/* Whether wait w is about want (a clock turning a second, or the hour,
 * since want was reckoned). */
static bool
near(int w, int want)
{
	return abs(w - want) <= 2 || abs(w - want + 3600) <= 2 ||
	    abs(w - want + 86400) <= 2;
}

/* GA4: hourly tokens back next hour, daily ones at midnight PST. */
static void
test_ga4_quota(void **state)
{
	struct pcall_result r;
	int64_t now = (int64_t)time(NULL);
	int hour = 3600 - (int)(now % 3600) + 60;

	(void)state;
	/* Nearly exhausted hourly tokens in a good answer: stop. */
	assert_int_equal(classify("ga4",
	    "google/ga4/runReport-response-quota-low.json", &r),
	    ERR_RATELIMIT);
	assert_true(near(r.retry_after, hour));
	assert_non_null(strstr(r.why, "412"));
	/* Plenty left: the answer is used. */
	assert_int_equal(classify("ga4",
	    "google/ga4/runReport-response-daily.json", &r), ERR_OK);
	/* 429s: the hour, the project's hour, the day. */
	classify("ga4", "google/ga4/error-429-resource-exhausted-hourly.json",
	    &r);
	assert_true(near(r.retry_after, hour));
	classify("ga4",
	    "google/ga4/error-429-resource-exhausted-project-hourly.json", &r);
	assert_true(near(r.retry_after, hour));
	classify("ga4", "google/ga4/error-429-resource-exhausted-daily.json",
	    &r);
	assert_true(near(r.retry_after, pcall_until_utc_hour(now,
	    LIMIT_GA4_DAY_UTC_HOUR)));
	/* 08:00 UTC is midnight PST: from 07:59:30, 30 s and a minute. */
	assert_int_equal(pcall_until_utc_hour(86400 * 100 + 8 * 3600 - 30,
	    8), 90);
	assert_int_equal(pcall_until_utc_hour(86400 * 100 + 8 * 3600, 8),
	    86400 + 60);
	assert_int_equal(pcall_until_hour(3600 * 5 + 1200), 2400 + 60);
}

/* Google's retryDelay: quotaErrorDetails, RetryInfo, Durations. */
static void
test_google_ads_retry_delay(void **state)
{
	struct pcall_result r;

	(void)state;
	assert_int_equal(pcall_duration("30s"), 30);
	assert_int_equal(pcall_duration("1.5s"), 2);
	assert_int_equal(pcall_duration("0s"), 0);
	assert_int_equal(pcall_duration("30"), -1);
	assert_int_equal(pcall_duration("-3s"), -1);
	assert_int_equal(pcall_duration("999999999s"), LIMIT_RATE_WAIT_MAX_S);
	/* 40591 s as Google gives it: more than the longest wait obeyed. */
	assert_int_equal(classify("google_ads",
	    "google/google-ads/error-429-quota-resource-exhausted.json", &r),
	    ERR_RATELIMIT);
	assert_int_equal(r.retry_after, 40591);
	assert_int_equal(classify("google_ads",
	    "google/google-ads/error-429-retry-info.json", &r),
	    ERR_RATELIMIT);
	assert_int_equal(r.retry_after, 42);
	assert_non_null(strstr(r.why, "RESOURCE_TEMPORARILY_EXHAUSTED"));
	/* Not a quota: not a rate limit. */
	assert_int_equal(classify("google_ads",
	    "google/google-ads/error-403-user-permission-denied.json", &r),
	    ERR_FORBIDDEN);
	/* searchStream's array of responses */
	example("google/google-ads/error-429-retry-info.json", &r);
	{
		struct json_object *arr = json_object_new_array();

		json_object_array_add(arr, json_object_get(r.json));
		assert_int_equal(pcall_google_delay(arr), 42);
		json_object_put(arr);
	}
}

/*
 * Google Ads: a searchStream that fails after it started answers HTTP 200
 * with the error as its last element — a failure (nothing of it kept),
 * told in Google Ads' own words; an error's own message and code, not
 * "The caller does not have permission"; a 429 inside an array keeps its
 * message.
 */
static void
test_google_ads_errors_in_their_words(void **state)
{
	struct pcall_result r;

	(void)state;
	assert_int_equal(classify("google_ads",
	    "google/google-ads/searchStream-response-error-midstream.json",
	    &r), ERR_UPSTREAM);
	assert_non_null(strstr(r.why, "after 1 batch, so none of it was "
	    "kept: An internal error has occurred. (INTERNAL_ERROR)"));
	/* A whole answer: no error, nothing to say. */
	assert_int_equal(classify("google_ads",
	    "google/google-ads/searchStream-response-campaign-daily.json",
	    &r), ERR_OK);
	assert_null(r.why);
	assert_int_equal(classify("google_ads",
	    "google/google-ads/error-403-developer-token-not-approved.json",
	    &r), ERR_FORBIDDEN);
	assert_non_null(strstr(r.why, "The developer token is only approved "
	    "for use with test accounts"));
	assert_non_null(strstr(r.why, "DEVELOPER_TOKEN_NOT_APPROVED"));
	/* searchStream's 400 (an array): its own message. */
	assert_int_equal(classify("google_ads",
	    "google/google-ads/error-400-query-error-searchStream.json", &r),
	    ERR_UPSTREAM);
	assert_non_null(strstr(r.why, "UNRECOGNIZED_FIELD"));
	/* pcall_error_text() of an array body: its error's message. */
	example("google/google-ads/error-429-retry-info.json", &r);
	{
		struct json_object *arr = json_object_new_array();

		json_object_array_add(arr, json_object_get(r.json));
		r.json = arr;
		assert_non_null(strstr(pcall_error_text(testlib_arena(),
		    provider_get("google_ads"), &r), "Resource has been "
		    "exhausted"));
		json_object_put(arr);
	}
}

/* Mailchimp: its connection limit as a 403 is a wait, not a refusal. */
static void
test_mailchimp_throttle_or_forbidden(void **state)
{
	struct pcall_result r;

	(void)state;
	assert_int_equal(classify("mailchimp",
	    "mailchimp/error_403_too_many_requests.json", &r),
	    ERR_RATELIMIT);
	assert_int_equal(r.retry_after, 45);
	assert_non_null(strstr(r.why, "simultaneous connections"));
	assert_int_equal(classify("mailchimp",
	    "mailchimp/error_429_too_many.json", &r), ERR_RATELIMIT);
	assert_int_equal(r.retry_after, LIMIT_MAILCHIMP_WAIT_S);
	/* A real 403: the generic classification (ERR_FORBIDDEN). */
	assert_int_equal(classify("mailchimp",
	    "mailchimp/error_403_forbidden.json", &r), ERR_OK);
	assert_int_equal(classify("mailchimp",
	    "mailchimp/error_404_not_found.json", &r), ERR_OK);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pcall_plain_strips_markup),
		cmocka_unit_test(test_pcall_plain_bounds_on_a_character),
		cmocka_unit_test(test_pcall_error_text_is_plain),
		cmocka_unit_test(test_slack_errors_say_what_to_do),
		cmocka_unit_test(test_github_primary_limit_waits_until_reset),
		cmocka_unit_test(test_github_moved_repository),
		cmocka_unit_test(test_meta_classify_by_code_and_subcode),
		cmocka_unit_test(test_meta_rate_limits_wait_what_meta_says),
		cmocka_unit_test(test_meta_stops_before_the_limit),
		cmocka_unit_test(test_ga4_quota),
		cmocka_unit_test(test_google_ads_retry_delay),
		cmocka_unit_test(test_google_ads_errors_in_their_words),
		cmocka_unit_test(test_mailchimp_throttle_or_forbidden),
	};

	return cmocka_run_group_tests(tests, NULL, testlib_teardown);
}
