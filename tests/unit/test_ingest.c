/* test_ingest.c — the ingest batch parser and row validator. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/limit.h"
#include "base/mem.h"
#include "metrics/ingest.h"

/* 2026-03-01T12:00:00Z: dates up to 2026-03-02 are accepted. */
#define NOW	1772366400

/* COPY lines: fields escaped so tabs, newlines and backslashes in dims or
 * ids cannot split or shift a row. */
static void
test_ingest_copy_text_escapes(void **state)
{
	struct metric_row rows[3] = {
		{ "ga4", "", "sessions", "2026-02-01", "120", NULL },
		{ "google_ads", "1:2", "clicks", "2026-02-02", "-2.5e3",
		    "{\"campaign\":\"Brand \\\"US\\\"\tx\"}" },
		{ "x", "a\tb", "m\nn", "2026-02-03", "0", "{\"k\":\"\\\\\r\"}" },
	};
	struct ingest_batch b;
	struct arena a;
	struct buf *out;

	(void)state;
	arena_init(&a);
	memset(&b, 0, sizeof(b));
	b.rows = rows;
	b.nrows = 1;
	assert_int_equal(ingest_copy_text(&a, "7", &b, &out), ERR_OK);
	assert_string_equal(buf_cstr(out),
	    "7\tga4\t\tsessions\t2026-02-01\t120\n");
	b.nrows = 3;
	b.has_dims = true;
	assert_int_equal(ingest_copy_text(&a, "42", &b, &out), ERR_OK);
	assert_string_equal(buf_cstr(out),
	    "42\tga4\t\tsessions\t2026-02-01\t120\t{}\n"
	    "42\tgoogle_ads\t1:2\tclicks\t2026-02-02\t-2.5e3\t"
	    "{\"campaign\":\"Brand \\\\\"US\\\\\"\\tx\"}\n"
	    "42\tx\ta\\tb\tm\\nn\t2026-02-03\t0\t{\"k\":\"\\\\\\\\\\r\"}\n");
	arena_free(&a);
}

static enum err
parse(struct arena *a, const char *s, struct ingest_batch *b,
    const char **why)
{
	return ingest_parse(a, s, strlen(s), NOW, b, why);
}

/* The reason for (index, field), or NULL. */
static const char *
reason(const struct ingest_batch *b, size_t index, const char *field)
{
	size_t i;

	for (i = 0; i < b->nproblems; i++)
		if (b->problems[i].index == index &&
		    strcmp(b->problems[i].field, field) == 0)
			return b->problems[i].reason;
	return NULL;
}

static void
test_ingest_parses_valid_rows(void **state)
{
	struct ingest_batch b;
	const char *err;
	struct arena a;

	(void)state;
	arena_init(&a);
	assert_int_equal(parse(&a, "[{\"source\":\"ga4\",\"metric\":"
	    "\"sessions\",\"date\":\"2026-03-02\",\"value\":12},"
	    "{\"source\":\"google_ads\",\"account_id\":\"1-2\",\"metric\":"
	    "\"cost_micros\",\"date\":\"2024-02-29\",\"value\":1.50,"
	    "\"dims\":{\"c\":\"x\"}},{\"source\":\"a\",\"metric\":\"m\","
	    "\"date\":\"2000-02-29\",\"value\":-3e2,\"dims\":{}}]", &b, &err),
	    ERR_OK);
	assert_int_equal(b.nrows, 3);
	assert_string_equal(b.rows[0].account_id, "");
	assert_string_equal(b.rows[0].value, "12");
	assert_null(b.rows[0].dims);
	assert_string_equal(b.rows[1].account_id, "1-2");
	assert_string_equal(b.rows[1].value, "1.5");	/* canonical */
	assert_string_equal(b.rows[1].dims, "{\"c\":\"x\"}");
	assert_string_equal(b.rows[2].value, "-300");
	assert_null(b.rows[2].dims);			/* {} is the default */
	assert_true(b.has_dims);
	arena_free(&a);
}

/* Values: below 1e18 in magnitude once rounded to 6 decimals, half away
 * from zero; stored as short plain decimals whatever was sent. */
static void
test_ingest_value_range_and_precision(void **state)
{
	static const struct {
		const char	*in;
		const char	*out;	/* NULL: refused */
		const char	*why;
	} cases[] = {
		{ "0", "0", NULL }, { "-0", "0", NULL }, { "-0.0", "0", NULL },
		{ "0e5", "0", NULL }, { "-0E-5", "0", NULL },
		{ "12", "12", NULL }, { "1.50", "1.5", NULL },
		{ "-3e2", "-300", NULL }, { "2.5E+3", "2500", NULL },
		{ "120e-1", "12", NULL }, { "0.5e1", "5", NULL },
		/* The range: 18 integer digits, both sides of 1e18. */
		{ "999999999999999999", "999999999999999999", NULL },
		{ "-999999999999999999", "-999999999999999999", NULL },
		{ "9.99999999999999999e17", "999999999999999999", NULL },
		{ "999999999999999999.999999", "999999999999999999.999999",
		    NULL },
		{ "999999999999999999.9999994", "999999999999999999.999999",
		    NULL },
		{ "999999999999999999.9999995", NULL, "range" },
		{ "1000000000000000000", NULL, "range" },
		{ "-1000000000000000000", NULL, "range" },
		{ "1e18", NULL, "range" }, { "-1E+18", NULL, "range" },
		{ "0.1e19", NULL, "range" }, { "1e308", NULL, "range" },
		{ "1e99999999999999999999999", NULL, "range" },
		{ "18446744073709551615", NULL, "range" },
		/* The precision: 6 decimals, both sides of the rounding. */
		{ "0.000001", "0.000001", NULL }, { "1e-6", "0.000001", NULL },
		{ "0.0000005", "0.000001", NULL },
		{ "-0.0000005", "-0.000001", NULL },
		{ "0.00000049999999", "0", NULL }, { "1e-7", "0", NULL },
		{ "5e-7", "0.000001", NULL }, { "-4.9e-7", "0", NULL },
		{ "1.23456789", "1.234568", NULL },
		{ "0.1234565", "0.123457", NULL },
		{ "-2.5e-6", "-0.000003", NULL },
		{ "123456789012345678.1234564", "123456789012345678.123456",
		    NULL },
		{ "0.9999995", "1", NULL }, { "-9.9999995", "-10", NULL },
		{ "1e-16000", "0", NULL }, { "-1e-16000", "0", NULL },
		{ "1e-99999999999999999999999", "0", NULL },
		{ "0e99999999999999999999999", "0", NULL },
		{ "1234.5e-3", "1.2345", NULL },
		/* Not numbers. */
		{ "", NULL, "number" }, { "-", NULL, "number" },
		{ "1.", NULL, "number" }, { ".5", NULL, "number" },
		{ "1e", NULL, "number" }, { "1e+", NULL, "number" },
		{ "+1", NULL, "number" }, { "1x", NULL, "number" },
		{ "NaN", NULL, "number" }, { "1 ", NULL, "number" },
	};
	char out[INGEST_VALUE_SIZE];
	const char *why;
	size_t i;

	(void)state;
	for (i = 0; i < nitems(cases); i++) {
		why = ingest_value(cases[i].in, strlen(cases[i].in), out);
		if (cases[i].out != NULL) {
			if (why != NULL)
				fail_msg("%s: %s", cases[i].in, why);
			assert_string_equal(out, cases[i].out);
		} else {
			if (why == NULL)
				fail_msg("%s: accepted as %s", cases[i].in,
				    out);
			assert_non_null(strstr(why, cases[i].why));
		}
	}
}

/* Many digits cost one pass and still give a short value. */
static void
test_ingest_value_many_digits(void **state)
{
	char out[INGEST_VALUE_SIZE], *s;
	size_t n = 1 << 20;

	(void)state;
	s = test_malloc(n + 3);
	s[0] = '0';
	s[1] = '.';
	memset(s + 2, '0', n);
	s[n + 1] = '7';		/* 0.000…07: far below a micro */
	assert_null(ingest_value(s, n + 2, out));
	assert_string_equal(out, "0");
	s[0] = '1';
	assert_null(ingest_value(s, n + 2, out));
	assert_string_equal(out, "1");
	memset(s, '1', n + 2);	/* a million-digit integer */
	assert_non_null(strstr(ingest_value(s, n + 2, out), "range"));
	memset(s, '0', n + 2);	/* …and a million zeros (not JSON) */
	s[n + 1] = '5';
	assert_null(ingest_value(s, n + 2, out));
	assert_string_equal(out, "5");
	test_free(s);
}

/* Through the parser: the row and field are named, json-c's own number
 * forms (clamped integers, doubles) give the same answers. */
static void
test_ingest_values_in_rows(void **state)
{
	struct ingest_batch b;
	const char *err;
	struct arena a;

	(void)state;
	arena_init(&a);
	assert_int_equal(parse(&a, "[{\"source\":\"a\",\"metric\":\"m\","
	    "\"date\":\"2026-01-01\",\"value\":999999999999999999},"
	    "{\"source\":\"a\",\"metric\":\"m\",\"date\":\"2026-01-02\","
	    "\"value\":-0},"
	    "{\"source\":\"a\",\"metric\":\"m\",\"date\":\"2026-01-03\","
	    "\"value\":1e-16000},"
	    "{\"source\":\"a\",\"metric\":\"m\",\"date\":\"2026-01-04\","
	    "\"value\":-999999999999999999.4999999}]", &b, &err), ERR_OK);
	assert_string_equal(b.rows[0].value, "999999999999999999");
	assert_string_equal(b.rows[1].value, "0");
	assert_string_equal(b.rows[2].value, "0");
	assert_string_equal(b.rows[3].value, "-999999999999999999.5");
	assert_int_equal(parse(&a, "[{\"source\":\"a\",\"metric\":\"m\","
	    "\"date\":\"2026-01-01\",\"value\":1000000000000000000},"
	    "{\"source\":\"a\",\"metric\":\"m\",\"date\":\"2026-01-02\","
	    "\"value\":99999999999999999999},"
	    "{\"source\":\"a\",\"metric\":\"m\",\"date\":\"2026-01-03\","
	    "\"value\":1e18},"
	    "{\"source\":\"a\",\"metric\":\"m\",\"date\":\"2026-01-04\","
	    "\"value\":-1e300},"
	    "{\"source\":\"a\",\"metric\":\"m\",\"date\":\"2026-01-05\","
	    "\"value\":-9223372036854775808}]", &b, &err),
	    ERR_UNPROCESSABLE);
	assert_int_equal(b.nproblems, 5);
	assert_non_null(strstr(reason(&b, 0, "value"), "below 1e18"));
	assert_non_null(strstr(reason(&b, 1, "value"), "below 1e18"));
	assert_non_null(strstr(reason(&b, 2, "value"), "below 1e18"));
	assert_non_null(strstr(reason(&b, 3, "value"), "below 1e18"));
	assert_non_null(strstr(reason(&b, 4, "value"), "below 1e18"));
	arena_free(&a);
}

static void
test_ingest_checks_dates(void **state)
{
	static const struct {
		const char	*date;
		const char	*why;	/* NULL: accepted */
	} cases[] = {
		{ "2026-03-01", NULL }, { "2026-03-02", NULL },
		{ "2026-03-03", "future" }, { "2026-02-29", "real date" },
		{ "2023-02-29", "real date" }, { "2100-02-29", "real date" },
		{ "2026-04-31", "real date" }, { "2026-13-01", "real date" },
		{ "2026-00-10", "real date" }, { "2026-01-00", "real date" },
		{ "1969-12-31", "1970" }, { "1970-01-01", NULL },
		{ "2026-1-01", "YYYY-MM-DD" }, { "2026/01/01", "YYYY-MM-DD" },
		{ "2026-01-01T00", "YYYY-MM-DD" }, { "20260101xx", "YYYY-MM-DD" },
	};
	struct ingest_batch b;
	const char *err, *why;
	struct arena a;
	size_t i;
	char body[256];

	(void)state;
	for (i = 0; i < nitems(cases); i++) {
		arena_init(&a);
		snprintf(body, sizeof(body), "[{\"source\":\"a\",\"metric\":"
		    "\"m\",\"date\":\"%s\",\"value\":1}]", cases[i].date);
		if (cases[i].why == NULL)
			assert_int_equal(parse(&a, body, &b, &err), ERR_OK);
		else {
			assert_int_equal(parse(&a, body, &b, &err),
			    ERR_UNPROCESSABLE);
			why = reason(&b, 0, "date");
			assert_non_null(why);
			assert_non_null(strstr(why, cases[i].why));
		}
		arena_free(&a);
	}
}

static void
test_ingest_lists_every_problem(void **state)
{
	struct ingest_batch b;
	const char *err;
	struct arena a;

	(void)state;
	arena_init(&a);
	assert_int_equal(parse(&a, "[{\"source\":\"a\",\"metric\":\"m\","
	    "\"date\":\"2026-01-01\",\"value\":\"1\"},"
	    "{\"source\":\"A\",\"metric\":\"\",\"date\":\"2026-01-01\","
	    "\"value\":true,\"dims\":[]},"
	    "{\"source\":\"ga4\",\"metric\":\"bounce_rate\",\"date\":"
	    "\"2026-01-01\",\"value\":1e18},"
	    "{\"source\":\"a\",\"metric\":\"m\",\"date\":\"2026-01-02\","
	    "\"value\":1,\"x\":1},"
	    "{\"source\":\"a\",\"metric\":\"m\",\"date\":\"2026-01-03\","
	    "\"value\":1},"
	    "{\"source\":\"a\",\"metric\":\"m\",\"date\":\"2026-01-03\","
	    "\"value\":2},null]", &b, &err), ERR_UNPROCESSABLE);
	assert_non_null(strstr(reason(&b, 0, "value"), "not a string"));
	assert_non_null(reason(&b, 1, "source"));
	assert_non_null(strstr(reason(&b, 1, "metric"), "empty"));
	assert_non_null(reason(&b, 1, "value"));
	assert_non_null(strstr(reason(&b, 1, "dims"), "object"));
	assert_non_null(strstr(reason(&b, 2, "metric"), "engaged_sessions"));
	assert_non_null(strstr(reason(&b, 2, "value"), "range"));
	assert_non_null(strstr(reason(&b, 3, "row"), "unknown field"));
	assert_null(reason(&b, 4, "row"));
	assert_non_null(strstr(reason(&b, 5, "row"), "repeats row 4"));
	assert_non_null(strstr(reason(&b, 6, "row"), "object"));
	assert_int_equal(b.nproblems, b.nproblems_all);
	assert_int_equal(b.nproblems, 10);
	assert_non_null(strstr(ingest_problems_json(&a, &b),
	    "\"more_problems\":0}}"));
	/* A name a spreadsheet would read as a formula ("-a1:a9"). */
	assert_int_equal(parse(&a, "[{\"source\":\"-2-3\",\"account_id\":"
	    "\"-a1:a9\",\"metric\":\"_m\",\"date\":\"2026-01-01\","
	    "\"value\":1}]", &b, &err), ERR_UNPROCESSABLE);
	assert_non_null(strstr(reason(&b, 0, "source"), "start with"));
	assert_non_null(strstr(reason(&b, 0, "account_id"), "start with"));
	assert_non_null(strstr(reason(&b, 0, "metric"), "start with"));
	arena_free(&a);
}

/* Whether some problem of (index, field) says needle. */
static bool
says(const struct ingest_batch *b, size_t index, const char *field,
    const char *needle)
{
	size_t i;

	for (i = 0; i < b->nproblems; i++)
		if (b->problems[i].index == index &&
		    strcmp(b->problems[i].field, field) == 0 &&
		    strstr(b->problems[i].reason, needle) != NULL)
			return true;
	return false;
}

/* json-c cuts keys at a NUL ("a\u0000b" would become "a"): refused. */
static void
test_ingest_refuses_nul_in_keys(void **state)
{
	struct ingest_batch b;
	const char *err;
	struct arena a;

	(void)state;
	arena_init(&a);
	assert_int_equal(parse(&a, "[{\"source\":\"a\",\"metric\":\"m\","
	    "\"date\":\"2026-01-01\",\"value\":1,"
	    "\"dims\":{\"\\u0000\":\"v\",\"a\\u0000b\":\"w\"}},"
	    "{\"source\":\"a\",\"metric\":\"m\",\"date\":\"2026-01-02\","
	    "\"value\":1,\"dims\":{\"x\":{\"y\\u0000\":1},"
	    "\"\\\\u0000\":\"\\u0000 is a value here\"}},"
	    "{\"source\":\"a\",\"metric\":\"m\",\"date\":\"2026-01-03\","
	    "\"value\":1,\"dims\":{\"\\\\u0000\":1}},"
	    "{\"source\":\"a\",\"metric\":\"m\",\"da\\u0000te\":1,"
	    "\"date\":\"2026-01-04\",\"value\":1}]", &b, &err),
	    ERR_UNPROCESSABLE);
	assert_true(says(&b, 0, "dims", "NUL characters in its keys"));
	assert_true(says(&b, 1, "dims", "NUL characters in its keys"));
	assert_true(says(&b, 1, "dims", "must not contain NUL characters"));
	/* An escaped backslash before u0000 is no NUL. */
	assert_null(reason(&b, 2, "dims"));
	assert_null(reason(&b, 2, "row"));
	assert_true(says(&b, 3, "row", "field name with a NUL"));
	arena_free(&a);
}

static void
test_ingest_document_errors_and_limits(void **state)
{
	struct ingest_batch b;
	struct buf big;
	const char *err;
	struct arena a;
	int i;

	(void)state;
	arena_init(&a);
	assert_int_equal(parse(&a, "[]", &b, &err), ERR_UNPROCESSABLE);
	assert_int_equal(b.nproblems, 0);
	assert_non_null(strstr(err, "empty"));
	assert_int_equal(parse(&a, "{}", &b, &err), ERR_INPUT);
	assert_int_equal(parse(&a, "[1,", &b, &err), ERR_INPUT);
	assert_int_equal(parse(&a, "[NaN]", &b, &err), ERR_INPUT);
	assert_int_equal(parse(&a, "[1] x", &b, &err), ERR_INPUT);
	/* Too many rows; and a list of problems capped at 100. */
	buf_init(&big, 1 << 20);
	buf_putc(&big, '[');
	for (i = 0; i <= LIMIT_INGEST_ROWS; i++)
		buf_puts(&big, i ? ",0" : "0");
	buf_putc(&big, ']');
	assert_int_equal(parse(&a, buf_cstr(&big), &b, &err), ERR_TOOBIG);
	buf_reset(&big);
	buf_putc(&big, '[');
	for (i = 0; i < 150; i++)
		buf_puts(&big, i ? ",0" : "0");
	buf_putc(&big, ']');
	assert_int_equal(parse(&a, buf_cstr(&big), &b, &err),
	    ERR_UNPROCESSABLE);
	assert_int_equal(b.nproblems, LIMIT_INGEST_PROBLEMS);
	assert_int_equal(b.nproblems_all, 150);
	assert_non_null(strstr(ingest_problems_json(&a, &b),
	    "\"more_problems\":50}}"));
	buf_free(&big);
	arena_free(&a);
}

static void
test_ingest_idempotency_keys(void **state)
{
	char k[LIMIT_IDEMPOTENCY_KEY + 2];

	(void)state;
	assert_true(ingest_key_ok("retry-1"));
	assert_true(ingest_key_ok("A.b:C_d-9"));
	assert_false(ingest_key_ok(""));
	assert_false(ingest_key_ok("a b"));
	assert_false(ingest_key_ok("a\"b"));
	memset(k, 'k', sizeof(k) - 1);
	k[sizeof(k) - 1] = '\0';
	assert_false(ingest_key_ok(k));
	k[sizeof(k) - 2] = '\0';
	assert_true(ingest_key_ok(k));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ingest_copy_text_escapes),
		cmocka_unit_test(test_ingest_parses_valid_rows),
		cmocka_unit_test(test_ingest_value_range_and_precision),
		cmocka_unit_test(test_ingest_value_many_digits),
		cmocka_unit_test(test_ingest_values_in_rows),
		cmocka_unit_test(test_ingest_checks_dates),
		cmocka_unit_test(test_ingest_lists_every_problem),
		cmocka_unit_test(test_ingest_refuses_nul_in_keys),
		cmocka_unit_test(test_ingest_document_errors_and_limits),
		cmocka_unit_test(test_ingest_idempotency_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
