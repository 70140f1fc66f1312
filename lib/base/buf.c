/* buf.c — bounded growable buffers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/mem.h"

void
buf_init(struct buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->size = 0;
	b->max = max;
}

/* buf_free() with a void * argument, for arena_defer(). */
static void
free_cb(void *p)
{
	buf_free(p);
}

void
buf_init_arena(struct buf *b, struct arena *a, size_t max)
{
	buf_init(b, max);
	arena_defer(a, free_cb, b);
}

struct buf *
buf_new_arena(struct arena *a, size_t max)
{
	struct buf *b = arena_alloc(a, sizeof(*b));

	buf_init_arena(b, a, max);
	return b;
}

/* Makes room for need more bytes plus a NUL. */
static enum err
reserve(struct buf *b, size_t need)
{
	size_t want, nsize;

	if (need > b->max || b->len > b->max - need)
		return ERR_TOOBIG;
	want = b->len + need + 1;
	if (want <= b->size)
		return ERR_OK;
	nsize = b->size == 0 ? 256 : b->size;
	while (nsize < want)
		nsize *= 2;
	if (nsize > b->max + 1)
		nsize = b->max + 1;
	b->data = xrealloc(b->data, nsize);
	b->size = nsize;
	return ERR_OK;
}

enum err
buf_append(struct buf *b, const void *p, size_t len)
{
	enum err rc;

	if ((rc = reserve(b, len)) != ERR_OK)
		return rc;
	if (len > 0)
		memcpy(b->data + b->len, p, len);
	b->len += len;
	b->data[b->len] = '\0';
	return ERR_OK;
}

enum err
buf_puts(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

enum err
buf_putc(struct buf *b, char c)
{
	return buf_append(b, &c, 1);
}

enum err
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	enum err rc;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return ERR_SYSTEM;
	if ((rc = reserve(b, (size_t)n)) != ERR_OK)
		return rc;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return ERR_OK;
}

enum err
buf_put_json_string(struct buf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, start;
	unsigned char c;
	char esc[6];
	enum err rc;

	if ((rc = buf_putc(b, '"')) != ERR_OK)
		return rc;
	for (start = i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f)
			continue;
		if ((rc = buf_append(b, s + start, i - start)) != ERR_OK)
			return rc;
		start = i + 1;
		switch (c) {
		case '"': rc = buf_puts(b, "\\\""); break;
		case '\\': rc = buf_puts(b, "\\\\"); break;
		case '\n': rc = buf_puts(b, "\\n"); break;
		case '\r': rc = buf_puts(b, "\\r"); break;
		case '\t': rc = buf_puts(b, "\\t"); break;
		default:
			memcpy(esc, "\\u00", 4);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 0xf];
			rc = buf_append(b, esc, sizeof(esc));
			break;
		}
		if (rc != ERR_OK)
			return rc;
	}
	if ((rc = buf_append(b, s + start, len - start)) != ERR_OK)
		return rc;
	return buf_putc(b, '"');
}

const char *
buf_cstr(struct buf *b)
{
	return b->data == NULL ? "" : b->data;
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

void
buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->size = 0;
}
