/*
 * export.h — GET /v1/metrics: stored numbers as JSON pages or CSV.
 *
 * A workspace's daily rows of metric_daily filtered by provider, account
 * and metric (each repeatable) over from..to (the workspace's days), or
 * the same
 * grouped by week (Monday first) or month with each metric's rule: a sum
 * of days, a running total's last day, and for a non-additive count (a
 * provider's unique users or reach) no value at all (its days cannot be
 * added; "note" says so).  Grouping keeps accounts and currencies apart:
 * a row is one account's metric in one currency over one period.  Rates
 * the catalogue derives (cost per click) are not rows: ask for their
 * parts.  Rows come in the order provider, account, metric, period.
 */
#ifndef SLUICE_EXPORT_H
#define SLUICE_EXPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct arena;
struct db;
struct kvlist;

#define EXPORT_MAX_NAMES	50	/* values of one repeatable parameter */
#define EXPORT_MAX_DAYS		3660	/* from..to, any format */
#define EXPORT_PAGE_DEFAULT	1000	/* rows of a JSON page */
#define EXPORT_PAGE_MAX		10000

enum export_group {
	EXPORT_DAY,
	EXPORT_WEEK,
	EXPORT_MONTH,
};

struct export_query {
	const char		*providers[EXPORT_MAX_NAMES];
	size_t			 nproviders;
	const char		*accounts[EXPORT_MAX_NAMES];
	size_t			 naccounts;
	const char		*metrics[EXPORT_MAX_NAMES];
	size_t			 nmetrics;
	const char		*from, *to;	/* YYYY-MM-DD; NULL: the
						 * days days ending
						 * yesterday */
	int			 days;		/* 28 unless set */
	enum export_group	 group;
	bool			 csv;
	/* The dashboard's CSV: also the running totals it shows dated
	 * (export_csv()). */
	bool			 latest;
	size_t			 limit;		/* rows of a JSON page */
	const char		*cursor;	/* next_cursor of the last */
};

/*
 * Reads a request's query (provider, account_id and metric repeatable;
 * from, to, group, format, limit, cursor) and its Accept header (text/csv
 * when format is not given) into q.  ERR_INPUT with *param naming the
 * parameter and *why saying what is wrong (an unknown provider lists the
 * known ones; a derived rate names its parts); ERR_TOOBIG when from..to is
 * longer than EXPORT_MAX_DAYS.  Strings belong to the arena.
 */
enum err	 export_parse(struct arena *, const struct kvlist *query,
		    const char *accept, struct export_query *q,
		    const char **param, const char **why);

/*
 * One JSON page of rows for workspace ws: {"from","to","group",
 * "time_zone","rows":[{"period","provider","account_id","metric",
 * "label","unit","aggregation","currency","value","days","dims"?,
 * "note"?}],"next_cursor"} (next_cursor null on the last page), in the
 * arena.  ERR_UNPROCESSABLE when to is today or later in the workspace's
 * zone, ERR_INPUT for a cursor that is not one of ours, ERR_NOTFOUND,
 * ERR_DB.
 */
enum err	 export_json(struct db *, struct arena *, int64_t ws,
		    const struct export_query *, const char **out);

/*
 * Every row as CSV (RFC 4180: a header row, CRLF line ends, fields with
 * a comma, quote or line break quoted, quotes doubled), written through
 * emit in pieces of at most 64 KiB as they are read (a server-side cursor
 * in the request's transaction: memory stays flat whatever the size).
 * begin is called once before the first piece, with the period's first
 * and last day (the headers go out then); a failure before it can still
 * be an error status.  With q->latest (daily rows of days ending
 * yesterday), the running totals the dashboard shows dated follow: of
 * each catalogue running total but money with no row in the days, each
 * account's latest row after them (not past tomorrow), its own day in
 * "period".  Errors as export_json(), and begin's and emit's.
 */
enum err	 export_csv(struct db *, struct arena *, int64_t ws,
		    const struct export_query *,
		    enum err (*begin)(void *arg, const char *from,
		    const char *to),
		    enum err (*emit)(void *arg, const char *data, size_t len),
		    void *arg);

/*
 * Whether each provider q names is a source of workspace ws: a provider
 * of the registry, or a name rows were ingested under there (ingest
 * takes any source name).  ERR_NOTFOUND with *why (in the arena) naming
 * the first that is neither and the sources that exist (the providers,
 * and at most LIMIT_SOURCES_NAMED ingested ones); else ERR_OK (*why
 * NULL), or ERR_DB.  A known source without rows in the days asked is
 * no error: its answer is empty.
 */
enum err	 export_sources(struct db *, struct arena *, int64_t ws,
		    const struct export_query *, const char **why);

/*
 * Whether each metric q names is one of workspace ws: in the catalogue of
 * one of q's sources (of any provider when q names none; a provider's
 * total "<metric>:<N>d" counts as its metric), or a name rows are stored
 * under there for q's sources (ingest takes any metric name; a walk of
 * the workspace's series, only for names no catalogue has).
 * ERR_NOTFOUND with *why (in the arena) naming the first that is
 * neither; else ERR_OK (*why NULL), or ERR_DB.  A known metric without
 * rows in the days asked is no error: its answer is empty.
 */
enum err	 export_metrics_known(struct db *, struct arena *, int64_t ws,
		    const struct export_query *q, const char **why);

/*
 * A query for the pages' downloads: the days (7, 28 or 90) ending
 * yesterday, or from..to, of every source or of provider only (may be
 * NULL), each day; CSV.
 */
void		 export_query_days(struct export_query *, int days,
		    const char *from, const char *to, const char *provider);

/* A download's file name (arena): what it holds and its days,
 * "sluice-metrics-daily-2026-11-01-to-2026-11-28.csv", with the source's
 * slug instead of "metrics" when q asks for one source only. */
const char	*export_filename(struct arena *, const char *from,
		    const char *to, const struct export_query *q);

#endif
