/*
 * prefork.h — keeps a program's serving processes alive.
 *
 * A FastCGI program is started once (by spawn-fcgi, systemd or a shell)
 * with its listening socket on descriptor 0.  That process becomes the
 * supervisor: it forks the configured number of children, each of which
 * runs the serve function over the inherited socket, and it replaces a
 * child that exits or is killed within a moment.  A child that dies again
 * soon after its start is replaced after a growing pause (a crash loop is
 * logged, and does not spin).  SIGTERM or SIGINT to the supervisor is
 * passed to every child, each finishes the request in hand, and the
 * supervisor returns once all have exited.
 *
 * The supervisor itself can be replaced as well: it holds a lock on a
 * file, and when it dies without being asked to stop, its children hear
 * it (SIGUSR2), finish what they hold, and the first to take the lock
 * becomes the new supervisor (it rewrites the pid file and forks fresh
 * children); the others exit.
 *
 * A child's blocking wait (accept()) must fail with EINTR when a signal
 * comes (libfcgi: FCGI_FAIL_ACCEPT_ON_INTR), and serve() then checks
 * prefork_stopping().  A signal that lands just before the wait begins is
 * followed by SIGALRM a second later, which interrupts it again.
 */
#ifndef SLUICE_PREFORK_H
#define SLUICE_PREFORK_H

#include <signal.h>
#include <stdbool.h>

struct prefork_def {
	const char	*name;		/* program name, for log lines */
	int		 procs;		/* children to keep, 1..LIMIT_FCGI_PROCS */
	const char	*pidfile;	/* the supervisor's pid file, or NULL */
	const char	*lockfile;	/* lock for a takeover, or NULL: none */
	bool		 once;		/* children are not replaced: the
					 * supervisor returns when all ended */
	/* One child's life: serve until prefork_stopping(); the value is the
	 * child's exit status.  slot is 0..procs-1, the same for a child and
	 * its replacements. */
	int		(*serve)(void *arg, int slot);
	/* Called in a child that becomes the supervisor, before it forks:
	 * drop what must not be shared with the next children (a database
	 * connection).  May be NULL. */
	void		(*reset)(void *arg);
	void		*arg;
};

/*
 * Runs the supervisor described by def until it is told to stop (once:
 * until every child ended), then returns 0 (or 1 when the lock is held by
 * a live supervisor, the first child could not be started, or, once, a
 * child failed).  Children never return from this
 * function: they exit with serve's status.  Signals: installs handlers
 * for SIGTERM, SIGINT, SIGUSR2, SIGALRM and SIGCHLD's default.
 */
int	prefork_run(const struct prefork_def *def);

/* In a child: true once it was asked to stop (SIGTERM/SIGINT) or its
 * supervisor died.  serve() checks it between requests. */
bool	prefork_stopping(void);

/* For a process that serves alone, without a supervisor (a one-shot
 * command): SIGTERM and SIGINT set prefork_stopping() from now on. */
void	prefork_catch(void);

/* The flag behind prefork_stopping(), for code that polls a pointer;
 * static storage, set from signal handlers. */
volatile sig_atomic_t *prefork_flag(void);

/*
 * In a child that serves requests one by one: the same handlers, but a
 * system call they interrupt is restarted (SA_RESTART), so a request in
 * hand finishes without blocking the signals around it; a wait in poll()
 * still returns EINTR (signal(7): never restarted), and sleeps return
 * early (loop on the time left).  A child that becomes the supervisor
 * installs its own handlers again.
 */
void	prefork_restarting(void);

#endif
