/* registry.c — the one list of providers. */
#include <string.h>

#include "base/arena.h"
#include "base/mem.h"
#include "providers/provider.h"

extern const struct provider provider_ga4, provider_google_ads,
    provider_youtube, provider_gbp, provider_facebook, provider_instagram,
    provider_meta_ads, provider_linkedin, provider_mailchimp,
    provider_slack, provider_github;

/* In the order the pages show them. */
static const struct provider *const registry[] = {
	&provider_ga4,
	&provider_google_ads,
	&provider_youtube,
	&provider_gbp,
	&provider_facebook,
	&provider_instagram,
	&provider_meta_ads,
	&provider_linkedin,
	&provider_mailchimp,
	&provider_slack,
	&provider_github,
};

const struct provider *const *
provider_all(size_t *n)
{
	*n = nitems(registry);
	return registry;
}

const struct provider *
provider_get(const char *slug)
{
	size_t i;

	if (slug == NULL)
		return NULL;
	for (i = 0; i < nitems(registry); i++)
		if (strcmp(registry[i]->slug, slug) == 0)
			return registry[i];
	return NULL;
}

const char *
provider_slugs(struct arena *a, const char *sep)
{
	const char *s = registry[0]->slug;
	size_t i;

	for (i = 1; i < nitems(registry); i++)
		s = arena_printf(a, "%s%s%s", s, sep, registry[i]->slug);
	return s;
}
