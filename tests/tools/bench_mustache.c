/*
 * bench_mustache.c — renders one template of a templates directory in a
 * loop, for tests/bench/bench_mustache.sh.
 *
 *   bench_mustache DIR NAME VIEW.json N [OUT]
 *
 * Loads DIR with tmpl_load(), parses VIEW.json, renders NAME N times into
 * one reused buffer and prints one line of key=value figures: renders per
 * second of wall time and of CPU time (the fairer figure on a shared
 * machine), output bytes, and resident memory (current RSS after 100
 * warm-up renders and after the last one, and the peak), in KiB.  With OUT, the
 * rendered page is also written there.
 */
#include <sys/resource.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/limit.h"
#include "render/tmpl.h"

/* Current resident set size in KiB, from /proc/self/statm. */
static long
rss_kib(void)
{
	long pages = 0, resident = 0;
	FILE *f;

	if ((f = fopen("/proc/self/statm", "r")) == NULL)
		return -1;
	if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
		resident = -1;
	fclose(f);
	return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static double
now(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int
main(int argc, char *argv[])
{
	struct json_object *view;
	struct rusage ru;
	struct tmpl *t;
	struct buf b;
	struct arena boot;
	const char *err;
	long n, i, rss_first, rss_last;
	double t0, t1, c0, c1;
	enum err rc;
	FILE *f;

	if ((argc != 5 && argc != 6) || (n = atol(argv[4])) < 1) {
		fputs("usage: bench_mustache DIR NAME VIEW.json N [OUT]\n",
		    stderr);
		return 2;
	}
	arena_init(&boot);
	if (tmpl_load(&boot, argv[1], &t, &err) != ERR_OK) {
		fprintf(stderr, "bench_mustache: %s\n", err);
		arena_free(&boot);
		return 1;
	}
	arena_free(&boot);
	if ((view = json_object_from_file(argv[3])) == NULL) {
		fprintf(stderr, "bench_mustache: cannot read %s\n", argv[3]);
		return 1;
	}
	buf_init(&b, LIMIT_TMPL_OUTPUT);
	if ((rc = tmpl_render_buf(t, argv[2], view, &b)) != ERR_OK) {
		fprintf(stderr, "bench_mustache: render: %s\n", err_code(rc));
		return 1;
	}
	/* Warm up, so that the first figure is the steady state's. */
	for (i = 0; i < 100; i++) {
		buf_reset(&b);
		(void)tmpl_render_buf(t, argv[2], view, &b);
	}
	rss_first = rss_kib();
	t0 = now(CLOCK_MONOTONIC);
	c0 = now(CLOCK_PROCESS_CPUTIME_ID);
	for (i = 0; i < n; i++) {
		buf_reset(&b);
		if (tmpl_render_buf(t, argv[2], view, &b) != ERR_OK)
			return 1;
	}
	t1 = now(CLOCK_MONOTONIC);
	c1 = now(CLOCK_PROCESS_CPUTIME_ID);
	rss_last = rss_kib();
	getrusage(RUSAGE_SELF, &ru);
	printf("renders=%ld seconds=%.3f per_second=%.0f cpu_seconds=%.3f "
	    "per_cpu_second=%.0f bytes=%zu rss_first_kib=%ld "
	    "rss_last_kib=%ld peak_rss_kib=%ld\n", n, t1 - t0,
	    n / (t1 - t0), c1 - c0, n / (c1 - c0), b.len, rss_first,
	    rss_last, ru.ru_maxrss);
	if (argc == 6 && ((f = fopen(argv[5], "w")) == NULL ||
	    fwrite(b.data, 1, b.len, f) != b.len || fclose(f) != 0)) {
		fprintf(stderr, "bench_mustache: cannot write %s\n", argv[5]);
		return 1;
	}
	buf_free(&b);
	json_object_put(view);
	tmpl_free(t);
	return 0;
}
