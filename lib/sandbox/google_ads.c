/*
 * google_ads.c — Google Ads in the sandbox: customers and searchStream.
 *
 * listAccessibleCustomers and searchStream with a small GAQL subset.
 * Each user reaches two clients and a manager directly; the manager has a
 * tree below it (ads_tree): a client, a sub-manager with a client of its
 * own, and a cancelled client.  A call for an account of that tree must
 * name the manager in login-customer-id, as Google wants, or it gets
 * USER_PERMISSION_DENIED; the cancelled one gets CUSTOMER_NOT_ENABLED.
 * OAuth is Google's (google.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "base/arena.h"
#include "base/jsonx.h"
#include "base/mem.h"
#include "sandbox/sandbox_priv.h"

#define GJU	"application/json; charset=UTF-8"
/* A GoogleAdsFailure in an error's details. */
#define ADS_FAIL(code, msg, req) \
	"\"details\":[{\"@type\":\"type.googleapis.com/google.ads." \
	"googleads.v26.errors.GoogleAdsFailure\",\"errors\":[{\"errorCode\":" \
	code ",\"message\":\"" msg "\"}],\"requestId\":\"" req "\"}]"
#define ADS_RESTATE	30

/* GoogleAdsFailure details. */
static const struct sandbox_api ads_api = {
	.name = "google_ads",
	.prov = SANDBOX_GOOGLE_PROV,
	.invalid = "api-error-401-invalid",
	.expired = "api-error-401-expired-access-token",
};

/* ------------------------------------------------------------------ */
/* Google Ads. */

static void
ads_reqid(struct sbx *sx, char out[23])
{
	const char *id = sandbox_hexid(sx, arena_printf(sx->ctx->arena,
	    "%s?%s#%s", sx->ctx->req.path, sx->ctx->req.query_string,
	    sx->ctx->req.body), 22);

	memcpy(out, id, 23);
	resp_header(&sx->ctx->resp, "request-id", out);
}

/* Customer ids of a user: two clients and a manager (starts with 9). */
static long long
ads_customer(int user, int i)
{
	static const long long base[] = { 1000000000LL, 5000000000LL,
	    9000000000LL };

	return base[i] + (long long)(sandbox_hash("adscust",
	    (uint64_t)(user * 10 + i)) % 999999999LL);
}

/* Whether an id is a manager's: the accessible manager (9...) and the
 * sub-managers of trees (8...). */
static bool
ads_is_manager(const char *cust)
{
	return cust[0] == '9' || cust[0] == '8';
}

/* One account of a manager's tree. */
struct ads_node {
	char		 id[16];
	const char	*name;
	int		 parent;	/* index, -1 for the manager */
	int		 level;		/* below the manager */
	bool		 manager;
	const char	*status;
};

#define ADS_TREE	5

/*
 * The tree below manager mgr: mgr itself, "Café Zürich AG", a sub-manager
 * (8...) with "Bäckerei Nord GmbH" below it, and a cancelled client.
 * Client ids start with 4, from the manager's id.
 */
static void
ads_tree(const char *mgr, struct ads_node t[ADS_TREE])
{
	static const struct { const char *name; int parent, level; char first;
	    const char *status; } shape[ADS_TREE] = {
		{ NULL, -1, 0, 0, "ENABLED" },
		{ "Café Zürich AG", 0, 1, '4', "ENABLED" },
		{ "Agentur Süd (Manager)", 0, 1, '8', "ENABLED" },
		{ "Bäckerei Nord GmbH", 2, 2, '4', "ENABLED" },
		{ "Alte Kampagnen KG", 0, 1, '4', "CANCELED" },
	};
	int i;

	for (i = 0; i < ADS_TREE; i++) {
		if (i == 0)
			snprintf(t[i].id, sizeof(t[i].id), "%s", mgr);
		else
			snprintf(t[i].id, sizeof(t[i].id), "%c%09lld",
			    shape[i].first, (long long)(sandbox_hash(mgr,
			    (uint64_t)i) % 1000000000LL));
		t[i].name = shape[i].name;
		t[i].parent = shape[i].parent;
		t[i].level = shape[i].level;
		t[i].manager = i == 0 || shape[i].first == '8';
		t[i].status = shape[i].status;
	}
}

/* The node of the user's manager's tree with this id (not the manager
 * itself), or -1; t filled with the tree. */
static int
ads_node_of(int user, const char *cust, struct ads_node t[ADS_TREE])
{
	char mgr[16];
	int i;

	snprintf(mgr, sizeof(mgr), "%lld", ads_customer(user, 2));
	ads_tree(mgr, t);
	for (i = 1; i < ADS_TREE; i++)
		if (strcmp(t[i].id, cust) == 0)
			return i;
	return -1;
}

static enum err
api_customers(struct ctx *ctx)
{
	struct sbx sx;
	enum err rc;
	char rid[23];
	int i;

	if (!sandbox_begin(ctx, &ads_api, SBX_AUTH, &sx, &rc))
		return rc;
	sandbox_start(&sx, 200, GJU);
	ads_reqid(&sx, rid);
	buf_puts(sx.out, "{\"resourceNames\":[");
	for (i = 0; i < 3 && !sandbox_is(&sx, "empty"); i++)
		buf_printf(sx.out, "%s\"customers/%lld\"", i ? "," : "",
		    ads_customer(sx.tok.user, i));
	buf_puts(sx.out, "]}");
	return sandbox_done(&sx);
}

/* GAQL fields the sandbox knows: snake name, group, camel name. */
static const struct ads_field {
	const char	*gaql;
	const char	*group;
	const char	*camel;
	char		 type;	/* s string, S int64 string, b bool, d double */
} ads_fields[] = {
	{ "customer.id", "customer", "id", 'S' },
	{ "customer.descriptive_name", "customer", "descriptiveName", 's' },
	{ "customer.currency_code", "customer", "currencyCode", 's' },
	{ "customer.time_zone", "customer", "timeZone", 's' },
	{ "customer.manager", "customer", "manager", 'b' },
	{ "customer.test_account", "customer", "testAccount", 'b' },
	{ "customer.status", "customer", "status", 's' },
	{ "campaign.id", "campaign", "id", 'S' },
	{ "campaign.name", "campaign", "name", 's' },
	{ "campaign.status", "campaign", "status", 's' },
	{ "customer_client.id", "customerClient", "id", 'S' },
	{ "customer_client.descriptive_name", "customerClient",
	    "descriptiveName", 's' },
	{ "customer_client.manager", "customerClient", "manager", 'b' },
	{ "customer_client.level", "customerClient", "level", 'S' },
	{ "customer_client.status", "customerClient", "status", 's' },
	{ "customer_client.client_customer", "customerClient",
	    "clientCustomer", 's' },
	{ "customer_client.currency_code", "customerClient", "currencyCode",
	    's' },
	{ "customer_client.time_zone", "customerClient", "timeZone", 's' },
	{ "metrics.impressions", "metrics", "impressions", 'S' },
	{ "metrics.clicks", "metrics", "clicks", 'S' },
	{ "metrics.cost_micros", "metrics", "costMicros", 'S' },
	{ "metrics.conversions", "metrics", "conversions", 'd' },
	{ "metrics.conversions_value", "metrics", "conversionsValue", 'd' },
	{ "segments.date", "segments", "date", 's' },
};
#define NADS	(nitems(ads_fields))

static const char *const ads_groups[] = { "customer", "campaign",
    "customerClient", "metrics", "segments" };

/* One row's context for field values. */
struct ads_row {
	const char	*cust;		/* customer id */
	const char	*name;		/* the customer's descriptive name */
	int		 camp;		/* campaign index, -1 */
	const struct ads_node *child;	/* customer_client row, NULL */
	int64_t		 day;
	struct sandbox_day d;
};

static void
ads_value(struct sbx *sx, const struct ads_field *f, const struct ads_row *r)
{
	static const char *const camps[] = { "Brand - Search", "Generic - "
	    "Search", "Display - Remarketing" };
	struct buf *b = sx->out;
	double share = r->camp < 0 ? 1.0 : r->camp == 0 ? 0.4 : 0.6;
	char day[11];
	bool mgr = ads_is_manager(r->cust);

	if (strcmp(f->gaql, "customer.id") == 0)
		buf_printf(b, "\"%s\"", r->cust);
	else if (strcmp(f->gaql, "customer.descriptive_name") == 0)
		sandbox_jstr(b, r->name);
	else if (strcmp(f->gaql, "customer.currency_code") == 0)
		buf_printf(b, "\"%s\"", sandbox_google_currency(r->cust));
	else if (strcmp(f->gaql, "customer.time_zone") == 0)
		sandbox_jstr(b, sandbox_tz(r->cust, NULL));
	else if (strcmp(f->gaql, "customer.manager") == 0)
		buf_puts(b, mgr ? "true" : "false");
	else if (strcmp(f->gaql, "customer.test_account") == 0)
		buf_puts(b, "false");
	else if (strcmp(f->gaql, "customer.status") == 0 ||
	    strcmp(f->gaql, "campaign.status") == 0)
		buf_puts(b, "\"ENABLED\"");
	else if (strcmp(f->gaql, "customer_client.status") == 0)
		sandbox_jstr(b, r->child->status);
	else if (strcmp(f->gaql, "campaign.id") == 0)
		buf_printf(b, "\"%lld\"", 20000000000LL + (long long)
		    (sandbox_hash(r->cust, 20 + (uint64_t)r->camp) %
		    999999999));
	else if (strcmp(f->gaql, "campaign.name") == 0)
		buf_printf(b, "\"%s\"", camps[r->camp % 3]);
	else if (strcmp(f->gaql, "customer_client.id") == 0)
		buf_printf(b, "\"%s\"", r->child->id);
	else if (strcmp(f->gaql, "customer_client.descriptive_name") == 0)
		sandbox_jstr(b, r->child->name);
	else if (strcmp(f->gaql, "customer_client.manager") == 0)
		buf_puts(b, r->child->manager ? "true" : "false");
	else if (strcmp(f->gaql, "customer_client.level") == 0)
		buf_printf(b, "\"%d\"", r->child->level);
	else if (strcmp(f->gaql, "customer_client.client_customer") == 0)
		buf_printf(b, "\"customers/%s\"", r->child->id);
	else if (strcmp(f->gaql, "customer_client.currency_code") == 0)
		buf_printf(b, "\"%s\"", sandbox_google_currency(
		    r->child->id));
	else if (strcmp(f->gaql, "customer_client.time_zone") == 0)
		sandbox_jstr(b, sandbox_tz(r->child->id, NULL));
	else if (strcmp(f->gaql, "metrics.impressions") == 0)
		buf_printf(b, "\"%lld\"", (long long)((double)
		    r->d.impressions * share));
	else if (strcmp(f->gaql, "metrics.clicks") == 0)
		buf_printf(b, "\"%lld\"", (long long)((double)r->d.clicks *
		    share));
	else if (strcmp(f->gaql, "metrics.cost_micros") == 0)
		buf_printf(b, "\"%lld\"", (long long)((double)
		    r->d.cost_micros * share) / 10000 * 10000);
	else if (strcmp(f->gaql, "metrics.conversions") == 0)
		buf_printf(b, "%.15g", (double)(int64_t)(r->d.conversions *
		    share * 2.0) / 2.0);
	else if (strcmp(f->gaql, "metrics.conversions_value") == 0)
		buf_printf(b, "%.15g", r->d.revenue * share);
	else if (strcmp(f->gaql, "segments.date") == 0) {
		sandbox_day_format(r->day, '-', day);
		buf_printf(b, "\"%s\"", day);
	}
}

static void
ads_emit_row(struct sbx *sx, const struct ads_field **sel, size_t nsel,
    const struct ads_row *r)
{
	size_t g, i;
	bool first = true, open;

	buf_puts(sx->out, "{");
	for (g = 0; g < nitems(ads_groups); g++) {
		open = false;
		for (i = 0; i < nsel; i++) {
			if (strcmp(sel[i]->group, ads_groups[g]) != 0)
				continue;
			if (!open) {
				buf_printf(sx->out, "%s\"%s\":{", first ? "" :
				    ",", ads_groups[g]);
				first = false;
				open = true;
				if (g == 0)
					buf_printf(sx->out, "\"resourceName\":"
					    "\"customers/%s\",", r->cust);
				else if (g == 1)
					buf_printf(sx->out, "\"resourceName\":"
					    "\"customers/%s/campaigns/%lld\",",
					    r->cust, 20000000000LL +
					    (long long)(sandbox_hash(r->cust,
					    20 + (uint64_t)r->camp) %
					    999999999));
				else if (g == 2)
					buf_printf(sx->out, "\"resourceName\":"
					    "\"customers/%s/customerClients/"
					    "%s\",", r->cust, r->child->id);
			} else
				buf_puts(sx->out, ",");
			buf_printf(sx->out, "\"%s\":", sel[i]->camel);
			ads_value(sx, sel[i], r);
		}
		if (open)
			buf_puts(sx->out, "}");
	}
	buf_puts(sx->out, "}");
}

/* Lower-cases a copy and squeezes blanks. */
static char *
gaql_norm(struct sbx *sx, const char *q)
{
	char *o = arena_strdup(sx->ctx->arena, q), *p;

	for (p = o; *p != '\0'; p++)
		if (*p == '\n' || *p == '\t' || *p == '\r')
			*p = ' ';
	return o;
}

/*
 * The customer_client rows of cust, levels counted from it: a manager's
 * tree (9...), a sub-manager and its client (8...; the user's tree's
 * node when tree is given), or a client alone.  Returns their number.
 */
static int
ads_kids(const char *cust, const struct ads_node *tree, int node,
    const char *name, struct ads_node out[ADS_TREE])
{
	struct ads_node t[ADS_TREE];
	int i, n = 0;

	if (cust[0] == '9') {
		ads_tree(cust, out);
		out[0].name = name;
		return ADS_TREE;
	}
	if (cust[0] == '8') {
		if (tree == NULL) {	/* a sub-manager of some tree */
			ads_tree(cust, t);
			tree = t;
			node = 2;
			snprintf(t[2].id, sizeof(t[2].id), "%s", cust);
		}
		for (i = 0; i < ADS_TREE; i++)
			if (i == node || tree[i].parent == node) {
				out[n] = tree[i];
				out[n++].level = i == node ? 0 : 1;
			}
		return n;
	}
	memset(out, 0, sizeof(*out));
	snprintf(out[0].id, sizeof(out[0].id), "%s", cust);
	out[0].name = name;
	out[0].status = "ENABLED";
	return 1;
}

static enum err
api_stream(struct ctx *ctx)
{
	const struct ads_field *sel[32];
	struct json_object *root;
	const char *cap, *query, *why, *p, *from_p, *where;
	char *q, *cust, *tok, *save, rid[23], from[32], a[11], b[11];
	size_t nsel = 0, i, nrows = 0;
	bool has_metrics = false, has_date = false;
	int64_t today, d0, d1, d;
	struct ads_node tree[ADS_TREE], kids[ADS_TREE];
	const char *login, *name;
	struct ads_row r;
	struct sbx sx;
	enum err rc;
	int tzoff, c, ncamp, node, nkids, maxlevel;

	if (!sandbox_begin(ctx, &ads_api, SBX_AUTH, &sx, &rc))
		return rc;
	cap = route_capture(&ctx->match, "idaction");
	if (strcmp(cap, "googleAds:searchStream") != 0)
		return sandbox_fail(&sx, "error-400-query-error-"
		    "searchStream");
	cust = arena_strdup(ctx->arena, route_capture(&ctx->match, "cust"));
	/* An account of the user's manager's tree: through the manager. */
	if ((node = ads_node_of(sx.tok.user, cust, tree)) > 0) {
		login = req_header(&ctx->req, "login-customer-id");
		if (login == NULL || strcmp(login, tree[0].id) != 0)
			return sandbox_fail(&sx,
			    "error-403-user-permission-denied");
		if (strcmp(tree[node].status, "ENABLED") != 0)
			return sandbox_fail(&sx,
			    "error-403-customer-not-enabled");
		name = tree[node].name;
	} else
		name = arena_printf(ctx->arena, "Sandbox %s %s",
		    ads_is_manager(cust) ? "Manager" : "Client", cust);
	if (jsonx_parse(ctx->arena, ctx->req.body, ctx->req.body_len, &root,
	    &why) != ERR_OK || jsonx_get_string(root, "query", &query) !=
	    ERR_OK)
		return sandbox_fail(&sx, "error-400-query-error-"
		    "searchStream");
	q = gaql_norm(&sx, query);
	if (strncasecmp(q, "SELECT ", 7) != 0 || (from_p = strcasestr(q,
	    " FROM ")) == NULL)
		return sandbox_fail(&sx, "error-400-query-error-"
		    "searchStream");
	if (sscanf(from_p + 6, "%31[a-z_]", from) != 1)
		return sandbox_fail(&sx, "error-400-query-error-"
		    "searchStream");
	{
		char *list = arena_strndup(ctx->arena, q + 7,
		    (size_t)(from_p - q - 7));

		for (tok = strtok_r(list, ", ", &save); tok != NULL;
		    tok = strtok_r(NULL, ", ", &save)) {
			for (i = 0; i < NADS; i++)
				if (strcmp(ads_fields[i].gaql, tok) == 0)
					break;
			if (i == NADS || nsel == 32)
				return sandbox_fail(&sx, "error-400-query-"
				    "error-searchStream");
			sel[nsel++] = &ads_fields[i];
			if (strcmp(ads_fields[i].group, "metrics") == 0)
				has_metrics = true;
			if (strcmp(ads_fields[i].gaql, "segments.date") == 0)
				has_date = true;
		}
	}
	if (has_metrics && ads_is_manager(cust))
		return sandbox_fail(&sx, "error-400-metrics-for-manager");
	sandbox_tz(cust, &tzoff);
	today = sandbox_today(sx.now, tzoff);
	d0 = d1 = today;
	where = strcasestr(q, " WHERE ");
	if (where != NULL && (p = strstr(where, "BETWEEN '")) != NULL &&
	    sscanf(p, "BETWEEN '%10[0-9-]' AND '%10[0-9-]'", a, b) == 2) {
		d0 = sandbox_day_parse(a);
		d1 = sandbox_day_parse(b);
	} else if (where != NULL && (p = strstr(where, "DURING ")) != NULL) {
		if (strncmp(p + 7, "LAST_7_DAYS", 11) == 0)
			d0 = today - 7, d1 = today - 1;
		else if (strncmp(p + 7, "LAST_14_DAYS", 12) == 0)
			d0 = today - 14, d1 = today - 1;
		else if (strncmp(p + 7, "LAST_30_DAYS", 12) == 0)
			d0 = today - 30, d1 = today - 1;
		else if (strncmp(p + 7, "YESTERDAY", 9) == 0)
			d0 = d1 = today - 1;
	}
	if (d0 < 0 || d1 < d0 || d1 - d0 > 3660)
		return sandbox_fail(&sx, "error-400-query-error-"
		    "searchStream");
	sandbox_start(&sx, 200, GJU);
	ads_reqid(&sx, rid);
	buf_puts(sx.out, "[{");
	memset(&r, 0, sizeof(r));
	r.cust = cust;
	r.name = name;
	r.camp = -1;
	r.child = NULL;
	maxlevel = ADS_TREE;
	if (where != NULL && (p = strstr(where, "customer_client.level <= "))
	    != NULL)
		maxlevel = atoi(p + 25);
	nkids = ads_kids(cust, node > 0 ? tree : NULL, node, name, kids);
	ncamp = strcmp(from, "campaign") == 0 ? 2 : 1;
	for (d = has_date ? d0 : d1; d <= d1 && !sandbox_is(&sx, "empty");
	    d++) {
		if (has_metrics && has_date && d > today)
			break;
		r.day = d;
		if (has_date)
			sandbox_series(cust, d, today, ADS_RESTATE, &r.d);
		else	/* one row per resource over the range */
			sandbox_series_sum(cust, d0, d1, today, ADS_RESTATE,
			    &r.d);
		if (strcmp(from, "customer_client") == 0) {
			for (c = 0; c < nkids; c++) {
				if (kids[c].level > maxlevel)
					continue;
				r.child = &kids[c];
				buf_puts(sx.out, nrows++ ? "," :
				    "\"results\":[");
				ads_emit_row(&sx, sel, nsel, &r);
			}
			break;
		}
		for (c = 0; c < ncamp; c++) {
			r.camp = ncamp > 1 ? c : -1;
			if (has_metrics && r.d.impressions == 0)
				continue;
			/* "quiet_days": no campaign ran on every fifth
			 * day; a row of zeros is left out. */
			if (has_metrics && has_date && d % 5 == 0 &&
			    sandbox_is(&sx, "quiet_days"))
				continue;
			buf_puts(sx.out, nrows++ ? "," : "\"results\":[");
			ads_emit_row(&sx, sel, nsel, &r);
		}
	}
	if (nrows > 0)
		buf_puts(sx.out, "],");
	buf_puts(sx.out, "\"fieldMask\":\"");
	for (i = 0; i < nsel; i++)
		buf_printf(sx.out, "%s%s.%s", i ? "," : "",
		    strcmp(sel[i]->group, "customerClient") == 0 ?
		    "customerClient" : sel[i]->group, sel[i]->camel);
	buf_printf(sx.out, "\",\"requestId\":\"%s\"", rid);
	if (nrows > 0)
		buf_printf(sx.out, ",\"queryResourceConsumption\":\"%zu\"",
		    40 + nrows * 4);
	buf_puts(sx.out, "}");
	/* "stream_error": the stream fails after its first batch, still
	 * HTTP 200, its last element the error (REST server streaming). */
	if (sandbox_is(&sx, "stream_error"))
		buf_printf(sx.out, ",{\"error\":{\"code\":500,\"message\":"
		    "\"Internal error encountered.\",\"status\":\"INTERNAL\","
		    ADS_FAIL("{\"internalError\":\"INTERNAL_ERROR\"}",
		    "An internal error has occurred.", "%s") "}}", rid);
	buf_puts(sx.out, "]");
	return sandbox_done(&sx);
}

/* ------------------------------------------------------------------ */
/* Its error shapes, routes and entry in the registry. */

#define JU	"application/json; charset=UTF-8"

static const struct route routes[] = {
	{ HTTP_GET, "/sandbox/google-ads/:ver/"
	    "customers:listAccessibleCustomers", api_customers,
	    ROUTE_NODB, 0 },
	{ HTTP_POST, "/sandbox/google-ads/:ver/customers/:cust/:idaction",
	    api_stream, ROUTE_NODB, 0 },
};

static const struct sandbox_fault faults[] = {
	{ &ads_api, "api-error-401-expired-access-token", "401", 401,
	    "WWW-Authenticate: Bearer realm=\"https://accounts.google.com/\", "
	    "error=\"invalid_token\"\n", JU,
	    "{\"error\":{\"code\":401,\"message\":\"Request had invalid "
	    "authentication credentials.\",\"status\":\"UNAUTHENTICATED\","
	    "\"details\":[{\"@type\":\"type.googleapis.com/google.rpc."
	    "ErrorInfo\",\"reason\":\"ACCESS_TOKEN_EXPIRED\",\"domain\":"
	    "\"googleapis.com\",\"metadata\":{\"service\":"
	    "\"googleads.googleapis.com\",\"method\":\"google.ads.googleads."
	    "v26.services.GoogleAdsService.SearchStream\"}}]}}" },
	{ &ads_api, "api-error-401-invalid", NULL, 401, NULL, JU,
	    "{\"error\":{\"code\":401,\"message\":\"Request had invalid "
	    "authentication credentials.\",\"status\":\"UNAUTHENTICATED\","
	    "\"details\":[{\"@type\":\"type.googleapis.com/google.rpc."
	    "ErrorInfo\",\"reason\":\"ACCESS_TOKEN_TYPE_UNSUPPORTED\","
	    "\"domain\":\"googleapis.com\",\"metadata\":{\"service\":"
	    "\"googleads.googleapis.com\",\"method\":\"google.ads.googleads."
	    "v26.services.GoogleAdsService.SearchStream\"}}]}}" },
	{ &ads_api, "error-400-metrics-for-manager", NULL, 400, NULL, JU,
	    "[{\"error\":{\"code\":400,\"message\":\"Request contains an "
	    "invalid argument.\",\"status\":\"INVALID_ARGUMENT\","
	    ADS_FAIL("{\"queryError\":\"REQUESTED_METRICS_FOR_MANAGER\"}",
	    "Metrics are not available for a manager account; query each "
	    "client account.", "sbxMgr0000000000000001") "}}]" },
	{ &ads_api, "error-400-query-error-searchStream", NULL, 400,
	    "request-id: sbxQry0000000000000001\n", JU,
	    "[{\"error\":{\"code\":400,\"message\":\"Request contains an "
	    "invalid argument.\",\"status\":\"INVALID_ARGUMENT\","
	    ADS_FAIL("{\"queryError\":\"UNRECOGNIZED_FIELD\"}",
	    "The query names a field the sandbox does not know.",
	    "sbxQry0000000000000001") "}}]" },
	{ &ads_api, "error-403-customer-not-enabled", NULL, 403, NULL, JU,
	    "{\"error\":{\"code\":403,\"message\":\"The caller does not have "
	    "permission\",\"status\":\"PERMISSION_DENIED\","
	    ADS_FAIL("{\"authorizationError\":\"CUSTOMER_NOT_ENABLED\"}",
	    "The customer account is not enabled or was deactivated.",
	    "sbxCne0000000000000001") "}}" },
	{ &ads_api, "error-403-developer-token-not-approved", "dev_token", 403,
	    NULL, JU,
	    "{\"error\":{\"code\":403,\"message\":\"The caller does not have "
	    "permission\",\"status\":\"PERMISSION_DENIED\","
	    ADS_FAIL("{\"authorizationError\":"
	    "\"DEVELOPER_TOKEN_NOT_APPROVED\"}", "The developer token is "
	    "only approved for use with test accounts. To access "
	    "non-test accounts, apply for Basic or Standard access.",
	    "sbxDev0000000000000001") "}}" },
	{ &ads_api, "error-403-user-permission-denied", "403", 403, NULL, JU,
	    "{\"error\":{\"code\":403,\"message\":\"The caller does not have "
	    "permission\",\"status\":\"PERMISSION_DENIED\","
	    ADS_FAIL("{\"authorizationError\":\"USER_PERMISSION_DENIED\"}",
	    "The user may not access this customer; set login-customer-id "
	    "for a client of a manager.", "sbxUpd0000000000000001") "}}" },
	{ &ads_api, "error-429-quota-resource-exhausted", "429", 429,
	    "Retry-After: 30\n", JU,
	    "{\"error\":{\"code\":429,\"message\":\"Resource has been "
	    "exhausted (e.g. check quota).\",\"status\":"
	    "\"RESOURCE_EXHAUSTED\",\"details\":[{\"@type\":\"type."
	    "googleapis.com/google.ads.googleads.v26.errors."
	    "GoogleAdsFailure\",\"errors\":[{\"errorCode\":{\"quotaError\":"
	    "\"RESOURCE_EXHAUSTED\"},\"message\":\"Too many requests; retry "
	    "in 30 seconds.\",\"details\":{\"quotaErrorDetails\":{"
	    "\"rateScope\":\"DEVELOPER\",\"rateName\":\"Number of operations "
	    "for basic access\",\"retryDelay\":\"30s\"}}}],\"requestId\":"
	    "\"sbxQta0000000000000001\"}]}}" },
	{ &ads_api, "error-429-retry-info", "retry_info", 429, NULL, JU,
	    "{\"error\":{\"code\":429,\"message\":\"Resource has been "
	    "exhausted (e.g. check quota).\",\"status\":"
	    "\"RESOURCE_EXHAUSTED\",\"details\":[{\"@type\":\"type."
	    "googleapis.com/google.rpc.RetryInfo\",\"retryDelay\":\"42s\"},"
	    "{\"@type\":\"type.googleapis.com/google.ads.googleads.v26."
	    "errors.GoogleAdsFailure\",\"errors\":[{\"errorCode\":{"
	    "\"quotaError\":\"RESOURCE_TEMPORARILY_EXHAUSTED\"},\"message\":"
	    "\"Too many requests in a short time; retry shortly.\"}],"
	    "\"requestId\":\"sbxQta0000000000000002\"}]}}" },
	{ &ads_api, "error-500-internal", "500", 500, NULL, JU,
	    "{\"error\":{\"code\":500,\"message\":\"Internal error "
	    "encountered.\",\"status\":\"INTERNAL\"}}" },
};

const struct sandbox_provider sandbox_google_ads = {
	.slug = "google_ads",
	.family = &sandbox_family_google,
	SANDBOX_LIST(routes),
	SANDBOX_LIST(faults),
};
