/*
 * arena.h — bump allocator with cleanup hooks: the request lifetime.
 *
 * Every allocation made for one request comes from one arena and is
 * released at once by arena_reset() when the request ends.  Foreign
 * objects (PGresult, json_object, curl lists) are registered with
 * arena_defer() so that they are freed at the same moment.
 * Allocation failure aborts: out of memory is not an expected error.
 * With -DARENA_DEBUG every allocation is its own malloc() so that ASan
 * and valgrind see each block.
 */
#ifndef SLUICE_ARENA_H
#define SLUICE_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct arena_block;
struct arena_cleanup;

struct arena {
	struct arena_block	*head;		/* newest block first */
	struct arena_cleanup	*cleanups;	/* run LIFO at reset */
	size_t			 used;		/* bytes handed out */
};

/* Prepares an empty arena; nothing is allocated until first use. */
void	 arena_init(struct arena *);

/* Returns n bytes aligned for any type, owned by the arena. */
void	*arena_alloc(struct arena *, size_t n);

/* Like arena_alloc() for n * size zeroed bytes; aborts on overflow. */
void	*arena_calloc(struct arena *, size_t n, size_t size);

/*
 * Room for one more element of size bytes after the n of the array old
 * (room for *cap): old itself while n < *cap, else a zeroed array of
 * twice the room (16 at first) holding old's n elements, *cap updated.
 * The old array stays in the arena until it is freed.
 */
void	*arena_grow(struct arena *, void *old, size_t n, size_t *cap,
	    size_t size);

/* Copies a NUL-terminated string (NULL gives NULL) into the arena. */
char	*arena_strdup(struct arena *, const char *);

/* Copies len bytes and adds a NUL; the copy is owned by the arena. */
char	*arena_strndup(struct arena *, const char *, size_t len);

/* printf into a new arena string. */
char	*arena_printf(struct arena *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
char	*arena_vprintf(struct arena *, const char *, va_list);

/* Registers fn(p) to run at the next reset or free (last in, first run). */
void	 arena_defer(struct arena *, void (*fn)(void *), void *p);

/* Runs the cleanups and releases every allocation; the arena is reusable
 * and keeps its first block to avoid a malloc per request. */
void	 arena_reset(struct arena *);

/* Like arena_reset() and also frees the kept block. */
void	 arena_free(struct arena *);

#endif
