/* mem.c — allocators that abort, with one message, when memory runs out. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"

void
mem_oom(void)
{
	/* No allocation here: stderr is unbuffered. */
	fputs(program_invocation_short_name, stderr);
	fputs(": out of memory\n", stderr);
	abort();
}

void *
xmalloc(size_t n)
{
	void *p;

	if ((p = malloc(n == 0 ? 1 : n)) == NULL)
		mem_oom();
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p;

	if (size != 0 && n > SIZE_MAX / size)
		mem_oom();
	if ((p = calloc(n == 0 ? 1 : n, size == 0 ? 1 : size)) == NULL)
		mem_oom();
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	if ((p = realloc(p, n == 0 ? 1 : n)) == NULL)
		mem_oom();
	return p;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t len)
{
	char *p;

	if ((p = strndup(s, len)) == NULL)
		mem_oom();
	return p;
}
