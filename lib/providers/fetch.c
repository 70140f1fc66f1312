/* fetch.c — a fetch hook's services, by name. */
#include <string.h>

#include <json-c/json.h>

#include "base/arena.h"
#include "base/jsonx.h"
#include "base/log.h"

#include "providers/fetch.h"
#include "providers/pcall.h"
#include "providers/syncnorm.h"

enum err
fetch_get(struct fetch *f, const char *url, struct pcall_result *out)
{
	struct pcall c;

	memset(&c, 0, sizeof(c));
	c.url = url;
	return f->ops->call(f, &c, out);
}

enum err
fetch_post(struct fetch *f, const char *url, const char *body,
    struct pcall_result *out)
{
	struct pcall c;

	memset(&c, 0, sizeof(c));
	c.method = "POST";
	c.url = url;
	c.body = body;
	return f->ops->call(f, &c, out);
}

enum err
fetch_call(struct fetch *f, struct pcall *c, struct pcall_result *out)
{
	return f->ops->call(f, c, out);
}

enum err
fetch_window(struct fetch *f, const char *tz, long days, const char **from,
    const char **to)
{
	return f->ops->window(f, tz, days, from, to);
}

const char *
fetch_account(struct fetch *f, const char *id, const char *key)
{
	return f->ops->account(f, id, key);
}

enum err
fetch_local_days(struct fetch *f, const char *tz, const char *const *ts,
    size_t n, const char ***days)
{
	return f->ops->local_days(f, tz, ts, n, days);
}

enum err
fetch_items_store(struct fetch *f, const struct fetch_items *it)
{
	return f->ops->items_store(f, it);
}

enum err
fetch_items_due(struct fetch *f, const struct fetch_items *it,
    const char **due)
{
	return f->ops->items_due(f, it, due);
}

const char *
fetch_base(struct fetch *f, enum provider_url which)
{
	return provider_url(f->p, which, f->cfg, f->a);
}

enum err
fetch_norm_failed(struct fetch *f, struct syncnorm *n, enum err rc)
{
	f->why = n->why;
	return rc;
}

enum err
fetch_optional(struct fetch *f, enum err rc, const char *what,
    const char *account)
{
	if (rc == ERR_OK || rc == ERR_DB)
		return rc;
	log_msg(LOG_WARN, NULL, "sync", "%s %s: %s left out (%s): %s",
	    f->p->name, account, what, err_code(rc), f->why != NULL ?
	    f->why : "no reason given");
	f->why = NULL;
	return ERR_OK;
}

enum err
fetch_content_due(struct fetch *f, struct fetch_items *fi,
    const char *account, const char *from, struct json_object *items,
    struct json_object **due)
{
	struct json_object *ids, *it, *m;
	const char *json;
	size_t i;
	enum err rc;

	ids = jsonx_own(f->a, json_object_new_array());
	for (i = 0; i < json_object_array_length(items); i++) {
		it = json_object_array_get_idx(items, i);
		m = json_object_new_object();
		json_object_object_add(m, "id", json_object_get(
		    jsonx_member(it, "id")));
		json_object_object_add(m, "published_at", json_object_get(
		    jsonx_member(it, "published_at")));
		json_object_array_add(ids, m);
	}
	fi->kind = "content";
	fi->account = account;
	fi->json = json_object_to_json_string_ext(ids,
	    JSON_C_TO_STRING_PLAIN);
	fi->since = arena_printf(f->a, "%sT00:00:00Z", from);
	if ((rc = fetch_items_due(f, fi, &json)) != ERR_OK)
		return rc;
	if (jsonx_parse(f->a, json, strlen(json), due, NULL) != ERR_OK)
		return ERR_DB;
	return ERR_OK;
}

bool
fetch_due_has(struct json_object *due, const char *id)
{
	size_t k;

	for (k = 0; id != NULL && k < json_object_array_length(due); k++)
		if (strcmp(json_object_get_string(json_object_array_get_idx(
		    due, k)), id) == 0)
			return true;
	return false;
}

enum err
fetch_content_keep(struct fetch *f, struct fetch_items *fi,
    struct json_object *items, struct json_object *due,
    fetch_item_metrics metrics, void *arg)
{
	struct json_object *it, *m;
	const char *id;
	size_t i;
	enum err rc;

	for (i = 0; i < json_object_array_length(items); i++) {
		it = json_object_array_get_idx(items, i);
		id = jsonx_str(it, "id");
		if (fetch_due_has(due, id)) {
			m = NULL;
			if ((rc = metrics(f, it, id, arg, &m)) != ERR_OK) {
				json_object_put(m);
				return rc;
			}
			json_object_object_add(it, "metrics", m);
		}
		json_object_object_del(it, "counts");
	}
	fi->json = json_object_to_json_string_ext(items,
	    JSON_C_TO_STRING_PLAIN);
	return fetch_items_store(f, fi);
}
