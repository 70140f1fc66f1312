/*
 * slack.c — Slack in the sandbox: OAuth, channels, messages.
 *
 * oauth.v2.access (plain, with token rotation, refresh with a new refresh
 * token each time), conversations.list/history/replies with cursors,
 * users.info.  Errors are HTTP 200 with ok:false, except 429.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/mem.h"
#include "sandbox/sandbox_priv.h"

/* The letter of its codes and tokens (its family's prov): unique
 * among the families (test_sandbox). */
#define SLACK_PROV	's'

#define SJ		"application/json; charset=utf-8"
#define SL_ROTATE	43200	/* 12 h */
#define SL_TEAM		"T0SBX0001"
#define SL_PER_PAGE	2	/* conversations.list's own page cap */

/* Web API and OAuth alike: HTTP 200 with ok:false, except 429. */
static const struct sandbox_api slack_api = {
	.name = "slack",
	.prov = SLACK_PROV,
	.invalid = "error_invalid_auth",
	.missing = "error_not_authed",
	.expired = "error_token_expired",
};

static const char *const chans[] = { "general", "marketing", "random" };
static const char *const users[] = { "U0SBX0001", "U0SBX0002",
    "U0SBX0003" };

static void
team(struct sbx *sx)
{
	buf_puts(sx->out, ",\"team\":{\"name\":\"Sandbox Workspace\",\"id\":"
	    "\"" SL_TEAM "\"},\"enterprise\":null,"
	    "\"is_enterprise_install\":false");
}

static const char *
mint(struct sbx *sx, const char *prefix, char kind, const struct
    sandbox_token *in, int64_t life, const char *flags)
{
	struct sandbox_token t;

	memset(&t, 0, sizeof(t));
	t.prov = SLACK_PROV;
	t.kind = kind;
	t.user = in->user;
	memcpy(t.fault, in->fault, sizeof(t.fault));
	t.iat = sx->now;
	t.exp = life ? sx->now + life : 0;
	snprintf(t.flags, sizeof(t.flags), "%s", flags);
	return sandbox_token_make(sx, prefix, &t);
}

static enum err
oauth_access(struct sbx *sx)
{
	struct ctx *ctx = sx->ctx;
	struct sandbox_token in;
	const char *grant, *why, *scope;
	bool rot;

	grant = sandbox_param(ctx, "grant_type");
	if (grant != NULL && strcmp(grant, "refresh_token") == 0) {
		if (!sandbox_token_parse(sandbox_param(ctx, "refresh_token"),
		    &in) || in.prov != SLACK_PROV || in.kind != SBXK_REFRESH)
			return sandbox_fail(sx,
			    "oauth_v2_access_error_invalid_refresh");
		sandbox_start(sx, 200, SJ);
		buf_puts(sx->out, "{\"ok\":true,\"app_id\":\"A0SBX0001\","
		    "\"access_token\":");
		sandbox_jstr(sx->out, mint(sx, "xoxe.xoxb-1-", SBXK_ACCESS,
		    &in, SL_ROTATE, "R"));
		buf_printf(sx->out, ",\"expires_in\":%d,\"refresh_token\":",
		    SL_ROTATE);
		sandbox_jstr(sx->out, mint(sx, "xoxe-1-", SBXK_REFRESH, &in,
		    0, "R"));
		buf_puts(sx->out, ",\"token_type\":\"bot\",\"scope\":"
		    "\"channels:read,channels:history,users:read\","
		    "\"bot_user_id\":\"U0SBXBOT1\"");
		team(sx);
		buf_puts(sx->out, "}");
		return sandbox_done(sx);
	}
	if (!sandbox_code_ok(sx, sandbox_param(ctx, "code"), SLACK_PROV,
	    sandbox_param(ctx, "redirect_uri"), sandbox_param(ctx,
	    "code_verifier"), &in, &why))
		return sandbox_fail(sx,
		    "oauth_v2_access_error_invalid_code");
	rot = strchr(in.flags, 'R') != NULL || sandbox_is(sx, "rotation");
	scope = *in.scope ? in.scope : "channels:read,channels:history,"
	    "users:read";
	sandbox_start(sx, 200, SJ);
	buf_puts(sx->out, "{\"ok\":true,\"access_token\":");
	sandbox_jstr(sx->out, mint(sx, rot ? "xoxe.xoxb-1-" : "xoxb-",
	    SBXK_ACCESS, &in, rot ? SL_ROTATE : 0, rot ? "R" : ""));
	buf_puts(sx->out, ",\"token_type\":\"bot\",\"scope\":");
	sandbox_jstr(sx->out, scope);
	buf_puts(sx->out, ",\"bot_user_id\":\"U0SBXBOT1\",\"app_id\":"
	    "\"A0SBX0001\"");
	if (rot) {
		buf_puts(sx->out, ",\"refresh_token\":");
		sandbox_jstr(sx->out, mint(sx, "xoxe-1-", SBXK_REFRESH, &in,
		    0, "R"));
		buf_printf(sx->out, ",\"expires_in\":%d", SL_ROTATE);
	}
	team(sx);
	buf_printf(sx->out, ",\"authed_user\":{\"id\":\"%s\",\"scope\":"
	    "\"search:read\",\"access_token\":", users[(in.user - 1) % 3]);
	sandbox_jstr(sx->out, mint(sx, rot ? "xoxe.xoxp-1-" : "xoxp-",
	    SBXK_ACCESS, &in, rot ? SL_ROTATE : 0, rot ? "R" : ""));
	buf_puts(sx->out, ",\"token_type\":\"user\"");
	if (rot) {
		buf_puts(sx->out, ",\"refresh_token\":");
		sandbox_jstr(sx->out, mint(sx, "xoxe-1-", SBXK_REFRESH, &in,
		    0, "R"));
		buf_printf(sx->out, ",\"expires_in\":%d", SL_ROTATE);
	}
	buf_puts(sx->out, "}}");
	return sandbox_done(sx);
}

/* The next page's cursor: response_metadata.next_cursor, base64url of
 * plain ("" when plain is NULL: the last page). */
static void
next_cursor(struct sbx *sx, const char *plain)
{
	char enc[80];

	if (plain != NULL)
		sandbox_b64url(plain, enc, sizeof(enc));
	buf_printf(sx->out, ",\"response_metadata\":{\"next_cursor\":\"%s\"}",
	    plain != NULL ? enc : "");
}

static enum err
conv_list(struct sbx *sx)
{
	const char *cur = sandbox_param(sx->ctx, "cursor");
	long limit, off = 0, total, i, end;

	limit = sandbox_long(sandbox_param(sx->ctx, "limit"), 100, 1000);
	if (limit == 0)
		limit = 100;
	if (limit > SL_PER_PAGE)
		limit = SL_PER_PAGE;
	if (cur != NULL && *cur != '\0') {
		char dec[64];

		/* cursors are base64 of "off:N" */
		if (sandbox_unb64url(cur, dec, sizeof(dec)) &&
		    strncmp(dec, "off:", 4) == 0)
			off = sandbox_long(dec + 4, 0, 100000);
	}
	total = sandbox_is(sx, "pages") ? SANDBOX_MANY_PAGES * limit : 3;
	if (sandbox_is(sx, "empty"))
		total = 0;
	end = off + limit < total ? off + limit : total;
	sandbox_start(sx, 200, SJ);
	buf_puts(sx->out, "{\"ok\":true,\"channels\":[");
	for (i = off; i < end; i++) {
		const char *name = i < 3 ? chans[i] : arena_printf(
		    sx->ctx->arena, "channel-%ld", i);

		buf_printf(sx->out, "%s{\"id\":\"C0SBX%04ld\",\"name\":\"%s\","
		    "\"is_channel\":true,\"is_group\":false,\"is_im\":false,"
		    "\"is_mpim\":false,\"is_private\":false,\"created\":"
		    "1449252889,\"is_archived\":false,\"is_general\":%s,"
		    "\"unlinked\":0,\"name_normalized\":\"%s\",\"is_shared\":"
		    "false,\"is_org_shared\":false,\"is_pending_ext_shared\":"
		    "false,\"pending_shared\":[],\"is_ext_shared\":false,"
		    "\"context_team_id\":\"" SL_TEAM "\",\"updated\":"
		    "1678229664302,\"parent_conversation\":null,\"creator\":"
		    "\"%s\",\"is_member\":true,\"previous_names\":[],\"topic\":"
		    "{\"value\":\"Topic of %s\",\"creator\":\"\",\"last_set\":0},"
		    "\"purpose\":{\"value\":\"Purpose of %s\",\"creator\":\"\","
		    "\"last_set\":0},\"num_members\":%ld}", i > off ? "," : "",
		    i, name, i == 0 ? "true" : "false", name, users[0], name,
		    name, 4 + i * 3);
	}
	buf_puts(sx->out, "]");
	next_cursor(sx, end < total ? arena_printf(sx->ctx->arena, "off:%ld",
	    end) : NULL);
	buf_puts(sx->out, "}");
	return sandbox_done(sx);
}

/* Tuesdays carry the weekly review: a join, the deploy bot and a
 * thread; other days three or four plain messages. */
static bool
tuesday(int64_t day)
{
	return ((day + 4) % 7 + 7) % 7 == 2;
}

/* Messages of a channel on a day: how many, and the i-th's ts. */
static int
day_msgs(const char *chan, int64_t day)
{
	if (tuesday(day))
		return 4;
	return 3 + (int)(sandbox_hash(chan, (uint64_t)day) % 2);
}

static long long
msg_ts(const char *chan, int64_t day, int i)
{
	/* spread over working hours, ascending with i */
	return (long long)day * 86400 + 8 * 3600 + i * 3600 +
	    (long long)(sandbox_hash(chan, (uint64_t)(day * 16 + i)) % 3000);
}

static bool
chan_ok(const char *c)
{
	return c != NULL && (c[0] == 'C' || c[0] == 'G' || c[0] == 'D') &&
	    strlen(c) >= 5 && strlen(c) < 40;
}

/*
 * The big channel (ids starting C0SBXBIG, not listed): SL_BIG_DAY
 * messages every day, history far before any window, a thread of 2 to 4
 * replies every third day and one of SL_BIG_THREAD replies every
 * 45th.  Timestamps are handled in microseconds.  The "deleted" switch
 * (carried by a connection's token) deletes one message in 40 and one
 * reply in 40, thread parents excepted, as a person would between runs.
 */
#define SL_BIG		"C0SBXBIG"
#define SL_BIG_DAY	23
#define SL_BIG_THREAD	240
#define SL_US		1000000LL

static bool
big(const char *chan)
{
	return strncmp(chan, SL_BIG, strlen(SL_BIG)) == 0;
}

static int64_t
big_ts(const char *chan, int64_t day, int i)
{
	return (day * 86400 + 1800 + i * 3600 + (int64_t)(sandbox_hash(chan,
	    (uint64_t)(day * 32 + i)) % 1200)) * SL_US + (i + 1) * 100;
}

/* Replies the i-th message of day has (deleted ones included). */
static int
big_nreplies(const char *chan, int64_t day, int i)
{
	if (i != 5)
		return 0;
	if (((day % 45) + 45) % 45 == 7)
		return SL_BIG_THREAD;
	if (((day % 3) + 3) % 3 == 0)
		return 2 + (int)(sandbox_hash(chan, (uint64_t)day) % 3);
	return 0;
}

static int64_t
reply_ts(int64_t parent, int j)
{
	return parent + (int64_t)(j + 1) * 60 * SL_US + 10 + j;
}

static bool
gone(struct sbx *sx, const char *chan, int64_t us)
{
	return sandbox_is(sx, "deleted") && sandbox_hash(chan,
	    (uint64_t)us) % 40 == 0;
}

/* A timestamp "S.UUUUUU" in microseconds; def when absent or bad. */
static int64_t
us_of(const char *s, int64_t def)
{
	char *end;
	long long sec;
	int64_t frac = 0, scale = 100000;

	if (s == NULL || *s == '\0')
		return def;
	sec = strtoll(s, &end, 10);
	if (end == s || sec < 0 || sec > 99999999999LL)
		return def;
	if (*end == '.')
		for (end++; *end >= '0' && *end <= '9' && scale > 0; end++) {
			frac += (*end - '0') * scale;
			scale /= 10;
		}
	return (int64_t)sec * SL_US + frac;
}

static const char *
ts_text(struct sbx *sx, int64_t us)
{
	return arena_printf(sx->ctx->arena, "%lld.%06lld",
	    (long long)(us / SL_US), (long long)(us % SL_US));
}

/* A thread's replies that are there now: how many and the latest. */
static int
big_live(struct sbx *sx, const char *chan, int64_t parent, int k,
    int64_t *latest)
{
	int j, n = 0;

	*latest = 0;
	for (j = 0; j < k; j++) {
		if (reply_ts(parent, j) > sx->now * SL_US ||
		    gone(sx, chan, reply_ts(parent, j)))
			continue;
		*latest = reply_ts(parent, j);
		n++;
	}
	return n;
}

static void
big_msg(struct sbx *sx, const char *chan, int64_t day, int i, bool first)
{
	int64_t ts = big_ts(chan, day, i), latest;
	int k = big_nreplies(chan, day, i), n;

	buf_printf(sx->out, "%s{\"type\":\"message\",\"user\":\"%s\","
	    "\"text\":\"Launch note %lld-%d\",\"ts\":\"%s\",\"team\":\""
	    SL_TEAM "\"", first ? "" : ",", users[(day + i) % 3],
	    (long long)day, i, ts_text(sx, ts));
	if (k > 0) {
		n = big_live(sx, chan, ts, k, &latest);
		buf_printf(sx->out, ",\"thread_ts\":\"%s\",\"reply_count\":%d,"
		    "\"reply_users_count\":2,\"latest_reply\":\"%s\","
		    "\"reply_users\":[\"%s\",\"%s\"],\"is_locked\":false,"
		    "\"subscribed\":false", ts_text(sx, ts), n,
		    ts_text(sx, latest ? latest : ts), users[1], users[2]);
	}
	buf_puts(sx->out, "}");
}

/*
 * The end of a history page: has_more, the fields Slack adds, and when
 * there is more the cursor after last ("next_us" in the big channel,
 * "next_ts" elsewhere).
 */
static enum err
history_end(struct sbx *sx, bool more, const char *key, long long last)
{
	buf_printf(sx->out, "],\"has_more\":%s,\"pin_count\":0,"
	    "\"channel_actions_ts\":null,\"channel_actions_count\":0",
	    more ? "true" : "false");
	if (more)
		next_cursor(sx, arena_printf(sx->ctx->arena, "%s:%lld", key,
		    last));
	buf_puts(sx->out, "}");
	return sandbox_done(sx);
}

/* History of the big channel: newest first below the cursor. */
static enum err
big_history(struct sbx *sx, const char *chan, long limit)
{
	const char *cur = sandbox_param(sx->ctx, "cursor");
	bool incl = sandbox_param(sx->ctx, "inclusive") != NULL &&
	    (strcmp(sandbox_param(sx->ctx, "inclusive"), "true") == 0 ||
	    strcmp(sandbox_param(sx->ctx, "inclusive"), "1") == 0);
	int64_t now = sx->now * SL_US, latest, oldest, below, ts, last = 0;
	int64_t day;
	long n = 0;
	int i;
	bool more = false;
	char dec[64];

	latest = us_of(sandbox_param(sx->ctx, "latest"), now);
	if (latest > now)
		latest = now;
	oldest = us_of(sandbox_param(sx->ctx, "oldest"), 0);
	if (oldest < latest - 400 * 86400 * SL_US)
		oldest = latest - 400 * 86400 * SL_US;
	below = INT64_MAX;
	if (cur != NULL && *cur != '\0' && sandbox_unb64url(cur, dec,
	    sizeof(dec)) && strncmp(dec, "next_us:", 8) == 0)
		below = strtoll(dec + 8, NULL, 10);
	sandbox_start(sx, 200, SJ);
	buf_puts(sx->out, "{\"ok\":true,\"messages\":[");
	for (day = latest / (86400 * SL_US); !more && !sandbox_is(sx,
	    "empty") && day >= oldest / (86400 * SL_US); day--) {
		for (i = SL_BIG_DAY - 1; i >= 0; i--) {
			ts = big_ts(chan, day, i);
			if (ts >= below || ts > latest || ts < oldest ||
			    (!incl && (ts == latest || ts == oldest)) ||
			    (big_nreplies(chan, day, i) == 0 &&
			    gone(sx, chan, ts)))
				continue;
			if (n == limit) {
				more = true;
				break;
			}
			big_msg(sx, chan, day, i, n == 0);
			last = ts;
			n++;
		}
	}
	return history_end(sx, more, "next_us", (long long)last);
}

static enum err
conv_history(struct sbx *sx)
{
	static const char *const texts[] = { "Reminder: campaign review at 3pm",
	    "Numbers for yesterday are in the dashboard",
	    "Good morning all", "Can someone check the ad budget?",
	    "Shipped the new landing page" };
	const char *chan = sandbox_param(sx->ctx, "channel");
	const char *o = sandbox_param(sx->ctx, "oldest");
	const char *l = sandbox_param(sx->ctx, "latest");
	const char *cur = sandbox_param(sx->ctx, "cursor");
	double oldest, latest, before;
	long limit, n = 0;
	int64_t day, d0;
	int i, k;
	bool more = false;
	long long ts = 0, last = 0;

	if (!chan_ok(chan))
		return sandbox_fail(sx, "error_channel_not_found");
	limit = sandbox_long(sandbox_param(sx->ctx, "limit"), 100, 999);
	if (limit == 0)
		limit = 100;
	if (big(chan))
		return big_history(sx, chan, limit);
	latest = l != NULL ? atof(l) : (double)sx->now;
	oldest = o != NULL ? atof(o) : latest - 30 * 86400.0;
	if (latest > (double)sx->now)
		latest = (double)sx->now;
	before = latest + 1;
	if (cur != NULL && *cur != '\0') {
		char dec[64];

		if (sandbox_unb64url(cur, dec, sizeof(dec)) &&
		    strncmp(dec, "next_ts:", 8) == 0)
			before = atof(dec + 8);
	}
	if (oldest < latest - 400 * 86400.0)
		oldest = latest - 400 * 86400.0;
	sandbox_start(sx, 200, SJ);
	buf_puts(sx->out, "{\"ok\":true,\"messages\":[");
	d0 = (int64_t)(oldest / 86400) - 1;
	for (day = (int64_t)(latest / 86400); day >= d0 && !more &&
	    !sandbox_is(sx, "empty"); day--) {
		k = day_msgs(chan, day);
		for (i = k - 1; i >= 0; i--) {
			ts = msg_ts(chan, day, i);
			if ((double)ts >= before || (double)ts > latest ||
			    (double)ts < oldest)
				continue;
			if (n == limit) {
				more = true;
				break;
			}
			buf_puts(sx->out, n ? "," : "");
			if (tuesday(day) && i == 1)
				buf_printf(sx->out, "{\"type\":\"message\","
				    "\"subtype\":\"channel_join\",\"user\":"
				    "\"%s\",\"text\":\"<@%s> has joined the "
				    "channel\",\"ts\":\"%lld.%06d\"}", users[2],
				    users[2], ts, (i + 1) * 50);
			else if (tuesday(day) && i == 2)
				buf_printf(sx->out, "{\"type\":\"message\","
				    "\"subtype\":\"bot_message\",\"bot_id\":"
				    "\"B0SBXBOT1\",\"username\":\"deploybot\","
				    "\"text\":\"Deploy finished\",\"ts\":"
				    "\"%lld.%06d\"}", ts, (i + 1) * 50);
			else if (tuesday(day) && i == 3)
				buf_printf(sx->out, "{\"type\":\"message\","
				    "\"user\":\"%s\",\"text\":\"Weekly campaign "
				    "review thread\",\"ts\":\"%lld.%06d\","
				    "\"team\":\"" SL_TEAM "\",\"thread_ts\":"
				    "\"%lld.%06d\",\"reply_count\":2,"
				    "\"reply_users_count\":2,\"latest_reply\":"
				    "\"%lld.000250\",\"reply_users\":[\"%s\","
				    "\"%s\"],\"is_locked\":false,\"subscribed\":"
				    "false}", users[0], ts, (i + 1) * 50, ts,
				    (i + 1) * 50, ts + 1200, users[1], users[2]);
			else
				buf_printf(sx->out, "{\"type\":\"message\","
				    "\"user\":\"%s\",\"text\":\"%s\",\"ts\":"
				    "\"%lld.%06d\",\"team\":\"" SL_TEAM "\"}",
				    users[(day + i) % 3], texts[(day + i) % 5], ts,
				    (i + 1) * 50);
			last = ts;
			n++;
		}
	}
	return history_end(sx, more, "next_ts", last);
}

/*
 * A thread, parent first, in pages of `limit` (the parent counts) with
 * a cursor.  In the big channel the parent's own replies; elsewhere any
 * ts is a parent with two.
 */
static enum err
conv_replies(struct sbx *sx)
{
	static const char *const said[] = { "Looks good", "Ship it",
	    "Agreed", "One more pass on the copy" };
	const char *chan = sandbox_param(sx->ctx, "channel");
	const char *ts = sandbox_param(sx->ctx, "ts");
	const char *cur = sandbox_param(sx->ctx, "cursor");
	int64_t p, day, r, latest;
	long limit, off = 0, at, n;
	int k = 2, i, live;
	char dec[64];

	if (!chan_ok(chan))
		return sandbox_fail(sx, "error_channel_not_found");
	if (ts == NULL || (p = us_of(ts, 0)) <= 0)
		return sandbox_fail(sx, "error_channel_not_found");
	limit = sandbox_long(sandbox_param(sx->ctx, "limit"), 1000, 1000);
	if (limit == 0)
		limit = 1000;
	if (cur != NULL && *cur != '\0' && sandbox_unb64url(cur, dec,
	    sizeof(dec)) && strncmp(dec, "off:", 4) == 0)
		off = sandbox_long(dec + 4, 0, 100000);
	if (big(chan)) {
		day = p / (86400 * SL_US);
		k = 0;
		for (i = 0; i < SL_BIG_DAY; i++)
			if (big_ts(chan, day, i) == p)
				k = big_nreplies(chan, day, i);
	}
	live = big(chan) ? big_live(sx, chan, p, k, &latest) : k;
	if (!big(chan))
		latest = (p / SL_US + 1200) * SL_US + 250;
	sandbox_start(sx, 200, SJ);
	buf_puts(sx->out, "{\"ok\":true,\"messages\":[");
	/* item 0 is the parent, item j + 1 the j-th reply */
	for (at = 0, n = 0, i = -1; i < k && n < limit; i++) {
		r = i < 0 ? p : big(chan) ? reply_ts(p, i) : i == 0 ?
		    (p / SL_US + 300) * SL_US + 210 : latest;
		if (i >= 0 && (r > sx->now * SL_US || (big(chan) &&
		    gone(sx, chan, r))))
			continue;
		if (at++ < off)
			continue;
		if (i < 0)
			buf_printf(sx->out, "{\"type\":\"message\",\"user\":"
			    "\"%s\",\"text\":\"Draft for the next newsletter "
			    "is ready\",\"ts\":\"%s\",\"thread_ts\":\"%s\","
			    "\"reply_count\":%d,\"reply_users_count\":2,"
			    "\"latest_reply\":\"%s\",\"reply_users\":[\"%s\","
			    "\"%s\"],\"is_locked\":false,\"subscribed\":false}",
			    users[0], ts, ts, live, ts_text(sx, live ? latest :
			    p), users[1], users[2]);
		else
			buf_printf(sx->out, "%s{\"type\":\"message\",\"user\":"
			    "\"%s\",\"text\":\"%s\",\"ts\":\"%s\",\"thread_ts\":"
			    "\"%s\",\"parent_user_id\":\"%s\"}", n ? "," : "",
			    users[1 + i % 2], said[i % 4], ts_text(sx, r), ts,
			    users[0]);
		n++;
	}
	buf_printf(sx->out, "],\"has_more\":%s", i < k ? "true" : "false");
	if (i < k)
		next_cursor(sx, arena_printf(sx->ctx->arena, "off:%ld", at));
	buf_puts(sx->out, "}");
	return sandbox_done(sx);
}

static enum err
users_info(struct sbx *sx)
{
	const char *u = sandbox_param(sx->ctx, "user");
	int i;

	if (u == NULL || (u[0] != 'U' && u[0] != 'W') || strlen(u) < 5 ||
	    strlen(u) > 20 || strspn(u + 1, "0") == strlen(u + 1))
		return sandbox_fail(sx, "users_info_error_user_not_found");
	i = (int)(sandbox_hash(u, 12) % 3);
	sandbox_start(sx, 200, SJ);
	buf_puts(sx->out, "{\"ok\":true,\"user\":{\"id\":");
	sandbox_jstr(sx->out, u);
	buf_printf(sx->out, ",\"team_id\":\"" SL_TEAM "\",\"name\":"
	    "\"sandbox%d\",\"deleted\":false,\"color\":\"9f69e7\","
	    "\"real_name\":\"Sandbox Person %d\",\"tz\":\"America/Los_Angeles\","
	    "\"tz_label\":\"Pacific Standard Time\",\"tz_offset\":-28800,"
	    "\"profile\":{\"avatar_hash\":\"ge3b51ca72de\",\"status_text\":"
	    "\"\",\"status_emoji\":\"\",\"real_name\":\"Sandbox Person %d\","
	    "\"display_name\":\"sandbox%d\",\"real_name_normalized\":"
	    "\"Sandbox Person %d\",\"display_name_normalized\":\"sandbox%d\","
	    "\"email\":\"person%d@sandbox.example\",\"image_24\":"
	    "\"https://example.invalid/24.png\",\"image_48\":"
	    "\"https://example.invalid/48.png\",\"image_72\":"
	    "\"https://example.invalid/72.png\",\"image_192\":"
	    "\"https://example.invalid/192.png\",\"team\":\"" SL_TEAM "\"},"
	    "\"is_admin\":%s,\"is_owner\":false,\"is_primary_owner\":false,"
	    "\"is_restricted\":false,\"is_ultra_restricted\":false,\"is_bot\":"
	    "false,\"is_app_user\":false,\"updated\":1502138686,\"has_2fa\":"
	    "false}}", i, i, i, i, i, i, i, i == 0 ? "true" : "false");
	return sandbox_done(sx);
}

static enum err
api_method(struct ctx *ctx)
{
	const char *m = route_capture(&ctx->match, "method");
	bool oauth = strcmp(m, "oauth.v2.access") == 0;
	struct sbx sx;
	enum err rc;

	if (!sandbox_begin(ctx, &slack_api, oauth ? SBX_TOKEN_EP : SBX_AUTH,
	    &sx, &rc))
		return rc;
	if (oauth)
		return oauth_access(&sx);
	if (strcmp(m, "conversations.list") == 0)
		return conv_list(&sx);
	if (strcmp(m, "conversations.history") == 0)
		return conv_history(&sx);
	if (strcmp(m, "conversations.replies") == 0)
		return conv_replies(&sx);
	if (strcmp(m, "users.info") == 0)
		return users_info(&sx);
	if (strcmp(m, "auth.revoke") == 0) {
		sandbox_start(&sx, 200, SJ);
		buf_puts(sx.out, "{\"ok\":true,\"revoked\":true}");
		return ERR_OK;
	}
	if (strcmp(m, "auth.test") == 0) {
		sandbox_start(&sx, 200, SJ);
		buf_printf(sx.out, "{\"ok\":true,\"url\":"
		    "\"https://sandbox.slack.invalid/\",\"team\":\"Sandbox "
		    "Workspace\",\"user\":\"sandbox%d\",\"team_id\":\"" SL_TEAM
		    "\",\"user_id\":\"%s\"}", sx.tok.user,
		    users[(sx.tok.user - 1) % 3]);
		return ERR_OK;
	}
	sandbox_start(&sx, 200, SJ);
	buf_puts(sx.out, "{\"ok\":false,\"error\":\"unknown_method\"}");
	return ERR_OK;
}

/* ------------------------------------------------------------------ */
/* Its error shapes, routes and entry in the registry. */

#define Ju	"application/json; charset=utf-8"
#define SL(e)	"{\"ok\":false,\"error\":\"" e "\"}"

static const struct sandbox_family family = {
	.id = "slack",
	.name = "Slack",
	.authorize = "/sandbox/slack/",
	.sep = ',',
	.prov = SLACK_PROV,
	.code_prefix = "4724.",
	.client_status = 400,
	.client_error = "Invalid client_id parameter.",
	.redirect_status = 400,
	.redirect_error = "redirect_uri did not match any configured URIs.",
};

static const struct route routes[] = {
	{ HTTP_GET, "/sandbox/slack/oauth/v2/authorize", sandbox_authorize,
	    ROUTE_NODB | ROUTE_HTML, 0 },
	{ HTTP_GET | HTTP_POST, "/sandbox/slack/api/:method",
	    api_method, ROUTE_NODB, 0 },
};

static const struct sandbox_fault faults[] = {
	{ &slack_api, "error_account_inactive", NULL, 200, NULL, Ju,
	    SL("account_inactive") },
	{ &slack_api, "error_channel_not_found", NULL, 200, NULL, Ju,
	    SL("channel_not_found") },
	{ &slack_api, "error_invalid_auth", NULL, 200, NULL, Ju,
	    SL("invalid_auth") },
	{ &slack_api, "error_missing_scope", "403", 200, NULL, Ju,
	    "{\"ok\":false,\"error\":\"missing_scope\",\"needed\":"
	    "\"channels:history\",\"provided\":\"channels:read,users:read\"}" },
	{ &slack_api, "error_not_authed", NULL, 200, NULL, Ju,
	    SL("not_authed") },
	{ &slack_api, "error_not_in_channel", NULL, 200, NULL, Ju,
	    SL("not_in_channel") },
	{ &slack_api, "error_ratelimited", "429", 429, "Retry-After: 30\n", Ju,
	    SL("ratelimited") },
	{ &slack_api, "error_token_expired", "401", 200, NULL, Ju,
	    SL("token_expired") },
	{ &slack_api, "error_token_revoked", NULL, 200, NULL, Ju,
	    SL("token_revoked") },
	{ &slack_api, "error_internal", "500", 200, NULL, Ju,
	    SL("internal_error") },
	{ &slack_api, "oauth_v2_access_error_invalid_code", NULL, 200, NULL,
	    Ju, SL("invalid_code") },
	{ &slack_api, "oauth_v2_access_error_invalid_refresh",
	    "invalid_grant", 200, NULL, Ju, SL("invalid_refresh_token") },
	{ &slack_api, "users_info_error_user_not_found", NULL, 200, NULL, Ju,
	    SL("user_not_found") },
};

const struct sandbox_provider sandbox_slack = {
	.slug = "slack",
	.family = &family,
	SANDBOX_LIST(routes),
	SANDBOX_LIST(faults),
};
