/*
 * buf.h — growable byte buffers that must be given a maximum size.
 *
 * A buffer owns its storage (malloc), grows by doubling up to max and
 * refuses to grow past it with ERR_TOOBIG; the contents are unchanged by a
 * refused append.  buf_free() releases it; buf_init_arena() and
 * buf_new_arena() register that on an arena, so a request's buffers go
 * with it.
 */
#ifndef SLUICE_BUF_H
#define SLUICE_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "base/err.h"

struct arena;

struct buf {
	char	*data;	/* NULL until the first append */
	size_t	 len;	/* bytes in use */
	size_t	 size;	/* bytes allocated */
	size_t	 max;	/* most bytes it may hold */
};

/* Prepares an empty buffer that will hold at most max bytes. */
void		 buf_init(struct buf *, size_t max);

/*
 * Like buf_init() and registers buf_free() on the arena.  The struct buf
 * itself must outlive the arena's reset (allocate it from the arena, or
 * use buf_new_arena()): never a local variable.
 */
void		 buf_init_arena(struct buf *, struct arena *, size_t max);

/* A new empty buffer allocated from the arena and freed with it. */
struct buf	*buf_new_arena(struct arena *, size_t max);

/* Appends bytes: ERR_OK, or ERR_TOOBIG (nothing appended). */
enum err	 buf_append(struct buf *, const void *, size_t);
enum err	 buf_puts(struct buf *, const char *);
enum err	 buf_putc(struct buf *, char);
enum err	 buf_printf(struct buf *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

/*
 * Appends s (len bytes) as a JSON string with quotes: control
 * characters, quote and backslash escaped; bytes >= 0x80 copied.
 */
enum err	 buf_put_json_string(struct buf *, const char *s, size_t len);

/* The contents NUL-terminated (the NUL is not counted in len). Never NULL:
 * an empty buffer gives "". Valid until the next change to the buffer. */
const char	*buf_cstr(struct buf *);

/* Empties the buffer and keeps its storage. */
void		 buf_reset(struct buf *);

/* Releases the storage; the buffer is empty and reusable. */
void		 buf_free(struct buf *);

#endif
