/*
 * digest.h — the weekly digest, sent to each recipient once per period.
 *
 * And the monthly one: each member chooses weekly (the default), monthly,
 * both or none in Settings (digest_subscriptions: subscribed is the
 * weekly digest, monthly the monthly one; an unsubscribe link stops
 * both).  The monthly digest covers the last full calendar month in the
 * workspace's zone against the month before (lib/mail/monthly.h), is due
 * from the 1st of the month, and has the same exactly-once machinery
 * below: a digest_sends row is unique per (workspace, recipient, kind,
 * period_start), runs and batches carry their kind, and each kind has
 * its own cooldown and cron lock.
 *
 * Both say which channels brought inquiries in their period, a sentence
 * each ("Google Ads brought 6 inquiries and 2 bookings this week at
 * €41.00 per inquiry": lib/business/attribution.h), the cost per inquiry
 * only where the channel's spend is in one currency.
 *
 * Rendering (insights into the email templates), signed unsubscribe
 * links, and sending each recipient at most one digest per period, ever.
 *
 * Exactly once.  A run claims up to LIMIT_DIGEST_BATCH unique
 * (workspace, recipient, period_start) rows of digest_sends under one
 * batch id before anything is sent (the UNIQUE constraint makes a second
 * claim impossible), stores the exact batch request in digest_batches,
 * sends it to Resend's batch endpoint with Idempotency-Key
 * "sluice-digest-<batch id>", then records each recipient's Resend id
 * and status.  A crash between sending and recording leaves rows
 * 'claimed': the next run re-sends exactly that stored request with the
 * same key, so Resend answers with the first call's ids instead of
 * sending again.  Resend keeps keys 24 hours only; a batch claimed
 * longer ago is marked failed, never re-sent (the rows are the real
 * guard).  A batch refused for the daily quota was not sent: its claims
 * are released and the run stops, so the next run sends them.  Other
 * failures stay recorded as failed (a 5xx may hide a send) and are not
 * tried again for that period.
 *
 * Runs belong to a workspace: each workspace's run is recorded in its own
 * digest_runs row (its counts, its errors), under an advisory lock of its
 * own.  Cron's call covers every workspace: one row per workspace plus a
 * summary row without one, behind a lock of its own, spaced by
 * LIMIT_DIGEST_COOLDOWN_S from the previous such call and never blocked
 * by one workspace's runs (it waits for a run in progress).  An admin's
 * call runs the admin's workspace only and has that workspace's
 * cooldown.  The scheduler (lib/sync/schedule) runs a workspace whose week
 * has no complete run yet.
 *
 * Unsubscribe tokens: base64url("<workspace id>:<email>") "." base64url(
 * HMAC-SHA256(key, "sluice-unsubscribe-v1:" payload)).  The key is
 * SHA-256("sluice-unsubscribe-v1:" SLUICE_UNSUBSCRIBE_SECRET) when that
 * is set, else HMAC-SHA256(the current (first) SLUICE_ENCRYPTION_KEYS
 * entry, "sluice-unsubscribe-v1"): rotating that key invalidates older
 * links, so set SLUICE_UNSUBSCRIBE_SECRET to keep links across rotations.
 *
 * Test-only fault hook: when SLUICE_DIGEST_FAULT_FILE names an existing
 * file, the process removes it and exits right after Resend answered a
 * batch and before the answer is recorded (one crash per file), so the
 * integration tests can show that the next run does not send twice.
 * Never set it in production.
 */
#ifndef SLUICE_DIGEST_H
#define SLUICE_DIGEST_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"

struct arena;
struct config;
struct db;
struct httpc;
struct insights;
struct insights_period;
struct json_object;
struct tmpl;

/* What the digest functions need; all process objects. */
struct digest_env {
	struct db		*db;
	struct arena		*arena;	/* the request's */
	const struct config	*cfg;
	const struct tmpl	*tmpl;
	struct httpc		*http;
};

/* A rendered digest, exactly as it would be sent; arena strings. */
struct digest_mail {
	const char	*to;
	const char	*subject;
	const char	*html;
	const char	*text;
	const char	*unsubscribe_url;
	const char	*period_start;	/* "YYYY-MM-DD" */
	const char	*period_end;
};

/*
 * The Content-Security-Policy to serve a rendered digest with in a
 * browser (previews): inline styles, data: images, nothing else.
 */
#define DIGEST_PREVIEW_CSP	"default-src 'none'; style-src " \
	"'unsafe-inline'; img-src data:; base-uri 'none'; " \
	"form-action 'none'; frame-ancestors 'none'"

/* Which digest: indexes the kind names stored in digest_runs, digest_sends
 * and digest_batches ("weekly", "monthly"). */
enum digest_kind {
	DIGEST_WEEKLY,
	DIGEST_MONTHLY,
	DIGEST_KIND__MAX
};

/* Who starts a weekly run: its lock, cooldown and record. */
enum digest_trigger {
	DIGEST_CRON,		/* X-Cron-Secret: every workspace */
	DIGEST_ADMIN,		/* an admin's API key: one workspace */
	DIGEST_SCHEDULE,	/* the scheduler: one workspace, when due */
	DIGEST_TRIGGER__MAX
};

/* What a weekly run did. */
struct digest_report {
	int64_t		 run_id;	/* the row (cron's: the summary) */
	int		 workspaces;	/* workspace rows written */
	int		 sent;
	int		 skipped;	/* suppressed addresses */
	int		 failed;
	int		 recovered;	/* claimed rows re-sent after a crash */
	bool		 quota;		/* stopped by the daily quota */
};

/*
 * Renders the digest of workspace_id for recipient `to` over the last
 * full week in the workspace's zone.  ERR_NOTFOUND (no workspace),
 * ERR_UNAVAILABLE (no unsubscribe key can be derived), ERR_TEMPLATE,
 * ERR_TOOBIG, database errors.
 */
enum err	 digest_render(const struct digest_env *, int64_t workspace_id,
		    const char *to, struct digest_mail *out);

/*
 * The email templates' view of a workspace's week (pure: no database):
 * {subject, workspace, period_label, period_start, period_end,
 * dashboard_url, has_insights, insights[{kind, title, action, color}],
 * has_kpis, sources[{name, kpis[{label, current, previous, change,
 * change_color, bar_cur, bar_cur_rest, bar_prev, bar_prev_rest}],
 * more}]}: a section for every source with numbers (up to
 * LIMIT_DIGEST_SOURCES, then one line counting the rest), each with its
 * headline KPI and those that moved most (LIMIT_DIGEST_KPIS_PER_SOURCE),
 * "and N more on your dashboard" for the others; rates change in
 * percentage points.  Owned by the arena.
 */
struct json_object *digest_view(struct arena *, const char *base_url,
		    const char *workspace, const struct insights_period *,
		    const struct insights *);

/*
 * digest_view() for a calendar month (its first day in per->start; in
 * from monthly_compute()): the same keys, the monthly words, a period
 * label such as "November 2026 (Europe/Paris)" and the subject "<name>
 * monthly digest: November 2026".  Owned by the arena.
 */
struct json_object *digest_month_view(struct arena *, const char *base_url,
		    const char *workspace, const struct insights_period *,
		    const struct insights *);

/* digest_render() of either kind (monthly: the last full month). */
enum err	 digest_render_kind(const struct digest_env *,
		    enum digest_kind, int64_t workspace_id, const char *to,
		    struct digest_mail *out);

/*
 * Renders a view for one recipient (adds "recipient" and
 * "unsubscribe_url" to it): *html_out from email/digest_html, *text_out
 * from email/digest_text as plain text (entities turned back into
 * characters).  Arena strings.  ERR_TEMPLATE, ERR_TOOBIG, ERR_NOTFOUND.
 */
enum err	 digest_render_view(const struct tmpl *, struct arena *,
		    struct json_object *view, const char *to,
		    const char *unsubscribe_url, const char **html_out,
		    const char **text_out);

/*
 * The workspace of `to` for a preview or a test send: the given one when
 * it is not 0 and `to` is a member; else the first workspace `to` is a
 * member of.  ERR_NOTFOUND when `to` is not a member anywhere (or not of
 * the given workspace).
 */
enum err	 digest_workspace_of(const struct digest_env *, int64_t given,
		    const char *to, int64_t *out);

/*
 * A weekly run for every subscribed member (email NULL) or only for one
 * address: DIGEST_CRON with workspace_id 0 over every workspace, else
 * over workspace_id alone.  Each workspace's week is its last full week
 * in its zone.  ERR_OK with *out filled.  ERR_RATELIMIT with
 * *retry_after_s: cron's call while another such call runs or less than
 * LIMIT_DIGEST_COOLDOWN_S after the last one ended; an admin's call while
 * a run of the workspace is in progress or less than the cooldown after
 * its last run; DIGEST_SCHEDULE when that workspace's week already has a
 * complete run, or a run ended within the cooldown (LIMIT_DIGEST_QUOTA_
 * WAIT_S after a quota stop), or one is in progress.  ERR_UNAVAILABLE
 * without SLUICE_RESEND_API_KEY; ERR_TEMPLATE without templates;
 * ERR_INPUT for a workspace_id of 0 without DIGEST_CRON; database
 * errors (the rows written so far say what was sent).
 */
enum err	 digest_weekly(const struct digest_env *,
		    enum digest_trigger, int64_t workspace_id,
		    const char *email, struct digest_report *out,
		    long *retry_after_s);

/*
 * digest_weekly() for either kind: a monthly run sends the last full
 * calendar month (each workspace's, in its zone; cron's summary row has
 * the UTC month) to the members who chose it, with the same locks,
 * cooldown (its own), records and errors.  ERR_INPUT for an unknown
 * kind.
 */
enum err	 digest_run(const struct digest_env *, enum digest_kind,
		    enum digest_trigger, int64_t workspace_id,
		    const char *email, struct digest_report *out,
		    long *retry_after_s);

/*
 * Sends one digest now to `to` (member of workspace_id), outside the
 * once-per-period accounting.  ERR_OK with *id_out Resend's id;
 * ERR_CONFLICT with *why when the address is suppressed (it bounced or
 * complained) and override is false; ERR_UPSTREAM with *why when Resend
 * refused or failed; ERR_UNAVAILABLE without SLUICE_RESEND_API_KEY;
 * render errors.
 */
enum err	 digest_send_test(const struct digest_env *,
		    int64_t workspace_id, const char *to, bool override,
		    const char **id_out, const char **why);

/*
 * The last run of the kind of workspace_id (0: the last run over every
 * workspace, cron's) as JSON text {run_id, workspace_id, started_by, scope,
 * period_start, period_end, started_at, finished_at, sent, skipped,
 * failed, complete, quota_reached, errors}, or "null"; arena string.
 * A workspace's errors name its own recipients only.
 */
enum err	 digest_status_json(const struct digest_env *,
		    enum digest_kind, int64_t workspace_id, const char **out);

/* The unsubscribe token of (workspace, email); NULL when no key. */
const char	*digest_unsub_token(const struct digest_env *,
		    int64_t workspace_id, const char *email);

/*
 * Checks a token: ERR_OK with the workspace and email (arena) it names,
 * ERR_AUTH when it is malformed or its signature does not match,
 * ERR_UNAVAILABLE when no key is configured.
 */
enum err	 digest_unsub_verify(const struct digest_env *,
		    const char *token, int64_t *workspace_out,
		    const char **email_out);

/*
 * Which digests email gets from the workspace: *weekly_out (true unless
 * turned off) and *monthly_out (false unless chosen).  Database errors.
 */
enum err	 digest_preferences(const struct digest_env *,
		    int64_t workspace_id, const char *email, bool *weekly_out,
		    bool *monthly_out);

/* Records email's choice of digests in the workspace. */
enum err	 digest_set_preferences(const struct digest_env *,
		    int64_t workspace_id, const char *email, bool weekly,
		    bool monthly);

/* Records that email no longer wants the workspace's digests (both). */
enum err	 digest_unsubscribe(const struct digest_env *,
		    int64_t workspace_id, const char *email);

/* The workspace's name, for pages; ERR_NOTFOUND. */
enum err	 digest_workspace_name(const struct digest_env *,
		    int64_t workspace_id, const char **out);

#endif
