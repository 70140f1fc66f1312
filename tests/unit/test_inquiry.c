/* test_inquiry.c — the business side's parsers: the form's and the API's
 * inquiries, list queries, bookings and their values, site origins. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "base/arena.h"
#include "base/limit.h"
#include "business/booking.h"
#include "business/inquiry.h"
#include "web/req.h"

/* The form's fields from an urlencoded string. */
static enum err
parse_form(struct arena *a, const char *s, struct inquiry_in *in)
{
	struct kvlist kv;
	const char *why;

	assert_int_equal(req_urlencoded(a, s, strlen(s), LIMIT_PARAMS, &kv,
	    &why), ERR_OK);
	return inquiry_parse_form(a, &kv, "form", in);
}

/* "field,field" of the problems, in order. */
static const char *
problem_fields(struct arena *a, const struct inquiry_problem *p, size_t n)
{
	const char *s = "";
	size_t i;

	for (i = 0; i < n; i++)
		s = arena_printf(a, "%s%s%s", s, i > 0 ? "," : "", p[i].field);
	return s;
}

static void
test_inquiry_form_trims_and_defaults(void **state)
{
	struct inquiry_in in;
	struct arena a;

	(void)state;
	arena_init(&a);
	assert_int_equal(parse_form(&a, "name=+Ada+&email=ada%40example.com&"
	    "message=a%0Ab&utm_source=google&submit=Send", &in), ERR_OK);
	assert_string_equal(in.v[INQUIRY_NAME], "Ada");
	assert_string_equal(in.v[INQUIRY_MESSAGE], "a\nb");
	assert_string_equal(in.v[INQUIRY_SOURCE], "form");
	assert_string_equal(in.v[INQUIRY_PHONE], "");
	assert_false(in.spam);
	assert_int_equal(parse_form(&a, "phone=%2B44+20+7946+0000&source="
	    "contact_page&website=x", &in), ERR_OK);
	assert_true(in.spam);
	assert_string_equal(in.v[INQUIRY_SOURCE], "contact_page");
	arena_free(&a);
}

static void
test_inquiry_form_lists_every_problem(void **state)
{
	struct inquiry_in in;
	struct arena a;

	(void)state;
	arena_init(&a);
	assert_int_equal(parse_form(&a, "name=", &in), ERR_UNPROCESSABLE);
	assert_string_equal(problem_fields(&a, in.problems, in.nproblems),
	    "contact");
	assert_int_equal(parse_form(&a, "email=a%40b&phone=12&source=Bad+Name&"
	    "referrer=ftp%3A%2F%2Fx&landing_page=https%3A%2F%2F&name=%07",
	    &in), ERR_UNPROCESSABLE);
	assert_string_equal(problem_fields(&a, in.problems, in.nproblems),
	    "name,email,phone,source,referrer,landing_page");
	/* Invalid UTF-8 and C1 controls. */
	assert_int_equal(parse_form(&a, "email=a%40example.com&name=%C0%AF",
	    &in), ERR_UNPROCESSABLE);
	assert_int_equal(parse_form(&a, "email=a%40example.com&name=%C2%85",
	    &in), ERR_UNPROCESSABLE);
	/* Tabs and newlines only in the message. */
	assert_int_equal(parse_form(&a, "email=a%40example.com&name=a%0Ab",
	    &in), ERR_UNPROCESSABLE);
	/* Text that reads otherwise than it is: a right-to-left override
	 * (U+202E) in the name, the address or the message; an isolate
	 * (U+2066). */
	assert_int_equal(parse_form(&a, "email=a%40example.com&name=abc%E2%80"
	    "%AEdcba", &in), ERR_UNPROCESSABLE);
	assert_string_equal(problem_fields(&a, in.problems, in.nproblems),
	    "name");
	assert_int_equal(parse_form(&a, "email=ab%E2%80%AEc%40b.example",
	    &in), ERR_UNPROCESSABLE);
	assert_int_equal(parse_form(&a, "email=a%40example.com&message=hi%E2"
	    "%81%A6x", &in), ERR_UNPROCESSABLE);
	/* A right-to-left mark (U+200F): refused in a name, kept in the
	 * message, where right-to-left keyboards type it; a zero width
	 * space (U+200B) in neither. */
	assert_int_equal(parse_form(&a, "email=a%40example.com&name=ab%E2%80"
	    "%8Fc", &in), ERR_UNPROCESSABLE);
	assert_string_equal(problem_fields(&a, in.problems, in.nproblems),
	    "name");
	assert_int_equal(parse_form(&a, "email=a%40example.com&message=%D9%85"
	    "%D8%B1%D8%AD%D8%A8%D8%A7%E2%80%8F%20(1)", &in), ERR_OK);
	assert_int_equal(parse_form(&a, "email=a%40example.com&message=hi%E2"
	    "%80%8Bx", &in), ERR_UNPROCESSABLE);
	/* An address with ? or # would add headers to the mailto: link. */
	assert_int_equal(parse_form(&a, "email=client%40b.example%3Fbcc%3D"
	    "attacker%40evil.example%26subject%3DQuote", &in),
	    ERR_UNPROCESSABLE);
	assert_string_equal(problem_fields(&a, in.problems, in.nproblems),
	    "email");
	assert_int_equal(parse_form(&a, "email=a%23b%40example.com", &in),
	    ERR_UNPROCESSABLE);
	/* Other scripts stay welcome. */
	assert_int_equal(parse_form(&a, "email=a%40example.com&name=%D7%A9%D7"
	    "%A8%D7%94&message=%D9%85%D8%B1%D8%AD%D8%A8%D8%A7%0A", &in),
	    ERR_OK);
	arena_free(&a);
}

static void
test_inquiry_limits_count_characters(void **state)
{
	struct inquiry_in in;
	struct arena a;
	char *s, *p;
	int i;

	(void)state;
	arena_init(&a);
	/* 200 two-byte characters are a name; 201 are not. */
	s = arena_alloc(&a, 32 + 201 * 6);
	p = s + sprintf(s, "email=a%%40example.com&name=");
	for (i = 0; i < 200; i++)
		p += sprintf(p, "%%C3%%A9");
	assert_int_equal(parse_form(&a, s, &in), ERR_OK);
	sprintf(p, "%%C3%%A9");
	assert_int_equal(parse_form(&a, s, &in), ERR_UNPROCESSABLE);
	assert_string_equal(in.problems[0].field, "name");
	arena_free(&a);
}

static void
test_inquiry_json(void **state)
{
	struct inquiry_in in;
	struct arena a;
	const char *why = NULL, *j;

	(void)state;
	arena_init(&a);
	j = "{\"email\":\"a@example.com\",\"utm_medium\":\"cpc\",\"x\":[1]}";
	assert_int_equal(inquiry_parse_json(&a, j, strlen(j), "api", &in,
	    &why), ERR_OK);
	assert_string_equal(in.v[INQUIRY_UTM_MEDIUM], "cpc");
	assert_string_equal(in.v[INQUIRY_SOURCE], "api");
	j = "{\"email\":\"a\\u0000b@example.com\",\"name\":true}";
	assert_int_equal(inquiry_parse_json(&a, j, strlen(j), "api", &in,
	    &why), ERR_UNPROCESSABLE);
	assert_string_equal(problem_fields(&a, in.problems, in.nproblems),
	    "name,email");
	assert_non_null(strstr(inquiry_problems_json(&a, in.problems,
	    in.nproblems), "\"problems\":[{\"field\":\"name\""));
	assert_int_equal(inquiry_parse_json(&a, "[]", 2, "api", &in, &why),
	    ERR_INPUT);
	assert_non_null(why);
	assert_int_equal(inquiry_parse_json(&a, "{", 1, "api", &in, &why),
	    ERR_INPUT);
	arena_free(&a);
}

static void
test_inquiry_query(void **state)
{
	struct inquiry_query q;
	struct kvlist kv;
	struct arena a;
	const char *param, *why;

	(void)state;
	arena_init(&a);
#define Q(s) req_urlencoded(&a, s, strlen(s), LIMIT_PARAMS, &kv, &why)
	Q("status=new&from=2026-02-28&to=2026-03-01&limit=100&cursor=42");
	assert_int_equal(inquiry_query_parse(&kv, &q, &param, &why), ERR_OK);
	assert_int_equal(q.limit, 100);
	assert_int_equal(q.cursor, 42);
	Q("from=2026-02-29");
	assert_int_equal(inquiry_query_parse(&kv, &q, &param, &why),
	    ERR_INPUT);
	assert_string_equal(param, "from");
	Q("to=2026-1-01");
	assert_int_equal(inquiry_query_parse(&kv, &q, &param, &why),
	    ERR_INPUT);
	assert_string_equal(param, "to");
	Q("cursor=-1");
	assert_int_equal(inquiry_query_parse(&kv, &q, &param, &why),
	    ERR_INPUT);
	assert_string_equal(param, "cursor");
	Q("status=confirmed");
	assert_int_equal(inquiry_query_parse(&kv, &q, &param, &why),
	    ERR_INPUT);
	assert_int_equal(booking_query_parse(&kv, &q, &param, &why), ERR_OK);
#undef Q
	arena_free(&a);
}

static void
test_booking_values_keep_their_currency(void **state)
{
	struct booking_in b;
	struct arena a;
	const char *why, *j;

	(void)state;
	arena_init(&a);
#define J(s) (j = (s), booking_parse_json(&a, j, strlen(j), true, &b, &why))
	assert_int_equal(J("{\"event_type\":\"wedding\",\"value\":2400.5,"
	    "\"currency\":\"EUR\"}"), ERR_OK);
	assert_string_equal(b.value, "2400.5");
	assert_int_equal(J("{\"event_type\":\"wedding\",\"value\":\"15000\","
	    "\"currency\":\"JPY\"}"), ERR_OK);
	assert_int_equal(J("{\"event_type\":\"wedding\",\"value\":\"1.5\","
	    "\"currency\":\"JPY\"}"), ERR_UNPROCESSABLE);
	assert_string_equal(b.problems[0].field, "value");
	assert_int_equal(J("{\"event_type\":\"wedding\",\"value\":\"1.125\","
	    "\"currency\":\"KWD\"}"), ERR_OK);
	assert_int_equal(J("{\"event_type\":\"wedding\",\"value\":1e3,"
	    "\"currency\":\"EUR\"}"), ERR_UNPROCESSABLE);
	assert_int_equal(J("{\"event_type\":\"wedding\",\"value\":5,"
	    "\"currency\":\"ABC\"}"), ERR_UNPROCESSABLE);
	assert_string_equal(b.problems[0].field, "currency");
	assert_int_equal(J("{\"event_type\":\"gala\",\"status\":\"maybe\","
	    "\"event_date\":\"2027-02-29\"}"), ERR_UNPROCESSABLE);
	assert_int_equal(b.nproblems, 3);
	assert_int_equal(J("{}"), ERR_UNPROCESSABLE);
	assert_string_equal(b.problems[0].field, "event_type");
	assert_int_equal(booking_parse_json(&a, "{\"value\":null}", 14, false,
	    &b, &why), ERR_OK);
	assert_true(b.has_value);
	assert_null(b.value);
#undef J
	arena_free(&a);
}

static void
test_inquiry_form_origins(void **state)
{
	struct inquiry_form f = { 1, "t",
	    "https://a.example http://localhost:4000", "" };

	(void)state;
	assert_true(inquiry_form_origin_ok(&f, "https://a.example"));
	assert_true(inquiry_form_origin_ok(&f, "http://localhost:4000"));
	assert_false(inquiry_form_origin_ok(&f, "https://a.exampl"));
	assert_false(inquiry_form_origin_ok(&f, "https://a.example.evil"));
	assert_false(inquiry_form_origin_ok(&f, "http://localhost"));
	assert_false(inquiry_form_origin_ok(&f, ""));
	assert_false(inquiry_form_origin_ok(&f, NULL));
	assert_true(inquiry_status_ok("converted"));
	assert_false(inquiry_status_ok("won"));
	assert_true(booking_type_ok("engagement"));
	assert_false(booking_type_ok("Engagement"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inquiry_form_trims_and_defaults),
		cmocka_unit_test(test_inquiry_form_lists_every_problem),
		cmocka_unit_test(test_inquiry_limits_count_characters),
		cmocka_unit_test(test_inquiry_json),
		cmocka_unit_test(test_inquiry_query),
		cmocka_unit_test(test_booking_values_keep_their_currency),
		cmocka_unit_test(test_inquiry_form_origins),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
