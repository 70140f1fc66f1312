/*
 * cgi-bin/worker.c — drains the sync queue and keeps Sluice's schedule
 * (not FastCGI).
 *
 *   worker --daemon [--procs N]   run until SIGTERM (`make run` starts one)
 *   worker --once [--procs N]     drain what is due, then exit (cron)
 *
 * With --procs N the process forks N workers that lease jobs on their
 * own, so slow providers overlap; SIGTERM lets each finish the job in
 * hand.  A worker killed outright loses its lease, and the job runs again
 * when the lease runs out.  The daemon also forks one deliverer, which
 * posts the outgoing webhooks (lib/hooks/outbox.h) so that no sync waits
 * on a receiver, and one scheduler (unless SLUICE_SCHEDULER=0) that
 * enqueues the daily syncs and sends the weekly digests when they are due
 * (lib/sync/schedule.h); the parent replaces any of them that dies.
 * --once delivers the due webhooks after its syncs, for a bounded time.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/limit.h"
#include "base/log.h"
#include "hooks/outbox.h"
#include "mail/email.h"
#include "net/httpc.h"
#include "store/db.h"
#include "sync/alerts.h"
#include "sync/ops.h"
#include "sync/schedule.h"
#include "sync/sync.h"
#include "sync/syncq.h"
#include "web/app.h"
#include "web/prefork.h"

static void
nap(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	if (!prefork_stopping())
		nanosleep(&ts, NULL);
}

/*
 * The worker's own database connection, with asynchronous commit unless
 * SLUICE_SYNC_ASYNC_COMMIT=0: a sync transaction lost in a server crash
 * is one the queue runs again (WAL keeps the commits in order, so a job
 * seen done has its rows), and not waiting for a WAL flush per batch
 * leaves the CPU to the fetch.
 */
static struct db *
worker_db(struct app *app)
{
	const char *url = app->cfg.database_url, *why;
	char buf[2048];
	bool async = true;
	struct arena a;

	arena_init(&a);
	(void)config_bool(&a, "SLUICE_SYNC_ASYNC_COMMIT", true, &async, &why);
	arena_free(&a);
	/* A pooler in transaction mode refuses (or ignores) startup
	 * options: the worker commits synchronously behind one. */
	if (!async || app->cfg.db_pooled)
		return app->db;
	if (strncmp(url, "postgres://", 11) == 0 ||
	    strncmp(url, "postgresql://", 13) == 0)
		snprintf(buf, sizeof(buf), "%s%soptions=-c%%20synchronous_"
		    "commit%%3Doff", url, strchr(url, '?') ? "&" : "?");
	else
		snprintf(buf, sizeof(buf), "%s options='-c "
		    "synchronous_commit=off'", url);
	return db_new(buf, app->cfg.db_backoff_max_ms, app->cfg.db_pooled);
}

/*
 * Outgoing webhooks (lib/hooks/outbox.h), never on the sync path: the
 * daemon posts them in a process of their own, the deliverer, and --once
 * after its syncs, for at most LIMIT_HOOK_ONCE_MS; a receiver that never
 * answers holds up no sync.  Each with a client of its own; events past
 * LIMIT_HOOK_KEEP_DAYS are dropped once an hour.
 */
static struct {
	struct httpc		*http;
	struct outbox_cfg	 cfg;
	time_t			 pruned;
} hooks;

/* Loads the settings and makes the client; false (logged) when none. */
static bool
hooks_open(void)
{
	struct httpc_opts hko = { "Sluice-Webhooks/1.0", false, 0,
	    LIMIT_HOOK_READ };
	struct arena a;
	const char *why;
	bool ok;

	arena_init(&a);
	if (!(ok = outbox_cfg_load(&a, &hooks.cfg, &why) == ERR_OK))
		log_msg(LOG_ERROR, NULL, "webhook", "no outgoing webhooks: %s",
		    why);
	else {
		hooks.cfg.stop = prefork_flag();
		hko.allow_loopback_http = hooks.cfg.allow_http;
		ok = (hooks.http = httpc_new(&hko)) != NULL;
	}
	arena_free(&a);
	return ok;
}

static void
hooks_close(void)
{
	httpc_free(hooks.http);
	hooks.http = NULL;
}

/* Up to LIMIT_HOOK_BATCH attempts, none started after budget_ms (0: no
 * budget); the number made. */
static int
hooks_pass(struct db *db, struct arena *a, long budget_ms)
{
	int done = 0;

	if (hooks.http == NULL)
		return 0;
	(void)outbox_deliver(db, hooks.http, a, &hooks.cfg, LIMIT_HOOK_BATCH,
	    budget_ms, &done);
	if (time(NULL) - hooks.pruned >= 3600) {
		hooks.pruned = time(NULL);
		(void)outbox_prune(db, a, LIMIT_HOOK_KEEP_DAYS, NULL);
	}
	arena_reset(a);
	return done;
}

/* --once: the due deliveries, for at most LIMIT_HOOK_ONCE_MS. */
static void
hooks_once(struct db *db, struct arena *a)
{
	time_t end = time(NULL) + (LIMIT_HOOK_ONCE_MS + 999) / 1000;
	long left;

	while (!prefork_stopping() && (left = (long)(end - time(NULL)) *
	    1000) > 0 && hooks_pass(db, a, left) > 0)
		;
}

/*
 * The daemon's deliverer: passes on its own connection until SIGTERM,
 * a nap of poll_ms when none was due.
 */
static int
deliverer(struct app *app, long poll_ms)
{
	struct db *db;
	struct arena a;

	if (!hooks_open()) {
		/* Replaced at once if it exited: wait to be stopped. */
		while (!prefork_stopping())
			nap(60000);
		return 0;
	}
	db = db_new(app->cfg.database_url, app->cfg.db_backoff_max_ms,
	    app->cfg.db_pooled);
	arena_init(&a);
	log_msg(LOG_INFO, NULL, "webhook", "deliverer %ld: outgoing webhooks, "
	    "apart from the sync workers", (long)getpid());
	while (!prefork_stopping())
		if (hooks_pass(db, &a, 0) == 0)
			nap(poll_ms);
	arena_free(&a);
	db_free(db);
	hooks_close();
	return 0;
}

/* The alert step (lib/sync/alerts.h), its outcome logged on failure. */
static void
alert_step(const struct alerts_env *ae, struct arena *a)
{
	struct alerts_report r;
	enum err rc;

	if ((rc = alerts_step(ae, a, &r)) != ERR_OK)
		log_msg(LOG_WARN, NULL, "alerts", "alert step failed: %s "
		    "(tried again in %ds)", err_code(rc), LIMIT_ALERT_STEP_S);
	arena_reset(a);
}

/*
 * One worker: lease, run, repeat; once: until nothing is due.  With ae,
 * the alert step too: every LIMIT_ALERT_STEP_S, or once at the end.
 */
static int
work(struct sync_env *e, bool once, long poll_ms, long care_s,
    const struct alerts_env *ae)
{
	struct syncq_job job;
	struct sync_outcome o;
	struct arena a;
	time_t last_care = 0, last_beat = 0, last_alert = 0;
	long jobs = 0, ok = 0, failed = 0, retried = 0, checked;
	enum err rc;

	arena_init(&a);
	while (!prefork_stopping()) {
		arena_reset(&a);
		/* The heartbeat /readyz reads (lib/sync/ops.h). */
		if (time(NULL) - last_beat >= LIMIT_WORKER_BEAT_S &&
		    ops_worker_beat(e->db, &a, e->worker) == ERR_OK)
			last_beat = time(NULL);
		if (care_s > 0 && time(NULL) - last_care >= care_s) {
			last_care = time(NULL);
			(void)sync_token_care(e, &a, 100, &checked);
			arena_reset(&a);
		}
		if (ae != NULL && !once && time(NULL) - last_alert >=
		    LIMIT_ALERT_STEP_S) {
			last_alert = time(NULL);
			alert_step(ae, &a);
		}
		rc = syncq_lease(e->db, &a, e->worker, (int)e->lease_s, &job);
		if (rc == ERR_NOTFOUND) {
			if (once)
				break;
			nap(poll_ms);
			continue;
		}
		if (rc != ERR_OK) {
			if (once)
				break;
			nap(poll_ms);
			continue;
		}
		jobs++;
		rc = sync_job(e, &a, &job, &o);
		if (rc != ERR_OK || o.status == NULL) {
			log_msg(LOG_ERROR, NULL, "sync", "job %lld: %s",
			    (long long)job.id, rc != ERR_OK ? err_code(rc) :
			    "lease lost");
			failed++;
			continue;
		}
		if (o.retried)
			retried++;
		else if (o.error == NULL)
			ok++;
		else
			failed++;
		log_msg(o.error == NULL ? LOG_INFO : LOG_WARN, NULL, "sync",
		    "job %lld connection %lld attempt %d: %s pages=%ld "
		    "fetched=%ld changed=%ld%s%s", (long long)job.id,
		    (long long)job.connection_id, job.attempts, o.status,
		    o.pages, o.rows_fetched, o.rows_changed,
		    o.error != NULL ? " error=" : "",
		    o.error != NULL ? o.error : "");
	}
	if (ae != NULL && once && !prefork_stopping())
		alert_step(ae, &a);
	/* The events of the syncs just run go out with this run. */
	if (once && hooks.http != NULL)
		hooks_once(e->db, &a);
	arena_free(&a);
	if (once)
		printf("{\"worker\":\"%s\",\"jobs\":%ld,\"ok\":%ld,"
		    "\"failed\":%ld,\"retried\":%ld}\n", e->worker, jobs, ok,
		    failed, retried);
	fflush(stdout);
	return 0;
}

/* Runs one worker in this process with its own connections. */
static int
child(struct app *app, struct sync_env *e, bool once, long poll_ms,
    long timeout_ms, int k)
{
	struct arena a;
	struct alerts_env ae;
	const char *why;
	long care_s = 600;
	bool alerts;
	struct httpc_opts ho = { "Sluice/1.0 (+self-hosted)",
	    app->cfg.sandbox || app->cfg.allow_loopback_http, timeout_ms, 0 };
	char host[64], name[128];
	int status;

	arena_init(&a);
	(void)config_long(&a, "SLUICE_WORKER_CARE_S", 600, 1, 86400, &care_s,
	    &why);
	memset(&ae, 0, sizeof(ae));
	/* The first worker also steps the alerts (cli() checked the
	 * settings). */
	alerts = k <= 1 && alerts_env_load(&a, &ae, &why) == ERR_OK;
	arena_free(&a);
	/* --once: the first worker delivers the webhooks at the end. */
	if (once && k <= 1)
		(void)hooks_open();
	if (gethostname(host, sizeof(host)) != 0)
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	snprintf(name, sizeof(name), "%s:%ld:%d", host, (long)getpid(), k);
	e->worker = name;
	e->db = worker_db(app);
	e->http = httpc_new(&ho);
	e->keys = app->keys;
	e->cfg = &app->cfg;
	srandom((unsigned)getpid() ^ (unsigned)time(NULL));
	ae.db = e->db;
	ae.cfg = &app->cfg;
	ae.tmpl = app->tmpl;
	ae.http = e->http;
	/* One daemon worker (the first) also looks after tokens. */
	status = work(e, once, poll_ms, !once && k <= 1 ? care_s : 0,
	    alerts ? &ae : NULL);
	httpc_free(e->http);
	hooks_close();
	if (e->db != app->db)
		db_free(e->db);
	return status;
}

/*
 * The scheduler: a tick every SLUICE_SCHEDULER_TICK_S seconds on its own
 * connection (synchronous commit: a digest's claims must outlive a
 * server crash), until SIGTERM.  A failed tick is logged and retried at
 * the next one; its missing heartbeat shows on the pages.
 */
static int
scheduler(struct app *app, const struct schedule_cfg *sc)
{
	struct schedule_env env;
	struct schedule_tick t;
	struct arena a;
	char host[64], name[128];
	enum err rc, last = ERR_OK;

	if (gethostname(host, sizeof(host)) != 0)
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	snprintf(name, sizeof(name), "%s:%ld", host, (long)getpid());
	memset(&env, 0, sizeof(env));
	env.db = db_new(app->cfg.database_url, app->cfg.db_backoff_max_ms,
	    app->cfg.db_pooled);
	/* The digests it sends read their numbers there (lib/mail/digest.h). */
	if (*app->cfg.database_read_url != '\0')
		db_replica_set(env.db, app->cfg.database_read_url,
		    app->cfg.read_max_lag_s * 1000);
	env.cfg = &app->cfg;
	env.tmpl = app->tmpl;
	env.http = app->http;
	env.sc = sc;
	env.name = name;
	env.stopping = prefork_flag();
	arena_init(&a);
	if (app->tmpl == NULL && email_sending(&app->cfg))
		log_msg(LOG_WARN, NULL, "schedule", "templates not loaded "
		    "(SLUICE_TEMPLATE_DIR): no scheduled digest");
	log_msg(LOG_INFO, NULL, "schedule", "scheduler %s: a tick every %lds; "
	    "daily sync at %02ld:00 where a workspace chose no hour; %s; in "
	    "each workspace's time zone", name, sc->tick_s, sc->sync_hour,
	    !email_sending(&app->cfg) ? "no weekly digest "
	    "(SLUICE_RESEND_API_KEY is not set)" : arena_printf(&a, "weekly "
	    "digest on day %ld (1 is Monday) at %02ld:00", sc->digest_day,
	    sc->digest_hour));
	while (!prefork_stopping()) {
		arena_reset(&a);
		rc = schedule_tick(&env, &a, &t);
		if (rc != ERR_OK && rc != last)
			log_msg(LOG_ERROR, NULL, "schedule", "tick failed: %s "
			    "(tried again every %lds)", err_code(rc),
			    sc->tick_s);
		else if (rc == ERR_OK && last != ERR_OK)
			log_msg(LOG_INFO, NULL, "schedule", "ticks again");
		last = rc;
		nap(sc->tick_s * 1000);
	}
	arena_free(&a);
	db_free(env.db);
	return 0;
}

/* What every process of the worker shares (prefork.h's arg). */
struct worker {
	struct app		*app;
	struct sync_env		*e;
	const struct schedule_cfg *sc;
	long			 procs, poll_ms, timeout_ms;
	bool			 once;
};

/* Slot i: a worker (i < procs); the daemon's deliverer (i == procs) and
 * scheduler (i == procs + 1). */
static int
serve(void *arg, int slot)
{
	struct worker *w = arg;

	if (!w->once && slot == w->procs)
		return deliverer(w->app, w->poll_ms);
	if (!w->once && slot == w->procs + 1)
		return scheduler(w->app, w->sc);
	return child(w->app, w->e, w->once, w->poll_ms, w->timeout_ms,
	    slot + 1);
}

/* A worker that takes the supervisor's place drops its connection. */
static void
reset(void *arg)
{
	struct worker *w = arg;

	db_free(w->app->db);
	w->app->db = db_new(w->app->cfg.database_url,
	    w->app->cfg.db_backoff_max_ms, w->app->cfg.db_pooled);
}

static int
cli(struct app *app, int argc, char **argv)
{
	struct sync_env e;
	struct schedule_cfg sc;
	struct alerts_env ae;
	struct worker w;
	struct prefork_def pd;
	struct arena a;
	char lock[4096];
	const char *pidfile, *why;
	bool once = false, daemon = false, ok;
	long procs = 1, poll_ms, timeout_ms;
	int k;

	for (k = 1; k < argc; k++) {
		if (strcmp(argv[k], "--once") == 0)
			once = true;
		else if (strcmp(argv[k], "--daemon") == 0)
			daemon = true;
		else if (strcmp(argv[k], "--procs") == 0 && k + 1 < argc) {
			procs = strtol(argv[++k], NULL, 10);
			if (procs < 1 || procs > LIMIT_SYNC_PROCS) {
				fprintf(stderr, "worker: --procs 1..%d\n",
				    LIMIT_SYNC_PROCS);
				return 2;
			}
		} else {
			fprintf(stderr, "worker: unknown argument %s\n",
			    argv[k]);
			return 2;
		}
	}
	if (once == daemon) {
		fprintf(stderr, "usage: worker --once|--daemon [--procs N]\n");
		return 2;
	}
	memset(&e, 0, sizeof(e));
	arena_init(&a);
	ok = sync_env_load(&a, &e, &why) == ERR_OK &&
	    schedule_cfg_load(&a, &sc, &why) == ERR_OK &&
	    alerts_env_load(&a, &ae, &why) == ERR_OK &&
	    config_long(&a, "SLUICE_WORKER_POLL_MS", 1000, 10, 60000,
	    &poll_ms, &why) == ERR_OK &&
	    config_long(&a, "SLUICE_SYNC_TIMEOUT_MS", LIMIT_UPSTREAM_TIMEOUT_MS,
	    100, 600000, &timeout_ms, &why) == ERR_OK;
	if (!ok)
		fprintf(stderr, "worker: %s\n", why);
	arena_free(&a);
	if (!ok)
		return 1;
	if (app->keys == NULL) {
		fprintf(stderr, "worker: SLUICE_ENCRYPTION_KEYS is not set\n");
		return 1;
	}
	/*
	 * Every worker, the daemon's deliverer and its scheduler (the last
	 * slots) is a process of a supervisor (lib/web/prefork.h): the
	 * daemon replaces one that dies, and one of them takes the
	 * supervisor's place if it is killed (SLUICE_PID_FILE and its
	 * .lock); --once waits for all.
	 */
	memset(&w, 0, sizeof(w));
	w.app = app;
	w.e = &e;
	w.sc = &sc;
	w.procs = procs;
	w.poll_ms = poll_ms;
	w.timeout_ms = timeout_ms;
	w.once = once;
	memset(&pd, 0, sizeof(pd));
	pd.name = "worker";
	pd.procs = (int)(procs + (daemon ? 1 : 0) + (daemon && sc.enabled ?
	    1 : 0));
	if (pd.procs > LIMIT_FCGI_PROCS) {
		fprintf(stderr, "worker: --procs 1..%ld with --daemon (its "
		    "deliverer and scheduler are processes too)\n",
		    LIMIT_FCGI_PROCS - (pd.procs - procs));
		return 2;
	}
	pd.once = once;
	if (daemon && (pidfile = config_env("SLUICE_PID_FILE", NULL)) !=
	    NULL) {
		if ((size_t)snprintf(lock, sizeof(lock), "%s.lock", pidfile) >=
		    sizeof(lock)) {
			fprintf(stderr, "worker: SLUICE_PID_FILE is too long\n");
			return 1;
		}
		pd.pidfile = pidfile;
		pd.lockfile = lock;
	}
	pd.serve = serve;
	pd.reset = reset;
	pd.arg = &w;
	/* One worker once (cron's call): this process is the worker. */
	if (once && pd.procs == 1) {
		prefork_catch();
		return serve(&w, 0);
	}
	return prefork_run(&pd);
}

int
main(int argc, char **argv)
{
	static const struct app_def def = { .name = "worker", .cli = cli,
	    .usage = "  worker --once [--procs N]    drain the due sync jobs, exit\n"
	    "  worker --daemon [--procs N]  work the sync queue until SIGTERM\n"
	};

	return app_main(&def, argc, argv);
}
