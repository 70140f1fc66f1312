/* youtube.c — YouTube: channels, daily analytics, subscribers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "base/arena.h"
#include "base/buf.h"
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

/* Seconds of an ISO 8601 duration as YouTube gives it ("PT1M5S",
 * "P1DT2H"); -1 when it is not one. */
static long
duration_s(const char *d)
{
	long v, total = 0;
	bool time = false;
	char *end;

	if (d == NULL || *d++ != 'P')
		return -1;
	while (*d != '\0') {
		if (*d == 'T') {
			time = true;
			d++;
			continue;
		}
		v = strtol(d, &end, 10);
		if (end == d || v < 0)
			return -1;
		switch (*end) {
		case 'D':
			total += v * 86400;
			break;
		case 'H':
			total += v * 3600;
			break;
		case 'M':
			total += time ? v * 60 : v * 30 * 86400;
			break;
		case 'S':
			total += v;
			break;
		case 'W':
			total += v * 7 * 86400;
			break;
		default:
			return -1;
		}
		d = end + 1;
	}
	return total;
}

/*
 * Content.  Fields used, from the Data API's videos resource: id,
 * snippet.title (the caption; YouTube has no other short text),
 * snippet.publishedAt, contentDetails.duration, statistics.viewCount,
 * likeCount (absent when the owner hides likes) and commentCount
 * (absent when comments are off).  The API does not say which videos
 * are Shorts: a video of at most three minutes is taken for one (Shorts
 * may be that long since October 2024), and linked as /shorts/ID.  No
 * reach, shares or saves: those numbers are NULL.
 */
enum err
syncnorm_youtube_videos(struct syncnorm *n, struct json_object *body,
    struct json_object *items)
{
	static const char *const counts[][2] = { { "viewCount", "views" },
	    { "likeCount", "likes" }, { "commentCount", "comments" } };
	struct json_object *list, *it, *sn, *st, *o, *c;
	const char *id, *ts;
	long secs;
	size_t i, k;

	if ((list = syncnorm_array(body, "items")) == NULL)
		return syncnorm_bad(n, n->n, "YouTube: items is missing");
	for (i = 0; i < json_object_array_length(list); i++) {
		it = json_object_array_get_idx(list, i);
		sn = jsonx_member(it, "snippet");
		if ((id = jsonx_str(it, "id")) == NULL ||
		    (ts = jsonx_str(sn, "publishedAt")) == NULL)
			return syncnorm_bad(n, n->n, "YouTube: items[%zu] "
			    "has no id or snippet.publishedAt", i);
		secs = duration_s(jsonx_str(jsonx_member(it,
		    "contentDetails"), "duration"));
		o = syncnorm_item(n, id, secs >= 0 && secs <= 180 ? "short" :
		    "video", jsonx_str(sn, "title"), arena_printf(n->a,
		    "https://www.youtube.com/%s%s", secs >= 0 && secs <= 180 ?
		    "shorts/" : "watch?v=", id), ts);
		st = jsonx_member(it, "statistics");
		c = json_object_new_object();
		for (k = 0; k < nitems(counts); k++)
			json_object_object_add(c, counts[k][1],
			    syncnorm_count_json(jsonx_member(st,
			    counts[k][0])));
		json_object_object_add(o, "counts", c);
		json_object_array_add(items, o);
	}
	return ERR_OK;
}

/*
 * The channel's uploads of the last LIMIT_CONTENT_DAYS days: the uploads
 * playlist (channels part=contentDetails), its items newest first in
 * pages of 50 (playlistItems: contentDetails.videoId and
 * videoPublishedAt) until one is older, then the videos themselves in
 * batches of 50 (videos part=snippet,statistics,contentDetails: one unit
 * of quota a call, as playlistItems; search would cost 100).  Numbers
 * are kept for the videos due a measurement (fetch_items_due()).
 */
/* A video's metrics: the counts its listing gave (fetch_content_keep()). */
static enum err
video_metrics(struct fetch *f, struct json_object *item, const char *id,
    void *arg, struct json_object **out)
{
	(void)f;
	(void)id;
	(void)arg;
	*out = json_object_get(jsonx_member(item, "counts"));
	return ERR_OK;
}

static enum err
content(struct fetch *f, const char *chan)
{
	struct pcall_result res;
	struct json_object *list, *it, *items, *ids, *due;
	struct fetch_items fi;
	struct buf *batch;
	const char *uploads, *url, *from, *to, *token = NULL, *vid, *at;
	struct syncnorm n;
	bool older = false;
	size_t i, nb;
	long pages;
	enum err rc;

	if ((rc = fetch_window(f, "UTC", LIMIT_CONTENT_DAYS, &from, &to)) !=
	    ERR_OK)
		return rc;
	if ((rc = fetch_get(f, arena_printf(f->a, "%s/channels?part="
	    "contentDetails&id=%s", fetch_base(f, PROVIDER_API_BASE),
	    httpc_escape(f->a, chan)), &res)) != ERR_OK)
		return rc;
	list = syncnorm_array(res.json, "items");
	uploads = list == NULL || json_object_array_length(list) == 0 ? NULL :
	    jsonx_str(jsonx_member(jsonx_member(json_object_array_get_idx(
	    list, 0), "contentDetails"), "relatedPlaylists"), "uploads");
	syncnorm_init(&n, f->a, f->p->slug, chan);
	items = jsonx_own(f->a, json_object_new_array());
	ids = jsonx_own(f->a, json_object_new_array());
	for (pages = 0; uploads != NULL && !older && pages < LIMIT_SYNC_PAGES;
	    pages++) {
		url = arena_printf(f->a, "%s/playlistItems?part="
		    "contentDetails&playlistId=%s&maxResults=50%s%s",
		    fetch_base(f, PROVIDER_API_BASE), httpc_escape(f->a,
		    uploads), token != NULL ? "&pageToken=" : "",
		    token != NULL ? httpc_escape(f->a, token) : "");
		if ((rc = fetch_get(f, url, &res)) != ERR_OK)
			return rc;
		list = syncnorm_array(res.json, "items");
		for (i = 0; list != NULL && i < json_object_array_length(list);
		    i++) {
			it = jsonx_member(json_object_array_get_idx(list, i),
			    "contentDetails");
			vid = jsonx_str(it, "videoId");
			at = jsonx_str(it, "videoPublishedAt");
			if (vid == NULL || at == NULL)
				continue;	/* a private or deleted video */
			if (strncmp(at, from, 10) < 0) {
				older = true;
				continue;
			}
			json_object_array_add(ids, json_object_new_string(vid));
		}
		if ((token = jsonx_str(res.json, "nextPageToken")) == NULL)
			break;
	}
	batch = buf_new_arena(f->a, 50 * 64);
	for (i = 0, nb = 0; i <= json_object_array_length(ids); i++) {
		if (i < json_object_array_length(ids)) {
			buf_printf(batch, "%s%s", nb > 0 ? "," : "",
			    httpc_escape(f->a, json_object_get_string(
			    json_object_array_get_idx(ids, i))));
			if (++nb < 50)
				continue;
		}
		if (nb == 0)
			break;
		if ((rc = fetch_get(f, arena_printf(f->a, "%s/videos?part="
		    "snippet,statistics,contentDetails&id=%s&maxResults=50",
		    fetch_base(f, PROVIDER_API_BASE), buf_cstr(batch)), &res))
		    != ERR_OK)
			return rc;
		if ((rc = syncnorm_youtube_videos(&n, res.json, items)) !=
		    ERR_OK)
			return fetch_norm_failed(f, &n, rc);
		batch = buf_new_arena(f->a, 50 * 64);
		nb = 0;
	}
	if ((rc = fetch_content_due(f, &fi, chan, from, items, &due)) !=
	    ERR_OK)
		return rc;
	return fetch_content_keep(f, &fi, items, due, video_metrics, NULL);
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
	if ((rc = syncnorm_youtube_channel(n, res.json, to)) != ERR_OK) {
		f->why = n->why;
		return rc;
	}
	return fetch_optional(f, content(f, chan), "content",
	    chan);
}

static const struct metric_def metrics[] = {
	METRIC_DEF_SUM("views", "Views", "count"),
	{ .name = "watch_minutes", .label = "Watch time",
	    .unit = "minutes", .agg = METRIC_SUM,
	    .words = { "watch time" } },
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
	.login_hint = "login_hint",
	.scopes = "openid email "
	    "https://www.googleapis.com/auth/youtube.readonly "
	    "https://www.googleapis.com/auth/yt-analytics.readonly",
	.restatement_days = 2,
	/* Analytics publishes a day 2-3 days after it ends. */
	.lag_days = 3,
	.accounts = "channels",
	.content = true,
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
