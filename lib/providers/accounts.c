/* accounts.c — a provider's account listing, run through its hook. */
#include <string.h>

#include <json-c/json.h>

#include "base/arena.h"
#include "base/jsonx.h"
#include "providers/accounts.h"
#include "providers/oauth.h"
#include "providers/pcall.h"
#include "providers/provider.h"

void
accounts_add(struct accounts_lister *l, const char *id, const char *name,
    const char *tz, const char *currency)
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

enum err
accounts_get(struct accounts_lister *l, const char *url,
    struct pcall_result *r)
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
