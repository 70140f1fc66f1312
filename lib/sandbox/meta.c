/*
 * meta.c — what Meta's providers share in the sandbox: Login and Graph.
 *
 * The consent data of Meta's family, the Facebook Login token exchange
 * (code, long-lived), debug_token, the user node, revocation, and the
 * Graph API's nodes and edges handed to Facebook, Instagram and Meta Ads
 * by their `graph` entries (struct sandbox_graph); with the Graph's
 * error style, usage headers, cursors and the insights shared by Pages
 * and Instagram.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/day.h"
#include "base/mem.h"
#include "sandbox/sandbox_priv.h"

#define MJ		SANDBOX_META_JSON
#define PAGE_RESTATE	3

/* The Graph API: {error:{message,type,code,...}}. */
const struct sandbox_api sandbox_api_meta = {
	.name = "meta",
	.prov = SANDBOX_META_PROV,
	.invalid = "error_190_invalid",
	.expired = "error_190_expired",
};

/* ------------------------------------------------------------------ */
/* Helpers. */

/* The Page ids of a user (i: 0..2). */
const char *
sandbox_meta_page_id(struct sbx *sx, int user, int i)
{
	return arena_printf(sx->ctx->arena, "10485760000%02d%02d", user,
	    i + 1);
}

const char *
sandbox_meta_cursor(struct sbx *sx, long i)
{
	char num[24], out[48];

	snprintf(num, sizeof(num), "%ld", i);
	sandbox_b64url(num, out, sizeof(out));
	return arena_strdup(sx->ctx->arena, out);
}

/* A cursor's index, or -1 when c is NULL or bad. */
static long
uncursor(const char *c)
{
	char dec[24];

	if (c == NULL || !sandbox_unb64url(c, dec, sizeof(dec)))
		return -1;
	return sandbox_long(dec, -1, 1000000);
}

long
sandbox_meta_after(struct sbx *sx)
{
	long off = uncursor(req_query(&sx->ctx->req, "after"));

	return off < 0 ? 0 : off + 1;
}

const char *
sandbox_meta_page_url(struct sbx *sx, const char *name, const char *value)
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

bool
sandbox_meta_has_field(const char *fields, const char *f)
{
	size_t n = strlen(f);
	const char *p;

	for (p = fields; p != NULL && (p = strstr(p, f)) != NULL; p += n)
		if ((p == fields || p[-1] == ',') && (p[n] == '\0' ||
		    p[n] == ',' || p[n] == '{'))
			return true;
	return false;
}

void
sandbox_meta_usage(struct sbx *sx, const char *id, const char *type)
{
	resp_header(&sx->ctx->resp, "X-Business-Use-Case-Usage",
	    arena_printf(sx->ctx->arena, "{\"%s\":[{\"type\":\"%s\","
	    "\"call_count\":2,\"total_cputime\":1,\"total_time\":1,"
	    "\"estimated_time_to_regain_access\":0}]}", id, type));
}

void
sandbox_meta_app_usage(struct sbx *sx)
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

void
sandbox_meta_paging(struct sbx *sx, long off, long end, long total)
{
	buf_puts(sx->out, "],\"paging\":{\"cursors\":{");
	if (end > off)
		buf_printf(sx->out, "\"before\":\"%s\",\"after\":\"%s\"",
		    sandbox_meta_cursor(sx, off),
		    sandbox_meta_cursor(sx, end - 1));
	buf_puts(sx->out, "}");
	if (off > 0 && end > off)
		buf_printf(sx->out, ",\"previous\":\"%s\"",
		    sandbox_meta_page_url(sx, "before",
		    sandbox_meta_cursor(sx, off)));
	if (end < total)
		buf_printf(sx->out, ",\"next\":\"%s\"",
		    sandbox_meta_page_url(sx, "after",
		    sandbox_meta_cursor(sx, end - 1)));
	buf_puts(sx->out, "}}");
}

const char *
sandbox_meta_node_start(struct sbx *sx, const char *id, const char *type)
{
	const char *fields = req_query(&sx->ctx->req, "fields");

	sandbox_start(sx, 200, MJ);
	buf_puts(sx->out, "{");
	sandbox_meta_usage(sx, id, type);
	return fields != NULL ? fields : "id,name";
}

enum err
sandbox_meta_node_end(struct sbx *sx, const char *id, bool first)
{
	buf_printf(sx->out, "%s\"id\":", first ? "" : ",");
	sandbox_jstr(sx->out, id);
	buf_puts(sx->out, "}");
	return sandbox_done(sx);
}

/* ------------------------------------------------------------------ */
/* Tokens. */

static enum err
api_token(struct ctx *ctx)
{
	struct sandbox_token in, t;
	const char *grant, *why;
	struct sbx sx;
	enum err rc;
	enum sandbox_kind kind;
	int64_t life;

	if (!sandbox_begin(ctx, &sandbox_api_meta, SBX_TOKEN_EP, &sx, &rc))
		return rc;
	grant = req_query(&ctx->req, "grant_type");
	if (grant != NULL && strcmp(grant, "fb_exchange_token") == 0) {
		if (!sandbox_token_parse(req_query(&ctx->req,
		    "fb_exchange_token"), &in) ||
		    in.prov != SANDBOX_META_PROV ||
		    (in.kind != SBXK_ACCESS && in.kind != SBXK_LONG))
			return sandbox_fail(&sx, "error_190_invalid");
		if (in.exp != 0 && in.exp < sx.now)
			return sandbox_fail(&sx, "error_190_expired");
		kind = SBXK_LONG;
		life = 5183944;
	} else {
		if (req_query(&ctx->req, "client_id") == NULL ||
		    !sandbox_code_ok(&sx, req_query(&ctx->req, "code"),
		    SANDBOX_META_PROV, req_query(&ctx->req, "redirect_uri"),
		    req_query(&ctx->req, "code_verifier"), &in, &why))
			return sandbox_fail(&sx, "oauth_error_code_used");
		kind = SBXK_ACCESS;
		life = 5183999;
	}
	sandbox_token_from(&sx, &in, SANDBOX_META_PROV, kind, &t);
	t.exp = sx.now + life;
	sandbox_start(&sx, 200, MJ);
	buf_puts(sx.out, "{\"access_token\":");
	sandbox_jstr(sx.out, sandbox_token_make(&sx, "EAA", &t));
	buf_printf(sx.out, ",\"token_type\":\"bearer\",\"expires_in\":%lld}",
	    (long long)life);
	return sandbox_done(&sx);
}

static enum err
api_debug(struct ctx *ctx)
{
	struct sandbox_token t;
	struct sbx sx;
	enum err rc;
	bool ok;
	int u;

	if (!sandbox_begin(ctx, &sandbox_api_meta, 0, &sx, &rc))
		return rc;
	ok = sandbox_token_parse(req_query(&ctx->req, "input_token"), &t) &&
	    t.prov == SANDBOX_META_PROV && t.kind != SBXK_CODE;
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
	    (long long)(ok ? t.iat : 0), sandbox_meta_page_id(&sx, u, 0), u);
	return sandbox_done(&sx);
}

/* ------------------------------------------------------------------ */
/* Insights of Pages and Instagram accounts. */

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

/*
 * A Page metric's value over the span days ending on day: the day's
 * value for a span of 1; else the sum of the span's daily values, of
 * which 80 % for the unique viewers (src 2): people seen on several
 * days count once, so a test can compute the period's reach by hand
 * from the daily rows, floor(sum * 8 / 10).
 */
static int64_t
meta_span(const char *id, int src, int64_t day, int span, int64_t today)
{
	struct sandbox_day sd;
	int64_t sum = 0;
	int k;

	for (k = 0; k < span; k++) {
		sandbox_series(id, day - k, today, PAGE_RESTATE, &sd);
		sum += meta_value(src, &sd);
	}
	return span > 1 && src == 2 ? sum * 8 / 10 : sum;
}

enum err
sandbox_meta_insights(struct sbx *sx, const char *id, bool ig,
    const struct sandbox_meta_metric *metas, size_t nmetas)
{
	const char *metric, *mtype, *bd, *s, *u, *period;
	const struct sandbox_meta_metric *sel[20];
	struct sandbox_day sd;
	char *list, *tok, *save;
	int64_t today, d0, d1, d, sum;
	size_t n = 0, i, k;
	bool total;
	int span = 1;

	metric = req_query(&sx->ctx->req, "metric");
	mtype = req_query(&sx->ctx->req, "metric_type");
	bd = req_query(&sx->ctx->req, "breakdown");
	total = mtype != NULL && strcmp(mtype, "total_value") == 0;
	/* A Page's week and days_28 periods: each value covers the 7 or
	 * 28 days ending on its day. */
	period = req_query(&sx->ctx->req, "period");
	if (period == NULL)
		period = "day";
	if (!ig && !total && strcmp(period, "week") == 0)
		span = 7;
	else if (!ig && !total && strcmp(period, "days_28") == 0)
		span = 28;
	else if (strcmp(period, "day") != 0)
		return sandbox_fail(sx,
		    "page_insights_error_invalid_metric");
	if (metric == NULL || sandbox_is(sx, "removed_metric"))
		return sandbox_fail(sx,
		    "page_insights_error_invalid_metric");
	list = arena_strdup(sx->ctx->arena, metric);
	for (tok = strtok_r(list, ",", &save); tok != NULL && n < 20;
	    tok = strtok_r(NULL, ",", &save)) {
		if (ig && strcmp(tok, "impressions") == 0)
			return sandbox_fail(sx,
			    "ig_error_impressions_removed");
		for (k = 0; k < nmetas; k++)
			if (strcmp(metas[k].name, tok) == 0)
				break;
		if (k == nmetas)
			return sandbox_fail(sx,
			    "page_insights_error_invalid_metric");
		if (metas[k].total_only && !total)
			return sandbox_fail(sx,
			    "ig_error_needs_total_value");
		sel[n++] = &metas[k];
	}
	today = sandbox_today(sx->now, -8);
	s = req_query(&sx->ctx->req, "since");
	u = req_query(&sx->ctx->req, "until");
	d0 = s != NULL ? meta_day(s) : today - 2;
	d1 = u != NULL ? meta_day(u) : today;
	if (d0 < 0 || d1 < 0 || d1 < d0)
		return sandbox_fail(sx,
		    "page_insights_error_invalid_metric");
	if (ig && d1 - d0 > 30)
		return sandbox_fail(sx, "ig_error_range_too_long");
	if (d1 > today + 1)	/* until is exclusive: nothing after today */
		d1 = today + 1;
	if (d0 > d1)
		d0 = d1;
	if (d1 - d0 > 93)
		d0 = d1 - 93;
	sandbox_start(sx, 200, MJ);
	sandbox_meta_usage(sx, id, ig ? "instagram" : "pages");
	buf_puts(sx->out, "{\"data\":[");
	for (i = 0; i < n; i++) {
		buf_printf(sx->out, "%s{\"name\":\"%s\",\"period\":\"%s\",",
		    i ? "," : "", sel[i]->name, period);
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
			for (d = d0; d < d1; d++)
				buf_printf(sx->out, "%s{\"value\":%lld,"
				    "\"end_time\":\"%s\"}", d > d0 ? "," : "",
				    (long long)meta_span(id, sel[i]->src, d,
				    span, today), end_time(sx, d));
			buf_printf(sx->out, "],\"title\":\"%s\","
			    "\"description\":\"%s per day.\",", sel[i]->title,
			    sel[i]->title);
		}
		buf_printf(sx->out, "\"id\":\"%s/insights/%s/%s\"}", id,
		    sel[i]->name, period);
	}
	buf_puts(sx->out, "]");
	if (!total) {
		long long w = (long long)(d1 - d0) * 86400;
		long long a = (long long)d0 * 86400 + 7 * 3600;

		buf_printf(sx->out, ",\"paging\":{\"previous\":\"%s\",",
		    sandbox_meta_page_url(sx, "since",
		    arena_printf(sx->ctx->arena, "%lld&until=%lld", a - w,
		    a)));
		buf_printf(sx->out, "\"next\":\"%s\"}",
		    sandbox_meta_page_url(sx, "since",
		    arena_printf(sx->ctx->arena, "%lld&until=%lld", a + w,
		    a + 2 * w)));
	}
	buf_puts(sx->out, "}");
	return sandbox_done(sx);
}

/* ------------------------------------------------------------------ */
/* Nodes and edges, handed to the provider whose entry fits. */

/*
 * The graph entry of edge (NULL: the node) for id, among every
 * provider's: the one whose id prefix is the longest that matches; a
 * POST only to an entry that takes it.  NULL when none.
 */
static const struct sandbox_graph *
graph_find(const char *edge, const char *id, bool post)
{
	const struct sandbox_provider *const *all;
	const struct sandbox_graph *g, *best = NULL;
	size_t i, j, n;

	all = sandbox_all(&n);
	for (i = 0; i < n; i++)
		for (j = 0; j < all[i]->ngraph; j++) {
			g = &all[i]->graph[j];
			if ((g->edge == NULL) != (edge == NULL) ||
			    (edge != NULL && strcmp(g->edge, edge) != 0) ||
			    (post && !g->post) || strncmp(id, g->id_prefix,
			    strlen(g->id_prefix)) != 0)
				continue;
			if (best == NULL || strlen(g->id_prefix) >
			    strlen(best->id_prefix))
				best = g;
		}
	return best;
}

/* The Graph's answer to a path it does not know. */
static enum err
unknown_path(struct sbx *sx)
{
	sandbox_start(sx, 400, MJ);
	buf_puts(sx->out, "{\"error\":{\"message\":\"(#100) Unknown path "
	    "components\",\"type\":\"OAuthException\",\"code\":100,"
	    "\"fbtrace_id\":\"SbxTrace0000099\"}}");
	return ERR_OK;
}

/* GET /:ver/:id: the user ("me"), else the node's provider. */
static enum err
api_node(struct ctx *ctx)
{
	const struct sandbox_graph *g;
	const char *id;
	struct sbx sx;
	enum err rc;

	/* A node's fields name no metric (a Page's token, its name). */
	if (!sandbox_begin(ctx, &sandbox_api_meta, SBX_AUTH | SBX_NOMETRIC,
	    &sx, &rc))
		return rc;
	id = route_capture(&ctx->match, "id");
	if (strcmp(id, "me") == 0) {
		const char *name, *email;

		sandbox_persona(sx.tok.user, &name, &email);
		sandbox_start(&sx, 200, MJ);
		sandbox_meta_app_usage(&sx);
		buf_puts(sx.out, "{\"name\":");
		sandbox_jstr(sx.out, name);
		buf_printf(sx.out, ",\"id\":\"1021524177383%02d\"}",
		    sx.tok.user);
		return sandbox_done(&sx);
	}
	if ((g = graph_find(NULL, id, false)) == NULL)
		return unknown_path(&sx);
	return g->fn(&sx, id);
}

/* /:ver/:id/:edge: revocation (DELETE permissions), else the edge's
 * provider. */
static enum err
api_edge(struct ctx *ctx)
{
	const struct sandbox_graph *g;
	const char *id, *edge;
	struct sbx sx;
	enum err rc;

	if (!sandbox_begin(ctx, &sandbox_api_meta, SBX_AUTH, &sx, &rc))
		return rc;
	id = route_capture(&ctx->match, "id");
	edge = route_capture(&ctx->match, "edge");
	if (strcmp(edge, "permissions") == 0 &&
	    ctx->req.method == HTTP_DELETE) {
		sandbox_start(&sx, 200, MJ);
		buf_puts(sx.out, "{\"success\":true}");
		return ERR_OK;
	}
	if ((g = graph_find(edge, id, ctx->req.method == HTTP_POST)) == NULL)
		return unknown_path(&sx);
	return g->fn(&sx, id);
}

/* ------------------------------------------------------------------ */
/* The family's error shapes, routes and consent data. */

#define JU	"application/json; charset=UTF-8"
#define META_ERR(body)	"{\"error\":{" body "}}"

static const struct sandbox_fault faults[] = {
	{ &sandbox_api_meta, "error_190_expired", "401", 400, NULL, JU,
	    META_ERR("\"message\":\"Error validating access token: the "
	    "session has expired.\",\"type\":\"OAuthException\",\"code\":190,"
	    "\"error_subcode\":463,\"fbtrace_id\":\"SbxTrace0000001\"") },
	{ &sandbox_api_meta, "error_190_invalid", NULL, 400, NULL, JU,
	    META_ERR("\"message\":\"Invalid OAuth access token - cannot "
	    "parse access token\",\"type\":\"OAuthException\",\"code\":190,"
	    "\"fbtrace_id\":\"SbxTrace0000002\"") },
	{ &sandbox_api_meta, "error_190_password_changed", NULL, 400, NULL, JU,
	    META_ERR("\"message\":\"Error validating access token: the "
	    "session was invalidated by a password change.\",\"type\":"
	    "\"OAuthException\",\"code\":190,\"error_subcode\":460,"
	    "\"fbtrace_id\":\"SbxTrace0000003\"") },
	{ &sandbox_api_meta, "error_190_458_app_not_installed", NULL, 400, NULL,
	    JU, META_ERR("\"message\":\"Error validating access token: the "
	    "user has not authorized the application.\",\"type\":"
	    "\"OAuthException\",\"code\":190,\"error_subcode\":458,"
	    "\"fbtrace_id\":\"SbxTrace0000021\"") },
	{ &sandbox_api_meta, "error_190_459_checkpointed", NULL, 400, NULL, JU,
	    META_ERR("\"message\":\"Error validating access token: log in "
	    "to www.facebook.com and follow the instructions given.\","
	    "\"type\":\"OAuthException\",\"code\":190,\"error_subcode\":"
	    "459,\"error_user_title\":\"Log in to Facebook\","
	    "\"error_user_msg\":\"Log in at www.facebook.com and follow the "
	    "instructions given.\",\"fbtrace_id\":\"SbxTrace0000022\"") },
	{ &sandbox_api_meta, "error_190_467_logged_out", NULL, 400, NULL, JU,
	    META_ERR("\"message\":\"Error validating access token: the "
	    "session is invalid because the user logged out.\",\"type\":"
	    "\"OAuthException\",\"code\":190,\"error_subcode\":467,"
	    "\"fbtrace_id\":\"SbxTrace0000023\"") },
	{ &sandbox_api_meta, "error_10_permission", "403", 400, NULL, JU,
	    META_ERR("\"message\":\"(#10) This call needs the "
	    "pages_read_engagement permission.\",\"type\":\"OAuthException\","
	    "\"code\":10,\"fbtrace_id\":\"SbxTrace0000004\"") },
	{ &sandbox_api_meta, "error_17_user_limit", NULL, 400,
	    "X-App-Usage: {\"call_count\":100,\"total_cputime\":64,"
	    "\"total_time\":73}\n", JU,
	    META_ERR("\"message\":\"(#17) User request limit reached\","
	    "\"type\":\"OAuthException\",\"is_transient\":true,\"code\":17,"
	    "\"error_subcode\":2446079,\"fbtrace_id\":\"SbxTrace0000005\"") },
	{ &sandbox_api_meta, "error_4_app_limit", "429", 400,
	    "Retry-After: 30\nX-App-Usage: {\"call_count\":100,"
	    "\"total_cputime\":40,\"total_time\":60}\n", JU,
	    META_ERR("\"message\":\"(#4) Application request limit reached\","
	    "\"type\":\"OAuthException\",\"is_transient\":true,\"code\":4,"
	    "\"fbtrace_id\":\"SbxTrace0000007\"") },
	{ &sandbox_api_meta, "usage_near_limit", "usage_high", 200,
	    "X-App-Usage: {\"call_count\":93,\"total_cputime\":40,"
	    "\"total_time\":61}\nX-Business-Use-Case-Usage: {"
	    "\"104857600000001\":[{\"type\":\"pages\",\"call_count\":"
	    "93,\"total_cputime\":30,\"total_time\":41,"
	    "\"estimated_time_to_regain_access\":4}]}\n", JU,
	    "{\"data\":[]}" },
	{ &sandbox_api_meta, "error_613_rate_limit", NULL, 400, NULL, JU,
	    META_ERR("\"message\":\"(#613) Calls to this API exceeded the "
	    "rate limit.\",\"type\":\"OAuthException\",\"is_transient\":true,"
	    "\"code\":613,\"fbtrace_id\":\"SbxTrace0000008\"") },
	{ &sandbox_api_meta, "oauth_error_code_used", "invalid_grant", 400,
	    "WWW-Authenticate: OAuth \"Facebook Platform\" \"invalid_code\" "
	    "\"This authorization code has been used.\"\n", JU,
	    META_ERR("\"message\":\"This authorization code has been used.\","
	    "\"type\":\"OAuthException\",\"code\":100,\"error_subcode\":36009,"
	    "\"fbtrace_id\":\"SbxTrace0000011\"") },
};

static const struct route routes[] = {
	{ HTTP_GET, "/sandbox/facebook/:ver/dialog/oauth", sandbox_authorize,
	    ROUTE_NODB | ROUTE_HTML, 0 },
	{ HTTP_GET, "/sandbox/graph/:ver/oauth/access_token",
	    api_token, ROUTE_NODB, 0 },
	{ HTTP_GET, "/sandbox/graph/:ver/debug_token", api_debug,
	    ROUTE_NODB, 0 },
	{ HTTP_GET, "/sandbox/graph/:ver/:id", api_node, ROUTE_NODB,
	    0 },
	{ HTTP_GET | HTTP_POST | HTTP_DELETE, "/sandbox/graph/:ver/:id/:edge",
	    api_edge, ROUTE_NODB, 0 },
};

/* What the redirect carries when the user denies. */
static const char *const deny[] = {
	"error", "access_denied",
	"error_code", "200",
	"error_description", "Permissions error",
	"error_reason", "user_denied",
	NULL
};

const struct sandbox_family sandbox_family_meta = {
	.id = "meta",
	.name = "Facebook",
	.authorize = "/sandbox/facebook/",
	.sep = ',',
	.prov = SANDBOX_META_PROV,
	.code_prefix = "AQB",
	.client_status = 400,
	.client_error = "Invalid App ID: The provided app ID does not look "
	    "like a valid app ID.",
	.redirect_status = 400,
	.redirect_error = "URL blocked: This redirect failed because the "
	    "redirect URI is not whitelisted in the app's Client OAuth "
	    "Settings.",
	.deny = deny,
	SANDBOX_LIST(routes),
	SANDBOX_LIST(faults),
};
