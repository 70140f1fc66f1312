/*
 * test_email.c — the Resend client's reading of answers, through the
 * httpc transport seam: which answers are retried (with the same key and
 * body), which are failures, which stop for the day, and how batch ids
 * map to messages.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "base/arena.h"
#include "base/config.h"
#include "mail/email.h"
#include "net/httpc.h"

/* One scripted answer; status 0 is "no answer" (ERR_UPSTREAM). */
struct answer {
	int		 status;
	const char	*body;
	const char	*retry_after;
};

static const struct answer *script;
static size_t nscript, calls;
static const char *keys[8], *bodies[8], *paths[8], *modes[8];

static const char *
header(const struct httpc_req *q, const char *name)
{
	size_t i;

	for (i = 0; i < q->nheaders; i++)
		if (strcmp(q->headers[i].name, name) == 0)
			return q->headers[i].value;
	return NULL;
}

static enum err
fake(struct httpc *h, struct arena *a, const struct httpc_req *q,
    struct httpc_resp *r, const char **why)
{
	const struct answer *s;
	struct kv *kv;

	(void)h;
	if (calls < 8) {
		keys[calls] = arena_strdup(a, header(q, "Idempotency-Key"));
		bodies[calls] = arena_strdup(a, q->body);
		paths[calls] = arena_strdup(a, q->url);
		modes[calls] = arena_strdup(a, header(q, "x-batch-validation"));
	}
	assert_true(calls < nscript);
	s = &script[calls++];
	memset(r, 0, sizeof(*r));
	if (s->status == 0) {
		*why = "connection refused";
		return ERR_UPSTREAM;
	}
	r->status = s->status;
	r->body = s->body;
	r->body_len = strlen(s->body);
	if (s->retry_after != NULL) {
		kv = arena_calloc(a, 1, sizeof(*kv));
		kv->name = "retry-after";
		kv->value = s->retry_after;
		kv->len = strlen(s->retry_after);
		r->headers.v = kv;
		r->headers.n = 1;
	}
	return ERR_OK;
}

struct fixture {
	struct arena	 a;
	struct config	 cfg;
	struct httpc	*h;
};

static int
setup(void **state)
{
	static struct fixture f;
	struct httpc_opts o = { NULL, true, 0, 0 };

	memset(&f, 0, sizeof(f));
	arena_init(&f.a);
	f.cfg.resend_api_key = "re_test";
	f.cfg.resend_api_base = "http://127.0.0.1:9";
	f.cfg.mail_from = "d@example.com";
	f.cfg.mail_from_name = "D";
	f.h = httpc_new(&o);
	httpc_set_transport(f.h, fake);
	calls = 0;
	*state = &f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	httpc_free(f->h);
	arena_free(&f->a);
	return 0;
}

#define BATCH2	"[{\"to\":[\"a@x.io\"]},{\"to\":[\"b@x.io\"]}]"
#define OK2	"{\"data\":[{\"id\":\"id-a\"},{\"id\":\"id-b\"}]}"

static void
run(struct fixture *f, const struct answer *s, size_t n,
    struct email_result *res, struct email_call *call)
{
	script = s;
	nscript = n;
	calls = 0;
	assert_int_equal(email_send_batch(f->h, &f->a, &f->cfg, BATCH2, 2,
	    "sluice-digest-k1", res, call), ERR_OK);
	assert_int_equal(calls, n);
}

static void
test_email_batch_ok_maps_ids_in_order(void **state)
{
	static const struct answer s[] = { { 200, OK2, NULL } };
	struct fixture *f = *state;
	struct email_result res[2];
	struct email_call call;

	run(f, s, 1, res, &call);
	assert_int_equal(res[0].outcome, EMAIL_SENT);
	assert_string_equal(res[0].id, "id-a");
	assert_string_equal(res[1].id, "id-b");
	assert_string_equal(paths[0], "http://127.0.0.1:9/emails/batch");
	assert_string_equal(keys[0], "sluice-digest-k1");
	assert_string_equal(modes[0], "permissive");
}

static void
test_email_retries_keep_key_and_body(void **state)
{
	static const struct answer s[] = {
		{ 409, "{\"statusCode\":409,\"name\":"
		    "\"concurrent_idempotent_requests\",\"message\":\"m\"}",
		    NULL },
		{ 429, "not json at all", "0" },
		{ 200, OK2, NULL },
	};
	struct fixture *f = *state;
	struct email_result res[2];
	struct email_call call;

	run(f, s, 3, res, &call);
	assert_int_equal(call.attempts, 3);
	assert_int_equal(res[1].outcome, EMAIL_SENT);
	assert_string_equal(keys[0], keys[2]);
	assert_string_equal(bodies[0], bodies[1]);
	assert_string_equal(bodies[1], bodies[2]);
}

static void
test_email_failures_by_status_and_name(void **state)
{
	static const struct answer invalid[] = {
		{ 409, "{\"statusCode\":409,\"name\":"
		    "\"invalid_idempotent_request\",\"message\":\"reused\"}",
		    NULL },
	};
	static const struct answer quota[] = {
		{ 429, "{\"statusCode\":429,\"name\":\"daily_quota_exceeded\","
		    "\"message\":\"q\"}", "1" },
	};
	static const struct answer auth[] = {
		{ 401, "{\"statusCode\":401,\"name\":\"missing_api_key\","
		    "\"message\":\"Missing API key\"}", NULL },
	};
	static const struct answer down[] = { { 0, "", NULL },
	    { 503, "<html>", NULL }, { 0, "", NULL } };
	struct fixture *f = *state;
	struct email_result res[2];
	struct email_call call;

	run(f, invalid, 1, res, &call);
	assert_int_equal(res[0].outcome, EMAIL_FAILED);
	assert_string_equal(res[1].error,
	    "409 invalid_idempotent_request: reused");
	run(f, quota, 1, res, &call);
	assert_int_equal(res[0].outcome, EMAIL_QUOTA);
	assert_int_equal(res[1].outcome, EMAIL_QUOTA);
	run(f, auth, 1, res, &call);
	assert_string_equal(res[0].error,
	    "401 missing_api_key: Missing API key");
	run(f, down, 3, res, &call);
	assert_int_equal(res[0].outcome, EMAIL_FAILED);
	assert_string_equal(res[0].error, "gave up after 3 attempts: no "
	    "answer from Resend: connection refused");
}

static void
test_email_permissive_errors(void **state)
{
	static const struct answer s[] = {
		{ 200, "{\"data\":[{\"id\":\"id-b\"}],\"errors\":[{\"index\":0,"
		    "\"message\":\"The `to` field is missing.\"},"
		    "{\"index\":7,\"message\":\"out of range\"}]}", NULL },
	};
	struct fixture *f = *state;
	struct email_result res[2];
	struct email_call call;

	run(f, s, 1, res, &call);
	assert_int_equal(res[0].outcome, EMAIL_FAILED);
	assert_null(res[0].id);
	assert_string_equal(res[0].error,
	    "refused in batch: The `to` field is missing.");
	assert_int_equal(res[1].outcome, EMAIL_SENT);
	assert_string_equal(res[1].id, "id-b");
}

static void
test_email_one_and_unconfigured(void **state)
{
	static const struct answer s[] = {
		{ 200, "{\"id\":\"49a3999c-0ce1-4ea6-ab68-afcd6dc2e794\"}",
		    NULL },
	};
	struct fixture *f = *state;
	struct email_result res[2];
	struct email_call call;

	script = s;
	nscript = 1;
	calls = 0;
	assert_int_equal(email_send_one(f->h, &f->a, &f->cfg, "{}", "k",
	    res, &call), ERR_OK);
	assert_int_equal(res[0].outcome, EMAIL_SENT);
	assert_string_equal(res[0].id, "49a3999c-0ce1-4ea6-ab68-afcd6dc2e794");
	assert_string_equal(paths[0], "http://127.0.0.1:9/emails");
	assert_null(modes[0]);
	f->cfg.resend_api_key = "";
	calls = 0;
	assert_int_equal(email_send_batch(f->h, &f->a, &f->cfg, BATCH2, 2,
	    "k", res, &call), ERR_UNAVAILABLE);
	assert_int_equal(calls, 0);
}

/* Without a Resend key but with SLUICE_MAIL_DIR: each message of a
 * batch as <key>-<n>.eml and .html (owner-only), no call to Resend; a
 * header value's line breaks never start a header of their own. */
static void
test_email_mail_dir_writes_files(void **state)
{
	struct fixture *f = *state;
	struct email_result res[2];
	struct email_call call;
	char dir[] = "/tmp/sluice-mail-XXXXXX", path[256], text[4096];
	struct stat st;
	FILE *fp;
	size_t n;

	assert_non_null(mkdtemp(dir));
	f->cfg.resend_api_key = "";
	f->cfg.mail_dir = arena_printf(&f->a, "%s/mail", dir);
	assert_true(email_sending(&f->cfg));
	assert_int_equal(email_send_batch(f->h, &f->a, &f->cfg,
	    "[{\"from\":\"D <d@example.com>\",\"to\":[\"a@x.io\"],"
	    "\"subject\":\"Hi\\r\\nBcc: evil@x.io\",\"html\":\"<p>A</p>\","
	    "\"text\":\"A\"},{\"to\":[\"b@x.io\"],\"subject\":\"B\"}]", 2,
	    "sluice-digest-7", res, &call), ERR_OK);
	assert_int_equal(calls, 0);
	assert_int_equal(res[0].outcome, EMAIL_SENT);
	assert_string_equal(res[0].id, "file:sluice-digest-7-1.eml");
	assert_int_equal(res[1].outcome, EMAIL_SENT);
	assert_string_equal(res[1].id, "file:sluice-digest-7-2.eml");
	snprintf(path, sizeof(path), "%s/sluice-digest-7-1.eml",
	    f->cfg.mail_dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_non_null(fp = fopen(path, "r"));
	n = fread(text, 1, sizeof(text) - 1, fp);
	text[n] = '\0';
	fclose(fp);
	assert_non_null(strstr(text, "\r\nTo: a@x.io\r\n"));
	assert_non_null(strstr(text, "\r\nSubject: Hi  Bcc: evil@x.io\r\n"));
	assert_null(strstr(text, "\nBcc:"));
	assert_non_null(strstr(text, "\r\n\r\n<p>A</p>\r\n"));
	snprintf(path, sizeof(path), "%s/sluice-digest-7-1.html",
	    f->cfg.mail_dir);
	assert_non_null(fp = fopen(path, "r"));
	n = fread(text, 1, sizeof(text) - 1, fp);
	text[n] = '\0';
	fclose(fp);
	assert_string_equal(text, "<p>A</p>");
	/* With a Resend key the folder is not used. */
	f->cfg.resend_api_key = "re_test";
	assert_true(email_sending(&f->cfg));
	for (n = 1; n <= 2; n++) {
		snprintf(path, sizeof(path), "%s/sluice-digest-7-%zu.eml",
		    f->cfg.mail_dir, n);
		assert_int_equal(unlink(path), 0);
		snprintf(path, sizeof(path), "%s/sluice-digest-7-%zu.html",
		    f->cfg.mail_dir, n);
		assert_int_equal(unlink(path), 0);
	}
	assert_int_equal(rmdir(f->cfg.mail_dir), 0);
	assert_int_equal(rmdir(dir), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_email_batch_ok_maps_ids_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_email_retries_keep_key_and_body, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_email_failures_by_status_and_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_email_permissive_errors,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_email_one_and_unconfigured, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_email_mail_dir_writes_files, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
