/*
 * config.h — the process configuration, read once from SLUICE_* variables.
 *
 * `make run` exports them from the environment, sluice.env and
 * var/secrets.env (in that order of precedence).  README.md lists every
 * variable with its default; config_vars() is the same list in code.
 * The struct is filled at start-up and read-only afterwards; its strings
 * point into the environment and live as long as the process.
 */
#ifndef SLUICE_CONFIG_H
#define SLUICE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

struct config {
	const char	*database_url;	/* SLUICE_DATABASE_URL */
	const char	*base_url;	/* SLUICE_BASE_URL */
	const char	*sql_dir;	/* SLUICE_SQL_DIR */
	const char	*template_dir;	/* SLUICE_TEMPLATE_DIR */
	const char	*log_file;	/* SLUICE_LOG_FILE, "" for stderr */
	const char	*encryption_keys; /* SLUICE_ENCRYPTION_KEYS */
	const char	*cron_secret;	/* SLUICE_CRON_SECRET */
	const char	*resend_webhook_secret; /* SLUICE_RESEND_WEBHOOK_SECRET */
	const char	*resend_api_key; /* SLUICE_RESEND_API_KEY, "" if none */
	const char	*resend_api_base; /* SLUICE_RESEND_API_BASE */
	const char	*mail_from;	/* SLUICE_MAIL_FROM */
	const char	*mail_from_name; /* SLUICE_MAIL_FROM_NAME */
	const char	*unsubscribe_secret; /* SLUICE_UNSUBSCRIBE_SECRET */
	bool		 sandbox;	/* SLUICE_SANDBOX */
	bool		 allow_loopback_http; /* SLUICE_ALLOW_LOOPBACK_HTTP */
	const char	*cors_origins;	/* SLUICE_CORS_ORIGINS, "" for none */
	long		 http_timeout_ms; /* SLUICE_HTTP_TIMEOUT_MS */
	long		 db_backoff_max_ms; /* SLUICE_DB_BACKOFF_MAX_MS */
};

/* One documented variable. */
struct config_var {
	const char	*name;		/* e.g. "SLUICE_DATABASE_URL" */
	const char	*def;		/* default, "" when none */
	const char	*doc;		/* one line for README and --help */
};

/*
 * Fills cfg from the environment, applying defaults.  On ERR_INPUT
 * errbuf holds a message naming the variable and what it accepts (never
 * the value of a secret).
 */
enum err	 config_load(struct config *cfg, char *errbuf, size_t errlen);

/* The documented variables, *n set to their count; static storage. */
const struct config_var *config_vars(size_t *n);

/* The variable's value, or def when unset or empty; points into environ. */
const char	*config_env(const char *name, const char *def);

/*
 * Parses a variable as a boolean (1/0, true/false, yes/no, on/off, any
 * case) or an integer within [min, max].  Unset or empty gives def.
 * ERR_INPUT with errbuf filled when the value does not parse or is out of
 * range.
 */
enum err	 config_bool(const char *name, bool def, bool *out,
		    char *errbuf, size_t errlen);
enum err	 config_long(const char *name, long def, long min, long max,
		    long *out, char *errbuf, size_t errlen);

#endif
