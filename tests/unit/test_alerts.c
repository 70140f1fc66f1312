/* test_alerts.c — the alerts' decision: conditions, open, resolve. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "base/arena.h"
#include "sync/alerts.h"

static struct alerts_fact
conn(int64_t ws, const char *subject, const char *status, int failures)
{
	struct alerts_fact f = { ws, subject, status, failures, false };

	return f;
}

static struct alerts_fact
sched(int64_t ws, bool missed)
{
	struct alerts_fact f = { ws, "schedule", NULL, 0, missed };

	return f;
}

static void
test_alerts_condition_per_state(void **state)
{
	struct alerts_fact f;

	(void)state;
	f = conn(1, "connection:1", "needs_reauth", 0);
	assert_int_equal(alerts_condition(&f, 3), ALERTS_REAUTH);
	/* Needs reconnecting wins over failures. */
	f = conn(1, "connection:1", "needs_reauth", 3);
	assert_int_equal(alerts_condition(&f, 3), ALERTS_REAUTH);
	f = conn(1, "connection:1", "connected", 3);
	assert_int_equal(alerts_condition(&f, 3), ALERTS_FAILING);
	f = conn(1, "connection:1", "error", 3);
	assert_int_equal(alerts_condition(&f, 3), ALERTS_FAILING);
	/* Two failures in a row are not three. */
	f = conn(1, "connection:1", "connected", 2);
	assert_int_equal(alerts_condition(&f, 3), ALERTS_NONE);
	f = conn(1, "connection:1", "connected", 1);
	assert_int_equal(alerts_condition(&f, 1), ALERTS_FAILING);
	/* Disconnected by a person: nothing to say. */
	f = conn(1, "connection:1", "disconnected", 9);
	assert_int_equal(alerts_condition(&f, 3), ALERTS_NONE);
	f = sched(1, true);
	assert_int_equal(alerts_condition(&f, 3), ALERTS_MISSED);
	f = sched(1, false);
	assert_int_equal(alerts_condition(&f, 3), ALERTS_NONE);
}

static void
test_alerts_decide_opens_once(void **state)
{
	struct alerts_fact facts[3];
	struct alerts_open open[1];
	struct alerts_action out[4];
	size_t n;

	(void)state;
	facts[0] = conn(1, "connection:7", "needs_reauth", 0);
	facts[1] = conn(1, "connection:8", "connected", 0);
	facts[2] = sched(2, true);
	n = alerts_decide(facts, 3, NULL, 0, 3, out);
	assert_int_equal(n, 2);
	assert_int_equal(out[0].what, ALERTS_OPEN);
	assert_int_equal(out[0].kind, ALERTS_REAUTH);
	assert_int_equal(out[0].fact, 0);
	assert_int_equal(out[1].what, ALERTS_OPEN);
	assert_int_equal(out[1].kind, ALERTS_MISSED);
	assert_int_equal(out[1].fact, 2);
	/* The same state again, with the first incident open: only the
	 * second is opened; nothing is resolved. */
	open[0] = (struct alerts_open){ 41, 1, ALERTS_REAUTH,
	    "connection:7" };
	n = alerts_decide(facts, 3, open, 1, 3, out);
	assert_int_equal(n, 1);
	assert_int_equal(out[0].what, ALERTS_OPEN);
	assert_int_equal(out[0].kind, ALERTS_MISSED);
}

static void
test_alerts_decide_workspaces_apart(void **state)
{
	struct alerts_fact facts[1];
	struct alerts_open open[1];
	struct alerts_action out[2];
	size_t n;

	(void)state;
	/* Workspace 2's schedule is open; workspace 1's misses now. */
	facts[0] = sched(1, true);
	open[0] = (struct alerts_open){ 5, 2, ALERTS_MISSED, "schedule" };
	n = alerts_decide(facts, 1, open, 1, 3, out);
	assert_int_equal(n, 2);
	assert_int_equal(out[0].what, ALERTS_OPEN);
	assert_int_equal(out[1].what, ALERTS_RESOLVE);
	assert_int_equal(out[1].open, 0);
}

static void
test_alerts_decide_resolves_and_supersedes(void **state)
{
	struct alerts_fact facts[2];
	struct alerts_open open[3];
	struct alerts_action out[5];
	size_t n;

	(void)state;
	/* 7 reconnected (fact without a condition); 8 failed, now needs
	 * reconnecting; 9's connection is gone (no fact): quiet. */
	facts[0] = conn(1, "connection:7", "connected", 0);
	facts[1] = conn(1, "connection:8", "needs_reauth", 3);
	open[0] = (struct alerts_open){ 1, 1, ALERTS_REAUTH, "connection:7" };
	open[1] = (struct alerts_open){ 2, 1, ALERTS_FAILING,
	    "connection:8" };
	open[2] = (struct alerts_open){ 3, 1, ALERTS_FAILING,
	    "connection:9" };
	n = alerts_decide(facts, 2, open, 3, 3, out);
	assert_int_equal(n, 4);
	assert_int_equal(out[0].what, ALERTS_OPEN);
	assert_int_equal(out[0].kind, ALERTS_REAUTH);
	assert_int_equal(out[0].fact, 1);
	assert_int_equal(out[1].what, ALERTS_RESOLVE);
	assert_int_equal(out[1].open, 0);
	assert_int_equal(out[2].what, ALERTS_QUIET);
	assert_int_equal(out[2].open, 1);
	assert_int_equal(out[3].what, ALERTS_QUIET);
	assert_int_equal(out[3].open, 2);
}

static void
test_alerts_decide_disconnected_is_quiet(void **state)
{
	struct alerts_fact facts[1];
	struct alerts_open open[2];
	struct alerts_action out[3];
	size_t n;

	(void)state;
	/* A person disconnected it: no "connected again" note.  A missed
	 * daily run without a fact ran since: resolved, with its note. */
	facts[0] = conn(1, "connection:7", "disconnected", 0);
	open[0] = (struct alerts_open){ 1, 1, ALERTS_REAUTH, "connection:7" };
	open[1] = (struct alerts_open){ 2, 1, ALERTS_MISSED, "schedule" };
	n = alerts_decide(facts, 1, open, 2, 3, out);
	assert_int_equal(n, 2);
	assert_int_equal(out[0].what, ALERTS_QUIET);
	assert_int_equal(out[0].open, 0);
	assert_int_equal(out[1].what, ALERTS_RESOLVE);
	assert_int_equal(out[1].open, 1);
}

static void
test_alerts_decide_threshold_moves(void **state)
{
	struct alerts_fact facts[1];
	struct alerts_open open[1];
	struct alerts_action out[2];

	(void)state;
	facts[0] = conn(1, "connection:7", "connected", 3);
	open[0] = (struct alerts_open){ 1, 1, ALERTS_FAILING, "connection:7" };
	/* Still failing: nothing to do. */
	assert_int_equal(alerts_decide(facts, 1, open, 1, 3, out), 0);
	/* A success since: two of the last three failed. */
	facts[0].failures = 2;
	assert_int_equal(alerts_decide(facts, 1, open, 1, 3, out), 1);
	assert_int_equal(out[0].what, ALERTS_RESOLVE);
}

static void
test_alerts_kind_names_round_trip(void **state)
{
	int k;

	(void)state;
	for (k = ALERTS_NONE + 1; k < ALERTS_KIND__MAX; k++)
		assert_int_equal(alerts_kind_of(alerts_kind_name(k)), k);
	assert_null(alerts_kind_name(ALERTS_NONE));
	assert_int_equal(alerts_kind_of("nope"), ALERTS_NONE);
	assert_int_equal(alerts_kind_of(NULL), ALERTS_NONE);
}

static void
test_alerts_banner_words(void **state)
{
	struct arena a;
	const char *text, *action, *url;

	(void)state;
	arena_init(&a);
	text = alerts_banner_text(&a, ALERTS_REAUTH, "linkedin",
	    "5 Dec 10:02 (Europe/Paris)", NULL, 7, &action, &url);
	assert_string_equal(text, "LinkedIn needs reconnecting since 5 Dec "
	    "10:02 (Europe/Paris)");
	assert_string_equal(action, "Reconnect");
	assert_string_equal(url, "/connections/linkedin");
	/* One of several logins: named, and its own page. */
	text = alerts_banner_text(&a, ALERTS_REAUTH, "ga4", "5 Dec 10:02 "
	    "(UTC)", "ana@agency.example", 7, &action, &url);
	assert_string_equal(text, "Google Analytics 4 (ana@agency.example) "
	    "needs reconnecting since 5 Dec 10:02 (UTC)");
	assert_string_equal(url, "/connections/7");
	text = alerts_banner_text(&a, ALERTS_MISSED, NULL,
	    "5 Dec 03:00 (UTC)", "x", 7, &action, &url);
	assert_string_equal(text, "The daily sync did not start on time: it "
	    "was due 5 Dec 03:00 (UTC)");
	assert_string_equal(url, "/connections");
	/* An unknown slug is never put in a path. */
	text = alerts_banner_text(&a, ALERTS_FAILING, "../x", "t", NULL, 0,
	    &action, &url);
	assert_string_equal(url, "/connections");
	assert_non_null(strstr(text, "../x"));
	arena_free(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alerts_condition_per_state),
		cmocka_unit_test(test_alerts_decide_opens_once),
		cmocka_unit_test(test_alerts_decide_workspaces_apart),
		cmocka_unit_test(test_alerts_decide_resolves_and_supersedes),
		cmocka_unit_test(test_alerts_decide_disconnected_is_quiet),
		cmocka_unit_test(test_alerts_decide_threshold_moves),
		cmocka_unit_test(test_alerts_kind_names_round_trip),
		cmocka_unit_test(test_alerts_banner_words),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
