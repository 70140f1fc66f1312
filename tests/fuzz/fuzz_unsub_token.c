/*
 * fuzz_unsub_token.c — the digest's unsubscribe token parser
 * (digest_unsub_verify) on any input, and the email address check.
 * Besides "no crash", a token made for the workspace and address a valid
 * input names must verify back to them.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/config.h"
#include "mail/digest.h"
#include "mail/email.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a;
	struct config cfg;
	struct digest_env env;
	const char *email, *tok, *again;
	int64_t ws, ws2;
	char *copy;

	if ((copy = malloc(size + 1)) == NULL)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	arena_init(&a);
	memset(&cfg, 0, sizeof(cfg));
	cfg.encryption_keys = "k1:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
	cfg.unsubscribe_secret = "";
	memset(&env, 0, sizeof(env));
	env.arena = &a;
	env.cfg = &cfg;
	(void)email_address_ok(copy);
	if (digest_unsub_verify(&env, copy, &ws, &email) == ERR_OK) {
		tok = digest_unsub_token(&env, ws, email);
		if (tok == NULL || digest_unsub_verify(&env, tok, &ws2,
		    &again) != ERR_OK || ws2 != ws || strcmp(again, email) != 0)
			abort();
	}
	if (email_address_ok(copy)) {
		tok = digest_unsub_token(&env, 1, copy);
		if (tok == NULL || digest_unsub_verify(&env, tok, &ws,
		    &again) != ERR_OK || ws != 1 || strcmp(again, copy) != 0)
			abort();
	}
	arena_free(&a);
	free(copy);
	return 0;
}
