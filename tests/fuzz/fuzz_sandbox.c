/*
 * fuzz_sandbox.c — the text parsers of the provider sandbox.  The first
 * byte picks one; the rest is its input:
 *
 *	0  sandbox_token_parse(): whatever parses must mint back into a
 *	   token that parses to the same fields
 *	1  sandbox_day_parse(): a parsed day formats back to a date that
 *	   parses to the same day
 *	2  sandbox_unb64url(): what decodes is a NUL-free string
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "sandbox/sandbox_priv.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fuzz_token(const char *in)
{
	struct sandbox_token t, u;
	struct arena a;
	struct ctx ctx;
	struct sbx sx;
	const char *s;

	if (!sandbox_token_parse(in, &t))
		return;
	arena_init(&a);
	memset(&ctx, 0, sizeof(ctx));
	ctx.arena = &a;
	memset(&sx, 0, sizeof(sx));
	sx.ctx = &ctx;
	s = sandbox_token_make(&sx, "x", &t);
	if (!sandbox_token_parse(s, &u) || u.prov != t.prov ||
	    u.kind != t.kind || u.user != t.user || u.exp != t.exp ||
	    strcmp(u.scope, t.scope) != 0 || strcmp(u.fault, t.fault) != 0)
		abort();
	arena_free(&a);
}

static void
fuzz_day(const char *in)
{
	char out[11];
	int64_t d = sandbox_day_parse(in);

	if (d < 0)
		return;
	sandbox_day_format(d, '-', out);
	if (sandbox_day_parse(out) != d)
		abort();
}

static void
fuzz_b64(const char *in)
{
	char out[128];

	if (sandbox_unb64url(in, out, sizeof(out)) && strlen(out) >=
	    sizeof(out))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	char *s;

	if (len < 1 || len > 4096)
		return 0;
	s = malloc(len);
	if (s == NULL)
		return 0;
	memcpy(s, data + 1, len - 1);
	s[len - 1] = '\0';
	switch (data[0] % 3) {
	case 0:
		fuzz_token(s);
		break;
	case 1:
		fuzz_day(s);
		break;
	default:
		fuzz_b64(s);
		break;
	}
	free(s);
	return 0;
}
