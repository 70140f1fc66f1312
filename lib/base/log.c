/* log.c — JSON-lines logging; each line is one write(2). */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/limit.h"
#include "base/log.h"

/* Process configuration, set once at start-up by log_init(). */
static const char	*log_program = "sluice";
static int		 log_fd = 2;

static const char *const levels[LOG__MAX] = {
	[LOG_DEBUG] = "debug",
	[LOG_INFO] = "info",
	[LOG_WARN] = "warn",
	[LOG_ERROR] = "error",
};

void
log_init(const char *program, int fd)
{
	log_program = program;
	log_fd = fd;
}

int
log_reopen(const char *path)
{
	int fd;

	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (fd < 0)
		return -1;
	if (log_fd > 2)
		close(log_fd);
	log_fd = fd;
	return 0;
}

static void
put_field(struct buf *b, const char *key, const char *val)
{
	size_t len;

	if (val == NULL)
		return;
	len = strlen(val);
	if (len > LIMIT_LOG_FIELD)
		len = LIMIT_LOG_FIELD;
	buf_printf(b, ",\"%s\":", key);
	buf_put_json_string(b, val, len);
}

static void
line_start(struct buf *b)
{
	struct timespec ts;
	struct tm tm;
	char when[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	buf_printf(b, "{\"time\":\"%s.%03ldZ\"", when, ts.tv_nsec / 1000000);
	put_field(b, "program", log_program);
}

static void
line_end(struct buf *b)
{
	ssize_t n;

	if (buf_puts(b, "}\n") != ERR_OK) {
		/* Over the limit: end the line cleanly anyway. */
		b->len = b->max > 3 ? b->max - 3 : 0;
		buf_puts(b, "\"}\n");
	}
	n = write(log_fd, b->data, b->len);
	(void)n;
	buf_free(b);
}

void
log_request(const char *request_id, const char *method, const char *path,
    int status, double ms, const char *error)
{
	struct buf b;

	buf_init(&b, LIMIT_LOG_LINE);
	line_start(&b);
	put_field(&b, "request_id", request_id);
	put_field(&b, "method", method);
	put_field(&b, "path", path);
	buf_printf(&b, ",\"status\":%d,\"ms\":%.3f", status, ms);
	put_field(&b, "error", error);
	line_end(&b);
}

void
log_msg(enum log_level level, const char *request_id, const char *event,
    const char *fmt, ...)
{
	char msg[LIMIT_LOG_FIELD + 1];
	struct buf b;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	buf_init(&b, LIMIT_LOG_LINE);
	line_start(&b);
	put_field(&b, "level", level < LOG__MAX ? levels[level] : "error");
	put_field(&b, "request_id", request_id);
	put_field(&b, "event", event);
	put_field(&b, "msg", msg);
	line_end(&b);
}
