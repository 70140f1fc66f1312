/*
 * test_syncnorm.c — each provider's normaliser fed the example files of
 * tests/fixtures/providers as they are, with the exact rows expected.  A
 * missing file fails.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <json-c/json.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/jsonx.h"
#include "base/limit.h"
#include "base/utf8.h"
#include "metrics/ingest.h"
#include "providers/syncnorm.h"
#include "testlib.h"

static struct arena A;

/* The response body of an example file, parsed (a string body too). */
static struct json_object *
example(const char *name)
{
	struct json_object *root, *resp, *body;

	root = testlib_json_file(&A, testlib_fixture(&A, arena_printf(&A,
	    "providers/%s", name)));
	assert_true(json_object_object_get_ex(root, "response", &resp));
	assert_true(json_object_object_get_ex(resp, "body", &body));
	if (json_object_is_type(body, json_type_string))
		assert_int_equal(jsonx_parse(&A, json_object_get_string(body),
		    strlen(json_object_get_string(body)), &body, NULL),
		    ERR_OK);
	return body;
}

/* The rows as text: "account metric day value dims" a line. */
static const char *
text(const struct syncnorm *n)
{
	struct buf *b = buf_new_arena(&A, 1024 * 1024);
	size_t i;

	for (i = 0; i < n->n; i++)
		buf_printf(b, "%s %s %s %s%s%s\n", n->rows[i].account_id,
		    n->rows[i].metric, n->rows[i].date, n->rows[i].value,
		    n->rows[i].dims != NULL ? " " : "",
		    n->rows[i].dims != NULL ? n->rows[i].dims : "");
	return arena_strdup(&A, buf_cstr(b));
}

static int
setup(void **state)
{
	(void)state;
	arena_init(&A);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	arena_free(&A);
	return 0;
}

static void
test_syncnorm_decimal_is_exact(void **state)
{
	char big[121];

	(void)state;
	assert_string_equal(syncnorm_decimal(&A, "1249.5", 6, true),
	    "1249500000");
	assert_string_equal(syncnorm_decimal(&A, "84.12", 6, true),
	    "84120000");
	assert_string_equal(syncnorm_decimal(&A, "0.0000005", 6, true), "1");
	assert_string_equal(syncnorm_decimal(&A, "0.0000004", 6, true), "0");
	assert_string_equal(syncnorm_decimal(&A, "99.9999995", 6, true),
	    "100000000");
	assert_string_equal(syncnorm_decimal(&A, "1.5e2", 0, true), "150");
	assert_string_equal(syncnorm_decimal(&A, "-2.50", 0, false), "-2.5");
	assert_string_equal(syncnorm_decimal(&A, "007", 0, false), "7");
	assert_string_equal(syncnorm_decimal(&A, "0", 6, true), "0");
	/* 2^53 + 1 survives: no double on the way. */
	assert_string_equal(syncnorm_decimal(&A, "9007199254740993.25", 6,
	    true), "9007199254740993250000");
	assert_null(syncnorm_decimal(&A, "1,5", 0, false));
	assert_null(syncnorm_decimal(&A, "", 0, false));
	assert_null(syncnorm_decimal(&A, "NaN", 0, false));
	assert_null(syncnorm_decimal(&A, ".5", 0, false));
	assert_null(syncnorm_decimal(&A, "1.", 0, false));
	assert_null(syncnorm_decimal(&A, "1.x", 0, false));
	/* Digits past the reader's room, before and after the point. */
	memset(big, '1', 120);
	big[120] = '\0';
	assert_null(syncnorm_decimal(&A, big, 0, false));
	big[0] = '0';
	big[1] = '.';
	assert_null(syncnorm_decimal(&A, big, 0, false));
	big[94] = '\0';
	assert_string_equal(syncnorm_decimal(&A, big, 92, false),
	    big + 2);
}

static void
test_syncnorm_ga4_daily_example(void **state)
{
	struct syncnorm n;

	(void)state;
	syncnorm_init(&n, &A, "ga4", "312456789");
	assert_int_equal(syncnorm_ga4(&n, example(
	    "google/ga4/runReport-response-daily.json")), ERR_OK);
	assert_string_equal(text(&n),
	    "312456789 sessions 2024-05-01 1842\n"
	    "312456789 total_users 2024-05-01 1530\n"
	    "312456789 active_users 2024-05-01 1498\n"
	    "312456789 page_views 2024-05-01 5207\n"
	    "312456789 key_events 2024-05-01 37\n"
	    "312456789 engaged_sessions 2024-05-01 1082\n"
	    "312456789 session_duration 2024-05-01 282612\n"
	    "312456789 revenue_micros 2024-05-01 1249500000 "
	    "{\"currency\":\"USD\"}\n"
	    "312456789 sessions 2024-05-02 1765\n"
	    "312456789 total_users 2024-05-02 1471\n"
	    "312456789 active_users 2024-05-02 1440\n"
	    "312456789 page_views 2024-05-02 4988\n"
	    "312456789 key_events 2024-05-02 29\n"
	    "312456789 engaged_sessions 2024-05-02 996\n"
	    "312456789 session_duration 2024-05-02 249012\n"
	    "312456789 revenue_micros 2024-05-02 986250000 "
	    "{\"currency\":\"USD\"}\n"
	    "312456789 sessions 2024-05-03 1503\n"
	    "312456789 total_users 2024-05-03 1289\n"
	    "312456789 active_users 2024-05-03 1262\n"
	    "312456789 page_views 2024-05-03 4120\n"
	    "312456789 key_events 2024-05-03 22\n"
	    "312456789 engaged_sessions 2024-05-03 815\n"
	    "312456789 session_duration 2024-05-03 208771\n"
	    "312456789 revenue_micros 2024-05-03 0 "
	    "{\"currency\":\"USD\"}\n");
}

static void
test_syncnorm_ga4_empty_and_bad(void **state)
{
	struct syncnorm n;
	struct json_object *body, *h;
	const char *j;
	int i;

	(void)state;
	syncnorm_init(&n, &A, "ga4", "1");
	assert_int_equal(syncnorm_ga4(&n, example(
	    "google/ga4/runReport-response-empty.json")), ERR_OK);
	assert_int_equal(n.n, 0);
	/* A bad date in the second row: nothing of the call is kept. */
	j = "{\"metricHeaders\":[{\"name\":\"sessions\"}],\"rows\":["
	    "{\"dimensionValues\":[{\"value\":\"20240501\"}],"
	    "\"metricValues\":[{\"value\":\"3\"}]},{\"dimensionValues\":"
	    "[{\"value\":\"2024-05-02\"}],\"metricValues\":[{\"value\":"
	    "\"4\"}]}]}";
	assert_int_equal(jsonx_parse(&A, j, strlen(j), &body, NULL), ERR_OK);
	assert_int_equal(syncnorm_ga4(&n, body), ERR_INPUT);
	assert_int_equal(n.n, 0);
	assert_string_equal(n.why, "GA4: rows[1].dimensionValues[0].value is "
	    "not a YYYYMMDD date");
	j = "{\"metricHeaders\":[{\"name\":\"sessions\"}],\"rows\":["
	    "{\"dimensionValues\":[{\"value\":\"20240501\"}],"
	    "\"metricValues\":[{\"value\":\"x\"}]}]}";
	assert_int_equal(jsonx_parse(&A, j, strlen(j), &body, NULL), ERR_OK);
	assert_int_equal(syncnorm_ga4(&n, body), ERR_INPUT);
	assert_string_equal(n.why, "GA4: rows[0].metricValues[0].value is not "
	    "a number");
	/* 65 metric columns: more than the reader keeps, in both reports
	 * (the days and the total). */
	body = json_object_new_object();
	json_object_object_add(body, "metricHeaders",
	    json_object_new_array());
	for (i = 0; i < 65; i++) {
		h = json_object_new_object();
		json_object_object_add(h, "name", json_object_new_string(
		    "sessions"));
		json_object_array_add(jsonx_member(body, "metricHeaders"), h);
	}
	assert_int_equal(syncnorm_ga4(&n, body), ERR_INPUT);
	assert_string_equal(n.why, "GA4: too many metricHeaders");
	n.why = NULL;
	assert_int_equal(syncnorm_ga4_totals(&n, body, 7, "2024-05-01"),
	    ERR_INPUT);
	assert_string_equal(n.why, "GA4: too many metricHeaders");
	json_object_put(body);
}

static void
test_syncnorm_ga4_totals(void **state)
{
	struct syncnorm n;
	struct json_object *body;
	const char *j = "{\"metricHeaders\":[{\"name\":\"activeUsers\"},"
	    "{\"name\":\"totalUsers\"}],\"rows\":[{\"dimensionValues\":[],"
	    "\"metricValues\":[{\"value\":\"5120\"},{\"value\":\"5391\"}]}]}";

	(void)state;
	syncnorm_init(&n, &A, "ga4", "9");
	assert_int_equal(jsonx_parse(&A, j, strlen(j), &body, NULL), ERR_OK);
	assert_int_equal(syncnorm_ga4_totals(&n, body, 28, "2024-05-31"),
	    ERR_OK);
	assert_string_equal(text(&n),
	    "9 active_users:28d 2024-05-31 5120\n"
	    "9 total_users:28d 2024-05-31 5391\n");
}

static void
test_syncnorm_google_ads_campaign_example(void **state)
{
	struct syncnorm n;
	const char *d1 = "{\"campaign_id\":\"20123456789\",\"campaign_name\":"
	    "\"Brand - Search - US\",\"currency\":\"USD\"}";
	const char *d2 = "{\"campaign_id\":\"20987654321\",\"campaign_name\":"
	    "\"Generic - Search - US\",\"currency\":\"USD\"}";
	char want[4096];

	(void)state;
	syncnorm_init(&n, &A, "google_ads", "1234567890");
	assert_int_equal(syncnorm_google_ads(&n, example(
	    "google/google-ads/searchStream-response-campaign-daily.json"),
	    "1234567890", "USD"), ERR_OK);
	snprintf(want, sizeof(want),
	    "1234567890:20123456789 impressions 2024-05-01 1910 %s\n"
	    "1234567890:20123456789 clicks 2024-05-01 34 %s\n"
	    "1234567890:20123456789 cost_micros 2024-05-01 15230000 %s\n"
	    "1234567890:20123456789 conversions 2024-05-01 2 %s\n"
	    "1234567890:20123456789 conversion_value_micros 2024-05-01 0 %s\n"
	    "1234567890:20987654321 impressions 2024-05-01 4822 %s\n"
	    "1234567890:20987654321 clicks 2024-05-01 97 %s\n"
	    "1234567890:20987654321 cost_micros 2024-05-01 84410000 %s\n"
	    "1234567890:20987654321 conversions 2024-05-01 1.5 %s\n"
	    "1234567890:20987654321 conversion_value_micros 2024-05-01 0 %s\n"
	    "1234567890:20123456789 impressions 2024-05-02 1884 %s\n"
	    "1234567890:20123456789 clicks 2024-05-02 21 %s\n"
	    "1234567890:20123456789 cost_micros 2024-05-02 11950000 %s\n"
	    "1234567890:20123456789 conversions 2024-05-02 0 %s\n"
	    "1234567890:20123456789 conversion_value_micros 2024-05-02 0 %s\n"
	    "1234567890:20987654321 impressions 2024-05-02 5103 %s\n"
	    "1234567890:20987654321 clicks 2024-05-02 102 %s\n"
	    "1234567890:20987654321 cost_micros 2024-05-02 90120000 %s\n"
	    "1234567890:20987654321 conversions 2024-05-02 3 %s\n"
	    "1234567890:20987654321 conversion_value_micros 2024-05-02 0 %s\n",
	    d1, d1, d1, d1, d1, d2, d2, d2, d2, d2,
	    d1, d1, d1, d1, d1, d2, d2, d2, d2, d2);
	assert_string_equal(text(&n), want);
	syncnorm_init(&n, &A, "google_ads", "1");
	assert_int_equal(syncnorm_google_ads(&n, example(
	    "google/google-ads/searchStream-response-empty.json"), "1", "USD"),
	    ERR_OK);
	assert_int_equal(n.n, 0);
}

/* A manager's children over two batches, the whole tree at once, a
 * client alone; the row cap and a bad body. */
static void
test_syncnorm_google_ads_clients(void **state)
{
	struct syncnorm_ads_client c[8];
	struct json_object *bad;
	const char *why = NULL;
	size_t n;

	(void)state;
	assert_int_equal(syncnorm_google_ads_clients(&A, example(
	    "google/google-ads/searchStream-customer-client-manager.json"),
	    c, 8, &n, &why), ERR_OK);
	assert_int_equal(n, 4);
	assert_string_equal(c[0].id, "9120000007");
	assert_int_equal(c[0].level, 0);
	assert_true(c[0].manager);
	assert_string_equal(c[1].name, "Café Zürich AG");
	assert_string_equal(c[1].currency, "CHF");
	assert_string_equal(c[1].time_zone, "Europe/Zurich");
	assert_int_equal(c[1].level, 1);
	assert_false(c[1].manager);
	assert_true(c[2].manager);	/* the sub-manager, second batch */
	assert_string_equal(c[3].status, "CANCELED");
	assert_int_equal(syncnorm_google_ads_clients(&A, example(
	    "google/google-ads/searchStream-customer-client-all-levels.json"),
	    c, 8, &n, &why), ERR_OK);
	assert_int_equal(n, 5);
	assert_int_equal(c[3].level, 2);
	assert_string_equal(c[3].name, "Bäckerei Nord GmbH");
	assert_int_equal(syncnorm_google_ads_clients(&A, example(
	    "google/google-ads/searchStream-customer-client-all-levels.json"),
	    c, 2, &n, &why), ERR_OK);
	assert_int_equal(n, 2);
	assert_int_equal(syncnorm_google_ads_clients(&A, example(
	    "google/google-ads/searchStream-customer-client-client.json"),
	    c, 8, &n, &why), ERR_OK);
	assert_int_equal(n, 1);
	assert_false(c[0].manager);
	assert_int_equal(syncnorm_google_ads_clients(&A, example(
	    "google/google-ads/error-403-user-permission-denied.json"),
	    c, 8, &n, &why), ERR_UPSTREAM);
	assert_int_equal(jsonx_parse(&A, "[{\"results\":[{\"customerClient\":"
	    "{\"descriptiveName\":\"x\"}}]}]", 58, &bad, NULL), ERR_OK);
	assert_int_equal(syncnorm_google_ads_clients(&A, bad, c, 8, &n, &why),
	    ERR_UPSTREAM);
	assert_non_null(strstr(why, "customerClient has no id"));
}

static void
test_syncnorm_youtube_example(void **state)
{
	struct syncnorm n;

	(void)state;
	syncnorm_init(&n, &A, "youtube", "UC1");
	assert_int_equal(syncnorm_youtube(&n, example(
	    "google/youtube/reports-query-daily.json")), ERR_OK);
	assert_int_equal(n.n, 21);
	assert_string_equal(text(&n) + 0,
	    "UC1 views 2024-05-01 5123\n"
	    "UC1 watch_minutes 2024-05-01 14210\n"
	    "UC1 subscribers_gained 2024-05-01 41\n"
	    "UC1 subscribers_lost 2024-05-01 6\n"
	    "UC1 likes 2024-05-01 312\n"
	    "UC1 comments 2024-05-01 27\n"
	    "UC1 shares 2024-05-01 19\n"
	    "UC1 views 2024-05-02 4877\n"
	    "UC1 watch_minutes 2024-05-02 13390\n"
	    "UC1 subscribers_gained 2024-05-02 35\n"
	    "UC1 subscribers_lost 2024-05-02 9\n"
	    "UC1 likes 2024-05-02 288\n"
	    "UC1 comments 2024-05-02 22\n"
	    "UC1 shares 2024-05-02 14\n"
	    "UC1 views 2024-05-03 6240\n"
	    "UC1 watch_minutes 2024-05-03 17955\n"
	    "UC1 subscribers_gained 2024-05-03 58\n"
	    "UC1 subscribers_lost 2024-05-03 4\n"
	    "UC1 likes 2024-05-03 401\n"
	    "UC1 comments 2024-05-03 35\n"
	    "UC1 shares 2024-05-03 26\n");
	syncnorm_init(&n, &A, "youtube", "UC1");
	assert_int_equal(syncnorm_youtube(&n, example(
	    "google/youtube/reports-query-no-rows.json")), ERR_OK);
	assert_int_equal(n.n, 0);
	assert_int_equal(syncnorm_youtube_channel(&n, example(
	    "google/youtube/channels-list-mine.json"), "2024-05-03"), ERR_OK);
	assert_string_equal(text(&n), "UC1 subscribers 2024-05-03 12400\n");
}

static void
test_syncnorm_facebook_example(void **state)
{
	struct syncnorm n;

	(void)state;
	syncnorm_init(&n, &A, "facebook", "104857600000001");
	assert_int_equal(syncnorm_facebook(&n, example(
	    "meta/page_insights_day.json")), ERR_OK);
	/* end_time 2026-06-02T07:00 closes the Pacific day 2026-06-01. */
	assert_string_equal(text(&n),
	    "104857600000001 engagements 2026-06-01 57\n"
	    "104857600000001 engagements 2026-06-02 81\n"
	    "104857600000001 impressions 2026-06-01 2140\n"
	    "104857600000001 impressions 2026-06-02 2688\n"
	    "104857600000001 reach 2026-06-01 1311\n"
	    "104857600000001 reach 2026-06-02 1604\n"
	    "104857600000001 followers 2026-06-01 5231\n"
	    "104857600000001 followers 2026-06-02 5240\n");
}

/* Content items as text: one line each, "-" for a JSON null. */
static const char *
items_text(struct json_object *items)
{
	struct buf *b = buf_new_arena(&A, 64 * 1024);
	struct json_object *it, *c;
	const char *k[] = { "likes", "comments" };
	size_t i, j;

	for (i = 0; i < json_object_array_length(items); i++) {
		it = json_object_array_get_idx(items, i);
		buf_printf(b, "%s %s %s %s", jsonx_str(it, "id"),
		    jsonx_str(it, "type"), jsonx_str(it, "published_at"),
		    jsonx_str(it, "permalink") != NULL ? "link" : "nolink");
		c = jsonx_member(it, "counts");
		for (j = 0; j < 2; j++)
			buf_printf(b, " %s=%s", k[j], jsonx_member(c, k[j]) ==
			    NULL ? "-" : json_object_get_string(jsonx_member(c,
			    k[j])));
		buf_printf(b, " [%s]\n", jsonx_str(it, "caption"));
	}
	return arena_strdup(&A, buf_cstr(b));
}

/* The metrics object of an insights answer as "views reach saves
 * shares", "-" for null (never 0 for unknown). */
static const char *
insights_text(const char *name)
{
	struct json_object *m = jsonx_own(&A, json_object_new_object());
	const char *k[] = { "views", "reach", "saves", "shares" };
	const char *out = "";
	size_t j;

	syncnorm_instagram_media_insights(name != NULL ? example(name) : NULL,
	    m);
	for (j = 0; j < 4; j++)
		out = arena_printf(&A, "%s%s%s", out, j ? " " : "",
		    jsonx_member(m, k[j]) == NULL ? "-" :
		    json_object_get_string(jsonx_member(m, k[j])));
	return out;
}

static void
test_syncnorm_instagram_content(void **state)
{
	struct syncnorm n;
	struct json_object *items = jsonx_own(&A, json_object_new_array());
	const char *cap, *want;
	bool older = false;
	size_t len, chars;

	(void)state;
	syncnorm_init(&n, &A, "instagram", "17841400000000001");
	/* Two pages; the 90 days start on 2026-03-16: the last two items
	 * of page 2 are older and say so. */
	assert_int_equal(syncnorm_instagram_media(&n, example(
	    "meta/ig_media_page1.json"), "2026-03-16", items, &older), ERR_OK);
	assert_false(older);
	assert_int_equal(syncnorm_instagram_media(&n, example(
	    "meta/ig_media_page2.json"), "2026-03-16", items, &older), ERR_OK);
	assert_true(older);
	cap = jsonx_str(json_object_array_get_idx(items, 1), "caption");
	/* A long caption cut after LIMIT_CONTENT_CAPTION characters, on a
	 * character's boundary, with an ellipsis. */
	len = strlen(cap);
	assert_true(len > LIMIT_CONTENT_CAPTION + 3);
	assert_true(utf8_valid(cap, len));
	chars = utf8_chars(cap);
	assert_int_equal(chars, LIMIT_CONTENT_CAPTION + 1);
	assert_string_equal(cap + len - 3, "\xe2\x80\xa6");
	json_object_object_add(json_object_array_get_idx(items, 1),
	    "caption", json_object_new_string("(long)"));
	want =
	    "1795550000000100 story 2026-06-14T09:12:44+0000 link "
	    "likes=- comments=- [Today only]\n"
	    "1795550000000101 post 2026-06-12T17:03:10+0000 link "
	    "likes=212 comments=18 [(long)]\n"
	    "1795550000000102 post 2026-06-03T08:40:00+0000 link "
	    "likes=0 comments=0 []\n"
	    "1795550000000103 reel 2026-05-25T19:30:05+0000 link "
	    "likes=1043 comments=57 [New reel: the making of]\n"
	    "1795550000000104 post 2026-05-16T12:00:00+0000 link "
	    "likes=- comments=3 [Likes hidden on this one]\n"
	    "1795550000000105 post 2026-05-01T10:00:00+0000 link "
	    "likes=88 comments=4 [Spring sale]\n"
	    "1795550000000106 reel 2026-04-02T10:00:00+0000 link "
	    "likes=2 comments=0 [Reel with few viewers]\n";
	assert_string_equal(items_text(items), want);
	/* An empty account: nothing, and no page beyond it. */
	items = jsonx_own(&A, json_object_new_array());
	older = false;
	assert_int_equal(syncnorm_instagram_media(&n, example(
	    "meta/ig_media_empty.json"), "2026-03-16", items, &older), ERR_OK);
	assert_int_equal(json_object_array_length(items), 0);
	assert_false(older);
	/* An error body is no page. */
	assert_int_equal(syncnorm_instagram_media(&n, example(
	    "meta/ig_media_insights_error_10_not_enough_viewers.json"),
	    "2026-03-16", items, &older), ERR_INPUT);
	/* Insights: a reel's four (a real 0 stays 0), a story without
	 * saves, none at all, an error body: NULL, never 0. */
	assert_string_equal(insights_text("meta/ig_media_insights_reel.json"),
	    "48210 30117 412 0");
	assert_string_equal(insights_text("meta/ig_media_insights_story.json"),
	    "930 801 - 5");
	assert_string_equal(insights_text("meta/ig_media_insights_empty.json"),
	    "- - - -");
	assert_string_equal(insights_text(
	    "meta/ig_media_insights_error_10_not_enough_viewers.json"),
	    "- - - -");
	assert_string_equal(insights_text(NULL), "- - - -");
}

static void
test_syncnorm_youtube_content(void **state)
{
	struct syncnorm n;
	struct json_object *items = jsonx_own(&A, json_object_new_array());
	struct json_object *it, *c;
	struct buf *b = buf_new_arena(&A, 4096);
	const char *k[] = { "views", "likes", "comments" };
	size_t i, j;

	(void)state;
	syncnorm_init(&n, &A, "youtube", "UCsbx1a2b3c4d5e6f7a8b9c0");
	assert_int_equal(syncnorm_youtube_videos(&n, example(
	    "google/youtube/videos-list.json"), items), ERR_OK);
	for (i = 0; i < json_object_array_length(items); i++) {
		it = json_object_array_get_idx(items, i);
		c = jsonx_member(it, "counts");
		buf_printf(b, "%s %s %s %s", jsonx_str(it, "id"),
		    jsonx_str(it, "type"), jsonx_str(it, "published_at"),
		    jsonx_str(it, "permalink"));
		for (j = 0; j < 3; j++)
			buf_printf(b, " %s=%s", k[j], jsonx_member(c, k[j]) ==
			    NULL ? "-" : json_object_get_string(jsonx_member(c,
			    k[j])));
		buf_printf(b, " [%s]\n", jsonx_str(it, "caption"));
	}
	/* 59 s is a Short, 3 min 1 s a video; a real 0 stays 0, hidden
	 * likes and comments off are null. */
	assert_string_equal(buf_cstr(b),
	    "Sbx001a2b3c video 2026-11-28T16:00:00Z "
	    "https://www.youtube.com/watch?v=Sbx001a2b3c views=48210 "
	    "likes=1043 comments=57 [How we build: a week in Z\xc3\xbcrich]\n"
	    "Sbx011a2b3c short 2026-11-20T16:00:00Z "
	    "https://www.youtube.com/shorts/Sbx011a2b3c views=120355 "
	    "likes=8120 comments=0 [60 seconds of espresso \xe2\x98\x95 "
	    "#shorts]\n"
	    "Sbx021a2b3c video 2026-11-12T16:00:00Z "
	    "https://www.youtube.com/watch?v=Sbx021a2b3c views=0 likes=- "
	    "comments=- [Likes hidden, comments off]\n");
	/* Not a videos answer. */
	assert_int_equal(syncnorm_youtube_videos(&n, example(
	    "google/youtube/error-403-forbidden.json"), items), ERR_INPUT);
}

static void
test_syncnorm_facebook_content(void **state)
{
	struct syncnorm n;
	struct json_object *items = jsonx_own(&A, json_object_new_array());
	struct json_object *it, *c, *m;
	struct buf *b = buf_new_arena(&A, 8192);
	const char *k[] = { "likes", "comments", "shares" };
	bool older = false;
	size_t i, j;

	(void)state;
	syncnorm_init(&n, &A, "facebook", "104857600000001");
	assert_int_equal(syncnorm_facebook_posts(&n, example(
	    "meta/page_published_posts_page1.json"), "2026-09-01", items,
	    &older), ERR_OK);
	assert_false(older);
	assert_int_equal(syncnorm_facebook_posts(&n, example(
	    "meta/page_published_posts_page2.json"), "2026-09-01", items,
	    &older), ERR_OK);
	assert_true(older);
	for (i = 0; i < json_object_array_length(items); i++) {
		it = json_object_array_get_idx(items, i);
		c = jsonx_member(it, "counts");
		buf_printf(b, "%s %s %s", jsonx_str(it, "id"),
		    jsonx_str(it, "type"), jsonx_str(it, "published_at"));
		for (j = 0; j < 3; j++)
			buf_printf(b, " %s=%s", k[j], jsonx_member(c, k[j]) ==
			    NULL ? "-" : json_object_get_string(jsonx_member(c,
			    k[j])));
		buf_printf(b, " [%s]\n", jsonx_str(it, "caption"));
	}
	/* No shares field: NULL; no message: ""; page 2's last two are
	 * older than the 90 days. */
	assert_string_equal(buf_cstr(b),
	    "104857600000001_1000000 post 2026-11-30T18:30:00+0000 likes=240 "
	    "comments=31 shares=12 [Opening night at the caf\xc3\xa9 "
	    "\xf0\x9f\x8e\x89 post 0]\n"
	    "104857600000001_1000001 post 2026-11-22T18:30:00+0000 likes=241 "
	    "comments=32 shares=13 [Opening night at the caf\xc3\xa9 "
	    "\xf0\x9f\x8e\x89 post 1]\n"
	    "104857600000001_1000002 post 2026-11-14T18:30:00+0000 likes=242 "
	    "comments=33 shares=- [Opening night at the caf\xc3\xa9 "
	    "\xf0\x9f\x8e\x89 post 2]\n"
	    "104857600000001_1000003 post 2026-11-06T18:30:00+0000 likes=243 "
	    "comments=34 shares=15 []\n"
	    "104857600000001_1000004 post 2026-11-01T18:30:00+0000 likes=244 "
	    "comments=35 shares=16 [Opening night at the caf\xc3\xa9 "
	    "\xf0\x9f\x8e\x89 post 4]\n"
	    "104857600000001_1000005 post 2026-10-24T18:30:00+0000 likes=245 "
	    "comments=36 shares=17 [Opening night at the caf\xc3\xa9 "
	    "\xf0\x9f\x8e\x89 post 5]\n"
	    "104857600000001_1000006 post 2026-10-16T18:30:00+0000 likes=246 "
	    "comments=37 shares=18 [Opening night at the caf\xc3\xa9 "
	    "\xf0\x9f\x8e\x89 post 6]\n"
	    "104857600000001_1000007 post 2026-10-08T18:30:00+0000 likes=247 "
	    "comments=38 shares=19 [Opening night at the caf\xc3\xa9 "
	    "\xf0\x9f\x8e\x89 post 7]\n");
	items = jsonx_own(&A, json_object_new_array());
	older = false;
	assert_int_equal(syncnorm_facebook_posts(&n, example(
	    "meta/page_published_posts_empty.json"), "2026-09-01", items,
	    &older), ERR_OK);
	assert_int_equal(json_object_array_length(items), 0);
	assert_int_equal(syncnorm_facebook_posts(&n, example(
	    "meta/error_10_permission.json"), "2026-09-01", items, &older),
	    ERR_INPUT);
	m = jsonx_own(&A, json_object_new_object());
	syncnorm_facebook_post_insights(example("meta/post_insights.json"), m);
	assert_string_equal(json_object_to_json_string_ext(m,
	    JSON_C_TO_STRING_PLAIN), "{\"views\":5310,\"reach\":2874}");
	m = jsonx_own(&A, json_object_new_object());
	syncnorm_facebook_post_insights(example(
	    "meta/post_insights_empty.json"), m);
	assert_string_equal(json_object_to_json_string_ext(m,
	    JSON_C_TO_STRING_PLAIN), "{\"views\":null,\"reach\":null}");
}

static void
test_syncnorm_linkedin_content(void **state)
{
	struct syncnorm n;
	struct json_object *items = jsonx_own(&A, json_object_new_array());
	struct json_object *byid = jsonx_own(&A, json_object_new_object());
	struct json_object *it;
	struct buf *b = buf_new_arena(&A, 4096);
	bool older = false;
	size_t i;

	(void)state;
	syncnorm_init(&n, &A, "linkedin", "2414183");
	/* The 90 days start on 2026-11-20: the last post is older. */
	assert_int_equal(syncnorm_linkedin_posts(&n, example(
	    "linkedin/posts_by_author.json"), "2026-11-20", items, &older),
	    ERR_OK);
	assert_true(older);
	for (i = 0; i < json_object_array_length(items); i++) {
		it = json_object_array_get_idx(items, i);
		buf_printf(b, "%s %s %s %s [%s]\n", jsonx_str(it, "id"),
		    jsonx_str(it, "type"), jsonx_str(it, "published_at"),
		    jsonx_str(it, "permalink"), jsonx_str(it, "caption"));
	}
	assert_string_equal(buf_cstr(b),
	    "urn:li:share:7263800000000000001 post 2026-11-30T17:00:00Z "
	    "https://www.linkedin.com/feed/update/"
	    "urn:li:share:7263800000000000001/ [We are hiring in "
	    "M\xc3\xbcnchen: three roles in design.]\n"
	    "urn:li:ugcPost:7263700000000000002 post 2026-11-22T17:00:00Z "
	    "https://www.linkedin.com/feed/update/"
	    "urn:li:ugcPost:7263700000000000002/ []\n");
	older = false;
	items = jsonx_own(&A, json_object_new_array());
	assert_int_equal(syncnorm_linkedin_posts(&n, example(
	    "linkedin/posts_by_author.json"), "2026-11-01", items, &older),
	    ERR_OK);
	assert_false(older);
	assert_string_equal(jsonx_str(json_object_array_get_idx(items, 2),
	    "type"), "video");
	assert_int_equal(syncnorm_linkedin_posts(&n, example(
	    "linkedin/posts_by_author_empty.json"), "2026-11-01", items,
	    &older), ERR_OK);
	assert_int_equal(syncnorm_linkedin_posts(&n, example(
	    "linkedin/error_403_access_denied.json"), "2026-11-01", items,
	    &older), ERR_INPUT);
	/* Statistics by urn; real zeros stay 0, saves null. */
	syncnorm_linkedin_post_stats(example(
	    "linkedin/share_statistics_posts.json"), byid);
	assert_string_equal(json_object_to_json_string_ext(byid,
	    JSON_C_TO_STRING_PLAIN),
	    "{\"urn:li:share:7263800000000000001\":{\"views\":2977,"
	    "\"reach\":1830,\"likes\":84,\"comments\":9,\"shares\":6,"
	    "\"saves\":null},\"urn:li:share:7263600000000000003\":{\"views\":0,"
	    "\"reach\":0,\"likes\":0,\"comments\":0,\"shares\":0,"
	    "\"saves\":null}}");
}

static void
test_syncnorm_excerpt(void **state)
{
	char big[4 * LIMIT_CONTENT_CAPTION + 16];
	const char *e;
	size_t i;

	(void)state;
	assert_string_equal(syncnorm_excerpt(&A, NULL), "");
	assert_string_equal(syncnorm_excerpt(&A, "short"), "short");
	/* 250 two-byte characters: 200 of them and the ellipsis. */
	for (i = 0; i < 250; i++)
		memcpy(big + 2 * i, "\xc3\xa9", 2);
	big[500] = '\0';
	e = syncnorm_excerpt(&A, big);
	assert_int_equal(strlen(e), 2 * LIMIT_CONTENT_CAPTION + 3);
	assert_true(utf8_valid(e, strlen(e)));
	/* Exactly the limit: kept whole. */
	big[2 * LIMIT_CONTENT_CAPTION] = '\0';
	assert_int_equal(strlen(syncnorm_excerpt(&A, big)),
	    2 * LIMIT_CONTENT_CAPTION);
	/* An invalid byte is left out. */
	assert_string_equal(syncnorm_excerpt(&A, "a\xff" "b"), "ab");
}

static void
test_syncnorm_instagram_examples(void **state)
{
	struct syncnorm n;

	(void)state;
	syncnorm_init(&n, &A, "instagram", "17841400000000001");
	assert_int_equal(syncnorm_instagram(&n, example(
	    "meta/ig_user_insights_time_series.json"), NULL, 0), ERR_OK);
	assert_int_equal(syncnorm_instagram(&n, example(
	    "meta/ig_user_insights_total_value.json"), "2026-06-01", 0),
	    ERR_OK);
	assert_int_equal(syncnorm_instagram(&n, example(
	    "meta/ig_user_insights_total_value.json"), "2026-06-01", 1),
	    ERR_OK);
	assert_int_equal(syncnorm_instagram_user(&n, example(
	    "meta/ig_user_fields.json"), "2026-06-02"), ERR_OK);
	assert_string_equal(text(&n),
	    "17841400000000001 reach 2026-06-01 312\n"
	    "17841400000000001 reach 2026-06-02 287\n"
	    "17841400000000001 views 2026-06-01 1893\n"
	    "17841400000000001 engagements 2026-06-01 151\n"
	    "17841400000000001 profile_views 2026-06-01 38\n"
	    "17841400000000001 views:1d 2026-06-01 1893\n"
	    "17841400000000001 reach:1d 2026-06-01 312\n"
	    "17841400000000001 engagements:1d 2026-06-01 151\n"
	    "17841400000000001 profile_views:1d 2026-06-01 38\n"
	    "17841400000000001 followers 2026-06-02 4821\n");
}

static void
test_syncnorm_meta_ads_examples(void **state)
{
	struct syncnorm n;
	const char *s = "{\"campaign_id\":\"120210000000000001\","
	    "\"campaign_name\":\"Summer Sale\",\"currency\":\"EUR\"}";
	const char *b = "{\"campaign_id\":\"120210000000000002\","
	    "\"campaign_name\":\"Brand Awareness\",\"currency\":\"EUR\"}";
	char want[4096];

	(void)state;
	syncnorm_init(&n, &A, "meta_ads", "act_1234567890");
	assert_int_equal(syncnorm_meta_ads(&n, example(
	    "meta/ads_insights_campaign_daily_page1.json"), "EUR"), ERR_OK);
	assert_int_equal(syncnorm_meta_ads(&n, example(
	    "meta/ads_insights_campaign_daily_page2.json"), "EUR"), ERR_OK);
#define C1 "act_1234567890:120210000000000001 "
#define C2 "act_1234567890:120210000000000002 "
	snprintf(want, sizeof(want),
	    C1 "impressions 2026-06-01 12873 %s\n"
	    C1 "reach 2026-06-01 0 %s\n"
	    C1 "clicks 2026-06-01 241 %s\n"
	    C1 "spend_micros 2026-06-01 84120000 %s\n"
	    C1 "conversions 2026-06-01 0 %s\n"
	    C2 "impressions 2026-06-01 40210 %s\n"
	    C2 "reach 2026-06-01 0 %s\n"
	    C2 "clicks 2026-06-01 95 %s\n"
	    C2 "spend_micros 2026-06-01 61400000 %s\n"
	    C2 "conversions 2026-06-01 0 %s\n"
	    C1 "impressions 2026-06-02 13502 %s\n"
	    C1 "reach 2026-06-02 0 %s\n"
	    C1 "clicks 2026-06-02 260 %s\n"
	    C1 "spend_micros 2026-06-02 86900000 %s\n"
	    C1 "conversions 2026-06-02 0 %s\n"
	    C2 "impressions 2026-06-02 512 %s\n"
	    C2 "reach 2026-06-02 0 %s\n"
	    C2 "clicks 2026-06-02 0 %s\n"
	    C2 "spend_micros 2026-06-02 880000 %s\n"
	    C2 "conversions 2026-06-02 0 %s\n",
	    s, s, s, s, s, b, b, b, b, b, s, s, s, s, s, b, b, b, b, b);
	assert_string_equal(text(&n), want);
	syncnorm_init(&n, &A, "meta_ads", "act_1");
	assert_int_equal(syncnorm_meta_ads(&n, example(
	    "meta/ads_insights_empty.json"), "EUR"), ERR_OK);
	assert_int_equal(n.n, 0);
}

/* Facebook's reach of a week and of 28 days: reach:7d and reach:28d on
 * the day each period ends (the day before end_time's date); a daily
 * answer, another metric or no data gives none; an error body is
 * refused. */
static void
test_syncnorm_facebook_totals_examples(void **state)
{
	struct json_object *empty;
	struct syncnorm n;

	(void)state;
	syncnorm_init(&n, &A, "facebook", "104857600000001");
	assert_int_equal(syncnorm_facebook_totals(&n, example(
	    "meta/page_insights_reach_week.json")), ERR_OK);
	assert_int_equal(syncnorm_facebook_totals(&n, example(
	    "meta/page_insights_reach_days_28.json")), ERR_OK);
	assert_int_equal(syncnorm_facebook_totals(&n, example(
	    "meta/page_insights_day.json")), ERR_OK);
	assert_int_equal(jsonx_parse(&A, "{\"data\":[]}", 11, &empty, NULL),
	    ERR_OK);
	assert_int_equal(syncnorm_facebook_totals(&n, empty), ERR_OK);
	assert_string_equal(text(&n),
	    "104857600000001 reach:7d 2026-06-01 6920\n"
	    "104857600000001 reach:7d 2026-06-02 7105\n"
	    "104857600000001 reach:28d 2026-06-02 24388\n");
	assert_int_equal(syncnorm_facebook_totals(&n, example(
	    "meta/error_190_2069032_page_token.json")), ERR_INPUT);
	assert_int_equal(n.n, 3);
	assert_non_null(strstr(n.why, "data is missing"));
}

/* Meta Ads' reach over time_ranges: reach:<N>d on each range's last
 * day with the account's currency; a range without a row reached
 * nobody (0); an error body or a bad count is refused whole. */
static void
test_syncnorm_meta_ads_totals_examples(void **state)
{
	static const char *const ranges[][2] = {
		{ "2026-08-25", "2026-08-31" }, { "2026-08-18", "2026-08-24" },
		{ "2026-08-04", "2026-08-31" }, { "2026-07-07", "2026-08-03" },
		{ "2026-06-03", "2026-08-31" }, { "2026-03-05", "2026-06-02" },
	};
	struct json_object *bad;
	struct syncnorm n;
	const char *j;

	(void)state;
	syncnorm_init(&n, &A, "meta_ads", "act_1234567890");
	assert_int_equal(syncnorm_meta_ads_totals(&n, example(
	    "meta/ads_insights_account_time_ranges.json"), "EUR", ranges, 6),
	    ERR_OK);
#define E " {\"currency\":\"EUR\"}\n"
	assert_string_equal(text(&n),
	    "act_1234567890 reach:7d 2026-08-31 18342" E
	    "act_1234567890 reach:7d 2026-08-24 17015" E
	    "act_1234567890 reach:28d 2026-08-31 52870" E
	    "act_1234567890 reach:28d 2026-08-03 49233" E
	    "act_1234567890 reach:90d 2026-08-31 120456" E
	    "act_1234567890 reach:90d 2026-06-02 0" E);
#undef E
	/* Only the ranges asked for: the 7-day rows alone. */
	syncnorm_init(&n, &A, "meta_ads", "act_1");
	assert_int_equal(syncnorm_meta_ads_totals(&n, example(
	    "meta/ads_insights_account_time_ranges.json"), NULL, ranges, 2),
	    ERR_OK);
	assert_string_equal(text(&n),
	    "act_1 reach:7d 2026-08-31 18342\n"
	    "act_1 reach:7d 2026-08-24 17015\n");
	syncnorm_init(&n, &A, "meta_ads", "act_1");
	assert_int_equal(syncnorm_meta_ads_totals(&n, example(
	    "meta/ads_insights_account_empty.json"), "USD", ranges, 2),
	    ERR_OK);
	assert_string_equal(text(&n),
	    "act_1 reach:7d 2026-08-31 0 {\"currency\":\"USD\"}\n"
	    "act_1 reach:7d 2026-08-24 0 {\"currency\":\"USD\"}\n");
	assert_int_equal(syncnorm_meta_ads_totals(&n, example(
	    "meta/error_613_1487742_ad_account_limit.json"), "USD", ranges,
	    2), ERR_INPUT);
	assert_int_equal(n.n, 2);
	assert_non_null(strstr(n.why, "data is missing"));
	j = "{\"data\":[{\"reach\":\"12x\",\"date_start\":\"2026-08-25\","
	    "\"date_stop\":\"2026-08-31\"}]}";
	assert_int_equal(jsonx_parse(&A, j, strlen(j), &bad, NULL), ERR_OK);
	assert_int_equal(syncnorm_meta_ads_totals(&n, bad, "USD", ranges, 2),
	    ERR_INPUT);
	assert_int_equal(n.n, 2);
	assert_non_null(strstr(n.why, "data[0].reach"));
}

static void
test_syncnorm_linkedin_examples(void **state)
{
	struct syncnorm n;

	(void)state;
	syncnorm_init(&n, &A, "linkedin", "2414183");
	assert_int_equal(syncnorm_linkedin(&n, example(
	    "linkedin/share_statistics_day.json")), ERR_OK);
	assert_int_equal(syncnorm_linkedin_followers(&n, example(
	    "linkedin/network_sizes.json"), "2026-06-03"), ERR_OK);
	/* 1780272000000 ms is 2026-06-01 00:00 UTC. */
	assert_string_equal(text(&n),
	    "2414183 impressions 2026-06-01 1238\n"
	    "2414183 clicks 2026-06-01 31\n"
	    "2414183 engagements 2026-06-01 53\n"
	    "2414183 impressions 2026-06-02 1502\n"
	    "2414183 clicks 2026-06-02 40\n"
	    "2414183 engagements 2026-06-02 73\n"
	    "2414183 impressions 2026-06-03 0\n"
	    "2414183 clicks 2026-06-03 0\n"
	    "2414183 engagements 2026-06-03 0\n"
	    "2414183 followers 2026-06-03 5382\n");
}

static void
test_syncnorm_mailchimp_example(void **state)
{
	struct syncnorm n;
	size_t count;

	(void)state;
	syncnorm_init(&n, &A, "mailchimp", "a1b2c3d4e5");
	n.from = "2026-06-02";	/* the window leaves 06-01 out */
	assert_int_equal(syncnorm_mailchimp(&n, example(
	    "mailchimp/list_activity.json"), &count), ERR_OK);
	assert_int_equal(count, 3);
	assert_string_equal(text(&n),
	    "a1b2c3d4e5 emails_sent 2026-06-03 0\n"
	    "a1b2c3d4e5 opens 2026-06-03 212\n"
	    "a1b2c3d4e5 clicks 2026-06-03 31\n"
	    "a1b2c3d4e5 unsubscribes 2026-06-03 1\n"
	    "a1b2c3d4e5 bounces 2026-06-03 0\n"
	    "a1b2c3d4e5 emails_sent 2026-06-02 1480\n"
	    "a1b2c3d4e5 opens 2026-06-02 398\n"
	    "a1b2c3d4e5 clicks 2026-06-02 30\n"
	    "a1b2c3d4e5 unsubscribes 2026-06-02 3\n"
	    "a1b2c3d4e5 bounces 2026-06-02 10\n");
}

/* Campaign reports: each on its send day, other audiences skipped, the
 * window's start respected, both pages. */
static void
test_syncnorm_mailchimp_reports_examples(void **state)
{
	struct syncnorm n;
	size_t count;

	(void)state;
	syncnorm_init(&n, &A, "mailchimp", "a1b2c3d4e5");
	n.from = "2026-04-10";	/* leaves April's send out */
	assert_int_equal(syncnorm_mailchimp_reports(&n, example(
	    "mailchimp/reports_page1.json"), "a1b2c3d4e5", NULL, &count),
	    ERR_OK);
	assert_int_equal(count, 2);
	assert_int_equal(syncnorm_mailchimp_reports(&n, example(
	    "mailchimp/reports_page2.json"), "a1b2c3d4e5", NULL, &count),
	    ERR_OK);
	assert_int_equal(count, 1);
	assert_string_equal(text(&n),
	    "a1b2c3d4e5:42694e9e57 campaign_emails_sent 2026-06-02 1480 "
	    "{\"campaign_id\":\"42694e9e57\",\"campaign_title\":\"June "
	    "Newsletter\"}\n"
	    "a1b2c3d4e5:42694e9e57 campaign_opens 2026-06-02 610 "
	    "{\"campaign_id\":\"42694e9e57\",\"campaign_title\":\"June "
	    "Newsletter\"}\n"
	    "a1b2c3d4e5:42694e9e57 campaign_clicks 2026-06-02 52 "
	    "{\"campaign_id\":\"42694e9e57\",\"campaign_title\":\"June "
	    "Newsletter\"}\n"
	    "a1b2c3d4e5:42694e9e57 campaign_unsubscribes 2026-06-02 4 "
	    "{\"campaign_id\":\"42694e9e57\",\"campaign_title\":\"June "
	    "Newsletter\"}\n"
	    "a1b2c3d4e5:42694e9e57 campaign_bounces 2026-06-02 10 "
	    "{\"campaign_id\":\"42694e9e57\",\"campaign_title\":\"June "
	    "Newsletter\"}\n"
	    "a1b2c3d4e5:9a7cfake01 campaign_emails_sent 2026-05-05 1451 "
	    "{\"campaign_id\":\"9a7cfake01\",\"campaign_title\":\"May "
	    "Newsletter\"}\n"
	    "a1b2c3d4e5:9a7cfake01 campaign_opens 2026-05-05 598 "
	    "{\"campaign_id\":\"9a7cfake01\",\"campaign_title\":\"May "
	    "Newsletter\"}\n"
	    "a1b2c3d4e5:9a7cfake01 campaign_clicks 2026-05-05 58 "
	    "{\"campaign_id\":\"9a7cfake01\",\"campaign_title\":\"May "
	    "Newsletter\"}\n"
	    "a1b2c3d4e5:9a7cfake01 campaign_unsubscribes 2026-05-05 6 "
	    "{\"campaign_id\":\"9a7cfake01\",\"campaign_title\":\"May "
	    "Newsletter\"}\n"
	    "a1b2c3d4e5:9a7cfake01 campaign_bounces 2026-05-05 7 "
	    "{\"campaign_id\":\"9a7cfake01\",\"campaign_title\":\"May "
	    "Newsletter\"}\n");
	/* Another audience: nothing; the empty page: nothing. */
	syncnorm_init(&n, &A, "mailchimp", "other");
	assert_int_equal(syncnorm_mailchimp_reports(&n, example(
	    "mailchimp/reports_page1.json"), "other", NULL, &count), ERR_OK);
	assert_int_equal(count, 2);
	assert_int_equal(n.n, 0);
	assert_int_equal(syncnorm_mailchimp_reports(&n, example(
	    "mailchimp/reports_empty.json"), "a1b2c3d4e5", NULL, &count),
	    ERR_OK);
	assert_int_equal(count, 0);
	assert_int_equal(n.n, 0);
}

/* A campaign goes on the account's day: the days given for the reports
 * (the sync computes them from send_time in the account's zone). */
static void
test_syncnorm_mailchimp_account_day(void **state)
{
	static const char *const days[] = { "2026-06-03", NULL };
	struct syncnorm n;
	size_t count;

	(void)state;
	syncnorm_init(&n, &A, "mailchimp", "a1b2c3d4e5");
	assert_int_equal(syncnorm_mailchimp_reports(&n, example(
	    "mailchimp/reports_page1.json"), "a1b2c3d4e5", days, &count),
	    ERR_OK);
	assert_int_equal(count, 2);
	assert_int_equal(n.n, 10);
	assert_string_equal(n.rows[0].date, "2026-06-03");
	assert_string_equal(n.rows[5].date, "2026-05-05");	/* own date */
}

static void
test_syncnorm_github_examples(void **state)
{
	struct syncnorm n;
	const char *t;

	(void)state;
	syncnorm_init(&n, &A, "github", "octocat/Hello-World");
	assert_int_equal(syncnorm_github_traffic(&n, example(
	    "github/traffic_clones.json"), "clones", "2026-06-02"), ERR_OK);
	assert_string_equal(text(&n),
	    "octocat/Hello-World clones 2026-05-27 2\n"
	    "octocat/Hello-World clones 2026-05-28 10\n"
	    "octocat/Hello-World clones 2026-06-01 8\n"
	    "octocat/Hello-World clones 2026-06-02 153\n");
	syncnorm_init(&n, &A, "github", "octocat/Hello-World");
	assert_int_equal(syncnorm_github_traffic(&n, example(
	    "github/traffic_views.json"), "views", "2026-06-02"), ERR_OK);
	assert_int_equal(n.n, 21);
	t = text(&n);
	assert_non_null(strstr(t, "octocat/Hello-World views 2026-05-20 210\n"
	    "octocat/Hello-World unique_visitors 2026-05-20 61\n"));
	assert_non_null(strstr(t, "octocat/Hello-World views 2026-06-02 190\n"
	    "octocat/Hello-World unique_visitors 2026-06-02 57\n"
	    "octocat/Hello-World unique_visitors:14d 2026-06-02 611\n"));
	syncnorm_init(&n, &A, "github", "octocat/Hello-World");
	assert_int_equal(syncnorm_github_traffic(&n, example(
	    "github/traffic_empty.json"), "views", "2026-06-02"), ERR_OK);
	syncnorm_init(&n, &A, "github", "octocat/Hello-World");
	assert_int_equal(syncnorm_github_repo(&n, example("github/repo.json"),
	    "2026-06-02"), ERR_OK);
	assert_int_equal(n.n, 1);
	assert_string_equal(n.rows[0].metric, "stars");
}

static void
test_syncnorm_slack_examples(void **state)
{
	struct syncnorm n;
	struct syncnorm_msgs m;
	const char *cursor;

	(void)state;
	memset(&m, 0, sizeof(m));
	syncnorm_init(&n, &A, "slack", "C012AB3CD");
	assert_int_equal(syncnorm_slack(&n, example(
	    "slack/conversations_history_page1.json"), "C012AB3CD", false, &m,
	    &cursor), ERR_OK);
	assert_string_equal(cursor, "bmV4dF90czoxNzgwMzU4NDAwMDAwMDUw");
	assert_int_equal(m.n, 4);
	assert_string_equal(m.v[1].ts, "1780358700.000200");
	assert_string_equal(m.v[1].thread_ts, "1780358700.000200");
	assert_int_equal(m.v[1].reply_count, 2);
	assert_string_equal(m.v[1].day, "2026-06-02");
	assert_null(m.v[2].user);	/* a bot message */
	assert_string_equal(m.v[0].text, "Reminder: campaign review at 3pm");
	/* Replies: the parent is not stored twice. */
	assert_int_equal(syncnorm_slack(&n, example(
	    "slack/conversations_replies.json"), "C012AB3CD", true, &m,
	    &cursor), ERR_OK);
	assert_null(cursor);
	assert_int_equal(m.n, 6);
	assert_string_equal(m.v[4].ts, "1780359000.000210");
	assert_string_equal(m.v[4].thread_ts, "1780358700.000200");
	assert_string_equal(m.v[5].text, "Two typos in section 2");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syncnorm_decimal_is_exact),
		cmocka_unit_test(test_syncnorm_ga4_daily_example),
		cmocka_unit_test(test_syncnorm_ga4_empty_and_bad),
		cmocka_unit_test(test_syncnorm_ga4_totals),
		cmocka_unit_test(test_syncnorm_google_ads_campaign_example),
		cmocka_unit_test(test_syncnorm_google_ads_clients),
		cmocka_unit_test(test_syncnorm_youtube_example),
		cmocka_unit_test(test_syncnorm_facebook_example),
		cmocka_unit_test(test_syncnorm_instagram_examples),
		cmocka_unit_test(test_syncnorm_instagram_content),
		cmocka_unit_test(test_syncnorm_youtube_content),
		cmocka_unit_test(test_syncnorm_facebook_content),
		cmocka_unit_test(test_syncnorm_linkedin_content),
		cmocka_unit_test(test_syncnorm_excerpt),
		cmocka_unit_test(test_syncnorm_meta_ads_examples),
		cmocka_unit_test(test_syncnorm_meta_ads_totals_examples),
		cmocka_unit_test(test_syncnorm_facebook_totals_examples),
		cmocka_unit_test(test_syncnorm_linkedin_examples),
		cmocka_unit_test(test_syncnorm_mailchimp_example),
		cmocka_unit_test(test_syncnorm_mailchimp_reports_examples),
		cmocka_unit_test(test_syncnorm_mailchimp_account_day),
		cmocka_unit_test(test_syncnorm_github_examples),
		cmocka_unit_test(test_syncnorm_slack_examples),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
