/*
 * views.h — JSON views for the pages' templates, built from domain data.
 * Everything here only shapes data for display (labels, relative times,
 * which actions fit a status); templates escape it.  Objects returned are
 * owned by the arena.
 */
#ifndef SLUICE_VIEWS_H
#define SLUICE_VIEWS_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"

struct arena;
struct config;
struct connection;
struct ctx;
struct export_query;
struct json_object;
struct provider;
struct schedule_view;

/* "just now", "5 minutes ago", "3 days ago" for an age in seconds. */
const char	*views_ago(struct arena *, int64_t seconds);

/*
 * One connection's card: name, slug, id, owner (the login, when named),
 * status {label, class}, the actions that fit (connect, reconnect,
 * choose, test, sync, disconnect), the selected accounts' names, last
 * sync, last error, sandbox badge, the setup hint when not configured.
 * c is NULL when never connected;
 * can_edit is false for viewers (no actions).
 */
struct json_object *views_connection_card(struct arena *,
		    const struct provider *, const struct connection *c,
		    const struct config *, bool can_edit);

/* A duration for people: "840 ms", "2.4 s", "1 min 05 s". */
const char	*views_duration(struct arena *, int64_t ms);

/*
 * What a connection's page and its polling script say of its sync, from
 * the history document h (connection_history_json()).  While a job is
 * queued or running, *live gets what a queued one waits for ("Sync
 * queued: a sync worker takes it within seconds…", the time it is due,
 * or that no worker has checked in, h's job_due and worker_age) or
 * "Syncing LinkedIn… 2 of 3 organizations done, 1,234 rows
 * fetched so far (12 s)."; else NULL.  When finished is true (the page
 * was opened after a Sync now) and no job is active, *result gets what
 * the last run came to ("Sync finished: 1,632 rows fetched, 120 changed,
 * in 2.4 s.", "Sync failed: …") and *failed whether it is bad news;
 * else *result is NULL.  Strings in the arena.
 */
void		 views_sync_state(struct arena *, const struct provider *,
		    struct json_object *h, bool finished, const char **live,
		    const char **result, bool *failed);

/*
 * The schedule's part of a page (lib/sync/schedule.h): {enabled, time_zone,
 * next_sync, next_digest, last_tick, stale, banner (what is wrong and
 * what to do, when stale), sync_hour_label, hours[{value, label,
 * selected}] for the settings' choice ("" is the default)}.
 */
struct json_object *views_schedule(struct arena *,
		    const struct schedule_view *);

/*
 * SVG polyline points ("x,y x,y ...") drawing a series (JSON array of
 * numbers or nulls) in a width x height box; "" when it has no numbers.
 */
const char	*views_sparkline(struct arena *, struct json_object *series,
		    int width, int height);

/*
 * A chart a person can read, for a template to draw as inline SVG: one
 * value a day of series (JSON array of numbers or nulls, day i being
 * first, "YYYY-MM-DD", plus i), with previous (the period before's
 * values by the same day index, or NULL) as a faint comparison line;
 * what names the values ("Sessions"), unit and currency write them as
 * numfmt_value() does.  Returns {width, height (the viewBox), has_data,
 * segments[{points}] (the line, broken where a day has no data: no
 * zeros are made up), previous[{points}], points[{x, y, title}] (title
 * "YYYY-MM-DD: value"), yticks[{y, x0, x1, lx, label}] (a few rounded
 * values from zero or below, written with the unit), xticks[{x, y,
 * label, anchor}] (the first, middle and last day; anchor start, middle
 * or end), title ("Sessions per day"), summary ("…, from to to: lowest
 * v on day, highest v on day; no data on n days") and rows[{day, value,
 * before}] (a table of the same numbers; before only with previous),
 * has_previous, empty ("No data for these days yet.")}; has_data
 * false (and only title, summary and empty set) when no day has a
 * number.  Every text is plain: templates escape it (the partial
 * "partials/chart" draws it).  The object is owned by the arena.
 */
struct json_object *views_chart(struct arena *, struct json_object *series,
		    struct json_object *previous, const char *first,
		    const char *what, const char *unit, const char *currency);

/*
 * The dashboard's view from the tiles document (lib/metrics/tiles.h): per
 * provider its name, whose calendar its days follow (provider.days), a
 * chart of its first metric and its tiles with formatted values (money
 * in its currency, named in the label), change (▲/▼ and % or pp,
 * "partial data", "not available"), coverage and sparkline points; the
 * period's days and zone; period is "7d", "28d", "90d" or "custom" (its
 * from and to then fill the range form); "download", the query of the
 * same days' CSV (/dashboard/export.csv).  At most LIMIT_TILES tiles; when the document left some out
 * (more_tiles) or had more, more_note says how many and what to do.
 */
struct json_object *views_dashboard(struct arena *, const char *tiles_json,
		    const char *period);

/* views_dashboard() of the tiles document already parsed (doc, NULL when
 * it could not be read: no tiles); doc's strings are used in place, so
 * it must live as long as the view (the same arena). */
struct json_object *views_dashboard_doc(struct arena *,
		    struct json_object *doc, const char *period);

/*
 * Running totals (the catalogue's LAST metrics: GitHub's stars,
 * LinkedIn's followers) that a provider states as of its sync only — a
 * first sync stores today's count, after the days shown, which end
 * yesterday — added to the dashboard view v (views_dashboard()) of the
 * request's workspace while its days end yesterday: for each such metric
 * without a tile in these days, a tile of its latest value (each
 * account's latest row, added up; an average such as a rating only for
 * one account), dated: "as_of" (YYYY-MM-DD, or "from to" when the
 * accounts' days differ) and change "as of 2026-12-07", with no
 * comparison; a provider without a section gets one.  Additive metrics
 * and the period's own tiles are left as they are.  ERR_DB.
 */
enum err	 views_dashboard_latest(struct ctx *, struct json_object *v);

/*
 * Completes a dashboard view v (views_dashboard()) with the workspace's
 * live connections conns[0..n) and their sync state (status_json, the
 * text of syncq_status_ws_json(); NULL: unknown).  A source with tiles
 * whose accounts name their zones (the listing's time_zone) gets "days"
 * naming them ("America/New_York (Shop) and Europe/Berlin (Blog)")
 * instead of its provider's words.  A connected source with catalogue
 * metrics but no tile in these days is added after the others as {slug,
 * name, quiet} — quiet "No numbers for these days yet" and why when it
 * is known: its first sync is queued or running, its last sync failed
 * (and how), it has never synced, or its syncs found none for these
 * days — instead of being left out.  A source with tiles while a sync of
 * one of its connections is running or queued gets "syncing" saying so
 * (its numbers may still change).  "has_sources" says whether v has a
 * source to show.  Strings arena-owned.
 */
void		 views_dashboard_sources(struct arena *, struct json_object *v,
		    const struct connection *conns, size_t n,
		    const char *status_json);

/*
 * The dashboard's "Reviews" section of the request's workspace: {chart
 * (views_chart() of the average rating of the days days ending today in
 * the workspace's zone — each day the mean of the locations' stated
 * averages weighted by their review counts, the "rating" and "reviews"
 * rows of the providers whose catalogue has a "rating"), recent[] (the 5
 * newest reviews, lib/metrics/reviews.h: stars, reviewer, date, excerpt,
 * location)}.  *out NULL when the workspace keeps neither reviews nor
 * ratings.  Arena-owned; ERR_DB.
 */
enum err	 views_reviews(struct ctx *, int days,
		    struct json_object **out);

/*
 * How many inquiries came in the workspace's days from..to (YYYY-MM-DD,
 * in its zone) into *in_days, and in the 28 days to today (the
 * Attribution page's default days) into *recent: what the attribution
 * report's channels add up to for those days (lib/business/
 * attribution.h), without its rules, spend and bookings.  Read on the
 * primary (an inquiry of a minute ago counts).  ERR_DB.
 */
enum err	 views_inquiries_counted(struct ctx *, const char *from,
		    const char *to, int64_t *in_days, int64_t *recent);

/*
 * For a dashboard view v with no inquiry in its days (which end
 * yesterday) and n in the 28 days to today: when n > 0, "attribution"
 * {recent: n, recent_text ("1 inquiry", "3 inquiries")}, so that one of
 * today is not missed; else v is left as it is.
 */
void		 views_attribution_recent(struct arena *, struct json_object *v,
		    int64_t n);

/*
 * The stylesheet of the providers' marks (/marks.css): ".mark-<slug>"
 * with each provider's colours from its file.  Arena-owned.
 */
const char	*views_marks_css(struct arena *);

/*
 * Streams the rows of q (lib/metrics/export.h) as a CSV download for the
 * request's workspace: text/csv, a file name that says what it holds,
 * no caching.  Errors as export_csv(); once the headers are out, an error
 * only cuts the body short.
 */
enum err	 views_download(struct ctx *, const struct export_query *);

#endif
