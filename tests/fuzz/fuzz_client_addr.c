/*
 * fuzz_client_addr.c — X-Forwarded-For as the login throttle reads it
 * (config_client_addr) and an address range (config_net_parse), on any
 * input.  Besides "no crash": behind no trusted proxy the header changes
 * nothing; behind one, the answer is an address (or an IPv6 /64), and a
 * trusted proxy's only when the peer or the header named it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/config.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Whether s is "ADDR" or "ADDR/64" (an IPv6 network). */
static int
address_shaped(const char *s, struct config_net *n)
{
	char text[64];
	size_t len = strlen(s);

	if (len >= sizeof(text))
		return 0;
	memcpy(text, s, len + 1);
	if (len > 3 && strcmp(text + len - 3, "/64") == 0)
		text[len - 3] = '\0';
	return config_net_parse(text, n) == ERR_OK;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config none, proxy;
	struct config_net n;
	struct arena a;
	const char *got;
	char *copy;

	if ((copy = malloc(size + 1)) == NULL)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	arena_init(&a);
	(void)config_net_parse(copy, &n);
	memset(&none, 0, sizeof(none));
	memset(&proxy, 0, sizeof(proxy));
	if (config_net_parse("127.0.0.1", &proxy.trusted[0]) != ERR_OK ||
	    config_net_parse("10.0.0.0/8", &proxy.trusted[1]) != ERR_OK)
		abort();
	proxy.ntrusted = 2;
	got = config_client_addr(&none, &a, "127.0.0.1", copy);
	if (strcmp(got, "127.0.0.1") != 0)
		abort();
	got = config_client_addr(&proxy, &a, "127.0.0.1", copy);
	if (!address_shaped(got, &n))
		abort();
	if (config_trusted_proxy(&proxy, got) && strstr(copy, got) == NULL &&
	    strcmp(got, "127.0.0.1") != 0)
		abort();
	arena_free(&a);
	free(copy);
	return 0;
}
