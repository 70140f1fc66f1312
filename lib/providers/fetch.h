/*
 * fetch.h — what a provider's fetch hook is given by the sync.
 *
 * A provider's fetch (struct provider's `fetch`) turns one account's
 * window of days into rows.  It never talks to the database or the queue
 * itself: the sync (lib/sync/sync.c) fills a struct fetch with the window
 * and the services below — the authenticated call with its 401-refresh-
 * retry and lease care, the window's days in a time zone, the listed
 * account's facts, the message store of providers that keep messages
 * (Slack) and the item store of those that keep other items (reviews).
 * Tests fill it with their own services.  Everything lives in f->a.
 */
#ifndef SLUICE_FETCH_H
#define SLUICE_FETCH_H

#include "base/err.h"
#include "providers/provider.h"

struct pcall;
struct pcall_result;
struct syncnorm;
struct syncnorm_msg;
struct syncnorm_msgs;
struct fetch;

/* A channel's pass through its history: its window (provider
 * timestamps, both ends included) and the cursor of the next page (NULL
 * for the first). */
struct fetch_pass {
	const char	*oldest;
	const char	*latest;
	const char	*cursor;
};

/*
 * One page of a channel's history (thread NULL) or of a thread's
 * replies (thread: the parent's ts), as received, and the cursor of the
 * next page (NULL: it was the last).  Stored messages of the stretch
 * the page covers that it does not show are removed: for history, the
 * top-level messages from the page's oldest (the window's start on the
 * last page) up to where the page before ended, with their replies;
 * for replies, those after the page before's newest up to the page's
 * newest (without end on the last page).  On a thread's last page,
 * parent is the parent message, stored with its thread_state as the
 * state its replies were read in.
 */
struct fetch_page {
	const char			*channel;
	const char			*thread;
	const struct syncnorm_msgs	*m;
	const char			*cursor;
	const struct syncnorm_msg	*parent;
};

/*
 * Items of one kind that a provider keeps besides metrics, for one
 * account, as the fetch read them: json is an array of objects whose
 * members are the kind's columns (for "reviews": id, rating (1-5 or
 * null), comment, reviewer, created_at, updated_at, reply,
 * reply_updated_at, url; times ISO 8601; for "content": id, type (post,
 * reel, story, video, short), caption (an excerpt), permalink,
 * published_at, and metrics {views, reach, likes, comments, shares,
 * saves} when the item was measured this run, each a count or null where
 * the provider has none — never 0 for unknown).  since is where the
 * window the fetch read starts (an updated_at, a published_at; NULL: the
 * account's whole history): stored items of the account in the window
 * that json does not hold are removed (content: and those published
 * before since).
 */
struct fetch_items {
	const char	*kind;		/* "reviews", "content" */
	const char	*account;
	const char	*json;
	const char	*since;
};

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
	/* The dates (YYYY-MM-DD) in time zone tz of n ISO 8601 times with
	 * an offset (*days[i] NULL where ts[i] is not one); UTC when
	 * PostgreSQL does not know tz.  Arena-owned; ERR_DB. */
	enum err	(*local_days)(struct fetch *, const char *tz,
			    const char *const *ts, size_t n,
			    const char ***days);
	/*
	 * Messages of a channel, read in passes over a window of its
	 * history, newest first, that survive the worker being killed:
	 * msgs_pass() gives the pass in progress (or starts one over
	 * [oldest, latest], provider timestamps); msgs_thread() says where
	 * the replies of a thread stand: the stored state of the thread
	 * when they were last read whole (*seen, NULL when never) and the
	 * cursor of its next page when a read was cut short (*cursor);
	 * msgs_page() stores one page (struct fetch_page) and records where
	 * the pass goes on, in one statement; msgs_daily() adds the stored
	 * daily counts of every day from `from` to today (UTC) as
	 * "messages" rows to n, zero for a day without any.
	 */
	enum err	(*msgs_pass)(struct fetch *, const char *channel,
			    const char *oldest, const char *latest,
			    struct fetch_pass *out);
	enum err	(*msgs_thread)(struct fetch *, const char *channel,
			    const char *thread, const char **seen,
			    const char **cursor);
	enum err	(*msgs_page)(struct fetch *, const struct fetch_page *);
	enum err	(*msgs_daily)(struct fetch *, struct syncnorm *n,
			    const char *channel, const char *from);
	/* Upserts the items by id and removes those gone (struct
	 * fetch_items), in one statement: ERR_OK, ERR_INPUT for a kind
	 * the store does not keep or items it refuses, ERR_DB. */
	enum err	(*items_store)(struct fetch *,
			    const struct fetch_items *);
	/* Of the content items in it->json ([{id, published_at}]), the
	 * ids due a measurement as a JSON array (*due, arena): published
	 * in the last 30 days, or last measured 7 days ago or more (or
	 * never).  ERR_INPUT for another kind, ERR_DB. */
	enum err	(*items_due)(struct fetch *,
			    const struct fetch_items *, const char **due);
};

struct fetch {
	struct arena		*a;
	const struct provider	*p;
	const struct config	*cfg;
	const struct fetch_ops	*ops;
	long			 days;		/* the window's length */
	long			 backfill;	/* a first sync's window */
	const char		*ws_tz;		/* the workspace's zone */
	const char		*api_base;	/* the account's (Mailchimp) */
	const char		*page_token;	/* instead of the user's */
	long			 pages;		/* calls made so far */
	const char		*why;		/* what failed */
	/* The last day the provider had published for the account
	 * (YYYY-MM-DD), when the hook can tell; NULL otherwise.  The
	 * next run asks again from the day after it. */
	const char		*through;
	/* The last day (YYYY-MM-DD) through which the rows the hook has
	 * added so far are complete, when its rows come in date order
	 * (GA4); NULL otherwise.  When a rate limit stops a backfill, those
	 * rows are stored and the retry asks from that day on. */
	const char		*stored_through;
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
enum err	 fetch_local_days(struct fetch *, const char *tz,
		    const char *const *ts, size_t n, const char ***days);

/* Stores items (ops->items_store); errors as that. */
enum err	 fetch_items_store(struct fetch *, const struct fetch_items *);

/* The items due a measurement (ops->items_due); errors as that. */
enum err	 fetch_items_due(struct fetch *, const struct fetch_items *,
		    const char **due);

/*
 * Of the content items of account read for the window starting on day
 * from (items: a JSON array of normalised items, each with "id" and
 * "published_at"), those due a measurement (ops->items_due): *due, a
 * JSON array of their ids, arena-owned.  Fills fi (kind "content", the
 * account, the window) for the store that follows.  Errors as
 * fetch_items_due(); ERR_DB when its answer is not JSON.
 */
enum err	 fetch_content_due(struct fetch *, struct fetch_items *fi,
		    const char *account, const char *from,
		    struct json_object *items, struct json_object **due);

/* Whether id is one of the JSON array of ids due. */
bool		 fetch_due_has(struct json_object *due, const char *id);

/*
 * The "metrics" of a content item due a measurement (fetch_content_keep()):
 * *out a new object (given to the item), or NULL (JSON null).  ERR_OK,
 * or an error that stops the content part.
 */
typedef enum err (*fetch_item_metrics)(struct fetch *,
		    struct json_object *item, const char *id, void *arg,
		    struct json_object **out);

/*
 * Keeps the content items that fetch_content_due() measured (fi, due):
 * each item due a measurement gets its "metrics" from metrics(f, item,
 * id, arg, &m); every item then loses its "counts" (what its listing
 * gave, for metrics() to read); the items are stored
 * (fetch_items_store()).  metrics()'s errors, or the store's.
 */
enum err	 fetch_content_keep(struct fetch *, struct fetch_items *fi,
		    struct json_object *items, struct json_object *due,
		    fetch_item_metrics metrics, void *arg);

/* A URL of the provider under the configuration (provider_url()). */
const char	*fetch_base(struct fetch *, enum provider_url);

/*
 * The end of an optional part of an account's fetch (its content items):
 * rc as that part ended.  A provider's refusal or failure (an endpoint a
 * grant may not read, one that is missing or answers oddly, a quota)
 * leaves the part out, logged with what and f->why, and keeps the
 * account's numbers: ERR_OK.  A database error stays one.
 */
enum err	 fetch_optional(struct fetch *, enum err rc, const char *what,
		    const char *account);

/* Records n->why as the failure and returns rc (for normaliser errors). */
enum err	 fetch_norm_failed(struct fetch *, struct syncnorm *n,
		    enum err rc);

#endif
