/*
 * mustache.h — the mustache template engine: compile once, render many.
 *
 * A pure engine: it knows neither files nor JSON.  mustache_compile()
 * turns template text into a tree; mustache_render() walks that tree
 * against any data model through a small table of operations
 * (struct mustache_data_ops) and appends to a bounded struct buf.
 * Partials are found through a caller-provided lookup (name to compiled
 * template), so the engine never opens a file.  A json-c adapter is
 * provided (mustache_json_ops, mustache_render_json()).
 *
 * Supported: {{x}} escaped (& < > " ' become &amp; &lt; &gt; &quot;
 * &#39;), {{{x}}} and {{& x}} unescaped, dotted names, the implicit
 * iterator {{.}}, sections over lists, objects and other truthy values,
 * inverted sections, comments, set delimiters, partials with the
 * standalone-line and indentation rules (a line of blanks and tags that
 * show nothing, one or several, is removed whole, as in mustache.js; a
 * partial first on such a line is indented by its blanks), context-stack
 * lookup, and
 * dynamic partial names ({{>*x}} includes the partial named by the value
 * of x; one that names no partial renders nothing).  Not supported:
 * lambdas, inheritance ({{< }} and {{$ }} are compile errors).
 *
 * Limits: template source LIMIT_TMPL_SIZE, nested sections
 * LIMIT_TMPL_DEPTH (in the source and, across partials, at render time),
 * nested partials LIMIT_TMPL_PARTIALS (a partial that includes itself
 * fails with ERR_TEMPLATE instead of exhausting the stack), rendered
 * output LIMIT_TMPL_OUTPUT bytes, and rendering work: at most
 * LIMIT_TMPL_OUTPUT nodes and list items visited per render, so that
 * nested loops that print little still end quickly.
 *
 * Lifetime: a compiled template is a process-lifetime object made at
 * start-up; it is immutable, so renders may share it, and it is released
 * only by mustache_free().
 */
#ifndef SLUICE_MUSTACHE_H
#define SLUICE_MUSTACHE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

struct buf;
struct json_object;
struct mustache;

/*
 * Where and why compiling or rendering failed.  line and column are
 * 1-based (column counts UTF-8 characters; a tab is one) and point at
 * the opening delimiter of the offending tag; both are 0 when there is no
 * position (e.g. source too large).  name is the name given to
 * mustache_compile() of the template the position is in: the one
 * rendered, or a partial ("" when it was given none, and for a compile
 * error, where the caller knows which template it compiled).
 */
struct mustache_error {
	int	 line;
	int	 column;
	char	 name[128];
	char	 msg[192];
};

/* How a value behaves as a section. */
enum mustache_kind {
	MUSTACHE_FALSEY,	/* skipped by {{#}}, shown by {{^}} */
	MUSTACHE_TRUTHY,	/* {{#}} renders once with it on the stack */
	MUSTACHE_LIST		/* {{#}} renders once per item */
};

/*
 * The data model, as the engine sees it.  Values are opaque pointers;
 * NULL is a valid value (e.g. JSON null).  ud is passed back unchanged.
 *   get:      looks key (NUL-terminated, one segment of a dotted name)
 *             up in ctx; true and *out set when ctx has it, false when
 *             ctx has no such key or is not a map.
 *   kind:     how v acts as a section (an empty list must be FALSEY).
 *   list_len, list_at: items of a value whose kind is MUSTACHE_LIST.
 *   text:     the text of v for interpolation, *lenout bytes; may format
 *             into scratch (size bytes) and return it; the result must
 *             stay valid until the next call.  NULL means empty.
 */
struct mustache_data_ops {
	bool		 (*get)(void *ud, void *ctx, const char *key,
			    void **out);
	enum mustache_kind (*kind)(void *ud, void *v);
	size_t		 (*list_len)(void *ud, void *v);
	void		*(*list_at)(void *ud, void *v, size_t i);
	const char	*(*text)(void *ud, void *v, char *scratch,
			    size_t size, size_t *lenout);
};

/*
 * Finds a partial by name; NULL when there is none (it then renders as
 * the empty string, as the spec says; mustache_check_partials() makes a
 * missing partial an error up front).  The template returned must outlive
 * the render.
 */
struct mustache_partials {
	const struct mustache	*(*find)(void *ud, const char *name);
	void			*ud;
};

/* The json-c data model: objects are maps, arrays lists; null, false, 0,
 * 0.0, "" and [] are falsey; numbers print as JavaScript would for
 * ordinary values (integers exactly, doubles shortest round-trip). */
extern const struct mustache_data_ops mustache_json_ops;

/*
 * Compiles len bytes of template text.  name (may be NULL) is kept for
 * error messages.  On ERR_OK *out is a new template owned by the caller,
 * to release with mustache_free().  Errors: ERR_TEMPLATE (unclosed tag,
 * unclosed or mismatched section, empty tag, bad name, bad delimiter,
 * unsupported tag, sections nested deeper than LIMIT_TMPL_DEPTH),
 * ERR_TOOBIG (source longer than LIMIT_TMPL_SIZE); *errout, if not NULL,
 * says where and why.  Out of memory aborts.
 */
enum err	 mustache_compile(const char *name, const char *src,
		    size_t len, struct mustache **out,
		    struct mustache_error *errout);

/* Releases a compiled template; NULL is allowed. */
void		 mustache_free(struct mustache *);

/* The name given to mustache_compile() ("" if none); owned by t. */
const char	*mustache_name(const struct mustache *t);

/*
 * Checks that every partial t names can be found through p (dynamic
 * names, known only at render time, are not checked), and that
 * following the partials included outside any section (so whatever the
 * data) never comes back to one already on the way nor goes deeper than
 * LIMIT_TMPL_PARTIALS.  ERR_OK, or ERR_TEMPLATE with *errout at the
 * offending tag (in t, or in the partial whose name errout gives).
 * Recursion under a section is allowed: the data ends it, and render
 * time caps it.
 */
enum err	 mustache_check_partials(const struct mustache *t,
		    const struct mustache_partials *p,
		    struct mustache_error *errout);

/*
 * Renders t against root through ops/ud, appending to out.  p may be
 * NULL (no partials).  Output beyond LIMIT_TMPL_OUTPUT bytes (or out's
 * own max), or more work than LIMIT_TMPL_OUTPUT steps, fails with
 * ERR_TOOBIG; partials nested deeper than
 * LIMIT_TMPL_PARTIALS or sections deeper than LIMIT_TMPL_DEPTH fail with
 * ERR_TEMPLATE.  On error out is restored to its length before the call
 * and *errout, if not NULL, says where and why.
 */
enum err	 mustache_render(const struct mustache *t,
		    const struct mustache_data_ops *ops, void *ud, void *root,
		    const struct mustache_partials *p, struct buf *out,
		    struct mustache_error *errout);

/* mustache_render() with mustache_json_ops over a json-c view. */
enum err	 mustache_render_json(const struct mustache *t,
		    struct json_object *view, const struct mustache_partials *p,
		    struct buf *out, struct mustache_error *errout);

#endif
