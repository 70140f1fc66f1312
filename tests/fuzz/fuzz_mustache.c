/*
 * fuzz_mustache.c — compiles arbitrary template text and renders it
 * against a fixed view with a few partials: "item" (recursive through a
 * list), "loop" (includes itself unconditionally) and "self" (the input
 * itself); the view names two of them for {{>*dyn}} and {{>*me}}.
 * Every outcome is fine except a crash, a leak or a sanitizer report;
 * errors must carry a position inside the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "base/buf.h"
#include "base/limit.h"
#include "render/mustache.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char view_json[] =
    "{\"name\":\"<b>&\\\"'\",\"n\":42,\"dyn\":\"item\",\"me\":\"self\","
    "\"d\":1.5,\"t\":true,\"f\":false,"
    "\"z\":null,\"s\":\"\",\"list\":[1,\"two\",{\"name\":\"x\"}],"
    "\"obj\":{\"a\":{\"b\":\"deep\"},\"name\":\"inner\"},"
    "\"tree\":{\"name\":\"r\",\"sub\":[{\"name\":\"c1\",\"sub\":[]},"
    "{\"name\":\"c2\",\"sub\":[{\"name\":\"g\"}]}]}}";

static struct json_object	*view;
static struct mustache		*item, *loop, *self;

static const struct mustache *
find(void *ud, const char *name)
{
	(void)ud;
	if (strcmp(name, "item") == 0)
		return item;
	if (strcmp(name, "loop") == 0)
		return loop;
	if (strcmp(name, "self") == 0)
		return self;
	return NULL;
}

static void
setup(void)
{
	const char *i = "<{{name}}>\n  {{#sub}}\n  {{>item}}\n  {{/sub}}\n";
	const char *l = "{{>loop}}";

	if (view != NULL)
		return;
	view = json_tokener_parse(view_json);
	if (view == NULL ||
	    mustache_compile("item", i, strlen(i), &item, NULL) != ERR_OK ||
	    mustache_compile("loop", l, strlen(l), &loop, NULL) != ERR_OK)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct mustache_partials p = { find, NULL };
	struct mustache_error e;
	struct buf b;
	enum err rc;

	setup();
	rc = mustache_compile("self", (const char *)data, len, &self, &e);
	if (rc != ERR_OK) {
		if (rc != ERR_TEMPLATE && rc != ERR_TOOBIG)
			abort();
		if (rc == ERR_TEMPLATE && (e.line < 1 || e.column < 1))
			abort();
		return 0;
	}
	(void)mustache_check_partials(self, &p, &e);
	buf_init(&b, LIMIT_TMPL_OUTPUT);
	rc = mustache_render_json(self, view, &p, &b, &e);
	if (rc != ERR_OK && b.len != 0)
		abort();
	buf_free(&b);
	/* A small buffer: refused output leaves what was there. */
	buf_init(&b, 64);
	(void)buf_puts(&b, "x");
	rc = mustache_render_json(self, view, &p, &b, &e);
	if (rc != ERR_OK && (b.len != 1 || b.data[0] != 'x'))
		abort();
	buf_free(&b);
	mustache_free(self);
	self = NULL;
	return 0;
}
