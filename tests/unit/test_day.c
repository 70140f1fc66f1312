/*
 * test_day.c — day numbers and YYYY-MM-DD text, against the C library's
 * timegm(3) and gmtime_r(3), which the modules used before lib/base/day.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "base/arena.h"
#include "base/day.h"

/* What timegm() says of y-m-d (months and days carried over). */
static int64_t
libc_day(int y, int m, int d)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	return (int64_t)timegm(&tm) / DAY_SECONDS;
}

static void
test_day_civil_round_trip_matches_gmtime(void **state)
{
	struct arena a;
	struct tm tm;
	char want[32];
	int64_t day, y;
	time_t t;
	int m, d;

	(void)state;
	arena_init(&a);
	/* Year -2000 to 4000, a day in seven (every weekday, month end). */
	for (day = -1450000; day <= 780000; day += 7) {
		t = (time_t)(day * DAY_SECONDS);
		assert_non_null(gmtime_r(&t, &tm));
		day_to_civil(day, &y, &m, &d);
		assert_int_equal(y, tm.tm_year + 1900);
		assert_int_equal(m, tm.tm_mon + 1);
		assert_int_equal(d, tm.tm_mday);
		assert_int_equal(day_weekday(day), tm.tm_wday);
		assert_int_equal(day_from_civil(y, m, d), day);
		snprintf(want, sizeof(want), "%04d-%02d-%02d",
		    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
		assert_string_equal(day_text(&a, day), want);
		arena_reset(&a);
	}
	arena_free(&a);
}

static void
test_day_carries_over_like_timegm(void **state)
{
	int y, m, d;

	(void)state;
	for (y = 1896; y <= 2104; y += 4)
		for (m = -30; m <= 40; m++)
			for (d = -40; d <= 70; d++)
				assert_int_equal(day_from_civil(y, m, d),
				    libc_day(y, m, d));
	assert_int_equal(day_from_civil(2024, 2, 30),
	    day_from_civil(2024, 3, 1));
	assert_int_equal(day_from_civil(2023, 13, 1),
	    day_from_civil(2024, 1, 1));
	assert_int_equal(day_from_civil(2024, 3, 0),
	    day_from_civil(2024, 2, 29));
}

static void
test_day_month_length_knows_leap_years(void **state)
{
	(void)state;
	assert_int_equal(day_month_length(2024, 2), 29);
	assert_int_equal(day_month_length(2023, 2), 28);
	assert_int_equal(day_month_length(1900, 2), 28);
	assert_int_equal(day_month_length(2000, 2), 29);
	assert_int_equal(day_month_length(2023, 4), 30);
	assert_int_equal(day_month_length(2023, 12), 31);
	assert_int_equal(day_month_length(2023, 0), 0);
	assert_int_equal(day_month_length(2023, 13), 0);
}

static void
test_day_of_epoch_floors(void **state)
{
	(void)state;
	assert_int_equal(day_of_epoch(0), 0);
	assert_int_equal(day_of_epoch(86399), 0);
	assert_int_equal(day_of_epoch(86400), 1);
	assert_int_equal(day_of_epoch(-1), -1);
	assert_int_equal(day_of_epoch(-86400), -1);
	assert_int_equal(day_of_epoch(-86401), -2);
	assert_int_equal(day_of_epoch(1767225600), 20454);	/* 2026-01-01 */
}

static void
test_day_scan_and_add(void **state)
{
	struct arena a;
	int64_t day;

	(void)state;
	arena_init(&a);
	assert_true(day_scan("2026-03-01", &day));
	assert_int_equal(day, day_from_civil(2026, 3, 1));
	/* What follows the date is ignored, as sscanf does. */
	assert_true(day_scan("2026-03-01T08:00:00+0000", &day));
	assert_int_equal(day, day_from_civil(2026, 3, 1));
	assert_false(day_scan("yesterday", &day));
	assert_false(day_scan(NULL, &day));
	assert_string_equal(day_add(&a, "2024-03-01", -1), "2024-02-29");
	assert_string_equal(day_add(&a, "2023-03-01T07:00:00+0000", -1),
	    "2023-02-28");
	assert_string_equal(day_add(&a, "2025-12-31", 1), "2026-01-01");
	assert_string_equal(day_add(&a, "2025-01-01", 90), "2025-04-01");
	assert_string_equal(day_add(&a, "2025-11-09", -27), "2025-10-13");
	assert_null(day_add(&a, "not a day", 1));
	assert_null(day_add(&a, NULL, 1));
	assert_string_equal(day_text(&a, 0), "1970-01-01");
	assert_string_equal(day_text(&a, -1), "1969-12-31");
	arena_free(&a);
}

/* Only a strict YYYY-MM-DD of a real day. */
static void
test_day_parse_is_strict(void **state)
{
	static const char *const bad[] = { "2026-02-30", "2026-13-01",
	    "2026-00-10", "2026-1-01", "2026-01-1", "2026-01-010",
	    "2026/01/01", " 2026-01-01", "2026-01-01 ", "+026-01-01",
	    "2026-0a-01", "", "2025-02-29" };
	int64_t d;
	size_t i;

	(void)state;
	assert_true(day_parse("2024-02-29", &d));
	assert_int_equal(d, day_from_civil(2024, 2, 29));
	assert_true(day_parse("1970-01-01", &d));
	assert_int_equal(d, 0);
	assert_true(day_parse("0001-12-31", &d));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(day_parse(bad[i], &d));
	assert_false(day_parse(NULL, &d));
}

static void
test_day_span_problem_names_the_field(void **state)
{
	struct arena a;
	const char *why;

	(void)state;
	arena_init(&a);
	assert_null(day_span_problem(&a, NULL, "from", NULL, "to", &why));
	assert_null(why);
	assert_null(day_span_problem(&a, "2026-01-01", "since", "2026-01-01",
	    "until", &why));
	assert_string_equal(day_span_problem(&a, "2026-02-30", "since", NULL,
	    "until", &why), "since");
	assert_string_equal(why, "must be a date, YYYY-MM-DD");
	assert_string_equal(day_span_problem(&a, NULL, "from", "2026-1-01",
	    "to", &why), "to");
	assert_string_equal(why, "must be a date, YYYY-MM-DD");
	assert_string_equal(day_span_problem(&a, "2026-01-02", "from",
	    "2026-01-01", "to", &why), "to");
	assert_string_equal(why, "must not be before from");
	arena_free(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_day_civil_round_trip_matches_gmtime),
		cmocka_unit_test(test_day_carries_over_like_timegm),
		cmocka_unit_test(test_day_month_length_knows_leap_years),
		cmocka_unit_test(test_day_of_epoch_floors),
		cmocka_unit_test(test_day_scan_and_add),
		cmocka_unit_test(test_day_parse_is_strict),
		cmocka_unit_test(test_day_span_problem_names_the_field),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
