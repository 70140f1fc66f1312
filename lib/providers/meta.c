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

/* A number member of o (a JSON number or numeric text), or 0. */
static double
num(struct json_object *o, const char *key)
{
	struct json_object *v = jsonx_member(o, key);

	if (v == NULL)
		return 0;
	if (json_object_is_type(v, json_type_string))
		return strtod(json_object_get_string(v), NULL);
	return json_object_get_double(v);
}

/* Notes a share of a limit used (percent) under a name. */
static void
usage_pct(struct meta_usage *u, double pct, const char *which)
{
	if (pct > u->pct) {
		u->pct = pct;
		u->which = which;
	}
}

/* One usage header's JSON document, or NULL. */
static struct json_object *
usage_header(struct arena *a, const struct httpc_resp *r, const char *name)
{
	const char *v = httpc_resp_header(r, name);
	struct json_object *o;

	if (v == NULL || jsonx_parse(a, v, strlen(v), &o, NULL) != ERR_OK ||
	    !json_object_is_type(o, json_type_object))
		return NULL;
	return o;
}

void
meta_usage(struct arena *a, const struct httpc_resp *r, struct meta_usage *u)
{
	static const char *const app_keys[] = { "call_count",
	    "total_cputime", "total_time" };
	struct json_object *o, *list, *e;
	size_t i, k;
	double m;

	memset(u, 0, sizeof(*u));
	if ((o = usage_header(a, r, "x-app-usage")) != NULL)
		for (k = 0; k < nitems(app_keys); k++)
			usage_pct(u, num(o, app_keys[k]), "app");
	if ((o = usage_header(a, r, "x-business-use-case-usage")) != NULL) {
		json_object_object_foreach(o, key, v) {
			(void)key;
			list = v;
			if (!json_object_is_type(list, json_type_array))
				continue;
			for (i = 0; i < json_object_array_length(list); i++) {
				e = json_object_array_get_idx(list, i);
				for (k = 0; k < nitems(app_keys); k++)
					usage_pct(u, num(e, app_keys[k]),
					    jsonx_text(e, "type") != NULL ?
					    jsonx_text(e, "type") :
					    "business use case");
				/* minutes */
				m = num(e, "estimated_time_to_regain_access");
				if (m * 60 > u->regain)
					u->regain = pcall_wait((long)(m * 60));
			}
		}
	}
	if ((o = usage_header(a, r, "x-ad-account-usage")) != NULL) {
		usage_pct(u, num(o, "acc_id_util_pct"), "ad account");
		u->reset = pcall_wait((long)num(o, "reset_time_duration"));
	}
	if ((o = usage_header(a, r, "x-fb-ads-insights-throttle")) != NULL) {
		usage_pct(u, num(o, "app_id_util_pct"), "ads insights");
		usage_pct(u, num(o, "acc_id_util_pct"), "ads insights");
	}
}

/* The wait before Meta takes calls again: Retry-After, the business
 * use case's time to regain access, the ad account's reset, else
 * LIMIT_META_WAIT_S. */
static int
usage_wait(const struct pcall_result *out, const struct meta_usage *u)
{
	int w = pcall_retry_after(&out->resp, 0);

	if (w == 0)
		w = u->regain;
	if (w == 0)
		w = u->reset;
	return w > 0 ? w : LIMIT_META_WAIT_S;
}

enum err
meta_classify(struct arena *a, const struct provider *p,
    struct pcall_result *out)
{
	static const long limits[] = { 4, 17, 32, 613 };
	struct meta_usage u;
	struct json_object *err;
	const char *msg;
	long code, sub;
	size_t i;

	meta_usage(a, &out->resp, &u);
	/* Near a limit: stop before running into it. */
	if (out->resp.status < 400 && u.pct >= LIMIT_RATE_USAGE_PCT) {
		out->retry_after = usage_wait(out, &u);
		out->why = arena_printf(a, "%s: %.0f%% of Meta's %s rate "
		    "limit is used; Sluice pauses for %d minutes rather than "
		    "run into it", p->name, u.pct, u.which,
		    (out->retry_after + 59) / 60);
		return ERR_RATELIMIT;
	}
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
	if (i < nitems(limits) || (code >= 80000 && code <= 80014) ||
	    out->resp.status == 429) {
		out->retry_after = usage_wait(out, &u);
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

enum err
meta_pages_walk(struct accounts_lister *l, enum err (*each)(
    struct accounts_lister *, struct json_object *))
{
	const struct accounts_listing how = { "data", each, meta_next };

	return accounts_walk(l, arena_printf(l->a, "%s/me/accounts?fields=id,"
	    "name&limit=100", accounts_base(l, PROVIDER_API_BASE)), &how);
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

/* The content items from url on (meta_content()). */
static enum err
content_pages(struct fetch *f, struct syncnorm *n, const char *url,
    const char *since, meta_page_reader read, struct json_object *items)
{
	struct pcall_result res;
	bool older = false;
	long pages;
	enum err rc;

	for (pages = 0; url != NULL && !older && pages < LIMIT_SYNC_PAGES;
	    pages++) {
		if ((rc = fetch_get(f, url, &res)) != ERR_OK)
			return rc;
		if ((rc = read(n, res.json, since, items, &older)) != ERR_OK)
			return fetch_norm_failed(f, n, rc);
		url = jsonx_text(jsonx_member(res.json, "paging"), "next");
	}
	return ERR_OK;
}

struct content_arg {
	meta_item_metrics	 metrics;
	const char *const	*counts;
};

/* An item's metrics: its insights, then its counts (meta_content()). */
static enum err
item_metrics(struct fetch *f, struct json_object *item, const char *id,
    void *arg, struct json_object **out)
{
	const struct content_arg *ca = arg;
	struct json_object *c = jsonx_member(item, "counts");
	size_t k;
	enum err rc;

	*out = json_object_new_object();
	if ((rc = ca->metrics(f, item, id, *out)) != ERR_OK)
		return rc;
	for (k = 0; ca->counts[k] != NULL; k++)
		json_object_object_add(*out, ca->counts[k],
		    json_object_get(jsonx_member(c, ca->counts[k])));
	return ERR_OK;
}

enum err
meta_content(struct fetch *f, struct syncnorm *n, const char *account,
    const char *url, meta_page_reader read, meta_item_metrics metrics,
    const char *const *counts)
{
	struct content_arg ca = { metrics, counts };
	struct json_object *items, *due;
	struct fetch_items fi;
	const char *from, *to;
	enum err rc;

	if ((rc = fetch_window(f, "UTC", LIMIT_CONTENT_DAYS, &from, &to)) !=
	    ERR_OK)
		return rc;
	items = jsonx_own(f->a, json_object_new_array());
	if ((rc = content_pages(f, n, url, from, read, items)) != ERR_OK ||
	    (rc = fetch_content_due(f, &fi, account, from, items, &due)) !=
	    ERR_OK)
		return rc;
	return fetch_content_keep(f, &fi, items, due, item_metrics, &ca);
}

void
meta_item_insights(struct json_object *body, struct json_object *metrics,
    const char *const names[][2], size_t nnames)
{
	struct json_object *data, *it, *v;
	const char *name;
	size_t i, k;

	for (k = 0; k < nnames; k++)
		json_object_object_add(metrics, names[k][1], NULL);
	if ((data = syncnorm_array(body, "data")) == NULL)
		return;
	for (i = 0; i < json_object_array_length(data); i++) {
		it = json_object_array_get_idx(data, i);
		if ((name = jsonx_str(it, "name")) == NULL)
			continue;
		for (k = 0; k < nnames; k++)
			if (strcmp(names[k][0], name) == 0)
				break;
		v = jsonx_member(json_object_array_get_idx(syncnorm_array(it,
		    "values"), 0), "value");
		if (k < nnames && syncnorm_count(v) != NULL)
			json_object_object_add(metrics, names[k][1],
			    syncnorm_count_json(v));
	}
}
