/*
 * test_outbox.c — outgoing webhooks without a database: the endpoint URL
 * rules, the retry schedule, the signed request (against the Standard
 * Webhooks reference vector and crypto_wh_verify), and the address check
 * httpc makes as a delivery connects (SSRF).
 */
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "base/arena.h"
#include "base/kv.h"
#include "base/limit.h"
#include "crypto/crypto.h"
#include "hooks/outbox.h"
#include "net/httpc.h"

/* The vector of the Standard Webhooks / svix reference libraries. */
#define WH_SECRET	"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
#define WH_ID		"msg_p5jXN8AQM9LWM0D4loKWxJek"
#define WH_TS		"1614265330"
#define WH_BODY		"{\"test\": 2432232314}"
#define WH_SIG		"v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="

static const char *
header(const struct httpc_req *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nheaders; i++)
		if (strcmp(r->headers[i].name, name) == 0)
			return r->headers[i].value;
	return NULL;
}

static void
test_outbox_sign_matches_the_reference_vector(void **state)
{
	struct httpc_req r;
	struct arena a;

	(void)state;
	arena_init(&a);
	memset(&r, 0, sizeof(r));
	assert_int_equal(outbox_sign(&a, &r, WH_SECRET, WH_ID, WH_TS, WH_BODY),
	    ERR_OK);
	assert_string_equal(r.method, "POST");
	assert_string_equal(r.body, WH_BODY);
	assert_int_equal(r.body_len, strlen(WH_BODY));
	assert_string_equal(header(&r, "webhook-id"), WH_ID);
	assert_string_equal(header(&r, "webhook-timestamp"), WH_TS);
	assert_string_equal(header(&r, "webhook-signature"), WH_SIG);
	assert_string_equal(header(&r, "Content-Type"), "application/json");
	/* What a receiver checks: it verifies, and not with another body. */
	assert_int_equal(crypto_wh_verify(WH_SECRET, WH_ID, WH_TS,
	    header(&r, "webhook-signature"), WH_BODY, strlen(WH_BODY),
	    1614265330), CRYPTO_WH_OK);
	assert_int_equal(crypto_wh_verify(WH_SECRET, WH_ID, WH_TS,
	    header(&r, "webhook-signature"), "{\"test\": 2432232315}",
	    strlen(WH_BODY), 1614265330), CRYPTO_WH_NO_MATCH);
	arena_free(&a);
}

static void
test_outbox_sign_refuses_a_bad_secret_or_id(void **state)
{
	struct httpc_req r;
	struct arena a;

	(void)state;
	arena_init(&a);
	memset(&r, 0, sizeof(r));
	assert_int_equal(outbox_sign(&a, &r, "whsec_not base64!", WH_ID,
	    WH_TS, WH_BODY), ERR_INPUT);
	assert_int_equal(outbox_sign(&a, &r, WH_SECRET, "", WH_TS, WH_BODY),
	    ERR_INPUT);
	assert_int_equal(r.nheaders, 0);
	assert_int_equal(outbox_sign(&a, &r, WH_SECRET, "msg_1\r\nX: y",
	    WH_TS, WH_BODY), ERR_INPUT);
	arena_free(&a);
}

static void
test_outbox_retry_schedule(void **state)
{
	const long m = 60000;

	(void)state;
	/* 1, 5, 30 minutes, 2 hours, then 6 hours each. */
	assert_int_equal(outbox_retry_ms(1, 0, m), 1 * m);
	assert_int_equal(outbox_retry_ms(2, 1 * m, m), 5 * m);
	assert_int_equal(outbox_retry_ms(3, 6 * m, m), 30 * m);
	assert_int_equal(outbox_retry_ms(4, 36 * m, m), 120 * m);
	assert_int_equal(outbox_retry_ms(5, 156 * m, m), 360 * m);
	assert_int_equal(outbox_retry_ms(6, 516 * m, m), 360 * m);
	assert_int_equal(outbox_retry_ms(7, 876 * m, m), 360 * m);
	/* The 8th attempt came 20 h 36 min in; 6 h more is past 24 h. */
	assert_int_equal(outbox_retry_ms(8, 1236 * m, m), -1);
	/* A retry landing exactly at 24 hours is still made. */
	assert_int_equal(outbox_retry_ms(6, 1080 * m, m), 360 * m);
	assert_int_equal(outbox_retry_ms(6, 1080 * m + 1, m), -1);
	/* A slow first attempt (lease lost) still stops at 24 hours. */
	assert_int_equal(outbox_retry_ms(1, 1440 * m, m), -1);
	/* The unit scales the whole schedule (tests: a second). */
	assert_int_equal(outbox_retry_ms(2, 1000, 1000), 5000);
	assert_int_equal(outbox_retry_ms(0, 0, 1000), 1000);
}

static void
test_outbox_url_rules(void **state)
{
	static const struct {
		const char	*url;
		bool		 allow_http, ok;
	} cases[] = {
		{ "https://hooks.example.com/sluice?k=v", false, true },
		{ "HTTPS://Hooks.Example.COM:8443/x", false, true },
		{ "https://203.0.113.7/x", false, false },	/* TEST-NET-3 */
		{ "https://8.8.8.8/x", false, true },
		{ "https://[2606:4700::1111]/x", false, true },
		{ "https://example.com", false, true },
		{ "http://example.com/x", false, false },
		{ "http://example.com/x", true, false },	/* not loop */
		{ "http://127.0.0.1:9/x", false, false },
		{ "http://127.0.0.1:9/x", true, true },
		{ "http://localhost:9/x", true, true },
		{ "http://[::1]:9/x", true, true },
		{ "https://127.0.0.1/x", false, false },
		/* An outside review's forms: the root's dot, one-label
		 * names (/etc/hosts), IPv4-translated, local-use NAT64,
		 * Teredo, the 6to4 relay. */
		{ "https://127.0.0.1./x", false, false },
		{ "https://localhost./x", false, false },
		{ "https://169.254.169.254./x", false, false },
		{ "https://hooks.example.com./x", false, true },
		{ "https://vm/x", false, false },
		{ "https://intranet:8443/x", false, false },
		{ "https://[::ffff:0:7f00:1]/x", false, false },
		{ "https://[64:ff9b:1::7f00:1]/x", false, false },
		{ "https://[2001:0:4136:e378:8000:63bf:80ff:fffe]/x", false,
		    false },
		{ "https://192.88.99.1/x", false, false },
		{ "https://localhost/x", false, false },
		{ "https://a.localhost/x", false, false },
		{ "https://10.0.0.1/x", true, false },	/* private: never */
		{ "https://172.16.5.4/x", false, false },
		{ "https://192.168.1.1/x", false, false },
		{ "https://169.254.169.254/latest/meta-data", false, false },
		{ "https://100.64.0.1/x", false, false },
		{ "https://0.0.0.0/x", false, false },
		{ "https://[::]/x", false, false },
		{ "https://[::1]/x", false, false },
		{ "https://[fe80::1]/x", false, false },
		{ "https://[fd12::1]/x", false, false },
		{ "https://[::ffff:10.0.0.1]/x", false, false },
		{ "https://[::ffff:8.8.8.8]/x", false, true },
		{ "https://2130706433/x", false, false },
		{ "https://0x7f.1/x", false, false },
		{ "https://127.1/x", false, false },
		{ "https://user:pw@example.com/x", false, false },
		{ "https://user@example.com/x", false, false },
		{ "https://example.com:0/x", false, false },
		{ "https://example.com:65536/x", false, false },
		{ "https://example.com:/x", false, false },
		{ "https://example.com:80a/x", false, false },
		{ "https://exa mple.com/x", false, false },
		{ "https://exämple.com/x", false, false },
		{ "https://xn--exmple-cua.com/x", false, true },
		{ "https://ex_ample.com/x", false, false },
		{ "https://.example.com/x", false, false },
		{ "https://example..com/x", false, false },
		{ "https:///x", false, false },
		{ "https://[::1/x", false, false },
		{ "https://[example.com]/x", false, false },
		{ "ftp://example.com/x", false, false },
		{ "javascript:alert(1)", true, false },
		{ "", false, false },
		{ "https://example.com/a\tb", false, false },
	};
	char long_url[LIMIT_HOOK_URL + 2];
	const char *why;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		why = outbox_url_problem(cases[i].url, cases[i].allow_http);
		if ((why == NULL) != cases[i].ok)
			fail_msg("%s (allow_http %d): %s", cases[i].url,
			    cases[i].allow_http, why != NULL ? why : "ok");
	}
	assert_non_null(outbox_url_problem(NULL, true));
	memset(long_url, 'a', sizeof(long_url) - 1);
	memcpy(long_url, "https://x.example/", 18);
	long_url[sizeof(long_url) - 1] = '\0';
	assert_non_null(strstr(outbox_url_problem(long_url, false), "long"));
	long_url[sizeof(long_url) - 2] = '\0';
	assert_null(outbox_url_problem(long_url, false));
	/* The messages say what to do. */
	assert_non_null(strstr(outbox_url_problem(
	    "https://u:p@example.com/", false), "user name or password"));
	assert_non_null(strstr(outbox_url_problem("http://example.com/",
	    false), "https://"));
}

static bool
pub(const char *addr, bool loopback_ok)
{
	struct sockaddr_in s4;
	struct sockaddr_in6 s6;

	memset(&s4, 0, sizeof(s4));
	memset(&s6, 0, sizeof(s6));
	if (inet_pton(AF_INET, addr, &s4.sin_addr) == 1) {
		s4.sin_family = AF_INET;
		return httpc_addr_public((struct sockaddr *)&s4, loopback_ok);
	}
	assert_int_equal(inet_pton(AF_INET6, addr, &s6.sin6_addr), 1);
	s6.sin6_family = AF_INET6;
	return httpc_addr_public((struct sockaddr *)&s6, loopback_ok);
}

static void
test_httpc_addr_public(void **state)
{
	static const char *const private[] = { "0.0.0.0", "10.1.2.3",
	    "100.64.0.1", "100.127.255.255", "127.0.0.1", "169.254.169.254",
	    "172.16.0.1", "172.31.255.255", "192.0.0.8", "192.0.2.1",
	    "192.168.0.1", "198.18.0.1", "198.19.255.255", "198.51.100.1",
	    "203.0.113.1", "224.0.0.1", "240.0.0.1", "255.255.255.255",
	    "::", "::1", "::127.0.0.1", "::ffff:127.0.0.1", "::ffff:10.0.0.1",
	    "64:ff9b::a9fe:a9fe", "fc00::1", "fd00::1", "fe80::1",
	    "fec0::1", "ff02::1", "2001:db8::1", "2002:a00:1::1",
	    "100::1" };
	static const char *const public[] = { "1.1.1.1", "8.8.8.8",
	    "100.63.255.255", "100.128.0.0", "172.15.255.255", "172.32.0.0",
	    "192.0.1.1", "192.169.0.1", "198.17.255.255", "198.20.0.0",
	    "223.255.255.255", "2606:4700::1111", "2a00:1450::1",
	    "::ffff:8.8.8.8", "64:ff9b::808:808" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(private) / sizeof(private[0]); i++)
		if (pub(private[i], false))
			fail_msg("%s passed as public", private[i]);
	for (i = 0; i < sizeof(public) / sizeof(public[0]); i++)
		if (!pub(public[i], false))
			fail_msg("%s refused", public[i]);
	/* Loopback, and loopback only, when allowed. */
	assert_true(pub("127.0.0.1", true));
	assert_true(pub("127.255.0.9", true));
	assert_true(pub("::1", true));
	assert_true(pub("::ffff:127.0.0.1", true));
	assert_false(pub("10.0.0.1", true));
	assert_false(pub("::", true));
	assert_false(pub("169.254.1.1", true));
	assert_false(httpc_addr_public(NULL, true));
}

/*
 * The check is made on the address a connection is opened to: a call
 * restricted to public addresses never opens one to 127.0.0.1, whatever
 * the URL policy allowed; the same call allowed loopback reaches the
 * port (refused there: nothing listens on port 1).
 */
static void
test_httpc_dest_refuses_at_connect(void **state)
{
	struct httpc_opts o = { NULL, true, 2000, 0 };
	struct httpc_req r;
	struct httpc_resp resp;
	struct httpc *c;
	struct arena a;
	const char *why;

	(void)state;
	arena_init(&a);
	c = httpc_new(&o);
	memset(&r, 0, sizeof(r));
	/* A path may hold the hook's secret (Slack's, Discord's): a user's
	 * URL is named by its host only in messages (and logs). */
	r.url = "http://localhost:1/services/T0/B0/PATHSECRET";
	r.dest = HTTPC_DEST_PUBLIC;
	assert_int_equal(httpc_do(c, &a, &r, &resp, &why), ERR_FORBIDDEN);
	assert_non_null(strstr(why, "loopback, private"));
	assert_null(strstr(why, "PATHSECRET"));
	assert_non_null(strstr(why, "http://localhost:1"));
	r.dest = HTTPC_DEST_PUBLIC_LOOPBACK;
	assert_int_equal(httpc_do(c, &a, &r, &resp, &why), ERR_UPSTREAM);
	assert_null(strstr(why, "PATHSECRET"));
	/* In words a person acts on, not libcurl's. */
	assert_string_equal(why, "http://localhost:1: nothing accepted the "
	    "connection (the server is down, or a firewall is in the way)");
	r.url = "https://no-such-host.invalid/hook";
	assert_int_equal(httpc_do(c, &a, &r, &resp, &why), ERR_UPSTREAM);
	assert_non_null(strstr(why, "its name does not resolve"));
	r.url = "http://localhost:1/services/T0/B0/PATHSECRET";
	r.dest = HTTPC_DEST_ANY;
	assert_int_equal(httpc_do(c, &a, &r, &resp, &why), ERR_UPSTREAM);
	assert_non_null(strstr(why, "/services/T0/B0/PATHSECRET"));
	httpc_free(c);
	arena_free(&a);
}

static void
test_outbox_catalogue(void **state)
{
	static const char *const want[] = { "connection.connected",
	    "connection.needs_reauth", "connection.disconnected",
	    "sync.succeeded", "sync.failed", "digest.sent" };
	const struct outbox_type *t;
	size_t i, n;

	(void)state;
	t = outbox_types(&n);
	assert_int_equal(n, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < n; i++) {
		assert_string_equal(t[i].name, want[i]);
		assert_true(strlen(t[i].label) > 0);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_outbox_sign_matches_the_reference_vector),
		cmocka_unit_test(test_outbox_sign_refuses_a_bad_secret_or_id),
		cmocka_unit_test(test_outbox_retry_schedule),
		cmocka_unit_test(test_outbox_url_rules),
		cmocka_unit_test(test_httpc_addr_public),
		cmocka_unit_test(test_httpc_dest_refuses_at_connect),
		cmocka_unit_test(test_outbox_catalogue),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
