/*
 * fuzz_syncnorm.c — every provider normaliser on one JSON body: each
 * either refuses it naming a field (and keeps no row) or gives rows with
 * a day and a decimal value.  The first byte picks nothing: all run.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/jsonx.h"
#include "base/mem.h"
#include "metrics/ingest.h"
#include "providers/syncnorm.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check(struct syncnorm *n, enum err rc)
{
	size_t i;

	if (rc != ERR_OK) {
		if (n->why == NULL)
			abort();
		return;
	}
	for (i = 0; i < n->n; i++)
		if (n->rows[i].date == NULL || strlen(n->rows[i].date) != 10 ||
		    n->rows[i].value == NULL || n->rows[i].metric == NULL ||
		    syncnorm_decimal(n->a, n->rows[i].value, 0, false) == NULL)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static const char *const ranges[][2] = {
		{ "2026-01-01", "2026-01-07" }, { "2026-01-01", "2026-03-31" },
	};
	struct json_object *j;
	struct syncnorm n;
	struct syncnorm_msgs m;
	struct arena a;
	const char *cursor;
	size_t count;

	arena_init(&a);
	if (jsonx_parse(&a, (const char *)data, len, &j, NULL) != ERR_OK) {
		arena_free(&a);
		return 0;
	}
#define RUN(call) do { syncnorm_init(&n, &a, "p", "acct"); \
	check(&n, call); } while (0)
	RUN(syncnorm_ga4(&n, j));
	RUN(syncnorm_ga4_totals(&n, j, 28, "2026-01-01"));
	RUN(syncnorm_google_ads(&n, j, "1", "USD"));
	RUN(syncnorm_youtube(&n, j));
	RUN(syncnorm_youtube_channel(&n, j, "2026-01-01"));
	RUN(syncnorm_facebook(&n, j));
	RUN(syncnorm_facebook_totals(&n, j));
	RUN(syncnorm_instagram(&n, j, NULL, 0));
	RUN(syncnorm_instagram(&n, j, "2026-01-01", 7));
	RUN(syncnorm_meta_ads(&n, j, "EUR"));
	RUN(syncnorm_meta_ads_totals(&n, j, "EUR", ranges, nitems(ranges)));
	RUN(syncnorm_linkedin(&n, j));
	RUN(syncnorm_mailchimp(&n, j, &count));
	RUN(syncnorm_github_traffic(&n, j, "views", "2026-01-01"));
	RUN(syncnorm_github_repo(&n, j, "2026-01-01"));
	memset(&m, 0, sizeof(m));
	syncnorm_init(&n, &a, "slack", "C1");
	(void)syncnorm_slack(&n, j, "C1", false, &m, &cursor);
	arena_free(&a);
	return 0;
}
