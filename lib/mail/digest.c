/*
 * digest.c — the weekly digest: views for the email templates, signed
 * unsubscribe links, and the claim-send-record cycle that sends each
 * recipient at most one digest per period (see digest.h).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/config.h"
#include "base/jsonx.h"
#include "base/limit.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/numfmt.h"
#include "business/attribution.h"
#include "crypto/crypto.h"
#include "insights/insights.h"
#include "mail/digest.h"
#include "mail/email.h"
#include "mail/monthly.h"
#include "metrics/content.h"
#include "metrics/metric.h"
#include "providers/provider.h"
#include "render/tmpl.h"
#include "store/db.h"
#include "tenancy/account.h"

/* Runs over every workspace (cron's) hold one lock (7411, 1); each
 * workspace's run holds its own (7412, workspace id folded into an int4):
 * advisory locks through db_lock(), also behind a pooler. */
#define DIGEST_LOCK	7411
#define WS_LOCK		7412

static const char sql_ws_name[] =
	"SELECT name FROM workspaces WHERE id = $1";

static const char sql_member_ws[] =
	"SELECT m.workspace_id FROM memberships m "
	"JOIN users u ON u.id = m.user_id "
	"WHERE lower(u.email) = lower($1) "
	"AND ($2::bigint = 0 OR m.workspace_id = $2::bigint) "
	"ORDER BY m.workspace_id LIMIT 1";

/* Seconds left of the cooldown after the last finished run of the
 * workspace $2, or of the runs over every workspace ($2 NULL). */
static const char sql_cooldown[] =
	"SELECT GREATEST(1, ceil(extract(epoch FROM finished_at + "
	"make_interval(secs => $1::int) - now())))::bigint "
	"FROM digest_runs WHERE workspace_id IS NOT DISTINCT FROM $2::bigint "
	"AND kind = $3 "
	"AND finished_at > now() - make_interval(secs => $1::int) "
	"ORDER BY finished_at DESC LIMIT 1";

/* The scheduler's week (month: kind $5) of a workspace is done (a
 * complete run for the period $2), or was tried too recently (cooldown
 * $3, quota wait $4). */
static const char sql_sched_done[] =
	"SELECT 1 FROM digest_runs WHERE workspace_id = $1 AND kind = $5 AND ("
	"(complete AND scope = 'all' AND period_start = $2::date) OR "
	"finished_at > now() - make_interval(secs => $3::int) OR "
	"(quota AND finished_at > now() - make_interval(secs => $4::int))) "
	"LIMIT 1";

/* The summary row of a run over every workspace (UTC week or month). */
static const char sql_run_all[] =
	"INSERT INTO digest_runs (scope, period_start, period_end, "
	"started_by, kind) SELECT $1, CASE WHEN $2 = 'monthly' THEN "
	"(m - interval '1 month')::date ELSE w - 7 END, CASE WHEN "
	"$2 = 'monthly' THEN m - 1 ELSE w - 1 END, 'cron', $2 FROM (SELECT "
	"date_trunc('week', now() AT TIME ZONE 'UTC')::date AS w, "
	"date_trunc('month', now() AT TIME ZONE 'UTC')::date AS m) x "
	"RETURNING id";

/* A workspace's row, over its own week. */
static const char sql_run_ws[] =
	"INSERT INTO digest_runs (workspace_id, started_by, scope, "
	"period_start, period_end, kind) VALUES ($1, $2, $3, $4::date, "
	"$5::date, $6) RETURNING id";

static const char sql_run_done[] =
	"UPDATE digest_runs SET finished_at = now(), sent = $2::int, "
	"skipped = $3::int, failed = $4::int, errors = $5::jsonb, "
	"complete = $6::boolean, quota = $7::boolean WHERE id = $1::bigint";

static const char sql_workspaces[] =
	"SELECT id FROM workspaces WHERE ($2::bigint = 0 OR id = $2::bigint) "
	"AND ($1::text IS NULL OR id IN "
	"(SELECT m.workspace_id FROM memberships m "
	"JOIN users u ON u.id = m.user_id "
	"WHERE lower(u.email) = lower($1))) ORDER BY id";

/*
 * Who wants a digest of kind $K: the weekly one every member unless they
 * turned it off (subscribed false), the monthly one those who chose it
 * (monthly true).  workspace $1, the member's address e.
 */
#define WANTS(K, e) \
	"CASE WHEN " K " = 'monthly' THEN EXISTS (SELECT 1 FROM " \
	"digest_subscriptions d WHERE d.workspace_id = $1 AND " \
	"lower(d.email) = lower(" e ") AND d.monthly) ELSE NOT EXISTS (" \
	"SELECT 1 FROM digest_subscriptions d WHERE d.workspace_id = $1 " \
	"AND lower(d.email) = lower(" e ") AND NOT d.subscribed) END"

/* Members who want the digest (kind $3) but whose address is
 * suppressed. */
static const char sql_suppressed[] =
	"SELECT count(DISTINCT lower(u.email)) FROM memberships m "
	"JOIN users u ON u.id = m.user_id WHERE m.workspace_id = $1 "
	"AND ($2::text IS NULL OR lower(u.email) = lower($2)) "
	"AND EXISTS (SELECT 1 FROM email_suppressions s "
	"WHERE s.email = lower(u.email)) "
	"AND " WANTS("$3", "u.email");

/* Why an address gets no mail: its suppression, if any. */
static const char sql_suppression[] =
	"SELECT reason, to_char(created_at, 'YYYY-MM-DD') "
	"FROM email_suppressions WHERE email = lower($1)";

/* Claims up to $6 unclaimed recipients of one workspace, kind ($7)
 * and period. */
static const char sql_claim[] =
	"INSERT INTO digest_sends (workspace_id, run_id, recipient, "
	"period_start, batch_id, kind) "
	"SELECT $1, $2, r.email, $3::date, $4, $7 FROM ("
	"SELECT DISTINCT lower(u.email) COLLATE \"C\" AS email "
	"FROM memberships m JOIN users u ON u.id = m.user_id "
	"WHERE m.workspace_id = $1 "
	"AND ($5::text IS NULL OR lower(u.email) = lower($5)) "
	"AND NOT EXISTS (SELECT 1 FROM email_suppressions s "
	"WHERE s.email = lower(u.email)) "
	"AND " WANTS("$7", "u.email") " "
	"AND NOT EXISTS (SELECT 1 FROM digest_sends x "
	"WHERE x.workspace_id = $1 AND x.recipient = lower(u.email) "
	"AND x.kind = $7 AND x.period_start = $3::date) "
	"ORDER BY 1 LIMIT $6::int) r "
	"ON CONFLICT DO NOTHING";

static const char sql_batch_rows[] =
	"SELECT id, recipient FROM digest_sends WHERE batch_id = $1 "
	"AND status = 'claimed' ORDER BY recipient COLLATE \"C\"";

static const char sql_batch_store[] =
	"INSERT INTO digest_batches (batch_id, workspace_id, run_id, "
	"period_start, request, kind) VALUES ($1, $2, $3, $4::date, $5, $6)";

static const char sql_batch_request[] =
	"SELECT request FROM digest_batches WHERE batch_id = $1";

static const char sql_sent[] =
	"UPDATE digest_sends SET status = 'sent', resend_id = $2, "
	"sent_at = now(), error = NULL, run_id = $3 "
	"WHERE id = $1::bigint AND status = 'claimed'";

static const char sql_failed[] =
	"UPDATE digest_sends SET status = 'failed', error = $2, run_id = $3 "
	"WHERE id = $1::bigint AND status = 'claimed'";

/* A batch stopped by the daily quota was not sent: free its claims so
 * the next run (after midnight UTC) claims them again. */
static const char sql_release[] =
	"DELETE FROM digest_sends WHERE id = $1::bigint AND status = 'claimed'";

/* Claims older than Resend keeps keys: never re-sent. */
static const char sql_expire[] =
	"UPDATE digest_sends SET status = 'failed', error = 'claimed more "
	"than 24 hours ago and never recorded: not re-sent, it may have "
	"gone out' WHERE workspace_id = $2 AND status = 'claimed' "
	"AND created_at <= now() - make_interval(secs => $1::int)";

static const char sql_pending[] =
	"SELECT batch_id, workspace_id, to_char(period_start, 'YYYY-MM-DD'), "
	"kind FROM digest_sends WHERE workspace_id = $1 AND status = "
	"'claimed' AND batch_id IS NOT NULL GROUP BY 1, 2, 3, 4 ORDER BY 1";

/* A link in either digest stops both. */
static const char sql_unsubscribe[] =
	"INSERT INTO digest_subscriptions (workspace_id, email, subscribed, "
	"monthly) VALUES ($1, lower($2), false, false) ON CONFLICT "
	"(workspace_id, email) DO UPDATE SET subscribed = false, monthly = "
	"false, updated_at = now()";

/* A member's choice: weekly ($3), monthly ($4). */
static const char sql_prefs_set[] =
	"INSERT INTO digest_subscriptions (workspace_id, email, subscribed, "
	"monthly) VALUES ($1, lower($2), $3, $4) ON CONFLICT "
	"(workspace_id, email) DO UPDATE SET subscribed = EXCLUDED.subscribed, "
	"monthly = EXCLUDED.monthly, updated_at = now()";

static const char sql_prefs[] =
	"SELECT coalesce(bool_or(subscribed), true), "
	"coalesce(bool_or(monthly), false) FROM digest_subscriptions "
	"WHERE workspace_id = $1 AND lower(email) = lower($2)";

/* The workspace's last run, or the last run over every workspace. */
static const char sql_status[] =
	"SELECT json_build_object('run_id', id, 'workspace_id', workspace_id, "
	"'started_by', started_by, 'scope', scope, "
	"'period_start', period_start, 'period_end', period_end, "
	"'started_at', started_at, 'finished_at', finished_at, "
	"'sent', sent, 'skipped', skipped, 'failed', failed, "
	"'complete', complete, 'quota_reached', quota, "
	"'errors', errors)::text FROM digest_runs "
	"WHERE workspace_id IS NOT DISTINCT FROM $1::bigint AND kind = $2 "
	"ORDER BY id DESC LIMIT 1";

static const char *const kind_name[DIGEST_KIND__MAX] = {
	[DIGEST_WEEKLY] = "weekly",
	[DIGEST_MONTHLY] = "monthly",
};

/* --- unsubscribe tokens --------------------------------------------- */

static bool
unsub_key(const struct config *cfg, unsigned char *key)
{
	static const char label[] = "sluice-unsubscribe-v1";
	const char *spec = cfg->encryption_keys, *end;
	char *buf;
	size_t n;

	if (*cfg->unsubscribe_secret != '\0') {
		n = strlen(label) + 1 + strlen(cfg->unsubscribe_secret);
		buf = xmalloc(n + 1);
		snprintf(buf, n + 1, "%s:%s", label, cfg->unsubscribe_secret);
		crypto_sha256(buf, n, key);
		crypto_cleanse(buf, n);
		free(buf);
		return true;
	}
	while (*spec == ' ' || *spec == '\t')
		spec++;
	if ((end = strchr(spec, ',')) == NULL)
		end = spec + strlen(spec);
	while (end > spec && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if (end == spec)
		return false;
	crypto_hmac_sha256(spec, (size_t)(end - spec), label, strlen(label),
	    key);
	return true;
}

static void
unsub_mac(const unsigned char *key, const char *payload, unsigned char *mac)
{
	char msg[64 + LIMIT_DIGEST_EMAIL];

	snprintf(msg, sizeof(msg), "sluice-unsubscribe-v1:%s", payload);
	crypto_hmac_sha256(key, CRYPTO_SHA256_LEN, msg, strlen(msg), mac);
}

const char *
digest_unsub_token(const struct digest_env *env, int64_t workspace_id,
    const char *email)
{
	unsigned char key[CRYPTO_SHA256_LEN], mac[CRYPTO_SHA256_LEN];
	char macs[CRYPTO_B64URL_LEN(CRYPTO_SHA256_LEN) + 1], *payload, *p64;
	size_t n;

	if (!unsub_key(env->cfg, key))
		return NULL;
	payload = arena_printf(env->arena, "%lld:%s", (long long)workspace_id,
	    email);
	n = strlen(payload);
	p64 = arena_alloc(env->arena, CRYPTO_B64URL_LEN(n) + 1);
	crypto_b64url_encode(payload, n, p64);
	unsub_mac(key, payload, mac);
	crypto_b64url_encode(mac, sizeof(mac), macs);
	crypto_cleanse(key, sizeof(key));
	return arena_printf(env->arena, "%s.%s", p64, macs);
}

enum err
digest_unsub_verify(const struct digest_env *env, const char *token,
    int64_t *workspace_out, const char **email_out)
{
	unsigned char key[CRYPTO_SHA256_LEN], mac[CRYPTO_SHA256_LEN];
	unsigned char got[CRYPTO_SHA256_LEN + 3];
	char payload[64 + LIMIT_DIGEST_EMAIL], *end;
	const char *dot;
	size_t plen, glen;
	long long ws;
	int ok;

	if (token == NULL || strlen(token) > 2 * sizeof(payload) ||
	    (dot = strchr(token, '.')) == NULL)
		return ERR_AUTH;
	if (crypto_b64url_decode(token, (size_t)(dot - token), payload,
	    sizeof(payload) - 1, &plen) != ERR_OK ||
	    crypto_b64url_decode(dot + 1, strlen(dot + 1), got, sizeof(got),
	    &glen) != ERR_OK || glen != CRYPTO_SHA256_LEN)
		return ERR_AUTH;
	payload[plen] = '\0';
	if (strlen(payload) != plen)
		return ERR_AUTH;
	if (!unsub_key(env->cfg, key))
		return ERR_UNAVAILABLE;
	unsub_mac(key, payload, mac);
	crypto_cleanse(key, sizeof(key));
	ok = crypto_equal(mac, got, sizeof(mac));
	if (!ok)
		return ERR_AUTH;
	ws = strtoll(payload, &end, 10);
	if (end == payload || *end != ':' || ws <= 0 ||
	    !email_address_ok(end + 1))
		return ERR_AUTH;
	*workspace_out = ws;
	*email_out = arena_strdup(env->arena, end + 1);
	return ERR_OK;
}

enum err
digest_unsubscribe(const struct digest_env *env, int64_t workspace_id,
    const char *email)
{
	const char *p[2];

	p[0] = db_int64(env->arena, workspace_id);
	p[1] = email;
	return db_exec(env->db, env->arena, sql_unsubscribe, 2, p, NULL);
}

enum err
digest_workspace_name(const struct digest_env *env, int64_t workspace_id,
    const char **out)
{
	const char *p[1];
	struct db_res *res;
	enum err rc;

	p[0] = db_int64(env->arena, workspace_id);
	if ((rc = db_exec(env->db, env->arena, sql_ws_name, 1, p, &res)) !=
	    ERR_OK)
		return rc;
	if (db_nrows(res) != 1)
		return ERR_NOTFOUND;
	*out = db_get(res, 0, 0);
	return ERR_OK;
}

enum err
digest_workspace_of(const struct digest_env *env, int64_t given,
    const char *to, int64_t *out)
{
	const char *p[2];
	struct db_res *res;
	enum err rc;

	p[0] = to;
	p[1] = db_int64(env->arena, given);
	if ((rc = db_exec(env->db, env->arena, sql_member_ws, 2, p, &res)) !=
	    ERR_OK)
		return rc;
	if (db_nrows(res) != 1)
		return ERR_NOTFOUND;
	*out = db_get_int64(res, 0, 0, 0);
	return ERR_OK;
}

/* --- rendering -------------------------------------------------------- */

/* A workspace's week or month, ready to render for any recipient. */
struct prepared {
	enum digest_kind	 kind;
	int64_t			 ws;
	const char		*name;
	struct insights_period	 per;
	struct json_object	*view;	/* arena-owned */
	const char		*subject;
};

/* "10–16 Nov 2025", "29 Dec 2025 – 4 Jan 2026". */
static const char *
period_days(struct arena *a, const struct insights_period *p)
{
	static const char *const mo[] = { "Jan", "Feb", "Mar", "Apr", "May",
	    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	int y2, m2, d2;

	if (sscanf(p->end, "%d-%d-%d", &y2, &m2, &d2) != 3 || m2 < 1 ||
	    m2 > 12 || p->m < 1 || p->m > 12)
		return arena_printf(a, "%s to %s", p->start, p->end);
	if (y2 != p->y)
		return arena_printf(a, "%d %s %d \xe2\x80\x93 %d %s %d", p->d,
		    mo[p->m - 1], p->y, d2, mo[m2 - 1], y2);
	if (m2 != p->m)
		return arena_printf(a, "%d %s \xe2\x80\x93 %d %s %d", p->d,
		    mo[p->m - 1], d2, mo[m2 - 1], y2);
	return arena_printf(a, "%d\xe2\x80\x93%d %s %d", p->d, d2,
	    mo[m2 - 1], y2);
}

/* The week's days and whose they are: "10–16 Nov 2025 (Europe/Paris)". */
static const char *
period_label(struct arena *a, const struct insights_period *p)
{
	const char *days = period_days(a, p);

	return p->time_zone != NULL ? arena_printf(a, "%s (%s)", days,
	    p->time_zone) : days;
}

static void
put_s(struct json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, json_object_new_string(v));
}

static void
put_i(struct json_object *o, const char *k, int v)
{
	json_object_object_add(o, k, json_object_new_int(v));
}

static const char *
kind_color(enum insights_kind k, bool good)
{
	if (good)
		return "#15803d";
	switch (k) {
	case INSIGHTS_MOVER_UP:
	case INSIGHTS_ANOMALY:
	case INSIGHTS_PAIR:
		return "#b45309";
	default:
		return "#b91c1c";
	}
}

static int
bar(double v, double max)
{
	int w;

	if (max <= 0 || !isfinite(v) || v <= 0)
		return 1;
	w = (int)lround(fabs(v) / max * 100);
	return w < 1 ? 1 : w > 100 ? 100 : w;
}

/* One KPI line of the digest. */
static struct json_object *
kpi_view(struct arena *a, const struct insights_kpi *k)
{
	struct json_object *o = json_object_new_object();
	double max, pp;
	int b;

	put_s(o, "label", k->label);
	put_s(o, "current", k->has_cur ? numfmt_value(a, k->cur, k->unit,
	    k->currency) : "no data");
	put_s(o, "previous", k->has_prev ? numfmt_value(a, k->prev, k->unit,
	    k->currency) : "no data");
	/* A rate moves in percentage points, anything else in percent. */
	pp = (k->cur - k->prev) * 100;
	if (k->partial && k->has_cur && k->has_prev)
		put_s(o, "change", "partial data");
	else if (strcmp(k->unit, "ratio") == 0 && k->has_cur && k->has_prev)
		put_s(o, "change", fabs(pp) < 0.05 ? "0 pp" : arena_printf(a,
		    "%+.1f pp", pp));
	else if (k->has_pct && fabs(k->pct) < 0.05)
		put_s(o, "change", "0%");
	else if (k->has_pct)
		put_s(o, "change", fabs(k->pct) >= 10 ? arena_printf(a,
		    "%+.0f%%", k->pct) : arena_printf(a, "%+.1f%%", k->pct));
	else
		put_s(o, "change", k->has_cur && !k->has_prev ?
		    "none before" : "\xe2\x80\x93");
	put_s(o, "change_color", !k->has_pct || fabs(k->pct) < 0.05 ?
	    "#6b7280" : (k->pct > 0) != insights_lower_is_better(k->metric) ?
	    "#15803d" : "#b91c1c");
	max = fmax(k->has_cur ? fabs(k->cur) : 0, k->has_prev ?
	    fabs(k->prev) : 0);
	b = bar(k->has_cur ? k->cur : 0, max);
	put_i(o, "bar_cur", b);
	put_i(o, "bar_cur_rest", 100 - b);
	b = bar(k->has_prev ? k->prev : 0, max);
	put_i(o, "bar_prev", b);
	put_i(o, "bar_prev_rest", 100 - b);
	return o;
}

/* How much a KPI moved, for ranking: |change| in percent, 0 without. */
static double
moved(const struct insights_kpi *k)
{
	return k->has_pct ? fabs(k->pct) : 0;
}

/*
 * Keeps the first money amount of a source's KPIs k[lo..hi) (its cost,
 * spend or revenue), in each of its currencies, while there is room
 * after the headline; returns how many it kept.
 */
static size_t
money_kept(const struct insights_kpi *k, size_t lo, size_t hi, bool *keep)
{
	const struct metric_def *d;
	const char *first = NULL;
	size_t j, n = 0;

	for (j = lo + 1; j < hi && 1 + n < LIMIT_DIGEST_KPIS_PER_SOURCE; j++) {
		d = metric_find(k[j].provider, k[j].metric);
		if (d == NULL || d->agg != METRIC_SUM ||
		    strcmp(d->unit, "currency_micros") != 0 ||
		    (first != NULL && strcmp(first, k[j].metric) != 0))
			continue;
		first = k[j].metric;
		keep[j] = true;
		n++;
	}
	return n;
}

/*
 * One section per source, in the order of in->kpis (grouped by source,
 * catalogue order inside): the source's headline (its first KPI), its
 * money amount in each currency (money_kept()) and the ones that moved
 * most, LIMIT_DIGEST_KPIS_PER_SOURCE in all, in their
 * catalogue order, and how many more the dashboard has.  Every source
 * with numbers gets its section, up to LIMIT_DIGEST_SOURCES; the sources
 * past that are counted in a last line, never dropped silently.
 */
static struct json_object *
sources(struct arena *a, const struct insights *in)
{
	struct json_object *out, *src, *list;
	const struct insights_kpi *k = in->kpis;
	bool *keep;
	size_t lo, hi, i, j, best, kept, nsrc = 0, more_src = 0;

	out = json_object_new_array();
	keep = arena_calloc(a, in->nkpis + 1, sizeof(*keep));
	for (lo = 0; lo < in->nkpis; lo = hi) {
		for (hi = lo + 1; hi < in->nkpis &&
		    strcmp(k[hi].provider, k[lo].provider) == 0; hi++)
			;
		if (nsrc == LIMIT_DIGEST_SOURCES) {
			more_src++;
			continue;
		}
		nsrc++;
		keep[lo] = true;
		kept = 1 + money_kept(k, lo, hi, keep);
		for (; kept < LIMIT_DIGEST_KPIS_PER_SOURCE &&
		    kept < hi - lo; kept++) {
			for (best = hi, j = lo + 1; j < hi; j++)
				if (!keep[j] && (best == hi ||
				    moved(&k[j]) > moved(&k[best])))
					best = j;
			keep[best] = true;
		}
		src = json_object_new_object();
		put_s(src, "name", k[lo].provider_name);
		list = json_object_new_array();
		for (i = lo; i < hi; i++)
			if (keep[i])
				json_object_array_add(list, kpi_view(a, &k[i]));
		json_object_object_add(src, "kpis", list);
		if (hi - lo > kept)
			put_s(src, "more", arena_printf(a, "and %zu more on "
			    "your dashboard", hi - lo - kept));
		json_object_array_add(out, src);
	}
	if (more_src > 0) {
		src = json_object_new_object();
		put_s(src, "name", arena_printf(a, "%zu more source%s",
		    more_src, more_src == 1 ? "" : "s"));
		json_object_object_add(src, "kpis", json_object_new_array());
		put_s(src, "more", "their numbers are on your dashboard");
		json_object_array_add(out, src);
	}
	return out;
}

struct json_object *
digest_view(struct arena *a, const char *base_url, const char *workspace,
    const struct insights_period *per, const struct insights *in)
{
	struct json_object *v, *arr, *o;
	size_t i;

	v = jsonx_own(a, json_object_new_object());
	put_s(v, "workspace", workspace);
	put_s(v, "kind_word", "weekly");
	put_s(v, "period_word", "week");
	put_s(v, "Period_word", "Week");
	put_s(v, "period_label", period_label(a, per));
	put_s(v, "period_start", per->start);
	put_s(v, "period_end", per->end);
	put_s(v, "dashboard_url", arena_printf(a, "%s/dashboard", base_url));
	arr = json_object_new_array();
	for (i = 0; i < in->nitems && i < LIMIT_INSIGHTS_ITEMS; i++) {
		o = json_object_new_object();
		put_s(o, "kind", insights_kind_name(in->items[i].kind));
		put_s(o, "title", in->items[i].title);
		put_s(o, "action", in->items[i].action);
		put_s(o, "color", kind_color(in->items[i].kind,
		    in->items[i].good));
		json_object_array_add(arr, o);
	}
	json_object_object_add(v, "has_insights",
	    json_object_new_boolean(in->nitems > 0));
	json_object_object_add(v, "insights", arr);
	json_object_object_add(v, "has_kpis",
	    json_object_new_boolean(in->nkpis > 0));
	json_object_object_add(v, "sources", sources(a, in));
	/* One line whatever the name holds (a name stored before names
	 * were checked may hold CR, LF or a direction override). */
	put_s(v, "subject", arena_printf(a, "%s weekly digest: %s",
	    account_name_plain(a, workspace), period_days(a, per)));
	return v;
}

struct json_object *
digest_month_view(struct arena *a, const char *base_url,
    const char *workspace, const struct insights_period *per,
    const struct insights *in)
{
	static const char *const mo[] = { "January", "February", "March",
	    "April", "May", "June", "July", "August", "September", "October",
	    "November", "December" };
	struct json_object *v;
	const char *month;

	v = digest_view(a, base_url, workspace, per, in);
	month = per->m >= 1 && per->m <= 12 ? arena_printf(a, "%s %d",
	    mo[per->m - 1], per->y) : arena_printf(a, "%s to %s", per->start,
	    per->end);
	put_s(v, "kind_word", "monthly");
	put_s(v, "period_word", "month");
	put_s(v, "Period_word", "Month");
	put_s(v, "period_label", per->time_zone != NULL ? arena_printf(a,
	    "%s (%s)", month, per->time_zone) : month);
	put_s(v, "subject", arena_printf(a, "%s monthly digest: %s",
	    account_name_plain(a, workspace), month));
	return v;
}

/*
 * One sentence per channel that brought inquiries in the period
 * (lib/business/attribution.h), in the rules' order, as "attribution"
 * [{sentence}] and has_attribution: "Google Ads brought 6 inquiries and 2
 * bookings this week at €41.00 per inquiry".  The cost per inquiry only
 * where the channel's spend of the period is in one currency: amounts
 * in different currencies are never added, nor is one picked — the
 * sentence says so and points to the Attribution page.
 */
static enum err
attribution_view(const struct digest_env *env, enum digest_kind kind,
    int64_t ws, const struct insights_period *per, struct json_object *v)
{
	struct arena *a = env->arena;
	struct json_object *doc, *list, *c, *cost, *arr, *o;
	const char *json, *at;
	int64_t inq, book;
	size_t i;
	enum err rc;

	if ((rc = attribution_report_json(env->db, a, ws, per->start,
	    per->end, &json)) != ERR_OK)
		return rc;
	arr = jsonx_own(a, json_object_new_array());
	if (jsonx_parse(a, json, strlen(json), &doc, NULL) != ERR_OK ||
	    (list = jsonx_member(doc, "channels")) == NULL)
		list = arr;
	for (i = 0; i < json_object_array_length(list); i++) {
		c = json_object_array_get_idx(list, i);
		if ((inq = json_object_get_int64(jsonx_member(c,
		    "inquiries"))) <= 0)
			continue;
		book = json_object_get_int64(jsonx_member(c, "bookings"));
		cost = jsonx_member(c, "cost_per_inquiry");
		at = "";
		if (jsonx_member(c, "spend") != NULL &&
		    json_object_array_length(jsonx_member(c, "spend")) > 1)
			/* Never added across currencies: said, not hidden. */
			at = " (its spend is in several currencies: the cost "
			    "per inquiry in each is on the Attribution page)";
		else if (cost != NULL && json_object_is_type(cost,
		    json_type_array) && json_object_array_length(cost) == 1 &&
		    jsonx_member(c, "spend") != NULL &&
		    json_object_array_length(jsonx_member(c, "spend")) == 1)
			at = arena_printf(a, " at %s per inquiry",
			    numfmt_value(a, json_object_get_double(
			    jsonx_member(json_object_array_get_idx(cost, 0),
			    "value")) * 1e6, "currency_micros", jsonx_str(
			    json_object_array_get_idx(cost, 0), "currency")));
		o = json_object_new_object();
		put_s(o, "sentence", arena_printf(a, "%s brought %lld %s and "
		    "%lld %s this %s%s", jsonx_str(c, "channel"),
		    (long long)inq, inq == 1 ? "inquiry" : "inquiries",
		    (long long)book,
		    book == 1 ? "booking" : "bookings",
		    kind == DIGEST_MONTHLY ? "month" : "week", at));
		json_object_array_add(arr, o);
	}
	json_object_object_add(v, "has_attribution",
	    json_object_new_boolean(json_object_array_length(arr) > 0));
	json_object_object_add(v, "attribution", json_object_get(arr));
	return ERR_OK;
}

/*
 * The period's top content (lib/metrics/content.h): the three items
 * published in it with the most engagement, as "top_content" [{line}]
 * and has_top_content: "Sandbox reel 3 (Instagram reel, 2026-11-30):
 * 1,234 engagements, 5,678 views".
 */
static enum err
content_view(const struct digest_env *env, int64_t ws,
    const struct insights_period *per, struct json_object *v)
{
	struct arena *a = env->arena;
	struct json_object *doc, *list, *it, *arr, *o, *views;
	const struct provider *p;
	const char *json, *cap, *what;
	size_t i;
	enum err rc;

	if ((rc = content_top_json(env->db, a, ws, per->start, per->end, 3,
	    &json)) != ERR_OK)
		return rc;
	arr = jsonx_own(a, json_object_new_array());
	if (jsonx_parse(a, json, strlen(json), &doc, NULL) != ERR_OK ||
	    (list = jsonx_member(doc, "overall")) == NULL)
		list = arr;
	for (i = 0; i < json_object_array_length(list); i++) {
		it = json_object_array_get_idx(list, i);
		p = provider_get(jsonx_str(it, "provider"));
		cap = jsonx_str(it, "caption");
		if (cap == NULL || *cap == '\0')
			cap = arena_printf(a, "Untitled %s", jsonx_str(it,
			    "type"));
		what = arena_printf(a, "%s %s", p != NULL ? p->name :
		    jsonx_str(it, "provider"), jsonx_str(it, "type"));
		views = jsonx_member(it, "views");
		o = json_object_new_object();
		put_s(o, "line", arena_printf(a, "%s (%s, %s): %s "
		    "engagements%s", cap, what, jsonx_str(it, "date"),
		    numfmt_value(a, json_object_get_double(jsonx_member(it,
		    "engagement")), "count", NULL), views != NULL && !json_object_is_type(
		    views, json_type_null) ? arena_printf(a, ", %s views",
		    numfmt_value(a, json_object_get_double(views), "count",
		    NULL)) : ""));
		json_object_array_add(arr, o);
	}
	json_object_object_add(v, "has_top_content",
	    json_object_new_boolean(json_object_array_length(arr) > 0));
	json_object_object_add(v, "top_content", json_object_get(arr));
	return ERR_OK;
}

/* Loads the workspace's week or month (period start NULL: the last full
 * one) through env->db. */
static enum err
prepare_on(const struct digest_env *env, enum digest_kind kind, int64_t ws,
    const char *start, struct prepared *pp)
{
	struct insights in;
	int prev_days;
	enum err rc;

	start = arena_strdup(env->arena, start);	/* may point into pp */
	memset(pp, 0, sizeof(*pp));
	pp->kind = kind;
	pp->ws = ws;
	if ((rc = digest_workspace_name(env, ws, &pp->name)) != ERR_OK)
		return rc;
	if (kind == DIGEST_MONTHLY) {
		if ((rc = monthly_period(env->db, env->arena, ws, start,
		    &pp->per, &prev_days)) != ERR_OK ||
		    (rc = monthly_load(env->db, env->arena, ws, &pp->per,
		    prev_days, &in)) != ERR_OK)
			return rc;
		pp->view = digest_month_view(env->arena, env->cfg->base_url,
		    pp->name, &pp->per, &in);
	} else {
		if ((rc = insights_period(env->db, env->arena, ws, start,
		    &pp->per)) != ERR_OK)
			return rc;
		if ((rc = insights_load(env->db, env->arena, ws, &pp->per,
		    &in)) != ERR_OK)
			return rc;
		pp->view = digest_view(env->arena, env->cfg->base_url,
		    pp->name, &pp->per, &in);
	}
	if ((rc = attribution_view(env, kind, ws, &pp->per, pp->view)) !=
	    ERR_OK ||
	    (rc = content_view(env, ws, &pp->per, pp->view)) != ERR_OK)
		return rc;
	pp->subject = json_object_get_string(json_object_object_get(pp->view,
	    "subject"));
	return ERR_OK;
}

/*
 * prepare_on() reading on the read replica when there is one and its last
 * check found it good (db_reader(): a digest only reads there) and the
 * caller holds no transaction (the scheduler's and cron's runs); a
 * workspace the replica does not have yet, or a replica that fails, is
 * read on the primary instead.
 */
static enum err
prepare(const struct digest_env *env, enum digest_kind kind, int64_t ws,
    const char *start, struct prepared *pp)
{
	struct digest_env on = *env;
	enum err rc;

	start = arena_strdup(env->arena, start);	/* may point into pp */
	/* Inside a transaction the caller may be scoped to a workspace
	 * (sql/050, an admin's run): its reads stay in it. */
	if (db_depth(env->db) > 0 ||
	    (on.db = db_reader(env->db, env->arena)) == env->db)
		return prepare_on(env, kind, ws, start, pp);
	if ((rc = prepare_on(&on, kind, ws, start, pp)) == ERR_OK)
		return ERR_OK;
	while (db_depth(on.db) > 0)
		db_rollback(on.db, env->arena);
	if (rc == ERR_UNAVAILABLE || rc == ERR_DB)
		db_replica_failed(env->db);
	return prepare_on(env, kind, ws, start, pp);
}

enum err
digest_render_view(const struct tmpl *t, struct arena *a,
    struct json_object *view, const char *to, const char *unsubscribe_url,
    const char **html_out, const char **text_out)
{
	struct buf *html, *text;
	char *plain;
	enum err rc;

	put_s(view, "recipient", to);
	put_s(view, "unsubscribe_url", unsubscribe_url);
	html = buf_new_arena(a, LIMIT_DIGEST_BODY);
	text = buf_new_arena(a, LIMIT_DIGEST_BODY);
	if ((rc = tmpl_render_buf(t, "email/digest_html", view, html)) !=
	    ERR_OK ||
	    (rc = tmpl_render_buf(t, "email/digest_text", view, text)) !=
	    ERR_OK) {
		log_msg(LOG_ERROR, NULL, "digest_render", "template: %s",
		    err_code(rc));
		return rc;
	}
	plain = arena_strdup(a, buf_cstr(text));
	tmpl_unescape(plain);
	*html_out = buf_cstr(html);
	*text_out = plain;
	return ERR_OK;
}

static enum err
render_for(const struct digest_env *env, const struct prepared *pp,
    const char *to, struct digest_mail *out)
{
	const char *token;

	memset(out, 0, sizeof(*out));
	if ((token = digest_unsub_token(env, pp->ws, to)) == NULL) {
		log_msg(LOG_ERROR, NULL, "digest_render", "no unsubscribe "
		    "key: set SLUICE_ENCRYPTION_KEYS or "
		    "SLUICE_UNSUBSCRIBE_SECRET");
		return ERR_UNAVAILABLE;
	}
	out->to = to;
	out->subject = pp->subject;
	/* Copies: pp may be the caller's local (digest_render's). */
	out->period_start = arena_strdup(env->arena, pp->per.start);
	out->period_end = arena_strdup(env->arena, pp->per.end);
	out->unsubscribe_url = arena_printf(env->arena,
	    "%s/v1/digest/unsubscribe?token=%s", env->cfg->base_url, token);
	return digest_render_view(env->tmpl, env->arena, pp->view, to,
	    out->unsubscribe_url, &out->html, &out->text);
}

enum err
digest_render_kind(const struct digest_env *env, enum digest_kind kind,
    int64_t workspace_id, const char *to, struct digest_mail *out)
{
	struct prepared pp;
	enum err rc;

	if (env->tmpl == NULL)
		return ERR_TEMPLATE;
	if ((rc = prepare(env, kind, workspace_id, NULL, &pp)) != ERR_OK)
		return rc;
	return render_for(env, &pp, to, out);
}

enum err
digest_render(const struct digest_env *env, int64_t workspace_id,
    const char *to, struct digest_mail *out)
{
	return digest_render_kind(env, DIGEST_WEEKLY, workspace_id, to, out);
}

/* --- sending ---------------------------------------------------------- */

struct run {
	const struct digest_env	*env;
	enum digest_kind	 kind;
	struct digest_report	*rep;
	const char		*run_id;	/* text */
	struct json_object	*errors;	/* arena-owned array */
	bool			 stop;		/* daily quota reached */
};

static void
run_error(struct run *r, const char *what)
{
	if (json_object_array_length(r->errors) < LIMIT_DIGEST_ERRORS)
		json_object_array_add(r->errors,
		    json_object_new_string(what));
}

/* The test-only crash between Resend's answer and its record. */
static void
fault_point(void)
{
	const char *f = getenv("SLUICE_DIGEST_FAULT_FILE");

	if (f != NULL && *f != '\0' && unlink(f) == 0) {
		log_msg(LOG_WARN, NULL, "digest_fault", "test fault: exiting "
		    "before the batch is recorded");
		_exit(3);
	}
}

/* Sends a stored batch request and records each row's outcome. */
static enum err
send_recorded(struct run *r, const char *batch_id, const char *body,
    const struct db_res *rows)
{
	const struct digest_env *env = r->env;
	struct email_result *res;
	struct email_call call;
	const char *p[3], *key;
	size_t i, n = db_nrows(rows);
	enum err rc;

	res = arena_calloc(env->arena, n + 1, sizeof(*res));
	key = arena_printf(env->arena, "sluice-digest-%s", batch_id);
	rc = email_send_batch(env->http, env->arena, env->cfg, body, n, key,
	    res, &call);
	if (rc != ERR_OK)
		return rc;
	fault_point();
	for (i = 0; i < n; i++) {
		p[0] = db_get(rows, i, 0);
		p[2] = r->run_id;
		if (res[i].outcome == EMAIL_SENT) {
			p[1] = res[i].id;
			rc = db_exec(env->db, env->arena, sql_sent, 3, p, NULL);
			r->rep->sent++;
		} else if (res[i].outcome == EMAIL_QUOTA) {
			rc = db_exec(env->db, env->arena, sql_release, 1, p,
			    NULL);
			r->rep->failed++;
			r->stop = r->rep->quota = true;
		} else {
			p[1] = res[i].error;
			rc = db_exec(env->db, env->arena, sql_failed, 3, p,
			    NULL);
			r->rep->failed++;
			run_error(r, arena_printf(env->arena, "%s: %s",
			    db_get(rows, i, 1), res[i].error));
		}
		if (rc != ERR_OK)
			return rc;
	}
	log_msg(LOG_INFO, NULL, "digest_batch", "batch %s: %zu emails, %d "
	    "attempts, last status %d", batch_id, n, call.attempts,
	    call.last_status);
	return ERR_OK;
}

/* Renders the claimed rows of a batch, stores the request, sends it. */
static enum err
render_store_send(struct run *r, const struct prepared *pp,
    const char *batch_id, const struct db_res *rows)
{
	const struct digest_env *env = r->env;
	struct email_msg *m;
	struct digest_mail mail;
	const char *p[6], *body;
	size_t i, n = db_nrows(rows);
	enum err rc;

	m = arena_calloc(env->arena, n + 1, sizeof(*m));
	for (i = 0; i < n; i++) {
		if ((rc = render_for(env, pp, db_get(rows, i, 1), &mail)) !=
		    ERR_OK)
			return rc;
		m[i].to = mail.to;
		m[i].subject = mail.subject;
		m[i].html = mail.html;
		m[i].text = mail.text;
		m[i].unsubscribe_url = mail.unsubscribe_url;
		m[i].tag = arena_printf(env->arena, "%c%lld-%s",
		    pp->kind == DIGEST_MONTHLY ? 'm' : 'w', (long long)pp->ws,
		    pp->per.start);
	}
	body = email_json_batch(env->arena, env->cfg, m, n);
	p[0] = batch_id;
	p[1] = db_int64(env->arena, pp->ws);
	p[2] = r->run_id;
	p[3] = pp->per.start;
	p[4] = body;
	p[5] = kind_name[pp->kind];
	if ((rc = db_exec(env->db, env->arena, sql_batch_store, 6, p,
	    NULL)) != ERR_OK)
		return rc;
	return send_recorded(r, batch_id, body, rows);
}

/*
 * The workspace's claimed rows no answer was recorded for: the same
 * request again.
 */
static enum err
recover(struct run *r, int64_t ws)
{
	const struct digest_env *env = r->env;
	struct db_res *pend, *rows, *req;
	struct prepared pp;
	const char *p[2];
	size_t i;
	enum err rc;
	int before;

	p[0] = db_int64(env->arena, LIMIT_DIGEST_KEY_AGE_S);
	p[1] = db_int64(env->arena, ws);
	if ((rc = db_exec(env->db, env->arena, sql_expire, 2, p, NULL)) !=
	    ERR_OK)
		return rc;
	if ((rc = db_exec(env->db, env->arena, sql_pending, 1, &p[1],
	    &pend)) != ERR_OK)
		return rc;
	for (i = 0; i < db_nrows(pend) && !r->stop; i++) {
		p[0] = db_get(pend, i, 0);
		if ((rc = db_exec(env->db, env->arena, sql_batch_rows, 1, p,
		    &rows)) != ERR_OK ||
		    (rc = db_exec(env->db, env->arena, sql_batch_request, 1,
		    p, &req)) != ERR_OK)
			return rc;
		before = r->rep->sent + r->rep->failed;
		if (db_nrows(req) == 1) {
			/* Sent (perhaps) before: exactly that request. */
			rc = send_recorded(r, p[0], db_get(req, 0, 0), rows);
		} else {
			/* Never stored, so never sent: render it now. */
			rc = prepare(env, strcmp(db_get(pend, i, 3),
			    "monthly") == 0 ? DIGEST_MONTHLY : DIGEST_WEEKLY,
			    db_get_int64(pend, i, 1, 0), db_get(pend, i, 2),
			    &pp);
			if (rc == ERR_OK)
				rc = render_store_send(r, &pp, p[0], rows);
		}
		if (rc != ERR_OK)
			return rc;
		r->rep->recovered += r->rep->sent + r->rep->failed - before;
	}
	return ERR_OK;
}

/* One workspace's period: count the suppressed, claim and send batches. */
static enum err
workspace_in(struct run *r, int64_t ws, const struct insights_period *per,
    const char *email)
{
	const struct digest_env *env = r->env;
	struct prepared pp;
	struct db_res *res, *rows;
	char id[CRYPTO_TOKEN_HEX_SIZE];
	const char *p[7];
	bool prepared = false;
	enum err rc;

	p[0] = db_int64(env->arena, ws);
	p[1] = email;
	p[2] = kind_name[r->kind];
	if ((rc = db_exec(env->db, env->arena, sql_suppressed, 3, p, &res)) !=
	    ERR_OK)
		return rc;
	r->rep->skipped += (int)db_get_int64(res, 0, 0, 0);
	memset(&pp, 0, sizeof(pp));
	pp.per = *per;
	while (!r->stop) {
		if ((rc = crypto_random_hex(id)) != ERR_OK)
			return rc;
		id[32] = '\0';		/* 128 bits are plenty for an id */
		p[1] = r->run_id;
		p[2] = pp.per.start;
		p[3] = id;
		p[4] = email;
		p[5] = db_int64(env->arena, LIMIT_DIGEST_BATCH);
		p[6] = kind_name[r->kind];
		if ((rc = db_exec(env->db, env->arena, sql_claim, 7, p,
		    NULL)) != ERR_OK)
			return rc;
		if ((rc = db_exec(env->db, env->arena, sql_batch_rows, 1,
		    &p[3], &rows)) != ERR_OK)
			return rc;
		if (db_nrows(rows) == 0)
			break;
		if (!prepared) {
			if ((rc = prepare(env, r->kind, ws, per->start,
			    &pp)) != ERR_OK)
				return rc;
			prepared = true;
		}
		if ((rc = render_store_send(r, &pp, id, rows)) != ERR_OK)
			return rc;
	}
	return ERR_OK;
}

static const char *const started_by_name[] = {
	[DIGEST_CRON] = "cron",
	[DIGEST_ADMIN] = "admin",
	[DIGEST_SCHEDULE] = "schedule",
};

/*
 * A workspace's run over its last full week, recorded in its own
 * digest_runs row (counts and errors of that workspace only), in an arena
 * of its own so that a run over many workspaces holds one workspace's
 * rendered emails at a time.  The counts are added to *rep (run_id set
 * to the row); the errors, prefixed with the workspace, to all_errors
 * when not NULL.  *stop says that Resend's daily quota stopped it.
 */
static enum err
workspace_run(const struct digest_env *env, enum digest_kind kind,
    enum digest_trigger by, int64_t ws, const char *email,
    struct digest_report *rep, struct json_object *all_errors, bool *stop)
{
	struct digest_env e = *env;
	struct digest_report wr;
	struct insights_period per;
	struct db_res *res;
	struct arena sub;
	struct run r;
	const char *p[7], *line;
	size_t i;
	int prev_days;
	enum err rc, rc2;

	arena_init(&sub);
	e.arena = &sub;
	memset(&wr, 0, sizeof(wr));
	*stop = false;
	rc = kind == DIGEST_MONTHLY ? monthly_period(e.db, &sub, ws, NULL,
	    &per, &prev_days) : insights_period(e.db, &sub, ws, NULL, &per);
	if (rc != ERR_OK) {
		if (rc == ERR_NOTFOUND)
			rc = ERR_OK;	/* deleted meanwhile: nothing to do */
		goto out;
	}
	p[0] = db_int64(&sub, ws);
	p[1] = started_by_name[by];
	p[2] = email == NULL ? "all" : "email";
	p[3] = per.start;
	p[4] = per.end;
	p[5] = kind_name[kind];
	if ((rc = db_exec(e.db, &sub, sql_run_ws, 6, p, &res)) != ERR_OK)
		goto out;
	memset(&r, 0, sizeof(r));
	r.env = &e;
	r.kind = kind;
	r.rep = &wr;
	r.run_id = db_get(res, 0, 0);
	r.errors = jsonx_own(&sub, json_object_new_array());
	wr.run_id = db_get_int64(res, 0, 0, 0);
	rc = recover(&r, ws);
	if (rc == ERR_OK)
		rc = workspace_in(&r, ws, &per, email);
	if (rc != ERR_OK)
		run_error(&r, arena_printf(&sub, "run stopped: %s",
		    err_code(rc)));
	if (r.stop)
		run_error(&r, "stopped: Resend's daily quota is reached (429 "
		    "daily_quota_exceeded); the unsent recipients wait for the "
		    "next run");
	p[0] = r.run_id;
	p[1] = db_int64(&sub, wr.sent);
	p[2] = db_int64(&sub, wr.skipped);
	p[3] = db_int64(&sub, wr.failed);
	p[4] = jsonx_string(&sub, r.errors);
	p[5] = email == NULL && rc == ERR_OK && !r.stop ? "t" : "f";
	p[6] = r.stop ? "t" : "f";
	rc2 = db_exec(e.db, &sub, sql_run_done, 7, p, NULL);
	if (rc == ERR_OK)
		rc = rc2;
	for (i = 0; all_errors != NULL &&
	    i < json_object_array_length(r.errors); i++) {
		line = json_object_get_string(json_object_array_get_idx(
		    r.errors, i));
		if (json_object_array_length(all_errors) < LIMIT_DIGEST_ERRORS)
			json_object_array_add(all_errors,
			    json_object_new_string(arena_printf(&sub,
			    "workspace %lld: %s", (long long)ws, line)));
	}
	*stop = r.stop;
out:
	rep->run_id = wr.run_id;
	rep->sent += wr.sent;
	rep->skipped += wr.skipped;
	rep->failed += wr.failed;
	rep->recovered += wr.recovered;
	rep->quota = rep->quota || wr.quota;
	rep->workspaces += wr.run_id > 0;
	arena_free(&sub);
	return rc;
}

/* *busy: the lock is held elsewhere. */
static enum err
try_lock(const struct digest_env *env, int64_t k1, int64_t k2, bool *busy)
{
	enum err rc;
	bool got;

	if ((rc = db_lock(env->db, env->arena, k1, k2, false, &got)) !=
	    ERR_OK)
		return rc;
	*busy = !got;
	return ERR_OK;
}

/* ERR_RATELIMIT with *wait when the cooldown of ws (0: of the runs over
 * every workspace) is not over. */
static enum err
cooldown(const struct digest_env *env, enum digest_kind kind, int64_t ws,
    long *wait)
{
	struct db_res *res;
	const char *p[3];
	enum err rc;

	p[0] = db_int64(env->arena, LIMIT_DIGEST_COOLDOWN_S);
	p[1] = ws > 0 ? db_int64(env->arena, ws) :
	    NULL;
	p[2] = kind_name[kind];
	if ((rc = db_exec(env->db, env->arena, sql_cooldown, 3, p, &res)) !=
	    ERR_OK)
		return rc;
	if (db_nrows(res) == 0)
		return ERR_OK;
	*wait = (long)db_get_int64(res, 0, 0, 1);
	return ERR_RATELIMIT;
}

/* ERR_RATELIMIT when the scheduler has nothing to do for ws now. */
static enum err
sched_due(const struct digest_env *env, enum digest_kind kind, int64_t ws,
    long *wait)
{
	struct insights_period per;
	struct db_res *res;
	const char *p[5];
	int prev_days;
	enum err rc;

	rc = kind == DIGEST_MONTHLY ? monthly_period(env->db, env->arena, ws,
	    NULL, &per, &prev_days) : insights_period(env->db, env->arena, ws,
	    NULL, &per);
	if (rc != ERR_OK)
		return rc;
	p[0] = db_int64(env->arena, ws);
	p[1] = per.start;
	p[2] = db_int64(env->arena, LIMIT_DIGEST_COOLDOWN_S);
	p[3] = db_int64(env->arena, LIMIT_DIGEST_QUOTA_WAIT_S);
	p[4] = kind_name[kind];
	if ((rc = db_exec(env->db, env->arena, sql_sched_done, 5, p, &res)) !=
	    ERR_OK)
		return rc;
	*wait = LIMIT_DIGEST_COOLDOWN_S;
	return db_nrows(res) == 0 ? ERR_OK : ERR_RATELIMIT;
}

/* Every workspace (of email's, when not NULL), behind cron's lock. */
static enum err
run_all(const struct digest_env *env, enum digest_kind kind,
    const char *email, struct digest_report *out, long *wait)
{
	struct arena *a = env->arena;
	struct json_object *errors;
	struct db_res *res, *wss;
	const char *p[7];
	bool busy, stop = false;
	int64_t run_id = 0, ws;
	enum err rc, rc2;
	size_t i;

	if ((rc = try_lock(env, DIGEST_LOCK, 1 + kind, &busy)) != ERR_OK)
		return rc;
	if (busy) {
		*wait = 60;
		return ERR_RATELIMIT;
	}
	if ((rc = cooldown(env, kind, 0, wait)) != ERR_OK)
		goto out;
	p[0] = email == NULL ? "all" : "email";
	p[1] = kind_name[kind];
	if ((rc = db_exec(env->db, a, sql_run_all, 2, p, &res)) != ERR_OK)
		goto out;
	run_id = db_get_int64(res, 0, 0, 0);
	errors = jsonx_own(a, json_object_new_array());
	p[0] = email;
	p[1] = "0";
	rc = db_exec(env->db, a, sql_workspaces, 2, p, &wss);
	for (i = 0; rc == ERR_OK && !stop && i < db_nrows(wss); i++) {
		/* Waits for a run of that workspace alone (an admin's). */
		ws = db_get_int64(wss, i, 0, 0);
		if ((rc = db_lock(env->db, a, WS_LOCK, ws, true, NULL)) !=
		    ERR_OK)
			break;
		rc = workspace_run(env, kind, DIGEST_CRON, ws, email, out,
		    errors, &stop);
		db_unlock(env->db, a, WS_LOCK, ws);
	}
	if (rc != ERR_OK && json_object_array_length(errors) < LIMIT_DIGEST_ERRORS)
		json_object_array_add(errors, json_object_new_string(
		    arena_printf(a, "run stopped: %s", err_code(rc))));
	p[0] = db_int64(a, run_id);
	p[1] = db_int64(a, out->sent);
	p[2] = db_int64(a, out->skipped);
	p[3] = db_int64(a, out->failed);
	p[4] = jsonx_string(a, errors);
	p[5] = email == NULL && rc == ERR_OK && !stop ? "t" : "f";
	p[6] = stop ? "t" : "f";
	rc2 = db_exec(env->db, a, sql_run_done, 7, p, NULL);
	if (rc == ERR_OK)
		rc = rc2;
out:
	out->run_id = run_id;
	db_unlock(env->db, a, DIGEST_LOCK, 1 + kind);
	return rc;
}

/* One workspace, behind its own lock: an admin's call or the schedule. */
static enum err
run_one(const struct digest_env *env, enum digest_kind kind,
    enum digest_trigger by, int64_t ws, const char *email,
    struct digest_report *out, long *wait)
{
	bool busy, stop;
	enum err rc;

	if ((rc = try_lock(env, WS_LOCK, ws, &busy)) != ERR_OK)
		return rc;
	if (busy) {
		*wait = 60;
		return ERR_RATELIMIT;
	}
	if (by == DIGEST_SCHEDULE)
		rc = sched_due(env, kind, ws, wait);
	else
		rc = cooldown(env, kind, ws, wait);
	if (rc == ERR_OK)
		rc = workspace_run(env, kind, by, ws, email, out, NULL, &stop);
	db_unlock(env->db, env->arena, WS_LOCK, ws);
	return rc;
}

enum err
digest_weekly(const struct digest_env *env, enum digest_trigger by,
    int64_t workspace_id, const char *email, struct digest_report *out,
    long *retry_after_s)
{
	return digest_run(env, DIGEST_WEEKLY, by, workspace_id, email, out,
	    retry_after_s);
}

enum err
digest_run(const struct digest_env *env, enum digest_kind kind,
    enum digest_trigger by, int64_t workspace_id, const char *email,
    struct digest_report *out, long *retry_after_s)
{
	memset(out, 0, sizeof(*out));
	if (kind < 0 || kind >= DIGEST_KIND__MAX)
		return ERR_INPUT;
	*retry_after_s = 0;
	if (!email_sending(env->cfg))
		return ERR_UNAVAILABLE;
	if (env->tmpl == NULL)
		return ERR_TEMPLATE;
	if (by == DIGEST_CRON && workspace_id == 0)
		return run_all(env, kind, email, out, retry_after_s);
	if (workspace_id <= 0 || (by == DIGEST_SCHEDULE && email != NULL))
		return ERR_INPUT;
	return run_one(env, kind, by, workspace_id, email, out,
	    retry_after_s);
}

enum err
digest_send_test(const struct digest_env *env, int64_t workspace_id,
    const char *to, bool override, const char **id_out, const char **why)
{
	struct digest_mail mail;
	struct email_msg m;
	struct email_result res;
	struct email_call call;
	struct db_res *sup;
	char key[CRYPTO_TOKEN_HEX_SIZE];
	enum err rc;

	*id_out = *why = NULL;
	if ((rc = db_exec(env->db, env->arena, sql_suppression, 1, &to,
	    &sup)) != ERR_OK)
		return rc;
	if (db_nrows(sup) > 0 && !override) {
		*why = arena_printf(env->arena, "%s gets no mail from Sluice: "
		    "it %s on %s, so the weekly digest skips it too. Send "
		    "the test elsewhere, or send it anyway with "
		    "\"override_suppression\": true.", to,
		    strcmp(db_get(sup, 0, 0), "complained") == 0 ?
		    "marked a digest as spam" : strcmp(db_get(sup, 0, 0),
		    "bounced") == 0 ? "bounced" : "was suppressed",
		    db_get(sup, 0, 1));
		return ERR_CONFLICT;
	}
	if (!email_sending(env->cfg))
		return ERR_UNAVAILABLE;
	if ((rc = digest_render(env, workspace_id, to, &mail)) != ERR_OK)
		return rc;
	memset(&m, 0, sizeof(m));
	m.to = mail.to;
	m.subject = arena_printf(env->arena, "[Test] %s", mail.subject);
	m.html = mail.html;
	m.text = mail.text;
	m.unsubscribe_url = mail.unsubscribe_url;
	m.tag = "test";
	if ((rc = crypto_random_hex(key)) != ERR_OK)
		return rc;
	rc = email_send_one(env->http, env->arena, env->cfg,
	    email_json_one(env->arena, env->cfg, &m),
	    arena_printf(env->arena, "sluice-test-%s", key), &res, &call);
	if (rc != ERR_OK)
		return rc;
	if (res.outcome != EMAIL_SENT) {
		*why = res.error;
		return ERR_UPSTREAM;
	}
	*id_out = res.id;
	return ERR_OK;
}

enum err
digest_status_json(const struct digest_env *env, enum digest_kind kind,
    int64_t workspace_id, const char **out)
{
	struct db_res *res;
	const char *p[2];
	enum err rc;

	p[0] = workspace_id > 0 ? arena_printf(env->arena, "%lld",
	    (long long)workspace_id) : NULL;
	p[1] = kind_name[kind < DIGEST_KIND__MAX ? kind : DIGEST_WEEKLY];
	if ((rc = db_exec(env->db, env->arena, sql_status, 2, p, &res)) !=
	    ERR_OK)
		return rc;
	*out = db_nrows(res) == 1 ? db_get(res, 0, 0) : "null";
	return ERR_OK;
}

enum err
digest_preferences(const struct digest_env *env, int64_t workspace_id,
    const char *email, bool *weekly_out, bool *monthly_out)
{
	struct db_res *res;
	const char *p[2];
	enum err rc;

	p[0] = db_int64(env->arena, workspace_id);
	p[1] = email;
	if ((rc = db_exec(env->db, env->arena, sql_prefs, 2, p, &res)) !=
	    ERR_OK)
		return rc;
	*weekly_out = db_nrows(res) != 1 || strcmp(db_get(res, 0, 0), "t") == 0;
	*monthly_out = db_nrows(res) == 1 && strcmp(db_get(res, 0, 1), "t") ==
	    0;
	return ERR_OK;
}

enum err
digest_set_preferences(const struct digest_env *env, int64_t workspace_id,
    const char *email, bool weekly, bool monthly)
{
	const char *p[4];

	p[0] = db_int64(env->arena, workspace_id);
	p[1] = email;
	p[2] = weekly ? "t" : "f";
	p[3] = monthly ? "t" : "f";
	return db_exec(env->db, env->arena, sql_prefs_set, 4, p, NULL);
}
