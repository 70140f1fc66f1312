/*
 * day.h — calendar days: day numbers and YYYY-MM-DD text.
 *
 * A day number counts days since 1970-01-01 (negative before it) in the
 * proleptic Gregorian calendar, with no time zone: whose day it is, the
 * caller knows.  The conversions are Howard Hinnant's days_from_civil and
 * civil_from_days, exact over the whole int64 range of days a time in
 * seconds can give; no libc clock or struct tm is involved.
 */
#ifndef SLUICE_DAY_H
#define SLUICE_DAY_H

#include <stdbool.h>
#include <stdint.h>

struct arena;

#define DAY_SECONDS	86400

/*
 * The day number of year y, month m, day d.  A month outside 1-12 and a
 * day outside its month carry over, as timegm(3) does: 2024-02-30 is
 * 2024-03-01, month 13 is January of the next year, day 0 the last day
 * of the month before.
 */
int64_t		 day_from_civil(int64_t y, int m, int d);

/* The year, month (1-12) and day (1-31) of a day number. */
void		 day_to_civil(int64_t day, int64_t *y, int *m, int *d);

/* The days of month m (1-12) of year y: 28 to 31; 0 for another m. */
int		 day_month_length(int64_t y, int m);

/* The day number of a time in seconds since the epoch (UTC). */
int64_t		 day_of_epoch(int64_t secs);

/* The weekday of a day number: 0 for Sunday to 6 for Saturday. */
int		 day_weekday(int64_t day);

/*
 * Reads "Y-M-D" at the start of s as sscanf "%4d-%2d-%2d" does (what
 * follows is ignored; out-of-range months and days carry over as in
 * day_from_civil()).  True and *out set, or false when s is NULL or does
 * not start so.  For a strict YYYY-MM-DD, check the text and
 * day_month_length() first.
 */
bool		 day_scan(const char *s, int64_t *out);

/*
 * A strict "YYYY-MM-DD" (four digits, a dash, two, a dash, two, nothing
 * after) naming a real day: true and *out its day number; false for
 * NULL, another shape or a day that does not exist (2026-02-30).
 */
bool		 day_parse(const char *s, int64_t *out);

/*
 * A span of days a query gives: from and to (either may be NULL), named
 * fname and tname.  NULL when each given one is a strict day
 * (day_parse()) and to is not before from; else the name of the one at
 * fault, and *why what it must be (in the arena).
 */
const char	*day_span_problem(struct arena *, const char *from,
		    const char *fname, const char *to, const char *tname,
		    const char **why);

/* "YYYY-MM-DD" of a day number (the year as is beyond 0-9999), in the
 * arena. */
const char	*day_text(struct arena *, int64_t day);

/*
 * The day n days after the day s starts with (day_scan()), as
 * "YYYY-MM-DD" in the arena; NULL when s does not start with one.
 */
const char	*day_add(struct arena *, const char *s, int64_t n);

#endif
