/*
 * test_digest.c — the digest email for a fixed dataset against the golden
 * files tests/golden/email/digest.html and digest.txt (run from the repo
 * root; SLUICE_GOLDEN_UPDATE=1 rewrites them: review the diff), the
 * monthly digest's numbers and its golden files digest_monthly.html and
 * .txt, signed unsubscribe tokens, and the Resend request JSON.
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
#include "base/config.h"
#include "base/jsonx.h"
#include "base/mem.h"
#include "insights/insights.h"
#include "mail/digest.h"
#include "mail/email.h"
#include "mail/monthly.h"
#include "render/tmpl.h"
#include "testlib.h"

#define B	INSIGHTS_BASELINE
#define P	INSIGHTS_PERIOD

static const struct insights_period week = { "2025-11-10", "2025-11-16",
    2025, 11, 10, "Europe/Berlin", true };

static void
series(struct insights_series *s, const char *provider, const char *metric,
    double base, double cur)
{
	int i;

	memset(s, 0, sizeof(*s));
	s->provider = provider;
	s->metric = metric;
	for (i = 0; i < INSIGHTS_DAYS; i++) {
		s->v[i] = i >= B ? cur : base + (i % 2 == 0 ? -5 : 5);
		s->has[i] = true;
	}
}

/* The fixed dataset: traffic up with a spike, ads spending more for
 * fewer conversions, LinkedIn to reconnect, Mailchimp stale. */
static void
dataset(struct arena *a, struct insights *in)
{
	static struct insights_series s[6];
	static const struct insights_conn c[] = {
		{ "linkedin", "needs_reauth", NULL, 3600, NULL, false },
		{ "mailchimp", "connected", NULL, 60 * 3600, NULL, false },
		{ "ga4", "connected", NULL, 3600, NULL, false },
	};

	series(&s[0], "ga4", "sessions", 1000, 1100);
	s[0].v[B + 2] = 2600;
	series(&s[1], "ga4", "engaged_sessions", 600, 610);
	series(&s[2], "google_ads", "cost_micros", 50e6, 70e6);
	s[2].currency = "EUR";
	series(&s[3], "google_ads", "conversions", 20, 15);
	series(&s[4], "google_ads", "clicks", 300, 330);
	series(&s[5], "google_ads", "impressions", 9000, 9000);
	assert_int_equal(insights_compute(a, &week, s, 6, c, 3, in), ERR_OK);
}

static void
test_digest_email_matches_golden(void **state)
{
	struct arena a;
	struct insights in;
	struct json_object *view;
	struct tmpl *t;
	const char *html, *text;
	const char *err;
	int failed;

	(void)state;
	arena_init(&a);
	assert_int_equal(tmpl_load(&a, "templates", &t, &err), ERR_OK);
	dataset(&a, &in);
	view = digest_view(&a, "https://hub.example.com", "Acme & Co <EU>",
	    &week, &in);
	assert_int_equal(digest_render_view(t, &a, view, "ops@example.com",
	    "https://hub.example.com/v1/digest/unsubscribe?token=abc.def",
	    &html, &text), ERR_OK);
	/* What mail clients need: no script, no SVG, no <style> block. */
	assert_null(strstr(html, "<script"));
	assert_null(strstr(html, "<svg"));
	assert_null(strstr(html, "<style"));
	assert_non_null(strstr(html, "Acme &amp; Co &lt;EU&gt;"));
	assert_non_null(strstr(text, "Acme & Co <EU>"));
	/* The same content in both parts. */
	assert_non_null(strstr(html, "Reconnect LinkedIn to resume its "
	    "numbers."));
	assert_non_null(strstr(text, "Reconnect LinkedIn to resume its "
	    "numbers."));
	assert_non_null(strstr(text, "Cost (EUR) rose 40% while Conversions "
	    "fell 28% on Google Ads"));
	failed = testlib_golden("tests/golden/email/digest.html", html,
	    strlen(html));
	failed += testlib_golden("tests/golden/email/digest.txt", text,
	    strlen(text));
	tmpl_free(t);
	arena_free(&a);
	assert_int_equal(failed, 0);
}

/* A name stored with CR/LF or a direction override: one plain line. */
static void
test_digest_subject_is_one_plain_line(void **state)
{
	struct arena a;
	struct insights in;
	struct json_object *view;
	const char *subject;

	(void)state;
	arena_init(&a);
	memset(&in, 0, sizeof(in));
	view = digest_view(&a, "https://hub.example.com",
	    "Acme\r\nBcc: victim@example.com\xe2\x80\xae\x1b[1m", &week, &in);
	subject = json_object_get_string(json_object_object_get(view,
	    "subject"));
	assert_non_null(subject);
	assert_null(strpbrk(subject, "\r\n\x1b"));
	assert_null(strstr(subject, "\xe2\x80\xae"));
	assert_true(strncmp(subject, "AcmeBcc: victim@example.com[1m weekly "
	    "digest: ", 43) == 0);
	arena_free(&a);
}

static void
test_digest_empty_week_renders(void **state)
{
	struct arena a;
	struct insights in;
	struct tmpl *t;
	const char *html, *text;
	const char *err;

	(void)state;
	arena_init(&a);
	assert_int_equal(tmpl_load(&a, "templates", &t, &err), ERR_OK);
	assert_int_equal(insights_compute(&a, &week, NULL, 0, NULL, 0, &in),
	    ERR_OK);
	assert_int_equal(digest_render_view(t, &a, digest_view(&a,
	    "http://x", "W", &week, &in), "a@example.com", "http://x/u",
	    &html, &text), ERR_OK);
	assert_non_null(strstr(text, "No numbers arrived"));
	assert_null(strstr(text, "WHAT TO LOOK AT"));
	tmpl_free(t);
	arena_free(&a);
}

static void
test_digest_unsubscribe_tokens(void **state)
{
	struct arena a;
	struct config cfg;
	struct digest_env env;
	const char *tok, *email;
	char *bad;
	int64_t ws;

	(void)state;
	arena_init(&a);
	memset(&cfg, 0, sizeof(cfg));
	cfg.encryption_keys = " k1:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlh"
	    "YmNkZWY= , k0:ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=";
	cfg.unsubscribe_secret = "";
	memset(&env, 0, sizeof(env));
	env.arena = &a;
	env.cfg = &cfg;
	tok = digest_unsub_token(&env, 42, "ops@example.com");
	assert_non_null(tok);
	/* The documented scheme, computed independently (Python hmac). */
	assert_string_equal(tok, "NDI6b3BzQGV4YW1wbGUuY29t."
	    "Hvi22bDXTDMD7pfjQk6t2c9TgW9Rs0slyrx6QxaNsyI");
	assert_int_equal(strspn(tok, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklm"
	    "nopqrstuvwxyz0123456789-_."), strlen(tok));
	assert_int_equal(digest_unsub_verify(&env, tok, &ws, &email), ERR_OK);
	assert_int_equal(ws, 42);
	assert_string_equal(email, "ops@example.com");
	/* Any changed character fails; so does another key. */
	bad = arena_strdup(&a, tok);
	bad[3] = bad[3] == 'A' ? 'B' : 'A';
	assert_int_equal(digest_unsub_verify(&env, bad, &ws, &email),
	    ERR_AUTH);
	bad = arena_strdup(&a, tok);
	bad[strlen(bad) - 1] = bad[strlen(bad) - 1] == 'A' ? 'B' : 'A';
	assert_int_equal(digest_unsub_verify(&env, bad, &ws, &email),
	    ERR_AUTH);
	assert_int_equal(digest_unsub_verify(&env, "", &ws, &email), ERR_AUTH);
	assert_int_equal(digest_unsub_verify(&env, "no-dot", &ws, &email),
	    ERR_AUTH);
	assert_int_equal(digest_unsub_verify(&env, NULL, &ws, &email),
	    ERR_AUTH);
	cfg.unsubscribe_secret = "dedicated";
	assert_int_equal(digest_unsub_verify(&env, tok, &ws, &email),
	    ERR_AUTH);
	assert_int_equal(digest_unsub_verify(&env, digest_unsub_token(&env, 7,
	    "x@example.com"), &ws, &email), ERR_OK);
	assert_int_equal(ws, 7);
	/* Without any key there are no links. */
	cfg.unsubscribe_secret = "";
	cfg.encryption_keys = "";
	assert_null(digest_unsub_token(&env, 1, "x@example.com"));
	assert_int_equal(digest_unsub_verify(&env, tok, &ws, &email),
	    ERR_UNAVAILABLE);
	arena_free(&a);
}

static void
test_email_request_json(void **state)
{
	struct arena a;
	struct config cfg;
	struct email_msg m[2];
	struct json_object *o, *e, *h;
	const char *s;

	(void)state;
	arena_init(&a);
	memset(&cfg, 0, sizeof(cfg));
	cfg.mail_from = "digest@hub.example.com";
	cfg.mail_from_name = "KPI Digest";
	memset(m, 0, sizeof(m));
	m[0].to = "a@example.com";
	m[0].subject = "S \"1\"";
	m[0].html = "<p>1</p>";
	m[0].text = "1\n";
	m[0].unsubscribe_url = "https://h/u?token=t";
	m[0].tag = "w1-2025-11-10";
	m[1] = m[0];
	m[1].to = "b@example.com";
	m[1].unsubscribe_url = NULL;
	s = email_json_batch(&a, &cfg, m, 2);
	assert_int_equal(jsonx_parse(&a, s, strlen(s), &o, NULL), ERR_OK);
	assert_int_equal(json_object_array_length(o), 2);
	e = json_object_array_get_idx(o, 0);
	assert_string_equal(json_object_get_string(json_object_object_get(e,
	    "from")), "KPI Digest <digest@hub.example.com>");
	assert_string_equal(json_object_get_string(json_object_array_get_idx(
	    json_object_object_get(e, "to"), 0)), "a@example.com");
	h = json_object_object_get(e, "headers");
	assert_string_equal(json_object_get_string(json_object_object_get(h,
	    "List-Unsubscribe")), "<https://h/u?token=t>");
	assert_string_equal(json_object_get_string(json_object_object_get(h,
	    "List-Unsubscribe-Post")), "List-Unsubscribe=One-Click");
	assert_null(json_object_object_get(json_object_array_get_idx(o, 1),
	    "headers"));
	assert_true(email_address_ok("a.b+c@example.co.uk"));
	assert_false(email_address_ok("a@b"));
	assert_false(email_address_ok("a b@example.com"));
	assert_false(email_address_ok("<a@example.com>"));
	assert_false(email_address_ok("a@@example.com"));
	assert_false(email_address_ok("@example.com"));
	assert_false(email_address_ok(NULL));
	arena_free(&a);
}

/* November 2025 (30 days) against October (31 days). */
static const struct insights_period month = { "2025-11-01", "2025-11-30",
    2025, 11, 1, "Europe/Berlin", true };
#define OCT	31
#define NOV	30

static struct monthly_row mrows[2048];
static size_t nmrows;

/* value v_oct on October's days lo..hi-1 (0-based), v_nov on November's
 * days lo2..hi2-1. */
static void
mput(const char *provider, const char *metric, const char *currency,
    double v_oct, int lo, int hi, double v_nov, int lo2, int hi2)
{
	int d;

	for (d = lo; d < hi; d++)
		mrows[nmrows++] = (struct monthly_row){ provider, metric,
		    currency, d, v_oct };
	for (d = lo2; d < hi2; d++)
		mrows[nmrows++] = (struct monthly_row){ provider, metric,
		    currency, OCT + d, v_nov };
	assert_true(nmrows < nitems(mrows));
}

/* Rows grouped by provider as the database gives them. */
static void
month_dataset(void)
{
	nmrows = 0;
	mput("ga4", "active_users", "", 70, 0, OCT, 80, 0, NOV);
	mput("ga4", "active_users:7d", "", 400, 0, OCT, 450, 0, NOV);
	mput("ga4", "sessions", "", 100, 0, OCT, 120, 0, NOV);
	mput("ga4", "signups", "", 2, 0, OCT, 3, 0, NOV);
	mput("github", "stars", "", 50, 0, OCT, 58, 0, NOV);
	mput("google_ads", "clicks", "", 100, 0, OCT, 100, 0, NOV);
	mput("google_ads", "cost_micros", "EUR", 10e6, 0, OCT, 12e6, 0, NOV);
	mput("google_ads", "cost_micros", "USD", 0, 0, 0, 5e6, 3, 4);
	/* LinkedIn connected on 21 October: a partial month before. */
	mput("linkedin", "impressions", "", 500, 21, OCT, 500, 0, NOV);
}

static const struct insights_kpi *
kpi_of(const struct insights *in, const char *provider, const char *label)
{
	size_t i;

	for (i = 0; i < in->nkpis; i++)
		if (strcmp(in->kpis[i].provider, provider) == 0 &&
		    strcmp(in->kpis[i].label, label) == 0)
			return &in->kpis[i];
	return NULL;
}

/* Each rule over calendar months of different lengths. */
static void
test_monthly_rules(void **state)
{
	const struct insights_kpi *k;
	struct insights in;
	struct arena a;

	(void)state;
	arena_init(&a);
	month_dataset();
	/* YouTube publishes 2-3 days late: November's last 3 days are not
	 * there yet. */
	mput("youtube", "views", "", 1500, 0, OCT, 1700, 0, NOV - 3);
	assert_int_equal(monthly_compute(&a, mrows, nmrows, OCT, NOV, &in),
	    ERR_OK);
	assert_int_equal(in.nitems, 0);
	/* Sums add the days; a shorter month fully covered is no
	 * "partial" comparison. */
	assert_non_null(k = kpi_of(&in, "ga4", "Sessions"));
	assert_true(k->cur == 3600 && k->prev == 3100 && k->has_pct &&
	    !k->partial);
	/* A custom metric is a sum. */
	assert_non_null(k = kpi_of(&in, "ga4", "signups"));
	assert_true(k->cur == 90 && k->prev == 62);
	/* Unique users have no total for a month: no KPI at all, never
	 * the days added up. */
	assert_null(kpi_of(&in, "ga4", "Active users"));
	/* A running total: the last day. */
	assert_non_null(k = kpi_of(&in, "github", "Stars"));
	assert_true(k->cur == 58 && k->prev == 50);
	/* Money stays in its currency; a rate is a ratio of sums. */
	assert_non_null(k = kpi_of(&in, "google_ads", "Cost (EUR)"));
	assert_true(k->cur == 360e6 && k->prev == 310e6);
	assert_non_null(k = kpi_of(&in, "google_ads", "Cost (USD)"));
	assert_true(k->cur == 5e6 && k->has_cur && !k->has_prev);
	assert_non_null(k = kpi_of(&in, "google_ads",
	    "Cost per click (EUR)"));
	assert_true(k->cur == 360e6 / 3000 && k->prev == 310e6 / 3100);
	/* October covered 10 of its 31 days, November all 30: partial. */
	assert_non_null(k = kpi_of(&in, "linkedin", "Impressions"));
	assert_true(k->partial && !k->has_pct);
	/* November covered 27 of its 30 days, October all 31: partial
	 * too, not a false fall. */
	assert_non_null(k = kpi_of(&in, "youtube", "Views"));
	assert_true(k->cur == 27 * 1700 && k->prev == 31 * 1500);
	assert_true(k->partial && !k->has_pct);
	/* Bad lengths. */
	assert_int_equal(monthly_compute(&a, mrows, nmrows, 0, NOV, &in),
	    ERR_INPUT);
	assert_int_equal(monthly_compute(&a, mrows, nmrows, OCT, 32, &in),
	    ERR_INPUT);
	arena_free(&a);
}

static void
test_monthly_email_matches_golden(void **state)
{
	struct arena a;
	struct insights in;
	struct json_object *view;
	struct tmpl *t;
	const char *html, *text, *err;
	int failed;

	(void)state;
	arena_init(&a);
	assert_int_equal(tmpl_load(&a, "templates", &t, &err), ERR_OK);
	month_dataset();
	assert_int_equal(monthly_compute(&a, mrows, nmrows, OCT, NOV, &in),
	    ERR_OK);
	view = digest_month_view(&a, "https://hub.example.com",
	    "Acme & Co <EU>", &month, &in);
	assert_string_equal(json_object_get_string(json_object_object_get(
	    view, "subject")), "Acme & Co <EU> monthly digest: November 2025");
	assert_int_equal(digest_render_view(t, &a, view, "ops@example.com",
	    "https://hub.example.com/v1/digest/unsubscribe?token=abc.def",
	    &html, &text), ERR_OK);
	assert_non_null(strstr(text, "Sluice monthly digest: Acme & Co <EU>"));
	assert_non_null(strstr(text, "November 2025 (Europe/Berlin), "
	    "compared with the month before"));
	assert_null(strstr(text, "week"));
	assert_null(strstr(html, "week"));
	assert_non_null(strstr(html, "partial data"));
	failed = testlib_golden("tests/golden/email/digest_monthly.html", html,
	    strlen(html));
	failed += testlib_golden("tests/golden/email/digest_monthly.txt", text,
	    strlen(text));
	tmpl_free(t);
	arena_free(&a);
	assert_int_equal(failed, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_digest_email_matches_golden),
		cmocka_unit_test(test_monthly_rules),
		cmocka_unit_test(test_monthly_email_matches_golden),
		cmocka_unit_test(test_digest_subject_is_one_plain_line),
		cmocka_unit_test(test_digest_empty_week_renders),
		cmocka_unit_test(test_digest_unsubscribe_tokens),
		cmocka_unit_test(test_email_request_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
