/*
 * jsonx.h — bounded JSON parsing and typed getters over json-c.
 *
 * json-c owns the json_ prefix; this module adds limits (size, depth,
 * strict syntax, no trailing garbage) and getters that tell a missing key
 * (ERR_NOTFOUND) from a value of the wrong type (ERR_INPUT).  Parsed
 * objects are registered on the arena and released with it.
 */
#ifndef SLUICE_JSONX_H
#define SLUICE_JSONX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct arena;
struct buf;
struct json_object;

/*
 * Parses len bytes of strict JSON (RFC 8259: no NaN, no comments, no
 * trailing data) at most LIMIT_JSON_DEPTH deep and LIMIT_JSON_SIZE long.
 * On ERR_OK *out is the root, owned by the arena.  On error (ERR_INPUT,
 * or ERR_TOOBIG for size) *why, if not NULL, is an arena string a
 * person can act on, with the byte offset.
 */
enum err	 jsonx_parse(struct arena *, const char *text, size_t len,
		    struct json_object **out, const char **why);

/*
 * Typed getters on an object's key.  ERR_OK and *out set; ERR_NOTFOUND
 * when obj is not an object or has no such key (JSON null counts as
 * missing); ERR_INPUT when the value has another type.  Strings point into
 * the json object and live as long as it does.  Integers must be JSON
 * integers in range; doubles accept integers too and must be finite.
 */
enum err	 jsonx_get_string(struct json_object *, const char *key,
		    const char **out);
enum err	 jsonx_get_int64(struct json_object *, const char *key,
		    int64_t *out);
enum err	 jsonx_get_double(struct json_object *, const char *key,
		    double *out);
enum err	 jsonx_get_bool(struct json_object *, const char *key,
		    bool *out);
enum err	 jsonx_get_object(struct json_object *, const char *key,
		    struct json_object **out);
enum err	 jsonx_get_array(struct json_object *, const char *key,
		    struct json_object **out);

/*
 * Lenient getters, for JSON where a missing, null or odd member only
 * means "none" (provider answers, what we stored): NULL when obj is NULL
 * or not an object, or has no such key, or its value is null.
 * jsonx_member() returns the member, whatever its type; jsonx_text() its
 * text: a string as is, any other value as JSON (42, true, {...});
 * jsonx_str() a string member and NULL for any other type.  What they
 * return belongs to obj and lives as long as it.
 */
struct json_object *jsonx_member(struct json_object *, const char *key);
const char	*jsonx_text(struct json_object *, const char *key);
const char	*jsonx_str(struct json_object *, const char *key);

/* Registers json_object_put(obj) on the arena; returns obj. */
struct json_object *jsonx_own(struct arena *, struct json_object *obj);

/* Serialises obj compactly (no escaped slashes) into the arena. */
const char	*jsonx_string(struct arena *, struct json_object *);

#endif
