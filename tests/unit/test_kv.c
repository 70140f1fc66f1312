/*
 * test_kv.c — lookups in lists of names with values, and the checks of
 * a query that /v1/content and /v1/reviews shared as copies before
 * kv_stray() and kv_whole().
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "base/kv.h"
#include "base/mem.h"

static void
test_kv_stray_names_unknown_and_twice(void **state)
{
	static const char *const known[] = { "from", "to", "limit" };
	const struct kv ok[] = { { "to", "2026-01-02", 10 },
	    { "from", "2026-01-01", 10 } };
	const struct kv unknown[] = { { "from", "2026-01-01", 10 },
	    { "form", "x", 1 }, { "to", "2026-01-02", 10 } };
	const struct kv twice[] = { { "limit", "5", 1 }, { "to", "x", 1 },
	    { "limit", "6", 1 } };
	struct kvlist l;
	bool two;

	(void)state;
	l.v = ok;
	l.n = nitems(ok);
	assert_null(kv_stray(&l, known, nitems(known), &two));
	assert_false(two);
	l.n = 0;
	assert_null(kv_stray(&l, known, nitems(known), &two));
	l.v = unknown;
	l.n = nitems(unknown);
	assert_ptr_equal(kv_stray(&l, known, nitems(known), &two),
	    &unknown[1]);
	assert_false(two);
	l.v = twice;
	l.n = nitems(twice);
	assert_ptr_equal(kv_stray(&l, known, nitems(known), &two),
	    &twice[2]);
	assert_true(two);
}

static void
test_kv_whole_is_plain(void **state)
{
	static const char *const bad[] = { "0", "-1", "501", "+5", " 5",
	    "5 ", "5x", "", "x", "99999999999999999999" };
	size_t i;

	(void)state;
	assert_true(kv_whole("1", 500));
	assert_true(kv_whole("500", 500));
	assert_true(kv_whole("050", 500));
	for (i = 0; i < nitems(bad); i++)
		assert_false(kv_whole(bad[i], 500));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kv_stray_names_unknown_and_twice),
		cmocka_unit_test(test_kv_whole_is_plain),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
