/* meta.c — what Facebook, Instagram and Meta Ads share. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/day.h"
#include "base/jsonx.h"
#include "base/limit.h"
#include "base/log.h"
#include "base/mem.h"
#include "providers/accounts.h"
#include "providers/fetch.h"
#include "providers/meta.h"
#include "providers/oauth.h"
#include "providers/pcall.h"
#include "providers/provider.h"
#include "providers/syncnorm.h"

/* The trade of a token for a long-lived (60-day) one. */
static enum err
long_lived(const struct oauth_call *c, const char *token,
    struct oauth_tokens *out)
{
	const char *id, *secret;

	(void)provider_client(c->p, c->cfg, &id, &secret);
	{
		const char *kv[] = { "grant_type", "fb_exchange_token",
		    "client_id", id, "client_secret", secret,
		    "fb_exchange_token", token, NULL };

		return oauth_token_call(c, "GET", arena_printf(c->a, "%s?%s",
		    provider_url(c->p, PROVIDER_TOKEN_URL, c->cfg, c->a),
		    oauth_form(c->a, kv)), NULL, out);
	}
}

enum err
meta_exchange(const struct oauth_call *c, const char *code,
    const char *verifier, struct oauth_tokens *out)
{
	struct oauth_tokens short_lived;
	const char *id, *secret;
	enum err rc;

	(void)verifier;		/* Meta does not take PKCE here */
	(void)provider_client(c->p, c->cfg, &id, &secret);
	{
		const char *kv[] = { "client_id", id, "redirect_uri",
		    provider_redirect_uri(c->p, c->cfg, c->a),
		    "client_secret", secret, "code", code, NULL };

		rc = oauth_token_call(c, "GET", arena_printf(c->a, "%s?%s",
		    provider_url(c->p, PROVIDER_TOKEN_URL, c->cfg, c->a),
		    oauth_form(c->a, kv)), NULL, &short_lived);
	}
	if (rc != ERR_OK)
		return rc;
	return long_lived(c, short_lived.access_token, out);
}

enum err
meta_refresh(const struct oauth_call *c, const struct oauth_tokens *t,
    struct oauth_tokens *out)
{
	return long_lived(c, t->access_token, out);
}

/*
 * Graph's error 190 (and 102) with these subcodes: the person's login
 * session itself expired or was invalidated, so only reconnecting helps
 * (Graph API, "Handling Errors": app not installed, checkpointed,
 * password changed, expired, unconfirmed user, logged out).  Without a
 * subcode the token is expired or invalid too.  Any other subcode is
 * about the object asked for: 492, the person's role on the Page is
 * gone; 2069032, the call wants a Page access token.
 */
static const long session_subcodes[] = { 458, 459, 460, 463, 464, 467 };

enum err
meta_classify(struct arena *a, const struct provider *p,
    struct pcall_result *out)
{
	static const long limits[] = { 4, 17, 32, 613 };
	struct json_object *err;
	const char *msg;
	long code, sub;
	size_t i;

	if (out->resp.status < 400 || (err = jsonx_member(out->json,
	    "error")) == NULL || jsonx_text(err, "code") == NULL)
		return ERR_OK;
	code = strtol(jsonx_text(err, "code"), NULL, 10);
	sub = jsonx_text(err, "error_subcode") != NULL ?
	    strtol(jsonx_text(err, "error_subcode"), NULL, 10) : 0;
	msg = jsonx_text(err, "message");
	out->why = pcall_error_text(a, p, out);
	for (i = 0; i < nitems(limits); i++)
		if (code == limits[i])
			break;
	if (i < nitems(limits) || (code >= 80000 && code <= 80014)) {
		out->retry_after = pcall_retry_after(&out->resp, 300);
		return ERR_RATELIMIT;
	}
	/* "You are calling a deprecated version of the Ads API." */
	if (code == 2635) {
		out->why = provider_version_refused(p, a, out->resp.status);
		return ERR_UNPROCESSABLE;
	}
	if (code != 190 && code != 102)
		return ERR_OK;
	for (i = 0; i < nitems(session_subcodes); i++)
		if (sub == session_subcodes[i])
			return ERR_AUTH;
	if (sub == 0 && (msg == NULL || strcasestr(msg, "page access token") ==
	    NULL))
		return ERR_AUTH;
	/* The object's trouble, not the login's. */
	return ERR_FORBIDDEN;
}

const char *
meta_next(struct accounts_lister *l, const struct pcall_result *r,
    size_t seen)
{
	const char *next = jsonx_text(jsonx_member(r->json, "paging"), "next");

	(void)seen;
	return next != NULL ? arena_strdup(l->a, next) : NULL;
}

/* Graph's error code 100: a metric of the list is not (any more) valid. */
static bool
invalid_metric(const struct pcall_result *res)
{
	const char *code = jsonx_text(jsonx_member(res->json, "error"),
	    "code");

	return res->resp.status == 400 && code != NULL &&
	    strcmp(code, "100") == 0;
}

enum err
meta_insights(struct fetch *f, const char *urlfmt_base,
    const char *const *list, size_t nlist, struct json_object **out,
    size_t *nout)
{
	struct pcall_result res;
	struct buf *all;
	const char *url;
	size_t i;
	enum err rc;

	*nout = 0;
	all = buf_new_arena(f->a, LIMIT_SYNC_METRIC_LIST);
	for (i = 0; i < nlist; i++)
		buf_printf(all, "%s%s", i ? "," : "", list[i]);
	url = arena_printf(f->a, "%s&metric=%s", urlfmt_base, buf_cstr(all));
	rc = fetch_get(f, url, &res);
	if (rc == ERR_OK) {
		out[(*nout)++] = res.json;
		return ERR_OK;
	}
	if (!invalid_metric(&res))
		return rc;
	for (i = 0; i < nlist; i++) {
		url = arena_printf(f->a, "%s&metric=%s", urlfmt_base,
		    list[i]);
		rc = fetch_get(f, url, &res);
		if (rc == ERR_OK)
			out[(*nout)++] = res.json;
		else if (invalid_metric(&res))
			log_msg(LOG_WARN, NULL, "sync", "%s: metric %s was "
			    "refused; left out", f->p->name, list[i]);
		else
			return rc;
	}
	if (*nout == 0) {
		f->why = arena_printf(f->a, "%s refused every insights metric "
		    "(removed by the provider?)", f->p->name);
		return ERR_UPSTREAM;
	}
	f->why = NULL;
	return ERR_OK;
}

const char *
meta_graph(struct fetch *f)
{
	return fetch_base(f, PROVIDER_API_BASE);	/* version included */
}

enum err
meta_values(struct syncnorm *n, size_t mark, struct json_object *item,
    size_t i, const char *who, const char *metric)
{
	struct json_object *vals, *v;
	const char *day, *val;
	size_t j;

	if ((vals = syncnorm_array(item, "values")) == NULL)
		return ERR_OK;
	for (j = 0; j < json_object_array_length(vals); j++) {
		v = json_object_array_get_idx(vals, j);
		/* The day before end_time's. */
		day = day_add(n->a, syncnorm_text(jsonx_member(v, "end_time")),
		    -1);
		val = syncnorm_count(jsonx_member(v, "value"));
		if (day == NULL)
			return syncnorm_bad(n, mark, "%s: data[%zu]."
			    "values[%zu].end_time is not a time", who, i, j);
		if (val == NULL)
			return syncnorm_bad(n, mark, "%s: data[%zu]."
			    "values[%zu].value is not a count", who, i, j);
		if (syncnorm_add(n, NULL, metric, day, val, NULL) != ERR_OK)
			return syncnorm_bad(n, mark, "%s: too many rows", who);
	}
	return ERR_OK;
}

enum err
meta_series(struct syncnorm *n, size_t mark, struct json_object *body,
    const char *who, const char *const map[][2], size_t nmap)
{
	struct json_object *data, *it;
	const char *name;
	size_t i, k;
	enum err rc;

	if ((data = syncnorm_array(body, "data")) == NULL)
		return syncnorm_bad(n, mark, "%s: data is missing", who);
	for (i = 0; i < json_object_array_length(data); i++) {
		it = json_object_array_get_idx(data, i);
		name = syncnorm_text(jsonx_member(it, "name"));
		if (name == NULL)
			return syncnorm_bad(n, mark, "%s: data[%zu].name is "
			    "missing", who, i);
		for (k = 0; k < nmap; k++)
			if (strcmp(map[k][0], name) == 0)
				break;
		if (k < nmap && (rc = meta_values(n, mark, it, i, who,
		    map[k][1])) != ERR_OK)
			return rc;
	}
	return ERR_OK;
}

enum err
meta_revoke(const struct oauth_call *c, const struct oauth_tokens *t)
{
	struct oauth_revoke_req q;

	memset(&q, 0, sizeof(q));
	q.method = "DELETE";
	q.url = arena_printf(c->a, "%s/me/permissions", provider_url(c->p,
	    PROVIDER_API_BASE, c->cfg, c->a));
	q.bearer = t->access_token;
	return oauth_revoke_send(c, &q);
}
