/*
 * outbox.h — signed outgoing webhooks: endpoints, the outbox, deliveries.
 *
 * A workspace's admins register endpoints (an https URL and the event
 * types it wants).  The events themselves are made by the database, in
 * the transaction of the change they report (sql/180_webhooks_out.sql):
 * one row per event, one delivery per subscribed endpoint, never two for
 * the same event and endpoint.  The worker posts due deliveries with
 * outbox_deliver(), signed the Standard Webhooks way (webhook-id,
 * webhook-timestamp, webhook-signature: v1 and the base64 HMAC-SHA256 of
 * "id.timestamp.body" under the endpoint's whsec_ secret), and retries a
 * delivery that got no 2xx after 1, 5, 30 minutes, 2 hours, then every 6
 * hours until 24 hours after the event; then it is failed.  The webhook-id
 * is the event's and stays the same across retries and endpoints, so a
 * receiver can drop a delivery it has seen.
 *
 * Folder hooks/ (rather than mail/, which holds the Resend side) because
 * this is the one module that sends to URLs people type: it sits low
 * (base, store, net, crypto) so the web programs and the worker both use
 * it without pulling in the sync or digest layers.
 */
#ifndef SLUICE_OUTBOX_H
#define SLUICE_OUTBOX_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct arena;
struct db;
struct httpc;
struct httpc_req;

/* An event type of the catalogue (README.md, Outgoing webhooks). */
struct outbox_type {
	const char	*name;		/* "sync.failed" */
	const char	*label;		/* what it means, for the page */
};

/* The catalogue, in the README's order; *n its length.  Static. */
const struct outbox_type *outbox_types(size_t *n);

/* The type of a test event ("Send test event"); not subscribable. */
#define OUTBOX_TEST_TYPE	"webhook.test"

/* What the outbox reads from the environment, and the caller's stop. */
struct outbox_cfg {
	bool	allow_http;	/* SLUICE_WEBHOOKS_ALLOW_HTTP */
	long	unit_ms;	/* SLUICE_WEBHOOKS_RETRY_UNIT_MS: "a minute" */
	/* When not NULL and set (a signal handler's flag), outbox_deliver()
	 * starts no further attempt; outbox_cfg_load() leaves it NULL. */
	volatile sig_atomic_t *stop;
};

/*
 * Reads SLUICE_WEBHOOKS_ALLOW_HTTP (default 0) and
 * SLUICE_WEBHOOKS_RETRY_UNIT_MS (default 60000; 100..60000, tests shorten
 * the schedule with it) into out.  ERR_INPUT with *why (in the arena) for
 * a value that does not parse.
 */
enum err	 outbox_cfg_load(struct arena *, struct outbox_cfg *out,
		    const char **why);

/*
 * Why url may not be an endpoint, or NULL when it may: at most
 * LIMIT_HOOK_URL bytes of printable ASCII; https:// (or http:// to a
 * loopback host when allow_http); a host name or address, no user name or
 * password; no host that is "localhost" or an address literal httpc's
 * HTTPC_DEST_PUBLIC refuses (loopback allowed with allow_http); a port of
 * 1..65535.  Names are checked again, on their addresses, at delivery.
 * The message is static and names no part of the URL.
 */
const char	*outbox_url_problem(const char *url, bool allow_http);

/*
 * The wait before the next attempt of a delivery that has had attempts
 * attempts (>= 1), age_ms after it was made, with minutes of unit_ms
 * milliseconds: 1, 5, 30, 120, then 360 minutes each; -1 when the next
 * attempt would come more than LIMIT_HOOK_WINDOW_MIN minutes after the
 * event (give up: failed).
 */
long		 outbox_retry_ms(int attempts, long age_ms, long unit_ms);

/*
 * Makes req a signed delivery: POST of body (NUL-terminated, sent as is)
 * with Content-Type application/json and the Standard Webhooks headers
 * webhook-id (msg_id), webhook-timestamp (ts, Unix seconds as text) and
 * webhook-signature ("v1," and the base64 HMAC-SHA256 of
 * "msg_id.ts.body" under the key secret's base64 names), the values in
 * the arena.  ERR_OK; ERR_INPUT when secret is not whsec_ and base64,
 * msg_id is empty, or a value holds CR or LF; ERR_TOOBIG when req has no
 * room for four more headers.
 */
enum err	 outbox_sign(struct arena *, struct httpc_req *req,
		    const char *secret, const char *msg_id, const char *ts,
		    const char *body);

/*
 * Registers an endpoint of workspace ws made by user (0: none) for url
 * and the n event types in events (names of outbox_types()).  ERR_OK,
 * *id_out and *secret_out, the new secret ("whsec_" and base64 of 32
 * random bytes, in the arena: shown once, never readable again from the
 * web role).  ERR_INPUT with *why (static, for the person) for a URL
 * outbox_url_problem() refuses, no or an unknown event type; ERR_CONFLICT
 * with *why when the workspace has LIMIT_HOOK_ENDPOINTS already; database
 * errors as db_exec().
 */
enum err	 outbox_endpoint_create(struct db *, struct arena *,
		    int64_t ws, int64_t user, const char *url,
		    const char *const *events, size_t n, bool allow_http,
		    int64_t *id_out, const char **secret_out,
		    const char **why);

/*
 * Enables or disables endpoint id of workspace ws (a disabled endpoint
 * gets no new event, and its pending deliveries fail when due).  ERR_OK,
 * ERR_NOTFOUND (not an endpoint of ws), database errors.
 */
enum err	 outbox_endpoint_enable(struct db *, struct arena *,
		    int64_t ws, int64_t id, bool enabled);

/* Deletes endpoint id of ws with its deliveries.  ERR_OK, ERR_NOTFOUND,
 * database errors. */
enum err	 outbox_endpoint_delete(struct db *, struct arena *,
		    int64_t ws, int64_t id);

/*
 * Gives endpoint id of ws a new secret, *secret_out (arena), used from
 * the next attempt on (retries of older events included).  ERR_OK,
 * ERR_NOTFOUND, database errors.
 */
enum err	 outbox_endpoint_rotate(struct db *, struct arena *,
		    int64_t ws, int64_t id, const char **secret_out);

/*
 * Queues an OUTBOX_TEST_TYPE event for endpoint id of ws only, due now,
 * counted on the endpoint's throttle (LIMIT_HOOK_TEST_N a
 * LIMIT_HOOK_TEST_S window) and the workspace's (LIMIT_HOOK_TEST_WS_N a
 * LIMIT_HOOK_TEST_WS_S window), table webhook_test_throttle.  ERR_OK,
 * ERR_NOTFOUND, ERR_CONFLICT when the endpoint is disabled,
 * ERR_RATELIMIT with *wait_s (the seconds until it may be sent again)
 * and nothing queued, database errors.
 */
enum err	 outbox_send_test(struct db *, struct arena *, int64_t ws,
		    int64_t id, long *wait_s);

/*
 * The endpoints of ws as a JSON array (in the arena), oldest first: id,
 * url, events[], enabled, created, has_deliveries and deliveries[], the
 * last LIMIT_HOOK_LIST (newest first: id, event, msg_id, at, attempts,
 * status, http_status, error, next), times in the workspace's zone and
 * naming it.  Never the secret.  Errors as db_value().
 */
enum err	 outbox_endpoints_json(struct db *, struct arena *, int64_t ws,
		    const char **out);

/*
 * Makes up to max attempts of due deliveries, in rounds: a round takes at
 * most LIMIT_HOOK_WS_ROUND due deliveries of each workspace (its oldest),
 * the workspaces taking turns (the one attempted least recently first),
 * and none of a workspace that has a delivery in flight in another
 * process; so one workspace's endpoints that never answer delay another's
 * delivery by about a round, never by their whole backlog.  Each delivery
 * is leased (LIMIT_HOOK_LEASE_S) so any number of processes share them,
 * and its outcome recorded: delivered on a 2xx, else the next attempt's
 * time or failed (outbox_retry_ms()).  No attempt starts budget_ms
 * milliseconds after the call (0: no budget; an attempt may run
 * LIMIT_HOOK_TIMEOUT_MS past it), nor once *cfg->stop is set.  http must
 * be a client of its own (httpc.h); each call allows
 * LIMIT_HOOK_TIMEOUT_MS, follows no redirect, connects to public
 * addresses only (loopback too when cfg->allow_http), and keeps at most
 * LIMIT_HOOK_KEEP bytes of the answer.  *done_out (if not NULL) counts
 * the attempts made.  ERR_OK, or the database error that stopped the
 * pass.
 */
enum err	 outbox_deliver(struct db *, struct httpc *, struct arena *,
		    const struct outbox_cfg *, int max, long budget_ms,
		    int *done_out);

/*
 * Deletes the events (and their deliveries) older than days days, and a
 * few ended windows of the test events' throttle.
 * *n_out (if not NULL) counts the events.  Errors as db_exec().
 */
enum err	 outbox_prune(struct db *, struct arena *, long days,
		    int64_t *n_out);

#endif
