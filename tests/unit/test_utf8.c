/* test_utf8.c — UTF-8 as PostgreSQL accepts it: code points, validity,
 * characters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "base/utf8.h"

static void
test_utf8_next(void **state)
{
	const unsigned char euro[] = { 0xe2, 0x82, 0xac };
	const unsigned char emoji[] = { 0xf0, 0x9f, 0x8e, 0x89 };
	size_t len;

	(void)state;
	assert_int_equal(utf8_next((const unsigned char *)"A", 1, &len), 'A');
	assert_int_equal(len, 1);
	assert_int_equal(utf8_next(euro, 3, &len), 0x20ac);
	assert_int_equal(len, 3);
	assert_int_equal(utf8_next(emoji, 4, &len), 0x1f389);
	assert_int_equal(len, 4);
	assert_int_equal(utf8_next(euro, 2, &len), -1);	/* cut short */
	assert_int_equal(len, 1);
}

static void
test_utf8_valid(void **state)
{
	(void)state;
	assert_true(utf8_valid("caf\xc3\xa9 \xe2\x82\xac", 9));
	assert_true(utf8_valid("a\0b", 3));
	assert_false(utf8_valid("\xc0\xaf", 2));		/* overlong */
	assert_false(utf8_valid("\xe0\x80\xaf", 3));		/* overlong */
	assert_false(utf8_valid("\xed\xa0\x80", 3));		/* surrogate */
	assert_false(utf8_valid("\xf4\x90\x80\x80", 4));	/* > U+10FFFF */
	assert_false(utf8_valid("\xff", 1));
	assert_false(utf8_valid("\xc3", 1));
	assert_int_equal(utf8_chars("caf\xc3\xa9 \xe2\x82\xac"), 6);
	assert_int_equal(utf8_chars(""), 0);
}

/* Text for people: bad bytes become U+FFFD, a long text is cut on a
 * character with an ellipsis, a text that fits is kept whole. */
static void
test_utf8_clean(void **state)
{
	char out[16];

	(void)state;
	assert_int_equal(utf8_clean(out, sizeof(out), "plain"), 5);
	assert_string_equal(out, "plain");
	utf8_clean(out, sizeof(out), "a\xff\xfe" "b");
	assert_string_equal(out, "a\xef\xbf\xbd\xef\xbf\xbd" "b");
	assert_true(utf8_valid(out, strlen(out)));
	/* 15 bytes and the NUL: fits exactly, no cut. */
	utf8_clean(out, sizeof(out), "abcdefghijklmno");
	assert_string_equal(out, "abcdefghijklmno");
	utf8_clean(out, sizeof(out), "abcdefghijklmnop");
	assert_string_equal(out, "abcdefghijkl\xe2\x80\xa6");
	/* Never inside a character: 8 two-byte letters (17 bytes with
	 * the NUL) keep 6 and the mark. */
	utf8_clean(out, sizeof(out), "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9");
	assert_true(utf8_valid(out, strlen(out)));
	assert_string_equal(out, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xe2\x80\xa6");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8_next),
		cmocka_unit_test(test_utf8_valid),
		cmocka_unit_test(test_utf8_clean),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
