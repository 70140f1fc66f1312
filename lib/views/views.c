/* views.c — shaping domain data for the templates. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <json-c/json.h>

#include "base/arena.h"
#include "base/day.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/jsonx.h"
#include "base/limit.h"
#include "base/numfmt.h"
#include "connections/connection.h"
#include "insights/insights.h"
#include "metrics/export.h"
#include "metrics/metric.h"
#include "metrics/reviews.h"
#include "metrics/tiles.h"
#include "providers/provider.h"
#include "store/db.h"
#include "sync/schedule.h"
#include "views/views.h"
#include "web/app.h"

const char *
views_ago(struct arena *a, int64_t s)
{
	if (s < 0)
		return "never";
	if (s < 60)
		return "just now";
	if (s < 3600)
		return arena_printf(a, "%lld minute%s ago", (long long)(s / 60),
		    s / 60 == 1 ? "" : "s");
	if (s < 86400)
		return arena_printf(a, "%lld hour%s ago", (long long)(s / 3600),
		    s / 3600 == 1 ? "" : "s");
	return arena_printf(a, "%lld day%s ago", (long long)(s / 86400),
	    s / 86400 == 1 ? "" : "s");
}

const char *
views_duration(struct arena *a, int64_t ms)
{
	if (ms < 0)
		ms = 0;
	if (ms < 1000)
		return arena_printf(a, "%lld ms", (long long)ms);
	if (ms < 60000)
		return ms % 1000 == 0 ? arena_printf(a, "%lld s",
		    (long long)(ms / 1000)) : arena_printf(a, "%s s",
		    numfmt_value(a, (double)(ms / 100) / 10.0, NULL, NULL));
	return arena_printf(a, "%lld min %02lld s", (long long)(ms / 60000),
	    (long long)(ms / 1000 % 60));
}

/* A count with separators ("1,632"). */
static const char *
count_text(struct arena *a, int64_t n)
{
	return numfmt_value(a, (double)n, "count", NULL);
}

/* What a finished run came to, in words; *failed for bad news. */
static const char *
run_result(struct arena *a, const struct provider *p, struct json_object *run,
    bool *failed)
{
	const char *status = NULL, *error = NULL;
	int64_t fetched = 0, changed = 0, ms = -1;

	(void)jsonx_get_string(run, "status", &status);
	(void)jsonx_get_string(run, "error", &error);
	(void)jsonx_get_int64(run, "rows_fetched", &fetched);
	(void)jsonx_get_int64(run, "rows_changed", &changed);
	(void)jsonx_get_int64(run, "duration_ms", &ms);
	*failed = true;
	if (status == NULL || strcmp(status, "running") == 0)
		return NULL;
	if (strcmp(status, "ok") == 0) {
		*failed = false;
		return arena_printf(a, "Sync finished: %s row%s fetched, %s "
		    "changed, in %s.", count_text(a, fetched), fetched == 1 ?
		    "" : "s", count_text(a, changed), views_duration(a, ms));
	}
	if (strcmp(status, "partial") == 0)
		return arena_printf(a, "Sync finished, but some %s failed: %s "
		    "rows fetched; see each one below.", p->accounts != NULL ?
		    p->accounts : "accounts", count_text(a, fetched));
	if (strcmp(status, "rate_limited") == 0)
		return arena_printf(a, "Sync paused: %s asked Sluice to slow "
		    "down. It goes on by itself later; nothing is lost.",
		    p->name);
	if (strcmp(status, "auth") == 0)
		return arena_printf(a, "Sync stopped: %s needs reconnecting "
		    "(use Reconnect on this page).", p->name);
	return arena_printf(a, "Sync failed: %s", error != NULL ? error :
	    "see the history below.");
}

/*
 * What a queued job waits for, truthfully: a worker looks at the queue
 * every SLUICE_WORKER_POLL_MS (a second), so a due job starts within
 * seconds while one runs and is free; a job due later (a retry) starts
 * then; with no worker checked in for LIMIT_WORKER_STALE_S nothing takes
 * it.
 */
static const char *
queued_text(struct arena *a, struct json_object *h)
{
	const char *due = NULL;
	int64_t age = -1;

	(void)jsonx_get_string(h, "job_due", &due);
	(void)jsonx_get_int64(h, "worker_age", &age);
	if (age < 0 || age > LIMIT_WORKER_STALE_S)
		return arena_printf(a, "Sync queued, but no sync worker has "
		    "checked in%s, so nothing will take it yet: start one "
		    "(worker --daemon; make run starts it).", age < 0 ? "" :
		    arena_printf(a, " for %lld %s", (long long)(age < 7200 ?
		    age / 60 : age < 172800 ? age / 3600 : age / 86400),
		    age < 7200 ? "minutes" : age < 172800 ? "hours" : "days"));
	if (due != NULL)
		return arena_printf(a, "Sync queued: it waits until %s, then "
		    "a sync worker takes it.", due);
	return "Sync queued: a sync worker takes it within seconds, as soon "
	    "as one is free.";
}

void
views_sync_state(struct arena *a, const struct provider *p,
    struct json_object *h, bool finished, const char **live,
    const char **result, bool *failed)
{
	struct json_object *prog, *runs;
	const char *job = NULL;
	int64_t done = 0, total = 0, rows = 0, secs = 0;
	const char *took;

	*live = *result = NULL;
	*failed = false;
	(void)jsonx_get_string(h, "job", &job);
	if (job != NULL) {
		prog = json_object_object_get(h, "progress");
		if (strcmp(job, "running") != 0 || !json_object_is_type(prog,
		    json_type_object)) {
			*live = queued_text(a, h);
			return;
		}
		(void)jsonx_get_int64(prog, "done", &done);
		(void)jsonx_get_int64(prog, "total", &total);
		(void)jsonx_get_int64(prog, "rows", &rows);
		(void)jsonx_get_int64(prog, "seconds", &secs);
		took = secs < 60 ? arena_printf(a, "%lld s", (long long)(secs <
		    0 ? 0 : secs)) : views_duration(a, secs * 1000);
		*live = total > 0 ? arena_printf(a, "Syncing %s\u2026 %lld of "
		    "%lld %s done, %s rows fetched so far (%s).", p->name,
		    (long long)(done < total ? done : total), (long long)total,
		    p->accounts != NULL ? p->accounts : "accounts",
		    count_text(a, rows), took) : arena_printf(a, "Syncing "
		    "%s\u2026 (%s so far).", p->name, took);
		return;
	}
	if (finished && jsonx_get_array(h, "runs", &runs) == ERR_OK &&
	    json_object_array_length(runs) > 0)
		*result = run_result(a, p, json_object_array_get_idx(runs, 0),
		    failed);
}

static void
put(struct json_object *o, const char *k, const char *v)
{
	if (v != NULL)
		json_object_object_add(o, k, json_object_new_string(v));
}

static void
flag(struct json_object *o, const char *k, bool v)
{
	json_object_object_add(o, k, json_object_new_boolean(v));
}

/* Names of the selected accounts, from the connection's JSON. */
static struct json_object *
selected_names(struct arena *a, const struct connection *c)
{
	struct json_object *accounts, *selected, *out, *acc;
	const char *want, *id, *name;
	size_t i, j;

	out = json_object_new_array();
	if (jsonx_parse(a, c->accounts, strlen(c->accounts), &accounts,
	    NULL) != ERR_OK || jsonx_parse(a, c->selected,
	    strlen(c->selected), &selected, NULL) != ERR_OK)
		return out;
	for (i = 0; i < json_object_array_length(selected); i++) {
		want = json_object_get_string(json_object_array_get_idx(
		    selected, i));
		for (j = 0; want != NULL &&
		    j < json_object_array_length(accounts); j++) {
			acc = json_object_array_get_idx(accounts, j);
			if (jsonx_get_string(acc, "id", &id) != ERR_OK ||
			    strcmp(id, want) != 0)
				continue;
			name = id;
			(void)jsonx_get_string(acc, "name", &name);
			json_object_array_add(out, json_object_new_string(name));
			break;
		}
	}
	return out;
}

struct json_object *
views_connection_card(struct arena *a, const struct provider *p,
    const struct connection *c, const struct config *cfg, bool can_edit)
{
	struct json_object *v = jsonx_own(a, json_object_new_object());
	enum provider_mode mode = provider_mode(p, cfg);
	const char *status = c != NULL ? c->status : "none";
	const char *label, *cls;
	bool live = c != NULL && strcmp(status, "connected") == 0;
	bool reauth = c != NULL && strcmp(status, "needs_reauth") == 0;
	bool error = c != NULL && strcmp(status, "error") == 0;

	if (mode == PROVIDER_UNCONFIGURED && !live) {
		label = "Not configured";
		cls = "muted";
	} else if (live) {
		label = "Connected";
		cls = "ok";
	} else if (reauth) {
		label = "Needs re-auth";
		cls = "warn";
	} else if (error) {
		label = "Error";
		cls = "error";
	} else {
		label = "Not connected";
		cls = "muted";
	}
	put(v, "slug", p->slug);
	put(v, "name", p->name);
	put(v, "status_label", label);
	put(v, "status_class", cls);
	put(v, "accounts_word", p->accounts);
	put(v, "accounts_title", arena_printf(a, "%c%s",
	    toupper((unsigned char)p->accounts[0]), p->accounts + 1));
	put(v, "mark", p->mark);
	put(v, "reads", p->reads);
	flag(v, "sandbox", c != NULL ? c->sandbox : mode == PROVIDER_SANDBOX);
	flag(v, "not_configured", mode == PROVIDER_UNCONFIGURED);
	if (mode == PROVIDER_UNCONFIGURED)
		put(v, "setup_hint", provider_setup_hint(p, a));
	else if (c != NULL && c->has_tokens)	/* in use */
		put(v, "version_warning", provider_sunset_warning(p, a,
		    (long)(time(NULL) / 86400)));
	flag(v, "can_edit", can_edit);
	flag(v, "can_connect", can_edit && mode != PROVIDER_UNCONFIGURED &&
	    !live && !reauth);
	flag(v, "can_reconnect", can_edit && mode != PROVIDER_UNCONFIGURED &&
	    (live || reauth || error));
	flag(v, "is_live", live);
	flag(v, "is_reauth", reauth);
	flag(v, "can_manage", can_edit && live);
	/* A broken connection can still be tested and let go. */
	flag(v, "can_disconnect", can_edit && c != NULL && c->has_tokens);
	if (c != NULL) {
		struct json_object *names = selected_names(a, c);

		/* A disconnected source collects nothing. */
		flag(v, "has_selected", strcmp(status, "disconnected") != 0 &&
		    json_object_array_length(names) > 0);
		json_object_object_add(v, "selected", names);
		put(v, "last_sync_ago", views_ago(a, c->last_sync_age));
		put(v, "last_sync_at", c->last_sync_at);
		put(v, "last_error", c->last_error);
		/* Which login, when the provider named it. */
		if (c->owner_label != NULL && *c->owner_label != '\0')
			put(v, "owner", c->owner_label);
		put(v, "id", arena_printf(a, "%lld", (long long)c->id));
		if (c->last_tested_at != NULL)
			put(v, "last_test", c->last_test_ok ? "passed" :
			    "failed");
	}
	return v;
}

struct json_object *
views_schedule(struct arena *a, const struct schedule_view *sv)
{
	struct json_object *v = jsonx_own(a, json_object_new_object());
	struct json_object *hours, *h;
	int i;

	flag(v, "enabled", sv->enabled);
	put(v, "time_zone", sv->time_zone);
	put(v, "next_sync", sv->next_sync);
	put(v, "next_digest", sv->next_digest);
	put(v, "last_tick", sv->last_tick);
	flag(v, "stale", sv->stale);
	if (sv->stale && sv->last_tick == NULL)
		put(v, "banner", "Sluice's scheduler is not running, so daily "
		    "syncs are not queued by themselves. Start the worker "
		    "daemon (make run starts it), or set SLUICE_SCHEDULER=0 "
		    "if cron drives the schedule.");
	else if (sv->stale)
		put(v, "banner", arena_printf(a, "Sluice's scheduler last ran "
		    "at %s (%s), so daily syncs are not being queued. Check "
		    "that the worker daemon runs, and its log "
		    "(var/log/worker.log).", sv->last_tick, views_ago(a,
		    sv->tick_age_s)));
	put(v, "sync_hour_label", arena_printf(a, "%02d:00%s", sv->sync_hour,
	    sv->sync_hour_default ? " (the default)" : ""));
	hours = json_object_new_array();
	h = json_object_new_object();
	put(h, "value", "");
	put(h, "label", arena_printf(a, "Default (%02d:00)",
	    sv->default_hour));
	flag(h, "selected", sv->sync_hour_default);
	json_object_array_add(hours, h);
	for (i = 0; i < 24; i++) {
		h = json_object_new_object();
		put(h, "value", arena_printf(a, "%d", i));
		put(h, "label", arena_printf(a, "%02d:00", i));
		flag(h, "selected", !sv->sync_hour_default &&
		    sv->sync_hour == i);
		json_object_array_add(hours, h);
	}
	json_object_object_add(v, "hours", hours);
	return v;
}

/* A point "x,y" of an SVG polyline, after a space unless first; one
 * decimal each, as printf("%.1f") writes it (numfmt_1f()). */
static void
put_xy(struct buf *b, double x, double y)
{
	char s[NUMFMT_1F_SIZE];

	if (b->len > 0)
		buf_putc(b, ' ');
	buf_append(b, s, numfmt_1f(s, x));
	buf_putc(b, ',');
	buf_append(b, s, numfmt_1f(s, y));
}

/* "day: value", a chart point's title, in the arena (a few hundred a
 * page: without printf). */
static const char *
titled(struct arena *a, const char *day, const char *value)
{
	size_t dl = strlen(day), vl = strlen(value);
	char *s = arena_alloc(a, dl + vl + 3);

	memcpy(s, day, dl);
	memcpy(s + dl, ": ", 2);
	memcpy(s + dl + 2, value, vl + 1);
	return s;
}

/* v with one decimal, in the arena (numfmt_1f()). */
static const char *
tenths(struct arena *a, double v)
{
	char s[NUMFMT_1F_SIZE];

	numfmt_1f(s, v);
	return arena_strdup(a, s);
}

const char *
views_sparkline(struct arena *a, struct json_object *series, int w, int h)
{
	size_t n, i;
	double lo = INFINITY, hi = -INFINITY, v, x, y;
	struct json_object *p;
	struct buf *b;

	if (series == NULL || (n = json_object_array_length(series)) == 0)
		return "";
	for (i = 0; i < n; i++) {
		p = json_object_array_get_idx(series, i);
		if (p == NULL || json_object_is_type(p, json_type_null))
			continue;
		v = json_object_get_double(p);
		lo = v < lo ? v : lo;
		hi = v > hi ? v : hi;
	}
	if (!isfinite(lo))
		return "";
	b = buf_new_arena(a, LIMIT_SPARKLINE);
	for (i = 0; i < n; i++) {
		p = json_object_array_get_idx(series, i);
		if (p == NULL || json_object_is_type(p, json_type_null))
			continue;
		v = json_object_get_double(p);
		x = n > 1 ? (double)i * w / (double)(n - 1) : w / 2.0;
		y = hi > lo ? h - 1 - (v - lo) * (h - 2) / (hi - lo) : h / 2.0;
		put_xy(b, x, y);
	}
	return arena_strdup(a, buf_cstr(b));
}

/* The chart's box (viewBox units): plot area inside the margins. */
#define CHART_W		480
#define CHART_H		200
#define CHART_TOP	12
#define CHART_BOTTOM	30	/* room for the dates */
#define CHART_RIGHT	12
#define CHART_GLYPH	9	/* a label character's width, about */

/* The value of day i of a series; false on null or past its end. */
static bool
day_value(struct json_object *series, size_t i, double *v)
{
	struct json_object *p;

	if (series == NULL || i >= json_object_array_length(series))
		return false;
	p = json_object_array_get_idx(series, i);
	if (p == NULL || json_object_is_type(p, json_type_null))
		return false;
	*v = json_object_get_double(p);
	return isfinite(*v);
}

/* A rounded step (1, 2, 2.5 or 5 times a power of ten) that cuts span
 * into about want parts, never finer than least. */
static double
nice_step(double span, int want, double least)
{
	double raw = span / want, mag, f;

	if (!(raw > 0))
		return least > 0 ? least : 1;
	mag = pow(10, floor(log10(raw)));
	f = raw / mag;
	raw = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) *
	    mag;
	return raw < least ? least : raw;
}

/* Characters (not bytes) of UTF-8 text. */
static size_t
chars(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* The polylines of a series, broken at days without data. */
static struct json_object *
chart_lines(struct arena *a, struct json_object *series, size_t n,
    double x0, double dx, double y0, double lo, double ky)
{
	struct json_object *out = json_object_new_array(), *seg;
	struct buf *b = NULL;
	double v;
	size_t i;

	for (i = 0; i <= n; i++) {
		if (i < n && day_value(series, i, &v)) {
			if (b == NULL)
				b = buf_new_arena(a, LIMIT_SPARKLINE);
			put_xy(b, x0 + dx * (double)i, y0 - (v - lo) * ky);
			continue;
		}
		if (b != NULL && b->len > 0) {
			seg = json_object_new_object();
			put(seg, "points", arena_strdup(a, buf_cstr(b)));
			json_object_array_add(out, seg);
		}
		b = NULL;
	}
	return out;
}

struct json_object *
views_chart(struct arena *a, struct json_object *series,
    struct json_object *previous, const char *first, const char *what,
    const char *unit, const char *currency)
{
	struct json_object *v = jsonx_own(a, json_object_new_object());
	struct json_object *ticks, *pts, *rows, *o;
	const char *last = NULL, *label, *lo_day = NULL, *hi_day = NULL;
	double lo = 0, hi = 0, dmin = INFINITY, dmax = -INFINITY, step, t;
	double left, pw, ph, dx, ky, val, least = 0, bottom;
	size_t n, i, have = 0, width = 0, mid;
	int64_t day0 = 0;
	bool dated, before = false;

	n = series != NULL && json_object_is_type(series, json_type_array) ?
	    json_object_array_length(series) : 0;
	if (n > TILES_MAX_DAYS)
		n = TILES_MAX_DAYS;
	if (previous != NULL && !json_object_is_type(previous,
	    json_type_array))
		previous = NULL;
	dated = day_scan(first, &day0);
	if (dated && n > 0)
		last = day_text(a, day0 + (int64_t)n - 1);
	put(v, "title", arena_printf(a, "%s per day", what));
	put(v, "empty", "No data for these days yet.");
	for (i = 0; i < n; i++) {
		if (day_value(series, i, &val)) {
			have++;
			if (val < dmin) {
				dmin = val;
				lo_day = dated ? day_text(a, day0 +
				    (int64_t)i) : NULL;
			}
			if (val > dmax) {
				dmax = val;
				hi_day = dated ? day_text(a, day0 +
				    (int64_t)i) : NULL;
			}
		}
		if (day_value(previous, i, &val)) {
			before = true;
			lo = val < lo ? val : lo;
			hi = val > hi ? val : hi;
		}
	}
	flag(v, "has_data", have > 0);
	if (have == 0) {
		put(v, "summary", dated && n > 0 ? arena_printf(a, "%s per "
		    "day, %s to %s: no data for these days yet.", what, first,
		    last) : arena_printf(a, "%s per day: no data yet.", what));
		return v;
	}
	lo = dmin < lo ? dmin : lo;
	hi = dmax > hi ? dmax : hi;
	label = numfmt_value(a, dmin, unit, currency);
	if (strcmp(label, numfmt_value(a, dmax, unit, currency)) != 0)
		label = arena_printf(a, "lowest %s%s%s, highest %s%s%s", label,
		    lo_day ? " on " : "", lo_day ? lo_day : "", numfmt_value(a,
		    dmax, unit, currency), hi_day ? " on " : "", hi_day ?
		    hi_day : "");
	else
		label = arena_printf(a, "%s on %s", label, have > 1 ?
		    "every day with data" : lo_day ? lo_day : "its one day");
	put(v, "summary", arena_printf(a, "%s per day%s%s%s%s: %s%s.", what,
	    dated ? ", " : "", dated ? first : "", dated ? " to " : "",
	    dated ? last : "", label, have < n ? arena_printf(a, "; no data "
	    "on %zu of %zu days", n - have, n) : ""));

	/* Rounded value ticks from zero (or below it) past the highest;
	 * whole counts, whole cents. */
	if (unit != NULL && strcmp(unit, "count") == 0)
		least = 1;
	else if (unit != NULL && strcmp(unit, "currency_micros") == 0)
		least = 1e6 / pow(10, numfmt_currency_decimals(currency));
	step = nice_step(hi - lo, 4, least);
	lo = floor(lo / step) * step;
	hi = ceil(hi / step) * step;
	if (hi <= lo)
		hi = lo + step;
	ticks = json_object_new_array();
	for (t = lo; t <= hi + step / 2; t += step) {
		label = numfmt_value(a, fabs(t) < step / 1e6 ? 0 : t, unit,
		    currency);
		width = chars(label) > width ? chars(label) : width;
		o = json_object_new_object();
		put(o, "label", label);
		json_object_array_add(ticks, o);
	}
	left = 10 + CHART_GLYPH * (double)width;
	pw = CHART_W - CHART_RIGHT - left;
	bottom = CHART_H - CHART_BOTTOM;
	ph = bottom - CHART_TOP;
	ky = ph / (hi - lo);
	for (i = 0; i < json_object_array_length(ticks); i++) {
		o = json_object_array_get_idx(ticks, i);
		t = bottom - (double)i * step * ky;
		put(o, "y", tenths(a, t));
		put(o, "x0", tenths(a, left));
		put(o, "x1", tenths(a, left + pw));
		put(o, "lx", tenths(a, left - 6));
	}
	json_object_object_add(v, "yticks", ticks);
	put(v, "width", arena_printf(a, "%d", CHART_W));
	put(v, "height", arena_printf(a, "%d", CHART_H));

	/* A day's x: the first at the left edge, the last at the right. */
	dx = n > 1 ? pw / (double)(n - 1) : 0;
	left = n > 1 ? left : left + pw / 2;
	json_object_object_add(v, "segments", chart_lines(a, series, n, left,
	    dx, bottom, lo, ky));
	json_object_object_add(v, "previous", chart_lines(a, previous, n,
	    left, dx, bottom, lo, ky));
	pts = json_object_new_array();
	rows = json_object_new_array();
	for (i = 0; i < n; i++) {
		const char *d = dated ? day_text(a, day0 + (int64_t)i) :
		    arena_printf(a, "day %zu", i + 1), *text;
		bool has = day_value(series, i, &val);

		text = has ? numfmt_value(a, val, unit, currency) : "no data";
		o = json_object_new_object();
		put(o, "day", d);
		put(o, "value", text);
		if (previous != NULL)
			put(o, "before", day_value(previous, i, &t) ?
			    numfmt_value(a, t, unit, currency) : "no data");
		json_object_array_add(rows, o);
		if (!has)
			continue;
		o = json_object_new_object();
		put(o, "x", tenths(a, left + dx * (double)i));
		put(o, "y", tenths(a, bottom - (val - lo) * ky));
		put(o, "title", titled(a, d, text));
		json_object_array_add(pts, o);
	}
	json_object_object_add(v, "points", pts);
	json_object_object_add(v, "rows", rows);
	/* Said only where the faint line is drawn. */
	flag(v, "has_previous", before);

	/* The first, middle and last days under the axis. */
	ticks = json_object_new_array();
	mid = n / 2;
	for (i = 0; dated && i < n; i++) {
		if (i != 0 && i != n - 1 && (i != mid || n < 5))
			continue;
		o = json_object_new_object();
		put(o, "x", tenths(a, left + dx * (double)i));
		put(o, "y", arena_printf(a, "%d", CHART_H - 8));
		put(o, "label", day_text(a, day0 + (int64_t)i));
		put(o, "anchor", n == 1 ? "middle" : i == 0 ? "start" :
		    i == n - 1 ? "end" : "middle");
		json_object_array_add(ticks, o);
	}
	json_object_object_add(v, "xticks", ticks);
	return v;
}

static double
num(struct json_object *o, const char *k, bool *ok)
{
	struct json_object *v;

	*ok = o != NULL && json_object_object_get_ex(o, k, &v) && v != NULL &&
	    !json_object_is_type(v, json_type_null);
	return *ok ? json_object_get_double(v) : 0;
}

/* The coverage of a tile: days with data now and before, out of days. */
static void
coverage(struct json_object *t, int64_t *days, int64_t *cur, int64_t *prev,
    bool *partial)
{
	struct json_object *c = json_object_object_get(t, "coverage");

	*days = *cur = *prev = 0;
	*partial = false;
	(void)jsonx_get_int64(c, "days", days);
	(void)jsonx_get_int64(c, "current", cur);
	(void)jsonx_get_int64(c, "previous", prev);
	(void)jsonx_get_bool(c, "partial", partial);
}

/* "good", "bad" or "flat": a change judged by what the metric means
 * (a cost or a bounce rate that rises is bad). */
static const char *
judged(const char *metric, double change)
{
	if (change == 0)
		return "flat";
	return (change > 0) != insights_lower_is_better(metric != NULL ?
	    metric : "") ? "good" : "bad";
}

static struct json_object *
tile_view(struct arena *a, struct json_object *t)
{
	struct json_object *v = json_object_new_object(), *series = NULL;
	const char *unit = NULL, *label = NULL, *metric = NULL, *why = NULL;
	const char *money = NULL;
	double cur, prev, pct, pp;
	int64_t days, dc, dp;
	bool okc, okp, okpct, okpp, partial;

	(void)jsonx_get_string(t, "unit", &unit);
	(void)jsonx_get_string(t, "label", &label);
	(void)jsonx_get_string(t, "metric", &metric);
	(void)jsonx_get_array(t, "series", &series);
	cur = num(t, "current", &okc);
	prev = num(t, "previous", &okp);
	pct = num(t, "change_pct", &okpct);
	pp = num(t, "change_pp", &okpp);
	(void)jsonx_get_string(t, "currency", &money);
	coverage(t, &days, &dc, &dp, &partial);
	/* Money names its currency; amounts of two are two tiles. */
	if (money != NULL)
		label = arena_printf(a, "%s (%s)", label, money);
	else if (unit != NULL && strcmp(unit, "currency_micros") == 0)
		label = arena_printf(a, "%s (currency not known)", label);
	put(v, "metric", metric);
	put(v, "label", label);
	put(v, "value", okc ? numfmt_value(a, cur, unit, money) : "–");
	put(v, "previous", okp ? numfmt_value(a, prev, unit, money) : "–");
	put(v, "trend", "flat");
	(void)jsonx_get_string(t, "unavailable", &why);
	if (why != NULL) {
		put(v, "change", "not available for this period");
		put(v, "coverage", why);
	} else if (partial && okc && dp == 0)
		put(v, "change", "no data for the days before");
	else if (partial && okc && dc < dp)
		put(v, "change", arena_printf(a, "partial data: %lld of %lld "
		    "days now, %lld before", (long long)dc, (long long)days,
		    (long long)dp));
	else if (partial && okc)
		put(v, "change", arena_printf(a, "partial data: %lld of %lld "
		    "days before", (long long)dp, (long long)days));
	else if (okpp) {
		pp = fabs(pp) < 0.05 ? 0 : pp;	/* what "0.0" shows */
		put(v, "change", arena_printf(a, "%s %.1f pp", pp > 0 ? "▲" :
		    pp < 0 ? "▼" : "", fabs(pp)));
		put(v, "trend", judged(metric, pp));
	} else if (okpct) {
		pct = fabs(pct) < 0.05 ? 0 : pct;
		put(v, "change", arena_printf(a, "%s %.1f%%", pct > 0 ? "▲" :
		    pct < 0 ? "▼" : "", fabs(pct)));
		put(v, "trend", judged(metric, pct));
	} else
		put(v, "change", "no comparison");
	if (why == NULL && days > 0 && dc < days && okc)
		put(v, "coverage", arena_printf(a, "data on %lld of %lld days",
		    (long long)dc, (long long)days));
	put(v, "spark", views_sparkline(a, series, 100, 28));
	return v;
}

/*
 * The note under a dashboard that leaves tiles out: how many, why, and
 * what to change; NULL when nothing is left out.
 */
static const char *
more_note(struct arena *a, int64_t more)
{
	if (more <= 0)
		return NULL;
	return arena_printf(a, "%s more custom metric%s %s not shown: a "
	    "dashboard holds %d tiles, every catalogue metric first, then "
	    "custom metrics by source and name. Send breakdowns (campaigns, "
	    "pages, products) as \"dims\" of one metric rather than as "
	    "metric names of their own, and stop sending metrics nobody "
	    "reads.", numfmt_value(a, (double)more, "count", NULL),
	    more == 1 ? "" : "s", more == 1 ? "is" : "are", LIMIT_TILES);
}

struct json_object *
views_dashboard(struct arena *a, const char *tiles_json, const char *period)
{
	struct json_object *doc;

	if (jsonx_parse(a, tiles_json, strlen(tiles_json), &doc, NULL) !=
	    ERR_OK)
		doc = NULL;
	return views_dashboard_doc(a, doc, period);
}

struct json_object *
views_dashboard_doc(struct arena *a, struct json_object *doc,
    const char *period)
{
	struct json_object *tiles, *t, *out, *provs, *cur = NULL;
	struct json_object *list = NULL, *series, *prev, *periods, *pv;
	struct json_object *chart;
	static const char *const names[][2] = { { "7d", "7 days" },
	    { "28d", "28 days" }, { "90d", "90 days" } };
	const char *slug, *last = "", *from = NULL, *to = NULL, *tz = NULL;
	const char *unit, *money, *label;
	const struct provider *p;
	int64_t more = 0;
	size_t i, n;

	out = jsonx_own(a, json_object_new_object());
	provs = json_object_new_array();
	json_object_object_add(out, "providers", provs);
	periods = json_object_new_array();
	for (i = 0; i < 3; i++) {
		pv = json_object_new_object();
		put(pv, "value", names[i][0]);
		put(pv, "label", names[i][1]);
		flag(pv, "current", strcmp(names[i][0], period) == 0);
		json_object_array_add(periods, pv);
	}
	json_object_object_add(out, "periods", periods);
	if (doc == NULL || jsonx_get_array(doc, "tiles", &tiles) != ERR_OK) {
		flag(out, "has_tiles", false);
		return out;
	}
	(void)jsonx_get_string(json_object_object_get(doc, "current"),
	    "from", &from);
	(void)jsonx_get_string(json_object_object_get(doc, "current"), "to",
	    &to);
	(void)jsonx_get_int64(doc, "more_tiles", &more);
	(void)jsonx_get_string(doc, "time_zone", &tz);
	put(out, "from", from);
	put(out, "to", to);
	put(out, "time_zone", tz);
	if (strcmp(period, "custom") == 0) {
		put(out, "range_from", from);
		put(out, "range_to", to);
	}
	/* The same days as a CSV download (/dashboard/export.csv). */
	put(out, "download", strcmp(period, "custom") == 0 && from != NULL &&
	    to != NULL ? arena_printf(a, "from=%s&to=%s", from, to) :
	    arena_printf(a, "period=%s", period));
	/* The page stays far below LIMIT_TMPL_OUTPUT whatever was stored:
	 * at most LIMIT_TILES tiles (lib/metrics/tiles.c keeps to it too). */
	n = json_object_array_length(tiles);
	if (n > LIMIT_TILES) {
		more += (int64_t)(n - LIMIT_TILES);
		n = LIMIT_TILES;
	}
	for (i = 0; i < n; i++) {
		t = json_object_array_get_idx(tiles, i);
		if (jsonx_get_string(t, "provider", &slug) != ERR_OK)
			continue;
		if (strcmp(slug, last) != 0) {
			cur = json_object_new_object();
			p = provider_get(slug);
			put(cur, "slug", slug);
			put(cur, "name", p != NULL ? p->name : slug);
			put(cur, "days", p != NULL ? p->days : NULL);
			/* A provider that publishes its days late: why the
			 * newest have no numbers (and a total shows no
			 * change). */
			if (p != NULL && p->lag_days > 0)
				put(cur, "lag", arena_printf(a, "%s publishes "
				    "a day up to %d days late: the newest days "
				    "may have no numbers yet (a later sync "
				    "brings them), and a total over fewer days "
				    "than the period before shows no change.",
				    p->name, p->lag_days));
			list = json_object_new_array();
			json_object_object_add(cur, "tiles", list);
			/* The chart: the provider's first metric, larger. */
			series = prev = NULL;
			unit = money = NULL;
			label = slug;
			(void)jsonx_get_array(t, "series", &series);
			(void)jsonx_get_array(t, "previous_series", &prev);
			(void)jsonx_get_string(t, "unit", &unit);
			(void)jsonx_get_string(t, "currency", &money);
			(void)jsonx_get_string(t, "label", &label);
			if (money != NULL)
				label = arena_printf(a, "%s (%s)", label,
				    money);
			chart = views_chart(a, series, prev, from, label,
			    unit, money);
			put(chart, "id", arena_printf(a, "chart-%s", slug));
			json_object_object_add(cur, "chart",
			    json_object_get(chart));
			put(cur, "chart_label", label);
			json_object_array_add(provs, cur);
			last = slug;
		}
		json_object_array_add(list, tile_view(a, t));
	}
	flag(out, "has_tiles", json_object_array_length(provs) > 0);
	put(out, "more_note", more_note(a, more));
	return out;
}

/* Whether the JSON array text list holds the string id. */
static bool
listed_id(struct arena *a, const char *list, const char *id)
{
	struct json_object *arr, *e;
	size_t i;

	if (list == NULL || jsonx_parse(a, list, strlen(list), &arr, NULL) !=
	    ERR_OK || !json_object_is_type(arr, json_type_array))
		return false;
	for (i = 0; i < json_object_array_length(arr); i++)
		if ((e = json_object_array_get_idx(arr, i)) != NULL &&
		    strcmp(json_object_get_string(e), id) == 0)
			return true;
	return false;
}

/* One zone of a source's selected accounts and the accounts in it. */
struct days_zone {
	const char	*zone;
	const char	*names;		/* "Shop, Store 2" */
	size_t		 n;		/* accounts in it */
};

/* A selected account of a source, for days_zones(). */
struct days_acct {
	const char	*id;
	const char	*name;
	const char	*zone;
};

/*
 * The zones of slug's selected accounts in conns, named ("America/
 * New_York (Shop) and Europe/Berlin (Blog)"), or NULL when some selected
 * account's listing names no zone (the provider's words stay).  The
 * accounts of all its logins are listed together: one two logins select
 * is named once, and accounts of the same name are told apart by their
 * ids ("Ads 1 · act_1, Ads 1 · act_2") — only then.
 */
static const char *
days_zones(struct arena *a, const char *slug, const struct connection *c,
    size_t n)
{
	struct days_zone z[LIMIT_DAYS_ZONES + 1];
	struct days_acct *acct = NULL;
	struct json_object *accs, *acc;
	const char *id, *tz, *name, *out = NULL;
	size_t i, j, k, nz = 0, more = 0, na = 0, cap = 0;

	for (i = 0; i < n; i++) {
		if (strcmp(c[i].provider, slug) != 0 ||
		    strcmp(c[i].status, "disconnected") == 0 ||
		    c[i].accounts == NULL || jsonx_parse(a, c[i].accounts,
		    strlen(c[i].accounts), &accs, NULL) != ERR_OK ||
		    !json_object_is_type(accs, json_type_array))
			continue;
		for (j = 0; j < json_object_array_length(accs); j++) {
			acc = json_object_array_get_idx(accs, j);
			if ((id = jsonx_text(acc, "id")) == NULL ||
			    !listed_id(a, c[i].selected, id))
				continue;
			if ((tz = jsonx_str(acc, "time_zone")) == NULL ||
			    *tz == '\0')
				return NULL;
			if ((name = jsonx_str(acc, "name")) == NULL ||
			    *name == '\0')
				name = id;
			for (k = 0; k < na && strcmp(acct[k].id, id) != 0; k++)
				;
			if (k < na)	/* selected by another login too */
				continue;
			if (na == cap) {
				struct days_acct *more_acct;

				cap = cap == 0 ? 16 : cap * 2;
				more_acct = arena_calloc(a, cap,
				    sizeof(*more_acct));
				if (na > 0)
					memcpy(more_acct, acct, na *
					    sizeof(*acct));
				acct = more_acct;
			}
			acct[na].id = id;
			acct[na].name = name;
			acct[na++].zone = tz;
		}
	}
	for (i = 0; i < na; i++) {
		name = acct[i].name;
		for (k = 0; k < na; k++)
			if (k != i && strcmp(acct[k].name, acct[i].name) == 0 &&
			    strcmp(name, acct[i].id) != 0) {
				name = arena_printf(a, "%s · %s", name,
				    acct[i].id);
				break;
			}
		tz = acct[i].zone;
		for (k = 0; k < nz && strcmp(z[k].zone, tz) != 0; k++)
			;
		if (k == nz && nz == LIMIT_DAYS_ZONES) {
			more++;
			continue;
		}
		if (k == nz) {
			z[nz].zone = tz;
			z[nz].names = name;
			z[nz++].n = 1;
		} else if (++z[k].n <= LIMIT_DAYS_ZONE_NAMES)
			z[k].names = arena_printf(a, "%s, %s", z[k].names,
			    name);
	}
	for (k = 0; k < nz; k++) {
		const char *names = z[k].n > LIMIT_DAYS_ZONE_NAMES ?
		    arena_printf(a, "%s and %zu more", z[k].names, z[k].n -
		    LIMIT_DAYS_ZONE_NAMES) : z[k].names;
		const char *one = arena_printf(a, "%s (%s)", z[k].zone, names);

		out = out == NULL ? one : arena_printf(a, "%s%s%s", out,
		    k + 1 == nz && more == 0 ? " and " : ", ", one);
	}
	if (out != NULL && more > 0)
		out = arena_printf(a, "%s and %zu more account%s in other "
		    "zones", out, more, more == 1 ? "" : "s");
	return out;
}

/* How far a quiet source's reason goes: the higher, the more it says. */
enum quiet_why {
	QUIET_SYNCED,		/* its syncs found none for these days */
	QUIET_NEVER,		/* never synced */
	QUIET_FAILED,		/* its last sync failed */
	QUIET_QUEUED,		/* a sync is queued */
	QUIET_RUNNING,		/* a sync is running */
};

/* Why connection c has no numbers, from its sync state s (an entry of
 * syncq_status_ws_json()'s connections, or NULL); *detail the failure's
 * words (or NULL). */
static enum quiet_why
quiet_why(const struct connection *c, struct json_object *s,
    const char **detail)
{
	struct json_object *job = jsonx_member(s, "job");
	struct json_object *run = jsonx_member(s, "last_run");
	const char *js = jsonx_str(job, "status"), *rs = jsonx_str(run,
	    "status");

	*detail = NULL;
	if (js != NULL && strcmp(js, "running") == 0)
		return QUIET_RUNNING;
	if (js != NULL && strcmp(js, "queued") == 0)
		return QUIET_QUEUED;
	if (strcmp(c->status, "needs_reauth") == 0) {
		*detail = "it needs reconnecting";
		return QUIET_FAILED;
	}
	if (strcmp(c->status, "error") == 0 || (rs != NULL &&
	    strcmp(rs, "ok") != 0 && strcmp(rs, "running") != 0)) {
		*detail = jsonx_str(run, "error");
		if (*detail == NULL)
			*detail = c->last_error;
		return QUIET_FAILED;
	}
	if (c->last_sync_at == NULL && rs == NULL)
		return QUIET_NEVER;
	return QUIET_SYNCED;
}

/* The line of a quiet source (why and never: whether it ever synced). */
static const char *
quiet_text(struct arena *a, enum quiet_why why, const char *detail,
    bool never)
{
	const char *s = "No numbers for these days yet";

	switch (why) {
	case QUIET_RUNNING:
		return arena_printf(a, "%s: %s is running now.", s, never ?
		    "its first sync" : "a sync");
	case QUIET_QUEUED:
		return arena_printf(a, "%s: %s is queued.", s, never ?
		    "its first sync" : "a sync");
	case QUIET_FAILED:
		return arena_printf(a, "%s: its last sync failed%s%s", s,
		    detail != NULL ? " — " : ".", detail != NULL ? detail :
		    "");
	case QUIET_NEVER:
		return arena_printf(a, "%s: it has not synced yet. Press "
		    "“Sync now” on its page, or wait for the daily sync.", s);
	case QUIET_SYNCED:
	default:
		return arena_printf(a, "%s: its syncs found none for them (the "
		    "source may hold no data this far back).", s);
	}
}

/* The sync state of connection id in the status list (its entry), or
 * NULL. */
static struct json_object *
status_of(struct json_object *list, int64_t id)
{
	struct json_object *e;
	int64_t eid;
	size_t k;

	for (k = 0; list != NULL && k < json_object_array_length(list); k++) {
		e = json_object_array_get_idx(list, k);
		if (jsonx_get_int64(e, "id", &eid) == ERR_OK && eid == id)
			return e;
	}
	return NULL;
}

/*
 * What a source with numbers says while a sync of one of its connections
 * (slug's, not disconnected) is running or queued: its numbers may
 * still change.  NULL when none is.
 */
static const char *
syncing_text(const char *slug, const struct connection *conns, size_t n,
    struct json_object *list)
{
	const char *js;
	bool queued = false;
	size_t i;

	for (i = 0; i < n; i++) {
		if (strcmp(conns[i].provider, slug) != 0 ||
		    strcmp(conns[i].status, "disconnected") == 0 ||
		    (js = jsonx_str(jsonx_member(status_of(list,
		    conns[i].id), "job"), "status")) == NULL)
			continue;
		if (strcmp(js, "running") == 0)
			return "A sync is running now: these numbers may still "
			    "change when it ends.";
		queued |= strcmp(js, "queued") == 0;
	}
	return queued ? "A sync is queued: these numbers may change when it "
	    "has run." : NULL;
}

void
views_dashboard_sources(struct arena *a, struct json_object *v,
    const struct connection *conns, size_t n, const char *status_json)
{
	struct json_object *provs, *sec, *doc = NULL, *list = NULL, *s;
	const struct provider *p;
	const char *slug, *detail, *zones, *best_detail, *other;
	enum quiet_why why, best;
	bool found, never;
	size_t i, j, k, nsec;

	if ((provs = jsonx_member(v, "providers")) == NULL ||
	    !json_object_is_type(provs, json_type_array)) {
		provs = json_object_new_array();
		json_object_object_add(v, "providers", provs);
	}
	if (status_json != NULL && jsonx_parse(a, status_json,
	    strlen(status_json), &doc, NULL) == ERR_OK)
		list = jsonx_member(doc, "connections");
	nsec = json_object_array_length(provs);
	for (i = 0; i < nsec; i++) {
		sec = json_object_array_get_idx(provs, i);
		if ((slug = jsonx_str(sec, "slug")) != NULL &&
		    (zones = days_zones(a, slug, conns, n)) != NULL)
			put(sec, "days", zones);
		if (slug != NULL && (detail = syncing_text(slug, conns, n,
		    list)) != NULL)
			put(sec, "syncing", detail);
	}
	for (i = 0; i < n; i++) {
		slug = conns[i].provider;
		if (strcmp(conns[i].status, "disconnected") == 0 ||
		    (p = provider_get(slug)) == NULL || p->nmetrics == 0)
			continue;
		for (k = 0, found = false; k < nsec && !found; k++)
			found = (other = jsonx_str(json_object_array_get_idx(
			    provs, k), "slug")) != NULL && strcmp(other,
			    slug) == 0;
		for (j = 0; j < i && !found; j++)	/* said already */
			found = strcmp(conns[j].provider, slug) == 0 &&
			    strcmp(conns[j].status, "disconnected") != 0;
		if (found)
			continue;
		/* Its connections (several logins): what says the most. */
		best = QUIET_SYNCED;
		best_detail = NULL;
		never = true;
		for (j = i; j < n; j++) {
			if (strcmp(conns[j].provider, slug) != 0 ||
			    strcmp(conns[j].status, "disconnected") == 0)
				continue;
			s = status_of(list, conns[j].id);
			why = quiet_why(&conns[j], s, &detail);
			never &= conns[j].last_sync_at == NULL;
			if (j == i || why > best) {
				best = why;
				best_detail = detail;
			}
		}
		sec = json_object_new_object();
		put(sec, "slug", slug);
		put(sec, "name", p->name);
		put(sec, "quiet", quiet_text(a, best, best_detail, never));
		json_object_array_add(provs, sec);
	}
	flag(v, "has_sources", json_object_array_length(provs) > 0);
}

/*
 * The latest value of each running total ($3, $4: providers and metrics,
 * in pairs) stored after the days shown ($2, their last day), while they
 * end yesterday in the workspace's zone: each account's latest row (not
 * past tomorrow), added up; how many accounts and their first and last
 * day.
 */
static const char sql_latest[] =
	"WITH w AS (SELECT (now() AT TIME ZONE time_zone)::date AS today "
	"FROM workspaces WHERE id = $1) "
	"SELECT c.provider, c.metric, sum(l.value)::float8, count(*), "
	"to_char(min(l.day), 'YYYY-MM-DD'), to_char(max(l.day), "
	"'YYYY-MM-DD') FROM unnest($3::text[], $4::text[]) AS c(provider, "
	"metric) JOIN LATERAL (SELECT DISTINCT ON (m.account_id) m.day, "
	"m.value FROM metric_daily m WHERE m.workspace_id = $1 AND "
	"m.provider = c.provider AND m.metric = c.metric AND m.day > "
	"$2::date AND m.day <= (SELECT today FROM w) + 1 ORDER BY "
	"m.account_id, m.day DESC) l ON true WHERE $2::date = (SELECT today "
	"FROM w) - 1 GROUP BY c.provider, c.metric ORDER BY c.provider, "
	"c.metric";

/* The section of slug in provs, or NULL. */
static struct json_object *
section_of(struct json_object *provs, const char *slug)
{
	struct json_object *sec;
	const char *s;
	size_t i;

	for (i = 0; i < json_object_array_length(provs); i++) {
		sec = json_object_array_get_idx(provs, i);
		if ((s = jsonx_str(sec, "slug")) != NULL &&
		    strcmp(s, slug) == 0)
			return sec;
	}
	return NULL;
}

/* Whether the section sec has a tile of metric (its tiles' "metric"). */
static bool
has_tile(struct json_object *sec, const char *metric)
{
	struct json_object *tiles = jsonx_member(sec, "tiles");
	const char *m;
	size_t i;

	for (i = 0; tiles != NULL && i < json_object_array_length(tiles);
	    i++)
		if ((m = jsonx_str(json_object_array_get_idx(tiles, i),
		    "metric")) != NULL && strcmp(m, metric) == 0)
			return true;
	return false;
}

/* provs with sec put before the first section named after it (custom
 * sources, which have no provider, stay last). */
static struct json_object *
insert_section(struct json_object *provs, struct json_object *sec)
{
	struct json_object *out = json_object_new_array(), *o;
	const char *name = jsonx_str(sec, "name");
	bool put = false;
	size_t i;

	for (i = 0; i < json_object_array_length(provs); i++) {
		o = json_object_array_get_idx(provs, i);
		if (!put && (provider_get(jsonx_str(o, "slug")) == NULL ||
		    strcasecmp(jsonx_str(o, "name"), name) > 0)) {
			json_object_array_add(out, sec);
			put = true;
		}
		json_object_array_add(out, json_object_get(o));
	}
	if (!put)
		json_object_array_add(out, sec);
	return out;
}

enum err
views_dashboard_latest(struct ctx *ctx, struct json_object *v)
{
	const struct provider *const *all;
	const struct metric_def *d;
	struct json_object *provs, *sec, *t, *tiles;
	struct db_res *res;
	struct buf *ps, *ms;
	const char *p[4], *to = jsonx_str(v, "to"), *slug, *metric, *first;
	const char *last;
	const struct provider *pr;
	size_t i, k, n;
	int64_t accounts;
	double val;
	enum err rc;

	if (to == NULL || (provs = jsonx_member(v, "providers")) == NULL)
		return ERR_OK;
	/* The running totals without a tile in these days. */
	ps = buf_new_arena(ctx->arena, 16384);
	ms = buf_new_arena(ctx->arena, 16384);
	all = provider_all(&n);
	for (i = 0; i < n; i++)
		for (k = 0; k < all[i]->nmetrics; k++) {
			d = &all[i]->metrics[k];
			if (d->agg != METRIC_LAST || strcmp(d->unit,
			    "currency_micros") == 0 || ((sec = section_of(
			    provs, all[i]->slug)) != NULL && has_tile(sec,
			    d->name)))
				continue;
			buf_printf(ps, "%s%s", ps->len > 0 ? "," : "",
			    all[i]->slug);
			buf_printf(ms, "%s%s", ms->len > 0 ? "," : "",
			    d->name);
		}
	if (ps->len == 0)
		return ERR_OK;
	p[0] = db_int64(ctx->arena, ctx->workspace_id);
	p[1] = to;
	p[2] = arena_printf(ctx->arena, "{%s}", buf_cstr(ps));
	p[3] = arena_printf(ctx->arena, "{%s}", buf_cstr(ms));
	if ((rc = db_exec_generic(app_read_db(ctx), ctx->arena, sql_latest,
	    4, p, &res)) != ERR_OK)
		return rc;
	for (i = 0; i < db_nrows(res); i++) {
		slug = db_get(res, i, 0);
		metric = db_get(res, i, 1);
		val = strtod(db_get(res, i, 2), NULL);
		accounts = db_get_int64(res, i, 3, 0);
		first = db_get(res, i, 4);
		last = db_get(res, i, 5);
		if ((pr = provider_get(slug)) == NULL ||
		    (d = metric_find(slug, metric)) == NULL)
			continue;
		/* An average (a rating) is not added across accounts. */
		if (accounts > 1 && strcmp(d->unit, "count") != 0)
			continue;
		if ((sec = section_of(provs, slug)) == NULL) {
			sec = json_object_new_object();
			put(sec, "slug", slug);
			put(sec, "name", pr->name);
			put(sec, "days", pr->days);
			json_object_object_add(sec, "tiles",
			    json_object_new_array());
			provs = insert_section(provs, sec);
			json_object_object_add(v, "providers", provs);
		}
		tiles = jsonx_member(sec, "tiles");
		t = json_object_new_object();
		put(t, "metric", metric);
		put(t, "label", d->label);
		put(t, "value", numfmt_value(ctx->arena, val, d->unit, NULL));
		put(t, "previous", "–");
		put(t, "trend", "flat");
		put(t, "as_of", strcmp(first, last) == 0 ? last :
		    arena_printf(ctx->arena, "%s to %s", first, last));
		put(t, "change", arena_printf(ctx->arena, "as of %s",
		    jsonx_str(t, "as_of")));
		put(t, "coverage", arena_printf(ctx->arena, "the latest "
		    "sync's count%s; the days shown end %s", accounts > 1 ?
		    arena_printf(ctx->arena, " of %lld accounts, added up",
		    (long long)accounts) : "", to));
		put(t, "spark", "");
		json_object_array_add(tiles, t);
	}
	flag(v, "has_tiles", json_object_array_length(provs) > 0);
	return ERR_OK;
}

/* A CSV download under way: its request and what it holds. */
struct download {
	struct ctx			*ctx;
	const struct export_query	*q;
};

/* The headers of a CSV download, once its days are known. */
static enum err
download_begin(void *arg, const char *from, const char *to)
{
	struct download *d = arg;

	resp_header(&d->ctx->resp, "Content-Disposition", arena_printf(
	    d->ctx->arena, "attachment; filename=\"%s\"", export_filename(
	    d->ctx->arena, from, to, d->q)));
	resp_header(&d->ctx->resp, "Cache-Control", "private, no-store");
	return app_stream_begin(d->ctx, 200, "text/csv; charset=utf-8");
}

static enum err
download_piece(void *arg, const char *data, size_t len)
{
	return app_stream_write(((struct download *)arg)->ctx, data, len);
}

enum err
views_download(struct ctx *ctx, const struct export_query *q)
{
	struct download d = { ctx, q };

	return export_csv(app_read_db(ctx), ctx->arena, ctx->workspace_id, q,
	    download_begin, download_piece, &d);
}

/*
 * The average rating of each day of the last $2 days up to today in the
 * workspace's zone ($3: the providers that state one), weighted by each
 * location's review count; first, the series and the count of days.
 * The days' ratings in one scan of the workspace's rows of these days
 * (its generic plan is as good as a custom one), not one lookup per day
 * (which read every rating row of the provider each day).
 */
static const char sql_rating[] =
	"WITH w AS (SELECT time_zone AS tz, (now() AT TIME ZONE time_zone)"
	"::date AS t FROM workspaces WHERE id = $1), "
	"x AS (SELECT r.day, round(sum(r.value * c.value) / "
	"nullif(sum(c.value), 0), 2) AS v FROM metric_daily r JOIN "
	"metric_daily c ON c.workspace_id = r.workspace_id AND c.provider = "
	"r.provider AND c.account_id = r.account_id AND c.day = r.day AND "
	"c.metric = 'reviews' WHERE r.workspace_id = $1 AND r.provider = "
	"ANY ($3::text[]) AND r.metric = 'rating' AND r.day BETWEEN "
	"(SELECT t FROM w) - ($2::int - 1) AND (SELECT t FROM w) "
	"GROUP BY r.day), "
	"d AS (SELECT generate_series((now() AT TIME ZONE (SELECT tz FROM w))"
	"::date - ($2::int - 1), (now() AT TIME ZONE (SELECT tz FROM w))"
	"::date, interval '1 day')::date AS day) "
	"SELECT to_char(min(d.day), 'YYYY-MM-DD'), json_agg(x.v ORDER BY "
	"d.day)::text, count(x.v) FROM d LEFT JOIN x ON x.day = d.day";

enum err
views_reviews(struct ctx *ctx, int days, struct json_object **out)
{
	const struct provider *const *all;
	struct json_object *o, *recent, *series, *chart;
	struct db_res *res;
	struct buf *b;
	const char *p[3], *json;
	size_t i, k, n;
	enum err rc;

	*out = NULL;
	all = provider_all(&n);
	b = buf_new_arena(ctx->arena, 4096);
	buf_putc(b, '{');
	for (i = 0; i < n; i++)
		for (k = 0; k < all[i]->nmetrics; k++)
			if (strcmp(all[i]->metrics[k].name, "rating") == 0)
				buf_printf(b, "%s%s", b->len > 1 ? "," :
				    "", all[i]->slug);
	buf_putc(b, '}');
	p[0] = db_int64(ctx->arena, ctx->workspace_id);
	p[1] = db_int64(ctx->arena, days);
	p[2] = buf_cstr(b);
	if ((rc = db_exec_generic(app_read_db(ctx), ctx->arena, sql_rating,
	    3, p, &res)) != ERR_OK)
		return rc;
	if ((rc = reviews_recent_json(app_read_db(ctx), ctx->arena,
	    ctx->workspace_id, 5, &json)) != ERR_OK)
		return rc;
	if (jsonx_parse(ctx->arena, json, strlen(json), &recent, NULL) !=
	    ERR_OK || jsonx_parse(ctx->arena, db_get(res, 0, 1),
	    strlen(db_get(res, 0, 1)), &series, NULL) != ERR_OK)
		return ERR_DB;
	if (json_object_array_length(recent) == 0 &&
	    strcmp(db_get(res, 0, 2), "0") == 0)
		return ERR_OK;
	o = jsonx_own(ctx->arena, json_object_new_object());
	chart = views_chart(ctx->arena, series, NULL, db_get(res, 0, 0),
	    "Average rating", "stars", NULL);
	put(chart, "id", "chart-reviews");
	put(chart, "empty", "No rating stated in these days yet.");
	json_object_object_add(o, "chart", json_object_get(chart));
	json_object_object_add(o, "recent", json_object_get(recent));
	json_object_object_add(o, "has_recent", json_object_new_boolean(
	    json_object_array_length(recent) > 0));
	*out = o;
	return ERR_OK;
}

/*
 * The inquiries of the days $2..$3 and of the 28 days to today in the
 * workspace's zone, each day as lib/business/attribution.c's report
 * counts it (created_at in the zone), whose channels ("Other" among them)
 * take every inquiry of its days once: these are what its channels'
 * counts add up to, for the days given and for its default days.
 */
static const char sql_inquiries[] =
	"SELECT count(*) FILTER (WHERE x.d BETWEEN $2::date AND $3::date), "
	"count(*) FILTER (WHERE x.d BETWEEN x.t - 27 AND x.t) FROM (SELECT "
	"(i.created_at AT TIME ZONE w.time_zone)::date AS d, (now() AT TIME "
	"ZONE w.time_zone)::date AS t FROM inquiries i JOIN workspaces w ON "
	"w.id = i.workspace_id WHERE i.workspace_id = $1) x";

enum err
views_inquiries_counted(struct ctx *ctx, const char *from, const char *to,
    int64_t *in_days, int64_t *recent)
{
	struct db_res *res;
	const char *p[3];
	enum err rc;

	*in_days = *recent = 0;
	p[0] = db_int64(ctx->arena, ctx->workspace_id);
	p[1] = from;
	p[2] = to;
	if ((rc = db_exec_static(ctx->db, ctx->arena, sql_inquiries, 3, p,
	    &res)) != ERR_OK)
		return rc;
	if (db_nrows(res) > 0) {
		*in_days = db_get_int64(res, 0, 0, 0);
		*recent = db_get_int64(res, 0, 1, 0);
	}
	return ERR_OK;
}

void
views_attribution_recent(struct arena *a, struct json_object *v, int64_t n)
{
	struct json_object *o;

	if (n <= 0)
		return;
	o = json_object_new_object();
	json_object_object_add(o, "recent", json_object_new_int64(n));
	put(o, "recent_text", arena_printf(a, "%lld %s", (long long)n,
	    n == 1 ? "inquiry" : "inquiries"));
	json_object_object_add(v, "attribution", o);
}

const char *
views_marks_css(struct arena *a)
{
	const struct provider *const *all;
	const char *css = "";
	size_t i, n;

	all = provider_all(&n);
	for (i = 0; i < n; i++)
		if (all[i]->mark_colour != NULL)
			css = arena_printf(a, "%s.mark-%s { background: %s; "
			    "color: %s; }\n", css, all[i]->slug,
			    all[i]->mark_colour, all[i]->mark_ink != NULL ?
			    all[i]->mark_ink : "#fff");
	return css;
}
