/*
 * tmpl.h — the templates of Sluice, compiled once at start-up.
 *
 * tmpl_load() reads every *.mustache file under a directory, recursively,
 * compiles it with the mustache engine and names it by its path without
 * the extension ("pages/home", "partials/pager", "errors/404").  Partials
 * are resolved among those names only, and a partial that is missing
 * anywhere is a start-up error naming the file and line:column: a broken
 * template never reaches a request.  Files and directories whose names
 * start with '.', symbolic links and other files are ignored (so
 * templates/static/ can hold the stylesheet).
 *
 * The set is a process-lifetime object: made by tmpl_load() at start-up,
 * read-only afterwards, released by tmpl_free() at exit.
 *
 * Views the shared templates expect: layout/top wants "title" (the page
 * title; "Sluice" alone when absent); the errors/ pages want "title"
 * (the reason phrase, e.g. "Not Found") and "request_id" when there is
 * one; partials/flash wants "flash": {"kind": "notice"|"error",
 * "message"}.
 */
#ifndef SLUICE_TMPL_H
#define SLUICE_TMPL_H

#include <stddef.h>

#include "base/err.h"

struct arena;
struct buf;
struct json_object;
struct mustache;
struct mustache_error;
struct tmpl;

/*
 * Loads and compiles every template under dir.  On ERR_OK *out is the
 * set, owned by the caller until tmpl_free().  On error nothing is kept
 * and *why (if why is not NULL; in the arena) is one line a person can
 * act on, e.g. "templates/pages/home.mustache:3:5: unknown partial 'x'".
 * Errors: ERR_TEMPLATE (a template does not compile or names a missing
 * partial), ERR_TOOBIG (a file longer than LIMIT_TMPL_SIZE), ERR_SYSTEM
 * (dir or a file cannot be read, or a path is too long).
 */
enum err	 tmpl_load(struct arena *, const char *dir, struct tmpl **out,
		    const char **why);

/* Releases the set and every template in it; NULL is allowed. */
void		 tmpl_free(struct tmpl *);

/* Number of templates in the set. */
size_t		 tmpl_count(const struct tmpl *);

/* The compiled template called name, or NULL; owned by the set. */
const struct mustache *tmpl_get(const struct tmpl *, const char *name);

/*
 * Renders template name against view (any json-c value; NULL is JSON
 * null), appending to out.  Errors: ERR_NOTFOUND (no such template),
 * ERR_TOOBIG (output over LIMIT_TMPL_OUTPUT or out's own max),
 * ERR_TEMPLATE (partials or sections nested too deep).  On error out is
 * as it was before the call.
 */
enum err	 tmpl_render_buf(const struct tmpl *, const char *name,
		    struct json_object *view, struct buf *out);

/* tmpl_render_buf() that also says where and why it failed (errout may
 * be NULL), for the log line. */
enum err	 tmpl_render_err(const struct tmpl *, const char *name,
		    struct json_object *view, struct buf *out,
		    struct mustache_error *errout);

/*
 * Plain text is not HTML: turns the engine's five entities back into
 * their characters, in place, in one left-to-right pass (so "&amp;lt;"
 * from a literal "&lt;" becomes "&lt;" again: the exact inverse), for a
 * plain-text email rendered with everything escaped.
 */
void		 tmpl_unescape(char *s);

#endif
