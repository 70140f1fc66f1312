/*
 * tiles.h — GET /v1/dashboard/tiles: a workspace's KPIs over N days.
 *
 * One tile per provider and metric of a workspace, each aggregated by its
 * catalogue rule (lib/metrics/metric.h) over the last N full days up to
 * yesterday in the workspace's time zone, with the previous N days, the
 * change and a daily sparkline.
 */
#ifndef SLUICE_TILES_H
#define SLUICE_TILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct arena;
struct db;

#define TILES_MAX_DAYS	366	/* longest custom range */
#define TILES_NUM_SIZE	32	/* tiles_num()'s out, with its NUL */

/*
 * A tile's number as the document writes it, NUL-terminated in out
 * (TILES_NUM_SIZE bytes): "null" when !ok or v is not finite, a whole
 * number below 10^15 in digits, else as printf's "%.15g" (the same bytes;
 * most values without printf).  Returns its length.
 */
size_t		 tiles_num(char *out, bool ok, double v);

/* Days of a period name: "7d" 7, "28d" 28, "90d" 90; 0 for anything else. */
int		 tiles_period(const char *);

/*
 * A custom range from..to (real dates, YYYY-MM-DD, inclusive): *days its
 * length and *why NULL, or *why saying what is wrong (not dates, to
 * before from, longer than TILES_MAX_DAYS) in plain words (static).
 */
void		 tiles_range(struct arena *, const char *from, const char *to,
		    int *days, const char **why);

/*
 * The tiles of a workspace as a JSON document in the arena (*out):
 *   {"period","days","time_zone","current":{"from","to"},
 *    "previous":{"from","to"},"tiles":[{"provider","metric","label",
 *    "unit","aggregation","currency","current","previous","change",
 *    "change_pct","change_pp","coverage":{"days","current","previous",
 *    "partial"},
 *    "series":[N numbers or null], "previous_series":[N numbers or null],
 *    "unavailable"}],"more_tiles"}
 * series holds a point a day of the current period, previous_series
 * the previous period's by the same day index (its day i is the current
 * day i less N days), null on days without data.
 * "unavailable" (only then present) says why a provider's own total
 * (TOTALS) does not exist for this period (metric_def.no_totals).
 * Money (unit currency_micros) is never added across currencies (a
 * row's currency: metric_daily.currency, from its dims): a money tile
 * per currency, "currency" its ISO 4217 code, null when the rows name
 * none; a RATIO of money divides by its denominator's rows of the same
 * currency.  A custom metric is split the same way.  Every other tile
 * adds all accounts up and has "currency" null.
 * coverage counts the days of each period with data; when the periods
 * have data on a different number of days (fewer before: a late start;
 * fewer now: a provider's publication lag) a sum or ratio tile is partial
 * and change, change_pct and change_pp are null (a running total or a
 * provider's period total is whole on any day).  A ratio's change is in
 * percentage points (change_pp; change_pct null); other units' in
 * percent.  "unavailable" (only then present) says why a provider's own
 * total (TOTALS) does not exist for this period.
 * The current period is the days days ending on end (YYYY-MM-DD; NULL:
 * yesterday in the workspace's zone, and period "7d", "28d" or "90d";
 * else period "custom"), days 1..TILES_MAX_DAYS; provider NULL means
 * every provider.  At most LIMIT_TILES tiles: every catalogue tile, then
 * custom metrics in order of provider and name while they fit;
 * more_tiles counts the custom ones left out.  Errors: ERR_INPUT for days
 * out of range or end not a date, ERR_UNPROCESSABLE when end is today or
 * later in the workspace's zone (a day not over compares with nothing),
 * ERR_NOTFOUND when the workspace does not exist, ERR_DB,
 * ERR_UNAVAILABLE.
 * The process keeps its last LIMIT_TILES_CACHE answers (up to
 * LIMIT_TILES_CACHE_BYTES each) and gives one again, without reading the
 * rows, while the workspace's metrics version (sql/340: every change to
 * its metric_daily rows moves it on), yesterday and zone are those it
 * was made with, for LIMIT_TILES_CACHE_SECONDS at most; fresh true makes
 * the answer anew (and keeps it).
 */
enum err	 tiles_json(struct db *, struct arena *, int64_t workspace_id,
		    int days, const char *end, const char *provider,
		    bool fresh, const char **out);

#endif
