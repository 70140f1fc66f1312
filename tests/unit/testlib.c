/* testlib.c — the unit tests' shared helpers (tests/unit/testlib.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "base/arena.h"
#include "base/jsonx.h"
#include "testlib.h"

static struct arena	scratch;
static int		scratch_ready;

struct arena *
testlib_arena(void)
{
	if (!scratch_ready) {
		arena_init(&scratch);
		scratch_ready = 1;
	}
	return &scratch;
}

int
testlib_teardown(void **state)
{
	(void)state;
	if (scratch_ready)
		arena_free(&scratch);
	scratch_ready = 0;
	return 0;
}

char *
testlib_slurp(struct arena *a, const char *path, size_t *len)
{
	FILE *f;
	char *s;
	long n = 0;

	if ((f = fopen(path, "rb")) == NULL)
		fail_msg("cannot read %s (fixtures live in tests/fixtures/)",
		    path);
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		fail_msg("cannot read %s: not a regular file", path);
	}
	s = arena_alloc(a, (size_t)n + 1);
	if (fread(s, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		fail_msg("cannot read %s: it shrank", path);
	}
	fclose(f);
	s[n] = '\0';
	if (len != NULL)
		*len = (size_t)n;
	return s;
}

struct json_object *
testlib_json_file(struct arena *a, const char *path)
{
	struct json_object *o;
	const char *why = NULL;
	size_t len;
	char *s;

	s = testlib_slurp(a, path, &len);
	if (jsonx_parse(a, s, len, &o, &why) != ERR_OK)
		fail_msg("%s: %s", path, why != NULL ? why : "not JSON");
	return o;
}

int
testlib_golden(const char *path, const char *got, size_t len)
{
	const char *update = getenv("SLUICE_GOLDEN_UPDATE");
	struct arena a;
	size_t wlen;
	char *want;
	FILE *f;
	int bad;

	if (update != NULL && strcmp(update, "1") == 0) {
		if ((f = fopen(path, "w")) == NULL ||
		    fwrite(got, 1, len, f) != len || fclose(f) != 0)
			fail_msg("cannot write %s", path);
		return 0;
	}
	if (access(path, R_OK) != 0) {
		print_message("%s is missing: run with "
		    "SLUICE_GOLDEN_UPDATE=1\n", path);
		return 1;
	}
	arena_init(&a);
	want = testlib_slurp(&a, path, &wlen);
	bad = wlen != len || memcmp(want, got, len) != 0;
	arena_free(&a);
	if (bad)
		print_message("%s differs from what renders now; if the change "
		    "is meant, run with SLUICE_GOLDEN_UPDATE=1 and review the "
		    "diff\n", path);
	return bad;
}

const char *
testlib_root(void)
{
	static char root[4096];
	char probe[sizeof(root) + 64], *slash;

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

const char *
testlib_fixture(struct arena *a, const char *rel)
{
	return arena_printf(a, "%s/tests/fixtures/%s", testlib_root(), rel);
}
