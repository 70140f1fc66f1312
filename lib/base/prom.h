/*
 * prom.h — the Prometheus text exposition format (0.0.4) on a buf.
 *
 * Counters, gauges and histograms, with # HELP and # TYPE.
 *
 * No C client for this is packaged in Debian 12, and Sluice needs only
 * the writing side: a scrape builds the whole page in one bounded buffer
 * (GET /internal/metrics, cgi-bin/cron.c).  The values come from the
 * database at scrape time and from the programs' request counters, which
 * live in one small shared table per program (lib/web/reqstats.h says
 * how prefork children share it).
 *
 * Usage: prom_init() over a buffer, then for each family prom_family()
 * followed by its samples (prom_sample(), prom_histogram()); finally
 * prom_error().  The first failure (a bad name, the buffer's maximum)
 * is kept and the later calls do nothing, so a caller checks once.
 *
 * Names must match [a-zA-Z_:][a-zA-Z0-9_:]* (label names without ':'; a
 * label named "le" is the histogram's own); a wrong one is ERR_INPUT.
 * Label values may be any bytes: backslash, double quote and line feed
 * are escaped as the format asks, other control characters and bytes
 * that are not UTF-8 become '?'.  A family's samples must follow its
 * prom_family() without another family in between (the format's rule;
 * the writer does not sort).
 */
#ifndef SLUICE_PROM_H
#define SLUICE_PROM_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct buf;

enum prom_type {
	PROM_COUNTER,
	PROM_GAUGE,
	PROM_HISTOGRAM,
	PROM__MAX
};

/* A writer: where it writes, the family in hand, the first error. */
struct prom {
	struct buf	*b;
	const char	*family;	/* the current family's name */
	enum prom_type	 type;
	enum err	 rc;
};

/* A label: name="value". */
struct prom_label {
	const char	*name;
	const char	*value;
};

/* Starts writing to b (appending to what it holds). */
void		 prom_init(struct prom *, struct buf *b);

/*
 * Starts a family: "# HELP name help" (backslash and line feed escaped)
 * and "# TYPE name type".  A counter's name should end in _total; base
 * units (seconds, bytes) in the name.
 */
void		 prom_family(struct prom *, const char *name,
		    enum prom_type, const char *help);

/*
 * One sample of the current counter or gauge: name{labels} value.  The
 * value is written exactly for integers up to 2^53 and with 17
 * significant digits otherwise; NaN and infinities as the format spells
 * them.
 */
void		 prom_sample(struct prom *, const struct prom_label *,
		    size_t nlabels, double value);

/*
 * One labelled series of the current histogram from per-bucket counts:
 * counts[i] observations fell in (bounds[i-1], bounds[i]] for i < nb,
 * and counts[nb] above bounds[nb-1].  Writes the cumulative _bucket
 * lines (le="+Inf" last), _sum and _count (equal to the +Inf bucket, so
 * a snapshot is always consistent).  bounds must increase.
 */
void		 prom_histogram(struct prom *, const struct prom_label *,
		    size_t nlabels, const double *bounds, size_t nb,
		    const uint64_t *counts, double sum);

/* ERR_OK, or the first failure: ERR_INPUT (a bad name, a sample
 * without its family, bounds that do not increase) or ERR_TOOBIG. */
enum err	 prom_error(const struct prom *);

#endif
