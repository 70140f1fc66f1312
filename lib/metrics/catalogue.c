/* catalogue.c — the registry and catalogue as JSON (catalogue.h). */
#include <json-c/json.h>

#include "base/jsonx.h"
#include "base/mem.h"
#include "metrics/catalogue.h"
#include "metrics/metric.h"
#include "providers/provider.h"

static const char *const mode_names[] = {
	[PROVIDER_REAL] = "real",
	[PROVIDER_SANDBOX] = "sandbox",
	[PROVIDER_UNCONFIGURED] = "not_configured",
};

/* The tile periods and their bits in metric_def.no_totals. */
static const struct {
	int		 days;
	unsigned	 bit;
} periods[] = {
	{ 7, METRIC_7D },
	{ 28, METRIC_28D },
	{ 90, METRIC_90D },
};

/* A string member, JSON null for NULL. */
static void
put(struct json_object *o, const char *key, const char *s)
{
	json_object_object_add(o, key, s != NULL ?
	    json_object_new_string(s) : NULL);
}

static struct json_object *
metric_json(const struct metric_def *m)
{
	struct json_object *o, *ps;
	size_t i;

	o = json_object_new_object();
	put(o, "name", m->name);
	put(o, "label", m->label);
	put(o, "unit", m->unit);
	put(o, "aggregation", metric_agg_name(m->agg));
	json_object_object_add(o, "stored",
	    json_object_new_boolean(m->agg != METRIC_RATIO));
	ps = json_object_new_array();
	for (i = 0; m->agg == METRIC_TOTALS && i < nitems(periods); i++)
		if ((m->no_totals & periods[i].bit) == 0)
			json_object_array_add(ps,
			    json_object_new_int(periods[i].days));
	json_object_object_add(o, "periods", ps);
	return o;
}

struct json_object *
catalogue_providers(struct arena *a, const struct config *cfg)
{
	const struct provider *const *all;
	struct json_object *list, *o, *ms;
	size_t i, j, n;

	list = jsonx_own(a, json_object_new_array());
	all = provider_all(&n);
	for (i = 0; i < n; i++) {
		const struct provider *p = all[i];

		o = json_object_new_object();
		put(o, "slug", p->slug);
		put(o, "name", p->name);
		put(o, "family", p->family);
		put(o, "accounts", p->accounts);
		put(o, "reads", p->reads);
		put(o, "days", p->days);
		put(o, "api_version", p->api_version);
		put(o, "version", provider_version(p));
		put(o, "sunset", provider_sunset(p));
		put(o, "mode", mode_names[provider_mode(p, cfg)]);
		ms = json_object_new_array();
		for (j = 0; j < p->nmetrics; j++)
			json_object_array_add(ms, metric_json(&p->metrics[j]));
		json_object_object_add(o, "metrics", ms);
		json_object_array_add(list, o);
	}
	return list;
}

struct json_object *
catalogue_rows(struct arena *a)
{
	const struct provider *const *all;
	struct json_object *rows, *o;
	size_t i, j, n;

	rows = jsonx_own(a, json_object_new_array());
	all = provider_all(&n);
	for (i = 0; i < n; i++)
		for (j = 0; j < all[i]->nmetrics; j++) {
			const struct metric_def *m = &all[i]->metrics[j];

			o = json_object_new_object();
			put(o, "provider", all[i]->slug);
			put(o, "metric", m->name);
			put(o, "label", m->label);
			put(o, "unit", m->unit);
			put(o, "aggregation", metric_agg_name(m->agg));
			json_object_array_add(rows, o);
		}
	return rows;
}
