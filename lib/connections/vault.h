/*
 * vault.h — connection tokens sealed at rest, and key rotation.
 *
 * A connection's token set is sealed (lib/crypto) with additional data
 * "sluice-token|<workspace_id>|<provider>|<connection_id>", so a blob
 * copied to another row or tenant does not open.  vault_rotate() re-seals
 * every blob not under the current key, in batches, each batch one
 * transaction: the site keeps serving, a killed run leaves every row
 * sealed under some configured key, and running it again resumes.
 */
#ifndef SLUICE_VAULT_H
#define SLUICE_VAULT_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct arena;
struct crypto_keyring;
struct db;

struct vault_counts {
	long	resealed;	/* now under the current key */
	long	skipped;	/* already under it */
	long	failed;		/* could not be opened (unknown key, damage) */
};

/* Seals plain (len bytes) for a connection row; *out arena-owned text. */
enum err	 vault_seal(const struct crypto_keyring *, struct arena *,
		    int64_t workspace_id, const char *provider,
		    int64_t connection_id, const char *plain, size_t len,
		    char **out);

/*
 * Opens a connection's blob; *out is NUL-terminated plaintext in the
 * arena (cleansed at reset).  ERR_AUTH when it does not open; *why (if
 * why is not NULL; in the arena) says why, naming an unknown key id,
 * never key material.
 */
enum err	 vault_open(const struct crypto_keyring *, struct arena *,
		    int64_t workspace_id, const char *provider,
		    int64_t connection_id, const char *blob, char **out,
		    const char **why);

/*
 * Re-seals every stored token blob that is not under the current key,
 * batch rows per transaction (rows locked with SKIP LOCKED, so a busy row
 * is left for the next run).  progress, if not NULL, is called after each
 * batch.  Counts go to *counts.
 */
enum err	 vault_rotate(struct db *, const struct crypto_keyring *,
		    long batch, void (*progress)(const struct vault_counts *),
		    struct vault_counts *counts);

#endif
