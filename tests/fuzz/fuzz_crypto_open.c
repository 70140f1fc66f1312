/*
 * fuzz_crypto_open.c — the parsers of lib/crypto that read stored or
 * configured text.  The first byte picks one; the rest is its input:
 *
 *	0  crypto_open() and crypto_blob_key_id() of a blob, with a fixed
 *	   keyring ("k1" then "k2") and AAD "ws-1|google|conn-7"
 *	1  crypto_keyring_parse() of a key list; a parsed keyring must seal
 *	   and open a round trip
 *	2  the stored password hash parser (crypto_password_needs_rehash)
 *	3  strict base64, base64url and hex decoding: whatever decodes must
 *	   encode back to the same text (one text per value)
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/arena.h"
#include "crypto/crypto.h"

#define KEYS	"k1:ERERERERERERERERERERERERERERERERERERERERERE=," \
		"k2:IiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiI="
#define AAD	"ws-1|google|conn-7"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct crypto_keyring *fixed;

static void
fuzz_open(const char *in, size_t len)
{
	struct arena a;
	unsigned char *out;
	size_t n;
	char id[CRYPTO_KEY_ID_SIZE];
	const char *msg;
	enum err rc;

	if (fixed == NULL && crypto_keyring_parse(NULL, KEYS, &fixed, NULL) !=
	    ERR_OK)
		abort();
	arena_init(&a);
	rc = crypto_open(fixed, &a, in, len, AAD, strlen(AAD), &out, &n,
	    &msg);
	if (rc == ERR_OK) {
		if (out == NULL || out[n] != '\0')
			abort();
	} else if (rc != ERR_AUTH || out != NULL || n != 0 || msg == NULL ||
	    strlen(msg) == 0)
		abort();
	if (crypto_blob_key_id(in, len, id) == ERR_OK) {
		if (strlen(id) == 0 || strlen(id) > LIMIT_KEY_ID)
			abort();
	} else if (rc == ERR_OK)
		abort();	/* opened but not well-formed? */
	(void)crypto_blob_needs_reseal(fixed, in, len);
	arena_free(&a);
}

static void
fuzz_keyring(const char *spec)
{
	struct crypto_keyring *kr;
	struct arena a;
	const char *msg;
	char *blob;
	unsigned char *out;
	size_t n;

	arena_init(&a);
	if (crypto_keyring_parse(&a, spec, &kr, &msg) != ERR_OK) {
		if (kr != NULL || msg == NULL || strlen(msg) == 0)
			abort();
		arena_free(&a);
		return;
	}
	if (!crypto_keyring_has(kr, crypto_keyring_current(kr)))
		abort();
	if (crypto_seal(kr, &a, "secret", 6, AAD, strlen(AAD), &blob) !=
	    ERR_OK)
		abort();
	if (crypto_open(kr, &a, blob, strlen(blob), AAD, strlen(AAD), &out,
	    &n, NULL) != ERR_OK || n != 6 || memcmp(out, "secret", 6) != 0)
		abort();
	arena_free(&a);
	crypto_keyring_free(kr);
}

static void
fuzz_codecs(const char *in, size_t len)
{
	unsigned char *raw;
	char *text;
	size_t size = CRYPTO_B64_DECODED_MAX(len), n;

	if ((raw = malloc(size)) == NULL ||
	    (text = malloc(CRYPTO_B64_LEN(size) + CRYPTO_HEX_LEN(size) + 1)) ==
	    NULL)
		abort();
	if (crypto_b64_decode(in, len, raw, size, &n) == ERR_OK &&
	    (crypto_b64_encode(raw, n, text) != len ||
	    memcmp(text, in, len) != 0))
		abort();
	if (crypto_b64url_decode(in, len, raw, size, &n) == ERR_OK &&
	    (crypto_b64url_encode(raw, n, text) != len ||
	    memcmp(text, in, len) != 0))
		abort();
	if (crypto_hex_decode(in, len, raw, size, &n) == ERR_OK &&
	    (crypto_hex_encode(raw, n, text) != len ||
	    strncasecmp(text, in, len) != 0))
		abort();
	free(raw);
	free(text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in;
	size_t len;

	if (size == 0)
		return 0;
	len = size - 1;
	if ((in = malloc(len + 1)) == NULL)
		return 0;
	memcpy(in, data + 1, len);
	in[len] = '\0';
	switch (data[0] % 4) {
	case 0:
		fuzz_open(in, len);
		break;
	case 1:
		fuzz_keyring(in);
		break;
	case 2:
		(void)crypto_password_needs_rehash(in);
		break;
	default:
		fuzz_codecs(in, len);
		break;
	}
	free(in);
	return 0;
}
