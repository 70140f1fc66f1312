/* slack.c — Slack: channels, messages and threads, daily counts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "base/arena.h"
#include "base/config.h"
#include "base/day.h"
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
		/* A parent's replies, as far as its history entry shows. */
		c = syncnorm_text(jsonx_member(m, "latest_reply"));
		if (!replies && (x->reply_count > 0 || (thread != NULL &&
		    strcmp(thread, ts) == 0)))
			x->thread_state = arena_printf(n->a, "%ld:%s",
			    x->reply_count, c != NULL ? c : "");
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

/* Messages a page (Slack: at most 999, 200 advised; smaller to test). */
static long
page_limit(void)
{
	long l;

	l = strtol(config_env("SLUICE_SYNC_SLACK_PAGE_LIMIT", "200"), NULL,
	    10);
	return l >= 1 && l <= 999 ? l : 200;
}

/* Whether the thread's replies need reading: never read whole, read in
 * another state of the thread, a read cut short, or a reply recent
 * enough to be edited still; *cursor where to go on. */
static enum err
thread_due(struct fetch *f, const char *chan,
    const struct syncnorm_msg *parent, const char **cursor, bool *due)
{
	const char *seen, *latest;
	enum err rc;

	if ((rc = f->ops->msgs_thread(f, chan, parent->ts, &seen, cursor)) !=
	    ERR_OK)
		return rc;
	latest = strchr(parent->thread_state, ':') + 1;
	*due = *cursor != NULL || seen == NULL ||
	    strcmp(seen, parent->thread_state) != 0 ||
	    strtoll(latest, NULL, 10) >= (long long)time(NULL) -
	    (long long)f->p->restatement_days * DAY_SECONDS;
	return ERR_OK;
}

/* Every page of a thread's replies, each stored as it comes. */
static enum err
thread(struct fetch *f, struct syncnorm *n, const char *chan,
    const struct syncnorm_msg *parent, long limit)
{
	struct fetch_page pg;
	struct pcall_result res;
	struct syncnorm_msgs m;
	const char *url, *cursor, *next;
	long page;
	bool due;
	enum err rc;

	if ((rc = thread_due(f, chan, parent, &cursor, &due)) != ERR_OK ||
	    !due)
		return rc;
	for (page = 0; page < LIMIT_SYNC_PAGES; page++) {
		url = arena_printf(f->a, "%s/conversations.replies?"
		    "channel=%s&ts=%s&limit=%ld%s%s", fetch_base(f,
		    PROVIDER_API_BASE), httpc_escape(f->a, chan), parent->ts,
		    limit, cursor ? "&cursor=" : "",
		    cursor ? httpc_escape(f->a, cursor) : "");
		if ((rc = fetch_get(f, url, &res)) != ERR_OK)
			return rc;
		memset(&m, 0, sizeof(m));
		if ((rc = syncnorm_slack(n, res.json, chan, true, &m,
		    &next)) != ERR_OK)
			return fetch_norm_failed(f, n, rc);
		memset(&pg, 0, sizeof(pg));
		pg.channel = chan;
		pg.thread = parent->ts;
		pg.m = &m;
		pg.cursor = next;
		pg.parent = next == NULL ? parent : NULL;
		if ((rc = f->ops->msgs_page(f, &pg)) != ERR_OK)
			return rc;
		if ((cursor = next) == NULL)
			return ERR_OK;
	}
	f->why = arena_printf(f->a, "Slack: the thread %s has more than %d "
	    "pages of replies", parent->ts, LIMIT_SYNC_PAGES);
	return ERR_TOOBIG;
}

/*
 * One channel: a pass over the window's history (the backfill window,
 * every run, so that deletions anywhere in it and new replies to its
 * threads are seen), newest first, a page at a time; a page's threads
 * are read before the page is stored, and each page records where the
 * pass goes on, so a run cut short anywhere resumes there.  Then the
 * window's daily counts, from what is stored.
 */
static enum err
fetch(struct fetch *f, struct syncnorm *n, const char *chan)
{
	struct fetch_pass pass;
	struct fetch_page pg;
	struct pcall_result res;
	struct syncnorm_msgs m;
	const char *url, *from, *to, *next;
	int64_t day;
	long page, limit = page_limit();
	size_t i;
	enum err rc;

	if ((rc = fetch_window(f, "UTC", f->backfill > f->days ? f->backfill :
	    f->days, &from, &to)) != ERR_OK)
		return rc;
	if (!day_scan(from, &day))
		return ERR_SYSTEM;
	if ((rc = f->ops->msgs_pass(f, chan, arena_printf(f->a,
	    "%lld.000000", (long long)day * DAY_SECONDS), arena_printf(f->a,
	    "%lld.999999", (long long)time(NULL)), &pass)) != ERR_OK)
		return rc;
	for (page = 0; page < LIMIT_SYNC_MSG_PAGES; page++) {
		url = arena_printf(f->a, "%s/conversations.history?"
		    "channel=%s&oldest=%s&latest=%s&inclusive=true&limit=%ld"
		    "%s%s", fetch_base(f, PROVIDER_API_BASE),
		    httpc_escape(f->a, chan), pass.oldest, pass.latest, limit,
		    pass.cursor ? "&cursor=" : "",
		    pass.cursor ? httpc_escape(f->a, pass.cursor) : "");
		if ((rc = fetch_get(f, url, &res)) != ERR_OK)
			return rc;
		memset(&m, 0, sizeof(m));
		if ((rc = syncnorm_slack(n, res.json, chan, false, &m,
		    &next)) != ERR_OK)
			return fetch_norm_failed(f, n, rc);
		for (i = 0; i < m.n; i++)
			if (m.v[i].thread_state != NULL && (rc = thread(f, n,
			    chan, &m.v[i], limit)) != ERR_OK)
				return rc;
		memset(&pg, 0, sizeof(pg));
		pg.channel = chan;
		pg.m = &m;
		pg.cursor = next;
		if ((rc = f->ops->msgs_page(f, &pg)) != ERR_OK)
			return rc;
		if ((pass.cursor = next) == NULL)
			break;
	}
	if (pass.cursor != NULL) {
		/* Kept: the next run goes on from there. */
		f->why = arena_printf(f->a, "Slack: channel %s has more than %d "
		    "pages in the window; the next run goes on", chan,
		    LIMIT_SYNC_MSG_PAGES);
		return ERR_UNAVAILABLE;
	}
	/* The daily message counts of the pass's window, from what is
	 * stored. */
	return f->ops->msgs_daily(f, n, chan, day_text(f->a,
	    day_of_epoch(strtoll(pass.oldest, NULL, 10))));
}

/*
 * Slack's documented errors of conversations.history, .replies and .list
 * (the Web API's "error" string, HTTP 200 with ok:false) as sentences a
 * person can act on; Slack's code follows in brackets, for support.
 * missing_scope names the scope Slack says is needed ("needed").
 */
enum slack_err {
	SLACK_NOT_IN_CHANNEL,
	SLACK_MISSING_SCOPE,
	SLACK_CHANNEL_NOT_FOUND,
	SLACK_THREAD_NOT_FOUND,
	SLACK_RATELIMITED,
	SLACK_INVALID_AUTH,
	SLACK_NOT_AUTHED,
	SLACK_TOKEN_EXPIRED,
	SLACK_TOKEN_REVOKED,
	SLACK_ACCOUNT_INACTIVE,
	SLACK_NO_PERMISSION,
	SLACK_ACCESS_DENIED,
	SLACK_EKM_ACCESS_DENIED,
	SLACK_ORG_LOGIN_REQUIRED,
	SLACK_TEAM_ADDED_TO_ORG,
	SLACK_INVALID_CURSOR,
	SLACK_INTERNAL_ERROR,
	SLACK_FATAL_ERROR,
	SLACK_SERVICE_UNAVAILABLE,
	SLACK_REQUEST_TIMEOUT,
	SLACK__MAX
};

static const struct {
	const char	*code;
	enum err	 rc;
	const char	*why;
} slack_errs[SLACK__MAX] = {
	[SLACK_NOT_IN_CHANNEL] = { "not_in_channel", ERR_UPSTREAM,
	    "the Sluice app is not a member of this channel: invite it "
	    "(in the channel, type /invite and the app's name), then sync "
	    "again" },
	[SLACK_MISSING_SCOPE] = { "missing_scope", ERR_UPSTREAM,
	    "the connection lacks a permission Slack requires: reconnect "
	    "Slack and grant it" },
	[SLACK_CHANNEL_NOT_FOUND] = { "channel_not_found", ERR_UPSTREAM,
	    "the channel was deleted, made private or moved to another "
	    "workspace: choose the connection's channels again" },
	[SLACK_THREAD_NOT_FOUND] = { "thread_not_found", ERR_UPSTREAM,
	    "a thread was deleted while it was read: the next sync goes "
	    "on without it" },
	[SLACK_RATELIMITED] = { "ratelimited", ERR_RATELIMIT,
	    "Slack asked to slow down: the sync waits and goes on by "
	    "itself" },
	[SLACK_INVALID_AUTH] = { "invalid_auth", ERR_AUTH,
	    "Slack no longer accepts this connection's login: reconnect "
	    "Slack" },
	[SLACK_NOT_AUTHED] = { "not_authed", ERR_AUTH,
	    "Slack received no login: reconnect Slack" },
	[SLACK_TOKEN_EXPIRED] = { "token_expired", ERR_AUTH,
	    "the Slack login expired: reconnect Slack" },
	[SLACK_TOKEN_REVOKED] = { "token_revoked", ERR_AUTH,
	    "the Sluice app was removed from the Slack workspace or its "
	    "access revoked: reconnect Slack" },
	[SLACK_ACCOUNT_INACTIVE] = { "account_inactive", ERR_AUTH,
	    "the Slack user or workspace that connected was deactivated: "
	    "reconnect Slack as an active member" },
	[SLACK_NO_PERMISSION] = { "no_permission", ERR_UPSTREAM,
	    "the Slack workspace does not let the app read this channel: "
	    "ask a Slack admin to allow it" },
	[SLACK_ACCESS_DENIED] = { "access_denied", ERR_UPSTREAM,
	    "Slack denied access to this channel: ask a Slack admin to "
	    "allow the app" },
	[SLACK_EKM_ACCESS_DENIED] = { "ekm_access_denied", ERR_UPSTREAM,
	    "the workspace's administrators have suspended access to "
	    "messages (Enterprise Key Management): ask them" },
	[SLACK_ORG_LOGIN_REQUIRED] = { "org_login_required", ERR_AUTH,
	    "the workspace is being moved into an Enterprise Grid "
	    "organisation: reconnect Slack once the move is done" },
	[SLACK_TEAM_ADDED_TO_ORG] = { "team_added_to_org", ERR_AUTH,
	    "the workspace was moved into an Enterprise Grid organisation: "
	    "reconnect Slack" },
	[SLACK_INVALID_CURSOR] = { "invalid_cursor", ERR_UPSTREAM,
	    "Slack refused where the last sync stopped: the next sync "
	    "starts the channel again" },
	[SLACK_INTERNAL_ERROR] = { "internal_error", ERR_UPSTREAM,
	    "Slack had an error of its own: the next sync tries again" },
	[SLACK_FATAL_ERROR] = { "fatal_error", ERR_UPSTREAM,
	    "Slack had an error of its own: the next sync tries again" },
	[SLACK_SERVICE_UNAVAILABLE] = { "service_unavailable", ERR_UPSTREAM,
	    "Slack is unavailable: the next sync tries again" },
	[SLACK_REQUEST_TIMEOUT] = { "request_timeout", ERR_UPSTREAM,
	    "Slack took too long to answer: the next sync tries again" },
};

/* HTTP 200 with ok:false: the error string says what failed. */
static enum err
classify(struct arena *a, const struct provider *p, struct pcall_result *out)
{
	const char *code, *needed;
	size_t i;

	(void)p;
	if ((code = jsonx_text(out->json, "ok")) == NULL ||
	    strcmp(code, "false") != 0)
		return ERR_OK;
	if ((code = jsonx_text(out->json, "error")) == NULL)
		code = "error";
	for (i = 0; i < SLACK__MAX; i++)
		if (strcmp(code, slack_errs[i].code) == 0)
			break;
	if (i == SLACK__MAX) {
		out->why = arena_printf(a, "Slack: %s", pcall_plain(a, code,
		    LIMIT_PROVIDER_TEXT));
		return ERR_UPSTREAM;
	}
	needed = jsonx_text(out->json, "needed");
	if (i == SLACK_MISSING_SCOPE && needed != NULL)
		out->why = arena_printf(a, "Slack: the connection lacks the "
		    "%s permission: reconnect Slack and grant it (%s)",
		    pcall_plain(a, needed, LIMIT_PROVIDER_TEXT), code);
	else
		out->why = arena_printf(a, "Slack: %s (%s)",
		    slack_errs[i].why, code);
	if (slack_errs[i].rc == ERR_RATELIMIT)
		out->retry_after = pcall_retry_after(&out->resp, 60);
	return slack_errs[i].rc;
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
	.revoke_path = "/auth.revoke",
	.restatement_days = 2,
	.accounts = "channels",
	.mark = "Sl",
	.mark_colour = "#4a154b",
	.reads = "The messages and replies of the public channels you "
	    "choose, stored in Sluice and counted per day. Sluice only "
	    "reads; nothing is posted.",
	.days = "UTC",
	.api_version = "Web API",
	.sandbox = {
		{ "slack", "oauth+api", "https://slack.com", "/sandbox/slack" },
	},
	PROVIDER_CATALOGUE(metrics),
	.list = list,
	.fetch = fetch,
	.classify = classify,
};
