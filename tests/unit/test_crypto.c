/* test_crypto.c — the cryptographic core against published vectors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include <json-c/json.h>

#include "base/arena.h"
#include "base/jsonx.h"
#include "base/mem.h"
#include "crypto/crypto.h"
#include "testlib.h"

/* Decodes a hex literal of the test into a malloc'd buffer. */
static unsigned char *
unhex(const char *hex, size_t *lenout)
{
	size_t len = strlen(hex);
	unsigned char *p = malloc(len / 2 + 1);

	assert_non_null(p);
	assert_int_equal(crypto_hex_decode(hex, len, p, len / 2, lenout),
	    ERR_OK);
	return p;
}

static void
assert_hex(const unsigned char *p, size_t len, const char *want)
{
	char *got = malloc(CRYPTO_HEX_LEN(len) + 1);

	assert_non_null(got);
	crypto_hex_encode(p, len, got);
	assert_string_equal(got, want);
	free(got);
}

/* --- SHA-256, HMAC ---------------------------------------------------- */

static void
test_crypto_sha256_vectors(void **state)
{
	unsigned char md[CRYPTO_SHA256_LEN];
	char hex[CRYPTO_SHA256_HEX_SIZE];

	(void)state;
	crypto_sha256("abc", 3, md);
	assert_hex(md, sizeof(md), "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
	crypto_sha256("", 0, md);
	assert_hex(md, sizeof(md), "e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b855");
	crypto_sha256_hex(NULL, 0, hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b855");
}

/* RFC 4231 §4.2-4.8, HMAC-SHA-256 results. */
static void
test_crypto_hmac_rfc4231(void **state)
{
	static const struct {
		const char	*key;	/* hex */
		const char	*data;	/* hex */
		const char	*mac;	/* hex; case 5 is truncated */
	} v[] = {
		{ "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
		  "4869205468657265",
		  "b0344c61d8db38535ca8afceaf0bf12b"
		  "881dc200c9833da726e9376c2e32cff7" },
		{ "4a656665",
		  "7768617420646f2079612077616e7420"
		  "666f72206e6f7468696e673f",
		  "5bdcc146bf60754e6a042426089575c7"
		  "5a003f089d2739839dec58b964ec3843" },
		{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		  "dddddddddddddddddddddddddddddddddddddddddddddddddd"
		  "dddddddddddddddddddddddddddddddddddddddddddddddddd",
		  "773ea91e36800e46854db8ebd09181a7"
		  "2959098b3ef8c122d9635514ced565fe" },
		{ "0102030405060708090a0b0c0d0e0f10111213141516171819",
		  "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd"
		  "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd",
		  "82558a389a443c0ea4cc819899f2083a"
		  "85f0faa3e578f8077a2e3ff46729665b" },
		{ "0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c",
		  "546573742057697468205472756e636174696f6e",
		  "a3b6167473100ee06e0c796c2955552b" },
		{ NULL,
		  "54657374205573696e67204c61726765"
		  "72205468616e20426c6f636b2d53697a"
		  "65204b6579202d2048617368204b6579"
		  "204669727374",
		  "60e431591ee0b67f0d8a26aacbf5b77f"
		  "8e0bc6213728c5140546040f0ee37f54" },
		{ NULL,
		  "54686973206973206120746573742075"
		  "73696e672061206c6172676572207468"
		  "616e20626c6f636b2d73697a65206b65"
		  "7920616e642061206c61726765722074"
		  "68616e20626c6f636b2d73697a652064"
		  "6174612e20546865206b6579206e6565"
		  "647320746f2062652068617368656420"
		  "6265666f7265206265696e6720757365"
		  "642062792074686520484d414320616c"
		  "676f726974686d2e",
		  "9b09ffa71b942fcb27635fbcd5b0e944"
		  "bfdc63644f0713938a7f51535c3a35e2" },
	};
	unsigned char big[131], mac[CRYPTO_SHA256_LEN];
	unsigned char *key, *data;
	size_t i, keylen, datalen, n = 0;
	char hex[CRYPTO_SHA256_HEX_SIZE];

	(void)state;
	memset(big, 0xaa, sizeof(big));		/* cases 6 and 7 */
	for (i = 0; i < nitems(v); i++) {
		if (v[i].key != NULL)
			key = unhex(v[i].key, &keylen);
		else {
			key = big;
			keylen = sizeof(big);
		}
		data = unhex(v[i].data, &datalen);
		crypto_hmac_sha256(key, keylen, data, datalen, mac);
		crypto_hex_encode(mac, sizeof(mac), hex);
		/* Case 5 specifies only the first 128 bits. */
		assert_int_equal(strncmp(hex, v[i].mac, strlen(v[i].mac)), 0);
		if (v[i].key != NULL)
			free(key);
		free(data);
		n++;
	}
	assert_int_equal(n, 7);
}

static void
test_crypto_equal_and_random(void **state)
{
	unsigned char a[32], b[32];

	(void)state;
	assert_int_equal(crypto_random(a, sizeof(a)), ERR_OK);
	memcpy(b, a, sizeof(b));
	assert_true(crypto_equal(a, b, sizeof(a)));
	b[31] ^= 1;
	assert_false(crypto_equal(a, b, sizeof(a)));
	assert_true(crypto_equal(a, b, 0));
	assert_int_equal(crypto_random(b, sizeof(b)), ERR_OK);
	assert_false(crypto_equal(a, b, sizeof(a)));
	assert_int_equal(crypto_random(NULL, 0), ERR_OK);
}

/* --- AES-256-GCM ------------------------------------------------------ */

struct gcm_vector {
	const char	*name;
	const char	*key, *iv, *pt, *aad, *ct, *tag;
};

/*
 * McGrew & Viega, "The Galois/Counter Mode of Operation", test cases
 * 13-16 (256-bit key, 96-bit IV), and the first entries with these sizes
 * of NIST CAVP gcmEncryptExtIV256.rsp (Keylen 256, IVlen 96, Taglen 128).
 */
static const struct gcm_vector gcm_vectors[] = {
	{ "McGrew-Viega 13",
	  "0000000000000000000000000000000000000000000000000000000000000000",
	  "000000000000000000000000", "", "", "",
	  "530f8afbc74536b9a963b4f1c4cb738b" },
	{ "McGrew-Viega 14",
	  "0000000000000000000000000000000000000000000000000000000000000000",
	  "000000000000000000000000",
	  "00000000000000000000000000000000", "",
	  "cea7403d4d606b6e074ec5d3baf39d18",
	  "d0d1c8a799996bf0265b98b5d48ab919" },
	{ "McGrew-Viega 15",
	  "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
	  "cafebabefacedbaddecaf888",
	  "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
	  "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255",
	  "",
	  "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
	  "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad",
	  "b094dac5d93471bdec1a502270e3cc6c" },
	{ "McGrew-Viega 16",
	  "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
	  "cafebabefacedbaddecaf888",
	  "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
	  "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
	  "feedfacedeadbeeffeedfacedeadbeefabaddad2",
	  "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
	  "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
	  "76fc6ece0f4e1768cddf8853bb2d551b" },
	{ "CAVP PTlen=0 AADlen=0 #0",
	  "b52c505a37d78eda5dd34f20c22540ea1b58963cf8e5bf8ffa85f9f2492505b4",
	  "516c33929df5a3284ff463d7", "", "", "",
	  "bdc1ac884d332457a1d2664f168c76f0" },
	{ "CAVP PTlen=0 AADlen=128 #0",
	  "78dc4e0aaf52d935c3c01eea57428f00ca1fd475f5da86a49c8dd73d68c8e223",
	  "d79cf22d504cc793c3fb6c8a", "",
	  "b96baa8c1c75a671bfb2d08d06be5f36", "",
	  "3e5d486aa2e30b22e040b85723a06e76" },
	{ "CAVP PTlen=128 AADlen=0 #0",
	  "31bdadd96698c204aa9ce1448ea94ae1fb4a9a0b3c9d773b51bb1822666b8f22",
	  "0d18e06c7c725ac9e362e1ce",
	  "2db5168e932556f8089a0622981d017d", "",
	  "fa4362189661d163fcd6a56d8bf0405a",
	  "d636ac1bbedd5cc3ee727dc2ab4a9489" },
	{ "CAVP PTlen=128 AADlen=128 #0",
	  "92e11dcdaa866f5ce790fd24501f92509aacf4cb8b1339d50c9c1240935dd08b",
	  "ac93a1a6145299bde902f21a",
	  "2d71bcfa914e4ac045b2aa60955fad24",
	  "1e0889016f67601c8ebea4943bc23ad6",
	  "8995ae2e6df3dbf96fac7b7137bae67f",
	  "eca5aa77d51d4a0a14d9c51e1da474ab" },
};

static void
test_crypto_gcm_vectors(void **state)
{
	const struct gcm_vector *v;
	unsigned char *key, *iv, *pt, *aad, *ct, *tag, out[128], t[16];
	size_t i, keylen, ivlen, ptlen, aadlen, ctlen, taglen;

	(void)state;
	for (i = 0; i < nitems(gcm_vectors); i++) {
		v = &gcm_vectors[i];
		print_message("%s\n", v->name);
		key = unhex(v->key, &keylen);
		iv = unhex(v->iv, &ivlen);
		pt = unhex(v->pt, &ptlen);
		aad = unhex(v->aad, &aadlen);
		ct = unhex(v->ct, &ctlen);
		tag = unhex(v->tag, &taglen);
		assert_int_equal(keylen, CRYPTO_KEY_LEN);
		assert_int_equal(ivlen, CRYPTO_NONCE_LEN);
		assert_int_equal(taglen, CRYPTO_TAG_LEN);
		assert_int_equal(crypto_gcm_encrypt(key, iv, aad, aadlen, pt,
		    ptlen, out, t), ERR_OK);
		assert_memory_equal(out, ct, ctlen);
		assert_memory_equal(t, tag, taglen);
		assert_int_equal(crypto_gcm_decrypt(key, iv, aad, aadlen, ct,
		    ctlen, tag, out), ERR_OK);
		assert_memory_equal(out, pt, ptlen);
		/* The decrypt-side FAIL case: one tag bit changed. */
		tag[15] ^= 0x01;
		memset(out, 0x55, sizeof(out));
		assert_int_equal(crypto_gcm_decrypt(key, iv, aad, aadlen, ct,
		    ctlen, tag, out), ERR_AUTH);
		for (size_t j = 0; j < ctlen; j++)
			assert_int_equal(out[j], 0);	/* no plaintext */
		tag[15] ^= 0x01;
		/* Changed additional data fails as well. */
		if (aadlen > 0) {
			aad[0] ^= 0x80;
			assert_int_equal(crypto_gcm_decrypt(key, iv, aad,
			    aadlen, ct, ctlen, tag, out), ERR_AUTH);
		}
		free(key);
		free(iv);
		free(pt);
		free(aad);
		free(ct);
		free(tag);
	}
}

/* --- base64, hex ----------------------------------------------------- */

static void
test_crypto_b64_rfc4648(void **state)
{
	static const char *const v[][3] = {	/* RFC 4648 §10 */
		{ "", "", "" },
		{ "f", "Zg==", "Zg" },
		{ "fo", "Zm8=", "Zm8" },
		{ "foo", "Zm9v", "Zm9v" },
		{ "foob", "Zm9vYg==", "Zm9vYg" },
		{ "fooba", "Zm9vYmE=", "Zm9vYmE" },
		{ "foobar", "Zm9vYmFy", "Zm9vYmFy" },
	};
	char enc[16];
	unsigned char dec[16];
	size_t i, n;

	(void)state;
	for (i = 0; i < nitems(v); i++) {
		assert_int_equal(crypto_b64_encode(v[i][0], strlen(v[i][0]),
		    enc), strlen(v[i][1]));
		assert_string_equal(enc, v[i][1]);
		assert_int_equal(crypto_b64url_encode(v[i][0],
		    strlen(v[i][0]), enc), strlen(v[i][2]));
		assert_string_equal(enc, v[i][2]);
		assert_int_equal(crypto_b64_decode(v[i][1], strlen(v[i][1]),
		    dec, sizeof(dec), &n), ERR_OK);
		assert_int_equal(n, strlen(v[i][0]));
		assert_memory_equal(dec, v[i][0], n);
		assert_int_equal(crypto_b64url_decode(v[i][2],
		    strlen(v[i][2]), dec, sizeof(dec), &n), ERR_OK);
		assert_int_equal(n, strlen(v[i][0]));
		assert_memory_equal(dec, v[i][0], n);
	}
	/* The two alphabets differ in 62 and 63. */
	assert_int_equal(crypto_b64_encode("\xfb\xff\xbf", 3, enc), 4);
	assert_string_equal(enc, "+/+/");
	crypto_b64url_encode("\xfb\xff\xbf", 3, enc);
	assert_string_equal(enc, "-_-_");
	assert_int_equal(crypto_b64url_decode("-_-_", 4, dec, sizeof(dec),
	    &n), ERR_OK);
	assert_memory_equal(dec, "\xfb\xff\xbf", 3);
}

static void
test_crypto_b64_rejects_malformed(void **state)
{
	static const struct {
		const char	*in;
		size_t		 len;
	} std[] = {
		{ "Zg", 2 }, { "Zg=", 3 }, { "Zg===", 5 }, { "Z===", 4 },
		{ "====", 4 }, { "Zm=v", 4 }, { "=Zm9", 4 },
		{ "Zh==", 4 },		/* non-zero trailing bits */
		{ "Zm9=", 4 },
		{ "Zm9v\n", 5 }, { " Zm9v", 5 }, { "Zm 9v", 5 },
		{ "Zm9v\r\n", 6 }, { "Zm\0v", 4 },
		{ "Zm-v", 4 }, { "Zm_v", 4 },	/* url alphabet */
		{ "Zm9v====", 8 }, { "Zm9vYg=\0", 8 }, { "Zm9v\xc3\xa9==", 8 },
	}, url[] = {
		{ "Zg==", 4 }, { "Zm8=", 4 }, { "Z", 1 }, { "Zm9vY", 5 },
		{ "Zh", 2 }, { "Zm9", 3 },	/* non-zero trailing bits */
		{ "Zm+v", 4 }, { "Zm/v", 4 },	/* standard alphabet */
		{ "Zm9v ", 5 }, { "Zm\0v", 4 }, { "Zm9v\t", 5 },
	};
	unsigned char dec[16];
	size_t i, n;

	(void)state;
	for (i = 0; i < nitems(std); i++) {
		n = 99;
		assert_int_equal(crypto_b64_decode(std[i].in, std[i].len, dec,
		    sizeof(dec), &n), ERR_INPUT);
		assert_int_equal(n, 0);
	}
	for (i = 0; i < nitems(url); i++) {
		n = 99;
		assert_int_equal(crypto_b64url_decode(url[i].in, url[i].len,
		    dec, sizeof(dec), &n), ERR_INPUT);
		assert_int_equal(n, 0);
	}
	/* Output space is checked before anything is written. */
	assert_int_equal(crypto_b64_decode("Zm9vYmFy", 8, dec, 5, &n),
	    ERR_TOOBIG);
	assert_int_equal(crypto_b64_decode("Zm9vYmFy", 8, dec, 6, &n), ERR_OK);
	assert_int_equal(crypto_b64url_decode("Zm9vYg", 6, dec, 3, &n),
	    ERR_TOOBIG);
}

static void
test_crypto_hex_round_trip(void **state)
{
	unsigned char raw[256], back[256];
	char hex[CRYPTO_HEX_LEN(256) + 1];
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(raw); i++)
		raw[i] = (unsigned char)i;
	assert_int_equal(crypto_hex_encode(raw, sizeof(raw), hex), 512);
	assert_memory_equal(hex, "000102", 6);
	assert_string_equal(hex + 500, "fafbfcfdfeff");
	assert_int_equal(crypto_hex_decode(hex, 512, back, sizeof(back), &n),
	    ERR_OK);
	assert_int_equal(n, 256);
	assert_memory_equal(back, raw, 256);
	assert_int_equal(crypto_hex_decode("DEADbeef", 8, back, 4, &n),
	    ERR_OK);
	assert_memory_equal(back, "\xde\xad\xbe\xef", 4);
	assert_int_equal(crypto_hex_decode("abc", 3, back, 4, &n), ERR_INPUT);
	assert_int_equal(crypto_hex_decode("0g", 2, back, 4, &n), ERR_INPUT);
	assert_int_equal(crypto_hex_decode("0 ", 2, back, 4, &n), ERR_INPUT);
	assert_int_equal(crypto_hex_decode("0\0", 2, back, 4, &n), ERR_INPUT);
	assert_int_equal(crypto_hex_decode("0011", 4, back, 1, &n),
	    ERR_TOOBIG);
	assert_int_equal(crypto_hex_encode(NULL, 0, hex), 0);
	assert_string_equal(hex, "");
}

/* --- tokens and PKCE ------------------------------------------------- */

static void
test_crypto_pkce_rfc7636(void **state)
{
	const char *verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
	char ch[CRYPTO_PKCE_CHALLENGE_SIZE], v[CRYPTO_TOKEN_SIZE];
	char longv[CRYPTO_PKCE_VERIFIER_MAX + 2];

	(void)state;
	assert_int_equal(crypto_pkce_challenge(verifier, strlen(verifier),
	    ch), ERR_OK);
	/* RFC 7636 Appendix B (also the octets it lists, base64url'd). */
	assert_string_equal(ch, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
	/* Length 43..128 of the unreserved set, nothing else. */
	assert_int_equal(crypto_pkce_challenge(verifier, 42, ch), ERR_INPUT);
	memset(longv, 'a', sizeof(longv));
	assert_int_equal(crypto_pkce_challenge(longv, 128, ch), ERR_OK);
	assert_int_equal(crypto_pkce_challenge(longv, 129, ch), ERR_INPUT);
	longv[10] = '~';
	longv[11] = '.';
	assert_int_equal(crypto_pkce_challenge(longv, 43, ch), ERR_OK);
	longv[12] = '+';
	assert_int_equal(crypto_pkce_challenge(longv, 43, ch), ERR_INPUT);
	longv[12] = '=';
	assert_int_equal(crypto_pkce_challenge(longv, 43, ch), ERR_INPUT);
	assert_string_equal(ch, "");
	assert_int_equal(crypto_pkce_verifier(v), ERR_OK);
	assert_int_equal(strlen(v), 43);
	assert_int_equal(crypto_pkce_challenge(v, strlen(v), ch), ERR_OK);
}

static void
test_crypto_tokens(void **state)
{
	struct crypto_token a, b;
	char hash[CRYPTO_SHA256_HEX_SIZE], hex[CRYPTO_TOKEN_HEX_SIZE];
	char b64[CRYPTO_TOKEN_SIZE];
	unsigned char raw[64];
	size_t n;

	(void)state;
	assert_int_equal(crypto_token_new(&a), ERR_OK);
	assert_int_equal(crypto_token_new(&b), ERR_OK);
	assert_int_equal(strlen(a.token), CRYPTO_TOKEN_LEN);
	assert_int_equal(strlen(a.hash), 64);
	assert_string_not_equal(a.token, b.token);
	assert_string_not_equal(a.hash, b.hash);
	crypto_token_hash(a.token, strlen(a.token), hash);
	assert_string_equal(hash, a.hash);
	assert_int_equal(crypto_b64url_decode(a.token, strlen(a.token), raw,
	    sizeof(raw), &n), ERR_OK);
	assert_int_equal(n, CRYPTO_TOKEN_BYTES);
	assert_int_equal(crypto_random_hex(hex), ERR_OK);
	assert_int_equal(strlen(hex), 64);
	assert_int_equal(crypto_hex_decode(hex, 64, raw, sizeof(raw), &n),
	    ERR_OK);
	assert_int_equal(crypto_random_b64url(b64), ERR_OK);
	assert_int_equal(strlen(b64), 43);
}

/* --- keyring and sealed blobs ---------------------------------------- */

#define AAD1	"ws-1|google|conn-7"
#define AAD2	"ws-2|google|conn-7"

/* "id:base64(32 bytes of fill)" into out. */
static void
key_entry(char *out, size_t size, const char *id, unsigned char fill,
    size_t nbytes)
{
	unsigned char k[64];
	char b64[CRYPTO_B64_LEN(64) + 1];

	memset(k, fill, sizeof(k));
	crypto_b64_encode(k, nbytes, b64);
	snprintf(out, size, "%s:%s", id, b64);
}

static struct crypto_keyring *
keyring(const char *spec)
{
	struct crypto_keyring *kr;
	const char *msg;

	assert_int_equal(crypto_keyring_parse(testlib_arena(), spec, &kr,
	    &msg), ERR_OK);
	assert_null(msg);
	return kr;
}

static void
test_crypto_seal_round_trip(void **state)
{
	struct crypto_keyring *kr;
	struct arena a;
	char spec[128], *blob, *blob2;
	const char *msg;
	char id[CRYPTO_KEY_ID_SIZE];
	const char *plain = "{\"access_token\":\"ya29.secret\"}";
	unsigned char *out;
	size_t n;

	(void)state;
	arena_init(&a);
	key_entry(spec, sizeof(spec), "k2026", 0x42, 32);
	kr = keyring(spec);
	assert_string_equal(crypto_keyring_current(kr), "k2026");
	assert_true(crypto_keyring_has(kr, "k2026"));
	assert_false(crypto_keyring_has(kr, "k2025"));
	assert_int_equal(crypto_seal(kr, &a, plain, strlen(plain), AAD1,
	    strlen(AAD1), &blob), ERR_OK);
	/* Text-safe: base64url only. */
	assert_int_equal(strspn(blob, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijkl"
	    "mnopqrstuvwxyz0123456789-_"), strlen(blob));
	assert_null(strstr(blob, "ya29"));
	assert_int_equal(crypto_open(kr, &a, blob, strlen(blob), AAD1,
	    strlen(AAD1), &out, &n, &msg), ERR_OK);
	assert_int_equal(n, strlen(plain));
	assert_string_equal((char *)out, plain);
	assert_int_equal(crypto_blob_key_id(blob, strlen(blob), id), ERR_OK);
	assert_string_equal(id, "k2026");
	assert_false(crypto_blob_needs_reseal(kr, blob, strlen(blob)));
	/* A fresh nonce each time: the same input seals differently. */
	assert_int_equal(crypto_seal(kr, &a, plain, strlen(plain), AAD1,
	    strlen(AAD1), &blob2), ERR_OK);
	assert_string_not_equal(blob, blob2);
	/* Empty plaintext. */
	assert_int_equal(crypto_seal(kr, &a, "", 0, AAD1, strlen(AAD1),
	    &blob), ERR_OK);
	assert_int_equal(crypto_open(kr, &a, blob, strlen(blob), AAD1,
	    strlen(AAD1), &out, &n, &msg), ERR_OK);
	assert_int_equal(n, 0);
	assert_string_equal((char *)out, "");
	/* Empty AAD is allowed but must match too. */
	assert_int_equal(crypto_seal(kr, &a, "x", 1, NULL, 0, &blob), ERR_OK);
	assert_int_equal(crypto_open(kr, &a, blob, strlen(blob), NULL, 0,
	    &out, &n, NULL), ERR_OK);
	assert_int_equal(crypto_open(kr, &a, blob, strlen(blob), "x", 1,
	    &out, &n, NULL), ERR_AUTH);
	/* Limits. */
	assert_int_equal(crypto_seal(kr, &a, plain, LIMIT_SEAL_PLAINTEXT + 1,
	    AAD1, strlen(AAD1), &blob), ERR_TOOBIG);
	assert_int_equal(crypto_seal(kr, &a, plain, 1, plain,
	    LIMIT_SEAL_AAD + 1, &blob), ERR_TOOBIG);
	crypto_keyring_free(kr);
	arena_free(&a);
}

static void
test_crypto_seal_wrong_aad(void **state)
{
	struct crypto_keyring *kr;
	struct arena a;
	char spec[128], *blob;
	const char *msg;
	unsigned char *out;
	size_t n;

	(void)state;
	arena_init(&a);
	key_entry(spec, sizeof(spec), "k1", 0x11, 32);
	kr = keyring(spec);
	assert_int_equal(crypto_seal(kr, &a, "token", 5, AAD1, strlen(AAD1),
	    &blob), ERR_OK);
	assert_int_equal(crypto_open(kr, &a, blob, strlen(blob), AAD2,
	    strlen(AAD2), &out, &n, &msg), ERR_AUTH);
	assert_null(out);
	assert_int_equal(n, 0);
	assert_non_null(strstr(msg, "failed authentication"));
	/* A prefix of the right AAD is not the right AAD. */
	assert_int_equal(crypto_open(kr, &a, blob, strlen(blob), AAD1,
	    strlen(AAD1) - 1, &out, &n, &msg), ERR_AUTH);
	crypto_keyring_free(kr);
	arena_free(&a);
}

/* Re-encodes bin with one bit flipped and checks that it does not open. */
static void
flip_and_open(struct crypto_keyring *kr, struct arena *a,
    const unsigned char *bin, size_t binlen, size_t byte, int bit,
    const char *want)
{
	unsigned char *copy = malloc(binlen), *out;
	char *text = malloc(CRYPTO_B64URL_LEN(binlen) + 1);
	const char *msg;
	size_t n;

	assert_non_null(copy);
	assert_non_null(text);
	memcpy(copy, bin, binlen);
	copy[byte] ^= (unsigned char)(1u << bit);
	crypto_b64url_encode(copy, binlen, text);
	assert_int_equal(crypto_open(kr, a, text, strlen(text), AAD1,
	    strlen(AAD1), &out, &n, &msg), ERR_AUTH);
	assert_null(out);
	assert_int_equal(n, 0);
	assert_true(strlen(msg) > 0);
	if (want != NULL && strstr(msg, want) == NULL)
		fail_msg("byte %zu bit %d: \"%s\" lacks \"%s\"", byte, bit,
		    msg, want);
	free(copy);
	free(text);
}

static void
test_crypto_seal_flipped_bits(void **state)
{
	struct crypto_keyring *kr;
	struct arena a;
	char spec[128], *blob;
	unsigned char bin[256];
	size_t binlen, i, idlen = 2, nonce, ct, tag;
	int bit;

	(void)state;
	arena_init(&a);
	key_entry(spec, sizeof(spec), "k1", 0x11, 32);
	kr = keyring(spec);
	assert_int_equal(crypto_seal(kr, &a, "refresh-token-value", 19, AAD1,
	    strlen(AAD1), &blob), ERR_OK);
	assert_int_equal(crypto_b64url_decode(blob, strlen(blob), bin,
	    sizeof(bin), &binlen), ERR_OK);
	/* The documented layout. */
	nonce = 2 + idlen;
	ct = nonce + CRYPTO_NONCE_LEN;
	tag = ct + 19;
	assert_int_equal(binlen, tag + CRYPTO_TAG_LEN);
	assert_int_equal(bin[0], CRYPTO_BLOB_VERSION);
	assert_int_equal(bin[1], idlen);
	assert_memory_equal(bin + 2, "k1", 2);
	/* Named parts, with the message each gives. */
	flip_and_open(kr, &a, bin, binlen, 0, 0, "version");
	flip_and_open(kr, &a, bin, binlen, 1, 0, NULL);
	flip_and_open(kr, &a, bin, binlen, 3, 0, "unknown key id \"k0\"");
	flip_and_open(kr, &a, bin, binlen, nonce, 3, "authentication");
	flip_and_open(kr, &a, bin, binlen, ct + 5, 7, "authentication");
	flip_and_open(kr, &a, bin, binlen, tag + 15, 0, "authentication");
	/* And every other bit of the blob. */
	for (i = 0; i < binlen; i++)
		for (bit = 0; bit < 8; bit++)
			flip_and_open(kr, &a, bin, binlen, i, bit, NULL);
	crypto_keyring_free(kr);
	arena_free(&a);
}

static void
test_crypto_seal_unknown_key_and_rotation(void **state)
{
	struct crypto_keyring *old, *both, *other;
	struct arena a;
	char e1[128], e2[128], spec[300], *blob, *blob2;
	const char *msg;
	char id[CRYPTO_KEY_ID_SIZE];
	unsigned char *out;
	size_t n;

	(void)state;
	arena_init(&a);
	key_entry(e1, sizeof(e1), "old-2025", 0x01, 32);
	key_entry(e2, sizeof(e2), "new_2026", 0x02, 32);
	old = keyring(e1);
	assert_int_equal(crypto_seal(old, &a, "tok", 3, AAD1, strlen(AAD1),
	    &blob), ERR_OK);
	/* The new key first: it seals, the old one still opens. */
	snprintf(spec, sizeof(spec), "%s, %s", e2, e1);
	both = keyring(spec);
	assert_string_equal(crypto_keyring_current(both), "new_2026");
	assert_int_equal(crypto_open(both, &a, blob, strlen(blob), AAD1,
	    strlen(AAD1), &out, &n, &msg), ERR_OK);
	assert_memory_equal(out, "tok", 3);
	assert_true(crypto_blob_needs_reseal(both, blob, strlen(blob)));
	assert_false(crypto_blob_needs_reseal(old, blob, strlen(blob)));
	assert_int_equal(crypto_seal(both, &a, out, n, AAD1, strlen(AAD1),
	    &blob2), ERR_OK);
	assert_int_equal(crypto_blob_key_id(blob2, strlen(blob2), id), ERR_OK);
	assert_string_equal(id, "new_2026");
	assert_false(crypto_blob_needs_reseal(both, blob2, strlen(blob2)));
	/* A keyring without the old key names the missing id. */
	other = keyring(e2);
	assert_int_equal(crypto_open(other, &a, blob, strlen(blob), AAD1,
	    strlen(AAD1), &out, &n, &msg), ERR_AUTH);
	assert_null(out);
	assert_non_null(strstr(msg, "unknown key id \"old-2025\""));
	/* The same id with different key bytes fails authentication. */
	key_entry(e2, sizeof(e2), "old-2025", 0x03, 32);
	crypto_keyring_free(other);
	other = keyring(e2);
	assert_int_equal(crypto_open(other, &a, blob, strlen(blob), AAD1,
	    strlen(AAD1), &out, &n, &msg), ERR_AUTH);
	assert_non_null(strstr(msg, "authentication"));
	/* Not a blob at all. */
	assert_int_equal(crypto_blob_key_id("!!", 2, id), ERR_INPUT);
	assert_string_equal(id, "");
	assert_true(crypto_blob_needs_reseal(both, "", 0));
	crypto_keyring_free(old);
	crypto_keyring_free(both);
	crypto_keyring_free(other);
	arena_free(&a);
}

static void
test_crypto_seal_truncated(void **state)
{
	struct crypto_keyring *kr;
	struct arena a;
	char spec[128], *blob, *longer;
	const char *msg;
	unsigned char *out;
	size_t len, i, n;

	(void)state;
	arena_init(&a);
	key_entry(spec, sizeof(spec), "k1", 0x11, 32);
	kr = keyring(spec);
	assert_int_equal(crypto_seal(kr, &a, "abcdef", 6, AAD1, strlen(AAD1),
	    &blob), ERR_OK);
	len = strlen(blob);
	for (i = 0; i < len; i++) {
		assert_int_equal(crypto_open(kr, &a, blob, i, AAD1,
		    strlen(AAD1), &out, &n, &msg), ERR_AUTH);
		assert_null(out);
		assert_true(strlen(msg) > 0);
	}
	/* Extra characters fail too. */
	longer = arena_printf(&a, "%sAAAA", blob);
	assert_int_equal(crypto_open(kr, &a, longer, strlen(longer), AAD1,
	    strlen(AAD1), &out, &n, &msg), ERR_AUTH);
	longer = arena_printf(&a, "%s=", blob);
	assert_int_equal(crypto_open(kr, &a, longer, strlen(longer), AAD1,
	    strlen(AAD1), &out, &n, &msg), ERR_AUTH);
	crypto_keyring_free(kr);
	arena_free(&a);
}

/* Parses spec, expects ERR_INPUT with a message holding want and not
 * holding secret (the key text), and no keyring. */
static void
keyring_bad(const char *spec, const char *want, const char *secret)
{
	struct crypto_keyring *kr = (struct crypto_keyring *)1;
	const char *msg;

	assert_int_equal(crypto_keyring_parse(testlib_arena(), spec, &kr,
	    &msg), ERR_INPUT);
	assert_null(kr);
	print_message("%s\n", msg);
	if (strstr(msg, want) == NULL)
		fail_msg("\"%s\" lacks \"%s\"", msg, want);
	if (secret != NULL && *secret != '\0' && strstr(msg, secret) != NULL)
		fail_msg("\"%s\" shows key material", msg);
}

static void
test_crypto_keyring_parse_errors(void **state)
{
	char good[128], good2[128], k31[128], k33[128], spec[8192];
	const char *key, *key2;
	struct crypto_keyring *kr;
	size_t i;

	(void)state;
	key_entry(good, sizeof(good), "k1", 0x5a, 32);
	key_entry(good2, sizeof(good2), "k2", 0xa5, 32);
	key_entry(k31, sizeof(k31), "short", 0x5a, 31);
	key_entry(k33, sizeof(k33), "long", 0x5a, 33);
	key = strchr(good, ':') + 1;
	key2 = strchr(good2, ':') + 1;

	keyring_bad(NULL, "not set", NULL);
	keyring_bad("", "not set", NULL);
	keyring_bad(key, "entry 1 has no ':'", key);
	snprintf(spec, sizeof(spec), ":%s", key);
	keyring_bad(spec, "entry 1 has an empty key id", key);
	snprintf(spec, sizeof(spec), "bad id:%s", key);
	keyring_bad(spec, "entry 1: a key id is", key);
	snprintf(spec, sizeof(spec), "k.1:%s", key);
	keyring_bad(spec, "entry 1: a key id is", key);
	snprintf(spec, sizeof(spec), "%033d:%s", 0, key);
	keyring_bad(spec, "entry 1: a key id is", key);
	snprintf(spec, sizeof(spec), "k1:%.43s", key);	/* no padding */
	keyring_bad(spec, "key \"k1\" is not valid padded base64", key);
	snprintf(spec, sizeof(spec), "k1:%s ", good2 + 3);
	spec[10] = '-';				/* url alphabet */
	keyring_bad(spec, "key \"k1\" is not valid", key2);
	snprintf(spec, sizeof(spec), "k1:%.20s %s", key, key + 21);
	keyring_bad(spec, "key \"k1\" is not valid", key);
	keyring_bad(k31, "key \"short\" must decode to exactly 32 bytes",
	    strchr(k31, ':') + 1);
	keyring_bad(k33, "key \"long\" must decode to exactly 32 bytes",
	    strchr(k33, ':') + 1);
	keyring_bad("k9:", "key \"k9\" must decode", NULL);
	snprintf(spec, sizeof(spec), "%s,%s,k1:%s", good, good2, key2);
	keyring_bad(spec, "key id \"k1\" appears more than once", key2);
	snprintf(spec, sizeof(spec), "%s,", good);
	keyring_bad(spec, "entry 2 is empty", key);
	snprintf(spec, sizeof(spec), "%s,,%s", good, good2);
	keyring_bad(spec, "entry 2 is empty", key);
	spec[0] = '\0';
	for (i = 0; i <= LIMIT_KEYS; i++)
		snprintf(spec + strlen(spec), sizeof(spec) - strlen(spec),
		    "%sid%zu:%s", i > 0 ? "," : "", i, key);
	keyring_bad(spec, "more than 16 keys (at key id \"id16\")", key);
	memset(spec, 'a', LIMIT_KEYRING_SPEC + 1);
	spec[LIMIT_KEYRING_SPEC + 1] = '\0';
	keyring_bad(spec, "longer than", NULL);

	/* Blanks around entries are fine; the order decides the seal key. */
	snprintf(spec, sizeof(spec), " %s ,\t%s\n", good2, good);
	kr = keyring(spec);
	assert_string_equal(crypto_keyring_current(kr), "k2");
	assert_true(crypto_keyring_has(kr, "k1"));
	crypto_keyring_free(kr);
	crypto_keyring_free(NULL);
}

/* --- passwords ------------------------------------------------------- */

static const struct crypto_scrypt cheap = { 10, 8, 1 };

static void
test_crypto_password_hash_verify(void **state)
{
	char h1[CRYPTO_PASSWORD_HASH_SIZE], h2[CRYPTO_PASSWORD_HASH_SIZE];
	char big[LIMIT_PASSWORD + 1];

	(void)state;
	assert_int_equal(crypto_password_hash_params(&cheap, "correct horse",
	    13, h1), ERR_OK);
	print_message("%s\n", h1);
	assert_int_equal(strncmp(h1, "$scrypt$ln=10,r=8,p=1$", 22), 0);
	assert_int_equal(strlen(h1), 22 + 22 + 1 + 43);
	assert_int_equal(crypto_password_verify(h1, "correct horse", 13),
	    ERR_OK);
	assert_int_equal(crypto_password_verify(h1, "correct horsE", 13),
	    ERR_AUTH);
	assert_int_equal(crypto_password_verify(h1, "correct hors", 12),
	    ERR_AUTH);
	assert_int_equal(crypto_password_verify(h1, "", 0), ERR_AUTH);
	/* A fresh salt: the same password hashes differently. */
	assert_int_equal(crypto_password_hash_params(&cheap, "correct horse",
	    13, h2), ERR_OK);
	assert_string_not_equal(h1, h2);
	assert_int_equal(crypto_password_verify(h2, "correct horse", 13),
	    ERR_OK);
	/* Bytes after a NUL count: the length is what is hashed. */
	assert_int_equal(crypto_password_hash_params(&cheap, "a\0b", 3, h2),
	    ERR_OK);
	assert_int_equal(crypto_password_verify(h2, "a\0c", 3), ERR_AUTH);
	assert_int_equal(crypto_password_verify(h2, "a\0b", 3), ERR_OK);
	/* Bounds. */
	memset(big, 'p', sizeof(big));
	assert_int_equal(crypto_password_hash_params(&cheap, "", 0, h2),
	    ERR_INPUT);
	assert_int_equal(crypto_password_hash_params(&cheap, big,
	    LIMIT_PASSWORD + 1, h2), ERR_TOOBIG);
	assert_int_equal(crypto_password_hash_params(&cheap, big,
	    LIMIT_PASSWORD, h2), ERR_OK);
	assert_int_equal(crypto_password_verify(h2, big, LIMIT_PASSWORD),
	    ERR_OK);
	assert_int_equal(crypto_password_verify(h2, big, LIMIT_PASSWORD + 1),
	    ERR_AUTH);
	/* Parameters out of range are refused, not run. */
	assert_int_equal(crypto_password_hash_params(
	    &(struct crypto_scrypt){ 0, 8, 1 }, "pw", 2, h2), ERR_INPUT);
	assert_int_equal(crypto_password_hash_params(
	    &(struct crypto_scrypt){ 19, 8, 1 }, "pw", 2, h2), ERR_INPUT);
	assert_int_equal(crypto_password_hash_params(
	    &(struct crypto_scrypt){ 10, 0, 1 }, "pw", 2, h2), ERR_INPUT);
	assert_int_equal(crypto_password_hash_params(
	    &(struct crypto_scrypt){ 10, 8, 17 }, "pw", 2, h2), ERR_INPUT);
	assert_int_equal(crypto_password_hash_params(
	    &(struct crypto_scrypt){ 16, 1, 1 }, "pw", 2, h2), ERR_INPUT);
}

static void
test_crypto_password_malformed(void **state)
{
	char good[CRYPTO_PASSWORD_HASH_SIZE], bad[512];
	const char *salt, *hash;
	static const char *const v[] = {
		"", "$scrypt$", "$scrypt$ln=10,r=8,p=1$",
		"$scrypt$ln=10,r=8,p=1",
		"scrypt$ln=10,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAA",
		"$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA",
		"$2b$12$abcdefghijklmnopqrstuv",
		"plaintext-password",
	};
	size_t i;

	(void)state;
	assert_int_equal(crypto_password_hash_params(&cheap, "pw", 2, good),
	    ERR_OK);
	for (i = 0; i < nitems(v); i++) {
		assert_int_equal(crypto_password_verify(v[i], "pw", 2),
		    ERR_INPUT);
		assert_true(crypto_password_needs_rehash(v[i]));
	}
	assert_int_equal(crypto_password_verify(NULL, "pw", 2), ERR_INPUT);
	salt = good + 22;
	hash = strchr(salt, '$') + 1;
#define BAD(...) do {							\
	snprintf(bad, sizeof(bad), __VA_ARGS__);			\
	if (crypto_password_verify(bad, "pw", 2) != ERR_INPUT)		\
		fail_msg("accepted %s", bad);				\
} while (0)
	BAD("$scrypt$ln=99,r=8,p=1$%s", salt);		/* memory bomb */
	BAD("$scrypt$ln=24,r=32,p=1$%s", salt);
	BAD("$scrypt$ln=010,r=8,p=1$%s", salt);	/* leading zero */
	BAD("$scrypt$ln=1000,r=8,p=1$%s", salt);
	BAD("$scrypt$ln=0,r=8,p=1$%s", salt);
	BAD("$scrypt$ln=10,r=0,p=1$%s", salt);
	BAD("$scrypt$ln=10,r=8,p=0$%s", salt);
	BAD("$scrypt$ln=10,r=8,p=99$%s", salt);
	BAD("$scrypt$ln=-1,r=8,p=1$%s", salt);
	BAD("$scrypt$ln=10,p=1,r=8$%s", salt);		/* order */
	BAD("$scrypt$ln=10,r=8,p=1,x=1$%s", salt);
	BAD("$scrypt$ln=10 ,r=8,p=1$%s", salt);
	BAD("$scrypt$ln=10,r=8,p=1$$%s", hash);		/* empty salt */
	BAD("$scrypt$ln=10,r=8,p=1$AAAA$%s", hash);	/* short salt */
	BAD("$scrypt$ln=10,r=8,p=1$%.21s$%s", salt, hash);
	BAD("$scrypt$ln=10,r=8,p=1$%.22s$%.42s", salt, hash);
	BAD("$scrypt$ln=10,r=8,p=1$%.22s$%sAA", salt, hash);
	BAD("$scrypt$ln=10,r=8,p=1$%.22s$%s=", salt, hash);
	BAD("$scrypt$ln=10,r=8,p=1$%.22s$%s$", salt, hash);
	BAD("$scrypt$ln=10,r=8,p=1$%.22s$%s\n", salt, hash);
	BAD("$scrypt$ln=10,r=8,p=1$%.22s", salt);
	BAD("%s%0200d", good, 0);			/* over the size */
#undef BAD
	/* The intact string still verifies. */
	assert_int_equal(crypto_password_verify(good, "pw", 2), ERR_OK);
}

static void
test_crypto_password_needs_rehash(void **state)
{
	char h[CRYPTO_PASSWORD_HASH_SIZE];
	static const struct crypto_scrypt more = { 11, 8, 1 };
	static const struct crypto_scrypt morer = { 10, 9, 1 };
	static const struct crypto_scrypt morep = { 10, 8, 2 };

	(void)state;
	assert_int_equal(crypto_password_hash_params(&cheap, "pw", 2, h),
	    ERR_OK);
	assert_false(crypto_password_needs_rehash_params(h, &cheap));
	assert_true(crypto_password_needs_rehash_params(h, &more));
	assert_true(crypto_password_needs_rehash_params(h, &morer));
	assert_true(crypto_password_needs_rehash_params(h, &morep));
	/* Below the default parameters. */
	assert_true(crypto_password_needs_rehash(h));
	assert_true(crypto_password_needs_rehash("garbage"));
}

static double
seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
test_crypto_password_default_params(void **state)
{
	char h[CRYPTO_PASSWORD_HASH_SIZE];
	double t0, t1, t2, t3;

	(void)state;
	t0 = seconds();
	assert_int_equal(crypto_password_hash("hunter2hunter2", 14, h),
	    ERR_OK);
	t1 = seconds();
	assert_int_equal(crypto_password_verify(h, "hunter2hunter2", 14),
	    ERR_OK);
	t2 = seconds();
	assert_int_equal(crypto_password_verify_none("hunter2hunter2", 14),
	    ERR_AUTH);
	t3 = seconds();
	assert_int_equal(crypto_password_verify_none(NULL, 0), ERR_AUTH);
	print_message("default scrypt (ln=%u,r=%u,p=%u): hash %.0f ms, "
	    "verify %.0f ms, verify_none %.0f ms (this build)\n",
	    crypto_scrypt_default.ln, crypto_scrypt_default.r,
	    crypto_scrypt_default.p, (t1 - t0) * 1e3, (t2 - t1) * 1e3,
	    (t3 - t2) * 1e3);
	assert_int_equal(strncmp(h, "$scrypt$ln=15,r=8,p=1$", 22), 0);
	assert_false(crypto_password_needs_rehash(h));
}

/* --- webhook signatures ---------------------------------------------- */

static void
test_crypto_wh_vectors(void **state)
{
	struct arena a;
	struct json_object *root, *vecs, *v;
	const char *secret, *id, *ts, *body, *sig, *name, *experr;
	char out[CRYPTO_WH_SIG_SIZE];
	int64_t now;
	bool valid;
	size_t i;
	enum crypto_wh want;

	(void)state;
	arena_init(&a);
	root = testlib_json_file(&a, testlib_fixture(&a,
	    "resend/signature-vectors.json"));
	assert_int_equal(jsonx_get_array(root, "vectors", &vecs), ERR_OK);
	assert_int_equal(json_object_array_length(vecs), 3);
	for (i = 0; i < json_object_array_length(vecs); i++) {
		v = json_object_array_get_idx(vecs, i);
		assert_int_equal(jsonx_get_string(v, "name", &name), ERR_OK);
		assert_int_equal(jsonx_get_string(v, "secret", &secret),
		    ERR_OK);
		assert_int_equal(jsonx_get_string(v, "id", &id), ERR_OK);
		assert_int_equal(jsonx_get_string(v, "timestamp", &ts), ERR_OK);
		assert_int_equal(jsonx_get_string(v, "body", &body), ERR_OK);
		assert_int_equal(jsonx_get_string(v, "signature", &sig),
		    ERR_OK);
		assert_int_equal(jsonx_get_int64(v, "now", &now), ERR_OK);
		assert_int_equal(jsonx_get_bool(v, "expected_valid", &valid),
		    ERR_OK);
		if (jsonx_get_string(v, "expected_error", &experr) != ERR_OK)
			experr = NULL;
		want = CRYPTO_WH_OK;
		if (!valid) {
			assert_non_null(experr);
			assert_string_equal(experr,
			    "No matching signature found");
			want = CRYPTO_WH_NO_MATCH;
		}
		print_message("%s\n", name);
		assert_int_equal(crypto_wh_verify(secret, id, ts, sig, body,
		    strlen(body), now), want);
		/* Our signer gives the same header for the valid ones. */
		assert_int_equal(crypto_wh_sign(secret, id, ts, body,
		    strlen(body), out), CRYPTO_WH_OK);
		if (valid)
			assert_string_equal(out, sig);
		else
			assert_string_not_equal(out, sig);
		/* The prefix is optional. */
		assert_int_equal(crypto_wh_verify(secret + 6, id, ts, sig,
		    body, strlen(body), now), want);
	}
	arena_free(&a);
}

#define WH_SECRET	"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
#define WH_ID		"msg_p5jXN8AQM9LWM0D4loKWxJek"
#define WH_TS		"1614265330"
#define WH_NOW		1614265330
#define WH_BODY		"{\"test\": 2432232314}"
#define WH_SIG		"v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
#define WH_OTHER	"v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="

static enum crypto_wh
wh(const char *secret, const char *id, const char *ts, const char *hdr,
    const char *body, int64_t now)
{
	return crypto_wh_verify(secret, id, ts, hdr, body, strlen(body), now);
}

static void
test_crypto_wh_tampered_and_wrong_secret(void **state)
{
	(void)state;
	assert_int_equal(wh(WH_SECRET, WH_ID, WH_TS, WH_SIG, WH_BODY, WH_NOW),
	    CRYPTO_WH_OK);
	assert_int_equal(wh(WH_SECRET, WH_ID, WH_TS, WH_SIG,
	    "{\"test\": 2432232315}", WH_NOW), CRYPTO_WH_NO_MATCH);
	assert_int_equal(wh(WH_SECRET, WH_ID, WH_TS, WH_SIG,
	    "{\"test\": 2432232314} ", WH_NOW), CRYPTO_WH_NO_MATCH);
	assert_int_equal(wh(WH_SECRET, "msg_p5jXN8AQM9LWM0D4loKWxJeK", WH_TS,
	    WH_SIG, WH_BODY, WH_NOW), CRYPTO_WH_NO_MATCH);
	assert_int_equal(wh("whsec_CqTpu5CqjAOmpgm5Kn/Z7+ILvb3xQDKP", WH_ID,
	    WH_TS, WH_SIG, WH_BODY, WH_NOW), CRYPTO_WH_NO_MATCH);
	/* Bad secrets. */
	assert_int_equal(wh(NULL, WH_ID, WH_TS, WH_SIG, WH_BODY, WH_NOW),
	    CRYPTO_WH_BAD_SECRET);
	assert_int_equal(wh("whsec_", WH_ID, WH_TS, WH_SIG, WH_BODY, WH_NOW),
	    CRYPTO_WH_BAD_SECRET);
	assert_int_equal(wh("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS", WH_ID,
	    WH_TS, WH_SIG, WH_BODY, WH_NOW), CRYPTO_WH_BAD_SECRET);
	assert_int_equal(wh("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2La_aSw", WH_ID,
	    WH_TS, WH_SIG, WH_BODY, WH_NOW), CRYPTO_WH_BAD_SECRET);
	assert_int_equal(wh("whsec_ MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", WH_ID,
	    WH_TS, WH_SIG, WH_BODY, WH_NOW), CRYPTO_WH_BAD_SECRET);
}

static void
test_crypto_wh_timestamp_edges(void **state)
{
	char ts[32], sig[CRYPTO_WH_SIG_SIZE];
	static const struct {
		int64_t		 delta;	/* timestamp - now */
		enum crypto_wh	 want;
	} v[] = {
		{ 0, CRYPTO_WH_OK },
		{ -300, CRYPTO_WH_OK }, { -301, CRYPTO_WH_TOO_OLD },
		{ 300, CRYPTO_WH_OK }, { 301, CRYPTO_WH_TOO_NEW },
		{ -86400, CRYPTO_WH_TOO_OLD }, { 86400, CRYPTO_WH_TOO_NEW },
	};
	const int64_t now = 1771804807;
	size_t i;

	(void)state;
	for (i = 0; i < nitems(v); i++) {
		snprintf(ts, sizeof(ts), "%lld", (long long)(now + v[i].delta));
		assert_int_equal(crypto_wh_sign(WH_SECRET, WH_ID, ts, WH_BODY,
		    strlen(WH_BODY), sig), CRYPTO_WH_OK);
		assert_int_equal(wh(WH_SECRET, WH_ID, ts, sig, WH_BODY, now),
		    v[i].want);
	}
	/* Freshness is checked before the signature, like the reference. */
	assert_int_equal(wh(WH_SECRET, WH_ID, WH_TS, WH_OTHER, WH_BODY,
	    WH_NOW + 301), CRYPTO_WH_TOO_OLD);
	/* Extreme clocks do not overflow. */
	assert_int_equal(wh(WH_SECRET, WH_ID, WH_TS, WH_SIG, WH_BODY,
	    INT64_MIN), CRYPTO_WH_TOO_NEW);
	assert_int_equal(wh(WH_SECRET, WH_ID, WH_TS, WH_SIG, WH_BODY,
	    INT64_MAX), CRYPTO_WH_TOO_OLD);
	assert_int_equal(wh(WH_SECRET, WH_ID, "999999999999999", WH_SIG,
	    WH_BODY, INT64_MIN), CRYPTO_WH_TOO_NEW);
	/* Not decimal integers. */
	assert_int_equal(wh(WH_SECRET, WH_ID, "abc", WH_SIG, WH_BODY, WH_NOW),
	    CRYPTO_WH_BAD_TIMESTAMP);
	assert_int_equal(wh(WH_SECRET, WH_ID, "-1614265330", WH_SIG, WH_BODY,
	    WH_NOW), CRYPTO_WH_BAD_TIMESTAMP);
	assert_int_equal(wh(WH_SECRET, WH_ID, "+1614265330", WH_SIG, WH_BODY,
	    WH_NOW), CRYPTO_WH_BAD_TIMESTAMP);
	assert_int_equal(wh(WH_SECRET, WH_ID, "1614265330.0", WH_SIG, WH_BODY,
	    WH_NOW), CRYPTO_WH_BAD_TIMESTAMP);
	assert_int_equal(wh(WH_SECRET, WH_ID, " 1614265330", WH_SIG, WH_BODY,
	    WH_NOW), CRYPTO_WH_BAD_TIMESTAMP);
	assert_int_equal(wh(WH_SECRET, WH_ID, "1614265330 ", WH_SIG, WH_BODY,
	    WH_NOW), CRYPTO_WH_BAD_TIMESTAMP);
	assert_int_equal(wh(WH_SECRET, WH_ID, "1234567890123456", WH_SIG,
	    WH_BODY, WH_NOW), CRYPTO_WH_BAD_TIMESTAMP);
}

static void
test_crypto_wh_several_signatures(void **state)
{
	(void)state;
	assert_int_equal(wh(WH_SECRET, WH_ID, WH_TS, WH_OTHER " " WH_SIG,
	    WH_BODY, WH_NOW), CRYPTO_WH_OK);
	assert_int_equal(wh(WH_SECRET, WH_ID, WH_TS, WH_SIG " " WH_OTHER,
	    WH_BODY, WH_NOW), CRYPTO_WH_OK);
	assert_int_equal(wh(WH_SECRET, WH_ID, WH_TS,
	    "v1a,xyz= v0,abc " WH_SIG " v2,def", WH_BODY, WH_NOW),
	    CRYPTO_WH_OK);
	assert_int_equal(wh(WH_SECRET, WH_ID, WH_TS, WH_OTHER " " WH_OTHER,
	    WH_BODY, WH_NOW), CRYPTO_WH_NO_MATCH);
	/* The right signature under another version does not count. */
	assert_int_equal(wh(WH_SECRET, WH_ID, WH_TS,
	    "v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", WH_BODY,
	    WH_NOW), CRYPTO_WH_BAD_HEADER);
	assert_int_equal(wh(WH_SECRET, WH_ID, WH_TS,
	    "v1a,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE= " WH_OTHER,
	    WH_BODY, WH_NOW), CRYPTO_WH_NO_MATCH);
	/* Extra blanks between entries are skipped. */
	assert_int_equal(wh(WH_SECRET, WH_ID, WH_TS, "  " WH_OTHER "   "
	    WH_SIG " ", WH_BODY, WH_NOW), CRYPTO_WH_OK);
}

static void
test_crypto_wh_malformed(void **state)
{
	static const char *const bad[] = {
		"garbage", "v1", "v1,", ",", "v1,,", "v1 g0hM9SsE",
		"v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE",   /* no = */
		"v1,g0hM9SsE-OTPJTGt_tmIKtSyZlE3uFJELVlNIOLJ1OE=",  /* url */
		"v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE==",
		"v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=\n",
		"V1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
		"v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=,x",
		"v1;g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
		"v1,Zm9v", " ", "\t",
	};
	char *huge;
	size_t i;

	(void)state;
	for (i = 0; i < nitems(bad); i++)
		if (wh(WH_SECRET, WH_ID, WH_TS, bad[i], WH_BODY, WH_NOW) !=
		    CRYPTO_WH_BAD_HEADER)
			fail_msg("accepted header \"%s\"", bad[i]);
	/* Missing values. */
	assert_int_equal(wh(WH_SECRET, WH_ID, WH_TS, "", WH_BODY, WH_NOW),
	    CRYPTO_WH_MISSING);
	assert_int_equal(wh(WH_SECRET, WH_ID, WH_TS, NULL, WH_BODY, WH_NOW),
	    CRYPTO_WH_MISSING);
	assert_int_equal(wh(WH_SECRET, "", WH_TS, WH_SIG, WH_BODY, WH_NOW),
	    CRYPTO_WH_MISSING);
	assert_int_equal(wh(WH_SECRET, NULL, WH_TS, WH_SIG, WH_BODY, WH_NOW),
	    CRYPTO_WH_MISSING);
	assert_int_equal(wh(WH_SECRET, WH_ID, "", WH_SIG, WH_BODY, WH_NOW),
	    CRYPTO_WH_MISSING);
	assert_int_equal(wh(WH_SECRET, WH_ID, NULL, WH_SIG, WH_BODY, WH_NOW),
	    CRYPTO_WH_MISSING);
	/* Over the header limit, even with a good entry inside. */
	huge = malloc(LIMIT_HEADER + 64);
	assert_non_null(huge);
	memset(huge, ' ', LIMIT_HEADER + 1);
	strcpy(huge + LIMIT_HEADER + 1 - strlen(WH_SIG), WH_SIG);
	assert_int_equal(wh(WH_SECRET, WH_ID, WH_TS, huge, WH_BODY, WH_NOW),
	    CRYPTO_WH_BAD_HEADER);
	strcpy(huge + LIMIT_HEADER - strlen(WH_SIG), WH_SIG);
	assert_int_equal(wh(WH_SECRET, WH_ID, WH_TS, huge, WH_BODY, WH_NOW),
	    CRYPTO_WH_OK);
	free(huge);
}

static void
test_crypto_wh_sign_and_reasons(void **state)
{
	char sig[CRYPTO_WH_SIG_SIZE];
	int r;

	(void)state;
	assert_int_equal(crypto_wh_sign(WH_SECRET, WH_ID, WH_TS, WH_BODY,
	    strlen(WH_BODY), sig), CRYPTO_WH_OK);
	assert_string_equal(sig, WH_SIG);
	assert_int_equal(strlen(sig), CRYPTO_WH_SIG_SIZE - 1);
	assert_int_equal(crypto_wh_sign("whsec_!", WH_ID, WH_TS, WH_BODY,
	    strlen(WH_BODY), sig), CRYPTO_WH_BAD_SECRET);
	assert_string_equal(sig, "");
	assert_int_equal(crypto_wh_sign(WH_SECRET, "", WH_TS, WH_BODY,
	    strlen(WH_BODY), sig), CRYPTO_WH_MISSING);
	/* An empty body is signed like any other. */
	assert_int_equal(crypto_wh_sign(WH_SECRET, WH_ID, WH_TS, NULL, 0,
	    sig), CRYPTO_WH_OK);
	assert_int_equal(crypto_wh_verify(WH_SECRET, WH_ID, WH_TS, sig, NULL,
	    0, WH_NOW), CRYPTO_WH_OK);
	assert_string_equal(crypto_wh_reason(CRYPTO_WH_OK), "ok");
	assert_string_equal(crypto_wh_reason(CRYPTO_WH_TOO_OLD), "too_old");
	assert_string_equal(crypto_wh_reason(CRYPTO_WH_NO_MATCH), "no_match");
	for (r = 0; r < CRYPTO_WH__MAX; r++)
		assert_non_null(crypto_wh_reason((enum crypto_wh)r));
	assert_string_equal(crypto_wh_reason(CRYPTO_WH__MAX), "unknown");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crypto_sha256_vectors),
		cmocka_unit_test(test_crypto_hmac_rfc4231),
		cmocka_unit_test(test_crypto_equal_and_random),
		cmocka_unit_test(test_crypto_gcm_vectors),
		cmocka_unit_test(test_crypto_b64_rfc4648),
		cmocka_unit_test(test_crypto_b64_rejects_malformed),
		cmocka_unit_test(test_crypto_hex_round_trip),
		cmocka_unit_test(test_crypto_pkce_rfc7636),
		cmocka_unit_test(test_crypto_tokens),
		cmocka_unit_test(test_crypto_seal_round_trip),
		cmocka_unit_test(test_crypto_seal_wrong_aad),
		cmocka_unit_test(test_crypto_seal_flipped_bits),
		cmocka_unit_test(test_crypto_seal_unknown_key_and_rotation),
		cmocka_unit_test(test_crypto_seal_truncated),
		cmocka_unit_test(test_crypto_keyring_parse_errors),
		cmocka_unit_test(test_crypto_password_hash_verify),
		cmocka_unit_test(test_crypto_password_malformed),
		cmocka_unit_test(test_crypto_password_needs_rehash),
		cmocka_unit_test(test_crypto_password_default_params),
		cmocka_unit_test(test_crypto_wh_vectors),
		cmocka_unit_test(test_crypto_wh_tampered_and_wrong_secret),
		cmocka_unit_test(test_crypto_wh_timestamp_edges),
		cmocka_unit_test(test_crypto_wh_several_signatures),
		cmocka_unit_test(test_crypto_wh_malformed),
		cmocka_unit_test(test_crypto_wh_sign_and_reasons),
	};

	return cmocka_run_group_tests(tests, NULL, testlib_teardown);
}
