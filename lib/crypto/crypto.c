/*
 * crypto.c — the cryptographic core; the only file that calls OpenSSL.
 *
 * Owns the keyring (malloc, cleansed and freed by crypto_keyring_free())
 * and nothing else: results go to caller buffers or the request arena.
 * After any failed OpenSSL call the thread's error queue is cleared, since
 * libpq and libcurl read the same queue for their TLS errors.
 */
#include <stdarg.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "base/arena.h"
#include "base/hex.h"
#include "base/mem.h"
#include "crypto/crypto.h"

struct crypto_key {
	char		id[CRYPTO_KEY_ID_SIZE];
	size_t		idlen;
	unsigned char	key[CRYPTO_KEY_LEN];
};

struct crypto_keyring {
	size_t			n;
	struct crypto_key	keys[LIMIT_KEYS];	/* keys[0] seals */
};

/* Plaintext handed out in an arena, cleansed when the arena is reset. */
struct secret {
	size_t		size;
	unsigned char	data[];
};

#define BLOB_HEAD(idlen) (2 + (idlen))
#define BLOB_MIN	(BLOB_HEAD(1) + CRYPTO_NONCE_LEN + CRYPTO_TAG_LEN)
#define BLOB_MAX	(BLOB_HEAD(LIMIT_KEY_ID) + CRYPTO_NONCE_LEN + \
			    LIMIT_SEAL_PLAINTEXT + CRYPTO_TAG_LEN)

#define SCRYPT_PREFIX		"$scrypt$"
#define SCRYPT_SALT_LEN		16
#define SCRYPT_SALT_MIN		8
#define SCRYPT_SALT_MAX		64
#define SCRYPT_HASH_LEN		32
#define SCRYPT_LN_MAX		24
#define SCRYPT_R_MAX		32
#define SCRYPT_P_MAX		16

#define WH_PREFIX		"whsec_"
#define WH_SIG_B64_LEN		CRYPTO_B64_LEN(CRYPTO_SHA256_LEN) /* 44 */

const struct crypto_scrypt crypto_scrypt_default = { 15, 8, 1 };

static const char b64std[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b64url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
static const char hexdigits[] = "0123456789abcdef";

static const char *const wh_reasons[CRYPTO_WH__MAX] = {
	[CRYPTO_WH_OK] = "ok",
	[CRYPTO_WH_BAD_SECRET] = "bad_secret",
	[CRYPTO_WH_MISSING] = "missing_header",
	[CRYPTO_WH_BAD_TIMESTAMP] = "bad_timestamp",
	[CRYPTO_WH_TOO_OLD] = "too_old",
	[CRYPTO_WH_TOO_NEW] = "too_new",
	[CRYPTO_WH_BAD_HEADER] = "bad_signature_header",
	[CRYPTO_WH_NO_MATCH] = "no_match",
};

/* An OpenSSL failure that can only be out of memory or a broken build. */
static void __attribute__((noreturn))
fatal(const char *what)
{
	fprintf(stderr, "crypto: %s failed\n", what);
	abort();
}

/* Sets *why (when why is not NULL) to a message in the arena. */
static void __attribute__((format(printf, 3, 4)))
say(struct arena *a, const char **why, const char *fmt, ...)
{
	va_list ap;

	if (why == NULL)
		return;
	va_start(ap, fmt);
	*why = arena_vprintf(a, fmt, ap);
	va_end(ap);
}

/* --- helpers ---------------------------------------------------------- */

enum err
crypto_random(void *buf, size_t len)
{
	if (len == 0)
		return ERR_OK;
	if (len > INT_MAX || RAND_bytes(buf, (int)len) != 1) {
		ERR_clear_error();
		OPENSSL_cleanse(buf, len);
		return ERR_SYSTEM;
	}
	return ERR_OK;
}

void
crypto_sha256(const void *p, size_t len, unsigned char *out)
{
	unsigned int outlen = 0;

	if (EVP_Digest(len == 0 ? "" : p, len, out, &outlen, EVP_sha256(),
	    NULL) != 1 || outlen != CRYPTO_SHA256_LEN)
		fatal("SHA-256");
}

void
crypto_sha256_hex(const void *p, size_t len, char *out)
{
	unsigned char md[CRYPTO_SHA256_LEN];

	crypto_sha256(p, len, md);
	crypto_hex_encode(md, sizeof(md), out);
}

/*
 * HMAC-SHA256 over the concatenation of n parts, without building it.
 */
static void
hmac_parts(const void *key, size_t keylen, const void *const *parts,
    const size_t *lens, size_t n, unsigned char *out)
{
	EVP_MAC *mac;
	EVP_MAC_CTX *ctx;
	OSSL_PARAM params[2];
	size_t i, outlen = 0;

	if ((mac = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL)
		fatal("HMAC fetch");
	if ((ctx = EVP_MAC_CTX_new(mac)) == NULL)
		fatal("HMAC context");
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    (char *)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_end();
	/* A NULL key means "keep the previous one" to OpenSSL. */
	if (EVP_MAC_init(ctx, keylen == 0 ? (const void *)"" : key, keylen,
	    params) != 1)
		fatal("HMAC init");
	for (i = 0; i < n; i++)
		if (lens[i] > 0 && EVP_MAC_update(ctx, parts[i], lens[i]) != 1)
			fatal("HMAC update");
	if (EVP_MAC_final(ctx, out, &outlen, CRYPTO_SHA256_LEN) != 1 ||
	    outlen != CRYPTO_SHA256_LEN)
		fatal("HMAC final");
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
}

void
crypto_hmac_sha256(const void *key, size_t keylen, const void *msg,
    size_t msglen, unsigned char *out)
{
	hmac_parts(key, keylen, &msg, &msglen, 1, out);
}

int
crypto_equal(const void *a, const void *b, size_t len)
{
	return CRYPTO_memcmp(a, b, len) == 0;
}

void
crypto_cleanse(void *p, size_t len)
{
	if (len > 0)
		OPENSSL_cleanse(p, len);
}

/* --- base64 and hex ----------------------------------------------------- */

static size_t
b64_encode(const char *alpha, int pad, const unsigned char *in, size_t len,
    char *out)
{
	size_t i, o = 0;
	uint32_t v;

	for (i = 0; i + 3 <= len; i += 3) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 |
		    in[i + 2];
		out[o++] = alpha[v >> 18 & 63];
		out[o++] = alpha[v >> 12 & 63];
		out[o++] = alpha[v >> 6 & 63];
		out[o++] = alpha[v & 63];
	}
	if (len - i == 1) {
		v = (uint32_t)in[i] << 16;
		out[o++] = alpha[v >> 18 & 63];
		out[o++] = alpha[v >> 12 & 63];
		if (pad) {
			out[o++] = '=';
			out[o++] = '=';
		}
	} else if (len - i == 2) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
		out[o++] = alpha[v >> 18 & 63];
		out[o++] = alpha[v >> 12 & 63];
		out[o++] = alpha[v >> 6 & 63];
		if (pad)
			out[o++] = '=';
	}
	out[o] = '\0';
	return o;
}

size_t
crypto_b64_encode(const void *in, size_t len, char *out)
{
	return b64_encode(b64std, 1, in, len, out);
}

size_t
crypto_b64url_encode(const void *in, size_t len, char *out)
{
	return b64_encode(b64url, 0, in, len, out);
}

/* The value of one character in the alphabet, or -1. */
static int
b64_value(const char *alpha, unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == (unsigned char)alpha[62])
		return 62;
	if (c == (unsigned char)alpha[63])
		return 63;
	return -1;
}

static enum err
b64_decode(const char *alpha, int padded, const char *in, size_t len,
    unsigned char *out, size_t size, size_t *lenout)
{
	size_t i, o, datalen, rem, outlen;
	uint32_t acc = 0;
	int v, last = 0;

	*lenout = 0;
	if (padded) {
		if (len % 4 != 0)
			return ERR_INPUT;
		datalen = len;
		if (datalen > 0 && in[datalen - 1] == '=')
			datalen--;
		if (datalen > 0 && in[datalen - 1] == '=')
			datalen--;
	} else
		datalen = len;
	rem = datalen % 4;
	if (rem == 1)
		return ERR_INPUT;
	outlen = datalen / 4 * 3 + (rem == 0 ? 0 : rem - 1);
	if (outlen > size)
		return ERR_TOOBIG;
	for (i = 0, o = 0; i < datalen; i++) {
		if ((v = b64_value(alpha, (unsigned char)in[i])) < 0)
			return ERR_INPUT;
		acc = acc << 6 | (uint32_t)v;
		last = v;
		if (i % 4 == 3) {
			out[o++] = acc >> 16 & 0xff;
			out[o++] = acc >> 8 & 0xff;
			out[o++] = acc & 0xff;
			acc = 0;
		}
	}
	/* Unused low bits of the last character must be zero. */
	if (rem == 2) {
		if (last & 0x0f)
			return ERR_INPUT;
		out[o++] = acc >> 4 & 0xff;
	} else if (rem == 3) {
		if (last & 0x03)
			return ERR_INPUT;
		out[o++] = acc >> 10 & 0xff;
		out[o++] = acc >> 2 & 0xff;
	}
	*lenout = o;
	return ERR_OK;
}

enum err
crypto_b64_decode(const char *in, size_t len, void *out, size_t size,
    size_t *lenout)
{
	return b64_decode(b64std, 1, in, len, out, size, lenout);
}

enum err
crypto_b64url_decode(const char *in, size_t len, void *out, size_t size,
    size_t *lenout)
{
	return b64_decode(b64url, 0, in, len, out, size, lenout);
}

size_t
crypto_hex_encode(const void *in, size_t len, char *out)
{
	const unsigned char *p = in;
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = hexdigits[p[i] >> 4];
		out[2 * i + 1] = hexdigits[p[i] & 0x0f];
	}
	out[2 * len] = '\0';
	return 2 * len;
}

enum err
crypto_hex_decode(const char *in, size_t len, void *out, size_t size,
    size_t *lenout)
{
	unsigned char *o = out;
	size_t i;
	int hi, lo;

	*lenout = 0;
	if (len % 2 != 0)
		return ERR_INPUT;
	if (len / 2 > size)
		return ERR_TOOBIG;
	for (i = 0; i < len; i += 2) {
		if ((hi = hex_digit((unsigned char)in[i])) < 0 ||
		    (lo = hex_digit((unsigned char)in[i + 1])) < 0)
			return ERR_INPUT;
		o[i / 2] = (unsigned char)(hi << 4 | lo);
	}
	*lenout = len / 2;
	return ERR_OK;
}

/* --- AES-256-GCM ------------------------------------------------------- */

/*
 * One GCM operation with the additional data in two parts (the blob
 * header and the caller's binding).  Returns 1, or 0 when decryption
 * finds a wrong tag.
 */
static int
gcm(int enc, const unsigned char *key, const unsigned char *nonce,
    const void *aad1, size_t aad1len, const void *aad2, size_t aad2len,
    const unsigned char *in, size_t len, unsigned char *out,
    unsigned char *tag)
{
	EVP_CIPHER_CTX *ctx;
	unsigned char fin[CRYPTO_TAG_LEN];
	int n, ok = 1;

	if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
		fatal("cipher context");
	if (EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL,
	    enc) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN,
	    CRYPTO_NONCE_LEN, NULL) != 1 ||
	    EVP_CipherInit_ex(ctx, NULL, NULL, key, nonce, enc) != 1)
		fatal("AES-256-GCM init");
	if (aad1len > 0 && EVP_CipherUpdate(ctx, NULL, &n, aad1,
	    (int)aad1len) != 1)
		fatal("AES-256-GCM aad");
	if (aad2len > 0 && EVP_CipherUpdate(ctx, NULL, &n, aad2,
	    (int)aad2len) != 1)
		fatal("AES-256-GCM aad");
	if (len > 0 && (EVP_CipherUpdate(ctx, out, &n, in, (int)len) != 1 ||
	    (size_t)n != len))
		fatal("AES-256-GCM update");
	if (!enc && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG,
	    CRYPTO_TAG_LEN, tag) != 1)
		fatal("AES-256-GCM set tag");
	if (EVP_CipherFinal_ex(ctx, fin, &n) != 1) {
		if (enc)
			fatal("AES-256-GCM final");
		ERR_clear_error();
		ok = 0;
	}
	if (ok && enc && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG,
	    CRYPTO_TAG_LEN, tag) != 1)
		fatal("AES-256-GCM get tag");
	EVP_CIPHER_CTX_free(ctx);
	if (!ok)
		crypto_cleanse(out, len);
	return ok;
}

enum err
crypto_gcm_encrypt(const unsigned char *key, const unsigned char *nonce,
    const void *aad, size_t aadlen, const void *in, size_t len,
    unsigned char *out, unsigned char *tagout)
{
	if (len > LIMIT_SEAL_PLAINTEXT || aadlen > LIMIT_SEAL_PLAINTEXT)
		return ERR_TOOBIG;
	gcm(1, key, nonce, aad, aadlen, NULL, 0, in, len, out, tagout);
	return ERR_OK;
}

enum err
crypto_gcm_decrypt(const unsigned char *key, const unsigned char *nonce,
    const void *aad, size_t aadlen, const void *in, size_t len,
    const unsigned char *tag, unsigned char *out)
{
	unsigned char t[CRYPTO_TAG_LEN];

	if (len > LIMIT_SEAL_PLAINTEXT || aadlen > LIMIT_SEAL_PLAINTEXT)
		return ERR_TOOBIG;
	memcpy(t, tag, sizeof(t));
	if (!gcm(0, key, nonce, aad, aadlen, NULL, 0, in, len, out, t))
		return ERR_AUTH;
	return ERR_OK;
}

/* --- tokens and PKCE ----------------------------------------------------- */

enum err
crypto_random_b64url(char *out)
{
	unsigned char r[CRYPTO_TOKEN_BYTES];
	enum err rc;

	if ((rc = crypto_random(r, sizeof(r))) != ERR_OK) {
		out[0] = '\0';
		return rc;
	}
	crypto_b64url_encode(r, sizeof(r), out);
	crypto_cleanse(r, sizeof(r));
	return ERR_OK;
}

enum err
crypto_random_hex(char *out)
{
	unsigned char r[CRYPTO_TOKEN_BYTES];
	enum err rc;

	if ((rc = crypto_random(r, sizeof(r))) != ERR_OK) {
		out[0] = '\0';
		return rc;
	}
	crypto_hex_encode(r, sizeof(r), out);
	crypto_cleanse(r, sizeof(r));
	return ERR_OK;
}

enum err
crypto_token_new(struct crypto_token *out)
{
	enum err rc;

	memset(out, 0, sizeof(*out));
	if ((rc = crypto_random_b64url(out->token)) != ERR_OK)
		return rc;
	crypto_token_hash(out->token, CRYPTO_TOKEN_LEN, out->hash);
	return ERR_OK;
}

void
crypto_token_hash(const char *token, size_t len, char *out)
{
	crypto_sha256_hex(token, len, out);
}

enum err
crypto_pkce_verifier(char *out)
{
	return crypto_random_b64url(out);
}

enum err
crypto_pkce_challenge(const char *verifier, size_t len, char *out)
{
	unsigned char md[CRYPTO_SHA256_LEN];
	size_t i;
	unsigned char c;

	out[0] = '\0';
	if (len < CRYPTO_PKCE_VERIFIER_MIN || len > CRYPTO_PKCE_VERIFIER_MAX)
		return ERR_INPUT;
	for (i = 0; i < len; i++) {
		c = (unsigned char)verifier[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~'))
			return ERR_INPUT;
	}
	crypto_sha256(verifier, len, md);
	crypto_b64url_encode(md, sizeof(md), out);
	return ERR_OK;
}

/* --- keyring ---------------------------------------------------------- */

static int
key_id_ok(const char *id, size_t len)
{
	size_t i;
	unsigned char c;

	if (len == 0 || len > LIMIT_KEY_ID)
		return 0;
	for (i = 0; i < len; i++) {
		c = (unsigned char)id[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return 0;
	}
	return 1;
}

static const struct crypto_key *
keyring_find(const struct crypto_keyring *kr, const char *id, size_t len)
{
	size_t i;

	for (i = 0; i < kr->n; i++)
		if (kr->keys[i].idlen == len &&
		    memcmp(kr->keys[i].id, id, len) == 0)
			return &kr->keys[i];
	return NULL;
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * Parses one "id:base64key" entry (no surrounding blanks) into the next
 * slot of kr.  Messages name the entry by position and, once the id is
 * known to be well-formed, by id; never the key text.
 */
static enum err
keyring_add(struct arena *a, struct crypto_keyring *kr, size_t pos,
    const char *s, size_t len, const char **why)
{
	struct crypto_key *k;
	const char *colon, *key;
	size_t idlen, keylen, n;
	unsigned char raw[CRYPTO_B64_DECODED_MAX(
	    CRYPTO_B64_LEN(CRYPTO_KEY_LEN))];
	enum err rc;

	if (len == 0) {
		say(a, why, "SLUICE_ENCRYPTION_KEYS: entry %zu is empty",
		    pos);
		return ERR_INPUT;
	}
	if ((colon = memchr(s, ':', len)) == NULL) {
		say(a, why, "SLUICE_ENCRYPTION_KEYS: entry %zu has no "
		    "':' (expected id:base64key)", pos);
		return ERR_INPUT;
	}
	idlen = (size_t)(colon - s);
	if (idlen == 0) {
		say(a, why, "SLUICE_ENCRYPTION_KEYS: entry %zu has an "
		    "empty key id", pos);
		return ERR_INPUT;
	}
	if (!key_id_ok(s, idlen)) {
		say(a, why, "SLUICE_ENCRYPTION_KEYS: entry %zu: a key id "
		    "is 1-%d characters of A-Z a-z 0-9 _ -", pos, LIMIT_KEY_ID);
		return ERR_INPUT;
	}
	if (keyring_find(kr, s, idlen) != NULL) {
		say(a, why, "SLUICE_ENCRYPTION_KEYS: key id \"%.*s\" "
		    "appears more than once", (int)idlen, s);
		return ERR_INPUT;
	}
	if (kr->n == LIMIT_KEYS) {
		say(a, why, "SLUICE_ENCRYPTION_KEYS: more than %d keys "
		    "(at key id \"%.*s\")", LIMIT_KEYS, (int)idlen, s);
		return ERR_INPUT;
	}
	key = colon + 1;
	keylen = len - idlen - 1;
	if (keylen > CRYPTO_B64_LEN(CRYPTO_KEY_LEN))
		rc = ERR_TOOBIG;
	else
		rc = crypto_b64_decode(key, keylen, raw, sizeof(raw), &n);
	if (rc == ERR_INPUT) {
		say(a, why, "SLUICE_ENCRYPTION_KEYS: key \"%.*s\" is not "
		    "valid padded base64", (int)idlen, s);
		crypto_cleanse(raw, sizeof(raw));
		return ERR_INPUT;
	}
	if (rc != ERR_OK || n != CRYPTO_KEY_LEN) {
		say(a, why, "SLUICE_ENCRYPTION_KEYS: key \"%.*s\" must "
		    "decode to exactly %d bytes (openssl rand -base64 32)",
		    (int)idlen, s, CRYPTO_KEY_LEN);
		crypto_cleanse(raw, sizeof(raw));
		return ERR_INPUT;
	}
	k = &kr->keys[kr->n++];
	memcpy(k->id, s, idlen);
	k->id[idlen] = '\0';
	k->idlen = idlen;
	memcpy(k->key, raw, CRYPTO_KEY_LEN);
	crypto_cleanse(raw, sizeof(raw));
	return ERR_OK;
}

enum err
crypto_keyring_parse(struct arena *a, const char *spec,
    struct crypto_keyring **out, const char **why)
{
	struct crypto_keyring *kr;
	const char *s, *e, *end;
	size_t len, pos;
	enum err rc;

	*out = NULL;
	if (why != NULL)
		*why = NULL;
	if (spec == NULL ||
	    (len = strnlen(spec, LIMIT_KEYRING_SPEC + 1)) == 0) {
		say(a, why, "SLUICE_ENCRYPTION_KEYS is not set or empty");
		return ERR_INPUT;
	}
	if (len > LIMIT_KEYRING_SPEC) {
		say(a, why, "SLUICE_ENCRYPTION_KEYS is longer than %d "
		    "bytes", LIMIT_KEYRING_SPEC);
		return ERR_INPUT;
	}
	kr = xmalloc(sizeof(*kr));
	memset(kr, 0, sizeof(*kr));
	end = spec + len;
	for (s = spec, pos = 1; ; pos++) {
		if ((e = memchr(s, ',', (size_t)(end - s))) == NULL)
			e = end;
		while (s < e && is_blank(*s))
			s++;
		len = (size_t)(e - s);
		while (len > 0 && is_blank(s[len - 1]))
			len--;
		if ((rc = keyring_add(a, kr, pos, s, len, why)) != ERR_OK) {
			crypto_keyring_free(kr);
			return rc;
		}
		if (e == end)
			break;
		s = e + 1;
	}
	*out = kr;
	return ERR_OK;
}

void
crypto_keyring_free(struct crypto_keyring *kr)
{
	if (kr == NULL)
		return;
	OPENSSL_cleanse(kr, sizeof(*kr));
	free(kr);
}

const char *
crypto_keyring_current(const struct crypto_keyring *kr)
{
	return kr->keys[0].id;
}

int
crypto_keyring_has(const struct crypto_keyring *kr, const char *id)
{
	return keyring_find(kr, id, strlen(id)) != NULL;
}

/* --- sealed blobs ------------------------------------------------------- */

enum err
crypto_seal(const struct crypto_keyring *kr, struct arena *a,
    const void *plain, size_t len, const void *aad, size_t aadlen,
    char **out)
{
	const struct crypto_key *k = &kr->keys[0];
	unsigned char *bin, *nonce;
	size_t head, binlen;
	enum err rc;

	*out = NULL;
	if (len > LIMIT_SEAL_PLAINTEXT || aadlen > LIMIT_SEAL_AAD)
		return ERR_TOOBIG;
	head = BLOB_HEAD(k->idlen);
	binlen = head + CRYPTO_NONCE_LEN + len + CRYPTO_TAG_LEN;
	bin = xmalloc(binlen);
	bin[0] = CRYPTO_BLOB_VERSION;
	bin[1] = (unsigned char)k->idlen;
	memcpy(bin + 2, k->id, k->idlen);
	nonce = bin + head;
	if ((rc = crypto_random(nonce, CRYPTO_NONCE_LEN)) != ERR_OK) {
		free(bin);
		return rc;
	}
	gcm(1, k->key, nonce, bin, head, aad, aadlen, plain, len,
	    nonce + CRYPTO_NONCE_LEN, nonce + CRYPTO_NONCE_LEN + len);
	*out = arena_alloc(a, CRYPTO_B64URL_LEN(binlen) + 1);
	crypto_b64url_encode(bin, binlen, *out);
	free(bin);
	return ERR_OK;
}

/*
 * Decodes a blob and checks its framing.  ERR_OK with the binary in *binout
 * (malloc, the caller frees) and the id's length in *idlenout; or ERR_INPUT
 * with a message.
 */
static enum err
blob_parse(struct arena *a, const char *blob, size_t len,
    unsigned char **binout, size_t *binlenout, size_t *idlenout,
    const char **why)
{
	unsigned char *bin;
	size_t binlen, idlen;

	*binout = NULL;
	if (len > CRYPTO_B64URL_LEN(BLOB_MAX)) {
		say(a, why, "sealed blob is too long");
		return ERR_INPUT;
	}
	bin = xmalloc(CRYPTO_B64_DECODED_MAX(len));
	if (crypto_b64url_decode(blob, len, bin, CRYPTO_B64_DECODED_MAX(len),
	    &binlen) != ERR_OK) {
		say(a, why, "sealed blob is not base64url");
		goto out;
	}
	if (binlen < 1 || bin[0] != CRYPTO_BLOB_VERSION) {
		say(a, why, "sealed blob has unsupported version %u",
		    binlen < 1 ? 0 : bin[0]);
		goto out;
	}
	if (binlen < BLOB_MIN) {
		say(a, why, "sealed blob is truncated");
		goto out;
	}
	idlen = bin[1];
	if (binlen < BLOB_HEAD(idlen) + CRYPTO_NONCE_LEN + CRYPTO_TAG_LEN) {
		say(a, why, "sealed blob is truncated");
		goto out;
	}
	if (!key_id_ok((const char *)bin + 2, idlen)) {
		say(a, why, "sealed blob has a malformed key id");
		goto out;
	}
	*binout = bin;
	*binlenout = binlen;
	*idlenout = idlen;
	return ERR_OK;
out:
	free(bin);
	return ERR_INPUT;
}

static void
secret_cleanse(void *p)
{
	struct secret *s = p;

	OPENSSL_cleanse(s->data, s->size);
}

enum err
crypto_open(const struct crypto_keyring *kr, struct arena *a,
    const char *blob, size_t len, const void *aad, size_t aadlen,
    unsigned char **out, size_t *lenout, const char **why)
{
	const struct crypto_key *k;
	struct secret *s;
	unsigned char *bin, *nonce;
	size_t binlen, idlen, head, clen;

	*out = NULL;
	*lenout = 0;
	if (why != NULL)
		*why = NULL;
	if (aadlen > LIMIT_SEAL_AAD) {
		say(a, why, "additional data is too long");
		return ERR_AUTH;
	}
	if (blob_parse(a, blob, len, &bin, &binlen, &idlen, why) != ERR_OK)
		return ERR_AUTH;
	if ((k = keyring_find(kr, (const char *)bin + 2, idlen)) == NULL) {
		say(a, why, "sealed blob uses unknown key id \"%.*s\"",
		    (int)idlen, (const char *)bin + 2);
		free(bin);
		return ERR_AUTH;
	}
	head = BLOB_HEAD(idlen);
	nonce = bin + head;
	clen = binlen - head - CRYPTO_NONCE_LEN - CRYPTO_TAG_LEN;
	s = arena_alloc(a, sizeof(*s) + clen + 1);
	s->size = clen + 1;
	arena_defer(a, secret_cleanse, s);
	if (!gcm(0, k->key, nonce, bin, head, aad, aadlen,
	    nonce + CRYPTO_NONCE_LEN, clen, s->data,
	    nonce + CRYPTO_NONCE_LEN + clen)) {
		say(a, why, "sealed blob failed authentication under key "
		    "\"%s\" (wrong row, wrong key or altered)", k->id);
		free(bin);
		return ERR_AUTH;
	}
	free(bin);
	s->data[clen] = '\0';
	*out = s->data;
	*lenout = clen;
	return ERR_OK;
}

enum err
crypto_blob_key_id(const char *blob, size_t len, char *out)
{
	unsigned char *bin;
	size_t binlen, idlen;

	out[0] = '\0';
	if (blob_parse(NULL, blob, len, &bin, &binlen, &idlen, NULL) != ERR_OK)
		return ERR_INPUT;
	memcpy(out, bin + 2, idlen);
	out[idlen] = '\0';
	free(bin);
	return ERR_OK;
}

int
crypto_blob_needs_reseal(const struct crypto_keyring *kr, const char *blob,
    size_t len)
{
	char id[CRYPTO_KEY_ID_SIZE];

	if (crypto_blob_key_id(blob, len, id) != ERR_OK)
		return 1;
	return strcmp(id, kr->keys[0].id) != 0;
}

/* --- passwords ------------------------------------------------------- */

static int
scrypt_params_ok(const struct crypto_scrypt *sp)
{
	if (sp->ln < 1 || sp->ln > SCRYPT_LN_MAX ||
	    sp->r < 1 || sp->r > SCRYPT_R_MAX ||
	    sp->p < 1 || sp->p > SCRYPT_P_MAX)
		return 0;
	/* scrypt needs N < 2^(128 * r / 8). */
	if (sp->ln >= 16 * sp->r)
		return 0;
	return (uint64_t)128 * sp->r * ((uint64_t)1 << sp->ln) <=
	    LIMIT_SCRYPT_MEM;
}

/* Derives SCRYPT_HASH_LEN bytes: 1, or 0 when OpenSSL refuses. */
static int
scrypt(const struct crypto_scrypt *sp, const char *pw, size_t len,
    const unsigned char *salt, size_t saltlen, unsigned char *out)
{
	EVP_KDF *kdf;
	EVP_KDF_CTX *ctx;
	OSSL_PARAM params[7], *p = params;
	uint64_t n = (uint64_t)1 << sp->ln;
	uint64_t maxmem = (uint64_t)LIMIT_SCRYPT_MEM +
	    128 * 1024 * SCRYPT_P_MAX * SCRYPT_R_MAX;
	uint32_t r = sp->r, par = sp->p;
	int ok;

	if ((kdf = EVP_KDF_fetch(NULL, "SCRYPT", NULL)) == NULL)
		fatal("scrypt fetch");
	if ((ctx = EVP_KDF_CTX_new(kdf)) == NULL)
		fatal("scrypt context");
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD,
	    (void *)(len == 0 ? "" : pw), len);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
	    (void *)salt, saltlen);
	*p++ = OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n);
	*p++ = OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r);
	*p++ = OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &par);
	*p++ = OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM,
	    &maxmem);
	*p = OSSL_PARAM_construct_end();
	ok = EVP_KDF_derive(ctx, out, SCRYPT_HASH_LEN, params) == 1;
	if (!ok)
		ERR_clear_error();
	EVP_KDF_CTX_free(ctx);
	EVP_KDF_free(kdf);
	return ok;
}

enum err
crypto_password_hash_params(const struct crypto_scrypt *sp, const char *pw,
    size_t len, char *out)
{
	unsigned char salt[SCRYPT_SALT_LEN], hash[SCRYPT_HASH_LEN];
	char salt64[CRYPTO_B64URL_LEN(SCRYPT_SALT_LEN) + 1];
	char hash64[CRYPTO_B64URL_LEN(SCRYPT_HASH_LEN) + 1];
	enum err rc;

	out[0] = '\0';
	if (!scrypt_params_ok(sp))
		return ERR_INPUT;
	if (len == 0)
		return ERR_INPUT;
	if (len > LIMIT_PASSWORD)
		return ERR_TOOBIG;
	if ((rc = crypto_random(salt, sizeof(salt))) != ERR_OK)
		return rc;
	if (!scrypt(sp, pw, len, salt, sizeof(salt), hash))
		return ERR_SYSTEM;
	crypto_b64url_encode(salt, sizeof(salt), salt64);
	crypto_b64url_encode(hash, sizeof(hash), hash64);
	crypto_cleanse(hash, sizeof(hash));
	snprintf(out, CRYPTO_PASSWORD_HASH_SIZE, SCRYPT_PREFIX "ln=%u,r=%u,p=%u"
	    "$%s$%s", sp->ln, sp->r, sp->p, salt64, hash64);
	return ERR_OK;
}

enum err
crypto_password_hash(const char *pw, size_t len, char *out)
{
	return crypto_password_hash_params(&crypto_scrypt_default, pw, len,
	    out);
}

/* Reads "name=" and a decimal number (1-3 digits, no leading zero). */
static int
scan_param(const char **sp, const char *name, unsigned *out)
{
	const char *s = *sp;
	size_t nlen = strlen(name), i;
	unsigned v = 0;

	if (strncmp(s, name, nlen) != 0 || s[nlen] != '=')
		return 0;
	s += nlen + 1;
	for (i = 0; s[i] >= '0' && s[i] <= '9'; i++) {
		if (i == 3 || (i == 1 && s[0] == '0'))
			return 0;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (i == 0)
		return 0;
	*out = v;
	*sp = s + i;
	return 1;
}

/*
 * Parses a stored hash into its parameters, salt and hash: 1, or 0 when
 * it is malformed or its parameters are out of range.
 */
static int
password_parse(const char *stored, struct crypto_scrypt *sp,
    unsigned char *salt, size_t *saltlen, unsigned char *hash)
{
	const char *s, *dollar;
	size_t len, n;

	if (stored == NULL)
		return 0;
	len = strnlen(stored, CRYPTO_PASSWORD_HASH_SIZE);
	if (len == CRYPTO_PASSWORD_HASH_SIZE ||
	    strncmp(stored, SCRYPT_PREFIX, strlen(SCRYPT_PREFIX)) != 0)
		return 0;
	s = stored + strlen(SCRYPT_PREFIX);
	if (!scan_param(&s, "ln", &sp->ln) || *s++ != ',' ||
	    !scan_param(&s, "r", &sp->r) || *s++ != ',' ||
	    !scan_param(&s, "p", &sp->p) || *s++ != '$')
		return 0;
	if (!scrypt_params_ok(sp))
		return 0;
	if ((dollar = strchr(s, '$')) == NULL)
		return 0;
	if (crypto_b64url_decode(s, (size_t)(dollar - s), salt,
	    SCRYPT_SALT_MAX, saltlen) != ERR_OK || *saltlen < SCRYPT_SALT_MIN)
		return 0;
	s = dollar + 1;
	if (crypto_b64url_decode(s, strlen(s), hash, SCRYPT_HASH_LEN, &n) !=
	    ERR_OK || n != SCRYPT_HASH_LEN)
		return 0;
	return 1;
}

enum err
crypto_password_verify(const char *stored, const char *pw, size_t len)
{
	struct crypto_scrypt sp;
	unsigned char salt[SCRYPT_SALT_MAX], want[SCRYPT_HASH_LEN];
	unsigned char got[SCRYPT_HASH_LEN];
	size_t saltlen;
	enum err rc;

	if (!password_parse(stored, &sp, salt, &saltlen, want))
		return ERR_INPUT;
	if (len == 0 || len > LIMIT_PASSWORD)
		return ERR_AUTH;
	if (!scrypt(&sp, pw, len, salt, saltlen, got))
		return ERR_SYSTEM;
	rc = CRYPTO_memcmp(got, want, SCRYPT_HASH_LEN) == 0 ? ERR_OK :
	    ERR_AUTH;
	crypto_cleanse(got, sizeof(got));
	return rc;
}

enum err
crypto_password_verify_none(const char *pw, size_t len)
{
	static const unsigned char salt[SCRYPT_SALT_LEN];
	unsigned char got[SCRYPT_HASH_LEN];

	if (len > LIMIT_PASSWORD)
		len = LIMIT_PASSWORD;
	if (!scrypt(&crypto_scrypt_default, pw, len, salt, sizeof(salt), got))
		return ERR_SYSTEM;
	crypto_cleanse(got, sizeof(got));
	return ERR_AUTH;
}

int
crypto_password_needs_rehash_params(const char *stored,
    const struct crypto_scrypt *cur)
{
	struct crypto_scrypt sp;
	unsigned char salt[SCRYPT_SALT_MAX], hash[SCRYPT_HASH_LEN];
	size_t saltlen;

	if (!password_parse(stored, &sp, salt, &saltlen, hash))
		return 1;
	return sp.ln != cur->ln || sp.r != cur->r || sp.p != cur->p ||
	    saltlen != SCRYPT_SALT_LEN;
}

int
crypto_password_needs_rehash(const char *stored)
{
	return crypto_password_needs_rehash_params(stored,
	    &crypto_scrypt_default);
}

/* --- webhook signatures ---------------------------------------------- */

const char *
crypto_wh_reason(enum crypto_wh r)
{
	if (r < 0 || r >= CRYPTO_WH__MAX)
		return "unknown";
	return wh_reasons[r];
}

/* Decodes "whsec_<base64>" (prefix optional) into key: its length, or 0. */
static size_t
wh_key(const char *secret, unsigned char *key, size_t size)
{
	size_t len, n;

	if (secret == NULL)
		return 0;
	if (strncmp(secret, WH_PREFIX, strlen(WH_PREFIX)) == 0)
		secret += strlen(WH_PREFIX);
	len = strnlen(secret, LIMIT_WEBHOOK_SECRET + 1);
	if (len == 0 || len > LIMIT_WEBHOOK_SECRET)
		return 0;
	if (crypto_b64_decode(secret, len, key, size, &n) != ERR_OK)
		return 0;
	return n;
}

/* Writes the 44-character base64 signature of id.timestamp.body. */
static void
wh_sig(const unsigned char *key, size_t keylen, const char *id,
    const char *ts, const void *body, size_t len, char *out)
{
	unsigned char mac[CRYPTO_SHA256_LEN];
	const void *parts[5];
	size_t lens[5];

	parts[0] = id;
	lens[0] = strlen(id);
	parts[1] = ".";
	lens[1] = 1;
	parts[2] = ts;
	lens[2] = strlen(ts);
	parts[3] = ".";
	lens[3] = 1;
	parts[4] = body;
	lens[4] = len;
	hmac_parts(key, keylen, parts, lens, 5, mac);
	crypto_b64_encode(mac, sizeof(mac), out);
}

/* Parses a timestamp of 1 to 15 decimal digits: 1, or 0. */
static int
wh_timestamp(const char *s, int64_t *out)
{
	int64_t v = 0;
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		if (i == 15 || s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (s[i] - '0');
	}
	if (i == 0)
		return 0;
	*out = v;
	return 1;
}

enum crypto_wh
crypto_wh_verify(const char *secret, const char *id, const char *timestamp,
    const char *sigheader, const void *body, size_t len, int64_t now)
{
	unsigned char key[CRYPTO_B64_DECODED_MAX(LIMIT_WEBHOOK_SECRET)];
	unsigned char raw[CRYPTO_SHA256_LEN + 3];
	char want[WH_SIG_B64_LEN + 1];
	const char *s, *e = NULL, *comma;
	size_t keylen, hlen, n;
	int64_t ts;
	int wellformed = 0, match = 0;

	if ((keylen = wh_key(secret, key, sizeof(key))) == 0)
		return CRYPTO_WH_BAD_SECRET;
	if (id == NULL || *id == '\0' || timestamp == NULL ||
	    *timestamp == '\0' || sigheader == NULL || *sigheader == '\0') {
		crypto_cleanse(key, sizeof(key));
		return CRYPTO_WH_MISSING;
	}
	if (!wh_timestamp(timestamp, &ts)) {
		crypto_cleanse(key, sizeof(key));
		return CRYPTO_WH_BAD_TIMESTAMP;
	}
	/* Differences of two int64 fit in uint64 without overflow. */
	if (now >= ts && (uint64_t)now - (uint64_t)ts > CRYPTO_WH_TOLERANCE) {
		crypto_cleanse(key, sizeof(key));
		return CRYPTO_WH_TOO_OLD;
	}
	if (ts > now && (uint64_t)ts - (uint64_t)now > CRYPTO_WH_TOLERANCE) {
		crypto_cleanse(key, sizeof(key));
		return CRYPTO_WH_TOO_NEW;
	}
	hlen = strnlen(sigheader, LIMIT_HEADER + 1);
	if (hlen > LIMIT_HEADER) {
		crypto_cleanse(key, sizeof(key));
		return CRYPTO_WH_BAD_HEADER;
	}
	wh_sig(key, keylen, id, timestamp, body, len, want);
	crypto_cleanse(key, sizeof(key));

	/* Space-separated "version,signature" entries; only v1 counts. */
	for (s = sigheader; *s != '\0'; s = *e == '\0' ? e : e + 1) {
		if ((e = strchr(s, ' ')) == NULL)
			e = s + strlen(s);
		n = (size_t)(e - s);
		if ((comma = memchr(s, ',', n)) == NULL ||
		    comma - s != 2 || memcmp(s, "v1", 2) != 0)
			continue;
		comma++;
		n = (size_t)(e - comma);
		if (n != WH_SIG_B64_LEN || crypto_b64_decode(comma, n, raw,
		    sizeof(raw), &n) != ERR_OK || n != CRYPTO_SHA256_LEN)
			continue;
		wellformed++;
		if (CRYPTO_memcmp(comma, want, WH_SIG_B64_LEN) == 0)
			match = 1;
	}
	if (match)
		return CRYPTO_WH_OK;
	return wellformed > 0 ? CRYPTO_WH_NO_MATCH : CRYPTO_WH_BAD_HEADER;
}

enum crypto_wh
crypto_wh_sign(const char *secret, const char *id, const char *timestamp,
    const void *body, size_t len, char *out)
{
	unsigned char key[CRYPTO_B64_DECODED_MAX(LIMIT_WEBHOOK_SECRET)];
	size_t keylen;

	out[0] = '\0';
	if ((keylen = wh_key(secret, key, sizeof(key))) == 0)
		return CRYPTO_WH_BAD_SECRET;
	if (id == NULL || *id == '\0' || timestamp == NULL ||
	    *timestamp == '\0') {
		crypto_cleanse(key, sizeof(key));
		return CRYPTO_WH_MISSING;
	}
	memcpy(out, "v1,", 3);
	wh_sig(key, keylen, id, timestamp, body, len, out + 3);
	crypto_cleanse(key, sizeof(key));
	return CRYPTO_WH_OK;
}
