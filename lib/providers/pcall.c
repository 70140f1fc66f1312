/* pcall.c — provider API calls with one error classification. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "base/arena.h"
#include "base/config.h"
#include "base/jsonx.h"
#include "base/limit.h"
#include "base/mem.h"
#include "providers/pcall.h"
#include "providers/provider.h"

int
pcall_retry_after(const struct httpc_resp *r, int def)
{
	const char *v = httpc_resp_header(r, "retry-after");
	long n;

	if (v == NULL || (n = strtol(v, NULL, 10)) <= 0)
		return def;
	return n > 86400 ? 86400 : (int)n;
}

int
pcall_wait(long s)
{
	if (s <= 0)
		return 0;
	return s > LIMIT_RATE_WAIT_MAX_S ? LIMIT_RATE_WAIT_MAX_S : (int)s;
}

int
pcall_duration(const char *s)
{
	double d;
	char *end;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	d = strtod(s, &end);
	if (end == s || strcmp(end, "s") != 0 || d < 0 || d > 1e9)
		return -1;
	return pcall_wait((long)d + (d > (double)(long)d ? 1 : 0));
}

/* A google.protobuf.Duration in JSON: "30s", or {"seconds": 30}. */
static int
duration_json(struct json_object *v)
{
	const char *sec;

	if (v == NULL)
		return -1;
	if (json_object_is_type(v, json_type_string))
		return pcall_duration(json_object_get_string(v));
	if ((sec = jsonx_text(v, "seconds")) != NULL && *sec >= '0' &&
	    *sec <= '9')
		return pcall_wait(strtol(sec, NULL, 10));
	return -1;
}

int
pcall_google_delay(struct json_object *body)
{
	struct json_object *details, *d, *errs, *e, *q;
	size_t i, j;
	int best = -1, s;

	/* searchStream answers an array of responses */
	if (json_object_is_type(body, json_type_array)) {
		for (i = 0; i < json_object_array_length(body); i++)
			if ((s = pcall_google_delay(json_object_array_get_idx(
			    body, i))) > best)
				best = s;
		return best;
	}
	details = jsonx_member(jsonx_member(body, "error"), "details");
	if (details == NULL || !json_object_is_type(details, json_type_array))
		return -1;
	for (i = 0; i < json_object_array_length(details); i++) {
		d = json_object_array_get_idx(details, i);
		/* google.rpc.RetryInfo */
		if ((s = duration_json(jsonx_member(d, "retryDelay"))) > best)
			best = s;
		/* Google Ads: GoogleAdsFailure.errors[].details.
		 * quotaErrorDetails.retryDelay */
		errs = jsonx_member(d, "errors");
		if (errs == NULL || !json_object_is_type(errs,
		    json_type_array))
			continue;
		for (j = 0; j < json_object_array_length(errs); j++) {
			e = json_object_array_get_idx(errs, j);
			q = jsonx_member(jsonx_member(e, "details"),
			    "quotaErrorDetails");
			if ((s = duration_json(jsonx_member(q,
			    "retryDelay"))) > best)
				best = s;
		}
	}
	return best;
}

int
pcall_until_hour(int64_t now)
{
	return (int)(3600 - now % 3600) + 60;
}

int
pcall_until_utc_hour(int64_t now, int hour)
{
	int64_t at = now - now % 86400 + (int64_t)hour * 3600;

	if (at <= now)
		at += 86400;
	return (int)(at - now) + 60;
}

void
pcall_provider_headers(const struct provider *p, struct pcall *c)
{
	const struct provider_header *h = p->headers;

	c->auth_scheme = p->auth_scheme;
	if (h[0].name != NULL) {
		c->header_name = h[0].name;
		c->header_value = h[0].env != NULL ? config_env(h[0].env,
		    h[0].value) : h[0].value;
	}
	if (h[1].name != NULL) {
		c->header2_name = h[1].name;
		c->header2_value = h[1].env != NULL ? config_env(h[1].env,
		    h[1].value) : h[1].value;
	}
}

/* Whether the tag whose name starts at s breaks a line (<br>, </p>). */
static bool
block(const char *s)
{
	static const char *const names[] = { "br", "p", "div", "li", "tr",
	    "td", "h1", "h2", "h3", "h4", "ul", "ol", "table" };
	size_t i, n;

	if (*s == '/')
		s++;
	for (i = 0; i < nitems(names); i++) {
		n = strlen(names[i]);
		if (strncasecmp(s, names[i], n) == 0 && (s[n] == '>' ||
		    s[n] == '/' || s[n] == ' ' || s[n] == '\0'))
			return true;
	}
	return false;
}

const char *
pcall_plain(struct arena *a, const char *s, size_t max)
{
	static const struct { const char *name; char c; } ents[] = {
		{ "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' },
		{ "&quot;", '"' }, { "&#39;", '\'' }, { "&#x27;", '\'' },
		{ "&nbsp;", ' ' },
	};
	char *out;
	size_t n = 0, i, k;
	bool space = false;
	unsigned char c;

	if (s == NULL)
		return NULL;
	out = arena_alloc(a, strlen(s) + 4);
	for (i = 0; s[i] != '\0'; ) {
		c = (unsigned char)s[i];
		if (c == '<') {		/* a tag: to its end */
			if (block(s + i + 1))
				space = space || n > 0;
			while (s[i] != '\0' && s[i] != '>')
				i++;
			if (s[i] == '>')
				i++;
			continue;
		}
		if (c < 0x20 || c == 0x7f || c == ' ') {
			space = space || n > 0;
			i++;
			continue;
		}
		if (c == '&') {
			for (k = 0; k < nitems(ents); k++)
				if (strncmp(s + i, ents[k].name,
				    strlen(ents[k].name)) == 0)
					break;
			if (k < nitems(ents)) {
				i += strlen(ents[k].name);
				if (ents[k].c == ' ') {
					space = space || n > 0;
					continue;
				}
				if (space)
					out[n++] = ' ';
				space = false;
				out[n++] = ents[k].c;
				continue;
			}
		}
		if (space)
			out[n++] = ' ';
		space = false;
		out[n++] = s[i++];
	}
	out[n] = '\0';
	if (n > max && max >= 4) {
		n = max - 3;
		while (n > 0 && ((unsigned char)out[n] & 0xc0) == 0x80)
			n--;		/* not inside a UTF-8 character */
		while (n > 0 && out[n - 1] == ' ')
			n--;
		memcpy(out + n, "...", 4);
	}
	return out;
}

/* The body's own reason: error.message, message or detail; or NULL.  A
 * body that is an array (a stream of responses, Google's searchStream)
 * gives the first of its elements that has one. */
static const char *
reason_in(struct json_object *body)
{
	struct json_object *err = NULL;
	const char *r = NULL;
	size_t i;

	if (json_object_is_type(body, json_type_array)) {
		for (i = 0; r == NULL && i < json_object_array_length(body);
		    i++)
			if (json_object_is_type(json_object_array_get_idx(body,
			    i), json_type_object))
				r = reason_in(json_object_array_get_idx(body,
				    i));
		return r;
	}
	if (json_object_is_type(body, json_type_object))
		json_object_object_get_ex(body, "error", &err);
	r = err != NULL ? jsonx_text(err, "message") : NULL;
	if (r == NULL)
		r = jsonx_text(body, "message");
	if (r == NULL)
		r = jsonx_text(body, "detail");
	return r;
}

static const char *
reason(const struct pcall_result *out)
{
	return reason_in(out->json);
}

const char *
pcall_error_text(struct arena *a, const struct provider *p,
    const struct pcall_result *out)
{
	const char *r = reason(out);

	return arena_printf(a, "%s: %s (HTTP %d)", p->name,
	    r != NULL ? pcall_plain(a, r, LIMIT_SYNC_ERROR) : "error",
	    out->resp.status);
}

/*
 * A 429: always a rate limit.  The wait is the one the provider gives
 * (Retry-After, then Google's RetryInfo or quotaErrorDetails), then what
 * its classify hook reads in its own headers and body (Meta's usage
 * headers, GA4's hourly or daily tokens), else LIMIT_RATE_WAIT_S.
 */
static enum err
too_many(struct arena *a, const struct provider *p, struct pcall_result *out)
{
	const char *r;

	out->retry_after = pcall_retry_after(&out->resp, 0);
	if (jsonx_parse(a, out->resp.body, out->resp.body_len, &out->json,
	    NULL) == ERR_OK) {
		if (out->retry_after == 0)
			out->retry_after = pcall_wait(pcall_google_delay(
			    out->json));
		if (p->classify != NULL)
			(void)p->classify(a, p, out);
	} else
		out->json = NULL;
	r = reason(out);
	out->why = r != NULL ? arena_printf(a, "%s is rate limiting "
	    "requests: %s", p->name, pcall_plain(a, r, LIMIT_SYNC_ERROR)) :
	    arena_printf(a, "%s is rate limiting requests", p->name);
	if (out->retry_after <= 0)
		out->retry_after = LIMIT_RATE_WAIT_S;
	return ERR_RATELIMIT;
}

enum err
pcall_json(struct httpc *h, struct arena *a, const struct provider *p,
    const struct pcall *c, struct pcall_result *out)
{
	struct httpc_req r;
	struct json_object *err = NULL;
	const char *why = NULL, *code;
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
	/* 426 Upgrade Required: the API version is retired, a setting to
	 * change, not an outage to retry. */
	if (status == 426) {
		out->why = provider_version_refused(p, a, status);
		return ERR_UNPROCESSABLE;
	}
	if (status == 429)
		return too_many(a, p, out);
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
	/* The provider's own error bodies (Slack's ok:false, Meta's codes). */
	if (p->classify != NULL && (rc = p->classify(a, p, out)) != ERR_OK)
		return rc;
	/* HTTP 200 with an error string (an OAuth-style refusal). */
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
	/* Error bodies carry their reason in error.message, message or
	 * detail (problem+json): pcall_error_text(). */
	out->why = pcall_error_text(a, p, out);
	if (status == 403 && (strstr(out->why, "quota") != NULL ||
	    strstr(out->why, "rate limit") != NULL)) {
		out->retry_after = pcall_retry_after(&out->resp, 0);
		if (out->retry_after == 0)
			out->retry_after = pcall_wait(pcall_google_delay(
			    out->json));
		if (out->retry_after == 0)
			out->retry_after = LIMIT_RATE_QUOTA_WAIT_S;
		return ERR_RATELIMIT;
	}
	if (status == 401)
		return ERR_AUTH;
	if (status == 403)
		return ERR_FORBIDDEN;
	if (status == 404)
		return ERR_NOTFOUND;
	return ERR_UPSTREAM;
}
