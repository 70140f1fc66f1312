/* test_buf.c — bounded growable buffers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "base/buf.h"

static void
test_buf_append_grows_and_terminates(void **state)
{
	struct buf b;
	int i;

	(void)state;
	buf_init(&b, 1 << 20);
	assert_string_equal(buf_cstr(&b), "");
	for (i = 0; i < 1000; i++)
		assert_int_equal(buf_puts(&b, "abc"), ERR_OK);
	assert_int_equal(b.len, 3000);
	assert_int_equal(strlen(buf_cstr(&b)), 3000);
	assert_int_equal(buf_printf(&b, "%d", 12345), ERR_OK);
	assert_int_equal(b.len, 3005);
	assert_memory_equal(b.data + 3000, "12345", 5);
	buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(buf_cstr(&b), "");
	buf_free(&b);
}

static void
test_buf_refuses_past_max_and_keeps_contents(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 8);
	assert_int_equal(buf_puts(&b, "12345678"), ERR_OK);
	assert_int_equal(buf_putc(&b, 'x'), ERR_TOOBIG);
	assert_int_equal(buf_printf(&b, "%s", "y"), ERR_TOOBIG);
	assert_int_equal(b.len, 8);
	assert_string_equal(buf_cstr(&b), "12345678");
	buf_reset(&b);
	assert_int_equal(buf_append(&b, "123456789", 9), ERR_TOOBIG);
	assert_int_equal(b.len, 0);
	/* A length that would overflow size_t is refused, not wrapped. */
	assert_int_equal(buf_append(&b, "", SIZE_MAX), ERR_TOOBIG);
	buf_free(&b);
}

static void
test_buf_json_string_escapes(void **state)
{
	struct buf b;
	const char in[] = "a\"b\\c\n\t\x01\x7f\xc3\xa9<";

	(void)state;
	buf_init(&b, 1024);
	assert_int_equal(buf_put_json_string(&b, in, sizeof(in) - 1), ERR_OK);
	assert_string_equal(buf_cstr(&b),
	    "\"a\\\"b\\\\c\\n\\t\\u0001\\u007f\xc3\xa9<\"");
	buf_reset(&b);
	assert_int_equal(buf_put_json_string(&b, "x\0y", 3), ERR_OK);
	assert_string_equal(buf_cstr(&b), "\"x\\u0000y\"");
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf_append_grows_and_terminates),
		cmocka_unit_test(test_buf_refuses_past_max_and_keeps_contents),
		cmocka_unit_test(test_buf_json_string_escapes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
