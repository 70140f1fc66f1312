/* resp.c — buffered responses and their safe serialisation. */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "base/arena.h"
#include "base/mem.h"
#include "web/resp.h"

static const struct {
	const char	*name;
	const char	*value;
} security_headers[] = {
	{ "X-Content-Type-Options", "nosniff" },
	{ "X-Frame-Options", "DENY" },
	{ "Referrer-Policy", "same-origin" },
	{ "Content-Security-Policy", "default-src 'self'; img-src 'self' "
	    "data:; style-src 'self'; script-src 'self'; base-uri 'none'; "
	    "frame-ancestors 'none'; form-action 'self'" },
};

void
resp_init(struct resp *r, struct arena *a)
{
	memset(r, 0, sizeof(*r));
	r->arena = a;
	buf_init_arena(&r->body, a, LIMIT_RESPONSE);
}

void
resp_clear(struct resp *r)
{
	r->status = 0;
	r->nheaders = 0;
	r->content_type = NULL;
	buf_reset(&r->body);
}

static bool
safe_value(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s == '\r' || *s == '\n')
			return false;
	return true;
}

static bool
safe_name(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_')
			return false;
	return true;
}

enum err
resp_header(struct resp *r, const char *name, const char *value)
{
	if (!safe_name(name) || !safe_value(value))
		return ERR_INPUT;
	if (r->nheaders == LIMIT_RESP_HEADERS)
		return ERR_TOOBIG;
	r->headers[r->nheaders].name = arena_strdup(r->arena, name);
	r->headers[r->nheaders].value = arena_strdup(r->arena, value);
	r->headers[r->nheaders].len = strlen(value);
	r->nheaders++;
	return ERR_OK;
}

enum err
resp_header_default(struct resp *r, const char *name, const char *value)
{
	size_t i;

	for (i = 0; i < r->nheaders; i++)
		if (strcasecmp(r->headers[i].name, name) == 0)
			return ERR_OK;
	return resp_header(r, name, value);
}

enum err
resp_cookie(struct resp *r, const char *name, const char *value,
    const struct resp_cookie_opts *o)
{
	const char *p;
	char *v;

	if (!safe_name(name))
		return ERR_INPUT;
	for (p = value; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || *p == ';' || *p == ',' ||
		    *p == '"' || *p == '\\' || (unsigned char)*p >= 0x7f)
			return ERR_INPUT;
	v = arena_printf(r->arena, "%s=%s; Path=/%s%s; SameSite=%s", name,
	    value, o->js_visible ? "" : "; HttpOnly",
	    o->secure ? "; Secure" : "",
	    o->same_site != NULL ? o->same_site : "Lax");
	if (o->max_age > 0)
		v = arena_printf(r->arena, "%s; Max-Age=%ld", v, o->max_age);
	else if (o->max_age < 0)
		v = arena_printf(r->arena, "%s; Max-Age=0", v);
	return resp_header(r, "Set-Cookie", v);
}

enum err
resp_body(struct resp *r, int status, const char *content_type,
    const void *body, size_t len)
{
	r->status = status;
	r->content_type = content_type;
	buf_reset(&r->body);
	return buf_append(&r->body, body, len);
}

enum err
resp_json(struct resp *r, int status, struct json_object *obj)
{
	const char *s;

	s = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
	return resp_body(r, status, "application/json", s, strlen(s));
}

enum err
resp_json_error(struct resp *r, enum err e, const char *message)
{
	enum err rc;

	r->status = err_status(e);
	r->content_type = "application/json";
	buf_reset(&r->body);
	if ((rc = buf_printf(&r->body, "{\"error\":{\"code\":\"%s\","
	    "\"message\":", err_code(e))) != ERR_OK)
		return rc;
	if (message == NULL)
		message = err_reason(r->status);
	if ((rc = buf_put_json_string(&r->body, message, strlen(message))) !=
	    ERR_OK)
		return rc;
	return buf_puts(&r->body, "}}");
}

enum err
resp_redirect(struct resp *r, int status, const char *location)
{
	enum err rc;

	if ((rc = resp_header(r, "Location", location)) != ERR_OK)
		return rc;
	return resp_body(r, status, "text/plain; charset=utf-8", "", 0);
}

/* Whether the handler set this header itself (it then replaces the
 * default security header of that name). */
static bool
has_header(const struct resp *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nheaders; i++)
		if (strcasecmp(r->headers[i].name, name) == 0)
			return true;
	return false;
}

enum err
resp_serialise(const struct resp *r, bool head_only, struct buf *out)
{
	size_t i;
	int status;

	status = r->status == 0 ? 200 : r->status;
	buf_printf(out, "Status: %d %s\r\n", status, err_reason(status));
	if (r->content_type != NULL)
		buf_printf(out, "Content-Type: %s\r\n", r->content_type);
	if (!r->streamed)
		buf_printf(out, "Content-Length: %zu\r\n", r->body.len);
	for (i = 0; i < nitems(security_headers); i++)
		if (!has_header(r, security_headers[i].name))
			buf_printf(out, "%s: %s\r\n",
			    security_headers[i].name,
			    security_headers[i].value);
	if (r->hsts && !has_header(r, "Strict-Transport-Security"))
		buf_printf(out, "Strict-Transport-Security: max-age=%d\r\n",
		    LIMIT_HSTS_MAX_AGE_S);
	for (i = 0; i < r->nheaders; i++)
		buf_printf(out, "%s: %s\r\n", r->headers[i].name,
		    r->headers[i].value);
	if (buf_puts(out, "\r\n") != ERR_OK)
		return ERR_TOOBIG;
	if (!head_only && !r->streamed)
		return buf_append(out, r->body.data, r->body.len);
	return ERR_OK;
}
