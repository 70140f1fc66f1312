/*
 * insights.h — what changed in a week, and what to do about it.
 *
 * KPI totals of a workspace against the previous week by each metric's
 * catalogue rule (lib/metrics/metric.h), the biggest movers up and down,
 * days beyond mean +/- 3 sigma of their prior 28 days, and connection
 * health (needs re-auth, failing syncs, data older than 48 hours).  Every
 * insight carries one plain sentence saying what to do.
 *
 * The computation is pure (insights_compute() takes arrays, no clock and
 * no database) and deterministic: same input, same output, same order.
 * insights_load() only reads the arrays from the database.  Everything
 * returned lives in the caller's arena.
 */
#ifndef SLUICE_INSIGHTS_H
#define SLUICE_INSIGHTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct arena;
struct db;

#define INSIGHTS_PERIOD		7	/* days in a period (a week) */
#define INSIGHTS_BASELINE	28	/* days an anomaly is judged against */
#define INSIGHTS_DAYS		(INSIGHTS_BASELINE + INSIGHTS_PERIOD)
#define INSIGHTS_SIGMA		3.0	/* anomaly threshold in std devs */
#define INSIGHTS_MIN_BASELINE	7	/* baseline days needed to judge */
#define INSIGHTS_MOVERS		3	/* movers listed each way */
#define INSIGHTS_ANOMALIES	3	/* largest anomalies kept */
#define INSIGHTS_MOVE_PCT	10.0	/* smallest change called a move */

/*
 * One stored (provider, metric, currency) series, accounts summed (a
 * money KPI is one currency's; any other adds the currencies' series of
 * its metric up): INSIGHTS_DAYS
 * points, oldest first.  Index INSIGHTS_BASELINE is the period's first
 * day; the previous period is the INSIGHTS_PERIOD days before it.
 */
struct insights_series {
	const char	*provider;
	const char	*metric;
	const char	*currency;	/* ISO 4217 of its rows; "" or NULL:
					 * none */
	double		 v[INSIGHTS_DAYS];
	bool		 has[INSIGHTS_DAYS];
};

/* A connection's health as insights needs it. */
struct insights_conn {
	const char	*provider;
	const char	*status;	/* connected, needs_reauth, error... */
	const char	*last_error;	/* NULL when none */
	int64_t		 last_sync_age;	/* seconds, -1 when never synced */
	const char	*login;		/* its login for people ("" or NULL:
					 * not known); said when the provider
					 * has several connections */
	bool		 recent;	/* made within LIMIT_INSIGHTS_FIRST_SYNC_S:
					 * its first sync may be on its way, so
					 * "never synced" is nothing to look at
					 * yet */
};

struct insights_kpi {
	const char	*provider;
	const char	*provider_name;	/* "Google Ads" */
	const char	*metric;
	const char	*label;		/* "Cost (EUR)" */
	const char	*unit;		/* count, ratio, currency_micros, ... */
	const char	*currency;	/* money's ISO 4217 code, or NULL */
	bool		 has_cur, has_prev, has_pct;
	bool		 partial;	/* coverage differs: no pct */
	double		 cur, prev;
	double		 pct;		/* change in percent of |prev| */
};

enum insights_kind {
	INSIGHTS_REAUTH,	/* connection needs re-authorisation */
	INSIGHTS_FAILING,	/* last sync failed */
	INSIGHTS_STALE,		/* no data for over 48 hours */
	INSIGHTS_ANOMALY,	/* a day beyond mean +/- 3 sigma */
	INSIGHTS_PAIR,		/* spend up while results down */
	INSIGHTS_MOVER_DOWN,
	INSIGHTS_MOVER_UP,
	INSIGHTS__MAX
};

/* One insight: a headline and the action sentence. */
struct insights_item {
	enum insights_kind kind;
	const char	*provider;
	const char	*metric;	/* NULL for connection insights */
	const char	*title;		/* "Sessions spiked on Wed 12 Nov" */
	const char	*action;	/* what to do, one sentence */
	int		 day;		/* ANOMALY: period day 0..6, else -1 */
	double		 value;		/* ANOMALY: the day's value */
	double		 mean, sigma;	/* ANOMALY: of the prior 28 days */
	double		 size;		/* ANOMALY: (value - mean) / sigma;
					 * movers: change in percent */
	bool		 good;		/* good news (a mover the right way) */
};

struct insights {
	struct insights_kpi	*kpis;		/* catalogue order */
	size_t			 nkpis;
	struct insights_item	*items;		/* by kind, then size */
	size_t			 nitems;
	size_t			 nup, ndown;	/* movers among items */
};

/* "weekday day month" labels for the period's days, from its start. */
struct insights_period {
	char	start[11];	/* "YYYY-MM-DD" */
	char	end[11];
	int	y, m, d;	/* the start's date */
	const char *time_zone;	/* the workspace's, whose days these are
				 * (arena); NULL: not known */
	bool	over;		/* its last day is before today there */
};

/*
 * Computes the insights of n series and nc connections for the period
 * starting at p (used for day names in sentences).  The series must not
 * repeat a (provider, metric, currency).  Empty input gives no KPIs and no
 * items.  ERR_OK, or ERR_TOOBIG when n is over LIMIT_INSIGHTS_SERIES.
 * The result and its strings belong to the arena.
 */
enum err	 insights_compute(struct arena *,
		    const struct insights_period *p,
		    const struct insights_series *s, size_t n,
		    const struct insights_conn *c, size_t nc,
		    struct insights *out);

/*
 * Checks the start of a week as a person gives it: "YYYY-MM-DD", a real
 * day from LIMIT_INSIGHTS_YEAR_MIN-01-01 to LIMIT_INSIGHTS_YEAR_MAX-12-31,
 * and a Monday (weeks run Monday to Sunday).  ERR_OK, or ERR_INPUT with
 * *why, a sentence for the caller's error that says which rule failed
 * and, for a day that is not a Monday, the Monday of its week (arena).
 */
enum err	 insights_period_check(struct arena *, const char *start,
		    const char **why);

/*
 * The last full week, Monday to Sunday, in the workspace's time zone
 * (when start is NULL), or the week starting at start ("YYYY-MM-DD", as
 * insights_period_check() accepts); ERR_NOTFOUND when there is no such
 * workspace, ERR_INPUT for a start that check refuses, ERR_DB,
 * ERR_UNAVAILABLE.
 */
enum err	 insights_period(struct db *, struct arena *,
		    int64_t workspace_id, const char *start,
		    struct insights_period *out);

/*
 * Loads the workspace's series over the INSIGHTS_DAYS days ending with
 * the period and its connections, then computes.  Errors of the database
 * (ERR_DB, ERR_UNAVAILABLE) and of insights_compute().
 */
enum err	 insights_load(struct db *, struct arena *,
		    int64_t workspace_id, const struct insights_period *,
		    struct insights *out);

/* True for metrics where a rise is bad news: costs, spend, cost per
 * click, bounce rate, unsubscribes (by name). */
bool		 insights_lower_is_better(const char *metric);


/* A stable name of a kind, e.g. "anomaly"; static storage. */
const char	*insights_kind_name(enum insights_kind);

#endif
