/* req.c — CGI parameters and body into a bounded, decoded struct req. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/arena.h"
#include "base/hex.h"
#include "base/limit.h"
#include "base/mem.h"
#include "web/req.h"

static const struct {
	const char		*name;
	enum http_method	 bit;
} methods[] = {
	{ "GET", HTTP_GET },
	{ "HEAD", HTTP_HEAD },
	{ "POST", HTTP_POST },
	{ "PUT", HTTP_PUT },
	{ "PATCH", HTTP_PATCH },
	{ "DELETE", HTTP_DELETE },
	{ "OPTIONS", HTTP_OPTIONS },
};

/* Method bit for a name ("GET" -> HTTP_GET), 0 when unknown. */
static enum http_method
method_from(const char *s)
{
	size_t i;

	for (i = 0; i < nitems(methods); i++)
		if (strcmp(s, methods[i].name) == 0)
			return methods[i].bit;
	return 0;
}

enum err
req_unescape(struct arena *a, const char *s, size_t len, bool plus_is_space,
    char **out, size_t *outlen)
{
	size_t i, j;
	char *d;
	int hi, lo;

	d = arena_alloc(a, len + 1);
	for (i = j = 0; i < len; i++) {
		if (s[i] == '%') {
			if (len - i < 3 || (hi = hex_digit(
			    (unsigned char)s[i + 1])) < 0 || (lo = hex_digit(
			    (unsigned char)s[i + 2])) < 0)
				return ERR_INPUT;
			d[j] = (char)(hi << 4 | lo);
			i += 2;
		} else if (s[i] == '+' && plus_is_space)
			d[j] = ' ';
		else
			d[j] = s[i];
		if (d[j] == '\0')
			return ERR_INPUT;
		j++;
	}
	d[j] = '\0';
	*out = d;
	if (outlen != NULL)
		*outlen = j;
	return ERR_OK;
}

enum err
req_urlencoded(struct arena *a, const char *s, size_t len, size_t max,
    struct kvlist *out, const char **why)
{
	const char *p, *end, *amp, *eq;
	size_t n, cap;
	struct kv *v;
	char *name, *value;
	size_t vlen;

	out->v = NULL;
	out->n = 0;
	/* Count fields first so the array is allocated once. */
	for (cap = 1, p = s; p < s + len; p++)
		if (*p == '&')
			cap++;
	if (cap > max) {
		/* Empty pieces ("a&&b") do not count; recount exactly. */
		for (cap = 0, p = s; p < s + len; p = amp + 1) {
			amp = memchr(p, '&', (size_t)(s + len - p));
			if (amp == NULL)
				amp = s + len;
			if (amp > p)
				cap++;
		}
		if (cap > max) {
			if (why != NULL)
				*why = arena_printf(a, "more than %zu "
				    "fields", max);
			return ERR_TOOBIG;
		}
	}
	v = arena_calloc(a, cap, sizeof(*v));
	n = 0;
	for (p = s, end = s + len; p < end; p = amp + 1) {
		amp = memchr(p, '&', (size_t)(end - p));
		if (amp == NULL)
			amp = end;
		if (amp == p) {
			if (amp == end)
				break;
			continue;
		}
		eq = memchr(p, '=', (size_t)(amp - p));
		if (eq == p) {
			if (why != NULL)
				*why = "a field has a value but no name";
			return ERR_INPUT;
		}
		if (req_unescape(a, p, (size_t)((eq ? eq : amp) - p), true,
		    &name, NULL) != ERR_OK ||
		    (eq != NULL ? req_unescape(a, eq + 1,
		    (size_t)(amp - eq - 1), true, &value, &vlen) :
		    (value = arena_strdup(a, ""), vlen = 0, ERR_OK)) != ERR_OK) {
			if (why != NULL)
				*why = "a field has a bad %-escape or a NUL "
				    "byte";
			return ERR_INPUT;
		}
		v[n].name = name;
		v[n].value = value;
		v[n].len = vlen;
		n++;
		if (amp == end)
			break;
	}
	out->v = v;
	out->n = n;
	return ERR_OK;
}

void
req_cookies(struct arena *a, const char *h, size_t max, struct kvlist *out)
{
	const char *p, *semi, *eq, *ns, *ne, *vs, *ve;
	struct kv *v;
	size_t n;

	v = arena_calloc(a, max, sizeof(*v));
	n = 0;
	for (p = h; *p != '\0' && n < max; p = *semi ? semi + 1 : semi) {
		semi = strchr(p, ';');
		if (semi == NULL)
			semi = p + strlen(p);
		eq = memchr(p, '=', (size_t)(semi - p));
		if (eq == NULL)
			continue;
		for (ns = p; ns < eq && (*ns == ' ' || *ns == '\t'); ns++)
			;
		for (ne = eq; ne > ns && (ne[-1] == ' ' || ne[-1] == '\t'); ne--)
			;
		for (vs = eq + 1; vs < semi && (*vs == ' ' || *vs == '\t'); vs++)
			;
		for (ve = semi; ve > vs && (ve[-1] == ' ' || ve[-1] == '\t'); ve--)
			;
		if (ve - vs >= 2 && *vs == '"' && ve[-1] == '"') {
			vs++;
			ve--;
		}
		if (ne == ns)
			continue;
		v[n].name = arena_strndup(a, ns, (size_t)(ne - ns));
		v[n].value = arena_strndup(a, vs, (size_t)(ve - vs));
		v[n].len = (size_t)(ve - vs);
		n++;
	}
	out->v = v;
	out->n = n;
}

/* "HTTP_X_FORWARDED_FOR" -> "x-forwarded-for" */
static char *
header_name(struct arena *a, const char *cgi, size_t len)
{
	char *s;
	size_t i;

	s = arena_strndup(a, cgi, len);
	for (i = 0; i < len; i++)
		s[i] = s[i] == '_' ? '-' : (char)tolower((unsigned char)s[i]);
	return s;
}

static enum err
fail(const char **why, const char *msg, enum err rc)
{
	if (why != NULL)
		*why = msg;
	return rc;
}

enum err
req_parse(struct arena *a, char *const *params, struct req *r,
    const char **why)
{
	const char *method = "", *uri = NULL, *query = "", *ctype = "";
	const char *clen = NULL, *eq, *val, *p;
	size_t nparams, i, nh = 0, vlen;
	unsigned long long cl;
	struct kv *h;
	char *end, *path;
	enum err rc;

	memset(r, 0, sizeof(*r));
	r->content_type = r->body = r->query_string = "";
	r->remote_addr = r->request_id = "";
	for (nparams = 0; params != NULL && params[nparams] != NULL; nparams++)
		;
	r->headers.v = h = arena_calloc(a, LIMIT_HEADERS, sizeof(*h));
	for (i = 0; i < nparams; i++) {
		if ((eq = strchr(params[i], '=')) == NULL)
			continue;
		val = eq + 1;
		vlen = strlen(val);
#define IS(n) ((size_t)(eq - params[i]) == sizeof(n) - 1 && \
	    strncmp(params[i], n, sizeof(n) - 1) == 0)
		if (IS("REQUEST_METHOD"))
			method = val;
		else if (IS("DOCUMENT_URI"))
			uri = val;
		else if (IS("QUERY_STRING"))
			query = val;
		else if (IS("CONTENT_TYPE"))
			ctype = val;
		else if (IS("CONTENT_LENGTH"))
			clen = val;
		else if (IS("REMOTE_ADDR"))
			r->remote_addr = arena_strdup(a, val);
		else if (IS("REQUEST_ID"))
			r->request_id = arena_strndup(a, val,
			    vlen > 64 ? 64 : vlen);
		else if (IS("HTTPS"))
			r->https = strcasecmp(val, "on") == 0;
		else if (strncmp(params[i], "HTTP_", 5) == 0) {
			if (vlen > LIMIT_HEADER)
				return fail(why, "a request header is too "
				    "large", ERR_TOOBIG);
			if (nh == LIMIT_HEADERS)
				return fail(why, "too many request headers",
				    ERR_TOOBIG);
			h[nh].name = header_name(a, params[i] + 5,
			    (size_t)(eq - params[i] - 5));
			h[nh].value = arena_strdup(a, val);
			h[nh].len = vlen;
			nh++;
		}
#undef IS
	}
	r->headers.n = nh;

	r->method_name = arena_strdup(a, method);
	if ((r->method = method_from(method)) == 0)
		return fail(why, "unknown request method", ERR_METHOD);

	if (uri == NULL)
		uri = "/";
	if (strlen(uri) > LIMIT_PATH)
		return fail(why, "the path is too long", ERR_TOOBIG);
	if (uri[0] != '/')
		return fail(why, "the path must start with /", ERR_INPUT);
	for (p = uri; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return fail(why, "the path has a control character",
			    ERR_INPUT);
	path = arena_strdup(a, uri);
	r->path = path;

	if (strlen(query) > LIMIT_QUERY)
		return fail(why, "the query string is too long",
		    ERR_TOOBIG);
	r->query_string = arena_strdup(a, query);
	rc = req_urlencoded(a, query, strlen(query), LIMIT_PARAMS, &r->query,
	    why);
	/* Too many parameters is a bad query, not a large body. */
	if (rc == ERR_TOOBIG) {
		if (why != NULL)
			*why = arena_printf(a, "the query string has more "
			    "than %d parameters", LIMIT_PARAMS);
		return ERR_INPUT;
	}
	if (rc != ERR_OK)
		return rc;

	r->content_type = arena_strdup(a, ctype);
	if (clen != NULL && *clen != '\0') {
		if (!isdigit((unsigned char)*clen))
			return fail(why, "Content-Length is not a number",
			    ERR_INPUT);
		errno = 0;
		cl = strtoull(clen, &end, 10);
		if (errno != 0 || *end != '\0')
			return fail(why, "Content-Length is not a number",
			    ERR_INPUT);
		if (cl > (unsigned long long)LIMIT_BODY_INGEST * 4)
			cl = (unsigned long long)LIMIT_BODY_INGEST * 4;
		r->content_length = (size_t)cl;
	}

	if ((val = req_header(r, "cookie")) != NULL)
		req_cookies(a, val, LIMIT_COOKIES, &r->cookies);
	return ERR_OK;
}

bool
req_is_content_type(const struct req *r, const char *mt)
{
	size_t n;

	n = strlen(mt);
	if (strncasecmp(r->content_type, mt, n) != 0)
		return false;
	return r->content_type[n] == '\0' || r->content_type[n] == ';' ||
	    r->content_type[n] == ' ';
}

bool
req_no_cache(const struct req *r)
{
	const char *h = req_header(r, "cache-control"), *t;
	size_t n;

	for (t = h; t != NULL && *t != '\0'; t += n) {
		t += strspn(t, " \t,");
		n = strcspn(t, ",");
		if (n >= 8 && strncasecmp(t, "no-cache", 8) == 0 &&
		    strspn(t + 8, " \t") == n - 8)
			return true;
	}
	return false;
}

enum err
req_set_body(struct arena *a, struct req *r, const char *body, size_t len,
    const char **why)
{
	r->body = arena_strndup(a, body, len);
	r->body_len = len;
	if (req_is_content_type(r, "application/x-www-form-urlencoded"))
		return req_urlencoded(a, body, len, LIMIT_PARAMS, &r->form,
		    why);
	return ERR_OK;
}

const char *
req_query(const struct req *r, const char *name)
{
	return kv_value(&r->query, name);
}

const char *
req_form(const struct req *r, const char *name)
{
	return kv_value(&r->form, name);
}

const char *
req_cookie(const struct req *r, const char *name)
{
	return kv_value(&r->cookies, name);
}

const char *
req_header(const struct req *r, const char *name)
{
	return kv_header(&r->headers, name);
}
