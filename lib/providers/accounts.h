/*
 * accounts.h — a connection's accounts at its provider, every page.
 *
 * Each provider's `list` hook (its file in lib/providers/) follows its
 * own pagination and adds what it finds with accounts_add(); this module
 * runs the hook and gives it the authenticated call.
 */
#ifndef SLUICE_ACCOUNTS_H
#define SLUICE_ACCOUNTS_H

#include <stddef.h>

#include "base/err.h"
#include "providers/provider.h"

struct arena;
struct config;
struct httpc;
struct json_object;
struct oauth_tokens;
struct pcall;
struct pcall_result;

#define ACCOUNTS_MAX_PAGES	100	/* pages followed per listing */
#define ACCOUNTS_MAX		2000	/* accounts kept per connection */

/* One listing in progress, as a provider's `list` hook sees it. */
struct accounts_lister {
	struct httpc		*h;
	struct arena		*a;
	const struct provider	*p;
	const struct config	*cfg;
	const struct oauth_tokens *t;
	struct json_object	*out;	/* the array being built */
	const char		*why;	/* set by accounts_get() */
};

/* Adds an account (id NULL: nothing; name NULL: the id; tz and currency
 * when the listing gives them); past ACCOUNTS_MAX, nothing.  Returns the
 * account's object (owned by the listing: a provider may add its own
 * members, which the fetch reads back with fetch_account()), or NULL
 * when nothing was added. */
struct json_object *accounts_add(struct accounts_lister *, const char *id,
		    const char *name, const char *tz, const char *currency);

/* The account already added with this id, or NULL. */
struct json_object *accounts_find(struct accounts_lister *, const char *id);

/* GETs url with the connection's token; pcall_json()'s errors, l->why
 * set on failure. */
enum err	 accounts_get(struct accounts_lister *, const char *url,
		    struct pcall_result *);

/* Any call c (method, URL, body, and header2 when the provider has no
 * second header of its own) with the connection's token and the
 * provider's headers; errors as accounts_get(). */
enum err	 accounts_call(struct accounts_lister *, struct pcall *c,
		    struct pcall_result *);

/* The shape of a listing: where a page's items are, what to do with
 * each, and where the next page is. */
struct accounts_listing {
	/* The body's member holding the array of items; NULL: the body is
	 * the array.  Anything but an array lists nothing (a provider whose
	 * answer is one account reads it with accounts_get()). */
	const char	*items;
	enum err	(*each)(struct accounts_lister *,
			    struct json_object *item);
	/* The next page's URL (arena-owned), or NULL at the end; seen
	 * counts the items so far.  NULL: one page. */
	const char	*(*next)(struct accounts_lister *,
			    const struct pcall_result *page, size_t seen);
};

/* An each() for items that name the account in members id and name
 * (Facebook's Pages, Mailchimp's audiences): accounts_add() of them. */
enum err	 accounts_each_id_name(struct accounts_lister *,
		    struct json_object *item);

/*
 * GETs url and the pages after it, handing every item to each(); a page
 * without items ends the listing, so does ACCOUNTS_MAX_PAGES.
 * accounts_get()'s errors, or each()'s.
 */
enum err	 accounts_walk(struct accounts_lister *, const char *url,
		    const struct accounts_listing *);

/* A URL of the provider under the configuration (provider_url()). */
const char	*accounts_base(struct accounts_lister *,
		    enum provider_url);

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
