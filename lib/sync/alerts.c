/*
 * alerts.c — alerts people get: the decision (pure), the worker's step
 * (open, resolve, log, email, prune) and the pages' banner (see
 * alerts.h).  Owns the alerts table and memberships.alert_emails.
 */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "base/arena.h"
#include "base/config.h"
#include "base/jsonx.h"
#include "base/limit.h"
#include "base/log.h"
#include "base/mem.h"
#include "mail/digest.h"
#include "mail/email.h"
#include "mail/notice.h"
#include "providers/provider.h"
#include "store/db.h"
#include "sync/alerts.h"

/* One step at a time over every worker: db_lock (7413, 1). */
#define ALERTS_LOCK	7413

/* A time in the workspace's zone, named: "5 Dec 10:02 (Europe/Paris)". */
#define SINCE(t, tz)	"to_char(" t " AT TIME ZONE " tz ", " \
	"'FMDD Mon HH24:MI') || ' (' || " tz " || ')'"

/*
 * What holds now.  Connections that may need an alert (needs_reauth,
 * a last error, an open incident): their status, how many of their last
 * $1 finished runs failed (rate-limited runs left out), and since when
 * (needs_reauth: when the status was set; else the first of those runs).
 * Workspaces whose last daily hour ($2 the default) at least $3 seconds
 * ago has a connected source, there before it, that neither started a
 * run nor synced since.  Columns: workspace, subject, status, failures,
 * missed, connection id, provider, since.
 */
static const char sql_facts[] =
	"WITH r AS (SELECT c.id, c.workspace_id, c.status, c.provider, "
	"c.updated_at, l.n, l.first FROM connections c "
	"CROSS JOIN LATERAL (SELECT count(*) FILTER (WHERE x.status = "
	"'error') AS n, min(x.started_at) AS first FROM (SELECT s.status, "
	"s.started_at FROM sync_runs s WHERE s.connection_id = c.id AND "
	"s.finished_at IS NOT NULL AND s.status NOT IN ('running', "
	"'rate_limited') ORDER BY s.started_at DESC, s.id DESC "
	"LIMIT $1::int) x) l "
	"WHERE c.status = 'needs_reauth' OR c.last_error IS NOT NULL OR "
	"c.id IN (SELECT a.connection_id FROM alerts a WHERE "
	"a.resolved_at IS NULL AND a.connection_id IS NOT NULL)), "
	"w AS (SELECT id, time_zone AS tz, (now() - make_interval(secs => "
	"$3::int)) AT TIME ZONE time_zone AS lt, make_interval(hours => "
	"coalesce(sync_hour, $2::int)) AS h FROM workspaces), "
	"d AS (SELECT id, (CASE WHEN date_trunc('day', lt) + h <= lt THEN "
	"date_trunc('day', lt) + h ELSE date_trunc('day', lt) + h - "
	"interval '1 day' END) AT TIME ZONE tz AS due FROM w) "
	"SELECT workspace_id, 'connection:' || id, status, n, false, id, "
	"provider, CASE WHEN status = 'needs_reauth' THEN updated_at ELSE "
	"coalesce(first, now()) END FROM r "
	"UNION ALL "
	"SELECT d.id, 'schedule', NULL, 0, true, NULL, NULL, d.due FROM d "
	"WHERE EXISTS (SELECT 1 FROM connections c WHERE c.workspace_id = "
	"d.id AND c.status = 'connected' AND c.created_at < d.due AND "
	"(c.last_sync_at IS NULL OR c.last_sync_at < d.due) AND NOT EXISTS "
	"(SELECT 1 FROM sync_runs s WHERE s.connection_id = c.id AND "
	"s.started_at >= d.due))";

static const char sql_open_list[] =
	"SELECT id, workspace_id, kind, subject FROM alerts "
	"WHERE resolved_at IS NULL ORDER BY id";

/* Opens one; nothing when it is open already (another worker). */
static const char sql_open[] =
	"INSERT INTO alerts AS a (workspace_id, kind, subject, connection_id, "
	"provider, opened_at) VALUES ($1, $2, $3, $4, $5, $6::timestamptz) "
	"ON CONFLICT (workspace_id, kind, subject) WHERE resolved_at IS NULL "
	"DO NOTHING RETURNING id, (SELECT " SINCE("a.opened_at", "w.time_zone")
	" FROM workspaces w WHERE w.id = a.workspace_id)";

static const char sql_resolve[] =
	"UPDATE alerts a SET resolved_at = now(), quiet = $3::boolean "
	"FROM workspaces w WHERE a.workspace_id = $1 AND a.id = $2 AND "
	"a.resolved_at IS NULL AND w.id = a.workspace_id "
	"RETURNING a.provider, " SINCE("a.opened_at", "w.time_zone");

/*
 * The login of connection c.id, for people, when the workspace has
 * several connections of provider p (NULL otherwise); control characters,
 * line and paragraph separators and bidirectional overrides become spaces
 * (it goes into an email's subject).
 */
#define LOGIN_OF(ws, p) \
	"CASE WHEN (SELECT count(*) FROM connections o WHERE " \
	"o.workspace_id = " ws " AND o.provider = " p ") > 1 THEN " \
	"regexp_replace(coalesce(nullif(c.owner_label, ''), " \
	"nullif(c.external_owner, ''), 'unnamed login'), " \
	"'[[:cntrl:]\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069]', " \
	"' ', 'g') END"

/*
 * Claims up to $1 opening ($2 false) or "resolved" ($2 true) emails;
 * with the connection's id while it exists and its login (LOGIN_OF).
 */
static const char sql_claim[] =
	"WITH c AS (SELECT id FROM alerts WHERE CASE WHEN $2::boolean THEN "
	"resolved_at IS NOT NULL AND emailed_at IS NOT NULL AND "
	"resolved_emailed_at IS NULL AND NOT quiet ELSE resolved_at IS NULL "
	"AND emailed_at IS NULL END ORDER BY id LIMIT $1::int "
	"FOR UPDATE SKIP LOCKED) "
	"UPDATE alerts a SET emailed_at = CASE WHEN $2::boolean THEN "
	"a.emailed_at ELSE now() END, resolved_emailed_at = CASE WHEN "
	"$2::boolean THEN now() END FROM c, workspaces w WHERE a.id = c.id "
	"AND w.id = a.workspace_id RETURNING a.id, a.workspace_id, a.kind, "
	"a.provider, " SINCE("a.opened_at", "w.time_zone") ", "
	"coalesce(" SINCE("a.resolved_at", "w.time_zone") ", ''), w.name, "
	"(SELECT c.id FROM connections c WHERE c.id = a.connection_id AND "
	"c.workspace_id = a.workspace_id), (SELECT " LOGIN_OF("a.workspace_id",
	"a.provider") " FROM connections c WHERE c.id = a.connection_id AND "
	"c.workspace_id = a.workspace_id)";

/* Owners and admins who want alerts, their address not suppressed. */
static const char sql_recipients[] =
	"SELECT u.email FROM memberships m JOIN users u ON u.id = m.user_id "
	"WHERE m.workspace_id = $1 AND m.role IN ('owner', 'admin') AND "
	"m.alert_emails AND NOT EXISTS (SELECT 1 FROM email_suppressions s "
	"WHERE s.email = lower(u.email)) ORDER BY lower(u.email) "
	"LIMIT $2::int";

static const char sql_prune[] =
	"DELETE FROM alerts WHERE resolved_at < now() - "
	"make_interval(days => $1::int)";

/* With the connection's login when the workspace has several
 * connections of its provider. */
static const char sql_banner[] =
	"SELECT a.kind, a.provider, " SINCE("a.opened_at", "w.time_zone")
	", a.connection_id, CASE WHEN (SELECT count(*) FROM connections o "
	"WHERE o.workspace_id = a.workspace_id AND o.provider = a.provider) "
	"> 1 THEN (SELECT coalesce(nullif(c.owner_label, ''), "
	"nullif(c.external_owner, ''), 'unnamed login') FROM connections c "
	"WHERE c.id = a.connection_id) END "
	"FROM alerts a JOIN workspaces w ON w.id = a.workspace_id "
	"WHERE a.workspace_id = $1 AND a.resolved_at IS NULL "
	"ORDER BY a.opened_at, a.id";

static const char sql_optin[] =
	"SELECT alert_emails FROM memberships WHERE workspace_id = $1 AND "
	"user_id = $2";

static const char sql_set_optin[] =
	"UPDATE memberships SET alert_emails = $3::boolean WHERE "
	"workspace_id = $1 AND user_id = $2 RETURNING 1";

/*
 * The words of each kind: every format takes the source's name (the
 * schedule's is "The daily sync") and, where there are two, the time.
 */
static const struct {
	const char	*name;		/* the table's */
	const char	*banner;	/* name, since */
	const char	*subject;	/* name */
	const char	*what;		/* name */
	const char	*todo;
	const char	*fixed;		/* name: the resolved email's subject */
	const char	*fixed_what;	/* name */
	const char	*action;	/* the link's words */
} kinds[ALERTS_KIND__MAX] = {
	[ALERTS_REAUTH] = { "needs_reauth",
	    "%s needs reconnecting since %s",
	    "%s needs reconnecting",
	    "Sluice can no longer sign in to %s: the access was revoked or "
	    "has expired. No new numbers arrive from it until it is "
	    "reconnected.",
	    "Open the connection, press Reconnect and sign in to the "
	    "account again.",
	    "%s is connected again",
	    "%s is connected again; its numbers arrive with the next sync.",
	    "Reconnect" },
	[ALERTS_FAILING] = { "sync_failing",
	    "Syncs of %s keep failing since %s",
	    "Syncs of %s keep failing",
	    "The last syncs of %s all ended in an error, so its numbers are "
	    "not up to date.",
	    "Open the connection to see each run's error. A fault at the "
	    "provider often passes by itself; if it goes on, test the "
	    "connection or reconnect it.",
	    "%s syncs again",
	    "A sync of %s succeeded; its numbers are up to date again.",
	    "See the sync history" },
	[ALERTS_MISSED] = { "daily_missed",
	    "%s did not start on time: it was due %s",
	    "%s did not run",
	    "%s of this workspace's sources did not start within two hours "
	    "of its hour, so the latest numbers are missing.",
	    "Check that the Sluice worker and its scheduler are running "
	    "(/readyz?details=1 shows when each was last seen), or, with the "
	    "built-in schedule off, that cron calls /internal/cron/sync-daily.",
	    "%s runs again",
	    "%s has started again.",
	    "See the schedule" },
};

const char *
alerts_kind_name(enum alerts_kind k)
{
	return k > ALERTS_NONE && k < ALERTS_KIND__MAX ? kinds[k].name : NULL;
}

enum alerts_kind
alerts_kind_of(const char *s)
{
	int k;

	for (k = ALERTS_NONE + 1; s != NULL && k < ALERTS_KIND__MAX; k++)
		if (strcmp(s, kinds[k].name) == 0)
			return (enum alerts_kind)k;
	return ALERTS_NONE;
}

enum alerts_kind
alerts_condition(const struct alerts_fact *f, int threshold)
{
	if (f->status == NULL)
		return f->missed ? ALERTS_MISSED : ALERTS_NONE;
	if (strcmp(f->status, "needs_reauth") == 0)
		return ALERTS_REAUTH;
	if ((strcmp(f->status, "connected") == 0 ||
	    strcmp(f->status, "error") == 0) && threshold > 0 &&
	    f->failures >= threshold)
		return ALERTS_FAILING;
	return ALERTS_NONE;
}

static bool
same(int64_t ws1, const char *s1, int64_t ws2, const char *s2)
{
	return ws1 == ws2 && strcmp(s1, s2) == 0;
}

size_t
alerts_decide(const struct alerts_fact *facts, size_t nf,
    const struct alerts_open *open, size_t no, int threshold,
    struct alerts_action *out)
{
	const struct alerts_fact *f;
	enum alerts_kind k, now;
	size_t i, j, n = 0;
	bool found, quiet;

	for (i = 0; i < nf; i++) {
		if ((k = alerts_condition(&facts[i], threshold)) ==
		    ALERTS_NONE)
			continue;
		for (found = false, j = 0; j < no && !found; j++)
			found = open[j].kind == k && same(open[j].workspace_id,
			    open[j].subject, facts[i].workspace_id,
			    facts[i].subject);
		if (!found)
			out[n++] = (struct alerts_action){ ALERTS_OPEN, k, i,
			    0 };
	}
	for (j = 0; j < no; j++) {
		for (f = NULL, i = 0; i < nf && f == NULL; i++)
			if (same(open[j].workspace_id, open[j].subject,
			    facts[i].workspace_id, facts[i].subject))
				f = &facts[i];
		now = f != NULL ? alerts_condition(f, threshold) : ALERTS_NONE;
		if (now == open[j].kind)
			continue;
		/* A connection's incident without a fact: the row is gone. */
		quiet = now != ALERTS_NONE || (open[j].kind != ALERTS_MISSED &&
		    (f == NULL || (f->status != NULL &&
		    strcmp(f->status, "disconnected") == 0)));
		out[n++] = (struct alerts_action){ quiet ? ALERTS_QUIET :
		    ALERTS_RESOLVE, open[j].kind, 0, j };
	}
	return n;
}

/* A source's name for people: the provider's, the slug when unknown. */
static const char *
source_name(enum alerts_kind k, const char *slug)
{
	const struct provider *p;

	if (k == ALERTS_MISSED || slug == NULL)
		return "The daily sync";
	return (p = provider_get(slug)) != NULL ? p->name : slug;
}

/* Where the banner and the email send people. */
static const char *
action_path(struct arena *a, enum alerts_kind k, const char *slug)
{
	if (k == ALERTS_MISSED || slug == NULL || provider_get(slug) == NULL)
		return "/connections";
	return arena_printf(a, "/connections/%s", slug);
}

const char *
alerts_banner_text(struct arena *a, enum alerts_kind k, const char *slug,
    const char *since, const char *login, int64_t conn,
    const char **action_out, const char **url_out)
{
	const char *name;

	if (k <= ALERTS_NONE || k >= ALERTS_KIND__MAX)
		k = ALERTS_FAILING;
	*action_out = kinds[k].action;
	*url_out = action_path(a, k, slug);
	name = source_name(k, slug);
	if (login != NULL && k != ALERTS_MISSED && conn > 0) {
		name = arena_printf(a, "%s (%s)", name, login);
		*url_out = arena_printf(a, "/connections/%lld",
		    (long long)conn);
	}
	return arena_printf(a, kinds[k].banner, name, since);
}

enum err
alerts_env_load(struct arena *a, struct alerts_env *env, const char **why)
{
	const struct config_long vars[] = {
		{ "SLUICE_ALERT_FAILURES", 3, 1, 100, &env->failures },
		{ "SLUICE_SCHEDULE_SYNC_HOUR", 3, 0, 23, &env->sync_hour },
	};

	return config_longs(a, vars, nitems(vars), why);
}

/* What one claimed email is about. */
struct mail_of {
	int64_t		 id;
	int64_t		 ws;
	enum alerts_kind kind;
	const char	*slug;
	const char	*since;
	const char	*resolved;	/* "" for an opening email */
	const char	*workspace;
	int64_t		 conn;		/* its connection, 0 when gone */
	const char	*login;		/* the connection's login, or NULL */
	bool		 fixed;		/* the "resolved" email */
};

static void
put(struct json_object *v, const char *k, const char *s)
{
	json_object_object_add(v, k, s != NULL ? json_object_new_string(s) :
	    NULL);
}

/* The email's view: see templates/email/alert_text.mustache. */
static struct json_object *
mail_view(struct arena *a, const struct alerts_env *env,
    const struct mail_of *m)
{
	struct json_object *v = jsonx_own(a, json_object_new_object());
	const char *name = source_name(m->kind, m->slug);
	const char *head, *path = action_path(a, m->kind, m->slug);

	/* By its id: the slug is a chooser once there are several logins. */
	if (m->kind != ALERTS_MISSED && m->conn > 0) {
		path = arena_printf(a, "/connections/%lld", (long long)m->conn);
		if (m->login != NULL)
			name = arena_printf(a, "%s (%s)", name, m->login);
	}

	head = arena_printf(a, m->fixed ? kinds[m->kind].fixed :
	    kinds[m->kind].subject, name);
	put(v, "headline", head);
	put(v, "subject", arena_printf(a, "[Sluice] %s%s (%s)", m->fixed ?
	    "Resolved: " : "", head, m->workspace));
	put(v, "what", arena_printf(a, m->fixed ? kinds[m->kind].fixed_what :
	    kinds[m->kind].what, name));
	put(v, "since", m->since);
	put(v, "resolved_at", m->fixed ? m->resolved : NULL);
	put(v, "todo", m->fixed ? NULL : kinds[m->kind].todo);
	put(v, "action", m->fixed ? "Open it" : kinds[m->kind].action);
	put(v, "action_url", arena_printf(a, "%s%s", env->cfg->base_url,
	    path));
	put(v, "workspace", m->workspace);
	put(v, "settings_url", arena_printf(a, "%s/settings#alerts-heading",
	    env->cfg->base_url));
	json_object_object_add(v, "resolved", json_object_new_boolean(
	    m->fixed));
	return v;
}

/* Renders one recipient's email into msg (lib/mail/notice.h). */
static enum err
render(struct arena *a, const struct alerts_env *env,
    struct json_object *v, const char *to, struct email_msg *msg)
{
	enum err rc;

	put(v, "recipient", to);
	if ((rc = notice_render(a, env->tmpl, "alert", v, to, jsonx_str(v,
	    "subject"), msg)) != ERR_OK)
		log_msg(LOG_ERROR, NULL, "alerts", "template: %s",
		    err_code(rc));
	return rc;
}

/* Sends one incident's email to its recipients; counts in *out. */
static enum err
mail_one(const struct alerts_env *env, struct arena *a,
    const struct mail_of *m, struct alerts_report *out)
{
	struct json_object *v;
	struct email_msg *msgs;
	struct email_result *res;
	struct email_call call;
	struct db_res *r;
	const char *p[2], *body, *key;
	size_t i, n;
	enum err rc;

	p[0] = db_int64(a, m->ws);
	p[1] = db_int64(a, LIMIT_ALERT_RECIPIENTS);
	if ((rc = db_exec(env->db, a, sql_recipients, 2, p, &r)) != ERR_OK)
		return rc;
	if ((n = db_nrows(r)) == 0)
		return ERR_OK;
	v = mail_view(a, env, m);
	msgs = arena_calloc(a, n, sizeof(*msgs));
	res = arena_calloc(a, n, sizeof(*res));
	for (i = 0; i < n; i++)
		if ((rc = render(a, env, v, db_get(r, i, 0), &msgs[i])) !=
		    ERR_OK)
			return ERR_OK;	/* logged; nothing to send */
	body = email_json_batch(a, env->cfg, msgs, n);
	key = arena_printf(a, "sluice-alert-%lld-%s", (long long)m->id,
	    m->fixed ? "resolved" : "open");
	rc = email_send_batch(env->http, a, env->cfg, body, n, key, res,
	    &call);
	for (i = 0; i < n; i++) {
		if (rc == ERR_OK && res[i].outcome == EMAIL_SENT) {
			out->emails++;
			continue;
		}
		out->failed++;
		log_msg(LOG_WARN, NULL, "alerts", "alert %lld: the %s email "
		    "to an admin of workspace %lld was not sent: %s",
		    (long long)m->id, m->fixed ? "resolved" : "opening",
		    (long long)m->ws, rc != ERR_OK ? err_code(rc) :
		    res[i].error != NULL ? res[i].error : "refused");
	}
	return ERR_OK;
}

/* Claims and sends the due opening (fixed false) or resolved emails. */
static enum err
mail_due(const struct alerts_env *env, struct arena *a, bool fixed,
    struct alerts_report *out)
{
	struct mail_of m;
	struct db_res *r;
	const char *p[2];
	size_t i;
	enum err rc;

	p[0] = db_int64(a, LIMIT_ALERT_EMAILS);
	p[1] = fixed ? "t" : "f";
	if ((rc = db_exec(env->db, a, sql_claim, 2, p, &r)) != ERR_OK)
		return rc;
	for (i = 0; i < db_nrows(r); i++) {
		memset(&m, 0, sizeof(m));
		m.id = db_get_int64(r, i, 0, 0);
		m.ws = db_get_int64(r, i, 1, 0);
		m.kind = alerts_kind_of(db_get(r, i, 2));
		m.slug = db_get(r, i, 3);
		m.since = db_get(r, i, 4);
		m.resolved = db_get(r, i, 5);
		m.workspace = db_get(r, i, 6);
		m.conn = db_get_int64(r, i, 7, 0);
		m.login = db_get(r, i, 8);
		m.fixed = fixed;
		if (m.kind == ALERTS_NONE)
			continue;
		if ((rc = mail_one(env, a, &m, out)) != ERR_OK)
			return rc;
	}
	return ERR_OK;
}

/* Whether this step can send: Resend configured, templates loaded. */
static bool
can_mail(const struct alerts_env *env)
{
	return email_sending(env->cfg) && env->tmpl != NULL;
}

/* Opens the incident of facts row i of res; logs it once. */
static enum err
open_one(const struct alerts_env *env, struct arena *a, struct db_res *res,
    size_t i, enum alerts_kind k, struct alerts_report *out)
{
	struct db_res *r;
	const char *p[6];
	enum err rc;

	p[0] = db_get(res, i, 0);
	p[1] = kinds[k].name;
	p[2] = db_get(res, i, 1);
	p[3] = db_get(res, i, 5);
	p[4] = db_get(res, i, 6);
	p[5] = db_get(res, i, 7);
	if ((rc = db_exec(env->db, a, sql_open, 6, p, &r)) != ERR_OK)
		return rc;
	if (db_nrows(r) == 0)
		return ERR_OK;
	out->opened++;
	log_msg(LOG_WARN, NULL, "alerts", "alert %s opened in workspace %s: "
	    "%s%s", db_get(r, 0, 0), p[0], arena_printf(a, kinds[k].banner,
	    source_name(k, p[4]), db_get(r, 0, 1)), can_mail(env) ? "" :
	    " (no email: neither SLUICE_RESEND_API_KEY nor SLUICE_MAIL_DIR "
	    "is set, or the templates are not loaded; the pages show it)");
	return ERR_OK;
}

static enum err
resolve_one(const struct alerts_env *env, struct arena *a,
    const struct alerts_open *o, bool quiet, struct alerts_report *out)
{
	struct db_res *r;
	const char *p[3];
	enum err rc;

	p[0] = db_int64(a, o->workspace_id);
	p[1] = db_int64(a, o->id);
	p[2] = quiet ? "t" : "f";
	if ((rc = db_exec(env->db, a, sql_resolve, 3, p, &r)) != ERR_OK)
		return rc;
	if (db_nrows(r) == 0)
		return ERR_OK;
	out->resolved++;
	log_msg(LOG_INFO, NULL, "alerts", "alert %lld resolved in workspace "
	    "%lld: %s%s", (long long)o->id, (long long)o->workspace_id,
	    arena_printf(a, kinds[o->kind].banner, source_name(o->kind,
	    db_get(r, 0, 0)), db_get(r, 0, 1)), quiet ? " (no \"resolved\" "
	    "email: another alert took its place, or the source was "
	    "disconnected or removed)" : "");
	return ERR_OK;
}

/* Decides and acts: the facts and open incidents in, rows out. */
static enum err
decide_and_act(const struct alerts_env *env, struct arena *a,
    struct alerts_report *out)
{
	struct alerts_fact *facts;
	struct alerts_open *open;
	struct alerts_action *acts;
	struct db_res *fr, *or;
	const char *p[3];
	size_t nf, no, na, i;
	enum err rc;

	p[0] = db_int64(a, env->failures);
	p[1] = db_int64(a, env->sync_hour);
	p[2] = db_int64(a, LIMIT_ALERT_LATE_S);
	if ((rc = db_exec(env->db, a, sql_facts, 3, p, &fr)) != ERR_OK ||
	    (rc = db_exec(env->db, a, sql_open_list, 0, NULL, &or)) != ERR_OK)
		return rc;
	nf = db_nrows(fr);
	no = db_nrows(or);
	facts = arena_calloc(a, nf + 1, sizeof(*facts));
	open = arena_calloc(a, no + 1, sizeof(*open));
	acts = arena_calloc(a, nf + no + 1, sizeof(*acts));
	for (i = 0; i < nf; i++) {
		facts[i].workspace_id = db_get_int64(fr, i, 0, 0);
		facts[i].subject = db_get(fr, i, 1);
		facts[i].status = db_get(fr, i, 2);
		facts[i].failures = (int)db_get_int64(fr, i, 3, 0);
		facts[i].missed = strcmp(db_get(fr, i, 4), "t") == 0;
	}
	for (i = 0; i < no; i++) {
		open[i].id = db_get_int64(or, i, 0, 0);
		open[i].workspace_id = db_get_int64(or, i, 1, 0);
		open[i].kind = alerts_kind_of(db_get(or, i, 2));
		open[i].subject = db_get(or, i, 3);
	}
	na = alerts_decide(facts, nf, open, no, (int)env->failures, acts);
	for (i = 0; i < na; i++) {
		if (acts[i].what == ALERTS_OPEN)
			rc = open_one(env, a, fr, acts[i].fact, acts[i].kind,
			    out);
		else
			rc = resolve_one(env, a, &open[acts[i].open],
			    acts[i].what == ALERTS_QUIET, out);
		if (rc != ERR_OK)
			return rc;
	}
	return ERR_OK;
}

enum err
alerts_step(const struct alerts_env *env, struct arena *a,
    struct alerts_report *out)
{
	const char *p[1];
	bool got = false;
	enum err rc;

	memset(out, 0, sizeof(*out));
	if ((rc = db_lock(env->db, a, ALERTS_LOCK, 1, false, &got)) !=
	    ERR_OK)
		return rc;
	if (!got)
		return ERR_OK;
	out->ran = true;
	if ((rc = decide_and_act(env, a, out)) != ERR_OK)
		goto out;
	if (can_mail(env) && ((rc = mail_due(env, a, false, out)) != ERR_OK ||
	    (rc = mail_due(env, a, true, out)) != ERR_OK))
		goto out;
	p[0] = db_int64(a, LIMIT_ALERT_KEEP_DAYS);
	rc = db_exec(env->db, a, sql_prune, 1, p, NULL);
out:
	db_unlock(env->db, a, ALERTS_LOCK, 1);
	return rc;
}

enum err
alerts_banner(struct db *db, struct arena *a, int64_t ws,
    struct json_object **out)
{
	struct json_object *list, *o;
	struct db_res *r;
	const char *p[1], *action, *url;
	size_t i;
	enum err rc;

	*out = list = jsonx_own(a, json_object_new_array());
	p[0] = db_int64(a, ws);
	if ((rc = db_exec_static(db, a, sql_banner, 1, p, &r)) != ERR_OK)
		return rc;
	for (i = 0; i < db_nrows(r); i++) {
		o = json_object_new_object();
		put(o, "text", alerts_banner_text(a, alerts_kind_of(db_get(r,
		    i, 0)), db_get(r, i, 1), db_get(r, i, 2), db_get(r, i, 4),
		    db_get_int64(r, i, 3, 0), &action, &url));
		put(o, "action", action);
		put(o, "url", url);
		json_object_array_add(list, o);
	}
	return ERR_OK;
}

enum err
alerts_optin(struct db *db, struct arena *a, int64_t ws, int64_t user,
    bool *on)
{
	struct db_res *r;
	const char *p[2];
	enum err rc;

	*on = false;
	p[0] = db_int64(a, ws);
	p[1] = db_int64(a, user);
	if ((rc = db_exec(db, a, sql_optin, 2, p, &r)) != ERR_OK)
		return rc;
	if (db_nrows(r) != 1)
		return ERR_NOTFOUND;
	*on = strcmp(db_get(r, 0, 0), "t") == 0;
	return ERR_OK;
}

enum err
alerts_set_optin(struct db *db, struct arena *a, int64_t ws, int64_t user,
    bool on)
{
	struct db_res *r;
	const char *p[3];
	enum err rc;

	p[0] = db_int64(a, ws);
	p[1] = db_int64(a, user);
	p[2] = on ? "t" : "f";
	if ((rc = db_exec(db, a, sql_set_optin, 3, p, &r)) != ERR_OK)
		return rc;
	return db_nrows(r) == 1 ? ERR_OK : ERR_NOTFOUND;
}
