/*
 * mailchimp.c — Mailchimp in the sandbox: token, lists, reports.
 *
 * The token (never expires, scope null), the metadata call (bad token: HTTP
 * 200 with "error"), audiences, campaign reports (counts grow for a week
 * after the send) and daily list activity (newest first, 180 days).
 */
#include <stdio.h>
#include <string.h>

#include "base/arena.h"
#include "base/mem.h"
#include "sandbox/sandbox_priv.h"

/* The letter of its codes and tokens (its family's prov): unique
 * among the families (test_sandbox). */
#define MC_PROV	'c'

#define MJ		"application/json; charset=utf-8"
#define MC_DC		"us19"
#define MC_CAMPAIGNS	3
#define MC_DAYS		180

/* The login server: OAuth token and metadata. */
static const struct sandbox_api login_api = {
	.name = "mailchimp login",
	.prov = MC_PROV,
	.invalid = "401",
};

/* The Marketing API: problem+json. */
static const struct sandbox_api mc_api = {
	.name = "mailchimp",
	.prov = MC_PROV,
	.invalid = "error_401_invalid_key",
};

static enum err
api_token(struct ctx *ctx)
{
	struct sandbox_token in, t;
	const char *why;
	struct sbx sx;
	enum err rc;

	if (!sandbox_begin(ctx, &login_api, SBX_TOKEN_EP, &sx, &rc))
		return rc;
	if (!sandbox_code_ok(&sx, req_form(&ctx->req, "code"), MC_PROV,
	    req_form(&ctx->req, "redirect_uri"), req_form(&ctx->req,
	    "code_verifier"), &in, &why))
		return sandbox_fail(&sx, "oauth_token_invalid_grant");
	sandbox_token_from(&sx, &in, MC_PROV, SBXK_ACCESS, &t);
	sandbox_start(&sx, 200, "application/json");
	buf_puts(sx.out, "{\"access_token\":");
	sandbox_jstr(sx.out, sandbox_token_make(&sx, "", &t));
	buf_puts(sx.out, ",\"expires_in\":0,\"scope\":null}");
	return sandbox_done(&sx);
}

static enum err
api_metadata(struct ctx *ctx)
{
	const char *name, *email;
	struct sbx sx;
	enum err rc;

	if (!sandbox_begin(ctx, &login_api, SBX_AUTH, &sx, &rc))
		return rc;
	sandbox_persona(sx.tok.user, &name, &email);
	sandbox_start(&sx, 200, "application/json");
	buf_printf(sx.out, "{\"dc\":\"%s\",\"role\":\"owner\",\"accountname\":"
	    "\"Sandbox Account %d\",\"user_id\":%d,\"login\":{\"email\":"
	    "\"%s\",\"avatar\":null,\"login_id\":%d,"
	    "\"login_name\":\"sandbox%d\",\"login_email\":"
	    "\"%s\"},\"login_url\":", MC_DC, sx.tok.user,
	    123456780 + sx.tok.user, email, 123456780 + sx.tok.user,
	    sx.tok.user, email);
	sandbox_jstr(sx.out, sandbox_base_url(&sx, "/sandbox/mailchimp-login"));
	buf_puts(sx.out, ",\"api_endpoint\":");
	sandbox_jstr(sx.out, sandbox_base_url(&sx, "/sandbox/mailchimp/"
	    MC_DC));
	buf_puts(sx.out, "}");
	return sandbox_done(&sx);
}

static bool
mc_begin(struct ctx *ctx, struct sbx *sx, enum err *rc)
{
	return sandbox_begin(ctx, &mc_api, SBX_AUTH, sx, rc);
}

/* One _links entry. */
static void
link(struct sbx *sx, const char *rel, const char *path, const char *schema)
{
	buf_puts(sx->out, "{\"rel\":");
	sandbox_jstr(sx->out, rel);
	buf_puts(sx->out, ",\"href\":");
	sandbox_jstr(sx->out, arena_printf(sx->ctx->arena, "%s%s",
	    sandbox_base_url(sx, "/sandbox/mailchimp/" MC_DC "/3.0"), path));
	buf_puts(sx->out, ",\"method\":\"GET\",\"targetSchema\":");
	sandbox_jstr(sx->out, arena_printf(sx->ctx->arena, "%s/schema/3.0/"
	    "Definitions/%s.json", sandbox_base_url(sx, "/sandbox/mailchimp/"
	    MC_DC), schema));
	buf_puts(sx->out, "}");
}

static const char *
list_id(struct sbx *sx, int i)
{
	return sandbox_hexid(sx, arena_printf(sx->ctx->arena, "mclist%d.%d",
	    sx->tok.user, i), 10);
}

static void
iso(int64_t day, int hour, char *out, size_t size)
{
	char d[11];

	sandbox_day_format(day, '-', d);
	snprintf(out, size, "%sT%02d:00:00+00:00", d, hour);
}

/*
 * The API root: the account, with its time zone (Mailchimp's days, its
 * campaigns' send days).  The sandbox's account is in Auckland, so a
 * campaign sent at 14:00 UTC goes on the next day there.
 */
static enum err
api_root(struct ctx *ctx)
{
	struct sbx sx;
	enum err rc;

	if (!mc_begin(ctx, &sx, &rc))
		return rc;
	sandbox_start(&sx, 200, MJ);
	buf_printf(sx.out, "{\"account_id\":\"%s\",\"login_id\":\"%d\","
	    "\"account_name\":\"Sandbox Newsletter Co\",\"email\":"
	    "\"owner@example.com\",\"role\":\"owner\",\"pricing_plan_type\":"
	    "\"monthly\",\"account_timezone\":\"Pacific/Auckland\","
	    "\"account_industry\":\"Software and Web App\",\"pro_enabled\":"
	    "false,\"total_subscribers\":4200,\"_links\":[",
	    sandbox_hexid(&sx, arena_printf(ctx->arena, "mcacct%d",
	    sx.tok.user), 25), 70000 + sx.tok.user);
	link(&sx, "self", "/", "Root/Response");
	buf_puts(sx.out, "]}");
	return sandbox_done(&sx);
}

static enum err
api_lists(struct ctx *ctx)
{
	long count, off, total, i;
	struct sandbox_day d;
	int64_t today;
	char last[40], sent[40];
	struct sbx sx;
	enum err rc;

	if (!mc_begin(ctx, &sx, &rc))
		return rc;
	count = sandbox_long(req_query(&ctx->req, "count"), 10, 1000);
	off = sandbox_long(req_query(&ctx->req, "offset"), 0, 100000);
	total = sandbox_is(&sx, "pages") ? SANDBOX_MANY_PAGES * count : 2;
	if (sandbox_is(&sx, "empty"))
		total = 0;
	today = sandbox_today(sx.now, 0);
	sandbox_start(&sx, 200, MJ);
	buf_puts(sx.out, "{\"lists\":[");
	for (i = off; i < off + count && i < total; i++) {
		const char *id = list_id(&sx, (int)i);

		sandbox_series(id, today - 1, today, 0, &d);
		iso(today - 2, 14, sent, sizeof(sent));
		iso(today - 1, 9, last, sizeof(last));
		buf_printf(sx.out, "%s{\"id\":\"%s\",\"web_id\":%ld,\"name\":"
		    "\"Sandbox Audience %ld\",\"date_created\":"
		    "\"2024-03-01T10:00:00+00:00\",\"list_rating\":4,"
		    "\"stats\":{\"member_count\":%lld,\"unsubscribe_count\":"
		    "%lld,\"cleaned_count\":12,\"member_count_since_send\":9,"
		    "\"unsubscribe_count_since_send\":1,"
		    "\"cleaned_count_since_send\":0,\"campaign_count\":48,"
		    "\"campaign_last_sent\":\"%s\",\"merge_field_count\":5,"
		    "\"avg_sub_rate\":22,\"avg_unsub_rate\":2,"
		    "\"target_sub_rate\":6,\"open_rate\":41.2,\"click_rate\":"
		    "3.9,\"last_sub_date\":\"%s\",\"last_unsub_date\":\"%s\"},"
		    "\"_links\":[", i > off ? "," : "", id, 123456 + i, i + 1,
		    (long long)(d.visits * 2 + 300),
		    (long long)(d.visits / 40), sent, last, sent);
		link(&sx, "self", arena_printf(ctx->arena, "/lists/%s", id),
		    "Lists/Response");
		buf_puts(sx.out, "]}");
	}
	buf_printf(sx.out, "],\"total_items\":%ld,\"constraints\":{"
	    "\"may_create\":true,\"max_instances\":-1,"
	    "\"current_total_instances\":%ld},\"_links\":[", total, total);
	link(&sx, "self", "/lists", "Lists/CollectionResponse");
	buf_puts(sx.out, "]}");
	return sandbox_done(&sx);
}

static void
report(struct sbx *sx, int i, int64_t today)
{
	const char *id = sandbox_hexid(sx, arena_printf(sx->ctx->arena,
	    "mccamp%d.%d", sx->tok.user, i), 10);
	const char *list = list_id(sx, 0);
	int64_t sday = today - 3 - 14 * i, age = today - sday;
	struct sandbox_day d;
	long long sent, hb, sb, uo, ot, pu, ck, uck, usc;
	double grow = age >= 7 ? 1.0 : 0.55 + 0.064 * (double)age;
	char st[40], lo[40];

	sandbox_series(id, sday, today, 0, &d);
	sent = (long long)(d.visits * 3 / 10 + 800);
	hb = sent / 500;
	sb = sent / 200;
	uo = (long long)((double)sent * 0.41 * grow);
	ot = uo * 3 / 2;
	pu = uo * 56 / 100;
	uck = (long long)((double)sent * 0.037 * grow);
	usc = uck * 85 / 100;
	ck = uck * 3 / 2;
	iso(sday, 14, st, sizeof(st));
	iso(sday + (age > 2 ? 2 : 0), 8, lo, sizeof(lo));
	buf_printf(sx->out, "{\"id\":\"%s\",\"campaign_title\":\"Sandbox "
	    "Newsletter %d\",\"type\":\"regular\",\"list_id\":\"%s\","
	    "\"list_is_active\":true,\"list_name\":\"Sandbox Audience 1\","
	    "\"subject_line\":\"News number %d\",\"preview_text\":\"\","
	    "\"emails_sent\":%lld,\"abuse_reports\":0,\"unsubscribed\":%lld,"
	    "\"send_time\":\"%s\",\"rss_last_send\":\"\",\"bounces\":{"
	    "\"hard_bounces\":%lld,\"soft_bounces\":%lld,\"syntax_errors\":0},"
	    "\"forwards\":{\"forwards_count\":0,\"forwards_opens\":0},"
	    "\"opens\":{\"opens_total\":%lld,\"proxy_excluded_opens\":%lld,"
	    "\"unique_opens\":%lld,\"proxy_excluded_unique_opens\":%lld,"
	    "\"open_rate\":%.6f,\"proxy_excluded_open_rate\":%.6f,"
	    "\"last_open\":\"%s\"},\"clicks\":{\"clicks_total\":%lld,"
	    "\"unique_clicks\":%lld,\"unique_subscriber_clicks\":%lld,"
	    "\"click_rate\":%.6f,\"last_click\":\"%s\"},\"facebook_likes\":{"
	    "\"recipient_likes\":0,\"unique_likes\":0,\"facebook_likes\":0},"
	    "\"industry_stats\":{\"type\":\"Software and Web App\","
	    "\"open_rate\":0.2213,\"click_rate\":0.0231,\"bounce_rate\":0.0095,"
	    "\"unopen_rate\":0.7692,\"unsub_rate\":0.0029,\"abuse_rate\":"
	    "0.0002},\"list_stats\":{\"sub_rate\":22,\"unsub_rate\":2,"
	    "\"open_rate\":41.2,\"proxy_excluded_open_rate\":23.4,"
	    "\"click_rate\":3.9},\"timeseries\":[{\"timestamp\":\"%s\","
	    "\"emails_sent\":%lld,\"unique_opens\":%lld,"
	    "\"proxy_excluded_unique_opens\":%lld,\"recipients_clicks\":%lld}],"
	    "\"ecommerce\":{\"total_orders\":0,\"total_spent\":0,"
	    "\"total_revenue\":0,\"currency_code\":\"USD\"},"
	    "\"delivery_status\":{\"enabled\":false},\"_links\":[",
	    id, i + 1, list, i + 1, sent, sent / 350, st, hb, sb, ot, ot * 56 /
	    100, uo, pu, (double)uo / (double)(sent - hb - sb),
	    (double)pu / (double)(sent - hb - sb), lo, ck, uck, usc,
	    (double)usc / (double)(sent - hb - sb), lo, st, sent, uo * 2 / 5,
	    pu * 2 / 5, usc / 3);
	link(sx, "self", arena_printf(sx->ctx->arena, "/reports/%s", id),
	    "Reports/Response");
	buf_puts(sx->out, "]}");
}

static enum err
api_reports(struct ctx *ctx)
{
	long count, off, total, i;
	int64_t today;
	struct sbx sx;
	enum err rc;

	if (!mc_begin(ctx, &sx, &rc))
		return rc;
	count = sandbox_long(req_query(&ctx->req, "count"), 10, 1000);
	off = sandbox_long(req_query(&ctx->req, "offset"), 0, 100000);
	total = sandbox_is(&sx, "pages") ? SANDBOX_MANY_PAGES * count :
	    MC_CAMPAIGNS;
	if (sandbox_is(&sx, "empty"))
		total = 0;
	today = sandbox_today(sx.now, 0);
	sandbox_start(&sx, 200, MJ);
	buf_puts(sx.out, "{\"reports\":[");
	for (i = off; i < off + count && i < total; i++) {
		if (i > off)
			buf_puts(sx.out, ",");
		report(&sx, (int)i, today);
	}
	buf_printf(sx.out, "],\"total_items\":%ld,\"_links\":[", total);
	if (off < total) {
		link(&sx, "parent", "/", "Root");
		buf_puts(sx.out, ",");
		link(&sx, "self", "/reports", "Reports/CollectionResponse");
	}
	buf_puts(sx.out, "]}");
	return sandbox_done(&sx);
}

static enum err
api_activity(struct ctx *ctx)
{
	const char *id;
	long count, off, i;
	struct sandbox_day d;
	int64_t today, day;
	char ds[11];
	struct sbx sx;
	enum err rc;

	if (!mc_begin(ctx, &sx, &rc))
		return rc;
	id = route_capture(&ctx->match, "id");
	count = sandbox_long(req_query(&ctx->req, "count"), 10, 1000);
	off = sandbox_long(req_query(&ctx->req, "offset"), 0, 100000);
	today = sandbox_today(sx.now, 0);
	sandbox_start(&sx, 200, MJ);
	buf_puts(sx.out, "{\"activity\":[");
	for (i = off; i < off + count && i < MC_DAYS &&
	    !sandbox_is(&sx, "empty"); i++) {
		day = today - i;
		sandbox_series(id, day, today, 7, &d);
		sandbox_day_format(day, '-', ds);
		buf_printf(sx.out, "%s{\"day\":\"%s\",\"emails_sent\":%lld,"
		    "\"unique_opens\":%lld,\"recipient_clicks\":%lld,"
		    "\"hard_bounce\":%lld,\"soft_bounce\":%lld,\"subs\":%lld,"
		    "\"unsubs\":%lld,\"other_adds\":0,\"other_removes\":0}",
		    i > off ? "," : "", ds, (long long)d.emails_sent,
		    (long long)d.opens, (long long)(d.opens / 7),
		    (long long)(d.emails_sent / 500),
		    (long long)(d.emails_sent / 200),
		    (long long)(d.follows / 2), (long long)(d.unfollows / 2));
	}
	buf_puts(sx.out, "],\"list_id\":");
	sandbox_jstr(sx.out, id);
	buf_printf(sx.out, ",\"total_items\":%d,\"_links\":[",
	    sandbox_is(&sx, "empty") ? 0 : MC_DAYS);
	link(&sx, "self", arena_printf(ctx->arena, "/lists/%s/activity", id),
	    "Lists/Activity/CollectionResponse");
	buf_puts(sx.out, ",");
	link(&sx, "parent", arena_printf(ctx->arena, "/lists/%s", id),
	    "Lists/Response");
	buf_puts(sx.out, "]}");
	return sandbox_done(&sx);
}

/* ------------------------------------------------------------------ */
/* Its error shapes, routes and entry in the registry. */

#define J	"application/json"
#define PJ	"application/problem+json; charset=utf-8"
#define MC_HDR	"X-Request-Id: 5d0c1b2a-sbx0-4000-8000-000000000001\n" \
	"Link: <http://sandbox.invalid/schema/3.0/ProblemDetailDocument.json>; " \
	"rel=\"describedBy\"\n"
#define MC_ERR(title, st, detail) \
	"{\"type\":\"https://mailchimp.com/developer/marketing/docs/errors/\"," \
	"\"title\":\"" title "\",\"status\":" #st \
	",\"detail\":\"" detail "\",\"instance\":\"7f0e5a1c-sbx0-4000-8000-" \
	"0000000000" #st "\"}"

static const struct sandbox_family family = {
	.id = "mailchimp",
	.name = "Mailchimp",
	.authorize = "/sandbox/mailchimp-login/",
	.sep = ' ',
	.prov = MC_PROV,
	.code_prefix = "",
	.client_status = 400,
	.client_error = "invalid_client: Invalid client_id.",
	.redirect_status = 400,
	.redirect_error = "invalid_request: Invalid redirect_uri.",
};

static const struct route routes[] = {
	{ HTTP_GET, "/sandbox/mailchimp-login/oauth2/authorize",
	    sandbox_authorize, ROUTE_NODB | ROUTE_HTML, 0 },
	{ HTTP_POST, "/sandbox/mailchimp-login/oauth2/token",
	    api_token, ROUTE_NODB, 0 },
	{ HTTP_GET, "/sandbox/mailchimp-login/oauth2/metadata",
	    api_metadata, ROUTE_NODB, 0 },
	{ HTTP_GET, "/sandbox/mailchimp/:dc/3.0/",
	    api_root, ROUTE_NODB, 0 },
	{ HTTP_GET, "/sandbox/mailchimp/:dc/3.0/lists",
	    api_lists, ROUTE_NODB, 0 },
	{ HTTP_GET, "/sandbox/mailchimp/:dc/3.0/reports",
	    api_reports, ROUTE_NODB, 0 },
	{ HTTP_GET, "/sandbox/mailchimp/:dc/3.0/lists/:id/activity",
	    api_activity, ROUTE_NODB, 0 },
};

static const struct sandbox_fault faults[] = {
	{ &login_api, "oauth_token_invalid_grant", "invalid_grant",
	    400, NULL, J, "{\"error\":\"invalid_grant\"}" },
	{ &login_api, "oauth_metadata_invalid_token", "401", 200,
	    NULL, J, "{\"error\":\"invalid_token\"}" },
	{ &login_api, "oauth_error_500", "500", 500, NULL, J,
	    "{\"error\":\"server_error\"}" },
	{ &mc_api, "error_401_invalid_key", "401", 401, MC_HDR, PJ,
	    MC_ERR("API Key Invalid", 401, "The API key or token is invalid "
	    "or belongs to another datacenter.") },
	{ &mc_api, "error_403_forbidden", "403", 403, MC_HDR, PJ,
	    MC_ERR("Forbidden", 403, "This token may not access the "
	    "resource.") },
	{ &mc_api, "error_404_not_found", "404", 404, MC_HDR, PJ,
	    MC_ERR("Resource Not Found", 404, "The requested resource could "
	    "not be found.") },
	{ &mc_api, "error_405_method", NULL, 405, MC_HDR, PJ,
	    MC_ERR("Method Not Allowed", 405, "The requested method and "
	    "resource are not compatible.") },
	{ &mc_api, "error_429_too_many", "429", 429,
	    "Retry-After: 30\n" MC_HDR, PJ,
	    MC_ERR("Too Many Requests", 429, "More than 10 simultaneous "
	    "connections.") },
	{ &mc_api, "error_403_too_many_requests", "throttled", 403,
	    "Retry-After: 45\n" MC_HDR, PJ,
	    MC_ERR("Too Many Requests", 403, "You have exceeded the limit "
	    "of 10 simultaneous connections.") },
	{ &mc_api, "error_500", "500", 500, MC_HDR, PJ,
	    MC_ERR("Internal Server Error", 500, "An unexpected internal "
	    "error occurred.") },
};

const struct sandbox_provider sandbox_mailchimp = {
	.slug = "mailchimp",
	.family = &family,
	SANDBOX_LIST(routes),
	SANDBOX_LIST(faults),
};
