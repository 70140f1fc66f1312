/* fuzz_ingest.c — the ingest batch parser and row validator. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "metrics/ingest.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* A stored value: -?[0-9]{1,18}(.[0-9]{1,6})?, no "-0", no trailing 0. */
static int
plain_decimal(const char *v)
{
	size_t n = strlen(v), i = v[0] == '-', digits = 0, decimals = 0;
	int dot = 0;

	if (n == 0 || n >= INGEST_VALUE_SIZE || strcmp(v, "-0") == 0)
		return 0;
	for (; i < n; i++) {
		if (v[i] == '.' && !dot && digits > 0)
			dot = 1;
		else if (v[i] < '0' || v[i] > '9')
			return 0;
		else if (dot)
			decimals++;
		else
			digits++;
	}
	return digits >= 1 && digits <= LIMIT_VALUE_DIGITS &&
	    decimals <= LIMIT_VALUE_DECIMALS && (!dot || (decimals > 0 &&
	    v[n - 1] != '0'));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct ingest_batch b;
	const char *err = NULL, *json;
	struct arena a;
	enum err rc;
	size_t i;

	arena_init(&a);
	/* 2026-03-01T12:00:00Z: dates up to 2026-03-02 are accepted. */
	rc = ingest_parse(&a, (const char *)data, len, 1772366400, &b, &err);
	if (rc == ERR_OK) {
		if (b.nrows == 0 || b.nproblems != 0)
			abort();
		for (i = 0; i < b.nrows; i++)
			if (b.rows[i].source == NULL || b.rows[i].metric ==
			    NULL || b.rows[i].date == NULL ||
			    b.rows[i].value == NULL ||
			    b.rows[i].account_id == NULL ||
			    strlen(b.rows[i].date) != 10 ||
			    !plain_decimal(b.rows[i].value))
				abort();
	} else if (rc == ERR_UNPROCESSABLE && b.nproblems > 0) {
		json = ingest_problems_json(&a, &b);
		if (json == NULL || b.nproblems_all < b.nproblems)
			abort();
	} else if (err == NULL)
		abort();
	arena_free(&a);
	return 0;
}
