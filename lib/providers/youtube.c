/* youtube.c — YouTube: channels, daily analytics, subscribers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "base/arena.h"
#include "base/jsonx.h"
#include "base/limit.h"
#include "base/mem.h"
#include "net/httpc.h"
#include "providers/accounts.h"
#include "providers/fetch.h"
#include "providers/google.h"
#include "providers/pcall.h"
#include "providers/provider.h"
#include "providers/syncnorm.h"

enum err
syncnorm_youtube(struct syncnorm *n, struct json_object *report)
{
	static const struct { const char *api, *metric; } m[] = {
		{ "views", "views" },
		{ "estimatedMinutesWatched", "watch_minutes" },
		{ "subscribersGained", "subscribers_gained" },
		{ "subscribersLost", "subscribers_lost" },
		{ "likes", "likes" },
		{ "comments", "comments" },
		{ "shares", "shares" },
	};
	struct json_object *hs, *rows, *row;
	int col[nitems(m)], daycol = -1;
	const char *name, *day, *v;
	size_t i, k, j, nh, mark = n->n;

	if ((hs = syncnorm_array(report, "columnHeaders")) == NULL)
		return syncnorm_bad(n, mark, "YouTube: columnHeaders is "
		    "missing");
	nh = json_object_array_length(hs);
	for (k = 0; k < nitems(m); k++)
		col[k] = -1;
	for (j = 0; j < nh; j++) {
		name = syncnorm_text(jsonx_member(json_object_array_get_idx(hs,
		    j), "name"));
		if (name == NULL)
			return syncnorm_bad(n, mark, "YouTube: "
			    "columnHeaders[%zu].name is missing", j);
		if (strcmp(name, "day") == 0)
			daycol = (int)j;
		for (k = 0; k < nitems(m); k++)
			if (strcmp(name, m[k].api) == 0)
				col[k] = (int)j;
	}
	if (daycol < 0)
		return syncnorm_bad(n, mark, "YouTube: no day column");
	if ((rows = jsonx_member(report, "rows")) == NULL)
		return ERR_OK;
	if (!json_object_is_type(rows, json_type_array))
		return syncnorm_bad(n, mark, "YouTube: rows is not an array");
	for (i = 0; i < json_object_array_length(rows); i++) {
		row = json_object_array_get_idx(rows, i);
		if (!json_object_is_type(row, json_type_array) ||
		    json_object_array_length(row) != nh)
			return syncnorm_bad(n, mark, "YouTube: rows[%zu] does "
			    "not match columnHeaders", i);
		day = syncnorm_text(json_object_array_get_idx(row,
		    (size_t)daycol));
		if (!syncnorm_is_day(day))
			return syncnorm_bad(n, mark, "YouTube: rows[%zu].day "
			    "is not YYYY-MM-DD", i);
		for (k = 0; k < nitems(m); k++) {
			if (col[k] < 0)
				continue;
			v = syncnorm_count(json_object_array_get_idx(row,
			    (size_t)col[k]));
			if (v == NULL)
				return syncnorm_bad(n, mark, "YouTube: "
				    "rows[%zu].%s is not a count", i, m[k].api);
			if (syncnorm_add(n, NULL, m[k].metric, day, v, NULL) !=
			    ERR_OK)
				return syncnorm_bad(n, mark, "YouTube: too "
				    "many rows");
		}
	}
	return ERR_OK;
}

enum err
syncnorm_youtube_channel(struct syncnorm *n, struct json_object *list,
    const char *day)
{
	struct json_object *items;
	const char *v;

	items = syncnorm_array(list, "items");
	if (items == NULL || json_object_array_length(items) == 0)
		return ERR_OK;
	v = syncnorm_count(jsonx_member(jsonx_member(
	    json_object_array_get_idx(items, 0), "statistics"),
	    "subscriberCount"));
	if (v == NULL)
		return ERR_OK;	/* hidden subscriber count */
	return syncnorm_add(n, NULL, "subscribers", day, v, NULL);
}

static enum err
channel(struct accounts_lister *l, struct json_object *it)
{
	accounts_add(l, jsonx_text(it, "id"), jsonx_text(jsonx_member(it,
	    "snippet"), "title"), NULL, NULL);
	return ERR_OK;
}

/* The channels of the signed-in account (mine). */
static enum err
list(struct accounts_lister *l)
{
	static const struct accounts_listing how = { "items", channel, NULL };

	return accounts_walk(l, arena_printf(l->a, "%s/channels?part=id,"
	    "snippet&mine=true", accounts_base(l, PROVIDER_API_BASE)), &how);
}

static enum err
fetch(struct fetch *f, struct syncnorm *n, const char *chan)
{
	struct pcall_result res;
	const char *url, *from, *to;
	size_t before, i;
	enum err rc;

	/* YouTube's days are Pacific. */
	if ((rc = fetch_window(f, "America/Los_Angeles", f->days, &from,
	    &to)) != ERR_OK)
		return rc;
	url = arena_printf(f->a, "%s/reports?ids=channel%%3D%%3D%s&"
	    "startDate=%s&endDate=%s&metrics=views,estimatedMinutesWatched,"
	    "subscribersGained,subscribersLost,likes,comments,shares&"
	    "dimensions=day&sort=day", fetch_base(f, PROVIDER_API_BASE2),
	    httpc_escape(f->a, chan), from, to);
	if ((rc = fetch_get(f, url, &res)) != ERR_OK)
		return rc;
	before = n->n;
	if ((rc = syncnorm_youtube(n, res.json)) != ERR_OK)
		return fetch_norm_failed(f, n, rc);
	/* The last day published: the next run asks from the day after. */
	for (i = before; i < n->n; i++)
		if (f->through == NULL || strcmp(n->rows[i].date,
		    f->through) > 0)
			f->through = n->rows[i].date;
	url = arena_printf(f->a, "%s/channels?part=statistics&id=%s",
	    fetch_base(f, PROVIDER_API_BASE), httpc_escape(f->a, chan));
	if ((rc = fetch_get(f, url, &res)) != ERR_OK)
		return rc;
	if ((rc = syncnorm_youtube_channel(n, res.json, to)) != ERR_OK)
		f->why = n->why;
	return rc;
}

static const struct metric_def metrics[] = {
	METRIC_DEF_SUM("views", "Views", "count"),
	METRIC_DEF_SUM("watch_minutes", "Watch time", "minutes"),
	METRIC_DEF_SUM("subscribers_gained", "Subscribers gained", "count"),
	METRIC_DEF_SUM("subscribers_lost", "Subscribers lost", "count"),
	METRIC_DEF_LAST("subscribers", "Subscribers", "count"),
	METRIC_DEF_SUM("likes", "Likes", "count"),
	METRIC_DEF_SUM("comments", "Comments", "count"),
	METRIC_DEF_SUM("shares", "Shares", "count"),
};

const struct provider provider_youtube = {
	.slug = "youtube",
	.name = "YouTube",
	GOOGLE_PROVIDER,
	.env = "YOUTUBE",
	.urls[PROVIDER_API_BASE] = "https://www.googleapis.com/youtube/v3",
	.urls[PROVIDER_API_BASE2] =
	    "https://youtubeanalytics.googleapis.com/v2",
	.scopes = "openid email "
	    "https://www.googleapis.com/auth/youtube.readonly "
	    "https://www.googleapis.com/auth/yt-analytics.readonly",
	.restatement_days = 2,
	/* Analytics publishes a day 2-3 days after it ends. */
	.lag_days = 3,
	.accounts = "channels",
	.mark = "YT",
	.mark_colour = "#c4000c",
	.reads = "Daily views, watch time, subscribers, likes, comments and "
	    "shares of the channels you choose. Sluice only reads; nothing "
	    "is uploaded or changed.",
	.days = "Pacific time, as YouTube Analytics counts them",
	.api_version = "Data API v3, Analytics API v2",
	.sandbox[2] = { "youtube", "data",
	    "https://www.googleapis.com/youtube/v3", "/sandbox/youtube/v3" },
	.sandbox[3] = { "youtube", "analytics",
	    "https://youtubeanalytics.googleapis.com",
	    "/sandbox/youtube-analytics" },
	PROVIDER_CATALOGUE(metrics),
	.list = list,
	.fetch = fetch,
};
