/* route.c — matches a path against a route table. */
#include <string.h>

#include "base/arena.h"
#include "base/kv.h"
#include "base/mem.h"
#include "web/route.h"

/* Matches one pattern; captures go to m on success. */
static int
match(const char *pat, const char *path, struct arena *a,
    struct route_match *m)
{
	const char *pe, *se;
	size_t n = 0;

	while (*pat == '/' && *path == '/') {
		pat++;
		path++;
		pe = strchr(pat, '/');
		if (pe == NULL)
			pe = pat + strlen(pat);
		se = strchr(path, '/');
		if (se == NULL)
			se = path + strlen(path);
		if (*pat == ':') {
			if (se == path || n == LIMIT_CAPTURES)
				return 0;
			m->captures[n].name = arena_strndup(a, pat + 1,
			    (size_t)(pe - pat - 1));
			m->captures[n].value = arena_strndup(a, path,
			    (size_t)(se - path));
			m->captures[n].len = (size_t)(se - path);
			n++;
		} else if (pe - pat != se - path ||
		    strncmp(pat, path, (size_t)(pe - pat)) != 0)
			return 0;
		pat = pe;
		path = se;
	}
	if (*pat != '\0' || *path != '\0')
		return 0;
	m->ncaptures = n;
	return 1;
}

enum err
route_find(const struct route *routes, size_t n, unsigned method,
    const char *path, struct arena *a, struct route_match *m)
{
	struct route_match tmp;
	unsigned methods;
	size_t i;

	memset(m, 0, sizeof(*m));
	for (i = 0; i < n; i++) {
		memset(&tmp, 0, sizeof(tmp));
		if (!match(routes[i].pattern, path, a, &tmp))
			continue;
		methods = routes[i].methods;
		if (methods & HTTP_GET)
			methods |= HTTP_HEAD;
		if (methods & method) {
			*m = tmp;
			m->route = &routes[i];
			m->allowed |= methods;
			return ERR_OK;
		}
		m->allowed |= methods;
	}
	return m->allowed != 0 ? ERR_METHOD : ERR_NOTFOUND;
}

const char *
route_capture(const struct route_match *m, const char *name)
{
	const struct kvlist l = { m->captures, m->ncaptures };

	return kv_value(&l, name);
}

const char *
route_allow(struct arena *a, unsigned methods)
{
	static const char *const names[] = { "GET", "HEAD", "POST", "PUT",
	    "PATCH", "DELETE", "OPTIONS" };
	char *s = arena_strdup(a, "");
	size_t i;

	for (i = 0; i < nitems(names); i++)
		if (methods & (1u << i))
			s = arena_printf(a, "%s%s%s", s, *s ? ", " : "",
			    names[i]);
	return s;
}
