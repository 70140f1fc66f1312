/* linkedin.c — LinkedIn: organisations, share statistics, followers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/day.h"
#include "base/jsonx.h"
#include "base/limit.h"
#include "base/log.h"
#include "base/mem.h"
#include "net/httpc.h"
#include "providers/accounts.h"
#include "providers/fetch.h"
#include "providers/oauth.h"
#include "providers/pcall.h"
#include "providers/provider.h"
#include "providers/syncnorm.h"

enum err
syncnorm_linkedin(struct syncnorm *n, struct json_object *body)
{
	static const char *const parts[] = { "clickCount", "likeCount",
	    "commentCount", "shareCount" };
	struct json_object *els, *it, *st;
	const char *day, *imp, *clk, *v;
	long long start, eng;
	size_t i, k, mark = n->n;

	if ((els = syncnorm_array(body, "elements")) == NULL)
		return syncnorm_bad(n, mark, "LinkedIn: elements is missing");
	for (i = 0; i < json_object_array_length(els); i++) {
		it = json_object_array_get_idx(els, i);
		v = syncnorm_count(jsonx_member(jsonx_member(it, "timeRange"),
		    "start"));
		if (v == NULL)
			return syncnorm_bad(n, mark, "LinkedIn: "
			    "elements[%zu].timeRange.start is missing", i);
		start = strtoll(v, NULL, 10);
		day = syncnorm_epoch_day(n->a, start / 1000);
		if (start > 253402300799000LL)	/* 9999-12-31 */
			return syncnorm_bad(n, mark, "LinkedIn: "
			    "elements[%zu].timeRange.start is not a time", i);
		st = jsonx_member(it, "totalShareStatistics");
		imp = syncnorm_count(jsonx_member(st, "impressionCount"));
		clk = syncnorm_count(jsonx_member(st, "clickCount"));
		if (imp == NULL || clk == NULL)
			return syncnorm_bad(n, mark, "LinkedIn: elements[%zu]."
			    "totalShareStatistics is incomplete", i);
		for (eng = 0, k = 0; k < nitems(parts); k++) {
			v = syncnorm_count(jsonx_member(st, parts[k]));
			eng += v != NULL ? strtoll(v, NULL, 10) : 0;
		}
		syncnorm_add(n, NULL, "impressions", day, imp, NULL);
		syncnorm_add(n, NULL, "clicks", day, clk, NULL);
		syncnorm_add(n, NULL, "engagements", day, arena_printf(n->a,
		    "%lld", eng), NULL);
	}
	return ERR_OK;
}

enum err
syncnorm_linkedin_followers(struct syncnorm *n, struct json_object *body,
    const char *day)
{
	return syncnorm_count_on(n, "LinkedIn", body, "firstDegreeSize",
	    "followers", day);
}

#define ORGS	"%s/organizationAcls?q=roleAssignee&role=ADMINISTRATOR&" \
		"state=APPROVED&start=%zu&count=50"

/*
 * An organization the member administers, by its name (the organization
 * lookup: GET /organizations/{id}, localizedName).  When the name cannot
 * be read (refused, gone, throttled) it is "Organization N"; only an
 * invalid token ends the listing.
 */
static enum err
org(struct accounts_lister *l, struct json_object *it)
{
	const char *urn = jsonx_text(it, "organization"), *id, *name = NULL;
	struct pcall_result r;
	enum err rc;

	if (urn == NULL || strncmp(urn, "urn:li:organization:", 20) != 0 ||
	    !syncnorm_is_count(urn + 20))
		return ERR_OK;
	id = urn + 20;
	if (json_object_array_length(l->out) < LIMIT_LINKEDIN_NAMES) {
		rc = accounts_get(l, arena_printf(l->a, "%s/organizations/%s",
		    accounts_base(l, PROVIDER_API_BASE), id), &r);
		if (rc == ERR_AUTH)
			return rc;
		if (rc == ERR_OK)
			name = jsonx_str(r.json, "localizedName");
		l->why = NULL;
	}
	accounts_add(l, id, name != NULL && *name != '\0' ? name :
	    arena_printf(l->a, "Organization %s", id), NULL, NULL);
	return ERR_OK;
}

/* start/count paging until paging.total. */
static const char *
next(struct accounts_lister *l, const struct pcall_result *r, size_t seen)
{
	const char *total = jsonx_text(jsonx_member(r->json, "paging"),
	    "total");

	if (total == NULL || seen >= strtoul(total, NULL, 10))
		return NULL;
	return arena_printf(l->a, ORGS, accounts_base(l, PROVIDER_API_BASE),
	    seen);
}

/* The organizations the member administers. */
static enum err
list(struct accounts_lister *l)
{
	static const struct accounts_listing how = { "elements", org, next };

	return accounts_walk(l, arena_printf(l->a, ORGS, accounts_base(l,
	    PROVIDER_API_BASE), (size_t)0), &how);
}

/* Seconds since the epoch of 00:00 UTC on day (YYYY-MM-DD). */
static int64_t
epoch_of(const char *day)
{
	int64_t n;

	return day_scan(day, &n) ? n * DAY_SECONDS : 0;
}

/*
 * Content.  Fields used, from the Posts API (/rest/posts, q=author,
 * sortBy=CREATED: newest first): id (urn:li:share or urn:li:ugcPost),
 * commentary (the caption), createdAt (milliseconds), lifecycleState
 * (PUBLISHED only) and content.media.id (a urn:li:video: makes a video);
 * the post's page is /feed/update/{urn}/.  Numbers from the share
 * statistics of those posts (shares= or ugcPosts=List(...)):
 * impressionCount (views), uniqueImpressionsCount (reach), likeCount,
 * commentCount, shareCount; LinkedIn has no saves.  The posts need the
 * r_organization_social permission: refused (403), content is left out
 * and the account's metrics are kept.
 */
enum err
syncnorm_linkedin_posts(struct syncnorm *n, struct json_object *body,
    const char *since, struct json_object *items, bool *older)
{
	struct json_object *list, *it;
	const char *id, *ms, *state, *media, *ts;
	long long t;
	size_t i;

	if ((list = syncnorm_array(body, "elements")) == NULL)
		return syncnorm_bad(n, n->n, "LinkedIn: elements is missing");
	for (i = 0; i < json_object_array_length(list); i++) {
		it = json_object_array_get_idx(list, i);
		if ((id = jsonx_str(it, "id")) == NULL ||
		    (ms = syncnorm_count(jsonx_member(it, "createdAt"))) ==
		    NULL)
			return syncnorm_bad(n, n->n, "LinkedIn: elements[%zu] "
			    "has no id or createdAt", i);
		state = jsonx_str(it, "lifecycleState");
		if (state != NULL && strcmp(state, "PUBLISHED") != 0)
			continue;
		t = strtoll(ms, NULL, 10) / 1000;
		ts = arena_printf(n->a, "%sT%02lld:%02lld:%02lldZ",
		    syncnorm_epoch_day(n->a, t), t % 86400 / 3600,
		    t % 3600 / 60, t % 60);
		if (strncmp(ts, since, 10) < 0) {
			*older = true;
			continue;
		}
		media = jsonx_str(jsonx_member(jsonx_member(it, "content"),
		    "media"), "id");
		json_object_array_add(items, syncnorm_item(n, id,
		    media != NULL && strncmp(media, "urn:li:video:", 13) == 0 ?
		    "video" : "post", jsonx_str(it, "commentary"),
		    arena_printf(n->a, "https://www.linkedin.com/feed/update/"
		    "%s/", id), ts));
	}
	return ERR_OK;
}

void
syncnorm_linkedin_post_stats(struct json_object *body,
    struct json_object *byid)
{
	static const char *const names[][2] = {
		{ "impressionCount", "views" },
		{ "uniqueImpressionsCount", "reach" },
		{ "likeCount", "likes" },
		{ "commentCount", "comments" },
		{ "shareCount", "shares" },
	};
	struct json_object *list, *it, *st, *m;
	const char *id;
	size_t i, k;

	if ((list = syncnorm_array(body, "elements")) == NULL)
		return;
	for (i = 0; i < json_object_array_length(list); i++) {
		it = json_object_array_get_idx(list, i);
		if ((id = jsonx_str(it, "share")) == NULL &&
		    (id = jsonx_str(it, "ugcPost")) == NULL)
			continue;
		st = jsonx_member(it, "totalShareStatistics");
		m = json_object_new_object();
		for (k = 0; k < nitems(names); k++) {
			json_object_object_add(m, names[k][1],
			    syncnorm_count_json(jsonx_member(st, names[k][0])));
		}
		json_object_object_add(m, "saves", NULL);
		json_object_object_add(byid, id, m);
	}
}

/*
 * The organization's posts of the last LIMIT_CONTENT_DAYS days (pages of
 * up to 50 until one is older or a page is empty) and, for those due
 * a measurement, their lifetime share statistics, 20 posts a call (the
 * shares and the ugcPosts apart).  A post LinkedIn gives no statistics
 * for keeps NULLs.
 */
/* A post's metrics: its share statistics, read by id into byid (arg),
 * or none (fetch_content_keep()). */
static enum err
post_metrics(struct fetch *f, struct json_object *item, const char *id,
    void *arg, struct json_object **out)
{
	struct json_object *m = jsonx_member(arg, id);

	(void)f;
	(void)item;
	*out = m != NULL ? json_object_get(m) : json_object_new_object();
	return ERR_OK;
}

static enum err
content(struct fetch *f, const char *org, const char *urn)
{
	static const struct {
		const char	*prefix, *param;
	} kinds[] = { { "urn:li:share:", "shares" },
	    { "urn:li:ugcPost:", "ugcPosts" } };
	struct pcall_result res;
	struct json_object *items, *due, *byid;
	struct fetch_items fi;
	struct syncnorm n;
	struct buf *b;
	const char *from, *to, *id;
	bool older = false;
	size_t k, j, got, nb;
	long start = 0, pages;
	enum err rc;

	if ((rc = fetch_window(f, "UTC", LIMIT_CONTENT_DAYS, &from, &to)) !=
	    ERR_OK)
		return rc;
	syncnorm_init(&n, f->a, f->p->slug, org);
	items = jsonx_own(f->a, json_object_new_array());
	for (pages = 0; !older && pages < LIMIT_SYNC_PAGES; pages++) {
		rc = fetch_get(f, arena_printf(f->a, "%s/posts?author=%s&"
		    "q=author&count=50&start=%ld&sortBy=CREATED",
		    fetch_base(f, PROVIDER_API_BASE), urn, start), &res);
		/* Reading posts needs r_organization_social, which a grant
		 * of rw_organization_admin alone lacks: the metrics stay. */
		if (rc == ERR_FORBIDDEN) {
			log_msg(LOG_WARN, NULL, "sync", "LinkedIn: posts of "
			    "organization %s refused (403; the grant lacks "
			    "r_organization_social?): content left out", org);
			f->why = NULL;
			return ERR_OK;
		}
		if (rc != ERR_OK)
			return rc;
		if ((rc = syncnorm_linkedin_posts(&n, res.json, from, items,
		    &older)) != ERR_OK)
			return fetch_norm_failed(f, &n, rc);
		got = json_object_array_length(syncnorm_array(res.json,
		    "elements"));
		if (got == 0)		/* a page may be shorter than asked */
			break;
		start += (long)got;
	}
	if ((rc = fetch_content_due(f, &fi, org, from, items, &due)) !=
	    ERR_OK)
		return rc;
	byid = jsonx_own(f->a, json_object_new_object());
	for (k = 0; k < nitems(kinds); k++) {
		b = buf_new_arena(f->a, 20 * 128);
		for (j = 0, nb = 0; j <= json_object_array_length(due); j++) {
			if (j < json_object_array_length(due)) {
				id = json_object_get_string(
				    json_object_array_get_idx(due, j));
				if (strncmp(id, kinds[k].prefix,
				    strlen(kinds[k].prefix)) != 0)
					continue;
				buf_printf(b, "%s%s", nb > 0 ? "," : "",
				    httpc_escape(f->a, id));
				if (++nb < 20)
					continue;
			}
			if (nb == 0)
				break;
			if ((rc = fetch_get(f, arena_printf(f->a, "%s/"
			    "organizationalEntityShareStatistics?q="
			    "organizationalEntity&organizationalEntity=%s&"
			    "%s=List(%s)", fetch_base(f, PROVIDER_API_BASE),
			    urn, kinds[k].param, buf_cstr(b)), &res)) !=
			    ERR_OK)
				return rc;
			syncnorm_linkedin_post_stats(res.json, byid);
			b = buf_new_arena(f->a, 20 * 128);
			nb = 0;
		}
	}
	return fetch_content_keep(f, &fi, items, due, post_metrics, byid);
}

static enum err
fetch(struct fetch *f, struct syncnorm *n, const char *org)
{
	struct pcall_result res;
	const char *url, *from, *to, *urn;
	enum err rc;

	if ((rc = fetch_window(f, "UTC", f->days, &from, &to)) != ERR_OK)
		return rc;
	urn = httpc_escape(f->a, arena_printf(f->a, "urn:li:organization:%s",
	    org));
	/* The interval ends tomorrow 00:00 UTC so today is in it. */
	url = arena_printf(f->a, "%s/organizationalEntityShareStatistics?"
	    "q=organizationalEntity&organizationalEntity=%s&timeIntervals="
	    "(timeRange:(start:%lld000,end:%lld000),timeGranularityType:DAY)",
	    fetch_base(f, PROVIDER_API_BASE), urn, (long long)epoch_of(from),
	    (long long)epoch_of(to) + DAY_SECONDS);
	if ((rc = fetch_get(f, url, &res)) != ERR_OK)
		return rc;
	if ((rc = syncnorm_linkedin(n, res.json)) != ERR_OK)
		return fetch_norm_failed(f, n, rc);
	url = arena_printf(f->a, "%s/networkSizes/%s?"
	    "edgeType=COMPANY_FOLLOWED_BY_MEMBER", fetch_base(f,
	    PROVIDER_API_BASE), urn);
	if ((rc = fetch_get(f, url, &res)) != ERR_OK)
		return rc;
	if ((rc = syncnorm_linkedin_followers(n, res.json, to)) != ERR_OK) {
		f->why = n->why;
		return rc;
	}
	return fetch_optional(f, content(f, org, urn), "content",
	    org);
}

/*
 * The member of the first page role (organizationAcls' roleAssignee,
 * "urn:li:person:AbC123xYz") is the login; its label, for people,
 * "member AbC123xYz" (the role list gives no name; whoami_label() adds
 * its page's).  A member with no page role is named by nothing:
 * ERR_UPSTREAM.
 */
static enum err
whoami(struct arena *a, const struct provider *p, int status,
    const char *body, size_t len, struct oauth_tokens *t,
    struct oauth_failure *f)
{
	struct json_object *o, *els;
	const char *who;
	enum err rc;

	if ((rc = oauth_whoami_json(a, p, status, body, len, &o, f)) !=
	    ERR_OK)
		return rc;
	if (jsonx_get_array(o, "elements", &els) != ERR_OK ||
	    json_object_array_length(els) == 0 ||
	    (who = jsonx_str(json_object_array_get_idx(els, 0),
	    "roleAssignee")) == NULL || strncmp(who, "urn:li:person:", 14) !=
	    0 || who[14] == '\0')
		return oauth_fail(f, ERR_UPSTREAM, false, arena_printf(a, "%s "
		    "named no member with a role on a page.", p->name));
	t->owner = who;
	t->owner_label = arena_printf(a, "member %s", who + 14);
	return ERR_OK;
}

/*
 * The login's label with the name of the page its first role is on
 * ("Acme Ltd (member AbC123xYz)"): the organization lookup (GET
 * /organizations/{id}, localizedName), which the scope allows.  The
 * role list (body) names the organization, not its name (decoration is
 * deprecated in the versioned API).  Nothing changes when the lookup
 * fails or names nothing: the login is still "member <id>".
 */
static void
whoami_label(const struct oauth_call *c, const char *body, size_t len,
    struct oauth_tokens *t)
{
	struct json_object *o, *els;
	struct httpc_resp res;
	const char *urn, *name, *base, *why, *label;

	if (t->owner == NULL || strncmp(t->owner, "urn:li:person:", 14) != 0 ||
	    jsonx_parse(c->a, body, len, &o, NULL) != ERR_OK ||
	    jsonx_get_array(o, "elements", &els) != ERR_OK ||
	    json_object_array_length(els) == 0 ||
	    (urn = jsonx_str(json_object_array_get_idx(els, 0),
	    "organization")) == NULL ||
	    strncmp(urn, "urn:li:organization:", 20) != 0 ||
	    !syncnorm_is_count(urn + 20) ||
	    (base = provider_url(c->p, PROVIDER_API_BASE, c->cfg, c->a)) ==
	    NULL)
		return;
	if (oauth_api_get(c, arena_printf(c->a, "%s/organizations/%s", base,
	    urn + 20), true, t->access_token, &res, &why) != ERR_OK ||
	    res.status != 200 || jsonx_parse(c->a, res.body, res.body_len, &o,
	    NULL) != ERR_OK || (name = jsonx_str(o, "localizedName")) ==
	    NULL || *name == '\0')
		return;
	label = arena_printf(c->a, "%s (member %s)", name, t->owner + 14);
	if (strlen(label) <= LIMIT_OWNER_TEXT)
		t->owner_label = label;
}

static const struct metric_def metrics[] = {
	METRIC_DEF_SUM("impressions", "Impressions", "count"),
	METRIC_DEF_SUM("clicks", "Clicks", "count"),
	METRIC_DEF_SUM("engagements", "Engagements", "count"),
	METRIC_DEF_RATIO("engagement_rate", "Engagement rate", "ratio",
	    "engagements", "impressions"),
	METRIC_DEF_LAST("followers", "Followers", "count"),
};

/* Revokes the access token: its revocation endpoint, with the client's
 * credentials in the form. */
static enum err
revoke(const struct oauth_call *c, const struct oauth_tokens *t)
{
	struct oauth_revoke_req q;
	const char *id, *secret;

	if (provider_client(c->p, c->cfg, &id, &secret) != ERR_OK)
		return oauth_fail(c->f, ERR_UPSTREAM, false, "LinkedIn is not "
		    "configured, so its access could not be revoked.");
	memset(&q, 0, sizeof(q));
	q.url = provider_url(c->p, PROVIDER_REVOKE_URL, c->cfg, c->a);
	{
		const char *kv[] = { "client_id", id, "client_secret", secret,
		    "token", t->access_token, NULL };

		q.form = oauth_form(c->a, kv);
	}
	return oauth_revoke_send(c, &q);
}

const struct provider provider_linkedin = {
	.slug = "linkedin",
	.name = "LinkedIn",
	.family = "linkedin",
	.env = "LINKEDIN",
	.urls = {
		[PROVIDER_AUTH_URL] =
		    "https://www.linkedin.com/oauth/v2/authorization",
		[PROVIDER_TOKEN_URL] =
		    "https://www.linkedin.com/oauth/v2/accessToken",
		[PROVIDER_REVOKE_URL] =
		    "https://www.linkedin.com/oauth/v2/revoke",
		[PROVIDER_API_BASE] = "https://api.linkedin.com/rest",
		/* Who the login is: the member its page roles are assigned
		 * to (roleAssignee), with the scope Sluice asks anyway —
		 * OpenID Connect's userinfo would need its own product on
		 * the app and three more scopes. */
		[PROVIDER_WHOAMI_URL] = "https://api.linkedin.com/rest/"
		    "organizationAcls?q=roleAssignee&count=1",
	},
	.scopes = "rw_organization_admin",
	.whoami_label = whoami_label,
	.restatement_days = 2,
	/* Share statistics cover a rolling 12-month window: 365 days
	 * ending today start inside it in any year. */
	.keeps_days = 365,
	.accounts = "organizations",
	.content = true,
	.mark = "in",
	.mark_colour = "#0a66c2",
	.reads = "Daily impressions, clicks, engagements and followers of "
	    "the organization pages you choose. Sluice only reads; nothing "
	    "is posted.",
	.days = "UTC",
	.api_version = "REST (LinkedIn-Version header)",
	.version = "202607",
	.version_env = "SLUICE_LINKEDIN_VERSION",
	/*
	 * Projected: LinkedIn's migrations table had no row for 202607
	 * yet.  Its published sunsets fall mid-month a year after the
	 * release (202601: 2027-01-15, 202602: 2027-02-15, 202603:
	 * 2027-03-16), so the 15th; SLUICE_LINKEDIN_API_SUNSET sets the
	 * published day.
	 */
	.api_sunset = "2027-07-15",
	.headers = {
		{ "LinkedIn-Version", "SLUICE_LINKEDIN_VERSION", "202607" },
		{ "X-Restli-Protocol-Version", NULL, "2.0.0" },
	},
	.sandbox = {
		{ "linkedin", "oauth", "https://www.linkedin.com",
		    "/sandbox/linkedin-www" },
		{ "linkedin", "api", "https://api.linkedin.com",
		    "/sandbox/linkedin-api" },
	},
	PROVIDER_CATALOGUE(metrics),
	.list = list,
	.fetch = fetch,
	.revoke = revoke,
	.whoami = whoami,
};
