/* accounts.c — a provider's account listing, run through its hook. */
#include <string.h>

#include <json-c/json.h>

#include "base/arena.h"
#include "base/jsonx.h"
#include "providers/accounts.h"
#include "providers/oauth.h"
#include "providers/pcall.h"
#include "providers/provider.h"

struct json_object *
accounts_add(struct accounts_lister *l, const char *id, const char *name,
    const char *tz, const char *currency)
{
	struct json_object *o;

	if (id == NULL || json_object_array_length(l->out) >= ACCOUNTS_MAX)
		return NULL;
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
	return o;
}

struct json_object *
accounts_find(struct accounts_lister *l, const char *id)
{
	struct json_object *o;
	const char *v;
	size_t i;

	for (i = 0; id != NULL && i < json_object_array_length(l->out); i++) {
		o = json_object_array_get_idx(l->out, i);
		if ((v = jsonx_text(o, "id")) != NULL && strcmp(v, id) == 0)
			return o;
	}
	return NULL;
}

enum err
accounts_get(struct accounts_lister *l, const char *url,
    struct pcall_result *r)
{
	struct pcall c;

	memset(&c, 0, sizeof(c));
	c.url = url;
	return accounts_call(l, &c, r);
}

enum err
accounts_call(struct accounts_lister *l, struct pcall *c,
    struct pcall_result *r)
{
	enum err rc;

	c->token = l->t->access_token;
	pcall_provider_headers(l->p, c);
	rc = pcall_json(l->h, l->a, l->p, c, r);
	if (rc != ERR_OK)
		l->why = r->why;
	return rc;
}

enum err
accounts_walk(struct accounts_lister *l, const char *url,
    const struct accounts_listing *how)
{
	struct pcall_result r;
	struct json_object *items;
	size_t i, n, seen = 0, page;
	enum err rc;

	for (page = 0; url != NULL && page < ACCOUNTS_MAX_PAGES; page++) {
		if ((rc = accounts_get(l, url, &r)) != ERR_OK)
			return rc;
		items = how->items != NULL ? jsonx_member(r.json, how->items) :
		    r.json;
		n = json_object_is_type(items, json_type_array) ?
		    json_object_array_length(items) : 0;
		for (i = 0; i < n; i++)
			if ((rc = how->each(l, json_object_array_get_idx(items,
			    i))) != ERR_OK)
				return rc;
		seen += n;
		url = n > 0 && how->next != NULL ? how->next(l, &r, seen) :
		    NULL;
	}
	return ERR_OK;
}

enum err
accounts_each_id_name(struct accounts_lister *l, struct json_object *it)
{
	accounts_add(l, jsonx_text(it, "id"), jsonx_text(it, "name"), NULL,
	    NULL);
	return ERR_OK;
}

const char *
accounts_base(struct accounts_lister *l, enum provider_url which)
{
	return provider_url(l->p, which, l->cfg, l->a);
}

enum err
accounts_list(struct httpc *h, struct arena *a, const struct provider *p,
    const struct config *cfg, const struct oauth_tokens *t,
    const char **json_out, const char **why)
{
	struct accounts_lister l = { h, a, p, cfg, t, NULL, NULL };
	enum err rc;

	l.out = jsonx_own(a, json_object_new_array());
	if (p->list == NULL) {
		*why = arena_printf(a, "%s has no account listing", p->name);
		return ERR_NOTFOUND;
	}
	rc = p->list(&l);
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
