/*
 * test_pages.c — golden HTML of the pages' templates with fixed views, so
 * a change to a page shows as a change to the HTML files in tests/golden/pages/.  The
 * views are JSON files beside them (the dashboard's is built by
 * views_dashboard() from a fixed tiles document; "schedule" by
 * views_schedule() from fixed schedules, the connection's chart by
 * views_chart()).  SLUICE_GOLDEN_UPDATE=1
 * rewrites the HTML; review the diff.
 */
#include <setjmp.h>
#include <stdarg.h>
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
#include "base/mem.h"
#include "render/tmpl.h"
#include "sync/schedule.h"
#include "views/views.h"
#include "testlib.h"

#define GOLDEN	"tests/golden/pages/"

/* Renders one page and compares it with its golden file. */
static int
check(struct arena *a, const struct tmpl *t, const char *page,
    struct json_object *view)
{
	char path[128], name[64];
	struct buf *b = buf_new_arena(a, LIMIT_TMPL_OUTPUT);

	json_object_object_add(view, "session", json_object_get(
	    testlib_json_file(a, GOLDEN "session.json")));
	snprintf(name, sizeof(name), "pages/%s", page);
	snprintf(path, sizeof(path), GOLDEN "%s.html", page);
	assert_int_equal(tmpl_render_buf(t, name, view, b), ERR_OK);
	/* Escaping holds: the workspace name's markup never appears raw. */
	assert_null(strstr(buf_cstr(b), "<Shop>"));
	return testlib_golden(path, b->data, b->len);
}

/* A healthy schedule, and one whose scheduler stopped ticking. */
static const struct schedule_view sched_ok = { true, "UTC", 3, true, 3,
    "2026-11-23 03:00 UTC", "2026-11-23 07:00 UTC",
    "2026-11-22 09:41 UTC", 20, false };
static const struct schedule_view sched_stale = { true, "Europe/Paris", 5,
    false, 3, "2026-11-23 05:00 Europe/Paris", NULL,
    "2026-11-22 09:01 Europe/Paris", 2420, true };

/* JSON text as an object owned by the arena. */
static struct json_object *
parse(struct arena *a, const char *text)
{
	struct json_object *o = NULL;

	assert_int_equal(jsonx_parse(a, text, strlen(text), &o, NULL),
	    ERR_OK);
	return o;
}

/* The connection page's rows-per-day chart, as pages.c builds it. */
static struct json_object *
rows_chart(struct arena *a)
{
	struct json_object *c;

	c = views_chart(a, parse(a, "[0, 1080, null, 40, 0]"), NULL,
	    "2026-11-18", "Rows changed", "count", NULL);
	json_object_object_add(c, "id", json_object_new_string("chart-rows"));
	return c;
}

static void
test_pages_match_golden(void **state)
{
	static const char *const pages[] = { "login", "setup", "settings",
	    "settings_password", "settings_webhooks", "connection",
	    "connections" };
	struct json_object *view;
	struct arena a;
	struct tmpl *t;
	char path[128];
	const char *err;
	const char *tiles;
	size_t i, len;
	int failed = 0;

	(void)state;
	arena_init(&a);
	assert_int_equal(tmpl_load(&a, "templates", &t, &err), ERR_OK);
	for (i = 0; i < nitems(pages); i++) {
		snprintf(path, sizeof(path), GOLDEN "%s.view.json", pages[i]);
		view = testlib_json_file(&a, path);
		if (strcmp(pages[i], "login") != 0 &&
		    strcmp(pages[i], "setup") != 0)
			json_object_object_add(view, "schedule",
			    json_object_get(views_schedule(&a,
			    strcmp(pages[i], "connection") == 0 ? &sched_ok :
			    &sched_stale)));
		if (strcmp(pages[i], "connection") == 0)
			json_object_object_add(view, "daily_chart",
			    json_object_get(rows_chart(&a)));
		failed += check(&a, t, pages[i], view);
	}
	tiles = testlib_slurp(&a, GOLDEN "dashboard.tiles.json", &len);
	assert_non_null(tiles);
	view = views_dashboard(&a, tiles, "28d");
	json_object_object_add(view, "request_id",
	    json_object_new_string("req-1"));
	failed += check(&a, t, "dashboard", view);
	tmpl_free(t);
	arena_free(&a);
	assert_int_equal(failed, 0);
}

/*
 * A tile with fewer days now than before (YouTube publishes days late)
 * says so: not "6 of 7 days before", which blames the wrong period.
 */
static void
test_pages_partial_now(void **state)
{
	static const char doc[] = "{\"period\":\"7d\",\"days\":7,"
	    "\"tiles\":[{\"provider\":\"youtube\",\"metric\":\"views\","
	    "\"label\":\"Views\",\"unit\":\"count\",\"current\":5126,"
	    "\"previous\":8936,\"change\":null,\"change_pct\":null,"
	    "\"change_pp\":null,\"coverage\":{\"days\":7,\"current\":3,"
	    "\"previous\":6,\"partial\":true},\"series\":[1700,1726,1700,"
	    "null,null,null,null]}]}";
	struct json_object *view, *provs, *tiles, *t;
	struct arena a;
	const char *change = NULL, *cov = NULL;

	(void)state;
	arena_init(&a);
	view = views_dashboard(&a, doc, "7d");
	assert_non_null(view);
	assert_true(json_object_object_get_ex(view, "providers", &provs));
	assert_non_null(t = json_object_array_get_idx(provs, 0));
	assert_true(json_object_object_get_ex(t, "tiles", &tiles));
	assert_non_null(t = json_object_array_get_idx(tiles, 0));
	assert_int_equal(jsonx_get_string(t, "change", &change), ERR_OK);
	assert_string_equal(change, "partial data: 3 of 7 days now, 6 before");
	assert_int_equal(jsonx_get_string(t, "coverage", &cov), ERR_OK);
	assert_string_equal(cov, "data on 3 of 7 days");
	arena_free(&a);
}

static void
test_pages_ago(void **state)
{
	struct arena a;

	(void)state;
	arena_init(&a);
	assert_string_equal(views_ago(&a, -1), "never");
	assert_string_equal(views_ago(&a, 30), "just now");
	assert_string_equal(views_ago(&a, 7200), "2 hours ago");
	arena_free(&a);
}

static void
test_pages_schedule_view(void **state)
{
	struct schedule_view never = sched_stale;
	struct json_object *v, *hours;
	const char *banner;
	struct arena a;

	(void)state;
	arena_init(&a);
	v = views_schedule(&a, &sched_ok);
	assert_false(json_object_get_boolean(json_object_object_get(v,
	    "stale")));
	assert_null(json_object_object_get(v, "banner"));
	assert_string_equal(json_object_get_string(json_object_object_get(v,
	    "sync_hour_label")), "03:00 (the default)");
	hours = json_object_object_get(v, "hours");
	assert_int_equal(json_object_array_length(hours), 25);
	assert_true(json_object_get_boolean(json_object_object_get(
	    json_object_array_get_idx(hours, 0), "selected")));
	v = views_schedule(&a, &sched_stale);
	banner = json_object_get_string(json_object_object_get(v, "banner"));
	assert_non_null(strstr(banner, "last ran at 2026-11-22 09:01 "
	    "Europe/Paris (40 minutes ago)"));
	hours = json_object_object_get(v, "hours");
	assert_true(json_object_get_boolean(json_object_object_get(
	    json_object_array_get_idx(hours, 6), "selected")));	/* 05:00 */
	never.last_tick = NULL;
	never.tick_age_s = -1;
	v = views_schedule(&a, &never);
	banner = json_object_get_string(json_object_object_get(v, "banner"));
	assert_non_null(strstr(banner, "scheduler is not running"));
	assert_non_null(strstr(banner, "SLUICE_SCHEDULER=0"));
	arena_free(&a);
}

/* A field of a chart's object, or of its array's element i. */
static const char *
field(struct json_object *o, const char *arr, size_t i, const char *k)
{
	if (arr != NULL)
		o = json_object_array_get_idx(json_object_object_get(o, arr),
		    i);
	return json_object_get_string(json_object_object_get(o, k));
}

static size_t
count(struct json_object *o, const char *arr)
{
	return json_object_array_length(json_object_object_get(o, arr));
}

/*
 * The chart's geometry and words: rounded value ticks from zero written
 * with the unit, the first, middle and last dates, one titled point a
 * day with data, the line broken at a day without (no zero made up),
 * the previous period faint beside it, a summary naming the extremes.
 */
static void
test_views_chart_geometry(void **state)
{
	struct arena a;
	struct json_object *c;
	size_t i;

	(void)state;
	arena_init(&a);
	c = views_chart(&a, parse(&a,
	    "[1200, 1800, null, 2600, 1500]"), parse(&a,
	    "[1000, null, 1100, 1300, 900]"), "2026-11-30", "Sessions",
	    "count", NULL);
	assert_true(json_object_get_boolean(json_object_object_get(c,
	    "has_data")));
	assert_string_equal(field(c, NULL, 0, "title"), "Sessions per day");
	assert_string_equal(field(c, NULL, 0, "summary"), "Sessions per "
	    "day, 2026-11-30 to 2026-12-04: lowest 1,200 on 2026-11-30, "
	    "highest 2,600 on 2026-12-03; no data on 1 of 5 days.");
	/* 0 to 3,000 in steps of 1,000: the highest value fits under. */
	assert_int_equal(count(c, "yticks"), 4);
	assert_string_equal(field(c, "yticks", 0, "label"), "0");
	assert_string_equal(field(c, "yticks", 3, "label"), "3,000");
	/* Zero sits on the plot's bottom (200 - 30), 3,000 on its top. */
	assert_string_equal(field(c, "yticks", 0, "y"), "170.0");
	assert_string_equal(field(c, "yticks", 3, "y"), "12.0");
	/* Dates: first, middle, last, anchored so none leaves the box. */
	assert_int_equal(count(c, "xticks"), 3);
	assert_string_equal(field(c, "xticks", 0, "label"), "2026-11-30");
	assert_string_equal(field(c, "xticks", 0, "anchor"), "start");
	assert_string_equal(field(c, "xticks", 1, "label"), "2026-12-02");
	assert_string_equal(field(c, "xticks", 2, "label"), "2026-12-04");
	assert_string_equal(field(c, "xticks", 2, "anchor"), "end");
	assert_string_equal(field(c, "xticks", 2, "x"), "468.0");
	/* A point per day with data, titled with its day and value. */
	assert_int_equal(count(c, "points"), 4);
	assert_string_equal(field(c, "points", 0, "title"),
	    "2026-11-30: 1,200");
	assert_string_equal(field(c, "points", 2, "title"),
	    "2026-12-03: 2,600");
	/* 2,600 of 3,000: y = 170 - 2600 * 158 / 3000. */
	assert_string_equal(field(c, "points", 2, "y"), "33.1");
	/* Gaps: two pieces of line each side of the empty day. */
	assert_int_equal(count(c, "segments"), 2);
	assert_int_equal(count(c, "previous"), 2);
	/* The same numbers as a table, the day without data said so. */
	assert_int_equal(count(c, "rows"), 5);
	assert_string_equal(field(c, "rows", 2, "value"), "no data");
	assert_string_equal(field(c, "rows", 2, "before"), "1,100");
	for (i = 0; i < count(c, "points"); i++)
		assert_non_null(strstr(field(c, "points", i, "title"), ": "));

	/* Money in its currency; ratios as percentages. */
	c = views_chart(&a, parse(&a, "[2500000, 12340000]"), NULL,
	    "2026-11-30", "Cost (EUR)", "currency_micros", "EUR");
	assert_string_equal(field(c, "yticks", count(c, "yticks") - 1,
	    "label"), "€15.00");
	assert_string_equal(field(c, "points", 1, "title"),
	    "2026-12-01: €12.34");
	c = views_chart(&a, parse(&a, "[0.25, 0.5]"), NULL,
	    "2026-11-30", "Engagement rate", "ratio", NULL);
	assert_string_equal(field(c, "points", 1, "title"),
	    "2026-12-01: 50.0%");

	/* The same number every day is said once; no comparison line is
	 * named when the period before has no data. */
	c = views_chart(&a, parse(&a, "[5, null, 5]"), parse(&a,
	    "[null, null, null]"), "2026-11-30", "Views", "count", NULL);
	assert_string_equal(field(c, NULL, 0, "summary"), "Views per day, "
	    "2026-11-30 to 2026-12-02: 5 on every day with data; no data "
	    "on 1 of 3 days.");
	assert_false(json_object_get_boolean(json_object_object_get(c,
	    "has_previous")));
	assert_int_equal(count(c, "previous"), 0);

	/* No number at all: no line, no zeros, the empty state. */
	c = views_chart(&a, parse(&a, "[null, null, null]"), NULL,
	    "2026-11-30", "Sessions", "count", NULL);
	assert_false(json_object_get_boolean(json_object_object_get(c,
	    "has_data")));
	assert_null(json_object_object_get(c, "points"));
	assert_string_equal(field(c, NULL, 0, "empty"),
	    "No data for these days yet.");
	assert_string_equal(field(c, NULL, 0, "summary"), "Sessions per "
	    "day, 2026-11-30 to 2026-12-02: no data for these days yet.");
	arena_free(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pages_match_golden),
		cmocka_unit_test(test_pages_partial_now),
		cmocka_unit_test(test_pages_ago),
		cmocka_unit_test(test_pages_schedule_view),
		cmocka_unit_test(test_views_chart_geometry),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
