/* test_config.c — SLUICE_* variables, defaults and validation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "base/arena.h"
#include "base/config.h"
#include "base/mem.h"
#include "testlib.h"

static int
clear_env(void **state)
{
	size_t n, i;
	const struct config_var *v = config_vars(&n);

	(void)state;
	for (i = 0; i < n; i++)
		unsetenv(v[i].name);
	return 0;
}

static void
test_config_defaults(void **state)
{
	struct config c;
	const char *why;

	(void)state;
	assert_int_equal(config_load(testlib_arena(), &c, &why), ERR_OK);
	assert_string_equal(c.database_url, "dbname=sluice");
	assert_string_equal(c.base_url, "http://127.0.0.1:8080");
	assert_string_equal(c.sql_dir, "sql");
	assert_false(c.sandbox);
	assert_int_equal(c.db_backoff_max_ms, 2000);
}

static void
test_config_reads_environment(void **state)
{
	struct config c;
	const char *why;

	(void)state;
	setenv("SLUICE_DATABASE_URL", "host=/tmp dbname=x", 1);
	setenv("SLUICE_SANDBOX", "Yes", 1);
	setenv("SLUICE_BASE_URL", "https://hub.example.org", 1);
	setenv("SLUICE_DB_BACKOFF_MAX_MS", "500", 1);
	assert_int_equal(config_load(testlib_arena(), &c, &why), ERR_OK);
	assert_string_equal(c.database_url, "host=/tmp dbname=x");
	assert_true(c.sandbox);
	assert_string_equal(c.base_url, "https://hub.example.org");
	assert_int_equal(c.db_backoff_max_ms, 500);
	/* Empty means unset. */
	setenv("SLUICE_SQL_DIR", "", 1);
	assert_int_equal(config_load(testlib_arena(), &c, &why), ERR_OK);
	assert_string_equal(c.sql_dir, "sql");
}

static void
test_config_rejects_bad_values_naming_the_variable(void **state)
{
	struct config c;
	const char *why;

	(void)state;
	setenv("SLUICE_SANDBOX", "maybe", 1);
	assert_int_equal(config_load(testlib_arena(), &c, &why), ERR_INPUT);
	assert_non_null(strstr(why, "SLUICE_SANDBOX"));
	unsetenv("SLUICE_SANDBOX");
	setenv("SLUICE_DB_BACKOFF_MAX_MS", "10x", 1);
	assert_int_equal(config_load(testlib_arena(), &c, &why), ERR_INPUT);
	assert_non_null(strstr(why, "SLUICE_DB_BACKOFF_MAX_MS"));
	setenv("SLUICE_DB_BACKOFF_MAX_MS", "99999999", 1);
	assert_int_equal(config_load(testlib_arena(), &c, &why), ERR_INPUT);
	unsetenv("SLUICE_DB_BACKOFF_MAX_MS");
	setenv("SLUICE_BASE_URL", "ftp://x", 1);
	assert_int_equal(config_load(testlib_arena(), &c, &why), ERR_INPUT);
	assert_non_null(strstr(why, "SLUICE_BASE_URL"));
}

static void
test_config_vars_are_documented(void **state)
{
	const struct config_var *v;
	size_t n, i;

	(void)state;
	v = config_vars(&n);
	assert_true(n >= 9);
	for (i = 0; i < n; i++) {
		assert_int_equal(strncmp(v[i].name, "SLUICE_", 7), 0);
		assert_non_null(v[i].def);
		assert_true(strlen(v[i].doc) > 10);
	}
}

static void
test_config_trusted_proxies_parse_or_name_the_variable(void **state)
{
	struct config c;
	const char *why;

	(void)state;
	setenv("SLUICE_TRUSTED_PROXIES", " 10.0.0.0/8, 192.0.2.1 ::1 "
	    "2001:db8::/32,", 1);
	assert_int_equal(config_load(testlib_arena(), &c, &why), ERR_OK);
	assert_int_equal(c.ntrusted, 4);
	assert_true(config_trusted_proxy(&c, "10.200.3.4"));
	assert_true(config_trusted_proxy(&c, "192.0.2.1"));
	assert_false(config_trusted_proxy(&c, "192.0.2.2"));
	assert_true(config_trusted_proxy(&c, "::1"));
	assert_true(config_trusted_proxy(&c, "2001:db8:ffff::1"));
	assert_false(config_trusted_proxy(&c, "2001:db9::1"));
	assert_true(config_trusted_proxy(&c, "::ffff:10.1.2.3"));
	assert_false(config_trusted_proxy(&c, "11.0.0.1"));
	assert_false(config_trusted_proxy(&c, "10.0.0.0/8"));
	assert_false(config_trusted_proxy(&c, "proxy.example"));
	setenv("SLUICE_TRUSTED_PROXIES", "10.0.0.1 proxy.example", 1);
	assert_int_equal(config_load(testlib_arena(), &c, &why), ERR_INPUT);
	assert_non_null(strstr(why, "SLUICE_TRUSTED_PROXIES"));
	assert_non_null(strstr(why, "proxy.example"));
	setenv("SLUICE_TRUSTED_PROXIES", "10.0.0.0/33", 1);
	assert_int_equal(config_load(testlib_arena(), &c, &why), ERR_INPUT);
	setenv("SLUICE_TRUSTED_PROXIES", "", 1);
	assert_int_equal(config_load(testlib_arena(), &c, &why), ERR_OK);
	assert_int_equal(c.ntrusted, 0);
}

static void
test_config_net_parse_ranges(void **state)
{
	static const char *const bad[] = { "", "/8", "10.0.0.0/", "10.0.0.0/x",
	    "10.0.0.0/-1", "10.0.0.0/ 8", "::/129", "10.0.0", "1.2.3.4.5",
	    "::ffff:10.0.0.0/95", "10.0.0.0/8/8", "fe80::1%eth0" };
	struct config_net n;
	size_t i;

	(void)state;
	for (i = 0; i < nitems(bad); i++)
		assert_int_equal(config_net_parse(bad[i], &n), ERR_INPUT);
	assert_int_equal(config_net_parse("10.1.0.0/16", &n), ERR_OK);
	assert_int_equal(n.bits, 16);
	assert_int_equal(n.addr[1], 1);
	assert_int_equal(config_net_parse("::ffff:10.0.0.0/104", &n), ERR_OK);
	assert_int_equal(n.bits, 8);
	assert_int_equal(n.addr[0], 10);
	assert_int_equal(config_net_parse("2001:db8::1", &n), ERR_OK);
	assert_int_equal(n.bits, 128);
}

static void
test_config_client_addr_believes_only_trusted_hops(void **state)
{
	static const struct {
		const char	*trusted, *remote, *xff, *want;
	} cases[] = {
		/* Without trusted proxies X-Forwarded-For is ignored. */
		{ "", "127.0.0.1", "203.0.113.9", "127.0.0.1" },
		{ "", "203.0.113.1", NULL, "203.0.113.1" },
		/* From an untrusted peer too. */
		{ "127.0.0.1", "198.51.100.1", "203.0.113.9", "198.51.100.1" },
		/* The rightmost hop the trusted proxy added is the client. */
		{ "127.0.0.1", "127.0.0.1", "203.0.113.9", "203.0.113.9" },
		{ "127.0.0.1", "127.0.0.1", "192.0.2.66, 203.0.113.9",
		  "203.0.113.9" },
		{ "127.0.0.1", "127.0.0.1", NULL, "127.0.0.1" },
		{ "127.0.0.1", "127.0.0.1", "", "127.0.0.1" },
		/* Through a chain of trusted proxies. */
		{ "127.0.0.1 10.0.0.0/8", "127.0.0.1",
		  "192.0.2.66,203.0.113.9 ,10.1.1.1,\t10.2.2.2",
		  "203.0.113.9" },
		{ "127.0.0.1 10.0.0.0/8", "127.0.0.1", "10.3.3.3, 10.1.1.1",
		  "10.3.3.3" },
		/* Garbage stops the walk at the last good address. */
		{ "127.0.0.1", "127.0.0.1", "203.0.113.9, junk", "127.0.0.1" },
		{ "127.0.0.1", "127.0.0.1", "junk, 203.0.113.9",
		  "203.0.113.9" },
		{ "127.0.0.1", "127.0.0.1", "203.0.113.9,,", "127.0.0.1" },
		{ "127.0.0.1", "127.0.0.1", "10.0.0.0/8", "127.0.0.1" },
		/* Canonical text; IPv6 by its /64, IPv4 in IPv6 as IPv4. */
		{ "", "2001:DB8:1:2:3:4:5:6", NULL, "2001:db8:1:2::/64" },
		{ "::1", "::1", "2001:db8:a:b::1", "2001:db8:a:b::/64" },
		{ "", "::ffff:192.0.2.9", NULL, "192.0.2.9" },
		/* Not an address (a unix socket peer): kept as it is. */
		{ "", "unix:", "203.0.113.9", "unix:" },
	};
	struct config c;
	struct arena a;
	const char *why;
	size_t i;

	(void)state;
	arena_init(&a);
	for (i = 0; i < nitems(cases); i++) {
		setenv("SLUICE_TRUSTED_PROXIES", cases[i].trusted, 1);
		assert_int_equal(config_load(&a, &c, &why), ERR_OK);
		assert_string_equal(config_client_addr(&c, &a, cases[i].remote,
		    cases[i].xff), cases[i].want);
	}
	arena_free(&a);
}

/* A read replica is off unless named; its lag bound is 1 s to a day. */
static void
test_config_read_replica(void **state)
{
	struct config c;
	const char *why = NULL;

	(void)state;
	assert_int_equal(config_load(testlib_arena(), &c, &why), ERR_OK);
	assert_string_equal(c.database_read_url, "");
	assert_int_equal(c.read_max_lag_s, 30);
	setenv("SLUICE_DATABASE_READ_URL", "host=/tmp port=5434", 1);
	setenv("SLUICE_READ_MAX_LAG_S", "5", 1);
	assert_int_equal(config_load(testlib_arena(), &c, &why), ERR_OK);
	assert_string_equal(c.database_read_url, "host=/tmp port=5434");
	assert_int_equal(c.read_max_lag_s, 5);
	setenv("SLUICE_READ_MAX_LAG_S", "0", 1);
	assert_int_equal(config_load(testlib_arena(), &c, &why), ERR_INPUT);
	assert_non_null(strstr(why, "SLUICE_READ_MAX_LAG_S"));
	setenv("SLUICE_READ_MAX_LAG_S", "30s", 1);
	assert_int_equal(config_load(testlib_arena(), &c, &why), ERR_INPUT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_config_defaults, clear_env),
		cmocka_unit_test_setup(test_config_reads_environment,
		    clear_env),
		cmocka_unit_test_setup(
		    test_config_rejects_bad_values_naming_the_variable,
		    clear_env),
		cmocka_unit_test(test_config_vars_are_documented),
		cmocka_unit_test_setup(
		    test_config_trusted_proxies_parse_or_name_the_variable,
		    clear_env),
		cmocka_unit_test(test_config_net_parse_ranges),
		cmocka_unit_test_setup(test_config_read_replica, clear_env),
		cmocka_unit_test_setup(
		    test_config_client_addr_believes_only_trusted_hops,
		    clear_env),
	};

	return cmocka_run_group_tests(tests, NULL, testlib_teardown);
}
