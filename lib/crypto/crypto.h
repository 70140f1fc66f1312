/*
 * crypto.h — the cryptographic core: the only user of OpenSSL.
 *
 * Helpers (random bytes, SHA-256, HMAC-SHA256, constant-time comparison,
 * strict base64/base64url/hex), random tokens and PKCE, the keyring and
 * sealed blobs (AES-256-GCM) that protect stored OAuth tokens, scrypt
 * password hashes, and Standard Webhooks ("svix") signatures.
 *
 * Lifetimes: the keyring is a process object (made at start-up by
 * crypto_keyring_parse(), freed at exit by crypto_keyring_free(), which
 * cleanses the key bytes).  Everything else either writes into a buffer
 * the caller passes, with the size given by a macro below, or allocates
 * from the request arena.  Opened plaintext lives in the arena and is
 * cleansed when the arena is reset.
 *
 * Failures of OpenSSL that can only mean out of memory or a broken
 * installation (a digest that cannot be computed) abort, as out of memory
 * does everywhere else; the exception is the random generator, whose
 * failure is returned as ERR_SYSTEM.
 */
#ifndef SLUICE_CRYPTO_H
#define SLUICE_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/limit.h"

struct arena;

/* --- sizes ---------------------------------------------------------- */

#define CRYPTO_SHA256_LEN	32	/* SHA-256 / HMAC-SHA256 output */
#define CRYPTO_SHA256_HEX_SIZE	65	/* 64 hex digits and a NUL */
#define CRYPTO_KEY_LEN		32	/* AES-256 key */
#define CRYPTO_NONCE_LEN	12	/* GCM nonce */
#define CRYPTO_TAG_LEN		16	/* GCM tag */

/* Encoded lengths of n bytes, without the NUL; add 1 for the buffer. */
#define CRYPTO_B64_LEN(n)	((((n) + 2) / 3) * 4)	/* padded */
#define CRYPTO_B64URL_LEN(n)	(((n) * 4 + 2) / 3)	/* unpadded */
#define CRYPTO_HEX_LEN(n)	((n) * 2)
/* Bytes that decoding len characters can give at most. */
#define CRYPTO_B64_DECODED_MAX(len)	(((len) / 4) * 3 + 3)

/* --- helpers -------------------------------------------------------- */

/* Fills len bytes from the CSPRNG: ERR_OK or ERR_SYSTEM (buf is then
 * zeroed, never half-random). */
enum err	 crypto_random(void *buf, size_t len);

/* SHA-256 of len bytes into out (CRYPTO_SHA256_LEN bytes). */
void		 crypto_sha256(const void *, size_t len,
		    unsigned char *out);

/* SHA-256 of len bytes as 64 lower-case hex digits and a NUL into out
 * (CRYPTO_SHA256_HEX_SIZE bytes): the form stored in the database. */
void		 crypto_sha256_hex(const void *, size_t len, char *out);

/* HMAC-SHA256 of msg under key into out (CRYPTO_SHA256_LEN bytes). */
void		 crypto_hmac_sha256(const void *key, size_t keylen,
		    const void *msg, size_t msglen, unsigned char *out);

/* 1 when the len bytes of a and b are equal, else 0; the time taken
 * depends on len only. */
int		 crypto_equal(const void *a, const void *b, size_t len);

/* Overwrites len bytes with zeros in a way the compiler keeps. */
void		 crypto_cleanse(void *, size_t len);

/*
 * Encoders.  They write the encoding of len bytes and a NUL into out,
 * which must hold CRYPTO_B64_LEN(len) + 1 (base64, with '=' padding),
 * CRYPTO_B64URL_LEN(len) + 1 (base64url, RFC 4648 §5, no padding) or
 * CRYPTO_HEX_LEN(len) + 1 (lower-case hex) bytes, and return the
 * length written (without the NUL).
 */
size_t		 crypto_b64_encode(const void *, size_t len, char *out);
size_t		 crypto_b64url_encode(const void *, size_t len,
		    char *out);
size_t		 crypto_hex_encode(const void *, size_t len, char *out);

/*
 * Strict decoders of len characters into out (size bytes), decoded
 * length in *lenout.  base64 requires padding to a multiple of 4;
 * base64url forbids '=' (and a length of 4k+1).  Both reject characters
 * of the other alphabet, whitespace, NUL and non-zero unused trailing
 * bits.  Hex takes either case and an even length.  ERR_INPUT for any
 * malformed input, ERR_TOOBIG when out is too small (CRYPTO_B64_DECODED_MAX
 * or len / 2 is always enough).  On error *lenout is 0 and out holds
 * nothing usable.
 */
enum err	 crypto_b64_decode(const char *, size_t len, void *out,
		    size_t size, size_t *lenout);
enum err	 crypto_b64url_decode(const char *, size_t len, void *out,
		    size_t size, size_t *lenout);
enum err	 crypto_hex_decode(const char *, size_t len, void *out,
		    size_t size, size_t *lenout);

/*
 * AES-256-GCM, the primitive under crypto_seal(), exposed for the
 * published test vectors: key of CRYPTO_KEY_LEN bytes, nonce of
 * CRYPTO_NONCE_LEN, tag of CRYPTO_TAG_LEN; out holds len bytes (it may
 * be the input).  len and aadlen at most LIMIT_SEAL_PLAINTEXT, else
 * ERR_TOOBIG.  Decryption returns ERR_AUTH when the tag does not match,
 * and out is then zeroed.
 */
enum err	 crypto_gcm_encrypt(const unsigned char *key,
		    const unsigned char *nonce, const void *aad, size_t aadlen,
		    const void *in, size_t len, unsigned char *out,
		    unsigned char *tagout);
enum err	 crypto_gcm_decrypt(const unsigned char *key,
		    const unsigned char *nonce, const void *aad, size_t aadlen,
		    const void *in, size_t len, const unsigned char *tag,
		    unsigned char *out);

/* --- random tokens and PKCE ------------------------------------------ */

#define CRYPTO_TOKEN_BYTES	32	/* 256 bits of randomness */
#define CRYPTO_TOKEN_LEN	43	/* as base64url */
#define CRYPTO_TOKEN_SIZE	44	/* ... and a NUL */
#define CRYPTO_TOKEN_HEX_SIZE	65	/* 64 hex digits and a NUL */

/* 256 random bits as 43 base64url characters and a NUL into out
 * (CRYPTO_TOKEN_SIZE bytes): ERR_OK or ERR_SYSTEM. */
enum err	 crypto_random_b64url(char *out);

/* 256 random bits as 64 hex digits and a NUL into out
 * (CRYPTO_TOKEN_HEX_SIZE bytes): ERR_OK or ERR_SYSTEM. */
enum err	 crypto_random_hex(char *out);

/*
 * A bearer secret (session id, OAuth state, API key, CSRF token) and
 * what to store for it: the token goes to its holder once, only the hash
 * is stored, and a presented token is looked up by
 * crypto_token_hash().
 */
struct crypto_token {
	char	token[CRYPTO_TOKEN_SIZE];	/* base64url, 43 chars */
	char	hash[CRYPTO_SHA256_HEX_SIZE];	/* its hex SHA-256 */
};

/* Makes a fresh token and its hash: ERR_OK or ERR_SYSTEM. */
enum err	 crypto_token_new(struct crypto_token *out);

/* The stored form of a presented token (len bytes): hex SHA-256 into
 * out (CRYPTO_SHA256_HEX_SIZE bytes).  Bound len before calling. */
void		 crypto_token_hash(const char *token, size_t len,
		    char *out);

#define CRYPTO_PKCE_VERIFIER_MIN	43	/* RFC 7636 §4.1 */
#define CRYPTO_PKCE_VERIFIER_MAX	128
#define CRYPTO_PKCE_CHALLENGE_SIZE	44	/* 43 chars and a NUL */

/* A fresh code_verifier: 43 base64url characters (256 bits) and a NUL
 * into out (CRYPTO_TOKEN_SIZE bytes): ERR_OK or ERR_SYSTEM. */
enum err	 crypto_pkce_verifier(char *out);

/*
 * S256 code_challenge = base64url(SHA-256(verifier)) and a NUL into out
 * (CRYPTO_PKCE_CHALLENGE_SIZE bytes).  ERR_INPUT when the verifier is
 * not 43-128 characters of [A-Za-z0-9-._~].
 */
enum err	 crypto_pkce_challenge(const char *verifier, size_t len,
		    char *out);

/* --- keyring and sealed blobs --------------------------------------- */

/*
 * SLUICE_ENCRYPTION_KEYS is "id:base64key[,id:base64key...]": ids of
 * 1 to LIMIT_KEY_ID characters of [A-Za-z0-9_-], unique; each key is
 * standard padded base64 of exactly 32 random bytes
 * (`openssl rand -base64 32`); at most LIMIT_KEYS entries, blanks around
 * an entry ignored.  The FIRST key seals; every key opens.  To rotate,
 * put a new key first, re-seal what crypto_blob_needs_reseal() names,
 * then drop the old key.
 *
 * A sealed blob is text: unpadded base64url of
 *
 *	offset	size	field
 *	0	1	version, 0x01
 *	1	1	n = length of the key id (1..LIMIT_KEY_ID)
 *	2	n	key id, ASCII
 *	2+n	12	nonce, fresh from the CSPRNG for every seal
 *	14+n	m	ciphertext, AES-256-GCM, as long as the plaintext
 *	14+n+m	16	GCM tag
 *
 * The GCM additional data is bytes 0..2+n (version, length, id) followed
 * by the caller's AAD, so neither the header nor the row binding can be
 * changed without the tag failing.  Text rather than bytea: it stores in
 * a TEXT column through PQexecParams' text mode without escaping, and
 * survives logs, JSON and copy-paste between environments unchanged.
 * Random 96-bit nonces keep the usual GCM bound of 2^32 seals per key,
 * far beyond what storing OAuth tokens needs.
 */
struct crypto_keyring;

#define CRYPTO_BLOB_VERSION	1
#define CRYPTO_KEY_ID_SIZE	(LIMIT_KEY_ID + 1)

/*
 * Parses a key list (NUL-terminated).  ERR_OK and *out, a keyring owned
 * by the caller until crypto_keyring_free(); or ERR_INPUT with *why (if
 * why is not NULL; in the arena) naming the entry or key id at fault,
 * never key material.
 */
enum err	 crypto_keyring_parse(struct arena *, const char *spec,
		    struct crypto_keyring **out, const char **why);

/* Cleanses the key bytes and frees the keyring; NULL is a no-op. */
void		 crypto_keyring_free(struct crypto_keyring *);

/* The id of the sealing (first) key; valid while the keyring is. */
const char	*crypto_keyring_current(const struct crypto_keyring *);

/* 1 when the keyring holds a key with this id, else 0. */
int		 crypto_keyring_has(const struct crypto_keyring *,
		    const char *id);

/*
 * Seals len bytes (at most LIMIT_SEAL_PLAINTEXT) with the current key,
 * bound to aad (aadlen bytes, e.g. "workspace|provider|connection").
 * ERR_OK and *out, a NUL-terminated blob owned by the arena; ERR_TOOBIG;
 * or ERR_SYSTEM when the random generator fails.
 */
enum err	 crypto_seal(const struct crypto_keyring *, struct arena *,
		    const void *plain, size_t len, const void *aad,
		    size_t aadlen, char **out);

/*
 * Opens a blob (len characters) sealed with aad.  ERR_OK, *out the
 * plaintext followed by a NUL that is not counted in *lenout, owned by
 * the arena and cleansed when it is reset.  Every failure is ERR_AUTH
 * and gives no plaintext: malformed or truncated blob, unknown version,
 * unknown key id (the message names the id), wrong AAD, any changed bit.
 * *why (if why is not NULL; in the arena) says which, in words safe to
 * log.
 */
enum err	 crypto_open(const struct crypto_keyring *, struct arena *,
		    const char *blob, size_t len, const void *aad,
		    size_t aadlen, unsigned char **out, size_t *lenout,
		    const char **why);

/*
 * Copies the key id a blob names into out (CRYPTO_KEY_ID_SIZE bytes),
 * without a key and without authenticating anything: ERR_OK, or
 * ERR_INPUT when the blob is not well-formed.
 */
enum err	 crypto_blob_key_id(const char *blob, size_t len, char *out);

/* 1 when the blob is not sealed with the current key (or is not a
 * well-formed blob) and should be re-sealed, else 0. */
int		 crypto_blob_needs_reseal(const struct crypto_keyring *,
		    const char *blob, size_t len);

/* --- passwords ------------------------------------------------------- */

/*
 * scrypt (OpenSSL's KDF) with a 16-byte random salt per hash and a
 * 32-byte output, stored as
 *
 *	$scrypt$ln=15,r=8,p=1$<salt base64url>$<hash base64url>
 *
 * where N = 2^ln.  Parameters live in the string so they can be raised:
 * crypto_password_needs_rehash() tells when to hash again at login.
 * Stored parameters are accepted up to LIMIT_SCRYPT_MEM bytes of memory.
 */
struct crypto_scrypt {
	unsigned	ln;	/* log2 of N, the CPU/memory cost */
	unsigned	r;	/* block size */
	unsigned	p;	/* parallelism */
};

/* The parameters new hashes get: ln=15, r=8, p=1 (32 MiB). */
extern const struct crypto_scrypt crypto_scrypt_default;

#define CRYPTO_PASSWORD_HASH_SIZE 128	/* a stored hash and a NUL */

/*
 * Hashes a password of 1 to LIMIT_PASSWORD bytes with the default
 * parameters into out (CRYPTO_PASSWORD_HASH_SIZE bytes, NUL-terminated).
 * ERR_OK; ERR_INPUT (empty), ERR_TOOBIG (too long); ERR_SYSTEM.
 */
enum err	 crypto_password_hash(const char *pw, size_t len, char *out);

/* Like crypto_password_hash() with explicit parameters (tests use cheap
 * ones); ERR_INPUT when they are out of range. */
enum err	 crypto_password_hash_params(const struct crypto_scrypt *,
		    const char *pw, size_t len, char *out);

/*
 * Checks a password against a stored hash (NUL-terminated) in constant
 * time.  ERR_OK on a match; ERR_AUTH on a mismatch or a password out of
 * bounds; ERR_INPUT when the stored string is malformed or its
 * parameters are out of range; ERR_SYSTEM.
 */
enum err	 crypto_password_verify(const char *stored, const char *pw,
		    size_t len);

/*
 * Does the work of checking a password against a default-parameter hash
 * and returns ERR_AUTH (or ERR_SYSTEM): for a login naming no user, so
 * that the response time does not tell which accounts exist.
 */
enum err	 crypto_password_verify_none(const char *pw, size_t len);

/* 1 when the stored hash's parameters differ from the default ones (or
 * it is malformed), so it should be replaced at the next login; else 0. */
int		 crypto_password_needs_rehash(const char *stored);

/* Like crypto_password_needs_rehash() against explicit parameters. */
int		 crypto_password_needs_rehash_params(const char *stored,
		    const struct crypto_scrypt *);

/* --- webhook signatures (Standard Webhooks / svix, "v1") ------------- */

/* Why a webhook signature was refused. */
enum crypto_wh {
	CRYPTO_WH_OK = 0,
	CRYPTO_WH_BAD_SECRET,	/* secret is not whsec_ + base64 */
	CRYPTO_WH_MISSING,	/* id, timestamp or signature absent/empty */
	CRYPTO_WH_BAD_TIMESTAMP, /* timestamp is not a decimal integer */
	CRYPTO_WH_TOO_OLD,	/* more than 300 s before now */
	CRYPTO_WH_TOO_NEW,	/* more than 300 s after now */
	CRYPTO_WH_BAD_HEADER,	/* no well-formed v1 entry in the header */
	CRYPTO_WH_NO_MATCH,	/* no v1 signature matches */
	CRYPTO_WH__MAX
};

#define CRYPTO_WH_TOLERANCE	300	/* seconds each way, inclusive */
#define CRYPTO_WH_SIG_SIZE	48	/* "v1," + 44 base64 + NUL */

/* A stable snake_case name for a reason, e.g. "too_old"; static. */
const char	*crypto_wh_reason(enum crypto_wh);

/*
 * Verifies a webhook: secret ("whsec_" + base64 of the key; the prefix
 * is optional), the svix-id, svix-timestamp and svix-signature header
 * values (NUL-terminated, NULL counts as missing) and the raw body
 * (len bytes), at time now (Unix seconds).  The signature header holds
 * space-separated "version,base64" entries; entries other than v1 are
 * skipped and one matching v1 entry is enough.  Checks in the order of
 * the reference library: secret, missing values, timestamp, freshness,
 * signatures.  Returns CRYPTO_WH_OK or why it failed.
 */
enum crypto_wh	 crypto_wh_verify(const char *secret, const char *id,
		    const char *timestamp, const char *sigheader,
		    const void *body, size_t len, int64_t now);

/*
 * Signs a webhook: "v1,<base64 HMAC-SHA256>" and a NUL into out
 * (CRYPTO_WH_SIG_SIZE bytes) for id, timestamp (as sent) and body.
 * CRYPTO_WH_OK, CRYPTO_WH_BAD_SECRET or CRYPTO_WH_MISSING (empty id).
 */
enum crypto_wh	 crypto_wh_sign(const char *secret, const char *id,
		    const char *timestamp, const void *body, size_t len,
		    char *out);

#endif
