/*
 * monthly.c — a calendar month's KPIs against the month before
 * (monthly.h).
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/limit.h"
#include "base/mem.h"
#include "insights/insights.h"
#include "mail/monthly.h"
#include "metrics/metric.h"
#include "providers/provider.h"
#include "store/db.h"

/* The month (the last full one, or the one starting at $2), its end, the
 * zone, whether it is over, and the length of the month before. */
static const char sql_period[] =
	"SELECT to_char(s, 'YYYY-MM-DD'), to_char(e, 'YYYY-MM-DD'), tz, "
	"e < today, s - (s - interval '1 month')::date "
	"FROM (SELECT s, (s + interval '1 month')::date - 1 AS e, tz, today "
	"FROM (SELECT coalesce($2::date, (date_trunc('month', now() AT TIME "
	"ZONE time_zone) - interval '1 month')::date) AS s, time_zone AS tz, "
	"(now() AT TIME ZONE time_zone)::date AS today "
	"FROM workspaces WHERE id = $1) w) x";

/* The two months' rows ($2 the month's first day, $3 its last),
 * accounts apart (summed in C), grouped in a byte order. */
static const char sql_rows[] =
	"SELECT provider, metric, coalesce(currency, ''), day - ($2::date - "
	"interval '1 month')::date, value::float8 FROM metric_daily "
	"WHERE workspace_id = $1 AND day BETWEEN ($2::date - interval "
	"'1 month')::date AND $3::date "
	"ORDER BY provider COLLATE \"C\", metric COLLATE \"C\", "
	"currency COLLATE \"C\" NULLS LAST LIMIT $4::int";

enum err
monthly_period(struct db *db, struct arena *a, int64_t workspace_id,
    const char *start, struct insights_period *out, int *prev_days)
{
	struct db_res *res;
	const char *p[2];
	int y, m, d;
	enum err rc;

	memset(out, 0, sizeof(*out));
	if (start != NULL && (strlen(start) != 10 || sscanf(start,
	    "%4d-%2d-%2d", &y, &m, &d) != 3 || d != 1 || m < 1 || m > 12 ||
	    y < LIMIT_INSIGHTS_YEAR_MIN || y > LIMIT_INSIGHTS_YEAR_MAX))
		return ERR_INPUT;
	p[0] = db_int64(a, workspace_id);
	p[1] = start;
	if ((rc = db_exec(db, a, sql_period, 2, p, &res)) != ERR_OK)
		return rc;
	if (db_nrows(res) != 1)
		return ERR_NOTFOUND;
	snprintf(out->start, sizeof(out->start), "%s", db_get(res, 0, 0));
	snprintf(out->end, sizeof(out->end), "%s", db_get(res, 0, 1));
	if (sscanf(out->start, "%d-%d-%d", &out->y, &out->m, &out->d) != 3)
		return ERR_DB;
	out->time_zone = db_get(res, 0, 2);
	out->over = strcmp(db_get(res, 0, 3), "t") == 0;
	*prev_days = (int)db_get_int64(res, 0, 4, 0);
	return ERR_OK;
}

struct work {
	struct arena			*a;
	const struct monthly_row	*r;	/* one provider's rows */
	size_t				 n;
	int				 prev, cur;
	struct insights			*out;
	size_t				 cap;
};

/* The series of (provider, metric) in currency cur (NULL: every
 * currency's rows added up), accounts summed; false when it has none. */
static bool
fill(const struct work *w, const char *provider, const char *metric,
    const char *cur, double *v, bool *has)
{
	size_t i;
	bool any = false;

	memset(v, 0, MONTHLY_DAYS * sizeof(*v));
	memset(has, 0, MONTHLY_DAYS * sizeof(*has));
	for (i = 0; i < w->n; i++) {
		const struct monthly_row *r = &w->r[i];

		if (r->day < 0 || r->day >= w->prev + w->cur ||
		    strcmp(r->provider, provider) != 0 ||
		    strcmp(r->metric, metric) != 0 ||
		    (cur != NULL && strcmp(r->currency, cur) != 0))
			continue;
		v[r->day] += r->value;
		has[r->day] = true;
		any = true;
	}
	return any;
}

static void
kpi(struct work *w, const char *provider, const char *metric,
    const char *cur, const struct metric_def *def, const double *av,
    const bool *ah, const double *bv, const bool *bh)
{
	struct metric_series ac, ap, bc, bp;
	const struct provider *pr;
	struct insights_kpi *k;
	int cc, pc;

	w->out->kpis = arena_grow(w->a, w->out->kpis, w->out->nkpis, &w->cap,
	    sizeof(*w->out->kpis));
	k = &w->out->kpis[w->out->nkpis];
	memset(k, 0, sizeof(*k));
	ap = (struct metric_series){ av, ah, (size_t)w->prev };
	ac = (struct metric_series){ av + w->prev, ah + w->prev,
	    (size_t)w->cur };
	bp = (struct metric_series){ bv, bh, (size_t)w->prev };
	bc = (struct metric_series){ bv + w->prev, bh + w->prev,
	    (size_t)w->cur };
	k->has_cur = metric_aggregate(def, &ac, &bc, &k->cur);
	k->has_prev = metric_aggregate(def, &ap, &bp, &k->prev);
	if (!k->has_cur && !k->has_prev)
		return;		/* nothing in either month: no KPI */
	pr = provider_get(provider);
	k->provider = provider;
	k->provider_name = pr != NULL ? pr->name : provider;
	k->metric = metric;
	k->label = def != NULL ? def->label : metric;
	k->unit = def != NULL ? def->unit : "count";
	k->currency = cur != NULL && *cur != '\0' ? cur : NULL;
	if (k->currency != NULL)
		k->label = arena_printf(w->a, "%s (%s)", k->label, k->currency);
	else if (strcmp(k->unit, "currency_micros") == 0)
		k->label = arena_printf(w->a, "%s (currency not known)",
		    k->label);
	/* Months differ in length: the comparison is partial when the two
	 * months' data cover different shares of their days (fewer before:
	 * a late start; fewer now: a provider that publishes days late). */
	cc = metric_covered(def, &ac, &bc);
	pc = metric_covered(def, &ap, &bp);
	k->partial = (long)pc * w->cur != (long)cc * w->prev &&
	    metric_partial(def, 1, 0);
	if (k->has_cur && k->has_prev && k->prev != 0 && !k->partial) {
		k->has_pct = true;
		k->pct = (k->cur - k->prev) / fabs(k->prev) * 100;
	}
	w->out->nkpis++;
}

/* The distinct currencies of (provider, metric), in the rows' order. */
static size_t
currencies(const struct work *w, const char *provider, const char *metric,
    const char **list, size_t max)
{
	size_t i, j, n = 0;

	for (i = 0; i < w->n && n < max; i++) {
		if (strcmp(w->r[i].provider, provider) != 0 ||
		    strcmp(w->r[i].metric, metric) != 0)
			continue;
		for (j = 0; j < n && strcmp(list[j], w->r[i].currency) != 0;
		    j++)
			;
		if (j == n)
			list[n++] = w->r[i].currency;
	}
	return n;
}

#define MONTHLY_CURRENCIES	16	/* of one money metric */

static void
provider_kpis(struct work *w, const char *provider)
{
	double av[MONTHLY_DAYS], bv[MONTHLY_DAYS];
	bool ah[MONTHLY_DAYS], bh[MONTHLY_DAYS];
	const char *cur[MONTHLY_CURRENCIES];
	const struct metric_def *all, *d;
	size_t i, j, n, nc, baselen;
	bool money;
	int days;

	all = metric_of(provider, &n);
	for (i = 0; i < n; i++) {
		d = &all[i];
		if (d->agg == METRIC_TOTALS)
			continue;	/* no provider total for a month */
		money = strcmp(d->unit, "currency_micros") == 0;
		if (!money) {
			if (d->agg == METRIC_RATIO) {
				if (fill(w, provider, d->num, NULL, av, ah) &&
				    fill(w, provider, d->den, NULL, bv, bh))
					kpi(w, provider, d->name, NULL, d, av,
					    ah, bv, bh);
			} else if (fill(w, provider, d->name, NULL, av, ah)) {
				fill(w, provider, "", NULL, bv, bh);
				kpi(w, provider, d->name, NULL, d, av, ah, bv,
				    bh);
			}
			continue;
		}
		/* Money: one KPI per currency, never added across them. */
		nc = currencies(w, provider, d->agg == METRIC_RATIO ? d->num :
		    d->name, cur, nitems(cur));
		for (j = 0; j < nc; j++) {
			if (d->agg == METRIC_RATIO) {
				fill(w, provider, d->num, cur[j], av, ah);
				if (!fill(w, provider, d->den, cur[j], bv,
				    bh) && !fill(w, provider, d->den, "", bv,
				    bh))
					continue;
			} else {
				fill(w, provider, d->name, cur[j], av, ah);
				fill(w, provider, "", NULL, bv, bh);
			}
			kpi(w, provider, d->name, cur[j], d, av, ah, bv, bh);
		}
	}
	/* Metrics the catalogue does not know: sums, per currency. */
	for (i = 0; i < w->n; i++) {
		const struct monthly_row *r = &w->r[i];

		if (strcmp(r->provider, provider) != 0 ||
		    metric_find(provider, r->metric) != NULL ||
		    metric_totals_split(r->metric, &baselen, &days) ||
		    (i > 0 && strcmp(w->r[i - 1].provider, provider) == 0 &&
		    strcmp(w->r[i - 1].metric, r->metric) == 0 &&
		    strcmp(w->r[i - 1].currency, r->currency) == 0))
			continue;
		fill(w, provider, r->metric, r->currency, av, ah);
		fill(w, provider, "", NULL, bv, bh);
		kpi(w, provider, r->metric, r->currency, NULL, av, ah, bv, bh);
	}
}

enum err
monthly_compute(struct arena *a, const struct monthly_row *rows, size_t n,
    int prev_days, int cur_days, struct insights *out)
{
	struct work w;
	size_t lo, hi;

	memset(out, 0, sizeof(*out));
	if (prev_days < 1 || prev_days > 31 || cur_days < 1 || cur_days > 31)
		return ERR_INPUT;
	memset(&w, 0, sizeof(w));
	w.a = a;
	w.prev = prev_days;
	w.cur = cur_days;
	w.out = out;
	/* Rows come grouped by provider: each group once. */
	for (lo = 0; lo < n; lo = hi) {
		for (hi = lo + 1; hi < n && strcmp(rows[hi].provider,
		    rows[lo].provider) == 0; hi++)
			;
		w.r = rows + lo;
		w.n = hi - lo;
		provider_kpis(&w, rows[lo].provider);
	}
	return ERR_OK;
}

enum err
monthly_load(struct db *db, struct arena *a, int64_t workspace_id,
    const struct insights_period *per, int prev_days, struct insights *out)
{
	struct monthly_row *rows;
	struct db_res *res;
	const char *p[4];
	int y, m, cur_days;
	size_t i, n;
	enum err rc;

	if (sscanf(per->end, "%d-%d-%d", &y, &m, &cur_days) != 3)
		return ERR_INPUT;
	p[0] = db_int64(a, workspace_id);
	p[1] = per->start;
	p[2] = per->end;
	p[3] = db_int64(a, LIMIT_DIGEST_MONTH_ROWS);
	if ((rc = db_exec(db, a, sql_rows, 4, p, &res)) != ERR_OK)
		return rc;
	n = db_nrows(res);
	rows = arena_calloc(a, n + 1, sizeof(*rows));
	for (i = 0; i < n; i++) {
		rows[i].provider = db_get(res, i, 0);
		rows[i].metric = db_get(res, i, 1);
		rows[i].currency = db_get(res, i, 2);
		rows[i].day = (int)db_get_int64(res, i, 3, -1);
		rows[i].value = strtod(db_get(res, i, 4), NULL);
	}
	return monthly_compute(a, rows, n, prev_days, cur_days, out);
}
