/*
 * syncnorm.h — providers' report bodies into catalogue-named rows.
 *
 * Fetch-and-normalise, the normalise half: each provider's report bodies
 * (parsed JSON) turned into metric_daily rows named as its catalogue
 * names them.  The normalisers are defined in their provider's file
 * (lib/providers/<slug>.c) and declared here so that the unit tests feed
 * them the examples of tests/fixtures/providers; this module holds the
 * rows being built and the checks every normaliser shares.  Pure: no
 * I/O, no clock.
 *
 * Values stay text from the wire to PostgreSQL's numeric: money is
 * shifted to micros on its decimal digits, never through floating point.
 * A body that does not have the shape the provider documents is refused
 * with ERR_INPUT and n->why naming the field; rows added by a refused
 * call are dropped (n->n is restored), so a batch is never partial.
 * Everything lives in the arena given to syncnorm_init().
 */
#ifndef SLUICE_SYNCNORM_H
#define SLUICE_SYNCNORM_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

struct arena;
struct metric_row;
struct json_object;

/* Rows being built for one provider and account. */
struct syncnorm {
	struct arena		*a;
	const char		*provider;	/* slug: the rows' source */
	const char		*account;	/* default account_id */
	struct metric_row	*rows;
	size_t			 n;
	size_t			 size;
	bool			 has_dims;
	bool			 overflowed;	/* a row past LIMIT_SYNC_ROWS */
	const char		*from;		/* rows dated before: left out */
	/* Set by a fetch whose provider leaves out a row whose metrics are
	 * all 0 (Google Ads): the days (YYYY-MM-DD) its answers covered
	 * whole.  A stored row of the account (or "ACCOUNT:…") of those
	 * days, of a summed metric, that the rows lack is 0 now. */
	const char		*zero_from, *zero_to;
	/* The account's currency, when a normaliser learnt it from the
	 * report (GA4's metadata): the sync gives it to the account's
	 * stored money rows that name none (written before it was kept). */
	const char		*currency;
	const char		*why;		/* set with ERR_INPUT */
};

/* One Slack message for table communications. */
struct syncnorm_msg {
	const char	*channel;
	const char	*ts;
	const char	*thread_ts;	/* NULL outside threads */
	const char	*user;		/* NULL for bots without one */
	const char	*text;
	long		 reply_count;
	const char	*thread_state;	/* a parent's replies, in the
					   provider's words; NULL: none */
	const char	*day;		/* YYYY-MM-DD (UTC) of ts */
	const char	*raw;		/* the message as JSON text */
};

/* Slack messages being collected (arena-owned). */
struct syncnorm_msgs {
	struct syncnorm_msg	*v;
	size_t			 n;
	size_t			 size;
};

/* Starts an empty set of rows (arena-owned). */
void		 syncnorm_init(struct syncnorm *, struct arena *,
		    const char *provider, const char *account);

/*
 * Adds one row (strings copied into the arena).  account NULL: the
 * default; dims NULL: {}.  A row dated before n->from (when set) is
 * left out (ERR_OK).  ERR_TOOBIG past LIMIT_SYNC_ROWS, and n->overflowed
 * stays set: the sync refuses the whole set, whether or not the caller
 * looked at the return value, so a batch is never partial.
 */
enum err	 syncnorm_add(struct syncnorm *, const char *account,
		    const char *metric, const char *day, const char *value,
		    const char *dims);

/*
 * The decimal text s (a JSON number: sign, digits, fraction, exponent)
 * times 10^shift, rounded half away from zero to an integer when
 * integer is true; an arena string, or NULL when s is not a number.
 */
const char	*syncnorm_decimal(struct arena *, const char *s, int shift,
		    bool integer);

/*
 * Refuses the call: drops the rows added since mark, sets n->why from the
 * format (naming the field) and returns ERR_INPUT.
 */
enum err	 syncnorm_bad(struct syncnorm *, size_t mark, const char *fmt,
		    ...) __attribute__((format(printf, 3, 4)));

/* A JSON string or number as its text (owned by v); NULL otherwise. */
const char	*syncnorm_text(struct json_object *v);

/* A count (JSON integer >= 0, or a string of digits) as text, else NULL. */
const char	*syncnorm_count(struct json_object *v);

/* A count (syncnorm_count()) as a new JSON integer the caller owns;
 * NULL (JSON null) when v is not one. */
struct json_object *syncnorm_count_json(struct json_object *v);

/* True when s is 1 to 20 decimal digits. */
bool		 syncnorm_is_count(const char *s);

/* True when s looks like YYYY-MM-DD. */
bool		 syncnorm_is_day(const char *s);

/* "YYYYMMDD" as "YYYY-MM-DD" (arena), or NULL. */
const char	*syncnorm_ymd(struct arena *, const char *s);

/* Seconds since the epoch as their UTC day, YYYY-MM-DD (arena). */
const char	*syncnorm_epoch_day(struct arena *, long long secs);

/* Compact JSON {k1: v1, k2: v2, k3: v3} leaving out NULL values (k3 may
 * be NULL too); arena-owned. */
const char	*syncnorm_dims(struct arena *, const char *k1, const char *v1,
		    const char *k2, const char *v2, const char *k3,
		    const char *v3);

/* The count member key of o stored as metric on day: one row, or
 * syncnorm_bad() naming who and key when it is missing. */
enum err	 syncnorm_count_on(struct syncnorm *, const char *who,
		    struct json_object *o, const char *key,
		    const char *metric, const char *day);

/* The first LIMIT_CONTENT_CAPTION characters of s (UTF-8; an invalid
 * byte is left out), with "…" when cut; "" for NULL; arena-owned. */
const char	*syncnorm_excerpt(struct arena *, const char *s);

/*
 * A new content item (lib/providers/fetch.h), owned by the caller: id,
 * type, caption (syncnorm_excerpt() of caption, in n's arena), permalink
 * (left out when NULL) and published_at, in that order.
 */
struct json_object *syncnorm_item(struct syncnorm *, const char *id,
		    const char *type, const char *caption,
		    const char *permalink, const char *published_at);

/* Member k of o when it is an array, else NULL. */
struct json_object *syncnorm_array(struct json_object *o, const char *k);

/* --- the providers' normalisers (lib/providers/<slug>.c) ------------ */

/*
 * GA4 runReport with the date dimension: one row per day and metric
 * (sessions, total_users, active_users, new_users, page_views,
 * engaged_sessions — or from bounceRate —, session_duration from
 * averageSessionDuration, key_events, revenue_micros).  No `rows`: none.
 */
enum err	 syncnorm_ga4(struct syncnorm *, struct json_object *report);

/*
 * GA4 runReport without dimensions over the days-long period ending on
 * day end (YYYY-MM-DD): the provider's own totals of the non-additive
 * metrics, stored as active_users:<days>d and total_users:<days>d on end.
 */
enum err	 syncnorm_ga4_totals(struct syncnorm *,
		    struct json_object *report, int days, const char *end);

/*
 * Google Ads searchStream (an array of batches) per campaign and day:
 * account_id "<customer>:<campaign id>", dims {campaign_id,
 * campaign_name, currency}; impressions, clicks, cost_micros (exact),
 * conversions, conversion_value_micros.
 */
enum err	 syncnorm_google_ads(struct syncnorm *,
		    struct json_object *body, const char *customer,
		    const char *currency);

/* One row of a Google Ads customer_client query. */
struct syncnorm_ads_client {
	const char	*id;		/* "4400000044" */
	const char	*name;		/* descriptiveName, or NULL */
	const char	*status;	/* ENABLED, CANCELED, ...; or NULL */
	const char	*currency;	/* or NULL */
	const char	*time_zone;	/* or NULL */
	long		 level;		/* 0: the customer asked */
	bool		 manager;
};

/*
 * Google Ads searchStream of customer_client (an array of batches): its
 * rows into out (at most max, the rest left out), *n their count;
 * strings belong to body.  ERR_UPSTREAM with *why when the body is not
 * that shape or a row has no numeric id or level.
 */
enum err	 syncnorm_google_ads_clients(struct arena *,
		    struct json_object *body, struct syncnorm_ads_client *out,
		    size_t max, size_t *n, const char **why);

/*
 * YouTube Analytics reports (columnHeaders + rows, dimension day):
 * views, watch_minutes, subscribers_gained, subscribers_lost, likes,
 * comments, shares.  No `rows`: none.
 */
enum err	 syncnorm_youtube(struct syncnorm *,
		    struct json_object *report);

/* YouTube channels.list with statistics: subscribers on day. */
enum err	 syncnorm_youtube_channel(struct syncnorm *,
		    struct json_object *list, const char *day);

/*
 * Facebook Page insights (period=day): page_media_view impressions,
 * page_total_media_view_unique reach, page_post_engagements engagements,
 * page_views_total page_views, page_follows followers.  A value's day is
 * the day before its end_time's date (Pacific day boundaries).
 */
enum err	 syncnorm_facebook(struct syncnorm *, struct json_object *body);

/*
 * Facebook Page insights of page_total_media_view_unique with
 * period=week or period=days_28: each value, the unique viewers of the
 * 7 or 28 days ending on the day before its end_time's date, as
 * reach:7d or reach:28d on that day.  Other metrics and periods: none.
 */
enum err	 syncnorm_facebook_totals(struct syncnorm *,
		    struct json_object *body);

/*
 * Instagram insights.  Time series (metric_type unset): reach per day.
 * With day set, a total_value answer for that one day: views,
 * engagements (total_interactions), profile_views.  With totals_days,
 * a total_value reach over the period ending on day: reach:<N>d.
 */
enum err	 syncnorm_instagram(struct syncnorm *, struct json_object *body,
		    const char *day, int totals_days);

/*
 * One page of Instagram's /{ig-user}/media (fields id, caption,
 * media_type, media_product_type, permalink, timestamp, like_count,
 * comments_count) into content items (lib/providers/fetch.h) appended
 * to the JSON array items: type reel (REELS), story (STORY), else post;
 * each with "likes"/"comments" (null when the field is absent: the
 * owner hid likes) under "counts".  Items published before day since
 * (YYYY-MM-DD, UTC) are left out and set *older (the list is newest
 * first).  ERR_INPUT with n->why for a body without data or an item
 * without id or timestamp.
 */
enum err	 syncnorm_instagram_media(struct syncnorm *,
		    struct json_object *body, const char *since,
		    struct json_object *items, bool *older);

/* An item's /{media}/insights answer into its metrics object: views,
 * reach, saves (saved) and shares where data[] has them (else null). */
void		 syncnorm_instagram_media_insights(struct json_object *body,
		    struct json_object *metrics);

/*
 * A YouTube videos answer (part snippet, statistics, contentDetails) into
 * content items (lib/providers/fetch.h) appended to the JSON array
 * items: type short (at most three minutes long) or video, the title as
 * caption, "views"/"likes"/"comments" under "counts" (null when absent:
 * hidden likes, comments off).  ERR_INPUT with n->why for a body without
 * items or an item without id or snippet.publishedAt.
 */
enum err	 syncnorm_youtube_videos(struct syncnorm *,
		    struct json_object *body, struct json_object *items);

/*
 * One page of a Facebook Page's published_posts (fields id, message,
 * permalink_url, created_time, shares, reactions and comments with
 * summary(total_count)) into content items of type post appended to
 * items, with "likes" (reactions), "comments" and "shares" under
 * "counts" (null when absent).  Posts created before day since are
 * left out and set *older.  ERR_INPUT with n->why for a body without
 * data or a post without id or created_time.
 */
enum err	 syncnorm_facebook_posts(struct syncnorm *,
		    struct json_object *body, const char *since,
		    struct json_object *items, bool *older);

/* A post's insights answer into its metrics object: views
 * (post_media_view) and reach (post_total_media_view_unique), else
 * null. */
void		 syncnorm_facebook_post_insights(struct json_object *body,
		    struct json_object *metrics);

/*
 * One page of LinkedIn's /rest/posts (q=author) into content items
 * appended to items (published ones only; type video when its media is
 * a urn:li:video:, else post; the commentary as caption).  Posts created
 * before day since are left out and set *older.  ERR_INPUT with n->why
 * for a body without elements or a post without id or createdAt.
 */
enum err	 syncnorm_linkedin_posts(struct syncnorm *,
		    struct json_object *body, const char *since,
		    struct json_object *items, bool *older);

/* Share statistics of posts (shares= or ugcPosts=List(...)) into byid:
 * the post's urn -> its metrics object (views, reach, likes, comments,
 * shares; saves and an absent count null). */
void		 syncnorm_linkedin_post_stats(struct json_object *body,
		    struct json_object *byid);

/* Instagram user fields: followers (followers_count) on day. */
enum err	 syncnorm_instagram_user(struct syncnorm *,
		    struct json_object *user, const char *day);

/*
 * Meta Ads insights (level=campaign, time_increment=1) of ad account
 * account: account_id "<account>:<campaign_id>", dims {campaign_id,
 * campaign_name, currency}; impressions, reach, clicks, spend_micros
 * (exact), conversions (the purchase actions).  Missing days: no row.
 */
enum err	 syncnorm_meta_ads(struct syncnorm *, struct json_object *body,
		    const char *currency);

/*
 * Meta Ads insights at level=account over time_ranges (one row per
 * range: date_start, date_stop, reach): for each of the nranges ranges
 * asked ({since, until}, YYYY-MM-DD), the reach of its row as
 * reach:<N>d (N its days) on until, account the default, dims
 * {currency}; "0" when the answer has no row for it (no delivery).
 * Rows of ranges not asked for are ignored.
 */
enum err	 syncnorm_meta_ads_totals(struct syncnorm *,
		    struct json_object *body, const char *currency,
		    const char *const ranges[][2], size_t nranges);

/*
 * LinkedIn organizationalEntityShareStatistics by DAY: impressions,
 * clicks, engagements (clicks, likes, comments and shares), day from
 * timeRange.start (UTC).
 */
enum err	 syncnorm_linkedin(struct syncnorm *, struct json_object *body);

/* LinkedIn networkSizes: followers (firstDegreeSize) on day. */
enum err	 syncnorm_linkedin_followers(struct syncnorm *,
		    struct json_object *body, const char *day);

/*
 * Mailchimp lists/{id}/activity: emails_sent, opens (unique_opens),
 * clicks (recipient_clicks), bounces (hard + soft), unsubscribes.
 * *count gets the number of days in the page.
 */
enum err	 syncnorm_mailchimp(struct syncnorm *, struct json_object *body,
		    size_t *count);

/*
 * Mailchimp /reports: each campaign of audience list, on its send day
 * in the account's time zone (days[i] for reports[i]; days NULL or
 * days[i] NULL: send_time's own date), account LIST:CAMPAIGN, dims {campaign_id,
 * campaign_title}: campaign_emails_sent, campaign_opens (unique opens),
 * campaign_clicks (unique subscriber clicks), campaign_unsubscribes,
 * campaign_bounces (hard + soft) — totals that keep growing for days
 * after the send.  Other audiences' campaigns are skipped.  *count gets
 * the number of reports in the page.
 */
enum err	 syncnorm_mailchimp_reports(struct syncnorm *,
		    struct json_object *body, const char *list,
		    const char *const *days, size_t *count);

/*
 * GitHub traffic/views or traffic/clones (kind "views" or "clones"):
 * views and unique_visitors per day, unique_visitors:14d (the top-level
 * uniques) on end; clones per day.
 */
enum err	 syncnorm_github_traffic(struct syncnorm *,
		    struct json_object *body, const char *kind,
		    const char *end);

/* GitHub repository: stars (stargazers_count) on day. */
enum err	 syncnorm_github_repo(struct syncnorm *,
		    struct json_object *repo, const char *day);

/*
 * Slack conversations.history or conversations.replies of channel:
 * appends its messages to out (a thread's parent again from replies is
 * skipped); *cursor gets response_metadata.next_cursor or NULL.
 */
enum err	 syncnorm_slack(struct syncnorm *, struct json_object *body,
		    const char *channel, bool replies,
		    struct syncnorm_msgs *out, const char **cursor);

#endif
