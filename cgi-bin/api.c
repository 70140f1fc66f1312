/*
 * cgi-bin/api.c — the JSON API for scripts and integrations, and the
 * health endpoints.  CLI: `api migrate` applies the migrations.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <stdlib.h>

#include <json-c/json.h>

#include "base/jsonx.h"
#include "base/limit.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/utf8.h"
#include "business/attribution.h"
#include "business/booking.h"
#include "business/inquiry.h"
#include "connections/connect.h"
#include "connections/connection.h"
#include "connections/token.h"
#include "connections/vault.h"
#include "crypto/crypto.h"
#include "insights/insights.h"
#include "insights/intel.h"
#include "metrics/catalogue.h"
#include "metrics/export.h"
#include "metrics/ingest.h"
#include "metrics/metric.h"
#include "metrics/reporting.h"
#include "metrics/content.h"
#include "metrics/reviews.h"
#include "metrics/tiles.h"
#include "providers/provider.h"
#include "store/db.h"
#include "store/migrate.h"
#include "sync/ops.h"
#include "sync/schedule.h"
#include "sync/syncq.h"
#include "tenancy/account.h"
#include "web/apikey.h"
#include "views/views.h"
#include "web/app.h"

static enum err	api_healthz(struct ctx *);
static enum err	api_readyz(struct ctx *);
static enum err	api_connections(struct ctx *);
static enum err	api_ingest(struct ctx *);
static enum err	api_tiles(struct ctx *);
static enum err	api_sync_status(struct ctx *);
static enum err	api_sync_log(struct ctx *);

static enum err	api_conn_sync(struct ctx *);
static enum err	api_conn_test(struct ctx *);
static enum err	api_conn_delete(struct ctx *);
static enum err	api_github_user(struct ctx *);
static enum err	api_github_repos(struct ctx *);
static enum err	api_intel(struct ctx *);
static enum err	api_metrics(struct ctx *);
static enum err	api_inquiry_create(struct ctx *);
static enum err	api_inquiries(struct ctx *);
static enum err	api_inquiry(struct ctx *);
static enum err	api_inquiry_patch(struct ctx *);
static enum err	api_booking_create(struct ctx *);
static enum err	api_bookings(struct ctx *);
static enum err	api_booking(struct ctx *);
static enum err	api_booking_patch(struct ctx *);
static enum err	form_inquiry(struct ctx *);
static enum err	api_attribution(struct ctx *);
static enum err	api_reviews(struct ctx *);
static enum err	api_content(struct ctx *);
static enum err	api_providers(struct ctx *);

static const struct route routes[] = {
	{ HTTP_GET, "/healthz", api_healthz, ROUTE_NODB | ROUTE_QUIET, 0 },
	{ HTTP_GET, "/readyz", api_readyz, ROUTE_NODB | ROUTE_QUIET, 0 },
	{ HTTP_GET, "/v1/connections", api_connections, ROUTE_APIKEY, 0 },
	{ HTTP_GET, "/v1/providers", api_providers, ROUTE_APIKEY, 0 },
	{ HTTP_POST, "/v1/metrics/ingest", api_ingest,
	    ROUTE_APIKEY | ROUTE_ADMIN, LIMIT_BODY_INGEST },
	{ HTTP_GET, "/v1/dashboard/tiles", api_tiles, ROUTE_APIKEY, 0 },
	{ HTTP_GET, "/v1/metrics", api_metrics, ROUTE_APIKEY, 0 },
	{ HTTP_GET, "/v1/reviews", api_reviews, ROUTE_APIKEY, 0 },
	{ HTTP_GET, "/v1/content", api_content, ROUTE_APIKEY, 0 },
	{ HTTP_GET, "/v1/sync/status", api_sync_status, ROUTE_APIKEY, 0 },
	{ HTTP_GET, "/v1/sync/log", api_sync_log, ROUTE_APIKEY, 0 },
	{ HTTP_POST, "/v1/connections/:provider/sync", api_conn_sync,
	    ROUTE_APIKEY | ROUTE_ADMIN, 0 },
	{ HTTP_POST, "/v1/connections/:provider/test", api_conn_test,
	    ROUTE_APIKEY | ROUTE_ADMIN, 0 },
	{ HTTP_DELETE, "/v1/connections/:provider", api_conn_delete,
	    ROUTE_APIKEY | ROUTE_ADMIN, 0 },
	{ HTTP_GET, "/v1/github/user", api_github_user, ROUTE_APIKEY, 0 },
	{ HTTP_GET, "/v1/github/repos", api_github_repos, ROUTE_APIKEY, 0 },
	{ HTTP_POST, "/v1/intel/analyze", api_intel, ROUTE_APIKEY, 0 },
	{ HTTP_POST, "/v1/inquiries", api_inquiry_create,
	    ROUTE_APIKEY | ROUTE_ADMIN, LIMIT_BODY_FORM },
	{ HTTP_GET, "/v1/inquiries", api_inquiries, ROUTE_APIKEY, 0 },
	{ HTTP_GET, "/v1/inquiries/:id", api_inquiry, ROUTE_APIKEY, 0 },
	{ HTTP_PATCH, "/v1/inquiries/:id", api_inquiry_patch,
	    ROUTE_APIKEY | ROUTE_ADMIN, LIMIT_BODY_FORM },
	{ HTTP_POST, "/v1/bookings", api_booking_create,
	    ROUTE_APIKEY | ROUTE_ADMIN, LIMIT_BODY_FORM },
	{ HTTP_GET, "/v1/bookings", api_bookings, ROUTE_APIKEY, 0 },
	{ HTTP_GET, "/v1/bookings/:id", api_booking, ROUTE_APIKEY, 0 },
	{ HTTP_PATCH, "/v1/bookings/:id", api_booking_patch,
	    ROUTE_APIKEY | ROUTE_ADMIN, LIMIT_BODY_FORM },
	{ HTTP_GET, "/v1/attribution", api_attribution, ROUTE_APIKEY, 0 },
	/* A site's public form (no key, no session): nginx/locations/
	 * api.conf routes /f/ here. */
	{ HTTP_POST | HTTP_OPTIONS, "/f/:token", form_inquiry,
	    ROUTE_RAWBODY | ROUTE_OVERSIZE, LIMIT_BODY_FORM },
};

/*
 * A week's facts (numbers with their period and source) that answer a
 * question, ranked and said in a sentence (lib/insights/intel.h), with
 * the suggested actions; deterministic.  Body: {"question"?, "scope"?:
 * {"provider"?, "period"?: "last_week" or a Monday "YYYY-MM-DD"}}.
 */
static enum err
api_intel(struct ctx *ctx)
{
	struct json_object *body = NULL, *scope = NULL;
	const char *question = NULL, *provider = NULL, *period = NULL,
	    *why = NULL, *json;
	struct insights_period per;
	struct insights in;
	size_t n;
	enum err rc;

	if (ctx->req.body_len > 0 && jsonx_parse(ctx->arena, ctx->req.body,
	    ctx->req.body_len, &body, &why) != ERR_OK)
		return app_fail(ctx, ERR_INPUT, "The body must be JSON: %s.",
		    why != NULL ? why : "invalid");
	if (body != NULL && !json_object_is_type(body, json_type_object))
		return app_fail(ctx, ERR_UNPROCESSABLE, "The body must be a "
		    "JSON object: {\"question\": \"...\", \"scope\": "
		    "{...}}.");
	if (body != NULL && (jsonx_get_string(body, "question", &question) ==
	    ERR_INPUT || jsonx_get_object(body, "scope", &scope) == ERR_INPUT ||
	    jsonx_get_string(scope, "provider", &provider) == ERR_INPUT ||
	    jsonx_get_string(scope, "period", &period) == ERR_INPUT))
		return app_fail(ctx, ERR_UNPROCESSABLE, "question, "
		    "scope.provider and scope.period must be strings.");
	if (question != NULL && (why = intel_question_problem(question,
	    (size_t)json_object_get_string_len(json_object_object_get(body,
	    "question")))) != NULL)
		return app_fail(ctx, ERR_UNPROCESSABLE, "question %s.", why);
	if (question != NULL && (n = utf8_chars(question)) >
	    LIMIT_INTEL_QUESTION)
		return app_fail(ctx, ERR_UNPROCESSABLE, "question has %zu "
		    "characters; at most %d are accepted.", n,
		    LIMIT_INTEL_QUESTION);
	/* Never echoed: the value may be anything the caller sent. */
	if (provider != NULL && !metric_provider_known(provider))
		return app_fail(ctx, ERR_UNPROCESSABLE, "Unknown provider in "
		    "scope.provider; use one of %s.",
		    provider_slugs(ctx->arena, ", "));
	if (period != NULL && strcmp(period, "last_week") == 0)
		period = NULL;
	if (period != NULL && insights_period_check(ctx->arena, period,
	    &why) != ERR_OK)
		return app_fail(ctx, ERR_UNPROCESSABLE, "scope.period %s (or "
		    "send last_week).", why);
	rc = insights_period(ctx->db, ctx->arena, ctx->workspace_id, period,
	    &per);
	if (rc == ERR_INPUT)
		return app_fail(ctx, ERR_UNPROCESSABLE, "scope.period must be "
		    "last_week or a Monday YYYY-MM-DD.");
	if (rc == ERR_OK && !per.over)
		return app_fail(ctx, ERR_UNPROCESSABLE, "scope.period: the "
		    "week of %s ends on %s, which is not over yet in the "
		    "workspace's time zone (%s); send last_week or an earlier "
		    "Monday.", per.start, per.end, per.time_zone != NULL ?
		    per.time_zone : "UTC");
	if (rc != ERR_OK || (rc = insights_load(ctx->db, ctx->arena,
	    ctx->workspace_id, &per, &in)) != ERR_OK)
		return rc;
	json = intel_json(ctx->arena, &per, &in, provider, question);
	return resp_body(&ctx->resp, 200, "application/json", json,
	    strlen(json));
}

/* 415 unless the body is JSON (the API's inquiries and bookings). */
static bool
json_body(struct ctx *ctx)
{
	static const char msg[] = "{\"error\":{\"code\":"
	    "\"unsupported_media_type\",\"message\":\"Send the body as "
	    "Content-Type: application/json.\"}}";

	if (req_is_content_type(&ctx->req, "application/json"))
		return true;
	resp_body(&ctx->resp, 415, "application/json", msg, sizeof(msg) - 1);
	return false;
}

/* The path's :id: 400 unless a positive integer. */
static enum err
path_id(struct ctx *ctx, int64_t *id)
{
	const char *s = route_capture(&ctx->match, "id");
	char *end;

	*id = s != NULL && strlen(s) <= 18 ? strtoll(s, &end, 10) : 0;
	if (*id <= 0 || *end != '\0')
		return app_fail(ctx, ERR_INPUT, "id must be a positive "
		    "integer (the id a list gave).");
	return ERR_OK;
}

static enum err
json_answer(struct ctx *ctx, int status, const char *json)
{
	resp_header(&ctx->resp, "Cache-Control", "private, no-store");
	return resp_body(&ctx->resp, status, "application/json", json,
	    strlen(json));
}

static enum err
problems_answer(struct ctx *ctx, const struct inquiry_problem *p, size_t n)
{
	return json_answer(ctx, 422, inquiry_problems_json(ctx->arena, p, n));
}

/*
 * A new inquiry from the API (a CRM, a DM bridge): 201 and the inquiry,
 * 422 listing every bad field, 415 unless JSON; Idempotency-Key replays.
 */
static enum err
api_inquiry_create(struct ctx *ctx)
{
	char hash[CRYPTO_SHA256_HEX_SIZE];
	struct inquiry_in in;
	const char *key, *why = NULL, *json;
	bool replayed;
	int status;
	enum err rc;

	if (!json_body(ctx))
		return ERR_OK;
	key = req_header(&ctx->req, "idempotency-key");
	if (key != NULL && !ingest_key_ok(key))
		return app_fail(ctx, ERR_INPUT, "Idempotency-Key must be 1-128 "
		    "characters of A-Z a-z 0-9 _ . : -");
	rc = inquiry_parse_json(ctx->arena, ctx->req.body, ctx->req.body_len,
	    "api", &in, &why);
	if (rc == ERR_INPUT)
		return app_fail(ctx, ERR_INPUT, "%s", why);
	if (rc != ERR_OK)
		return problems_answer(ctx, in.problems, in.nproblems);
	crypto_sha256_hex(ctx->req.body, ctx->req.body_len, hash);
	rc = inquiry_create(ctx->db, ctx->arena, ctx->workspace_id, &in, key,
	    hash, &status, &json, &replayed);
	if (rc == ERR_CONFLICT)
		return app_fail(ctx, rc, "This Idempotency-Key was already "
		    "used with a different body.");
	if (rc != ERR_OK)
		return rc;
	if (replayed)
		resp_header(&ctx->resp, "Idempotent-Replayed", "true");
	return json_answer(ctx, status, json);
}

/* ?status, from, to (created, workspace's zone), limit, cursor. */
static enum err
api_inquiries(struct ctx *ctx)
{
	struct inquiry_query q;
	const char *param, *why, *json;
	enum err rc;

	if (inquiry_query_parse(&ctx->req.query, &q, &param, &why) != ERR_OK)
		return app_fail(ctx, ERR_INPUT, "%s %s.", param, why);
	if ((rc = inquiry_list_json(ctx->db, ctx->arena, ctx->workspace_id,
	    &q, &json)) != ERR_OK)
		return rc;
	return json_answer(ctx, 200, json);
}

static enum err
api_inquiry(struct ctx *ctx)
{
	const char *json;
	int64_t id;
	enum err rc;

	if ((rc = path_id(ctx, &id)) != ERR_OK)
		return rc;
	rc = inquiry_get_json(ctx->db, ctx->arena, ctx->workspace_id, id,
	    &json);
	if (rc == ERR_NOTFOUND)
		return app_fail(ctx, rc, "This workspace has no inquiry %lld.",
		    (long long)id);
	return rc != ERR_OK ? rc : json_answer(ctx, 200, json);
}

/* {"status"?, "owner"?: user id or null, "note"?}: 200 and the inquiry. */
static enum err
api_inquiry_patch(struct ctx *ctx)
{
	struct inquiry_change c;
	struct json_object *body, *m;
	struct inquiry_problem pr;
	const char *why = NULL, *field = NULL;
	int64_t id;
	enum err rc;

	if (!json_body(ctx))
		return ERR_OK;
	if ((rc = path_id(ctx, &id)) != ERR_OK)
		return rc;
	if (jsonx_parse(ctx->arena, ctx->req.body, ctx->req.body_len, &body,
	    &why) != ERR_OK || !json_object_is_type(body, json_type_object))
		return app_fail(ctx, ERR_INPUT, "The body must be a JSON "
		    "object {\"status\"?, \"owner\"?, \"note\"?}%s%s.",
		    why != NULL ? ": " : "", why != NULL ? why : "");
	memset(&c, 0, sizeof(c));
	if (jsonx_get_string(body, "status", &c.status) == ERR_INPUT)
		field = "status";
	else if (jsonx_get_string(body, "note", &c.note) == ERR_INPUT)
		field = "note";
	else if (json_object_object_get_ex(body, "owner", &m)) {
		c.has_owner = true;
		if (m != NULL && (jsonx_get_int64(body, "owner", &c.owner) !=
		    ERR_OK || c.owner <= 0))
			c.owner = -1;
	}
	if (field != NULL) {
		pr.field = field;
		pr.reason = "must be a string";
		return problems_answer(ctx, &pr, 1);
	}
	if (c.note != NULL && strlen(c.note) != (size_t)
	    json_object_get_string_len(json_object_object_get(body, "note")))
		c.note = "";	/* a NUL byte: refused below */
	if ((pr.reason = inquiry_change_problem(&c, &pr.field)) != NULL)
		return problems_answer(ctx, &pr, 1);
	rc = inquiry_update(ctx->db, ctx->arena, ctx->workspace_id, id, &c);
	if (rc == ERR_UNPROCESSABLE) {
		pr.field = "owner";
		pr.reason = "is not a member of this workspace";
		return problems_answer(ctx, &pr, 1);
	}
	if (rc == ERR_NOTFOUND)
		return app_fail(ctx, rc, "This workspace has no inquiry %lld.",
		    (long long)id);
	return rc != ERR_OK ? rc : api_inquiry(ctx);
}

/* A booking, of an inquiry (inquiry_id) or on its own: 201 and it. */
static enum err
api_booking_create(struct ctx *ctx)
{
	struct booking_in in;
	struct inquiry_problem pr;
	const char *why = NULL, *json;
	enum err rc;

	if (!json_body(ctx))
		return ERR_OK;
	rc = booking_parse_json(ctx->arena, ctx->req.body, ctx->req.body_len,
	    true, &in, &why);
	if (rc == ERR_INPUT)
		return app_fail(ctx, ERR_INPUT, "%s", why);
	if (rc != ERR_OK)
		return problems_answer(ctx, in.problems, in.nproblems);
	rc = booking_create(ctx->db, ctx->arena, ctx->workspace_id, &in,
	    &json);
	if (rc == ERR_UNPROCESSABLE) {
		pr.field = "inquiry_id";
		pr.reason = "names no inquiry of this workspace";
		return problems_answer(ctx, &pr, 1);
	}
	return rc != ERR_OK ? rc : json_answer(ctx, 201, json);
}

/* ?status, from, to (event date), limit, cursor. */
static enum err
api_bookings(struct ctx *ctx)
{
	struct inquiry_query q;
	const char *param, *why, *json;
	enum err rc;

	if (booking_query_parse(&ctx->req.query, &q, &param, &why) != ERR_OK)
		return app_fail(ctx, ERR_INPUT, "%s %s.", param, why);
	if ((rc = booking_list_json(ctx->db, ctx->arena, ctx->workspace_id,
	    &q, &json)) != ERR_OK)
		return rc;
	return json_answer(ctx, 200, json);
}

static enum err
api_booking(struct ctx *ctx)
{
	const char *json;
	int64_t id;
	enum err rc;

	if ((rc = path_id(ctx, &id)) != ERR_OK)
		return rc;
	rc = booking_get_json(ctx->db, ctx->arena, ctx->workspace_id, id,
	    &json);
	if (rc == ERR_NOTFOUND)
		return app_fail(ctx, rc, "This workspace has no booking %lld.",
		    (long long)id);
	return rc != ERR_OK ? rc : json_answer(ctx, 200, json);
}

static enum err
api_booking_patch(struct ctx *ctx)
{
	struct booking_in in;
	struct inquiry_problem pr;
	const char *why = NULL;
	int64_t id;
	enum err rc;

	if (!json_body(ctx))
		return ERR_OK;
	if ((rc = path_id(ctx, &id)) != ERR_OK)
		return rc;
	rc = booking_parse_json(ctx->arena, ctx->req.body, ctx->req.body_len,
	    false, &in, &why);
	if (rc == ERR_INPUT)
		return app_fail(ctx, ERR_INPUT, "%s", why);
	if (rc != ERR_OK)
		return problems_answer(ctx, in.problems, in.nproblems);
	rc = booking_update(ctx->db, ctx->arena, ctx->workspace_id, id, &in);
	if (rc == ERR_UNPROCESSABLE) {
		pr.field = "inquiry_id";
		pr.reason = "names no inquiry of this workspace";
		return problems_answer(ctx, &pr, 1);
	}
	if (rc == ERR_NOTFOUND)
		return app_fail(ctx, rc, "This workspace has no booking %lld.",
		    (long long)id);
	return rc != ERR_OK ? rc : api_booking(ctx);
}

/* Inquiries, bookings and spend per channel: ?from=&to= (default: the
 * 28 days ending today). */
static enum err
api_attribution(struct ctx *ctx)
{
	const char *from, *to, *param, *why, *json;
	enum err rc;

	if (attribution_period_parse(&ctx->req.query, &from, &to, &param,
	    &why) != ERR_OK)
		return app_fail(ctx, ERR_INPUT, "%s %s.", param, why);
	if ((rc = attribution_report_json(ctx->db, ctx->arena,
	    ctx->workspace_id, from, to, &json)) != ERR_OK)
		return rc;
	return json_answer(ctx, 200, json);
}

/*
 * The public form's answer: JSON for fetch, a small page for a plain
 * HTML form post.  The CORS headers set before stay (no app_fail(): the
 * error path starts the response afresh).
 */
static enum err
form_done(struct ctx *ctx, bool html, enum err e, const char *msg,
    const struct inquiry_in *in)
{
	struct json_object *v, *list, *x;
	size_t i;

	if (!html) {
		if (in != NULL)
			return json_answer(ctx, 422, inquiry_problems_json(
			    ctx->arena, in->problems, in->nproblems));
		resp_json_error(&ctx->resp, e, msg);
		resp_header(&ctx->resp, "Cache-Control", "no-store");
		return ERR_OK;
	}
	v = app_view(ctx);
	json_object_object_add(v, "message", json_object_new_string(msg));
	if (in != NULL) {
		list = json_object_new_array();
		json_object_object_add(v, "problems", list);
		json_object_object_add(v, "has_problems",
		    json_object_new_boolean(in->nproblems > 0));
		for (i = 0; i < in->nproblems; i++) {
			x = json_object_new_object();
			json_object_object_add(x, "field",
			    json_object_new_string(in->problems[i].field));
			json_object_object_add(x, "reason",
			    json_object_new_string(in->problems[i].reason));
			json_object_array_add(list, x);
		}
	}
	return app_render(ctx, err_status(e), "pages/inquiries_form_result",
	    v);
}

/* CORS for the form's own site origins — for any site while it names
 * none, as its posts are accepted from any; true for a preflight,
 * answered. */
static bool
form_cors(struct ctx *ctx, const struct inquiry_form *f)
{
	const char *origin = req_header(&ctx->req, "origin");
	bool ok = *f->origins == '\0' ? origin != NULL && *origin != '\0' &&
	    strcmp(origin, "null") != 0 : inquiry_form_origin_ok(f, origin);

	resp_header(&ctx->resp, "Vary", "Origin");
	if (ok)
		resp_header(&ctx->resp, "Access-Control-Allow-Origin", origin);
	if (ctx->req.method != HTTP_OPTIONS)
		return false;
	if (ok) {
		resp_header(&ctx->resp, "Access-Control-Allow-Methods",
		    "POST, OPTIONS");
		resp_header(&ctx->resp, "Access-Control-Allow-Headers",
		    "Content-Type, Idempotency-Key");
		resp_header(&ctx->resp, "Access-Control-Max-Age", "600");
	}
	resp_body(&ctx->resp, 204, NULL, "", 0);
	return true;
}

/* The fields of the body, urlencoded or JSON; 400/415 answered. */
static enum err
form_fields(struct ctx *ctx, bool html, struct inquiry_in *in, bool *done)
{
	struct kvlist kv;
	const char *why = NULL;
	enum err rc;

	*done = true;
	if (req_is_content_type(&ctx->req,
	    "application/x-www-form-urlencoded")) {
		rc = req_urlencoded(ctx->arena, ctx->req.body,
		    ctx->req.body_len, LIMIT_PARAMS, &kv, &why);
		if (rc != ERR_OK)
			return form_done(ctx, html, ERR_INPUT, arena_printf(
			    ctx->arena, "The form is malformed: %s.", why !=
			    NULL ? why : "bad encoding"), NULL);
		rc = inquiry_parse_form(ctx->arena, &kv, "form", in);
	} else if (req_is_content_type(&ctx->req, "application/json")) {
		rc = inquiry_parse_json(ctx->arena, ctx->req.body,
		    ctx->req.body_len, "form", in, &why);
		if (rc == ERR_INPUT)
			return form_done(ctx, false, ERR_INPUT, why, NULL);
	} else {
		resp_body(&ctx->resp, 415, "application/json", "", 0);
		return buf_puts(&ctx->resp.body, "{\"error\":{\"code\":"
		    "\"unsupported_media_type\",\"message\":\"Send the form "
		    "as application/x-www-form-urlencoded (an HTML form's "
		    "default) or application/json.\"}}");
	}
	*done = rc == ERR_UNPROCESSABLE && !in->spam;
	return *done ? form_done(ctx, html, ERR_UNPROCESSABLE, "Some fields "
	    "need another look.", in) : ERR_OK;
}

/*
 * POST /f/:token — a site's form: find the workspace by the token, CORS
 * for its site, the throttle, the fields (a filled honeypot is thanked
 * and dropped), then exactly once per Idempotency-Key; a plain HTML post
 * is sent to the thank-you page.
 */
static enum err
form_inquiry(struct ctx *ctx)
{
	char hash[CRYPTO_SHA256_HEX_SIZE];
	struct inquiry_form f;
	struct inquiry_in in;
	const char *origin = req_header(&ctx->req, "origin");
	const char *accept = req_header(&ctx->req, "accept");
	const char *key, *json, *addr;
	bool html, done, replayed;
	long wait;
	int status;
	enum err rc;

	html = accept != NULL && strstr(accept, "text/html") != NULL;
	rc = inquiry_form_find(ctx->db, ctx->arena,
	    route_capture(&ctx->match, "token"), &f);
	if (rc == ERR_NOTFOUND)
		return form_done(ctx, html, rc, "No form lives at this "
		    "address: copy it again from Sluice's Settings, Inquiry "
		    "form (it changes when the address is rotated).", NULL);
	if (rc != ERR_OK || form_cors(ctx, &f))
		return rc;
	if (origin != NULL && *f.origins != '\0' &&
	    !inquiry_form_origin_ok(&f, origin))
		return form_done(ctx, html, ERR_FORBIDDEN, "This form takes "
		    "submissions from its own site only.", NULL);
	/* Answered with the site's CORS headers, so its page can read it. */
	if (ctx->oversize)
		return form_done(ctx, html, ERR_TOOBIG, arena_printf(
		    ctx->arena, "The submission is larger than the %d KiB "
		    "this form accepts; shorten the message.",
		    LIMIT_BODY_FORM / 1024), NULL);
	addr = config_client_addr(ctx->cfg, ctx->arena, ctx->req.remote_addr,
	    req_header(&ctx->req, "x-forwarded-for"));
	if ((rc = inquiry_form_throttle(ctx->db, ctx->arena, f.workspace_id,
	    addr, &wait)) != ERR_OK)
		return rc;
	if (wait > 0) {
		resp_header(&ctx->resp, "Retry-After",
		    arena_printf(ctx->arena, "%ld", wait));
		return form_done(ctx, html, ERR_RATELIMIT, arena_printf(
		    ctx->arena, "Too many submissions; please try again in "
		    "%ld minutes.", (wait + 59) / 60), NULL);
	}
	if ((rc = form_fields(ctx, html, &in, &done)) != ERR_OK || done)
		return rc;
	key = req_header(&ctx->req, "idempotency-key");
	if (key != NULL && !ingest_key_ok(key))
		return form_done(ctx, html, ERR_INPUT, "Idempotency-Key must "
		    "be 1-128 characters of A-Z a-z 0-9 _ . : -", NULL);
	if (!in.spam) {
		crypto_sha256_hex(ctx->req.body, ctx->req.body_len, hash);
		if ((rc = app_scope(ctx, f.workspace_id)) != ERR_OK)
			return rc;
		rc = inquiry_create(ctx->db, ctx->arena, f.workspace_id, &in,
		    key != NULL ? arena_printf(ctx->arena, "form:%s", key) :
		    NULL, hash, &status, &json, &replayed);
		if (rc == ERR_CONFLICT)
			return form_done(ctx, html, rc, "This Idempotency-Key "
			    "was already used with a different submission.",
			    NULL);
		if (rc != ERR_OK)
			return rc;
		if (replayed)
			resp_header(&ctx->resp, "Idempotent-Replayed", "true");
	}
	if (html && *f.thank_you_url != '\0')
		return resp_redirect(&ctx->resp, 303, f.thank_you_url);
	if (html)
		return app_render(ctx, 200, "pages/inquiries_form_result",
		    app_view(ctx));
	return json_answer(ctx, 201, "{\"status\":\"received\"}");
}

/*
 * 409 for a slug that names several connections (several logins):
 * {"error":{code, message}, "connections":[{id, owner}]}, so that the
 * caller can retry with the id it means.
 */
static enum err
several(struct ctx *ctx, const struct provider *p)
{
	struct json_object *o, *e, *list, *one;
	struct connection *all;
	size_t i, n;
	enum err rc;

	if ((rc = connection_all(ctx->db, ctx->arena, ctx->workspace_id,
	    &all, &n)) != ERR_OK)
		return rc;
	o = jsonx_own(ctx->arena, json_object_new_object());
	e = json_object_new_object();
	json_object_object_add(e, "code", json_object_new_string(
	    err_code(ERR_CONFLICT)));
	json_object_object_add(e, "message", json_object_new_string(
	    arena_printf(ctx->arena, "%s is connected with several logins "
	    "here: %s.", p->name, strncmp(ctx->req.path, "/v1/github/", 11)
	    == 0 ? "add ?connection={id} with the id of the one you mean" :
	    "use the id of the one you mean (/v1/connections/{id})")));
	json_object_object_add(o, "error", e);
	list = json_object_new_array();
	for (i = 0; i < n; i++) {
		if (strcmp(all[i].provider, p->slug) != 0)
			continue;
		one = json_object_new_object();
		json_object_object_add(one, "id", json_object_new_int64(
		    all[i].id));
		json_object_object_add(one, "owner", *all[i].owner_label !=
		    '\0' ? json_object_new_string(all[i].owner_label) :
		    *all[i].external_owner != '\0' ? json_object_new_string(
		    all[i].external_owner) : NULL);
		json_object_array_add(list, one);
	}
	json_object_object_add(o, "connections", list);
	return json_answer(ctx, 409, jsonx_string(ctx->arena, o));
}

/*
 * The live connection the path names (:provider: a provider's slug while
 * it has one connection here, or a connection's id), or a JSON error.
 * c->id is 0 when the answer is made already (several(): the slug names
 * several connections).
 */
static enum err
conn_arg(struct ctx *ctx, const char *slug, const struct provider **p,
    struct connection *c)
{
	const char *ref = slug != NULL ? slug :
	    route_capture(&ctx->match, "provider");
	bool byid = connection_ref_is_id(ref);
	enum err rc;

	memset(c, 0, sizeof(*c));
	if (!byid && (*p = provider_get(ref)) == NULL)
		return app_fail(ctx, ERR_NOTFOUND, "Unknown provider; use one "
		    "of %s, or a connection's id.", provider_slugs(ctx->arena,
		    ", "));
	rc = connection_find(ctx->db, ctx->arena, ctx->workspace_id, ref, c);
	if (rc == ERR_OK && byid && (*p = provider_get(c->provider)) == NULL)
		rc = ERR_NOTFOUND;
	if (byid && rc == ERR_NOTFOUND)
		return app_fail(ctx, rc, "There is no connection %s in this "
		    "workspace; GET /v1/connections lists them.", ref);
	if (rc == ERR_CONFLICT) {
		rc = several(ctx, *p);
		memset(c, 0, sizeof(*c));
		return rc;
	}
	if (rc == ERR_NOTFOUND || (rc == ERR_OK && !c->has_tokens))
		return app_fail(ctx, ERR_CONFLICT, "%s is not connected.",
		    (*p)->name);
	return rc;
}

static struct token_env
env_of(struct ctx *ctx)
{
	struct token_env env = { ctx->db, ctx->app->http, ctx->app->keys,
	    ctx->cfg };

	return env;
}

/* 202 {"job_id","queued"}: queued now, or the job already waiting. */
static enum err
api_conn_sync(struct ctx *ctx)
{
	const struct provider *p;
	struct connection c;
	int64_t job;
	bool created;
	enum err rc;

	if ((rc = conn_arg(ctx, NULL, &p, &c)) != ERR_OK || c.id == 0)
		return rc;
	rc = syncq_enqueue_now(ctx->db, ctx->arena, ctx->workspace_id, c.id,
	    &job, &created);
	if (rc == ERR_CONFLICT)
		return app_fail(ctx, rc, "%s must be connected to sync.",
		    p->name);
	if (rc != ERR_OK)
		return rc;
	resp_body(&ctx->resp, 202, "application/json", "", 0);
	return buf_printf(&ctx->resp.body, "{\"job_id\":%lld,\"queued\":%s}",
	    (long long)job, created ? "true" : "false");
}

static enum err
api_conn_test(struct ctx *ctx)
{
	struct token_env env = env_of(ctx);
	const struct provider *p;
	struct connection c;
	const char *why;
	enum err rc;

	if ((rc = conn_arg(ctx, NULL, &p, &c)) != ERR_OK || c.id == 0)
		return rc;
	if ((rc = connect_test(&env, ctx->arena, p, &c, &why)) != ERR_OK)
		return app_fail(ctx, rc == ERR_AUTH ? ERR_CONFLICT : ERR_UPSTREAM,
		    "The test call failed: %s", why != NULL ? why :
		    err_code(rc));
	return resp_body(&ctx->resp, 200, "application/json",
	    "{\"ok\":true}", 11);
}

static enum err
api_conn_delete(struct ctx *ctx)
{
	struct token_env env = env_of(ctx);
	const struct provider *p;
	struct connection c;
	const char *d = req_query(&ctx->req, "delete_data"), *note, *body;
	struct json_object *o;
	enum connect_revoke rv;
	enum err rc;

	if ((rc = conn_arg(ctx, NULL, &p, &c)) != ERR_OK || c.id == 0)
		return rc;
	if ((rc = connect_disconnect(&env, ctx->arena, p, &c, d != NULL &&
	    strcmp(d, "1") == 0, &rv, &note)) != ERR_OK)
		return rc;
	o = jsonx_own(ctx->arena, json_object_new_object());
	json_object_object_add(o, "status",
	    json_object_new_string("disconnected"));
	json_object_object_add(o, "revoked",
	    json_object_new_boolean(rv == CONNECT_REVOKED));
	if (note != NULL)
		json_object_object_add(o, "revoke_note",
		    json_object_new_string(note));
	body = jsonx_string(ctx->arena, o);
	return resp_body(&ctx->resp, 200, "application/json", body,
	    strlen(body));
}

/*
 * GitHub's answer for the workspace's GitHub connection: ?connection=<id>
 * picks one of several (another workspace's or another provider's id is
 * not found); without it, the slug's (409 listing them when several).
 */
static enum err
github(struct ctx *ctx, bool repos)
{
	static const char *const known[] = { "connection" };
	struct token_env env = env_of(ctx);
	const struct provider *p;
	struct connection c;
	const char *json, *why, *ref, *bad;
	enum err rc;

	if ((bad = kv_unknown(&ctx->req.query, known, nitems(known))) != NULL)
		return app_fail(ctx, ERR_INPUT, "%s is not a parameter of "
		    "/v1/github/%s (connection).", bad, repos ? "repos" :
		    "user");
	if ((ref = req_query(&ctx->req, "connection")) == NULL)
		ref = "github";
	else if (!connection_ref_is_id(ref))
		return app_fail(ctx, ERR_INPUT, "connection must be the id of "
		    "one of this workspace's GitHub connections (1 to 18 "
		    "digits); GET /v1/connections lists them.");
	else if ((rc = connection_find(ctx->db, ctx->arena,
	    ctx->workspace_id, ref, &c)) == ERR_NOTFOUND || (rc == ERR_OK &&
	    strcmp(c.provider, "github") != 0))
		return app_fail(ctx, ERR_NOTFOUND, "There is no GitHub "
		    "connection %s in this workspace; GET /v1/connections "
		    "lists them.", ref);
	else if (rc != ERR_OK)
		return rc;
	if ((rc = conn_arg(ctx, ref, &p, &c)) != ERR_OK || c.id == 0)
		return rc;
	if ((rc = connect_own_json(&env, ctx->arena, p, &c, repos ? "repos" :
	    "user", &json, &why)) != ERR_OK)
		return app_fail(ctx, rc == ERR_AUTH ? ERR_CONFLICT :
		    rc == ERR_RATELIMIT ? ERR_RATELIMIT : ERR_UPSTREAM, "%s",
		    why != NULL ? why : "GitHub did not answer");
	return resp_body(&ctx->resp, 200, "application/json", json,
	    strlen(json));
}

static enum err
api_github_user(struct ctx *ctx)
{
	return github(ctx, false);
}

static enum err
api_github_repos(struct ctx *ctx)
{
	return github(ctx, true);
}

/*
 * Metric rows in, all or nothing: 200 {"inserted","updated","unchanged"},
 * 422 listing every bad row, 415 unless JSON; Idempotency-Key replays.
 */
static enum err
api_ingest(struct ctx *ctx)
{
	char hash[CRYPTO_SHA256_HEX_SIZE];
	struct ingest_batch b;
	const char *key, *why, *json;
	bool replayed;
	int status;
	enum err rc;

	if (!req_is_content_type(&ctx->req, "application/json")) {
		json = "{\"error\":{\"code\":\"unsupported_media_type\","
		    "\"message\":\"Send the rows as Content-Type: "
		    "application/json.\"}}";
		return resp_body(&ctx->resp, 415, "application/json", json,
		    strlen(json));
	}
	key = req_header(&ctx->req, "idempotency-key");
	if (key != NULL && !ingest_key_ok(key))
		return app_fail(ctx, ERR_INPUT, "Idempotency-Key must be 1-128 "
		    "characters of A-Z a-z 0-9 _ . : -");
	rc = ingest_parse(ctx->arena, ctx->req.body, ctx->req.body_len,
	    time(NULL), &b, &why);
	if (rc == ERR_UNPROCESSABLE && b.nproblems > 0) {
		json = ingest_problems_json(ctx->arena, &b);
		return resp_body(&ctx->resp, 422, "application/json", json,
		    strlen(json));
	}
	if (rc != ERR_OK)
		return app_fail(ctx, rc, "%s", why);
	crypto_sha256_hex(ctx->req.body, ctx->req.body_len, hash);
	rc = ingest_commit(ctx->db, ctx->arena, ctx->workspace_id, key, hash,
	    &b, &status, &json, &replayed);
	if (rc == ERR_CONFLICT)
		return app_fail(ctx, rc, "This Idempotency-Key was already "
		    "used with a different body.");
	if (rc == ERR_NOTFOUND)
		return app_fail(ctx, rc, "This workspace no longer exists; "
		    "nothing was stored.");
	if (rc != ERR_OK)
		return rc;
	if (replayed)
		resp_header(&ctx->resp, "Idempotent-Replayed", "true");
	return resp_body(&ctx->resp, status, "application/json", json,
	    strlen(json));
}

/* A range that ends today or later (400): the last day it can end on,
 * yesterday in the workspace's zone, named. */
static enum err
range_future(struct ctx *ctx)
{
	const char *last;
	enum err rc;

	if ((rc = account_yesterday(app_read_db(ctx), ctx->arena,
	    ctx->workspace_id, &last)) != ERR_OK)
		return rc;
	return app_fail(ctx, ERR_INPUT, "to must be %s or earlier: yesterday "
	    "in the workspace's time zone (today is not over).", last);
}

/* The dashboard tiles: ?period=7d|28d|90d (default 7d) or ?from=&to=,
 * &provider=slug. */
static enum err
api_tiles(struct ctx *ctx)
{
	const char *period = req_query(&ctx->req, "period");
	const char *provider = req_query(&ctx->req, "provider");
	const char *from = req_query(&ctx->req, "from");
	const char *to = req_query(&ctx->req, "to");
	const char *json, *why;
	int days = period == NULL ? 7 : tiles_period(period);
	enum err rc;

	if (period != NULL && (from != NULL || to != NULL))
		return app_fail(ctx, ERR_INPUT, "Send period, or from and to; "
		    "not both.");
	if (from != NULL || to != NULL) {
		tiles_range(ctx->arena, from, to, &days, &why);
		if (why != NULL)
			return app_fail(ctx, ERR_INPUT, "%s.", why);
	} else if (days == 0)
		return app_fail(ctx, ERR_INPUT, "period must be 7d, 28d or "
		    "90d.");
	if (provider != NULL && !metric_provider_known(provider))
		return app_fail(ctx, ERR_INPUT, "Unknown provider; use one of "
		    "%s.", provider_slugs(ctx->arena, ", "));
	rc = tiles_json(app_read_db(ctx), ctx->arena, ctx->workspace_id,
	    days, from != NULL ? to : NULL, provider,
	    req_no_cache(&ctx->req), &json);
	if (rc == ERR_UNPROCESSABLE)
		return range_future(ctx);
	if (rc != ERR_OK)
		return rc;
	/* A minute in the client's own cache, per key (a page that
	 * switches keys must not be answered from another's). */
	resp_header(&ctx->resp, "Cache-Control", "private, max-age=60");
	resp_header(&ctx->resp, "Vary", "Authorization");
	return resp_body(&ctx->resp, 200, "application/json", json,
	    strlen(json));
}

/*
 * The workspace's stored rows (lib/metrics/export.h): JSON pages with a
 * cursor, or with format=csv (or Accept: text/csv) one CSV stream.
 */
static enum err
api_metrics(struct ctx *ctx)
{
	struct export_query q;
	const char *param, *why, *json;
	enum err rc;

	rc = export_parse(ctx->arena, &ctx->req.query, req_header(&ctx->req,
	    "accept"), &q, &param, &why);
	if (rc != ERR_OK)
		return app_fail(ctx, rc == ERR_TOOBIG ? ERR_TOOBIG : ERR_INPUT,
		    "%s %s.", param, why);
	/* An unknown name is a 404, not an empty answer: ingest takes any
	 * source name, so one with rows here is known. */
	rc = export_sources(app_read_db(ctx), ctx->arena, ctx->workspace_id,
	    &q, &why);
	if (rc == ERR_NOTFOUND)
		return app_fail(ctx, ERR_NOTFOUND, "provider %s.", why);
	if (rc != ERR_OK)
		return rc;
	/* And a metric name with a typo is a 404, not an empty answer. */
	rc = export_metrics_known(app_read_db(ctx), ctx->arena,
	    ctx->workspace_id, &q, &why);
	if (rc == ERR_NOTFOUND)
		return app_fail(ctx, ERR_NOTFOUND, "metric %s.", why);
	if (rc != ERR_OK)
		return rc;
	if (q.csv)
		rc = views_download(ctx, &q);
	else
		rc = export_json(app_read_db(ctx), ctx->arena,
		    ctx->workspace_id, &q, &json);
	if (rc == ERR_UNPROCESSABLE)
		return range_future(ctx);
	if (rc == ERR_INPUT)
		return app_fail(ctx, ERR_INPUT, "cursor is not one this API "
		    "gave for this query: page with the same provider, "
		    "account_id, metric, from, to and group as the page that "
		    "gave it, or start again without it.");
	if (rc != ERR_OK || q.csv)
		return rc;
	resp_header(&ctx->resp, "Cache-Control", "private, no-store");
	return resp_body(&ctx->resp, 200, "application/json", json,
	    strlen(json));
}

/* The kept reviews, newest first, in pages (lib/metrics/reviews.h). */
static enum err
api_reviews(struct ctx *ctx)
{
	struct reviews_query q;
	const char *param, *why, *json;
	enum err rc;

	if (reviews_parse(ctx->arena, &ctx->req.query, &q, &param, &why) !=
	    ERR_OK)
		return app_fail(ctx, ERR_INPUT, "%s %s.", param, why);
	if ((rc = reviews_json(ctx->db, ctx->arena, ctx->workspace_id, &q,
	    &json)) != ERR_OK)
		return rc;
	resp_header(&ctx->resp, "Cache-Control", "private, no-store");
	return resp_body(&ctx->resp, 200, "application/json", json,
	    strlen(json));
}

/* What the accounts published, with its numbers (lib/metrics/content.h):
 * filters, sort and cursor pages. */
static enum err
api_content(struct ctx *ctx)
{
	struct content_query q;
	const char *param, *why, *json;
	enum err rc;

	if (content_parse(ctx->arena, &ctx->req.query, &q, &param, &why) !=
	    ERR_OK)
		return app_fail(ctx, ERR_INPUT, "%s %s.", param, why);
	if ((rc = content_json(ctx->db, ctx->arena, ctx->workspace_id, &q,
	    &json)) != ERR_OK)
		return rc;
	resp_header(&ctx->resp, "Cache-Control", "private, no-store");
	return resp_body(&ctx->resp, 200, "application/json", json,
	    strlen(json));
}

/* Each connection's sync state: last sync, last error, job, last run. */
static enum err
api_sync_status(struct ctx *ctx)
{
	const char *json;
	enum err rc;

	if ((rc = syncq_status_ws_json(ctx->db, ctx->arena, ctx->workspace_id,
	    &json)) != ERR_OK)
		return rc;
	return resp_body(&ctx->resp, 200, "application/json", json,
	    strlen(json));
}

/* The latest sync runs: ?provider=slug &limit=1..500 (default 100). */
static enum err
api_sync_log(struct ctx *ctx)
{
	const char *provider = req_query(&ctx->req, "provider");
	const char *lim = req_query(&ctx->req, "limit");
	const char *json;
	char *end;
	long limit = 100;
	enum err rc;

	if (provider != NULL && !metric_provider_known(provider))
		return app_fail(ctx, ERR_INPUT, "Unknown provider; use one of "
		    "%s.", provider_slugs(ctx->arena, ", "));
	if (lim != NULL && ((limit = strtol(lim, &end, 10)) < 1 ||
	    limit > 500 || *end != '\0' || end == lim))
		return app_fail(ctx, ERR_INPUT, "limit must be 1 to 500.");
	if ((rc = syncq_log_json(ctx->db, ctx->arena, ctx->workspace_id,
	    provider, (int)limit, &json)) != ERR_OK)
		return rc;
	return resp_body(&ctx->resp, 200, "application/json", json,
	    strlen(json));
}

/* The workspace's connections: status, accounts, sync state; no tokens. */
static enum err
api_connections(struct ctx *ctx)
{
	const char *list;
	enum err rc;

	if ((rc = connection_list_json(ctx->db, ctx->arena,
	    ctx->workspace_id, &list)) != ERR_OK)
		return rc;
	return resp_body(&ctx->resp, 200, "application/json", list,
	    strlen(list));
}

/* The registry and each provider's metric catalogue (catalogue.h). */
static enum err
api_providers(struct ctx *ctx)
{
	const char *body, *bad;

	if ((bad = kv_unknown(&ctx->req.query, NULL, 0)) != NULL)
		return app_fail(ctx, ERR_INPUT, "%s is not a parameter of "
		    "/v1/providers (it takes none).", bad);
	body = jsonx_string(ctx->arena, catalogue_providers(ctx->arena,
	    ctx->cfg));
	return resp_body(&ctx->resp, 200, "application/json", body,
	    strlen(body));
}

/* 200 while the process serves: no database, no allocation. */
static enum err
api_healthz(struct ctx *ctx)
{
	static const char body[] = "{\"status\":\"ok\"}";

	return resp_body(&ctx->resp, 200, "application/json", body,
	    sizeof(body) - 1);
}

/* Adds a warning to o's "warnings", made on first use. */
static void
warn(struct json_object *o, struct json_object **w, const char *s)
{
	if (*w == NULL) {
		*w = json_object_new_array();
		json_object_object_add(o, "warnings", *w);
	}
	json_object_array_add(*w, json_object_new_string(s));
}

/*
 * The sync workers' last heartbeat and the queue, with a warning when no
 * worker was seen for LIMIT_WORKER_STALE_S while jobs wait (or ever).
 */
static enum err
readyz_workers(struct ctx *ctx, struct json_object *o, struct json_object **w)
{
	struct ops_queue q;
	struct json_object *k;
	long age;
	enum err rc;

	if ((rc = ops_worker_age(ctx->db, ctx->arena, &age)) != ERR_OK ||
	    (rc = ops_queue(ctx->db, ctx->arena, &q)) != ERR_OK)
		return rc;
	k = json_object_new_object();
	json_object_object_add(o, "worker", k);
	json_object_object_add(k, "last_seen_age_s", age < 0 ? NULL :
	    json_object_new_int64(age));
	json_object_object_add(k, "stale", json_object_new_boolean(age < 0 ||
	    age > LIMIT_WORKER_STALE_S));
	k = json_object_new_object();
	json_object_object_add(o, "queue", k);
	json_object_object_add(k, "queued", json_object_new_int64(q.queued));
	json_object_object_add(k, "due", json_object_new_int64(q.due));
	json_object_object_add(k, "running", json_object_new_int64(q.running));
	json_object_object_add(k, "expired_leases",
	    json_object_new_int64(q.expired));
	json_object_object_add(k, "oldest_wait_s",
	    json_object_new_int64(q.oldest_wait_s));
	if (age < 0)
		warn(o, w, "no sync worker has ever run: start the worker "
		    "daemon (worker --daemon; make run starts it) or run "
		    "worker --once from cron");
	else if (age > LIMIT_WORKER_STALE_S)
		warn(o, w, arena_printf(ctx->arena, "no sync worker was seen "
		    "for %ld minutes (%ld jobs due): the worker daemon is down "
		    "or stuck (see its log)", age / 60, (long)q.due));
	if (q.expired > 0)
		warn(o, w, arena_printf(ctx->arena, "%ld running jobs lost "
		    "their worker (lease ran out); they run again",
		    (long)q.expired));
	return ERR_OK;
}

/*
 * With ?details=1 (operators, monitoring): the schema's state, the
 * scheduler's last tick and a warning when it has not ticked within
 * SLUICE_SCHEDULER_STALE_S (the worker daemon that runs it is down or
 * stuck), the workers' last heartbeat and the queue.  Never in the plain
 * answer a load balancer polls: the API serves without a scheduler.
 */
static enum err
readyz_details(struct ctx *ctx, struct json_object *o, struct json_object **w)
{
	struct schedule_cfg sc;
	struct json_object *s;
	enum db_replica rs;
	const char *why;
	long age, lag;
	enum err rc;

	s = json_object_new_object();
	json_object_object_add(o, "schema", s);
	json_object_object_add(s, "state", json_object_new_string("current"));
	json_object_object_add(s, "code_migrations",
	    json_object_new_int(ctx->app->code_migrations));
	json_object_object_add(s, "code_latest",
	    json_object_new_int(ctx->app->code_latest));
	if ((rc = readyz_workers(ctx, o, w)) != ERR_OK)
		return rc;

	/* The read replica (SLUICE_DATABASE_READ_URL): where reads go. */
	(void)db_reader(ctx->db, ctx->arena);
	rs = db_replica_state(ctx->db, &lag);
	s = json_object_new_object();
	json_object_object_add(o, "replica", s);
	json_object_object_add(s, "state",
	    json_object_new_string(db_replica_name(rs)));
	json_object_object_add(s, "reads", json_object_new_string(
	    rs == DB_REPLICA_OK ? "replica" : "primary"));
	if (rs == DB_REPLICA_OK || rs == DB_REPLICA_LAGGING)
		json_object_object_add(s, "lag_ms",
		    json_object_new_int64(lag));
	if (rs != DB_REPLICA_NONE && rs != DB_REPLICA_OK)
		warn(o, w, arena_printf(ctx->arena, "the read replica is %s: "
		    "reads go to the primary", db_replica_name(rs)));

	if (schedule_cfg_load(ctx->arena, &sc, &why) != ERR_OK)
		sc.enabled = false;
	if ((rc = schedule_beat_age(ctx->db, ctx->arena, &age)) != ERR_OK)
		return rc;
	s = json_object_new_object();
	json_object_object_add(o, "scheduler", s);
	json_object_object_add(s, "enabled",
	    json_object_new_boolean(sc.enabled));
	json_object_object_add(s, "last_tick_age_s", age < 0 ? NULL :
	    json_object_new_int64(age));
	json_object_object_add(s, "stale", json_object_new_boolean(
	    sc.enabled && (age < 0 || age > sc.stale_s)));
	if (!sc.enabled)
		return ERR_OK;
	if (age < 0)
		warn(o, w, "the scheduler has never run: start the worker "
		    "daemon (worker --daemon; make run starts it) or set "
		    "SLUICE_SCHEDULER=0 if cron drives the schedule");
	else if (age > sc.stale_s)
		warn(o, w, arena_printf(ctx->arena, "the scheduler last ran "
		    "%ld s ago: the worker daemon is down or stuck (see its "
		    "log)", age));
	return ERR_OK;
}

/*
 * Ready: the database and migrations, and "warnings" when the API
 * version of a provider with credentials retires within
 * PROVIDER_SUNSET_WARN_DAYS (or has): still ready, but someone must act.
 */
static enum err
readyz_ok(struct ctx *ctx, int count)
{
	const struct provider *const *all;
	struct json_object *o, *w = NULL;
	const char *s, *body, *details = req_query(&ctx->req, "details");
	size_t i, n;
	enum err rc;

	o = jsonx_own(ctx->arena, json_object_new_object());
	json_object_object_add(o, "status", json_object_new_string("ok"));
	json_object_object_add(o, "db", json_object_new_string("ok"));
	json_object_object_add(o, "migrations", json_object_new_int(count));
	if (details != NULL && strcmp(details, "1") == 0 &&
	    (rc = readyz_details(ctx, o, &w)) != ERR_OK)
		return rc;
	all = provider_all(&n);
	for (i = 0; i < n; i++) {
		if (provider_mode(all[i], ctx->cfg) != PROVIDER_REAL ||
		    (s = provider_sunset_warning(all[i], ctx->arena,
		    (long)(time(NULL) / 86400))) == NULL)
			continue;
		warn(o, &w, s);
	}
	body = jsonx_string(ctx->arena, o);
	return resp_body(&ctx->resp, 200, "application/json", body,
	    strlen(body));
}

/* 503 with a reason until the database answers and is migrated. */
static enum err
api_readyz(struct ctx *ctx)
{
	const char *reason = NULL, *db = "ok", *schema = "current";
	int count = 0, latest = 0;
	enum err rc;

	rc = migrate_status(ctx->db, ctx->arena, &count, &latest);
	if (rc == ERR_UNAVAILABLE) {
		db = "down";
		reason = "the database is not reachable";
		schema = "unknown";
	} else if (rc == ERR_NOTFOUND) {
		reason = "the database has no migrations applied";
		schema = "behind";
	} else if (rc != ERR_OK) {
		db = "error";
		reason = "the database answered with an error";
		schema = "unknown";
	} else if (ctx->app->code_migrations < 0) {
		reason = "the migrations directory cannot be read";
		schema = "unknown";
	} else if (latest > ctx->app->code_latest) {
		reason = "the database schema is newer than this code";
		schema = "ahead";
	} else if (count < ctx->app->code_migrations) {
		reason = "migrations are pending";
		schema = "behind";
	}
	resp_header(&ctx->resp, "Cache-Control", "no-store");
	if (reason != NULL) {
		/* The answer's line in the log says 503; this one why. */
		log_msg(LOG_WARN, ctx->req.request_id, "not_ready", "%s",
		    reason);
		if (rc == ERR_UNAVAILABLE)
			resp_header(&ctx->resp, "Retry-After", "2");
		resp_body(&ctx->resp, 503, "application/json", "", 0);
		buf_printf(&ctx->resp.body, "{\"status\":\"unavailable\","
		    "\"db\":\"%s\",\"migrations\":%d,\"schema\":\"%s\","
		    "\"reason\":\"%s\"}", db, count, schema, reason);
		return ERR_OK;
	}
	return readyz_ok(ctx, count);
}

static int
cli_migrate(struct app *app, struct arena *a)
{
	const char *why = "";
	int applied, total;
	enum err rc;

	rc = migrate_apply(app->db, a, app->cfg.sql_dir, &applied, &total,
	    &why);
	if (rc == ERR_UNAVAILABLE) {
		fprintf(stderr, "api migrate: cannot reach the database: %s\n",
		    db_last_error(app->db));
		return 1;
	}
	if (rc != ERR_OK) {
		fprintf(stderr, "api migrate: %s\n", why);
		return 1;
	}
	/* The reporting views' labels come from the programs' catalogue. */
	if ((rc = reporting_catalogue_refresh(app->db, a)) != ERR_OK) {
		fprintf(stderr, "api migrate: the metric catalogue could not "
		    "be written: %s\n", db_last_error(app->db));
		return 1;
	}
	printf("migrations: %d applied now, %d in all\n", applied, total);
	return 0;
}

static void
rotate_progress(const struct vault_counts *c)
{
	fprintf(stderr, "rotate-keys: %ld re-sealed, %ld skipped, %ld failed "
	    "so far\n", c->resealed, c->skipped, c->failed);
}

static int
cli_rotate(struct app *app, int argc, char **argv)
{
	struct vault_counts c;
	long batch = LIMIT_ROTATE_BATCH;
	enum err rc;

	if (app->keys == NULL) {
		fprintf(stderr, "api rotate-keys: set SLUICE_ENCRYPTION_KEYS, "
		    "new key first, then the old ones\n");
		return 1;
	}
	if (argc > 2 && (batch = strtol(argv[2], NULL, 10)) < 1) {
		fprintf(stderr, "api rotate-keys: the batch size must be a "
		    "positive number\n");
		return 2;
	}
	rc = vault_rotate(app->db, app->keys, batch, rotate_progress, &c);
	printf("rotate-keys: %ld re-sealed, %ld skipped, %ld failed "
	    "(current key %s)\n", c.resealed, c.skipped, c.failed,
	    crypto_keyring_current(app->keys));
	if (rc != ERR_OK) {
		fprintf(stderr, "api rotate-keys: stopped: %s; run it again "
		    "to resume\n", db_last_error(app->db));
		return 1;
	}
	return c.failed > 0 ? 1 : 0;
}

static int
cli_create_key(struct app *app, struct arena *a, int argc, char **argv)
{
	const char *key;
	int64_t id;
	enum err rc;

	if (argc < 4) {
		fprintf(stderr, "usage: api create-key WORKSPACE_ID NAME "
		    "[admin|viewer]\n");
		return 2;
	}
	rc = apikey_create(app->db, a, strtoll(argv[2], NULL, 10), 0,
	    argv[3], argc > 4 ? argv[4] : "admin", &key, &id);
	if (rc != ERR_OK) {
		fprintf(stderr, "api create-key: %s\n", rc == ERR_INPUT ?
		    "the workspace must exist, the name be 1-100 bytes and the "
		    "role admin or viewer" :
		    db_last_error(app->db));
		return 1;
	}
	/* Shown once: only its hash is stored. */
	printf("%s\n", key);
	return 0;
}

/* A password reset link for a person, for an installation that sends no
 * email (the forgot-password page tells people to ask for one). */
static int
cli_password_link(struct app *app, struct arena *a, int argc, char **argv)
{
	const char *token, *to;
	int retry;
	enum err rc;

	if (argc < 3) {
		fprintf(stderr, "usage: api password-link EMAIL\n");
		return 2;
	}
	rc = account_reset_request(app->db, a, argv[2], "cli", &token, &to,
	    &retry);
	if (rc == ERR_OK && token == NULL) {
		fprintf(stderr, "api password-link: no account has the address "
		    "%s\n", argv[2]);
		return 1;
	}
	if (rc != ERR_OK) {
		fprintf(stderr, "api password-link: %s\n", rc == ERR_INPUT ?
		    "that is not an email address" : rc == ERR_RATELIMIT ?
		    arena_printf(a, "three links were made for this address "
		    "in the last hour; try again in %d minutes",
		    (retry + 59) / 60) : db_last_error(app->db));
		return 1;
	}
	/* Shown once: only its hash is stored.  It works for an hour. */
	printf("%s/password/reset/%s\n", app->cfg.base_url, token);
	return 0;
}

static int
cli(struct app *app, int argc, char **argv)
{
	struct arena a;
	int status;

	arena_init(&a);
	if (strcmp(argv[1], "migrate") == 0)
		status = cli_migrate(app, &a);
	else if (strcmp(argv[1], "rotate-keys") == 0)
		status = cli_rotate(app, argc, argv);
	else if (strcmp(argv[1], "create-key") == 0)
		status = cli_create_key(app, &a, argc, argv);
	else if (strcmp(argv[1], "password-link") == 0)
		status = cli_password_link(app, &a, argc, argv);
	else {
		fprintf(stderr, "api: unknown command %s; see --help\n",
		    argv[1]);
		status = 2;
	}
	arena_free(&a);
	return status;
}

int
main(int argc, char *argv[])
{
	static const struct app_def def = {
		.name = "api", .routes = routes, .nroutes = nitems(routes),
		.cli = cli, .usage =
		"  api migrate                  apply pending migrations\n"
		"  api rotate-keys [BATCH]      re-seal tokens under the first "
		"key\n"
		"  api create-key WS NAME [ROLE] make an API key (shown once)\n"
		"  api password-link EMAIL      a link to set a new password "
		"(one hour)\n",
	};

	return app_main(&def, argc, argv);
}
