/* accounts.c — each provider's account listing, paginated. */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "base/arena.h"
#include "base/config.h"
#include "base/jsonx.h"
#include "net/httpc.h"
#include "providers/accounts.h"
#include "providers/oauth.h"
#include "providers/pcall.h"
#include "providers/provider.h"

/* What one listing call needs: the provider, its tokens, the output. */
struct lister {
	struct httpc		*h;
	struct arena		*a;
	const struct provider	*p;
	const struct config	*cfg;
	const struct oauth_tokens *t;
	struct json_object	*out;	/* the array being built */
	const char		*why;
};

static void
add(struct lister *l, const char *id, const char *name, const char *tz,
    const char *currency)
{
	struct json_object *o;

	if (id == NULL || json_object_array_length(l->out) >= ACCOUNTS_MAX)
		return;
	o = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_string(id));
	json_object_object_add(o, "name", json_object_new_string(
	    name != NULL ? name : id));
	if (tz != NULL)
		json_object_object_add(o, "time_zone",
		    json_object_new_string(tz));
	if (currency != NULL)
		json_object_object_add(o, "currency",
		    json_object_new_string(currency));
	json_object_array_add(l->out, o);
}

static enum err
get(struct lister *l, const char *url, struct pcall_result *r)
{
	struct pcall c;
	enum err rc;

	memset(&c, 0, sizeof(c));
	c.url = url;
	c.token = l->t->access_token;
	pcall_provider_headers(l->p, &c);
	rc = pcall_json(l->h, l->a, l->p, &c, r);
	if (rc != ERR_OK)
		l->why = r->why;
	return rc;
}

static const char *
base(struct lister *l, enum provider_url which)
{
	return provider_url(l->p, which, l->cfg, l->a);
}

/* GA4: properties inside account summaries; pageToken paging. */
static enum err
list_ga4(struct lister *l)
{
	struct pcall_result r;
	struct json_object *sums, *props, *s, *pr;
	const char *token = NULL, *id;
	size_t i, j, page;
	enum err rc;

	for (page = 0; page < ACCOUNTS_MAX_PAGES; page++) {
		rc = get(l, arena_printf(l->a, "%s/accountSummaries?pageSize="
		    "200%s%s", base(l, PROVIDER_API_BASE), token ?
		    "&pageToken=" : "", token ? httpc_escape(l->a, token) :
		    ""), &r);
		if (rc != ERR_OK)
			return rc;
		sums = jsonx_member(r.json, "accountSummaries");
		for (i = 0; sums != NULL && i < json_object_array_length(sums);
		    i++) {
			s = json_object_array_get_idx(sums, i);
			props = jsonx_member(s, "propertySummaries");
			for (j = 0; props != NULL &&
			    j < json_object_array_length(props); j++) {
				pr = json_object_array_get_idx(props, j);
				id = jsonx_text(pr, "property");
				if (id != NULL && strncmp(id, "properties/", 11)
				    == 0)
					id += 11;
				add(l, id, jsonx_text(pr, "displayName"), NULL,
				    NULL);
			}
		}
		if ((token = jsonx_text(r.json, "nextPageToken")) == NULL ||
		    *token == '\0')
			return ERR_OK;
	}
	return ERR_OK;
}

static enum err
list_google_ads(struct lister *l)
{
	struct pcall_result r;
	struct json_object *names;
	const char *id;
	size_t i;
	enum err rc;

	rc = get(l, arena_printf(l->a, "%s/customers:listAccessibleCustomers",
	    base(l, PROVIDER_API_BASE)), &r);
	if (rc != ERR_OK)
		return rc;
	names = jsonx_member(r.json, "resourceNames");
	for (i = 0; names != NULL && i < json_object_array_length(names);
	    i++) {
		id = json_object_get_string(json_object_array_get_idx(names,
		    i));
		if (id != NULL && strncmp(id, "customers/", 10) == 0)
			id += 10;
		add(l, id, arena_printf(l->a, "Customer %s", id), NULL, NULL);
	}
	return ERR_OK;
}

static enum err
list_youtube(struct lister *l)
{
	struct pcall_result r;
	struct json_object *items, *it;
	size_t i;
	enum err rc;

	rc = get(l, arena_printf(l->a, "%s/channels?part=id,snippet&mine=true",
	    base(l, PROVIDER_API_BASE)), &r);
	if (rc != ERR_OK)
		return rc;
	items = jsonx_member(r.json, "items");
	for (i = 0; items != NULL && i < json_object_array_length(items);
	    i++) {
		it = json_object_array_get_idx(items, i);
		add(l, jsonx_text(it, "id"), jsonx_text(jsonx_member(it,
		    "snippet"), "title"), NULL, NULL);
	}
	return ERR_OK;
}

/* Instagram: the business account behind one page, if it has one. */
static enum err
instagram_of_page(struct lister *l, struct json_object *page)
{
	struct pcall_result r;
	struct json_object *ig;
	enum err rc;

	if (jsonx_text(page, "id") == NULL)
		return ERR_OK;
	rc = get(l, arena_printf(l->a, "%s/%s?fields=instagram_business_"
	    "account", base(l, PROVIDER_API_BASE), httpc_escape(l->a,
	    jsonx_text(page, "id"))), &r);
	if (rc != ERR_OK)
		return rc;
	if ((ig = jsonx_member(r.json, "instagram_business_account")) != NULL)
		add(l, jsonx_text(ig, "id"), arena_printf(l->a,
		    "%s (Instagram)", jsonx_text(page, "name") ?
		    jsonx_text(page, "name") : jsonx_text(ig, "id")), NULL,
		    NULL);
	return ERR_OK;
}

/* Graph API: data[] with paging.next (an absolute URL) until absent. */
static enum err
list_graph(struct lister *l, const char *first)
{
	struct pcall_result r;
	struct json_object *data, *it;
	const char *next = first;
	size_t i, page;
	enum err rc;

	for (page = 0; next != NULL && page < ACCOUNTS_MAX_PAGES; page++) {
		if ((rc = get(l, next, &r)) != ERR_OK)
			return rc;
		data = jsonx_member(r.json, "data");
		for (i = 0; data != NULL && i < json_object_array_length(data);
		    i++) {
			it = json_object_array_get_idx(data, i);
			if (strcmp(l->p->slug, "instagram") == 0) {
				if ((rc = instagram_of_page(l, it)) != ERR_OK)
					return rc;
			} else if (strcmp(l->p->slug, "meta_ads") == 0)
				add(l, jsonx_text(it, "id"),
				    jsonx_text(it, "name"),
				    jsonx_text(it, "timezone_name"),
				    jsonx_text(it, "currency"));
			else
				add(l, jsonx_text(it, "id"),
				    jsonx_text(it, "name"), NULL, NULL);
		}
		next = jsonx_text(jsonx_member(r.json, "paging"), "next");
	}
	return ERR_OK;
}

static enum err
list_linkedin(struct lister *l)
{
	struct pcall_result r;
	struct json_object *els, *it;
	const char *org, *total;
	size_t i, start = 0, page;
	enum err rc;

	for (page = 0; page < ACCOUNTS_MAX_PAGES; page++) {
		rc = get(l, arena_printf(l->a, "%s/organizationAcls?q="
		    "roleAssignee&role=ADMINISTRATOR&state=APPROVED&start=%zu"
		    "&count=50", base(l, PROVIDER_API_BASE), start), &r);
		if (rc != ERR_OK)
			return rc;
		els = jsonx_member(r.json, "elements");
		for (i = 0; els != NULL && i < json_object_array_length(els);
		    i++) {
			it = json_object_array_get_idx(els, i);
			org = jsonx_text(it, "organization");
			if (org != NULL && strncmp(org,
			    "urn:li:organization:", 20) == 0)
				add(l, org + 20, arena_printf(l->a,
				    "Organization %s", org + 20), NULL, NULL);
		}
		start += els != NULL ? json_object_array_length(els) : 0;
		total = jsonx_text(jsonx_member(r.json, "paging"), "total");
		if (els == NULL || json_object_array_length(els) == 0 ||
		    total == NULL || start >= strtoul(total, NULL, 10))
			return ERR_OK;
	}
	return ERR_OK;
}

static enum err
list_mailchimp(struct lister *l)
{
	struct pcall_result r;
	struct json_object *lists, *it;
	const char *total;
	size_t i, offset = 0, page;
	enum err rc;

	if (l->t->api_base == NULL) {
		l->why = "Mailchimp did not say where the account lives; "
		    "reconnect it";
		return ERR_AUTH;
	}
	for (page = 0; page < ACCOUNTS_MAX_PAGES; page++) {
		rc = get(l, arena_printf(l->a, "%s/3.0/lists?count=100&offset="
		    "%zu&fields=lists.id,lists.name,total_items",
		    l->t->api_base, offset), &r);
		if (rc != ERR_OK)
			return rc;
		lists = jsonx_member(r.json, "lists");
		for (i = 0; lists != NULL &&
		    i < json_object_array_length(lists); i++) {
			it = json_object_array_get_idx(lists, i);
			add(l, jsonx_text(it, "id"), jsonx_text(it, "name"),
			    NULL, NULL);
		}
		offset += lists != NULL ? json_object_array_length(lists) : 0;
		total = jsonx_text(r.json, "total_items");
		if (lists == NULL || json_object_array_length(lists) == 0 ||
		    total == NULL || offset >= strtoul(total, NULL, 10))
			return ERR_OK;
	}
	return ERR_OK;
}

static enum err
list_slack(struct lister *l)
{
	struct pcall_result r;
	struct json_object *chans, *it;
	const char *cursor = NULL;
	size_t i, page;
	enum err rc;

	for (page = 0; page < ACCOUNTS_MAX_PAGES; page++) {
		rc = get(l, arena_printf(l->a, "%s/conversations.list?types="
		    "public_channel&exclude_archived=true&limit=200%s%s",
		    base(l, PROVIDER_API_BASE), cursor ? "&cursor=" : "",
		    cursor ? httpc_escape(l->a, cursor) : ""), &r);
		if (rc != ERR_OK)
			return rc;
		chans = jsonx_member(r.json, "channels");
		for (i = 0; chans != NULL &&
		    i < json_object_array_length(chans); i++) {
			it = json_object_array_get_idx(chans, i);
			add(l, jsonx_text(it, "id"), arena_printf(l->a, "#%s",
			    jsonx_text(it, "name") ? jsonx_text(it, "name") :
			    "?"), NULL, NULL);
		}
		cursor = jsonx_text(jsonx_member(r.json,
		    "response_metadata"), "next_cursor");
		if (cursor == NULL || *cursor == '\0')
			return ERR_OK;
	}
	return ERR_OK;
}

/* GitHub: public repositories only; private ones never leave. */
static enum err
list_github(struct lister *l)
{
	struct pcall_result r;
	struct json_object *it, *priv;
	const char *next;
	size_t i, page;
	enum err rc;

	next = arena_printf(l->a, "%s/user/repos?visibility=public&affiliation="
	    "owner,organization_member&sort=full_name&per_page=100",
	    base(l, PROVIDER_API_BASE));
	for (page = 0; next != NULL && page < ACCOUNTS_MAX_PAGES; page++) {
		if ((rc = get(l, next, &r)) != ERR_OK)
			return rc;
		for (i = 0; json_object_is_type(r.json, json_type_array) &&
		    i < json_object_array_length(r.json); i++) {
			it = json_object_array_get_idx(r.json, i);
			priv = jsonx_member(it, "private");
			if (priv != NULL && json_object_get_boolean(priv))
				continue;
			add(l, jsonx_text(it, "full_name"),
			    jsonx_text(it, "full_name"), NULL, NULL);
		}
		next = httpc_link_next(l->a, &r.resp);
	}
	return ERR_OK;
}

enum err
accounts_list(struct httpc *h, struct arena *a, const struct provider *p,
    const struct config *cfg, const struct oauth_tokens *t,
    const char **json_out, const char **why)
{
	struct lister l = { h, a, p, cfg, t, NULL, NULL };
	const char *graph;
	enum err rc;

	l.out = jsonx_own(a, json_object_new_array());
	graph = provider_url(p, PROVIDER_API_BASE, cfg, a);
	if (strcmp(p->slug, "ga4") == 0)
		rc = list_ga4(&l);
	else if (strcmp(p->slug, "google_ads") == 0)
		rc = list_google_ads(&l);
	else if (strcmp(p->slug, "youtube") == 0)
		rc = list_youtube(&l);
	else if (strcmp(p->slug, "facebook") == 0)
		rc = list_graph(&l, arena_printf(a, "%s/me/accounts?fields="
		    "id,name&limit=100", graph));
	else if (strcmp(p->slug, "instagram") == 0)
		rc = list_graph(&l, arena_printf(a, "%s/me/accounts?fields="
		    "id,name&limit=100", graph));
	else if (strcmp(p->slug, "meta_ads") == 0)
		rc = list_graph(&l, arena_printf(a, "%s/me/adaccounts?fields="
		    "id,account_id,name,currency,timezone_name&limit=100",
		    graph));
	else if (strcmp(p->slug, "linkedin") == 0)
		rc = list_linkedin(&l);
	else if (strcmp(p->slug, "mailchimp") == 0)
		rc = list_mailchimp(&l);
	else if (strcmp(p->slug, "slack") == 0)
		rc = list_slack(&l);
	else if (strcmp(p->slug, "github") == 0)
		rc = list_github(&l);
	else {
		*why = "unknown provider";
		return ERR_NOTFOUND;
	}
	*why = l.why;
	if (rc == ERR_OK)
		*json_out = jsonx_string(a, l.out);
	return rc;
}

enum err
accounts_test(struct httpc *h, struct arena *a, const struct provider *p,
    const struct config *cfg, const struct oauth_tokens *t, const char **why)
{
	const char *json;

	/* The listing is the authenticated call every provider has. */
	return accounts_list(h, a, p, cfg, t, &json, why);
}
