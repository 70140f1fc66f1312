/*
 * github.c — GitHub in the sandbox: OAuth, user, repositories.
 *
 * The OAuth token endpoint (form-encoded unless Accept: application/json,
 * errors with HTTP 200; GitHub App client ids "Iv..." get 8-hour tokens
 * with refresh), /user, /user/repos and stargazers with Link pagination,
 * one repository, 14-day traffic, /rate_limit.
 */
#include <stdio.h>
#include <string.h>

#include "base/arena.h"
#include "base/jsonx.h"
#include "base/mem.h"
#include "crypto/crypto.h"
#include "sandbox/sandbox_priv.h"

/* The letter of its codes and tokens (its family's prov): unique
 * among the families (test_sandbox). */
#define GH_PROV	'h'

#define HJ		"application/json; charset=utf-8"
#define GH_REPOS	3
/* Users 1..3 are 58391001..58391003: ids long enough to be told apart
 * from any count or time in an answer (the login's id names its
 * connection, external_owner). */
#define GH_USER_ID	58391000
#define GH_RESTATE	2

/* The OAuth endpoints: HTTP 200 {error,...}. */
static const struct sandbox_api oauth_api = {
	.name = "github oauth",
	.prov = GH_PROV,
};

/* The REST API: {message,documentation_url,status}. */
static const struct sandbox_api rest_api = {
	.name = "github",
	.prov = GH_PROV,
	.invalid = "error_bad_credentials",
};

static void
rl_headers(struct sbx *sx)
{
	struct resp *r = &sx->ctx->resp;

	resp_header(r, "x-ratelimit-limit", "5000");
	resp_header(r, "x-ratelimit-remaining", "4987");
	resp_header(r, "x-ratelimit-used", "13");
	resp_header(r, "x-ratelimit-reset", arena_printf(sx->ctx->arena,
	    "%lld", (long long)(sx->now / 3600 + 1) * 3600));
	resp_header(r, "x-ratelimit-resource", "core");
	resp_header(r, "x-github-api-version-selected", "2022-11-28");
}

static bool
wants_json(struct ctx *ctx)
{
	const char *a = req_header(&ctx->req, "accept");

	return a != NULL && strstr(a, "json") != NULL;
}

/* A token-endpoint error, JSON or form-encoded. */
static enum err
oauth_err(struct sbx *sx, const char *name, const char *code,
    const char *desc)
{
	if (wants_json(sx->ctx))
		return sandbox_fail(sx, name);
	sandbox_start(sx, 200, "application/x-www-form-urlencoded; "
	    "charset=utf-8");
	buf_printf(sx->out, "error=%s&error_description=%s&error_uri=%s",
	    code, sandbox_urlenc(sx, desc), sandbox_urlenc(sx,
	    "/apps/managing-oauth-apps/troubleshooting-oauth-app-access-"
	    "token-request-errors"));
	return ERR_OK;
}

static enum err
api_token(struct ctx *ctx)
{
	struct sandbox_token in, t;
	const char *grant, *why, *at, *rt = NULL;
	char scope[256], *p;
	struct sbx sx;
	enum err rc;
	bool expiring;

	if (!sandbox_begin(ctx, &oauth_api, SBX_TOKEN_EP, &sx, &rc))
		return rc;
	if (req_form(&ctx->req, "client_id") == NULL)
		return oauth_err(&sx,
		    "oauth_error_incorrect_client_credentials",
		    "incorrect_client_credentials",
		    "The client_id and/or client_secret passed are incorrect.");
	grant = req_form(&ctx->req, "grant_type");
	if (grant != NULL && strcmp(grant, "refresh_token") == 0) {
		if (!sandbox_token_parse(req_form(&ctx->req,
		    "refresh_token"), &in) || in.prov != GH_PROV ||
		    in.kind != SBXK_REFRESH || (in.exp != 0 &&
		    in.exp < sx.now))
			return oauth_err(&sx,
			    "oauth_error_bad_verification_code",
			    "bad_refresh_token", "The refresh token passed is "
			    "incorrect or expired.");
		expiring = true;
	} else {
		if (!sandbox_code_ok(&sx, req_form(&ctx->req, "code"),
		    GH_PROV, req_form(&ctx->req, "redirect_uri"),
		    req_form(&ctx->req, "code_verifier"), &in, &why)) {
			if (strcmp(why, "redirect_uri") == 0)
				return oauth_err(&sx,
				    "oauth_error_redirect_uri_mismatch",
				    "redirect_uri_mismatch", "The "
				    "redirect_uri does not match.");
			return oauth_err(&sx,
			    "oauth_error_bad_verification_code",
			    "bad_verification_code",
			    "The code passed is incorrect or expired.");
		}
		expiring = strchr(in.flags, 'E') != NULL;
	}
	snprintf(scope, sizeof(scope), "%s", expiring ? "" : *in.scope ?
	    in.scope : "read:user");
	for (p = scope; *p != '\0'; p++)
		if (*p == ' ')
			*p = ',';
	sandbox_token_from(&sx, &in, GH_PROV, SBXK_ACCESS, &t);
	t.exp = expiring ? sx.now + 28800 : 0;
	at = sandbox_token_make(&sx, expiring ? "ghu_" : "gho_", &t);
	if (expiring) {
		t.kind = SBXK_REFRESH;
		t.exp = sx.now + 15811200;
		rt = sandbox_token_make(&sx, "ghr_", &t);
	}
	if (!wants_json(ctx)) {
		sandbox_start(&sx, 200, "application/x-www-form-urlencoded; "
		    "charset=utf-8");
		buf_printf(sx.out, "access_token=%s", sandbox_urlenc(&sx, at));
		if (expiring)
			buf_printf(sx.out, "&expires_in=28800&refresh_token=%s"
			    "&refresh_token_expires_in=15811200",
			    sandbox_urlenc(&sx, rt));
		buf_printf(sx.out, "&scope=%s&token_type=bearer",
		    sandbox_urlenc(&sx, scope));
		return sandbox_done(&sx);
	}
	sandbox_start(&sx, 200, HJ);
	buf_puts(sx.out, "{\"access_token\":");
	sandbox_jstr(sx.out, at);
	if (expiring) {
		buf_puts(sx.out, ",\"expires_in\":28800,\"refresh_token\":");
		sandbox_jstr(sx.out, rt);
		buf_puts(sx.out, ",\"refresh_token_expires_in\":15811200");
	}
	buf_puts(sx.out, ",\"scope\":");
	sandbox_jstr(sx.out, scope);
	buf_puts(sx.out, ",\"token_type\":\"bearer\"}");
	return sandbox_done(&sx);
}

static bool
gh_begin(struct ctx *ctx, struct sbx *sx, enum err *rc)
{
	if (!sandbox_begin(ctx, &rest_api, SBX_AUTH, sx, rc))
		return false;
	rl_headers(sx);
	return true;
}

static void
owner(struct sbx *sx, const char *login, long long id)
{
	const char *api = sandbox_base_url(sx, "/sandbox/github-api");

	buf_printf(sx->out, "{\"login\":\"%s\",\"id\":%lld,\"node_id\":"
	    "\"MDQ6VXNlcj%lld\",\"avatar_url\":"
	    "\"https://example.invalid/avatar/%s.png\",\"gravatar_id\":\"\","
	    "\"url\":\"%s/users/%s\",\"html_url\":\"https://github.com/%s\","
	    "\"followers_url\":\"%s/users/%s/followers\",\"following_url\":"
	    "\"%s/users/%s/following{/other_user}\",\"gists_url\":"
	    "\"%s/users/%s/gists{/gist_id}\",\"starred_url\":"
	    "\"%s/users/%s/starred{/owner}{/repo}\",\"subscriptions_url\":"
	    "\"%s/users/%s/subscriptions\",\"organizations_url\":"
	    "\"%s/users/%s/orgs\",\"repos_url\":\"%s/users/%s/repos\","
	    "\"events_url\":\"%s/users/%s/events{/privacy}\","
	    "\"received_events_url\":\"%s/users/%s/received_events\","
	    "\"type\":\"User\",\"site_admin\":false", login, id, id, login,
	    api, login, login, api, login, api, login, api, login, api, login,
	    api, login, api, login, api, login, api, login, api, login);
}

static const char *
login_of(struct sbx *sx)
{
	return arena_printf(sx->ctx->arena, "sandbox-user%d", sx->tok.user);
}

static enum err
api_user(struct ctx *ctx)
{
	struct sbx sx;
	enum err rc;

	if (!gh_begin(ctx, &sx, &rc))
		return rc;
	sandbox_start(&sx, 200, HJ);
	resp_header(&ctx->resp, "x-oauth-scopes", "read:user, repo");
	owner(&sx, login_of(&sx), GH_USER_ID + sx.tok.user);
	buf_printf(sx.out, ",\"name\":\"Sandbox User %d\",\"company\":"
	    "\"Sandbox\",\"blog\":\"https://example.com\",\"location\":"
	    "\"Nowhere\",\"email\":\"user%d@sandbox.example\",\"hireable\":"
	    "false,\"bio\":\"A sandbox account.\",\"twitter_username\":"
	    "\"sandbox%d\",\"public_repos\":%d,\"public_gists\":1,"
	    "\"followers\":20,\"following\":0,\"created_at\":"
	    "\"2008-01-14T04:33:35Z\",\"updated_at\":\"2008-01-14T04:33:35Z\","
	    "\"private_gists\":3,\"total_private_repos\":4,"
	    "\"owned_private_repos\":4,\"disk_usage\":10000,\"collaborators\":"
	    "8,\"two_factor_authentication\":true,\"plan\":{\"name\":"
	    "\"Medium\",\"space\":400,\"private_repos\":20,\"collaborators\":"
	    "0}}", sx.tok.user, sx.tok.user, sx.tok.user, GH_REPOS);
	return sandbox_done(&sx);
}

static void
repo(struct sbx *sx, const char *own, const char *name, bool detail)
{
	bool archive = strncmp(name, "zz-", 3) == 0;
	const char *api = sandbox_base_url(sx, "/sandbox/github-api");
	char full[256];
	long long id = 1000000 + (long long)(sandbox_hash(name, 13) % 9000000);
	struct sandbox_day d;
	long long stars;

	snprintf(full, sizeof(full), "%s/%s", own, name);
	sandbox_series(full, sandbox_today(sx->now, 0) - 1,
	    sandbox_today(sx->now, 0), 0, &d);
	stars = 100 + (long long)(sandbox_hash(full, 14) % 3000);
	buf_printf(sx->out, "{\"id\":%lld,\"node_id\":\"R_kgDOsbx%lld\","
	    "\"name\":", id, id);
	sandbox_jstr(sx->out, name);
	buf_puts(sx->out, ",\"full_name\":");
	sandbox_jstr(sx->out, full);
	buf_puts(sx->out, ",\"private\":false,\"owner\":");
	owner(sx, own, GH_USER_ID + sx->tok.user);
	buf_puts(sx->out, "},\"html_url\":");
	sandbox_jstr(sx->out, arena_printf(sx->ctx->arena,
	    "https://github.com/%s", full));
	buf_puts(sx->out, ",\"description\":\"A sandbox repository\","
	    "\"fork\":false,\"url\":");
	sandbox_jstr(sx->out, arena_printf(sx->ctx->arena, "%s/repos/%s", api,
	    full));
	buf_printf(sx->out, ",\"homepage\":\"\",\"size\":108,"
	    "\"stargazers_count\":%lld,\"watchers_count\":%lld,\"language\":"
	    "%s,\"has_issues\":true,\"has_projects\":true,"
	    "\"has_downloads\":true,\"has_wiki\":true,\"has_pages\":false,"
	    "\"has_discussions\":false,\"forks_count\":%lld,\"mirror_url\":null,"
	    "\"archived\":false,\"disabled\":false,\"open_issues_count\":9,"
	    "\"license\":{\"key\":\"mit\",\"name\":\"MIT License\","
	    "\"spdx_id\":\"MIT\",\"url\":\"%s/licenses/mit\",\"node_id\":"
	    "\"MDc6TGljZW5zZW1pdA==\"},\"allow_forking\":true,\"is_template\":"
	    "false,\"web_commit_signoff_required\":false,\"topics\":[],"
	    "\"visibility\":\"public\",\"forks\":%lld,\"open_issues\":9,"
	    "\"watchers\":%lld,\"default_branch\":\"main\",\"created_at\":"
	    "\"2011-01-26T19:01:12Z\",\"updated_at\":\"2026-06-01T19:06:43Z\","
	    "\"pushed_at\":\"2026-06-01T19:06:43Z\",\"permissions\":{\"admin\":"
	    "true,\"maintain\":true,\"push\":true,\"triage\":true,\"pull\":"
	    "true}", stars, stars, archive ? "null" : "\"C\"", stars / 6, api,
	    stars / 6, stars);
	if (detail)
		buf_printf(sx->out, ",\"subscribers_count\":%lld,"
		    "\"network_count\":%lld", stars / 18, stars / 6);
	buf_puts(sx->out, "}");
}

/* Link header for page of last (1-based) pages. */
static void
link_header(struct sbx *sx, long page, long last)
{
	const struct kvlist *q = &sx->ctx->req.query;
	char *base, *h = arena_strdup(sx->ctx->arena, "");
	size_t i;

	base = arena_printf(sx->ctx->arena, "%s?", sandbox_base_url(sx,
	    sx->ctx->req.path));
	for (i = 0; i < q->n; i++)
		if (strcmp(q->v[i].name, "page") != 0)
			base = arena_printf(sx->ctx->arena, "%s%s=%s&", base,
			    sandbox_urlenc(sx, q->v[i].name),
			    sandbox_urlenc(sx, q->v[i].value));
	if (page > 1)
		h = arena_printf(sx->ctx->arena, "<%spage=%ld>; rel=\"prev\", "
		    "<%spage=1>; rel=\"first\"", base, page - 1, base);
	if (page < last)
		h = arena_printf(sx->ctx->arena, "%s%s<%spage=%ld>; "
		    "rel=\"next\", <%spage=%ld>; rel=\"last\"", h, *h ? ", " :
		    "", base, page + 1, base, last);
	if (*h != '\0')
		resp_header(&sx->ctx->resp, "link", h);
}

static void
paging(struct sbx *sx, long total, long *page, long *per, long *last)
{
	*per = sandbox_long(req_query(&sx->ctx->req, "per_page"), 30, 100);
	if (*per == 0)
		*per = 30;
	*page = sandbox_long(req_query(&sx->ctx->req, "page"), 1, 100000);
	if (*page == 0)
		*page = 1;
	*last = total > 0 ? (total + *per - 1) / *per : 1;
}

static enum err
api_repos(struct ctx *ctx)
{
	static const char *const names[] = { "hello-sandbox", "metrics-demo",
	    "zz-archive" };
	long total, page, per, last, i;
	struct sbx sx;
	enum err rc;

	if (!gh_begin(ctx, &sx, &rc))
		return rc;
	total = sandbox_is(&sx, "pages") ? SANDBOX_MANY_PAGES * 30 : GH_REPOS;
	if (sandbox_is(&sx, "empty"))
		total = 0;
	paging(&sx, total, &page, &per, &last);
	if (sandbox_is(&sx, "pages"))
		last = (total + per - 1) / per;
	sandbox_start(&sx, 200, HJ);
	resp_header(&ctx->resp, "x-oauth-scopes", "read:user, repo");
	resp_header(&ctx->resp, "x-accepted-oauth-scopes", "");
	link_header(&sx, page, last);
	buf_puts(sx.out, "[");
	for (i = (page - 1) * per; i < page * per && i < total; i++) {
		if (i > (page - 1) * per)
			buf_puts(sx.out, ",");
		repo(&sx, login_of(&sx), i < GH_REPOS ? names[i] :
		    arena_printf(ctx->arena, "repo-%ld", i), false);
	}
	buf_puts(sx.out, "]");
	return sandbox_done(&sx);
}

static enum err
api_repo(struct ctx *ctx)
{
	struct sbx sx;
	enum err rc;

	if (!gh_begin(ctx, &sx, &rc))
		return rc;
	sandbox_start(&sx, 200, HJ);
	repo(&sx, route_capture(&ctx->match, "owner"),
	    route_capture(&ctx->match, "repo"), true);
	return sandbox_done(&sx);
}

static enum err
api_traffic(struct ctx *ctx)
{
	const char *kind = route_capture(&ctx->match, "kind"), *key;
	char full[256], day[11];
	struct sandbox_day d;
	long long cnt = 0, uni = 0, c, u;
	int64_t today, dd;
	struct sbx sx;
	enum err rc;
	size_t n = 0;

	if (!gh_begin(ctx, &sx, &rc))
		return rc;
	if (strcmp(kind, "views") != 0 && strcmp(kind, "clones") != 0)
		return sandbox_fail(&sx, "error_404");
	key = kind;
	snprintf(full, sizeof(full), "%s/%s#%s", route_capture(&ctx->match,
	    "owner"), route_capture(&ctx->match, "repo"), kind);
	today = sandbox_today(sx.now, 0);
	sandbox_start(&sx, 200, HJ);
	buf_printf(sx.out, "{\"%s\":[", key);
	for (dd = today - 14; dd < today && !sandbox_is(&sx, "empty"); dd++) {
		sandbox_series(full, dd, today, GH_RESTATE, &d);
		c = strcmp(kind, "views") == 0 ? d.pageviews / 20 :
		    d.visits / 150;
		u = strcmp(kind, "views") == 0 ? d.users / 25 : c * 2 / 3;
		if (c == 0)
			continue;
		sandbox_day_format(dd, '-', day);
		buf_printf(sx.out, "%s{\"timestamp\":\"%sT00:00:00Z\","
		    "\"count\":%lld,\"uniques\":%lld}", n++ ? "," : "", day,
		    c, u);
		cnt += c;
		uni += u * 3 / 4;
	}
	/* The totals go first in GitHub's body; keys order is free. */
	buf_printf(sx.out, "],\"count\":%lld,\"uniques\":%lld}", cnt, uni);
	return sandbox_done(&sx);
}

static enum err
api_stargazers(struct ctx *ctx)
{
	const char *acc = req_header(&ctx->req, "accept");
	bool star = acc != NULL && strstr(acc, "star+json") != NULL;
	long total, page, per, last, i;
	char full[256], day[11];
	struct sbx sx;
	enum err rc;

	if (!gh_begin(ctx, &sx, &rc))
		return rc;
	snprintf(full, sizeof(full), "%s/%s", route_capture(&ctx->match,
	    "owner"), route_capture(&ctx->match, "repo"));
	total = sandbox_is(&sx, "empty") ? 0 : 5 + (long)(sandbox_hash(full,
	    15) % 20);
	paging(&sx, total, &page, &per, &last);
	sandbox_start(&sx, 200, HJ);
	link_header(&sx, page, last);
	buf_puts(sx.out, "[");
	for (i = (page - 1) * per; i < page * per && i < total; i++) {
		const char *login = arena_printf(ctx->arena, "stargazer%ld", i);

		if (i > (page - 1) * per)
			buf_puts(sx.out, ",");
		if (star) {
			sandbox_day_format(sandbox_today(sx.now, 0) - total +
			    i, '-', day);
			buf_printf(sx.out, "{\"starred_at\":\"%sT09:12:44Z\","
			    "\"user\":", day);
		}
		owner(&sx, login, 500000 + i);
		buf_puts(sx.out, star ? "}}" : "}");
	}
	buf_puts(sx.out, "]");
	return sandbox_done(&sx);
}

static enum err
api_rate(struct ctx *ctx)
{
	long long reset;
	struct sbx sx;
	enum err rc;

	if (!gh_begin(ctx, &sx, &rc))
		return rc;
	reset = (long long)(sx.now / 3600 + 1) * 3600;
	sandbox_start(&sx, 200, HJ);
	buf_printf(sx.out, "{\"resources\":{\"core\":{\"limit\":5000,\"used\":"
	    "13,\"remaining\":4987,\"reset\":%lld},\"search\":{\"limit\":30,"
	    "\"used\":0,\"remaining\":30,\"reset\":%lld},\"graphql\":{"
	    "\"limit\":5000,\"used\":0,\"remaining\":5000,\"reset\":%lld}},"
	    "\"rate\":{\"limit\":5000,\"used\":13,\"remaining\":4987,"
	    "\"reset\":%lld}}", reset, reset, reset, reset);
	return sandbox_done(&sx);
}

/* Whether the request carries Basic credentials of client. */
static bool
basic_of(struct ctx *ctx, const char *client)
{
	const char *h = req_header(&ctx->req, "authorization");
	char dec[512];
	size_t n, k = strlen(client);

	if (h == NULL || strncmp(h, "Basic ", 6) != 0 ||
	    crypto_b64_decode(h + 6, strlen(h + 6), dec, sizeof(dec) - 1,
	    &n) != ERR_OK)
		return false;
	dec[n] = '\0';
	return n > k + 1 && strncmp(dec, client, k) == 0 && dec[k] == ':';
}

/* DELETE /applications/{client_id}/grant|token with {"access_token"}
 * and the app's Basic credentials: 204 for a sandbox token, 404
 * otherwise (GitHub's answer for both), 401 without the credentials. */
static enum err
api_revoke(struct ctx *ctx)
{
	const char *what = route_capture(&ctx->match, "what"), *tok;
	struct json_object *root;
	struct sandbox_token t;
	const char *why;
	struct sbx sx;
	enum err rc;

	if (!sandbox_begin(ctx, &rest_api, 0, &sx, &rc))
		return rc;
	if (!basic_of(ctx, route_capture(&ctx->match, "client")))
		return sandbox_fail(&sx, "error_bad_credentials");
	if ((strcmp(what, "grant") != 0 && strcmp(what, "token") != 0) ||
	    jsonx_parse(ctx->arena, ctx->req.body, ctx->req.body_len, &root,
	    &why) != ERR_OK || jsonx_get_string(root, "access_token",
	    &tok) != ERR_OK || !sandbox_token_parse(tok, &t) ||
	    t.prov != GH_PROV)
		return sandbox_fail(&sx, "error_404");
	rl_headers(&sx);
	sandbox_start(&sx, 204, HJ);
	return ERR_OK;
}

/* ------------------------------------------------------------------ */
/* Its error shapes, routes and entry in the registry. */

#define Ju	"application/json; charset=utf-8"
#define GH_RL	"x-ratelimit-limit: 5000\nx-ratelimit-remaining: 4990\n" \
	"x-ratelimit-used: 10\nx-ratelimit-reset: 1780365600\n" \
	"x-ratelimit-resource: core\n"
#define GH_ERR(msg, doc, st) "{\"message\":\"" msg "\",\"documentation_url\":" \
	"\"https://docs.github.com/rest" doc "\",\"status\":\"" #st "\"}"
#define GH_OERR(e, msg) "{\"error\":\"" e "\",\"error_description\":\"" msg \
	"\",\"error_uri\":\"/apps/managing-oauth-apps/troubleshooting-oauth-" \
	"app-access-token-request-errors/#" e "\"}"

/* What the redirect carries when the user denies. */
static const char *const deny[] = {
	"error", "access_denied",
	"error_description", "The user has denied your application access.",
	"error_uri", "/sandbox/docs",
	NULL
};

static const struct sandbox_family family = {
	.id = "github",
	.name = "GitHub",
	.authorize = "/sandbox/github/",
	.sep = ' ',
	.prov = GH_PROV,
	.code_prefix = "",
	.client_status = 404,
	.client_error = "Not Found",
	.redirect_status = 0,
	.mismatch_description = "The redirect_uri MUST match the "
	    "registered callback URL for this application.",
	.mismatch_uri = "https://docs.github.com/apps/managing-oauth-apps/"
	    "troubleshooting-authorization-request-errors/"
	    "#redirect-uri-mismatch",
	.deny = deny,
};

static const struct route routes[] = {
	{ HTTP_GET, "/sandbox/github/login/oauth/authorize",
	    sandbox_authorize, ROUTE_NODB | ROUTE_HTML, 0 },
	{ HTTP_POST, "/sandbox/github/login/oauth/access_token",
	    api_token, ROUTE_NODB, 0 },
	{ HTTP_GET, "/sandbox/github-api/user", api_user,
	    ROUTE_NODB, 0 },
	{ HTTP_GET, "/sandbox/github-api/user/repos", api_repos,
	    ROUTE_NODB, 0 },
	{ HTTP_GET, "/sandbox/github-api/repos/:owner/:repo",
	    api_repo, ROUTE_NODB, 0 },
	{ HTTP_GET, "/sandbox/github-api/repos/:owner/:repo/traffic/:kind",
	    api_traffic, ROUTE_NODB, 0 },
	{ HTTP_GET, "/sandbox/github-api/repos/:owner/:repo/stargazers",
	    api_stargazers, ROUTE_NODB, 0 },
	{ HTTP_GET, "/sandbox/github-api/rate_limit", api_rate,
	    ROUTE_NODB, 0 },
	{ HTTP_DELETE, "/sandbox/github-api/applications/:client/:what",
	    api_revoke, ROUTE_NODB, 0 },
};

static const struct sandbox_fault faults[] = {
	{ &oauth_api, "oauth_error_bad_verification_code",
	    "invalid_grant", 200, NULL, Ju,
	    GH_OERR("bad_verification_code",
	    "The code passed is incorrect or expired.") },
	/* (No "401" alias: a token endpoint lets the 401 switch pass.) */
	{ &oauth_api, "oauth_error_incorrect_client_credentials",
	    NULL, 200, NULL, Ju,
	    GH_OERR("incorrect_client_credentials",
	    "The client_id and/or client_secret passed are incorrect.") },
	{ &oauth_api, "oauth_error_redirect_uri_mismatch", NULL, 200,
	    NULL, Ju,
	    GH_OERR("redirect_uri_mismatch", "The redirect_uri does not "
	    "match the registered callback URL for this application.") },
	{ &oauth_api, "oauth_error_500", "500", 500, NULL, Ju,
	    GH_OERR("server_error", "Internal error.") },
	{ &oauth_api, "oauth_error_429", "429", 429,
	    "Retry-After: 30\n", Ju,
	    GH_OERR("slow_down", "Too many requests.") },
	{ &rest_api, "error_bad_credentials", "401", 401, NULL, Ju,
	    GH_ERR("Bad credentials", "", 401) },
	{ &rest_api, "error_primary_rate_limit", NULL, 403,
	    "x-ratelimit-limit: 5000\nx-ratelimit-remaining: 0\n"
	    "x-ratelimit-used: 5000\nx-ratelimit-reset: 1780365600\n"
	    "x-ratelimit-resource: core\n", Ju,
	    GH_ERR("API rate limit exceeded for this user.",
	    "/overview/rate-limits-for-the-rest-api", 403) },
	{ &rest_api, "error_secondary_rate_limit", "429", 403,
	    "retry-after: 30\nx-ratelimit-limit: 5000\n"
	    "x-ratelimit-remaining: 4512\nx-ratelimit-reset: 1780365600\n",
	    Ju,
	    GH_ERR("You have exceeded a secondary rate limit; wait before "
	    "trying again.", "/overview/rate-limits-for-the-rest-api", 403) },
	{ &rest_api, "error_traffic_forbidden", "403", 403, GH_RL, Ju,
	    GH_ERR("Must have push access to repository",
	    "/metrics/traffic", 403) },
	{ &rest_api, "error_500", "500", 500, NULL, Ju,
	    GH_ERR("Server Error", "", 500) },
	{ &rest_api, "error_404", "404", 404, NULL, Ju,
	    GH_ERR("Not Found", "", 404) },
	/* A renamed repository: a Location by number, not by name. */
	{ &rest_api, "error_repo_moved", "301", 301,
	    "Location: https://api.github.com/repositories/1296269/traffic/"
	    "views?per=day\n", Ju,
	    "{\"message\":\"Moved Permanently\",\"url\":\"https://api."
	    "github.com/repositories/1296269/traffic/views?per=day\","
	    "\"documentation_url\":\"https://docs.github.com/rest/guides/"
	    "best-practices-for-using-the-rest-api#follow-redirects\"}" },
};

const struct sandbox_provider sandbox_github = {
	.slug = "github",
	.family = &family,
	SANDBOX_LIST(routes),
	SANDBOX_LIST(faults),
};
