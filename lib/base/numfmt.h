/*
 * numfmt.h — numbers for people: counts, rates, durations and money.
 *
 * One way to write a value everywhere a person reads it (the dashboard,
 * the digest, the history tables): thousands separators, a rate as a
 * percentage, seconds as "1m 05s", and money with its currency — the
 * currency's own decimals (JPY none, KWD three) and its symbol where one
 * is unambiguous ("€1,234.50", "$1,234.50", "CHF 1,234.50").  Every
 * string returned lives in the caller's arena.
 */
#ifndef SLUICE_NUMFMT_H
#define SLUICE_NUMFMT_H

#include <stdbool.h>
#include <stddef.h>

struct arena;

/* True when s has the form of an ISO 4217 code: three capital letters. */
bool		 numfmt_currency_ok(const char *s);

/* True when s is one of ISO 4217's codes (not only of their form). */
bool		 numfmt_currency_known(const char *s);

/*
 * v for a person by its catalogue unit (NULL: a plain number):
 * "count" and plain numbers with separators (two decimals when not
 * whole), "ratio" as "12.3%", "seconds" as "45s", "1m 05s" or "2h 01m",
 * "minutes" as "1,234 min", "currency_micros" (millionths) as money in
 * currency — with no currency (not known) the amount alone.  Any other
 * unit with a currency: the number and the code ("1,234.50 EUR").  A
 * value that is not finite is "–".
 */
const char	*numfmt_value(struct arena *, double v, const char *unit,
		    const char *currency);

/* Room for any double written by numfmt_1f(), NUL included: DBL_MAX's
 * 309 digits, a sign and ".0". */
#define NUMFMT_1F_SIZE	320

/*
 * v with one decimal into out (NUMFMT_1F_SIZE bytes, NUL-terminated):
 * exactly the bytes of printf("%.1f", v) — "-0.0" for a negative value
 * that rounds to zero, the exact binary value rounded (0.15 is
 * 0.1499...: "0.1"), exact halves to even (0.25: "0.2").  Returns the
 * length.  Without printf's cost where it showed (SVG points: thousands
 * a page): a value of 1e6 or more in size, one not finite, or one within
 * a millionth of a rounding boundary but not exactly on it is written by
 * snprintf itself.
 */
size_t		 numfmt_1f(char *out, double v);

/* The decimals the currency is written with (ISO 4217 minor unit). */
int		 numfmt_currency_decimals(const char *currency);

#endif
