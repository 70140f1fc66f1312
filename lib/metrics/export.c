/* export.c — a workspace's stored numbers as JSON pages or CSV (export.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/day.h"
#include "base/kv.h"
#include "base/limit.h"
#include "base/mem.h"
#include "crypto/crypto.h"
#include "metrics/export.h"
#include "metrics/metric.h"
#include "providers/provider.h"
#include "store/db.h"

/* The period asked for, in the workspace's days ($2/$3 NULL: the $4
 * days ending yesterday). */
static const char sql_span[] =
	"SELECT time_zone, to_char(coalesce($2::date, "
	"(now() AT TIME ZONE time_zone)::date - $4::int), 'YYYY-MM-DD'), "
	"to_char(coalesce($3::date, (now() AT TIME ZONE time_zone)::date "
	"- 1), 'YYYY-MM-DD'), coalesce($3::date, (now() AT TIME ZONE "
	"time_zone)::date - 1) >= (now() AT TIME ZONE time_zone)::date "
	"FROM workspaces WHERE id = $1";

/*
 * The rows, in key order (provider, account, metric, period, currency),
 * after the key $7..$11 (a cursor; '' and 0001-01-01 from the start).
 * $12: the period ("day", "week", "month"); $13: "provider/metric" of
 * running totals (LAST), $14: of non-additive counts (TOTALS: a whole
 * Monday-to-Sunday week inside the range takes the provider's own 7-day
 * total stored on its Sunday; other periods have none).  Every
 * statement names every parameter (PostgreSQL wants each one's type).
 */
#define ROWS_FROM \
	"FROM metric_daily WHERE workspace_id = $1 " \
	"AND day BETWEEN $2::date AND $3::date " \
	"AND ($4::text[] IS NULL OR provider = ANY ($4::text[])) " \
	"AND ($5::text[] IS NULL OR account_id = ANY ($5::text[])) " \
	"AND ($6::text[] IS NULL OR metric = ANY ($6::text[])) "
/* Days: the primary key's order, read straight from its index.  A
 * provider's own total of a period ("active_users:28d" on the period's
 * last day) is a row too: the dashboard shows it. */
#define ROWS_DAY \
	"SELECT provider, account_id, metric, to_char(day, 'YYYY-MM-DD'), " \
	"coalesce(currency, ''), value::text, 1, dims::text " ROWS_FROM \
	" AND $12 = 'day' AND (provider, account_id, metric, day) > " \
	"($7, $8, $9, $10::date) AND $11 = $11 AND $13::text[] = $13 " \
	"AND $14::text[] = $14 ORDER BY provider, account_id, metric, day"
#define ROWS_GROUP \
	"SELECT provider, account_id, metric, to_char(p, 'YYYY-MM-DD'), cur, " \
	"CASE WHEN t THEN (SELECT w.value::text FROM metric_daily w WHERE " \
	"$12 = 'week' AND p >= $2::date AND p + 6 <= $3::date AND " \
	"w.workspace_id = $1 AND w.provider = r.provider AND w.account_id = " \
	"r.account_id AND w.metric = r.metric || ':7d' AND w.day = p + 6 " \
	"LIMIT 1) ELSE v END, n, NULL FROM (SELECT provider, account_id, " \
	"metric, date_trunc($12, day)::date AS p, coalesce(currency, '') AS " \
	"cur, provider || '/' || metric = ANY ($14::text[]) AS t, CASE " \
	"WHEN provider || '/' || metric = ANY ($13::text[]) THEN " \
	"((array_agg(value ORDER BY day DESC))[1])::text " \
	"WHEN provider || '/' || metric = ANY ($14::text[]) THEN NULL " \
	"ELSE sum(value)::text END AS v, count(*) AS n " ROWS_FROM \
	"AND metric !~ ':[0-9]+d$' GROUP BY 1, 2, 3, 4, 5) r " \
	"WHERE (provider, account_id, metric, p, cur) > " \
	"($7, $8, $9, $10::date, $11) " \
	"ORDER BY provider, account_id, metric, p, cur"
static const char *const sql_page[] = {
	[EXPORT_DAY] = ROWS_DAY " LIMIT $15",
	[EXPORT_WEEK] = ROWS_GROUP " LIMIT $15",
	[EXPORT_MONTH] = ROWS_GROUP " LIMIT $15",
};
static const char *const sql_declare[] = {
	[EXPORT_DAY] = "DECLARE sluice_export NO SCROLL CURSOR FOR " ROWS_DAY,
	[EXPORT_WEEK] = "DECLARE sluice_export NO SCROLL CURSOR FOR "
	    ROWS_GROUP,
	[EXPORT_MONTH] = "DECLARE sluice_export NO SCROLL CURSOR FOR "
	    ROWS_GROUP,
};
/*
 * The dashboard's dated running totals (views_dashboard_latest()): while
 * the days $2..$3 end yesterday in the workspace's zone, each account's
 * latest row after them (not past tomorrow) of the running totals $4
 * ("provider/metric") that have no row in those days, filtered like the
 * rows ($5, $6, $7: providers, accounts, metrics); the rows' columns.
 */
static const char sql_latest[] =
	"WITH w AS (SELECT (now() AT TIME ZONE time_zone)::date AS today "
	"FROM workspaces WHERE id = $1) "
	"SELECT DISTINCT ON (m.provider, m.account_id, m.metric) m.provider, "
	"m.account_id, m.metric, to_char(m.day, 'YYYY-MM-DD'), "
	"coalesce(m.currency, ''), m.value::text, 1, m.dims::text "
	"FROM metric_daily m WHERE m.workspace_id = $1 "
	"AND m.provider || '/' || m.metric = ANY ($4::text[]) "
	"AND ($5::text[] IS NULL OR m.provider = ANY ($5::text[])) "
	"AND ($6::text[] IS NULL OR m.account_id = ANY ($6::text[])) "
	"AND ($7::text[] IS NULL OR m.metric = ANY ($7::text[])) "
	"AND m.day > $3::date AND m.day <= (SELECT today FROM w) + 1 "
	"AND $3::date = (SELECT today FROM w) - 1 AND NOT EXISTS (SELECT 1 "
	"FROM metric_daily x WHERE x.workspace_id = $1 AND x.provider = "
	"m.provider AND x.metric = m.metric AND x.day BETWEEN $2::date AND "
	"$3::date) ORDER BY m.provider, m.account_id, m.metric, m.day DESC";
/* Of the names $2, the first with no row in workspace $1 (NULL: none). */
static const char sql_unknown[] =
	"SELECT n FROM unnest($2::text[]) WITH ORDINALITY AS u(n, i) WHERE "
	"NOT EXISTS (SELECT 1 FROM metric_daily WHERE workspace_id = $1 AND "
	"provider = u.n) ORDER BY i LIMIT 1";
/* The sources with rows in workspace $1 that are not providers ($2),
 * in order, at most $3 + 1 (an index skip scan: one probe a source). */
static const char sql_ingested[] =
	"WITH RECURSIVE s(p) AS ((SELECT provider FROM metric_daily WHERE "
	"workspace_id = $1 ORDER BY provider LIMIT 1) UNION ALL SELECT "
	"(SELECT provider FROM metric_daily WHERE workspace_id = $1 AND "
	"provider > s.p ORDER BY provider LIMIT 1) FROM s WHERE s.p IS NOT "
	"NULL) SELECT p FROM s WHERE p IS NOT NULL AND p <> ALL ($2::text[]) "
	"LIMIT $3::int + 1";
/* Of the metric names $2 (none in a catalogue), the first no row of
 * workspace $1 is stored under (for the sources $3; NULL: any), or none:
 * the workspace's series walked in primary-key order, one index probe a
 * series, stopping at the first that has the name. */
static const char sql_unstored[] =
	"WITH RECURSIVE s(p, a, m) AS ((SELECT provider, account_id, metric "
	"FROM metric_daily WHERE workspace_id = $1 "
	"ORDER BY provider, account_id, metric LIMIT 1) UNION ALL "
	"SELECT x.p, x.a, x.m FROM s, LATERAL (SELECT provider AS p, "
	"account_id AS a, metric AS m FROM metric_daily WHERE "
	"workspace_id = $1 AND (provider, account_id, metric) > "
	"(s.p, s.a, s.m) ORDER BY provider, account_id, metric LIMIT 1) x) "
	"SELECT u.n FROM unnest($2::text[]) WITH ORDINALITY AS u(n, i) "
	"WHERE NOT EXISTS (SELECT 1 FROM s WHERE s.m = u.n AND "
	"($3::text[] IS NULL OR s.p = ANY ($3::text[]))) ORDER BY i LIMIT 1";
static const char sql_fetch[] = "FETCH 2000 FROM sluice_export";
static const char sql_close[] = "CLOSE sluice_export";

#define NPARAMS	15

static const char *const group_names[] = {
	[EXPORT_DAY] = "day",
	[EXPORT_WEEK] = "week",
	[EXPORT_MONTH] = "month",
};

/* The parameters a request may send. */
static const char *const known[] = {
	"provider", "account_id", "metric", "from", "to", "group", "format",
	"limit", "cursor",
};

/* True when s is 1-64 of [a-z0-9_.:-] (a source or metric name). */
static bool
name_ok(const char *s, size_t min)
{
	size_t n = strlen(s);

	return n >= min && n <= LIMIT_METRIC_NAME &&
	    strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_.:-") == n;
}

/* An account id as providers name them ("owner/repo", "act_1:c9"):
 * 0-256 bytes, no control character. */
static bool
account_ok(const char *s)
{
	size_t n = strlen(s), i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return n <= 256;
}

/* A real date YYYY-MM-DD from 1970 on (what ingest stores); *d its day
 * number. */
static bool
date_ok(const char *s, int64_t *d)
{
	return day_parse(s, d) && *d >= 0;
}

/* A rate the catalogue derives from two stored metrics, named for the
 * providers asked for (all when none): why it is no row, or NULL. */
static const char *
derived(struct arena *a, const struct export_query *q, const char *m)
{
	const struct provider *const *all;
	const struct metric_def *d;
	size_t i, n;

	all = provider_all(&n);
	for (i = 0; i < n; i++) {
		size_t k;
		bool asked = q->nproviders == 0;

		for (k = 0; k < q->nproviders && !asked; k++)
			asked = strcmp(q->providers[k], all[i]->slug) == 0;
		if (!asked || (d = metric_find(all[i]->slug, m)) == NULL ||
		    d->agg != METRIC_RATIO)
			continue;
		return arena_printf(a, "%s is not stored: %s computes it from "
		    "%s and %s; ask for those (or read it from "
		    "/v1/dashboard/tiles)", m, all[i]->name, d->num, d->den);
	}
	return NULL;
}

static bool
add(const char **v, size_t *n, const char *s)
{
	if (*n == EXPORT_MAX_NAMES)
		return false;
	v[(*n)++] = s;
	return true;
}

/*
 * Whether an Accept header prefers CSV: the highest q of text/csv against
 * that of application/json or a wildcard that covers it (media types
 * compared without case; JSON wins a tie; q=0 means not at all).
 */
static bool
accept_csv(const char *h)
{
	double qcsv = 0, qjson = 0, qv;
	const char *p, *e, *semi, *k;
	size_t n;

	for (p = h; p != NULL && *p != '\0'; p = *e == ',' ? e + 1 : e) {
		e = p + strcspn(p, ",");
		p += strspn(p, " \t");
		n = strcspn(p, ";, \t");
		qv = 1;
		for (semi = memchr(p, ';', (size_t)(e - p)); semi != NULL;
		    semi = memchr(semi + 1, ';', (size_t)(e - semi - 1))) {
			k = semi + 1 + strspn(semi + 1, " \t");
			if ((k[0] == 'q' || k[0] == 'Q') && k[1] == '=')
				qv = strtod(k + 2, NULL);
		}
		if (n == 8 && strncasecmp(p, "text/csv", n) == 0) {
			if (qv > qcsv)
				qcsv = qv;
		} else if ((n == 16 && strncasecmp(p, "application/json",
		    n) == 0) || (n == 13 && strncasecmp(p, "application/*",
		    n) == 0) || (n == 3 && strncmp(p, "*/*", n) == 0)) {
			if (qv > qjson)
				qjson = qv;
		}
	}
	return qcsv > 0 && qcsv > qjson;
}

enum err
export_parse(struct arena *a, const struct kvlist *query, const char *accept,
    struct export_query *q, const char **param, const char **why)
{
	const char *format = NULL, *group = NULL, *limit = NULL, *s;
	const char **one;
	int64_t f, t;
	size_t i, k;
	char *end;
	long l;

	memset(q, 0, sizeof(*q));
	q->limit = EXPORT_PAGE_DEFAULT;
	q->days = 28;
	*param = *why = NULL;
	if ((*param = kv_unknown(query, known, nitems(known))) != NULL) {
		*why = "is not a parameter of /v1/metrics (provider, "
		    "account_id, metric, from, to, group, format, limit, "
		    "cursor)";
		return ERR_INPUT;
	}
	for (i = 0; i < query->n; i++) {
		const char *nm = query->v[i].name, *v = query->v[i].value;

		*param = nm;
		if (strcmp(nm, "provider") == 0) {
			if (!name_ok(v, 1)) {
				*why = arena_printf(a, "must be a source "
				    "name (a-z, 0-9, _ . : -), one of %s or a "
				    "custom source", provider_slugs(a, ", "));
				return ERR_INPUT;
			}
			if (!add(q->providers, &q->nproviders, v))
				goto many;
		} else if (strcmp(nm, "account_id") == 0) {
			if (*v == '\0' || !account_ok(v)) {
				*why = "must be an account id as the rows "
				    "name it (1 to 256 bytes, no control "
				    "characters)";
				return ERR_INPUT;
			}
			if (!add(q->accounts, &q->naccounts, v))
				goto many;
		} else if (strcmp(nm, "metric") == 0) {
			if (!name_ok(v, 1))
				goto badname;
			if (!add(q->metrics, &q->nmetrics, v))
				goto many;
		} else {
			one = strcmp(nm, "from") == 0 ? &q->from :
			    strcmp(nm, "to") == 0 ? &q->to :
			    strcmp(nm, "group") == 0 ? &group :
			    strcmp(nm, "format") == 0 ? &format :
			    strcmp(nm, "limit") == 0 ? &limit : &q->cursor;
			if (*one != NULL) {
				*why = "is given more than once; give it once "
				    "(only provider, account_id and metric "
				    "repeat)";
				return ERR_INPUT;
			}
			*one = v;
		}
	}
	for (i = 0; i < q->nmetrics; i++)
		if ((s = derived(a, q, q->metrics[i])) != NULL) {
			*param = "metric";
			*why = s;
			return ERR_INPUT;
		}
	*param = "from";
	if ((q->from == NULL) != (q->to == NULL)) {
		*param = q->from == NULL ? "to" : "from";
		*why = arena_printf(a, "goes with %s: give both, or neither "
		    "(the 28 days ending yesterday)", q->from == NULL ? "from" :
		    "to");
		return ERR_INPUT;
	}
	if (q->from != NULL && !date_ok(q->from, &f)) {
		*why = "must be a real date from 1970 on, YYYY-MM-DD";
		return ERR_INPUT;
	}
	*param = "to";
	if (q->to != NULL && !date_ok(q->to, &t)) {
		*why = "must be a real date from 1970 on, YYYY-MM-DD";
		return ERR_INPUT;
	}
	if (q->from != NULL && t < f) {
		*why = "must not be before from";
		return ERR_INPUT;
	}
	if (q->from != NULL && t - f + 1 > EXPORT_MAX_DAYS) {
		*param = "from..to";
		*why = arena_printf(a, "covers %lld days; at most %d are read "
		    "at once: split the range", (long long)(t - f + 1),
		    EXPORT_MAX_DAYS);
		return ERR_TOOBIG;
	}
	*param = "group";
	if (group != NULL) {
		for (k = 0; k < nitems(group_names) &&
		    strcmp(group_names[k], group) != 0; k++)
			;
		if (k == nitems(group_names)) {
			*why = "must be day, week or month";
			return ERR_INPUT;
		}
		q->group = (enum export_group)k;
	}
	*param = "format";
	if (format != NULL && strcmp(format, "csv") != 0 &&
	    strcmp(format, "json") != 0) {
		*why = "must be json or csv";
		return ERR_INPUT;
	}
	q->csv = format != NULL ? strcmp(format, "csv") == 0 :
	    accept_csv(accept);
	*param = "cursor";
	if (q->csv && q->cursor != NULL) {
		*why = "pages JSON only: a CSV carries every row in one "
		    "answer (leave the cursor out)";
		return ERR_INPUT;
	}
	*param = "limit";
	if (limit != NULL) {
		l = strtol(limit, &end, 10);
		if (*limit == '\0' || *end != '\0' || l < 1 ||
		    l > EXPORT_PAGE_MAX) {
			*why = arena_printf(a, "must be a number from 1 to %d",
			    EXPORT_PAGE_MAX);
			return ERR_INPUT;
		}
		q->limit = (size_t)l;
	}
	*param = NULL;
	return ERR_OK;
many:
	*why = arena_printf(a, "is given more than %d times", EXPORT_MAX_NAMES);
	return ERR_INPUT;
badname:
	*why = "must be 1 to 64 of a-z, 0-9, _ . : -";
	return ERR_INPUT;
}

/* A PostgreSQL array literal of texts; NULL (no filter) when n is 0. */
static const char *
array(struct arena *a, const char *const *v, size_t n)
{
	return n == 0 ? NULL : db_text_array(a, v, n, sizeof(*v));
}

/* "provider/metric" of every catalogue metric with rule agg (but money
 * unless money is true): the running totals and the providers' period
 * totals the export reads by rule, and what the dashboard shows dated
 * when the days shown have none of it (LAST, no money). */
static const char *
rule_names(struct arena *a, enum metric_agg agg, bool money)
{
	const struct provider *const *all;
	struct buf *b;
	size_t i, k, n, nd, c = 0;

	b = buf_new_arena(a, 16 * 1024);
	buf_putc(b, '{');
	all = provider_all(&n);
	for (i = 0; i < n; i++) {
		const struct metric_def *d = metric_of(all[i]->slug, &nd);

		for (k = 0; k < nd; k++)
			if (d[k].agg == agg && (money || strcmp(d[k].unit,
			    "currency_micros") != 0))
				buf_printf(b, "%s\"%s/%s\"", c++ > 0 ? "," : "",
				    all[i]->slug, d[k].name);
	}
	buf_putc(b, '}');
	return buf_cstr(b);
}

/*
 * What a cursor belongs to: the first 16 hex digits of the SHA-256 of the
 * query's period, grouping and filters (each value with its length, so
 * no two queries read alike).  A page's cursor continues only the query
 * that gave it.
 */
static const char *
query_tag(struct arena *a, const struct export_query *q, const char *from,
    const char *to)
{
	char hex[CRYPTO_SHA256_HEX_SIZE];
	struct buf *b = buf_new_arena(a, 64 * 1024);
	size_t i;

	buf_printf(b, "%s|%s|%s", from, to, group_names[q->group]);
	for (i = 0; i < q->nproviders; i++)
		buf_printf(b, "|p%zu:%s", strlen(q->providers[i]),
		    q->providers[i]);
	for (i = 0; i < q->naccounts; i++)
		buf_printf(b, "|a%zu:%s", strlen(q->accounts[i]),
		    q->accounts[i]);
	for (i = 0; i < q->nmetrics; i++)
		buf_printf(b, "|m%zu:%s", strlen(q->metrics[i]),
		    q->metrics[i]);
	crypto_sha256_hex(b->data, b->len, hex);
	return arena_strndup(a, hex, 16);
}

/* The cursor's key: five fields, hex-encoded, and the query's tag,
 * joined by '.'. */
static const char *
cursor_make(struct arena *a, const struct db_res *r, size_t row,
    const char *tag)
{
	static const size_t cols[] = { 0, 1, 2, 3, 4 };
	struct buf *b = buf_new_arena(a, 1024);
	const char *s;
	size_t i;

	for (i = 0; i < nitems(cols); i++) {
		if (i > 0)
			buf_putc(b, '.');
		for (s = db_get(r, row, cols[i]); s != NULL && *s != '\0'; s++)
			buf_printf(b, "%02x", (unsigned char)*s);
	}
	buf_printf(b, ".%s", tag);
	return buf_cstr(b);
}

/* A cursor of ours for the query tagged tag: its key into key[0..4]. */
static bool
cursor_read(struct arena *a, const char *c, const char *tag,
    const char **key)
{
	size_t i, n, k = 0;
	char *out;
	int64_t d;

	for (i = 0; i < 5; i++) {
		n = strcspn(c, ".");
		if (n % 2 != 0 || n > 2 * 256 ||
		    strspn(c, "0123456789abcdef") < n)
			return false;
		out = arena_alloc(a, n / 2 + 1);
		for (k = 0; k < n / 2; k++) {
			unsigned v;

			if (sscanf(c + 2 * k, "%2x", &v) != 1 || v == 0)
				return false;
			out[k] = (char)v;
		}
		out[k] = '\0';
		key[i] = out;
		c += n;
		if (*c++ != '.')
			return false;
	}
	return strcmp(c, tag) == 0 && name_ok(key[0], 1) && account_ok(key[1]) &&
	    name_ok(key[2], 1) && date_ok(key[3], &d) &&
	    (*key[4] == '\0' || strlen(key[4]) == 3);
}

/* The statement's parameters for q over from..to; ERR_INPUT for a
 * cursor that is not one of ours. */
static enum err
params(struct arena *a, int64_t ws, const struct export_query *q,
    const char *from, const char *to, const char **p)
{
	const char *key[5] = { "", "", "", "0001-01-01", "" };

	if (q->cursor != NULL && !cursor_read(a, q->cursor, query_tag(a, q,
	    from, to), key))
		return ERR_INPUT;
	p[0] = db_int64(a, ws);
	p[1] = from;
	p[2] = to;
	p[3] = array(a, q->providers, q->nproviders);
	p[4] = array(a, q->accounts, q->naccounts);
	p[5] = array(a, q->metrics, q->nmetrics);
	memcpy(&p[6], key, sizeof(key));
	p[11] = group_names[q->group];
	p[12] = rule_names(a, METRIC_LAST, true);
	p[13] = rule_names(a, METRIC_TOTALS, true);
	p[14] = db_int64(a, (int64_t)q->limit);
	return ERR_OK;
}

/* The period, and whether its last day is over. */
static enum err
span(struct db *db, struct arena *a, int64_t ws, const struct export_query *q,
    const char **tz, const char **from, const char **to)
{
	const char *p[4];
	struct db_res *r;
	enum err rc;

	p[0] = db_int64(a, ws);
	p[1] = q->from;
	p[2] = q->to;
	p[3] = db_int64(a, q->days > 0 ? q->days : 28);
	if ((rc = db_exec(db, a, sql_span, 4, p, &r)) != ERR_OK)
		return rc;
	if (db_nrows(r) != 1)
		return ERR_NOTFOUND;
	*tz = db_get(r, 0, 0);
	*from = db_get(r, 0, 1);
	*to = db_get(r, 0, 2);
	return strcmp(db_get(r, 0, 3), "t") == 0 ? ERR_UNPROCESSABLE : ERR_OK;
}

/* The period of q and the statement's parameters for it. */
static enum err
prepare(struct db *db, struct arena *a, int64_t ws,
    const struct export_query *q, const char **tz, const char **from,
    const char **to, const char **p)
{
	enum err rc;

	if ((rc = span(db, a, ws, q, tz, from, to)) != ERR_OK)
		return rc;
	return params(a, ws, q, *from, *to, p);
}

/*
 * The catalogue's words for a row's metric; a provider's own total of a
 * period ("reach:28d") takes its metric's, "…, 28 days to this day", and
 * the aggregation "total".  *money: the row's currency is meant.
 */
static void
meta(struct arena *a, const char *provider, const char *metric,
    const char **label, const char **unit, const char **agg, bool *money)
{
	const struct metric_def *d = metric_find(provider, metric);
	const char *colon = strrchr(metric, ':');
	long days;
	char *end;

	if (d == NULL && colon != NULL && colon[1] >= '1' &&
	    colon[1] <= '9' && (days = strtol(colon + 1, &end, 10)) > 0 &&
	    strcmp(end, "d") == 0 && (d = metric_find(provider,
	    arena_strndup(a, metric, (size_t)(colon - metric)))) != NULL) {
		*label = arena_printf(a, "%s, %ld days to this day", d->label,
		    days);
		*unit = d->unit;
		*agg = "total";
		*money = false;
		return;
	}
	*label = d != NULL ? d->label : metric;
	*unit = d != NULL ? d->unit : "number";
	*agg = metric_agg_name(d != NULL ? d->agg : METRIC_SUM);
	/* Counts of a row in an ad account's currency are not money. */
	*money = d == NULL || strcmp(d->unit, "currency_micros") == 0;
}

enum err
export_json(struct db *db, struct arena *a, int64_t ws,
    const struct export_query *q, const char **out)
{
	const char *p[NPARAMS], *tz, *from, *to, *label, *unit, *agg, *v;
	struct db_res *r;
	struct buf *b;
	size_t i, n;
	bool money;
	enum err rc;

	if ((rc = prepare(db, a, ws, q, &tz, &from, &to, p)) != ERR_OK)
		return rc;
	if ((rc = db_exec(db, a, sql_page[q->group], NPARAMS, p, &r)) != ERR_OK)
		return rc;
	n = db_nrows(r);
	b = buf_new_arena(a, LIMIT_RESPONSE);
	buf_printf(b, "{\"from\":\"%s\",\"to\":\"%s\",\"group\":\"%s\","
	    "\"time_zone\":", from, to, group_names[q->group]);
	buf_put_json_string(b, tz, strlen(tz));
	buf_puts(b, ",\"rows\":[");
	for (i = 0; i < n; i++) {
		meta(a, db_get(r, i, 0), db_get(r, i, 2), &label, &unit, &agg,
		    &money);
		buf_puts(b, i > 0 ? ",{\"period\":\"" : "{\"period\":\"");
		buf_puts(b, db_get(r, i, 3));
		buf_puts(b, "\",\"provider\":");
		buf_put_json_string(b, db_get(r, i, 0), strlen(db_get(r, i,
		    0)));
		buf_puts(b, ",\"account_id\":");
		buf_put_json_string(b, db_get(r, i, 1), strlen(db_get(r, i,
		    1)));
		buf_puts(b, ",\"metric\":");
		buf_put_json_string(b, db_get(r, i, 2), strlen(db_get(r, i,
		    2)));
		buf_puts(b, ",\"label\":");
		buf_put_json_string(b, label, strlen(label));
		buf_printf(b, ",\"unit\":\"%s\",\"aggregation\":\"%s\","
		    "\"currency\":", unit, agg);
		if (money && *db_get(r, i, 4) != '\0')
			buf_printf(b, "\"%s\"", db_get(r, i, 4));
		else
			buf_puts(b, "null");
		v = db_get(r, i, 5);
		buf_printf(b, ",\"value\":%s,\"days\":%s", v != NULL ? v :
		    "null", db_get(r, i, 6));
		if (db_get(r, i, 7) != NULL)
			buf_printf(b, ",\"dims\":%s", db_get(r, i, 7));
		if (v == NULL)
			buf_puts(b, ",\"note\":\"a count of unique people: "
			    "days cannot be added, and the provider gives "
			    "no total for this period\"");
		buf_putc(b, '}');
	}
	buf_puts(b, "],\"next_cursor\":");
	if (n == q->limit && n > 0)
		buf_printf(b, "\"%s\"}", cursor_make(a, r, n - 1,
		    query_tag(a, q, from, to)));
	else
		buf_puts(b, "null}");
	if (b->len >= LIMIT_RESPONSE - 1)
		return ERR_TOOBIG;
	*out = buf_cstr(b);
	return ERR_OK;
}

/* Appends s as one CSV field (RFC 4180). */
static void
field(struct buf *b, const char *s, bool first)
{
	if (!first)
		buf_putc(b, ',');
	if (s == NULL)
		return;
	if (strpbrk(s, ",\"\r\n") == NULL) {
		buf_puts(b, s);
		return;
	}
	buf_putc(b, '"');
	for (; *s != '\0'; s++) {
		if (*s == '"')
			buf_putc(b, '"');
		buf_putc(b, *s);
	}
	buf_putc(b, '"');
}

#define CSV_PIECE	(64 * 1024)

/* Writes the rows of r as CSV lines to b, handing it to emit whenever
 * it holds CSV_PIECE bytes. */
static enum err
csv_rows(struct arena *a, struct buf *b, struct db_res *r,
    enum err (*emit)(void *, const char *, size_t), void *arg)
{
	const char *label, *unit, *agg;
	size_t i, n = db_nrows(r);
	bool money;
	enum err rc = ERR_OK;

	for (i = 0; i < n && rc == ERR_OK; i++) {
		meta(a, db_get(r, i, 0), db_get(r, i, 2), &label, &unit, &agg,
		    &money);
		field(b, db_get(r, i, 3), true);
		field(b, db_get(r, i, 0), false);
		field(b, db_get(r, i, 1), false);
		field(b, db_get(r, i, 2), false);
		field(b, label, false);
		field(b, unit, false);
		field(b, agg, false);
		field(b, money ? db_get(r, i, 4) : "", false);
		field(b, db_get(r, i, 5), false);
		field(b, db_get(r, i, 6), false);
		field(b, db_get(r, i, 7), false);
		buf_puts(b, "\r\n");
		if (b->len >= CSV_PIECE) {
			rc = emit(arg, b->data, b->len);
			buf_reset(b);
		}
	}
	return rc;
}

enum err
export_csv(struct db *db, struct arena *a, int64_t ws,
    const struct export_query *q,
    enum err (*begin)(void *, const char *, const char *),
    enum err (*emit)(void *, const char *, size_t), void *arg)
{
	const char *p[NPARAMS], *tz, *from, *to, *lp[7];
	struct arena chunk;
	struct db_res *r;
	struct buf *b;
	size_t n;
	enum err rc;

	if ((rc = prepare(db, a, ws, q, &tz, &from, &to, p)) != ERR_OK)
		return rc;
	/* The cursor takes all rows: no page. */
	if ((rc = db_exec(db, a, sql_declare[q->group], NPARAMS - 1, p,
	    NULL)) != ERR_OK)
		return rc;
	if ((rc = begin(arg, from, to)) != ERR_OK)
		return rc;
	b = buf_new_arena(a, CSV_PIECE + 16 * 1024);
	buf_puts(b, "period,provider,account_id,metric,label,unit,"
	    "aggregation,currency,value,days,dims\r\n");
	arena_init(&chunk);
	do {
		arena_reset(&chunk);
		if ((rc = db_exec(db, &chunk, sql_fetch, 0, NULL, &r)) !=
		    ERR_OK)
			break;
		n = db_nrows(r);
		rc = csv_rows(&chunk, b, r, emit, arg);
	} while (rc == ERR_OK && n > 0);
	/* The dashboard's dated running totals, after the days' rows: a
	 * few rows, one per account and metric. */
	if (rc == ERR_OK && q->latest && q->group == EXPORT_DAY) {
		arena_reset(&chunk);
		lp[0] = p[0];
		lp[1] = from;
		lp[2] = to;
		lp[3] = rule_names(&chunk, METRIC_LAST, false);
		lp[4] = p[3];
		lp[5] = p[4];
		lp[6] = p[5];
		if ((rc = db_exec(db, &chunk, sql_latest, 7, lp, &r)) ==
		    ERR_OK)
			rc = csv_rows(&chunk, b, r, emit, arg);
	}
	arena_free(&chunk);
	if (rc == ERR_OK && b->len > 0)
		rc = emit(arg, b->data, b->len);
	if (rc == ERR_OK)
		rc = db_exec(db, a, sql_close, 0, NULL, NULL);
	return rc;
}

enum err
export_sources(struct db *db, struct arena *a, int64_t ws,
    const struct export_query *q, const char **why)
{
	const struct provider *const *all;
	const char *unknown[EXPORT_MAX_NAMES], *p[3], *name;
	struct db_res *r;
	struct buf *b;
	size_t i, k, n, nu = 0;
	enum err rc;

	*why = NULL;
	for (i = 0; i < q->nproviders; i++)
		if (provider_get(q->providers[i]) == NULL)
			unknown[nu++] = q->providers[i];
	if (nu == 0)
		return ERR_OK;
	p[0] = db_int64(a, ws);
	p[1] = array(a, unknown, nu);
	if ((rc = db_value(db, a, sql_unknown, 2, p, &name)) != ERR_OK)
		return rc;
	if (name == NULL)	/* each an ingested source of ours */
		return ERR_OK;
	/* Neither a provider nor a source with rows here: what exists. */
	all = provider_all(&n);
	b = buf_new_arena(a, 1024);
	buf_putc(b, '{');
	for (i = 0; i < n; i++)
		buf_printf(b, "%s%s", i > 0 ? "," : "", all[i]->slug);
	buf_putc(b, '}');
	p[1] = buf_cstr(b);
	p[2] = db_int64(a, LIMIT_SOURCES_NAMED);
	if ((rc = db_exec(db, a, sql_ingested, 3, p, &r)) != ERR_OK)
		return rc;
	b = buf_new_arena(a, 1024);
	for (k = 0; k < db_nrows(r) && k < LIMIT_SOURCES_NAMED; k++)
		buf_printf(b, "%s%s", k > 0 ? ", " : "", db_get(r, k, 0));
	if (db_nrows(r) > LIMIT_SOURCES_NAMED)
		buf_puts(b, " and more");
	*why = arena_printf(a, "%s names no source of this workspace: no "
	    "provider is called so and no row was ingested under it. The "
	    "providers: %s; sources ingested here (POST /v1/metrics/ingest): "
	    "%s", name, provider_slugs(a, ", "), k > 0 ? buf_cstr(b) :
	    "none");
	return ERR_NOTFOUND;
}

/* True when a catalogue has metric m: one of q's sources' (every
 * provider's when q names none), or a provider's total of it ("m:28d"). */
static bool
catalogued(const struct export_query *q, const char *m, struct arena *a)
{
	const struct provider *const *all;
	const char *base = m, *slug;
	size_t i, n, len;
	int days;

	if (metric_totals_split(m, &len, &days))
		base = arena_strndup(a, m, len);
	all = provider_all(&n);
	if (q->nproviders > 0)
		n = q->nproviders;
	for (i = 0; i < n; i++) {
		slug = q->nproviders > 0 ? q->providers[i] : all[i]->slug;
		if (metric_find(slug, m) != NULL ||
		    (base != m && metric_find(slug, base) != NULL))
			return true;
	}
	return false;
}

enum err
export_metrics_known(struct db *db, struct arena *a, int64_t ws,
    const struct export_query *q, const char **why)
{
	const char *unknown[EXPORT_MAX_NAMES], *p[3], *name;
	struct buf *b;
	size_t i, nu = 0;
	enum err rc;

	*why = NULL;
	for (i = 0; i < q->nmetrics; i++)
		if (!catalogued(q, q->metrics[i], a))
			unknown[nu++] = q->metrics[i];
	if (nu == 0)
		return ERR_OK;
	p[0] = db_int64(a, ws);
	p[1] = array(a, unknown, nu);
	p[2] = q->nproviders > 0 ? array(a, q->providers, q->nproviders) :
	    NULL;
	if ((rc = db_value(db, a, sql_unstored, 3, p, &name)) != ERR_OK)
		return rc;
	if (name == NULL)	/* each stored here: an ingested metric */
		return ERR_OK;
	b = buf_new_arena(a, 256);
	for (i = 0; i < q->nproviders; i++)
		buf_printf(b, "%s%s", i > 0 ? ", " : "", q->providers[i]);
	*why = arena_printf(a, "%s names no metric of %s: no catalogue has "
	    "it and no row was stored under it here. GET /v1/providers "
	    "lists each provider's metrics", name, q->nproviders > 0 ?
	    buf_cstr(b) : "this workspace");
	return ERR_NOTFOUND;
}

void
export_query_days(struct export_query *q, int days, const char *from,
    const char *to, const char *provider)
{
	memset(q, 0, sizeof(*q));
	q->days = days;
	q->from = from;
	q->to = to;
	q->csv = true;
	q->limit = EXPORT_PAGE_DEFAULT;
	if (provider != NULL) {
		q->providers[0] = provider;
		q->nproviders = 1;
	}
}

const char *
export_filename(struct arena *a, const char *from, const char *to,
    const struct export_query *q)
{
	static const char *const kind[] = {
		[EXPORT_DAY] = "daily",
		[EXPORT_WEEK] = "weekly",
		[EXPORT_MONTH] = "monthly",
	};

	/* One source's download names it: "sluice-meta_ads-daily-…". */
	return arena_printf(a, "sluice-%s-%s-%s-to-%s.csv", q->nproviders == 1 ?
	    q->providers[0] : "metrics", kind[q->group], from, to);
}
