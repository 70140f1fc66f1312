/*
 * tmpl.c — loads templates/ at start-up and renders them by name.
 *
 * Owns the set of compiled templates: a sorted array of (name, template)
 * searched by binary search, which is also the partial lookup.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/limit.h"
#include "base/mem.h"
#include "render/mustache.h"
#include "render/tmpl.h"

#define SUFFIX		".mustache"
#define SUFFIX_LEN	(sizeof(SUFFIX) - 1)

struct entry {
	char			*name;		/* "pages/home" */
	char			*path;		/* for messages */
	struct mustache		*t;
};

struct tmpl {
	struct entry		*v;
	size_t			 n;
	size_t			 size;
	struct mustache_partials partials;
};

struct loader {
	struct tmpl		*set;
	struct arena		*a;
	const char		**why;	/* NULL: not asked */
};

static void
seterr(struct loader *l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
seterr(struct loader *l, const char *fmt, ...)
{
	va_list ap;

	if (l->why == NULL)
		return;
	va_start(ap, fmt);
	*l->why = arena_vprintf(l->a, fmt, ap);
	va_end(ap);
}

static int
entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->name,
	    ((const struct entry *)b)->name);
}

static int
key_cmp(const void *key, const void *e)
{
	return strcmp(key, ((const struct entry *)e)->name);
}

static const struct entry *
find(const struct tmpl *set, const char *name)
{
	if (set->n == 0)
		return NULL;
	return bsearch(name, set->v, set->n, sizeof(*set->v), key_cmp);
}

static const struct mustache *
find_partial(void *ud, const char *name)
{
	const struct entry *e = find(ud, name);

	return e == NULL ? NULL : e->t;
}

/* Reads and compiles one file as template name. */
static enum err
load_file(struct loader *l, const char *path, const char *name)
{
	struct mustache_error me;
	struct stat st;
	struct entry *e;
	struct mustache *t;
	char *src;
	size_t off;
	ssize_t n;
	enum err rc;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &st) == -1) {
		seterr(l, "%s: %s", path, strerror(errno));
		if (fd != -1)
			close(fd);
		return ERR_SYSTEM;
	}
	if (st.st_size > LIMIT_TMPL_SIZE) {
		seterr(l, "%s: %lld bytes, more than the limit of %d", path,
		    (long long)st.st_size, LIMIT_TMPL_SIZE);
		close(fd);
		return ERR_TOOBIG;
	}
	src = xrealloc(NULL, (size_t)st.st_size + 1);
	for (off = 0; off < (size_t)st.st_size; off += (size_t)n) {
		n = read(fd, src + off, (size_t)st.st_size - off);
		if (n == -1 && errno == EINTR) {
			n = 0;
			continue;
		}
		if (n <= 0) {
			seterr(l, "%s: %s", path, n == 0 ? "file shrank "
			    "while read" : strerror(errno));
			free(src);
			close(fd);
			return ERR_SYSTEM;
		}
	}
	close(fd);
	rc = mustache_compile(name, src, off, &t, &me);
	free(src);
	if (rc != ERR_OK) {
		if (me.line > 0)
			seterr(l, "%s:%d:%d: %s", path, me.line, me.column,
			    me.msg);
		else
			seterr(l, "%s: %s", path, me.msg);
		return rc;
	}
	if (l->set->n == l->set->size) {
		l->set->size = l->set->size == 0 ? 32 : l->set->size * 2;
		l->set->v = xrealloc(l->set->v,
		    l->set->size * sizeof(*l->set->v));
	}
	e = &l->set->v[l->set->n++];
	e->name = xstrdup(name);
	e->path = xstrdup(path);
	e->t = t;
	return ERR_OK;
}

/* Loads dir (whose templates are named prefix + file name), recursively. */
static enum err
load_dir(struct loader *l, const char *dir, const char *prefix)
{
	char path[PATH_MAX], name[PATH_MAX];
	struct dirent *de;
	struct stat st;
	size_t len;
	enum err rc = ERR_OK;
	DIR *d;

	if ((d = opendir(dir)) == NULL) {
		seterr(l, "%s: %s", dir, strerror(errno));
		return ERR_SYSTEM;
	}
	while (rc == ERR_OK && (errno = 0, de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
		    de->d_name) >= sizeof(path)) {
			seterr(l, "%s/%s: path too long", dir, de->d_name);
			rc = ERR_SYSTEM;
			break;
		}
		if (lstat(path, &st) == -1) {
			seterr(l, "%s: %s", path, strerror(errno));
			rc = ERR_SYSTEM;
			break;
		}
		len = strlen(de->d_name);
		if (S_ISDIR(st.st_mode)) {
			if ((size_t)snprintf(name, sizeof(name), "%s%s/",
			    prefix, de->d_name) >= sizeof(name)) {
				seterr(l, "%s: path too long", path);
				rc = ERR_SYSTEM;
				break;
			}
			rc = load_dir(l, path, name);
		} else if (S_ISREG(st.st_mode) && len > SUFFIX_LEN &&
		    strcmp(de->d_name + len - SUFFIX_LEN, SUFFIX) == 0) {
			snprintf(name, sizeof(name), "%s%.*s", prefix,
			    (int)(len - SUFFIX_LEN), de->d_name);
			rc = load_file(l, path, name);
		}
	}
	if (rc == ERR_OK && errno != 0) {
		seterr(l, "%s: %s", dir, strerror(errno));
		rc = ERR_SYSTEM;
	}
	closedir(d);
	return rc;
}

enum err
tmpl_load(struct arena *a, const char *dir, struct tmpl **out,
    const char **why)
{
	const struct entry *e;
	struct mustache_error me;
	struct loader l;
	struct tmpl *set;
	enum err rc;
	size_t i;

	*out = NULL;
	if (why != NULL)
		*why = NULL;
	set = xrealloc(NULL, sizeof(*set));
	memset(set, 0, sizeof(*set));
	set->partials.find = find_partial;
	set->partials.ud = set;
	l.set = set;
	l.a = a;
	l.why = why;
	if ((rc = load_dir(&l, dir, "")) != ERR_OK) {
		tmpl_free(set);
		return rc;
	}
	if (set->n > 0)
		qsort(set->v, set->n, sizeof(*set->v), entry_cmp);
	for (i = 0; i < set->n; i++) {
		if (mustache_check_partials(set->v[i].t, &set->partials,
		    &me) != ERR_OK) {
			/* The position may be in a partial of this one. */
			e = find(set, me.name);
			seterr(&l, "%s:%d:%d: %s", e != NULL ? e->path :
			    set->v[i].path, me.line, me.column, me.msg);
			tmpl_free(set);
			return ERR_TEMPLATE;
		}
	}
	*out = set;
	return ERR_OK;
}

void
tmpl_free(struct tmpl *set)
{
	size_t i;

	if (set == NULL)
		return;
	for (i = 0; i < set->n; i++) {
		free(set->v[i].name);
		free(set->v[i].path);
		mustache_free(set->v[i].t);
	}
	free(set->v);
	free(set);
}

size_t
tmpl_count(const struct tmpl *set)
{
	return set->n;
}

const struct mustache *
tmpl_get(const struct tmpl *set, const char *name)
{
	const struct entry *e = find(set, name);

	return e == NULL ? NULL : e->t;
}

enum err
tmpl_render_err(const struct tmpl *set, const char *name,
    struct json_object *view, struct buf *out, struct mustache_error *errout)
{
	const struct entry *e;

	if ((e = find(set, name)) == NULL) {
		if (errout != NULL) {
			memset(errout, 0, sizeof(*errout));
			snprintf(errout->msg, sizeof(errout->msg),
			    "no template '%s'", name);
		}
		return ERR_NOTFOUND;
	}
	return mustache_render_json(e->t, view, &set->partials, out, errout);
}

enum err
tmpl_render_buf(const struct tmpl *set, const char *name,
    struct json_object *view, struct buf *out)
{
	return tmpl_render_err(set, name, view, out, NULL);
}

void
tmpl_unescape(char *s)
{
	static const struct {
		const char	*ent;
		char		 c;
	} ents[] = { { "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' },
	    { "&quot;", '"' }, { "&#39;", '\'' } };
	char *w = s;
	size_t i;

	while (*s != '\0') {
		for (i = 0; *s == '&' && i < nitems(ents); i++)
			if (strncmp(s, ents[i].ent, strlen(ents[i].ent)) == 0)
				break;
		if (*s == '&' && i < nitems(ents)) {
			*w++ = ents[i].c;
			s += strlen(ents[i].ent);
		} else
			*w++ = *s++;
	}
	*w = '\0';
}
