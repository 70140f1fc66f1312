/*
 * test_oauth.c — token endpoint answers as the providers send them: every
 * token response and token error of tests/fixtures/providers, read at test
 * time, parsed with each provider's quirks.
 */
#include <sys/socket.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <json-c/json.h>

#include "base/arena.h"
#include "base/config.h"
#include "base/jsonx.h"
#include "base/kv.h"
#include "base/limit.h"
#include "base/mem.h"
#include "net/httpc.h"
#include "providers/oauth.h"
#include "providers/provider.h"
#include "testlib.h"

#define NOW	1800000000LL

struct exchange {
	int		 status;
	const char	*ctype;
	const char	*body;
};

/* Loads one example's response: status, Content-Type and body text. */
static void
load(struct arena *a, const char *file, struct exchange *x)
{
	struct json_object *doc, *resp, *h, *v;

	doc = testlib_json_file(a, testlib_fixture(a, arena_printf(a,
	    "providers/%s", file)));
	assert_int_equal(jsonx_get_object(doc, "response", &resp), ERR_OK);
	v = json_object_object_get(resp, "status");
	x->status = json_object_get_int(v);
	x->ctype = "application/json";
	if ((h = json_object_object_get(resp, "headers")) != NULL) {
		json_object_object_foreach(h, k, hv)
			if (strcasecmp(k, "content-type") == 0)
				x->ctype = json_object_get_string(hv);
	}
	if ((v = json_object_object_get(resp, "body_raw")) != NULL)
		x->body = json_object_get_string(v);
	else if ((v = json_object_object_get(resp, "body")) != NULL)
		x->body = json_object_is_type(v, json_type_string) ?
		    json_object_get_string(v) : jsonx_string(a, v);
	else
		x->body = "";
}

static enum err
parse(struct arena *a, const char *slug, const char *file,
    struct oauth_tokens *t, struct oauth_failure *f)
{
	struct exchange x;

	load(a, file, &x);
	return oauth_parse_tokens(a, provider_get(slug), x.status, x.ctype,
	    x.body, strlen(x.body), NOW, t, f);
}

static void
test_oauth_token_responses(void **state)
{
	struct oauth_failure f;
	struct oauth_tokens t;
	struct arena a;

	(void)state;
	arena_init(&a);
	assert_int_equal(parse(&a, "ga4", "google/oauth/token-response-"
	    "authorization-code.json", &t, &f), ERR_OK);
	assert_non_null(t.access_token);
	assert_non_null(t.refresh_token);
	assert_true(t.expires_at == NOW + 3599);
	/* The id_token names the login (its payload, as the example's
	 * _id_token_payload says): no userinfo call is needed. */
	assert_string_equal(t.owner, "110248495921238986420");
	assert_string_equal(t.owner_label, "owner@example.com");
	assert_int_equal(parse(&a, "ga4", "google/oauth/token-response-"
	    "refresh.json", &t, &f), ERR_OK);
	assert_null(t.refresh_token);	/* Google keeps the old one */
	assert_int_equal(parse(&a, "slack", "slack/oauth_v2_access.json", &t,
	    &f), ERR_OK);
	/* Slack's login: the workspace and the person who installed. */
	assert_string_equal(t.owner, "T9TK3CUKW:U1234");
	assert_string_equal(t.owner_label, "Slack Softball Team");
	assert_true(t.expires_at == 0);
	assert_int_equal(parse(&a, "slack", "slack/oauth_v2_access_with_"
	    "rotation.json", &t, &f), ERR_OK);
	assert_non_null(t.refresh_token);
	assert_true(t.expires_at > NOW);
	assert_int_equal(parse(&a, "github", "github/oauth_access_token.json",
	    &t, &f), ERR_OK);
	assert_non_null(t.access_token);
	assert_int_equal(parse(&a, "github", "github/oauth_access_token_form_"
	    "encoded.json", &t, &f), ERR_OK);
	assert_string_equal(t.scope, "read:user,repo");
	assert_int_equal(parse(&a, "facebook", "meta/oauth_long_lived_token."
	    "json", &t, &f), ERR_OK);
	assert_true(t.expires_at == NOW + 5183944);
	assert_int_equal(parse(&a, "mailchimp", "mailchimp/oauth_token.json",
	    &t, &f), ERR_OK);
	assert_true(t.expires_at == 0);	/* expires_in 0: never */
	assert_null(t.scope);		/* scope: null */
	assert_int_equal(parse(&a, "linkedin", "linkedin/oauth_access_token_"
	    "with_refresh.json", &t, &f), ERR_OK);
	assert_non_null(t.refresh_token);
	assert_true(t.expires_at == NOW + 5184000);
	arena_free(&a);
}

static void
test_oauth_token_errors(void **state)
{
	static const struct {
		const char	*slug, *file;
		int		 invalid_grant;
	} cases[] = {
		{ "ga4", "google/oauth/token-error-invalid-grant-revoked.json",
		  1 },
		{ "ga4", "google/oauth/token-error-invalid-grant-code-redeemed."
		  "json", 1 },
		{ "slack", "slack/oauth_v2_access_error_invalid_refresh.json",
		  1 },
		{ "slack", "slack/oauth_v2_access_error_invalid_code.json", 1 },
		{ "github", "github/oauth_error_bad_verification_code.json",
		  1 },
		{ "github", "github/oauth_error_incorrect_client_credentials."
		  "json", 0 },
		{ "facebook", "meta/oauth_error_code_used.json", 1 },
		{ "linkedin", "linkedin/oauth_error_invalid_code.json", 0 },
	};
	struct oauth_failure f;
	struct oauth_tokens t;
	struct arena a;
	size_t i;

	(void)state;
	arena_init(&a);
	for (i = 0; i < nitems(cases); i++) {
		assert_int_equal(parse(&a, cases[i].slug, cases[i].file, &t,
		    &f), ERR_AUTH);
		assert_int_equal(f.invalid_grant, cases[i].invalid_grant);
		assert_non_null(f.message);
		assert_null(t.access_token);
	}
	arena_free(&a);
}

static void
test_oauth_not_a_token(void **state)
{
	const struct provider *p = provider_get("github");
	struct oauth_failure f;
	struct oauth_tokens t;
	struct arena a;

	(void)state;
	arena_init(&a);
	assert_int_equal(oauth_parse_tokens(&a, p, 200, "text/html",
	    "<html>hi</html>", 15, NOW, &t, &f), ERR_UPSTREAM);
	assert_int_equal(oauth_parse_tokens(&a, p, 200, "application/json",
	    "{\"access_token\":\"x", 18, NOW, &t, &f), ERR_UPSTREAM);
	assert_int_equal(oauth_parse_tokens(&a, p, 503, "application/json",
	    "{}", 2, NOW, &t, &f), ERR_UPSTREAM);
	assert_int_equal(oauth_parse_tokens(&a, p, 200, "application/json",
	    "{\"token_type\":\"bearer\"}", 23, NOW, &t, &f), ERR_UPSTREAM);
	arena_free(&a);
}

/* Meta's rate limits at its token endpoint are a wait, not a refusal: no
 * "refused the sign-in", no reconnect asked for. */
static void
test_oauth_meta_rate_limit(void **state)
{
	static const char body[] = "{\"error\":{\"message\":\"(#4) "
	    "Application request limit reached\",\"type\":\"OAuthException\","
	    "\"is_transient\":true,\"code\":4,\"fbtrace_id\":\"AbC\"}}";
	const struct provider *p = provider_get("facebook");
	struct oauth_failure f;
	struct oauth_tokens t;
	struct arena a;

	(void)state;
	arena_init(&a);
	assert_int_equal(oauth_parse_tokens(&a, p, 400, "application/json",
	    body, sizeof(body) - 1, NOW, &t, &f), ERR_RATELIMIT);
	assert_false(f.invalid_grant);
	assert_non_null(strstr(f.message, "is limiting requests right now "
	    "((#4) Application request limit reached)"));
	assert_null(strstr(f.message, "refused"));
	/* An expired or revoked token (#190) stays a refusal. */
	assert_int_equal(oauth_parse_tokens(&a, p, 400, "application/json",
	    "{\"error\":{\"message\":\"Error validating access token\","
	    "\"type\":\"OAuthException\",\"code\":190}}", 88, NOW, &t, &f),
	    ERR_AUTH);
	assert_true(f.invalid_grant);
	arena_free(&a);
}

/* Google's granular consent: an unticked permission is named; sign-in
 * scopes and an answer without a scope never count. */
static void
test_oauth_missing_scopes(void **state)
{
	const struct provider *ga4 = provider_get("ga4");
	const struct provider *yt = provider_get("youtube");
	const struct provider *gh = provider_get("github");
	struct arena a;

	(void)state;
	arena_init(&a);
	assert_null(oauth_missing_scopes(&a, ga4, NULL));
	assert_null(oauth_missing_scopes(&a, ga4, "openid "
	    "https://www.googleapis.com/auth/userinfo.email "
	    "https://www.googleapis.com/auth/analytics.readonly"));
	assert_string_equal(oauth_missing_scopes(&a, ga4, "openid "
	    "https://www.googleapis.com/auth/userinfo.email"),
	    "https://www.googleapis.com/auth/analytics.readonly");
	assert_string_equal(oauth_missing_scopes(&a, yt, "openid"),
	    "https://www.googleapis.com/auth/youtube.readonly, "
	    "https://www.googleapis.com/auth/yt-analytics.readonly");
	/* GitHub answers comma-separated, in its own order. */
	assert_null(oauth_missing_scopes(&a, gh, "public_repo,read:user"));
	assert_string_equal(oauth_missing_scopes(&a, gh, "read:user"),
	    "public_repo");
	arena_free(&a);
}

/* A provider's whoami hook on an example answer; t and f as it left
 * them. */
static enum err
whoami(struct arena *a, const char *slug, const char *file,
    struct oauth_tokens *t, struct oauth_failure *f)
{
	const struct provider *p = provider_get(slug);
	struct exchange x;

	assert_non_null(p);
	assert_non_null(p->whoami);
	load(a, file, &x);
	memset(t, 0, sizeof(*t));
	memset(f, 0, sizeof(*f));
	return p->whoami(a, p, x.status, x.body, strlen(x.body), t, f);
}

/*
 * Who the login is, from each provider's documented answer: the stable
 * id and the label people read; a refused token and an answer without
 * an id are errors that say so, never an unnamed login.
 */
static void
test_oauth_whoami(void **state)
{
	static const char *const google[] = { "ga4", "google_ads", "youtube",
	    "gbp" };
	static const char *const meta[] = { "facebook", "instagram",
	    "meta_ads" };
	const struct provider *const *all;
	struct oauth_failure f;
	struct oauth_tokens t;
	struct arena a;
	size_t i, n;

	(void)state;
	arena_init(&a);
	for (i = 0; i < nitems(google); i++) {
		assert_int_equal(whoami(&a, google[i], "google/oauth/"
		    "userinfo.json", &t, &f), ERR_OK);
		assert_string_equal(t.owner, "110169484474386276334");
		assert_string_equal(t.owner_label, "ana@agency.example");
		assert_non_null(provider_get(google[i])->urls[
		    PROVIDER_WHOAMI_URL]);
	}
	assert_int_equal(whoami(&a, "ga4", "google/oauth/userinfo-error-401."
	    "json", &t, &f), ERR_AUTH);
	assert_null(t.owner);
	assert_non_null(strstr(f.message, "Invalid Credentials"));
	for (i = 0; i < nitems(meta); i++) {
		assert_int_equal(whoami(&a, meta[i], "meta/me.json", &t, &f),
		    ERR_OK);
		assert_string_equal(t.owner, "102152417738301");
		assert_string_equal(t.owner_label, "Ana Agency");
	}
	/* Graph errors come with HTTP 400. */
	assert_int_equal(whoami(&a, "facebook", "meta/error_190_invalid.json",
	    &t, &f), ERR_AUTH);
	assert_non_null(strstr(f.message, "Invalid OAuth access token"));
	assert_int_equal(whoami(&a, "github", "github/user.json", &t, &f),
	    ERR_OK);
	assert_string_equal(t.owner, "1");		/* id, a number */
	assert_string_equal(t.owner_label, "octocat");
	assert_int_equal(whoami(&a, "github", "github/error_bad_credentials."
	    "json", &t, &f), ERR_AUTH);
	assert_non_null(strstr(f.message, "Bad credentials"));
	/* LinkedIn: the member its page roles are assigned to. */
	assert_int_equal(whoami(&a, "linkedin", "linkedin/organization_acls."
	    "json", &t, &f), ERR_OK);
	assert_string_equal(t.owner, "urn:li:person:AbC123xYz");
	assert_string_equal(t.owner_label, "member AbC123xYz");
	assert_string_equal(provider_get("linkedin")->scopes,
	    "rw_organization_admin");	/* no sign-in product needed */
	assert_int_equal(whoami(&a, "linkedin", "linkedin/error_401_invalid_"
	    "token.json", &t, &f), ERR_AUTH);
	assert_non_null(strstr(f.message, "Invalid access token"));
	/* Mailchimp: the login, not the account several logins share. */
	assert_int_equal(whoami(&a, "mailchimp", "mailchimp/oauth_metadata."
	    "json", &t, &f), ERR_OK);
	assert_string_equal(t.owner, "123456789");
	assert_string_equal(t.owner_label, "owner@example.com");
	assert_int_equal(whoami(&a, "mailchimp", "mailchimp/oauth_metadata_"
	    "invalid_token.json", &t, &f), ERR_AUTH);
	/* The providers read by the table: each names its id's key. */
	all = provider_all(&n);
	for (i = 0; i < n; i++)
		if (all[i]->whoami == oauth_whoami_keys)
			assert_non_null(all[i]->whoami_keys[0]);
	assert_string_equal(provider_get("github")->whoami_keys[1], "login");
	/* Slack names the login in its token answer: no hook, no call. */
	assert_null(provider_get("slack")->whoami);
	assert_null(provider_get("slack")->urls[PROVIDER_WHOAMI_URL]);
	/* An answer that names nobody, or is not JSON, is no login. */
	memset(&t, 0, sizeof(t));
	assert_int_equal(oauth_whoami_keys(&a, provider_get("ga4"), 200,
	    "{\"email\":\"x@y.example\"}", 23, &t, &f), ERR_UPSTREAM);
	assert_null(t.owner);
	assert_non_null(strstr(f.message, "no sub"));
	assert_int_equal(oauth_whoami_keys(&a, provider_get("ga4"), 200,
	    "<html>", 6, &t, &f), ERR_UPSTREAM);
	assert_int_equal(oauth_whoami_keys(&a, provider_get("ga4"), 503,
	    "{}", 2, &t, &f), ERR_UPSTREAM);
	arena_free(&a);
}

/* The fake LinkedIn for oauth_whoami(): the documented role list and
 * organization lookup, the lookup answering li_org_status. */
static int		 li_org_status;
static const char	*li_org_url, *li_org_version;

static enum err
li_fake(struct httpc *h, struct arena *a, const struct httpc_req *q,
    struct httpc_resp *r, const char **why)
{
	struct exchange x;
	const struct kvlist hl = { q->headers, q->nheaders };

	(void)h;
	(void)why;
	memset(r, 0, sizeof(*r));
	if (strstr(q->url, "/organizationAcls?") != NULL)
		load(a, "linkedin/organization_acls.json", &x);
	else {
		li_org_url = arena_strdup(a, q->url);
		li_org_version = kv_header(&hl, "LinkedIn-Version");
		load(a, li_org_status == 200 ? "linkedin/organization.json" :
		    "linkedin/error_403_access_denied.json", &x);
		x.status = li_org_status;
	}
	r->status = x.status;
	r->body = x.body;
	r->body_len = strlen(x.body);
	return ERR_OK;
}

/*
 * LinkedIn's login is named by the page its first role is on (the
 * organization lookup the scope allows); a lookup that fails keeps
 * "member <id>", and the login still connects.
 */
static void
test_oauth_whoami_linkedin_page(void **state)
{
	struct httpc_opts o = { NULL, true, 0, 0 };
	struct oauth_tokens t;
	struct oauth_failure f;
	struct config cfg;
	struct httpc *h;
	struct arena a;

	(void)state;
	arena_init(&a);
	memset(&cfg, 0, sizeof(cfg));
	h = httpc_new(&o);
	httpc_set_transport(h, li_fake);
	memset(&t, 0, sizeof(t));
	t.access_token = "AQVfakeAccessToken0001";
	li_org_status = 200;
	assert_int_equal(oauth_whoami(h, &a, provider_get("linkedin"), &cfg,
	    &t, &f), ERR_OK);
	assert_string_equal(t.owner, "urn:li:person:AbC123xYz");
	assert_string_equal(t.owner_label, "Sluice Demo (member AbC123xYz)");
	assert_string_equal(li_org_url,
	    "https://api.linkedin.com/rest/organizations/2414183");
	assert_non_null(li_org_version);	/* the API's version header */
	memset(&t, 0, sizeof(t));
	t.access_token = "AQVfakeAccessToken0001";
	li_org_status = 403;
	assert_int_equal(oauth_whoami(h, &a, provider_get("linkedin"), &cfg,
	    &t, &f), ERR_OK);
	assert_string_equal(t.owner, "urn:li:person:AbC123xYz");
	assert_string_equal(t.owner_label, "member AbC123xYz");
	httpc_free(h);
	arena_free(&a);
}

/*
 * A token endpoint on a loopback port: a child that answers n requests
 * with a token and writes each request it read (head and body) to the
 * pipe fd, one after the other, NUL after each.  Returns the child's pid;
 * *port is its port.
 */
static pid_t
token_server(int n, int fd, int *port)
{
	static const char answer[] = "HTTP/1.1 200 OK\r\n"
	    "Content-Type: application/json\r\nConnection: close\r\n"
	    "Content-Length: 58\r\n\r\n"
	    "{\"access_token\":\"A1\",\"refresh_token\":\"R1\","
	    "\"expires_in\":60}";
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	char req[8192], *end;
	size_t got, want;
	ssize_t r;
	int ls, cs, i;
	pid_t pid;

	ls = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(ls >= 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(ls, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(ls, 4), 0);
	assert_int_equal(getsockname(ls, (struct sockaddr *)&sin, &len), 0);
	*port = ntohs(sin.sin_port);
	if ((pid = fork()) != 0) {
		assert_true(pid > 0);
		close(ls);
		return pid;
	}
	for (i = 0; i < n; i++) {
		if ((cs = accept(ls, NULL, NULL)) < 0)
			_exit(1);
		got = 0;
		want = sizeof(req) - 1;
		while (got < want && (r = read(cs, req + got,
		    sizeof(req) - 1 - got)) > 0) {
			got += (size_t)r;
			req[got] = '\0';
			if (want == sizeof(req) - 1 &&
			    (end = strstr(req, "\r\n\r\n")) != NULL) {
				want = (size_t)(end + 4 - req);
				if ((end = strcasestr(req,
				    "\r\ncontent-length:")) != NULL)
					want += strtoul(end + 17, NULL, 10);
			}
		}
		req[got] = '\0';
		if (write(fd, req, got + 1) < 0 ||
		    write(cs, answer, sizeof(answer) - 1) < 0)
			_exit(1);
		close(cs);
	}
	_exit(0);
}

/* The request i (0-based) of what token_server() wrote, from buf. */
static const char *
nth(const char *buf, size_t len, int i)
{
	const char *p = buf;

	while (i-- > 0 && p < buf + len)
		p += strlen(p) + 1;
	return p < buf + len ? p : "";
}

/*
 * A provider whose token endpoint takes the client as HTTP Basic (RFC
 * 6749, 2.3.1) gets it so for the exchange and the refresh, with neither
 * in the form (the id and secret form-encoded before base64); one that
 * takes it in the form (the default) gets client_id and client_secret
 * there and no Authorization header.
 */
static void
test_oauth_token_auth_basic(void **state)
{
	struct httpc_opts o = { NULL, true, 5000, 0 };
	struct provider p = *provider_get("linkedin");
	struct oauth_tokens t, out;
	struct oauth_failure f;
	struct config cfg;
	struct httpc *h;
	struct arena a;
	char buf[32768], *basic;
	const char *r0, *r1, *r2;
	size_t len = 0;
	ssize_t n;
	int fds[2], port, status;
	pid_t pid;

	(void)state;
	arena_init(&a);
	memset(&cfg, 0, sizeof(cfg));
	cfg.base_url = "http://127.0.0.1:9";
	assert_int_equal(pipe(fds), 0);
	pid = token_server(3, fds[1], &port);
	close(fds[1]);
	p.env = "OAUTH_TEST";
	p.family_env = NULL;
	p.exchange = NULL;
	p.refresh = NULL;
	p.after_exchange = NULL;
	p.pkce = false;
	p.token_auth = PROVIDER_TOKEN_AUTH_BASIC;
	setenv("SLUICE_OAUTH_TEST_CLIENT_ID", "id:1", 1);
	setenv("SLUICE_OAUTH_TEST_CLIENT_SECRET", "s&cr t", 1);
	setenv("SLUICE_OAUTH_TEST_TOKEN_URL", arena_printf(&a,
	    "http://127.0.0.1:%d/v5/oauth/token", port), 1);
	h = httpc_new(&o);
	assert_int_equal(oauth_exchange(h, &a, &p, &cfg, "C0de", NULL, &out,
	    &f), ERR_OK);
	assert_string_equal(out.access_token, "A1");
	memset(&t, 0, sizeof(t));
	t.refresh_token = "R0";
	assert_int_equal(oauth_refresh(h, &a, &p, &cfg, &t, &out, &f),
	    ERR_OK);
	p.token_auth = PROVIDER_TOKEN_AUTH_FORM;
	assert_int_equal(oauth_exchange(h, &a, &p, &cfg, "C0de", NULL, &out,
	    &f), ERR_OK);
	httpc_free(h);
	while (len < sizeof(buf) && (n = read(fds[0], buf + len,
	    sizeof(buf) - len)) > 0)
		len += (size_t)n;
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	r0 = nth(buf, len, 0);
	r1 = nth(buf, len, 1);
	r2 = nth(buf, len, 2);
	/* base64("id%3A1:s%26cr%20t") */
	basic = arena_printf(&a, "Authorization: Basic %s",
	    "aWQlM0ExOnMlMjZjciUyMHQ=");
	assert_non_null(strstr(r0, "POST /v5/oauth/token "));
	assert_non_null(strstr(r0, basic));
	assert_non_null(strstr(r0, "grant_type=authorization_code"));
	assert_non_null(strstr(r0, "code=C0de"));
	assert_null(strstr(r0, "client_id="));
	assert_null(strstr(r0, "client_secret="));
	assert_non_null(strstr(r1, basic));
	assert_non_null(strstr(r1, "grant_type=refresh_token"));
	assert_non_null(strstr(r1, "refresh_token=R0"));
	assert_null(strstr(r1, "client_secret="));
	assert_null(strcasestr(r2, "Authorization:"));
	assert_non_null(strstr(r2, "client_id=id%3A1"));
	assert_non_null(strstr(r2, "client_secret=s%26cr%20t"));
	unsetenv("SLUICE_OAUTH_TEST_CLIENT_ID");
	unsetenv("SLUICE_OAUTH_TEST_CLIENT_SECRET");
	unsetenv("SLUICE_OAUTH_TEST_TOKEN_URL");
	arena_free(&a);
}

/*
 * A token error in a provider's own shape: with its token_error members
 * and refusing codes, a refused grant and its words; without, any shape
 * is a refusal whose message still reaches the person, cleaned of line
 * breaks and reordering characters and cut to LIMIT_PROVIDER_TEXT.
 */
static void
test_oauth_token_error_shapes(void **state)
{
	static const char refused[] =
	    "{\"code\":1,\"message\":\"Invalid authorization code.\"}";
	static const char other[] =
	    "{\"code\":7,\"message\":\"Try\\nlater \\u202e<b>now</b>\"}";
	struct provider p = *provider_get("github");
	struct oauth_failure f;
	struct oauth_tokens t;
	struct arena a;
	char big[2048];

	(void)state;
	arena_init(&a);
	p.name = "Pins";
	/* No mapping: a refusal, not of the grant, its message kept. */
	assert_int_equal(oauth_parse_tokens(&a, &p, 400, "application/json",
	    refused, strlen(refused), NOW, &t, &f), ERR_AUTH);
	assert_false(f.invalid_grant);
	assert_string_equal(f.message, "Pins refused the sign-in (HTTP 400: "
	    "Invalid authorization code.).");
	assert_int_equal(oauth_parse_tokens(&a, &p, 401, "application/json",
	    other, strlen(other), NOW, &t, &f), ERR_AUTH);
	assert_null(strchr(f.message, '\n'));
	assert_null(strstr(f.message, "\xe2\x80\xae"));
	assert_non_null(strstr(f.message, "Try"));
	/* (Markup stays: the pages escape it.) */
	assert_non_null(strstr(f.message, "<b>now</b>"));
	/* Its own shape: code 1 refuses the grant, 7 does not. */
	p.token_error[0] = "code";
	p.token_error[1] = "message";
	p.token_refused = "4 1";
	assert_int_equal(oauth_parse_tokens(&a, &p, 400, "application/json",
	    refused, strlen(refused), NOW, &t, &f), ERR_AUTH);
	assert_true(f.invalid_grant);
	assert_string_equal(f.message, "Pins refused the sign-in (1: Invalid "
	    "authorization code.).");
	assert_int_equal(oauth_parse_tokens(&a, &p, 400, "application/json",
	    other, strlen(other), NOW, &t, &f), ERR_AUTH);
	assert_false(f.invalid_grant);
	/* A long text is cut. */
	memset(big, 'x', sizeof(big));
	memcpy(big, "{\"message\":\"", 12);
	memcpy(big + sizeof(big) - 3, "\"}", 3);
	assert_int_equal(oauth_parse_tokens(&a, &p, 400,
	    "application/json", big, strlen(big), NOW, &t, &f), ERR_AUTH);
	assert_true(strlen(f.message) < LIMIT_PROVIDER_TEXT + 64);
	arena_free(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_oauth_token_responses),
		cmocka_unit_test(test_oauth_token_errors),
		cmocka_unit_test(test_oauth_missing_scopes),
		cmocka_unit_test(test_oauth_not_a_token),
		cmocka_unit_test(test_oauth_meta_rate_limit),
		cmocka_unit_test(test_oauth_whoami),
		cmocka_unit_test(test_oauth_whoami_linkedin_page),
		cmocka_unit_test(test_oauth_token_auth_basic),
		cmocka_unit_test(test_oauth_token_error_shapes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
