/*
 * test_account.c — the pure parts of lib/tenancy/account: which names
 * people may type, and the plain form of a stored name for a mail's
 * Subject.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "base/arena.h"
#include "base/mem.h"
#include "tenancy/account.h"

static void
test_account_name_accepts_plain_names(void **state)
{
	static const char *const good[] = { "Acme", "Beta <b>",
	    "Caf\xc3\xa9 & Co", "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d",
	    "\xe6\x9d\xb1\xe4\xba\xac", "x", "emoji \xf0\x9f\x93\x88",
	    "a  b",
	    /* Persian with a zero width non-joiner, an emoji joined by ZWJ */
	    "\xd9\x85\xdb\x8c\xe2\x80\x8c\xd8\xae\xd9\x88\xd8\xa7\xd9\x87\xd9\x85",
	    "\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x92\xbb" };
	size_t i;

	(void)state;
	for (i = 0; i < nitems(good); i++)
		assert_null(account_name_problem(good[i], 200));
}

static void
test_account_name_refuses_controls_and_bidi(void **state)
{
	static const char *const bad[] = {
		"", "   ", "a\r\nBcc: x@evil.example", "a\nb", "a\tb",
		"a\x1b[31mred", "a\x7f", "a\xc2\x85" "b",	/* NEL, C1 */
		"a\xc2\x9b" "b",				/* CSI, C1 */
		"evil\xe2\x80\xaegnp.exe",			/* U+202E */
		"a\xe2\x80\xaa" "b", "a\xe2\x81\xa6" "b",	/* LRE, LRI */
		"a\xe2\x81\xa9" "b", "a\xe2\x80\xa8" "b",	/* PDI, LSEP */
		"a\xff" "b", "a\xc0\xaf" "b",			/* not UTF-8 */
		"a\xed\xa0\x80" "b",				/* surrogate */
		"a\xe2\x80",					/* cut */
		"a\xe2\x80\x8f" "b", "a\xe2\x80\x8e" "b",	/* RLM, LRM */
		"a\xd8\x9c" "b",				/* ALM */
		"pay\xe2\x80\x8bpal", "a\xe2\x81\xa0" "b",	/* ZWSP, WJ */
		"\xef\xbb\xbf" "abc",				/* U+FEFF */
	};
	char longname[202];
	size_t i;

	(void)state;
	for (i = 0; i < nitems(bad); i++)
		assert_non_null(account_name_problem(bad[i], 200));
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_non_null(strstr(account_name_problem(longname, 200), "long"));
	assert_null(account_name_problem(longname + 1, 200));
	assert_non_null(account_name_problem(NULL, 200));
}

static void
test_account_name_plain(void **state)
{
	struct arena a;

	(void)state;
	arena_init(&a);
	assert_string_equal(account_name_plain(&a, "Acme\r\nBcc: x"),
	    "AcmeBcc: x");
	assert_string_equal(account_name_plain(&a,
	    "evil\xe2\x80\xaegnp\xe2\x81\xa6.exe\x1b"), "evilgnp.exe");
	assert_string_equal(account_name_plain(&a, "Caf\xc3\xa9\xff\xc2\x85"),
	    "Caf\xc3\xa9");
	assert_string_equal(account_name_plain(&a, ""), "");
	arena_free(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_account_name_accepts_plain_names),
		cmocka_unit_test(test_account_name_refuses_controls_and_bidi),
		cmocka_unit_test(test_account_name_plain),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
