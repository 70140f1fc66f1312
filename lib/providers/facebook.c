/* facebook.c — Facebook Pages: pages, daily Page insights, reach. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "base/arena.h"
#include "base/day.h"
#include "base/jsonx.h"
#include "base/limit.h"
#include "base/mem.h"
#include "net/httpc.h"
#include "providers/accounts.h"
#include "providers/fetch.h"
#include "providers/meta.h"
#include "providers/pcall.h"
#include "providers/provider.h"
#include "providers/syncnorm.h"

enum err
syncnorm_facebook(struct syncnorm *n, struct json_object *body)
{
	static const char *const map[][2] = {
		{ "page_media_view", "impressions" },
		{ "page_total_media_view_unique", "reach" },
		{ "page_post_engagements", "engagements" },
		{ "page_views_total", "page_views" },
		{ "page_follows", "followers" },
	};

	return meta_series(n, n->n, body, "Facebook", map,
	    nitems(map));
}

enum err
syncnorm_facebook_totals(struct syncnorm *n, struct json_object *body)
{
	static const char *const periods[][2] = {
		{ "week", "reach:7d" },
		{ "days_28", "reach:28d" },
	};
	struct json_object *data, *it;
	const char *name, *period;
	size_t i, k, mark = n->n;
	enum err rc;

	if ((data = syncnorm_array(body, "data")) == NULL)
		return syncnorm_bad(n, mark, "Facebook: data is missing");
	for (i = 0; i < json_object_array_length(data); i++) {
		it = json_object_array_get_idx(data, i);
		name = syncnorm_text(jsonx_member(it, "name"));
		period = syncnorm_text(jsonx_member(it, "period"));
		if (name == NULL || period == NULL)
			return syncnorm_bad(n, mark, "Facebook: data[%zu].name "
			    "or data[%zu].period is missing", i, i);
		if (strcmp(name, "page_total_media_view_unique") != 0)
			continue;
		for (k = 0; k < nitems(periods); k++)
			if (strcmp(periods[k][0], period) == 0)
				break;
		if (k < nitems(periods) && (rc = meta_values(n, mark, it, i,
		    "Facebook", periods[k][1])) != ERR_OK)
			return rc;
	}
	return ERR_OK;
}

/* The login's Pages, each an account. */
static enum err
list(struct accounts_lister *l)
{
	return meta_pages_walk(l, accounts_each_id_name);
}

/*
 * The Page's own access token into f->page_token.  The Page's node
 * answers without one when the person who connected no longer has a
 * role on the Page (or never had a task that gives it): that is this
 * Page's trouble, not the login's, and the user's token would only
 * earn a 190 from the insights.
 */
static enum err
page_token(struct fetch *f, const char *page)
{
	struct pcall_result res;
	struct json_object *v;
	const char *name;
	enum err rc;

	rc = fetch_get(f, arena_printf(f->a, "%s/%s?fields=access_token",
	    meta_graph(f), page), &res);
	if (rc == ERR_OK &&
	    json_object_object_get_ex(res.json, "access_token", &v) &&
	    json_object_is_type(v, json_type_string) &&
	    json_object_get_string_len(v) > 0) {
		f->page_token = json_object_get_string(v);
		return ERR_OK;
	}
	if (rc == ERR_RATELIMIT || rc == ERR_AUTH || rc == ERR_CONFLICT ||
	    rc == ERR_UPSTREAM)
		return rc;
	name = fetch_account(f, page, "name");
	f->why = arena_printf(f->a, "Facebook did not give Sluice the access "
	    "token of the Page \"%s\": the person who connected Facebook no "
	    "longer has a role on it. Ask an admin of the Page to give them "
	    "a role again (in the Page's settings), or untick the Page here",
	    name != NULL ? name : page);
	return ERR_FORBIDDEN;
}

/*
 * The Page's reach over the tiles' periods, people counted once (which
 * the daily rows cannot give): Facebook's unique media viewers of a
 * week and of 28 days, each value the period ending on its day, from
 * the end of the period before yesterday's to yesterday in the
 * workspace's zone.  Facebook has no 90-day period.  Asked again on
 * every sync, so restated days reach them.
 */
static enum err
fetch_reach(struct fetch *f, struct syncnorm *n, const char *page)
{
	static const char *const reach[] = { "page_total_media_view_unique" };
	static const struct {
		const char	*period;
		int		 days;
	} periods[] = { { "week", 7 }, { "days_28", 28 } };
	struct json_object *got[1];
	const char *today, *end;
	size_t ngot, i;
	enum err rc;

	if ((rc = fetch_window(f, NULL, 1, &today, &end)) != ERR_OK)
		return rc;
	for (i = 0; i < nitems(periods); i++) {
		if ((rc = meta_insights(f, arena_printf(f->a, "%s/%s/insights?"
		    "period=%s&since=%s&until=%s", meta_graph(f), page,
		    periods[i].period, day_add(f->a, end, -1 - periods[i].days),
		    end), reach, 1, got, &ngot)) != ERR_OK)
			return rc;
		if ((rc = syncnorm_facebook_totals(n, got[0])) != ERR_OK)
			return fetch_norm_failed(f, n, rc);
	}
	return ERR_OK;
}

/*
 * Content.  Fields used, from the Graph API's Page published_posts and
 * Post references: id, message (absent on a post without text),
 * permalink_url, created_time, reactions and comments with
 * summary(total_count) (limit(0): the counts without the lists) and
 * shares.count.  shares is absent from a post nobody shared, but Graph
 * does not document that, so an absent count stays NULL.  Every item is
 * a post.
 */
enum err
syncnorm_facebook_posts(struct syncnorm *n, struct json_object *body,
    const char *since, struct json_object *items, bool *older)
{
	struct json_object *data, *it, *o, *c;
	const char *id, *ts;
	size_t i;

	if ((data = syncnorm_array(body, "data")) == NULL)
		return syncnorm_bad(n, n->n, "Facebook: data is missing");
	for (i = 0; i < json_object_array_length(data); i++) {
		it = json_object_array_get_idx(data, i);
		if ((id = jsonx_str(it, "id")) == NULL ||
		    (ts = jsonx_str(it, "created_time")) == NULL ||
		    strlen(ts) < 10)
			return syncnorm_bad(n, n->n, "Facebook: data[%zu] "
			    "has no id or created_time", i);
		if (strncmp(ts, since, 10) < 0) {
			*older = true;
			continue;
		}
		o = syncnorm_item(n, id, "post", jsonx_str(it, "message"),
		    jsonx_str(it, "permalink_url"), ts);
		c = json_object_new_object();
		json_object_object_add(c, "likes", syncnorm_count_json(
		    jsonx_member(jsonx_member(jsonx_member(it, "reactions"),
		    "summary"), "total_count")));
		json_object_object_add(c, "comments", syncnorm_count_json(
		    jsonx_member(jsonx_member(jsonx_member(it, "comments"),
		    "summary"), "total_count")));
		json_object_object_add(c, "shares", syncnorm_count_json(
		    jsonx_member(jsonx_member(it, "shares"), "count")));
		json_object_object_add(o, "counts", c);
		json_object_array_add(items, o);
	}
	return ERR_OK;
}

void
syncnorm_facebook_post_insights(struct json_object *body,
    struct json_object *metrics)
{
	static const char *const names[][2] = {
		{ "post_media_view", "views" },
		{ "post_total_media_view_unique", "reach" },
	};

	meta_item_insights(body, metrics, names, nitems(names));
}

/*
 * The Page's posts of the last LIMIT_CONTENT_DAYS days (newest first,
 * Graph cursor pages) with their counts, and for those due a
 * measurement (fetch_items_due()) their lifetime insights: views
 * (post_media_view) and reach (post_total_media_view_unique, which
 * replaced post_impressions_unique in 2025).  No saves on Facebook.
 */
/* A post's numbers: its views and unique viewers (meta_content()). */
static enum err
post_metrics(struct fetch *f, struct json_object *item, const char *id,
    struct json_object *m)
{
	struct pcall_result res;
	enum err rc;

	(void)item;
	if ((rc = fetch_get(f, arena_printf(f->a, "%s/%s/insights?metric="
	    "post_media_view,post_total_media_view_unique", meta_graph(f),
	    httpc_escape(f->a, id)), &res)) != ERR_OK)
		return rc;
	syncnorm_facebook_post_insights(res.json, m);
	return ERR_OK;
}

/* The Page's posts of the content window, with their numbers. */
static enum err
content(struct fetch *f, struct syncnorm *n, const char *page)
{
	static const char *const counts[] = { "likes", "comments", "shares",
	    NULL };

	return meta_content(f, n, page, arena_printf(f->a, "%s/%s/"
	    "published_posts?fields=id,message,permalink_url,created_time,"
	    "shares,reactions.summary(total_count).limit(0),"
	    "comments.summary(total_count).limit(0)&limit=25", meta_graph(f),
	    httpc_escape(f->a, page)), syncnorm_facebook_posts, post_metrics,
	    counts);
}

/*
 * Page insights cover since..until-1 (Pacific days), at most 90 days a
 * call: the window in chunks, today included; then the reach totals.
 */
static enum err
fetch(struct fetch *f, struct syncnorm *n, const char *page)
{
	static const char *const metrics[] = { "page_media_view",
	    "page_total_media_view_unique", "page_post_engagements",
	    "page_views_total", "page_follows" };
	struct json_object *got[8];
	const char *from, *to, *since, *until, *end;
	size_t ngot, i;
	enum err rc;

	if ((rc = fetch_window(f, "America/Los_Angeles", f->days, &from,
	    &to)) != ERR_OK)
		return rc;
	/* Page insights want the Page's token, asked with the user's. */
	if ((rc = page_token(f, page)) != ERR_OK)
		return rc;
	end = day_add(f->a, to, 1);
	for (since = from; strcmp(since, end) < 0; since = until) {
		until = day_add(f->a, since, 90);
		if (strcmp(until, end) > 0)
			until = end;
		if ((rc = meta_insights(f, arena_printf(f->a, "%s/%s/insights?"
		    "period=day&since=%s&until=%s", meta_graph(f), page, since,
		    until), metrics, 5, got, &ngot)) != ERR_OK)
			return rc;
		for (i = 0; i < ngot; i++)
			if ((rc = syncnorm_facebook(n, got[i])) != ERR_OK)
				return fetch_norm_failed(f, n, rc);
	}
	if ((rc = fetch_reach(f, n, page)) != ERR_OK)
		return rc;
	return fetch_optional(f, content(f, n, page), "content",
	    page);
}

static const struct metric_def metrics[] = {
	/* Facebook's reach of each Page over the period (reach:Nd); the
	 * tile adds the Pages', so a person who saw two Pages counts
	 * twice, as in every tool that adds Pages. */
	METRIC_DEF_TOTALS_BUT("reach", "Reach", "count", METRIC_90D,
	    "Facebook gives page reach for 7 and 28 days only"),
	METRIC_DEF_SUM("impressions", "Impressions", "count"),
	METRIC_DEF_SUM("engagements", "Engagements", "count"),
	METRIC_DEF_SUM("page_views", "Page views", "count"),
	METRIC_DEF_LAST("followers", "Followers", "count"),
};

const struct provider provider_facebook = {
	.slug = "facebook",
	.name = "Facebook Pages",
	META_PROVIDER,
	.api_version = "Graph API",
	.version_env = "SLUICE_FACEBOOK_API_VERSION",
	.env = "FACEBOOK",
	.scopes = "pages_show_list,pages_read_engagement,read_insights",
	.accounts = "pages",
	.content = true,
	.mark = "Fb",
	.mark_colour = "#1465d8",
	.reads = "Daily reach, impressions, engagements, page views and "
	    "followers of the Facebook Pages you choose. Sluice only reads; "
	    "nothing is posted.",
	.days = "Pacific time, as Meta counts a Page's days",
	.words = { "fb" },
	PROVIDER_CATALOGUE(metrics),
	.list = list,
	.fetch = fetch,
};
