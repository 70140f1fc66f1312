/*
 * test_webhook.c — event parsing over every Resend fixture in
 * tests/fixtures/resend/webhooks (a missing folder fails), unknown types,
 * malformed bodies, the suppression and digest decisions, and the
 * signature check's verdicts.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/mem.h"
#include "crypto/crypto.h"
#include "mail/webhook.h"
#include "testlib.h"

/* Room for a path. */
#define PATH_SIZE	4096

#define SECRET	"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

/* The fixtures' folder. */
static const char *
hooks_dir(void)
{
	return testlib_fixture(testlib_arena(), "resend/webhooks");
}

static enum err
parse(struct arena *a, const char *s, struct webhook_event *ev,
    const char **err)
{
	*err = NULL;
	return webhook_parse(a, s, strlen(s), ev, err);
}

/* Parses one fixture (path relative to the folder) into ev. */
static void
parse_fixture(struct arena *a, const char *name, struct webhook_event *ev)
{
	char path[PATH_SIZE + 200], *text;
	const char *err = NULL;
	size_t len;

	snprintf(path, sizeof(path), "%s/%s", hooks_dir(), name);
	text = testlib_slurp(a, path, &len);
	if (webhook_parse(a, text, len, ev, &err) != ERR_OK)
		fail_msg("%s: %s", name, err);
	/* The strings point into the parsed JSON, not into the text. */
	memset(text, 0, len);
}

/* Every *.json in dir (and variants/): parses, type from the name. */
static int
check_folder(struct arena *a, const char *sub)
{
	struct webhook_event ev;
	struct dirent *de;
	char dir[PATH_SIZE + 128], name[PATH_SIZE + 300];
	size_t n;
	DIR *d;
	int count = 0;

	snprintf(dir, sizeof(dir), "%s%s%s", hooks_dir(), *sub ? "/" : "",
	    sub);
	if ((d = opendir(dir)) == NULL)
		fail_msg("cannot read %s", dir);
	while ((de = readdir(d)) != NULL) {
		n = strlen(de->d_name);
		if (n < 6 || strcmp(de->d_name + n - 5, ".json") != 0)
			continue;
		snprintf(name, sizeof(name), "%s%s%s", sub, *sub ? "/" : "",
		    de->d_name);
		parse_fixture(a, name, &ev);
		print_message("%-45s %-24s to=%zu bounce=%d\n", name, ev.type,
		    ev.nrecipients, (int)ev.bounce);
		/* email.bounced.json and variants/email.bounced.x.json */
		assert_int_equal(strncmp(de->d_name, ev.type,
		    strlen(ev.type)), 0);
		assert_int_not_equal(ev.kind, WEBHOOK_OTHER);
		assert_string_equal(webhook_kind_name(ev.kind), ev.type);
		assert_non_null(ev.created_at);
		assert_true(ev.nrecipients >= 1);
		if (ev.kind != WEBHOOK_SUPPRESSION_ADDED)
			assert_non_null(ev.email_id);
		count++;
	}
	closedir(d);
	return count;
}

static void
test_webhook_every_fixture_parses(void **state)
{
	struct arena a;
	int n;

	(void)state;
	arena_init(&a);
	n = check_folder(&a, "");
	assert_true(n >= 12);
	assert_true(check_folder(&a, "variants") >= 2);
	arena_free(&a);
}

static void
test_webhook_fixture_fields(void **state)
{
	struct webhook_event ev;
	struct arena a;

	(void)state;
	arena_init(&a);
	parse_fixture(&a, "email.bounced.json", &ev);
	assert_int_equal(ev.kind, WEBHOOK_EMAIL_BOUNCED);
	assert_string_equal(ev.email_id,
	    "56761188-7520-42d8-8898-ff6fc54ce618");
	assert_string_equal(ev.created_at, "2026-11-22T23:41:12.126Z");
	assert_int_equal(ev.nrecipients, 1);
	assert_string_equal(ev.recipients[0], "delivered@resend.dev");
	assert_int_equal(ev.bounce, WEBHOOK_BOUNCE_PERMANENT);
	assert_string_equal(ev.bounce_type, "Permanent");
	assert_string_equal(ev.bounce_subtype, "Suppressed");
	assert_non_null(strstr(ev.bounce_message, "suppression list"));

	parse_fixture(&a, "variants/email.bounced.transient.json", &ev);
	assert_int_equal(ev.bounce, WEBHOOK_BOUNCE_TRANSIENT);
	assert_string_equal(ev.bounce_subtype, "MailboxFull");
	assert_string_equal(ev.recipients[0], "full.mailbox@example.com");

	parse_fixture(&a, "email.failed.json", &ev);
	assert_string_equal(ev.failed_reason, "reached_daily_quota");
	assert_int_equal(ev.bounce, WEBHOOK_BOUNCE_NONE);

	parse_fixture(&a, "email.suppressed.json", &ev);
	assert_string_equal(ev.suppressed_type, "OnAccountSuppressionList");

	parse_fixture(&a, "suppression.added.json", &ev);
	assert_int_equal(ev.kind, WEBHOOK_SUPPRESSION_ADDED);
	assert_null(ev.email_id);
	assert_int_equal(ev.nrecipients, 1);
	assert_string_equal(ev.recipients[0], "steve.wozniak@gmail.com");
	assert_string_equal(ev.origin, "bounce");

	parse_fixture(&a, "email.received.json", &ev);
	assert_int_equal(ev.kind, WEBHOOK_EMAIL_RECEIVED);
	assert_string_equal(ev.recipients[0], "delivered@resend.dev");

	parse_fixture(&a, "variants/email.delivered.transactional.json", &ev);
	assert_string_equal(ev.email_id,
	    "0b4e6f7c-5d1a-4c39-9e2f-8a7d3b1c6e90");
	assert_string_equal(ev.recipients[0], "ops@example.com");
	arena_free(&a);
}

static void
test_webhook_unknown_types_are_accepted(void **state)
{
	static const char *const docs[] = {
		"{\"type\":\"contact.created\",\"data\":{\"id\":\"x\"}}",
		"{\"type\":\"domain.updated\",\"data\":[1,2,3]}",
		"{\"type\":\"suppression.removed\"}",
		"{\"type\":\"email.brand_new\",\"created_at\":"
		    "\"2027-01-01T00:00:00Z\",\"data\":{\"to\":[\"a@b.co\"],"
		    "\"email_id\":\"e1\"}}",
	};
	struct webhook_event ev;
	struct webhook_effect fx;
	struct arena a;
	const char *err;
	size_t i;

	(void)state;
	arena_init(&a);
	for (i = 0; i < nitems(docs); i++) {
		assert_int_equal(parse(&a, docs[i], &ev, &err), ERR_OK);
		assert_int_equal(ev.kind, WEBHOOK_OTHER);
		webhook_decide(&a, &ev, &fx);
		assert_null(fx.suppress_reason);
		assert_int_equal(fx.send, WEBHOOK_SEND_NONE);
	}
	assert_string_equal(ev.type, "email.brand_new");
	assert_string_equal(ev.email_id, "e1");
	assert_string_equal(ev.created_at, "2027-01-01T00:00:00Z");
	assert_int_equal(webhook_kind_from("email.bounced"),
	    WEBHOOK_EMAIL_BOUNCED);
	assert_int_equal(webhook_kind_from("EMAIL.BOUNCED"), WEBHOOK_OTHER);
	assert_int_equal(webhook_kind_from(NULL), WEBHOOK_OTHER);
	assert_string_equal(webhook_kind_name(WEBHOOK_OTHER), "");
	assert_string_equal(webhook_kind_name(WEBHOOK__MAX), "");
	arena_free(&a);
}

static void
test_webhook_malformed_bodies(void **state)
{
	static const char *const docs[] = {
		"", " ", "{", "[]", "null", "\"email.sent\"", "42",
		"{}", "{\"data\":{}}", "{\"type\":null}", "{\"type\":1}",
		"{\"type\":[\"email.sent\"]}", "{\"type\":\"\"}",
		"{\"type\":\"email sent\"}", "{\"type\":\"email.sent\\n\"}",
		"{\"type\":\"email.sent\"} {}", "{'type':'email.sent'}",
		"{\"type\":\"email.sent\",}", "{\"type\":\"email.sent\","
		    "\"n\":NaN}",
		"{\"type\":\"email.sent\",\"data\":{\"s\":\"\\u0000\"}}",
		"{\"type\":\"email.sent\",\"data\":{\"s\":\"\xff\"}}",
		"{\"type\":\"email.sent\",\"data\":{\"s\":\"\xed\xa0\x80\"}}",
		"{\"type\":\"email.sent\",\"data\":{\"s\":\"\xc0\xaf\"}}",
		"{\"type\":\"email.sent\",\"data\":{\"s\":\"\xe2\x80\"}}",
		"{\"type\":\"\xc3\xa9mail.sent\"}",
	};
	struct webhook_event ev;
	struct arena a;
	char deep[200], longtype[160];
	const char *err;
	size_t i;

	(void)state;
	arena_init(&a);
	for (i = 0; i < nitems(docs); i++) {
		if (parse(&a, docs[i], &ev, &err) != ERR_INPUT)
			fail_msg("accepted: %s", docs[i]);
		assert_non_null(err);
		assert_true(strlen(err) > 5);
	}
	/* The JSON error says where. */
	assert_int_equal(parse(&a, "{\"type\":\"x\",]", &ev, &err), ERR_INPUT);
	assert_non_null(strstr(err, "byte"));
	/* Nesting past the JSON depth limit. */
	memset(deep, '[', 100);
	memset(deep + 100, ']', 99);
	deep[199] = '\0';
	assert_int_equal(parse(&a, deep, &ev, &err), ERR_INPUT);
	/* A type of 101 bytes is too long; 100 is fine. */
	snprintf(longtype, sizeof(longtype), "{\"type\":\"%0101d\"}", 0);
	assert_int_equal(parse(&a, longtype, &ev, &err), ERR_INPUT);
	snprintf(longtype, sizeof(longtype), "{\"type\":\"%0100d\"}", 0);
	assert_int_equal(parse(&a, longtype, &ev, &err), ERR_OK);
	/* An escaped backslash before u0000 is not a NUL escape. */
	assert_int_equal(parse(&a, "{\"type\":\"x\",\"s\":\"\\\\u0000\"}", &ev,
	    &err), ERR_OK);
	arena_free(&a);
}

static void
test_webhook_fields_with_other_shapes(void **state)
{
	struct webhook_event ev;
	struct arena a;
	struct buf b;
	const char *err;
	int i;

	(void)state;
	arena_init(&a);
	/* One string instead of an array; a display name; upper case. */
	assert_int_equal(parse(&a, "{\"type\":\"email.complained\",\"data\":"
	    "{\"to\":\"Some One <Some.One@Example.COM>\"}}", &ev, &err),
	    ERR_OK);
	assert_int_equal(ev.nrecipients, 1);
	assert_string_equal(ev.recipients[0], "some.one@example.com");
	/* Non-strings, invalid addresses and duplicates are dropped;
	 * the rest sorted. */
	assert_int_equal(parse(&a, "{\"type\":\"email.bounced\",\"data\":"
	    "{\"to\":[1,null,\"nobody\",\"@x.y\",\"x@\",\"a b@c.d\","
	    "\"z@b.c\",\"Z@B.C\",\"a@b.c\",{},\"<q@r.s>\"],"
	    "\"email_id\":7,\"created_at\":\"2026-02-30T00:00:00Z\","
	    "\"bounce\":\"Permanent\"}}", &ev, &err), ERR_OK);
	assert_int_equal(ev.nrecipients, 3);
	assert_string_equal(ev.recipients[0], "a@b.c");
	assert_string_equal(ev.recipients[1], "q@r.s");
	assert_string_equal(ev.recipients[2], "z@b.c");
	assert_null(ev.email_id);
	assert_null(ev.created_at);
	assert_int_equal(ev.bounce, WEBHOOK_BOUNCE_NONE);
	/* data that is not an object: nothing read, still accepted. */
	assert_int_equal(parse(&a, "{\"type\":\"email.bounced\",\"data\":"
	    "\"x\",\"created_at\":\"2024-02-29T23:59:59.123456+05:30\"}",
	    &ev, &err), ERR_OK);
	assert_int_equal(ev.nrecipients, 0);
	assert_string_equal(ev.created_at,
	    "2024-02-29T23:59:59.123456+05:30");
	/* Times PostgreSQL would refuse are left out, not failed on. */
	assert_int_equal(parse(&a, "{\"type\":\"x\",\"created_at\":"
	    "\"2023-02-29T00:00:00Z\"}", &ev, &err), ERR_OK);
	assert_null(ev.created_at);
	assert_int_equal(parse(&a, "{\"type\":\"x\",\"created_at\":"
	    "\"2023-01-01 00:00:00\"}", &ev, &err), ERR_OK);
	assert_null(ev.created_at);
	assert_int_equal(parse(&a, "{\"type\":\"x\",\"created_at\":"
	    "\"2023-01-01T24:00:00Z\"}", &ev, &err), ERR_OK);
	assert_null(ev.created_at);
	/* An unknown bounce type. */
	assert_int_equal(parse(&a, "{\"type\":\"email.bounced\",\"data\":"
	    "{\"bounce\":{\"type\":\"Weird\"}}}", &ev, &err), ERR_OK);
	assert_int_equal(ev.bounce, WEBHOOK_BOUNCE_OTHER);
	/* At most WEBHOOK_MAX_RECIPIENTS addresses are read. */
	buf_init(&b, 1 << 16);
	buf_puts(&b, "{\"type\":\"email.complained\",\"data\":{\"to\":[");
	for (i = 0; i < 60; i++)
		buf_printf(&b, "%s\"u%02d@example.com\"", i ? "," : "", i);
	buf_puts(&b, "]}}");
	assert_int_equal(parse(&a, buf_cstr(&b), &ev, &err), ERR_OK);
	assert_int_equal(ev.nrecipients, WEBHOOK_MAX_RECIPIENTS);
	/* A long bounce message is cut on a character boundary. */
	buf_reset(&b);
	buf_puts(&b, "{\"type\":\"email.bounced\",\"data\":{\"bounce\":{"
	    "\"type\":\"Permanent\",\"message\":\"x");
	for (i = 0; i < 700; i++)
		buf_puts(&b, "\xc3\xa9");
	buf_puts(&b, "\"}}}");
	assert_int_equal(parse(&a, buf_cstr(&b), &ev, &err), ERR_OK);
	assert_int_equal(strlen(ev.bounce_message), WEBHOOK_MAX_TEXT - 1);
	buf_free(&b);
	arena_free(&a);
}

/* The decision for one body. */
static void
decide(struct arena *a, const char *doc, struct webhook_event *ev,
    struct webhook_effect *fx)
{
	const char *err;

	if (parse(a, doc, ev, &err) != ERR_OK)
		fail_msg("%s: %s", doc, err);
	webhook_decide(a, ev, fx);
}

static void
test_webhook_decision_per_type(void **state)
{
	static const struct {
		const char	*file;
		const char	*reason;
		enum webhook_send send;
	} want[] = {
		{ "email.sent.json", NULL, WEBHOOK_SEND_NONE },
		{ "email.scheduled.json", NULL, WEBHOOK_SEND_NONE },
		{ "email.delivered.json", NULL, WEBHOOK_SEND_DELIVERED },
		{ "email.delivery_delayed.json", NULL, WEBHOOK_SEND_NONE },
		{ "email.bounced.json", "bounced", WEBHOOK_SEND_FAILED },
		{ "variants/email.bounced.transient.json", NULL,
		    WEBHOOK_SEND_NOTE },
		{ "email.complained.json", "complained", WEBHOOK_SEND_NONE },
		{ "email.opened.json", NULL, WEBHOOK_SEND_NONE },
		{ "email.clicked.json", NULL, WEBHOOK_SEND_NONE },
		{ "email.failed.json", NULL, WEBHOOK_SEND_FAILED },
		{ "email.suppressed.json", NULL, WEBHOOK_SEND_FAILED },
		{ "email.received.json", NULL, WEBHOOK_SEND_NONE },
		{ "suppression.added.json", "bounced", WEBHOOK_SEND_NONE },
		{ "variants/email.delivered.transactional.json", NULL,
		    WEBHOOK_SEND_DELIVERED },
	};
	struct webhook_event ev;
	struct webhook_effect fx;
	struct arena a;
	size_t i;

	(void)state;
	arena_init(&a);
	for (i = 0; i < nitems(want); i++) {
		parse_fixture(&a, want[i].file, &ev);
		webhook_decide(&a, &ev, &fx);
		print_message("%-45s suppress=%s send=%d error=%s\n",
		    want[i].file, fx.suppress_reason ? fx.suppress_reason :
		    "-", (int)fx.send, fx.send_error ? fx.send_error : "-");
		if (want[i].reason == NULL)
			assert_null(fx.suppress_reason);
		else
			assert_string_equal(fx.suppress_reason, want[i].reason);
		assert_int_equal(fx.send, want[i].send);
		if (fx.send == WEBHOOK_SEND_FAILED ||
		    fx.send == WEBHOOK_SEND_NOTE)
			assert_non_null(fx.send_error);
	}
	parse_fixture(&a, "email.bounced.json", &ev);
	webhook_decide(&a, &ev, &fx);
	assert_string_equal(fx.send_error, "bounced (Permanent/Suppressed): "
	    "The recipient's email address is on the suppression list "
	    "because it has a recent history of producing hard bounces.");
	parse_fixture(&a, "variants/email.bounced.transient.json", &ev);
	webhook_decide(&a, &ev, &fx);
	assert_string_equal(fx.send_error, "soft bounce (Transient/"
	    "MailboxFull): The recipient's mailbox is full.");
	parse_fixture(&a, "email.failed.json", &ev);
	webhook_decide(&a, &ev, &fx);
	assert_string_equal(fx.send_error, "failed: reached_daily_quota");
	parse_fixture(&a, "email.suppressed.json", &ev);
	webhook_decide(&a, &ev, &fx);
	assert_string_equal(fx.send_error,
	    "suppressed by Resend (OnAccountSuppressionList)");
	arena_free(&a);
}

static void
test_webhook_decision_edges(void **state)
{
	struct webhook_event ev;
	struct webhook_effect fx;
	struct arena a;

	(void)state;
	arena_init(&a);
	/* Undetermined and unknown bounce types do not suppress. */
	decide(&a, "{\"type\":\"email.bounced\",\"data\":{\"to\":[\"a@b.c\"],"
	    "\"bounce\":{\"type\":\"Undetermined\"}}}", &ev, &fx);
	assert_null(fx.suppress_reason);
	assert_int_equal(fx.send, WEBHOOK_SEND_NOTE);
	assert_string_equal(fx.send_error, "soft bounce (Undetermined)");
	/* A bounce without a bounce object does not suppress either. */
	decide(&a, "{\"type\":\"email.bounced\",\"data\":{\"to\":[\"a@b.c\"]}}",
	    &ev, &fx);
	assert_null(fx.suppress_reason);
	assert_string_equal(fx.send_error, "soft bounce");
	/* A permanent bounce without recipients has nothing to suppress. */
	decide(&a, "{\"type\":\"email.bounced\",\"data\":{\"bounce\":"
	    "{\"type\":\"Permanent\"}}}", &ev, &fx);
	assert_null(fx.suppress_reason);
	assert_int_equal(fx.send, WEBHOOK_SEND_FAILED);
	assert_string_equal(fx.send_error, "bounced (Permanent)");
	/* suppression.added: the reason follows the origin. */
	decide(&a, "{\"type\":\"suppression.added\",\"data\":{\"email\":"
	    "\"X@Y.Z\",\"origin\":\"complaint\"}}", &ev, &fx);
	assert_string_equal(fx.suppress_reason, "complained");
	assert_string_equal(ev.recipients[0], "x@y.z");
	decide(&a, "{\"type\":\"suppression.added\",\"data\":{\"email\":"
	    "\"x@y.z\",\"origin\":\"manual\"}}", &ev, &fx);
	assert_string_equal(fx.suppress_reason, "manual");
	decide(&a, "{\"type\":\"suppression.added\",\"data\":{\"email\":"
	    "\"x@y.z\"}}", &ev, &fx);
	assert_string_equal(fx.suppress_reason, "manual");
	/* suppression.added reads data.email, not data.to. */
	decide(&a, "{\"type\":\"suppression.added\",\"data\":{\"to\":"
	    "[\"x@y.z\"]}}", &ev, &fx);
	assert_null(fx.suppress_reason);
	/* A complaint for several recipients suppresses each. */
	decide(&a, "{\"type\":\"email.complained\",\"data\":{\"to\":"
	    "[\"b@x.y\",\"a@x.y\"]}}", &ev, &fx);
	assert_string_equal(fx.suppress_reason, "complained");
	assert_int_equal(ev.nrecipients, 2);
	arena_free(&a);
}

static void
test_webhook_verify_verdicts(void **state)
{
	const char *body = "{\"type\":\"email.sent\"}", *err;
	char sig[CRYPTO_WH_SIG_SIZE], ts[32], old[32];
	int64_t now = (int64_t)time(NULL);
	size_t len = strlen(body);

	(void)state;
	snprintf(ts, sizeof(ts), "%lld", (long long)now);
	snprintf(old, sizeof(old), "%lld", (long long)now - 301);
	assert_int_equal(crypto_wh_sign(SECRET, "msg_1", ts, body, len, sig),
	    CRYPTO_WH_OK);
	assert_int_equal(webhook_verify(SECRET, "msg_1", ts, sig, body, len,
	    now, &err), ERR_OK);
	/* Tampered body, other id, other secret. */
	assert_int_equal(webhook_verify(SECRET, "msg_1", ts, sig,
	    "{\"type\":\"email.senT\"}", len, now, &err), ERR_AUTH);
	assert_string_equal(err, "no_match: no v1 signature in "
	    "svix-signature matches this body with the configured secret");
	assert_int_equal(webhook_verify(SECRET, "msg_2", ts, sig, body, len,
	    now, &err), ERR_AUTH);
	assert_int_equal(webhook_verify("whsec_AAAAAAAAAAAAAAAAAAAAAAAA",
	    "msg_1", ts, sig, body, len, now, &err), ERR_AUTH);
	assert_int_equal(strncmp(err, "no_match:", 9), 0);
	/* Missing values. */
	assert_int_equal(webhook_verify(SECRET, NULL, ts, sig, body, len, now,
	    &err), ERR_AUTH);
	assert_int_equal(strncmp(err, "missing:", 8), 0);
	assert_int_equal(webhook_verify(SECRET, "msg_1", "", sig, body, len,
	    now, &err), ERR_AUTH);
	assert_int_equal(webhook_verify(SECRET, "msg_1", ts, NULL, body, len,
	    now, &err), ERR_AUTH);
	/* Freshness, five minutes either way. */
	assert_int_equal(webhook_verify(SECRET, "msg_1", ts, sig, body, len,
	    now + 300, &err), ERR_OK);
	assert_int_equal(webhook_verify(SECRET, "msg_1", ts, sig, body, len,
	    now + 301, &err), ERR_AUTH);
	assert_int_equal(strncmp(err, "too_old:", 8), 0);
	assert_int_equal(webhook_verify(SECRET, "msg_1", ts, sig, body, len,
	    now - 301, &err), ERR_AUTH);
	assert_int_equal(strncmp(err, "too_new:", 8), 0);
	assert_int_equal(webhook_verify(SECRET, "msg_1", "12x", sig, body, len,
	    now, &err), ERR_AUTH);
	assert_int_equal(strncmp(err, "bad_timestamp:", 14), 0);
	assert_int_equal(webhook_verify(SECRET, "msg_1", old, sig, body, len,
	    now, &err), ERR_AUTH);
	assert_int_equal(webhook_verify(SECRET, "msg_1", ts, "v2,abc", body,
	    len, now, &err), ERR_AUTH);
	/* Configuration problems are the receiver's, not the sender's. */
	assert_int_equal(webhook_verify("", "msg_1", ts, sig, body, len, now,
	    &err), ERR_UNAVAILABLE);
	assert_non_null(strstr(err, "SLUICE_RESEND_WEBHOOK_SECRET"));
	assert_int_equal(webhook_verify(NULL, "msg_1", ts, sig, body, len,
	    now, &err), ERR_UNAVAILABLE);
	assert_int_equal(webhook_verify("whsec_not*base64", "msg_1", ts, sig,
	    body, len, now, &err), ERR_UNAVAILABLE);
	assert_null(strstr(err, "not*base64"));
	/* A signed but unusable svix-id. */
	assert_int_equal(crypto_wh_sign(SECRET, "msg 1", ts, body, len, sig),
	    CRYPTO_WH_OK);
	assert_int_equal(webhook_verify(SECRET, "msg 1", ts, sig, body, len,
	    now, &err), ERR_INPUT);
	assert_int_equal(strncmp(err, "bad_id:", 7), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_webhook_every_fixture_parses),
		cmocka_unit_test(test_webhook_fixture_fields),
		cmocka_unit_test(test_webhook_unknown_types_are_accepted),
		cmocka_unit_test(test_webhook_malformed_bodies),
		cmocka_unit_test(test_webhook_fields_with_other_shapes),
		cmocka_unit_test(test_webhook_decision_per_type),
		cmocka_unit_test(test_webhook_decision_edges),
		cmocka_unit_test(test_webhook_verify_verdicts),
	};

	return cmocka_run_group_tests(tests, NULL, testlib_teardown);
}
