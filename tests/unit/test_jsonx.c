/* test_jsonx.c — bounded strict JSON parsing and typed getters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <json-c/json.h>

#include "base/arena.h"
#include "base/jsonx.h"
#include "base/limit.h"
#include "base/mem.h"

static enum err
parse(struct arena *a, const char *s, struct json_object **o,
    const char **err)
{
	return jsonx_parse(a, s, strlen(s), o, err);
}

static void
test_jsonx_typed_getters(void **state)
{
	const char *doc = "{\"s\":\"x\",\"i\":42,\"big\":9223372036854775807,"
	    "\"d\":1.5,\"b\":true,\"o\":{},\"a\":[1],\"n\":null}";
	struct json_object *o, *v;
	struct arena a;
	const char *s, *err = NULL;
	int64_t i;
	double d;
	bool b;

	(void)state;
	arena_init(&a);
	assert_int_equal(parse(&a, doc, &o, &err), ERR_OK);
	assert_int_equal(jsonx_get_string(o, "s", &s), ERR_OK);
	assert_string_equal(s, "x");
	assert_int_equal(jsonx_get_int64(o, "i", &i), ERR_OK);
	assert_int_equal(i, 42);
	assert_int_equal(jsonx_get_int64(o, "big", &i), ERR_OK);
	assert_true(i == INT64_MAX);
	assert_int_equal(jsonx_get_double(o, "d", &d), ERR_OK);
	assert_true(d == 1.5);
	assert_int_equal(jsonx_get_double(o, "i", &d), ERR_OK);
	assert_true(d == 42.0);
	assert_int_equal(jsonx_get_bool(o, "b", &b), ERR_OK);
	assert_true(b);
	assert_int_equal(jsonx_get_object(o, "o", &v), ERR_OK);
	assert_int_equal(jsonx_get_array(o, "a", &v), ERR_OK);
	/* Missing and null are NOTFOUND; wrong types are INPUT. */
	assert_int_equal(jsonx_get_string(o, "zz", &s), ERR_NOTFOUND);
	assert_int_equal(jsonx_get_string(o, "n", &s), ERR_NOTFOUND);
	assert_int_equal(jsonx_get_string(o, "i", &s), ERR_INPUT);
	assert_int_equal(jsonx_get_int64(o, "d", &i), ERR_INPUT);
	assert_int_equal(jsonx_get_int64(o, "s", &i), ERR_INPUT);
	assert_int_equal(jsonx_get_double(o, "s", &d), ERR_INPUT);
	assert_int_equal(jsonx_get_bool(o, "i", &b), ERR_INPUT);
	assert_int_equal(jsonx_get_object(o, "a", &v), ERR_INPUT);
	assert_int_equal(jsonx_get_array(o, "o", &v), ERR_INPUT);
	assert_int_equal(jsonx_get_string(NULL, "s", &s), ERR_NOTFOUND);
	assert_string_equal(jsonx_string(&a, o), doc);
	arena_free(&a);
}

/* Missing, null and a non-object all give NULL; odd types depend. */
static void
test_jsonx_lenient_getters(void **state)
{
	const char *doc = "{\"s\":\"x\",\"i\":42,\"b\":false,\"o\":{\"k\":1},"
	    "\"a\":[1],\"n\":null}";
	struct json_object *o;
	struct arena a;
	const char *err = NULL;

	(void)state;
	arena_init(&a);
	assert_int_equal(parse(&a, doc, &o, &err), ERR_OK);
	assert_ptr_equal(jsonx_member(o, "o"), json_object_object_get(o, "o"));
	assert_non_null(jsonx_member(o, "i"));
	assert_null(jsonx_member(o, "n"));
	assert_null(jsonx_member(o, "none"));
	assert_null(jsonx_member(jsonx_member(o, "a"), "k"));
	assert_null(jsonx_member(NULL, "k"));
	assert_string_equal(jsonx_text(o, "s"), "x");
	assert_string_equal(jsonx_text(o, "i"), "42");
	assert_string_equal(jsonx_text(o, "b"), "false");
	assert_string_equal(jsonx_text(o, "o"), "{ \"k\": 1 }");
	assert_null(jsonx_text(o, "n"));
	assert_null(jsonx_text(o, "none"));
	assert_null(jsonx_text(jsonx_member(o, "s"), "k"));
	assert_string_equal(jsonx_str(o, "s"), "x");
	assert_null(jsonx_str(o, "i"));
	assert_null(jsonx_str(o, "n"));
	assert_null(jsonx_str(o, "none"));
	assert_null(jsonx_str(NULL, "s"));
	arena_free(&a);
}

static void
test_jsonx_out_of_range_integer(void **state)
{
	struct json_object *o;
	struct arena a;
	const char *err = NULL;
	int64_t i;

	(void)state;
	arena_init(&a);
	assert_int_equal(parse(&a, "{\"i\":99999999999999999999}", &o, &err),
	    ERR_OK);
	assert_int_equal(jsonx_get_int64(o, "i", &i), ERR_INPUT);
	arena_free(&a);
}

static void
test_jsonx_rejects_malformed_documents(void **state)
{
	static const char *const bad[] = {
		"", "{", "{\"a\":1", "[1,2", "{\"a\":1}x", "{\"a\":1} {}",
		"{'a':1}", "{\"a\":NaN}", "{\"a\":Infinity}", "[1,]",
		"{\"a\":01}", "// c\n{}", "\"unterminated",
	};
	struct json_object *o;
	struct arena a;
	const char *err;
	size_t i;

	(void)state;
	arena_init(&a);
	for (i = 0; i < nitems(bad); i++) {
		err = NULL;
		assert_int_equal(parse(&a, bad[i], &o, &err), ERR_INPUT);
		assert_non_null(err);
		assert_null(o);
	}
	/* A NUL inside the given length is refused. */
	assert_int_equal(jsonx_parse(&a, "{\"a\":\"x\0\"}", 10, &o, &err),
	    ERR_INPUT);
	/* Trailing white space is fine. */
	assert_int_equal(parse(&a, " {\"a\":1} \n", &o, &err), ERR_OK);
	arena_free(&a);
}

static void
test_jsonx_depth_limit(void **state)
{
	struct json_object *o;
	struct arena a;
	const char *err = NULL;
	char *deep;
	int n = LIMIT_JSON_DEPTH + 1;

	(void)state;
	arena_init(&a);
	deep = arena_alloc(&a, (size_t)n * 2 + 1);
	memset(deep, '[', (size_t)n);
	memset(deep + n, ']', (size_t)n);
	deep[n * 2] = '\0';
	assert_int_equal(parse(&a, deep, &o, &err), ERR_INPUT);
	assert_non_null(strstr(err, "deep"));
	/* Exactly at the limit parses. */
	deep[n - 1] = ' ';
	deep[n] = ' ';
	assert_int_equal(parse(&a, deep, &o, &err), ERR_OK);
	arena_free(&a);
}

static void
test_jsonx_size_limit(void **state)
{
	struct json_object *o;
	struct arena a;
	const char *err = NULL;

	(void)state;
	arena_init(&a);
	/* The length is checked before a byte is read. */
	assert_int_equal(jsonx_parse(&a, "{}", (size_t)LIMIT_JSON_SIZE + 1,
	    &o, &err), ERR_TOOBIG);
	assert_non_null(strstr(err, "limit"));
	arena_free(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jsonx_typed_getters),
		cmocka_unit_test(test_jsonx_lenient_getters),
		cmocka_unit_test(test_jsonx_out_of_range_integer),
		cmocka_unit_test(test_jsonx_rejects_malformed_documents),
		cmocka_unit_test(test_jsonx_depth_limit),
		cmocka_unit_test(test_jsonx_size_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
