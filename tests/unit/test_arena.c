/* test_arena.c — the request allocator. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "base/arena.h"

static void
test_arena_alloc_is_aligned_and_distinct(void **state)
{
	struct arena a;
	char *p, *q;
	int i;

	(void)state;
	arena_init(&a);
	p = arena_alloc(&a, 3);
	q = arena_alloc(&a, 3);
	assert_true(((uintptr_t)p % 16) == 0);
	assert_true(((uintptr_t)q % 16) == 0);
	assert_ptr_not_equal(p, q);
	memset(p, 'x', 3);
	memset(q, 'y', 3);
	assert_int_equal(p[2], 'x');
	/* Many small and a few large allocations across blocks. */
	for (i = 0; i < 5000; i++) {
		p = arena_alloc(&a, (size_t)(i % 97) + 1);
		memset(p, i & 0xff, (size_t)(i % 97) + 1);
	}
	p = arena_alloc(&a, 1 << 20);
	memset(p, 0, 1 << 20);
	arena_free(&a);
}

static void
test_arena_strings(void **state)
{
	struct arena a;
	char *s;

	(void)state;
	arena_init(&a);
	assert_string_equal(arena_strdup(&a, "hello"), "hello");
	assert_null(arena_strdup(&a, NULL));
	assert_string_equal(arena_strndup(&a, "hello", 3), "hel");
	assert_string_equal(arena_strndup(&a, "", 0), "");
	s = arena_printf(&a, "%s-%d", "id", 42);
	assert_string_equal(s, "id-42");
	arena_free(&a);
}

static void
test_arena_calloc_zeroes(void **state)
{
	struct arena a;
	unsigned char *p;
	size_t i;

	(void)state;
	arena_init(&a);
	p = arena_alloc(&a, 64);
	memset(p, 0xff, 64);
	arena_reset(&a);
	p = arena_calloc(&a, 8, 8);
	for (i = 0; i < 64; i++)
		assert_int_equal(p[i], 0);
	arena_free(&a);
}

static int order[4];
static int norder;

static void
record(void *p)
{
	order[norder++] = *(int *)p;
}

static void
test_arena_cleanups_run_lifo_once(void **state)
{
	static int one = 1, two = 2, three = 3;
	struct arena a;

	(void)state;
	norder = 0;
	arena_init(&a);
	arena_defer(&a, record, &one);
	arena_defer(&a, record, &two);
	arena_defer(&a, record, &three);
	arena_reset(&a);
	assert_int_equal(norder, 3);
	assert_int_equal(order[0], 3);
	assert_int_equal(order[1], 2);
	assert_int_equal(order[2], 1);
	arena_reset(&a);
	assert_int_equal(norder, 3);
	/* Reusable after reset. */
	arena_defer(&a, record, &one);
	arena_free(&a);
	assert_int_equal(norder, 4);
	assert_int_equal(order[3], 1);
}

static void
test_arena_reset_reuses_memory(void **state)
{
	struct arena a;
	int i;

	(void)state;
	arena_init(&a);
	for (i = 0; i < 1000; i++) {
		memset(arena_alloc(&a, 1000), 1, 1000);
		assert_int_equal(a.used, 1000);
		arena_reset(&a);
		assert_int_equal(a.used, 0);
	}
	arena_free(&a);
}

/* An array grows by doubling and keeps its elements; room left: as is. */
static void
test_arena_grow_keeps_elements(void **state)
{
	struct arena a;
	long *v = NULL, *before;
	size_t n, cap = 0;

	(void)state;
	arena_init(&a);
	for (n = 0; n < 100; n++) {
		before = v;
		v = arena_grow(&a, v, n, &cap, sizeof(*v));
		if (n > 0 && n != 16 && n != 32 && n != 64)
			assert_ptr_equal(v, before);
		assert_true(cap > n);
		v[n] = (long)n * 3;
	}
	assert_int_equal(cap, 128);
	for (n = 0; n < 100; n++)
		assert_int_equal(v[n], (long)n * 3);
	assert_int_equal(v[100], 0);	/* the new room is zeroed */
	arena_free(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arena_alloc_is_aligned_and_distinct),
		cmocka_unit_test(test_arena_strings),
		cmocka_unit_test(test_arena_calloc_zeroes),
		cmocka_unit_test(test_arena_grow_keeps_elements),
		cmocka_unit_test(test_arena_cleanups_run_lifo_once),
		cmocka_unit_test(test_arena_reset_reuses_memory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
