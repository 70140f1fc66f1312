/* views.c — shaping domain data for the templates. */
#include <string.h>

#include <json-c/json.h>

#include "arena.h"
#include "connection.h"
#include "jsonx.h"
#include "provider.h"
#include "views.h"

const char *
views_ago(struct arena *a, int64_t s)
{
	if (s < 0)
		return "never";
	if (s < 60)
		return "just now";
	if (s < 3600)
		return arena_printf(a, "%lld minute%s ago", (long long)(s / 60),
		    s / 60 == 1 ? "" : "s");
	if (s < 86400)
		return arena_printf(a, "%lld hour%s ago", (long long)(s / 3600),
		    s / 3600 == 1 ? "" : "s");
	return arena_printf(a, "%lld day%s ago", (long long)(s / 86400),
	    s / 86400 == 1 ? "" : "s");
}

static void
put(struct json_object *o, const char *k, const char *v)
{
	if (v != NULL)
		json_object_object_add(o, k, json_object_new_string(v));
}

static void
flag(struct json_object *o, const char *k, bool v)
{
	json_object_object_add(o, k, json_object_new_boolean(v));
}

/* Names of the selected accounts, from the connection's JSON. */
static struct json_object *
selected_names(struct arena *a, const struct connection *c)
{
	struct json_object *accounts, *selected, *out, *acc;
	const char *id;
	size_t i, j;

	out = json_object_new_array();
	if (jsonx_parse(a, c->accounts, strlen(c->accounts), &accounts,
	    NULL) != ERR_OK || jsonx_parse(a, c->selected,
	    strlen(c->selected), &selected, NULL) != ERR_OK)
		return out;
	for (i = 0; i < json_object_array_length(selected); i++) {
		id = json_object_get_string(json_object_array_get_idx(selected,
		    i));
		for (j = 0; j < json_object_array_length(accounts); j++) {
			acc = json_object_array_get_idx(accounts, j);
			if (jsonx_get_string(acc, "id", &id) == ERR_OK &&
			    strcmp(id, json_object_get_string(
			    json_object_array_get_idx(selected, i))) == 0) {
				const char *name = id;

				(void)jsonx_get_string(acc, "name", &name);
				json_object_array_add(out,
				    json_object_new_string(name));
			}
		}
	}
	return out;
}

struct json_object *
views_connection_card(struct arena *a, const struct provider *p,
    const struct connection *c, const struct config *cfg, bool can_edit)
{
	struct json_object *v = jsonx_own(a, json_object_new_object());
	enum provider_mode mode = provider_mode(p, cfg);
	const char *status = c != NULL ? c->status : "none";
	const char *label, *cls;
	bool live = c != NULL && strcmp(status, "connected") == 0;
	bool reauth = c != NULL && strcmp(status, "needs_reauth") == 0;
	bool error = c != NULL && strcmp(status, "error") == 0;

	if (mode == PROVIDER_UNCONFIGURED && !live) {
		label = "Not configured";
		cls = "muted";
	} else if (live) {
		label = "Connected";
		cls = "ok";
	} else if (reauth) {
		label = "Needs re-auth";
		cls = "warn";
	} else if (error) {
		label = "Error";
		cls = "error";
	} else {
		label = "Not connected";
		cls = "muted";
	}
	put(v, "slug", p->slug);
	put(v, "name", p->name);
	put(v, "status_label", label);
	put(v, "status_class", cls);
	put(v, "accounts_word", p->accounts);
	flag(v, "sandbox", c != NULL ? c->sandbox : mode == PROVIDER_SANDBOX);
	flag(v, "not_configured", mode == PROVIDER_UNCONFIGURED);
	if (mode == PROVIDER_UNCONFIGURED)
		put(v, "setup_hint", provider_setup_hint(p, a));
	flag(v, "can_edit", can_edit);
	flag(v, "can_connect", can_edit && mode != PROVIDER_UNCONFIGURED &&
	    !live && !reauth);
	flag(v, "can_reconnect", can_edit && mode != PROVIDER_UNCONFIGURED &&
	    (live || reauth || error));
	flag(v, "is_live", live);
	flag(v, "can_manage", can_edit && live);
	if (c != NULL) {
		struct json_object *names = selected_names(a, c);

		flag(v, "has_selected", json_object_array_length(names) > 0);
		json_object_object_add(v, "selected", names);
		put(v, "last_sync_ago", views_ago(a, c->last_sync_age));
		put(v, "last_sync_at", c->last_sync_at);
		put(v, "last_error", c->last_error);
		if (c->last_tested_at != NULL)
			put(v, "last_test", c->last_test_ok ? "passed" :
			    "failed");
	}
	return v;
}
