/* fuzz_ingest.c — the ingest batch parser and row validator. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "ingest.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

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
			    strlen(b.rows[i].date) != 10)
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
