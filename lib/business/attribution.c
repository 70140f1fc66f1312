/*
 * attribution.c — the channel rules (the workspace's or the defaults),
 * their text, and the report per channel.
 */
#include <ctype.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/day.h"
#include "base/limit.h"
#include "base/mem.h"
#include "base/utf8.h"
#include "business/attribution.h"
#include "business/inquiry.h"
#include "providers/provider.h"
#include "store/db.h"

struct rule {
	const char	*channel;
	const char	*utm_source;
	const char	*utm_medium;
	const char	*referrer;
};

/*
 * The defaults, first match wins (README, Attribution).  They are not the
 * providers' rows: they read how a visitor arrived (utm tags, a
 * referrer), not a provider's API; a workspace edits them as one ordered
 * list whose order crosses providers (Meta Ads' paid rule before
 * Facebook's organic ones); a channel is no connection (Facebook counts
 * facebook.com visits without one) and some are no provider (Direct).
 * A provider's spend_metric is reported under the channel of its name.
 */
static const struct rule defaults[] = {
	{ "Google Ads", "^google$", "^(cpc|ppc|paid|paid_?search)$", "" },
	{ "Meta Ads", "^(facebook|fb|instagram|ig|meta)$",
	    "^(cpc|ppc|paid|paid_?social|ads?)$", "" },
	{ "Facebook", "^(facebook|fb)$", "", "" },
	{ "Facebook", "^$", "", "facebook\\.com" },
	{ "Instagram", "^(instagram|ig)$", "", "" },
	{ "Instagram", "^$", "", "instagram\\.com" },
	{ "Mailchimp", "(newsletter|mailchimp)", "", "" },
	{ "Direct", "^$", "", "^$" },
};

static const char sql_rules[] =
	"SELECT channel, utm_source, utm_medium, referrer FROM "
	"attribution_rules WHERE workspace_id = $1 ORDER BY position";
static const char sql_delete[] =
	"DELETE FROM attribution_rules WHERE workspace_id = $1";
static const char sql_insert[] =
	"INSERT INTO attribution_rules (workspace_id, position, channel, "
	"utm_source, utm_medium, referrer) VALUES ($1, $2, $3, $4, $5, $6)";
static const char sql_regex[] = "SELECT '' ~* $1";

/*
 * The report: the period (default: the 28 days ending today in the
 * workspace's zone), the rules as arrays ($4-$7, in order), the spend
 * channels ($8-$10).  An inquiry counts in the period it was received;
 * its bookings (not cancelled) count with it.
 */
static const char sql_report[] =
	"WITH w AS (SELECT time_zone AS tz, coalesce($3::date, "
	"(now() AT TIME ZONE time_zone)::date) AS t FROM workspaces "
	"WHERE id = $1), "
	"p AS (SELECT coalesce($2::date, t - 27) AS f, t, tz FROM w), "
	"r AS (SELECT * FROM unnest($4::text[], $5::text[], $6::text[], "
	"$7::text[]) WITH ORDINALITY AS x(channel, s, m, rf, pos)), "
	"c AS (SELECT channel, min(pos) AS pos FROM (SELECT channel, pos "
	"FROM r UNION ALL SELECT 'Other', 1000000) x GROUP BY channel), "
	"i AS (SELECT i.id, coalesce((SELECT r.channel FROM r WHERE "
	"(r.s = '' OR i.utm_source ~* r.s) AND (r.m = '' OR "
	"i.utm_medium ~* r.m) AND (r.rf = '' OR i.referrer ~* r.rf) "
	"ORDER BY r.pos LIMIT 1), 'Other') AS channel FROM inquiries i, p "
	"WHERE i.workspace_id = $1 AND (i.created_at AT TIME ZONE p.tz)::date "
	"BETWEEN p.f AND p.t), "
	"b AS (SELECT i.channel, b.value, b.currency FROM bookings b JOIN i "
	"ON i.id = b.inquiry_id WHERE b.workspace_id = $1 AND "
	"b.status <> 'cancelled'), "
	"sp AS (SELECT s.channel, m.currency, sum(m.value) / 1000000 AS value "
	"FROM unnest($8::text[], $9::text[], $10::text[]) AS s(channel, "
	"provider, metric) JOIN metric_daily m ON m.workspace_id = $1 AND "
	"m.provider = s.provider AND m.metric = s.metric, p WHERE m.day "
	"BETWEEN p.f AND p.t AND m.currency IS NOT NULL "
	"GROUP BY s.channel, m.currency), "
	"k AS (SELECT c.channel, c.pos, (SELECT count(*) FROM i WHERE "
	"i.channel = c.channel) AS ni, (SELECT count(*) FROM b WHERE "
	"b.channel = c.channel) AS nb FROM c) "
	"SELECT json_build_object('from', p.f::text, 'to', p.t::text, "
	"'time_zone', p.tz, 'channels', coalesce((SELECT json_agg("
	"json_build_object('channel', k.channel, 'inquiries', k.ni, "
	"'bookings', k.nb, 'conversion_rate', CASE WHEN k.ni > 0 THEN "
	"round(k.nb::numeric / k.ni, 4) END, 'booking_value', coalesce(("
	"SELECT json_agg(json_build_object('currency', v.currency, 'value', "
	"trim_scale(v.value)) ORDER BY v.currency) FROM (SELECT currency, "
	"sum(value) AS value FROM b WHERE b.channel = k.channel AND "
	"b.currency IS NOT NULL GROUP BY currency) v), '[]'), 'spend', "
	"coalesce((SELECT json_agg(json_build_object('currency', sp.currency, "
	"'value', round(sp.value, 2)) ORDER BY sp.currency) FROM sp WHERE "
	"sp.channel = k.channel), '[]'), 'cost_per_inquiry', coalesce(("
	"SELECT json_agg(json_build_object('currency', sp.currency, 'value', "
	"round(sp.value / k.ni, 2)) ORDER BY sp.currency) FROM sp WHERE "
	"sp.channel = k.channel AND k.ni > 0), '[]'), 'cost_per_booking', "
	"coalesce((SELECT json_agg(json_build_object('currency', sp.currency, "
	"'value', round(sp.value / k.nb, 2)) ORDER BY sp.currency) FROM sp "
	"WHERE sp.channel = k.channel AND k.nb > 0), '[]')) ORDER BY k.pos) "
	"FROM k), '[]'))::text FROM p";

/* The workspace's rules, or the defaults: *n of them in *out. */
static enum err
rules(struct db *db, struct arena *a, int64_t ws, struct rule **out,
    size_t *n, bool *dflt)
{
	struct db_res *res;
	const char *p[1];
	size_t i;
	enum err rc;

	p[0] = db_int64(a, ws);
	if ((rc = db_exec_static(db, a, sql_rules, 1, p, &res)) != ERR_OK)
		return rc;
	*dflt = db_nrows(res) == 0;
	if (*dflt) {
		*out = (struct rule *)defaults;
		*n = nitems(defaults);
		return ERR_OK;
	}
	*n = db_nrows(res);
	*out = arena_calloc(a, *n, sizeof(**out));
	for (i = 0; i < *n; i++) {
		(*out)[i].channel = db_get(res, i, 0);
		(*out)[i].utm_source = db_get(res, i, 1);
		(*out)[i].utm_medium = db_get(res, i, 2);
		(*out)[i].referrer = db_get(res, i, 3);
	}
	return ERR_OK;
}

enum err
attribution_rules_text(struct db *db, struct arena *a, int64_t workspace_id,
    const char **text, bool *dflt)
{
	struct rule *r;
	struct buf *b;
	size_t i, n;
	enum err rc;

	if ((rc = rules(db, a, workspace_id, &r, &n, dflt)) != ERR_OK)
		return rc;
	b = buf_new_arena(a, LIMIT_ATTR_RULES * (LIMIT_ATTR_CHANNEL * 4 +
	    3 * LIMIT_ATTR_PATTERN + 16));
	for (i = 0; i < n; i++)
		buf_printf(b, "%s | %s | %s | %s\n", r[i].channel,
		    r[i].utm_source, r[i].utm_medium, r[i].referrer);
	*text = buf_cstr(b);
	return ERR_OK;
}

/*
 * A field of a rule's line, trimmed, into the arena: up to a "|" with
 * white space (or the line's start or end) on both sides, so a pattern
 * keeps its own alternatives ("^(google|bing)$").
 */
static const char *
field(struct arena *a, const char **s, const char *end, bool *sep)
{
	const char *f = *s, *e;

	for (e = f; e < end; e++)
		if (*e == '|' && (e == f || isspace((unsigned char)e[-1])) &&
		    (e + 1 == end || isspace((unsigned char)e[1])))
			break;
	*sep = e < end;
	*s = e < end ? e + 1 : end;
	while (f < e && isspace((unsigned char)*f))
		f++;
	while (e > f && isspace((unsigned char)e[-1]))
		e--;
	return arena_strndup(a, f, (size_t)(e - f));
}

/* Why a field is refused, or NULL. */
static const char *
field_problem(const char *s, size_t max, bool chars)
{
	size_t i, n = strlen(s);

	if (!utf8_valid(s, n) || (chars ? utf8_chars(s) : n) > max)
		return "is too long or not UTF-8";
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return "holds a control character";
	return NULL;
}

/*
 * Why a pattern is refused before PostgreSQL reads it, or NULL: a back
 * reference (\1 to \9) makes PostgreSQL match by backtracking, whose time
 * grows exponentially with the text — one rule and a long referrer from
 * the public form held a process for seconds on every page (and compiling
 * one, minutes) — and lookarounds cost a sub-match at every position (50
 * rules of four lookaheads: 13 s an inquiry).  Without them it matches in
 * time linear in the text.
 */
static const char *
pattern_problem(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s == '(' && s[1] == '?' && (s[2] == '=' || s[2] == '!' ||
		    (s[2] == '<' && (s[3] == '=' || s[3] == '!'))))
			return "holds a lookahead or lookbehind ((?= (?! (?<= "
			    "(?<!), which makes matching slow: match the text "
			    "itself instead";
		else if (*s == '\\') {
			if (s[1] >= '1' && s[1] <= '9')
				return "holds a back reference (\\1 to \\9), "
				    "which makes matching slow: match the "
				    "text itself instead";
			if (s[1] == '\0')
				break;
			s++;
		}
	return NULL;
}

/* Parses text into rules; NULL, or why not (naming the line). */
static const char *
parse(struct arena *a, const char *text, struct rule **out, size_t *n)
{
	const char *s = text, *end, *why;
	struct rule *r;
	size_t line = 0;
	bool sep[4];

	*n = 0;
	*out = arena_calloc(a, LIMIT_ATTR_RULES, sizeof(**out));
	for (; *s != '\0'; s = *end != '\0' ? end + 1 : end) {
		end = s + strcspn(s, "\n");
		line++;
		while (s < end && isspace((unsigned char)*s))
			s++;
		if (s == end || *s == '#')
			continue;
		if (*n == LIMIT_ATTR_RULES)
			return arena_printf(a, "line %zu: at most %d rules",
			    line, LIMIT_ATTR_RULES);
		r = &(*out)[(*n)++];
		r->channel = field(a, &s, end, &sep[0]);
		r->utm_source = field(a, &s, end, &sep[1]);
		r->utm_medium = field(a, &s, end, &sep[2]);
		r->referrer = field(a, &s, end, &sep[3]);
		/* Fewer separators would make a channel of the whole line
		 * that matches everything ("Paid|google||"). */
		if (s < end || !sep[0] || !sep[1] || !sep[2])
			return arena_printf(a, "line %zu: a rule has four "
			    "fields separated by \" | \" (a space on each "
			    "side): channel | utm_source | utm_medium | "
			    "referrer; leave a field empty to match anything",
			    line);
		if (*r->channel == '\0')
			return arena_printf(a, "line %zu: the channel's name "
			    "is missing", line);
		if ((why = field_problem(r->channel, LIMIT_ATTR_CHANNEL,
		    true)) != NULL || (why = field_problem(r->utm_source,
		    LIMIT_ATTR_PATTERN, false)) != NULL || (why =
		    field_problem(r->utm_medium, LIMIT_ATTR_PATTERN, false)) !=
		    NULL || (why = field_problem(r->referrer,
		    LIMIT_ATTR_PATTERN, false)) != NULL)
			return arena_printf(a, "line %zu: a field %s (a "
			    "channel at most 60 characters, a pattern 200 "
			    "bytes)", line, why);
		if ((why = pattern_problem(r->utm_source)) != NULL ||
		    (why = pattern_problem(r->utm_medium)) != NULL ||
		    (why = pattern_problem(r->referrer)) != NULL)
			return arena_printf(a, "line %zu: a pattern %s", line,
			    why);
	}
	return NULL;
}

const char *
attribution_rules_save(struct db *db, struct arena *a, int64_t workspace_id,
    const char *text, enum err *err_out)
{
	struct rule *r;
	const char *p[6], *why;
	const char *const *pat;
	size_t i, k, n;

	*err_out = ERR_UNPROCESSABLE;
	if (strlen(text) > LIMIT_ATTR_RULES * (LIMIT_ATTR_CHANNEL * 4 +
	    3 * LIMIT_ATTR_PATTERN + 16))
		return "the rules are too long";
	if ((why = parse(a, text, &r, &n)) != NULL)
		return why;
	if ((*err_out = db_begin(db, a)) != ERR_OK)
		return "they could not be saved";
	for (i = 0; i < n; i++) {
		const char *pats[3] = { r[i].utm_source, r[i].utm_medium,
		    r[i].referrer };

		for (k = 0, pat = pats; k < 3; k++)
			if (*pat[k] != '\0' && db_exec(db, a, sql_regex, 1,
			    &pat[k], NULL) != ERR_OK) {
				db_rollback(db, a);
				*err_out = ERR_UNPROCESSABLE;
				return arena_printf(a, "line %zu: \"%s\" is "
				    "not a regular expression PostgreSQL "
				    "reads", i + 1, pat[k]);
			}
	}
	p[0] = db_int64(a, workspace_id);
	if ((*err_out = db_exec(db, a, sql_delete, 1, p, NULL)) != ERR_OK)
		goto fail;
	for (i = 0; i < n; i++) {
		p[1] = db_int64(a, (int64_t)i + 1);
		p[2] = r[i].channel;
		p[3] = r[i].utm_source;
		p[4] = r[i].utm_medium;
		p[5] = r[i].referrer;
		if ((*err_out = db_exec(db, a, sql_insert, 6, p, NULL)) !=
		    ERR_OK)
			goto fail;
	}
	if ((*err_out = db_commit(db, a)) != ERR_OK)
		return "they could not be saved";
	return NULL;
fail:
	db_rollback(db, a);
	return "they could not be saved";
}

enum err
attribution_period_parse(const struct kvlist *query, const char **from,
    const char **to, const char **param, const char **why)
{
	int64_t f, t;

	*from = kv_value(query, "from");
	*to = kv_value(query, "to");
	*param = *from == NULL ? "from" : "to";
	if ((*from == NULL) != (*to == NULL)) {
		*why = "is needed too (send from and to, or neither)";
		return ERR_INPUT;
	}
	if (*from == NULL)
		return ERR_OK;
	*param = "from";
	if (!inquiry_date_ok(*from) || (*param = "to", !inquiry_date_ok(*to))) {
		*why = "must be a date YYYY-MM-DD";
		return ERR_INPUT;
	}
	*param = "from";
	if (!day_scan(*from, &f) || !day_scan(*to, &t) || f > t) {
		*why = "must not be after to";
		return ERR_INPUT;
	}
	if (t - f + 1 > LIMIT_ATTR_DAYS) {
		*why = "to to must be at most 3660 days";
		return ERR_INPUT;
	}
	return ERR_OK;
}

/* The rules' fields as four PostgreSQL text arrays. */
static void
arrays(struct arena *a, const struct rule *r, size_t n, const char **p)
{
	struct buf *b[4];
	const char *v;
	size_t i, k;

	for (k = 0; k < 4; k++) {
		b[k] = buf_new_arena(a, n * (4 * LIMIT_ATTR_PATTERN + 8) + 3);
		buf_puts(b[k], "{");
	}
	for (i = 0; i < n; i++)
		for (k = 0; k < 4; k++) {
			v = k == 0 ? r[i].channel : k == 1 ? r[i].utm_source :
			    k == 2 ? r[i].utm_medium : r[i].referrer;
			buf_puts(b[k], i > 0 ? ",\"" : "\"");
			for (; *v != '\0'; v++) {
				if (*v == '"' || *v == '\\')
					buf_puts(b[k], "\\");
				buf_append(b[k], v, 1);
			}
			buf_puts(b[k], "\"");
		}
	for (k = 0; k < 4; k++) {
		buf_puts(b[k], "}");
		p[k] = buf_cstr(b[k]);
	}
}

enum err
attribution_report_json(struct db *db, struct arena *a, int64_t workspace_id,
    const char *from, const char *to, const char **json)
{
	const struct provider *const *all;
	struct rule *r;
	struct buf *b[3];
	const char *p[10], *sep;
	size_t i, n, np;
	bool dflt;
	enum err rc;

	if ((rc = rules(db, a, workspace_id, &r, &n, &dflt)) != ERR_OK)
		return rc;
	p[0] = db_int64(a, workspace_id);
	p[1] = from;
	p[2] = to;
	arrays(a, r, n, p + 3);
	/* The spend channels: the providers with an ad spend metric, each
	 * the channel named as it is. */
	for (i = 0; i < 3; i++) {
		b[i] = buf_new_arena(a, 256);
		buf_puts(b[i], "{");
	}
	all = provider_all(&np);
	for (i = 0, sep = ""; i < np; i++)
		if (all[i]->spend_metric != NULL) {
			buf_printf(b[0], "%s\"%s\"", sep, all[i]->name);
			buf_printf(b[1], "%s%s", sep, all[i]->slug);
			buf_printf(b[2], "%s%s", sep, all[i]->spend_metric);
			sep = ",";
		}
	for (i = 0; i < 3; i++) {
		buf_puts(b[i], "}");
		p[7 + i] = buf_cstr(b[i]);
	}
	return db_value_static(db, a, sql_report, 10, p, json);
}
