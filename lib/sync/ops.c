/* ops.c — the database's side of the metrics scrape and of /readyz. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/mem.h"
#include "base/prom.h"
#include "providers/provider.h"
#include "store/db.h"
#include "sync/ops.h"

/*
 * Sync run duration bounds in seconds; sql/130_operations.sql's
 * sluice_sync_run_bucket() has the same in milliseconds (each plus one:
 * bucket i holds (bounds[i-1], bounds[i]]).  Keep the two in step.
 */
static const double run_bounds[] = { 1, 5, 15, 30, 60, 120, 300, 600,
    1800, 3600 };
#define RUN_NB		(sizeof(run_bounds) / sizeof(run_bounds[0]))

/* Finished runs by provider, outcome and duration bucket: the totals the
 * trigger keeps as runs finish (sql/130_operations.sql), not the runs. */
static const char sql_runs[] =
	"SELECT provider, outcome, bucket, sum(runs), sum(duration_ms), "
	"sum(rows_changed), sum(rows_fetched) FROM sync_run_totals "
	"GROUP BY 1, 2, 3";
static const char sql_queue[] =
	"SELECT count(*) FILTER (WHERE status = 'queued'), "
	"count(*) FILTER (WHERE status = 'queued' AND run_after <= now()), "
	"count(*) FILTER (WHERE status = 'running' AND lease_until >= now()), "
	"count(*) FILTER (WHERE status = 'running' AND lease_until < now()), "
	"coalesce(floor(extract(epoch FROM now() - min(run_after) FILTER "
	"(WHERE status = 'queued' AND run_after <= now()))), 0)::bigint "
	"FROM sync_jobs WHERE status IN ('queued', 'running')";
static const char sql_conns[] =
	"SELECT provider, status, count(*) FROM connections GROUP BY 1, 2";
static const char sql_last_daily[] =
	"SELECT floor(extract(epoch FROM max(finished_at)))::bigint "
	"FROM sync_jobs WHERE kind = 'daily' AND status = 'done'";
/* Emails that reached each status, kept by a trigger as they do. */
static const char sql_digest[] =
	"SELECT status, sum(emails) FROM digest_send_totals GROUP BY 1";
static const char sql_beat[] =
	"WITH d AS (DELETE FROM worker_beats WHERE beat_at < now() - "
	"interval '1 day') "
	"INSERT INTO worker_beats (name) VALUES ($1) ON CONFLICT (name) "
	"DO UPDATE SET beat_at = now()";
static const char sql_beat_age[] =
	"SELECT coalesce(floor(extract(epoch FROM now() - max(beat_at))), "
	"-1)::bigint FROM worker_beats";

/* The outcomes a finished run records (sql/110_sync_accounts.sql). */
static const char *const outcomes[] = { "ok", "partial", "error",
    "rate_limited", "auth" };
/* A connection's statuses (sql/001_init.sql). */
static const char *const conn_statuses[] = { "connected", "needs_reauth",
    "error", "disconnected" };
/* A digest email's final statuses (sql/001_init.sql). */
static const char *const digest_statuses[] = { "sent", "skipped",
    "failed" };

/* One (provider, outcome) series of the runs histogram. */
struct run_series {
	const char	*provider;
	const char	*outcome;
	uint64_t	 counts[RUN_NB + 1];
	double		 sum_ms;
	double		 changed;
	double		 fetched;
};

static size_t
find(const char *const *list, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s != NULL && strcmp(list[i], s) == 0)
			return i;
	return n;
}

static double
num(const struct db_res *r, size_t row, size_t col)
{
	const char *s = db_get(r, row, col);

	return s != NULL ? strtod(s, NULL) : 0;
}

/* Sync runs: histogram, rows written and fetched by provider. */
static enum err
runs(struct db *db, struct arena *a, struct prom *p)
{
	const struct provider *const *all;
	struct run_series *s;
	struct prom_label l[2];
	struct db_res *r;
	size_t i, k, np, no = nitems(outcomes), b;
	double changed, fetched;
	enum err rc;

	if ((rc = db_exec_static(db, a, sql_runs, 0, NULL, &r)) != ERR_OK)
		return rc;
	all = provider_all(&np);
	s = arena_calloc(a, np * no, sizeof(*s));
	for (i = 0; i < np; i++)
		for (k = 0; k < no; k++) {
			s[i * no + k].provider = all[i]->slug;
			s[i * no + k].outcome = outcomes[k];
		}
	for (i = 0; i < db_nrows(r); i++) {
		const char *prov = db_get(r, i, 0);

		for (k = 0; k < np && strcmp(all[k]->slug, prov) != 0; k++)
			;
		if (k == np || find(outcomes, no, db_get(r, i, 1)) == no)
			continue;	/* a provider since removed */
		k = k * no + find(outcomes, no, db_get(r, i, 1));
		b = (size_t)db_get_int64(r, i, 2, 0);
		if (b > RUN_NB)
			b = RUN_NB;
		s[k].counts[b] += (uint64_t)db_get_int64(r, i, 3, 0);
		s[k].sum_ms += num(r, i, 4);
		s[k].changed += num(r, i, 5);
		s[k].fetched += num(r, i, 6);
	}
	prom_family(p, "sluice_sync_run_duration_seconds", PROM_HISTOGRAM,
	    "Finished sync runs by provider and outcome, and how long they "
	    "took.");
	for (k = 0; k < np * no; k++) {
		l[0] = (struct prom_label){ "provider", s[k].provider };
		l[1] = (struct prom_label){ "outcome", s[k].outcome };
		prom_histogram(p, l, 2, run_bounds, RUN_NB, s[k].counts,
		    s[k].sum_ms / 1e3);
	}
	prom_family(p, "sluice_sync_rows_written_total", PROM_COUNTER,
	    "Metric rows finished sync runs inserted or changed, by "
	    "provider.");
	for (i = 0; i < np; i++) {
		for (k = 0, changed = 0; k < no; k++)
			changed += s[i * no + k].changed;
		l[0] = (struct prom_label){ "provider", all[i]->slug };
		prom_sample(p, l, 1, changed);
	}
	prom_family(p, "sluice_sync_rows_fetched_total", PROM_COUNTER,
	    "Rows finished sync runs fetched from providers, by provider.");
	for (i = 0; i < np; i++) {
		for (k = 0, fetched = 0; k < no; k++)
			fetched += s[i * no + k].fetched;
		l[0] = (struct prom_label){ "provider", all[i]->slug };
		prom_sample(p, l, 1, fetched);
	}
	return ERR_OK;
}

enum err
ops_queue(struct db *db, struct arena *a, struct ops_queue *q)
{
	struct db_res *r;
	enum err rc;

	memset(q, 0, sizeof(*q));
	if ((rc = db_exec_static(db, a, sql_queue, 0, NULL, &r)) != ERR_OK)
		return rc;
	if (db_nrows(r) != 1)
		return ERR_DB;
	q->queued = db_get_int64(r, 0, 0, 0);
	q->due = db_get_int64(r, 0, 1, 0);
	q->running = db_get_int64(r, 0, 2, 0);
	q->expired = db_get_int64(r, 0, 3, 0);
	q->oldest_wait_s = db_get_int64(r, 0, 4, 0);
	return ERR_OK;
}

static enum err
queue(struct db *db, struct arena *a, struct prom *p)
{
	struct ops_queue q;
	struct prom_label l[1];
	const char *last;
	enum err rc;

	if ((rc = ops_queue(db, a, &q)) != ERR_OK)
		return rc;
	prom_family(p, "sluice_sync_queue_jobs", PROM_GAUGE,
	    "Jobs in the sync queue: queued (due or not), due, running.");
	l[0] = (struct prom_label){ "state", "queued" };
	prom_sample(p, l, 1, (double)q.queued);
	l[0] = (struct prom_label){ "state", "due" };
	prom_sample(p, l, 1, (double)q.due);
	l[0] = (struct prom_label){ "state", "running" };
	prom_sample(p, l, 1, (double)q.running);
	prom_family(p, "sluice_sync_queue_oldest_wait_seconds", PROM_GAUGE,
	    "How long the oldest due job has waited (0: none waits).");
	prom_sample(p, NULL, 0, (double)q.oldest_wait_s);
	prom_family(p, "sluice_sync_expired_leases", PROM_GAUGE,
	    "Running jobs whose lease ran out (their worker died); they run "
	    "again.");
	prom_sample(p, NULL, 0, (double)q.expired);
	if ((rc = db_value(db, a, sql_last_daily, 0, NULL, &last)) != ERR_OK)
		return rc;
	prom_family(p, "sluice_sync_daily_last_done_timestamp_seconds",
	    PROM_GAUGE, "When the last daily sync job finished done (Unix "
	    "time; 0: never).");
	prom_sample(p, NULL, 0, last != NULL ? strtod(last, NULL) : 0);
	return ERR_OK;
}

static enum err
conns(struct db *db, struct arena *a, struct prom *p)
{
	const struct provider *const *all;
	struct prom_label l[2];
	struct db_res *r;
	size_t i, k, np, ns = nitems(conn_statuses);
	double *n;
	enum err rc;

	if ((rc = db_exec_static(db, a, sql_conns, 0, NULL, &r)) != ERR_OK)
		return rc;
	all = provider_all(&np);
	n = arena_calloc(a, np * ns, sizeof(*n));
	for (i = 0; i < db_nrows(r); i++) {
		for (k = 0; k < np && strcmp(all[k]->slug, db_get(r, i, 0)) !=
		    0; k++)
			;
		if (k < np && find(conn_statuses, ns, db_get(r, i, 1)) < ns)
			n[k * ns + find(conn_statuses, ns, db_get(r, i, 1))] +=
			    num(r, i, 2);
	}
	prom_family(p, "sluice_connections", PROM_GAUGE,
	    "Connections by provider and status (needs_reauth: a person "
	    "must connect again).");
	for (k = 0; k < np; k++)
		for (i = 0; i < ns; i++) {
			l[0] = (struct prom_label){ "provider", all[k]->slug };
			l[1] = (struct prom_label){ "status",
			    conn_statuses[i] };
			prom_sample(p, l, 2, n[k * ns + i]);
		}
	return ERR_OK;
}

static enum err
digests(struct db *db, struct arena *a, struct prom *p)
{
	struct prom_label l[1];
	struct db_res *r;
	size_t i, k, ns = nitems(digest_statuses);
	double n[nitems(digest_statuses)] = { 0 };
	enum err rc;

	if ((rc = db_exec_static(db, a, sql_digest, 0, NULL, &r)) != ERR_OK)
		return rc;
	for (i = 0; i < db_nrows(r); i++)
		if ((k = find(digest_statuses, ns, db_get(r, i, 0))) < ns)
			n[k] += num(r, i, 1);
	prom_family(p, "sluice_digest_emails_total", PROM_COUNTER,
	    "Weekly digest emails that were sent, skipped or failed (one that "
	    "bounced after it was sent counts in both).");
	for (k = 0; k < ns; k++) {
		l[0] = (struct prom_label){ "status", digest_statuses[k] };
		prom_sample(p, l, 1, n[k]);
	}
	return ERR_OK;
}

enum err
ops_metrics(struct db *db, struct arena *a, struct prom *p)
{
	enum err rc;

	if ((rc = runs(db, a, p)) != ERR_OK ||
	    (rc = queue(db, a, p)) != ERR_OK ||
	    (rc = conns(db, a, p)) != ERR_OK ||
	    (rc = digests(db, a, p)) != ERR_OK)
		return rc;
	return ERR_OK;
}

enum err
ops_worker_beat(struct db *db, struct arena *a, const char *name)
{
	const char *p[1] = { name };

	return db_exec_static(db, a, sql_beat, 1, p, NULL);
}

enum err
ops_worker_age(struct db *db, struct arena *a, long *age_s)
{
	const char *v;
	enum err rc;

	if ((rc = db_value(db, a, sql_beat_age, 0, NULL, &v)) != ERR_OK)
		return rc;
	*age_s = v != NULL ? strtol(v, NULL, 10) : -1;
	return ERR_OK;
}
