/* arena.c — bump allocator: blocks in a list, cleanups in a stack. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/mem.h"

#define ARENA_BLOCK	(16 * 1024)
#define ARENA_ALIGN	16

struct arena_block {
	struct arena_block	*next;
	size_t			 size;	/* usable bytes in data */
	size_t			 off;	/* next free byte */
	_Alignas(ARENA_ALIGN) unsigned char data[];
};

struct arena_cleanup {
	struct arena_cleanup	*next;
	void			(*fn)(void *);
	void			*p;
};

void
arena_init(struct arena *a)
{
	memset(a, 0, sizeof(*a));
}

static struct arena_block *
block_new(size_t size)
{
	struct arena_block *b;

	if (size > SIZE_MAX - sizeof(*b))
		mem_oom();
	b = xmalloc(sizeof(*b) + size);
	b->next = NULL;
	b->size = size;
	b->off = 0;
	return b;
}

void *
arena_alloc(struct arena *a, size_t n)
{
	struct arena_block *b;

	if (n == 0)
		n = 1;
	if (n > SIZE_MAX - ARENA_ALIGN)
		mem_oom();
#ifdef ARENA_DEBUG
	b = block_new(n);
	b->off = n;
	b->next = a->head;
	a->head = b;
	a->used += n;
	return b->data;
#else
	size_t off;

	b = a->head;
	if (b != NULL) {
		off = (b->off + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
		if (off <= b->size && b->size - off >= n) {
			b->off = off + n;
			a->used += n;
			return b->data + off;
		}
	}
	if (n > ARENA_BLOCK / 4) {
		/* A large object gets a block of its own behind the head. */
		b = block_new(n);
		b->off = n;
		if (a->head == NULL)
			a->head = b;
		else {
			b->next = a->head->next;
			a->head->next = b;
		}
	} else {
		b = block_new(ARENA_BLOCK);
		b->off = n;
		b->next = a->head;
		a->head = b;
	}
	a->used += n;
	return b->data;
#endif
}

void *
arena_calloc(struct arena *a, size_t n, size_t size)
{
	void *p;

	if (size != 0 && n > SIZE_MAX / size)
		mem_oom();
	p = arena_alloc(a, n * size);
	memset(p, 0, n * size);
	return p;
}

void *
arena_grow(struct arena *a, void *old, size_t n, size_t *cap, size_t size)
{
	void *grown;

	if (n < *cap)
		return old;
	*cap = *cap ? *cap * 2 : 16;
	grown = arena_calloc(a, *cap, size);
	if (n > 0)
		memcpy(grown, old, n * size);
	return grown;
}

char *
arena_strndup(struct arena *a, const char *s, size_t len)
{
	char *p;

	p = arena_alloc(a, len + 1);
	if (len > 0)
		memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *
arena_strdup(struct arena *a, const char *s)
{
	if (s == NULL)
		return NULL;
	return arena_strndup(a, s, strlen(s));
}

char *
arena_vprintf(struct arena *a, const char *fmt, va_list ap)
{
	va_list ap2;
	char *p;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		mem_oom();
	p = arena_alloc(a, (size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *
arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = arena_vprintf(a, fmt, ap);
	va_end(ap);
	return p;
}

void
arena_defer(struct arena *a, void (*fn)(void *), void *p)
{
	struct arena_cleanup *c;

	c = arena_alloc(a, sizeof(*c));
	c->fn = fn;
	c->p = p;
	c->next = a->cleanups;
	a->cleanups = c;
}

static void
run_cleanups(struct arena *a)
{
	struct arena_cleanup *c;

	/* A cleanup may not allocate: the list is detached first. */
	while ((c = a->cleanups) != NULL) {
		a->cleanups = c->next;
		c->fn(c->p);
	}
}

void
arena_reset(struct arena *a)
{
	struct arena_block *b, *next, *keep = NULL;

	run_cleanups(a);
	for (b = a->head; b != NULL; b = next) {
		next = b->next;
#ifndef ARENA_DEBUG
		if (keep == NULL && b->size == ARENA_BLOCK) {
			keep = b;
			continue;
		}
#endif
		free(b);
	}
	if (keep != NULL) {
		keep->next = NULL;
		keep->off = 0;
	}
	a->head = keep;
	a->used = 0;
}

void
arena_free(struct arena *a)
{
	arena_reset(a);
	free(a->head);
	a->head = NULL;
}
