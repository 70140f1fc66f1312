/*
 * registry.c — the one list of the providers' simulators.
 *
 * In the order of their routes (a family's members together); the
 * sandbox program's route table is made from it.  A new provider's
 * simulator is its file and one line here.
 */
#include <stdlib.h>

#include "base/mem.h"
#include "sandbox/sandbox_priv.h"

/* Each defined in lib/sandbox/<slug>.c. */
extern const struct sandbox_provider sandbox_ga4, sandbox_google_ads,
    sandbox_youtube, sandbox_gbp, sandbox_facebook, sandbox_instagram,
    sandbox_meta_ads, sandbox_linkedin, sandbox_mailchimp, sandbox_slack,
    sandbox_github;

static const struct sandbox_provider *const all[] = {
	&sandbox_ga4,
	&sandbox_google_ads,
	&sandbox_youtube,
	&sandbox_gbp,
	&sandbox_facebook,
	&sandbox_instagram,
	&sandbox_meta_ads,
	&sandbox_linkedin,
	&sandbox_mailchimp,
	&sandbox_slack,
	&sandbox_github,
};

/* The sandbox's own pages, before every provider's routes. */
static const struct route own[] = {
	{ HTTP_GET, "/sandbox/bases", sandbox_index, ROUTE_NODB, 0 },
	{ HTTP_POST, "/sandbox/consent", sandbox_consent,
	    ROUTE_NODB | ROUTE_HTML, 0 },
};

const struct sandbox_provider *const *
sandbox_all(size_t *n)
{
	*n = nitems(all);
	return all;
}

/* Appends rs[0..n) to t at *len. */
static void
add(struct route *t, size_t *len, const struct route *rs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		t[(*len)++] = rs[i];
}

const struct route *
sandbox_routes(size_t *n)
{
	static struct route *table;
	static size_t len;
	size_t i, j, max;
	bool seen;

	if (table != NULL) {
		*n = len;
		return table;
	}
	max = nitems(own);
	for (i = 0; i < nitems(all); i++)
		max += all[i]->family->nroutes + all[i]->nroutes;
	table = xcalloc(max, sizeof(*table));
	add(table, &len, own, nitems(own));
	for (i = 0; i < nitems(all); i++) {
		for (seen = false, j = 0; j < i; j++)
			seen = seen || all[j]->family == all[i]->family;
		if (!seen)
			add(table, &len, all[i]->family->routes,
			    all[i]->family->nroutes);
		add(table, &len, all[i]->routes, all[i]->nroutes);
	}
	*n = len;
	return table;
}
