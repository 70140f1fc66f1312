/* provider.c — the provider table and its configuration. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/config.h"
#include "base/mem.h"
#include "providers/provider.h"

#define GOOGLE_AUTH	"https://accounts.google.com/o/oauth2/v2/auth"
#define GOOGLE_TOKEN	"https://oauth2.googleapis.com/token"
#define GOOGLE_REVOKE	"https://oauth2.googleapis.com/revoke"
#define GOOGLE_PARAMS	"access_type=offline&prompt=consent&" \
			"include_granted_scopes=true"
#define META_AUTH	"https://www.facebook.com/v25.0/dialog/oauth"
#define META_TOKEN	"https://graph.facebook.com/v25.0/oauth/access_token"
#define META_GRAPH	"https://graph.facebook.com/v25.0"

static const struct provider providers[] = {
	{ "ga4", "Google Analytics 4", "google", "GA4", "GOOGLE",
	  { GOOGLE_AUTH, GOOGLE_TOKEN, GOOGLE_REVOKE,
	    "https://analyticsadmin.googleapis.com/v1beta",
	    "https://analyticsdata.googleapis.com/v1beta" },
	  "openid email https://www.googleapis.com/auth/analytics.readonly",
	  GOOGLE_PARAMS, true, PROVIDER_TOKENS_REFRESH, 3, "properties" },
	{ "google_ads", "Google Ads", "google", "GOOGLE_ADS", "GOOGLE",
	  { GOOGLE_AUTH, GOOGLE_TOKEN, GOOGLE_REVOKE,
	    "https://googleads.googleapis.com/v23", NULL },
	  "openid email https://www.googleapis.com/auth/adwords",
	  GOOGLE_PARAMS, true, PROVIDER_TOKENS_REFRESH, 30, "customers" },
	{ "youtube", "YouTube", "google", "YOUTUBE", "GOOGLE",
	  { GOOGLE_AUTH, GOOGLE_TOKEN, GOOGLE_REVOKE,
	    "https://www.googleapis.com/youtube/v3",
	    "https://youtubeanalytics.googleapis.com/v2" },
	  "openid email https://www.googleapis.com/auth/youtube.readonly "
	  "https://www.googleapis.com/auth/yt-analytics.readonly",
	  GOOGLE_PARAMS, true, PROVIDER_TOKENS_REFRESH, 2, "channels" },
	{ "facebook", "Facebook Pages", "meta", "FACEBOOK", "META",
	  { META_AUTH, META_TOKEN, NULL, META_GRAPH, NULL },
	  "pages_show_list,pages_read_engagement,read_insights",
	  NULL, false, PROVIDER_TOKENS_LONG_LIVED, 28, "pages" },
	{ "instagram", "Instagram", "meta", "INSTAGRAM", "META",
	  { META_AUTH, META_TOKEN, NULL, META_GRAPH, NULL },
	  "instagram_basic,instagram_manage_insights,pages_show_list,"
	  "pages_read_engagement", NULL, false, PROVIDER_TOKENS_LONG_LIVED,
	  28, "business accounts" },
	{ "meta_ads", "Meta Ads", "meta", "META_ADS", "META",
	  { META_AUTH, META_TOKEN, NULL, META_GRAPH, NULL },
	  "ads_read,read_insights", NULL, false, PROVIDER_TOKENS_LONG_LIVED,
	  28, "ad accounts" },
	{ "linkedin", "LinkedIn", "linkedin", "LINKEDIN", NULL,
	  { "https://www.linkedin.com/oauth/v2/authorization",
	    "https://www.linkedin.com/oauth/v2/accessToken", NULL,
	    "https://api.linkedin.com/rest", NULL },
	  "rw_organization_admin", NULL, false, PROVIDER_TOKENS_EXPIRING, 2,
	  "organizations" },
	{ "mailchimp", "Mailchimp", "mailchimp", "MAILCHIMP", NULL,
	  { "https://login.mailchimp.com/oauth2/authorize",
	    "https://login.mailchimp.com/oauth2/token", NULL,
	    "https://login.mailchimp.com/oauth2/metadata", NULL },
	  "", NULL, false, PROVIDER_TOKENS_NEVER, 2, "audiences" },
	{ "slack", "Slack", "slack", "SLACK", NULL,
	  { "https://slack.com/oauth/v2/authorize",
	    "https://slack.com/api/oauth.v2.access", NULL,
	    "https://slack.com/api", NULL },
	  "channels:read,channels:history,users:read", NULL, false,
	  PROVIDER_TOKENS_ROTATING, 2, "channels" },
	{ "github", "GitHub", "github", "GITHUB", NULL,
	  { "https://github.com/login/oauth/authorize",
	    "https://github.com/login/oauth/access_token", NULL,
	    "https://api.github.com", NULL },
	  "read:user public_repo", "allow_signup=false", false,
	  PROVIDER_TOKENS_NEVER, 2, "repositories" },
};

/*
 * The sandbox's prefix for each real base URL (lib/sandbox/sandbox.h, URL
 * scheme): a real URL that starts with one of these bases is served by
 * the sandbox under SLUICE_BASE_URL + the prefix.
 */
static const struct provider_sandbox_base sandbox_bases[] = {
	{ "google", "authorize", "https://accounts.google.com",
	    "/sandbox/google-accounts" },
	{ "google", "token", "https://oauth2.googleapis.com",
	    "/sandbox/google-oauth" },
	{ "ga4", "admin", "https://analyticsadmin.googleapis.com",
	    "/sandbox/ga4-admin" },
	{ "ga4", "data", "https://analyticsdata.googleapis.com",
	    "/sandbox/ga4-data" },
	{ "google_ads", "api", "https://googleads.googleapis.com",
	    "/sandbox/google-ads" },
	{ "youtube", "data", "https://www.googleapis.com/youtube/v3",
	    "/sandbox/youtube/v3" },
	{ "youtube", "analytics", "https://youtubeanalytics.googleapis.com",
	    "/sandbox/youtube-analytics" },
	{ "meta", "authorize", "https://www.facebook.com",
	    "/sandbox/facebook" },
	{ "meta", "graph", "https://graph.facebook.com", "/sandbox/graph" },
	{ "linkedin", "oauth", "https://www.linkedin.com",
	    "/sandbox/linkedin-www" },
	{ "linkedin", "api", "https://api.linkedin.com",
	    "/sandbox/linkedin-api" },
	{ "mailchimp", "oauth", "https://login.mailchimp.com",
	    "/sandbox/mailchimp-login" },
	{ "mailchimp", "api", "https://{dc}.api.mailchimp.com",
	    "/sandbox/mailchimp/{dc}" },
	{ "slack", "oauth+api", "https://slack.com", "/sandbox/slack" },
	{ "github", "oauth", "https://github.com", "/sandbox/github" },
	{ "github", "api", "https://api.github.com", "/sandbox/github-api" },
};

static const char *const url_env[PROVIDER_URL__MAX] = {
	[PROVIDER_AUTH_URL] = "AUTH_URL",
	[PROVIDER_TOKEN_URL] = "TOKEN_URL",
	[PROVIDER_REVOKE_URL] = "REVOKE_URL",
	[PROVIDER_API_BASE] = "API_BASE",
	[PROVIDER_API_BASE2] = "API_BASE2",
};

const struct provider *
provider_all(size_t *n)
{
	*n = nitems(providers);
	return providers;
}

const struct provider_sandbox_base *
provider_sandbox_bases(size_t *n)
{
	*n = nitems(sandbox_bases);
	return sandbox_bases;
}

const struct provider *
provider_get(const char *slug)
{
	size_t i;

	if (slug == NULL)
		return NULL;
	for (i = 0; i < nitems(providers); i++)
		if (strcmp(providers[i].slug, slug) == 0)
			return &providers[i];
	return NULL;
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
sandboxed(const char *real, const struct config *cfg, struct arena *a)
{
	size_t i, n;

	for (i = 0; i < nitems(sandbox_bases); i++) {
		n = strlen(sandbox_bases[i].real);
		if (strncmp(real, sandbox_bases[i].real, n) == 0 &&
		    (real[n] == '\0' || real[n] == '/'))
			return arena_printf(a, "%s%s%s", cfg->base_url,
			    sandbox_bases[i].path, real + n);
	}
	return NULL;
}

const char *
provider_url(const struct provider *p, enum provider_url which,
    const struct config *cfg, struct arena *a)
{
	const char *v;

	if (which < 0 || which >= PROVIDER_URL__MAX)
		return NULL;
	if ((v = setting(p, url_env[which])) != NULL)
		return v;
	if (p->urls[which] == NULL)
		return NULL;
	if (provider_mode(p, cfg) == PROVIDER_SANDBOX &&
	    (v = sandboxed(p->urls[which], cfg, a)) != NULL)
		return v;
	return p->urls[which];
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
