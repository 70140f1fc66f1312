/*
 * instagram.c — Instagram in the sandbox: account fields and insights.
 *
 * An Instagram professional account's fields and its insights (time
 * series and total_value), as entries of the Graph API that meta.c
 * serves.  Login is Meta's (meta.c).
 */
#include <string.h>

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
};

static const struct sandbox_graph graph[] = {
	{ NULL, SANDBOX_IG_PREFIX, false, ig_node },
	{ "insights", SANDBOX_IG_PREFIX, false, insights },
};

const struct sandbox_provider sandbox_instagram = {
	.slug = "instagram",
	.family = &sandbox_family_meta,
	SANDBOX_LIST(faults),
	SANDBOX_LIST(graph),
};
