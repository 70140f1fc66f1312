/* pcall.c — provider API calls with one error classification. */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "base/arena.h"
#include "base/config.h"
#include "base/jsonx.h"
#include "providers/pcall.h"
#include "providers/provider.h"

static int
retry_after(const struct httpc_resp *r, int def)
{
	const char *v = httpc_resp_header(r, "retry-after");
	long n;

	if (v == NULL || (n = strtol(v, NULL, 10)) <= 0)
		return def;
	return n > 86400 ? 86400 : (int)n;
}

void
pcall_provider_headers(const struct provider *p, struct pcall *c)
{
	if (strcmp(p->slug, "mailchimp") == 0)
		c->auth_scheme = "OAuth";
	if (strcmp(p->slug, "google_ads") == 0) {
		c->header_name = "developer-token";
		c->header_value = config_env("SLUICE_GOOGLE_ADS_DEVELOPER_TOKEN",
		    "sandbox-developer-token");
	}
	if (strcmp(p->slug, "linkedin") == 0) {
		c->header_name = "LinkedIn-Version";
		c->header_value = config_env("SLUICE_LINKEDIN_VERSION",
		    "202603");
		c->header2_name = "X-Restli-Protocol-Version";
		c->header2_value = "2.0.0";
	}
	if (strcmp(p->slug, "github") == 0) {
		c->header_name = "X-GitHub-Api-Version";
		c->header_value = "2022-11-28";
	}
}

enum err
pcall_json(struct httpc *h, struct arena *a, const struct provider *p,
    const struct pcall *c, struct pcall_result *out)
{
	struct httpc_req r;
	struct json_object *err = NULL;
	const char *why = NULL, *code, *reason;
	int status;
	enum err rc;

	memset(out, 0, sizeof(*out));
	memset(&r, 0, sizeof(r));
	r.method = c->method;
	r.url = c->url;
	httpc_header(&r, "Accept", "application/json");
	httpc_header(&r, "Authorization", arena_printf(a, "%s %s",
	    c->auth_scheme != NULL ? c->auth_scheme : "Bearer", c->token));
	if (c->header_name != NULL)
		httpc_header(&r, c->header_name, c->header_value);
	if (c->header2_name != NULL)
		httpc_header(&r, c->header2_name, c->header2_value);
	if (c->body != NULL) {
		httpc_header(&r, "Content-Type", "application/json");
		r.body = c->body;
		r.body_len = strlen(c->body);
	}
	if ((rc = httpc_do(h, a, &r, &out->resp, &why)) != ERR_OK) {
		out->why = arena_printf(a, "%s: %s", p->name, why);
		return rc == ERR_INPUT ? ERR_INPUT : ERR_UPSTREAM;
	}
	status = out->resp.status;
	if (status == 429) {
		out->retry_after = retry_after(&out->resp, 60);
		out->why = arena_printf(a, "%s is rate limiting requests",
		    p->name);
		return ERR_RATELIMIT;
	}
	if (status >= 500) {
		out->why = arena_printf(a, "%s failed (HTTP %d)", p->name,
		    status);
		return ERR_UPSTREAM;
	}
	if (jsonx_parse(a, out->resp.body, out->resp.body_len, &out->json,
	    NULL) != ERR_OK) {
		out->why = arena_printf(a, "%s answered with something that "
		    "is not valid JSON (HTTP %d)", p->name, status);
		return status == 401 ? ERR_AUTH : ERR_UPSTREAM;
	}
	/* Slack: HTTP 200 with ok:false. */
	if (strcmp(p->slug, "slack") == 0 && json_object_is_type(out->json,
	    json_type_object) && (code = jsonx_text(out->json, "ok")) != NULL &&
	    strcmp(code, "false") == 0) {
		code = jsonx_text(out->json, "error");
		out->why = arena_printf(a, "Slack: %s", code ? code : "error");
		if (code != NULL && strcmp(code, "ratelimited") == 0) {
			out->retry_after = retry_after(&out->resp, 60);
			return ERR_RATELIMIT;
		}
		if (code != NULL && (strcmp(code, "invalid_auth") == 0 ||
		    strcmp(code, "not_authed") == 0 ||
		    strcmp(code, "token_expired") == 0 ||
		    strcmp(code, "token_revoked") == 0 ||
		    strcmp(code, "account_inactive") == 0))
			return ERR_AUTH;
		return ERR_UPSTREAM;
	}
	/* Mailchimp's metadata and others: HTTP 200 with an error string. */
	if (status == 200 && json_object_is_type(out->json,
	    json_type_object) &&
	    (code = jsonx_text(out->json, "error")) != NULL &&
	    json_object_object_get_ex(out->json, "error", &err) &&
	    json_object_is_type(err, json_type_string)) {
		out->why = arena_printf(a, "%s: %s", p->name, code);
		return strcmp(code, "invalid_token") == 0 ? ERR_AUTH :
		    ERR_UPSTREAM;
	}
	if (status < 400)
		return ERR_OK;
	/* Error bodies: Google {error:{code,message,status,errors[]}},
	 * Meta {error:{message,code}}, LinkedIn {message,serviceErrorCode},
	 * Mailchimp problem+json {title,detail}, GitHub {message}. */
	err = NULL;
	if (json_object_is_type(out->json, json_type_object))
		json_object_object_get_ex(out->json, "error", &err);
	reason = err != NULL ? jsonx_text(err, "message") : NULL;
	if (reason == NULL)
		reason = jsonx_text(out->json, "message");
	if (reason == NULL)
		reason = jsonx_text(out->json, "detail");
	code = err != NULL ? jsonx_text(err, "code") : NULL;
	out->why = arena_printf(a, "%s: %s (HTTP %d)", p->name,
	    reason != NULL ? reason : "error", status);
	if (code != NULL && (strcmp(code, "4") == 0 || strcmp(code, "17") == 0
	    || strcmp(code, "32") == 0 || strcmp(code, "613") == 0 ||
	    strcmp(code, "80000") == 0)) {
		out->retry_after = retry_after(&out->resp, 300);
		return ERR_RATELIMIT;
	}
	if (status == 403 && reason != NULL &&
	    (strstr(reason, "quota") != NULL ||
	    strstr(reason, "rate limit") != NULL)) {
		out->retry_after = retry_after(&out->resp, 3600);
		return ERR_RATELIMIT;
	}
	if (status == 401 || (code != NULL && strcmp(code, "190") == 0))
		return ERR_AUTH;
	if (status == 403)
		return ERR_FORBIDDEN;
	if (status == 404)
		return ERR_NOTFOUND;
	return ERR_UPSTREAM;
}
