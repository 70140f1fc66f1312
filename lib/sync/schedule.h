/*
 * schedule.h — the built-in schedule: daily syncs, the weekly digest.
 *
 * Sluice keeps its own schedule: each workspace's daily sync at a local
 * hour, and the weekly digest at a local day and hour, without crontab
 * lines.
 *
 * The worker daemon (cgi-bin/worker.c) runs one scheduler process beside
 * its workers; it ticks every SLUICE_SCHEDULER_TICK_S seconds.  A tick
 * enqueues the daily jobs that are due (syncq_enqueue_due: the queue's
 * one daily job per connection and day), sends the weekly digest of the
 * workspaces whose week has no complete run yet (digest_weekly with
 * DIGEST_SCHEDULE: each recipient once per period), from the 1st of a
 * month at the digest hour the monthly digest of the workspaces where a
 * member chose it and whose last month has no complete run (digest_run
 * with DIGEST_MONTHLY), deletes old finished
 * jobs once an hour, and records a heartbeat in scheduler_beats.  Every
 * step is safe beside cron's calls and beside other schedulers on other
 * hosts: the database decides, nothing is doubled.  The pages and
 * /internal/scheduler-status show the next runs and a scheduler that
 * stopped ticking.  SLUICE_SCHEDULER=0 turns it off in favour of cron.
 *
 * Strings returned live in the caller's arena.
 */
#ifndef SLUICE_SCHEDULE_H
#define SLUICE_SCHEDULE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct arena;
struct config;
struct db;
struct httpc;
struct tmpl;

/* The schedule's settings (SLUICE_SCHEDULE..., README.md, Schedule). */
struct schedule_cfg {
	bool	enabled;	/* SLUICE_SCHEDULER */
	long	tick_s;		/* SLUICE_SCHEDULER_TICK_S */
	long	stale_s;	/* SLUICE_SCHEDULER_STALE_S: shown as stuck */
	long	sync_hour;	/* SLUICE_SCHEDULE_SYNC_HOUR, 0..23 */
	long	digest_day;	/* SLUICE_SCHEDULE_DIGEST_DAY, 1 Mon..7 Sun */
	long	digest_hour;	/* SLUICE_SCHEDULE_DIGEST_HOUR, 0..23 */
	long	keep_jobs_days;	/* SLUICE_SYNC_KEEP_JOBS_DAYS */
};

/*
 * Reads the settings from the environment.  ERR_INPUT with *why (in the
 * arena) naming the variable and what it accepts when one does not parse.
 */
enum err	 schedule_cfg_load(struct arena *, struct schedule_cfg *,
		    const char **why);

/* A scheduler process's state (process lifetime). */
struct schedule_env {
	struct db			*db;	/* synchronous commit */
	const struct config		*cfg;
	const struct tmpl		*tmpl;	/* NULL: no digest */
	struct httpc			*http;
	const struct schedule_cfg	*sc;
	const char			*name;	/* "host:pid" */
	volatile sig_atomic_t		*stopping; /* set on SIGTERM */
	long				 last_purge; /* time(), 0: never */
};

/* What one tick did. */
struct schedule_tick {
	long	enqueued;	/* daily jobs queued */
	long	due;		/* connections that were due */
	long	purged;		/* finished jobs deleted */
	int	digests;	/* workspaces whose digest ran */
	int	sent;		/* digest emails sent */
	int	failed;		/* digest emails that failed */
};

/*
 * One tick: the due daily jobs, the due digests (when Resend is
 * configured and templates are loaded), the hourly purge, then the
 * heartbeat (also after each workspace's digest), so a scheduler that
 * fails every tick shows as stuck.  Stops between digests when
 * *env->stopping is set.  Errors of the database; a digest's failure is
 * logged and recorded on its run, and the tick goes on.
 */
enum err	 schedule_tick(struct schedule_env *, struct arena *,
		    struct schedule_tick *out);

/* What the pages show about a workspace's schedule. */
struct schedule_view {
	bool		 enabled;	/* SLUICE_SCHEDULER */
	const char	*time_zone;	/* the workspace's */
	int		 sync_hour;	/* the hour in effect */
	bool		 sync_hour_default; /* the workspace chose none */
	int		 default_hour;	/* SLUICE_SCHEDULE_SYNC_HOUR */
	const char	*next_sync;	/* "2026-03-02 03:00 Europe/Paris" */
	const char	*next_digest;	/* same form; NULL: no digest */
	const char	*last_tick;	/* same form; NULL: never ticked */
	long		 tick_age_s;	/* seconds since, -1: never */
	bool		 stale;		/* enabled, no tick within stale_s */
};

/*
 * The workspace's schedule for the pages; digest_on says whether Resend
 * is configured.  ERR_NOTFOUND when there is no such workspace.
 */
enum err	 schedule_workspace(struct db *, struct arena *,
		    const struct schedule_cfg *, bool digest_on,
		    int64_t workspace_id, struct schedule_view *out);

/*
 * Sets the workspace's local sync hour (0..23), or -1 to follow
 * SLUICE_SCHEDULE_SYNC_HOUR.  ERR_INPUT for another hour, ERR_NOTFOUND.
 */
enum err	 schedule_set_hour(struct db *, struct arena *,
		    int64_t workspace_id, int hour);

/*
 * Seconds since any scheduler last ticked (*age_s; -1 when none ever
 * did).  Errors of the database.
 */
enum err	 schedule_beat_age(struct db *, struct arena *, long *age_s);

/*
 * The scheduler's state as JSON text: {"enabled","tick_s",
 * "stale_after_s","last_tick","stale","instances":[{"name","started_at",
 * "last_tick"}],"sync_hour","next_daily":{"at","local","time_zone",
 * "workspace_id"}|null,"digest":{"enabled","day","hour","next":{...}|
 * null}}; built by the database, arena-owned.
 */
enum err	 schedule_status_json(struct db *, struct arena *,
		    const struct schedule_cfg *, bool digest_on,
		    const char **json);

#endif
