/* config.c — SLUICE_* environment variables into struct config. */
#include <arpa/inet.h>
#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/arena.h"
#include "base/config.h"
#include "base/limit.h"
#include "base/mem.h"

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
	{ "SLUICE_MAIL_DIR", "",
	  "without SLUICE_RESEND_API_KEY: write each email there (.eml and "
	  ".html) instead of sending it; make run's sandbox sets VAR/mail" },
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
	{ "SLUICE_DB_POOLER", "none",
	  "transaction: a pooler in transaction mode (PgBouncer) is in "
	  "front of the database; none: a direct connection" },
	{ "SLUICE_DATABASE_READ_URL", "",
	  "libpq connection string of a streaming replica for read-only "
	  "work (dashboard, tiles, /v1/metrics, exports, digests); empty: "
	  "everything on the primary" },
	{ "SLUICE_READ_MAX_LAG_S", "30",
	  "seconds a read replica may lag before reads go to the primary" },
	{ "SLUICE_STATEMENT_TIMEOUT_MS", "30000",
	  "longest a statement of a request for a workspace may run before "
	  "the database cancels it (the request answers 503); 0: no bound" },
	{ "SLUICE_TRUSTED_PROXIES", "",
	  "addresses or CIDR ranges of proxies in front of nginx whose "
	  "X-Forwarded-For names the client; empty: it is ignored" },
};

const struct config_var *
config_vars(size_t *n)
{
	*n = nitems(vars);
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
config_bool(struct arena *a, const char *name, bool def, bool *out,
    const char **why)
{
	static const char *const yes[] = { "1", "true", "yes", "on" };
	static const char *const no[] = { "0", "false", "no", "off" };
	const char *v;
	size_t i;

	if ((v = config_env(name, NULL)) == NULL) {
		*out = def;
		return ERR_OK;
	}
	for (i = 0; i < nitems(yes); i++) {
		if (strcasecmp(v, yes[i]) == 0) {
			*out = true;
			return ERR_OK;
		}
		if (strcasecmp(v, no[i]) == 0) {
			*out = false;
			return ERR_OK;
		}
	}
	*why = arena_printf(a, "%s must be 1 or 0 (or true/false, yes/no, "
	    "on/off)", name);
	return ERR_INPUT;
}

enum err
config_long(struct arena *a, const char *name, long def, long min, long max,
    long *out, const char **why)
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
		*why = arena_printf(a, "%s must be a whole number from %ld "
		    "to %ld", name, min, max);
		return ERR_INPUT;
	}
	*out = n;
	return ERR_OK;
}

enum err
config_longs(struct arena *a, const struct config_long *v, size_t n,
    const char **why)
{
	enum err rc;
	size_t i;

	for (i = 0; i < n; i++)
		if ((rc = config_long(a, v[i].name, v[i].def, v[i].min,
		    v[i].max, v[i].out, why)) != ERR_OK)
			return rc;
	return ERR_OK;
}

enum err
config_net_parse(const char *s, struct config_net *out)
{
	char text[INET6_ADDRSTRLEN + 8], *slash, *end;
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0, 0xff, 0xff };
	size_t n = strlen(s);
	long bits;
	int max;

	memset(out, 0, sizeof(*out));
	if (n == 0 || n >= sizeof(text))
		return ERR_INPUT;
	memcpy(text, s, n + 1);
	if ((slash = strchr(text, '/')) != NULL)
		*slash = '\0';
	if (inet_pton(AF_INET, text, out->addr) == 1) {
		out->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, text, out->addr) == 1) {
		out->family = AF_INET6;
		max = 128;
		if (memcmp(out->addr, mapped, sizeof(mapped)) == 0) {
			memmove(out->addr, out->addr + 12, 4);
			memset(out->addr + 4, 0, 12);
			out->family = AF_INET;
			max = 32;
		}
	} else
		return ERR_INPUT;
	out->bits = max;
	if (slash != NULL) {
		errno = 0;
		bits = strtol(slash + 1, &end, 10);
		if (slash[1] < '0' || slash[1] > '9' || *end != '\0' ||
		    errno != 0 || bits > (strchr(text, ':') != NULL ? 128 : 32))
			return ERR_INPUT;
		/* ::ffff:10.0.0.0/104 is 10.0.0.0/8 */
		out->bits = max == 32 && strchr(text, ':') != NULL ?
		    (int)bits - 96 : (int)bits;
		if (out->bits < 0)
			return ERR_INPUT;
	}
	return ERR_OK;
}

/* Whether the first bits of a and b are equal. */
static bool
same_prefix(const unsigned char *a, const unsigned char *b, int bits)
{
	int full = bits / 8, rest = bits % 8;
	unsigned char mask;

	if (memcmp(a, b, (size_t)full) != 0)
		return false;
	if (rest == 0)
		return true;
	mask = (unsigned char)(0xff << (8 - rest));
	return (a[full] & mask) == (b[full] & mask);
}

static bool
trusted(const struct config *cfg, const struct config_net *a)
{
	size_t i;

	for (i = 0; i < cfg->ntrusted; i++)
		if (cfg->trusted[i].family == a->family &&
		    same_prefix(cfg->trusted[i].addr, a->addr,
		    cfg->trusted[i].bits))
			return true;
	return false;
}

bool
config_trusted_proxy(const struct config *cfg, const char *addr)
{
	struct config_net a;

	return addr != NULL && strchr(addr, '/') == NULL &&
	    config_net_parse(addr, &a) == ERR_OK && trusted(cfg, &a);
}

/* The throttle's text for one address: IPv4 whole, IPv6 by its /64. */
static const char *
addr_text(struct arena *ar, const struct config_net *a)
{
	char text[INET6_ADDRSTRLEN];
	unsigned char net[16];

	if (a->family == AF_INET) {
		inet_ntop(AF_INET, a->addr, text, sizeof(text));
		return arena_strdup(ar, text);
	}
	memcpy(net, a->addr, 8);
	memset(net + 8, 0, 8);
	inet_ntop(AF_INET6, net, text, sizeof(text));
	return arena_printf(ar, "%s/64", text);
}

const char *
config_client_addr(const struct config *cfg, struct arena *ar,
    const char *remote_addr, const char *xff)
{
	struct config_net client, hop;
	char entry[INET6_ADDRSTRLEN + 8];
	const char *end, *start, *s, *e;

	if (remote_addr == NULL || config_net_parse(remote_addr, &client) !=
	    ERR_OK || strchr(remote_addr, '/') != NULL)
		return remote_addr != NULL ? remote_addr : "";
	if (xff == NULL || !trusted(cfg, &client))
		return addr_text(ar, &client);
	/* From the right: each trusted proxy appended the address it saw. */
	end = xff + strlen(xff);
	while (end > xff && trusted(cfg, &client)) {
		for (start = end; start > xff && start[-1] != ','; start--)
			;
		for (s = start; s < end && (*s == ' ' || *s == '\t'); s++)
			;
		for (e = end; e > s && (e[-1] == ' ' || e[-1] == '\t'); e--)
			;
		if (e == s || (size_t)(e - s) >= sizeof(entry))
			break;
		memcpy(entry, s, (size_t)(e - s));
		entry[e - s] = '\0';
		if (strchr(entry, '/') != NULL ||
		    config_net_parse(entry, &hop) != ERR_OK)
			break;
		client = hop;
		end = start > xff ? start - 1 : xff;	/* before the comma */
	}
	return addr_text(ar, &client);
}

/* SLUICE_TRUSTED_PROXIES: ranges separated by spaces or commas. */
static enum err
load_trusted(struct config *cfg, struct arena *a, const char **why)
{
	const char *v = config_env("SLUICE_TRUSTED_PROXIES", ""), *p;
	char one[INET6_ADDRSTRLEN + 8];
	size_t n;

	for (p = v; *p != '\0'; p += n) {
		p += strspn(p, " ,\t");
		if ((n = strcspn(p, " ,\t")) == 0)
			break;
		if (cfg->ntrusted == LIMIT_TRUSTED_PROXIES) {
			*why = arena_printf(a, "SLUICE_TRUSTED_PROXIES lists "
			    "more than %d ranges; use CIDR ranges",
			    LIMIT_TRUSTED_PROXIES);
			return ERR_INPUT;
		}
		if (n >= sizeof(one) || (memcpy(one, p, n), one[n] = '\0',
		    config_net_parse(one, &cfg->trusted[cfg->ntrusted])) !=
		    ERR_OK) {
			*why = arena_printf(a, "SLUICE_TRUSTED_PROXIES: "
			    "\"%.*s\" is not an IP address or CIDR range "
			    "(e.g. 10.0.0.5, 10.0.0.0/24, 2001:db8::/48)",
			    (int)(n > 64 ? 64 : n), p);
			return ERR_INPUT;
		}
		cfg->ntrusted++;
	}
	return ERR_OK;
}

enum err
config_load(struct arena *a, struct config *cfg, const char **why)
{
	const char *pooler;
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
	cfg->mail_dir = config_env("SLUICE_MAIL_DIR", "");
	cfg->mail_from = config_env("SLUICE_MAIL_FROM", "digest@localhost");
	cfg->mail_from_name = config_env("SLUICE_MAIL_FROM_NAME", "Sluice");
	cfg->unsubscribe_secret = config_env("SLUICE_UNSUBSCRIBE_SECRET", "");
	cfg->database_read_url = config_env("SLUICE_DATABASE_READ_URL", "");
	if (strncmp(cfg->base_url, "http://", 7) != 0 &&
	    strncmp(cfg->base_url, "https://", 8) != 0) {
		*why = "SLUICE_BASE_URL must start with http:// or https://";
		return ERR_INPUT;
	}
	if ((rc = config_bool(a, "SLUICE_SANDBOX", false, &cfg->sandbox,
	    why)) != ERR_OK)
		return rc;
	if ((rc = config_bool(a, "SLUICE_ALLOW_LOOPBACK_HTTP", false,
	    &cfg->allow_loopback_http, why)) != ERR_OK)
		return rc;
	if ((rc = config_long(a, "SLUICE_HTTP_TIMEOUT_MS",
	    LIMIT_UPSTREAM_TIMEOUT_MS, 100, 600000, &cfg->http_timeout_ms,
	    why)) != ERR_OK)
		return rc;
	if ((rc = config_long(a, "SLUICE_DB_BACKOFF_MAX_MS",
	    LIMIT_DB_BACKOFF_MAX_MS, LIMIT_DB_BACKOFF_MIN_MS, 60000,
	    &cfg->db_backoff_max_ms, why)) != ERR_OK)
		return rc;
	if ((rc = config_long(a, "SLUICE_READ_MAX_LAG_S", 30, 1, 86400,
	    &cfg->read_max_lag_s, why)) != ERR_OK)
		return rc;
	if ((rc = config_long(a, "SLUICE_STATEMENT_TIMEOUT_MS",
	    LIMIT_STATEMENT_TIMEOUT_MS, 0, 3600000,
	    &cfg->statement_timeout_ms, why)) != ERR_OK)
		return rc;
	pooler = config_env("SLUICE_DB_POOLER", "none");
	if (strcmp(pooler, "transaction") == 0)
		cfg->db_pooled = true;
	else if (strcmp(pooler, "none") != 0) {
		*why = "SLUICE_DB_POOLER must be none (a direct connection) or "
		    "transaction (PgBouncer in transaction mode)";
		return ERR_INPUT;
	}
	return load_trusted(cfg, a, why);
}
