/*
 * youtube.c — YouTube in the sandbox: channels and Analytics reports.
 *
 * The Data API's channels (mine), uploads playlist items and videos, and
 * the Analytics API's reports.  OAuth
 * is Google's (google.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "base/arena.h"
#include "base/jsonx.h"
#include "base/mem.h"
#include "sandbox/sandbox_priv.h"

#define GJU	"application/json; charset=UTF-8"
#define YT_RESTATE	3
#define YT_LAG		2	/* days a day is published late */
#define YT_LATE		3	/* the same with the "late" switch */

/* {error:{errors[],code,message}}. */
static const struct sandbox_api yt_api = {
	.name = "youtube",
	.prov = SANDBOX_GOOGLE_PROV,
	.invalid = "youtube-401",
};

/* ------------------------------------------------------------------ */
/* YouTube. */

static enum err
api_channels(struct ctx *ctx)
{
	const char *part, *etag, *id;
	struct sandbox_day d;
	struct sbx sx;
	enum err rc;
	int64_t today, i, views = 0;
	bool empty;

	if (!sandbox_begin(ctx, &yt_api, SBX_AUTH, &sx, &rc))
		return rc;
	part = req_query(&ctx->req, "part");
	if (part == NULL)
		part = "id";
	empty = sandbox_is(&sx, "empty");
	etag = sandbox_hexid(&sx, arena_printf(ctx->arena, "yt%d%s%d",
	    sx.tok.user, part, empty), 27);
	id = arena_printf(ctx->arena, "UCsbx%s", sandbox_hexid(&sx,
	    arena_printf(ctx->arena, "ytch%d", sx.tok.user), 19));
	sandbox_start(&sx, 200, GJU);
	buf_printf(sx.out, "{\"kind\":\"youtube#channelListResponse\","
	    "\"etag\":\"%s\",\"pageInfo\":{\"totalResults\":%d,"
	    "\"resultsPerPage\":5}", etag, empty ? 0 : 1);
	if (!empty) {
		buf_printf(sx.out, ",\"items\":[{\"kind\":\"youtube#channel\","
		    "\"etag\":\"%s\",\"id\":\"%s\"", sandbox_hexid(&sx, id,
		    27), id);
		if (strstr(part, "snippet") != NULL)
			buf_printf(sx.out, ",\"snippet\":{\"title\":\"Sandbox "
			    "Channel %d\",\"description\":\"A channel of the "
			    "Sluice sandbox.\",\"customUrl\":\"@sandbox%d\","
			    "\"publishedAt\":\"2019-04-12T15:31:08Z\","
			    "\"thumbnails\":{\"default\":{\"url\":"
			    "\"https://example.invalid/a88.png\",\"width\":88,"
			    "\"height\":88},\"medium\":{\"url\":"
			    "\"https://example.invalid/a240.png\",\"width\":"
			    "240,\"height\":240},\"high\":{\"url\":"
			    "\"https://example.invalid/a800.png\",\"width\":"
			    "800,\"height\":800}},\"localized\":{\"title\":"
			    "\"Sandbox Channel %d\",\"description\":\"A "
			    "channel of the Sluice sandbox.\"},\"country\":"
			    "\"US\"}", sx.tok.user, sx.tok.user, sx.tok.user);
		if (strstr(part, "contentDetails") != NULL)
			buf_printf(sx.out, ",\"contentDetails\":{"
			    "\"relatedPlaylists\":{\"likes\":\"\",\"uploads\":"
			    "\"UU%s\"}}", id + 2);
		if (strstr(part, "statistics") != NULL) {
			today = sandbox_today(sx.now, 0);
			for (i = 1; i <= 30; i++) {
				sandbox_series(id, today - i, today, 0, &d);
				views += d.views;
			}
			buf_printf(sx.out, ",\"statistics\":{\"viewCount\":"
			    "\"%lld\",\"subscriberCount\":\"%lld\","
			    "\"hiddenSubscriberCount\":false,\"videoCount\":"
			    "\"%d\"}", (long long)views * 20,
			    (long long)views / 12, 50 + sx.tok.user * 31);
		}
		buf_puts(sx.out, "}]");
	}
	buf_puts(sx.out, "}");
	return sandbox_done(&sx);
}

static int64_t
yt_value(const char *m, const struct sandbox_day *d, bool *ok)
{
	*ok = true;
	if (strcmp(m, "views") == 0)
		return d->views;
	if (strcmp(m, "estimatedMinutesWatched") == 0)
		return d->minutes;
	if (strcmp(m, "averageViewDuration") == 0)
		return d->views ? d->minutes * 60 / d->views : 0;
	if (strcmp(m, "subscribersGained") == 0)
		return d->follows;
	if (strcmp(m, "subscribersLost") == 0)
		return d->unfollows;
	if (strcmp(m, "likes") == 0)
		return d->likes;
	if (strcmp(m, "dislikes") == 0)
		return d->likes / 30;
	if (strcmp(m, "comments") == 0)
		return d->comments;
	if (strcmp(m, "shares") == 0)
		return d->shares;
	*ok = false;
	return 0;
}

static enum err
yt_bad(struct sbx *sx, const char *msg)
{
	resp_clear(&sx->ctx->resp);
	sandbox_start(sx, 400, GJU);
	buf_puts(sx->out, "{\"error\":{\"code\":400,\"message\":");
	sandbox_jstr(sx->out, msg);
	buf_puts(sx->out, ",\"errors\":[{\"message\":");
	sandbox_jstr(sx->out, msg);
	buf_puts(sx->out, ",\"domain\":\"global\",\"reason\":\"badRequest\""
	    "}],\"status\":\"INVALID_ARGUMENT\"}}");
	return ERR_OK;
}

static enum err
api_reports(struct ctx *ctx)
{
	const char *ids, *metrics, *dims, *chan;
	char *list, *tok, *save, *names[20], day[11];
	int64_t today, d0, d1, d, v, lag;
	struct sandbox_day sd;
	size_t n = 0, i, rows = 0;
	struct sbx sx;
	enum err rc;
	bool ok, by_day;

	if (!sandbox_begin(ctx, &yt_api, SBX_AUTH, &sx, &rc))
		return rc;
	ids = req_query(&ctx->req, "ids");
	metrics = req_query(&ctx->req, "metrics");
	dims = req_query(&ctx->req, "dimensions");
	d0 = sandbox_day_parse(req_query(&ctx->req, "startDate"));
	d1 = sandbox_day_parse(req_query(&ctx->req, "endDate"));
	if (ids == NULL || strncmp(ids, "channel==", 9) != 0)
		return yt_bad(&sx, "Invalid value for ids.");
	if (metrics == NULL || d0 < 0 || d1 < d0 || d1 - d0 > 3660)
		return yt_bad(&sx, "startDate, endDate and metrics are "
		    "required.");
	if (dims != NULL && *dims != '\0' && strcmp(dims, "day") != 0)
		return yt_bad(&sx, "The sandbox knows only the day "
		    "dimension.");
	by_day = dims != NULL && strcmp(dims, "day") == 0;
	chan = strcmp(ids + 9, "MINE") == 0 ? arena_printf(ctx->arena,
	    "UCsbx%s", sandbox_hexid(&sx, arena_printf(ctx->arena, "ytch%d",
	    sx.tok.user), 19)) : ids + 9;
	list = arena_strdup(ctx->arena, metrics);
	for (tok = strtok_r(list, ",", &save); tok != NULL && n < 20;
	    tok = strtok_r(NULL, ",", &save)) {
		yt_value(tok, &sd, &ok);
		if (!ok)
			return yt_bad(&sx, arena_printf(ctx->arena, "Unknown "
			    "identifier (%s) given in field "
			    "parameters.metrics.", tok));
		names[n++] = tok;
	}
	today = sandbox_today(sx.now, -8);	/* Pacific days */
	sandbox_start(&sx, 200, GJU);
	buf_puts(sx.out, "{\"kind\":\"youtubeAnalytics#resultTable\","
	    "\"columnHeaders\":[");
	if (by_day)
		buf_puts(sx.out, "{\"name\":\"day\",\"columnType\":"
		    "\"DIMENSION\",\"dataType\":\"STRING\"},");
	for (i = 0; i < n; i++)
		buf_printf(sx.out, "%s{\"name\":\"%s\",\"columnType\":"
		    "\"METRIC\",\"dataType\":\"INTEGER\"}", i ? "," : "",
		    names[i]);
	buf_puts(sx.out, "]");
	/* The newest days are not published yet (2 days, 3 "late"). */
	lag = sandbox_is(&sx, "late") ? YT_LATE : YT_LAG;
	for (d = by_day ? d0 : d1; d <= d1 && !sandbox_is(&sx, "empty");
	    d++) {
		if (by_day && d > today - lag)
			break;
		if (by_day)
			sandbox_series(chan, d, today, YT_RESTATE, &sd);
		else
			sandbox_series_sum(chan, d0, d1 < today - lag ? d1 :
			    today - lag, today, YT_RESTATE, &sd);
		buf_puts(sx.out, rows++ ? ",[" : ",\"rows\":[[");
		if (by_day) {
			sandbox_day_format(d, '-', day);
			buf_printf(sx.out, "\"%s\"%s", day, n ? "," : "");
		}
		for (i = 0; i < n; i++) {
			v = yt_value(names[i], &sd, &ok);
			buf_printf(sx.out, "%s%lld", i ? "," : "",
			    (long long)v);
		}
		buf_puts(sx.out, "]");
	}
	if (rows > 0)
		buf_puts(sx.out, "]");
	buf_puts(sx.out, "}");
	return sandbox_done(&sx);
}

/* ------------------------------------------------------------------ */
/* Uploads: the uploads playlist's items and the videos. */

#define YT_VIDEOS	14	/* uploads of a channel, newest first */

/* Video j of a channel (its uploads playlist without "UU"): "Sbx", two
 * digits, six of the channel's; published j * 8 days before today's
 * start (UTC), less some hours, so that it stays put all day. */
static const char *
video_id(struct sbx *sx, const char *chan, long j)
{
	return arena_printf(sx->ctx->arena, "Sbx%02ld%s", j, sandbox_hexid(sx,
	    chan, 6));
}

static const char *
video_time(struct sbx *sx, const char *vid, long j)
{
	int64_t t = sx->now - sx->now % 86400 - (int64_t)j * 8 * 86400 -
	    3600 - (int64_t)(sandbox_hash(vid, 31) % 7200);
	time_t tt = (time_t)t;
	struct tm tm;
	char ts[32];

	gmtime_r(&tt, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return arena_strdup(sx->ctx->arena, ts);
}

/* GET /youtube/v3/playlistItems?part=contentDetails&playlistId=UU...:
 * the channel's uploads, newest first, pages of at most 5. */
static enum err
api_playlist_items(struct ctx *ctx)
{
	const char *pl, *tok, *vid;
	struct sbx sx;
	long off = 0, end, total, j, per;
	enum err rc;

	if (!sandbox_begin(ctx, &yt_api, SBX_AUTH, &sx, &rc))
		return rc;
	pl = req_query(&ctx->req, "playlistId");
	tok = req_query(&ctx->req, "pageToken");
	if (pl == NULL || strncmp(pl, "UU", 2) != 0) {
		sandbox_start(&sx, 404, GJU);
		buf_puts(sx.out, "{\"error\":{\"code\":404,\"message\":"
		    "\"The playlist identified with the request's "
		    "<code>playlistId</code> parameter cannot be found.\","
		    "\"errors\":[{\"message\":\"The playlist identified with "
		    "the request's <code>playlistId</code> parameter cannot be "
		    "found.\",\"domain\":\"youtube.playlistItem\",\"reason\":"
		    "\"playlistNotFound\",\"location\":\"playlistId\","
		    "\"locationType\":\"parameter\"}]}}");
		return sandbox_done(&sx);
	}
	if (tok != NULL && strncmp(tok, "SBXp", 4) == 0)
		off = strtol(tok + 4, NULL, 10);
	per = sandbox_long(req_query(&ctx->req, "maxResults"), 5, 50);
	if (per < 1 || per > 5)
		per = 5;
	total = sandbox_is(&sx, "empty") ? 0 : YT_VIDEOS;
	if (off < 0 || off > total)
		off = total;
	end = off + per < total ? off + per : total;
	sandbox_start(&sx, 200, GJU);
	buf_printf(sx.out, "{\"kind\":\"youtube#playlistItemListResponse\","
	    "\"etag\":\"%s\"", sandbox_hexid(&sx, arena_printf(ctx->arena,
	    "%s%ld", pl, off), 27));
	if (end < total)
		buf_printf(sx.out, ",\"nextPageToken\":\"SBXp%ld\"", end);
	if (off > 0)
		buf_printf(sx.out, ",\"prevPageToken\":\"SBXp%ld\"",
		    off - per > 0 ? off - per : 0);
	buf_puts(sx.out, ",\"items\":[");
	for (j = off; j < end; j++) {
		vid = video_id(&sx, pl + 2, j);
		buf_printf(sx.out, "%s{\"kind\":\"youtube#playlistItem\","
		    "\"etag\":\"%s\",\"id\":\"%s\",\"contentDetails\":{"
		    "\"videoId\":\"%s\",\"videoPublishedAt\":\"%s\"}}",
		    j > off ? "," : "", sandbox_hexid(&sx, vid, 27),
		    sandbox_hexid(&sx, arena_printf(ctx->arena, "pi%s", vid),
		    40), vid, video_time(&sx, vid, j));
	}
	buf_printf(sx.out, "],\"pageInfo\":{\"totalResults\":%ld,"
	    "\"resultsPerPage\":%ld}}", total, per);
	return sandbox_done(&sx);
}

/* GET /youtube/v3/videos?part=...&id=a,b: the sandbox's videos among the
 * ids; 1 and every fourth after it a Short (45 s), 2 hides its likes, 3
 * has comments off. */
static enum err
api_videos(struct ctx *ctx)
{
	const char *part, *ids, *p, *vid;
	struct sbx sx;
	size_t n;
	long j, cnt = 0;
	uint64_t h;
	enum err rc;

	if (!sandbox_begin(ctx, &yt_api, SBX_AUTH, &sx, &rc))
		return rc;
	part = req_query(&ctx->req, "part");
	if (part == NULL)
		part = "id";
	ids = req_query(&ctx->req, "id");
	sandbox_start(&sx, 200, GJU);
	buf_printf(sx.out, "{\"kind\":\"youtube#videoListResponse\","
	    "\"etag\":\"%s\",\"items\":[", sandbox_hexid(&sx, ids != NULL ?
	    ids : "", 27));
	for (p = ids; p != NULL && *p != '\0'; p += n + (p[n] == ',')) {
		n = strcspn(p, ",");
		vid = arena_strndup(ctx->arena, p, n);
		if (n != 11 || strncmp(vid, "Sbx", 3) != 0 ||
		    strspn(vid + 3, "0123456789") < 2)
			continue;
		j = (vid[3] - '0') * 10 + vid[4] - '0';
		h = sandbox_hash(vid, 32);
		buf_printf(sx.out, "%s{\"kind\":\"youtube#video\",\"etag\":"
		    "\"%s\",\"id\":\"%s\"", cnt++ > 0 ? "," : "",
		    sandbox_hexid(&sx, vid, 27), vid);
		if (strstr(part, "snippet") != NULL)
			buf_printf(sx.out, ",\"snippet\":{\"publishedAt\":"
			    "\"%s\",\"channelId\":\"UCsbx\",\"title\":"
			    "\"Sandbox %s %ld: Z\u00fcrich \u00e0 v\u00e9lo\","
			    "\"description\":\"A video of the Sluice "
			    "sandbox.\","
			    "\"categoryId\":\"22\",\"liveBroadcastContent\":"
			    "\"none\"}", video_time(&sx, vid, j),
			    j % 4 == 1 ? "short" : "video", j);
		if (strstr(part, "contentDetails") != NULL)
			buf_printf(sx.out, ",\"contentDetails\":{\"duration\":"
			    "\"%s\",\"dimension\":\"2d\",\"definition\":"
			    "\"hd\",\"caption\":\"false\",\"licensedContent\":"
			    "false,\"projection\":\"rectangular\"}",
			    j % 4 == 1 ? "PT45S" : "PT7M12S");
		if (strstr(part, "statistics") != NULL) {
			buf_printf(sx.out, ",\"statistics\":{\"viewCount\":"
			    "\"%llu\"", (unsigned long long)(h % 90000));
			if (j != 2)
				buf_printf(sx.out, ",\"likeCount\":\"%llu\"",
				    (unsigned long long)((h >> 20) % 900));
			buf_puts(sx.out, ",\"favoriteCount\":\"0\"");
			if (j != 3)
				buf_printf(sx.out, ",\"commentCount\":"
				    "\"%llu\"", (unsigned long long)((h >> 40)
				    % 60));
			buf_puts(sx.out, "}");
		}
		buf_puts(sx.out, "}");
	}
	buf_printf(sx.out, "],\"pageInfo\":{\"totalResults\":%ld,"
	    "\"resultsPerPage\":%ld}}", cnt, cnt);
	return sandbox_done(&sx);
}

/* ------------------------------------------------------------------ */
/* Its error shapes, routes and entry in the registry. */

#define JU	"application/json; charset=UTF-8"

static const struct route routes[] = {
	{ HTTP_GET, "/sandbox/youtube/v3/channels", api_channels,
	    ROUTE_NODB, 0 },
	{ HTTP_GET, "/sandbox/youtube/v3/playlistItems", api_playlist_items,
	    ROUTE_NODB, 0 },
	{ HTTP_GET, "/sandbox/youtube/v3/videos", api_videos, ROUTE_NODB, 0 },
	{ HTTP_GET, "/sandbox/youtube-analytics/v2/reports",
	    api_reports, ROUTE_NODB, 0 },
};

static const struct sandbox_fault faults[] = {
	{ &yt_api, "youtube-401", "401", 401,
	    "WWW-Authenticate: Bearer realm=\"https://accounts.google.com/\", "
	    "error=\"invalid_token\"\n", JU,
	    "{\"error\":{\"code\":401,\"message\":\"Invalid Credentials\","
	    "\"errors\":[{\"message\":\"Invalid Credentials\",\"domain\":"
	    "\"global\",\"reason\":\"authError\",\"location\":"
	    "\"Authorization\",\"locationType\":\"header\"}],\"status\":"
	    "\"UNAUTHENTICATED\"}}" },
	{ &yt_api, "error-403-forbidden", "403", 403, NULL, JU,
	    "{\"error\":{\"code\":403,\"message\":\"Forbidden\",\"errors\":"
	    "[{\"message\":\"Forbidden\",\"domain\":\"global\",\"reason\":"
	    "\"forbidden\"}],\"status\":\"PERMISSION_DENIED\"}}" },
	{ &yt_api, "error-403-quota-exceeded-data-api", "429", 403,
	    "Retry-After: 30\n", JU,
	    "{\"error\":{\"errors\":[{\"domain\":\"youtube.quota\","
	    "\"reason\":\"quotaExceeded\",\"message\":\"The request cannot "
	    "be completed because you have exceeded your <a href=\\\"/youtube/"
	    "v3/getting-started#quota\\\">quota</a>.\"}],\"code\":403,"
	    "\"message\":\"The request cannot be completed because you have "
	    "exceeded your <a href=\\\"/youtube/v3/getting-started#quota"
	    "\\\">quota</a>.\"}}" },
	{ &yt_api, "youtube-500", "500", 500, NULL, JU,
	    "{\"error\":{\"code\":500,\"message\":\"Backend Error\","
	    "\"errors\":[{\"message\":\"Backend Error\",\"domain\":"
	    "\"global\",\"reason\":\"backendError\"}],\"status\":"
	    "\"INTERNAL\"}}" },
};

const struct sandbox_provider sandbox_youtube = {
	.slug = "youtube",
	.family = &sandbox_family_google,
	SANDBOX_LIST(routes),
	SANDBOX_LIST(faults),
};
