/*
 * intel.h — POST /v1/intel/analyze: a week's facts that answer a question.
 *
 * Reads a question as words, without a language model: which providers
 * and metrics it names (the registry's names and slugs, the catalogue's
 * labels, and the everyday words the providers' and catalogue rows'
 * `words` give — "spend", "traffic", "newsletter"), what
 * it asks (why, what changed, what rose, what fell, or how things went)
 * and whether it names a period other than a week.  The week's facts
 * (lib/insights/insights.h) are then filtered to what was named and
 * ranked by what was asked, and the first of them is said in one plain
 * sentence; when the data cannot answer (a provider with no data that
 * week, a metric not stored, a "why" that numbers cannot tell) the
 * answer says so.  Deterministic: the same question and data give the
 * same bytes.  Everything returned lives in the caller's arena.
 */
#ifndef SLUICE_INTEL_H
#define SLUICE_INTEL_H

#include <stdbool.h>
#include <stddef.h>

struct arena;
struct insights;
struct insights_period;

#define INTEL_MAX_NAMED	16	/* providers or metrics read from one
				 * question */

enum intel_intent {
	INTEL_OVERVIEW,		/* how did it go: catalogue order */
	INTEL_CHANGE,		/* what changed: biggest moves first */
	INTEL_WHY,		/* why: biggest moves, with what relates */
	INTEL_UP,		/* what rose: rises first */
	INTEL_DOWN,		/* what fell: falls first */
};

/* A metric a question names: a provider's catalogue metric, or a word
 * any provider's metric of that name answers (provider NULL). */
struct intel_metric {
	const char	*provider;	/* slug, or NULL: any provider */
	const char	*metric;	/* stored or derived name */
	const char	*label;		/* "Cost per click" */
};

struct intel_query {
	const char		*providers[INTEL_MAX_NAMED];	/* slugs */
	size_t			 nproviders;
	struct intel_metric	 metrics[INTEL_MAX_NAMED];
	size_t			 nmetrics;
	enum intel_intent	 intent;
	const char		*other_period;	/* "month", "yesterday"...:
						 * a period not a week, or
						 * NULL */
};

/* What question (UTF-8, any text; NULL: nothing) names and asks; in
 * (or NULL) adds the custom metrics stored that week as names. */
void		 intel_parse(struct arena *, const char *question,
		    const struct insights *in, struct intel_query *out);

/*
 * What is wrong with a question of len bytes (the JSON string's length),
 * as a phrase after "question" ("must not contain a NUL character",
 * "is not valid UTF-8 text", "must not contain control characters other
 * than line breaks and tabs"), or NULL when it can be read.  Static.
 */
const char	*intel_question_problem(const char *question, size_t len);

/* "overview", "change", "why", "up" or "down"; static. */
const char	*intel_intent_name(enum intel_intent);

/*
 * The answer as a JSON text: {"question"?, "period":{start,end},
 * "understood":{"providers":[slug],"metrics":[{provider,metric}],
 * "intent","other_period"}, "answerable", "answer", "facts":[{provider,
 * metric,label,unit,currency,current,previous,change_pct,period,
 * source}], "insights":[{kind,provider,metric,title,action,good}],
 * "actions":[…]}.  provider, if not NULL, keeps only that provider
 * (scope.provider), as the question's own names do.  Facts are ranked by
 * the intent; "answer" says the first in a sentence, or why the data
 * cannot answer ("answerable" false).
 */
const char	*intel_json(struct arena *, const struct insights_period *,
		    const struct insights *, const char *provider,
		    const char *question);

#endif
