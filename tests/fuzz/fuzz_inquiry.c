/* fuzz_inquiry.c — the public form's parsers (urlencoded and JSON) and
 * the booking parser: whatever comes, an answer, never a crash, and an
 * accepted inquiry holds only what its checks allow. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/limit.h"
#include "base/utf8.h"
#include "business/booking.h"
#include "business/inquiry.h"
#include "web/req.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check(struct arena *a, const struct inquiry_in *in, enum err rc)
{
	size_t i, n;

	if (rc == ERR_UNPROCESSABLE) {
		if (in->nproblems == 0 ||
		    inquiry_problems_json(a, in->problems, in->nproblems) ==
		    NULL)
			abort();
		return;
	}
	if (rc != ERR_OK || in->nproblems != 0)
		abort();
	if (*in->v[INQUIRY_EMAIL] == '\0' && *in->v[INQUIRY_PHONE] == '\0')
		abort();
	for (i = 0; i < INQUIRY__MAX; i++) {
		n = strlen(in->v[i]);
		if (!utf8_valid(in->v[i], n) || n > 4 * LIMIT_INQUIRY_TEXT)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct inquiry_in in;
	struct booking_in b;
	struct kvlist kv;
	struct arena a;
	const char *why = NULL;
	enum err rc;

	arena_init(&a);
	if (req_urlencoded(&a, (const char *)data, len, LIMIT_PARAMS, &kv,
	    &why) == ERR_OK) {
		check(&a, &in, inquiry_parse_form(&a, &kv, "form", &in));
		rc = booking_parse_form(&a, &kv, true, &b);
		if (rc != ERR_OK && (rc != ERR_UNPROCESSABLE ||
		    b.nproblems == 0))
			abort();
	}
	rc = inquiry_parse_json(&a, (const char *)data, len, "form", &in,
	    &why);
	if (rc == ERR_INPUT) {
		if (why == NULL)
			abort();
	} else
		check(&a, &in, rc);
	why = NULL;
	rc = booking_parse_json(&a, (const char *)data, len, false, &b, &why);
	if ((rc == ERR_INPUT && why == NULL) || (rc == ERR_UNPROCESSABLE &&
	    b.nproblems == 0) || (rc == ERR_OK && b.nproblems != 0))
		abort();
	arena_free(&a);
	return 0;
}
