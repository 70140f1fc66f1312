/* outbox.c — endpoints, the outbox of events and their signed deliveries. */
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/config.h"
#include "base/limit.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/utf8.h"
#include "crypto/crypto.h"
#include "hooks/outbox.h"
#include "net/httpc.h"
#include "store/db.h"
#include "store/throttle.h"

#define SECRET_BYTES	32
#define STR(x)		#x
#define XSTR(x)		STR(x)

/* The catalogue; sql/180_webhooks_out.sql makes exactly these types. */
static const struct outbox_type types[] = {
	{ "connection.connected", "a connection is made or works again" },
	{ "connection.needs_reauth", "a connection needs a person to "
	    "connect it again" },
	{ "connection.disconnected", "a connection is disconnected" },
	{ "sync.succeeded", "a sync run ends well" },
	{ "sync.failed", "a sync run fails (each failed attempt)" },
	{ "digest.sent", "a digest email (weekly or monthly) is sent" },
};

/* Minutes before attempt 2, 3, 4, 5; every later one waits the last. */
static const long retry_min[] = { 1, 5, 30, 120, 360 };

static const char sql_lock_ws[] =
	"SELECT 1 FROM workspaces WHERE id = $1 FOR NO KEY UPDATE";
static const char sql_count[] =
	"SELECT count(*) FROM webhook_endpoints WHERE workspace_id = $1";
static const char sql_create[] =
	"INSERT INTO webhook_endpoints (workspace_id, url, events, secret, "
	"created_by) VALUES ($1, $2, $3::text[], $4, $5) RETURNING id";
static const char sql_enable[] =
	"UPDATE webhook_endpoints SET enabled = $3 WHERE workspace_id = $1 "
	"AND id = $2";
static const char sql_delete[] =
	"DELETE FROM webhook_endpoints WHERE workspace_id = $1 AND id = $2";
static const char sql_rotate[] =
	"UPDATE webhook_endpoints SET secret = $3, secret_at = now() "
	"WHERE workspace_id = $1 AND id = $2";
static const char sql_enabled[] =
	"SELECT enabled FROM webhook_endpoints WHERE workspace_id = $1 "
	"AND id = $2";
static const char sql_test[] =
	"SELECT sluice_webhook_test($1, $2)";
static const char sql_list[] =
	"SELECT coalesce(json_agg(json_build_object('id', e.id, 'url', e.url, "
	"'events', e.events, 'enabled', e.enabled, 'created', "
	"to_char(e.created_at AT TIME ZONE w.time_zone, 'YYYY-MM-DD HH24:MI') "
	"|| ' ' || w.time_zone, 'has_deliveries', d.list IS NOT NULL, "
	"'deliveries', coalesce(d.list, '[]')) ORDER BY e.id), '[]') "
	"FROM webhook_endpoints e JOIN workspaces w ON w.id = e.workspace_id "
	"LEFT JOIN LATERAL (SELECT json_agg(json_build_object('id', x.id, "
	"'event', v.type, 'msg_id', v.msg_id, 'at', to_char(x.created_at AT "
	"TIME ZONE w.time_zone, 'YYYY-MM-DD HH24:MI:SS'), 'attempts', "
	"x.attempts, 'status', x.status, 'http_status', x.http_status, "
	"'error', x.error, 'next', CASE WHEN x.status = 'pending' THEN "
	"to_char(x.next_at AT TIME ZONE w.time_zone, 'YYYY-MM-DD HH24:MI:SS') "
	"END) ORDER BY x.id DESC) AS list FROM (SELECT * FROM "
	"webhook_deliveries y WHERE y.workspace_id = e.workspace_id AND "
	"y.endpoint_id = e.id ORDER BY y.id DESC LIMIT "
	XSTR(LIMIT_HOOK_LIST) ") x JOIN webhook_events v ON "
	"v.workspace_id = x.workspace_id AND v.id = x.event_id) d ON true "
	"WHERE e.workspace_id = $1";
/*
 * A round: the due deliveries, at most $1 of each workspace (its oldest),
 * the workspaces taking turns (first each one's first, then each one's
 * second...; in a turn, the workspace attempted least recently first), at
 * most $2 in all.  A workspace with a delivery in flight (leased by
 * another process) has none: one workspace's slow endpoints hold at most
 * one deliverer at a time.
 */
static const char sql_round[] =
	"SELECT id FROM (SELECT d.id, d.next_at, d.due, row_number() OVER "
	"(PARTITION BY d.workspace_id, d.due ORDER BY d.next_at, d.id) AS "
	"turn, max(d.last_at) OVER w AS served, bool_or(d.lease_until >= "
	"now()) OVER w AS busy FROM (SELECT *, next_at <= now() AND "
	"(lease_until IS NULL OR lease_until < now()) AS due FROM "
	"webhook_deliveries WHERE status = 'pending') d WINDOW w AS "
	"(PARTITION BY d.workspace_id)) s WHERE due AND busy IS NOT TRUE AND "
	"turn <= $1::int ORDER BY turn, served NULLS FIRST, next_at, id "
	"LIMIT $2::int";
/* Delivery $1 leased if it is still due, with what its attempt needs. */
static const char sql_lease[] =
	"UPDATE webhook_deliveries d SET lease_until = now() + "
	"make_interval(secs => " XSTR(LIMIT_HOOK_LEASE_S) "), attempts = "
	"d.attempts + 1 FROM webhook_endpoints e, webhook_events v "
	"WHERE d.id = (SELECT id FROM webhook_deliveries WHERE id = $1 AND "
	"status = 'pending' AND next_at <= now() AND (lease_until IS NULL OR "
	"lease_until < now()) FOR UPDATE SKIP LOCKED) AND "
	"e.workspace_id = d.workspace_id AND e.id = d.endpoint_id "
	"AND v.workspace_id = d.workspace_id AND v.id = d.event_id "
	"RETURNING d.id, d.attempts, e.id, e.url, e.secret, e.enabled, "
	"v.msg_id, v.body, (extract(epoch FROM clock_timestamp() - "
	"d.created_at) * 1000)::bigint";
/*
 * "Send test event": one attempt on the endpoint's counter and on the
 * workspace's (store/throttle.h); the web role may count there.
 */
static const char sql_test_take[] = THROTTLE_TAKE_SQL(
	"webhook_test_throttle",
	THROTTLE_KEY("'endpoint:' || $1 || ':' || $2", "$3", "$4") ", "
	THROTTLE_KEY("'workspace:' || $1", "$5", "$6"));
static const char sql_test_gc[] = THROTTLE_GC_SQL("webhook_test_throttle");
static const char sql_done[] =
	"UPDATE webhook_deliveries SET lease_until = NULL, last_at = now(), "
	"status = $2, http_status = $3::int, error = $4, response = $5, "
	"next_at = now() + make_interval(secs => $6::double precision / 1000) "
	"WHERE id = $1";
static const char sql_prune[] =
	"DELETE FROM webhook_events WHERE created_at < now() - "
	"make_interval(days => $1::int)";

const struct outbox_type *
outbox_types(size_t *n)
{
	*n = nitems(types);
	return types;
}

static bool
known_type(const char *name)
{
	size_t i;

	for (i = 0; i < nitems(types); i++)
		if (strcmp(types[i].name, name) == 0)
			return true;
	return false;
}

enum err
outbox_cfg_load(struct arena *a, struct outbox_cfg *out, const char **why)
{
	enum err rc;

	memset(out, 0, sizeof(*out));
	if ((rc = config_bool(a, "SLUICE_WEBHOOKS_ALLOW_HTTP", false,
	    &out->allow_http, why)) != ERR_OK)
		return rc;
	return config_long(a, "SLUICE_WEBHOOKS_RETRY_UNIT_MS", 60000, 100,
	    60000, &out->unit_ms, why);
}

/* Whether an address literal (IPv4 dotted, or IPv6 without brackets)
 * may be a destination; *literal says whether h was one. */
static bool
literal_ok(const char *h, bool loopback_ok, bool *literal)
{
	struct sockaddr_in s4;
	struct sockaddr_in6 s6;

	memset(&s4, 0, sizeof(s4));
	memset(&s6, 0, sizeof(s6));
	*literal = true;
	if (inet_pton(AF_INET, h, &s4.sin_addr) == 1) {
		s4.sin_family = AF_INET;
		return httpc_addr_public((struct sockaddr *)&s4, loopback_ok);
	}
	if (inet_pton(AF_INET6, h, &s6.sin6_addr) == 1) {
		s6.sin6_family = AF_INET6;
		return httpc_addr_public((struct sockaddr *)&s6, loopback_ok);
	}
	*literal = false;
	return false;
}

/* Whether a host name's last label is all digits or hex (an address in a
 * form inet_pton does not take, like 2130706433 or 0x7f.1). */
static bool
numeric_host(const char *h)
{
	const char *last = strrchr(h, '.');

	last = last != NULL ? last + 1 : h;
	if (*last == '\0')
		return false;
	if (last[0] == '0' && (last[1] == 'x' || last[1] == 'X'))
		return true;
	return strspn(last, "0123456789") == strlen(last);
}

const char *
outbox_url_problem(const char *url, bool allow_http)
{
	const char *p, *end, *host, *hend, *port;
	char h[256];
	size_t n, i, hlen;
	long pn;
	bool http, literal, ok, loop;

	if (url == NULL || *url == '\0')
		return "Enter the endpoint's URL.";
	if ((n = strlen(url)) > LIMIT_HOOK_URL)
		return "The URL is too long: at most " XSTR(LIMIT_HOOK_URL)
		    " characters.";
	for (i = 0; i < n; i++)
		if ((unsigned char)url[i] <= ' ' ||
		    (unsigned char)url[i] >= 0x7f)
			return "The URL may not contain spaces, control or "
			    "non-ASCII characters: percent-encode them (and "
			    "write an international domain name in its "
			    "xn-- form).";
	http = strncasecmp(url, "http://", 7) == 0;
	if (strncasecmp(url, "https://", 8) != 0 && !(http && allow_http))
		return "The URL must start with https://.";
	p = url + (http ? 7 : 8);
	end = p + strcspn(p, "/?#");
	if (memchr(p, '@', (size_t)(end - p)) != NULL)
		return "The URL may not contain a user name or password: "
		    "receivers authenticate Sluice by the signature.";
	if (*p == '[') {
		host = p + 1;
		if ((hend = memchr(host, ']', (size_t)(end - host))) == NULL)
			return "The URL's host is not valid.";
		port = hend + 1;
	} else {
		host = p;
		if ((hend = memchr(host, ':', (size_t)(end - host))) == NULL)
			hend = end;
		port = hend;
	}
	hlen = (size_t)(hend - host);
	if (hlen == 0 || hlen >= sizeof(h))
		return "The URL has no valid host.";
	for (i = 0; i < hlen; i++)
		h[i] = (char)tolower((unsigned char)host[i]);
	h[hlen] = '\0';
	/* "127.0.0.1." and "localhost." are those hosts: the root's dot
	 * goes before the checks. */
	if (hlen > 1 && h[hlen - 1] == '.' && *p != '[')
		h[--hlen] = '\0';
	if (port < end) {
		if (*port != ':' || port + 1 == end || end - port > 6 ||
		    strspn(port + 1, "0123456789") != (size_t)(end - port - 1))
			return "The URL's port is not valid.";
		pn = strtol(port + 1, NULL, 10);
		if (pn < 1 || pn > 65535)
			return "The URL's port is not valid (1 to 65535).";
	}
	ok = literal_ok(h, allow_http, &literal);
	if (*p == '[' && !literal)
		return "The URL's host is not valid.";
	if (!literal) {
		if (strspn(h, "abcdefghijklmnopqrstuvwxyz0123456789.-") !=
		    hlen || h[0] == '.' || h[0] == '-' || strstr(h, "..") !=
		    NULL)
			return "The URL's host is not valid.";
		if (numeric_host(h))
			return "Write an address host as four decimal numbers "
			    "(e.g. 203.0.113.7), or use a name.";
		loop = strcmp(h, "localhost") == 0 || (hlen > 10 &&
		    strcmp(h + hlen - 10, ".localhost") == 0);
		/* A name of one label is a machine on the local network
		 * (/etc/hosts, a search domain), never the internet. */
		if (!loop && strchr(h, '.') == NULL)
			return "The URL's host must be a full domain name "
			    "(hooks.example.com), reachable on the internet.";
		ok = !loop || allow_http;
	}
	if (!ok)
		return "The URL points at a loopback, private, link-local or "
		    "reserved address; an endpoint must be reachable on the "
		    "internet.";
	if (http) {
		loop = literal ? strncmp(h, "127.", 4) == 0 ||
		    strcmp(h, "::1") == 0 : strcmp(h, "localhost") == 0;
		if (!loop)
			return "The URL must start with https:// (http:// is "
			    "allowed to loopback addresses only, with "
			    "SLUICE_WEBHOOKS_ALLOW_HTTP=1).";
	}
	return NULL;
}

long
outbox_retry_ms(int attempts, long age_ms, long unit_ms)
{
	size_t k;
	long wait;

	if (attempts < 1)
		attempts = 1;
	k = (size_t)attempts - 1;
	if (k >= nitems(retry_min))
		k = nitems(retry_min) - 1;
	wait = retry_min[k] * unit_ms;
	if (age_ms + wait > (long)LIMIT_HOOK_WINDOW_MIN * unit_ms)
		return -1;
	return wait;
}

/* A fresh secret: "whsec_" and base64 of SECRET_BYTES random bytes. */
static enum err
new_secret(struct arena *a, const char **out)
{
	unsigned char key[SECRET_BYTES];
	char b64[CRYPTO_B64_LEN(SECRET_BYTES) + 1];
	enum err rc;

	if ((rc = crypto_random(key, sizeof(key))) != ERR_OK)
		return rc;
	crypto_b64_encode(key, sizeof(key), b64);
	crypto_cleanse(key, sizeof(key));
	*out = arena_printf(a, "whsec_%s", b64);
	crypto_cleanse(b64, sizeof(b64));
	return ERR_OK;
}

enum err
outbox_endpoint_create(struct db *db, struct arena *a, int64_t ws,
    int64_t user, const char *url, const char *const *events, size_t n,
    bool allow_http, int64_t *id_out, const char **secret_out,
    const char **why)
{
	struct buf *arr;
	struct db_res *res;
	const char *p[5], *count;
	size_t i, j;
	enum err rc;

	if ((*why = outbox_url_problem(url, allow_http)) != NULL)
		return ERR_INPUT;
	if (n == 0) {
		*why = "Choose at least one event.";
		return ERR_INPUT;
	}
	arr = buf_new_arena(a, 4096);
	(void)buf_putc(arr, '{');
	for (i = 0; i < n; i++) {
		if (!known_type(events[i])) {
			*why = "Choose events of the list.";
			return ERR_INPUT;
		}
		for (j = 0; j < i; j++)
			if (strcmp(events[i], events[j]) == 0)
				break;
		if (j < i)
			continue;
		(void)buf_printf(arr, "%s%s", i > 0 ? "," : "", events[i]);
	}
	(void)buf_putc(arr, '}');
	if ((rc = new_secret(a, secret_out)) != ERR_OK)
		return rc;
	/* Counted and added under the workspace's row lock: concurrent
	 * adds take turns, so none slips past the limit. */
	if ((rc = db_begin(db, a)) != ERR_OK)
		return rc;
	p[0] = db_int64(a, ws);
	if ((rc = db_exec(db, a, sql_lock_ws, 1, p, NULL)) != ERR_OK ||
	    (rc = db_value(db, a, sql_count, 1, p, &count)) != ERR_OK)
		goto out;
	if (count != NULL && atol(count) >= LIMIT_HOOK_ENDPOINTS) {
		*why = "This workspace has " XSTR(LIMIT_HOOK_ENDPOINTS)
		    " endpoints already: delete one first.";
		rc = ERR_CONFLICT;
		goto out;
	}
	p[1] = url;
	p[2] = buf_cstr(arr);
	p[3] = *secret_out;
	p[4] = user > 0 ? db_int64(a, user) : NULL;
	if ((rc = db_exec(db, a, sql_create, 5, p, &res)) == ERR_OK)
		*id_out = db_get_int64(res, 0, 0, 0);
out:
	if (rc == ERR_OK)
		rc = db_commit(db, a);
	else
		db_rollback(db, a);
	return rc;
}

/* Runs a statement on endpoint id of ws: ERR_NOTFOUND when no row. */
static enum err
on_endpoint(struct db *db, struct arena *a, const char *sql, int64_t ws,
    int64_t id, const char *arg)
{
	const char *p[3];
	struct db_res *res;
	enum err rc;

	p[0] = db_int64(a, ws);
	p[1] = db_int64(a, id);
	p[2] = arg;
	if ((rc = db_exec(db, a, sql, arg != NULL ? 3 : 2, p, &res)) != ERR_OK)
		return rc;
	return db_changed(res) == 1 ? ERR_OK : ERR_NOTFOUND;
}

enum err
outbox_endpoint_enable(struct db *db, struct arena *a, int64_t ws,
    int64_t id, bool enabled)
{
	return on_endpoint(db, a, sql_enable, ws, id, enabled ? "t" : "f");
}

enum err
outbox_endpoint_delete(struct db *db, struct arena *a, int64_t ws,
    int64_t id)
{
	return on_endpoint(db, a, sql_delete, ws, id, NULL);
}

enum err
outbox_endpoint_rotate(struct db *db, struct arena *a, int64_t ws,
    int64_t id, const char **secret_out)
{
	enum err rc;

	if ((rc = new_secret(a, secret_out)) != ERR_OK)
		return rc;
	return on_endpoint(db, a, sql_rotate, ws, id, *secret_out);
}

enum err
outbox_send_test(struct db *db, struct arena *a, int64_t ws, int64_t id,
    long *wait_s)
{
	const char *p[6], *v;
	enum err rc;

	*wait_s = 0;
	p[0] = db_int64(a, ws);
	p[1] = db_int64(a, id);
	if ((rc = db_value(db, a, sql_enabled, 2, p, &v)) != ERR_OK)
		return rc;
	if (v == NULL)
		return ERR_NOTFOUND;
	if (strcmp(v, "t") != 0)
		return ERR_CONFLICT;
	p[2] = XSTR(LIMIT_HOOK_TEST_N);
	p[3] = XSTR(LIMIT_HOOK_TEST_S);
	p[4] = XSTR(LIMIT_HOOK_TEST_WS_N);
	p[5] = XSTR(LIMIT_HOOK_TEST_WS_S);
	if ((rc = db_value(db, a, sql_test_take, 6, p, &v)) != ERR_OK)
		return rc;
	if (v != NULL && (*wait_s = atol(v)) > 0)
		return ERR_RATELIMIT;
	return db_value(db, a, sql_test, 2, p, &v);
}

enum err
outbox_endpoints_json(struct db *db, struct arena *a, int64_t ws,
    const char **out)
{
	const char *p[1] = { db_int64(a, ws) };

	return db_value(db, a, sql_list, 1, p, out);
}

/* At most LIMIT_HOOK_KEEP bytes of an answer, cut at a character, with
 * what is not valid UTF-8 (or NUL) stopping it. */
static const char *
kept(struct arena *a, const char *body, size_t len)
{
	size_t i = 0, k;

	if (len > LIMIT_HOOK_KEEP)
		len = LIMIT_HOOK_KEEP;
	while (i < len && body[i] != '\0') {
		if (utf8_next((const unsigned char *)body + i, len - i, &k) < 0)
			break;
		i += k;
	}
	return i > 0 ? arena_strndup(a, body, i) : NULL;
}

enum err
outbox_sign(struct arena *a, struct httpc_req *req, const char *secret,
    const char *msg_id, const char *ts, const char *body)
{
	char sig[CRYPTO_WH_SIG_SIZE];
	enum err rc;

	if (crypto_wh_sign(secret, msg_id, ts, body, strlen(body), sig) !=
	    CRYPTO_WH_OK)
		return ERR_INPUT;
	req->method = "POST";
	req->body = body;
	req->body_len = strlen(body);
	if ((rc = httpc_header(req, "Content-Type", "application/json")) ==
	    ERR_OK && (rc = httpc_header(req, "webhook-id", msg_id)) ==
	    ERR_OK && (rc = httpc_header(req, "webhook-timestamp", ts)) ==
	    ERR_OK)
		rc = httpc_header(req, "webhook-signature",
		    arena_strdup(a, sig));
	crypto_cleanse(sig, sizeof(sig));
	return rc;
}

/* Posts one leased delivery (row 0 of res) and records how it went. */
static enum err
attempt(struct db *db, struct httpc *http, struct arena *a,
    const struct outbox_cfg *cfg, struct db_res *res)
{
	struct httpc_req req;
	struct httpc_resp resp;
	const char *id = db_get(res, 0, 0), *msg = db_get(res, 0, 6),
	    *why = NULL, *status, *p[6], *ts;
	int n = (int)db_get_int64(res, 0, 1, 1);
	long wait = 0;
	bool disabled;
	enum err rc;

	memset(&req, 0, sizeof(req));
	memset(&resp, 0, sizeof(resp));
	ts = arena_printf(a, "%lld", (long long)time(NULL));
	req.url = db_get(res, 0, 3);
	req.timeout_ms = LIMIT_HOOK_TIMEOUT_MS;
	req.dest = cfg->allow_http ? HTTPC_DEST_PUBLIC_LOOPBACK :
	    HTTPC_DEST_PUBLIC;
	if ((disabled = strcmp(db_get(res, 0, 5), "t") != 0)) {
		why = "the endpoint is disabled";
		rc = ERR_FORBIDDEN;
	} else if (outbox_sign(a, &req, db_get(res, 0, 4), msg, ts,
	    db_get(res, 0, 7)) != ERR_OK) {
		why = "the endpoint's secret is not usable; make a new one";
		rc = ERR_SYSTEM;
	} else
		rc = httpc_do(http, a, &req, &resp, &why);
	if (rc == ERR_OK && resp.status >= 200 && resp.status < 300)
		status = "delivered";
	else {
		if (rc == ERR_OK)
			why = arena_printf(a, "HTTP %d", resp.status);
		wait = disabled ? -1 : outbox_retry_ms(n,
		    (long)db_get_int64(res, 0, 8, 0), cfg->unit_ms);
		status = wait < 0 ? "failed" : "pending";
	}
	log_msg(status[0] == 'd' ? LOG_INFO : LOG_WARN, NULL, "webhook",
	    "delivery %s (endpoint %s, %s) attempt %d: %s%s%s", id,
	    db_get(res, 0, 2), msg, n, status, why != NULL ? ": " : "",
	    why != NULL ? why : "");
	p[0] = id;
	p[1] = status;
	p[2] = resp.status > 0 ? db_int64(a, resp.status) : NULL;
	p[3] = why;
	p[4] = kept(a, resp.body, resp.body_len);
	p[5] = db_int64(a, wait > 0 ? wait : 0);
	return db_exec(db, a, sql_done, 6, p, NULL);
}

/* Milliseconds of a clock that only goes forward. */
static long long
mono_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Whether another attempt may start: before end (0: none), not asked to
 * stop. */
static bool
go_on(const struct outbox_cfg *cfg, long long end)
{
	if (cfg->stop != NULL && *cfg->stop != 0)
		return false;
	return end == 0 || mono_ms() < end;
}

enum err
outbox_deliver(struct db *db, struct httpc *http, struct arena *a,
    const struct outbox_cfg *cfg, int max, long budget_ms, int *done_out)
{
	struct db_res *round, *res;
	const char *p[2], *q[1];
	long long end = budget_ms > 0 ? mono_ms() + budget_ms : 0;
	int done = 0, i, n, leased;
	enum err rc = ERR_OK;

	p[0] = XSTR(LIMIT_HOOK_WS_ROUND);
	while (done < max && go_on(cfg, end)) {
		p[1] = db_int64(a, max - done);
		if ((rc = db_exec(db, a, sql_round, 2, p, &round)) != ERR_OK)
			break;
		if ((n = db_nrows(round)) == 0)
			break;
		for (i = leased = 0; i < n && go_on(cfg, end); i++) {
			q[0] = db_get(round, i, 0);
			if ((rc = db_exec(db, a, sql_lease, 1, q, &res)) !=
			    ERR_OK)
				goto out;
			/* Taken by another process meanwhile. */
			if (db_nrows(res) == 0)
				continue;
			leased++;
			done++;
			if ((rc = attempt(db, http, a, cfg, res)) != ERR_OK)
				goto out;
		}
		/* All taken by others: theirs to make. */
		if (leased == 0)
			break;
	}
out:
	if (done_out != NULL)
		*done_out = done;
	return rc;
}

enum err
outbox_prune(struct db *db, struct arena *a, long days, int64_t *n_out)
{
	const char *p[1] = { db_int64(a, days) };
	struct db_res *res;
	enum err rc;

	if ((rc = db_exec(db, a, sql_prune, 1, p, &res)) != ERR_OK)
		return rc;
	(void)db_exec(db, a, sql_test_gc, 0, NULL, NULL);
	if (n_out != NULL)
		*n_out = db_changed(res);
	return ERR_OK;
}
