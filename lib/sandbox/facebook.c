/*
 * facebook.c — Facebook Pages in the sandbox: Pages, fields, insights.
 *
 * /me/accounts with page tokens, a Page's fields and its daily insights,
 * its published posts and their insights, as entries of the Graph API
 * that meta.c serves.  Login is Meta's
 * (meta.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/arena.h"
#include "base/mem.h"
#include "sandbox/sandbox_priv.h"

#define MJ	SANDBOX_META_JSON

/* The Instagram account of page i (none for the second page). */
static const char *
ig_of(struct sbx *sx, const char *page)
{
	size_t n = strlen(page);

	if (n > 0 && page[n - 1] == '2')
		return NULL;
	return arena_printf(sx->ctx->arena, SANDBOX_IG_PREFIX "%s", n > 11 ?
	    page + n - 11 : page);
}

/* A Page token of the request's user (the same for every Page). */
static const char *
page_token(struct sbx *sx)
{
	struct sandbox_token t;

	memset(&t, 0, sizeof(t));
	t.prov = SANDBOX_META_PROV;
	t.kind = SBXK_PAGE;
	t.user = sx->tok.user;
	strcpy(t.fault, sx->tok.fault);
	t.iat = sx->tok.iat;	/* same user token, same page tokens */
	return sandbox_token_make(sx, "EAA", &t);
}

/* GET /:ver/:page: the Page's fields (its token with "no_page_token":
 * the person lost the Page role). */
static enum err
page_node(struct sbx *sx, const char *id)
{
	const char *ig;
	const char *fields;
	bool first = true;

	fields = sandbox_meta_node_start(sx, id, "pages");
	/* The Page's own token, unless the person lost the Page role. */
	if (sandbox_meta_has_field(fields, "access_token") &&
	    !sandbox_is(sx, "no_page_token")) {
		buf_puts(sx->out, "\"access_token\":");
		sandbox_jstr(sx->out, page_token(sx));
		first = false;
	}
	if (sandbox_meta_has_field(fields, "instagram_business_account") &&
	    (ig = ig_of(sx, id)) != NULL) {
		buf_printf(sx->out, "%s\"instagram_business_account\":"
		    "{\"id\":\"%s\"}", first ? "" : ",", ig);
		first = false;
	}
	if (sandbox_meta_has_field(fields, "name")) {
		buf_printf(sx->out, "%s\"name\":\"Sandbox Page %s\"",
		    first ? "" : ",", id + strlen(id) - 4);
		first = false;
	}
	return sandbox_meta_node_end(sx, id, first);
}

/* GET /me/accounts: the user's Pages with their tokens. */
static enum err
accounts(struct sbx *sx, const char *user)
{
	static const char *const cats[] = { "Software", "Community",
	    "Magazine" };
	static const char *const catid[] = { "2211", "2612", "2236" };
	const char *fields = req_query(&sx->ctx->req, "fields");
	long limit, off, total, i, end;
	bool first;

	(void)user;	/* "me": the token's user */
	limit = sandbox_long(req_query(&sx->ctx->req, "limit"), 25, 100);
	if (limit == 0)
		limit = 25;
	off = sandbox_meta_after(sx);
	total = sandbox_is(sx, "pages") ? SANDBOX_MANY_PAGES * limit : 3;
	if (sandbox_is(sx, "empty"))
		total = 0;
	if (fields == NULL)
		fields = "access_token,category,category_list,name,id,tasks";
	sandbox_start(sx, 200, MJ);
	sandbox_meta_app_usage(sx);
	buf_puts(sx->out, "{\"data\":[");
	end = off + limit < total ? off + limit : total;
	for (i = off; i < end; i++) {
		const char *id = i < 3 ? sandbox_meta_page_id(sx, sx->tok.user,
		    (int)i) :
		    arena_printf(sx->ctx->arena, "10485769%07ld", i);

		first = true;
		buf_puts(sx->out, i > off ? ",{" : "{");
		if (sandbox_meta_has_field(fields, "access_token")) {
			buf_puts(sx->out, "\"access_token\":");
			sandbox_jstr(sx->out, page_token(sx));
			first = false;
		}
		if (sandbox_meta_has_field(fields, "category")) {
			buf_printf(sx->out, "%s\"category\":\"%s\"", first ?
			    "" : ",", cats[i % 3]);
			first = false;
		}
		if (sandbox_meta_has_field(fields, "category_list")) {
			buf_printf(sx->out, "%s\"category_list\":[{\"id\":"
			    "\"%s\",\"name\":\"%s\"}]", first ? "" : ",",
			    catid[i % 3], cats[i % 3]);
			first = false;
		}
		if (sandbox_meta_has_field(fields, "name")) {
			buf_printf(sx->out, "%s\"name\":\"Sandbox Page %ld\"",
			    first ? "" : ",", i + 1);
			first = false;
		}
		buf_printf(sx->out, "%s\"id\":\"%s\"", first ? "" : ",", id);
		if (sandbox_meta_has_field(fields, "tasks"))
			buf_printf(sx->out, ",\"tasks\":[\"ANALYZE\"%s]",
			    i % 3 == 0 ? ",\"ADVERTISE\",\"MODERATE\","
			    "\"CREATE_CONTENT\",\"MESSAGING\",\"MANAGE\"" : "");
		buf_puts(sx->out, "}");
	}
	sandbox_meta_paging(sx, off, end, total);
	return sandbox_done(sx);
}

/* Page metrics: name, title, value source, total-only. */
static const struct sandbox_meta_metric metrics[] = {
	{ "page_post_engagements", "Daily Post Engagements", 0, false },
	{ "page_media_view", "Daily Media Views", 1, false },
	{ "page_total_media_view_unique", "Daily Unique Media Viewers", 2,
	    false },
	{ "page_daily_follows_unique", "Daily New Follows", 3, false },
	{ "page_daily_unfollows_unique", "Daily Unfollows", 4, false },
	{ "page_follows", "Followers", 5, false },
	{ "page_views_total", "Daily Page Views", 6, false },
};

/* ------------------------------------------------------------------ */
/* Content: a Page's published posts and each one's lifetime insights. */

#define FB_POSTS	14	/* posts of a Page, newest first */

/* Whether the Graph fields list names f, maybe with modifiers
 * (".summary(...)") or subfields. */
static bool
has_edge(const char *fields, const char *f)
{
	size_t n = strlen(f);
	const char *p;

	for (p = fields; p != NULL && (p = strstr(p, f)) != NULL; p += n)
		if ((p == fields || p[-1] == ',') && (p[n] == '\0' ||
		    p[n] == ',' || p[n] == '{' || p[n] == '.'))
			return true;
	return false;
}

/* GET /:page/published_posts: post j published j * 8 days before
 * today's start (UTC), less some hours; 3 has no message, every third
 * from 2 no shares (Graph leaves the field out), pages of at most 5. */
static enum err
published_posts(struct sbx *sx, const char *page)
{
	const char *fields = req_query(&sx->ctx->req, "fields");
	long off, end, limit, total, j;
	char id[64], ts[32];
	uint64_t h;
	time_t t;
	struct tm tm;

	if (fields == NULL)
		fields = "id,message,created_time";
	limit = sandbox_long(req_query(&sx->ctx->req, "limit"), 25, 100);
	if (limit < 1 || limit > 5)
		limit = 5;
	off = sandbox_meta_after(sx);
	total = sandbox_is(sx, "empty") ? 0 : FB_POSTS;
	end = off + limit < total ? off + limit : total;
	sandbox_start(sx, 200, "application/json; charset=UTF-8");
	sandbox_meta_usage(sx, page, "pages");
	buf_puts(sx->out, "{\"data\":[");
	for (j = off; j < end; j++) {
		snprintf(id, sizeof(id), "%s_%ld", page, 1000000 + j);
		h = sandbox_hash(id, 41);
		t = (time_t)(sx->now - sx->now % 86400 - j * 8 * 86400 -
		    3600 - (int64_t)(h % 7200));
		gmtime_r(&t, &tm);
		strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S+0000", &tm);
		buf_printf(sx->out, "%s{", j > off ? "," : "");
		if (has_edge(fields, "message") && j != 3)
			buf_printf(sx->out, "\"message\":\"Sandbox post %ld: "
			    "caf\u00e9 opening \U0001F389\",", j);
		if (has_edge(fields, "permalink_url"))
			buf_printf(sx->out, "\"permalink_url\":\"https://www."
			    "facebook.com/%s/posts/%ld\",", page, 1000000 + j);
		if (has_edge(fields, "created_time"))
			buf_printf(sx->out, "\"created_time\":\"%s\",", ts);
		if (has_edge(fields, "shares") && j % 3 != 2)
			buf_printf(sx->out, "\"shares\":{\"count\":%llu},",
			    (unsigned long long)(h >> 8) % 50);
		if (has_edge(fields, "reactions"))
			buf_printf(sx->out, "\"reactions\":{\"data\":[],"
			    "\"summary\":{\"total_count\":%llu,"
			    "\"viewer_reaction\":\"NONE\"}},",
			    (unsigned long long)(h >> 16) % 700);
		if (has_edge(fields, "comments"))
			buf_printf(sx->out, "\"comments\":{\"data\":[],"
			    "\"summary\":{\"order\":\"ranked\","
			    "\"total_count\":%llu,\"can_comment\":true}},",
			    (unsigned long long)(h >> 28) % 90);
		buf_printf(sx->out, "\"id\":\"%s\"}", id);
	}
	if (total > 0)
		sandbox_meta_paging(sx, off, end, total);
	else
		buf_puts(sx->out, "]}");
	return sandbox_done(sx);
}

/* GET /:page_post/insights?metric=...: a post's lifetime views and
 * reach; post 5 none (an empty data[]). */
static enum err
post_insights(struct sbx *sx, const char *id)
{
	static const char *const names[][2] = {
		{ "post_media_view", "Media views" },
		{ "post_total_media_view_unique", "Total media viewers" },
	};
	const char *metric = req_query(&sx->ctx->req, "metric");
	const char *us = strchr(id, '_');
	long j = strtol(us + 1, NULL, 10) - 1000000;
	uint64_t h = sandbox_hash(id, 42);
	bool first = true;
	size_t k;

	sandbox_start(sx, 200, "application/json; charset=UTF-8");
	buf_puts(sx->out, "{\"data\":[");
	for (k = 0; k < nitems(names) && j != 5; k++) {
		if (metric == NULL || !has_edge(metric, names[k][0]))
			continue;
		buf_printf(sx->out, "%s{\"name\":\"%s\",\"period\":"
		    "\"lifetime\",\"values\":[{\"value\":%llu}],\"title\":"
		    "\"Lifetime %s\",\"description\":\"Lifetime: %s of the "
		    "post.\",\"id\":\"%s/insights/%s/lifetime\"}", first ? "" :
		    ",", names[k][0], (unsigned long long)((h >> (k * 16)) %
		    (k == 0 ? 20000 : 8000)), names[k][1], names[k][1], id,
		    names[k][0]);
		first = false;
	}
	buf_puts(sx->out, "]}");
	return sandbox_done(sx);
}

/* GET /:page/insights: a Page whose token did not come back
 * ("no_page_token") is asked with the user's token, which Graph refuses;
 * GET /:page_post/insights: a post's. */
static enum err
insights(struct sbx *sx, const char *id)
{
	if (sandbox_is(sx, "no_page_token") && sx->tok.kind != SBXK_PAGE)
		return sandbox_fail(sx, "error_190_page_token_required");
	if (strchr(id, '_') != NULL)
		return post_insights(sx, id);
	return sandbox_meta_insights(sx, id, false, metrics,
	    nitems(metrics));
}

/* ------------------------------------------------------------------ */
/* Its error shapes, Graph entries and entry in the registry. */

#define JU	"application/json; charset=UTF-8"
#define META_ERR(body)	"{\"error\":{" body "}}"

static const struct sandbox_fault faults[] = {
	{ &sandbox_api_meta, "error_32_page_limit", NULL, 400,
	    "X-Business-Use-Case-Usage: {\"104857600000001\":[{\"type\":"
	    "\"pages\",\"call_count\":100,\"total_cputime\":10,"
	    "\"total_time\":15,\"estimated_time_to_regain_access\":5}]}\n", JU,
	    META_ERR("\"message\":\"(#32) Page request limit reached\","
	    "\"type\":\"OAuthException\",\"is_transient\":true,\"code\":32,"
	    "\"fbtrace_id\":\"SbxTrace0000006\"") },
	{ &sandbox_api_meta, "error_80001_pages_limit", NULL, 400,
	    "X-Business-Use-Case-Usage: {\"104857600000001\":[{\"type\":"
	    "\"pages\",\"call_count\":100,\"total_cputime\":12,"
	    "\"total_time\":20,\"estimated_time_to_regain_access\":7}]}\n",
	    JU, META_ERR("\"message\":\"(#80001) There have been too many "
	    "calls to this Page account. Wait a bit and try again.\","
	    "\"type\":\"OAuthException\",\"is_transient\":true,\"code\":"
	    "80001,\"fbtrace_id\":\"SbxTrace0000031\"") },
	{ &sandbox_api_meta, "error_190_page_token_required", NULL, 400, NULL,
	    JU, META_ERR("\"message\":\"(#190) This method must be called "
	    "with a Page Access Token\",\"type\":\"OAuthException\","
	    "\"code\":190,\"fbtrace_id\":\"SbxTrace0000025\"") },
	{ &sandbox_api_meta, "error_190_2069032_page_token", NULL, 400, NULL,
	    JU, META_ERR("\"message\":\"A Page access token is required for "
	    "this call.\",\"type\":\"OAuthException\",\"code\":190,"
	    "\"error_subcode\":2069032,\"fbtrace_id\":"
	    "\"SbxTrace0000026\"") },
	{ &sandbox_api_meta, "error_190_492_page_role", NULL, 400, NULL, JU,
	    META_ERR("\"message\":\"Error validating access token: the user "
	    "associated with the Page access token does not have an "
	    "appropriate role on the Page.\",\"type\":\"OAuthException\","
	    "\"code\":190,\"error_subcode\":492,\"fbtrace_id\":"
	    "\"SbxTrace0000024\"") },
	{ &sandbox_api_meta, "page_insights_error_invalid_metric",
	    "removed_metric", 400, NULL, JU,
	    META_ERR("\"message\":\"(#100) The value must be a valid insights "
	    "metric\",\"type\":\"OAuthException\",\"code\":100,"
	    "\"fbtrace_id\":\"SbxTrace0000012\"") },
};

static const struct sandbox_graph graph[] = {
	{ NULL, "", false, page_node },
	{ "accounts", "", false, accounts },
	{ "insights", "", false, insights },
	{ "published_posts", "", false, published_posts },
};

const struct sandbox_provider sandbox_facebook = {
	.slug = "facebook",
	.family = &sandbox_family_meta,
	SANDBOX_LIST(faults),
	SANDBOX_LIST(graph),
};
