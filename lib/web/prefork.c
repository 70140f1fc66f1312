/*
 * prefork.c — a supervisor that keeps a program's serving children alive,
 * and hands its place to a child when it dies itself (prefork.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/limit.h"
#include "base/log.h"
#include "web/prefork.h"

/* One slot the supervisor keeps filled. */
struct slot {
	pid_t		pid;		/* 0 while empty */
	bool		done;		/* once: ended, not replaced */
	struct timespec	born;		/* CLOCK_MONOTONIC at fork */
	long		pause_ms;	/* before the next respawn of this slot */
};

static volatile sig_atomic_t stop_asked;	/* SIGTERM or SIGINT */
static volatile sig_atomic_t orphaned;		/* a child's supervisor died */
static volatile sig_atomic_t stopping;		/* either of the two */
static volatile sig_atomic_t is_child;		/* a child (for on_term) */

/* In a child, a second signal a moment later covers one that came just
 * before serve() began to wait. */
static void
on_term(int sig)
{
	(void)sig;
	stop_asked = 1;
	stopping = 1;
	if (is_child)
		alarm(1);
}

static void
on_orphan(int sig)
{
	(void)sig;
	orphaned = 1;
	stopping = 1;
	alarm(1);
}

/* Only interrupts a wait. */
static void
on_alarm(int sig)
{
	(void)sig;
}

bool
prefork_stopping(void)
{
	return stopping != 0;
}

volatile sig_atomic_t *
prefork_flag(void)
{
	return &stopping;
}

/* Without SA_RESTART (flags 0): a blocking accept() or waitpid() returns
 * EINTR. */
static void
handle_with(int sig, void (*fn)(int), int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

static void
handle(int sig, void (*fn)(int))
{
	handle_with(sig, fn, 0);
}

void
prefork_restarting(void)
{
	handle_with(SIGTERM, on_term, SA_RESTART);
	handle_with(SIGINT, on_term, SA_RESTART);
	handle_with(SIGUSR2, on_orphan, SA_RESTART);
	handle_with(SIGALRM, on_alarm, SA_RESTART);
}

void
prefork_catch(void)
{
	handle(SIGTERM, on_term);
	handle(SIGINT, on_term);
}

static long
age_ms(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (long)(t1.tv_sec - t0->tv_sec) * 1000 +
	    (long)(t1.tv_nsec - t0->tv_nsec) / 1000000;
}

/* Sleeps ms unless a stop is asked (the signal cuts the sleep short). */
static void
pause_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (!stop_asked && nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* The lock a supervisor holds for its life; -1 when another holds it. */
static int
take_lock(const char *path)
{
	int fd;

	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0) {
		log_msg(LOG_ERROR, NULL, "start", "cannot open lock file %s: "
		    "%s", path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Replaces the pid file's content with this process's id (rename). */
static void
write_pidfile(const char *path)
{
	char tmp[4096], line[32];
	int fd, n;

	if (path == NULL || *path == '\0')
		return;
	n = snprintf(tmp, sizeof(tmp), "%s.%ld", path, (long)getpid());
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return;
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) < 0)
		return;
	n = snprintf(line, sizeof(line), "%ld\n", (long)getpid());
	if (write(fd, line, (size_t)n) != n || close(fd) != 0 ||
	    rename(tmp, path) != 0) {
		log_msg(LOG_WARN, NULL, "start", "cannot write pid file %s: "
		    "%s", path, strerror(errno));
		unlink(tmp);
	}
}

/*
 * Forks the child of slot s.  Returns in the supervisor (true: started);
 * in the child *in_child is set and the caller returns up to
 * prefork_run(), which runs serve().
 */
static bool
spawn(struct slot *s, int lockfd, bool *in_child, int *slot_out, int k)
{
	pid_t parent = getpid(), pid;

	if ((pid = fork()) < 0) {
		log_msg(LOG_ERROR, NULL, "respawn", "fork: %s",
		    strerror(errno));
		return false;
	}
	if (pid == 0) {
		if (lockfd >= 0)
			close(lockfd);
		is_child = 1;
		handle(SIGTERM, on_term);
		handle(SIGINT, on_term);
		handle(SIGUSR2, on_orphan);
		handle(SIGALRM, on_alarm);
		if (prctl(PR_SET_PDEATHSIG, SIGUSR2) != 0 ||
		    getppid() != parent)
			orphaned = 1;
		*in_child = true;
		*slot_out = k;
		return true;
	}
	s->pid = pid;
	clock_gettime(CLOCK_MONOTONIC, &s->born);
	return true;
}

/* Passes a stop to every child and waits for them all. */
static void
stop_children(struct slot *slots, int n)
{
	int i, st, left;
	pid_t pid;

	for (i = 0; i < n; i++)
		if (slots[i].pid > 0)
			kill(slots[i].pid, SIGTERM);
	for (;;) {
		for (i = left = 0; i < n; i++)
			left += slots[i].pid > 0;
		if (left == 0)
			return;
		pid = waitpid(-1, &st, 0);
		if (pid < 0 && errno == EINTR)
			continue;
		if (pid < 0)
			return;
		for (i = 0; i < n; i++)
			if (slots[i].pid == pid)
				slots[i].pid = 0;
	}
}

/* How a child ended, for the log. */
static void
describe(int st, char *buf, size_t size)
{
	if (WIFSIGNALED(st))
		snprintf(buf, size, "killed by signal %d", WTERMSIG(st));
	else
		snprintf(buf, size, "exited with status %d", WEXITSTATUS(st));
}

/*
 * The supervisor's life.  Returns its status in the supervisor; in a
 * forked child returns at once with *in_child and *slot_out set.
 */
static int
supervise(const struct prefork_def *def, bool takeover, bool *in_child,
    int *slot_out)
{
	struct slot slots[LIMIT_FCGI_PROCS];
	char how[64];
	int lockfd = -1, i, n, st, status = 0;
	long pause;
	pid_t pid;

	n = def->procs < 1 ? 1 : def->procs > LIMIT_FCGI_PROCS ?
	    LIMIT_FCGI_PROCS : def->procs;
	if (def->lockfile != NULL && *def->lockfile != '\0' &&
	    (lockfd = take_lock(def->lockfile)) < 0) {
		if (!takeover)
			log_msg(LOG_ERROR, NULL, "start", "%s: another "
			    "supervisor holds %s", def->name, def->lockfile);
		return takeover ? 0 : 1;
	}
	if (takeover) {
		prctl(PR_SET_PDEATHSIG, 0);
		alarm(0);
		is_child = 0;
		log_msg(LOG_WARN, NULL, "respawn", "%s: the supervisor died; "
		    "pid %ld takes its place", def->name, (long)getpid());
		if (def->reset != NULL)
			def->reset(def->arg);
	}
	write_pidfile(def->pidfile);
	handle(SIGTERM, on_term);
	handle(SIGINT, on_term);
	signal(SIGUSR2, SIG_IGN);
	signal(SIGCHLD, SIG_DFL);
	memset(slots, 0, sizeof(slots));
	for (i = 0; i < n; i++) {
		if (!spawn(&slots[i], lockfd, in_child, slot_out, i))
			break;
		if (*in_child)
			return 0;
	}
	if (i == 0) {
		if (lockfd >= 0)
			close(lockfd);
		return 1;
	}
	log_msg(LOG_INFO, NULL, "start", "%s: supervisor %ld keeps %d "
	    "processes", def->name, (long)getpid(), n);
	while (!stop_asked) {
		pid = waitpid(-1, &st, 0);
		if (pid < 0) {
			if (errno != EINTR)
				pause_ms(LIMIT_RESPAWN_MIN_MS);
			continue;
		}
		for (i = 0; i < n && slots[i].pid != pid; i++)
			;
		if (i == n)
			continue;
		slots[i].pid = 0;
		if (stop_asked)
			break;
		if (def->once) {
			slots[i].done = true;
			if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
				status = 1;
			for (i = 0; i < n && slots[i].done; i++)
				;
			if (i == n)
				break;
			continue;
		}
		/* A child that lived a while is replaced at once; one that
		 * dies young again and again waits longer each time. */
		if (age_ms(&slots[i].born) >= LIMIT_RESPAWN_STABLE_S * 1000)
			slots[i].pause_ms = 0;
		else if (slots[i].pause_ms == 0)
			slots[i].pause_ms = LIMIT_RESPAWN_MIN_MS;
		else if ((slots[i].pause_ms *= 2) > LIMIT_RESPAWN_MAX_MS)
			slots[i].pause_ms = LIMIT_RESPAWN_MAX_MS;
		pause = slots[i].pause_ms;
		describe(st, how, sizeof(how));
		log_msg(pause >= 1000 ? LOG_ERROR : LOG_WARN, NULL, "respawn",
		    "%s: process %ld (slot %d) %s; starting another in %ld ms",
		    def->name, (long)pid, i, how, pause);
		pause_ms(pause);
		if (stop_asked)
			break;
		if (!spawn(&slots[i], lockfd, in_child, slot_out, i))
			continue;
		if (*in_child)
			return 0;
	}
	stop_children(slots, n);
	log_msg(LOG_INFO, NULL, "stop", "%s: supervisor %ld stopping",
	    def->name, (long)getpid());
	if (lockfd >= 0)
		close(lockfd);
	return status;
}

int
prefork_run(const struct prefork_def *def)
{
	bool in_child, takeover = false;
	int status, slot = 0;

	for (;;) {
		in_child = false;
		status = supervise(def, takeover, &in_child, &slot);
		if (!in_child) {
			if (takeover)
				_exit(status);
			return status;
		}
		status = def->serve(def->arg, slot);
		/* A child whose supervisor died (and was not told to stop)
		 * tries to take its place; the others just leave. */
		if (!orphaned || stop_asked || def->lockfile == NULL ||
		    *def->lockfile == '\0')
			_exit(status);
		orphaned = 0;
		stopping = 0;
		takeover = true;
	}
}
