/* slack.c — Slack: channels, messages and threads, daily counts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "base/arena.h"
#include "base/jsonx.h"
#include "base/limit.h"
#include "base/mem.h"
#include "net/httpc.h"
#include "providers/accounts.h"
#include "providers/fetch.h"
#include "providers/pcall.h"
#include "providers/provider.h"
#include "providers/syncnorm.h"

enum err
syncnorm_slack(struct syncnorm *n, struct json_object *body,
    const char *channel, bool replies, struct syncnorm_msgs *out,
    const char **cursor)
{
	struct json_object *msgs, *m;
	struct syncnorm_msg *x, *grown;
	const char *ts, *thread, *c;
	size_t i;

	*cursor = NULL;
	if ((msgs = syncnorm_array(body, "messages")) == NULL)
		return syncnorm_bad(n, n->n, "Slack: messages is missing");
	for (i = 0; i < json_object_array_length(msgs); i++) {
		m = json_object_array_get_idx(msgs, i);
		ts = syncnorm_text(jsonx_member(m, "ts"));
		if (ts == NULL || syncnorm_decimal(n->a, ts, 0, false) ==
		    NULL || *ts == '-' ||
		    strtoll(ts, NULL, 10) > 253402300799LL)
			return syncnorm_bad(n, n->n, "Slack: messages[%zu].ts "
			    "is not a Slack timestamp", i);
		thread = syncnorm_text(jsonx_member(m, "thread_ts"));
		if (replies && thread != NULL && strcmp(thread, ts) == 0)
			continue;	/* the parent, already stored */
		if (out->n == out->size) {
			if (out->size >= LIMIT_SYNC_ROWS)
				return syncnorm_bad(n, n->n, "Slack: too many "
				    "messages");
			out->size = out->size ? out->size * 2 : 64;
			grown = arena_calloc(n->a, out->size, sizeof(*grown));
			if (out->n > 0)
				memcpy(grown, out->v, out->n * sizeof(*grown));
			out->v = grown;
		}
		x = &out->v[out->n++];
		x->channel = channel;
		x->ts = arena_strdup(n->a, ts);
		x->thread_ts = thread != NULL ? arena_strdup(n->a, thread) :
		    NULL;
		x->user = arena_strdup(n->a, syncnorm_text(jsonx_member(m,
		    "user")));
		c = syncnorm_text(jsonx_member(m, "text"));
		x->text = arena_strdup(n->a, c != NULL ? c : "");
		c = syncnorm_count(jsonx_member(m, "reply_count"));
		x->reply_count = c != NULL ? strtol(c, NULL, 10) : 0;
		x->day = syncnorm_epoch_day(n->a, strtoll(ts, NULL, 10));
		x->raw = arena_strdup(n->a, json_object_to_json_string_ext(m,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	}
	c = syncnorm_text(jsonx_member(jsonx_member(body, "response_metadata"),
	    "next_cursor"));
	if (c != NULL && *c != '\0')
		*cursor = arena_strdup(n->a, c);
	return ERR_OK;
}

#define CHANNELS	"%s/conversations.list?types=public_channel&" \
			"exclude_archived=true&limit=200%s%s"

static enum err
channel(struct accounts_lister *l, struct json_object *it)
{
	accounts_add(l, jsonx_text(it, "id"), arena_printf(l->a, "#%s",
	    jsonx_text(it, "name") ? jsonx_text(it, "name") : "?"), NULL,
	    NULL);
	return ERR_OK;
}

/* Cursor paging: response_metadata.next_cursor until empty. */
static const char *
next(struct accounts_lister *l, const struct pcall_result *r, size_t seen)
{
	const char *cursor = jsonx_text(jsonx_member(r->json,
	    "response_metadata"), "next_cursor");

	(void)seen;
	if (cursor == NULL || *cursor == '\0')
		return NULL;
	return arena_printf(l->a, CHANNELS, accounts_base(l,
	    PROVIDER_API_BASE), "&cursor=", httpc_escape(l->a, cursor));
}

/* The public channels that are not archived. */
static enum err
list(struct accounts_lister *l)
{
	static const struct accounts_listing how = { "channels", channel,
	    next };

	return accounts_walk(l, arena_printf(l->a, CHANNELS, accounts_base(l,
	    PROVIDER_API_BASE), "", ""), &how);
}

static enum err
fetch(struct fetch *f, struct syncnorm *n, const char *chan)
{
	struct pcall_result res;
	struct syncnorm_msgs m, thread;
	const char *url, *cursor = NULL, *oldest, *from, *to, *tc;
	long page, calls = 0;
	size_t i, before;
	enum err rc;

	if ((rc = fetch_window(f, "UTC", f->days, &from, &to)) != ERR_OK)
		return rc;
	if ((rc = f->ops->msgs_since(f, chan, f->days, &oldest)) != ERR_OK)
		return rc;
	memset(&m, 0, sizeof(m));
	for (page = 0; page < LIMIT_SYNC_PAGES; page++) {
		url = arena_printf(f->a, "%s/conversations.history?"
		    "channel=%s&oldest=%s&limit=200%s%s",
		    fetch_base(f, PROVIDER_API_BASE),
		    httpc_escape(f->a, chan), oldest, cursor ? "&cursor=" : "",
		    cursor ? httpc_escape(f->a, cursor) : "");
		if ((rc = fetch_get(f, url, &res)) != ERR_OK)
			return rc;
		before = m.n;
		if ((rc = syncnorm_slack(n, res.json, chan, false, &m,
		    &cursor)) != ERR_OK)
			return fetch_norm_failed(f, n, rc);
		/* Thread replies of the page's parents. */
		for (i = before; i < m.n && calls < LIMIT_SYNC_PAGES; i++) {
			if (m.v[i].reply_count <= 0)
				continue;
			memset(&thread, 0, sizeof(thread));
			url = arena_printf(f->a, "%s/conversations.replies?"
			    "channel=%s&ts=%s&limit=200", fetch_base(f,
			    PROVIDER_API_BASE), httpc_escape(f->a, chan),
			    m.v[i].ts);
			calls++;
			if ((rc = fetch_get(f, url, &res)) != ERR_OK)
				return rc;
			if ((rc = syncnorm_slack(n, res.json, chan, true,
			    &thread, &tc)) != ERR_OK)
				return fetch_norm_failed(f, n, rc);
			if ((rc = f->ops->msgs_store(f, &thread)) != ERR_OK)
				return rc;
		}
		if (cursor == NULL)
			break;
	}
	if ((rc = f->ops->msgs_store(f, &m)) != ERR_OK)
		return rc;
	/* The daily message counts of the window, from what is stored. */
	return f->ops->msgs_daily(f, n, chan, from);
}

/* HTTP 200 with ok:false: the error string says what failed. */
static enum err
classify(struct arena *a, const struct provider *p, struct pcall_result *out)
{
	static const char *const auth[] = { "invalid_auth", "not_authed",
	    "token_expired", "token_revoked", "account_inactive" };
	const char *code;
	size_t i;

	(void)p;
	if ((code = jsonx_text(out->json, "ok")) == NULL ||
	    strcmp(code, "false") != 0)
		return ERR_OK;
	code = jsonx_text(out->json, "error");
	out->why = arena_printf(a, "Slack: %s", code ? code : "error");
	if (code != NULL && strcmp(code, "ratelimited") == 0) {
		out->retry_after = pcall_retry_after(&out->resp, 60);
		return ERR_RATELIMIT;
	}
	for (i = 0; code != NULL && i < nitems(auth); i++)
		if (strcmp(code, auth[i]) == 0)
			return ERR_AUTH;
	return ERR_UPSTREAM;
}

static const struct metric_def metrics[] = {
	METRIC_DEF_SUM("messages", "Messages", "count"),
};

const struct provider provider_slack = {
	.slug = "slack",
	.name = "Slack",
	.family = "slack",
	.env = "SLACK",
	.urls = {
		[PROVIDER_AUTH_URL] = "https://slack.com/oauth/v2/authorize",
		[PROVIDER_TOKEN_URL] = "https://slack.com/api/oauth.v2.access",
		[PROVIDER_API_BASE] = "https://slack.com/api",
	},
	.scopes = "channels:read,channels:history,users:read",
	.tokens = PROVIDER_TOKENS_ROTATING,
	.revoke_path = "/auth.revoke",
	.restatement_days = 2,
	.accounts = "channels",
	.api_version = "Web API",
	.sandbox = {
		{ "slack", "oauth+api", "https://slack.com", "/sandbox/slack" },
	},
	PROVIDER_CATALOGUE(metrics),
	.list = list,
	.fetch = fetch,
	.classify = classify,
};
