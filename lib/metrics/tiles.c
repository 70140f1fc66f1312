/* tiles.c — dashboard tiles from metric_daily, by the catalogue's rules. */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/day.h"
#include "base/limit.h"
#include "base/mem.h"
#include "metrics/metric.h"
#include "metrics/tiles.h"
#include "store/db.h"

/*
 * One round trip: a header row (provider NULL) with the workspace's zone,
 * yesterday there and today (days since 1970) and its metrics' version
 * (sql/340), then the raw rows of the 2N days in one index-only scan of
 * metric_daily_tiles (workspace_id, day) INCLUDE (provider, metric,
 * value, currency), day as an index from the first day.  Summing over
 * accounts and grouping happen in C: no aggregate, no sort.  The rows are
 * left out when the answer kept for them ($5 its version, $6 its
 * yesterday, $7 its zone) is still right: the same snapshot read both.
 */
static const char sql_days[] =
	"WITH w AS MATERIALIZED (SELECT coalesce($4::date, "
	"(now() AT TIME ZONE time_zone)::date - 1) AS y, time_zone AS tz, "
	"(now() AT TIME ZONE time_zone)::date AS today, "
	"coalesce((SELECT v FROM metric_versions WHERE workspace_id = $1), 0) "
	"AS v FROM workspaces WHERE id = $1) "
	"SELECT NULL, tz, y - date '1970-01-01', today - date '1970-01-01', "
	"v::text FROM w "
	"UNION ALL "
	"SELECT provider, metric, "
	"day - ((SELECT y FROM w) - (2 * $2::int - 1)), value, currency "
	"FROM metric_daily WHERE workspace_id = $1 "
	"AND day BETWEEN (SELECT y FROM w) - (2 * $2::int - 1) "
	"AND (SELECT y FROM w) "
	"AND ($3::text IS NULL OR provider = $3) "
	"AND NOT EXISTS (SELECT 1 FROM w WHERE v = $5::bigint "
	"AND y - date '1970-01-01' = $6::int AND tz = $7::text)";

/*
 * The answers this process made last, each valid while its workspace's
 * metrics are at version v, yesterday there is y and its zone tz (and for
 * LIMIT_TILES_CACHE_SECONDS at most: a partition written directly, past
 * the triggers that move the version on, is seen then).  Owned here
 * (base/mem.h), the least recently used replaced.
 */
struct kept {
	int64_t		 ws;
	int		 days;
	char		*end;		/* NULL: the period's last day */
	char		*provider;	/* NULL: every provider */
	int64_t		 v, y;
	char		*tz;
	char		*body;
	size_t		 len;
	time_t		 made;
	uint64_t	 used;		/* tick of its last use; 0: empty */
};

static struct kept kept[LIMIT_TILES_CACHE];
static uint64_t kept_tick;

static bool
same_text(const char *a, const char *b)
{
	return a == NULL ? b == NULL : b != NULL && strcmp(a, b) == 0;
}

/* The slot of this question, young or not, or NULL. */
static struct kept *
kept_slot(int64_t ws, int days, const char *end, const char *provider)
{
	size_t i;

	for (i = 0; i < LIMIT_TILES_CACHE; i++)
		if (kept[i].used != 0 && kept[i].ws == ws &&
		    kept[i].days == days && same_text(kept[i].end, end) &&
		    same_text(kept[i].provider, provider))
			return &kept[i];
	return NULL;
}

/* The answer kept for this question and still young, or NULL. */
static struct kept *
kept_find(int64_t ws, int days, const char *end, const char *provider)
{
	struct kept *k = kept_slot(ws, days, end, provider);
	time_t now = time(NULL);

	return k != NULL && now >= k->made &&
	    now - k->made < LIMIT_TILES_CACHE_SECONDS ? k : NULL;
}

/* Keeps body as the answer to the question, in its slot or the least
 * recently used one; nothing when it is too large. */
static void
kept_put(int64_t ws, int days, const char *end, const char *provider,
    int64_t v, int64_t y, const char *tz, const char *body)
{
	struct kept *k = kept_slot(ws, days, end, provider);
	size_t i, len = strlen(body);

	if (len > LIMIT_TILES_CACHE_BYTES)
		return;
	if (k == NULL)
		for (i = 0, k = &kept[0]; i < LIMIT_TILES_CACHE; i++)
			if (kept[i].used < k->used)
				k = &kept[i];
	free(k->end);
	free(k->provider);
	free(k->tz);
	free(k->body);
	k->end = end != NULL ? xstrdup(end) : NULL;
	k->provider = provider != NULL ? xstrdup(provider) : NULL;
	k->tz = xstrdup(tz);
	k->body = xstrndup(body, len);
	k->ws = ws;
	k->days = days;
	k->v = v;
	k->y = y;
	k->len = len;
	k->made = time(NULL);
	k->used = ++kept_tick;
}

/* One (provider, metric, currency) over the 2N days: previous period
 * first. */
struct group {
	const char	*provider;
	const char	*metric;
	const char	*currency;	/* ISO 4217, or "" for none */
	double		*v;
	bool		*has;
	struct group	*merged;	/* every currency of the metric added
					 * up (find()), once made */
};

struct tiles {
	struct arena	*a;
	struct group	*g;
	size_t		 ng;
	int		 days;
	bool		 custom;	/* a range asked for, not 7/28/90 */
	double		*zero_v;	/* an empty series */
	bool		*zero_has;
	struct buf	*out;
	bool		 first;
	size_t		 budget;	/* custom tiles still listed */
	size_t		 more;		/* custom tiles left out */
};

/* One provider's groups: t->g[lo..hi), sorted by metric. */
struct range {
	const char	*provider;
	size_t		 lo, hi;
};

int
tiles_period(const char *s)
{
	if (s == NULL)
		return 0;
	if (strcmp(s, "7d") == 0)
		return 7;
	if (strcmp(s, "28d") == 0)
		return 28;
	if (strcmp(s, "90d") == 0)
		return 90;
	return 0;
}

/* True when s is a real date written YYYY-MM-DD from 2000 on; *day its
 * number. */
static bool
strict_day(struct arena *ar, const char *s, int64_t *day)
{
	return s != NULL && strlen(s) == 10 && s[0] >= '2' && s[0] <= '9' &&
	    day_scan(s, day) && strcmp(day_text(ar, *day), s) == 0;
}

void
tiles_range(struct arena *ar, const char *from, const char *to, int *days,
    const char **why)
{
	int64_t a, b;

	*days = 0;
	*why = NULL;
	if (!strict_day(ar, from, &a) || !strict_day(ar, to, &b))
		*why = "from and to must both be real dates from 2000 on, "
		    "YYYY-MM-DD";
	else if (b < a)
		*why = "to must not be before from";
	else if (b - a + 1 > TILES_MAX_DAYS)
		*why = "a range is at most 366 days";
	else
		*days = (int)(b - a + 1);
}

static uint64_t
hash3(const char *p, const char *m, const char *c)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	h = (h ^ 0xff) * 1099511628211ULL;
	for (; *m != '\0'; m++)
		h = (h ^ (unsigned char)*m) * 1099511628211ULL;
	h = (h ^ 0xff) * 1099511628211ULL;
	for (; *c != '\0'; c++)
		h = (h ^ (unsigned char)*c) * 1099511628211ULL;
	return h;
}

/* Provider, metric, then currency: named ones first, none last. */
static int
group_cmp(const void *x, const void *y)
{
	const struct group *a = x, *b = y;
	int c = strcmp(a->provider, b->provider);

	if (c == 0)
		c = strcmp(a->metric, b->metric);
	if (c == 0 && (*a->currency == '\0') != (*b->currency == '\0'))
		return *a->currency == '\0' ? 1 : -1;
	return c != 0 ? c : strcmp(a->currency, b->currency);
}

/* The provider's first group of metric (its currencies follow it), or
 * NULL. */
static struct group *
first_of(const struct tiles *t, const struct range *r, const char *metric)
{
	size_t lo = r->lo, hi = r->hi, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strcmp(t->g[mid].metric, metric) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < r->hi && strcmp(t->g[lo].metric, metric) == 0 ?
	    &t->g[lo] : NULL;
}

/* The groups of metric from g on: how many (its currencies). */
static size_t
run_of(const struct tiles *t, const struct range *r, const struct group *g)
{
	size_t i = (size_t)(g - t->g), n = 0;

	while (i + n < r->hi && strcmp(t->g[i + n].metric, g->metric) == 0)
		n++;
	return n;
}

/* The provider's metric in every currency added up (what a count or a
 * rate is), or NULL. */
static struct group *
find(const struct tiles *t, const struct range *r, const char *metric)
{
	struct group *g = first_of(t, r, metric), *m;
	size_t n, i, k, span = 2 * (size_t)t->days;

	if (g == NULL || (n = run_of(t, r, g)) == 1)
		return g;
	if (g->merged != NULL)
		return g->merged;
	m = arena_calloc(t->a, 1, sizeof(*m));
	*m = *g;
	m->currency = "";
	m->merged = NULL;
	m->v = arena_calloc(t->a, span, sizeof(*m->v));
	m->has = arena_calloc(t->a, span, sizeof(*m->has));
	for (i = 0; i < n; i++)
		for (k = 0; k < span; k++) {
			m->v[k] += g[i].v[k];
			m->has[k] = m->has[k] || g[i].has[k];
		}
	g->merged = m;
	return m;
}

/* The provider's metric in currency alone ("": none), or NULL. */
static struct group *
find_in(const struct tiles *t, const struct range *r, const char *metric,
    const char *currency)
{
	struct group *g = first_of(t, r, metric);
	size_t i, n;

	for (i = 0, n = g != NULL ? run_of(t, r, g) : 0; i < n; i++)
		if (strcmp(g[i].currency, currency) == 0)
			return &g[i];
	return NULL;
}

/* The number PostgreSQL wrote as text s (a numeric): whole numbers of up
 * to 15 digits, the common case, exactly and without strtod(). */
static double
number(const char *s)
{
	const char *p = s + (*s == '-');
	long long u = 0;
	int n = 0;

	for (; *p >= '0' && *p <= '9' && n < 15; p++, n++)
		u = u * 10 + (*p - '0');
	if (n == 0 || *p != '\0')
		return strtod(s, NULL);
	return *s == '-' ? -(double)u : (double)u;
}

/* A hash table of size slots (a power of 2) holding t->g's groups by
 * index; an empty slot is (size_t)-1. */
static size_t *
slots(struct tiles *t, size_t size)
{
	size_t *slot, i, j;

	slot = arena_alloc(t->a, size * sizeof(*slot));
	memset(slot, 0xff, size * sizeof(*slot));
	for (i = 0; i < t->ng; i++) {
		for (j = hash3(t->g[i].provider, t->g[i].metric,
		    t->g[i].currency) & (size - 1); slot[j] != (size_t)-1;
		    j = (j + 1) & (size - 1))
			;
		slot[j] = i;
	}
	return slot;
}

/*
 * Groups the rows by (provider, metric, currency), summing accounts per
 * day, and sorts the groups.  The groups and their table grow with the
 * groups found, not the rows (a 90-day request of 50 series has 9,000
 * rows: sized by rows, about 700 KB were zeroed for 50 groups).
 */
static void
load(struct tiles *t, const struct db_res *res)
{
	size_t i, j, k, n = db_nrows(res), span = 2 * (size_t)t->days;
	size_t cap = 32, size = 64, mask = 63, *slot;
	const size_t empty = (size_t)-1;
	struct group *g;
	const char *p, *m, *v, *c, *d;
	long idx;

	t->g = arena_calloc(t->a, cap, sizeof(*t->g));
	slot = slots(t, size);
	for (i = 0; i < n; i++) {
		p = db_get(res, i, 0);
		m = db_get(res, i, 1);
		if (p == NULL || m == NULL || (d = db_get(res, i, 2)) == NULL ||
		    (v = db_get(res, i, 3)) == NULL)
			continue;
		/* The day's index: digits (db_get_int64() without strtoll()
		 * and a second look-up of the field). */
		for (idx = 0, k = 0; d[k] >= '0' && d[k] <= '9' &&
		    idx < (long)span; k++)
			idx = idx * 10 + (d[k] - '0');
		if (k == 0 || d[k] != '\0' || idx >= (long)span)
			continue;
		if ((c = db_get(res, i, 4)) == NULL)
			c = "";
		for (j = hash3(p, m, c) & mask; slot[j] != empty;
		    j = (j + 1) & mask)
			if (strcmp(t->g[slot[j]].metric, m) == 0 &&
			    strcmp(t->g[slot[j]].provider, p) == 0 &&
			    strcmp(t->g[slot[j]].currency, c) == 0)
				break;
		if (slot[j] == empty) {
			if (t->ng == cap) {
				g = arena_calloc(t->a, 2 * cap, sizeof(*g));
				memcpy(g, t->g, cap * sizeof(*g));
				t->g = g;
				cap *= 2;
			}
			slot[j] = t->ng;
			g = &t->g[t->ng++];
			g->provider = p;
			g->metric = m;
			g->currency = c;
			g->v = arena_calloc(t->a, span, sizeof(*g->v));
			g->has = arena_calloc(t->a, span, sizeof(*g->has));
			if (2 * t->ng > size) {	/* at most half full */
				size *= 2;
				mask = size - 1;
				slot = slots(t, size);
			}
		} else
			g = &t->g[slot[j]];
		g->v[idx] += number(v);
		g->has[idx] = true;
	}
	qsort(t->g, t->ng, sizeof(*t->g), group_cmp);
}

/* The previous (half 0) or current (half 1) period of a group. */
static void
half(const struct tiles *t, const struct group *g, int h,
    struct metric_series *s)
{
	s->n = (size_t)t->days;
	s->v = g != NULL ? g->v + h * t->days : t->zero_v;
	s->has = g != NULL ? g->has + h * t->days : t->zero_has;
}

/* The digits of u (1..10^15), at most 16, right-aligned ending at end;
 * returns where they start. */
static char *
digits(char *end, unsigned long long u)
{
	do {
		*--end = (char)('0' + u % 10);
		u /= 10;
	} while (u > 0);
	return end;
}

/*
 * |v| (1e-4 <= |v| < 1e15, not whole) as "%.15g" writes it, into out
 * (at least 24 bytes); returns its length, or 0 when the scaled value
 * lies too near a rounding boundary to be sure, and printf must say.
 * x = |v| x 10^(14 - e) is computed with one rounding (10^k exact for
 * k <= 22), so it is within 1/16 of the exact product (< 2^50): rounding
 * x to an integer gives printf's 15 digits unless x's fraction is near
 * one half, or x near 10^14 or 10^15 (the exponent in doubt).
 */
static size_t
num15(char *out, double v)
{
	static const double p10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6,
	    1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17,
	    1e18 };
	double av = fabs(v), x, f;
	unsigned long long u;
	char tmp[24], *d, *o = out;
	int e, k, i, last;

	for (e = 14; e > -5 && av < p10[e + 4] / 1e4; e--)
		;
	if (e < -4)
		return 0;
	x = av * p10[14 - e];
	if (x < 1e14 + 0.125 || x >= 1e15 - 0.625)
		return 0;
	f = x - floor(x);
	if (fabs(f - 0.5) < 0.125)
		return 0;
	u = (unsigned long long)x + (f > 0.5);
	d = digits(tmp + sizeof(tmp), u);	/* 15 digits */
	if (v < 0)
		*o++ = '-';
	for (last = 14; last > 0 && d[last] == '0'; last--)
		;
	if (e >= 0) {
		for (i = 0; i <= e; i++)
			*o++ = d[i];
		if (last > e)
			*o++ = '.';
		for (; i <= last; i++)
			*o++ = d[i];
	} else {
		*o++ = '0';
		*o++ = '.';
		for (k = -1; k > e; k--)
			*o++ = '0';
		for (i = 0; i <= last; i++)
			*o++ = d[i];
	}
	return (size_t)(o - out);
}

size_t
tiles_num(char *out, bool ok, double v)
{
	char *p;
	size_t n;
	int len;

	if (!ok || !isfinite(v)) {
		memcpy(out, "null", 5);
		return 4;
	}
	/* Whole numbers, the common case, without printf. */
	if (v == (double)(long long)v && fabs(v) < 1e15) {
		p = digits(out + 23, (unsigned long long)(v < 0 ? -v : v));
		if (v < 0)
			*--p = '-';
		n = (size_t)(out + 23 - p);
		memmove(out, p, n);
		out[n] = '\0';
		return n;
	}
	if ((n = num15(out, v)) > 0) {
		out[n] = '\0';
		return n;
	}
	len = snprintf(out, TILES_NUM_SIZE, "%.15g", v);
	return len > 0 ? (size_t)len : 0;
}

/* A number for JSON (15 significant digits), or null. */
static void
put_num(struct buf *b, bool ok, double v)
{
	char tmp[TILES_NUM_SIZE];

	buf_append(b, tmp, tiles_num(tmp, ok, v));
}

/*
 * Appends one tile; a and b as for metric_aggregate().  A sum or a ratio
 * is compared only when both periods have data on as many days (else it
 * is "partial": metric_partial()); a running total (LAST)
 * or a provider's period total (TOTALS) is whole on any day.  A ratio
 * changes in percentage points (change_pp), never in percent of itself.
 */
static void
tile(struct tiles *t, const char *provider, const char *metric,
    const char *currency, const struct metric_def *def,
    const struct group *ga, const struct group *gb)
{
	struct metric_series ac, ap, bc, bp;
	struct buf *o = t->out;
	const char *unit = def ? def->unit : "number", *why;
	double cur = 0, prev = 0, v = 0;
	bool hc, hp, ok, ratio, partial;
	int i, cc, cp;

	half(t, ga, 1, &ac);
	half(t, ga, 0, &ap);
	half(t, gb, 1, &bc);
	half(t, gb, 0, &bp);
	hc = metric_aggregate(def, &ac, &bc, &cur);
	hp = metric_aggregate(def, &ap, &bp, &prev);
	cc = metric_covered(def, &ac, &bc);
	cp = metric_covered(def, &ap, &bp);
	partial = metric_partial(def, cc, cp);
	ratio = strcmp(unit, "ratio") == 0;
	ok = hc && hp && !partial;
	why = NULL;
	if (def != NULL && def->agg == METRIC_TOTALS && !t->custom && !hc &&
	    (def->no_totals & (t->days == 7 ? METRIC_7D : t->days == 28 ?
	    METRIC_28D : METRIC_90D)) == 0)
		why = "the provider's own total for these days comes with "
		    "the next sync";
	else if (def != NULL && def->agg == METRIC_TOTALS && t->custom && !hc)
		why = "the provider's own totals are kept for 7, 28 and 90 "
		    "days ending yesterday only";
	else if (def != NULL && def->agg == METRIC_TOTALS && !t->custom &&
	    (def->no_totals & (t->days == 7 ? METRIC_7D : t->days == 28 ?
	    METRIC_28D : METRIC_90D)))
		why = def->no_totals_why;
	buf_puts(o, t->first ? "{\"provider\":" : ",{\"provider\":");
	t->first = false;
	buf_put_json_string(o, provider, strlen(provider));
	buf_puts(o, ",\"metric\":");
	buf_put_json_string(o, metric, strlen(metric));
	buf_puts(o, ",\"label\":");
	buf_put_json_string(o, def ? def->label : metric,
	    strlen(def ? def->label : metric));
	buf_printf(o, ",\"unit\":\"%s\",\"aggregation\":\"%s\",\"currency\":",
	    unit, metric_agg_name(def ? def->agg : METRIC_SUM));
	if (currency != NULL && *currency != '\0')
		buf_put_json_string(o, currency, strlen(currency));
	else
		buf_puts(o, "null");
	buf_puts(o, ",\"current\":");
	put_num(o, hc, cur);
	buf_puts(o, ",\"previous\":");
	put_num(o, hp, prev);
	buf_puts(o, ",\"change\":");
	put_num(o, ok, cur - prev);
	buf_puts(o, ",\"change_pct\":");
	put_num(o, ok && !ratio && prev != 0, (cur - prev) / fabs(prev) * 100);
	buf_puts(o, ",\"change_pp\":");
	put_num(o, ok && ratio, (cur - prev) * 100);
	buf_printf(o, ",\"coverage\":{\"days\":%d,\"current\":%d,"
	    "\"previous\":%d,\"partial\":%s}", t->days, cc, cp,
	    partial ? "true" : "false");
	if (why != NULL) {
		buf_puts(o, ",\"unavailable\":");
		buf_put_json_string(o, why, strlen(why));
	}
	buf_puts(o, ",\"series\":[");
	for (i = 0; i < t->days; i++) {
		if (i > 0)
			buf_putc(o, ',');
		ok = metric_point(def, &ac, &bc, (size_t)i, &v);
		put_num(o, ok, v);
	}
	buf_puts(o, "],\"previous_series\":[");
	for (i = 0; i < t->days; i++) {
		if (i > 0)
			buf_putc(o, ',');
		ok = metric_point(def, &ap, &bp, (size_t)i, &v);
		put_num(o, ok, v);
	}
	buf_puts(o, "]}");
}

/*
 * The tiles of a money metric d, one per currency its amounts (a RATIO's
 * numerator) are in, never added across currencies; with emit false only
 * counted.  Returns how many.
 */
static size_t
money_tiles(struct tiles *t, const struct range *r,
    const struct metric_def *d, bool emit)
{
	struct group *g, *gb;
	size_t i, n, count = 0;

	g = first_of(t, r, d->agg == METRIC_RATIO ? d->num : d->name);
	for (i = 0, n = g != NULL ? run_of(t, r, g) : 0; i < n; i++) {
		gb = NULL;
		/* The denominator's rows of the same currency; with one
		 * currency only, all of them (counts sent without one). */
		if (d->agg == METRIC_RATIO && (gb = find_in(t, r, d->den,
		    g[i].currency)) == NULL && (n > 1 || (gb = find(t, r,
		    d->den)) == NULL))
			continue;
		count++;
		if (emit)
			tile(t, r->provider, d->name, g[i].currency, d, &g[i],
			    gb);
	}
	return count;
}

/*
 * The catalogue's tiles for a provider, in catalogue order (none for a
 * custom source); with emit false only counted.  Returns how many.
 */
static size_t
catalogue_tiles(struct tiles *t, const struct range *r, bool emit)
{
	const struct metric_def *all, *d;
	struct group *ga, *gb;
	size_t i, n, count = 0;

	all = metric_of(r->provider, &n);
	for (i = 0; i < n; i++) {
		d = &all[i];
		if (strcmp(d->unit, "currency_micros") == 0 &&
		    (d->agg == METRIC_SUM || d->agg == METRIC_RATIO)) {
			count += money_tiles(t, r, d, emit);
			continue;
		}
		if (d->agg == METRIC_RATIO) {
			ga = find(t, r, d->num);
			gb = find(t, r, d->den);
			if (ga == NULL || gb == NULL)
				continue;
		} else if (d->agg == METRIC_TOTALS) {
			ga = find(t, r, d->name);
			gb = find(t, r, arena_printf(t->a, "%s:%dd", d->name,
			    t->days));
			if (ga == NULL && gb == NULL)
				continue;
		} else if ((ga = find(t, r, d->name)) != NULL)
			gb = NULL;
		else
			continue;
		count++;
		if (emit)
			tile(t, r->provider, d->name, NULL, d, ga, gb);
	}
	return count;
}

/*
 * Tiles of one provider: the catalogue's, then its custom metrics while
 * the budget lasts (the others are counted in t->more).
 */
static void
provider_tiles(struct tiles *t, const struct range *r)
{
	struct group *g;
	size_t i, baselen;
	int days;

	(void)catalogue_tiles(t, r, true);
	for (i = r->lo; i < r->hi; i++) {
		g = &t->g[i];
		if (metric_find(r->provider, g->metric) != NULL ||
		    metric_totals_split(g->metric, &baselen, &days))
			continue;
		if (t->budget == 0) {
			t->more++;
			continue;
		}
		t->budget--;
		tile(t, r->provider, g->metric, g->currency, NULL, g, NULL);
	}
}

/* The provider ranges of the sorted groups; *nout of them. */
static struct range *
ranges(struct tiles *t, size_t *nout)
{
	struct range *r;
	size_t i, n = 0;

	r = arena_calloc(t->a, t->ng > 0 ? t->ng : 1, sizeof(*r));
	for (i = 0; i < t->ng; i++) {
		if (n == 0 ||
		    strcmp(r[n - 1].provider, t->g[i].provider) != 0) {
			r[n].provider = t->g[i].provider;
			r[n].lo = i;
			n++;
		}
		r[n - 1].hi = i + 1;
	}
	*nout = n;
	return r;
}

enum err
tiles_json(struct db *db, struct arena *a, int64_t workspace_id, int days,
    const char *end, const char *provider, bool fresh, const char **out)
{
	const char *p[7], *tz = NULL;
	struct db_res *res;
	struct range *r;
	struct tiles t;
	struct kept *k = NULL;
	size_t i, nr, ncat = 0;
	int64_t y = 0, today = 0, v = 0, e;
	enum err rc;

	if (days < 1 || days > TILES_MAX_DAYS ||
	    (end != NULL && !day_scan(end, &e)))
		return ERR_INPUT;
	p[0] = db_int64(a, workspace_id);
	p[1] = db_int64(a, days);
	p[2] = provider;
	p[3] = end;
	p[4] = p[5] = p[6] = NULL;
	if (!fresh &&
	    (k = kept_find(workspace_id, days, end, provider)) != NULL) {
		p[4] = db_int64(a, k->v);
		p[5] = db_int64(a, k->y);
		p[6] = k->tz;
	}
	/* Directly, its generic plan (prepared once per connection)
	 * prunes to the workspace's partition when it starts and reads
	 * it as a custom plan does, but the planner, costing all the
	 * partitions, never picks it: every request was planned again
	 * (~0.3 ms of the server's CPU).  Behind a pooler nothing is
	 * prepared and a generic plan would be made over every partition
	 * each time: db_exec_generic() does not ask for it there. */
	if ((rc = db_exec_generic(db, a, sql_days, 7, p, &res)) != ERR_OK)
		return rc;
	for (i = 0; i < db_nrows(res) && tz == NULL; i++)
		if (db_get(res, i, 0) == NULL) {
			tz = db_get(res, i, 1);
			y = db_get_int64(res, i, 2, 0);
			today = db_get_int64(res, i, 3, 0);
			v = db_get_int64(res, i, 4, -1);
		}
	if (tz == NULL)
		return ERR_NOTFOUND;
	if (y >= today)		/* today is not over: no comparison */
		return ERR_UNPROCESSABLE;
	/* The kept answer is right when the rows were left out for it. */
	if (k != NULL && k->v == v && k->y == y && strcmp(k->tz, tz) == 0) {
		k->used = ++kept_tick;
		*out = arena_strndup(a, k->body, k->len);
		return ERR_OK;
	}
	memset(&t, 0, sizeof(t));
	t.a = a;
	t.days = days;
	t.custom = end != NULL;
	t.first = true;
	t.zero_v = arena_calloc(a, (size_t)days, sizeof(*t.zero_v));
	t.zero_has = arena_calloc(a, (size_t)days, sizeof(*t.zero_has));
	load(&t, res);
	r = ranges(&t, &nr);
	/* Every catalogue tile (a bounded number), then custom ones up to
	 * LIMIT_TILES in all. */
	for (i = 0; i < nr; i++)
		ncat += catalogue_tiles(&t, &r[i], false);
	t.budget = ncat < LIMIT_TILES ? LIMIT_TILES - ncat : 0;
	t.out = buf_new_arena(a, LIMIT_RESPONSE);
	if (t.custom)
		buf_printf(t.out, "{\"period\":\"custom\",\"days\":%d,"
		    "\"time_zone\":", days);
	else
		buf_printf(t.out, "{\"period\":\"%dd\",\"days\":%d,"
		    "\"time_zone\":", days, days);
	buf_put_json_string(t.out, tz, strlen(tz));
	buf_printf(t.out, ",\"current\":{\"from\":\"%s\",\"to\":\"%s\"},"
	    "\"previous\":{\"from\":\"%s\",\"to\":\"%s\"},\"tiles\":[",
	    day_text(a, y - days + 1), day_text(a, y),
	    day_text(a, y - 2 * days + 1), day_text(a, y - days));
	for (i = 0; i < nr; i++)
		provider_tiles(&t, &r[i]);
	if (buf_printf(t.out, "],\"more_tiles\":%zu}", t.more) != ERR_OK)
		return ERR_TOOBIG;
	*out = buf_cstr(t.out);
	if (v >= 0)
		kept_put(workspace_id, days, end, provider, v, y, tz, *out);
	return ERR_OK;
}
