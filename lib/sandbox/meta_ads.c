/*
 * meta_ads.c — Meta Ads in the sandbox: ad accounts and ads insights.
 *
 * /me/adaccounts and an ad account's insights (sync and async), as
 * entries of the Graph API that meta.c serves.  Login is Meta's
 * (meta.c).  A Marketing API version past its expiry is refused with
 * code 2635, as Meta does when an app turned its automatic upgrade off.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "base/arena.h"
#include "base/mem.h"
#include "sandbox/sandbox_priv.h"

#define MJ		SANDBOX_META_JSON
#define ADS_RESTATE	28
#define SANDBOX_ADS_RANGES	50	/* time_ranges of one call */

/*
 * The Marketing API versions that expire and the first day each is
 * refused (Meta's Marketing API version history); older ones are gone,
 * newer ones (v26.0, v27.0) have no expiry yet.
 */
static const struct {
	int		 major;
	const char	*gone;
} ads_versions[] = {
	{ 22, "2026-02-19" },
	{ 23, "2026-06-09" },
	{ 24, "2026-11-10" },
	{ 25, "2027-02-23" },
};

/*
 * True when the call's version ("v24.0") is retired today (UTC): Meta
 * answers code 2635 to an app that turned the automatic upgrade off.
 */
static bool
ads_version_gone(struct sbx *sx)
{
	const char *v = route_capture(&sx->ctx->match, "ver");
	int64_t today = sandbox_today(sx->now, 0);
	size_t i;
	int major;
	char end;

	if (v == NULL || sscanf(v, "v%d.0%c", &major, &end) != 1)
		return false;
	if (major < ads_versions[0].major)
		return true;
	for (i = 0; i < nitems(ads_versions); i++)
		if (ads_versions[i].major == major)
			return today >= sandbox_day_parse(ads_versions[i].gone);
	return false;
}

/* GET /me/adaccounts. */
static enum err
adaccounts(struct sbx *sx, const char *user)
{
	const char *c;
	int i;

	(void)user;	/* "me": the token's user */
	if (ads_version_gone(sx))
		return sandbox_fail(sx, "error_2635_deprecated_version");
	sandbox_start(sx, 200, MJ);
	sandbox_meta_app_usage(sx);
	buf_puts(sx->out, "{\"data\":[");
	for (i = 0; i < 2 && !sandbox_is(sx, "empty"); i++) {
		const char *acct = arena_printf(sx->ctx->arena, "%d%09d",
		    i + 1, 234567890 + sx->tok.user);

		c = i == 0 ? "EUR" : "USD";
		buf_printf(sx->out, "%s{\"id\":\"act_%s\",\"account_id\":"
		    "\"%s\",\"name\":\"Sandbox Ads %d\",\"account_status\":1,"
		    "\"currency\":\"%s\",\"timezone_name\":", i ? "," : "",
		    acct, acct, i + 1, c);
		sandbox_jstr(sx->out, sandbox_tz(acct, NULL));
		buf_puts(sx->out, "}");
	}
	buf_printf(sx->out, "],\"paging\":{\"cursors\":{\"before\":\"%s\","
	    "\"after\":\"%s\"}}}", sandbox_meta_cursor(sx, 0),
	    sandbox_meta_cursor(sx, 1));
	return sandbox_done(sx);
}

static void
ads_usage(struct sbx *sx, const char *acct)
{
	resp_header(&sx->ctx->resp, "X-Business-Use-Case-Usage",
	    arena_printf(sx->ctx->arena, "{\"%s\":[{\"type\":"
	    "\"ads_insights\",\"call_count\":4,\"total_cputime\":2,"
	    "\"total_time\":3,\"estimated_time_to_regain_access\":0,"
	    "\"ads_api_access_tier\":\"standard_access\"}]}", acct));
	resp_header(&sx->ctx->resp, "X-Ad-Account-Usage",
	    "{\"acc_id_util_pct\":1.2,\"reset_time_duration\":0,"
	    "\"ads_api_access_tier\":\"standard_access\"}");
	resp_header(&sx->ctx->resp, "x-fb-ads-insights-throttle",
	    "{\"app_id_util_pct\":0.5,\"acc_id_util_pct\":1.2,"
	    "\"ads_api_access_tier\":\"standard_access\"}");
}

/*
 * The reach of the account over d0..d1 (days after today left out): the
 * people its campaigns reached each day (as the daily rows give them)
 * summed, of which 80 %, since a person reached on several days counts
 * once: floor(sum * 8 / 10), which a test computes from the daily rows.
 */
static long long
ads_reach(const char *acct, int64_t d0, int64_t d1, int64_t today)
{
	struct sandbox_day sd;
	long long sum = 0;
	int64_t d;

	for (d = d0; d <= d1 && d <= today; d++) {
		sandbox_series(acct, d, today, ADS_RESTATE, &sd);
		sum += (long long)((double)sd.reach * 0.45) +
		    (long long)((double)sd.reach * 0.55);
	}
	return sum * 8 / 10;
}

/*
 * GET /act_:id/insights?level=account without time_increment: one row
 * per range of time_ranges (or the one time_range), the whole range's
 * deduplicated reach and impressions; no row for a range without
 * delivery; a malformed range, or more than SANDBOX_ADS_RANGES, is
 * refused.
 */
static enum err
ads_account_ranges(struct sbx *sx, const char *acct, int64_t today)
{
	const char *tr, *fields, *p;
	char a[11], b[11];
	struct sandbox_day sd;
	int64_t d0, d1;
	bool f;
	int nr = 0, rows = 0;

	fields = req_query(&sx->ctx->req, "fields");
	if (fields == NULL)
		fields = "impressions,spend";
	if ((tr = req_query(&sx->ctx->req, "time_ranges")) == NULL)
		tr = req_query(&sx->ctx->req, "time_range");
	/* Every range well formed first: an error is the whole answer. */
	for (p = tr; tr != NULL && (p = strstr(p, "{\"since\"")) != NULL;
	    p++)
		if (sscanf(p, "{\"since\":\"%10[0-9-]\",\"until\":"
		    "\"%10[0-9-]\"}", a, b) != 2 ||
		    (d0 = sandbox_day_parse(a)) < 0 ||
		    (d1 = sandbox_day_parse(b)) < d0 || d1 - d0 > 400 ||
		    ++nr > SANDBOX_ADS_RANGES)
			break;
	if (tr == NULL || nr == 0 || p != NULL)
		return sandbox_fail(sx, "page_insights_error_invalid_metric");
	sandbox_start(sx, 200, MJ);
	ads_usage(sx, acct);
	buf_puts(sx->out, "{\"data\":[");
	for (p = strstr(tr, "{\"since\""); p != NULL;
	    p = strstr(p + 1, "{\"since\"")) {
		(void)sscanf(p, "{\"since\":\"%10[0-9-]\",\"until\":"
		    "\"%10[0-9-]\"}", a, b);
		d0 = sandbox_day_parse(a);
		d1 = sandbox_day_parse(b);
		if (sandbox_is(sx, "empty") || d0 > today)
			continue;
		buf_puts(sx->out, rows++ > 0 ? ",{" : "{");
		f = true;
		if (sandbox_meta_has_field(fields, "account_id")) {
			buf_printf(sx->out, "\"account_id\":\"%s\"", acct);
			f = false;
		}
		if (sandbox_meta_has_field(fields, "reach")) {
			buf_printf(sx->out, "%s\"reach\":\"%lld\"",
			    f ? "" : ",", ads_reach(acct, d0, d1, today));
			f = false;
		}
		if (sandbox_meta_has_field(fields, "impressions")) {
			sandbox_series_sum(acct, d0, d1, today, ADS_RESTATE,
			    &sd);
			buf_printf(sx->out, "%s\"impressions\":\"%lld\"",
			    f ? "" : ",", (long long)sd.impressions);
			f = false;
		}
		buf_printf(sx->out, "%s\"date_start\":\"%s\",\"date_stop\":"
		    "\"%s\"}", f ? "" : ",", a, b);
	}
	sandbox_meta_paging(sx, 0, rows, rows);
	return sandbox_done(sx);
}

/* /act_:id/insights: POST starts an async report, GET reads. */
static enum err
ads_insights(struct sbx *sx, const char *id)
{
	static const char *const names[] = { "Summer Sale", "Retargeting" };
	const char *tr, *fields, *lvl, *acct = id + 4;
	char a[11], b[11], day[11];
	int64_t today, d0, d1, d;
	long limit, off, total, i, end;
	struct sandbox_day sd;
	int tzoff, c;
	double share;

	if (ads_version_gone(sx))
		return sandbox_fail(sx, "error_2635_deprecated_version");
	if (sx->ctx->req.method == HTTP_POST) {
		sandbox_start(sx, 200, MJ);
		buf_printf(sx->out, "{\"report_run_id\":\"60%011llu\"}",
		    (unsigned long long)(sandbox_hash(sx->ctx->req.body,
		    3) % 100000000000ULL));
		return sandbox_done(sx);
	}
	sandbox_tz(acct, &tzoff);
	today = sandbox_today(sx->now, tzoff);
	lvl = req_query(&sx->ctx->req, "level");
	if (lvl != NULL && strcmp(lvl, "account") == 0 &&
	    req_query(&sx->ctx->req, "time_increment") == NULL)
		return ads_account_ranges(sx, acct, today);
	d0 = today - 30;
	d1 = today - 1;
	tr = req_query(&sx->ctx->req, "time_range");
	if (tr != NULL && sscanf(tr, "{\"since\":\"%10[0-9-]\",\"until\":"
	    "\"%10[0-9-]\"}", a, b) == 2) {
		d0 = sandbox_day_parse(a);
		d1 = sandbox_day_parse(b);
	}
	if (d0 < 0 || d1 < d0)
		return sandbox_fail(sx,
		    "page_insights_error_invalid_metric");
	if (d1 - d0 > 400)
		return sandbox_fail(sx, "error_ads_too_much_data");
	if (d1 > today)
		d1 = today;
	fields = req_query(&sx->ctx->req, "fields");
	if (fields == NULL)
		fields = "impressions,spend";
	limit = sandbox_long(req_query(&sx->ctx->req, "limit"), 25, 500);
	if (limit == 0)
		limit = 25;
	off = sandbox_meta_after(sx);
	total = d1 >= d0 ? (d1 - d0 + 1) * 2 : 0;
	if (sandbox_is(sx, "empty"))
		total = 0;
	if (sandbox_is(sx, "pages") && total < SANDBOX_MANY_PAGES * limit)
		limit = total / SANDBOX_MANY_PAGES > 0 ? total /
		    SANDBOX_MANY_PAGES : 1;
	sandbox_start(sx, 200, MJ);
	ads_usage(sx, acct);
	buf_puts(sx->out, "{\"data\":[");
	end = off + limit < total ? off + limit : total;
	for (i = off; i < end; i++) {
		long long imp, clk;
		bool f = true;

		d = d0 + i / 2;
		c = (int)(i % 2);
		share = c == 0 ? 0.45 : 0.55;
		sandbox_series(acct, d, today, ADS_RESTATE, &sd);
		imp = (long long)((double)sd.impressions * share);
		clk = (long long)((double)sd.clicks * share);
		sandbox_day_format(d, '-', day);
		buf_puts(sx->out, i > off ? ",{" : "{");
		if (sandbox_meta_has_field(fields, "campaign_id")) {
			buf_printf(sx->out, "\"campaign_id\":\"1202100000000"
			    "0000%d\"", c + 1);
			f = false;
		}
		if (sandbox_meta_has_field(fields, "campaign_name")) {
			buf_printf(sx->out, "%s\"campaign_name\":\"%s\"",
			    f ? "" : ",", names[c]);
			f = false;
		}
		if (sandbox_meta_has_field(fields, "impressions")) {
			buf_printf(sx->out, "%s\"impressions\":\"%lld\"",
			    f ? "" : ",", imp);
			f = false;
		}
		if (sandbox_meta_has_field(fields, "reach")) {
			buf_printf(sx->out, "%s\"reach\":\"%lld\"",
			    f ? "" : ",", (long long)((double)sd.reach *
			    share));
			f = false;
		}
		if (sandbox_meta_has_field(fields, "clicks")) {
			buf_printf(sx->out, "%s\"clicks\":\"%lld\"",
			    f ? "" : ",", clk);
			f = false;
		}
		if (sandbox_meta_has_field(fields, "spend")) {
			buf_printf(sx->out, "%s\"spend\":\"%.2f\"",
			    f ? "" : ",", (double)sd.cost_micros * share /
			    1e6);
			f = false;
		}
		if (sandbox_meta_has_field(fields, "ctr") && imp > 0) {
			buf_printf(sx->out, "%s\"ctr\":\"%.6f\"",
			    f ? "" : ",", 100.0 * (double)clk / (double)imp);
			f = false;
		}
		if (sandbox_meta_has_field(fields, "cpc") && clk > 0) {
			buf_printf(sx->out, "%s\"cpc\":\"%.6f\"",
			    f ? "" : ",", (double)sd.cost_micros * share /
			    1e6 / (double)clk);
			f = false;
		}
		if (sandbox_meta_has_field(fields, "actions") && clk > 0) {
			buf_printf(sx->out, "%s\"actions\":[{\"action_type\":"
			    "\"link_click\",\"value\":\"%lld\"},{"
			    "\"action_type\":\"landing_page_view\",\"value\":"
			    "\"%lld\"},{\"action_type\":\"purchase\","
			    "\"value\":\"%lld\"}]", f ? "" : ",", clk * 4 / 5,
			    clk * 3 / 5, (long long)(sd.conversions * share));
			f = false;
		}
		buf_printf(sx->out, "%s\"date_start\":\"%s\",\"date_stop\":"
		    "\"%s\"}", f ? "" : ",", day, day);
	}
	sandbox_meta_paging(sx, off, end, total);
	return sandbox_done(sx);
}

/* ------------------------------------------------------------------ */
/* Its error shapes, Graph entries and entry in the registry. */

#define JU	"application/json; charset=UTF-8"
#define META_ERR(body)	"{\"error\":{" body "}}"

static const struct sandbox_fault faults[] = {
	{ &sandbox_api_meta, "error_2635_deprecated_version", NULL, 400, NULL,
	    JU,
	    META_ERR("\"message\":\"(#2635) You are calling a deprecated "
	    "version of the Ads API. Please update to the latest version: "
	    "v27.0.\",\"type\":\"OAuthException\",\"code\":2635,"
	    "\"fbtrace_id\":\"SbxTrace0000033\"") },
	{ &sandbox_api_meta, "error_613_1487742_ad_account_limit", NULL, 400,
	    "X-Ad-Account-Usage: {\"acc_id_util_pct\":100,"
	    "\"reset_time_duration\":1800,\"ads_api_access_tier\":"
	    "\"standard_access\"}\n", JU,
	    META_ERR("\"message\":\"(#613) Calls within one hour have "
	    "exceeded the rate limit for this ad account.\",\"type\":"
	    "\"OAuthException\",\"code\":613,\"error_subcode\":1487742,"
	    "\"is_transient\":true,\"error_user_title\":\"Too many calls\","
	    "\"error_user_msg\":\"There have been too many calls from this "
	    "ad-account. Please wait a bit and try again.\",\"fbtrace_id\":"
	    "\"SbxTrace0000027\"") },
	{ &sandbox_api_meta, "error_80000_ads_insights_limit", NULL, 400,
	    "X-Business-Use-Case-Usage: {\"1234567890\":[{\"type\":"
	    "\"ads_insights\",\"call_count\":100,\"total_cputime\":20,"
	    "\"total_time\":30,\"estimated_time_to_regain_access\":15,"
	    "\"ads_api_access_tier\":\"standard_access\"}]}\n", JU,
	    META_ERR("\"message\":\"(#80000) Too many calls to this ad "
	    "account; wait a bit and try again.\",\"type\":\"OAuthException\","
	    "\"is_transient\":true,\"code\":80000,\"error_subcode\":2446079,"
	    "\"fbtrace_id\":\"SbxTrace0000009\"") },
	{ &sandbox_api_meta, "error_80004_ads_management_limit", NULL, 400,
	    "X-Business-Use-Case-Usage: {\"1234567890\":[{\"type\":"
	    "\"ads_management\",\"call_count\":100,\"total_cputime\":9,"
	    "\"total_time\":14,\"estimated_time_to_regain_access\":12,"
	    "\"ads_api_access_tier\":\"development_access\"}]}\n"
	    "X-Ad-Account-Usage: {\"acc_id_util_pct\":100,"
	    "\"reset_time_duration\":540,\"ads_api_access_tier\":"
	    "\"development_access\"}\n", JU,
	    META_ERR("\"message\":\"(#80004) There have been too many calls "
	    "to this ad-account. Wait a bit and try again.\",\"type\":"
	    "\"OAuthException\",\"is_transient\":true,\"code\":80004,"
	    "\"error_subcode\":2446079,\"fbtrace_id\":"
	    "\"SbxTrace0000032\"") },
	{ &sandbox_api_meta, "error_ads_too_much_data", "500", 500, NULL, JU,
	    META_ERR("\"message\":\"An unknown error occurred\",\"type\":"
	    "\"OAuthException\",\"code\":1,\"error_subcode\":99,"
	    "\"is_transient\":false,\"error_user_title\":\"Please reduce the "
	    "amount of data\",\"error_user_msg\":\"Ask for a shorter date "
	    "range or fewer fields.\",\"fbtrace_id\":\"SbxTrace0000010\"") },
	{ &sandbox_api_meta, "error_ads_too_much_data_short", NULL, 500, NULL,
	    JU,
	    META_ERR("\"code\":1,\"message\":\"Please reduce the amount of "
	    "data you are asking for, then retry your request\"") },
};

static const struct sandbox_graph graph[] = {
	{ "adaccounts", "", false, adaccounts },
	{ "insights", "act_", true, ads_insights },
};

const struct sandbox_provider sandbox_meta_ads = {
	.slug = "meta_ads",
	.family = &sandbox_family_meta,
	SANDBOX_LIST(faults),
	SANDBOX_LIST(graph),
};
