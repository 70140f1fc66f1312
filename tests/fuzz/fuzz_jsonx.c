/* fuzz_jsonx.c — bounded strict JSON parsing and the typed getters. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "base/arena.h"
#include "base/jsonx.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct json_object *o, *v;
	const char *err = NULL, *s;
	struct arena a;
	int64_t i;
	double d;
	bool b;

	arena_init(&a);
	if (jsonx_parse(&a, (const char *)data, len, &o, &err) == ERR_OK) {
		(void)jsonx_get_string(o, "a", &s);
		(void)jsonx_get_int64(o, "a", &i);
		(void)jsonx_get_double(o, "a", &d);
		(void)jsonx_get_bool(o, "a", &b);
		(void)jsonx_get_object(o, "a", &v);
		(void)jsonx_get_array(o, "a", &v);
		(void)jsonx_string(&a, o);
	}
	arena_free(&a);
	return 0;
}
