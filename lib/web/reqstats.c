/* reqstats.c — per-program request counters in a shared mapped file. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/limit.h"
#include "base/mem.h"
#include "base/prom.h"
#include "web/reqstats.h"
#include "web/route.h"

#define RS_MAGIC	"SLRQST01"
#define RS_SUFFIX	".reqstats"
#define RS_STATUS_MIN	100
#define RS_STATUSES	500		/* 100..599 */

/* Latency bucket bounds in seconds (prom_histogram()). */
static const double bounds[] = { 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
    1, 2.5, 5, 10 };
#define RS_NB	(sizeof(bounds) / sizeof(bounds[0]))

struct rs_cell {
	uint64_t	 status[RS_STATUSES];
	uint64_t	 lat[RS_NB + 1];
	uint64_t	 sum_us;
};

/* The file; the last cell counts requests no route matched. */
struct rs_file {
	char		 magic[8];
	uint32_t	 size;		/* sizeof(struct rs_file) */
	uint32_t	 nroutes;
	int64_t		 started;	/* supervisor's start (Unix) */
	/* The supervisor's pid, then each child slot's. */
	int32_t		 pids[LIMIT_FCGI_PROCS + 1];
	char		 name[LIMIT_REQSTATS_NAME];
	char		 routes[LIMIT_REQSTATS_ROUTES][LIMIT_REQSTATS_NAME];
	uint64_t	 events[REQSTATS__MAX];
	struct rs_cell	 cells[LIMIT_REQSTATS_ROUTES + 1];
};

struct reqstats_set {
	const struct rs_file	*f[LIMIT_REQSTATS_FILES];
	char			*names[LIMIT_REQSTATS_FILES]; /* copies */
	size_t			 n;
};

/* This process's table (process lifetime). */
static struct rs_file *self;

static uint64_t
load(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static void
add(uint64_t *p, uint64_t v)
{
	__atomic_fetch_add(p, v, __ATOMIC_RELAXED);
}

/* Copies s into a field of size bytes, cut and NUL-padded. */
static void
put_field(char *field, size_t size, const char *s)
{
	memset(field, 0, size);
	strncpy(field, s, size - 1);
}

enum err
reqstats_create(const char *path, const char *name,
    const struct route *routes, size_t nroutes, const char **why)
{
	struct rs_file *f;
	size_t i;
	int fd = -1;

	if (path != NULL) {
		(void)unlink(path);	/* a link or an old file */
		fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, 0640);
		if (fd < 0 || ftruncate(fd, sizeof(*f)) != 0) {
			*why = "cannot create the request counters file "
			    "next to SLUICE_PID_FILE";
			if (fd >= 0)
				close(fd);
			return ERR_SYSTEM;
		}
		f = mmap(NULL, sizeof(*f), PROT_READ | PROT_WRITE,
		    MAP_SHARED, fd, 0);
		close(fd);
	} else
		f = mmap(NULL, sizeof(*f), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (f == MAP_FAILED) {
		*why = "cannot map the request counters";
		return ERR_SYSTEM;
	}
	memset(f, 0, sizeof(*f));	/* ftruncate zeroed it already */
	f->size = sizeof(*f);
	f->started = (int64_t)time(NULL);
	f->pids[0] = (int32_t)getpid();
	put_field(f->name, sizeof(f->name), name);
	if (nroutes > LIMIT_REQSTATS_ROUTES)
		nroutes = LIMIT_REQSTATS_ROUTES;	/* others: unmatched */
	f->nroutes = (uint32_t)nroutes;
	for (i = 0; i < nroutes; i++)
		put_field(f->routes[i], sizeof(f->routes[i]),
		    routes[i].pattern);
	/* The magic last: a reader never takes a half-made table. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	memcpy(f->magic, RS_MAGIC, sizeof(f->magic));
	self = f;
	return ERR_OK;
}

void
reqstats_pid(int slot)
{
	if (self == NULL || slot < -1 || slot >= LIMIT_FCGI_PROCS)
		return;
	__atomic_store_n(&self->pids[slot + 1], (int32_t)getpid(),
	    __ATOMIC_RELAXED);
}

void
reqstats_count(size_t route, int status, double seconds)
{
	struct rs_cell *c;
	size_t b;

	if (self == NULL)
		return;
	c = &self->cells[route < self->nroutes ? route : self->nroutes];
	if (status >= RS_STATUS_MIN && status < RS_STATUS_MIN + RS_STATUSES)
		add(&c->status[status - RS_STATUS_MIN], 1);
	for (b = 0; b < RS_NB && seconds > bounds[b]; b++)
		;
	add(&c->lat[b], 1);
	if (seconds > 0)
		add(&c->sum_us, (uint64_t)(seconds * 1e6 + 0.5));
}

void
reqstats_event(enum reqstats_event e)
{
	if (self != NULL && (unsigned)e < REQSTATS__MAX)
		add(&self->events[e], 1);
}

/* Whether pid runs (or runs as someone else). */
static bool
alive(int32_t pid)
{
	return pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
}

static bool
any_alive(const struct rs_file *f)
{
	size_t i;

	for (i = 0; i < nitems(f->pids); i++)
		if (alive(__atomic_load_n(&f->pids[i], __ATOMIC_RELAXED)))
			return true;
	return false;
}

struct unmap {
	void	*p;
	size_t	 len;
};

static void
unmap_cb(void *arg)
{
	struct unmap *u = arg;

	munmap(u->p, u->len);
}

/* Maps one table read-only, or NULL when path is not a live table. */
static const struct rs_file *
map_one(struct arena *a, const char *path)
{
	struct rs_file *f;
	struct unmap *u;
	struct stat st;
	int fd;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    (size_t)st.st_size != sizeof(*f)) {
		close(fd);
		return NULL;
	}
	f = mmap(NULL, sizeof(*f), PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (f == MAP_FAILED)
		return NULL;
	u = arena_alloc(a, sizeof(*u));
	u->p = f;
	u->len = sizeof(*f);
	arena_defer(a, unmap_cb, u);
	if (memcmp(f->magic, RS_MAGIC, sizeof(f->magic)) != 0 ||
	    f->size != sizeof(*f) || f->nroutes > LIMIT_REQSTATS_ROUTES ||
	    !any_alive(f))
		return NULL;
	return f;
}

/* A fixed field as a string (it may lack its NUL in a foreign file). */
static char *
field(struct arena *a, const char *s, size_t size)
{
	const char *end = memchr(s, '\0', size);

	return arena_strndup(a, s, end != NULL ? (size_t)(end - s) : size);
}

void
reqstats_load(struct arena *a, const char *dir, struct reqstats_set **out)
{
	struct reqstats_set *set;
	const struct rs_file *f;
	struct dirent *de;
	const char *path;
	size_t len, sl = strlen(RS_SUFFIX);
	DIR *d;

	set = arena_calloc(a, 1, sizeof(*set));
	*out = set;
	if (dir == NULL || (d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL && set->n < LIMIT_REQSTATS_FILES) {
		len = strlen(de->d_name);
		if (len <= sl || strcmp(de->d_name + len - sl, RS_SUFFIX) != 0)
			continue;
		path = arena_printf(a, "%s/%s", dir, de->d_name);
		if ((f = map_one(a, path)) == NULL)
			continue;
		set->f[set->n] = f;
		set->names[set->n] = field(a, f->name, sizeof(f->name));
		set->n++;
	}
	closedir(d);
}

uint64_t
reqstats_event_total(const struct reqstats_set *set, enum reqstats_event e)
{
	uint64_t n = 0;
	size_t i;

	if ((unsigned)e >= REQSTATS__MAX)
		return 0;
	for (i = 0; i < set->n; i++)
		n += load(&set->f[i]->events[e]);
	return n;
}

/* The route label of cell r of table f. */
static const char *
route_name(const struct rs_file *f, size_t r, char *tmp, size_t size)
{
	const char *end;
	size_t n;

	if (r >= f->nroutes)
		return "unmatched";
	end = memchr(f->routes[r], '\0', sizeof(f->routes[r]));
	n = end != NULL ? (size_t)(end - f->routes[r]) : size - 1;
	if (n >= size)
		n = size - 1;
	memcpy(tmp, f->routes[r], n);
	tmp[n] = '\0';
	return tmp;
}

/* Resident memory of pid in bytes, 0 when it is gone. */
static double
rss(int32_t pid)
{
	char path[64];
	unsigned long size, res;
	FILE *fp;
	int n;

	if (pid <= 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/statm", (int)pid);
	if ((fp = fopen(path, "r")) == NULL)
		return 0;
	n = fscanf(fp, "%lu %lu", &size, &res);
	fclose(fp);
	return n == 2 ? (double)res * (double)sysconf(_SC_PAGESIZE) : 0;
}

static void
write_requests(struct prom *p, const struct reqstats_set *set)
{
	struct prom_label l[3];
	char route[LIMIT_REQSTATS_NAME + 1], status[8];
	const struct rs_file *f;
	size_t i, r, s;
	uint64_t v;

	prom_family(p, "sluice_http_requests_total", PROM_COUNTER,
	    "HTTP requests served, by program, route pattern and status.");
	for (i = 0; i < set->n; i++) {
		f = set->f[i];
		for (r = 0; r <= f->nroutes; r++)
			for (s = 0; s < RS_STATUSES; s++) {
				if ((v = load(&f->cells[r].status[s])) == 0)
					continue;
				snprintf(status, sizeof(status), "%zu",
				    s + RS_STATUS_MIN);
				l[0] = (struct prom_label){ "program",
				    set->names[i] };
				l[1] = (struct prom_label){ "route",
				    route_name(f, r, route, sizeof(route)) };
				l[2] = (struct prom_label){ "status", status };
				prom_sample(p, l, 3, (double)v);
			}
	}
}

static void
write_latency(struct prom *p, const struct reqstats_set *set)
{
	struct prom_label l[2];
	char route[LIMIT_REQSTATS_NAME + 1];
	uint64_t counts[RS_NB + 1], n;
	const struct rs_file *f;
	size_t i, r, b;

	prom_family(p, "sluice_http_request_duration_seconds",
	    PROM_HISTOGRAM, "Time from a request's arrival at the program "
	    "to its response, by program and route pattern.");
	for (i = 0; i < set->n; i++) {
		f = set->f[i];
		for (r = 0; r <= f->nroutes; r++) {
			for (b = 0, n = 0; b <= RS_NB; b++)
				n += counts[b] = load(&f->cells[r].lat[b]);
			if (n == 0)
				continue;
			l[0] = (struct prom_label){ "program", set->names[i] };
			l[1] = (struct prom_label){ "route",
			    route_name(f, r, route, sizeof(route)) };
			prom_histogram(p, l, 2, bounds, RS_NB, counts,
			    (double)load(&f->cells[r].sum_us) / 1e6);
		}
	}
}

void
reqstats_write(struct prom *p, const struct reqstats_set *set)
{
	struct prom_label l[1];
	const struct rs_file *f;
	double mem;
	size_t i, k, alive_n;
	int32_t pid;

	write_requests(p, set);
	write_latency(p, set);
	prom_family(p, "sluice_process_start_time_seconds", PROM_GAUGE,
	    "When the program's supervisor started (Unix time); its "
	    "counters count from then.");
	for (i = 0; i < set->n; i++) {
		l[0] = (struct prom_label){ "program", set->names[i] };
		prom_sample(p, l, 1, (double)set->f[i]->started);
	}
	prom_family(p, "sluice_process_resident_memory_bytes", PROM_GAUGE,
	    "Resident memory of the program's processes (supervisor and "
	    "children) together.");
	for (i = 0; i < set->n; i++) {
		f = set->f[i];
		for (k = 0, mem = 0; k < nitems(f->pids); k++) {
			pid = __atomic_load_n(&f->pids[k], __ATOMIC_RELAXED);
			if (alive(pid))
				mem += rss(pid);
		}
		l[0] = (struct prom_label){ "program", set->names[i] };
		prom_sample(p, l, 1, mem);
	}
	prom_family(p, "sluice_processes", PROM_GAUGE,
	    "The program's live processes (supervisor and children).");
	for (i = 0; i < set->n; i++) {
		f = set->f[i];
		for (k = 0, alive_n = 0; k < nitems(f->pids); k++)
			if (alive(__atomic_load_n(&f->pids[k],
			    __ATOMIC_RELAXED)))
				alive_n++;
		l[0] = (struct prom_label){ "program", set->names[i] };
		prom_sample(p, l, 1, (double)alive_n);
	}
}
