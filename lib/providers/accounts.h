/*
 * accounts.h — a connection's accounts at its provider, every page.
 *
 * GA4 properties (account summaries), Google Ads accessible customers,
 * YouTube channels (mine), Facebook pages, Instagram business accounts
 * behind those pages, Meta ad accounts, LinkedIn organizations the member
 * administers, Mailchimp audiences, Slack channels, GitHub public
 * repositories — following each provider's pagination.
 */
#ifndef SLUICE_ACCOUNTS_H
#define SLUICE_ACCOUNTS_H

#include "base/err.h"

struct arena;
struct config;
struct httpc;
struct oauth_tokens;
struct pcall_result;
struct provider;

#define ACCOUNTS_MAX_PAGES	100	/* pages followed per listing */
#define ACCOUNTS_MAX		2000	/* accounts kept per connection */

/*
 * Lists the accounts as a JSON array text [{"id","name",...}] (arena-
 * owned; "time_zone" and "currency" where the listing gives them).
 * Errors as pcall_json() returns them; *why says what failed.
 */
enum err	 accounts_list(struct httpc *, struct arena *,
		    const struct provider *, const struct config *,
		    const struct oauth_tokens *, const char **json_out,
		    const char **why);

/* "Test connection": the account listing again (an authenticated call
 * every provider has; it follows the listing's pages); same errors. */
enum err	 accounts_test(struct httpc *, struct arena *,
		    const struct provider *, const struct config *,
		    const struct oauth_tokens *, const char **why);

#endif
