/*
 * fixture.h — where the unit tests find their example files: the
 * checkout's tests/fixtures/ (see tests/fixtures/README.md).  The
 * checkout is found from the working directory upwards, so the tests run
 * from its root (make test, make unit) or from any folder inside it.
 * Header only, included once per test program, after <cmocka.h>.
 */
#ifndef FIXTURE_H
#define FIXTURE_H

#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Room for a path. */
#define FIXTURE_PATH_SIZE	4096

/*
 * The checkout's root directory: the nearest of the working directory and
 * its parents that holds tests/fixtures/README.md.  The string is static
 * and lives until exit.  Fails the running test when there is none.
 */
static inline const char *
fixture_root(void)
{
	static char root[FIXTURE_PATH_SIZE];
	char probe[FIXTURE_PATH_SIZE + 64], *slash;

	if (root[0] != '\0')
		return root;
	if (getcwd(root, sizeof(root)) == NULL)
		fail_msg("fixtures: cannot read the working directory");
	for (;;) {
		snprintf(probe, sizeof(probe), "%s/tests/fixtures/README.md",
		    root);
		if (access(probe, R_OK) == 0)
			return root;
		if ((slash = strrchr(root, '/')) == NULL || slash == root) {
			root[0] = '\0';
			fail_msg("fixtures: no tests/fixtures/ in the working "
			    "directory or its parents; run the tests from "
			    "the checkout (make test)");
		}
		*slash = '\0';
	}
}

/*
 * Writes the path of rel (e.g. "providers/github/user.json") inside
 * tests/fixtures/ into out, a buffer of size bytes.  Fails the running
 * test when the path does not fit.
 */
static inline void
fixture_path(char *out, size_t size, const char *rel)
{
	int n;

	n = snprintf(out, size, "%s/tests/fixtures/%s", fixture_root(), rel);
	if (n < 0 || (size_t)n >= size)
		fail_msg("fixtures: path too long for %s", rel);
}

#endif /* FIXTURE_H */
