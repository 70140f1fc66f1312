/*
 * log.h — one JSON line per event, to stderr or SLUICE_LOG_FILE.
 *
 * Strings are escaped (control characters included) and cut at
 * LIMIT_LOG_FIELD bytes.  Callers log paths, never query strings, bodies,
 * cookies, headers or anything secret: this module cannot tell a token
 * from a name, so the rule is kept at the call sites.
 */
#ifndef SLUICE_LOG_H
#define SLUICE_LOG_H

enum log_level {
	LOG_DEBUG,
	LOG_INFO,
	LOG_WARN,
	LOG_ERROR,
	LOG__MAX
};

/* Sets the program name and the descriptor lines go to (process-wide). */
void	log_init(const char *program, int fd);

/*
 * Opens path for appending (created 0640) as this process's own log file
 * and closes the descriptor used so far unless it is stderr.  A forked
 * process calls it so that its lines do not go through its parent's open
 * file, whose position lock every process writing to it would share.
 * 0, or -1 with the old descriptor kept.
 */
int	log_reopen(const char *path);

/* The access line: time, request id, program, method, path, status, ms. */
void	log_request(const char *request_id, const char *method,
	    const char *path, int status, double ms, const char *error);

/*
 * An event line: {"time","level","program","request_id","event","msg"}.
 * request_id may be NULL; msg is printf-formatted and must hold no secret.
 */
void	log_msg(enum log_level, const char *request_id, const char *event,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
