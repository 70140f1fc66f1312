/*
 * insights.c — KPI changes, movers, anomalies and connection health of a
 * week, each with an action sentence.  Pure computation over arrays;
 * the database is only read by insights_load() and insights_period().
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "base/arena.h"
#include "base/day.h"
#include "base/jsonx.h"
#include "base/limit.h"
#include "base/mem.h"
#include "base/numfmt.h"
#include "connections/connection.h"
#include "insights/insights.h"
#include "metrics/metric.h"
#include "providers/provider.h"
#include "store/db.h"

/* The week: Monday of last week in the workspace's zone, or $2. */
static const char sql_period[] =
	"SELECT to_char(s, 'YYYY-MM-DD'), to_char(s + 6, 'YYYY-MM-DD'), tz, "
	"s + 6 < today "
	"FROM (SELECT COALESCE($2::date, date_trunc('week', "
	"now() AT TIME ZONE time_zone)::date - 7) AS s, time_zone AS tz, "
	"(now() AT TIME ZONE time_zone)::date AS today "
	"FROM workspaces WHERE id = $1) w";

/* The INSIGHTS_DAYS days ending with the period, accounts apart (summed
 * in C), in a byte order that does not depend on the collation. */
static const char sql_series[] =
	"SELECT provider, metric, day - $2::date, value::float8, "
	"coalesce(currency, '') "
	"FROM metric_daily WHERE workspace_id = $1 "
	"AND day BETWEEN $2::date AND $3::date "
	"ORDER BY provider COLLATE \"C\", metric COLLATE \"C\", "
	"currency COLLATE \"C\" NULLS LAST";

static const char *const kind_names[INSIGHTS__MAX] = {
	[INSIGHTS_REAUTH] = "needs_reauth",
	[INSIGHTS_FAILING] = "sync_failing",
	[INSIGHTS_STALE] = "stale",
	[INSIGHTS_ANOMALY] = "anomaly",
	[INSIGHTS_PAIR] = "spend_vs_results",
	[INSIGHTS_MOVER_DOWN] = "mover_down",
	[INSIGHTS_MOVER_UP] = "mover_up",
};

const char *
insights_kind_name(enum insights_kind k)
{
	return k < INSIGHTS__MAX ? kind_names[k] : "unknown";
}

static const char *
provider_label(const char *slug)
{
	const struct provider *p = provider_get(slug);

	return p != NULL ? p->name : slug;
}

/* "+40%", "-12%", "+2.5%". */
static const char *
pct_text(struct arena *a, double pct)
{
	if (fabs(pct) >= 10 || fabs(pct - round(pct)) < 0.05)
		return arena_printf(a, "%+.0f%%", pct);
	return arena_printf(a, "%+.1f%%", pct);
}

/* "Wed 12 Nov" for day k of the period. */
static const char *
day_name(struct arena *a, const struct insights_period *p, int k)
{
	static const char *const wd[] = { "Sun", "Mon", "Tue", "Wed",
	    "Thu", "Fri", "Sat" };
	static const char *const mo[] = { "Jan", "Feb", "Mar", "Apr", "May",
	    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	int64_t day, y;
	int m, d;

	day = day_from_civil(p->y, p->m, p->d + k);
	day_to_civil(day, &y, &m, &d);
	return arena_printf(a, "%s %d %s", wd[day_weekday(day)], d,
	    mo[m - 1]);
}

static bool
named(const struct insights_series *s, const char *provider,
    const char *metric)
{
	return strcmp(s->provider, provider) == 0 &&
	    strcmp(s->metric, metric) == 0;
}

/* The series of provider's metric in currency alone ("": none), or
 * NULL. */
static const struct insights_series *
find_in(const struct insights_series *s, size_t n, const char *provider,
    const char *metric, const char *currency)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (named(&s[i], provider, metric) &&
		    strcmp(s[i].currency != NULL ? s[i].currency : "",
		    currency) == 0)
			return &s[i];
	return NULL;
}

/* The series of provider's metric, every currency added up (a count or
 * a rate; arena), or NULL. */
static const struct insights_series *
find(struct arena *a, const struct insights_series *s, size_t n,
    const char *provider, const char *metric)
{
	struct insights_series *m = NULL;
	const struct insights_series *one = NULL;
	size_t i, k;

	for (i = 0; i < n; i++) {
		if (!named(&s[i], provider, metric))
			continue;
		if (one == NULL) {
			one = &s[i];
			continue;
		}
		if (m == NULL) {
			m = arena_calloc(a, 1, sizeof(*m));
			*m = *one;
			m->currency = "";
		}
		for (k = 0; k < INSIGHTS_DAYS; k++) {
			m->v[k] += s[i].v[k];
			m->has[k] = m->has[k] || s[i].has[k];
		}
	}
	return m != NULL ? m : one;
}

/* A series window: off days from the start, len days. */
static void
window(const struct insights_series *s, size_t off, size_t len,
    struct metric_series *out)
{
	static const double zv[INSIGHTS_DAYS];
	static const bool zh[INSIGHTS_DAYS];

	out->v = s != NULL ? s->v + off : zv + off;
	out->has = s != NULL ? s->has + off : zh + off;
	out->n = len;
}

struct work {
	struct arena			*a;
	const struct insights_period	*p;
	const struct insights_series	*s;
	size_t				 n;
	struct insights			*out;
	size_t				 kcap, icap;
};

static struct insights_item *
item(struct work *w, enum insights_kind kind, const char *provider,
    const char *metric)
{
	struct insights_item *it;

	w->out->items = arena_grow(w->a, w->out->items, w->out->nitems,
	    &w->icap, sizeof(*w->out->items));
	it = &w->out->items[w->out->nitems++];
	memset(it, 0, sizeof(*it));
	it->kind = kind;
	it->provider = provider;
	it->metric = metric;
	it->day = -1;
	return it;
}

/* A value of KPI k for a person, money in its currency (arena). */
static const char *
fmt(struct work *w, const struct insights_kpi *k, double v)
{
	return numfmt_value(w->a, v, k->unit, k->currency);
}

/* The largest departure of a period day from its prior 28 days. */
static void
anomaly(struct work *w, const struct metric_def *def,
    const struct insights_kpi *k, const struct insights_series *a,
    const struct insights_series *b)
{
	struct metric_series fa, fb;
	struct insights_item *it;
	double x, y, sum, sq, mean, sd, z, best = 0, bx = 0, bm = 0, bs = 0;
	int day, bday = -1;
	size_t j, cnt;

	if (def != NULL && def->agg != METRIC_SUM && def->agg != METRIC_RATIO)
		return;
	window(a, 0, INSIGHTS_DAYS, &fa);
	window(b, 0, INSIGHTS_DAYS, &fb);
	for (day = 0; day < INSIGHTS_PERIOD; day++) {
		size_t idx = INSIGHTS_BASELINE + (size_t)day;

		if (!metric_point(def, &fa, &fb, idx, &x))
			continue;
		sum = sq = 0;
		cnt = 0;
		for (j = idx - INSIGHTS_BASELINE; j < idx; j++)
			if (metric_point(def, &fa, &fb, j, &y)) {
				sum += y;
				cnt++;
			}
		if (cnt < INSIGHTS_MIN_BASELINE)
			continue;
		mean = sum / (double)cnt;
		for (j = idx - INSIGHTS_BASELINE; j < idx; j++)
			if (metric_point(def, &fa, &fb, j, &y))
				sq += (y - mean) * (y - mean);
		sd = sqrt(sq / (double)cnt);
		if (sd > 0)
			z = (x - mean) / sd;
		else if (fabs(x - mean) > 1e-9 * fmax(1, fabs(mean)))
			z = x > mean ? 999 : -999;	/* off a steady line */
		else
			continue;
		if (fabs(z) > 999)
			z = z > 0 ? 999 : -999;
		if (fabs(z) > INSIGHTS_SIGMA && fabs(z) > fabs(best)) {
			best = z;
			bday = day;
			bx = x;
			bm = mean;
			bs = sd;
		}
	}
	if (bday < 0)
		return;
	it = item(w, INSIGHTS_ANOMALY, k->provider, k->metric);
	it->day = bday;
	it->value = bx;
	it->mean = bm;
	it->sigma = bs;
	it->size = best;
	it->title = arena_printf(w->a, "%s on %s %s on %s: %s", k->label,
	    k->provider_name, best > 0 ? "spiked" : "dropped",
	    day_name(w->a, w->p, bday), fmt(w, k, bx));
	if (bs > 0 && fabs(best) >= 100)
		it->action = arena_printf(w->a, "That is far %s its 28-day "
		    "mean of %s, which barely varied: check %s for a "
		    "campaign, an outage or a tracking change that day.",
		    best > 0 ? "above" : "below",
		    fmt(w, k, bm), k->provider_name);
	else if (bs > 0)
		it->action = arena_printf(w->a, "That is %.1f standard "
		    "deviations %s its 28-day mean of %s: check %s for a "
		    "campaign, an outage or a tracking change that day.",
		    fabs(best), best > 0 ? "above" : "below",
		    fmt(w, k, bm), k->provider_name);
	else
		it->action = arena_printf(w->a, "It had been steady at %s for "
		    "28 days: check %s for a campaign, an outage or a tracking "
		    "change that day.", fmt(w, k, bm),
		    k->provider_name);
}

static void
kpi(struct work *w, const char *provider, const char *metric,
    const char *currency, const struct metric_def *def,
    const struct insights_series *a, const struct insights_series *b)
{
	struct metric_series ac, ap, bc, bp;
	struct insights_kpi *k;

	w->out->kpis = arena_grow(w->a, w->out->kpis, w->out->nkpis,
	    &w->kcap, sizeof(*w->out->kpis));
	k = &w->out->kpis[w->out->nkpis];
	memset(k, 0, sizeof(*k));
	window(a, INSIGHTS_BASELINE, INSIGHTS_PERIOD, &ac);
	window(a, INSIGHTS_BASELINE - INSIGHTS_PERIOD, INSIGHTS_PERIOD, &ap);
	window(b, INSIGHTS_BASELINE, INSIGHTS_PERIOD, &bc);
	window(b, INSIGHTS_BASELINE - INSIGHTS_PERIOD, INSIGHTS_PERIOD, &bp);
	k->has_cur = metric_aggregate(def, &ac, &bc, &k->cur);
	k->has_prev = metric_aggregate(def, &ap, &bp, &k->prev);
	if (!k->has_cur && !k->has_prev)
		return;		/* nothing in either week: no KPI */
	k->provider = provider;
	k->provider_name = provider_label(provider);
	k->metric = metric;
	k->label = def != NULL ? def->label : metric;
	k->unit = def != NULL ? def->unit : "count";
	k->currency = currency != NULL && *currency != '\0' ? currency : NULL;
	/* Money names its currency: two currencies are two KPIs. */
	if (k->currency != NULL)
		k->label = arena_printf(w->a, "%s (%s)", k->label, k->currency);
	else if (strcmp(k->unit, "currency_micros") == 0)
		k->label = arena_printf(w->a, "%s (currency not known)",
		    k->label);
	/* Weeks with data on a different number of days (a late start, or
	 * a provider's publication lag) are no comparison. */
	k->partial = metric_partial(def, metric_covered(def, &ac, &bc),
	    metric_covered(def, &ap, &bp));
	if (k->has_cur && k->has_prev && k->prev != 0 && !k->partial) {
		k->has_pct = true;
		k->pct = (k->cur - k->prev) / fabs(k->prev) * 100;
	}
	w->out->nkpis++;
	anomaly(w, def, k, a, b);
}

/* The KPIs of one provider: catalogue order, then custom metrics. */
/* A money metric's KPIs, one per currency its amounts (a RATIO's
 * numerator) are in; never added across currencies. */
static void
money_kpis(struct work *w, const char *provider, const struct metric_def *d)
{
	const struct insights_series *b;
	const char *cur, *m = d->agg == METRIC_RATIO ? d->num : d->name;
	size_t i, n = 0;

	for (i = 0; i < w->n; i++)
		n += named(&w->s[i], provider, m);
	for (i = 0; i < w->n; i++) {
		if (!named(&w->s[i], provider, m))
			continue;
		cur = w->s[i].currency != NULL ? w->s[i].currency : "";
		b = NULL;
		/* The denominator's series of the same currency; with one
		 * currency only, all of them (counts sent without one). */
		if (d->agg == METRIC_RATIO && (b = find_in(w->s, w->n,
		    provider, d->den, cur)) == NULL && (n > 1 || (b = find(w->a,
		    w->s, w->n, provider, d->den)) == NULL))
			continue;
		kpi(w, provider, d->name, cur, d, &w->s[i], b);
	}
}

static void
provider_kpis(struct work *w, const char *provider)
{
	const struct metric_def *all, *d;
	const struct insights_series *a, *b;
	char name[LIMIT_METRIC_NAME + 16];
	size_t i, n, baselen;
	int days;

	all = metric_of(provider, &n);
	for (i = 0; i < n; i++) {
		d = &all[i];
		if (strcmp(d->unit, "currency_micros") == 0 &&
		    (d->agg == METRIC_SUM || d->agg == METRIC_RATIO))
			money_kpis(w, provider, d);
		else if (d->agg == METRIC_RATIO) {
			a = find(w->a, w->s, w->n, provider, d->num);
			b = find(w->a, w->s, w->n, provider, d->den);
			if (a != NULL && b != NULL)
				kpi(w, provider, d->name, NULL, d, a, b);
		} else if (d->agg == METRIC_TOTALS) {
			snprintf(name, sizeof(name), "%s:%dd", d->name,
			    INSIGHTS_PERIOD);
			b = find(w->a, w->s, w->n, provider, name);
			if (b != NULL)
				kpi(w, provider, d->name, NULL, d, find(w->a,
				    w->s, w->n, provider, d->name), b);
		} else if ((a = find(w->a, w->s, w->n, provider, d->name)) !=
		    NULL)
			kpi(w, provider, d->name, NULL, d, a, NULL);
	}
	for (i = 0; i < w->n; i++) {
		if (strcmp(w->s[i].provider, provider) != 0 ||
		    metric_find(provider, w->s[i].metric) != NULL ||
		    metric_totals_split(w->s[i].metric, &baselen, &days))
			continue;
		kpi(w, provider, w->s[i].metric, w->s[i].currency, NULL,
		    &w->s[i], NULL);
	}
}

/* Metrics where a rise is bad news (costs, bounces, unsubscribes). */
bool
insights_lower_is_better(const char *metric)
{
	static const char *const words[] = { "cost", "spend", "cpc",
	    "bounce", "unsubscribe" };
	size_t i;

	for (i = 0; i < nitems(words); i++)
		if (strstr(metric, words[i]) != NULL)
			return true;
	return false;
}

static int
cmp_str(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* Movers: KPIs sorted by change, ties by provider and metric. */
static int
cmp_up(const void *x, const void *y)
{
	const struct insights_kpi *a = *(const struct insights_kpi *const *)x;
	const struct insights_kpi *b = *(const struct insights_kpi *const *)y;
	int c;

	if (a->pct != b->pct)
		return a->pct > b->pct ? -1 : 1;
	if ((c = strcmp(a->provider, b->provider)) != 0)
		return c;
	return strcmp(a->metric, b->metric);
}

/* How far k moved: a rate in percentage points ("2.4 pp"), anything
 * else in percent of the week before ("34%"). */
static const char *
moved_by(struct work *w, const struct insights_kpi *k)
{
	if (strcmp(k->unit, "ratio") == 0)
		return arena_printf(w->a, "%.1f pp", fabs(k->cur - k->prev) *
		    100);
	return pct_text(w->a, k->pct) + 1;
}

static void
movers(struct work *w)
{
	const struct insights_kpi **m, *k;
	struct insights_item *it;
	size_t i, n = 0, taken;

	m = arena_calloc(w->a, w->out->nkpis + 1, sizeof(*m));
	for (i = 0; i < w->out->nkpis; i++)
		if (w->out->kpis[i].has_pct &&
		    fabs(w->out->kpis[i].pct) >= INSIGHTS_MOVE_PCT)
			m[n++] = &w->out->kpis[i];
	qsort(m, n, sizeof(*m), cmp_up);
	for (i = 0, taken = 0; i < n && taken < INSIGHTS_MOVERS; i++) {
		k = m[n - 1 - i];
		if (k->pct >= 0)
			break;
		it = item(w, INSIGHTS_MOVER_DOWN, k->provider, k->metric);
		it->size = k->pct;
		it->title = arena_printf(w->a, "%s on %s fell %s (%s to %s)",
		    k->label, k->provider_name, moved_by(w, k),
		    fmt(w, k, k->prev), fmt(w, k, k->cur));
		it->good = insights_lower_is_better(k->metric);
		if (it->good)
			it->action = arena_printf(w->a, "Good news: find what "
			    "lowered it on %s and keep it.", k->provider_name);
		else
			it->action = arena_printf(w->a, "Find what changed on "
			    "%s that week (budgets, posts, tracking) before it "
			    "costs another week.", k->provider_name);
		taken++;
		w->out->ndown++;
	}
	for (i = 0, taken = 0; i < n && taken < INSIGHTS_MOVERS; i++) {
		k = m[i];
		if (k->pct <= 0)
			break;
		it = item(w, INSIGHTS_MOVER_UP, k->provider, k->metric);
		it->size = k->pct;
		it->title = arena_printf(w->a, "%s on %s rose %s (%s to %s)",
		    k->label, k->provider_name, moved_by(w, k),
		    fmt(w, k, k->prev), fmt(w, k, k->cur));
		it->good = !insights_lower_is_better(k->metric);
		if (!it->good)
			it->action = arena_printf(w->a, "Find out what raised "
			    "it on %s and whether it paid off.",
			    k->provider_name);
		else
			it->action = arena_printf(w->a, "See what drove it on "
			    "%s and do more of it.", k->provider_name);
		taken++;
		w->out->nup++;
	}
}

/* Spend up while a result of the same provider went down. */
static void
pairs(struct work *w)
{
	const struct insights_kpi *k, *cost, *res;
	struct insights_item *it;
	size_t i, j;

	for (i = 0; i < w->out->nkpis; i++) {
		cost = &w->out->kpis[i];
		if (strcmp(cost->unit, "currency_micros") != 0 ||
		    !cost->has_pct || cost->pct < INSIGHTS_MOVE_PCT ||
		    (strstr(cost->metric, "cost") == NULL &&
		    strstr(cost->metric, "spend") == NULL))
			continue;
		res = NULL;
		for (j = 0; j < w->out->nkpis; j++) {
			k = &w->out->kpis[j];
			if (strcmp(k->provider, cost->provider) != 0 ||
			    strcmp(k->unit, "count") != 0 || !k->has_pct ||
			    k->pct > -INSIGHTS_MOVE_PCT)
				continue;
			if (res == NULL || k->pct < res->pct)
				res = k;
		}
		if (res == NULL)
			continue;
		it = item(w, INSIGHTS_PAIR, cost->provider, cost->metric);
		it->size = cost->pct;
		it->title = arena_printf(w->a, "%s rose %s while %s fell %s on "
		    "%s", cost->label, pct_text(w->a, cost->pct) + 1,
		    res->label, pct_text(w->a, res->pct) + 1,
		    cost->provider_name);
		it->action = arena_printf(w->a, "Look at the %s campaigns "
		    "whose cost grew most and pause or re-target the ones "
		    "that stopped converting.", cost->provider_name);
	}
}

static void
health(struct work *w, const struct insights_conn *c, size_t nc)
{
	struct insights_item *it;
	const char *name;
	size_t i, j;

	for (i = 0; i < nc; i++) {
		name = provider_label(c[i].provider);
		/* Several logins of one provider: which one. */
		for (j = 0; c[i].login != NULL && *c[i].login != '\0' &&
		    j < nc; j++)
			if (j != i && strcmp(c[j].provider, c[i].provider) ==
			    0) {
				name = arena_printf(w->a, "%s (%s)", name,
				    c[i].login);
				break;
			}
		if (strcmp(c[i].status, "needs_reauth") == 0) {
			it = item(w, INSIGHTS_REAUTH, c[i].provider, NULL);
			it->title = arena_printf(w->a, "%s needs to be "
			    "reconnected", name);
			it->action = arena_printf(w->a, "Reconnect %s to "
			    "resume its numbers.", name);
		} else if (strcmp(c[i].status, "error") == 0) {
			it = item(w, INSIGHTS_FAILING, c[i].provider, NULL);
			it->title = arena_printf(w->a, "%s syncs are failing",
			    name);
			it->action = arena_printf(w->a, "Open the %s "
			    "connection, run Test connection and Sync now; "
			    "reconnect it if the test fails.", name);
		} else if (strcmp(c[i].status, "connected") == 0 &&
		    ((c[i].last_sync_age < 0 && !c[i].recent) ||
		    c[i].last_sync_age > LIMIT_INSIGHTS_STALE_S)) {
			it = item(w, INSIGHTS_STALE, c[i].provider, NULL);
			if (c[i].last_sync_age < 0)
				it->title = arena_printf(w->a, "%s has never "
				    "synced", name);
			else
				it->title = arena_printf(w->a, "%s data is "
				    "%lld hours old", name, (long long)
				    (c[i].last_sync_age / 3600));
			it->action = arena_printf(w->a, "Run Sync now for %s "
			    "and check that the worker and the daily cron "
			    "are running.", name);
		}
	}
}

static int
cmp_item(const void *x, const void *y)
{
	const struct insights_item *a = x, *b = y;
	int c;

	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	if (fabs(a->size) != fabs(b->size))
		return fabs(a->size) > fabs(b->size) ? -1 : 1;
	if ((c = strcmp(a->provider, b->provider)) != 0)
		return c;
	return strcmp(a->metric ? a->metric : "", b->metric ? b->metric : "");
}

/* Keeps the INSIGHTS_ANOMALIES largest anomalies (items are sorted). */
static void
keep_anomalies(struct insights *out)
{
	size_t i, o, seen = 0;

	for (i = 0, o = 0; i < out->nitems; i++) {
		if (out->items[i].kind == INSIGHTS_ANOMALY &&
		    seen++ >= INSIGHTS_ANOMALIES)
			continue;
		out->items[o++] = out->items[i];
	}
	out->nitems = o;
}

enum err
insights_compute(struct arena *a, const struct insights_period *p,
    const struct insights_series *s, size_t n,
    const struct insights_conn *c, size_t nc, struct insights *out)
{
	struct work w;
	const char **prov;
	size_t i, np = 0;

	memset(out, 0, sizeof(*out));
	if (n > LIMIT_INSIGHTS_SERIES)
		return ERR_TOOBIG;
	memset(&w, 0, sizeof(w));
	w.a = a;
	w.p = p;
	w.s = s;
	w.n = n;
	w.out = out;
	health(&w, c, nc);
	prov = arena_calloc(a, n + 1, sizeof(*prov));
	for (i = 0; i < n; i++)
		prov[np++] = s[i].provider;
	qsort(prov, np, sizeof(*prov), cmp_str);
	for (i = 0; i < np; i++)
		if (i == 0 || strcmp(prov[i], prov[i - 1]) != 0)
			provider_kpis(&w, prov[i]);
	pairs(&w);
	movers(&w);
	if (out->nitems > 1)
		qsort(out->items, out->nitems, sizeof(*out->items), cmp_item);
	keep_anomalies(out);
	return ERR_OK;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static long
days_from_civil(long y, long m, long d)
{
	long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* The date of a day number, as "YYYY-MM-DD" in the arena. */
static const char *
civil_from_days(struct arena *a, long z)
{
	long era, doe, yoe, y, doy, mp, d, m;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp + (mp < 10 ? 3 : -9);
	return arena_printf(a, "%04ld-%02ld-%02ld", y + (m <= 2), m, d);
}

enum err
insights_period_check(struct arena *a, const char *start, const char **why)
{
	static const char *const wday[] = { "Monday", "Tuesday", "Wednesday",
	    "Thursday", "Friday", "Saturday", "Sunday" };
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	long y, m, d, z, dow;

	*why = NULL;
	if (start == NULL || strlen(start) != 10 || start[4] != '-' ||
	    start[7] != '-' || strspn(start, "0123456789") != 4 ||
	    strspn(start + 5, "0123456789") != 2 ||
	    strspn(start + 8, "0123456789") != 2) {
		*why = "must be a date YYYY-MM-DD";
		return ERR_INPUT;
	}
	y = strtol(start, NULL, 10);
	m = strtol(start + 5, NULL, 10);
	d = strtol(start + 8, NULL, 10);
	if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1] || (m == 2 &&
	    d == 29 && (y % 4 != 0 || (y % 100 == 0 && y % 400 != 0)))) {
		*why = "is not a real day";
		return ERR_INPUT;
	}
	if (y < LIMIT_INSIGHTS_YEAR_MIN || y > LIMIT_INSIGHTS_YEAR_MAX) {
		*why = arena_printf(a, "must be a day from %d-01-01 to "
		    "%d-12-31", LIMIT_INSIGHTS_YEAR_MIN,
		    LIMIT_INSIGHTS_YEAR_MAX);
		return ERR_INPUT;
	}
	z = days_from_civil(y, m, d);
	dow = ((z % 7) + 7 + 3) % 7;	/* 1970-01-01 was a Thursday */
	if (dow != 0) {
		*why = arena_printf(a, "must be a Monday, the first day of a "
		    "week: %s is a %s, its week starts on %s", start,
		    wday[dow], civil_from_days(a, z - dow));
		return ERR_INPUT;
	}
	return ERR_OK;
}

enum err
insights_period(struct db *db, struct arena *a, int64_t workspace_id,
    const char *start, struct insights_period *out)
{
	const char *p[2], *why;
	struct db_res *res;
	enum err rc;

	memset(out, 0, sizeof(*out));
	if (start != NULL && insights_period_check(a, start, &why) != ERR_OK)
		return ERR_INPUT;
	p[0] = db_int64(a, workspace_id);
	p[1] = start;
	if ((rc = db_exec(db, a, sql_period, 2, p, &res)) != ERR_OK)
		return rc;
	if (db_nrows(res) != 1 || db_get(res, 0, 0) == NULL)
		return ERR_NOTFOUND;
	if ((size_t)snprintf(out->start, sizeof(out->start), "%s",
	    db_get(res, 0, 0)) >= sizeof(out->start) ||
	    (size_t)snprintf(out->end, sizeof(out->end), "%s",
	    db_get(res, 0, 1)) >= sizeof(out->end) ||
	    sscanf(out->start, "%d-%d-%d", &out->y, &out->m, &out->d) != 3)
		return ERR_INPUT;
	out->time_zone = db_get(res, 0, 2);
	out->over = strcmp(db_get(res, 0, 3), "t") == 0;
	return ERR_OK;
}

enum err
insights_load(struct db *db, struct arena *a, int64_t workspace_id,
    const struct insights_period *per, struct insights *out)
{
	const char *p[3], *prov, *met, *v, *cur;
	struct insights_series *s = NULL;
	struct insights_conn *ic;
	struct connection *conns;
	struct db_res *res;
	size_t i, n = 0, nrows, nc;
	int64_t idx;
	enum err rc;

	p[0] = db_int64(a, workspace_id);
	p[1] = arena_printf(a, "%s", per->start);
	{
		/* first day of the baseline and last day of the period */
		struct db_res *d;
		const char *q[1] = { per->start };

		if ((rc = db_exec(db, a, "SELECT to_char($1::date - 28, "
		    "'YYYY-MM-DD'), to_char($1::date + 6, 'YYYY-MM-DD')", 1, q,
		    &d)) != ERR_OK)
			return rc;
		p[1] = db_get(d, 0, 0);
		p[2] = db_get(d, 0, 1);
	}
	if ((rc = db_exec(db, a, sql_series, 3, p, &res)) != ERR_OK)
		return rc;
	nrows = db_nrows(res);
	/* Rows come grouped: count the series, then fill them. */
	for (i = 0; i < nrows; i++)
		if (i == 0 || strcmp(db_get(res, i, 0),
		    db_get(res, i - 1, 0)) != 0 || strcmp(db_get(res, i, 1),
		    db_get(res, i - 1, 1)) != 0 || strcmp(db_get(res, i, 4),
		    db_get(res, i - 1, 4)) != 0)
			n++;
	if (n > LIMIT_INSIGHTS_SERIES)
		n = LIMIT_INSIGHTS_SERIES;
	s = arena_calloc(a, n + 1, sizeof(*s));
	n = 0;
	for (i = 0; i < nrows; i++) {
		prov = db_get(res, i, 0);
		met = db_get(res, i, 1);
		idx = db_get_int64(res, i, 2, -1);
		v = db_get(res, i, 3);
		cur = db_get(res, i, 4);
		if (prov == NULL || met == NULL || v == NULL || cur == NULL ||
		    idx < 0 || idx >= INSIGHTS_DAYS)
			continue;
		if (n == 0 || strcmp(s[n - 1].provider, prov) != 0 ||
		    strcmp(s[n - 1].metric, met) != 0 ||
		    strcmp(s[n - 1].currency, cur) != 0) {
			if (n == LIMIT_INSIGHTS_SERIES)
				break;
			s[n].provider = prov;
			s[n].metric = met;
			s[n].currency = cur;
			n++;
		}
		s[n - 1].v[idx] += strtod(v, NULL);
		s[n - 1].has[idx] = true;
	}
	if ((rc = connection_all(db, a, workspace_id, &conns, &nc)) != ERR_OK)
		return rc;
	ic = arena_calloc(a, nc + 1, sizeof(*ic));
	for (i = 0; i < nc; i++) {
		ic[i].provider = conns[i].provider;
		ic[i].status = conns[i].status;
		ic[i].last_error = conns[i].last_error;
		ic[i].last_sync_age = conns[i].last_sync_age;
		ic[i].login = conns[i].owner_label;
		ic[i].recent = conns[i].age >= 0 &&
		    conns[i].age < LIMIT_INSIGHTS_FIRST_SYNC_S;
	}
	return insights_compute(a, per, s, n, ic, nc, out);
}
