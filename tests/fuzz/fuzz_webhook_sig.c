/*
 * fuzz_webhook_sig.c — webhook signature header parsing and verification.
 *
 * The input is split at newlines into secret, svix-id, svix-timestamp,
 * svix-signature and the body (the rest, newlines kept); missing fields
 * are empty.  The clock reads 1614265330, the svix docs example.  Besides
 * "no crash", it checks that what crypto_wh_sign() makes for the same
 * fields verifies unless the timestamp is bad or out of the window.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"

#define NOW	1614265330

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy, *field[4], *p, *body, sig[CRYPTO_WH_SIG_SIZE];
	size_t i, bodylen;
	enum crypto_wh r, own;

	if ((copy = malloc(size + 1)) == NULL)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	p = copy;
	for (i = 0; i < 4; i++) {
		field[i] = p;
		if ((p = memchr(p, '\n', size - (size_t)(p - copy))) == NULL) {
			p = copy + size;
			for (i++; i < 4; i++)
				field[i] = p;
			break;
		}
		*p++ = '\0';
	}
	body = p;
	bodylen = size - (size_t)(body - copy);

	r = crypto_wh_verify(field[0], field[1], field[2], field[3], body,
	    bodylen, NOW);
	if (r < 0 || r >= CRYPTO_WH__MAX || crypto_wh_reason(r) == NULL)
		abort();
	if (crypto_wh_sign(field[0], field[1], field[2], body, bodylen,
	    sig) == CRYPTO_WH_OK) {
		own = crypto_wh_verify(field[0], field[1], field[2], sig, body,
		    bodylen, NOW);
		if (own != CRYPTO_WH_OK && own != CRYPTO_WH_BAD_TIMESTAMP &&
		    own != CRYPTO_WH_TOO_OLD && own != CRYPTO_WH_TOO_NEW)
			abort();
		/* A header that verified must hold that very signature. */
		if (r == CRYPTO_WH_OK && strstr(field[3], sig + 3) == NULL)
			abort();
	}
	free(copy);
	return 0;
}
