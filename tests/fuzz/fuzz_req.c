/*
 * fuzz_req.c — the request parser on arbitrary CGI parameters and bodies.
 * Input: NAME=value lines, a blank line, then the body.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "web/req.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	char *params[64], *text, *p, *nl, *body = NULL;
	const char *err = NULL;
	struct arena a;
	struct req r;
	size_t n = 0, blen = 0;

	arena_init(&a);
	text = arena_strndup(&a, (const char *)data, len);
	for (p = text; p < text + len && n < 63; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(text + len - p));
		if (nl == NULL)
			nl = text + len;
		*nl = '\0';
		if (nl == p) {
			body = nl + 1 <= text + len ? nl + 1 : nl;
			blen = (size_t)(text + len - body);
			break;
		}
		params[n++] = p;
	}
	params[n] = NULL;
	if (req_parse(&a, params, &r, &err) == ERR_OK) {
		if (body != NULL)
			(void)req_set_body(&a, &r, body, blen, &err);
		(void)req_query(&r, "a");
		(void)req_cookie(&r, "sid");
		(void)req_header(&r, "content-type");
	}
	arena_free(&a);
	return 0;
}
