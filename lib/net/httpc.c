/* httpc.c — libcurl behind a small, bounded, policy-checked interface. */
#include <sys/socket.h>
#include <netinet/in.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/limit.h"
#include "base/mem.h"
#include "net/httpc.h"

struct httpc {
	CURL		*curl;
	struct httpc_opts opts;
	char		*user_agent;
	httpc_transport	 transport;
};

struct collect {
	struct arena	*arena;
	struct buf	*body;
	struct kv	*headers;
	size_t		 nheaders;
	size_t		 max_headers;
	int		 too_big;
	enum httpc_dest	 dest;
	int		 refused;	/* a destination the policy refuses */
};

struct httpc *
httpc_new(const struct httpc_opts *o)
{
	struct httpc *c;

	c = xcalloc(1, sizeof(*c));
	if (o != NULL)
		c->opts = *o;
	if (c->opts.timeout_ms <= 0)
		c->opts.timeout_ms = LIMIT_UPSTREAM_TIMEOUT_MS;
	if (c->opts.max_body == 0)
		c->opts.max_body = LIMIT_UPSTREAM_BODY;
	c->user_agent = xstrdup(c->opts.user_agent != NULL ?
	    c->opts.user_agent : "Sluice/1.0");
	c->opts.user_agent = c->user_agent;
	return c;
}

void
httpc_free(struct httpc *c)
{
	if (c == NULL)
		return;
	if (c->curl != NULL)
		curl_easy_cleanup(c->curl);
	free(c->user_agent);
	free(c);
}

void
httpc_set_transport(struct httpc *c, httpc_transport t)
{
	c->transport = t;
}

enum err
httpc_header(struct httpc_req *r, const char *name, const char *value)
{
	if (strpbrk(name, "\r\n:") != NULL || strpbrk(value, "\r\n") != NULL)
		return ERR_INPUT;
	if (r->nheaders == HTTPC_MAX_HEADERS)
		return ERR_TOOBIG;
	r->headers[r->nheaders].name = name;
	r->headers[r->nheaders].value = value;
	r->headers[r->nheaders].len = strlen(value);
	r->nheaders++;
	return ERR_OK;
}

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct collect *c = arg;

	if (buf_append(c->body, p, size * n) != ERR_OK) {
		c->too_big = 1;
		return 0;	/* aborts the transfer */
	}
	return size * n;
}

static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	struct collect *c = arg;
	size_t len = size * n, i;
	char *colon, *name, *end;
	const char *v;

	/* A new status line (redirect, 100-continue) starts over. */
	if (len >= 5 && strncmp(p, "HTTP/", 5) == 0) {
		c->nheaders = 0;
		return len;
	}
	if ((colon = memchr(p, ':', len)) == NULL || c->nheaders ==
	    c->max_headers)
		return len;
	name = arena_strndup(c->arena, p, (size_t)(colon - p));
	for (i = 0; name[i] != '\0'; i++)
		name[i] = (char)tolower((unsigned char)name[i]);
	for (v = colon + 1; v < p + len && (*v == ' ' || *v == '\t'); v++)
		;
	for (end = p + len; end > v && (end[-1] == '\r' || end[-1] == '\n' ||
	    end[-1] == ' '); end--)
		;
	c->headers[c->nheaders].name = name;
	c->headers[c->nheaders].value = arena_strndup(c->arena, v,
	    (size_t)(end - v));
	c->headers[c->nheaders].len = (size_t)(end - v);
	c->nheaders++;
	return len;
}

static void
slist_free(void *p)
{
	curl_slist_free_all(p);
}

/*
 * The URL without its query and fragment, for messages; without its path
 * too unless path: a URL a user typed (a webhook's) may carry its secret
 * in the path, as Slack's and Discord's do.
 */
static const char *
url_for_message(struct arena *a, const char *url, bool path)
{
	size_t n = strcspn(url, "?#");
	const char *host = strstr(url, "://");

	if (!path && host != NULL && (size_t)(host + 3 - url) < n)
		n = (size_t)(host + 3 - url) + strcspn(host + 3, "/?#");
	return arena_strndup(a, url, n);
}

/* Checks scheme and host against the client's policy. */
static enum err
check_url(const struct httpc *c, struct arena *a, const char *url,
    const char **why)
{
	CURLU *u;
	char *scheme = NULL, *host = NULL;
	enum err rc = ERR_OK;

	if ((u = curl_url()) == NULL)
		mem_oom();
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		*why = "the URL is malformed";
		rc = ERR_INPUT;
	} else if (strcmp(scheme, "https") == 0)
		rc = ERR_OK;
	else if (strcmp(scheme, "http") == 0 && c->opts.allow_loopback_http &&
	    (strncmp(host, "127.", 4) == 0 || strcmp(host, "localhost") == 0 ||
	    strcmp(host, "[::1]") == 0))
		rc = ERR_OK;
	else {
		*why = arena_printf(a, "refusing %s: only https (or http "
		    "to loopback in tests and the sandbox) is allowed",
		    url_for_message(a, url, true));
		rc = ERR_INPUT;
	}
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return rc;
}

/* Whether the 4 bytes at p (network order) are a public IPv4 address. */
static bool
v4_public(const unsigned char *p, bool loopback_ok)
{
	if (p[0] == 127)
		return loopback_ok;
	return !(p[0] == 0 || p[0] == 10 || p[0] >= 224 ||
	    (p[0] == 100 && (p[1] & 0xc0) == 64) ||
	    (p[0] == 169 && p[1] == 254) ||
	    (p[0] == 172 && (p[1] & 0xf0) == 16) ||
	    (p[0] == 192 && p[1] == 0 && (p[2] == 0 || p[2] == 2)) ||
	    (p[0] == 192 && p[1] == 168) ||
	    (p[0] == 192 && p[1] == 88 && p[2] == 99) ||	/* 6to4 relay */
	    (p[0] == 198 && (p[1] & 0xfe) == 18) ||
	    (p[0] == 198 && p[1] == 51 && p[2] == 100) ||
	    (p[0] == 203 && p[1] == 0 && p[2] == 113));
}

bool
httpc_addr_public(const struct sockaddr *sa, bool loopback_ok)
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0, 0xff, 0xff }, nat64[12] = { 0, 0x64, 0xff, 0x9b },
	    translated[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0 };
	const unsigned char *p;
	size_t i;

	if (sa == NULL)
		return false;
	if (sa->sa_family == AF_INET)
		return v4_public((const unsigned char *)
		    &((const struct sockaddr_in *)(const void *)sa)->sin_addr,
		    loopback_ok);
	if (sa->sa_family != AF_INET6)
		return false;
	p = ((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr.s6_addr;
	if (memcmp(p, mapped, 12) == 0 || memcmp(p, nat64, 12) == 0 ||
	    memcmp(p, translated, 12) == 0)
		return v4_public(p + 12, loopback_ok);
	for (i = 0; i < 15 && p[i] == 0; i++)
		;
	if (i == 15)		/* :: and ::1 */
		return p[15] == 1 && loopback_ok;
	if (i >= 12)		/* ::a.b.c.d, deprecated IPv4-compatible */
		return false;
	return !((p[0] & 0xfe) == 0xfc ||	/* fc00::/7 unique local */
	    (p[0] == 0xfe && (p[1] & 0xc0) == 0x80) ||	/* fe80::/10 */
	    (p[0] == 0xfe && (p[1] & 0xc0) == 0xc0) ||	/* fec0::/10 */
	    p[0] == 0xff ||				/* multicast */
	    (p[0] == 0x20 && p[1] == 0x01 && p[2] == 0x0d &&
	    p[3] == 0xb8) ||				/* documentation */
	    (p[0] == 0x20 && p[1] == 0x02) ||		/* 6to4 */
	    (p[0] == 0x20 && p[1] == 0x01 && p[2] == 0 &&
	    p[3] == 0) ||				/* Teredo */
	    (p[0] == 0 && p[1] == 0x64 && p[2] == 0xff && p[3] == 0x9b &&
	    p[4] == 0 && p[5] == 1) ||			/* local NAT64 */
	    (p[0] == 0x01 && p[1] == 0 && p[2] == 0 && p[3] == 0 &&
	    p[4] == 0 && p[5] == 0 && p[6] == 0 && p[7] == 0)); /* discard */
}

/* Opens curl's socket only to an address the call's policy allows. */
static curl_socket_t
on_open(void *arg, curlsocktype purpose, struct curl_sockaddr *addr)
{
	struct collect *c = arg;

	if (purpose != CURLSOCKTYPE_IPCXN || !httpc_addr_public(&addr->addr,
	    c->dest == HTTPC_DEST_PUBLIC_LOOPBACK)) {
		c->refused = 1;
		return CURL_SOCKET_BAD;
	}
	return socket(addr->family, addr->socktype, addr->protocol);
}

/* What went wrong, for people, where libcurl's own words are a
 * programmer's ("Couldn't resolve host name"). */
static const char *const curl_plain[CURL_LAST] = {
	[CURLE_UNSUPPORTED_PROTOCOL] = "the address's scheme is not http(s)",
	[CURLE_URL_MALFORMAT] = "the address is malformed",
	[CURLE_COULDNT_RESOLVE_PROXY] = "the proxy's name does not resolve",
	[CURLE_COULDNT_RESOLVE_HOST] = "its name does not resolve (check "
	    "the address, or the server's DNS)",
	[CURLE_COULDNT_CONNECT] = "nothing accepted the connection (the "
	    "server is down, or a firewall is in the way)",
	[CURLE_WEIRD_SERVER_REPLY] = "the server's answer is not HTTP",
	[CURLE_HTTP2] = "the HTTP/2 connection failed",
	[CURLE_SEND_ERROR] = "the connection broke while sending",
	[CURLE_RECV_ERROR] = "the connection broke while receiving",
	[CURLE_GOT_NOTHING] = "the server closed the connection without "
	    "answering",
	[CURLE_PARTIAL_FILE] = "the answer ended early",
	[CURLE_SSL_CONNECT_ERROR] = "the TLS handshake failed",
	[CURLE_PEER_FAILED_VERIFICATION] = "its TLS certificate is not "
	    "valid for this name, or not signed by a known authority",
	[CURLE_SSL_CACERT_BADFILE] = "this server's list of certificate "
	    "authorities cannot be read",
	[CURLE_SSL_CERTPROBLEM] = "the TLS client certificate is not usable",
	[CURLE_TOO_MANY_REDIRECTS] = "it redirects too many times",
	[CURLE_OUT_OF_MEMORY] = "this server ran out of memory",
};

/* libcurl's error in plain words; its own text for the rare others. */
static const char *
curl_words(CURLcode cc)
{
	if (cc > 0 && cc < CURL_LAST && curl_plain[cc] != NULL)
		return curl_plain[cc];
	return curl_easy_strerror(cc);
}

static enum err
curl_transport(struct httpc *c, struct arena *a, const struct httpc_req *r,
    struct httpc_resp *out, const char **why)
{
	struct curl_slist *hs = NULL;
	struct collect col;
	CURLcode cc;
	long status = 0, timeout;
	double secs = 0;
	size_t i;
	const char *method = r->method != NULL ? r->method : "GET", *shown;

	/* libcurl (and its TLS) is set up at the first call, not at start:
	 * a program that never calls out keeps ~2 MiB less resident. */
	if (c->curl == NULL) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		if ((c->curl = curl_easy_init()) == NULL)
			mem_oom();
	}
	curl_easy_reset(c->curl);
	memset(&col, 0, sizeof(col));
	col.arena = a;
	col.max_headers = LIMIT_HEADERS;
	col.headers = arena_calloc(a, col.max_headers, sizeof(struct kv));
	col.body = buf_new_arena(a, c->opts.max_body);
	col.dest = r->dest;
	for (i = 0; i < r->nheaders; i++)
		hs = curl_slist_append(hs, arena_printf(a, "%s: %s",
		    r->headers[i].name, r->headers[i].value));
	/* No "Expect: 100-continue" round trip. */
	hs = curl_slist_append(hs, "Expect:");
	arena_defer(a, slist_free, hs);
	timeout = r->timeout_ms > 0 ? r->timeout_ms : c->opts.timeout_ms;

	curl_easy_setopt(c->curl, CURLOPT_URL, r->url);
	curl_easy_setopt(c->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c->curl, CURLOPT_REDIR_PROTOCOLS_STR, "https");
	curl_easy_setopt(c->curl, CURLOPT_FOLLOWLOCATION,
	    r->follow_redirects ? 1L : 0L);
	curl_easy_setopt(c->curl, CURLOPT_MAXREDIRS, 3L);
	curl_easy_setopt(c->curl, CURLOPT_TIMEOUT_MS, timeout);
	curl_easy_setopt(c->curl, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)LIMIT_UPSTREAM_CONNECT_MS < timeout ?
	    (long)LIMIT_UPSTREAM_CONNECT_MS : timeout);
	curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c->curl, CURLOPT_USERAGENT, c->opts.user_agent);
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, hs);
	curl_easy_setopt(c->curl, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(c->curl, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)c->opts.max_body);
	curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, &col);
	curl_easy_setopt(c->curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c->curl, CURLOPT_HEADERDATA, &col);
	if (r->dest != HTTPC_DEST_ANY) {
		curl_easy_setopt(c->curl, CURLOPT_OPENSOCKETFUNCTION, on_open);
		curl_easy_setopt(c->curl, CURLOPT_OPENSOCKETDATA, &col);
		curl_easy_setopt(c->curl, CURLOPT_PROXY, "");
	}
	if (strcmp(method, "GET") == 0)
		curl_easy_setopt(c->curl, CURLOPT_HTTPGET, 1L);
	else if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(c->curl, CURLOPT_NOBODY, 1L);
	else
		curl_easy_setopt(c->curl, CURLOPT_CUSTOMREQUEST, method);
	if (r->body != NULL) {
		curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, r->body);
		curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)r->body_len);
	}

	cc = curl_easy_perform(c->curl);
	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(c->curl, CURLINFO_TOTAL_TIME, &secs);
	out->ms = secs * 1000.0;
	shown = url_for_message(a, r->url, r->dest == HTTPC_DEST_ANY);
	if (col.too_big || cc == CURLE_FILESIZE_EXCEEDED) {
		*why = arena_printf(a, "the answer from %s is larger than "
		    "%zu bytes", shown, c->opts.max_body);
		return ERR_TOOBIG;
	}
	if (cc != CURLE_OK && col.refused) {
		*why = arena_printf(a, "refusing %s: its host resolves to a "
		    "loopback, private, link-local or reserved address", shown);
		return ERR_FORBIDDEN;
	}
	if (cc != CURLE_OK) {
		*why = cc == CURLE_OPERATION_TIMEDOUT ?
		    arena_printf(a, "%s did not answer within %ld ms", shown,
		    timeout) : arena_printf(a, "%s: %s", shown,
		    curl_words(cc));
		return ERR_UPSTREAM;
	}
	out->status = (int)status;
	out->headers.v = col.headers;
	out->headers.n = col.nheaders;
	out->body = arena_strndup(a, buf_cstr(col.body), col.body->len);
	out->body_len = col.body->len;
	return ERR_OK;
}

enum err
httpc_do(struct httpc *c, struct arena *a, const struct httpc_req *r,
    struct httpc_resp *out, const char **why)
{
	const char *dummy;
	enum err rc;

	if (why == NULL)
		why = &dummy;
	*why = NULL;
	memset(out, 0, sizeof(*out));
	out->body = "";
	if ((rc = check_url(c, a, r->url, why)) != ERR_OK)
		return rc;
	if (c->transport != NULL)
		return c->transport(c, a, r, out, why);
	return curl_transport(c, a, r, out, why);
}

const char *
httpc_resp_header(const struct httpc_resp *r, const char *name)
{
	return kv_header(&r->headers, name);
}

const char *
httpc_link_next(struct arena *a, const struct httpc_resp *r)
{
	const char *link = httpc_resp_header(r, "link"), *lt, *gt;

	while (link != NULL && (lt = strchr(link, '<')) != NULL) {
		if ((gt = strchr(lt, '>')) == NULL)
			return NULL;
		if (strncmp(gt + 1, "; rel=\"next\"", 12) == 0)
			return arena_strndup(a, lt + 1, (size_t)(gt - lt - 1));
		link = gt + 1;
	}
	return NULL;
}

char *
httpc_escape(struct arena *a, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char *out, *o;
	unsigned char ch;

	out = o = arena_alloc(a, strlen(s) * 3 + 1);
	for (; *s != '\0'; s++) {
		ch = (unsigned char)*s;
		if (isalnum(ch) || ch == '-' || ch == '.' || ch == '_' ||
		    ch == '~')
			*o++ = (char)ch;
		else {
			*o++ = '%';
			*o++ = hex[ch >> 4];
			*o++ = hex[ch & 15];
		}
	}
	*o = '\0';
	return out;
}
