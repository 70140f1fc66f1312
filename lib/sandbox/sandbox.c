/*
 * sandbox.c — the sandbox core: tokens, consent, series, shared helpers.
 *
 * Switches, stateless tokens, the consent page, /sandbox/bases, the
 * synthetic series and small helpers the provider files share
 * (lib/sandbox/sandbox_priv.h).
 */
#include <ctype.h>
#include <errno.h>
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
#include "crypto/crypto.h"
#include "providers/provider.h"
#include "sandbox/sandbox_priv.h"

#define TOKEN_KEY	0x5b1ce5a4dbeefULL	/* checksum salt */

/* ------------------------------------------------------------------ */
/* Small helpers. */

uint64_t
sandbox_hash(const char *s, uint64_t salt)
{
	uint64_t h = 1469598103934665603ULL ^ (salt * 0x9e3779b97f4a7c15ULL);

	for (; s != NULL && *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 32;
	return h;
}

/* A uniform number in [0, 1) from a hash. */
static double
unit(uint64_t h)
{
	return (double)(h >> 11) / 9007199254740992.0;
}

void
sandbox_jstr(struct buf *b, const char *s)
{
	if (s == NULL)
		s = "";
	buf_put_json_string(b, s, strlen(s));
}

long
sandbox_long(const char *s, long def, long max)
{
	char *end;
	long v;

	if (s == NULL || *s == '\0' || !isdigit((unsigned char)*s))
		return def;
	v = strtol(s, &end, 10);
	if (*end != '\0' || v < 0)
		return def;
	return v > max ? max : v;
}

const char *
sandbox_param(struct ctx *ctx, const char *name)
{
	const char *v;

	if ((v = req_query(&ctx->req, name)) != NULL)
		return v;
	return req_form(&ctx->req, name);
}

const char *
sandbox_urlenc(struct sbx *sx, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char *o, *p;

	p = o = arena_alloc(sx->ctx->arena, strlen(s) * 3 + 1);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (isalnum(c) || c == '-' || c == '_' || c == '.' ||
		    c == '~')
			*p++ = (char)c;
		else {
			*p++ = '%';
			*p++ = hex[c >> 4];
			*p++ = hex[c & 15];
		}
	}
	*p = '\0';
	return o;
}

const char *
sandbox_hexid(struct sbx *sx, const char *seed, int n)
{
	char *o = arena_alloc(sx->ctx->arena, (size_t)n + 1);
	uint64_t h = 0;
	int i;

	for (i = 0; i < n; i++) {
		if (i % 16 == 0)
			h = sandbox_hash(seed, (uint64_t)i + 77);
		o[i] = "0123456789abcdef"[h & 15];
		h >>= 4;
	}
	o[n] = '\0';
	return o;
}

const char *
sandbox_base_url(struct sbx *sx, const char *prefix)
{
	const char *host = req_header(&sx->ctx->req, "host");

	if (host == NULL || *host == '\0' || strpbrk(host, "/\\\"<> ") !=
	    NULL) {
		if (sx->ctx->cfg->base_url != NULL &&
		    *sx->ctx->cfg->base_url != '\0')
			return arena_printf(sx->ctx->arena, "%s%s",
			    sx->ctx->cfg->base_url, prefix);
		host = "127.0.0.1";
	}
	return arena_printf(sx->ctx->arena, "http://%s%s", host, prefix);
}

/* ------------------------------------------------------------------ */
/* Days and time zones. */

int64_t
sandbox_day_parse(const char *s)
{
	int y, m, d;
	char tail;

	if (s == NULL)
		return -1;
	if (strlen(s) == 8 && strspn(s, "0123456789") == 8) {
		if (sscanf(s, "%4d%2d%2d", &y, &m, &d) != 3)
			return -1;
	} else if (sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3)
		return -1;
	if (y < 1970 || y > 2200 || m < 1 || m > 12 || d < 1 || d > 31)
		return -1;
	return day_from_civil(y, m, d);
}

void
sandbox_day_format(int64_t day, char sep, char out[11])
{
	char tmp[48];
	int64_t y;
	int m, d;

	day_to_civil(day, &y, &m, &d);
	if (sep)
		snprintf(tmp, sizeof(tmp), "%04d%c%02d%c%02d",
		    (int)(y % 10000), sep, m, sep, d);
	else
		snprintf(tmp, sizeof(tmp), "%04d%02d%02d", (int)(y % 10000),
		    m, d);
	memcpy(out, tmp, 10);
	out[sep ? 10 : 8] = '\0';
}

int64_t
sandbox_today(int64_t now, int offset_hours)
{
	return day_of_epoch(now + (int64_t)offset_hours * 3600);
}

const char *
sandbox_tz(const char *account, int *offset_out)
{
	static const struct {
		const char	*name;
		int		 off;
	} zones[] = {
		{ "America/New_York", -5 },
		{ "Etc/UTC", 0 },
		{ "Europe/Berlin", 1 },
		{ "America/Los_Angeles", -8 },
		{ "Asia/Tokyo", 9 },
	};
	size_t i = sandbox_hash(account, 5) % (nitems(zones));

	if (offset_out != NULL)
		*offset_out = zones[i].off;
	return zones[i].name;
}

/* ------------------------------------------------------------------ */
/* The series. */

/* Final traffic level of an account on a day. */
static double
level(const char *account, int64_t day)
{
	static const double week[7] = { 1.00, 0.97, 0.62, 0.55, 1.04, 1.08,
	    1.06 };	/* day 0 (1970-01-01) was a Thursday */
	double base, trend, noise, spike;
	uint64_t h;

	base = 300.0 + 4700.0 * unit(sandbox_hash(account, 1));
	trend = 1.0 + (unit(sandbox_hash(account, 2)) - 0.35) *
	    (double)(day % 3650) / 3650.0;
	h = sandbox_hash(account, 1000 + (uint64_t)day);
	noise = 0.88 + 0.24 * unit(h);
	spike = (h % 41) == 0 ? 2.2 + unit(h >> 7) : 1.0;
	return base * trend * week[((day % 7) + 7) % 7] * noise * spike;
}

void
sandbox_series(const char *account, int64_t day, int64_t today,
    int restate_days, struct sandbox_day *o)
{
	double v, ctr, cvr, r;
	uint64_t h;
	int64_t age;

	memset(o, 0, sizeof(*o));
	if (day > today)
		return;
	v = level(account, day);
	age = today - day;
	h = sandbox_hash(account, 50000 + (uint64_t)day);
	/* Restatement: reported low until a day inside the window. */
	if (restate_days > 1 && age < restate_days && (h % 3) == 0 &&
	    age < 1 + (int64_t)(h >> 8) % (restate_days - 1))
		v *= 0.9;
	ctr = 0.012 + 0.03 * unit(sandbox_hash(account, 3));
	cvr = 0.02 + 0.06 * unit(sandbox_hash(account, 4));
	r = unit(h >> 3);
	o->visits = (int64_t)v;
	o->users = (int64_t)(v * (0.78 + 0.1 * r));
	o->pageviews = (int64_t)(v * (2.4 + 0.8 * r));
	o->impressions = (int64_t)(v * 6.5);
	o->reach = (int64_t)((double)o->impressions * (0.55 + 0.2 * r));
	o->clicks = (int64_t)((double)o->impressions * ctr);
	o->conversions = (double)(int64_t)((double)o->clicks * cvr * 2.0) /
	    2.0;
	o->cost_micros = o->clicks * (int64_t)(350000 + 600000 *
	    unit(sandbox_hash(account, 6))) / 10000 * 10000;
	o->revenue = (double)(int64_t)(o->conversions * 42.5 * 100.0) /
	    100.0;
	o->engagements = (int64_t)(v * 0.09);
	o->likes = (int64_t)(v * 0.05);
	o->comments = (int64_t)(v * 0.006);
	o->shares = (int64_t)(v * 0.004);
	o->follows = (int64_t)(v * 0.008) + 1;
	o->unfollows = (int64_t)(v * 0.002);
	o->views = (int64_t)(v * 1.1);
	o->minutes = (int64_t)(v * 2.9);
	o->emails_sent = ((day + (int64_t)(sandbox_hash(account, 7) % 7)) %
	    7) == 0 ? (int64_t)(v * 0.9) : 0;
	o->opens = (int64_t)(v * 0.12);
	o->messages = (int64_t)(v / 200.0);
	o->bounce_rate = 0.35 + 0.2 * unit(h >> 5);
	o->avg_duration = 90.0 + 120.0 * unit(h >> 9);
}

void
sandbox_series_sum(const char *account, int64_t d0, int64_t d1,
    int64_t today, int restate_days, struct sandbox_day *o)
{
	struct sandbox_day d;
	double br = 0, dur = 0;
	int64_t day;

	memset(o, 0, sizeof(*o));
	for (day = d0; day <= d1 && day <= today; day++) {
		sandbox_series(account, day, today, restate_days, &d);
		o->visits += d.visits;
		o->users += d.users;
		o->pageviews += d.pageviews;
		o->impressions += d.impressions;
		o->reach += d.reach;
		o->clicks += d.clicks;
		o->conversions += d.conversions;
		o->cost_micros += d.cost_micros;
		o->revenue += d.revenue;
		o->engagements += d.engagements;
		o->likes += d.likes;
		o->comments += d.comments;
		o->shares += d.shares;
		o->follows += d.follows;
		o->unfollows += d.unfollows;
		o->views += d.views;
		o->minutes += d.minutes;
		o->emails_sent += d.emails_sent;
		o->opens += d.opens;
		o->messages += d.messages;
		br += d.bounce_rate * (double)d.visits;
		dur += d.avg_duration * (double)d.visits;
	}
	if (o->visits > 0) {
		o->bounce_rate = br / (double)o->visits;
		o->avg_duration = dur / (double)o->visits;
	}
	/* people are not additive across days */
	o->users = o->users * 7 / 10;
	o->reach = o->reach * 6 / 10;
}

/* ------------------------------------------------------------------ */
/* Tokens: PREFIX ["-fault-" NAME "-"] "S1." prov kind "." user "." iat
 * "." exp "." flags "." challenge "." redirect-hash "." scope(b64url) "."
 * fault "." mac */

void
sandbox_b64url(const char *in, char *out, size_t size)
{
	char tmp[CRYPTO_B64URL_LEN(300) + 1];
	size_t len = strlen(in);

	if (len > 300)
		len = 300;
	crypto_b64url_encode(in, len, tmp);
	snprintf(out, size, "%s", tmp);
}

bool
sandbox_unb64url(const char *in, char *out, size_t size)
{
	size_t n;

	if (size == 0 || crypto_b64url_decode(in, strlen(in), out, size - 1,
	    &n) != ERR_OK)
		return false;
	out[n] = '\0';
	return strlen(out) == n;
}

void
sandbox_token_from(struct sbx *sx, const struct sandbox_token *from,
    char prov, enum sandbox_kind kind, struct sandbox_token *t)
{
	memset(t, 0, sizeof(*t));
	t->prov = prov;
	t->kind = (char)kind;
	t->user = from->user;
	strcpy(t->fault, from->fault);
	t->iat = sx->now;
}

const char *
sandbox_token_make(struct sbx *sx, const char *prefix,
    const struct sandbox_token *t)
{
	char scope[420], body[900];
	uint64_t mac;
	bool vis;

	sandbox_b64url(t->scope, scope, sizeof(scope));
	snprintf(body, sizeof(body), "S1.%c%c.%d.%lld.%lld.%s.%s.%s.%s.%s",
	    t->prov, t->kind, t->user, (long long)t->iat, (long long)t->exp,
	    *t->flags ? t->flags : "-", *t->chal ? t->chal : "-",
	    *t->redir ? t->redir : "-", *scope ? scope : "-",
	    *t->fault ? t->fault : "-");
	mac = sandbox_hash(body, TOKEN_KEY);
	/* a code keeps its fault inside: the exchange itself must work */
	vis = *t->fault != '\0' && t->kind != SBXK_CODE;
	return arena_printf(sx->ctx->arena, "%s%s%s%s%s.%016llx", prefix,
	    vis ? "-fault-" : "", vis ? t->fault : "", vis ? "-" : "", body,
	    (unsigned long long)mac);
}

/* Copies field i (dot-separated) of s into out; "-" becomes "". */
static bool
field(const char *s, int i, char *out, size_t size)
{
	const char *e;
	size_t n;

	for (; i > 0; i--) {
		if ((s = strchr(s, '.')) == NULL)
			return false;
		s++;
	}
	e = strchr(s, '.');
	n = e != NULL ? (size_t)(e - s) : strlen(s);
	if (n >= size)
		return false;
	memcpy(out, s, n);
	out[n] = '\0';
	if (strcmp(out, "-") == 0)
		*out = '\0';
	return true;
}

bool
sandbox_token_parse(const char *tok, struct sandbox_token *t)
{
	char f[9][420], mac[20], want[20], scope[420];
	const char *s, *dot;
	size_t blen;
	int i;

	memset(t, 0, sizeof(*t));
	if (tok == NULL || (s = strstr(tok, "S1.")) == NULL ||
	    strlen(s) > 880)
		return false;
	for (i = 0; i < 9; i++)
		if (!field(s, i + 1, f[i], sizeof(f[i])))
			return false;
	if (!field(s, 10, mac, sizeof(mac)))
		return false;
	if ((dot = strrchr(s, '.')) == NULL)
		return false;
	blen = (size_t)(dot - s);
	{
		char body[900];

		memcpy(body, s, blen);
		body[blen] = '\0';
		snprintf(want, sizeof(want), "%016llx", (unsigned long long)
		    sandbox_hash(body, TOKEN_KEY));
	}
	if (strcmp(mac, want) != 0 || strlen(f[0]) != 2)
		return false;
	t->prov = f[0][0];
	t->kind = f[0][1];
	t->user = atoi(f[1]);
	t->iat = strtoll(f[2], NULL, 10);
	t->exp = strtoll(f[3], NULL, 10);
	if (strlen(f[4]) >= sizeof(t->flags) || strlen(f[5]) >=
	    sizeof(t->chal) || strlen(f[6]) >= sizeof(t->redir) ||
	    strlen(f[8]) >= sizeof(t->fault))
		return false;
	strcpy(t->fault, f[8]);
	strcpy(t->flags, f[4]);
	strcpy(t->chal, f[5]);
	strcpy(t->redir, f[6]);
	if (*f[7] != '\0') {
		if (!sandbox_unb64url(f[7], scope, sizeof(t->scope)))
			return false;
		strcpy(t->scope, scope);
	}
	if (t->user < 1 || t->user > 3)
		t->user = 1;
	return true;
}

void
sandbox_redir_hash(const char *uri, char out[17])
{
	snprintf(out, 17, "%016llx", (unsigned long long)
	    sandbox_hash(uri != NULL ? uri : "", 99));
}

bool
sandbox_pkce_ok(const char *verifier, const char *challenge)
{
	char enc[CRYPTO_PKCE_CHALLENGE_SIZE];

	if (verifier == NULL || challenge == NULL ||
	    crypto_pkce_challenge(verifier, strlen(verifier), enc) != ERR_OK)
		return false;
	return strcmp(enc, challenge) == 0;
}

const char *
sandbox_bearer(struct ctx *ctx)
{
	const char *h = req_header(&ctx->req, "authorization"), *v;

	if (h != NULL) {
		if (strncasecmp(h, "Bearer ", 7) == 0)
			return h + 7;
		if (strncasecmp(h, "OAuth ", 6) == 0)
			return h + 6;
	}
	if ((v = sandbox_param(ctx, "access_token")) != NULL)
		return v;
	return sandbox_param(ctx, "token");
}

bool
sandbox_code_ok(struct sbx *sx, const char *code, char prov,
    const char *redirect_uri, const char *verifier,
    struct sandbox_token *out, const char **why)
{
	char rh[17];

	if (!sandbox_token_parse(code, out) || out->prov != prov ||
	    out->kind != SBXK_CODE) {
		*why = "code";
		return false;
	}
	if (out->exp != 0 && out->exp < sx->now) {
		*why = "expired";
		return false;
	}
	if (redirect_uri != NULL) {
		sandbox_redir_hash(redirect_uri, rh);
		if (strcmp(rh, out->redir) != 0) {
			*why = "redirect_uri";
			return false;
		}
	}
	if (*out->chal != '\0' && !sandbox_pkce_ok(verifier, out->chal)) {
		*why = "code_verifier";
		return false;
	}
	return true;
}

/* ------------------------------------------------------------------ */
/* Requests, switches and faults. */

/* Finds "-fault-NAME" in s; NAME copied to out. */
static bool
magic(const char *s, char *out, size_t size)
{
	const char *p;
	size_t n = 0;

	if (s == NULL || (p = strstr(s, "-fault-")) == NULL)
		return false;
	p += 7;
	while ((isalnum((unsigned char)p[n]) || p[n] == '_') && n + 1 < size)
		n++;
	if (n == 0)
		return false;
	memcpy(out, p, n);
	out[n] = '\0';
	return true;
}

bool
sandbox_is(const struct sbx *sx, const char *name)
{
	return strcmp(sx->fault, name) == 0;
}

void
sandbox_start(struct sbx *sx, int status, const char *ctype)
{
	resp_body(&sx->ctx->resp, status, ctype, "", 0);
}

bool
sandbox_begin(struct ctx *ctx, const struct sandbox_api *api,
    unsigned flags, struct sbx *sx, enum err *rcout)
{
	static char none[] = "";
	const char *h, *tok;
	char name[64];
	struct timespec ts;
	long lat;

	memset(sx, 0, sizeof(*sx));
	sx->ctx = ctx;
	sx->api = api;
	sx->out = &ctx->resp.body;
	sx->now = (int64_t)time(NULL);
	sx->fault = none;
	*rcout = ERR_OK;
	if (!ctx->cfg->sandbox) {
		*rcout = app_fail(ctx, ERR_NOTFOUND,
		    "Nothing lives at this address.");
		return false;
	}
	if (api != NULL)
		resp_header(&ctx->resp, "X-Sandbox-Api", api->name);
	h = req_header(&ctx->req, "x-sandbox-fault");
	if (flags & SBX_NOFAULT)
		;
	else if (h != NULL && *h != '\0' && strlen(h) < sizeof(name))
		sx->fault = arena_strdup(ctx->arena, h);
	else if (magic(ctx->req.path, name, sizeof(name)) ||
	    magic(ctx->req.query_string, name, sizeof(name)) ||
	    magic(ctx->req.body, name, sizeof(name)) ||
	    magic(req_header(&ctx->req, "authorization"), name,
	    sizeof(name)))
		sx->fault = arena_strdup(ctx->arena, name);
	if ((flags & SBX_TOKEN_EP) && sandbox_is(sx, "401"))
		sx->fault = none;
	/* Added latency for benchmarks: SLUICE_SANDBOX_LATENCY_MS. */
	if ((lat = atol(config_env("SLUICE_SANDBOX_LATENCY_MS", "0"))) > 0 &&
	    lat <= 60000) {
		ts.tv_sec = lat / 1000;
		ts.tv_nsec = (lat % 1000) * 1000000L;
		while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
			;
	}
	if (sandbox_is(sx, "slow")) {
		ts.tv_sec = SANDBOX_SLOW_MS / 1000;
		ts.tv_nsec = (SANDBOX_SLOW_MS % 1000) * 1000000L;
		while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
			;	/* a stop signal lets the request finish */
	}
	if (*sx->fault != '\0' && !((flags & SBX_NOMETRIC) &&
	    sandbox_is(sx, "removed_metric")) &&
	    sandbox_fail(sx, sx->fault) == ERR_OK)
		return false;
	if (!(flags & SBX_AUTH))
		return true;
	tok = sandbox_bearer(ctx);
	if (tok == NULL || *tok == '\0') {
		sandbox_fail(sx, api->missing != NULL ? api->missing :
		    api->invalid);
		return false;
	}
	if (!sandbox_token_parse(tok, &sx->tok) || sx->tok.prov != api->prov ||
	    (sx->tok.kind != SBXK_ACCESS && sx->tok.kind != SBXK_LONG &&
	    sx->tok.kind != SBXK_PAGE)) {
		sandbox_fail(sx, api->invalid);
		return false;
	}
	if (sx->tok.exp != 0 && sx->tok.exp < sx->now) {
		sandbox_fail(sx, api->expired != NULL ? api->expired :
		    api->invalid);
		return false;
	}
	return true;
}

enum err
sandbox_done(struct sbx *sx)
{
	if (sandbox_is(sx, "truncated") && sx->out->len > 1) {
		sx->out->len /= 2;
		sx->out->data[sx->out->len] = '\0';
	}
	return ERR_OK;
}

void
sandbox_persona(int user, const char **name, const char **email)
{
	static const char *const names[] = { "Ana (agency)", "Client",
	    "Sam (third login)" };
	static const char *const emails[] = { "ana@agency.example",
	    "client@client.example", "sam@sandbox.example" };

	if (user < 1 || user > 3)
		user = 1;
	*name = names[user - 1];
	*email = emails[user - 1];
}

/* ------------------------------------------------------------------ */
/* The index, the consent page and its post. */

/* Appends ,"name":"the path of url under the sandbox" (null: none). */
static void
index_url(struct sbx *sx, const char *name, const struct provider *p,
    enum provider_url which)
{
	const char *u, *base = sx->ctx->cfg->base_url;

	u = provider_url(p, which, sx->ctx->cfg, sx->ctx->arena);
	if (u != NULL && base != NULL && strncmp(u, base, strlen(base)) == 0)
		u += strlen(base);
	buf_printf(sx->out, ",\"%s\":", name);
	if (u == NULL)
		buf_puts(sx->out, "null");
	else
		sandbox_jstr(sx->out, u);
}

/* Appends the fault rows f[0..n) as a JSON list. */
static void
index_faults(struct sbx *sx, const struct sandbox_fault *f, size_t n)
{
	size_t i;

	buf_puts(sx->out, "[");
	for (i = 0; i < n; i++) {
		buf_puts(sx->out, i ? ",{\"api\":" : "{\"api\":");
		sandbox_jstr(sx->out, f[i].api->name);
		buf_puts(sx->out, ",\"name\":");
		sandbox_jstr(sx->out, f[i].name);
		buf_puts(sx->out, ",\"aliases\":");
		sandbox_jstr(sx->out, f[i].aliases != NULL ? f[i].aliases : "");
		buf_printf(sx->out, ",\"status\":%d}", f[i].status);
	}
	buf_puts(sx->out, "]");
}

/*
 * The simulated providers in the registry's order: the product's
 * authorize and token URLs (as the sandbox serves them), scopes, PKCE,
 * the API's auth scheme and how the client goes to the token endpoint
 * (token_auth: "form" or "basic"), the family's token letter, and the
 * fault rows of the provider and of its family (a family's in its first
 * provider's entry).
 */
static void
index_providers(struct sbx *sx)
{
	const struct sandbox_provider *const *all;
	const struct provider *p;
	size_t i, j, n, k = 0;
	bool first;

	all = sandbox_all(&n);
	buf_puts(sx->out, ",\"providers\":[");
	for (i = 0; i < n; i++) {
		if ((p = provider_get(all[i]->slug)) == NULL)
			continue;
		for (first = true, j = 0; j < i; j++)
			first = first && all[j]->family != all[i]->family;
		buf_puts(sx->out, k++ ? ",{\"slug\":" : "{\"slug\":");
		sandbox_jstr(sx->out, p->slug);
		buf_puts(sx->out, ",\"family\":");
		sandbox_jstr(sx->out, all[i]->family->id);
		buf_printf(sx->out, ",\"letter\":\"%c\",\"first\":%s",
		    all[i]->family->prov, first ? "true" : "false");
		index_url(sx, "authorize", p, PROVIDER_AUTH_URL);
		index_url(sx, "token", p, PROVIDER_TOKEN_URL);
		buf_puts(sx->out, ",\"scopes\":");
		sandbox_jstr(sx->out, p->scopes != NULL ? p->scopes : "");
		buf_puts(sx->out, ",\"auth_params\":");
		sandbox_jstr(sx->out, p->auth_params != NULL ?
		    p->auth_params : "");
		buf_printf(sx->out, ",\"pkce\":%s,\"auth_scheme\":",
		    p->pkce ? "true" : "false");
		sandbox_jstr(sx->out, p->auth_scheme != NULL ?
		    p->auth_scheme : "Bearer");
		buf_printf(sx->out, ",\"token_auth\":\"%s\"", p->token_auth ==
		    PROVIDER_TOKEN_AUTH_BASIC ? "basic" : "form");
		buf_puts(sx->out, ",\"faults\":");
		index_faults(sx, all[i]->faults, all[i]->nfaults);
		buf_puts(sx->out, ",\"family_faults\":");
		if (first)
			index_faults(sx, all[i]->family->faults,
			    all[i]->family->nfaults);
		else
			buf_puts(sx->out, "[]");
		buf_puts(sx->out, "}");
	}
	buf_puts(sx->out, "]");
}

enum err
sandbox_index(struct ctx *ctx)
{
	const struct provider_sandbox_base *bases;
	struct sbx sx;
	enum err rc;
	size_t i, n;

	if (!sandbox_begin(ctx, NULL, SBX_NOFAULT, &sx, &rc))
		return rc;
	bases = provider_sandbox_bases(sx.ctx->arena, &n);
	sandbox_start(&sx, 200, "application/json");
	buf_puts(sx.out, "{\"bases\":[");
	for (i = 0; i < n; i++) {
		buf_puts(sx.out, i ? ",{\"provider\":" : "{\"provider\":");
		sandbox_jstr(sx.out, bases[i].owner);
		buf_puts(sx.out, ",\"role\":");
		sandbox_jstr(sx.out, bases[i].role);
		buf_puts(sx.out, ",\"real\":");
		sandbox_jstr(sx.out, bases[i].real);
		buf_puts(sx.out, ",\"path\":");
		sandbox_jstr(sx.out, bases[i].path);
		buf_puts(sx.out, "}");
	}
	buf_puts(sx.out, "]");
	index_providers(&sx);
	buf_puts(sx.out, "}");
	return ERR_OK;
}

/* The family whose authorize paths begin with path's, or whose id is
 * id (path NULL); NULL when none. */
static const struct sandbox_family *
family_of(const char *path, const char *id)
{
	const struct sandbox_provider *const *all;
	const struct sandbox_family *f;
	size_t i, n;

	all = sandbox_all(&n);
	for (i = 0; i < n; i++) {
		f = all[i]->family;
		if (path != NULL && strncmp(path, f->authorize,
		    strlen(f->authorize)) == 0)
			return f;
		if (path == NULL && id != NULL && strcmp(f->id, id) == 0)
			return f;
	}
	return NULL;
}

/*
 * The sandbox's own OAuth clients, as registered with it: Sluice's (the
 * client id provider_client() gives in sandbox mode) and two variants
 * the tests use: Slack with token rotation on, and a GitHub App (client
 * ids starting "Iv": expiring tokens with refresh).  Their redirect URLs
 * are SLUICE_BASE_URL/oauth/<slug>/callback of the providers of the
 * family, as provider_redirect_uri() makes them.
 */
static const char *const sandbox_clients[] = { "sluice-sandbox-client",
    "sluice-sandbox-client-rotating", "Iv1.sluice-sandbox-client" };

#define CONSENT_LABEL	"sluice-sandbox-consent-v1"
#define CONSENT_TTL_S	600	/* a consent page is good this long */

/* The consent form's fields bound by its signature, in order. */
static const char *const consent_bound[] = { "provider", "client_id",
    "redirect_uri", "state", "scope", "user_scope", "code_challenge",
    "code_challenge_method", "login_hint", "access_type" };

static void
add_str(struct json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, json_object_new_string(v));
}

/* Renders templates/sandbox/consent.mustache with view (arena-owned). */
static enum err
consent_page(struct sbx *sx, int status, struct json_object *view)
{
	return app_render(sx->ctx, status, "sandbox/consent", view);
}

/* The provider's page for a refused request: status and its sentence. */
static enum err
refusal(struct sbx *sx, const struct sandbox_family *f, int status,
    const char *message)
{
	struct json_object *view = app_view(sx->ctx);

	add_str(view, "provider", f->name);
	add_str(view, "error", message);
	return consent_page(sx, status, view);
}

/* Whether uri is a redirect URL registered for the family id. */
static bool
redirect_registered(struct sbx *sx, const char *id, const char *uri)
{
	const struct provider *const *all;
	size_t i, n;

	all = provider_all(&n);
	for (i = 0; uri != NULL && i < n; i++)
		if (strcmp(all[i]->family, id) == 0 && strcmp(uri,
		    provider_redirect_uri(all[i], sx->ctx->cfg,
		    sx->ctx->arena)) == 0)
			return true;
	return false;
}

/* The first provider of the family id (its registered callback). */
static const struct provider *
first_of(const char *id)
{
	const struct provider *const *all;
	size_t i, n;

	all = provider_all(&n);
	for (i = 0; i < n; i++)
		if (strcmp(all[i]->family, id) == 0)
			return all[i];
	return NULL;
}

/*
 * The client and redirect_uri of an authorization request, checked as
 * the provider checks them: ERR_OK, or the response to give (already
 * built) in *rc.  A family without a redirect_status (GitHub) sends a
 * redirect_uri mismatch to the client's registered callback with
 * error=redirect_uri_mismatch (and state); the others answer with their
 * own error page and never redirect.
 */
static bool
authorize_check(struct sbx *sx, const struct sandbox_family *f,
    const char *client, const char *redirect, const char *state,
    enum err *rc)
{
	const struct provider *p;
	char *url;
	size_t i;
	bool known = false;

	for (i = 0; client != NULL &&
	    i < nitems(sandbox_clients); i++)
		known = known || strcmp(client, sandbox_clients[i]) == 0;
	if (!known) {
		*rc = refusal(sx, f, f->client_status, f->client_error);
		return false;
	}
	if (redirect_registered(sx, f->id, redirect))
		return true;
	if (f->redirect_status == 0 && (p = first_of(f->id)) != NULL) {
		url = arena_printf(sx->ctx->arena, "%s?error="
		    "redirect_uri_mismatch&error_description=%s&error_uri=%s",
		    provider_redirect_uri(p, sx->ctx->cfg, sx->ctx->arena),
		    sandbox_urlenc(sx, f->mismatch_description),
		    sandbox_urlenc(sx, f->mismatch_uri));
		if (state != NULL)
			url = arena_printf(sx->ctx->arena, "%s&state=%s", url,
			    sandbox_urlenc(sx, state));
		*rc = resp_redirect(&sx->ctx->resp, 302, url);
		return false;
	}
	*rc = refusal(sx, f, f->redirect_status, f->redirect_error);
	return false;
}

#define NBOUND	(nitems(consent_bound))

/*
 * The consent form's signature: "<expiry>.<mac>", the mac an HMAC-SHA256
 * of the expiry and the values of the bound fields (v[i] for
 * consent_bound[i], NULL when absent, told apart from "") under a key
 * derived from the configured secrets.
 */
static const char *
consent_sig(struct sbx *sx, int64_t exp, const char *const v[NBOUND])
{
	unsigned char key[CRYPTO_SHA256_LEN], mac[CRYPTO_SHA256_LEN];
	char enc[CRYPTO_B64URL_LEN(CRYPTO_SHA256_LEN) + 1];
	const struct config *cfg = sx->ctx->cfg;
	struct buf *b;
	size_t i;

	b = buf_new_arena(sx->ctx->arena, LIMIT_BODY);
	buf_printf(b, "%s\n%s", cfg->encryption_keys, cfg->cron_secret);
	crypto_hmac_sha256(CONSENT_LABEL, strlen(CONSENT_LABEL), b->data,
	    b->len, key);
	buf_reset(b);
	buf_printf(b, "%lld", (long long)exp);
	for (i = 0; i < NBOUND; i++) {
		buf_puts(b, v[i] != NULL ? "\n1" : "\n0");
		if (v[i] != NULL)
			buf_append(b, v[i], strlen(v[i]));
	}
	crypto_hmac_sha256(key, sizeof(key), b->data, b->len, mac);
	crypto_b64url_encode(mac, sizeof(mac), enc);
	crypto_cleanse(key, sizeof(key));
	return arena_printf(sx->ctx->arena, "%lld.%s", (long long)exp, enc);
}

/* Whether the posted form carries the signature its page was given. */
static bool
consent_sig_ok(struct sbx *sx)
{
	const char *v[NBOUND], *sig = req_form(&sx->ctx->req, "sig"), *want;
	int64_t exp;
	size_t i;

	if (sig == NULL || strspn(sig, "0123456789") == 0 ||
	    sig[strspn(sig, "0123456789")] != '.')
		return false;
	exp = strtoll(sig, NULL, 10);
	if (exp < sx->now || exp > sx->now + CONSENT_TTL_S)
		return false;
	for (i = 0; i < NBOUND; i++)
		v[i] = req_form(&sx->ctx->req, consent_bound[i]);
	want = consent_sig(sx, exp, v);
	return strlen(sig) == strlen(want) &&
	    crypto_equal(sig, want, strlen(want));
}

/* Adds a hidden field {name, value} to the consent form's list. */
static void
add_field(struct json_object *fields, const char *name, const char *value)
{
	struct json_object *f = json_object_new_object();

	add_str(f, "name", name);
	add_str(f, "value", value);
	json_object_array_add(fields, f);
}

/*
 * The consent page of an authorize URL, for a registered client and
 * redirect_uri only (else the provider's refusal, authorize_check()).
 * The form carries the request's fields and their signature.
 */
/*
 * The persona a provider's login names: the simulated providers name
 * persona N's login "...user<N>" (GitHub's sandbox-user2, LinkedIn's
 * sbxUser2), which Reconnect suggests back (GitHub's login).  0: none.
 */
static int
persona_login(const char *login)
{
	size_t n = strlen(login);

	if (n < 5 || login[n - 1] < '1' || login[n - 1] > '3' ||
	    strncasecmp(login + n - 5, "user", 4) != 0)
		return 0;
	return login[n - 1] - '0';
}

enum err
sandbox_authorize(struct ctx *ctx)
{
	struct json_object *view, *scopes, *fields;
	const char *scope, *client, *redirect, *v[NBOUND], *hint, *pname,
	    *pmail;
	const struct sandbox_family *f;
	struct sbx sx;
	enum err rc;
	size_t i;
	char sep;

	if (!sandbox_begin(ctx, NULL, SBX_NOFAULT, &sx, &rc))
		return rc;
	if ((f = family_of(ctx->req.path, NULL)) == NULL)
		return app_fail(ctx, ERR_NOTFOUND,
		    "Nothing lives at this address.");
	client = req_query(&ctx->req, "client_id");
	redirect = req_query(&ctx->req, "redirect_uri");
	if (!authorize_check(&sx, f, client, redirect, req_query(&ctx->req,
	    "state"), &rc))
		return rc;
	view = app_view(ctx);
	add_str(view, "provider", f->name);
	add_str(view, "client_id", client);
	scopes = json_object_new_array();
	scope = req_query(&ctx->req, "scope");
	sep = f->sep;
	while (scope != NULL && *scope != '\0') {
		const char *e = strchr(scope, sep);
		size_t n = e != NULL ? (size_t)(e - scope) : strlen(scope);

		if (n > 0) {
			struct json_object *o = json_object_new_object();

			json_object_object_add(o, "name",
			    json_object_new_string_len(scope, (int)n));
			json_object_object_add(o, "n", json_object_new_int(
			    (int)json_object_array_length(scopes) + 1));
			json_object_array_add(scopes, o);
		}
		scope = e != NULL ? e + 1 : NULL;
	}
	json_object_object_add(view, "has_scopes",
	    json_object_new_boolean(json_object_array_length(scopes) > 0));
	json_object_object_add(view, "scopes", scopes);
	fields = json_object_new_array();
	v[0] = f->id;
	add_field(fields, "provider", v[0]);
	for (i = 1; i < NBOUND; i++)
		if ((v[i] = req_query(&ctx->req, consent_bound[i])) != NULL)
			add_field(fields, consent_bound[i], v[i]);
	add_field(fields, "sig", consent_sig(&sx, sx.now + CONSENT_TTL_S, v));
	json_object_object_add(view, "fields", fields);
	/* A suggested login (Google's login_hint, GitHub's login) is the
	 * persona chosen first, as a provider's sign-in screen would. */
	hint = req_query(&ctx->req, "login_hint");
	if (hint == NULL)
		hint = req_query(&ctx->req, "login");
	for (i = 1; hint != NULL && i <= 3; i++) {
		sandbox_persona((int)i, &pname, &pmail);
		if (strcmp(hint, pmail) == 0 || persona_login(hint) == (int)i)
			json_object_object_add(view, arena_printf(ctx->arena,
			    "sel%zu", i), json_object_new_boolean(true));
	}
	return consent_page(&sx, 200, view);
}

/* Appends "&name=value" (or "?name=value" first) to a redirect. */
static char *
qadd(struct sbx *sx, char *url, const char *name, const char *value)
{
	if (value == NULL)
		return url;
	return arena_printf(sx->ctx->arena, "%s%c%s=%s", url,
	    strchr(url, '?') != NULL ? '&' : '?', name,
	    sandbox_urlenc(sx, value));
}

/*
 * The scopes the person left ticked: scope without those posted as
 * withhold_1..withhold_LIMIT (granular consent: Google lets a person
 * untick a permission), into out.
 */
static void
granted(struct sbx *sx, const struct sandbox_family *f, const char *scope,
    char *out, size_t size)
{
	const char *w[16], *e;
	size_t i, n, len, o = 0;
	bool drop;

	for (i = 0; i < nitems(w); i++)
		w[i] = req_form(&sx->ctx->req, arena_printf(sx->ctx->arena,
		    "withhold_%zu", i + 1));
	out[0] = '\0';
	while (*scope != '\0') {
		e = strchr(scope, f->sep);
		len = e != NULL ? (size_t)(e - scope) : strlen(scope);
		for (drop = false, n = 0; n < nitems(w) && !drop; n++)
			drop = w[n] != NULL && strlen(w[n]) == len &&
			    strncmp(w[n], scope, len) == 0;
		if (!drop && len > 0 && o + len + 2 < size) {
			if (o > 0)
				out[o++] = f->sep;
			memcpy(out + o, scope, len);
			o += len;
			out[o] = '\0';
		}
		scope = e != NULL ? e + 1 : scope + len;
	}
}

enum err
sandbox_consent(struct ctx *ctx)
{
	const char *prov, *redirect, *state, *scope, *client, *chal, *meth;
	const char *decision, *user, *v, *site;
	const struct sandbox_family *f;
	const char *const *kv;
	struct sandbox_token t;
	struct sbx sx;
	enum err rc;
	const char *code;
	char *url;

	if (!sandbox_begin(ctx, NULL, SBX_NOFAULT, &sx, &rc))
		return rc;
	prov = req_form(&ctx->req, "provider");
	redirect = req_form(&ctx->req, "redirect_uri");
	state = req_form(&ctx->req, "state");
	scope = req_form(&ctx->req, "scope");
	client = req_form(&ctx->req, "client_id");
	chal = req_form(&ctx->req, "code_challenge");
	meth = req_form(&ctx->req, "code_challenge_method");
	decision = req_form(&ctx->req, "decision");
	user = req_form(&ctx->req, "user");
	if (user == NULL)
		user = req_form(&ctx->req, "login_hint");
	if ((f = family_of(NULL, prov)) == NULL)
		return app_fail(ctx, ERR_INPUT, "Unknown provider.");
	/* Only the form of a consent page the sandbox made, recently, and
	 * not posted from another site. */
	site = req_header(&ctx->req, "sec-fetch-site");
	if ((site != NULL && strcmp(site, "same-origin") != 0 &&
	    strcmp(site, "none") != 0) || !consent_sig_ok(&sx))
		return refusal(&sx, f, 403, "This consent page expired or did "
		    "not come from the sandbox; start the connection again.");
	if (!authorize_check(&sx, f, client, redirect, state, &rc))
		return rc;
	url = arena_strdup(ctx->arena, redirect);
	if (decision == NULL || strcmp(decision, "allow") != 0) {
		if (f->deny == NULL)
			url = qadd(&sx, url, "error", "access_denied");
		for (kv = f->deny; kv != NULL && *kv != NULL; kv += 2)
			url = qadd(&sx, url, kv[0], kv[1]);
		url = qadd(&sx, url, "state", state);
		return resp_redirect(&ctx->resp, 302, url);
	}
	memset(&t, 0, sizeof(t));
	t.kind = SBXK_CODE;
	/* A persona's number, also before a fault ("2-fault-401"). */
	t.user = user != NULL && user[0] >= '1' && user[0] <= '3' &&
	    (user[1] == '\0' || user[1] == '-') ? user[0] - '0' : 1;
	t.iat = sx.now;
	t.exp = sx.now + 600;
	sandbox_redir_hash(redirect, t.redir);
	if (scope != NULL && strlen(scope) < sizeof(t.scope))
		granted(&sx, f, scope, t.scope, sizeof(t.scope));
	if (chal != NULL && *chal != '\0') {
		if (meth == NULL || strcmp(meth, "S256") != 0 ||
		    strlen(chal) != 43)
			return app_fail(ctx, ERR_INPUT, "Only S256 "
			    "challenges of 43 characters are supported.");
		strcpy(t.chal, chal);
	}
	{
		const char *pick = req_form(&ctx->req, "fault");
		char name[24];

		/* The form's "Simulate a failure", or a login or hint
		 * that names one ("1-fault-401"). */
		if ((pick != NULL && *pick != '\0' && magic(arena_printf(
		    ctx->arena, "-fault-%s", pick), name, sizeof(name))) ||
		    magic(user, name, sizeof(name)) ||
		    magic(req_form(&ctx->req, "login_hint"), name,
		    sizeof(name)))
			strcpy(t.fault, name);
	}
	if (client != NULL && strstr(client, "-rotating") != NULL)
		strcat(t.flags, "R");
	if (client != NULL && strncmp(client, "Iv", 2) == 0)
		strcat(t.flags, "E");
	if ((v = req_form(&ctx->req, "access_type")) != NULL &&
	    strcmp(v, "offline") == 0)
		strcat(t.flags, "O");
	t.prov = f->prov;
	code = sandbox_token_make(&sx, f->code_prefix, &t);
	if (f->state_first)
		url = qadd(&sx, url, "state", state);
	url = qadd(&sx, url, "code", code);
	if (!f->state_first)
		url = qadd(&sx, url, "state", state);
	if (f->echo_scope)
		url = qadd(&sx, url, "scope", scope);
	for (kv = f->allow; kv != NULL && *kv != NULL; kv += 2)
		url = qadd(&sx, url, kv[0], kv[1]);
	return resp_redirect(&ctx->resp, 302, url);
}
