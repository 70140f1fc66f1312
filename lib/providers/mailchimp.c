/* mailchimp.c — Mailchimp: audiences, daily activity, campaign reports. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "base/arena.h"
#include "base/jsonx.h"
#include "base/limit.h"
#include "base/mem.h"
#include "net/httpc.h"
#include "providers/accounts.h"
#include "providers/fetch.h"
#include "providers/oauth.h"
#include "providers/pcall.h"
#include "providers/provider.h"
#include "providers/syncnorm.h"

/* Two counts' sum (hard and soft bounces), as text. */
static const char *
sum2(struct arena *a, const char *x, const char *y)
{
	return arena_printf(a, "%lld", strtoll(x, NULL, 10) +
	    strtoll(y, NULL, 10));
}

enum err
syncnorm_mailchimp(struct syncnorm *n, struct json_object *body,
    size_t *count)
{
	static const char *const map[][2] = {
		{ "emails_sent", "emails_sent" },
		{ "unique_opens", "opens" },
		{ "recipient_clicks", "clicks" },
		{ "unsubs", "unsubscribes" },
	};
	struct json_object *act, *it;
	const char *day, *v, *hb, *sb;
	size_t i, k, mark = n->n;

	*count = 0;
	if ((act = syncnorm_array(body, "activity")) == NULL)
		return syncnorm_bad(n, mark, "Mailchimp: activity is missing");
	*count = json_object_array_length(act);
	for (i = 0; i < *count; i++) {
		it = json_object_array_get_idx(act, i);
		day = syncnorm_text(jsonx_member(it, "day"));
		if (!syncnorm_is_day(day))
			return syncnorm_bad(n, mark, "Mailchimp: "
			    "activity[%zu].day is not YYYY-MM-DD", i);
		for (k = 0; k < nitems(map); k++) {
			v = syncnorm_count(jsonx_member(it, map[k][0]));
			if (v == NULL)
				return syncnorm_bad(n, mark, "Mailchimp: "
				    "activity[%zu].%s is not a count", i,
				    map[k][0]);
			syncnorm_add(n, NULL, map[k][1], day, v, NULL);
		}
		hb = syncnorm_count(jsonx_member(it, "hard_bounce"));
		sb = syncnorm_count(jsonx_member(it, "soft_bounce"));
		if (hb == NULL || sb == NULL)
			return syncnorm_bad(n, mark, "Mailchimp: activity[%zu]."
			    "hard_bounce or soft_bounce is not a count", i);
		syncnorm_add(n, NULL, "bounces", day, sum2(n->a, hb, sb),
		    NULL);
	}
	return ERR_OK;
}

enum err
syncnorm_mailchimp_reports(struct syncnorm *n, struct json_object *body,
    const char *list, const char *const *days, size_t *count)
{
	static const struct {
		const char	*obj, *key, *metric;
	} m[] = {
		{ NULL, "emails_sent", "campaign_emails_sent" },
		{ "opens", "unique_opens", "campaign_opens" },
		{ "clicks", "unique_subscriber_clicks", "campaign_clicks" },
		{ NULL, "unsubscribed", "campaign_unsubscribes" },
	};
	struct json_object *reps, *it;
	const char *id, *lid, *st, *day, *acct, *dims, *v, *hb, *sb;
	size_t i, k, mark = n->n;

	*count = 0;
	if ((reps = syncnorm_array(body, "reports")) == NULL)
		return syncnorm_bad(n, mark, "Mailchimp: reports is missing");
	*count = json_object_array_length(reps);
	for (i = 0; i < *count; i++) {
		it = json_object_array_get_idx(reps, i);
		lid = syncnorm_text(jsonx_member(it, "list_id"));
		if (lid == NULL || strcmp(lid, list) != 0)
			continue;	/* another audience's campaign */
		id = syncnorm_text(jsonx_member(it, "id"));
		st = syncnorm_text(jsonx_member(it, "send_time"));
		if (id == NULL || *id == '\0')
			return syncnorm_bad(n, mark, "Mailchimp: "
			    "reports[%zu].id is missing", i);
		if (st == NULL || strlen(st) < 10 ||
		    !syncnorm_is_day(day = arena_strndup(n->a, st, 10)))
			return syncnorm_bad(n, mark, "Mailchimp: "
			    "reports[%zu].send_time is not an ISO 8601 time",
			    i);
		if (days != NULL && days[i] != NULL)
			day = days[i];	/* the account's day */
		acct = arena_printf(n->a, "%s:%s", list, id);
		dims = syncnorm_dims(n->a, "campaign_id", id, "campaign_title",
		    syncnorm_text(jsonx_member(it, "campaign_title")), NULL,
		    NULL);
		for (k = 0; k < nitems(m); k++) {
			v = syncnorm_count(jsonx_member(m[k].obj != NULL ?
			    jsonx_member(it, m[k].obj) : it, m[k].key));
			if (v == NULL)
				return syncnorm_bad(n, mark, "Mailchimp: "
				    "reports[%zu].%s%s%s is not a count", i,
				    m[k].obj != NULL ? m[k].obj : "",
				    m[k].obj != NULL ? "." : "", m[k].key);
			syncnorm_add(n, acct, m[k].metric, day, v, dims);
		}
		hb = syncnorm_count(jsonx_member(jsonx_member(it, "bounces"),
		    "hard_bounces"));
		sb = syncnorm_count(jsonx_member(jsonx_member(it, "bounces"),
		    "soft_bounces"));
		if (hb == NULL || sb == NULL)
			return syncnorm_bad(n, mark, "Mailchimp: "
			    "reports[%zu].bounces is not two counts", i);
		syncnorm_add(n, acct, "campaign_bounces", day, sum2(n->a, hb,
		    sb), dims);
	}
	return ERR_OK;
}

#define LISTS	"%s/3.0/lists?count=100&offset=%zu&fields=lists.id," \
		"lists.name,total_items"
#define ZONE	"%s/3.0/?fields=account_timezone"

/* offset paging until total_items. */
static const char *
next(struct accounts_lister *l, const struct pcall_result *r, size_t seen)
{
	const char *total = jsonx_text(r->json, "total_items");

	if (total == NULL || seen >= strtoul(total, NULL, 10))
		return NULL;
	return arena_printf(l->a, LISTS, l->t->api_base, seen);
}

/* The account's time zone from the API root's answer (NULL when it names
 * none). */
static const char *
zone_in(struct json_object *root)
{
	const char *tz = jsonx_str(root, "account_timezone");

	return tz != NULL && *tz != '\0' && strlen(tz) <= LIMIT_ZONE_NAME ?
	    tz : NULL;
}

/*
 * The audiences (lists), at the account's own API base, each with the
 * account's time zone (the days of its activity; the dashboard names
 * it).  The zone's call failing leaves it unnamed; the listing stands.
 */
static enum err
list(struct accounts_lister *l)
{
	static const struct accounts_listing how = { "lists",
	    accounts_each_id_name, next };
	struct pcall_result res;
	const char *tz;
	size_t i;
	enum err rc;

	if (l->t->api_base == NULL) {
		l->why = "Mailchimp did not say where the account lives; "
		    "reconnect it";
		return ERR_AUTH;
	}
	if ((rc = accounts_walk(l, arena_printf(l->a, LISTS, l->t->api_base,
	    (size_t)0), &how)) != ERR_OK)
		return rc;
	if (json_object_array_length(l->out) == 0)
		return ERR_OK;
	if (accounts_get(l, arena_printf(l->a, ZONE, l->t->api_base),
	    &res) != ERR_OK) {
		l->why = NULL;
		return ERR_OK;
	}
	if ((tz = zone_in(res.json)) != NULL)
		for (i = 0; i < json_object_array_length(l->out); i++)
			json_object_object_add(json_object_array_get_idx(
			    l->out, i), "time_zone",
			    json_object_new_string(tz));
	return ERR_OK;
}

/* The account's time zone from the API root (NULL when it names none). */
static enum err
account_zone(struct fetch *f, const char *api, const char **tz)
{
	struct pcall_result res;
	enum err rc;

	*tz = NULL;
	if ((rc = fetch_get(f, arena_printf(f->a, ZONE, api), &res)) !=
	    ERR_OK)
		return rc;
	*tz = zone_in(res.json);
	return ERR_OK;
}

/* Each report's send day in zone tz (*days[i] for reports[i]). */
static enum err
send_days(struct fetch *f, struct json_object *body, const char *tz,
    const char ***days)
{
	struct json_object *reps = syncnorm_array(body, "reports");
	const char **ts;
	size_t i, n = reps != NULL ? json_object_array_length(reps) : 0;
	enum err rc;

	*days = NULL;
	if (tz == NULL || n == 0)
		return ERR_OK;
	ts = arena_calloc(f->a, n, sizeof(*ts));
	for (i = 0; i < n; i++)
		ts[i] = syncnorm_text(jsonx_member(json_object_array_get_idx(
		    reps, i), "send_time"));
	rc = fetch_local_days(f, tz, ts, n, days);
	if (rc == ERR_INPUT) {
		f->why = "Mailchimp: a campaign's send_time is not a time";
		return ERR_UPSTREAM;
	}
	return rc;
}

static enum err
fetch(struct fetch *f, struct syncnorm *n, const char *list)
{
	struct pcall_result res;
	const char *url, *from, *to, *api, *tz, **days;
	size_t count;
	long off = 0, page;
	enum err rc;

	if ((rc = fetch_window(f, f->ws_tz, f->days, &from, &to)) != ERR_OK)
		return rc;
	n->from = from;
	api = f->api_base;
	if (api == NULL) {
		f->why = "Mailchimp: the account's datacenter is unknown";
		return ERR_CONFLICT;
	}
	/* Newest day first, 100 a page, until the window is covered. */
	for (page = 0; page < LIMIT_SYNC_PAGES && off < f->days + 1; page++) {
		url = arena_printf(f->a, "%s/3.0/lists/%s/activity?count=100&"
		    "offset=%ld", api, httpc_escape(f->a, list), off);
		if ((rc = fetch_get(f, url, &res)) != ERR_OK)
			return rc;
		if ((rc = syncnorm_mailchimp(n, res.json, &count)) != ERR_OK)
			return fetch_norm_failed(f, n, rc);
		if (count < 100)
			break;
		off += 100;
	}
	/* Campaign totals on their send days, in the account's time zone
	 * (its daily activity's days): they grow for about a week after the
	 * send, so at least the last 14 days are asked again. */
	if ((rc = account_zone(f, api, &tz)) != ERR_OK)
		return rc;
	if ((rc = fetch_window(f, f->ws_tz, f->days > 14 ? f->days : 14, &from,
	    &to)) != ERR_OK)
		return rc;
	n->from = from;
	for (off = 0, page = 0; page < LIMIT_SYNC_PAGES; page++) {
		url = arena_printf(f->a, "%s/3.0/reports?type=regular&"
		    "count=100&offset=%ld&since_send_time=%sT00%%3A00%%3A00"
		    "%%2B00%%3A00", api, off, from);
		if ((rc = fetch_get(f, url, &res)) != ERR_OK)
			return rc;
		if ((rc = send_days(f, res.json, tz, &days)) != ERR_OK)
			return rc;
		if ((rc = syncnorm_mailchimp_reports(n, res.json, list, days,
		    &count)) != ERR_OK)
			return fetch_norm_failed(f, n, rc);
		if (count < 100)
			break;
		off += 100;
	}
	return ERR_OK;
}

/*
 * Who the login is, from the metadata answer: login.login_id (the
 * person; user_id is the account, which several logins share) and
 * login.email, else the account's name.  A refused token is an error
 * member under HTTP 200.
 */
static enum err
whoami(struct arena *a, const struct provider *p, int status,
    const char *body, size_t len, struct oauth_tokens *t,
    struct oauth_failure *f)
{
	struct json_object *o, *login;
	enum err rc;

	if ((rc = oauth_whoami_json(a, p, status, body, len, &o, f)) !=
	    ERR_OK)
		return rc;
	if ((login = jsonx_member(o, "login")) == NULL ||
	    !json_object_is_type(login, json_type_object))
		return oauth_whoami_pick(a, p, o, "user_id", "accountname",
		    NULL, t, f);
	if ((rc = oauth_whoami_pick(a, p, login, "login_id", "email",
	    "login_email", t, f)) != ERR_OK)
		return rc;
	if (t->owner_label == NULL)
		t->owner_label = jsonx_str(o, "accountname");
	return ERR_OK;
}

/* After the exchange: the metadata call names the account's API base
 * and the login. */
static enum err
metadata(const struct oauth_call *c, struct oauth_tokens *t)
{
	struct httpc_req r;
	struct httpc_resp res;
	struct json_object *o;
	const char *why = NULL;
	enum err rc;

	memset(&r, 0, sizeof(r));
	r.url = provider_url(c->p, PROVIDER_API_BASE, c->cfg, c->a);
	httpc_header(&r, "Accept", "application/json");
	httpc_header(&r, "Authorization", arena_printf(c->a, "OAuth %s",
	    t->access_token));
	if ((rc = httpc_do(c->h, c->a, &r, &res, &why)) != ERR_OK)
		return oauth_fail(c->f, ERR_UPSTREAM, false, arena_printf(c->a,
		    "Could not reach Mailchimp: %s", why));
	if (res.status != 200 || jsonx_parse(c->a, res.body, res.body_len,
	    &o, NULL) != ERR_OK)
		return oauth_fail(c->f, ERR_UPSTREAM, false, "Mailchimp's "
		    "account lookup failed.");
	/* A bad token is reported with HTTP 200 and an error member. */
	if (jsonx_text(o, "error") != NULL)
		return oauth_fail(c->f, ERR_AUTH, true, "Mailchimp did not "
		    "accept the new token.");
	if ((t->api_base = jsonx_text(o, "api_endpoint")) == NULL)
		return oauth_fail(c->f, ERR_UPSTREAM, false, "Mailchimp did "
		    "not say which data center holds the account.");
	return whoami(c->a, c->p, res.status, res.body, res.body_len, t,
	    c->f);
}

/*
 * Mailchimp's limits (Marketing API, "Errors"; API limits): no daily
 * quota, but at most 10 simultaneous connections per account; past it
 * the answer is a problem+json whose title is "Too Many Requests"
 * (TooManyRequests, formerly Too_Many_Connections) — with HTTP 429, or a
 * 403 from its edge.  Such a 403 is a rate limit to wait out (its
 * Retry-After, else LIMIT_MAILCHIMP_WAIT_S); any other 403 is a refusal
 * of the account (its detail says why).
 */
static enum err
classify(struct arena *a, const struct provider *p, struct pcall_result *out)
{
	static const char *const titles[] = { "Too Many Requests",
	    "TooManyRequests", "Too_Many_Connections" };
	const char *title, *detail;
	size_t i;

	if (out->resp.status != 403 && out->resp.status != 429)
		return ERR_OK;
	title = jsonx_text(out->json, "title");
	detail = jsonx_text(out->json, "detail");
	for (i = 0; title != NULL && i < nitems(titles); i++)
		if (strcasecmp(title, titles[i]) == 0)
			break;
	if ((title == NULL || i == nitems(titles)) && (detail == NULL ||
	    (strcasestr(detail, "simultaneous connections") == NULL &&
	    strcasestr(detail, "too many requests") == NULL)))
		return ERR_OK;
	if (out->retry_after == 0)
		out->retry_after = pcall_retry_after(&out->resp,
		    LIMIT_MAILCHIMP_WAIT_S);
	out->why = arena_printf(a, "%s is rate limiting requests: %s",
	    p->name, pcall_plain(a, detail != NULL ? detail : title,
	    LIMIT_SYNC_ERROR));
	return ERR_RATELIMIT;
}

static const struct metric_def metrics[] = {
	METRIC_DEF_SUM("emails_sent", "Emails sent", "count"),
	METRIC_DEF_SUM("opens", "Opens", "count"),
	METRIC_DEF_SUM("clicks", "Clicks", "count"),
	METRIC_DEF_SUM("bounces", "Bounces", "count"),
	METRIC_DEF_SUM("unsubscribes", "Unsubscribes", "count"),
	METRIC_DEF_RATIO("open_rate", "Open rate", "ratio", "opens",
	    "emails_sent"),
	METRIC_DEF_RATIO("click_rate", "Click rate", "ratio", "clicks",
	    "emails_sent"),
	METRIC_DEF_SPARSE("campaign_emails_sent", "Campaign emails sent",
	    "count"),
	METRIC_DEF_SPARSE("campaign_opens", "Campaign opens", "count"),
	METRIC_DEF_SPARSE("campaign_clicks", "Campaign clicks", "count"),
	METRIC_DEF_SPARSE("campaign_bounces", "Campaign bounces", "count"),
	METRIC_DEF_SPARSE("campaign_unsubscribes", "Campaign unsubscribes",
	    "count"),
};

const struct provider provider_mailchimp = {
	.slug = "mailchimp",
	.name = "Mailchimp",
	.family = "mailchimp",
	.env = "MAILCHIMP",
	.urls = {
		[PROVIDER_AUTH_URL] =
		    "https://login.mailchimp.com/oauth2/authorize",
		[PROVIDER_TOKEN_URL] =
		    "https://login.mailchimp.com/oauth2/token",
		[PROVIDER_API_BASE] =
		    "https://login.mailchimp.com/oauth2/metadata",
	},
	.scopes = "",
	.restatement_days = 2,
	.keeps_days = 180,
	.accounts = "audiences",
	.mark = "Mc",
	.mark_colour = "#f5d000",
	.mark_ink = "#241c15",
	.reads = "Daily emails sent, opens, clicks, bounces and unsubscribes "
	    "of the audiences you choose. Sluice only reads; no email is "
	    "sent.",
	.days = "the Mailchimp account's time zone",
	.api_version = "Marketing API 3.0",
	.auth_scheme = "OAuth",
	.sandbox = {
		{ "mailchimp", "oauth", "https://login.mailchimp.com",
		    "/sandbox/mailchimp-login" },
		{ "mailchimp", "api", "https://{dc}.api.mailchimp.com",
		    "/sandbox/mailchimp/{dc}" },
	},
	.words = { "newsletter", "email", "emails" },
	PROVIDER_CATALOGUE(metrics),
	.list = list,
	.fetch = fetch,
	.classify = classify,
	.after_exchange = metadata,
	.whoami = whoami,
};
