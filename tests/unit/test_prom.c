/* test_prom.c — the Prometheus text exposition writer. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "base/buf.h"
#include "base/prom.h"

static void
test_prom_counter_with_help_type_and_labels(void **state)
{
	struct prom_label l[2] = { { "provider", "ga4" }, { "status", "ok" } };
	struct buf b;
	struct prom p;

	(void)state;
	buf_init(&b, 4096);
	prom_init(&p, &b);
	prom_family(&p, "sluice_x_total", PROM_COUNTER, "Things.");
	prom_sample(&p, l, 2, 42);
	prom_sample(&p, NULL, 0, 0.25);
	assert_int_equal(prom_error(&p), ERR_OK);
	assert_string_equal(buf_cstr(&b),
	    "# HELP sluice_x_total Things.\n"
	    "# TYPE sluice_x_total counter\n"
	    "sluice_x_total{provider=\"ga4\",status=\"ok\"} 42\n"
	    "sluice_x_total 0.25\n");
	buf_free(&b);
}

static void
test_prom_escapes_label_values_and_help(void **state)
{
	struct prom_label l[1] = { { "route", "a\\b\"c\nd\x01\xff\xc3\xa9" } };
	struct buf b;
	struct prom p;

	(void)state;
	buf_init(&b, 4096);
	prom_init(&p, &b);
	prom_family(&p, "g", PROM_GAUGE, "back\\slash \"q\"\nnext");
	prom_sample(&p, l, 1, 1);
	assert_int_equal(prom_error(&p), ERR_OK);
	assert_string_equal(buf_cstr(&b),
	    "# HELP g back\\\\slash \"q\"\\nnext\n"
	    "# TYPE g gauge\n"
	    "g{route=\"a\\\\b\\\"c\\nd??\xc3\xa9\"} 1\n");
	buf_free(&b);
}

static void
test_prom_values_special_and_shortest(void **state)
{
	struct buf b;
	struct prom p;

	(void)state;
	buf_init(&b, 4096);
	prom_init(&p, &b);
	prom_family(&p, "v", PROM_GAUGE, "");
	prom_sample(&p, NULL, 0, NAN);
	prom_sample(&p, NULL, 0, INFINITY);
	prom_sample(&p, NULL, 0, -INFINITY);
	prom_sample(&p, NULL, 0, 0.005);
	prom_sample(&p, NULL, 0, 1786000000.0);
	prom_sample(&p, NULL, 0, 0.1 + 0.2);
	assert_int_equal(prom_error(&p), ERR_OK);
	assert_string_equal(buf_cstr(&b), "# HELP v \n# TYPE v gauge\n"
	    "v NaN\nv +Inf\nv -Inf\nv 0.005\nv 1786000000\n"
	    "v 0.30000000000000004\n");
	buf_free(&b);
}

static void
test_prom_histogram_cumulative_sum_count(void **state)
{
	static const double bounds[3] = { 0.1, 1, 10 };
	uint64_t counts[4] = { 2, 0, 3, 1 };
	struct prom_label l[1] = { { "provider", "slack" } };
	struct buf b;
	struct prom p;

	(void)state;
	buf_init(&b, 4096);
	prom_init(&p, &b);
	prom_family(&p, "h_seconds", PROM_HISTOGRAM, "Durations.");
	prom_histogram(&p, l, 1, bounds, 3, counts, 12.5);
	assert_int_equal(prom_error(&p), ERR_OK);
	assert_string_equal(buf_cstr(&b),
	    "# HELP h_seconds Durations.\n"
	    "# TYPE h_seconds histogram\n"
	    "h_seconds_bucket{provider=\"slack\",le=\"0.1\"} 2\n"
	    "h_seconds_bucket{provider=\"slack\",le=\"1\"} 2\n"
	    "h_seconds_bucket{provider=\"slack\",le=\"10\"} 5\n"
	    "h_seconds_bucket{provider=\"slack\",le=\"+Inf\"} 6\n"
	    "h_seconds_sum{provider=\"slack\"} 12.5\n"
	    "h_seconds_count{provider=\"slack\"} 6\n");
	buf_free(&b);
}

static void
test_prom_refuses_bad_names_and_order(void **state)
{
	static const double down[2] = { 1, 0.5 };
	uint64_t counts[3] = { 0, 0, 0 };
	struct prom_label bad[1] = { { "a:b", "x" } };
	struct prom_label le[1] = { { "le", "x" } };
	struct buf b;
	struct prom p;

	(void)state;
	buf_init(&b, 4096);
	prom_init(&p, &b);
	prom_sample(&p, NULL, 0, 1);		/* no family yet */
	assert_int_equal(prom_error(&p), ERR_INPUT);
	prom_init(&p, &b);
	prom_family(&p, "9lives", PROM_GAUGE, "");
	assert_int_equal(prom_error(&p), ERR_INPUT);
	prom_init(&p, &b);
	prom_family(&p, "ok", PROM_GAUGE, "");
	prom_sample(&p, bad, 1, 1);
	assert_int_equal(prom_error(&p), ERR_INPUT);
	prom_init(&p, &b);
	prom_family(&p, "ok", PROM_GAUGE, "");
	prom_sample(&p, le, 1, 1);
	assert_int_equal(prom_error(&p), ERR_INPUT);
	prom_init(&p, &b);
	prom_family(&p, "h", PROM_HISTOGRAM, "");
	prom_histogram(&p, NULL, 0, down, 2, counts, 0);
	assert_int_equal(prom_error(&p), ERR_INPUT);
	prom_init(&p, &b);
	prom_family(&p, "h", PROM_HISTOGRAM, "");
	prom_sample(&p, NULL, 0, 1);	/* a histogram takes no sample */
	assert_int_equal(prom_error(&p), ERR_INPUT);
	buf_free(&b);
}

static void
test_prom_keeps_toobig_and_stops(void **state)
{
	struct buf b;
	struct prom p;
	size_t len;

	(void)state;
	buf_init(&b, 40);
	prom_init(&p, &b);
	prom_family(&p, "a_rather_long_family_name", PROM_GAUGE, "help");
	assert_int_equal(prom_error(&p), ERR_TOOBIG);
	len = b.len;
	prom_sample(&p, NULL, 0, 1);
	assert_int_equal(prom_error(&p), ERR_TOOBIG);
	assert_int_equal(b.len, len);
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prom_counter_with_help_type_and_labels),
		cmocka_unit_test(test_prom_escapes_label_values_and_help),
		cmocka_unit_test(test_prom_values_special_and_shortest),
		cmocka_unit_test(test_prom_histogram_cumulative_sum_count),
		cmocka_unit_test(test_prom_refuses_bad_names_and_order),
		cmocka_unit_test(test_prom_keeps_toobig_and_stops),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
