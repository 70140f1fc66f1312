/*
 * pcall.h — one provider API call, its errors classified alike for all.
 *
 * The errors are classified the same way for every provider: 401 is
 * ERR_AUTH, rate limits (429, a 403 that speaks of a quota or rate limit)
 * ERR_RATELIMIT with the wait the provider gives (Retry-After, Google's
 * retryDelay, what the classify hook reads; a 429's body goes to the
 * hook too, which may only refine the wait), 5xx and timeouts
 * ERR_UPSTREAM, a body that is not the JSON asked for ERR_UPSTREAM with a
 * message naming the provider; a provider's `classify` hook reads its own
 * answers first (Slack's ok:false with HTTP 200, Meta's codes and usage
 * headers, GA4's propertyQuota).  Everything lives in the caller's arena.
 */
#ifndef SLUICE_PCALL_H
#define SLUICE_PCALL_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "net/httpc.h"

struct arena;
struct json_object;
struct provider;

struct pcall {
	const char	*method;	/* GET when NULL */
	const char	*url;
	const char	*token;		/* access token */
	const char	*auth_scheme;	/* "Bearer" when NULL */
	const char	*body;		/* JSON body, or NULL */
	const char	*header_name;	/* one extra header, or NULL */
	const char	*header_value;
	const char	*header2_name;
	const char	*header2_value;
};

struct pcall_result {
	struct json_object *json;	/* the parsed body (arena-owned) */
	struct httpc_resp resp;		/* status, headers, raw body */
	int		 retry_after;	/* seconds, with ERR_RATELIMIT */
	const char	*why;		/* what failed, in plain words */
};

/*
 * Sets the provider's own headers and auth scheme on c (its `headers`
 * and `auth_scheme`); values are static or from the environment.
 * c->url, c->token and c->body are left to the caller.
 */
void		 pcall_provider_headers(const struct provider *, struct pcall *c);

/* Performs the call and classifies the answer (see above). */
enum err	 pcall_json(struct httpc *, struct arena *, const struct provider *,
		    const struct pcall *, struct pcall_result *out);

/* The Retry-After header in seconds (at most a day), else def. */
int		 pcall_retry_after(const struct httpc_resp *, int def);

/* s seconds as a wait: 0 for none (s <= 0), at most
 * LIMIT_RATE_WAIT_MAX_S. */
int		 pcall_wait(long s);

/* A google.protobuf.Duration as JSON text ("30s", "1.5s") in whole
 * seconds, rounded up and bounded as pcall_wait(); -1 when it is not
 * one. */
int		 pcall_duration(const char *s);

/*
 * The wait a Google error body gives, in seconds: the longest retryDelay
 * of a google.rpc.RetryInfo in error.details[], or of Google Ads'
 * errors[].details.quotaErrorDetails (in any response of an array, as
 * searchStream answers); -1 when it gives none.
 */
int		 pcall_google_delay(struct json_object *body);

/* Seconds from now (Unix time) to a minute past the next full hour;
 * to a minute past the next hour-of-day `hour` in UTC. */
int		 pcall_until_hour(int64_t now);
int		 pcall_until_utc_hour(int64_t now, int hour);

/*
 * s as plain words for a page or a log: markup tags removed (a link's
 * text kept; a tag that breaks a line, <br> or </p>, is a space), the
 * entities &amp; &lt; &gt; &quot; &#39; &nbsp; read,
 * control characters and runs of white space one space, and at most max
 * bytes (cut on a character boundary, "..." added).  Arena-owned; NULL
 * for NULL.
 */
const char	*pcall_plain(struct arena *, const char *s, size_t max);

/* "<provider>: <the body's message> (HTTP <status>)", plain
 * (pcall_plain()) and bounded (LIMIT_SYNC_ERROR); arena-owned. */
const char	*pcall_error_text(struct arena *, const struct provider *,
		    const struct pcall_result *);

#endif
