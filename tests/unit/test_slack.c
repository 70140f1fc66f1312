/*
 * test_slack.c — Slack's fetch hook (lib/providers/slack.c) against the
 * example exchanges of tests/fixtures/providers/slack, through services
 * of our own (struct fetch_ops): a short history page that is not the
 * last, cursors followed to the end, every page of a thread's replies,
 * a pass and a thread resumed from their cursors, a thread read whole
 * before left alone, and a rate limit met halfway through a thread.
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
#include "base/limit.h"
#include "base/mem.h"
#include "providers/fetch.h"
#include "providers/pcall.h"
#include "providers/provider.h"
#include "providers/syncnorm.h"
#include "testlib.h"

extern const struct provider provider_slack;

#define CHAN	"C012AB3CD"
#define PARENT	"1780358700.000200"

/* One page as msgs_page() got it. */
struct seen_page {
	const char	*thread;
	const char	*cursor;
	const char	*first_ts;
	size_t		 n;
	const char	*parent_state;
};

/* The fake services' state. */
static struct {
	struct fetch_pass pass;		/* msgs_pass() answers this */
	const char	*thread_seen;	/* msgs_thread() answers these */
	const char	*thread_cursor;
	const char	*urls[32];	/* every call, in order */
	size_t		 ncalls;
	struct seen_page pages[32];
	size_t		 npages;
	const char	*limited;	/* this call answers 429 */
	bool		 daily;
} S;

/* The example whose request this URL repeats: method and cursor. */
static const char *
example_for(const char *url)
{
	static const struct {
		const char *method, *cursor, *file;
	} map[] = {
		{ "conversations.history", NULL,
		    "slack/conversations_history_short_page.json" },
		{ "conversations.history", "bmV4dF90czoxNzgwNDAxNjAw",
		    "slack/conversations_history_page1.json" },
		{ "conversations.history", "bmV4dF90czoxNzgwMzU4NDAwMDAwMDUw",
		    "slack/conversations_history_page2.json" },
		{ "conversations.replies", NULL,
		    "slack/conversations_replies_page1.json" },
		{ "conversations.replies", "b2ZmOjI",
		    "slack/conversations_replies_page2.json" },
	};
	const char *c = strstr(url, "&cursor=");
	size_t i;

	for (i = 0; i < nitems(map); i++) {
		if (strstr(url, map[i].method) == NULL)
			continue;
		if (map[i].cursor == NULL ? c == NULL : c != NULL &&
		    strcmp(c + 8, map[i].cursor) == 0)
			return map[i].file;
	}
	return NULL;
}

static enum err
fake_call(struct fetch *f, struct pcall *c, struct pcall_result *out)
{
	struct json_object *root, *resp, *body;
	const char *file;

	memset(out, 0, sizeof(*out));
	S.urls[S.ncalls++] = arena_strdup(f->a, c->url);
	if (S.limited != NULL && strstr(c->url, S.limited) != NULL) {
		/* error_ratelimited.json: HTTP 429, Retry-After 30 */
		out->retry_after = 30;
		f->why = "Slack: ratelimited";
		return ERR_RATELIMIT;
	}
	file = example_for(c->url);
	assert_non_null(file);
	root = testlib_json_file(f->a, testlib_fixture(f->a, arena_printf(
	    f->a, "providers/%s", file)));
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
	(void)tz;
	assert_int_equal(days, 90);
	*from = "2026-03-06";
	*to = "2026-06-03";
	return ERR_OK;
}

static enum err
fake_pass(struct fetch *f, const char *channel, const char *oldest,
    const char *latest, struct fetch_pass *out)
{
	(void)f;
	assert_string_equal(channel, CHAN);
	/* The window starts at the first day's midnight (UTC). */
	assert_string_equal(oldest, "1772755200.000000");
	assert_non_null(latest);
	*out = S.pass;
	if (out->oldest == NULL) {
		out->oldest = oldest;
		out->latest = latest;
	}
	return ERR_OK;
}

static enum err
fake_thread(struct fetch *f, const char *channel, const char *thread,
    const char **seen, const char **cursor)
{
	(void)f;
	assert_string_equal(channel, CHAN);
	assert_string_equal(thread, PARENT);
	*seen = S.thread_seen;
	*cursor = S.thread_cursor;
	return ERR_OK;
}

static enum err
fake_page(struct fetch *f, const struct fetch_page *pg)
{
	struct seen_page *p = &S.pages[S.npages++];

	assert_string_equal(pg->channel, CHAN);
	p->thread = pg->thread ? arena_strdup(f->a, pg->thread) : NULL;
	p->cursor = pg->cursor ? arena_strdup(f->a, pg->cursor) : NULL;
	p->n = pg->m->n;
	p->first_ts = pg->m->n > 0 ? pg->m->v[0].ts : NULL;
	p->parent_state = pg->parent != NULL ? pg->parent->thread_state :
	    NULL;
	if (pg->parent != NULL)
		assert_string_equal(pg->parent->ts, PARENT);
	return ERR_OK;
}

static enum err
fake_daily(struct fetch *f, struct syncnorm *n, const char *channel,
    const char *from)
{
	(void)f;
	(void)n;
	assert_string_equal(channel, CHAN);
	assert_string_equal(from, "2026-03-06");
	S.daily = true;
	return ERR_OK;
}

static const struct fetch_ops ops = {
	.call = fake_call,
	.window = fake_window,
	.msgs_pass = fake_pass,
	.msgs_thread = fake_thread,
	.msgs_page = fake_page,
	.msgs_daily = fake_daily,
};

static enum err
run(void)
{
	static struct config cfg;	/* real URLs, no sandbox */
	struct arena *a = testlib_arena();
	struct fetch f;
	struct syncnorm n;

	memset(&f, 0, sizeof(f));
	f.a = a;
	f.p = &provider_slack;
	f.cfg = &cfg;
	f.ops = &ops;
	f.days = 2;
	f.backfill = 90;
	syncnorm_init(&n, a, "slack", CHAN);
	return provider_slack.fetch(&f, &n, CHAN);
}

static void
reset(void)
{
	memset(&S, 0, sizeof(S));
}

static void
test_slack_pages_to_the_end_with_every_reply(void **state)
{
	(void)state;
	reset();
	assert_int_equal(run(), ERR_OK);
	/* history: the short page, page 1 (its thread in between), page 2 */
	assert_int_equal(S.ncalls, 5);
	assert_non_null(strstr(S.urls[0], "conversations.history?channel="
	    CHAN "&oldest=1772755200.000000&latest="));
	assert_non_null(strstr(S.urls[0], "&inclusive=true&limit=200"));
	assert_null(strstr(S.urls[0], "cursor="));
	assert_non_null(strstr(S.urls[1], "cursor=bmV4dF90czoxNzgwNDAxNjAw"));
	assert_non_null(strstr(S.urls[2], "conversations.replies?channel="
	    CHAN "&ts=" PARENT "&limit=200"));
	assert_non_null(strstr(S.urls[3], "&cursor=b2ZmOjI"));
	assert_non_null(strstr(S.urls[4],
	    "cursor=bmV4dF90czoxNzgwMzU4NDAwMDAwMDUw"));
	/* pages stored in that order: the thread's before its page */
	assert_int_equal(S.npages, 5);
	assert_null(S.pages[0].thread);
	assert_int_equal(S.pages[0].n, 1);
	assert_string_equal(S.pages[0].cursor, "bmV4dF90czoxNzgwNDAxNjAw");
	assert_string_equal(S.pages[1].thread, PARENT);
	assert_int_equal(S.pages[1].n, 1);	/* the parent is left out */
	assert_string_equal(S.pages[1].cursor, "b2ZmOjI");
	assert_null(S.pages[1].parent_state);
	assert_string_equal(S.pages[2].thread, PARENT);
	assert_int_equal(S.pages[2].n, 2);
	assert_null(S.pages[2].cursor);
	/* the state the history showed: reply_count and latest_reply */
	assert_string_equal(S.pages[2].parent_state, "2:1780359900.000250");
	assert_null(S.pages[3].thread);
	assert_int_equal(S.pages[3].n, 4);
	assert_null(S.pages[4].thread);
	assert_null(S.pages[4].cursor);
	assert_true(S.daily);
}

static void
test_slack_resumes_the_pass_and_the_thread(void **state)
{
	(void)state;
	reset();
	S.pass.oldest = "1772755200.000000";
	S.pass.latest = "1780444799.999999";
	S.pass.cursor = "bmV4dF90czoxNzgwNDAxNjAw";
	S.thread_seen = NULL;
	S.thread_cursor = "b2ZmOjI";
	assert_int_equal(run(), ERR_OK);
	assert_int_equal(S.ncalls, 3);
	assert_non_null(strstr(S.urls[0], "&latest=1780444799.999999&"));
	assert_non_null(strstr(S.urls[0], "cursor=bmV4dF90czoxNzgwNDAxNjAw"));
	assert_non_null(strstr(S.urls[1], "conversations.replies"));
	assert_non_null(strstr(S.urls[1], "&cursor=b2ZmOjI"));
	assert_string_equal(S.pages[0].parent_state, "2:1780359900.000250");
}

static void
test_slack_thread_read_whole_is_left_alone(void **state)
{
	(void)state;
	reset();
	S.pass.oldest = "1772755200.000000";
	S.pass.latest = "1780444799.999999";
	S.pass.cursor = "bmV4dF90czoxNzgwNDAxNjAw";
	S.thread_seen = "2:1780359900.000250";
	assert_int_equal(run(), ERR_OK);
	assert_int_equal(S.ncalls, 2);
	assert_null(strstr(S.urls[1], "replies"));
	/* a reply since: read again */
	reset();
	S.thread_seen = "1:1780359000.000210";
	assert_int_equal(run(), ERR_OK);
	assert_int_equal(S.ncalls, 5);
}

static void
test_slack_rate_limit_in_a_thread_keeps_what_was_read(void **state)
{
	(void)state;
	reset();
	S.limited = "&cursor=b2ZmOjI";
	assert_int_equal(run(), ERR_RATELIMIT);
	/* the short page and the thread's first page are stored with their
	 * cursors; page 1 of the history is not (its thread is unfinished) */
	assert_int_equal(S.npages, 2);
	assert_string_equal(S.pages[1].thread, PARENT);
	assert_string_equal(S.pages[1].cursor, "b2ZmOjI");
	assert_false(S.daily);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slack_pages_to_the_end_with_every_reply),
		cmocka_unit_test(test_slack_resumes_the_pass_and_the_thread),
		cmocka_unit_test(test_slack_thread_read_whole_is_left_alone),
		cmocka_unit_test(
		    test_slack_rate_limit_in_a_thread_keeps_what_was_read),
	};

	return cmocka_run_group_tests(tests, NULL, testlib_teardown);
}
