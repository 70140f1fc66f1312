/*
 * test_tiles.c — the tiles document's numbers: tiles_num() writes the
 * same bytes as printf's "%.15g" (what the document always held), most
 * of them without printf.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "metrics/tiles.h"

/* tiles_num(v) against snprintf("%.15g"), naming v when they differ. */
static void
same(double v)
{
	char got[TILES_NUM_SIZE], want[TILES_NUM_SIZE];
	size_t n;

	n = tiles_num(got, true, v);
	(void)snprintf(want, sizeof(want), "%.15g", v);
	if (strcmp(got, want) != 0 || n != strlen(want))
		fail_msg("%.17g: tiles_num wrote \"%s\" (%zu), printf \"%s\"",
		    v, got, n, want);
}

static void
test_tiles_num_fixed(void **state)
{
	char out[TILES_NUM_SIZE];

	(void)state;
	assert_int_equal(tiles_num(out, false, 1), 4);
	assert_string_equal(out, "null");
	assert_int_equal(tiles_num(out, true, NAN), 4);
	assert_string_equal(out, "null");
	assert_int_equal(tiles_num(out, true, -INFINITY), 4);
	assert_string_equal(out, "null");
	assert_int_equal(tiles_num(out, true, -0.0), 1);
	assert_string_equal(out, "0");
	tiles_num(out, true, 123456789012345);
	assert_string_equal(out, "123456789012345");
	tiles_num(out, true, -42);
	assert_string_equal(out, "-42");
	tiles_num(out, true, 0.1 + 0.2);
	assert_string_equal(out, "0.3");
	tiles_num(out, true, 2.0 / 3);
	assert_string_equal(out, "0.666666666666667");
	tiles_num(out, true, -1e-4 * 1.5);
	assert_string_equal(out, "-0.00015");
	tiles_num(out, true, 1e-7);
	assert_string_equal(out, "1e-07");
	tiles_num(out, true, 1e15);
	assert_string_equal(out, "1e+15");
	/* Near the power of ten the digits round up to, and at a tie. */
	same(9.9999999999999995);
	same(99999999999999.95);
	same(0.99999999999999994);
	same(1.0000000000000005);
	same(0.1234567890123455);
	same(123456.7890123455);
	same(1e-4);
	same(9.99999999999999e-5);
	same(1e14 + 0.5);
	same(999999999999999.4);
}

/* Every kind of value a tile holds: ratios of counts, averages, money
 * shares, percentages, at every scale from 1e-6 to 1e17. */
static void
test_tiles_num_matches_printf(void **state)
{
	unsigned long long seed = 88172645463325252ULL;
	double v, a, b;
	long i;
	int k;

	(void)state;
	for (i = 0; i < 2000000; i++) {
		seed ^= seed << 13;
		seed ^= seed >> 7;
		seed ^= seed << 17;
		a = (double)(seed % 100000000) - 50000000;
		b = (double)((seed >> 27) % 99999 + 1);
		k = (int)((seed >> 44) % 24) - 6;
		switch (i % 4) {
		case 0:		/* a ratio of two counts */
			v = a / b;
			break;
		case 1:		/* that, at any scale */
			v = a / b * pow(10, k);
			break;
		case 2:		/* a percentage change */
			v = (a - b) / fabs(b) * 100;
			break;
		default:	/* any bits of a double in range */
			memcpy(&v, &seed, sizeof(v));
			if (!isfinite(v) || fabs(v) > 1e18 || fabs(v) < 1e-7)
				v = (double)(seed >> 11) / 9007199254740992.0 *
				    pow(10, k);
			break;
		}
		same(v);
		same(-v);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tiles_num_fixed),
		cmocka_unit_test(test_tiles_num_matches_printf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
