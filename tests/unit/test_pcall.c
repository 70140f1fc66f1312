/*
 * test_pcall.c — provider errors as people read them: plain messages
 * (pcall_plain, pcall_error_text) and Meta's Graph errors classified by
 * code and subcode (meta_classify), fed the example files of
 * tests/fixtures/providers as they are.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <json-c/json.h>

#include "base/arena.h"
#include "base/jsonx.h"
#include "base/limit.h"
#include "providers/meta.h"
#include "providers/pcall.h"
#include "providers/provider.h"
#include "testlib.h"

/* The example's response as pcall_json() leaves it for a classify hook. */
static void
example(const char *name, struct pcall_result *out)
{
	struct arena *a = testlib_arena();
	struct json_object *root, *resp, *v;

	memset(out, 0, sizeof(*out));
	root = testlib_json_file(a, testlib_fixture(a, arena_printf(a,
	    "providers/%s", name)));
	assert_true(json_object_object_get_ex(root, "response", &resp));
	assert_true(json_object_object_get_ex(resp, "status", &v));
	out->resp.status = json_object_get_int(v);
	assert_true(json_object_object_get_ex(resp, "body", &out->json));
	out->resp.body = jsonx_string(a, out->json);
	out->resp.body_len = strlen(out->resp.body);
}

static void
test_pcall_plain_strips_markup(void **state)
{
	struct arena *a = testlib_arena();

	(void)state;
	assert_string_equal(pcall_plain(a, "The request cannot be completed "
	    "because you have exceeded your <a href=\"/youtube/v3/getting-"
	    "started#quota\">quota</a>.", 300), "The request cannot be "
	    "completed because you have exceeded your quota.");
	assert_string_equal(pcall_plain(a, "  a\r\n\tb &amp; c &lt;d&gt; "
	    "&quot;e&quot;&nbsp;f&#39;s <br/>g ", 300),
	    "a b & c <d> \"e\" f's g");
	assert_string_equal(pcall_plain(a, "x &unknown; y", 300),
	    "x &unknown; y");
	assert_null(pcall_plain(a, NULL, 10));
}

static void
test_pcall_plain_bounds_on_a_character(void **state)
{
	struct arena *a = testlib_arena();
	const char *s;

	(void)state;
	/* "é" is two bytes: the cut never splits it. */
	s = pcall_plain(a, "ééééééééééééééé", 10);
	assert_true(strlen(s) <= 10);
	assert_string_equal(s, "ééé...");
	assert_string_equal(pcall_plain(a, "short", 10), "short");
}

static void
test_pcall_error_text_is_plain(void **state)
{
	struct pcall_result r;
	const char *why;

	(void)state;
	example("google/youtube/error-403-quota-exceeded-data-api.json", &r);
	why = pcall_error_text(testlib_arena(), provider_get("youtube"), &r);
	assert_string_equal(why, "YouTube: The request cannot be completed "
	    "because you have exceeded your quota. (HTTP 403)");
}

/* Graph's answers: only a login session that ended asks to reconnect. */
static void
test_meta_classify_by_code_and_subcode(void **state)
{
	static const struct {
		const char	*file;
		enum err	 rc;
	} cases[] = {
		/* the login session: reconnect */
		{ "meta/error_190_expired.json", ERR_AUTH },		/* 463 */
		{ "meta/error_190_password_changed.json", ERR_AUTH },	/* 460 */
		{ "meta/error_190_458_app_not_installed.json", ERR_AUTH },
		{ "meta/error_190_459_checkpointed.json", ERR_AUTH },
		{ "meta/error_190_467_logged_out.json", ERR_AUTH },
		{ "meta/error_190_invalid.json", ERR_AUTH },	/* no subcode */
		/* one Page's trouble: the others sync */
		{ "meta/error_190_492_page_role.json", ERR_FORBIDDEN },
		{ "meta/error_190_page_token_required.json", ERR_FORBIDDEN },
		{ "meta/error_190_2069032_page_token.json", ERR_FORBIDDEN },
		/* rate limits */
		{ "meta/error_4_app_limit.json", ERR_RATELIMIT },
		{ "meta/error_17_user_limit.json", ERR_RATELIMIT },
		{ "meta/error_32_page_limit.json", ERR_RATELIMIT },
		{ "meta/error_613_rate_limit.json", ERR_RATELIMIT },
		{ "meta/error_80000_ads_insights_limit.json", ERR_RATELIMIT },
		/* for the generic classification */
		{ "meta/error_10_permission.json", ERR_OK },
		{ "meta/page_insights_error_invalid_metric.json", ERR_OK },
		{ "meta/page_access_token.json", ERR_OK },
	};
	struct pcall_result r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		example(cases[i].file, &r);
		if (meta_classify(testlib_arena(), provider_get("facebook"),
		    &r) != cases[i].rc)
			fail_msg("%s: not classified as expected",
			    cases[i].file);
		if (cases[i].rc != ERR_OK)
			assert_non_null(r.why);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pcall_plain_strips_markup),
		cmocka_unit_test(test_pcall_plain_bounds_on_a_character),
		cmocka_unit_test(test_pcall_error_text_is_plain),
		cmocka_unit_test(test_meta_classify_by_code_and_subcode),
	};

	return cmocka_run_group_tests(tests, NULL, testlib_teardown);
}
