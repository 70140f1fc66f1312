/*
 * sandbox_meta.c — Meta in the sandbox: Login, Pages, Instagram, Ads.
 *
 * Facebook Login token exchange (code, long-lived), debug_token,
 * /me/accounts with page tokens, Page fields and insights, Instagram fields
 * and insights (time series and total_value), ad accounts and ads insights
 * (sync and async).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/day.h"
#include "base/mem.h"
#include "sandbox/sandbox_priv.h"

#define MJ	"application/json; charset=UTF-8"
#define PAGE_RESTATE	3
#define ADS_RESTATE	28
#define IG_PREFIX	"178414"

/* ------------------------------------------------------------------ */
/* Helpers. */

static const char *
page_id(int user, int i)
{
	static char b[3][48];

	snprintf(b[i % 3], sizeof(b[0]), "10485760000%02d%02d", user, i + 1);
	return b[i % 3];
}

/* The Instagram account of page i (none for the second page). */
static const char *
ig_of(struct sbx *sx, const char *page)
{
	size_t n = strlen(page);

	if (n > 0 && page[n - 1] == '2')
		return NULL;
	return arena_printf(sx->ctx->arena, IG_PREFIX "%s", n > 11 ?
	    page + n - 11 : page);
}

/* Meta's cursor: base64 of the index. */
static const char *
cursor(struct sbx *sx, long i)
{
	char num[24], out[48];

	snprintf(num, sizeof(num), "%ld", i);
	sandbox_b64url(num, out, sizeof(out));
	return arena_strdup(sx->ctx->arena, out);
}

static long
uncursor(const char *c)
{
	char dec[24];

	if (c == NULL || !sandbox_unb64url(c, dec, sizeof(dec)))
		return -1;
	return sandbox_long(dec, -1, 1000000);
}

/* This request's URL with after/before replaced by name=value. */
static const char *
page_url(struct sbx *sx, const char *name, const char *value)
{
	const struct kvlist *q = &sx->ctx->req.query;
	char *u;
	size_t i;

	u = arena_printf(sx->ctx->arena, "%s?", sandbox_base_url(sx,
	    sx->ctx->req.path));
	for (i = 0; i < q->n; i++) {
		if (strcmp(q->v[i].name, "after") == 0 ||
		    strcmp(q->v[i].name, "before") == 0 ||
		    strcmp(q->v[i].name, "since") == 0 ||
		    strcmp(q->v[i].name, "until") == 0)
			continue;
		u = arena_printf(sx->ctx->arena, "%s%s=%s&", u,
		    sandbox_urlenc(sx, q->v[i].name),
		    sandbox_urlenc(sx, q->v[i].value));
	}
	return arena_printf(sx->ctx->arena, "%s%s=%s", u, name, value);
}

static bool
has_field(const char *fields, const char *f)
{
	size_t n = strlen(f);
	const char *p;

	for (p = fields; p != NULL && (p = strstr(p, f)) != NULL; p += n)
		if ((p == fields || p[-1] == ',') && (p[n] == '\0' ||
		    p[n] == ',' || p[n] == '{'))
			return true;
	return false;
}

static void
usage_header(struct sbx *sx, const char *id, const char *type)
{
	resp_header(&sx->ctx->resp, "X-Business-Use-Case-Usage",
	    arena_printf(sx->ctx->arena, "{\"%s\":[{\"type\":\"%s\","
	    "\"call_count\":2,\"total_cputime\":1,\"total_time\":1,"
	    "\"estimated_time_to_regain_access\":0}]}", id, type));
}

static void
app_usage(struct sbx *sx)
{
	resp_header(&sx->ctx->resp, "X-App-Usage", "{\"call_count\":3,"
	    "\"total_cputime\":1,\"total_time\":1}");
}

/* A date from YYYY-MM-DD or unix seconds; -1 when bad. */
static int64_t
meta_day(const char *s)
{
	int64_t d = sandbox_day_parse(s);
	long long t;
	char *end;

	if (d >= 0 || s == NULL)
		return d;
	t = strtoll(s, &end, 10);
	if (end == s || *end != '\0' || t < 0)
		return -1;
	return day_of_epoch(t);
}

/* end_time of a Pacific day: the next day 07:00 (summer) or 08:00 UTC. */
static const char *
end_time(struct sbx *sx, int64_t day)
{
	char d[11];
	int m;

	sandbox_day_format(day + 1, '-', d);
	m = atoi(d + 5);
	return arena_printf(sx->ctx->arena, "%sT%s:00:00+0000", d,
	    m >= 4 && m <= 10 ? "07" : "08");
}

/* ------------------------------------------------------------------ */
/* Tokens. */

enum err
sandbox_meta_token(struct ctx *ctx)
{
	struct sandbox_token in, t;
	const char *grant, *why;
	struct sbx sx;
	enum err rc;
	int64_t life;

	if (!sandbox_begin(ctx, SBX_META, SBX_TOKEN_EP, &sx, &rc))
		return rc;
	grant = req_query(&ctx->req, "grant_type");
	memset(&t, 0, sizeof(t));
	if (grant != NULL && strcmp(grant, "fb_exchange_token") == 0) {
		if (!sandbox_token_parse(req_query(&ctx->req,
		    "fb_exchange_token"), &in) || in.prov != SBXP_META ||
		    (in.kind != SBXK_ACCESS && in.kind != SBXK_LONG))
			return sandbox_fail(&sx, -1, "error_190_invalid");
		if (in.exp != 0 && in.exp < sx.now)
			return sandbox_fail(&sx, -1, "error_190_expired");
		t.kind = SBXK_LONG;
		life = 5183944;
	} else {
		if (req_query(&ctx->req, "client_id") == NULL ||
		    !sandbox_code_ok(&sx, req_query(&ctx->req, "code"),
		    SBXP_META, req_query(&ctx->req, "redirect_uri"),
		    req_query(&ctx->req, "code_verifier"), &in, &why))
			return sandbox_fail(&sx, -1, "oauth_error_code_used");
		t.kind = SBXK_ACCESS;
		life = 5183999;
	}
	t.prov = SBXP_META;
	t.user = in.user;
	strcpy(t.fault, in.fault);
	t.iat = sx.now;
	t.exp = sx.now + life;
	sandbox_start(&sx, 200, MJ);
	buf_puts(sx.out, "{\"access_token\":");
	sandbox_jstr(sx.out, sandbox_token_make(&sx, "EAA", &t));
	buf_printf(sx.out, ",\"token_type\":\"bearer\",\"expires_in\":%lld}",
	    (long long)life);
	return sandbox_done(&sx);
}

enum err
sandbox_meta_debug(struct ctx *ctx)
{
	struct sandbox_token t;
	struct sbx sx;
	enum err rc;
	bool ok;
	int u;

	if (!sandbox_begin(ctx, SBX_META, 0, &sx, &rc))
		return rc;
	ok = sandbox_token_parse(req_query(&ctx->req, "input_token"), &t) &&
	    t.prov == SBXP_META && t.kind != SBXK_CODE;
	u = ok ? t.user : 1;
	sandbox_start(&sx, 200, MJ);
	buf_printf(sx.out, "{\"data\":{\"app_id\":\"1234567890123456\","
	    "\"type\":\"%s\",\"application\":\"Sluice\","
	    "\"data_access_expires_at\":%lld,\"expires_at\":%lld,"
	    "\"is_valid\":%s,\"issued_at\":%lld,\"scopes\":["
	    "\"pages_show_list\",\"pages_read_engagement\",\"read_insights\","
	    "\"instagram_basic\",\"instagram_manage_insights\",\"ads_read\","
	    "\"business_management\",\"public_profile\"],"
	    "\"granular_scopes\":[{\"scope\":\"pages_show_list\","
	    "\"target_ids\":[\"%s\"]}],\"user_id\":\"1021524177383%02d\"}}",
	    ok && t.kind == SBXK_PAGE ? "PAGE" : "USER",
	    (long long)(ok ? t.iat + 7776000 : 0), (long long)(ok ? t.exp :
	    0), ok && (t.exp == 0 || t.exp >= sx.now) ? "true" : "false",
	    (long long)(ok ? t.iat : 0), page_id(u, 0), u);
	return sandbox_done(&sx);
}

/* ------------------------------------------------------------------ */
/* Nodes: the user, a Page, an Instagram account. */

enum err
sandbox_meta_node(struct ctx *ctx)
{
	const char *id, *fields, *ig;
	struct sandbox_day d;
	struct sbx sx;
	enum err rc;
	bool first = true;

	if (!sandbox_begin(ctx, SBX_META, SBX_AUTH, &sx, &rc))
		return rc;
	id = route_capture(&ctx->match, "id");
	fields = req_query(&ctx->req, "fields");
	if (fields == NULL)
		fields = "id,name";
	sandbox_start(&sx, 200, MJ);
	if (strcmp(id, "me") == 0) {
		app_usage(&sx);
		buf_printf(sx.out, "{\"name\":\"Sandbox User %d\",\"id\":"
		    "\"1021524177383%02d\"}", sx.tok.user, sx.tok.user);
		return sandbox_done(&sx);
	}
	buf_puts(sx.out, "{");
	if (strncmp(id, IG_PREFIX, strlen(IG_PREFIX)) == 0) {
		usage_header(&sx, id, "instagram");
		sandbox_series(id, sandbox_today(sx.now, -8) - 1,
		    sandbox_today(sx.now, -8), 0, &d);
		if (has_field(fields, "followers_count")) {
			buf_printf(sx.out, "\"followers_count\":%lld",
			    (long long)(d.visits * 3 + 500));
			first = false;
		}
		if (has_field(fields, "media_count")) {
			buf_printf(sx.out, "%s\"media_count\":%llu",
			    first ? "" : ",", (unsigned long long)
			    (120 + sandbox_hash(id, 9) % 400));
			first = false;
		}
		if (has_field(fields, "username")) {
			buf_printf(sx.out, "%s\"username\":\"sandbox.%s\"",
			    first ? "" : ",", id + strlen(id) - 4);
			first = false;
		}
		if (has_field(fields, "name")) {
			buf_printf(sx.out, "%s\"name\":\"Sandbox IG %s\"",
			    first ? "" : ",", id + strlen(id) - 4);
			first = false;
		}
	} else {
		usage_header(&sx, id, "pages");
		if (has_field(fields, "instagram_business_account") &&
		    (ig = ig_of(&sx, id)) != NULL) {
			buf_printf(sx.out, "\"instagram_business_account\":"
			    "{\"id\":\"%s\"}", ig);
			first = false;
		}
		if (has_field(fields, "name")) {
			buf_printf(sx.out, "%s\"name\":\"Sandbox Page %s\"",
			    first ? "" : ",", id + strlen(id) - 4);
			first = false;
		}
	}
	buf_printf(sx.out, "%s\"id\":", first ? "" : ",");
	sandbox_jstr(sx.out, id);
	buf_puts(sx.out, "}");
	return sandbox_done(&sx);
}

/* ------------------------------------------------------------------ */
/* Edges. */

static enum err
accounts(struct sbx *sx)
{
	static const char *const cats[] = { "Software", "Community",
	    "Magazine" };
	static const char *const catid[] = { "2211", "2612", "2236" };
	const char *fields = req_query(&sx->ctx->req, "fields");
	long limit, off, total, i, end;
	struct sandbox_token t;
	bool first;

	limit = sandbox_long(req_query(&sx->ctx->req, "limit"), 25, 100);
	if (limit == 0)
		limit = 25;
	off = uncursor(req_query(&sx->ctx->req, "after")) + 1;
	if (off < 0)
		off = 0;
	total = sandbox_is(sx, "pages") ? SANDBOX_MANY_PAGES * limit : 3;
	if (sandbox_is(sx, "empty"))
		total = 0;
	if (fields == NULL)
		fields = "access_token,category,category_list,name,id,tasks";
	sandbox_start(sx, 200, MJ);
	app_usage(sx);
	buf_puts(sx->out, "{\"data\":[");
	end = off + limit < total ? off + limit : total;
	memset(&t, 0, sizeof(t));
	t.prov = SBXP_META;
	t.kind = SBXK_PAGE;
	t.user = sx->tok.user;
	strcpy(t.fault, sx->tok.fault);
	t.iat = sx->tok.iat;	/* same user token, same page tokens */
	for (i = off; i < end; i++) {
		const char *id = i < 3 ? page_id(sx->tok.user, (int)i) :
		    arena_printf(sx->ctx->arena, "10485769%07ld", i);

		first = true;
		buf_puts(sx->out, i > off ? ",{" : "{");
		if (has_field(fields, "access_token")) {
			buf_puts(sx->out, "\"access_token\":");
			sandbox_jstr(sx->out, sandbox_token_make(sx, "EAA",
			    &t));
			first = false;
		}
		if (has_field(fields, "category")) {
			buf_printf(sx->out, "%s\"category\":\"%s\"", first ?
			    "" : ",", cats[i % 3]);
			first = false;
		}
		if (has_field(fields, "category_list")) {
			buf_printf(sx->out, "%s\"category_list\":[{\"id\":"
			    "\"%s\",\"name\":\"%s\"}]", first ? "" : ",",
			    catid[i % 3], cats[i % 3]);
			first = false;
		}
		if (has_field(fields, "name")) {
			buf_printf(sx->out, "%s\"name\":\"Sandbox Page %ld\"",
			    first ? "" : ",", i + 1);
			first = false;
		}
		buf_printf(sx->out, "%s\"id\":\"%s\"", first ? "" : ",", id);
		if (has_field(fields, "tasks"))
			buf_printf(sx->out, ",\"tasks\":[\"ANALYZE\"%s]",
			    i % 3 == 0 ? ",\"ADVERTISE\",\"MODERATE\","
			    "\"CREATE_CONTENT\",\"MESSAGING\",\"MANAGE\"" : "");
		buf_puts(sx->out, "}");
	}
	buf_puts(sx->out, "],\"paging\":{\"cursors\":{");
	if (end > off)
		buf_printf(sx->out, "\"before\":\"%s\",\"after\":\"%s\"",
		    cursor(sx, off), cursor(sx, end - 1));
	buf_puts(sx->out, "}");
	if (off > 0 && end > off)
		buf_printf(sx->out, ",\"previous\":\"%s\"", page_url(sx,
		    "before", cursor(sx, off)));
	if (end < total)
		buf_printf(sx->out, ",\"next\":\"%s\"", page_url(sx, "after",
		    cursor(sx, end - 1)));
	buf_puts(sx->out, "}}");
	return sandbox_done(sx);
}

static enum err
adaccounts(struct sbx *sx)
{
	const char *c;
	int i;

	sandbox_start(sx, 200, MJ);
	app_usage(sx);
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
	    "\"after\":\"%s\"}}}", cursor(sx, 0), cursor(sx, 1));
	return sandbox_done(sx);
}

/* Page and Instagram metrics: name, title, value source, total-only. */
static const struct meta_metric {
	const char	*name;
	const char	*title;
	int		 src;
	bool		 total_only;
	bool		 ig;
} metas[] = {
	{ "page_post_engagements", "Daily Post Engagements", 0, false, false },
	{ "page_media_view", "Daily Media Views", 1, false, false },
	{ "page_total_media_view_unique", "Daily Unique Media Viewers", 2,
	    false, false },
	{ "page_daily_follows_unique", "Daily New Follows", 3, false, false },
	{ "page_daily_unfollows_unique", "Daily Unfollows", 4, false, false },
	{ "page_follows", "Followers", 5, false, false },
	{ "page_views_total", "Daily Page Views", 6, false, false },
	{ "reach", "Accounts reached", 2, false, true },
	{ "follower_count", "Follower count", 3, false, true },
	{ "views", "Views", 1, true, true },
	{ "accounts_engaged", "Accounts engaged", 7, true, true },
	{ "total_interactions", "Total interactions", 0, true, true },
	{ "likes", "Likes", 8, true, true },
	{ "comments", "Comments", 9, true, true },
	{ "shares", "Shares", 10, true, true },
	{ "saves", "Saves", 10, true, true },
	{ "replies", "Replies", 9, true, true },
	{ "profile_views", "Profile views", 6, true, true },
	{ "profile_links_taps", "Profile links taps", 4, true, true },
	{ "follows_and_unfollows", "Follows and unfollows", 3, true, true },
};
#define NMETAS	(nitems(metas))

static int64_t
meta_value(int src, const struct sandbox_day *d)
{
	switch (src) {
	case 0: return d->engagements;
	case 1: return d->impressions;
	case 2: return d->reach;
	case 3: return d->follows;
	case 4: return d->unfollows;
	case 5: return 1000 + d->visits * 3;
	case 6: return d->pageviews / 4;
	case 7: return d->engagements * 2 / 3;
	case 8: return d->likes;
	case 9: return d->comments;
	default: return d->shares;
	}
}

static enum err
insights(struct sbx *sx, const char *id, bool ig)
{
	const char *metric, *mtype, *bd, *s, *u;
	const struct meta_metric *sel[20];
	struct sandbox_day sd;
	char *list, *tok, *save;
	int64_t today, d0, d1, d, sum;
	size_t n = 0, i, k;
	bool total;

	metric = req_query(&sx->ctx->req, "metric");
	mtype = req_query(&sx->ctx->req, "metric_type");
	bd = req_query(&sx->ctx->req, "breakdown");
	total = mtype != NULL && strcmp(mtype, "total_value") == 0;
	if (metric == NULL || sandbox_is(sx, "removed_metric"))
		return sandbox_fail(sx, -1,
		    "page_insights_error_invalid_metric");
	list = arena_strdup(sx->ctx->arena, metric);
	for (tok = strtok_r(list, ",", &save); tok != NULL && n < 20;
	    tok = strtok_r(NULL, ",", &save)) {
		if (ig && strcmp(tok, "impressions") == 0)
			return sandbox_fail(sx, -1,
			    "ig_error_impressions_removed");
		for (k = 0; k < NMETAS; k++)
			if (strcmp(metas[k].name, tok) == 0 &&
			    metas[k].ig == ig)
				break;
		if (k == NMETAS)
			return sandbox_fail(sx, -1,
			    "page_insights_error_invalid_metric");
		if (metas[k].total_only && !total)
			return sandbox_fail(sx, -1,
			    "ig_error_needs_total_value");
		sel[n++] = &metas[k];
	}
	today = sandbox_today(sx->now, -8);
	s = req_query(&sx->ctx->req, "since");
	u = req_query(&sx->ctx->req, "until");
	d0 = s != NULL ? meta_day(s) : today - 2;
	d1 = u != NULL ? meta_day(u) : today;
	if (d0 < 0 || d1 < 0 || d1 < d0)
		return sandbox_fail(sx, -1,
		    "page_insights_error_invalid_metric");
	if (ig && d1 - d0 > 30)
		return sandbox_fail(sx, -1, "ig_error_range_too_long");
	if (d1 > today + 1)	/* until is exclusive: nothing after today */
		d1 = today + 1;
	if (d0 > d1)
		d0 = d1;
	if (d1 - d0 > 93)
		d0 = d1 - 93;
	sandbox_start(sx, 200, MJ);
	usage_header(sx, id, ig ? "instagram" : "pages");
	buf_puts(sx->out, "{\"data\":[");
	for (i = 0; i < n; i++) {
		buf_printf(sx->out, "%s{\"name\":\"%s\",\"period\":\"day\",",
		    i ? "," : "", sel[i]->name);
		if (total) {
			for (sum = 0, d = d0; d < d1; d++) {
				sandbox_series(id, d, today, PAGE_RESTATE,
				    &sd);
				sum += meta_value(sel[i]->src, &sd);
			}
			buf_printf(sx->out, "\"title\":\"%s\",\"description\":"
			    "\"%s over the window.\",\"total_value\":{"
			    "\"value\":%lld", sel[i]->title, sel[i]->title,
			    (long long)sum);
			if (bd != NULL) {
				buf_puts(sx->out, ",\"breakdowns\":[{"
				    "\"dimension_keys\":[");
				sandbox_jstr(sx->out, bd);
				buf_printf(sx->out, "],\"results\":[{"
				    "\"dimension_values\":[\"POST\"],\"value\":"
				    "%lld},{\"dimension_values\":[\"REEL\"],"
				    "\"value\":%lld},{\"dimension_values\":"
				    "[\"STORY\"],\"value\":%lld}]}]",
				    (long long)(sum / 5), (long long)(sum / 2),
				    (long long)(sum - sum / 5 - sum / 2));
			}
			buf_puts(sx->out, "},");
		} else {
			buf_puts(sx->out, "\"values\":[");
			for (d = d0; d < d1; d++) {
				sandbox_series(id, d, today, PAGE_RESTATE,
				    &sd);
				buf_printf(sx->out, "%s{\"value\":%lld,"
				    "\"end_time\":\"%s\"}", d > d0 ? "," : "",
				    (long long)meta_value(sel[i]->src, &sd),
				    end_time(sx, d));
			}
			buf_printf(sx->out, "],\"title\":\"%s\","
			    "\"description\":\"%s per day.\",", sel[i]->title,
			    sel[i]->title);
		}
		buf_printf(sx->out, "\"id\":\"%s/insights/%s/day\"}", id,
		    sel[i]->name);
	}
	buf_puts(sx->out, "]");
	if (!total) {
		long long w = (long long)(d1 - d0) * 86400;
		long long a = (long long)d0 * 86400 + 7 * 3600;

		buf_printf(sx->out, ",\"paging\":{\"previous\":\"%s\",",
		    page_url(sx, "since", arena_printf(sx->ctx->arena,
		    "%lld&until=%lld", a - w, a)));
		buf_printf(sx->out, "\"next\":\"%s\"}", page_url(sx, "since",
		    arena_printf(sx->ctx->arena, "%lld&until=%lld", a + w,
		    a + 2 * w)));
	}
	buf_puts(sx->out, "}");
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

static enum err
ads_insights(struct sbx *sx, const char *id)
{
	static const char *const names[] = { "Summer Sale", "Retargeting" };
	const char *tr, *fields, *acct = id + 4;
	char a[11], b[11], day[11];
	int64_t today, d0, d1, d;
	long limit, off, total, i, end;
	struct sandbox_day sd;
	int tzoff, c;
	double share;

	if (sx->ctx->req.method == HTTP_POST) {
		sandbox_start(sx, 200, MJ);
		buf_printf(sx->out, "{\"report_run_id\":\"60%011llu\"}",
		    (unsigned long long)(sandbox_hash(sx->ctx->req.body,
		    3) % 100000000000ULL));
		return sandbox_done(sx);
	}
	sandbox_tz(acct, &tzoff);
	today = sandbox_today(sx->now, tzoff);
	d0 = today - 30;
	d1 = today - 1;
	tr = req_query(&sx->ctx->req, "time_range");
	if (tr != NULL && sscanf(tr, "{\"since\":\"%10[0-9-]\",\"until\":"
	    "\"%10[0-9-]\"}", a, b) == 2) {
		d0 = sandbox_day_parse(a);
		d1 = sandbox_day_parse(b);
	}
	if (d0 < 0 || d1 < d0)
		return sandbox_fail(sx, -1,
		    "page_insights_error_invalid_metric");
	if (d1 - d0 > 400)
		return sandbox_fail(sx, -1, "error_ads_too_much_data");
	if (d1 > today)
		d1 = today;
	fields = req_query(&sx->ctx->req, "fields");
	if (fields == NULL)
		fields = "impressions,spend";
	limit = sandbox_long(req_query(&sx->ctx->req, "limit"), 25, 500);
	if (limit == 0)
		limit = 25;
	off = uncursor(req_query(&sx->ctx->req, "after")) + 1;
	if (off < 0)
		off = 0;
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
		if (has_field(fields, "campaign_id")) {
			buf_printf(sx->out, "\"campaign_id\":\"1202100000000"
			    "0000%d\"", c + 1);
			f = false;
		}
		if (has_field(fields, "campaign_name")) {
			buf_printf(sx->out, "%s\"campaign_name\":\"%s\"",
			    f ? "" : ",", names[c]);
			f = false;
		}
		if (has_field(fields, "impressions")) {
			buf_printf(sx->out, "%s\"impressions\":\"%lld\"",
			    f ? "" : ",", imp);
			f = false;
		}
		if (has_field(fields, "reach")) {
			buf_printf(sx->out, "%s\"reach\":\"%lld\"",
			    f ? "" : ",", (long long)((double)sd.reach *
			    share));
			f = false;
		}
		if (has_field(fields, "clicks")) {
			buf_printf(sx->out, "%s\"clicks\":\"%lld\"",
			    f ? "" : ",", clk);
			f = false;
		}
		if (has_field(fields, "spend")) {
			buf_printf(sx->out, "%s\"spend\":\"%.2f\"",
			    f ? "" : ",", (double)sd.cost_micros * share /
			    1e6);
			f = false;
		}
		if (has_field(fields, "ctr") && imp > 0) {
			buf_printf(sx->out, "%s\"ctr\":\"%.6f\"",
			    f ? "" : ",", 100.0 * (double)clk / (double)imp);
			f = false;
		}
		if (has_field(fields, "cpc") && clk > 0) {
			buf_printf(sx->out, "%s\"cpc\":\"%.6f\"",
			    f ? "" : ",", (double)sd.cost_micros * share /
			    1e6 / (double)clk);
			f = false;
		}
		if (has_field(fields, "actions") && clk > 0) {
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
	buf_puts(sx->out, "],\"paging\":{\"cursors\":{");
	if (end > off)
		buf_printf(sx->out, "\"before\":\"%s\",\"after\":\"%s\"",
		    cursor(sx, off), cursor(sx, end - 1));
	buf_puts(sx->out, "}");
	if (off > 0 && end > off)
		buf_printf(sx->out, ",\"previous\":\"%s\"", page_url(sx,
		    "before", cursor(sx, off)));
	if (end < total)
		buf_printf(sx->out, ",\"next\":\"%s\"", page_url(sx, "after",
		    cursor(sx, end - 1)));
	buf_puts(sx->out, "}}");
	return sandbox_done(sx);
}

enum err
sandbox_meta_edge(struct ctx *ctx)
{
	const char *id, *edge;
	struct sbx sx;
	enum err rc;

	if (!sandbox_begin(ctx, SBX_META, SBX_AUTH, &sx, &rc))
		return rc;
	id = route_capture(&ctx->match, "id");
	edge = route_capture(&ctx->match, "edge");
	if (strcmp(edge, "permissions") == 0 &&
	    ctx->req.method == HTTP_DELETE) {
		sandbox_start(&sx, 200, MJ);
		buf_puts(sx.out, "{\"success\":true}");
		return ERR_OK;
	}
	if (strcmp(edge, "accounts") == 0 && ctx->req.method != HTTP_POST)
		return accounts(&sx);
	if (strcmp(edge, "adaccounts") == 0 && ctx->req.method != HTTP_POST)
		return adaccounts(&sx);
	if (strcmp(edge, "insights") == 0 && strncmp(id, "act_", 4) == 0)
		return ads_insights(&sx, id);
	if (strcmp(edge, "insights") == 0 && ctx->req.method != HTTP_POST)
		return insights(&sx, id, strncmp(id, IG_PREFIX,
		    strlen(IG_PREFIX)) == 0);
	sandbox_start(&sx, 400, MJ);
	buf_puts(sx.out, "{\"error\":{\"message\":\"(#100) Unknown path "
	    "components\",\"type\":\"OAuthException\",\"code\":100,"
	    "\"fbtrace_id\":\"SbxTrace0000099\"}}");
	return ERR_OK;
}
