/* jsonx.c — strict, bounded json-c parsing and typed getters. */
#include <math.h>
#include <string.h>

#include <json-c/json.h>

#include "base/arena.h"
#include "base/jsonx.h"
#include "base/limit.h"

static void
put_cb(void *p)
{
	json_object_put(p);
}

struct json_object *
jsonx_own(struct arena *a, struct json_object *obj)
{
	if (obj != NULL)
		arena_defer(a, put_cb, obj);
	return obj;
}

/*
 * json-c's strict mode still takes single-quoted strings and NaN or
 * Infinity: RFC 8259 has neither.  Quotes are checked on the text (outside
 * strings), non-finite numbers on the tree.
 */
static int
has_single_quote(const char *s, size_t len)
{
	size_t i;
	int in_str = 0;

	for (i = 0; i < len; i++) {
		if (in_str) {
			if (s[i] == '\\')
				i++;
			else if (s[i] == '"')
				in_str = 0;
		} else if (s[i] == '"')
			in_str = 1;
		else if (s[i] == '\'')
			return 1;
	}
	return 0;
}

static int
has_nonfinite(struct json_object *o)
{
	size_t i, n;

	switch (json_object_get_type(o)) {
	case json_type_double:
		return !isfinite(json_object_get_double(o));
	case json_type_array:
		n = json_object_array_length(o);
		for (i = 0; i < n; i++)
			if (has_nonfinite(json_object_array_get_idx(o, i)))
				return 1;
		return 0;
	case json_type_object: {
		json_object_object_foreach(o, key, val) {
			(void)key;
			if (val != NULL && has_nonfinite(val))
				return 1;
		}
		return 0;
	}
	default:
		return 0;
	}
}

static void
tok_free_cb(void *p)
{
	json_tokener_free(p);
}

enum err
jsonx_parse(struct arena *a, const char *text, size_t len,
    struct json_object **out, const char **why)
{
	struct json_tokener *tok;
	struct json_object *obj;
	enum json_tokener_error jerr;
	size_t off;

	*out = NULL;
	if (len > LIMIT_JSON_SIZE) {
		if (why != NULL)
			*why = arena_printf(a, "JSON body is %zu bytes, "
			    "more than the limit of %d", len,
			    LIMIT_JSON_SIZE);
		return ERR_TOOBIG;
	}
	if (has_single_quote(text, len)) {
		if (why != NULL)
			*why = "invalid JSON: strings must use double quotes";
		return ERR_INPUT;
	}
	if (len == 0 || memchr(text, '\0', len) != NULL) {
		if (why != NULL)
			*why = len == 0 ? "empty JSON document" :
			    "JSON contains a NUL byte";
		return ERR_INPUT;
	}
	if ((tok = json_tokener_new_ex(LIMIT_JSON_DEPTH)) == NULL)
		return ERR_SYSTEM;
	arena_defer(a, tok_free_cb, tok);
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	obj = json_tokener_parse_ex(tok, text, (int)len);
	jerr = json_tokener_get_error(tok);
	off = json_tokener_get_parse_end(tok);
	if (jerr == json_tokener_continue) {
		if (why != NULL)
			*why = "JSON ends too early (truncated document)";
		return ERR_INPUT;
	}
	if (jerr != json_tokener_success) {
		if (why != NULL)
			*why = arena_printf(a, "invalid JSON at byte %zu: %s",
			    off, jerr == json_tokener_error_depth ?
			    "nested too deeply" :
			    json_tokener_error_desc(jerr));
		return ERR_INPUT;
	}
	jsonx_own(a, obj);
	if (has_nonfinite(obj)) {
		if (why != NULL)
			*why = "invalid JSON: NaN and Infinity are not numbers "
			    "in JSON";
		return ERR_INPUT;
	}
	/* Only white space may follow the document. */
	for (; off < len; off++) {
		if (strchr(" \t\r\n", text[off]) == NULL) {
			if (why != NULL)
				*why = arena_printf(a, "invalid JSON at "
				    "byte %zu: data after the document", off);
			return ERR_INPUT;
		}
	}
	*out = obj;
	return ERR_OK;
}

static enum err
member(struct json_object *obj, const char *key, struct json_object **v)
{
	if (obj == NULL || !json_object_is_type(obj, json_type_object))
		return ERR_NOTFOUND;
	if (!json_object_object_get_ex(obj, key, v) || *v == NULL)
		return ERR_NOTFOUND;
	return ERR_OK;
}

/* The member if it has type t: ERR_OK, ERR_NOTFOUND or ERR_INPUT. */
static enum err
typed(struct json_object *obj, const char *key, enum json_type t,
    struct json_object **out)
{
	struct json_object *v;
	enum err rc;

	if ((rc = member(obj, key, &v)) != ERR_OK)
		return rc;
	if (!json_object_is_type(v, t))
		return ERR_INPUT;
	*out = v;
	return ERR_OK;
}

enum err
jsonx_get_string(struct json_object *obj, const char *key, const char **out)
{
	struct json_object *v;
	enum err rc;

	if ((rc = typed(obj, key, json_type_string, &v)) != ERR_OK)
		return rc;
	*out = json_object_get_string(v);
	return ERR_OK;
}

enum err
jsonx_get_int64(struct json_object *obj, const char *key, int64_t *out)
{
	struct json_object *v;
	enum err rc;
	int64_t n;

	if ((rc = typed(obj, key, json_type_int, &v)) != ERR_OK)
		return rc;
	n = json_object_get_int64(v);
	/* json-c clamps out-of-range integers to the limits. */
	if (n == INT64_MAX || n == INT64_MIN) {
		const char *s = json_object_get_string(v);
		if (s == NULL || (strcmp(s, "9223372036854775807") != 0 &&
		    strcmp(s, "-9223372036854775808") != 0))
			return ERR_INPUT;
	}
	*out = n;
	return ERR_OK;
}

enum err
jsonx_get_double(struct json_object *obj, const char *key, double *out)
{
	struct json_object *v;
	enum err rc;
	double d;

	if ((rc = member(obj, key, &v)) != ERR_OK)
		return rc;
	if (!json_object_is_type(v, json_type_double) &&
	    !json_object_is_type(v, json_type_int))
		return ERR_INPUT;
	d = json_object_get_double(v);
	if (!isfinite(d))
		return ERR_INPUT;
	*out = d;
	return ERR_OK;
}

enum err
jsonx_get_bool(struct json_object *obj, const char *key, bool *out)
{
	struct json_object *v;
	enum err rc;

	if ((rc = typed(obj, key, json_type_boolean, &v)) != ERR_OK)
		return rc;
	*out = json_object_get_boolean(v);
	return ERR_OK;
}

enum err
jsonx_get_object(struct json_object *obj, const char *key,
    struct json_object **out)
{
	return typed(obj, key, json_type_object, out);
}

enum err
jsonx_get_array(struct json_object *obj, const char *key,
    struct json_object **out)
{
	return typed(obj, key, json_type_array, out);
}

struct json_object *
jsonx_member(struct json_object *obj, const char *key)
{
	struct json_object *v;

	return member(obj, key, &v) == ERR_OK ? v : NULL;
}

const char *
jsonx_text(struct json_object *obj, const char *key)
{
	struct json_object *v;

	return member(obj, key, &v) == ERR_OK ? json_object_get_string(v) :
	    NULL;
}

const char *
jsonx_str(struct json_object *obj, const char *key)
{
	struct json_object *v;

	return typed(obj, key, json_type_string, &v) == ERR_OK ?
	    json_object_get_string(v) : NULL;
}

const char *
jsonx_string(struct arena *a, struct json_object *obj)
{
	return arena_strdup(a, json_object_to_json_string_ext(obj,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
}
