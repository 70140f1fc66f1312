/* instagram.c — Instagram: business accounts, reach, views, followers. */
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
syncnorm_instagram(struct syncnorm *n, struct json_object *body,
    const char *day, int totals_days)
{
	static const char *const series[][2] = { { "reach", "reach" } };
	static const char *const totals[][2] = {
		{ "views", "views" },
		{ "total_interactions", "engagements" },
		{ "profile_views", "profile_views" },
		{ "reach", "reach" },
	};
	struct json_object *data, *it;
	const char *name, *val;
	size_t i, k, mark = n->n;

	if (day == NULL)
		return meta_series(n, mark, body, "Instagram", series, 1);
	if ((data = syncnorm_array(body, "data")) == NULL)
		return syncnorm_bad(n, mark, "Instagram: data is missing");
	for (i = 0; i < json_object_array_length(data); i++) {
		it = json_object_array_get_idx(data, i);
		if ((name = syncnorm_text(jsonx_member(it, "name"))) == NULL)
			return syncnorm_bad(n, mark, "Instagram: "
			    "data[%zu].name is missing", i);
		for (k = 0; k < nitems(totals); k++)
			if (strcmp(totals[k][0], name) == 0)
				break;
		if (k == nitems(totals))
			continue;
		val = syncnorm_count(jsonx_member(jsonx_member(it,
		    "total_value"), "value"));
		if (val == NULL)
			return syncnorm_bad(n, mark, "Instagram: "
			    "data[%zu].total_value.value is not a count", i);
		if (totals_days > 0)
			syncnorm_add(n, NULL, arena_printf(n->a, "%s:%dd",
			    totals[k][1], totals_days), day, val, NULL);
		else if (strcmp(name, "reach") != 0)
			syncnorm_add(n, NULL, totals[k][1], day, val, NULL);
	}
	return ERR_OK;
}

enum err
syncnorm_instagram_user(struct syncnorm *n, struct json_object *user,
    const char *day)
{
	return syncnorm_count_on(n, "Instagram", user, "followers_count",
	    "followers", day);
}

/*
 * Content.  Fields used, from the Graph API's IG Media reference: id,
 * caption (absent on an item without one), media_product_type (FEED,
 * REELS, STORY, AD: the type; media_type IMAGE/VIDEO/CAROUSEL_ALBUM does
 * not tell a reel from a feed video), permalink, timestamp (UTC,
 * "2026-11-30T18:10:00+0000"), like_count (absent when the owner hid the
 * likes) and comments_count: likes and comments come from the listing,
 * the rest from the item's insights.
 */
enum err
syncnorm_instagram_media(struct syncnorm *n, struct json_object *body,
    const char *since, struct json_object *items, bool *older)
{
	struct json_object *data, *it, *o, *counts;
	const char *id, *ts, *pt;
	size_t i;

	if ((data = syncnorm_array(body, "data")) == NULL)
		return syncnorm_bad(n, n->n, "Instagram: data is missing");
	for (i = 0; i < json_object_array_length(data); i++) {
		it = json_object_array_get_idx(data, i);
		if ((id = syncnorm_text(jsonx_member(it, "id"))) == NULL ||
		    (ts = jsonx_str(it, "timestamp")) == NULL ||
		    strlen(ts) < 10)
			return syncnorm_bad(n, n->n, "Instagram: data[%zu] "
			    "has no id or timestamp", i);
		if (strncmp(ts, since, 10) < 0) {
			*older = true;
			continue;
		}
		pt = jsonx_str(it, "media_product_type");
		o = syncnorm_item(n, id, pt != NULL && strcmp(pt, "REELS") ==
		    0 ? "reel" : pt != NULL && strcmp(pt, "STORY") == 0 ?
		    "story" : "post", jsonx_str(it, "caption"),
		    jsonx_str(it, "permalink"), ts);
		counts = json_object_new_object();
		json_object_object_add(counts, "likes", syncnorm_count_json(
		    jsonx_member(it, "like_count")));
		json_object_object_add(counts, "comments", syncnorm_count_json(
		    jsonx_member(it, "comments_count")));
		json_object_object_add(o, "counts", counts);
		json_object_array_add(items, o);
	}
	return ERR_OK;
}

void
syncnorm_instagram_media_insights(struct json_object *body,
    struct json_object *metrics)
{
	static const char *const names[][2] = { { "views", "views" },
	    { "reach", "reach" }, { "saved", "saves" },
	    { "shares", "shares" } };

	meta_item_insights(body, metrics, names, nitems(names));
}

/*
 * The account's media of the last LIMIT_CONTENT_DAYS days (newest first,
 * Graph cursor pages, at most LIMIT_SYNC_PAGES) and, for those due a
 * measurement (fetch_items_due()), their lifetime insights: views,
 * reach, saved, shares (stories: views, reach, shares; impressions and
 * plays are gone since v22).  An item Instagram has no insights for
 * (an empty data[], or error 10: not enough viewers) keeps them null.
 */
/*
 * A media item's numbers (meta_content()): views, reach, saves (not for
 * a story) and shares.  An item the API will not report on (error code
 * 10: too few viewers) keeps nulls.
 */
static enum err
media_metrics(struct fetch *f, struct json_object *item, const char *id,
    struct json_object *m)
{
	struct pcall_result res;
	struct json_object *err;
	enum err rc;

	rc = fetch_get(f, arena_printf(f->a, "%s/%s/insights?metric=%s",
	    meta_graph(f), httpc_escape(f->a, id), strcmp(jsonx_str(item,
	    "type"), "story") == 0 ? "views,reach,shares" :
	    "views,reach,saved,shares"), &res);
	err = rc != ERR_OK ? jsonx_member(res.json, "error") : NULL;
	if (rc != ERR_OK && (err == NULL || jsonx_text(err, "code") == NULL ||
	    strcmp(jsonx_text(err, "code"), "10") != 0))
		return rc;
	f->why = NULL;
	syncnorm_instagram_media_insights(rc == ERR_OK ? res.json : NULL, m);
	return ERR_OK;
}

/* The account's media of the content window, with their numbers. */
static enum err
content(struct fetch *f, struct syncnorm *n, const char *ig)
{
	static const char *const counts[] = { "likes", "comments", NULL };

	return meta_content(f, n, ig, arena_printf(f->a, "%s/%s/media?"
	    "fields=id,caption,media_type,media_product_type,permalink,"
	    "timestamp,like_count,comments_count&limit=50", meta_graph(f),
	    ig), syncnorm_instagram_media, media_metrics, counts);
}

/* Instagram: the business account behind one page, if it has one. */
static enum err
of_page(struct accounts_lister *l, struct json_object *page)
{
	struct pcall_result r;
	struct json_object *ig;
	enum err rc;

	if (jsonx_text(page, "id") == NULL)
		return ERR_OK;
	rc = accounts_get(l, arena_printf(l->a, "%s/%s?"
	    "fields=instagram_business_account", accounts_base(l,
	    PROVIDER_API_BASE), httpc_escape(l->a, jsonx_text(page, "id"))),
	    &r);
	if (rc != ERR_OK)
		return rc;
	if ((ig = jsonx_member(r.json, "instagram_business_account")) != NULL)
		accounts_add(l, jsonx_text(ig, "id"), arena_printf(l->a,
		    "%s (Instagram)", jsonx_text(page, "name") ?
		    jsonx_text(page, "name") : jsonx_text(ig, "id")), NULL,
		    NULL);
	return ERR_OK;
}

/* The business accounts behind the login's Pages. */
static enum err
list(struct accounts_lister *l)
{
	return meta_pages_walk(l, of_page);
}

/*
 * Instagram: reach as a daily series; views, interactions and profile
 * views only as total_value (one number per window), so one call a day;
 * reach totals for 7 and 28 days; followers from the user.
 */
static enum err
fetch(struct fetch *f, struct syncnorm *n, const char *ig)
{
	static const char *const series[] = { "reach" };
	static const char *const totals[] = { "views", "total_interactions",
	    "profile_views" };
	static const char *const reach[] = { "reach" };
	static const int periods[] = { 7, 28 };
	struct pcall_result res;
	struct json_object *got[8];
	const char *url, *from, *to, *day, *end, *first, *last;
	size_t ngot, i;
	enum err rc;

	if ((rc = fetch_window(f, "America/Los_Angeles", f->days, &from,
	    &to)) != ERR_OK)
		return rc;
	if ((rc = meta_insights(f, arena_printf(f->a, "%s/%s/insights?"
	    "period=day&since=%s&until=%s", meta_graph(f), ig, from,
	    day_add(f->a, to, 1)), series, 1, got, &ngot)) != ERR_OK)
		return rc;
	for (i = 0; i < ngot; i++)
		if ((rc = syncnorm_instagram(n, got[i], NULL, 0)) != ERR_OK)
			return fetch_norm_failed(f, n, rc);
	for (day = from; strcmp(day, to) <= 0; day = day_add(f->a, day, 1)) {
		if ((rc = meta_insights(f, arena_printf(f->a, "%s/%s/insights?"
		    "period=day&metric_type=total_value&since=%s&until=%s",
		    meta_graph(f), ig, day, day_add(f->a, day, 1)), totals, 3,
		    got, &ngot)) != ERR_OK)
			return rc;
		for (i = 0; i < ngot; i++)
			if ((rc = syncnorm_instagram(n, got[i], day, 0)) !=
			    ERR_OK)
				return fetch_norm_failed(f, n, rc);
	}
	/*
	 * Reach totals for the tiles' periods: the 7 and 28 days ending
	 * yesterday in the workspace's zone, and the periods before them
	 * while they lie within the days Instagram keeps.
	 */
	if ((rc = fetch_window(f, NULL, 1, &day, &end)) != ERR_OK)
		return rc;
	end = day_add(f->a, end, -1);
	for (i = 0; i < 2 * nitems(periods); i++) {
		last = day_add(f->a, end, -(int)(i % 2) * periods[i / 2]);
		first = day_add(f->a, last, 1 - periods[i / 2]);
		if (strcmp(first, day_add(f->a, to, -(f->p->keeps_days - 1))) <
		    0)
			continue;
		if ((rc = meta_insights(f, arena_printf(f->a, "%s/%s/insights?"
		    "period=day&metric_type=total_value&since=%s&until=%s",
		    meta_graph(f), ig, first, day_add(f->a, last, 1)), reach, 1,
		    got, &ngot)) != ERR_OK)
			return rc;
		if ((rc = syncnorm_instagram(n, got[0], last, periods[i / 2]))
		    != ERR_OK)
			return fetch_norm_failed(f, n, rc);
	}
	url = arena_printf(f->a, "%s/%s?fields=followers_count,media_count,"
	    "username", meta_graph(f), ig);
	if ((rc = fetch_get(f, url, &res)) != ERR_OK)
		return rc;
	if ((rc = syncnorm_instagram_user(n, res.json, to)) != ERR_OK) {
		f->why = n->why;
		return rc;
	}
	return fetch_optional(f, content(f, n, ig), "content",
	    ig);
}

static const struct metric_def metrics[] = {
	METRIC_DEF_TOTALS_BUT("reach", "Reach", "count", METRIC_90D,
	    "Instagram gives reach totals for at most 30 days"),
	METRIC_DEF_SUM("views", "Views", "count"),
	METRIC_DEF_SUM("engagements", "Engagements", "count"),
	METRIC_DEF_SUM("profile_views", "Profile views", "count"),
	METRIC_DEF_LAST("followers", "Followers", "count"),
};

const struct provider provider_instagram = {
	.slug = "instagram",
	.name = "Instagram",
	META_PROVIDER,
	.api_version = "Graph API (Instagram)",
	.version_env = "SLUICE_INSTAGRAM_API_VERSION",
	.env = "INSTAGRAM",
	.scopes = "instagram_basic,instagram_manage_insights,pages_show_list,"
	    "pages_read_engagement",
	.keeps_days = 30,
	.accounts = "business accounts",
	.content = true,
	.mark = "Ig",
	.mark_colour = "#b8237a",
	.reads = "Daily reach, views, engagements, profile views and "
	    "followers of the business accounts you choose. Sluice only "
	    "reads; nothing is posted.",
	.days = "Pacific time, as Meta counts its days",
	.words = { "insta", "ig" },
	PROVIDER_CATALOGUE(metrics),
	.list = list,
	.fetch = fetch,
};
