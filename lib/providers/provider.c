/* provider.c — a provider under the configuration: mode, URLs, client. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/config.h"
#include "base/day.h"
#include "providers/provider.h"

static const char *const url_env[PROVIDER_URL__MAX] = {
	[PROVIDER_AUTH_URL] = "AUTH_URL",
	[PROVIDER_TOKEN_URL] = "TOKEN_URL",
	[PROVIDER_REVOKE_URL] = "REVOKE_URL",
	[PROVIDER_API_BASE] = "API_BASE",
	[PROVIDER_API_BASE2] = "API_BASE2",
	[PROVIDER_API_BASE3] = "API_BASE3",
	[PROVIDER_WHOAMI_URL] = "WHOAMI_URL",
};

const struct provider_sandbox_base *
provider_sandbox_bases(struct arena *a, size_t *n)
{
	const struct provider *const *all;
	const struct provider_sandbox_base *b;
	struct provider_sandbox_base *out;
	size_t i, j, k, np;

	all = provider_all(&np);
	out = arena_calloc(a, np * PROVIDER_BASES, sizeof(*out));
	*n = 0;
	for (i = 0; i < np; i++)
		for (j = 0; j < PROVIDER_BASES; j++) {
			b = &all[i]->sandbox[j];
			if (b->real == NULL)
				continue;
			for (k = 0; k < *n; k++)
				if (strcmp(out[k].real, b->real) == 0)
					break;
			if (k == *n)
				out[(*n)++] = *b;
		}
	return out;
}

/* SLUICE_<ENV>_<what>, then SLUICE_<FAMILY>_<what>; NULL when unset. */
static const char *
setting(const struct provider *p, const char *what)
{
	char name[96];
	const char *v;

	snprintf(name, sizeof(name), "SLUICE_%s_%s", p->env, what);
	if ((v = config_env(name, NULL)) != NULL)
		return v;
	if (p->family_env == NULL)
		return NULL;
	snprintf(name, sizeof(name), "SLUICE_%s_%s", p->family_env, what);
	return config_env(name, NULL);
}

enum provider_mode
provider_mode(const struct provider *p, const struct config *cfg)
{
	if (setting(p, "CLIENT_ID") != NULL &&
	    setting(p, "CLIENT_SECRET") != NULL)
		return PROVIDER_REAL;
	return cfg->sandbox ? PROVIDER_SANDBOX : PROVIDER_UNCONFIGURED;
}

/* The sandbox's address for a real URL (prefix swap), or NULL. */
static const char *
sandboxed(const struct provider *p, const char *real,
    const struct config *cfg, struct arena *a)
{
	const struct provider_sandbox_base *b;
	size_t i, n;

	for (i = 0; i < PROVIDER_BASES; i++) {
		b = &p->sandbox[i];
		if (b->real == NULL)
			continue;
		n = strlen(b->real);
		if (strncmp(real, b->real, n) == 0 &&
		    (real[n] == '\0' || real[n] == '/'))
			return arena_printf(a, "%s%s%s", cfg->base_url,
			    b->path, real + n);
	}
	return NULL;
}

/* url with "{version}" replaced by the version in use (arena-owned),
 * or url itself. */
static const char *
versioned(const struct provider *p, const char *url, struct arena *a)
{
	const char *at = strstr(url, "{version}"), *v;

	if (at == NULL || (v = provider_version(p)) == NULL)
		return url;
	return arena_printf(a, "%.*s%s%s", (int)(at - url), url, v, at + 9);
}

const char *
provider_url(const struct provider *p, enum provider_url which,
    const struct config *cfg, struct arena *a)
{
	const char *v, *real;

	if (which < 0 || which >= PROVIDER_URL__MAX)
		return NULL;
	if ((v = setting(p, url_env[which])) != NULL)
		return v;
	if (p->urls[which] == NULL)
		return NULL;
	real = versioned(p, p->urls[which], a);
	if (provider_mode(p, cfg) == PROVIDER_SANDBOX &&
	    (v = sandboxed(p, real, cfg, a)) != NULL)
		return v;
	return real;
}

const char *
provider_version(const struct provider *p)
{
	const char *v;

	if (p->version_env != NULL &&
	    (v = config_env(p->version_env, NULL)) != NULL && *v != '\0')
		return v;
	return p->version;
}

const char *
provider_sunset(const struct provider *p)
{
	const char *v;

	if ((v = setting(p, "API_SUNSET")) != NULL && *v != '\0')
		return v;
	if (p->version == NULL || p->api_sunset == NULL ||
	    strcmp(provider_version(p), p->version) != 0)
		return NULL;
	return p->api_sunset;
}

const char *
provider_sunset_warning(const struct provider *p, struct arena *a,
    long today)
{
	const char *s = provider_sunset(p);
	int64_t day;
	long left;

	if (s == NULL || !day_scan(s, &day))
		return NULL;
	left = (long)day - today;
	if (left > PROVIDER_SUNSET_WARN_DAYS)
		return NULL;
	if (left <= 0)
		return arena_printf(a, "%s: API version %s was retired on %s; "
		    "set %s to a current version and restart Sluice.",
		    p->name, provider_version(p), s, p->version_env);
	return arena_printf(a, "%s: API version %s is retired on %s (in %ld "
	    "day%s); set %s to a newer version before then and restart "
	    "Sluice.", p->name, provider_version(p), s, left, left == 1 ? "" :
	    "s", p->version_env);
}

const char *
provider_version_refused(const struct provider *p, struct arena *a,
    int status)
{
	return arena_printf(a, "%s no longer accepts API version %s (HTTP "
	    "%d): set %s to a current version and restart Sluice; syncs "
	    "stay stopped until then.", p->name, provider_version(p) != NULL ?
	    provider_version(p) : "in use", status, p->version_env != NULL ?
	    p->version_env : "the provider's API version");
}

enum err
provider_client(const struct provider *p, const struct config *cfg,
    const char **id, const char **secret)
{
	switch (provider_mode(p, cfg)) {
	case PROVIDER_REAL:
		*id = setting(p, "CLIENT_ID");
		*secret = setting(p, "CLIENT_SECRET");
		return ERR_OK;
	case PROVIDER_SANDBOX:
		*id = "sluice-sandbox-client";
		*secret = "sluice-sandbox-secret";
		return ERR_OK;
	default:
		return ERR_UNAVAILABLE;
	}
}

const char *
provider_redirect_uri(const struct provider *p, const struct config *cfg,
    struct arena *a)
{
	size_t n = strlen(cfg->base_url);

	/* No double slash when SLUICE_BASE_URL ends in '/'. */
	while (n > 0 && cfg->base_url[n - 1] == '/')
		n--;
	return arena_printf(a, "%.*s/oauth/%s/callback", (int)n,
	    cfg->base_url, p->slug);
}

const char *
provider_setup_hint(const struct provider *p, struct arena *a)
{
	if (p->family_env != NULL)
		return arena_printf(a, "SLUICE_%s_CLIENT_ID and "
		    "SLUICE_%s_CLIENT_SECRET (or SLUICE_%s_CLIENT_ID and "
		    "_CLIENT_SECRET for every %s provider)", p->env, p->env,
		    p->family_env, p->family);
	return arena_printf(a, "SLUICE_%s_CLIENT_ID and "
	    "SLUICE_%s_CLIENT_SECRET", p->env, p->env);
}
