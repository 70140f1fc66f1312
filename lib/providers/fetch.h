/*
 * fetch.h — what a provider's fetch hook is given by the sync.
 *
 * A provider's fetch (struct provider's `fetch`) turns one account's
 * window of days into rows.  It never talks to the database or the queue
 * itself: the sync (lib/sync/sync.c) fills a struct fetch with the window
 * and the services below — the authenticated call with its 401-refresh-
 * retry and lease care, the window's days in a time zone, the listed
 * account's facts, and the message store of providers that keep
 * messages (Slack).  Tests fill it with their own services.  Everything
 * lives in f->a.
 */
#ifndef SLUICE_FETCH_H
#define SLUICE_FETCH_H

#include "base/err.h"
#include "providers/provider.h"

struct pcall;
struct pcall_result;
struct syncnorm;
struct syncnorm_msgs;
struct fetch;

/* The sync's side of a fetch. */
struct fetch_ops {
	/* One API call with the connection's token (or f->page_token):
	 * pcall_json()'s errors; f->why set on failure. */
	enum err	(*call)(struct fetch *, struct pcall *,
			    struct pcall_result *);
	/* The last `days` days up to today in time zone tz (the
	 * workspace's when NULL; UTC when unknown), YYYY-MM-DD. */
	enum err	(*window)(struct fetch *, const char *tz, long days,
			    const char **from, const char **to);
	/* A field of the listed account (time_zone, currency), or NULL. */
	const char	*(*account)(struct fetch *, const char *id,
			    const char *key);
	/* Messages of a channel: where to continue (a provider timestamp,
	 * the newest stored less `days`), storing, and the stored daily
	 * counts since day from as "messages" rows in n. */
	enum err	(*msgs_since)(struct fetch *, const char *channel,
			    long days, const char **oldest);
	enum err	(*msgs_store)(struct fetch *,
			    const struct syncnorm_msgs *);
	enum err	(*msgs_daily)(struct fetch *, struct syncnorm *n,
			    const char *channel, const char *from);
};

struct fetch {
	struct arena		*a;
	const struct provider	*p;
	const struct config	*cfg;
	const struct fetch_ops	*ops;
	long			 days;		/* the window's length */
	const char		*ws_tz;		/* the workspace's zone */
	const char		*api_base;	/* the account's (Mailchimp) */
	const char		*page_token;	/* instead of the user's */
	long			 pages;		/* calls made so far */
	const char		*why;		/* what failed */
	/* The last day the provider had published for the account
	 * (YYYY-MM-DD), when the hook can tell; NULL otherwise.  The
	 * next run asks again from the day after it. */
	const char		*through;
};

/* The services, by name: a GET of url, a POST of the JSON body to url,
 * or any call; errors as ops->call. */
enum err	 fetch_get(struct fetch *, const char *url,
		    struct pcall_result *);
enum err	 fetch_post(struct fetch *, const char *url, const char *body,
		    struct pcall_result *);
enum err	 fetch_call(struct fetch *, struct pcall *,
		    struct pcall_result *);
enum err	 fetch_window(struct fetch *, const char *tz, long days,
		    const char **from, const char **to);
const char	*fetch_account(struct fetch *, const char *id,
		    const char *key);

/* A URL of the provider under the configuration (provider_url()). */
const char	*fetch_base(struct fetch *, enum provider_url);

/* Records n->why as the failure and returns rc (for normaliser errors). */
enum err	 fetch_norm_failed(struct fetch *, struct syncnorm *n,
		    enum err rc);

#endif
