/*
 * cgi-bin/sandbox.c — the built-in provider sandbox
 * (lib/sandbox/sandbox.h): the OAuth pages and APIs of the ten providers
 * under /sandbox/, each provider's own path after its prefix.  Answers 404 unless
 * SLUICE_SANDBOX is on.
 */
#include "base/mem.h"
#include "sandbox/sandbox.h"
#include "web/app.h"

#define G	HTTP_GET
#define P	HTTP_POST
#define GP	(HTTP_GET | HTTP_POST)
#define N	ROUTE_NODB

static const struct route routes[] = {
	{ G, "/sandbox/bases", sandbox_index, N, 0 },
	{ P, "/sandbox/consent", sandbox_consent, N | ROUTE_HTML, 0 },

	/* Google */
	{ G, "/sandbox/google-accounts/o/oauth2/v2/auth", sandbox_authorize,
	    N | ROUTE_HTML, 0 },
	{ P, "/sandbox/google-oauth/token", sandbox_google_token, N, 0 },
	{ P, "/sandbox/google-oauth/revoke", sandbox_google_revoke, N, 0 },
	{ G, "/sandbox/ga4-admin/v1beta/accountSummaries",
	    sandbox_ga4_summaries, N, 0 },
	{ G, "/sandbox/ga4-admin/v1beta/properties/:id",
	    sandbox_ga4_property, N, 0 },
	{ P, "/sandbox/ga4-data/v1beta/properties/:idaction",
	    sandbox_ga4_report, N, 0 },
	{ G, "/sandbox/google-ads/:ver/customers:listAccessibleCustomers",
	    sandbox_ads_customers, N, 0 },
	{ P, "/sandbox/google-ads/:ver/customers/:cust/:idaction",
	    sandbox_ads_stream, N, 0 },
	{ G, "/sandbox/youtube/v3/channels", sandbox_yt_channels, N, 0 },
	{ G, "/sandbox/youtube-analytics/v2/reports", sandbox_yt_reports, N,
	    0 },

	/* Meta */
	{ G, "/sandbox/facebook/:ver/dialog/oauth", sandbox_authorize,
	    N | ROUTE_HTML, 0 },
	{ G, "/sandbox/graph/:ver/oauth/access_token", sandbox_meta_token, N,
	    0 },
	{ G, "/sandbox/graph/:ver/debug_token", sandbox_meta_debug, N, 0 },
	{ G, "/sandbox/graph/:ver/:id", sandbox_meta_node, N, 0 },
	{ GP | HTTP_DELETE, "/sandbox/graph/:ver/:id/:edge", sandbox_meta_edge,
	    N, 0 },

	/* LinkedIn */
	{ G, "/sandbox/linkedin-www/oauth/v2/authorization",
	    sandbox_authorize, N | ROUTE_HTML, 0 },
	{ P, "/sandbox/linkedin-www/oauth/v2/accessToken",
	    sandbox_linkedin_token, N, 0 },
	{ P, "/sandbox/linkedin-www/oauth/v2/introspectToken",
	    sandbox_linkedin_introspect, N, 0 },
	{ P, "/sandbox/linkedin-www/oauth/v2/revoke", sandbox_linkedin_revoke,
	    N, 0 },
	{ G, "/sandbox/linkedin-api/rest/organizationAcls",
	    sandbox_linkedin_acls, N, 0 },
	{ G, "/sandbox/linkedin-api/rest/organizations/:id",
	    sandbox_linkedin_org, N, 0 },
	{ G, "/sandbox/linkedin-api/rest/organizationalEntityShareStatistics",
	    sandbox_linkedin_stats, N, 0 },
	{ G, "/sandbox/linkedin-api/rest/organizationPageStatistics",
	    sandbox_linkedin_stats, N, 0 },
	{ G, "/sandbox/linkedin-api/rest/"
	    "organizationalEntityFollowerStatistics", sandbox_linkedin_stats,
	    N, 0 },
	{ G, "/sandbox/linkedin-api/rest/networkSizes/:urn",
	    sandbox_linkedin_network, N, 0 },

	/* Mailchimp */
	{ G, "/sandbox/mailchimp-login/oauth2/authorize", sandbox_authorize,
	    N | ROUTE_HTML, 0 },
	{ P, "/sandbox/mailchimp-login/oauth2/token",
	    sandbox_mailchimp_token, N, 0 },
	{ G, "/sandbox/mailchimp-login/oauth2/metadata",
	    sandbox_mailchimp_metadata, N, 0 },
	{ G, "/sandbox/mailchimp/:dc/3.0/lists", sandbox_mailchimp_lists, N,
	    0 },
	{ G, "/sandbox/mailchimp/:dc/3.0/reports", sandbox_mailchimp_reports,
	    N, 0 },
	{ G, "/sandbox/mailchimp/:dc/3.0/lists/:id/activity",
	    sandbox_mailchimp_activity, N, 0 },

	/* Slack */
	{ G, "/sandbox/slack/oauth/v2/authorize", sandbox_authorize,
	    N | ROUTE_HTML, 0 },
	{ GP, "/sandbox/slack/api/:method", sandbox_slack_method, N, 0 },

	/* GitHub */
	{ G, "/sandbox/github/login/oauth/authorize", sandbox_authorize,
	    N | ROUTE_HTML, 0 },
	{ P, "/sandbox/github/login/oauth/access_token", sandbox_github_token,
	    N, 0 },
	{ G, "/sandbox/github-api/user", sandbox_github_user, N, 0 },
	{ G, "/sandbox/github-api/user/repos", sandbox_github_repos, N, 0 },
	{ G, "/sandbox/github-api/repos/:owner/:repo", sandbox_github_repo, N,
	    0 },
	{ G, "/sandbox/github-api/repos/:owner/:repo/traffic/:kind",
	    sandbox_github_traffic, N, 0 },
	{ G, "/sandbox/github-api/repos/:owner/:repo/stargazers",
	    sandbox_github_stargazers, N, 0 },
	{ G, "/sandbox/github-api/rate_limit", sandbox_github_rate, N, 0 },
	{ HTTP_DELETE, "/sandbox/github-api/applications/:client/:what",
	    sandbox_github_revoke, N, 0 },
};

int
main(int argc, char *argv[])
{
	static const struct app_def def = {
		"sandbox", routes, nitems(routes), NULL,
		NULL,
	};

	return app_main(&def, argc, argv);
}
