/*
 * reqstats.h — HTTP request counters a program's processes share.
 *
 * Read by the metrics scrape (lib/base/prom.h).
 *
 * Design: the supervisor, before it forks, creates one small file per
 * program next to its pid file ("<SLUICE_PID_FILE>.reqstats", e.g.
 * VAR/svc/api.pid.reqstats) of a fixed size and maps it MAP_SHARED; the
 * children inherit the mapping and add to its 64-bit cells with atomic
 * (relaxed) increments, so no lock is taken, nothing is lost when a child
 * dies, and a replacement child goes on counting in the same table.  One
 * cell per (route, status 100..599) for requests, and per route the
 * latency histogram's per-bucket counts and the sum in microseconds.  The
 * supervisor's start time and the pids of the supervisor and of each
 * child slot are in the file too (process facts: start time, RSS).
 *
 * A restarted program truncates and recreates its file: its counters
 * start again from zero with a new start time, which Prometheus reads
 * as a counter reset.  The scrape (cgi-bin/cron.c) maps every
 * "*.reqstats" file of its own pid file's folder read-only, skips one
 * whose processes are all gone (a stopped program) or whose header is
 * not ours, and copies each cell with an atomic load: a histogram's
 * _count is its +Inf bucket, so every snapshot is consistent.  Without
 * SLUICE_PID_FILE the table is anonymous shared memory: counted, but
 * nobody can scrape it.
 *
 * Why not nginx's access log: parsing a growing log at scrape time costs
 * in proportion to traffic; a fixed table costs the same at any rate.
 */
#ifndef SLUICE_REQSTATS_H
#define SLUICE_REQSTATS_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct arena;
struct prom;
struct route;

/* Program events the tables count besides requests. */
enum reqstats_event {
	REQSTATS_WEBHOOK_STORED,	/* a delivery stored (first time) */
	REQSTATS_WEBHOOK_DUPLICATE,	/* a delivery already stored */
	REQSTATS_WEBHOOK_REJECTED,	/* bad signature or malformed event */
	REQSTATS__MAX
};

/* One program's table (a mapping). */
struct reqstats;

/* Every program's tables found by reqstats_load(). */
struct reqstats_set;

/*
 * Creates (or truncates) the table file at path — NULL for anonymous
 * shared memory — for program name and its routes, maps it shared and
 * makes it this process's table (reqstats_count(), reqstats_event()).
 * Called by the supervisor before it forks.  ERR_SYSTEM with *why
 * (static text) when the file cannot be made; the program then runs
 * without counters.  The mapping lives until the process exits.
 */
enum err	 reqstats_create(const char *path, const char *name,
		    const struct route *, size_t nroutes, const char **why);

/* In a child: records its pid for slot (0..LIMIT_FCGI_PROCS-1); in a
 * supervisor (slot -1): its pid.  Nothing without a table. */
void		 reqstats_pid(int slot);

/*
 * Counts one request of this process's program: route is the index in
 * the route table (nroutes or more: no route matched), status its HTTP
 * status, seconds how long it took.  Nothing without a table.
 */
void		 reqstats_count(size_t route, int status, double seconds);

/* Counts one event.  Nothing without a table. */
void		 reqstats_event(enum reqstats_event);

/*
 * Maps every live table of folder dir read-only (the mappings are
 * released with the arena).  A file that is not a table, or whose
 * processes are all gone, is skipped.  Never fails: no folder, no
 * tables (*out is then an empty set).
 */
void		 reqstats_load(struct arena *, const char *dir,
		    struct reqstats_set **out);

/* The tables' count of event, over every program. */
uint64_t	 reqstats_event_total(const struct reqstats_set *,
		    enum reqstats_event);

/*
 * Writes the families sluice_http_requests_total{program,route,status},
 * sluice_http_request_duration_seconds{program,route},
 * sluice_process_start_time_seconds{program},
 * sluice_process_resident_memory_bytes{program} and
 * sluice_processes{program}.  Errors stay in the writer (prom_error()).
 */
void		 reqstats_write(struct prom *, const struct reqstats_set *);

#endif
