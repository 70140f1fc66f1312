/* test_syncq.c — the queue's backoff: exponential, capped, jittered. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sync/syncq.h"

static void
test_syncq_backoff_doubles_then_caps(void **state)
{
	(void)state;
	/* Without jitter (rnd 0): 30, 60, 120, ... up to the cap. */
	assert_int_equal(syncq_backoff(1, 30, 3600, 0), 30);
	assert_int_equal(syncq_backoff(2, 30, 3600, 0), 60);
	assert_int_equal(syncq_backoff(3, 30, 3600, 0), 120);
	assert_int_equal(syncq_backoff(8, 30, 3600, 0), 3600);
	assert_int_equal(syncq_backoff(60, 30, 3600, 0), 3600);
	assert_int_equal(syncq_backoff(1, 0, 3600, 0), 1);
}

static void
test_syncq_backoff_jitter_within_half(void **state)
{
	uint32_t r;
	int d;

	(void)state;
	for (r = 0; r < 5000; r += 7) {
		d = syncq_backoff(3, 30, 3600, r * 2654435761u);
		assert_true(d >= 120 && d <= 180);
	}
	/* Two workers failing together do not come back together. */
	assert_int_not_equal(syncq_backoff(3, 30, 3600, 11),
	    syncq_backoff(3, 30, 3600, 12));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syncq_backoff_doubles_then_caps),
		cmocka_unit_test(test_syncq_backoff_jitter_within_half),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
