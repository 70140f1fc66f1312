/* test_config.c — SLUICE_* variables, defaults and validation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "config.h"

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
	char err[256];

	(void)state;
	assert_int_equal(config_load(&c, err, sizeof(err)), ERR_OK);
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
	char err[256];

	(void)state;
	setenv("SLUICE_DATABASE_URL", "host=/tmp dbname=x", 1);
	setenv("SLUICE_SANDBOX", "Yes", 1);
	setenv("SLUICE_BASE_URL", "https://hub.example.org", 1);
	setenv("SLUICE_DB_BACKOFF_MAX_MS", "500", 1);
	assert_int_equal(config_load(&c, err, sizeof(err)), ERR_OK);
	assert_string_equal(c.database_url, "host=/tmp dbname=x");
	assert_true(c.sandbox);
	assert_string_equal(c.base_url, "https://hub.example.org");
	assert_int_equal(c.db_backoff_max_ms, 500);
	/* Empty means unset. */
	setenv("SLUICE_SQL_DIR", "", 1);
	assert_int_equal(config_load(&c, err, sizeof(err)), ERR_OK);
	assert_string_equal(c.sql_dir, "sql");
}

static void
test_config_rejects_bad_values_naming_the_variable(void **state)
{
	struct config c;
	char err[256];

	(void)state;
	setenv("SLUICE_SANDBOX", "maybe", 1);
	assert_int_equal(config_load(&c, err, sizeof(err)), ERR_INPUT);
	assert_non_null(strstr(err, "SLUICE_SANDBOX"));
	unsetenv("SLUICE_SANDBOX");
	setenv("SLUICE_DB_BACKOFF_MAX_MS", "10x", 1);
	assert_int_equal(config_load(&c, err, sizeof(err)), ERR_INPUT);
	assert_non_null(strstr(err, "SLUICE_DB_BACKOFF_MAX_MS"));
	setenv("SLUICE_DB_BACKOFF_MAX_MS", "99999999", 1);
	assert_int_equal(config_load(&c, err, sizeof(err)), ERR_INPUT);
	unsetenv("SLUICE_DB_BACKOFF_MAX_MS");
	setenv("SLUICE_BASE_URL", "ftp://x", 1);
	assert_int_equal(config_load(&c, err, sizeof(err)), ERR_INPUT);
	assert_non_null(strstr(err, "SLUICE_BASE_URL"));
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
