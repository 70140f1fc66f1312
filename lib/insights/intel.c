/* intel.c — a week's facts that answer a question (intel.h). */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/jsonx.h"
#include "base/limit.h"
#include "base/mem.h"
#include "base/numfmt.h"
#include "base/utf8.h"
#include "insights/insights.h"
#include "insights/intel.h"
#include "metrics/metric.h"
#include "providers/provider.h"

static const struct {
	const char		*word;
	enum intel_intent	 intent;
} intent_words[] = {
	{ .word = "why", .intent = INTEL_WHY },
	{ .word = "reason", .intent = INTEL_WHY },
	{ .word = "cause", .intent = INTEL_WHY },
	{ .word = "explain", .intent = INTEL_WHY },
	{ .word = "drop", .intent = INTEL_DOWN },
	{ .word = "dropped", .intent = INTEL_DOWN },
	{ .word = "fell", .intent = INTEL_DOWN },
	{ .word = "fall", .intent = INTEL_DOWN },
	{ .word = "down", .intent = INTEL_DOWN },
	{ .word = "decline", .intent = INTEL_DOWN },
	{ .word = "declined", .intent = INTEL_DOWN },
	{ .word = "decrease", .intent = INTEL_DOWN },
	{ .word = "decreased", .intent = INTEL_DOWN },
	{ .word = "worse", .intent = INTEL_DOWN },
	{ .word = "lower", .intent = INTEL_DOWN },
	{ .word = "rise", .intent = INTEL_UP },
	{ .word = "rose", .intent = INTEL_UP },
	{ .word = "up", .intent = INTEL_UP },
	{ .word = "increase", .intent = INTEL_UP },
	{ .word = "increased", .intent = INTEL_UP },
	{ .word = "grew", .intent = INTEL_UP },
	{ .word = "grow", .intent = INTEL_UP },
	{ .word = "growth", .intent = INTEL_UP },
	{ .word = "higher", .intent = INTEL_UP },
	{ .word = "better", .intent = INTEL_UP },
	{ .word = "spike", .intent = INTEL_UP },
	{ .word = "spiked", .intent = INTEL_UP },
	{ .word = "change", .intent = INTEL_CHANGE },
	{ .word = "changed", .intent = INTEL_CHANGE },
	{ .word = "changes", .intent = INTEL_CHANGE },
	{ .word = "moved", .intent = INTEL_CHANGE },
	{ .word = "different", .intent = INTEL_CHANGE },
	{ .word = "happened", .intent = INTEL_CHANGE },
};

/* Periods the week's analysis does not cover, as a question says them. */
static const char *const other_periods[] = {
	"yesterday", "today", "month", "months", "monthly", "quarter",
	"year", "years", "yearly", "ytd", "7 days", "28 days", "30 days",
	"90 days",
};

static const char *const intent_names[] = {
	[INTEL_OVERVIEW] = "overview",
	[INTEL_CHANGE] = "change",
	[INTEL_WHY] = "why",
	[INTEL_UP] = "up",
	[INTEL_DOWN] = "down",
};

const char *
intel_question_problem(const char *question, size_t len)
{
	const unsigned char *s = (const unsigned char *)question;
	size_t i, k;
	long c;

	if (strlen(question) != len)
		return "must not contain a NUL character";
	for (i = 0; i < len; i += k) {
		if ((c = utf8_next(s + i, len - i, &k)) < 0)
			return "is not valid UTF-8 text";
		if ((c < 0x20 && c != '\n' && c != '\r' && c != '\t') ||
		    (c >= 0x7f && c <= 0x9f))
			return "must not contain control characters other "
			    "than line breaks and tabs";
	}
	return NULL;
}

const char *
intel_intent_name(enum intel_intent i)
{
	return (size_t)i < nitems(intent_names) ? intent_names[i] : "overview";
}

/* s as " words " : ASCII letters and digits lowercased, anything else a
 * space, one space between words (arena). */
static char *
words(struct arena *a, const char *s)
{
	size_t n = s != NULL ? strlen(s) : 0, i, o = 0;
	char *out = arena_alloc(a, n + 3);

	out[o++] = ' ';
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x80 && isalnum(c))
			out[o++] = (char)tolower(c);
		else if (out[o - 1] != ' ')
			out[o++] = ' ';
	}
	if (out[o - 1] != ' ')
		out[o++] = ' ';
	out[o] = '\0';
	return out;
}

/* True when phrase (already words(), with its spaces) is in q; with cut,
 * its every occurrence is blanked so no shorter phrase matches in it. */
static bool
take(char *q, const char *phrase, bool cut)
{
	size_t len = strlen(phrase);
	char *p = strstr(q, phrase), *hit = p;

	if (len <= 2 || !cut)
		return p != NULL && len > 2;
	for (; p != NULL; p = strstr(p + 1, phrase))
		memset(p + 1, ' ', len - 2);
	return hit != NULL;
}

struct cand {
	const char	*phrase;	/* words() form */
	const char	*key;		/* slug or metric */
	const char	*label;
};

/* Longest phrase first; the same phrases together, in the order they
 * were added. */
static int
cand_cmp(const void *x, const void *y)
{
	const struct cand *a = x, *b = y;
	size_t la = strlen(a->phrase), lb = strlen(b->phrase);
	int c;

	if (la != lb)
		return la > lb ? -1 : 1;
	if ((c = strcmp(a->phrase, b->phrase)) != 0)
		return c;
	return a->key < b->key ? -1 : a->key > b->key;
}

static bool
named_provider(const struct intel_query *q, const char *slug)
{
	size_t i;

	for (i = 0; i < q->nproviders; i++)
		if (strcmp(q->providers[i], slug) == 0)
			return true;
	return q->nproviders == 0;
}

static bool
named_metric(const struct intel_query *q, const char *metric)
{
	size_t i;

	for (i = 0; i < q->nmetrics; i++)
		if (strcmp(q->metrics[i].metric, metric) == 0)
			return true;
	return q->nmetrics == 0;
}

/* A metric's name as words, without its unit suffix ("cost"). */
static const char *
name_words(struct arena *a, const char *metric)
{
	const char *w = words(a, metric);
	size_t n = strlen(w);

	if (n > 8 && strcmp(w + n - 8, " micros ") == 0)
		return arena_printf(a, "%.*s ", (int)(n - 8), w);
	return w;
}

/* Adds phrase for key (the singular too when it ends in s). */
static void
cand_add(struct arena *a, struct cand *c, size_t *n, size_t max,
    const char *phrase, const char *key, const char *label)
{
	size_t len = strlen(phrase);

	if (*n + 2 > max || len <= 2)
		return;
	c[*n].phrase = phrase;
	c[*n].key = key;
	c[(*n)++].label = label;
	if (len > 4 && phrase[len - 2] == 's') {
		c[*n].phrase = arena_printf(a, "%.*s ", (int)(len - 2),
		    phrase);
		c[*n].key = key;
		c[(*n)++].label = label;
	}
}

/* The catalogue's label of a metric name, whichever provider has it. */
static const char *
catalogue_label(const char *metric)
{
	const struct provider *const *all;
	const struct metric_def *d;
	size_t i, n;

	all = provider_all(&n);
	for (i = 0; i < n; i++)
		if ((d = metric_find(all[i]->slug, metric)) != NULL)
			return d->label;
	return metric;
}

static void
add_metric(struct intel_query *q, const char *metric, const char *label)
{
	size_t i;

	if (label == NULL)
		label = catalogue_label(metric);
	for (i = 0; i < q->nmetrics; i++)
		if (strcmp(q->metrics[i].metric, metric) == 0)
			return;
	if (q->nmetrics == INTEL_MAX_NAMED)
		return;
	q->metrics[q->nmetrics].provider = NULL;
	q->metrics[q->nmetrics].metric = metric;
	q->metrics[q->nmetrics++].label = label;
}

/* The providers' names, slugs and everyday words, longest first. */
static void
parse_providers(struct arena *a, char *w, struct intel_query *q)
{
	const struct provider *const *all;
	struct cand *c;
	size_t i, j, k, n, nc = 0, max;

	all = provider_all(&n);
	max = 2 * (2 + PROVIDER_WORDS) * n + 2;
	c = arena_calloc(a, max, sizeof(*c));
	for (i = 0; i < n; i++) {
		cand_add(a, c, &nc, max, words(a, all[i]->name),
		    all[i]->slug, all[i]->name);
		cand_add(a, c, &nc, max, words(a, all[i]->slug),
		    all[i]->slug, all[i]->name);
	}
	for (i = 0; i < n; i++)
		for (k = 0; k < PROVIDER_WORDS && all[i]->words[k] != NULL;
		    k++)
			cand_add(a, c, &nc, max, words(a, all[i]->words[k]),
			    all[i]->slug, NULL);
	qsort(c, nc, sizeof(*c), cand_cmp);
	for (i = 0; i < nc; i++) {
		if (!take(w, c[i].phrase, true))
			continue;
		for (j = 0; j < q->nproviders; j++)
			if (strcmp(q->providers[j], c[i].key) == 0)
				break;
		if (j == q->nproviders && q->nproviders < INTEL_MAX_NAMED)
			q->providers[q->nproviders++] = c[i].key;
	}
}

/* The catalogue's labels and names (of the providers named, or all),
 * custom metrics in, and everyday words, longest first. */
static void
parse_metrics(struct arena *a, char *w, const struct insights *in,
    struct intel_query *q)
{
	const struct provider *const *all;
	const struct metric_def *defs;
	struct cand *c;
	size_t i, j, k, n, nd, nc = 0, max = 64;

	all = provider_all(&n);
	for (i = 0; i < n; i++) {
		(void)metric_of(all[i]->slug, &nd);
		max += (4 + 2 * METRIC_WORDS) * nd;
	}
	max += 2 * (in != NULL ? in->nkpis : 0);
	c = arena_calloc(a, max, sizeof(*c));
	for (i = 0; i < n; i++) {
		if (!named_provider(q, all[i]->slug))
			continue;
		defs = metric_of(all[i]->slug, &nd);
		for (j = 0; j < nd; j++) {
			cand_add(a, c, &nc, max, words(a, defs[j].label),
			    defs[j].name, defs[j].label);
			cand_add(a, c, &nc, max, name_words(a, defs[j].name),
			    defs[j].name, defs[j].label);
		}
	}
	for (i = 0; in != NULL && i < in->nkpis; i++)
		if (metric_find(in->kpis[i].provider, in->kpis[i].metric) ==
		    NULL && named_provider(q, in->kpis[i].provider))
			cand_add(a, c, &nc, max, words(a, in->kpis[i].metric),
			    in->kpis[i].metric, in->kpis[i].metric);
	/* Everyday words name a metric whichever providers are named. */
	for (i = 0; i < n; i++) {
		defs = metric_of(all[i]->slug, &nd);
		for (j = 0; j < nd; j++)
			for (k = 0; k < METRIC_WORDS &&
			    defs[j].words[k] != NULL; k++)
				cand_add(a, c, &nc, max,
				    words(a, defs[j].words[k]), defs[j].name,
				    NULL);
	}
	qsort(c, nc, sizeof(*c), cand_cmp);
	/* A phrase names every metric it is a phrase of ("clicks": each
	 * provider's), then is blanked out for shorter ones. */
	for (i = 0; i < nc; i = j) {
		bool hit = take(w, c[i].phrase, false);

		for (j = i; j < nc && strcmp(c[j].phrase, c[i].phrase) == 0;
		    j++)
			if (hit)
				add_metric(q, c[j].key, c[j].label);
		if (hit)
			(void)take(w, c[i].phrase, true);
	}
}

void
intel_parse(struct arena *a, const char *question,
    const struct insights *in, struct intel_query *q)
{
	char *w = words(a, question);
	size_t i;

	memset(q, 0, sizeof(*q));
	q->intent = INTEL_OVERVIEW;
	for (i = 0; i < nitems(other_periods) && q->other_period == NULL; i++)
		if (take(w, words(a, other_periods[i]), false))
			q->other_period = other_periods[i];
	/* The strongest question word wins: why, then a direction, then a
	 * change. */
	for (i = 0; i < nitems(intent_words); i++)
		if (strstr(w, words(a, intent_words[i].word)) != NULL &&
		    (q->intent == INTEL_OVERVIEW ||
		    intent_words[i].intent == INTEL_WHY ||
		    (q->intent == INTEL_CHANGE &&
		    intent_words[i].intent != INTEL_CHANGE)))
			q->intent = intent_words[i].intent;
	parse_providers(a, w, q);
	parse_metrics(a, w, in, q);
}

/* --- the answer ----------------------------------------------------- */

struct ranked {
	size_t	 idx;		/* in in->kpis */
	int	 cls;		/* 0 first */
	double	 key;		/* larger first within a class */
};

static int
ranked_cmp(const void *x, const void *y)
{
	const struct ranked *a = x, *b = y;

	if (a->cls != b->cls)
		return a->cls < b->cls ? -1 : 1;
	if (a->key != b->key)
		return a->key > b->key ? -1 : 1;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/* The KPIs the question and scope name, ranked by what it asks; *n of
 * them. */
static struct ranked *
rank(struct arena *a, const struct insights *in, const char *provider,
    const struct intel_query *q, size_t *n)
{
	struct ranked *r = arena_calloc(a, in->nkpis + 1, sizeof(*r));
	const struct insights_kpi *k;
	size_t i;

	*n = 0;
	for (i = 0; i < in->nkpis; i++) {
		k = &in->kpis[i];
		if ((provider != NULL && strcmp(k->provider, provider) != 0) ||
		    !named_provider(q, k->provider) ||
		    !named_metric(q, k->metric))
			continue;
		r[*n].idx = i;
		switch (q->intent) {
		case INTEL_CHANGE:
		case INTEL_WHY:
			r[*n].cls = k->has_pct ? 0 : 1;
			r[*n].key = k->has_pct ? fabs(k->pct) : 0;
			break;
		case INTEL_UP:
			r[*n].cls = k->has_pct && k->pct > 0 ? 0 : 1;
			r[*n].key = k->has_pct && k->pct > 0 ? k->pct : 0;
			break;
		case INTEL_DOWN:
			r[*n].cls = k->has_pct && k->pct < 0 ? 0 : 1;
			r[*n].key = k->has_pct && k->pct < 0 ? -k->pct : 0;
			break;
		default:
			break;
		}
		(*n)++;
	}
	qsort(r, *n, sizeof(*r), ranked_cmp);
	return r;
}

static const char *
pname(const char *slug)
{
	const struct provider *p = provider_get(slug);

	return p != NULL ? p->name : slug;
}

static const char *
pct_words(struct arena *a, double pct)
{
	pct = fabs(pct);
	return pct >= 10 || fabs(pct - round(pct)) < 0.05 ?
	    arena_printf(a, "%.0f%%", pct) : arena_printf(a, "%.1f%%", pct);
}

/* One KPI in a sentence, with the week. */
static const char *
fact_sentence(struct arena *a, const struct insights_kpi *k,
    const char *week)
{
	const char *cur = numfmt_value(a, k->cur, k->unit, k->currency);
	const char *prev = numfmt_value(a, k->prev, k->unit, k->currency);

	if (!k->has_cur)
		return arena_printf(a, "%s on %s has no data for %s (%s the "
		    "week before).", k->label, k->provider_name, week, prev);
	if (k->has_pct && (strcmp(k->unit, "ratio") == 0 ? fabs(k->cur -
	    k->prev) * 100 < 0.05 : fabs(k->pct) < 0.05))
		return arena_printf(a, "%s on %s held steady at %s in %s.",
		    k->label, k->provider_name, cur, week);
	if (k->has_pct)
		return arena_printf(a, "%s on %s %s %s (%s to %s) in %s.",
		    k->label, k->provider_name, k->pct > 0 ? "rose" : "fell",
		    strcmp(k->unit, "ratio") == 0 ? arena_printf(a, "%.1f pp",
		    fabs(k->cur - k->prev) * 100) : pct_words(a, k->pct), prev,
		    cur, week);
	if (k->partial)
		return arena_printf(a, "%s on %s was %s in %s; the week before "
		    "has data on fewer days, so there is no fair comparison.",
		    k->label, k->provider_name, cur, week);
	if (!k->has_prev)
		return arena_printf(a, "%s on %s was %s in %s; there is no "
		    "data for the week before.", k->label, k->provider_name,
		    cur, week);
	return arena_printf(a, "%s on %s was %s in %s (%s the week before).",
	    k->label, k->provider_name, cur, week, prev);
}

/* "A", "A and B", "A, B and C" of n names (arena). */
static const char *
listed(struct arena *a, const char *const *names, size_t n)
{
	struct buf *b = buf_new_arena(a, LIMIT_RESPONSE);
	size_t i;

	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_puts(b, i + 1 == n ? " and " : ", ");
		buf_puts(b, names[i]);
	}
	return buf_cstr(b);
}

static bool
item_named(const struct insights_item *it, const char *provider,
    const struct intel_query *q)
{
	if (provider != NULL && (it->provider == NULL ||
	    strcmp(it->provider, provider) != 0))
		return false;
	if (q->nproviders > 0 && (it->provider == NULL ||
	    !named_provider(q, it->provider)))
		return false;
	return it->metric == NULL || named_metric(q, it->metric);
}

/* Why the data cannot answer: nothing named has a number that week. */
static const char *
no_answer(struct arena *a, const struct insights *in, const char *provider,
    const struct intel_query *q, const char *week)
{
	const struct metric_def *d;
	const char **names;
	size_t i, k;

	/* A source with numbers that week, but not the ones named. */
	for (i = 0; i < in->nkpis && q->nmetrics > 0; i++) {
		if ((provider != NULL && strcmp(in->kpis[i].provider,
		    provider) != 0) || (q->nproviders > 0 ?
		    !named_provider(q, in->kpis[i].provider) :
		    metric_find(in->kpis[i].provider, q->metrics[0].metric) ==
		    NULL))
			continue;
		names = arena_calloc(a, q->nmetrics, sizeof(*names));
		for (k = 0; k < q->nmetrics; k++)
			names[k] = q->metrics[k].label;
		d = metric_find(in->kpis[i].provider, q->metrics[0].metric);
		return arena_printf(a, "%s has numbers for %s, but no %s: %s",
		    in->kpis[i].provider_name, week, listed(a, names,
		    q->nmetrics), d != NULL && d->agg == METRIC_TOTALS ?
		    "it is a count of unique people, which the provider "
		    "totals itself; Sluice keeps its totals for the 7, 28 and "
		    "90 days ending yesterday, so a week's comes with the "
		    "digest of the Monday after it." : d != NULL &&
		    d->agg == METRIC_RATIO ? "one of its parts was not "
		    "stored for those days." : "nothing of it was stored for "
		    "those days.");
	}
	if (q->nproviders == 0 && provider != NULL)
		return arena_printf(a, "There is no data from %s for %s: it "
		    "is not connected, or nothing was synced for those days.",
		    pname(provider), week);
	if (q->nproviders > 0) {
		names = arena_calloc(a, q->nproviders, sizeof(*names));
		for (i = 0; i < q->nproviders; i++)
			names[i] = pname(q->providers[i]);
		return arena_printf(a, "There is no data from %s for %s: %s "
		    "not connected, or nothing was synced for those days.",
		    listed(a, names, q->nproviders), week, q->nproviders == 1 ?
		    "it is" : "they are");
	}
	if (q->nmetrics > 0) {
		names = arena_calloc(a, q->nmetrics, sizeof(*names));
		for (i = 0; i < q->nmetrics; i++)
			names[i] = q->metrics[i].label;
		return arena_printf(a, "No %s %s stored for %s: no connected "
		    "source reports %s, or nothing was synced for those days.",
		    listed(a, names, q->nmetrics), q->nmetrics == 1 ? "was" :
		    "were", week, q->nmetrics == 1 ? "it" : "them");
	}
	return arena_printf(a, "Nothing was stored for %s: connect a source, "
	    "or wait for its first sync.", week);
}

/* With no number to give: what Sluice knows of the named connections
 * (needs re-authorisation, failing, stale), or NULL. */
static const char *
health_answer(struct arena *a, const struct insights *in,
    const char *provider, const struct intel_query *q, const char *week)
{
	const char **t = arena_calloc(a, in->nitems + 1, sizeof(*t));
	size_t i, n = 0;

	if (q->nproviders == 0 && provider == NULL)
		return NULL;
	for (i = 0; i < in->nitems; i++)
		if (in->items[i].metric == NULL &&
		    item_named(&in->items[i], provider, q))
			t[n++] = in->items[i].title;
	if (n == 0)
		return NULL;
	return arena_printf(a, "No numbers for %s answer this: %s.", week,
	    listed(a, t, n));
}

/* The answer's sentences from the ranked KPIs r (n > 0). */
static const char *
answer(struct arena *a, const struct insights *in, const struct ranked *r,
    size_t n, const char *provider, const struct intel_query *q,
    const char *week)
{
	const struct insights_kpi *top = &in->kpis[r[0].idx];
	const char **rel;
	struct buf *b = buf_new_arena(a, LIMIT_RESPONSE);
	size_t i, nrel = 0;

	if ((q->intent == INTEL_UP || q->intent == INTEL_DOWN) &&
	    r[0].cls != 0)
		buf_printf(b, "Nothing %s%s in %s. ", q->nmetrics +
		    q->nproviders > 0 ? "you named " : "", q->intent ==
		    INTEL_UP ? "rose" : "fell", week);
	buf_puts(b, fact_sentence(a, top, week));
	for (i = 1; i < n && i < 3 && q->intent != INTEL_OVERVIEW &&
	    r[i].cls == 0; i++)
		buf_printf(b, " Then: %s", fact_sentence(a, &in->kpis[r[i].idx],
		    week));
	if (q->intent == INTEL_WHY) {
		rel = arena_calloc(a, in->nitems + 1, sizeof(*rel));
		for (i = 0; i < in->nitems; i++)
			if (in->items[i].kind != INSIGHTS_MOVER_UP &&
			    in->items[i].kind != INSIGHTS_MOVER_DOWN &&
			    in->items[i].provider != NULL &&
			    strcmp(in->items[i].provider, top->provider) == 0 &&
			    item_named(&in->items[i], provider, q))
				rel[nrel++] = in->items[i].title;
		buf_puts(b, " The numbers show what changed and when, not why");
		if (nrel > 0)
			buf_printf(b, "; what the data shows with it: %s.",
			    listed(a, rel, nrel));
		else
			buf_printf(b, "; nothing else on %s stood out that "
			    "week.", top->provider_name);
	}
	return buf_cstr(b);
}

const char *
intel_json(struct arena *a, const struct insights_period *p,
    const struct insights *in, const char *provider, const char *question)
{
	struct json_object *root, *per, *u, *list, *facts, *items, *actions;
	struct json_object *o;
	const struct insights_kpi *k;
	const struct insights_item *it;
	struct intel_query q;
	struct ranked *r;
	const char *week, *say;
	size_t i, j, n;
	bool seen, health;

	intel_parse(a, question, in, &q);
	week = arena_printf(a, "the week %s to %s", p->start, p->end);
	r = rank(a, in, provider, &q, &n);
	root = jsonx_own(a, json_object_new_object());
	if (question != NULL)
		json_object_object_add(root, "question",
		    json_object_new_string(question));
	per = json_object_new_object();
	json_object_object_add(per, "start", json_object_new_string(p->start));
	json_object_object_add(per, "end", json_object_new_string(p->end));
	json_object_object_add(root, "period", per);
	u = json_object_new_object();
	list = json_object_new_array();
	for (i = 0; i < q.nproviders; i++)
		json_object_array_add(list,
		    json_object_new_string(q.providers[i]));
	json_object_object_add(u, "providers", list);
	list = json_object_new_array();
	for (i = 0; i < q.nmetrics; i++)
		json_object_array_add(list,
		    json_object_new_string(q.metrics[i].metric));
	json_object_object_add(u, "metrics", list);
	json_object_object_add(u, "intent",
	    json_object_new_string(intel_intent_name(q.intent)));
	json_object_object_add(u, "other_period", q.other_period != NULL ?
	    json_object_new_string(q.other_period) : NULL);
	json_object_object_add(root, "understood", u);
	say = n > 0 ? answer(a, in, r, n, provider, &q, week) :
	    health_answer(a, in, provider, &q, week);
	health = say != NULL && n == 0;
	if (say == NULL)
		say = no_answer(a, in, provider, &q, week);
	if (q.other_period != NULL)
		say = arena_printf(a, "%s This analysis covers whole weeks, "
		    "Monday to Sunday, not \"%s\": for other periods, read "
		    "GET /v1/dashboard/tiles with period=7d, 28d or 90d, or "
		    "from and to.", say, q.other_period);
	json_object_object_add(root, "answerable",
	    json_object_new_boolean(n > 0 || health));
	json_object_object_add(root, "answer", json_object_new_string(say));
	facts = json_object_new_array();
	for (i = 0; i < n; i++) {
		k = &in->kpis[r[i].idx];
		o = json_object_new_object();
		json_object_object_add(o, "provider",
		    json_object_new_string(k->provider));
		json_object_object_add(o, "metric",
		    json_object_new_string(k->metric));
		json_object_object_add(o, "label",
		    json_object_new_string(k->label));
		json_object_object_add(o, "unit",
		    json_object_new_string(k->unit));
		json_object_object_add(o, "currency", k->currency != NULL ?
		    json_object_new_string(k->currency) : NULL);
		json_object_object_add(o, "current", k->has_cur ?
		    json_object_new_double(k->cur) : NULL);
		json_object_object_add(o, "previous", k->has_prev ?
		    json_object_new_double(k->prev) : NULL);
		json_object_object_add(o, "change_pct", k->has_pct ?
		    json_object_new_double(k->pct) : NULL);
		/* A rate's change in percentage points, as said. */
		json_object_object_add(o, "change_pp", k->has_cur &&
		    k->has_prev && strcmp(k->unit, "ratio") == 0 ?
		    json_object_new_double((k->cur - k->prev) * 100) : NULL);
		json_object_object_add(o, "period", json_object_get(per));
		json_object_object_add(o, "source",
		    json_object_new_string("metric_daily"));
		json_object_array_add(facts, o);
	}
	json_object_object_add(root, "facts", facts);
	items = json_object_new_array();
	actions = json_object_new_array();
	for (i = 0; i < in->nitems; i++) {
		it = &in->items[i];
		if (!item_named(it, provider, &q))
			continue;
		o = json_object_new_object();
		json_object_object_add(o, "kind",
		    json_object_new_string(insights_kind_name(it->kind)));
		json_object_object_add(o, "provider", it->provider != NULL ?
		    json_object_new_string(it->provider) : NULL);
		json_object_object_add(o, "metric", it->metric != NULL ?
		    json_object_new_string(it->metric) : NULL);
		json_object_object_add(o, "title",
		    json_object_new_string(it->title));
		json_object_object_add(o, "action", it->action != NULL ?
		    json_object_new_string(it->action) : NULL);
		json_object_object_add(o, "good",
		    json_object_new_boolean(it->good));
		json_object_array_add(items, o);
		for (seen = false, j = 0; it->action != NULL &&
		    j < json_object_array_length(actions); j++)
			seen = seen || strcmp(it->action,
			    json_object_get_string(json_object_array_get_idx(
			    actions, j))) == 0;
		if (it->action != NULL && !seen)
			json_object_array_add(actions,
			    json_object_new_string(it->action));
	}
	json_object_object_add(root, "insights", items);
	json_object_object_add(root, "actions", actions);
	return jsonx_string(a, root);
}
