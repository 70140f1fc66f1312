/*
 * test_gbp.c — Google Business Profile's fetch hook (lib/providers/gbp.c)
 * against the example exchanges of tests/fixtures/providers/google/gbp,
 * through services of our own (struct fetch_ops): every page of a
 * location's reviews followed and kept in one store call (an anonymous
 * reviewer, a rating without comment, an unspecified rating, a reply),
 * the daily rows from the same answers, a location without reviews, and
 * an error part way that keeps nothing (so nothing stored is removed).
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
#include "base/config.h"
#include "base/jsonx.h"
#include "base/mem.h"
#include "providers/fetch.h"
#include "providers/pcall.h"
#include "providers/provider.h"
#include "providers/syncnorm.h"
#include "testlib.h"

extern const struct provider provider_gbp;

#define LOC	"accounts/108427591830224617290/locations/4810294017719305122"
#define FROM	"2026-10-01"
#define TO	"2026-11-30"

/* The fake services' state. */
static struct {
	const char	*urls[8];	/* every call, in order */
	size_t		 ncalls;
	bool		 empty;		/* the location has no reviews */
	const char	*fail_at;	/* this page token answers rc */
	enum err	 fail_rc;
	size_t		 nstores;
	struct fetch_items items;	/* what items_store() got */
	struct json_object *stored;	/* items.json parsed */
} S;

static enum err
fake_call(struct fetch *f, struct pcall *c, struct pcall_result *out)
{
	static const struct {
		const char *token, *file;
	} map[] = {
		{ NULL, "reviews-list-page1.json" },
		{ "ABHRLXUwZ2Nk", "reviews-list-page2.json" },
		{ "ABHRLXUwZ2Nl", "reviews-list-page3.json" },
	};
	struct json_object *root, *resp, *body;
	const char *tok, *file = NULL;
	size_t i;

	memset(out, 0, sizeof(*out));
	assert_true(S.ncalls < nitems(S.urls));
	S.urls[S.ncalls++] = arena_strdup(f->a, c->url);
	tok = strstr(c->url, "&pageToken=");
	if (S.fail_at != NULL && tok != NULL && strcmp(tok + 11,
	    S.fail_at) == 0) {
		f->why = "Google Business Profile: failed";
		return S.fail_rc;
	}
	for (i = 0; i < nitems(map); i++)
		if (map[i].token == NULL ? tok == NULL : tok != NULL &&
		    strcmp(tok + 11, map[i].token) == 0)
			file = map[i].file;
	if (S.empty)
		file = "reviews-list-empty.json";
	assert_non_null(file);
	root = testlib_json_file(f->a, testlib_fixture(f->a, arena_printf(
	    f->a, "providers/google/gbp/%s", file)));
	assert_true(json_object_object_get_ex(root, "response", &resp));
	assert_true(json_object_object_get_ex(resp, "body", &body));
	out->json = body;
	return ERR_OK;
}

static enum err
fake_window(struct fetch *f, const char *tz, long days, const char **from,
    const char **to)
{
	(void)f;
	assert_null(tz);		/* the workspace's days */
	assert_int_equal(days, 61);
	*from = FROM;
	*to = TO;
	return ERR_OK;
}

/* UTC dates, as the sync's service gives them for zone UTC. */
static enum err
fake_local_days(struct fetch *f, const char *tz, const char *const *ts,
    size_t n, const char ***days)
{
	size_t i;

	assert_null(tz);
	*days = arena_calloc(f->a, n + 1, sizeof(**days));
	for (i = 0; i < n; i++)
		(*days)[i] = arena_strndup(f->a, ts[i], 10);
	return ERR_OK;
}

static enum err
fake_items(struct fetch *f, const struct fetch_items *it)
{
	S.nstores++;
	S.items.kind = arena_strdup(f->a, it->kind);
	S.items.account = arena_strdup(f->a, it->account);
	S.items.since = it->since ? arena_strdup(f->a, it->since) : NULL;
	S.items.json = arena_strdup(f->a, it->json);
	assert_int_equal(jsonx_parse(f->a, it->json, strlen(it->json),
	    &S.stored, NULL), ERR_OK);
	return ERR_OK;
}

static const struct fetch_ops ops = {
	.call = fake_call,
	.window = fake_window,
	.local_days = fake_local_days,
	.items_store = fake_items,
};

static enum err
run(struct syncnorm *n)
{
	static struct config cfg;	/* real URLs, no sandbox */
	struct arena *a = testlib_arena();
	struct fetch f;

	memset(&f, 0, sizeof(f));
	f.a = a;
	f.p = &provider_gbp;
	f.cfg = &cfg;
	f.ops = &ops;
	f.days = 61;
	f.backfill = 90;
	syncnorm_init(n, a, "gbp", LOC);
	return provider_gbp.fetch(&f, n, LOC);
}

/* The value of a row (metric, day), or NULL. */
static const char *
row(const struct syncnorm *n, const char *metric, const char *day)
{
	size_t i;

	for (i = 0; i < n->n; i++)
		if (strcmp(n->rows[i].metric, metric) == 0 &&
		    strcmp(n->rows[i].date, day) == 0)
			return n->rows[i].value;
	return NULL;
}

/* The stored item with this id. */
static struct json_object *
item(const char *id)
{
	struct json_object *o;
	size_t i;

	for (i = 0; i < json_object_array_length(S.stored); i++) {
		o = json_object_array_get_idx(S.stored, i);
		if (strcmp(jsonx_text(o, "id"), id) == 0)
			return o;
	}
	fail_msg("no item %s", id);
	return NULL;
}

static void
reset(void)
{
	memset(&S, 0, sizeof(S));
}

static void
test_gbp_every_page_kept_and_counted(void **state)
{
	struct syncnorm n;
	struct json_object *o;
	long sum = 0;
	size_t i;

	(void)state;
	reset();
	assert_int_equal(run(&n), ERR_OK);
	assert_int_equal(S.ncalls, 3);
	assert_string_equal(S.urls[0], "https://mybusiness.googleapis.com/v4/"
	    LOC "/reviews?pageSize=50&orderBy=updateTime%20desc");
	assert_non_null(strstr(S.urls[1], "&pageToken=ABHRLXUwZ2Nk"));
	assert_non_null(strstr(S.urls[2], "&pageToken=ABHRLXUwZ2Nl"));
	/* one store, every review, the whole history */
	assert_int_equal(S.nstores, 1);
	assert_string_equal(S.items.kind, "reviews");
	assert_string_equal(S.items.account, LOC);
	assert_null(S.items.since);
	assert_int_equal(json_object_array_length(S.stored), 23);
	o = item("AbFvOqm3k1");
	assert_string_equal(jsonx_text(o, "rating"), "5");
	assert_string_equal(jsonx_text(o, "reviewer"), "Anna Keller");
	assert_string_equal(jsonx_text(o, "comment"),
	    "Wunderbare Fotos, danke!");
	assert_string_equal(jsonx_text(o, "reply"), "Danke, Anna!");
	assert_string_equal(jsonx_text(o, "reply_updated_at"),
	    "2026-11-29T08:40:05.118Z");
	assert_string_equal(jsonx_text(o, "created_at"),
	    "2026-11-28T15:02:11.214Z");
	assert_string_equal(jsonx_text(o, "updated_at"),
	    "2026-11-29T08:40:05.118Z");
	o = item("AbFvOqm3k2");		/* anonymous */
	assert_string_equal(jsonx_text(o, "reviewer"), "Anonymous");
	assert_null(jsonx_text(o, "reply"));
	o = item("AbFvOqm3k3");		/* a rating without comment */
	assert_string_equal(jsonx_text(o, "rating"), "3");
	assert_string_equal(jsonx_text(o, "comment"), "");
	o = item("AbFvOqm3n2");		/* STAR_RATING_UNSPECIFIED */
	assert_null(jsonx_text(o, "rating"));
	assert_string_equal(jsonx_text(o, "reviewer"), "Anonymous");
	o = item("AbFvOqm3n3");		/* kept as given: escaped when shown */
	assert_string_equal(jsonx_text(o, "reviewer"),
	    "Tom <b>Baker</b> & Sons");
	assert_string_equal(jsonx_text(o, "rating"), "1");
	/* the rows: the average and count as stated, on the last day */
	assert_string_equal(row(&n, "rating", TO), "4.4");
	assert_string_equal(row(&n, "reviews", TO), "23");
	assert_null(row(&n, "rating", FROM));
	/* new reviews on every day of the window, zero without any */
	assert_string_equal(row(&n, "new_reviews", "2026-11-28"), "1");
	assert_string_equal(row(&n, "new_reviews", "2026-11-29"), "0");
	assert_string_equal(row(&n, "new_reviews", FROM), "0");
	assert_string_equal(row(&n, "new_reviews", "2026-10-03"), "1");
	for (i = 0; i < n.n; i++)
		if (strcmp(n.rows[i].metric, "new_reviews") == 0)
			sum += strtol(n.rows[i].value, NULL, 10);
	assert_int_equal(sum, 23);
	assert_int_equal(n.n, 2 + 61);
}

static void
test_gbp_location_without_reviews(void **state)
{
	struct syncnorm n;

	(void)state;
	reset();
	S.empty = true;
	assert_int_equal(run(&n), ERR_OK);
	assert_int_equal(S.ncalls, 1);
	/* stored: none, so every stored review of it is removed */
	assert_int_equal(S.nstores, 1);
	assert_string_equal(S.items.json, "[]");
	assert_null(S.items.since);
	assert_null(row(&n, "rating", TO));	/* no average stated */
	assert_string_equal(row(&n, "reviews", TO), "0");
	assert_string_equal(row(&n, "new_reviews", TO), "0");
}

/* A rate limit or a deleted location part way: nothing kept, nothing
 * removed; the error as the call gave it. */
static void
test_gbp_error_part_way_keeps_nothing(void **state)
{
	static const enum err rcs[] = { ERR_RATELIMIT, ERR_NOTFOUND,
	    ERR_FORBIDDEN };
	struct syncnorm n;
	size_t i;

	(void)state;
	for (i = 0; i < nitems(rcs); i++) {
		reset();
		S.fail_at = "ABHRLXUwZ2Nl";
		S.fail_rc = rcs[i];
		assert_int_equal(run(&n), rcs[i]);
		assert_int_equal(S.ncalls, 3);
		assert_int_equal(S.nstores, 0);
		assert_int_equal(n.n, 0);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gbp_every_page_kept_and_counted),
		cmocka_unit_test(test_gbp_location_without_reviews),
		cmocka_unit_test(test_gbp_error_part_way_keeps_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, testlib_teardown);
}
