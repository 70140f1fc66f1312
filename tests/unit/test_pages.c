/*
 * test_pages.c — golden HTML of the pages' templates with fixed views, so
 * a change to a page shows as a change to the HTML files in tests/golden/pages/.  The
 * views are JSON files beside them (the dashboard's is built by
 * views_dashboard() from a fixed tiles document; "schedule" by
 * views_schedule() from fixed schedules).  SLUICE_GOLDEN_UPDATE=1
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

static void
test_pages_match_golden(void **state)
{
	static const char *const pages[] = { "login", "setup", "settings",
	    "settings_password", "connection", "connections" };
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pages_match_golden),
		cmocka_unit_test(test_pages_ago),
		cmocka_unit_test(test_pages_schedule_view),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
