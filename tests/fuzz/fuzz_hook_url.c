/*
 * fuzz_hook_url.c — an outgoing webhook endpoint's URL as a person types
 * it (outbox_url_problem), on any input.  Besides "no crash": an accepted
 * URL is printable ASCII, starts with https:// (or http:// when loopback
 * http is allowed), has no user name or password, and what is accepted
 * without the test switch is accepted with it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hooks/outbox.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Whether an accepted URL keeps the rules; aborts when it does not. */
static void
check(const char *url, int allow_http)
{
	const char *p;
	size_t i, n = strlen(url);

	for (i = 0; i < n; i++)
		if ((unsigned char)url[i] <= ' ' ||
		    (unsigned char)url[i] >= 0x7f)
			abort();
	if (strncasecmp(url, "https://", 8) == 0)
		p = url + 8;
	else if (allow_http && strncasecmp(url, "http://", 7) == 0)
		p = url + 7;
	else
		abort();
	if (memchr(p, '@', strcspn(p, "/?#")) != NULL)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy;
	int strict, loose;

	if ((copy = malloc(size + 1)) == NULL)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	strict = outbox_url_problem(copy, false) == NULL;
	loose = outbox_url_problem(copy, true) == NULL;
	if (strict)
		check(copy, 0);
	if (loose)
		check(copy, 1);
	if (strict && !loose)
		abort();
	free(copy);
	return 0;
}
