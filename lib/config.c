/* config.c — SLUICE_* environment variables into struct config. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "limit.h"

static const struct config_var vars[] = {
	{ "SLUICE_DATABASE_URL", "dbname=sluice",
	  "libpq connection string or URI of the database" },
	{ "SLUICE_BASE_URL", "http://127.0.0.1:8080",
	  "public URL of the site (OAuth redirect URLs, links in email)" },
	{ "SLUICE_SQL_DIR", "sql", "directory of numbered migrations" },
	{ "SLUICE_TEMPLATE_DIR", "templates", "directory of mustache templates" },
	{ "SLUICE_LOG_FILE", "", "append JSON log lines here; empty: stderr" },
	{ "SLUICE_ENCRYPTION_KEYS", "",
	  "id:base64key[,id:base64key...]: the first seals, all open" },
	{ "SLUICE_CRON_SECRET", "", "shared secret cron sends in X-Cron-Secret" },
	{ "SLUICE_RESEND_WEBHOOK_SECRET", "",
	  "whsec_... secret Resend signs webhooks with" },
	{ "SLUICE_RESEND_API_KEY", "",
	  "re_... key for Resend's API; without it digests are not sent" },
	{ "SLUICE_RESEND_API_BASE", "https://api.resend.com",
	  "Resend API base URL (tests point it at a local fake)" },
	{ "SLUICE_MAIL_FROM", "digest@localhost",
	  "sender address of the digest (a domain verified at Resend)" },
	{ "SLUICE_MAIL_FROM_NAME", "Sluice",
	  "sender display name of the digest" },
	{ "SLUICE_UNSUBSCRIBE_SECRET", "",
	  "key for signed unsubscribe links; empty: derived from the "
	  "current SLUICE_ENCRYPTION_KEYS entry" },
	{ "SLUICE_SANDBOX", "0",
	  "1: providers without credentials use the built-in sandbox" },
	{ "SLUICE_HTTP_TIMEOUT_MS", "20000",
	  "longest wait for a provider's answer in the web programs" },
	{ "SLUICE_CORS_ORIGINS", "",
	  "space-separated origins allowed to call /v1/ from a browser" },
	{ "SLUICE_ALLOW_LOOPBACK_HTTP", "0",
	  "1: provider URLs may be plain http on 127.0.0.1 (tests, fakes)" },
	{ "SLUICE_DB_BACKOFF_MAX_MS", "2000",
	  "longest wait between database reconnect attempts" },
};

const struct config_var *
config_vars(size_t *n)
{
	*n = sizeof(vars) / sizeof(vars[0]);
	return vars;
}

const char *
config_env(const char *name, const char *def)
{
	const char *v;

	v = getenv(name);
	return v == NULL || *v == '\0' ? def : v;
}

enum err
config_bool(const char *name, bool def, bool *out, char *errbuf,
    size_t errlen)
{
	static const char *const yes[] = { "1", "true", "yes", "on" };
	static const char *const no[] = { "0", "false", "no", "off" };
	const char *v;
	size_t i;

	if ((v = config_env(name, NULL)) == NULL) {
		*out = def;
		return ERR_OK;
	}
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(v, yes[i]) == 0) {
			*out = true;
			return ERR_OK;
		}
		if (strcasecmp(v, no[i]) == 0) {
			*out = false;
			return ERR_OK;
		}
	}
	snprintf(errbuf, errlen, "%s must be 1 or 0 (or true/false, yes/no, "
	    "on/off)", name);
	return ERR_INPUT;
}

enum err
config_long(const char *name, long def, long min, long max, long *out,
    char *errbuf, size_t errlen)
{
	const char *v;
	char *end;
	long n;

	if ((v = config_env(name, NULL)) == NULL) {
		*out = def;
		return ERR_OK;
	}
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0' || n < min || n > max) {
		snprintf(errbuf, errlen, "%s must be a whole number from %ld "
		    "to %ld", name, min, max);
		return ERR_INPUT;
	}
	*out = n;
	return ERR_OK;
}

enum err
config_load(struct config *cfg, char *errbuf, size_t errlen)
{
	enum err rc;

	memset(cfg, 0, sizeof(*cfg));
	cfg->database_url = config_env("SLUICE_DATABASE_URL", vars[0].def);
	cfg->base_url = config_env("SLUICE_BASE_URL", vars[1].def);
	cfg->sql_dir = config_env("SLUICE_SQL_DIR", vars[2].def);
	cfg->template_dir = config_env("SLUICE_TEMPLATE_DIR", vars[3].def);
	cfg->log_file = config_env("SLUICE_LOG_FILE", "");
	cfg->encryption_keys = config_env("SLUICE_ENCRYPTION_KEYS", "");
	cfg->cron_secret = config_env("SLUICE_CRON_SECRET", "");
	cfg->cors_origins = config_env("SLUICE_CORS_ORIGINS", "");
	cfg->resend_webhook_secret =
	    config_env("SLUICE_RESEND_WEBHOOK_SECRET", "");
	cfg->resend_api_key = config_env("SLUICE_RESEND_API_KEY", "");
	cfg->resend_api_base = config_env("SLUICE_RESEND_API_BASE",
	    "https://api.resend.com");
	cfg->mail_from = config_env("SLUICE_MAIL_FROM", "digest@localhost");
	cfg->mail_from_name = config_env("SLUICE_MAIL_FROM_NAME", "Sluice");
	cfg->unsubscribe_secret = config_env("SLUICE_UNSUBSCRIBE_SECRET", "");
	if (strncmp(cfg->base_url, "http://", 7) != 0 &&
	    strncmp(cfg->base_url, "https://", 8) != 0) {
		snprintf(errbuf, errlen, "SLUICE_BASE_URL must start with "
		    "http:// or https://");
		return ERR_INPUT;
	}
	if ((rc = config_bool("SLUICE_SANDBOX", false, &cfg->sandbox,
	    errbuf, errlen)) != ERR_OK)
		return rc;
	if ((rc = config_bool("SLUICE_ALLOW_LOOPBACK_HTTP", false,
	    &cfg->allow_loopback_http, errbuf, errlen)) != ERR_OK)
		return rc;
	if ((rc = config_long("SLUICE_HTTP_TIMEOUT_MS",
	    LIMIT_UPSTREAM_TIMEOUT_MS, 100, 600000, &cfg->http_timeout_ms,
	    errbuf, errlen)) != ERR_OK)
		return rc;
	if ((rc = config_long("SLUICE_DB_BACKOFF_MAX_MS",
	    LIMIT_DB_BACKOFF_MAX_MS, LIMIT_DB_BACKOFF_MIN_MS, 60000,
	    &cfg->db_backoff_max_ms, errbuf, errlen)) != ERR_OK)
		return rc;
	return ERR_OK;
}
