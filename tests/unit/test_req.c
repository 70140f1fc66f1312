/* test_req.c — parsing CGI parameters, query strings, forms and cookies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "base/arena.h"
#include "base/kv.h"
#include "base/limit.h"
#include "base/mem.h"
#include "testlib.h"
#include "web/req.h"

static void
test_req_unescape_percent_and_plus(void **state)
{
	struct arena *a = testlib_arena();
	size_t len;
	char *out;

	(void)state;
	assert_int_equal(req_unescape(a, "a%20b+c%2B", 10, true, &out, &len),
	    ERR_OK);
	assert_string_equal(out, "a b c+");
	assert_int_equal(len, 6);
	assert_int_equal(req_unescape(a, "a+b", 3, false, &out, &len), ERR_OK);
	assert_string_equal(out, "a+b");
	assert_int_equal(req_unescape(a, "%c3%A9", 6, true, &out, &len),
	    ERR_OK);
	assert_string_equal(out, "\xc3\xa9");
}

static void
test_req_unescape_rejects_bad_escapes_and_nul(void **state)
{
	struct arena *a = testlib_arena();
	char *out;

	(void)state;
	assert_int_equal(req_unescape(a, "%", 1, true, &out, NULL), ERR_INPUT);
	assert_int_equal(req_unescape(a, "%4", 2, true, &out, NULL), ERR_INPUT);
	assert_int_equal(req_unescape(a, "%zz", 3, true, &out, NULL),
	    ERR_INPUT);
	assert_int_equal(req_unescape(a, "a%00b", 5, true, &out, NULL),
	    ERR_INPUT);
	assert_int_equal(req_unescape(a, "a\0b", 3, true, &out, NULL),
	    ERR_INPUT);
}

static void
test_req_urlencoded_empty_and_repeated_keys(void **state)
{
	struct arena *a = testlib_arena();
	struct kvlist l;
	const char *err = NULL;
	const char *s = "a=1&&b=&c&a=2&d=x%3Dy";

	(void)state;
	assert_int_equal(req_urlencoded(a, s, strlen(s), 10, &l, &err),
	    ERR_OK);
	assert_int_equal(l.n, 5);
	assert_string_equal(l.v[0].name, "a");
	assert_string_equal(l.v[0].value, "1");
	assert_string_equal(l.v[1].name, "b");
	assert_string_equal(l.v[1].value, "");
	assert_string_equal(l.v[2].name, "c");
	assert_string_equal(l.v[2].value, "");
	assert_string_equal(l.v[3].value, "2");
	assert_string_equal(l.v[4].value, "x=y");
	/* The first of repeated keys wins in lookups. */
	assert_string_equal(kv_get(&l, "a")->value, "1");
	assert_null(kv_get(&l, "zz"));
	assert_int_equal(req_urlencoded(a, "", 0, 10, &l, &err), ERR_OK);
	assert_int_equal(l.n, 0);
	assert_int_equal(req_urlencoded(a, "&&&", 3, 10, &l, &err), ERR_OK);
	assert_int_equal(l.n, 0);
}

static void
test_req_urlencoded_rejects_bad_input(void **state)
{
	struct arena *a = testlib_arena();
	struct kvlist l;
	const char *err = NULL;

	(void)state;
	assert_int_equal(req_urlencoded(a, "=x", 2, 10, &l, &err), ERR_INPUT);
	assert_non_null(err);
	assert_int_equal(req_urlencoded(a, "a=%0", 4, 10, &l, &err),
	    ERR_INPUT);
	assert_int_equal(req_urlencoded(a, "a=%00", 5, 10, &l, &err),
	    ERR_INPUT);
	assert_int_equal(req_urlencoded(a, "a=1&b=2&c=3", 11, 2, &l, &err),
	    ERR_TOOBIG);
	/* Empty pieces do not count against the limit. */
	assert_int_equal(req_urlencoded(a, "a=1&&&&b=2", 10, 2, &l, &err),
	    ERR_OK);
	assert_int_equal(l.n, 2);
}

/* base/kv: names are case-sensitive, except for kv_header(). */
static void
test_req_kv_lookups(void **state)
{
	struct kv v[] = { { "Content-Type", "text/plain", 10 },
	    { "a", "1", 1 }, { "a", "2", 1 } };
	struct kvlist l = { v, nitems(v) };

	(void)state;
	assert_ptr_equal(kv_get(&l, "a"), &v[1]);
	assert_string_equal(kv_value(&l, "a"), "1");
	assert_null(kv_value(&l, "A"));
	assert_null(kv_value(&l, "content-type"));
	assert_string_equal(kv_header(&l, "content-type"), "text/plain");
	assert_string_equal(kv_header(&l, "CONTENT-TYPE"), "text/plain");
	assert_null(kv_header(&l, "content"));
}

static void
test_req_kv_unknown(void **state)
{
	static const char *const known[] = { "a", "content-type" };
	struct kv v[] = {
		{ "a", "1", 1 }, { "content-type", "x", 1 }, { "A", "2", 1 },
		{ "b", "3", 1 },
	};
	struct kvlist l = { v, nitems(v) }, none = { v, 0 };

	(void)state;
	/* The first unknown name, case-sensitive. */
	assert_ptr_equal(kv_unknown(&l, known, nitems(known)), v[2].name);
	l.n = 2;
	assert_null(kv_unknown(&l, known, nitems(known)));
	assert_ptr_equal(kv_unknown(&l, NULL, 0), v[0].name);
	assert_null(kv_unknown(&none, NULL, 0));
}

static void
test_req_cookies(void **state)
{
	struct arena *a = testlib_arena();
	struct kvlist l;

	(void)state;
	req_cookies(a, "sid=abc; theme=\"dark\";junk; =x;  sp = v w ;last=",
	    LIMIT_COOKIES, &l);
	assert_int_equal(l.n, 4);
	assert_string_equal(l.v[0].name, "sid");
	assert_string_equal(l.v[0].value, "abc");
	assert_string_equal(l.v[1].value, "dark");
	assert_string_equal(l.v[2].name, "sp");
	assert_string_equal(l.v[2].value, "v w");
	assert_string_equal(l.v[3].name, "last");
	assert_string_equal(l.v[3].value, "");
	req_cookies(a, "a=1;a=2;a=3", 2, &l);
	assert_int_equal(l.n, 2);
}

static void
test_req_parse_full_request(void **state)
{
	struct arena *a = testlib_arena();
	char *params[] = {
		"REQUEST_METHOD=POST", "DOCUMENT_URI=/v1/x y",
		"QUERY_STRING=q=1+2&q=3", "CONTENT_TYPE=application/"
		"x-www-form-urlencoded; charset=utf-8", "CONTENT_LENGTH=7",
		"HTTP_COOKIE=sid=s1", "HTTP_X_FORWARDED_FOR=1.2.3.4",
		"REMOTE_ADDR=127.0.0.1", "REQUEST_ID=abc123", "HTTPS=on",
		"NOEQUALS", NULL };
	const char *err = NULL;
	struct req r;

	(void)state;
	assert_int_equal(req_parse(a, params, &r, &err), ERR_OK);
	assert_int_equal(r.method, HTTP_POST);
	assert_string_equal(r.path, "/v1/x y");
	assert_string_equal(req_query(&r, "q"), "1 2");
	assert_int_equal(r.query.n, 2);
	assert_int_equal(r.content_length, 7);
	assert_string_equal(req_cookie(&r, "sid"), "s1");
	assert_string_equal(req_header(&r, "X-Forwarded-For"), "1.2.3.4");
	assert_string_equal(r.request_id, "abc123");
	assert_true(r.https);
	assert_true(req_is_content_type(&r,
	    "application/x-www-form-urlencoded"));
	assert_false(req_is_content_type(&r, "application/x-www-form"));
	assert_int_equal(req_set_body(a, &r, "a=1&b=%", 7, &err), ERR_INPUT);
	assert_int_equal(req_set_body(a, &r, "a=1&b=2", 7, &err), ERR_OK);
	assert_string_equal(req_form(&r, "b"), "2");
	assert_string_equal(r.body, "a=1&b=2");
}

/* Cache-Control: no-cache among the directives, any case, nothing
 * else taken for it. */
static void
test_req_no_cache(void **state)
{
	static const struct { const char *h; bool want; } cases[] = {
		{ NULL, false },
		{ "HTTP_CACHE_CONTROL=no-cache", true },
		{ "HTTP_CACHE_CONTROL=max-age=0, No-Cache", true },
		{ "HTTP_CACHE_CONTROL=no-cache , no-store", true },
		{ "HTTP_CACHE_CONTROL=max-age=0", false },
		{ "HTTP_CACHE_CONTROL=no-store", false },
		{ "HTTP_CACHE_CONTROL=no-cachex", false },
		{ "HTTP_CACHE_CONTROL=xno-cache", false },
		{ "HTTP_CACHE_CONTROL=no-cache=x", false },
		{ "HTTP_CACHE_CONTROL=", false },
		{ "HTTP_PRAGMA=no-cache", false },
	};
	struct arena *a = testlib_arena();
	const char *err = NULL;
	struct req r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *params[] = { "REQUEST_METHOD=GET", "DOCUMENT_URI=/",
		    (char *)cases[i].h, NULL };

		assert_int_equal(req_parse(a, params, &r, &err), ERR_OK);
		if (req_no_cache(&r) != cases[i].want)
			fail_msg("%s: want %d", cases[i].h ? cases[i].h :
			    "(none)", cases[i].want);
	}
}

static void
test_req_parse_content_types(void **state)
{
	struct arena *a = testlib_arena();
	char *json[] = { "REQUEST_METHOD=POST", "DOCUMENT_URI=/",
		"CONTENT_TYPE=application/json", NULL };
	char *none[] = { "REQUEST_METHOD=POST", "DOCUMENT_URI=/", NULL };
	char *odd[] = { "REQUEST_METHOD=POST", "DOCUMENT_URI=/",
		"CONTENT_TYPE=;;;", NULL };
	const char *err = NULL;
	struct req r;

	(void)state;
	/* A non-form body is kept as is and not parsed. */
	assert_int_equal(req_parse(a, json, &r, &err), ERR_OK);
	assert_int_equal(req_set_body(a, &r, "a=%zz", 5, &err), ERR_OK);
	assert_int_equal(r.form.n, 0);
	assert_string_equal(r.body, "a=%zz");
	assert_int_equal(req_parse(a, none, &r, &err), ERR_OK);
	assert_string_equal(r.content_type, "");
	assert_false(req_is_content_type(&r, "application/json"));
	assert_int_equal(req_set_body(a, &r, "x", 1, &err), ERR_OK);
	assert_int_equal(req_parse(a, odd, &r, &err), ERR_OK);
	assert_false(req_is_content_type(&r, "application/json"));
}

static void
test_req_parse_rejects_bad_requests(void **state)
{
	struct arena *a = testlib_arena();
	char *method[] = { "REQUEST_METHOD=BREW", "DOCUMENT_URI=/", NULL };
	char *relpath[] = { "REQUEST_METHOD=GET", "DOCUMENT_URI=x", NULL };
	char *ctl[] = { "REQUEST_METHOD=GET", "DOCUMENT_URI=/a\nb", NULL };
	char *clen[] = { "REQUEST_METHOD=POST", "DOCUMENT_URI=/",
		"CONTENT_LENGTH=12ab", NULL };
	char *neg[] = { "REQUEST_METHOD=POST", "DOCUMENT_URI=/",
		"CONTENT_LENGTH=-1", NULL };
	char *query[] = { "REQUEST_METHOD=GET", "DOCUMENT_URI=/",
		"QUERY_STRING=a=%G0", NULL };
	const char *err = NULL;
	struct req r;

	(void)state;
	assert_int_equal(req_parse(a, method, &r, &err), ERR_METHOD);
	assert_int_equal(req_parse(a, relpath, &r, &err), ERR_INPUT);
	assert_int_equal(req_parse(a, ctl, &r, &err), ERR_INPUT);
	assert_int_equal(req_parse(a, clen, &r, &err), ERR_INPUT);
	assert_int_equal(req_parse(a, neg, &r, &err), ERR_INPUT);
	assert_int_equal(req_parse(a, query, &r, &err), ERR_INPUT);
	assert_non_null(err);
}

static void
test_req_parse_rejects_oversize(void **state)
{
	struct arena *a = testlib_arena();
	char *params[LIMIT_HEADERS + 4];
	char *big, *longpath, *longquery;
	const char *err = NULL;
	struct req r;
	size_t i;

	(void)state;
	big = arena_alloc(a, LIMIT_HEADER + 32);
	memcpy(big, "HTTP_X_BIG=", 11);
	memset(big + 11, 'x', LIMIT_HEADER + 1);
	big[11 + LIMIT_HEADER + 1] = '\0';
	params[0] = "REQUEST_METHOD=GET";
	params[1] = big;
	params[2] = NULL;
	assert_int_equal(req_parse(a, params, &r, &err), ERR_TOOBIG);

	for (i = 0; i < LIMIT_HEADERS + 1; i++)
		params[i + 1] = arena_printf(a, "HTTP_X_H%zu=v", i);
	params[LIMIT_HEADERS + 2] = NULL;
	assert_int_equal(req_parse(a, params, &r, &err), ERR_TOOBIG);

	longpath = arena_alloc(a, LIMIT_PATH + 32);
	strcpy(longpath, "DOCUMENT_URI=/");
	memset(longpath + 14, 'p', LIMIT_PATH);
	longpath[14 + LIMIT_PATH] = '\0';
	params[1] = longpath;
	params[2] = NULL;
	assert_int_equal(req_parse(a, params, &r, &err), ERR_TOOBIG);

	longquery = arena_alloc(a, LIMIT_QUERY + 32);
	strcpy(longquery, "QUERY_STRING=");
	memset(longquery + 13, 'q', LIMIT_QUERY + 1);
	longquery[13 + LIMIT_QUERY + 1] = '\0';
	params[1] = longquery;
	assert_int_equal(req_parse(a, params, &r, &err), ERR_TOOBIG);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_req_unescape_percent_and_plus),
		cmocka_unit_test(test_req_unescape_rejects_bad_escapes_and_nul),
		cmocka_unit_test(test_req_urlencoded_empty_and_repeated_keys),
		cmocka_unit_test(test_req_urlencoded_rejects_bad_input),
		cmocka_unit_test(test_req_kv_lookups),
		cmocka_unit_test(test_req_kv_unknown),
		cmocka_unit_test(test_req_cookies),
		cmocka_unit_test(test_req_parse_full_request),
		cmocka_unit_test(test_req_parse_content_types),
		cmocka_unit_test(test_req_no_cache),
		cmocka_unit_test(test_req_parse_rejects_bad_requests),
		cmocka_unit_test(test_req_parse_rejects_oversize),
	};

	return cmocka_run_group_tests(tests, NULL, testlib_teardown);
}
