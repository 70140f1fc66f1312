/* kv.c — lookups in lists of names with values. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/kv.h"

const struct kv *
kv_get(const struct kvlist *l, const char *name)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].name, name) == 0)
			return &l->v[i];
	return NULL;
}

const char *
kv_value(const struct kvlist *l, const char *name)
{
	const struct kv *kv = kv_get(l, name);

	return kv == NULL ? NULL : kv->value;
}

const char *
kv_header(const struct kvlist *l, const char *name)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcasecmp(l->v[i].name, name) == 0)
			return l->v[i].value;
	return NULL;
}

const struct kv *
kv_stray(const struct kvlist *l, const char *const *known, size_t n,
    bool *twice)
{
	size_t i, k;

	if (twice != NULL)
		*twice = false;
	for (i = 0; i < l->n; i++) {
		for (k = 0; k < n; k++)
			if (strcmp(l->v[i].name, known[k]) == 0)
				break;
		if (k == n)
			return &l->v[i];
		if (twice != NULL && kv_get(l, l->v[i].name) != &l->v[i]) {
			*twice = true;
			return &l->v[i];
		}
	}
	return NULL;
}

const char *
kv_unknown(const struct kvlist *l, const char *const *known, size_t n)
{
	const struct kv *s = kv_stray(l, known, n, NULL);

	return s != NULL ? s->name : NULL;
}

bool
kv_whole(const char *s, long max)
{
	char *end;
	long v;

	v = strtol(s, &end, 10);
	return v >= 1 && v <= max && *end == '\0' && end != s &&
	    *s != '+' && *s != ' ';
}
