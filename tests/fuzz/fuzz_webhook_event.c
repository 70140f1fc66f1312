/* fuzz_webhook_event.c — the Resend event parser and the decision. */
#include <stdint.h>
#include <string.h>

#include "base/arena.h"
#include "mail/webhook.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct webhook_event ev;
	struct webhook_effect fx;
	const char *err = NULL;
	struct arena a;
	size_t i;

	arena_init(&a);
	if (webhook_parse(&a, (const char *)data, len, &ev, &err) == ERR_OK) {
		/* Every string read is bounded and NUL-terminated. */
		if (strlen(ev.type) == 0 || strlen(ev.type) > WEBHOOK_MAX_TYPE)
			__builtin_trap();
		if (ev.nrecipients > WEBHOOK_MAX_RECIPIENTS)
			__builtin_trap();
		for (i = 0; i < ev.nrecipients; i++)
			if (strlen(ev.recipients[i]) > WEBHOOK_MAX_ADDRESS ||
			    strchr(ev.recipients[i], '@') == NULL ||
			    (i > 0 && strcmp(ev.recipients[i - 1],
			    ev.recipients[i]) >= 0))
				__builtin_trap();
		webhook_decide(&a, &ev, &fx);
		if (fx.suppress_reason != NULL && ev.nrecipients == 0)
			__builtin_trap();
	} else if (err == NULL)
		__builtin_trap();
	arena_free(&a);
	return 0;
}
