/* test_route.c — route tables, captures, 404 and 405. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/arena.h"
#include "base/mem.h"
#include "web/route.h"

static enum err
h(struct ctx *ctx)
{
	(void)ctx;
	return ERR_OK;
}

static const struct route routes[] = {
	{ HTTP_GET, "/healthz", h, 0, 0 },
	{ HTTP_GET | HTTP_POST, "/v1/connections", h, 0, 0 },
	{ HTTP_GET, "/v1/connections/:provider", h, 0, 0 },
	{ HTTP_DELETE, "/v1/connections/:provider", h, 0, 0 },
	{ HTTP_POST, "/v1/connections/:provider/sync", h, 0, 0 },
	{ HTTP_GET, "/oauth/:provider/:step", h, 0, 0 },
	{ HTTP_GET, "/", h, 0, 0 },
};
#define NROUTES (nitems(routes))

static void
test_route_literal_and_head(void **state)
{
	struct route_match m;
	struct arena a;

	(void)state;
	arena_init(&a);
	assert_int_equal(route_find(routes, NROUTES, HTTP_GET, "/healthz", &a,
	    &m), ERR_OK);
	assert_ptr_equal(m.route, &routes[0]);
	assert_int_equal(route_find(routes, NROUTES, HTTP_HEAD, "/healthz",
	    &a, &m), ERR_OK);
	assert_int_equal(route_find(routes, NROUTES, HTTP_GET, "/", &a, &m),
	    ERR_OK);
	assert_ptr_equal(m.route, &routes[6]);
	arena_free(&a);
}

static void
test_route_captures(void **state)
{
	struct route_match m;
	struct arena a;

	(void)state;
	arena_init(&a);
	assert_int_equal(route_find(routes, NROUTES, HTTP_DELETE,
	    "/v1/connections/google_ads", &a, &m), ERR_OK);
	assert_ptr_equal(m.route, &routes[3]);
	assert_string_equal(route_capture(&m, "provider"), "google_ads");
	assert_null(route_capture(&m, "nope"));
	assert_int_equal(route_find(routes, NROUTES, HTTP_GET,
	    "/oauth/github/callback", &a, &m), ERR_OK);
	assert_string_equal(route_capture(&m, "provider"), "github");
	assert_string_equal(route_capture(&m, "step"), "callback");
	arena_free(&a);
}

static void
test_route_not_found(void **state)
{
	struct route_match m;
	struct arena a;

	(void)state;
	arena_init(&a);
	/* Empty capture, trailing slash, extra or missing segments. */
	assert_int_equal(route_find(routes, NROUTES, HTTP_GET,
	    "/v1/connections/", &a, &m), ERR_NOTFOUND);
	assert_int_equal(route_find(routes, NROUTES, HTTP_GET, "/healthz/",
	    &a, &m), ERR_NOTFOUND);
	assert_int_equal(route_find(routes, NROUTES, HTTP_GET,
	    "/v1/connections/x/y/z", &a, &m), ERR_NOTFOUND);
	assert_int_equal(route_find(routes, NROUTES, HTTP_GET, "/healthzz",
	    &a, &m), ERR_NOTFOUND);
	assert_int_equal(route_find(routes, NROUTES, HTTP_GET, "", &a, &m),
	    ERR_NOTFOUND);
	arena_free(&a);
}

static void
test_route_method_not_allowed_lists_allow(void **state)
{
	struct route_match m;
	struct arena a;

	(void)state;
	arena_init(&a);
	assert_int_equal(route_find(routes, NROUTES, HTTP_PUT,
	    "/v1/connections/github", &a, &m), ERR_METHOD);
	assert_null(m.route);
	assert_string_equal(route_allow(&a, m.allowed), "GET, HEAD, DELETE");
	assert_int_equal(route_find(routes, NROUTES, HTTP_GET,
	    "/v1/connections/github/sync", &a, &m), ERR_METHOD);
	assert_string_equal(route_allow(&a, m.allowed), "POST");
	arena_free(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_route_literal_and_head),
		cmocka_unit_test(test_route_captures),
		cmocka_unit_test(test_route_not_found),
		cmocka_unit_test(test_route_method_not_allowed_lists_allow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
