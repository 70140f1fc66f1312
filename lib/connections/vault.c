/* vault.c — sealed connection tokens bound to their row; key rotation. */
#include <stdio.h>
#include <string.h>

#include "base/arena.h"
#include "base/log.h"
#include "connections/vault.h"
#include "crypto/crypto.h"
#include "store/db.h"

static const char sql_batch[] =
	"SELECT id, workspace_id, provider, token_blob FROM connections "
	"WHERE token_blob IS NOT NULL AND key_id IS DISTINCT FROM $1 "
	"AND id > $2 ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED";
static const char sql_update[] =
	"UPDATE connections SET token_blob = $2, key_id = $3, "
	"updated_at = now() WHERE id = $1";

static const char *
aad(struct arena *a, int64_t ws, const char *provider, int64_t id)
{
	return arena_printf(a, "sluice-token|%lld|%s|%lld", (long long)ws,
	    provider, (long long)id);
}

enum err
vault_seal(const struct crypto_keyring *k, struct arena *a,
    int64_t workspace_id, const char *provider, int64_t connection_id,
    const char *plain, size_t len, char **out)
{
	const char *ad = aad(a, workspace_id, provider, connection_id);

	return crypto_seal(k, a, plain, len, ad, strlen(ad), out);
}

enum err
vault_open(const struct crypto_keyring *k, struct arena *a,
    int64_t workspace_id, const char *provider, int64_t connection_id,
    const char *blob, char **out, const char **why)
{
	const char *ad = aad(a, workspace_id, provider, connection_id);
	unsigned char *plain;
	size_t len;
	enum err rc;

	rc = crypto_open(k, a, blob, strlen(blob), ad, strlen(ad), &plain,
	    &len, why);
	if (rc == ERR_OK)
		*out = (char *)plain;
	return rc;
}

/* One batch after last_id; *n rows looked at, *last_id advanced. */
static enum err
rotate_batch(struct db *db, const struct crypto_keyring *k, long batch,
    int64_t *last_id, long *n, struct vault_counts *c)
{
	const char *p[3], *blob, *provider, *why;
	char *plain, *sealed;
	struct db_res *res;
	struct arena a;
	int64_t id, ws;
	size_t i;
	enum err rc;

	arena_init(&a);
	*n = 0;
	if ((rc = db_begin(db, &a)) != ERR_OK)
		goto out;
	p[0] = crypto_keyring_current(k);
	p[1] = db_int64(&a, *last_id);
	p[2] = db_int64(&a, batch);
	if ((rc = db_exec(db, &a, sql_batch, 3, p, &res)) != ERR_OK)
		goto out;
	for (i = 0; i < db_nrows(res); i++) {
		id = db_get_int64(res, i, 0, 0);
		ws = db_get_int64(res, i, 1, 0);
		provider = db_get(res, i, 2);
		blob = db_get(res, i, 3);
		*last_id = id;
		(*n)++;
		if (!crypto_blob_needs_reseal(k, blob, strlen(blob))) {
			c->skipped++;
			continue;
		}
		if (vault_open(k, &a, ws, provider, id, blob, &plain,
		    &why) != ERR_OK) {
			log_msg(LOG_WARN, NULL, "rotate", "connection %lld: "
			    "%s", (long long)id, why);
			c->failed++;
			continue;
		}
		if ((rc = vault_seal(k, &a, ws, provider, id, plain,
		    strlen(plain), &sealed)) != ERR_OK)
			goto out;
		p[0] = db_int64(&a, id);
		p[1] = sealed;
		p[2] = crypto_keyring_current(k);
		if ((rc = db_exec(db, &a, sql_update, 3, p, NULL)) != ERR_OK)
			goto out;
		c->resealed++;
	}
	rc = db_commit(db, &a);
out:
	if (rc != ERR_OK)
		db_rollback(db, &a);
	arena_free(&a);
	return rc;
}

enum err
vault_rotate(struct db *db, const struct crypto_keyring *k, long batch,
    void (*progress)(const struct vault_counts *), struct vault_counts *c)
{
	int64_t last_id = 0;
	long n;
	enum err rc;

	memset(c, 0, sizeof(*c));
	if (batch < 1)
		batch = 1;
	do {
		if ((rc = rotate_batch(db, k, batch, &last_id, &n, c)) !=
		    ERR_OK)
			return rc;
		if (progress != NULL && n > 0)
			progress(c);
	} while (n == batch);
	return ERR_OK;
}
