/* syncnorm.c — rows being built, and the normalisers' shared checks. */
#include <ctype.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/day.h"
#include "base/jsonx.h"
#include "base/limit.h"
#include "base/mem.h"
#include "base/utf8.h"
#include "providers/provider.h"
#include "providers/syncnorm.h"

void
syncnorm_init(struct syncnorm *n, struct arena *a, const char *provider,
    const char *account)
{
	memset(n, 0, sizeof(*n));
	n->a = a;
	n->provider = provider;
	n->account = account;
}

enum err
syncnorm_add(struct syncnorm *n, const char *account, const char *metric,
    const char *day, const char *value, const char *dims)
{
	struct metric_row *r, *grown;

	if (n->from != NULL && strncmp(day, n->from, 10) < 0)
		return ERR_OK;	/* before the window */
	if (n->n >= LIMIT_SYNC_ROWS) {
		n->overflowed = true;	/* the sync refuses the whole set */
		return ERR_TOOBIG;
	}
	if (n->n == n->size) {
		n->size = n->size ? n->size * 2 : 64;
		grown = arena_calloc(n->a, n->size, sizeof(*grown));
		if (n->n > 0)
			memcpy(grown, n->rows, n->n * sizeof(*grown));
		n->rows = grown;
	}
	r = &n->rows[n->n++];
	r->source = n->provider;
	r->account_id = arena_strdup(n->a, account != NULL ? account :
	    n->account);
	r->metric = arena_strdup(n->a, metric);
	r->date = arena_strdup(n->a, day);
	r->value = arena_strdup(n->a, value);
	r->dims = dims != NULL ? arena_strdup(n->a, dims) : NULL;
	if (dims != NULL)
		n->has_dims = true;
	return ERR_OK;
}

enum err
syncnorm_bad(struct syncnorm *n, size_t mark, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	n->why = arena_vprintf(n->a, fmt, ap);
	va_end(ap);
	n->n = mark;
	return ERR_INPUT;
}

/* Appends the run of one or more decimal digits at *p to digits (nd of
 * size used) and moves *p past it; false when there is none or it does
 * not fit. */
static bool
digit_run(const char **p, char *digits, size_t *nd, size_t size)
{
	if (!isdigit((unsigned char)**p))
		return false;
	while (isdigit((unsigned char)**p)) {
		if (*nd + 1 >= size)
			return false;
		digits[(*nd)++] = *(*p)++;
	}
	return true;
}

const char *
syncnorm_decimal(struct arena *a, const char *s, int shift, bool integer)
{
	char digits[96], *out;
	size_t nd = 0, i, len;
	int point, exp = 0, neg = 0, roundup = 0;
	const char *p = s;
	char *end;
	long e;

	if (s == NULL)
		return NULL;
	if (*p == '-') {
		neg = 1;
		p++;
	}
	if (!digit_run(&p, digits, &nd, sizeof(digits)))
		return NULL;
	point = (int)nd;
	if (*p == '.') {
		p++;
		if (!digit_run(&p, digits, &nd, sizeof(digits)))
			return NULL;
	}
	if (*p == 'e' || *p == 'E') {
		e = strtol(p + 1, &end, 10);
		if (end == p + 1 || e < -40 || e > 40)
			return NULL;
		exp = (int)e;
		p = end;
	}
	if (*p != '\0')
		return NULL;
	point += exp + shift;	/* digits[0..point) is the integer part */
	/* Pad so that the point lies inside or at the end of the digits. */
	while (point > (int)nd) {
		if (nd + 1 >= sizeof(digits))
			return NULL;
		digits[nd++] = '0';
	}
	if (point < 0) {
		len = (size_t)-point;
		if (nd + len >= sizeof(digits))
			return NULL;
		memmove(digits + len, digits, nd);
		memset(digits, '0', len);
		nd += len;
		point = 0;
	}
	if (integer) {
		if ((size_t)point < nd && digits[point] >= '5')
			roundup = 1;
		nd = (size_t)point;
		for (i = nd; roundup && i > 0; i--) {
			if (digits[i - 1] == '9')
				digits[i - 1] = '0';
			else {
				digits[i - 1]++;
				roundup = 0;
			}
		}
	} else
		while (nd > (size_t)point && digits[nd - 1] == '0')
			nd--;
	out = arena_alloc(a, nd + 4);
	len = 0;
	if (neg)
		out[len++] = '-';
	if (roundup)
		out[len++] = '1';
	for (i = 0; i < (size_t)point && i + 1 < (size_t)point &&
	    digits[i] == '0' && !roundup; i++)
		;	/* leading zeros */
	if (point == 0)
		out[len++] = '0';
	for (; i < (size_t)point; i++)
		out[len++] = digits[i];
	if (nd > (size_t)point) {
		out[len++] = '.';
		for (i = (size_t)point; i < nd; i++)
			out[len++] = digits[i];
	}
	out[len] = '\0';
	if (strcmp(out, "-0") == 0)
		return "0";
	return out;
}

/* A JSON string or number as its text; NULL otherwise. */
const char *
syncnorm_text(struct json_object *v)
{
	if (v == NULL)
		return NULL;
	if (json_object_is_type(v, json_type_string) ||
	    json_object_is_type(v, json_type_int) ||
	    json_object_is_type(v, json_type_double))
		return json_object_get_string(v);
	return NULL;
}

bool
syncnorm_is_count(const char *s)
{
	if (s == NULL || *s == '\0' || strlen(s) > 20)
		return false;
	for (; *s != '\0'; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* "YYYYMMDD" into "YYYY-MM-DD" (arena), or NULL. */
const char *
syncnorm_ymd(struct arena *a, const char *s)
{
	if (s == NULL || strlen(s) != 8 || !syncnorm_is_count(s))
		return NULL;
	return arena_printf(a, "%.4s-%.2s-%.2s", s, s + 4, s + 6);
}

bool
syncnorm_is_day(const char *s)
{
	return s != NULL && strlen(s) == 10 && isdigit((unsigned char)s[0]) &&
	    s[4] == '-' && s[7] == '-' && isdigit((unsigned char)s[5]) &&
	    isdigit((unsigned char)s[8]);
}


/* Seconds since the epoch as a UTC day (arena). */
const char *
syncnorm_epoch_day(struct arena *a, long long secs)
{
	return day_text(a, day_of_epoch(secs));
}

/* A count (JSON integer, or string of digits) as text, else NULL. */
const char *
syncnorm_count(struct json_object *v)
{
	const char *s;

	if (v == NULL)
		return NULL;
	if (json_object_is_type(v, json_type_int)) {
		if (json_object_get_int64(v) < 0)
			return NULL;
		return json_object_get_string(v);
	}
	s = json_object_is_type(v, json_type_string) ?
	    json_object_get_string(v) : NULL;
	return syncnorm_is_count(s) ? s : NULL;
}

struct json_object *
syncnorm_array(struct json_object *o, const char *k)
{
	struct json_object *v = jsonx_member(o, k);

	return v != NULL && json_object_is_type(v, json_type_array) ? v :
	    NULL;
}

const char *
syncnorm_dims(struct arena *a, const char *k1, const char *v1, const char *k2,
    const char *v2, const char *k3, const char *v3)
{
	struct json_object *o = json_object_new_object();
	const char *s;

	if (v1 != NULL)
		json_object_object_add(o, k1, json_object_new_string(v1));
	if (v2 != NULL)
		json_object_object_add(o, k2, json_object_new_string(v2));
	if (k3 != NULL && v3 != NULL)
		json_object_object_add(o, k3, json_object_new_string(v3));
	s = arena_strdup(a, json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return s;
}

enum err
syncnorm_count_on(struct syncnorm *n, const char *who, struct json_object *o,
    const char *key, const char *metric, const char *day)
{
	const char *v = syncnorm_count(jsonx_member(o, key));

	if (v == NULL)
		return syncnorm_bad(n, n->n, "%s: %s is missing", who, key);
	return syncnorm_add(n, NULL, metric, day, v, NULL);
}

struct json_object *
syncnorm_count_json(struct json_object *v)
{
	const char *s;

	if ((s = syncnorm_count(v)) == NULL)
		return NULL;
	return json_object_new_int64(strtoll(s, NULL, 10));
}

struct json_object *
syncnorm_item(struct syncnorm *n, const char *id, const char *type,
    const char *caption, const char *permalink, const char *published_at)
{
	struct json_object *o;

	o = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_string(id));
	json_object_object_add(o, "type", json_object_new_string(type));
	json_object_object_add(o, "caption", json_object_new_string(
	    syncnorm_excerpt(n->a, caption)));
	if (permalink != NULL)
		json_object_object_add(o, "permalink",
		    json_object_new_string(permalink));
	json_object_object_add(o, "published_at",
	    json_object_new_string(published_at));
	return o;
}

const char *
syncnorm_excerpt(struct arena *a, const char *s)
{
	struct buf *b;
	size_t n, len, chars = 0;

	if (s == NULL)
		return "";
	n = strlen(s);
	b = buf_new_arena(a, n < 4 * LIMIT_CONTENT_CAPTION ? n + 4 :
	    4 * LIMIT_CONTENT_CAPTION + 4);
	while (n > 0) {
		if (chars == LIMIT_CONTENT_CAPTION) {
			buf_puts(b, "\xe2\x80\xa6");	/* … */
			break;
		}
		if (utf8_next((const unsigned char *)s, n, &len) >= 0) {
			buf_append(b, s, len);
			chars++;
		}
		s += len;
		n -= len;
	}
	return buf_cstr(b);
}
