/* test_ingest.c — the ingest batch parser and row validator. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "arena.h"
#include "buf.h"
#include "ingest.h"
#include "limit.h"

/* 2026-03-01T12:00:00Z: dates up to 2026-03-02 are accepted. */
#define NOW	1772366400

/* COPY lines: fields escaped so tabs, newlines and backslashes in dims or
 * ids cannot split or shift a row. */
static void
test_ingest_copy_text_escapes(void **state)
{
	struct ingest_row rows[3] = {
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
    const char **errout)
{
	return ingest_parse(a, s, strlen(s), NOW, b, errout);
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
	assert_string_equal(b.rows[1].value, "1.50");	/* the text as sent */
	assert_string_equal(b.rows[1].dims, "{\"c\":\"x\"}");
	assert_string_equal(b.rows[2].value, "-3e2");
	assert_null(b.rows[2].dims);			/* {} is the default */
	assert_true(b.has_dims);
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
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
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
		cmocka_unit_test(test_ingest_checks_dates),
		cmocka_unit_test(test_ingest_lists_every_problem),
		cmocka_unit_test(test_ingest_document_errors_and_limits),
		cmocka_unit_test(test_ingest_idempotency_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
