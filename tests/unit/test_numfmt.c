/*
 * test_numfmt.c — numbers for people: the one way the dashboard, the
 * digest and the history tables write a value, money with its currency.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "base/arena.h"
#include "base/numfmt.h"

static void
test_numfmt_units(void **state)
{
	struct arena a;

	(void)state;
	arena_init(&a);
	assert_string_equal(numfmt_value(&a, 12480, "count", NULL), "12,480");
	assert_string_equal(numfmt_value(&a, -1234567, "count", NULL),
	    "-1,234,567");
	assert_string_equal(numfmt_value(&a, 0, "count", NULL), "0");
	assert_string_equal(numfmt_value(&a, 2.5, "count", NULL), "2.50");
	assert_string_equal(numfmt_value(&a, -0.001, NULL, NULL), "0.00");
	assert_string_equal(numfmt_value(&a, 0.4213, "ratio", NULL), "42.1%");
	assert_string_equal(numfmt_value(&a, 0.1234, "ratio", NULL), "12.3%");
	assert_string_equal(numfmt_value(&a, 45, "seconds", NULL), "45s");
	assert_string_equal(numfmt_value(&a, 65, "seconds", NULL), "1m 05s");
	assert_string_equal(numfmt_value(&a, 200, "seconds", NULL), "3m 20s");
	assert_string_equal(numfmt_value(&a, 7265, "seconds", NULL),
	    "2h 01m");
	assert_string_equal(numfmt_value(&a, 3600.0 * 1234, "seconds", NULL),
	    "1,234h 00m");
	assert_string_equal(numfmt_value(&a, 123456, "minutes", NULL),
	    "123,456 min");
	assert_string_equal(numfmt_value(&a, NAN, "count", NULL), "–");
	assert_string_equal(numfmt_value(&a, INFINITY, "ratio", NULL), "–");
	assert_string_equal(numfmt_value(&a, 1e308, "count", NULL), "–");
	arena_free(&a);
}

/* Each currency with its symbol (where one is unambiguous) or its code,
 * and its own decimals; no currency: the amount alone. */
static void
test_numfmt_money(void **state)
{
	struct arena a;

	(void)state;
	arena_init(&a);
	assert_string_equal(numfmt_value(&a, 11835540000, "currency_micros",
	    "EUR"), "€11,835.54");
	assert_string_equal(numfmt_value(&a, 2133220000, "currency_micros",
	    "USD"), "$2,133.22");
	assert_string_equal(numfmt_value(&a, -1500000, "currency_micros",
	    "GBP"), "-£1.50");
	assert_string_equal(numfmt_value(&a, 1234500000, "currency_micros",
	    "CHF"), "CHF 1,234.50");
	assert_string_equal(numfmt_value(&a, 1234567890, "currency_micros",
	    "JPY"), "¥1,235");
	assert_string_equal(numfmt_value(&a, 1234567, "currency_micros",
	    "KWD"), "KWD 1.235");
	assert_string_equal(numfmt_value(&a, 1234500000, "currency_micros",
	    NULL), "1,234.50");
	assert_string_equal(numfmt_value(&a, 1234500000, "currency_micros",
	    "eur"), "1,234.50");
	assert_string_equal(numfmt_value(&a, 1234.5, NULL, "EUR"),
	    "1,234.50 EUR");
	assert_int_equal(numfmt_currency_decimals("JPY"), 0);
	assert_int_equal(numfmt_currency_decimals("BHD"), 3);
	assert_int_equal(numfmt_currency_decimals("SEK"), 2);
	arena_free(&a);
}

static void
test_numfmt_currency_ok(void **state)
{
	(void)state;
	assert_true(numfmt_currency_ok("EUR"));
	assert_true(numfmt_currency_ok("XXX"));
	assert_false(numfmt_currency_ok(NULL));
	assert_false(numfmt_currency_ok(""));
	assert_false(numfmt_currency_ok("eur"));
	assert_false(numfmt_currency_ok("EURO"));
	assert_false(numfmt_currency_ok("E1R"));
	assert_false(numfmt_currency_ok("€"));
	/* Known codes, not only their form. */
	assert_true(numfmt_currency_known("EUR"));
	assert_true(numfmt_currency_known("AED"));
	assert_true(numfmt_currency_known("ZWL"));
	assert_true(numfmt_currency_known("JPY"));
	assert_false(numfmt_currency_known("XYZ"));
	assert_false(numfmt_currency_known("EURO"));
	assert_false(numfmt_currency_known("EDA"));	/* across a boundary */
	assert_false(numfmt_currency_known(NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_numfmt_units),
		cmocka_unit_test(test_numfmt_money),
		cmocka_unit_test(test_numfmt_currency_ok),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
