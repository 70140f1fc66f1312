/* github.c — GitHub: public repositories, traffic, stars. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "base/arena.h"
#include "base/jsonx.h"
#include "base/limit.h"
#include "base/mem.h"
#include "net/httpc.h"
#include "providers/accounts.h"
#include "providers/fetch.h"
#include "providers/oauth.h"
#include "providers/pcall.h"
#include "providers/provider.h"
#include "providers/syncnorm.h"

enum err
syncnorm_github_traffic(struct syncnorm *n, struct json_object *body,
    const char *kind, const char *end)
{
	struct json_object *list, *it;
	const char *ts, *c, *u, *total;
	bool views = strcmp(kind, "views") == 0;
	size_t i, mark = n->n;

	if ((list = syncnorm_array(body, kind)) == NULL)
		return syncnorm_bad(n, mark, "GitHub: %s is missing", kind);
	for (i = 0; i < json_object_array_length(list); i++) {
		it = json_object_array_get_idx(list, i);
		ts = syncnorm_text(jsonx_member(it, "timestamp"));
		c = syncnorm_count(jsonx_member(it, "count"));
		u = syncnorm_count(jsonx_member(it, "uniques"));
		if (ts == NULL || strlen(ts) < 10 ||
		    !syncnorm_is_day(arena_strndup(n->a, ts, 10)))
			return syncnorm_bad(n, mark, "GitHub: "
			    "%s[%zu].timestamp is not a time", kind, i);
		if (c == NULL || u == NULL)
			return syncnorm_bad(n, mark, "GitHub: %s[%zu].count or "
			    "uniques is not a count", kind, i);
		ts = arena_strndup(n->a, ts, 10);
		syncnorm_add(n, NULL, views ? "views" : "clones", ts, c, NULL);
		if (views)
			syncnorm_add(n, NULL, "unique_visitors", ts, u, NULL);
	}
	if (views && (total = syncnorm_count(jsonx_member(body, "uniques"))) !=
	    NULL)
		syncnorm_add(n, NULL, "unique_visitors:14d", end, total, NULL);
	return ERR_OK;
}

enum err
syncnorm_github_repo(struct syncnorm *n, struct json_object *repo,
    const char *day)
{
	return syncnorm_count_on(n, "GitHub", repo, "stargazers_count", "stars",
	    day);
}

/* One repository; private ones never leave. */
static enum err
repo(struct accounts_lister *l, struct json_object *it)
{
	struct json_object *priv = jsonx_member(it, "private");

	if (priv == NULL || !json_object_get_boolean(priv))
		accounts_add(l, jsonx_text(it, "full_name"), jsonx_text(it,
		    "full_name"), NULL, NULL);
	return ERR_OK;
}

/* The Link header's rel="next". */
static const char *
next(struct accounts_lister *l, const struct pcall_result *r, size_t seen)
{
	(void)seen;
	return httpc_link_next(l->a, &r->resp);
}

/* GitHub: public repositories only. */
static enum err
list(struct accounts_lister *l)
{
	static const struct accounts_listing how = { NULL, repo, next };

	return accounts_walk(l, arena_printf(l->a, "%s/user/repos?visibility="
	    "public&affiliation=owner,organization_member&sort=full_name&"
	    "per_page=100", accounts_base(l, PROVIDER_API_BASE)), &how);
}

static enum err
fetch(struct fetch *f, struct syncnorm *n, const char *repo)
{
	static const char *const kinds[] = { "views", "clones" };
	struct pcall_result res;
	const char *url, *from, *to;
	size_t i;
	enum err rc;

	if ((rc = fetch_window(f, "UTC", f->days, &from, &to)) != ERR_OK)
		return rc;
	n->from = from;
	for (i = 0; i < 2; i++) {
		url = arena_printf(f->a, "%s/repos/%s/traffic/%s?per=day",
		    fetch_base(f, PROVIDER_API_BASE), repo, kinds[i]);
		if ((rc = fetch_get(f, url, &res)) != ERR_OK)
			return rc;
		if ((rc = syncnorm_github_traffic(n, res.json, kinds[i], to)) !=
		    ERR_OK)
			return fetch_norm_failed(f, n, rc);
	}
	url = arena_printf(f->a, "%s/repos/%s", fetch_base(f,
	    PROVIDER_API_BASE), repo);
	if ((rc = fetch_get(f, url, &res)) != ERR_OK)
		return rc;
	if ((rc = syncnorm_github_repo(n, res.json, to)) != ERR_OK)
		f->why = n->why;
	return rc;
}

/*
 * GitHub's answers that are not data:
 * - the primary rate limit used up (403 or 429 with x-ratelimit-remaining
 *   0): wait until x-ratelimit-reset (epoch seconds) and a minute, not an
 *   hour; a Retry-After (a secondary limit) comes first;
 * - 301/302/307 for a repository renamed or transferred: not followed
 *   (the Location names the repository by number and the account is its
 *   old name, so its data would be stored under a name that is gone):
 *   the person chooses the repository again under its new name.
 */
static enum err
classify(struct arena *a, const struct provider *p, struct pcall_result *out)
{
	const char *rem, *reset;
	char *end;
	long long at;
	int st = out->resp.status;

	if (st == 301 || st == 302 || st == 307 || st == 308) {
		out->why = arena_printf(a, "%s: the repository was renamed, "
		    "transferred or deleted (HTTP %d): choose it again under "
		    "its new name in the connection's repositories", p->name,
		    st);
		return ERR_NOTFOUND;
	}
	if (st != 403 && st != 429)
		return ERR_OK;
	rem = httpc_resp_header(&out->resp, "x-ratelimit-remaining");
	reset = httpc_resp_header(&out->resp, "x-ratelimit-reset");
	if (rem == NULL || strcmp(rem, "0") != 0 || reset == NULL)
		return ERR_OK;
	at = strtoll(reset, &end, 10);
	if (end == reset || *end != '\0' || at <= 0)
		return ERR_OK;
	if (out->retry_after <= 0)
		out->retry_after = pcall_wait((long)(at -
		    (long long)time(NULL) + 60));
	if (out->retry_after <= 0)
		out->retry_after = 60;
	out->why = arena_printf(a, "%s is rate limiting requests: the "
	    "hourly limit is used up; the sync goes on in %d minutes",
	    p->name, (out->retry_after + 59) / 60);
	return ERR_RATELIMIT;
}

static const struct metric_def metrics[] = {
	METRIC_DEF_SUM("views", "Views", "count"),
	METRIC_DEF_TOTALS_BUT("unique_visitors", "Unique visitors", "count",
	    METRIC_7D | METRIC_28D | METRIC_90D, "GitHub counts unique visitors "
	    "for its last 14 days only, and a day's visitors cannot be added "
	    "up"),
	METRIC_DEF_SUM("clones", "Clones", "count"),
	METRIC_DEF_LAST("stars", "Stars", "count"),
};

/*
 * Revokes the grant (every token of it): DELETE
 * /applications/{client_id}/grant with the client's id and secret as
 * Basic and the token in the body.
 */
static enum err
revoke(const struct oauth_call *c, const struct oauth_tokens *t)
{
	struct oauth_revoke_req q;
	struct json_object *o;
	const char *id, *secret;

	if (provider_client(c->p, c->cfg, &id, &secret) != ERR_OK)
		return oauth_fail(c->f, ERR_UPSTREAM, false, "GitHub is not "
		    "configured, so its access could not be revoked.");
	memset(&q, 0, sizeof(q));
	q.method = "DELETE";
	q.url = arena_printf(c->a, "%s/applications/%s/grant", provider_url(
	    c->p, PROVIDER_API_BASE, c->cfg, c->a), httpc_escape(c->a, id));
	o = jsonx_own(c->a, json_object_new_object());
	json_object_object_add(o, "access_token",
	    json_object_new_string(t->access_token));
	q.json = jsonx_string(c->a, o);
	q.basic = true;
	q.header_name = "X-GitHub-Api-Version";
	q.header_value = provider_version(c->p);
	return oauth_revoke_send(c, &q);
}

#define GITHUB_MAX_PAGES	20	/* pages of /v1/github/repos */

static void
copy(struct json_object *to, struct json_object *from, const char *k,
    const char *as)
{
	struct json_object *v;

	if (json_object_object_get_ex(from, k, &v))
		json_object_object_add(to, as, json_object_get(v));
}

/*
 * GET /v1/github/user: the user {login, id, name, public_repos,
 * followers, html_url}; /v1/github/repos: its public repositories
 * [{full_name, description, language, stars, forks, open_issues,
 * html_url, pushed_at}], following pagination.  Private repositories
 * never leave the server, whatever the token can see.
 */
static enum err
own_json(struct httpc *http, struct arena *a, const struct provider *p,
    const struct config *cfg, const char *token, const char *what,
    const char **out, const char **why)
{
	struct json_object *res, *it, *o, *priv;
	struct pcall_result r;
	struct pcall call;
	const char *base, *url;
	size_t i, page;
	enum err rc;

	*why = NULL;
	if (strcmp(what, "user") != 0 && strcmp(what, "repos") != 0)
		return ERR_NOTFOUND;
	base = provider_url(p, PROVIDER_API_BASE, cfg, a);
	memset(&call, 0, sizeof(call));
	call.token = token;
	pcall_provider_headers(p, &call);
	if (strcmp(what, "user") == 0) {
		call.url = arena_printf(a, "%s/user", base);
		if ((rc = pcall_json(http, a, p, &call, &r)) != ERR_OK) {
			*why = r.why;
			return rc;
		}
		o = jsonx_own(a, json_object_new_object());
		copy(o, r.json, "login", "login");
		copy(o, r.json, "id", "id");
		copy(o, r.json, "name", "name");
		copy(o, r.json, "public_repos", "public_repos");
		copy(o, r.json, "followers", "followers");
		copy(o, r.json, "html_url", "html_url");
		*out = jsonx_string(a, o);
		return ERR_OK;
	}
	res = jsonx_own(a, json_object_new_array());
	url = arena_printf(a, "%s/user/repos?visibility=public&affiliation="
	    "owner,organization_member&sort=full_name&per_page=100", base);
	for (page = 0; url != NULL && page < GITHUB_MAX_PAGES; page++) {
		call.url = url;
		if ((rc = pcall_json(http, a, p, &call, &r)) != ERR_OK) {
			*why = r.why;
			return rc;
		}
		for (i = 0; json_object_is_type(r.json, json_type_array) &&
		    i < json_object_array_length(r.json); i++) {
			it = json_object_array_get_idx(r.json, i);
			/* Public only, whatever the token can see. */
			if (!json_object_object_get_ex(it, "private", &priv) ||
			    json_object_get_boolean(priv))
				continue;
			o = json_object_new_object();
			copy(o, it, "full_name", "full_name");
			copy(o, it, "description", "description");
			copy(o, it, "language", "language");
			copy(o, it, "stargazers_count", "stars");
			copy(o, it, "forks_count", "forks");
			copy(o, it, "open_issues_count", "open_issues");
			copy(o, it, "html_url", "html_url");
			copy(o, it, "pushed_at", "pushed_at");
			json_object_array_add(res, o);
		}
		url = httpc_link_next(a, &r.resp);
	}
	*out = jsonx_string(a, res);
	return ERR_OK;
}

const struct provider provider_github = {
	.slug = "github",
	.name = "GitHub",
	.family = "github",
	.env = "GITHUB",
	.urls = {
		[PROVIDER_AUTH_URL] =
		    "https://github.com/login/oauth/authorize",
		[PROVIDER_TOKEN_URL] =
		    "https://github.com/login/oauth/access_token",
		[PROVIDER_API_BASE] = "https://api.github.com",
		/* The authenticated user: "id" (stable), "login". */
		[PROVIDER_WHOAMI_URL] = "https://api.github.com/user",
	},
	.login_hint = "login",
	.scopes = "read:user public_repo",
	.auth_params = "allow_signup=false",
	.restatement_days = 2,
	.keeps_days = 14,
	.accounts = "repositories",
	.mark = "GH",
	.mark_colour = "#24292f",
	.reads = "Daily views, unique visitors, clones and stars of the "
	    "repositories you choose. Sluice only reads; no code or setting "
	    "is changed.",
	.days = "UTC",
	.api_version = "REST (X-GitHub-Api-Version header)",
	.version = "2022-11-28",
	.version_env = "SLUICE_GITHUB_API_VERSION",
	.headers = {
		{ "X-GitHub-Api-Version", "SLUICE_GITHUB_API_VERSION",
		    "2022-11-28" },
	},
	.sandbox = {
		{ "github", "oauth", "https://github.com", "/sandbox/github" },
		{ "github", "api", "https://api.github.com",
		    "/sandbox/github-api" },
	},
	.words = { "repo", "repos" },
	PROVIDER_CATALOGUE(metrics),
	.list = list,
	.fetch = fetch,
	.revoke = revoke,
	/* Who the login is: GET /user's id (a login can be renamed) and
	 * login. */
	.whoami = oauth_whoami_keys,
	.whoami_keys = { "id", "login", "name" },
	.own_json = own_json,
	.classify = classify,
};
