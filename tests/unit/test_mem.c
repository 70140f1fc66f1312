/* test_mem.c — allocators that abort with one message, and nitems(). */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "base/arena.h"
#include "base/mem.h"

static void
test_mem_nitems_counts_elements(void **state)
{
	static const struct { int a; char b[7]; } rows[5];
	char s[] = "abc";
	int64_t v[3];

	(void)state;
	assert_int_equal(nitems(rows), 5);
	assert_int_equal(nitems(s), 4);
	assert_int_equal(nitems(v), 3);
}

static void
test_mem_copies_and_zeroes(void **state)
{
	char *s, *t;
	int *z;
	size_t i;

	(void)state;
	s = xstrdup("sluice");
	assert_string_equal(s, "sluice");
	t = xstrndup("sluice", 3);
	assert_string_equal(t, "slu");
	z = xcalloc(64, sizeof(*z));
	for (i = 0; i < 64; i++)
		assert_int_equal(z[i], 0);
	z = xrealloc(z, 128 * sizeof(*z));
	assert_int_equal(z[63], 0);
	free(xmalloc(0));
	free(xcalloc(0, 8));
	free(s);
	free(t);
	free(z);
}

/*
 * Runs fn in a child with stderr on a pipe: it must abort with the one
 * message.
 */
static void
aborts_out_of_memory(void (*fn)(void))
{
	char out[256];
	ssize_t n, len = 0;
	int fds[2], status;
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	fflush(NULL);
	if ((pid = fork()) == 0) {
		dup2(fds[1], 2);
		close(fds[0]);
		signal(SIGABRT, SIG_DFL);
		fn();
		_exit(0);
	}
	assert_true(pid > 0);
	close(fds[1]);
	while ((n = read(fds[0], out + len, sizeof(out) - 1 - len)) > 0)
		len += n;
	out[len] = '\0';
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
	assert_string_equal(out, "test_mem: out of memory\n");
}

static void
calloc_overflow(void)
{
	(void)xcalloc(SIZE_MAX / 2, 4);
}

static void
arena_overflow(void)
{
	struct arena a;

	arena_init(&a);
	(void)arena_calloc(&a, SIZE_MAX / 2, 4);
}

static void
test_mem_overflow_is_out_of_memory(void **state)
{
	(void)state;
	aborts_out_of_memory(calloc_overflow);
	aborts_out_of_memory(arena_overflow);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mem_nitems_counts_elements),
		cmocka_unit_test(test_mem_copies_and_zeroes),
		cmocka_unit_test(test_mem_overflow_is_out_of_memory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
