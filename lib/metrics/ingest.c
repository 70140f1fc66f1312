/* ingest.c — validating and upserting batches of daily metric rows. */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/day.h"
#include "base/jsonx.h"
#include "base/limit.h"
#include "base/mem.h"
#include "base/numfmt.h"
#include "metrics/ingest.h"
#include "metrics/metric.h"
#include "store/db.h"

/* Exponents beyond this are as good as infinite (no overflow below it). */
#define EXP_SATURATE	1000000000000LL

/*
 * A batch goes in one of three ways, each in one transaction (see
 * ingest_commit()): the upsert, one statement whose rows travel as seven
 * array parameters turned back into rows by unnest(), changing a row only
 * when its value or dims differ (an inserted row's updated_at is the
 * transaction's start, now(); an updated one's the clock's, later: a
 * partitioned table (sql/290) cannot return xmax, which told them apart);
 * the same rows by plain INSERT when they look new; or COPY for a first
 * sync.  Each locks the workspace row once (FOR KEY SHARE) instead of a
 * foreign key's check per row (sql/060): when it is gone, nothing is
 * written (the statements' third column is 0).  The INSERT and COPY fail
 * on a row that exists (23505), and the batch is upserted instead.
 */
#define WS_LOCK \
	"SELECT id FROM workspaces WHERE id = $1::bigint FOR KEY SHARE"
#define WS_ROWS \
	"WITH ws AS MATERIALIZED (" WS_LOCK "), " \
	"ins AS (INSERT INTO metric_daily AS m (workspace_id, provider, " \
	"account_id, metric, day, value, dims) " \
	"SELECT ws.id, s.p, s.a, s.m, s.d, s.v, coalesce(s.j, '{}') " \
	"FROM ws, unnest($2::text[], $3::text[], $4::text[], $5::date[], " \
	"$6::numeric[], $7::jsonb[]) AS s(p, a, m, d, v, j) "
static const char sql_insert[] =
	WS_ROWS "RETURNING 1) "
	"SELECT count(*), 0, (SELECT count(*) FROM ws) FROM ins";
static const char sql_probe[] =
	"SELECT EXISTS (SELECT 1 FROM metric_daily WHERE workspace_id = "
	"$1::bigint AND provider = $2 AND account_id = $3 AND metric = $4 AND "
	"day = $5::date) OR EXISTS (SELECT 1 FROM metric_daily WHERE "
	"workspace_id = $1::bigint AND provider = $6 AND account_id = $7 AND "
	"metric = $8 AND day = $9::date)";
/* COPY only for the worker: PostgreSQL refuses COPY FROM in a session
 * under row-level security. */
static const char sql_ws_lock[] = WS_LOCK;
static const char sql_copy[] =
	"COPY metric_daily (workspace_id, provider, account_id, metric, day, "
	"value, dims) FROM STDIN";
/* Without dims, when no row has any: the column's default, not a parse. */
static const char sql_copy_nodims[] =
	"COPY metric_daily (workspace_id, provider, account_id, metric, day, "
	"value) FROM STDIN";
static const char sql_upsert[] =
	WS_ROWS
	"ON CONFLICT (workspace_id, provider, account_id, metric, day) "
	"DO UPDATE SET value = EXCLUDED.value, dims = EXCLUDED.dims, "
	"updated_at = clock_timestamp() "
	"WHERE m.value IS DISTINCT FROM EXCLUDED.value "
	"OR m.dims IS DISTINCT FROM EXCLUDED.dims "
	"RETURNING (m.updated_at = now()) AS fresh) "
	"SELECT count(*) FILTER (WHERE fresh), count(*) FILTER (WHERE NOT "
	"fresh), (SELECT count(*) FROM ws) FROM ins";

/* A concurrent request with the same key waits here for the first. */
static const char sql_claim[] =
	"INSERT INTO ingest_requests (workspace_id, idempotency_key, status, "
	"response, request_hash) VALUES ($1, $2, 0, '', $3) "
	"ON CONFLICT DO NOTHING RETURNING 1";
static const char sql_claimed[] =
	"SELECT status, response, request_hash FROM ingest_requests "
	"WHERE workspace_id = $1 AND idempotency_key = $2";
static const char sql_record[] =
	"UPDATE ingest_requests SET status = $3, response = $4 "
	"WHERE workspace_id = $1 AND idempotency_key = $2";

static const char *const fields[] = {
	"source", "account_id", "metric", "date", "value", "dims",
};

static void
problem(struct ingest_batch *b, size_t index, const char *field,
    const char *reason)
{
	struct ingest_problem *p;

	b->nproblems_all++;
	if (b->nproblems >= LIMIT_INGEST_PROBLEMS)
		return;
	p = &b->problems[b->nproblems++];
	p->index = index;
	p->field = field;
	p->reason = reason;
}

/* Checks a name against [a-z0-9_.:-]{min,LIMIT_METRIC_NAME}, starting
 * with a letter or digit: a spreadsheet opening an export reads a cell
 * that starts with "-" as a formula ("-a1:a9"). */
static const char *
check_name(struct json_object *v, size_t min)
{
	const char *s;
	size_t i, len;

	if (!json_object_is_type(v, json_type_string))
		return "must be a string";
	s = json_object_get_string(v);
	len = (size_t)json_object_get_string_len(v);
	if (len < min)
		return "must not be empty";
	if (len > LIMIT_METRIC_NAME)
		return "must be at most 64 characters";
	for (i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
		    s[i] == '.' || s[i] == ':' || s[i] == '-'))
			return "may hold only a-z, 0-9 and _ . : -";
	if (len > 0 && !((s[0] >= 'a' && s[0] <= 'z') ||
	    (s[0] >= '0' && s[0] <= '9')))
		return "must start with a-z or 0-9";
	return NULL;
}

static const char *
check_date(struct json_object *v, int64_t maxday)
{
	const char *s;
	int y, m, d, i;

	if (!json_object_is_type(v, json_type_string))
		return "must be a string YYYY-MM-DD";
	s = json_object_get_string(v);
	if (json_object_get_string_len(v) != 10 || s[4] != '-' || s[7] != '-')
		return "must be a date YYYY-MM-DD";
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return "must be a date YYYY-MM-DD";
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
	    (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (m < 1 || m > 12)
		return "is not a real date (month)";
	if (d < 1 || d > day_month_length(y, m))
		return "is not a real date (day of month)";
	if (y < 1970)
		return "is before 1970";
	if (day_from_civil(y, m, d) > maxday)
		return "is more than one day in the future";
	return NULL;
}

/* Reads [0-9]+ at *p (before end); false when there is no digit. */
static bool
digits(const char **p, const char *end)
{
	const char *q = *p;

	while (*p < end && **p >= '0' && **p <= '9')
		(*p)++;
	return *p > q;
}

const char *
ingest_value(const char *s, size_t len, char out[INGEST_VALUE_SIZE])
{
	/* d[i] is the digit of 10^(INT - 1 - i); d[INT + DEC] rounds. */
	enum { INT = LIMIT_VALUE_DIGITS, DEC = LIMIT_VALUE_DECIMALS };
	static const char *const range = "is out of range: values must be "
	    "below 1e18 in magnitude";
	const char *p = s, *end = s + len, *ip, *fp = "";
	char d[INT + DEC + 1], *o = out;
	long long e = 0, idx, j, ilen, flen = 0;
	bool neg, esign = false, nonzero = false;
	int i, last;

	neg = p < end && *p == '-';
	p += neg;
	ip = p;
	if (!digits(&p, end))
		return "must be a JSON number";
	ilen = p - ip;
	if (p < end && *p == '.') {
		fp = ++p;
		if (!digits(&p, end))
			return "must be a JSON number";
		flen = p - fp;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			esign = *p++ == '-';
		if (p >= end || *p < '0' || *p > '9')
			return "must be a JSON number";
		for (; p < end && *p >= '0' && *p <= '9'; p++)
			if (e < EXP_SATURATE)
				e = e * 10 + (*p - '0');
		if (esign)
			e = -e;
	}
	if (p != end)
		return "must be a JSON number";
	/* Digit j of int||frac is 10^(ilen - 1 - j + e): d[INT - ilen + j
	 * - e].  Digits past the rounding digit do not matter. */
	memset(d, '0', sizeof(d));
	for (j = 0; j < ilen + flen; j++) {
		if ((j < ilen ? ip[j] : fp[j - ilen]) == '0')
			continue;
		idx = INT - ilen + j - e;
		if (idx < 0)
			return range;
		if (idx > INT + DEC)
			break;
		d[idx] = j < ilen ? ip[j] : fp[j - ilen];
	}
	if (d[INT + DEC] >= '5') {
		for (i = INT + DEC - 1; i >= 0 && d[i] == '9'; i--)
			d[i] = '0';
		if (i < 0)
			return range;
		d[i]++;
	}
	for (i = 0; i < INT + DEC; i++)
		nonzero = nonzero || d[i] != '0';
	if (neg && nonzero)
		*o++ = '-';
	for (i = 0; i < INT - 1 && d[i] == '0'; i++)
		;
	for (; i < INT; i++)
		*o++ = d[i];
	for (last = INT + DEC - 1; last >= INT && d[last] == '0'; last--)
		;
	if (last >= INT)
		*o++ = '.';
	for (i = INT; i <= last; i++)
		*o++ = d[i];
	*o = '\0';
	return NULL;
}

/* A JSON number within range, as ingest_value()'s text in *out. */
static const char *
check_value(struct arena *a, struct json_object *v, const char **out)
{
	char text[INGEST_VALUE_SIZE];
	const char *s, *why;

	if (json_object_is_type(v, json_type_string))
		return "must be a JSON number, not a string";
	if (!json_object_is_type(v, json_type_int) &&
	    !json_object_is_type(v, json_type_double))
		return "must be a JSON number";
	/* A double's text is the one sent; an integer json-c clamped to
	 * 64 bits reads as a clamped one, out of range either way. */
	s = json_object_get_string(v);
	if ((why = ingest_value(s, strlen(s), text)) != NULL)
		return why;
	*out = arena_strdup(a, text);
	return NULL;
}

/* Whether a string anywhere in v holds a NUL (keys: see nul_keys()). */
static bool
has_nul(struct json_object *v)
{
	size_t i, n;

	switch (json_object_get_type(v)) {
	case json_type_string:
		return memchr(json_object_get_string(v), '\0',
		    (size_t)json_object_get_string_len(v)) != NULL;
	case json_type_array:
		n = json_object_array_length(v);
		for (i = 0; i < n; i++)
			if (has_nul(json_object_array_get_idx(v, i)))
				return true;
		return false;
	case json_type_object: {
		json_object_object_foreach(v, key, val) {
			(void)key;
			if (has_nul(val))
				return true;
		}
		return false;
	}
	default:
		return false;
	}
}

static const char *
check_dims(struct arena *a, struct json_object *v, const char **out)
{
	struct json_object *c;
	const char *s;

	if (!json_object_is_type(v, json_type_object))
		return "must be an object";
	if (json_object_object_get_ex(v, "currency", &c) &&
	    (!json_object_is_type(c, json_type_string) ||
	    !numfmt_currency_known(json_object_get_string(c))))
		return "currency must be an ISO 4217 code such as \"EUR\" "
		    "(three capital letters)";
	s = jsonx_string(a, v);
	if (strlen(s) > LIMIT_INGEST_DIMS)
		return "must be at most 2048 bytes of JSON";
	if (has_nul(v))
		return "must not contain NUL characters";
	*out = json_object_object_length(v) > 0 ? s : NULL;
	return NULL;
}

static bool
known_field(const char *key)
{
	size_t i;

	for (i = 0; i < nitems(fields); i++)
		if (strcmp(fields[i], key) == 0)
			return true;
	return false;
}

/* Validates one row; true when it is good and *r is filled. */
static bool
parse_row(struct arena *a, struct ingest_batch *b, size_t i,
    struct json_object *o, int64_t maxday, struct metric_row *r)
{
	struct json_object *v;
	const struct metric_def *def;
	const char *why;
	size_t before = b->nproblems_all;

	memset(r, 0, sizeof(*r));
	if (!json_object_is_type(o, json_type_object)) {
		problem(b, i, "row", "must be an object");
		return false;
	}
	json_object_object_foreach(o, key, val) {
		(void)val;
		if (!known_field(key))
			problem(b, i, "row", arena_printf(a, "has an "
			    "unknown field \"%.64s\"", key));
	}
	if (!json_object_object_get_ex(o, "source", &v) || v == NULL)
		problem(b, i, "source", "is required");
	else if ((why = check_name(v, 1)) != NULL)
		problem(b, i, "source", why);
	else
		r->source = json_object_get_string(v);
	r->account_id = "";
	if (json_object_object_get_ex(o, "account_id", &v) && v != NULL) {
		if ((why = check_name(v, 0)) != NULL)
			problem(b, i, "account_id", why);
		else
			r->account_id = json_object_get_string(v);
	}
	if (!json_object_object_get_ex(o, "metric", &v) || v == NULL)
		problem(b, i, "metric", "is required");
	else if ((why = check_name(v, 1)) != NULL)
		problem(b, i, "metric", why);
	else
		r->metric = json_object_get_string(v);
	if (r->source != NULL && r->metric != NULL &&
	    (def = metric_find(r->source, r->metric)) != NULL &&
	    def->agg == METRIC_RATIO)
		problem(b, i, "metric", arena_printf(a, "is computed from "
		    "%s and %s; send those instead", def->num, def->den));
	if (!json_object_object_get_ex(o, "date", &v) || v == NULL)
		problem(b, i, "date", "is required");
	else if ((why = check_date(v, maxday)) != NULL)
		problem(b, i, "date", why);
	else
		r->date = json_object_get_string(v);
	if (!json_object_object_get_ex(o, "value", &v) || v == NULL)
		problem(b, i, "value", "is required");
	else if ((why = check_value(a, v, &r->value)) != NULL)
		problem(b, i, "value", why);
	if (json_object_object_get_ex(o, "dims", &v) && v != NULL &&
	    (why = check_dims(a, v, &r->dims)) != NULL)
		problem(b, i, "dims", why);
	return b->nproblems_all == before;
}

static uint64_t
row_hash(const struct metric_row *r)
{
	const char *parts[4] = { r->source, r->account_id, r->metric,
	    r->date };
	uint64_t h = 14695981039346656037ULL;
	const char *p;
	int i;

	for (i = 0; i < 4; i++) {
		for (p = parts[i]; *p != '\0'; p++)
			h = (h ^ (unsigned char)*p) * 1099511628211ULL;
		h = (h ^ 0xff) * 1099511628211ULL;
	}
	return h;
}

static bool
same_key(const struct metric_row *x, const struct metric_row *y)
{
	return strcmp(x->date, y->date) == 0 &&
	    strcmp(x->metric, y->metric) == 0 &&
	    strcmp(x->source, y->source) == 0 &&
	    strcmp(x->account_id, y->account_id) == 0;
}

/* Refuses a second row for the same (source, account, metric, date). */
static void
find_duplicates(struct arena *a, struct ingest_batch *b,
    const bool *good)
{
	size_t size = 16, mask, i, j, *slot;
	const size_t empty = (size_t)-1;

	while (size < b->nrows * 2)
		size *= 2;
	mask = size - 1;
	slot = arena_alloc(a, size * sizeof(*slot));
	memset(slot, 0xff, size * sizeof(*slot));
	for (i = 0; i < b->nrows; i++) {
		if (!good[i])
			continue;
		for (j = row_hash(&b->rows[i]) & mask; slot[j] != empty;
		    j = (j + 1) & mask)
			if (same_key(&b->rows[slot[j]], &b->rows[i]))
				break;
		if (slot[j] == empty)
			slot[j] = i;
		else
			problem(b, i, "row", arena_printf(a, "repeats row "
			    "%zu (same source, account_id, metric and date)",
			    slot[j]));
	}
}

/*
 * json-c keeps an object's keys as C strings, so a key "a\u0000b" would
 * arrive as "a" and two keys could become one.  Keys are therefore
 * checked on the text, which jsonx_parse() has accepted as JSON: for
 * each row of the root array (n of them), (*out)[i] is NULL, or the
 * field of the row whose value holds a key with an escaped NUL ("dims"),
 * or "" when a key of the row itself has one.
 */
static void
nul_keys(struct arena *a, const char *s, size_t len, size_t n,
    const char ***out)
{
	char open[LIMIT_JSON_DEPTH + 2] = { 0 };
	const char *field = NULL, *k, *t, *e = s + len;
	bool key[LIMIT_JSON_DEPTH + 2] = { false }, nul;
	size_t row = 0;
	int depth = 0;

	*out = arena_calloc(a, n + 1, sizeof(**out));
	for (t = s; t < e; t++) {
		switch (*t) {
		case '[':
		case '{':
			if (depth > LIMIT_JSON_DEPTH)
				return;
			depth++;
			open[depth] = *t;
			key[depth] = *t == '{';
			break;
		case ']':
		case '}':
			if (depth > 0)
				depth--;
			break;
		case ',':
			if (depth == 1)
				row++;
			if (depth >= 1 && open[depth] == '{')
				key[depth] = true;
			break;
		case ':':
			key[depth] = false;
			break;
		case '"':
			for (nul = false, k = ++t; t < e && *t != '"'; t++)
				if (*t == '\\' && t + 1 < e) {
					nul = nul || (t + 5 < e &&
					    strncmp(t + 1, "u0000", 5) == 0);
					t++;
				}
			if (depth < 2 || open[depth] != '{' || !key[depth] ||
			    row >= n)
				break;
			if (depth == 2)
				field = arena_strndup(a, k, (size_t)(t - k) >
				    LIMIT_METRIC_NAME ? LIMIT_METRIC_NAME :
				    (size_t)(t - k));
			if (nul && (*out)[row] == NULL)
				(*out)[row] = depth == 2 || field == NULL ? "" :
				    field;
			break;
		default:
			break;
		}
	}
}

enum err
ingest_parse(struct arena *a, const char *body, size_t len, time_t now,
    struct ingest_batch *out, const char **why)
{
	struct json_object *root;
	const char **nul;
	bool *good;
	size_t i, n;
	int64_t maxday;
	enum err rc;

	memset(out, 0, sizeof(*out));
	*why = NULL;
	if ((rc = jsonx_parse(a, body, len, &root, why)) != ERR_OK)
		return rc;
	if (!json_object_is_type(root, json_type_array)) {
		*why = "the body must be a JSON array of rows";
		return ERR_INPUT;
	}
	n = json_object_array_length(root);
	if (n == 0) {
		*why = "the array is empty: send at least one row";
		return ERR_UNPROCESSABLE;
	}
	if (n > LIMIT_INGEST_ROWS) {
		*why = arena_printf(a, "%zu rows: at most %d fit in one "
		    "request", n, LIMIT_INGEST_ROWS);
		return ERR_TOOBIG;
	}
	maxday = day_of_epoch(now) + 1;
	out->rows = arena_calloc(a, n, sizeof(*out->rows));
	out->problems = arena_calloc(a, LIMIT_INGEST_PROBLEMS,
	    sizeof(*out->problems));
	out->nrows = n;
	good = arena_calloc(a, n, sizeof(*good));
	nul_keys(a, body, len, n, &nul);
	for (i = 0; i < n; i++) {
		good[i] = parse_row(a, out, i,
		    json_object_array_get_idx(root, i), maxday, &out->rows[i]);
		if (nul[i] != NULL) {
			problem(out, i, *nul[i] != '\0' ? nul[i] : "row",
			    *nul[i] != '\0' ? "must not contain NUL "
			    "characters in its keys" : "has a field name with "
			    "a NUL character");
			good[i] = false;
		}
		if (out->rows[i].dims != NULL)
			out->has_dims = true;
	}
	find_duplicates(a, out, good);
	if (out->nproblems_all > 0) {
		*why = arena_printf(a, "%zu problem%s in the rows; nothing "
		    "was written", out->nproblems_all,
		    out->nproblems_all == 1 ? "" : "s");
		return ERR_UNPROCESSABLE;
	}
	return ERR_OK;
}

const char *
ingest_problems_json(struct arena *a, const struct ingest_batch *b)
{
	struct buf *o;
	size_t i;

	o = buf_new_arena(a, LIMIT_INGEST_PROBLEMS_JSON);
	buf_printf(o, "{\"error\":{\"code\":\"unprocessable\",\"message\":"
	    "\"%zu problem%s in the rows; nothing was written\",\"problems\":[",
	    b->nproblems_all, b->nproblems_all == 1 ? "" : "s");
	for (i = 0; i < b->nproblems; i++) {
		buf_printf(o, "%s{\"index\":%zu,\"field\":", i ? "," : "",
		    b->problems[i].index);
		buf_put_json_string(o, b->problems[i].field,
		    strlen(b->problems[i].field));
		buf_puts(o, ",\"reason\":");
		buf_put_json_string(o, b->problems[i].reason,
		    strlen(b->problems[i].reason));
		buf_putc(o, '}');
	}
	buf_printf(o, "],\"more_problems\":%zu}}",
	    b->nproblems_all - b->nproblems);
	return arena_strdup(a, buf_cstr(o));
}

bool
ingest_key_ok(const char *key)
{
	size_t i, len = strlen(key);

	if (len < 1 || len > LIMIT_IDEMPOTENCY_KEY)
		return false;
	for (i = 0; i < len; i++)
		if (!((key[i] >= 'a' && key[i] <= 'z') ||
		    (key[i] >= 'A' && key[i] <= 'Z') ||
		    (key[i] >= '0' && key[i] <= '9') || key[i] == '_' ||
		    key[i] == '.' || key[i] == ':' || key[i] == '-'))
			return false;
	return true;
}

/* Appends s as a quoted element of a PostgreSQL array literal. */
static enum err
put_elem(struct buf *b, const char *s, bool first)
{
	const char *p;

	if (!first && buf_putc(b, ',') != ERR_OK)
		return ERR_TOOBIG;
	if (buf_putc(b, '"') != ERR_OK)
		return ERR_TOOBIG;
	for (p = s; *p != '\0'; p++) {
		if ((*p == '"' || *p == '\\') && buf_putc(b, '\\') != ERR_OK)
			return ERR_TOOBIG;
		if (buf_putc(b, *p) != ERR_OK)
			return ERR_TOOBIG;
	}
	return buf_putc(b, '"');
}

/* The rows as seven array literals (p[1..6]); p[0] is set by the caller. */
static enum err
arrays(struct arena *a, const struct ingest_batch *b, const char **p)
{
	struct buf *col[6];
	const struct metric_row *r;
	enum err rc = ERR_OK;
	size_t i;
	int c;

	for (c = 0; c < 6; c++) {
		col[c] = buf_new_arena(a, 4 * (size_t)LIMIT_BODY_INGEST);
		rc |= buf_putc(col[c], '{');
	}
	for (i = 0; i < b->nrows; i++) {
		r = &b->rows[i];
		rc |= put_elem(col[0], r->source, i == 0);
		rc |= put_elem(col[1], r->account_id, i == 0);
		rc |= put_elem(col[2], r->metric, i == 0);
		rc |= buf_printf(col[3], i ? ",%s" : "%s", r->date);
		rc |= buf_printf(col[4], i ? ",%s" : "%s", r->value);
		if (b->has_dims)
			rc |= r->dims != NULL ? put_elem(col[5], r->dims,
			    i == 0) : buf_puts(col[5], i ? ",NULL" : "NULL");
	}
	for (c = 0; c < 6; c++) {
		rc |= buf_putc(col[c], '}');
		p[c + 1] = buf_cstr(col[c]);
	}
	return rc == ERR_OK ? ERR_OK : ERR_TOOBIG;
}

/* Appends s as a field of COPY's text format, then end. */
static enum err
put_field(struct buf *b, const char *s, char end)
{
	enum err rc = ERR_OK;

	for (; *s != '\0'; s++) {
		switch (*s) {
		case '\\':
			rc |= buf_puts(b, "\\\\");
			break;
		case '\t':
			rc |= buf_puts(b, "\\t");
			break;
		case '\n':
			rc |= buf_puts(b, "\\n");
			break;
		case '\r':
			rc |= buf_puts(b, "\\r");
			break;
		default:
			rc |= buf_putc(b, *s);
		}
	}
	rc |= buf_putc(b, end);
	return rc == ERR_OK ? ERR_OK : ERR_TOOBIG;
}

enum err
ingest_copy_text(struct arena *a, const char *ws,
    const struct ingest_batch *b, struct buf **out)
{
	const struct metric_row *r;
	enum err rc = ERR_OK;
	size_t i;

	*out = buf_new_arena(a, 8 * (size_t)LIMIT_BODY_INGEST);
	for (i = 0; i < b->nrows && rc == ERR_OK; i++) {
		r = &b->rows[i];
		rc |= put_field(*out, ws, '\t');
		rc |= put_field(*out, r->source, '\t');
		rc |= put_field(*out, r->account_id, '\t');
		rc |= put_field(*out, r->metric, '\t');
		rc |= put_field(*out, r->date, '\t');
		if (!b->has_dims) {
			rc |= put_field(*out, r->value, '\n');
			continue;
		}
		rc |= put_field(*out, r->value, '\t');
		rc |= put_field(*out, r->dims != NULL ? r->dims : "{}", '\n');
	}
	return rc == ERR_OK ? ERR_OK : ERR_TOOBIG;
}

/*
 * A fresh batch in the open transaction: the workspace row locked, the
 * rows copied.  ERR_NOTFOUND when the workspace is gone, ERR_CONFLICT
 * when a row exists.
 */
static enum err
copy_fresh(struct db *db, struct arena *a, const char *ws,
    const struct ingest_batch *b, long *inserted)
{
	struct db_res *res;
	struct buf *data;
	enum err rc;
	int64_t n;

	if ((rc = db_exec_static(db, a, sql_ws_lock, 1, &ws, &res)) != ERR_OK)
		return rc;
	if (db_nrows(res) == 0)
		return ERR_NOTFOUND;
	if ((rc = ingest_copy_text(a, ws, b, &data)) != ERR_OK)
		return rc;
	if ((rc = db_copy_in(db, b->has_dims ? sql_copy : sql_copy_nodims,
	    buf_cstr(data), data->len, &n)) != ERR_OK)
		return rc;
	*inserted = (long)n;
	return ERR_OK;
}

/* Claims the key: ERR_OK with *status 0 (go on) or the first answer. */
static enum err
claim(struct db *db, struct arena *a, const char *const *p,
    const char *hash, int *status, const char **json)
{
	struct db_res *res;
	const char *h;
	enum err rc;

	*status = 0;
	if ((rc = db_exec(db, a, sql_claim, 3, p, &res)) != ERR_OK)
		return rc;
	if (db_nrows(res) == 1)
		return ERR_OK;
	if ((rc = db_exec(db, a, sql_claimed, 2, p, &res)) != ERR_OK)
		return rc;
	if (db_nrows(res) != 1)
		return ERR_DB;
	h = db_get(res, 0, 2);
	if (h == NULL || strcmp(h, hash) != 0)
		return ERR_CONFLICT;
	*status = (int)db_get_int64(res, 0, 0, 200);
	*json = db_get(res, 0, 1);
	return ERR_OK;
}

/* How a batch's rows go in: see the statements at the top. */
enum way { WAY_UPSERT, WAY_INSERT, WAY_COPY };

/*
 * Whether the batch's first and last rows are both absent: then it is
 * most likely new data (a day not sent before) and goes in without the
 * upsert's conflict check.
 */
static enum way
guess(struct db *db, struct arena *a, const char *ws,
    const struct ingest_batch *b)
{
	const struct metric_row *f = &b->rows[0], *l = &b->rows[b->nrows - 1];
	const char *p[9];
	struct db_res *res;

	p[0] = ws;
	p[1] = f->source;
	p[2] = f->account_id;
	p[3] = f->metric;
	p[4] = f->date;
	p[5] = l->source;
	p[6] = l->account_id;
	p[7] = l->metric;
	p[8] = l->date;
	if (db_exec_static(db, a, sql_probe, 9, p, &res) != ERR_OK ||
	    db_nrows(res) != 1 || strcmp(db_get(res, 0, 0), "f") != 0)
		return WAY_UPSERT;
	return WAY_INSERT;
}

/* One try in one transaction; *again: a row exists, upsert instead. */
static enum err
attempt(struct db *db, struct arena *a, const char **p, const char *key,
    const char *body_hash, const struct ingest_batch *b, enum way way,
    int *status, const char **json, bool *replayed, bool *again)
{
	const char *kp[4];
	long inserted = 0, updated = 0;
	struct db_res *res;
	enum err rc;

	*again = false;
	if ((rc = db_begin(db, a)) != ERR_OK)
		return rc;
	kp[0] = p[0];
	kp[1] = key;
	kp[2] = body_hash;
	if (key != NULL) {
		if ((rc = claim(db, a, kp, body_hash, status, json)) != ERR_OK)
			goto out;
		if (*status != 0) {
			db_rollback(db, a);
			*replayed = true;
			return ERR_OK;
		}
	}
	if (way == WAY_COPY)
		rc = copy_fresh(db, a, p[0], b, &inserted);
	else {
		if (p[1] == NULL && (rc = arrays(a, b, p)) != ERR_OK)
			goto out;
		if (!b->has_dims)
			p[6] = "{}";
		rc = db_exec_static(db, a, way == WAY_INSERT ? sql_insert :
		    sql_upsert, 7, p, &res);
		if (rc == ERR_OK) {
			if (db_get_int64(res, 0, 2, 0) == 0)
				rc = ERR_NOTFOUND;	/* workspace gone */
			inserted = (long)db_get_int64(res, 0, 0, 0);
			updated = (long)db_get_int64(res, 0, 1, 0);
		}
	}
	*again = rc == ERR_CONFLICT && way != WAY_UPSERT;
	if (rc != ERR_OK)
		goto out;
	*status = 200;
	*json = arena_printf(a, "{\"inserted\":%ld,\"updated\":%ld,"
	    "\"unchanged\":%ld}", inserted, updated,
	    (long)b->nrows - inserted - updated);
	if (key != NULL) {
		kp[2] = "200";
		kp[3] = *json;
		if ((rc = db_exec(db, a, sql_record, 4, kp, NULL)) != ERR_OK)
			goto out;
	}
	return db_commit(db, a);
out:
	db_rollback(db, a);
	return rc;
}

enum err
ingest_commit(struct db *db, struct arena *a, int64_t workspace_id,
    const char *key, const char *body_hash, const struct ingest_batch *b,
    int *status, const char **json, bool *replayed)
{
	const char *p[7] = { NULL };
	enum way way;
	enum err rc;
	bool again;

	*replayed = false;
	p[0] = db_int64(a, workspace_id);
	way = b->fresh ? WAY_COPY : b->nrows > 0 ? guess(db, a, p[0], b) :
	    WAY_UPSERT;
	rc = attempt(db, a, p, key, body_hash, b, way, status, json, replayed,
	    &again);
	if (again)	/* some rows exist after all */
		rc = attempt(db, a, p, key, body_hash, b, WAY_UPSERT, status,
		    json, replayed, &again);
	return rc;
}
