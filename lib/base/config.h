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

#include "base/err.h"
#include "base/limit.h"

struct arena;

/* An address range: an address and how many of its leading bits count. */
struct config_net {
	int		 family;	/* AF_INET or AF_INET6 */
	unsigned char	 addr[16];	/* network order; 4 bytes for AF_INET */
	int		 bits;		/* prefix length */
};

struct config {
	const char	*database_url;	/* SLUICE_DATABASE_URL */
	/* SLUICE_DATABASE_READ_URL: a streaming replica for read-only work,
	 * "" for none (lib/store/db.h, db_reader()) */
	const char	*database_read_url;
	long		 read_max_lag_s; /* SLUICE_READ_MAX_LAG_S */
	/* SLUICE_STATEMENT_TIMEOUT_MS: a request's statements for a
	 * workspace are cancelled past it (0: never) */
	long		 statement_timeout_ms;
	const char	*base_url;	/* SLUICE_BASE_URL */
	const char	*sql_dir;	/* SLUICE_SQL_DIR */
	const char	*template_dir;	/* SLUICE_TEMPLATE_DIR */
	const char	*log_file;	/* SLUICE_LOG_FILE, "" for stderr */
	const char	*encryption_keys; /* SLUICE_ENCRYPTION_KEYS */
	const char	*cron_secret;	/* SLUICE_CRON_SECRET */
	const char	*resend_webhook_secret; /* SLUICE_RESEND_WEBHOOK_SECRET */
	const char	*resend_api_key; /* SLUICE_RESEND_API_KEY, "" if none */
	const char	*resend_api_base; /* SLUICE_RESEND_API_BASE */
	const char	*mail_dir;	/* SLUICE_MAIL_DIR, "" if none */
	const char	*mail_from;	/* SLUICE_MAIL_FROM */
	const char	*mail_from_name; /* SLUICE_MAIL_FROM_NAME */
	const char	*unsubscribe_secret; /* SLUICE_UNSUBSCRIBE_SECRET */
	bool		 sandbox;	/* SLUICE_SANDBOX */
	bool		 allow_loopback_http; /* SLUICE_ALLOW_LOOPBACK_HTTP */
	const char	*cors_origins;	/* SLUICE_CORS_ORIGINS, "" for none */
	long		 http_timeout_ms; /* SLUICE_HTTP_TIMEOUT_MS */
	long		 db_backoff_max_ms; /* SLUICE_DB_BACKOFF_MAX_MS */
	/* SLUICE_DB_POOLER=transaction: a pooler (PgBouncer) in transaction
	 * mode is in front of the database; nothing may rely on the session
	 * (lib/store/db.h). */
	bool		 db_pooled;
	/* SLUICE_TRUSTED_PROXIES: proxies whose X-Forwarded-For is believed */
	struct config_net trusted[LIMIT_TRUSTED_PROXIES];
	size_t		 ntrusted;
};

/* One documented variable. */
struct config_var {
	const char	*name;		/* e.g. "SLUICE_DATABASE_URL" */
	const char	*def;		/* default, "" when none */
	const char	*doc;		/* one line for README and --help */
};

/*
 * Fills cfg from the environment, applying defaults.  On ERR_INPUT *why
 * (in the arena) names the variable and what it accepts (never the value
 * of a secret).  The strings of cfg point into the environment.
 */
enum err	 config_load(struct arena *, struct config *cfg,
		    const char **why);

/* The documented variables, *n set to their count; static storage. */
const struct config_var *config_vars(size_t *n);

/* The variable's value, or def when unset or empty; points into environ. */
const char	*config_env(const char *name, const char *def);

/*
 * Parses a variable as a boolean (1/0, true/false, yes/no, on/off, any
 * case) or an integer within [min, max].  Unset or empty gives def.
 * ERR_INPUT, *why (in the arena) naming the variable and what it accepts,
 * when the value does not parse or is out of range.
 */
enum err	 config_bool(struct arena *, const char *name, bool def,
		    bool *out, const char **why);
enum err	 config_long(struct arena *, const char *name, long def,
		    long min, long max, long *out, const char **why);

/* One integer variable for config_longs(). */
struct config_long {
	const char	*name;
	long		 def, min, max;
	long		*out;
};

/*
 * config_long() of n variables in order; ERR_INPUT with its *why at the
 * first that does not parse.
 */
enum err	 config_longs(struct arena *, const struct config_long *,
		    size_t n, const char **why);

/*
 * Parses an address ("192.0.2.1", "2001:db8::1") or a range in CIDR
 * notation ("10.0.0.0/8", "2001:db8::/32") into *out; an IPv4 address
 * written as IPv6 (::ffff:192.0.2.1) counts as IPv4.  ERR_INPUT when it
 * is neither, or the prefix is longer than the address.
 */
enum err	 config_net_parse(const char *s, struct config_net *out);

/* Whether addr (an address, not a range) is inside one of the trusted
 * proxies' ranges; false when addr does not parse. */
bool		 config_trusted_proxy(const struct config *, const char *addr);

/*
 * The client's address as the login throttle counts it: remote_addr
 * (REMOTE_ADDR), or, when that is a trusted proxy, the rightmost address
 * of xff (X-Forwarded-For, may be NULL) that is not one — each trusted
 * proxy appends the address it saw, so addresses left of that are the
 * client's own claims and are never believed.  Without trusted proxies
 * X-Forwarded-For is ignored.  An entry that is not an address stops the
 * walk at the last address known good.  Written canonically (inet_ntop);
 * an IPv6 address as its /64 ("2001:db8:1:2::/64"), the share one host
 * or customer usually gets.  Arena-owned; remote_addr itself when it is
 * not an address.
 */
const char	*config_client_addr(const struct config *, struct arena *,
		    const char *remote_addr, const char *xff);

#endif
