/*
 * linkedin.c — LinkedIn in the sandbox: tokens, organizations.
 *
 * Access and refresh tokens (365-day refresh window that does not slide),
 * introspection, organization ACLs and lookup, daily share, page and
 * follower statistics in Rest.li 2.0 syntax, network sizes.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/arena.h"
#include "base/mem.h"
#include "sandbox/sandbox_priv.h"

/* The letter of its codes and tokens (its family's prov): unique
 * among the families (test_sandbox). */
#define LI_PROV	'l'

#define LJ		"application/json"
#define LI_ACCESS	5184000		/* 60 days */
#define LI_REFRESH	31536000	/* 365 days */
#define LI_RESTATE	2

/* The OAuth endpoints: RFC 6749 bodies. */
static const struct sandbox_api oauth_api = {
	.name = "linkedin oauth",
	.prov = LI_PROV,
};

/* The Rest.li API: {status,serviceErrorCode,code,message}. */
static const struct sandbox_api rest_api = {
	.name = "linkedin",
	.prov = LI_PROV,
	.invalid = "error_401_invalid_token",
	.expired = "error_401_expired_token",
};

/* The organization id at the end of a URN ("...:2414183"). */
static const char *
org_of(struct sbx *sx, const char *urn)
{
	size_t n;

	if (urn == NULL)
		return NULL;
	n = strlen(urn);
	while (n > 0 && isdigit((unsigned char)urn[n - 1]))
		n--;
	if (urn[n] == '\0')
		return NULL;
	return arena_strdup(sx->ctx->arena, urn + n);
}

/* 426 for a LinkedIn-Version older than a year (YYYYMM). */
static bool
version_ok(struct sbx *sx)
{
	const char *v = req_header(&sx->ctx->req, "linkedin-version");
	char today[11];
	long have, now;

	if (v == NULL)
		return true;
	sandbox_day_format(sandbox_today(sx->now, 0), 0, today);
	today[6] = '\0';
	now = atol(today);
	have = sandbox_long(v, 0, 999999);
	return have > 200000 && have <= now && have > now - 100;
}

static enum err
api_token(struct ctx *ctx)
{
	struct sandbox_token in, t;
	const char *grant, *why;
	struct sbx sx;
	enum err rc;
	bool refresh;
	char *scope, *p;

	if (!sandbox_begin(ctx, &oauth_api, SBX_TOKEN_EP, &sx, &rc))
		return rc;
	grant = req_form(&ctx->req, "grant_type");
	refresh = grant != NULL && strcmp(grant, "refresh_token") == 0;
	if (refresh) {
		if (!sandbox_token_parse(req_form(&ctx->req, "refresh_token"),
		    &in) || in.prov != LI_PROV ||
		    in.kind != SBXK_REFRESH || (in.exp != 0 &&
		    in.exp < sx.now))
			return sandbox_fail(&sx,
			    "oauth_error_invalid_code");
	} else if (grant == NULL || strcmp(grant, "authorization_code") !=
	    0 || !sandbox_code_ok(&sx, req_form(&ctx->req, "code"),
	    LI_PROV, req_form(&ctx->req, "redirect_uri"),
	    req_form(&ctx->req, "code_verifier"), &in, &why))
		return sandbox_fail(&sx, "oauth_error_invalid_code");
	sandbox_token_from(&sx, &in, LI_PROV, SBXK_ACCESS, &t);
	t.exp = sx.now + LI_ACCESS;
	sandbox_start(&sx, 200, LJ);
	buf_puts(sx.out, "{\"access_token\":");
	sandbox_jstr(sx.out, sandbox_token_make(&sx, "AQV", &t));
	buf_printf(sx.out, ",\"expires_in\":%d", LI_ACCESS);
	if (refresh) {
		buf_puts(sx.out, ",\"refresh_token\":");
		sandbox_jstr(sx.out, req_form(&ctx->req, "refresh_token"));
		buf_printf(sx.out, ",\"refresh_token_expires_in\":%lld}",
		    (long long)(in.exp - sx.now));
		return sandbox_done(&sx);
	}
	if (strchr(in.flags, 'N') == NULL && !sandbox_is(&sx, "no_refresh")) {
		t.kind = SBXK_REFRESH;
		t.exp = sx.now + LI_REFRESH;
		buf_puts(sx.out, ",\"refresh_token\":");
		sandbox_jstr(sx.out, sandbox_token_make(&sx, "AQX", &t));
		buf_printf(sx.out, ",\"refresh_token_expires_in\":%d",
		    LI_REFRESH);
	}
	scope = arena_strdup(ctx->arena, *in.scope ? in.scope :
	    "r_organization_admin");
	for (p = scope; *p != '\0'; p++)
		if (*p == ' ')
			*p = ',';
	buf_puts(sx.out, ",\"scope\":");
	sandbox_jstr(sx.out, scope);
	buf_puts(sx.out, "}");
	return sandbox_done(&sx);
}

static enum err
api_introspect(struct ctx *ctx)
{
	struct sandbox_token t;
	struct sbx sx;
	enum err rc;
	bool ok;

	if (!sandbox_begin(ctx, &oauth_api, 0, &sx, &rc))
		return rc;
	ok = sandbox_token_parse(req_form(&ctx->req, "token"), &t) &&
	    t.prov == LI_PROV && t.kind != SBXK_CODE;
	sandbox_start(&sx, 200, LJ);
	if (!ok) {
		buf_puts(sx.out, "{\"active\":false}");
		return ERR_OK;
	}
	buf_printf(sx.out, "{\"active\":%s,\"client_id\":",
	    t.exp == 0 || t.exp >= sx.now ? "true" : "false");
	sandbox_jstr(sx.out, req_form(&ctx->req, "client_id"));
	buf_printf(sx.out, ",\"authorized_at\":%lld,\"created_at\":%lld,"
	    "\"status\":\"%s\",\"expires_at\":%lld,\"scope\":"
	    "\"r_organization_admin,rw_organization_admin,"
	    "r_organization_social\",\"auth_type\":\"3L\"}",
	    (long long)t.iat, (long long)t.iat, t.exp == 0 ||
	    t.exp >= sx.now ? "active" : "expired", (long long)t.exp);
	return sandbox_done(&sx);
}

/* GET /v2/userinfo (Sign In with LinkedIn using OpenID Connect). */
static enum err
api_userinfo(struct ctx *ctx)
{
	const char *name, *email;
	struct sbx sx;
	enum err rc;

	if (!sandbox_begin(ctx, &rest_api, SBX_AUTH | SBX_NOMETRIC, &sx, &rc))
		return rc;
	sandbox_persona(sx.tok.user, &name, &email);
	sandbox_start(&sx, 200, LJ);
	buf_printf(sx.out, "{\"sub\":\"sbxMbr%d\",\"email_verified\":true,"
	    "\"name\":", sx.tok.user);
	sandbox_jstr(sx.out, name);
	buf_puts(sx.out, ",\"locale\":{\"country\":\"US\",\"language\":"
	    "\"en\"},\"given_name\":");
	sandbox_jstr(sx.out, name);
	buf_puts(sx.out, ",\"family_name\":\"Sandbox\",\"email\":");
	sandbox_jstr(sx.out, email);
	buf_printf(sx.out, ",\"picture\":\"https://example.invalid/member%d."
	    "jpg\"}", sx.tok.user);
	return sandbox_done(&sx);
}

static enum err
api_revoke(struct ctx *ctx)
{
	struct sandbox_token t;
	struct sbx sx;
	enum err rc;

	if (!sandbox_begin(ctx, &oauth_api, SBX_TOKEN_EP, &sx, &rc))
		return rc;
	/* The client's credentials are required, as at the token
	 * endpoint. */
	if (req_form(&ctx->req, "client_id") == NULL ||
	    req_form(&ctx->req, "client_secret") == NULL ||
	    !sandbox_token_parse(req_form(&ctx->req, "token"), &t) ||
	    t.prov != LI_PROV)
		return sandbox_fail(&sx, "oauth_error_invalid_code");
	sandbox_start(&sx, 200, LJ);
	return ERR_OK;
}

static long long
org_id(int user, int i)
{
	return 2000000LL + (long long)(sandbox_hash("liorg",
	    (uint64_t)(user * 10 + i)) % 8000000);
}

static bool
li_begin(struct ctx *ctx, struct sbx *sx, enum err *rc)
{
	if (!sandbox_begin(ctx, &rest_api, SBX_AUTH, sx, rc))
		return false;
	if (!version_ok(sx)) {
		*rc = sandbox_fail(sx, "error_426_version");
		return false;
	}
	return true;
}

static enum err
api_acls(struct ctx *ctx)
{
	long start, count, total, i;
	struct sbx sx;
	enum err rc;

	if (!li_begin(ctx, &sx, &rc))
		return rc;
	start = sandbox_long(req_query(&ctx->req, "start"), 0, 100000);
	count = sandbox_long(req_query(&ctx->req, "count"), 10, 100);
	if (count == 0)
		count = 10;
	total = sandbox_is(&sx, "pages") ? SANDBOX_MANY_PAGES * count : 2;
	if (sandbox_is(&sx, "empty"))
		total = 0;
	sandbox_start(&sx, 200, LJ);
	buf_printf(sx.out, "{\"paging\":{\"start\":%ld,\"count\":%ld,"
	    "\"links\":[],\"total\":%ld},\"elements\":[", start, count,
	    total);
	for (i = start; i < start + count && i < total; i++)
		buf_printf(sx.out, "%s{\"roleAssignee\":\"urn:li:person:"
		    "sbxUser%d\",\"state\":\"APPROVED\",\"role\":"
		    "\"ADMINISTRATOR\",\"organization\":\"urn:li:organization:"
		    "%lld\",\"lastModified\":{\"actor\":\"urn:li:person:"
		    "sbxUser%d\",\"impersonator\":\"urn:li:person:sbxUser%d\","
		    "\"time\":1717171717000},\"created\":{\"actor\":"
		    "\"urn:li:person:sbxUser%d\",\"impersonator\":"
		    "\"urn:li:person:sbxUser%d\",\"time\":1700000000000}}",
		    i > start ? "," : "", sx.tok.user, i < 2 ?
		    org_id(sx.tok.user, (int)i) : 9000000LL + i, sx.tok.user,
		    sx.tok.user, sx.tok.user, sx.tok.user);
	buf_puts(sx.out, "]}");
	return sandbox_done(&sx);
}

static enum err
api_org(struct ctx *ctx)
{
	const char *id;
	struct sbx sx;
	enum err rc;

	if (!li_begin(ctx, &sx, &rc))
		return rc;
	id = route_capture(&ctx->match, "id");
	if (strspn(id, "0123456789") != strlen(id))
		return sandbox_fail(&sx, "error_403_access_denied");
	sandbox_start(&sx, 200, LJ);
	buf_printf(sx.out, "{\"id\":%s,\"localizedName\":\"Sandbox Org %s\","
	    "\"vanityName\":\"sandbox-org-%s\",\"name\":{\"localized\":{"
	    "\"en_US\":\"Sandbox Org %s\"},\"preferredLocale\":{\"country\":"
	    "\"US\",\"language\":\"en\"}},\"localizedWebsite\":"
	    "\"https://example.com\",\"primaryOrganizationType\":\"NONE\"}",
	    id, id, id, id);
	return sandbox_done(&sx);
}

static void
page_stats(struct sbx *sx, const struct sandbox_day *d)
{
	static const char *const keys[] = { "allPageViews",
	    "allDesktopPageViews", "allMobilePageViews", "overviewPageViews",
	    "desktopOverviewPageViews", "mobileOverviewPageViews",
	    "careersPageViews", "jobsPageViews", "lifeAtPageViews",
	    "aboutPageViews", "peoplePageViews" };
	static const int pct[] = { 100, 69, 31, 74, 50, 24, 10, 6, 4, 7, 3 };
	int64_t all = d->pageviews / 20;
	size_t i;

	buf_puts(sx->out, "\"totalPageStatistics\":{\"views\":{");
	for (i = 0; i < nitems(keys); i++)
		buf_printf(sx->out, "%s\"%s\":{\"pageViews\":%lld}",
		    i ? "," : "", keys[i], (long long)(all * pct[i] / 100));
	buf_puts(sx->out, "},\"clicks\":{\"desktopCustomButtonClickCounts\":"
	    "[],\"mobileCustomButtonClickCounts\":[]}}");
}

/* --- content: an organization's posts and their statistics --------- */

#define LI_POSTS	14	/* posts of an organization, newest first */

/* Post j's urn: every third a ugcPost, the rest shares. */
static const char *
post_urn(struct sbx *sx, const char *org, long j)
{
	return arena_printf(sx->ctx->arena, "urn:li:%s:7%s%06ld",
	    j % 3 == 1 ? "ugcPost" : "share", org, j);
}

/* GET /rest/posts?author=urn:li:organization:ID&q=author: post j created
 * j * 8 days before today's start (UTC), less some hours, newest first;
 * 2 without commentary, every fourth from 2 a video; count/start
 * paging. */
static enum err
api_posts(struct ctx *ctx)
{
	const char *org, *urn;
	struct sbx sx;
	long start, count, end, total, j;
	long long ms;
	enum err rc;

	if (!li_begin(ctx, &sx, &rc))
		return rc;
	/* "posts_forbidden": a grant without r_organization_social. */
	if ((org = org_of(&sx, req_query(&ctx->req, "author"))) == NULL ||
	    sandbox_is(&sx, "posts_forbidden"))
		return sandbox_fail(&sx, "error_403_access_denied");
	start = sandbox_long(req_query(&ctx->req, "start"), 0, 100000);
	count = sandbox_long(req_query(&ctx->req, "count"), 10, 100);
	if (count < 1)
		count = 10;
	total = sandbox_is(&sx, "empty") ? 0 : LI_POSTS;
	/* Pages of at most 5, so that a sync reads several. */
	end = start + (count < 5 ? count : 5);
	if (end > total)
		end = total;
	sandbox_start(&sx, 200, LJ);
	buf_printf(sx.out, "{\"paging\":{\"start\":%ld,\"count\":%ld,"
	    "\"links\":[]},\"elements\":[", start, count);
	for (j = start; j < end; j++) {
		urn = post_urn(&sx, org, j);
		ms = ((long long)(sx.now - sx.now % 86400) - j * 8 * 86400 -
		    3600 - (long long)(sandbox_hash(urn, 51) % 7200)) * 1000;
		buf_printf(sx.out, "%s{\"id\":\"%s\",\"author\":"
		    "\"urn:li:organization:%s\",\"commentary\":\"%s\","
		    "\"visibility\":\"PUBLIC\",\"lifecycleState\":"
		    "\"PUBLISHED\",\"createdAt\":%lld,\"publishedAt\":%lld,"
		    "\"lastModifiedAt\":%lld,\"isReshareDisabledByAuthor\":"
		    "false", j > start ? "," : "", urn, org, j == 2 ? "" :
		    arena_printf(ctx->arena, "Sandbox update %ld: we are "
		    "hiring in M\u00fcnchen", j), ms, ms, ms);
		if (j % 4 == 2)
			buf_printf(sx.out, ",\"content\":{\"media\":{"
			    "\"title\":\"Sandbox video %ld\",\"id\":"
			    "\"urn:li:video:C5F%06ld\"}}", j, j);
		buf_puts(sx.out, "}");
	}
	buf_puts(sx.out, "]}");
	return sandbox_done(&sx);
}

/* The lifetime statistics of the posts listed in shares= or ugcPosts=
 * (List(urn,...), as the query decoded them); post 5 gets none (left out,
 * as LinkedIn leaves out a post it has none for). */
static enum err
post_stats(struct sbx *sx, const char *org, const char *list,
    const char *kind)
{
	const char *p, *urn;
	size_t n;
	uint64_t h;
	long j;
	bool first = true;

	sandbox_start(sx, 200, LJ);
	buf_puts(sx->out, "{\"paging\":{\"start\":0,\"count\":10,"
	    "\"links\":[]},\"elements\":[");
	if (strncmp(list, "List(", 5) == 0)
		list += 5;
	for (p = list; *p != '\0' && *p != ')'; p += n + (p[n] == ',')) {
		n = strcspn(p, ",)");
		urn = arena_strndup(sx->ctx->arena, p, n);
		if (strncmp(urn, "urn:li:", 7) != 0 || strlen(urn) < 7)
			continue;
		j = strtol(urn + strlen(urn) - 6, NULL, 10);
		if (j == 5)
			continue;
		h = sandbox_hash(urn, 52);
		buf_printf(sx->out, "%s{\"totalShareStatistics\":{"
		    "\"uniqueImpressionsCount\":%llu,\"clickCount\":%llu,"
		    "\"engagement\":%.6f,\"likeCount\":%llu,"
		    "\"commentCount\":%llu,\"shareCount\":%llu,"
		    "\"impressionCount\":%llu},\"%s\":\"%s\","
		    "\"organizationalEntity\":\"urn:li:organization:%s\"}",
		    first ? "" : ",", (unsigned long long)(h % 3000),
		    (unsigned long long)((h >> 12) % 200),
		    (double)((h >> 20) % 900) / 10000.0,
		    (unsigned long long)((h >> 24) % 300),
		    (unsigned long long)((h >> 32) % 40),
		    (unsigned long long)((h >> 40) % 30),
		    (unsigned long long)(h % 3000 + (h >> 44) % 5000), kind,
		    urn, org);
		first = false;
	}
	buf_puts(sx->out, "]}");
	return sandbox_done(sx);
}

static enum err
api_stats(struct ctx *ctx)
{
	const char *path = ctx->req.path, *ti, *org, *key;
	long long s0, s1;
	char gran[16];
	struct sandbox_day d;
	int64_t today, day, n = 0;
	struct sbx sx;
	enum err rc;
	int kind;	/* 0 share, 1 page, 2 follower */

	if (!li_begin(ctx, &sx, &rc))
		return rc;
	kind = strstr(path, "Share") != NULL ? 0 : strstr(path,
	    "PageStatistics") != NULL ? 1 : 2;
	key = kind == 1 ? "organization" : "organizationalEntity";
	if ((org = org_of(&sx, req_query(&ctx->req, key))) == NULL)
		return sandbox_fail(&sx, "error_403_access_denied");
	if (kind == 0 && req_query(&ctx->req, "shares") != NULL)
		return post_stats(&sx, org, req_query(&ctx->req, "shares"),
		    "share");
	if (kind == 0 && req_query(&ctx->req, "ugcPosts") != NULL)
		return post_stats(&sx, org, req_query(&ctx->req, "ugcPosts"),
		    "ugcPost");
	today = sandbox_today(sx.now, 0);
	ti = req_query(&ctx->req, "timeIntervals");
	sandbox_start(&sx, 200, LJ);
	buf_puts(sx.out, "{\"paging\":{\"start\":0,\"count\":10,\"links\":[]},"
	    "\"elements\":[");
	if (ti == NULL) {
		int64_t sum[6] = { 0 };

		for (day = today - 365; day < today; day++) {
			sandbox_series(org, day, today, 0, &d);
			sum[0] += d.clicks / 10;
			sum[1] += d.likes / 5;
			sum[2] += d.comments / 3 + 1;
			sum[3] += d.shares / 3 + 1;
			sum[4] += d.impressions / 10;
			sum[5] += d.reach / 10;
		}
		if (kind == 0)
			buf_printf(sx.out, "{\"totalShareStatistics\":{"
			    "\"uniqueImpressionsCount\":%lld,\"clickCount\":"
			    "%lld,\"engagement\":%.6f,\"likeCount\":%lld,"
			    "\"commentCount\":%lld,\"shareCount\":%lld,"
			    "\"impressionCount\":%lld},"
			    "\"organizationalEntity\":\"urn:li:organization:"
			    "%s\"}", (long long)sum[5], (long long)sum[0],
			    sum[4] ? (double)(sum[0] + sum[1] + sum[2] +
			    sum[3]) / (double)sum[4] : 0.0, (long long)sum[1],
			    (long long)sum[2], (long long)sum[3],
			    (long long)sum[4], org);
		buf_puts(sx.out, "]}");
		return sandbox_done(&sx);
	}
	if (sscanf(ti, "(timeRange:(start:%lld,end:%lld),"
	    "timeGranularityType:%15[A-Z])", &s0, &s1, gran) != 3 ||
	    s1 <= s0 || s0 < 0 || (s1 - s0) / 86400000LL > 366) {
		resp_clear(&ctx->resp);
		sandbox_start(&sx, 400, LJ);
		buf_puts(sx.out, "{\"status\":400,\"code\":\"ILLEGAL_ARGUMENT\","
		    "\"message\":\"timeIntervals is malformed\"}");
		return ERR_OK;
	}
	/* Share statistics exist for a rolling 12-month window only. */
	if (s0 / 86400000LL < (long long)(sx.now / 86400) - 365) {
		resp_clear(&ctx->resp);
		sandbox_start(&sx, 400, LJ);
		buf_puts(sx.out, "{\"status\":400,\"code\":\"ILLEGAL_ARGUMENT\","
		    "\"message\":\"timeRange.start must be within the past 12 "
		    "months\"}");
		return ERR_OK;
	}
	for (day = s0 / 86400000LL; day < s1 / 86400000LL &&
	    !sandbox_is(&sx, "empty"); day++) {
		if (day >= today || (kind == 2 && day >= today - 2))
			break;
		sandbox_series(org, day, today, LI_RESTATE, &d);
		buf_puts(sx.out, n++ ? ",{" : "{");
		if (kind == 0) {
			int64_t c = d.clicks / 10, l = d.likes / 5,
			    m = d.comments / 3 + 1, s = d.shares / 3 + 1,
			    i = d.impressions / 10;

			buf_printf(sx.out, "\"totalShareStatistics\":{"
			    "\"clickCount\":%lld,\"engagement\":%.6f,"
			    "\"likeCount\":%lld,\"commentCount\":%lld,"
			    "\"shareCount\":%lld,\"impressionCount\":%lld},"
			    "\"organizationalEntity\":\"urn:li:organization:"
			    "%s\",", (long long)c, i ? (double)(c + l + m + s) /
			    (double)i : 0.0, (long long)l, (long long)m,
			    (long long)s, (long long)i, org);
		} else if (kind == 1)
			page_stats(&sx, &d);
		if (kind == 1 || kind == 0)
			buf_printf(sx.out, "%s\"timeRange\":{\"start\":%lld,"
			    "\"end\":%lld}", kind == 1 ? "," : "",
			    (long long)day * 86400000LL,
			    (long long)(day + 1) * 86400000LL);
		if (kind == 1)
			buf_printf(sx.out, ",\"organization\":"
			    "\"urn:li:organization:%s\"", org);
		if (kind == 2)
			buf_printf(sx.out, "\"timeRange\":{\"start\":%lld,"
			    "\"end\":%lld},\"followerGains\":{"
			    "\"organicFollowerGain\":%lld,"
			    "\"paidFollowerGain\":%lld},"
			    "\"organizationalEntity\":\"urn:li:organization:"
			    "%s\"", (long long)day * 86400000LL,
			    (long long)(day + 1) * 86400000LL,
			    (long long)d.follows, (long long)(d.follows / 7),
			    org);
		buf_puts(sx.out, "}");
	}
	buf_puts(sx.out, "]}");
	return sandbox_done(&sx);
}

static enum err
api_network(struct ctx *ctx)
{
	const char *org;
	struct sbx sx;
	enum err rc;

	if (!li_begin(ctx, &sx, &rc))
		return rc;
	if ((org = org_of(&sx, route_capture(&ctx->match, "urn"))) == NULL)
		return sandbox_fail(&sx, "error_403_access_denied");
	sandbox_start(&sx, 200, LJ);
	buf_printf(sx.out, "{\"firstDegreeSize\":%llu}", (unsigned long long)
	    (1000 + sandbox_hash(org, 11) % 20000));
	return sandbox_done(&sx);
}

/* ------------------------------------------------------------------ */
/* Its error shapes, routes and entry in the registry. */

#define J	"application/json"
#define LI_ERR(st, sec, code, msg) "{\"status\":" #st ",\"serviceErrorCode\":" \
	#sec ",\"code\":\"" code "\",\"message\":\"" msg "\"}"

/* What the redirect carries when the user denies. */
static const char *const deny[] = {
	"error", "user_cancelled_authorize",
	"error_description", "The user cancelled the authorization",
	NULL
};

static const struct sandbox_family family = {
	.id = "linkedin",
	.name = "LinkedIn",
	.authorize = "/sandbox/linkedin-www/",
	.sep = ' ',
	.prov = LI_PROV,
	.code_prefix = "AQT",
	.client_status = 400,
	.client_error = "invalid_client: The passed in client_id is invalid.",
	.redirect_status = 400,
	.redirect_error = "The redirect_uri does not match the registered "
	    "value.",
	.deny = deny,
};

static const struct route routes[] = {
	{ HTTP_GET, "/sandbox/linkedin-www/oauth/v2/authorization",
	    sandbox_authorize, ROUTE_NODB | ROUTE_HTML, 0 },
	{ HTTP_POST, "/sandbox/linkedin-www/oauth/v2/accessToken",
	    api_token, ROUTE_NODB, 0 },
	{ HTTP_POST, "/sandbox/linkedin-www/oauth/v2/introspectToken",
	    api_introspect, ROUTE_NODB, 0 },
	{ HTTP_POST, "/sandbox/linkedin-www/oauth/v2/revoke",
	    api_revoke, ROUTE_NODB, 0 },
	{ HTTP_GET, "/sandbox/linkedin-api/rest/organizationAcls",
	    api_acls, ROUTE_NODB, 0 },
	{ HTTP_GET, "/sandbox/linkedin-api/rest/organizations/:id",
	    api_org, ROUTE_NODB, 0 },
	{ HTTP_GET, "/sandbox/linkedin-api/rest/"
	    "organizationalEntityShareStatistics", api_stats,
	    ROUTE_NODB, 0 },
	{ HTTP_GET, "/sandbox/linkedin-api/rest/posts", api_posts,
	    ROUTE_NODB, 0 },
	{ HTTP_GET, "/sandbox/linkedin-api/rest/organizationPageStatistics",
	    api_stats, ROUTE_NODB, 0 },
	{ HTTP_GET, "/sandbox/linkedin-api/rest/"
	    "organizationalEntityFollowerStatistics", api_stats,
	    ROUTE_NODB, 0 },
	{ HTTP_GET, "/sandbox/linkedin-api/rest/networkSizes/:urn",
	    api_network, ROUTE_NODB, 0 },
	{ HTTP_GET, "/sandbox/linkedin-api/v2/userinfo", api_userinfo,
	    ROUTE_NODB, 0 },
};

static const struct sandbox_fault faults[] = {
	{ &oauth_api, "oauth_error_invalid_code", "invalid_grant",
	    400, NULL, J,
	    "{\"error\":\"invalid_request\",\"error_description\":\"Unable "
	    "to retrieve access token: the authorization code or refresh "
	    "token is invalid or expired\"}" },
	{ &oauth_api, "oauth_error_500", "500", 500, NULL, J,
	    "{\"error\":\"server_error\",\"error_description\":\"Internal "
	    "error\"}" },
	{ &oauth_api, "oauth_error_429", "429", 429,
	    "Retry-After: 30\n", J,
	    "{\"error\":\"temporarily_unavailable\",\"error_description\":"
	    "\"Too many requests\"}" },
	{ &rest_api, "error_401_expired_token", "401", 401, NULL, J,
	    LI_ERR(401, 65602, "EXPIRED_ACCESS_TOKEN",
	    "The token used in the request has expired") },
	{ &rest_api, "error_401_invalid_token", NULL, 401, NULL, J,
	    LI_ERR(401, 65600, "INVALID_ACCESS_TOKEN",
	    "Invalid access token") },
	{ &rest_api, "error_401_revoked_token", NULL, 401, NULL, J,
	    LI_ERR(401, 65601, "REVOKED_ACCESS_TOKEN",
	    "The token used in the request has been revoked by the user") },
	{ &rest_api, "error_403_access_denied", "403", 403, NULL, J,
	    LI_ERR(403, 100, "ACCESS_DENIED",
	    "Not enough permissions to access this organization") },
	{ &rest_api, "error_426_version", NULL, 426, NULL, J,
	    "{\"status\":426,\"code\":\"NONEXISTENT_VERSION\",\"message\":"
	    "\"Requested version is not active\"}" },
	{ &rest_api, "error_429_throttled", "429", 429,
	    "Retry-After: 30\n", J,
	    "{\"serviceErrorCode\":101,\"message\":\"Resource level throttle "
	    "APPLICATION DAY limit for calls to this resource is reached.\","
	    "\"status\":429}" },
	{ &rest_api, "error_500", "500", 500, NULL, J,
	    "{\"serviceErrorCode\":0,\"message\":\"Internal Server Error\","
	    "\"status\":500}" },
};

const struct sandbox_provider sandbox_linkedin = {
	.slug = "linkedin",
	.family = &family,
	SANDBOX_LIST(routes),
	SANDBOX_LIST(faults),
};
