/*
 * testlib.h — what the unit tests share, linked into every test binary:
 * a scratch arena, whole files and JSON files read or failing the test,
 * golden files, and where the example files (tests/fixtures/) are.
 *
 * Include it after <cmocka.h>.  A test program that uses testlib_arena()
 * passes testlib_teardown as its group teardown (or a test's), so the
 * arena is released even when a test fails half-way.
 */
#ifndef SLUICE_TESTLIB_H
#define SLUICE_TESTLIB_H

#include <stddef.h>

struct arena;
struct json_object;

/* The tests' scratch arena, ready at first use. */
struct arena	*testlib_arena(void);

/* cmocka setup/teardown: releases the scratch arena's memory. */
int		 testlib_teardown(void **state);

/*
 * The whole file at path, NUL-terminated, in the arena (*len, if not
 * NULL, its length); fails the test, naming the file, when it cannot be
 * read.
 */
char		*testlib_slurp(struct arena *, const char *path, size_t *len);

/* The file at path parsed with jsonx_parse(), owned by the arena; fails
 * the test when it cannot be read or is not JSON. */
struct json_object *testlib_json_file(struct arena *, const char *path);

/*
 * Compares len bytes of got with the golden file at path: 0 when they
 * are the same; 1, having said what to do, when the file differs or is
 * missing.  With SLUICE_GOLDEN_UPDATE=1 in the environment it writes got
 * to path instead and returns 0.
 */
int		 testlib_golden(const char *path, const char *got, size_t len);

/*
 * The checkout's root: the nearest of the working directory and its
 * parents that holds tests/fixtures/README.md, so the tests run from the
 * root (make test, make unit) or any folder inside.  Static storage.
 * Fails the running test when there is none.
 */
const char	*testlib_root(void);

/* The path of rel (e.g. "providers/github/user.json") inside
 * tests/fixtures/, in the arena. */
const char	*testlib_fixture(struct arena *, const char *rel);

#endif
