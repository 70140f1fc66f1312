/*
 * test_hex.c — hex digits, hex-encoded keys and the page cursors of
 * /v1/content ("suhhh") and /v1/reviews ("uhhh"), which had their own
 * copies of these readers before lib/base/hex.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "base/arena.h"
#include "base/hex.h"

static void
test_hex_digit_reads_both_cases(void **state)
{
	const char *digits = "0123456789abcdef";
	int c, i;

	(void)state;
	for (i = 0; i < 16; i++) {
		assert_int_equal(hex_digit(digits[i]), i);
		c = digits[i] >= 'a' ? digits[i] - 'a' + 'A' : digits[i];
		assert_int_equal(hex_digit(c), i);
	}
	assert_int_equal(hex_digit('g'), -1);
	assert_int_equal(hex_digit('G'), -1);
	assert_int_equal(hex_digit('/'), -1);
	assert_int_equal(hex_digit(':'), -1);
	assert_int_equal(hex_digit(0), -1);
	assert_int_equal(hex_digit(0xc3), -1);
}

static void
test_hex_key_ok_is_strict(void **state)
{
	(void)state;
	assert_true(hex_key_ok("6162", 4, 2));
	assert_true(hex_key_ok("6162.", 4, 2));		/* n bytes only */
	assert_false(hex_key_ok("616263", 6, 2));	/* over max */
	assert_false(hex_key_ok("", 0, 2));		/* empty */
	assert_false(hex_key_ok("616", 3, 2));		/* odd */
	assert_false(hex_key_ok("6A", 2, 2));		/* uppercase */
	assert_false(hex_key_ok("6100", 4, 2));	/* a NUL byte */
	assert_true(hex_key_ok("1001", 4, 2));		/* 0 in two bytes */
}

static void
test_hex_cursor_read_keeps_to_spec(void **state)
{
	struct arena a;
	const char *key[5];

	(void)state;
	arena_init(&a);
	assert_true(hex_cursor_read(&a, "-1.1700000000000000.6661.61.62",
	    "suhhh", 256, key));
	assert_string_equal(key[0], "-1");
	assert_string_equal(key[1], "1700000000000000");
	assert_string_equal(key[2], "6661");
	assert_string_equal(key[4], "62");
	assert_true(hex_cursor_read(&a, "17.61.62.63", "uhhh", 256, key));
	assert_string_equal(key[3], "63");
	/* A minus only where the spec says 's'. */
	assert_false(hex_cursor_read(&a, "-17.61.62.63", "uhhh", 256, key));
	assert_false(hex_cursor_read(&a, "1.-2.61.62.63", "suhhh", 256,
	    key));
	assert_false(hex_cursor_read(&a, "-.1.61.62.63", "suhhh", 256, key));
	/* Too few fields, too many, an empty one, a trailing dot. */
	assert_false(hex_cursor_read(&a, "17.61.62", "uhhh", 256, key));
	assert_false(hex_cursor_read(&a, "17.61.62.63.64", "uhhh", 256,
	    key));
	assert_false(hex_cursor_read(&a, "17..62.63", "uhhh", 256, key));
	assert_false(hex_cursor_read(&a, "17.61.62.63.", "uhhh", 256, key));
	/* Numbers of 19 digits at most; keys of max bytes at most. */
	assert_true(hex_cursor_read(&a, "1234567890123456789.61.62.63",
	    "uhhh", 256, key));
	assert_false(hex_cursor_read(&a, "12345678901234567890.61.62.63",
	    "uhhh", 256, key));
	assert_true(hex_cursor_read(&a, "1.6162.62.63", "uhhh", 2, key));
	assert_false(hex_cursor_read(&a, "1.616263.62.63", "uhhh", 2, key));
	assert_false(hex_cursor_read(&a, "1x.61.62.63", "uhhh", 256, key));
	assert_false(hex_cursor_read(&a, "1.6G.62.63", "uhhh", 256, key));
	arena_free(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hex_digit_reads_both_cases),
		cmocka_unit_test(test_hex_key_ok_is_strict),
		cmocka_unit_test(test_hex_cursor_read_keeps_to_spec),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
