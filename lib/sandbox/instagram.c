/*
 * instagram.c — Instagram in the sandbox: account fields and insights.
 *
 * An Instagram professional account's fields and its insights (time
 * series and total_value), as entries of the Graph API that meta.c
 * serves.  Login is Meta's (meta.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/mem.h"
#include "sandbox/sandbox_priv.h"


/* GET /:ver/:ig-user: the Instagram account's fields. */
static enum err
ig_node(struct sbx *sx, const char *id)
{
	struct sandbox_day d;
	const char *fields;
	bool first = true;

	fields = sandbox_meta_node_start(sx, id, "instagram");
	sandbox_series(id, sandbox_today(sx->now, -8) - 1,
	    sandbox_today(sx->now, -8), 0, &d);
	if (sandbox_meta_has_field(fields, "followers_count")) {
		buf_printf(sx->out, "\"followers_count\":%lld",
		    (long long)(d.visits * 3 + 500));
		first = false;
	}
	if (sandbox_meta_has_field(fields, "media_count")) {
		buf_printf(sx->out, "%s\"media_count\":%llu",
		    first ? "" : ",", (unsigned long long)
		    (120 + sandbox_hash(id, 9) % 400));
		first = false;
	}
	if (sandbox_meta_has_field(fields, "username")) {
		buf_printf(sx->out, "%s\"username\":\"sandbox.%s\"",
		    first ? "" : ",", id + strlen(id) - 4);
		first = false;
	}
	if (sandbox_meta_has_field(fields, "name")) {
		buf_printf(sx->out, "%s\"name\":\"Sandbox IG %s\"",
		    first ? "" : ",", id + strlen(id) - 4);
		first = false;
	}
	return sandbox_meta_node_end(sx, id, first);
}

/* Instagram metrics: name, title, value source, total-only. */
static const struct sandbox_meta_metric metrics[] = {
	{ "reach", "Accounts reached", 2, false },
	{ "follower_count", "Follower count", 3, false },
	{ "views", "Views", 1, true },
	{ "accounts_engaged", "Accounts engaged", 7, true },
	{ "total_interactions", "Total interactions", 0, true },
	{ "likes", "Likes", 8, true },
	{ "comments", "Comments", 9, true },
	{ "shares", "Shares", 10, true },
	{ "saves", "Saves", 10, true },
	{ "replies", "Replies", 9, true },
	{ "profile_views", "Profile views", 6, true },
	{ "profile_links_taps", "Profile links taps", 4, true },
	{ "follows_and_unfollows", "Follows and unfollows", 3, true },
};

/* GET /:ig-user/insights. */
static enum err
insights(struct sbx *sx, const char *id)
{
	return sandbox_meta_insights(sx, id, true, metrics, nitems(metrics));
}

/* ------------------------------------------------------------------ */
/* Content: media of an account and each one's lifetime insights. */

#define IG_MEDIA_PREFIX	"179555"	/* media ids: prefix, account, index */
#define IG_MEDIA_N	14		/* items of an account, newest first */

/* Item i of an account: published i * 9 days before today's start
 * (UTC), less some hours, so that it stays put all day; 0 a story, every
 * third a reel, the rest posts; item 4 has no caption, 5 hides its
 * likes, 6 has no insights (an empty data[]), 7 too few viewers for
 * them (error 10). */
static int64_t
media_time(const char *id, long i, int64_t now)
{
	return now - now % 86400 - (int64_t)i * 9 * 86400 - 3600 -
	    (int64_t)(sandbox_hash(id, 21) % 7200);
}

/* GET /:ver/:ig-user/media: the account's media, Graph cursor pages. */
static enum err
media(struct sbx *sx, const char *ig)
{
	static const char *const ptype[] = { "STORY", "FEED", "FEED", "REELS" };
	const char *fields = req_query(&sx->ctx->req, "fields");
	const char *lim = req_query(&sx->ctx->req, "limit");
	long off, end, limit, total, i;
	char id[64], ts[32];
	time_t t;
	struct tm tm;

	/* "media_forbidden": an account whose media this grant may not
	 * read (a Graph permission error), its insights still readable. */
	if (sandbox_is(sx, "media_forbidden"))
		return sandbox_fail(sx, "error_10_permission");
	if (fields == NULL)
		fields = "id";
	limit = lim != NULL ? strtol(lim, NULL, 10) : 25;
	if (limit < 1 || limit > 100)
		limit = 25;
	/* Pages of at most 5 so that a sync follows several. */
	if (limit > 5)
		limit = 5;
	off = sandbox_meta_after(sx);
	total = sandbox_is(sx, "empty") ? 0 : IG_MEDIA_N;
	end = off + limit < total ? off + limit : total;
	sandbox_start(sx, 200, "application/json; charset=UTF-8");
	sandbox_meta_usage(sx, ig, "instagram");
	buf_puts(sx->out, "{\"data\":[");
	for (i = off; i < end; i++) {
		snprintf(id, sizeof(id), IG_MEDIA_PREFIX "%s%02ld",
		    strlen(ig) > 8 ? ig + strlen(ig) - 8 : ig, i);
		t = (time_t)media_time(ig, i, sx->now);
		gmtime_r(&t, &tm);
		strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S+0000", &tm);
		buf_printf(sx->out, "%s{\"id\":\"%s\"", i > off ? "," : "",
		    id);
		if (sandbox_meta_has_field(fields, "caption") && i != 4)
			buf_printf(sx->out, ",\"caption\":\"Sandbox %s %ld: "
			    "caf\u00e9 \u2615 #sluice\"", i % 3 == 0 && i > 0 ?
			    "reel" : "post", i);
		if (sandbox_meta_has_field(fields, "media_type"))
			buf_printf(sx->out, ",\"media_type\":\"%s\"",
			    i % 3 == 0 ? "VIDEO" : i % 2 ? "IMAGE" :
			    "CAROUSEL_ALBUM");
		if (sandbox_meta_has_field(fields, "media_product_type"))
			buf_printf(sx->out, ",\"media_product_type\":\"%s\"",
			    i == 0 ? "STORY" : ptype[i % 3 == 0 ? 3 : 1]);
		if (sandbox_meta_has_field(fields, "permalink"))
			buf_printf(sx->out, ",\"permalink\":\"https://www."
			    "instagram.com/%s/Sbx%s/\"", i % 3 == 0 && i > 0 ?
			    "reel" : "p", id + strlen(id) - 6);
		if (sandbox_meta_has_field(fields, "timestamp"))
			buf_printf(sx->out, ",\"timestamp\":\"%s\"", ts);
		if (sandbox_meta_has_field(fields, "like_count") && i != 5 &&
		    i != 0)
			buf_printf(sx->out, ",\"like_count\":%llu",
			    (unsigned long long)(sandbox_hash(id, 22) % 300));
		if (sandbox_meta_has_field(fields, "comments_count") && i != 0)
			buf_printf(sx->out, ",\"comments_count\":%llu",
			    (unsigned long long)(sandbox_hash(id, 23) % 40));
		buf_puts(sx->out, "}");
	}
	if (total > 0)
		sandbox_meta_paging(sx, off, end, total);
	else
		buf_puts(sx->out, "]}");	/* no paging, as Instagram */
	return sandbox_done(sx);
}

/* GET /:ver/:media/insights?metric=...: lifetime numbers of an item, for
 * the metrics asked that its type has (a story has no saved); item 6
 * none (an empty data[], as Instagram answers when it has none), item 7
 * error 10 (not enough viewers). */
static enum err
media_insights(struct sbx *sx, const char *id)
{
	static const char *const names[][2] = { { "views", "Views" },
	    { "reach", "Accounts reached" }, { "saved", "Saves" },
	    { "shares", "Shares" } };
	const char *metric = req_query(&sx->ctx->req, "metric");
	long i = strtol(id + strlen(id) - 2, NULL, 10);
	uint64_t h = sandbox_hash(id, 24);
	bool first = true;
	size_t k;

	if (i == 7) {		/* as ig_media_insights_error_10_... */
		sandbox_start(sx, 400, "application/json; charset=UTF-8");
		buf_puts(sx->out, "{\"error\":{\"message\":\"(#10) Not "
		    "enough viewers for the media to show insights\",\"type\":"
		    "\"OAuthException\",\"code\":10,\"fbtrace_id\":"
		    "\"SbxTrace0000017\"}}");
		return sandbox_done(sx);
	}
	sandbox_start(sx, 200, "application/json; charset=UTF-8");
	buf_puts(sx->out, "{\"data\":[");
	for (k = 0; k < nitems(names) && i != 6; k++) {
		if (metric == NULL || !sandbox_meta_has_field(metric,
		    names[k][0]) || (i == 0 && k == 2))
			continue;
		buf_printf(sx->out, "%s{\"name\":\"%s\",\"period\":"
		    "\"lifetime\",\"values\":[{\"value\":%llu}],"
		    "\"title\":\"%s\",\"description\":\"%s of the media "
		    "over its lifetime.\",\"id\":\"%s/insights/%s/lifetime\"}",
		    first ? "" : ",", names[k][0], (unsigned long long)(
		    (h >> (k * 12)) % (k < 2 ? 5000 : 200)), names[k][1],
		    names[k][1], id, names[k][0]);
		first = false;
	}
	buf_puts(sx->out, "]}");
	return sandbox_done(sx);
}

/* ------------------------------------------------------------------ */
/* Its error shapes, Graph entries and entry in the registry. */

#define JU	"application/json; charset=UTF-8"
#define META_ERR(body)	"{\"error\":{" body "}}"

static const struct sandbox_fault faults[] = {
	{ &sandbox_api_meta, "ig_error_impressions_removed", NULL, 400, NULL,
	    JU,
	    META_ERR("\"message\":\"(#100) The impressions metric is no "
	    "longer supported from version 22; use views.\",\"type\":"
	    "\"OAuthException\",\"code\":100,\"fbtrace_id\":"
	    "\"SbxTrace0000013\"") },
	{ &sandbox_api_meta, "ig_error_needs_total_value", NULL, 400, NULL, JU,
	    META_ERR("\"message\":\"(#100) These metrics must be asked with "
	    "metric_type=total_value.\",\"type\":\"OAuthException\","
	    "\"code\":100,\"fbtrace_id\":\"SbxTrace0000014\"") },
	{ &sandbox_api_meta, "ig_error_range_too_long", NULL, 400, NULL, JU,
	    META_ERR("\"message\":\"(#100) There cannot be more than 30 days "
	    "between since and until\",\"type\":\"OAuthException\","
	    "\"code\":100,\"fbtrace_id\":\"SbxTrace0000015\"") },
	{ &sandbox_api_meta, "ig_media_insights_error_10_not_enough_viewers",
	    NULL, 400, NULL, JU,
	    META_ERR("\"message\":\"(#10) Not enough viewers for the media "
	    "to show insights\",\"type\":\"OAuthException\",\"code\":10,"
	    "\"fbtrace_id\":\"SbxTrace0000016\"") },
};

static const struct sandbox_graph graph[] = {
	{ NULL, SANDBOX_IG_PREFIX, false, ig_node },
	{ "insights", SANDBOX_IG_PREFIX, false, insights },
	{ "media", SANDBOX_IG_PREFIX, false, media },
	{ "insights", IG_MEDIA_PREFIX, false, media_insights },
};

const struct sandbox_provider sandbox_instagram = {
	.slug = "instagram",
	.family = &sandbox_family_meta,
	SANDBOX_LIST(faults),
	SANDBOX_LIST(graph),
};
