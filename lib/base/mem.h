/*
 * mem.h — memory outside arenas: allocators that never return NULL.
 *
 * What lives as long as the process (the configuration, compiled
 * templates, the database and HTTP clients, growable buffers) is
 * malloc'd through these; what a request needs comes from its arena.
 * Out of memory is not an error Sluice handles: every allocator here,
 * and the arena, prints one message ("PROGRAM: out of memory") and
 * aborts.  What they return is the caller's, released with free().
 */
#ifndef SLUICE_MEM_H
#define SLUICE_MEM_H

#include <stddef.h>

/* The number of elements of an array (not of a pointer). */
#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

/* Says "PROGRAM: out of memory" on stderr and aborts. */
void	 mem_oom(void) __attribute__((noreturn));

/* malloc(n) (n == 0 gives a pointer of its own), or mem_oom(). */
void	*xmalloc(size_t n);

/* n * size zeroed bytes; an overflowing n * size is out of memory. */
void	*xcalloc(size_t n, size_t size);

/* realloc(p, n) (p may be NULL; n == 0 keeps a pointer), or mem_oom(). */
void	*xrealloc(void *p, size_t n);

/* A copy of the NUL-terminated s. */
char	*xstrdup(const char *s);

/* A copy of at most len bytes of s, NUL-terminated. */
char	*xstrndup(const char *s, size_t len);

#endif
