/*
 * faults.c — the fault mechanism: a named error shape, answered.
 *
 * The rows themselves live with their providers (each file's
 * `faults[]`, and a family's in google.c or meta.c): by name (the
 * example file's name in tests/fixtures/providers) and by generic switch
 * (429, 500, 401, invalid_grant, removed_metric; see
 * lib/sandbox/sandbox.h).  This file finds the row a request's API has
 * under a name, across the registry, and writes it as the response.
 */
#include <string.h>

#include "base/buf.h"
#include "sandbox/sandbox_priv.h"

/* Whether the row f answers to name. */
static bool
fault_named(const struct sandbox_fault *f, const char *name)
{
	size_t n = strlen(name);
	const char *p;

	if (strcmp(f->name, name) == 0)
		return true;
	for (p = f->aliases; p != NULL && (p = strstr(p, name)) != NULL;
	    p += n)
		if ((p == f->aliases || p[-1] == ' ') && (p[n] == '\0' ||
		    p[n] == ' '))
			return true;
	return false;
}

/* The row of api named name among fs[0..n), or NULL. */
static const struct sandbox_fault *
find_in(const struct sandbox_fault *fs, size_t n,
    const struct sandbox_api *api, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (fs[i].api == api && fault_named(&fs[i], name))
			return &fs[i];
	return NULL;
}

const struct sandbox_fault *
sandbox_fault_find(const struct sandbox_api *api, const char *name)
{
	const struct sandbox_provider *const *all;
	const struct sandbox_fault *f = NULL;
	size_t i, n;

	all = sandbox_all(&n);
	for (i = 0; i < n && f == NULL && api != NULL && name != NULL; i++) {
		f = find_in(all[i]->family->faults, all[i]->family->nfaults,
		    api, name);
		if (f == NULL)
			f = find_in(all[i]->faults, all[i]->nfaults, api,
			    name);
	}
	return f;
}

enum err
sandbox_fail(struct sbx *sx, const char *name)
{
	const struct sandbox_fault *f;
	char line[512], *colon;
	const char *p, *e;
	size_t len;

	if ((f = sandbox_fault_find(sx->api, name)) == NULL)
		return ERR_SYSTEM;
	resp_clear(&sx->ctx->resp);
	resp_header(&sx->ctx->resp, "X-Sandbox-Api", sx->api->name);
	sandbox_start(sx, f->status, f->ctype);
	for (p = f->headers; p != NULL && *p != '\0'; p = e + 1) {
		if ((e = strchr(p, '\n')) == NULL)
			break;
		len = (size_t)(e - p);
		if (len >= sizeof(line))
			continue;
		memcpy(line, p, len);
		line[len] = '\0';
		if ((colon = strchr(line, ':')) == NULL)
			continue;
		*colon = '\0';
		resp_header(&sx->ctx->resp, line, colon + 2);
	}
	buf_puts(sx->out, f->body);
	return ERR_OK;
}
