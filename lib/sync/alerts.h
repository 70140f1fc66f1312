/*
 * alerts.h — alerts people get: a source that needs attention.
 *
 * Three incidents: a connection that needs reconnecting (needs_reauth), a
 * connection whose last SLUICE_ALERT_FAILURES finished syncs all failed
 * (default 3; runs stopped by a rate limit do not count), and a
 * workspace whose daily sync did not start within LIMIT_ALERT_LATE_S of
 * its hour (a connected source, there before that hour, that neither ran
 * nor synced since).  Each incident is one row of the alerts table
 * (sql/190_alerts.sql), open until the condition passes (reconnected, a
 * sync succeeds, the daily run happens, the connection is gone).
 *
 * The worker runs alerts_step() about every LIMIT_ALERT_STEP_S seconds
 * (cgi-bin/worker.c: its first worker, and `worker --once` at its end).
 * A step holds a non-blocking advisory lock (db_lock: also behind a
 * pooler), so only one worker steps at a time, and the partial unique
 * index on open incidents keeps even two from opening one twice.  Each
 * open and each resolution is logged once (the log carries it when no
 * email goes out).  With SLUICE_RESEND_API_KEY and the templates, the
 * workspace's owners and admins who did not opt out (memberships.
 * alert_emails) and whose address is not suppressed get one email when
 * an incident opens and one when it is resolved; an incident never
 * emailed gets no "resolved" email.  Emails are claimed before they are
 * sent (at most once, a Resend idempotency key per incident and kind of
 * email).  Resolved incidents are deleted after LIMIT_ALERT_KEEP_DAYS.
 *
 * Strings returned live in the caller's arena.
 */
#ifndef SLUICE_ALERTS_H
#define SLUICE_ALERTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct arena;
struct config;
struct db;
struct httpc;
struct json_object;
struct tmpl;

/* The kinds of incident (the alerts table's kind, by alerts_kind_name). */
enum alerts_kind {
	ALERTS_NONE,
	ALERTS_REAUTH,		/* "needs_reauth" */
	ALERTS_FAILING,		/* "sync_failing" */
	ALERTS_MISSED,		/* "daily_missed" */
	ALERTS_KIND__MAX
};

/* The kind's name in the table, NULL for ALERTS_NONE. */
const char	*alerts_kind_name(enum alerts_kind);

/* The kind named s, ALERTS_NONE when none. */
enum alerts_kind alerts_kind_of(const char *s);

/*
 * What the step knows of one subject now: a connection (status set) or a
 * workspace's schedule (status NULL).  Subjects without a fact are fine.
 */
struct alerts_fact {
	int64_t		 workspace_id;
	const char	*subject;	/* "connection:<id>" or "schedule" */
	const char	*status;	/* the connection's status, or NULL */
	int		 failures;	/* failed among its last N runs */
	bool		 missed;	/* the schedule: daily run overdue */
};

/* An incident open now. */
struct alerts_open {
	int64_t		 id;
	int64_t		 workspace_id;
	enum alerts_kind kind;
	const char	*subject;
};

/* What the step does. */
enum alerts_do {
	ALERTS_OPEN,		/* open kind for facts[fact] */
	ALERTS_RESOLVE,		/* open[open] recovered: "resolved" email */
	ALERTS_QUIET,		/* open[open] ended without an email */
};

struct alerts_action {
	enum alerts_do	 what;
	enum alerts_kind kind;		/* OPEN: the kind */
	size_t		 fact;		/* OPEN: index into the facts */
	size_t		 open;		/* RESOLVE, QUIET: into open */
};

/*
 * The incident a fact amounts to (pure): ALERTS_REAUTH for a connection
 * in needs_reauth, ALERTS_FAILING for a connected (or error) one whose
 * failures reach threshold, ALERTS_MISSED for a schedule fact that
 * missed, else ALERTS_NONE (a disconnected source alerts nothing).
 */
enum alerts_kind alerts_condition(const struct alerts_fact *,
		    int threshold);

/*
 * Decides (pure: state in, actions out) what to open and what to
 * resolve: an OPEN for every fact whose condition has no open incident of
 * that workspace, kind and subject; for every open incident whose
 * condition no longer holds, a RESOLVE (the source recovered), or a
 * QUIET when nobody needs a "resolved" note: the same subject now has
 * another condition (failing, then needs reconnecting), or its
 * connection was disconnected or is gone (no fact).  out must have room
 * for nf + no actions; returns how many were written (OPENs first, in
 * fact order).
 */
size_t		 alerts_decide(const struct alerts_fact *facts, size_t nf,
		    const struct alerts_open *open, size_t no, int threshold,
		    struct alerts_action *out);

/*
 * The banner's words for an incident (pure), e.g. "LinkedIn needs
 * reconnecting since 5 Dec 10:02 (Europe/Paris)": provider the
 * connection's slug (NULL for the schedule), since the formatted local
 * time with its zone.  *action_out and *url_out: the link's words and
 * path ("Reconnect", "/connections/linkedin").  With login (not NULL:
 * the workspace has several connections of the provider) the source is
 * named with it, "Google Analytics 4 (ana@agency.example)", and the
 * path is the connection's, /connections/<conn>.  Arena strings.
 */
const char	*alerts_banner_text(struct arena *, enum alerts_kind,
		    const char *provider, const char *since, const char *login,
		    int64_t conn, const char **action_out,
		    const char **url_out);

/* The step's settings and process objects. */
struct alerts_env {
	struct db		*db;
	const struct config	*cfg;
	const struct tmpl	*tmpl;	/* NULL: no emails */
	struct httpc		*http;
	long			 failures;	/* SLUICE_ALERT_FAILURES */
	long			 sync_hour;	/* SLUICE_SCHEDULE_SYNC_HOUR */
};

/*
 * Reads SLUICE_ALERT_FAILURES (1..100, default 3) and
 * SLUICE_SCHEDULE_SYNC_HOUR into env.  ERR_INPUT with *why (arena) when
 * one does not parse.
 */
enum err	 alerts_env_load(struct arena *, struct alerts_env *,
		    const char **why);

/* What one step did. */
struct alerts_report {
	bool	ran;		/* false: another worker held the lock */
	int	opened;
	int	resolved;
	int	emails;		/* sent */
	int	failed;		/* emails refused or given up */
};

/*
 * One step: decide, open and resolve, log, send the due emails, delete
 * old resolved incidents.  Errors of the database (nothing half done: a
 * later step picks up); an email's failure is logged and the step goes
 * on.
 */
enum err	 alerts_step(const struct alerts_env *, struct arena *,
		    struct alerts_report *out);

/*
 * The open incidents of a workspace for the pages' banner, as a JSON
 * array of {text, action, url}, oldest first (arena-owned; empty when
 * none).  Reads only the workspace's rows.  Errors of the database.
 */
enum err	 alerts_banner(struct db *, struct arena *,
		    int64_t workspace_id, struct json_object **out);

/*
 * Whether user gets alert emails in the workspace (*on), and sets it.
 * ERR_NOTFOUND when the user is no member; database errors.
 */
enum err	 alerts_optin(struct db *, struct arena *, int64_t workspace_id,
		    int64_t user_id, bool *on);
enum err	 alerts_set_optin(struct db *, struct arena *,
		    int64_t workspace_id, int64_t user_id, bool on);

#endif
