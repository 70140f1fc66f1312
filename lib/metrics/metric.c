/* metric.c — the catalogue looked up, and the aggregation rules. */
#include <string.h>

#include "base/mem.h"
#include "metrics/metric.h"

static const char *const agg_names[METRIC__MAX] = {
	[METRIC_SUM] = "sum",
	[METRIC_RATIO] = "ratio",
	[METRIC_LAST] = "last",
	[METRIC_TOTALS] = "totals",
};

const struct metric_def *
metric_of(const char *provider, size_t *nout)
{
	const struct provider *p = provider_get(provider);

	*nout = p != NULL ? p->nmetrics : 0;
	return p != NULL ? p->metrics : NULL;
}

const struct metric_def *
metric_find(const char *provider, const char *name)
{
	const struct metric_def *all;
	size_t i, n;

	all = metric_of(provider, &n);
	for (i = 0; i < n; i++)
		if (strcmp(all[i].name, name) == 0)
			return &all[i];
	return NULL;
}

bool
metric_provider_known(const char *slug)
{
	return provider_get(slug) != NULL;
}

const char *
metric_agg_name(enum metric_agg agg)
{
	return agg >= 0 && agg < METRIC__MAX ? agg_names[agg] : "sum";
}

bool
metric_totals_split(const char *name, size_t *baselen, int *days)
{
	const char *colon = strrchr(name, ':'), *p;
	int n = 0;

	if (colon == NULL || colon == name)
		return false;
	for (p = colon + 1; *p >= '0' && *p <= '9' && p - colon <= 3; p++)
		n = n * 10 + (*p - '0');
	if (p == colon + 1 || n < 1 || p[0] != 'd' || p[1] != '\0')
		return false;
	*baselen = (size_t)(colon - name);
	*days = n;
	return true;
}

static bool
sum(const struct metric_series *s, double *out)
{
	double t = 0;
	bool any = false;
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->has[i]) {
			t += s->v[i];
			any = true;
		}
	*out = t;
	return any;
}

static bool
ratio(const struct metric_def *def, double num, double den, double *out)
{
	if (den == 0)
		return false;
	*out = def->complement ? 1 - num / den : num / den;
	return true;
}

bool
metric_aggregate(const struct metric_def *def, const struct metric_series *a,
    const struct metric_series *b, double *out)
{
	double num, den;
	size_t i;

	switch (def != NULL ? def->agg : METRIC_SUM) {
	case METRIC_RATIO:
		if (b == NULL || !sum(a, &num) || !sum(b, &den))
			return false;
		return ratio(def, num, den, out);
	case METRIC_LAST:
		for (i = a->n; i > 0; i--)
			if (a->has[i - 1]) {
				*out = a->v[i - 1];
				return true;
			}
		return false;
	case METRIC_TOTALS:
		if (b == NULL || b->n == 0 || !b->has[b->n - 1])
			return false;
		*out = b->v[b->n - 1];
		return true;
	default:
		return sum(a, out);
	}
}

int
metric_covered(const struct metric_def *def, const struct metric_series *a,
    const struct metric_series *b)
{
	double v;
	size_t i;
	int n = 0;

	for (i = 0; i < a->n; i++)
		n += metric_point(def, a, b, i, &v);
	return n;
}

bool
metric_partial(const struct metric_def *def, int cur_days, int prev_days)
{
	return prev_days != cur_days && (def == NULL || (!def->sparse &&
	    (def->agg == METRIC_SUM || def->agg == METRIC_RATIO)));
}

bool
metric_point(const struct metric_def *def, const struct metric_series *a,
    const struct metric_series *b, size_t i, double *out)
{
	if (i >= a->n || !a->has[i])
		return false;
	if (def != NULL && def->agg == METRIC_RATIO) {
		if (b == NULL || i >= b->n || !b->has[i])
			return false;
		return ratio(def, a->v[i], b->v[i], out);
	}
	*out = a->v[i];
	return true;
}
