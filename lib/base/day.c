/*
 * day.c — day numbers and civil dates, after Howard Hinnant's
 * "chrono-Compatible Low-Level Date Algorithms" (public domain): years
 * counted from March 1st, so the leap day ends the year; 400-year eras of
 * 146097 days; 719468 days from 0000-03-01 to 1970-01-01.
 */
#include <stdio.h>
#include <string.h>

#include "base/arena.h"
#include "base/day.h"

/* Floor division, for negative numbers too. */
static int64_t
floordiv(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

int64_t
day_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe, mm;

	/* Months beyond 1-12 carry into the year first. */
	mm = (int64_t)m - 1;
	y += floordiv(mm, 12);
	m = (int)(mm - floordiv(mm, 12) * 12) + 1;
	y -= m <= 2;
	era = floordiv(y, 400);
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void
day_to_civil(int64_t day, int64_t *yo, int *mo, int *dd)
{
	int64_t era, doe, yoe, doy, mp;

	day += 719468;
	era = floordiv(day, 146097);
	doe = day - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*dd = (int)(doy - (153 * mp + 2) / 5 + 1);
	*mo = (int)(mp < 10 ? mp + 3 : mp - 9);
	*yo = yoe + era * 400 + (*mo <= 2);
}

int
day_month_length(int64_t y, int m)
{
	static const int len[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };

	if (m < 1 || m > 12)
		return 0;
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return len[m - 1];
}

int64_t
day_of_epoch(int64_t secs)
{
	return floordiv(secs, DAY_SECONDS);
}

int
day_weekday(int64_t day)
{
	/* 1970-01-01 was a Thursday. */
	return (int)(day - floordiv(day + 4, 7) * 7 + 4);
}

bool
day_scan(const char *s, int64_t *out)
{
	int y, m, d;

	if (s == NULL || sscanf(s, "%4d-%2d-%2d", &y, &m, &d) != 3)
		return false;
	*out = day_from_civil(y, m, d);
	return true;
}

bool
day_parse(const char *s, int64_t *out)
{
	int y, m, d;
	size_t i;

	if (s == NULL || strlen(s) != 10)
		return false;
	for (i = 0; i < 10; i++)
		if (i == 4 || i == 7 ? s[i] != '-' : s[i] < '0' || s[i] > '9')
			return false;
	if (sscanf(s, "%4d-%2d-%2d", &y, &m, &d) != 3 || m < 1 || m > 12 ||
	    d < 1 || d > day_month_length(y, m))
		return false;
	*out = day_from_civil(y, m, d);
	return true;
}

const char *
day_text(struct arena *a, int64_t day)
{
	int64_t y;
	int m, d;

	day_to_civil(day, &y, &m, &d);
	return arena_printf(a, "%04lld-%02d-%02d", (long long)y, m, d);
}

const char *
day_add(struct arena *a, const char *s, int64_t n)
{
	int64_t day;

	if (!day_scan(s, &day))
		return NULL;
	return day_text(a, day + n);
}

const char *
day_span_problem(struct arena *a, const char *from, const char *fname,
    const char *to, const char *tname, const char **why)
{
	int64_t d0 = 0, d1 = 0;

	*why = "must be a date, YYYY-MM-DD";
	if (from != NULL && !day_parse(from, &d0))
		return fname;
	if (to != NULL && !day_parse(to, &d1))
		return tname;
	if (from != NULL && to != NULL && d1 < d0) {
		*why = arena_printf(a, "must not be before %s", fname);
		return tname;
	}
	*why = NULL;
	return NULL;
}
