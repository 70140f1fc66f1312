/*
 * vault_tool.c — seals and opens connection-token blobs from the shell, for
 * the key-rotation tests.  Keys come from SLUICE_ENCRYPTION_KEYS.
 *   vault_tool seal WORKSPACE PROVIDER CONNECTION PLAINTEXT  → blob
 *   vault_tool open WORKSPACE PROVIDER CONNECTION BLOB       → plaintext
 *   vault_tool keyid BLOB                                    → key id
 *   vault_tool seal-lines < "WS PROVIDER ID PLAINTEXT" lines → blobs
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "connections/vault.h"
#include "crypto/crypto.h"

/* One blob per input line "WS PROVIDER ID PLAINTEXT". */
static int
seal_lines(const char *spec)
{
	struct crypto_keyring *k = NULL;
	char line[1024], prov[128], plain[512], *out;
	const char *msg;
	long long ws, id;
	struct arena a;

	arena_init(&a);
	if (crypto_keyring_parse(&a, spec, &k, &msg) != ERR_OK) {
		fprintf(stderr, "vault_tool: %s\n", msg);
		arena_free(&a);
		return 2;
	}
	while (fgets(line, sizeof(line), stdin) != NULL) {
		if (sscanf(line, "%lld %127s %lld %511s", &ws, prov, &id,
		    plain) != 4 || vault_seal(k, &a, ws, prov, id, plain,
		    strlen(plain), &out) != ERR_OK) {
			fprintf(stderr, "vault_tool: bad line\n");
			break;
		}
		printf("%s\n", out);
		arena_reset(&a);
	}
	arena_free(&a);
	crypto_keyring_free(k);
	return 0;
}

int
main(int argc, char *argv[])
{
	struct crypto_keyring *k = NULL;
	char id[CRYPTO_KEY_ID_SIZE], *out;
	const char *msg;
	struct arena a;
	int status = 1;
	const char *spec = getenv("SLUICE_ENCRYPTION_KEYS");

	if (argc == 3 && strcmp(argv[1], "keyid") == 0) {
		if (crypto_blob_key_id(argv[2], strlen(argv[2]), id) != ERR_OK)
			return 1;
		printf("%s\n", id);
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "seal-lines") == 0 && spec != NULL)
		return seal_lines(spec);
	if (argc != 6 || spec == NULL) {
		fprintf(stderr, "usage: vault_tool seal|open WS PROVIDER ID "
		    "TEXT (SLUICE_ENCRYPTION_KEYS set)\n");
		return 2;
	}
	arena_init(&a);
	if (crypto_keyring_parse(&a, spec, &k, &msg) != ERR_OK) {
		fprintf(stderr, "vault_tool: %s\n", msg);
		arena_free(&a);
		return 2;
	}
	if (strcmp(argv[1], "seal") == 0 && vault_seal(k, &a,
	    strtoll(argv[2], NULL, 10), argv[3], strtoll(argv[4], NULL, 10),
	    argv[5], strlen(argv[5]), &out) == ERR_OK) {
		printf("%s\n", out);
		status = 0;
	} else if (strcmp(argv[1], "open") == 0) {
		if (vault_open(k, &a, strtoll(argv[2], NULL, 10), argv[3],
		    strtoll(argv[4], NULL, 10), argv[5], &out, &msg) ==
		    ERR_OK) {
			printf("%s\n", out);
			status = 0;
		} else
			fprintf(stderr, "vault_tool: %s\n", msg);
	}
	arena_free(&a);
	crypto_keyring_free(k);
	return status;
}
