/*
 * test_numfmt.c — numbers for people: the one way the dashboard, the
 * digest and the history tables write a value, money with its currency.
 */
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
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

/* numfmt_1f(v) against printf("%.1f", v) itself; returns 1 on a
 * difference (and says which). */
static int
same_as_printf(double v)
{
	char fast[NUMFMT_1F_SIZE], slow[NUMFMT_1F_SIZE];
	size_t len;

	len = numfmt_1f(fast, v);
	snprintf(slow, sizeof(slow), "%.1f", v);
	if (strcmp(fast, slow) == 0 && len == strlen(slow))
		return 0;
	print_error("numfmt_1f(%.17g) = \"%s\", printf \"%s\"\n", v, fast,
	    slow);
	return 1;
}

/* A reproducible 64-bit generator (splitmix64). */
static uint64_t
next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void
test_numfmt_1f_is_printf(void **state)
{
	static const double fixed[] = { 0, -0.0, 0.05, -0.05, 0.15, 0.25,
	    0.35, 0.45, 0.75, -0.25, -0.04, -0.05, 1.25, 2.5, 0.95, 9.95,
	    99.95, 999999.95, 999999.94, 999999.96, 1e6, -1e6, 1e6 - 0.05,
	    123456.75, 1e-300, -1e-300, DBL_MIN, -DBL_MIN, 4.9e-324, 1e15,
	    1e300, -1e300, DBL_MAX, -DBL_MAX, INFINITY, -INFINITY, NAN, -NAN };
	char out[NUMFMT_1F_SIZE];
	uint64_t seed = 19, bits;
	double v, scale;
	long bad = 0, i, k;
	int j;

	(void)state;
	/* What the dashboard's points look like, and the edges. */
	assert_int_equal(numfmt_1f(out, -0.04), 4);
	assert_string_equal(out, "-0.0");
	numfmt_1f(out, 0.15);		/* 0.1499999999999999944 */
	assert_string_equal(out, "0.1");
	numfmt_1f(out, 0.25);		/* an exact half: to even */
	assert_string_equal(out, "0.2");
	numfmt_1f(out, 0.75);
	assert_string_equal(out, "0.8");
	numfmt_1f(out, 479.99);
	assert_string_equal(out, "480.0");
	for (i = 0; i < (long)(sizeof(fixed) / sizeof(fixed[0])); i++)
		bad += same_as_printf(fixed[i]);
	/* Every tenth, twentieth (the halves: x.x5, not exact in binary)
	 * and quarter up to 10,000 and their neighbours a few ulps away,
	 * both signs: where rounding is decided. */
	for (k = 0; k <= 200000; k++)
		for (j = 0; j < 3; j++) {
			v = j == 0 ? k / 20.0 : j == 1 ? k / 4.0 / 5.0 :
			    (double)k * 0.05;
			if (j == 1 && k > 50000)
				break;
			bad += same_as_printf(v) + same_as_printf(-v) +
			    same_as_printf(nextafter(v, INFINITY)) +
			    same_as_printf(nextafter(v, -INFINITY)) +
			    same_as_printf(nextafter(nextafter(v, INFINITY),
			    INFINITY)) + same_as_printf(nextafter(nextafter(v,
			    -INFINITY), -INFINITY));
		}
	/* Random values at every scale up to past 1e6 (uniform in
	 * [0, 2^e) for e -20..22), random bit patterns (any double). */
	for (i = 0; i < 2000000; i++) {
		bits = next(&seed);
		scale = ldexp(1, (int)(i % 43) - 20);
		v = (double)(bits >> 11) * 0x1p-53 * scale;
		bad += same_as_printf((bits & 1) ? -v : v);
	}
	for (i = 0; i < 200000; i++) {
		bits = next(&seed);
		memcpy(&v, &bits, sizeof(v));
		bad += same_as_printf(v);
	}
	assert_int_equal(bad, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_numfmt_units),
		cmocka_unit_test(test_numfmt_money),
		cmocka_unit_test(test_numfmt_currency_ok),
		cmocka_unit_test(test_numfmt_1f_is_printf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
