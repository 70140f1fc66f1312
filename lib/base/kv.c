/* kv.c — lookups in lists of names with values. */
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

const char *
kv_unknown(const struct kvlist *l, const char *const *known, size_t n)
{
	size_t i, k;

	for (i = 0; i < l->n; i++) {
		for (k = 0; k < n && strcmp(known[k], l->v[i].name) != 0; k++)
			;
		if (k == n)
			return l->v[i].name;
	}
	return NULL;
}
